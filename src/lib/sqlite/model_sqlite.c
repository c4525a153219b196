/*
 * model_sqlite.c - a model as `sqlite3 data.db .schema` or `.dump` writes
 * it, made ready to run: SQLite's own tables are left out.
 *
 * `.schema` lists sqlite_sequence (made by the first AUTOINCREMENT table)
 * and sqlite_stat1/4 (made by ANALYZE) like any table, and SQLite refuses
 * to create them ("object name reserved for internal use").  They are
 * the database's own, made again by what makes them, so their CREATE
 * TABLE is blanked out.  `.dump`'s PRAGMA, BEGIN TRANSACTION, COMMIT and
 * rows run as they are; the view comments `.schema` writes are comments.
 */
#include <string.h>
#include <strings.h>

#include "introspect.h"

/* At s[i], a statement CREATE TABLE [IF NOT EXISTS] sqlite_...? */
static int creates_own_table(const char *s, size_t len, size_t i)
{
	rt_tok t;

	i = rt_sql_token(s, len, i, &t);
	if (!rt_tok_is(s, &t, "CREATE"))
		return 0;
	i = rt_sql_token(s, len, i, &t);
	if (!rt_tok_is(s, &t, "TABLE"))
		return 0;
	i = rt_sql_token(s, len, i, &t);
	if (rt_tok_is(s, &t, "IF")) {
		i = rt_sql_token(s, len, i, &t);
		i = rt_sql_token(s, len, i, &t);
		i = rt_sql_token(s, len, i, &t);
	}
	if (t.kind == RT_TOK_QUOTED)
		return t.len > 9 && !strncasecmp(s + t.off + 1, "sqlite_", 7);
	return t.kind == RT_TOK_WORD && t.len > 7 && !strncasecmp(s + t.off, "sqlite_", 7);
}

void rt_sqlite_model_filter(char *sql, size_t len, const char *schema)
{
	size_t i = 0, end;
	rt_tok t;

	(void)schema;
	/* statement by statement: a trigger's body holds ';' too, but never
	 * a CREATE TABLE after one */
	while (rt_sql_token(sql, len, i, &t), t.kind != RT_TOK_END) {
		end = rt_sql_statement_end(sql, len, t.off);
		if (creates_own_table(sql, len, t.off))
			rt_sql_blank(sql, t.off, end);
		i = end;
	}
}
