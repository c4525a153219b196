/*
 * diff.h - the difference of two schema models as a list of operations,
 * and their rendering as SQL per dialect.
 *
 * rt_diff_schemas() orders the operations so that they can run one after
 * the other: views and triggers that may depend on a changed table go
 * first and come back last, foreign keys and indexes are dropped before
 * the tables and columns they use, tables are created in dependency
 * order.  Where the dialect rebuilds tables (its renderer's
 * rebuild_tables), a table whose change cannot be made in place gets one
 * RT_OP_REBUILD_TABLE instead of its column and constraint operations.
 *
 * What the diff and the shared rendering need to know of a dialect is in
 * its rt_renderer, each trait named by what it decides, so that no code
 * here tests a dialect's name.
 */
#ifndef RT_DIFF_H
#define RT_DIFF_H

#include "schema.h"

struct rt_renderer;

typedef enum {
	RT_OP_CREATE_EXTENSION = 1,
	RT_OP_DROP_VIEW,
	RT_OP_DROP_TRIGGER,
	RT_OP_DROP_VTABLE,
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
	RT_OP_CREATE_VTABLE,
	RT_OP_CREATE_TRIGGER,
	RT_OP_CREATE_VIEW,
	RT_OP_DROP_ENUM,
	RT_OP_DROP_EXTENSION,
	/* table attributes (PostgreSQL); within a table's group they come
	 * after the operations above */
	RT_OP_VALIDATE_CONSTRAINT, /* a NOT VALID check or foreign key (b) validated */
	RT_OP_TABLE_OPTIONS,       /* LOGGED / UNLOGGED, storage parameters */
	RT_OP_ALTER_INDEX,         /* an index's storage parameters (a -> b) */
	RT_OP_DETACH_PARTITION,    /* ta leaves its parent */
	RT_OP_ATTACH_PARTITION,    /* tb joins its parent */
	RT_OP_ALTER_FKEY,          /* a foreign key's DEFERRABLE clause (a -> b), in place */
	/* domains, sequences, functions, indexes of materialized views
	 * (rt_object): made, changed in place where the database can (else
	 * dropped and made again in the one operation), dropped */
	RT_OP_CREATE_OBJECT,
	RT_OP_ALTER_OBJECT,
	RT_OP_DROP_OBJECT,
	/* the comment of a view or trigger (`what` 'v' or 't') that stays */
	RT_OP_COMMENT
} rt_op_kind;

/* What an RT_OP_ALTER_COLUMN changes. */
#define RT_ALTER_TYPE      (1u << 0)
#define RT_ALTER_NOTNULL   (1u << 1)
#define RT_ALTER_DEFAULT   (1u << 2)
#define RT_ALTER_AUTOINC   (1u << 3)
#define RT_ALTER_COLLATION (1u << 4)
#define RT_ALTER_COMMENT   (1u << 5)
#define RT_ALTER_GENERATED (1u << 6)  /* SQLite: by a rebuild; PostgreSQL drops and adds */

typedef struct rt_op {
	rt_op_kind kind;
	/* the table before and after (by kind, either may be NULL); for a
	 * renamed table `ta` has the old name and `tb` the new one */
	const rt_table *ta, *tb;
	/* the object before and after: rt_column, rt_index, rt_unique,
	 * rt_fkey, rt_check, rt_view (views and virtual tables: a DROP_VTABLE
	 * with `b` and a CREATE_VTABLE with `a` set the old one aside and copy
	 * its rows), rt_trigger, rt_enum, rt_extension or rt_object by kind;
	 * for RENAME_CONSTRAINT an rt_unique/rt_fkey/rt_check, see `what` */
	const void *a, *b;
	char what;               /* RENAME_CONSTRAINT: 'u', 'f', 'c' or 'p'; COMMENT: 'v', 't' */
	unsigned int alter;      /* ALTER_COLUMN: RT_ALTER_* */
	/* ADD_COLUMN where tables are rebuilt (rebuild_tables): a new foreign
	 * key on just this column, written with it */
	const rt_fkey *inline_fk;
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
	 * none).  ALTER_OBJECT of a domain made again: per column of it,
	 * table and column */
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

/* The operations turning `from` into `to` (both sorted, same dialect), as
 * the traits of their renderer allow (`to`'s, or `from`'s when `to` has
 * none; RETORT_EUSAGE when neither has one).  With `reverse`, each rename
 * is applied from NEW to OLD (the downgrade of an upgrade made with the
 * same list).  A rename naming something missing is an error. */
int rt_diff_schemas(rt_diff *out, const rt_schema *from, const rt_schema *to,
		    const rt_rename *renames, size_t nrenames, int reverse, rt_buf *err);
void rt_diff_release(rt_diff *d);

/* One line describing the operation ("add column users.email"). */
void rt_op_describe(rt_buf *out, const rt_op *op);

/* Does changing `from` into `to` narrow the type (may lose data)? */
int rt_type_narrows(const char *from, const char *to);

/* The content= option of a CREATE VIRTUAL TABLE statement (FTS4, FTS5):
 * NULL when it has none (the table keeps its own copy of what it
 * indexes), "" for a contentless table, else the name of the table it
 * indexes.  The caller frees it. */
