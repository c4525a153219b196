/*
 * render_pg.c - operations as PostgreSQL statements, and PostgreSQL's
 * traits that the diff and the shared rendering follow (rt_render_pg at
 * the end, diff.h).  Everything is done in place with ALTER TABLE;
 * constraints always carry their names, so a database built from this
 * SQL reads back with the names it was made from.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diff.h"

/* this file's renderer, for the pieces the renderers share */
#define R (&rt_render_pg)

/* PostgreSQL's keywords that cannot be a bare column or table name
 * (the reserved, type/function-name and column-name categories). */
static const char *const keywords[] = {
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

/* A name PostgreSQL reads back as itself unquoted: it folds unquoted
 * names to lower case, so a lower-case letter or '_', then lower-case
 * letters, digits and '_', and none of the keywords above. */
static int bare_ident(const char *name, size_t len)
{
	size_t i;

	if (!len || !(islower((unsigned char)name[0]) || name[0] == '_'))
		return 0;
	for (i = 0; i < len; i++)
		if (!islower((unsigned char)name[i]) && !isdigit((unsigned char)name[i]) &&
		    name[i] != '_')
			return 0;
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strlen(keywords[i]) == len && !memcmp(keywords[i], name, len))
			return 0;
	return 1;
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

/* Whether ALTER COLUMN ... TYPE needs "USING col::type".  An explicit
 * cast to a string or bit type cuts what does not fit, silently; the
 * assignment cast ALTER TYPE makes without USING refuses it ("value too
 * long"), and every type has one to the string types.  So those go
 * without USING, and a narrowing fails instead of losing data.  Other
 * targets keep the explicit cast, which fails rather than cuts. */
static int needs_using(const char *type)
{
	static const char *const strings[] = { "character", "char", "varchar", "text",
					       "bpchar", "bit", "varbit" };
	size_t i, n;

	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		n = strlen(strings[i]);
		if (!strncasecmp(type, strings[i], n) &&
		    (!type[n] || type[n] == '(' || type[n] == ' ' || type[n] == '['))
			return type[strcspn(type, "[")] == '[';  /* arrays keep it */
	}
	return 1;
}

static void alter_column(rt_buf *out, const rt_table *t, const char *col)
{
	alter_table(out, t);
	rt_buf_puts(out, "ALTER COLUMN ");
	ident(out, col);
	rt_buf_putc(out, ' ');
}

static void drop_constraint(rt_buf *out, const rt_table *t, const char *name)
{
	alter_table(out, t);
	rt_buf_puts(out, "DROP CONSTRAINT ");
	ident(out, name);
	rt_buf_puts(out, ";\n");
}

/* The name of a view, enum, index or constraint: each of their structs
 * starts with it (schema.h). */
static const char *name_of(const void *obj)
{
	return *(char *const *)obj;
}

/* ALTER TABLE t ADD [CONSTRAINT name ]...: the body follows. */
static void add_constraint(rt_buf *out, const rt_table *t, const char *name)
{
	alter_table(out, t);
	rt_buf_puts(out, "ADD ");
	if (name) {
		rt_buf_puts(out, "CONSTRAINT ");
		ident(out, name);
		rt_buf_putc(out, ' ');
	}
}

/* The operations that are one statement on one named object (op->a):
 * `sql` and its name, on the table before the renames (ta: a foreign key
 * is dropped before tables are renamed) or after (tb), or on none. */
static const struct named {
	const char *sql;
	char table;        /* 'a', 'b', or 0: none */
} named[] = {
	[RT_OP_DROP_ENUM] = { "DROP TYPE ", 0 },
	[RT_OP_DROP_EXTENSION] = { "DROP EXTENSION ", 0 },
	[RT_OP_DROP_FKEY] = { "DROP CONSTRAINT ", 'a' },
	[RT_OP_DROP_UNIQUE] = { "DROP CONSTRAINT ", 'b' },
	[RT_OP_DROP_CHECK] = { "DROP CONSTRAINT ", 'b' },
};

