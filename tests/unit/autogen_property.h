/*
 * autogen_property.h - the property test of autogenerate: the random
 * schema pairs, their SQL and the checks.  test_autogen_property.c
 * (SQLite) and test_autogen_property_pg.c (PostgreSQL, PROP_PG defined)
 * run the test of one dialect below; test_autogen_dialects_pg.c
 * (PROP_DIALECTS defined) renders each pair for both dialects and runs its
 * own pair with the generator and the checks of this file.
 *
 * For each seed: a random schema A (tables, columns of varied types,
 * defaults, NOT NULL, keys, indexes, unique and check constraints, foreign
 * keys, views; enum types and comments on PostgreSQL, triggers and
 * WITHOUT ROWID on SQLite; and on PostgreSQL alone, from gen_pg_objects:
 * materialized views and their indexes, triggers, a function, a
 * procedure, a standalone sequence and a domain, with comments) and a schema B made from A by random changes,
 * renames among them.  Then, through the public API as a user would:
 *
 *   autogenerate from an empty database to A, upgrade, insert rows;
 *   autogenerate from A to B (with the renames), upgrade:
 *     the database's schema equals B, `check` is clean, and the rows of
 *     every column A and B share are still there;
 *   `schema dump` loads into B again, and dumping that gives the same text;
 *   downgrade -1: the schema equals A and those rows are still there.
 *
 * RETORT_PROPERTY_PAIRS (else RETORT_PROPERTY_PAIRS_DEFAULT, which
 * tests/CMakeLists.txt sets per build, else 100) pairs are run with seeds
 * from RETORT_PROPERTY_BASE (default 1); RETORT_PROPERTY_SEED replays one
 * seed.
 * A failing seed is printed with both schemas and the generated SQL.
 */
#include <dirent.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt_test.h"
#include "diff.h"
#include "driver.h"

/* ---- randomness --------------------------------------------------------- */

static unsigned long long rng_state;

static unsigned int rnd(unsigned int n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? (unsigned int)(rng_state % n) : 0;
}

static int chance(unsigned int percent)
{
	return rnd(100) < percent;
}

/* ---- the dialects ----------------------------------------------------------- */

/*
 * The test of one dialect generates all that dialect models (gen_pg says
 * which); the cross-dialect test (gen_both) only what both model, the
 * rules of SQLite's side applying (its key is the rowid, AUTOINCREMENT
 * only there), and renders each schema twice, switching gen_pg.  A branch
 * on gen_pg keeps its place in the random sequence, so a seed of the
 * one-dialect tests gives the schemas it always gave.
 */
static int gen_pg;
static int gen_both;

/* ---- the generated schemas ------------------------------------------------ */

#define MAXT 6
#define MAXC 8
#define NAMELEN 24

typedef struct gtype {
	const char *sql;
	/* i int, t text, r real, n numeric, b bool, d date, T timestamp,
	 * x blob, e enum: a change within a family keeps the rows' text */
	char fam;
	const char *dflt[2];
} gtype;

static const gtype pg_types[] = {
	{ "integer", 'i', { "0", "7" } },
	{ "bigint", 'i', { "1", "5" } },
	{ "smallint", 'i', { "2", "3" } },
	{ "text", 't', { "'x'", "'hello'" } },
	{ "varchar(20)", 't', { "'yy'", "'abc'" } },
	{ "varchar(50)", 't', { "'zz'", "'long'" } },
	{ "numeric(10,2)", 'n', { "2.5", "0" } },
	{ "numeric(12,2)", 'n', { "1.5", "3" } },
	{ "boolean", 'b', { "false", "true" } },
	{ "date", 'd', { "CURRENT_DATE", "'2024-01-01'" } },
	{ "mood", 'e', { "'sad'", "'happy'" } },
};
#define PG_NTYPES 10          /* mood only when the enum exists */
#define T_MOOD 10

static const gtype sqlite_types[] = {
	{ "INTEGER", 'i', { "0", "7" } },
	{ "BIGINT", 'i', { "1", "5" } },
	{ "TEXT", 't', { "'x'", "'hello'" } },
	{ "VARCHAR(20)", 't', { "'yy'", "'abc'" } },
	{ "VARCHAR(50)", 't', { "'zz'", "'long'" } },
	{ "REAL", 'r', { "1.5", "0.25" } },
	{ "NUMERIC(10,2)", 'r', { "2.5", "0" } },
	{ "BOOLEAN", 'b', { "0", "1" } },
	{ "DATETIME", 'd', { "CURRENT_TIMESTAMP", "'2024-01-01'" } },
	{ "BLOB", 'x', { "x'00'", "x'ff'" } },
};
#define SQLITE_NTYPES 10

/* The types both model, as SQLite and PostgreSQL spell them and their
 * defaults: one generated column is rendered for either.  Index 0 is the
 * integer a SQLite key must have. */
typedef struct gtype2 {
	char fam;
	const char *sql[2];
	const char *dflt[2][2];
} gtype2;

static const gtype2 both_types[] = {
	{ 'i', { "INTEGER", "integer" }, { { "0", "7" }, { "0", "7" } } },
	{ 'i', { "BIGINT", "bigint" }, { { "1", "5" }, { "1", "5" } } },
	{ 'i', { "SMALLINT", "smallint" }, { { "2", "3" }, { "2", "3" } } },
	{ 't', { "TEXT", "text" }, { { "'x'", "'hello'" }, { "'x'", "'hello'" } } },
	{ 't', { "VARCHAR(20)", "varchar(20)" }, { { "'yy'", "'abc'" }, { "'yy'", "'abc'" } } },
	{ 't', { "VARCHAR(50)", "varchar(50)" }, { { "'zz'", "'long'" }, { "'zz'", "'long'" } } },
	{ 'r', { "REAL", "real" }, { { "1.5", "0.25" }, { "1.5", "0.25" } } },
	{ 'n', { "NUMERIC(10,2)", "numeric(10,2)" }, { { "2.5", "0" }, { "2.5", "0" } } },
	{ 'n', { "NUMERIC(12,2)", "numeric(12,2)" }, { { "1.5", "3" }, { "1.5", "3" } } },
	{ 'b', { "BOOLEAN", "boolean" }, { { "0", "1" }, { "false", "true" } } },
	{ 'd', { "DATE", "date" }, { { "CURRENT_DATE", "'2024-01-01'" },
				     { "CURRENT_DATE", "'2024-01-01'" } } },
	{ 'T', { "TIMESTAMP", "timestamp" }, { { "CURRENT_TIMESTAMP", "'2024-01-01 10:00:00'" },
					       { "CURRENT_TIMESTAMP", "'2024-01-01 10:00:00'" } } },
	{ 'x', { "BLOB", "bytea" }, { { "x'00'", "x'ff'" }, { "'\\x00'", "'\\xff'" } } },
};
#define BOTH_NTYPES ((int)(sizeof(both_types) / sizeof(both_types[0])))

/* How many types a new column picks from. */
static int ntypes(void)
{
	return gen_both ? BOTH_NTYPES : gen_pg ? PG_NTYPES : SQLITE_NTYPES;
}

static char type_fam(int type)
{
	return gen_both ? both_types[type].fam : gen_pg ? pg_types[type].fam : sqlite_types[type].fam;
}

typedef struct gcol {
	char name[NAMELEN];
	int type;
	int notnull;
	int dflt;       /* -1: none */
	int pk;         /* position in the key, 0: not in it */
	int autoinc;    /* SQLite: 1 AUTOINCREMENT; PG: 1 by default, 2 always, 3 serial */
	int coll;       /* text: 0 none, 1 or 2 */
	int fresh;      /* added in B: its rows are NULL or the default */
	int comment;    /* PG: 0 none, else a variant */
} gcol;

typedef struct gidx {
	char name[NAMELEN];
	int unique;
	char cols[2][NAMELEN];
	int n;
	int expr;       /* lower(cols[0]) */
	int partial;    /* WHERE cols[0] IS NOT NULL */
	/* attributes (gen_attrs): a text cols[0]'s COLLATE and (PG) operator
	 * class; PG's fillfactor */
	int kcoll;
	int opclass;
	int ff;
} gidx;

typedef struct guq {
	char name[NAMELEN];
	char cols[2][NAMELEN];
	int n;
	int defer;      /* PG: RT_*DEFERRABLE* (gen_attrs) */
} guq;

typedef struct gfk {
	char name[NAMELEN];
	char col[NAMELEN];
	char ref[NAMELEN];
	int on_delete;  /* 0 none, 1 CASCADE, 2 SET NULL, 3 RESTRICT */
	int defer;      /* RT_*DEFERRABLE* (gen_attrs) */
	int not_valid;  /* PG (gen_attrs) */
} gfk;

typedef struct gck {
	char name[NAMELEN];
	int named;
	char col[NAMELEN];
	int not_valid;  /* PG, a named one (gen_attrs) */
} gck;

typedef struct gtable {
	char name[NAMELEN];
	int rank;
	int fresh;
	gcol cols[MAXC];
	int ncols;
	gidx idx[3];
	int nidx;
	guq uq[2];
	int nuq;
	gfk fk[2];
	int nfk;
	gck ck[2];
	int nck;
	int pkname;     /* PG: a constraint name of our own */
	int without_rowid;
	int comment;
	int trigger;    /* PG: 1 BEFORE INSERT, 2 BEFORE INSERT OR UPDATE */
	/* attributes (gen_attrs) */
	int unlogged;   /* PG; no foreign key from or to it */
	int ff;         /* PG: fillfactor, 0 none */
	int pkdefer;    /* PG: the key's RT_*DEFERRABLE*; no foreign key to it */
	int gen;        /* column g GENERATED ALWAYS AS (id * 2), spelt 3 ways; 0 none */
	int gen_stored; /* SQLite: STORED, else VIRTUAL */
} gtable;

typedef struct gview {
	char name[NAMELEN];
	char table[NAMELEN];
	char cols[2][NAMELEN];
	int n;
	int mat;        /* PG: materialized */
	int mvidx;      /* PG: a materialized view's index on cols[0] */
	int comment;    /* PG: 0 none, else a variant */
} gview;

