/*
 * migrate.c - the runner behind upgrade, downgrade and stamp.  The plan
 * itself (which revisions, in which order, and how each step moves the
 * version table's rows) is computed by plan.c; offline (--sql), the
 * offline writer (offline.c) writes the run as a script instead.
 *
 * Online, each migration runs in one transaction with its version-table
 * change.  The driver's lock (driver.h) keeps other runs out: for the
 * whole run on SQLite, per transaction on PostgreSQL.  The rows and the
 * history are read inside the first transaction, after the lock is held,
 * the rows again in every later one, and the plan is recomputed whenever
 * they are not what the last step left: two processes never apply the
 * same migration twice.  A transaction=false section runs with the lock
 * held across its statements (driver hold()), records each statement as
 * it completes, and is recorded as an open attempt (history.h) until its
 * version change commits.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "history.h"
#include "run.h"
#include "safety.h"
#include "session.h"

typedef struct run {
	retort *ctx;
	rt_session db;                 /* graph, driver, connection (none offline),
					  rows: the version table as we last saw or
					  left it, and the history read under the lock */
	const retort_run_options *opts;
	int direction;                 /* RT_UP, RT_DOWN, or 0 for stamp */
	const char *spec;              /* the target as given */
	int per_migration;             /* transaction_per_migration */
	rt_strlist committed;          /* the rows as of the last commit: where a failure leaves it */
	int in_tx;
	int replace_rows;              /* offline stamp without FROM: replace every row */
	rt_buf by;                     /* applied_by of its history rows */
	rt_buf pending;                /* history rows of steps not committed yet */
	size_t npending;
	int resuming;                  /* the plan's first step resumes hist.failed */
	int held;                      /* the driver's hold() is on */
	int changed;                   /* this run committed something */
	/* the last step in the open transaction, to which a failure at
	 * COMMIT (a deferred constraint) is put down, and how many it holds */
	rt_rev *tx_rev;
	const rt_script *tx_script;
	const rt_section *tx_sec;
	size_t tx_steps;
	size_t tx_first;               /* run_steps before the open transaction */
	const rt_rev *started;         /* the step RETORT_EVENT_START was last sent for */
} run;

/* ---- plans --------------------------------------------------------------- */

/* The runner's messages say where the database stands (plan.h). */
static void describe_rows(rt_buf *b, const rt_strlist *rows)
{
	rt_plan_describe_rows(b, rows);
}

/* Plan from the rows as the run last saw or left them. */
static int make_plan(rt_revvec *plan, run *r, const char *spec)
{
	return rt_plan_make(plan, r->db.g, &r->db.rows, spec, r->direction, &r->ctx->err);
}

/* A section left for a person to write (retort import's "-- +unfinished")
 * stops the run before anything of it runs: running it as it stands
 * would record the revision as applied with its change never made. */
static int refuse_unfinished(retort *ctx, const rt_script *s, int direction, const char *dialect)
{
	const rt_section *sec = rt_script_section(s, direction, dialect);

	if (!sec || !sec->unfinished)
		return 0;
	return rt_ctx_error(ctx, RETORT_EINVALID,
			    "the %s of '%s' is unfinished (%s:%d: %.*s); write its SQL and "
			    "remove the '-- +unfinished' line",
			    direction == RT_DOWN ? "downgrade" : "upgrade", s->revision, s->path,
			    sec->unfinished, (int)sec->reason_len, s->text + sec->reason);
}

int rt_run_load_script(rt_script *out, retort *ctx, const rt_rev *rev, int direction,
		       const char *dialect)
{
	int rc;

	if ((rc = rt_rev_load_checked(out, &ctx->graph, rev, &ctx->err)) >= 0 &&
	    (rc = refuse_unfinished(ctx, out, direction, dialect)) < 0)
		rt_script_release(out);
	if (rc < 0) {
		rt_buf_puts(&ctx->err, "\nnothing was changed");
		return rc == RETORT_ERROR ? rc : RETORT_EINVALID;
	}
	return 0;
}

int rt_run_load_scripts(rt_script **out, retort *ctx, const rt_revvec *plan, int direction,
			const char *dialect)
{
	rt_script *s = calloc(plan->n ? plan->n : 1, sizeof(*s));
	size_t i;
	int rc = 0;

	*out = s;
	if (!s)
		return rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	for (i = 0; i < plan->n && rc >= 0; i++)
		rc = rt_run_load_script(&s[i], ctx, plan->v[i], direction, dialect);
	return rc;
}

void rt_run_free_scripts(rt_script *s, size_t n)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		rt_script_release(&s[i]);
	free(s);
}

/* At most this many rows per INSERT of pending history rows. */
#define HISTORY_ROWS_PER_INSERT 500

/* history_row's `ms` of a step sent in one request: the database computes
 * it (rt_driver.elapsed_ms_sql) as the row is written. */
#define ELAPSED_ON_SERVER (-2.0)

/* The history row of one step, with the checksum of its file: an INSERT
 * appended to `out`, or, with `out` NULL, a pending row.  Pending rows go
 * to the database in one INSERT just before their transaction commits
 * (take_pending): with one transaction for the whole run that is one
 * statement instead of one per migration, and a rollback drops them with
 * the steps they describe. */
static int history_row(run *r, rt_buf *out, const rt_rev *rev, const rt_script *s,
		       const char *status, size_t done, double ms, const char *error)
{
	rt_history_entry e = { 0 };
	char sum[RT_CHECKSUM_HEX];

	rt_checksum(sum, s->text, s->text_len);
	e.revision = rev->s.revision;
	e.direction = r->direction ? r->direction : RT_UP;
	e.status = status;
	e.checksum = sum;
	e.statements_done = done;
	e.duration_ms = ms;
	if (ms == ELAPSED_ON_SERVER)
		e.duration_sql = r->db.drv->elapsed_ms_sql;
	e.error = error;
	e.applied_by = r->by.ptr;
	if (out) {
		rt_history_insert_sql(out, r->db.ht.ptr, &e);
		return 0;
	}
	if (r->npending % HISTORY_ROWS_PER_INSERT == 0) {
		if (r->npending)
			rt_buf_puts(&r->pending, ";\n");
		rt_history_insert_head(&r->pending, r->db.ht.ptr);
	} else {
		rt_buf_puts(&r->pending, ",\n");
	}
	rt_history_values(&r->pending, &e);
	r->npending++;
	return 0;
}

/* Move the pending history rows into `out` as SQL. */
static void take_pending(run *r, rt_buf *out)
{
	if (!r->npending)
		return;
	rt_buf_put(out, r->pending.ptr, r->pending.len);
	rt_buf_puts(out, ";\n");
	rt_buf_clear(&r->pending);
	r->npending = 0;
}

/* ---- version table SQL ---------------------------------------------------- */

/* The rows after one step, and the SQL that gets the version table there. */
static int step_versions(run *r, rt_buf *out, rt_plan_step_rows *st, const rt_rev *rev)
{
	int rc;

	if ((rc = rt_plan_step(st, r->db.g, &r->db.rows, rev, r->direction, &r->ctx->err)) < 0)
		return rc;
	rt_vtable_step_sql(out, r->db.vt.ptr, st);
	return 0;
}

static void join_ids(rt_buf *out, const rt_strlist *ids)
{
	size_t i;

	for (i = 0; i < ids->count; i++)
		rt_buf_printf(out, "%s%s", i ? "," : "", ids->items[i]);
}

static int same_rows(const rt_strlist *a, const rt_strlist *b)
{
	size_t i;

	if (a->count != b->count)
		return 0;
	for (i = 0; i < a->count; i++)
		if (!rt_strlist_has(b, a->items[i]))
			return 0;
	return 1;
}

static int copy_rows(rt_strlist *dst, const rt_strlist *src)
{
	size_t i;

	rt_strlist_release(dst);
	for (i = 0; i < src->count; i++)
		if (rt_strlist_add(dst, src->items[i]) < 0)
			return RETORT_ERROR;
	return 0;
}

static void swap_rows(run *r, rt_strlist *next)
{
	rt_strlist_release(&r->db.rows);
	r->db.rows = *next;
	memset(next, 0, sizeof(*next));
}

/* ---- online ----------------------------------------------------------------- */

static void emit(run *r, retort_event_type type, rt_rev *rev, const char *from,
		 const char *to, double ms)
{
	retort_event ev;

	if (!r->opts || !r->opts->on_event)
		return;
	ev.type = type;
	ev.direction = r->direction ? r->direction : RT_UP;
	ev.rev = rev;
	ev.from = from;
	ev.to = to;
	ev.elapsed_ms = ms;
	r->opts->on_event(&ev, r->opts->event_payload);
}

