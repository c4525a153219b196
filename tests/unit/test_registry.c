/*
 * test_registry.c - what the driver registry (drivers/registry.c) knows of
 * the dialects: the names and aliases a section marker may use, built in
 * or not, the check of a parsed file's markers against them with the
 * parser's own messages, and finding a driver by a dialect's name.
 */
#include "rt_test.h"

#include <unistd.h>

#include "driver.h"
#include "graph.h"

/* Parsed, the file is fine; checked, it fails with `want`, and the
 * checked parse says the same and leaves nothing behind. */
static void check_error(const char *text, const char *want)
{
	rt_script s;
	rt_buf err = RT_BUF_INIT;

	assert_rt_ok_err(rt_script_parse(&s, "v/x.sql", text, strlen(text), 0, &err), &err);
	assert_rt_fails(rt_script_check_dialects(&s, &err), RETORT_EINVALID);
	assert_string_equal(err.ptr, want);
	rt_script_release(&s);
	rt_buf_clear(&err);
	assert_rt_fails(rt_script_parse_checked(&s, "v/x.sql", text, strlen(text), &err),
			RETORT_EINVALID);
	assert_string_equal(err.ptr, want);
	assert_null(s.revision);
	assert_null(s.sections);
	rt_script_release(&s);
	rt_buf_release(&err);
}

static void parse_checked(rt_script *s, const char *text)
{
	rt_buf err = RT_BUF_INIT;

	assert_rt_ok_err(rt_script_parse_checked(s, "v/x.sql", text, strlen(text), &err), &err);
	rt_buf_release(&err);
}

static const char *body(const rt_script *s, const rt_section *sec, char *buf, size_t size)
{
	assert_non_null(sec);
	assert_true(sec->len < size);
	memcpy(buf, s->text + sec->offset, sec->len);
	buf[sec->len] = '\0';
	return buf;
}

static void test_dialect_names(void **state)
{
	(void)state;
	assert_string_equal(rt_dialect_canonical("sqlite"), "sqlite");
	assert_string_equal(rt_dialect_canonical("postgresql"), "postgresql");
	/* the alias, as in postgres:// URLs */
	assert_string_equal(rt_dialect_canonical("postgres"), "postgresql");
	assert_null(rt_dialect_canonical("mysql"));
	assert_null(rt_dialect_canonical("SQLite"));
	assert_null(rt_dialect_canonical(""));
	assert_null(rt_dialect_canonical(NULL));
}

static void test_drivers_of_the_build(void **state)
{
	const rt_driver *d;
	size_t i;

	(void)state;
	/* each once, none made ready; each name a dialect's name */
	for (i = 0; (d = rt_driver_at(i)) != NULL; i++) {
		assert_string_equal(rt_dialect_canonical(d->name), d->name);
		assert_ptr_equal(rt_driver_lookup_named(d->name), d);
		assert_ptr_equal(rt_driver_lookup(d->scheme), d);
	}
	assert_int_equal(i, rt_driver_lookup("postgresql") ? 2 : 1);
	assert_null(rt_driver_at(i + 1));
	assert_ptr_equal(rt_driver_at(0), rt_driver_lookup("sqlite"));
}

static void test_driver_by_name(void **state)
{
	const rt_driver *d;
	rt_buf err = RT_BUF_INIT;

	(void)state;
	assert_ptr_equal(rt_driver_lookup_named("sqlite"), rt_driver_lookup("sqlite"));
	/* NULL both in a build without PostgreSQL */
	assert_ptr_equal(rt_driver_lookup_named("postgres"), rt_driver_lookup("postgresql"));
	assert_ptr_equal(rt_driver_lookup_named("postgresql"), rt_driver_lookup("postgresql"));
	assert_null(rt_driver_lookup_named("mysql"));
	assert_null(rt_driver_lookup_named(NULL));
	assert_rt_ok_err(rt_driver_named(&d, "sqlite", &err), &err);
	assert_ptr_equal(d, rt_driver_lookup("sqlite"));
	assert_rt_fails(rt_driver_named(&d, "mysql", &err), RETORT_EUSAGE);
	assert_null(d);
	assert_string_equal(err.ptr, rt_driver_lookup("postgresql")
				     ? "unknown dialect 'mysql' (sqlite or postgresql)"
				     : "unknown dialect 'mysql' (sqlite)");
	rt_buf_release(&err);
}

