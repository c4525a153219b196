/*
 * test_target.c - Alembic's target grammar (target.c): head, heads, base,
 * ids and prefixes, branch labels and label@head/base/REV/+N/-N, REV+N,
 * REV-N, +N/-N and current relative to the version table's rows, and
 * history ranges.
 */
#define _GNU_SOURCE /* nftw */
#include "rt_test.h"

#include <unistd.h>

#include "graph.h"
#include "graph_files.h"

/* ---- fixtures ------------------------------------------------------------- */

/* `current` argument meaning "the database was not read". */
#define NO_DB ((const char *)-1)

/* Two unmerged heads on one base: s0 -- s1 -+- sa
 *                                            +- sb -- sc     */
static void write_split(const char *dir)
{
	write_rev(dir, "s0", NULL, NULL, NULL);
	write_rev(dir, "s1", "s0", NULL, NULL);
	write_rev(dir, "sa", "s1", NULL, NULL);
	write_rev(dir, "sb", "s1", NULL, NULL);
	write_rev(dir, "sc", "sb", NULL, NULL);
}

static int setup_linear(void **state) { return setup_with(state, write_linear); }
static int setup_forest(void **state) { return setup_with(state, write_forest); }
static int setup_split(void **state) { return setup_with(state, write_split); }

/* The ids of `v` in order, after `prefix`, into f->out. */
static void join(fx *f, const rt_revvec *v, const char *prefix)
{
	rt_buf b = RT_BUF_INIT;
	size_t i;

	rt_buf_puts(&b, prefix);
	for (i = 0; i < v->n; i++)
		rt_buf_printf(&b, "%s%s", i ? " " : "", v->v[i]->s.revision);
	assert_true(b.len < sizeof(f->out));
	memcpy(f->out, b.ptr, b.len + 1);
	rt_buf_release(&b);
}

/* Resolve `spec` with the version table holding `current` (a comma list,
 * "" for an empty table, NO_DB for none); the result's ids in order, with
 * "cut:" in front when it is a cut. */
static const char *resolve_dir(fx *f, const char *spec, const char *current, int direction)
{
	rt_strlist cur = { 0 };
	rt_target t;
	int cut;

	assert_int_equal(rt_strlist_split(&cur, current == NO_DB ? "" : current), 0);
	assert_rt_ok_err(rt_target_resolve(&t, &f->g, spec, current == NO_DB ? NULL : &cur,
					   direction, &f->err), &f->err);
	cut = t.cut;
	join(f, &t.revs, cut ? "cut:" : "");
	rt_target_release(&t);
	assert_int_equal(t.revs.n, 0);
	assert_int_equal(t.cut, 0);
	rt_strlist_release(&cur);
	return f->out;
}

static const char *resolve(fx *f, const char *spec)
{
	return resolve_dir(f, spec, NO_DB, 0);
}

/* Resolution must fail with `code`; returns the message. */
static const char *resolve_fails(fx *f, const char *spec, const char *current, int direction,
				 int code)
{
	rt_strlist cur = { 0 };
	rt_target t;
	int rc;

	assert_int_equal(rt_strlist_split(&cur, current == NO_DB ? "" : current), 0);
	rc = rt_target_resolve(&t, &f->g, spec, current == NO_DB ? NULL : &cur, direction,
			       &f->err);
	if (rc != code)
		fail_msg("'%s' gave %d, want %d (%s)", spec, rc, code, rc < 0 ? f->err.ptr : "");
	/* nothing to free after a failure, and release is safe */
	assert_int_equal(t.revs.n, 0);
	rt_target_release(&t);
	rt_strlist_release(&cur);
	assert_true(f->err.len > 0);
	return f->err.ptr;
}

static const char *range(fx *f, const char *r, const char *current)
{
	rt_strlist cur = { 0 };
	rt_revvec out = { 0 };

	assert_int_equal(rt_strlist_split(&cur, current == NO_DB ? "" : current), 0);
	assert_rt_ok_err(rt_range_resolve(&out, &f->g, r, current == NO_DB ? NULL : &cur,
					  &f->err), &f->err);
	join(f, &out, "");
	rt_revvec_release(&out);
	rt_strlist_release(&cur);
	return f->out;
}