char *rt_vtable_content(const char *def);

/* The columns of a CREATE VIRTUAL TABLE statement whose module's rows can
 * be read and written back (FTS3/4/5, R*Tree), in order, appended to
 * `out`; returns RT_VTABLE_TEXT or RT_VTABLE_RTREE, 0 for another
 * module, -1 when out of memory. */
enum { RT_VTABLE_TEXT = 1, RT_VTABLE_RTREE };
int rt_vtable_columns(const char *def, rt_strlist *out);

/* ---- render.c, render_sqlite.c, render_pg.c ---------------------------- */

/* Append the SQL of every operation of `d` as `r` writes it, each
 * destructive one after a "-- WARNING: ..." line.  *fk_off is set when
 * the SQL must run with foreign keys off (it rebuilds a table). */
int rt_render(rt_buf *out, const rt_diff *d, const struct rt_renderer *r, int *fk_off,
	      rt_buf *err);

/* What a dialect's renderer provides: the statements of each operation,
 * and the traits of the dialect that the diff (diff.c) and the pieces
 * the renderers share (render.c, rt_sql_ident) follow.  Filled with
 * designated initialisers; a flag left out is 0. */
typedef struct rt_renderer {
	const char *dialect;
	/* append the statement(s) of one operation */
	void (*op)(rt_buf *out, const rt_diff *d, const rt_op *op);

	/* May the `len` bytes of `name` be written without quotes: spelt as
	 * the dialect reads an unquoted name back (its identifier characters,
	 * in the case it folds such names to), and no keyword it reserves? */
	int (*bare_ident)(const char *name, size_t len);

	/* ---- column definitions (rt_render_column_def) ---- */

	/* A column may have no type: an empty one is left out (else the
	 * type is written whatever it is). */
	int typeless_columns;
	/* A column numbers itself with a serial type or an identity clause
	 * (GENERATED ... AS IDENTITY); 0: with AUTOINCREMENT after its
	 * INTEGER PRIMARY KEY.  Every RT_AUTO_* is written in the one form
	 * the dialect has. */
	int identity_columns;
	/* COLLATE follows the column's type; 0: it ends the definition. */
	int collate_after_type;
	/* PRIMARY KEY makes a column NOT NULL, so a key written on its column
	 * does not say NOT NULL again. */
	int pk_implies_notnull;

	/* ---- CREATE TABLE (rt_render_create_table) ---- */

	/* Primary keys are named constraints (rt_table's pk_name), called
	 * <table>_pkey unless named otherwise: a one-column key is written on
	 * its column only under that name, and a named key that is not
	 * written there says CONSTRAINT name.  0: a one-column key always
	 * goes on its column. */
	int pk_names;
	/* rt_table's options are written after the closing parenthesis. */
	int table_options;
	/* Tables and columns keep comments, set by COMMENT ON after the
	 * CREATE TABLE. */
	int comments;

	/* ---- the diff (rt_diff_schemas) ---- */

	/* ALTER TABLE renames tables and columns and adds and drops columns,
	 * nothing else: a table whose constraints, column definitions or
	 * options change is rebuilt (RT_OP_REBUILD_TABLE), and foreign keys
	 * come and go only with their tables (or with a new column:
	 * inline_fk).  add_column_in_place and drop_column_in_place say
	 * which columns ALTER TABLE can add, and which of table `t` of the
	 * old schema `s` it can drop; the table is rebuilt for the others. */
	int rebuild_tables;
	int (*add_column_in_place)(const rt_column *c);
	int (*drop_column_in_place)(const rt_schema *s, const rt_table *t, const rt_column *c);
	/* ALTER INDEX renames an index; 0: a renamed index is dropped and
	 * made again. */
	int rename_index;
} rt_renderer;

extern const rt_renderer rt_render_sqlite;
extern const rt_renderer rt_render_pg;

/* Shared by the renderers (render.c), written as `r` says. */
void rt_render_column_def(rt_buf *out, const rt_column *c, const rt_table *t, const rt_renderer *r,
			  int inline_pk);
void rt_render_create_table(rt_buf *out, const rt_table *t, const char *name, const rt_renderer *r,
			    const rt_fkey **skip_fks, size_t nskip);
void rt_render_create_index(rt_buf *out, const rt_table *t, const rt_index *x,
			    const rt_renderer *r);
/* The operations both dialects write the same way (create and drop tables
 * and indexes, renames, dropped columns); 1 when `op` was one of them. */
int rt_render_common_op(rt_buf *out, const rt_op *op, const rt_renderer *r);
void rt_render_fkey(rt_buf *out, const rt_fkey *f, const rt_renderer *r);
void rt_render_idents(rt_buf *out, const rt_strlist *names, const rt_renderer *r);
/* A comment in place of an operation the dialect has no SQL for. */
void rt_render_unsupported(rt_buf *out, const rt_op *op, const char *dialect);
/* " DEFERRABLE", " DEFERRABLE INITIALLY DEFERRED" or "" for RT_*DEFERRABLE* */
const char *rt_deferrable_sql(int deferrable);
/* " WITH (a=1, b=2)" of storage parameters, nothing for none */
void rt_render_storage(rt_buf *out, const rt_strlist *storage);

#endif
