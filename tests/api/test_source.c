/*
 * test_source.c - migrations from a program's source instead of the
 * versions folder (retort_options.source): files in memory, as `retort
 * embed` compiles them in, and a source of the program's own making.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "retort.h"
#include "api_project.h"

#define ONE "-- one\n-- revision: aaaa0001\n-- down_revision:\n\n" \
	"-- +upgrade\nCREATE TABLE one (id INTEGER PRIMARY KEY);\n" \
	"-- +downgrade\nDROP TABLE one;\n"
#define TWO "-- two\n-- revision: aaaa0002\n-- down_revision: aaaa0001\n\n" \
	"-- +upgrade\nCREATE TABLE two (id INTEGER PRIMARY KEY);\nCREATE TABLE two (x INT);\n" \
	"-- +downgrade\nDROP TABLE two;\n"

static const retort_file files[] = {
	{ "aaaa0001_one.sql", ONE, sizeof(ONE) - 1 },
	{ "aaaa0002_two.sql", TWO, sizeof(TWO) - 1 },
};
static const retort_files embedded = { "migrations/versions", files, 2 };

/* A context on `dir` (no retort.ini needed) reading `src`. */
static retort *open_source(const char *dir, const retort_source *src)
{
	static const retort_setting url[] = { { NULL, "url", "sqlite:///data.db" } };
	retort_options o = RETORT_OPTIONS_INIT;
	retort *ctx;

	o.start_dir = dir;
	o.config_optional = 1;
	o.settings = url;
	o.nsettings = 1;
	o.source = src;
	must(retort_new(&ctx), NULL, "retort_new");
	must(retort_open(ctx, &o), ctx, "retort_open");
	return ctx;
}

static void files_in_memory(void **state)
{
	project *p = *state;
	retort_source src;
	retort_revlist heads = { NULL, 0 };
	retort_revision_options r = RETORT_REVISION_OPTIONS_INIT;
	char *path = NULL, ini[128];
	retort *ctx;

	/* nothing on disk but the database: the project's files are gone */
	snprintf(ini, sizeof(ini), "%s/retort.ini", p->dir);
	unlink(ini);
	remove_rev(p, "aaaa0002");
	remove_rev(p, "aaaa0001");
	retort_source_files(&src, &embedded);
	ctx = open_source(p->dir, &src);
	must(retort_heads(&heads, ctx), ctx, "retort_heads");
	assert_int_equal(heads.count, 1);
	assert_string_equal(retort_rev_id(heads.revs[0]), "aaaa0002");
	assert_string_equal(retort_rev_path(heads.revs[0]), "migrations/versions/aaaa0002_two.sql");
	retort_revlist_release(&heads);

	/* the second file's second statement fails: named by file:line */
	assert_int_equal(retort_upgrade(ctx, "head", NULL), RETORT_ESTATEMENT);
	if (!strstr(retort_errmsg(ctx), "migrations/versions/aaaa0002_two.sql:7"))
		fail_msg("%s", retort_errmsg(ctx));
	must(retort_upgrade(ctx, "aaaa0001", NULL), ctx, "retort_upgrade aaaa0001");

	/* new revisions are files: refused with a source */
	r.message = "three";
	assert_int_equal(retort_revision(&path, ctx, &r), RETORT_EUSAGE);
	assert_null(path);
	retort_free(ctx);
}

/* The folder and the embedded copy of it take turns on one database:
 * the same texts, the same checksums. */
