/*
 * vtable.c - the version table's SQL (run.h): one row per current head,
 * as in Alembic, written by the runner into the database and by the
 * offline writer into a script alike; and retort_ensure_version, which
 * creates the tables and nothing else.
 */
#include "run.h"
#include "session.h"

void rt_vtable_name(rt_buf *out, const rt_driver *drv, const rt_config *cfg)
{
	if (cfg->version_table_schema && *cfg->version_table_schema) {
		drv->quote_ident(out, cfg->version_table_schema);
		rt_buf_putc(out, '.');
	}
	drv->quote_ident(out, cfg->version_table);
}

void rt_vtable_create_sql(rt_buf *out, const rt_driver *drv, const char *vt, const char *table)
{
	rt_buf pk = RT_BUF_INIT;

	rt_buf_printf(&pk, "%s_pkc", table);
	rt_buf_printf(out, "CREATE TABLE IF NOT EXISTS %s (version_num VARCHAR(32) NOT NULL, "
		      "CONSTRAINT ", vt);
	drv->quote_ident(out, pk.ptr);
	rt_buf_puts(out, " PRIMARY KEY (version_num));\n");
	rt_buf_release(&pk);
}

void rt_vtable_insert_sql(rt_buf *out, const char *vt, const char *id)
{
	rt_buf_printf(out, "INSERT INTO %s (version_num) VALUES ('%s');\n", vt, id);
}

void rt_vtable_delete_sql(rt_buf *out, const char *vt, const char *id)
{
	rt_buf_printf(out, "DELETE FROM %s WHERE version_num = '%s';\n", vt, id);
}

void rt_vtable_step_sql(rt_buf *out, const char *vt, const rt_plan_step_rows *st)
{
	size_t i;

	/* UPDATE where one row becomes another, as Alembic does */
	for (i = 0; i < st->gone.count || i < st->added.count; i++) {
		if (i < st->gone.count && i < st->added.count)
			rt_buf_printf(out, "UPDATE %s SET version_num = '%s' WHERE version_num = '%s';\n",
				      vt, st->added.items[i], st->gone.items[i]);
		else if (i < st->gone.count)
			rt_vtable_delete_sql(out, vt, st->gone.items[i]);
		else
			rt_vtable_insert_sql(out, vt, st->added.items[i]);
	}
}

/* The tables exist, as every run makes sure before it reads them: the
 * version table and the history table, in one transaction under the
 * run lock, or their DDL written as a script. */
int retort_ensure_version(retort *ctx, const retort_run_options *opts)
{
	int offline = opts && opts->offline;
	rt_buf ddl = RT_BUF_INIT;
	rt_session s;
	int rc;

	rt_buf_clear(&ctx->err);
	if ((rc = RT_CTX_CHECK_OPTIONS(ctx, opts, RETORT_RUN_OPTIONS_VERSION,
				       "retort_run_options")) < 0)
		return rc;
	if (offline && !opts->write)
		return rt_ctx_error(ctx, RETORT_EUSAGE, "an offline run needs a write function");
	rt_session_init(&s, ctx);
	if ((rc = rt_session_open(&s, offline ? 0 : RT_SESSION_LOCK)) < 0)
		goto done;
	if (offline)
		rt_buf_printf(&ddl, "-- retort %s: ensure_version (%s)\n", retort_version(),
			      s.drv->name);
	rt_vtable_create_sql(&ddl, s.drv, s.vt.ptr, ctx->cfg.version_table);
	rt_history_create_sql(&ddl, s.drv, s.ht.ptr);
	if (rt_buf_oom(&ddl)) {
		rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	} else if (offline) {
		if (opts->write(ddl.ptr, ddl.len, opts->write_payload) != 0)
			rc = rt_ctx_error(ctx, RETORT_ERROR, "writing the script failed");
	} else if ((rc = s.drv->begin(s.conn, &ctx->err)) >= 0) {
		if ((rc = s.drv->exec(s.conn, ddl.ptr, ddl.len, NULL, &ctx->err)) < 0 ||
		    (rc = s.drv->commit(s.conn, &ctx->err)) < 0)
			s.drv->rollback(s.conn);
		else
			rt_log_printf(rt_ctx_log(ctx), "ensure_version: %s and %s exist", s.vt.ptr,
				      s.ht.ptr);
	}
	if (rc < 0 && !offline)
		rt_ctx_error_prefix(ctx, rc, "cannot create the version table %s: ", s.vt.ptr);
done:
	rt_session_release(&s);
	rt_buf_release(&ddl);
	return rc;
}
