/*
 * lint.h - the migration linter's rule engine (lint.c), below the public
 * retort_lint(): it works on one parsed script, so that the unit tests
 * and the fuzzer can feed it statement text without a project.
 */
#ifndef RT_LINT_H
#define RT_LINT_H

#include "rt.h"

/* The dialects a section runs on, as a mask. */
#define RT_LINT_SQLITE (1u << 0)
#define RT_LINT_PG     (1u << 1)
#define RT_LINT_ALL    (RT_LINT_SQLITE | RT_LINT_PG)

/* Non-zero when this build can lint: the rules read libpg_query's parse
 * tree, which a build without RETORT_WITH_PG does not have. */
int rt_lint_supported(void);

/* Lint one section of a fully parsed script (rt_script_parse with
 * header_only = 0).  `dialects` are the ones it runs on: PostgreSQL's
 * rules apply when RT_LINT_PG is among them, and a statement libpg_query
 * cannot parse is then a `syntax-error` finding; in a section that only
 * SQLite runs such a statement is counted in out->skipped.  Findings are
 * appended with `rev` and `path` NULL (the caller knows them).  Fails
 * only when out of memory. */
int rt_lint_section(retort_lint_report *out, const rt_script *s, const rt_section *sec,
		    unsigned int dialects, rt_buf *err);

/* Lint every section of `s` that one of `dialects` would run (a plain
 * section for each dialect the file has no section of its own for), and
 * order the new findings by line. */
int rt_lint_script(retort_lint_report *out, const rt_script *s, unsigned int dialects,
		   rt_buf *err);

#endif
