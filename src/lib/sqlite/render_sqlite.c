/*
 * render_sqlite.c - operations as SQLite statements, and SQLite's
 * traits that the diff and the shared rendering follow (rt_render_sqlite
 * at the end, diff.h).
 *
 * SQLite's ALTER TABLE renames tables and columns, adds simple columns
 * and drops unconstrained ones (add_column_in_place and
 * drop_column_in_place say which); everything else is a rebuild, as
 * https://sqlite.org/lang_altertable.html#otheralter describes: create
 * the new table as new_X, copy the rows of the columns both have, drop
 * X, rename new_X to X, create X's indexes again.  The diff has already
 * put the views and triggers that use X around it, and the section runs
 * with foreign keys off (rows of ON DELETE CASCADE children must not go
 * with the old table) and foreign_key_check passing before the commit.
 */
#include <ctype.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diff.h"

/* this file's renderer, for the pieces the renderers share */
#define R (&rt_render_sqlite)

/* A name SQLite reads back as itself unquoted: a letter or '_', then
 * letters, digits and '_', and none of its keywords. */
static int bare_ident(const char *name, size_t len)
{
	size_t i;

	if (!len || !(isalpha((unsigned char)name[0]) || name[0] == '_'))
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_')
			return 0;
	return !sqlite3_keyword_check(name, (int)len);
}

static void ident(rt_buf *out, const char *name)
{
	rt_sql_ident(out, name, R);
}

static void alter_table(rt_buf *out, const rt_table *t)
{
	rt_buf_puts(out, "ALTER TABLE ");
	ident(out, t->name);
	rt_buf_putc(out, ' ');
}

/* A default ALTER TABLE ADD COLUMN takes: neither one of the CURRENT_*
 * times nor an expression in parentheses. */
static int is_simple_default(const char *d)
{
	return !d || (d[0] != '(' && strcasecmp(d, "CURRENT_TIME") && strcasecmp(d, "CURRENT_DATE") &&
		      strcasecmp(d, "CURRENT_TIMESTAMP"));
}

/* Can ALTER TABLE ADD COLUMN add this column? */
static int add_column_in_place(const rt_column *c)
{
	/* (a generated column: VIRTUAL only, and where no row may break
	 * NOT NULL; a STORED one only into an empty table) */
	if (c->generated)
		return !c->pk && !c->gen_stored && !c->notnull;
	return !c->pk && !c->autoinc && is_simple_default(c->dflt) &&
	       (!c->notnull || (c->dflt && strcasecmp(c->dflt, "NULL")));
}

static int list_has_ci(const rt_strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		if (!strcasecmp(l->items[i], s))
			return 1;
	return 0;
}

/* Can ALTER TABLE DROP COLUMN drop column `c` of table `t` of schema
 * `s`?  Not one a key, a check or another table's foreign key uses. */
static int drop_column_in_place(const rt_schema *s, const rt_table *t, const rt_column *c)
{
	size_t i, k;

	if (c->pk)
		return 0;
	for (i = 0; i < t->nuniques; i++)
		if (list_has_ci(&t->uniques[i].cols, c->name))
			return 0;
	for (i = 0; i < t->nfkeys; i++)
		if (list_has_ci(&t->fkeys[i].cols, c->name))
			return 0;
	for (i = 0; i < t->nchecks; i++)
		if (rt_sql_mentions(t->checks[i].expr, c->name))
			return 0;
	for (i = 0; i < t->ncols; i++)
		if (t->cols[i].generated && rt_sql_mentions(t->cols[i].generated, c->name))
			return 0;
	for (i = 0; i < s->ntables; i++)
		for (k = 0; k < s->tables[i].nfkeys; k++)
			if (!strcasecmp(s->tables[i].fkeys[k].ref_table, t->name) &&
			    list_has_ci(&s->tables[i].fkeys[k].ref_cols, c->name))
				return 0;
	return 1;
}

/* A name for the new table no table of either side has. */
static void new_name(rt_buf *out, const rt_diff *d, const char *name)
{
	int n = 1;

	for (;;) {
		rt_buf_clear(out);
		rt_buf_printf(out, "new_%s", name);
		if (n > 1)
			rt_buf_printf(out, "_%d", n);
		if (!rt_schema_table(d->from, out->ptr) && !rt_schema_table(d->to, out->ptr))
			return;
		n++;
	}
}

static int is_strict(const rt_table *t)
{
	return t && t->options && strstr(t->options, "STRICT") != NULL;
}

