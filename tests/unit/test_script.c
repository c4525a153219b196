/*
 * test_script.c - the migration file parser (script.c): headers, sections,
 * the errors users see for malformed files, header-only loads, slugs and
 * file_template.
 */
#include "rt_test.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"

static const char plain_text[] =
	"-- Add posts table\n"
	"--\n"
	"-- Longer description lines are allowed here (go into `doc`).\n"
	"-- Note: this is not a key.\n"
	"--\n"
	"-- revision: 3f2a9c1b7d4e\n"
	"-- down_revision: 1a2b3c4d5e6f\n"
	"-- branch_labels:\n"
	"-- depends_on:\n"
	"-- create_date: 2026-11-22 10:00:00+00:00\n"
	"\n"
	"-- +upgrade\n"
	"CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT NOT NULL);\n"
	"\n"
	"-- +upgrade postgresql\n"
	"CREATE TABLE posts (id SERIAL PRIMARY KEY, title TEXT NOT NULL);\n"
	"\n"
	"-- +downgrade\n"
	"DROP TABLE posts;\n";

/* ---- helpers --------------------------------------------------------- */

static int parse_str(rt_script *s, const char *text, int header_only, rt_buf *err)
{
	return rt_script_parse(s, "v/x.sql", text, strlen(text), header_only, err);
}

/* The body of a section as a string (static buffer, for assertions). */
static const char *body(const rt_script *s, const rt_section *sec)
{
	static char buf[4096];

	assert_non_null(sec);
	assert_true(sec->offset + sec->len <= s->text_len);
	assert_true(sec->len < sizeof(buf));
	memcpy(buf, s->text + sec->offset, sec->len);
	buf[sec->len] = '\0';
	return buf;
}

/* Parse must fail with RETORT_EINVALID and a message equal to `want`. */
static void assert_parse_error(const char *text, const char *want)
{
	rt_script s;
	rt_buf err = RT_BUF_INIT;

	assert_rt_fails(parse_str(&s, text, 0, &err), RETORT_EINVALID);
	assert_string_equal(err.ptr, want);
	/* a failed parse leaves nothing to free, and release is still safe */
	assert_null(s.revision);
	rt_script_release(&s);
	rt_buf_release(&err);
}

static char *resource(const char *name)
{
	const char *dir = getenv("RETORT_TEST_RESOURCES");
	rt_buf b = RT_BUF_INIT;

	rt_buf_printf(&b, "%s/scripts/%s", dir ? dir : "tests/resources", name);
	return rt_buf_detach(&b);
}

static char *make_tmpdir(void)
{
	char tmpl[] = "/tmp/rt_test_script.XXXXXX";
	char *dir = mkdtemp(tmpl);

	assert_non_null(dir);
	return rt_strdup(dir);
}

/* Bytes this process has read with read(2) so far, or -1 where /proc
 * does not say. */
static long long bytes_read(void)
{
	char line[256];
	long long v = -1;
	FILE *fp = fopen("/proc/self/io", "r");

	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (!strncmp(line, "rchar:", 6))
			v = atoll(line + 6);
	fclose(fp);
	return v;
}

/* ---- good files -------------------------------------------------------- */

static void test_plain(void **state)
{
	rt_script s;
	rt_buf err = RT_BUF_INIT;

	assert_rt_ok_err(parse_str(&s, plain_text, 0, &err), &err);
	assert_string_equal(s.path, "v/x.sql");
	assert_string_equal(s.revision, "3f2a9c1b7d4e");
	assert_string_equal(s.message, "Add posts table");
	assert_string_equal(s.doc, "Longer description lines are allowed here (go into `doc`).\n"
				   "Note: this is not a key.");
	assert_int_equal(s.down_revisions.count, 1);
	assert_string_equal(s.down_revisions.items[0], "1a2b3c4d5e6f");
	assert_int_equal(s.branch_labels.count, 0);
	assert_int_equal(s.depends_on.count, 0);
	assert_string_equal(s.create_date, "2026-11-22 10:00:00+00:00");
	assert_int_equal(s.text_len, strlen(plain_text));
	assert_memory_equal(s.text, plain_text, s.text_len);

	assert_int_equal(s.nsections, 3);
	assert_int_equal(s.sections[0].direction, RT_UP);
	assert_null(s.sections[0].dialect);
	assert_int_equal(s.sections[0].transactional, 1);
	assert_int_equal(s.sections[0].line, 13);
	assert_string_equal(body(&s, &s.sections[0]),
			    "CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT NOT NULL);\n\n");
	assert_int_equal(s.sections[1].direction, RT_UP);
	assert_string_equal(s.sections[1].dialect, "postgresql");
	assert_int_equal(s.sections[1].line, 16);
	assert_string_equal(body(&s, &s.sections[1]),
			    "CREATE TABLE posts (id SERIAL PRIMARY KEY, title TEXT NOT NULL);\n\n");
	assert_int_equal(s.sections[2].direction, RT_DOWN);
	assert_null(s.sections[2].dialect);
	assert_int_equal(s.sections[2].line, 19);
	assert_string_equal(body(&s, &s.sections[2]), "DROP TABLE posts;\n");

	rt_script_release(&s);
	assert_null(s.revision);
	assert_null(s.sections);
	rt_script_release(&s);  /* twice is harmless */
	rt_buf_release(&err);
}

static void test_lists(void **state)
{
	rt_script s;
	rt_buf err = RT_BUF_INIT;

	assert_rt_ok_err(parse_str(&s,
		"-- Merge\n"
		"-- revision: m1\n"
		"-- down_revision: a1, b2 c3,d4\n"
		"-- branch_labels:  release-1.0 ,main,feature.x_2\n"
		"-- depends_on : dep1 dep2\n"
		"-- +upgrade\n", 0, &err), &err);
	assert_string_equal(s.message, "Merge");
	assert_string_equal(s.doc, "");
	assert_string_equal(s.create_date, "");
	assert_int_equal(s.down_revisions.count, 4);
	assert_string_equal(s.down_revisions.items[0], "a1");
	assert_string_equal(s.down_revisions.items[1], "b2");
	assert_string_equal(s.down_revisions.items[2], "c3");
	assert_string_equal(s.down_revisions.items[3], "d4");
	assert_int_equal(s.branch_labels.count, 3);
	assert_string_equal(s.branch_labels.items[0], "release-1.0");
	assert_string_equal(s.branch_labels.items[1], "main");
	assert_string_equal(s.branch_labels.items[2], "feature.x_2");
	assert_int_equal(s.depends_on.count, 2);
	assert_string_equal(s.depends_on.items[0], "dep1");
	assert_string_equal(s.depends_on.items[1], "dep2");
	/* the marker is the last line, without a newline after it */
	assert_int_equal(s.nsections, 1);
	assert_int_equal(s.sections[0].len, 0);
	assert_int_equal(s.sections[0].line, 7);
	rt_script_release(&s);
	rt_buf_release(&err);
}

