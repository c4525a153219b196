/*
 * test_calls.c - the rest of retort.h, each function called through the
 * shared library as a program calls it: the graph's accessors on a graph
 * with a branch, a label, a dependency and a merge; listings, pending
 * work and a run's result; URLs and secrets; the log tag; schema dump,
 * check and autogenerate against a model; lint; fleets; backup and
 * restore; importing another tool's migrations; init's templates,
 * ensure_version and several version folders; and retort_global_init
 * first of all in a fresh process.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "retort.h"
#include "api_project.h"

/* Before anything in the process has used SQLite it succeeds. */
static void global_init_first(void **state)
{
	(void)state;
	assert_int_equal(retort_global_init(), 0);
}

/* aaaa0001 <- aaaa0002, aaaa0001 <- bbbb0001 (stats, depends on
 * aaaa0002), mmmm0001 merging both. */
static void branch_and_merge(project *p)
{
	retort_revision_options r = RETORT_REVISION_OPTIONS_INIT;
	const char *on_a1[] = { "aaaa0001" }, *deps[] = { "aaaa0002" }, *heads[] = { "heads" };
	char *path;

	r.message = "stats";
	r.rev_id = "bbbb0001";
	r.heads = on_a1;
	r.nheads = 1;
	r.splice = 1;
	r.branch_label = "stats";
	r.depends_on = deps;
	r.ndepends = 1;
	r.upgrade_sql = "CREATE TABLE stats (n INT);";
	r.downgrade_sql = "DROP TABLE stats;";
	must(retort_revision(&path, p->ctx, &r), p->ctx, "revision bbbb0001");
	free(path);
	memset(&r, 0, sizeof(r));
	r.version = RETORT_REVISION_OPTIONS_VERSION;
	r.message = "merge";
	r.rev_id = "mmmm0001";
	r.heads = heads;
	r.nheads = 1;
	r.merge = 1;
	must(retort_revision(&path, p->ctx, &r), p->ctx, "revision mmmm0001");
	free(path);
}

static const char *id_of(const retort_rev *rev)
{
	return rev ? retort_rev_id(rev) : "(null)";
}

