/*
 * driver_sqlite.c - the SQLite driver.  Statements are split by SQLite
 * itself (prepare with tail), so triggers, strings and comments holding ';'
 * need no scanner of ours.  Runs are serialised by BEGIN IMMEDIATE: the
 * write lock is held from the transaction's first statement, and the busy
 * handler waits up to lock_timeout for another process to finish.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "introspect.h"
#ifdef RETORT_WITH_PG
#include "pgapi.h"
#endif
#include "safety.h"

typedef struct {
	rt_conn base;
	sqlite3 *db;
	double lock_timeout;
	double wait_start;
} sqlite_conn;

/* SQLite's busy handler: sleep with a growing step until lock_timeout,
 * telling the runner once that we wait for another process. */
static int busy(void *arg, int count)
{
	static const int steps_ms[] = { 1, 2, 5, 10, 15, 20, 25, 25, 50, 50, 100 };
	sqlite_conn *c = arg;
	int step = steps_ms[count < 11 ? count : 10];
	double now = rt_now_ms();

	if (count == 0) {
		c->wait_start = now;
		if (c->base.on_wait)
			c->base.on_wait(c->base.wait_payload);
	}
	if (now - c->wait_start >= c->lock_timeout * 1000)
		return 0;
	sqlite3_sleep(step);
	return 1;
}

static int db_error(sqlite_conn *c, rt_buf *err, const char *doing)
{
	int code = sqlite3_extended_errcode(c->db);

	if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
		return rt_error(err, RETORT_EBUSY,
				"%s: the database is locked by another process "
				"(waited %.0f s, see lock_timeout)", doing, c->lock_timeout);
	return rt_error(err, RETORT_ERROR, "%s: %s", doing, sqlite3_errmsg(c->db));
}

static int sq_connect(rt_conn **out, const rt_url *url, const rt_config *cfg, rt_buf *err)
{
	sqlite_conn *c = calloc(1, sizeof(*c));
	const char *path = url->memory ? ":memory:" : url->path;
	int rc;

	*out = NULL;
	if (!c)
		return rt_error(err, RETORT_ERROR, "out of memory");
	c->base.driver = &rt_driver_sqlite;
	c->lock_timeout = cfg->lock_timeout;
	rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rt_error(err, RETORT_ERROR, "cannot open SQLite database '%s': %s", path,
			 c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		sqlite3_close(c->db);
		free(c);
		return RETORT_ERROR;
	}
	sqlite3_busy_handler(c->db, busy, c);
	sqlite3_extended_result_codes(c->db, 1);
	*out = &c->base;
	return 0;
}

static void sq_close(rt_conn *conn)
{
	sqlite_conn *c = (sqlite_conn *)conn;

	if (!c)
		return;
	sqlite3_close_v2(c->db);
	free(c);
}

static int simple(sqlite_conn *c, const char *sql, rt_buf *err, const char *doing)
{
	if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(c, err, doing);
	return 0;
}

static int sq_begin(rt_conn *conn, rt_buf *err)
{
	return simple((sqlite_conn *)conn, "BEGIN IMMEDIATE", err, "cannot start a transaction");
}

static int sq_commit(rt_conn *conn, rt_buf *err)
{
	return simple((sqlite_conn *)conn, "COMMIT", err, "cannot commit");
}

