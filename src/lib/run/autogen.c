/*
 * autogen.c - autogenerate, check and schema dump: the database's schema
 * (introspected) against the model (the `schema` files of retort.ini,
 * executed in a scratch database and introspected the same way).
 *
 * The scratch database is an in-memory one for SQLite; for PostgreSQL a
 * schema made inside a transaction that is rolled back, on the database
 * itself or on `dev_url` when the config names one, so nothing is ever
 * left behind; or, for a model that names its schema ("public.t", as
 * pg_dump writes it) or creates extensions, a scratch database of its
 * own made and dropped on that server (model_pg.c says why).
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctx.h"
#include "diff.h"
#include "model.h"

/* ---- the two models ----------------------------------------------------------- */

/* Leave out retort's own tables: the version table, the history table
 * and anything named retort_*. */
static void drop_own_tables(rt_schema *s, const rt_config *cfg)
{
	const char *history = rt_config_get(cfg, "retort", "history_table");
	size_t i = 0;

	while (i < s->ntables) {
		const char *name = s->tables[i].name;
		if (!strncmp(name, "retort_", 7) || !strcmp(name, cfg->version_table) ||
		    (history && !strcmp(name, history)))
			rt_schema_remove_table(s, i);
		else
			i++;
	}
}

static int read_schema(rt_schema *out, const rt_driver *drv, rt_conn *conn, const char *schema,
		       const rt_config *cfg, rt_buf *err)
{
	int rc;

	if (!drv->introspect)
		return rt_error(err, RETORT_ERROR, "the %s driver cannot read a database's schema",
				drv->name);
	if ((rc = drv->introspect(conn, schema, out, err)) < 0)
		return rc;
	drop_own_tables(out, cfg);
	return 0;
}

static int introspect(rt_schema *out, retort *ctx, const rt_driver *drv, rt_conn *conn,
		      const char *schema)
{
	return read_schema(out, drv, conn, schema, &ctx->cfg, &ctx->err);
}

/* Run the model's SQL on the scratch connection; errors name file:line. */
static int run_model(retort *ctx, const rt_driver *drv, rt_conn *conn, const rt_model_src *m)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < m->n && rc >= 0; i++) {
		rt_exec_fail fail = { 0 };
		const rt_model_chunk *c = &m->chunks[i];

		if ((rc = drv->exec(conn, c->text, c->len, &fail, &ctx->err)) < 0) {
			size_t at = fail.error_at != (size_t)-1 ? fail.error_at : fail.offset, k;
			int line = 1;
			for (k = 0; k < at && k < c->len; k++)
				line += c->text[k] == '\n';
			if (c->file)
				rt_ctx_error_prefix(ctx, rc, "the schema file %s:%d does not run "
						    "on %s: ", c->name, line, drv->name);
			else
				rt_ctx_error_prefix(ctx, rc, "%s, line %d, does not run on %s: ",
						    c->name, line, drv->name);
		}
		rt_strlist_release(&fail.done);
	}
	return rc;
}

/* The model run in one transaction, which the driver sends as one
 * request instead of one per statement (pg_dump's Synapse: 600
 * statements, a second of round trips).  A model a transaction cannot
 * hold (CREATE INDEX CONCURRENTLY, a new enum value used at once) fails
 * there and runs again, rolled back, statement by statement as before:
 * what it does and the message it fails with are the same both ways. */
static int run_model_once(retort *ctx, const rt_driver *drv, rt_conn *conn,
			  const rt_model_src *m)
{
	int rc;

	if (drv->begin(conn, &ctx->err) < 0)
		return run_model(ctx, drv, conn, m);
	if ((rc = run_model(ctx, drv, conn, m)) >= 0)
		return drv->commit(conn, &ctx->err);
	drv->rollback(conn);
	rt_buf_clear(&ctx->err);
	return run_model(ctx, drv, conn, m);
}