/* " IS 'text';" or " IS NULL;", ending a COMMENT ON. */
static void comment_is(rt_buf *out, const char *text)
{
	rt_buf_puts(out, " IS ");
	if (text)
		rt_sql_literal(out, text);
	else
		rt_buf_puts(out, "NULL");
	rt_buf_puts(out, ";\n");
}

static void column_comment(rt_buf *out, const rt_table *t, const rt_column *c)
{
	rt_buf_puts(out, "COMMENT ON COLUMN ");
	ident(out, t->name);
	rt_buf_putc(out, '.');
	ident(out, c->name);
	comment_is(out, c->comment);
}

static void view_comment(rt_buf *out, const rt_view *v)
{
	rt_buf_printf(out, "COMMENT ON %sVIEW ", v->materialized ? "MATERIALIZED " : "");
	ident(out, v->name);
	comment_is(out, v->comment);
}

static void trigger_comment(rt_buf *out, const rt_trigger *t)
{
	rt_buf_puts(out, "COMMENT ON TRIGGER ");
	ident(out, t->name);
	rt_buf_puts(out, " ON ");
	ident(out, t->table);
	comment_is(out, t->comment);
}

/* The sequence a serial column's default draws from. */
static void serial_seq(rt_buf *out, const rt_table *t, const rt_column *c)
{
	rt_buf name = RT_BUF_INIT;

	rt_buf_printf(&name, "%s_%s_seq", t->name, c->name);
	ident(out, name.ptr);
	rt_buf_release(&name);
}

static void alter(rt_buf *out, const rt_table *t, const rt_column *a, const rt_column *b,
		  unsigned int m)
{
	int dflt_done = 0;

	/* identity and serial go first: they hold NOT NULL and the default */
	if ((m & RT_ALTER_AUTOINC) && a->autoinc != RT_AUTO_NONE) {
		if ((a->autoinc == RT_AUTO_IDENTITY || a->autoinc == RT_AUTO_IDENTITY_ALWAYS) &&
		    (b->autoinc == RT_AUTO_IDENTITY || b->autoinc == RT_AUTO_IDENTITY_ALWAYS)) {
			alter_column(out, t, b->name);
			rt_buf_printf(out, "SET GENERATED %s;\n",
				      b->autoinc == RT_AUTO_IDENTITY ? "BY DEFAULT" : "ALWAYS");
		} else if (a->autoinc == RT_AUTO_SERIAL) {
			alter_column(out, t, b->name);
			rt_buf_puts(out, "DROP DEFAULT;\n");
			rt_buf_puts(out, "DROP SEQUENCE IF EXISTS ");
			serial_seq(out, t, a);
			rt_buf_puts(out, ";\n");
		} else {
			alter_column(out, t, b->name);
			rt_buf_puts(out, "DROP IDENTITY;\n");
		}
	}
	if (m & (RT_ALTER_TYPE | RT_ALTER_COLLATION)) {
		if (a->dflt) {
			alter_column(out, t, b->name);
			rt_buf_puts(out, "DROP DEFAULT;\n");
		}
		alter_column(out, t, b->name);
		rt_buf_printf(out, "TYPE %s", b->type);
		if (b->collation) {
			rt_buf_puts(out, " COLLATE ");
			ident(out, b->collation);
		}
		if (needs_using(b->type)) {
			rt_buf_puts(out, " USING ");
			ident(out, b->name);
			rt_buf_printf(out, "::%s", b->type);
		}
		rt_buf_puts(out, ";\n");
		if (b->dflt) {
			alter_column(out, t, b->name);
			rt_buf_printf(out, "SET DEFAULT %s;\n", b->dflt);
		}
		dflt_done = 1;
	}
	if (m & RT_ALTER_NOTNULL) {
		alter_column(out, t, b->name);
		rt_buf_printf(out, "%s NOT NULL;\n", b->notnull ? "SET" : "DROP");
	}
	if ((m & RT_ALTER_DEFAULT) && !dflt_done) {
		alter_column(out, t, b->name);
		if (b->dflt)
			rt_buf_printf(out, "SET DEFAULT %s;\n", b->dflt);
		else
			rt_buf_puts(out, "DROP DEFAULT;\n");
	}
	if ((m & RT_ALTER_AUTOINC) && b->autoinc != RT_AUTO_NONE &&
	    !((a->autoinc == RT_AUTO_IDENTITY || a->autoinc == RT_AUTO_IDENTITY_ALWAYS) &&
	      (b->autoinc == RT_AUTO_IDENTITY || b->autoinc == RT_AUTO_IDENTITY_ALWAYS))) {
		if (b->autoinc == RT_AUTO_SERIAL) {
			rt_buf_puts(out, "CREATE SEQUENCE ");
			serial_seq(out, t, b);
			rt_buf_puts(out, " OWNED BY ");
			ident(out, t->name);
			rt_buf_putc(out, '.');
			ident(out, b->name);
			rt_buf_puts(out, ";\n");
			alter_column(out, t, b->name);
			rt_buf_puts(out, "SET DEFAULT nextval('");
			serial_seq(out, t, b);
			rt_buf_puts(out, "'::regclass);\n");
		} else {
			alter_column(out, t, b->name);
			rt_buf_printf(out, "ADD GENERATED %s AS IDENTITY;\n",
				      b->autoinc == RT_AUTO_IDENTITY ? "BY DEFAULT" : "ALWAYS");
		}
	}
	if (m & RT_ALTER_COMMENT)
		column_comment(out, t, b);
}

