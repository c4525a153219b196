/*
 * fleet.c - one command over many databases: a bot-constructor keeps one
 * database per bot and lists them in a registry database.  Tenants come
 * from the registry query (or a file), and a pool of threads runs the same
 * upgrade on each, every thread with its own context and connections, so
 * one broken tenant never stops the others.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctx.h"

void retort_tenant_list_release(retort_tenant_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++) {
		free(list->tenants[i].name);
		free(list->tenants[i].url);
	}
	free(list->tenants);
	list->tenants = NULL;
	list->count = 0;
}

static int add_tenant(retort_tenant_list *out, retort *ctx, const char *name, const char *url,
		      const char *where)
{
	rt_buf expanded = RT_BUF_INIT;
	retort_tenant *t;
	int rc;

	if ((rc = rt_interpolate(&expanded, url, rt_lookup_env, NULL, 1, where, &ctx->err)) < 0)
		goto done;
	if (!(t = realloc(out->tenants, (out->count + 1) * sizeof(*t)))) {
		rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
		goto done;
	}
	out->tenants = t;
	t += out->count;
	t->name = rt_strdup(name);
	t->url = rt_buf_detach(&expanded);
	out->count++;
	if (!t->name || !t->url)
		rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
done:
	rt_buf_release(&expanded);
	return rc;
}

/* Lines "name url"; blank lines and '#' comments are skipped. */
static int tenants_from_file(retort_tenant_list *out, retort *ctx, const char *path)
{
	rt_buf where = RT_BUF_INIT, name = RT_BUF_INIT;
	char *text = NULL, *line, *next;
	int rc, lineno = 0;

	if ((rc = rt_read_file(&text, NULL, path, &ctx->err)) < 0)
		return rc;
	for (line = text; rc >= 0 && line && *line; line = next) {
		char *p = line, *end;
		size_t n;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strlen(p);
		while (end > p && strchr(" \t\r", end[-1]))
			*--end = '\0';
		if (!*p || *p == '#')
			continue;
		n = strcspn(p, " \t");
		rt_buf_clear(&where);
		rt_buf_printf(&where, "%s:%d", path, lineno);
		if (!p[n]) {
			rc = rt_ctx_error(ctx, RETORT_EUSAGE, "%s: expected 'NAME URL'", where.ptr);
			break;
		}
		rt_buf_clear(&name);
		rt_buf_put(&name, p, n);
		p += n;
		while (*p == ' ' || *p == '\t')
			p++;
		rc = add_tenant(out, ctx, name.ptr, p, where.ptr);
	}
	free(text);
	rt_buf_release(&where);
	rt_buf_release(&name);
	return rc;
}

static int tenants_from_registry(retort_tenant_list *out, retort *ctx, const char *where)
{
	const char *url_text = rt_config_get(&ctx->cfg, "fleet", "registry_url");
	const char *query = rt_config_get(&ctx->cfg, "fleet", "registry_query");
	rt_strlist cells = { 0 };
	rt_buf sql = RT_BUF_INIT;
	const rt_driver *drv = NULL;
	rt_conn *conn = NULL;
	rt_url url = { 0 };
	size_t i;
	int rc;

	if (!url_text || !query)
		return rt_ctx_error(ctx, RETORT_EUSAGE,
				    "no tenants: set registry_url and registry_query in the [fleet] "
				    "section of %s, or pass --tenants FILE",
				    ctx->cfg.path ? ctx->cfg.path : "retort.ini");
	if ((rc = rt_url_parse(&url, url_text, ctx->cfg.dir, &ctx->err)) < 0)
		goto done;
	if ((rc = rt_driver_for(&drv, url.scheme, &ctx->err)) < 0)
		goto done;
	if (where && *where)
		rt_buf_printf(&sql, "SELECT * FROM (%s) AS retort_tenants WHERE %s", query, where);
	else
		rt_buf_puts(&sql, query);
	if ((rc = drv->connect(&conn, &url, &ctx->cfg, &ctx->err)) < 0)
		goto done;
	if ((rc = drv->query(conn, sql.ptr, 2, &cells, &ctx->err)) < 0) {
		rt_ctx_error_prefix(ctx, rc, "the registry query on '%s' failed: ", url.masked);
		goto done;
	}
	for (i = 0; i + 1 < cells.count && rc >= 0; i += 2)
		rc = add_tenant(out, ctx, cells.items[i], cells.items[i + 1], "the registry");
done:
	if (conn)
		drv->close(conn);
	rt_strlist_release(&cells);
	rt_buf_release(&sql);
	rt_url_release(&url);
	return rc;
}