static const char *range_fails(fx *f, const char *r, const char *current, int code)
{
	rt_strlist cur = { 0 };
	rt_revvec out = { 0 };
	int rc;

	assert_int_equal(rt_strlist_split(&cur, current == NO_DB ? "" : current), 0);
	rc = rt_range_resolve(&out, &f->g, r, current == NO_DB ? NULL : &cur, &f->err);
	if (rc != code)
		fail_msg("range '%s' gave %d, want %d (%s)", r, rc, code, rc < 0 ? f->err.ptr : "");
	rt_revvec_release(&out);
	rt_strlist_release(&cur);
	return f->err.ptr;
}

static const char *sorted(const char *list);

/* ---- absolute targets --------------------------------------------------- */

static void test_head_heads_base(void **state)
{
	fx *f = *state;

	assert_string_equal(resolve(f, "head"), "l5");
	assert_string_equal(resolve(f, "heads"), "l5");
	assert_string_equal(resolve(f, "base"), "");
	/* no target at all means head */
	assert_string_equal(resolve(f, NULL), "l5");
	assert_string_equal(resolve(f, ""), "l5");
}

static void test_head_with_several_heads(void **state)
{
	fx *f = *state;
	const char *msg;

	msg = resolve_fails(f, "head", NO_DB, 0, RETORT_EAMBIGUOUS);
	assert_contains(msg, "'after'");
	assert_contains(msg, "'o2'");
	assert_string_equal(sorted(resolve(f, "heads")), "after o2");
	assert_string_equal(resolve(f, "base"), "");
}

static void test_split_heads(void **state)
{
	fx *f = *state;
	const char *msg;

	msg = resolve_fails(f, "head", NO_DB, 0, RETORT_EAMBIGUOUS);
	assert_contains(msg, "'sa'");
	assert_contains(msg, "'sc'");
	assert_string_equal(sorted(resolve(f, "heads")), "sa sc");
	/* REV@head: the heads sharing REV's line */
	msg = resolve_fails(f, "s1@head", NO_DB, 0, RETORT_EAMBIGUOUS);
	assert_contains(msg, "'sa'");
	assert_contains(msg, "'sc'");
	assert_string_equal(sorted(resolve(f, "s1@heads")), "sa sc");
	assert_string_equal(resolve(f, "sb@head"), "sc");
	assert_string_equal(resolve(f, "sa@head"), "sa");
	/* label@base: the base under it (Alembic's lineage) */
	assert_string_equal(resolve(f, "sb@base"), "cut:s0");
	/* one base that leads to a branch point */
	assert_string_equal(resolve_dir(f, "+1", "", RT_UP), "s0");
	assert_string_equal(resolve_dir(f, "+2", "", RT_UP), "s1");
	resolve_fails(f, "+3", "", RT_UP, RETORT_EAMBIGUOUS);
	resolve_fails(f, "base+3", NO_DB, 0, RETORT_EAMBIGUOUS);
	resolve_fails(f, "s1+1", NO_DB, 0, RETORT_EAMBIGUOUS);
	assert_string_equal(resolve(f, "sc-2"), "s1");
	assert_string_equal(resolve(f, "sc-3"), "s0");
	assert_string_equal(range(f, "s1:sc", NO_DB), "sc sb s1");
	range_fails(f, "sa:sc", NO_DB, RETORT_EUSAGE);
}

static void test_ids_and_prefixes(void **state)
{
	fx *f = *state;
	const char *msg;

	assert_string_equal(resolve(f, "t1"), "t1");
	assert_string_equal(resolve(f, "mg"), "mg");
	assert_string_equal(resolve(f, "af"), "after");
	assert_string_equal(resolve(f, "aft"), "after");
	msg = resolve_fails(f, "m", NO_DB, 0, RETORT_EAMBIGUOUS);
	assert_contains(msg, "'m1'");
	assert_contains(msg, "'m2'");
	assert_contains(msg, "'mg'");
	msg = resolve_fails(f, "zz9", NO_DB, 0, RETORT_ENOTFOUND);
	assert_contains(msg, "'zz9'");
	resolve_fails(f, "afterwards", NO_DB, 0, RETORT_ENOTFOUND);
}

