/*
 * lint.c - `retort lint`: statements of migration files that lose data,
 * lock a busy PostgreSQL table for long, or cannot run the way their
 * section says (inside or outside a transaction).
 *
 * Every rule reads PostgreSQL's own parse tree of the statement, from
 * libpg_query as JSON, never the text: a DROP TABLE inside a string, a
 * comment or a function body is not a DROP TABLE.  SQLite sections go
 * through the same parser; what SQLite and PostgreSQL spell alike (DROP
 * TABLE, ALTER TABLE ... DROP COLUMN, most CREATE TABLEs) is linted, and
 * a statement only SQLite understands is skipped and counted.
 *
 * A section is linted as one migration: a table created earlier in the
 * same section is new and empty, so dropping, altering or indexing it
 * is neither destructive nor a long lock.  Downgrade sections undo their
 * upgrade and are expected to drop what it made; only the rules about
 * transactions and syntax apply to them.
 */
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "lint.h"
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
		   rt_buf *err)
{
	size_t i, first = out->count;
	int rc, full_rules;

	for (i = 0; i < s->nsections; i++) {
		const rt_section *sec = &s->sections[i];

		if (runs(s, sec, dialect, &full_rules) &&
		    (rc = rt_lint_section(out, s, sec, full_rules, err)) < 0)
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
		    int full_rules, rt_buf *err)
{
	(void)out;
	(void)s;
	(void)sec;
	(void)full_rules;
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

static int is_new_table(lint *l, const char *name)
{
	return rt_strlist_has(&l->created, name);
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

/* ---- the rules on one statement ------------------------------------------------ */

static void check_drop(lint *l, json_t *b)
{
	rt_buf names = RT_BUF_INIT, one = RT_BUF_INIT;
	size_t i, n = 0;
	json_t *obj, *body;

	if (!streq(str(b, "removeType"), "OBJECT_TABLE"))
		return;
	json_array_foreach(json_object_get(b, "objects"), i, obj) {
		if (strcmp(node_tag(obj, &body), "List"))
			continue;
		rt_buf_clear(&one);
		dotted_name(&one, json_object_get(body, "items"));
		if (is_new_table(l, one.ptr))
			continue;
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
		rt_buf type = RT_BUF_INIT;

		def = child(cmd, "def", "ColumnDef");
		type_name(&type, def ? json_object_get(def, "typeName") : NULL);
		if (!def || !widening_type(def))
			report(l, RULE_TYPE_NARROWING, l->line,
			       "changes column '%s' of '%s' to '%s': values the new type "
			       "cannot hold fail the migration or lose precision",
			       col, table, type.ptr);
		if (locks)
			report(l, RULE_PG_COLUMN_TYPE, l->line,
			       "changes the type of column '%s' of '%s': the table is locked "
			       "(ACCESS EXCLUSIVE) and may be rewritten with its indexes; "
			       "add a new column and backfill it instead", col, table);
		rt_buf_release(&type);
	} else if (streq(sub, "AT_SetNotNull") && locks) {
		report(l, RULE_PG_SET_NOT_NULL, l->line,
		       "sets column '%s' of '%s' NOT NULL: the table is locked (ACCESS "
		       "EXCLUSIVE) while every row is scanned; validate a CHECK ('%s' IS NOT "
		       "NULL) NOT VALID constraint first", col, table, col);
	} else if (streq(sub, "AT_AddColumn") && locks) {
		const char *name;

		def = child(cmd, "def", "ColumnDef");
		if (def && not_null_without_default(def)) {
			name = str(def, "colname");
			report(l, RULE_PG_ADD_NOT_NULL, l->line,
			       "adds column '%s' to '%s' as NOT NULL without a default: fails "
			       "when the table has rows; add a DEFAULT, or add it nullable, fill "
			       "it, then set NOT NULL", name ? name : "?", table);
		}
	} else if (streq(sub, "AT_AddConstraint") && locks) {
		def = child(cmd, "def", "Constraint");
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

static void check_stmt(lint *l, json_t *stmt)
{
	json_t *b, *into;
	const char *tag = node_tag(stmt, &b), *nontx;

	if (!b)
		return;
	l->nstmts++;
	if ((nontx = nontx_name(tag, b)) != NULL) {
		l->nontx++;
		if (l->sec->transactional)
			report(l, RULE_NONTX, l->line,
			       "%s cannot run inside a transaction; move it to a section marked "
			       "transaction=false", nontx);
	}
	if (!strcmp(tag, "TransactionStmt"))
		l->txctl++;
	if (l->upgrade) {
		if (!strcmp(tag, "DropStmt"))
			check_drop(l, b);
		else if (!strcmp(tag, "TruncateStmt"))
			check_truncate(l, b);
		else if (!strcmp(tag, "AlterTableStmt"))
			check_alter_table(l, b);
		else if (!strcmp(tag, "IndexStmt"))
			check_index(l, b);
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
		check_stmt(l, json_object_get(item, "stmt"));
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

int rt_lint_section(retort_lint_report *out, const rt_script *s, const rt_section *sec,
		    int full_rules, rt_buf *err)
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
	lint_text(&l);
	if (!l.sec->transactional && l.nstmts && !l.nontx && !l.txctl && !l.unread && !l.oom) {
		int line = sec->line - 1;

		read_ignore(&l, s->text, marker_start(s, sec), 0, line);
		report(&l, RULE_TX_UNNEEDED, line,
		       "the section is marked transaction=false but every statement in it "
		       "can run in a transaction; a failure part way leaves it half applied");
	}
	if (l.oom)
		rc = rt_error(err, RETORT_ERROR, "out of memory");
	rt_strlist_release(&l.created);
	rt_strlist_release(&l.ignore);
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
	if ((rc = retort_history(&list, ctx, range ? spec.ptr : NULL)) < 0)
		goto done;
	/* oldest first, as the migrations run */
	for (i = list.count; i-- > 0; ) {
		const retort_rev *rev = list.revs[i];
		size_t first = out->count, k;
		rt_script s;

		if ((rc = rt_rev_load_checked(&s, &ctx->graph, rev, &ctx->err)) < 0)
			goto done;
		rc = rt_lint_script(out, &s, lint_for, &ctx->err);
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
	if (rc < 0)
		retort_lint_report_release(out);
	retort_revlist_release(&list);
	rt_buf_release(&spec);
	return rc;
}
