/*
 * cmd_test.c - `retort test`: every migration up, down and up again on a
 * scratch database, for CI.  One line per check as it finishes; exit 1
 * when any failed.
 */
#include <string.h>

#include "cli.h"

const char cmd_test_usage[] =
	"usage: retort test\n"
	"\n"
	"Run every migration on a scratch database made for the purpose (SQLite:\n"
	"a temporary file; PostgreSQL: a database retort_test_<pid>_<n> created\n"
	"and dropped on the configured server) and check:\n"
	"    single-head  the graph has one head\n"
	"    revision     each revision, parents first: upgrade, downgrade and\n"
	"                 upgrade again work, and the downgrade gives back exactly\n"
	"                 the schema from before the upgrade\n"
	"    model        at the heads, the database matches the `schema` files\n"
	"                 (skipped without `schema`)\n"
	"    base         downgrading from the heads to base leaves nothing\n"
	"The configured database is not touched.  Exit status 1 when a check\n"
	"failed.\n";

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

static void on_result(const retort_test_result *res, void *payload)
{
	const struct cli *cli = payload;
	FILE *out = res->status == RETORT_TEST_FAILED ? stderr : stdout;

	if (cli->quiet && res->status != RETORT_TEST_FAILED)
		return;
	fprintf(out, "%s %s", status_word(res->status), res->check);
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

int cmd_test(struct cli *cli)
{
	retort_test_options opts = RETORT_TEST_OPTIONS_INIT;
	retort_test_report report;
	int c, status;

	while ((c = cli_getopt(cli, "", NULL)) != -1)
		return cli_bad_option(cli, c);
	if ((status = cli_setup(cli, 0, 0)) != 0)
		return status;
	opts.on_result = on_result;
	opts.payload = cli;
	if (retort_test(&report, cli->ctx, &opts) < 0) {
		retort_test_report_release(&report);
		return cli_fail(cli);
	}
	if (cli->verbose && report.scratch)
		printf("scratch database: %s (dropped)\n", report.scratch);
	if (report.failures)
		fprintf(stderr, "error: %zu of %zu checks failed\n", report.failures, report.count);
	else if (!cli->quiet)
		printf("all %zu checks passed\n", report.count);
	status = report.failures ? 1 : 0;
	retort_test_report_release(&report);
	return status;
}