/* A rebuild copies each row with INSERT ... SELECT, and the new column's
 * type converts what it can: text '0123' becomes the integer 123, '1.0'
 * becomes 1, a big integer a real that rounds it.  SQLite never cuts a
 * value (varchar(64) holds 100 characters), but such a conversion
 * changes it without a word.  So before the rebuild, each column whose
 * type (or STRICT) changes is copied into a scratch table of the new type
 * beside the value as it was, and a trigger stops the migration at the
 * first value that no longer reads the same, as text or as a number:
 * the migration fails with the data as it was, and says why. */
static void check_conversion(rt_buf *out, const rt_table *t, const rt_column *c,
			     const rt_table *old, const rt_column *was)
{
	rt_buf msg = RT_BUF_INIT;

	/* `was` keeps any value as it is: BLOB, the affinity of no type (ANY
	 * where STRICT); spelt out, so that lint's parser reads the table
	 * (and its DROP as the section's own) */
	rt_buf_printf(out, "CREATE TEMP TABLE retort_convert (was %s, now %s)%s;\n",
		      is_strict(t) ? "ANY" : "BLOB", *c->type ? c->type : "BLOB",
		      is_strict(t) ? " STRICT" : "");
	rt_buf_printf(&msg, "cannot rebuild table '%s': column '%s' (%s -> %s%s) would change a "
		      "value (text '0123' would be read as 123, '1.0' as 1, ...); nothing was "
		      "changed: update such values first", t->name, c->name,
		      *was->type ? was->type : "no type", *c->type ? c->type : "no type",
		      is_strict(t) && !is_strict(old) ? ", STRICT" : "");
	rt_buf_puts(out, "CREATE TEMP TRIGGER retort_convert AFTER INSERT ON retort_convert\n"
		    "    WHEN CAST(NEW.now AS TEXT) IS NOT CAST(NEW.was AS TEXT) AND NOT (\n"
		    "        typeof(NEW.now) IN ('integer', 'real') AND "
		    "typeof(NEW.was) IN ('integer', 'real') AND NEW.now = NEW.was)\n"
		    "    BEGIN SELECT RAISE(ABORT, ");
	rt_sql_literal(out, msg.ptr);
	rt_buf_puts(out, "); END;\nINSERT INTO retort_convert SELECT ");
	ident(out, was->name);
	rt_buf_puts(out, ", ");
	ident(out, was->name);
	rt_buf_puts(out, " FROM ");
	ident(out, t->name); /* (renamed already, if it is) */
	rt_buf_puts(out, ";\nDROP TABLE temp.retort_convert;\n");
	if (rt_buf_oom(&msg))
		out->oom = 1;
	rt_buf_release(&msg);
}

static int has_column_ci(const rt_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (!strcasecmp(t->cols[i].name, name))
			return 1;
	return 0;
}

static int without_rowid(const rt_table *t)
{
	return t->options && strstr(t->options, "WITHOUT ROWID") != NULL;
}

/* The name the rowid goes by in both tables when a rebuild must carry it
 * over, else NULL.  INSERT ... SELECT numbers the rows anew, but a rowid
 * is what an external-content FTS table (content_rowid) and applications
 * know a row by: kept whenever both are rowid tables and the new one has
 * no INTEGER PRIMARY KEY (which is the rowid, copied as a column). */
static const char *kept_rowid(const rt_table *old, const rt_table *t)
{
	static const char *const names[] = { "rowid", "_rowid_", "oid" };
	const char *pk[2];
	size_t i;

	if (!old || without_rowid(old) || without_rowid(t))
		return NULL;
	if (rt_table_pk(t, pk, 2) == 1 && !strcasecmp(rt_table_column(t, pk[0])->type, "INTEGER"))
		return NULL;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!has_column_ci(old, names[i]) && !has_column_ci(t, names[i]))
			return names[i];
	return NULL; /* (every name of it is a column's) */
}

/* The columns a rebuild copies, by their new names or (`from`) the old
 * ones, after the rowid when it is kept. */
static void copied_columns(rt_buf *out, const rt_op *op, const char *rowid, int from)
{
	size_t i, n = 0;

	if (rowid) {
		rt_buf_puts(out, rowid);
		n++;
	}
	for (i = 0; i < op->tb->ncols; i++) {
		/* a generated column computes itself */
		if (!op->src[i] || op->tb->cols[i].generated)
			continue;
		if (n++)
			rt_buf_puts(out, ", ");
		ident(out, from ? op->src[i] : op->tb->cols[i].name);
	}
}

