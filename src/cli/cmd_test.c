/*
 * cmd_test.c - `retort test`: every migration up, down and up again on a
 * scratch database, for CI.  One line per check as it finishes; exit 1
 * when any failed.
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

const char cmd_test_usage[] =
	"usage: retort test [-d DIALECT] [--format FMT]\n"
	"\n"
	"Run every migration on a scratch database made for the purpose (SQLite:\n"
	"a temporary file; PostgreSQL: a database retort_test_<pid>_<n> created\n"
	"and dropped on the configured server, or on dev_url's) of each dialect\n"
	"the project deploys to (the url's and those of `dialects` in retort.ini),\n"
	"and check:\n"
	"    single-head  the graph has one head\n"
	"    revision     each revision, parents first: upgrade, downgrade and\n"
	"                 upgrade again work, and the downgrade gives back exactly\n"
	"                 the schema from before the upgrade\n"
	"    model        at the heads, the database matches the `schema` files\n"
	"                 (skipped without `schema`)\n"
	"    base         downgrading from the heads to base leaves nothing\n"
	"With several dialects, each result names its dialect in brackets.  The\n"
	"configured database is not touched.  Exit status 1 when a check failed\n"
	"on any dialect.  Interrupted (SIGINT, SIGTERM), it drops the scratch\n"
	"database and exits with 130 or 143; a second signal ends it at once.\n"
	"\n"
	"    -d, --dialect DIALECT  run the checks on this dialect only\n"
	"    --format FMT           text (default) or json (docs/json.md); the\n"
	"                           lines of the checks go to stderr as they end\n";

/* SIGINT and SIGTERM go to a thread of their own (sigwait), not to a
 * handler: dropping the scratch database takes a connection, which a
 * handler may not open, and the main thread may be blocked in a long
 * statement. */
struct sigwatch {
	pthread_t thread;
	sigset_t set, old_mask;
	retort_cancel *cancel;
	volatile sig_atomic_t signo;
	int started;
};

static void *watch(void *arg)
{
	struct sigwatch *w = arg;
	sigset_t one;
	int sig;

	if (sigwait(&w->set, &sig) != 0)
		return NULL;
	w->signo = sig;
	retort_cancel_request(w->cancel);
	/* a second one takes the default action, at once: this thread stays,
	 * with the signal unblocked, until watch_stop cancels it */
	sigemptyset(&one);
	sigaddset(&one, sig);
	pthread_sigmask(SIG_UNBLOCK, &one, NULL);
	for (;;)
		pause();
	return NULL;
}

/* Watch the signals that are not ignored (a shell's background job has
 * SIGINT ignored, and keeps it so). */