/* PostgreSQL's kinds beside tables and views (gen_pg_objects). */
typedef struct gpg {
	int dom;        /* domain posint: 0 none, else its check's bound */
	int dom_dflt;   /* -1 none, else the default */
	int dom_notnull;
	int seq;        /* sequence sq: 0 none, else its increment */
	int seq_big;    /* AS bigint */
	int seq_cycle;
	int fn;         /* function twice(x): 0 none, else the factor */
	int fn_big;     /* RETURNS bigint: a change drops it and makes it again */
	int proc;       /* procedure note_it(): 0 none, else what it selects */
	int comment;    /* 0 none, else a variant, on all three and the triggers */
} gpg;

typedef struct gschema {
	gtable t[MAXT];
	int nt;
	gview v[3];
	int nv;
	int labels;     /* PG: values of enum mood; 0: no such type */
	int seq;
	/* PG: a partitioned table pt (gen_attrs), without rows: 0 none, 1
	 * PARTITION BY RANGE (d), 2 LIST (k); partitions pt_1..pt_<nparts>,
	 * the last one's bound moved with part_shift, a DEFAULT one, an index */
	int part;
	int nparts;
	int part_shift;
	int part_def;
	int part_ix;
	gpg pg;
} gschema;

static const char *const labels[] = { "sad", "happy", "meh", "ok" };

static char fam(const gcol *c)
{
	return type_fam(c->type);
}

/* The column's type and default as the dialect of gen_pg spells them. */
static const char *type_sql(const gcol *c)
{
	if (gen_both)
		return both_types[c->type].sql[gen_pg];
	return gen_pg ? pg_types[c->type].sql : sqlite_types[c->type].sql;
}

static const char *type_dflt(const gcol *c)
{
	if (gen_both)
		return both_types[c->type].dflt[gen_pg][c->dflt];
	return gen_pg ? pg_types[c->type].dflt[c->dflt] : sqlite_types[c->type].dflt[c->dflt];
}

static int uniqueable(const gcol *c)
{
	return fam(c) != 'b' && fam(c) != 'e' && (!c->fresh || (c->dflt < 0 && !c->notnull));
}

static int checkable(const gcol *c)
{
	return strchr("itrn", fam(c)) != NULL;
}

static void cpy(char *dst, const char *src)
{
	size_t n = strlen(src);

	if (n >= NAMELEN)
		n = NAMELEN - 1;
	memmove(dst, src, n);
	dst[n] = '\0';
}

static void new_name(char *out, gschema *s, const char *prefix)
{
	snprintf(out, NAMELEN, "%s%d", prefix, ++s->seq);
}

static gtable *gtab(gschema *s, const char *name)
{
	int i;

	for (i = 0; i < s->nt; i++)
		if (!strcmp(s->t[i].name, name))
			return &s->t[i];
	return NULL;
}

static gcol *gcolumn(gtable *t, const char *name)
{
	int i;

	for (i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].name, name))
			return &t->cols[i];
	return NULL;
}

static int npk(const gtable *t)
{
	int i, n = 0;

	for (i = 0; i < t->ncols; i++)
		n += t->cols[i].pk > 0;
	return n;
}

/* The single integer primary key column, or NULL. */
static gcol *int_pk(gtable *t)
{
	int i;

	if (npk(t) != 1)
		return NULL;
	for (i = 0; i < t->ncols; i++)
		if (t->cols[i].pk && fam(&t->cols[i]) == 'i')
			return &t->cols[i];
	return NULL;
}

static int referenced(gschema *s, const gtable *t)
{
	int i, k;

	for (i = 0; i < s->nt; i++)
		for (k = 0; k < s->t[i].nfk; k++)
			if (&s->t[i] != t && !strcmp(s->t[i].fk[k].ref, t->name))
				return 1;
	return 0;
}

static int col_in_fk(const gtable *t, const char *col)
{
	int k;

	for (k = 0; k < t->nfk; k++)
		if (!strcmp(t->fk[k].col, col))
			return 1;
	return 0;
}

/* Does t have a foreign key to table `ref`? */
static int col_in_fk_to(const gtable *t, const char *ref)
{
	int k;

	for (k = 0; k < t->nfk; k++)
		if (!strcmp(t->fk[k].ref, ref))
			return 1;
	return 0;
}

static int col_in_unique(const gtable *t, const char *col)
{
	int k, j;

	for (k = 0; k < t->nuq; k++)
		for (j = 0; j < t->uq[k].n; j++)
			if (!strcmp(t->uq[k].cols[j], col))
				return 1;
	for (k = 0; k < t->nidx; k++)
		for (j = 0; j < t->idx[k].n; j++)
			if (t->idx[k].unique && !strcmp(t->idx[k].cols[j], col))
				return 1;
	return 0;
}

/* ---- generating ------------------------------------------------------------- */

static int pick_type(const gschema *s)
{
	if (gen_pg && s->labels && chance(8))
		return T_MOOD;
	return (int)rnd((unsigned)ntypes());
}

static void add_column(gschema *s, gtable *t, int fresh)
{
	gcol *c = &t->cols[t->ncols++];

	memset(c, 0, sizeof(*c));
	new_name(c->name, s, "c");
	c->type = pick_type(s);
	c->fresh = fresh;
	c->dflt = chance(40) ? (int)rnd(2) : -1;
	c->notnull = chance(50);
	if (fresh && c->notnull && c->dflt < 0)
		c->dflt = 0;
	if (fam(c) == 't' && chance(20))
		c->coll = 1 + (int)rnd(2);
	if (gen_pg && chance(15))
		c->comment = 1 + (int)rnd(2);
}

/* A foreign key from column `col` of t to a table with an integer key. */
static void add_fk(gschema *s, gtable *t, const char *col, int any_parent)
{
	gtable *cand[MAXT];
	int n = 0, i;
	gfk *f;

	if (t->nfk >= 2 || t->unlogged)
		return;
	for (i = 0; i < s->nt; i++) {
		gtable *p = &s->t[i];
		if (!int_pk(p) || (p->rank > t->rank) || (!any_parent && p->fresh) || p->unlogged ||
		    p->pkdefer)
			continue;
		cand[n++] = p;
	}
	if (!n)
		return;
	f = &t->fk[t->nfk++];
	new_name(f->name, s, "fk");
	cpy(f->col, col);
	cpy(f->ref, cand[rnd((unsigned)n)]->name);
	f->on_delete = (int)rnd(4);
	if (f->on_delete == 2 && gcolumn(t, col)->notnull)
		f->on_delete = 1;
}

static void add_index(gschema *s, gtable *t)
{
	gidx *x;
	gcol *c;

	if (t->nidx >= 3 || !t->ncols)
		return;
	c = &t->cols[rnd((unsigned)t->ncols)];
	x = &t->idx[t->nidx++];
	memset(x, 0, sizeof(*x));
	new_name(x->name, s, "ix");
	cpy(x->cols[0], c->name);
	x->n = 1;
	x->unique = uniqueable(c) && chance(30);
	if (fam(c) == 't' && chance(30))
		x->expr = 1;
	if (chance(20))
		x->partial = 1;
	if (!x->expr && chance(25) && t->ncols > 1) {
		gcol *d = &t->cols[rnd((unsigned)t->ncols)];
		if (d != c) {
			cpy(x->cols[1], d->name);
			x->n = 2;
			x->unique = x->unique && uniqueable(d);
		}
	}
}

static void add_unique(gschema *s, gtable *t)
{
	gcol *c;
	guq *u;

	if (t->nuq >= 2 || !t->ncols)
		return;
	c = &t->cols[rnd((unsigned)t->ncols)];
	if (!uniqueable(c) || c->pk || col_in_unique(t, c->name))
		return;
	u = &t->uq[t->nuq++];
	new_name(u->name, s, "uq");
	cpy(u->cols[0], c->name);
	u->n = 1;
}

static void add_check(gschema *s, gtable *t)
{
	gcol *c;
	gck *k;

	if (t->nck >= 2 || !t->ncols)
		return;
	c = &t->cols[rnd((unsigned)t->ncols)];
	if (!checkable(c))
		return;
	k = &t->ck[t->nck++];
	new_name(k->name, s, "ck");
	k->named = chance(60);
	cpy(k->col, c->name);
}

static void add_view(gschema *s)
{
	gtable *t;
	gview *v;
	int i;

	if (s->nv >= 3 || !s->nt)
		return;
	t = &s->t[rnd((unsigned)s->nt)];
	v = &s->v[s->nv++];
	new_name(v->name, s, "v");
	cpy(v->table, t->name);
	v->n = 1 + (t->ncols > 1 && chance(50));
	for (i = 0; i < v->n; i++)
		cpy(v->cols[i], t->cols[(i + rnd((unsigned)t->ncols)) % t->ncols].name);
	if (v->n == 2 && !strcmp(v->cols[0], v->cols[1]))
		v->n = 1;
}

