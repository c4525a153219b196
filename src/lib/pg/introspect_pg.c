/*
 * introspect_pg.c - a PostgreSQL schema as a model, from pg_catalog.
 *
 * Texts are the server's own deparsing (format_type, pg_get_expr,
 * pg_get_indexdef, pg_get_viewdef, pg_get_triggerdef, pg_get_functiondef),
 * so the model of a database built from rendered SQL is the model it was
 * rendered from; the pretty forms leave out the schema of what is on the
 * search path, which the model's scratch schema is.  One query per kind
 * of object, never one per table.  Lists come back joined with the unit
 * separator (0x1f), which no identifier holds in practice.  What an
 * extension made is its own (CREATE EXTENSION), not the schema's.
 */
#ifdef RETORT_WITH_PG  /* (built with the PostgreSQL driver only) */
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "introspect.h"
#include "pgapi.h"

#define SEP "\x1f"

typedef struct ic {
	PGconn *pg;
	const char *schema;   /* NULL: current_schema() */
	rt_schema *out;
	rt_buf *err;
} ic;

static int oom(ic *c)
{
	return rt_error(c->err, RETORT_ERROR, "out of memory");
}

/* Run a catalog query with the schema as $1. */
static int query(ic *c, const char *sql, PGresult **res)
{
	const char *params[1] = { c->schema };

	*res = PQexecParams(c->pg, sql, 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(*res) != PGRES_TUPLES_OK) {
		const char *msg = PQresultErrorMessage(*res);
		rt_error(c->err, RETORT_ERROR, "cannot read the schema: %.*s",
			 (int)strcspn(msg, "\n"), msg);
		PQclear(*res);
		*res = NULL;
		return RETORT_ERROR;
	}
	return 0;
}

