/*
 * interp.c - ${NAME} and ${NAME:-default} in configuration values, with the
 * shell's meaning: the default applies when the name is unset or empty, and
 * it is only looked into when it applies (a default that does not apply
 * must still be well formed).  "$$" is a literal "$"; any other "$" not
 * followed by "{" is kept as written, so "pa$word" needs no escaping.
 * Values are not expanded again: a value holding "${X}" stays as it is.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

/* Deeper than any real file, shallow enough for the C stack. */
#define MAX_DEPTH 32

struct interp {
	rt_lookup_fn lookup;
	void *payload;
	int strict;
	const char *where;
	rt_buf *err;
};

static int is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

/* Set the message, naming where the text came from, and return EINVALID. */
static int fail(struct interp *st, const char *fmt, ...) RT_PRINTF(2, 3);
static int fail(struct interp *st, const char *fmt, ...)
{
	va_list ap;

	if (!st->err)
		return RETORT_EINVALID;
	rt_buf_clear(st->err);
	va_start(ap, fmt);
	rt_buf_vprintf(st->err, fmt, ap);
	va_end(ap);
	if (st->where)
		rt_buf_printf(st->err, " (in %s)", st->where);
	return RETORT_EINVALID;
}

static int expand(struct interp *st, rt_buf *out, const char **pp, int depth);

/*
 * One ${...} starting at *pp.  With out == NULL (inside a default that does
 * not apply) nothing is looked up: the text is only checked.
 */
static int reference(struct interp *st, rt_buf *out, const char **pp, int depth)
{
	const char *start = *pp, *name = start + 2, *p = name, *value = NULL;
	char *key;
	int rc, use_default;

	while (is_name_char(*p))
		p++;
	if (!strchr(p, '}'))
		return fail(st, "unterminated '${'");
	/* quote only the name part: the rest may be a default holding a secret */
	if (p == name || !is_name_start(*name) || (*p != '}' && (p[0] != ':' || p[1] != '-')))
		return fail(st, "invalid '%.*s...': expected ${NAME} or ${NAME:-default}",
			    (int)(p - start), start);
	if (depth >= MAX_DEPTH)
		return fail(st, "'${' nested more than %d deep", MAX_DEPTH);

	if (out) {
		if (!(key = rt_strndup(name, (size_t)(p - name))))
			return rt_error(st->err, RETORT_ERROR, "out of memory");
		value = st->lookup(key, st->payload);
		free(key);
	}

	if (*p == '}') {
		if (out && !value && st->strict)
			return fail(st, "'%.*s' is not set", (int)(p - name), name);
		if (value)
			rt_buf_puts(out, value);
		*pp = p + 1;
		return 0;
	}

	p += 2;
	use_default = !value || !*value;
	if ((rc = expand(st, out && use_default ? out : NULL, &p, depth + 1)) < 0)
		return rc;
	if (*p != '}')
		return fail(st, "unterminated '${'");
	if (out && !use_default)
		rt_buf_puts(out, value);
	*pp = p + 1;
	return 0;
}

/*
 * Expand text from *pp to its end or, below the top level, up to the '}'
 * that closes the enclosing default (left at *pp for the caller).
 */
static int expand(struct interp *st, rt_buf *out, const char **pp, int depth)
{
	const char *p = *pp;
	int rc;

	while (*p && !(depth && *p == '}')) {
		if (*p != '$') {
			size_t n = strcspn(p, depth ? "$}" : "$");
			if (out)
				rt_buf_put(out, p, n);
			p += n;
		} else if (p[1] == '$') {
			if (out)
				rt_buf_putc(out, '$');
			p += 2;
		} else if (p[1] != '{') {
			if (out)
				rt_buf_putc(out, '$');
			p++;
		} else if ((rc = reference(st, out, &p, depth)) < 0) {
			return rc;
		}
	}
	*pp = p;
	return 0;
}

int rt_interpolate(rt_buf *out, const char *in, rt_lookup_fn lookup, void *payload,
		   int strict, const char *where, rt_buf *err)
{
	struct interp st = { lookup ? lookup : rt_lookup_env, payload, strict, where, err };
	size_t len = out->len;
	int rc = expand(&st, out, &in, 0);

	if (rc == 0 && rt_buf_oom(out))
		rc = rt_error(err, RETORT_ERROR, "out of memory");
	if (rc < 0)
		rt_buf_truncate(out, len);
	return rc;
}

const char *rt_lookup_env(const char *name, void *payload)
{
	(void)payload;
	return getenv(name);
}