static void alter_enum(rt_buf *out, const rt_op *op)
{
	const rt_enum *a = op->a, *b = op->b;
	rt_buf old = RT_BUF_INIT;
	size_t i;

	if (!op->uses.count) {
		for (i = 0; i < b->labels.count; i++) {
			if (rt_strlist_has(&a->labels, b->labels.items[i]))
				continue;
			rt_buf_puts(out, "ALTER TYPE ");
			ident(out, b->name);
			rt_buf_puts(out, " ADD VALUE ");
			rt_sql_literal(out, b->labels.items[i]);
			if (i > 0) {
				rt_buf_puts(out, " AFTER ");
				rt_sql_literal(out, b->labels.items[i - 1]);
			} else if (a->labels.count) {
				rt_buf_puts(out, " BEFORE ");
				rt_sql_literal(out, a->labels.items[0]);
			}
			rt_buf_puts(out, ";\n");
		}
		return;
	}
	/* values go or move: a new type, and every column moves over to it */
	rt_buf_printf(&old, "%s_retort_old", b->name);
	rt_buf_puts(out, "ALTER TYPE ");
	ident(out, b->name);
	rt_buf_puts(out, " RENAME TO ");
	ident(out, old.ptr);
	rt_buf_puts(out, ";\nCREATE TYPE ");
	ident(out, b->name);
	rt_buf_puts(out, " AS ENUM (");
	for (i = 0; i < b->labels.count; i++) {
		if (i)
			rt_buf_puts(out, ", ");
		rt_sql_literal(out, b->labels.items[i]);
	}
	rt_buf_puts(out, ");\n");
	for (i = 1; i + 4 <= op->uses.count; i += 4) {
		const char *tab = op->uses.items[i], *col = op->uses.items[i + 1];
		const char *had = op->uses.items[i + 2], *dflt = op->uses.items[i + 3];
		if (!strcmp(had, "1")) {
			rt_buf_puts(out, "ALTER TABLE ");
			ident(out, tab);
			rt_buf_puts(out, " ALTER COLUMN ");
			ident(out, col);
			rt_buf_puts(out, " DROP DEFAULT;\n");
		}
		rt_buf_puts(out, "ALTER TABLE ");
		ident(out, tab);
		rt_buf_puts(out, " ALTER COLUMN ");
		ident(out, col);
		rt_buf_puts(out, " TYPE ");
		ident(out, b->name);
		rt_buf_puts(out, " USING ");
		ident(out, col);
		rt_buf_puts(out, "::text::");
		ident(out, b->name);
		rt_buf_puts(out, ";\n");
		if (*dflt) {
			rt_buf_puts(out, "ALTER TABLE ");
			ident(out, tab);
			rt_buf_puts(out, " ALTER COLUMN ");
			ident(out, col);
			rt_buf_printf(out, " SET DEFAULT %s;\n", dflt);
		}
	}
	rt_buf_puts(out, "DROP TYPE ");
	ident(out, old.ptr);
	rt_buf_puts(out, ";\n");
	rt_buf_release(&old);
}

