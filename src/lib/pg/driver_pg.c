/*
 * driver_pg.c - the PostgreSQL driver, on libpq.
 *
 * A section that runs in a transaction goes to the server in one request;
 * a transaction=false section is split by PostgreSQL's own parser
 * (libpg_query) and sent a statement at a time, so dollar-quoted bodies
 * are never cut and each CREATE INDEX CONCURRENTLY runs on its own.
 * Runs are serialised by a transaction-level advisory lock that every
 * transaction of a run takes first (pg_try_advisory_xact_lock, polled up
 * to lock_timeout), keyed on the version table's schema-qualified name as
 * the server resolves it, with the version rows read again inside it.
 * Nothing is held between transactions, so this works through PgBouncer
 * in transaction pooling mode (where each transaction may run on another
 * server connection) and a killed run can never strand the lock: the
 * server drops it with the transaction.  Polling rather than waiting
 * keeps a waiting run from holding a snapshot that a concurrent CREATE
 * INDEX CONCURRENTLY would wait for.
 *
 * A transaction=false section runs outside any transaction, so for its
 * span the run also takes a session-level lock on the same key (hold()).
 * That is only safe on a connection that is one server session: through
 * a transaction pooler the lock would stay on whichever server connection
 * took it.  hold() refuses there; it recognises a pooler or proxy by the
 * client port the server sees differing from our socket's (the `pooler`
 * key of retort.ini overrides: auto, none, transaction).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "diff.h"
#include "introspect.h"
#include "pg_split.h"
#include "pgapi.h"
#include "safety.h"

typedef struct {
	rt_conn base;
	PGconn *pg;
	rt_buf begin_sql;  /* BEGIN and the try of the advisory lock, after lock() */
	rt_buf key_sql;    /* the lock's two keys as SQL: "hashtext('retort'), hashtext(...)" */
	double timeout;
	double ddl_lock_timeout; /* connect's, put back by reset */
	int held;          /* the session-level lock of hold() */
	const char *pooler;/* auto, none or transaction */
	int borrowed;      /* the program's PGconn (adopt): never finished */
	rt_pg_memo *memo;  /* the last fingerprint (safety_pg.c) */
} pg_conn;

/* libpq prints notices to stderr by default; a library must not. */
static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* First line of libpq's message, secrets masked. */
static void first_line(rt_buf *out, const char *msg)
{
	rt_buf tmp = RT_BUF_INIT;
	size_t n = strcspn(msg, "\n");

	rt_buf_put(&tmp, msg, n);
	rt_mask_secrets(out, tmp.ptr);
	rt_buf_release(&tmp);
}

/* After a failed connect: was the server out of reach (RETORT_ECONNECT)
 * rather than there and saying no (a wrong password, a database that does
 * not exist)?  A fleet takes a server out of reach for all its tenants,
 * and retort_wait() tries again.  A connect that used up connect_timeout
 * was; one that failed sooner asks the server once more, with PQping,
 * which needs no login: no answer (nothing listens, the host name does
 * not resolve), or "cannot connect now" (starting up, shutting down, in
 * recovery), is out of reach. */
static int unreachable(const char *const *keys, const char *const *vals, double ms,
		       const rt_config *cfg)
{
	PGPing ping;

	if (cfg->connect_timeout > 0 && ms >= cfg->connect_timeout * 1000)
		return 1;
	ping = PQpingParams(keys, vals, 0);
	return ping == PQPING_NO_RESPONSE || ping == PQPING_REJECT;
}

/* What connect sets for the session, and reset sets again. */
static void session_settings(pg_conn *c)
{
	rt_buf lt = RT_BUF_INIT;

	/* a killed run's statement is cancelled within a second instead of
	 * running to its end unrecorded (PostgreSQL 14 and later; older
	 * servers refuse the setting, which changes nothing) */
	PQclear(PQexec(c->pg, "SET client_connection_check_interval = 1000"));
	/* ddl_lock_timeout: a migration waiting behind an application's long
	 * transaction fails fast instead of queueing everyone behind it */
	if (c->ddl_lock_timeout > 0) {
		rt_buf_printf(&lt, "SET lock_timeout = '%.0fms'", c->ddl_lock_timeout * 1000);
		PQclear(PQexec(c->pg, lt.ptr));
	}
	rt_buf_release(&lt);
}

