/*
 * introspect_sqlite.c - a SQLite database's schema as a model.
 *
 * Columns, keys, indexes and foreign keys come from the pragma table
 * functions; collation and AUTOINCREMENT from
 * sqlite3_table_column_metadata().  Two things SQLite keeps only in the
 * CREATE text of sqlite_schema: CHECK constraints, and the key list and
 * WHERE clause of an index.  Those are cut out of the text with the lexer
 * of sqltext.c (strings, quoted names, comments and parentheses); SQLite
 * itself has already parsed and accepted the statement.
 */
#include <ctype.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diff.h"
#include "introspect.h"

/* Texts are normalised without the quotes SQLite puts around names that
 * need none (rt_sql_normalize). */
#define UNQUOTE (rt_render_sqlite.bare_ident)

typedef struct ctx {
	sqlite3 *db;
	const char *schema;
	rt_schema *out;
	rt_buf *err;
	rt_strlist index_sql;   /* pairs: index name, its CREATE INDEX text */
	rt_strlist shadow;      /* the shadow tables PRAGMA table_list names */
} ctx;

static int db_fail(ctx *c, const char *doing)
{
	return rt_error(c->err, RETORT_ERROR, "cannot read the schema (%s): %s", doing,
			sqlite3_errmsg(c->db));
}

static int oom(ctx *c)
{
	return rt_error(c->err, RETORT_ERROR, "out of memory");
}

static int prepare(ctx *c, sqlite3_stmt **st, const char *sql, const char *arg)
{
	if (sqlite3_prepare_v2(c->db, sql, -1, st, NULL) != SQLITE_OK)
		return db_fail(c, "prepare");
	if (arg)
		sqlite3_bind_text(*st, 1, arg, -1, SQLITE_STATIC);
	sqlite3_bind_text(*st, 2, c->schema, -1, SQLITE_STATIC);
	return 0;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	return v ? (const char *)v : NULL;
}

