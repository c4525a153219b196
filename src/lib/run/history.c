/*
 * history.c - the history table and file checksums (see history.h).
 *
 * The table is plain SQL both dialects accept but for its id, which each
 * database numbers itself (the driver's auto_id); applied_at is the
 * server's CURRENT_TIMESTAMP stored as text.
 */
#include <nettle/sha2.h>
#include <pthread.h>
#include <stdio.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "history.h"

void rt_checksum(char out[RT_CHECKSUM_HEX], const char *text, size_t len)
{
	uint8_t md[SHA256_DIGEST_SIZE];
	struct sha256_ctx sha;
	const char *at = text, *end = text + len, *cr;

	sha256_init(&sha);
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		at += 3;
	/* runs without CR go in as they are; a CR (with its LF) is one LF */
	while ((cr = memchr(at, '\r', (size_t)(end - at))) != NULL) {
		sha256_update(&sha, (size_t)(cr - at), (const uint8_t *)at);
		sha256_update(&sha, 1, (const uint8_t *)"\n");
		at = cr + 1 < end && cr[1] == '\n' ? cr + 2 : cr + 1;
	}
	sha256_update(&sha, (size_t)(end - at), (const uint8_t *)at);
	sha256_digest(&sha, sizeof(md), md);
	rt_hex(out, md, sizeof(md));
}

void rt_history_name(rt_buf *out, const rt_driver *drv, const rt_config *cfg)
{
	const char *name = rt_config_get(cfg, "retort", "history_table");

	if (cfg->version_table_schema && *cfg->version_table_schema) {
		drv->quote_ident(out, cfg->version_table_schema);
		rt_buf_putc(out, '.');
	}
	drv->quote_ident(out, name && *name ? name : "retort_history");
}

void rt_history_create_sql(rt_buf *out, const rt_driver *drv, const char *qname)
{
	rt_buf_printf(out,
		      "CREATE TABLE IF NOT EXISTS %s (id %s, "
		      "revision VARCHAR(32) NOT NULL, direction VARCHAR(10) NOT NULL, "
		      "status VARCHAR(10) NOT NULL, checksum VARCHAR(64), "
		      "statements_done INTEGER NOT NULL DEFAULT 0, applied_at VARCHAR(40) NOT NULL, "
		      "duration_ms INTEGER, applied_by VARCHAR(255), retort_version VARCHAR(32), "
		      "error TEXT);\n", qname, drv->auto_id);
}

/* Looked up once per process: a fleet runs thousands of tenants. */
static pthread_once_t by_once = PTHREAD_ONCE_INIT;
static char by_value[512];

static void find_applied_by(void)
{
	struct passwd pw, *found = NULL;
	char buf[1024], host[256];
	const char *user = getenv("USER");

	if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &found) == 0 && found)
		user = found->pw_name;
	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	snprintf(by_value, sizeof(by_value), "%s@%s", user ? user : "?", host);
}

void rt_history_applied_by(rt_buf *out)
{
	pthread_once(&by_once, find_applied_by);
	rt_buf_puts(out, by_value);
}

void rt_history_insert_head(rt_buf *out, const char *qname)
{
	rt_buf_printf(out,
		      "INSERT INTO %s (revision, direction, status, checksum, statements_done, "
		      "applied_at, duration_ms, applied_by, retort_version, error) VALUES ", qname);
}

void rt_history_values(rt_buf *out, const rt_history_entry *e)
{
	rt_buf_printf(out, "('%s', '%s', '%s', ", e->revision,
		      e->direction == RT_DOWN ? "downgrade" : "upgrade", e->status);
	rt_sql_literal(out, e->checksum);
	rt_buf_printf(out, ", %zu, CURRENT_TIMESTAMP, ", e->statements_done);
	if (e->duration_sql)
		rt_buf_printf(out, "%s, ", e->duration_sql);
	else if (e->duration_ms >= 0)
		rt_buf_printf(out, "%.0f, ", e->duration_ms);
	else
		rt_buf_puts(out, "NULL, ");
	rt_sql_literal(out, e->applied_by);
	rt_buf_printf(out, ", '%s', ", retort_version());
	rt_sql_literal(out, e->error);
	rt_buf_putc(out, ')');
}

