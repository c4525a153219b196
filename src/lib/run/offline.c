/*
 * offline.c - the offline writer (run.h): upgrade, downgrade and stamp
 * written as an SQL script (--sql) for the database's own client, instead
 * of run.  The script does what the online run would: the same plan
 * (plan.c), the same transactions, version-table changes and history rows,
 * so that feeding it to the client gives the same database.  There is no
 * database to read, so the rows it starts from are FROM of "FROM:TO", or
 * none.  What a dialect writes differently comes from its driver.
 */
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "run.h"

/* Whether the last line of sql[0, end) holds "--", and where it starts. */
static int last_line_comment(const char *sql, size_t end, size_t *line)
{
	size_t i;

	for (*line = end; *line > 0 && sql[*line - 1] != '\n'; (*line)--)
		;
	for (i = *line; i + 1 < end; i++)
		if (sql[i] == '-' && sql[i + 1] == '-')
			return 1;
	return 0;
}

/* Append a section body so that it ends with a terminated statement: the
 * next statement of the script must not run into it. */
static void put_terminated(rt_offline *o, const char *sql, size_t len)
{
	size_t end = len, line;
	char *copy;

	while (end > 0 && strchr(" \t\r\n", sql[end - 1]))
		end--;
	rt_buf_put(&o->out, sql, end);
	/* A body ending in ';' outside a line comment needs none: if the ';'
	 * ends a statement there is nothing to add, and if it is inside
	 * something left open (a string, a trigger's BEGIN) another ends
	 * nothing either.  Only other bodies go through the driver's scan of
	 * the whole text, which took a tenth of a big script's time. */
	if ((end && sql[end - 1] == ';' && !last_line_comment(sql, end, &line)) ||
	    rt_sql_skip_blank(sql, 0, end) >= end) {
		rt_buf_putc(&o->out, '\n');
		return;
	}
	if ((copy = rt_strndup(sql, end)) != NULL) {
		if (!o->drv->terminated(copy)) {
			/* a ';' after a trailing "-- comment" would be commented out */
			last_line_comment(sql, end, &line);
			rt_buf_puts(&o->out, memchr(sql + line, '-', end - line) ? "\n;" : ";");
		}
		free(copy);
	}
	rt_buf_putc(&o->out, '\n');
}

static int out_write(rt_offline *o)
{
	int rc = 0;

	if (rt_buf_oom(&o->out))
		return rt_ctx_error(o->ctx, RETORT_ERROR, "out of memory");
	if (o->out.len && o->opts->write &&
	    o->opts->write(o->out.ptr, o->out.len, o->opts->write_payload))
		rc = rt_ctx_error(o->ctx, RETORT_ERROR, "cannot write the SQL script");
	rt_buf_clear(&o->out);
	return rc;
}

static void commit(rt_offline *o)
{
	if (o->in_tx)
		rt_buf_puts(&o->out, "COMMIT;\n");
	o->in_tx = 0;
}

/* The step's history row, as the online run records it; a script cannot
 * time its steps. */
static void history_row(rt_offline *o, const rt_rev *rev, const rt_script *s)
{
	rt_history_entry e = { 0 };
	char sum[RT_CHECKSUM_HEX];

	rt_checksum(sum, s->text, s->text_len);
	e.revision = rev->s.revision;
	e.direction = o->direction;
	e.status = o->direction == RT_DOWN ? "reverted" : "applied";
	e.checksum = sum;
	e.duration_ms = -1;
	e.applied_by = o->by;
	rt_history_insert_sql(&o->out, o->ht, &e);
}

static int offline_step(rt_offline *o, rt_rev *rev, const rt_script *s)
{
	rt_plan_step_rows next = { 0 };
	rt_buf from = RT_BUF_INIT, to = RT_BUF_INIT, step = RT_BUF_INIT;
	const rt_section *sec = rt_script_section(s, o->direction, o->drv->name);
	int rc, fk_off;

	rt_plan_step_ends(&from, &to, rev, o->direction);
	rt_buf_printf(&step, "%s %s -> %s", o->direction == RT_DOWN ? "downgrade" : "upgrade",
		      from.ptr, to.ptr);
	rt_buf_printf(&o->out, "\n-- %s: ", step.ptr);
	rt_sql_comment(&o->out, s->message);
	rt_buf_putc(&o->out, '\n');
	if (sec && !sec->transactional) {
		commit(o);
		put_terminated(o, s->text + sec->offset, sec->len);
	}
	/* foreign_keys=off: as online, the switch works only outside a
	 * transaction, so the migration gets its own, checked before it
	 * commits (the driver's SQL) */
	fk_off = sec && sec->transactional && sec->foreign_keys_off && o->drv->script_fk_off;
	if (fk_off) {
		commit(o);
		rt_buf_puts(&o->out, o->drv->script_fk_off);
	}
	if (!o->in_tx) {
		rt_buf_puts(&o->out, "BEGIN;\n");
		o->in_tx = 1;
	}
	if (sec && sec->transactional)
		put_terminated(o, s->text + sec->offset, sec->len);
	if (fk_off)
		rt_buf_puts(&o->out, o->drv->script_fk_list);
	if ((rc = rt_plan_step(&next, o->g, &o->rows, rev, o->direction, &o->ctx->err)) < 0)
		goto done;
	rt_vtable_step_sql(&o->out, o->vt, &next);
	history_row(o, rev, s);
	if (fk_off)
		o->drv->script_fk_check(&o->out, step.ptr);
	/* as online: after a section run outside a transaction, its version
	 * change commits at once */
	if (o->per_migration || fk_off || (sec && !sec->transactional))
		commit(o);
	/* a script cannot read the setting back to restore it as the online
	 * run does; a section that needs them off implies they were on */
	if (fk_off)
		rt_buf_puts(&o->out, o->drv->script_fk_on);
	rt_strlist_release(&o->rows);
	o->rows = next.next;
	memset(&next.next, 0, sizeof(next.next));
	rc = out_write(o);
done:
	rt_plan_step_release(&next);
	rt_buf_release(&from);
	rt_buf_release(&to);
	rt_buf_release(&step);
	return rc;
}

