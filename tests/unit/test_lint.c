/*
 * test_lint.c - the linter's rule engine (lint.c) on statement text: each
 * rule firing and not firing, the dialect a section is linted for (the
 * registry's drivers and their lint_full_rules), the lines findings point
 * at, lint-ignore comments, and statements the PostgreSQL parser cannot
 * read.
 *
 * Findings are compared as one string, "rule@line rule@line ...", in the
 * order the engine returns them (by line).
 */
#include "rt_test.h"

#include "lint.h"

/* The dialect a file is linted for: a driver of the registry, not made
 * ready, or NULL for every one (main() checks that both are built in). */
#define PG  rt_driver_lookup_named("postgresql")
#define SQ  rt_driver_lookup_named("sqlite")
#define ALL NULL

/* Lines 1-4; the first section marker is line 5, its body starts on 6. */
#define HEADER "-- test\n-- revision: t1\n-- down_revision:\n\n"

/* The schema before the revision the tests lint, when `known` (else
 * unknown, as without a scratch database): what set_before() built. */
static rt_schema before_schema;
static int known;
static int asked;

static const rt_schema *get_before(void *arg, const char **why)
{
	(void)arg;
	asked++;
	*why = "no scratch database in this test";
	return known ? &before_schema : NULL;
}

static const rt_lint_before before = { get_before, NULL };

/* t (id integer, name varchar(100), note text, n integer, price
 * numeric(10,2), ip cidr, ts timestamp(3)), its key t_pkey: typed as
 * each dialect's introspection spells them. */
static void set_before(void)
{
	static const char *const cols[][2] = {
		{ "id", "integer" }, { "name", "character varying(100)" }, { "note", "text" },
		{ "n", "INTEGER" }, { "price", "numeric(10,2)" }, { "ip", "cidr" },
		{ "ts", "timestamp(3) without time zone" },
	};
	rt_table *t;
	size_t i;

	assert_int_equal(rt_schema_init(&before_schema, NULL), 0);
	assert_non_null(t = rt_schema_add_table(&before_schema, "t"));
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		assert_non_null(rt_table_add_column(t, cols[i][0], cols[i][1]));
	assert_int_equal(rt_set_str(&t->pk_name, "t_pkey"), 0);
}

static void lint_text(retort_lint_report *out, const char *text, const rt_driver *dialect)
{
	rt_script s;
	rt_buf err = RT_BUF_INIT;

	memset(out, 0, sizeof(*out));
	assert_rt_ok_err(rt_script_parse_checked(&s, "t.sql", text, strlen(text), &err), &err);
	assert_rt_ok_err(rt_lint_script(out, &s, dialect, &before, &err), &err);
	rt_script_release(&s);
	rt_buf_release(&err);
}

static char *summary(const retort_lint_report *r)
{
	rt_buf b = RT_BUF_INIT;
	size_t i, errors = 0;

	for (i = 0; i < r->count; i++) {
		const retort_lint_finding *f = &r->findings[i];

		assert_non_null(f->message);
		assert_true(f->message[0] != '\0');
		assert_null(f->rev);
		errors += f->level == RETORT_LINT_ERROR;
		rt_buf_printf(&b, "%s%s@%d", i ? " " : "", f->rule, f->line);
	}
	assert_int_equal(errors, r->errors);
	return rt_buf_detach(&b);
}

/* Lint a file of HEADER and one upgrade section: `opts` after the marker
 * ("" or " postgresql transaction=false"), `sql` its body. */
static void check(const rt_driver *dialect, const char *opts, const char *sql,
		  const char *expected)
{
	rt_buf text = RT_BUF_INIT;
	retort_lint_report r;
	char *got;

	rt_buf_printf(&text, HEADER "-- +upgrade%s\n%s\n", opts, sql);
	lint_text(&r, text.ptr, dialect);
	got = summary(&r);
	if (strcmp(got, expected))
		fail_msg("lint of:\n%s\nexpected: <%s>\n     got: <%s>", sql, expected, got);
	free(got);
	retort_lint_report_release(&r);
	rt_buf_release(&text);
}

/* The message of the only finding of `sql` (in a plain section, on PG). */
static void check_message(const char *sql, const char *expected)
{
	rt_buf text = RT_BUF_INIT;
	retort_lint_report r;

	rt_buf_printf(&text, HEADER "-- +upgrade\n%s\n", sql);
	lint_text(&r, text.ptr, PG);
	assert_int_equal(r.count, 1);
	assert_string_equal(r.findings[0].message, expected);
	retort_lint_report_release(&r);
	rt_buf_release(&text);
}

