/*
 * test_migrate.c - the planner and runner (migrate.c) through the public
 * API, on real SQLite files: upgrade, downgrade and stamp over linear,
 * branched, merged and depends_on graphs; refused requests that must leave
 * the database alone; events; offline scripts; a failing statement.
 */
#define _GNU_SOURCE /* nftw */
#include "rt_test.h"

#include <fcntl.h>
#include <ftw.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- a project in a scratch folder ---------------------------------------- */

typedef struct proj {
	char *dir;
	char *ini;
	char *versions;
	char *db;        /* test.db, where the ini's url points */
	retort *ctx;
	rt_buf events;   /* what on_event saw, one line per event */
	rt_buf script;   /* what the offline write callback got */
	int fail_write;  /* the write callback refuses */
	char *spoil;     /* a file the write callback overwrites once, */
	const char *spoil_text; /* with this */
} proj;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static char *path_in(const char *dir, const char *name)
{
	rt_buf b = RT_BUF_INIT;

	rt_buf_printf(&b, "%s/%s", dir, name);
	return rt_buf_detach(&b);
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/rt_test_migrate.XXXXXX";
	proj *p = calloc(1, sizeof(*p));
	char *mig;

	if (!p || !mkdtemp(tmpl))
		return -1;
	p->dir = rt_strdup(tmpl);
	p->ini = path_in(p->dir, "retort.ini");
	p->db = path_in(p->dir, "test.db");
	mig = path_in(p->dir, "migrations");
	p->versions = path_in(mig, "versions");
	rt_buf_init(&p->events);
	rt_buf_init(&p->script);
	if (mkdir(mig, 0777) < 0 || mkdir(p->versions, 0777) < 0)
		return -1;
	free(mig);
	write_text(p->ini,
		   "[retort]\n"
		   "script_location = migrations\n"
		   "url = sqlite:///test.db\n"
		   "log_file = retort.log\n");
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	proj *p = *state;

	retort_free(p->ctx);
	nftw(p->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(p->dir);
	free(p->ini);
	free(p->versions);
	free(p->db);
	free(p->spoil);
	rt_buf_release(&p->events);
	rt_buf_release(&p->script);
	free(p);
	return 0;
}

/* A revision file "<id>_m.sql".  The upgrade body starts on line 8. */
static void add_rev(proj *p, const char *id, const char *down, const char *labels,
		    const char *deps, const char *up_sql, const char *down_sql)
{
	rt_buf name = RT_BUF_INIT, text = RT_BUF_INIT;
	char *path;

	rt_buf_printf(&name, "%s_m.sql", id);
	rt_buf_printf(&text,
		      "-- Revision %s\n"
		      "-- revision: %s\n"
		      "-- down_revision: %s\n"
		      "-- branch_labels: %s\n"
		      "-- depends_on: %s\n"
		      "\n"
		      "-- +upgrade\n"
		      "%s\n"
		      "-- +downgrade\n"
		      "%s\n",
		      id, id, down ? down : "", labels ? labels : "", deps ? deps : "",
		      up_sql, down_sql);
	path = path_in(p->versions, name.ptr);
	write_text(path, text.ptr);
	free(path);
	rt_buf_release(&name);
	rt_buf_release(&text);
}

/* A revision creating table t<id> and dropping it again. */
static void add_table_rev(proj *p, const char *id, const char *down, const char *labels,
			  const char *deps)
{
	rt_buf up = RT_BUF_INIT, dn = RT_BUF_INIT;

	rt_buf_printf(&up, "CREATE TABLE t%s (id INTEGER PRIMARY KEY);", id);
	rt_buf_printf(&dn, "DROP TABLE t%s;", id);
	add_rev(p, id, down, labels, deps, up.ptr, dn.ptr);
	rt_buf_release(&up);
	rt_buf_release(&dn);
}

/* The project's context, opened on first use; reopen() after files change. */
static retort *ctx(proj *p)
{
	retort_options opts = RETORT_OPTIONS_INIT;

	if (!p->ctx) {
		assert_int_equal(retort_new(&p->ctx), 0);
		opts.config_path = p->ini;
		assert_rt_ok(retort_open(p->ctx, &opts), p->ctx);
	}
	return p->ctx;
}

static void reopen(proj *p)
{
	retort_free(p->ctx);
	p->ctx = NULL;
	ctx(p);
}

static void on_event(const retort_event *ev, void *payload)
{
	proj *p = payload;
	const char *dir = ev->direction == RETORT_DOWN ? "down" : "up";

	switch (ev->type) {
	case RETORT_EVENT_START:
		assert_non_null(ev->rev);
		rt_buf_printf(&p->events, "start %s %s\n", dir, retort_rev_id(ev->rev));
		break;
	case RETORT_EVENT_DONE:
		assert_non_null(ev->rev);
		assert_true(ev->elapsed_ms >= 0);
		rt_buf_printf(&p->events, "done %s %s: '%s' -> '%s'\n", dir, retort_rev_id(ev->rev),
			      ev->from, ev->to);
		break;
	case RETORT_EVENT_FAILED:
		rt_buf_printf(&p->events, "failed %s\n", ev->rev ? retort_rev_id(ev->rev) : "?");
		break;
	case RETORT_EVENT_STAMP:
		rt_buf_printf(&p->events, "stamp '%s'\n", ev->to ? ev->to : "(null)");
		break;
	case RETORT_EVENT_NOTHING:
		rt_buf_puts(&p->events, "nothing\n");
		break;
	case RETORT_EVENT_WAITING:
		rt_buf_puts(&p->events, "waiting\n");
		break;
	case RETORT_EVENT_BACKUP:
		rt_buf_printf(&p->events, "backup '%s'\n", ev->to);
		break;
	case RETORT_EVENT_STATEMENT:
		assert_non_null(ev->rev);
		assert_true(ev->elapsed_ms >= 0);
		rt_buf_printf(&p->events, "statement %s '%s' at %s\n", retort_rev_id(ev->rev),
			      ev->from, strrchr(ev->to, '/') + 1);
		break;
	}
}

static int on_write(const char *data, size_t len, void *payload)
{
	proj *p = payload;

	if (p->fail_write)
		return 1;
	if (p->spoil) {
		write_text(p->spoil, p->spoil_text);
		free(p->spoil);
		p->spoil = NULL;
	}
	rt_buf_put(&p->script, data, len);
	return 0;
}

static retort_run_options run_opts(proj *p)
{
	retort_run_options o = RETORT_RUN_OPTIONS_INIT;

	o.on_event = on_event;
	o.event_payload = p;
	o.write = on_write;
	o.write_payload = p;
	return o;
}

static int upgrade(proj *p, const char *target)
{
	retort_run_options o = run_opts(p);

	rt_buf_clear(&p->events);
	return retort_upgrade(ctx(p), target, &o);
}

static int downgrade(proj *p, const char *target)
{
	retort_run_options o = run_opts(p);

	rt_buf_clear(&p->events);
	return retort_downgrade(ctx(p), target, &o);
}

static int stamp(proj *p, const char *target, int purge)
{
	retort_run_options o = run_opts(p);

	o.purge = purge;
	rt_buf_clear(&p->events);
	return retort_stamp(ctx(p), target, &o);
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("'%s' does not contain '%s'", haystack, needle);
}

/* ---- looking into a database with sqlite3 itself ---------------------- */

/* Rows of `sql` (column 0), joined by `sep`.  A file that does not exist
 * reads as "(no file)"; a failing query as "(error)". */
static const char *query(const char *db, const char *sql, const char *sep)
{
	static char bufs[4][8192];
	static int k;
	char *buf = bufs[k++ % 4];
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	rt_buf b = RT_BUF_INIT;

	if (access(db, F_OK) != 0)
		return "(no file)";
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
		rt_buf_puts(&b, "(error)");
	} else {
		int n = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			const unsigned char *v = sqlite3_column_text(st, 0);
			rt_buf_printf(&b, "%s%s", n++ ? sep : "", v ? (const char *)v : "NULL");
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	assert_true(b.len < sizeof(bufs[0]));
	memcpy(buf, b.ptr, b.len + 1);
	rt_buf_release(&b);
	return buf;
}

/* The version rows, sorted, comma separated ("(error)" without a table). */
static const char *rows_of(const char *db)
{
	return query(db, "SELECT version_num FROM retort_version ORDER BY 1", ",");
}

static const char *rows(proj *p)
{
	return rows_of(p->db);
}

/* The tables, but for the history table, which every run writes to and
 * which the safety tests check on their own. */
static const char *tables_of(const char *db)
{
	return query(db, "SELECT name FROM sqlite_master WHERE type = 'table' "
		     "AND name <> 'retort_history' ORDER BY 1", ",");
}

static const char *tables(proj *p)
{
	return tables_of(p->db);
}

/* Everything sqlite_master holds, for "nothing changed" checks. */
static const char *schema_of(const char *db)
{
	return query(db,
		     "SELECT type || ' ' || name || ' ' || tbl_name || ' ' || "
		     "coalesce(sql, '') FROM sqlite_master ORDER BY type, name", "\n");
}

static const char *schema(proj *p)
{
	return schema_of(p->db);
}

static void exec_sql(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("sqlite3_exec: %s", msg);
	sqlite3_close(h);
}

/* retort_current(), sorted and comma separated. */
static const char *current(proj *p)
{
	static char buf[1024];
	retort_strarray cur;
	rt_buf b = RT_BUF_INIT;
	size_t i, j;

	assert_rt_ok(retort_current(&cur, ctx(p)), ctx(p));
	for (i = 1; i < cur.count; i++)
		for (j = i; j > 0 && strcmp(cur.strings[j - 1], cur.strings[j]) > 0; j--) {
			char *t = cur.strings[j];
			cur.strings[j] = cur.strings[j - 1];
			cur.strings[j - 1] = t;
		}
	for (i = 0; i < cur.count; i++)
		rt_buf_printf(&b, "%s%s", i ? "," : "", cur.strings[i]);
	retort_strarray_release(&cur);
	assert_null(cur.strings);
	snprintf(buf, sizeof(buf), "%s", b.ptr);
	rt_buf_release(&b);
	return buf;
}

static void linear3(proj *p)
{
	add_table_rev(p, "a1", NULL, NULL, NULL);
	add_table_rev(p, "a2", "a1", NULL, NULL);
	add_table_rev(p, "a3", "a2", NULL, NULL);
}

/* Two branches from two bases: x1 (label xb) -- x2, y1 (label yb) -- y2. */
static void two_branches(proj *p)
{
	add_table_rev(p, "x1", NULL, "xb", NULL);
	add_table_rev(p, "x2", "x1", NULL, NULL);
	add_table_rev(p, "y1", NULL, "yb", NULL);
	add_table_rev(p, "y2", "y1", NULL, NULL);
}

/* ---- process set-up --------------------------------------------------------- */

/* Runs first in this program, before anything touched SQLite. */
static void test_global_init(void **state)
{
	proj *p = *state;

	assert_int_equal(retort_global_init(), 0);
	linear3(p);
	assert_rt_ok(upgrade(p, NULL), ctx(p));
	assert_string_equal(rows(p), "a3");
	/* memory statistics are off: SQLite counts nothing */
	assert_int_equal(sqlite3_memory_used(), 0);
	/* too late once SQLite is initialised: refused, and harmless */
	assert_int_equal(retort_global_init(), RETORT_ERROR);
	assert_rt_ok(downgrade(p, "base"), ctx(p));
	assert_string_equal(rows(p), "");
}

/* ---- linear -------------------------------------------------------------- */

static void test_linear_up_and_down(void **state)
{
	proj *p = *state;

	linear3(p);
	/* nothing touched the database yet */
	assert_string_equal(current(p), "");
	assert_rt_ok(upgrade(p, NULL), ctx(p));
	assert_string_equal(rows(p), "a3");
	assert_string_equal(current(p), "a3");
	assert_string_equal(tables(p), "retort_version,ta1,ta2,ta3");

	assert_rt_ok(downgrade(p, "-1"), ctx(p));
	assert_string_equal(rows(p), "a2");
	assert_string_equal(tables(p), "retort_version,ta1,ta2");

	assert_rt_ok(downgrade(p, "base"), ctx(p));
	assert_string_equal(rows(p), "");
	assert_string_equal(current(p), "");
	assert_string_equal(tables(p), "retort_version");

	assert_rt_ok(upgrade(p, "head"), ctx(p));
	assert_string_equal(rows(p), "a3");
	assert_rt_ok(downgrade(p, "-2"), ctx(p));
	assert_string_equal(rows(p), "a1");
	assert_string_equal(tables(p), "retort_version,ta1");

	/* downgrade needs a target */
	assert_rt_fails(retort_downgrade(ctx(p), NULL, NULL), RETORT_EUSAGE);
	assert_rt_fails(retort_downgrade(ctx(p), "", NULL), RETORT_EUSAGE);
	assert_string_equal(rows(p), "a1");
}

static void test_relative_and_explicit(void **state)
{
	proj *p = *state;

	linear3(p);
	assert_rt_ok(upgrade(p, "+1"), ctx(p));
	assert_string_equal(rows(p), "a1");
	assert_rt_ok(upgrade(p, "+2"), ctx(p));
	assert_string_equal(rows(p), "a3");
	assert_rt_ok(downgrade(p, "a1"), ctx(p));
	assert_string_equal(rows(p), "a1");
	assert_string_equal(tables(p), "retort_version,ta1");
	assert_rt_ok(upgrade(p, "a2"), ctx(p));
	assert_string_equal(rows(p), "a2");
	/* a prefix and REV+N */
	assert_rt_ok(upgrade(p, "a1+2"), ctx(p));
	assert_string_equal(rows(p), "a3");
	assert_rt_fails(upgrade(p, "+1"), RETORT_ENOTFOUND);
	assert_string_equal(rows(p), "a3");
}

static void test_upgrade_below_current_conflicts(void **state)
{
	proj *p = *state;
	char *before;

	linear3(p);
	assert_rt_ok(upgrade(p, "a2"), ctx(p));
	before = rt_strdup(schema(p));
	assert_rt_fails(upgrade(p, "a1"), RETORT_ECONFLICT);
	assert_contains(retort_errmsg(ctx(p)), "'a1'");
	assert_contains(retort_errmsg(ctx(p)), "downgrade");
	assert_contains(retort_errmsg(ctx(p)), "'a2'");
	assert_string_equal(rows(p), "a2");
	assert_string_equal(schema(p), before);
	assert_string_equal(p->events.ptr, "");
	/* base is below too */
	assert_rt_fails(upgrade(p, "a2-1"), RETORT_ECONFLICT);
	assert_string_equal(schema(p), before);
	/* the current revision itself is nothing to do, not a conflict */
	assert_rt_ok(upgrade(p, "a2"), ctx(p));
	assert_string_equal(p->events.ptr, "nothing\n");
	assert_string_equal(rows(p), "a2");
	free(before);
}

static void test_downgrade_to_unapplied_conflicts(void **state)
{
	proj *p = *state;
	char *before;

	linear3(p);
	assert_rt_ok(upgrade(p, "a1"), ctx(p));
	before = rt_strdup(schema(p));
	assert_rt_fails(downgrade(p, "a3"), RETORT_ECONFLICT);
	assert_contains(retort_errmsg(ctx(p)), "'a3'");
	assert_contains(retort_errmsg(ctx(p)), "not applied");
	assert_string_equal(rows(p), "a1");
	assert_string_equal(schema(p), before);
	assert_string_equal(p->events.ptr, "");
	/* downgrading to where the database is does nothing */
	assert_rt_ok(downgrade(p, "a1"), ctx(p));
	assert_string_equal(p->events.ptr, "nothing\n");
	assert_string_equal(schema(p), before);
	/* -2 from a1 goes past base */
	assert_rt_fails(downgrade(p, "-2"), RETORT_ENOTFOUND);
	assert_string_equal(schema(p), before);
	free(before);
}

/* ---- branches and merges ------------------------------------------------- */

static void test_branches_and_merge(void **state)
{
	proj *p = *state;

	two_branches(p);
	/* two heads: "head" is ambiguous and nothing is created */
	assert_rt_fails(upgrade(p, "head"), RETORT_EAMBIGUOUS);
	assert_contains(retort_errmsg(ctx(p)), "'x2'");
	assert_contains(retort_errmsg(ctx(p)), "'y2'");
	assert_null(strstr(tables(p), "tx1"));

	assert_rt_ok(upgrade(p, "xb@head"), ctx(p));
	assert_string_equal(rows(p), "x2");
	assert_rt_ok(upgrade(p, "yb@+1"), ctx(p));
	assert_string_equal(rows(p), "x2,y1");
	assert_rt_ok(upgrade(p, "heads"), ctx(p));
	assert_string_equal(rows(p), "x2,y2");
	assert_string_equal(current(p), "x2,y2");
	assert_string_equal(tables(p), "retort_version,tx1,tx2,ty1,ty2");

	/* a merge revision joins the two heads into one row */
	add_table_rev(p, "mm", "x2, y2", NULL, NULL);
	reopen(p);
	assert_rt_ok(upgrade(p, "head"), ctx(p));
	assert_string_equal(rows(p), "mm");
	assert_string_equal(p->events.ptr, "start up mm\ndone up mm: 'x2, y2' -> 'mm'\n");
	assert_string_equal(tables(p), "retort_version,tmm,tx1,tx2,ty1,ty2");

	/* -1 from a merge is an ambiguous walk (as in Alembic); down to one
	 * parent gives both parents back */
	assert_int_equal(downgrade(p, "-1"), RETORT_EAMBIGUOUS);
	assert_string_equal(rows(p), "mm");
	assert_rt_ok(downgrade(p, "x2"), ctx(p));
	assert_string_equal(rows(p), "x2,y2");
	assert_string_equal(tables(p), "retort_version,tx1,tx2,ty1,ty2");

	/* one branch down to its base, the other stays */
	assert_rt_ok(downgrade(p, "yb@base"), ctx(p));
	assert_string_equal(rows(p), "x2");
	assert_string_equal(tables(p), "retort_version,tx1,tx2");

	/* upgrading through the merge from one branch applies the other */
	assert_rt_ok(upgrade(p, "mm"), ctx(p));
	assert_string_equal(rows(p), "mm");
	assert_string_equal(tables(p), "retort_version,tmm,tx1,tx2,ty1,ty2");

	assert_rt_ok(downgrade(p, "base"), ctx(p));
	assert_string_equal(rows(p), "");
	assert_string_equal(tables(p), "retort_version");
}

static void test_branch_point(void **state)
{
	proj *p = *state;

	add_table_rev(p, "p0", NULL, NULL, NULL);
	add_table_rev(p, "pa", "p0", NULL, NULL);
	add_table_rev(p, "pb", "p0", NULL, NULL);
	assert_rt_ok(upgrade(p, "heads"), ctx(p));
	assert_string_equal(rows(p), "pa,pb");
	assert_string_equal(tables(p), "retort_version,tp0,tpa,tpb");

	/* -1 on one branch: the other row keeps p0 applied */
	assert_rt_ok(downgrade(p, "pa@-1"), ctx(p));
	assert_string_equal(rows(p), "pb");
	assert_string_equal(tables(p), "retort_version,tp0,tpb");

	/* downgrade to the branch point, then up one branch at a time */
	assert_rt_ok(downgrade(p, "p0"), ctx(p));
	assert_string_equal(rows(p), "p0");
	assert_rt_ok(upgrade(p, "pa"), ctx(p));
	assert_string_equal(rows(p), "pa");
	assert_rt_ok(upgrade(p, "pb"), ctx(p));
	assert_string_equal(rows(p), "pa,pb");
	/* "-1" cannot choose between the two rows */
	assert_rt_fails(downgrade(p, "-1"), RETORT_EAMBIGUOUS);
	assert_string_equal(rows(p), "pa,pb");
	assert_rt_ok(downgrade(p, "base"), ctx(p));
	assert_string_equal(rows(p), "");
	assert_string_equal(tables(p), "retort_version");
}

static void test_depends_on(void **state)
{
	proj *p = *state;

	/* tb2 is built from ta1: it fails unless a1 ran first, and its
	 * downgrade reads ta1, so a1 must be reverted after it */
	add_table_rev(p, "a1", NULL, "alpha", NULL);
	add_table_rev(p, "a2", "a1", NULL, NULL);
	add_table_rev(p, "b1", NULL, "beta", NULL);
	add_rev(p, "b2", "b1", NULL, "a1", "CREATE TABLE tb2 AS SELECT * FROM ta1;",
		"DROP TABLE tb2;\nSELECT count(*) FROM ta1;");

	assert_rt_ok(upgrade(p, "beta@head"), ctx(p));
	assert_string_equal(tables(p), "retort_version,ta1,tb1,tb2");
	assert_non_null(strstr(p->events.ptr, "done up a1"));
	assert_true(strstr(p->events.ptr, "done up a1") < strstr(p->events.ptr, "done up b2"));
	assert_null(strstr(p->events.ptr, "a2"));
	assert_non_null(strstr(rows(p), "b2"));
	assert_null(strstr(rows(p), "b1"));

	/* a1 counts as applied: alpha@head runs a2 alone */
	assert_rt_ok(upgrade(p, "alpha@head"), ctx(p));
	assert_string_equal(p->events.ptr, "start up a2\ndone up a2: 'a1' -> 'a2'\n");
	assert_string_equal(tables(p), "retort_version,ta1,ta2,tb1,tb2");
	assert_string_equal(rows(p), "a2,b2");

	/* downgrading to a1 removes a2 only: b2 depends on a1, which stays */
	assert_rt_ok(downgrade(p, "a1"), ctx(p));
	assert_string_equal(p->events.ptr, "start down a2\ndone down a2: 'a2' -> 'a1'\n");
	assert_string_equal(tables(p), "retort_version,ta1,tb1,tb2");
	assert_non_null(strstr(rows(p), "b2"));
	assert_null(strstr(rows(p), "a2"));
	assert_rt_ok(upgrade(p, "alpha@head"), ctx(p));
	assert_string_equal(p->events.ptr, "start up a2\ndone up a2: 'a1' -> 'a2'\n");
	assert_string_equal(rows(p), "a2,b2");

	/* removing alpha removes what depends on it, first */
	assert_rt_ok(downgrade(p, "alpha@base"), ctx(p));
	assert_string_equal(tables(p), "retort_version,tb1");
	assert_string_equal(rows(p), "b1");
	assert_true(strstr(p->events.ptr, "done down b2") < strstr(p->events.ptr, "done down a1"));
}

/* ---- stamp ----------------------------------------------------------------------- */

static void test_stamp(void **state)
{
	proj *p = *state;

	linear3(p);
	assert_rt_ok(stamp(p, "a2", 0), ctx(p));
	assert_string_equal(rows(p), "a2");
	/* no migration ran */
	assert_string_equal(tables(p), "retort_version");
	assert_string_equal(p->events.ptr, "stamp 'a2'\n");
	assert_rt_ok(stamp(p, "head", 0), ctx(p));
	assert_string_equal(rows(p), "a3");
	assert_rt_ok(stamp(p, "a1", 0), ctx(p));
	assert_string_equal(rows(p), "a1");
	assert_rt_ok(stamp(p, "base", 0), ctx(p));
	assert_string_equal(rows(p), "");
	assert_rt_fails(retort_stamp(ctx(p), NULL, NULL), RETORT_EUSAGE);
	assert_rt_fails(stamp(p, "nope", 0), RETORT_ENOTFOUND);
	assert_string_equal(rows(p), "");

	/* a row no file knows: refused, unless purged */
	exec_sql(p->db, "INSERT INTO retort_version VALUES ('feedface');");
	assert_rt_fails(stamp(p, "a1", 0), RETORT_EUNKNOWNREV);
	assert_contains(retort_errmsg(ctx(p)), "'feedface'");
	assert_string_equal(rows(p), "feedface");
	assert_rt_fails(upgrade(p, "head"), RETORT_EUNKNOWNREV);
	assert_string_equal(tables(p), "retort_version");
	assert_rt_ok(stamp(p, "a1", 1), ctx(p));
	assert_string_equal(rows(p), "a1");
	assert_string_equal(tables(p), "retort_version");
	/* after the stamp, upgrade runs from there */
	assert_rt_ok(upgrade(p, "head"), ctx(p));
	assert_string_equal(tables(p), "retort_version,ta2,ta3");
	assert_string_equal(rows(p), "a3");
}

static void test_stamp_branches(void **state)
{
	proj *p = *state;

	two_branches(p);
	assert_rt_ok(stamp(p, "x2", 0), ctx(p));
	assert_string_equal(rows(p), "x2");
	/* an unrelated branch keeps the other row */
	assert_rt_ok(stamp(p, "y1", 0), ctx(p));
	assert_string_equal(rows(p), "x2,y1");
	/* a related revision replaces its branch's row */
	assert_rt_ok(stamp(p, "x1", 0), ctx(p));
	assert_string_equal(rows(p), "x1,y1");
	assert_rt_ok(stamp(p, "yb@head", 0), ctx(p));
	assert_string_equal(rows(p), "x1,y2");
	/* purge: only the target remains */
	assert_rt_ok(stamp(p, "y1", 1), ctx(p));
	assert_string_equal(rows(p), "y1");
	assert_rt_ok(stamp(p, "heads", 0), ctx(p));
	assert_string_equal(rows(p), "x2,y2");
	assert_string_equal(tables(p), "retort_version");
}

/* ---- events -------------------------------------------------------------------------- */

static void test_events(void **state)
{
	proj *p = *state;

	linear3(p);
	assert_rt_ok(upgrade(p, "head"), ctx(p));
	assert_string_equal(p->events.ptr,
			    "start up a1\n"
			    "done up a1: '' -> 'a1'\n"
			    "start up a2\n"
			    "done up a2: 'a1' -> 'a2'\n"
			    "start up a3\n"
			    "done up a3: 'a2' -> 'a3'\n");
	assert_rt_ok(upgrade(p, "head"), ctx(p));
	assert_string_equal(p->events.ptr, "nothing\n");
	assert_rt_ok(downgrade(p, "base"), ctx(p));
	assert_string_equal(p->events.ptr,
			    "start down a3\n"
			    "done down a3: 'a3' -> 'a2'\n"
			    "start down a2\n"
			    "done down a2: 'a2' -> 'a1'\n"
			    "start down a1\n"
			    "done down a1: 'a1' -> ''\n");
	/* no options at all is fine */
	assert_rt_ok(retort_upgrade(ctx(p), "a1", NULL), ctx(p));
	assert_string_equal(rows(p), "a1");
}

/* ---- offline ------------------------------------------------------------------------- */

static void test_offline_upgrade(void **state)
{
	proj *p = *state;
	retort_run_options o;
	char *offline_db = path_in(p->dir, "offline.db");
	char *online_tables, *online_schema;

	linear3(p);
	o = run_opts(p);
	o.offline = 1;
	assert_rt_ok(retort_upgrade(ctx(p), "head", &o), ctx(p));
	/* no connection was made */
	assert_int_equal(access(p->db, F_OK), -1);
	assert_contains(p->script.ptr, "CREATE TABLE ta1");
	assert_contains(p->script.ptr, "CREATE TABLE ta3");
	assert_contains(p->script.ptr, "retort_version");
	assert_contains(p->script.ptr, "INSERT INTO");
	assert_contains(p->script.ptr, "'a1'");
	assert_contains(p->script.ptr, "'a2'");
	assert_contains(p->script.ptr, "'a3'");
	assert_null(strstr(p->script.ptr, "DROP TABLE"));

	/* the script gives what the online run gives */
	exec_sql(offline_db, p->script.ptr);
	assert_rt_ok(upgrade(p, "head"), ctx(p));
	online_tables = rt_strdup(tables(p));
	online_schema = rt_strdup(schema(p));
	assert_string_equal(tables_of(offline_db), online_tables);
	assert_string_equal(rows_of(offline_db), "a3");
	assert_string_equal(rows(p), "a3");
	assert_string_equal(schema_of(offline_db), online_schema);

	/* offline downgrade FROM:TO */
	rt_buf_clear(&p->script);
	assert_rt_ok(retort_downgrade(ctx(p), "a3:a1", &o), ctx(p));
	assert_contains(p->script.ptr, "DROP TABLE ta3");
	assert_contains(p->script.ptr, "DROP TABLE ta2");
	assert_null(strstr(p->script.ptr, "DROP TABLE ta1"));
	assert_true(strstr(p->script.ptr, "DROP TABLE ta3") < strstr(p->script.ptr, "DROP TABLE ta2"));
	exec_sql(offline_db, p->script.ptr);
	assert_string_equal(rows_of(offline_db), "a1");
	assert_string_equal(tables_of(offline_db), "retort_version,ta1");
	/* the online database was not touched */
	assert_string_equal(rows(p), "a3");

	/* offline downgrade without FROM cannot know where to start */
	rt_buf_clear(&p->script);
	assert_rt_fails(retort_downgrade(ctx(p), "-1", &o), RETORT_EUSAGE);
	/* a refusing sink fails the run */
	p->fail_write = 1;
	assert_rt_fails(retort_upgrade(ctx(p), "head", &o), RETORT_ERROR);

	free(online_tables);
	free(online_schema);
	free(offline_db);
}

/* A plan whose files are more than the offline writer holds (16 MiB): the
 * later ones are read again as they are written, yet a broken last file
 * still stops the script before a byte of it is written. */
static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0, len = strlen(needle), end = strlen(hay), i;

	/* not strstr in a loop: ASan's strstr measures the whole rest of
	 * the 21 MiB script on each call */
	for (i = 0; i + len <= end; i++)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, len)) {
			n++;
			i += len - 1;
		}
	return n;
}

