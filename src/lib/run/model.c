/*
 * model.c - where the model comes from, per dialect, and the scratch
 * databases autogenerate builds its two sides in.
 *
 * The model of a dialect is, in this order: the output of
 * `schema_command` run with RETORT_DIALECT set to it (an ORM's models
 * printed as DDL), `schema.<dialect>.sql` beside the `schema` file, or
 * `schema` itself (a file, or a folder of .sql files in name order).
 * autogenerate, check and test all take it from here.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ctx.h"
#include "model.h"

#define COMMAND_TIMEOUT_S 120

/* ---- the model's SQL ---------------------------------------------------------- */

static int add_chunk(rt_model_src *m, const char *name, char *text, size_t len, int file)
{
	rt_model_chunk *v = realloc(m->chunks, (m->n + 1) * sizeof(*v));

	if (!v)
		return RETORT_ERROR;
	m->chunks = v;
	if (!(v[m->n].name = rt_strdup(name)))
		return RETORT_ERROR;
	v[m->n].text = text;
	v[m->n].len = len;
	v[m->n].file = file;
	m->n++;
	return 0;
}

static int add_file(rt_model_src *m, retort *ctx, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if ((rc = rt_read_file(&text, &len, path, &ctx->err)) < 0)
		return rc;
	if (add_chunk(m, path, text, len, 1) < 0) {
		free(text);
		return rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	}
	return 0;
}

/* The dialect a file name says it is for ("x.postgresql.sql"), or NULL. */
static const char *file_dialect(const char *name)
{
	const char *end = name + strlen(name) - 4, *dot;
	char word[32];

	for (dot = end - 1; dot > name && *dot != '.'; dot--)
		;
	if (dot <= name || (size_t)(end - dot - 1) >= sizeof(word))
		return NULL;
	memcpy(word, dot + 1, (size_t)(end - dot - 1));
	word[end - dot - 1] = '\0';
	return rt_dialect_canonical(word);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A folder of .sql files in name order: files marked for another
 * dialect are left out, and "x.<dialect>.sql" stands in for "x.sql". */
static int folder_files(rt_strlist *out, retort *ctx, const char *path, const char *dialect)
{
	rt_strlist names = { 0 };
	struct dirent *e;
	DIR *dir;
	size_t i;
	int rc = 0;

	if (!(dir = opendir(path)))
		return rt_ctx_error(ctx, RETORT_ERROR, "cannot read the folder '%s': %s", path,
				    strerror(errno));
	while ((e = readdir(dir)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".sql") || e->d_name[0] == '.')
			continue;
		if (rt_strlist_add(&names, e->d_name) < 0) {
			rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
			break;
		}
	}
	closedir(dir);
	qsort(names.items, names.count, sizeof(*names.items), by_name);
	for (i = 0; rc >= 0 && i < names.count; i++) {
		const char *name = names.items[i], *d = file_dialect(name);
		rt_buf own = RT_BUF_INIT;
		char *full;
		int skip;

		if (d && strcmp(d, dialect))
			continue;
		/* x.sql gives way to x.<dialect>.sql */
		rt_buf_printf(&own, "%.*s.%s.sql", (int)(strlen(name) - 4), name, dialect);
		skip = !d && rt_strlist_has(&names, own.ptr);
		rt_buf_release(&own);
		if (skip)
			continue;
		if (!(full = rt_path_join(path, name)) || rt_strlist_add(out, full) < 0)
			rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
		free(full);
	}
	rt_strlist_release(&names);
	if (rc >= 0 && !out->count)
		rc = rt_ctx_error(ctx, RETORT_ENOTFOUND, "the schema folder '%s' has no .sql file "
				  "for %s", path, dialect);
	return rc;
}

