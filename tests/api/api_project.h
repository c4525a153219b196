/*
 * api_project.h - what the API tests share: a scratch project made
 * through retort.h itself (retort.ini, a SQLite file in the folder, two
 * revisions), and small file helpers.  Include after cmocka.h and
 * retort.h, with _XOPEN_SOURCE 700 defined (nftw).
 */
#ifndef API_PROJECT_H
#define API_PROJECT_H

#include <ftw.h>
#include <unistd.h>

/* A scratch project: retort.ini (a SQLite file in the folder) and two
 * revisions, made through the API itself. */
typedef struct project {
	char dir[64];
	retort *ctx;
} project;

static inline int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void must(int rc, retort *ctx, const char *what)
{
	if (rc < 0)
		fail_msg("%s failed with %d: %s", what, rc, retort_errmsg(ctx));
}

static inline void open_in(retort **out, const char *dir)
{
	retort_options o = RETORT_OPTIONS_INIT;

	o.start_dir = dir;
	must(retort_new(out), NULL, "retort_new");
	must(retort_open(*out, &o), *out, "retort_open");
}

/* The version table holds exactly `want` (NULL: nothing). */
static inline void assert_current(retort *ctx, const char *want)
{
	retort_strarray cur = { NULL, 0 };

	must(retort_current(&cur, ctx), ctx, "retort_current");
	assert_int_equal(cur.count, want ? 1 : 0);
	if (want)
		assert_string_equal(cur.strings[0], want);
	retort_strarray_release(&cur);
}

/* A revision creating table `name`, on the head. */
static inline void add_rev(project *p, const char *id, const char *name)
{
	retort_revision_options r = RETORT_REVISION_OPTIONS_INIT;
	char up[128], down[128], *path;

	snprintf(up, sizeof(up), "CREATE TABLE %s (id INTEGER PRIMARY KEY);", name);
	snprintf(down, sizeof(down), "DROP TABLE %s;", name);
	r.message = name;
	r.rev_id = id;
	r.upgrade_sql = up;
	r.downgrade_sql = down;
	must(retort_revision(&path, p->ctx, &r), p->ctx, "retort_revision");
	free(path);
}

static inline int setup(void **state)
{
	project *p = calloc(1, sizeof(*p));
	retort *ctx;

	assert_non_null(p);
	strcpy(p->dir, "/tmp/retort-api-XXXXXX");
	assert_non_null(mkdtemp(p->dir));
	must(retort_new(&ctx), NULL, "retort_new");
	must(retort_init_project(NULL, ctx, p->dir, NULL), ctx, "retort_init_project");
	retort_free(ctx);
	open_in(&p->ctx, p->dir);
	add_rev(p, "aaaa0001", "one");
	add_rev(p, "aaaa0002", "two");
	*state = p;
	return 0;
}

/* Write `text` to the project's file `name` (relative to its folder). */
static inline void put_file(const project *p, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", p->dir, name);
	assert_non_null(f = fopen(path, "w"));
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static inline char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = calloc(1, 65536);

	assert_non_null(f);
	assert_non_null(text);
	assert_true(fread(text, 1, 65535, f) > 0);
	fclose(f);
	return text;
}

/* Delete the file of revision `id`. */
static inline void remove_rev(project *p, const char *id)
{
	retort_revlist list = { NULL, 0 };

	must(retort_resolve(&list, p->ctx, id), p->ctx, "retort_resolve");
	assert_int_equal(unlink(retort_rev_path(list.revs[0])), 0);
	retort_revlist_release(&list);
}

static inline int teardown(void **state)
{
	project *p = *state;

	retort_free(p->ctx);
	nftw(p->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(p);
	return 0;
}

#endif
