/*
 * test_command.c - schema_command's pieces (command.c): words split as a
 * shell splits them with no expansion, and a program run with its output,
 * error output, exit status, environment, folder and time limit.
 */
#include <stdlib.h>

#include "rt_test.h"

/* Split `in`; the words joined with '|' must be `want`. */
static void words(const char *in, const char *want)
{
	rt_strlist out = { 0 };
	rt_buf got = RT_BUF_INIT, err = RT_BUF_INIT;
	size_t i;

	assert_rt_ok_err(rt_split_words(&out, in, &err), &err);
	for (i = 0; i < out.count; i++)
		rt_buf_printf(&got, "%s%s", i ? "|" : "", out.items[i]);
	assert_string_equal(got.ptr ? got.ptr : "", want);
	rt_strlist_release(&out);
	rt_buf_release(&got);
	rt_buf_release(&err);
}

static void bad_words(const char *in, const char *why)
{
	rt_strlist out = { 0 };
	rt_buf err = RT_BUF_INIT;

	assert_int_equal(rt_split_words(&out, in, &err), RETORT_EUSAGE);
	assert_non_null(strstr(err.ptr, why));
	rt_strlist_release(&out);
	rt_buf_release(&err);
}

static void test_split(void **state)
{
	(void)state;
	words("python3 -m retort_sqlalchemy bot.models:Base",
	      "python3|-m|retort_sqlalchemy|bot.models:Base");
	words("  a\t b  ", "a|b");
	words("", "");
	/* quotes keep blanks; nothing is expanded */
	words("sh -c 'echo $HOME *'", "sh|-c|echo $HOME *");
	words("a\"b c\"d", "ab cd");
	words("\"say \\\"hi\\\" \\\\ \\n\"", "say \"hi\" \\ \\n");
	words("''", "");
	words("a\\ b \\'c", "a b|'c");
	bad_words("echo 'open", "unterminated ' at column 6");
	bad_words("echo \"open", "unterminated \" at column 6");
	bad_words("echo \\", "ends the line");
}

static rt_command cmd(const char *const *argv)
{
	rt_command c = { 0 };

	c.argv = argv;
	return c;
}

static void test_run(void **state)
{
	static const char *const echo[] = { "sh", "-c", "printf out; printf err >&2; exit 3", NULL };
	static const char *const env[] = { "sh", "-c", "printf %s \"$RT_T\"; pwd >&2", NULL };
	static const char *const slow[] = { "sleep", "5", NULL };
	static const char *const none[] = { "/nonexistent/program", NULL };
	static const char *const set[] = { "RT_T=mine" };
	rt_buf err = RT_BUF_INIT;
	rt_command c;

	(void)state;
	c = cmd(echo);
	assert_rt_ok_err(rt_command_run(&c, &err), &err);
	assert_string_equal(c.out.ptr, "out");
	assert_string_equal(c.err.ptr, "err");
	assert_int_equal(c.exit_status, 3);
	assert_false(c.timed_out);
	rt_command_release(&c);

	/* the variable set here wins over an inherited one of the name */
	setenv("RT_T", "inherited", 1);
	c = cmd(env);
	c.env = set;
	c.nenv = 1;
	c.cwd = "/";
	assert_rt_ok_err(rt_command_run(&c, &err), &err);
	assert_string_equal(c.out.ptr, "mine");
	assert_string_equal(c.err.ptr, "/\n");
	assert_int_equal(c.exit_status, 0);
	rt_command_release(&c);
	unsetenv("RT_T");

	c = cmd(slow);
	c.timeout_ms = 200;
	assert_rt_ok_err(rt_command_run(&c, &err), &err);
	assert_true(c.timed_out);
	assert_int_equal(c.exit_status, -1);
	rt_command_release(&c);

	c = cmd(none);
	assert_int_equal(rt_command_run(&c, &err), RETORT_ENOTFOUND);
	assert_non_null(strstr(err.ptr, "/nonexistent/program"));
	rt_command_release(&c);
	rt_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
