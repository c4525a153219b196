/*
 * test_api.c - libretort as a program sees it: this test includes only
 * retort.h and links the shared library, so it can call nothing else.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "retort.h"
#include "api_project.h"

static void version(void **state)
{
	char want[32];

	(void)state;
	snprintf(want, sizeof(want), "%d.%d.%d", RETORT_VERSION_MAJOR, RETORT_VERSION_MINOR,
		 RETORT_VERSION_PATCH);
	assert_string_equal(RETORT_VERSION, want);
	assert_string_equal(retort_version(), want);
	assert_int_equal(retort_version_number(), RETORT_VERSION_NUMBER);
	assert_int_equal(RETORT_VERSION_NUMBER, RETORT_VERSION_MAJOR * 10000 +
			 RETORT_VERSION_MINOR * 100 + RETORT_VERSION_PATCH);
}

/* A zeroed options struct (no _INIT) is refused, naming the macro, and
 * so is one from a newer retort.h; NULL options are the defaults. */
static void options_checked(void **state)
{
	project *p = *state;
	retort_run_options zero;
	retort_run_options newer = RETORT_RUN_OPTIONS_INIT;
	retort_test_options tzero;
	retort_fleet_options fzero;
	retort_options ozero;
	retort_tenant_list none = { NULL, 0 };
	retort *fresh;

	memset(&zero, 0, sizeof(zero));
	memset(&tzero, 0, sizeof(tzero));
	memset(&fzero, 0, sizeof(fzero));
	memset(&ozero, 0, sizeof(ozero));
	assert_int_equal(retort_upgrade(p->ctx, "head", &zero), RETORT_EUSAGE);
	assert_non_null(strstr(retort_errmsg(p->ctx), "RETORT_RUN_OPTIONS_INIT"));
	assert_int_equal(retort_downgrade(p->ctx, "base", &zero), RETORT_EUSAGE);
	assert_int_equal(retort_stamp(p->ctx, "head", &zero), RETORT_EUSAGE);
	newer.version = RETORT_RUN_OPTIONS_VERSION + 1;
	assert_int_equal(retort_upgrade(p->ctx, "head", &newer), RETORT_EUSAGE);
	assert_non_null(strstr(retort_errmsg(p->ctx), "newer"));
	/* nothing ran */
	assert_current(p->ctx, NULL);

	assert_int_equal(retort_fleet_run(p->ctx, &none, &fzero), RETORT_EUSAGE);
	assert_non_null(strstr(retort_errmsg(p->ctx), "RETORT_FLEET_OPTIONS_INIT"));
	must(retort_fleet_run(p->ctx, &none, NULL), p->ctx, "retort_fleet_run(NULL options)");
	{
		retort_test_report report;
		retort_test_options one = RETORT_TEST_OPTIONS_INIT;
		size_t i;

		assert_int_equal(retort_test(&report, p->ctx, &tzero), RETORT_EUSAGE);
		assert_non_null(strstr(retort_errmsg(p->ctx), "RETORT_TEST_OPTIONS_INIT"));
		/* version 3: one dialect; an unknown one is refused */
		one.dialect = "mysql";
		assert_int_equal(retort_test(&report, p->ctx, &one), RETORT_EUSAGE);
		assert_non_null(strstr(retort_errmsg(p->ctx), "unknown dialect 'mysql'"));
		retort_test_report_release(&report);
		/* the URL's dialect alone: its results name none */
		one.dialect = "sqlite";
		must(retort_test(&report, p->ctx, &one), p->ctx, "retort_test(sqlite)");
		assert_true(report.count > 1);
		assert_int_equal(report.failures, 0);
		for (i = 0; i < report.count; i++)
			assert_null(report.results[i].dialect);
		retort_test_report_release(&report);
	}

	must(retort_new(&fresh), NULL, "retort_new");
	ozero.start_dir = p->dir;
	assert_int_equal(retort_open(fresh, &ozero), RETORT_EUSAGE);
	assert_non_null(strstr(retort_errmsg(fresh), "RETORT_OPTIONS_INIT"));
	retort_free(fresh);

	must(retort_upgrade(p->ctx, "head", NULL), p->ctx, "retort_upgrade(NULL options)");
	assert_current(p->ctx, "aaaa0002");
}

/* A failed retort_open leaves the context as it was: another open then
 * works, and nothing leaks (ASan's leak check in the sanitizer build). */
