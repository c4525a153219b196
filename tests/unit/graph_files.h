/*
 * graph_files.h - revision graphs for the unit tests that need only
 * headers (test_target.c, test_plan.c): files written into a scratch
 * folder, loaded with rt_graph_load.  Define _GNU_SOURCE (nftw) before
 * any include.
 */
#ifndef RT_GRAPH_FILES_H
#define RT_GRAPH_FILES_H

#include <ftw.h>

#include "rt_test.h"
#include "graph.h"

/* nftw callback removing the scratch folder. */
static inline int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void write_rev(const char *dir, const char *rev, const char *down, const char *labels,
		      const char *deps)
{
	rt_buf path = RT_BUF_INIT, b = RT_BUF_INIT;
	FILE *fp;

	rt_buf_printf(&path, "%s/%s_m.sql", dir, rev);
	rt_buf_printf(&b,
		      "-- Revision %s\n"
		      "-- revision: %s\n"
		      "-- down_revision: %s\n"
		      "-- branch_labels: %s\n"
		      "-- depends_on: %s\n"
		      "\n"
		      "-- +upgrade\n"
		      "SELECT 1;\n"
		      "-- +downgrade\n"
		      "SELECT 2;\n",
		      rev, rev, down ? down : "", labels ? labels : "", deps ? deps : "");
	fp = fopen(path.ptr, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(b.ptr, 1, b.len, fp), b.len);
	assert_int_equal(fclose(fp), 0);
	rt_buf_release(&path);
	rt_buf_release(&b);
}

/* l1 -- l2 -- l3 (label "mid") -- l4 -- l5 */
static inline void write_linear(const char *dir)
{
	write_rev(dir, "l1", NULL, NULL, NULL);
	write_rev(dir, "l2", "l1", NULL, NULL);
	write_rev(dir, "l3", "l2", "mid", NULL);
	write_rev(dir, "l4", "l3", NULL, NULL);
	write_rev(dir, "l5", "l4", NULL, NULL);
}

/*
 *   b0 -- t1 -+- f1 (feature) -- f2 --+
 *             |                       +-- mg -- after
 *             +- m1 (mainline) -- m2 -+
 *   o1 (other) -- o2
 */
static inline void write_forest(const char *dir)
{
	write_rev(dir, "b0", NULL, NULL, NULL);
	write_rev(dir, "t1", "b0", NULL, NULL);
	write_rev(dir, "f1", "t1", "feature", NULL);
	write_rev(dir, "f2", "f1", NULL, NULL);
	write_rev(dir, "m1", "t1", "mainline", NULL);
	write_rev(dir, "m2", "m1", NULL, NULL);
	write_rev(dir, "mg", "m2, f2", NULL, NULL);
	write_rev(dir, "after", "mg", NULL, NULL);
	write_rev(dir, "o1", NULL, "other", NULL);
	write_rev(dir, "o2", "o1", NULL, NULL);
}

/* ---- the fixture: a scratch folder and the graph loaded from it ---------- */

typedef struct fx {
	char *dir;
	rt_graph g;
	rt_buf err;
	char out[512];  /* the last result, as text */
} fx;

/* Write the files with `write`, then load them. */
static inline int setup_with(void **state, void (*write)(const char *))
{
	char tmpl[] = "/tmp/rt_test_graph.XXXXXX";
	fx *f = calloc(1, sizeof(*f));

	if (!f || !mkdtemp(tmpl))
		return -1;
	f->dir = rt_strdup(tmpl);
	rt_buf_init(&f->err);
	*state = f;
	write(f->dir);
	if (rt_graph_load(&f->g, f->dir, NULL, &f->err) < 0) {
		fprintf(stderr, "fixture: %s\n", f->err.ptr);
		return -1;
	}
	return 0;
}

static inline int teardown(void **state)
{
	fx *f = *state;

	rt_graph_release(&f->g);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f->dir);
	rt_buf_release(&f->err);
	free(f);
	return 0;
}

static inline void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("'%s' does not contain '%s'", haystack, needle);
}

#endif