static void test_bare_label(void **state)
{
	fx *f = *state;

	/* a bare label is the revision that declares it */
	assert_string_equal(resolve(f, "feature"), "f1");
	assert_string_equal(resolve(f, "mainline"), "m1");
	assert_string_equal(resolve(f, "other"), "o1");
}

static void test_label_at_head_and_base(void **state)
{
	fx *f = *state;

	assert_string_equal(resolve(f, "other@head"), "o2");
	assert_string_equal(resolve(f, "other@heads"), "o2");
	/* both branches end in the merge's line */
	assert_string_equal(resolve(f, "feature@head"), "after");
	assert_string_equal(resolve(f, "mainline@head"), "after");
	/* @base cuts at the base under the labelled revision: a label's
	 * branch is everything built on it and everything it is built on
	 * (Alembic's lineage), so a label off a trunk reaches the trunk's
	 * base */
	assert_string_equal(resolve(f, "other@base"), "cut:o1");
	assert_string_equal(resolve(f, "feature@base"), "cut:b0");
	assert_string_equal(resolve(f, "mainline@base"), "cut:b0");
	/* a revision id (or prefix) stands for the branch it is on */
	assert_string_equal(resolve(f, "o1@head"), "o2");
	/* ... including a trunk revision whose branches merge again */
	assert_string_equal(resolve(f, "t1@head"), "after");
	assert_string_equal(resolve(f, "b0@head"), "after");
	resolve_fails(f, "nosuch@head", NO_DB, 0, RETORT_ENOTFOUND);
}

static void test_label_on_a_line(void **state)
{
	fx *f = *state;

	/* "mid" is declared half way up a line without branch points: the
	 * whole line is its branch */
	assert_string_equal(resolve(f, "mid"), "l3");
	assert_string_equal(resolve(f, "mid@head"), "l5");
	assert_string_equal(resolve(f, "mid@base"), "cut:l1");
	assert_string_equal(resolve(f, "mid@l1"), "l1");
	assert_string_equal(resolve(f, "mid@l5"), "l5");
}

static void test_label_at_rev(void **state)
{
	fx *f = *state;
	const char *msg;

	assert_string_equal(resolve(f, "feature@f2"), "f2");
	assert_string_equal(resolve(f, "feature@f1"), "f1");
	/* the merge and what follows belong to both branches */
	assert_string_equal(resolve(f, "feature@mg"), "mg");
	assert_string_equal(resolve(f, "mainline@after"), "after");
	assert_string_equal(resolve(f, "mainline@m2"), "m2");
	/* REV+N / REV-N inside a branch */
	assert_string_equal(resolve(f, "feature@f1+1"), "f2");
	/* a revision of another branch is refused */
	msg = resolve_fails(f, "feature@m2", NO_DB, 0, RETORT_ENOTFOUND);
	assert_contains(msg, "'m2'");
	assert_contains(msg, "'feature'");
	resolve_fails(f, "feature@o1", NO_DB, 0, RETORT_ENOTFOUND);
	resolve_fails(f, "other@f1", NO_DB, 0, RETORT_ENOTFOUND);
	resolve_fails(f, "feature@nosuch", NO_DB, 0, RETORT_ENOTFOUND);
}

/* ---- relative to a revision ----------------------------------------------- */

static void test_rev_plus_minus(void **state)
{
	fx *f = *state;
	const char *msg;

	assert_string_equal(resolve(f, "l1+1"), "l2");
	assert_string_equal(resolve(f, "l1+4"), "l5");
	assert_string_equal(resolve(f, "l3+0"), "l3");
	assert_string_equal(resolve(f, "l5-2"), "l3");
	assert_string_equal(resolve(f, "l5-4"), "l1");
	assert_string_equal(resolve(f, "head-1"), "l4");
	assert_string_equal(resolve(f, "mid+1"), "l4");
	assert_string_equal(resolve(f, "mid-2"), "l1");
	/* one step below a base is base itself */
	assert_string_equal(resolve(f, "l1-1"), "");
	assert_string_equal(resolve(f, "l2-2"), "");
	/* base+N starts below the bases */
	assert_string_equal(resolve(f, "base+1"), "l1");
	assert_string_equal(resolve(f, "base+3"), "l3");
	assert_string_equal(resolve(f, "base+0"), "");
	/* past base, past the head */
	msg = resolve_fails(f, "l1-2", NO_DB, 0, RETORT_ENOTFOUND);
	assert_contains(msg, "'l1-2'");
	resolve_fails(f, "l3-5", NO_DB, 0, RETORT_ENOTFOUND);
	resolve_fails(f, "base-1", NO_DB, 0, RETORT_ENOTFOUND);
	msg = resolve_fails(f, "l4+2", NO_DB, 0, RETORT_ENOTFOUND);
	assert_contains(msg, "'l5'");
	resolve_fails(f, "base+6", NO_DB, 0, RETORT_ENOTFOUND);
	/* an unknown revision with a count */
	resolve_fails(f, "nope+1", NO_DB, 0, RETORT_ENOTFOUND);
	resolve_fails(f, "l3+x", NO_DB, 0, RETORT_ENOTFOUND);
}