/* Make each piece of the model ready to run (model_filter); does one
 * need a database of its own (model_own_db)? */
static int filter_model(rt_model_src *m, const rt_driver *drv, const char *schema)
{
	size_t i;
	int own = 0;

	for (i = 0; i < m->n; i++) {
		if (drv->model_filter)
			drv->model_filter(m->chunks[i].text, m->chunks[i].len, schema);
		if (drv->model_own_db && drv->model_own_db(m->chunks[i].text, m->chunks[i].len, schema))
			own = 1;
	}
	return own;
}

/* A scratch database made on `base` (scratch_make), dropped again by
 * scratch_done, which returns `rc` or the error of the drop. */
typedef struct scratch_db {
	char *raw;
	rt_url url;
} scratch_db;

static int scratch_done(scratch_db *sd, retort *ctx, const rt_driver *drv,
			const rt_scratch_server *base, int rc);

static int scratch_make(scratch_db *sd, retort *ctx, const rt_driver *drv,
			const rt_scratch_server *base)
{
	int rc;

	memset(sd, 0, sizeof(*sd));
	if (!drv->scratch_create)
		return rt_ctx_error(ctx, RETORT_ERROR, "the %s driver cannot make a scratch database",
				    drv->name);
	if ((rc = drv->scratch_create(&sd->raw, base->raw, &base->url, &ctx->cfg, &ctx->err)) < 0)
		return rc;
	if ((rc = rt_url_parse(&sd->url, sd->raw, ctx->cfg.dir, &ctx->err)) < 0)
		return scratch_done(sd, ctx, drv, base, rc);
	return 0;
}

static int scratch_done(scratch_db *sd, retort *ctx, const rt_driver *drv,
			const rt_scratch_server *base, int rc)
{
	rt_buf dropped = RT_BUF_INIT;
	int drop_rc;

	if ((drop_rc = drv->scratch_drop(sd->raw, sd->url.scheme ? &sd->url : &base->url,
					 &ctx->cfg, &dropped)) < 0 && rc >= 0)
		rc = rt_ctx_error(ctx, drop_rc, "the scratch database was left behind: %s",
				  dropped.ptr);
	rt_url_release(&sd->url);
	rt_buf_release(&dropped);
	free(sd->raw);
	memset(sd, 0, sizeof(*sd));
	return rc;
}

/* The model run in a scratch database of its own made on `base`, in the
 * schema `schema` it names, read back and the database dropped. */
static int model_in_own_db(rt_schema *out, retort *ctx, const rt_driver *drv,
			   const rt_scratch_server *base, const rt_model_src *model,
			   const char *schema)
{
	scratch_db sd;
	rt_conn *conn = NULL;
	int rc;

	if ((rc = scratch_make(&sd, ctx, drv, base)) < 0)
		return rt_ctx_error_prefix(ctx, rc, "the model names the schema '%s' or creates "
					   "extensions, so it is run in a scratch database of its "
					   "own, made on '%s' (set dev_url to a server where retort "
					   "may create databases): ", schema, base->url.masked);
	if ((rc = drv->connect(&conn, &sd.url, &ctx->cfg, &ctx->err)) >= 0) {
		if ((rc = drv->model_schema(conn, schema, 1, &ctx->err)) >= 0 &&
		    (rc = run_model_once(ctx, drv, conn, model)) >= 0)
			rc = introspect(out, ctx, drv, conn, schema);
		drv->close(conn);
	}
	return scratch_done(&sd, ctx, drv, base, rc);
}

/* The model of `drv`'s dialect, run in a scratch database of that
 * dialect: the driver's own (SQLite in memory); or a schema made inside a
 * transaction that is rolled back on `base`; or, for a model that names
 * its schema or its extensions (pg_dump's output), a database of its own
 * made on `base`.  *extensions_known is 0 when the model could not say
 * which extensions the database has (the scratch schema sees the
 * database's). */
