/*
 * ctx.c - the retort context (ctx.h): making and freeing it, opening a
 * project's configuration, its error message, and what every run takes
 * from it (the URL, the graph, the log).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctx.h"

int retort_new(retort **out)
{
	retort *ctx = calloc(1, sizeof(*ctx));

	*out = ctx;
	if (!ctx)
		return RETORT_ERROR;
	rt_buf_init(&ctx->err);
	return 0;
}

void retort_free(retort *ctx)
{
	if (!ctx)
		return;
	rt_buf_release(&ctx->err);
	rt_config_release(&ctx->cfg);
	rt_graph_release(&ctx->graph);
	while (ctx->nretired)
		rt_graph_release(&ctx->retired[--ctx->nretired]);
	free(ctx->retired);
	rt_sum_cache_release(&ctx->sums);
	rt_strlist_release(&ctx->vars);
	rt_strlist_release(&ctx->version_dirs);
	rt_log_close(&ctx->log);
	rt_strlist_release(&ctx->run_from);
	rt_strlist_release(&ctx->run_to);
	rt_strlist_release(&ctx->run_steps);
	free(ctx->script_override);
	free(ctx->url_override);
	free(ctx->cache_dir);
	free(ctx->url_masked);
	free(ctx);
}

const char *retort_errmsg(const retort *ctx)
{
	return ctx ? ctx->err.ptr : "out of memory";
}

int rt_ctx_error(retort *ctx, int code, const char *fmt, ...)
{
	va_list ap;

	rt_buf_clear(&ctx->err);
	va_start(ap, fmt);
	rt_buf_vprintf(&ctx->err, fmt, ap);
	va_end(ap);
	return code;
}

int rt_ctx_error_prefix(retort *ctx, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_buf_vinsertf(&ctx->err, 0, fmt, ap);
	va_end(ap);
	return code;
}

int rt_ctx_check_options(retort *ctx, unsigned int version, unsigned int newest,
			 const char *type)
{
	char init[64];
	size_t i;

	if (version >= 1 && version <= newest)
		return 0;
	for (i = 0; type[i] && i < sizeof(init) - sizeof("_INIT"); i++)
		init[i] = (char)toupper((unsigned char)type[i]);
	memcpy(init + i, "_INIT", sizeof("_INIT"));
	if (!version)
		return rt_ctx_error(ctx, RETORT_EUSAGE, "%s has version 0: initialise it with "
				    "%s, then set its fields", type, init);
	return rt_ctx_error(ctx, RETORT_EUSAGE, "%s has version %u, newer than this libretort "
			    "%s knows (%u): the program was built against a newer retort.h",
			    type, version, RETORT_VERSION, newest);
}

static int cwd(rt_buf *out)
{
	char path[4096];

	if (!getcwd(path, sizeof(path)))
		return RETORT_ERROR;
	rt_buf_puts(out, path);
	return 0;
}

/* What retort_open() reads, kept aside until all of it has worked, so
 * that a failed open leaves the context as it was. */
typedef struct opening {
	rt_config cfg;
	int have_cfg;
	rt_strlist vars;
	char *url;
	char *cache_dir;
	rt_strlist version_dirs;
	int version_listed;
} opening;

static int read_config(opening *o, retort *ctx, const retort_options *opts, const char *start)
{
	char *path = NULL;
	int rc;

	if (opts->version >= 3 && opts->no_config) {
		if ((rc = rt_config_defaults(&o->cfg, start)) < 0)
			rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	} else if (opts->config_path) {
		rc = rt_config_load(&o->cfg, opts->config_path, &ctx->err);
	} else {
		rc = rt_config_find(&path, start, &ctx->err);
		if (rc == RETORT_ENOTFOUND && opts->config_optional)
			rc = rt_config_defaults(&o->cfg, start);
		else if (rc >= 0)
			rc = rt_config_load(&o->cfg, path, &ctx->err);
	}
	free(path);
	o->have_cfg = rc >= 0;
	return rc;
}

/* The one versions folder of o->cfg.script_location. */
static int tree_versions(opening *o, retort *ctx)
{
	char *dir = rt_path_join(o->cfg.script_location, "versions");
	int rc = dir ? rt_strlist_add(&o->version_dirs, dir) : RETORT_ERROR;

	free(dir);
	return rc < 0 ? rt_ctx_error(ctx, RETORT_ERROR, "out of memory") : 0;
}