static void test_destructive(void **state)
{
	(void)state;
	check(ALL, "", "DROP TABLE a;", "drop-table@6");
	check(SQ, "", "DROP TABLE IF EXISTS s.a CASCADE;", "drop-table@6");
	check(ALL, "", "ALTER TABLE a DROP COLUMN b;", "drop-column@6");
	check(SQ, "", "ALTER TABLE a DROP COLUMN IF EXISTS b;", "drop-column@6");
	check(SQ, "", "TRUNCATE a;", "truncate@6");
	check(SQ, "", "ALTER TABLE a ALTER COLUMN b TYPE varchar(10);", "type-narrowing@6");
	check(SQ, "", "ALTER TABLE a ALTER COLUMN b TYPE integer;", "type-narrowing@6");
	/* to text nothing is lost, unless a USING expression computes it */
	check(SQ, "", "ALTER TABLE a ALTER COLUMN b TYPE text;", "");
	check(SQ, "", "ALTER TABLE a ALTER COLUMN b TYPE varchar;", "");
	check(SQ, "", "ALTER TABLE a ALTER COLUMN b TYPE text USING left(b, 3);",
	      "type-narrowing@6");
	/* what is not a statement is not linted */
	check(ALL, "", "SELECT 'DROP TABLE a; TRUNCATE b';\n-- DROP TABLE c;\n/* TRUNCATE d; */",
	      "");
	check(ALL, "",
	      "CREATE FUNCTION f() RETURNS void AS $$ DROP TABLE a; TRUNCATE b $$ LANGUAGE sql;",
	      "");
	/* DROP INDEX, DROP VIEW are not DROP TABLE */
	check(ALL, "", "DROP INDEX i;\nDROP VIEW v;\nALTER INDEX i RENAME TO j;", "");
	check_message("DROP TABLE a, s.b;", "drops tables 'a', 's.b' and every row in them");
	check_message("ALTER TABLE t DROP COLUMN c;", "drops column 'c' of 't' and its data");
	check_message("TRUNCATE ONLY t;", "truncates 't': every row is deleted");
}

static void test_created_in_the_same_migration(void **state)
{
	(void)state;
	/* a table the section itself created is new and empty */
	check(ALL, "",
	      "CREATE TABLE a (id int);\n"
	      "CREATE INDEX ix_a ON a (id);\n"
	      "ALTER TABLE a ADD COLUMN b int NOT NULL, ALTER COLUMN id SET NOT NULL,\n"
	      "  ALTER COLUMN id TYPE bigint, DROP COLUMN b,\n"
	      "  ADD CONSTRAINT fk FOREIGN KEY (id) REFERENCES x (id);\n"
	      "TRUNCATE a;\n"
	      "DROP TABLE a;",
	      "");
	check(PG, "", "CREATE TABLE s.a AS SELECT 1 AS x;\nCREATE INDEX i ON s.a (x);", "");
	check(PG, "", "SELECT 1 AS x INTO b;\nCREATE INDEX i ON b (x);", "");
	/* ... but only from the next statement on, and only that table */
	check(PG, "", "CREATE TABLE a (id int);\nCREATE INDEX i ON b (id);",
	      "pg-index-not-concurrent@7");
	check(PG, "", "CREATE TABLE s.a (id int);\nCREATE INDEX i ON a (id);",
	      "pg-index-not-concurrent@7");
}

static void test_postgresql_locks(void **state)
{
	(void)state;
	check(PG, "", "CREATE INDEX i ON t (a);", "pg-index-not-concurrent@6");
	check(PG, "", "CREATE UNIQUE INDEX i ON t (a);", "pg-index-not-concurrent@6");
	check(PG, " transaction=false", "CREATE INDEX CONCURRENTLY i ON t (a);", "");
	check(PG, "", "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id);",
	      "pg-foreign-key-validated@6");
	check(PG, "",
	      "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id) NOT VALID;\n"
	      "ALTER TABLE t VALIDATE CONSTRAINT fk;",
	      "");
	check(PG, "", "ALTER TABLE t ADD COLUMN a int NOT NULL;", "pg-add-not-null-column@6");
	check(PG, "", "ALTER TABLE t ADD COLUMN a int PRIMARY KEY;", "pg-add-not-null-column@6");
	check(PG, "",
	      "ALTER TABLE t ADD COLUMN a int NOT NULL DEFAULT 0,\n"
	      "  ADD COLUMN b bigserial NOT NULL,\n"
	      "  ADD COLUMN c int GENERATED ALWAYS AS IDENTITY NOT NULL,\n"
	      "  ADD COLUMN d int NOT NULL GENERATED ALWAYS AS (1) STORED,\n"
	      "  ADD COLUMN e int,\n"
	      "  ADD COLUMN f int REFERENCES u (id);",
	      "");
	check(PG, "", "ALTER TABLE t ALTER COLUMN a SET NOT NULL;", "pg-set-not-null@6");
	check(PG, "", "ALTER TABLE t ALTER COLUMN a TYPE text;", "pg-alter-column-type@6");
	check(PG, "", "ALTER TABLE t ALTER COLUMN a TYPE bigint;",
	      "type-narrowing@6 pg-alter-column-type@6");
	/* none of them on SQLite */
	check(SQ, "",
	      "CREATE INDEX i ON t (a);\n"
	      "ALTER TABLE t ADD COLUMN a int NOT NULL;\n"
	      "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id);\n"
	      "ALTER TABLE t ALTER COLUMN a SET NOT NULL;",
	      "");
	check_message("CREATE INDEX ix ON s.t (a);",
		      "creates index 'ix' on existing table 's.t' without CONCURRENTLY: writes "
		      "to it wait until the index is built; use CREATE INDEX CONCURRENTLY in a "
		      "transaction=false section");
	check_message("ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES u (id);",
		      "adds foreign key to 't' without NOT VALID: both tables are locked while "
		      "every row is checked; add it NOT VALID and VALIDATE CONSTRAINT in a later "
		      "migration");
}