void rt_history_insert_sql(rt_buf *out, const char *qname, const rt_history_entry *e)
{
	rt_history_insert_head(out, qname);
	rt_history_values(out, e);
	rt_buf_puts(out, ";\n");
}

void rt_history_release(rt_history *h)
{
	size_t i;

	for (i = 0; h->checksum && i < h->n; i++)
		free(h->checksum[i]);
	free(h->checksum);
	free(h->failed_error);
	rt_strlist_release(&h->done_sums);
	memset(h, 0, sizeof(*h));
}

enum { COL_REV, COL_DIR, COL_STATUS, COL_SUM, COL_DONE, COL_ERROR, NCOLS };

/* Does this row leave the revision's checksum as it was recorded? */
static int keeps_checksum(const char *status)
{
	return !strcmp(status, "failed") || !strcmp(status, "running") ||
	       !strcmp(status, "statement");
}

int rt_history_read(rt_history *h, rt_graph *g, const rt_driver *drv, rt_conn *c,
		    const rt_config *cfg, rt_buf *err)
{
	const char *table = rt_config_get(cfg, "retort", "history_table");
	rt_buf q = RT_BUF_INIT, name = RT_BUF_INIT;
	rt_strlist cells = { 0 };
	const char *error = NULL;
	size_t i, legacy_done = 0;
	int rc, failed = 0;

	memset(h, 0, sizeof(*h));
	if ((rc = drv->table_exists(c, cfg->version_table_schema,
				    table && *table ? table : "retort_history", &h->exists, err)) < 0 ||
	    !h->exists)
		return rc;
	h->n = g->n;
	if (!(h->checksum = calloc(g->n ? g->n : 1, sizeof(*h->checksum))))
		goto oom;
	rt_history_name(&name, drv, cfg);
	rt_buf_printf(&q, "SELECT revision, direction, status, COALESCE(checksum, ''), "
		      "statements_done, COALESCE(error, '') FROM %s ORDER BY id", name.ptr);
	if ((rc = drv->query(c, q.ptr, NCOLS, &cells, err)) < 0)
		goto done;
	/* rows in order: an attempt opens with 'running' and stays open
	 * through its 'statement' and 'failed' rows */
	for (i = 0; i + NCOLS <= cells.count; i += NCOLS) {
		char **row = cells.items + i;
		const char *status = row[COL_STATUS];
		rt_rev *r = rt_graph_get(g, row[COL_REV]);
		int dir = !strcmp(row[COL_DIR], "upgrade") ? RT_UP : RT_DOWN;
		int mine = h->failed == r && h->failed_direction == dir;

		if (!r)
			continue;
		if (!strcmp(status, "running")) {
			if (!mine || legacy_done) { /* a new attempt, not a resumed one */
				rt_strlist_release(&h->done_sums);
				legacy_done = 0;
			}
			h->failed = r;
			h->failed_direction = dir;
			failed = 0;
		} else if (!strcmp(status, "statement")) {
			if (mine && rt_strlist_add(&h->done_sums, row[COL_SUM]) < 0)
				goto oom;
		} else if (!strcmp(status, "failed")) {
			/* a 'failed' row outside an attempt is a transactional
			 * failure, which left nothing behind; one with
			 * statements done is from retort before 0.5 */
			size_t done = strtoul(row[COL_DONE], NULL, 10);
			if (!mine && done) {
				rt_strlist_release(&h->done_sums);
				h->failed = r;
				h->failed_direction = dir;
				legacy_done = done;
				mine = 1;
			}
			if (mine) {
				failed = 1;
				error = row[COL_ERROR];
			}
		} else if (strcmp(status, "fixed") != 0 && h->failed == r) {
			h->failed = NULL; /* done, or cleared by a stamp */
			rt_strlist_release(&h->done_sums);
			legacy_done = 0;
			failed = 0;
		}
		if (dir == RT_UP && *row[COL_SUM] && !keeps_checksum(status)) {
			free(h->checksum[r->topo]);
			if (!(h->checksum[r->topo] = rt_strdup(row[COL_SUM])))
				goto oom;
		}
	}
	if (h->failed) {
		h->interrupted = !failed;
		h->failed_done = legacy_done ? legacy_done : h->done_sums.count;
		if (!(h->failed_error = rt_strdup(failed && error ? error : "")))
			goto oom;
	}
	rc = 0;
	goto done;
oom:
	rc = rt_error(err, RETORT_ERROR, "out of memory");
done:
	rt_strlist_release(&cells);
	rt_buf_release(&q);
	rt_buf_release(&name);
	if (rc < 0)
		rt_history_release(h);
	return rc;
}

