/*
 * driver_sqlite.c - the SQLite driver.  Statements are split by SQLite
 * itself (prepare with tail), so triggers, strings and comments holding ';'
 * need no scanner of ours.
 *
 * Runs are serialised by a lock file beside the database, "<db>-retort-lock",
 * held with flock() from before the run reads the version table to its
 * end.  BEGIN IMMEDIATE alone is not enough: a run commits between
 * migrations and runs transaction=false sections and foreign_keys=off
 * switches outside any transaction, and another run must not plan in
 * those gaps.  flock() dies with its process (kill -9 never leaves it
 * held), works between the threads of one process (each opens the file
 * itself), and the file says who holds it, for the timeout message.  The
 * busy handler still waits up to lock_timeout for programs that write the
 * database without retort.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diff.h"
#include "introspect.h"
#include "safety.h"

typedef struct {
	rt_conn base;
	sqlite3 *db;
	double lock_timeout;
	double wait_start;
	char *path;       /* the database file; NULL in memory */
	int lock_fd;      /* the lock file while held, else -1 */
	int borrowed;     /* the program's handle (adopt): never closed */
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
	c->lock_fd = -1;
	if (!url->memory && !(c->path = rt_strdup(path))) {
		free(c);
		return rt_error(err, RETORT_ERROR, "out of memory");
	}
	rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rt_error(err, RETORT_ECONNECT, "cannot open SQLite database '%s': %s", path,
			 c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		sqlite3_close(c->db);
		free(c->path);
		free(c);
		return RETORT_ECONNECT;
	}
	sqlite3_busy_handler(c->db, busy, c);
	sqlite3_extended_result_codes(c->db, 1);
	*out = &c->base;
	return 0;
}

static int sq_adopt(rt_conn **out, void *handle, const rt_config *cfg, rt_buf *err)
{
	sqlite_conn *c = calloc(1, sizeof(*c));
	const char *file;

	*out = NULL;
	if (!c)
		return rt_error(err, RETORT_ERROR, "out of memory");
	c->base.driver = &rt_driver_sqlite;
	c->db = handle;
	c->borrowed = 1;
	c->lock_timeout = cfg->lock_timeout;
	c->lock_fd = -1;
	/* the lock file goes beside the database's file ("" in memory) */
	file = sqlite3_db_filename(c->db, "main");
	if (file && *file && !(c->path = rt_strdup(file))) {
		free(c);
		return rt_error(err, RETORT_ERROR, "out of memory");
	}
	/* its own busy handler while retort runs; sq_close takes it off
	 * (SQLite cannot say which one the program had) */
	sqlite3_busy_handler(c->db, busy, c);
	*out = &c->base;
	return 0;
}

static void sq_close(rt_conn *conn)
{
	sqlite_conn *c = (sqlite_conn *)conn;

	if (!c)
		return;
	if (c->borrowed)
		sqlite3_busy_handler(c->db, NULL, NULL);
	else
		sqlite3_close_v2(c->db);
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	free(c->path);
	free(c);
}

/* Open the lock file and try to take it; 1 when held, 0 when another run
 * has it (*fd stays open to read who), < 0 on error. */
