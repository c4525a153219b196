/*
 * fuzz_project.c - libFuzzer target for loading a whole project: the
 * versions folder, its graph and the listings built on it.
 *
 * The input is a flags byte and then files separated by a 0x1e byte
 * (ASCII's record separator; a file may hold anything else, NUL bytes
 * included).  They are written into a scratch versions/ folder, with some
 * odd neighbours the flags ask for: a FIFO and a symlink to /dev/zero named
 * *.sql (reading either would hang), a dangling symlink, a folder named
 * *.sql.  Then the graph is loaded (with or without the header cache), its
 * heads, bases and whole history computed, a few targets resolved, every
 * file parsed whole as `upgrade` does, and everything freed.  Nothing may
 * crash, leak or hang (libFuzzer's -timeout catches the last).
 *
 *   ./fuzz_project -dict=tests/fuzz/fuzz_project.dict -timeout=10 CORPUS
 *
 * (the dictionary holds the header keys and markers, which random bytes
 * take long to find).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"
#include "graph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FILES 24
#define SEP 0x1e

enum {
	F_FIFO = 1,      /* a FIFO "fifo.sql" */
	F_ZERO = 2,      /* a symlink "zero.sql" -> /dev/zero */
	F_DANGLING = 4,  /* a symlink "gone.sql" to nothing */
	F_DIR = 8,       /* a folder "dir.sql" */
	F_CACHE = 16,    /* load through the header cache (twice: miss, hit) */
	F_ODDNAMES = 32, /* file names that are not *.sql or are hidden */
};

static char root[64], versions[96], cache[96];

static void setup_once(void)
{
	char tmpl[] = "/tmp/fuzz_project.XXXXXX";

	if (root[0])
		return;
	if (!mkdtemp(tmpl))
		abort();
	snprintf(root, sizeof(root), "%s", tmpl);
	snprintf(versions, sizeof(versions), "%s/versions", root);
	snprintf(cache, sizeof(cache), "%s/cache", root);
	if (mkdir(versions, 0700) != 0 || mkdir(cache, 0700) != 0)
		abort();
}

/* Empty a folder (one level, and the folders directly in it). */
static void clear_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) != 0)
			unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

static void write_file(const char *name, const uint8_t *p, size_t n)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", versions, name);
	if (!(f = fopen(path, "wb")))
		abort();
	if (n && fwrite(p, 1, n, f) != n)
		abort();
	fclose(f);
}

static void special_files(unsigned flags)
{
	char path[160];

	if (flags & F_FIFO) {
		snprintf(path, sizeof(path), "%s/fifo.sql", versions);
		if (mkfifo(path, 0600) != 0)
			abort();
	}
	if (flags & F_ZERO) {
		snprintf(path, sizeof(path), "%s/zero.sql", versions);
		if (symlink("/dev/zero", path) != 0)
			abort();
	}
	if (flags & F_DANGLING) {
		snprintf(path, sizeof(path), "%s/gone.sql", versions);
		if (symlink("no-such-file.sql", path) != 0)
			abort();
	}
	if (flags & F_DIR) {
		snprintf(path, sizeof(path), "%s/dir.sql", versions);
		if (mkdir(path, 0700) != 0)
			abort();
	}
}

/* What the listing commands and a planner ask of a loaded graph. */
static void exercise(rt_graph *g)
{
	static const char *const specs[] = { "head", "heads", "base", "+1", "-1", "current" };
	rt_buf err = RT_BUF_INIT, spec = RT_BUF_INIT;
	rt_revvec v = { 0 };
	rt_target t;
	size_t i;

	if (rt_graph_heads(g, &v) < 0 || rt_graph_bases(g, &v) < 0)
		abort();
	rt_revvec_release(&v);
	(void)rt_range_resolve(&v, g, NULL, NULL, &err);
	rt_revvec_release(&v);
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		if (rt_target_resolve(&t, g, specs[i], NULL, RT_UP, &err) == 0)
			rt_target_release(&t);
	}
	/* each label's branch, and each revision as a range end and a base
	 * for relative steps */
	for (i = 0; i < g->n && i < 8; i++) {
		rt_rev *r = g->topo[i];

		rt_buf_clear(&spec);
		rt_buf_printf(&spec, "%s:", r->s.revision);
		(void)rt_range_resolve(&v, g, spec.ptr, NULL, &err);
		rt_revvec_release(&v);
		rt_buf_clear(&spec);
		rt_buf_printf(&spec, "%s+2", r->s.revision);
		if (rt_target_resolve(&t, g, spec.ptr, NULL, 0, &err) == 0)
			rt_target_release(&t);
		if (r->s.branch_labels.count) {
			rt_buf_clear(&spec);
			rt_buf_printf(&spec, "%s@head", r->s.branch_labels.items[0]);
			if (rt_target_resolve(&t, g, spec.ptr, NULL, 0, &err) == 0)
				rt_target_release(&t);
			rt_buf_clear(&spec);
			rt_buf_printf(&spec, "%s@base", r->s.branch_labels.items[0]);
			if (rt_target_resolve(&t, g, spec.ptr, NULL, 0, &err) == 0)
				rt_target_release(&t);
		}
	}
	/* the whole files, as `upgrade` reads the ones of its plan */
	for (i = 0; i < g->n; i++) {
		rt_script s;

		if (rt_rev_load_checked(&s, g, g->topo[i], &err) == 0) {
			(void)rt_script_section(&s, RT_UP, "sqlite");
			(void)rt_script_section(&s, RT_DOWN, "postgresql");
			rt_script_release(&s);
		}
	}
	rt_buf_release(&err);
	rt_buf_release(&spec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const odd[] = { "%02zu_x.sql.txt", ".%02zu_hidden.sql", "%02zu.SQL",
					   "%02zu_\xc3\xa9.sql" };
	const uint8_t *p, *end = data + size, *sep;
	unsigned flags;
	size_t nfiles = 0;
	rt_graph g;
	rt_buf err = RT_BUF_INIT;
	int pass;

	if (!size)
		return 0;
	setup_once();
	clear_dir(versions);
	flags = data[0];
	for (p = data + 1; p <= end && nfiles < MAX_FILES; p = sep + 1, nfiles++) {
		char name[64];

		sep = memchr(p, SEP, (size_t)(end - p));
		if (!sep)
			sep = end;
		if ((flags & F_ODDNAMES) && (nfiles % 3) == 2)
			snprintf(name, sizeof(name), odd[(nfiles / 3) % 4], nfiles);
		else
			snprintf(name, sizeof(name), "%02zu_rev.sql", nfiles);
		write_file(name, p, (size_t)(sep - p));
		if (sep == end)
			break;
	}
	special_files(flags);
	/* with the cache: a first load fills it, a second reads from it */
	for (pass = 0; pass < ((flags & F_CACHE) ? 2 : 1); pass++) {
		if (rt_graph_load(&g, versions, (flags & F_CACHE) ? cache : NULL, &err) == 0) {
			exercise(&g);
			rt_graph_release(&g);
		} else if (!err.len) {
			abort(); /* a refusal always says why */
		}
	}
	if (flags & F_CACHE)
		clear_dir(cache);
	rt_buf_release(&err);
	return 0;
}
