/*
 * session.c - the database end of a command (session.h).
 */
#include <string.h>

#include "session.h"
#include "run.h"

void rt_session_init(rt_session *s, retort *ctx)
{
	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	rt_buf_init(&s->vt);
	rt_buf_init(&s->ht);
}

/* The URL, its driver and the table names: every session's first step. */
static int pick_driver(rt_session *s)
{
	retort *ctx = s->ctx;
	int rc;

	if (s->drv)
		return 0;
	rt_url_release(&s->url);
	if (ctx->conn_handle) { /* the program's connection: no URL */
		if (!(s->url.masked = rt_strdup("the program's connection")))
			return rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
		s->drv = ctx->conn_driver;
	} else if ((rc = rt_ctx_url(&s->url, ctx)) < 0 ||
		   (rc = rt_driver_for(&s->drv, s->url.scheme, &ctx->err)) < 0) {
		return rc;
	}
	rt_vtable_name(&s->vt, s->drv, &ctx->cfg);
	rt_history_name(&s->ht, s->drv, &ctx->cfg);
	return 0;
}

void rt_session_rows_sql(rt_session *s, rt_buf *out)
{
	rt_buf_printf(out, "SELECT version_num FROM %s", s->vt.ptr);
}

int rt_session_read_rows(rt_session *s, rt_strlist *out)
{
	rt_buf q = RT_BUF_INIT;
	int rc;

	rt_session_rows_sql(s, &q);
	rc = s->drv->query(s->conn, q.ptr, 1, out, &s->ctx->err);
	rt_buf_release(&q);
	return rc;
}

/* The version rows, none when there is no version table yet. */
static int read_rows(rt_session *s)
{
	const rt_config *cfg = &s->ctx->cfg;
	int exists = 0, rc;

	rt_strlist_release(&s->rows);
	if ((rc = s->drv->table_exists(s->conn, cfg->version_table_schema, cfg->version_table,
				       &exists, &s->ctx->err)) < 0)
		return rc;
	return exists ? rt_session_read_rows(s, &s->rows) : 0;
}

/* The program's connection, the one lent to the runs, or a new one. */
static int open_conn(rt_session *s)
{
	retort *ctx = s->ctx;

	if (ctx->lent_conn) {
		s->conn = ctx->lent_conn;
		s->lent = 1;
		return s->drv->reset ? s->drv->reset(s->conn, &ctx->err) : 0;
	}
	if (ctx->conn_handle)
		return s->drv->adopt(&s->conn, ctx->conn_handle, &ctx->cfg, &ctx->err);
	return s->drv->connect(&s->conn, &s->url, &ctx->cfg, &ctx->err);
}

int rt_session_open(rt_session *s, unsigned int flags)
{
	retort *ctx = s->ctx;
	unsigned int want;
	int rc;

	if (flags & RT_SESSION_HISTORY)
		flags |= RT_SESSION_GRAPH;
	if (flags & (RT_SESSION_LOCK | RT_SESSION_ROWS | RT_SESSION_HISTORY))
		flags |= RT_SESSION_CONNECT;
	want = flags & ~s->done;
	if ((want & RT_SESSION_GRAPH) && (rc = rt_ctx_graph(&s->g, ctx)) < 0)
		return rc;
	s->done |= want & RT_SESSION_GRAPH;
	if ((rc = pick_driver(s)) < 0)
		return rc;
	if (want & RT_SESSION_CONNECT) {
		if ((rc = open_conn(s)) < 0)
			return rc;
		s->conn->on_wait = s->on_wait;
		s->conn->wait_payload = s->wait_payload;
		s->done |= RT_SESSION_CONNECT;
	}
	if (want & RT_SESSION_LOCK) {
		if ((rc = s->drv->lock(s->conn, ctx->cfg.version_table_schema,
				       ctx->cfg.version_table, ctx->cfg.lock_timeout,
				       &ctx->err)) < 0)
			return rc;
		s->done |= RT_SESSION_LOCK;
	}
	if (want & RT_SESSION_ROWS) {
		if ((rc = read_rows(s)) < 0)
			return rc;
		s->done |= RT_SESSION_ROWS;
	}
	if (want & RT_SESSION_HISTORY) {
		rt_history_release(&s->hist);
		if ((rc = rt_history_read(&s->hist, s->g, s->drv, s->conn, &ctx->cfg,
					  &ctx->err)) < 0)
			return rc;
		s->done |= RT_SESSION_HISTORY;
	}
	return 0;
}

void rt_session_release(rt_session *s)
{
	if (s->conn) {
		if ((s->done & RT_SESSION_LOCK) && s->drv->unlock)
			s->drv->unlock(s->conn);
		if (s->lent)
			s->conn->on_wait = NULL;
		else
			s->drv->close(s->conn);
	}
	rt_url_release(&s->url);
	rt_buf_release(&s->vt);
	rt_buf_release(&s->ht);
	rt_strlist_release(&s->rows);
	rt_history_release(&s->hist);
	memset(s, 0, sizeof(*s));
}
