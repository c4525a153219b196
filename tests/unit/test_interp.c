/*
 * test_interp.c - ${NAME} and ${NAME:-default} interpolation (interp.c):
 * nesting, "$$", shell semantics of empty values, strict and lenient
 * unset names, and the messages for malformed references.
 */
#include "rt_test.h"

/* A fixed environment; counts lookups so laziness can be checked. */
static int nlookups;

static const char *fake_lookup(const char *name, void *payload)
{
	static const char *const vars[][2] = {
		{ "HOST", "db.example.com" },
		{ "PORT", "5432" },
		{ "EMPTY", "" },
		{ "DOLLAR", "a$b${HOST}" },
		{ "_under_1", "u" },
	};
	size_t i;

	(void)payload;
	nlookups++;
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (!strcmp(name, vars[i][0]))
			return vars[i][1];
	return NULL;
}

/* Interpolate `in` strictly; must succeed with `want`. */
static void check(const char *in, const char *want)
{
	rt_buf out = RT_BUF_INIT, err = RT_BUF_INIT;

	assert_rt_ok_err(rt_interpolate(&out, in, fake_lookup, NULL, 1, "t.ini:1", &err), &err);
	assert_string_equal(out.ptr, want);
	rt_buf_release(&out);
	rt_buf_release(&err);
}

/* Must fail with RETORT_EINVALID and exactly the message `want`. */
static void check_error(const char *in, int strict, const char *want)
{
	rt_buf out = RT_BUF_INIT, err = RT_BUF_INIT;

	rt_buf_puts(&out, "keep:");
	assert_rt_fails(rt_interpolate(&out, in, fake_lookup, NULL, strict, "t.ini:7", &err),
			RETORT_EINVALID);
	assert_string_equal(err.ptr, want);
	/* what was in `out` before stays, nothing half-expanded is added */
	assert_string_equal(out.ptr, "keep:");
	rt_buf_release(&out);
	rt_buf_release(&err);
}

static void test_plain(void **state)
{
	(void)state;
	check("", "");
	check("no references here", "no references here");
	check("${HOST}", "db.example.com");
	check("postgresql://${HOST}:${PORT}/app", "postgresql://db.example.com:5432/app");
	check("${_under_1}x", "ux");
}

static void test_appends(void **state)
{
	rt_buf out = RT_BUF_INIT, err = RT_BUF_INIT;

	(void)state;
	rt_buf_puts(&out, "before ");
	assert_rt_ok_err(rt_interpolate(&out, "${PORT}", fake_lookup, NULL, 1, NULL, &err), &err);
	assert_string_equal(out.ptr, "before 5432");
	rt_buf_release(&out);
	rt_buf_release(&err);
}

static void test_defaults(void **state)
{
	(void)state;
	check("${UNSET:-sqlite:///data.db}", "sqlite:///data.db");
	check("${HOST:-other}", "db.example.com");
	/* shell ":-": an empty value takes the default too */
	check("${EMPTY:-fallback}", "fallback");
	check("${UNSET:-}", "");
	check("[${UNSET:-a b c}]", "[a b c]");
	/* a default may hold ':', '-', '{' and '$' */
	check("${UNSET:-a:-b{c$d}", "a:-b{c$d");
}

static void test_nested_defaults(void **state)
{
	(void)state;
	check("${UNSET:-${HOST}}", "db.example.com");
	check("${UNSET:-${ALSO_UNSET:-${PORT}}}", "5432");
	check("${UNSET:-postgresql://${HOST}:${PORT:-1}/${DB:-app}}",
	      "postgresql://db.example.com:5432/app");
	check("${UNSET:-x${EMPTY:-y}z}", "xyz");
}

static void test_default_is_lazy(void **state)
{
	rt_buf out = RT_BUF_INIT, err = RT_BUF_INIT;

	(void)state;
	/* a default that does not apply is not looked into: no strict error
	 * for its unset name, and no lookup at all */
	nlookups = 0;
	assert_rt_ok_err(rt_interpolate(&out, "${HOST:-${NOT_SET}}", fake_lookup, NULL, 1,
					"t.ini:1", &err), &err);
	assert_string_equal(out.ptr, "db.example.com");
	assert_int_equal(nlookups, 1);
	rt_buf_release(&out);
	rt_buf_release(&err);
	/* but it must still be well formed */
	check_error("${HOST:-${NOT_SET}", 1, "unterminated '${' (in t.ini:7)");
}

static void test_dollars(void **state)
{
	(void)state;
	check("$$", "$");
	check("$${HOST}", "${HOST}");
	check("$$$$", "$$");
	check("$$${PORT}", "$5432");
	check("price: 5$", "price: 5$");
	check("pa$word", "pa$word");
	check("$", "$");
	check("a $ b", "a $ b");
	check("${UNSET:-$$}", "$");
	/* a value is not expanded again */
	check("${DOLLAR}", "a$b${HOST}");
}

