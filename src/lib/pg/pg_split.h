/*
 * pg_split.h - splitting PostgreSQL text into statements (pg_split.c).
 */
#ifndef RT_PG_SPLIT_H
#define RT_PG_SPLIT_H

#include "rt.h"

/* One statement: [off, off + len) of the text. */
typedef struct rt_span {
	size_t off;
	size_t len;
} rt_span;

/* Split NUL-terminated `text` (len bytes) into statements with the
 * server's grammar; text the bundled parser rejects is split by its
 * scanner, and what lies between the scanner's statements is kept as
 * statements too, so nothing is ever dropped.  *out is freed by the caller. */
int rt_pg_split(rt_span **out, size_t *n, const char *text, size_t len);

/* rt_pg_split, saying in *parsed whether the parser took the whole text
 * (0: it was split by the scanner, or sent as it is). */
int rt_pg_split_parsed(rt_span **out, size_t *n, const char *text, size_t len, int *parsed);

/* Byte offset of the `chars`-th character (1-based) of UTF-8 text, as
 * PostgreSQL's error positions count. */
size_t rt_pg_char_to_byte(const char *s, size_t len, long chars);

#endif