static int desired_model(rt_schema *out, int *extensions_known, retort *ctx,
			 const rt_driver *drv, const rt_scratch_server *base)
{
	rt_model_src model = { 0 };
	rt_url scratch_url = { 0 };
	rt_conn *conn = NULL;
	rt_buf name = RT_BUF_INIT;
	char *target = NULL;
	int rc, in_tx = 0;

	*extensions_known = 1;
	if ((rc = rt_model_source(&model, ctx, drv->name)) < 0)
		goto done;
	if (drv->model_url) {
		filter_model(&model, drv, NULL);
		if ((rc = rt_url_parse(&scratch_url, drv->model_url, ctx->cfg.dir, &ctx->err)) < 0 ||
		    (rc = drv->connect(&conn, &scratch_url, &ctx->cfg, &ctx->err)) < 0 ||
		    (rc = run_model(ctx, drv, conn, &model)) < 0)
			goto done;
		rc = introspect(out, ctx, drv, conn, NULL);
		goto done;
	}
	if ((rc = drv->connect(&conn, &base->url, &ctx->cfg, &ctx->err)) < 0 ||
	    (rc = drv->model_target(conn, &target, &ctx->err)) < 0)
		goto done;
	if (filter_model(&model, drv, target)) {
		drv->close(conn);
		conn = NULL;
		rc = model_in_own_db(out, ctx, drv, base, &model, target);
		goto done;
	}
	*extensions_known = 0;
	if ((rc = drv->begin(conn, &ctx->err)) < 0)
		goto done;
	in_tx = 1;
	rt_buf_printf(&name, "retort_scratch_%ld", (long)getpid());
	if ((rc = drv->model_schema(conn, name.ptr, 0, &ctx->err)) < 0) {
		rt_ctx_error_prefix(ctx, rc, "cannot make a scratch schema on '%s' for the model (set "
				    "dev_url to a database where retort may create one): ",
				    base->url.masked);
		goto done;
	}
	if ((rc = run_model(ctx, drv, conn, &model)) < 0)
		goto done;
	rc = introspect(out, ctx, drv, conn, name.ptr);
done:
	if (conn) {
		if (in_tx)
			drv->rollback(conn);
		drv->close(conn);
	}
	rt_url_release(&scratch_url);
	rt_model_src_release(&model);
	rt_buf_release(&name);
	free(target);
	return rc;
}

/* The schema the project's migrations give on `drv`'s dialect: every
 * revision up to the heads run through the ordinary runner on a scratch
 * database made on `base` (or the driver's own kind of scratch), read
 * back, and the scratch database dropped. */
static int replayed_model(rt_schema *out, retort *ctx, const rt_driver *drv,
			  const rt_scratch_server *base)
{
	scratch_db sd;
	rt_ctx_pointed saved;
	rt_conn *conn = NULL;
	int rc;

	if ((rc = scratch_make(&sd, ctx, drv, base)) < 0)
		return rt_ctx_error_prefix(ctx, rc, "cannot make a scratch %s database to replay "
					   "the migrations on: ", drv->name);
	rt_ctx_point(ctx, sd.raw, &saved);
	rc = retort_upgrade(ctx, "heads", NULL);
	rt_ctx_unpoint(ctx, &saved);
	if (rc < 0)
		rt_ctx_error_prefix(ctx, rc, "replaying the migrations on a scratch %s database "
				    "failed (each revision needs SQL %s accepts: a section for "
				    "it, or a plain one both dialects take): ", drv->name, drv->name);
	else if ((rc = drv->connect(&conn, &sd.url, &ctx->cfg, &ctx->err)) >= 0) {
		rc = introspect(out, ctx, drv, conn, NULL);
		drv->close(conn);
	}
	return scratch_done(&sd, ctx, drv, base, rc);
}

/* The database's model, read through a connection of its own; `err`
 * and `out` are the only things written, so that it can run on a thread
 * of its own (live_start). */