static void test_base_and_no_message(void **state)
{
	rt_script s;
	rt_buf err = RT_BUF_INIT;

	/* keys first: the comment after them is neither message nor doc */
	assert_rt_ok_err(parse_str(&s,
		"-- revision:abc_DEF_123\n"
		"-- down_revision:\n"
		"-- Added by hand\n"
		"-- +upgrade\n"
		"SELECT 1;\n", 0, &err), &err);
	assert_string_equal(s.revision, "abc_DEF_123");
	assert_string_equal(s.message, "");
	assert_string_equal(s.doc, "");
	assert_int_equal(s.down_revisions.count, 0);
	assert_null(rt_script_section(&s, RT_DOWN, "sqlite"));
	assert_string_equal(body(&s, rt_script_section(&s, RT_UP, "sqlite")), "SELECT 1;\n");
	rt_script_release(&s);
	rt_buf_release(&err);
}

static void test_alembic_keys(void **state)
{
	rt_script s;
	rt_buf err = RT_BUF_INIT;

	assert_rt_ok_err(parse_str(&s,
		"-- Create account table\n"
		"--\n"
		"-- Revision ID: ae1027a6acf\n"
		"-- Revises: 1975ea83b712, 2b1ae634e5cd\n"
		"-- Create Date: 2011-11-08 11:40:27.089406\n"
		"\n"
		"-- +upgrade\n", 0, &err), &err);
	assert_string_equal(s.revision, "ae1027a6acf");
	assert_int_equal(s.down_revisions.count, 2);
	assert_string_equal(s.down_revisions.items[1], "2b1ae634e5cd");
	assert_string_equal(s.create_date, "2011-11-08 11:40:27.089406");
	assert_string_equal(s.message, "Create account table");
	rt_script_release(&s);

	/* base revision in Alembic's spelling: "Revises:" with nothing */
	assert_rt_ok_err(parse_str(&s, "-- Revision ID: aaa\n-- Revises:\n-- +upgrade\n", 0, &err),
			 &err);
	assert_int_equal(s.down_revisions.count, 0);
	assert_int_equal(s.nsections, 1);
	rt_script_release(&s);
	rt_buf_release(&err);
}

static void test_crlf_and_bom(void **state)
{
	static const char crlf[] =
		"\xEF\xBB\xBF-- Add posts table\r\n"
		"--\r\n"
		"-- revision: 3f2a9c1b7d4e\r\n"
		"-- down_revision: 1a2b3c4d5e6f\r\n"
		"\r\n"
		"-- +upgrade sqlite  \r\n"
		"CREATE TABLE posts (id INTEGER);\r\n"
		"\r\n"
		"-- +downgrade\r\n"
		"DROP TABLE posts;\r\n";
	rt_script s;
	rt_buf err = RT_BUF_INIT;

	assert_rt_ok_err(parse_str(&s, crlf, 0, &err), &err);
	assert_string_equal(s.message, "Add posts table");
	assert_string_equal(s.revision, "3f2a9c1b7d4e");
	assert_string_equal(s.down_revisions.items[0], "1a2b3c4d5e6f");
	assert_int_equal(s.nsections, 2);
	assert_string_equal(s.sections[0].dialect, "sqlite");
	assert_int_equal(s.sections[0].line, 7);
	assert_string_equal(body(&s, &s.sections[0]), "CREATE TABLE posts (id INTEGER);\r\n\r\n");
	assert_int_equal(s.sections[1].line, 10);
	assert_string_equal(body(&s, &s.sections[1]), "DROP TABLE posts;\r\n");
	/* offsets are into the original text, BOM included */
	assert_memory_equal(s.text, crlf, sizeof(crlf) - 1);
	rt_script_release(&s);

	/* an error's line number counts the BOM line as line 1 */
	assert_rt_fails(parse_str(&s, "\xEF\xBB\xBF-- m\r\n-- revision: x-y\r\n", 0, &err),
			RETORT_EINVALID);
	assert_string_equal(err.ptr, "v/x.sql:2: bad revision id 'x-y' (only letters, digits and '_' are allowed)");
	rt_buf_release(&err);
}

static void test_section_options(void **state)
{
	rt_script s;
	rt_buf err = RT_BUF_INIT;

	/* whole lines are markers, even inside a string literal; lower-case
	 * words are dialects as written, for rt_script_resolve_dialects
	 * (test_registry.c: 'inside' is an unknown section option) */
	assert_rt_ok_err(parse_str(&s,
		"-- revision: r1\n"
		"-- +upgrade\n"
		"SELECT '\n"
		"-- +downgrade inside a string\n"
		"';\n", 0, &err), &err);
	assert_int_equal(s.nsections, 2);
	assert_string_equal(s.sections[1].dialect, "inside a string");
	assert_int_equal(s.sections[1].line, 5);
	rt_script_release(&s);

	assert_rt_ok_err(parse_str(&s,
		"-- revision: r1\n"
		"-- +upgrade\n"
		"-- +upgraded is not a marker\n"
		"-- +upgrade  postgres   transaction=false\n"
		"CREATE INDEX CONCURRENTLY i ON t (c);\n"
		"-- +downgrade transaction=true sqlite\n"
		"-- +downgrade postgresql transaction=false\n"
		"DROP INDEX CONCURRENTLY i;\n", 0, &err), &err);
	assert_int_equal(s.nsections, 4);
	assert_string_equal(body(&s, &s.sections[0]), "-- +upgraded is not a marker\n");
	/* as written: the registry's check makes the alias the dialect's name */
	assert_string_equal(s.sections[1].dialect, "postgres");
	assert_int_equal(s.sections[1].transactional, 0);
	assert_string_equal(s.sections[2].dialect, "sqlite");
	assert_int_equal(s.sections[2].transactional, 1);
	assert_int_equal(s.sections[2].len, 0);
	assert_int_equal(s.sections[3].transactional, 0);
	assert_int_equal(s.sections[3].line, 8);
	assert_rt_ok_err(rt_script_check_dialects(&s, &err), &err);
	assert_string_equal(s.sections[1].dialect, "postgresql");
	assert_string_equal(s.sections[2].dialect, "sqlite");
	rt_script_release(&s);

	/* "-- +upgraded" in the header is a comment (the message) */
	assert_rt_ok_err(parse_str(&s, "-- +upgraded things\n-- revision: r1\n-- +upgrade\n", 0,
				   &err), &err);
	assert_string_equal(s.message, "+upgraded things");
	rt_script_release(&s);
	rt_buf_release(&err);
}

