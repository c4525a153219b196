/*
 * plan.h - the planner: from the revision graph, the version table's rows
 * and a target to the revisions a run applies or reverts, and the
 * version-table arithmetic of one step.
 *
 * Pure functions: no database, no context, no run.  The runner (online,
 * migrate.c) and the offline writer (offline.c) call them with the rows
 * they read or assume; the unit tests call them with rows made up on the
 * spot (tests/unit/test_plan.c).  Errors are messages in `err`.
 */
#ifndef RT_PLAN_H
#define RT_PLAN_H

#include "graph.h"

/* The revisions of the version table's `rows`, each known to the graph;
 * RETORT_ECONFLICT naming a row no file of the graph defines. */
int rt_plan_rows_to_revs(rt_revvec *out, rt_graph *g, const rt_strlist *rows, rt_buf *err);

/* *out (caller frees, g->n bytes) has a 1 at [rev->topo] for every
 * applied revision: everything `rows` reach through down_revision and
 * depends_on. */
int rt_plan_applied(unsigned char **out, rt_graph *g, const rt_strlist *rows, rt_buf *err);

/* Append "'a', 'b'", or "base (no revision applied)" for no rows: how
 * messages say where the database is. */
void rt_plan_describe_rows(rt_buf *b, const rt_strlist *rows);

/* Resolve the target `spec` against `rows` (target.c) and compute the
 * plan into `plan` (emptied first): for RT_UP, every revision the target
 * needs that `rows` do not reach, parents first; for RT_DOWN, every
 * applied revision above the target, children first.  RETORT_ECONFLICT,
 * saying where the database is and that nothing was changed, for an
 * upgrade to a revision below the rows and a downgrade to one that is not
 * applied. */
int rt_plan_make(rt_revvec *plan, rt_graph *g, const rt_strlist *rows, const char *spec,
		 int direction, rt_buf *err);

/* The rows of a database at `spec`, resolved without one (head, an id,
 * label@head, ...): where an offline script's "FROM:TO" starts.  `rows`
 * is emptied first. */
int rt_plan_assume(rt_strlist *rows, rt_graph *g, const char *spec, rt_buf *err);

/* One step of a plan, as the version table sees it, as Alembic 1.8 moves
 * its rows.  What a revision stands on is its parents and the
 * dependencies the version table counts (graph.h: vdeps).  Going up, the
 * rows it stands on leave and the revision comes in; going down, the
 * revision leaves and what it stands on comes back where no other row
 * reaches it.  `gone` and `added` pair up as far as they go (an UPDATE of
 * one row into another, as Alembic does); `next` is the rows after it. */
typedef struct rt_plan_step_rows {
	rt_strlist gone;
	rt_strlist added;
	rt_strlist next;
} rt_plan_step_rows;

/* Fill `out` (zeroed here) for applying (RT_UP) or reverting (RT_DOWN)
 * `rev` when the version table holds `rows`.  Going down with several
 * rows, one walk over what the other rows reach. */
int rt_plan_step(rt_plan_step_rows *out, rt_graph *g, const rt_strlist *rows, const rt_rev *rev,
		 int direction, rt_buf *err);
void rt_plan_step_release(rt_plan_step_rows *s);

/* "parents" into `from` and the revision into `to` (the reverse going
 * down), comma separated, as Alembic logs a step. */
void rt_plan_step_ends(rt_buf *from, rt_buf *to, const rt_rev *rev, int direction);

#endif
