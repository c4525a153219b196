/*
 * replay.h - the schema before each revision lint checks, from the
 * project's migrations replayed on a scratch database (replay.c).
 */
#ifndef RT_LINT_REPLAY_H
#define RT_LINT_REPLAY_H

#include "ctx.h"
#include "model.h"
#include "schema.h"

/* r->rev is the caller's to set: the revision being linted. */
typedef struct rt_lint_replay {
	retort *ctx;
	const rt_driver *drv;   /* the dialect replayed on; NULL: none */
	rt_scratch_server base;
	char *url;              /* the scratch database, made on first need */
	rt_url parsed;
	rt_revvec applied;      /* what it was upgraded to so far */
	const rt_rev *rev;      /* the revision being linted */
	const rt_rev *ready;    /* `schema` is from before it */
	rt_schema schema;
	int have;               /* `schema` holds it */
	int broken;             /* no scratch database can be made */
	rt_buf why;
} rt_lint_replay;

/* Pick the dialect to replay on (`lint_for`, or NULL: every dialect of
 * the project) and its server for scratch databases; nothing is made or
 * connected yet.  Cannot fail: what is missing makes every schema unknown,
 * with the reason. */
void rt_lint_replay_init(rt_lint_replay *r, retort *ctx, const rt_driver *lint_for);

/* rt_lint_before's `get`, `arg` the rt_lint_replay: the schema before
 * r->rev (set it before linting each revision), replaying the migrations
 * the scratch database lacks on first use for that revision. */
const rt_schema *rt_lint_replay_get(void *arg, const char **why);

/* Drop the scratch database and free everything. */
void rt_lint_replay_release(rt_lint_replay *r);

#endif
