/*
 * plan.c - the planner (plan.h): which revisions a run applies or reverts,
 * in which order, and how each step moves the version table's rows.
 *
 * The database's state is its version table: one row per current head,
 * as in Alembic.  The applied set is everything those rows reach through
 * down_revision and depends_on.  A plan is the list of revisions to apply
 * (parents first) or to revert (children first).  Nothing here reads a
 * database: the runner hands in the rows it read under its lock.
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"

int rt_plan_rows_to_revs(rt_revvec *out, rt_graph *g, const rt_strlist *rows, rt_buf *err)
{
	size_t i;

	for (i = 0; i < rows->count; i++) {
		rt_rev *rev = rt_graph_get(g, rows->items[i]);
		if (!rev)
			return rt_error(err, RETORT_EUNKNOWNREV,
					"the database is at revision '%s', which no file in "
					"'%s' defines; nothing was changed (use 'stamp --purge' "
					"to reset the version table)",
					rows->items[i], g->dir);
		if (rt_revvec_push(out, rev) < 0)
			return rt_error(err, RETORT_ERROR, "out of memory");
	}
	return 0;
}

int rt_plan_applied(unsigned char **out, rt_graph *g, const rt_strlist *rows, rt_buf *err)
{
	rt_revvec cur = { 0 }, all = { 0 };
	size_t i;
	int rc;

	*out = calloc(g->n ? g->n : 1, 1);
	if (!*out)
		return rt_error(err, RETORT_ERROR, "out of memory");
	if ((rc = rt_plan_rows_to_revs(&cur, g, rows, err)) >= 0 &&
	    rt_graph_ancestors(g, &all, cur.v, cur.n) < 0)
		rc = rt_error(err, RETORT_ERROR, "out of memory");
	for (i = 0; rc >= 0 && i < all.n; i++)
		(*out)[all.v[i]->topo] = 1;
	rt_revvec_release(&cur);
	rt_revvec_release(&all);
	if (rc < 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

void rt_plan_describe_rows(rt_buf *b, const rt_strlist *rows)
{
	size_t i;

	if (!rows->count)
		rt_buf_puts(b, "base (no revision applied)");
	for (i = 0; i < rows->count; i++)
		rt_buf_printf(b, "%s'%s'", i ? ", " : "", rows->items[i]);
}

static int plan_upgrade(rt_revvec *plan, rt_graph *g, const rt_strlist *rows, const char *spec,
			const rt_target *t, const unsigned char *applied, rt_buf *err)
{
	rt_revvec need = { 0 };
	size_t i;

	if (rt_graph_ancestors(g, &need, t->revs.v, t->revs.n) < 0)
		return rt_error(err, RETORT_ERROR, "out of memory");
	for (i = 0; i < need.n; i++)
		if (!applied[need.v[i]->topo] && rt_revvec_push(plan, need.v[i]) < 0) {
			rt_revvec_release(&need);
			return rt_error(err, RETORT_ERROR, "out of memory");
		}
	rt_revvec_release(&need);
	rt_revvec_sort_topo(plan);
	/* a target strictly below the database (applied, but not one of its
	 * heads) is a downgrade in disguise */
	for (i = 0; !plan->n && i < t->revs.n; i++) {
		if (applied[t->revs.v[i]->topo] && !rt_strlist_has(rows, t->revs.v[i]->s.revision)) {
			rt_buf_clear(err);
			rt_buf_printf(err, "'%s' is below the database's current revision (", spec);
			rt_plan_describe_rows(err, rows);
			rt_buf_puts(err, "); use 'downgrade' to go back; nothing was changed");
			return RETORT_ECONFLICT;
		}
	}
	return 0;
}