static void new_table(gschema *s, int fresh)
{
	gtable *t = &s->t[s->nt++];
	gcol *id;
	int n, i, rank = 0;

	for (i = 0; i < s->nt - 1; i++)
		if (s->t[i].rank >= rank)
			rank = s->t[i].rank + 1;
	memset(t, 0, sizeof(*t));
	new_name(t->name, s, "t");
	t->rank = rank;
	t->fresh = fresh;
	id = &t->cols[t->ncols++];
	snprintf(id->name, NAMELEN, "id");
	id->type = chance(50) ? 0 : 1;
	id->notnull = 1;
	id->dflt = -1;
	id->fresh = fresh;
	if (chance(90)) {
		id->pk = 1;
		if (gen_pg) {
			id->autoinc = chance(50) ? (int)rnd(4) : 0;
			if (id->autoinc == 3 && id->type > 1)
				id->type = 0;
		} else {
			id->type = 0; /* INTEGER: the rowid */
			id->autoinc = chance(30);
		}
	}
	n = 1 + (int)rnd(5);
	for (i = 0; i < n; i++)
		add_column(s, t, fresh);
	/* a composite key with a second, unique-valued column */
	if (npk(t) && chance(15)) {
		for (i = 1; i < t->ncols; i++) {
			gcol *c = &t->cols[i];
			if (uniqueable(c) && !c->fresh && fam(c) != 'r' && fam(c) != 'x') {
				c->pk = 2;
				c->notnull = 1;
				if (!gen_pg)
					id->autoinc = 0;
				break;
			}
		}
	}
	if (chance(40))
		add_unique(s, t);
	for (i = (int)rnd(3); i > 0; i--)
		add_check(s, t);
	for (i = (int)rnd(3); i > 0; i--)
		add_index(s, t);
	if (chance(40) && t->ncols > 1) {
		gcol *c = &t->cols[1 + rnd((unsigned)t->ncols - 1)];
		if (fam(c) == 'i' && !c->pk && (!fresh || 1) && (c->dflt < 0 || !c->notnull)) {
			c->dflt = -1;
			add_fk(s, t, c->name, fresh);
		}
	}
	if (gen_pg) {
		t->pkname = npk(t) && chance(20);
		if (chance(20))
			t->comment = 1 + (int)rnd(2);
	} else if (!gen_both) {
		t->without_rowid = npk(t) && !id->autoinc && chance(10);
		t->trigger = chance(15);
	}
}

/* ---- attributes of tables, columns, indexes, constraints (issue 18 item 6) ---- */

/*
 * Each set in A (gen_attrs) and changed for B (mutate_attrs) after the
 * rest, where the dialect has it: a generated column g (a new spelling of
 * its expression gives the same values, so the rows compare), DEFERRABLE
 * foreign keys; on PostgreSQL also deferrable unique and primary keys,
 * NOT VALID checks and foreign keys, UNLOGGED, fillfactor of tables and
 * indexes, operator classes; per-key COLLATE of indexes.
 */
static void attrs_of_table(gschema *s, gtable *t, int change)
{
	int i;

	if (chance(change ? 10 : 20)) {
		t->gen = t->gen && chance(30) ? 0 : 1 + (int)rnd(3);
		t->gen_stored = !gen_pg && chance(50);
	}
	for (i = 0; i < t->nfk; i++)
		if (chance(change ? 10 : 25))
			t->fk[i].defer = (int)rnd(3);
	for (i = 0; i < t->nidx; i++) {
		gidx *x = &t->idx[i];
		gcol *c = gcolumn(t, x->cols[0]);
		int text = c && fam(c) == 't' && !x->expr;
		if (chance(change ? 10 : 25))
			x->kcoll = text ? (x->kcoll + 1 + (int)rnd(2)) % 3 : 0;
		if (!text)
			x->kcoll = x->opclass = 0;
		if (!gen_pg)
			continue;
		if (text && chance(change ? 10 : 25))
			x->opclass = !x->opclass;
		if (chance(change ? 10 : 20))
			x->ff = x->ff ? 0 : 6 + (int)rnd(4);
	}
	if (!gen_pg)
		return;
	for (i = 0; i < t->nuq; i++)
		if (chance(change ? 10 : 20))
			t->uq[i].defer = (int)rnd(3);
	for (i = 0; i < t->nfk; i++)
		if (chance(change ? 10 : 15))
			t->fk[i].not_valid = !t->fk[i].not_valid;
	for (i = 0; i < t->nck; i++) {
		if (chance(change ? 10 : 20))
			t->ck[i].not_valid = !t->ck[i].not_valid;
		t->ck[i].not_valid &= t->ck[i].named;
	}
	if (chance(change ? 10 : 15))
		t->ff = t->ff ? 0 : 7 + (int)rnd(3);
	if (chance(change ? 8 : 10))
		t->unlogged = !t->unlogged;
	if (t->nfk || referenced(s, t) || col_in_fk_to(t, t->name))
		t->unlogged = 0;
	if (chance(change ? 8 : 10))
		t->pkdefer = npk(t) ? (int)rnd(3) : 0;
	if (!npk(t) || referenced(s, t) || col_in_fk_to(t, t->name))
		t->pkdefer = 0;
}

static void gen_partitions(gschema *s, int change)
{
	if (!s->part) {
		if (chance(change ? 10 : 25)) {
			s->part = 1 + (int)rnd(2);
			s->nparts = 1 + (int)rnd(3);
			s->part_def = chance(30);
			s->part_ix = chance(30);
		}
		return;
	}
	if (!change)
		return;
	if (chance(5)) {
		s->part = 0;
		return;
	}
	if (chance(8))
		s->part = 3 - s->part;   /* a new partition key */
	if (chance(15))
		s->nparts = 1 + (int)rnd(3);
	if (chance(15))
		s->part_shift = !s->part_shift;
	if (chance(10))
		s->part_def = !s->part_def;
	if (chance(10))
		s->part_ix = !s->part_ix;
}

static void gen_attrs(gschema *s, int change)
{
	int i;

	if (gen_both)
		return;
	for (i = 0; i < s->nt; i++)
		attrs_of_table(s, &s->t[i], change);
	if (gen_pg)
		gen_partitions(s, change);
}

/* PostgreSQL's other kinds, made (`change` 0) or changed: each is there
 * or not, and its options drawn again now and then.  Drawn last, so
 * the rest of a seed's schema is what it was without them. */
static void gen_pg_objects(gschema *s, int change)
{
	gpg *o = &s->pg;
	int i, odds = change ? 15 : 40;

	if (chance(odds))
		o->dom = o->dom && change && chance(30) ? 0 : 1 + (int)rnd(3);
	if (o->dom && chance(odds)) {
		o->dom_dflt = chance(50) ? -1 : (int)rnd(2) + 1;
		o->dom_notnull = chance(50);
	}
	if (chance(odds))
		o->seq = o->seq && change && chance(30) ? 0 : 1 + (int)rnd(3);
	if (o->seq && chance(odds)) {
		o->seq_big = chance(50);
		o->seq_cycle = chance(30);
	}
	if (chance(odds))
		o->fn = o->fn && change && chance(30) ? 0 : 2 + (int)rnd(2);
	if (o->fn && chance(odds))
		o->fn_big = !o->fn_big;
	if (chance(odds))
		o->proc = o->proc && change && chance(30) ? 0 : 1 + (int)rnd(2);
	if (chance(odds))
		o->comment = (int)rnd(3);
	for (i = 0; i < s->nt; i++)
		if (chance(change ? 10 : 20))
			s->t[i].trigger = s->t[i].trigger && change ? 0 : 1 + (int)rnd(2);
	/* a materialized view of a table (dropped with its columns as a
	 * view is), and its index */
	if (s->nv < 3 && chance(odds)) {
		add_view(s);
		s->v[s->nv - 1].mat = 1;
	}
	for (i = 0; i < s->nv; i++) {
		if (s->v[i].mat && chance(odds))
			s->v[i].mvidx = !s->v[i].mvidx;
		if (chance(odds / 2))
			s->v[i].comment = (s->v[i].comment + 1) % 3;
	}
}

static void gen_a(gschema *s)
{
	int i, n = 1 + (int)rnd(4);

	memset(s, 0, sizeof(*s));
	if (gen_pg)
		s->labels = chance(40) ? 2 : 0;
	for (i = 0; i < n; i++)
		new_table(s, 0);
	for (i = (int)rnd(3); i > 0; i--)
		add_view(s);
	gen_attrs(s, 0);
	if (gen_pg && !gen_both)
		gen_pg_objects(s, 0);
}

/* ---- mutating A into B ------------------------------------------------------- */

typedef struct renames {
	char spec[8][3 * NAMELEN + 4];
	const char *ptrs[8];
	int n;
	/* what a table or column of A is called in B ("" when dropped) */
	char from_t[MAXT][NAMELEN], to_t[MAXT][NAMELEN];
	int nt;
	char col_t[8][NAMELEN], col_from[8][NAMELEN], col_to[8][NAMELEN];
	int nc;
} renames;

static void drop_col_refs(gschema *s, gtable *t, const char *col)
{
	int k, j;

	for (k = 0; k < t->nidx; k++) {
		int uses = 0;
		for (j = 0; j < t->idx[k].n; j++)
			uses |= !strcmp(t->idx[k].cols[j], col);
		if (uses) {
			t->idx[k] = t->idx[--t->nidx];
			k--;
		}
	}
	for (k = 0; k < t->nuq; k++) {
		int uses = 0;
		for (j = 0; j < t->uq[k].n; j++)
			uses |= !strcmp(t->uq[k].cols[j], col);
		if (uses) {
			t->uq[k] = t->uq[--t->nuq];
			k--;
		}
	}
	for (k = 0; k < t->nck; k++)
		if (!strcmp(t->ck[k].col, col)) {
			t->ck[k] = t->ck[--t->nck];
			k--;
		}
	for (k = 0; k < t->nfk; k++)
		if (!strcmp(t->fk[k].col, col)) {
			t->fk[k] = t->fk[--t->nfk];
			k--;
		}
	for (k = 0; k < s->nv; k++) {
		int uses = 0;
		for (j = 0; j < s->v[k].n; j++)
			uses |= !strcmp(s->v[k].table, t->name) && !strcmp(s->v[k].cols[j], col);
		if (uses) {
			s->v[k] = s->v[--s->nv];
			k--;
		}
	}
}

static void rename_col_refs(gschema *s, gtable *t, const char *from, const char *to)
{
	int k, j;

	for (k = 0; k < t->nidx; k++)
		for (j = 0; j < t->idx[k].n; j++)
			if (!strcmp(t->idx[k].cols[j], from))
				cpy(t->idx[k].cols[j], to);
	for (k = 0; k < t->nuq; k++)
		for (j = 0; j < t->uq[k].n; j++)
			if (!strcmp(t->uq[k].cols[j], from))
				cpy(t->uq[k].cols[j], to);
	for (k = 0; k < t->nck; k++)
		if (!strcmp(t->ck[k].col, from))
			cpy(t->ck[k].col, to);
	for (k = 0; k < t->nfk; k++)
		if (!strcmp(t->fk[k].col, from))
			cpy(t->fk[k].col, to);
	for (k = 0; k < s->nv; k++)
		for (j = 0; j < s->v[k].n; j++)
			if (!strcmp(s->v[k].table, t->name) && !strcmp(s->v[k].cols[j], from))
				cpy(s->v[k].cols[j], to);
}

