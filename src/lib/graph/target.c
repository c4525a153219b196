/*
 * target.c - Alembic's target grammar over the revision graph:
 *
 *   head | heads | base | current | ID or unique prefix | branch label
 *   +N | -N                   relative to the database's current revision
 *   REV+N | REV-N             relative to a revision
 *   label@head | label@base | label@REV | label@+N | label@-N
 *
 * and history ranges A:B, A:, :B.  Targets relative to the database are
 * resolved against the version table's rows, read by the caller under the
 * run's lock.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"

void rt_target_release(rt_target *t)
{
	rt_revvec_release(&t->revs);
	t->cut = 0;
}

/* One side of a range, `n` bytes: +N, -N, current, current+N, and the
 * same after "label@".  Token by token, not by substring: a revision or
 * label holding "current" ("recurrent_jobs") needs no database. */
static int part_needs_current(const char *p, size_t n)
{
	const char *at = memchr(p, '@', n);

	if (at) {
		n -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	if (n && (*p == '+' || *p == '-'))
		return 1;
	return n >= 7 && !memcmp(p, "current", 7) && (n == 7 || p[7] == '+' || p[7] == '-');
}

int rt_target_needs_current(const char *spec)
{
	const char *colon;

	if (!spec)
		return 0;
	if ((colon = strchr(spec, ':')) != NULL)
		return part_needs_current(spec, (size_t)(colon - spec)) ||
		       part_needs_current(colon + 1, strlen(colon + 1));
	return part_needs_current(spec, strlen(spec));
}

/* Parse a whole string of decimal digits (at least one). */
static int parse_count(const char *s, long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	*out = strtol(s, &end, 10);
	return *end || *out < 0 ? -1 : 0;
}

/* Branch members of the revision declaring a label, as Alembic's
 * lineage of a label: the revision, every revision built on it and every
 * revision it is built on, through down_revision (not depends_on). */
static int branch_members(rt_graph *g, rt_revvec *out, rt_rev *declaring)
{
	unsigned int stamp = rt_graph_mark(g);
	rt_revvec stack = { 0 };
	rt_rev *r;
	size_t i;
	int rc = 0, up;

	/* one walk up from `declaring`, then one down; it is marked for
	 * both, so each walk adds only revisions new to the set */
	for (up = 1; up >= 0 && !rc; up--) {
		declaring->mark = stamp;
		rc = rt_revvec_push(&stack, declaring);
		while (!rc && stack.n) {
			rt_rev **next;
			size_t n;

			r = stack.v[--stack.n];
			if ((r != declaring || up) && (rc = rt_revvec_push(out, r)) < 0)
				break;
			next = up ? r->children : r->parents;
			n = up ? r->nchildren : r->nparents;
			for (i = 0; i < n && !rc; i++) {
				if (next[i]->mark == stamp)
					continue;
				next[i]->mark = stamp;
				rc = rt_revvec_push(&stack, next[i]);
			}
		}
	}
	rt_revvec_release(&stack);
	return rc;
}

/* A branch: its revisions, and a byte per topological position saying
 * which are in it (a scan of the list per question made label@head
 * quadratic in the branch's length). */
typedef struct branch {
	rt_revvec v;
	unsigned char *in;
} branch;

static int is_member(const branch *b, const rt_rev *r)
{
	return b->in[r->topo];
}

/* The revisions among `from` that have no child inside the set (the
 * branch's heads) or no parent inside it (its bases). */
static int ends_of(rt_revvec *out, const branch *set, int heads)
{
	size_t i, k;

	for (i = 0; i < set->v.n; i++) {
		rt_rev *r = set->v.v[i];
		rt_rev **next = heads ? r->children : r->parents;
		size_t n = heads ? r->nchildren : r->nparents, inside = 0;
		for (k = 0; k < n; k++)
			inside += is_member(set, next[k]);
		if (!inside && rt_revvec_push(out, r) < 0)
			return RETORT_ERROR;
	}
	rt_revvec_sort_topo(out);
	return 0;
}

static void list_ids(rt_buf *err, rt_rev *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		rt_buf_printf(err, "%s'%s'", i ? ", " : "", v[i]->s.revision);
}

/* One revision from a set, or an error saying why there is not one. */
static int single(rt_rev **out, const rt_revvec *set, const char *what, rt_buf *err)
{
	if (set->n == 1) {
		*out = set->v[0];
		return 0;
	}
	if (!set->n)
		return rt_error(err, RETORT_ENOTFOUND, "%s: no revision", what);
	rt_error(err, RETORT_EAMBIGUOUS, "%s is ambiguous: ", what);
	list_ids(err, set->v, set->n);
	rt_buf_puts(err, "; name one revision, use 'heads', or 'label@head' to pick a branch");
	return RETORT_EAMBIGUOUS;
}

/* Walk `n` steps towards the heads from `start` (NULL: from base, whose
 * next steps are `bases`).  Only revisions in `within` count when given. */
static int walk_up(rt_rev **out, rt_rev *start, long n, const rt_revvec *bases,
		   const branch *within, const char *spec, rt_buf *err)
{
	rt_rev *r = start;
	long step;

	for (step = 0; step < n; step++) {
		rt_revvec next = { 0 };
		size_t i, cnt = r ? r->nchildren : bases->n;
		for (i = 0; i < cnt; i++) {
			rt_rev *c = r ? r->children[i] : bases->v[i];
			if ((!within || is_member(within, c)) && rt_revvec_push(&next, c) < 0)
				return rt_error(err, RETORT_ERROR, "out of memory");
		}
		if (!next.n) {
			rt_revvec_release(&next);
			return rt_error(err, RETORT_ENOTFOUND,
					"relative revision '%s' goes past the head '%s' after %ld step%s",
					spec, r ? r->s.revision : "base", step, step == 1 ? "" : "s");
		}
		if (next.n > 1) {
			rt_error(err, RETORT_EAMBIGUOUS,
				 "relative revision '%s' is ambiguous: '%s' is followed by ", spec,
				 r ? r->s.revision : "base");
			list_ids(err, next.v, next.n);
			rt_buf_puts(err, "; name a revision or use label@+N");
			rt_revvec_release(&next);
			return RETORT_EAMBIGUOUS;
		}
		r = next.v[0];
		rt_revvec_release(&next);
	}
	*out = r;
	return 0;
}

/* Walk `n` steps towards base from `start`.  *out is NULL when the walk
 * ends exactly at base. */
static int walk_down(rt_rev **out, rt_rev *start, long n, const char *spec, rt_buf *err)
{
	rt_rev *r = start;
	long step;

	for (step = 0; step < n; step++) {
		if (!r)
			return rt_error(err, RETORT_ENOTFOUND,
					"relative revision '%s' goes past base", spec);
		/* a step down follows down_revision and the depends_on the
		 * version table counts, as Alembic's walk does: more than one
		 * way down is ambiguous */
		if (r->nparents + r->nvdeps > 1) {
			rt_error(err, RETORT_EAMBIGUOUS,
				 "relative revision '%s' is ambiguous: '%s' stands on ", spec,
				 r->s.revision);
			list_ids(err, r->parents, r->nparents);
			if (r->nparents && r->nvdeps)
				rt_buf_puts(err, ", ");
			list_ids(err, r->vdeps, r->nvdeps);
			rt_buf_puts(err, "; name a revision");
			return RETORT_EAMBIGUOUS;
		}
		r = r->nparents ? r->parents[0] : r->nvdeps ? r->vdeps[0] : NULL;
	}
	*out = r;
	return 0;
}

/* The version table's rows as revisions; unknown ids are an error. */
static int current_revs(rt_revvec *out, const rt_graph *g, const rt_strlist *current,
			rt_buf *err)
{
	size_t i;

	if (!current)
		return rt_error(err, RETORT_EUSAGE,
				"this target is relative to the database's current revision, "
				"which is not available here");
	for (i = 0; i < current->count; i++) {
		rt_rev *r = rt_graph_get(g, current->items[i]);
		if (!r)
			return rt_error(err, RETORT_ENOTFOUND,
					"the database is at revision '%s', which no migration file "
					"defines", current->items[i]);
		if (rt_revvec_push(out, r) < 0)
			return rt_error(err, RETORT_ERROR, "out of memory");
	}
	return 0;
}

static int push_result(rt_target *out, rt_rev *r, rt_buf *err)
{
	if (r && rt_revvec_push(&out->revs, r) < 0)
		return rt_error(err, RETORT_ERROR, "out of memory");
	return 0;
}

/* Where the database is on a branch, as Alembic counts label@+N and
 * label@-N from it: the highest applied revisions of the branch, those
 * with no applied child in it.  `cur` holds the rows and gets that. */
static int branch_position(rt_revvec *cur, rt_graph *g, const branch *within)
{
	rt_revvec applied = { 0 };
	unsigned int stamp;
	size_t i, k;

	if (rt_graph_ancestors(g, &applied, cur->v, cur->n) < 0)
		return RETORT_ERROR;
	stamp = g->stamp; /* the walk marked what is applied */
	cur->n = 0;
	for (i = 0; i < applied.n; i++) {
		rt_rev *r = applied.v[i];
		int top = is_member(within, r);

		for (k = 0; top && k < r->nchildren; k++)
			top = !(r->children[k]->mark == stamp && is_member(within, r->children[k]));
		if (top && rt_revvec_push(cur, r) < 0) {
			rt_revvec_release(&applied);
			return RETORT_ERROR;
		}
	}
	rt_revvec_release(&applied);
	rt_revvec_sort_topo(cur);
	return 0;
}

/* A relative step from the database's position, optionally within a
 * branch.  Downgrades (-N) produce a cut: the lowest revision to remove. */
static int relative_to_current(rt_target *out, rt_graph *g, char sign, long n,
			       const branch *within, const rt_strlist *current,
			       int direction, const char *spec, rt_buf *err)
{
	rt_revvec cur = { 0 }, bases = { 0 };
	rt_rev *from = NULL, *r = NULL;
	int rc;

	if ((rc = current_revs(&cur, g, current, err)) < 0)
		goto done;
	if (within && branch_position(&cur, g, within) < 0) {
		rc = rt_error(err, RETORT_ERROR, "out of memory");
		goto done;
	}
	if (cur.n > 1) {
		rc = single(&from, &cur, "the database's current revision", err);
		goto done;
	}
	from = cur.n ? cur.v[0] : NULL;
	if (sign == '+') {
		if (within)
			rc = ends_of(&bases, within, 0);
		else
			rc = rt_graph_bases(g, &bases);
		if (rc < 0 || (rc = walk_up(&r, from, n, &bases, within, spec, err)) < 0)
			goto done;
		rc = push_result(out, r, err);
		goto done;
	}
	if (!from) {
		rc = n ? rt_error(err, RETORT_ENOTFOUND,
				  "relative revision '%s' goes past base: the database is at base",
				  spec) : 0;
		goto done;
	}
	if (direction == RT_DOWN && n > 0) {
		/* remove n revisions: the cut is n-1 steps below the current
		 * one; the n-th step must be one too, so a cut at a merge is
		 * as ambiguous as a walk through it (Alembic's "Ambiguous
		 * walk" for -1 at a merge) */
		if ((rc = walk_down(&r, from, n - 1, spec, err)) < 0)
			goto done;
		if (r && r->nparents + r->nvdeps > 1 && (rc = walk_down(&r, r, 1, spec, err)) < 0)
			goto done;
		if (!r) {
			rc = rt_error(err, RETORT_ENOTFOUND, "relative revision '%s' goes past base",
				      spec);
			goto done;
		}
		out->cut = 1;
		rc = push_result(out, r, err);
		goto done;
	}
	if ((rc = walk_down(&r, from, n, spec, err)) < 0)
		goto done;
	rc = push_result(out, r, err);
done:
	rt_revvec_release(&cur);
	rt_revvec_release(&bases);
	return rc;
}

static int resolve_plain(rt_target *out, rt_graph *g, const char *spec,
			 const rt_strlist *current, int direction, rt_buf *err);

/* label@head, label@base, label@REV, label@+N, label@-N. */
static int resolve_branch(rt_target *out, rt_graph *g, const char *label, const char *rest,
			  const rt_strlist *current, int direction, const char *spec,
			  rt_buf *err)
{
	branch members = { { 0 }, NULL };
	rt_revvec ends = { 0 };
	rt_rev *declaring = rt_graph_label(g, label), *r = NULL;
	size_t i;
	long n;
	int rc;

	if (!declaring && rt_graph_find(&declaring, g, label, err) < 0)
		return rt_error(err, RETORT_ENOTFOUND,
				"no branch label or revision '%s' (in '%s')", label, spec);
	if ((rc = branch_members(g, &members.v, declaring)) < 0 ||
	    !(members.in = calloc(g->n ? g->n : 1, 1)))
		goto oom;
	for (i = 0; i < members.v.n; i++)
		members.in[members.v.v[i]->topo] = 1;
	if (!strcmp(rest, "head") || !strcmp(rest, "heads")) {
		if ((rc = ends_of(&ends, &members, 1)) < 0)
			goto oom;
		if (!strcmp(rest, "heads")) {
			out->revs = ends;
			memset(&ends, 0, sizeof(ends));
		} else if ((rc = single(&r, &ends, spec, err)) >= 0) {
			rc = push_result(out, r, err);
		}
	} else if (!strcmp(rest, "base")) {
		if ((rc = ends_of(&ends, &members, 0)) < 0)
			goto oom;
		if ((rc = single(&r, &ends, spec, err)) >= 0) {
			out->cut = 1;
			rc = push_result(out, r, err);
		}
	} else if ((rest[0] == '+' || rest[0] == '-') && parse_count(rest + 1, &n) == 0) {
		rc = relative_to_current(out, g, rest[0], n, &members, current, direction, spec,
					 err);
	} else if ((rc = resolve_plain(out, g, rest, current, direction, err)) >= 0) {
		for (i = 0; i < out->revs.n; i++)
			if (!is_member(&members, out->revs.v[i]))
				rc = rt_error(err, RETORT_ENOTFOUND,
					      "revision '%s' is not on branch '%s'",
					      out->revs.v[i]->s.revision, label);
	}
	goto done;
oom:
	rc = rt_error(err, RETORT_ERROR, "out of memory");
done:
	rt_revvec_release(&members.v);
	free(members.in);
	rt_revvec_release(&ends);
	return rc;
}

/* Everything without '@'. */
static int resolve_plain(rt_target *out, rt_graph *g, const char *spec,
			 const rt_strlist *current, int direction, rt_buf *err)
{
	rt_revvec heads = { 0 };
	rt_rev *r = NULL;
	const char *sign;
	long n;
	int rc;

	if (!strcmp(spec, "base"))
		return 0;
	if (!strcmp(spec, "heads"))
		return rt_graph_heads(g, &out->revs) < 0 ? rt_error(err, RETORT_ERROR, "out of memory") : 0;
	if (!strcmp(spec, "head")) {
		if (rt_graph_heads(g, &heads) < 0)
			return rt_error(err, RETORT_ERROR, "out of memory");
		if (heads.n > 1) {
			rt_error(err, RETORT_EAMBIGUOUS, "several heads are present (");
			list_ids(err, heads.v, heads.n);
			rt_buf_puts(err, "); name one, use 'heads' for all of them, "
					 "'label@head' for one branch, or merge them");
			rc = RETORT_EAMBIGUOUS;
		} else {
			rc = heads.n ? push_result(out, heads.v[0], err) : 0;
		}
		rt_revvec_release(&heads);
		return rc;
	}
	if (!strcmp(spec, "current"))
		return current_revs(&out->revs, g, current, err);
	if ((spec[0] == '+' || spec[0] == '-') && parse_count(spec + 1, &n) == 0)
		return relative_to_current(out, g, spec[0], n, NULL, current, direction, spec, err);

	/* An id, unique prefix or label, exactly as written. */
	if ((r = rt_graph_label(g, spec)) != NULL)
		return push_result(out, r, err);
	rc = rt_graph_find(&r, g, spec, err);
	if (rc == 0)
		return push_result(out, r, err);
	if (rc == RETORT_EAMBIGUOUS)
		return rc;

	/* REV+N / REV-N, where REV is anything above resolving to one. */
	sign = strrchr(spec, '+');
	if (!sign || (strrchr(spec, '-') && strrchr(spec, '-') > sign))
		sign = strrchr(spec, '-');
	if (sign && sign > spec && parse_count(sign + 1, &n) == 0) {
		rt_target base = { 0 };
		rt_revvec bases = { 0 };
		char *head = rt_strndup(spec, (size_t)(sign - spec));
		rt_rev *from = NULL;

		if (!head)
			return rt_error(err, RETORT_ERROR, "out of memory");
		rc = resolve_plain(&base, g, head, current, 0, err);
		/* nothing ("base", or "current" at base) starts below every
		 * base, as Alembic's base+2 */
		if (rc >= 0 && base.revs.n)
			rc = single(&from, &base.revs, head, err);
		if (rc >= 0 && !from && *sign == '-' && n > 0)
			rc = rt_error(err, RETORT_ENOTFOUND, "relative revision '%s' goes past base",
				      spec);
		if (rc >= 0 && !from && *sign == '+' && rt_graph_bases(g, &bases) < 0)
			rc = rt_error(err, RETORT_ERROR, "out of memory");
		if (rc >= 0 && *sign == '+')
			rc = walk_up(&r, from, n, &bases, NULL, spec, err);
		else if (rc >= 0)
			rc = walk_down(&r, from, n, spec, err);
		if (rc >= 0)
			rc = push_result(out, r, err);
		free(head);
		rt_target_release(&base);
		rt_revvec_release(&bases);
		return rc;
	}
	return rt_error(err, RETORT_ENOTFOUND, "no revision, branch label or target '%s'", spec);
}

int rt_target_names_heads(const char *spec)
{
	const char *at = strchr(spec, '@');

	return !strcmp(at ? at + 1 : spec, "heads");
}

int rt_target_resolve(rt_target *out, rt_graph *g, const char *spec,
		      const rt_strlist *current, int direction, rt_buf *err)
{
	const char *at;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!spec || !*spec)
		spec = "head";
	at = strchr(spec, '@');
	if (at) {
		char *label = rt_strndup(spec, (size_t)(at - spec));
		if (!label)
			return rt_error(err, RETORT_ERROR, "out of memory");
		rc = resolve_branch(out, g, label, at + 1, current, direction, spec, err);
		free(label);
	} else {
		rc = resolve_plain(out, g, spec, current, direction, err);
	}
	if (rc < 0)
		rt_target_release(out);
	return rc;
}