/* The parser keeps a marker's dialect words; which dialects exist is the
 * caller's to say (the driver registry's: test_registry.c).  Here "one"
 * with its alias "uno", and "two". */
static const char *stub_canonical(const char *word)
{
	if (!strcmp(word, "one") || !strcmp(word, "uno"))
		return "one";
	return strcmp(word, "two") ? NULL : "two";
}

static void resolve_error(const char *text, const char *want)
{
	rt_script s;
	rt_buf err = RT_BUF_INIT;

	assert_rt_ok_err(parse_str(&s, text, 0, &err), &err);
	assert_rt_fails(rt_script_resolve_dialects(&s, stub_canonical, &err), RETORT_EINVALID);
	assert_string_equal(err.ptr, want);
	rt_script_release(&s);
	rt_buf_release(&err);
}

static void test_resolve_dialects(void **state)
{
	rt_script s;
	rt_buf err = RT_BUF_INIT;

	(void)state;
	assert_rt_ok_err(parse_str(&s,
		"-- revision: r1\n"
		"-- +upgrade uno one transaction=false\n"
		"A\n"
		"-- +upgrade two\n"
		"B\n"
		"-- +downgrade uno\n"
		"C\n"
		"-- +upgrade\n"
		"D\n", 0, &err), &err);
	assert_string_equal(s.sections[0].dialect, "uno one");
	assert_rt_ok_err(rt_script_resolve_dialects(&s, stub_canonical, &err), &err);
	assert_string_equal(s.sections[0].dialect, "one");
	assert_int_equal(s.sections[0].transactional, 0);
	assert_string_equal(s.sections[1].dialect, "two");
	assert_string_equal(s.sections[2].dialect, "one");
	assert_null(s.sections[3].dialect);
	/* a second time changes nothing */
	assert_rt_ok_err(rt_script_resolve_dialects(&s, stub_canonical, &err), &err);
	assert_string_equal(s.sections[0].dialect, "one");
	assert_string_equal(body(&s, rt_script_section(&s, RT_UP, "one")), "A\n");
	assert_string_equal(body(&s, rt_script_section(&s, RT_DOWN, "one")), "C\n");
	assert_string_equal(body(&s, rt_script_section(&s, RT_UP, "three")), "D\n");
	rt_script_release(&s);
	rt_buf_release(&err);

	/* the parser's messages, on the marker's line, the first in the file */
	resolve_error("-- revision: r1\n-- +upgrade three\n",
		      "v/x.sql:2: unknown section option 'three'");
	resolve_error("-- revision: r1\n-- +upgrade two uno\n",
		      "v/x.sql:2: section marker names two dialects, 'two' and 'one'");
	resolve_error("-- revision: r1\n-- +upgrade one\nA\n-- +upgrade uno\n",
		      "v/x.sql:4: duplicate '-- +upgrade one' section (first on line 2)");
	resolve_error("-- revision: r1\n-- +upgrade one\n-- +upgrade uno three\n",
		      "v/x.sql:3: unknown section option 'three'");
	resolve_error("-- revision: r1\n-- +upgrade three\n-- +upgrade one\n-- +upgrade one\n",
		      "v/x.sql:2: unknown section option 'three'");
}

static void test_section_selection(void **state)
{
	rt_script s;
	rt_buf err = RT_BUF_INIT;

	assert_rt_ok_err(parse_str(&s, plain_text, 0, &err), &err);
	assert_ptr_equal(rt_script_section(&s, RT_UP, "sqlite"), &s.sections[0]);
	assert_ptr_equal(rt_script_section(&s, RT_UP, "postgresql"), &s.sections[1]);
	assert_ptr_equal(rt_script_section(&s, RT_UP, NULL), &s.sections[0]);
	assert_ptr_equal(rt_script_section(&s, RT_DOWN, "postgresql"), &s.sections[2]);
	rt_script_release(&s);

	/* the dialect's own section wins whatever the order in the file */
	assert_rt_ok_err(parse_str(&s,
		"-- revision: r1\n"
		"-- +downgrade sqlite\n"
		"A\n"
		"-- +downgrade\n"
		"B\n"
		"-- +upgrade postgresql\n"
		"C\n", 0, &err), &err);
	assert_string_equal(body(&s, rt_script_section(&s, RT_DOWN, "sqlite")), "A\n");
	assert_string_equal(body(&s, rt_script_section(&s, RT_DOWN, "postgresql")), "B\n");
	assert_string_equal(body(&s, rt_script_section(&s, RT_UP, "postgresql")), "C\n");
	assert_null(rt_script_section(&s, RT_UP, "sqlite"));
	assert_null(rt_script_section(&s, RT_UP, NULL));
	rt_script_release(&s);
	rt_buf_release(&err);
}

/* "-- +unfinished REASON" marks its section (the first mark, its line and
 * the reason's bytes); spelt otherwise it stays a comment. */
static void test_unfinished(void **state)
{
	rt_script s;
	rt_buf err = RT_BUF_INIT;
	const rt_section *sec;

	(void)state;
	assert_rt_ok_err(parse_str(&s,
		"-- revision: r1\n"
		"-- +upgrade\n"
		"-- +unfinished   upgrade() did not render: why  \n"
		"-- +unfinished second\n"
		"-- +downgrade\n"
		"--+unfinished not a mark\n"
		"-- +unfinishedx neither\n"
		"DROP TABLE t;\n", 0, &err), &err);
	sec = rt_script_section(&s, RT_UP, NULL);
	assert_int_equal(sec->unfinished, 3);
	assert_int_equal((int)sec->reason_len, (int)strlen("upgrade() did not render: why"));
	assert_memory_equal(s.text + sec->reason, "upgrade() did not render: why", sec->reason_len);
	assert_int_equal(rt_script_section(&s, RT_DOWN, NULL)->unfinished, 0);
	rt_script_release(&s);
	rt_buf_release(&err);
}