static void graph_accessors(void **state)
{
	project *p = *state;
	retort_revlist list = { NULL, 0 };
	const retort_rev *a1, *b1, *m1;
	char ids[64];

	branch_and_merge(p);
	must(retort_load(p->ctx), p->ctx, "retort_load");
	must(retort_bases(&list, p->ctx), p->ctx, "retort_bases");
	assert_int_equal(list.count, 1);
	assert_string_equal(id_of(list.revs[0]), "aaaa0001");
	retort_revlist_release(&list);
	must(retort_branchpoints(&list, p->ctx), p->ctx, "retort_branchpoints");
	assert_int_equal(list.count, 1);
	assert_string_equal(id_of(list.revs[0]), "aaaa0001");
	retort_revlist_release(&list);

	a1 = retort_lookup(p->ctx, "aaaa0001");
	b1 = retort_lookup(p->ctx, "bbbb0001");
	m1 = retort_lookup(p->ctx, "mmmm0001");
	assert_non_null(a1);
	assert_non_null(b1);
	assert_non_null(m1);
	assert_int_equal(retort_rev_flags(a1), RETORT_REV_BASE | RETORT_REV_BRANCHPOINT);
	assert_int_equal(retort_rev_flags(m1), RETORT_REV_HEAD | RETORT_REV_MERGEPOINT);
	assert_int_equal(retort_rev_nchildren(a1), 2);
	snprintf(ids, sizeof(ids), "%s %s", id_of(retort_rev_child(a1, 0)),
		 id_of(retort_rev_child(a1, 1)));
	assert_true(!strcmp(ids, "aaaa0002 bbbb0001") || !strcmp(ids, "bbbb0001 aaaa0002"));
	assert_int_equal(retort_rev_nparents(m1), 2);
	snprintf(ids, sizeof(ids), "%s %s", id_of(retort_rev_parent(m1, 0)),
		 id_of(retort_rev_parent(m1, 1)));
	assert_true(!strcmp(ids, "aaaa0002 bbbb0001") || !strcmp(ids, "bbbb0001 aaaa0002"));
	assert_int_equal(retort_rev_nparents(a1), 0);
	assert_null(retort_rev_parent(a1, 0));
	assert_int_equal(retort_rev_ndepends(b1), 1);
	assert_string_equal(id_of(retort_rev_depends(b1, 0)), "aaaa0002");
	assert_int_equal(retort_rev_ndependents(retort_lookup(p->ctx, "aaaa0002")), 1);
	assert_ptr_equal(retort_rev_dependent(retort_lookup(p->ctx, "aaaa0002"), 0), b1);
	assert_null(retort_rev_dependent(retort_lookup(p->ctx, "aaaa0002"), 1));
	assert_int_equal(retort_rev_ndependents(b1), 0);
	assert_int_equal(retort_rev_nlabels(b1), 1);
	assert_string_equal(retort_rev_label(b1, 0), "stats");
	assert_ptr_equal(retort_rev_labeled(b1), b1);
	assert_null(retort_rev_labeled(m1)); /* a merge comes first */
	assert_null(retort_rev_labeled(a1));
	/* the label reaches the merge built on b1, not a1 below the branch */
	assert_int_equal(retort_rev_nbranches(b1), 1);
	assert_string_equal(retort_rev_branch(m1, 0), "stats");
	assert_null(retort_rev_branch(m1, 1));
	assert_int_equal(retort_rev_nbranches(a1), 0);
	assert_string_equal(retort_rev_message(b1), "stats");
	assert_true(strlen(retort_rev_create_date(b1)) >= 10);
	assert_non_null(strstr(retort_rev_path(b1), "/migrations/versions/bbbb0001"));
	assert_non_null(strstr(retort_script_location(p->ctx), "/migrations"));
}

/* Pending work, and what a run did. */
static void pending_and_result(void **state)
{
	project *p = *state;
	retort_strarray cur = { NULL, 0 };
	retort_run_summary sum;
	size_t pending = 0;

	branch_and_merge(p);
	must(retort_pending(&cur, &pending, p->ctx, "heads"), p->ctx, "retort_pending");
	assert_int_equal(cur.count, 0);
	assert_int_equal(pending, 4);
	retort_strarray_release(&cur);
	must(retort_run_result(&sum, p->ctx), p->ctx, "retort_run_result before a run");
	assert_int_equal(sum.steps.count, 0);
	retort_run_summary_release(&sum);

	must(retort_upgrade(p->ctx, "aaaa0002", NULL), p->ctx, "upgrade aaaa0002");
	must(retort_upgrade(p->ctx, "heads", NULL), p->ctx, "upgrade heads");
	must(retort_run_result(&sum, p->ctx), p->ctx, "retort_run_result");
	assert_int_equal(sum.from.count, 1);
	assert_string_equal(sum.from.strings[0], "aaaa0002");
	assert_int_equal(sum.to.count, 1);
	assert_string_equal(sum.to.strings[0], "mmmm0001");
	assert_int_equal(sum.steps.count, 2);
	assert_string_equal(sum.steps.strings[0], "bbbb0001");
	assert_string_equal(sum.steps.strings[1], "mmmm0001");
	retort_run_summary_release(&sum);
	/* the history: one 'applied' row per step, in order, each timed */
	{
		retort_history_list hist = { NULL, 0 };
		const char *order[] = { "aaaa0001", "aaaa0002", "bbbb0001", "mmmm0001" };
		size_t i;

		must(retort_history_rows(&hist, p->ctx), p->ctx, "retort_history_rows");
		assert_int_equal(hist.count, 4);
		for (i = 0; i < hist.count; i++) {
			assert_string_equal(hist.rows[i].revision, order[i]);
			assert_string_equal(hist.rows[i].status, "applied");
			assert_int_equal(hist.rows[i].direction, RETORT_UP);
			assert_true(hist.rows[i].duration_ms >= 0);
			assert_true(strlen(hist.rows[i].applied_at) >= 10);
			assert_non_null(strchr(hist.rows[i].applied_by, '@'));
			assert_string_equal(hist.rows[i].error, "");
		}
		retort_history_list_release(&hist);
		assert_int_equal(hist.count, 0);
	}
	must(retort_pending(&cur, &pending, p->ctx, NULL), p->ctx, "retort_pending at head");
	assert_int_equal(pending, 0);
	assert_string_equal(cur.strings[0], "mmmm0001");
	retort_strarray_release(&cur);

	/* the row bbbb0001 alone: aaaa0002 is applied only as what it
	 * depends on, and current lists it too, as Alembic's does */
	{
		retort_run_options ro = RETORT_RUN_OPTIONS_INIT;
		retort_revlist now = { NULL, 0 };

		ro.purge = 1;
		must(retort_stamp(p->ctx, "bbbb0001", &ro), p->ctx, "stamp --purge");
		must(retort_current_revisions(&now, p->ctx), p->ctx, "retort_current_revisions");
		assert_int_equal(now.count, 2);
		assert_string_equal(id_of(now.revs[0]), "aaaa0002");
		assert_string_equal(id_of(now.revs[1]), "bbbb0001");
		retort_revlist_release(&now);
	}
}

