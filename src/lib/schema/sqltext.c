/*
 * sqltext.c - the little SQL lexing the schema model needs: finding the
 * end of a parenthesised expression in SQLite's stored CREATE text,
 * normalising expression texts so that two spellings of one schema
 * compare equal, and quoting identifiers for the renderers.  Which
 * identifiers may go unquoted is the dialect's (its renderer's
 * bare_ident), never decided here.
 *
 * This is a lexer only (strings, quoted identifiers, comments, words):
 * the model is never parsed out of SQL; the database parses, and these
 * helpers only cut out the texts it keeps.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "diff.h"
#include "schema.h"

static int word_start(int c)
{
	return isalpha(c) || c == '_' || c >= 0x80;
}

static int word_char(int c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* The name a token stands for: quotes removed, doubled quotes undone. */
char *rt_tok_name(const char *s, const rt_tok *t)
{
	rt_buf b = RT_BUF_INIT;
	size_t i;

	if (t->kind != RT_TOK_QUOTED && t->kind != RT_TOK_STRING)
		return rt_strndup(s + t->off, t->len);
	for (i = t->off + 1; i + 1 < t->off + t->len; i++) {
		rt_buf_putc(&b, s[i]);
		if (s[i] == s[t->off] && s[t->off] != '[' && s[i + 1] == s[i])
			i++;
	}
	if (rt_buf_oom(&b)) {
		rt_buf_release(&b);
		return NULL;
	}
	return rt_buf_detach(&b);
}

/* End of a quoted run starting at s[i] (the opening quote), where the
 * closing quote doubled is an escaped one. */
static size_t quoted_end(const char *s, size_t len, size_t i, char close)
{
	for (i++; i < len; i++) {
		if (s[i] == close) {
			if (close != ']' && i + 1 < len && s[i + 1] == close) {
				i++;
				continue;
			}
			return i + 1;
		}
	}
	return len;
}

size_t rt_sql_token(const char *s, size_t len, size_t i, rt_tok *out)
{
	unsigned char c;

	i = rt_sql_skip_blank(s, i, len);
	out->off = i;
	out->len = 0;
	if (i >= len) {
		out->kind = RT_TOK_END;
		return len;
	}
	c = (unsigned char)s[i];
	if (c == '\'') {
		out->kind = RT_TOK_STRING;
		out->len = quoted_end(s, len, i, '\'') - i;
	} else if (strchr("xXeEbBnN", c) && c && i + 1 < len && s[i + 1] == '\'') {
		out->kind = RT_TOK_STRING;
		out->len = quoted_end(s, len, i + 1, '\'') - i;
	} else if (c == '"' || c == '`' || c == '[') {
		out->kind = RT_TOK_QUOTED;
		out->len = quoted_end(s, len, i, c == '[' ? ']' : (char)c) - i;
	} else if (isdigit(c) || (c == '.' && i + 1 < len && isdigit((unsigned char)s[i + 1]))) {
		size_t k = i;
		out->kind = RT_TOK_NUMBER;
		while (k < len && (isalnum((unsigned char)s[k]) || s[k] == '.' ||
				   ((s[k] == '+' || s[k] == '-') && (s[k - 1] == 'e' || s[k - 1] == 'E'))))
			k++;
		out->len = k - i;
	} else if (word_start(c)) {
		size_t k = i + 1;
		while (k < len && word_char((unsigned char)s[k]))
			k++;
		out->kind = RT_TOK_WORD;
		out->len = k - i;
	} else {
		out->kind = RT_TOK_PUNCT;
		out->len = 1;
	}
	return i + out->len;
}

int rt_tok_is(const char *s, const rt_tok *t, const char *w)
{
	size_t n = strlen(w);

	return t->kind == RT_TOK_WORD && t->len == n && !strncasecmp(s + t->off, w, n);
}

int rt_tok_ident_is(const char *s, const rt_tok *t, const char *name)
{
	size_t n = strlen(name);

	if (t->kind == RT_TOK_WORD)
		return t->len == n && !strncasecmp(s + t->off, name, n);
	return t->kind == RT_TOK_QUOTED && t->len == n + 2 && !strncmp(s + t->off + 1, name, n);
}

size_t rt_sql_statement_end(const char *s, size_t len, size_t i)
{
	rt_tok t;

	while ((i = rt_sql_token(s, len, i, &t)), t.kind != RT_TOK_END)
		if (t.kind == RT_TOK_PUNCT && s[t.off] == ';')
			return i;
	return len;
}

void rt_sql_blank(char *s, size_t from, size_t to)
{
	for (; from < to; from++)
		if (s[from] != '\n')
			s[from] = ' ';
}

size_t rt_sql_match_paren(const char *s, size_t len, size_t open)
{
	size_t i = open;
	int depth = 0;
	rt_tok t;

	while ((i = rt_sql_token(s, len, i, &t)), t.kind != RT_TOK_END) {
		if (t.kind != RT_TOK_PUNCT)
			continue;
		if (s[t.off] == '(')
			depth++;
		else if (s[t.off] == ')' && --depth == 0)
			return i;
	}
	return len;
}

/* A quoted identifier that reads the same without its quotes. */
static int plain_quoted(const char *s, const rt_tok *t, int (*bare)(const char *name, size_t len))
{
	return t->kind == RT_TOK_QUOTED && t->len >= 3 && bare(s + t->off + 1, t->len - 2);
}

void rt_sql_normalize(rt_buf *out, const char *s, size_t len,
		      int (*unquote)(const char *name, size_t len))
{
	size_t i = 0, prev_end = 0;
	int first = 1;
	char last = 0;
	rt_tok t;

	while ((i = rt_sql_token(s, len, i, &t)), t.kind != RT_TOK_END) {
		int gap = t.off > prev_end;
		rt_tok next;
		if (t.kind == RT_TOK_PUNCT && s[t.off] == ';' &&
		    (rt_sql_token(s, len, i, &next), next.kind == RT_TOK_END))
			break; /* a trailing ';' */
		if (!first && gap && last != '(' && !(t.kind == RT_TOK_PUNCT && s[t.off] == ')'))
			rt_buf_putc(out, ' ');
		if (unquote && plain_quoted(s, &t, unquote))
			rt_buf_put(out, s + t.off + 1, t.len - 2);
		else
			rt_buf_put(out, s + t.off, t.len);
		last = t.kind == RT_TOK_PUNCT ? s[t.off] : 0;
		prev_end = t.off + t.len;
		first = 0;
	}
}

char *rt_sql_normalized(const char *s, size_t len, int (*unquote)(const char *name, size_t len))
{
	rt_buf b = RT_BUF_INIT;

	rt_sql_normalize(&b, s, len, unquote);
	if (rt_buf_oom(&b)) {
		rt_buf_release(&b);
		return NULL;
	}
	return rt_buf_detach(&b);
}

int rt_sql_mentions(const char *text, const char *name)
{
	size_t len = strlen(text), n = strlen(name), i = 0;
	rt_tok t;

	while ((i = rt_sql_token(text, len, i, &t)), t.kind != RT_TOK_END) {
		if (t.kind == RT_TOK_WORD && t.len == n && !strncasecmp(text + t.off, name, n))
			return 1;
		if (t.kind == RT_TOK_QUOTED && t.len == n + 2 &&
		    !strncasecmp(text + t.off + 1, name, n))
			return 1;
	}
	return 0;
}

void rt_sql_ident(rt_buf *out, const char *name, const rt_renderer *r)
{
	if (r->bare_ident(name, strlen(name)))
		rt_buf_puts(out, name);
	else
		rt_sql_quote_ident(out, name);
}