int retort_fleet_tenants(retort_tenant_list *out, retort *ctx, const char *tenants_file,
			 const char *where)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rt_buf_clear(&ctx->err);
	rc = tenants_file ? tenants_from_file(out, ctx, tenants_file)
			  : tenants_from_registry(out, ctx, where);
	if (rc < 0)
		retort_tenant_list_release(out);
	return rc;
}

/* ---- servers ------------------------------------------------------------------ */

/* The tenants of one database server, in list order, and how many of them
 * run now.  Tenants of no server (SQLite files) share one with no limit. */
typedef struct server {
	char *key;          /* "scheme://host:port"; NULL: no server */
	size_t *queue;      /* tenant indexes */
	size_t count, next;
	size_t running;
	char *down;         /* why it is out of reach, once it is found so */
} server;

typedef struct fleet {
	retort *ctx;
	const retort_tenant_list *list;
	const retort_fleet_options *opts;
	const char *script_location;
	int atomic;
	size_t max_per_server;  /* 0: no limit */
	server *servers;
	size_t nservers;
	size_t *server_of;      /* per tenant */
	pthread_mutex_t mu;
	pthread_cond_t freed;   /* a server's slot came free */
	size_t failed;
	int stop;
} fleet;

/* The server a tenant's URL points at: scheme, host and port, so that
 * "localhost" and "localhost:5432" count as one only when written alike.
 * NULL for a file or a URL that does not parse (its run says why); a
 * local socket without a host is one server per scheme. */
static char *server_key(const char *url, const char *dir)
{
	rt_buf err = RT_BUF_INIT, key = RT_BUF_INIT;
	rt_url u = { 0 };

	/* a database file has an absolute path (tenant_missing), a server's
	 * database a name */
	if (rt_url_parse(&u, url, dir, &err) >= 0 && !u.memory && !(u.path && u.path[0] == '/'))
		rt_buf_printf(&key, "%s://%s:%s", u.scheme ? u.scheme : "",
			      u.host ? u.host : "", u.port ? u.port : "");
	rt_url_release(&u);
	rt_buf_release(&err);
	return key.len ? rt_buf_detach(&key) : (rt_buf_release(&key), NULL);
}

static void servers_release(fleet *f)
{
	size_t i;

	for (i = 0; i < f->nservers; i++) {
		free(f->servers[i].key);
		free(f->servers[i].queue);
		free(f->servers[i].down);
	}
	free(f->servers);
	free(f->server_of);
}

/* Group the tenants by server, each group in list order.  A handful of
 * servers is the common case: the search is linear in them. */
static int group_servers(fleet *f)
{
	size_t i, j, n = f->list->count;

	if (!(f->server_of = calloc(n ? n : 1, sizeof(*f->server_of))) ||
	    !(f->servers = calloc(n ? n : 1, sizeof(*f->servers))))
		return -1;
	for (i = 0; i < n; i++) {
		char *key = server_key(f->list->tenants[i].url, f->ctx->cfg.dir);
		for (j = 0; j < f->nservers; j++)
			if (key ? f->servers[j].key && !strcmp(key, f->servers[j].key)
				: !f->servers[j].key)
				break;
		if (j == f->nservers)
			f->servers[f->nservers++].key = key;
		else
			free(key);
		f->server_of[i] = j;
		f->servers[j].count++;
	}
	for (j = 0; j < f->nservers; j++)
		if (!(f->servers[j].queue = malloc(f->servers[j].count * sizeof(size_t))))
			return -1;
	for (j = 0; j < f->nservers; j++)
		f->servers[j].count = 0;
	for (i = 0; i < n; i++) {
		server *s = &f->servers[f->server_of[i]];
		s->queue[s->count++] = i;
	}
	return 0;
}