static void open_atomic(void **state)
{
	project *p = *state;
	retort_options o = RETORT_OPTIONS_INIT;
	const char *bad_vars[] = { "A=1", "no-equals-sign" };
	char ini[128];
	retort *ctx;

	must(retort_new(&ctx), NULL, "retort_new");
	/* the config is read, then a bad -x refuses the open */
	o.start_dir = p->dir;
	o.vars = bad_vars;
	o.nvars = 2;
	o.url = "sqlite:///tmp/retort-api-never.db";
	assert_int_equal(retort_open(ctx, &o), RETORT_EUSAGE);
	assert_non_null(strstr(retort_errmsg(ctx), "no-equals-sign"));
	assert_null(retort_config_path(ctx));
	/* a missing config file refuses it too */
	o.vars = NULL;
	o.nvars = 0;
	o.url = NULL;
	snprintf(ini, sizeof(ini), "%s/missing.ini", p->dir);
	o.config_path = ini;
	assert_true(retort_open(ctx, &o) < 0);
	/* and the same context opens */
	o.config_path = NULL;
	must(retort_open(ctx, &o), ctx, "retort_open after failures");
	assert_non_null(retort_config_path(ctx));
	assert_int_equal(retort_open(ctx, &o), RETORT_EUSAGE); /* once only */
	retort_free(ctx);
}

/* Hold the run lock of a second context while the first one's upgrade
 * is under way: from its START event, the other upgrade times out. */
static void busy_from_event(const retort_event *ev, void *payload)
{
	retort *other = payload;

	if (ev->type == RETORT_EVENT_START && ev->rev &&
	    !strcmp(retort_rev_id(ev->rev), "aaaa0001"))
		assert_int_equal(retort_upgrade(other, "head", NULL), RETORT_EBUSY);
}

static const char ini[] =
	"[retort]\n"
	"script_location = migrations\n"
	"url = sqlite:///data.db\n"
	"lock_timeout = 0.2\n";

/* Each situation a caller handles differently has its own code. */
static void error_codes(void **state)
{
	project *p = *state;
	retort_run_options ro = RETORT_RUN_OPTIONS_INIT;
	retort_test_options to = RETORT_TEST_OPTIONS_INIT;
	retort_test_report report;
	retort_revlist list = { NULL, 0 };
	retort_cancel *cancel;
	retort *other, *again;
	char path[256], *original;

	put_file(p, "retort.ini", ini);
	retort_free(p->ctx);
	open_in(&p->ctx, p->dir);
	open_in(&other, p->dir);

	/* usage, not found, ambiguous */
	assert_int_equal(retort_downgrade(p->ctx, NULL, NULL), RETORT_EUSAGE);
	assert_int_equal(retort_upgrade(p->ctx, "nope", NULL), RETORT_ENOTFOUND);
	assert_int_equal(retort_resolve(&list, p->ctx, "aaaa000"), RETORT_EAMBIGUOUS);

	/* the lock held by another run */
	ro.on_event = busy_from_event;
	ro.event_payload = other;
	must(retort_upgrade(p->ctx, "aaaa0001", &ro), p->ctx, "upgrade aaaa0001");
	assert_non_null(strstr(retort_errmsg(other), "lock"));

	/* the state does not allow it: downgrading to what is not applied */
	assert_int_equal(retort_downgrade(p->ctx, "aaaa0002", NULL), RETORT_ECONFLICT);

	/* a statement fails: nothing of the step stays */
	add_rev(p, "aaaa0003", "one"); /* table one exists already */
	assert_int_equal(retort_upgrade(p->ctx, "head", NULL), RETORT_ESTATEMENT);
	assert_non_null(strstr(retort_errmsg(p->ctx), "aaaa0003"));

	/* an applied file edited, then put back */
	must(retort_resolve(&list, p->ctx, "aaaa0001"), p->ctx, "resolve");
	snprintf(path, sizeof(path), "%s", retort_rev_path(list.revs[0]));
	retort_revlist_release(&list);
	original = read_file(path);
	put_file(p, path + strlen(p->dir) + 1,
		 "-- one\n-- revision: aaaa0001\n-- down_revision:\n\n"
		 "-- +upgrade\nCREATE TABLE one (id INTEGER PRIMARY KEY, x INT);\n"
		 "-- +downgrade\nDROP TABLE one;\n");
	open_in(&again, p->dir);
	assert_int_equal(retort_upgrade(again, "aaaa0002", NULL), RETORT_EMODIFIED);
	assert_non_null(strstr(retort_errmsg(again), "aaaa0001"));
	retort_free(again);
	put_file(p, path + strlen(p->dir) + 1, original);
	free(original);

	/* a bad migration file, a bad configuration */
	put_file(p, "migrations/versions/bad.sql", "-- revision: bad1\n-- down_revision: nowhere\n"
		 "-- +upgrade\nSELECT 1;\n");
	open_in(&again, p->dir);
	assert_int_equal(retort_upgrade(again, "head", NULL), RETORT_EINVALID);
	retort_free(again);
	snprintf(path, sizeof(path), "%s/migrations/versions/bad.sql", p->dir);
	assert_int_equal(unlink(path), 0);
	put_file(p, "retort.ini", "[retort]\nlock_timeout = soon\n");
	must(retort_new(&again), NULL, "retort_new");
	{
		retort_options o = RETORT_OPTIONS_INIT;
		o.start_dir = p->dir;
		assert_int_equal(retort_open(again, &o), RETORT_ECONFIG);
		assert_non_null(strstr(retort_errmsg(again), "lock_timeout"));
	}
	retort_free(again);
	put_file(p, "retort.ini", ini);

	/* the database (at aaaa0002) at a revision no file defines */
	remove_rev(p, "aaaa0003");
	remove_rev(p, "aaaa0002");
	open_in(&again, p->dir);
	assert_int_equal(retort_upgrade(again, "head", NULL), RETORT_EUNKNOWNREV);
	assert_non_null(strstr(retort_errmsg(again), "aaaa0002"));
	retort_free(again);

	/* canceled before it started */
	open_in(&again, p->dir);
	must(retort_cancel_new(&cancel), again, "retort_cancel_new");
	retort_cancel_request(cancel);
	to.cancel = cancel;
	assert_int_equal(retort_test(&report, again, &to), RETORT_ECANCELED);
	retort_test_report_release(&report);
	retort_cancel_free(cancel);
	retort_free(again);
	retort_free(other);
}