int rt_offline_from(rt_strlist *rows, const char **to_spec, char **owned, rt_graph *g,
		    const char *spec, int need_from, rt_buf *err)
{
	const char *colon = strchr(spec ? spec : "", ':');

	*owned = NULL;
	*to_spec = spec;
	if (!colon) {
		if (need_from)
			return rt_error(err, RETORT_EUSAGE,
					"offline downgrade needs FROM:TO, e.g. 'head:base' "
					"(there is no database to read the current revision from)");
		return 0;
	}
	if (!(*owned = rt_strndup(spec, (size_t)(colon - spec))))
		return rt_error(err, RETORT_ERROR, "out of memory");
	*to_spec = colon + 1;
	return rt_plan_assume(rows, g, *owned, err);
}

/* The text of the plan's files held from the check to the writing, at
 * most: the files past it are read again when their step is written. */
#define HOLD_TEXT (16u << 20)

/* Read and check every file of the plan before a byte of the script is
 * written (a client fed half a script applies half a plan; a broken file
 * stops the run before anything runs, as online), holding the texts up to
 * HOLD_TEXT bytes: holding them all made a plan of 100,000 files take
 * hundreds of MiB.  scripts[i].text is NULL for a file not held. */
static int check_files(rt_offline *o, rt_script *scripts, const rt_revvec *plan)
{
	size_t i, held = 0;
	int rc = 0;

	for (i = 0; i < plan->n && rc >= 0; i++) {
		rt_script *s = &scripts[i];

		if ((rc = rt_run_load_script(s, o->ctx, plan->v[i], o->direction,
					     o->drv->name)) < 0)
			break;
		held += s->text_len;
		if (held > HOLD_TEXT) {
			rt_script_release(s);
			memset(s, 0, sizeof(*s));
		}
	}
	return rc;
}

/* Step i's file: as held, or read and checked again; released once written. */
static int write_step(rt_offline *o, rt_script *s, rt_rev *rev)
{
	int rc;

	if (!s->text && (rc = rt_run_load_script(s, o->ctx, rev, o->direction,
						 o->drv->name)) < 0) {
		rt_buf_printf(&o->ctx->err, "\n'%s' changed after it was checked, while the "
			      "script was written: the script is incomplete", rev->s.path);
		return rc;
	}
	rc = offline_step(o, rev, s);
	rt_script_release(s);
	memset(s, 0, sizeof(*s));
	return rc;
}

int rt_offline_run(rt_offline *o)
{
	rt_script *scripts = NULL;
	rt_revvec plan = { 0 };
	const char *to_spec;
	char *from_spec = NULL;
	size_t i;
	int rc;

	if ((rc = rt_offline_from(&o->rows, &to_spec, &from_spec, o->g, o->spec,
				  o->direction == RT_DOWN, &o->ctx->err)) < 0)
		goto done;
	if (!*to_spec)
		to_spec = o->direction == RT_DOWN ? "base" : "head";
	if ((rc = rt_plan_make(&plan, o->g, &o->rows, to_spec, o->direction, &o->ctx->err)) < 0)
		goto done;
	if (!(scripts = calloc(plan.n ? plan.n : 1, sizeof(*scripts)))) {
		rc = rt_ctx_error(o->ctx, RETORT_ERROR, "out of memory");
		goto done;
	}
	if ((rc = check_files(o, scripts, &plan)) < 0)
		goto done;
	rt_buf_printf(&o->out, "-- retort %s: %s ", retort_version(),
		      o->direction == RT_DOWN ? "downgrade" : "upgrade");
	rt_sql_comment(&o->out, o->spec);
	rt_buf_printf(&o->out, " (%s)\n", o->drv->name);
	rt_vtable_create_sql(&o->out, o->drv, o->vt, o->ctx->cfg.version_table);
	rt_history_create_sql(&o->out, o->drv, o->ht);
	for (i = 0; i < plan.n && rc >= 0; i++)
		rc = write_step(o, &scripts[i], plan.v[i]);
	if (rc >= 0) {
		commit(o);
		rc = out_write(o);
	}
done:
	free(from_spec);
	rt_run_free_scripts(scripts, plan.n);
	rt_revvec_release(&plan);
	return rc;
}

int rt_offline_stamp(rt_offline *o, const char *sql)
{
	rt_buf_printf(&o->out, "-- retort %s: stamp ", retort_version());
	rt_sql_comment(&o->out, o->spec);
	rt_buf_putc(&o->out, '\n');
	rt_vtable_create_sql(&o->out, o->drv, o->vt, o->ctx->cfg.version_table);
	rt_history_create_sql(&o->out, o->drv, o->ht);
	rt_buf_printf(&o->out, "BEGIN;\n%sCOMMIT;\n", sql);
	return out_write(o);
}

void rt_offline_release(rt_offline *o)
{
	rt_strlist_release(&o->rows);
	rt_buf_release(&o->out);
}