/* Does `list` hold a parameter named as `item` ("name=value") is? */
static int has_param(const rt_strlist *list, const char *item)
{
	size_t n = strcspn(item, "="), i;

	for (i = 0; i < list->count; i++)
		if (!strncmp(list->items[i], item, n) && list->items[i][n] == '=')
			return 1;
	return 0;
}

/* ---- domains, sequences, functions, indexes of materialized views ---- */

/* A function's name with its argument types, the name quoted. */
static void function_ident(rt_buf *out, const rt_object *f)
{
	const char *paren = strrchr(f->name, '(');
	size_t n = paren ? (size_t)(paren - f->name) : strlen(f->name);
	char *name = rt_strndup(f->name, n);

	if (!name) {
		out->oom = 1; /* (checked once, by the caller) */
		return;
	}
	ident(out, name);
	rt_buf_puts(out, f->name + n);
	free(name);
}

/* DOMAIN, SEQUENCE, FUNCTION, PROCEDURE or INDEX. */
static void object_sql(rt_buf *out, const rt_object *o)
{
	const char *k = rt_object_kind(o);

	while (*k)
		rt_buf_putc(out, (char)toupper((unsigned char)*k++));
}

static void object_ident(rt_buf *out, const rt_object *o)
{
	if (o->kind == RT_OBJ_FUNCTION)
		function_ident(out, o);
	else
		ident(out, o->name);
}

static void object_comment(rt_buf *out, const rt_object *o)
{
	rt_buf_puts(out, "COMMENT ON ");
	object_sql(out, o);
	rt_buf_putc(out, ' ');
	object_ident(out, o);
	comment_is(out, o->comment);
}

static void drop_object(rt_buf *out, const rt_object *o)
{
	rt_buf_puts(out, "DROP ");
	object_sql(out, o);
	rt_buf_putc(out, ' ');
	object_ident(out, o);
	rt_buf_puts(out, ";\n");
}

static void domain_check(rt_buf *out, const rt_object *o, size_t i)
{
	rt_buf_puts(out, "CONSTRAINT ");
	ident(out, o->checks.items[i]);
	rt_buf_printf(out, " %s", o->checks.items[i + 1]);
}

static void create_object(rt_buf *out, const rt_object *o)
{
	size_t i;

	switch (o->kind) {
	case RT_OBJ_DOMAIN:
		rt_buf_puts(out, "CREATE DOMAIN ");
		ident(out, o->name);
		rt_buf_printf(out, " AS %s", o->def);
		if (o->dflt)
			rt_buf_printf(out, " DEFAULT %s", o->dflt);
		if (o->notnull)
			rt_buf_puts(out, " NOT NULL");
		for (i = 0; i + 1 < o->checks.count; i += 2) {
			rt_buf_putc(out, ' ');
			domain_check(out, o, i);
		}
		rt_buf_puts(out, ";\n");
		break;
	case RT_OBJ_SEQUENCE:
		rt_buf_puts(out, "CREATE SEQUENCE ");
		ident(out, o->name);
		rt_buf_printf(out, " %s;\n", o->def);
		break;
	default: /* functions and indexes: the whole statement */
		rt_buf_printf(out, "%s;\n", o->def);
		break;
	}
	if (o->comment)
		object_comment(out, o);
}

/* Has domain `o` the check `i` of `of` (same name, same definition)? */
static int has_check(const rt_object *o, const rt_object *of, size_t i)
{
	size_t k;

	for (k = 0; k + 1 < o->checks.count; k += 2)
		if (!strcmp(o->checks.items[k], of->checks.items[i]) &&
		    !strcmp(o->checks.items[k + 1], of->checks.items[i + 1]))
			return 1;
	return 0;
}

/* "<prefix>VERB (p1, p2);" for the parameters of `from` that `other`
 * lacks (by name with `names`, then written without their values; else
 * by the whole "name=value"); nothing when there are none. */