static int db_begin(run *r)
{
	int rc;

	if (r->in_tx)
		return 0;
	if ((rc = r->db.drv->begin(r->db.conn, &r->ctx->err)) < 0)
		return rc;
	r->in_tx = 1;
	r->tx_rev = NULL;
	r->tx_steps = 0;
	r->tx_first = r->ctx->run_steps.count;
	return 0;
}

/* The steps of a transaction that did not commit are not the run's: the
 * summary (retort_run_result) lists what the database kept. */
static void forget_steps(run *r)
{
	rt_strlist *steps = &r->ctx->run_steps;

	while (steps->count > r->tx_first)
		free(steps->items[--steps->count]);
	r->tx_steps = 0;
}

static void db_rollback(run *r)
{
	if (r->in_tx) {
		r->db.drv->rollback(r->db.conn);
		forget_steps(r);
	}
	r->in_tx = 0;
	rt_buf_clear(&r->pending);
	r->npending = 0;
	r->tx_rev = NULL;
	r->tx_steps = 0;
}

static void commit_failed(run *r, int rc);

/* The transaction committed: its rows are where a failure leaves the
 * database from now on. */
static int committed(run *r)
{
	r->in_tx = 0;
	r->tx_rev = NULL;
	r->tx_steps = 0;
	r->changed = 1;
	if (copy_rows(&r->committed, &r->db.rows) < 0)
		return rt_ctx_error(r->ctx, RETORT_ERROR, "out of memory");
	return 0;
}

/* The database refused the COMMIT: nothing of the transaction stays. */
static int commit_refused(run *r, int rc)
{
	r->in_tx = 0;
	r->db.drv->rollback(r->db.conn);
	if (r->tx_rev)
		commit_failed(r, rc);
	r->tx_rev = NULL;
	forget_steps(r);
	return rc;
}

/* Commit, writing the pending history rows first. */
static int db_commit(run *r)
{
	int rc = 0;

	if (!r->in_tx)
		return 0;
	if (r->npending) {
		rt_buf sql = RT_BUF_INIT;
		take_pending(r, &sql);
		rc = r->db.drv->exec(r->db.conn, sql.ptr, sql.len, NULL, &r->ctx->err);
		rt_buf_release(&sql);
		if (rc < 0) {
			rt_buf at = RT_BUF_INIT;
			db_rollback(r);
			describe_rows(&at, &r->committed);
			rt_ctx_error_prefix(r->ctx, rc, "cannot write the history rows of this run, so "
					    "its transaction was rolled back; the database is at %s: ",
					    at.ptr);
			rt_buf_release(&at);
			return rc;
		}
	}
	r->in_tx = 0;
	if ((rc = r->db.drv->commit(r->db.conn, &r->ctx->err)) < 0)
		return commit_refused(r, rc);
	return committed(r);
}

static int db_exec(run *r, const char *sql)
{
	return r->db.drv->exec(r->db.conn, sql, strlen(sql), NULL, &r->ctx->err);
}

/* Line of byte `off` within a section. */
static int line_at(const rt_script *s, const rt_section *sec, size_t off)
{
	int line = sec->line;
	size_t i;

	for (i = 0; i < off && i < sec->len; i++)
		if (s->text[sec->offset + i] == '\n')
			line++;
	return line;
}

/* The line of a failed statement: where the database says the error is,
 * else where the statement starts. */
static int fail_line(const rt_script *s, const rt_section *sec, const rt_exec_fail *fail)
{
	return line_at(s, sec, fail->error_at != (size_t)-1 ? fail->error_at : fail->offset);
}

/* Turn a failed statement into the run's error: which migration, file:line
 * (the file alone for a step without a section), the database's message,
 * and where the database stands now.  `steps`: how many migrations the
 * rolled-back transaction held, this one the last. */
static int step_failed(run *r, int rc, rt_rev *rev, const rt_script *s, const rt_section *sec,
		       int line, const rt_exec_fail *fail, const char *from, const char *to,
		       size_t steps)
{
	const char *verb = r->direction == RT_DOWN ? "downgrade" : "upgrade";
	size_t i;

	/* the database refused it; a lock timeout or a cancel keeps its code */
	if (rc == RETORT_ERROR)
		rc = RETORT_ESTATEMENT;
	if (sec)
		rt_ctx_error_prefix(r->ctx, rc, "%s %s -> %s failed at %s:%d: ", verb, from, to,
				    s->path, line);
	else
		rt_ctx_error_prefix(r->ctx, rc, "%s %s -> %s failed at %s: ", verb, from, to,
				    s->path);
	rt_buf_puts(&r->ctx->err, "\nthe database is at ");
	describe_rows(&r->ctx->err, &r->committed);
	if (steps > 1) {
		rt_buf_printf(&r->ctx->err, "; the run's transaction "
			      "(transaction_per_migration = false) held %zu migrations, up to '%s', "
			      "and was rolled back: nothing of them was applied", steps,
			      rev->s.revision);
	} else if (!sec || sec->transactional) {
		rt_buf_printf(&r->ctx->err, "; nothing of '%s' was applied", rev->s.revision);
	} else {
		rt_buf_printf(&r->ctx->err,
			      "; '%s' runs outside a transaction (transaction=false) and %zu "
			      "statement%s of it had already been applied:",
			      rev->s.revision, fail->applied, fail->applied == 1 ? "" : "s");
		for (i = 0; i < fail->done.count; i++)
			rt_buf_printf(&r->ctx->err, "\n  %s", fail->done.items[i]);
	}
	/* logged once, by migrate(), which logs every failure of a run */
	return rc;
}

/* A step failed: say so in the history, in a transaction of its own
 * after the rollback.  A transaction=false section's row closes its
 * attempt as failed, so the next run can refuse or resume; a
 * transactional one's is a record only.  The run's error message is kept
 * whatever happens here. */
static void record_failure(run *r, const rt_rev *rev, const rt_script *s, const rt_exec_fail *fail,
			   int transactional)
{
	rt_buf sql = RT_BUF_INIT, ignored = RT_BUF_INIT;
	const char *verb = r->direction == RT_DOWN ? "downgrade" : "upgrade";

	rt_history_create_sql(&sql, r->db.drv, r->db.ht.ptr);
	if (history_row(r, &sql, rev, s, "failed", transactional ? 0 : fail->applied, -1,
			r->ctx->err.ptr) >= 0 &&
	    r->db.drv->begin(r->db.conn, &ignored) >= 0) {
		if (r->db.drv->exec(r->db.conn, sql.ptr, sql.len, NULL, &ignored) < 0 ||
		    r->db.drv->commit(r->db.conn, &ignored) < 0)
			r->db.drv->rollback(r->db.conn);
	}
	if (!transactional)
		rt_buf_printf(&r->ctx->err, "\nonce the file is fixed, 'retort %s --resume' continues "
			      "from the failed statement", verb);
	rt_buf_release(&sql);
	rt_buf_release(&ignored);
}

/* The database refused the COMMIT (a deferred constraint, say): reported
 * and recorded as a failed statement of the transaction's last step, at
 * its section's first line, since the database names no line of it. */
static void commit_failed(run *r, int rc)
{
	rt_exec_fail fail = { 0 };
	rt_buf from = RT_BUF_INIT, to = RT_BUF_INIT;

	rt_plan_step_ends(&from, &to, r->tx_rev, r->direction);
	step_failed(r, rc, r->tx_rev, r->tx_script, r->tx_sec, r->tx_sec ? r->tx_sec->line : 0,
		    &fail, from.ptr, to.ptr, r->tx_steps);
	record_failure(r, r->tx_rev, r->tx_script, &fail, 1);
	rt_buf_release(&from);
	rt_buf_release(&to);
}

/* A transaction=false section as it runs (rt_exec_fail.each): a
 * statement passed over on resuming must be the one that ran, checksum
 * for checksum; one that completed is recorded at once. */
typedef struct progress {
	run *r;
	const rt_rev *rev;
	const rt_script *s;
	const rt_section *sec;
	double t0;         /* when the step started */
	int record;        /* outside a transaction: record the trail */
	int opened;        /* its 'running' row is written */
	int refused;       /* a resume refused: the message is complete */
} progress;

/* A history row of this run that is not a step's last word. */
static void trail_entry(rt_history_entry *e, const run *r, const rt_rev *rev,
				  const char *status, const char *checksum, size_t done)
{
	memset(e, 0, sizeof(*e));
	e->revision = rev->s.revision;
	e->direction = r->direction;
	e->status = status;
	e->checksum = checksum;
	e->statements_done = done;
	e->duration_ms = -1;
	e->applied_by = r->by.ptr;
}

