/*
 * safety_sqlite.c - the SQLite driver's backup, restore, fingerprint and
 * scratch database slots (safety.h).
 *
 * Backup and restore are SQLite's online backup API on connections of
 * their own: a copy taken page by page under a read lock is consistent
 * even while other processes use the database, and a restore writes
 * under the database's own locks, so a reader never sees half of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff.h"
#include "safety.h"
#include "schema.h"

/* Copy `from` (its "main") into `to`, waiting while either is locked by
 * another process, up to lock_timeout. */
static int copy_db(sqlite3 *to, sqlite3 *from, double lock_timeout, const char *doing,
		   rt_buf *err)
{
	sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
	double t0 = rt_now_ms();
	int rc;

	if (!b)
		return rt_error(err, RETORT_ERROR, "%s: %s", doing, sqlite3_errmsg(to));
	for (;;) {
		rc = sqlite3_backup_step(b, -1);
		if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			break;
		if (rt_now_ms() - t0 >= lock_timeout * 1000)
			break;
		sqlite3_sleep(50);
	}
	sqlite3_backup_finish(b);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return rt_error(err, RETORT_EBUSY, "%s: the database is locked by another process "
				"(waited %.0f s, see lock_timeout)", doing, lock_timeout);
	return rt_error(err, RETORT_ERROR, "%s: %s", doing,
			sqlite3_errcode(to) != SQLITE_OK ? sqlite3_errmsg(to) : sqlite3_errstr(rc));
}

static int open_db(sqlite3 **out, const char *path, int flags, rt_buf *err)
{
	int rc = sqlite3_open_v2(path, out, flags | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc == SQLITE_OK)
		return 0;
	rt_error(err, RETORT_ERROR, "cannot open '%s': %s", path,
		 *out ? sqlite3_errmsg(*out) : sqlite3_errstr(rc));
	sqlite3_close(*out);
	*out = NULL;
	return RETORT_ERROR;
}

int rt_sqlite_backup(const rt_url *url, const rt_config *cfg, const char *dest, rt_buf *err)
{
	sqlite3 *from = NULL, *to = NULL;
	rt_buf doing = RT_BUF_INIT;
	int rc;

	rt_buf_printf(&doing, "cannot back '%s' up into '%s'", url->path, dest);
	if ((rc = open_db(&from, url->path, SQLITE_OPEN_READWRITE, err)) >= 0 &&
	    (rc = open_db(&to, dest, SQLITE_OPEN_READWRITE, err)) >= 0)
		rc = copy_db(to, from, cfg->lock_timeout, doing.ptr, err);
	sqlite3_close(to);
	sqlite3_close(from);
	rt_buf_release(&doing);
	return rc;
}

/* Is `path` a SQLite database that reads back whole? */
static int check_backup(sqlite3 *db, const char *path, rt_buf *err)
{
	static const char magic[16] = "SQLite format 3";
	char head[16];
	sqlite3_stmt *st = NULL;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return rt_error(err, RETORT_ERROR, "cannot read '%s': %s", path, strerror(errno));
	n = read(fd, head, sizeof(head));
	close(fd);
	if (n != (ssize_t)sizeof(head) || memcmp(head, magic, sizeof(magic)))
		return rt_error(err, RETORT_EINVALID, "'%s' is not a SQLite database; nothing was "
				"changed", path);
	/* the header may be right and the rest not: read every page */
	if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL) != SQLITE_OK)
		return rt_error(err, RETORT_EINVALID, "'%s' is not a readable SQLite database: "
				"%s; nothing was changed", path, sqlite3_errmsg(db));
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(st, 0), "ok")) {
		rt_error(err, RETORT_EINVALID, "'%s' is damaged (quick_check: %s); nothing was "
			 "changed", path, rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0)
							 : sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return RETORT_EINVALID;
	}
	sqlite3_finalize(st);
	return 0;
}

int rt_sqlite_restore(const rt_url *url, const rt_config *cfg, const char *src, rt_buf *err)
{
	sqlite3 *from = NULL, *to = NULL;
	rt_buf doing = RT_BUF_INIT;
	int rc;

	rt_buf_printf(&doing, "cannot restore '%s' from '%s'", url->path, src);
	if ((rc = open_db(&from, src, SQLITE_OPEN_READONLY, err)) >= 0 &&
	    (rc = check_backup(from, src, err)) >= 0 &&
	    (rc = open_db(&to, url->path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err)) >= 0)
		rc = copy_db(to, from, cfg->lock_timeout, doing.ptr, err);
	sqlite3_close(to);
	sqlite3_close(from);
	rt_buf_release(&doing);
	return rc;
}