/* The checks the parser made on the names it knew, with its messages. */
static void test_check_errors(void **state)
{
	(void)state;
	check_error("-- revision: abc\n-- +upgrade mysql\n",
		    "v/x.sql:2: unknown section option 'mysql'");
	/* whole lines are markers, even inside a string literal */
	check_error("-- revision: r1\n"
		    "-- +upgrade\n"
		    "SELECT '\n"
		    "-- +downgrade inside a string\n"
		    "';\n",
		    "v/x.sql:4: unknown section option 'inside'");
	check_error("-- revision: abc\n-- +upgrade sqlite mysql\n",
		    "v/x.sql:2: unknown section option 'mysql'");
	check_error("-- revision: abc\n-- +upgrade mysql sqlite\n",
		    "v/x.sql:2: unknown section option 'mysql'");
	/* two dialects are named by their names, an alias's too */
	check_error("-- revision: abc\n-- +upgrade sqlite postgresql\n",
		    "v/x.sql:2: section marker names two dialects, 'sqlite' and 'postgresql'");
	check_error("-- revision: abc\n-- +upgrade sqlite postgres\n",
		    "v/x.sql:2: section marker names two dialects, 'sqlite' and 'postgresql'");
	check_error("-- revision: abc\n-- +upgrade postgres transaction=false sqlite\n",
		    "v/x.sql:2: section marker names two dialects, 'postgresql' and 'sqlite'");
	/* two sections of one dialect, however spelt */
	check_error("-- revision: abc\n-- +upgrade postgres\nA\n-- +upgrade postgresql\n",
		    "v/x.sql:4: duplicate '-- +upgrade postgresql' section (first on line 2)");
	check_error("-- revision: abc\n-- +downgrade postgres\n-- +upgrade\n-- +downgrade postgres\n",
		    "v/x.sql:4: duplicate '-- +downgrade postgresql' section (first on line 2)");
	check_error("-- revision: abc\n-- +upgrade sqlite\n-- +upgrade\n-- +upgrade sqlite sqlite\n",
		    "v/x.sql:4: duplicate '-- +upgrade sqlite' section (first on line 2)");
}

static void test_check_names(void **state)
{
	char buf[256];
	rt_script s;
	rt_buf err = RT_BUF_INIT;

	(void)state;
	parse_checked(&s, "-- revision: r1\n"
		      "-- +upgrade\nA\n"
		      "-- +upgrade postgres transaction=false\nB\n"
		      "-- +downgrade postgresql postgres\nC\n");
	assert_int_equal(s.nsections, 3);
	assert_null(s.sections[0].dialect);
	assert_string_equal(s.sections[1].dialect, "postgresql");
	assert_int_equal(s.sections[1].transactional, 0);
	assert_string_equal(s.sections[2].dialect, "postgresql");
	/* the alias finds the dialect's section */
	assert_ptr_equal(rt_script_section(&s, RT_UP, rt_dialect_canonical("postgres")),
			 &s.sections[1]);
	assert_ptr_equal(rt_script_section(&s, RT_UP, "sqlite"), &s.sections[0]);
	/* checking again changes nothing */
	assert_rt_ok_err(rt_script_check_dialects(&s, &err), &err);
	assert_string_equal(s.sections[1].dialect, "postgresql");
	rt_script_release(&s);

	/* a dialect this build may lack is still known: its sections are
	 * read, and skipped on the others */
	parse_checked(&s, "-- revision: r1\n"
		      "-- +upgrade postgresql\nCREATE TABLE t (id serial);\n"
		      "-- +upgrade\nCREATE TABLE t (id integer);\n"
		      "-- +downgrade\nDROP TABLE t;\n");
	assert_string_equal(body(&s, rt_script_section(&s, RT_UP, "sqlite"), buf, sizeof(buf)),
			    "CREATE TABLE t (id integer);\n");
	assert_string_equal(body(&s, rt_script_section(&s, RT_UP, "postgresql"), buf,
				 sizeof(buf)), "CREATE TABLE t (id serial);\n");
	rt_script_release(&s);
	rt_buf_release(&err);
}

