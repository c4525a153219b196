/*
 * json.c - the schema model as JSON, for `schema dump --format json` and
 * the programs that read a schema without parsing SQL.  The shape is
 * versioned ("format_version") and documented in docs/json.md: a key is
 * never renamed or given another meaning within a version, only added.
 *
 * Written by hand because the library does not link a JSON library; every
 * string goes through rt_buf_json.  The output is indented, one value a
 * line, so that a schema file kept in git shows a change as a small diff.
 */
#include <stdlib.h>

#include "schema.h"

#define JSON_FORMAT_VERSION 1

/* A writer that knows its depth and whether a comma is due. */
typedef struct jw {
	rt_buf *out;
	int depth;
	int first;  /* nothing written yet at this depth */
} jw;

/* The separator, new line and indentation before a value, and its key
 * (NULL inside an array). */
static void value_start(jw *w, const char *key)
{
	int i;

	if (w->depth) {
		if (!w->first)
			rt_buf_putc(w->out, ',');
		rt_buf_putc(w->out, '\n');
		for (i = 0; i < w->depth; i++)
			rt_buf_puts(w->out, "  ");
	}
	w->first = 0;
	if (key) {
		rt_buf_json(w->out, key);
		rt_buf_puts(w->out, ": ");
	}
}

static void open_(jw *w, const char *key, char bracket)
{
	value_start(w, key);
	rt_buf_putc(w->out, bracket);
	w->depth++;
	w->first = 1;
}

static void close_(jw *w, char bracket)
{
	int i, empty = w->first;

	w->depth--;
	if (!empty) {
		rt_buf_putc(w->out, '\n');
		for (i = 0; i < w->depth; i++)
			rt_buf_puts(w->out, "  ");
	}
	rt_buf_putc(w->out, bracket);
	w->first = 0;
}

static void str(jw *w, const char *key, const char *value)
{
	value_start(w, key);
	rt_buf_json(w->out, value);
}

static void boolean(jw *w, const char *key, int value)
{
	value_start(w, key);
	rt_buf_puts(w->out, value ? "true" : "false");
}

/* A list of names on one line: ["a", "b"]. */
static void names(jw *w, const char *key, const char *const *items, size_t n)
{
	size_t i;

	value_start(w, key);
	rt_buf_putc(w->out, '[');
	for (i = 0; i < n; i++) {
		if (i)
			rt_buf_puts(w->out, ", ");
		rt_buf_json(w->out, items[i]);
	}
	rt_buf_putc(w->out, ']');
}

static void list(jw *w, const char *key, const rt_strlist *l)
{
	names(w, key, (const char *const *)l->items, l->count);
}

static const char *identity_name(int autoinc)
{
	switch (autoinc) {
	case RT_AUTO_INCREMENT:
		return "autoincrement";
	case RT_AUTO_IDENTITY:
		return "identity";
	case RT_AUTO_IDENTITY_ALWAYS:
		return "identity always";
	case RT_AUTO_SERIAL:
		return "serial";
	default:
		return NULL;
	}
}

/* An array of objects, one written by `one` for each of the `n` items of
 * `size` bytes at `items`. */
static void array(jw *w, const char *key, const void *items, size_t n, size_t size,
		  void (*one)(jw *w, const void *item))
{
	size_t i;

	open_(w, key, '[');
	for (i = 0; i < n; i++) {
		open_(w, NULL, '{');
		one(w, (const char *)items + i * size);
		close_(w, '}');
	}
	close_(w, ']');
}
#define ARRAY(w, key, v, n, one) array((w), (key), (v), (n), sizeof(*(v)), (one))

static void column(jw *w, const void *item)
{
	const rt_column *c = item;

	str(w, "name", c->name);
	str(w, "type", c->type);
	boolean(w, "nullable", !c->notnull);
	str(w, "default", c->dflt);
	boolean(w, "primary_key", c->pk > 0);
	str(w, "identity", identity_name(c->autoinc));
	if (c->generated) {
		open_(w, "generated", '{');
		str(w, "expression", c->generated);
		boolean(w, "stored", c->gen_stored);
		close_(w, '}');
	} else {
		str(w, "generated", NULL);
	}
	str(w, "collation", c->collation);
	str(w, "comment", c->comment);
}

static void deferrable(jw *w, int d)
{
	boolean(w, "deferrable", d != RT_NOT_DEFERRABLE);
	boolean(w, "initially_deferred", d == RT_INITIALLY_DEFERRED);
}