static int pg_connect(rt_conn **out, const rt_url *url, const rt_config *cfg, rt_buf *err)
{
	const char *keys[64], *vals[64];
	pg_conn *c;
	size_t n = 0, i;
	rt_buf msg = RT_BUF_INIT;
	char timeout[32];
	double t0;

	*out = NULL;
#define KV(k, v) do { if ((v) && n < 62) { keys[n] = (k); vals[n] = (v); n++; } } while (0)
	KV("host", url->host);
	KV("port", url->port);
	KV("user", url->user);
	KV("password", url->password);
	KV("dbname", url->path);
	KV("application_name", "retort");
	/* an unreachable server fails the run in connect_timeout instead of
	 * the minutes of TCP's own retries (the URL's own setting wins: it
	 * comes later); libpq takes whole seconds */
	if (cfg->connect_timeout > 0) {
		long whole = (long)cfg->connect_timeout;
		snprintf(timeout, sizeof(timeout), "%ld",
			 whole + (whole < cfg->connect_timeout));
		keys[n] = "connect_timeout";
		vals[n++] = timeout;
	}
	for (i = 0; i < url->nparams; i++)
		KV(url->params[i].key, url->params[i].value);
#undef KV
	keys[n] = vals[n] = NULL;
	if (!(c = calloc(1, sizeof(*c))))
		return rt_error(err, RETORT_ERROR, "out of memory");
	c->base.driver = &rt_driver_pg;
	rt_buf_init(&c->begin_sql);
	rt_buf_init(&c->key_sql);
	c->pooler = rt_config_get(cfg, "retort", "pooler");
	if (!c->pooler || !*c->pooler)
		c->pooler = "auto";
	t0 = rt_now_ms();
	c->pg = PQconnectdbParams(keys, vals, 0);
	if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
		int rc = unreachable(keys, vals, rt_now_ms() - t0, cfg) ? RETORT_ECONNECT
									 : RETORT_ERROR;
		first_line(&msg, c->pg ? PQerrorMessage(c->pg) : "out of memory");
		rt_error(err, rc, "cannot connect to '%s': %s", url->masked, msg.ptr);
		PQfinish(c->pg);
		free(c);
		rt_buf_release(&msg);
		return rc;
	}
	PQsetNoticeProcessor(c->pg, quiet, NULL);
	c->ddl_lock_timeout = cfg->ddl_lock_timeout;
	session_settings(c);
	*out = &c->base;
	return 0;
}

/* A PGconn the program opened.  Its session stays as the program made
 * it: client_connection_check_interval and ddl_lock_timeout, which
 * connect sets for the session, are not applied, and the server's notices
 * go to the program's notice processor. */
static int pg_adopt(rt_conn **out, void *handle, const rt_config *cfg, rt_buf *err)
{
	pg_conn *c;

	*out = NULL;
	if (PQstatus(handle) != CONNECTION_OK)
		return rt_error(err, RETORT_EUSAGE, "the program's PostgreSQL connection is not "
				"open (PQstatus is not CONNECTION_OK)");
	if (!(c = calloc(1, sizeof(*c))))
		return rt_error(err, RETORT_ERROR, "out of memory");
	c->base.driver = &rt_driver_pg;
	c->pg = handle;
	c->borrowed = 1;
	rt_buf_init(&c->begin_sql);
	rt_buf_init(&c->key_sql);
	c->pooler = rt_config_get(cfg, "retort", "pooler");
	if (!c->pooler || !*c->pooler)
		c->pooler = "auto";
	*out = &c->base;
	return 0;
}

static void pg_close(rt_conn *conn)
{
	pg_conn *c = (pg_conn *)conn;

	if (!c)
		return;
	if (!c->borrowed)
		PQfinish(c->pg);
	rt_pg_memo_free(c->memo);
	rt_buf_release(&c->begin_sql);
	rt_buf_release(&c->key_sql);
	free(c);
}

rt_pg_memo **rt_pg_conn_memo(rt_conn *conn)
{
	return &((pg_conn *)conn)->memo;
}

/* A failed result as one message: primary text, then detail, hint and
 * context (where in PL/pgSQL code it failed: "PL/pgSQL function
 * inline_code_block line 4 at RAISE"), each of its lines on one of ours. */
static void result_error(rt_buf *out, PGconn *pg, const PGresult *res)
{
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
	const char *context = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
	rt_buf tmp = RT_BUF_INIT;
	size_t n;

	if (primary)
		rt_buf_puts(&tmp, primary);
	else
		first_line(&tmp, PQerrorMessage(pg));
	if (detail)
		rt_buf_printf(&tmp, "\ndetail: %s", detail);
	if (hint)
		rt_buf_printf(&tmp, "\nhint: %s", hint);
	for (; context && *context; context += n + (context[n] == '\n')) {
		n = strcspn(context, "\n");
		if (n)
			rt_buf_printf(&tmp, "\ncontext: %.*s", (int)n, context);
	}
	rt_mask_secrets(out, tmp.ptr);
	rt_buf_release(&tmp);
}

