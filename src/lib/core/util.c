/*
 * util.c - small helpers every module needs: owned strings and string
 * lists, whole-file reads, atomic writes, paths and the clock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rt.h"

char *rt_strdup(const char *s)
{
	return s ? rt_strndup(s, strlen(s)) : NULL;
}

void rt_hex(char *out, const unsigned char *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

char *rt_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* rt_open_regular, with the file's stat in *st_out. */
static int open_regular(int *out_fd, int dirfd, const char *name, const char *path, size_t max,
			struct stat *st_out, rt_buf *err)
{
	struct stat st;
	int fd;

	*out_fd = -1;
	/* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
	 * writer, before fstat could tell what it is */
	if ((fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0)
		return rt_error(err, errno == ENOENT ? RETORT_ENOTFOUND : RETORT_ERROR,
				"cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		rt_error(err, RETORT_ERROR, "cannot read '%s': %s", path, strerror(errno));
		close(fd);
		return RETORT_ERROR;
	}
	/* a FIFO or a device (a symlink to /dev/zero) never ends, or blocks */
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return rt_error(err, RETORT_EINVALID, "'%s' is not a regular file (%s)", path,
				S_ISDIR(st.st_mode) ? "a folder" : S_ISFIFO(st.st_mode) ? "a FIFO"
				: S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
				: S_ISSOCK(st.st_mode) ? "a socket" : "a special file");
	}
	if (max && (unsigned long long)st.st_size > max) {
		close(fd);
		return rt_error(err, RETORT_EINVALID, "'%s' is too large (%lld bytes; the limit is "
				"%zu MiB)", path, (long long)st.st_size, max >> 20);
	}
	/* reads of a regular file never block: O_NONBLOCK stays until a
	 * read says EAGAIN (rt_read_some), not cleared by one more system
	 * call per file for every file of a plan */
	*out_fd = fd;
	*st_out = st;
	return 0;
}

ssize_t rt_read_some(int fd, char *buf, size_t n)
{
	for (;;) {
		ssize_t got = read(fd, buf, n);

		if (got >= 0 || (errno != EINTR && errno != EAGAIN))
			return got;
		/* (no F_GETFL first: the open's flags are known, and what
		 * F_SETFL sets, O_NONBLOCK alone of them, is what is to go) */
		if (errno == EAGAIN && fcntl(fd, F_SETFL, 0) != 0)
			return -1;
	}
}

int rt_open_regular(int *out_fd, int dirfd, const char *name, const char *path, size_t max,
		    rt_buf *err)
{
	struct stat st;

	return open_regular(out_fd, dirfd, name, path, max, &st, err);
}

int rt_read_file(char **out, size_t *out_len, const char *path, rt_buf *err)
{
	return rt_read_file_at(out, out_len, AT_FDCWD, path, path, err);
}

int rt_read_file_at(char **out, size_t *out_len, int dirfd, const char *name, const char *path,
		    rt_buf *err)
{
	rt_buf b = RT_BUF_INIT;
	struct stat st = { 0 };
	ssize_t n;
	int fd, rc;

	*out = NULL;
	if ((rc = open_regular(&fd, dirfd, name, path, RT_FILE_MAX, &st, err)) < 0)
		return rc;
	/* read straight into a buffer of the file's size (plus one byte to
	 * see the end), not through a chunk copied into a buffer growing by
	 * doubling: an upgrade reads every migration file of its plan */
	if (st.st_size > 0)
		rt_buf_grow(&b, (size_t)st.st_size + 1);
	for (;;) {
		size_t want;

		if (b.cap - b.len < 2)
			rt_buf_grow(&b, 65536);
		if (rt_buf_oom(&b))
			break;
		want = b.cap - b.len - 1;
		n = rt_read_some(fd, b.ptr + b.len, want);
		if (n == 0)
			break;
		if (n < 0) {
			close(fd);
			rt_buf_release(&b);
			return rt_error(err, RETORT_ERROR, "cannot read '%s': %s", path,
					strerror(errno));
		}
		b.len += (size_t)n;
		b.ptr[b.len] = '\0';
		/* the file may grow while it is read */
		if (b.len > RT_FILE_MAX) {
			close(fd);
			rt_buf_release(&b);
			return rt_error(err, RETORT_EINVALID, "'%s' is too large (more than %d MiB)",
					path, RT_FILE_MAX >> 20);
		}
		/* fewer bytes than asked, and the size fstat gave: the end,
		 * without one more read to be told so */
		if ((size_t)n < want && b.len == (size_t)st.st_size)
			break;
	}
	close(fd);
	if (rt_buf_oom(&b)) {
		rt_buf_release(&b);
		return rt_error(err, RETORT_ERROR, "out of memory reading '%s'", path);
	}
	if (out_len)
		*out_len = b.len;
	*out = rt_buf_detach(&b);
	return *out ? 0 : rt_error(err, RETORT_ERROR, "out of memory");
}

