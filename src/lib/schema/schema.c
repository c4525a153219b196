/*
 * schema.c - the schema model: building it (for introspection and tests),
 * putting it in canonical order, and comparing two of them.
 */
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "schema.h"

/* Make room for one more element of `size` bytes and return it, zeroed. */
static void *push(void **v, size_t *n, size_t *cap, size_t size)
{
	char *p;

	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 4;
		void *nv = realloc(*v, c * size);
		if (!nv)
			return NULL;
		*v = nv;
		*cap = c;
	}
	p = (char *)*v + *n * size;
	memset(p, 0, size);
	(*n)++;
	return p;
}

#define PUSH(arr, n, cap) push((void **)&(arr), &(n), &(cap), sizeof(*(arr)))

int rt_set_str(char **field, const char *value)
{
	char *copy = NULL;

	if (value && !(copy = rt_strdup(value)))
		return -1;
	free(*field);
	*field = copy;
	return 0;
}

int rt_schema_init(rt_schema *s, const rt_renderer *r)
{
	memset(s, 0, sizeof(*s));
	s->renderer = r;
	return rt_set_str(&s->dialect, r ? r->dialect : NULL);
}

static void column_release(rt_column *c)
{
	free(c->name);
	free(c->type);
	free(c->dflt);
	free(c->collation);
	free(c->comment);
	free(c->generated);
	rt_strlist_release(&c->options);
}

static void index_release(rt_index *x)
{
	free(x->name);
	rt_strlist_release(&x->keys);
	free(x->where);
	free(x->method);
	rt_strlist_release(&x->storage);
}

static void unique_release(rt_unique *u)
{
	free(u->name);
	rt_strlist_release(&u->cols);
}

static void fkey_release(rt_fkey *f)
{
	free(f->name);
	rt_strlist_release(&f->cols);
	free(f->ref_table);
	rt_strlist_release(&f->ref_cols);
	free(f->on_delete);
	free(f->on_update);
}

static void check_release(rt_check *c)
{
	free(c->name);
	free(c->expr);
}

static void table_release(rt_table *t)
{
	size_t i;

	free(t->name);
	for (i = 0; i < t->ncols; i++)
		column_release(&t->cols[i]);
	free(t->cols);
	free(t->pk_name);
	for (i = 0; i < t->nindexes; i++)
		index_release(&t->indexes[i]);
	free(t->indexes);
	for (i = 0; i < t->nuniques; i++)
		unique_release(&t->uniques[i]);
	free(t->uniques);
	for (i = 0; i < t->nfkeys; i++)
		fkey_release(&t->fkeys[i]);
	free(t->fkeys);
	for (i = 0; i < t->nchecks; i++)
		check_release(&t->checks[i]);
	free(t->checks);
	free(t->comment);
	free(t->options);
	rt_strlist_release(&t->storage);
	free(t->partition_by);
	free(t->partition_of);
	free(t->partition_bound);
}

static void views_release(rt_view *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].def);
		free(v[i].comment);
	}
	free(v);
}

static void object_release(rt_object *o)
{
	free(o->name);
	free(o->def);
	free(o->table);
	free(o->result);
	free(o->dflt);
	rt_strlist_release(&o->checks);
	free(o->comment);
}

void rt_schema_release(rt_schema *s)
{
	size_t i;

	for (i = 0; i < s->ntables; i++)
		table_release(&s->tables[i]);
	free(s->tables);
	views_release(s->views, s->nviews);
	views_release(s->vtables, s->nvtables);
	for (i = 0; i < s->ntriggers; i++) {
		free(s->triggers[i].name);
		free(s->triggers[i].table);
		free(s->triggers[i].sql);
		free(s->triggers[i].comment);
	}
	free(s->triggers);
	for (i = 0; i < s->nenums; i++) {
		free(s->enums[i].name);
		rt_strlist_release(&s->enums[i].labels);
	}
	free(s->enums);
	for (i = 0; i < s->nextensions; i++) {
		free(s->extensions[i].name);
		free(s->extensions[i].schema);
	}
	free(s->extensions);
	for (i = 0; i < s->nobjects; i++)
		object_release(&s->objects[i]);
	free(s->objects);
	free(s->dialect);
	rt_strlist_release(&s->unmodelled);
	memset(s, 0, sizeof(*s));
}