/* A transaction=false step that failed part way: the next run refuses
 * with its own code until it is resumed. */
static void half_applied(void **state)
{
	project *p = *state;
	retort_revision_options r = RETORT_REVISION_OPTIONS_INIT;
	retort_failure *f;
	char *path;

	r.message = "half";
	r.rev_id = "aaaa0003";
	r.upgrade_sql = "CREATE TABLE three (id INT);\nCREATE TABLE one (id INT);";
	r.downgrade_sql = "DROP TABLE three;";
	r.upgrade_options = "transaction=false";
	must(retort_revision(&path, p->ctx, &r), p->ctx, "retort_revision");
	free(path);
	assert_int_equal(retort_upgrade(p->ctx, "head", NULL), RETORT_ESTATEMENT);
	assert_int_equal(retort_upgrade(p->ctx, "head", NULL), RETORT_EPARTIAL);
	assert_non_null(strstr(retort_errmsg(p->ctx), "--resume"));
	must(retort_failure_get(&f, p->ctx), p->ctx, "retort_failure_get");
	assert_non_null(f);
	assert_string_equal(f->revision, "aaaa0003");
	assert_int_equal(f->statements_done, 1);
	retort_failure_free(f);
}

/* A revision borrowed from the context stays valid when a new revision
 * makes it load the graph again (ASan in the sanitizer build). */
static void borrowed_revisions_live(void **state)
{
	project *p = *state;
	const retort_rev *one = retort_lookup(p->ctx, "aaaa0001");
	retort_revlist heads = { NULL, 0 };

	assert_non_null(one);
	must(retort_heads(&heads, p->ctx), p->ctx, "retort_heads");
	add_rev(p, "aaaa0003", "three");
	assert_string_equal(retort_rev_id(one), "aaaa0001");
	assert_string_equal(retort_rev_message(one), "one");
	assert_string_equal(retort_rev_id(heads.revs[0]), "aaaa0002");
	assert_int_equal(retort_rev_nchildren(heads.revs[0]), 0); /* as it was */
	retort_revlist_release(&heads);
	/* the context's graph is the new one */
	assert_non_null(retort_lookup(p->ctx, "aaaa0003"));
	must(retort_heads(&heads, p->ctx), p->ctx, "retort_heads");
	assert_int_equal(heads.count, 1);
	assert_string_equal(retort_rev_id(heads.revs[0]), "aaaa0003");
	retort_revlist_release(&heads);
}