typedef struct live_read {
	const rt_driver *drv;
	const rt_url *url;
	const rt_config *cfg;
	rt_schema *out;
	rt_buf err;
	int rc;
	pthread_t thread;
	int threaded;
} live_read;

static void *read_live(void *arg)
{
	live_read *r = arg;
	rt_conn *conn = NULL;

	if ((r->rc = r->drv->connect(&conn, r->url, r->cfg, &r->err)) >= 0) {
		r->rc = read_schema(r->out, r->drv, conn, NULL, r->cfg, &r->err);
		r->drv->close(conn);
	}
	return NULL;
}

/* Start reading the database's model.  With `beside`, a model is built
 * next, and where that is done on a server (PostgreSQL's scratch database
 * or schema) the reading runs on a thread of its own meanwhile, so that
 * the two take the time of the longer, not of both: the scratch database
 * alone (CREATE DATABASE) takes longer than reading Synapse's 150 tables.
 * Otherwise, or when no thread can be had, it is done at once. */
static int live_start(live_read *r, rt_schema *out, retort *ctx, const rt_driver **drv, rt_url *url,
		      int beside)
{
	int rc;

	memset(r, 0, sizeof(*r));
	rt_buf_init(&r->err);
	if ((rc = rt_ctx_url(url, ctx)) < 0)
		return rc;
	if ((rc = rt_driver_for(drv, url->scheme, &ctx->err)) < 0)
		return rc;
	r->drv = *drv;
	r->url = url;
	r->cfg = &ctx->cfg;
	r->out = out;
	if (beside && !(*drv)->model_url && pthread_create(&r->thread, NULL, read_live, r) == 0)
		r->threaded = 1;
	else
		read_live(r);
	return 0;
}

/* Wait for live_start's reading: its error, when it failed, comes first,
 * as when the database was read before the model was built; else `rc`. */
static int live_finish(live_read *r, retort *ctx, int rc)
{
	if (r->threaded)
		pthread_join(r->thread, NULL);
	r->threaded = 0;
	if (r->drv && r->rc < 0)
		rc = rt_ctx_error(ctx, r->rc, "%s", r->err.ptr);
	rt_buf_release(&r->err);
	return rc;
}

/* The database's model. */
static int current_model(rt_schema *out, retort *ctx, const rt_driver **drv, rt_url *url)
{
	live_read r;

	return live_finish(&r, ctx, live_start(&r, out, ctx, drv, url, 0));
}

/* Autogenerate compares the model with the database at its head: a
 * database behind would make the new revision repeat what is pending. */
static int at_head(retort *ctx)
{
	retort_strarray cur = { NULL, 0 };
	size_t pending = 0;
	int rc;

	if ((rc = retort_pending(&cur, &pending, ctx, "heads")) < 0)
		return rc;
	retort_strarray_release(&cur);
	if (pending)
		return rt_ctx_error(ctx, RETORT_ECONFLICT,
				    "the database is not up to date: %zu migration%s to the head "
				    "%s not applied; run 'retort upgrade heads' first",
				    pending, pending == 1 ? "" : "s", pending == 1 ? "is" : "are");
	return 0;
}

/* ---- the public calls ----------------------------------------------------------- */

void retort_autogen_release(retort_autogen *ag)
{
	if (!ag)
		return;
	free(ag->upgrade_sql);
	free(ag->downgrade_sql);
	free(ag->upgrade_options);
	free(ag->downgrade_options);
	retort_strarray_release(&ag->operations);
	retort_strarray_release(&ag->warnings);
	memset(ag, 0, sizeof(*ag));
}

static int give_list(retort_strarray *out, rt_strlist *l)
{
	out->strings = l->items;
	out->count = l->count;
	memset(l, 0, sizeof(*l));
	return 0;
}

/* The two sides for one dialect.  The database's own dialect (`live`):
 * the database itself against the model built beside it.  Any other, or
 * offline: the project's migrations replayed on a scratch database of
 * that dialect against the model, both built without the database. */