rt_table *rt_schema_add_table(rt_schema *s, const char *name)
{
	rt_table *t = PUSH(s->tables, s->ntables, s->tables_cap);

	if (t && !(t->name = rt_strdup(name))) {
		s->ntables--;
		return NULL;
	}
	return t;
}

static rt_view *add_view(rt_view **list, size_t *n, size_t *cap, const char *name,
			 const char *def)
{
	rt_view *v = push((void **)list, n, cap, sizeof(**list));

	if (v && (rt_set_str(&v->name, name) < 0 || rt_set_str(&v->def, def) < 0)) {
		free(v->name);
		(*n)--;
		return NULL;
	}
	return v;
}

rt_view *rt_schema_add_view(rt_schema *s, const char *name, const char *def)
{
	return add_view(&s->views, &s->nviews, &s->views_cap, name, def);
}

rt_view *rt_schema_add_vtable(rt_schema *s, const char *name, const char *def)
{
	return add_view(&s->vtables, &s->nvtables, &s->vtables_cap, name, def);
}

rt_trigger *rt_schema_add_trigger(rt_schema *s, const char *name, const char *table,
				  const char *sql)
{
	rt_trigger *t = PUSH(s->triggers, s->ntriggers, s->triggers_cap);

	if (t && (rt_set_str(&t->name, name) < 0 || rt_set_str(&t->table, table) < 0 ||
		  rt_set_str(&t->sql, sql) < 0)) {
		free(t->name);
		free(t->table);
		s->ntriggers--;
		return NULL;
	}
	return t;
}

rt_enum *rt_schema_add_enum(rt_schema *s, const char *name)
{
	rt_enum *e = PUSH(s->enums, s->nenums, s->enums_cap);

	if (e && !(e->name = rt_strdup(name))) {
		s->nenums--;
		return NULL;
	}
	return e;
}

rt_extension *rt_schema_add_extension(rt_schema *s, const char *name, const char *schema)
{
	rt_extension *e = PUSH(s->extensions, s->nextensions, s->extensions_cap);

	if (e && (rt_set_str(&e->name, name) < 0 || rt_set_str(&e->schema, schema) < 0)) {
		free(e->name);
		s->nextensions--;
		return NULL;
	}
	return e;
}

int rt_schema_copy_extensions(rt_schema *s, const rt_schema *from)
{
	size_t i;

	for (i = 0; i < s->nextensions; i++) {
		free(s->extensions[i].name);
		free(s->extensions[i].schema);
	}
	s->nextensions = 0;
	for (i = 0; i < from->nextensions; i++)
		if (!rt_schema_add_extension(s, from->extensions[i].name, from->extensions[i].schema))
			return -1;
	return 0;
}

rt_object *rt_schema_add_object(rt_schema *s, int kind, const char *name, const char *def)
{
	rt_object *o = PUSH(s->objects, s->nobjects, s->objects_cap);

	if (o && (rt_set_str(&o->name, name) < 0 || rt_set_str(&o->def, def) < 0)) {
		free(o->name);
		s->nobjects--;
		return NULL;
	}
	if (o)
		o->kind = kind;
	return o;
}

rt_column *rt_table_add_column(rt_table *t, const char *name, const char *type)
{
	rt_column *c = PUSH(t->cols, t->ncols, t->cols_cap);

	if (c && (rt_set_str(&c->name, name) < 0 || rt_set_str(&c->type, type ? type : "") < 0)) {
		free(c->name);
		t->ncols--;
		return NULL;
	}
	return c;
}

