/*
 * render_sqlite.c - operations as SQLite statements.
 *
 * SQLite's ALTER TABLE renames tables and columns, adds simple columns
 * and drops unconstrained ones; everything else is a rebuild, as
 * https://sqlite.org/lang_altertable.html#otheralter describes: create
 * the new table as new_X, copy the rows of the columns both have, drop
 * X, rename new_X to X, create X's indexes again.  The diff has already
 * put the views and triggers that use X around it, and the section runs
 * with foreign keys off (rows of ON DELETE CASCADE children must not go
 * with the old table) and foreign_key_check passing before the commit.
 */
#include <string.h>
#include <strings.h>

#include "diff.h"

#define D "sqlite"

static void ident(rt_buf *out, const char *name)
{
	rt_sql_ident(out, name, D);
}

static void alter_table(rt_buf *out, const rt_table *t)
{
	rt_buf_puts(out, "ALTER TABLE ");
	ident(out, t->name);
	rt_buf_putc(out, ' ');
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
	rt_render_create_table(out, t, tmp.ptr, D, NULL, 0);
	for (i = 0; i < t->ncols; i++)
		n += op->src && op->src[i];
	if (n) {
		rt_buf_puts(out, "INSERT INTO ");
		ident(out, tmp.ptr);
		rt_buf_puts(out, " (");
		for (i = 0, n = 0; i < t->ncols; i++) {
			if (!op->src[i])
				continue;
			if (n++)
				rt_buf_puts(out, ", ");
			ident(out, t->cols[i].name);
		}
		rt_buf_puts(out, ")\n    SELECT ");
		for (i = 0, n = 0; i < t->ncols; i++) {
			if (!op->src[i])
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
		rt_render_create_index(out, t, &t->indexes[i], D);
	rt_buf_release(&tmp);
}

static void sqlite_op(rt_buf *out, const rt_diff *d, const rt_op *op)
{
	const rt_column *c;

	if (rt_render_common_op(out, op, D))
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
		rt_render_create_index(out, op->tb, op->b, D);
		break;
	case RT_OP_ADD_COLUMN:
		c = op->b;
		alter_table(out, op->tb);
		rt_buf_puts(out, "ADD COLUMN ");
		rt_render_column_def(out, c, op->tb, D, 0);
		if (op->inline_fk) {
			const rt_fkey *f = op->inline_fk;
			rt_buf_puts(out, " REFERENCES ");
			ident(out, f->ref_table);
			if (f->ref_cols.count) {
				rt_buf_putc(out, ' ');
				rt_render_idents(out, &f->ref_cols, D);
			}
			if (f->on_delete)
				rt_buf_printf(out, " ON DELETE %s", f->on_delete);
			if (f->on_update)
				rt_buf_printf(out, " ON UPDATE %s", f->on_update);
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
	/* dialect */ "sqlite",
	/* op */      sqlite_op,
};
