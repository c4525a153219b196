/*
 * test_hcache.c - the header cache (hcache.c): a header put in one run is
 * what the next run gets while the file's stat is unchanged; a changed
 * file, a damaged cache, another folder's cache and a file changed in the
 * last seconds all fall back to reading the file; files that are gone
 * leave the cache; and a graph loaded through the cache is the graph
 * loaded without it, before and after an in-place edit.
 */
#define _GNU_SOURCE /* nftw */
#include "rt_test.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "graph.h"
#include "hcache.h"

typedef struct fx {
	char *root;     /* removed at teardown */
	char *dir;      /* root/versions */
	char *cache;    /* root/cache (made by the first write) */
	rt_buf err;
} fx;

/* "Now" as far as the cache can tell, for files made by the test: an hour
 * on, so they are not "changed in the last seconds". */
#define LATER (time(NULL) + 3600)

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/rt_test_hcache.XXXXXX";
	fx *f = calloc(1, sizeof(*f));

	if (!f || !mkdtemp(tmpl))
		return -1;
	f->root = rt_strdup(tmpl);
	f->dir = rt_path_join(tmpl, "versions");
	f->cache = rt_path_join(tmpl, "cache");
	rt_buf_init(&f->err);
	*state = f;
	return f->dir && mkdir(f->dir, 0755) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	fx *f = *state;

	nftw(f->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f->root);
	free(f->dir);
	free(f->cache);
	rt_buf_release(&f->err);
	free(f);
	return 0;
}

static void write_file(fx *f, const char *name, const char *text)
{
	char *path = rt_path_join(f->dir, name);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
	free(path);
}

static void stat_of(fx *f, const char *name, struct stat *st)
{
	char *path = rt_path_join(f->dir, name);

	assert_int_equal(stat(path, st), 0);
	free(path);
}

/* The path of the cache file (there is one per folder). */
static void cache_path(fx *f, char path[512])
{
	char cmd[512];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls %s/headers-*", f->cache);
	assert_non_null(p = popen(cmd, "r"));
	assert_non_null(fgets(path, 512, p));
	pclose(p);
	path[strcspn(path, "\n")] = '\0';
}

static char *cache_file(fx *f, size_t *len)
{
	char path[512], *data = NULL;

	cache_path(f, path);
	assert_rt_ok_err(rt_read_file(&data, len, path, &f->err), &f->err);
	return data;
}

static void rewrite_cache_file(fx *f, const char *data, size_t len)
{
	char path[512];

	cache_path(f, path);
	assert_rt_ok_err(rt_write_file(path, data, len, 0, &f->err), &f->err);
}

/* Put `text` as the header of each of the files named, in one run. */
static void put_all(fx *f, time_t now, const char *const *names, size_t n, const char *text)
{
	rt_hcache *c = rt_hcache_open(f->cache, f->dir, now);
	struct stat st;
	size_t i;

	assert_non_null(c);
	for (i = 0; i < n; i++) {
		stat_of(f, names[i], &st);
		assert_null(rt_hcache_get(c, names[i], &st, &(size_t){ 0 }));
		rt_hcache_put(c, names[i], &st, text, strlen(text));
	}
	rt_hcache_close(c, 1);
}