static void rebuild(rt_buf *out, const rt_diff *d, const rt_op *op)
{
	const rt_table *t = op->tb;
	rt_buf tmp = RT_BUF_INIT;
	size_t i, n = 0;

	new_name(&tmp, d, t->name);
	rt_buf_puts(out, "-- rebuild table ");
	rt_sql_comment(out, t->name);
	rt_buf_puts(out, ": ");
	rt_sql_comment(out, op->detail);
	rt_buf_putc(out, '\n');
	for (i = 0; op->ta && op->src && i < t->ncols; i++) {
		const rt_column *was = op->src[i] ? rt_table_column(op->ta, op->src[i]) : NULL;
		if (was && (strcasecmp(was->type, t->cols[i].type) ||
			    is_strict(t) != is_strict(op->ta)))
			check_conversion(out, t, &t->cols[i], op->ta, was);
	}
	rt_render_create_table(out, t, tmp.ptr, R, NULL, 0);
	for (i = 0; i < t->ncols; i++)
		n += op->src && op->src[i] && !t->cols[i].generated;
	if (n) {
		const char *rowid = kept_rowid(op->ta, t);
		rt_buf_puts(out, "INSERT INTO ");
		ident(out, tmp.ptr);
		rt_buf_puts(out, " (");
		copied_columns(out, op, rowid, 0);
		rt_buf_puts(out, ")\n    SELECT ");
		copied_columns(out, op, rowid, 1);
		rt_buf_puts(out, " FROM ");
		ident(out, t->name);
		rt_buf_puts(out, ";\n");
	}
	rt_buf_puts(out, "DROP TABLE ");
	ident(out, t->name);
	rt_buf_puts(out, ";\nALTER TABLE ");
	ident(out, tmp.ptr);
	rt_buf_puts(out, " RENAME TO ");
	ident(out, t->name);
	rt_buf_puts(out, ";\n");
	for (i = 0; i < t->nindexes; i++)
		rt_render_create_index(out, t, &t->indexes[i], R);
	rt_buf_release(&tmp);
}

/* The name a changed virtual table is set aside under while its rows
 * are copied into the new one. */
static void aside(rt_buf *out, const rt_view *v)
{
	rt_buf name = RT_BUF_INIT;

	rt_buf_printf(&name, "retort_old_%s", v->name);
	ident(out, name.ptr);
	if (rt_buf_oom(&name))
		out->oom = 1;
	rt_buf_release(&name);
}

/* The rows of `was` (set aside) into `v`: the columns both have, and a
 * full-text table's rowid (an R*Tree's is its first column). */
static void copy_vtable(rt_buf *out, const rt_view *v, const rt_view *was)
{
	rt_strlist cv = { 0 }, cw = { 0 }, both = { 0 };
	int module = rt_vtable_columns(v->def, &cv);
	size_t i;

	if (module <= 0 || rt_vtable_columns(was->def, &cw) <= 0)
		goto done;
	if (module == RT_VTABLE_TEXT && rt_strlist_add(&both, "rowid") < 0)
		out->oom = 1;
	for (i = 0; i < cv.count; i++)
		if (rt_strlist_has(&cw, cv.items[i]) && rt_strlist_add(&both, cv.items[i]) < 0)
			out->oom = 1;
	rt_buf_puts(out, "INSERT INTO ");
	ident(out, v->name);
	rt_buf_putc(out, ' ');
	rt_render_idents(out, &both, R);
	rt_buf_puts(out, "\n    SELECT ");
	for (i = 0; i < both.count; i++) {
		if (i)
			rt_buf_puts(out, ", ");
		ident(out, both.items[i]);
	}
	rt_buf_puts(out, " FROM ");
	aside(out, was);
	rt_buf_puts(out, ";\n");
done:
	rt_buf_puts(out, "DROP TABLE ");
	aside(out, was);
	rt_buf_puts(out, ";\n");
	rt_strlist_release(&cv);
	rt_strlist_release(&cw);
	rt_strlist_release(&both);
}

/* A virtual table as its statement.  One that indexes another table
 * (FTS4/FTS5 content=T) starts empty: 'rebuild' fills it from the rows
 * T already has, so that it agrees with them.  One made again takes the
 * rows of the old one, set aside (`was`). */
