/*
 * safety.h - backups before a run, restore, and the scratch databases and
 * schema fingerprints behind `retort test`.
 *
 * backup.c holds what does not depend on the database (the file name, the
 * `backup` and `backup_dir` keys); safety_sqlite.c and safety_pg.c are the
 * drivers' slots of the same names (see driver.h).
 */
#ifndef RT_SAFETY_H
#define RT_SAFETY_H

#include "driver.h"

/* ---- backup.c --------------------------------------------------------------- */

/* Does this run back up first?  opts->backup > 0: yes; < 0: no; 0: the
 * `backup` key of [retort] (default false).  A bad value is an error. */
int rt_backup_wanted(int *out, const retort_run_options *opts, const rt_config *cfg,
		     rt_buf *err);

/* Back the database of `url` up into a new file, named
 * <db>.<UTC time>.<revisions>.bak (revisions "+"-joined, or "base"), in
 * `backup_dir`, else beside a database that is a file, else in the
 * ini's folder.  *out_path (caller frees) is the file.  A failed backup
 * leaves no file behind. */
int rt_backup_make(char **out_path, const rt_driver *drv, const rt_url *url,
		   const rt_config *cfg, const rt_strlist *revisions, rt_buf *err);

/* ---- the drivers' slots -------------------------------------------------------- */

int rt_sqlite_backup(const rt_url *url, const rt_config *cfg, const char *dest, rt_buf *err);
int rt_sqlite_restore(const rt_url *url, const rt_config *cfg, const char *src, rt_buf *err);
int rt_sqlite_fingerprint(rt_conn *c, const rt_strlist *skip, rt_strlist *out, rt_buf *err);
int rt_sqlite_scratch_create(char **out_url, const char *url, const rt_url *parsed,
			     const rt_config *cfg, rt_buf *err);
int rt_sqlite_scratch_drop(const char *url, const rt_url *parsed, const rt_config *cfg,
			   rt_buf *err);

#ifdef RETORT_WITH_PG
int rt_pg_backup(const rt_url *url, const rt_config *cfg, const char *dest, rt_buf *err);
int rt_pg_restore(const rt_url *url, const rt_config *cfg, const char *src, rt_buf *err);
int rt_pg_fingerprint(rt_conn *c, const rt_strlist *skip, rt_strlist *out, rt_buf *err);
/* What rt_pg_fingerprint keeps of its last call on a connection, with the
 * connection (driver_pg.c: rt_pg_conn_memo) and freed when it closes. */
typedef struct rt_pg_memo rt_pg_memo;
rt_pg_memo **rt_pg_conn_memo(rt_conn *c);
void rt_pg_memo_free(rt_pg_memo *m);
/* Is the connection one server session, with no transaction pooler
 * between (driver_pg.c, as hold() decides it)? */
int rt_pg_one_session(rt_conn *c, int *out, rt_buf *err);
int rt_pg_scratch_create(char **out_url, const char *url, const rt_url *parsed,
			 const rt_config *cfg, rt_buf *err);
int rt_pg_scratch_drop(const char *url, const rt_url *parsed, const rt_config *cfg,
		       rt_buf *err);
#endif

#endif