/* A declared type, upper-cased with blanks normalised. */
static char *canonical_type(const char *type)
{
	char *t = rt_sql_normalized(type ? type : "", type ? strlen(type) : 0, NULL);
	char *p;

	for (p = t; p && *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return t;
}

/* ---- CREATE text: CHECK constraints and table options -------------------- */

static int is_constraint_word(const char *s, const rt_tok *t)
{
	static const char *const words[] = { "PRIMARY", "UNIQUE", "NOT", "NULL", "DEFAULT",
					     "REFERENCES", "FOREIGN", "COLLATE", "GENERATED",
					     "AS", "CHECK" };
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (rt_tok_is(s, t, words[i]))
			return 1;
	return 0;
}

static int table_text(ctx *c, rt_table *t, const char *sql)
{
	size_t len = strlen(sql), i = 0, open = 0, close;
	char *pending = NULL;
	rt_buf opts = RT_BUF_INIT;
	rt_tok tok;
	int rc = 0, want_name = 0;

	/* the '(' of the column list */
	while ((i = rt_sql_token(sql, len, i, &tok)), tok.kind != RT_TOK_END)
		if (tok.kind == RT_TOK_PUNCT && sql[tok.off] == '(') {
			open = tok.off;
			break;
		}
	if (tok.kind == RT_TOK_END)
		return 0; /* CREATE TABLE ... AS SELECT: no constraints */
	close = rt_sql_match_paren(sql, len, open);
	i = open + 1;
	while (rc >= 0 && i < close) {
		i = rt_sql_token(sql, len, i, &tok);
		if (tok.kind == RT_TOK_END || tok.off >= close - 1)
			break;
		if (tok.kind == RT_TOK_PUNCT && sql[tok.off] == '(') {
			i = rt_sql_match_paren(sql, len, tok.off);
			continue;
		}
		if (want_name) {
			free(pending);
			if (!(pending = rt_tok_name(sql, &tok)))
				rc = oom(c);
			want_name = 0;
			continue;
		}
		if (tok.kind == RT_TOK_PUNCT && sql[tok.off] == ',') {
			free(pending);
			pending = NULL;
			continue;
		}
		if (rt_tok_is(sql, &tok, "CONSTRAINT")) {
			want_name = 1;
			continue;
		}
		if (rt_tok_is(sql, &tok, "CHECK")) {
			rt_tok p;
			size_t end;
			char *expr;
			rt_sql_token(sql, len, i, &p);
			if (p.kind != RT_TOK_PUNCT || sql[p.off] != '(')
				continue;
			end = rt_sql_match_paren(sql, len, p.off);
			expr = rt_sql_normalized(sql + p.off + 1, end - p.off - 2, UNQUOTE);
			if (!expr || !rt_table_add_check(t, pending, expr))
				rc = oom(c);
			free(expr);
			free(pending);
			pending = NULL;
			i = end;
			continue;
		}
		if (is_constraint_word(sql, &tok)) {
			free(pending);
			pending = NULL;
		}
	}
	free(pending);
	/* WITHOUT ROWID, STRICT */
	i = close;
	while (rc >= 0 && ((i = rt_sql_token(sql, len, i, &tok)), tok.kind != RT_TOK_END)) {
		if (rt_tok_is(sql, &tok, "WITHOUT"))
			rt_buf_printf(&opts, "%sWITHOUT ROWID", opts.len ? ", " : "");
		else if (rt_tok_is(sql, &tok, "STRICT"))
			rt_buf_printf(&opts, "%sSTRICT", opts.len ? ", " : "");
	}
	if (rc >= 0 && opts.len && rt_set_str(&t->options, opts.ptr) < 0)
		rc = oom(c);
	rt_buf_release(&opts);
	return rc;
}

/* ---- CREATE text: generated columns and DEFERRABLE foreign keys ------------ */

/* Neither shows in the pragmas (table_xinfo says which columns are
 * generated, not how): each element of the column list is read for its
 * column (a definition) or FOREIGN KEY columns, and its AS (...) and
 * DEFERRABLE clauses. */

typedef struct element {
	rt_strlist cols;       /* the column defined, or the FOREIGN KEY's */
	int column;            /* a column definition */
	char *generated;       /* AS (this) */
	int references;        /* has a REFERENCES clause */
	int deferrable;        /* RT_*DEFERRABLE* */
} element;

static void element_release(element *e)
{
	rt_strlist_release(&e->cols);
	free(e->generated);
	memset(e, 0, sizeof(*e));
}

/* The names in the parenthesised list opening at sql[open]. */
static int paren_names(ctx *c, rt_strlist *out, const char *sql, size_t open, size_t end)
{
	size_t i = open + 1;
	rt_tok tok;
	int first = 1;

	while ((i = rt_sql_token(sql, end, i, &tok)), tok.kind != RT_TOK_END) {
		char *name;
		if (tok.kind == RT_TOK_PUNCT) {
			first = sql[tok.off] == ',';
			if (sql[tok.off] == ')')
				break;
			continue;
		}
		if (!first)
			continue; /* COLLATE x, ASC: not a name */
		first = 0;
		if (!(name = rt_tok_name(sql, &tok)) || rt_strlist_add(out, name) < 0) {
			free(name);
			return oom(c);
		}
		free(name);
	}
	return 0;
}

/* Read the element sql[from, to). */
static int read_element(ctx *c, element *e, const char *sql, size_t from, size_t to)
{
	size_t i = from;
	rt_tok tok, next;
	int n = 0;

	while ((i = rt_sql_token(sql, to, i, &tok)), tok.kind != RT_TOK_END) {
		int paren = tok.kind == RT_TOK_PUNCT && sql[tok.off] == '(';
		size_t after = paren ? rt_sql_match_paren(sql, to, tok.off) : i;
		if (n++ == 0 && rt_tok_is(sql, &tok, "CONSTRAINT")) {
			i = rt_sql_token(sql, to, i, &next); /* its name */
			n = 0;
			continue;
		}
		if (n == 1) {
			char *name;
			if (rt_tok_is(sql, &tok, "PRIMARY") || rt_tok_is(sql, &tok, "UNIQUE") ||
			    rt_tok_is(sql, &tok, "CHECK"))
				return 0;
			if (rt_tok_is(sql, &tok, "FOREIGN"))
				continue;
			e->column = 1;
			if (!(name = rt_tok_name(sql, &tok)) || rt_strlist_add(&e->cols, name) < 0) {
				free(name);
				return oom(c);
			}
			free(name);
			continue;
		}
		if (rt_tok_is(sql, &tok, "KEY") && !e->column) {
			rt_sql_token(sql, to, i, &next);
			if (next.kind == RT_TOK_PUNCT && sql[next.off] == '(') {
				int rc = paren_names(c, &e->cols, sql, next.off, to);
				if (rc < 0)
					return rc;
				i = rt_sql_match_paren(sql, to, next.off);
			}
		} else if (rt_tok_is(sql, &tok, "AS") && e->column && !e->generated) {
			rt_sql_token(sql, to, i, &next);
			if (next.kind == RT_TOK_PUNCT && sql[next.off] == '(') {
				i = rt_sql_match_paren(sql, to, next.off);
				e->generated = rt_sql_normalized(sql + next.off + 1, i - next.off - 2, UNQUOTE);
				if (!e->generated)
					return oom(c);
			}
		} else if (rt_tok_is(sql, &tok, "REFERENCES")) {
			e->references = 1;
		} else if (rt_tok_is(sql, &tok, "NOT")) {
			rt_sql_token(sql, to, i, &next);
			if (rt_tok_is(sql, &next, "DEFERRABLE"))
				i = rt_sql_token(sql, to, i, &next);
		} else if (rt_tok_is(sql, &tok, "DEFERRABLE")) {
			e->deferrable = RT_DEFERRABLE;
		} else if (rt_tok_is(sql, &tok, "DEFERRED") && e->deferrable) {
			e->deferrable = RT_INITIALLY_DEFERRED;
		} else if (paren) {
			i = after;
		}
	}
	return 0;
}

static int list_equal_ci(const rt_strlist *a, const rt_strlist *b)
{
	size_t i;

	if (a->count != b->count)
		return 0;
	for (i = 0; i < a->count; i++)
		if (strcasecmp(a->items[i], b->items[i]))
			return 0;
	return 1;
}

static int apply_element(ctx *c, rt_table *t, const element *e)
{
	size_t i;

	if (e->generated && e->cols.count == 1)
		for (i = 0; i < t->ncols; i++)
			if (!strcasecmp(t->cols[i].name, e->cols.items[0]) &&
			    rt_set_str(&t->cols[i].generated, e->generated) < 0)
				return oom(c);
	if (!e->references || !e->deferrable)
		return 0;
	for (i = 0; i < t->nfkeys; i++)
		if (!t->fkeys[i].deferrable && list_equal_ci(&t->fkeys[i].cols, &e->cols)) {
			t->fkeys[i].deferrable = e->deferrable;
			break;
		}
	return 0;
}

static int table_elements(ctx *c, rt_table *t, const char *sql)
{
	size_t len = strlen(sql), i = 0, close, start;
	rt_tok tok;
	int rc = 0;

	while ((i = rt_sql_token(sql, len, i, &tok)), tok.kind != RT_TOK_END)
		if (tok.kind == RT_TOK_PUNCT && sql[tok.off] == '(')
			break;
	if (tok.kind == RT_TOK_END)
		return 0;
	close = rt_sql_match_paren(sql, len, tok.off) - 1;  /* at the ')' */
	start = i;
	while (rc >= 0 && start < close) {
		element e;
		memset(&e, 0, sizeof(e));
		/* the element ends at a ',' outside parentheses, or the ')' */
		for (i = start;;) {
			size_t at = rt_sql_token(sql, close, i, &tok);
			if (tok.kind == RT_TOK_END || (tok.kind == RT_TOK_PUNCT && sql[tok.off] == ','))
				break;
			i = tok.kind == RT_TOK_PUNCT && sql[tok.off] == '(' ?
				rt_sql_match_paren(sql, close, tok.off) : at;
		}
		if ((rc = read_element(c, &e, sql, start, i)) >= 0)
			rc = apply_element(c, t, &e);
		element_release(&e);
		start = tok.kind == RT_TOK_END ? close : tok.off + 1;
	}
	return rc;
}

/* ---- CREATE INDEX text: keys and WHERE -------------------------------------------- */

static int add_key(ctx *c, rt_index *x, const char *s, size_t len)
{
	char *key = rt_sql_normalized(s, len, UNQUOTE);
	int rc = key && rt_strlist_add(&x->keys, key) >= 0 ? 0 : oom(c);

	free(key);
	return rc;
}

static int index_text(ctx *c, rt_index *x, const char *sql)
{
	size_t len = strlen(sql), i = 0, close, start;
	rt_tok tok;
	int depth = 0, rc = 0;

	while ((i = rt_sql_token(sql, len, i, &tok)), tok.kind != RT_TOK_END)
		if (tok.kind == RT_TOK_PUNCT && sql[tok.off] == '(')
			break;
	if (tok.kind == RT_TOK_END)
		return rt_error(c->err, RETORT_ERROR, "cannot read the index '%s': %s", x->name, sql);
	close = rt_sql_match_paren(sql, len, tok.off);
	start = i;
	/* the keys: split at the commas outside parentheses */
	while (rc >= 0) {
		i = rt_sql_token(sql, len, i, &tok);
		if (tok.kind == RT_TOK_END)
			break;
		if (tok.kind != RT_TOK_PUNCT)
			continue;
		if (sql[tok.off] == '(') {
			depth++;
		} else if (sql[tok.off] == ')') {
			if (depth-- == 0) {
				rc = add_key(c, x, sql + start, tok.off - start);
				break;
			}
		} else if (sql[tok.off] == ',' && depth == 0) {
			rc = add_key(c, x, sql + start, tok.off - start);
			start = i;
		}
	}
	if (rc < 0)
		return rc;
	i = rt_sql_token(sql, len, close, &tok);
	if (rt_tok_is(sql, &tok, "WHERE")) {
		x->where = rt_sql_normalized(sql + i, len - i, UNQUOTE);
		if (!x->where)
			return oom(c);
	}
	return 0;
}

static const char *index_sql(ctx *c, const char *name)
{
	size_t i;

	for (i = 0; i + 1 < c->index_sql.count; i += 2)
		if (!strcmp(c->index_sql.items[i], name))
			return c->index_sql.items[i + 1];
	return NULL;
}

/* ---- one table -------------------------------------------------------------------- */

static int columns(ctx *c, rt_table *t)
{
	sqlite3_stmt *st = NULL;
	int rc, step;

	if ((rc = prepare(c, &st, "SELECT name, type, \"notnull\", dflt_value, pk, hidden "
			  "FROM pragma_table_xinfo(?1, ?2) ORDER BY cid", t->name)) < 0)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = col_text(st, 0), *dflt = col_text(st, 3);
		const char *type_decl = NULL, *coll = NULL;
		int nn, pk, autoinc;
		char *type;
		rt_column *col;
		if (sqlite3_column_int(st, 5) == 1)
			continue; /* hidden column of a virtual table */
		type = canonical_type(col_text(st, 1));
		col = type ? rt_table_add_column(t, name ? name : "", type) : NULL;
		free(type);
		if (!col) {
			rc = oom(c);
			break;
		}
		col->notnull = sqlite3_column_int(st, 2) != 0;
		col->pk = sqlite3_column_int(st, 4);
		/* 2: VIRTUAL, 3: STORED; table_elements reads the expression */
		col->gen_stored = sqlite3_column_int(st, 5) == 3;
		if (dflt && !(col->dflt = rt_sql_normalized(dflt, strlen(dflt), UNQUOTE))) {
			rc = oom(c);
			break;
		}
		if (sqlite3_table_column_metadata(c->db, c->schema, t->name, col->name, &type_decl,
						  &coll, &nn, &pk, &autoinc) == SQLITE_OK) {
			if (coll && strcasecmp(coll, "BINARY") && rt_set_str(&col->collation, coll) < 0) {
				rc = oom(c);
				break;
			}
			if (autoinc)
				col->autoinc = RT_AUTO_INCREMENT;
		}
	}
	if (rc >= 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = db_fail(c, "columns");
	sqlite3_finalize(st);
	return rc;
}

/* An INTEGER PRIMARY KEY of a rowid table is the rowid, which can never
 * be NULL, whether or not its declaration says NOT NULL (SQLAlchemy
 * writes it, people seldom do); both spellings are one column. */
static void rowid_not_null(rt_table *t)
{
	rt_column *key = NULL;
	size_t i;

	if (t->options && strstr(t->options, "WITHOUT ROWID"))
		return;
	for (i = 0; i < t->ncols; i++) {
		if (!t->cols[i].pk)
			continue;
		if (key)
			return; /* a composite key is no rowid */
		key = &t->cols[i];
	}
	if (key && !strcasecmp(key->type, "INTEGER"))
		key->notnull = 1;
}

static int index_columns(ctx *c, const char *index, rt_strlist *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prepare(c, &st, "SELECT name FROM pragma_index_info(?1, ?2) ORDER BY seqno",
			  index)) < 0)
		return rc;
	while (rc >= 0 && sqlite3_step(st) == SQLITE_ROW)
		if (rt_strlist_add(out, col_text(st, 0) ? col_text(st, 0) : "") < 0)
			rc = oom(c);
	sqlite3_finalize(st);
	return rc;
}