/* URLs and secrets, and the log's tag. */
static void urls_secrets_and_log(void **state)
{
	project *p = *state;
	char url[] = "postgresql://app:s3cret@127.0.0.1:1/shop", *masked, log[4096], path[128];
	FILE *f;
	size_t n;

	must(retort_set_url(p->ctx, url), p->ctx, "retort_set_url");
	assert_null(strstr(retort_url_masked(p->ctx), "s3cret"));
	assert_non_null(strstr(retort_url_masked(p->ctx), "app:***@127.0.0.1"));
	masked = retort_mask_secrets("connect to postgresql://app:s3cret@db/x failed; "
				     "password=hunter2 host=db");
	assert_non_null(masked);
	assert_null(strstr(masked, "s3cret"));
	assert_null(strstr(masked, "hunter2"));
	free(masked);
	retort_wipe_secrets(url);
	assert_string_equal(url, "postgresql://app:******@127.0.0.1:1/shop");

	/* nothing listens on port 1: one try, then tries for 0.3 s */
	assert_int_equal(retort_wait(p->ctx, 0), RETORT_ECONNECT);
	assert_int_equal(retort_wait(p->ctx, 0.3), RETORT_ECONNECT);
	assert_non_null(strstr(retort_errmsg(p->ctx), "not ready after 0."));
	assert_int_equal(retort_wait(p->ctx, -1), RETORT_EUSAGE);

	snprintf(url, sizeof(url), "sqlite:///data.db");
	must(retort_set_url(p->ctx, url), p->ctx, "retort_set_url back");
	must(retort_wait(p->ctx, 5), p->ctx, "retort_wait");
	must(retort_set_log_tag(p->ctx, "bot42"), p->ctx, "retort_set_log_tag");
	must(retort_upgrade(p->ctx, "head", NULL), p->ctx, "retort_upgrade");
	retort_free(p->ctx); /* closes the log */
	p->ctx = NULL;
	snprintf(path, sizeof(path), "%s/retort.log", p->dir);
	assert_non_null(f = fopen(path, "r"));
	n = fread(log, 1, sizeof(log) - 1, f);
	fclose(f);
	log[n] = '\0';
	assert_non_null(strstr(log, "[bot42] upgrade head on sqlite:///"));
	open_in(&p->ctx, p->dir);
}

/* The database against a model: schema dump, check, autogenerate. */
/* retort_autogenerate_dialects: the url's dialect alone without
 * `dialects`; offline from the replayed migrations; a revision with a
 * section per dialect; a dialect with no server to build on. */