static int plan_downgrade(rt_revvec *plan, rt_graph *g, const rt_strlist *rows,
			  const rt_target *t, const unsigned char *applied, rt_buf *err)
{
	rt_revvec roots = { 0 }, gone = { 0 };
	size_t i, k;
	int rc = 0;

	if (t->cut) {
		for (i = 0; i < t->revs.n && rc >= 0; i++)
			rc = rt_revvec_push(&roots, t->revs.v[i]);
	} else if (!t->revs.n) {
		rc = rt_graph_bases(g, &roots);
	} else {
		for (i = 0; i < t->revs.n; i++) {
			rt_rev *x = t->revs.v[i];
			if (!applied[x->topo]) {
				rt_buf_clear(err);
				rt_buf_printf(err, "'%s' is not applied, so the database cannot be "
					      "downgraded to it (the database is at ", x->s.revision);
				rt_plan_describe_rows(err, rows);
				rt_buf_puts(err, "); use 'upgrade'; nothing was changed");
				rc = RETORT_ECONFLICT;
				goto done;
			}
			/* only what is above `x` goes; revisions that merely
			 * depend on it keep it, as Alembic's downgrade does */
			for (k = 0; k < x->nchildren && rc >= 0; k++)
				rc = rt_revvec_push(&roots, x->children[k]);
		}
	}
	if (rc < 0 || rt_graph_descendants(g, &gone, roots.v, roots.n) < 0) {
		rc = rt_error(err, RETORT_ERROR, "out of memory");
		goto done;
	}
	for (i = 0; i < gone.n; i++)
		if (applied[gone.v[i]->topo] && rt_revvec_push(plan, gone.v[i]) < 0) {
			rc = rt_error(err, RETORT_ERROR, "out of memory");
			goto done;
		}
	rt_revvec_sort_topo(plan);
	for (i = 0; i < plan->n / 2; i++) { /* children first */
		rt_rev *tmp = plan->v[i];
		plan->v[i] = plan->v[plan->n - 1 - i];
		plan->v[plan->n - 1 - i] = tmp;
	}
done:
	rt_revvec_release(&roots);
	rt_revvec_release(&gone);
	return rc;
}

int rt_plan_make(rt_revvec *plan, rt_graph *g, const rt_strlist *rows, const char *spec,
		 int direction, rt_buf *err)
{
	unsigned char *applied = NULL;
	rt_target t;
	int rc;

	plan->n = 0;
	if ((rc = rt_target_resolve(&t, g, spec, rows, direction, err)) < 0)
		return rc;
	/* several heads are no place to go down to (Alembic refuses too) */
	if (direction == RT_DOWN && t.revs.n > 1 && !t.cut && rt_target_names_heads(spec)) {
		rt_target_release(&t);
		return rt_error(err, RETORT_EAMBIGUOUS,
				"'%s' names several heads, which is no downgrade target; name "
				"one revision, or 'label@head'; nothing was changed", spec);
	}
	if ((rc = rt_plan_applied(&applied, g, rows, err)) >= 0)
		rc = direction == RT_UP ? plan_upgrade(plan, g, rows, spec, &t, applied, err)
					: plan_downgrade(plan, g, rows, &t, applied, err);
	free(applied);
	rt_target_release(&t);
	return rc;
}

int rt_plan_assume(rt_strlist *rows, rt_graph *g, const char *spec, rt_buf *err)
{
	rt_target at;
	size_t i;
	int rc;

	rt_strlist_release(rows);
	if ((rc = rt_target_resolve(&at, g, spec, NULL, 0, err)) < 0)
		return rc;
	for (i = 0; i < at.revs.n && rc >= 0; i++)
		rc = rt_strlist_add(rows, at.revs.v[i]->s.revision);
	rt_target_release(&at);
	return rc < 0 ? rt_error(err, RETORT_ERROR, "out of memory") : 0;
}

/* The revisions one step moves the version table between, besides the
 * revision itself: its parents and the dependencies the version table
 * counts (graph.h: vdeps), once each. */