static int command(pg_conn *c, const char *sql, rt_buf *err, const char *doing)
{
	PGresult *res = PQexec(c->pg, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		rt_buf msg = RT_BUF_INIT;
		result_error(&msg, c->pg, res);
		rc = rt_error(err, RETORT_ERROR, "%s: %s", doing, msg.ptr);
		rt_buf_release(&msg);
	}
	PQclear(res);
	return rc;
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* The key names the table, not how the config spells it: the schema is
 * resolved by the server (current_schema() is where an unqualified CREATE
 * TABLE puts it), so "public" written out or left to the search_path
 * gives one lock. */
static int pg_lock(rt_conn *conn, const char *schema, const char *table, double timeout,
		   rt_buf *err)
{
	pg_conn *c = (pg_conn *)conn;

	rt_buf_clear(&c->key_sql);
	rt_buf_puts(&c->key_sql, "hashtext('retort'), hashtext(");
	if (schema && *schema)
		rt_sql_literal(&c->key_sql, schema);
	else
		rt_buf_puts(&c->key_sql, "current_schema()");
	rt_buf_puts(&c->key_sql, " || '.' || ");
	rt_sql_literal(&c->key_sql, table);
	rt_buf_putc(&c->key_sql, ')');
	rt_buf_clear(&c->begin_sql);
	rt_buf_printf(&c->begin_sql, "BEGIN; SELECT pg_try_advisory_xact_lock(%s)", c->key_sql.ptr);
	c->timeout = timeout;
	if (rt_buf_oom(&c->key_sql) || rt_buf_oom(&c->begin_sql))
		return rt_error(err, RETORT_ERROR, "out of memory");
	return 0;
}

/* Who holds the lock, when the server lets us see: appended to err. */
static void lock_holder(pg_conn *c, rt_buf *err)
{
	rt_buf q = RT_BUF_INIT;
	PGresult *res;

	rt_buf_printf(&q, "SELECT l.pid, COALESCE(a.application_name, ''), "
		      "COALESCE(host(a.client_addr), 'local'), "
		      "COALESCE(to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS'), '') "
		      "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
		      "WHERE l.locktype = 'advisory' AND l.granted AND l.database = "
		      "(SELECT oid FROM pg_database WHERE datname = current_database()) "
		      "AND (l.classid::int, l.objid::int) = (SELECT %s) LIMIT 1", c->key_sql.ptr);
	res = PQexec(c->pg, q.ptr);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0)
		rt_buf_printf(err, " (server process pid %s, application '%s' from %s%s%s)",
			      PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
			      *PQgetvalue(res, 0, 3) ? ", in a transaction since " : "",
			      PQgetvalue(res, 0, 3));
	PQclear(res);
	rt_buf_release(&q);
}

static int lock_timed_out(pg_conn *c, rt_buf *err)
{
	rt_error(err, RETORT_EBUSY, "another migration run holds the lock on this database");
	lock_holder(c, err);
	rt_buf_printf(err, "; gave up after waiting %.0f s (lock_timeout)", c->timeout);
	return RETORT_EBUSY;
}

/* One try: the result of `sql`, whose last statement returns the try's
 * boolean; 1 when taken, 0 when another run has it. */
static int try_lock(pg_conn *c, const char *sql, rt_buf *err)
{
	PGresult *res = PQexec(c->pg, sql);
	int rc;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rt_buf msg = RT_BUF_INIT;
		result_error(&msg, c->pg, res);
		rc = rt_error(err, RETORT_ERROR, "cannot take the migration lock: %s", msg.ptr);
		rt_buf_release(&msg);
	} else {
		rc = !strcmp(PQgetvalue(res, 0, 0), "t");
	}
	PQclear(res);
	return rc;
}

/* Try `sql` until it takes the lock or lock_timeout runs out; `retry`
 * (may be NULL) is sent between tries (ROLLBACK of a transaction whose
 * try failed: a waiting run holds no snapshot). */
static int poll_lock(pg_conn *c, const char *sql, const char *retry, rt_buf *err)
{
	double start = rt_now_ms();
	long step = 10;
	int rc, tries = 0;

	while ((rc = try_lock(c, sql, err)) == 0) {
		if (retry)
			PQclear(PQexec(c->pg, retry));
		if (!tries++ && c->base.on_wait)
			c->base.on_wait(c->base.wait_payload);
		if (rt_now_ms() - start >= c->timeout * 1000)
			return lock_timed_out(c, err);
		pause_ms(step);
		if (step < 200)
			step *= 2;
	}
	if (rc < 0 && retry)
		PQclear(PQexec(c->pg, retry));
	return rc < 0 ? rc : 0;
}

static void pg_unlock(rt_conn *conn)
{
	pg_conn *c = (pg_conn *)conn;

	if (c->held)
		PQclear(PQexec(c->pg, "SELECT pg_advisory_unlock_all()"));
	c->held = 0;
}

/* Does the server see this connection coming from where we are?  A
 * pooler or proxy in between connects from a port of its own. */
static int direct_connection(pg_conn *c, int *out, rt_buf *err)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	PGresult *res;
	long ours = -1;
	int rc = 0;

	if (getsockname(PQsocket(c->pg), (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET)
			ours = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else if (ss.ss_family == AF_INET6)
			ours = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	res = PQexec(c->pg, "SELECT COALESCE(inet_client_port(), -1)");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rt_buf msg = RT_BUF_INIT;
		result_error(&msg, c->pg, res);
		rc = rt_error(err, RETORT_ERROR, "cannot read the connection's client port: %s",
			      msg.ptr);
		rt_buf_release(&msg);
	} else {
		*out = atol(PQgetvalue(res, 0, 0)) == ours;
		if (!*out)
			rt_buf_printf(err, "the server sees this connection coming from port %s, "
				      "not from ours (%ld)", PQgetvalue(res, 0, 0), ours);
	}
	PQclear(res);
	return rc;
}