/* Same-family types whose values read back the same after a change. */
static int retype(const gcol *c)
{
	int cand[16], n = 0, i; /* more than any table has */

	for (i = 0; i < ntypes(); i++)
		if (i != c->type && type_fam(i) == fam(c))
			cand[n++] = i;
	return n ? cand[rnd((unsigned)n)] : c->type;
}

/* The key itself, when no foreign key refers to it (first, before new
 * foreign keys look for keys to refer to). */
static void mutate_pk(gschema *s, gtable *t)
{
	int i;

	if (referenced(s, t) || col_in_fk_to(t, t->name))
		return;
	if (npk(t) == 1 && chance(8)) {
		for (i = 1; i < t->ncols; i++) {
			gcol *c = &t->cols[i];
			if (uniqueable(c) && !c->fresh && c->notnull && fam(c) != 'r' && fam(c) != 'x' &&
			    !c->pk) {
				c->pk = 2;
				break;
			}
		}
	} else if (npk(t) == 2 && chance(15)) {
		for (i = 0; i < t->ncols; i++)
			if (t->cols[i].pk == 2)
				t->cols[i].pk = 0;
	}
	if (!gen_pg && npk(t) > 1)
		for (i = 0; i < t->ncols; i++)
			t->cols[i].autoinc = 0;
}

static void mutate_table(gschema *s, gtable *t, renames *r)
{
	int i;

	/* add columns */
	if (chance(25) && t->ncols < MAXC) {
		gcol *c;
		add_column(s, t, 1);
		c = &t->cols[t->ncols - 1];
		if (fam(c) == 'i' && !c->notnull && chance(40)) {
			c->dflt = -1;
			add_fk(s, t, c->name, 1);
		}
		if (chance(20))
			add_index(s, t);
		if (chance(20))
			add_check(s, t);
	}
	for (i = 1; i < t->ncols; i++) {
		gcol *c = &t->cols[i];
		if (c->fresh)
			continue;
		/* drop: only what a downgrade can put back */
		if (chance(10) && !c->pk && (!c->notnull || c->dflt >= 0) &&
		    !(c->dflt >= 0 && (col_in_unique(t, c->name) || col_in_fk(t, c->name)))) {
			drop_col_refs(s, t, c->name);
			t->cols[i] = t->cols[--t->ncols];
			i--;
			continue;
		}
		/* rename, with --rename */
		if (chance(5) && r->nc < 8 && r->n < 8) {
			char to[NAMELEN];
			new_name(to, s, "r");
			cpy(r->col_t[r->nc], t->name);
			cpy(r->col_from[r->nc], c->name);
			cpy(r->col_to[r->nc], to);
			r->nc++;
			snprintf(r->spec[r->n], sizeof(r->spec[0]), "%.23s.%.23s:%.23s", t->name, c->name, to);
			r->n++;
			rename_col_refs(s, t, c->name, to);
			cpy(c->name, to);
		}
		if (chance(10) && !c->pk && !col_in_fk(t, c->name)) {
			c->type = retype(c);
			if (c->dflt >= 0)
				c->dflt = (int)rnd(2);
		}
		if (chance(10) && !c->pk)
			c->notnull = !c->notnull;
		if (chance(10) && !c->pk && !col_in_fk(t, c->name))
			c->dflt = c->dflt >= 0 && chance(50) ? -1 : (int)rnd(2);
		if (fam(c) == 't' && chance(10))
			c->coll = (c->coll + 1) % 3;
		if (gen_pg && chance(10))
			c->comment = (c->comment + 1) % 3;
	}
	/* the key's auto-increment */
	if (int_pk(t) && chance(15) && !t->without_rowid) {
		gcol *id = int_pk(t);
		if (gen_pg && id->autoinc != 3) {
			id->autoinc = (int)rnd(3);
			id->dflt = -1;
		} else if (!gen_pg && id->type == 0) { /* INTEGER */
			id->autoinc = !id->autoinc;
		}
	}
	if (chance(12) && t->nuq)
		{ int x_ = (int)rnd((unsigned)t->nuq); t->uq[x_] = t->uq[--t->nuq]; }
	if (chance(12))
		add_unique(s, t);
	if (chance(12) && t->nck)
		{ int x_ = (int)rnd((unsigned)t->nck); t->ck[x_] = t->ck[--t->nck]; }
	if (chance(12))
		add_check(s, t);
	if (chance(15) && t->nidx)
		{ int x_ = (int)rnd((unsigned)t->nidx); t->idx[x_] = t->idx[--t->nidx]; }
	if (chance(15))
		add_index(s, t);
	if (chance(8) && t->nidx) {
		gidx *x = &t->idx[rnd((unsigned)t->nidx)];
		x->partial = !x->partial;
	}
	if (chance(10) && t->nfk)
		{ int x_ = (int)rnd((unsigned)t->nfk); t->fk[x_] = t->fk[--t->nfk]; }
	if (chance(12)) {
		/* a foreign key on an integer column whose rows are 1..3 */
		for (i = 1; i < t->ncols; i++) {
			gcol *c = &t->cols[i];
			if (fam(c) == 'i' && !c->pk && !col_in_fk(t, c->name) &&
			    (c->fresh ? (!c->notnull && c->dflt < 0) : 1)) {
				add_fk(s, t, c->name, c->fresh);
				break;
			}
		}
	}
	if (gen_pg) {
		if (chance(10))
			t->pkname = npk(t) && !t->pkname;
		if (chance(10))
			t->comment = (t->comment + 1) % 3;
	} else if (!gen_both) {
		if (chance(8))
			t->without_rowid = npk(t) && !t->without_rowid;
		for (i = 0; t->without_rowid && i < t->ncols; i++)
			t->cols[i].autoinc = 0;
		if (chance(10))
			t->trigger = !t->trigger;
	}
}

static void mutate(gschema *s, renames *r)
{
	int i, k;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < s->nt; i++) {
		cpy(r->from_t[r->nt], s->t[i].name);
		cpy(r->to_t[r->nt], s->t[i].name);
		r->nt++;
	}
	/* drop tables nothing else refers to */
	for (i = 0; i < s->nt; i++) {
		gtable *t = &s->t[i];
		if (s->nt > 1 && chance(12) && !referenced(s, t)) {
			for (k = 0; k < r->nt; k++)
				if (!strcmp(r->to_t[k], t->name))
					r->to_t[k][0] = '\0';
			for (k = 0; k < s->nv; k++)
				if (!strcmp(s->v[k].table, t->name)) {
					s->v[k] = s->v[--s->nv];
					k--;
				}
			s->t[i] = s->t[--s->nt];
			i--;
		}
	}
	for (i = 0; i < s->nt; i++)
		mutate_pk(s, &s->t[i]);
	for (i = 0; i < s->nt; i++)
		mutate_table(s, &s->t[i], r);
	/* rename a table, with --rename */
	if (chance(10) && s->nt && r->n < 8) {
		gtable *t = &s->t[rnd((unsigned)s->nt)];
		char to[NAMELEN];
		new_name(to, s, "n");
		for (k = 0; k < r->nt; k++)
			if (!strcmp(r->to_t[k], t->name))
				cpy(r->to_t[k], to);
		snprintf(r->spec[r->n], sizeof(r->spec[0]), "%.23s:%.23s", t->name, to);
		r->n++;
		for (i = 0; i < s->nt; i++)
			for (k = 0; k < s->t[i].nfk; k++)
				if (!strcmp(s->t[i].fk[k].ref, t->name))
					cpy(s->t[i].fk[k].ref, to);
		for (k = 0; k < s->nv; k++)
			if (!strcmp(s->v[k].table, t->name))
				cpy(s->v[k].table, to);
		for (k = 0; k < r->nc; k++)
			if (!strcmp(r->col_t[k], t->name))
				cpy(r->col_t[k], to);
		cpy(t->name, to);
	}
	if (chance(25) && s->nt < MAXT)
		new_table(s, 1);
	if (chance(20) && s->nv)
		{ int x_ = (int)rnd((unsigned)s->nv); s->v[x_] = s->v[--s->nv]; }
	if (chance(25))
		add_view(s);
	if (gen_pg && s->labels && s->labels < 4 && chance(15))
		s->labels++;
	else if (gen_pg && !s->labels && chance(10))
		s->labels = 2;
	gen_attrs(s, 1);
	if (gen_pg && !gen_both)
		gen_pg_objects(s, 1);
	for (i = 0; i < r->n; i++)
		r->ptrs[i] = r->spec[i];
}

/* The pair of a seed: A, and B made from it with the renames `r`. */
static void gen_pair(unsigned long long seed, gschema *a, gschema *b, renames *r)
{
	int i;

	rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
	for (i = 0; i < 4; i++)
		rnd(2);
	gen_a(a);
	*b = *a;
	mutate(b, r);
}

/* ---- SQL of a generated schema ---------------------------------------------------- */

static const char *const colls[2][3] = {
	{ NULL, "NOCASE", "RTRIM" },
	{ NULL, "\"C\"", "\"POSIX\"" },
};

static const char *const on_delete[] = { "", " ON DELETE CASCADE", " ON DELETE SET NULL",
					 " ON DELETE RESTRICT" };