static void test_offline_big_plan(void **state)
{
	static const char line[] = "-- padding padding padding padding padding padding\n";
	proj *p = *state;
	retort_run_options o = run_opts(p);
	rt_buf pad = RT_BUF_INIT, up = RT_BUF_INIT;
	const char *ids[] = { "b1", "b2", "b3" }, *at;
	size_t i;

	/* 7 MiB of comment lines before each CREATE TABLE */
	while (pad.len < (7u << 20))
		rt_buf_puts(&pad, line);
	for (i = 0; i < 3; i++) {
		rt_buf_clear(&up);
		rt_buf_printf(&up, "%sCREATE TABLE t%s (id INTEGER);", pad.ptr, ids[i]);
		add_rev(p, ids[i], i ? ids[i - 1] : NULL, NULL, NULL, up.ptr, "SELECT 1;");
	}
	add_rev(p, "b4", "b3", NULL, NULL, "-- +unfinished not written yet\nSELECT 1;",
		"SELECT 1;");
	o.offline = 1;
	assert_rt_fails(retort_upgrade(ctx(p), "head", &o), RETORT_EINVALID);
	assert_contains(retort_errmsg(ctx(p)), "the upgrade of 'b4' is unfinished");
	assert_int_equal(p->script.len, 0);

	add_rev(p, "b4", "b3", NULL, NULL, "CREATE TABLE tb4 (id INTEGER);", "SELECT 1;");
	assert_rt_ok(retort_upgrade(ctx(p), "head", &o), ctx(p));
	assert_true(p->script.len > 3 * pad.len);
	/* every step once, in order, the re-read ones whole */
	at = p->script.ptr;
	for (i = 0; i < 3; i++) {
		rt_buf_clear(&up);
		rt_buf_printf(&up, "padding padding\nCREATE TABLE t%s (id INTEGER);", ids[i]);
		assert_non_null(at = strstr(at, up.ptr));
	}
	assert_non_null(strstr(at, "CREATE TABLE tb4"));
	assert_int_equal(count_of(p->script.ptr, line) * strlen(line), 3 * pad.len);

	/* b4 is not held: broken after the check, it is read again and
	 * fails, and the script written so far is said to be incomplete */
	rt_buf_clear(&p->script);
	p->spoil = path_in(p->versions, "b4_m.sql");
	p->spoil_text = "-- Revision b4\n-- revision: b4\n-- down_revision: b3\n\n"
			"-- +upgrade\n-- +unfinished spoilt\nSELECT 1;\n";
	assert_rt_fails(retort_upgrade(ctx(p), "head", &o), RETORT_EINVALID);
	assert_contains(retort_errmsg(ctx(p)), "the upgrade of 'b4' is unfinished");
	assert_contains(retort_errmsg(ctx(p)), "b4_m.sql' changed after it was checked, while "
			"the script was written: the script is incomplete");
	assert_non_null(strstr(p->script.ptr, "CREATE TABLE tb1"));
	assert_null(strstr(p->script.ptr, "CREATE TABLE tb4"));
	rt_buf_release(&pad);
	rt_buf_release(&up);
}