/* One side of a range: NULL/"" means open (base below, heads above). */
static int range_end(rt_revvec *out, int *open, rt_graph *g, const char *s, size_t len,
		     const rt_strlist *current, rt_buf *err)
{
	rt_target t;
	char *spec;
	int rc;

	*open = (len == 0);
	if (!len)
		return 0;
	if (!(spec = rt_strndup(s, len)))
		return rt_error(err, RETORT_ERROR, "out of memory");
	rc = rt_target_resolve(&t, g, spec, current, 0, err);
	free(spec);
	if (rc < 0)
		return rc;
	/* label@base starts at base, as Alembic's history reads it */
	if (t.cut) {
		rt_target_release(&t);
		*open = 1;
		return 0;
	}
	*out = t.revs;
	return 0;
}

/* Mark, by topological position, every revision in `v`. */
static void mark_in(unsigned char *in, const rt_revvec *v, unsigned char bit)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		in[v->v[i]->topo] |= bit;
}

int rt_range_resolve(rt_revvec *out, rt_graph *g, const char *range,
		     const rt_strlist *current, rt_buf *err)
{
	rt_revvec lo = { 0 }, hi = { 0 }, above = { 0 }, below = { 0 };
	int lo_open = 1, hi_open = 1, rc = 0;
	unsigned char *in = NULL, want = 0;
	const char *colon;
	size_t i;

	if (range && *range) {
		if (!(colon = strchr(range, ':')))
			return rt_error(err, RETORT_EUSAGE,
					"history range '%s' must be START:END, START: or :END", range);
		if ((rc = range_end(&lo, &lo_open, g, range, (size_t)(colon - range), current,
				    err)) < 0 ||
		    (rc = range_end(&hi, &hi_open, g, colon + 1, strlen(colon + 1), current,
				    err)) < 0)
			goto done;
		lo_open |= !lo.n; /* base below is as good as open */
		if (!hi_open && !hi.n)
			goto done; /* anything:base is empty */
	}
	if (!(in = calloc(g->n ? g->n : 1, 1)))
		goto oom;
	if (!lo_open) {
		/* as Alembic's history: everything END needs, but from
		 * START only what is built on it through down_revision (not
		 * what merely depends on it) */
		if (rt_graph_down_descendants(g, &above, lo.v, lo.n) < 0)
			goto oom;
		mark_in(in, &above, 1);
		want |= 1;
	}
	if (!hi_open) {
		if (rt_graph_ancestors(g, &below, hi.v, hi.n) < 0)
			goto oom;
		mark_in(in, &below, 2);
		want |= 2;
	}
	/* as Alembic, a start that is not below the end is an error, not
	 * an empty history */
	for (i = 0; want == 3 && i < lo.n; i++) {
		if (!(in[lo.v[i]->topo] & 2)) {
			rc = rt_error(err, RETORT_EUSAGE,
				      "history range '%s': '%s' is not an ancestor of ", range,
				      lo.v[i]->s.revision);
			list_ids(err, hi.v, hi.n);
			rt_buf_puts(err, " (a range goes from older to newer, START:END)");
			goto done;
		}
	}
	for (i = g->n; i-- > 0; )
		if ((in[i] & want) == want && rt_revvec_push(out, g->topo[i]) < 0)
			goto oom;
	goto done;
oom:
	rc = rt_error(err, RETORT_ERROR, "out of memory");
done:
	free(in);
	rt_revvec_release(&lo);
	rt_revvec_release(&hi);
	rt_revvec_release(&above);
	rt_revvec_release(&below);
	return rc;
}
