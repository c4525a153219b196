/*
 * replay.c - the schema before each revision lint checks (lint.h's
 * rt_lint_before), from the project's migrations replayed on a scratch
 * database.
 *
 * Some rules must know a table as the migrations before the revision
 * left it: the type a column had (is the new one narrower? does
 * PostgreSQL rewrite the table?) and the columns a rebuild leaves out.
 * lint replays the project's migrations, with the ordinary runner, on a
 * scratch database of one dialect it lints for, up to the revision's
 * parents, and reads the schema back; only when a rule first asks, so a
 * range without such statements replays nothing.  The database the
 * project points at is never touched: SQLite gets a temporary file,
 * PostgreSQL a scratch database on dev_url's server, and without dev_url
 * the old schema is unknown (and the rules say so).
 */
#include <stdlib.h>
#include <string.h>

#include "replay.h"

/* The dialect to replay on: the one linted for; with every dialect, of
 * the project's (all of the build's when it names none) the first that
 * takes the full rule set and has a server for scratch databases, else
 * the first that needs no server, else the first. */
static const rt_driver *replay_dialect(retort *ctx, const rt_driver *lint_for)
{
	const rt_driver *d, *pick = NULL;
	rt_scratch_server b;
	unsigned mask = 0;
	size_t k;

	if (lint_for)
		return lint_for;
	if (rt_ctx_dialects(&mask, ctx) < 0)
		mask = 0;
	rt_buf_clear(&ctx->err);
	for (k = 0; (d = rt_driver_at(k)) != NULL; k++) {
		if (mask && !((mask >> k) & 1))
			continue;
		if (d->lint_full_rules && !d->model_url &&
		    rt_scratch_server_for(&b, ctx, d, RT_SCRATCH_NO_URL) == 0) {
			rt_scratch_server_release(&b);
			return d;
		}
		rt_buf_clear(&ctx->err);
		if (!pick || (d->model_url && !pick->model_url))
			pick = d;
	}
	/* with none that needs no server, the first: its findings then say
	 * that it has no scratch database */
	return pick;
}

static void replay_drop(rt_lint_replay *r)
{
	rt_buf ignored = RT_BUF_INIT;

	if (r->url)
		r->drv->scratch_drop(r->url, r->parsed.scheme ? &r->parsed : &r->base.url,
				     &r->ctx->cfg, &ignored);
	rt_buf_release(&ignored);
	rt_url_release(&r->parsed);
	memset(&r->parsed, 0, sizeof(r->parsed));
	free(r->url);
	r->url = NULL;
	r->applied.n = 0;
}

/* Is every revision the scratch database holds below r->rev?  (On
 * another branch it holds what r->rev's parents never saw.) */
static int only_below(rt_lint_replay *r, rt_graph *g)
{
	rt_revvec below = { 0 };
	rt_rev *rev = (rt_rev *)r->rev;
	size_t i, k;
	int ok = 1;

	if (rt_graph_ancestors(g, &below, &rev, 1) < 0)
		return 0;
	for (i = 0; i < r->applied.n && ok; i++) {
		for (k = 0, ok = 0; k < below.n && !ok; k++)
			ok = below.v[k] == r->applied.v[i];
	}
	rt_revvec_release(&below);
	return ok;
}

/* Upgrade the scratch database to r->rev's parents and dependencies and
 * read its schema. */
static int replay_to(rt_lint_replay *r)
{
	retort *ctx = r->ctx;
	const rt_rev *rev = r->rev;
	rt_ctx_pointed saved;
	rt_conn *conn = NULL;
	size_t i;
	int rc = 0;

	if (r->url && !only_below(r, &ctx->graph))
		replay_drop(r);
	if (!r->url) {
		if (!r->drv->scratch_create)
			return rt_ctx_error(ctx, RETORT_ERROR, "the %s driver makes no scratch "
					    "database", r->drv->name);
		if ((rc = r->drv->scratch_create(&r->url, r->base.raw, &r->base.url, &ctx->cfg,
						 &ctx->err)) < 0 ||
		    (rc = rt_url_parse(&r->parsed, r->url, ctx->cfg.dir, &ctx->err)) < 0) {
			r->broken = 1;
			return rc;
		}
	}
	rt_ctx_point(ctx, r->url, &saved);
	for (i = 0; i < rev->nparents + rev->ndeps && rc >= 0; i++) {
		rt_rev *to = i < rev->nparents ? rev->parents[i] : rev->deps[i - rev->nparents];

		if ((rc = retort_upgrade(ctx, to->s.revision, NULL)) >= 0 &&
		    rt_revvec_push(&r->applied, to) < 0)
			rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	}
	rt_ctx_unpoint(ctx, &saved);
	if (rc < 0) {
		/* half applied: start again for the next revision */
		replay_drop(r);
		return rc;
	}
	if (!r->drv->introspect)
		return rt_ctx_error(ctx, RETORT_ERROR, "the %s driver cannot read a schema",
				    r->drv->name);
	if ((rc = r->drv->connect(&conn, &r->parsed, &ctx->cfg, &ctx->err)) >= 0) {
		rc = r->drv->introspect(conn, NULL, &r->schema, &ctx->err);
		r->drv->close(conn);
	}
	return rc;
}

const rt_schema *rt_lint_replay_get(void *arg, const char **why)
{
	rt_lint_replay *r = arg;
	const char *msg;
	size_t n;

	if (r->ready != r->rev) {
		r->ready = r->rev;
		r->have = 0;
		rt_schema_release(&r->schema);
		memset(&r->schema, 0, sizeof(r->schema));
		if (r->drv && !r->broken) {
			rt_buf_clear(&r->why);
			if (replay_to(r) >= 0) {
				r->have = 1;
			} else {
				/* the first line of the message is enough here */
				msg = retort_errmsg(r->ctx);
				n = strcspn(msg, "\n");
				rt_buf_printf(&r->why, "the migrations before it do not replay on a "
					      "scratch %s database: %.*s", r->drv->name,
					      (int)(n > 300 ? 300 : n), msg);
			}
			rt_buf_clear(&r->ctx->err);
		}
	}
	*why = r->why.len ? r->why.ptr : "no scratch database";
	return r->have ? &r->schema : NULL;
}

void rt_lint_replay_init(rt_lint_replay *r, retort *ctx, const rt_driver *lint_for)
{
	memset(r, 0, sizeof(*r));
	r->ctx = ctx;
	if (!(r->drv = replay_dialect(ctx, lint_for)))
		rt_buf_puts(&r->why, "no dialect to replay the migrations on");
	else if (rt_scratch_server_for(&r->base, ctx, r->drv, RT_SCRATCH_NO_URL) < 0) {
		const char *dev = rt_config_get(&ctx->cfg, "retort", "dev_url");

		r->broken = 1;
		/* without dev_url, say only that; a dev_url that does not do,
		 * why (the first line of the message) */
		rt_buf_printf(&r->why, "no scratch %s database to replay the migrations on: ",
			      r->drv->name);
		if (dev && *dev)
			rt_buf_printf(&r->why, "%.*s", (int)strcspn(retort_errmsg(ctx), "\n"),
				      retort_errmsg(ctx));
		else
			rt_buf_puts(&r->why, "set dev_url in retort.ini");
	}
	rt_buf_clear(&ctx->err);
}

void rt_lint_replay_release(rt_lint_replay *r)
{
	if (r->drv)
		replay_drop(r);
	rt_revvec_release(&r->applied);
	rt_scratch_server_release(&r->base);
	rt_schema_release(&r->schema);
	rt_buf_release(&r->why);
}