static void test_rev_plus_minus_across_branches(void **state)
{
	fx *f = *state;
	const char *msg;

	assert_string_equal(resolve(f, "b0+1"), "t1");
	assert_string_equal(resolve(f, "f1+1"), "f2");
	assert_string_equal(resolve(f, "f2+1"), "mg");
	assert_string_equal(resolve(f, "after-1"), "mg");
	assert_string_equal(resolve(f, "m1-2"), "b0");
	/* up from a branch point: which child? */
	msg = resolve_fails(f, "t1+1", NO_DB, 0, RETORT_EAMBIGUOUS);
	assert_contains(msg, "'f1'");
	assert_contains(msg, "'m1'");
	resolve_fails(f, "b0+2", NO_DB, 0, RETORT_EAMBIGUOUS);
	/* down across a merge point: which parent? */
	msg = resolve_fails(f, "mg-1", NO_DB, 0, RETORT_EAMBIGUOUS);
	assert_contains(msg, "'m2'");
	assert_contains(msg, "'f2'");
	resolve_fails(f, "after-2", NO_DB, 0, RETORT_EAMBIGUOUS);
	/* base+1 with two bases */
	msg = resolve_fails(f, "base+1", NO_DB, 0, RETORT_EAMBIGUOUS);
	assert_contains(msg, "'b0'");
	assert_contains(msg, "'o1'");
	/* head-1 with two heads */
	resolve_fails(f, "head-1", NO_DB, 0, RETORT_EAMBIGUOUS);
}

/* ---- relative to the database ---------------------------------------------- */

static void test_relative_to_current(void **state)
{
	fx *f = *state;
	const char *msg;

	assert_string_equal(resolve_dir(f, "+1", "l2", 0), "l3");
	assert_string_equal(resolve_dir(f, "+2", "l2", RT_UP), "l4");
	assert_string_equal(resolve_dir(f, "+3", "l2", RT_UP), "l5");
	assert_string_equal(resolve_dir(f, "-1", "l2", 0), "l1");
	assert_string_equal(resolve_dir(f, "-2", "l2", 0), "");
	/* from an empty version table, +N starts below the base */
	assert_string_equal(resolve_dir(f, "+1", "", RT_UP), "l1");
	assert_string_equal(resolve_dir(f, "+5", "", RT_UP), "l5");
	assert_string_equal(resolve_dir(f, "current", "l4", 0), "l4");
	assert_string_equal(resolve_dir(f, "current", "", 0), "");
	assert_string_equal(resolve_dir(f, "current+1", "l4", 0), "l5");
	assert_string_equal(resolve_dir(f, "current-1", "l4", 0), "l3");
	assert_string_equal(resolve_dir(f, "current+1", "", 0), "l1");

	msg = resolve_fails(f, "+4", "l2", RT_UP, RETORT_ENOTFOUND);
	assert_contains(msg, "'l5'");
	resolve_fails(f, "-3", "l2", 0, RETORT_ENOTFOUND);
	resolve_fails(f, "-1", "", 0, RETORT_ENOTFOUND);
	resolve_fails(f, "-1", "", RT_DOWN, RETORT_ENOTFOUND);
	/* no database: these cannot be resolved */
	resolve_fails(f, "+1", NO_DB, RT_UP, RETORT_EUSAGE);
	resolve_fails(f, "-1", NO_DB, RT_DOWN, RETORT_EUSAGE);
	resolve_fails(f, "current", NO_DB, 0, RETORT_EUSAGE);
	/* a row no file defines */
	msg = resolve_fails(f, "+1", "deadbeef", RT_UP, RETORT_ENOTFOUND);
	assert_contains(msg, "'deadbeef'");
	resolve_fails(f, "current", "deadbeef", 0, RETORT_ENOTFOUND);
}