/* RETORT_EVENT_STATEMENT, when asked for. */
static void announce(progress *p, const char *stmt, size_t off, size_t len)
{
	run *r = p->r;
	rt_buf first = RT_BUF_INIT, where = RT_BUF_INIT;
	size_t n = strcspn(stmt, "\n");

	if (!r->opts || !r->opts->statement_events || !r->opts->on_event)
		return;
	rt_buf_put(&first, stmt, n < len ? n : len);
	rt_buf_printf(&where, "%s:%d", p->s->path, line_at(p->s, p->sec, off));
	if (!rt_buf_oom(&first) && !rt_buf_oom(&where)) {
		retort_event ev = { 0 };
		ev.type = RETORT_EVENT_STATEMENT;
		ev.direction = r->direction;
		ev.rev = p->rev;
		ev.from = first.ptr;
		ev.to = where.ptr;
		ev.elapsed_ms = rt_now_ms() - p->t0;
		r->opts->on_event(&ev, r->opts->event_payload);
	}
	rt_buf_release(&first);
	rt_buf_release(&where);
}

static int on_statement(void *arg, int what, size_t index, const char *stmt, size_t off,
			size_t len, rt_buf *err)
{
	progress *p = arg;
	run *r = p->r;
	char sum[RT_CHECKSUM_HEX];
	const char *verb = r->direction == RT_DOWN ? "downgrade" : "upgrade";
	int line = line_at(p->s, p->sec, off);
	rt_history_entry e;
	rt_buf sql = RT_BUF_INIT;
	int rc = 0;

	if (what == RT_STMT_START) {
		announce(p, stmt, off, len);
		if (p->opened || !p->record)
			return 0;
		/* the attempt opens (or resumes) just before a statement first
		 * runs: a refused resume leaves the trail as it was */
		p->opened = 1;
		trail_entry(&e, r, p->rev, "running", NULL, index);
		rt_history_insert_sql(&sql, r->db.ht.ptr, &e);
		goto write;
	}
	if (!p->record)
		return 0;
	rt_checksum(sum, stmt, len);
	if (what == RT_STMT_SKIP) {
		if (index < r->db.hist.done_sums.count && !strcmp(sum, r->db.hist.done_sums.items[index]))
			return 0;
		p->refused = 1;
		rt_buf_clear(err);
		if (!r->db.hist.done_sums.count)
			rt_buf_printf(err, "cannot resume the %s of '%s': its history rows were written "
				      "by an older retort and do not say which statements ran, so the "
				      "%zu to pass over cannot be checked; nothing was run", verb,
				      p->rev->s.revision, r->db.hist.failed_done);
		else
			rt_buf_printf(err, "cannot resume the %s of '%s': statement %zu (%s:%d) is not "
				      "the one that ran as statement %zu before the failure, so "
				      "passing over it would skip what never ran; nothing was run",
				      verb, p->rev->s.revision, index + 1, p->s->path, line, index + 1);
		rt_buf_puts(err, "\nthe database is at ");
		describe_rows(err, &r->committed);
		rt_buf_printf(err, ", with %zu statement%s of '%s' applied; put the statements that "
			      "ran back as they were, or undo them by hand and 'retort stamp' the "
			      "revision the database is at", r->db.hist.failed_done,
			      r->db.hist.failed_done == 1 ? "" : "s", p->rev->s.revision);
		return RETORT_EMODIFIED;
	}
	trail_entry(&e, r, p->rev, "statement", sum, index + 1);
	rt_history_insert_sql(&sql, r->db.ht.ptr, &e);
write:
	if (rt_buf_oom(&sql))
		rc = rt_error(err, RETORT_ERROR, "out of memory");
	else if ((rc = r->db.drv->exec(r->db.conn, sql.ptr, sql.len, NULL, err)) < 0)
		rt_buf_printf(err, what == RT_STMT_START ?
			      " (the history row opening statement %zu at %s:%d could not be written; "
			      "it did not run)" :
			      " (statement %zu at %s:%d ran, but its history row could not be written)",
			      index + 1, p->s->path, line);
	rt_buf_release(&sql);
	return rc;
}

/* The refusal when a file has fewer statements than had run. */
static int fewer_statements(run *r, const rt_rev *rev, const rt_exec_fail *fail)
{
	rt_ctx_error(r->ctx, RETORT_EMODIFIED,
		     "cannot resume the %s of '%s': %zu of its statements ran before the failure, "
		     "but the file now has %zu; nothing was run\nthe database is at ",
		     r->direction == RT_DOWN ? "downgrade" : "upgrade", rev->s.revision,
		     fail->skip, fail->applied);
	describe_rows(&r->ctx->err, &r->committed);
	rt_buf_puts(&r->ctx->err, "; put the statements that ran back, or undo them by hand and "
		    "'retort stamp' the revision the database is at");
	return RETORT_EMODIFIED;
}

/* The open transaction holds this step: a refused COMMIT is put down to
 * it (commit_failed). */
static void tx_holds(run *r, rt_rev *rev, const rt_script *s, const rt_section *sec)
{
	r->tx_rev = rev;
	r->tx_script = s;
	r->tx_sec = sec;
	r->tx_steps++;
}

/* A transactional section failed: the migrations the run's transaction
 * held go with it. */
static int section_failed(run *r, int rc, rt_rev *rev, const rt_script *s,
			  const rt_section *sec, const rt_exec_fail *fail, const char *from,
			  const char *to)
{
	size_t held = r->tx_steps + 1;

	db_rollback(r);
	rc = step_failed(r, rc, rev, s, sec, fail_line(s, sec, fail), fail, from, to, held);
	record_failure(r, rev, s, fail, 1);
	return rc;
}

/* The step ran, but its version change or history row could not be
 * written. */
static int not_recorded(run *r, int rc, const rt_rev *rev)
{
	db_rollback(r);
	rt_ctx_error_prefix(r->ctx, rc, "cannot record '%s' in the version table: ",
			    rev->s.revision);
	return rc;
}

/* Can this step go to the database in one request (step_in_one)?  Not a
 * section that runs outside a transaction or switches foreign keys off,
 * one whose statements are announced one by one, or one resumed. */
static int one_request(const run *r, const rt_rev *rev, const rt_section *sec)
{
	return r->db.drv->exec_step && sec && sec->transactional &&
	       !(sec->foreign_keys_off && r->db.drv->foreign_keys) &&
	       !(r->opts && r->opts->statement_events) &&
	       !(r->resuming && rev == r->db.hist.failed);
}

/* A transactional step in one request (rt_driver.exec_step): its section,
 * its version change and, when it commits (a transaction per migration),
 * the history rows and the COMMIT.  With no transaction open, the request
 * opens one, and the driver's guard checks that the lock is free and the
 * rows are still r->db.rows before anything runs.  Returns 1 when the
 * driver sent nothing or the guard did not hold: the step then goes
 * statement by statement, after the caller has waited for the lock and
 * read the rows again. */
static int step_in_one(run *r, rt_rev *rev, const rt_script *s, const rt_section *sec,
		       rt_buf *vsql, rt_plan_step_rows *next, const char *from, const char *to,
		       double t0)
{
	const char *status = r->direction == RT_DOWN ? "reverted" : "applied";
	rt_step_sql q = { 0 };
	rt_exec_fail fail = { 0 };
	rt_buf rows = RT_BUF_INIT, tail = RT_BUF_INIT;
	int rc, opens = !r->in_tx;

	rt_buf_puts(&tail, vsql->ptr);
	if (r->per_migration) {
		if (r->npending)
			rt_buf_printf(&tail, "%s;\n", r->pending.ptr);
		history_row(r, &tail, rev, s, status, 0, ELAPSED_ON_SERVER, NULL);
	}
	if (opens) {
		rt_session_rows_sql(&r->db, &rows);
		q.rows_sql = rows.ptr;
		q.rows = &r->db.rows;
		r->tx_rev = NULL;
		r->tx_steps = 0;
		r->tx_first = r->ctx->run_steps.count;
	}
	if (rt_buf_oom(&rows) || rt_buf_oom(&tail)) {
		rc = rt_ctx_error(r->ctx, RETORT_ERROR, "out of memory");
		goto done;
	}
	q.body = s->text + sec->offset;
	q.len = sec->len;
	q.tail = tail.ptr;
	q.commit = r->per_migration;
	rc = r->db.drv->exec_step(r->db.conn, &q, &fail, &r->ctx->err);
	if (rc > 0 || (rc < 0 && q.failed == RT_PART_GUARD && opens)) {
		rt_buf_clear(&r->ctx->err);
		rc = 1;
		goto done;
	}
	if (rc < 0) {
		r->in_tx = 1; /* what failed was in a transaction, now rolled back */
		if (q.failed == RT_PART_BODY) {
			rc = section_failed(r, rc, rev, s, sec, &fail, from, to);
		} else if (q.failed == RT_PART_COMMIT) {
			tx_holds(r, rev, s, sec);
			rc = commit_refused(r, rc);
		} else {
			rc = not_recorded(r, rc, rev);
		}
		goto done;
	}
	r->in_tx = 1;
	swap_rows(r, &next->next);
	if (q.commit) {
		rt_buf_clear(&r->pending);
		r->npending = 0;
		rc = committed(r);
		goto done;
	}
	tx_holds(r, rev, s, sec);
	rc = history_row(r, NULL, rev, s, status, 0, rt_now_ms() - t0, NULL);
done:
	rt_buf_release(&rows);
	rt_buf_release(&tail);
	return rc;
}

