/*
 * backup.c - the database-independent half of backups: whether a run
 * backs up, what the file is called and where it goes, and `restore`.
 * The copying itself is the driver's (driver.h, version 3).
 *
 * The file is made with O_EXCL before the driver fills it, so two runs in
 * the same second never write into one file, and mode 0600: a backup
 * holds every row of the database.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctx.h"
#include "safety.h"

int rt_backup_wanted(int *out, const retort_run_options *opts, const rt_config *cfg,
		     rt_buf *err)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	const char *v;
	size_t i;

	*out = 0;
	if (opts && opts->backup) {
		*out = opts->backup > 0;
		return 0;
	}
	if (!(v = rt_config_get(cfg, "retort", "backup")) || !*v)
		return 0;
	for (i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(v, no[i]))
			return 0;
	}
	return rt_error(err, RETORT_EINVALID,
			"%s: invalid value '%s' for 'backup': expected true or false; nothing "
			"was changed", cfg->path ? cfg->path : "retort.ini", v);
}

/* The folder: backup_dir, else beside a database that is a file, else the
 * ini's folder. */
static char *backup_dir(const rt_url *url, const rt_config *cfg)
{
	const char *dir = rt_config_get(cfg, "retort", "backup_dir");
	const char *slash;

	if (dir && *dir)
		return rt_path_join(cfg->dir, dir);
	if (url->path && url->path[0] == '/' && (slash = strrchr(url->path, '/')) != NULL)
		return rt_strndup(url->path, slash == url->path ? 1 : (size_t)(slash - url->path));
	return rt_strdup(cfg->dir);
}

/* The database's name: the file's, or the database name of a server. */
static const char *db_name(const rt_url *url)
{
	const char *slash;

	if (!url->path || !*url->path)
		return "database";
	slash = strrchr(url->path, '/');
	return slash && slash[1] ? slash + 1 : url->path;
}