static void folder_and_memory_take_turns(void **state)
{
	project *p = *state;
	retort_source src;
	retort_strarray problems = { NULL, 0 };
	retort_file copy[2];
	retort_files mine = { "migrations/versions", copy, 2 };
	retort_revlist all = { NULL, 0 };
	char *text[2];
	size_t i;
	retort *ctx;

	/* the files as the folder has them, copied into memory */
	must(retort_history(&all, p->ctx, NULL), p->ctx, "retort_history");
	assert_int_equal(all.count, 2);
	for (i = 0; i < 2; i++) {
		const char *path = retort_rev_path(all.revs[i]);
		text[i] = read_file(path);
		copy[i].name = strrchr(path, '/') + 1;
		copy[i].text = text[i];
		copy[i].len = strlen(text[i]);
	}
	must(retort_upgrade(p->ctx, "aaaa0001", NULL), p->ctx, "upgrade from the folder");
	retort_source_files(&src, &mine);
	ctx = open_source(p->dir, &src);
	must(retort_verify(&problems, ctx), ctx, "retort_verify");
	assert_int_equal(problems.count, 0);
	must(retort_upgrade(ctx, "head", NULL), ctx, "upgrade from memory");
	retort_free(ctx);
	must(retort_verify(&problems, p->ctx), p->ctx, "verify from the folder");
	assert_int_equal(problems.count, 0);
	must(retort_downgrade(p->ctx, "base", NULL), p->ctx, "downgrade from the folder");

	/* an edit in the embedded copy is caught as for a file */
	must(retort_upgrade(p->ctx, "head", NULL), p->ctx, "upgrade from the folder");
	text[0][strlen(text[0]) - 2] = 'X';
	ctx = open_source(p->dir, &src);
	assert_int_equal(retort_upgrade(ctx, "head", NULL), RETORT_EMODIFIED);
	retort_free(ctx);
	retort_revlist_release(&all);
	free(text[0]);
	free(text[1]);
}

/* A source of the program's own making, and its failures. */
static int fail_list(const retort_source *src, retort_strarray *out)
{
	(void)src;
	(void)out;
	return RETORT_ERROR;
}

static int fail_read(const retort_source *src, const char *name, char **text, size_t *len)
{
	(void)src;
	(void)name;
	(void)text;
	(void)len;
	return RETORT_ENOTFOUND;
}

static void own_source(void **state)
{
	project *p = *state;
	retort_source bad = { RETORT_SOURCE_VERSION, "mine", fail_list, fail_read, NULL };
	retort_source zero;
	retort_options o = RETORT_OPTIONS_INIT;
	retort_revlist heads = { NULL, 0 };
	retort *ctx;

	memset(&zero, 0, sizeof(zero));
	o.start_dir = p->dir;
	o.source = &zero;
	must(retort_new(&ctx), NULL, "retort_new");
	assert_int_equal(retort_open(ctx, &o), RETORT_EUSAGE);
	assert_non_null(strstr(retort_errmsg(ctx), "RETORT_SOURCE_INIT"));
	retort_free(ctx);

	ctx = open_source(p->dir, &bad);
	assert_int_equal(retort_heads(&heads, ctx), RETORT_ERROR);
	assert_non_null(strstr(retort_errmsg(ctx), "'mine' could not list"));
	retort_free(ctx);
}

/* The folder as a source: the same graph, runs and messages. */
static void folder_source(void **state)
{
	project *p = *state;
	retort_source src;
	retort_revlist heads = { NULL, 0 };
	char dir[128], missing[160];
	retort *ctx;

	snprintf(dir, sizeof(dir), "%s/migrations/versions", p->dir);
	retort_source_folder(&src, dir);
	ctx = open_source(p->dir, &src);
	must(retort_heads(&heads, ctx), ctx, "retort_heads");
	assert_int_equal(heads.count, 1);
	assert_string_equal(retort_rev_id(heads.revs[0]), "aaaa0002");
	assert_non_null(strstr(retort_rev_path(heads.revs[0]), "/migrations/versions/aaaa0002_"));
	retort_revlist_release(&heads);
	must(retort_upgrade(ctx, "head", NULL), ctx, "upgrade from the folder source");
	retort_free(ctx);

	snprintf(missing, sizeof(missing), "%s/nowhere", p->dir);
	retort_source_folder(&src, missing);
	ctx = open_source(p->dir, &src);
	assert_int_equal(retort_heads(&heads, ctx), RETORT_ENOTFOUND);
	assert_non_null(strstr(retort_errmsg(ctx), "nowhere"));
	retort_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(files_in_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(folder_and_memory_take_turns, setup, teardown),
		cmocka_unit_test_setup_teardown(own_source, setup, teardown),
		cmocka_unit_test_setup_teardown(folder_source, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
