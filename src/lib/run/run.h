/*
 * run.h - what the online runner (migrate.c) and the offline writer
 * (offline.c) share, private to src/lib/run: the version table's SQL
 * (vtable.c), the plan's files, and the offline writer's entry points.
 */
#ifndef RT_RUN_H
#define RT_RUN_H

#include "ctx.h"
#include "plan.h"

/* ---- vtable.c: the version table's SQL -------------------------------------- */

/* Quoted (schema.)name of the version table: the `vt` of the calls below. */
void rt_vtable_name(rt_buf *out, const rt_driver *drv, const rt_config *cfg);

/* CREATE TABLE IF NOT EXISTS of the version table (`table` unquoted, for
 * its primary key's name, as Alembic names it). */
void rt_vtable_create_sql(rt_buf *out, const rt_driver *drv, const char *vt, const char *table);

/* One row in or out.  Ids are [A-Za-z0-9_] (checked by the parser), so
 * they go into the SQL as literals. */
void rt_vtable_insert_sql(rt_buf *out, const char *vt, const char *id);
void rt_vtable_delete_sql(rt_buf *out, const char *vt, const char *id);

/* The statements moving the version table across one step (plan.h). */
void rt_vtable_step_sql(rt_buf *out, const char *vt, const rt_plan_step_rows *st);

/* ---- migrate.c: the plan's files ------------------------------------------------ */

/* Read and parse every file of the plan before anything runs (a broken
 * file later in the plan must not leave the database half way), and
 * refuse a plan whose section for `direction` and `dialect` is marked
 * unfinished; *out (rt_run_free_scripts) has one script per revision of
 * `plan`. */
int rt_run_load_scripts(rt_script **out, retort *ctx, const rt_revvec *plan, int direction,
			const char *dialect);
/* One file of a plan, read, parsed and checked as rt_run_load_scripts
 * checks each (the message ends "nothing was changed"); *out is released
 * on failure. */
int rt_run_load_script(rt_script *out, retort *ctx, const rt_rev *rev, int direction,
		       const char *dialect);
void rt_run_free_scripts(rt_script *s, size_t n);

/* ---- offline.c: the SQL script of a run (--sql) ----------------------------------- */

/* A run written as a script for the database's own client instead of run:
 * what the runner hands the writer (borrowed), and the writer's state. */
typedef struct rt_offline {
	retort *ctx;
	rt_graph *g;
	const rt_driver *drv;
	const retort_run_options *opts; /* the script goes to opts->write */
	int direction;                  /* RT_UP or RT_DOWN; 0 for stamp */
	const char *spec;               /* the target as given */
	int per_migration;              /* transaction_per_migration */
	const char *vt;                 /* the quoted version table name */
	const char *ht;                 /* the quoted history table name */
	const char *by;                 /* applied_by of its history rows */
	rt_strlist rows;                /* what the script assumes the version table holds */
	rt_buf out;                     /* the script not written yet */
	int in_tx;                      /* the script has a transaction open */
} rt_offline;

/* Split an offline target "FROM:TO" (or "TO", from base): `rows` get the
 * revisions of FROM, resolved without a database, and *to_spec points at
 * TO (*owned, which the caller frees, holds FROM).  Without FROM:
 * RETORT_EUSAGE when `need_from` (a downgrade must say where it starts). */
int rt_offline_from(rt_strlist *rows, const char **to_spec, char **owned, rt_graph *g,
		    const char *spec, int need_from, rt_buf *err);

/* Write the script of an upgrade or downgrade to o->spec. */
int rt_offline_run(rt_offline *o);

/* Write the script of a stamp: its version and history table SQL, `sql`. */
int rt_offline_stamp(rt_offline *o, const char *sql);

void rt_offline_release(rt_offline *o);

#endif