enum { F_TYPE, F_NAME, F_TABLE, F_SQL, NF };

int rt_sqlite_fingerprint(rt_conn *c, const rt_strlist *skip, rt_strlist *out, rt_buf *err)
{
	rt_strlist cells = { 0 };
	rt_buf line = RT_BUF_INIT;
	size_t i;
	int rc;

	/* sqlite_% objects are SQLite's own: sqlite_sequence stays once an
	 * AUTOINCREMENT table was made, whatever the downgrade does */
	rc = c->driver->query(c, "SELECT type, name, tbl_name, sql FROM sqlite_master "
			      "WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name",
			      NF, &cells, err);
	for (i = 0; rc >= 0 && i + NF <= cells.count; i += NF) {
		char **row = cells.items + i;
		char *sql;

		if (rt_strlist_has(skip, row[F_TABLE]))
			continue;
		/* SQLite edits the stored text on ALTER TABLE (and quotes
		 * the names a RENAME touched): compare it normalised */
		if (!(sql = rt_sql_normalized(row[F_SQL], strlen(row[F_SQL]),
					      rt_render_sqlite.bare_ident))) {
			rc = rt_error(err, RETORT_ERROR, "out of memory");
			break;
		}
		rt_buf_clear(&line);
		rt_buf_printf(&line, "%s %s", row[F_TYPE], row[F_NAME]);
		if (strcmp(row[F_NAME], row[F_TABLE]))
			rt_buf_printf(&line, " (on %s)", row[F_TABLE]);
		rt_buf_printf(&line, ": %s", sql);
		free(sql);
		if (rt_buf_oom(&line) || rt_strlist_add(out, line.ptr) < 0)
			rc = rt_error(err, RETORT_ERROR, "out of memory");
	}
	rt_strlist_release(&cells);
	rt_buf_release(&line);
	return rc;
}

int rt_sqlite_scratch_create(char **out_url, const char *url, const rt_url *parsed,
			     const rt_config *cfg, rt_buf *err)
{
	const char *tmp = getenv("TMPDIR");
	rt_buf path = RT_BUF_INIT, u = RT_BUF_INIT;
	int fd;

	(void)url;
	(void)parsed;
	(void)cfg;
	*out_url = NULL;
	rt_buf_printf(&path, "%s/retort-test-XXXXXX.db", tmp && *tmp == '/' ? tmp : "/tmp");
	if (rt_buf_oom(&path))
		return rt_error(err, RETORT_ERROR, "out of memory");
	/* an empty file is an empty database */
	if ((fd = mkstemps(path.ptr, 3)) < 0) {
		rt_error(err, RETORT_ERROR, "cannot create a scratch database '%s': %s", path.ptr,
			 strerror(errno));
		rt_buf_release(&path);
		return RETORT_ERROR;
	}
	close(fd);
	rt_buf_printf(&u, "sqlite:///%s", path.ptr);
	rt_buf_release(&path);
	if (rt_buf_oom(&u) || !(*out_url = rt_buf_detach(&u))) {
		rt_buf_release(&u);
		return rt_error(err, RETORT_ERROR, "out of memory");
	}
	return 0;
}

int rt_sqlite_scratch_drop(const char *url, const rt_url *parsed, const rt_config *cfg,
			   rt_buf *err)
{
	static const char *const extra[] = { "-journal", "-wal", "-shm" };
	rt_buf p = RT_BUF_INIT;
	size_t i;
	int rc = 0;

	(void)url;
	(void)cfg;
	if (!parsed->path)
		return 0;
	if (unlink(parsed->path) < 0 && errno != ENOENT)
		rc = rt_error(err, RETORT_ERROR, "cannot remove the scratch database '%s': %s",
			      parsed->path, strerror(errno));
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		rt_buf_clear(&p);
		rt_buf_printf(&p, "%s%s", parsed->path, extra[i]);
		if (!rt_buf_oom(&p))
			unlink(p.ptr);
	}
	rt_buf_release(&p);
	return rc;
}
