/*
 * diff.c - the operations that turn one schema model into another.
 *
 * Tables are paired by name, or by a --rename; within a pair, columns the
 * same way.  Every object of the old model is compared with its partner
 * after renamed tables and columns are translated, so a rename alone is
 * one operation, not a drop and an add.  Each operation gets an ordering
 * group (see the table in rt_diff_schemas) and the list is sorted by it at
 * the end.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diff.h"

/* Ordering groups: what must run before what. */
enum {
	G_CREATE_EXTENSIONS = 1, /* their types may be used by anything after */
	G_DROP_VIEWS,      /* triggers, then views, that may depend on what changes */
	G_DROP_VTABLES,
	G_DROP_FKEYS,
	G_DROP_INDEXES,
	G_DROP_TABLES,     /* referencing tables first */
	G_RENAME_TABLES,
	G_CREATE_ENUMS,    /* enums, domains, sequences, functions: by kind */
	G_TABLE_DROPS,     /* per table: constraints, renamed and dropped columns */
	G_ALTER_ENUMS,
	G_TABLE_ADDS,      /* per table: new and changed columns, rebuilds, constraints */
	G_CREATE_TABLES,   /* referenced tables first */
	G_TABLE_KEYS,      /* per table: foreign keys and indexes */
	G_INDEX_FKEYS,     /* foreign keys to columns a new unique index makes unique */
	G_CREATE_VTABLES,  /* after the tables they may index */
	G_CREATE_VIEWS,    /* views in dependency order, then indexes of
			    * materialized views and triggers */
	G_DROP_ENUMS,      /* functions, sequences, domains, enums */
	G_DROP_EXTENSIONS
};

/* G_CREATE_ENUMS is ordered by key: enums 0, then the objects by their
 * RT_OBJ_* kind; G_DROP_ENUMS the other way round, KEY_DROP_ENUM - kind
 * and the enums last: a domain may be of an enum type, a function may
 * take a domain. */
#define KEY_DROP_ENUM 10

typedef struct pair {
	const rt_table *a, *b;
	const char **src;   /* per column of b: its column in a, or NULL */
	const char **dst;   /* per column of a: its column in b, or NULL */
	int touched;        /* views and triggers using it must be re-created */
	int rebuild;
	/* columns of b dropped and added again (a generated column's change
	 * where tables are not rebuilt): the keys, checks and indexes using
	 * them go and come back with them */
	rt_strlist regen;
} pair;

typedef struct st {
	rt_diff *d;
	const rt_schema *A, *B;
	const rt_rename *ren;
	size_t nren;
	int reverse;
	const rt_renderer *dialect; /* whose traits the diff follows */
	pair *pairs;
	size_t npairs;
	const pair **a_pair;   /* per table of A: its pair, or NULL (dropped) */
	const pair **b_pair;   /* per table of B: its pair, or NULL (created) */
	size_t seq;
	int oom;
	rt_op dummy;           /* handed out when out of memory */
	rt_buf *err;
} st;

static const char *ren_from(const st *s, const rt_rename *r)
{
	return s->reverse ? r->to : r->from;
}

static const char *ren_to(const st *s, const rt_rename *r)
{
	return s->reverse ? r->from : r->to;
}

/* ---- renames --------------------------------------------------------------- */

int rt_rename_parse(rt_rename *out, const char *spec, rt_buf *err)
{
	const char *colon = strchr(spec, ':'), *dot;

	memset(out, 0, sizeof(*out));
	if (!colon || colon == spec || !colon[1] || strchr(colon + 1, ':'))
		return rt_error(err, RETORT_EUSAGE,
				"--rename '%s' is not TABLE.OLD:NEW (a column) or OLD:NEW (a table)",
				spec);
	dot = memchr(spec, '.', (size_t)(colon - spec));
	if (dot) {
		if (dot == spec || dot + 1 == colon || strchr(colon + 1, '.'))
			return rt_error(err, RETORT_EUSAGE,
					"--rename '%s' is not TABLE.OLD:NEW (a column) or OLD:NEW "
					"(a table)", spec);
		out->table = rt_strndup(spec, (size_t)(dot - spec));
		out->from = rt_strndup(dot + 1, (size_t)(colon - dot - 1));
	} else {
		out->from = rt_strndup(spec, (size_t)(colon - spec));
	}
	out->to = rt_strdup(colon + 1);
	if ((dot && !out->table) || !out->from || !out->to) {
		rt_rename_release(out);
		return rt_error(err, RETORT_ERROR, "out of memory");
	}
	return 0;
}

void rt_rename_release(rt_rename *r)
{
	free(r->table);
	free(r->from);
	free(r->to);
	memset(r, 0, sizeof(*r));
}

/* ---- operations -------------------------------------------------------------- */