static int run_step(run *r, rt_rev *rev, const rt_script *s)
{
	rt_exec_fail fail = { 0 };
	rt_plan_step_rows next = { 0 };
	rt_buf from = RT_BUF_INIT, to = RT_BUF_INIT, vsql = RT_BUF_INIT;
	const char *verb = r->direction == RT_DOWN ? "downgrade" : "upgrade";
	const rt_section *sec = rt_script_section(s, r->direction, r->db.drv->name);
	double t0 = rt_now_ms(), ms;
	progress prog = { r, rev, s, sec, t0, sec && !sec->transactional, 0, 0 };
	int rc, fk_was = -1, commits;

	if (r->resuming && rev == r->db.hist.failed)
		fail.skip = r->db.hist.failed_done;
	if ((rc = step_versions(r, &vsql, &next, rev)) < 0)
		goto done;
	rt_plan_step_ends(&from, &to, rev, r->direction);
	/* once: a step whose one request met a held lock is tried again */
	if (r->started != rev) {
		r->started = rev;
		emit(r, RETORT_EVENT_START, rev, from.ptr, to.ptr, 0);
		rt_log_printf(rt_ctx_log(r->ctx), "%s %s -> %s (%s) start", verb, from.ptr,
			      to.ptr, s->path);
	}
	if (one_request(r, rev, sec)) {
		rc = step_in_one(r, rev, s, sec, &vsql, &next, from.ptr, to.ptr, t0);
		if (rc == 0)
			goto finished;
		/* 1: statement by statement, in a transaction that has read
		 * the rows (the caller opens one when there is none) */
		if (rc < 0 || !r->in_tx)
			goto done;
	}
	if (sec && !sec->transactional) {
		/* outside any transaction, each statement recorded as it
		 * completes (on_statement); the version change follows in a
		 * transaction of its own */
		if ((rc = db_commit(r)) < 0)
			goto done;
		fail.each = on_statement;
		fail.each_arg = &prog;
		rc = r->db.drv->exec(r->db.conn, s->text + sec->offset, sec->len, &fail, &r->ctx->err);
		if (rc >= 0 && fail.applied < fail.skip)
			rc = fewer_statements(r, rev, &fail);
		if (rc < 0 && !prog.refused && fail.applied >= fail.skip) {
			rc = step_failed(r, rc, rev, s, sec, fail_line(s, sec, &fail), &fail,
					 from.ptr, to.ptr, 1);
			record_failure(r, rev, s, &fail, 0);
		}
		if (rc < 0)
			goto done;
	} else if (sec) {
		/* foreign_keys=off (a SQLite table rebuild): the switch works
		 * only outside a transaction, so this migration gets its own,
		 * and foreign_key_check must pass before it commits */
		if (sec->foreign_keys_off && r->db.drv->foreign_keys &&
		    ((rc = db_commit(r)) < 0 ||
		     (rc = r->db.drv->foreign_keys(r->db.conn, 0, &fk_was, &r->ctx->err)) < 0))
			goto done;
		if ((rc = db_begin(r)) < 0)
			goto done;
		if (r->opts && r->opts->statement_events) {
			fail.each = on_statement;
			fail.each_arg = &prog;
		}
		rc = r->db.drv->exec(r->db.conn, s->text + sec->offset, sec->len, &fail, &r->ctx->err);
		if (rc >= 0 && fk_was >= 0 && r->db.drv->foreign_key_check)
			rc = r->db.drv->foreign_key_check(r->db.conn, &r->ctx->err);
		if (rc < 0) {
			rc = section_failed(r, rc, rev, s, sec, &fail, from.ptr, to.ptr);
			goto done;
		}
	}
	ms = rt_now_ms() - t0;
	if ((rc = history_row(r, NULL, rev, s, r->direction == RT_DOWN ? "reverted" : "applied",
			      fail.applied, ms, NULL)) < 0)
		goto done;
	/* a step that commits takes its history row along with the version
	 * change; otherwise the row waits for the run's commit.  What ran
	 * outside a transaction stays, whatever follows: its version change
	 * commits at once. */
	commits = r->per_migration || fk_was >= 0 || (sec && !sec->transactional);
	if (commits)
		take_pending(r, &vsql);
	if ((rc = db_begin(r)) < 0 || (rc = db_exec(r, vsql.ptr)) < 0)
		goto failed;
	swap_rows(r, &next.next);
	if (!sec || sec->transactional)
		tx_holds(r, rev, s, sec); /* the database may yet refuse it at COMMIT */
	/* a refused COMMIT of a transactional step is reported as its
	 * failure by db_commit; transaction=false left only its version
	 * change to commit */
	if (commits && (rc = db_commit(r)) < 0) {
		if (sec && !sec->transactional)
			goto failed;
		goto done;
	}
finished:
	if (rev == r->db.hist.failed)
		r->resuming = 0;
	ms = rt_now_ms() - t0; /* what the user waited for includes the commit */
	if (rt_strlist_add(&r->ctx->run_steps, rev->s.revision) < 0) {
		rc = rt_ctx_error(r->ctx, RETORT_ERROR, "out of memory");
		goto done;
	}
	rt_log_printf(rt_ctx_log(r->ctx), "%s %s -> %s done in %.1f ms", verb, from.ptr, to.ptr,
		      ms);
	emit(r, RETORT_EVENT_DONE, rev, from.ptr, to.ptr, ms);
	goto done;
failed:
	rc = not_recorded(r, rc, rev);
done:
	if (fk_was > 0) { /* back on, as it was */
		rt_buf ignored = RT_BUF_INIT;
		db_rollback(r);
		r->db.drv->foreign_keys(r->db.conn, 1, NULL, &ignored);
		rt_buf_release(&ignored);
	}
	rt_strlist_release(&fail.done);
	rt_plan_step_release(&next);
	rt_buf_release(&from);
	rt_buf_release(&to);
	rt_buf_release(&vsql);
	return rc;
}

/* Start a transaction, make sure the version table exists, read it. */
static int begin_and_read(run *r, int create)
{
	rt_strlist now = { 0 };
	int rc;

	if ((rc = db_begin(r)) < 0) {
		if (rc == RETORT_EBUSY) {
			rt_buf_puts(&r->ctx->err, "; the database is at ");
			describe_rows(&r->ctx->err, &r->committed);
			if (!r->changed)
				rt_buf_puts(&r->ctx->err, "; nothing was changed");
		}
		return rc;
	}
	if (create) {
		rt_buf ddl = RT_BUF_INIT;
		rt_vtable_create_sql(&ddl, r->db.drv, r->db.vt.ptr, r->ctx->cfg.version_table);
		rt_history_create_sql(&ddl, r->db.drv, r->db.ht.ptr);
		rc = db_exec(r, ddl.ptr);
		rt_buf_release(&ddl);
		if (rc < 0)
			return rc;
	}
	if ((rc = rt_session_read_rows(&r->db, &now)) < 0) {
		rt_strlist_release(&now);
		return rc;
	}
	swap_rows(r, &now);
	if (copy_rows(&r->committed, &r->db.rows) < 0)
		return rt_ctx_error(r->ctx, RETORT_ERROR, "out of memory");
	return 0;
}

static int check_state(run *r, int verify);

static void waiting(void *payload)
{
	emit(payload, RETORT_EVENT_WAITING, NULL, NULL, NULL, 0);
}

/* Before a section that runs outside a transaction: take the driver's
 * hold on the lock, outside any transaction, then read the rows and the
 * history again under it.  *moved when the rows are not what they were. */