static void sq_rollback(rt_conn *conn)
{
	sqlite_conn *c = (sqlite_conn *)conn;

	/* some errors (I/O, full disk) roll back on their own */
	if (!sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

/* End of the statement starting at `start`, found without preparing it
 * (an applied CREATE would not prepare again): the first ';' up to which
 * the text is a complete statement. */
static size_t statement_end(const char *sql, size_t start, size_t len)
{
	rt_buf text = RT_BUF_INIT;
	size_t i;

	for (i = start; i < len; i++) {
		if (sql[i] != ';')
			continue;
		rt_buf_clear(&text);
		rt_buf_put(&text, sql + start, i + 1 - start);
		if (sqlite3_complete(text.ptr))
			break;
	}
	rt_buf_release(&text);
	return i < len ? i + 1 : len;
}

static int sq_exec(rt_conn *conn, const char *sql, size_t len, rt_exec_fail *fail, rt_buf *err)
{
	sqlite_conn *c = (sqlite_conn *)conn;
	size_t off = 0, skip = fail ? fail->skip : 0;

	if (fail) {
		fail->applied = 0;
		fail->error_at = (size_t)-1;
	}
	while (off < len) {
		sqlite3_stmt *st = NULL;
		const char *tail = NULL;
		size_t start = rt_sql_skip_blank(sql, off, len);
		int rc;

		if (start >= len)
			break;
		if (skip) { /* applied by an earlier, failed run */
			skip--;
			fail->applied++;
			rt_strlist_addn(&fail->done, sql + start, strcspn(sql + start, "\n"));
			off = statement_end(sql, start, len);
			continue;
		}
		rc = sqlite3_prepare_v2(c->db, sql + start, (int)(len - start), &st, &tail);
		if (rc == SQLITE_OK && st) {
			while ((rc = sqlite3_step(st)) == SQLITE_ROW)
				;
			if (rc == SQLITE_DONE)
				rc = SQLITE_OK;
		}
		if (rc != SQLITE_OK) {
			int at = sqlite3_error_offset(c->db);
			if (fail) {
				fail->offset = start;
				fail->error_at = at >= 0 ? start + (size_t)at : (size_t)-1;
			}
			rt_error(err, (rc & 0xff) == SQLITE_BUSY ? RETORT_EBUSY : RETORT_ERROR,
				 "%s", sqlite3_errmsg(c->db));
			sqlite3_finalize(st);
			return (rc & 0xff) == SQLITE_BUSY ? RETORT_EBUSY : RETORT_ERROR;
		}
		sqlite3_finalize(st);
		if (fail && st) {
			fail->applied++;
			rt_strlist_addn(&fail->done, sql + start, strcspn(sql + start, "\n"));
		}
		off = tail ? (size_t)(tail - sql) : len;
	}
	return 0;
}

static int sq_query(rt_conn *conn, const char *sql, int ncols, rt_strlist *out, rt_buf *err)
{
	sqlite_conn *c = (sqlite_conn *)conn;
	sqlite3_stmt *st = NULL;
	int rc, i;

	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(c, err, "cannot read the database");
	if (sqlite3_column_count(st) < ncols) {
		sqlite3_finalize(st);
		return rt_error(err, RETORT_EUSAGE, "the query returns %d columns, not %d",
				sqlite3_column_count(st), ncols);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < ncols; i++) {
			const unsigned char *v = sqlite3_column_text(st, i);
			if (rt_strlist_add(out, v ? (const char *)v : "") < 0) {
				sqlite3_finalize(st);
				return rt_error(err, RETORT_ERROR, "out of memory");
			}
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(c, err, "cannot read the database");
	return 0;
}

static int sq_table_exists(rt_conn *conn, const char *schema, const char *name, int *out,
			   rt_buf *err)
{
	sqlite_conn *c = (sqlite_conn *)conn;
	sqlite3_stmt *st = NULL;
	char *sql;
	int rc;

	sql = sqlite3_mprintf("SELECT 1 FROM \"%w\".sqlite_master WHERE type = 'table' "
			      "AND name = ?1", schema ? schema : "main");
	if (!sql)
		return rt_error(err, RETORT_ERROR, "out of memory");
	rc = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK)
		return db_error(c, err, "cannot read the database");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(c, err, "cannot read the database");
	*out = rc == SQLITE_ROW;
	return 0;
}

static int sq_terminated(const char *sql)
{
	/* true when the text ends with a whole, semicolon-terminated
	 * statement (trailing comments allowed) */
	return sqlite3_complete(sql);
}

int rt_sqlite_global_init(void)
{
	/* SQLITE_MISUSE once SQLite is initialised: the setting stays as it is */
	return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK ? 0 : RETORT_ERROR;
}

struct sqlite3 *rt_sqlite_handle(rt_conn *conn)
{
	return ((sqlite_conn *)conn)->db;
}

/* PRAGMA foreign_keys is a no-op inside a transaction: refuse there. */
static int sq_foreign_keys(rt_conn *conn, int on, int *was, rt_buf *err)
{
	sqlite_conn *c = (sqlite_conn *)conn;
	sqlite3_stmt *st = NULL;

	if (!sqlite3_get_autocommit(c->db))
		return rt_error(err, RETORT_ERROR,
				"cannot switch foreign keys %s inside a transaction", on ? "on" : "off");
	if (was) {
		if (sqlite3_prepare_v2(c->db, "PRAGMA foreign_keys", -1, &st, NULL) != SQLITE_OK)
			return db_error(c, err, "cannot read PRAGMA foreign_keys");
		*was = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	return simple(c, on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF", err,
		      "cannot switch foreign keys");
}

static int sq_foreign_key_check(rt_conn *conn, rt_buf *err)
{
	sqlite_conn *c = (sqlite_conn *)conn;
	sqlite3_stmt *st = NULL;
	long rows = 0;
	int rc;

	if (sqlite3_prepare_v2(c->db, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK)
		return db_error(c, err, "cannot run PRAGMA foreign_key_check");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!rows++)
			rt_error(err, RETORT_ERROR,
				 "foreign key check failed: row %lld of table '%s' refers to a "
				 "missing row of '%s'", sqlite3_column_int64(st, 1),
				 (const char *)sqlite3_column_text(st, 0),
				 (const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(c, err, "cannot run PRAGMA foreign_key_check");
	if (rows > 1)
		rt_buf_printf(err, " (and %ld more)", rows - 1);
	return rows ? RETORT_ERROR : 0;
}

const rt_driver rt_driver_sqlite = {
	/* version */      4,
	/* name */         "sqlite",
	/* scheme */       "sqlite",
	/* connect */      sq_connect,
	/* close */        sq_close,
	/* lock */         NULL,
	/* unlock */       NULL,
	/* begin */        sq_begin,
	/* commit */       sq_commit,
	/* rollback */     sq_rollback,
	/* exec */         sq_exec,
	/* query */        sq_query,
	/* table_exists */ sq_table_exists,
	/* terminated */   sq_terminated,
	/* quote_ident */  rt_sql_quote_ident,
	/* introspect */   rt_introspect_sqlite,
	/* foreign_keys */ sq_foreign_keys,
	/* foreign_key_check */ sq_foreign_key_check,
	/* backup */       rt_sqlite_backup,
	/* restore */      rt_sqlite_restore,
	/* fingerprint */  rt_sqlite_fingerprint,
	/* scratch_create */ rt_sqlite_scratch_create,
	/* scratch_drop */ rt_sqlite_scratch_drop,
	/* auto_id */      "INTEGER PRIMARY KEY", /* the rowid: MAX + 1 */
};

int rt_driver_for(const rt_driver **out, const char *scheme, rt_buf *err)
{
	*out = NULL;
	if (!strcmp(scheme, rt_driver_sqlite.scheme)) {
		*out = &rt_driver_sqlite;
		return 0;
	}
#ifdef RETORT_WITH_PG
	if (!strcmp(scheme, rt_driver_pg.scheme)) {
		if (rt_pq_open(err) < 0 || rt_pg_query_open(err) < 0)
			return RETORT_ERROR;
		*out = &rt_driver_pg;
		return 0;
	}
#endif
	return rt_error(err, RETORT_ERROR, "no driver for '%s' URLs in this build", scheme);
}