/* Create the file exclusively: <dir>/<db>.<time>.<revs>[.N].bak. */
static int reserve(rt_buf *path, const char *dir, const char *stem, rt_buf *err)
{
	int n, fd;

	for (n = 1; n < 100; n++) {
		rt_buf_clear(path);
		rt_buf_printf(path, "%s/%s", strcmp(dir, "/") ? dir : "", stem);
		if (n > 1)
			rt_buf_printf(path, ".%d", n);
		rt_buf_puts(path, ".bak");
		if (rt_buf_oom(path))
			return rt_error(err, RETORT_ERROR, "out of memory");
		fd = open(path->ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		if (errno != EEXIST)
			return rt_error(err, RETORT_ERROR, "cannot create the backup file '%s': %s",
					path->ptr, strerror(errno));
	}
	return rt_error(err, RETORT_ERROR, "cannot create a backup file in '%s': too many "
			"named '%s.*.bak'", dir, stem);
}

int rt_backup_make(char **out_path, const rt_driver *drv, const rt_url *url,
		   const rt_config *cfg, const rt_strlist *revisions, rt_buf *err)
{
	rt_buf stem = RT_BUF_INIT, path = RT_BUF_INIT;
	char *dir = NULL, stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;
	int rc;

	*out_path = NULL;
	if (!drv->backup)
		return rt_error(err, RETORT_ERROR, "the %s driver cannot back a database up; "
				"nothing was changed", drv->name);
	if (url->memory)
		return rt_error(err, RETORT_EUSAGE, "an in-memory database cannot be backed up; "
				"nothing was changed");
	/* from here on, every failure says that the run did not start */
	if (!(dir = backup_dir(url, cfg))) {
		rc = rt_error(err, RETORT_ERROR, "out of memory");
		goto done;
	}
	if ((rc = rt_mkdir_p(dir, err)) < 0)
		goto done;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	rt_buf_printf(&stem, "%s.%s.", db_name(url), stamp);
	for (i = 0; i < revisions->count; i++)
		rt_buf_printf(&stem, "%s%s", i ? "+" : "", revisions->items[i]);
	if (!revisions->count)
		rt_buf_puts(&stem, "base");
	if ((rc = reserve(&path, dir, stem.ptr, err)) < 0)
		goto done;
	if ((rc = drv->backup(url, cfg, path.ptr, err)) < 0) {
		unlink(path.ptr);
		goto done;
	}
	*out_path = rt_buf_detach(&path);
	if (!*out_path)
		rc = rt_error(err, RETORT_ERROR, "out of memory");
done:
	if (rc < 0)
		rt_buf_puts(err, "; nothing was changed");
	free(dir);
	rt_buf_release(&stem);
	rt_buf_release(&path);
	return rc;
}

/* Does the backup `src` belong to this project?  Any SQLite file would
 * otherwise replace the database: another project's, another tenant's, a
 * copy from before the project existed.  Its version table must have rows
 * and each must be a revision of the graph.  Read through the driver, on
 * a connection of its own that only reads. */
static int check_owner(retort *ctx, const rt_driver *drv, const rt_url *url, const char *src,
		       const char *file)
{
	rt_url b = *url;
	rt_conn *conn = NULL;
	rt_graph *g;
	rt_strlist rows = { 0 };
	rt_buf sql = RT_BUF_INIT, msg = RT_BUF_INIT;
	const char *vt = ctx->cfg.version_table;
	size_t i;
	int rc, exists = 0;

	if ((rc = rt_ctx_graph(&g, ctx)) < 0)
		return rc;
	b.path = (char *)src;
	b.masked = (char *)src;
	rt_buf_puts(&sql, "SELECT version_num FROM ");
	drv->quote_ident(&sql, vt);
	if ((rc = drv->connect(&conn, &b, &ctx->cfg, &msg)) < 0 ||
	    (rc = drv->table_exists(conn, NULL, vt, &exists, &msg)) < 0 ||
	    (exists && (rc = drv->query(conn, sql.ptr, 1, &rows, &msg)) < 0)) {
		rc = rt_ctx_error(ctx, RETORT_EINVALID, "cannot read the version table of the backup "
				  "'%s': %s; nothing was changed", file, msg.ptr);
		goto done;
	}
	if (!rows.count) {
		rc = rt_ctx_error(ctx, RETORT_ECONFLICT, "'%s' has %s version table '%s': no "
				  "revision says it is a backup of this project; nothing was changed "
				  "(--force restores it all the same)", file, exists ? "an empty" : "no",
				  vt);
		goto done;
	}
	for (i = 0; i < rows.count; i++)
		if (!rt_graph_get(g, rows.items[i])) {
			rc = rt_ctx_error(ctx, RETORT_ECONFLICT, "'%s' is not a backup of this "
					  "project: its revision '%s' is not in '%s'; nothing was "
					  "changed (--force restores it all the same)", file,
					  rows.items[i], g->dir);
			goto done;
		}
done:
	if (conn)
		drv->close(conn);
	rt_strlist_release(&rows);
	rt_buf_release(&sql);
	rt_buf_release(&msg);
	return rc;
}

int retort_restore(retort *ctx, const char *file, unsigned int flags)
{
	rt_url url = { 0 };
	const rt_driver *drv;
	char *src = NULL;
	struct stat st_src, st_db;
	double t0 = rt_now_ms();
	int rc, fd;

	rt_buf_clear(&ctx->err);
	if (!file || !*file)
		return rt_ctx_error(ctx, RETORT_EUSAGE, "restore needs the backup file");
	if ((rc = rt_ctx_url(&url, ctx)) < 0)
		return rc;
	if ((rc = rt_driver_for(&drv, url.scheme, &ctx->err)) < 0)
		goto done;
	if (!drv->restore) {
		rc = rt_ctx_error(ctx, RETORT_ERROR, "the %s driver cannot restore a backup",
				  drv->name);
		goto done;
	}
	if (url.memory) {
		rc = rt_ctx_error(ctx, RETORT_EUSAGE, "an in-memory database cannot be restored");
		goto done;
	}
	if (!(src = realpath(file, NULL))) {
		rc = rt_ctx_error(ctx, errno == ENOENT ? RETORT_ENOTFOUND : RETORT_ERROR,
				  "cannot read the backup '%s': %s; nothing was changed", file,
				  strerror(errno));
		goto done;
	}
	/* a FIFO would block the driver's open for ever, a device never end */
	if ((rc = rt_open_regular(&fd, AT_FDCWD, src, file, 0, &ctx->err)) < 0) {
		rt_buf_puts(&ctx->err, "; nothing was changed");
		goto done;
	}
	close(fd);
	if (stat(src, &st_src) == 0 && url.path && stat(url.path, &st_db) == 0 &&
	    st_src.st_dev == st_db.st_dev && st_src.st_ino == st_db.st_ino) {
		rc = rt_ctx_error(ctx, RETORT_EUSAGE,
				  "'%s' is the database itself, not a backup of it; nothing was "
				  "changed", file);
		goto done;
	}
	/* a database that is a file (backup_dir): a server's backup is not
	 * restored by retort (the driver says how) */
	if (!(flags & RETORT_RESTORE_FORCE) && url.path && url.path[0] == '/' &&
	    (rc = check_owner(ctx, drv, &url, src, file)) < 0)
		goto done;
	rt_log_printf(rt_ctx_log(ctx), "restore %s from %s%s", url.masked, src,
		      flags & RETORT_RESTORE_FORCE ? " (--force)" : "");
	if ((rc = drv->restore(&url, &ctx->cfg, src, &ctx->err)) < 0) {
		rt_log_printf(rt_ctx_log(ctx), "failed: %s", ctx->err.ptr);
		goto done;
	}
	rt_log_printf(rt_ctx_log(ctx), "restored %s from %s in %.1f ms", url.masked, src,
		      rt_now_ms() - t0);
done:
	free(src);
	rt_url_release(&url);
	return rc;
}
