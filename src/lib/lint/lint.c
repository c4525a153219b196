/*
 * lint.c - `retort lint`: statements of migration files that lose data,
 * lock a busy PostgreSQL table for long, or cannot run the way their
 * section says (inside or outside a transaction).
 *
 * Every rule reads PostgreSQL's own parse tree of the statement, from
 * libpg_query as JSON, never the text: a DROP TABLE inside a string, a
 * comment or a function body is not a DROP TABLE.  A DO block's body runs
 * at once, so its statements are linted too, read out of it by
 * libpg_query's PL/pgSQL parser.  SQLite sections go
 * through the same parser; what SQLite and PostgreSQL spell alike (DROP
 * TABLE, ALTER TABLE ... DROP COLUMN, most CREATE TABLEs) is linted, and
 * a statement only SQLite understands is skipped and counted.
 *
 * A section is linted as one migration: a table created earlier in the
 * same section is new and empty, so dropping, altering or indexing it
 * is neither destructive nor a long lock; a table copied into a new one
 * that then takes its name is rebuilt, not dropped.  What the migrations
 * before left (a column's old type) comes from rt_lint_before (replay.c).  Downgrade sections undo their
 * upgrade and are expected to drop what it made; only the rules about
 * transactions and syntax apply to them.
 */
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "lint.h"
#include "replay.h"
#include "pg_split.h"

#ifdef RETORT_WITH_PG
#include <jansson.h>
#include "pgapi.h"
#endif

void retort_lint_report_release(retort_lint_report *report)
{
	size_t i;

	if (!report)
		return;
	for (i = 0; i < report->count; i++)
		free(report->findings[i].message);
	free(report->findings);
	memset(report, 0, sizeof(*report));
}

/* Stable insertion sort by line: findings are appended section by section
 * and a section's own finding comes after its statements'. */
static void sort_by_line(retort_lint_finding *f, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		retort_lint_finding tmp = f[i];

		for (j = i; j > 0 && f[j - 1].line > tmp.line; j--)
			f[j] = f[j - 1];
		f[j] = tmp;
	}
}

/* Does `dialect` (NULL: any of the build) run `sec`?  *full_rules: one
 * of the dialects that do takes lint's full rule set.  The drivers are
 * only read, not made ready: linting SQLite must not load libpq. */
static int runs(const rt_script *s, const rt_section *sec, const rt_driver *dialect,
		int *full_rules)
{
	const rt_driver *d;
	size_t i;
	int any = 0;

	*full_rules = 0;
	for (i = 0; (d = rt_driver_at(i)) != NULL; i++) {
		if ((dialect && d != dialect) || rt_script_section(s, sec->direction, d->name) != sec)
			continue;
		any = 1;
		if (d->lint_full_rules)
			*full_rules = 1;
	}
	return any;
}

int rt_lint_script(retort_lint_report *out, const rt_script *s, const rt_driver *dialect,
		   const rt_lint_before *before, rt_buf *err)
{
	size_t i, first = out->count;
	int rc, full_rules;

	for (i = 0; i < s->nsections; i++) {
		const rt_section *sec = &s->sections[i];

		if (runs(s, sec, dialect, &full_rules) &&
		    (rc = rt_lint_section(out, s, sec, full_rules, before, err)) < 0)
			return rc;
	}
	sort_by_line(out->findings + first, out->count - first);
	return 0;
}

#ifndef RETORT_WITH_PG

int rt_lint_supported(void)
{
	return 0;
}

int rt_lint_section(retort_lint_report *out, const rt_script *s, const rt_section *sec,
		    int full_rules, const rt_lint_before *before, rt_buf *err)
{
	(void)out;
	(void)s;
	(void)sec;
	(void)full_rules;
	(void)before;
	return rt_error(err, RETORT_ERROR,
			"lint needs libpg_query: this retort was built without PostgreSQL support");
}

int rt_lint_dialect(retort_lint_report *out, const rt_script *s, const rt_section *sec,
		    const rt_driver *d, rt_conn *c, int report, int *tainted, rt_buf *err)
{
	(void)out;
	(void)s;
	(void)sec;
	(void)d;
	(void)c;
	(void)report;
	(void)tainted;
	return rt_error(err, RETORT_ERROR,
			"lint needs libpg_query: this retort was built without PostgreSQL support");
}

#else

int rt_lint_supported(void)
{
	return 1;
}

/* Is `a` set and equal to `b`? */
static int streq(const char *a, const char *b)
{
	return a && !strcmp(a, b);
}

/* ---- the rules ----------------------------------------------------------- */

enum rule {
	RULE_DROP_TABLE,
	RULE_DROP_COLUMN,
	RULE_TRUNCATE,
	RULE_TYPE_NARROWING,
	RULE_PG_INDEX,
	RULE_PG_FOREIGN_KEY,
	RULE_PG_ADD_NOT_NULL,
	RULE_PG_SET_NOT_NULL,
	RULE_PG_COLUMN_TYPE,
	RULE_TX_UNNEEDED,
	RULE_NONTX,
	RULE_SYNTAX,
	RULE_IGNORE_UNKNOWN,
	RULE_DIALECT_SYNTAX,
	RULE_PG_ADD_PRIMARY_KEY,
	RULE_DO_DYNAMIC_SQL,
	RULE__COUNT
};

/* The ids are what users write in lint-ignore comments and CI greps for:
 * never rename one. */
static const struct {
	const char *id;
	retort_lint_level level;
} rules[RULE__COUNT] = {
	/* RULE_DROP_TABLE */      { "drop-table",                 RETORT_LINT_WARNING },
	/* RULE_DROP_COLUMN */     { "drop-column",                RETORT_LINT_WARNING },
	/* RULE_TRUNCATE */        { "truncate",                   RETORT_LINT_WARNING },
	/* RULE_TYPE_NARROWING */  { "type-narrowing",             RETORT_LINT_WARNING },
	/* RULE_PG_INDEX */        { "pg-index-not-concurrent",    RETORT_LINT_WARNING },
	/* RULE_PG_FOREIGN_KEY */  { "pg-foreign-key-validated",   RETORT_LINT_WARNING },
	/* RULE_PG_ADD_NOT_NULL */ { "pg-add-not-null-column",     RETORT_LINT_WARNING },
	/* RULE_PG_SET_NOT_NULL */ { "pg-set-not-null",            RETORT_LINT_WARNING },
	/* RULE_PG_COLUMN_TYPE */  { "pg-alter-column-type",       RETORT_LINT_WARNING },
	/* RULE_TX_UNNEEDED */     { "transaction-false-unneeded", RETORT_LINT_WARNING },
	/* RULE_NONTX */           { "non-transactional-statement", RETORT_LINT_ERROR },
	/* RULE_SYNTAX */          { "syntax-error",               RETORT_LINT_ERROR },
	/* RULE_IGNORE_UNKNOWN */  { "lint-ignore-unknown",        RETORT_LINT_WARNING },
	/* RULE_DIALECT_SYNTAX */  { "dialect-syntax",             RETORT_LINT_WARNING },
	/* RULE_PG_ADD_PRIMARY_KEY */ { "pg-add-primary-key",      RETORT_LINT_WARNING },
	/* RULE_DO_DYNAMIC_SQL */  { "do-dynamic-sql",             RETORT_LINT_WARNING },
};

static int known_rule(const char *id)
{
	size_t i;

	for (i = 0; i < RULE__COUNT; i++)
		if (!strcmp(rules[i].id, id))
			return 1;
	return 0;
}

/* ---- the state of one section ------------------------------------------- */

typedef struct {
	retort_lint_report *out;
	const rt_section *sec;
	const char *text;      /* the section body, NUL-terminated copy */
	size_t len;
	int full_rules;        /* a dialect running it takes every rule (lint.h) */
	int upgrade;           /* data and lock rules apply */
	rt_strlist created;    /* tables created earlier in the section */
	rt_strlist ignore;     /* rules the current statement's comment silences */
	int line;              /* file line of the current statement */
	size_t pos;            /* line counting: text[pos] is on file line pos_line */
	int pos_line;
	/* for the section's own rule */
	size_t nstmts;         /* statements parsed */
	size_t nontx;          /* of them, ones that cannot run in a transaction */
	size_t txctl;          /* BEGIN, COMMIT, ...: the file manages transactions */
	size_t unread;         /* statements the parser could not read */
	/* what the section's earlier statements did, for the later ones */
	const rt_lint_before *before;
	const rt_schema *old;  /* the schema before the revision (once asked) */
	const char *old_why;   /* why it is not known */
	int old_asked;
	struct coltype {       /* a column's type as the section set it */
		char *table, *col;
		json_t *type;  /* its TypeName, a reference held */
	} *coltypes;
	size_t ncoltypes;
	struct copy {          /* INSERT INTO into SELECT ... FROM from */
		char *into, *from;
		rt_strlist cols;  /* the columns of `from` it reads */
		int all;          /* SELECT * */
		int some_rows;    /* WHERE, LIMIT, DISTINCT, GROUP BY: not every row */
	} *copies;
	size_t ncopies;
	struct dropped {       /* DROP TABLE of a table copied out first */
		char *table;
		size_t copy;      /* copies[copy].from is `table` */
		int line;
		rt_strlist ignore;
		int renamed;      /* the copy became `table`: a rebuild */
	} *drops;
	size_t ndrops;
	rt_strlist dropped_pk; /* tables whose primary key a DROP CONSTRAINT removed */
	int depth;             /* DO blocks being read */
	int oom;
} lint;

