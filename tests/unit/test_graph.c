/*
 * test_graph.c - the revision graph (graph.c): loading a versions folder,
 * heads, bases, branch and merge points, topological order, exact and
 * prefix lookups, the errors users see for broken folders (duplicate ids,
 * missing parents, cycles, bad headers, duplicate labels), depends_on,
 * ancestor/descendant walks, and a 10,000-revision chain.
 */
#define _GNU_SOURCE /* nftw */
#include "rt_test.h"

#include <ftw.h>
#include <limits.h>
#include <unistd.h>

#include "graph.h"

/* ---- fixtures ------------------------------------------------------------- */

typedef struct fx {
	char *dir;      /* the versions folder, removed at teardown */
	rt_graph g;
	int loaded;
	rt_buf err;
} fx;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/rt_test_graph.XXXXXX";
	fx *f = calloc(1, sizeof(*f));

	if (!f || !mkdtemp(tmpl))
		return -1;
	f->dir = rt_strdup(tmpl);
	rt_buf_init(&f->err);
	*state = f;
	return f->dir ? 0 : -1;
}

static int teardown(void **state)
{
	fx *f = *state;

	if (f->loaded)
		rt_graph_release(&f->g);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f->dir);
	rt_buf_release(&f->err);
	free(f);
	return 0;
}