rt_index *rt_table_add_index(rt_table *t, const char *name)
{
	rt_index *x = PUSH(t->indexes, t->nindexes, t->indexes_cap);

	if (x && rt_set_str(&x->name, name) < 0) {
		t->nindexes--;
		return NULL;
	}
	return x;
}

rt_unique *rt_table_add_unique(rt_table *t, const char *name)
{
	rt_unique *u = PUSH(t->uniques, t->nuniques, t->uniques_cap);

	if (u && rt_set_str(&u->name, name) < 0) {
		t->nuniques--;
		return NULL;
	}
	return u;
}

rt_fkey *rt_table_add_fkey(rt_table *t, const char *name, const char *ref_table)
{
	rt_fkey *f = PUSH(t->fkeys, t->nfkeys, t->fkeys_cap);

	if (f && (rt_set_str(&f->name, name) < 0 || rt_set_str(&f->ref_table, ref_table) < 0)) {
		free(f->name);
		t->nfkeys--;
		return NULL;
	}
	return f;
}

rt_check *rt_table_add_check(rt_table *t, const char *name, const char *expr)
{
	rt_check *c = PUSH(t->checks, t->nchecks, t->checks_cap);

	if (c && (rt_set_str(&c->name, name) < 0 || rt_set_str(&c->expr, expr) < 0)) {
		free(c->name);
		t->nchecks--;
		return NULL;
	}
	return c;
}

void rt_schema_remove_table(rt_schema *s, size_t i)
{
	if (i >= s->ntables)
		return;
	table_release(&s->tables[i]);
	memmove(&s->tables[i], &s->tables[i + 1], (s->ntables - i - 1) * sizeof(*s->tables));
	s->ntables--;
}

/* ---- copying ---------------------------------------------------------- */

static int copy_list(rt_strlist *dst, const rt_strlist *src)
{
	size_t i;

	for (i = 0; i < src->count; i++)
		if (rt_strlist_add(dst, src->items[i]) < 0)
			return -1;
	return 0;
}

static int copy_table(rt_schema *out, const rt_table *t)
{
	rt_table *n = rt_schema_add_table(out, t->name);
	size_t i;

	if (!n)
		return -1;
	for (i = 0; i < t->ncols; i++) {
		const rt_column *c = &t->cols[i];
		rt_column *d = rt_table_add_column(n, c->name, c->type);
		if (!d || rt_set_str(&d->dflt, c->dflt) < 0 ||
		    rt_set_str(&d->collation, c->collation) < 0 ||
		    rt_set_str(&d->comment, c->comment) < 0 ||
		    rt_set_str(&d->generated, c->generated) < 0 ||
		    copy_list(&d->options, &c->options) < 0)
			return -1;
		d->gen_stored = c->gen_stored;
		d->notnull = c->notnull;
		d->pk = c->pk;
		d->autoinc = c->autoinc;
	}
	for (i = 0; i < t->nindexes; i++) {
		const rt_index *x = &t->indexes[i];
		rt_index *d = rt_table_add_index(n, x->name);
		if (!d || copy_list(&d->keys, &x->keys) < 0 || rt_set_str(&d->where, x->where) < 0 ||
		    rt_set_str(&d->method, x->method) < 0 || copy_list(&d->storage, &x->storage) < 0)
			return -1;
		d->unique = x->unique;
	}
	for (i = 0; i < t->nuniques; i++) {
		rt_unique *d = rt_table_add_unique(n, t->uniques[i].name);
		if (!d || copy_list(&d->cols, &t->uniques[i].cols) < 0)
			return -1;
		d->deferrable = t->uniques[i].deferrable;
	}
	for (i = 0; i < t->nfkeys; i++) {
		const rt_fkey *f = &t->fkeys[i];
		rt_fkey *d = rt_table_add_fkey(n, f->name, f->ref_table);
		if (!d || copy_list(&d->cols, &f->cols) < 0 || copy_list(&d->ref_cols, &f->ref_cols) < 0 ||
		    rt_set_str(&d->on_delete, f->on_delete) < 0 ||
		    rt_set_str(&d->on_update, f->on_update) < 0)
			return -1;
		d->deferrable = f->deferrable;
		d->not_valid = f->not_valid;
	}
	for (i = 0; i < t->nchecks; i++) {
		rt_check *d = rt_table_add_check(n, t->checks[i].name, t->checks[i].expr);
		if (!d)
			return -1;
		d->not_valid = t->checks[i].not_valid;
	}
	if (rt_set_str(&n->pk_name, t->pk_name) < 0 || rt_set_str(&n->comment, t->comment) < 0 ||
	    rt_set_str(&n->options, t->options) < 0 || copy_list(&n->storage, &t->storage) < 0 ||
	    rt_set_str(&n->partition_by, t->partition_by) < 0 ||
	    rt_set_str(&n->partition_of, t->partition_of) < 0 ||
	    rt_set_str(&n->partition_bound, t->partition_bound) < 0)
		return -1;
	n->pk_deferrable = t->pk_deferrable;
	n->unlogged = t->unlogged;
	return 0;
}