/* What the cache gives for `name` in a new run (NULL: a miss). */
static char *get_one(fx *f, const char *name)
{
	rt_hcache *c = rt_hcache_open(f->cache, f->dir, LATER);
	struct stat st;
	const char *text;
	char *copy = NULL;
	size_t len = 0;

	assert_non_null(c);
	stat_of(f, name, &st);
	if ((text = rt_hcache_get(c, name, &st, &len)) != NULL)
		copy = rt_strndup(text, len);
	rt_hcache_close(c, 0);
	return copy;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_hit_serves_the_cached_text(void **state)
{
	fx *f = *state;
	const char *names[] = { "a.sql" };
	char *got;

	write_file(f, "a.sql", "-- revision: aaaa\n");
	/* the text put is not the file's: a hit can only come from the cache */
	put_all(f, LATER, names, 1, "-- cached\n");
	got = get_one(f, "a.sql");
	assert_non_null(got);
	assert_string_equal(got, "-- cached\n");
	free(got);
}

static void test_changed_file_is_a_miss(void **state)
{
	fx *f = *state;
	const char *names[] = { "a.sql" };
	struct timespec times[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	char *path = rt_path_join(f->dir, "a.sql");

	write_file(f, "a.sql", "-- revision: aaaa\n");
	put_all(f, LATER, names, 1, "-- cached\n");
	/* a new mtime (and with it a new ctime), same size and inode */
	assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
	assert_null(get_one(f, "a.sql"));
	free(path);
}

static void test_recent_file_is_not_cached(void **state)
{
	fx *f = *state;
	const char *names[] = { "a.sql" };

	write_file(f, "a.sql", "-- revision: aaaa\n");
	/* judged by the real clock, the file changed a moment ago */
	put_all(f, time(NULL), names, 1, "-- cached\n");
	assert_null(get_one(f, "a.sql"));
}

static void test_damaged_cache_is_ignored(void **state)
{
	fx *f = *state;
	const char *names[] = { "a.sql", "b.sql" };
	size_t len;
	char *data, *at, *real = realpath(f->dir, NULL);

	write_file(f, "a.sql", "-- revision: aaaa\n");
	write_file(f, "b.sql", "-- revision: bbbb\n");
	put_all(f, LATER, names, 2, "-- cached\n");
	data = cache_file(f, &len);
	assert_int_equal(rt_hcache_check(data, len, real), 2);
	/* one byte of a header text changed, the checksum not */
	at = strstr(data, "-- cached");
	assert_non_null(at);
	at[3] = 'K';
	assert_int_equal(rt_hcache_check(data, len, real), -1);
	rewrite_cache_file(f, data, len);
	assert_null(get_one(f, "a.sql"));
	assert_null(get_one(f, "b.sql"));
	free(data);
	free(real);
}

static void test_other_folder_and_truncation(void **state)
{
	fx *f = *state;
	const char *names[] = { "a.sql" };
	size_t len, cut;
	char *data, *real = realpath(f->dir, NULL);

	write_file(f, "a.sql", "-- revision: aaaa\n");
	put_all(f, LATER, names, 1, "-- cached\n");
	data = cache_file(f, &len);
	assert_int_equal(rt_hcache_check(data, len, real), 1);
	assert_int_equal(rt_hcache_check(data, len, "/some/other/folder"), -1);
	/* every shorter prefix of a valid cache is rejected */
	for (cut = 0; cut < len; cut++)
		assert_int_equal(rt_hcache_check(data, cut, real), -1);
	free(data);
	free(real);
}

static void test_gone_files_leave_the_cache(void **state)
{
	fx *f = *state;
	const char *names[] = { "a.sql", "b.sql", "c.sql" };
	char *real = realpath(f->dir, NULL), *path = rt_path_join(f->dir, "b.sql");
	rt_hcache *c;
	struct stat st;
	size_t len;
	char *data;

	write_file(f, "a.sql", "-- revision: aaaa\n");
	write_file(f, "b.sql", "-- revision: bbbb\n");
	write_file(f, "c.sql", "-- revision: cccc\n");
	put_all(f, LATER, names, 3, "-- cached\n");
	assert_int_equal(unlink(path), 0);
	/* a load that sees a and c only */
	c = rt_hcache_open(f->cache, f->dir, LATER);
	stat_of(f, "a.sql", &st);
	assert_non_null(rt_hcache_get(c, "a.sql", &st, &len));
	stat_of(f, "c.sql", &st);
	assert_non_null(rt_hcache_get(c, "c.sql", &st, &len));
	rt_hcache_close(c, 1);
	data = cache_file(f, &len);
	assert_int_equal(rt_hcache_check(data, len, real), 2);
	assert_null(strstr(data, "b.sql"));
	free(data);
	free(real);
	free(path);
}

static void test_no_cache_dir_means_no_cache(void **state)
{
	fx *f = *state;

	assert_null(rt_hcache_open(NULL, f->dir, LATER));
	assert_null(rt_hcache_open("", f->dir, LATER));
	assert_null(rt_hcache_open(f->cache, "/no/such/folder", LATER));
	/* all of the calls take a NULL cache */
	assert_null(rt_hcache_get(NULL, "a.sql", &(struct stat){ 0 }, &(size_t){ 0 }));
	rt_hcache_put(NULL, "a.sql", &(struct stat){ 0 }, "x", 1);
	rt_hcache_close(NULL, 1);
}

/* The graph through the cache equals the graph without it: the first
 * load fills the cache, the second reads it, and an in-place edit of the
 * same size is seen by the third. */
static void test_graph_through_the_cache(void **state)
{
	fx *f = *state;
	rt_graph g;
	char *path = rt_path_join(f->dir, "c.sql");
	struct timespec old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	const char *heads_before, *parent_after;
	size_t len;
	char *data;
	FILE *fp;

	write_file(f, "a.sql", "-- A\n--\n-- revision: aaaa\n-- down_revision:\n\n-- +upgrade\n");
	write_file(f, "b.sql", "-- B\n--\n-- revision: bbbb\n-- down_revision: aaaa\n\n-- +upgrade\n");
	write_file(f, "c.sql", "-- C\n--\n-- revision: cccc\n-- down_revision: bbbb\n\n-- +upgrade\n");
	/* the files are seconds old by the time a slow machine gets here,
	 * but not two: wait them out so the cache takes them */
	sleep(3);
	assert_rt_ok_err(rt_graph_load(&g, f->dir, f->cache, &f->err), &f->err);
	rt_graph_release(&g);
	data = cache_file(f, &len);
	/* c.sql's header as graph.c packs it: revision, create_date, message,
	 * doc, down_revision, branch_labels, depends_on */
	assert_non_null(memmem(data, len, "c.sqlcccc\0\0C\0\0bbbb\0\0\0\n", 22));
	free(data);
	assert_rt_ok_err(rt_graph_load(&g, f->dir, f->cache, &f->err), &f->err);
	assert_int_equal(g.n, 3);
	heads_before = g.topo[2]->s.revision;
	assert_string_equal(heads_before, "cccc");
	assert_string_equal(g.topo[2]->s.down_revisions.items[0], "bbbb");
	rt_graph_release(&g);
	/* rewrite c.sql in place (same inode, same size), C now follows A */
	assert_non_null(fp = fopen(path, "r+"));
	fputs("-- C\n--\n-- revision: cccc\n-- down_revision: aaaa\n\n-- +upgrade\n", fp);
	assert_int_equal(fclose(fp), 0);
	assert_rt_ok_err(rt_graph_load(&g, f->dir, f->cache, &f->err), &f->err);
	parent_after = rt_graph_get(&g, "cccc")->s.down_revisions.items[0];
	assert_string_equal(parent_after, "aaaa");
	rt_graph_release(&g);
	/* and a cache that claims an old stat for it is not believed */
	assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
	assert_rt_ok_err(rt_graph_load(&g, f->dir, f->cache, &f->err), &f->err);
	assert_string_equal(rt_graph_get(&g, "cccc")->s.down_revisions.items[0], "aaaa");
	rt_graph_release(&g);
	free(path);
}

/* A cache entry that is whole and checksummed but not a packed header
 * (as from another version of the format): the file is read instead, and
 * the entry is replaced, not kept beside the new one. */
static void test_unusable_entry_is_replaced(void **state)
{
	fx *f = *state;
	struct stat st;
	rt_hcache *c;
	rt_graph g;
	size_t len;
	char *data, *vdir = realpath(f->dir, NULL);

	write_file(f, "a.sql", "-- A\n--\n-- revision: aaaa\n-- down_revision:\n\n-- +upgrade\n");
	stat_of(f, "a.sql", &st);
	assert_non_null(c = rt_hcache_open(f->cache, f->dir, LATER));
	rt_hcache_put(c, "a.sql", &st, "-- revision: aaaa\n", 18);
	rt_hcache_close(c, 1);

	/* files seconds old are not cached again: wait them out */
	sleep(3);
	assert_rt_ok_err(rt_graph_load(&g, f->dir, f->cache, &f->err), &f->err);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.by_id[0]->s.revision, "aaaa");
	assert_string_equal(g.by_id[0]->s.message, "A");
	rt_graph_release(&g);
	data = cache_file(f, &len);
	assert_non_null(vdir);
	/* one entry, the packed header */
	assert_int_equal(rt_hcache_check(data, len, vdir), 1);
	assert_non_null(memmem(data, len, "a.sqlaaaa\0\0A\0\0\0\0\0\n", 18));
	free(data);
	free(vdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hit_serves_the_cached_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_file_is_a_miss, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recent_file_is_not_cached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_cache_is_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_folder_and_truncation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_files_leave_the_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_cache_dir_means_no_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_graph_through_the_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unusable_entry_is_replaced, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