static void test_transactions(void **state)
{
	(void)state;
	/* cannot run in the migration's transaction: an error */
	check(PG, "", "CREATE INDEX CONCURRENTLY i ON t (a);",
	      "non-transactional-statement@6");
	check(ALL, "",
	      "DROP INDEX CONCURRENTLY i;\n"
	      "REINDEX INDEX CONCURRENTLY i;\n"
	      "VACUUM;\n"
	      "VACUUM ANALYZE t;\n"
	      "ALTER SYSTEM SET work_mem = '64MB';\n"
	      "CREATE DATABASE d;\n"
	      "DROP DATABASE d;\n"
	      "CLUSTER;\n"
	      "ALTER TABLE p DETACH PARTITION c CONCURRENTLY;",
	      "non-transactional-statement@6 non-transactional-statement@7 "
	      "non-transactional-statement@8 non-transactional-statement@9 "
	      "non-transactional-statement@10 non-transactional-statement@11 "
	      "non-transactional-statement@12 non-transactional-statement@13 "
	      "non-transactional-statement@14");
	/* ... these can */
	check(ALL, "", "ANALYZE t;\nCLUSTER t USING i;\nREINDEX INDEX i;\n"
	      "REFRESH MATERIALIZED VIEW CONCURRENTLY v;", "");
	/* transaction=false with nothing that needs it: a warning on the marker */
	check(ALL, " transaction=false", "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);",
	      "transaction-false-unneeded@5");
	check(PG, " postgresql transaction=false",
	      "CREATE INDEX CONCURRENTLY i ON t (a);\nCREATE INDEX CONCURRENTLY j ON t (b);", "");
	check(ALL, " transaction=false", "VACUUM;", "");
	/* the file manages its own transactions */
	check(ALL, " transaction=false", "BEGIN;\nINSERT INTO a VALUES (1);\nCOMMIT;", "");
	/* a statement the parser could not read might need it */
	check(SQ, " sqlite transaction=false", "PRAGMA foreign_keys = OFF;\nDELETE FROM a;", "");
	/* an empty section needs nothing */
	check(ALL, " transaction=false", "-- nothing yet", "");
	check_message("VACUUM FULL t;",
		      "VACUUM cannot run inside a transaction; move it to a section marked "
		      "transaction=false");
}

static void test_syntax_errors(void **state)
{
	retort_lint_report r;

	(void)state;
	/* PostgreSQL runs the section: an error where the parser stopped */
	check(PG, "", "SELECT 1;\nCREATE TABLE a (\n  id int,\n  x int PRIMARY KEY AUTOINCREMENT\n);",
	      "syntax-error@9");
	check(ALL, "", "CREATE TABLE `a` (id int);\nDROP TABLE b;",
	      "syntax-error@6 drop-table@7");
	check_message("SELEC 1;", "cannot parse the statement: syntax error at or near \"SELEC\"");
	/* statements without a keyword, which the scanner's split leaves out */
	check(PG, "", "SELECT 1;\nSELEC 1;\nDROP TABLE a;\nfoo bar; ;\n-- end",
	      "syntax-error@7 drop-table@8 syntax-error@9");
	check(PG, "", "SELECT (;\nfoo", "syntax-error@6");
	/* only SQLite runs it: skipped and counted, the rest still linted */
	lint_text(&r, HEADER "-- +upgrade sqlite\n"
		  "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT);\n"
		  "DROP TABLE b;\n"
		  "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;\n"
		  "-- +upgrade postgresql\n"
		  "SELEC 1;\n", SQ);
	assert_int_equal(r.count, 1);
	assert_string_equal(r.findings[0].rule, "drop-table");
	assert_int_equal(r.findings[0].line, 7);
	assert_int_equal(r.errors, 0);
	assert_true(r.skipped >= 2);
	retort_lint_report_release(&r);
	/* an unterminated quote: the scanner cannot split it either */
	check(PG, "", "SELECT 1;\nSELECT 'oops;", "syntax-error@7");
	check(SQ, "", "SELECT 1;\nSELECT 'oops;", "");
}