int rt_schema_copy(rt_schema *out, const rt_schema *in)
{
	size_t i;

	if (rt_schema_init(out, in->renderer) < 0)
		return -1;
	if (copy_list(&out->unmodelled, &in->unmodelled) < 0)
		goto oom;
	for (i = 0; i < in->ntables; i++)
		if (copy_table(out, &in->tables[i]) < 0)
			goto oom;
	for (i = 0; i < in->nviews; i++) {
		rt_view *v = rt_schema_add_view(out, in->views[i].name, in->views[i].def);
		if (!v || rt_set_str(&v->comment, in->views[i].comment) < 0)
			goto oom;
		v->materialized = in->views[i].materialized;
	}
	for (i = 0; i < in->nvtables; i++)
		if (!rt_schema_add_vtable(out, in->vtables[i].name, in->vtables[i].def))
			goto oom;
	for (i = 0; i < in->ntriggers; i++) {
		const rt_trigger *t = &in->triggers[i];
		rt_trigger *n = rt_schema_add_trigger(out, t->name, t->table, t->sql);
		if (!n || rt_set_str(&n->comment, t->comment) < 0)
			goto oom;
	}
	for (i = 0; i < in->nenums; i++) {
		rt_enum *e = rt_schema_add_enum(out, in->enums[i].name);
		if (!e || copy_list(&e->labels, &in->enums[i].labels) < 0)
			goto oom;
	}
	if (rt_schema_copy_extensions(out, in) < 0)
		goto oom;
	for (i = 0; i < in->nobjects; i++) {
		const rt_object *o = &in->objects[i];
		rt_object *n = rt_schema_add_object(out, o->kind, o->name, o->def);
		if (!n || rt_set_str(&n->table, o->table) < 0 || rt_set_str(&n->result, o->result) < 0 ||
		    rt_set_str(&n->dflt, o->dflt) < 0 || copy_list(&n->checks, &o->checks) < 0 ||
		    rt_set_str(&n->comment, o->comment) < 0)
			goto oom;
		n->notnull = o->notnull;
	}
	return 0;
oom:
	rt_schema_release(out);
	return -1;
}

/* ---- order ------------------------------------------------------------ */

static int strcmp0(const char *a, const char *b)
{
	if (!a || !b)
		return a ? 1 : b ? -1 : 0;
	return strcmp(a, b);
}

static int list_cmp(const rt_strlist *a, const rt_strlist *b)
{
	size_t i;
	int c;

	for (i = 0; i < a->count && i < b->count; i++)
		if ((c = strcmp(a->items[i], b->items[i])) != 0)
			return c;
	return a->count < b->count ? -1 : a->count > b->count;
}

static int by_table(const void *a, const void *b)
{
	return strcmp(((const rt_table *)a)->name, ((const rt_table *)b)->name);
}

static int by_view(const void *a, const void *b)
{
	return strcmp(((const rt_view *)a)->name, ((const rt_view *)b)->name);
}