static void create_vtable(rt_buf *out, const rt_view *v, const rt_view *was)
{
	char *content = rt_vtable_content(v->def);

	rt_buf_printf(out, "%s;\n", v->def);
	if (content && *content) {
		rt_buf_puts(out, "INSERT INTO ");
		ident(out, v->name);
		rt_buf_puts(out, " (");
		ident(out, v->name);
		rt_buf_puts(out, ") VALUES ('rebuild');\n");
	}
	if (was)
		copy_vtable(out, v, was);
	free(content);
}

static void sqlite_op(rt_buf *out, const rt_diff *d, const rt_op *op)
{
	const rt_column *c;

	if (rt_render_common_op(out, op, R))
		return;
	switch (op->kind) {
	case RT_OP_DROP_VIEW:
		rt_buf_puts(out, "DROP VIEW ");
		ident(out, ((const rt_view *)op->a)->name);
		rt_buf_puts(out, ";\n");
		break;
	case RT_OP_CREATE_VIEW:
		/* a PostgreSQL model keeps only the query */
		if (strncasecmp(((const rt_view *)op->b)->def, "CREATE ", 7)) {
			rt_buf_puts(out, "CREATE VIEW ");
			ident(out, ((const rt_view *)op->b)->name);
			rt_buf_puts(out, " AS ");
		}
		rt_buf_printf(out, "%s;\n", ((const rt_view *)op->b)->def);
		break;
	case RT_OP_DROP_TRIGGER:
		rt_buf_puts(out, "DROP TRIGGER ");
		ident(out, ((const rt_trigger *)op->a)->name);
		rt_buf_puts(out, ";\n");
		break;
	case RT_OP_CREATE_TRIGGER:
		rt_buf_printf(out, "%s;\n", ((const rt_trigger *)op->b)->sql);
		break;
	case RT_OP_RENAME_INDEX:
		/* SQLite cannot rename an index: make it again */
		rt_buf_puts(out, "DROP INDEX ");
		ident(out, ((const rt_index *)op->a)->name);
		rt_buf_puts(out, ";\n");
		rt_render_create_index(out, op->tb, op->b, R);
		break;
	case RT_OP_ADD_COLUMN:
		c = op->b;
		alter_table(out, op->tb);
		rt_buf_puts(out, "ADD COLUMN ");
		rt_render_column_def(out, c, op->tb, R, 0);
		if (op->inline_fk) {
			const rt_fkey *f = op->inline_fk;
			rt_buf_puts(out, " REFERENCES ");
			ident(out, f->ref_table);
			if (f->ref_cols.count) {
				rt_buf_putc(out, ' ');
				rt_render_idents(out, &f->ref_cols, R);
			}
			if (f->on_delete)
				rt_buf_printf(out, " ON DELETE %s", f->on_delete);
			if (f->on_update)
				rt_buf_printf(out, " ON UPDATE %s", f->on_update);
			rt_buf_puts(out, rt_deferrable_sql(f->deferrable));
		}
		rt_buf_puts(out, ";\n");
		break;
	case RT_OP_REBUILD_TABLE:
		rebuild(out, d, op);
		break;
	case RT_OP_DROP_VTABLE:
		/* the module drops or renames its shadow tables with it */
		if (op->b) {
			rt_buf_puts(out, "ALTER TABLE ");
			ident(out, ((const rt_view *)op->a)->name);
			rt_buf_puts(out, " RENAME TO ");
			aside(out, op->a);
		} else {
			rt_buf_puts(out, "DROP TABLE ");
			ident(out, ((const rt_view *)op->a)->name);
		}
		rt_buf_puts(out, ";\n");
		break;
	case RT_OP_CREATE_VTABLE:
		create_vtable(out, op->b, op->a);
		break;
	default:
		/* the diff turns everything else into a rebuild for SQLite */
		rt_render_unsupported(out, op, "SQLite");
		break;
	}
}

const rt_renderer rt_render_sqlite = {
	.dialect = "sqlite",
	.op = sqlite_op,
	.bare_ident = bare_ident,
	.typeless_columns = 1,
	.identity_columns = 0, /* INTEGER PRIMARY KEY AUTOINCREMENT */
	.collate_after_type = 0, /* COLLATE ends the column's definition */
	.pk_implies_notnull = 0, /* a PRIMARY KEY column other than the rowid takes NULL */
	.pk_names = 0, /* a primary key's name is not kept */
	.table_options = 1, /* WITHOUT ROWID, STRICT */
	.comments = 0,
	.rebuild_tables = 1,
	.add_column_in_place = add_column_in_place,
	.drop_column_in_place = drop_column_in_place,
	.rename_index = 0,
};