static int sides(rt_schema *cur, rt_schema *want, const rt_driver **drv, retort *ctx,
		 const char *dialect, int live)
{
	rt_scratch_server base = { 0 };
	rt_url url = { 0 };
	live_read r;
	int rc, known = 1;

	if (live)
		rc = live_start(&r, cur, ctx, drv, &url, 1);
	else
		rc = rt_driver_named(drv, dialect, &ctx->err);
	if (rc >= 0)
		rc = rt_scratch_server_for(&base, ctx, *drv, live ? 0 : RT_SCRATCH_NO_URL);
	if (rc >= 0 && !live)
		rc = replayed_model(cur, ctx, *drv, &base);
	if (rc >= 0)
		rc = desired_model(want, &known, ctx, *drv, &base);
	if (live)
		rc = live_finish(&r, ctx, rc);
	/* a model run in the scratch schema says nothing of extensions: the
	 * database keeps the ones it has */
	if (rc >= 0 && !known && rt_schema_copy_extensions(want, cur) < 0)
		rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	rt_scratch_server_release(&base);
	rt_url_release(&url);
	return rc;
}

/* Diff one dialect's sides into `out`: the SQL both ways, the options
 * its sections need, the operations and the warnings. */
static int compare_dialect(retort_autogen *out, retort *ctx, const char *dialect, int live,
			   const rt_rename *renames, size_t nren)
{
	rt_schema cur = { 0 }, want = { 0 };
	rt_diff up = { 0 }, down = { 0 };
	const rt_driver *drv = NULL;
	rt_buf upsql = RT_BUF_INIT, downsql = RT_BUF_INIT, line = RT_BUF_INIT;
	rt_strlist ops = { 0 };
	size_t i;
	int rc = 0, fk_up = 0, fk_down = 0;

	memset(out, 0, sizeof(*out));
	if ((rc = sides(&cur, &want, &drv, ctx, dialect, live)) < 0)
		goto done;
	if ((rc = rt_diff_schemas(&up, &cur, &want, renames, nren, 0, &ctx->err)) < 0 ||
	    (rc = rt_diff_schemas(&down, &want, &cur, renames, nren, 1, &ctx->err)) < 0 ||
	    (rc = rt_render(&upsql, &up, drv->renderer, &fk_up, &ctx->err)) < 0 ||
	    (rc = rt_render(&downsql, &down, drv->renderer, &fk_down, &ctx->err)) < 0)
		goto done;
	for (i = 0; i < up.nops; i++) {
		rt_buf_clear(&line);
		rt_op_describe(&line, &up.ops[i]);
		if (rt_strlist_add(&ops, line.ptr) < 0)
			break;
	}
	if (i < up.nops || rt_buf_oom(&upsql) || rt_buf_oom(&downsql)) {
		rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
		goto done;
	}
	out->upgrade_sql = rt_buf_detach(&upsql);
	out->downgrade_sql = rt_buf_detach(&downsql);
	out->upgrade_options = rt_strdup(fk_up ? "foreign_keys=off" : "");
	out->downgrade_options = rt_strdup(fk_down ? "foreign_keys=off" : "");
	give_list(&out->operations, &ops);
	give_list(&out->warnings, &up.warnings);
	if (!out->upgrade_sql || !out->downgrade_sql || !out->upgrade_options ||
	    !out->downgrade_options) {
		retort_autogen_release(out);
		rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	}
done:
	rt_strlist_release(&ops);
	rt_diff_release(&up);
	rt_diff_release(&down);
	rt_schema_release(&cur);
	rt_schema_release(&want);
	rt_buf_release(&upsql);
	rt_buf_release(&downsql);
	rt_buf_release(&line);
	return rc;
}