static void storage_verb(rt_buf *out, const char *prefix, const char *verb,
			 const rt_strlist *from, const rt_strlist *other, int names)
{
	size_t i, n = 0;

	for (i = 0; i < from->count; i++) {
		const char *item = from->items[i];
		if (names ? has_param(other, item) : rt_strlist_has(other, item))
			continue;
		if (n++)
			rt_buf_puts(out, ", ");
		else
			rt_buf_printf(out, "%s%s (", prefix, verb);
		rt_buf_put(out, item, names ? strcspn(item, "=") : strlen(item));
	}
	if (n)
		rt_buf_puts(out, ");\n");
}

/* ALTER TABLE t / ALTER INDEX x (the prefix) RESET what goes, SET what
 * comes or changes. */
static void alter_storage(rt_buf *out, const char *prefix, const rt_strlist *a,
			  const rt_strlist *b)
{
	storage_verb(out, prefix, "RESET", a, b, 1);
	storage_verb(out, prefix, "SET", b, a, 0);
}

/* What changes of `b`'s logging, storage parameters and columns'
 * options; `a` NULL: a table just made, whose CREATE TABLE said the
 * rest. */
static void table_options(rt_buf *out, const rt_table *a, const rt_table *b)
{
	static const rt_strlist none = { 0 };
	rt_buf prefix = RT_BUF_INIT, column = RT_BUF_INIT;
	size_t i;

	alter_table(&prefix, b);
	if (a && a->unlogged != b->unlogged)
		rt_buf_printf(out, "%sSET %s;\n", prefix.ptr, b->unlogged ? "UNLOGGED" : "LOGGED");
	if (a)
		alter_storage(out, prefix.ptr, &a->storage, &b->storage);
	for (i = 0; i < b->ncols; i++) {
		const rt_column *was = a ? rt_table_column(a, b->cols[i].name) : NULL;
		rt_buf_clear(&column);
		rt_buf_printf(&column, "%sALTER COLUMN ", prefix.ptr);
		ident(&column, b->cols[i].name);
		rt_buf_putc(&column, ' ');
		alter_storage(out, column.ptr, was ? &was->options : &none, &b->cols[i].options);
	}
	rt_buf_release(&prefix);
	rt_buf_release(&column);
}

static void alter_index(rt_buf *out, const rt_index *a, const rt_index *b)
{
	rt_buf prefix = RT_BUF_INIT;

	rt_buf_puts(&prefix, "ALTER INDEX ");
	ident(&prefix, b->name);
	rt_buf_putc(&prefix, ' ');
	alter_storage(out, prefix.ptr, &a->storage, &b->storage);
	rt_buf_release(&prefix);
}

/* ALTER DOMAIN for what it can change: default, NOT NULL, checks. */
static void alter_domain(rt_buf *out, const rt_object *a, const rt_object *b)
{
	size_t i;

	if (!(a->dflt && b->dflt && !strcmp(a->dflt, b->dflt)) && (a->dflt || b->dflt)) {
		rt_buf_puts(out, "ALTER DOMAIN ");
		ident(out, b->name);
		if (b->dflt)
			rt_buf_printf(out, " SET DEFAULT %s;\n", b->dflt);
		else
			rt_buf_puts(out, " DROP DEFAULT;\n");
	}
	if (a->notnull != b->notnull) {
		rt_buf_puts(out, "ALTER DOMAIN ");
		ident(out, b->name);
		rt_buf_printf(out, " %s NOT NULL;\n", b->notnull ? "SET" : "DROP");
	}
	/* a check that changes is dropped and added */
	for (i = 0; i + 1 < a->checks.count; i += 2) {
		if (has_check(b, a, i))
			continue;
		rt_buf_puts(out, "ALTER DOMAIN ");
		ident(out, b->name);
		rt_buf_puts(out, " DROP CONSTRAINT ");
		ident(out, a->checks.items[i]);
		rt_buf_puts(out, ";\n");
	}
	for (i = 0; i + 1 < b->checks.count; i += 2) {
		if (has_check(a, b, i))
			continue;
		rt_buf_puts(out, "ALTER DOMAIN ");
		ident(out, b->name);
		rt_buf_puts(out, " ADD ");
		domain_check(out, b, i);
		rt_buf_puts(out, ";\n");
	}
}