/* Is the connection one server session, or is there a pooler between
 * (`why` then says how we know)?  The pooler key of retort.ini, else the
 * client port the server sees. */
static int one_session(pg_conn *c, int *out, rt_buf *why)
{
	*out = 0;
	if (!strcmp(c->pooler, "transaction")) {
		rt_buf_puts(why, "retort.ini says the connection goes through a transaction "
			    "pooler (pooler = transaction)");
		return 0;
	}
	if (strcmp(c->pooler, "none") != 0)
		return direct_connection(c, out, why);
	*out = 1;
	return 0;
}

int rt_pg_one_session(rt_conn *conn, int *out, rt_buf *err)
{
	rt_buf why = RT_BUF_INIT;
	int rc = one_session((pg_conn *)conn, out, &why);

	if (rc < 0)
		rt_error(err, rc, "%s", why.ptr);
	rt_buf_release(&why);
	return rc;
}

static int pg_hold(rt_conn *conn, int on, rt_buf *err)
{
	pg_conn *c = (pg_conn *)conn;
	rt_buf sql = RT_BUF_INIT, why = RT_BUF_INIT;
	int direct = 0, rc = 0;

	if (!on) {
		if (c->held) {
			rt_buf_printf(&sql, "SELECT pg_advisory_unlock(%s)", c->key_sql.ptr);
			PQclear(PQexec(c->pg, sql.ptr));
		}
		c->held = 0;
		goto done;
	}
	if (c->held || !c->key_sql.len)
		goto done;
	if ((rc = one_session(c, &direct, &why)) < 0)
		goto done;
	if (!direct) {
		rc = rt_error(err, RETORT_ECONFLICT,
			      "a transaction=false section cannot run through a connection pooler: "
			      "%s, and a pooler in transaction mode (PgBouncer) may run each "
			      "statement on another server connection, where the lock that keeps "
			      "other runs out between them would be lost or stranded; run the "
			      "migrations with a direct URL to the server (set pooler = none in "
			      "retort.ini if the proxy keeps one server session per client)", why.ptr);
		goto done;
	}
	rt_buf_printf(&sql, "SELECT pg_try_advisory_lock(%s)", c->key_sql.ptr);
	if ((rc = poll_lock(c, sql.ptr, NULL, err)) >= 0)
		c->held = 1;
done:
	rt_buf_release(&sql);
	rt_buf_release(&why);
	return rc;
}

static int pg_begin(rt_conn *conn, rt_buf *err)
{
	pg_conn *c = (pg_conn *)conn;

	if (!c->begin_sql.len)
		return command(c, "BEGIN", err, "cannot start a transaction");
	return poll_lock(c, c->begin_sql.ptr, "ROLLBACK", err);
}

static int pg_commit(rt_conn *conn, rt_buf *err)
{
	return command((pg_conn *)conn, "COMMIT", err, "cannot commit");
}

static void pg_rollback(rt_conn *conn)
{
	pg_conn *c = (pg_conn *)conn;

	if (PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		PQclear(PQexec(c->pg, "ROLLBACK"));
}

/* DISCARD ALL ends what a run left in the session (settings, temporary
 * tables, prepared statements, session locks, LISTENs), as a new
 * connection would have none of it; then connect's settings again. */
static int pg_reset(rt_conn *conn, rt_buf *err)
{
	pg_conn *c = (pg_conn *)conn;
	int rc;

	if ((rc = command(c, "DISCARD ALL", err, "cannot reset the session")) < 0)
		return rc;
	c->held = 0;
	session_settings(c);
	return 0;
}

static int ok_status(ExecStatusType st)
{
	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
}

/* A run-time error in a DO block has no position in the statement, only
 * the PL/pgSQL line in its context ("PL/pgSQL function inline_code_block
 * line N at ..."), counted from the line where the block's string opens.
 * The byte offset of that line in text[start, end), or (size_t)-1. */
static size_t do_block_line(const char *text, size_t start, size_t end, const char *context)
{
	static const char tag[] = "PL/pgSQL function inline_code_block line ";
	const char *at = context ? strstr(context, tag) : NULL;
	long line;
	size_t i;

	if (!at || (line = atol(at + sizeof(tag) - 1)) < 1)
		return (size_t)-1;
	i = rt_sql_skip_blank(text, start, end);
	if (end - i < 3 || strncasecmp(text + i, "do", 2) ||
	    !strchr(" \t\r\n$'-/", text[i + 2]))
		return (size_t)-1;
	/* the body is the first string: DO [LANGUAGE name] '...' or $tag$...$tag$ */
	for (i += 2;; ) {
		i = rt_sql_skip_blank(text, i, end);
		if (i >= end)
			return (size_t)-1;
		if (text[i] == '\'')
			break;
		if (text[i] == '$') {
			size_t k = i + 1;
			while (k < end && (text[k] == '_' || (text[k] >= 'a' && text[k] <= 'z') ||
					   (text[k] >= 'A' && text[k] <= 'Z') ||
					   (text[k] >= '0' && text[k] <= '9') || (unsigned char)text[k] >= 0x80))
				k++;
			if (k < end && text[k] == '$') {
				i = k;
				break;
			}
		}
		/* a word (LANGUAGE plpgsql), or a '$' that opens no string */
		for (i++; i < end && !strchr(" \t\r\n$'", text[i]); i++)
			;
	}
	/* line 1 is the rest of the line the string opens on */
	for (; line > 1 && i < end; i++)
		if (text[i] == '\n')
			line--;
	while (i < end && (text[i] == ' ' || text[i] == '\t'))
		i++;
	return line > 1 ? (size_t)-1 : i;
}

/* The failed statement's message, and where it failed: statement `start`
 * of `text`, at the server's error position if it gave one (characters
 * into `from`, which starts at text[base]), else at the failing line of a
 * DO block. */
static void exec_failed(pg_conn *c, const PGresult *res, rt_exec_fail *fail, const char *text,
			size_t start, size_t base, size_t len, rt_buf *err)
{
	const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);

	rt_buf_clear(err);
	result_error(err, c->pg, res);
	if (fail) {
		fail->offset = start;
		if (pos)
			fail->error_at = base + rt_pg_char_to_byte(text + base, len, atol(pos));
		else
			fail->error_at = do_block_line(text, start, base + len,
						       PQresultErrorField(res, PG_DIAG_CONTEXT));
	}
}

