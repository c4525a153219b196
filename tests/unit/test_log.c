/*
 * test_log.c - the log file (log.c): appended lines, the timestamp format,
 * masked passwords, and a closed log doing nothing.
 */
#include "rt_test.h"

#include <fcntl.h>
#include <unistd.h>

static char *read_all(const char *path)
{
	rt_buf err = RT_BUF_INIT;
	char *text = NULL;

	assert_rt_ok_err(rt_read_file(&text, NULL, path, &err), &err);
	rt_buf_release(&err);
	return text;
}

/* "2026-11-22T10:00:00.123Z " */
static void assert_stamp(const char *line)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ ";
	size_t i;

	for (i = 0; shape[i]; i++) {
		if (shape[i] == 'd')
			assert_true(line[i] >= '0' && line[i] <= '9');
		else
			assert_int_equal(line[i], shape[i]);
	}
}

static void test_lines_appended_and_masked(void **state)
{
	char tmpl[] = "/tmp/rt_test_log_XXXXXX";
	int fd = mkstemp(tmpl);
	rt_log log = RT_LOG_INIT;
	rt_buf err = RT_BUF_INIT;
	char *text, *second;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "old line\n", 9), 9);
	close(fd);

	assert_rt_ok_err(rt_log_open(&log, tmpl, &err), &err);
	assert_non_null(log.fp);
	rt_log_printf(&log, "upgrade %s -> %s", "base", "3f2a9c1b7d4e");
	rt_log_printf(&log, "connect postgresql://app:hunter2@db/app password=%s\n", "hunter3");
	rt_log_close(&log);
	assert_null(log.fp);

	text = read_all(tmpl);
	/* appended, not truncated */
	assert_memory_equal(text, "old line\n", 9);
	assert_stamp(text + 9);
	assert_memory_equal(text + 9 + 25, "upgrade base -> 3f2a9c1b7d4e\n", 29);
	second = text + 9 + 25 + 29;
	assert_stamp(second);
	/* the trailing newline of the format does not make an empty line */
	assert_string_equal(second + 25, "connect postgresql://app:***@db/app password=***\n");
	assert_null(strstr(text, "hunter"));
	free(text);
	unlink(tmpl);
	rt_buf_release(&err);
}

static void test_closed_log_does_nothing(void **state)
{
	rt_log log = RT_LOG_INIT;
	rt_buf err = RT_BUF_INIT;

	(void)state;
	assert_rt_ok_err(rt_log_open(&log, NULL, &err), &err);
	assert_null(log.fp);
	rt_log_printf(&log, "nothing %d", 1);
	rt_log_close(&log);
	rt_log_close(&log);
	rt_log_printf(NULL, "nothing");
	rt_buf_release(&err);
}

static void test_open_error_names_the_path(void **state)
{
	rt_log log = RT_LOG_INIT;
	rt_buf err = RT_BUF_INIT;

	(void)state;
	assert_rt_fails(rt_log_open(&log, "/nonexistent-folder/retort.log", &err), RETORT_ERROR);
	assert_null(log.fp);
	assert_non_null(strstr(err.ptr, "'/nonexistent-folder/retort.log'"));
	rt_buf_release(&err);
}

static void test_close_on_exec(void **state)
{
	char tmpl[] = "/tmp/rt_test_log_XXXXXX";
	int fd = mkstemp(tmpl);
	rt_log log = RT_LOG_INIT;
	rt_buf err = RT_BUF_INIT;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_rt_ok_err(rt_log_open(&log, tmpl, &err), &err);
	assert_true(fcntl(fileno(log.fp), F_GETFD) & FD_CLOEXEC);
	rt_log_close(&log);
	unlink(tmpl);
	rt_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_appended_and_masked),
		cmocka_unit_test(test_closed_log_does_nothing),
		cmocka_unit_test(test_open_error_names_the_path),
		cmocka_unit_test(test_close_on_exec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