static int from_command(rt_model_src *m, retort *ctx, const char *line, const char *dialect)
{
	const char *timeout = rt_config_get(&ctx->cfg, "retort", "schema_command_timeout");
	rt_command c = { 0 };
	rt_strlist argv = { 0 };
	rt_buf env = RT_BUF_INIT, name = RT_BUF_INIT;
	const char *envs[1];
	long secs = COMMAND_TIMEOUT_S;
	char *end;
	int rc;

	if (timeout && *timeout) {
		secs = strtol(timeout, &end, 10);
		if (*end || secs <= 0)
			return rt_ctx_error(ctx, RETORT_ECONFIG,
					    "%s: schema_command_timeout '%s' is not a number of "
					    "seconds", ctx->cfg.path ? ctx->cfg.path : "retort.ini",
					    timeout);
	}
	if ((rc = rt_split_words(&argv, line, &ctx->err)) < 0) {
		rt_ctx_error_prefix(ctx, rc, "%s: schema_command: ",
				    ctx->cfg.path ? ctx->cfg.path : "retort.ini");
		goto done;
	}
	if (!argv.count) {
		rc = rt_ctx_error(ctx, RETORT_ECONFIG, "%s: schema_command is empty",
				  ctx->cfg.path ? ctx->cfg.path : "retort.ini");
		goto done;
	}
	if (rt_strlist_add(&argv, "") < 0) { /* room for the NULL */
		rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
		goto done;
	}
	free(argv.items[--argv.count]);
	argv.items[argv.count] = NULL;
	rt_buf_printf(&env, "RETORT_DIALECT=%s", dialect);
	envs[0] = env.ptr;
	c.argv = (const char *const *)argv.items;
	c.env = envs;
	c.nenv = 1;
	c.cwd = ctx->cfg.dir;
	c.timeout_ms = (int)(secs * 1000);
	if ((rc = rt_command_run(&c, &ctx->err)) < 0) {
		rt_ctx_error_prefix(ctx, rc, "schema_command: ");
		goto done;
	}
	if (c.timed_out || c.exit_status != 0) {
		while (c.err.len && strchr(" \t\r\n", c.err.ptr[c.err.len - 1]))
			rt_buf_truncate(&c.err, c.err.len - 1);
		if (c.timed_out)
			rc = rt_ctx_error(ctx, RETORT_EINVALID,
					  "schema_command '%s' did not finish within %ld s (for %s); "
					  "raise schema_command_timeout if it needs longer%s%s",
					  line, secs, dialect, c.err.len ? ":\n" : "",
					  c.err.len ? c.err.ptr : "");
		else
			rc = rt_ctx_error(ctx, RETORT_EINVALID,
					  "schema_command '%s' failed (exit status %d, for %s)%s%s",
					  line, c.exit_status, dialect, c.err.len ? ":\n" : "",
					  c.err.len ? c.err.ptr : "");
		goto done;
	}
	rt_buf_printf(&name, "schema_command's output for %s", dialect);
	if (rt_buf_oom(&name) || add_chunk(m, name.ptr, c.out.ptr ? c.out.ptr : rt_strdup(""),
					   c.out.len, 0) < 0) {
		rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
		goto done;
	}
	c.out = (rt_buf)RT_BUF_INIT; /* the chunk has it */
done:
	rt_command_release(&c);
	rt_strlist_release(&argv);
	rt_buf_release(&env);
	rt_buf_release(&name);
	return rc;
}