static void test_relative_downgrade_cuts(void **state)
{
	fx *f = *state;

	/* downgrade -N removes N revisions: the cut is the lowest of them */
	assert_string_equal(resolve_dir(f, "-1", "l5", RT_DOWN), "cut:l5");
	assert_string_equal(resolve_dir(f, "-2", "l5", RT_DOWN), "cut:l4");
	assert_string_equal(resolve_dir(f, "-4", "l5", RT_DOWN), "cut:l2");
	assert_string_equal(resolve_dir(f, "-5", "l5", RT_DOWN), "cut:l1");
	assert_string_equal(resolve_dir(f, "-1", "l1", RT_DOWN), "cut:l1");
	resolve_fails(f, "-6", "l5", RT_DOWN, RETORT_ENOTFOUND);
	resolve_fails(f, "-2", "l1", RT_DOWN, RETORT_ENOTFOUND);
	/* -0 removes nothing */
	assert_string_equal(resolve_dir(f, "-0", "l3", RT_DOWN), "l3");
}

static void test_relative_with_branches(void **state)
{
	fx *f = *state;
	const char *msg;

	/* +N from base where there are two bases */
	msg = resolve_fails(f, "+1", "", RT_UP, RETORT_EAMBIGUOUS);
	assert_contains(msg, "'b0'");
	assert_contains(msg, "'o1'");
	/* +N through a branch point */
	resolve_fails(f, "+1", "t1", RT_UP, RETORT_EAMBIGUOUS);
	resolve_fails(f, "+2", "b0", RT_UP, RETORT_EAMBIGUOUS);
	assert_string_equal(resolve_dir(f, "+1", "b0", RT_UP), "t1");
	/* several rows: +N / -N do not know which one */
	msg = resolve_fails(f, "+1", "f2,m2", RT_UP, RETORT_EAMBIGUOUS);
	assert_contains(msg, "'f2'");
	assert_contains(msg, "'m2'");
	resolve_fails(f, "-1", "f2,m2", RT_DOWN, RETORT_EAMBIGUOUS);
	/* -N across a merge point */
	resolve_fails(f, "-2", "mg", 0, RETORT_EAMBIGUOUS);
	resolve_fails(f, "-2", "mg", RT_DOWN, RETORT_EAMBIGUOUS);
	/* even -1: the merge's removal is a walk through it (Alembic) */
	resolve_fails(f, "-1", "mg", RT_DOWN, RETORT_EAMBIGUOUS);
	assert_string_equal(resolve_dir(f, "current", "f2,m2", 0), "f2 m2");
}

static void test_relative_in_a_branch(void **state)
{
	fx *f = *state;

	/* label@+N walks inside the branch from its row (or below it) */
	assert_string_equal(resolve_dir(f, "feature@+1", "t1", RT_UP), "f1");
	assert_string_equal(resolve_dir(f, "feature@+2", "t1", RT_UP), "f2");
	assert_string_equal(resolve_dir(f, "feature@+3", "t1", RT_UP), "mg");
	assert_string_equal(resolve_dir(f, "mainline@+1", "t1", RT_UP), "m1");
	assert_string_equal(resolve_dir(f, "feature@+1", "f1,m2", RT_UP), "f2");
	assert_string_equal(resolve_dir(f, "mainline@+1", "f1,m2", RT_UP), "mg");
	assert_string_equal(resolve_dir(f, "other@+1", "", RT_UP), "o1");
	assert_string_equal(resolve_dir(f, "other@+2", "after", RT_UP), "o2");
	/* label@-N: only that branch's row counts */
	assert_string_equal(resolve_dir(f, "other@-1", "after,o2", RT_DOWN), "cut:o2");
	assert_string_equal(resolve_dir(f, "other@-2", "after,o2", RT_DOWN), "cut:o1");
	assert_string_equal(resolve_dir(f, "feature@-1", "f2,m2", RT_DOWN), "cut:f2");
	assert_string_equal(resolve_dir(f, "mainline@-2", "f2,m2", RT_DOWN), "cut:m1");
	assert_string_equal(resolve_dir(f, "other@-1", "after,o2", 0), "o1");
	resolve_fails(f, "other@+3", "after", RT_UP, RETORT_ENOTFOUND);
	resolve_fails(f, "other@-3", "after,o2", RT_DOWN, RETORT_ENOTFOUND);
	resolve_fails(f, "other@+1", NO_DB, RT_UP, RETORT_EUSAGE);
}