static void test_dialect_of_sections(void **state)
{
	const char *text = HEADER
		"-- +upgrade sqlite\n"          /* 5 */
		"DROP TABLE only_sqlite;\n"     /* 6 */
		"-- +upgrade\n"                 /* 7 */
		"DROP TABLE plain;\n"           /* 8 */
		"-- +downgrade postgresql\n"    /* 9 */
		"VACUUM;\n"                     /* 10 */
		"-- +downgrade\n"               /* 11 */
		"REINDEX DATABASE d;\n";        /* 12 */
	retort_lint_report r;
	char *got;

	(void)state;
	lint_text(&r, text, SQ);
	assert_string_equal(got = summary(&r), "drop-table@6 non-transactional-statement@12");
	free(got);
	retort_lint_report_release(&r);
	lint_text(&r, text, PG);
	assert_string_equal(got = summary(&r), "drop-table@8 non-transactional-statement@10");
	free(got);
	retort_lint_report_release(&r);
	/* both: each section once, though the plain one serves only PostgreSQL */
	lint_text(&r, text, ALL);
	assert_string_equal(got = summary(&r),
			    "drop-table@6 drop-table@8 non-transactional-statement@10 "
			    "non-transactional-statement@12");
	free(got);
	retort_lint_report_release(&r);
	/* the alias is PostgreSQL's section */
	check(PG, " postgres", "CREATE INDEX i ON t (a);", "pg-index-not-concurrent@6");
	check(SQ, " postgres", "CREATE INDEX i ON t (a);", "");
	/* the full rule set is the driver's to say: PostgreSQL's, whose
	 * parser lint reads with */
	assert_true(PG->lint_full_rules);
	assert_false(SQ->lint_full_rules);
}

static void test_downgrade_may_destroy(void **state)
{
	retort_lint_report r;
	char *got;

	(void)state;
	lint_text(&r, HEADER "-- +upgrade\nCREATE TABLE a (id int);\n"
		  "-- +downgrade\n"        /* 7 */
		  "DROP TABLE a;\n"        /* 8 */
		  "ALTER TABLE b DROP COLUMN c, ALTER COLUMN d SET NOT NULL;\n"
		  "CREATE INDEX i ON b (d);\n"
		  "DROP INDEX CONCURRENTLY j;\n", ALL);   /* 11 */
	assert_string_equal(got = summary(&r), "non-transactional-statement@11");
	free(got);
	retort_lint_report_release(&r);
}

static void test_lines(void **state)
{
	(void)state;
	check(ALL, "",
	      "\n"                                   /* 6 */
	      "-- a comment\n"                       /* 7 */
	      "/* a block\n   comment */\n"          /* 8, 9 */
	      "SELECT 1; SELECT 'a\nb'; DROP\n"      /* 10, 11 */
	      "TABLE a; TRUNCATE b;\n"               /* 12 */
	      "  \t DROP TABLE \"Ünïcode\";",        /* 13 */
	      "drop-table@11 truncate@12 drop-table@13");
	/* a parse error far into a statement points at its line */
	check(PG, "", "SELECT 'é';\nCREATE TABLE é (\n  a int,\n  b int,\n  c int c\n);",
	      "syntax-error@10");
}

