/*
 * test_log.c - the log file (log.c): appended lines, the timestamp format,
 * masked passwords, one line per event, a private mode, no symbolic
 * links, and a closed log doing nothing.
 */
#include "rt_test.h"

#include <fcntl.h>
#include <sys/stat.h>
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

/* A scratch folder under /tmp for the tests that need names of their own
 * (a symbolic link, a file that does not exist yet). */
static void scratch_dir(char *tmpl)
{
	assert_non_null(mkdtemp(tmpl));
}

/* Created private whatever the umask (it says which databases were
 * migrated and how they failed), and kept as it was when it exists. */
static void test_created_private(void **state)
{
	char dir[] = "/tmp/rt_test_log_XXXXXX";
	rt_log log = RT_LOG_INIT;
	rt_buf err = RT_BUF_INIT, path = RT_BUF_INIT;
	struct stat st;
	mode_t old = umask(0);

	(void)state;
	scratch_dir(dir);
	rt_buf_printf(&path, "%s/retort.log", dir);
	assert_rt_ok_err(rt_log_open(&log, path.ptr, &err), &err);
	umask(old);
	rt_log_printf(&log, "one");
	rt_log_close(&log);
	assert_int_equal(stat(path.ptr, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* an existing log keeps the mode its owner gave it */
	assert_int_equal(chmod(path.ptr, 0640), 0);
	assert_rt_ok_err(rt_log_open(&log, path.ptr, &err), &err);
	rt_log_close(&log);
	assert_int_equal(stat(path.ptr, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	unlink(path.ptr);
	rmdir(dir);
	rt_buf_release(&path);
	rt_buf_release(&err);
}

/* A symbolic link as the log is refused, naming it, and its target is
 * neither created nor written. */
static void test_symlink_refused(void **state)
{
	char dir[] = "/tmp/rt_test_log_XXXXXX";
	rt_log log = RT_LOG_INIT;
	rt_buf err = RT_BUF_INIT, link = RT_BUF_INIT, target = RT_BUF_INIT;
	struct stat st;

	(void)state;
	scratch_dir(dir);
	rt_buf_printf(&link, "%s/retort.log", dir);
	rt_buf_printf(&target, "%s/victim", dir);
	assert_int_equal(symlink(target.ptr, link.ptr), 0);

	/* dangling: would be created through the link */
	assert_rt_fails(rt_log_open(&log, link.ptr, &err), RETORT_EINVALID);
	assert_null(log.fp);
	assert_non_null(strstr(err.ptr, link.ptr));
	assert_non_null(strstr(err.ptr, "symbolic link"));
	assert_int_equal(lstat(target.ptr, &st), -1);
	rt_buf_clear(&err);
	assert_rt_fails(rt_log_check(link.ptr, &err), RETORT_EINVALID);
	assert_non_null(strstr(err.ptr, link.ptr));

	/* to an existing file: not appended to */
	rt_buf_clear(&err);
	assert_int_equal(close(open(target.ptr, O_CREAT | O_WRONLY, 0600)), 0);
	assert_rt_fails(rt_log_open(&log, link.ptr, &err), RETORT_EINVALID);
	assert_int_equal(stat(target.ptr, &st), 0);
	assert_int_equal(st.st_size, 0);

	/* a plain file, or none yet, passes the check */
	rt_buf_clear(&err);
	assert_rt_ok_err(rt_log_check(target.ptr, &err), &err);
	assert_rt_ok_err(rt_log_check(NULL, &err), &err);
	unlink(link.ptr);
	assert_rt_ok_err(rt_log_check(link.ptr, &err), &err);
	unlink(target.ptr);
	rmdir(dir);
	rt_buf_release(&link);
	rt_buf_release(&target);
	rt_buf_release(&err);
}

/* One timestamped line per event: a multi-line message (a failure listing
 * the statements that had run) and a tag with a line break stay on their
 * line, breaks shown as " | ". */
static void test_one_line_per_event(void **state)
{
	char tmpl[] = "/tmp/rt_test_log_XXXXXX";
	int fd = mkstemp(tmpl);
	rt_log log = RT_LOG_INIT;
	rt_buf err = RT_BUF_INIT;
	char *text, *nl;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_rt_ok_err(rt_log_open(&log, tmpl, &err), &err);
	rt_log_printf(&log, "failed: upgrade a -> b failed at x.sql:3: boom\n"
		      "the database is at a; 2 statements had run:\n  CREATE TABLE t (i int)\r\n"
		      "  INSERT INTO t VALUES (1)\n\n");
	log.tag = strdup("bad\nname");
	rt_log_printf(&log, "done");
	rt_log_close(&log);

	text = read_all(tmpl);
	nl = strchr(text, '\n');
	assert_non_null(nl);
	assert_stamp(text);
	*nl = '\0';
	assert_string_equal(text + 25, "failed: upgrade a -> b failed at x.sql:3: boom | "
			    "the database is at a; 2 statements had run: | "
			    "CREATE TABLE t (i int) | INSERT INTO t VALUES (1)");
	assert_stamp(nl + 1);
	assert_string_equal(nl + 1 + 25, "[bad | name] done\n");
	free(text);
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
		cmocka_unit_test(test_created_private),
		cmocka_unit_test(test_symlink_refused),
		cmocka_unit_test(test_one_line_per_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