static void watch_start(struct sigwatch *w)
{
	struct sigaction old;

	sigemptyset(&w->set);
	if (sigaction(SIGINT, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
		sigaddset(&w->set, SIGINT);
	if (sigaction(SIGTERM, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
		sigaddset(&w->set, SIGTERM);
	if (retort_cancel_new(&w->cancel) < 0)
		cli_oom();
	pthread_sigmask(SIG_BLOCK, &w->set, &w->old_mask);
	w->started = pthread_create(&w->thread, NULL, watch, w) == 0;
	if (!w->started)
		pthread_sigmask(SIG_SETMASK, &w->old_mask, NULL);
}

static void watch_stop(struct sigwatch *w)
{
	if (w->started) {
		pthread_cancel(w->thread); /* sigwait is a cancellation point */
		pthread_join(w->thread, NULL);
		pthread_sigmask(SIG_SETMASK, &w->old_mask, NULL);
	}
	retort_cancel_free(w->cancel);
}

static const char *status_word(retort_test_status s)
{
	switch (s) {
	case RETORT_TEST_OK:
		return "ok  ";
	case RETORT_TEST_FAILED:
		return "FAIL";
	default:
		return "skip";
	}
}

/* What on_result needs. */
struct run {
	const struct cli *cli;
	int json;  /* stdout is the document's: every line to stderr */
};

static void on_result(const retort_test_result *res, void *payload)
{
	const struct run *run = payload;
	const struct cli *cli = run->cli;
	FILE *out = res->status == RETORT_TEST_FAILED || run->json ? stderr : stdout;

	if (cli->quiet && res->status != RETORT_TEST_FAILED)
		return;
	fprintf(out, "%s ", status_word(res->status));
	if (res->dialect)
		fprintf(out, "[%s] ", res->dialect);
	fputs(res->check, out);
	if (res->rev) {
		fprintf(out, " %s", retort_rev_id(res->rev));
		if (res->status == RETORT_TEST_FAILED)
			fprintf(out, " (%s)", cli_relpath(res->path));
		else
			fprintf(out, ", %s", retort_rev_message(res->rev));
	}
	if (*res->message)
		fprintf(out, ": %s", res->message);
	fputc('\n', out);
	fflush(out);
}

static const char *status_name(retort_test_status s)
{
	return s == RETORT_TEST_OK ? "ok" : s == RETORT_TEST_FAILED ? "failed" : "skipped";
}

static int put_json(const retort_test_report *report, const char *dialect)
{
	json_t *doc = cli_json_doc("test"), *list = json_array();
	size_t i, ok = 0;

	for (i = 0; i < report->count; i++) {
		const retort_test_result *res = &report->results[i];
		json_t *o = json_object();

		ok += res->status == RETORT_TEST_OK;
		json_object_set_new(o, "check", json_string(res->check));
		json_object_set_new(o, "status", json_string(status_name(res->status)));
		json_object_set_new(o, "dialect", cli_json_text_or_null(res->dialect));
		json_object_set_new(o, "revision",
				    res->rev ? cli_json_text(retort_rev_id(res->rev)) : json_null());
		json_object_set_new(o, "revision_message",
				    res->rev ? cli_json_text(retort_rev_message(res->rev)) : json_null());
		json_object_set_new(o, "path", cli_json_text_or_null(res->path));
		json_object_set_new(o, "message", cli_json_text_or_null(res->message));
		json_array_append_new(list, o);
	}
	json_object_set_new(doc, "dialect", cli_json_text_or_null(dialect));
	json_object_set_new(doc, "scratch", cli_json_text_or_null(report->scratch));
	json_object_set_new(doc, "results", list);
	json_object_set_new(doc, "total", json_integer((json_int_t)report->count));
	json_object_set_new(doc, "ok", json_integer((json_int_t)ok));
	json_object_set_new(doc, "failed", json_integer((json_int_t)report->failures));
	json_object_set_new(doc, "skipped",
			    json_integer((json_int_t)(report->count - ok - report->failures)));
	json_object_set_new(doc, "passed", json_boolean(!report->failures));
	return cli_json_print(doc);
}

int cmd_test(struct cli *cli)
{
	static const struct option longopts[] = {
		{ "dialect", required_argument, NULL, 'd' },
		{ "format",  required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 }
	};
	retort_test_options opts = RETORT_TEST_OPTIONS_INIT;
	retort_test_report report;
	struct sigwatch w;
	struct run run = { cli, 0 };
	int c, status, rc;

	while ((c = cli_getopt(cli, "d:", longopts)) != -1) {
		switch (c) {
		case 'd':
			opts.dialect = optarg;
			break;
		case 'F':
			if ((run.json = cli_format_option(cli, optarg)) < 0)
				return EXIT_USAGE;
			break;
		default:
			return cli_bad_option(cli, c);
		}
	}
	if ((status = cli_setup(cli, 0, 0)) != 0)
		return status;
	opts.on_result = on_result;
	opts.payload = &run;
	memset(&w, 0, sizeof(w));
	watch_start(&w);
	opts.cancel = w.cancel;
	rc = retort_test(&report, cli->ctx, &opts);
	watch_stop(&w);
	if (w.signo) {
		if (rc < 0)
			cli_fail(cli);
		else /* the checks had ended and dropped it */
			cli_error("interrupted; the scratch database was dropped");
		retort_test_report_release(&report);
		return 128 + w.signo;
	}
	if (rc < 0) {
		retort_test_report_release(&report);
		return cli_fail(cli);
	}
	if (run.json) {
		status = put_json(&report, opts.dialect);
		if (report.failures)
			status = 1;
		retort_test_report_release(&report);
		return status;
	}
	if (cli->verbose && report.scratch)
		printf("scratch database: %s (dropped)\n", report.scratch);
	if (report.failures)
		cli_error("%zu of %zu checks failed", report.failures, report.count);
	else if (!cli->quiet)
		printf("all %zu checks passed\n", report.count);
	status = report.failures ? 1 : 0;
	retort_test_report_release(&report);
	return status;
}
