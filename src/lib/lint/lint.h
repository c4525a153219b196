/*
 * lint.h - the migration linter's rule engine (lint.c), below the public
 * retort_lint(): it works on one parsed script, so that the unit tests
 * and the fuzzer can feed it statement text without a project.
 */
#ifndef RT_LINT_H
#define RT_LINT_H

#include "rt.h"
#include "driver.h"
#include "schema.h"

/* Non-zero when this build can lint: the rules read libpg_query's parse
 * tree, which a build without RETORT_WITH_PG does not have. */
int rt_lint_supported(void);

/* The schema the revision being linted starts from: what the migrations
 * before it leave, for the rules that must know a table as it was (the
 * old type of a column whose type changes; the columns a table rebuild
 * leaves behind).  `get` is called only when such a rule needs it, so a
 * file without those statements never waits for it; it returns the
 * schema (borrowed, valid while the section is linted), or NULL when it
 * cannot be known, with *why saying why in a few words ("no scratch
 * postgresql database: set dev_url").  A NULL rt_lint_before: never
 * known. */
typedef struct rt_lint_before {
	const rt_schema *(*get)(void *arg, const char **why);
	void *arg;
} rt_lint_before;

/* Lint one section of a fully parsed script (rt_script_parse_checked).
 * `full_rules`: a dialect that runs it takes lint's full rule set (its
 * driver's lint_full_rules): the lock rules apply, and a statement
 * libpg_query cannot parse is a `syntax-error` finding; without, such a
 * statement is counted in out->skipped.  Findings are appended with `rev`
 * and `path` NULL (the caller knows them).  Fails only when out of memory. */
int rt_lint_section(retort_lint_report *out, const rt_script *s, const rt_section *sec,
		    int full_rules, const rt_lint_before *before, rt_buf *err);

/* Lint every section of `s` (checked: rt_script_parse_checked) that
 * `dialect` would run, or with `dialect` NULL any dialect of this build
 * (the registry's drivers): its own section, or the plain one where the
 * file has none of its own, with the schema `before` it (may be NULL).
 * The new findings are ordered by line. */
int rt_lint_script(retort_lint_report *out, const rt_script *s, const rt_driver *dialect,
		   const rt_lint_before *before, rt_buf *err);

/* The dialect-syntax rule on one section of `s` that `d` runs: its
 * statements go to d->syntax_check, on `c` (may be NULL: the dialect's
 * scratch database, which the section's statements change; a downgrade
 * is undone again).  With `report`, each statement `d` does not take is a
 * finding (appended with `rev` and `path` NULL), one that fails because
 * of what the scratch database holds only while nothing was rejected
 * before (*tainted 0); any rejection sets *tainted.  Fails only when the
 * check cannot be made. */
int rt_lint_dialect(retort_lint_report *out, const rt_script *s, const rt_section *sec,
		    const rt_driver *d, rt_conn *c, int report, int *tainted, rt_buf *err);

#endif