static void put_col(rt_buf *b, const gtable *t, const gcol *c)
{
	rt_buf_printf(b, "    %s ", c->name);
	if (gen_pg) {
		if (c->autoinc == 3)
			rt_buf_puts(b, c->type == 1 ? "bigserial" : "serial");
		else
			rt_buf_puts(b, type_sql(c));
		if (c->coll)
			rt_buf_printf(b, " COLLATE %s", colls[1][c->coll]);
		if (c->autoinc == 1)
			rt_buf_puts(b, " GENERATED BY DEFAULT AS IDENTITY");
		else if (c->autoinc == 2)
			rt_buf_puts(b, " GENERATED ALWAYS AS IDENTITY");
		if (c->notnull)
			rt_buf_puts(b, " NOT NULL");
		if (c->dflt >= 0 && !c->autoinc)
			rt_buf_printf(b, " DEFAULT %s", type_dflt(c));
		return;
	}
	rt_buf_puts(b, type_sql(c));
	if (c->pk && npk(t) == 1) {
		rt_buf_puts(b, " PRIMARY KEY");
		if (c->autoinc)
			rt_buf_puts(b, " AUTOINCREMENT");
	}
	if (c->notnull)
		rt_buf_puts(b, " NOT NULL");
	if (c->dflt >= 0)
		rt_buf_printf(b, " DEFAULT %s", type_dflt(c));
	if (c->coll)
		rt_buf_printf(b, " COLLATE %s", colls[0][c->coll]);
}

static void check_expr(rt_buf *b, const gtable *t, const gck *k)
{
	gcol *c = gcolumn((gtable *)t, k->col);

	if (fam(c) == 't')
		rt_buf_printf(b, "length(%s) > 0", k->col);
	else
		rt_buf_printf(b, "%s >= 0", k->col);
}

/* ---- SQL of the attributes (gen_attrs) ---- */

static const char *const defer_sql[] = { "", " DEFERRABLE", " DEFERRABLE INITIALLY DEFERRED" };
static const char *const gen_expr[] = { "", "id * 2", "id + id", "2 * id" };

/* After the columns: the generated one. */
static void attr_columns(rt_buf *b, const gtable *t)
{
	if (t->gen)
		rt_buf_printf(b, ",\n    g %s GENERATED ALWAYS AS (%s) %s", gen_pg ? "bigint" : "INTEGER",
			      gen_expr[t->gen], gen_pg || t->gen_stored ? "STORED" : "VIRTUAL");
}

/* After ")" of CREATE TABLE */
static void attr_table_end(rt_buf *b, const gtable *t)
{
	if (t->ff)
		rt_buf_printf(b, " WITH (fillfactor = %d0)", t->ff);
}

/* After a key of an index. */
static void attr_index_key(rt_buf *b, const gidx *x, int key)
{
	if (key)
		return;
	if (x->kcoll)
		rt_buf_printf(b, " COLLATE %s", colls[gen_pg][x->kcoll]);
	if (x->opclass)
		rt_buf_puts(b, " text_pattern_ops");
}

/* After ")" of CREATE INDEX */
static void attr_index_end(rt_buf *b, const gidx *x)
{
	if (x->ff)
		rt_buf_printf(b, " WITH (fillfactor = %d0)", x->ff);
}

static void attr_partitions(rt_buf *b, const gschema *s)
{
	int i;

	if (!s->part)
		return;
	rt_buf_printf(b, "CREATE TABLE pt (id integer NOT NULL, d date NOT NULL, k integer) "
		      "PARTITION BY %s;\n", s->part == 1 ? "RANGE (d)" : "LIST (k)");
	for (i = 1; i <= s->nparts; i++) {
		int shift = s->part_shift && i == s->nparts;
		rt_buf_printf(b, "CREATE TABLE pt_%d PARTITION OF pt FOR VALUES ", i);
		if (s->part == 1)
			rt_buf_printf(b, "FROM ('202%d-01-01') TO ('202%d-%s-01');\n", i,
				      shift ? i : i + 1, shift ? "07" : "01");
		else if (shift)
			rt_buf_printf(b, "IN (%d, %d);\n", i, i + 10);
		else
			rt_buf_printf(b, "IN (%d);\n", i);
	}
	if (s->part_def)
		rt_buf_puts(b, "CREATE TABLE pt_def PARTITION OF pt DEFAULT;\n");
	if (s->part_ix)
		rt_buf_puts(b, "CREATE INDEX ix_pt ON pt (d, k);\n");
}

/* NOT VALID constraints, added after every table is made. */
static void attr_not_valid(rt_buf *b, const gschema *s)
{
	int i, k;

	for (i = 0; i < s->nt; i++) {
		const gtable *t = &s->t[i];
		for (k = 0; k < t->nck; k++) {
			if (!t->ck[k].not_valid)
				continue;
			rt_buf_printf(b, "ALTER TABLE %s ADD CONSTRAINT %s CHECK (", t->name, t->ck[k].name);
			check_expr(b, t, &t->ck[k]);
			rt_buf_puts(b, ") NOT VALID;\n");
		}
		for (k = 0; k < t->nfk; k++)
			if (t->fk[k].not_valid)
				rt_buf_printf(b, "ALTER TABLE %s ADD CONSTRAINT %s FOREIGN KEY (%s) "
					      "REFERENCES %s (id)%s%s NOT VALID;\n", t->name,
					      t->fk[k].name, t->fk[k].col, t->fk[k].ref,
					      on_delete[t->fk[k].on_delete], defer_sql[t->fk[k].defer]);
	}
}

/* What gen_pg_objects made, before the tables (the trigger function
 * after them is as good: it reads none). */
static void pg_objects_sql(rt_buf *b, const gschema *s)
{
	const gpg *o = &s->pg;
	int i, trig = 0;

	if (o->dom) {
		rt_buf_puts(b, "CREATE DOMAIN posint AS integer");
		if (o->dom_dflt >= 0)
			rt_buf_printf(b, " DEFAULT %d", o->dom_dflt + 1);
		rt_buf_printf(b, "%s CONSTRAINT posint_check CHECK (VALUE >= %d);\n",
			      o->dom_notnull ? " NOT NULL" : "", o->dom - 1);
		if (o->comment)
			rt_buf_printf(b, "COMMENT ON DOMAIN posint IS 'domain %d';\n", o->comment);
	}
	if (o->seq) {
		rt_buf_printf(b, "CREATE SEQUENCE sq AS %s INCREMENT BY %d%s;\n",
			      o->seq_big ? "bigint" : "integer", o->seq, o->seq_cycle ? " CYCLE" : "");
		if (o->comment)
			rt_buf_printf(b, "COMMENT ON SEQUENCE sq IS 'sequence %d';\n", o->comment);
	}
	if (o->fn) {
		rt_buf_printf(b, "CREATE FUNCTION twice(x integer) RETURNS %s LANGUAGE sql AS "
			      "'SELECT x * %d';\n", o->fn_big ? "bigint" : "integer", o->fn);
		if (o->comment)
			rt_buf_printf(b, "COMMENT ON FUNCTION twice(integer) IS 'function %d';\n",
				      o->comment);
	}
	if (o->proc)
		rt_buf_printf(b, "CREATE PROCEDURE note_it() LANGUAGE sql AS $$ SELECT %d $$;\n",
			      o->proc);
	for (i = 0; i < s->nt; i++)
		trig |= s->t[i].trigger;
	if (trig)
		rt_buf_puts(b, "CREATE FUNCTION trg_pass() RETURNS trigger LANGUAGE plpgsql AS "
			    "$$ BEGIN RETURN NEW; END $$;\n");
}