static void fkey(jw *w, const void *item)
{
	const rt_fkey *fk = item;

	str(w, "name", fk->name);
	list(w, "columns", &fk->cols);
	open_(w, "references", '{');
	str(w, "table", fk->ref_table);
	list(w, "columns", &fk->ref_cols);
	close_(w, '}');
	str(w, "on_delete", fk->on_delete ? fk->on_delete : "NO ACTION");
	str(w, "on_update", fk->on_update ? fk->on_update : "NO ACTION");
	deferrable(w, fk->deferrable);
	boolean(w, "not_valid", fk->not_valid);
}

static void unique(jw *w, const void *item)
{
	const rt_unique *u = item;

	str(w, "name", u->name);
	list(w, "columns", &u->cols);
	deferrable(w, u->deferrable);
}

static void index_(jw *w, const void *item)
{
	const rt_index *ix = item;

	str(w, "name", ix->name);
	boolean(w, "unique", ix->unique);
	list(w, "keys", &ix->keys);
	str(w, "where", ix->where);
	str(w, "method", ix->method);
}

static void check(jw *w, const void *item)
{
	const rt_check *c = item;

	str(w, "name", c->name);
	str(w, "expression", c->expr);
	boolean(w, "not_valid", c->not_valid);
}

/* `pk`: room for the names of the table's key, in key order */
static void table(jw *w, const rt_table *t, const char **pk)
{
	open_(w, NULL, '{');
	str(w, "name", t->name);
	ARRAY(w, "columns", t->cols, t->ncols, column);
	names(w, "primary_key", pk, rt_table_pk(t, pk, t->ncols));
	str(w, "primary_key_name", t->pk_name);
	ARRAY(w, "foreign_keys", t->fkeys, t->nfkeys, fkey);
	ARRAY(w, "unique", t->uniques, t->nuniques, unique);
	ARRAY(w, "indexes", t->indexes, t->nindexes, index_);
	ARRAY(w, "checks", t->checks, t->nchecks, check);
	str(w, "comment", t->comment);
	str(w, "options", t->options);
	str(w, "partition_by", t->partition_by);
	str(w, "partition_of", t->partition_of);
	str(w, "partition_bound", t->partition_bound);
	close_(w, '}');
}

static void view(jw *w, const void *item)
{
	const rt_view *v = item;

	str(w, "name", v->name);
	str(w, "definition", v->def);
	boolean(w, "materialized", v->materialized);
	str(w, "comment", v->comment);
}

static void vtable(jw *w, const void *item)
{
	const rt_view *v = item;

	str(w, "name", v->name);
	str(w, "definition", v->def);
}

static void trigger(jw *w, const void *item)
{
	const rt_trigger *t = item;

	str(w, "name", t->name);
	str(w, "table", t->table);
	str(w, "definition", t->sql);
	str(w, "comment", t->comment);
}

static void enum_(jw *w, const void *item)
{
	const rt_enum *e = item;

	str(w, "name", e->name);
	list(w, "labels", &e->labels);
}

static void extension(jw *w, const void *item)
{
	const rt_extension *e = item;

	str(w, "name", e->name);
	str(w, "schema", e->schema);
}

static void object(jw *w, const void *item)
{
	const rt_object *o = item;

	str(w, "kind", rt_object_kind(o));
	str(w, "name", o->name);
	str(w, "definition", o->def);
	str(w, "table", o->table);
	str(w, "comment", o->comment);
}

int rt_schema_json(rt_buf *out, const rt_schema *s, const char *source)
{
	jw w = { out, 0, 1 };
	const char **pk = NULL;
	size_t i, most = 1;

	for (i = 0; i < s->ntables; i++)
		if (s->tables[i].ncols > most)
			most = s->tables[i].ncols;
	if (!(pk = malloc(most * sizeof(*pk))))
		return -1;
	open_(&w, NULL, '{');
	value_start(&w, "format_version");
	rt_buf_printf(out, "%d", JSON_FORMAT_VERSION);
	str(&w, "source", source);
	str(&w, "dialect", s->dialect);
	open_(&w, "tables", '[');
	for (i = 0; i < s->ntables; i++)
		table(&w, &s->tables[i], pk);
	close_(&w, ']');
	ARRAY(&w, "views", s->views, s->nviews, view);
	ARRAY(&w, "virtual_tables", s->vtables, s->nvtables, vtable);
	ARRAY(&w, "triggers", s->triggers, s->ntriggers, trigger);
	ARRAY(&w, "enums", s->enums, s->nenums, enum_);
	ARRAY(&w, "extensions", s->extensions, s->nextensions, extension);
	ARRAY(&w, "objects", s->objects, s->nobjects, object);
	list(&w, "unmodelled", &s->unmodelled);
	close_(&w, '}');
	rt_buf_putc(out, '\n');
	free(pk);
	return rt_buf_oom(out) ? -1 : 0;
}