static int by_trigger(const void *pa, const void *pb)
{
	const rt_trigger *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	return c ? c : strcmp0(a->table, b->table);
}

static int by_object(const void *pa, const void *pb)
{
	const rt_object *a = pa, *b = pb;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int by_extension(const void *a, const void *b)
{
	return strcmp(((const rt_extension *)a)->name, ((const rt_extension *)b)->name);
}

static int by_enum(const void *a, const void *b)
{
	return strcmp(((const rt_enum *)a)->name, ((const rt_enum *)b)->name);
}

static int by_index(const void *a, const void *b)
{
	return strcmp(((const rt_index *)a)->name, ((const rt_index *)b)->name);
}

static int by_unique(const void *pa, const void *pb)
{
	const rt_unique *a = pa, *b = pb;
	int c = strcmp0(a->name, b->name);

	return c ? c : list_cmp(&a->cols, &b->cols);
}

static int by_fkey(const void *pa, const void *pb)
{
	const rt_fkey *a = pa, *b = pb;
	int c = strcmp0(a->name, b->name);

	if (!c)
		c = list_cmp(&a->cols, &b->cols);
	if (!c)
		c = strcmp0(a->ref_table, b->ref_table);
	if (!c)
		c = list_cmp(&a->ref_cols, &b->ref_cols);
	return c;
}

static int by_check(const void *pa, const void *pb)
{
	const rt_check *a = pa, *b = pb;
	int c = strcmp0(a->name, b->name);

	return c ? c : strcmp0(a->expr, b->expr);
}

void rt_schema_sort(rt_schema *s)
{
	size_t i;

	if (s->ntables)
		qsort(s->tables, s->ntables, sizeof(*s->tables), by_table);
	if (s->nviews)
		qsort(s->views, s->nviews, sizeof(*s->views), by_view);
	if (s->nvtables)
		qsort(s->vtables, s->nvtables, sizeof(*s->vtables), by_view);
	if (s->ntriggers)
		qsort(s->triggers, s->ntriggers, sizeof(*s->triggers), by_trigger);
	if (s->nenums)
		qsort(s->enums, s->nenums, sizeof(*s->enums), by_enum);
	if (s->nextensions)
		qsort(s->extensions, s->nextensions, sizeof(*s->extensions), by_extension);
	if (s->nobjects)
		qsort(s->objects, s->nobjects, sizeof(*s->objects), by_object);
	for (i = 0; i < s->ntables; i++) {
		rt_table *t = &s->tables[i];
		if (t->nindexes)
			qsort(t->indexes, t->nindexes, sizeof(*t->indexes), by_index);
		if (t->nuniques)
			qsort(t->uniques, t->nuniques, sizeof(*t->uniques), by_unique);
		if (t->nfkeys)
			qsort(t->fkeys, t->nfkeys, sizeof(*t->fkeys), by_fkey);
		if (t->nchecks)
			qsort(t->checks, t->nchecks, sizeof(*t->checks), by_check);
	}
}

/* ---- lookups ------------------------------------------------------------ */

rt_table *rt_schema_table(const rt_schema *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->ntables; i++)
		if (!strcmp(s->tables[i].name, name))
			return &s->tables[i];
	return NULL;
}

static rt_view *find_view(rt_view *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

rt_extension *rt_schema_extension(const rt_schema *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nextensions; i++)
		if (!strcmp(s->extensions[i].name, name))
			return &s->extensions[i];
	return NULL;
}

rt_view *rt_schema_view(const rt_schema *s, const char *name)
{
	return find_view(s->views, s->nviews, name);
}

rt_view *rt_schema_vtable(const rt_schema *s, const char *name)
{
	return find_view(s->vtables, s->nvtables, name);
}

rt_enum *rt_schema_enum(const rt_schema *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nenums; i++)
		if (!strcmp(s->enums[i].name, name))
			return &s->enums[i];
	return NULL;
}