/* ---- a failing statement ------------------------------------------------------------- */

/* The summary of the last run: rows before and after, and the steps it
 * applied, in order; a failed run lists what it committed. */
static void test_run_result(void **state)
{
	proj *p = *state;
	retort_run_summary sum;

	add_table_rev(p, "r1", NULL, NULL, NULL);
	add_table_rev(p, "r2", "r1", NULL, NULL);
	add_rev(p, "r3", "r2", NULL, NULL, "INSERT INTO missing_tbl VALUES (1);", "SELECT 1;");
	assert_rt_ok(upgrade(p, "r2"), ctx(p));
	assert_rt_ok(retort_run_result(&sum, ctx(p)), ctx(p));
	assert_int_equal(sum.from.count, 0);
	assert_int_equal(sum.to.count, 1);
	assert_string_equal(sum.to.strings[0], "r2");
	assert_int_equal(sum.steps.count, 2);
	assert_string_equal(sum.steps.strings[0], "r1");
	assert_string_equal(sum.steps.strings[1], "r2");
	retort_run_summary_release(&sum);

	assert_rt_fails(upgrade(p, "head"), RETORT_ESTATEMENT);
	assert_rt_ok(retort_run_result(&sum, ctx(p)), ctx(p));
	assert_string_equal(sum.from.strings[0], "r2");
	assert_string_equal(sum.to.strings[0], "r2");
	assert_int_equal(sum.steps.count, 0);
	retort_run_summary_release(&sum);
}

