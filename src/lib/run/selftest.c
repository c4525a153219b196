/*
 * selftest.c - `retort test`: the checks pytest-alembic makes, and a few
 * more, run on a scratch database that the driver creates for the purpose
 * and removes afterwards.  The configured database is only read for its
 * URL, to put the scratch database on the same kind of server.
 *
 * Each revision, parents first, is upgraded, downgraded and upgraded
 * again through the ordinary runner (so the version and history tables,
 * transactions and transaction=false sections behave as in production),
 * and the driver's schema fingerprint is taken around each step: a
 * downgrade must give back exactly the schema it started from.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "model.h"
#include "safety.h"

/* Interrupted (SIGINT in the program), the checks would leave their
 * scratch database on the server.  The request comes from another thread
 * while this one may be blocked in a statement for a long time, so the
 * request itself drops the database: on PostgreSQL that ends the sessions
 * on it, the blocked statement fails, and the checks stop at their next
 * step.  The mutex orders the drop with retort_test's own. */
struct retort_cancel {
	pthread_mutex_t mu;
	int requested;
	int dropped;
	/* the scratch database while there is one */
	const rt_driver *drv;
	const char *url;
	const rt_url *parsed;
	const rt_config *cfg;
};

int retort_cancel_new(retort_cancel **out)
{
	if (!(*out = calloc(1, sizeof(**out))))
		return RETORT_ERROR;
	pthread_mutex_init(&(*out)->mu, NULL);
	return 0;
}

void retort_cancel_free(retort_cancel *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->mu);
	free(c);
}

void retort_cancel_request(retort_cancel *c)
{
	rt_buf ignored = RT_BUF_INIT;

	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	c->requested = 1;
	if (c->drv && !c->dropped &&
	    c->drv->scratch_drop(c->url, c->parsed, c->cfg, &ignored) >= 0)
		c->dropped = 1;
	pthread_mutex_unlock(&c->mu);
	rt_buf_release(&ignored);
}

static int cancel_requested(retort_cancel *c)
{
	int r;

	if (!c)
		return 0;
	pthread_mutex_lock(&c->mu);
	r = c->requested;
	pthread_mutex_unlock(&c->mu);
	return r;
}

typedef struct tester {
	retort *ctx;
	retort_test_report *out;
	const retort_test_options *opts;
	const rt_driver *drv;
	rt_conn *conn;        /* on the scratch database, for fingerprints */
	rt_conn *runs;        /* the one the runs share, reset before each */
	rt_strlist skip;      /* retort's own tables */
	size_t cap;
	retort_cancel *cancel;
	const char *dialect;  /* the results' (retort_test_result.dialect) */
	size_t logged, logged_failures; /* results the log has counted */
} tester;

static int oom(tester *t)
{
	return rt_ctx_error(t->ctx, RETORT_ERROR, "out of memory");
}

/* Record a result and pass it to the caller's callback. */
static int add(tester *t, const char *check, retort_test_status status, const rt_rev *rev,
	       const char *fmt, ...) RT_PRINTF(5, 6);