/* Under the lock: the next tenant to start, the one earliest in the list
 * among the servers with a free slot (a server out of reach always has
 * one: its tenants fail without trying).  Waits while every server with
 * tenants left is full; SIZE_MAX when none is left. */
static size_t take_tenant(fleet *f)
{
	for (;;) {
		size_t best = SIZE_MAX, bs = 0, j, left = 0;

		for (j = 0; j < f->nservers; j++) {
			server *s = &f->servers[j];
			if (s->next == s->count)
				continue;
			left = 1;
			if (s->key && !s->down && f->max_per_server &&
			    s->running >= f->max_per_server)
				continue;
			if (s->queue[s->next] < best) {
				best = s->queue[s->next];
				bs = j;
			}
		}
		if (best != SIZE_MAX) {
			f->servers[bs].next++;
			f->servers[bs].running++;
			return best;
		}
		if (!left)
			return SIZE_MAX;
		pthread_cond_wait(&f->freed, &f->mu);
	}
}

/* ---- running ------------------------------------------------------------------ */

static void join_rows(rt_buf *out, char *const *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		rt_buf_printf(out, "%s%s", i ? "," : "", rows[i]);
}

/* Would connecting create the tenant's database?  Only a database that is
 * a file has an absolute path (backup.c); a server's database is never
 * created by connecting.  A new tenant and one whose file vanished look
 * alike once created, so the run says which it was, or refuses. */
static int tenant_missing(retort *w, const retort_tenant *t, int no_create, int *missing)
{
	rt_url u = { 0 };
	int rc = 0;

	*missing = 0;
	if (rt_url_parse(&u, t->url, w->cfg.dir, &w->err) < 0) {
		/* retort_set_url says what is wrong with it */
		rt_buf_clear(&w->err);
		return 0;
	}
	*missing = !u.memory && u.path && u.path[0] == '/' && access(u.path, F_OK) != 0 &&
		   errno == ENOENT;
	if (*missing && no_create)
		rc = rt_ctx_error(w, RETORT_ENOTFOUND, "tenant '%s': the database file '%s' does "
				  "not exist; not created (--no-create)", t->name, u.path);
	rt_url_release(&u);
	return rc;
}

/* Run one tenant on a worker's context and fill `res`; what the run
 * returned. */
static int run_tenant(fleet *f, retort *w, int open_rc, size_t i, retort_tenant_result *res,
		       rt_buf *from, rt_buf *to, rt_buf *error)
{
	const retort_tenant *t = &f->list->tenants[i];
	retort_run_summary run = { 0 };
	retort_strarray cur = { 0 };
	double t0 = rt_now_ms();
	int rc = open_rc, missing = 0;

	if (rc >= 0 && !*t->url)
		rc = rt_ctx_error(w, RETORT_EUSAGE, "tenant '%s' has no database URL in the registry",
				  t->name);
	if (rc >= 0)
		rc = tenant_missing(w, t, f->opts->version >= 2 && f->opts->no_create, &missing);
	if (rc >= 0)
		rc = retort_set_url(w, t->url);
	if (rc >= 0)
		rc = retort_set_log_tag(w, t->name);
	/* the whole tenant in one transaction: migrate.c's whole-run mode */
	if (rc >= 0 && f->atomic)
		w->cfg.transaction_per_migration = 0;
	if (rc >= 0) {
		switch (f->opts->action) {
		case RETORT_FLEET_CURRENT:
			rc = retort_pending(&cur, &res->pending, w, f->opts->target);
			join_rows(from, cur.strings, cur.count);
			rt_buf_puts(to, from->ptr);
			retort_strarray_release(&cur);
			break;
		case RETORT_FLEET_DOWNGRADE:
			rc = retort_downgrade(w, f->opts->target, NULL);
			break;
		default:
			rc = retort_upgrade(w, f->opts->target, NULL);
			break;
		}
		/* what the run did, failed or not */
		if (f->opts->action != RETORT_FLEET_CURRENT && retort_run_result(&run, w) >= 0) {
			join_rows(from, run.from.strings, run.from.count);
			join_rows(to, run.to.strings, run.to.count);
			res->applied = run.steps.count;
			retort_run_summary_release(&run);
		}
	}
	if (rc < 0)
		rt_mask_secrets(error, retort_errmsg(w));
	res->elapsed_ms = rt_now_ms() - t0;
	res->state = rc < 0 ? RETORT_TENANT_FAILED
			    : missing ? RETORT_TENANT_CREATED : RETORT_TENANT_OK;
	return rc;
}