/* Send `text` as one request and take every result: *bad the first that
 * failed (NULL: none), *done how many statements ran before it.  -1 when
 * it could not be sent, with the connection's message in err. */
static int send_all(pg_conn *c, const char *text, size_t *done, PGresult **bad, rt_buf *err)
{
	PGresult *res;

	*done = 0;
	*bad = NULL;
	if (!PQsendQuery(c->pg, text)) {
		rt_buf_clear(err);
		first_line(err, PQerrorMessage(c->pg));
		return -1;
	}
	while ((res = PQgetResult(c->pg)) != NULL) {
		if (!*bad && !ok_status(PQresultStatus(res))) {
			*bad = res;
			continue;
		}
		if (!*bad && PQresultStatus(res) != PGRES_EMPTY_QUERY)
			(*done)++;
		PQclear(res);
	}
	return 0;
}

/* Inside a transaction: the whole text in one request, which the server
 * parses and runs statement by statement, each with a result of its own.
 * One round trip per section instead of one per statement; the runner
 * rolls the transaction back on failure, so only the failed statement's
 * place matters, and the count of results before it gives that. */
static int exec_whole(pg_conn *c, const char *text, size_t len, rt_exec_fail *fail, rt_buf *err)
{
	PGresult *bad = NULL;
	rt_span *parts = NULL;
	size_t done = 0, nparts = 0, start = 0;

	if (send_all(c, text, &done, &bad, err) < 0)
		return RETORT_ERROR;
	if (!bad)
		return 0;
	/* statement number `done` failed: find where it starts (a failure
	 * to split only costs the line number) */
	if (fail && rt_pg_split(&parts, &nparts, text, len) == 0 && done < nparts)
		start = rt_sql_skip_blank(text, parts[done].off, parts[done].off + parts[done].len);
	exec_failed(c, bad, fail, text, start, 0, len, err);
	free(parts);
	PQclear(bad);
	return RETORT_ERROR;
}

/* Outside a transaction (a transaction=false section): statement by
 * statement, counting what was applied, so that CREATE INDEX
 * CONCURRENTLY runs on its own and a failure says what is left to do. */
static int exec_each(pg_conn *c, const char *text, size_t len, rt_exec_fail *fail, rt_buf *err)
{
	int (*each)(void *, int, size_t, const char *, size_t, size_t, rt_buf *) =
		fail ? fail->each : NULL;
	rt_span *parts = NULL;
	char *stmt = NULL;
	size_t i, nparts = 0;
	int rc = 0;

	if (rt_pg_split(&parts, &nparts, text, len) < 0)
		return rt_error(err, RETORT_ERROR, "out of memory");
	for (i = 0; i < nparts; i++) {
		size_t off = parts[i].off, n = parts[i].len;
		size_t start = rt_sql_skip_blank(text, off, off + n), end = off + n;
		int skipping = fail && fail->applied < fail->skip;
		PGresult *res;

		if (end < len && text[end] == ';')
			end++; /* the statement as SQLite's driver reports it: with its ';' */
		if (each && (rc = each(fail->each_arg, skipping ? RT_STMT_SKIP : RT_STMT_START, i,
				       text + start, start, end - start, err)) < 0)
			break;
		if (skipping) { /* applied by an earlier, failed run */
			fail->applied++;
			rt_strlist_addn(&fail->done, text + start, strcspn(text + start, "\n"));
			continue;
		}
		free(stmt);
		if (!(stmt = rt_strndup(text + off, n))) {
			rc = rt_error(err, RETORT_ERROR, "out of memory");
			break;
		}
		res = PQexec(c->pg, stmt);
		if (!ok_status(PQresultStatus(res))) {
			exec_failed(c, res, fail, text, start, off, n, err);
			PQclear(res);
			rc = RETORT_ERROR;
			break;
		}
		PQclear(res);
		if (fail) {
			fail->applied++;
			rt_strlist_addn(&fail->done, text + start, strcspn(text + start, "\n"));
		}
		if (each && (rc = each(fail->each_arg, RT_STMT_DONE, i, text + start, start,
				       end - start, err)) < 0)
			break;
	}
	free(stmt);
	free(parts);
	return rc;
}