static void test_header_only_parse(void **state)
{
	rt_script s;
	rt_buf err = RT_BUF_INIT;
	const char *cut = strstr(plain_text, "-- +upgrade\n");

	assert_rt_ok_err(parse_str(&s, plain_text, 1, &err), &err);
	assert_string_equal(s.revision, "3f2a9c1b7d4e");
	assert_string_equal(s.message, "Add posts table");
	assert_null(s.text);
	assert_null(s.sections);
	assert_int_equal(s.nsections, 0);
	rt_script_release(&s);

	/* a text that ends in the middle of the marker line was cut short:
	 * run, it would do nothing and be recorded as applied */
	assert_rt_fails(rt_script_parse(&s, "x.sql", plain_text,
					(size_t)(cut - plain_text) + 5, 1, &err), RETORT_EINVALID);
	assert_string_equal(err.ptr, "x.sql:12: the file ends before its '-- +upgrade' section "
				     "marker (cut short?)");
	/* up to the end of the marker, without its newline, it is whole */
	assert_rt_ok_err(rt_script_parse(&s, "x.sql", plain_text,
					 (size_t)(cut - plain_text) + 11, 1, &err), &err);
	assert_string_equal(s.create_date, "2026-11-22 10:00:00+00:00");
	rt_script_release(&s);

	/* what follows the first marker is not looked at */
	assert_rt_ok_err(parse_str(&s, "-- revision: r1\n-- +upgrade\n-- +upgrade\n", 1, &err), &err);
	rt_script_release(&s);
	rt_buf_release(&err);
}

/* ---- malformed files -------------------------------------------------- */

static void test_errors(void **state)
{
	assert_parse_error("-- Add posts\n\n-- down_revision: abc\n-- +upgrade\nSELECT 1;\n",
			   "v/x.sql: no 'revision' in the header");
	assert_parse_error("", "v/x.sql: no 'revision' in the header");
	assert_parse_error("-- m\n-- revision: 3f2a9c1b-7d4e\n",
			   "v/x.sql:2: bad revision id '3f2a9c1b-7d4e' (only letters, digits and '_' are allowed)");
	assert_parse_error("-- m\n--\n-- revision:\n-- +upgrade\n",
			   "v/x.sql:3: bad revision id '' (it is empty)");
	assert_parse_error("-- revision: abc\n-- down_revision: a1, b/2\n",
			   "v/x.sql:2: bad revision id 'b/2' in 'down_revision' "
			   "(only letters, digits and '_' are allowed)");
	assert_parse_error("-- revision: abc\n-- depends_on: x.y\n",
			   "v/x.sql:2: bad revision id 'x.y' in 'depends_on' "
			   "(only letters, digits and '_' are allowed)");
	assert_parse_error("-- revision: abc\n-- branch_labels: ok, no/slash\n",
			   "v/x.sql:2: bad branch label 'no/slash' "
			   "(only letters, digits, '_', '.' and '-' are allowed)");
	assert_parse_error("-- revision: abc\n-- down_revision: a1, abc\n",
			   "v/x.sql:2: revision 'abc' lists itself in 'down_revision'");
	/* the same, with the keys the other way round */
	assert_parse_error("-- down_revision: abc\n-- revision: abc\n",
			   "v/x.sql:1: revision 'abc' lists itself in 'down_revision'");
	assert_parse_error("-- revision: abc\n-- down_revision: a1, a1\n",
			   "v/x.sql:2: 'a1' given twice in 'down_revision'");
	assert_parse_error("-- m\n-- revision: abc\n-- down_revision:\n-- revision: def\n",
			   "v/x.sql:4: 'revision' given twice in the header (first on line 2)");
	assert_parse_error("-- revision: abc\n-- Revision ID: abc\n",
			   "v/x.sql:2: 'revision' given twice in the header (first on line 1)");
	assert_parse_error("-- revision: abc\n-- create_date: a\n\n-- Create Date: b\n",
			   "v/x.sql:4: 'create_date' given twice in the header (first on line 2)");
	assert_parse_error("-- revision: abc\n\n-- +upgrade\nA\n-- +downgrade\nB\n-- +upgrade\nC\n",
			   "v/x.sql:7: duplicate '-- +upgrade' section (first on line 3)");
	assert_parse_error("-- revision: abc\n-- +upgrade sqlite\n-- +upgrade\n-- +upgrade\n",
			   "v/x.sql:4: duplicate '-- +upgrade' section (first on line 3)");
	/* what is not a lower-case word cannot be a dialect; unknown
	 * dialects, two in a marker or two sections of one are the check's
	 * (test_registry.c) */
	assert_parse_error("-- revision: abc\n-- +downgrade transaction=no\n",
			   "v/x.sql:2: unknown section option 'transaction=no'");
	assert_parse_error("-- revision: abc\n-- +upgrade MySQL\n",
			   "v/x.sql:2: unknown section option 'MySQL'");
	assert_parse_error("-- revision: abc\n-- +upgrade sqlite my-sql\n",
			   "v/x.sql:2: unknown section option 'my-sql'");
	assert_parse_error("-- revision: abc\n-- +upgrade 9sql\n",
			   "v/x.sql:2: unknown section option '9sql'");
	assert_parse_error("-- m\n-- revision: abc\n\nCREATE TABLE t (a INT);\n-- +upgrade\n",
			   "v/x.sql:4: SQL before the first '-- +upgrade' marker");
	assert_parse_error("-- revision: abc\nSELECT 1;\n",
			   "v/x.sql:2: SQL before the first '-- +upgrade' marker");
	/* near misses of a marker would silently merge two sections */
	assert_parse_error("-- revision: abc\n-- +upgrade\nA\n--+downgrade\nB\n",
			   "v/x.sql:4: malformed section marker '--+downgrade' (write '-- +downgrade')");
	assert_parse_error("-- revision: abc\n-- +upgrade\nA\n  -- +downgrade\nB\n",
			   "v/x.sql:4: malformed section marker '  -- +downgrade' (write '-- +downgrade')");
	assert_parse_error("-- revision: abc\n-- +Upgrade\n",
			   "v/x.sql:2: malformed section marker '-- +Upgrade' (write '-- +upgrade')");
}

static void test_error_code_and_state(void **state)
{
	rt_script s;
	rt_buf err = RT_BUF_INIT;
	static const char nul[] = "-- revision: a\0b\n-- +upgrade\n";

	assert_rt_fails(rt_script_parse(&s, "n.sql", nul, sizeof(nul) - 1, 0, &err),
			RETORT_EINVALID);
	assert_string_equal(err.ptr, "n.sql:1: NUL byte in the header");
	/* nor in a body: SQLite would stop at it, libpq send what is before */
	assert_rt_fails(rt_script_parse(&s, "n.sql", "-- revision: a\n-- +upgrade\nx\0y\n",
					31, 0, &err), RETORT_EINVALID);
	assert_string_equal(err.ptr, "n.sql:3: NUL byte in the file (binary or damaged?)");
	assert_null(s.text);
	/* no err buffer: the code is still returned */
	assert_rt_fails(rt_script_parse(&s, "n.sql", "x", 1, 0, NULL), RETORT_EINVALID);
	rt_buf_release(&err);
}