static void test_ignore(void **state)
{
	(void)state;
	check(ALL, "", "-- retort:lint-ignore drop-table\nDROP TABLE a;", "");
	check(ALL, "", "--retort:lint-ignore drop-table\nDROP TABLE a;", "");
	check(ALL, "", "  -- retort:lint-ignore   truncate, drop-table  \nDROP TABLE a;", "");
	check(PG, "", "-- retort:lint-ignore type-narrowing pg-alter-column-type\n"
	      "ALTER TABLE t ALTER COLUMN a TYPE int;", "");
	/* only the rules named */
	check(PG, "", "-- retort:lint-ignore type-narrowing\n"
	      "ALTER TABLE t ALTER COLUMN a TYPE int;", "pg-alter-column-type@7");
	/* only for the statement directly below */
	check(ALL, "", "-- retort:lint-ignore drop-table\n\nDROP TABLE a;", "drop-table@8");
	check(ALL, "", "-- retort:lint-ignore drop-table\nDROP TABLE a;\nDROP TABLE b;",
	      "drop-table@8");
	/* a comment at the end of the previous statement's line is not it */
	check(ALL, "", "SELECT 1; -- retort:lint-ignore drop-table\nDROP TABLE a;",
	      "drop-table@7");
	/* nor is text that only starts like it */
	check(ALL, "", "-- retort:lint-ignored drop-table\nDROP TABLE a;", "drop-table@7");
	/* a misspelt rule is reported on the comment */
	check(ALL, "", "-- retort:lint-ignore drop-tabel\nDROP TABLE a;",
	      "lint-ignore-unknown@6 drop-table@7");
	/* errors too */
	check(PG, "", "-- retort:lint-ignore non-transactional-statement\nVACUUM;", "");
	check(PG, "", "-- retort:lint-ignore syntax-error\nSELEC 1;", "");
	/* a section's own finding: the comment goes above the marker */
	check(ALL, " transaction=false", "-- retort:lint-ignore transaction-false-unneeded\n"
	      "SELECT 1;", "transaction-false-unneeded@5");
	{
		retort_lint_report r;

		lint_text(&r, HEADER "-- retort:lint-ignore transaction-false-unneeded\n"
			  "-- +upgrade transaction=false\nSELECT 1;\n", ALL);
		assert_int_equal(r.count, 0);
		retort_lint_report_release(&r);
	}
	/* CRLF files */
	{
		retort_lint_report r;
		char *got;

		lint_text(&r, "-- t\r\n-- revision: t1\r\n\r\n-- +upgrade\r\n"
			  "-- retort:lint-ignore drop-table\r\nDROP TABLE a;\r\nDROP TABLE b;\r\n",
			  ALL);
		assert_string_equal(got = summary(&r), "drop-table@7");
		free(got);
		retort_lint_report_release(&r);
	}
}

static void test_nul_and_empty(void **state)
{
	static const char text[] = HEADER "-- +upgrade\nSELECT 1;\0DROP TABLE a;\n";
	retort_lint_report r;
	rt_script s;
	rt_buf err = RT_BUF_INIT;

	(void)state;
	/* the parser refuses a NUL byte (the SQL after it would not run), so
	 * lint never sees one */
	memset(&r, 0, sizeof(r));
	assert_rt_fails(rt_script_parse(&s, "t.sql", text, sizeof(text) - 1, 0, &err),
			RETORT_EINVALID);
	assert_non_null(strstr(err.ptr, "t.sql:"));
	assert_non_null(strstr(err.ptr, "NUL byte"));
	rt_buf_release(&err);
	check(ALL, "", "", "");
	check(ALL, "", ";;;", "");
	retort_lint_report_release(NULL);
}

/* Enough findings to grow the array several times. */
static void test_many(void **state)
{
	rt_buf sql = RT_BUF_INIT, want = RT_BUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 100; i++) {
		rt_buf_printf(&sql, "DROP TABLE t%d;\n", i);
		rt_buf_printf(&want, "%sdrop-table@%d", i ? " " : "", 6 + i);
	}
	check(ALL, "", sql.ptr, want.ptr);
	rt_buf_release(&sql);
	rt_buf_release(&want);
}

/* check() and check_message() with the schema before the revision known. */
static void check_known(const rt_driver *dialect, const char *sql, const char *expected)
{
	known = 1;
	check(dialect, "", sql, expected);
	known = 0;
}

/* The message of finding `i` of `sql` on PG, the schema known or not,
 * contains `part`. */
static void check_part(int know, const char *sql, size_t i, const char *part)
{
	rt_buf text = RT_BUF_INIT;
	retort_lint_report r;

	known = know;
	rt_buf_printf(&text, HEADER "-- +upgrade\n%s\n", sql);
	lint_text(&r, text.ptr, PG);
	known = 0;
	assert_true(r.count > i);
	if (!strstr(r.findings[i].message, part))
		fail_msg("finding %zu of:\n%s\nis <%s>, without <%s>", i, sql,
			 r.findings[i].message, part);
	retort_lint_report_release(&r);
	rt_buf_release(&text);
}

/* What autogenerate writes for a SQLite table rebuild
 * (render_sqlite.c), keeping the columns `kept` of t. */