static const char *val(PGresult *res, int row, int col)
{
	/* (a column the query does not have is NULL) */
	return col >= PQnfields(res) || PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

/* Split a SEP-joined list into `out`. */
static int split(rt_strlist *out, const char *s)
{
	while (s && *s) {
		size_t n = strcspn(s, SEP);
		if (rt_strlist_addn(out, s, n) < 0)
			return -1;
		s += n;
		if (*s)
			s++;
	}
	return 0;
}

/* The table named in column 0 of row i, for the queries ordered by
 * table: looked for once per table, not once per row (a linear search
 * per column was quadratic in the tables). */
static rt_table *row_table(ic *c, PGresult *res, int i, rt_table **last)
{
	const char *name = val(res, i, 0);

	if (!*last || strcmp((*last)->name, name))
		*last = rt_schema_table(c->out, name);
	return *last;
}

static char *action(const char *code)
{
	const char *a = NULL;

	switch (code ? *code : 'a') {
	case 'r': a = "RESTRICT"; break;
	case 'c': a = "CASCADE"; break;
	case 'n': a = "SET NULL"; break;
	case 'd': a = "SET DEFAULT"; break;
	default: return NULL;
	}
	return rt_strdup(a);
}

#define IN_SCHEMA "n.nspname = COALESCE($1, current_schema())"

/* Not a member of an extension (postgis's spatial_ref_sys): an
 * extension's objects come and go with it. */
#define NOT_EXT_MEMBER(catalog, oid) \
	"NOT EXISTS (SELECT 1 FROM pg_depend xd WHERE xd.classid = '" catalog "'::regclass " \
	"AND xd.objid = " oid " AND xd.deptype = 'e')"

/* Storage parameters (reloptions) in a stable order. */
#define SORTED_OPTIONS(col) \
	"array_to_string(ARRAY(SELECT o FROM unnest(" col ") o ORDER BY 1), E'\\x1f')"

static int tables(ic *c)
{
	PGresult *res;
	int i, rc;

	if ((rc = query(c, "SELECT c.relname, obj_description(c.oid, 'pg_class'), "
			"c.relpersistence = 'u', " SORTED_OPTIONS("c.reloptions") ", "
			"CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END, "
			"(SELECT pc.relname FROM pg_inherits h JOIN pg_class pc ON pc.oid = h.inhparent "
			"  WHERE h.inhrelid = c.oid AND c.relispartition), "
			"CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END "
			"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
			"WHERE " IN_SCHEMA " AND c.relkind IN ('r', 'p') "
			"AND " NOT_EXT_MEMBER("pg_class", "c.oid") " ORDER BY 1", &res)) < 0)
		return rc;
	for (i = 0; i < PQntuples(res) && rc >= 0; i++) {
		rt_table *t = rt_schema_add_table(c->out, val(res, i, 0));
		if (!t || rt_set_str(&t->comment, val(res, i, 1)) < 0 ||
		    split(&t->storage, val(res, i, 3)) < 0 ||
		    rt_set_str(&t->partition_by, val(res, i, 4)) < 0 ||
		    rt_set_str(&t->partition_of, val(res, i, 5)) < 0 ||
		    rt_set_str(&t->partition_bound, val(res, i, 6)) < 0) {
			rc = oom(c);
			break;
		}
		t->unlogged = !strcmp(val(res, i, 2), "t");
	}
	PQclear(res);
	return rc;
}

/* `type` without the leading "schema." of `nsp` (quoted as needed):
 * the type is the same whichever way the search path made the server
 * spell it. */
static const char *unqualified(const char *type, const char *nsp)
{
	size_t n = nsp ? strlen(nsp) : 0;

	return n && !strncmp(type, nsp, n) && type[n] == '.' ? type + n + 1 : type;
}

static int extensions(ic *c)
{
	PGresult *res;
	int i, rc;

	/* the database's, whatever schema is read (the schema parameter
	 * every query gets is unused but must be typed); plpgsql is every
	 * database's own */
	if ((rc = query(c, "SELECT x.extname, n.nspname, $1::text FROM pg_extension x "
			"JOIN pg_namespace n ON n.oid = x.extnamespace "
			"WHERE x.extname <> 'plpgsql' ORDER BY 1", &res)) < 0)
		return rc;
	for (i = 0; i < PQntuples(res) && rc >= 0; i++)
		if (!rt_schema_add_extension(c->out, val(res, i, 0), val(res, i, 1)))
			rc = oom(c);
	PQclear(res);
	return rc;
}

static int columns(ic *c)
{
	PGresult *res;
	rt_table *last = NULL;
	int i, rc;

	if ((rc = query(c,
			"SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), "
			"a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, "
			"CASE WHEN a.attcollation <> t.typcollation THEN co.collname END, "
			"col_description(a.attrelid, a.attnum), "
			"EXISTS (SELECT 1 FROM pg_depend dep JOIN pg_class s ON s.oid = dep.objid "
			"  WHERE dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum "
			"  AND dep.classid = 'pg_class'::regclass AND s.relkind = 'S' "
			"  AND dep.deptype = 'a'), "
			/* the schema qualifying a type of pg_catalog or of an
			 * extension, which format_type writes where the search
			 * path misses it ("public.citext") */
			"(SELECT quote_ident(tn.nspname) FROM pg_type bt "
			"  JOIN pg_namespace tn ON tn.oid = bt.typnamespace "
			"  WHERE bt.oid = CASE WHEN t.typcategory = 'A' AND t.typelem <> 0 "
			"    THEN t.typelem ELSE t.oid END "
			"  AND (tn.nspname = 'pg_catalog' OR NOT " NOT_EXT_MEMBER("pg_type", "bt.oid") ")), "
			"a.attgenerated, " SORTED_OPTIONS("a.attoptions") " "
			"FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
			"JOIN pg_namespace n ON n.oid = c.relnamespace "
			"JOIN pg_type t ON t.oid = a.atttypid "
			"LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
			"LEFT JOIN pg_collation co ON co.oid = a.attcollation "
			"WHERE " IN_SCHEMA " AND c.relkind IN ('r', 'p') "
			"AND a.attnum > 0 AND NOT a.attisdropped "
			"ORDER BY c.relname, a.attnum", &res)) < 0)
		return rc;
	for (i = 0; i < PQntuples(res) && rc >= 0; i++) {
		rt_table *t = row_table(c, res, i, &last);
		const char *dflt = val(res, i, 4), *ident = val(res, i, 5), *gen = val(res, i, 10);
		rt_column *col;
		if (!t)
			continue;
		if (!(col = rt_table_add_column(t, val(res, i, 1), unqualified(val(res, i, 2),
										val(res, i, 9))))) {
			rc = oom(c);
			break;
		}
		col->notnull = !strcmp(val(res, i, 3), "t");
		if (ident && *ident == 'a')
			col->autoinc = RT_AUTO_IDENTITY_ALWAYS;
		else if (ident && *ident == 'd')
			col->autoinc = RT_AUTO_IDENTITY;
		else if (dflt && !strcmp(val(res, i, 8), "t") && !strncmp(dflt, "nextval(", 8))
			col->autoinc = RT_AUTO_SERIAL, dflt = NULL;
		/* a generated column's expression sits where a default would,
		 * in parentheses that GENERATED ALWAYS AS ( ) writes again */
		if (gen && *gen) {
			size_t n = dflt ? strlen(dflt) : 0;
			int outer = n > 1 && dflt[0] == '(' && rt_sql_match_paren(dflt, n, 0) == n;
			col->gen_stored = *gen == 's';
			if (!(col->generated = outer ? rt_strndup(dflt + 1, n - 2)
						     : rt_strdup(dflt ? dflt : "")))
				rc = oom(c);
			dflt = NULL;
		}
		if (rt_set_str(&col->dflt, dflt) < 0 || rt_set_str(&col->collation, val(res, i, 6)) < 0 ||
		    rt_set_str(&col->comment, val(res, i, 7)) < 0 || split(&col->options, val(res, i, 11)) < 0)
			rc = oom(c);
	}
	PQclear(res);
	return rc;
}

#define ATTNAMES(arr, rel) \
	"array_to_string(ARRAY(SELECT a.attname FROM unnest(" arr ") WITH ORDINALITY u(num, ord) " \
	"JOIN pg_attribute a ON a.attrelid = " rel " AND a.attnum = u.num ORDER BY u.ord), E'\\x1f')"

static int constraints(ic *c)
{
	PGresult *res;
	rt_table *last = NULL;
	int i, rc;

	if ((rc = query(c,
			"SELECT c.relname, k.conname, k.contype, " ATTNAMES("k.conkey", "k.conrelid") ", "
			"f.relname, " ATTNAMES("k.confkey", "k.confrelid") ", "
			"k.confupdtype, k.confdeltype, pg_get_expr(k.conbin, k.conrelid, true), "
			"k.condeferrable, k.condeferred, k.convalidated "
			"FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
			"JOIN pg_namespace n ON n.oid = c.relnamespace "
			"LEFT JOIN pg_class f ON f.oid = k.confrelid "
			"WHERE " IN_SCHEMA " AND k.contype IN ('p', 'u', 'f', 'c') "
			"AND c.relkind IN ('r', 'p') "
			/* not the clones a partition has of its parent's keys, nor
			 * those of a foreign key to a partitioned table on each of
			 * its partitions; nor a partition's inherited checks */
			"AND k.conparentid = 0 AND (k.conislocal OR NOT c.relispartition) "
			"ORDER BY 1, 2", &res)) < 0)
		return rc;
	for (i = 0; i < PQntuples(res) && rc >= 0; i++) {
		rt_table *t = row_table(c, res, i, &last);
		const char *name = val(res, i, 1), *type = val(res, i, 2);
		int deferrable = strcmp(val(res, i, 9), "t") ? RT_NOT_DEFERRABLE
				 : strcmp(val(res, i, 10), "t") ? RT_DEFERRABLE : RT_INITIALLY_DEFERRED;
		int not_valid = strcmp(val(res, i, 11), "t") != 0;
		rt_strlist cols = { 0 };
		size_t k;
		if (!t)
			continue;
		if (split(&cols, val(res, i, 3)) < 0) {
			rc = oom(c);
		} else if (*type == 'p') {
			for (k = 0; k < cols.count; k++) {
				rt_column *col = rt_table_column(t, cols.items[k]);
				if (col)
					col->pk = (int)k + 1;
			}
			if (rt_set_str(&t->pk_name, name) < 0)
				rc = oom(c);
			t->pk_deferrable = deferrable;
		} else if (*type == 'u') {
			rt_unique *u = rt_table_add_unique(t, name);
			if (!u)
				rc = oom(c);
			else {
				u->cols = cols;
				memset(&cols, 0, sizeof(cols));
				u->deferrable = deferrable;
			}
		} else if (*type == 'f') {
			rt_fkey *f = rt_table_add_fkey(t, name, val(res, i, 4));
			if (!f || split(&f->ref_cols, val(res, i, 5)) < 0) {
				rc = oom(c);
			} else {
				f->cols = cols;
				memset(&cols, 0, sizeof(cols));
				f->on_update = action(val(res, i, 6));
				f->on_delete = action(val(res, i, 7));
				f->deferrable = deferrable;
				f->not_valid = not_valid;
			}
		} else if (*type == 'c') {
			const char *expr = val(res, i, 8);
			rt_check *ck = rt_table_add_check(t, name, expr ? expr : "true");
			if (!ck)
				rc = oom(c);
			else
				ck->not_valid = not_valid;
		}
		rt_strlist_release(&cols);
	}
	PQclear(res);
	return rc;
}

static int indexes(ic *c)
{
	PGresult *res;
	rt_table *last = NULL;
	int i, rc;

	/* per key: its text, then COLLATE, the operator class, DESC and
	 * NULLS when not the default (pg_get_indexdef of one key leaves them
	 * out).  A key's default collation is its column's, or for an
	 * expression its type's. */
	if ((rc = query(c,
			"SELECT t.relname, i.relname, x.indisunique, am.amname, "
			"array_to_string(ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true) || "
			"  CASE WHEN x.indcollation[k - 1] <> 0 AND x.indcollation[k - 1] <> COALESCE("
			"    (SELECT a.attcollation FROM pg_attribute a WHERE a.attrelid = x.indrelid "
			"      AND a.attnum = x.indkey[k - 1] AND x.indkey[k - 1] <> 0), "
			"    (SELECT ty.typcollation FROM pg_attribute ia JOIN pg_type ty "
			"      ON ty.oid = ia.atttypid WHERE ia.attrelid = x.indexrelid AND ia.attnum = k)) "
			"  THEN ' COLLATE ' || (SELECT quote_ident(co.collname) FROM pg_collation co "
			"    WHERE co.oid = x.indcollation[k - 1]) ELSE '' END || "
			"  COALESCE((SELECT ' ' || quote_ident(oc.opcname) FROM pg_opclass oc "
			"    WHERE oc.oid = x.indclass[k - 1] AND NOT oc.opcdefault), '') || "
			"  CASE WHEN x.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END || "
			"  CASE WHEN x.indoption[k - 1] & 3 = 2 THEN ' NULLS FIRST' "
			"       WHEN x.indoption[k - 1] & 3 = 1 THEN ' NULLS LAST' ELSE '' END "
			"  FROM generate_series(1, x.indnkeyatts) k ORDER BY k), E'\\x1f'), "
			"pg_get_expr(x.indpred, x.indrelid, true), " SORTED_OPTIONS("i.reloptions") " "
			"FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
			"JOIN pg_class t ON t.oid = x.indrelid "
			"JOIN pg_namespace n ON n.oid = t.relnamespace "
			"JOIN pg_am am ON am.oid = i.relam "
			"WHERE " IN_SCHEMA " AND t.relkind IN ('r', 'p') AND NOT i.relispartition "
			"AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid "
			"  AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x')) "
			"ORDER BY 1, 2", &res)) < 0)
		return rc;
	for (i = 0; i < PQntuples(res) && rc >= 0; i++) {
		rt_table *t = row_table(c, res, i, &last);
		const char *am = val(res, i, 3);
		rt_index *x;
		if (!t)
			continue;
		if (!(x = rt_table_add_index(t, val(res, i, 1)))) {
			rc = oom(c);
			break;
		}
		x->unique = !strcmp(val(res, i, 2), "t");
		if (split(&x->keys, val(res, i, 4)) < 0 || rt_set_str(&x->where, val(res, i, 5)) < 0 ||
		    split(&x->storage, val(res, i, 6)) < 0 ||
		    (am && strcmp(am, "btree") && rt_set_str(&x->method, am) < 0))
			rc = oom(c);
	}
	PQclear(res);
	return rc;
}

static int views(ic *c)
{
	PGresult *res;
	int i, rc;

	if ((rc = query(c, "SELECT c.relname, pg_get_viewdef(c.oid, true), c.relkind = 'm', "
			"obj_description(c.oid, 'pg_class') "
			"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
			"WHERE " IN_SCHEMA " AND c.relkind IN ('v', 'm') "
			"AND " NOT_EXT_MEMBER("pg_class", "c.oid") " ORDER BY 1", &res)) < 0)
		return rc;
	for (i = 0; i < PQntuples(res) && rc >= 0; i++) {
		const char *def = val(res, i, 1) ? val(res, i, 1) : "";
		char *norm = rt_sql_normalized(def, strlen(def), NULL);
		rt_view *v = norm ? rt_schema_add_view(c->out, val(res, i, 0), norm) : NULL;
		if (!v || rt_set_str(&v->comment, val(res, i, 3)) < 0)
			rc = oom(c);
		else
			v->materialized = !strcmp(val(res, i, 2), "t");
		free(norm);
	}
	PQclear(res);
	return rc;
}

static int enums(ic *c)
{
	PGresult *res;
	int i, rc;

	if ((rc = query(c, "SELECT t.typname, array_to_string(ARRAY(SELECT e.enumlabel FROM pg_enum e "
			"WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder), E'\\x1f') "
			"FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
			"WHERE " IN_SCHEMA " AND t.typtype = 'e' "
			"AND " NOT_EXT_MEMBER("pg_type", "t.oid") " ORDER BY 1", &res)) < 0)
		return rc;
	for (i = 0; i < PQntuples(res) && rc >= 0; i++) {
		rt_enum *e = rt_schema_add_enum(c->out, val(res, i, 0));
		if (!e || split(&e->labels, val(res, i, 1)) < 0)
			rc = oom(c);
	}
	PQclear(res);
	return rc;
}

/* Objects of `kind` from `sql`, whose columns are: name, def, comment,
 * table, result, and for domains dflt, notnull, checks (rt_object).
 * With `normalize`, def is normalised (a function's is kept as it is:
 * its body is text). */
static int objects(ic *c, int kind, const char *sql, int normalize)
{
	PGresult *res;
	int i, rc;

	if ((rc = query(c, sql, &res)) < 0)
		return rc;
	for (i = 0; i < PQntuples(res) && rc >= 0; i++) {
		const char *def = val(res, i, 1) ? val(res, i, 1) : "";
		char *norm = rt_sql_normalized(def, strlen(def), NULL);
		rt_object *o = norm ? rt_schema_add_object(c->out, kind, val(res, i, 0),
							   normalize ? norm : def) : NULL;
		if (!o || rt_set_str(&o->comment, val(res, i, 2)) < 0 ||
		    rt_set_str(&o->table, val(res, i, 3)) < 0 ||
		    rt_set_str(&o->result, val(res, i, 4)) < 0 ||
		    (PQnfields(res) > 7 && (rt_set_str(&o->dflt, val(res, i, 5)) < 0 ||
					    split(&o->checks, val(res, i, 7)) < 0)))
			rc = oom(c);
		else if (PQnfields(res) > 7)
			o->notnull = !strcmp(val(res, i, 6), "t");
		free(norm);
	}
	PQclear(res);
	return rc;
}

/* Domains: the base type (and COLLATE when not its default), then the
 * checks as name, definition, name, ... */
#define DOMAINS \
	"SELECT t.typname, format_type(t.typbasetype, t.typtypmod) || " \
	"  CASE WHEN t.typcollation <> b.typcollation " \
	"  THEN ' COLLATE ' || quote_ident(co.collname) ELSE '' END, " \
	"obj_description(t.oid, 'pg_type'), NULL, NULL, t.typdefault, t.typnotnull, " \
	"array_to_string(ARRAY(SELECT k.conname || E'\\x1f' || " \
	"  pg_get_constraintdef(k.oid, true) FROM pg_constraint k " \
	"  WHERE k.contypid = t.oid AND k.contype = 'c' ORDER BY k.conname), E'\\x1f') " \
	"FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace " \
	"JOIN pg_type b ON b.oid = t.typbasetype " \
	"LEFT JOIN pg_collation co ON co.oid = t.typcollation " \
	"WHERE " IN_SCHEMA " AND t.typtype = 'd' " "AND " NOT_EXT_MEMBER("pg_type", "t.oid") " " \
	"ORDER BY 1"

/* Sequences of their own: not a serial's or an identity's (nor any
 * other one OWNED BY a column, which goes with it). */
#define SEQUENCES \
	"SELECT c.relname, 'AS ' || format_type(s.seqtypid, NULL) || " \
	"' INCREMENT BY ' || s.seqincrement || ' MINVALUE ' || s.seqmin || " \
	"' MAXVALUE ' || s.seqmax || ' START WITH ' || s.seqstart || " \
	"' CACHE ' || s.seqcache || CASE WHEN s.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END, " \
	"obj_description(c.oid, 'pg_class') " \
	"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " \
	"JOIN pg_sequence s ON s.seqrelid = c.oid " \
	"WHERE " IN_SCHEMA " AND c.relkind = 'S' " "AND " NOT_EXT_MEMBER("pg_class", "c.oid") " " \
	"AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid " \
	"  AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass " \
	"  AND d.deptype IN ('a', 'i')) " \
	"ORDER BY 1"

/* Functions and procedures, known by name and argument types.
 * pg_get_functiondef() names the function with its schema, which the
 * scratch schema of the model does not share with the database: it is
 * cut, and the trailing newline.  The result column holds what CREATE
 * OR REPLACE cannot change: the kind, the arguments' names and defaults,
 * the result type. */
#define FUNCTIONS \
	"SELECT p.proname || '(' || oidvectortypes(p.proargtypes) || ')', " \
	"rtrim(CASE WHEN starts_with(d.def, d.head || quote_ident(n.nspname) || '.') " \
	"  THEN d.head || substr(d.def, length(d.head || quote_ident(n.nspname) || '.') + 1) " \
	"  ELSE d.def END, E'\\n '), " \
	"obj_description(p.oid, 'pg_proc'), NULL, " \
	"p.prokind::text || ' ' || pg_get_function_arguments(p.oid) || ' -> ' || " \
	"  COALESCE(pg_get_function_result(p.oid), '') " \
	"FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace, " \
	"LATERAL (SELECT pg_get_functiondef(p.oid) AS def, 'CREATE OR REPLACE ' || " \
	"  CASE p.prokind WHEN 'p' THEN 'PROCEDURE ' ELSE 'FUNCTION ' END AS head) d " \
	"WHERE " IN_SCHEMA " AND p.prokind IN ('f', 'p') " "AND " NOT_EXT_MEMBER("pg_proc", "p.oid") " " \
	"ORDER BY 1"

#define MV_INDEXES \
	"SELECT i.relname, pg_get_indexdef(x.indexrelid, 0, true), " \
	"obj_description(i.oid, 'pg_class'), t.relname " \
	"FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid " \
	"JOIN pg_class t ON t.oid = x.indrelid " \
	"JOIN pg_namespace n ON n.oid = t.relnamespace " \
	"WHERE " IN_SCHEMA " AND t.relkind = 'm' ORDER BY 1"

/* Triggers of tables and views, made by CREATE TRIGGER (not those
 * behind foreign keys, nor a partition's copy of its parent's). */
static int triggers(ic *c)
{
	PGresult *res;
	int i, rc;

	if ((rc = query(c, "SELECT g.tgname, c.relname, pg_get_triggerdef(g.oid, true), "
			"obj_description(g.oid, 'pg_trigger') "
			"FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid "
			"JOIN pg_namespace n ON n.oid = c.relnamespace "
			"WHERE " IN_SCHEMA " AND NOT g.tgisinternal AND g.tgparentid = 0 "
			"ORDER BY 1, 2", &res)) < 0)
		return rc;
	for (i = 0; i < PQntuples(res) && rc >= 0; i++) {
		const char *def = val(res, i, 2);
		char *norm = rt_sql_normalized(def, strlen(def), NULL);
		rt_trigger *t = norm ? rt_schema_add_trigger(c->out, val(res, i, 0), val(res, i, 1), norm)
				     : NULL;
		if (!t || rt_set_str(&t->comment, val(res, i, 3)) < 0)
			rc = oom(c);
		free(norm);
	}
	PQclear(res);
	return rc;
}

/* What the schema has that the model has no place for, by kind: named in
 * the model's `unmodelled` list so that check and autogenerate warn. */
static int unmodelled(ic *c)
{
	PGresult *res;
	int i, rc;

	if ((rc = query(c,
			"SELECT k || ' ' || name FROM ("
			"SELECT CASE c.relkind WHEN 'f' THEN 'foreign table' "
			"ELSE 'composite type' END AS k, c.relname AS name "
			"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
			"WHERE " IN_SCHEMA " AND c.relkind IN ('f', 'c') "
			"AND " NOT_EXT_MEMBER("pg_class", "c.oid") " UNION ALL "
			"SELECT 'aggregate', p.proname || '(' || "
			"pg_get_function_identity_arguments(p.oid) || ')' "
			"FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
			"WHERE " IN_SCHEMA " AND p.prokind IN ('a', 'w') "
			"AND " NOT_EXT_MEMBER("pg_proc", "p.oid") " UNION ALL "
			"SELECT 'range type', t.typname "
			"FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
			"WHERE " IN_SCHEMA " AND t.typtype IN ('r', 'm') "
			"AND " NOT_EXT_MEMBER("pg_type", "t.oid") " UNION ALL "
			"SELECT 'policy', p.polname || ' on ' || c.relname FROM pg_policy p "
			"JOIN pg_class c ON c.oid = p.polrelid "
			"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " IN_SCHEMA " UNION ALL "
			"SELECT 'rule', r.rulename || ' on ' || c.relname FROM pg_rewrite r "
			"JOIN pg_class c ON c.oid = r.ev_class "
			"JOIN pg_namespace n ON n.oid = c.relnamespace "
			"WHERE " IN_SCHEMA " AND r.rulename <> '_RETURN' UNION ALL "
			"SELECT 'row level security on', c.relname FROM pg_class c "
			"JOIN pg_namespace n ON n.oid = c.relnamespace "
			"WHERE " IN_SCHEMA " AND c.relrowsecurity UNION ALL "
			"SELECT 'operator', o.oprname FROM pg_operator o "
			"JOIN pg_namespace n ON n.oid = o.oprnamespace "
			"WHERE " IN_SCHEMA " AND " NOT_EXT_MEMBER("pg_operator", "o.oid") " UNION ALL "
			"SELECT 'collation', o.collname FROM pg_collation o "
			"JOIN pg_namespace n ON n.oid = o.collnamespace "
			"WHERE " IN_SCHEMA " AND " NOT_EXT_MEMBER("pg_collation", "o.oid") " UNION ALL "
			"SELECT 'text search configuration', o.cfgname FROM pg_ts_config o "
			"JOIN pg_namespace n ON n.oid = o.cfgnamespace "
			"WHERE " IN_SCHEMA " AND " NOT_EXT_MEMBER("pg_ts_config", "o.oid") " UNION ALL "
			"SELECT 'statistics object', o.stxname FROM pg_statistic_ext o "
			"JOIN pg_namespace n ON n.oid = o.stxnamespace WHERE " IN_SCHEMA " UNION ALL "
			/* of what the tables have */
			"SELECT 'comment on index', i.relname FROM pg_index x "
			"JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid "
			"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " IN_SCHEMA
			" AND c.relkind IN ('r', 'p') AND obj_description(i.oid, 'pg_class') IS NOT NULL "
			"UNION ALL "
			"SELECT 'comment on constraint', k.conname || ' on ' || c.relname "
			"FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
			"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " IN_SCHEMA
			" AND obj_description(k.oid, 'pg_constraint') IS NOT NULL UNION ALL "
			"SELECT CASE WHEN a.attstorage <> t.typstorage THEN 'storage (SET STORAGE) of' "
			"WHEN a.attcompression <> '' THEN 'compression of' "
			"ELSE 'statistics target of' END, c.relname || '.' || a.attname "
			"FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
			"JOIN pg_type t ON t.oid = a.atttypid "
			"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " IN_SCHEMA
			" AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped "
			"AND (a.attstorage <> t.typstorage OR a.attcompression <> '' "
			"OR a.attstattarget >= 0) "
			"AND " NOT_EXT_MEMBER("pg_class", "c.oid") " UNION ALL "
			"SELECT 'replica identity of', c.relname FROM pg_class c "
			"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " IN_SCHEMA
			" AND c.relkind IN ('r', 'p') AND c.relreplident <> 'd' UNION ALL "
			"SELECT 'inheritance (INHERITS) of', c.relname FROM pg_inherits h "
			"JOIN pg_class c ON c.oid = h.inhrelid "
			"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " IN_SCHEMA
			" AND NOT c.relispartition"
			") u ORDER BY 1", &res)) < 0)
		return rc;
	for (i = 0; i < PQntuples(res) && rc >= 0; i++)
		if (rt_strlist_add(&c->out->unmodelled, val(res, i, 0)) < 0)
			rc = oom(c);
	PQclear(res);
	return rc;
}

/* The planner's guesses for the set-returning functions of these queries
 * (1000 rows for each generate_series and unnest) put them above
 * jit_above_cost, and compiling them took over a second where running
 * them takes milliseconds (the index query, on Synapse's 150 tables).
 * So they run with JIT off, set for a transaction of their own or, in
 * the caller's, for a savepoint rolled back after them: the setting
 * never outlives them, on the caller's connection or a pooler's shared
 * one either. */
static void reads_begin(ic *c, int nested)
{
	/* (a failure here fails the first query, with its message) */
	PQclear(PQexec(c->pg, nested ? "SAVEPOINT retort_introspect" : "BEGIN"));
	PQclear(PQexec(c->pg, "SELECT set_config('jit', 'off', true) "
		       "WHERE current_setting('jit', true) IS NOT NULL"));
}

static void reads_end(ic *c, int nested)
{
	PQclear(PQexec(c->pg, nested ? "ROLLBACK TO SAVEPOINT retort_introspect; "
		       "RELEASE SAVEPOINT retort_introspect" : "ROLLBACK"));
}

static int introspect(ic *c)
{
	int rc;

	if ((rc = tables(c)) < 0 || (rc = columns(c)) < 0 || (rc = constraints(c)) < 0 ||
	    (rc = indexes(c)) < 0 || (rc = views(c)) < 0 || (rc = enums(c)) < 0 ||
	    (rc = extensions(c)) < 0 ||
	    (rc = objects(c, RT_OBJ_DOMAIN, DOMAINS, 1)) < 0 ||
	    (rc = objects(c, RT_OBJ_SEQUENCE, SEQUENCES, 1)) < 0 ||
	    (rc = objects(c, RT_OBJ_FUNCTION, FUNCTIONS, 0)) < 0 ||
	    (rc = objects(c, RT_OBJ_MVINDEX, MV_INDEXES, 1)) < 0 || (rc = triggers(c)) < 0 ||
	    (rc = unmodelled(c)) < 0)
		return rc;
	return 0;
}

int rt_introspect_pg(rt_conn *conn, const char *schema, rt_schema *out, rt_buf *err)
{
	ic c;
	int rc, nested;

	c.pg = rt_pg_handle(conn);
	c.schema = schema;
	c.out = out;
	c.err = err;
	if (rt_schema_init(out, &rt_render_pg) < 0)
		return rt_error(err, RETORT_ERROR, "out of memory");
	nested = PQtransactionStatus(c.pg) != PQTRANS_IDLE;
	reads_begin(&c, nested);
	rc = introspect(&c);
	reads_end(&c, nested);
	if (rc < 0) {
		rt_schema_release(out);
		return rc;
	}
	rt_schema_sort(out);
	return 0;
}
#endif
