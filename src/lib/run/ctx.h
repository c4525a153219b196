/*
 * ctx.h - the retort context (the opaque `retort` of retort.h): the
 * configuration, the revision graph once loaded, the log, and the last
 * error message.
 */
#ifndef RT_CTX_H
#define RT_CTX_H

#include "graph.h"
#include "driver.h"
#include "history.h"

struct retort {
	rt_buf err;
	rt_config cfg;
	int opened;
	char *url_override;   /* -u */
	char *cache_dir;      /* the header cache's folder, or NULL */
	char *url_masked;
	rt_strlist vars;      /* -x KEY=VALUE */
	/* the folders of the revision files (rt_config_version_dirs), and
	 * whether version_locations named them */
	rt_strlist version_dirs;
	int version_listed;
	rt_graph graph;
	int loaded;
	/* graphs replaced by a reload (rt_ctx_graph_changed), kept until
	 * retort_free() because callers may still hold their revisions */
	rt_graph *retired;
	size_t nretired;
	rt_sum_cache sums;    /* the graph's files' checksums (history.h) */
	rt_log log;
	int log_opened;
	char *script_override; /* retort_options.script_location, absolute */
	/* the last run (retort_run_result): the version rows when it
	 * started and when it ended, and the revisions it applied */
	/* where the migration files come from (retort_options.source), or
	 * NULL for the versions folder */
	const retort_source *source;
	/* the program's own connection (retort_use_connection), or NULL */
	void *conn_handle;
	const rt_driver *conn_driver;
	/* a connection the runs use instead of making their own, and leave
	 * open (retort test's runs on its scratch database), or NULL */
	rt_conn *lent_conn;
	rt_strlist run_from;
	rt_strlist run_to;
	rt_strlist run_steps;
};

/* Record a message on the context and return `code` (errors from modules
 * that wrote into ctx->err are returned as they are). */
int rt_ctx_error(retort *ctx, int code, const char *fmt, ...) RT_PRINTF(3, 4);
/* Put context before the message on the context (rt_error_prefix) and
 * return `code`. */
int rt_ctx_error_prefix(retort *ctx, int code, const char *fmt, ...) RT_PRINTF(3, 4);

/* A public options struct's version (retort.h): 0 (a struct zeroed
 * instead of initialised with its _INIT macro) or a version newer than
 * `newest` is RETORT_EUSAGE naming `type` and the macro.  Callers skip it
 * for NULL options, which mean the defaults everywhere. */
int rt_ctx_check_options(retort *ctx, unsigned int version, unsigned int newest,
			 const char *type);
#define RT_CTX_CHECK_OPTIONS(ctx, opts, newest, type) \
	((opts) ? rt_ctx_check_options((ctx), (opts)->version, (newest), (type)) : 0)

/* The graph, loaded on first use. */
int rt_ctx_graph(rt_graph **out, retort *ctx);

/* The versions folder changed: the next rt_ctx_graph() loads it again.
 * The old graph is kept, not freed: the retort_rev pointers a caller was
 * given live until retort_free(), as retort.h promises. */
int rt_ctx_graph_changed(retort *ctx);

/* The effective URL (the -u override, else the config's), or an error
 * when there is none. */
int rt_ctx_url(rt_url *out, retort *ctx);

/* Point the context at a scratch database for a while (retort test,
 * autogenerate's replay): runs go to `url` (borrowed), stay out of the
 * project's log and leave its schema_file alone.  rt_ctx_unpoint puts
 * everything back. */
typedef struct rt_ctx_pointed {
	char *url_override;
	char *schema_file;
	char *url_masked;
	rt_log log;
	int log_opened;
} rt_ctx_pointed;

void rt_ctx_point(retort *ctx, char *url, rt_ctx_pointed *saved);
void rt_ctx_unpoint(retort *ctx, rt_ctx_pointed *saved);

/* The dialects the project deploys to: those the `dialects` key of
 * [retort] lists (comma or space separated) and the URL's, when there is
 * a URL this build has a driver for.  *out has bit i set for
 * rt_driver_at(i); the drivers are not made ready.  RETORT_ECONFIG, naming
 * the ini file and the word, for a name the registry does not know or
 * whose driver this build lacks. */
int rt_ctx_dialects(unsigned *out, retort *ctx);

/* Open the log file named by the config, once. */
rt_log *rt_ctx_log(retort *ctx);

#endif