/* The renames of `opts`, parsed. */
static int parse_renames(rt_rename **out, retort *ctx, const retort_autogen_options *opts)
{
	size_t n = opts ? opts->nrenames : 0, i;
	int rc = 0;

	*out = NULL;
	if (n && !(*out = calloc(n, sizeof(**out))))
		return rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	for (i = 0; i < n && rc >= 0; i++)
		rc = rt_rename_parse(&(*out)[i], opts->renames[i], &ctx->err);
	return rc;
}

static void free_renames(rt_rename *renames, size_t n)
{
	size_t i;

	for (i = 0; renames && i < n; i++)
		rt_rename_release(&renames[i]);
	free(renames);
}

static int compare(retort_autogen *out, retort *ctx, const retort_autogen_options *opts,
		   int need_head)
{
	rt_rename *renames = NULL;
	size_t nren = opts ? opts->nrenames : 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rt_buf_clear(&ctx->err);
	if ((rc = RT_CTX_CHECK_OPTIONS(ctx, opts, RETORT_AUTOGEN_OPTIONS_VERSION,
				       "retort_autogen_options")) < 0)
		return rc;
	if ((rc = parse_renames(&renames, ctx, opts)) >= 0 && (!need_head || (rc = at_head(ctx)) >= 0))
		rc = compare_dialect(out, ctx, NULL, 1, renames, nren);
	free_renames(renames, nren);
	return rc;
}

int retort_autogenerate(retort_autogen *out, retort *ctx, const retort_autogen_options *opts)
{
	return compare(out, ctx, opts, 1);
}

int retort_check(retort_autogen *out, retort *ctx)
{
	return compare(out, ctx, NULL, 1);
}

void retort_autogen_set_release(retort_autogen_set *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->count; i++) {
		free(set->dialects[i].dialect);
		retort_autogen_release(&set->dialects[i].result);
	}
	free(set->dialects);
	memset(set, 0, sizeof(*set));
}

int retort_autogenerate_dialects(retort_autogen_set *out, retort *ctx,
				 const retort_autogen_options *opts)
{
	rt_rename *renames = NULL;
	rt_strlist dialects = { 0 };
	const rt_driver *live = NULL, *d;
	unsigned mask = 0;
	size_t nren = opts ? opts->nrenames : 0, i;
	int offline = opts && opts->version >= 2 && opts->offline, rc;

	memset(out, 0, sizeof(*out));
	rt_buf_clear(&ctx->err);
	if ((rc = RT_CTX_CHECK_OPTIONS(ctx, opts, RETORT_AUTOGEN_OPTIONS_VERSION,
				       "retort_autogen_options")) < 0)
		return rc;
	if ((rc = parse_renames(&renames, ctx, opts)) < 0 || (rc = rt_ctx_dialects(&mask, ctx)) < 0)
		goto done;
	for (i = 0; (d = rt_driver_at(i)) != NULL; i++)
		if ((mask & (1u << i)) && rt_strlist_add(&dialects, d->name) < 0) {
			rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
			goto done;
		}
	if (!offline) {
		rt_url url = { 0 };
		if ((rc = rt_ctx_url(&url, ctx)) >= 0)
			rc = rt_driver_for(&live, url.scheme, &ctx->err);
		rt_url_release(&url);
		if (rc < 0 || (rc = at_head(ctx)) < 0)
			goto done;
	}
	if (!dialects.count) {
		rc = rt_ctx_error(ctx, RETORT_EUSAGE, "no dialect to autogenerate for: set 'url' or "
				  "'dialects' in %s", ctx->cfg.path ? ctx->cfg.path : "retort.ini");
		goto done;
	}
	if (!(out->dialects = calloc(dialects.count, sizeof(*out->dialects)))) {
		rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
		goto done;
	}
	for (i = 0; i < dialects.count && rc >= 0; i++) {
		retort_autogen_dialect *one = &out->dialects[out->count];
		int is_live = live && !strcmp(live->name, dialects.items[i]);

		if (!(one->dialect = rt_strdup(dialects.items[i]))) {
			rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
			break;
		}
		out->count++;
		if ((rc = compare_dialect(&one->result, ctx, dialects.items[i], is_live, renames,
					  nren)) < 0 && dialects.count > 1)
			rt_ctx_error_prefix(ctx, rc, "%s: ", dialects.items[i]);
	}
done:
	if (rc < 0)
		retort_autogen_set_release(out);
	free_renames(renames, nren);
	rt_strlist_release(&dialects);
	return rc;
}

