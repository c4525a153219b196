/*
 * test_safety.c - backups and the SQLite slots behind `retort test`
 * (backup.c, safety_sqlite.c): when a run backs up, the backup file's
 * name and place, what restore refuses, and the schema fingerprint.
 */
#include "rt_test.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safety.h"

typedef struct fixture {
	char dir[64];
	rt_buf err;
	rt_config cfg;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	memcpy(f->dir, "/tmp/rt_test_safety_XXXXXX", 27);
	assert_non_null(mkdtemp(f->dir));
	rt_buf_init(&f->err);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	rt_buf cmd = RT_BUF_INIT;

	rt_buf_printf(&cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd.ptr), 0);
	rt_buf_release(&cmd);
	rt_buf_release(&f->err);
	rt_config_release(&f->cfg);
	free(f);
	return 0;
}

static char *path_in(const fixture *f, const char *name)
{
	return rt_path_join(f->dir, name);
}

/* A retort.ini in the fixture's folder with these [retort] lines. */
static void load_ini(fixture *f, const char *lines)
{
	char *ini = path_in(f, "retort.ini");
	rt_buf text = RT_BUF_INIT;

	rt_buf_printf(&text, "[retort]\nurl = sqlite:///x.db\n%s", lines);
	assert_rt_ok_err(rt_write_file(ini, text.ptr, text.len, 0, &f->err), &f->err);
	rt_config_release(&f->cfg);
	assert_rt_ok_err(rt_config_load(&f->cfg, ini, &f->err), &f->err);
	free(ini);
	rt_buf_release(&text);
}

static void sql(const char *db, const char *text)
{
	sqlite3 *h = NULL;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, text, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

static long count_rows(const char *db, const char *table)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	char *q = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", table);
	long n;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, q, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	sqlite3_free(q);
	return n;
}

static void test_wanted(void **state)
{
	fixture *f = *state;
	retort_run_options ro = RETORT_RUN_OPTIONS_INIT;
	int want = -1;

	load_ini(f, "");
	assert_rt_ok_err(rt_backup_wanted(&want, &ro, &f->cfg, &f->err), &f->err);
	assert_int_equal(want, 0);
	assert_rt_ok_err(rt_backup_wanted(&want, NULL, &f->cfg, &f->err), &f->err);
	assert_int_equal(want, 0);
	ro.backup = 1;
	assert_rt_ok_err(rt_backup_wanted(&want, &ro, &f->cfg, &f->err), &f->err);
	assert_int_equal(want, 1);

	load_ini(f, "backup = yes\n");
	ro.backup = 0;
	assert_rt_ok_err(rt_backup_wanted(&want, &ro, &f->cfg, &f->err), &f->err);
	assert_int_equal(want, 1);
	ro.backup = -1;  /* --no-backup beats the key */
	assert_rt_ok_err(rt_backup_wanted(&want, &ro, &f->cfg, &f->err), &f->err);
	assert_int_equal(want, 0);

	load_ini(f, "backup = sometimes\n");
	ro.backup = 0;
	assert_rt_fails(rt_backup_wanted(&want, &ro, &f->cfg, &f->err), RETORT_EINVALID);
	assert_non_null(strstr(f->err.ptr, "invalid value 'sometimes' for 'backup'"));
}