static void test_needs_current(void **state)
{
	(void)state;
	assert_true(rt_target_needs_current("+1"));
	assert_true(rt_target_needs_current("-2"));
	assert_true(rt_target_needs_current("current"));
	assert_true(rt_target_needs_current("feature@+1"));
	assert_true(rt_target_needs_current("feature@-1"));
	assert_true(rt_target_needs_current("-3:current"));
	assert_true(rt_target_needs_current("l1:-1"));
	assert_false(rt_target_needs_current(NULL));
	assert_false(rt_target_needs_current("head"));
	assert_false(rt_target_needs_current("l5-1"));
	assert_false(rt_target_needs_current("ab12+2"));
	assert_false(rt_target_needs_current("feature@head"));
	assert_false(rt_target_needs_current("base:heads"));
	/* "current" as a word, not inside a revision or label name */
	assert_true(rt_target_needs_current("current+1"));
	assert_true(rt_target_needs_current("current-2"));
	assert_true(rt_target_needs_current("feature@current"));
	assert_true(rt_target_needs_current("base:current"));
	assert_false(rt_target_needs_current("recurrent_jobs"));
	assert_false(rt_target_needs_current("currently"));
	assert_false(rt_target_needs_current("recurrent@head"));
	assert_false(rt_target_needs_current("current_x:head"));
}

/* ---- ranges -------------------------------------------------------------------- */

static void test_ranges_linear(void **state)
{
	fx *f = *state;
	const char *msg;

	assert_string_equal(range(f, "l2:l4", NO_DB), "l4 l3 l2");
	assert_string_equal(range(f, "l3:", NO_DB), "l5 l4 l3");
	assert_string_equal(range(f, ":l2", NO_DB), "l2 l1");
	assert_string_equal(range(f, "base:head", NO_DB), "l5 l4 l3 l2 l1");
	assert_string_equal(range(f, "base:heads", NO_DB), "l5 l4 l3 l2 l1");
	assert_string_equal(range(f, ":", NO_DB), "l5 l4 l3 l2 l1");
	assert_string_equal(range(f, NULL, NO_DB), "l5 l4 l3 l2 l1");
	assert_string_equal(range(f, "", NO_DB), "l5 l4 l3 l2 l1");
	assert_string_equal(range(f, "l3:l3", NO_DB), "l3");
	assert_string_equal(range(f, "l1:l1+2", NO_DB), "l3 l2 l1");
	assert_string_equal(range(f, "mid:", NO_DB), "l5 l4 l3");
	assert_string_equal(range(f, "-2:current", "l4"), "l4 l3 l2");
	assert_string_equal(range(f, "current:", "l4"), "l5 l4");
	assert_string_equal(range(f, ":current", "l2"), "l2 l1");
	assert_string_equal(range(f, "-1:", "l5"), "l5 l4");

	msg = range_fails(f, "l2", NO_DB, RETORT_EUSAGE);
	assert_contains(msg, "'l2'");
	range_fails(f, "head", NO_DB, RETORT_EUSAGE);
	range_fails(f, "nope:", NO_DB, RETORT_ENOTFOUND);
	range_fails(f, ":nope", NO_DB, RETORT_ENOTFOUND);
	range_fails(f, "-2:current", NO_DB, RETORT_EUSAGE);
	/* backwards: the start is not below the end */
	msg = range_fails(f, "l4:l2", NO_DB, RETORT_EUSAGE);
	assert_contains(msg, "'l4'");
	assert_contains(msg, "'l2'");
}