static int hold_for(run *r, const rt_rev *rev, int *moved)
{
	rt_strlist before = { 0 };
	int rc;

	*moved = 0;
	if (!r->db.drv->hold || r->held)
		return 0;
	if ((rc = copy_rows(&before, &r->db.rows)) < 0 || (rc = db_commit(r)) < 0)
		goto done;
	if ((rc = r->db.drv->hold(r->db.conn, 1, &r->ctx->err)) < 0) {
		rt_buf_printf(&r->ctx->err, "\n'%s' (%s) has such a section; the database is at ",
			      rev->s.revision, rev->s.path);
		describe_rows(&r->ctx->err, &r->committed);
		rt_buf_printf(&r->ctx->err, "; nothing of '%s' was applied", rev->s.revision);
		goto done;
	}
	r->held = 1;
	if ((rc = begin_and_read(r, 0)) >= 0 && (rc = check_state(r, 0)) >= 0)
		*moved = !same_rows(&r->db.rows, &before);
done:
	if (rc == RETORT_ERROR && rt_buf_oom(&r->ctx->err))
		rc = rt_ctx_error(r->ctx, RETORT_ERROR, "out of memory");
	rt_strlist_release(&before);
	return rc;
}

static void release_hold(run *r)
{
	rt_buf ignored = RT_BUF_INIT;

	if (r->held)
		r->db.drv->hold(r->db.conn, 0, &ignored);
	r->held = 0;
	rt_buf_release(&ignored);
}

/* Does the next step need a transaction that has read the rows?  Inside
 * the run's one transaction nobody else can move the version table; a new
 * transaction reads it again, unless the step's one request checks that
 * they are as we left them (and its guard did not fail: `reread`). */
static int read_first(const run *r, const rt_rev *rev, const rt_script *s, int reread)
{
	if (r->in_tx)
		return 0;
	return reread || !one_request(r, rev, rt_script_section(s, r->direction, r->db.drv->name));
}

static int run_online(run *r)
{
	rt_revvec plan = { 0 };
	rt_strlist expected = { 0 };
	rt_script *scripts = NULL;
	const rt_section *sec;
	size_t next = 0, i;
	int rc, first = 1, moved = 0, reread = 0;

	for (;;) {
		if ((first || read_first(r, plan.v[next], &scripts[next], reread)) &&
		    (rc = begin_and_read(r, first)) < 0)
			goto done;
		reread = 0;
		if (first && copy_rows(&r->ctx->run_from, &r->db.rows) < 0) {
			rc = rt_ctx_error(r->ctx, RETORT_ERROR, "out of memory");
			goto done;
		}
		if (first && (rc = check_state(r, 1)) < 0)
			goto done;
		if (first || moved || !same_rows(&r->db.rows, &expected)) {
			/* first step, or another process moved the database */
			rt_run_free_scripts(scripts, plan.n);
			scripts = NULL;
			if ((rc = make_plan(&plan, r, r->spec)) < 0 ||
			    (rc = rt_run_load_scripts(&scripts, r->ctx, &plan, r->direction,
							 r->db.drv->name)) < 0)
				goto done;
			next = 0;
			if (r->resuming && (!plan.n || plan.v[0] != r->db.hist.failed ||
					    r->db.hist.failed_direction != r->direction)) {
				rc = rt_ctx_error(r->ctx, RETORT_EPARTIAL,
						  "cannot resume: the failed step is the %s of '%s', "
						  "which this run would not run first; nothing was changed",
						  r->db.hist.failed_direction == RT_DOWN ? "downgrade" : "upgrade",
						  r->db.hist.failed->s.revision);
				goto done;
			}
			if (!plan.n) {
				rc = db_commit(r);
				if (first && rc >= 0)
					emit(r, RETORT_EVENT_NOTHING, NULL, NULL, NULL, 0);
				goto done;
			}
		}
		first = 0;
		sec = rt_script_section(&scripts[next], r->direction, r->db.drv->name);
		if (sec && !sec->transactional && !r->held) {
			if ((rc = hold_for(r, plan.v[next], &moved)) < 0)
				goto done;
			if (moved)
				continue;
		}
		if ((rc = run_step(r, plan.v[next], &scripts[next])) < 0)
			goto done;
		if (rc > 0) { /* the guard of its one request did not hold */
			reread = 1;
			continue;
		}
		if (r->held && !r->in_tx)
			release_hold(r);
		rt_strlist_release(&expected);
		for (i = 0; i < r->db.rows.count; i++)
			if (rt_strlist_add(&expected, r->db.rows.items[i]) < 0) {
				rc = rt_ctx_error(r->ctx, RETORT_ERROR, "out of memory");
				goto done;
			}
		if (++next == plan.n)
			break;
	}
	rc = db_commit(r);
done:
	if (rc < 0)
		db_rollback(r);
	release_hold(r);
	/* what the database holds now: a failure rolled back what was not
	 * committed */
	copy_rows(&r->ctx->run_to, rc < 0 ? &r->committed : &r->db.rows);
	rt_run_free_scripts(scripts, plan.n);
	rt_revvec_release(&plan);
	rt_strlist_release(&expected);
	return rc;
}

/* ---- offline ---------------------------------------------------------------- */

/* The offline writer (offline.c) gets what it needs of the run. */
static void offline_of(rt_offline *o, run *r)
{
	memset(o, 0, sizeof(*o));
	o->ctx = r->ctx;
	o->g = r->db.g;
	o->drv = r->db.drv;
	o->opts = r->opts;
	o->direction = r->direction;
	o->spec = r->spec;
	o->per_migration = r->per_migration;
	o->vt = r->db.vt.ptr;
	o->ht = r->db.ht.ptr;
	o->by = r->by.ptr;
	rt_buf_init(&o->out);
}

static int run_offline(run *r)
{
	rt_offline o;
	int rc;

	offline_of(&o, r);
	rc = rt_offline_run(&o);
	rt_offline_release(&o);
	return rc;
}

/* ---- stamp ------------------------------------------------------------------ */

/* Everything above or below the revisions of `t`: the rows a stamp to
 * `t` replaces.  Marks them with one stamp (returned in *mark). */
static int stamp_lineage(run *r, rt_revvec *lineage, const rt_target *t, unsigned int *mark)
{
	rt_revvec up = { 0 };
	size_t i;
	int rc = 0;

	if (rt_graph_ancestors(r->db.g, lineage, t->revs.v, t->revs.n) < 0 ||
	    rt_graph_descendants(r->db.g, &up, t->revs.v, t->revs.n) < 0)
		rc = RETORT_ERROR;
	for (i = 0; rc >= 0 && i < up.n; i++) {
		size_t k;
		for (k = 0; k < t->revs.n && t->revs.v[k] != up.v[i]; k++)
			; /* a target is its own ancestor and descendant */
		if (k == t->revs.n)
			rc = rt_revvec_push(lineage, up.v[i]);
	}
	*mark = rt_graph_mark(r->db.g);
	for (i = 0; rc >= 0 && i < lineage->n; i++)
		lineage->v[i]->mark = *mark;
	rt_revvec_release(&up);
	return rc;
}

/* New rows for stamping `t`: the target's revisions, plus the rows that
 * are on unrelated branches (neither above nor below any target).  An
 * offline stamp without FROM cannot read the rows: `lineage_sql` gets a
 * DELETE of every row the online stamp would replace, so the script ends
 * where the online stamp would on any database. */
static int stamp_rows(run *r, rt_strlist *next, rt_buf *lineage_sql, const rt_target *t,
		      int purge)
{
	rt_revvec lineage = { 0 };
	unsigned int mark = 0;
	size_t i;
	int rc = 0;

	if (!purge && t->revs.n) {
		rc = stamp_lineage(r, &lineage, t, &mark);
		for (i = 0; rc >= 0 && i < r->db.rows.count; i++) {
			rt_rev *row = rt_graph_get(r->db.g, r->db.rows.items[i]);
			if (!row || row->mark != mark)
				rc = rt_strlist_add(next, r->db.rows.items[i]);
		}
		for (i = 0; rc >= 0 && lineage_sql && i < lineage.n; i++)
			rt_buf_printf(lineage_sql, "%s'%s'", i ? ", " : "", lineage.v[i]->s.revision);
	}
	for (i = 0; rc >= 0 && i < t->revs.n; i++)
		if (!rt_strlist_has(next, t->revs.v[i]->s.revision))
			rc = rt_strlist_add(next, t->revs.v[i]->s.revision);
	rt_revvec_release(&lineage);
	return rc < 0 ? rt_ctx_error(r->ctx, RETORT_ERROR, "out of memory") : 0;
}

/* Resolve stamp's targets: one or more, separated by spaces or commas (`stamp b2
 * c2`), none above or below another (Alembic's "overlaps"). */