static int read_options(opening *o, retort *ctx, const retort_options *opts)
{
	rt_buf where = RT_BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; opts->version >= 3 && i < opts->nsettings && rc >= 0; i++) {
		const retort_setting *set = &opts->settings[i];
		rt_buf_clear(&where);
		rt_buf_printf(&where, "retort_options.settings[%zu]", i);
		rc = rt_config_set(&o->cfg, set->section, set->key, set->value, where.ptr,
				   &ctx->err);
	}
	rt_buf_release(&where);
	if (rc < 0)
		return rc;
	/* refused now, saying why: later, a log that cannot be opened is
	 * skipped without a word (a full disk must not stop a migration) */
	if ((rc = rt_log_check(o->cfg.log_file, &ctx->err)) < 0)
		return rc;
	for (i = 0; i < opts->nvars; i++) {
		if (!strchr(opts->vars[i], '='))
			return rt_ctx_error(ctx, RETORT_EUSAGE, "-x '%s' is not KEY=VALUE",
					    opts->vars[i]);
		if (rt_strlist_add(&o->vars, opts->vars[i]) < 0)
			return rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	}
	if (opts->url && !(o->url = rt_strdup(opts->url)))
		return rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	if (opts->version >= 2 && opts->cache_dir && *opts->cache_dir &&
	    !(o->cache_dir = rt_strdup(opts->cache_dir)))
		return rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	if (opts->script_location) {
		char *abs = rt_path_join(o->cfg.dir, opts->script_location);
		int own;

		if (!abs)
			return rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
		own = !strcmp(abs, o->cfg.script_location);
		free(o->cfg.script_location);
		o->cfg.script_location = abs;
		/* another tree than the file's (a fleet's tenants'): the file's
		 * version_locations are its own tree's, not this one's */
		if (!own)
			return tree_versions(o, ctx);
	}
	return rt_config_version_dirs(&o->version_dirs, &o->version_listed, &o->cfg, &ctx->err);
}

int retort_open(retort *ctx, const retort_options *opts)
{
	retort_options none = RETORT_OPTIONS_INIT;
	rt_buf start = RT_BUF_INIT;
	opening o;
	int rc;

	memset(&o, 0, sizeof(o));
	rt_buf_clear(&ctx->err);
	if ((rc = RT_CTX_CHECK_OPTIONS(ctx, opts, RETORT_OPTIONS_VERSION, "retort_options")) < 0)
		return rc;
	if (!opts)
		opts = &none;
	if (ctx->opened)
		return rt_ctx_error(ctx, RETORT_EUSAGE, "the context is already open");
	if (opts->version >= 3 && opts->source &&
	    ((rc = rt_ctx_check_options(ctx, opts->source->version, RETORT_SOURCE_VERSION,
					"retort_source")) < 0))
		return rc;
	if (opts->version >= 3 && opts->source && (!opts->source->list || !opts->source->read))
		return rt_ctx_error(ctx, RETORT_EUSAGE, "retort_source '%s' has no list or no read "
				    "function", opts->source->name ? opts->source->name : "");
	if (opts->start_dir)
		rt_buf_puts(&start, opts->start_dir);
	else if (cwd(&start) < 0)
		return rt_ctx_error(ctx, RETORT_ERROR, "cannot read the current folder: %s",
				    strerror(errno));
	if ((rc = read_config(&o, ctx, opts, start.ptr)) >= 0 &&
	    (rc = read_options(&o, ctx, opts)) >= 0) {
		rt_config_release(&ctx->cfg);
		ctx->cfg = o.cfg;
		ctx->vars = o.vars;
		if (o.url) { /* beats a retort_set_url() made before */
			free(ctx->url_override);
			free(ctx->url_masked);
			ctx->url_override = o.url;
			ctx->url_masked = NULL;
		}
		ctx->cache_dir = o.cache_dir;
		ctx->version_dirs = o.version_dirs;
		ctx->version_listed = o.version_listed;
		ctx->source = opts->version >= 3 ? opts->source : NULL;
		ctx->opened = 1;
		memset(&o, 0, sizeof(o));
	}
	if (o.have_cfg)
		rt_config_release(&o.cfg);
	rt_strlist_release(&o.vars);
	rt_strlist_release(&o.version_dirs);
	free(o.url);
	free(o.cache_dir);
	rt_buf_release(&start);
	return rc;
}

int retort_set_url(retort *ctx, const char *url)
{
	char *copy = rt_strdup(url);

	if (!copy)
		return rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	free(ctx->url_override);
	free(ctx->url_masked);
	ctx->url_override = copy;
	ctx->url_masked = NULL;
	return 0;
}

int retort_set_log_tag(retort *ctx, const char *tag)
{
	char *copy = NULL;

	if (tag && !(copy = rt_strdup(tag)))
		return rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	free(ctx->log.tag);
	ctx->log.tag = copy;
	return 0;
}

void retort_set_log_callback(retort *ctx, retort_log_fn fn, void *payload)
{
	ctx->log.fn = fn;
	ctx->log.payload = payload;
}

const char *retort_config_path(const retort *ctx)
{
	return ctx->cfg.path;
}

const char *retort_script_location(const retort *ctx)
{
	return ctx->cfg.script_location;
}

const char *retort_config_get(const retort *ctx, const char *section, const char *key)
{
	return rt_config_get(&ctx->cfg, section, key);
}