rt_object *rt_schema_object(const rt_schema *s, int kind, const char *name)
{
	size_t i;

	for (i = 0; i < s->nobjects; i++)
		if (s->objects[i].kind == kind && !strcmp(s->objects[i].name, name))
			return &s->objects[i];
	return NULL;
}

rt_trigger *rt_schema_trigger(const rt_schema *s, const char *name, const char *table)
{
	size_t i;

	for (i = 0; i < s->ntriggers; i++)
		if (!strcmp(s->triggers[i].name, name) && !strcmp0(s->triggers[i].table, table))
			return &s->triggers[i];
	return NULL;
}

rt_column *rt_table_column(const rt_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].name, name))
			return &t->cols[i];
	return NULL;
}

rt_index *rt_table_index(const rt_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nindexes; i++)
		if (!strcmp(t->indexes[i].name, name))
			return &t->indexes[i];
	return NULL;
}

size_t rt_table_pk(const rt_table *t, const char **cols, size_t max)
{
	size_t n = 0, i;
	int pos;

	for (pos = 1; n < max; pos++) {
		int found = 0;
		for (i = 0; i < t->ncols; i++)
			if (t->cols[i].pk == pos) {
				cols[n++] = t->cols[i].name;
				found = 1;
				break;
			}
		if (!found)
			break;
	}
	return n;
}

/* ---- equality ------------------------------------------------------------ */

int rt_strlist_equal(const rt_strlist *a, const rt_strlist *b)
{
	return list_cmp(a, b) == 0;
}

static int names_match(const char *a, const char *b, int names)
{
	return !names || !strcmp0(a, b);
}

int rt_column_equal(const rt_column *a, const rt_column *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->type, b->type) &&
	       a->notnull == b->notnull && !strcmp0(a->dflt, b->dflt) && a->pk == b->pk &&
	       a->autoinc == b->autoinc && !strcmp0(a->collation, b->collation) &&
	       !strcmp0(a->comment, b->comment) && !strcmp0(a->generated, b->generated) &&
	       a->gen_stored == b->gen_stored && rt_strlist_equal(&a->options, &b->options);
}

int rt_index_equal(const rt_index *a, const rt_index *b)
{
	return !strcmp(a->name, b->name) && a->unique == b->unique &&
	       rt_strlist_equal(&a->keys, &b->keys) && !strcmp0(a->where, b->where) &&
	       !strcmp0(a->method, b->method) && rt_strlist_equal(&a->storage, &b->storage);
}

int rt_unique_equal(const rt_unique *a, const rt_unique *b, int names)
{
	return names_match(a->name, b->name, names) && rt_strlist_equal(&a->cols, &b->cols) &&
	       a->deferrable == b->deferrable;
}

int rt_fkey_equal(const rt_fkey *a, const rt_fkey *b, int names)
{
	return names_match(a->name, b->name, names) && rt_strlist_equal(&a->cols, &b->cols) &&
	       !strcmp0(a->ref_table, b->ref_table) && rt_strlist_equal(&a->ref_cols, &b->ref_cols) &&
	       !strcmp0(a->on_delete, b->on_delete) && !strcmp0(a->on_update, b->on_update) &&
	       a->deferrable == b->deferrable && a->not_valid == b->not_valid;
}

int rt_check_equal(const rt_check *a, const rt_check *b, int names)
{
	return names_match(a->name, b->name, names) && !strcmp0(a->expr, b->expr) &&
	       a->not_valid == b->not_valid;
}

const char *rt_object_kind(const rt_object *o)
{
	switch (o->kind) {
	case RT_OBJ_DOMAIN:
		return "domain";
	case RT_OBJ_SEQUENCE:
		return "sequence";
	case RT_OBJ_FUNCTION:
		return strncmp(o->def, "CREATE OR REPLACE PROCEDURE", 27) ? "function" : "procedure";
	default:
		return "index";
	}
}