static void schema_sql(rt_buf *b, const gschema *s)
{
	int order[MAXT], i, k, j;

	for (i = 0; i < s->nt; i++)
		order[i] = i;
	/* referenced tables first */
	for (i = 0; i < s->nt; i++)
		for (k = i + 1; k < s->nt; k++)
			if (s->t[order[k]].rank < s->t[order[i]].rank) {
				int tmp = order[i];
				order[i] = order[k];
				order[k] = tmp;
			}
	if (gen_pg)
		pg_objects_sql(b, s);
	if (gen_pg && s->labels) {
		rt_buf_puts(b, "CREATE TYPE mood AS ENUM (");
		for (i = 0; i < s->labels; i++)
			rt_buf_printf(b, "%s'%s'", i ? ", " : "", labels[i]);
		rt_buf_puts(b, ");\n");
	}
	for (i = 0; i < s->nt; i++) {
		const gtable *t = &s->t[order[i]];
		rt_buf_printf(b, "CREATE %sTABLE %s (\n", t->unlogged ? "UNLOGGED " : "", t->name);
		for (k = 0; k < t->ncols; k++) {
			if (k)
				rt_buf_puts(b, ",\n");
			put_col(b, t, &t->cols[k]);
		}
		attr_columns(b, t);
		/* SQLite's single key is the column's own PRIMARY KEY */
		if (npk(t) > !gen_pg) {
			rt_buf_puts(b, ",\n    ");
			if (t->pkname)
				rt_buf_printf(b, "CONSTRAINT pk_%s ", t->name);
			rt_buf_puts(b, "PRIMARY KEY (");
			for (j = 1; j <= npk(t); j++)
				for (k = 0; k < t->ncols; k++)
					if (t->cols[k].pk == j)
						rt_buf_printf(b, "%s%s", j > 1 ? ", " : "", t->cols[k].name);
			rt_buf_printf(b, ")%s", defer_sql[t->pkdefer]);
		}
		for (k = 0; k < t->nuq; k++)
			rt_buf_printf(b, ",\n    CONSTRAINT %s UNIQUE (%s)%s", t->uq[k].name, t->uq[k].cols[0],
				      defer_sql[gen_pg ? t->uq[k].defer : 0]);
		for (k = 0; k < t->nck; k++) {
			if (t->ck[k].not_valid)
				continue;
			rt_buf_puts(b, ",\n    ");
			if (t->ck[k].named)
				rt_buf_printf(b, "CONSTRAINT %s ", t->ck[k].name);
			rt_buf_puts(b, "CHECK (");
			check_expr(b, t, &t->ck[k]);
			rt_buf_puts(b, ")");
		}
		for (k = 0; k < t->nfk; k++)
			if (!t->fk[k].not_valid)
				rt_buf_printf(b, ",\n    CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (id)%s%s",
					      t->fk[k].name, t->fk[k].col, t->fk[k].ref,
					      on_delete[t->fk[k].on_delete], defer_sql[t->fk[k].defer]);
		rt_buf_puts(b, "\n)");
		attr_table_end(b, t);
		rt_buf_printf(b, "%s;\n", t->without_rowid ? " WITHOUT ROWID" : "");
		for (k = 0; k < t->nidx; k++) {
			const gidx *x = &t->idx[k];
			rt_buf_printf(b, "CREATE %sINDEX %s ON %s (", x->unique ? "UNIQUE " : "", x->name,
				      t->name);
			if (x->expr)
				rt_buf_printf(b, "lower(%s)", x->cols[0]);
			else
				for (j = 0; j < x->n; j++) {
					rt_buf_printf(b, "%s%s", j ? ", " : "", x->cols[j]);
					attr_index_key(b, x, j);
				}
			rt_buf_puts(b, ")");
			attr_index_end(b, x);
			if (x->partial)
				rt_buf_printf(b, " WHERE %s IS NOT NULL", x->cols[0]);
			rt_buf_puts(b, ";\n");
		}
		if (t->comment)
			rt_buf_printf(b, "COMMENT ON TABLE %s IS 'table note %d';\n", t->name, t->comment);
		for (k = 0; k < t->ncols; k++)
			if (t->cols[k].comment)
				rt_buf_printf(b, "COMMENT ON COLUMN %s.%s IS 'it''s %d';\n", t->name,
					      t->cols[k].name, t->cols[k].comment);
		if (t->trigger && gen_pg) {
			rt_buf_printf(b, "CREATE TRIGGER trg_%s BEFORE INSERT%s ON %s FOR EACH ROW "
				      "EXECUTE FUNCTION trg_pass();\n", t->name,
				      t->trigger == 2 ? " OR UPDATE" : "", t->name);
			if (s->pg.comment)
				rt_buf_printf(b, "COMMENT ON TRIGGER trg_%s ON %s IS 'trigger %d';\n",
					      t->name, t->name, s->pg.comment);
		} else if (t->trigger)
			rt_buf_printf(b, "CREATE TRIGGER trg_%s AFTER INSERT ON %s BEGIN SELECT 1; END;\n",
				      t->name, t->name);
	}
	attr_partitions(b, s);
	attr_not_valid(b, s);
	for (i = 0; i < s->nv; i++) {
		rt_buf_printf(b, "CREATE %sVIEW %s AS SELECT ", s->v[i].mat ? "MATERIALIZED " : "",
			      s->v[i].name);
		for (k = 0; k < s->v[i].n; k++)
			rt_buf_printf(b, "%s%s", k ? ", " : "", s->v[i].cols[k]);
		rt_buf_printf(b, " FROM %s;\n", s->v[i].table);
		if (s->v[i].mat && s->v[i].mvidx)
			rt_buf_printf(b, "CREATE INDEX mvix_%s ON %s (%s);\n", s->v[i].name,
				      s->v[i].name, s->v[i].cols[0]);
		if (s->v[i].comment)
			rt_buf_printf(b, "COMMENT ON %sVIEW %s IS 'view %d';\n",
				      s->v[i].mat ? "MATERIALIZED " : "", s->v[i].name, s->v[i].comment);
	}
}


static void value(rt_buf *b, const gcol *c, int row)
{
	switch (fam(c)) {
	case 'i': rt_buf_printf(b, "%d", row); break;
	case 't': rt_buf_printf(b, "'v%d'", row); break;
	case 'r': rt_buf_printf(b, "%d.5", row); break;
	case 'n': rt_buf_printf(b, "%d.25", row); break;
	case 'b':
		if (gen_pg)
			rt_buf_puts(b, row % 2 ? "true" : "false");
		else
			rt_buf_printf(b, "%d", row % 2);
		break;
	case 'd': rt_buf_printf(b, "'2024-01-0%d'", row); break;
	case 'T': rt_buf_printf(b, "'2024-01-0%d 10:00:00'", row); break;
	case 'x': rt_buf_printf(b, gen_pg ? "'\\x0%d'" : "x'0%d'", row); break;
	case 'e': rt_buf_puts(b, "'sad'"); break;
	}
}

#define NROWS 3

static void rows_sql(rt_buf *b, const gschema *s)
{
	int rank, i, k, row;

	for (rank = 0; rank < 64; rank++)
		for (i = 0; i < s->nt; i++) {
			const gtable *t = &s->t[i];
			if (t->rank != rank)
				continue;
			rt_buf_printf(b, "INSERT INTO %s (", t->name);
			for (k = 0; k < t->ncols; k++)
				rt_buf_printf(b, "%s%s", k ? ", " : "", t->cols[k].name);
			rt_buf_puts(b, ")");
			if (gen_pg)
				rt_buf_puts(b, " OVERRIDING SYSTEM VALUE");
			rt_buf_puts(b, " VALUES ");
			for (row = 1; row <= NROWS; row++) {
				rt_buf_printf(b, "%s(", row > 1 ? ", " : "");
				for (k = 0; k < t->ncols; k++) {
					if (k)
						rt_buf_puts(b, ", ");
					value(b, &t->cols[k], row);
				}
				rt_buf_puts(b, ")");
			}
			rt_buf_puts(b, ";\n");
		}
}

/* ---- the test harness ---------------------------------------------------------- */

/* A database the pairs run on, and the project around it. */
typedef struct prop {
	int pg;              /* a PostgreSQL database (else a SQLite file) */
	char dir[256];       /* the project's folder */
	char url[512];
	const rt_driver *drv;
	rt_url u;
	rt_conn *conn;
	rt_buf own_log;
	rt_buf *log;         /* what to show when the pair fails: own_log or shared */
} prop;

static void note(prop *p, const char *fmt, ...) RT_PRINTF(2, 3);

static void note(prop *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_buf_vprintf(p->log, fmt, ap);
	va_end(ap);
}

static int write_text(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "w")))
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void clear_versions(prop *p)
{
	char path[512];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "%s/migrations/versions", p->dir);
	if (!(d = opendir(path)))
		return;
	while ((e = readdir(d)) != NULL) {
		char f[800];
		if (e->d_name[0] == '.')
			continue;
		snprintf(f, sizeof(f), "%s/%s", path, e->d_name);
		unlink(f);
	}
	closedir(d);
}

static int db_exec(prop *p, const char *sql)
{
	rt_buf err = RT_BUF_INIT;
	int rc = p->drv->exec(p->conn, sql, strlen(sql), NULL, &err);

	if (rc < 0)
		note(p, "exec failed: %s\n", err.ptr);
	rt_buf_release(&err);
	return rc;
}

/* The database's schema, retort's own tables left out. */
static int db_model(prop *p, rt_schema *out)
{
	rt_buf err = RT_BUF_INIT;
	size_t i = 0;
	int rc = p->drv->introspect(p->conn, NULL, out, &err);

	if (rc < 0)
		note(p, "introspect failed: %s\n", err.ptr);
	rt_buf_release(&err);
	while (rc >= 0 && i < out->ntables)
		if (!strncmp(out->tables[i].name, "retort_", 7))
			rt_schema_remove_table(out, i);
		else
			i++;
	return rc;
}

/* The model of a schema's SQL, built the way autogenerate builds it. */
static int sql_model(prop *p, const char *sql, rt_schema *out)
{
	rt_buf err = RT_BUF_INIT;
	int rc;

	if (p->pg) {
		rt_buf pre = RT_BUF_INIT;
		rt_buf_puts(&pre, "CREATE SCHEMA prop_scratch; SET LOCAL search_path TO prop_scratch;");
		if ((rc = p->drv->begin(p->conn, &err)) >= 0 &&
		    (rc = p->drv->exec(p->conn, pre.ptr, pre.len, NULL, &err)) >= 0 &&
		    (rc = p->drv->exec(p->conn, sql, strlen(sql), NULL, &err)) >= 0)
			rc = p->drv->introspect(p->conn, "prop_scratch", out, &err);
		p->drv->rollback(p->conn);
		rt_buf_release(&pre);
	} else {
		rt_url mem = { 0 };
		rt_config cfg;
		rt_conn *c = NULL;
		rt_config_defaults(&cfg, "/");
		if ((rc = rt_url_parse(&mem, "sqlite://", "/", &err)) >= 0 &&
		    (rc = p->drv->connect(&c, &mem, &cfg, &err)) >= 0 &&
		    (rc = p->drv->exec(c, sql, strlen(sql), NULL, &err)) >= 0)
			rc = p->drv->introspect(c, NULL, out, &err);
		if (c)
			p->drv->close(c);
		rt_url_release(&mem);
		rt_config_release(&cfg);
	}
	if (rc < 0)
		note(p, "the schema does not load: %s\n", err.ptr);
	rt_buf_release(&err);
	return rc;
}

static void show_model(prop *p, const char *what, const rt_schema *m)
{
	rt_schema none;
	rt_diff d;
	rt_buf sql = RT_BUF_INIT, err = RT_BUF_INIT;

	rt_schema_init(&none, m->renderer);
	if (rt_diff_schemas(&d, &none, m, NULL, 0, 0, &err) >= 0) {
		rt_render(&sql, &d, m->renderer, NULL, &err);
		rt_diff_release(&d);
	}
	note(p, "---- %s:\n%s", what, sql.ptr);
	rt_schema_release(&none);
	rt_buf_release(&sql);
	rt_buf_release(&err);
}

/* The database equals model `want`; otherwise say how they differ. */
static int same_schema(prop *p, const rt_schema *want, const char *when)
{
	rt_schema have;
	rt_diff d;
	rt_buf err = RT_BUF_INIT, ops = RT_BUF_INIT;
	size_t i;
	int ok;

	if (db_model(p, &have) < 0)
		return 0;
	ok = rt_schema_equal(&have, want);
	if (!ok) {
		note(p, "%s: the database's schema is not the model's\n", when);
		if (rt_diff_schemas(&d, &have, want, NULL, 0, 0, &err) >= 0) {
			for (i = 0; i < d.nops; i++) {
				rt_op_describe(&ops, &d.ops[i]);
				rt_buf_putc(&ops, '\n');
			}
			note(p, "operations from the database to the model:\n%s", ops.ptr);
			rt_diff_release(&d);
		}
		show_model(p, "database", &have);
		show_model(p, "model", want);
	}
	rt_schema_release(&have);
	rt_buf_release(&err);
	rt_buf_release(&ops);
	return ok;
}