const char *retort_url_masked(const retort *ctx)
{
	retort *c = (retort *)ctx;
	const char *url = ctx->url_override ? ctx->url_override : ctx->cfg.url;
	rt_buf b = RT_BUF_INIT;

	if (!url)
		return "";
	if (!c->url_masked) {
		rt_mask_url(&b, url);
		c->url_masked = rt_buf_detach(&b);
	}
	return c->url_masked ? c->url_masked : "";
}

int retort_use_connection(retort *ctx, const char *dialect, void *handle)
{
	const rt_driver *drv = NULL;
	int rc;

	rt_buf_clear(&ctx->err);
	if (handle) {
		if (!dialect)
			return rt_ctx_error(ctx, RETORT_EUSAGE, "retort_use_connection needs the "
					    "connection's dialect");
		if ((rc = rt_driver_named(&drv, dialect, &ctx->err)) < 0)
			return rc;
		if (!drv->adopt)
			return rt_ctx_error(ctx, RETORT_EUSAGE, "the %s driver cannot use a "
					    "program's connection", drv->name);
	}
	ctx->conn_handle = handle;
	ctx->conn_driver = drv;
	return 0;
}

void rt_ctx_point(retort *ctx, char *url, rt_ctx_pointed *saved)
{
	saved->url_override = ctx->url_override;
	saved->url_masked = ctx->url_masked;
	saved->schema_file = ctx->cfg.schema_file;
	ctx->cfg.schema_file = NULL;
	saved->log = ctx->log;
	saved->log_opened = ctx->log_opened;
	ctx->url_override = url;
	ctx->url_masked = NULL;
	ctx->log = (rt_log)RT_LOG_INIT;
	ctx->log_opened = 1;
}

void rt_ctx_unpoint(retort *ctx, rt_ctx_pointed *saved)
{
	free(ctx->url_masked);
	ctx->url_override = saved->url_override;
	ctx->url_masked = saved->url_masked;
	ctx->cfg.schema_file = saved->schema_file;
	ctx->log = saved->log;
	ctx->log_opened = saved->log_opened;
}

int rt_ctx_url(rt_url *out, retort *ctx)
{
	const char *url = ctx->url_override ? ctx->url_override : ctx->cfg.url;
	const rt_driver *driver;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!ctx->opened)
		return rt_ctx_error(ctx, RETORT_EUSAGE, "the context is not open");
	/* what needs a URL (a backup, a scratch database, autogenerate) must
	 * not quietly go to the configured database instead of the program's */
	if (ctx->conn_handle)
		return rt_ctx_error(ctx, RETORT_EUSAGE, "this needs a database URL, and the "
				    "context runs on the program's own connection "
				    "(retort_use_connection)");
	if (!url || !*url)
		return rt_ctx_error(ctx, RETORT_EUSAGE,
				    "no database URL: set 'url' in %s or pass -u URL",
				    ctx->cfg.path ? ctx->cfg.path : "retort.ini");
	if ((rc = rt_url_parse(out, url, ctx->cfg.dir, &ctx->err)) < 0)
		return rc;
	/* before any connection: a name the database would cut makes the
	 * first upgrade fail half-way */
	driver = rt_driver_lookup(out->scheme);
	if (driver && (rc = rt_config_check_names(&ctx->cfg, out->scheme, driver->max_ident,
						  &ctx->err)) < 0)
		rt_url_release(out);
	return rc;
}

rt_log *rt_ctx_log(retort *ctx)
{
	if (!ctx->log_opened) {
		rt_buf ignored = RT_BUF_INIT;
		ctx->log_opened = 1;
		/* a log that cannot be opened must not stop a migration */
		if (ctx->cfg.log_file)
			rt_log_open(&ctx->log, ctx->cfg.log_file, &ignored);
		rt_buf_release(&ignored);
	}
	return &ctx->log;
}

int rt_ctx_graph(rt_graph **out, retort *ctx)
{
	int rc = 0;

	*out = NULL;
	if (!ctx->opened)
		return rt_ctx_error(ctx, RETORT_EUSAGE, "the context is not open");
	if (!ctx->loaded) {
		/* as Alembic: a folder version_locations names may not exist
		 * yet (the first revision there makes it) */
		rc = ctx->source ? rt_graph_load_source(&ctx->graph, ctx->source, &ctx->err)
				 : rt_graph_load_dirs(&ctx->graph, &ctx->version_dirs,
						      ctx->version_listed, ctx->cache_dir, &ctx->err);
		if (rc < 0)
			return rc;
		ctx->loaded = 1;
	}
	*out = &ctx->graph;
	return 0;
}

int rt_ctx_graph_changed(retort *ctx)
{
	rt_graph *more;

	if (!ctx->loaded)
		return 0;
	if (!(more = realloc(ctx->retired, (ctx->nretired + 1) * sizeof(*more))))
		return rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	ctx->retired = more;
	rt_graph_close_folders(&ctx->graph);
	ctx->retired[ctx->nretired++] = ctx->graph;
	memset(&ctx->graph, 0, sizeof(ctx->graph));
	rt_sum_cache_release(&ctx->sums);
	ctx->loaded = 0;
	return 0;
}

