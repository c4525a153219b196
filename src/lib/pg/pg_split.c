/*
 * pg_split.c - PostgreSQL statements out of a section's text, by
 * libpg_query's parser (or its scanner), for the driver that runs them and
 * the linter that reads them.
 */
#include <stdlib.h>
#include <string.h>

#include "pg_split.h"
#include "pgapi.h"

/* Byte offset of the `chars`-th character (1-based) of UTF-8 text. */
size_t rt_pg_char_to_byte(const char *s, size_t len, long chars)
{
	size_t i = 0;

	while (i < len && chars > 1) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		chars--;
	}
	return i;
}

static int add_span(rt_span **v, size_t *n, size_t off, size_t len)
{
	rt_span *p = realloc(*v, (*n + 1) * sizeof(*p));

	if (!p)
		return RETORT_ERROR;
	p[*n].off = off;
	p[*n].len = len;
	(*n)++;
	*v = p;
	return 0;
}

/* Text between two statements the scanner found: anything in it but blanks,
 * comments and ';' is a statement the scanner could not classify. */
static int add_gap(rt_span **v, size_t *n, const char *text, size_t from, size_t to)
{
	for (;;) {
		from = rt_sql_skip_blank(text, from, to);
		if (from < to && text[from] == ';')
			from++;
		else
			break;
	}
	return from < to ? add_span(v, n, from, to - from) : 0;
}

/* Split with the server's grammar.  Text the bundled parser rejects (a
 * newer server's syntax, or a typo the server will report) is split by its
 * scanner, which still knows quotes, dollar quotes and comments; what lies
 * between the scanner's statements is kept as statements too, so nothing
 * is ever dropped unsent. */
int rt_pg_split_parsed(rt_span **out, size_t *n, const char *text, size_t len, int *parsed)
{
	PgQuerySplitResult r = pg_query_split_with_parser(text);
	int scanned = 0, i, rc = 0;
	size_t end = 0;

	*out = NULL;
	*n = 0;
	if (parsed)
		*parsed = !r.error;
	if (r.error) {
		pg_query_free_split_result(r);
		r = pg_query_split_with_scanner(text);
		scanned = 1;
	}
	if (r.error) { /* e.g. an unterminated quote: send it as it is */
		pg_query_free_split_result(r);
		return add_gap(out, n, text, 0, len);
	}
	for (i = 0; i < r.n_stmts && rc >= 0; i++) {
		size_t off = (size_t)r.stmts[i]->stmt_location, sl = (size_t)r.stmts[i]->stmt_len;

		if (!sl)
			sl = len - off; /* the last statement, without a ';' */
		if (scanned)
			rc = add_gap(out, n, text, end, off);
		if (rc >= 0 && rt_sql_skip_blank(text, off, off + sl) < off + sl)
			rc = add_span(out, n, off, sl);
		end = off + sl;
	}
	if (rc >= 0 && scanned)
		rc = add_gap(out, n, text, end, len);
	pg_query_free_split_result(r);
	return rc;
}

int rt_pg_split(rt_span **out, size_t *n, const char *text, size_t len)
{
	return rt_pg_split_parsed(out, n, text, len, NULL);
}
