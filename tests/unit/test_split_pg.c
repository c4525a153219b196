/*
 * test_split_pg.c - the PostgreSQL driver's statement splitting, against
 * the real test server (CTest fixture `pg`; its URL is in the file named
 * by RETORT_PG_STATE).
 *
 * The driver is used directly: ->exec on a corpus that hides ';' in every
 * place PostgreSQL allows, and on failing texts, checking where
 * rt_exec_fail says the failure is (offset of the statement, offset of the
 * error, statements applied before it).  Also ->terminated (the offline
 * script's test for a final ';'), ->lock and ddl_lock_timeout.
 *
 * The tests run in a database of their own, created at the start and
 * dropped at the end.
 */
#include "rt_test.h"

#include <time.h>
#include <unistd.h>

#include "driver.h"

static const rt_driver *pg;   /* rt_driver_pg, found by its scheme */
static rt_config cfg;
static char *base_url;        /* fixture URL without the database name */
static char dbname[64];
static rt_conn *admin;        /* on the fixture's database */
static rt_conn *conn;         /* on dbname */

/* ---- helpers ------------------------------------------------------------- */

static char *read_state_url(void)
{
	const char *state = getenv("RETORT_PG_STATE");
	char line[4096];
	FILE *f;
	size_t n;

	if (!state || !*state)
		fail_msg("RETORT_PG_STATE is not set (the CTest fixture pg/start writes it)");
	if (!(f = fopen(state, "r")))
		fail_msg("cannot open RETORT_PG_STATE file '%s' (did pg/start run?)", state);
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	if (!n)
		fail_msg("'%s' holds no URL", state);
	return strdup(line);
}

/* Connect to `db` on the fixture server with `c` as the config. */
static rt_conn *connect_to(const char *db, const rt_config *c)
{
	rt_buf url = RT_BUF_INIT, err = RT_BUF_INIT;
	rt_url u;
	rt_conn *out = NULL;

	rt_buf_printf(&url, "%s/%s", base_url, db);
	assert_rt_ok_err(rt_url_parse(&u, url.ptr, "/tmp", &err), &err);
	assert_rt_ok_err(pg->connect(&out, &u, c, &err), &err);
	assert_non_null(out);
	rt_url_release(&u);
	rt_buf_release(&url);
	rt_buf_release(&err);
	return out;
}

/* Run `sql` on `c`; must succeed. */
static void exec_ok(rt_conn *c, const char *sql)
{
	rt_buf err = RT_BUF_INIT;

	assert_rt_ok_err(pg->exec(c, sql, strlen(sql), NULL, &err), &err);
	rt_buf_release(&err);
}

/* The single value a query returns (NULL as ""); caller frees. */
static char *value(rt_conn *c, const char *sql)
{
	rt_strlist rows = { 0 };
	rt_buf err = RT_BUF_INIT;
	char *v;

	assert_rt_ok_err(pg->query(c, sql, 1, &rows, &err), &err);
	if (rows.count != 1)
		fail_msg("'%s' returned %zu rows, expected 1", sql, rows.count);
	v = strdup(rows.items[0]);
	rt_strlist_release(&rows);
	rt_buf_release(&err);
	return v;
}

#define assert_value(c, sql, want) do { \
	char *v_ = value((c), (sql)); \
	if (strcmp(v_, (want))) \
		fail_msg("%s\n  expected: <%s>\n       got: <%s>", (sql), (want), v_); \
	free(v_); \
} while (0)

/* Byte offset of the n-th (1-based) occurrence of `needle` in `hay`. */
static size_t offset_of(const char *hay, const char *needle, int nth)
{
	const char *p = hay;

	for (;;) {
		p = strstr(p, needle);
		if (!p)
			fail_msg("'%s' not in the test text", needle);
		if (--nth == 0)
			return (size_t)(p - hay);
		p++;
	}
}

/* ---- set-up ---------------------------------------------------------------- */