static void *worker(void *arg)
{
	fleet *f = arg;
	retort_options oo = RETORT_OPTIONS_INIT;
	rt_buf url = RT_BUF_INIT, from = RT_BUF_INIT, to = RT_BUF_INIT, error = RT_BUF_INIT;
	retort *w = NULL;
	int open_rc;

	/* each worker reads the project once and keeps its graph for every
	 * tenant it runs */
	oo.config_path = f->ctx->cfg.path;
	oo.start_dir = f->ctx->cfg.dir;
	oo.config_optional = 1;
	oo.script_location = f->script_location;
	oo.cache_dir = f->ctx->cache_dir;
	if ((open_rc = retort_new(&w)) >= 0)
		open_rc = retort_open(w, &oo);
	/* one schema file for many databases would say whichever ran last */
	if (open_rc >= 0) {
		free(w->cfg.schema_file);
		w->cfg.schema_file = NULL;
	}
	for (;;) {
		retort_tenant_result res;
		const char *down;
		server *s;
		size_t i;
		int stopped, rc = 0;

		pthread_mutex_lock(&f->mu);
		i = take_tenant(f);
		stopped = f->stop;
		pthread_mutex_unlock(&f->mu);
		if (i == SIZE_MAX)
			break;
		s = &f->servers[f->server_of[i]];
		down = s->down;  /* set once, under the lock, and kept */
		memset(&res, 0, sizeof(res));
		rt_buf_clear(&url);
		rt_buf_clear(&from);
		rt_buf_clear(&to);
		rt_buf_clear(&error);
		rt_mask_url(&url, f->list->tenants[i].url);
		if (stopped) {
			res.state = RETORT_TENANT_SKIPPED;
		} else if (down) {
			res.state = RETORT_TENANT_FAILED;
			rt_buf_printf(&error, "not tried: the server %s is out of reach (%s)",
				      s->key, down);
		} else {
			rc = run_tenant(f, w, w ? open_rc : RETORT_ERROR, i, &res, &from, &to,
					&error);
		}
		if (res.state == RETORT_TENANT_FAILED && !error.len)
			rt_mask_secrets(&error, w ? retort_errmsg(w) : "out of memory");
		res.index = i;
		res.name = f->list->tenants[i].name;
		res.url = url.ptr;
		res.from = from.ptr;
		res.to = to.ptr;
		res.error = error.ptr;
		pthread_mutex_lock(&f->mu);
		if (rc == RETORT_ECONNECT && s->key && !s->down)
			s->down = rt_strdup(error.ptr);
		s->running--;
		pthread_cond_broadcast(&f->freed);
		if (res.state == RETORT_TENANT_FAILED) {
			f->failed++;
			if (f->opts->fail_fast)
				f->stop = 1;
		}
		if (f->opts->on_result)
			f->opts->on_result(&res, f->opts->payload);
		pthread_mutex_unlock(&f->mu);
	}
	retort_free(w);
	rt_buf_release(&url);
	rt_buf_release(&from);
	rt_buf_release(&to);
	rt_buf_release(&error);
	return NULL;
}

