/*
 * wait.c - retort_wait(): connect until the database takes the connection,
 * for a program started together with its database (a container's app
 * beside its PostgreSQL).
 *
 * What is worth another try is the driver's to say: its connect returns
 * RETORT_ECONNECT while the database is out of reach (nothing listens yet,
 * the host name does not resolve yet, a server still starting up); any
 * other failure is one that waiting does not mend.
 */
#include <time.h>

#include "session.h"

/* the pauses between tries grow from the first to the last */
#define FIRST_PAUSE_MS 100.0
#define LAST_PAUSE_MS  500.0

static void pause_ms(double ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
	nanosleep(&ts, NULL);
}

/* One try: connect and close again. */
static int try_connect(retort *ctx)
{
	rt_session s;
	int rc;

	rt_buf_clear(&ctx->err);
	rt_session_init(&s, ctx);
	rc = rt_session_open(&s, RT_SESSION_CONNECT);
	rt_session_release(&s);
	return rc;
}

int retort_wait(retort *ctx, double timeout)
{
	double start = rt_now_ms(), pause = FIRST_PAUSE_MS, left;
	double connect_timeout = ctx->cfg.connect_timeout;
	int rc;

	if (timeout < 0)
		return rt_ctx_error(ctx, RETORT_EUSAGE, "the time to wait is negative (%g s)",
				    timeout);
	for (;;) {
		/* a try that hangs (packets dropped on the way) ends with
		 * the time to wait, not connect_timeout's */
		left = timeout - (rt_now_ms() - start) / 1000;
		if (timeout > 0 && (connect_timeout <= 0 || left < connect_timeout))
			ctx->cfg.connect_timeout = left > 1 ? left : 1;
		rc = try_connect(ctx);
		ctx->cfg.connect_timeout = connect_timeout;
		if (rc != RETORT_ECONNECT || timeout == 0)
			return rc;
		left = timeout * 1000 - (rt_now_ms() - start);
		if (left <= 0)
			break;
		pause_ms(pause < left ? pause : left);
		pause = pause * 2 < LAST_PAUSE_MS ? pause * 2 : LAST_PAUSE_MS;
	}
	return rt_ctx_error_prefix(ctx, RETORT_ECONNECT, "not ready after %.1f s: ",
				   (rt_now_ms() - start) / 1000);
}