static int try_lock_file(int *fd, const char *lock_path, rt_buf *err)
{
	struct stat held, now;

	if (*fd < 0 &&
	    (*fd = open(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return rt_error(err, RETORT_ERROR, "cannot open the lock file '%s': %s", lock_path,
				strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		return rt_error(err, RETORT_ERROR, "cannot lock '%s': %s", lock_path,
				strerror(errno));
	}
	/* the holder before us may have removed the file after we opened it:
	 * a lock on a file no longer at the path serialises nothing */
	if (fstat(*fd, &held) == 0 && stat(lock_path, &now) == 0 && held.st_dev == now.st_dev &&
	    held.st_ino == now.st_ino)
		return 1;
	close(*fd);
	*fd = -1;
	return 0;
}

/* Say in the lock file who holds it. */
static void write_holder(int fd)
{
	char line[512], host[256] = "";
	time_t now = time(NULL);
	struct tm tm;
	int n;

	gethostname(host, sizeof(host) - 1);
	gmtime_r(&now, &tm);
	n = snprintf(line, sizeof(line), "pid %ld on %s since %04d-%02d-%02d %02d:%02d:%02d UTC\n",
		     (long)getpid(), *host ? host : "?", tm.tm_year + 1900, tm.tm_mon + 1,
		     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	/* write, then cut what a longer line before left: truncating to
	 * nothing first would have ext4 write the file out at close (its
	 * guard for files rewritten in place), a disk write per tenant of a
	 * fleet for a file that is removed at unlock */
	if (n > 0 && pwrite(fd, line, (size_t)n, 0) == n && ftruncate(fd, n) < 0)
		return; /* only the timeout message of another run loses */
}

static int sq_lock(rt_conn *conn, const char *schema, const char *table, double timeout,
		   rt_buf *err)
{
	sqlite_conn *c = (sqlite_conn *)conn;
	rt_buf lock_path = RT_BUF_INIT;
	double start = rt_now_ms();
	int fd = -1, rc, waited = 0;

	(void)schema;
	(void)table;
	if (!c->path || c->lock_fd >= 0)
		return 0; /* in memory: no other process can see it */
	rt_buf_printf(&lock_path, "%s-retort-lock", c->path);
	while ((rc = try_lock_file(&fd, lock_path.ptr, err)) == 0) {
		if (!waited++ && c->base.on_wait)
			c->base.on_wait(c->base.wait_payload);
		if (rt_now_ms() - start >= timeout * 1000)
			break;
		sqlite3_sleep(waited < 20 ? 5 : 50);
	}
	if (rc == 0) {
		char who[512];
		ssize_t n = fd >= 0 ? pread(fd, who, sizeof(who) - 1, 0) : -1;

		who[n > 0 ? n : 0] = '\0';
		who[strcspn(who, "\n")] = '\0';
		rc = rt_error(err, RETORT_EBUSY,
			      "another migration run holds the lock on '%s' (%s, lock file '%s'); "
			      "gave up after waiting %.0f s (lock_timeout); nothing was changed",
			      c->path, *who ? who : "holder unknown", lock_path.ptr, timeout);
	}
	if (rc == 1) {
		write_holder(fd);
		c->lock_fd = fd;
		fd = -1;
		rc = 0;
	}
	if (fd >= 0)
		close(fd);
	rt_buf_release(&lock_path);
	return rc;
}

/* Remove the file while still holding it: a run that opened it meanwhile
 * sees, once it has the lock, that the path is gone and opens it anew. */
static void sq_unlock(rt_conn *conn)
{
	sqlite_conn *c = (sqlite_conn *)conn;
	rt_buf lock_path = RT_BUF_INIT;

	if (c->lock_fd < 0)
		return;
	rt_buf_printf(&lock_path, "%s-retort-lock", c->path);
	unlink(lock_path.ptr);
	close(c->lock_fd);
	c->lock_fd = -1;
	rt_buf_release(&lock_path);
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
	size_t off = 0, skip = fail ? fail->skip : 0, index = 0;
	int (*each)(void *, int, size_t, const char *, size_t, size_t, rt_buf *) =
		fail ? fail->each : NULL;

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
			off = statement_end(sql, start, len);
			if (each && (rc = each(fail->each_arg, RT_STMT_SKIP, index, sql + start, start,
					       off - start, err)) < 0)
				return rc;
			index++;
			fail->applied++;
			rt_strlist_addn(&fail->done, sql + start, strcspn(sql + start, "\n"));
			continue;
		}
		rc = sqlite3_prepare_v2(c->db, sql + start, (int)(len - start), &st, &tail);
		if (rc == SQLITE_OK && st && each &&
		    (rc = each(fail->each_arg, RT_STMT_START, index, sql + start, start,
			       (size_t)(tail - (sql + start)), err)) < 0) {
			sqlite3_finalize(st);
			return rc;
		}
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
		off = tail ? (size_t)(tail - sql) : len;
		if (fail && st) {
			fail->applied++;
			rt_strlist_addn(&fail->done, sql + start, strcspn(sql + start, "\n"));
			if (each && (rc = each(fail->each_arg, RT_STMT_DONE, index, sql + start, start,
					       off - start, err)) < 0)
				return rc;
			index++;
		}
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

/* ---- lint's dialect-syntax check ------------------------------------------ */

/* The table a CREATE TABLE or ALTER TABLE being prepared makes or changes,
 * seen by the authorizer (which runs during prepare, when the statement
 * cannot be asked). */
typedef struct {
	char *table;
	int oom;
} authorized;

static int note_table(void *arg, int action, const char *a1, const char *a2, const char *db,
		      const char *trigger)
{
	authorized *au = arg;
	const char *name = action == SQLITE_CREATE_TABLE ? a1 :
			   action == SQLITE_ALTER_TABLE ? a2 : NULL;

	(void)db;
	(void)trigger;
	if (name && !au->table && !(au->table = rt_strdup(name)))
		au->oom = 1;
	return SQLITE_OK;
}

/* The columns of `table` as "name\ttype" lines. */
static void columns(sqlite3 *db, const char *table, rt_strlist *out)
{
	sqlite3_stmt *st = NULL;
	rt_buf line = RT_BUF_INIT;

	rt_strlist_release(out);
	if (sqlite3_prepare_v2(db, "SELECT name, type FROM pragma_table_info(?1)", -1, &st,
			       NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *type = (const char *)sqlite3_column_text(st, 1);

		rt_buf_clear(&line);
		rt_buf_printf(&line, "%s\t%s", name ? name : "", type ? type : "");
		if (!rt_buf_oom(&line))
			rt_strlist_add(out, line.ptr);
	}
	sqlite3_finalize(st);
	rt_buf_release(&line);
}

/* SQLite takes any words as a column's type and runs the statement, so a
 * type another database numbers the column with is accepted and does
 * nothing of the kind: the column is not the rowid, and a row inserted
 * without it gets NULL.  These are the ones to flag. */
static int numbering_type(const char *type)
{
	static const char *const serials[] = {
		"serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"
	};
	size_t i, n = strcspn(type, " (");

	for (i = 0; i < sizeof(serials) / sizeof(serials[0]); i++)
		if (strlen(serials[i]) == n && !strncasecmp(type, serials[i], n))
			return 1;
	return 0;
}

/* A column the statement added (in `now`, not in `was`) with such a type. */
static void check_new_columns(const rt_strlist *was, const rt_strlist *now, const char *table,
			      size_t off, rt_reject_fn reject, void *arg)
{
	rt_buf why = RT_BUF_INIT;
	size_t i;

	for (i = 0; i < now->count; i++) {
		const char *tab = strchr(now->items[i], '\t');

		if (!tab || rt_strlist_has(was, now->items[i]) || !numbering_type(tab + 1))
			continue;
		rt_buf_clear(&why);
		rt_buf_printf(&why, "SQLite takes '%s' as a type name only: column '%.*s' of '%s' "
			      "is not numbered by the database (an INTEGER PRIMARY KEY is)", tab + 1,
			      (int)(tab - now->items[i]), now->items[i], table);
		if (!rt_buf_oom(&why))
			reject(arg, RT_REJECT_SYNTAX, off, why.ptr);
	}
	rt_buf_release(&why);
}

/* Messages that depend on what the scratch database holds. */
static int state_error(const char *msg)
{
	static const char *const prefixes[] = {
		"no such table", "no such column", "no such index", "no such view",
		"no such trigger", "duplicate column name"
	};
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(msg, prefixes[i], strlen(prefixes[i])))
			return 1;
	return strstr(msg, "already exists") != NULL;
}

/* Prepare each statement on the scratch database (SQLite splits them
 * itself; a statement it cannot prepare is passed over up to its ';'),
 * and run those that write, so that the next statements resolve what
 * they made.  Read-only ones (SELECT, and BEGIN, COMMIT and the other
 * transaction statements, which would end the savepoint) only prepare. */
static int sq_syntax_check(rt_conn *conn, const char *sql, size_t len, int keep,
			   rt_reject_fn reject, void *arg, rt_buf *err)
{
	sqlite3 *db = NULL;
	authorized au = { NULL, 0 };
	rt_strlist was = { 0 }, now = { 0 };
	size_t start, off = 0;

	if (conn) {
		db = ((sqlite_conn *)conn)->db;
	} else if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return rt_error(err, RETORT_ERROR, "cannot open an in-memory SQLite database");
	}
	if (!keep)
		sqlite3_exec(db, "SAVEPOINT retort_syntax_check", NULL, NULL, NULL);
	sqlite3_set_authorizer(db, note_table, &au);
	for (start = rt_sql_skip_blank(sql, 0, len); start < len && !au.oom;
	     start = rt_sql_skip_blank(sql, off, len)) {
		sqlite3_stmt *st = NULL;
		const char *tail = NULL;
		int rc;

		free(au.table);
		au.table = NULL;
		rc = sqlite3_prepare_v2(db, sql + start, (int)(len - start), &st, &tail);
		if (rc != SQLITE_OK) {
			const char *msg = sqlite3_errmsg(db);

			reject(arg, state_error(msg) ? RT_REJECT_STATE : RT_REJECT_SYNTAX, start, msg);
			off = statement_end(sql, start, len);
			continue;
		}
		off = tail ? (size_t)(tail - sql) : len;
		if (!st) /* comments only */
			continue;
		if (!sqlite3_stmt_readonly(st)) {
			if (au.table)
				columns(db, au.table, &was);
			while ((rc = sqlite3_step(st)) == SQLITE_ROW)
				;
			if (rc != SQLITE_DONE) {
				reject(arg, RT_REJECT_STATE, start, sqlite3_errmsg(db));
			} else if (au.table) {
				columns(db, au.table, &now);
				check_new_columns(&was, &now, au.table, start, reject, arg);
			}
			rt_strlist_release(&was);
			rt_strlist_release(&now);
		}
		sqlite3_finalize(st);
	}
	sqlite3_set_authorizer(db, NULL, NULL);
	if (!keep) {
		sqlite3_exec(db, "ROLLBACK TO retort_syntax_check", NULL, NULL, NULL);
		sqlite3_exec(db, "RELEASE retort_syntax_check", NULL, NULL, NULL);
	}
	if (!conn)
		sqlite3_close(db);
	free(au.table);
	return au.oom ? rt_error(err, RETORT_ERROR, "out of memory") : 0;
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

/* The online run refuses to commit a foreign_keys=off migration while
 * PRAGMA foreign_key_check returns rows.  In a script the PRAGMA alone only
 * prints them, and RAISE() works only in a trigger: a temporary table
 * whose trigger raises takes a row of the check, after the version change
 * and the history row, so that the error stops a client that bails and
 * RAISE(ROLLBACK) takes the whole step back for one that does not. */
static void sq_script_fk_check(rt_buf *out, const char *step)
{
	rt_buf msg = RT_BUF_INIT;

	rt_buf_printf(&msg, "foreign key check failed in %s: PRAGMA foreign_key_check returns "
		      "rows; the migration was rolled back", step);
	rt_buf_puts(out, "CREATE TEMP TABLE retort_fk_violation (tbl TEXT);\n"
		    "CREATE TEMP TRIGGER retort_fk_violation BEFORE INSERT ON "
		    "retort_fk_violation BEGIN SELECT RAISE(ROLLBACK, ");
	rt_sql_literal(out, msg.ptr);
	rt_buf_puts(out, "); END;\n"
		    "INSERT INTO retort_fk_violation SELECT \"table\" FROM pragma_foreign_key_check "
		    "LIMIT 1;\n"
		    "DROP TABLE temp.retort_fk_violation;\n");
	if (rt_buf_oom(&msg))
		out->oom = 1;
	rt_buf_release(&msg);
}

const rt_driver rt_driver_sqlite = {
	.name = "sqlite",
	.scheme = "sqlite",
	.connect = sq_connect,
	.close = sq_close,
	.adopt = sq_adopt,
	.lock = sq_lock,
	.unlock = sq_unlock,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.exec = sq_exec,
	.query = sq_query,
	.table_exists = sq_table_exists,
	.terminated = sq_terminated,
	.quote_ident = rt_sql_quote_ident,
	.introspect = rt_introspect_sqlite,
	.foreign_keys = sq_foreign_keys,
	.foreign_key_check = sq_foreign_key_check,
	.script_fk_off = "PRAGMA foreign_keys = OFF;\n",
	.script_fk_on = "PRAGMA foreign_keys = ON;\n",
	.script_fk_list = "PRAGMA foreign_key_check;\n",
	.script_fk_check = sq_script_fk_check,
	.backup = rt_sqlite_backup,
	.restore = rt_sqlite_restore,
	.fingerprint = rt_sqlite_fingerprint,
	.scratch_create = rt_sqlite_scratch_create,
	.scratch_drop = rt_sqlite_scratch_drop,
	.auto_id = "INTEGER PRIMARY KEY", /* the rowid: MAX + 1 */
	.hold = NULL, /* the lock file spans the whole run */
	.max_ident = 0, /* no limit */
	.model_url = "sqlite://", /* in memory */
	.model_filter = rt_sqlite_model_filter,
	.renderer = &rt_render_sqlite,
	.lint_full_rules = 0, /* linted with another database's parser */
	.syntax_check = sq_syntax_check,
};