static void test_strict_unset(void **state)
{
	(void)state;
	check_error("url = ${DATABASE_URL}", 1, "'DATABASE_URL' is not set (in t.ini:7)");
	check_error("${UNSET:-${ALSO_UNSET}}", 1, "'ALSO_UNSET' is not set (in t.ini:7)");
}

static void test_lenient_unset(void **state)
{
	rt_buf out = RT_BUF_INIT, err = RT_BUF_INIT;

	(void)state;
	assert_rt_ok_err(rt_interpolate(&out, "[${UNSET}]", fake_lookup, NULL, 0, "x", &err), &err);
	assert_string_equal(out.ptr, "[]");
	rt_buf_release(&out);
	rt_buf_release(&err);
}

static void test_set_but_empty_is_not_an_error(void **state)
{
	(void)state;
	check("[${EMPTY}]", "[]");
}

static void test_malformed(void **state)
{
	(void)state;
	check_error("${HOST", 1, "unterminated '${' (in t.ini:7)");
	check_error("abc ${", 0, "unterminated '${' (in t.ini:7)");
	check_error("${UNSET:-abc", 1, "unterminated '${' (in t.ini:7)");
	check_error("${UNSET:-${HOST}", 1, "unterminated '${' (in t.ini:7)");
	check_error("${}", 1,
		    "invalid '${...': expected ${NAME} or ${NAME:-default} (in t.ini:7)");
	check_error("${1X}", 1,
		    "invalid '${1X...': expected ${NAME} or ${NAME:-default} (in t.ini:7)");
	check_error("${A B}", 1,
		    "invalid '${A...': expected ${NAME} or ${NAME:-default} (in t.ini:7)");
	check_error("${A-b}", 1,
		    "invalid '${A...': expected ${NAME} or ${NAME:-default} (in t.ini:7)");
}

static void test_malformed_does_not_show_default(void **state)
{
	rt_buf out = RT_BUF_INIT, err = RT_BUF_INIT;

	(void)state;
	assert_rt_fails(rt_interpolate(&out, "${URL:=postgresql://u:secret@h/db}", fake_lookup,
				       NULL, 1, "t.ini:2", &err), RETORT_EINVALID);
	assert_null(strstr(err.ptr, "secret"));
	assert_non_null(strstr(err.ptr, "${URL"));
	rt_buf_release(&out);
	rt_buf_release(&err);
}

static void test_too_deep(void **state)
{
	rt_buf in = RT_BUF_INIT, out = RT_BUF_INIT, err = RT_BUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 100; i++)
		rt_buf_puts(&in, "${U:-");
	for (i = 0; i < 100; i++)
		rt_buf_putc(&in, '}');
	assert_rt_fails(rt_interpolate(&out, in.ptr, fake_lookup, NULL, 1, "t.ini:3", &err),
			RETORT_EINVALID);
	assert_non_null(strstr(err.ptr, "nested"));
	assert_non_null(strstr(err.ptr, "t.ini:3"));
	rt_buf_release(&in);
	rt_buf_release(&out);
	rt_buf_release(&err);

	/* ten levels are fine */
	check("${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-deep}}}}}}}}}}", "deep");
}

static void test_no_where(void **state)
{
	rt_buf out = RT_BUF_INIT, err = RT_BUF_INIT;

	(void)state;
	assert_rt_fails(rt_interpolate(&out, "${NOPE}", fake_lookup, NULL, 1, NULL, &err),
			RETORT_EINVALID);
	assert_string_equal(err.ptr, "'NOPE' is not set");
	rt_buf_release(&out);
	rt_buf_release(&err);
}

static void test_env_lookup(void **state)
{
	rt_buf out = RT_BUF_INIT, err = RT_BUF_INIT;

	(void)state;
	setenv("RT_TEST_INTERP_VAR", "from-env", 1);
	unsetenv("RT_TEST_INTERP_UNSET");
	assert_string_equal(rt_lookup_env("RT_TEST_INTERP_VAR", NULL), "from-env");
	assert_null(rt_lookup_env("RT_TEST_INTERP_UNSET", NULL));
	/* NULL lookup means the environment */
	assert_rt_ok_err(rt_interpolate(&out, "${RT_TEST_INTERP_VAR}/${RT_TEST_INTERP_UNSET:-d}",
					NULL, NULL, 1, "x", &err), &err);
	assert_string_equal(out.ptr, "from-env/d");
	rt_buf_release(&out);
	rt_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_nested_defaults),
		cmocka_unit_test(test_default_is_lazy),
		cmocka_unit_test(test_dollars),
		cmocka_unit_test(test_strict_unset),
		cmocka_unit_test(test_lenient_unset),
		cmocka_unit_test(test_set_but_empty_is_not_an_error),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_malformed_does_not_show_default),
		cmocka_unit_test(test_too_deep),
		cmocka_unit_test(test_no_where),
		cmocka_unit_test(test_env_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