static int stamp_targets(run *r, rt_target *t, const char *to_spec)
{
	rt_strlist specs = { 0 };
	rt_revvec below = { 0 };
	size_t i, k;
	int rc = 0;

	if (rt_strlist_split(&specs, to_spec) < 0)
		return rt_ctx_error(r->ctx, RETORT_ERROR, "out of memory");
	if (specs.count < 2) {
		rt_strlist_release(&specs);
		return rt_target_resolve(t, r->db.g, to_spec, &r->db.rows, 0, &r->ctx->err);
	}
	memset(t, 0, sizeof(*t));
	for (i = 0; i < specs.count && rc >= 0; i++) {
		rt_target one;
		if ((rc = rt_target_resolve(&one, r->db.g, specs.items[i], &r->db.rows, 0,
					    &r->ctx->err)) < 0)
			break;
		for (k = 0; k < one.revs.n && rc >= 0; k++)
			rc = rt_revvec_push(&t->revs, one.revs.v[k]);
		rt_target_release(&one);
	}
	for (i = 0; rc >= 0 && i < t->revs.n; i++) {
		below.n = 0;
		if ((rc = rt_graph_ancestors(r->db.g, &below, &t->revs.v[i], 1)) < 0)
			break;
		for (k = 0; k < t->revs.n && rc >= 0; k++)
			if (k != i && t->revs.v[k]->mark == r->db.g->stamp)
				rc = rt_ctx_error(r->ctx, RETORT_EUSAGE,
						  "stamp: '%s' is below '%s'; name revisions of "
						  "separate branches; nothing was changed",
						  t->revs.v[k]->s.revision, t->revs.v[i]->s.revision);
	}
	rt_strlist_release(&specs);
	rt_revvec_release(&below);
	if (rc < 0)
		rt_target_release(t);
	return rc == RETORT_ERROR ? rt_ctx_error(r->ctx, rc, "out of memory") : rc;
}

/* A history row for a revision whose file is not loaded yet. */
static int file_history_row(run *r, rt_buf *out, const rt_rev *rev, const char *status)
{
	rt_script s = { 0 };
	int rc;

	if ((rc = rt_rev_load_checked(&s, r->db.g, rev, &r->ctx->err)) >= 0)
		rc = history_row(r, out, rev, &s, status, 0, -1, NULL);
	rt_script_release(&s);
	return rc;
}

/* stamp --fix-checksums: record the files as they are now for applied
 * revisions; the version table stays as it is. */
static int fix_checksums(run *r, const rt_target *t, rt_buf *sql)
{
	unsigned char *applied = NULL;
	size_t i;
	int rc;

	if ((rc = rt_plan_applied(&applied, r->db.g, &r->db.rows, &r->ctx->err)) < 0)
		return rc;
	for (i = 0; i < t->revs.n && rc >= 0; i++) {
		if (!applied[t->revs.v[i]->topo])
			rc = rt_ctx_error(r->ctx, RETORT_ECONFLICT,
					  "'%s' is not applied: there is no checksum to fix; nothing "
					  "was changed", t->revs.v[i]->s.revision);
		else
			rc = file_history_row(r, sql, t->revs.v[i], "fixed");
	}
	free(applied);
	return rc;
}

static int run_stamp(run *r, const char *to_spec)
{
	rt_target t = { 0 };
	rt_strlist next = { 0 };
	rt_buf sql = RT_BUF_INIT, ids = RT_BUF_INIT;
	rt_buf lineage = RT_BUF_INIT;
	int purge = (r->opts && r->opts->purge) || r->replace_rows;
	size_t i;
	int rc;

	if (!purge && (rc = rt_plan_rows_to_revs(&t.revs, r->db.g, &r->db.rows, &r->ctx->err)) < 0)
		goto done;
	rt_target_release(&t);
	if ((rc = stamp_targets(r, &t, to_spec)) < 0)
		goto done;
	/* offline without FROM: replace what the online stamp would replace,
	 * not every row (only --purge and base empty the table) */
	if (r->replace_rows && t.revs.n && !(r->opts && r->opts->purge))
		purge = 0;
	if (r->opts && r->opts->fix_checksums) {
		if ((rc = fix_checksums(r, &t, &sql)) < 0 || (rc = db_exec(r, sql.ptr)) < 0 ||
		    (rc = db_commit(r)) < 0)
			goto done;
		rt_log_printf(rt_ctx_log(r->ctx), "stamp --fix-checksums %s", r->spec);
		emit(r, RETORT_EVENT_STAMP, NULL, NULL, r->spec, 0);
		goto done;
	}
	if ((rc = stamp_rows(r, &next, r->replace_rows ? &lineage : NULL, &t, purge)) < 0)
		goto done;
	if (purge)
		rt_buf_printf(&sql, "DELETE FROM %s;\n", r->db.vt.ptr);
	else if (lineage.len)
		rt_buf_printf(&sql, "DELETE FROM %s WHERE version_num IN (%s);\n", r->db.vt.ptr,
			      lineage.ptr);
	else
		for (i = 0; i < r->db.rows.count; i++)
			if (!rt_strlist_has(&next, r->db.rows.items[i]))
				rt_vtable_delete_sql(&sql, r->db.vt.ptr, r->db.rows.items[i]);
	for (i = 0; i < next.count && rc >= 0; i++)
		if (purge || !rt_strlist_has(&r->db.rows, next.items[i])) {
			rt_vtable_insert_sql(&sql, r->db.vt.ptr, next.items[i]);
			rc = file_history_row(r, &sql, rt_graph_get(r->db.g, next.items[i]), "stamped");
		}
	/* a stamp is how a hand-repaired failure is declared done */
	if (rc >= 0 && r->db.hist.failed)
		rc = file_history_row(r, &sql, r->db.hist.failed, "cleared");
	if (rc < 0)
		goto done;
	if (r->db.conn) {
		if ((rc = db_exec(r, sql.ptr)) < 0 || (rc = db_commit(r)) < 0)
			goto done;
	} else {
		rt_offline o;
		offline_of(&o, r);
		rc = rt_offline_stamp(&o, sql.ptr);
		rt_offline_release(&o);
		if (rc < 0)
			goto done;
	}
	join_ids(&ids, &next);
	rt_log_printf(rt_ctx_log(r->ctx), "stamp %s", ids.len ? ids.ptr : "base");
	swap_rows(r, &next);
	emit(r, RETORT_EVENT_STAMP, NULL, NULL, ids.ptr, 0);
done:
	rt_target_release(&t);
	rt_strlist_release(&next);
	rt_buf_release(&sql);
	rt_buf_release(&ids);
	rt_buf_release(&lineage);
	return rc;
}

/* ---- schema_file ------------------------------------------------------------- */

/* The schema file's format, by its extension: .json, .mmd or .mermaid,
 * .dot or .gv; anything else is SQL. */
static const char *schema_file_format(const char *path)
{
	static const char *const ext_format[][2] = {
		{ ".json", "json" }, { ".mmd", "mermaid" }, { ".mermaid", "mermaid" },
		{ ".dot", "dot" }, { ".gv", "dot" },
	};
	const char *base = strrchr(path, '/'), *ext = strrchr(base ? base : path, '.');
	size_t i;

	for (i = 0; ext && i < sizeof(ext_format) / sizeof(ext_format[0]); i++)
		if (!strcasecmp(ext, ext_format[i][0]))
			return ext_format[i][1];
	return "sql";
}

/*
 * After an online run: rewrite schema_file with what the database now
 * holds, when the run succeeded or, failing, changed the database (a
 * failure may leave committed steps behind: the file shows them).  `rc`
 * is the run's result, returned unless the file could not be written
 * after a success; the message then says the database was migrated all
 * the same.  The file is replaced by a rename: never half written.
 */
static int write_schema_file(retort *ctx, int rc, int changed, const char *verb)
{
	const char *path = ctx->cfg.schema_file;
	rt_buf run_err = RT_BUF_INIT, why = RT_BUF_INIT;
	char *text = NULL;
	int wrc;

	if (!path || (rc < 0 && !changed))
		return rc;
	/* the dump starts with a clear message: keep the run's */
	rt_buf_puts(&run_err, ctx->err.ptr);
	if ((wrc = retort_schema_render(&text, ctx, schema_file_format(path), NULL, 0)) >= 0)
		wrc = rt_write_file(path, text, strlen(text), 0, &ctx->err);
	rt_buf_puts(&why, ctx->err.ptr);
	rt_buf_clear(&ctx->err);
	rt_buf_puts(&ctx->err, run_err.ptr);
	if (wrc >= 0)
		rt_log_printf(rt_ctx_log(ctx), "schema file %s rewritten", path);
	else if (rc >= 0)
		rc = rt_ctx_error(ctx, wrc, "the %s is done: the database is %s and committed, "
				  "but schema_file '%s' could not be rewritten: %s", verb,
				  strcmp(verb, "stamp") ? "migrated" : "stamped", path, why.ptr);
	else
		rt_buf_printf(&ctx->err, "\nschema_file '%s' could not be rewritten either: %s",
			      path, why.ptr);
	if (wrc < 0)
		rt_log_printf(rt_ctx_log(ctx), "schema file %s not written: %s", path, why.ptr);
	free(text);
	rt_buf_release(&run_err);
	rt_buf_release(&why);
	return rc;
}