static void dialects(project *p)
{
	retort_autogen_options ao = RETORT_AUTOGEN_OPTIONS_INIT;
	retort_revision_options ro = RETORT_REVISION_OPTIONS_INIT;
	retort_autogen_set set;
	char *path = NULL, *text;

	must(retort_autogenerate_dialects(&set, p->ctx, NULL), p->ctx, "autogenerate_dialects");
	assert_int_equal(set.count, 1);
	assert_string_equal(set.dialects[0].dialect, "sqlite");
	assert_non_null(strstr(set.dialects[0].result.upgrade_sql, "CREATE TABLE three"));
	retort_autogen_set_release(&set);
	assert_null(set.dialects);
	retort_autogen_set_release(NULL);

	/* offline: the same change, from the migrations replayed */
	ao.offline = 1;
	must(retort_autogenerate_dialects(&set, p->ctx, &ao), p->ctx, "offline");
	assert_int_equal(set.dialects[0].result.operations.count, 1);
	ro.message = "three";
	ro.rev_id = "cccc0001";
	ro.dialect_sections = set.dialects;
	ro.ndialect_sections = set.count;
	must(retort_revision(&path, p->ctx, &ro), p->ctx, "revision with dialect sections");
	text = read_file(path);
	assert_non_null(strstr(text, "-- +upgrade sqlite\nCREATE TABLE three"));
	assert_non_null(strstr(text, "-- +downgrade sqlite\n"));
	free(text);
	free(path);
	retort_autogen_set_release(&set);
	must(retort_upgrade(p->ctx, "heads", NULL), p->ctx, "upgrade to the new revision");
	must(retort_autogenerate_dialects(&set, p->ctx, NULL), p->ctx, "after the revision");
	assert_int_equal(set.dialects[0].result.operations.count, 0);
	retort_autogen_set_release(&set);

	/* PostgreSQL too, and no server to build its side on */
	put_file(p, "retort.ini", "[retort]\nscript_location = migrations\n"
		 "url = sqlite:///data.db\nschema = schema.sql\ndialects = sqlite, postgresql\n");
	retort_free(p->ctx);
	open_in(&p->ctx, p->dir);
	assert_int_equal(retort_autogenerate_dialects(&set, p->ctx, NULL), RETORT_EUSAGE);
	assert_non_null(strstr(retort_errmsg(p->ctx), "dev_url"));
	assert_int_equal(set.count, 0);
	put_file(p, "retort.ini", "[retort]\nscript_location = migrations\n"
		 "url = sqlite:///data.db\nschema = schema.sql\ndialects = sqlite, oracle\n");
	retort_free(p->ctx);
	open_in(&p->ctx, p->dir);
	assert_int_equal(retort_autogenerate_dialects(&set, p->ctx, NULL), RETORT_ECONFIG);
	assert_non_null(strstr(retort_errmsg(p->ctx), "'oracle'"));
}