/* In a newest-first list, every revision comes before its parents. */
static void assert_newest_first(fx *f, const char *list)
{
	char buf[512], *save = NULL, *tok;
	rt_rev *seen[32];
	size_t n = 0, i, k;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		assert_true(n < 32);
		seen[n] = rt_graph_get(&f->g, tok);
		assert_non_null(seen[n]);
		n++;
	}
	for (i = 0; i < n; i++)
		for (k = 0; k < seen[i]->nparents; k++) {
			size_t j;
			for (j = 0; j < i; j++)
				if (seen[j] == seen[i]->parents[k])
					fail_msg("'%s' is listed before its child '%s' in '%s'",
						 seen[j]->s.revision, seen[i]->s.revision, list);
		}
}

static const char *sorted(const char *list)
{
	static char out[512];
	char buf[512], *items[32], *save = NULL, *tok;
	size_t n = 0, i, j;
	rt_buf b = RT_BUF_INIT;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, " ", &save); tok && n < 32; tok = strtok_r(NULL, " ", &save))
		items[n++] = tok;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(items[j - 1], items[j]) > 0; j--) {
			char *t = items[j];
			items[j] = items[j - 1];
			items[j - 1] = t;
		}
	for (i = 0; i < n; i++)
		rt_buf_printf(&b, "%s%s", i ? " " : "", items[i]);
	snprintf(out, sizeof(out), "%s", b.ptr);
	rt_buf_release(&b);
	return out;
}

static void test_ranges_branched(void **state)
{
	fx *f = *state;
	const char *r;

	/* exactly the revisions between, not the other branch */
	assert_string_equal(range(f, "t1:f2", NO_DB), "f2 f1 t1");
	assert_string_equal(range(f, "m1:mg", NO_DB), "mg m2 m1");
	assert_string_equal(range(f, "o1:", NO_DB), "o2 o1");
	assert_string_equal(range(f, "other@base:other@head", NO_DB), "o2 o1");

	r = range(f, "t1:heads", NO_DB);
	assert_string_equal(sorted(r), "after f1 f2 m1 m2 mg t1");
	assert_newest_first(f, r);

	r = range(f, ":mg", NO_DB);
	assert_string_equal(sorted(r), "b0 f1 f2 m1 m2 mg t1");
	assert_newest_first(f, r);

	r = range(f, NULL, NO_DB);
	assert_string_equal(sorted(r), "after b0 f1 f2 m1 m2 mg o1 o2 t1");
	assert_newest_first(f, r);

	/* a range whose end is below only one side of the start */
	range_fails(f, "f1:m2", NO_DB, RETORT_EUSAGE);
	range_fails(f, "o1:after", NO_DB, RETORT_EUSAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_head_heads_base, setup_linear, teardown),
		cmocka_unit_test_setup_teardown(test_head_with_several_heads, setup_forest, teardown),
		cmocka_unit_test_setup_teardown(test_split_heads, setup_split, teardown),
		cmocka_unit_test_setup_teardown(test_ids_and_prefixes, setup_forest, teardown),
		cmocka_unit_test_setup_teardown(test_bare_label, setup_forest, teardown),
		cmocka_unit_test_setup_teardown(test_label_at_head_and_base, setup_forest, teardown),
		cmocka_unit_test_setup_teardown(test_label_on_a_line, setup_linear, teardown),
		cmocka_unit_test_setup_teardown(test_label_at_rev, setup_forest, teardown),
		cmocka_unit_test_setup_teardown(test_rev_plus_minus, setup_linear, teardown),
		cmocka_unit_test_setup_teardown(test_rev_plus_minus_across_branches, setup_forest,
						teardown),
		cmocka_unit_test_setup_teardown(test_relative_to_current, setup_linear, teardown),
		cmocka_unit_test_setup_teardown(test_relative_downgrade_cuts, setup_linear, teardown),
		cmocka_unit_test_setup_teardown(test_relative_with_branches, setup_forest, teardown),
		cmocka_unit_test_setup_teardown(test_relative_in_a_branch, setup_forest, teardown),
		cmocka_unit_test(test_needs_current),
		cmocka_unit_test_setup_teardown(test_ranges_linear, setup_linear, teardown),
		cmocka_unit_test_setup_teardown(test_ranges_branched, setup_forest, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
