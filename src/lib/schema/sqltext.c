/*
 * sqltext.c - the little SQL lexing the schema model needs: finding the
 * end of a parenthesised expression in SQLite's stored CREATE text,
 * normalising expression texts so that two spellings of one schema
 * compare equal, and quoting identifiers for the renderers.
 *
 * This is a lexer only (strings, quoted identifiers, comments, words):
 * the model is never parsed out of SQL; the database parses, and these
 * helpers only cut out the texts it keeps.
 */
#include <ctype.h>
#include <sqlite3.h>
#include <string.h>
#include <strings.h>

#include "schema.h"

static int word_start(int c)
{
	return isalpha(c) || c == '_' || c >= 0x80;
}

static int word_char(int c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
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
static int plain_quoted(const char *s, const rt_tok *t)
{
	size_t k;

	if (t->kind != RT_TOK_QUOTED || t->len < 3)
		return 0;
	if (!word_start((unsigned char)s[t->off + 1]) || (unsigned char)s[t->off + 1] >= 0x80)
		return 0;
	for (k = t->off + 1; k < t->off + t->len - 1; k++)
		if (!isalnum((unsigned char)s[k]) && s[k] != '_')
			return 0;
	return !sqlite3_keyword_check(s + t->off + 1, (int)t->len - 2);
}

void rt_sql_normalize(rt_buf *out, const char *s, size_t len, int unquote)
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
		if (unquote && plain_quoted(s, &t))
			rt_buf_put(out, s + t.off + 1, t.len - 2);
		else
			rt_buf_put(out, s + t.off, t.len);
		last = t.kind == RT_TOK_PUNCT ? s[t.off] : 0;
		prev_end = t.off + t.len;
		first = 0;
	}
}

char *rt_sql_normalized(const char *s, size_t len, int unquote)
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

/* PostgreSQL's keywords that cannot be a bare column or table name
 * (the reserved, type/function-name and column-name categories). */
static const char *const pg_keywords[] = {
	"all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
	"authorization", "between", "bigint", "binary", "bit", "boolean", "both", "case",
	"cast", "char", "character", "check", "coalesce", "collate", "collation", "column",
	"concurrently", "constraint", "create", "cross", "current_catalog", "current_date",
	"current_role", "current_schema", "current_time", "current_timestamp", "current_user",
	"dec", "decimal", "default", "deferrable", "desc", "distinct", "do", "else", "end",
	"except", "exists", "extract", "false", "fetch", "float", "for", "foreign", "freeze",
	"from", "full", "grant", "greatest", "group", "grouping", "having", "ilike", "in",
	"initially", "inner", "inout", "int", "integer", "intersect", "interval", "into", "is",
	"isnull", "join", "json", "lateral", "leading", "least", "left", "like", "limit",
	"localtime", "localtimestamp", "national", "natural", "nchar", "none", "normalize",
	"not", "notnull", "null", "nullif", "numeric", "offset", "on", "only", "or", "order",
	"out", "outer", "overlaps", "overlay", "placing", "position", "precision", "primary",
	"real", "references", "returning", "right", "row", "select", "session_user", "setof",
	"similar", "smallint", "some", "substring", "symmetric", "system_user", "table",
	"tablesample", "then", "time", "timestamp", "to", "trailing", "treat", "trim", "true",
	"union", "unique", "user", "using", "values", "varchar", "variadic", "verbose", "when",
	"where", "window", "with", "xmlattributes", "xmlconcat", "xmlelement", "xmlexists",
	"xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmltable",
};

static int pg_keyword(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(pg_keywords) / sizeof(pg_keywords[0]); i++)
		if (!strcmp(pg_keywords[i], name))
			return 1;
	return 0;
}

void rt_sql_ident(rt_buf *out, const char *name, const char *dialect)
{
	int pg = dialect && !strcmp(dialect, "postgresql");
	const char *p;
	int bare = *name && (isalpha((unsigned char)*name) || *name == '_');

	for (p = name; bare && *p; p++)
		if (!(pg ? (islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_')
			 : (isalnum((unsigned char)*p) || *p == '_')))
			bare = 0;
	if (bare && pg)
		bare = !pg_keyword(name);
	else if (bare)
		bare = !sqlite3_keyword_check(name, (int)strlen(name));
	if (bare)
		rt_buf_puts(out, name);
	else
		rt_sql_quote_ident(out, name);
}