/* The columns of a domain made again (op->uses) to type `type`. */
static void domain_columns(rt_buf *out, const rt_op *op, const char *type, int is_domain)
{
	size_t i;

	for (i = 0; i + 1 < op->uses.count; i += 2) {
		rt_buf_puts(out, "ALTER TABLE ");
		ident(out, op->uses.items[i]);
		rt_buf_puts(out, " ALTER COLUMN ");
		ident(out, op->uses.items[i + 1]);
		rt_buf_puts(out, " TYPE ");
		if (!is_domain) {
			rt_buf_printf(out, "%s;\n", type);
			continue;
		}
		ident(out, type);
		rt_buf_puts(out, " USING ");
		ident(out, op->uses.items[i + 1]);
		rt_buf_puts(out, "::");
		ident(out, type);
		rt_buf_puts(out, ";\n");
	}
}

static void alter_object(rt_buf *out, const rt_op *op)
{
	const rt_object *a = op->a, *b = op->b;
	int same_def = !strcmp(a->def, b->def);

	switch (b->kind) {
	case RT_OBJ_DOMAIN:
		if (!same_def) /* no ALTER DOMAIN changes the type */
			break;
		alter_domain(out, a, b);
		goto comment;
	case RT_OBJ_SEQUENCE:
		/* never RESTART: the current value stays */
		if (!same_def) {
			rt_buf_puts(out, "ALTER SEQUENCE ");
			ident(out, b->name);
			rt_buf_printf(out, " %s;\n", b->def);
		}
		goto comment;
	case RT_OBJ_FUNCTION:
		/* CREATE OR REPLACE keeps the kind, the arguments' names and
		 * defaults and the result type (`result`) */
		if (!(a->result && b->result && !strcmp(a->result, b->result)))
			break;
		if (!same_def)
			rt_buf_printf(out, "%s;\n", b->def);
		goto comment;
	default:
		if (!same_def)
			break;
		goto comment;
	}
	/* (a domain's columns go to its old type meanwhile) */
	domain_columns(out, op, a->def, 0);
	drop_object(out, a);
	create_object(out, b);
	domain_columns(out, op, b->name, 1);
	return;
comment:
	if (!(a->comment && b->comment && !strcmp(a->comment, b->comment)) &&
	    (a->comment || b->comment))
		object_comment(out, b);
}