/* File line of text[off]; offsets mostly grow, so count on from the last. */
static int line_at(lint *l, size_t off)
{
	if (off < l->pos) {
		l->pos = 0;
		l->pos_line = l->sec->line;
	}
	for (; l->pos < off && l->pos < l->len; l->pos++)
		if (l->text[l->pos] == '\n')
			l->pos_line++;
	return l->pos_line;
}

static void report(lint *l, enum rule r, int line, const char *fmt, ...) RT_PRINTF(4, 5);

static void report(lint *l, enum rule r, int line, const char *fmt, ...)
{
	retort_lint_report *out = l->out;
	retort_lint_finding *f;
	rt_buf msg = RT_BUF_INIT;
	va_list ap;

	if (rt_strlist_has(&l->ignore, rules[r].id))
		return;
	va_start(ap, fmt);
	rt_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	/* capacity: 8, then doubled whenever the count reaches a power of 2 */
	if (out->count < 8 ? !out->count : !(out->count & (out->count - 1))) {
		size_t cap = out->count < 8 ? 8 : out->count * 2;
		retort_lint_finding *nf = realloc(out->findings, cap * sizeof(*nf));

		if (!nf) {
			l->oom = 1;
			rt_buf_release(&msg);
			return;
		}
		out->findings = nf;
	}
	if (rt_buf_oom(&msg)) {
		l->oom = 1;
		rt_buf_release(&msg);
		return;
	}
	f = &out->findings[out->count++];
	memset(f, 0, sizeof(*f));
	f->rule = rules[r].id;
	f->level = rules[r].level;
	f->line = line;
	f->message = rt_buf_detach(&msg);
	if (f->level == RETORT_LINT_ERROR)
		out->errors++;
}

/* If the line before the one starting at text[ls] starts at or after
 * text[min] and is `-- retort:lint-ignore RULE[, RULE]...`, put the rules
 * in `out` and return 1; 0 when it is not, -1 when out of memory. */
static int directive(rt_strlist *out, const char *text, size_t ls, size_t min)
{
	static const char word[] = "retort:lint-ignore";
	size_t ps, pe, i;
	char *rest;
	int rc;

	if (!ls || text[ls - 1] != '\n')
		return 0;
	pe = ls - 1;
	for (ps = pe; ps > 0 && text[ps - 1] != '\n'; ps--)
		;
	if (ps < min)
		return 0;
	if (pe > ps && text[pe - 1] == '\r')
		pe--;
	for (i = ps; i < pe && (text[i] == ' ' || text[i] == '\t'); i++)
		;
	if (pe - i < 2 || text[i] != '-' || text[i + 1] != '-')
		return 0;
	for (i += 2; i < pe && (text[i] == ' ' || text[i] == '\t'); i++)
		;
	if (pe - i < sizeof(word) - 1 || memcmp(text + i, word, sizeof(word) - 1))
		return 0;
	i += sizeof(word) - 1;
	if (i < pe && text[i] != ' ' && text[i] != '\t')
		return 0;
	if (!(rest = rt_strndup(text + i, pe - i)))
		return -1;
	rc = rt_strlist_split(out, rest);
	free(rest);
	return rc < 0 ? -1 : 1;
}

/* Read the ignore comment above the flagged line starting at text[ls];
 * a rule it names that does not exist is reported on the comment. */
static void read_ignore(lint *l, const char *text, size_t ls, size_t min, int line)
{
	size_t i;
	int rc;

	rt_strlist_release(&l->ignore);
	if ((rc = directive(&l->ignore, text, ls, min)) < 0)
		l->oom = 1;
	if (rc <= 0)
		return;
	for (i = 0; i < l->ignore.count; i++)
		if (!known_rule(l->ignore.items[i]))
			report(l, RULE_IGNORE_UNKNOWN, line - 1,
			       "lint-ignore names no rule '%s'",
			       l->ignore.items[i]);
}

/* A statement spans text[off, end): find its first token, its line and
 * its ignore comment (which may start at text[min], min <= off).  Returns
 * the first token's offset, `end` for a statement that is only blanks and
 * comments. */
static size_t begin_stmt(lint *l, size_t off, size_t end, size_t min)
{
	size_t start = rt_sql_skip_blank(l->text, off, end), ls;

	if (start >= end)
		return end;
	l->line = line_at(l, start);
	for (ls = start; ls > 0 && l->text[ls - 1] != '\n'; ls--)
		;
	read_ignore(l, l->text, ls, min < off ? min : off, l->line);
	return start;
}

/* ---- reading the parse tree --------------------------------------------------- */

/* A node is {"Tag": {fields}}: the tag, and the fields in *body. */
static const char *node_tag(json_t *node, json_t **body)
{
	const char *key;
	json_t *val;

	*body = NULL;
	if (!json_is_object(node) || json_object_size(node) != 1)
		return "";
	json_object_foreach(node, key, val) {
		*body = val;
		return key;
	}
	return "";
}

