/*
 * model_pg.c - a model as pg_dump writes it, made ready to run on a
 * scratch server, and what decides where it runs.
 *
 * pg_dump's output is a psql script for an empty database: psql
 * meta-commands (\restrict, \unrestrict, \connect), the search path
 * emptied so that every name is written with its schema ("public.t"),
 * and statements about what the server owns or what retort does not
 * model (owners, privileges, the comment on an extension, CREATE SCHEMA
 * public).  The meta-commands and those statements are blanked out
 * (rt_sql_blank: lines keep their numbers for messages); the rest runs
 * as written.
 *
 * A model that names its schema cannot be run in a scratch schema: its
 * "public.t" would be made in the database's own public schema.  Writing
 * the names over was the other way, but names hide in places a lexer
 * cannot tell from data ('public.t_id_seq'::regclass, view bodies,
 * SEQUENCE NAME public.t_id_seq) and a missed one would touch the live
 * schema.  So such a model is run, as pg_dump means it to be, in a
 * database of its own made on the scratch server (model_own_db), where
 * "public" is the scratch's.
 */
#ifdef RETORT_WITH_PG  /* (built with the PostgreSQL driver only) */
#include <stdlib.h>
#include <string.h>

#include "introspect.h"
#include "pg_split.h"

/* Blank psql's meta-command lines: a backslash first on a line outside
 * quotes, dollar quotes and comments. */
static void blank_meta_lines(char *s, size_t len)
{
	size_t i = 0, k;
	int line_start = 1;

	while (i < len) {
		char c = s[i];
		if (line_start && c == '\\') {
			for (k = i; k < len && s[k] != '\n'; k++)
				;
			rt_sql_blank(s, i, k);
			i = k;
			continue;
		}
		if (c == '\n') {
			line_start = 1;
			i++;
			continue;
		}
		if (c != ' ' && c != '\t' && c != '\r')
			line_start = 0;
		if (c == '\'' || c == '"') {
			for (i++; i < len && s[i] != c; i++)
				;
			i++;
		} else if (c == '-' && i + 1 < len && s[i + 1] == '-') {
			while (i < len && s[i] != '\n')
				i++;
		} else if (c == '/' && i + 1 < len && s[i + 1] == '*') {
			i = rt_sql_skip_blank(s, i, len);
		} else if (c == '$' && (i == 0 || !strchr("_$", s[i - 1]))) {
			/* $tag$ ... $tag$ */
			for (k = i + 1; k < len && (s[k] == '_' || (s[k] >= 'a' && s[k] <= 'z') ||
						    (s[k] >= 'A' && s[k] <= 'Z') ||
						    (k > i + 1 && s[k] >= '0' && s[k] <= '9')); k++)
				;
			if (k < len && s[k] == '$') {
				size_t tag = k + 1 - i;
				for (k++; k + tag <= len && strncmp(s + k, s + i, tag); k++)
					;
				i = k + tag;
			} else {
				i++;
			}
		} else {
			i++;
		}
	}
}

/* The tokens of a statement, up to 8, for the rules below. */
typedef struct stmt {
	const char *s;
	rt_tok t[8];
	size_t n;
	rt_tok last[3];   /* the last three, last[2] the very last */
	size_t count;
} stmt;

static void read_stmt(stmt *st, const char *s, size_t from, size_t to)
{
	size_t i = from;
	rt_tok t;

	memset(st, 0, sizeof(*st));
	st->s = s;
	while ((i = rt_sql_token(s, to, i, &t)), t.kind != RT_TOK_END) {
		if (t.kind == RT_TOK_PUNCT && s[t.off] == ';')
			continue;
		if (st->n < 8)
			st->t[st->n++] = t;
		st->last[0] = st->last[1];
		st->last[1] = st->last[2];
		st->last[2] = t;
		st->count++;
	}
}

static int is(const stmt *st, size_t k, const char *w)
{
	return k < st->n && rt_tok_is(st->s, &st->t[k], w);
}

/* The schema's own name: public, or the one the model is read in. */
static int own_schema(const stmt *st, size_t k, const char *schema)
{
	return k < st->n && (rt_tok_ident_is(st->s, &st->t[k], "public") ||
			     (schema && rt_tok_ident_is(st->s, &st->t[k], schema)));
}

/* SELECT pg_catalog.set_config('search_path', ...) */
static int sets_search_path(const stmt *st)
{
	size_t k;

	if (is(st, 0, "SET"))
		return is(st, 1, "search_path") ||
		       ((is(st, 1, "SESSION") || is(st, 1, "LOCAL")) && is(st, 2, "search_path"));
	if (!is(st, 0, "SELECT"))
		return 0;
	for (k = 1; k + 2 < st->n; k++)
		if (is(st, k, "set_config") && st->t[k + 2].kind == RT_TOK_STRING &&
		    st->t[k + 2].len == 13 && !strncmp(st->s + st->t[k + 2].off, "'search_path'", 13))
			return 1;
	return 0;
}

/* A statement that is the server's or the dump's, not the schema's. */
static int not_the_schemas(const stmt *st, const char *schema)
{
	size_t k = 2;

	if (is(st, 0, "GRANT") || is(st, 0, "REVOKE") ||
	    (is(st, 0, "ALTER") && is(st, 1, "DEFAULT") && is(st, 2, "PRIVILEGES")))
		return 1;
	if (is(st, 0, "ALTER") && st->count >= 4 && rt_tok_is(st->s, &st->last[0], "OWNER") &&
	    rt_tok_is(st->s, &st->last[1], "TO"))
		return 1;
	if (is(st, 0, "COMMENT") && is(st, 1, "ON") &&
	    (is(st, 2, "EXTENSION") || (is(st, 2, "SCHEMA") && own_schema(st, 3, schema))))
		return 1;
	if (is(st, 0, "CREATE") && is(st, 1, "SCHEMA")) {
		if (is(st, 2, "IF"))
			k = 5;
		return own_schema(st, k, schema);
	}
	return sets_search_path(st);
}

void rt_pg_model_filter(char *sql, size_t len, const char *schema)
{
	rt_span *sp = NULL;
	size_t n = 0, i;
	stmt st;

	blank_meta_lines(sql, len);
	if (rt_pg_split(&sp, &n, sql, len) < 0) {
		free(sp);
		return; /* out of memory: the server will say what it refuses */
	}
	for (i = 0; i < n; i++) {
		read_stmt(&st, sql, sp[i].off, sp[i].off + sp[i].len);
		if (not_the_schemas(&st, schema))
			rt_sql_blank(sql, sp[i].off, sp[i].off + sp[i].len);
	}
	free(sp);
}

int rt_pg_model_own_db(const char *sql, size_t len, const char *schema)
{
	size_t i = 0;
	rt_tok t[3] = { { 0 } }, cur;

	while ((i = rt_sql_token(sql, len, i, &cur)), cur.kind != RT_TOK_END) {
		t[0] = t[1];
		t[1] = t[2];
		t[2] = cur;
		/* CREATE EXTENSION: the model says which extensions the
		 * database has, which a scratch schema cannot tell */
		if (rt_tok_is(sql, &t[1], "CREATE") && rt_tok_is(sql, &t[2], "EXTENSION"))
			return 1;
		/* schema . name */
		if (t[1].kind == RT_TOK_PUNCT && sql[t[1].off] == '.' && t[1].off == t[0].off + t[0].len &&
		    (t[2].kind == RT_TOK_WORD || t[2].kind == RT_TOK_QUOTED) &&
		    rt_tok_ident_is(sql, &t[0], schema))
			return 1;
	}
	return 0;
}
#endif
