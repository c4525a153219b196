/*
 * autogen.c - autogenerate, check and schema dump: the database's schema
 * (introspected) against the model (the `schema` files of retort.ini,
 * executed in a scratch database and introspected the same way).
 *
 * The scratch database is an in-memory one for SQLite; for PostgreSQL a
 * schema made inside a transaction that is rolled back, on the database
 * itself or on `dev_url` when the config names one, so nothing is ever
 * left behind.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctx.h"
#include "diff.h"

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

static int introspect(rt_schema *out, retort *ctx, const rt_driver *drv, rt_conn *conn,
		      const char *schema)
{
	int rc;

	if (!drv->introspect)
		return rt_ctx_error(ctx, RETORT_ERROR,
				    "the %s driver cannot read a database's schema", drv->name);
	if ((rc = drv->introspect(conn, schema, out, &ctx->err)) < 0)
		return rc;
	drop_own_tables(out, &ctx->cfg);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The schema files: `schema` itself, or the .sql files of that folder in
 * name order. */
static int schema_files(rt_strlist *out, retort *ctx)
{
	const char *path = ctx->cfg.schema;
	struct stat st;
	DIR *dir;
	struct dirent *e;

	if (!path || !*path)
		return rt_ctx_error(ctx, RETORT_EUSAGE,
				    "no 'schema' in %s: autogenerate and check compare the "
				    "database with the SQL files it names (schema = schema.sql)",
				    ctx->cfg.path ? ctx->cfg.path : "retort.ini");
	if (stat(path, &st) < 0)
		return rt_ctx_error(ctx, RETORT_ENOTFOUND, "cannot read the schema '%s': %s", path,
				    strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return rt_strlist_add(out, path) < 0 ? rt_ctx_error(ctx, RETORT_ERROR, "out of memory")
						     : 0;
	if (!(dir = opendir(path)))
		return rt_ctx_error(ctx, RETORT_ERROR, "cannot read the folder '%s': %s", path,
				    strerror(errno));
	while ((e = readdir(dir)) != NULL) {
		size_t n = strlen(e->d_name);
		char *full;
		if (n < 5 || strcmp(e->d_name + n - 4, ".sql") || e->d_name[0] == '.')
			continue;
		if (!(full = rt_path_join(path, e->d_name)) || rt_strlist_add(out, full) < 0) {
			free(full);
			closedir(dir);
			return rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
		}
		free(full);
	}
	closedir(dir);
	if (!out->count)
		return rt_ctx_error(ctx, RETORT_ENOTFOUND, "the schema folder '%s' has no .sql file",
				    path);
	qsort(out->items, out->count, sizeof(*out->items), by_name);
	return 0;
}

/* Run every schema file on the scratch connection; errors name file:line. */
static int run_files(retort *ctx, const rt_driver *drv, rt_conn *conn, const rt_strlist *files)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < files->count && rc >= 0; i++) {
		rt_exec_fail fail = { 0 };
		char *text = NULL;
		size_t len = 0;
		if ((rc = rt_read_file(&text, &len, files->items[i], &ctx->err)) < 0)
			break;
		if ((rc = drv->exec(conn, text, len, &fail, &ctx->err)) < 0) {
			size_t at = fail.error_at != (size_t)-1 ? fail.error_at : fail.offset, k;
			int line = 1;
			for (k = 0; k < at && k < len; k++)
				line += text[k] == '\n';
			rt_ctx_error_prefix(ctx, rc, "the schema file %s:%d does not run: ",
					    files->items[i], line);
		}
		rt_strlist_release(&fail.done);
		free(text);
	}
	return rc;
}

/* The model: the schema files run in a scratch database of the same
 * kind as `url`'s. */
static int desired_model(rt_schema *out, retort *ctx, const rt_driver *drv, const rt_url *url)
{
	rt_strlist files = { 0 };
	rt_url scratch_url = { 0 };
	rt_conn *conn = NULL;
	rt_buf name = RT_BUF_INIT;
	const char *dev = rt_config_get(&ctx->cfg, "retort", "dev_url");
	int rc, in_tx = 0;

	if ((rc = schema_files(&files, ctx)) < 0)
		goto done;
	if (drv->model_url) {
		if ((rc = rt_url_parse(&scratch_url, drv->model_url, ctx->cfg.dir, &ctx->err)) < 0 ||
		    (rc = drv->connect(&conn, &scratch_url, &ctx->cfg, &ctx->err)) < 0 ||
		    (rc = run_files(ctx, drv, conn, &files)) < 0)
			goto done;
		rc = introspect(out, ctx, drv, conn, NULL);
		goto done;
	}
	/* a schema of its own inside a transaction that is rolled back */
	if (dev && *dev) {
		if ((rc = rt_url_parse(&scratch_url, dev, ctx->cfg.dir, &ctx->err)) < 0)
			goto done;
		if (strcmp(scratch_url.scheme, url->scheme)) {
			rc = rt_ctx_error(ctx, RETORT_EUSAGE,
					  "dev_url '%s' is not a %s database like the url", scratch_url.masked,
					  drv->name);
			goto done;
		}
		url = &scratch_url;
	}
	if ((rc = drv->connect(&conn, url, &ctx->cfg, &ctx->err)) < 0 ||
	    (rc = drv->begin(conn, &ctx->err)) < 0)
		goto done;
	in_tx = 1;
	rt_buf_printf(&name, "retort_scratch_%ld", (long)getpid());
	if ((rc = drv->model_schema(conn, name.ptr, &ctx->err)) < 0) {
		rt_ctx_error_prefix(ctx, rc, "cannot make a scratch schema on '%s' for the model (set "
				    "dev_url to a database where retort may create one): ", url->masked);
		goto done;
	}
	if ((rc = run_files(ctx, drv, conn, &files)) < 0)
		goto done;
	rc = introspect(out, ctx, drv, conn, name.ptr);
done:
	if (conn) {
		if (in_tx)
			drv->rollback(conn);
		drv->close(conn);
	}
	rt_url_release(&scratch_url);
	rt_strlist_release(&files);
	rt_buf_release(&name);
	return rc;
}