/* statement_events: each statement as it starts, with its first line and
 * file:line, transactional or not; no statement is recorded twice. */
static void test_statement_events(void **state)
{
	proj *p = *state;
	retort_run_options o = run_opts(p);

	add_rev(p, "s1", NULL, NULL, NULL,
		"CREATE TABLE s1 (\n"            /* 8 */
		"  x INT\n"
		");\n"
		"INSERT INTO s1 VALUES (1);",     /* 11 */
		"DROP TABLE s1;");
	add_rev(p, "s2", "s1", NULL, NULL,
		"INSERT INTO s1 VALUES (2);\n"   /* 8 */
		"INSERT INTO s1 VALUES (3);",     /* 9 */
		"DELETE FROM s1;");
	o.statement_events = 1;
	rt_buf_clear(&p->events);
	assert_rt_ok(retort_upgrade(ctx(p), "head", &o), ctx(p));
	assert_string_equal(p->events.ptr,
			    "start up s1\n"
			    "statement s1 'CREATE TABLE s1 (' at s1_m.sql:8\n"
			    "statement s1 'INSERT INTO s1 VALUES (1);' at s1_m.sql:11\n"
			    "done up s1: '' -> 's1'\n"
			    "start up s2\n"
			    "statement s2 'INSERT INTO s1 VALUES (2);' at s2_m.sql:8\n"
			    "statement s2 'INSERT INTO s1 VALUES (3);' at s2_m.sql:9\n"
			    "done up s2: 's1' -> 's2'\n");
	/* without the option, none */
	assert_rt_ok(downgrade(p, "base"), ctx(p));
	assert_null(strstr(p->events.ptr, "statement"));
}

