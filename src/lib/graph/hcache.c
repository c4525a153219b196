/*
 * hcache.c - the header cache (see hcache.h).
 *
 * The file, one per versions folder, is named after a hash of the folder's
 * absolute path and holds:
 *
 *     retort-hcache 2 <SHA-256 of everything after this line, hex>\n
 *     <the versions folder, absolute>\n
 *     per file, in strcmp() order of names:
 *     <namelen> <textlen> <ino> <size> <mtime s> <mtime ns> <ctime s> <ctime ns>\n
 *     <name><the bytes given to put(): graph.c packs the parsed header>\n
 *
 * It is written to a temporary file and renamed over the old one, so a
 * reader sees a whole cache or none; the checksum catches the rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hcache.h"

#define MAGIC "retort-hcache 2 "
#define RACY_SECONDS 2
/* the shortest entry: eight one-digit numbers with their separators, a
 * one-byte name and the newline */
#define ENTRY_MIN 18

typedef struct {
	const char *name;
	size_t namelen;
	const char *text;
	size_t textlen;
	long long ino, size, mtime, mtime_ns, ctime, ctime_ns;
} entry;

struct rt_hcache {
	char *cache_dir;
	char *path;          /* the cache file */
	char *dir;           /* the versions folder, absolute */
	const char *old;     /* the file, mapped; entries point into it */
	size_t oldlen;
	entry *e;
	size_t n, at;        /* entries, and the next one get() looks at */
	entry *keep;         /* the entries to write back, in order: hits */
	size_t nkeep, cap;   /* point into `old`, the others into `fresh` */
	rt_strlist fresh;    /* name and text of each put(), one string */
	time_t now;
	int changed, oom;
};

static void hex_sha256(char out[2 * SHA256_DIGEST_SIZE + 1], const char *data, size_t len)
{
	uint8_t md[SHA256_DIGEST_SIZE];
	struct sha256_ctx sha;

	sha256_init(&sha);
	sha256_update(&sha, len, (const uint8_t *)data);
	sha256_digest(&sha, sizeof(md), md);
	rt_hex(out, md, sizeof(md));
}

/* ---- reading ------------------------------------------------------------------- */

typedef struct {
	const char *p, *end;
} cursor;

/* A decimal number (optionally negative) ending in `term`.  Nineteen
 * digits always fit the unsigned accumulator, so the loop checks no
 * overflow; INT64_MAX is checked once after it. */
static int number(cursor *c, long long *out, char term)
{
	const char *p = c->p, *end = c->end, *digits;
	unsigned long long v = 0;
	int neg = p < end && *p == '-';

	p += neg;
	digits = p;
	while (p < end && (unsigned char)(*p - '0') < 10 && p - digits < 19)
		v = v * 10 + (unsigned)(*p++ - '0');
	if (p == digits || v > (unsigned long long)INT64_MAX || p >= end || *p != term)
		return -1;
	c->p = p + 1;
	*out = neg ? -(long long)v : (long long)v;
	return 0;
}

/* strcmp() of a NUL-terminated name against an entry's counted one. */
static int cmp_name(const char *name, const entry *e)
{
	int d = strncmp(name, e->name, e->namelen);

	if (d)
		return d;
	return name[e->namelen] ? 1 : 0;
}

static int entry_before(const entry *a, const entry *b)
{
	size_t n = a->namelen < b->namelen ? a->namelen : b->namelen;
	int d = memcmp(a->name, b->name, n);

	return d < 0 || (!d && a->namelen < b->namelen);
}

/* Parse a whole cache file of folder `dir`; the entries point into `data`.
 * -1 unless all of it is valid. */