static void write_text(const char *dir, const char *name, const char *text)
{
	rt_buf path = RT_BUF_INIT;
	FILE *fp;

	rt_buf_printf(&path, "%s/%s", dir, name);
	fp = fopen(path.ptr, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
	rt_buf_release(&path);
}

/* A revision file "<rev>_m.sql"; NULL lists are written empty. */
static void write_named(const char *dir, const char *file, const char *rev, const char *down,
			const char *labels, const char *deps)
{
	rt_buf b = RT_BUF_INIT;

	rt_buf_printf(&b,
		      "-- Revision %s\n"
		      "--\n"
		      "-- revision: %s\n"
		      "-- down_revision: %s\n"
		      "-- branch_labels: %s\n"
		      "-- depends_on: %s\n"
		      "\n"
		      "-- +upgrade\n"
		      "SELECT 1;\n"
		      "\n"
		      "-- +downgrade\n"
		      "SELECT 2;\n",
		      rev, rev, down ? down : "", labels ? labels : "", deps ? deps : "");
	write_text(dir, file, b.ptr);
	rt_buf_release(&b);
}

static void write_rev(const char *dir, const char *rev, const char *down, const char *labels,
		      const char *deps)
{
	rt_buf name = RT_BUF_INIT;

	rt_buf_printf(&name, "%s_m.sql", rev);
	write_named(dir, name.ptr, rev, down, labels, deps);
	rt_buf_release(&name);
}

static void load_ok(fx *f)
{
	assert_rt_ok_err(rt_graph_load(&f->g, f->dir, NULL, &f->err), &f->err);
	f->loaded = 1;
}

/* Loading must fail with `code`; returns the message. */
static const char *load_fails(fx *f, int code)
{
	int rc = rt_graph_load(&f->g, f->dir, NULL, &f->err);

	if (rc != code)
		fail_msg("rt_graph_load returned %d, want %d (%s)", rc, code, f->err.ptr);
	/* a failed load leaves an empty graph that is safe to release */
	assert_int_equal(f->g.n, 0);
	assert_null(f->g.topo);
	rt_graph_release(&f->g);
	return f->err.ptr;
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("'%s' does not contain '%s'", haystack, needle);
}

static rt_rev *get(fx *f, const char *id)
{
	rt_rev *r = rt_graph_get(&f->g, id);

	if (!r)
		fail_msg("no revision '%s' in the graph", id);
	return r;
}

/* The ids of a vector joined by spaces, in its order. */
static const char *ids(const rt_revvec *v)
{
	static char buf[1024];
	rt_buf b = RT_BUF_INIT;
	size_t i;

	for (i = 0; i < v->n; i++)
		rt_buf_printf(&b, "%s%s", i ? " " : "", v->v[i]->s.revision);
	assert_true(b.len < sizeof(buf));
	memcpy(buf, b.ptr, b.len + 1);
	rt_buf_release(&b);
	return buf;
}

/* The ids of a vector sorted by id (for unordered results). */
static const char *sorted_ids(rt_revvec *v)
{
	size_t i, j;

	for (i = 1; i < v->n; i++)
		for (j = i; j > 0 && strcmp(v->v[j - 1]->s.revision, v->v[j]->s.revision) > 0; j--) {
			rt_rev *t = v->v[j];
			v->v[j] = v->v[j - 1];
			v->v[j - 1] = t;
		}
	return ids(v);
}

/* Every revision comes after its parents and dependencies, and `topo`
 * is its index in g->topo. */
static void assert_topo_valid(const rt_graph *g)
{
	size_t i, k;

	for (i = 0; i < g->n; i++) {
		const rt_rev *r = g->topo[i];
		assert_int_equal(r->topo, i);
		for (k = 0; k < r->nparents; k++)
			if (r->parents[k]->topo >= r->topo)
				fail_msg("'%s' is not before its child '%s' in topological order",
					 r->parents[k]->s.revision, r->s.revision);
		for (k = 0; k < r->ndeps; k++)
			if (r->deps[k]->topo >= r->topo)
				fail_msg("'%s' is not before its dependent '%s'",
					 r->deps[k]->s.revision, r->s.revision);
	}
	for (i = 1; i < g->n; i++)
		assert_true(strcmp(g->by_id[i - 1]->s.revision, g->by_id[i]->s.revision) < 0);
}

/*
 * The shared fixture, with file names that do not sort like the ids:
 *
 *   b0 -- t1 -+- f1 (feature) -- f2 --+
 *             |                       +-- mg (merge) -- after
 *             +- m1 (mainline) -- m2 -+
 *   o1 (other) -- o2                      (a second base)
 */
static void write_forest(const char *dir)
{
	write_named(dir, "009_b0.sql", "b0", NULL, NULL, NULL);
	write_named(dir, "008_t1.sql", "t1", "b0", NULL, NULL);
	write_named(dir, "007_m1.sql", "m1", "t1", "mainline", NULL);
	write_named(dir, "006_f1.sql", "f1", "t1", "feature", NULL);
	write_named(dir, "005_f2.sql", "f2", "f1", NULL, NULL);
	write_named(dir, "004_m2.sql", "m2", "m1", NULL, NULL);
	write_named(dir, "003_mg.sql", "mg", "m2, f2", NULL, NULL);
	write_named(dir, "002_after.sql", "after", "mg", NULL, NULL);
	write_named(dir, "001_o1.sql", "o1", NULL, "other", NULL);
	write_named(dir, "000_o2.sql", "o2", "o1", NULL, NULL);
}

/* ---- shape ------------------------------------------------------------------ */

static void test_linear(void **state)
{
	fx *f = *state;
	rt_revvec heads = { 0 }, bases = { 0 };

	write_rev(f->dir, "a1", NULL, NULL, NULL);
	write_rev(f->dir, "a2", "a1", NULL, NULL);
	write_rev(f->dir, "a3", "a2", NULL, NULL);
	load_ok(f);

	assert_int_equal(f->g.n, 3);
	assert_string_equal(f->g.dir, f->dir);
	assert_string_equal(ids(&(rt_revvec){ f->g.topo, f->g.n, f->g.n }), "a1 a2 a3");
	assert_rt_ok_err(rt_graph_heads(&f->g, &heads), &f->err);
	assert_rt_ok_err(rt_graph_bases(&f->g, &bases), &f->err);
	assert_string_equal(ids(&heads), "a3");
	assert_string_equal(ids(&bases), "a1");
	assert_int_equal(get(f, "a1")->flags, RETORT_REV_BASE);
	assert_int_equal(get(f, "a2")->flags, 0);
	assert_int_equal(get(f, "a3")->flags, RETORT_REV_HEAD);
	assert_int_equal(get(f, "a2")->nparents, 1);
	assert_ptr_equal(get(f, "a2")->parents[0], get(f, "a1"));
	assert_int_equal(get(f, "a2")->nchildren, 1);
	assert_ptr_equal(get(f, "a2")->children[0], get(f, "a3"));
	/* headers only: no body was kept */
	assert_null(get(f, "a2")->s.text);
	assert_string_equal(get(f, "a2")->s.message, "Revision a2");
	assert_topo_valid(&f->g);
	rt_revvec_release(&heads);
	rt_revvec_release(&bases);
}

static void test_single_revision(void **state)
{
	fx *f = *state;

	write_rev(f->dir, "only", NULL, NULL, NULL);
	load_ok(f);
	assert_int_equal(f->g.n, 1);
	assert_int_equal(get(f, "only")->flags, RETORT_REV_HEAD | RETORT_REV_BASE);
}

static void test_empty_folder_and_other_files(void **state)
{
	fx *f = *state;
	rt_revvec heads = { 0 };

	/* not revision files: other suffixes, hidden files, a bare ".sql" */
	write_text(f->dir, "README", "not a migration\n");
	write_text(f->dir, "notes.sql.txt", "nothing\n");
	write_text(f->dir, ".hidden.sql", "garbage that would not parse\n");
	write_text(f->dir, ".sql", "garbage\n");
	load_ok(f);
	assert_int_equal(f->g.n, 0);
	assert_rt_ok_err(rt_graph_heads(&f->g, &heads), &f->err);
	assert_int_equal(heads.n, 0);
	assert_null(rt_graph_get(&f->g, "a"));
	rt_revvec_release(&heads);
}

static void test_missing_folder(void **state)
{
	fx *f = *state;
	rt_buf dir = RT_BUF_INIT;

	rt_buf_printf(&dir, "%s/nope", f->dir);
	assert_rt_fails(rt_graph_load(&f->g, dir.ptr, NULL, &f->err), RETORT_ENOTFOUND);
	assert_contains(f->err.ptr, dir.ptr);
	rt_graph_release(&f->g);
	rt_buf_release(&dir);
}

static void test_branches_and_merges(void **state)
{
	fx *f = *state;
	rt_revvec heads = { 0 }, bases = { 0 };
	rt_rev *t1, *mg;

	write_forest(f->dir);
	load_ok(f);
	assert_int_equal(f->g.n, 10);
	assert_topo_valid(&f->g);

	assert_rt_ok_err(rt_graph_heads(&f->g, &heads), &f->err);
	assert_rt_ok_err(rt_graph_bases(&f->g, &bases), &f->err);
	assert_string_equal(sorted_ids(&heads), "after o2");
	assert_string_equal(sorted_ids(&bases), "b0 o1");

	t1 = get(f, "t1");
	assert_int_equal(t1->flags, RETORT_REV_BRANCHPOINT);
	assert_int_equal(t1->nchildren, 2);
	/* children are ordered by id, not by file name (f1's file sorts first) */
	assert_string_equal(t1->children[0]->s.revision, "f1");
	assert_string_equal(t1->children[1]->s.revision, "m1");

	mg = get(f, "mg");
	assert_int_equal(mg->flags, RETORT_REV_MERGEPOINT);
	assert_int_equal(mg->nparents, 2);
	/* parents stay in header order */
	assert_string_equal(mg->parents[0]->s.revision, "m2");
	assert_string_equal(mg->parents[1]->s.revision, "f2");
	assert_int_equal(get(f, "m2")->nchildren, 1);
	assert_ptr_equal(get(f, "m2")->children[0], mg);
	assert_ptr_equal(get(f, "f2")->children[0], mg);

	assert_int_equal(get(f, "after")->flags, RETORT_REV_HEAD);
	assert_int_equal(get(f, "b0")->flags, RETORT_REV_BASE);
	assert_int_equal(get(f, "o1")->flags, RETORT_REV_BASE);
	assert_int_equal(get(f, "o2")->flags, RETORT_REV_HEAD);
	assert_int_equal(get(f, "f1")->flags, 0);

	assert_ptr_equal(rt_graph_label(&f->g, "feature"), get(f, "f1"));
	assert_ptr_equal(rt_graph_label(&f->g, "mainline"), get(f, "m1"));
	assert_ptr_equal(rt_graph_label(&f->g, "other"), get(f, "o1"));
	assert_null(rt_graph_label(&f->g, "f1"));

	/* the labels a revision inherits: down single parents, not past a merge */
	assert_null(get(f, "b0")->labeled);
	assert_null(get(f, "t1")->labeled);
	assert_ptr_equal(get(f, "m1")->labeled, get(f, "m1"));
	assert_ptr_equal(get(f, "m2")->labeled, get(f, "m1"));
	assert_ptr_equal(get(f, "f2")->labeled, get(f, "f1"));
	assert_null(get(f, "mg")->labeled);
	assert_null(get(f, "after")->labeled);
	assert_ptr_equal(get(f, "o2")->labeled, get(f, "o1"));
	rt_revvec_release(&heads);
	rt_revvec_release(&bases);
}

static void test_branch_and_merge_at_once(void **state)
{
	fx *f = *state;

	/* a merge revision that is also a branch point */
	write_rev(f->dir, "x0", NULL, NULL, NULL);
	write_rev(f->dir, "xa", "x0", NULL, NULL);
	write_rev(f->dir, "xb", "x0", NULL, NULL);
	write_rev(f->dir, "xm", "xa, xb", NULL, NULL);
	write_rev(f->dir, "xc", "xm", NULL, NULL);
	write_rev(f->dir, "xd", "xm", NULL, NULL);
	load_ok(f);
	assert_int_equal(get(f, "xm")->flags, RETORT_REV_MERGEPOINT | RETORT_REV_BRANCHPOINT);
	assert_int_equal(get(f, "x0")->flags, RETORT_REV_BASE | RETORT_REV_BRANCHPOINT);
	assert_topo_valid(&f->g);
}

static void test_topological_order_against_names(void **state)
{
	fx *f = *state;

	/* ids and file names both sort against the graph's order */
	write_named(f->dir, "a.sql", "z9", "y8", NULL, NULL);
	write_named(f->dir, "b.sql", "y8", "x7", NULL, NULL);
	write_named(f->dir, "c.sql", "x7", "w6", NULL, NULL);
	write_named(f->dir, "d.sql", "w6", NULL, NULL, NULL);
	write_named(f->dir, "e.sql", "a0", "w6", NULL, "z9");
	load_ok(f);
	assert_topo_valid(&f->g);
	assert_string_equal(ids(&(rt_revvec){ f->g.topo, f->g.n, f->g.n }), "w6 x7 y8 z9 a0");
}

/* ---- lookups ---------------------------------------------------------------- */

static void test_get_and_find(void **state)
{
	fx *f = *state;
	rt_rev *r = NULL;

	write_rev(f->dir, "3f2a9c1b7d4e", NULL, NULL, NULL);
	write_rev(f->dir, "3f2b00000000", "3f2a9c1b7d4e", NULL, NULL);
	write_rev(f->dir, "9abc", "3f2b00000000", NULL, NULL);
	write_rev(f->dir, "9abcd", "9abc", NULL, NULL);
	load_ok(f);

	/* exact get: whole ids only */
	assert_non_null(rt_graph_get(&f->g, "3f2a9c1b7d4e"));
	assert_null(rt_graph_get(&f->g, "3f2a"));
	assert_null(rt_graph_get(&f->g, "3f2a9c1b7d4e0"));
	assert_null(rt_graph_get(&f->g, ""));

	/* a unique prefix */
	assert_rt_ok_err(rt_graph_find(&r, &f->g, "3f2a", &f->err), &f->err);
	assert_string_equal(r->s.revision, "3f2a9c1b7d4e");
	assert_rt_ok_err(rt_graph_find(&r, &f->g, "3f2b", &f->err), &f->err);
	assert_string_equal(r->s.revision, "3f2b00000000");
	/* a full id wins even when it prefixes another */
	assert_rt_ok_err(rt_graph_find(&r, &f->g, "9abc", &f->err), &f->err);
	assert_string_equal(r->s.revision, "9abc");
	assert_rt_ok_err(rt_graph_find(&r, &f->g, "9abcd", &f->err), &f->err);
	assert_string_equal(r->s.revision, "9abcd");

	/* ambiguous: both candidates named */
	r = (rt_rev *)1;
	assert_rt_fails(rt_graph_find(&r, &f->g, "3f2", &f->err), RETORT_EAMBIGUOUS);
	assert_null(r);
	assert_contains(f->err.ptr, "'3f2'");
	assert_contains(f->err.ptr, "3f2a9c1b7d4e");
	assert_contains(f->err.ptr, "3f2b00000000");
	assert_rt_fails(rt_graph_find(&r, &f->g, "9ab", &f->err), RETORT_EAMBIGUOUS);
	assert_contains(f->err.ptr, "'9abc'");
	assert_contains(f->err.ptr, "'9abcd'");

	/* not found: before, between and after every id, and empty */
	assert_rt_fails(rt_graph_find(&r, &f->g, "00", &f->err), RETORT_ENOTFOUND);
	assert_contains(f->err.ptr, "'00'");
	assert_rt_fails(rt_graph_find(&r, &f->g, "3f2c", &f->err), RETORT_ENOTFOUND);
	assert_rt_fails(rt_graph_find(&r, &f->g, "zz", &f->err), RETORT_ENOTFOUND);
	assert_rt_fails(rt_graph_find(&r, &f->g, "9abcde", &f->err), RETORT_ENOTFOUND);
	assert_rt_fails(rt_graph_find(&r, &f->g, "", &f->err), RETORT_ENOTFOUND);
	/* no error buffer is allowed */
	assert_rt_fails(rt_graph_find(&r, &f->g, "3f2", NULL), RETORT_EAMBIGUOUS);
	assert_rt_fails(rt_graph_find(&r, &f->g, "zz", NULL), RETORT_ENOTFOUND);
}

static void test_find_many_candidates(void **state)
{
	fx *f = *state;
	rt_rev *r;
	char id[16];
	int i;

	/* more candidates than the message lists */
	for (i = 0; i < 15; i++) {
		char down[16];
		snprintf(id, sizeof(id), "cafe%02d", i);
		snprintf(down, sizeof(down), "cafe%02d", i - 1);
		write_rev(f->dir, id, i ? down : NULL, NULL, NULL);
	}
	load_ok(f);
	assert_rt_fails(rt_graph_find(&r, &f->g, "cafe", &f->err), RETORT_EAMBIGUOUS);
	assert_contains(f->err.ptr, "'cafe00'");
	assert_contains(f->err.ptr, "...");
	assert_rt_ok_err(rt_graph_find(&r, &f->g, "cafe14", &f->err), &f->err);
	assert_string_equal(r->s.revision, "cafe14");
}

/* ---- errors ------------------------------------------------------------------- */

static void test_duplicate_id(void **state)
{
	fx *f = *state;
	const char *msg;

	write_named(f->dir, "one_first.sql", "dup1", NULL, NULL, NULL);
	write_named(f->dir, "two_second.sql", "dup1", NULL, NULL, NULL);
	write_named(f->dir, "zz_other.sql", "zz", "dup1", NULL, NULL);
	msg = load_fails(f, RETORT_EINVALID);
	assert_contains(msg, "'dup1'");
	assert_contains(msg, "one_first.sql");
	assert_contains(msg, "two_second.sql");
}

static void test_missing_parent(void **state)
{
	fx *f = *state;
	const char *msg;

	write_named(f->dir, "1_base.sql", "p1", NULL, NULL, NULL);
	write_named(f->dir, "2_orphan.sql", "p2", "p1, gone42", NULL, NULL);
	msg = load_fails(f, RETORT_EINVALID);
	assert_contains(msg, "2_orphan.sql");
	assert_contains(msg, "'gone42'");
	assert_contains(msg, "down_revision");
}

static void test_parent_is_not_a_prefix(void **state)
{
	fx *f = *state;
	const char *msg;

	/* down_revision names exact ids; a prefix is a missing parent */
	write_named(f->dir, "1.sql", "abcdef", NULL, NULL, NULL);
	write_named(f->dir, "2.sql", "bcdefa", "abc", NULL, NULL);
	msg = load_fails(f, RETORT_EINVALID);
	assert_contains(msg, "2.sql");
	assert_contains(msg, "'abc'");
}

static void test_missing_dependency(void **state)
{
	fx *f = *state;
	const char *msg;

	write_named(f->dir, "1.sql", "d1", NULL, NULL, NULL);
	write_named(f->dir, "2_dep.sql", "d2", "d1", NULL, "nowhere");
	msg = load_fails(f, RETORT_EINVALID);
	assert_contains(msg, "2_dep.sql");
	assert_contains(msg, "'nowhere'");
	assert_contains(msg, "depends_on");
}

static void test_cycle_of_two(void **state)
{
	fx *f = *state;
	const char *msg;

	write_named(f->dir, "1_a.sql", "ca", "cb", NULL, NULL);
	write_named(f->dir, "2_b.sql", "cb", "ca", NULL, NULL);
	msg = load_fails(f, RETORT_EINVALID);
	assert_contains(msg, "cycle");
	assert_contains(msg, "'ca'");
	assert_contains(msg, "'cb'");
	assert_contains(msg, "1_a.sql");
	assert_contains(msg, "2_b.sql");
}

static void test_cycle_of_three_below_a_good_line(void **state)
{
	fx *f = *state;
	const char *msg;

	/* a healthy line, and a 3-cycle hanging off it with a tail above */
	write_named(f->dir, "0_root.sql", "root", NULL, NULL, NULL);
	write_named(f->dir, "1_x.sql", "cx", "cz", NULL, NULL);
	write_named(f->dir, "2_y.sql", "cy", "cx", NULL, NULL);
	write_named(f->dir, "3_z.sql", "cz", "cy", NULL, NULL);
	write_named(f->dir, "4_tail.sql", "ctail", "cz, root", NULL, NULL);
	msg = load_fails(f, RETORT_EINVALID);
	assert_contains(msg, "cycle");
	assert_contains(msg, "'cx'");
	assert_contains(msg, "'cy'");
	assert_contains(msg, "'cz'");
	/* only the cycle is named, not what merely hangs off it */
	assert_null(strstr(msg, "'root'"));
	assert_null(strstr(msg, "'ctail'"));
}

static void test_cycle_through_depends_on(void **state)
{
	fx *f = *state;
	const char *msg;

	write_named(f->dir, "1.sql", "e1", NULL, NULL, "e2");
	write_named(f->dir, "2.sql", "e2", "e1", NULL, NULL);
	msg = load_fails(f, RETORT_EINVALID);
	assert_contains(msg, "cycle");
	assert_contains(msg, "'e1'");
	assert_contains(msg, "'e2'");
}

static void test_bad_header(void **state)
{
	fx *f = *state;
	const char *msg;

	write_rev(f->dir, "good1", NULL, NULL, NULL);
	write_text(f->dir, "broken_file.sql",
		   "-- no revision key at all\n"
		   "-- down_revision: good1\n"
		   "\n"
		   "-- +upgrade\n"
		   "SELECT 1;\n");
	msg = load_fails(f, RETORT_EINVALID);
	assert_contains(msg, "broken_file.sql");
}

static void test_bad_header_sql_first(void **state)
{
	fx *f = *state;
	const char *msg;

	write_text(f->dir, "sql_first.sql",
		   "CREATE TABLE t (x INT);\n"
		   "-- revision: s1\n"
		   "-- +upgrade\n");
	msg = load_fails(f, RETORT_EINVALID);
	assert_contains(msg, "sql_first.sql:1");
}

static void test_depends_on_label_and_prefix(void **state)
{
	fx *f = *state;
	rt_rev *n2, *n3;

	write_rev(f->dir, "aaaa1111", NULL, "alpha", NULL);
	write_rev(f->dir, "aaaa2222", "aaaa1111", NULL, NULL);
	write_rev(f->dir, "bbbb1111", NULL, "beta", NULL);
	/* by branch label */
	write_rev(f->dir, "bbbb2222", "bbbb1111", NULL, "alpha");
	/* by unique prefix, and by full id */
	write_rev(f->dir, "bbbb3333", "bbbb2222", NULL, "aaaa22, aaaa1111");
	load_ok(f);
	assert_topo_valid(&f->g);

	n2 = get(f, "bbbb2222");
	assert_int_equal(n2->ndeps, 1);
	assert_ptr_equal(n2->deps[0], get(f, "aaaa1111"));
	n3 = get(f, "bbbb3333");
	assert_int_equal(n3->ndeps, 2);
	assert_ptr_equal(n3->deps[0], get(f, "aaaa2222"));
	assert_ptr_equal(n3->deps[1], get(f, "aaaa1111"));
	/* dependents point back; a dependency is not a parent */
	assert_int_equal(get(f, "aaaa1111")->ndependents, 2);
	assert_int_equal(get(f, "aaaa2222")->ndependents, 1);
	assert_ptr_equal(get(f, "aaaa2222")->dependents[0], n3);
	assert_int_equal(n3->nparents, 1);
	/* a dependency does not stop its target being a head */
	assert_true(get(f, "aaaa2222")->flags & RETORT_REV_HEAD);
	assert_int_equal(get(f, "aaaa1111")->nchildren, 1);
	assert_false(get(f, "aaaa1111")->flags & RETORT_REV_BRANCHPOINT);
}

static void test_depends_on_ambiguous_prefix(void **state)
{
	fx *f = *state;
	const char *msg;

	write_rev(f->dir, "cccc1111", NULL, NULL, NULL);
	write_rev(f->dir, "cccc2222", "cccc1111", NULL, NULL);
	write_named(f->dir, "amb.sql", "dddd1111", NULL, NULL, "cccc");
	msg = load_fails(f, RETORT_EINVALID);
	assert_contains(msg, "amb.sql");
	assert_contains(msg, "'cccc'");
}

static void test_duplicate_branch_label(void **state)
{
	fx *f = *state;
	const char *msg;

	write_named(f->dir, "1_first.sql", "l1", NULL, "shared", NULL);
	write_named(f->dir, "2_second.sql", "l2", NULL, "mine, shared", NULL);
	msg = load_fails(f, RETORT_EINVALID);
	assert_contains(msg, "'shared'");
	assert_contains(msg, "1_first.sql");
	assert_contains(msg, "2_second.sql");
}

/* Revision `i` of a chain "r00000.sql", "r00001.sql", ...: the id
 * "r%05d", the one before as its parent, and `extra` header lines. */
static void write_chain_rev(const char *dir, int i, const char *extra)
{
	char id[16], down[16], name[32];
	rt_buf b = RT_BUF_INIT;

	snprintf(id, sizeof(id), "r%05d", i);
	snprintf(down, sizeof(down), "r%05d", i - 1);
	snprintf(name, sizeof(name), "%s.sql", id);
	rt_buf_printf(&b, "-- revision: %s\n-- down_revision: %s\n%s-- +upgrade\n", id,
		      i ? down : "", extra);
	write_text(dir, name, b.ptr);
	rt_buf_release(&b);
}

/* A target naming "main" would mean the label, never the revision. */
static void test_label_spelt_like_an_id(void **state)
{
	fx *f = *state;
	const char *msg;

	write_named(f->dir, "1_main.sql", "main", NULL, NULL, NULL);
	write_named(f->dir, "2_other.sql", "o1", "main", "main", NULL);
	msg = load_fails(f, RETORT_EINVALID);
	assert_contains(msg, "2_other.sql");
	assert_contains(msg, "branch label 'main' is also the id of the revision in");
	assert_contains(msg, "1_main.sql");
}

/* Labels are found by a binary search, and depends_on through them: many
 * labelled revisions load in linear-logarithmic time. */
static void test_many_labels(void **state)
{
	enum { N = 3000 };
	fx *f = *state;
	char id[16], label[16];
	rt_buf b = RT_BUF_INIT;
	int i;

	for (i = 0; i < N; i++) {
		rt_buf_clear(&b);
		rt_buf_printf(&b, "-- branch_labels: lab%05d\n", i);
		if (i > 1)
			rt_buf_printf(&b, "-- depends_on: lab%05d\n", i / 2);
		write_chain_rev(f->dir, i, b.ptr);
	}
	rt_buf_release(&b);
	load_ok(f);
	assert_int_equal(f->g.nlabels, N);
	for (i = 0; i < N; i += 97) {
		snprintf(id, sizeof(id), "r%05d", i);
		snprintf(label, sizeof(label), "lab%05d", i);
		assert_ptr_equal(rt_graph_label(&f->g, label), get(f, id));
	}
	assert_ptr_equal(get(f, "r02999")->deps[0], get(f, "r01499"));
	assert_null(rt_graph_label(&f->g, "lab"));
	assert_null(rt_graph_label(&f->g, "lab99999"));
}

static void test_several_labels(void **state)
{
	fx *f = *state;

	write_rev(f->dir, "m1", NULL, "one, two", NULL);
	write_rev(f->dir, "m2", "m1", "three", NULL);
	load_ok(f);
	assert_ptr_equal(rt_graph_label(&f->g, "one"), get(f, "m1"));
	assert_ptr_equal(rt_graph_label(&f->g, "two"), get(f, "m1"));
	assert_ptr_equal(rt_graph_label(&f->g, "three"), get(f, "m2"));
	assert_null(rt_graph_label(&f->g, "four"));
}

/* ---- walks ------------------------------------------------------------------------ */

/*
 *      dA
 *     /  \
 *   dB    dC
 *     \  /
 *      dD -- dE      dX (unrelated base)
 */
static void write_diamond(const char *dir)
{
	write_rev(dir, "dA", NULL, NULL, NULL);
	write_rev(dir, "dB", "dA", NULL, NULL);
	write_rev(dir, "dC", "dA", NULL, NULL);
	write_rev(dir, "dD", "dB, dC", NULL, NULL);
	write_rev(dir, "dE", "dD", NULL, NULL);
	write_rev(dir, "dX", NULL, NULL, NULL);
}

static const char *walk(fx *f, int up, const char *const *from, size_t n)
{
	rt_rev *v[8];
	rt_revvec out = { 0 };
	static char buf[256];
	size_t i;

	assert_true(n <= 8);
	for (i = 0; i < n; i++)
		v[i] = get(f, from[i]);
	if (up)
		assert_rt_ok_err(rt_graph_descendants(&f->g, &out, v, n), &f->err);
	else
		assert_rt_ok_err(rt_graph_ancestors(&f->g, &out, v, n), &f->err);
	snprintf(buf, sizeof(buf), "%s", sorted_ids(&out));
	rt_revvec_release(&out);
	return buf;
}

static void test_ancestors_descendants_diamond(void **state)
{
	fx *f = *state;

	write_diamond(f->dir);
	load_ok(f);

	assert_string_equal(walk(f, 0, (const char *[]){ "dD" }, 1), "dA dB dC dD");
	assert_string_equal(walk(f, 0, (const char *[]){ "dE" }, 1), "dA dB dC dD dE");
	assert_string_equal(walk(f, 0, (const char *[]){ "dB" }, 1), "dA dB");
	assert_string_equal(walk(f, 0, (const char *[]){ "dA" }, 1), "dA");
	/* several starting points, overlapping: each revision once */
	assert_string_equal(walk(f, 0, (const char *[]){ "dB", "dC", "dB" }, 3), "dA dB dC");
	assert_string_equal(walk(f, 0, (const char *[]){ "dD", "dX" }, 2), "dA dB dC dD dX");

	assert_string_equal(walk(f, 1, (const char *[]){ "dA" }, 1), "dA dB dC dD dE");
	assert_string_equal(walk(f, 1, (const char *[]){ "dB" }, 1), "dB dD dE");
	assert_string_equal(walk(f, 1, (const char *[]){ "dC" }, 1), "dC dD dE");
	assert_string_equal(walk(f, 1, (const char *[]){ "dE" }, 1), "dE");
	assert_string_equal(walk(f, 1, (const char *[]){ "dB", "dC" }, 2), "dB dC dD dE");
	assert_string_equal(walk(f, 1, (const char *[]){ "dX" }, 1), "dX");

	/* no starting point: nothing */
	assert_string_equal(walk(f, 1, NULL, 0), "");
}

static void test_walks_follow_depends_on(void **state)
{
	fx *f = *state;

	write_rev(f->dir, "pA1", NULL, NULL, NULL);
	write_rev(f->dir, "pA2", "pA1", NULL, NULL);
	write_rev(f->dir, "qB1", NULL, NULL, NULL);
	write_rev(f->dir, "qB2", "qB1", NULL, "pA1");
	load_ok(f);
	assert_string_equal(walk(f, 0, (const char *[]){ "qB2" }, 1), "pA1 qB1 qB2");
	assert_string_equal(walk(f, 1, (const char *[]){ "pA1" }, 1), "pA1 pA2 qB2");
}

static void test_walks_survive_stamp_wrap(void **state)
{
	fx *f = *state;
	int i;

	write_diamond(f->dir);
	load_ok(f);
	/* the traversal stamp wraps: marks left from before must not make
	 * a revision look visited */
	assert_string_equal(walk(f, 0, (const char *[]){ "dE" }, 1), "dA dB dC dD dE");
	f->g.stamp = UINT_MAX - 2;
	for (i = 0; i < 5; i++) {
		assert_string_equal(walk(f, 0, (const char *[]){ "dE" }, 1), "dA dB dC dD dE");
		assert_string_equal(walk(f, 1, (const char *[]){ "dB" }, 1), "dB dD dE");
	}
	assert_true(f->g.stamp > 0 && f->g.stamp < 20);
}

/* ---- scale ---------------------------------------------------------------------------- */

static void test_long_chain(void **state)
{
	enum { N = 10000 };
	fx *f = *state;
	rt_revvec heads = { 0 }, bases = { 0 }, all = { 0 };
	rt_rev *r = NULL;
	int i;

	for (i = 0; i < N; i++)
		write_chain_rev(f->dir, i, "");
	load_ok(f);
	assert_int_equal(f->g.n, N);
	assert_rt_ok_err(rt_graph_heads(&f->g, &heads), &f->err);
	assert_rt_ok_err(rt_graph_bases(&f->g, &bases), &f->err);
	assert_int_equal(heads.n, 1);
	assert_string_equal(heads.v[0]->s.revision, "r09999");
	assert_int_equal(bases.n, 1);
	assert_string_equal(bases.v[0]->s.revision, "r00000");
	assert_topo_valid(&f->g);

	/* a walk over the whole chain needs no recursion depth */
	assert_rt_ok_err(rt_graph_ancestors(&f->g, &all, heads.v, 1), &f->err);
	assert_int_equal(all.n, N);
	assert_rt_fails(rt_graph_find(&r, &f->g, "r0999", &f->err), RETORT_EAMBIGUOUS);
	assert_rt_ok_err(rt_graph_find(&r, &f->g, "r05000", &f->err), &f->err);
	assert_int_equal(r->topo, 5000);
	rt_revvec_release(&heads);
	rt_revvec_release(&bases);
	rt_revvec_release(&all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_linear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_single_revision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_folder_and_other_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_branches_and_merges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_branch_and_merge_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_topological_order_against_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_and_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_many_candidates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parent_is_not_a_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_dependency, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cycle_of_two, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cycle_of_three_below_a_good_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cycle_through_depends_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_header_sql_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depends_on_label_and_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depends_on_ambiguous_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_branch_label, setup, teardown),
		cmocka_unit_test_setup_teardown(test_several_labels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_label_spelt_like_an_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_labels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ancestors_descendants_diamond, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walks_follow_depends_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walks_survive_stamp_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_chain, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