/* ---- loading files ---------------------------------------------------- */

static void test_load_resources(void **state)
{
	rt_script s;
	rt_buf err = RT_BUF_INIT;
	char *path = resource("3f2a9c1b7d4e_add_posts_table.sql");

	assert_rt_ok_err(rt_script_load(&s, path, 0, &err), &err);
	assert_string_equal(s.path, path);
	assert_string_equal(s.revision, "3f2a9c1b7d4e");
	assert_string_equal(s.doc, "Longer description lines are allowed here (go into `doc`).\n"
				   "  An indented line keeps its indentation.");
	assert_int_equal(s.nsections, 3);
	assert_string_equal(body(&s, rt_script_section(&s, RT_DOWN, "sqlite")),
			    "DROP TABLE posts;\n");
	rt_script_release(&s);
	assert_rt_ok_err(rt_script_load(&s, path, 1, &err), &err);
	assert_string_equal(s.revision, "3f2a9c1b7d4e");
	assert_int_equal(s.nsections, 0);
	rt_script_release(&s);
	free(path);

	path = resource("9c0ffee12345_merge_heads.sql");
	assert_rt_ok_err(rt_script_load(&s, path, 0, &err), &err);
	assert_int_equal(s.down_revisions.count, 2);
	assert_int_equal(s.branch_labels.count, 2);
	assert_string_equal(s.branch_labels.items[0], "release-1.0");
	assert_int_equal(s.depends_on.count, 1);
	assert_int_equal(s.nsections, 2);
	assert_string_equal(body(&s, rt_script_section(&s, RT_UP, "sqlite")), "\n");
	assert_string_equal(body(&s, rt_script_section(&s, RT_DOWN, "sqlite")), "");
	rt_script_release(&s);
	free(path);

	path = resource("ae1027a6acf_alembic_style.sql");
	assert_rt_ok_err(rt_script_load(&s, path, 0, &err), &err);
	assert_string_equal(s.revision, "ae1027a6acf");
	assert_string_equal(s.down_revisions.items[0], "1975ea83b712");
	assert_string_equal(s.create_date, "2011-11-08 11:40:27.089406");
	assert_int_equal(rt_script_section(&s, RT_UP, "postgresql")->transactional, 0);
	assert_null(rt_script_section(&s, RT_DOWN, "sqlite"));
	/* "postgres" as written; checked, it is 'postgresql' (test_registry.c) */
	assert_int_equal(rt_script_section(&s, RT_DOWN, "postgres")->line, 11);
	rt_script_release(&s);
	free(path);

	/* the error names the file and the line, in both modes */
	path = resource("bad_sql_before_marker.sql");
	assert_rt_fails(rt_script_load(&s, path, 1, &err), RETORT_EINVALID);
	assert_non_null(strstr(err.ptr, "bad_sql_before_marker.sql:6: SQL before the first"));
	assert_rt_fails(rt_script_load(&s, path, 0, &err), RETORT_EINVALID);
	assert_non_null(strstr(err.ptr, "bad_sql_before_marker.sql:6: SQL before the first"));
	free(path);

	assert_rt_fails(rt_script_load(&s, "/nonexistent/x.sql", 1, &err), RETORT_ENOTFOUND);
	assert_non_null(strstr(err.ptr, "'/nonexistent/x.sql'"));
	assert_rt_fails(rt_script_load(&s, "/nonexistent/x.sql", 0, &err), RETORT_ENOTFOUND);
	rt_buf_release(&err);
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void test_load_header_only_large(void **state)
{
	rt_script s;
	rt_buf err = RT_BUF_INIT, text = RT_BUF_INIT;
	char *dir = make_tmpdir(), *path = rt_path_join(dir, "big.sql");
	long long before, after;
	size_t i;

	rt_buf_puts(&text, "-- Big data load\n-- revision: b16\n-- down_revision: a1\n\n-- +upgrade\n");
	while (text.len < 1024 * 1024)
		rt_buf_puts(&text, "INSERT INTO t VALUES (1, 'some padding to make the file big');\n");
	rt_buf_puts(&text, "-- +downgrade\nDELETE FROM t;\n");
	assert_false(rt_buf_oom(&text));
	write_file(path, text.ptr, text.len);

	before = bytes_read();
	assert_rt_ok_err(rt_script_load(&s, path, 1, &err), &err);
	after = bytes_read();
	assert_string_equal(s.revision, "b16");
	assert_string_equal(s.message, "Big data load");
	assert_null(s.text);
	assert_int_equal(s.nsections, 0);
	rt_script_release(&s);
	/* only the first chunk was read, not the megabyte */
	if (before >= 0 && after >= 0)
		assert_true(after - before < 64 * 1024);

	assert_rt_ok_err(rt_script_load(&s, path, 0, &err), &err);
	assert_int_equal(s.text_len, text.len);
	assert_int_equal(s.nsections, 2);
	assert_string_equal(body(&s, &s.sections[1]), "DELETE FROM t;\n");
	rt_script_release(&s);

	/* a header longer than one chunk, with the marker split across chunks */
	rt_buf_clear(&text);
	rt_buf_puts(&text, "-- Long doc\n");
	for (i = 0; text.len < 4096 * 3 - 6; i++)
		rt_buf_puts(&text, "-- doc line\n");
	rt_buf_truncate(&text, 4096 * 3 - 6);
	rt_buf_puts(&text, "\n-- revision: long1\n-- +upgrade\nSELECT 1;\n");
	write_file(path, text.ptr, text.len);
	assert_rt_ok_err(rt_script_load(&s, path, 1, &err), &err);
	assert_string_equal(s.revision, "long1");
	rt_script_release(&s);

	/* a file with no marker at all is read to its end, and refused */
	write_file(path, "-- only a header\n-- revision: h1", 32);
	assert_rt_fails(rt_script_load(&s, path, 1, &err), RETORT_EINVALID);
	assert_non_null(strstr(err.ptr, "big.sql:2: the file ends before its '-- +upgrade'"));

	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
	rt_buf_release(&text);
	rt_buf_release(&err);
}

/* ---- slugs and file names ------------------------------------------- */

static void assert_slug(const char *message, size_t max, const char *want)
{
	rt_buf b = RT_BUF_INIT;

	rt_slugify(&b, message, max);
	assert_string_equal(b.ptr, want);
	rt_buf_release(&b);
}

/* ---- the header cache's form ------------------------------------------------ */

static void assert_same_list(const rt_strview *a, const rt_strview *b)
{
	size_t i;

	assert_int_equal(a->count, b->count);
	for (i = 0; i < a->count; i++)
		assert_string_equal(a->items[i], b->items[i]);
}

static void assert_same_header(const rt_script *a, const rt_script *b)
{
	assert_string_equal(a->path, b->path);
	assert_string_equal(a->revision, b->revision);
	assert_string_equal(a->create_date, b->create_date);
	assert_string_equal(a->message, b->message);
	assert_string_equal(a->doc, b->doc);
	assert_same_list(&a->down_revisions, &b->down_revisions);
	assert_same_list(&a->branch_labels, &b->branch_labels);
	assert_same_list(&a->depends_on, &b->depends_on);
}

static void test_pack_unpack(void **state)
{
	static const char *const texts[] = {
		plain_text,
		"-- Merge\n-- revision: m1\n-- down_revision: a1, b2 c3,d4\n"
		"-- branch_labels:  release-1.0 ,main,feature.x_2\n-- depends_on : dep1 dep2\n"
		"-- +upgrade\n",
		"-- revision: base1\n-- +upgrade\n",
	};
	/* not what pack writes: a field short, a byte too many, a bad id or
	 * label, an empty, trailing or leading list item */
#define BLOB(lit) { lit, sizeof(lit) - 1 }
	static const struct { const char *b; size_t n; } bad[] = {
		BLOB("r1\0d\0m\0\0\0\0"),          /* six fields */
		BLOB("r1\0d\0m\0\0\0\0\0x"),      /* a byte after the seventh */
		BLOB("r'1\0d\0m\0\0\0\0\0"),      /* not an id */
		BLOB("r1\0d\0m\0\0a b\0\0\0"),    /* nor is "a b" */
		BLOB("r1\0d\0m\0\0\0l l\0\0"),    /* nor a label */
		BLOB("r1\0d\0m\0\0a,,b\0\0\0"),   /* an empty item */
		BLOB("r1\0d\0m\0\0a,\0\0\0"),     /* a trailing comma */
		BLOB("r1\0d\0m\0\0,a\0\0\0"),     /* a leading one */
		BLOB(""),
	};
#undef BLOB
	rt_buf err = RT_BUF_INIT, packed = RT_BUF_INIT;
	rt_script parsed, back;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_rt_ok_err(parse_str(&parsed, texts[i], 1, &err), &err);
		rt_buf_clear(&packed);
		rt_script_pack(&packed, &parsed);
		assert_int_equal(rt_script_unpack(&back, "v/x.sql", packed.ptr, packed.len), 0);
		assert_same_header(&parsed, &back);
		assert_null(back.text);
		assert_int_equal(back.nsections, 0);
		rt_script_release(&parsed);
		rt_script_release(&back);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(rt_script_unpack(&back, "v/x.sql", bad[i].b, bad[i].n), -1);
		assert_null(back.revision);
		assert_null(back.strings);
	}
	rt_buf_release(&packed);
	rt_buf_release(&err);
}