static int add(tester *t, const char *check, retort_test_status status, const rt_rev *rev,
	       const char *fmt, ...)
{
	retort_test_report *out = t->out;
	retort_test_result *res;
	rt_buf msg = RT_BUF_INIT;
	va_list ap;

	/* what fails once the scratch database is gone is not the migrations' */
	if (cancel_requested(t->cancel))
		return 0;
	if (out->count == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		void *p = realloc(out->results, cap * sizeof(*out->results));
		if (!p)
			return oom(t);
		out->results = p;
		t->cap = cap;
	}
	va_start(ap, fmt);
	rt_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (rt_buf_oom(&msg)) {
		rt_buf_release(&msg);
		return oom(t);
	}
	res = &out->results[out->count];
	res->check = check;
	res->status = status;
	res->rev = rev;
	res->path = rev ? rev->s.path : NULL;
	res->dialect = strcmp(check, "single-head") ? t->dialect : NULL;
	if (!(res->message = rt_buf_detach(&msg)))
		return oom(t);
	out->count++;
	if (status == RETORT_TEST_FAILED)
		out->failures++;
	if (t->opts && t->opts->on_result)
		t->opts->on_result(res, t->opts->payload);
	return 0;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The scratch database's schema, sorted. */
static int fingerprint(rt_strlist *out, tester *t)
{
	int rc;

	rt_strlist_release(out);
	if ((rc = t->drv->fingerprint(t->conn, &t->skip, out, &t->ctx->err)) < 0)
		return rc;
	if (out->count)
		qsort(out->items, out->count, sizeof(*out->items), by_text);
	return 0;
}

/* Append the lines only `now` has ("left behind") and only `was` has
 * ("missing"), a few of each; returns whether they differ. */
static int describe_diff(rt_buf *msg, const rt_strlist *was, const rt_strlist *now)
{
	size_t i = 0, k = 0, shown = 0, more = 0;
	int c;

	while (i < was->count || k < now->count) {
		c = rt_sorted_side(was->items, i, was->count, now->items, k, now->count, strcmp);
		if (!c) {
			i++;
			k++;
			continue;
		}
		if (shown < 8)
			rt_buf_printf(msg, "\n    %s %s", c > 0 ? "left behind:" : "missing:    ",
				      c > 0 ? now->items[k] : was->items[i]);
		else
			more++;
		shown++;
		if (c > 0)
			k++;
		else
			i++;
	}
	if (more)
		rt_buf_printf(msg, "\n    (and %zu more)", more);
	return shown > 0;
}

static int check_heads(tester *t, rt_graph *g)
{
	rt_revvec heads = { 0 };
	rt_buf msg = RT_BUF_INIT;
	size_t i;
	int rc;

	if (rt_graph_heads(g, &heads) < 0)
		return oom(t);
	if (heads.n == 1) {
		rc = add(t, "single-head", RETORT_TEST_OK, heads.v[0], "%s", "");
	} else {
		for (i = 0; i < heads.n; i++)
			rt_buf_printf(&msg, "\n    %s (%s)", heads.v[i]->s.revision, heads.v[i]->s.path);
		rc = add(t, "single-head", RETORT_TEST_FAILED, NULL,
			 "%zu heads, where 'upgrade head' needs one:%s\nmerge them with "
			 "'retort merge -m MESSAGE heads'", heads.n, msg.ptr);
	}
	rt_revvec_release(&heads);
	rt_buf_release(&msg);
	return rc;
}

/* The run's message, kept before the next call replaces it. */
static char *last_error(tester *t)
{
	char *s = rt_strdup(t->ctx->err.ptr);

	return s ? s : rt_strdup("out of memory");
}

/* Up, down, up for one revision.  *fatal is set when the walk cannot go
 * on (the database is not where the next revision needs it). */
static int check_revision(tester *t, rt_rev *rev, rt_strlist *now, int *fatal)
{
	retort_run_options ro = RETORT_RUN_OPTIONS_INIT;
	rt_strlist up = { 0 }, down = { 0 };
	rt_buf target = RT_BUF_INIT, msg = RT_BUF_INIT;
	const char *id = rev->s.revision;
	char *e = NULL;
	int rc = 0, failed = 0;

	ro.backup = -1;
	*fatal = 1;
	if (retort_upgrade(t->ctx, id, &ro) < 0) {
		e = last_error(t);
		rc = add(t, "revision", RETORT_TEST_FAILED, rev, "upgrade failed: %s", e);
		goto done;
	}
	if ((rc = fingerprint(&up, t)) < 0)
		goto done;
	/* REV@-1: this revision alone, whatever other branches hold */
	rt_buf_printf(&target, "%s@-1", id);
	if (retort_downgrade(t->ctx, target.ptr, &ro) < 0) {
		e = last_error(t);
		rc = add(t, "revision", RETORT_TEST_FAILED, rev, "downgrade failed: %s", e);
		goto done;
	}
	if ((rc = fingerprint(&down, t)) < 0)
		goto done;
	if (describe_diff(&msg, now, &down)) {
		failed = 1;
		if ((rc = add(t, "revision", RETORT_TEST_FAILED, rev,
			      "the downgrade does not undo the upgrade: the schema after "
			      "upgrade and downgrade differs from the schema before:%s",
			      msg.ptr)) < 0)
			goto done;
	}
	if (retort_upgrade(t->ctx, id, &ro) < 0) {
		e = last_error(t);
		rc = add(t, "revision", RETORT_TEST_FAILED, rev,
			 "upgrade after its downgrade failed: %s", e);
		goto done;
	}
	*fatal = 0;
	if ((rc = fingerprint(&down, t)) < 0)
		goto done;
	rt_buf_clear(&msg);
	if (describe_diff(&msg, &up, &down)) {
		failed = 1;
		if ((rc = add(t, "revision", RETORT_TEST_FAILED, rev,
			      "upgrade, downgrade and upgrade again gives another schema than "
			      "the first upgrade:%s", msg.ptr)) < 0)
			goto done;
	}
	if (!failed && (rc = add(t, "revision", RETORT_TEST_OK, rev, "%s", "")) < 0)
		goto done;
	rt_strlist_release(now);
	*now = down;
	memset(&down, 0, sizeof(down));
done:
	free(e);
	rt_strlist_release(&up);
	rt_strlist_release(&down);
	rt_buf_release(&target);
	rt_buf_release(&msg);
	return rc;
}

/* The database at its heads against the model: `schema_command`'s or the
 * `schema` files, whichever retort check would use. */
static int check_model(tester *t)
{
	const char *cmd = rt_config_get(&t->ctx->cfg, "retort", "schema_command");
	retort_autogen ag;
	rt_buf msg = RT_BUF_INIT, model = RT_BUF_INIT;
	size_t i;
	char *e;
	int rc;

	if (cmd && *cmd)
		rt_buf_printf(&model, "schema_command '%s'", cmd);
	else if (t->ctx->cfg.schema)
		rt_buf_printf(&model, "'%s'", t->ctx->cfg.schema);
	else
		return add(t, "model", RETORT_TEST_SKIPPED, NULL,
			   "no 'schema' or 'schema_command' in %s",
			   t->ctx->cfg.path ? t->ctx->cfg.path : "retort.ini");
	if (!t->drv->introspect) {
		rc = add(t, "model", RETORT_TEST_SKIPPED, NULL,
			 "the %s driver cannot read a database's schema in this build",
			 t->drv->name);
		goto done;
	}
	memset(&ag, 0, sizeof(ag));
	if (retort_check(&ag, t->ctx) < 0) {
		e = last_error(t);
		rc = add(t, "model", RETORT_TEST_FAILED, NULL,
			 "cannot compare the database at head with %s: %s", model.ptr, e);
		free(e);
		goto done;
	}
	for (i = 0; i < ag.operations.count; i++)
		rt_buf_printf(&msg, "\n    %s", ag.operations.strings[i]);
	if (ag.operations.count)
		rc = add(t, "model", RETORT_TEST_FAILED, NULL,
			 "the database at head differs from the model %s (retort revision "
			 "--autogenerate would write):%s", model.ptr, msg.ptr);
	else
		rc = add(t, "model", RETORT_TEST_OK, NULL, "matches %s", model.ptr);
	retort_autogen_release(&ag);
done:
	rt_buf_release(&msg);
	rt_buf_release(&model);
	return rc;
}

/* From the heads back to base in one run: nothing of the migrations may
 * stay. */
static int check_base(tester *t, const rt_strlist *empty)
{
	retort_run_options ro = RETORT_RUN_OPTIONS_INIT;
	rt_strlist now = { 0 };
	rt_buf msg = RT_BUF_INIT;
	char *e;
	int rc;

	ro.backup = -1;
	if (retort_downgrade(t->ctx, "base", &ro) < 0) {
		e = last_error(t);
		rc = add(t, "base", RETORT_TEST_FAILED, NULL, "downgrade from the heads to base "
			 "failed: %s", e);
		free(e);
		return rc;
	}
	if ((rc = fingerprint(&now, t)) < 0)
		return rc;
	if (describe_diff(&msg, empty, &now))
		rc = add(t, "base", RETORT_TEST_FAILED, NULL, "downgrading from the heads to base "
			 "does not give back the empty database:%s", msg.ptr);
	else
		rc = add(t, "base", RETORT_TEST_OK, NULL, "%s", "");
	rt_strlist_release(&now);
	rt_buf_release(&msg);
	return rc;
}

/* Every check, on the scratch database the context points at now. */
static int run_checks(tester *t, rt_graph *g, const rt_url *scratch)
{
	rt_strlist empty = { 0 }, now = { 0 };
	size_t i;
	int rc, fatal = 0;

	if ((rc = t->drv->connect(&t->conn, scratch, &t->ctx->cfg, &t->ctx->err)) < 0 ||
	    (rc = fingerprint(&empty, t)) < 0)
		goto done;
	for (i = 0; i < empty.count && rc >= 0; i++)
		rc = rt_strlist_add(&now, empty.items[i]) < 0 ? oom(t) : 0;
	/* a connection of their own for the runs rather than one each: the
	 * connect (and its authentication) would cost more than most steps */
	if (rc >= 0 && t->drv->reset &&
	    (rc = t->drv->connect(&t->runs, scratch, &t->ctx->cfg, &t->ctx->err)) < 0)
		goto done;
	t->ctx->lent_conn = t->runs;
	for (i = 0; i < g->n && rc >= 0 && !fatal && !cancel_requested(t->cancel); i++)
		rc = check_revision(t, g->topo[i], &now, &fatal);
	for (; i < g->n && rc >= 0; i++)
		rc = add(t, "revision", RETORT_TEST_SKIPPED, g->topo[i],
			 "not run: an earlier revision failed");
	if (rc < 0 || fatal || cancel_requested(t->cancel))
		goto done;
	/* check runs autogenerate's way, on a connection of its own */
	t->ctx->lent_conn = NULL;
	if ((rc = check_model(t)) >= 0) {
		t->ctx->lent_conn = t->runs;
		rc = check_base(t, &empty);
	}
done:
	t->ctx->lent_conn = NULL;
	if (t->runs)
		t->drv->close(t->runs);
	if (t->conn)
		t->drv->close(t->conn);
	t->conn = t->runs = NULL;
	rt_strlist_release(&empty);
	rt_strlist_release(&now);
	return rc;
}

void retort_test_report_release(retort_test_report *report)
{
	size_t i;

	if (!report)
		return;
	for (i = 0; i < report->count; i++)
		free(report->results[i].message);
	free(report->results);
	free(report->scratch);
	memset(report, 0, sizeof(*report));
}

/* Every check but single-head on a scratch database of `t->drv`, made
 * beside `base` (`parsed`) and dropped at the end. */
static int test_on(tester *t, rt_graph *g, const char *base, const rt_url *parsed,
		   rt_buf *scratches)
{
	retort *ctx = t->ctx;
	retort_test_report *out = t->out;
	rt_url scratch = { 0 };
	char *scratch_url = NULL;
	rt_ctx_pointed saved;
	int rc, drop_rc, gone = 0;
	rt_buf dropped = RT_BUF_INIT;

	if (!t->drv->fingerprint || !t->drv->scratch_create)
		return rt_ctx_error(ctx, RETORT_ERROR, "the %s driver cannot make a scratch database",
				    t->drv->name);
	if ((rc = t->drv->scratch_create(&scratch_url, base, parsed, &ctx->cfg, &ctx->err)) < 0 ||
	    (rc = rt_url_parse(&scratch, scratch_url, ctx->cfg.dir, &ctx->err)) < 0)
		goto done;
	rt_buf_printf(scratches, "%s%s", scratches->len ? ", " : "", scratch.masked);
	if (t->cancel) {
		pthread_mutex_lock(&t->cancel->mu);
		t->cancel->drv = t->drv;
		t->cancel->url = scratch_url;
		t->cancel->parsed = &scratch;
		t->cancel->cfg = &ctx->cfg;
		pthread_mutex_unlock(&t->cancel->mu);
	}
	if (cancel_requested(t->cancel))
		goto drop;

	/* point the context at the scratch database; its runs are not the
	 * project's history, so they stay out of the log */
	rt_ctx_point(ctx, scratch_url, &saved);
	rc = run_checks(t, g, &scratch);
	rt_ctx_unpoint(ctx, &saved);

	rt_log_printf(rt_ctx_log(ctx), "test on scratch %s: %zu checks, %zu failed", scratch.masked,
		      out->count - t->logged, out->failures - t->logged_failures);
	t->logged = out->count;
	t->logged_failures = out->failures;
drop:
	drop_rc = 0;
	if (t->cancel) { /* no request drops it from here on */
		pthread_mutex_lock(&t->cancel->mu);
		t->cancel->drv = NULL;
		gone = t->cancel->dropped;
		t->cancel->dropped = 0;
		pthread_mutex_unlock(&t->cancel->mu);
	}
	if (!gone &&
	    (drop_rc = t->drv->scratch_drop(scratch_url, &scratch, &ctx->cfg, &dropped)) < 0 &&
	    (rc >= 0 || cancel_requested(t->cancel))) {
		rt_ctx_error(ctx, drop_rc, "the checks %s, but the scratch database was left "
			     "behind: %s", cancel_requested(t->cancel) ? "were interrupted" : "ran",
			     dropped.ptr);
		rc = drop_rc;
	} else if (cancel_requested(t->cancel)) {
		rc = rt_ctx_error(ctx, RETORT_ECANCELED, "interrupted; the scratch database '%s' "
				  "was dropped", scratch.masked);
	}
done:
	free(scratch_url);
	rt_url_release(&scratch);
	rt_buf_release(&dropped);
	return rc;
}

/* More than the registry has (rt_driver_at): the dialects of one run. */
#define MAX_DIALECTS 8

int retort_test(retort_test_report *out, retort *ctx, const retort_test_options *opts)
{
	tester t;
	rt_graph *g;
	rt_url url = { 0 };
	rt_scratch_server base[MAX_DIALECTS];
	const char *history = rt_config_get(&ctx->cfg, "retort", "history_table");
	const char *only = opts && opts->version >= 3 ? opts->dialect : NULL;
	const rt_driver *d, *url_drv;
	rt_buf scratches = RT_BUF_INIT;
	unsigned mask = 0;
	size_t k, n;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&t, 0, sizeof(t));
	memset(base, 0, sizeof(base));
	t.ctx = ctx;
	t.out = out;
	t.opts = opts;
	t.cancel = opts && opts->version >= 2 ? opts->cancel : NULL;
	rt_buf_clear(&ctx->err);
	if ((rc = RT_CTX_CHECK_OPTIONS(ctx, opts, RETORT_TEST_OPTIONS_VERSION,
				       "retort_test_options")) < 0)
		return rc;
	if ((rc = rt_ctx_graph(&g, ctx)) < 0)
		return rc;
	if (!g->n)
		return add(&t, "single-head", RETORT_TEST_SKIPPED, NULL, "no revisions in '%s'",
			   g->dir);
	if ((rc = rt_ctx_url(&url, ctx)) < 0)
		goto done;
	/* the dialects, and where each one's scratch database goes, before
	 * anything runs: a dialect without a server stops it all */
	if (only && *only) {
		for (k = 0; (d = rt_driver_at(k)) != NULL; k++)
			if (d == rt_driver_lookup_named(only))
				mask = 1u << k;
		if (!mask) {
			rc = rt_driver_named(&d, only, &ctx->err);
			goto done;
		}
	} else if ((rc = rt_ctx_dialects(&mask, ctx)) < 0) {
		goto done;
	}
	url_drv = rt_driver_lookup(url.scheme);
	for (k = n = 0; k < MAX_DIALECTS && (d = rt_driver_at(k)) != NULL; k++) {
		if (!((mask >> k) & 1))
			continue;
		n++;
		/* beside the database when it is of the dialect, as always */
		if ((rc = rt_scratch_server_for(&base[k], ctx, d, RT_SCRATCH_URL_FIRST)) < 0)
			goto done;
	}
	if (!n) { /* the URL's dialect has no driver in this build */
		rc = rt_driver_for(&d, url.scheme, &ctx->err);
		goto done;
	}
	t.dialect = NULL;
	if ((rc = check_heads(&t, g)) < 0)
		goto done;
	if (rt_strlist_add(&t.skip, ctx->cfg.version_table) < 0 ||
	    rt_strlist_add(&t.skip, history && *history ? history : "retort_history") < 0) {
		rc = oom(&t);
		goto done;
	}
	for (k = 0; k < MAX_DIALECTS && (d = rt_driver_at(k)) != NULL && rc >= 0; k++) {
		if (!((mask >> k) & 1))
			continue;
		if (cancel_requested(t.cancel)) {
			rc = rt_ctx_error(ctx, RETORT_ECANCELED, "interrupted");
			break;
		}
		if ((rc = rt_driver_named(&t.drv, d->name, &ctx->err)) < 0)
			break;
		/* the dialect is said unless the run is the URL's alone */
		t.dialect = n > 1 || d != url_drv ? d->name : NULL;
		rc = test_on(&t, g, base[k].raw, &base[k].url, &scratches);
	}
	if (rt_buf_oom(&scratches) || (scratches.len && !(out->scratch = rt_buf_detach(&scratches))))
		rc = oom(&t);
done:
	for (k = 0; k < MAX_DIALECTS; k++)
		rt_scratch_server_release(&base[k]);
	rt_url_release(&url);
	rt_strlist_release(&t.skip);
	rt_buf_release(&scratches);
	if (rc < 0 && rt_buf_oom(&ctx->err))
		rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	return rc;
}