int rt_write_file(const char *path, const char *data, size_t len, int exclusive, rt_buf *err)
{
	rt_buf tmp = RT_BUF_INIT;
	int fd, rc = 0;
	size_t off = 0;

	if (exclusive && access(path, F_OK) == 0)
		return rt_error(err, RETORT_ECONFLICT, "'%s' already exists", path);
	rt_buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	if (rt_buf_oom(&tmp))
		return rt_error(err, RETORT_ERROR, "out of memory");
	fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		rc = rt_error(err, RETORT_ERROR, "cannot create '%s': %s", tmp.ptr, strerror(errno));
		goto done;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = rt_error(err, RETORT_ERROR, "cannot write '%s': %s", path, strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	if (close(fd) < 0 && !rc)
		rc = rt_error(err, RETORT_ERROR, "cannot write '%s': %s", path, strerror(errno));
	if (!rc && exclusive && link(tmp.ptr, path) < 0)
		rc = rt_error(err, errno == EEXIST ? RETORT_ECONFLICT : RETORT_ERROR,
			      "cannot create '%s': %s", path, strerror(errno));
	else if (!rc && !exclusive && rename(tmp.ptr, path) < 0)
		rc = rt_error(err, RETORT_ERROR, "cannot create '%s': %s", path, strerror(errno));
	unlink(tmp.ptr);
done:
	rt_buf_release(&tmp);
	return rc;
}

char *rt_path_join(const char *dir, const char *rel)
{
	rt_buf b = RT_BUF_INIT;

	if (rel[0] == '/' || !dir || !dir[0])
		return rt_strdup(rel);
	rt_buf_puts(&b, dir);
	if (b.len && b.ptr[b.len - 1] != '/')
		rt_buf_putc(&b, '/');
	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	rt_buf_puts(&b, rel);
	if (rt_buf_oom(&b)) {
		rt_buf_release(&b);
		return NULL;
	}
	return rt_buf_detach(&b);
}

char *rt_path_normalize(const char *path)
{
	rt_buf b = RT_BUF_INIT;
	const char *p = path;

	while (*p) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			/* back over the last name, never above the root */
			while (b.len && b.ptr[b.len - 1] != '/')
				b.len--;
			rt_buf_truncate(&b, b.len ? b.len - 1 : 0);
		} else if (n && !(n == 1 && p[0] == '.')) {
			if (b.len || path[0] == '/')
				rt_buf_putc(&b, '/');
			rt_buf_put(&b, p, n);
		}
		p += n;
	}
	if (!b.len)
		rt_buf_puts(&b, path[0] == '/' ? "/" : ".");
	if (rt_buf_oom(&b)) {
		rt_buf_release(&b);
		return NULL;
	}
	return rt_buf_detach(&b);
}

int rt_mkdir_p(const char *path, rt_buf *err)
{
	char *p = rt_strdup(path), *s;
	int rc = 0;

	if (!p)
		return rt_error(err, RETORT_ERROR, "out of memory");
	for (s = p + 1; ; s++) {
		char c = *s;
		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			rc = rt_error(err, RETORT_ERROR, "cannot create folder '%s': %s", p,
				      strerror(errno));
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return rc;
}

double rt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int rt_strlist_addn(rt_strlist *l, const char *s, size_t n)
{
	char *copy;

	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		char **items = realloc(l->items, cap * sizeof(*items));
		if (!items)
			return RETORT_ERROR;
		l->items = items;
		l->cap = cap;
	}
	if (!(copy = rt_strndup(s, n)))
		return RETORT_ERROR;
	l->items[l->count++] = copy;
	return 0;
}

