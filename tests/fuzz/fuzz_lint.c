/*
 * fuzz_lint.c - libFuzzer target for the linter: arbitrary bytes as the
 * body of one synthetic migration file's section, linted for the dialect
 * (one of the registry's drivers, or all) and with the section options the
 * first byte picks, and with the schema before the revision known (a few
 * tables whose columns have the types the rules compare) or not, as the
 * first byte's top bit says.  DO blocks' bodies go through libpg_query's
 * PL/pgSQL parser and back to the rules.  Every finding must
 * name a known level, a non-empty message and a line inside the file, and
 * the error count must match the findings.  The same section then goes to
 * the dialect-syntax check of each dialect that runs it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The schema before the revision: tables a, t and "new_t", with columns
 * of the types the type rules tell apart, as introspection spells them. */
static rt_schema before_schema;
static int known;

static const rt_schema *get_before(void *arg, const char **why)
{
	(void)arg;
	*why = "unknown in the fuzzer";
	return known ? &before_schema : NULL;
}

static void make_before(void)
{
	static const char *const types[] = {
		"integer", "bigint", "smallint", "character varying(100)", "varchar", "text",
		"numeric(10,2)", "numeric", "cidr", "inet", "timestamp(3) without time zone",
		"bit varying(5)", "character(5)", "double precision", "real", "VARCHAR(64)",
		"INTEGER", "BLOB", "date", "int[]", "interval", "no such type (", "",
	};
	static const char *const tables[] = { "a", "t", "new_t" };
	rt_buf name = RT_BUF_INIT;
	size_t i, k;
	rt_table *t;

	if (rt_schema_init(&before_schema, NULL) < 0)
		abort();
	for (k = 0; k < sizeof(tables) / sizeof(tables[0]); k++) {
		if (!(t = rt_schema_add_table(&before_schema, tables[k])) ||
		    rt_set_str(&t->pk_name, "t_pkey") < 0)
			abort();
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
			rt_buf_clear(&name);
			rt_buf_printf(&name, "%c", (int)('a' + i));
			if (rt_buf_oom(&name) || !rt_table_add_column(t, name.ptr, types[i]))
				abort();
		}
	}
	rt_buf_release(&name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const options[] = {
		"", " transaction=false", " postgresql", " sqlite",
		" postgresql transaction=false", " sqlite transaction=false",
		" postgres", " transaction=false",
	};
	/* NULL: every dialect of the build */
	static const char *const dialects[] = { NULL, "postgresql", "sqlite", NULL };
	const char *name;
	const rt_driver *d;
	retort_lint_report report;
	rt_buf text = RT_BUF_INIT, err = RT_BUF_INIT;
	rt_script s;
	size_t i, errors = 0;
	int lines = 1;
	unsigned char pick;

	static const rt_lint_before before = { get_before, NULL };

	if (!before_schema.ntables)
		make_before();
	if (!size || size > 65536)
		return 0;
	pick = data[0];
	known = pick >> 7;
	data++;
	size--;
	rt_buf_printf(&text, "-- fuzz\n-- revision: f1\n-- down_revision:\n\n-- +%s%s\n",
		      pick & 0x20 ? "downgrade" : "upgrade", options[pick & 7]);
	rt_buf_put(&text, (const char *)data, size);
	if (rt_buf_oom(&text))
		abort();
	for (i = 0; i < text.len; i++)
		lines += text.ptr[i] == '\n';
	memset(&report, 0, sizeof(report));
	name = dialects[(pick >> 3) & 3];
	if (name && !rt_driver_lookup_named(name))
		abort();  /* lint is built with PostgreSQL, so both are there */
	if (rt_script_parse_checked(&s, "fuzz.sql", text.ptr, text.len, &err) == 0) {
		if (rt_lint_script(&report, &s, name ? rt_driver_lookup_named(name) : NULL, &before,
				   &err) < 0)
			abort();  /* only out of memory may fail */
		for (i = 0; i < report.count; i++) {
			const retort_lint_finding *f = &report.findings[i];

			if (!f->rule || !f->message || !f->message[0] || f->rev || f->path)
				abort();
			if (f->level != RETORT_LINT_WARNING && f->level != RETORT_LINT_ERROR)
				abort();
			if (f->line < 1 || f->line > lines)
				abort();
			if (i && f->line < report.findings[i - 1].line)
				abort();
			errors += f->level == RETORT_LINT_ERROR;
		}
		if (errors != report.errors)
			abort();
		/* the dialect-syntax rule on the section, for each dialect
		 * that runs it, with no scratch database */
		for (i = 0; (d = rt_driver_at(i)) != NULL; i++) {
			const rt_section *sec = rt_script_section(&s, s.sections[0].direction, d->name);
			size_t k, first = report.count;
			int tainted = 0;

			if (!sec || !d->syntax_check)
				continue;
			if (rt_lint_dialect(&report, &s, sec, d, NULL, 1, &tainted, &err) < 0)
				abort();  /* only out of memory may fail */
			for (k = first; k < report.count; k++) {
				const retort_lint_finding *f = &report.findings[k];

				if (strcmp(f->rule, "dialect-syntax") || !f->message[0] ||
				    f->line < 1 || f->line > lines || f->level != RETORT_LINT_WARNING)
					abort();
			}
			if (report.count > first && !tainted)
				abort();
		}
	}
	rt_script_release(&s);
	retort_lint_report_release(&report);
	rt_buf_release(&text);
	rt_buf_release(&err);
	return 0;
}