static int group_setup(void **state)
{
	rt_buf sql = RT_BUF_INIT;
	char *url, *slash;

	(void)state;
	url = read_state_url();
	/* postgresql://user:pw@host:port/postgres -> without "/postgres" */
	slash = strrchr(url, '/');
	if (!slash || slash < strstr(url, "://") + 3)
		fail_msg("unexpected fixture URL shape (no database name)");
	*slash = '\0';
	base_url = url;
	assert_int_equal(rt_config_defaults(&cfg, "/tmp"), 0);

	admin = connect_to(slash + 1, &cfg);
	snprintf(dbname, sizeof(dbname), "t_split_pg_%ld_%ld", (long)getpid(), (long)time(NULL));
	rt_buf_printf(&sql, "CREATE DATABASE \"%s\"", dbname);
	exec_ok(admin, sql.ptr);
	rt_buf_release(&sql);
	conn = connect_to(dbname, &cfg);
	return 0;
}

static int group_teardown(void **state)
{
	rt_buf sql = RT_BUF_INIT, err = RT_BUF_INIT;

	(void)state;
	if (conn)
		pg->close(conn);
	if (admin) {
		rt_buf_printf(&sql, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", dbname);
		if (pg->exec(admin, sql.ptr, sql.len, NULL, &err) < 0)
			fprintf(stderr, "could not drop %s: %s\n", dbname, err.ptr);
		pg->close(admin);
	}
	rt_buf_release(&sql);
	rt_buf_release(&err);
	rt_config_release(&cfg);
	free(base_url);
	return 0;
}

/* ---- the corpus -------------------------------------------------------------- */

/* The same corpus as tests/cli/pg/pg_helper.bash: 14 statements. */
static const char corpus[] =
	"CREATE TABLE corpus (id int PRIMARY KEY, s text NOT NULL);\n"
	"-- a comment with 'a quote and \"a double one\"; and a semicolon; it's here\n"
	"CREATE FUNCTION f_dollar() RETURNS text LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"    -- a ; inside the body\n"
	"    RETURN 'one; two; three';\n"
	"END;\n"
	"$$;\n"
	"CREATE FUNCTION f_tag(x int) RETURNS text LANGUAGE plpgsql AS $body$\n"
	"DECLARE\n"
	"    r text := '';\n"
	"BEGIN\n"
	"    /* $$ is not the end here; */\n"
	"    r := 'a;' || x::text || $q$;b'$q$;\n"
	"    RETURN r;\n"
	"END;\n"
	"$body$;\n"
	"CREATE FUNCTION f_sql(a text, b text) RETURNS text LANGUAGE sql IMMUTABLE\n"
	"    AS 'SELECT a || '';'' || b';\n"
	"INSERT INTO corpus VALUES (1, E'back\\\\slash\\'; and \\'quote\\'');\n"
	"INSERT INTO corpus VALUES (2, 'it''s; fine');\n"
	"INSERT INTO corpus VALUES (3, $$dollar ; 'literal'$$), (4, $x$[$$ ; $$]$x$);\n"
	"CREATE TABLE \"a;b\" (\"c;d\" text NOT NULL, \"e\"\"f;\" int);\n"
	"INSERT INTO \"a;b\" VALUES ('x;y', 1);\n"
	"/* outer /* nested ; */ still a comment ; DROP TABLE corpus; */\n"
	"INSERT INTO corpus VALUES (5, 'after /* not a comment; */ the nested one');\n"
	"-- trailing comment with ' and ; and $$\n"
	"INSERT INTO corpus VALUES (6, U&'\\0441\\043B\\043E\\0432\\043E;') ; "
	"INSERT INTO corpus VALUES (7, 'two on one line');\n"
	"CREATE VIEW \"v;w\" AS SELECT id, s FROM corpus WHERE s LIKE '%;%'\n"
	"-- a comment before the terminating semicolon ;\n"
	";\n"
	"INSERT INTO corpus VALUES (8, 'last, without a semicolon') -- but a comment; 'x'\n";

static void test_corpus(void **state)
{
	rt_exec_fail fail = { 0 };
	rt_buf err = RT_BUF_INIT;
	rt_strlist rows = { 0 };
	static const char *const want[] = {
		"back\\slash'; and 'quote'",
		"it's; fine",
		"dollar ; 'literal'",
		"[$$ ; $$]",
		"after /* not a comment; */ the nested one",
		"\xd1\x81\xd0\xbb\xd0\xbe\xd0\xb2\xd0\xbe;", /* слово; */
		"two on one line",
		"last, without a semicolon",
	};
	size_t i;

	(void)state;
	assert_rt_ok_err(pg->exec(conn, corpus, strlen(corpus), &fail, &err), &err);
	/* every statement once, in order, each by its first line */
	assert_int_equal(fail.applied, 14);
	assert_int_equal(fail.done.count, 14);
	assert_string_equal(fail.done.items[0],
			    "CREATE TABLE corpus (id int PRIMARY KEY, s text NOT NULL);");
	assert_string_equal(fail.done.items[1],
			    "CREATE FUNCTION f_dollar() RETURNS text LANGUAGE plpgsql AS $$");
	assert_string_equal(fail.done.items[2],
			    "CREATE FUNCTION f_tag(x int) RETURNS text LANGUAGE plpgsql AS $body$");
	assert_string_equal(fail.done.items[3],
			    "CREATE FUNCTION f_sql(a text, b text) RETURNS text LANGUAGE sql IMMUTABLE");
	assert_string_equal(fail.done.items[9],
			    "INSERT INTO corpus VALUES (5, 'after /* not a comment; */ the nested one');");
	/* two statements on one line: the second starts after the first's ';' */
	assert_string_equal(fail.done.items[11], "INSERT INTO corpus VALUES (7, 'two on one line');");
	assert_string_equal(fail.done.items[12],
			    "CREATE VIEW \"v;w\" AS SELECT id, s FROM corpus WHERE s LIKE '%;%'");
	assert_string_equal(fail.done.items[13],
			    "INSERT INTO corpus VALUES (8, 'last, without a semicolon') -- but a comment; 'x'");

	assert_rt_ok_err(pg->query(conn, "SELECT s FROM corpus ORDER BY id", 1, &rows, &err), &err);
	assert_int_equal(rows.count, 8);
	for (i = 0; i < rows.count; i++)
		assert_string_equal(rows.items[i], want[i]);
	rt_strlist_release(&rows);
	assert_value(conn, "SELECT f_dollar()", "one; two; three");
	assert_value(conn, "SELECT f_tag(7)", "a;7;b'");
	assert_value(conn, "SELECT f_sql('x', 'y')", "x;y");
	assert_value(conn, "SELECT \"c;d\" || '|' || \"e\"\"f;\" FROM \"a;b\"", "x;y|1");
	assert_value(conn, "SELECT string_agg(id::text, ',' ORDER BY id) FROM \"v;w\"",
		     "1,2,3,4,5,6");
	rt_strlist_release(&fail.done);
	rt_buf_release(&err);
}

/* ---- failures ---------------------------------------------------------------- */

static void test_fail_points_at_statement_and_error(void **state)
{
	static const char sql[] =
		"CREATE TABLE s1 (id int);\n"
		"-- a comment; with a 'quote\n"
		"CREATE TABLE s2 (id int);\n"
		"  /* lead ; */ INSERT INTO\n"
		"    nope_table VALUES (1);\n"
		"CREATE TABLE s3 (id int);\n";
	rt_exec_fail fail = { 0 };
	rt_buf err = RT_BUF_INIT;

	(void)state;
	assert_int_equal(pg->exec(conn, sql, strlen(sql), &fail, &err), RETORT_ERROR);
	assert_non_null(strstr(err.ptr, "relation \"nope_table\" does not exist"));
	assert_int_equal(fail.applied, 2);
	assert_int_equal(fail.offset, offset_of(sql, "INSERT", 1));
	assert_int_equal(fail.error_at, offset_of(sql, "nope_table", 1));
	assert_int_equal(fail.done.count, 2);
	assert_string_equal(fail.done.items[0], "CREATE TABLE s1 (id int);");
	assert_string_equal(fail.done.items[1], "CREATE TABLE s2 (id int);");
	/* applied one by one: the first two are there, the third never ran */
	assert_value(conn, "SELECT to_regclass('s1') IS NOT NULL", "t");
	assert_value(conn, "SELECT to_regclass('s2') IS NOT NULL", "t");
	assert_value(conn, "SELECT to_regclass('s3') IS NOT NULL", "f");
	rt_strlist_release(&fail.done);
	rt_buf_release(&err);
}

static void test_fail_position_in_characters(void **state)
{
	/* the server counts characters; the offset must be in bytes */
	static const char sql[] =
		"SELECT '\xc3\xa9\xc3\xa9\xc3\xa9';\n"
		"SELECT '\xc3\xb1\xc3\xb1\xc3\xb1\xc3\xb1\xc3\xb1' AS x,\n"
		"       no_col_here;\n";
	rt_exec_fail fail = { 0 };
	rt_buf err = RT_BUF_INIT;

	(void)state;
	assert_int_equal(pg->exec(conn, sql, strlen(sql), &fail, &err), RETORT_ERROR);
	assert_non_null(strstr(err.ptr, "column \"no_col_here\" does not exist"));
	assert_int_equal(fail.applied, 1);
	assert_int_equal(fail.offset, offset_of(sql, "SELECT", 2));
	assert_int_equal(fail.error_at, offset_of(sql, "no_col_here", 1));
	rt_strlist_release(&fail.done);
	rt_buf_release(&err);
}

static void test_fail_syntax_error(void **state)
{
	/* the grammar rejects the text, so the scanner splits it; the
	 * server then reports the typo */
	static const char sql[] =
		"CREATE TABLE y1 (id int);\n"
		"CRATE TABLE y2 (id int);\n"
		"CREATE TABLE y3 (id int);\n";
	rt_exec_fail fail = { 0 };
	rt_buf err = RT_BUF_INIT;

	(void)state;
	assert_int_equal(pg->exec(conn, sql, strlen(sql), &fail, &err), RETORT_ERROR);
	assert_non_null(strstr(err.ptr, "syntax error at or near \"CRATE\""));
	assert_int_equal(fail.applied, 1);
	assert_int_equal(fail.offset, offset_of(sql, "CRATE", 1));
	assert_int_equal(fail.error_at, offset_of(sql, "CRATE", 1));
	assert_value(conn, "SELECT to_regclass('y3') IS NOT NULL", "f");
	rt_strlist_release(&fail.done);
	rt_buf_release(&err);
}

static void test_fail_after_dollar_body(void **state)
{
	static const char sql[] =
		"CREATE FUNCTION g1() RETURNS int LANGUAGE plpgsql AS $f$\n"
		"BEGIN\n"
		"    RETURN 1; -- ; 'not' the end $$\n"
		"END;\n"
		"$f$;\n"
		"SELECT g1(1);\n";
	rt_exec_fail fail = { 0 };
	rt_buf err = RT_BUF_INIT;

	(void)state;
	assert_int_equal(pg->exec(conn, sql, strlen(sql), &fail, &err), RETORT_ERROR);
	assert_int_equal(fail.applied, 1);
	assert_int_equal(fail.offset, offset_of(sql, "SELECT g1(1)", 1));
	assert_int_equal(fail.error_at, offset_of(sql, "g1(1)", 1));
	/* the server's hint comes with the message */
	assert_non_null(strstr(err.ptr, "function g1(integer) does not exist"));
	assert_non_null(strstr(err.ptr, "\nhint: No function matches"));
	rt_strlist_release(&fail.done);
	rt_buf_release(&err);
}

static void test_fail_detail(void **state)
{
	static const char sql[] =
		"CREATE TABLE u1 (id int PRIMARY KEY);\n"
		"INSERT INTO u1 VALUES (1);\n"
		"INSERT INTO u1 VALUES (1);\n";
	rt_exec_fail fail = { 0 };
	rt_buf err = RT_BUF_INIT;

	(void)state;
	assert_int_equal(pg->exec(conn, sql, strlen(sql), &fail, &err), RETORT_ERROR);
	assert_non_null(strstr(err.ptr, "duplicate key value violates unique constraint \"u1_pkey\""));
	assert_non_null(strstr(err.ptr, "\ndetail: Key (id)=(1) already exists."));
	assert_int_equal(fail.applied, 2);
	assert_int_equal(fail.offset, offset_of(sql, "INSERT", 2));
	/* no position for this kind of error */
	assert_true(fail.error_at == (size_t)-1);
	rt_strlist_release(&fail.done);
	rt_buf_release(&err);
}

static void test_unsplittable_runs_nothing(void **state)
{
	/* an unterminated quote: neither the grammar nor the scanner can
	 * split it, and nothing may be sent */
	static const char sql[] =
		"CREATE TABLE w1 (id int);\n"
		"SELECT 'unterminated;\n";
	rt_exec_fail fail = { 0 };
	rt_buf err = RT_BUF_INIT;

	(void)state;
	assert_true(pg->exec(conn, sql, strlen(sql), &fail, &err) < 0);
	assert_true(err.len > 0);
	assert_int_equal(fail.applied, 0);
	assert_value(conn, "SELECT to_regclass('w1') IS NOT NULL", "f");
	rt_strlist_release(&fail.done);
	rt_buf_release(&err);
}

/* ---- statements one at a time ---------------------------------------------- */

static void test_concurrently_one_at_a_time(void **state)
{
	/* sent in one call these would run as one implicit transaction, which
	 * CREATE INDEX CONCURRENTLY refuses */
	static const char sql[] =
		"CREATE TABLE ci (a int, b int);\n"
		"INSERT INTO ci SELECT g, g FROM generate_series(1, 100) g;\n"
		"CREATE INDEX CONCURRENTLY ci_a ON ci (a);\n"
		"CREATE INDEX CONCURRENTLY ci_b ON ci (b);\n";
	rt_exec_fail fail = { 0 };
	rt_buf err = RT_BUF_INIT;

	(void)state;
	assert_rt_ok_err(pg->exec(conn, sql, strlen(sql), &fail, &err), &err);
	assert_int_equal(fail.applied, 4);
	assert_value(conn,
		     "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
		     "WHERE c.relname IN ('ci_a', 'ci_b') AND i.indisvalid", "2");
	rt_strlist_release(&fail.done);
	rt_buf_release(&err);
}

static void test_blank_and_comments_only(void **state)
{
	static const char sql[] = "  -- only a comment; 'x'\n/* and ; /* another */ */\n\n";
	rt_exec_fail fail = { 0 };
	rt_buf err = RT_BUF_INIT;

	(void)state;
	assert_rt_ok_err(pg->exec(conn, sql, strlen(sql), &fail, &err), &err);
	assert_int_equal(fail.applied, 0);
	assert_int_equal(fail.done.count, 0);
	assert_rt_ok_err(pg->exec(conn, "", 0, &fail, &err), &err);
	assert_int_equal(fail.applied, 0);
	rt_strlist_release(&fail.done);
	rt_buf_release(&err);
}

static void test_len_bounds_the_text(void **state)
{
	/* only `len` bytes are SQL: what follows is not run */
	static const char sql[] = "CREATE TABLE l1 (id int);\nCREATE TABLE l2 (id int);\n";
	rt_exec_fail fail = { 0 };
	rt_buf err = RT_BUF_INIT;

	(void)state;
	assert_rt_ok_err(pg->exec(conn, sql, offset_of(sql, "\n", 1) + 1, &fail, &err), &err);
	assert_int_equal(fail.applied, 1);
	assert_value(conn, "SELECT to_regclass('l1') IS NOT NULL", "t");
	assert_value(conn, "SELECT to_regclass('l2') IS NOT NULL", "f");
	rt_strlist_release(&fail.done);
	rt_buf_release(&err);
}

/* ---- offline: does the text end with its ';'? ------------------------------- */

static void test_terminated(void **state)
{
	(void)state;
	assert_true(pg->terminated("SELECT 1;"));
	assert_true(pg->terminated("SELECT 1;\n-- a comment\n"));
	assert_true(pg->terminated("SELECT 1 -- c\n;"));
	assert_true(pg->terminated(corpus) == 0);
	assert_false(pg->terminated("SELECT 1"));
	assert_false(pg->terminated("SELECT 1 -- c;"));
	assert_false(pg->terminated("SELECT 1 /* ; */"));
	assert_false(pg->terminated("SELECT 'a;'"));
	assert_false(pg->terminated("SELECT $$;$$"));
	assert_false(pg->terminated("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $b$ SELECT 1; $b$"));
	assert_true(pg->terminated("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $b$ SELECT 1; $b$;"));
}

/* ---- lock and ddl_lock_timeout ------------------------------------------------ */

/* Every transaction takes the table's lock; the key is the table as the
 * server resolves it, so "public" written out or not is one lock. */
static void test_lock_names_holder(void **state)
{
	rt_conn *other = connect_to(dbname, &cfg);
	rt_buf err = RT_BUF_INIT, want = RT_BUF_INIT;
	char *pid;

	(void)state;
	assert_rt_ok_err(pg->lock(conn, NULL, "lock_test", 0, &err), &err);
	assert_rt_ok_err(pg->begin(conn, &err), &err);
	pid = value(conn, "SELECT pg_backend_pid()");
	assert_rt_ok_err(pg->lock(other, "public", "lock_test", 0.3, &err), &err);
	assert_int_equal(pg->begin(other, &err), RETORT_EBUSY);
	rt_buf_printf(&want, "pid %s", pid);
	if (!strstr(err.ptr, want.ptr))
		fail_msg("'%s' not in: %s", want.ptr, err.ptr);
	/* the failed try left no transaction open */
	assert_value(other, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
		     "AND pid = pg_backend_pid()", "0");
	/* another table's lock is free */
	assert_rt_ok_err(pg->lock(other, NULL, "other_table", 0, &err), &err);
	assert_rt_ok_err(pg->begin(other, &err), &err);
	pg->rollback(other);
	/* the transaction's end releases it: the other session gets it */
	pg->rollback(conn);
	assert_rt_ok_err(pg->lock(other, NULL, "lock_test", 0, &err), &err);
	assert_rt_ok_err(pg->begin(other, &err), &err);
	pg->rollback(other);
	pg->unlock(other);
	pg->unlock(conn);
	pg->close(other);
	free(pid);
	rt_buf_release(&err);
	rt_buf_release(&want);
}

static void test_ddl_lock_timeout(void **state)
{
	rt_config c;
	rt_conn *x;

	(void)state;
	assert_int_equal(rt_config_defaults(&c, "/tmp"), 0);
	c.ddl_lock_timeout = 1.5;
	x = connect_to(dbname, &c);
	assert_value(x, "SHOW lock_timeout", "1500ms");
	pg->close(x);
	rt_config_release(&c);
	/* unset: the server's default (no timeout) */
	assert_value(conn, "SHOW lock_timeout", "0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_fail_points_at_statement_and_error),
		cmocka_unit_test(test_fail_position_in_characters),
		cmocka_unit_test(test_fail_syntax_error),
		cmocka_unit_test(test_fail_after_dollar_body),
		cmocka_unit_test(test_fail_detail),
		cmocka_unit_test(test_unsplittable_runs_nothing),
		cmocka_unit_test(test_concurrently_one_at_a_time),
		cmocka_unit_test(test_blank_and_comments_only),
		cmocka_unit_test(test_len_bounds_the_text),
		cmocka_unit_test(test_terminated),
		cmocka_unit_test(test_lock_names_holder),
		cmocka_unit_test(test_ddl_lock_timeout),
	};

	if (rt_driver_for(&pg, "postgresql", NULL) < 0) {
		/* a build without RETORT_WITH_PG has no PostgreSQL driver (and
		 * no test server) */
		printf("test_split_pg: built without the PostgreSQL driver; nothing to test\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