int rt_history_all(rt_strlist *cells, int *exists, const rt_driver *drv, rt_conn *c,
		   const rt_config *cfg, rt_buf *err)
{
	const char *table = rt_config_get(cfg, "retort", "history_table");
	rt_buf q = RT_BUF_INIT, name = RT_BUF_INIT;
	int rc;

	if ((rc = drv->table_exists(c, cfg->version_table_schema,
				    table && *table ? table : "retort_history", exists, err)) < 0 ||
	    !*exists)
		return rc;
	rt_history_name(&name, drv, cfg);
	rt_buf_printf(&q, "SELECT revision, direction, status, statements_done, "
		      "COALESCE(duration_ms, -1), applied_at, COALESCE(applied_by, ''), "
		      "COALESCE(error, '') FROM %s ORDER BY id", name.ptr);
	rc = drv->query(c, q.ptr, RT_HISTORY_COLS, cells, err);
	rt_buf_release(&q);
	rt_buf_release(&name);
	return rc;
}

void rt_sum_cache_release(rt_sum_cache *c)
{
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

/* The checksum of g->topo[i]'s file now, from the cache when the file's
 * size and modification time are those it was hashed at.  Files of a
 * program's source (retort_options.source) have no such stamp. */
static int file_sum(char now[RT_CHECKSUM_HEX], rt_graph *g, size_t i, rt_sum_cache *cache,
		    rt_buf *err)
{
	struct rt_sum_entry *e = NULL;
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (cache && !g->source && stat(g->topo[i]->s.path, &st) == 0) {
		if (cache->n != g->n) {
			rt_sum_cache_release(cache);
			if (!(cache->v = calloc(g->n, sizeof(*cache->v))))
				return rt_error(err, RETORT_ERROR, "out of memory");
			cache->n = g->n;
		}
		e = &cache->v[i];
		if (e->known && e->size == (long long)st.st_size &&
		    e->mtime_ns == st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec) {
			memcpy(now, e->sum, RT_CHECKSUM_HEX);
			return 0;
		}
	}
	if ((rc = rt_graph_read(g, g->topo[i], &text, &len, err)) < 0)
		return rc;
	rt_checksum(now, text, len);
	free(text);
	if (e) {
		memcpy(e->sum, now, RT_CHECKSUM_HEX);
		e->size = (long long)st.st_size;
		e->mtime_ns = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
		e->known = 1;
	}
	return 0;
}

int rt_history_verify(rt_strlist *problems, const rt_history *h, rt_graph *g,
		      const unsigned char *applied, rt_sum_cache *cache, rt_buf *err)
{
	char now[RT_CHECKSUM_HEX];
	rt_buf line = RT_BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; h->exists && i < g->n && rc >= 0; i++) {
		rt_rev *r = g->topo[i];

		if (!applied[i] || !h->checksum[i])
			continue;
		if ((rc = file_sum(now, g, i, cache, err)) < 0)
			break;
		if (!strcmp(now, h->checksum[i]))
			continue;
		rt_buf_clear(&line);
		rt_buf_printf(&line, "'%s' (revision '%s') was changed after it was applied: "
			      "recorded sha256 %s, file now %s", r->s.path, r->s.revision,
			      h->checksum[i], now);
		if (rt_strlist_add(problems, line.ptr) < 0)
			rc = rt_error(err, RETORT_ERROR, "out of memory");
	}
	rt_buf_release(&line);
	return rc;
}
