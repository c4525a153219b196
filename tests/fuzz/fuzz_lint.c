/*
 * fuzz_lint.c - libFuzzer target for the linter: arbitrary bytes as the
 * body of one synthetic migration file's section, linted for the dialect
 * (one of the registry's drivers, or all) and with the section options the
 * first byte picks.  Every finding must
 * name a known level, a non-empty message and a line inside the file, and
 * the error count must match the findings.  The same section then goes to
 * the dialect-syntax check of each dialect that runs it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

	if (!size || size > 65536)
		return 0;
	pick = data[0];
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
		if (rt_lint_script(&report, &s, name ? rt_driver_lookup_named(name) : NULL,
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
