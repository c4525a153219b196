/*
 * diff.h - the difference of two schema models as a list of operations,
 * and their rendering as SQL per dialect.
 *
 * rt_diff_schemas() orders the operations so that they can run one after
 * the other: views and triggers that may depend on a changed table go
 * first and come back last, foreign keys and indexes are dropped before
 * the tables and columns they use, tables are created in dependency
 * order.  For SQLite, a table whose change cannot be made in place gets
 * one RT_OP_REBUILD_TABLE (SQLite's 12-step rebuild) instead of its
 * column and constraint operations.
 */
#ifndef RT_DIFF_H
#define RT_DIFF_H

#include "schema.h"

struct rt_renderer;

typedef enum {
	RT_OP_DROP_VIEW = 1,
	RT_OP_DROP_TRIGGER,
	RT_OP_DROP_FKEY,
	RT_OP_DROP_INDEX,
	RT_OP_RENAME_INDEX,
	RT_OP_DROP_TABLE,
	RT_OP_RENAME_TABLE,
	RT_OP_CREATE_ENUM,
	RT_OP_DROP_PK,
	RT_OP_DROP_UNIQUE,
	RT_OP_DROP_CHECK,
	RT_OP_RENAME_CONSTRAINT,
	RT_OP_RENAME_COLUMN,
	RT_OP_DROP_COLUMN,
	RT_OP_ALTER_ENUM,
	RT_OP_ADD_COLUMN,
	RT_OP_ALTER_COLUMN,
	RT_OP_REBUILD_TABLE,
	RT_OP_ADD_PK,
	RT_OP_ADD_UNIQUE,
	RT_OP_ADD_CHECK,
	RT_OP_TABLE_COMMENT,
	RT_OP_CREATE_TABLE,
	RT_OP_ADD_FKEY,
	RT_OP_CREATE_INDEX,
	RT_OP_CREATE_TRIGGER,
	RT_OP_CREATE_VIEW,
	RT_OP_DROP_ENUM
} rt_op_kind;

/* What an RT_OP_ALTER_COLUMN changes. */
#define RT_ALTER_TYPE      (1u << 0)
#define RT_ALTER_NOTNULL   (1u << 1)
#define RT_ALTER_DEFAULT   (1u << 2)
#define RT_ALTER_AUTOINC   (1u << 3)
#define RT_ALTER_COLLATION (1u << 4)
#define RT_ALTER_COMMENT   (1u << 5)

typedef struct rt_op {
	rt_op_kind kind;
	/* the table before and after (by kind, either may be NULL); for a
	 * renamed table `ta` has the old name and `tb` the new one */
	const rt_table *ta, *tb;
	/* the object before and after: rt_column, rt_index, rt_unique,
	 * rt_fkey, rt_check, rt_view, rt_trigger or rt_enum by kind; for
	 * RENAME_CONSTRAINT an rt_unique/rt_fkey/rt_check, see `what` */
	const void *a, *b;
	char what;               /* RENAME_CONSTRAINT: 'u', 'f', 'c' or 'p' */
	unsigned int alter;      /* ALTER_COLUMN: RT_ALTER_* */
	const rt_fkey *inline_fk;/* SQLite ADD_COLUMN: a new foreign key on just this column */
	/* REBUILD_TABLE: for each column of `tb`, the column of `ta` its
	 * rows are copied from (NULL: a new column) */
	const char **src;
	/* CREATE_TABLE: foreign keys left to a later ADD_FKEY (their table
	 * comes later) */
	const rt_fkey **skip_fks;
	size_t nskip;
	/* ALTER_ENUM: empty when values are only added; else the type is
	 * re-created: "" first, then per column using it four strings:
	 * table, column, "1"/"0" (had a default), its new default ("" for
	 * none) */
	rt_strlist uses;
	char *detail;            /* REBUILD_TABLE: what changes, "; " between */
	char *warning;           /* destructive: the -- WARNING: text (lines) */
	/* ordering keys (diff.c) */
	int group;
	size_t key, seq;
} rt_op;

/* One --rename: a table ("OLD:NEW", table NULL) or a column
 * ("TABLE.OLD:NEW"; TABLE may be either name of a renamed table). */
typedef struct rt_rename {
	char *table;
	char *from;
	char *to;
} rt_rename;

typedef struct rt_diff {
	const rt_schema *from, *to;
	rt_op *ops;
	size_t nops, cap;
	/* destructive changes and "may be a rename" notes, one line each */
	rt_strlist warnings;
} rt_diff;

/* Parse "TABLE.OLD:NEW" / "OLD:NEW". */
int rt_rename_parse(rt_rename *out, const char *spec, rt_buf *err);
void rt_rename_release(rt_rename *r);

/* The operations turning `from` into `to` (both sorted, same dialect).
 * With `reverse`, each rename is applied from NEW to OLD (the downgrade
 * of an upgrade made with the same list).  A rename naming something
 * missing is an error. */
int rt_diff_schemas(rt_diff *out, const rt_schema *from, const rt_schema *to,
		    const rt_rename *renames, size_t nrenames, int reverse, rt_buf *err);
void rt_diff_release(rt_diff *d);

/* One line describing the operation ("add column users.email"). */
void rt_op_describe(rt_buf *out, const rt_op *op);

/* Does changing `from` into `to` narrow the type (may lose data)? */
int rt_type_narrows(const char *from, const char *to);

/* ---- render.c, render_sqlite.c, render_pg.c ---------------------------- */

/* Append the SQL of every operation of `d` for `dialect`, each
 * destructive one after a "-- WARNING: ..." line.  *fk_off is set when
 * the SQL must run with foreign keys off (SQLite rebuilds). */
int rt_render(rt_buf *out, const rt_diff *d, const struct rt_renderer *r, int *fk_off,
	      rt_buf *err);

/* What a dialect's renderer provides. */
typedef struct rt_renderer {
	const char *dialect;
	/* append the statement(s) of one operation */
	void (*op)(rt_buf *out, const rt_diff *d, const rt_op *op);
} rt_renderer;

extern const rt_renderer rt_render_sqlite;
extern const rt_renderer rt_render_pg;

/* Shared by the renderers (render.c). */
void rt_render_column_def(rt_buf *out, const rt_column *c, const rt_table *t, const char *dialect,
			  int inline_pk);
void rt_render_create_table(rt_buf *out, const rt_table *t, const char *name, const char *dialect,
			    const rt_fkey **skip_fks, size_t nskip);
void rt_render_create_index(rt_buf *out, const rt_table *t, const rt_index *x, const char *dialect);
/* The operations both dialects write the same way (create and drop tables
 * and indexes, renames, dropped columns); 1 when `op` was one of them. */
int rt_render_common_op(rt_buf *out, const rt_op *op, const char *dialect);
void rt_render_fkey(rt_buf *out, const rt_fkey *f, const char *dialect);
void rt_render_idents(rt_buf *out, const rt_strlist *names, const char *dialect);

#endif