int rt_model_source(rt_model_src *m, retort *ctx, const char *dialect)
{
	const char *cmd = rt_config_get(&ctx->cfg, "retort", "schema_command");
	const char *path = ctx->cfg.schema;
	rt_strlist files = { 0 };
	struct stat st;
	size_t i;
	int rc = 0;

	memset(m, 0, sizeof(*m));
	if (cmd && *cmd)
		return from_command(m, ctx, cmd, dialect);
	if (!path || !*path)
		return rt_ctx_error(ctx, RETORT_EUSAGE,
				    "no 'schema' or 'schema_command' in %s: autogenerate and "
				    "check compare the database with the model they give "
				    "(schema = schema.sql)",
				    ctx->cfg.path ? ctx->cfg.path : "retort.ini");
	if (stat(path, &st) < 0)
		return rt_ctx_error(ctx, RETORT_ENOTFOUND, "cannot read the schema '%s': %s", path,
				    strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		rc = folder_files(&files, ctx, path, dialect);
	} else {
		/* schema.sql gives way to schema.<dialect>.sql beside it */
		size_t n = strlen(path);
		rt_buf own = RT_BUF_INIT;

		if (n > 4 && !strcmp(path + n - 4, ".sql") && !file_dialect(path))
			rt_buf_printf(&own, "%.*s.%s.sql", (int)(n - 4), path, dialect);
		if (rt_strlist_add(&files, own.len && stat(own.ptr, &st) == 0 ? own.ptr : path) < 0)
			rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
		rt_buf_release(&own);
	}
	for (i = 0; rc >= 0 && i < files.count; i++)
		rc = add_file(m, ctx, files.items[i]);
	rt_strlist_release(&files);
	if (rc < 0)
		rt_model_src_release(m);
	return rc;
}

void rt_model_src_release(rt_model_src *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->chunks[i].name);
		free(m->chunks[i].text);
	}
	free(m->chunks);
	memset(m, 0, sizeof(*m));
}

/* ---- where scratch databases are made ------------------------------------------ */

void rt_scratch_server_release(rt_scratch_server *b)
{
	free(b->raw);
	rt_url_release(&b->url);
	memset(b, 0, sizeof(*b));
}

/* `raw` as the server for `drv`: 1 taken, 0 another dialect's (b->url
 * still parsed, for a message), < 0 an error. */
static int server_try(rt_scratch_server *b, retort *ctx, const rt_driver *drv, const char *raw)
{
	const rt_driver *d;
	int rc;

	if ((rc = rt_url_parse(&b->url, raw, ctx->cfg.dir, &ctx->err)) < 0)
		return rc;
	if (rt_driver_for(&d, b->url.scheme, &ctx->err) < 0 || d != drv) {
		rt_buf_clear(&ctx->err);
		return 0;
	}
	if (!(b->raw = rt_strdup(raw)))
		return rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	return 1;
}

int rt_scratch_server_for(rt_scratch_server *b, retort *ctx, const rt_driver *drv, unsigned flags)
{
	const char *ini = ctx->cfg.path ? ctx->cfg.path : "retort.ini";
	const char *url = ctx->url_override ? ctx->url_override : ctx->cfg.url;
	const char *dev = rt_config_get(&ctx->cfg, "retort", "dev_url");
	const char *order[2];
	size_t i;
	int rc;

	memset(b, 0, sizeof(*b));
	if (flags & RT_SCRATCH_NO_URL)
		url = NULL;
	order[0] = flags & RT_SCRATCH_URL_FIRST ? url : dev;
	order[1] = flags & RT_SCRATCH_URL_FIRST ? dev : url;
	for (i = 0; i < 2; i++) {
		if (!order[i] || !*order[i])
			continue;
		if ((rc = server_try(b, ctx, drv, order[i])) != 0)
			return rc < 0 && order[i] == dev ? rt_ctx_error_prefix(ctx, rc, "dev_url in %s: ",
									      ini) : rc < 0 ? rc : 0;
		/* a dialect that needs a server must not quietly get another
		 * when dev_url was meant for it */
		if (order[i] == dev && !drv->model_url) {
			rc = rt_ctx_error(ctx, RETORT_EUSAGE, "dev_url '%s' in %s is not a %s "
					  "database", b->url.masked, ini, drv->name);
			rt_scratch_server_release(b);
			return rc;
		}
		rt_scratch_server_release(b);
	}
	if (drv->model_url) {
		if ((rc = server_try(b, ctx, drv, drv->model_url)) < 0)
			return rc;
		return 0;
	}
	return rt_ctx_error(ctx, RETORT_EUSAGE,
			    "a scratch %s database is needed, and there is no %s server to make "
			    "one on: set dev_url in %s to a %s URL (a database on a server where "
			    "retort may create databases and schemas)", drv->name, drv->name, ini,
			    drv->name);
}
