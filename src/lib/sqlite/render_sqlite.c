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
	rt_render_create_table(out, t, tmp.ptr, R, NULL, 0);
	/* a generated column computes itself */
	for (i = 0; i < t->ncols; i++)
		n += op->src && op->src[i] && !t->cols[i].generated;
	if (n) {
		rt_buf_puts(out, "INSERT INTO ");
		ident(out, tmp.ptr);
		rt_buf_puts(out, " (");
		for (i = 0, n = 0; i < t->ncols; i++) {
			if (!op->src[i] || t->cols[i].generated)
				continue;
			if (n++)
				rt_buf_puts(out, ", ");
			ident(out, t->cols[i].name);
		}
		rt_buf_puts(out, ")\n    SELECT ");
		for (i = 0, n = 0; i < t->ncols; i++) {
			if (!op->src[i] || t->cols[i].generated)
				continue;
			if (n++)
				rt_buf_puts(out, ", ");
			ident(out, op->src[i]);
		}
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
	default: {
		/* the diff turns everything else into a rebuild for SQLite */
		rt_buf what = RT_BUF_INIT;

		rt_buf_puts(out, "-- (not expressible in SQLite: ");
		rt_op_describe(&what, op);
		rt_sql_comment(out, what.ptr);
		rt_buf_puts(out, ")\n");
		rt_buf_release(&what);
		break;
	}
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