int rt_object_equal(const rt_object *a, const rt_object *b)
{
	return a->kind == b->kind && !strcmp(a->name, b->name) && !strcmp0(a->def, b->def) &&
	       !strcmp0(a->table, b->table) && !strcmp0(a->result, b->result) &&
	       !strcmp0(a->dflt, b->dflt) && a->notnull == b->notnull &&
	       rt_strlist_equal(&a->checks, &b->checks) && !strcmp0(a->comment, b->comment);
}

static int table_equal(const rt_table *a, const rt_table *b)
{
	size_t i;

	if (strcmp(a->name, b->name) || a->ncols != b->ncols || a->nindexes != b->nindexes ||
	    a->nuniques != b->nuniques || a->nfkeys != b->nfkeys || a->nchecks != b->nchecks ||
	    strcmp0(a->pk_name, b->pk_name) || strcmp0(a->comment, b->comment) ||
	    strcmp0(a->options, b->options) || a->pk_deferrable != b->pk_deferrable ||
	    a->unlogged != b->unlogged || !rt_strlist_equal(&a->storage, &b->storage) ||
	    strcmp0(a->partition_by, b->partition_by) || strcmp0(a->partition_of, b->partition_of) ||
	    strcmp0(a->partition_bound, b->partition_bound))
		return 0;
	for (i = 0; i < a->ncols; i++) {
		const rt_column *c = rt_table_column(b, a->cols[i].name);
		if (!c || !rt_column_equal(&a->cols[i], c))
			return 0;
	}
	/* both sorted (rt_schema_sort): compare pairwise */
	for (i = 0; i < a->nindexes; i++)
		if (!rt_index_equal(&a->indexes[i], &b->indexes[i]))
			return 0;
	for (i = 0; i < a->nuniques; i++)
		if (!rt_unique_equal(&a->uniques[i], &b->uniques[i], 1))
			return 0;
	for (i = 0; i < a->nfkeys; i++)
		if (!rt_fkey_equal(&a->fkeys[i], &b->fkeys[i], 1))
			return 0;
	for (i = 0; i < a->nchecks; i++)
		if (!rt_check_equal(&a->checks[i], &b->checks[i], 1))
			return 0;
	return 1;
}

static int views_equal(const rt_view *a, size_t na, const rt_view *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (strcmp(a[i].name, b[i].name) || strcmp0(a[i].def, b[i].def) ||
		    a[i].materialized != b[i].materialized || strcmp0(a[i].comment, b[i].comment))
			return 0;
	return 1;
}

int rt_schema_equal(const rt_schema *a, const rt_schema *b)
{
	size_t i;

	if (a->ntables != b->ntables || a->ntriggers != b->ntriggers || a->nenums != b->nenums ||
	    a->nextensions != b->nextensions || a->nobjects != b->nobjects ||
	    !views_equal(a->views, a->nviews, b->views, b->nviews) ||
	    !views_equal(a->vtables, a->nvtables, b->vtables, b->nvtables))
		return 0;
	for (i = 0; i < a->nextensions; i++)
		if (strcmp(a->extensions[i].name, b->extensions[i].name))
			return 0;
	for (i = 0; i < a->ntables; i++)
		if (!table_equal(&a->tables[i], &b->tables[i]))
			return 0;
	for (i = 0; i < a->ntriggers; i++)
		if (strcmp(a->triggers[i].name, b->triggers[i].name) ||
		    strcmp0(a->triggers[i].table, b->triggers[i].table) ||
		    strcmp0(a->triggers[i].sql, b->triggers[i].sql) ||
		    strcmp0(a->triggers[i].comment, b->triggers[i].comment))
			return 0;
	for (i = 0; i < a->nenums; i++)
		if (strcmp(a->enums[i].name, b->enums[i].name) ||
		    !rt_strlist_equal(&a->enums[i].labels, &b->enums[i].labels))
			return 0;
	for (i = 0; i < a->nobjects; i++)
		if (!rt_object_equal(&a->objects[i], &b->objects[i]))
			return 0;
	return 1;
}