static int indexes(ctx *c, rt_table *t)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prepare(c, &st, "SELECT name, \"unique\", origin FROM pragma_index_list(?1, ?2)",
			  t->name)) < 0)
		return rc;
	while (rc >= 0 && sqlite3_step(st) == SQLITE_ROW) {
		const char *name = col_text(st, 0), *origin = col_text(st, 2), *sql;
		if (!name || !origin || !strcmp(origin, "pk"))
			continue;
		if (!strcmp(origin, "u")) {
			rt_unique *u = rt_table_add_unique(t, NULL);
			rc = u ? index_columns(c, name, &u->cols) : oom(c);
			continue;
		}
		{
			rt_index *x = rt_table_add_index(t, name);
			if (!x) {
				rc = oom(c);
				break;
			}
			x->unique = sqlite3_column_int(st, 1) != 0;
			if ((sql = index_sql(c, name)) != NULL)
				rc = index_text(c, x, sql);
			else
				rc = index_columns(c, name, &x->keys);
		}
	}
	sqlite3_finalize(st);
	return rc;
}

static char *action(const char *a)
{
	if (!a || !strcasecmp(a, "NO ACTION") || !*a)
		return NULL;
	return rt_strdup(a);
}

static int fkeys(ctx *c, rt_table *t)
{
	sqlite3_stmt *st = NULL;
	rt_fkey *f = NULL;
	int rc, last = -1;

	if ((rc = prepare(c, &st, "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete "
			  "FROM pragma_foreign_key_list(?1, ?2) ORDER BY id, seq", t->name)) < 0)
		return rc;
	while (rc >= 0 && sqlite3_step(st) == SQLITE_ROW) {
		int id = sqlite3_column_int(st, 0);
		const char *to = col_text(st, 3);
		if (id != last) {
			if (!(f = rt_table_add_fkey(t, NULL, col_text(st, 1) ? col_text(st, 1) : ""))) {
				rc = oom(c);
				break;
			}
			f->on_update = action(col_text(st, 4));
			f->on_delete = action(col_text(st, 5));
			last = id;
		}
		if (rt_strlist_add(&f->cols, col_text(st, 2) ? col_text(st, 2) : "") < 0 ||
		    (to && rt_strlist_add(&f->ref_cols, to) < 0))
			rc = oom(c);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Foreign keys name tables and columns as written; use the names the
 * tables have, and spell out an implicit reference to the primary key. */
static int resolve_fkeys(ctx *c)
{
	size_t i, k, j, n;

	for (i = 0; i < c->out->ntables; i++) {
		rt_table *t = &c->out->tables[i];
		for (k = 0; k < t->nfkeys; k++) {
			rt_fkey *f = &t->fkeys[k];
			rt_table *r = NULL;
			for (j = 0; j < c->out->ntables && !r; j++)
				if (!strcasecmp(c->out->tables[j].name, f->ref_table))
					r = &c->out->tables[j];
			if (!r)
				continue;
			if (strcmp(r->name, f->ref_table) && rt_set_str(&f->ref_table, r->name) < 0)
				return oom(c);
			if (!f->ref_cols.count) {
				const char *pk[64];
				n = rt_table_pk(r, pk, 64);
				for (j = 0; j < n; j++)
					if (rt_strlist_add(&f->ref_cols, pk[j]) < 0)
						return oom(c);
			}
			for (j = 0; j < f->ref_cols.count; j++) {
				size_t m;
				for (m = 0; m < r->ncols; m++)
					if (!strcasecmp(r->cols[m].name, f->ref_cols.items[j]) &&
					    strcmp(r->cols[m].name, f->ref_cols.items[j])) {
						free(f->ref_cols.items[j]);
						if (!(f->ref_cols.items[j] = rt_strdup(r->cols[m].name)))
							return oom(c);
					}
			}
		}
	}
	return 0;
}

/* ---- virtual tables ------------------------------------------------------------- */

/* The tables a virtual table's module keeps its data in (FTS3/4:
 * x_content, x_segments, x_segdir, x_docsize, x_stat; FTS5: x_data,
 * x_idx, x_content, x_docsize, x_config; R*Tree: x_node, x_parent,
 * x_rowid) are made and dropped with it and are no part of the model.
 * SQLite 3.37 and later say which they are (PRAGMA table_list, type
 * 'shadow') for the modules it has; else, or for a virtual table whose
 * module is not loaded, a table named <virtual table>_<one of those
 * suffixes> is taken for one. */
static int read_shadow_tables(ctx *c)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(c->db, "SELECT name FROM pragma_table_list "
			       "WHERE schema = ?2 AND type = 'shadow'", -1, &st, NULL) != SQLITE_OK)
		return 0; /* before 3.37: by name alone */
	sqlite3_bind_text(st, 2, c->schema, -1, SQLITE_STATIC);
	while (rc >= 0 && sqlite3_step(st) == SQLITE_ROW)
		if (rt_strlist_add(&c->shadow, col_text(st, 0) ? col_text(st, 0) : "") < 0)
			rc = oom(c);
	sqlite3_finalize(st);
	return rc;
}