/* Threads: one context each, on one database and on databases of their
 * own, at the same time. */
typedef struct worker {
	const char *dir;
	const char *url;  /* NULL: the project's */
	int rc;
	char msg[256];
	size_t applied;
} worker;

static void count_done(const retort_event *ev, void *payload)
{
	if (ev->type == RETORT_EVENT_DONE)
		((worker *)payload)->applied++;
}

static void *run_worker(void *arg)
{
	worker *w = arg;
	retort_options o = RETORT_OPTIONS_INIT;
	retort_run_options ro = RETORT_RUN_OPTIONS_INIT;
	retort *ctx;

	o.start_dir = w->dir;
	o.url = w->url;
	ro.on_event = count_done;
	ro.event_payload = w;
	if ((w->rc = retort_new(&ctx)) < 0)
		return NULL;
	if ((w->rc = retort_open(ctx, &o)) >= 0)
		w->rc = retort_upgrade(ctx, "head", &ro);
	snprintf(w->msg, sizeof(w->msg), "%s", retort_errmsg(ctx));
	retort_free(ctx);
	return NULL;
}

static void threads(void **state)
{
	project *p = *state;
	enum { N = 6 };
	pthread_t t[N];
	worker w[N];
	char urls[N][128];
	size_t i, applied = 0;

	put_file(p, "retort.ini", "[retort]\nscript_location = migrations\n"
		 "url = sqlite:///data.db\nlock_timeout = 30\n");
	for (i = 0; i < N; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].dir = p->dir;
		/* half of them on the project's database, half on their own */
		if (i % 2) {
			snprintf(urls[i], sizeof(urls[i]), "sqlite:///own%zu.db", i);
			w[i].url = urls[i];
		}
		assert_int_equal(pthread_create(&t[i], NULL, run_worker, &w[i]), 0);
	}
	for (i = 0; i < N; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		if (w[i].rc < 0)
			fail_msg("thread %zu: %d: %s", i, w[i].rc, w[i].msg);
		if (w[i].url)
			assert_int_equal(w[i].applied, 2);
		else
			applied += w[i].applied;
	}
	/* the shared database: each migration applied once, by one of them */
	assert_int_equal(applied, 2);
	retort_free(p->ctx);
	open_in(&p->ctx, p->dir);
	assert_current(p->ctx, "aaaa0002");
}

static void collect(const char *message, void *payload)
{
	char *buf = payload;

	strncat(buf, message, 4095 - strlen(buf));
	strncat(buf, "\n", 4095 - strlen(buf));
}

/* A program with no retort.ini: the configuration set in code, and the
 * log going to its own callback. */
static void settings_and_log(void **state)
{
	project *p = *state;
	char path[256], url[256], *log = calloc(1, 4096);
	retort_setting set[] = {
		{ NULL, "script_location", "migrations" },
		{ "retort", "url", NULL },
		{ NULL, "version_table", "app_version" },
		{ "fleet", "jobs", "3" },
	};
	retort_setting bad[] = { { NULL, "lock_timeout", "soon" } };
	retort_options o = RETORT_OPTIONS_INIT;
	retort *ctx;

	assert_non_null(log);
	snprintf(path, sizeof(path), "%s/retort.ini", p->dir);
	assert_int_equal(unlink(path), 0);
	snprintf(url, sizeof(url), "sqlite:///%s/app.db", p->dir);
	set[1].value = url;
	o.start_dir = p->dir;
	o.config_optional = 1;
	o.settings = bad;
	o.nsettings = 1;
	must(retort_new(&ctx), NULL, "retort_new");
	assert_int_equal(retort_open(ctx, &o), RETORT_ECONFIG);
	assert_non_null(strstr(retort_errmsg(ctx), "retort_options.settings[0]"));
	assert_non_null(strstr(retort_errmsg(ctx), "'soon'"));
	o.settings = set;
	o.nsettings = 4;
	must(retort_open(ctx, &o), ctx, "retort_open with settings");
	assert_null(retort_config_path(ctx));
	assert_string_equal(retort_config_get(ctx, "retort", "version_table"), "app_version");
	assert_string_equal(retort_config_get(ctx, "fleet", "jobs"), "3");
	retort_set_log_callback(ctx, collect, log);
	must(retort_upgrade(ctx, "head", NULL), ctx, "retort_upgrade");
	assert_current(ctx, "aaaa0002");
	/* the run logged through the callback: start, each step */
	assert_non_null(strstr(log, "upgrade head on sqlite:///"));
	assert_non_null(strstr(log, "aaaa0001"));
	assert_non_null(strstr(log, "done in"));
	retort_set_log_callback(ctx, NULL, NULL);
	log[0] = '\0';
	must(retort_downgrade(ctx, "base", NULL), ctx, "retort_downgrade");
	assert_string_equal(log, "");
	retort_free(ctx);
	free(log);
}