/* ---- entry points ------------------------------------------------------------- */

/* Checks made under the lock before the run changes anything: every
 * applied file is as it was applied (`verify`), and no failed or
 * interrupted step waits to be resumed.  Reads the history into r->db.hist. */
static int check_state(run *r, int verify)
{
	int resume = r->opts && r->opts->resume;
	const char *verb;
	rt_strlist problems = { 0 };
	unsigned char *applied = NULL;
	size_t i;
	int rc;

	rt_history_release(&r->db.hist);
	if ((rc = rt_history_read(&r->db.hist, r->db.g, r->db.drv, r->db.conn, &r->ctx->cfg,
				  &r->ctx->err)) < 0)
		goto done;
	if (verify && (rc = rt_plan_applied(&applied, r->db.g, &r->db.rows, &r->ctx->err)) < 0)
		goto done;
	/* the failed revision's file is being fixed: resuming checks the
	 * statements it passes over instead */
	if (applied && resume && r->db.hist.failed)
		applied[r->db.hist.failed->topo] = 0;
	if (applied && (rc = rt_history_verify(&problems, &r->db.hist, r->db.g, applied,
					       &r->ctx->sums, &r->ctx->err)) < 0)
		goto done;
	verb = r->db.hist.failed_direction == RT_DOWN ? "downgrade" : "upgrade";
	if (problems.count) {
		rt_buf_clear(&r->ctx->err);
		rt_buf_printf(&r->ctx->err, "%zu applied migration%s changed since %s applied; "
			      "nothing was changed", problems.count, problems.count == 1 ? "" : "s",
			      problems.count == 1 ? "it was" : "they were");
		for (i = 0; i < problems.count; i++)
			rt_buf_printf(&r->ctx->err, "\n%s", problems.items[i]);
		rt_buf_puts(&r->ctx->err, "\nundo the edit, or accept it with "
			    "'retort stamp --fix-checksums REV'");
		rc = RETORT_EMODIFIED;
	} else if (r->db.hist.failed && !resume && r->db.hist.interrupted) {
		rc = rt_ctx_error(r->ctx, RETORT_EPARTIAL,
				  "the %s of '%s' (%s) was interrupted at statement %zu of its "
				  "transaction=false section: the run stopped (killed?) after %zu "
				  "statement%s had completed; nothing was changed\nstatement %zu was "
				  "running when it stopped: check whether it took effect, then "
				  "'retort %s --resume' runs it again and continues, or undo the "
				  "completed statements by hand and 'retort stamp' the revision the "
				  "database is at",
				  verb, r->db.hist.failed->s.revision, r->db.hist.failed->s.path,
				  r->db.hist.failed_done + 1, r->db.hist.failed_done,
				  r->db.hist.failed_done == 1 ? "" : "s", r->db.hist.failed_done + 1, verb);
	} else if (r->db.hist.failed && !resume) {
		rc = rt_ctx_error(r->ctx, RETORT_EPARTIAL,
				  "the %s of '%s' (%s) failed part way on an earlier run: %zu "
				  "statement%s of its transaction=false section had been applied; "
				  "nothing was changed\nerror then: %s\nfix the file and run "
				  "'retort %s --resume', or undo those statements by hand and "
				  "'retort stamp' the revision the database is at",
				  verb, r->db.hist.failed->s.revision, r->db.hist.failed->s.path,
				  r->db.hist.failed_done, r->db.hist.failed_done == 1 ? "" : "s",
				  r->db.hist.failed_error, verb);
	} else if (resume && !r->db.hist.failed) {
		rc = rt_ctx_error(r->ctx, RETORT_EUSAGE,
				  "there is no failed migration to resume; nothing was changed");
	}
	r->resuming = resume && rc >= 0 && r->db.hist.failed;
done:
	rt_strlist_release(&problems);
	free(applied);
	return rc;
}

/* The graph and the driver, and online the connection and the lock. */
static int run_start(run *r, retort *ctx, int direction, const char *spec,
		     const retort_run_options *opts)
{
	int rc;

	memset(r, 0, sizeof(*r));
	r->ctx = ctx;
	r->direction = direction;
	r->spec = spec;
	r->opts = opts;
	rt_session_init(&r->db, ctx);
	r->db.on_wait = waiting;
	r->db.wait_payload = r;
	rt_buf_init(&r->by);
	rt_buf_init(&r->pending);
	r->per_migration = ctx->cfg.transaction_per_migration;
	if ((rc = rt_session_open(&r->db, RT_SESSION_GRAPH)) < 0)
		return rc;
	rt_history_applied_by(&r->by);
	if (opts && opts->offline)
		return 0;
	rt_log_printf(rt_ctx_log(ctx), "%s %s on %s",
		      direction == RT_DOWN ? "downgrade" : direction == RT_UP ? "upgrade" : "stamp",
		      spec ? spec : "head", r->db.url.masked);
	return rt_session_open(&r->db, RT_SESSION_LOCK);
}

static void run_end(run *r)
{
	if (r->db.conn)
		db_rollback(r);
	rt_session_release(&r->db);
	rt_buf_release(&r->by);
	rt_buf_release(&r->pending);
	rt_strlist_release(&r->committed);
}

/* Back the database up before the run changes it (--backup, or backup =
 * true), when there is anything to do: the plan is made from the rows
 * read here, and made again in the run's first transaction. */
static int backup_first(run *r)
{
	const rt_url *url = &r->db.url;
	rt_revvec plan = { 0 };
	rt_buf revs = RT_BUF_INIT;
	char *path = NULL;
	double t0 = rt_now_ms();
	int want, rc;

	if ((rc = rt_backup_wanted(&want, r->opts, &r->ctx->cfg, &r->ctx->err)) < 0 || !want)
		return rc;
	if (r->ctx->conn_handle)
		return rt_ctx_error(r->ctx, RETORT_EUSAGE, "a backup needs the database's URL, and "
				    "the context runs on the program's own connection; back it up "
				    "before, or turn backup off for this run; nothing was changed");
	if ((rc = rt_session_open(&r->db, RT_SESSION_ROWS | RT_SESSION_HISTORY)) < 0 ||
	    (rc = make_plan(&plan, r, r->spec)) < 0 || !plan.n)
		goto done;
	if ((rc = rt_backup_make(&path, r->db.drv, url, &r->ctx->cfg, &r->db.rows, &r->ctx->err)) < 0)
		goto done;
	join_ids(&revs, &r->db.rows);
	rt_log_printf(rt_ctx_log(r->ctx), "backup of %s at %s written to %s (%.1f ms)",
		      url->masked, revs.len ? revs.ptr : "base", path, rt_now_ms() - t0);
	emit(r, RETORT_EVENT_BACKUP, NULL, revs.ptr, path, rt_now_ms() - t0);
done:
	free(path);
	rt_revvec_release(&plan);
	rt_buf_release(&revs);
	return rc;
}

static int migrate(retort *ctx, int direction, const char *spec, const retort_run_options *opts)
{
	run r;
	int rc;

	rt_buf_clear(&ctx->err);
	if ((rc = RT_CTX_CHECK_OPTIONS(ctx, opts, RETORT_RUN_OPTIONS_VERSION,
				       "retort_run_options")) < 0)
		return rc;
	rt_strlist_release(&ctx->run_from);
	rt_strlist_release(&ctx->run_to);
	rt_strlist_release(&ctx->run_steps);
	if ((rc = run_start(&r, ctx, direction, spec, opts)) >= 0) {
		if (opts && opts->offline)
			rc = run_offline(&r);
		else if ((rc = backup_first(&r)) >= 0)
			rc = run_online(&r);
	}
	if (rc < 0 && !(opts && opts->offline))
		rt_log_printf(rt_ctx_log(ctx), "failed: %s", ctx->err.ptr);
	run_end(&r);
	if (!(opts && opts->offline))
		rc = write_schema_file(ctx, rc, r.changed, direction == RT_DOWN ? "downgrade"
							       : "upgrade");
	return rc;
}