/* Is `name` <vtab>_<something>? */
static int named_after(const char *name, const char *vtab)
{
	size_t n = strlen(vtab);

	return !strncasecmp(name, vtab, n) && name[n] == '_';
}

static int is_shadow_table(const ctx *c, const char *name)
{
	static const char *const suffixes[] = { "content", "segments", "segdir", "docsize",
						"stat", "data", "idx", "config", "node",
						"parent", "rowid" };
	size_t i, k;

	if (rt_strlist_has(&c->shadow, name))
		return 1;
	for (i = 0; i < c->out->nvtables; i++) {
		const char *v = c->out->vtables[i].name;
		int listed = 0;
		if (!named_after(name, v))
			continue;
		/* SQLite named this one's shadow tables, and not this table */
		for (k = 0; k < c->shadow.count && !listed; k++)
			listed = named_after(c->shadow.items[k], v);
		for (k = 0; !listed && k < sizeof(suffixes) / sizeof(suffixes[0]); k++)
			if (!strcasecmp(name + strlen(v) + 1, suffixes[k]))
				return 1;
	}
	return 0;
}

int rt_introspect_sqlite(rt_conn *conn, const char *schema, rt_schema *out, rt_buf *err)
{
	ctx c;
	sqlite3_stmt *st = NULL;
	rt_buf q = RT_BUF_INIT;
	rt_strlist tables = { 0 };
	size_t i;
	int rc = 0, step;

	memset(&c, 0, sizeof(c));
	c.db = rt_sqlite_handle(conn);
	c.schema = schema ? schema : "main";
	c.out = out;
	c.err = err;
	if (rt_schema_init(out, &rt_render_sqlite) < 0)
		return rt_error(err, RETORT_ERROR, "out of memory");
	rt_buf_puts(&q, "SELECT type, name, tbl_name, sql FROM ");
	rt_sql_quote_ident(&q, c.schema);
	rt_buf_puts(&q, ".sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
		    "ORDER BY name");
	if (rt_buf_oom(&q)) {
		rc = oom(&c);
		goto done;
	}
	if (sqlite3_prepare_v2(c.db, q.ptr, -1, &st, NULL) != SQLITE_OK) {
		rc = db_fail(&c, "sqlite_schema");
		goto done;
	}
	while (rc >= 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *type = col_text(st, 0), *name = col_text(st, 1);
		const char *tbl = col_text(st, 2), *sql = col_text(st, 3);
		char *norm;
		if (!type || !name)
			continue;
		if (!strcmp(type, "table") && sql && !strncasecmp(sql, "CREATE VIRTUAL", 14)) {
			norm = rt_sql_normalized(sql, strlen(sql), UNQUOTE);
			if (!norm || !rt_schema_add_vtable(out, name, norm))
				rc = oom(&c);
			free(norm);
		} else if (!strcmp(type, "table")) {
			if (rt_strlist_add(&tables, name) < 0 || rt_strlist_add(&tables, sql ? sql : "") < 0)
				rc = oom(&c);
		} else if (!strcmp(type, "index") && sql) {
			if (rt_strlist_add(&c.index_sql, name) < 0 || rt_strlist_add(&c.index_sql, sql) < 0)
				rc = oom(&c);
		} else if (!strcmp(type, "view") && sql) {
			norm = rt_sql_normalized(sql, strlen(sql), UNQUOTE);
			if (!norm || !rt_schema_add_view(out, name, norm))
				rc = oom(&c);
			free(norm);
		} else if (!strcmp(type, "trigger") && sql) {
			norm = rt_sql_normalized(sql, strlen(sql), UNQUOTE);
			if (!norm || !rt_schema_add_trigger(out, name, tbl ? tbl : "", norm))
				rc = oom(&c);
			free(norm);
		}
	}
	if (rc >= 0 && step != SQLITE_DONE)
		rc = db_fail(&c, "sqlite_schema");
	sqlite3_finalize(st);
	if (rc >= 0 && out->nvtables)
		rc = read_shadow_tables(&c);
	for (i = 0; rc >= 0 && i + 1 < tables.count; i += 2) {
		rt_table *t;
		if (is_shadow_table(&c, tables.items[i]))
			continue;
		if (!(t = rt_schema_add_table(out, tables.items[i]))) {
			rc = oom(&c);
			break;
		}
		if ((rc = columns(&c, t)) < 0 || (rc = indexes(&c, t)) < 0 ||
		    (rc = fkeys(&c, t)) < 0 || (rc = table_text(&c, t, tables.items[i + 1])) < 0 ||
		    (rc = table_elements(&c, t, tables.items[i + 1])) < 0)
			break;
		rowid_not_null(t);
	}
	if (rc >= 0)
		rc = resolve_fkeys(&c);
	if (rc >= 0)
		rt_schema_sort(out);
done:
	rt_strlist_release(&tables);
	rt_strlist_release(&c.index_sql);
	rt_strlist_release(&c.shadow);
	rt_buf_release(&q);
	if (rc < 0)
		rt_schema_release(out);
	return rc;
}