/* The database's model. */
static int current_model(rt_schema *out, retort *ctx, const rt_driver **drv, rt_url *url)
{
	rt_conn *conn = NULL;
	int rc;

	if ((rc = rt_ctx_url(url, ctx)) < 0)
		return rc;
	if ((rc = rt_driver_for(drv, url->scheme, &ctx->err)) < 0)
		return rc;
	if ((rc = (*drv)->connect(&conn, url, &ctx->cfg, &ctx->err)) < 0)
		return rc;
	rc = introspect(out, ctx, *drv, conn, NULL);
	(*drv)->close(conn);
	return rc;
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

static int compare(retort_autogen *out, retort *ctx, const retort_autogen_options *opts,
		   int need_head)
{
	rt_schema cur = { 0 }, want = { 0 };
	rt_diff up = { 0 }, down = { 0 };
	rt_rename *renames = NULL;
	rt_url url = { 0 };
	const rt_driver *drv = NULL;
	rt_buf upsql = RT_BUF_INIT, downsql = RT_BUF_INIT, line = RT_BUF_INIT;
	rt_strlist ops = { 0 };
	size_t nren = opts ? opts->nrenames : 0, i;
	int rc = 0, fk_up = 0, fk_down = 0;

	memset(out, 0, sizeof(*out));
	rt_buf_clear(&ctx->err);
	if ((rc = RT_CTX_CHECK_OPTIONS(ctx, opts, RETORT_AUTOGEN_OPTIONS_VERSION,
				       "retort_autogen_options")) < 0)
		return rc;
	if (nren && !(renames = calloc(nren, sizeof(*renames))))
		return rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	for (i = 0; i < nren && rc >= 0; i++)
		rc = rt_rename_parse(&renames[i], opts->renames[i], &ctx->err);
	if (rc < 0)
		goto done;
	if (need_head && (rc = at_head(ctx)) < 0)
		goto done;
	if ((rc = current_model(&cur, ctx, &drv, &url)) < 0 ||
	    (rc = desired_model(&want, ctx, drv, &url)) < 0)
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
	for (i = 0; renames && i < nren; i++)
		rt_rename_release(&renames[i]);
	free(renames);
	rt_strlist_release(&ops);
	rt_diff_release(&up);
	rt_diff_release(&down);
	rt_schema_release(&cur);
	rt_schema_release(&want);
	rt_url_release(&url);
	rt_buf_release(&upsql);
	rt_buf_release(&downsql);
	rt_buf_release(&line);
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

int retort_schema_dump(char **out, retort *ctx, const char *dialect)
{
	rt_schema cur = { 0 }, none = { 0 };
	rt_diff d = { 0 };
	rt_url url = { 0 };
	const rt_driver *drv = NULL, *out_drv = NULL;
	rt_buf sql = RT_BUF_INIT;
	int rc;

	*out = NULL;
	rt_buf_clear(&ctx->err);
	if (dialect && (rc = rt_driver_named(&out_drv, dialect, &ctx->err)) < 0)
		return rc;
	if ((rc = current_model(&cur, ctx, &drv, &url)) < 0)
		goto done;
	if ((rc = rt_schema_init(&none, cur.renderer)) < 0) {
		rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
		goto done;
	}
	if ((rc = rt_diff_schemas(&d, &none, &cur, NULL, 0, 0, &ctx->err)) < 0 ||
	    (rc = rt_render(&sql, &d, (out_drv ? out_drv : drv)->renderer, NULL, &ctx->err)) < 0)
		goto done;
	*out = rt_buf_detach(&sql);
	if (!*out)
		rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
done:
	rt_diff_release(&d);
	rt_schema_release(&cur);
	rt_schema_release(&none);
	rt_url_release(&url);
	rt_buf_release(&sql);
	return rc;
}
