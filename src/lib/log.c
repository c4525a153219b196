/*
 * log.c - the optional log file (log_file in retort.ini): one timestamped
 * line per event, appended, passwords masked.  Each line is written and
 * flushed whole, so processes migrating the same project can share the
 * file (O_APPEND puts every write at its end).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rt.h"

int rt_log_open(rt_log *log, const char *path, rt_buf *err)
{
	int fd, saved;

	log->fp = NULL;
	if (!path)
		return 0;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
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

void rt_log_printf(rt_log *log, const char *fmt, ...)
{
	rt_buf text = RT_BUF_INIT, line = RT_BUF_INIT;
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	va_list ap;

	if (!log || !log->fp)
		return;
	va_start(ap, fmt);
	rt_buf_vprintf(&text, fmt, ap);
	va_end(ap);
	while (text.len && text.ptr[text.len - 1] == '\n')
		rt_buf_truncate(&text, text.len - 1);

	clock_gettime(CLOCK_REALTIME, &ts);
	if (!gmtime_r(&ts.tv_sec, &tm) ||
	    !strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm))
		stamp[0] = '\0';
	rt_buf_printf(&line, "%s.%03ldZ ", stamp, (long)(ts.tv_nsec / 1000000));
	if (log->tag)
		rt_buf_printf(&line, "[%s] ", log->tag);
	rt_mask_secrets(&line, text.ptr);
	rt_buf_putc(&line, '\n');
	/* a log that cannot be written must not stop a migration */
	if (!rt_buf_oom(&text) && !rt_buf_oom(&line)) {
		fwrite(line.ptr, 1, line.len, log->fp);
		fflush(log->fp);
	}
	rt_buf_release(&text);
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