static void test_backup_name_and_copy(void **state)
{
	fixture *f = *state;
	char *db = path_in(f, "shop.db"), *first = NULL, *second = NULL, *u;
	rt_strlist revs = { 0 };
	rt_url url;
	rt_buf expect = RT_BUF_INIT;
	struct stat st;

	load_ini(f, "");
	sql(db, "CREATE TABLE t (id INTEGER); INSERT INTO t VALUES (1), (2), (3);");
	u = sqlite3_mprintf("sqlite:///%s", db);
	assert_rt_ok_err(rt_url_parse(&url, u, f->dir, &f->err), &f->err);
	assert_int_equal(rt_strlist_add(&revs, "aaaa"), 0);
	assert_int_equal(rt_strlist_add(&revs, "bbbb"), 0);

	assert_rt_ok_err(rt_backup_make(&first, &rt_driver_sqlite, &url, &f->cfg, &revs, &f->err),
			 &f->err);
	/* <dir>/shop.db.YYYYmmddTHHMMSSZ.aaaa+bbbb.bak */
	rt_buf_printf(&expect, "%s/shop.db.", f->dir);
	assert_memory_equal(first, expect.ptr, expect.len);
	assert_int_equal(strlen(first), expect.len + 16 + strlen(".aaaa+bbbb.bak"));
	assert_string_equal(first + expect.len + 16, ".aaaa+bbbb.bak");
	assert_int_equal(first[expect.len + 8], 'T');
	assert_int_equal(stat(first, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(count_rows(first, "t"), 3);

	/* the same second and revisions: a name of its own, never overwritten */
	assert_rt_ok_err(rt_backup_make(&second, &rt_driver_sqlite, &url, &f->cfg, &revs, &f->err),
			 &f->err);
	assert_string_not_equal(first, second);
	assert_int_equal(count_rows(second, "t"), 3);

	free(first);
	free(second);
	rt_url_release(&url);
	rt_strlist_release(&revs);
	rt_buf_release(&expect);
	sqlite3_free(u);
	free(db);
}

static void test_backup_dir_and_base(void **state)
{
	fixture *f = *state;
	char *db = path_in(f, "x.db"), *out = NULL, *u;
	rt_strlist none = { 0 };
	rt_url url;
	rt_buf expect = RT_BUF_INIT;

	load_ini(f, "backup_dir = saved/here\n");
	sql(db, "CREATE TABLE t (id INTEGER);");
	u = sqlite3_mprintf("sqlite:///%s", db);
	assert_rt_ok_err(rt_url_parse(&url, u, f->dir, &f->err), &f->err);
	assert_rt_ok_err(rt_backup_make(&out, &rt_driver_sqlite, &url, &f->cfg, &none, &f->err),
			 &f->err);
	rt_buf_printf(&expect, "%s/saved/here/x.db.", f->dir);
	assert_memory_equal(out, expect.ptr, expect.len);
	assert_string_equal(out + strlen(out) - strlen(".base.bak"), ".base.bak");
	free(out);
	rt_url_release(&url);

	/* nothing to copy from memory */
	assert_rt_ok_err(rt_url_parse(&url, "sqlite://", f->dir, &f->err), &f->err);
	assert_rt_fails(rt_backup_make(&out, &rt_driver_sqlite, &url, &f->cfg, &none, &f->err),
			RETORT_EUSAGE);
	assert_null(out);
	rt_url_release(&url);
	rt_buf_release(&expect);
	sqlite3_free(u);
	free(db);
}

static void test_restore(void **state)
{
	fixture *f = *state;
	char *db = path_in(f, "x.db"), *bak = path_in(f, "x.copy"), *junk = path_in(f, "junk");
	char *u;
	rt_url url;

	load_ini(f, "");
	sql(bak, "CREATE TABLE t (id INTEGER); INSERT INTO t VALUES (1), (2);");
	sql(db, "CREATE TABLE other (id INTEGER);");
	assert_rt_ok_err(rt_write_file(junk, "SQLite format 2\n and more", 25, 0, &f->err), &f->err);
	u = sqlite3_mprintf("sqlite:///%s", db);
	assert_rt_ok_err(rt_url_parse(&url, u, f->dir, &f->err), &f->err);

	assert_rt_fails(rt_sqlite_restore(&url, &f->cfg, junk, &f->err), RETORT_EINVALID);
	assert_non_null(strstr(f->err.ptr, "is not a SQLite database; nothing was changed"));
	assert_int_equal(count_rows(db, "other"), 0);

	assert_rt_ok_err(rt_sqlite_restore(&url, &f->cfg, bak, &f->err), &f->err);
	assert_int_equal(count_rows(db, "t"), 2);

	rt_url_release(&url);
	sqlite3_free(u);
	free(db);
	free(bak);
	free(junk);
}

static void fingerprint(rt_conn *c, rt_strlist *out, rt_buf *err)
{
	rt_strlist skip = { 0 };

	assert_int_equal(rt_strlist_add(&skip, "retort_version"), 0);
	rt_strlist_release(out);
	assert_rt_ok_err(rt_sqlite_fingerprint(c, &skip, out, err), err);
	rt_strlist_release(&skip);
}

static void test_fingerprint(void **state)
{
	fixture *f = *state;
	char *db = path_in(f, "fp.db"), *u;
	rt_strlist before = { 0 }, after = { 0 };
	rt_conn *c = NULL;
	rt_url url;
	size_t i;

	load_ini(f, "");
	u = sqlite3_mprintf("sqlite:///%s", db);
	assert_rt_ok_err(rt_url_parse(&url, u, f->dir, &f->err), &f->err);
	assert_rt_ok_err(rt_driver_sqlite.connect(&c, &url, &f->cfg, &f->err), &f->err);
	assert_rt_ok_err(rt_driver_sqlite.exec(c, "CREATE TABLE t (a INTEGER, b TEXT);", 35, NULL,
					       &f->err), &f->err);
	fingerprint(c, &before, &f->err);
	assert_int_equal(before.count, 1);
	assert_string_equal(before.items[0], "table t: CREATE TABLE t (a INTEGER, b TEXT)");

	/* retort's own table, SQLite's sqlite_sequence (it stays after the
	 * last AUTOINCREMENT table goes) and a rename there and back leave
	 * the fingerprint as it was */
	{
		static const char steps[] =
			"CREATE TABLE retort_version (version_num VARCHAR(32) PRIMARY KEY);\n"
			"CREATE TABLE s (id INTEGER PRIMARY KEY AUTOINCREMENT);\n"
			"DROP TABLE s;\n"
			"ALTER TABLE t RENAME COLUMN a TO z;\n"
			"ALTER TABLE t RENAME COLUMN z TO a;\n"
			"ALTER TABLE t ADD COLUMN c INTEGER;\n"
			"ALTER TABLE t DROP COLUMN c;\n";
		assert_rt_ok_err(rt_driver_sqlite.exec(c, steps, sizeof(steps) - 1, NULL, &f->err),
				 &f->err);
	}
	fingerprint(c, &after, &f->err);
	assert_int_equal(after.count, before.count);
	for (i = 0; i < before.count; i++)
		assert_string_equal(after.items[i], before.items[i]);

	/* an index left behind shows */
	assert_rt_ok_err(rt_driver_sqlite.exec(c, "CREATE INDEX ix ON t (b);", 25, NULL, &f->err),
			 &f->err);
	fingerprint(c, &after, &f->err);
	assert_int_equal(after.count, 2);
	assert_string_equal(after.items[0], "index ix (on t): CREATE INDEX ix ON t (b)");

	rt_driver_sqlite.close(c);
	rt_strlist_release(&before);
	rt_strlist_release(&after);
	rt_url_release(&url);
	sqlite3_free(u);
	free(db);
}

static void test_scratch(void **state)
{
	fixture *f = *state;
	char *url = NULL;
	rt_url parsed;
	struct stat st;

	load_ini(f, "");
	setenv("TMPDIR", f->dir, 1);
	assert_rt_ok_err(rt_sqlite_scratch_create(&url, NULL, NULL, &f->cfg, &f->err), &f->err);
	unsetenv("TMPDIR");
	assert_rt_ok_err(rt_url_parse(&parsed, url, f->dir, &f->err), &f->err);
	assert_memory_equal(parsed.path, f->dir, strlen(f->dir));
	assert_int_equal(stat(parsed.path, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_rt_ok_err(rt_sqlite_scratch_drop(url, &parsed, &f->cfg, &f->err), &f->err);
	assert_int_not_equal(stat(parsed.path, &st), 0);
	rt_url_release(&parsed);
	free(url);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wanted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup_name_and_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup_dir_and_base, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fingerprint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scratch, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