/* The dialects of this build: SQLite always, each usable, unknown ones not. */
static void dialects(void **state)
{
	const char *const *names = retort_dialects();
	size_t i;

	(void)state;
	assert_non_null(names);
	assert_string_equal(names[0], "sqlite");
	for (i = 0; names[i]; i++)
		assert_int_equal(retort_has_dialect(names[i]), 1);
#ifdef RETORT_WITH_PG
	assert_int_equal(i, 2);
	assert_int_equal(retort_has_dialect("postgres"), 1);
#else
	assert_int_equal(i, 1);
	assert_int_equal(retort_has_dialect("postgresql"), 0);
#endif
	assert_int_equal(retort_has_dialect("mysql"), 0);
	assert_int_equal(retort_has_dialect(""), 0);
}

/* no_config: no retort.ini is read, not even the one in the folder or a
 * parent's - only the defaults and the settings. */
static void no_config(void **state)
{
	project *p = *state;
	retort_setting set[] = { { NULL, "url", "sqlite:///nocfg.db" } };
	retort_options o = RETORT_OPTIONS_INIT;
	char sub[128], db[160];
	retort *ctx;

	/* the project's retort.ini says lock_timeout = soon: read, it fails */
	put_file(p, "retort.ini", "[retort]\nscript_location = migrations\nlock_timeout = soon\n");
	snprintf(sub, sizeof(sub), "%s/migrations", p->dir);
	o.start_dir = sub;
	must(retort_new(&ctx), NULL, "retort_new");
	assert_int_equal(retort_open(ctx, &o), RETORT_ECONFIG);
	o.no_config = 1;
	o.start_dir = p->dir;
	o.settings = set;
	o.nsettings = 1;
	must(retort_open(ctx, &o), ctx, "retort_open with no_config");
	assert_null(retort_config_path(ctx));
	assert_null(retort_config_get(ctx, "retort", "lock_timeout"));
	must(retort_upgrade(ctx, "head", NULL), ctx, "retort_upgrade");
	assert_current(ctx, "aaaa0002");
	retort_free(ctx);
	snprintf(db, sizeof(db), "%s/nocfg.db", p->dir);
	assert_int_equal(access(db, F_OK), 0);
}

/* A project that cannot be made whole is not made at all: what the call
 * made goes again, what was there stays. */
static void init_atomic(void **state)
{
	project *p = *state;
	char dir[128], path[192];
	retort_strarray created = { NULL, 0 };

	snprintf(dir, sizeof(dir), "%s/new", p->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/migrations", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	/* the template's place is taken by a folder: the last file fails */
	snprintf(path, sizeof(path), "%s/migrations/script.sql.tmpl", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_true(retort_init_project(&created, p->ctx, dir, NULL) < 0);
	assert_int_equal(created.count, 0);
	snprintf(path, sizeof(path), "%s/retort.ini", dir);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/migrations/versions", dir);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/migrations", dir);
	assert_int_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/migrations/script.sql.tmpl", dir);
	assert_int_equal(rmdir(path), 0);
	must(retort_init_project(&created, p->ctx, dir, NULL), p->ctx, "retort_init_project");
	assert_true(created.count >= 3);
	retort_strarray_release(&created);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(version),
		cmocka_unit_test(dialects),
		cmocka_unit_test_setup_teardown(options_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(open_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(error_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(half_applied, setup, teardown),
		cmocka_unit_test_setup_teardown(borrowed_revisions_live, setup, teardown),
		cmocka_unit_test_setup_teardown(threads, setup, teardown),
		cmocka_unit_test_setup_teardown(settings_and_log, setup, teardown),
		cmocka_unit_test_setup_teardown(init_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(no_config, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