static void test_failing_statement(void **state)
{
	proj *p = *state;
	const char *msg;
	char *before;

	add_table_rev(p, "g1", NULL, NULL, NULL);
	/* the upgrade body starts on line 8; the third statement is on 12 */
	add_rev(p, "g2", "g1", NULL, NULL,
		"CREATE TABLE ok1 (\n"           /* 8 */
		"  x INT\n"                      /* 9 */
		");\n"                           /* 10 */
		"CREATE TABLE ok2 (x INT);\n"    /* 11 */
		"INSERT INTO missing_tbl VALUES (1);\n" /* 12 */
		"CREATE TABLE ok3 (x INT);\n"    /* 13 */
		"CREATE TABLE ok4 (x INT);",     /* 14 */
		"DROP TABLE ok4;");
	add_table_rev(p, "g3", "g2", NULL, NULL);

	assert_rt_ok(upgrade(p, "g1"), ctx(p));
	before = rt_strdup(schema(p));
	assert_rt_fails(upgrade(p, "head"), RETORT_ESTATEMENT);
	msg = retort_errmsg(ctx(p));
	assert_contains(msg, "g2_m.sql:12");
	assert_contains(msg, "missing_tbl");
	assert_contains(msg, "the database is at");
	assert_contains(msg, "'g1'");
	/* all or nothing: the first two statements were rolled back */
	assert_string_equal(schema(p), before);
	assert_string_equal(rows(p), "g1");
	assert_null(strstr(p->events.ptr, "done up g2"));
	assert_null(strstr(p->events.ptr, "g3"));
	free(before);
}