#define REBUILD(create, kept) \
	"-- rebuild table t: change\n" \
	"CREATE TABLE \"new_t\" (" create ");\n" \
	"INSERT INTO \"new_t\" (" kept ")\n" \
	"    SELECT " kept " FROM \"t\";\n" \
	"DROP TABLE \"t\";\n" \
	"ALTER TABLE \"new_t\" RENAME TO \"t\";\n" \
	"CREATE INDEX \"ix_t_n\" ON \"t\" (\"n\");"

static void test_rebuild(void **state)
{
	(void)state;
	/* every column copied: no row and no column lost */
	check_known(SQ, REBUILD("\"id\" INTEGER, \"name\" TEXT, \"note\" TEXT, \"n\" INTEGER, "
				"\"price\" NUMERIC, \"ip\" TEXT, \"ts\" TEXT",
				"\"id\", \"name\", \"note\", \"n\", \"price\", \"ip\", \"ts\""), "");
	check_known(SQ, "CREATE TABLE t_new (id int);\nINSERT INTO t_new SELECT * FROM t;\n"
		    "DROP TABLE t;\nALTER TABLE t_new RENAME TO t;", "");
	/* the columns left out are dropped, reported on the DROP TABLE */
	check_known(SQ, REBUILD("\"id\" INTEGER, \"n\" INTEGER", "\"id\", \"n\""),
		    "drop-column@10");
	check_part(1, REBUILD("\"id\" INTEGER, \"n\" INTEGER", "\"id\", \"n\""), 0,
		   "rebuilds table 't' without columns 'name', 'note', 'price', 'ip', 'ts': "
		   "the data in them is dropped");
	/* an expression reading a column keeps it */
	check_known(SQ, "CREATE TABLE t2 (id int, name text, note text, n int, price int, ip text,"
		    " ts text);\nINSERT INTO t2 SELECT id, upper(name), note || '', n, price, "
		    "CAST(ip AS text), ts FROM t;\nDROP TABLE t;\nALTER TABLE t2 RENAME TO t;", "");
	/* a copy of only some of the rows drops the others */
	check_known(SQ, "CREATE TABLE t2 (id int);\nINSERT INTO t2 SELECT * FROM t WHERE id > 0;\n"
		    "DROP TABLE t;\nALTER TABLE t2 RENAME TO t;", "drop-table@8");
	check_part(1, "CREATE TABLE t2 (id int);\nINSERT INTO t2 SELECT DISTINCT * FROM t;\n"
		   "DROP TABLE t;\nALTER TABLE t2 RENAME TO t;", 0,
		   "rebuilds table 't' copying only the rows its SELECT keeps");
	/* the old columns unknown: say which were kept, and why no more */
	check(SQ, "", REBUILD("\"id\" INTEGER", "\"id\""), "drop-column@10");
	check_part(0, REBUILD("\"id\" INTEGER", "\"id\""), 0,
		   "rebuilds table 't' keeping only 'id'; lint cannot see the columns it had "
		   "(no scratch database in this test)");
	/* a DROP TABLE no rename follows, or one of another table, is one */
	check_known(SQ, "CREATE TABLE t2 (id int);\nINSERT INTO t2 SELECT * FROM t;\n"
		    "DROP TABLE t;", "drop-table@8");
	check_known(SQ, "CREATE TABLE t2 (id int);\nINSERT INTO t2 SELECT * FROM t;\n"
		    "DROP TABLE t;\nALTER TABLE t2 RENAME TO u;", "drop-table@8");
	check_known(SQ, "CREATE TABLE t2 (id int);\nDROP TABLE t;\nALTER TABLE t2 RENAME TO t;",
		    "drop-table@7");
	check_known(ALL, "DROP TABLE t;", "drop-table@6");
	/* the DROP's ignore comment holds for what is decided later */
	check_known(SQ, "CREATE TABLE t2 (id int);\nINSERT INTO t2 SELECT * FROM t;\n"
		    "-- retort:lint-ignore drop-table\nDROP TABLE t;", "");
	check_known(SQ, "CREATE TABLE t2 (id int);\nINSERT INTO t2 SELECT id FROM t;\n"
		    "-- retort:lint-ignore drop-column\nDROP TABLE t;\n"
		    "ALTER TABLE t2 RENAME TO t;", "");
	/* nothing asks for the schema where no rule needs it */
	asked = 0;
	check_known(ALL, "DROP TABLE t;\nCREATE INDEX i ON t (id);", "drop-table@6 "
		    "pg-index-not-concurrent@7");
	assert_int_equal(asked, 0);
}

