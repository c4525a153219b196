/*
 * test_plan.c - the planner (plan.c) without any database: graphs built
 * from files in a scratch folder, version rows made up on the spot.  Every
 * target form a run takes (head, heads, base, ids and prefixes, +N, -N,
 * REV+N, REV-N, label@head/base/REV/+N/-N, current and current+N, an
 * offline script's FROM:TO), over linear, branched, merged and depends_on
 * graphs, with the rows each plan leaves, and the requests it refuses.
 */
#define _GNU_SOURCE /* nftw */
#include "rt_test.h"

#include <unistd.h>

#include "graph_files.h"
#include "plan.h"

/* ---- fixtures ------------------------------------------------------------- */

/* a1 (alpha) -- a2;  b1 (beta) -- b2, which depends_on a1 */
static void write_deps(const char *dir)
{
	write_rev(dir, "a1", NULL, "alpha", NULL);
	write_rev(dir, "a2", "a1", NULL, NULL);
	write_rev(dir, "b1", NULL, "beta", NULL);
	write_rev(dir, "b2", "b1", NULL, "a1");
}

/* c1;  a1 -- a2 -- a3, where a2 and a3 both depend on c1: a3's
 * dependency is a2's already, so the version table counts it once */
static void write_deps_twice(const char *dir)
{
	write_rev(dir, "c1", NULL, NULL, NULL);
	write_rev(dir, "a1", NULL, NULL, NULL);
	write_rev(dir, "a2", "a1", NULL, "c1");
	write_rev(dir, "a3", "a2", NULL, "c1");
}

static int setup_linear(void **state) { return setup_with(state, write_linear); }
static int setup_forest(void **state) { return setup_with(state, write_forest); }
static int setup_deps(void **state) { return setup_with(state, write_deps); }
static int setup_deps_twice(void **state) { return setup_with(state, write_deps_twice); }