static void test_slugify(void **state)
{
	rt_buf b = RT_BUF_INIT;

	/* each expectation is what Alembic 1.8 makes of the message:
	 * "_".join(re.findall(r"\w+", m)).lower(), cut to the limit and back
	 * to its last '_', which stays */
	assert_slug("Add posts table", 40, "add_posts_table");
	assert_slug("  Hello, World!!  ", 40, "hello_world");
	assert_slug("add  user_id -> posts", 40, "add_user_id_posts");
	assert_slug("__x__", 40, "__x__");
	assert_slug("CamelCase2Go", 40, "camelcase2go");
	assert_slug("", 40, "");
	assert_slug("!!", 40, "");
	assert_slug(NULL, 40, "");
	assert_slug("add posts table", 8, "add_");
	assert_slug("add posts table", 4, "add_");
	assert_slug("add posts table", 3, "add_");
	assert_slug("addpoststable", 3, "add_");
	assert_slug("add posts table", 0, "add_posts_table");
	assert_slug("a very long message that goes on and on past forty characters", 40,
		    "a_very_long_message_that_goes_on_and_on_");
	/* words in any script, lower-cased by Unicode's rules, counted in
	 * characters, not bytes */
	assert_slug("\xd0\x94\xd0\xbe\xd0\xb1\xd0\xb0\xd0\xb2\xd0\xb8\xd1\x82\xd1\x8c users", 40,
		    "\xd0\xb4\xd0\xbe\xd0\xb1\xd0\xb0\xd0\xb2\xd0\xb8\xd1\x82\xd1\x8c_users");
	assert_slug("Добавить таблицу постов", 40, "добавить_таблицу_постов");
	assert_slug("Длинное сообщение про добавление новой таблицы заказов", 40,
		    "длинное_сообщение_про_добавление_новой_");
	assert_slug("İstanbul Straße ΣΟΦΟΣ", 40, "i̇stanbul_straße_σοφος");
	assert_slug("x²·y³ — 10% off", 40, "x²_y³_10_off");
	/* bytes that are not UTF-8 end a word */
	assert_slug("ab\xff\xfe cd", 40, "ab_cd");

	/* appends to what the buffer holds */
	rt_buf_puts(&b, "x_");
	rt_slugify(&b, "!!", 40);
	rt_slugify(&b, "Y z", 40);
	assert_string_equal(b.ptr, "x_y_z");
	rt_buf_release(&b);
}

static void assert_template(const char *tmpl, long long now, const char *want)
{
	rt_buf b = RT_BUF_INIT, err = RT_BUF_INIT;

	assert_rt_ok_err(rt_file_template(&b, tmpl, "3f2a9c1b7d4e", "add_posts", now, &err), &err);
	assert_string_equal(b.ptr, want);
	rt_buf_release(&b);
	rt_buf_release(&err);
}

static void assert_template_error(const char *tmpl, const char *want)
{
	rt_buf b = RT_BUF_INIT, err = RT_BUF_INIT;

	rt_buf_puts(&b, "keep");
	assert_rt_fails(rt_file_template(&b, tmpl, "r", "s", 0, &err), RETORT_EUSAGE);
	assert_string_equal(err.ptr, want);
	assert_string_equal(b.ptr, "keep");
	rt_buf_release(&b);
	rt_buf_release(&err);
}