int rt_strlist_add(rt_strlist *l, const char *s)
{
	return rt_strlist_addn(l, s, strlen(s));
}

int rt_strlist_has(const rt_strlist *l, const char *s)
{
	rt_strview v = { (const char *const *)l->items, l->count };

	return rt_strview_has(&v, s);
}

int rt_sorted_side(char *const *a, size_t i, size_t na, char *const *b, size_t k, size_t nb,
		   int (*cmp)(const char *, const char *))
{
	if (i == na)
		return 1;
	if (k == nb)
		return -1;
	return cmp(a[i], b[k]);
}

void rt_strlist_release(rt_strlist *l)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->count = l->cap = 0;
}

int rt_strview_has(const rt_strview *v, const char *s)
{
	size_t i;

	for (i = 0; i < v->count; i++)
		if (!strcmp(v->items[i], s))
			return 1;
	return 0;
}

const char *rt_strview_get(const rt_strview *v, size_t i)
{
	return i < v->count ? v->items[i] : NULL;
}

size_t rt_list_item(const char **p, const char *end)
{
	const char *q;

	while (*p < end && (**p == ',' || **p == ' ' || **p == '\t'))
		(*p)++;
	for (q = *p; q < end && *q != ',' && *q != ' ' && *q != '\t'; q++)
		;
	return (size_t)(q - *p);
}

int rt_strlist_split(rt_strlist *out, const char *value)
{
	const char *p = value, *end = value + strlen(value);
	size_t n;

	for (; (n = rt_list_item(&p, end)) != 0; p += n)
		if (rt_strlist_addn(out, p, n) < 0)
			return RETORT_ERROR;
	return 0;
}

size_t rt_sql_skip_blank(const char *s, size_t i, size_t len)
{
	while (i < len) {
		if (s[i] && strchr(" \t\n\r\f", s[i])) {
			i++;
		} else if (s[i] == '-' && i + 1 < len && s[i + 1] == '-') {
			while (i < len && s[i] != '\n')
				i++;
		} else if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
			int depth = 1;
			for (i += 2; i < len && depth; i++) {
				if (s[i] == '*' && i + 1 < len && s[i + 1] == '/')
					depth--, i++;
				else if (s[i] == '/' && i + 1 < len && s[i + 1] == '*')
					depth++, i++;
			}
		} else {
			break;
		}
	}
	return i < len ? i : len;
}

void rt_sql_quote_ident(rt_buf *out, const char *name)
{
	rt_buf_putc(out, '"');
	for (; *name; name++) {
		if (*name == '"')
			rt_buf_putc(out, '"');
		rt_buf_putc(out, *name);
	}
	rt_buf_putc(out, '"');
}

void rt_sql_literal(rt_buf *out, const char *s)
{
	if (!s) {
		rt_buf_puts(out, "NULL");
		return;
	}
	rt_buf_putc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			rt_buf_putc(out, '\'');
		rt_buf_putc(out, *s);
	}
	rt_buf_putc(out, '\'');
}

void rt_sql_comment_n(rt_buf *out, const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;

	/* psql and the servers end a "--" comment at a CR as at a LF: what
	 * follows one would run offline but not online */
	for (; p < end; p++)
		rt_buf_putc(out, *p < 0x20 || *p == 0x7f ? ' ' : (char)*p);
}

void rt_sql_comment(rt_buf *out, const char *text)
{
	if (text)
		rt_sql_comment_n(out, text, strlen(text));
}

const char *retort_version(void)
{
	return RETORT_VERSION;
}

int retort_version_number(void)
{
	return RETORT_VERSION_NUMBER;
}

/* The public API's lists (retort.h). */
void retort_revlist_release(retort_revlist *list)
{
	if (!list)
		return;
	free(list->revs);
	list->revs = NULL;
	list->count = 0;
}

void retort_strarray_release(retort_strarray *array)
{
	size_t i;

	if (!array)
		return;
	for (i = 0; i < array->count; i++)
		free(array->strings[i]);
	free(array->strings);
	array->strings = NULL;
	array->count = 0;
}

void rt_now_utc(rt_buf *out, long long *epoch)
{
	time_t t = time(NULL);
	struct tm tm;
	char s[64];

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S+00:00", &tm);
	rt_buf_puts(out, s);
	*epoch = (long long)t;
}