/* `s` written as SQL of `drv`'s dialect, as autogenerate would create it
 * from nothing. */
static int dump(char **out, retort *ctx, const rt_schema *s, const rt_driver *drv)
{
	rt_schema none = { 0 };
	rt_diff d = { 0 };
	rt_buf sql = RT_BUF_INIT;
	size_t i;
	int rc;

	if ((rc = rt_schema_init(&none, s->renderer)) < 0) {
		rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
		goto done;
	}
	if ((rc = rt_diff_schemas(&d, &none, s, NULL, 0, 0, &ctx->err)) < 0)
		goto done;
	/* the dump leaves out what is not modelled: it says so first */
	for (i = 0; i < d.warnings.count; i++)
		rt_buf_printf(&sql, "-- warning: %s\n", d.warnings.items[i]);
	if (d.warnings.count)
		rt_buf_puts(&sql, "\n");
	if ((rc = rt_render(&sql, &d, drv->renderer, NULL, &ctx->err)) < 0)
		goto done;
	if (!(*out = rt_buf_detach(&sql)))
		rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
done:
	rt_diff_release(&d);
	rt_schema_release(&none);
	rt_buf_release(&sql);
	return rc;
}

/* The formats of retort_schema_render, in the order of `enum format`. */
static const char *const formats[] = { "sql", "json", "mermaid", "dot", NULL };
enum format { FORMAT_SQL, FORMAT_JSON, FORMAT_MERMAID, FORMAT_DOT };

/* `s` in `format`; SQL of `drv`'s dialect. */
static int render(char **out, retort *ctx, const rt_schema *s, const rt_driver *drv,
		  int format, const char *source)
{
	rt_buf b = RT_BUF_INIT;
	int rc;

	if (format == FORMAT_SQL)
		return dump(out, ctx, s, drv);
	rc = format == FORMAT_JSON ? rt_schema_json(&b, s, source)
	     : format == FORMAT_MERMAID ? rt_schema_mermaid(&b, s) : rt_schema_dot(&b, s);
	if (rc < 0 || !(*out = rt_buf_detach(&b))) {
		rt_buf_release(&b);
		return rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	}
	return 0;
}

static int render_database(char **out, retort *ctx, int format, const char *dialect)
{
	rt_schema cur = { 0 };
	rt_url url = { 0 };
	const rt_driver *drv = NULL, *out_drv = NULL;
	int rc;

	if (dialect && (rc = rt_driver_named(&out_drv, dialect, &ctx->err)) < 0)
		return rc;
	if ((rc = current_model(&cur, ctx, &drv, &url)) >= 0)
		rc = render(out, ctx, &cur, out_drv ? out_drv : drv, format, "database");
	rt_schema_release(&cur);
	rt_url_release(&url);
	return rc;
}

static int render_model(char **out, retort *ctx, int format, const char *dialect)
{
	rt_scratch_server base = { 0 };
	rt_schema want = { 0 };
	rt_url url = { 0 };
	const rt_driver *drv = NULL;
	int rc, known;

	if (dialect)
		rc = rt_driver_named(&drv, dialect, &ctx->err);
	else if ((rc = rt_ctx_url(&url, ctx)) >= 0)
		rc = rt_driver_for(&drv, url.scheme, &ctx->err);
	if (rc >= 0 && (rc = rt_scratch_server_for(&base, ctx, drv, 0)) >= 0 &&
	    (rc = desired_model(&want, &known, ctx, drv, &base)) >= 0) {
		rt_schema none = { 0 };
		if (!known) /* the scratch schema saw the database's extensions */
			rt_schema_copy_extensions(&want, &none);
		rc = render(out, ctx, &want, drv, format, "model");
	}
	rt_schema_release(&want);
	rt_scratch_server_release(&base);
	rt_url_release(&url);
	return rc;
}