static long parse(entry **out, const char *data, size_t len, const char *dir)
{
	cursor c = { data, data + len };
	char sum[2 * SHA256_DIGEST_SIZE + 1];
	const char *nl;
	entry *v = NULL, *grown;
	size_t n = 0, cap = 0, dirlen = strlen(dir);

	*out = NULL;
	if (len < sizeof(MAGIC) - 1 + 2 * SHA256_DIGEST_SIZE + 1 ||
	    memcmp(data, MAGIC, sizeof(MAGIC) - 1))
		return -1;
	c.p += sizeof(MAGIC) - 1;
	if (c.p[2 * SHA256_DIGEST_SIZE] != '\n')
		return -1;
	hex_sha256(sum, c.p + 2 * SHA256_DIGEST_SIZE + 1,
		   (size_t)(c.end - (c.p + 2 * SHA256_DIGEST_SIZE + 1)));
	if (memcmp(sum, c.p, 2 * SHA256_DIGEST_SIZE))
		return -1;
	c.p += 2 * SHA256_DIGEST_SIZE + 1;
	if (!(nl = memchr(c.p, '\n', (size_t)(c.end - c.p))) || (size_t)(nl - c.p) != dirlen ||
	    memcmp(c.p, dir, dirlen))
		return -1;
	c.p = nl + 1;
	while (c.p < c.end) {
		entry e;
		long long namelen, textlen;

		if (number(&c, &namelen, ' ') < 0 || number(&c, &textlen, ' ') < 0 ||
		    number(&c, &e.ino, ' ') < 0 || number(&c, &e.size, ' ') < 0 ||
		    number(&c, &e.mtime, ' ') < 0 || number(&c, &e.mtime_ns, ' ') < 0 ||
		    number(&c, &e.ctime, ' ') < 0 || number(&c, &e.ctime_ns, '\n') < 0 ||
		    namelen <= 0 || textlen < 0 ||
		    (unsigned long long)namelen > (size_t)(c.end - c.p) ||
		    (unsigned long long)textlen > (size_t)(c.end - c.p) - (size_t)namelen ||
		    (size_t)(c.end - c.p) - (size_t)namelen - (size_t)textlen < 1)
			goto bad;
		e.name = c.p;
		e.namelen = (size_t)namelen;
		e.text = c.p + namelen;
		e.textlen = (size_t)textlen;
		c.p += namelen + textlen;
		if (*c.p++ != '\n' || memchr(e.name, '\0', e.namelen) ||
		    memchr(e.name, '/', e.namelen) || (n && !entry_before(&v[n - 1], &e)))
			goto bad;
		if (n == cap) {
			/* an entry takes at least ENTRY_MIN bytes, so the first
			 * array is as large as the file can need: a large one is
			 * mapped lazily, and growing it touched twice the pages */
			cap = cap ? 2 * cap : len / ENTRY_MIN + 1;
			if (!(grown = realloc(v, cap * sizeof(*v))))
				goto bad;
			v = grown;
		}
		v[n++] = e;
	}
	*out = v;
	return (long)n;
bad:
	free(v);
	return -1;
}

long rt_hcache_check(const char *data, size_t len, const char *dir)
{
	entry *v;
	long n = parse(&v, data, len, dir);

	free(v);
	return n;
}

/* FNV-1a, 64 bits: the cache file's name for a folder. */
static unsigned long long fnv1a(const char *s)
{
	unsigned long long h = 14695981039346656037ULL;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

/* Map the cache file whole (populated at once: it is read to the end
 * right away, and one call beats a page fault per page of a copy).  A
 * cache file is only ever replaced by rename, never rewritten in place,
 * so the mapping keeps the bytes that were checked. */
static int map_file(rt_hcache *c)
{
	struct stat st;
	void *p;
	int fd = open(c->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd,
		      0)) == MAP_FAILED) {
		close(fd);
		return -1;
	}
	close(fd);
	c->old = p;
	c->oldlen = (size_t)st.st_size;
	return 0;
}

rt_hcache *rt_hcache_open(const char *cache_dir, const char *dir, time_t now)
{
	rt_hcache *c;
	rt_buf path = RT_BUF_INIT;
	long n;

	if (!cache_dir || !*cache_dir || !dir || !(c = calloc(1, sizeof(*c))))
		return NULL;
	c->now = now;
	if (!(c->dir = realpath(dir, NULL)) || !(c->cache_dir = rt_strdup(cache_dir))) {
		rt_hcache_close(c, 0);
		return NULL;
	}
	rt_buf_printf(&path, "%s/headers-%016llx", cache_dir, fnv1a(c->dir));
	if (rt_buf_oom(&path)) {
		rt_buf_release(&path);
		rt_hcache_close(c, 0);
		return NULL;
	}
	c->path = rt_buf_detach(&path);
	if (map_file(c) == 0 && (n = parse(&c->e, c->old, c->oldlen, c->dir)) >= 0)
		c->n = (size_t)n;
	else
		c->changed = 1; /* missing or damaged: write a new one */
	return c;
}

/* ---- use ---------------------------------------------------------------------- */

static int same_stat(const entry *e, const struct stat *st)
{
	return e->ino == (long long)st->st_ino && e->size == (long long)st->st_size &&
	       e->mtime == (long long)st->st_mtim.tv_sec &&
	       e->mtime_ns == (long long)st->st_mtim.tv_nsec &&
	       e->ctime == (long long)st->st_ctim.tv_sec &&
	       e->ctime_ns == (long long)st->st_ctim.tv_nsec;
}