/* The fields of node o[key] when it is a `tag`, else NULL. */
static json_t *child(json_t *o, const char *key, const char *tag)
{
	json_t *body, *n = json_object_get(o, key);

	return n && !strcmp(node_tag(n, &body), tag) ? body : NULL;
}

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int flag(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* A String node's text ("sval" since PostgreSQL 15, "str" before). */
static const char *string_node(json_t *node)
{
	json_t *body;
	const char *s;

	if (strcmp(node_tag(node, &body), "String"))
		return NULL;
	return (s = str(body, "sval")) ? s : str(body, "str");
}

/* A RangeVar's fields as "schema.name" or "name". */
static void relation_name(rt_buf *out, json_t *rv)
{
	const char *schema = str(rv, "schemaname"), *name = str(rv, "relname");

	if (schema)
		rt_buf_printf(out, "%s.", schema);
	rt_buf_puts(out, name ? name : "?");
}

/* A list of String nodes (a qualified name) joined with '.'. */
static void dotted_name(rt_buf *out, json_t *items)
{
	size_t i;
	json_t *item;

	json_array_foreach(items, i, item) {
		const char *s = string_node(item);

		if (i)
			rt_buf_putc(out, '.');
		rt_buf_puts(out, s ? s : "?");
	}
}

/* Made earlier in the section: its rows are the section's own.  A
 * temporary table (CREATE TEMP TABLE t) may be named temp.t after. */
static int is_new_table(lint *l, const char *name)
{
	return rt_strlist_has(&l->created, name) ||
	       (!strncmp(name, "temp.", 5) && rt_strlist_has(&l->created, name + 5));
}

static void add_created(lint *l, json_t *rv)
{
	rt_buf name = RT_BUF_INIT;

	if (!rv)
		return;
	relation_name(&name, rv);
	if (rt_buf_oom(&name) || rt_strlist_add(&l->created, name.ptr) < 0)
		l->oom = 1;
	rt_buf_release(&name);
}

/* A TypeName as SQL spells it: "varchar(10)", "bigint", "text[]". */
static void type_name(rt_buf *out, json_t *tn)
{
	static const char *const sql_names[][2] = {
		{ "int2", "smallint" }, { "int4", "integer" }, { "int8", "bigint" },
		{ "float4", "real" }, { "float8", "double precision" },
		{ "bool", "boolean" }, { "bpchar", "char" },
	};
	json_t *names = json_object_get(tn, "names"), *mods, *m;
	const char *last = NULL;
	size_t i;

	if (json_is_array(names) && json_array_size(names))
		last = string_node(json_array_get(names, json_array_size(names) - 1));
	if (!last)
		last = "?";
	for (i = 0; i < sizeof(sql_names) / sizeof(sql_names[0]); i++)
		if (!strcmp(last, sql_names[i][0]))
			last = sql_names[i][1];
	rt_buf_puts(out, last);
	mods = json_object_get(tn, "typmods");
	if (json_is_array(mods) && json_array_size(mods)) {
		rt_buf_putc(out, '(');
		json_array_foreach(mods, i, m) {
			json_t *body, *iv;

			if (i)
				rt_buf_putc(out, ',');
			/* {"A_Const": {"ival": {"ival": 10}}}; a zero is {"ival": {}} */
			if (!strcmp(node_tag(m, &body), "A_Const") &&
			    json_is_object(iv = json_object_get(body, "ival")))
				rt_buf_printf(out, "%lld",
					      (long long)json_integer_value(json_object_get(iv, "ival")));
			else
				rt_buf_putc(out, '?');
		}
		rt_buf_putc(out, ')');
	}
	if (json_array_size(json_object_get(tn, "arrayBounds")))
		rt_buf_puts(out, "[]");
}

/* ---- the schema before the revision, and column types ---------------------------- */

/* The schema the revision starts from, asked for once per section. */
static const rt_schema *before(lint *l)
{
	if (!l->old_asked) {
		l->old_asked = 1;
		l->old_why = "no schema to compare with";
		if (l->before && l->before->get)
			l->old = l->before->get(l->before->arg, &l->old_why);
		if (!l->old_why)
			l->old_why = "unknown";
	}
	return l->old;
}

/* The last part of a dotted name: the schema's tables are unqualified. */
static const char *base_name(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? dot + 1 : name;
}

/* Table `name` of `s`; SQLite keeps the case names were written in,
 * PostgreSQL's parser folds them: compare without case. */
static const rt_table *old_table(const rt_schema *s, const char *name)
{
	size_t i;

	name = base_name(name);
	for (i = 0; s && i < s->ntables; i++)
		if (!strcasecmp(s->tables[i].name, name))
			return &s->tables[i];
	return NULL;
}

static const rt_column *old_column(const rt_table *t, const char *name)
{
	size_t i;

	for (i = 0; t && i < t->ncols; i++)
		if (!strcasecmp(t->cols[i].name, name))
			return &t->cols[i];
	return NULL;
}

/* The type an earlier statement of the section gave table.col, or NULL. */
static struct coltype *section_type(lint *l, const char *table, const char *col)
{
	size_t i;

	for (i = l->ncoltypes; i-- > 0; )
		if (!strcasecmp(base_name(l->coltypes[i].table), base_name(table)) &&
		    !strcasecmp(l->coltypes[i].col, col))
			return &l->coltypes[i];
	return NULL;
}

static void set_section_type(lint *l, const char *table, const char *col, json_t *tn)
{
	struct coltype *c = section_type(l, table, col), *n;

	if (!json_is_object(tn))
		return;
	if (!c) {
		if (!(n = realloc(l->coltypes, (l->ncoltypes + 1) * sizeof(*n)))) {
			l->oom = 1;
			return;
		}
		l->coltypes = n;
		c = &n[l->ncoltypes];
		memset(c, 0, sizeof(*c));
		if (!(c->table = rt_strdup(table)) || !(c->col = rt_strdup(col))) {
			free(c->table);
			l->oom = 1;
			return;
		}
		l->ncoltypes++;
	}
	json_decref(c->type);
	c->type = json_incref(tn);
}

/* A type written as the database spells it, read by PostgreSQL's parser
 * into a TypeName (a reference the caller drops); NULL when it cannot. */
static json_t *parse_type(const char *type)
{
	rt_buf sql = RT_BUF_INIT;
	PgQueryParseResult r;
	json_t *root = NULL, *tn = NULL, *n, *body;

	rt_buf_printf(&sql, "SELECT NULL::%s", type);
	if (rt_buf_oom(&sql))
		return NULL;
	r = pg_query_parse(sql.ptr);
	/* {"stmts": [{"stmt": {"SelectStmt": {"targetList": [{"ResTarget":
	 * {"val": {"TypeCast": {"typeName": ...}}}}]}}}]} */
	if (!r.error && (root = json_loads(r.parse_tree, 0, NULL)) != NULL &&
	    json_array_size(json_object_get(root, "stmts")) == 1 &&
	    (n = child(json_array_get(json_object_get(root, "stmts"), 0), "stmt", "SelectStmt")) &&
	    json_array_size(json_object_get(n, "targetList")) == 1 &&
	    !strcmp(node_tag(json_array_get(json_object_get(n, "targetList"), 0), &body),
		    "ResTarget") &&
	    (n = child(body, "val", "TypeCast")) != NULL &&
	    json_is_object(json_object_get(n, "typeName")))
		tn = json_incref(json_object_get(n, "typeName"));
	json_decref(root);
	pg_query_free_parse_result(r);
	rt_buf_release(&sql);
	return tn;
}

/* A column type reduced to what the type rules compare: the name in
 * PostgreSQL's catalog (the parser maps the SQL keywords: integer is
 * int4, character varying varchar), the numeric modifiers, array or not. */
typedef struct {
	char name[32];
	long long mod[2];
	int nmods;      /* -1: a modifier that is not a plain number */
	int array;
} typeinfo;

static void type_info(typeinfo *t, json_t *tn)
{
	json_t *names = json_object_get(tn, "names"), *m, *body, *iv;
	const char *last = NULL;
	size_t i;

	memset(t, 0, sizeof(*t));
	if (json_array_size(names))
		last = string_node(json_array_get(names, json_array_size(names) - 1));
	for (i = 0; last && last[i] && i < sizeof(t->name) - 1; i++)
		t->name[i] = (char)(last[i] >= 'A' && last[i] <= 'Z' ? last[i] + 32 : last[i]);
	json_array_foreach(json_object_get(tn, "typmods"), i, m) {
		if (i >= 2 || strcmp(node_tag(m, &body), "A_Const") ||
		    !json_is_object(iv = json_object_get(body, "ival"))) {
			t->nmods = -1;
			return;
		}
		t->mod[i] = (long long)json_integer_value(json_object_get(iv, "ival"));
		t->nmods = (int)i + 1;
	}
	t->array = json_array_size(json_object_get(tn, "arrayBounds")) > 0;
}

static int is(const typeinfo *t, const char *name)
{
	return !strcmp(t->name, name);
}

static int is_any(const typeinfo *t, const char *const *names)
{
	for (; *names; names++)
		if (is(t, *names))
			return 1;
	return 0;
}

/* Types whose one modifier is a length or precision that only limits:
 * a larger one, or none, takes every value of a smaller one. */
static const char *const limited[] = {
	"varchar", "varbit", "timestamp", "timestamptz", "time", "timetz", NULL
};

/* The same type, modifiers and all (none of them unreadable). */
static int same_type(const typeinfo *o, const typeinfo *n)
{
	return !strcmp(o->name, n->name) && o->nmods == n->nmods && o->nmods >= 0 &&
	       o->array == n->array && !memcmp(o->mod, n->mod, sizeof(o->mod));
}

/* Integer digits an integer type needs in a numeric: 0 for no integer. */
static int int_digits(const typeinfo *t)
{
	return is(t, "int2") ? 5 : is(t, "int4") ? 10 : is(t, "int8") ? 19 : 0;
}

/* Does every value of type `o` convert to type `n` without an error or
 * a loss of precision? */
static int fits(const typeinfo *o, const typeinfo *n)
{
	static const char *const wider[][2] = {
		{ "int2", "int4" }, { "int2", "int8" }, { "int2", "float4" },
		{ "int2", "float8" }, { "int4", "int8" }, { "int4", "float8" },
		{ "float4", "float8" }, { "cidr", "inet" }, { "bit", "varbit" },
		{ "date", "timestamp" }, { "date", "timestamptz" }, { "varchar", "bpchar" },
		{ "bpchar", "varchar" },
	};
	size_t i;
	int same = 0;

	/* every value has a text form */
	if (!n->array && (is(n, "text") || (is(n, "varchar") && !n->nmods)))
		return 1;
	if (o->array != n->array || o->nmods < 0 || n->nmods < 0)
		return same_type(o, n);
	if (is(n, "numeric")) {
		long long os = o->nmods > 1 ? o->mod[1] : 0, ns = n->nmods > 1 ? n->mod[1] : 0;

		if (!n->nmods)
			return is(o, "numeric") || int_digits(o) > 0;
		if (int_digits(o))
			return n->mod[0] - ns >= int_digits(o);
		return is(o, "numeric") && o->nmods && ns >= os && n->mod[0] - ns >= o->mod[0] - os;
	}
	if (!strcmp(o->name, n->name))
		same = 1;
	for (i = 0; !same && i < sizeof(wider) / sizeof(wider[0]); i++)
		same = is(o, wider[i][0]) && is(n, wider[i][1]);
	if (!same)
		return 0;
	if (!o->nmods && !n->nmods)
		return 1;
	if (is_any(n, limited) || is(n, "bpchar") || is(n, "bit"))
		return !n->nmods ? is_any(n, limited) : o->nmods && n->mod[0] >= o->mod[0];
	return o->nmods == n->nmods && !memcmp(o->mod, n->mod, sizeof(o->mod));
}

/* Does PostgreSQL change a column from `o` to `n` (without USING) in
 * its catalog alone, without rewriting the table: the old type binary
 * coercible to the new (varchar and text), or a limit only raised or
 * removed (varchar(n), varbit(n), numeric(p,s) at the same scale, the
 * time types' precision)?  cidr to inet is binary coercible too. */
static int metadata_only(const typeinfo *o, const typeinfo *n)
{
	static const char *const strings[] = { "varchar", "text", NULL };

	if (o->array || n->array || o->nmods < 0 || n->nmods < 0)
		return same_type(o, n);
	if (is(o, "cidr") && is(n, "inet"))
		return 1;
	if (is_any(o, strings) && is_any(n, strings))
		return !n->nmods || (o->nmods && is(o, "varchar") && n->mod[0] >= o->mod[0]);
	if (strcmp(o->name, n->name))
		return 0;
	if (!n->nmods)
		return !o->nmods || is_any(n, limited) || is(n, "numeric");
	if (!o->nmods)
		return 0;
	if (is(n, "numeric"))
		return (o->nmods > 1 ? o->mod[1] : 0) == (n->nmods > 1 ? n->mod[1] : 0) &&
		       n->mod[0] >= o->mod[0];
	if (is_any(n, limited))
		return n->mod[0] >= o->mod[0];
	return same_type(o, n);
}

/* The type column `col` of the existing table `table` has before this
 * statement: as an earlier statement of the section set it, else as the
 * schema before the revision has it.  Its TypeName (a reference the
 * caller drops) and its spelling in `shown`; NULL when it is not known,
 * with *why. */
static json_t *old_type(lint *l, const char *table, const char *col, rt_buf *shown,
			const char **why)
{
	struct coltype *c = section_type(l, table, col);
	const rt_schema *s;
	const rt_column *oc;
	json_t *tn;

	if (c) {
		type_name(shown, c->type);
		return json_incref(c->type);
	}
	if (!(s = before(l))) {
		*why = l->old_why;
		return NULL;
	}
	if (!(oc = old_column(old_table(s, table), col)) || !oc->type) {
		*why = "the migrations before it leave no such column";
		return NULL;
	}
	if (!(tn = parse_type(oc->type))) {
		*why = "lint cannot read its type";
		return NULL;
	}
	rt_buf_puts(shown, oc->type);
	return tn;
}

/* ---- statements that cannot run in a transaction ------------------------------ */

/* What PostgreSQL refuses inside a transaction block ("... cannot run
 * inside a transaction block"), or SQLite (VACUUM): its name, else NULL. */
static const char *nontx_name(const char *tag, json_t *b)
{
	size_t i;
	json_t *item, *body;

	if (!strcmp(tag, "IndexStmt"))
		return flag(b, "concurrent") ? "CREATE INDEX CONCURRENTLY" : NULL;
	if (!strcmp(tag, "DropStmt"))
		return flag(b, "concurrent") ? "DROP INDEX CONCURRENTLY" : NULL;
	if (!strcmp(tag, "ReindexStmt")) {
		const char *kind = str(b, "kind");

		json_array_foreach(json_object_get(b, "params"), i, item) {
			if (!strcmp(node_tag(item, &body), "DefElem") &&
			    streq(str(body, "defname"), "concurrently"))
				return "REINDEX CONCURRENTLY";
		}
		if (streq(kind, "REINDEX_OBJECT_SYSTEM"))
			return "REINDEX SYSTEM";
		if (streq(kind, "REINDEX_OBJECT_DATABASE"))
			return "REINDEX DATABASE";
		return NULL;
	}
	if (!strcmp(tag, "VacuumStmt"))
		/* ANALYZE alone is a VacuumStmt too, and runs anywhere */
		return flag(b, "is_vacuumcmd") ? "VACUUM" : NULL;
	if (!strcmp(tag, "AlterSystemStmt"))
		return "ALTER SYSTEM";
	if (!strcmp(tag, "CreatedbStmt"))
		return "CREATE DATABASE";
	if (!strcmp(tag, "DropdbStmt"))
		return "DROP DATABASE";
	if (!strcmp(tag, "CreateTableSpaceStmt"))
		return "CREATE TABLESPACE";
	if (!strcmp(tag, "DropTableSpaceStmt"))
		return "DROP TABLESPACE";
	if (!strcmp(tag, "ClusterStmt"))
		/* only the form without a table (every clustered table) */
		return json_object_get(b, "relation") ? NULL : "CLUSTER";
	if (!strcmp(tag, "AlterTableStmt")) {
		json_array_foreach(json_object_get(b, "cmds"), i, item) {
			json_t *cmd, *pc;

			if (strcmp(node_tag(item, &cmd), "AlterTableCmd") ||
			    !streq(str(cmd, "subtype"), "AT_DetachPartition"))
				continue;
			if ((pc = child(cmd, "def", "PartitionCmd")) && flag(pc, "concurrent"))
				return "DETACH PARTITION CONCURRENTLY";
		}
	}
	return NULL;
}

/* ---- table rebuilds -------------------------------------------------------------- */

/*
 * SQLite cannot alter most of a table, so a table X is rebuilt: CREATE
 * TABLE new_X, INSERT INTO new_X SELECT ... FROM X, DROP TABLE X, ALTER
 * TABLE new_X RENAME TO X (what autogenerate writes, and the SQLite
 * manual's recipe).  The DROP TABLE loses no row, only the columns the
 * copy left out; so a DROP TABLE of a table copied out earlier in the
 * section waits for the end of the section, and is a drop-table only if
 * no copy was renamed to its name by then.
 */

/* Call take(arg, tag, body) on every node under `node` (a parse tree
 * or a part of one); where it returns 0, search inside the node. */
static void each_node(json_t *node, int depth, int (*take)(void *, const char *, json_t *),
		      void *arg)
{
	const char *key;
	json_t *val, *item;
	size_t i;

	if (depth > 200)
		return;
	if (json_is_array(node)) {
		json_array_foreach(node, i, item)
			each_node(item, depth + 1, take, arg);
	} else if (json_is_object(node)) {
		json_object_foreach(node, key, val) {
			if (!take(arg, key, val))
				each_node(val, depth + 1, take, arg);
		}
	}
}

/* each_node's argument: the section, and what the search fills in. */
typedef struct {
	lint *l;
	struct copy *c;         /* column_read */
	const struct do_body *d; /* body_node */
} reading;

/* each_node: add the column a ColumnRef reads to c->cols (a * reads
 * them all). */
static int column_read(void *arg, const char *tag, json_t *body)
{
	reading *r = arg;
	json_t *fields, *last, *star;
	const char *name;

	if (strcmp(tag, "ColumnRef"))
		return 0;
	fields = json_object_get(body, "fields");
	last = json_array_get(fields, json_array_size(fields) - 1);
	if (!strcmp(node_tag(last, &star), "A_Star"))
		r->c->all = 1;
	else if ((name = string_node(last)) != NULL && rt_strlist_add(&r->c->cols, name) < 0)
		r->l->oom = 1;
	return 1;
}

/* INSERT INTO new SELECT ... FROM old, `new` made in the section and
 * `old` not: remember which columns of `old` it keeps. */
static void check_insert(lint *l, json_t *b)
{
	rt_buf into = RT_BUF_INIT, from = RT_BUF_INIT;
	json_t *rv = json_object_get(b, "relation"), *sel, *fc, *frv;
	struct copy *c;

	sel = child(b, "selectStmt", "SelectStmt");
	fc = sel ? json_object_get(sel, "fromClause") : NULL;
	if (!json_is_object(rv) || json_array_size(fc) != 1 ||
	    strcmp(node_tag(json_array_get(fc, 0), &frv), "RangeVar"))
		return;
	relation_name(&into, rv);
	relation_name(&from, frv);
	if (is_new_table(l, into.ptr) && !is_new_table(l, from.ptr)) {
		if (!(c = realloc(l->copies, (l->ncopies + 1) * sizeof(*c)))) {
			l->oom = 1;
		} else {
			l->copies = c;
			c = &c[l->ncopies++];
			memset(c, 0, sizeof(*c));
			c->into = rt_buf_detach(&into);
			c->from = rt_buf_detach(&from);
			if (!c->into || !c->from)
				l->oom = 1;
			static const char *const filters[] = {
				"whereClause", "limitCount", "limitOffset", "distinctClause",
				"groupClause", "havingClause",
			};
			reading r = { l, c, NULL };
			size_t i;

			each_node(json_object_get(sel, "targetList"), 0, column_read, &r);
			for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
				if (json_object_get(sel, filters[i]))
					c->some_rows = 1;
		}
	}
	rt_buf_release(&into);
	rt_buf_release(&from);
}

/* The last copy out of `table` earlier in the section, or -1. */
static long copied_out(lint *l, const char *table)
{
	size_t i;

	for (i = l->ncopies; i-- > 0; )
		if (!strcmp(l->copies[i].from, table))
			return (long)i;
	return -1;
}

/* DROP TABLE `table` after copying it out: decided at the rename. */
static void defer_drop(lint *l, const char *table, size_t copy)
{
	struct dropped *d = realloc(l->drops, (l->ndrops + 1) * sizeof(*d));
	size_t i;

	if (!d) {
		l->oom = 1;
		return;
	}
	l->drops = d;
	d = &d[l->ndrops++];
	memset(d, 0, sizeof(*d));
	d->copy = copy;
	d->line = l->line;
	if (!(d->table = rt_strdup(table)))
		l->oom = 1;
	for (i = 0; i < l->ignore.count; i++)
		if (rt_strlist_add(&d->ignore, l->ignore.items[i]) < 0)
			l->oom = 1;
}

/* Report `msg` on a deferred DROP's line, under its ignore comment. */
static void report_dropped(lint *l, struct dropped *d, enum rule r, rt_buf *msg)
{
	rt_strlist saved = l->ignore;

	if (rt_buf_oom(msg)) {
		l->oom = 1;
		return;
	}
	l->ignore = d->ignore;
	report(l, r, d->line, "%s", msg->ptr);
	l->ignore = saved;
}

/* The copy of d->table was renamed to its name: a rebuild, which drops
 * the columns the copy did not read. */
static void rebuilt(lint *l, struct dropped *d)
{
	struct copy *c = &l->copies[d->copy];
	const rt_table *t;
	rt_buf gone = RT_BUF_INIT, msg = RT_BUF_INIT;
	size_t i, n = 0;

	d->renamed = 1;
	if (c->some_rows) {
		rt_buf_printf(&msg, "rebuilds table '%s' copying only the rows its SELECT keeps "
			      "(WHERE, LIMIT, DISTINCT or GROUP BY): the others are dropped", d->table);
		report_dropped(l, d, RULE_DROP_TABLE, &msg);
		rt_buf_clear(&msg);
	}
	if (c->all) {
		rt_buf_release(&msg);
		return;
	}
	if (!before(l) || !(t = old_table(l->old, d->table))) {
		for (i = 0; i < c->cols.count; i++)
			rt_buf_printf(&gone, "%s'%s'", i ? ", " : "", c->cols.items[i]);
		rt_buf_printf(&msg, "rebuilds table '%s' keeping only %s; lint cannot see the "
			      "columns it had (%s): any other is dropped with its data", d->table,
			      gone.len ? gone.ptr : "no column",
			      l->old ? "the migrations before it leave no such table" : l->old_why);
		report_dropped(l, d, RULE_DROP_COLUMN, &msg);
	} else {
		for (i = 0; i < t->ncols; i++) {
			size_t k;
			int kept = 0;

			for (k = 0; k < c->cols.count && !kept; k++)
				kept = !strcasecmp(c->cols.items[k], t->cols[i].name);
			if (!kept)
				rt_buf_printf(&gone, "%s'%s'", n++ ? ", " : "", t->cols[i].name);
		}
		rt_buf_printf(&msg, "rebuilds table '%s' without column%s %s: the data in %s is "
			      "dropped", d->table, n > 1 ? "s" : "", gone.ptr, n > 1 ? "them" : "it");
		if (n)
			report_dropped(l, d, RULE_DROP_COLUMN, &msg);
	}
	rt_buf_release(&gone);
	rt_buf_release(&msg);
}

/* ALTER TABLE new RENAME TO old, after DROP TABLE old. */
static void check_rename(lint *l, json_t *b)
{
	rt_buf from = RT_BUF_INIT;
	json_t *rv = json_object_get(b, "relation");
	const char *to = str(b, "newname");
	size_t i;

	if (!streq(str(b, "renameType"), "OBJECT_TABLE") || !json_is_object(rv) || !to)
		return;
	relation_name(&from, rv);
	for (i = l->ndrops; i-- > 0; ) {
		struct dropped *d = &l->drops[i];

		if (!d->renamed && !strcmp(base_name(d->table), to) &&
		    !strcmp(l->copies[d->copy].into, from.ptr)) {
			rebuilt(l, d);
			break;
		}
	}
	rt_buf_release(&from);
}

/* At the end of the section: a DROP TABLE no rebuild explained. */
static void drops_left(lint *l)
{
	rt_buf msg = RT_BUF_INIT;
	size_t i;

	for (i = 0; i < l->ndrops; i++) {
		if (l->drops[i].renamed)
			continue;
		rt_buf_clear(&msg);
		rt_buf_printf(&msg, "drops table '%s' and every row in it", l->drops[i].table);
		report_dropped(l, &l->drops[i], RULE_DROP_TABLE, &msg);
	}
	rt_buf_release(&msg);
}

/* ---- the rules on one statement ------------------------------------------------ */

static void check_drop(lint *l, json_t *b)
{
	rt_buf names = RT_BUF_INIT, one = RT_BUF_INIT;
	size_t i, n = 0;
	json_t *obj, *body;
	long copy;

	if (!streq(str(b, "removeType"), "OBJECT_TABLE"))
		return;
	json_array_foreach(json_object_get(b, "objects"), i, obj) {
		if (strcmp(node_tag(obj, &body), "List"))
			continue;
		rt_buf_clear(&one);
		dotted_name(&one, json_object_get(body, "items"));
		if (is_new_table(l, one.ptr))
			continue;
		if ((copy = copied_out(l, one.ptr)) >= 0) {
			defer_drop(l, one.ptr, (size_t)copy);
			continue;
		}
		rt_buf_printf(&names, "%s'%s'", n++ ? ", " : "", one.ptr);
	}
	if (n)
		report(l, RULE_DROP_TABLE, l->line,
		       "drops table%s %s and every row in %s", n > 1 ? "s" : "", names.ptr,
		       n > 1 ? "them" : "it");
	rt_buf_release(&names);
	rt_buf_release(&one);
}

static void check_truncate(lint *l, json_t *b)
{
	rt_buf names = RT_BUF_INIT, one = RT_BUF_INIT;
	size_t i, n = 0;
	json_t *rel, *rv;

	json_array_foreach(json_object_get(b, "relations"), i, rel) {
		if (strcmp(node_tag(rel, &rv), "RangeVar"))
			continue;
		rt_buf_clear(&one);
		relation_name(&one, rv);
		if (is_new_table(l, one.ptr))
			continue;
		rt_buf_printf(&names, "%s'%s'", n++ ? ", " : "", one.ptr);
	}
	if (n)
		report(l, RULE_TRUNCATE, l->line, "truncates %s: every row is deleted", names.ptr);
	rt_buf_release(&names);
	rt_buf_release(&one);
}

/* A type any value converts to without loss: text, or varchar without a
 * length, with no USING expression. */
static int widening_type(json_t *coldef)
{
	json_t *tn = json_object_get(coldef, "typeName"), *names;
	const char *last;

	if (json_object_get(coldef, "raw_default") || !tn ||
	    json_array_size(json_object_get(tn, "typmods")) ||
	    json_array_size(json_object_get(tn, "arrayBounds")))
		return 0;
	names = json_object_get(tn, "names");
	if (!json_array_size(names))
		return 0;
	last = string_node(json_array_get(names, json_array_size(names) - 1));
	return streq(last, "text") || streq(last, "varchar");
}

/* ADD COLUMN ... NOT NULL (or PRIMARY KEY) with nothing to fill the
 * existing rows: no DEFAULT, identity, generated expression or serial. */
static int not_null_without_default(json_t *coldef)
{
	static const char *const serials[] = {
		"serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"
	};
	json_t *c, *body, *names;
	int not_null = 0, filled = 0;
	size_t i;

	json_array_foreach(json_object_get(coldef, "constraints"), i, c) {
		const char *type;

		if (strcmp(node_tag(c, &body), "Constraint"))
			continue;
		type = str(body, "contype");
		if (streq(type, "CONSTR_NOTNULL") || streq(type, "CONSTR_PRIMARY"))
			not_null = 1;
		else if (streq(type, "CONSTR_DEFAULT") || streq(type, "CONSTR_IDENTITY") ||
			 streq(type, "CONSTR_GENERATED"))
			filled = 1;
	}
	if (json_object_get(coldef, "raw_default"))
		filled = 1;
	names = json_object_get(json_object_get(coldef, "typeName"), "names");
	if (json_array_size(names) == 1) {
		const char *t = string_node(json_array_get(names, 0));

		for (i = 0; t && i < sizeof(serials) / sizeof(serials[0]); i++)
			if (!strcmp(t, serials[i]))
				filled = 1;
	}
	return not_null && !filled;
}

/* ALTER COLUMN col TYPE: compared with the type the column had, when
 * lint can know it (the schema before the revision, or an earlier
 * statement of the section); else only a change to text is known safe. */
static void check_type_change(lint *l, const char *table, const char *col, json_t *def)
{
	rt_buf to = RT_BUF_INIT, from = RT_BUF_INIT;
	json_t *tn = json_object_get(def, "typeName"), *ot = NULL;
	const char *why = "no type given";
	int using = json_object_get(def, "raw_default") != NULL;
	typeinfo o, n;

	type_name(&to, tn);
	if (json_is_object(tn))
		ot = old_type(l, table, col, &from, &why);
	if (ot) {
		type_info(&o, ot);
		type_info(&n, tn);
		if (using || !fits(&o, &n))
			report(l, RULE_TYPE_NARROWING, l->line,
			       "changes column '%s' of '%s' from '%s' to '%s'%s: values the new "
			       "type cannot hold fail the migration or lose precision",
			       col, table, from.ptr, to.ptr, using ? " with USING" : "");
		if (l->full_rules && (using || !metadata_only(&o, &n)))
			report(l, RULE_PG_COLUMN_TYPE, l->line,
			       "changes the type of column '%s' of '%s' from '%s' to '%s': the "
			       "table is rewritten with its indexes under an ACCESS EXCLUSIVE lock; "
			       "add a new column and backfill it instead", col, table, from.ptr,
			       to.ptr);
	} else {
		if (!widening_type(def))
			report(l, RULE_TYPE_NARROWING, l->line,
			       "changes column '%s' of '%s' to '%s' from a type lint cannot see "
			       "(%s): values the new type cannot hold fail the migration or lose "
			       "precision", col, table, to.ptr, why);
		if (l->full_rules)
			report(l, RULE_PG_COLUMN_TYPE, l->line,
			       "changes the type of column '%s' of '%s' to '%s': the table is locked "
			       "(ACCESS EXCLUSIVE) and rewritten with its indexes unless the old type "
			       "converts in place (varchar to text, a longer varchar), which lint "
			       "cannot see (%s); add a new column and backfill it instead",
			       col, table, to.ptr, why);
	}
	/* the next change of the column starts from this type */
	set_section_type(l, table, col, tn);
	json_decref(ot);
	rt_buf_release(&to);
	rt_buf_release(&from);
}

/* ADD PRIMARY KEY builds its unique index under the ACCESS EXCLUSIVE
 * lock ALTER TABLE takes; one built CONCURRENTLY beforehand and named
 * in USING INDEX makes it a catalog change. */
static void check_add_key(lint *l, const char *table, json_t *con)
{
	const char *name = str(con, "conname");

	if (!streq(str(con, "contype"), "CONSTR_PRIMARY") || str(con, "indexname"))
		return;
	report(l, RULE_PG_ADD_PRIMARY_KEY, l->line,
	       "adds primary key %s%s%sto existing table '%s'%s: its unique index is built "
	       "under an ACCESS EXCLUSIVE lock, and reads and writes wait until it is; create "
	       "the index first with CREATE UNIQUE INDEX CONCURRENTLY (in a transaction=false "
	       "section), then ADD CONSTRAINT ... PRIMARY KEY USING INDEX",
	       name ? "'" : "", name ? name : "", name ? "' " : "", table,
	       rt_strlist_has(&l->dropped_pk, table) ?
	       " after dropping the old one (no key holds in between)" : "");
}

/* DROP CONSTRAINT of what looks like the primary key: PostgreSQL names
 * it table_pkey; the schema before the revision, when read, knows. */
static void note_dropped_key(lint *l, const char *table, const char *name)
{
	rt_buf pkey = RT_BUF_INIT;
	const rt_table *t = l->old ? old_table(l->old, table) : NULL;

	rt_buf_printf(&pkey, "%s_pkey", base_name(table));
	if (name && (!strcmp(name, pkey.ptr) || (t && streq(t->pk_name, name))) &&
	    rt_strlist_add(&l->dropped_pk, table) < 0)
		l->oom = 1;
	rt_buf_release(&pkey);
}

static void check_alter_cmd(lint *l, const char *table, json_t *cmd)
{
	const char *sub = str(cmd, "subtype"), *col = str(cmd, "name");
	int locks = l->full_rules;
	json_t *def;

	if (!col)
		col = "?";
	if (streq(sub, "AT_DropColumn")) {
		report(l, RULE_DROP_COLUMN, l->line, "drops column '%s' of '%s' and its data",
		       col, table);
	} else if (streq(sub, "AT_AlterColumnType")) {
		if ((def = child(cmd, "def", "ColumnDef")) != NULL)
			check_type_change(l, table, col, def);
	} else if (streq(sub, "AT_SetNotNull") && locks) {
		report(l, RULE_PG_SET_NOT_NULL, l->line,
		       "sets column '%s' of '%s' NOT NULL: the table is locked (ACCESS "
		       "EXCLUSIVE) while every row is scanned; validate a CHECK ('%s' IS NOT "
		       "NULL) NOT VALID constraint first", col, table, col);
	} else if (streq(sub, "AT_AddColumn")) {
		const char *name;

		def = child(cmd, "def", "ColumnDef");
		name = def ? str(def, "colname") : NULL;
		if (name)
			set_section_type(l, table, name, json_object_get(def, "typeName"));
		if (locks && def && not_null_without_default(def)) {
			report(l, RULE_PG_ADD_NOT_NULL, l->line,
			       "adds column '%s' to '%s' as NOT NULL without a default: fails "
			       "when the table has rows; add a DEFAULT, or add it nullable, fill "
			       "it, then set NOT NULL", name ? name : "?", table);
		}
	} else if (streq(sub, "AT_DropConstraint")) {
		note_dropped_key(l, table, str(cmd, "name"));
	} else if (streq(sub, "AT_AddConstraint") && locks) {
		def = child(cmd, "def", "Constraint");
		if (def)
			check_add_key(l, table, def);
		if (def && streq(str(def, "contype"), "CONSTR_FOREIGN") &&
		    !flag(def, "skip_validation")) {
			const char *name = str(def, "conname");

			report(l, RULE_PG_FOREIGN_KEY, l->line,
			       "adds foreign key %s%s%sto '%s' without NOT VALID: both tables are "
			       "locked while every row is checked; add it NOT VALID and VALIDATE "
			       "CONSTRAINT in a later migration",
			       name ? "'" : "", name ? name : "", name ? "' " : "", table);
		}
	}
}

static void check_alter_table(lint *l, json_t *b)
{
	rt_buf table = RT_BUF_INIT;
	json_t *rv = json_object_get(b, "relation"), *cmd, *body;
	size_t i;

	/* ALTER INDEX, ALTER VIEW ... are AlterTableStmts too */
	if (!streq(str(b, "objtype"), "OBJECT_TABLE") || !json_is_object(rv))
		return;
	relation_name(&table, rv);
	if (!is_new_table(l, table.ptr)) {
		json_array_foreach(json_object_get(b, "cmds"), i, cmd) {
			if (!strcmp(node_tag(cmd, &body), "AlterTableCmd"))
				check_alter_cmd(l, table.ptr, body);
		}
	}
	rt_buf_release(&table);
}

static void check_index(lint *l, json_t *b)
{
	rt_buf table = RT_BUF_INIT;
	json_t *rv = json_object_get(b, "relation");
	const char *name = str(b, "idxname");

	if (flag(b, "concurrent") || !l->full_rules || !json_is_object(rv))
		return;
	relation_name(&table, rv);
	if (!is_new_table(l, table.ptr))
		report(l, RULE_PG_INDEX, l->line,
		       "creates index %s%s%son existing table '%s' without CONCURRENTLY: "
		       "writes to it wait until the index is built; use CREATE INDEX "
		       "CONCURRENTLY in a transaction=false section",
		       name ? "'" : "", name ? name : "", name ? "' " : "", table.ptr);
	rt_buf_release(&table);
}

/* ---- DO blocks ------------------------------------------------------------------ */

/*
 * A DO block runs its PL/pgSQL body once, there and then: the plain SQL
 * statements in it are linted like the section's own, read out of the
 * body by libpg_query's PL/pgSQL parser, on their lines in the file.
 * What EXECUTE runs is built at run time: a constant string is linted,
 * anything else is reported as unseen (do-dynamic-sql).
 */

static void walk(lint *l, json_t *root, size_t base, size_t end, size_t min);
static void check_stmt(lint *l, json_t *stmt, size_t base);

/* Where a DO block's body is in the section's text. */
typedef struct do_body {
	size_t off;   /* text[off] is its first character; -1: the text is not
		       * the body as written (a quote doubled in it) */
	size_t end;
	int line;     /* the file line of its first character */
} do_body;

/* text[from, to) holds `needle` (n bytes) at the returned offset, or -1. */
static size_t find(const char *text, size_t from, size_t to, const char *needle, size_t n)
{
	size_t i;

	for (i = from; n && i + n <= to; i++)
		if (!memcmp(text + i, needle, n))
			return i;
	return (size_t)-1;
}

/* A statement of the body, on file line `line`, found as written at
 * text[off] (or off == -1); its ignore comment is the line above it,
 * inside the body (text[min] on). */
static void lint_inner(lint *l, const char *sql, size_t off, size_t min, int line)
{
	PgQueryParseResult r = pg_query_parse(sql);
	json_t *root, *item;
	size_t i;

	/* PL/pgSQL took it: a statement PostgreSQL's parser rejects here
	 * uses PL/pgSQL's own syntax, and is not the linter's business */
	if (!r.error && (root = json_loads(r.parse_tree, 0, NULL)) != NULL) {
		if (off != (size_t)-1) {
			walk(l, root, off, off + strlen(sql), min);
		} else {
			json_array_foreach(json_object_get(root, "stmts"), i, item) {
				l->line = line;
				check_stmt(l, json_object_get(item, "stmt"), (size_t)-1);
			}
		}
		json_decref(root);
	}
	pg_query_free_parse_result(r);
}

/* The value of a string constant written '...', or NULL. */
static char *string_constant(const char *q)
{
	size_t n = strlen(q), i, k = 0;
	char *out;

	if (n < 2 || q[0] != '\'' || q[n - 1] != '\'' || !(out = malloc(n)))
		return NULL;
	for (i = 1; i < n - 1; i++) {
		if (q[i] == '\'' && (i + 1 >= n - 1 || q[++i] != '\'')) {
			free(out);
			return NULL;  /* 'a' || 'b', or the like */
		}
		out[k++] = q[i];
	}
	out[k] = '\0';
	return out;
}

/* Statement `lineno` (1: the body's first line) of the body, `sql`. */
static void body_stmt(lint *l, const do_body *d, json_t *lineno, const char *sql, int dynamic)
{
	int line = d->line + (json_is_integer(lineno) ? (int)json_integer_value(lineno) - 1 : 0);
	size_t ls = (size_t)-1, at = (size_t)-1, i;
	char *value;
	int n;

	if (d->off != (size_t)-1) {
		/* the start of the line, then the statement as written on it */
		for (ls = d->off, n = line - d->line; n > 0 && ls < d->end; ls++)
			if (l->text[ls] == '\n')
				n--;
		if (!dynamic)
			at = find(l->text, ls, d->end, sql, strlen(sql));
	}
	if (at != (size_t)-1) {
		lint_inner(l, sql, at, d->off, line);
		return;
	}
	if (ls != (size_t)-1) {
		for (i = ls; i > d->off && l->text[i - 1] != '\n'; i--)
			;
		read_ignore(l, l->text, i, d->off, line);
	}
	if (!dynamic) {
		lint_inner(l, sql, (size_t)-1, 0, line);
	} else if ((value = string_constant(sql)) != NULL) {
		lint_inner(l, value, (size_t)-1, 0, line);
		free(value);
	} else {
		report(l, RULE_DO_DYNAMIC_SQL, line,
		       "EXECUTE runs SQL built when the DO block runs, which lint cannot see; "
		       "check what it can do by hand");
	}
}

/* each_node: a statement of a PL/pgSQL tree, anywhere in its blocks,
 * IFs, loops and exception handlers. */
static int body_node(void *arg, const char *tag, json_t *body)
{
	reading *r = arg;
	json_t *expr;
	int dynamic = !strcmp(tag, "PLpgSQL_stmt_dynexecute");

	if (strcmp(tag, "PLpgSQL_stmt_execsql") && !dynamic)
		return 0;
	expr = child(body, dynamic ? "query" : "sqlstmt", "PLpgSQL_expr");
	if (expr && str(expr, "query") && !r->l->oom)
		body_stmt(r->l, r->d, json_object_get(body, "lineno"), str(expr, "query"), dynamic);
	return 1;
}

/* DO [LANGUAGE plpgsql] '<body>', the body's constant at text[at] (at
 * == -1: not known). */
static void check_do(lint *l, json_t *b, size_t base)
{
	static const char wrap[] = "CREATE FUNCTION retort_lint_do() RETURNS void "
				   "LANGUAGE plpgsql AS ";
	const char *body = NULL, *lang = NULL;
	json_t *arg, *de, *loc = NULL, *root;
	rt_buf fn = RT_BUF_INIT, tag = RT_BUF_INIT;
	PgQueryPlpgsqlParseResult r;
	do_body d;
	size_t i, n, at = (size_t)-1;
	int k = 0;

	json_array_foreach(json_object_get(b, "args"), i, arg) {
		if (strcmp(node_tag(arg, &de), "DefElem"))
			continue;
		if (streq(str(de, "defname"), "as")) {
			body = string_node(json_object_get(de, "arg"));
			loc = json_object_get(de, "location");
		} else if (streq(str(de, "defname"), "language")) {
			lang = string_node(json_object_get(de, "arg"));
		}
	}
	if (!body || (lang && strcmp(lang, "plpgsql")) || l->depth >= 4)
		return;
	n = strlen(body);
	d.off = (size_t)-1;
	d.line = l->line;
	d.end = l->len;
	if (base != (size_t)-1 && json_is_integer(loc) && json_integer_value(loc) >= 0 &&
	    (at = base + (size_t)json_integer_value(loc)) < l->len) {
		d.line = line_at(l, at);
		i = at + 1;
		if (l->text[at] == '$') {
			while (i < l->len && l->text[i] != '$')
				i++;
			i++;  /* past the tag's closing $ */
		}
		if ((l->text[at] == '$' || l->text[at] == '\'') && i <= l->len &&
		    l->len - i >= n && !memcmp(l->text + i, body, n)) {
			d.off = i;
			d.end = i + n;
		}
	}
	/* the body as a function's, between dollar quotes it does not hold */
	do {
		rt_buf_clear(&tag);
		rt_buf_printf(&tag, "$rt%d$", k++);
	} while (!rt_buf_oom(&tag) && strstr(body, tag.ptr));
	rt_buf_printf(&fn, "%s%s%s%s", wrap, tag.ptr, body, tag.ptr);
	if (rt_buf_oom(&fn) || rt_buf_oom(&tag)) {
		l->oom = 1;
		goto done;
	}
	r = pg_query_parse_plpgsql(fn.ptr);
	if (!r.error && r.plpgsql_funcs && (root = json_loads(r.plpgsql_funcs, 0, NULL))) {
		reading br = { l, NULL, &d };

		l->depth++;
		each_node(root, 0, body_node, &br);
		l->depth--;
		json_decref(root);
	}
	pg_query_free_plpgsql_parse_result(r);
done:
	rt_buf_release(&fn);
	rt_buf_release(&tag);
}

/* Lint one statement; `base` is the offset in the text its parse tree's
 * locations count from, (size_t)-1 when it is not in the text as
 * written (a statement of a DO block's body with a doubled quote). */
static void check_stmt(lint *l, json_t *stmt, size_t base)
{
	json_t *b, *into;
	const char *tag = node_tag(stmt, &b), *nontx;

	if (!b)
		return;
	if (l->depth) {
		/* a DO block's statement: the DO counted for the section */
		if ((nontx = nontx_name(tag, b)) != NULL)
			report(l, RULE_NONTX, l->line,
			       "%s cannot run inside a DO block (a function); run it as a "
			       "statement of its own in a section marked transaction=false", nontx);
	} else {
		l->nstmts++;
		if ((nontx = nontx_name(tag, b)) != NULL) {
			l->nontx++;
			if (l->sec->transactional)
				report(l, RULE_NONTX, l->line,
				       "%s cannot run inside a transaction; move it to a section "
				       "marked transaction=false", nontx);
		}
		if (!strcmp(tag, "TransactionStmt"))
			l->txctl++;
	}
	if (l->upgrade) {
		if (!strcmp(tag, "DropStmt"))
			check_drop(l, b);
		else if (!strcmp(tag, "TruncateStmt"))
			check_truncate(l, b);
		else if (!strcmp(tag, "AlterTableStmt"))
			check_alter_table(l, b);
		else if (!strcmp(tag, "IndexStmt"))
			check_index(l, b);
		else if (!strcmp(tag, "InsertStmt"))
			check_insert(l, b);
		else if (!strcmp(tag, "RenameStmt"))
			check_rename(l, b);
		else if (!strcmp(tag, "DoStmt"))
			check_do(l, b, base);
	}
	/* after the checks: CREATE TABLE t ... then DROP TABLE t is fine,
	 * but only from the next statement on */
	if (!strcmp(tag, "CreateStmt"))
		add_created(l, json_object_get(b, "relation"));
	else if (!strcmp(tag, "CreateTableAsStmt") && (into = json_object_get(b, "into")))
		add_created(l, json_object_get(into, "rel"));
	else if (!strcmp(tag, "SelectStmt") && (into = json_object_get(b, "intoClause")))
		add_created(l, json_object_get(into, "rel"));
}

/* ---- parsing a section ------------------------------------------------------------ */

/* The parse tree of text[base, end): lint each statement in it; the
 * first one's ignore comment may start at text[min]. */
static void walk(lint *l, json_t *root, size_t base, size_t end, size_t min)
{
	json_t *item;
	size_t i;

	json_array_foreach(json_object_get(root, "stmts"), i, item) {
		json_t *loc = json_object_get(item, "stmt_location");
		json_t *len = json_object_get(item, "stmt_len");
		size_t off = base, stop = end, start;

		if (json_is_integer(loc) && json_integer_value(loc) > 0)
			off = base + (size_t)json_integer_value(loc);
		if (json_is_integer(len) && json_integer_value(len) > 0)
			stop = off + (size_t)json_integer_value(len);
		if (off > end || stop > end || off > stop)
			continue;
		if ((start = begin_stmt(l, off, stop, off == base ? min : off)) >= stop)
			continue;
		check_stmt(l, json_object_get(item, "stmt"), base);
	}
}

/* text[off, end) cannot be linted.  With a `message` it did not parse:
 * an error in a section a dialect with the full rule set runs (the
 * parser is its own), a statement skipped in the others.  Without, it
 * parsed but its tree was too deep to read, and is skipped either way. */
static void unreadable(lint *l, size_t off, size_t end, size_t min, const char *message,
		       int cursorpos)
{
	size_t start = begin_stmt(l, off, end, min), at = start;

	if (start >= end)
		return;
	l->unread++;
	if (!message || !l->full_rules) {
		l->out->skipped++;
		return;
	}
	if (cursorpos > 0)
		at = off + rt_pg_char_to_byte(l->text + off, end - off, cursorpos);
	report(l, RULE_SYNTAX, line_at(l, at), "cannot parse the statement: %s", message);
}

/* Parse text[off, off + n) on its own; its ignore comment may start at
 * text[min]. */
static void lint_piece(lint *l, size_t off, size_t n, size_t min)
{
	char *piece = rt_strndup(l->text + off, n);
	PgQueryParseResult r;
	json_t *root;

	if (!piece) {
		l->oom = 1;
		return;
	}
	r = pg_query_parse(piece);
	if (r.error) {
		unreadable(l, off, off + n, min, r.error->message, r.error->cursorpos);
	} else if ((root = json_loads(r.parse_tree, 0, NULL)) != NULL) {
		walk(l, root, off, off + n, min);
		json_decref(root);
	} else {
		unreadable(l, off, off + n, min, NULL, 0);
	}
	pg_query_free_parse_result(r);
	free(piece);
}

/* The whole section in one parse when it is all PostgreSQL; otherwise
 * split it with PostgreSQL's scanner (which knows quotes, dollar quotes
 * and comments) and parse the statements one by one, so that one that
 * PostgreSQL does not know does not hide the others. */
static void lint_text(lint *l)
{
	PgQueryParseResult r = pg_query_parse(l->text);
	rt_span *sp = NULL;
	json_t *root;
	size_t i, n = 0, done = 0;

	if (!r.error && (root = json_loads(r.parse_tree, 0, NULL)) != NULL) {
		walk(l, root, 0, l->len, 0);
		json_decref(root);
		pg_query_free_parse_result(r);
		return;
	}
	/* statements the parser rejects still reach the linter one by one:
	 * the splitter keeps even those the scanner cannot classify */
	if (rt_pg_split(&sp, &n, l->text, l->len) < 0) {
		l->oom = 1;
	} else if (!n) {
		if (r.error)
			unreadable(l, 0, l->len, 0, r.error->message, r.error->cursorpos);
		else
			unreadable(l, 0, l->len, 0, NULL, 0);
	}
	for (i = 0; i < n && !l->oom; i++) {
		lint_piece(l, sp[i].off, sp[i].len, done);
		done = sp[i].off + sp[i].len;
	}
	free(sp);
	pg_query_free_parse_result(r);
}

/* Start of the marker line of `sec` in the script's text. */
static size_t marker_start(const rt_script *s, const rt_section *sec)
{
	size_t e = sec->offset;

	if (e > 0 && s->text[e - 1] == '\n')
		e--;
	while (e > 0 && s->text[e - 1] != '\n')
		e--;
	return e;
}

/* Free what the section's statements left for the later ones. */
static void section_release(lint *l)
{
	size_t i;

	for (i = 0; i < l->ncoltypes; i++) {
		free(l->coltypes[i].table);
		free(l->coltypes[i].col);
		json_decref(l->coltypes[i].type);
	}
	free(l->coltypes);
	for (i = 0; i < l->ncopies; i++) {
		free(l->copies[i].into);
		free(l->copies[i].from);
		rt_strlist_release(&l->copies[i].cols);
	}
	free(l->copies);
	for (i = 0; i < l->ndrops; i++) {
		free(l->drops[i].table);
		rt_strlist_release(&l->drops[i].ignore);
	}
	free(l->drops);
	rt_strlist_release(&l->dropped_pk);
	rt_strlist_release(&l->created);
	rt_strlist_release(&l->ignore);
}

int rt_lint_section(retort_lint_report *out, const rt_script *s, const rt_section *sec,
		    int full_rules, const rt_lint_before *before, rt_buf *err)
{
	lint l;
	char *text;
	int rc = 0;

	if (rt_pg_query_open(err) < 0)
		return RETORT_ERROR;
	if (!(text = rt_strndup(s->text + sec->offset, sec->len)))
		return rt_error(err, RETORT_ERROR, "out of memory");
	memset(&l, 0, sizeof(l));
	l.out = out;
	l.sec = sec;
	l.text = text;
	l.len = strlen(text);  /* a NUL byte ends what the parser sees */
	l.full_rules = full_rules;
	l.upgrade = sec->direction == RT_UP;
	l.pos_line = sec->line;
	l.before = before;
	lint_text(&l);
	drops_left(&l);
	if (!l.sec->transactional && l.nstmts && !l.nontx && !l.txctl && !l.unread && !l.oom) {
		int line = sec->line - 1;

		read_ignore(&l, s->text, marker_start(s, sec), 0, line);
		report(&l, RULE_TX_UNNEEDED, line,
		       "the section is marked transaction=false but every statement in it "
		       "can run in a transaction; a failure part way leaves it half applied");
	}
	if (l.oom)
		rc = rt_error(err, RETORT_ERROR, "out of memory");
	section_release(&l);
	free(text);
	return rc;
}

/* ---- sections for every dialect, on each configured one ---------------------- */

typedef struct {
	lint l;
	const rt_driver *d;
	int report;
	int *tainted;
} dialect_check;

static void rejected(void *arg, int kind, size_t off, const char *why)
{
	dialect_check *dc = arg;
	lint *l = &dc->l;

	/* once the scratch database misses a statement, what depends on it
	 * fails too and is not the statement's fault */
	/* the ignore comment is the line right above the statement, which
	 * may start anywhere after the one before (0: begin_stmt finds it) */
	if (dc->report && (kind != RT_REJECT_STATE || !*dc->tainted) &&
	    begin_stmt(l, off, l->len, 0) < l->len)
		report(l, RULE_DIALECT_SYNTAX, l->line,
		       "on %s: %s (the section has no dialect tag; write a '-- +%s %s' "
		       "section)", dc->d->name, why,
		       l->sec->direction == RT_UP ? "upgrade" : "downgrade", dc->d->name);
	*dc->tainted = 1;
}

int rt_lint_dialect(retort_lint_report *out, const rt_script *s, const rt_section *sec,
		    const rt_driver *d, rt_conn *c, int report, int *tainted, rt_buf *err)
{
	dialect_check dc;
	char *text;
	int rc;

	if (!(text = rt_strndup(s->text + sec->offset, sec->len)))
		return rt_error(err, RETORT_ERROR, "out of memory");
	memset(&dc, 0, sizeof(dc));
	dc.l.out = out;
	dc.l.sec = sec;
	dc.l.text = text;
	dc.l.len = strlen(text);
	dc.l.pos_line = sec->line;
	dc.d = d;
	dc.report = report;
	dc.tainted = tainted;
	rc = d->syntax_check(c, text, dc.l.len, sec->direction == RT_UP, rejected, &dc, err);
	if (rc >= 0 && dc.l.oom)
		rc = rt_error(err, RETORT_ERROR, "out of memory");
	rt_strlist_release(&dc.l.ignore);
	free(text);
	return rc;
}

#endif /* RETORT_WITH_PG */

/* ---- the public entry ----------------------------------------------------------- */

/* The dialect to lint for, NULL for every one of the build: `dialect` as
 * given (a dialect's name or alias, or "all"), else the URL's scheme.
 * Nothing connects, and no driver is made ready (lint reads a flag). */
static int lint_dialect(const rt_driver **out, retort *ctx, const char *dialect)
{
	rt_buf names = RT_BUF_INIT;
	const rt_driver *d;
	rt_url url;
	size_t i;
	int rc;

	*out = NULL;
	if (dialect && *dialect) {
		if (!strcmp(dialect, "all") || (*out = rt_driver_lookup_named(dialect)) != NULL)
			return 0;
		for (i = 0; (d = rt_driver_at(i)) != NULL; i++)
			rt_buf_printf(&names, "%s%s", i ? ", " : "", d->name);
		rc = rt_ctx_error(ctx, RETORT_EUSAGE, "unknown dialect '%s' (%s or all)", dialect,
				  names.ptr);
		rt_buf_release(&names);
		return rc;
	}
	/* no usable URL, or none of this build's: every dialect */
	if (rt_ctx_url(&url, ctx) == 0)
		*out = rt_driver_lookup(url.scheme);
	rt_url_release(&url);
	rt_buf_clear(&ctx->err);
	return 0;
}

/* Findings in the order of `rank` (a revision's place in the range, by
 * its topological position), then by line; stable. */
static void sort_findings(retort_lint_report *out, const size_t *rank)
{
	retort_lint_finding *f = out->findings;
	size_t i, j;

	for (i = 1; i < out->count; i++) {
		retort_lint_finding tmp = f[i];
		size_t r = rank[tmp.rev->topo];

		for (j = i; j > 0 && (rank[f[j - 1].rev->topo] > r ||
				      (rank[f[j - 1].rev->topo] == r && f[j - 1].line > tmp.line)); j--)
			f[j] = f[j - 1];
		f[j] = tmp;
	}
}

/* The dialect-syntax rule, on each configured dialect (rt_ctx_dialects)
 * when there are more than one: the plain sections of the range's
 * revisions that the dialect would run, given to its syntax_check.  A
 * dialect with a scratch database of its own (model_url: SQLite in
 * memory) gets there, revision by revision from base, the sections it
 * runs, so that a statement refers to the tables the migrations before
 * it made.  A dialect this run lints with its own parser (`lint_for`,
 * NULL: all) already reports what it cannot read (syntax-error), and is
 * left out; `only`: the one --dialect asked for, or NULL. */
static int check_dialects(retort_lint_report *out, retort *ctx, const rt_driver *lint_for,
			  const rt_driver *only, const retort_revlist *list)
{
	unsigned mask;
	const rt_driver *d;
	rt_graph *g;
	rt_url scratch;
	size_t *rank = NULL, i, k, n = 0;
	int rc;

	if ((rc = rt_ctx_dialects(&mask, ctx)) < 0)
		return rc;
	for (k = 0; rt_driver_at(k); k++)
		n += (mask >> k) & 1;
	if (n < 2 || !list->count)
		return 0;
	if ((rc = rt_ctx_graph(&g, ctx)) < 0)
		return rc;
	if (!(rank = malloc(g->n * sizeof(*rank))))
		return rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	for (i = 0; i < g->n; i++)
		rank[i] = (size_t)-1;
	for (i = 0; i < list->count; i++)
		rank[list->revs[i]->topo] = list->count - 1 - i;
	for (k = 0; (d = rt_driver_at(k)) != NULL && rc >= 0; k++) {
		rt_conn *c = NULL;
		int tainted = 0;

		if (!((mask >> k) & 1) || !d->syntax_check || (only && d != only) ||
		    (d->lint_full_rules && (!lint_for || lint_for == d)))
			continue;
		if (d->model_url) {
			memset(&scratch, 0, sizeof(scratch));
			if ((rc = rt_url_parse(&scratch, d->model_url, ctx->cfg.dir, &ctx->err)) >= 0)
				rc = d->connect(&c, &scratch, &ctx->cfg, &ctx->err);
			rt_url_release(&scratch);
			if (rc < 0)
				break;
		}
		for (i = 0; i < g->n && rc >= 0; i++) {
			const rt_rev *rev = g->topo[i];
			const rt_section *up, *down;
			int in = rank[rev->topo] != (size_t)-1;
			size_t first = out->count, f;
			rt_script s;

			if (!in && !c)
				continue;
			if ((rc = rt_rev_load_checked(&s, g, rev, &ctx->err)) < 0)
				break;
			up = rt_script_section(&s, RT_UP, d->name);
			down = rt_script_section(&s, RT_DOWN, d->name);
			if (up)
				rc = rt_lint_dialect(out, &s, up, d, c, in && !up->dialect, &tainted,
						     &ctx->err);
			if (rc >= 0 && down && in && !down->dialect)
				rc = rt_lint_dialect(out, &s, down, d, c, 1, &tainted, &ctx->err);
			rt_script_release(&s);
			for (f = first; f < out->count; f++) {
				out->findings[f].rev = rev;
				out->findings[f].path = rev->s.path;
			}
		}
		if (c)
			d->close(c);
	}
	if (rc >= 0)
		sort_findings(out, rank);
	free(rank);
	return rc;
}

int retort_lint(retort_lint_report *out, retort *ctx, const char *range, const char *dialect)
{
	retort_revlist list = { NULL, 0 };
	rt_buf spec = RT_BUF_INIT;
	const rt_driver *lint_for = NULL;
	rt_lint_before before;
	rt_lint_replay rp;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	rt_buf_clear(&ctx->err);
	if (!rt_lint_supported())
		return rt_ctx_error(ctx, RETORT_ERROR, "lint needs libpg_query: this retort "
				    "was built without PostgreSQL support");
	if ((rc = lint_dialect(&lint_for, ctx, dialect)) < 0)
		return rc;
	/* one revision, REV, is the range REV:REV */
	if (range && *range && !strchr(range, ':'))
		rt_buf_printf(&spec, "%s:%s", range, range);
	else if (range)
		rt_buf_puts(&spec, range);
	if (rt_buf_oom(&spec))
		return rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	rt_lint_replay_init(&rp, ctx, lint_for);
	before.get = rt_lint_replay_get;
	before.arg = &rp;
	if ((rc = retort_history(&list, ctx, range ? spec.ptr : NULL)) < 0)
		goto done;
	/* oldest first, as the migrations run */
	for (i = list.count; i-- > 0; ) {
		const retort_rev *rev = list.revs[i];
		size_t first = out->count, k;
		rt_script s;

		if ((rc = rt_rev_load_checked(&s, &ctx->graph, rev, &ctx->err)) < 0)
			goto done;
		rp.rev = rev;
		rc = rt_lint_script(out, &s, lint_for, &before, &ctx->err);
		rt_script_release(&s);
		if (rc < 0)
			goto done;
		for (k = first; k < out->count; k++) {
			out->findings[k].rev = rev;
			out->findings[k].path = rev->s.path;
		}
		out->revisions++;
	}
	rc = check_dialects(out, ctx, lint_for, dialect && *dialect ? lint_for : NULL, &list);
done:
	rt_lint_replay_release(&rp);
	if (rc < 0)
		retort_lint_report_release(out);
	retort_revlist_release(&list);
	rt_buf_release(&spec);
	return rc;
}