static void test_failing_first_migration(void **state)
{
	proj *p = *state;
	const char *msg;

	add_rev(p, "h1", NULL, NULL, NULL,
		"CREATE TABLE h (x INT);\n"   /* 8 */
		"CREATE TABLE h (x INT);",    /* 9: already exists */
		"DROP TABLE h;");
	assert_rt_fails(upgrade(p, "head"), RETORT_ESTATEMENT);
	msg = retort_errmsg(ctx(p));
	assert_contains(msg, "h1_m.sql:9");
	assert_contains(msg, "the database is at base");
	assert_true(!strcmp(tables(p), "") || !strcmp(tables(p), "retort_version"));
	assert_true(!strcmp(rows(p), "") || !strcmp(rows(p), "(error)"));
}

static void test_broken_graph_changes_nothing(void **state)
{
	proj *p = *state;

	linear3(p);
	add_table_rev(p, "z9", "missing", NULL, NULL);
	assert_rt_fails(upgrade(p, "head"), RETORT_EINVALID);
	assert_contains(retort_errmsg(ctx(p)), "z9_m.sql");
	assert_contains(retort_errmsg(ctx(p)), "'missing'");
	assert_true(access(p->db, F_OK) != 0 || !strcmp(tables(p), ""));
}

/* The checksums of applied files are kept on the context between runs
 * (a fleet worker's thousands of tenants); a file edited in place is
 * still caught by the next run on the same context, at the same size. */
