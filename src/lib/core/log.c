/*
 * log.c - the optional log file (log_file in retort.ini): one timestamped
 * line per event, appended, passwords masked.  Each line is written and
 * flushed whole, so processes migrating the same project can share the
 * file (O_APPEND puts every write at its end).
 *
 * The log says which databases were migrated, from where, and how they
 * failed: it is created readable by its owner only, and never through a
 * symbolic link, which another user could have planted to make a run
 * append to (or create) a file of their choosing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rt.h"

static int symlink_error(const char *path, rt_buf *err)
{
	return rt_error(err, RETORT_EINVALID,
			"log file '%s' is a symbolic link, which retort does not write through; "
			"point log_file at the real file", path);
}

int rt_log_check(const char *path, rt_buf *err)
{
	struct stat st;

	if (path && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return symlink_error(path, err);
	return 0;
}

int rt_log_open(rt_log *log, const char *path, rt_buf *err)
{
	int fd, saved;

	log->fp = NULL;
	if (!path)
		return 0;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == ELOOP)
		return symlink_error(path, err);
	if (fd < 0)
		return rt_error(err, RETORT_ERROR, "cannot open log file '%s': %s", path,
				strerror(errno));
	if (!(log->fp = fdopen(fd, "a"))) {
		saved = errno;
		close(fd);
		return rt_error(err, RETORT_ERROR, "cannot open log file '%s': %s", path,
				strerror(saved));
	}
	return 0;
}

/*
 * A multi-line message (a failure with the statements that had run) as
 * one line, its line breaks shown as " | " and the indentation after them
 * dropped: every record starts with its timestamp, so grep and tail -f
 * see whole events, and no text of a message can pose as a record of its
 * own.
 */
static void one_line(rt_buf *out, const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\r\n");

		rt_buf_put(out, text, n);
		text += n;
		if (!*text)
			break;
		text += strspn(text, "\r\n");
		text += strspn(text, " \t");
		if (*text)
			rt_buf_puts(out, " | ");
	}
}

void rt_log_printf(rt_log *log, const char *fmt, ...)
{
	rt_buf text = RT_BUF_INIT, masked = RT_BUF_INIT, line = RT_BUF_INIT;
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	va_list ap;

	if (!log || (!log->fp && !log->fn))
		return;
	/* the tag (a tenant's name, from the registry) is kept to one line too */
	if (log->tag)
		rt_buf_printf(&text, "[%s] ", log->tag);
	va_start(ap, fmt);
	rt_buf_vprintf(&text, fmt, ap);
	va_end(ap);
	while (text.len && text.ptr[text.len - 1] == '\n')
		rt_buf_truncate(&text, text.len - 1);

	rt_mask_secrets(&masked, text.ptr);
	if (log->fn && !rt_buf_oom(&text) && !rt_buf_oom(&masked))
		log->fn(masked.ptr, log->payload);
	if (!log->fp)
		goto done;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (!gmtime_r(&ts.tv_sec, &tm) ||
	    !strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm))
		stamp[0] = '\0';
	rt_buf_printf(&line, "%s.%03ldZ ", stamp, (long)(ts.tv_nsec / 1000000));
	one_line(&line, masked.ptr);
	rt_buf_putc(&line, '\n');
	/* a log that cannot be written must not stop a migration */
	if (!rt_buf_oom(&text) && !rt_buf_oom(&masked) && !rt_buf_oom(&line)) {
		fwrite(line.ptr, 1, line.len, log->fp);
		fflush(log->fp);
	}
done:
	rt_buf_release(&text);
	rt_buf_release(&masked);
	rt_buf_release(&line);
}

void rt_log_close(rt_log *log)
{
	if (log && log->fp) {
		fclose(log->fp);
		log->fp = NULL;
	}
	if (log) {
		free(log->tag);
		log->tag = NULL;
	}
}
