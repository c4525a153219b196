/*
 * session.h - the database end of a command: the project's graph, the
 * driver serving the URL and, as the command asks, a connection, the run
 * lock and what the version and history tables hold.  The runner
 * (migrate.c), current, verify, the failure report and autogenerate open
 * one; the offline writer needs only its graph, driver and table names.
 *
 * rt_session_open() is incremental: it does what its flags ask that is
 * not done yet, so a runner can pick the driver, log what it is about to
 * do, and then connect and lock with a second call.
 */
#ifndef RT_SESSION_H
#define RT_SESSION_H

#include "ctx.h"
#include "history.h"

#define RT_SESSION_GRAPH   (1u << 0) /* load the project's graph */
#define RT_SESSION_CONNECT (1u << 1) /* connect to the database */
#define RT_SESSION_LOCK    (1u << 2) /* take the run lock (driver lock()); connects */
#define RT_SESSION_ROWS    (1u << 3) /* read the version rows; connects */
#define RT_SESSION_HISTORY (1u << 4) /* read the history; connects, loads the graph */

typedef struct rt_session {
	retort *ctx;            /* errors go to ctx->err */
	unsigned int done;      /* the RT_SESSION_* steps taken */
	rt_graph *g;            /* the context's graph (RT_SESSION_GRAPH), or NULL */
	const rt_driver *drv;   /* ready to use */
	rt_url url;
	rt_conn *conn;          /* NULL until connected */
	int lent;               /* conn is the context's lent_conn: never closed */
	rt_buf vt;              /* the quoted version table name */
	rt_buf ht;              /* the quoted history table name */
	rt_strlist rows;        /* the version rows as last read (or left by a runner) */
	rt_history hist;        /* the history as last read */
	/* called while the run lock is waited for; set before locking */
	void (*on_wait)(void *payload);
	void *wait_payload;
} rt_session;

void rt_session_init(rt_session *s, retort *ctx);

/* Take the steps of `flags` not taken yet: the first call also parses the
 * URL and picks the driver.  On failure the session keeps what it had and
 * the message is on the context. */
int rt_session_open(rt_session *s, unsigned int flags);

/* The version rows now (inside or outside the caller's transaction); an
 * error when the table does not exist. */
int rt_session_read_rows(rt_session *s, rt_strlist *out);

/* The query that reads them. */
void rt_session_rows_sql(rt_session *s, rt_buf *out);

/* Release the lock and close the connection (a transaction still open is
 * rolled back by the driver's close), and free what the session holds. */
void rt_session_release(rt_session *s);

#endif