static void test_checksums_kept_between_runs(void **state)
{
	proj *p = *state;
	struct timespec later[2] = { { 0, UTIME_OMIT }, { 0, 0 } };
	char *path = path_in(p->versions, "c1_m.sql");
	struct stat st;

	add_rev(p, "c1", NULL, NULL, NULL, "CREATE TABLE tc1 (id INTEGER);", "DROP TABLE tc1;");
	add_rev(p, "c2", "c1", NULL, NULL, "CREATE TABLE tc2 (id INTEGER);", "DROP TABLE tc2;");
	assert_rt_ok(upgrade(p, "c1"), ctx(p));
	assert_rt_ok(upgrade(p, "c1"), ctx(p)); /* nothing to do, checksum cached */
	/* same length, other text, another modification time */
	add_rev(p, "c1", NULL, NULL, NULL, "CREATE TABLE tc9 (id INTEGER);", "DROP TABLE tc1;");
	assert_int_equal(stat(path, &st), 0);
	later[1].tv_sec = st.st_mtim.tv_sec + 10;
	assert_int_equal(utimensat(AT_FDCWD, path, later, 0), 0);
	assert_rt_fails(upgrade(p, "c2"), RETORT_EMODIFIED);
	assert_non_null(strstr(retort_errmsg(ctx(p)), "was changed after it was applied"));
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_global_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linear_up_and_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relative_and_explicit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_below_current_conflicts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_downgrade_to_unapplied_conflicts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_branches_and_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_branch_point, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depends_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stamp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stamp_branches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offline_upgrade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offline_big_plan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statement_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_result, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failing_statement, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failing_first_migration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_graph_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checksums_kept_between_runs, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
