/*
 * test_syntax_check.c - the drivers' syntax_check entry behind lint's
 * dialect-syntax rule: which statements each dialect does not take, at
 * which offset, of which kind, with the database's own message; that the
 * check goes on after a statement it rejects; and, for a dialect with a
 * scratch database (SQLite), that the statements taken are run there
 * (kept, or undone with keep 0).
 *
 * Rejections are compared as one string, "KIND@OFFSET: MESSAGE" joined by
 * " | ", KIND being S (syntax) or T (the scratch database's state).
 */
#include "rt_test.h"

#include "driver.h"

static void collect(void *arg, int kind, size_t off, const char *why)
{
	rt_buf *b = arg;

	rt_buf_printf(b, "%s%c@%zu: %s", b->len ? " | " : "",
		      kind == RT_REJECT_SYNTAX ? 'S' : kind == RT_REJECT_STATE ? 'T' : '?', off,
		      why);
}

/* The driver, not made ready: the check needs no load(). */
static const rt_driver *ready(const char *name)
{
	const rt_driver *d = rt_driver_lookup_named(name);

	assert_non_null(d);
	assert_non_null(d->syntax_check);
	return d;
}

/* The rejections of `sql` by `d` (no connection, or `c`). */
static void check_on(const rt_driver *d, rt_conn *c, int keep, const char *sql, const char *want)
{
	rt_buf got = RT_BUF_INIT, err = RT_BUF_INIT;

	assert_rt_ok_err(d->syntax_check(c, sql, strlen(sql), keep, collect, &got, &err), &err);
	assert_string_equal(got.ptr, want);
	rt_buf_release(&got);
	rt_buf_release(&err);
}

static void check(const char *dialect, const char *sql, const char *want)
{
	check_on(ready(dialect), NULL, 1, sql, want);
}

static void test_sqlite_rejects(void **state)
{
	(void)state;
	check("sqlite",
	      "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, n TEXT);\n" /* 0 */
	      "ALTER TABLE a ALTER COLUMN n TYPE varchar(20);\n"                 /* 63 */
	      "UPDATE a SET n = id::text;\n"                                     /* 110 */
	      "CREATE INDEX CONCURRENTLY a_n ON a (n);\n"                        /* 137 */
	      "CREATE TABLE b (id SERIAL PRIMARY KEY, k bigserial);\n"           /* 177 */
	      "INSERT INTO nosuch VALUES (1);\n",                                /* 230 */
	      "S@63: near \"ALTER\": syntax error"
	      " | S@110: unrecognized token: \":\""
	      " | S@137: near \"a_n\": syntax error"
	      " | S@177: SQLite takes 'SERIAL' as a type name only: column 'id' of 'b' is not "
	      "numbered by the database (an INTEGER PRIMARY KEY is)"
	      " | S@177: SQLite takes 'bigserial' as a type name only: column 'k' of 'b' is not "
	      "numbered by the database (an INTEGER PRIMARY KEY is)"
	      " | T@230: no such table: nosuch");
	/* what SQLite takes: no rejection; a serial column added later is
	 * flagged, not the table's older ones */
	check("sqlite",
	      "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, n TEXT DEFAULT 'x;y');\n"
	      "-- a comment; with a semicolon\n"
	      "CREATE INDEX a_n ON a (n);\n"
	      "BEGIN; COMMIT;\n"
	      "SELECT * FROM a;\n", "");
	check("sqlite",
	      "CREATE TABLE c (id serial4);\n"
	      "ALTER TABLE c ADD COLUMN k INTEGER;\n"
	      "ALTER TABLE c ADD COLUMN s smallserial;\n",
	      "S@0: SQLite takes 'serial4' as a type name only: column 'id' of 'c' is not "
	      "numbered by the database (an INTEGER PRIMARY KEY is)"
	      " | S@65: SQLite takes 'smallserial' as a type name only: column 's' of 'c' is "
	      "not numbered by the database (an INTEGER PRIMARY KEY is)");
}

/* A rejected statement is passed over to its ';' (quotes and comments
 * holding one do not end it), and the next ones still run. */
static void test_sqlite_goes_on(void **state)
{
	(void)state;
	check("sqlite",
	      "CREATE TABLE a (x INTEGER);\n"             /* 0 */
	      "SELEC 'a;b' /* ; */ FROM a;\n"               /* 28 */
	      "INSERT INTO a VALUES (1);\n"                 /* 56 */
	      "CREATE TABLE a (y INTEGER);\n",              /* 82 */
	      "S@28: near \"SELEC\": syntax error | T@82: table a already exists");
	check("sqlite", "SELEC 1", "S@0: near \"SELEC\": syntax error");
	check("sqlite", "  \n-- only a comment\n", "");
}

/* On a connection the statements taken stay, or with keep 0 are undone. */
static void test_sqlite_scratch(void **state)
{
	const rt_driver *d = ready("sqlite");
	rt_url url;
	rt_config cfg;
	rt_conn *c = NULL;
	rt_strlist rows = { 0 };
	rt_buf err = RT_BUF_INIT;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	assert_rt_ok_err(rt_url_parse(&url, d->model_url, ".", &err), &err);
	assert_rt_ok_err(d->connect(&c, &url, &cfg, &err), &err);
	check_on(d, c, 1, "CREATE TABLE kept (id INTEGER);", "");
	check_on(d, c, 0, "DROP TABLE kept; CREATE TABLE undone (id INTEGER);", "");
	/* what the first made, the next sees */
	check_on(d, c, 1, "CREATE INDEX kept_id ON kept (id); INSERT INTO undone VALUES (1);",
		 "T@35: no such table: undone");
	assert_rt_ok_err(d->query(c, "SELECT name FROM sqlite_master ORDER BY name", 1, &rows,
				  &err), &err);
	assert_int_equal(rows.count, 2);
	assert_string_equal(rows.items[0], "kept");
	assert_string_equal(rows.items[1], "kept_id");
	rt_strlist_release(&rows);
	d->close(c);
	rt_url_release(&url);
	rt_buf_release(&err);
}

static void test_postgresql_rejects(void **state)
{
	(void)state;
	if (!rt_driver_lookup_named("postgresql")) {
		puts("# built without PostgreSQL: its check is not built either");
		return;
	}
	check("postgresql",
	      "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, n TEXT);\n" /* 0 */
	      "CREATE TABLE b (id SERIAL PRIMARY KEY);\n"                        /* 63 */
	      "INSERT OR REPLACE INTO b VALUES (1);\n"                           /* 103 */
	      "CREATE TABLE c (id INTEGER) WITHOUT ROWID;\n",                    /* 140 */
	      "S@0: syntax error at or near \"AUTOINCREMENT\""
	      " | S@103: syntax error at or near \"OR\""
	      " | S@140: syntax error at or near \"ROWID\"");
	/* the grammar only: an unknown table or type is the server's to say */
	check("postgresql",
	      "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n"
	      "INSERT INTO nosuch VALUES ('a;b');\n"
	      "CREATE TABLE d (at DATETIME);\n", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlite_rejects),
		cmocka_unit_test(test_sqlite_goes_on),
		cmocka_unit_test(test_sqlite_scratch),
		cmocka_unit_test(test_postgresql_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