static void model(void **state)
{
	project *p = *state;
	retort_autogen ag, zeroed;
	retort_autogen_options zero;
	char *sql = NULL, *svg = NULL, path[1024];
	struct stat st;

	put_file(p, "retort.ini", "[retort]\nscript_location = migrations\n"
		 "url = sqlite:///data.db\nschema = schema.sql\n");
	put_file(p, "schema.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY);\n"
		 "CREATE TABLE two (id INTEGER PRIMARY KEY);\n"
		 "CREATE TABLE three (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n");
	retort_free(p->ctx);
	open_in(&p->ctx, p->dir);
	must(retort_upgrade(p->ctx, "head", NULL), p->ctx, "retort_upgrade");
	must(retort_schema_dump(&sql, p->ctx, NULL), p->ctx, "retort_schema_dump");
	assert_non_null(strstr(sql, "CREATE TABLE one"));
	assert_null(strstr(sql, "retort_version")); /* retort's own tables left out */
	assert_null(strstr(sql, "CREATE TABLE three"));
	free(sql);
	/* the model, not the database */
	must(retort_model_dump(&sql, p->ctx, NULL), p->ctx, "retort_model_dump");
	assert_non_null(strstr(sql, "CREATE TABLE three"));
	free(sql);
	/* the same two as JSON and as a diagram */
	must(retort_schema_render(&sql, p->ctx, "mermaid", NULL, 0), p->ctx, "retort_schema_render");
	/* ("one" is a word of the grammar: quoted) */
	assert_non_null(strstr(sql, "erDiagram\n    \"one\" {\n        INTEGER id PK\n"));
	assert_null(strstr(sql, "three"));
	free(sql);
	must(retort_schema_render(&sql, p->ctx, "json", NULL, RETORT_SCHEMA_MODEL), p->ctx,
	     "retort_schema_render");
	assert_non_null(strstr(sql, "\"source\": \"model\""));
	assert_non_null(strstr(sql, "\"name\": \"three\""));
	free(sql);
	assert_int_equal(retort_schema_render(&sql, p->ctx, "svg", NULL, 0), RETORT_EUSAGE);
	assert_null(sql);
	assert_non_null(strstr(retort_errmsg(p->ctx), "'svg'"));
	/* the dot form drawn by Graphviz, and written in one step */
	must(retort_schema_render(&sql, p->ctx, "dot", NULL, 0), p->ctx, "retort_schema_render");
	must(retort_dot_svg(&svg, p->ctx, sql), p->ctx, "retort_dot_svg");
	assert_int_equal(strncmp(svg, "<svg", 4), 0);
	assert_non_null(strstr(svg, "two"));
	snprintf(path, sizeof(path), "%s/schema.svg", p->dir);
	must(retort_write_file(p->ctx, path, svg, strlen(svg)), p->ctx, "retort_write_file");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal((size_t)st.st_size, strlen(svg));
	free(svg);
	free(sql);
	assert_int_equal(retort_dot_svg(&svg, p->ctx, "digraph {"), RETORT_ERROR);
	assert_null(svg);
	assert_non_null(strstr(retort_errmsg(p->ctx), "dot failed"));
	snprintf(path, sizeof(path), "%s/no/such/folder/x", p->dir);
	assert_true(retort_write_file(p->ctx, path, "x", 1) < 0);
	assert_non_null(strstr(retort_errmsg(p->ctx), "no/such/folder"));
	must(retort_check(&ag, p->ctx), p->ctx, "retort_check");
	assert_int_equal(ag.operations.count, 1);
	assert_non_null(strstr(ag.operations.strings[0], "three"));
	retort_autogen_release(&ag);
	memset(&zero, 0, sizeof(zero));
	assert_int_equal(retort_autogenerate(&zeroed, p->ctx, &zero), RETORT_EUSAGE);
	must(retort_autogenerate(&ag, p->ctx, NULL), p->ctx, "retort_autogenerate");
	assert_non_null(strstr(ag.upgrade_sql, "CREATE TABLE three"));
	assert_non_null(strstr(ag.downgrade_sql, "DROP TABLE three"));
	retort_autogen_release(&ag);
	dialects(p);
}

/* Lint, where this build reads SQL with libpg_query. */
static void lint(void **state)
{
	project *p = *state;
	retort_lint_report report;

	add_rev(p, "aaaa0003", "three");
	if (!retort_has_dialect("postgresql")) {
		assert_int_equal(retort_lint(&report, p->ctx, NULL, "sqlite"), RETORT_ERROR);
		return;
	}
	must(retort_lint(&report, p->ctx, NULL, "all"), p->ctx, "retort_lint");
	assert_int_equal(report.revisions, 3);
	assert_int_equal(report.errors, 0);
	retort_lint_report_release(&report);
	assert_int_equal(report.count, 0);
}