static int step_downs(rt_revvec *out, const rt_rev *rev)
{
	size_t i, k;

	for (i = 0; i < rev->nparents + rev->nvdeps; i++) {
		rt_rev *d = i < rev->nparents ? rev->parents[i] : rev->vdeps[i - rev->nparents];
		for (k = 0; k < out->n && out->v[k] != d; k++)
			;
		if (k == out->n && rt_revvec_push(out, d) < 0)
			return RETORT_ERROR;
	}
	return 0;
}

/* Going down, which of `downs` come back as rows: those no other row
 * reaches (through down_revision or depends_on) once `rev` is gone. */
static int step_back(rt_strlist *added, rt_graph *g, const rt_strlist *rows, const rt_rev *rev,
		     const rt_revvec *downs)
{
	rt_revvec others = { 0 }, reached = { 0 };
	unsigned int stamp = 0;
	size_t i;
	int rc = 0;

	for (i = 0; i < rows->count && rc >= 0; i++) {
		rt_rev *x = rt_graph_get(g, rows->items[i]);
		if (x && x != rev)
			rc = rt_revvec_push(&others, x);
	}
	if (rc >= 0 && others.n && downs->n) {
		rc = rt_graph_ancestors(g, &reached, others.v, others.n);
		stamp = g->stamp; /* the walk marked what it reached */
	}
	for (i = 0; i < downs->n && rc >= 0; i++)
		if ((!stamp || downs->v[i]->mark != stamp) &&
		    !rt_strlist_has(rows, downs->v[i]->s.revision))
			rc = rt_strlist_add(added, downs->v[i]->s.revision);
	rt_revvec_release(&others);
	rt_revvec_release(&reached);
	return rc;
}

int rt_plan_step(rt_plan_step_rows *out, rt_graph *g, const rt_strlist *rows, const rt_rev *rev,
		 int direction, rt_buf *err)
{
	rt_revvec downs = { 0 };
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = step_downs(&downs, rev);
	if (rc >= 0 && direction == RT_UP) {
		/* the rows it stands on leave: one is UPDATEd into the
		 * revision, the others (a merge, or a dependency the
		 * version table counts) are DELETEd; standing on none, it
		 * is INSERTed as a new branch */
		for (i = 0; i < downs.n && rc >= 0; i++)
			if (rt_strlist_has(rows, downs.v[i]->s.revision))
				rc = rt_strlist_add(&out->gone, downs.v[i]->s.revision);
		if (rc >= 0)
			rc = rt_strlist_add(&out->added, rev->s.revision);
	} else if (rc >= 0) {
		/* the revision leaves; what it stood on comes back unless
		 * another row still stands on it (then it is only DELETEd) */
		if ((rc = rt_strlist_add(&out->gone, rev->s.revision)) >= 0)
			rc = step_back(&out->added, g, rows, rev, &downs);
	}
	rt_revvec_release(&downs);
	for (i = 0; rc >= 0 && i < rows->count; i++)
		if (!rt_strlist_has(&out->gone, rows->items[i]))
			rc = rt_strlist_add(&out->next, rows->items[i]);
	for (i = 0; rc >= 0 && i < out->added.count; i++)
		rc = rt_strlist_add(&out->next, out->added.items[i]);
	if (rc < 0) {
		rt_plan_step_release(out);
		return rt_error(err, RETORT_ERROR, "out of memory");
	}
	return 0;
}

void rt_plan_step_release(rt_plan_step_rows *s)
{
	rt_strlist_release(&s->gone);
	rt_strlist_release(&s->added);
	rt_strlist_release(&s->next);
}

void rt_plan_step_ends(rt_buf *from, rt_buf *to, const rt_rev *rev, int direction)
{
	rt_buf *parents = direction == RT_DOWN ? to : from;
	size_t i;

	for (i = 0; i < rev->nparents; i++)
		rt_buf_printf(parents, "%s%s", i ? ", " : "", rev->parents[i]->s.revision);
	rt_buf_puts(direction == RT_DOWN ? from : to, rev->s.revision);
}
