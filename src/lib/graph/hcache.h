/*
 * hcache.h - the header cache: what the headers of a versions folder's
 * files said the last time they were read, keyed by each file's stat, so
 * that loading the graph of thousands of revisions costs one fstatat() per
 * file instead of an open, a read, a close and a parse.  The cache keeps
 * whatever bytes it is given per file; graph.c gives it the parsed header
 * (rt_script_pack).
 *
 * A file whose inode, size, mtime or ctime changed is read again; so is
 * one changed less than two seconds before it was cached (a second write
 * in the same clock tick would keep its mtime, as "racy git" taught).  The
 * cache is an optimisation only: a cache that cannot be read, is damaged
 * (its SHA-256 does not match) or cannot be written is ignored.
 */
#ifndef RT_HCACHE_H
#define RT_HCACHE_H

#include <sys/stat.h>
#include <time.h>

#include "rt.h"

typedef struct rt_hcache rt_hcache;

/* The cache of the versions folder `dir`, kept in `cache_dir` (created
 * when first written); `now` (time(NULL)) is what files changed "in the
 * last seconds" are judged by.  NULL (and no cache) when either folder is
 * NULL, `dir` cannot be resolved, or memory runs out. */
rt_hcache *rt_hcache_open(const char *cache_dir, const char *dir, time_t now);

/* The cached header text of `name` (borrowed until rt_hcache_free), if
 * `st` is what the cache remembers; NULL otherwise.  Names must be asked
 * for in strcmp() order, as the folder's listing is sorted. */
const char *rt_hcache_get(rt_hcache *c, const char *name, const struct stat *st, size_t *len);

/* The entry rt_hcache_get() just returned turned out unusable: drop it
 * (rt_hcache_put() may then give its replacement). */
void rt_hcache_forget(rt_hcache *c);

/* Remember the header text of `name` for the next load, in the same order. */
void rt_hcache_put(rt_hcache *c, const char *name, const struct stat *st, const char *text,
		   size_t len);

/* Write the cache back if the folder changed since it was read (a load
 * that failed must not call this), and free it.  NULL is allowed. */
void rt_hcache_close(rt_hcache *c, int save);

/* The parser of a cache file's contents, for the fuzz target: the number
 * of entries, or -1 if `data` is not a whole, valid cache of `dir`. */
long rt_hcache_check(const char *data, size_t len, const char *dir);

#endif