static void test_type_changes(void **state)
{
	(void)state;
	/* in PostgreSQL's catalog alone (binary coercible, or a limit only
	 * raised): no rewrite, and nothing lost */
	check_known(PG, "ALTER TABLE t ALTER COLUMN name TYPE text;", "");
	check_known(PG, "ALTER TABLE t ALTER COLUMN name TYPE varchar(200);", "");
	check_known(PG, "ALTER TABLE t ALTER COLUMN name TYPE character varying;", "");
	check_known(PG, "ALTER TABLE t ALTER COLUMN note TYPE varchar;", "");
	check_known(PG, "ALTER TABLE t ALTER COLUMN price TYPE numeric(12,2);", "");
	check_known(PG, "ALTER TABLE t ALTER COLUMN price TYPE numeric;", "");
	check_known(PG, "ALTER TABLE t ALTER COLUMN ip TYPE inet;", "");
	check_known(PG, "ALTER TABLE t ALTER COLUMN ts TYPE timestamp(6);", "");
	check_known(PG, "ALTER TABLE t ALTER COLUMN ts TYPE timestamp;", "");
	check_known(PG, "ALTER TABLE t ALTER COLUMN id TYPE int4;", "");
	/* a widening that rewrites the table */
	check_known(PG, "ALTER TABLE t ALTER COLUMN id TYPE bigint;", "pg-alter-column-type@6");
	check_known(PG, "ALTER TABLE t ALTER COLUMN n TYPE numeric(20,0);", "pg-alter-column-type@6");
	check_known(PG, "ALTER TABLE t ALTER COLUMN price TYPE numeric(12,3);",
		    "pg-alter-column-type@6");
	check_known(SQ, "ALTER TABLE t ALTER COLUMN id TYPE bigint;", "");
	/* narrowing */
	check_known(PG, "ALTER TABLE t ALTER COLUMN name TYPE varchar(50);",
		    "type-narrowing@6 pg-alter-column-type@6");
	check_known(PG, "ALTER TABLE t ALTER COLUMN note TYPE varchar(10);",
		    "type-narrowing@6 pg-alter-column-type@6");
	check_known(PG, "ALTER TABLE t ALTER COLUMN price TYPE numeric(9,2);",
		    "type-narrowing@6 pg-alter-column-type@6");
	check_known(PG, "ALTER TABLE t ALTER COLUMN id TYPE smallint;",
		    "type-narrowing@6 pg-alter-column-type@6");
	check_known(PG, "ALTER TABLE t ALTER COLUMN ts TYPE timestamp(0);",
		    "type-narrowing@6 pg-alter-column-type@6");
	check_known(SQ, "ALTER TABLE t ALTER COLUMN n TYPE smallint;", "type-narrowing@6");
	check_known(PG, "ALTER TABLE t ALTER COLUMN name TYPE text USING name;",
		    "type-narrowing@6 pg-alter-column-type@6");
	check_part(1, "ALTER TABLE t ALTER COLUMN name TYPE varchar(50);", 0,
		   "changes column 'name' of 't' from 'character varying(100)' to 'varchar(50)'");
	/* the type an earlier statement of the section gave */
	check_known(PG, "ALTER TABLE t ALTER COLUMN name TYPE varchar(20);\n"
		    "ALTER TABLE t ALTER COLUMN name TYPE varchar(30);",
		    "type-narrowing@6 pg-alter-column-type@6");
	check_known(PG, "ALTER TABLE t ADD COLUMN x varchar(10);\n"
		    "ALTER TABLE t ALTER COLUMN x TYPE varchar(20);", "");
	check(SQ, "", "ALTER TABLE t ALTER COLUMN name TYPE text;\n"
	      "ALTER TABLE t ALTER COLUMN name TYPE varchar(20);", "type-narrowing@7");
	/* the old type unknown: said so, not guessed */
	check(PG, "", "ALTER TABLE t ALTER COLUMN name TYPE text;", "pg-alter-column-type@6");
	check_part(0, "ALTER TABLE t ALTER COLUMN name TYPE text;", 0,
		   "unless the old type converts in place (varchar to text, a longer varchar), "
		   "which lint cannot see (no scratch database in this test)");
	check_part(0, "ALTER TABLE t ALTER COLUMN id TYPE bigint;", 0,
		   "changes column 'id' of 't' to 'bigint' from a type lint cannot see (no "
		   "scratch database in this test)");
	check_part(1, "ALTER TABLE t ALTER COLUMN nosuch TYPE bigint;", 0,
		   "from a type lint cannot see (the migrations before it leave no such column)");
}