/* rt_rev_load_checked of a file in a folder: a graph without a source
 * reads the revision's path. */
static int load_checked(rt_script *s, const char *path, rt_buf *err)
{
	rt_graph g;
	rt_rev rev;

	memset(&g, 0, sizeof(g));
	memset(&rev, 0, sizeof(rev));
	rev.s.path = (char *)path;
	return rt_rev_load_checked(s, &g, &rev, err);
}

static void test_load_checked(void **state)
{
	static const char bad[] = "-- m\n-- revision: r1\n\n-- +upgrade sqlite\n-- +upgrade mysql\n";
	static const char good[] = "-- m\n-- revision: r1\n\n-- +upgrade postgres\nSELECT 1;\n";
	char dir[] = "/tmp/rt_test_registry.XXXXXX";
	rt_buf err = RT_BUF_INIT, path = RT_BUF_INIT;
	rt_script s;

	(void)state;
	assert_non_null(mkdtemp(dir));
	rt_buf_printf(&path, "%s/r1_x.sql", dir);
	assert_rt_ok_err(rt_write_file(path.ptr, good, sizeof(good) - 1, 0, &err), &err);
	assert_rt_ok_err(load_checked(&s, path.ptr, &err), &err);
	assert_string_equal(s.sections[0].dialect, "postgresql");
	assert_non_null(s.text);
	rt_script_release(&s);

	assert_rt_ok_err(rt_write_file(path.ptr, bad, sizeof(bad) - 1, 0, &err), &err);
	assert_rt_fails(load_checked(&s, path.ptr, &err), RETORT_EINVALID);
	assert_non_null(strstr(err.ptr, "r1_x.sql:5: unknown section option 'mysql'"));
	assert_null(s.sections);
	rt_script_release(&s);
	/* a file of the resources, with the alias */
	rt_buf_clear(&path);
	rt_buf_printf(&path, "%s/scripts/ae1027a6acf_alembic_style.sql",
		      getenv("RETORT_TEST_RESOURCES") ? getenv("RETORT_TEST_RESOURCES")
						      : "tests/resources");
	assert_rt_ok_err(load_checked(&s, path.ptr, &err), &err);
	assert_int_equal(rt_script_section(&s, RT_UP, "postgresql")->transactional, 0);
	assert_null(rt_script_section(&s, RT_DOWN, "sqlite"));
	assert_int_equal(rt_script_section(&s, RT_DOWN, "postgresql")->line, 11);
	rt_script_release(&s);

	/* the parser's own failures come through as they are */
	rt_buf_clear(&path);
	rt_buf_printf(&path, "%s/r1_x.sql", dir);
	rt_buf_clear(&err);
	unlink(path.ptr);
	assert_rt_fails(load_checked(&s, path.ptr, &err), RETORT_ENOTFOUND);
	rt_script_release(&s);
	rmdir(dir);
	rt_buf_release(&path);
	rt_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dialect_names),
		cmocka_unit_test(test_drivers_of_the_build),
		cmocka_unit_test(test_driver_by_name),
		cmocka_unit_test(test_check_errors),
		cmocka_unit_test(test_check_names),
		cmocka_unit_test(test_load_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