static void test_file_template(void **state)
{
	/* 2026-03-05 07:08:09 UTC */
	const long long t = 1772694489;

	assert_template("%(rev)s_%(slug)s", t, "3f2a9c1b7d4e_add_posts");
	assert_template("%(year)d_%(month).2d_%(day).2d_%(hour).2d%(minute).2d-%(rev)s_%(slug)s", t,
			"2026_03_05_0708-3f2a9c1b7d4e_add_posts");
	assert_template("%(hour)02d%(minute)02d%(second)02d", t, "070809");
	assert_template("%(month)d-%(day)s-%(second)d", t, "3-5-9");
	assert_template("%(epoch)s_%(rev)s", t, "1772694489_3f2a9c1b7d4e");
	assert_template("%(epoch)d", 1795341600, "1795341600");
	assert_template("100%%_%(rev).4s", t, "100%_3f2a");
	assert_template("[%(day)4d][%(day)-4d][%(slug)12s]", t, "[   5][5   ][   add_posts]");
	assert_template("%(year)05.3d", t, "02026");
	assert_template("%(year).2s", t, "20");
	assert_template("plain", t, "plain");
	/* copied from an alembic.ini, escaped for configparser */
	assert_template("%%(year)d_%%(month).2d_%%(day).2d-%%(rev)s_%%(slug)s", t,
			"2026_03_05-3f2a9c1b7d4e_add_posts");
	assert_template("100%%_%%(rev).4s", t, "100%_3f2a");

	assert_template_error("%(x)s", "bad file_template '%(x)s': unknown token '%(x)s'");
	assert_template_error("a_%(rev)d_b", "bad file_template 'a_%(rev)d_b': unknown token '%(rev)d'");
	assert_template_error("%(rev)q", "bad file_template '%(rev)q': unknown token '%(rev)q'");
	assert_template_error("%(rev)", "bad file_template '%(rev)': unknown token '%(rev)'");
	assert_template_error("%(rev", "bad file_template '%(rev': unknown token '%(rev'");
	assert_template_error("%s", "bad file_template '%s': unknown token '%s'");
	assert_template_error("x%", "bad file_template 'x%': unknown token '%'");
	assert_template_error("%(rev)999999s",
			      "bad file_template '%(rev)999999s': unknown token '%(rev)999999s'");

	/* the file goes straight into the versions folder, visible */
	assert_template_error("../../x_%(rev)s", "bad 'file_template' '../../x_%(rev)s': it makes "
			      "'../../x_r', a '/' (files go straight into the versions folder)");
	assert_template_error("/tmp/%(rev)s", "bad 'file_template' '/tmp/%(rev)s': it makes "
			      "'/tmp/r', a '/' (files go straight into the versions folder)");
	assert_template_error("%(month)d/%(rev)s", "bad 'file_template' '%(month)d/%(rev)s': it "
			      "makes '1/r', a '/' (files go straight into the versions folder)");
	assert_template_error("..", "bad 'file_template' '..': it makes '..', a name starting "
			      "with '.' (a hidden file, which is not read)");
	assert_template_error("", "bad 'file_template' '': it makes '', an empty name");
	assert_template_error("a\rb", "bad 'file_template' 'a\rb': it makes 'a b', a control "
			      "character");
}

/* ---- items of issue 13 ------------------------------------------------------ */

/* A NUL byte anywhere, or a file cut short before its first marker, is
 * refused when the file is parsed whole, with its line. */
static void test_nul_and_cut_files(void **state)
{
	static const char nul_late[] = "-- revision: a\n-- +upgrade\nSELECT 1;\n-- +downgrade\n"
				       "SELECT 2;\0DROP TABLE t;\n";
	rt_script s;
	rt_buf err = RT_BUF_INIT;

	(void)state;
	assert_rt_fails(rt_script_parse(&s, "n.sql", nul_late, sizeof(nul_late) - 1, 0, &err),
			RETORT_EINVALID);
	assert_string_equal(err.ptr, "n.sql:5: NUL byte in the file (binary or damaged?)");
	/* a header-only load stops at the first marker: listings still work */
	assert_rt_ok_err(rt_script_parse(&s, "n.sql", nul_late, sizeof(nul_late) - 1, 1, &err),
			 &err);
	rt_script_release(&s);
	/* a NUL in what would have been the marker line */
	assert_rt_fails(rt_script_parse(&s, "n.sql", "-- revision: a\n-- +upgrade\0\n", 28, 1,
					&err), RETORT_EINVALID);
	assert_string_equal(err.ptr, "n.sql:2: NUL byte in the header");

	assert_parse_error("-- m\n-- revision: abc\n\n-- +upgr",
			   "v/x.sql:4: the file ends before its '-- +upgrade' section marker "
			   "(cut short?)");
	assert_parse_error("-- m\n-- revision: abc\n",
			   "v/x.sql:2: the file ends before its '-- +upgrade' section marker "
			   "(cut short?)");
	assert_parse_error("-- revision: abc\n-- +downgrade\nDROP TABLE t;\n",
			   "v/x.sql:2: no '-- +upgrade' section (the first marker is "
			   "'-- +downgrade')");
	/* an explicitly empty section is fine, with or without a newline */
	assert_rt_ok_err(parse_str(&s, "-- revision: abc\n-- +upgrade", 0, &err), &err);
	assert_int_equal(s.nsections, 1);
	assert_int_equal(s.sections[0].len, 0);
	rt_script_release(&s);
	assert_rt_ok_err(parse_str(&s, "-- revision: abc\n-- +upgrade sqlite\n", 0, &err), &err);
	rt_script_release(&s);
	rt_buf_release(&err);
}

/* A FIFO would block the read, /dev/zero never end: only regular files
 * are read, and not beyond RT_FILE_MAX. */
static void test_special_files(void **state)
{
	rt_script s;
	rt_buf err = RT_BUF_INIT;
	char *dir = make_tmpdir(), *fifo = rt_path_join(dir, "fifo.sql"),
	     *zero = rt_path_join(dir, "zero.sql"), *big = rt_path_join(dir, "big.sql");
	char *text = NULL;
	int fd, header_only;

	(void)state;
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(symlink("/dev/zero", zero), 0);
	fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)RT_FILE_MAX + 1), 0);
	close(fd);
	for (header_only = 0; header_only < 2; header_only++) {
		assert_rt_fails(rt_script_load(&s, fifo, header_only, &err), RETORT_EINVALID);
		assert_non_null(strstr(err.ptr, "fifo.sql' is not a regular file (a FIFO)"));
		assert_rt_fails(rt_script_load(&s, zero, header_only, &err), RETORT_EINVALID);
		assert_non_null(strstr(err.ptr, "zero.sql' is not a regular file (a device)"));
		assert_rt_fails(rt_script_load(&s, dir, header_only, &err), RETORT_EINVALID);
		assert_non_null(strstr(err.ptr, "is not a regular file (a folder)"));
		assert_rt_fails(rt_script_load(&s, big, header_only, &err), RETORT_EINVALID);
		assert_non_null(strstr(err.ptr, "big.sql' is too large (67108865 bytes; the limit "
						"is 64 MiB)"));
	}
	assert_rt_fails(rt_read_file(&text, NULL, fifo, &err), RETORT_EINVALID);
	assert_null(text);
	assert_rt_fails(rt_read_file(&text, NULL, zero, &err), RETORT_EINVALID);
	unlink(fifo);
	unlink(zero);
	unlink(big);
	rmdir(dir);
	free(fifo);
	free(zero);
	free(big);
	free(dir);
	rt_buf_release(&err);
}