/* The rows of every column A and B share, as text, sorted; names as
 * they are in the schema `use_b ? B : A`. */
static int snapshot(prop *p, const gschema *a, const gschema *b, const renames *r, int use_b,
		    rt_strlist *out)
{
	int i, k, j, rc = 0;

	for (i = 0; i < a->nt && rc >= 0; i++) {
		const gtable *ta = &a->t[i];
		const char *bname = "";
		const gtable *tb;
		rt_buf q = RT_BUF_INIT, err = RT_BUF_INIT;
		int n = 0;
		for (k = 0; k < r->nt; k++)
			if (!strcmp(r->from_t[k], ta->name))
				bname = r->to_t[k];
		if (!*bname || !(tb = gtab((gschema *)b, bname)))
			continue;
		rt_buf_puts(&q, "SELECT ");
		for (k = 0; k < ta->ncols; k++) {
			const char *cb = ta->cols[k].name;
			for (j = 0; j < r->nc; j++)
				if (!strcmp(r->col_t[j], tb->name) && !strcmp(r->col_from[j], cb))
					cb = r->col_to[j];
			if (!gcolumn((gtable *)tb, cb))
				continue;
			rt_buf_printf(&q, "%s%s", n++ ? ", " : "", use_b ? cb : ta->cols[k].name);
		}
		if (!n) {
			rt_buf_release(&q);
			continue;
		}
		rt_buf_printf(&q, " FROM %s ORDER BY ", use_b ? tb->name : ta->name);
		for (k = 1; k <= n; k++)
			rt_buf_printf(&q, "%s%d", k > 1 ? ", " : "", k);
		rt_strlist_add(out, q.ptr + strlen("SELECT "));
		if ((rc = p->drv->query(p->conn, q.ptr, n, out, &err)) < 0)
			note(p, "cannot read the rows (%s): %s\n", q.ptr, err.ptr);
		rt_buf_release(&q);
		rt_buf_release(&err);
	}
	return rc;
}

static int same_rows(prop *p, const rt_strlist *want, const rt_strlist *have, const char *when)
{
	size_t i;

	if (want->count == have->count) {
		for (i = 0; i < want->count; i++)
			if (strcmp(want->items[i], have->items[i]) &&
			    !strstr(want->items[i], " ORDER BY "))
				break;
		if (i == want->count)
			return 1;
	}
	note(p, "%s: the rows changed (%zu values before, %zu after)\n", when, want->count,
	     have->count);
	for (i = 0; i < want->count || i < have->count; i++)
		note(p, "  %-30s | %s\n", i < want->count ? want->items[i] : "",
		     i < have->count ? have->items[i] : "");
	return 0;
}

/*
 * autogenerate, a revision of its SQL, and upgrade head.  With `ndialects`,
 * for the dialects of retort.ini's `dialects`, which must give a section
 * for each of `dialects`, in that order; else one plain section.  The SQL
 * goes to the notes when there are renames (the A -> B step).
 */
static int step(prop *p, retort *ctx, const char *msg, const renames *r,
		const char *const *dialects, size_t ndialects)
{
	retort_autogen_options ao = RETORT_AUTOGEN_OPTIONS_INIT;
	retort_revision_options ro = RETORT_REVISION_OPTIONS_INIT;
	retort_autogen_set set = { 0 };
	retort_autogen_dialect one = { 0 };
	char *path = NULL;
	size_t i;
	int rc;

	if (r) {
		ao.renames = r->ptrs;
		ao.nrenames = (size_t)r->n;
	}
	if (ndialects)
		rc = retort_autogenerate_dialects(&set, ctx, &ao);
	else if ((rc = retort_autogenerate(&one.result, ctx, &ao)) >= 0) {
		set.dialects = &one;
		set.count = 1;
	}
	if (rc < 0) {
		note(p, "%s: autogenerate failed: %s\n", msg, retort_errmsg(ctx));
		return rc;
	}
	for (i = 0; r && i < set.count; i++) {
		const retort_autogen *ag = &set.dialects[i].result;
		const char *d = ndialects ? set.dialects[i].dialect : "";
		note(p, "---- %s%supgrade (%s):\n%s---- %s%sdowngrade (%s):\n%s", d, *d ? " " : "",
		     ag->upgrade_options, ag->upgrade_sql, d, *d ? " " : "", ag->downgrade_options,
		     ag->downgrade_sql);
	}
	for (i = 0; i < ndialects; i++)
		if (set.count != ndialects || strcmp(set.dialects[i].dialect, dialects[i])) {
			note(p, "%s: autogenerate gave %zu sections, not one for each of the %zu "
			     "dialects\n", msg, set.count, ndialects);
			rc = -1;
			goto done;
		}
	ro.message = msg;
	if (ndialects) {
		ro.dialect_sections = set.dialects;
		ro.ndialect_sections = set.count;
	} else {
		ro.upgrade_sql = one.result.upgrade_sql;
		ro.downgrade_sql = one.result.downgrade_sql;
		ro.upgrade_options = one.result.upgrade_options;
		ro.downgrade_options = one.result.downgrade_options;
	}
	if ((rc = retort_revision(&path, ctx, &ro)) < 0)
		note(p, "%s: revision failed: %s\n", msg, retort_errmsg(ctx));
	else if ((rc = retort_upgrade(ctx, "head", NULL)) < 0)
		note(p, "%s: upgrade failed: %s\n", msg, retort_errmsg(ctx));
done:
	free(path);
	if (ndialects)
		retort_autogen_set_release(&set);
	else
		retort_autogen_release(&one.result);
	return rc;
}

/* An empty database: PostgreSQL's public schema made again, SQLite's
 * file removed and opened again. */
static int reset_db(prop *p)
{
	rt_buf err = RT_BUF_INIT;
	rt_config cfg;
	char path[512];
	int rc;

	if (p->pg)
		return db_exec(p, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
	if (p->conn)
		p->drv->close(p->conn);
	p->conn = NULL;
	snprintf(path, sizeof(path), "%s/db.sqlite", p->dir);
	unlink(path);
	rt_config_defaults(&cfg, "/");
	if ((rc = p->drv->connect(&p->conn, &p->u, &cfg, &err)) < 0)
		note(p, "cannot open %s: %s\n", path, err.ptr);
	rt_config_release(&cfg);
	rt_buf_release(&err);
	return rc;
}

/* Open the project of p->dir; `url` (NULL: the file's) as -u gives it. */
static int open_project(prop *p, retort **ctx, const char *url)
{
	retort_options o = RETORT_OPTIONS_INIT;
	char cfg[512];

	snprintf(cfg, sizeof(cfg), "%s/retort.ini", p->dir);
	o.config_path = cfg;
	o.url = url;
	if (retort_new(ctx) < 0 || retort_open(*ctx, &o) < 0) {
		note(p, "cannot open the project: %s\n", retort_errmsg(*ctx));
		return -1;
	}
	return 0;
}

/* `check` finds nothing between the database and its model. */
static int check_clean(prop *p, retort *ctx, const char *when)
{
	retort_autogen ag = { 0 };
	size_t i;
	int ok = 0;

	if (retort_check(&ag, ctx) < 0) {
		note(p, "%s: check failed: %s\n", when, retort_errmsg(ctx));
	} else if (ag.operations.count) {
		note(p, "%s: check is not clean:\n", when);
		for (i = 0; i < ag.operations.count; i++)
			note(p, "  %s\n", ag.operations.strings[i]);
	} else {
		ok = 1;
	}
	retort_autogen_release(&ag);
	return ok;
}

static void note_renames(prop *p, const renames *r)
{
	int i;

	note(p, "---- renames:");
	for (i = 0; i < r->n; i++)
		note(p, " %s", r->spec[i]);
	note(p, "\n");
}

static unsigned long long env_num(const char *name, unsigned long long dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 10) : dflt;
}

/* A folder for the project, with its versions folder and a template
 * whose sections are the plain ones autogenerate fills. */
static int project_setup(char *dir, size_t size)
{
	char path[512];

	snprintf(dir, size, "/tmp/retort-prop-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/migrations", dir);
	mkdir(path, 0777);
	snprintf(path, sizeof(path), "%s/migrations/versions", dir);
	mkdir(path, 0777);
	return write_text(dir, "migrations/script.sql.tmpl",
			  "-- ${message}\n--\n-- revision: ${revision}\n-- down_revision: ${down_revision}\n"
			  "-- branch_labels: ${branch_labels}\n-- depends_on: ${depends_on}\n"
			  "-- create_date: ${create_date}\n\n-- +upgrade\n${upgrades}\n"
			  "-- +downgrade\n${downgrades}\n");
}