int retort_schema_render(char **out, retort *ctx, const char *format, const char *dialect,
			 unsigned int flags)
{
	int f;

	*out = NULL;
	rt_buf_clear(&ctx->err);
	for (f = 0; formats[f] && strcmp(formats[f], format ? format : "sql"); f++)
		;
	if (!formats[f])
		return rt_ctx_error(ctx, RETORT_EUSAGE, "unknown schema format '%s': sql, json, "
				    "mermaid or dot", format);
	if (flags & ~RETORT_SCHEMA_MODEL)
		return rt_ctx_error(ctx, RETORT_EUSAGE, "unknown flags 0x%x", flags);
	return flags & RETORT_SCHEMA_MODEL ? render_model(out, ctx, f, dialect)
					   : render_database(out, ctx, f, dialect);
}

int retort_schema_dump(char **out, retort *ctx, const char *dialect)
{
	return retort_schema_render(out, ctx, "sql", dialect, 0);
}

int retort_model_dump(char **out, retort *ctx, const char *dialect)
{
	return retort_schema_render(out, ctx, "sql", dialect, RETORT_SCHEMA_MODEL);
}

/* dot runs on a file of the source: rt_command_run gives a program
 * /dev/null for input */
int retort_dot_svg(char **out, retort *ctx, const char *dot_source)
{
	static const char *argv[] = { "dot", "-Tsvg", NULL, NULL };
	const char *tmpdir = getenv("TMPDIR");
	rt_command cmd = { 0 };
	rt_buf path = RT_BUF_INIT;
	const char *svg;
	int rc, fd = -1;

	*out = NULL;
	rt_buf_clear(&ctx->err);
	rt_buf_printf(&path, "%s/retort-dot-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (rt_buf_oom(&path) || (fd = mkstemp(path.ptr)) < 0) {
		rc = rt_ctx_error(ctx, RETORT_ERROR, "cannot make a file for dot: %s",
				  strerror(errno));
		goto done;
	}
	close(fd);
	if ((rc = rt_write_file(path.ptr, dot_source, strlen(dot_source), 0, &ctx->err)) < 0)
		goto done;
	argv[2] = path.ptr;
	cmd.argv = argv;
	if ((rc = rt_command_run(&cmd, &ctx->err)) < 0) {
		if (rc == RETORT_ENOTFOUND)
			rc = rt_ctx_error(ctx, RETORT_ENOTFOUND, "Graphviz's dot is not installed "
					  "(not found on PATH)");
	} else if (cmd.timed_out) {
		rc = rt_ctx_error(ctx, RETORT_ERROR, "dot did not finish within a minute");
	} else if (cmd.exit_status != 0) {
		cmd.err.ptr[strcspn(cmd.err.ptr, "\n")] = '\0';
		rc = rt_ctx_error(ctx, RETORT_ERROR, "dot failed: %s",
				  *cmd.err.ptr ? cmd.err.ptr : "no message");
	} else if (!(svg = strstr(cmd.out.ptr, "<svg"))) {
		rc = rt_ctx_error(ctx, RETORT_ERROR, "dot wrote no SVG");
	} else if (!(*out = rt_strdup(svg))) {
		rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	}
done:
	if (fd >= 0)
		unlink(path.ptr);
	rt_buf_release(&path);
	rt_command_release(&cmd);
	return rc;
}

int retort_write_file(retort *ctx, const char *path, const char *data, size_t len)
{
	rt_buf_clear(&ctx->err);
	return rt_write_file(path, data, len, 0, &ctx->err);
}