int retort_upgrade(retort *ctx, const char *target, const retort_run_options *opts)
{
	return migrate(ctx, RT_UP, target && *target ? target : "head", opts);
}

int retort_downgrade(retort *ctx, const char *target, const retort_run_options *opts)
{
	if (!target || !*target)
		return rt_ctx_error(ctx, RETORT_EUSAGE, "downgrade needs a target (-1, base, a revision)");
	return migrate(ctx, RT_DOWN, target, opts);
}

static int copy_out(retort_strarray *out, const rt_strlist *rows)
{
	size_t i;

	if (!rows->count)
		return 0;
	if (!(out->strings = calloc(rows->count, sizeof(*out->strings))))
		return RETORT_ERROR;
	for (i = 0; i < rows->count; i++, out->count++)
		if (!(out->strings[i] = rt_strdup(rows->items[i])))
			return RETORT_ERROR;
	return 0;
}

int retort_run_result(retort_run_summary *out, retort *ctx)
{
	memset(out, 0, sizeof(*out));
	if (copy_out(&out->from, &ctx->run_from) < 0 || copy_out(&out->to, &ctx->run_to) < 0 ||
	    copy_out(&out->steps, &ctx->run_steps) < 0) {
		retort_run_summary_release(out);
		return rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	}
	return 0;
}

void retort_run_summary_release(retort_run_summary *summary)
{
	retort_strarray_release(&summary->from);
	retort_strarray_release(&summary->to);
	retort_strarray_release(&summary->steps);
}

int retort_stamp(retort *ctx, const char *target, const retort_run_options *opts)
{
	const char *to_spec = target;
	char *from_spec = NULL;
	run r;
	int rc;

	if (!target || !*target)
		return rt_ctx_error(ctx, RETORT_EUSAGE, "stamp needs a target revision");
	rt_buf_clear(&ctx->err);
	if ((rc = RT_CTX_CHECK_OPTIONS(ctx, opts, RETORT_RUN_OPTIONS_VERSION,
				       "retort_run_options")) < 0)
		return rc;
	if ((rc = run_start(&r, ctx, 0, target, opts)) < 0)
		goto done;
	if (opts && opts->offline) {
		/* without FROM the script cannot know the rows: it replaces them */
		r.replace_rows = !strchr(target, ':');
		if ((rc = rt_offline_from(&r.db.rows, &to_spec, &from_spec, r.db.g, target, 0,
					  &ctx->err)) >= 0)
			rc = run_stamp(&r, to_spec);
	} else if ((rc = begin_and_read(&r, 1)) >= 0 &&
		   (rc = rt_session_open(&r.db, RT_SESSION_HISTORY)) >= 0) {
		rc = run_stamp(&r, to_spec);
	}
done:
	free(from_spec);
	run_end(&r);
	if (!(opts && opts->offline))
		rc = write_schema_file(ctx, rc, r.changed, "stamp");
	return rc;
}

/* Hand the session's rows over to a public array. */
static void take_rows(retort_strarray *out, rt_session *s)
{
	out->strings = s->rows.items;
	out->count = s->rows.count;
	memset(&s->rows, 0, sizeof(s->rows));
}

int retort_current(retort_strarray *out, retort *ctx)
{
	rt_session s;
	int rc;

	memset(out, 0, sizeof(*out));
	rt_buf_clear(&ctx->err);
	rt_session_init(&s, ctx);
	if ((rc = rt_session_open(&s, RT_SESSION_ROWS)) >= 0)
		take_rows(out, &s);
	rt_session_release(&s);
	return rc;
}

int retort_pending(retort_strarray *current, size_t *pending, retort *ctx, const char *target)
{
	rt_revvec plan = { 0 };
	rt_session s;
	int rc;

	*pending = 0;
	memset(current, 0, sizeof(*current));
	rt_buf_clear(&ctx->err);
	rt_session_init(&s, ctx);
	/* the rows first: a database that cannot be read is the first thing to say */
	if ((rc = rt_session_open(&s, RT_SESSION_ROWS)) >= 0 &&
	    (rc = rt_session_open(&s, RT_SESSION_GRAPH)) >= 0 &&
	    (rc = rt_plan_make(&plan, s.g, &s.rows, target ? target : "head", RT_UP,
			       &ctx->err)) >= 0) {
		*pending = plan.n;
		take_rows(current, &s);
	}
	rt_revvec_release(&plan);
	rt_session_release(&s);
	return rc;
}

int retort_failure_get(retort_failure **out, retort *ctx)
{
	rt_session s;
	int rc;

	*out = NULL;
	rt_buf_clear(&ctx->err);
	rt_session_init(&s, ctx);
	if ((rc = rt_session_open(&s, RT_SESSION_ROWS | RT_SESSION_HISTORY)) >= 0 &&
	    s.hist.failed) {
		retort_failure *f = calloc(1, sizeof(*f));
		if (f) {
			f->revision = rt_strdup(s.hist.failed->s.revision);
			f->direction = s.hist.failed_direction;
			f->statements_done = s.hist.failed_done;
			f->interrupted = s.hist.interrupted;
			f->error = rt_strdup(s.hist.failed_error ? s.hist.failed_error : "");
		}
		if (!f || !f->revision || !f->error) {
			retort_failure_free(f);
			rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
		} else {
			*out = f;
		}
	}
	rt_session_release(&s);
	return rc;
}

void retort_failure_free(retort_failure *f)
{
	if (!f)
		return;
	free(f->revision);
	free(f->error);
	free(f);
}

/* One history row's cells into `row`; -1 when out of memory. */
static int public_row(retort_history_row *row, char **cell)
{
	row->direction = !strcmp(cell[RT_HCOL_DIR], "upgrade") ? RETORT_UP : RETORT_DOWN;
	row->statements_done = strtoul(cell[RT_HCOL_DONE], NULL, 10);
	row->duration_ms = strtod(cell[RT_HCOL_MS], NULL);
	row->revision = rt_strdup(cell[RT_HCOL_REV]);
	row->status = rt_strdup(cell[RT_HCOL_STATUS]);
	row->applied_at = rt_strdup(cell[RT_HCOL_AT]);
	row->applied_by = rt_strdup(cell[RT_HCOL_BY]);
	row->error = rt_strdup(cell[RT_HCOL_ERROR]);
	return row->revision && row->status && row->applied_at && row->applied_by &&
	       row->error ? 0 : -1;
}

int retort_history_rows(retort_history_list *out, retort *ctx)
{
	rt_strlist cells = { 0 };
	rt_session s;
	size_t i, n;
	int rc, exists = 0;

	memset(out, 0, sizeof(*out));
	rt_buf_clear(&ctx->err);
	rt_session_init(&s, ctx);
	if ((rc = rt_session_open(&s, RT_SESSION_CONNECT)) < 0 ||
	    (rc = rt_history_all(&cells, &exists, s.drv, s.conn, &ctx->cfg, &ctx->err)) < 0)
		goto done;
	n = cells.count / RT_HISTORY_COLS;
	if (n && !(out->rows = calloc(n, sizeof(*out->rows)))) {
		rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		out->count++;
		if (public_row(&out->rows[i], cells.items + i * RT_HISTORY_COLS) < 0) {
			retort_history_list_release(out);
			rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
			break;
		}
	}
done:
	rt_strlist_release(&cells);
	rt_session_release(&s);
	return rc;
}

void retort_history_list_release(retort_history_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++) {
		free(list->rows[i].revision);
		free(list->rows[i].status);
		free(list->rows[i].applied_at);
		free(list->rows[i].applied_by);
		free(list->rows[i].error);
	}
	free(list->rows);
	list->rows = NULL;
	list->count = 0;
}

int retort_verify(retort_strarray *problems, retort *ctx)
{
	rt_strlist found = { 0 };
	unsigned char *applied = NULL;
	rt_session s;
	int rc;

	memset(problems, 0, sizeof(*problems));
	rt_buf_clear(&ctx->err);
	rt_session_init(&s, ctx);
	if ((rc = rt_session_open(&s, RT_SESSION_ROWS | RT_SESSION_HISTORY)) >= 0 &&
	    (rc = rt_plan_applied(&applied, s.g, &s.rows, &ctx->err)) >= 0)
		rc = rt_history_verify(&found, &s.hist, s.g, applied, NULL, &ctx->err);
	if (rc >= 0) {
		problems->strings = found.items;
		problems->count = found.count;
		memset(&found, 0, sizeof(found));
	}
	free(applied);
	rt_strlist_release(&found);
	rt_session_release(&s);
	return rc;
}