static void pg_op(rt_buf *out, const rt_diff *d, const rt_op *op)
{
	const char *pk[64];
	size_t n, i;

	(void)d;
	if (rt_render_common_op(out, op, R))
		return;
	if ((size_t)op->kind < sizeof(named) / sizeof(named[0]) && named[op->kind].sql) {
		const struct named *nm = &named[op->kind];
		if (nm->table)
			alter_table(out, nm->table == 'a' ? op->ta : op->tb);
		rt_buf_puts(out, nm->sql);
		ident(out, name_of(op->a));
		rt_buf_puts(out, ";\n");
		return;
	}
	switch (op->kind) {
	case RT_OP_DROP_VIEW:
		rt_buf_printf(out, "DROP %sVIEW ",
			      ((const rt_view *)op->a)->materialized ? "MATERIALIZED " : "");
		ident(out, ((const rt_view *)op->a)->name);
		rt_buf_puts(out, ";\n");
		break;
	case RT_OP_CREATE_VIEW: {
		const rt_view *v = op->b;
		size_t len = strlen(v->def);
		/* a SQLite model keeps the whole statement */
		if (!strncasecmp(v->def, "CREATE ", 7)) {
			rt_buf_printf(out, "%s;\n", v->def);
			break;
		}
		rt_buf_printf(out, "CREATE %sVIEW ", v->materialized ? "MATERIALIZED " : "");
		ident(out, v->name);
		while (len && v->def[len - 1] == ';')
			len--;
		rt_buf_puts(out, " AS ");
		rt_buf_put(out, v->def, len);
		rt_buf_puts(out, v->materialized ? " WITH DATA;\n" : ";\n");
		if (v->comment)
			view_comment(out, v);
		break;
	}
	case RT_OP_DROP_TRIGGER:
		rt_buf_puts(out, "DROP TRIGGER ");
		ident(out, ((const rt_trigger *)op->a)->name);
		rt_buf_puts(out, " ON ");
		ident(out, ((const rt_trigger *)op->a)->table);
		rt_buf_puts(out, ";\n");
		break;
	case RT_OP_CREATE_TRIGGER:
		rt_buf_printf(out, "%s;\n", ((const rt_trigger *)op->b)->sql);
		if (((const rt_trigger *)op->b)->comment)
			trigger_comment(out, op->b);
		break;
	case RT_OP_COMMENT:
		if (op->what == 't')
			trigger_comment(out, op->b);
		else
			view_comment(out, op->b);
		break;
	case RT_OP_CREATE_OBJECT:
		create_object(out, op->b);
		break;
	case RT_OP_ALTER_OBJECT:
		alter_object(out, op);
		break;
	case RT_OP_DROP_OBJECT:
		drop_object(out, op->a);
		break;
	case RT_OP_REBUILD_TABLE:
		break;
	case RT_OP_ADD_FKEY:
		add_constraint(out, op->tb, NULL); /* the name is the foreign key's own */
		rt_render_fkey(out, op->b, R);
		rt_buf_puts(out, ((const rt_fkey *)op->b)->not_valid ? " NOT VALID;\n" : ";\n");
		break;
	case RT_OP_RENAME_INDEX:
		rt_buf_puts(out, "ALTER INDEX ");
		ident(out, ((const rt_index *)op->a)->name);
		rt_buf_puts(out, " RENAME TO ");
		ident(out, ((const rt_index *)op->b)->name);
		rt_buf_puts(out, ";\n");
		break;
	case RT_OP_CREATE_EXTENSION: {
		/* IF NOT EXISTS: a database may have it already outside the
		 * schema retort reads (another schema's objects need it) */
		const rt_extension *x = op->b;
		rt_buf_puts(out, "CREATE EXTENSION IF NOT EXISTS ");
		ident(out, x->name);
		if (x->schema) {
			rt_buf_puts(out, " WITH SCHEMA ");
			ident(out, x->schema);
		}
		rt_buf_puts(out, ";\n");
		break;
	}
	case RT_OP_CREATE_ENUM: {
		const rt_enum *e = op->b;
		rt_buf_puts(out, "CREATE TYPE ");
		ident(out, e->name);
		rt_buf_puts(out, " AS ENUM (");
		for (i = 0; i < e->labels.count; i++) {
			if (i)
				rt_buf_puts(out, ", ");
			rt_sql_literal(out, e->labels.items[i]);
		}
		rt_buf_puts(out, ");\n");
		break;
	}
	case RT_OP_ALTER_ENUM:
		alter_enum(out, op);
		break;
	case RT_OP_DROP_PK:
		if (op->ta->pk_name)
			drop_constraint(out, op->tb, op->ta->pk_name);
		break;
	case RT_OP_ADD_PK:
		n = rt_table_pk(op->tb, pk, 64);
		if (!n)
			break;
		add_constraint(out, op->tb, op->tb->pk_name);
		rt_buf_puts(out, "PRIMARY KEY (");
		for (i = 0; i < n; i++) {
			if (i)
				rt_buf_puts(out, ", ");
			ident(out, pk[i]);
		}
		rt_buf_printf(out, ")%s;\n", rt_deferrable_sql(op->tb->pk_deferrable));
		break;
	case RT_OP_ADD_UNIQUE: {
		const rt_unique *u = op->b;
		add_constraint(out, op->tb, u->name);
		rt_buf_puts(out, "UNIQUE ");
		rt_render_idents(out, &u->cols, R);
		rt_buf_printf(out, "%s;\n", rt_deferrable_sql(u->deferrable));
		break;
	}
	case RT_OP_ADD_CHECK: {
		const rt_check *c = op->b;
		add_constraint(out, op->tb, c->name);
		rt_buf_printf(out, "CHECK (%s)%s;\n", c->expr, c->not_valid ? " NOT VALID" : "");
		break;
	}
	case RT_OP_RENAME_CONSTRAINT: {
		/* 'p': the primary key, whose name is the table's; else a
		 * unique key, foreign key or check */
		const char *from = op->what == 'p' ? op->ta->pk_name : name_of(op->a);
		const char *to = op->what == 'p' ? op->tb->pk_name : name_of(op->b);
		alter_table(out, op->tb);
		rt_buf_puts(out, "RENAME CONSTRAINT ");
		ident(out, from);
		rt_buf_puts(out, " TO ");
		ident(out, to);
		rt_buf_puts(out, ";\n");
		break;
	}
	case RT_OP_ADD_COLUMN:
		alter_table(out, op->tb);
		rt_buf_puts(out, "ADD COLUMN ");
		rt_render_column_def(out, op->b, op->tb, R, 0);
		rt_buf_puts(out, ";\n");
		if (((const rt_column *)op->b)->comment)
			column_comment(out, op->tb, op->b);
		break;
	case RT_OP_ALTER_COLUMN:
		alter(out, op->tb, op->a, op->b, op->alter);
		break;
	case RT_OP_TABLE_COMMENT:
		rt_buf_puts(out, "COMMENT ON TABLE ");
		ident(out, op->tb->name);
		comment_is(out, op->tb->comment);
		break;
	case RT_OP_DROP_VTABLE:
	case RT_OP_CREATE_VTABLE:
		/* (a SQLite model's, dumped as PostgreSQL) */
		rt_render_unsupported(out, op, "PostgreSQL");
		break;
	case RT_OP_ALTER_FKEY: {
		const rt_fkey *f = op->b;
		alter_table(out, op->tb);
		rt_buf_puts(out, "ALTER CONSTRAINT ");
		ident(out, f->name);
		rt_buf_printf(out, "%s;\n", f->deferrable == RT_INITIALLY_DEFERRED ?
			      " DEFERRABLE INITIALLY DEFERRED" : f->deferrable ?
			      " DEFERRABLE INITIALLY IMMEDIATE" : " NOT DEFERRABLE");
		break;
	}
	case RT_OP_VALIDATE_CONSTRAINT:
		alter_table(out, op->tb);
		rt_buf_puts(out, "VALIDATE CONSTRAINT ");
		ident(out, name_of(op->b));
		rt_buf_puts(out, ";\n");
		break;
	case RT_OP_TABLE_OPTIONS:
		table_options(out, op->ta, op->tb);
		break;
	case RT_OP_ALTER_INDEX:
		alter_index(out, op->a, op->b);
		break;
	case RT_OP_DETACH_PARTITION:
		rt_buf_puts(out, "ALTER TABLE ");
		ident(out, op->ta->partition_of);
		rt_buf_puts(out, " DETACH PARTITION ");
		ident(out, op->ta->name);
		rt_buf_puts(out, ";\n");
		break;
	case RT_OP_ATTACH_PARTITION:
		rt_buf_puts(out, "ALTER TABLE ");
		ident(out, op->tb->partition_of);
		rt_buf_puts(out, " ATTACH PARTITION ");
		ident(out, op->tb->name);
		rt_buf_printf(out, " %s;\n",
			      op->tb->partition_bound ? op->tb->partition_bound : "DEFAULT");
		break;
	default: /* rendered by rt_render_common_op above */
		break;
	}
}

const rt_renderer rt_render_pg = {
	.dialect = "postgresql",
	.op = pg_op,
	.bare_ident = bare_ident,
	.typeless_columns = 0,
	.identity_columns = 1, /* serial types, GENERATED ... AS IDENTITY */
	.collate_after_type = 1,
	.pk_implies_notnull = 1,
	.pk_names = 1, /* <table>_pkey by default */
	.table_options = 0,
	.comments = 1,
	.rebuild_tables = 0, /* everything in place */
	.add_column_in_place = NULL, /* (read only with rebuild_tables) */
	.drop_column_in_place = NULL,
	.rename_index = 1,
};