/* A fleet from a tenants file. */
static void fleet(void **state)
{
	project *p = *state;
	retort_tenant_list tenants = { NULL, 0 };
	char path[128];

	put_file(p, "tenants.txt", "# the bots\nbot1 sqlite:///bot1.db\nbot2 sqlite:///bot2.db\n");
	snprintf(path, sizeof(path), "%s/tenants.txt", p->dir);
	must(retort_fleet_tenants(&tenants, p->ctx, path, NULL), p->ctx, "retort_fleet_tenants");
	assert_int_equal(tenants.count, 2);
	assert_string_equal(tenants.tenants[1].name, "bot2");
	must(retort_fleet_run(p->ctx, &tenants, NULL), p->ctx, "retort_fleet_run");
	retort_tenant_list_release(&tenants);
	assert_int_equal(tenants.count, 0);
	snprintf(path, sizeof(path), "%s/bot2.db", p->dir);
	assert_int_equal(access(path, F_OK), 0);
}

/* A backup made before a run, put back. */
static void note_backup(const retort_event *ev, void *payload)
{
	if (ev->type == RETORT_EVENT_BACKUP)
		snprintf(payload, 256, "%s", ev->to);
}

static void backup_and_restore(void **state)
{
	project *p = *state;
	retort_run_options ro = RETORT_RUN_OPTIONS_INIT;
	char file[256] = "";

	must(retort_upgrade(p->ctx, "aaaa0001", NULL), p->ctx, "upgrade aaaa0001");
	ro.backup = 1;
	ro.on_event = note_backup;
	ro.event_payload = file;
	must(retort_upgrade(p->ctx, "head", &ro), p->ctx, "upgrade --backup");
	assert_true(file[0] != '\0');
	must(retort_restore(p->ctx, file, 0), p->ctx, "retort_restore");
	assert_current(p->ctx, "aaaa0001");
	assert_int_equal(retort_restore(p->ctx, "/nonexistent/backup", 0), RETORT_ENOTFOUND);
}

/* dbmate's migrations imported into the project, stamped where its
 * table says the database is. */