static void set_out(fx *f, const rt_buf *b)
{
	assert_false(rt_buf_oom(b));
	assert_true(b->len < sizeof(f->out));
	memcpy(f->out, b->ptr, b->len + 1);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The rows, sorted, comma separated ("" for none). */
static void rows_text(rt_buf *b, rt_strlist *rows)
{
	size_t i;

	if (rows->count)
		qsort(rows->items, rows->count, sizeof(*rows->items), by_name);
	for (i = 0; i < rows->count; i++)
		rt_buf_printf(b, "%s%s", i ? "," : "", rows->items[i]);
}

/*
 * Plan `spec` in `direction` for a database whose version table holds
 * `rows` (a comma list, "" for none), then play the plan step by step as
 * the runner does (rt_plan_step).  Returns
 * "id id ... => rows after", the plan in order and the rows sorted.
 */
static const char *plan_dir(fx *f, const char *rows, const char *spec, int direction)
{
	rt_strlist cur = { 0 };
	rt_revvec plan = { 0 };
	rt_buf b = RT_BUF_INIT;
	size_t i;

	assert_int_equal(rt_strlist_split(&cur, rows), 0);
	assert_rt_ok_err(rt_plan_make(&plan, &f->g, &cur, spec, direction, &f->err), &f->err);
	for (i = 0; i < plan.n; i++) {
		rt_plan_step_rows st;

		rt_buf_printf(&b, "%s ", plan.v[i]->s.revision);
		assert_rt_ok_err(rt_plan_step(&st, &f->g, &cur, plan.v[i], direction, &f->err),
				 &f->err);
		rt_strlist_release(&cur);
		cur = st.next;
		memset(&st.next, 0, sizeof(st.next));
		rt_plan_step_release(&st);
	}
	rt_buf_puts(&b, "=> ");
	rows_text(&b, &cur);
	set_out(f, &b);
	rt_buf_release(&b);
	rt_revvec_release(&plan);
	rt_strlist_release(&cur);
	return f->out;
}

static const char *up(fx *f, const char *rows, const char *spec)
{
	return plan_dir(f, rows, spec, RT_UP);
}

static const char *down(fx *f, const char *rows, const char *spec)
{
	return plan_dir(f, rows, spec, RT_DOWN);
}

/* Planning must fail with `code`, leaving the plan empty; the message. */
static const char *plan_fails(fx *f, const char *rows, const char *spec, int direction, int code)
{
	rt_strlist cur = { 0 };
	rt_revvec plan = { 0 };
	int rc;

	assert_int_equal(rt_strlist_split(&cur, rows), 0);
	rc = rt_plan_make(&plan, &f->g, &cur, spec, direction, &f->err);
	if (rc != code)
		fail_msg("'%s' from '%s' gave %d, want %d (%s)", spec, rows, rc, code,
			 rc < 0 ? f->err.ptr : "");
	assert_int_equal(plan.n, 0);
	assert_true(f->err.len > 0);
	rt_revvec_release(&plan);
	rt_strlist_release(&cur);
	set_out(f, &f->err);
	return f->out;
}

/* ---- upgrade: every target form ------------------------------------------ */

static void test_upgrade_absolute(void **state)
{
	fx *f = *state;

	assert_string_equal(up(f, "", "head"), "l1 l2 l3 l4 l5 => l5");
	assert_string_equal(up(f, "", "heads"), "l1 l2 l3 l4 l5 => l5");
	assert_string_equal(up(f, "l2", "head"), "l3 l4 l5 => l5");
	/* full id, unique prefix */
	assert_string_equal(up(f, "", "l3"), "l1 l2 l3 => l3");
	assert_string_equal(up(f, "l1", "l4"), "l2 l3 l4 => l4");
	/* at the target already: an empty plan, no error */
	assert_string_equal(up(f, "l5", "head"), "=> l5");
	assert_string_equal(up(f, "l3", "l3"), "=> l3");
	assert_string_equal(up(f, "", "base"), "=> ");
}

static void test_upgrade_relative(void **state)
{
	fx *f = *state;

	/* +N from the rows, from base when there are none */
	assert_string_equal(up(f, "", "+1"), "l1 => l1");
	assert_string_equal(up(f, "", "+2"), "l1 l2 => l2");
	assert_string_equal(up(f, "l2", "+2"), "l3 l4 => l4");
	/* REV+N, REV-N, base+N, head-N */
	assert_string_equal(up(f, "", "l1+2"), "l1 l2 l3 => l3");
	assert_string_equal(up(f, "l1", "l5-1"), "l2 l3 l4 => l4");
	assert_string_equal(up(f, "", "base+2"), "l1 l2 => l2");
	assert_string_equal(up(f, "l2", "head-1"), "l3 l4 => l4");
	/* current and current+N: the rows themselves */
	assert_string_equal(up(f, "l3", "current"), "=> l3");
	assert_string_equal(up(f, "l3", "current+1"), "l4 => l4");
	/* a label, label@head, label@REV, label@+N on a line */
	assert_string_equal(up(f, "", "mid"), "l1 l2 l3 => l3");
	assert_string_equal(up(f, "l3", "mid@head"), "l4 l5 => l5");
	assert_string_equal(up(f, "l1", "mid@l4"), "l2 l3 l4 => l4");
	assert_string_equal(up(f, "l3", "mid@+1"), "l4 => l4");
	assert_string_equal(up(f, "l3", "mid+1"), "l4 => l4");
}

static void test_upgrade_refused(void **state)
{
	fx *f = *state;
	const char *msg;

	/* below the rows: a downgrade in disguise, saying where it is */
	msg = plan_fails(f, "l4", "l2", RT_UP, RETORT_ECONFLICT);
	assert_contains(msg, "'l2' is below the database's current revision ('l4')");
	assert_contains(msg, "use 'downgrade'");
	assert_contains(msg, "nothing was changed");
	plan_fails(f, "l4", "l4-2", RT_UP, RETORT_ECONFLICT);
	plan_fails(f, "l4", "mid@l1", RT_UP, RETORT_ECONFLICT);
	/* base (l1-1) has no revision to be below: nothing to do */
	assert_string_equal(up(f, "l1", "l1-1"), "=> l1");
	/* past the head, unknown ids, a row no file defines */
	plan_fails(f, "l4", "+2", RT_UP, RETORT_ENOTFOUND);
	plan_fails(f, "", "zz", RT_UP, RETORT_ENOTFOUND);
	msg = plan_fails(f, "gone", "head", RT_UP, RETORT_EUNKNOWNREV);
	assert_contains(msg, "'gone'");
	assert_contains(msg, "stamp --purge");
}

/* ---- downgrade: every target form ------------------------------------------ */

static void test_downgrade_forms(void **state)
{
	fx *f = *state;

	assert_string_equal(down(f, "l5", "base"), "l5 l4 l3 l2 l1 => ");
	assert_string_equal(down(f, "l5", "l3"), "l5 l4 => l3");
	assert_string_equal(down(f, "l5", "-1"), "l5 => l4");
	assert_string_equal(down(f, "l5", "-3"), "l5 l4 l3 => l2");
	assert_string_equal(down(f, "l5", "l5-2"), "l5 l4 => l3");
	assert_string_equal(down(f, "l5", "l1+1"), "l5 l4 l3 => l2");
	assert_string_equal(down(f, "l5", "head-4"), "l5 l4 l3 l2 => l1");
	assert_string_equal(down(f, "l4", "current-1"), "l4 => l3");
	assert_string_equal(down(f, "l4", "current"), "=> l4");
	/* label@base cuts at the branch's lowest revision, label@-N */
	assert_string_equal(down(f, "l5", "mid@base"), "l5 l4 l3 l2 l1 => ");
	assert_string_equal(down(f, "l5", "mid@-2"), "l5 l4 => l3");
	assert_string_equal(down(f, "l5", "mid@l2"), "l5 l4 l3 => l2");
}

static void test_downgrade_refused(void **state)
{
	fx *f = *state;
	const char *msg;

	/* not applied: an upgrade in disguise */
	msg = plan_fails(f, "l2", "l4", RT_DOWN, RETORT_ECONFLICT);
	assert_contains(msg, "'l4' is not applied");
	assert_contains(msg, "(the database is at 'l2')");
	assert_contains(msg, "use 'upgrade'");
	msg = plan_fails(f, "", "l1", RT_DOWN, RETORT_ECONFLICT);
	assert_contains(msg, "base (no revision applied)");
	/* past base, and relative targets from an empty table */
	plan_fails(f, "l1", "-2", RT_DOWN, RETORT_ENOTFOUND);
	plan_fails(f, "", "-1", RT_DOWN, RETORT_ENOTFOUND);
}

/* ---- branches and merges ------------------------------------------------------ */

static void test_branches(void **state)
{
	fx *f = *state;

	/* two heads: "head" cannot choose */
	assert_contains(plan_fails(f, "", "head", RT_UP, RETORT_EAMBIGUOUS), "'after'");
	/* one branch: the trunk comes first, the other branch is left out */
	assert_string_equal(up(f, "", "feature@f2"), "b0 t1 f1 f2 => f2");
	assert_string_equal(up(f, "", "other@head"), "o1 o2 => o2");
	/* a second branch from the trunk the first left: one row each */
	assert_string_equal(up(f, "f2", "m2"), "m1 m2 => f2,m2");
	assert_string_equal(up(f, "f2", "mainline@+1"), "m1 => f2,m1");
	/* unrelated heads side by side */
	assert_string_equal(up(f, "o1", "feature@f1"), "b0 t1 f1 => f1,o1");
	/* heads: every branch to its head, parents first */
	assert_string_equal(up(f, "f1,o1", "heads"), "o2 m1 f2 m2 mg after => after,o2");
	/* a unique prefix */
	assert_string_equal(up(f, "mg", "af"), "after => after");
	assert_contains(plan_fails(f, "", "m", RT_UP, RETORT_EAMBIGUOUS), "'m1'");
}

static void test_merge(void **state)
{
	fx *f = *state;

	/* the merge of two heads: two rows become one */
	assert_string_equal(up(f, "f2,m2", "mg"), "mg => mg");
	/* upgrading through a merge from one branch applies the other */
	assert_string_equal(up(f, "f2", "mg"), "m1 m2 mg => mg");
	assert_string_equal(up(f, "t1", "after"), "f1 m1 f2 m2 mg after => after");
	/* down to one parent of the merge gives both parents back; -1 is
	 * an ambiguous walk there, as in Alembic */
	assert_string_equal(down(f, "mg", "f2"), "mg => f2,m2");
	plan_fails(f, "mg", "-1", RT_DOWN, RETORT_EAMBIGUOUS);
	/* below the merge point on one branch: the other branch stays */
	assert_string_equal(down(f, "after", "f1"), "after mg f2 => f1,m2");
	/* label@base: the base under the labelled revision goes, with
	 * everything built on it (Alembic's lineage of a label) */
	assert_string_equal(down(f, "after", "mainline@base"),
			    "after mg m2 f2 m1 f1 t1 b0 => ");
	/* down to the branch point: one row again */
	assert_string_equal(down(f, "after", "t1"), "after mg m2 f2 m1 f1 => t1");
	/* base takes every branch down, the unrelated one too */
	assert_string_equal(down(f, "after,o2", "base"),
			    "after mg m2 f2 m1 f1 o2 t1 o1 b0 => ");
	/* a branch of its own goes alone */
	assert_string_equal(down(f, "after,o2", "other@base"), "o2 o1 => after");
	/* with two rows, -1 cannot choose */
	plan_fails(f, "f2,m2", "-1", RT_DOWN, RETORT_EAMBIGUOUS);
	assert_string_equal(down(f, "f2,m2", "feature@-1"), "f2 => f1,m2");
}

static void test_depends_on(void **state)
{
	fx *f = *state;

	/* b2 depends on a1: a1 runs first, a2 does not run; as in
	 * Alembic, b2's row replaces a1's as a merge's would */
	assert_string_equal(up(f, "", "beta@head"), "a1 b1 b2 => b2");
	/* a1 counts as applied through b2's dependency */
	assert_string_equal(up(f, "b2", "alpha@head"), "a2 => a2,b2");
	/* downgrading to a1 removes a2 only: b2 keeps a1, so a1 gets no
	 * row of its own */
	assert_string_equal(down(f, "a2,b2", "a1"), "a2 => b2");
	/* reverting b2 alone gives a1 its row back */
	assert_string_equal(down(f, "b2", "b1"), "b2 => a1,b1");
	/* removing alpha removes what depends on it, first */
	assert_string_equal(down(f, "a2,b2", "alpha@base"), "b2 a2 a1 => b1");
	/* a target below b2's dependency on alpha's branch */
	assert_contains(plan_fails(f, "a2,b2", "a1", RT_UP, RETORT_ECONFLICT), "'a1' is below");
}

static void test_depends_on_twice(void **state)
{
	fx *f = *state;

	assert_string_equal(up(f, "", "a3"), "a1 c1 a2 a3 => a3");
	/* reverting a3 gives back a2 alone: c1 stays a2's, not a row of
	 * its own, as Alembic normalizes the dependency of a3 away */
	assert_string_equal(down(f, "a3", "a2"), "a3 => a2");
	/* reverting a2 gives both back */
	assert_string_equal(down(f, "a2", "a1"), "a2 => a1,c1");
}

/* ---- offline: FROM:TO ------------------------------------------------------------ */

static const char *offline(fx *f, const char *from, const char *to, int direction)
{
	rt_strlist rows = { 0 };
	rt_buf b = RT_BUF_INIT;
	char *joined;

	assert_rt_ok_err(rt_plan_assume(&rows, &f->g, from, &f->err), &f->err);
	rows_text(&b, &rows);
	joined = rt_buf_detach(&b);
	plan_dir(f, joined, to, direction);
	free(joined);
	rt_strlist_release(&rows);
	return f->out;
}

static void test_offline_range(void **state)
{
	fx *f = *state;
	rt_strlist rows = { 0 };

	assert_string_equal(offline(f, "l2", "l4", RT_UP), "l3 l4 => l4");
	assert_string_equal(offline(f, "head", "base", RT_DOWN), "l5 l4 l3 l2 l1 => ");
	assert_string_equal(offline(f, "mid", "mid@head", RT_UP), "l4 l5 => l5");
	assert_string_equal(offline(f, "base", "head", RT_UP), "l1 l2 l3 l4 l5 => l5");
	/* FROM is resolved without a database: +N and current have nothing
	 * to count from */
	assert_int_not_equal(rt_plan_assume(&rows, &f->g, "current", &f->err), 0);
	assert_int_not_equal(rt_plan_assume(&rows, &f->g, "+1", &f->err), 0);
	rt_strlist_release(&rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_upgrade_absolute, setup_linear, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_relative, setup_linear, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_refused, setup_linear, teardown),
		cmocka_unit_test_setup_teardown(test_downgrade_forms, setup_linear, teardown),
		cmocka_unit_test_setup_teardown(test_downgrade_refused, setup_linear, teardown),
		cmocka_unit_test_setup_teardown(test_branches, setup_forest, teardown),
		cmocka_unit_test_setup_teardown(test_merge, setup_forest, teardown),
		cmocka_unit_test_setup_teardown(test_depends_on, setup_deps, teardown),
		cmocka_unit_test_setup_teardown(test_depends_on_twice, setup_deps_twice, teardown),
		cmocka_unit_test_setup_teardown(test_offline_range, setup_linear, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