static void test_primary_key(void **state)
{
	(void)state;
	check(PG, "", "ALTER TABLE t DROP CONSTRAINT t_pkey;\nALTER TABLE t ADD PRIMARY KEY (id);",
	      "pg-add-primary-key@7");
	check(PG, "", "ALTER TABLE t ADD CONSTRAINT t_pk PRIMARY KEY (id, n);",
	      "pg-add-primary-key@6");
	check_part(0, "ALTER TABLE t DROP CONSTRAINT t_pkey;\nALTER TABLE t ADD PRIMARY KEY (id);",
		   0, "adds primary key to existing table 't' after dropping the old one (no key "
		   "holds in between): its unique index is built under an ACCESS EXCLUSIVE lock");
	check_part(0, "ALTER TABLE t ADD CONSTRAINT k PRIMARY KEY (id);", 0,
		   "CREATE UNIQUE INDEX CONCURRENTLY");
	/* the way the rule suggests, a new table, and SQLite: nothing */
	check(PG, "", "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_id_key;", "");
	check(PG, "", "CREATE TABLE u (id int);\nALTER TABLE u ADD PRIMARY KEY (id);", "");
	check(SQ, "", "ALTER TABLE t ADD PRIMARY KEY (id);", "");
}

static void test_do_blocks(void **state)
{
	(void)state;
	/* the body's statements on their own lines, in IF and loops too */
	check(ALL, "",
	      "DO $$\n"
	      "DECLARE r record;\n"
	      "BEGIN\n"
	      "  ALTER TABLE t DROP COLUMN c;\n"
	      "  IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = 'x') THEN\n"
	      "    FOR r IN SELECT 1 LOOP\n"
	      "      DROP TABLE x;\n"
	      "    END LOOP;\n"
	      "  END IF;\n"
	      "EXCEPTION WHEN others THEN\n"
	      "  TRUNCATE y;\n"
	      "END $$;",
	      "drop-column@9 drop-table@12 truncate@16");
	/* after other statements, with a tag, on one line */
	check(PG, "", "SELECT 1;\nDO $body$ BEGIN ALTER TABLE t ALTER COLUMN a TYPE int; END $body$;",
	      "type-narrowing@7 pg-alter-column-type@7");
	/* a lint-ignore comment inside the body */
	check(ALL, "",
	      "DO $$\nBEGIN\n  -- retort:lint-ignore drop-table\n  DROP TABLE a;\n"
	      "  DROP TABLE b;\nEND\n$$;", "drop-table@10");
	/* a body in single quotes: a doubled quote moves nothing */
	check(ALL, "", "DO 'BEGIN\n  UPDATE t SET a = ''x'';\n  DROP TABLE z;\nEND';",
	      "drop-table@8");
	/* EXECUTE: a constant is linted, anything else is unseen */
	check(ALL, "",
	      "DO $$\nBEGIN\n  EXECUTE 'DROP TABLE a';\n"
	      "  EXECUTE format('DROP TABLE %I', 'b');\nEND $$;",
	      "drop-table@8 do-dynamic-sql@9");
	/* what cannot run in a function cannot run in a DO block either */
	check(PG, "", "DO $$ BEGIN CREATE INDEX CONCURRENTLY i ON t (a); END $$;",
	      "non-transactional-statement@6");
	check_part(0, "DO $$ BEGIN VACUUM; END $$;", 0, "VACUUM cannot run inside a DO block");
	/* a table the block creates is new; another language is not read */
	check(ALL, "", "DO $$ BEGIN CREATE TABLE n (a int); DROP TABLE n; END $$;", "");
	check(ALL, "", "DO LANGUAGE plperl $$ DROP TABLE a $$;", "");
	check(ALL, "", "DO $$ BEGIN RAISE NOTICE 'DROP TABLE a'; END $$;", "");
	/* a downgrade may drop what its upgrade made */
	{
		retort_lint_report r;

		lint_text(&r, HEADER "-- +upgrade\nSELECT 1;\n-- +downgrade\n"
			  "DO $$ BEGIN DROP TABLE a; END $$;\n", ALL);
		assert_int_equal(r.count, 0);
		retort_lint_report_release(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_destructive),
		cmocka_unit_test(test_created_in_the_same_migration),
		cmocka_unit_test(test_postgresql_locks),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_dialect_of_sections),
		cmocka_unit_test(test_downgrade_may_destroy),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_ignore),
		cmocka_unit_test(test_nul_and_empty),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_rebuild),
		cmocka_unit_test(test_type_changes),
		cmocka_unit_test(test_primary_key),
		cmocka_unit_test(test_do_blocks),
	};
	int rc;

	if (!rt_lint_supported()) {
		puts("# skipped: built without libpg_query (RETORT_WITH_PG=OFF)");
		return 0;
	}
	/* a NULL would lint for every dialect and hide what a test means */
	if (!PG || !SQ) {
		puts("# the registry lacks a dialect of this build");
		return 1;
	}
	set_before();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rt_schema_release(&before_schema);
	return rc;
}