static int pg_exec(rt_conn *conn, const char *sql, size_t len, rt_exec_fail *fail, rt_buf *err)
{
	pg_conn *c = (pg_conn *)conn;
	char *text = rt_strndup(sql, len);
	int rc;

	if (fail) {
		fail->applied = 0;
		fail->error_at = (size_t)-1;
	}
	if (!text)
		return rt_error(err, RETORT_ERROR, "out of memory");
	if (PQtransactionStatus(c->pg) == PQTRANS_INTRANS && !(fail && (fail->skip || fail->each)))
		rc = exec_whole(c, text, len, fail, err);
	else
		rc = exec_each(c, text, len, fail, err);
	free(text);
	return rc;
}

static int by_bytes(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The start of a request that opens its step's transaction: BEGIN, then
 * one guard on the run's lock and the version rows as the runner last
 * read them (sorted bytewise, as COLLATE "C" sorts them on the server).
 * A guard that does not hold divides by zero, which ends the request
 * before the section.  The number of statements written. */
static size_t step_guard(pg_conn *c, rt_buf *out, const rt_step_sql *q)
{
	char **rows = malloc((q->rows->count ? q->rows->count : 1) * sizeof(*rows));
	size_t i;

	if (!rows) {
		out->oom = 1;
		return 0;
	}
	memcpy(rows, q->rows->items, q->rows->count * sizeof(*rows));
	qsort(rows, q->rows->count, sizeof(*rows), by_bytes);
	rt_buf_puts(out, "BEGIN;\nSELECT 1 / (");
	if (c->key_sql.len)
		rt_buf_printf(out, "pg_try_advisory_xact_lock(%s) AND ", c->key_sql.ptr);
	rt_buf_printf(out, "ARRAY(SELECT v::text COLLATE \"C\" FROM (%s) AS r(v) ORDER BY 1) = "
		      "ARRAY[", q->rows_sql);
	for (i = 0; i < q->rows->count; i++) {
		if (i)
			rt_buf_putc(out, ',');
		rt_sql_literal(out, rows[i]);
	}
	rt_buf_puts(out, "]::text[])::int;\n");
	free(rows);
	return 2;
}

/* The statement of `parts` that holds byte `at`, or the last before it. */
static size_t part_at(const rt_span *parts, size_t n, size_t at)
{
	size_t i = 0;

	while (i + 1 < n && parts[i + 1].off <= at)
		i++;
	return i;
}

/* A step in one request: [guard] section; tail [; COMMIT].  The server
 * parses the whole text first and runs it statement by statement; the
 * first failure ends it.  Which part failed comes from the error's
 * position where the server gives one, else from the count of results
 * before it.  The section is sent only when the parser takes all of it:
 * an unterminated quote or comment in it would swallow the tail. */
static int pg_exec_step(rt_conn *conn, rt_step_sql *q, rt_exec_fail *fail, rt_buf *err)
{
	pg_conn *c = (pg_conn *)conn;
	rt_buf req = RT_BUF_INIT;
	rt_span *parts = NULL, *tail = NULL;
	char *body = rt_strndup(q->body, q->len);
	size_t nparts = 0, ntail = 0, npre = 0, pre, done = 0, at = (size_t)-1, i;
	const char *pos;
	PGresult *bad = NULL;
	int parsed = 0, rc = 0;

	q->failed = 0;
	if (fail) {
		fail->applied = 0;
		fail->error_at = (size_t)-1;
	}
	if (!body || rt_pg_split_parsed(&parts, &nparts, body, q->len, &parsed) < 0 ||
	    rt_pg_split(&tail, &ntail, q->tail, strlen(q->tail)) < 0) {
		rc = rt_error(err, RETORT_ERROR, "out of memory");
		goto done;
	}
	if (!parsed) {
		rc = 1;
		goto done;
	}
	if (q->rows_sql)
		npre = step_guard(c, &req, q);
	pre = req.len;
	rt_buf_put(&req, body, q->len);
	rt_buf_printf(&req, "\n;\n%s", q->tail);
	if (q->commit)
		rt_buf_puts(&req, ";\nCOMMIT");
	if (rt_buf_oom(&req)) {
		rc = rt_error(err, RETORT_ERROR, "out of memory");
		goto done;
	}
	if (send_all(c, req.ptr, &done, &bad, err) < 0) {
		/* nothing ran: opening, the step is tried the long way, which
		 * says what became of the connection; else as exec_whole's */
		q->failed = q->rows_sql ? RT_PART_GUARD : RT_PART_BODY;
		rc = RETORT_ERROR;
		goto done;
	}
	if (!bad)
		goto done;
	rc = RETORT_ERROR;
	if ((pos = PQresultErrorField(bad, PG_DIAG_STATEMENT_POSITION)) != NULL)
		at = rt_pg_char_to_byte(req.ptr, req.len, atol(pos));
	if (at != (size_t)-1 ? at < pre : done < npre)
		q->failed = RT_PART_GUARD;
	else if (at != (size_t)-1 ? at < pre + q->len : done < npre + nparts)
		q->failed = RT_PART_BODY;
	else if (at != (size_t)-1 || done < npre + nparts + ntail)
		q->failed = RT_PART_TAIL;
	else
		q->failed = RT_PART_COMMIT;
	if (q->failed != RT_PART_BODY || !nparts) {
		rt_buf_clear(err);
		result_error(err, c->pg, bad);
		goto done;
	}
	i = at != (size_t)-1 ? part_at(parts, nparts, at - pre) : done - npre;
	exec_failed(c, bad, fail, req.ptr, pre + rt_sql_skip_blank(body, parts[i].off,
		    parts[i].off + parts[i].len), 0, req.len, err);
	if (fail) {
		fail->offset -= pre;
		if (fail->error_at != (size_t)-1)
			fail->error_at -= pre;
	}
done:
	PQclear(bad);
	if (rc < 0 && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		PQclear(PQexec(c->pg, "ROLLBACK"));
	rt_buf_release(&req);
	free(parts);
	free(tail);
	free(body);
	return rc;
}

static int pg_query_rows(rt_conn *conn, const char *sql, int ncols, rt_strlist *out,
			 rt_buf *err)
{
	pg_conn *c = (pg_conn *)conn;
	PGresult *res = PQexec(c->pg, sql);
	int i, k, rc = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rt_buf msg = RT_BUF_INIT;
		result_error(&msg, c->pg, res);
		rc = rt_error(err, RETORT_ERROR, "cannot read the database: %s", msg.ptr);
		rt_buf_release(&msg);
	} else if (PQnfields(res) < ncols) {
		rc = rt_error(err, RETORT_EUSAGE, "the query returns %d columns, not %d",
			      PQnfields(res), ncols);
	}
	for (i = 0; !rc && i < PQntuples(res); i++)
		for (k = 0; !rc && k < ncols; k++)
			if (rt_strlist_add(out, PQgetvalue(res, i, k)) < 0)
				rc = rt_error(err, RETORT_ERROR, "out of memory");
	PQclear(res);
	return rc;
}

static int pg_table_exists(rt_conn *conn, const char *schema, const char *name, int *out,
			   rt_buf *err)
{
	pg_conn *c = (pg_conn *)conn;
	const char *params[2] = { schema, name };
	PGresult *res;
	int rc = 0;

	res = PQexecParams(c->pg,
			   "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = "
			   "COALESCE($1, current_schema()) AND tablename = $2",
			   2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rt_buf msg = RT_BUF_INIT;
		result_error(&msg, c->pg, res);
		rc = rt_error(err, RETORT_ERROR, "cannot read the database: %s", msg.ptr);
		rt_buf_release(&msg);
	} else {
		*out = PQntuples(res) > 0;
	}
	PQclear(res);
	return rc;
}

static int pg_terminated(const char *sql)
{
	size_t len = strlen(sql), tail = 0, n = 0;
	rt_span *parts = NULL;

	/* terminated when a ';' follows the last statement */
	if (rt_pg_split(&parts, &n, sql, len) == 0 && n)
		tail = parts[n - 1].off + parts[n - 1].len;
	free(parts);
	tail = rt_sql_skip_blank(sql, tail, len);
	return tail < len && sql[tail] == ';';
}

static int pg_load(rt_buf *err)
{
	return rt_pq_open(err) < 0 || rt_pg_query_open(err) < 0 ? RETORT_ERROR : 0;
}

struct pg_conn *rt_pg_handle(rt_conn *conn)
{
	return ((pg_conn *)conn)->pg;
}

/* Autogenerate's scratch schema, inside the transaction that is rolled
 * back (SET LOCAL ends with it too), or the schema the model means in a
 * scratch database of its own.  The extensions' schemas follow it on the
 * search path, so that their types (public.citext) resolve. */
static int pg_model_schema(rt_conn *c, const char *name, int own_db, rt_buf *err)
{
	rt_buf sql = RT_BUF_INIT;
	rt_strlist ignored = { 0 };
	int rc;

	rt_buf_puts(&sql, own_db ? "CREATE SCHEMA IF NOT EXISTS " : "CREATE SCHEMA ");
	rt_sql_quote_ident(&sql, name);
	rt_buf_puts(&sql, "; SELECT set_config('search_path', string_agg(quote_ident(s), ', ' "
		    "ORDER BY o, s), ");
	rt_buf_puts(&sql, own_db ? "false" : "true");
	rt_buf_puts(&sql, ") FROM (SELECT ");
	rt_sql_literal(&sql, name);
	rt_buf_puts(&sql, " AS s, 0 AS o UNION SELECT n.nspname, 1 FROM pg_namespace n "
		    "WHERE (n.oid IN (SELECT extnamespace FROM pg_extension)");
	if (own_db)
		rt_buf_puts(&sql, " OR n.nspname = 'public'");
	rt_buf_puts(&sql, ") AND n.nspname NOT IN ('pg_catalog', ");
	rt_sql_literal(&sql, name);
	rt_buf_puts(&sql, ")) q");
	if (rt_buf_oom(&sql))
		rc = rt_error(err, RETORT_ERROR, "out of memory");
	else
		rc = pg_query_rows(c, sql.ptr, 1, &ignored, err);
	rt_strlist_release(&ignored);
	rt_buf_release(&sql);
	return rc;
}

static int pg_model_target(rt_conn *c, char **out, rt_buf *err)
{
	rt_strlist row = { 0 };
	int rc;

	*out = NULL;
	if ((rc = pg_query_rows(c, "SELECT COALESCE(current_schema(), 'public')", 1, &row, err)) >= 0 &&
	    (!row.count || !(*out = rt_strdup(row.items[0]))))
		rc = rt_error(err, RETORT_ERROR, "cannot read the current schema");
	rt_strlist_release(&row);
	return rc;
}

/* lint's dialect-syntax check: PostgreSQL's own parser (libpg_query), with
 * no server, so what it finds is what the grammar refuses (an unknown
 * type or function is the server's to say).  The whole text at once when
 * it parses; otherwise statement by statement, so that each one refused
 * is named. */
static int pg_syntax_check(rt_conn *c, const char *sql, size_t len, int keep,
			   rt_reject_fn reject, void *arg, rt_buf *err)
{
	PgQueryParseResult r;
	rt_span *sp = NULL;
	size_t i, n = 0;
	char *text;
	int rc = 0;

	(void)c;
	(void)keep;
	if (rt_pg_query_open(err) < 0)
		return RETORT_ERROR;
	if (!(text = rt_strndup(sql, len)))
		return rt_error(err, RETORT_ERROR, "out of memory");
	r = pg_query_parse(text);
	if (r.error && rt_pg_split(&sp, &n, text, strlen(text)) < 0)
		rc = rt_error(err, RETORT_ERROR, "out of memory");
	pg_query_free_parse_result(r);
	for (i = 0; i < n && rc >= 0; i++) {
		char *piece = rt_strndup(text + sp[i].off, sp[i].len);

		if (!piece) {
			rc = rt_error(err, RETORT_ERROR, "out of memory");
			break;
		}
		r = pg_query_parse(piece);
		if (r.error)
			reject(arg, RT_REJECT_SYNTAX,
			       rt_sql_skip_blank(text, sp[i].off, sp[i].off + sp[i].len),
			       r.error->message);
		pg_query_free_parse_result(r);
		free(piece);
	}
	free(sp);
	free(text);
	return rc;
}

const rt_driver rt_driver_pg = {
	.name = "postgresql",
	.scheme = "postgresql",
	.connect = pg_connect,
	.close = pg_close,
	.reset = pg_reset,
	.adopt = pg_adopt,
	.lock = pg_lock,
	.unlock = pg_unlock,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.exec = pg_exec,
	.exec_step = pg_exec_step,
	.elapsed_ms_sql = "(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::int",
	.query = pg_query_rows,
	.table_exists = pg_table_exists,
	.terminated = pg_terminated,
	.quote_ident = rt_sql_quote_ident,
	.introspect = rt_introspect_pg,
	.foreign_keys = NULL, /* no switch: constraints hold in every session */
	.foreign_key_check = NULL, /* the database checks at each statement or COMMIT */
	.backup = rt_pg_backup,
	.restore = rt_pg_restore,
	.fingerprint = rt_pg_fingerprint,
	.scratch_create = rt_pg_scratch_create,
	.scratch_drop = rt_pg_scratch_drop,
	.auto_id = "INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
	.hold = pg_hold,
	.max_ident = 63, /* NAMEDATALEN - 1 */
	.model_schema = pg_model_schema,
	.model_target = pg_model_target,
	.model_filter = rt_pg_model_filter,
	.model_own_db = rt_pg_model_own_db,
	.renderer = &rt_render_pg,
	.lint_full_rules = 1, /* lint's parser and lock rules are PostgreSQL's */
	.syntax_check = pg_syntax_check,
	.load = pg_load,
};
