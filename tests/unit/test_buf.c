/*
 * test_buf.c - inserting into an rt_buf (rt_buf_vinsertf) and the error
 * helper built on it, rt_error_prefix: context goes before the callee's
 * message, in place, and the code comes back.
 */
#include "rt_test.h"

static void insertf(rt_buf *b, size_t pos, const char *fmt, ...) RT_PRINTF(3, 4);

static void insertf(rt_buf *b, size_t pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_buf_vinsertf(b, pos, fmt, ap);
	va_end(ap);
}

static void test_insert_anywhere(void **state)
{
	rt_buf b = RT_BUF_INIT;

	(void)state;
	rt_buf_puts(&b, "ad");
	insertf(&b, 1, "%s%c", "b", 'c');
	assert_string_equal(b.ptr, "abcd");
	insertf(&b, 0, "%d:", 0);
	assert_string_equal(b.ptr, "0:abcd");
	insertf(&b, b.len, "!");
	assert_string_equal(b.ptr, "0:abcd!");
	/* past the end: appended */
	insertf(&b, 100, "?");
	assert_string_equal(b.ptr, "0:abcd!?");
	assert_int_equal(b.len, strlen(b.ptr));
	insertf(&b, 3, "%s", "");
	assert_string_equal(b.ptr, "0:abcd!?");
	rt_buf_release(&b);
}

static void test_insert_into_empty(void **state)
{
	rt_buf b = RT_BUF_INIT;

	(void)state;
	insertf(&b, 0, "%s", "");
	assert_string_equal(b.ptr, "");
	assert_int_equal(b.len, 0);
	insertf(&b, 0, "x%zu", (size_t)42);
	assert_string_equal(b.ptr, "x42");
	assert_false(rt_buf_oom(&b));
	rt_buf_release(&b);
}

/* Growing past the first allocation moves the text after the insertion
 * point whole. */
static void test_insert_grows(void **state)
{
	rt_buf b = RT_BUF_INIT, want = RT_BUF_INIT;
	int i;

	(void)state;
	rt_buf_puts(&b, "tail");
	for (i = 0; i < 200; i++)
		insertf(&b, 0, "%03d,", i);
	for (i = 199; i >= 0; i--)
		rt_buf_printf(&want, "%03d,", i);
	rt_buf_puts(&want, "tail");
	assert_string_equal(b.ptr, want.ptr);
	assert_int_equal(b.len, want.len);
	rt_buf_release(&b);
	rt_buf_release(&want);
}

static void test_error_prefix(void **state)
{
	rt_buf err = RT_BUF_INIT;

	(void)state;
	rt_error(&err, RETORT_ERROR, "cannot commit: %s", "FOREIGN KEY constraint failed");
	assert_int_equal(rt_error_prefix(&err, RETORT_ECONFLICT, "upgrade %s -> %s failed at %s:%d: ",
					 "a", "b", "b.sql", 8),
			 RETORT_ECONFLICT);
	assert_string_equal(err.ptr, "upgrade a -> b failed at b.sql:8: cannot commit: FOREIGN KEY "
			    "constraint failed");
	/* no buffer: only the code */
	assert_int_equal(rt_error_prefix(NULL, RETORT_EBUSY, "x: "), RETORT_EBUSY);
	rt_buf_release(&err);
}

/* JSON strings: quotes, backslashes and control characters escaped,
 * UTF-8 kept, bytes that are not UTF-8 (overlong, surrogate, cut short)
 * replaced, NULL as null. */
static void test_json(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "plain", "\"plain\"" },
		{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "l1\nl2\tx\r\x01\x7f", "\"l1\\nl2\\tx\\u000d\\u0001\\u007f\"" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x98", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x98\"" },
		{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" },          /* overlong '/' */
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" }, /* a surrogate */
		{ "x\xe2\x82", "\"x\\ufffd\\ufffd\"" },          /* cut short at the end */
		{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" }, /* above U+10FFFF */
	};
	rt_buf b = RT_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rt_buf_clear(&b);
		rt_buf_json(&b, cases[i].in);
		assert_string_equal(b.ptr, cases[i].want);
	}
	rt_buf_clear(&b);
	rt_buf_json(&b, NULL);
	assert_string_equal(b.ptr, "null");
	rt_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_anywhere),
		cmocka_unit_test(test_insert_into_empty),
		cmocka_unit_test(test_insert_grows),
		cmocka_unit_test(test_error_prefix),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