/* 238,000 ids took 67 s when every pair was compared. */
static void test_long_lists(void **state)
{
	enum { N = 238000 };
	rt_buf text = RT_BUF_INIT, err = RT_BUF_INIT;
	rt_script s;
	double t0;
	size_t i;

	(void)state;
	rt_buf_puts(&text, "-- revision: merge\n-- down_revision:");
	for (i = 0; i < N; i++)
		rt_buf_printf(&text, " r%zu", i);
	rt_buf_puts(&text, "\n-- branch_labels:");
	for (i = 0; i < N; i++)
		rt_buf_printf(&text, " l%zu", i);
	rt_buf_puts(&text, "\n-- +upgrade\n");
	t0 = rt_now_ms();
	assert_rt_ok_err(rt_script_parse(&s, "m.sql", text.ptr, text.len, 1, &err), &err);
	assert_int_equal(s.down_revisions.count, N);
	assert_int_equal(s.branch_labels.count, N);
	rt_script_release(&s);
	/* the last id repeats the first: still found */
	rt_buf_clear(&text);
	rt_buf_puts(&text, "-- revision: merge\n-- depends_on:");
	for (i = 0; i < N; i++)
		rt_buf_printf(&text, " r%zu", i);
	rt_buf_puts(&text, " r0\n-- +upgrade\n");
	assert_rt_fails(rt_script_parse(&s, "m.sql", text.ptr, text.len, 1, &err),
			RETORT_EINVALID);
	assert_string_equal(err.ptr, "m.sql:2: 'r0' given twice in 'depends_on'");
	/* quadratic, this took minutes; a generous bound for slow builds */
	assert_true(rt_now_ms() - t0 < 20000);
	rt_buf_release(&text);
	rt_buf_release(&err);
}

/* Words of the target grammar cannot name a revision or a label. */
static void test_target_words(void **state)
{
	static const char *const words[] = { "head", "heads", "base", "current" };
	rt_buf text = RT_BUF_INIT, want = RT_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		assert_string_equal(rt_id_problem(words[i]), "it is a target keyword");
		assert_string_equal(rt_label_problem(words[i]), "it is a target keyword");
		rt_buf_clear(&text);
		rt_buf_printf(&text, "-- revision: %s\n-- +upgrade\n", words[i]);
		rt_buf_clear(&want);
		rt_buf_printf(&want, "v/x.sql:1: bad revision id '%s' (it is a target keyword)",
			      words[i]);
		assert_parse_error(text.ptr, want.ptr);
		rt_buf_clear(&text);
		rt_buf_printf(&text, "-- revision: r1\n-- down_revision: a, %s\n-- +upgrade\n",
			      words[i]);
		rt_buf_clear(&want);
		rt_buf_printf(&want, "v/x.sql:2: bad revision id '%s' in 'down_revision' (it is a "
			      "target keyword)", words[i]);
		assert_parse_error(text.ptr, want.ptr);
		rt_buf_clear(&text);
		rt_buf_printf(&text, "-- revision: r1\n-- branch_labels: %s\n-- +upgrade\n",
			      words[i]);
		rt_buf_clear(&want);
		rt_buf_printf(&want, "v/x.sql:2: bad branch label '%s' (it is a target keyword)",
			      words[i]);
		assert_parse_error(text.ptr, want.ptr);
	}
	/* "-2" is a relative target: a label cannot start with '-' */
	assert_parse_error("-- revision: r1\n-- branch_labels: -2\n-- +upgrade\n",
			   "v/x.sql:2: bad branch label '-2' (it starts with '-')");
	assert_string_equal(rt_id_problem("a@b"), "only letters, digits and '_' are allowed");
	assert_string_equal(rt_id_problem("a:b"), "only letters, digits and '_' are allowed");
	assert_string_equal(rt_id_problem("a+1"), "only letters, digits and '_' are allowed");
	assert_string_equal(rt_label_problem("a@b"),
			    "only letters, digits, '_', '.' and '-' are allowed");
	/* the words only as whole names */
	assert_null(rt_id_problem("headless"));
	assert_null(rt_id_problem("HEAD"));
	assert_null(rt_label_problem("base-2"));
	assert_null(rt_label_problem("release-1.0"));
	rt_buf_release(&text);
	rt_buf_release(&want);
}

/* A CR ends a "--" comment for psql: comments are one clean line. */
static void test_sql_comment(void **state)
{
	rt_buf b = RT_BUF_INIT;

	(void)state;
	rt_buf_puts(&b, "-- ");
	rt_sql_comment(&b, "add\rDROP TABLE t;\n\x0b\x1b[0m\x7f \xc3\xa9");
	assert_string_equal(b.ptr, "-- add DROP TABLE t;   [0m  \xc3\xa9");
	rt_buf_clear(&b);
	rt_sql_comment_n(&b, "a\0b\r", 4);
	rt_sql_comment(&b, NULL);
	assert_string_equal(b.ptr, "a b ");
	rt_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_base_and_no_message),
		cmocka_unit_test(test_alembic_keys),
		cmocka_unit_test(test_crlf_and_bom),
		cmocka_unit_test(test_section_options),
		cmocka_unit_test(test_resolve_dialects),
		cmocka_unit_test(test_section_selection),
		cmocka_unit_test(test_unfinished),
		cmocka_unit_test(test_header_only_parse),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_error_code_and_state),
		cmocka_unit_test(test_load_resources),
		cmocka_unit_test(test_load_header_only_large),
		cmocka_unit_test(test_pack_unpack),
		cmocka_unit_test(test_slugify),
		cmocka_unit_test(test_file_template),
		cmocka_unit_test(test_nul_and_cut_files),
		cmocka_unit_test(test_special_files),
		cmocka_unit_test(test_long_lists),
		cmocka_unit_test(test_target_words),
		cmocka_unit_test(test_sql_comment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