static void project_remove(const char *dir)
{
	char cmd[600];

	if (strncmp(dir, "/tmp/retort-prop-", 17))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

/* The URL of the test server's administration database (RETORT_PG_STATE
 * names the file the CTest fixture pg/start writes it to). */
static int pg_admin_url(char *out, size_t size)
{
	const char *state = getenv("RETORT_PG_STATE");
	FILE *f = state ? fopen(state, "r") : NULL;
	char *nl;
	int ok = f && fgets(out, (int)size, f);

	if (f)
		fclose(f);
	if (!ok) {
		fprintf(stderr, "RETORT_PG_STATE must name the file with the test server's URL\n");
		return -1;
	}
	if ((nl = strchr(out, '\n')) != NULL)
		*nl = '\0';
	return 0;
}

/* Run `sql` on the test server's administration database. */
static int pg_admin_exec(const rt_driver *drv, const char *sql, rt_buf *err)
{
	char admin[512];
	rt_config cfg;
	rt_url au = { 0 };
	rt_conn *ac = NULL;
	int rc;

	if (pg_admin_url(admin, sizeof(admin)) < 0)
		return -1;
	rt_config_defaults(&cfg, "/");
	if ((rc = rt_url_parse(&au, admin, "/", err)) >= 0 &&
	    (rc = drv->connect(&ac, &au, &cfg, err)) >= 0) {
		rc = drv->exec(ac, sql, strlen(sql), NULL, err);
		drv->close(ac);
	}
	rt_url_release(&au);
	rt_config_release(&cfg);
	return rc;
}

/* The database of a prop in the project folder `dir`: a SQLite file
 * there, or a PostgreSQL database of this process on the test server. */
static int prop_setup(prop *p, int pg, const char *dir)
{
	rt_buf err = RT_BUF_INIT;
	rt_config cfg;
	char sql[256], *slash;
	int rc;

	memset(p, 0, sizeof(*p));
	p->pg = pg;
	rt_buf_init(&p->own_log);
	p->log = &p->own_log;
	snprintf(p->dir, sizeof(p->dir), "%s", dir);
	if (!pg) {
		snprintf(p->url, sizeof(p->url), "sqlite:///%s/db.sqlite", p->dir);
		if ((rc = rt_driver_for(&p->drv, "sqlite", &err)) >= 0)
			rc = rt_url_parse(&p->u, p->url, "/", &err);
		goto done;
	}
	if ((rc = rt_driver_for(&p->drv, "postgresql", &err)) < 0 ||
	    (rc = pg_admin_url(p->url, sizeof(p->url))) < 0)
		goto done;
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS retort_prop_%ld; "
		 "CREATE DATABASE retort_prop_%ld;", (long)getpid(), (long)getpid());
	if ((rc = pg_admin_exec(p->drv, sql, &err)) < 0)
		goto done;
	/* the same server, this process's database */
	slash = strrchr(p->url, '/');
	snprintf(slash, sizeof(p->url) - (size_t)(slash - p->url), "/retort_prop_%ld",
		 (long)getpid());
	rt_config_defaults(&cfg, "/");
	if ((rc = rt_url_parse(&p->u, p->url, "/", &err)) >= 0)
		rc = p->drv->connect(&p->conn, &p->u, &cfg, &err);
	rt_config_release(&cfg);
done:
	if (rc < 0)
		fprintf(stderr, "set-up of the %s database failed: %s\n", pg ? "postgresql" : "sqlite",
			err.ptr);
	rt_buf_release(&err);
	return rc;
}

static void prop_teardown(prop *p)
{
	rt_buf err = RT_BUF_INIT;
	char sql[128];

	if (p->conn)
		p->drv->close(p->conn);
	p->conn = NULL;
	if (p->pg && p->drv) {
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS retort_prop_%ld WITH (FORCE)",
			 (long)getpid());
		if (pg_admin_exec(p->drv, sql, &err) < 0)
			fprintf(stderr, "the test database was left behind: %s\n", err.ptr);
	}
	rt_buf_release(&err);
	rt_url_release(&p->u);
	rt_buf_release(&p->own_log);
}

/*
 * Run `pair` for every seed the environment asks for (`dflt` pairs unless
 * RETORT_PROPERTY_PAIRS says), `log` holding its notes: a failing seed is
 * printed (the first three with their notes), then a line of totals.
 * Returns the number that failed.
 */
static unsigned long long prop_run(const char *what, unsigned long long dflt,
				   int (*pair)(void *arg, unsigned long long seed), void *arg,
				   const rt_buf *log)
{
	unsigned long long base = env_num("RETORT_PROPERTY_BASE", 1);
	/* the suite's count comes from CMake, a run's own from the caller */
	unsigned long long pairs = env_num("RETORT_PROPERTY_PAIRS",
					   env_num("RETORT_PROPERTY_PAIRS_DEFAULT", dflt));
	unsigned long long only = env_num("RETORT_PROPERTY_SEED", 0), seed, shown = 0, failures = 0;
	double t0 = rt_now_ms();

	if (only) {
		base = only;
		pairs = 1;
	}
	for (seed = base; seed < base + pairs; seed++) {
		if (pair(arg, seed)) {
			if (getenv("RETORT_PROPERTY_VERBOSE"))
				fprintf(stderr, "\n==== %s pair with seed %llu passed\n%s", what, seed,
					log->ptr);
			continue;
		}
		failures++;
		if (shown++ < 3)
			fprintf(stderr, "\n==== %s pair with seed %llu failed (replay: "
				"RETORT_PROPERTY_SEED=%llu)\n%s", what, seed, seed, log->ptr);
		else
			fprintf(stderr, "==== %s pair with seed %llu failed\n", what, seed);
	}
	fprintf(stderr, "%s: %llu random schema pairs, seeds %llu..%llu: %llu failed (%.1f s)\n",
		what, pairs, base, base + pairs - 1, failures, (rt_now_ms() - t0) / 1000);
	return failures;
}

#ifndef PROP_DIALECTS

/* ---- the test of one dialect ---------------------------------------------------- */

/* schema dump of the database: it loads into a model equal to `want`,
 * and dumping that again gives the same text */
static int dump_fixed_point(prop *p, retort *ctx, const rt_schema *want)
{
	rt_schema m = { 0 }, none;
	rt_diff d;
	rt_buf again = RT_BUF_INIT, err = RT_BUF_INIT;
	char *text = NULL;
	int ok = 0;

	if (retort_schema_dump(&text, ctx, NULL) < 0) {
		note(p, "schema dump failed: %s\n", retort_errmsg(ctx));
		return 0;
	}
	if (sql_model(p, text, &m) < 0) {
		note(p, "the dump does not load:\n%s", text);
		goto done;
	}
	if (!rt_schema_equal(&m, want)) {
		note(p, "the dump loads into another schema:\n%s", text);
		show_model(p, "loaded dump", &m);
		goto done;
	}
	rt_schema_init(&none, m.renderer);
	if (rt_diff_schemas(&d, &none, &m, NULL, 0, 0, &err) >= 0) {
		rt_render(&again, &d, m.renderer, NULL, &err);
		rt_diff_release(&d);
	}
	rt_schema_release(&none);
	if (strcmp(text, again.ptr))
		note(p, "dumping the loaded dump gives another text:\n%s---- again:\n%s", text,
		     again.ptr);
	else
		ok = 1;
done:
	free(text);
	rt_schema_release(&m);
	rt_buf_release(&again);
	rt_buf_release(&err);
	return ok;
}

static int one_pair(void *arg, unsigned long long seed)
{
	prop *p = arg;
	gschema a, b;
	renames r;
	rt_buf sa = RT_BUF_INIT, sb = RT_BUF_INIT, rows = RT_BUF_INIT, ini = RT_BUF_INIT;
	rt_schema ma = { 0 }, mb = { 0 };
	rt_strlist before = { 0 }, after = { 0 }, back = { 0 };
	retort *ctx = NULL;
	int ok = 0;

	gen_pair(seed, &a, &b, &r);
	schema_sql(&sa, &a);
	schema_sql(&sb, &b);
	rows_sql(&rows, &a);
	rt_buf_clear(p->log);
	note(p, "---- schema A:\n%s---- rows:\n%s---- schema B:\n%s", sa.ptr, rows.ptr, sb.ptr);
	note_renames(p, &r);

	clear_versions(p);
	if (reset_db(p) < 0)
		goto done;
	rt_buf_printf(&ini, "[retort]\nscript_location = migrations\nurl = %s\nschema = schema.sql\n",
		      p->url);
	if (write_text(p->dir, "retort.ini", ini.ptr) < 0 || write_text(p->dir, "schema.sql", sa.ptr) < 0)
		goto done;
	if (sql_model(p, sa.ptr, &ma) < 0 || sql_model(p, sb.ptr, &mb) < 0)
		goto done;
	if (open_project(p, &ctx, NULL) < 0)
		goto done;
	/* A, with rows */
	if (step(p, ctx, "create A", NULL, NULL, 0) < 0 || !same_schema(p, &ma, "at A") ||
	    db_exec(p, rows.ptr) < 0 || snapshot(p, &a, &b, &r, 0, &before) < 0)
		goto done;
	/* A -> B */
	if (write_text(p->dir, "schema.sql", sb.ptr) < 0 || step(p, ctx, "A to B", &r, NULL, 0) < 0)
		goto done;
	if (!same_schema(p, &mb, "after upgrade to B") || !check_clean(p, ctx, "at B"))
		goto done;
	if (snapshot(p, &a, &b, &r, 1, &after) < 0 || !same_rows(p, &before, &after, "at B"))
		goto done;
	if (!dump_fixed_point(p, ctx, &mb))
		goto done;
	/* and back */
	if (retort_downgrade(ctx, "-1", NULL) < 0) {
		note(p, "downgrade failed: %s\n", retort_errmsg(ctx));
		goto done;
	}
	if (!same_schema(p, &ma, "after downgrade to A"))
		goto done;
	if (snapshot(p, &a, &b, &r, 0, &back) < 0 || !same_rows(p, &before, &back, "back at A"))
		goto done;
	ok = 1;
done:
	retort_free(ctx);
	rt_schema_release(&ma);
	rt_schema_release(&mb);
	rt_strlist_release(&before);
	rt_strlist_release(&after);
	rt_strlist_release(&back);
	rt_buf_release(&sa);
	rt_buf_release(&sb);
	rt_buf_release(&rows);
	rt_buf_release(&ini);
	return ok;
}

static void test_autogen_pairs(void **state)
{
	char dir[256];
	prop p;
	unsigned long long failed;

	(void)state;
#ifdef PROP_PG
	gen_pg = 1;
#endif
	if (project_setup(dir, sizeof(dir)) < 0 || prop_setup(&p, gen_pg, dir) < 0)
		fail_msg("cannot set the property test up");
	failed = prop_run(gen_pg ? "postgresql" : "sqlite", 100, one_pair, &p, p.log);
	prop_teardown(&p);
	project_remove(dir);
	if (failed)
		fail_msg("%llu pairs failed", failed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_autogen_pairs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