static void keep(rt_hcache *c, const entry *e)
{
	entry *grown;

	if (c->nkeep == c->cap) {
		/* most loads keep every entry they read */
		c->cap = c->cap ? 2 * c->cap : c->n + 256;
		if (!(grown = realloc(c->keep, c->cap * sizeof(*grown)))) {
			c->oom = 1;
			return;
		}
		c->keep = grown;
	}
	c->keep[c->nkeep++] = *e;
}

const char *rt_hcache_get(rt_hcache *c, const char *name, const struct stat *st, size_t *len)
{
	const entry *e;
	int d = 1;

	if (!c)
		return NULL;
	while (c->at < c->n && (d = cmp_name(name, &c->e[c->at])) > 0) {
		c->at++;
		c->changed = 1; /* a file that is gone */
	}
	if (c->at >= c->n || d != 0)
		return NULL;
	e = &c->e[c->at++];
	if (!same_stat(e, st))
		return NULL;
	keep(c, e);
	*len = e->textlen;
	return e->text;
}

void rt_hcache_forget(rt_hcache *c)
{
	if (!c || !c->nkeep)
		return;
	c->nkeep--;
	c->changed = 1;
}

void rt_hcache_put(rt_hcache *c, const char *name, const struct stat *st, const char *text,
		   size_t len)
{
	size_t namelen = strlen(name);
	entry e;

	if (!c)
		return;
	c->changed = 1;
	/* changed in the last seconds: a write in the same clock tick would
	 * not change the mtime, so this one is read again next time */
	if (st->st_mtim.tv_sec >= c->now - RACY_SECONDS ||
	    st->st_ctim.tv_sec >= c->now - RACY_SECONDS)
		return;
	if (rt_strlist_addn(&c->fresh, name, namelen) < 0 ||
	    rt_strlist_addn(&c->fresh, text, len) < 0) {
		c->oom = 1;
		return;
	}
	e.name = c->fresh.items[c->fresh.count - 2];
	e.namelen = namelen;
	e.text = c->fresh.items[c->fresh.count - 1];
	e.textlen = len;
	e.ino = (long long)st->st_ino;
	e.size = (long long)st->st_size;
	e.mtime = (long long)st->st_mtim.tv_sec;
	e.mtime_ns = (long long)st->st_mtim.tv_nsec;
	e.ctime = (long long)st->st_ctim.tv_sec;
	e.ctime_ns = (long long)st->st_ctim.tv_nsec;
	keep(c, &e);
}

/* ---- writing back --------------------------------------------------------------- */

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void write_back(rt_hcache *c)
{
	rt_buf head = RT_BUF_INIT, tmp = RT_BUF_INIT, ignored = RT_BUF_INIT;
	char sum[2 * SHA256_DIGEST_SIZE + 1];
	size_t i;
	int fd = -1, ok;

	rt_buf_printf(&head, "%s\n", c->dir);
	for (i = 0; i < c->nkeep; i++) {
		const entry *e = &c->keep[i];
		rt_buf_printf(&head, "%zu %zu %lld %lld %lld %lld %lld %lld\n", e->namelen,
			      e->textlen, e->ino, e->size, e->mtime, e->mtime_ns, e->ctime,
			      e->ctime_ns);
		rt_buf_put(&head, e->name, e->namelen);
		rt_buf_put(&head, e->text, e->textlen);
		rt_buf_putc(&head, '\n');
	}
	hex_sha256(sum, head.ptr, head.len);
	rt_buf_printf(&tmp, "%s.XXXXXX", c->path);
	ok = !rt_buf_oom(&head) && !rt_buf_oom(&tmp) && rt_mkdir_p(c->cache_dir, &ignored) >= 0 &&
	     (fd = mkstemp(tmp.ptr)) >= 0;
	ok = ok && write_all(fd, MAGIC, sizeof(MAGIC) - 1) == 0 &&
	     write_all(fd, sum, 2 * SHA256_DIGEST_SIZE) == 0 && write_all(fd, "\n", 1) == 0 &&
	     write_all(fd, head.ptr, head.len) == 0;
	if (fd >= 0 && close(fd) != 0)
		ok = 0;
	if (fd >= 0 && (!ok || rename(tmp.ptr, c->path) != 0))
		unlink(tmp.ptr);
	rt_buf_release(&head);
	rt_buf_release(&tmp);
	rt_buf_release(&ignored);
}

void rt_hcache_close(rt_hcache *c, int save)
{
	if (!c)
		return;
	if (c->at < c->n)
		c->changed = 1; /* files at the end that are gone */
	if (save && c->changed && c->path && !c->oom)
		write_back(c);
	free(c->cache_dir);
	free(c->path);
	free(c->dir);
	if (c->old)
		munmap((void *)c->old, c->oldlen);
	free(c->e);
	free(c->keep);
	rt_strlist_release(&c->fresh);
	free(c);
}