/* A [fleet] setting as a whole number >= 0 (`dflt` when unset). */
static int fleet_number(long *out, retort *ctx, const char *key, long dflt)
{
	const char *text = rt_config_get(&ctx->cfg, "fleet", key);
	char *end;

	*out = dflt;
	if (!text || !*text)
		return 0;
	errno = 0;
	*out = strtol(text, &end, 10);
	if (errno || *end || *out < 0)
		return rt_ctx_error(ctx, RETORT_ECONFIG, "%s: [fleet] %s: expected a whole number, "
				    "not '%s'", ctx->cfg.path ? ctx->cfg.path : "retort.ini", key,
				    text);
	return 0;
}

/* The run's settings: the options, else [fleet]'s keys. */
static int fleet_settings(fleet *f, long *jobs, retort *ctx, const retort_fleet_options *opts)
{
	const char *atomic = rt_config_get(&ctx->cfg, "fleet", "atomic");
	int v3 = opts->version >= 3, on = 0;
	long max;
	int rc;

	if ((rc = fleet_number(jobs, ctx, "jobs", 0)) < 0 ||
	    (rc = fleet_number(&max, ctx, "max_per_server", 0)) < 0)
		return rc;
	if (opts->jobs > 0)
		*jobs = opts->jobs;
	f->max_per_server = (size_t)(v3 && opts->max_per_server > 0 ? opts->max_per_server : max);
	if (atomic && *atomic && rt_parse_bool(&on, atomic) < 0)
		return rt_ctx_error(ctx, RETORT_ECONFIG, "%s: [fleet] atomic: expected true or false, "
				    "not '%s'", ctx->cfg.path ? ctx->cfg.path : "retort.ini", atomic);
	f->atomic = v3 && opts->atomic ? opts->atomic > 0 : on;
	return 0;
}

int retort_fleet_run(retort *ctx, const retort_tenant_list *tenants,
		     const retort_fleet_options *opts)
{
	static const retort_fleet_options defaults = RETORT_FLEET_OPTIONS_INIT;
	pthread_t *threads = NULL;
	fleet f;
	long jobs;
	long i, started = 0;
	int rc;

	rt_buf_clear(&ctx->err);
	if ((rc = RT_CTX_CHECK_OPTIONS(ctx, opts, RETORT_FLEET_OPTIONS_VERSION,
				       "retort_fleet_options")) < 0)
		return rc;
	if (!opts)
		opts = &defaults;
	if (!ctx->opened)
		return rt_ctx_error(ctx, RETORT_EUSAGE, "the context is not open");
	memset(&f, 0, sizeof(f));
	if ((rc = fleet_settings(&f, &jobs, ctx, opts)) < 0)
		return rc;
	if (jobs <= 0)
		jobs = sysconf(_SC_NPROCESSORS_ONLN);
	if (jobs <= 0)
		jobs = 1;
	if ((size_t)jobs > tenants->count)
		jobs = tenants->count ? (long)tenants->count : 1;
	f.ctx = ctx;
	f.list = tenants;
	f.opts = opts;
	f.script_location = rt_config_get(&ctx->cfg, "fleet", "script_location");
	if (!f.script_location)
		f.script_location = ctx->cfg.script_location;
	if (group_servers(&f) < 0 || !(threads = calloc((size_t)jobs, sizeof(*threads)))) {
		servers_release(&f);
		return rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	}
	pthread_mutex_init(&f.mu, NULL);
	pthread_cond_init(&f.freed, NULL);
	for (i = 0; i < jobs; i++) {
		if (pthread_create(&threads[i], NULL, worker, &f) != 0)
			break;
		started++;
	}
	if (!started) /* no thread at all: run on this one */
		worker(&f);
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	pthread_cond_destroy(&f.freed);
	pthread_mutex_destroy(&f.mu);
	servers_release(&f);
	if (f.failed)
		return rt_ctx_error(ctx, RETORT_ERROR, "%zu of %zu tenants failed", f.failed,
				    tenants->count);
	return 0;
}
