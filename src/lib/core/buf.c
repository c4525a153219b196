/*
 * buf.c - rt_buf, the library's one growable string.  Allocation failure is
 * sticky and checked once by the caller, so building a message or a SQL
 * script does not need a check after every append.
 */
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "rt.h"

char rt_buf__empty[1];

void rt_buf_init(rt_buf *b)
{
	b->ptr = rt_buf__empty;
	b->len = b->cap = 0;
	b->oom = 0;
}

void rt_buf_release(rt_buf *b)
{
	if (b->cap)
		free(b->ptr);
	rt_buf_init(b);
}

char *rt_buf_detach(rt_buf *b)
{
	char *s = b->cap ? b->ptr : rt_strdup("");

	rt_buf_init(b);
	return s;
}

void rt_buf_clear(rt_buf *b)
{
	rt_buf_truncate(b, 0);
	b->oom = 0;
}

void rt_buf_truncate(rt_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->ptr[len] = '\0';
	}
}

void rt_buf_grow(rt_buf *b, size_t extra)
{
	size_t want, cap;
	char *p;

	if (b->oom || b->len + extra < b->cap)
		return;
	if (extra > ((size_t)-1) / 2 - b->len) {
		b->oom = 1;
		return;
	}
	want = b->len + extra + 1;
	cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap *= 2;
	p = realloc(b->cap ? b->ptr : NULL, cap);
	if (!p) {
		b->oom = 1;
		return;
	}
	if (!b->cap)
		p[0] = '\0';
	b->ptr = p;
	b->cap = cap;
}

void rt_buf_put(rt_buf *b, const char *data, size_t len)
{
	rt_buf_grow(b, len);
	if (b->oom)
		return;
	memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
}

void rt_buf_puts(rt_buf *b, const char *s)
{
	rt_buf_put(b, s, strlen(s));
}

void rt_buf_putc(rt_buf *b, char c)
{
	rt_buf_put(b, &c, 1);
}

void rt_buf_vprintf(rt_buf *b, const char *fmt, va_list ap)
{
	rt_buf_vinsertf(b, b->len, fmt, ap);
}

void rt_buf_printf(rt_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void rt_buf_vinsertf(rt_buf *b, size_t pos, const char *fmt, va_list ap)
{
	va_list cp;
	char keep;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		b->oom = 1;
		return;
	}
	rt_buf_grow(b, (size_t)n);
	if (b->oom)
		return;
	if (pos > b->len)
		pos = b->len;
	memmove(b->ptr + pos + n, b->ptr + pos, b->len - pos + 1);
	/* vsnprintf ends with a NUL, on the first byte moved */
	keep = b->ptr[pos + n];
	vsnprintf(b->ptr + pos, (size_t)n + 1, fmt, ap);
	b->ptr[pos + n] = keep;
	b->len += (size_t)n;
}

int rt_buf_oom(const rt_buf *b)
{
	return b->oom;
}

int rt_error(rt_buf *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	rt_buf_clear(err);
	va_start(ap, fmt);
	rt_buf_vprintf(err, fmt, ap);
	va_end(ap);
	return code;
}

int rt_error_prefix(rt_buf *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	va_start(ap, fmt);
	rt_buf_vinsertf(err, 0, fmt, ap);
	va_end(ap);
	return code;
}

void rt_buf_json(rt_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end;
	int n;

	if (!s) {
		rt_buf_puts(b, "null");
		return;
	}
	end = p + strlen(s);
	rt_buf_putc(b, '"');
	while (*p) {
		if (*p == '"' || *p == '\\') {
			rt_buf_putc(b, '\\');
			rt_buf_putc(b, (char)*p++);
		} else if (*p == '\n') {
			rt_buf_puts(b, "\\n");
			p++;
		} else if (*p == '\t') {
			rt_buf_puts(b, "\\t");
			p++;
		} else if (*p < 0x20 || *p == 0x7F) {
			rt_buf_printf(b, "\\u%04x", *p++);
		} else if (*p < 0x80) {
			rt_buf_putc(b, (char)*p++);
		} else if ((n = u8_mblen(p, (size_t)(end - p))) > 0) {
			/* libunistring's test: well-formed (RFC 3629) or -1 */
			rt_buf_put(b, (const char *)p, (size_t)n);
			p += n;
		} else {
			/* a name in a SQLite file need not be UTF-8: the
			 * replacement character keeps the document valid */
			rt_buf_puts(b, "\\ufffd");
			p++;
		}
	}
	rt_buf_putc(b, '"');
}