static void import(void **state)
{
	project *p = *state;
	retort_import_options io = RETORT_IMPORT_OPTIONS_INIT, zero;
	retort_import_report rep;
	char dir[128], db[128];
	sqlite3 *conn;

	snprintf(dir, sizeof(dir), "%s/dbmate", p->dir);
	assert_int_equal(mkdir(dir, 0777), 0);
	put_file(p, "dbmate/1_a.sql", "-- migrate:up\nCREATE TABLE a (n INT);\n"
		 "-- migrate:down\nDROP TABLE a;\n");
	put_file(p, "dbmate/2_b.sql", "-- migrate:up\nCREATE TABLE b (n INT);\n"
		 "-- migrate:down\nDROP TABLE b;\n");
	put_file(p, "dbmate/notes.sql", "-- not a migration\n");
	/* the project has revisions already */
	assert_int_equal(retort_import(&rep, p->ctx, "dbmate", dir, NULL), RETORT_ECONFLICT);
	assert_int_equal(rep.revisions.count, 0);
	memset(&zero, 0, sizeof(zero));
	assert_int_equal(retort_import(&rep, p->ctx, "dbmate", dir, &zero), RETORT_EUSAGE);
	assert_int_equal(retort_import(&rep, p->ctx, "sqitch", dir, NULL), RETORT_EUSAGE);
	remove_rev(p, "aaaa0002");
	remove_rev(p, "aaaa0001");
	retort_free(p->ctx);
	open_in(&p->ctx, p->dir);

	/* the database as dbmate leaves it after its first migration */
	snprintf(db, sizeof(db), "%s/data.db", p->dir);
	assert_int_equal(sqlite3_open(db, &conn), SQLITE_OK);
	assert_int_equal(sqlite3_exec(conn, "CREATE TABLE a (n INT); CREATE TABLE schema_migrations "
				      "(version varchar(128) primary key); INSERT INTO "
				      "schema_migrations VALUES ('1')", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(conn);
	io.stamp = 1;
	must(retort_import(&rep, p->ctx, "dbmate", dir, &io), p->ctx, "retort_import");
	assert_int_equal(rep.revisions.count, 2);
	assert_string_equal(rep.revisions.strings[1], "2");
	assert_int_equal(rep.paths.count, 2);
	assert_non_null(strstr(rep.paths.strings[0], "/migrations/versions/1_a.sql"));
	assert_int_equal(rep.warnings.count, 1);
	assert_non_null(strstr(rep.warnings.strings[0], "notes.sql: not imported"));
	assert_string_equal(rep.stamped, "1");
	retort_import_report_release(&rep);
	assert_null(rep.stamped);
	retort_import_report_release(NULL);
	assert_current(p->ctx, "1");
	must(retort_upgrade(p->ctx, "head", NULL), p->ctx, "upgrade after the import");
	assert_current(p->ctx, "2");
}

/* The templates of retort_init_project, each of which makes a project. */
static void templates(void **state)
{
	project *p = *state;
	const retort_template *t;
	char dir[128];
	size_t i;

	assert_string_equal(retort_template_at(0)->name, "generic");
	assert_string_equal(retort_template_at(1)->name, "fleet");
	assert_null(retort_template_at(2));
	for (i = 0; (t = retort_template_at(i)) != NULL; i++) {
		assert_true(strlen(t->description) > 10);
		snprintf(dir, sizeof(dir), "%s/made-%s", p->dir, t->name);
		must(retort_init_project(NULL, p->ctx, dir, t->name), p->ctx, t->name);
		strncat(dir, "/retort.ini", sizeof(dir) - strlen(dir) - 1);
		assert_int_equal(access(dir, F_OK), 0);
	}
}

static int collect(const char *data, size_t len, void *payload)
{
	strncat(payload, data, len < 4000 ? len : 4000);
	return 0;
}

/* The version and history tables made, and nothing recorded. */
static void ensure_version(void **state)
{
	project *p = *state;
	retort_run_options ro = RETORT_RUN_OPTIONS_INIT, zero;
	char db[128], script[8192] = "";

	memset(&zero, 0, sizeof(zero));
	snprintf(db, sizeof(db), "%s/data.db", p->dir);
	assert_int_equal(retort_ensure_version(p->ctx, &zero), RETORT_EUSAGE);
	ro.offline = 1;
	assert_int_equal(retort_ensure_version(p->ctx, &ro), RETORT_EUSAGE); /* no write */
	ro.write = collect;
	ro.write_payload = script;
	must(retort_ensure_version(p->ctx, &ro), p->ctx, "retort_ensure_version offline");
	assert_non_null(strstr(script, "CREATE TABLE IF NOT EXISTS \"retort_version\""));
	assert_non_null(strstr(script, "CREATE TABLE IF NOT EXISTS \"retort_history\""));
	assert_null(strstr(script, "INSERT"));
	assert_int_equal(access(db, F_OK), -1); /* offline touches nothing */
	must(retort_ensure_version(p->ctx, NULL), p->ctx, "retort_ensure_version");
	assert_int_equal(access(db, F_OK), 0);
	assert_current(p->ctx, NULL);
	must(retort_upgrade(p->ctx, "aaaa0001", NULL), p->ctx, "upgrade");
	must(retort_ensure_version(p->ctx, NULL), p->ctx, "retort_ensure_version again");
	assert_current(p->ctx, "aaaa0001");
}

/* A context of the project with version_locations set to `folders`. */
static retort *open_locations(project *p, const char *folders, const char *sep, int *rc)
{
	retort_options o = RETORT_OPTIONS_INIT;
	retort_setting set[2] = { { NULL, "version_locations", folders },
				  { NULL, "version_path_separator", sep } };
	retort *ctx;

	o.start_dir = p->dir;
	o.settings = set;
	o.nsettings = sep ? 2 : 1;
	must(retort_new(&ctx), NULL, "retort_new");
	*rc = retort_open(ctx, &o);
	return ctx;
}

static void new_rev(retort *ctx, const char *id, const char *on, const char *folder, char **path)
{
	retort_revision_options r = RETORT_REVISION_OPTIONS_INIT;
	int rc;

	r.message = id;
	r.rev_id = id;
	r.heads = &on;
	r.nheads = on ? 1 : 0;
	r.version_path = folder;
	rc = retort_revision(path, ctx, &r);
	if (rc < 0)
		*path = NULL;
}

/* Several version folders: where new revisions go, what is read. */
static void version_locations(void **state)
{
	project *p = *state;
	retort_revlist heads = { NULL, 0 };
	char *path, copy[256], from[256];
	retort *ctx;
	int rc;

	ctx = open_locations(p, "v1, v2", NULL, &rc);
	must(rc, ctx, "retort_open with version_locations");
	/* migrations/versions is not one of them: no revision yet */
	must(retort_heads(&heads, ctx), ctx, "retort_heads");
	assert_int_equal(heads.count, 0);
	new_rev(ctx, "cccc0001", "base", NULL, &path);
	assert_null(path);
	assert_non_null(strstr(retort_errmsg(ctx), "--version-path"));
	new_rev(ctx, "cccc0001", "base", "v1", &path);
	assert_non_null(path);
	assert_non_null(strstr(path, "/v1/cccc0001_cccc0001.sql"));
	free(path);
	new_rev(ctx, "cccc0002", "cccc0001", NULL, &path); /* its parent's folder */
	assert_non_null(strstr(path, "/v1/cccc0002_cccc0002.sql"));
	free(path);
	new_rev(ctx, "dddd0001", "base", "v2", &path);
	assert_non_null(strstr(path, "/v2/dddd0001_dddd0001.sql"));
	free(path);
	new_rev(ctx, "eeee0001", "base", "migrations/versions", &path);
	assert_null(path);
	assert_non_null(strstr(retort_errmsg(ctx), "is not a version folder"));
	must(retort_heads(&heads, ctx), ctx, "retort_heads");
	assert_int_equal(heads.count, 2);
	retort_revlist_release(&heads);
	retort_free(ctx);

	/* an id in both folders names both files */
	snprintf(copy, sizeof(copy), "%s/v2/cccc0001_again.sql", p->dir);
	snprintf(from, sizeof(from), "%s/v1/cccc0001_cccc0001.sql", p->dir);
	assert_int_equal(link(from, copy), 0);
	ctx = open_locations(p, "v1:v2", "os", &rc);
	must(rc, ctx, "retort_open with os");
	assert_int_equal(retort_load(ctx), RETORT_EINVALID);
	assert_non_null(strstr(retort_errmsg(ctx), "/v1/cccc0001_cccc0001.sql"));
	assert_non_null(strstr(retort_errmsg(ctx), "/v2/cccc0001_again.sql"));
	retort_free(ctx);
	ctx = open_locations(p, "v1", "tab", &rc);
	assert_int_equal(rc, RETORT_ECONFIG);
	assert_non_null(strstr(retort_errmsg(ctx), "version_path_separator"));
	retort_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(global_init_first),
		cmocka_unit_test_setup_teardown(graph_accessors, setup, teardown),
		cmocka_unit_test_setup_teardown(pending_and_result, setup, teardown),
		cmocka_unit_test_setup_teardown(urls_secrets_and_log, setup, teardown),
		cmocka_unit_test_setup_teardown(model, setup, teardown),
		cmocka_unit_test_setup_teardown(lint, setup, teardown),
		cmocka_unit_test_setup_teardown(fleet, setup, teardown),
		cmocka_unit_test_setup_teardown(backup_and_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(import, setup, teardown),
		cmocka_unit_test_setup_teardown(templates, setup, teardown),
		cmocka_unit_test_setup_teardown(ensure_version, setup, teardown),
		cmocka_unit_test_setup_teardown(version_locations, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