static rt_op *add_op(st *s, rt_op_kind kind, int group, const rt_table *ta, const rt_table *tb,
		     const void *a, const void *b)
{
	rt_diff *d = s->d;
	rt_op *op;

	if (d->nops == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		rt_op *ops = realloc(d->ops, cap * sizeof(*ops));
		if (!ops) {
			s->oom = 1;
			memset(&s->dummy, 0, sizeof(s->dummy));
			return &s->dummy;
		}
		d->ops = ops;
		d->cap = cap;
	}
	op = &d->ops[d->nops++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->group = group;
	op->ta = ta;
	op->tb = tb;
	op->a = a;
	op->b = b;
	op->seq = s->seq++;
	/* per-table groups keep a table's operations together */
	if (tb)
		op->key = (size_t)(tb - s->B->tables);
	else if (ta)
		op->key = (size_t)(ta - s->A->tables) + s->B->ntables;
	return op;
}

static void op_release(rt_op *op)
{
	free(op->src);
	free(op->skip_fks);
	rt_strlist_release(&op->uses);
	free(op->detail);
	free(op->warning);
}

static void warn(st *s, rt_op *op, const char *fmt, ...) RT_PRINTF(3, 4);

static void warn(st *s, rt_op *op, const char *fmt, ...)
{
	rt_buf b = RT_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	rt_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (rt_buf_oom(&b) || rt_strlist_add(&s->d->warnings, b.ptr) < 0)
		s->oom = 1;
	if (op) {
		if (op->warning)
			rt_buf_printf(&b, "\n%s", op->warning);
		free(op->warning);
		op->warning = rt_buf_detach(&b);
	}
	rt_buf_release(&b);
}

/* A hint that is not about one operation. */
static void hint(st *s, const char *fmt, ...) RT_PRINTF(2, 3);

static void hint(st *s, const char *fmt, ...)
{
	rt_buf b = RT_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	rt_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (rt_buf_oom(&b) || rt_strlist_add(&s->d->warnings, b.ptr) < 0)
		s->oom = 1;
	rt_buf_release(&b);
}

/* What either side has that the model has no place for: named, once
 * each, so that nobody takes "no changes" to cover it. */
static void unmodelled(st *s)
{
	const rt_strlist *sides[2] = { &s->A->unmodelled, &s->B->unmodelled };
	size_t i, j;

	for (i = 0; i < 2; i++)
		for (j = 0; j < sides[i]->count; j++)
			if (!i || !rt_strlist_has(sides[0], sides[i]->items[j]))
				hint(s, "not modelled: %s is neither compared nor created",
				     sides[i]->items[j]);
}

/* ---- name translation -------------------------------------------------------- */

static const pair *pair_of_a(const st *s, const char *a_name)
{
	const rt_table *t = rt_schema_table(s->A, a_name);

	return t ? s->a_pair[t - s->A->tables] : NULL;
}

/* The name table `name` of A has in B (itself when it is not renamed). */
static const char *map_table(const st *s, const char *name)
{
	const pair *p = pair_of_a(s, name);

	return p ? p->b->name : name;
}

static const char *map_col(const pair *p, const char *col)
{
	size_t i;

	for (i = 0; p && i < p->a->ncols; i++)
		if (!strcmp(p->a->cols[i].name, col))
			return p->dst[i] ? p->dst[i] : col;
	return col;
}

/* `text` (an expression of table pair p) with renamed columns and tables
 * written with their new names; for comparisons only. */
static char *translate(st *s, const pair *p, const char *text)
{
	rt_buf out = RT_BUF_INIT;
	size_t len, i = 0, prev = 0;
	rt_tok t;

	if (!text)
		return NULL;
	len = strlen(text);
	while ((i = rt_sql_token(text, len, i, &t)), t.kind != RT_TOK_END) {
		const char *repl = NULL;
		if (t.kind == RT_TOK_WORD || t.kind == RT_TOK_QUOTED) {
			char *word = t.kind == RT_TOK_WORD ? rt_strndup(text + t.off, t.len)
							   : rt_strndup(text + t.off + 1, t.len - 2);
			size_t k;
			if (!word) {
				s->oom = 1;
				break;
			}
			for (k = 0; p && k < p->a->ncols && !repl; k++)
				if (p->dst[k] && strcmp(p->dst[k], p->a->cols[k].name) &&
				    !strcasecmp(p->a->cols[k].name, word))
					repl = p->dst[k];
			for (k = 0; k < s->npairs && !repl; k++)
				if (strcmp(s->pairs[k].a->name, s->pairs[k].b->name) &&
				    !strcasecmp(s->pairs[k].a->name, word))
					repl = s->pairs[k].b->name;
			free(word);
		}
		rt_buf_put(&out, text + prev, t.off - prev);
		if (repl)
			rt_buf_puts(&out, repl);
		else
			rt_buf_put(&out, text + t.off, t.len);
		prev = i;
	}
	rt_buf_puts(&out, text + prev);
	if (rt_buf_oom(&out))
		s->oom = 1;
	return rt_buf_detach(&out);
}

static int list_maps_to(const pair *p, const rt_strlist *a, const rt_strlist *b)
{
	size_t i;

	if (a->count != b->count)
		return 0;
	for (i = 0; i < a->count; i++)
		if (strcmp(map_col(p, a->items[i]), b->items[i]))
			return 0;
	return 1;
}

static int str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Does a key of columns `cols` or the expression `text` of pair p use a
 * column that is dropped and added again? */
static int uses_regen(const pair *p, const rt_strlist *cols, const char *text)
{
	size_t i;

	for (i = 0; i < p->regen.count; i++)
		if ((cols && rt_strlist_has(cols, p->regen.items[i])) ||
		    (text && rt_sql_mentions(text, p->regen.items[i])))
			return 1;
	return 0;
}

/* Do A's object (translated) and B's have the same content?  (One
 * signature for all four, for the matcher's table in diff_pair.) */
static int unique_same(st *s, const pair *p, const void *va, const void *vb)
{
	const rt_unique *a = va, *b = vb;

	return list_maps_to(p, &a->cols, &b->cols) && a->deferrable == b->deferrable &&
	       !uses_regen(p, &b->cols, NULL);
}

/* A NOT VALID constraint becomes valid in place (RT_OP_VALIDATE_CONSTRAINT,
 * from `paired`); the other way it is dropped and added NOT VALID. */
/* Do the options of b's columns (ALTER COLUMN SET (...)) differ from
 * those of the same-named columns of a (none: a new table)?  A renamed
 * column counts as new: setting its options again changes nothing. */
static int column_options_differ(const rt_table *a, const rt_table *b)
{
	static const rt_strlist none = { 0 };
	size_t i;

	for (i = 0; i < b->ncols; i++) {
		const rt_column *was = a ? rt_table_column(a, b->cols[i].name) : NULL;
		if (!rt_strlist_equal(was ? &was->options : &none, &b->cols[i].options))
			return 1;
	}
	return 0;
}

static int validity_same(int a_not_valid, int b_not_valid)
{
	return a_not_valid || !b_not_valid;
}

static int fkey_same(st *s, const pair *p, const void *va, const void *vb)
{
	const rt_fkey *a = va, *b = vb;
	const pair *rp = pair_of_a(s, a->ref_table);

	/* (a table made again takes the foreign keys to it along) */
	return list_maps_to(p, &a->cols, &b->cols) && !strcmp(map_table(s, a->ref_table), b->ref_table) &&
	       (rp || !rt_schema_table(s->A, a->ref_table)) &&
	       list_maps_to(rp, &a->ref_cols, &b->ref_cols) && str_eq(a->on_delete, b->on_delete) &&
	       str_eq(a->on_update, b->on_update) &&
	       /* (where ALTER TABLE can, DEFERRABLE changes in place: fkey_paired) */
	       (a->deferrable == b->deferrable || !s->dialect->rebuild_tables) &&
	       validity_same(a->not_valid, b->not_valid) && !uses_regen(p, &b->cols, NULL);
}

static int check_same(st *s, const pair *p, const void *va, const void *vb)
{
	const rt_check *a = va, *b = vb;
	char *ta = translate(s, p, a->expr);
	int same = str_eq(ta, b->expr) && validity_same(a->not_valid, b->not_valid) &&
		   !uses_regen(p, NULL, b->expr);

	free(ta);
	return same;
}

static int index_same(st *s, const pair *p, const void *va, const void *vb)
{
	const rt_index *a = va, *b = vb;
	size_t i;
	int same = a->unique == b->unique && a->keys.count == b->keys.count &&
		   str_eq(a->method, b->method);

	for (i = 0; same && i < a->keys.count; i++) {
		char *k = translate(s, p, a->keys.items[i]);
		same = str_eq(k, b->keys.items[i]) && !uses_regen(p, NULL, b->keys.items[i]);
		free(k);
	}
	if (same) {
		char *w = translate(s, p, a->where);
		same = str_eq(w, b->where) && !uses_regen(p, NULL, b->where);
		free(w);
	}
	return same;
}

/* ---- pairing -------------------------------------------------------------------- */

static const rt_rename *table_rename_from(const st *s, const char *a_name)
{
	size_t i;

	for (i = 0; i < s->nren; i++)
		if (!s->ren[i].table && !strcmp(ren_from(s, &s->ren[i]), a_name))
			return &s->ren[i];
	return NULL;
}

static const rt_rename *table_rename_to(const st *s, const char *b_name)
{
	size_t i;

	for (i = 0; i < s->nren; i++)
		if (!s->ren[i].table && !strcmp(ren_to(s, &s->ren[i]), b_name))
			return &s->ren[i];
	return NULL;
}

static int check_renames(st *s)
{
	size_t i;

	for (i = 0; i < s->nren; i++) {
		const rt_rename *r = &s->ren[i];
		const char *from = ren_from(s, r), *to = ren_to(s, r);
		if (r->table)
			continue;
		if (!rt_schema_table(s->A, from))
			return rt_error(s->err, RETORT_EUSAGE,
					"--rename %s:%s: there is no table '%s' to rename", r->from,
					r->to, from);
		if (!rt_schema_table(s->B, to))
			return rt_error(s->err, RETORT_EUSAGE,
					"--rename %s:%s: the schema has no table '%s'", r->from, r->to,
					to);
		if (rt_schema_table(s->B, from) || rt_schema_table(s->A, to))
			return rt_error(s->err, RETORT_EUSAGE,
					"--rename %s:%s: both tables exist on both sides", r->from,
					r->to);
	}
	return 0;
}

static int make_pair(st *s, pair *p)
{
	size_t i, k;

	p->src = calloc(p->b->ncols ? p->b->ncols : 1, sizeof(*p->src));
	p->dst = calloc(p->a->ncols ? p->a->ncols : 1, sizeof(*p->dst));
	if (!p->src || !p->dst)
		return rt_error(s->err, RETORT_ERROR, "out of memory");
	/* column renames first */
	for (i = 0; i < s->nren; i++) {
		const rt_rename *r = &s->ren[i];
		const char *from = ren_from(s, r), *to = ren_to(s, r);
		const rt_column *ca, *cb;
		if (!r->table || (strcmp(r->table, p->a->name) && strcmp(r->table, p->b->name)))
			continue;
		ca = rt_table_column(p->a, from);
		cb = rt_table_column(p->b, to);
		if (!ca || !cb)
			return rt_error(s->err, RETORT_EUSAGE,
					"--rename %s.%s:%s: %s has no column '%s'", r->table, r->from,
					r->to, ca ? "the schema's table" : "the table",
					ca ? to : from);
		if (rt_table_column(p->b, from) || rt_table_column(p->a, to))
			return rt_error(s->err, RETORT_EUSAGE,
					"--rename %s.%s:%s: both columns exist on both sides", r->table,
					r->from, r->to);
		p->dst[ca - p->a->cols] = cb->name;
		p->src[cb - p->b->cols] = ca->name;
	}
	for (i = 0; i < p->b->ncols; i++) {
		if (p->src[i])
			continue;
		for (k = 0; k < p->a->ncols; k++)
			if (!p->dst[k] && !strcmp(p->a->cols[k].name, p->b->cols[i].name)) {
				p->dst[k] = p->b->cols[i].name;
				p->src[i] = p->a->cols[k].name;
			}
	}
	return 0;
}

/* A partitioned table whose key changes is made again, and so are its
 * partitions: no ALTER TABLE changes a partition key. */
static int remade(const st *s, const rt_table *a, const rt_table *b, int depth)
{
	const rt_table *pa, *pb;

	if (!str_eq(a->partition_by, b->partition_by))
		return 1;
	if (!a->partition_of || !b->partition_of || depth > 16)
		return 0;
	pa = rt_schema_table(s->A, a->partition_of);
	pb = rt_schema_table(s->B, b->partition_of);
	return pa && pb && remade(s, pa, pb, depth + 1);
}

static int pair_tables(st *s)
{
	size_t i;
	int rc;

	if ((rc = check_renames(s)) < 0)
		return rc;
	s->pairs = calloc(s->A->ntables ? s->A->ntables : 1, sizeof(*s->pairs));
	s->a_pair = calloc(s->A->ntables ? s->A->ntables : 1, sizeof(*s->a_pair));
	s->b_pair = calloc(s->B->ntables ? s->B->ntables : 1, sizeof(*s->b_pair));
	if (!s->pairs || !s->a_pair || !s->b_pair)
		return rt_error(s->err, RETORT_ERROR, "out of memory");
	for (i = 0; i < s->A->ntables; i++) {
		const rt_table *a = &s->A->tables[i], *b = NULL;
		const rt_rename *r = table_rename_from(s, a->name);
		if (r)
			b = rt_schema_table(s->B, ren_to(s, r));
		else if (!table_rename_to(s, a->name))
			b = rt_schema_table(s->B, a->name);
		if (!b || remade(s, a, b, 0))
			continue;
		s->pairs[s->npairs].a = a;
		s->pairs[s->npairs].b = b;
		s->a_pair[i] = &s->pairs[s->npairs];
		s->b_pair[b - s->B->tables] = &s->pairs[s->npairs];
		s->npairs++;
	}
	/* column renames need the table pairs: make them now */
	for (i = 0; i < s->npairs; i++)
		if ((rc = make_pair(s, &s->pairs[i])) < 0)
			return rc;
	for (i = 0; i < s->nren; i++) {
		const rt_rename *r = &s->ren[i];
		size_t k;
		int found = 0;
		if (!r->table)
			continue;
		for (k = 0; k < s->npairs; k++)
			found |= !strcmp(r->table, s->pairs[k].a->name) ||
				 !strcmp(r->table, s->pairs[k].b->name);
		if (!found)
			return rt_error(s->err, RETORT_EUSAGE,
					"--rename %s.%s:%s: table '%s' is not on both sides", r->table,
					r->from, r->to, r->table);
	}
	return 0;
}

/* ---- types ---------------------------------------------------------------------- */

/* A type's family and size: 'i' integer, 'f' float, 'n' numeric, 't'
 * text, 'b' boolean, 0 other; size in bytes or characters, -1 unbounded;
 * scale for numeric. */
static char type_class(const char *type, long *size, long *scale)
{
	char base[64];
	size_t n = 0;
	const char *p = type, *paren;

	*size = -1;
	*scale = 0;
	while (*p && *p != '(' && n + 1 < sizeof(base)) {
		base[n++] = (char)tolower((unsigned char)*p);
		p++;
	}
	while (n && base[n - 1] == ' ')
		n--;
	base[n] = '\0';
	if ((paren = strchr(type, '(')) != NULL) {
		char *end;
		*size = strtol(paren + 1, &end, 10);
		if (*end == ',')
			*scale = strtol(end + 1, NULL, 10);
	}
	if (!strcmp(base, "smallint") || !strcmp(base, "int2"))
		return *size = 2, 'i';
	if (!strcmp(base, "tinyint"))
		return *size = 1, 'i';
	if (!strcmp(base, "integer") || !strcmp(base, "int") || !strcmp(base, "int4") ||
	    !strcmp(base, "mediumint"))
		return *size = 4, 'i';
	if (!strcmp(base, "bigint") || !strcmp(base, "int8") || !strcmp(base, "unsigned big int"))
		return *size = 8, 'i';
	if (!strcmp(base, "real") || !strcmp(base, "float4"))
		return *size = 4, 'f';
	if (!strcmp(base, "double precision") || !strcmp(base, "double") ||
	    !strcmp(base, "float8") || !strcmp(base, "float"))
		return *size = 8, 'f';
	if (!strcmp(base, "numeric") || !strcmp(base, "decimal"))
		return 'n';
	if (!strcmp(base, "text") || !strcmp(base, "clob") || !strcmp(base, "varchar") ||
	    !strcmp(base, "character varying") || !strcmp(base, "char") ||
	    !strcmp(base, "character") || !strcmp(base, "nvarchar") || !strcmp(base, "nchar") ||
	    !strcmp(base, "varying character") || !strcmp(base, "native character") ||
	    !strcmp(base, "bpchar"))
		return 't';
	if (!strcmp(base, "boolean") || !strcmp(base, "bool"))
		return 'b';
	return 0;
}

int rt_type_narrows(const char *from, const char *to)
{
	long fs, fsc, ts, tsc;
	char f = type_class(from, &fs, &fsc), t = type_class(to, &ts, &tsc);

	if (!strcasecmp(from, to))
		return 0;
	if (t == 't')
		return ts >= 0 && (f != 't' || fs < 0 || ts < fs);
	if (f == 'i' && t == 'i')
		return ts < fs;
	if (f == 'i' && (t == 'f' || t == 'n'))
		return t == 'n' && ts >= 0 && ts - tsc < (fs == 8 ? 19 : fs == 4 ? 10 : 5);
	if (f == 'f' && t == 'f')
		return ts < fs;
	if (f == 'n' && t == 'n')
		return ts >= 0 && (fs < 0 || ts - tsc < fs - fsc || tsc < fsc);
	if (f == 'b' && (t == 'i' || t == 'n'))
		return 0;
	return 1;
}

/* ---- one table pair ------------------------------------------------------------- */

static void describe_col_change(rt_buf *b, const rt_column *a, const rt_column *c, unsigned int m)
{
	const char *sep = "";

	if (m & RT_ALTER_TYPE) {
		rt_buf_printf(b, "type %s -> %s", a->type, c->type);
		sep = ", ";
	}
	if (m & RT_ALTER_NOTNULL) {
		rt_buf_printf(b, "%s%s", sep, c->notnull ? "NULL -> NOT NULL" : "NOT NULL -> NULL");
		sep = ", ";
	}
	if (m & RT_ALTER_DEFAULT) {
		rt_buf_printf(b, "%sdefault %s -> %s", sep, a->dflt ? a->dflt : "none",
			      c->dflt ? c->dflt : "none");
		sep = ", ";
	}
	if (m & RT_ALTER_AUTOINC) {
		rt_buf_printf(b, "%s%s", sep, c->autoinc ? "auto-increment on" : "auto-increment off");
		sep = ", ";
	}
	if (m & RT_ALTER_COLLATION) {
		rt_buf_printf(b, "%scollation %s -> %s", sep, a->collation ? a->collation : "default",
			      c->collation ? c->collation : "default");
		sep = ", ";
	}
	if (m & RT_ALTER_COMMENT) {
		rt_buf_printf(b, "%scomment", sep);
		sep = ", ";
	}
	if (m & RT_ALTER_GENERATED)
		rt_buf_printf(b, "%sgenerated %s -> %s", sep, a->generated ? a->generated : "none",
			      c->generated ? c->generated : "none");
}

static unsigned int column_changes(const rt_column *a, const rt_column *b)
{
	unsigned int m = 0;

	if (strcmp(a->type, b->type))
		m |= RT_ALTER_TYPE;
	if (a->notnull != b->notnull)
		m |= RT_ALTER_NOTNULL;
	if (!str_eq(a->dflt, b->dflt))
		m |= RT_ALTER_DEFAULT;
	if (a->autoinc != b->autoinc)
		m |= RT_ALTER_AUTOINC;
	if (!str_eq(a->collation, b->collation))
		m |= RT_ALTER_COLLATION;
	if (!str_eq(a->comment, b->comment))
		m |= RT_ALTER_COMMENT;
	if (!str_eq(a->generated, b->generated) || a->gen_stored != b->gen_stored)
		m |= RT_ALTER_GENERATED;
	return m;
}

/* Is the primary key the same, columns translated? */
static int pk_same(const pair *p)
{
	const char *ka[64], *kb[64];
	size_t na = rt_table_pk(p->a, ka, 64), nb = rt_table_pk(p->b, kb, 64), i;

	if (na != nb || p->a->pk_deferrable != p->b->pk_deferrable)
		return 0;
	for (i = 0; i < na; i++)
		if (strcmp(map_col(p, ka[i]), kb[i]))
			return 0;
	return 1;
}

/* ---- the objects of a table ---------------------------------------------------- */

/* One kind of object a table holds beside its columns (unique keys,
 * checks, foreign keys, indexes), as match() pairs them: where they sit
 * in rt_table, when two are the same, and the operations a rename, drop
 * or add becomes.  Every kind's struct starts with its `char *name`. */
typedef struct kind {
	size_t count_at, items_at, size;  /* offsets in rt_table; one item's size */
	int (*same)(st *s, const pair *p, const void *a, const void *b);
	rt_op_kind rename, drop, add;
	int rename_group, drop_group, add_group;
	char what;         /* RT_OP_RENAME_CONSTRAINT's `what` */
	int rebuild;       /* any change rebuilds a table ALTER cannot change */
	/* may `xa` of table `ta` be renamed `xb`? */
	int (*may_rename)(const st *s, const rt_table *ta, const void *xa, const void *xb);
	/* may a new `xb` ride on an operation already made (from `start`)?
	 * NULL: never */
	int (*ride)(st *s, size_t start, const void *xb);
	/* an `xa` of table pair `p` paired with `xb`: what else changes in
	 * place (NULL: nothing) */
	void (*paired)(st *s, const pair *p, const void *xa, const void *xb);
} kind;

enum { K_UNIQUE, K_CHECK, K_FKEY, K_INDEX };

static size_t kind_count(const kind *k, const rt_table *t)
{
	return *(const size_t *)((const char *)t + k->count_at);
}

static const void *kind_item(const kind *k, const rt_table *t, size_t i)
{
	return *(const char *const *)((const char *)t + k->items_at) + i * k->size;
}

static const char *kind_name(const void *x)
{
	return *(char *const *)x;
}

/* Only named constraints can be renamed: an unnamed one is dropped and
 * added. */
static int constraint_may_rename(const st *s, const rt_table *ta, const void *xa,
				 const void *xb)
{
	return kind_name(xa) && kind_name(xb);
}

/* Where an index cannot be renamed, it is dropped and made again, the
 * new one after the table has its new name.  Nor is an index renamed to
 * a name the old table still uses. */
static int index_may_rename(const st *s, const rt_table *ta, const void *xa, const void *xb)
{
	return s->dialect->rename_index && !rt_table_index(ta, kind_name(xb));
}

/* Where tables are rebuilt for a new constraint, ADD COLUMN can still
 * take a REFERENCES clause: a new foreign key on just a new column
 * (without a default) goes into its ADD COLUMN. */
static int fkey_ride(st *s, size_t start, const void *xb)
{
	const rt_fkey *f = xb;
	rt_op *added = NULL;
	size_t j;

	for (j = start; s->dialect->rebuild_tables && f->cols.count == 1 && j < s->d->nops; j++) {
		rt_op *o = &s->d->ops[j];
		if (o->kind == RT_OP_ADD_COLUMN &&
		    !strcmp(((const rt_column *)o->b)->name, f->cols.items[0]) &&
		    !((const rt_column *)o->b)->dflt && !o->inline_fk)
			added = o;
	}
	if (added)
		added->inline_fk = f;
	return added != NULL;
}

static void check_paired(st *s, const pair *p, const void *xa, const void *xb)
{
	if (((const rt_check *)xa)->not_valid && !((const rt_check *)xb)->not_valid)
		add_op(s, RT_OP_VALIDATE_CONSTRAINT, G_TABLE_KEYS, p->a, p->b, xa, xb);
}

static void fkey_paired(st *s, const pair *p, const void *xa, const void *xb)
{
	const rt_fkey *a = xa, *b = xb;

	if (a->deferrable != b->deferrable)
		add_op(s, RT_OP_ALTER_FKEY, G_TABLE_KEYS, p->a, p->b, xa, xb);
	if (a->not_valid && !b->not_valid)
		add_op(s, RT_OP_VALIDATE_CONSTRAINT, G_TABLE_KEYS, p->a, p->b, xa, xb);
}

/* Storage parameters change in place (ALTER INDEX ... SET / RESET). */
static void index_paired(st *s, const pair *p, const void *xa, const void *xb)
{
	if (!rt_strlist_equal(&((const rt_index *)xa)->storage, &((const rt_index *)xb)->storage))
		add_op(s, RT_OP_ALTER_INDEX, G_TABLE_KEYS, p->a, p->b, xa, xb);
}

#define KIND(field, type) offsetof(rt_table, n##field), offsetof(rt_table, field), sizeof(type)

static const kind kinds[] = {
	[K_UNIQUE] = { KIND(uniques, rt_unique), unique_same,
		       RT_OP_RENAME_CONSTRAINT, RT_OP_DROP_UNIQUE, RT_OP_ADD_UNIQUE,
		       G_TABLE_DROPS, G_TABLE_DROPS, G_TABLE_ADDS, 'u', 1,
		       constraint_may_rename, NULL, NULL },
	[K_CHECK] = { KIND(checks, rt_check), check_same,
		      RT_OP_RENAME_CONSTRAINT, RT_OP_DROP_CHECK, RT_OP_ADD_CHECK,
		      G_TABLE_DROPS, G_TABLE_DROPS, G_TABLE_ADDS, 'c', 1,
		      constraint_may_rename, NULL, check_paired },
	[K_FKEY] = { KIND(fkeys, rt_fkey), fkey_same,
		     RT_OP_RENAME_CONSTRAINT, RT_OP_DROP_FKEY, RT_OP_ADD_FKEY,
		     G_TABLE_DROPS, G_DROP_FKEYS, G_TABLE_KEYS, 'f', 1,
		     constraint_may_rename, fkey_ride, fkey_paired },
	[K_INDEX] = { KIND(indexes, rt_index), index_same,
		      RT_OP_RENAME_INDEX, RT_OP_DROP_INDEX, RT_OP_CREATE_INDEX,
		      G_DROP_INDEXES, G_DROP_INDEXES, G_TABLE_KEYS, 0, 0,
		      index_may_rename, NULL, index_paired },
};

/* Pair the objects of kind `k` of p's two tables: the same name and
 * content first, then the same content under another name (a rename),
 * and what is left is dropped or added.  am/bm (zeroed here) mark the
 * objects of a and b already paired.  *rebuild is set when the table
 * changes in a way the kind says needs a rebuild. */
static void match(st *s, const pair *p, const kind *k, size_t start, unsigned char *am,
		  unsigned char *bm, int *rebuild)
{
	const rt_table *a = p->a, *b = p->b;
	size_t na = kind_count(k, a), nb = kind_count(k, b), i, j;
	int rename;
	rt_op *op;

	memset(am, 0, na);
	memset(bm, 0, nb);
	for (rename = 0; rename < 2; rename++)
		for (i = 0; i < na; i++)
			for (j = 0; j < nb && !am[i]; j++) {
				const void *xa = kind_item(k, a, i), *xb = kind_item(k, b, j);
				if (bm[j] ||
				    !(rename ? k->may_rename(s, a, xa, xb)
					     : str_eq(kind_name(xa), kind_name(xb))) ||
				    !k->same(s, p, xa, xb))
					continue;
				am[i] = bm[j] = 1;
				if (k->paired)
					k->paired(s, p, xa, xb);
				if (rename) {
					op = add_op(s, k->rename, k->rename_group, a, b, xa, xb);
					op->what = k->what;
					*rebuild |= k->rebuild;
				}
			}
	for (i = 0; i < na; i++)
		if (!am[i]) {
			add_op(s, k->drop, k->drop_group, a, b, kind_item(k, a, i), NULL);
			*rebuild |= k->rebuild;
		}
	for (j = 0; j < nb; j++)
		if (!bm[j] && !(k->ride && k->ride(s, start, kind_item(k, b, j)))) {
			add_op(s, k->add, k->add_group, a, b, NULL, kind_item(k, b, j));
			*rebuild |= k->rebuild;
		}
}

/* A partition that leaves its parent, joins one or changes its bound:
 * DETACH before tables are dropped and renamed (a parent that goes would
 * take it along) but after the parent's indexes are (a detached table
 * keeps its copies of the parent's keys and indexes: the copy of a
 * dropped one would stay), ATTACH once the parent is there. */
static void partition_ops(st *s, const pair *p)
{
	const rt_table *a = p->a, *b = p->b;
	const char *parent = a->partition_of ? map_table(s, a->partition_of) : NULL;

	if (str_eq(parent, b->partition_of) && str_eq(a->partition_bound, b->partition_bound))
		return;
	if (parent)
		add_op(s, RT_OP_DETACH_PARTITION, G_DROP_TABLES, a, b, NULL, NULL);
	if (parent && !b->partition_of)
		hint(s, "table '%s' leaves partitioned table '%s' and keeps its copies of the "
		     "keys and indexes of '%s': a key of its own in the schema may clash with "
		     "them", b->name, parent, parent);
	if (b->partition_of)
		add_op(s, RT_OP_ATTACH_PARTITION, G_TABLE_KEYS, a, b, NULL, NULL);
}

/* The operations of one table pair.  Returns 0 or an error. */
static int diff_pair(st *s, pair *p)
{
	const rt_table *a = p->a, *b = p->b;
	size_t start = s->d->nops, i, k;
	unsigned char *am = NULL, *bm = NULL;
	size_t nmax = 1;
	int rebuild = 0, rc = 0;
	rt_op *op;

	nmax += a->nuniques + a->nfkeys + a->nchecks + a->nindexes + b->nuniques + b->nfkeys +
		b->nchecks + b->nindexes + a->ncols + b->ncols;
	am = calloc(nmax, 1);
	bm = calloc(nmax, 1);
	if (!am || !bm) {
		rc = rt_error(s->err, RETORT_ERROR, "out of memory");
		goto done;
	}
	for (i = 0; !s->dialect->rebuild_tables && i < b->ncols; i++) {
		const rt_column *ca = p->src[i] ? rt_table_column(a, p->src[i]) : NULL;
		if (ca && (column_changes(ca, &b->cols[i]) & RT_ALTER_GENERATED) &&
		    rt_strlist_add(&p->regen, b->cols[i].name) < 0)
			s->oom = 1;
	}

	/* primary key */
	if (!pk_same(p)) {
		add_op(s, RT_OP_DROP_PK, G_TABLE_DROPS, a, b, NULL, NULL);
		add_op(s, RT_OP_ADD_PK, G_TABLE_ADDS, a, b, NULL, NULL);
		rebuild = 1;
		p->touched = 1;
	} else if (!str_eq(a->pk_name, b->pk_name) && a->pk_name && b->pk_name) {
		op = add_op(s, RT_OP_RENAME_CONSTRAINT, G_TABLE_DROPS, a, b, NULL, NULL);
		op->what = 'p';
		rebuild = 1;
	}

	match(s, p, &kinds[K_UNIQUE], start, am, bm, &rebuild);
	match(s, p, &kinds[K_CHECK], start, am, bm, &rebuild);

	/* columns (a partition's are its parent's) */
	for (i = 0; i < b->ncols && !(a->partition_of && b->partition_of); i++) {
		const rt_column *cb = &b->cols[i];
		const rt_column *ca = p->src[i] ? rt_table_column(a, p->src[i]) : NULL;
		unsigned int m;
		if (ca && strcmp(ca->name, cb->name)) {
			add_op(s, RT_OP_RENAME_COLUMN, G_TABLE_DROPS, a, b, ca, cb);
			p->touched = 1;
		}
		if (!ca)
			continue;
		m = column_changes(ca, cb);
		if (!m)
			continue;
		if (rt_strlist_has(&p->regen, cb->name)) {
			/* no ALTER makes a column generated or changes its
			 * expression: drop it (by its new name) and add it */
			op = add_op(s, RT_OP_DROP_COLUMN, G_TABLE_DROPS, a, b, cb, NULL);
			if (!ca->generated)
				warn(s, op, "drops column '%s.%s' and its data to make it a generated "
				     "column", b->name, cb->name);
			add_op(s, RT_OP_ADD_COLUMN, G_TABLE_ADDS, a, b, NULL, cb);
			p->touched = 1;
			continue;
		}
		op = add_op(s, RT_OP_ALTER_COLUMN, G_TABLE_ADDS, a, b, ca, cb);
		op->alter = m;
		if ((m & RT_ALTER_TYPE) && rt_type_narrows(ca->type, cb->type))
			warn(s, op, "column '%s.%s' changes type from %s to %s: values may be cut "
			     "or rejected", b->name, cb->name, ca->type, cb->type);
		if (m & (RT_ALTER_TYPE | RT_ALTER_COLLATION))
			p->touched = 1;
		if (m & ~RT_ALTER_COMMENT)
			rebuild = 1;
	}
	for (i = 0; i < a->ncols && !(a->partition_of && b->partition_of); i++) {
		const rt_column *ca = &a->cols[i];
		if (p->dst[i])
			continue;
		op = add_op(s, RT_OP_DROP_COLUMN, G_TABLE_DROPS, a, b, ca, NULL);
		warn(s, op, "drops column '%s.%s' and its data", a->name, ca->name);
		p->touched = 1;
		if (s->dialect->rebuild_tables && !s->dialect->drop_column_in_place(s->A, a, ca))
			rebuild = 1;
	}
	for (i = 0; i < b->ncols && !(a->partition_of && b->partition_of); i++) {
		const rt_column *cb = &b->cols[i];
		if (p->src[i])
			continue;
		add_op(s, RT_OP_ADD_COLUMN, G_TABLE_ADDS, a, b, NULL, cb);
		if (s->dialect->rebuild_tables && !s->dialect->add_column_in_place(cb))
			rebuild = 1;
	}
	/* may a dropped column be a renamed one? */
	for (i = 0; i < a->ncols; i++) {
		if (p->dst[i])
			continue;
		for (k = 0; k < b->ncols; k++)
			if (!p->src[k] && !strcasecmp(a->cols[i].type, b->cols[k].type)) {
				hint(s, "column '%s.%s' is dropped and '%s.%s' added, both %s: if it "
				     "is a rename, pass --rename %s.%s:%s", a->name, a->cols[i].name,
				     b->name, b->cols[k].name, b->cols[k].type, b->name,
				     a->cols[i].name, b->cols[k].name);
				break;
			}
	}

	/* after the columns: a new foreign key may go inline with its column */
	match(s, p, &kinds[K_FKEY], start, am, bm, &rebuild);
	match(s, p, &kinds[K_INDEX], start, am, bm, &rebuild);

	if (!str_eq(a->comment, b->comment))
		add_op(s, RT_OP_TABLE_COMMENT, G_TABLE_ADDS, a, b, NULL, NULL);
	if (!str_eq(a->options, b->options))
		rebuild = 1;
	if (a->unlogged != b->unlogged || !rt_strlist_equal(&a->storage, &b->storage) ||
	    column_options_differ(a, b))
		add_op(s, RT_OP_TABLE_OPTIONS, G_TABLE_ADDS, a, b, NULL, NULL);
	partition_ops(s, p);

	/* one rebuild instead of what ALTER TABLE cannot do */
	if (s->dialect->rebuild_tables && rebuild && !s->oom) {
		rt_buf detail = RT_BUF_INIT, warning = RT_BUF_INIT;
		for (i = start; i < s->d->nops; i++) {
			rt_op *o = &s->d->ops[i];
			if (o->kind == RT_OP_CREATE_INDEX || o->kind == RT_OP_DROP_INDEX ||
			    o->kind == RT_OP_RENAME_INDEX)
				continue;
			if (detail.len)
				rt_buf_puts(&detail, "; ");
			rt_op_describe(&detail, o);
			if (o->warning)
				rt_buf_printf(&warning, "%s%s", warning.len ? "\n" : "", o->warning);
		}
		for (i = start; i < s->d->nops; i++)
			op_release(&s->d->ops[i]);
		s->d->nops = start;
		op = add_op(s, RT_OP_REBUILD_TABLE, G_TABLE_ADDS, a, b, NULL, NULL);
		op->detail = rt_buf_detach(&detail);
		op->warning = warning.len ? rt_buf_detach(&warning) : NULL;
		rt_buf_release(&warning);
		op->src = calloc(b->ncols ? b->ncols : 1, sizeof(*op->src));
		if (!op->src || !op->detail)
			s->oom = 1;
		for (i = 0; op->src && i < b->ncols; i++)
			op->src[i] = p->src[i];
		p->rebuild = 1;
		p->touched = 1;
	}
done:
	free(am);
	free(bm);
	rt_strlist_release(&p->regen);
	return rc;
}

/* ---- tables, views, triggers, enums ------------------------------------------- */

/* Which tables of a schema reference which: through a foreign key (to
 * another table) or as a partition of its parent, which it comes after
 * and goes before.  Found once, by name through a sorted array, instead
 * of by comparing every pair of tables on every pass of create_tables
 * and drop_tables over them (3,000 tables took a minute).  For table i,
 * the tables it references are at[start[i]] .. at[start[i + 1] - 1]
 * (or, made with `reverse`, those that reference it). */
typedef struct refs {
	size_t *start, *at;
} refs;

typedef struct named {
	const char *name;
	size_t i;
} named;

static int by_named(const void *a, const void *b)
{
	return strcmp(((const named *)a)->name, ((const named *)b)->name);
}

/* Call `fn` with each pair (i, k) where table i references table k. */
static void each_ref(const rt_schema *s, const named *byname,
		     void (*fn)(refs *, size_t, size_t, int), refs *r, int reverse)
{
	size_t i, k;

	for (i = 0; i < s->ntables; i++) {
		const rt_table *t = &s->tables[i];
		for (k = 0; k <= t->nfkeys; k++) {
			const char *to = k < t->nfkeys ? t->fkeys[k].ref_table : t->partition_of;
			named key, *hit;
			if (!to || (k < t->nfkeys && !strcmp(to, t->name)))
				continue;
			key.name = to;
			hit = bsearch(&key, byname, s->ntables, sizeof(*byname), by_named);
			if (hit && hit->i != i)
				fn(r, i, hit->i, reverse);
		}
	}
}

static void count_ref(refs *r, size_t i, size_t k, int reverse)
{
	r->start[(reverse ? k : i) + 1]++;
}

static void put_ref(refs *r, size_t i, size_t k, int reverse)
{
	r->at[r->start[reverse ? k : i]++] = reverse ? i : k;
}

static int refs_make(refs *r, const rt_schema *s, int reverse)
{
	size_t n = s->ntables, i;
	named *byname = calloc(n ? n : 1, sizeof(*byname));

	r->at = NULL;
	r->start = calloc(n + 1, sizeof(*r->start));
	if (!byname || !r->start) {
		free(byname);
		free(r->start);
		r->start = NULL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		byname[i].name = s->tables[i].name;
		byname[i].i = i;
	}
	qsort(byname, n, sizeof(*byname), by_named);
	each_ref(s, byname, count_ref, r, reverse);
	for (i = 0; i < n; i++)
		r->start[i + 1] += r->start[i];
	if (!(r->at = calloc(r->start[n] ? r->start[n] : 1, sizeof(*r->at)))) {
		free(byname);
		free(r->start);
		r->start = NULL;
		return -1;
	}
	/* put_ref moves each start to the next one's; shift them back */
	each_ref(s, byname, put_ref, r, reverse);
	for (i = n; i > 0; i--)
		r->start[i] = r->start[i - 1];
	r->start[0] = 0;
	free(byname);
	return 0;
}

static void refs_release(refs *r)
{
	free(r->start);
	free(r->at);
}

/* Is any table of `r`'s list for table i not done yet? */
static int refs_pending(const refs *r, const unsigned char *done, size_t i)
{
	size_t j;

	for (j = r->start[i]; j < r->start[i + 1]; j++)
		if (!done[r->at[j]])
			return 1;
	return 0;
}

/* A partition dropped from a parent that stays is detached first: a
 * foreign key to the parent refuses a plain DROP TABLE. */
static void detach_dropped(st *s, const rt_table *t)
{
	const rt_table *parent = t->partition_of ? rt_schema_table(s->A, t->partition_of) : NULL;

	if (parent && s->a_pair[parent - s->A->tables])
		add_op(s, RT_OP_DETACH_PARTITION, G_DROP_TABLES, t, NULL, NULL, NULL);
}

static void drop_tables(st *s)
{
	size_t n = s->A->ntables, i, k, left = 0;
	unsigned char *done = calloc(n ? n : 1, 1);
	refs by = { 0 };
	rt_op *op;

	if (!done || refs_make(&by, s->A, 1) < 0) {
		free(done);
		s->oom = 1;
		return;
	}
	for (i = 0; i < n; i++)
		if (!s->a_pair[i])
			left++;
		else
			done[i] = 1;
	while (left) {
		int progress = 0;
		/* a table no remaining dropped table references */
		for (i = 0; i < n; i++) {
			if (done[i] || refs_pending(&by, done, i))
				continue;
			detach_dropped(s, &s->A->tables[i]);
			op = add_op(s, RT_OP_DROP_TABLE, G_DROP_TABLES, &s->A->tables[i], NULL, NULL,
				    NULL);
			warn(s, op, "drops table '%s' and its rows", s->A->tables[i].name);
			done[i] = 1;
			left--;
			progress = 1;
		}
		if (progress)
			continue;
		/* a cycle: drop the foreign keys inside it first (where ALTER
		 * TABLE can; else they go with their tables) */
		for (i = 0; i < n; i++) {
			const rt_table *t = &s->A->tables[i];
			if (done[i])
				continue;
			for (k = 0; k < t->nfkeys; k++) {
				const rt_table *r = rt_schema_table(s->A, t->fkeys[k].ref_table);
				if (r && r != t && !done[r - s->A->tables] &&
				    !s->dialect->rebuild_tables)
					add_op(s, RT_OP_DROP_FKEY, G_DROP_FKEYS, t, NULL, &t->fkeys[k],
					       NULL);
			}
			op = add_op(s, RT_OP_DROP_TABLE, G_DROP_TABLES, t, NULL, NULL, NULL);
			warn(s, op, "drops table '%s' and its rows", t->name);
			done[i] = 1;
			left--;
		}
	}
	refs_release(&by);
	free(done);
}

/* NOT VALID constraints are added after their CREATE TABLE (which
 * would validate them); so are the options of its columns. */
static void add_not_valid(st *s, const rt_table *t)
{
	size_t k;

	if (column_options_differ(NULL, t))
		add_op(s, RT_OP_TABLE_OPTIONS, G_TABLE_KEYS, NULL, t, NULL, NULL);

	for (k = 0; k < t->nchecks; k++)
		if (t->checks[k].not_valid)
			add_op(s, RT_OP_ADD_CHECK, G_TABLE_KEYS, NULL, t, NULL, &t->checks[k]);
	for (k = 0; k < t->nfkeys; k++)
		if (t->fkeys[k].not_valid)
			add_op(s, RT_OP_ADD_FKEY, G_TABLE_KEYS, NULL, t, NULL, &t->fkeys[k]);
}

static void create_tables(st *s)
{
	size_t n = s->B->ntables, i, k, left = 0;
	unsigned char *done = calloc(n ? n : 1, 1);
	refs to = { 0 };
	rt_op *op;

	if (!done || refs_make(&to, s->B, 0) < 0) {
		free(done);
		s->oom = 1;
		return;
	}
	for (i = 0; i < n; i++)
		if (!s->b_pair[i])
			left++;
		else
			done[i] = 1;
	while (left) {
		int progress = 0;
		for (i = 0; i < n; i++) {
			const rt_table *t = &s->B->tables[i];
			if (done[i] || refs_pending(&to, done, i))
				continue;
			add_op(s, RT_OP_CREATE_TABLE, G_CREATE_TABLES, NULL, t, NULL, t);
			add_not_valid(s, t);
			done[i] = 1;
			left--;
			progress = 1;
		}
		if (progress)
			continue;
		/* a cycle: create the first table, its foreign keys to tables
		 * still to come follow; where ALTER TABLE cannot add them they
		 * stay in the CREATE TABLE (such a database checks a reference
		 * only when rows are written) */
		for (i = 0; i < n && done[i]; i++)
			;
		op = add_op(s, RT_OP_CREATE_TABLE, G_CREATE_TABLES, NULL, &s->B->tables[i], NULL,
			    &s->B->tables[i]);
		if (!s->dialect->rebuild_tables) {
			const rt_table *t = &s->B->tables[i];
			op->skip_fks = calloc(t->nfkeys ? t->nfkeys : 1, sizeof(*op->skip_fks));
			if (!op->skip_fks)
				s->oom = 1;
			for (k = 0; op->skip_fks && k < t->nfkeys; k++) {
				const rt_table *r = rt_schema_table(s->B, t->fkeys[k].ref_table);
				if (r && r != t && !done[r - s->B->tables] && !t->fkeys[k].not_valid) {
					op->skip_fks[op->nskip++] = &t->fkeys[k];
					add_op(s, RT_OP_ADD_FKEY, G_TABLE_KEYS, NULL, t, NULL,
					       &t->fkeys[k]);
				}
			}
		}
		add_not_valid(s, &s->B->tables[i]);
		done[i] = 1;
		left--;
	}
	for (i = 0; i < n; i++) {
		const rt_table *t = &s->B->tables[i];
		if (s->b_pair[i])
			continue;
		for (k = 0; k < t->nindexes; k++)
			add_op(s, RT_OP_CREATE_INDEX, G_TABLE_KEYS, NULL, t, NULL, &t->indexes[k]);
	}
	/* may a dropped table be a renamed one? */
	for (i = 0; i < n; i++) {
		const rt_table *t = &s->B->tables[i];
		if (s->b_pair[i])
			continue;
		for (k = 0; k < s->A->ntables; k++) {
			const rt_table *o = &s->A->tables[k];
			size_t c;
			/* (not a table made again, which has its name on both sides) */
			int same = !s->a_pair[k] && o->ncols == t->ncols &&
				   !rt_schema_table(s->B, o->name) && !rt_schema_table(s->A, t->name);
			for (c = 0; same && c < t->ncols; c++) {
				const rt_column *x = rt_table_column(o, t->cols[c].name);
				same = x && !strcasecmp(x->type, t->cols[c].type);
			}
			if (same) {
				hint(s, "table '%s' is dropped and '%s' added with the same columns: if "
				     "it is a rename, pass --rename %s:%s", o->name, t->name, o->name,
				     t->name);
				break;
			}
		}
	}
	refs_release(&to);
	free(done);
}

/* Is index key `key` the bare column `col` (perhaps with ASC, DESC or
 * COLLATE after it), not an expression? */
static int key_is_column(const char *key, const char *col)
{
	size_t len = strlen(key), next;
	rt_tok t, u;

	next = rt_sql_token(key, len, 0, &t);
	rt_sql_token(key, len, next, &u);
	if (u.kind != RT_TOK_END && u.kind != RT_TOK_WORD)
		return 0;
	if (t.kind == RT_TOK_WORD)
		return t.len == strlen(col) && !strncasecmp(key + t.off, col, t.len);
	return t.kind == RT_TOK_QUOTED && t.len == strlen(col) + 2 &&
	       !strncmp(key + t.off + 1, col, t.len - 2);
}

/* Does unique index `x` make the columns `cols` unique, so that a
 * foreign key may reference them? */
static int index_backs(const rt_index *x, const rt_strlist *cols)
{
	size_t i, k;

	if (!x->unique || x->where || x->keys.count != cols->count)
		return 0;
	for (i = 0; i < cols->count; i++) {
		int found = 0;
		for (k = 0; k < x->keys.count && !found; k++)
			found = key_is_column(x->keys.items[k], cols->items[i]);
		if (!found)
			return 0;
	}
	return 1;
}

/* Is the key foreign key `f` references made unique by an index this
 * diff creates (not a primary key or UNIQUE constraint, which come with
 * their table)? */
static int needs_new_index(const st *s, const rt_fkey *f)
{
	size_t i;

	for (i = 0; i < s->d->nops; i++) {
		const rt_op *o = &s->d->ops[i];
		if (o->kind == RT_OP_CREATE_INDEX && !strcmp(o->tb->name, f->ref_table) &&
		    index_backs(o->b, &f->ref_cols))
			return 1;
	}
	return 0;
}

/* Does UNIQUE constraint `u` make exactly the columns `cols` unique? */
static int unique_backs(const rt_unique *u, const rt_strlist *cols)
{
	size_t i;

	if (u->cols.count != cols->count)
		return 0;
	for (i = 0; i < cols->count; i++)
		if (!rt_strlist_has(&u->cols, cols->items[i]))
			return 0;
	return 1;
}

/* Is an operation of the diff already about foreign key `f` of A? */
static int fkey_has_op(const st *s, const rt_fkey *f)
{
	size_t i;

	for (i = 0; i < s->d->nops; i++)
		if (s->d->ops[i].a == f)
			return 1;
	return 0;
}

/* The database may refuse to drop a unique index or UNIQUE constraint
 * that a foreign key depends on (PostgreSQL: "cannot drop index ...
 * because other objects depend on it"), as when a model turns one into
 * the other.  A key that stays, referencing one that goes, is dropped
 * before it and added again among the keys that wait for new indexes,
 * when what replaces it exists.  (Where tables are rebuilt, nothing
 * depends on an index.) */
static void fkeys_around_key_drops(st *s)
{
	size_t n = s->d->nops, i, j, k, m;

	if (s->dialect->rebuild_tables)
		return;
	for (i = 0; i < n; i++) {
		rt_op_kind what = s->d->ops[i].kind;
		const void *gone = s->d->ops[i].a;
		const rt_table *x = s->d->ops[i].ta;
		if (what != RT_OP_DROP_INDEX && what != RT_OP_DROP_UNIQUE)
			continue;
		for (j = 0; j < s->A->ntables; j++) {
			const rt_table *t = &s->A->tables[j];
			const pair *p = s->a_pair[j];
			for (k = 0; p && k < t->nfkeys; k++) {
				const rt_fkey *f = &t->fkeys[k], *g = NULL;
				if (strcmp(f->ref_table, x->name) || fkey_has_op(s, f) ||
				    !(what == RT_OP_DROP_INDEX ? index_backs(gone, &f->ref_cols)
							       : unique_backs(gone, &f->ref_cols)))
					continue;
				for (m = 0; m < p->b->nfkeys && !g; m++)
					if (str_eq(f->name, p->b->fkeys[m].name) &&
					    fkey_same(s, p, f, &p->b->fkeys[m]))
						g = &p->b->fkeys[m];
				if (!g)
					continue;
				add_op(s, RT_OP_DROP_FKEY, G_DROP_FKEYS, t, p->b, f, NULL);
				add_op(s, RT_OP_ADD_FKEY, G_INDEX_FKEYS, t, p->b, NULL, g);
			}
		}
	}
}

/* A foreign key needs its referenced key unique when it is made: where
 * a CREATE UNIQUE INDEX of this diff is what makes it so, the key is
 * added after the index (ALTER TABLE ADD CONSTRAINT), not inside its
 * CREATE TABLE, and a new foreign key of a kept table waits for it too.
 * Where tables are rebuilt (SQLite), a foreign key stays in its CREATE
 * TABLE: such a database checks the parent key only when rows are
 * written, and the migration writes none before its indexes exist. */
static void fkeys_after_indexes(st *s)
{
	size_t n = s->d->nops, i, k;

	if (s->dialect->rebuild_tables)
		return;
	for (i = 0; i < n; i++) {
		rt_op *op = &s->d->ops[i];
		const rt_table *t = op->tb;
		if (op->kind == RT_OP_ADD_FKEY && op->group == G_TABLE_KEYS) {
			if (needs_new_index(s, op->b))
				op->group = G_INDEX_FKEYS;
			continue;
		}
		if (op->kind != RT_OP_CREATE_TABLE)
			continue;
		for (k = 0; k < t->nfkeys; k++) {
			const rt_fkey *f = &t->fkeys[k];
			size_t j;
			int skipped = 0;
			for (j = 0; j < op->nskip; j++)
				skipped |= op->skip_fks[j] == f;
			/* (a NOT VALID one has its ADD_FKEY already: add_not_valid) */
			if (skipped || f->not_valid || !needs_new_index(s, f))
				continue;
			if (!op->skip_fks &&
			    !(op->skip_fks = calloc(t->nfkeys, sizeof(*op->skip_fks)))) {
				s->oom = 1;
				return;
			}
			op->skip_fks[op->nskip++] = f;
			add_op(s, RT_OP_ADD_FKEY, G_INDEX_FKEYS, NULL, t, NULL, f);
			op = &s->d->ops[i]; /* add_op may have moved the list */
		}
	}
}

/* Names whose views and triggers must be re-created: tables dropped,
 * renamed, rebuilt or with columns dropped, renamed or retyped, and
 * virtual tables dropped or made again. */
static int touched_name(const st *s, const char *text)
{
	size_t i;

	for (i = 0; i < s->A->nvtables; i++) {
		const rt_view *v = &s->A->vtables[i], *w = rt_schema_vtable(s->B, v->name);
		if ((!w || strcmp(v->def, w->def)) && rt_sql_mentions(text, v->name))
			return 1;
	}

	for (i = 0; i < s->A->ntables; i++) {
		const pair *p = s->a_pair[i];
		if ((!p || p->touched || strcmp(p->a->name, p->b->name)) &&
		    rt_sql_mentions(text, s->A->tables[i].name))
			return 1;
	}
	return 0;
}

static int trigger_touched(const st *s, const rt_trigger *tr)
{
	const rt_table *t = rt_schema_table(s->A, tr->table);
	const pair *p = t ? s->a_pair[t - s->A->tables] : NULL;

	if (!t && rt_schema_view(s->A, tr->table)) /* (its view is looked at apart) */
		return touched_name(s, tr->sql);
	return !p || p->touched || strcmp(p->a->name, p->b->name) || touched_name(s, tr->sql);
}

/* The name of function `o` without its argument types (caller frees). */
static char *function_name(const rt_object *o)
{
	const char *paren = strrchr(o->name, '(');

	return rt_strndup(o->name, paren ? (size_t)(paren - o->name) : strlen(o->name));
}

/* Is function `a` of A dropped, or dropped and made again (what CREATE
 * OR REPLACE cannot change does)? */
static int function_goes(const st *s, const rt_object *a)
{
	const rt_object *b = rt_schema_object(s->B, RT_OBJ_FUNCTION, a->name);

	return !b || !str_eq(a->result, b->result);
}

/* Does `text` (a trigger or view) call a function that goes? */
static int calls_gone_function(st *s, const char *text)
{
	size_t i;
	int found = 0;

	for (i = 0; i < s->A->nobjects && !found; i++) {
		const rt_object *o = &s->A->objects[i];
		char *name;
		if (o->kind != RT_OBJ_FUNCTION || !function_goes(s, o))
			continue;
		if (!(name = function_name(o))) {
			s->oom = 1;
			break;
		}
		found = rt_sql_mentions(text, name);
		free(name);
	}
	return found;
}

/* The comment of a view or trigger that stays changes. */
static void comment_op(st *s, char what, const void *a, const void *b)
{
	rt_op *op = add_op(s, RT_OP_COMMENT, G_CREATE_VIEWS, NULL, NULL, a, b);

	op->what = what;
	op->key = (size_t)-1; /* after the views */
}

/* Must trigger `t` of A be dropped (and made again when B has it)?
 * `drop` marks the views of A that are dropped. */
static int trigger_goes(st *s, const rt_trigger *t, const unsigned char *drop)
{
	const rt_trigger *u = rt_schema_trigger(s->B, t->name, map_table(s, t->table));
	const rt_view *on = rt_schema_view(s->A, t->table);

	return !u || !str_eq(t->sql, u->sql) || trigger_touched(s, t) ||
	       (on && drop[on - s->A->views]) || calls_gone_function(s, t->sql);
}

static void views_and_triggers(st *s)
{
	size_t na = s->A->nviews, nb = s->B->nviews, i, k, left;
	unsigned char *drop = calloc(na ? na : 1, 1), *create = calloc(nb ? nb : 1, 1);
	int changed = 1;

	if (!drop || !create) {
		s->oom = 1;
		goto done;
	}
	for (i = 0; i < na; i++) {
		const rt_view *v = &s->A->views[i], *w = rt_schema_view(s->B, v->name);
		drop[i] = !w || !str_eq(v->def, w->def) || v->materialized != w->materialized ||
			  touched_name(s, v->def) || calls_gone_function(s, v->def);
	}
	/* views using a dropped view go too */
	while (changed) {
		changed = 0;
		for (i = 0; i < na; i++)
			for (k = 0; k < na && !drop[i]; k++)
				if (drop[k] && k != i && rt_sql_mentions(s->A->views[i].def, s->A->views[k].name))
					drop[i] = changed = 1;
	}
	/* triggers: dropped with their table (or view), so re-created with
	 * it; and with a function they call that is dropped; first, while
	 * their table is still there */
	for (i = 0; i < s->A->ntriggers; i++)
		if (trigger_goes(s, &s->A->triggers[i], drop))
			add_op(s, RT_OP_DROP_TRIGGER, G_DROP_VIEWS, NULL, NULL, &s->A->triggers[i],
			       NULL);
	/* dependents first */
	for (left = 0, i = 0; i < na; i++)
		left += drop[i];
	while (left) {
		int progress = 0;
		for (i = 0; i < na; i++) {
			int used = 0;
			if (drop[i] != 1)
				continue;
			for (k = 0; k < na && !used; k++)
				if (k != i && drop[k] == 1 &&
				    rt_sql_mentions(s->A->views[k].def, s->A->views[i].name))
					used = 1;
			if (used)
				continue;
			add_op(s, RT_OP_DROP_VIEW, G_DROP_VIEWS, NULL, NULL, &s->A->views[i], NULL);
			drop[i] = 2;
			left--;
			progress = 1;
		}
		if (!progress)
			for (i = 0; i < na; i++)
				if (drop[i] == 1) {
					add_op(s, RT_OP_DROP_VIEW, G_DROP_VIEWS, NULL, NULL,
					       &s->A->views[i], NULL);
					drop[i] = 2;
					left--;
					break;
				}
	}
	for (i = 0; i < nb; i++) {
		const rt_view *v = s->B->views + i, *old = rt_schema_view(s->A, v->name);
		create[i] = !old || drop[old - s->A->views];
		if (!create[i] && !str_eq(old->comment, v->comment))
			comment_op(s, 'v', old, v);
	}
	/* what they use first */
	for (left = 0, i = 0; i < nb; i++)
		left += create[i];
	while (left) {
		int progress = 0;
		for (i = 0; i < nb; i++) {
			int waits = 0;
			if (create[i] != 1)
				continue;
			for (k = 0; k < nb && !waits; k++)
				if (k != i && create[k] == 1 &&
				    rt_sql_mentions(s->B->views[i].def, s->B->views[k].name))
					waits = 1;
			if (waits)
				continue;
			add_op(s, RT_OP_CREATE_VIEW, G_CREATE_VIEWS, NULL, NULL, NULL, &s->B->views[i]);
			create[i] = 2;
			left--;
			progress = 1;
		}
		if (!progress)
			for (i = 0; i < nb; i++)
				if (create[i] == 1) {
					add_op(s, RT_OP_CREATE_VIEW, G_CREATE_VIEWS, NULL, NULL, NULL,
					       &s->B->views[i]);
					create[i] = 2;
					left--;
					break;
				}
	}

	for (i = 0; i < s->B->ntriggers; i++) {
		const rt_trigger *u = &s->B->triggers[i], *t = NULL;
		/* (its table may have had another name in A) */
		for (k = 0; k < s->A->ntriggers && !t; k++)
			if (!strcmp(s->A->triggers[k].name, u->name) &&
			    !strcmp(map_table(s, s->A->triggers[k].table), u->table))
				t = &s->A->triggers[k];
		if (!t || trigger_goes(s, t, drop)) {
			rt_op *op = add_op(s, RT_OP_CREATE_TRIGGER, G_CREATE_VIEWS, NULL, NULL, NULL, u);
			op->key = (size_t)-1; /* after the views */
		} else if (!str_eq(t->comment, u->comment)) {
			comment_op(s, 't', t, u);
		}
	}
done:
	free(drop);
	free(create);
}

/* ---- virtual tables ------------------------------------------------------------- */

char *rt_vtable_content(const char *def)
{
	size_t len = strlen(def), i = 0, close = len;
	rt_tok t, eq, v;

	while ((i = rt_sql_token(def, len, i, &t)), t.kind != RT_TOK_END)
		if (t.kind == RT_TOK_PUNCT && def[t.off] == '(') {
			close = rt_sql_match_paren(def, len, t.off);
			break;
		}
	while (i < close && ((i = rt_sql_token(def, len, i, &t)), t.kind != RT_TOK_END)) {
		size_t after_eq;
		if (t.kind == RT_TOK_PUNCT && def[t.off] == '(') {
			i = rt_sql_match_paren(def, len, t.off);
			continue;
		}
		if (t.kind != RT_TOK_WORD || !rt_tok_is(def, &t, "content"))
			continue;
		after_eq = rt_sql_token(def, len, i, &eq);
		if (eq.kind != RT_TOK_PUNCT || def[eq.off] != '=')
			continue; /* a column called content */
		rt_sql_token(def, len, after_eq, &v);
		if (v.kind == RT_TOK_STRING || v.kind == RT_TOK_QUOTED || v.kind == RT_TOK_WORD)
			return rt_tok_name(def, &v);
	}
	return NULL;
}

/* One argument (def[from..to)) of a CREATE VIRTUAL TABLE: a column,
 * whose name (its first word; an R*Tree auxiliary column's follows a
 * '+') goes to `out`, or an option (it has an '='). */
static int vtable_arg(rt_strlist *out, const char *def, size_t from, size_t to)
{
	size_t i = from;
	char *name = NULL;
	rt_tok t;
	int rc = 0;

	while ((i = rt_sql_token(def, to, i, &t)), t.kind != RT_TOK_END) {
		if (t.kind == RT_TOK_PUNCT && def[t.off] == '=') {
			free(name);
			return 0;
		}
		if (t.kind == RT_TOK_PUNCT && def[t.off] == '(')
			i = rt_sql_match_paren(def, to, t.off);
		else if (!name && t.kind != RT_TOK_PUNCT && !(name = rt_tok_name(def, &t)))
			return -1;
	}
	if (name && rt_strlist_add(out, name) < 0)
		rc = -1;
	free(name);
	return rc;
}

int rt_vtable_columns(const char *def, rt_strlist *out)
{
	size_t len = strlen(def), i = 0, end, start;
	rt_tok t;
	int module = 0;

	do
		i = rt_sql_token(def, len, i, &t);
	while (t.kind != RT_TOK_END && !rt_tok_is(def, &t, "USING"));
	i = rt_sql_token(def, len, i, &t);
	if (rt_tok_is(def, &t, "fts3") || rt_tok_is(def, &t, "fts4") || rt_tok_is(def, &t, "fts5"))
		module = RT_VTABLE_TEXT;
	else if (rt_tok_is(def, &t, "rtree") || rt_tok_is(def, &t, "rtree_i32"))
		module = RT_VTABLE_RTREE;
	i = rt_sql_token(def, len, i, &t);
	if (!module || t.kind != RT_TOK_PUNCT || def[t.off] != '(')
		return 0;
	end = rt_sql_match_paren(def, len, t.off);
	if (end > i && def[end - 1] == ')')
		end--;
	start = i;
	while ((i = rt_sql_token(def, end, i, &t)), t.kind != RT_TOK_END) {
		if (t.kind == RT_TOK_PUNCT && def[t.off] == '(') {
			i = rt_sql_match_paren(def, end, t.off);
		} else if (t.kind == RT_TOK_PUNCT && def[t.off] == ',') {
			if (vtable_arg(out, def, start, t.off) < 0)
				return -1;
			start = i;
		}
	}
	return vtable_arg(out, def, start, end) < 0 ? -1 : module;
}

/* A virtual table is one object: made, dropped, or, when its statement
 * changes, made again.  One that indexes another table is filled again
 * from it; the rows of a full-text or R*Tree table that keeps its own
 * are copied over (the old one set aside under another name until the
 * new one has them: DROP_VTABLE and CREATE_VTABLE then carry both
 * statements); a contentless one, or another module's, starts empty. */
static void vtables(st *s)
{
	size_t i, k;

	for (i = 0; i < s->A->nvtables; i++) {
		const rt_view *v = &s->A->vtables[i], *w = rt_schema_vtable(s->B, v->name);
		rt_strlist cv = { 0 }, cw = { 0 };
		rt_buf lost = RT_BUF_INIT;
		char *content, *was;
		rt_op *op;
		int copy;
		if (w && !strcmp(v->def, w->def))
			continue;
		op = add_op(s, RT_OP_DROP_VTABLE, G_DROP_VTABLES, NULL, NULL, v, NULL);
		content = rt_vtable_content(w ? w->def : v->def);
		was = rt_vtable_content(v->def);
		copy = w && !content && !was && rt_vtable_columns(v->def, &cv) > 0 &&
		       rt_vtable_columns(w->def, &cw) > 0;
		for (k = 0; copy && k < cv.count; k++)
			if (!rt_strlist_has(&cw, cv.items[k]))
				rt_buf_printf(&lost, "%s'%s'", lost.len ? ", " : "", cv.items[k]);
		if (!w) {
			warn(s, op, "drops virtual table '%s' and what it holds", v->name);
		} else if (content && *content) {
			warn(s, op, "virtual table '%s' changes: it is dropped and made again, and "
			     "its index is rebuilt from the rows of '%s'", v->name, content);
		} else if (copy) {
			op->b = w;
			warn(s, op, "virtual table '%s' changes: it is made again and its rows are "
			     "copied over%s%s", v->name, lost.len ? "; lost: the values of " : "",
			     lost.len ? lost.ptr : "");
		} else {
			warn(s, op, "virtual table '%s' changes: it is dropped and made again, "
			     "empty: %s", v->name,
			     content ? "the content it indexed is lost (a contentless table keeps "
				       "no copy to rebuild it from)" : "its rows are lost");
		}
		if (rt_buf_oom(&lost))
			s->oom = 1;
		rt_buf_release(&lost);
		rt_strlist_release(&cv);
		rt_strlist_release(&cw);
		free(content);
		free(was);
	}
	for (i = 0; i < s->B->nvtables; i++) {
		const rt_view *w = &s->B->vtables[i], *v = rt_schema_vtable(s->A, w->name);
		size_t j;
		rt_op *op;
		if (v && !strcmp(v->def, w->def))
			continue;
		op = add_op(s, RT_OP_CREATE_VTABLE, G_CREATE_VTABLES, NULL, NULL, NULL, w);
		/* the rows of the one set aside, to copy */
		for (j = 0; v && j < s->d->nops; j++)
			if (s->d->ops[j].kind == RT_OP_DROP_VTABLE && s->d->ops[j].a == v &&
			    s->d->ops[j].b)
				op->a = v;
	}
}

/* Is `a` a subsequence of `b` (b only adds labels)? */
static int labels_added(const rt_strlist *a, const rt_strlist *b)
{
	size_t i = 0, k;

	for (k = 0; k < b->count && i < a->count; k++)
		if (!strcmp(a->items[i], b->items[k]))
			i++;
	return i == a->count;
}

/* Does anything of B use label `l` in an expression (a new enum value
 * cannot be used in the transaction that adds it)? */
static int label_used(const st *s, const char *l)
{
	rt_buf lit = RT_BUF_INIT;
	size_t i, k;
	int used = 0;

	rt_sql_literal(&lit, l);
	for (i = 0; i < s->B->ntables && !used; i++) {
		const rt_table *t = &s->B->tables[i];
		for (k = 0; k < t->ncols && !used; k++)
			used = t->cols[k].dflt && strstr(t->cols[k].dflt, lit.ptr);
		for (k = 0; k < t->nchecks && !used; k++)
			used = strstr(t->checks[k].expr, lit.ptr) != NULL;
		for (k = 0; k < t->nindexes && !used; k++)
			used = t->indexes[k].where && strstr(t->indexes[k].where, lit.ptr);
	}
	for (i = 0; i < s->B->nviews && !used; i++)
		used = strstr(s->B->views[i].def, lit.ptr) != NULL;
	rt_buf_release(&lit);
	return used;
}

static void enums(st *s)
{
	size_t i, k, c;

	for (i = 0; i < s->B->nenums; i++)
		if (!rt_schema_enum(s->A, s->B->enums[i].name))
			add_op(s, RT_OP_CREATE_ENUM, G_CREATE_ENUMS, NULL, NULL, NULL, &s->B->enums[i]);
	for (i = 0; i < s->A->nenums; i++) {
		const rt_enum *e = &s->A->enums[i], *f = rt_schema_enum(s->B, e->name);
		rt_op *op;
		int recreate;
		if (!f) {
			op = add_op(s, RT_OP_DROP_ENUM, G_DROP_ENUMS, NULL, NULL, e, NULL);
			op->key = KEY_DROP_ENUM;
			continue;
		}
		if (rt_strlist_equal(&e->labels, &f->labels))
			continue;
		recreate = !labels_added(&e->labels, &f->labels);
		for (k = 0; k < f->labels.count && !recreate; k++)
			recreate = !rt_strlist_has(&e->labels, f->labels.items[k]) &&
				   label_used(s, f->labels.items[k]);
		op = add_op(s, RT_OP_ALTER_ENUM, G_ALTER_ENUMS, NULL, NULL, e, f);
		if (!recreate)
			continue;
		/* every column of a kept table still of this type moves over */
		if (rt_strlist_add(&op->uses, "") < 0) /* marks "re-create" */
			s->oom = 1;
		for (k = 0; k < s->npairs; k++) {
			pair *p = &s->pairs[k];
			for (c = 0; c < p->a->ncols; c++) {
				const rt_column *ca = &p->a->cols[c], *cb;
				if (!p->dst[c] || strcmp(ca->type, e->name))
					continue;
				cb = rt_table_column(p->b, p->dst[c]);
				if (rt_strlist_add(&op->uses, p->b->name) < 0 ||
				    rt_strlist_add(&op->uses, cb->name) < 0 ||
				    rt_strlist_add(&op->uses, ca->dflt ? "1" : "0") < 0 ||
				    rt_strlist_add(&op->uses,
						   !strcmp(cb->type, e->name) && cb->dflt ? cb->dflt : "") < 0)
					s->oom = 1;
				p->touched = 1;
			}
		}
		for (k = 0; k < e->labels.count; k++)
			if (!rt_strlist_has(&f->labels, e->labels.items[k])) {
				warn(s, op, "enum type '%s' loses the value '%s': rows holding it make "
				     "the migration fail", e->name, e->labels.items[k]);
				break;
			}
	}
}

/* An extension comes before anything that may use its types and goes
 * after them; its own objects come and go with it, so they never appear
 * in a model (introspection leaves extension members out). */
static void extensions(st *s)
{
	size_t i;

	for (i = 0; i < s->B->nextensions; i++)
		if (!rt_schema_extension(s->A, s->B->extensions[i].name))
			add_op(s, RT_OP_CREATE_EXTENSION, G_CREATE_EXTENSIONS, NULL, NULL, NULL,
			       &s->B->extensions[i]);
	for (i = 0; i < s->A->nextensions; i++)
		if (!rt_schema_extension(s->B, s->A->extensions[i].name))
			warn(s, add_op(s, RT_OP_DROP_EXTENSION, G_DROP_EXTENSIONS, NULL, NULL,
				       &s->A->extensions[i], NULL),
			     "dropping extension '%s' drops its types and functions: the migration "
			     "fails while a column still uses one", s->A->extensions[i].name);
}

/* ---- domains, sequences, functions, indexes of materialized views ------------- */

/* Does function `f` of B use a view of B (2) or a table B makes in
 * this diff (1)?  A function in SQL is checked against the tables and
 * views it reads when it is made, so it waits for them: after the new
 * tables (before the views), or after the views. */
static int uses_new_relation(st *s, const rt_object *f)
{
	char *body = rt_strdup(f->def), *p;
	size_t i;
	int used = 0;

	if (!body) {
		s->oom = 1;
		return 0;
	}
	/* the body's dollar quotes are no words: "$function$SELECT ... FROM
	 * items$function$" mentions items */
	for (p = body; (p = strchr(p, '$')) != NULL; p++)
		*p = ' ';
	for (i = 0; i < s->B->nviews && !used; i++)
		used = rt_sql_mentions(body, s->B->views[i].name) ? 2 : 0;
	for (i = 0; i < s->B->ntables && !used; i++)
		used = !s->b_pair[i] && rt_sql_mentions(body, s->B->tables[i].name);
	free(body);
	return used;
}

/* A domain whose type changes is dropped and made again: the columns of
 * kept tables that are of it (by their old names: it runs after the
 * tables are renamed, before their columns are) go to the old type
 * first and come back after, and the views and triggers on their
 * tables with them.  op->uses: table, column pairs. */
static void domain_columns(st *s, rt_op *op, const rt_object *d)
{
	size_t k, c;

	for (k = 0; k < s->npairs; k++) {
		pair *p = &s->pairs[k];
		for (c = 0; c < p->a->ncols; c++) {
			if (strcmp(p->a->cols[c].type, d->name))
				continue;
			if (rt_strlist_add(&op->uses, p->b->name) < 0 ||
			    rt_strlist_add(&op->uses, p->a->cols[c].name) < 0)
				s->oom = 1;
			p->touched = 1;
		}
	}
	warn(s, op, "domain '%s' changes its type: it is dropped and made again, and %zu "
	     "column%s of it converted to %s and back", d->name, op->uses.count / 2,
	     op->uses.count == 2 ? "" : "s", d->def);
}

static void add_object_op(st *s, rt_op_kind what, const rt_object *a, const rt_object *b)
{
	const rt_object *o = b ? b : a;
	rt_op *op;
	int uses;

	if (what == RT_OP_DROP_OBJECT) {
		op = add_op(s, what, G_DROP_ENUMS, NULL, NULL, a, NULL);
		op->key = KEY_DROP_ENUM - (size_t)o->kind;
		if (o->kind == RT_OBJ_SEQUENCE)
			warn(s, op, "drops sequence '%s' and its current value", o->name);
		return;
	}
	if (o->kind == RT_OBJ_FUNCTION && (uses = uses_new_relation(s, o)) != 0) {
		op = add_op(s, what, G_CREATE_VIEWS, NULL, NULL, a, b);
		/* key 0, the views', before them; or after them, before the
		 * indexes of materialized views and the triggers */
		op->key = uses == 2 ? (size_t)-3 : 0;
	} else {
		op = add_op(s, what, G_CREATE_ENUMS, NULL, NULL, a, b);
		op->key = (size_t)o->kind;
		if (o->kind == RT_OBJ_DOMAIN && a && b && !str_eq(a->def, b->def))
			domain_columns(s, op, a);
	}
	/* views and triggers calling it are made again (calls_gone_function);
	 * a default, check or index is not */
	if (o->kind == RT_OBJ_FUNCTION && a && b && !str_eq(a->result, b->result))
		warn(s, op, "%s '%s' is dropped and made again (its arguments or result change): "
		     "a default, check or index calling it makes the migration fail",
		     rt_object_kind(o), o->name);
}

/* Before the views: what tables and views may use. */
static void objects(st *s)
{
	size_t i;

	for (i = 0; i < s->B->nobjects; i++) {
		const rt_object *b = &s->B->objects[i], *a;
		if (b->kind == RT_OBJ_MVINDEX)
			continue;
		a = rt_schema_object(s->A, b->kind, b->name);
		if (!a)
			add_object_op(s, RT_OP_CREATE_OBJECT, NULL, b);
		else if (!rt_object_equal(a, b))
			add_object_op(s, RT_OP_ALTER_OBJECT, a, b);
	}
	for (i = 0; i < s->A->nobjects; i++) {
		const rt_object *a = &s->A->objects[i];
		if (a->kind != RT_OBJ_MVINDEX && !rt_schema_object(s->B, a->kind, a->name))
			add_object_op(s, RT_OP_DROP_OBJECT, a, NULL);
	}
}

/* Is there an operation `what` (DROP_VIEW or CREATE_VIEW) on the view
 * `name`? */
static int view_op(const st *s, rt_op_kind what, const char *name)
{
	size_t i;

	for (i = 0; i < s->d->nops; i++) {
		const rt_op *o = &s->d->ops[i];
		const rt_view *v = what == RT_OP_DROP_VIEW ? o->a : o->b;
		if (o->kind == what && !strcmp(v->name, name))
			return 1;
	}
	return 0;
}

/* After the views: a materialized view made again needs its indexes
 * again; one dropped takes them along. */
static void mv_indexes(st *s)
{
	size_t i;
	rt_op *op;

	for (i = 0; i < s->B->nobjects; i++) {
		const rt_object *b = &s->B->objects[i], *a;
		if (b->kind != RT_OBJ_MVINDEX)
			continue;
		a = rt_schema_object(s->A, b->kind, b->name);
		if (a && view_op(s, RT_OP_CREATE_VIEW, b->table))
			a = NULL;
		if (a && rt_object_equal(a, b))
			continue;
		op = add_op(s, a ? RT_OP_ALTER_OBJECT : RT_OP_CREATE_OBJECT, G_CREATE_VIEWS, NULL,
			    NULL, a, b);
		op->key = (size_t)-2; /* after the views, before the triggers */
	}
	for (i = 0; i < s->A->nobjects; i++) {
		const rt_object *a = &s->A->objects[i];
		if (a->kind == RT_OBJ_MVINDEX && !rt_schema_object(s->B, a->kind, a->name) &&
		    !view_op(s, RT_OP_DROP_VIEW, a->table))
			add_op(s, RT_OP_DROP_OBJECT, G_DROP_VIEWS, NULL, NULL, a, NULL);
	}
}

/* ---- the whole diff ------------------------------------------------------------- */

static int by_order(const void *pa, const void *pb)
{
	const rt_op *a = pa, *b = pb;
	int per_table = a->group == G_TABLE_DROPS || a->group == G_TABLE_ADDS ||
			a->group == G_TABLE_KEYS || a->group == G_DROP_FKEYS ||
			a->group == G_DROP_INDEXES || a->group == G_INDEX_FKEYS;

	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	if (per_table || a->group == G_CREATE_VIEWS || a->group == G_CREATE_ENUMS ||
	    a->group == G_DROP_ENUMS) {
		if (a->key != b->key)
			return a->key < b->key ? -1 : 1;
		if (per_table && a->kind != b->kind)
			return a->kind < b->kind ? -1 : 1;
	}
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

int rt_diff_schemas(rt_diff *out, const rt_schema *from, const rt_schema *to,
		    const rt_rename *renames, size_t nrenames, int reverse, rt_buf *err)
{
	st s;
	size_t i;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	out->from = from;
	out->to = to;
	s.d = out;
	s.A = from;
	s.B = to;
	s.ren = renames;
	s.nren = nrenames;
	s.reverse = reverse;
	s.dialect = to->renderer ? to->renderer : from->renderer;
	s.err = err;
	if (!s.dialect)
		return rt_error(err, RETORT_EUSAGE, "a schema model without a dialect cannot be diffed");

	if ((rc = pair_tables(&s)) < 0)
		goto done;
	for (i = 0; i < s.npairs; i++) {
		pair *p = &s.pairs[i];
		if (strcmp(p->a->name, p->b->name))
			add_op(&s, RT_OP_RENAME_TABLE, G_RENAME_TABLES, p->a, p->b, NULL, NULL);
	}
	extensions(&s);
	enums(&s);
	for (i = 0; i < s.npairs && rc >= 0; i++)
		rc = diff_pair(&s, &s.pairs[i]);
	if (rc < 0)
		goto done;
	drop_tables(&s);
	create_tables(&s);
	fkeys_after_indexes(&s);
	fkeys_around_key_drops(&s);
	vtables(&s);
	objects(&s);
	views_and_triggers(&s);
	mv_indexes(&s);
	unmodelled(&s);
	if (s.oom) {
		rc = rt_error(err, RETORT_ERROR, "out of memory");
		goto done;
	}
	if (out->nops)
		qsort(out->ops, out->nops, sizeof(*out->ops), by_order);
done:
	op_release(&s.dummy);
	for (i = 0; i < s.npairs; i++) {
		free(s.pairs[i].src);
		free(s.pairs[i].dst);
	}
	free(s.pairs);
	free(s.a_pair);
	free(s.b_pair);
	if (rc < 0)
		rt_diff_release(out);
	return rc;
}

void rt_diff_release(rt_diff *d)
{
	size_t i;

	for (i = 0; i < d->nops; i++)
		op_release(&d->ops[i]);
	free(d->ops);
	rt_strlist_release(&d->warnings);
	memset(d, 0, sizeof(*d));
}

/* ---- descriptions ------------------------------------------------------------------ */

static void put_list(rt_buf *out, const rt_strlist *l)
{
	size_t i;

	rt_buf_putc(out, '(');
	for (i = 0; i < l->count; i++)
		rt_buf_printf(out, "%s%s", i ? ", " : "", l->items[i]);
	rt_buf_putc(out, ')');
}

/* "(a...) -> (b...)" */
static void put_change(rt_buf *out, const rt_strlist *a, const rt_strlist *b)
{
	put_list(out, a);
	rt_buf_puts(out, " -> ");
	put_list(out, b);
}

static void describe_object(rt_buf *out, const rt_op *op)
{
	const rt_object *a = op->a, *b = op->b, *o = b ? b : a;

	rt_buf_printf(out, "%s %s %s", op->kind == RT_OP_CREATE_OBJECT ? "add"
				       : op->kind == RT_OP_DROP_OBJECT ? "drop" : "change",
		      rt_object_kind(o), o->name);
	if (o->kind == RT_OBJ_MVINDEX)
		rt_buf_printf(out, " on materialized view %s", o->table);
	if (op->kind != RT_OP_ALTER_OBJECT)
		return;
	if (!str_eq(a->def, b->def) && o->kind != RT_OBJ_FUNCTION && o->kind != RT_OBJ_MVINDEX)
		rt_buf_printf(out, ": %s -> %s", a->def, b->def);
	else if (!str_eq(a->def, b->def) || !str_eq(a->result, b->result))
		rt_buf_puts(out, ": definition");
	else if (!str_eq(a->dflt, b->dflt) || a->notnull != b->notnull ||
		 !rt_strlist_equal(&a->checks, &b->checks))
		rt_buf_puts(out, ": default, NOT NULL or checks");
	else
		rt_buf_puts(out, ": comment");
}

void rt_op_describe(rt_buf *out, const rt_op *op)
{
	const rt_table *t = op->tb ? op->tb : op->ta;
	const char *tn = t ? t->name : "";

	switch (op->kind) {
	case RT_OP_DROP_VIEW:
	case RT_OP_CREATE_VIEW: {
		const rt_view *v = op->kind == RT_OP_DROP_VIEW ? op->a : op->b;
		rt_buf_printf(out, "%s %sview %s", op->kind == RT_OP_DROP_VIEW ? "drop" : "add",
			      v->materialized ? "materialized " : "", v->name);
		break;
	}
	case RT_OP_DROP_TRIGGER:
		rt_buf_printf(out, "drop trigger %s on %s", ((const rt_trigger *)op->a)->name,
			      ((const rt_trigger *)op->a)->table);
		break;
	case RT_OP_DROP_VTABLE:
		rt_buf_printf(out, "drop virtual table %s", ((const rt_view *)op->a)->name);
		break;
	case RT_OP_CREATE_VTABLE:
		rt_buf_printf(out, "add virtual table %s", ((const rt_view *)op->b)->name);
		break;
	case RT_OP_CREATE_TRIGGER:
		rt_buf_printf(out, "add trigger %s on %s", ((const rt_trigger *)op->b)->name,
			      ((const rt_trigger *)op->b)->table);
		break;
	case RT_OP_CREATE_OBJECT:
	case RT_OP_ALTER_OBJECT:
	case RT_OP_DROP_OBJECT:
		describe_object(out, op);
		break;
	case RT_OP_COMMENT:
		if (op->what == 't')
			rt_buf_printf(out, "change comment of trigger %s on %s",
				      ((const rt_trigger *)op->b)->name, ((const rt_trigger *)op->b)->table);
		else
			rt_buf_printf(out, "change comment of view %s", ((const rt_view *)op->b)->name);
		break;
	case RT_OP_DROP_FKEY:
	case RT_OP_ADD_FKEY: {
		const rt_fkey *f = op->kind == RT_OP_DROP_FKEY ? op->a : op->b;
		rt_buf_printf(out, "%s foreign key %s", op->kind == RT_OP_DROP_FKEY ? "drop" : "add",
			      op->kind == RT_OP_DROP_FKEY ? op->ta->name : tn);
		put_list(out, &f->cols);
		rt_buf_printf(out, " -> %s", f->ref_table);
		put_list(out, &f->ref_cols);
		rt_buf_puts(out, rt_deferrable_sql(f->deferrable));
		if (f->not_valid)
			rt_buf_puts(out, " NOT VALID");
		break;
	}
	case RT_OP_DROP_INDEX:
		rt_buf_printf(out, "drop index %s on %s", ((const rt_index *)op->a)->name, op->ta->name);
		break;
	case RT_OP_CREATE_INDEX: {
		const rt_index *x = op->b;
		rt_buf_printf(out, "add %sindex %s on %s ", x->unique ? "unique " : "", x->name, tn);
		put_list(out, &x->keys);
		if (x->storage.count) {
			rt_buf_puts(out, " WITH ");
			put_list(out, &x->storage);
		}
		if (x->where)
			rt_buf_printf(out, " WHERE %s", x->where);
		break;
	}
	case RT_OP_RENAME_INDEX:
		rt_buf_printf(out, "rename index %s to %s", ((const rt_index *)op->a)->name,
			      ((const rt_index *)op->b)->name);
		break;
	case RT_OP_DROP_TABLE:
		rt_buf_printf(out, "drop table %s", op->ta->name);
		break;
	case RT_OP_RENAME_TABLE:
		rt_buf_printf(out, "rename table %s to %s", op->ta->name, op->tb->name);
		break;
	case RT_OP_CREATE_TABLE:
		rt_buf_printf(out, "add table %s", op->tb->name);
		break;
	case RT_OP_CREATE_ENUM:
		rt_buf_printf(out, "add enum type %s ", ((const rt_enum *)op->b)->name);
		put_list(out, &((const rt_enum *)op->b)->labels);
		break;
	case RT_OP_ALTER_ENUM:
		rt_buf_printf(out, "change enum type %s ", ((const rt_enum *)op->a)->name);
		put_change(out, &((const rt_enum *)op->a)->labels, &((const rt_enum *)op->b)->labels);
		break;
	case RT_OP_DROP_ENUM:
		rt_buf_printf(out, "drop enum type %s", ((const rt_enum *)op->a)->name);
		break;
	case RT_OP_CREATE_EXTENSION:
		rt_buf_printf(out, "add extension %s", ((const rt_extension *)op->b)->name);
		break;
	case RT_OP_DROP_EXTENSION:
		rt_buf_printf(out, "drop extension %s", ((const rt_extension *)op->a)->name);
		break;
	case RT_OP_DROP_PK:
		rt_buf_printf(out, "drop primary key of %s", tn);
		break;
	case RT_OP_ADD_PK: {
		const char *cols[64];
		size_t n = rt_table_pk(op->tb, cols, 64), i;
		rt_buf_printf(out, "add primary key %s (", tn);
		for (i = 0; i < n; i++)
			rt_buf_printf(out, "%s%s", i ? ", " : "", cols[i]);
		rt_buf_putc(out, ')');
		rt_buf_puts(out, rt_deferrable_sql(op->tb->pk_deferrable));
		break;
	}
	case RT_OP_DROP_UNIQUE:
	case RT_OP_ADD_UNIQUE: {
		const rt_unique *u = op->kind == RT_OP_DROP_UNIQUE ? op->a : op->b;
		rt_buf_printf(out, "%s unique constraint %s%s%s ",
			      op->kind == RT_OP_DROP_UNIQUE ? "drop" : "add", u->name ? u->name : "",
			      u->name ? " on " : "on ", tn);
		put_list(out, &u->cols);
		rt_buf_puts(out, rt_deferrable_sql(u->deferrable));
		break;
	}
	case RT_OP_DROP_CHECK:
	case RT_OP_ADD_CHECK: {
		const rt_check *c = op->kind == RT_OP_DROP_CHECK ? op->a : op->b;
		rt_buf_printf(out, "%s check constraint %s%son %s: %s",
			      op->kind == RT_OP_DROP_CHECK ? "drop" : "add", c->name ? c->name : "",
			      c->name ? " " : "", tn, c->expr);
		if (c->not_valid)
			rt_buf_puts(out, " NOT VALID");
		break;
	}
	case RT_OP_RENAME_CONSTRAINT:
		if (op->what == 'p')
			rt_buf_printf(out, "rename primary key %s to %s on %s", op->ta->pk_name,
				      op->tb->pk_name, tn);
		else
			rt_buf_printf(out, "rename constraint %s to %s on %s",
				      op->what == 'u' ? ((const rt_unique *)op->a)->name
				      : op->what == 'f' ? ((const rt_fkey *)op->a)->name
				      : ((const rt_check *)op->a)->name,
				      op->what == 'u' ? ((const rt_unique *)op->b)->name
				      : op->what == 'f' ? ((const rt_fkey *)op->b)->name
				      : ((const rt_check *)op->b)->name, tn);
		break;
	case RT_OP_RENAME_COLUMN:
		rt_buf_printf(out, "rename column %s.%s to %s", tn, ((const rt_column *)op->a)->name,
			      ((const rt_column *)op->b)->name);
		break;
	case RT_OP_DROP_COLUMN:
		rt_buf_printf(out, "drop column %s.%s", tn, ((const rt_column *)op->a)->name);
		break;
	case RT_OP_ADD_COLUMN: {
		const rt_column *c = op->b;
		rt_buf_printf(out, "add column %s.%s %s%s", tn, c->name, c->type,
			      c->notnull ? " NOT NULL" : "");
		if (c->dflt)
			rt_buf_printf(out, " DEFAULT %s", c->dflt);
		if (c->generated)
			rt_buf_printf(out, " GENERATED ALWAYS AS (%s)", c->generated);
		break;
	}
	case RT_OP_ALTER_COLUMN:
		rt_buf_printf(out, "alter column %s.%s: ", tn, ((const rt_column *)op->b)->name);
		describe_col_change(out, op->a, op->b, op->alter);
		break;
	case RT_OP_REBUILD_TABLE:
		rt_buf_printf(out, "rebuild table %s (%s)", tn, op->detail ? op->detail : "");
		break;
	case RT_OP_TABLE_COMMENT:
		rt_buf_printf(out, "change comment of table %s", tn);
		break;
	case RT_OP_VALIDATE_CONSTRAINT:
		rt_buf_printf(out, "validate constraint %s on %s", *(char *const *)op->b, tn);
		break;
	case RT_OP_TABLE_OPTIONS:
		rt_buf_printf(out, "change storage of table %s:", tn);
		if (op->ta && op->ta->unlogged != op->tb->unlogged)
			rt_buf_puts(out, op->tb->unlogged ? " UNLOGGED" : " LOGGED");
		if (op->ta && !rt_strlist_equal(&op->ta->storage, &op->tb->storage)) {
			rt_buf_puts(out, " WITH ");
			put_change(out, &op->ta->storage, &op->tb->storage);
		}
		if (column_options_differ(op->ta, op->tb))
			rt_buf_puts(out, " column options");
		break;
	case RT_OP_ALTER_INDEX:
		rt_buf_printf(out, "change storage of index %s: ", ((const rt_index *)op->b)->name);
		put_change(out, &((const rt_index *)op->a)->storage, &((const rt_index *)op->b)->storage);
		break;
	case RT_OP_DETACH_PARTITION:
		rt_buf_printf(out, "detach partition %s from %s", op->ta->name, op->ta->partition_of);
		break;
	case RT_OP_ATTACH_PARTITION:
		rt_buf_printf(out, "attach partition %s to %s %s", tn, op->tb->partition_of,
			      op->tb->partition_bound ? op->tb->partition_bound : "");
		break;
	case RT_OP_ALTER_FKEY: {
		const rt_fkey *b = op->b;
		rt_buf_printf(out, "alter foreign key %s on %s: %s", b->name ? b->name : "", tn,
			      b->deferrable ? rt_deferrable_sql(b->deferrable) + 1 : "NOT DEFERRABLE");
		break;
	}
	}
}
