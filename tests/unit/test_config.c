/*
 * test_config.c - retort.ini (config.c): defaults, every known key,
 * ${VAR} interpolation from the environment, the [alembic] alias, paths
 * made absolute, errors naming file:line, and the upward search.
 */
#include "rt_test.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

/* Each test gets a fresh folder (realpath'd: /tmp may be a link). */
static int setup_dir(void **state)
{
	char tmpl[] = "/tmp/rt_test_config_XXXXXX";
	char *dir = mkdtemp(tmpl);

	if (!dir)
		return -1;
	*state = realpath(dir, NULL);
	return *state ? 0 : -1;
}

static int teardown_dir(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", (char *)*state);
	free(*state);
	return system(cmd) == 0 ? 0 : -1;
}

/* dir/name (caller frees). */
static char *path_in(const char *dir, const char *name)
{
	char *p = rt_path_join(dir, name);

	assert_non_null(p);
	return p;
}

static char *write_in(const char *dir, const char *name, const char *text)
{
	char *path = path_in(dir, name);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	return path;
}

static void load_ok(rt_config *cfg, const char *path)
{
	rt_buf err = RT_BUF_INIT;

	assert_rt_ok_err(rt_config_load(cfg, path, &err), &err);
	rt_buf_release(&err);
}

/* Loading `text` must fail with `code` and exactly the message `want`,
 * in which "@" stands for the file's path. */
static void load_fails(const char *dir, const char *text, int code, const char *want)
{
	rt_config cfg;
	rt_buf err = RT_BUF_INIT, expect = RT_BUF_INIT;
	char *path = write_in(dir, "retort.ini", text);
	const char *p;

	for (p = want; *p; p++) {
		if (*p == '@')
			rt_buf_puts(&expect, path);
		else
			rt_buf_putc(&expect, *p);
	}
	assert_rt_fails(rt_config_load(&cfg, path, &err), code);
	assert_string_equal(err.ptr, expect.ptr);
	/* nothing left to free */
	assert_null(cfg.path);
	assert_null(cfg.entries);
	rt_buf_release(&err);
	rt_buf_release(&expect);
	free(path);
}

static void test_defaults(void **state)
{
	const char *dir = *state;
	rt_config cfg;
	char *want = path_in(dir, "migrations");

	assert_int_equal(rt_config_defaults(&cfg, dir), 0);
	assert_null(cfg.path);
	assert_string_equal(cfg.dir, dir);
	assert_string_equal(cfg.script_location, want);
	assert_null(cfg.url);
	assert_string_equal(cfg.version_table, "retort_version");
	assert_null(cfg.version_table_schema);
	assert_null(cfg.schema);
	assert_null(cfg.log_file);
	assert_string_equal(cfg.file_template, "%(rev)s_%(slug)s");
	assert_int_equal(cfg.transaction_per_migration, 1);
	assert_true(cfg.lock_timeout == 60.0);
	assert_true(cfg.ddl_lock_timeout == 0.0);
	assert_int_equal(cfg.nentries, 0);
	assert_null(rt_config_get(&cfg, "retort", "url"));
	rt_config_release(&cfg);
	assert_null(cfg.dir);
	rt_config_release(&cfg);
	free(want);
}

static void test_minimal_file_gets_defaults(void **state)
{
	const char *dir = *state;
	rt_config cfg;
	char *path = write_in(dir, "retort.ini", "[retort]\n");
	char *mig = path_in(dir, "migrations");

	load_ok(&cfg, path);
	assert_string_equal(cfg.path, path);
	assert_string_equal(cfg.dir, dir);
	assert_string_equal(cfg.script_location, mig);
	assert_null(cfg.url);
	assert_string_equal(cfg.version_table, "retort_version");
	assert_int_equal(cfg.transaction_per_migration, 1);
	assert_true(cfg.lock_timeout == 60.0);
	rt_config_release(&cfg);
	free(path);
	free(mig);
}

static void test_all_keys(void **state)
{
	const char *dir = *state;
	rt_config cfg;
	char *path = write_in(dir, "retort.ini",
		"; a comment\n"
		"# another\n"
		"[retort]\n"
		"script_location = db/migrations\n"
		"url = postgresql://app@localhost/app\n"
		"version_table = schema_versions\n"
		"version_table_schema = meta\n"
		"schema = schema.sql          ; the declarative model\n"
		"log_file = /var/log/retort.log\n"
		"file_template = %(year)d_%(rev)s_%(slug)s\n"
		"transaction_per_migration = false\n"
		"lock_timeout = 2.5\n"
		"ddl_lock_timeout = 10\n"
		"some_future_key = kept\n");
	char *mig = path_in(dir, "db/migrations"), *schema = path_in(dir, "schema.sql");

	load_ok(&cfg, path);
	assert_string_equal(cfg.script_location, mig);
	assert_string_equal(cfg.url, "postgresql://app@localhost/app");
	assert_string_equal(cfg.version_table, "schema_versions");
	assert_string_equal(cfg.version_table_schema, "meta");
	/* the inline comment is gone, the path absolute */
	assert_string_equal(cfg.schema, schema);
	assert_string_equal(cfg.log_file, "/var/log/retort.log");
	assert_string_equal(cfg.file_template, "%(year)d_%(rev)s_%(slug)s");
	assert_int_equal(cfg.transaction_per_migration, 0);
	assert_true(cfg.lock_timeout == 2.5);
	assert_true(cfg.ddl_lock_timeout == 10.0);
	/* unknown keys are kept, raw values are readable */
	assert_string_equal(rt_config_get(&cfg, "retort", "some_future_key"), "kept");
	assert_string_equal(rt_config_get(&cfg, "retort", "schema"), "schema.sql");
	assert_null(rt_config_get(&cfg, "retort", "nope"));
	assert_null(rt_config_get(&cfg, "nope", "url"));
	assert_int_equal(cfg.nentries, 11);
	rt_config_release(&cfg);
	free(path);
	free(mig);
	free(schema);
}

static void test_booleans(void **state)
{
	static const struct { const char *text; int want; } cases[] = {
		{ "true", 1 }, { "false", 0 }, { "yes", 1 }, { "no", 0 }, { "on", 1 },
		{ "off", 0 }, { "1", 1 }, { "0", 0 }, { "TRUE", 1 }, { "No", 0 },
	};
	const char *dir = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[128];
		rt_config cfg;
		char *path;

		snprintf(text, sizeof(text), "[retort]\ntransaction_per_migration = %s\n",
			 cases[i].text);
		path = write_in(dir, "retort.ini", text);
		load_ok(&cfg, path);
		assert_int_equal(cfg.transaction_per_migration, cases[i].want);
		rt_config_release(&cfg);
		free(path);
	}
}

static void test_bad_values_name_the_line(void **state)
{
	const char *dir = *state;

	load_fails(dir, "[retort]\nurl = sqlite://\n\ntransaction_per_migration = maybe\n",
		   RETORT_ECONFIG,
		   "@:4: invalid value 'maybe' for 'transaction_per_migration': "
		   "expected true or false");
	load_fails(dir, "[retort]\nlock_timeout = 10s\n", RETORT_ECONFIG,
		   "@:2: invalid value '10s' for 'lock_timeout': expected a number of seconds");
	load_fails(dir, "[retort]\nddl_lock_timeout = -1\n", RETORT_ECONFIG,
		   "@:2: invalid value '-1' for 'ddl_lock_timeout': expected a number of seconds");
	load_fails(dir, "[retort]\nlock_timeout = nan\n", RETORT_ECONFIG,
		   "@:2: invalid value 'nan' for 'lock_timeout': expected a number of seconds");
}

static void test_syntax_error(void **state)
{
	const char *dir = *state;

	load_fails(dir, "[retort]\nurl = sqlite://\nthis line has no equals sign\n",
		   RETORT_ECONFIG, "@:3: syntax error");
	load_fails(dir, "[retort\nurl = x\n", RETORT_ECONFIG, "@:1: syntax error");
	/* the first error is reported, whichever kind it is */
	load_fails(dir, "[retort]\nurl = ${NOPE}\ngarbage\n", RETORT_ECONFIG,
		   "'NOPE' is not set (in @:2)");
	load_fails(dir, "[retort]\ngarbage\nurl = ${NOPE}\n", RETORT_ECONFIG,
		   "@:2: syntax error");
}

static void test_interpolation(void **state)
{
	const char *dir = *state;
	rt_config cfg;
	char *path;

	setenv("RT_TEST_DB_URL", "postgresql://ci@db/test", 1);
	setenv("RT_TEST_EMPTY", "", 1);
	setenv("RT_TEST_TABLE", "ver", 1);
	unsetenv("RT_TEST_UNSET");
	path = write_in(dir, "retort.ini",
		"[retort]\n"
		"url = ${RT_TEST_DB_URL}\n"
		"version_table = ${RT_TEST_TABLE}_${RT_TEST_UNSET:-table}\n"
		"schema = ${RT_TEST_EMPTY:-${RT_TEST_UNSET:-model}.sql}\n"
		"price = 5$ and $$HOME\n"
		"[fleet]\n"
		"primary = ${RT_TEST_DB_URL}?sslmode=require\n");
	load_ok(&cfg, path);
	assert_string_equal(cfg.url, "postgresql://ci@db/test");
	assert_string_equal(cfg.version_table, "ver_table");
	assert_string_equal(rt_config_get(&cfg, "retort", "schema"), "model.sql");
	assert_string_equal(rt_config_get(&cfg, "retort", "price"), "5$ and $HOME");
	/* every section is interpolated */
	assert_string_equal(rt_config_get(&cfg, "fleet", "primary"),
			    "postgresql://ci@db/test?sslmode=require");
	rt_config_release(&cfg);
	free(path);

	/* the default in retort init's file */
	path = write_in(dir, "retort.ini", "[retort]\nurl = ${RT_TEST_UNSET:-sqlite:///data.db}\n");
	load_ok(&cfg, path);
	assert_string_equal(cfg.url, "sqlite:///data.db");
	rt_config_release(&cfg);
	free(path);

	/* strict: an unset variable without a default names file and line */
	load_fails(dir, "[retort]\n\nurl = ${RT_TEST_UNSET}\n", RETORT_ECONFIG,
		   "'RT_TEST_UNSET' is not set (in @:3)");
	load_fails(dir, "[other]\nx = ${RT_TEST_UNSET}\n", RETORT_ECONFIG,
		   "'RT_TEST_UNSET' is not set (in @:2)");
	load_fails(dir, "[retort]\nurl = ${RT_TEST_DB_URL\n", RETORT_ECONFIG,
		   "unterminated '${' (in @:2)");
	unsetenv("RT_TEST_DB_URL");
	unsetenv("RT_TEST_EMPTY");
	unsetenv("RT_TEST_TABLE");
}

static void test_entries_in_file_order(void **state)
{
	const char *dir = *state;
	rt_config cfg;
	char *path = write_in(dir, "retort.ini",
		"[retort]\n"
		"url = sqlite://\n"
		"[fleet]\n"
		"b = 2\n"
		"a = 1\n"
		"[retort]\n"
		"schema = s.sql\n");

	load_ok(&cfg, path);
	assert_int_equal(cfg.nentries, 4);
	assert_string_equal(cfg.entries[0].section, "retort");
	assert_string_equal(cfg.entries[0].key, "url");
	assert_string_equal(cfg.entries[1].section, "fleet");
	assert_string_equal(cfg.entries[1].key, "b");
	assert_string_equal(cfg.entries[1].value, "2");
	assert_string_equal(cfg.entries[2].key, "a");
	assert_string_equal(cfg.entries[3].section, "retort");
	assert_string_equal(cfg.entries[3].key, "schema");
	assert_string_equal(rt_config_get(&cfg, "fleet", "a"), "1");
	assert_null(rt_config_get(&cfg, "fleet", "url"));
	rt_config_release(&cfg);
	free(path);
}

static void test_continuation_lines(void **state)
{
	const char *dir = *state;
	rt_config cfg;
	char *path = write_in(dir, "retort.ini",
		"[fleet]\n"
		"databases = one\n"
		"    two\n"
		"\ttwo_${RT_TEST_UNSET:-b}\n"
		"next = x\n");

	unsetenv("RT_TEST_UNSET");
	load_ok(&cfg, path);
	assert_int_equal(cfg.nentries, 2);
	assert_string_equal(rt_config_get(&cfg, "fleet", "databases"), "one\ntwo\ntwo_b");
	assert_string_equal(rt_config_get(&cfg, "fleet", "next"), "x");
	rt_config_release(&cfg);
	free(path);
}

static void test_duplicate_known_key(void **state)
{
	const char *dir = *state;

	load_fails(dir, "[retort]\nurl = sqlite://\nschema = a\nurl = sqlite:///b.db\n",
		   RETORT_ECONFIG, "@:4: 'url' is set twice in [retort] (first on line 2)");
	load_fails(dir, "[retort]\nurl = sqlite://\nsqlalchemy.url = sqlite:///b.db\n",
		   RETORT_ECONFIG,
		   "@:3: 'sqlalchemy.url' is set twice in [retort] (first on line 2)");
}

static void test_alembic_section(void **state)
{
	const char *dir = *state;
	rt_config cfg;
	char *path = write_in(dir, "alembic.ini",
		"[alembic]\n"
		"script_location = %(here)s/alembic\n"
		"sqlalchemy.url = postgresql://scott@localhost/test\n"
		"file_template = %%(rev)s_%%(slug)s\n"
		"transaction_per_migration = off\n"
		"[loggers]\n"
		"keys = root\n");
	char *mig = path_in(dir, "alembic");

	load_ok(&cfg, path);
	assert_string_equal(cfg.script_location, mig);
	assert_string_equal(cfg.url, "postgresql://scott@localhost/test");
	assert_string_equal(cfg.file_template, "%(rev)s_%(slug)s");
	assert_int_equal(cfg.transaction_per_migration, 0);
	/* the database of an alembic.ini records its revisions there */
	assert_string_equal(cfg.version_table, "alembic_version");
	/* ("retort", key) finds [alembic] values, url finds sqlalchemy.url */
	assert_string_equal(rt_config_get(&cfg, "retort", "url"), "postgresql://scott@localhost/test");
	assert_string_equal(rt_config_get(&cfg, "alembic", "url"),
			    "postgresql://scott@localhost/test");
	assert_string_equal(rt_config_get(&cfg, "loggers", "keys"), "root");
	rt_config_release(&cfg);
	free(path);
	free(mig);
}

static void test_retort_beats_alembic(void **state)
{
	const char *dir = *state;
	rt_config cfg;
	char *path = write_in(dir, "retort.ini",
		"[retort]\n"
		"url = sqlite:///new.db\n"
		"[alembic]\n"
		"sqlalchemy.url = sqlite:///old.db\n"
		"version_table = old_version\n");

	load_ok(&cfg, path);
	assert_string_equal(cfg.url, "sqlite:///new.db");
	/* [alembic] still fills what [retort] leaves out */
	assert_string_equal(cfg.version_table, "old_version");
	assert_string_equal(rt_config_get(&cfg, "retort", "url"), "sqlite:///new.db");
	rt_config_release(&cfg);
	free(path);
}

static void test_relative_path_and_symlink(void **state)
{
	const char *dir = *state;
	rt_config cfg;
	char *sub = path_in(dir, "real"), *link = path_in(dir, "link"), *path, *want, *mig;
	char *old = getcwd(NULL, 0);

	assert_int_equal(mkdir(sub, 0777), 0);
	assert_int_equal(symlink(sub, link), 0);
	path = write_in(sub, "retort.ini", "[retort]\nscript_location = ./m\nlog_file = ../x.log\n");
	want = path_in(sub, "retort.ini");
	mig = path_in(sub, "m");

	/* through the link: path and dir are the real folder */
	free(path);
	path = path_in(link, "retort.ini");
	load_ok(&cfg, path);
	assert_string_equal(cfg.path, want);
	assert_string_equal(cfg.dir, sub);
	assert_string_equal(cfg.script_location, mig);
	assert_int_equal(cfg.log_file[0], '/');
	rt_config_release(&cfg);

	/* a relative path to the file */
	assert_int_equal(chdir(sub), 0);
	load_ok(&cfg, "retort.ini");
	assert_string_equal(cfg.path, want);
	assert_string_equal(cfg.dir, sub);
	assert_string_equal(cfg.script_location, mig);
	rt_config_release(&cfg);
	assert_int_equal(chdir(old), 0);

	free(old);
	free(sub);
	free(link);
	free(path);
	free(want);
	free(mig);
}

static void test_missing_file(void **state)
{
	const char *dir = *state;
	rt_config cfg;
	rt_buf err = RT_BUF_INIT;
	char *path = path_in(dir, "nope.ini");

	assert_rt_fails(rt_config_load(&cfg, path, &err), RETORT_ENOTFOUND);
	assert_non_null(strstr(err.ptr, path));
	rt_buf_release(&err);
	free(path);
}

static void test_long_lines(void **state)
{
	const char *dir = *state;
	rt_buf text = RT_BUF_INIT;
	rt_config cfg;
	char *path;
	int i;

	/* a long comment is harmless */
	rt_buf_puts(&text, "[retort]\n#");
	for (i = 0; i < 500; i++)
		rt_buf_putc(&text, 'c');
	rt_buf_puts(&text, "\nurl = sqlite://\n");
	path = write_in(dir, "retort.ini", text.ptr);
	load_ok(&cfg, path);
	assert_string_equal(cfg.url, "sqlite://");
	rt_config_release(&cfg);
	free(path);

	/* a long value is refused, not cut in two */
	rt_buf_clear(&text);
	rt_buf_puts(&text, "[retort]\nurl = postgresql://h/");
	for (i = 0; i < 300; i++)
		rt_buf_putc(&text, 'd');
	rt_buf_puts(&text, "\n");
	load_fails(dir, text.ptr, RETORT_ECONFIG,
		   "@:2: line longer than 197 characters; put a long value in an "
		   "environment variable and write ${NAME}");
	rt_buf_release(&text);
}

static void test_find_upwards(void **state)
{
	const char *dir = *state;
	rt_buf err = RT_BUF_INIT;
	char *ini = write_in(dir, "retort.ini", "[retort]\n");
	char *deep = path_in(dir, "a/b/c"), *found = NULL;
	char *old = getcwd(NULL, 0);

	assert_rt_ok_err(rt_mkdir_p(deep, &err), &err);
	assert_rt_ok_err(rt_config_find(&found, deep, &err), &err);
	assert_string_equal(found, ini);
	free(found);

	/* in the folder itself */
	assert_rt_ok_err(rt_config_find(&found, dir, &err), &err);
	assert_string_equal(found, ini);
	free(found);

	/* NULL: from the current folder */
	assert_int_equal(chdir(deep), 0);
	assert_rt_ok_err(rt_config_find(&found, NULL, &err), &err);
	assert_string_equal(found, ini);
	free(found);
	/* a relative start */
	assert_rt_ok_err(rt_config_find(&found, "..", &err), &err);
	assert_string_equal(found, ini);
	free(found);
	assert_int_equal(chdir(old), 0);

	/* the nearest wins */
	free(ini);
	ini = write_in(dir, "a/b/retort.ini", "[retort]\n");
	assert_rt_ok_err(rt_config_find(&found, deep, &err), &err);
	assert_string_equal(found, ini);
	free(found);

	rt_buf_release(&err);
	free(ini);
	free(deep);
	free(old);
}

static void test_find_not_found(void **state)
{
	const char *dir = *state;
	rt_buf err = RT_BUF_INIT, want = RT_BUF_INIT;
	char *deep = path_in(dir, "x/y"), *found;
	struct stat st;

	/* the test needs no retort.ini above /tmp */
	if (stat("/tmp/retort.ini", &st) == 0 || stat("/retort.ini", &st) == 0)
		skip();
	assert_rt_ok_err(rt_mkdir_p(deep, &err), &err);
	/* a folder named retort.ini is not a config */
	found = path_in(dir, "x/retort.ini");
	assert_int_equal(mkdir(found, 0777), 0);
	free(found);
	found = (char *)"untouched";
	/* (a ceiling at `dir` makes the message the same on any machine) */
	setenv("RETORT_CEILING_DIRECTORIES", dir, 1);
	assert_rt_fails(rt_config_find(&found, deep, &err), RETORT_ENOTFOUND);
	unsetenv("RETORT_CEILING_DIRECTORIES");
	assert_null(found);
	rt_buf_printf(&want, "no retort.ini in '%s' or its parent folders up to '%s/x' "
		      "(the home folder's parent and RETORT_CEILING_DIRECTORIES are not "
		      "searched); run 'retort init' or pass -c FILE", deep, dir);
	assert_string_equal(err.ptr, want.ptr);

	free(deep);
	deep = path_in(dir, "does-not-exist");
	assert_rt_fails(rt_config_find(&found, deep, &err), RETORT_ENOTFOUND);
	assert_non_null(strstr(err.ptr, "does-not-exist"));

	rt_buf_release(&err);
	rt_buf_release(&want);
	free(deep);
}

/* The search stops below a ceiling folder (RETORT_CEILING_DIRECTORIES,
 * the home folder's parent), as git's stops at GIT_CEILING_DIRECTORIES:
 * a retort.ini above it is not used; one in the ceiling's child is. */
static void test_find_stops_at_ceilings(void **state)
{
	const char *dir = *state;
	rt_buf err = RT_BUF_INIT, list = RT_BUF_INIT;
	char *top = write_in(dir, "retort.ini", "[retort]\n");
	char *deep = path_in(dir, "home/alice/proj/sub"), *home = path_in(dir, "home/alice");
	char *mine = NULL, *found = NULL;
	const char *old_home = getenv("HOME");
	char *saved_home = old_home ? strdup(old_home) : NULL;

	assert_rt_ok_err(rt_mkdir_p(deep, &err), &err);
	/* no ceiling: the stray file at the top is found */
	unsetenv("RETORT_CEILING_DIRECTORIES");
	setenv("HOME", "/nonexistent-home", 1);
	assert_rt_ok_err(rt_config_find(&found, deep, &err), &err);
	assert_string_equal(found, top);
	free(found);

	/* ceilings from the environment: relative and empty entries are
	 * skipped, the folder named is not looked in */
	setenv("RETORT_CEILING_DIRECTORIES", ":relative:/nonexistent", 1);
	assert_rt_ok_err(rt_config_find(&found, deep, &err), &err);
	free(found);
	rt_buf_printf(&list, "/nonexistent:%s", dir);
	setenv("RETORT_CEILING_DIRECTORIES", list.ptr, 1);
	assert_rt_fails(rt_config_find(&found, deep, &err), RETORT_ENOTFOUND);
	assert_non_null(strstr(err.ptr, "RETORT_CEILING_DIRECTORIES"));
	unsetenv("RETORT_CEILING_DIRECTORIES");

	/* the home folder's parent ("<dir>/home") is not looked in, nor above */
	setenv("HOME", home, 1);
	free(write_in(dir, "home/retort.ini", "[retort]\n"));
	assert_rt_fails(rt_config_find(&found, deep, &err), RETORT_ENOTFOUND);
	assert_null(found);
	/* the home folder itself is */
	mine = write_in(dir, "home/alice/retort.ini", "[retort]\n");
	assert_rt_ok_err(rt_config_find(&found, deep, &err), &err);
	assert_string_equal(found, mine);
	free(found);
	/* and a start at or above the ceiling looks where it starts */
	assert_rt_ok_err(rt_config_find(&found, dir, &err), &err);
	assert_string_equal(found, top);
	free(found);

	if (saved_home)
		setenv("HOME", saved_home, 1);
	else
		unsetenv("HOME");
	free(saved_home);
	free(mine);
	free(home);
	free(deep);
	free(top);
	rt_buf_release(&list);
	rt_buf_release(&err);
}

/* `s`, with `dir` at its start written "@". */
static void put_at(rt_buf *out, const char *s, const char *dir)
{
	size_t n = strlen(dir);

	if (!strncmp(s, dir, n)) {
		rt_buf_putc(out, '@');
		s += n;
	}
	rt_buf_puts(out, s);
}

/* The folders of version_locations in retort.ini `text`, joined by '|'
 * into `out`, or the error. */
static int version_dirs(rt_buf *out, const char *dir, const char *text)
{
	rt_config cfg;
	rt_strlist dirs;
	rt_buf err = RT_BUF_INIT;
	char *path = write_in(dir, "retort.ini", text);
	size_t i;
	int listed, rc;

	load_ok(&cfg, path);
	rt_buf_clear(out);
	rc = rt_config_version_dirs(&dirs, &listed, &cfg, &err);
	if (rc < 0)
		put_at(out, err.ptr, dir);
	for (i = 0; rc >= 0 && i < dirs.count; i++) {
		if (i)
			rt_buf_putc(out, '|');
		put_at(out, dirs.items[i], dir);
	}
	if (rc >= 0 && !listed)
		rt_buf_puts(out, " (default)");
	rt_strlist_release(&dirs);
	rt_config_release(&cfg);
	rt_buf_release(&err);
	free(path);
	return rc;
}

/* version_locations split as Alembic 1.8 splits it: each retort.ini and
 * the folders it names ("@" for the test's folder), or its error. */
static void test_version_locations(void **state)
{
	static const char *const cases[][2] = {
		{ "[retort]\n", "@/migrations/versions (default)" },
		{ "[retort]\nversion_locations = a, b  c,d\n", "@/a|@/b|@/c|@/d" },
		{ "[retort]\nversion_locations = a b\nversion_path_separator = space\n", "@/a|@/b" },
		{ "[retort]\nversion_locations = a b:/abs/c\nversion_path_separator = os\n",
		  "@/a b|/abs/c" },
		{ "[retort]\nversion_locations = a,b::c\nversion_path_separator = :\n", "@/a,b|@/c" },
		/* ';' is a comment to inih, and the value to configparser */
		{ "[retort]\nversion_locations = a;b\nversion_path_separator = ;\n", "@/a|@/b" },
		/* %(here)s, "..", "./", a folder named twice, a continued line */
		{ "[retort]\nversion_locations = %(here)s/x/../a ./a/ b\n  c\n", "@/a|@/b|@/c" },
		{ "[alembic]\nversion_locations = %(here)s/v1 %(here)s/v2\n", "@/v1|@/v2" },
		{ "[retort]\nversion_locations = a\nversion_path_separator = newline\n",
		  "@/retort.ini: 'newline' is not a valid value for 'version_path_separator': "
		  "expected 'space', 'os', ':' or ';'" },
		{ "[retort]\nversion_locations = ::\nversion_path_separator = :\n",
		  "@/retort.ini: 'version_locations' names no folder" },
	};
	const char *dir = *state;
	rt_buf got = RT_BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = version_dirs(&got, dir, cases[i][0]);

		assert_string_equal(got.ptr, cases[i][1]);
		assert_int_equal(rc, strstr(cases[i][1], "retort.ini") ? RETORT_ECONFIG : 0);
	}
	rt_buf_release(&got);
}

/* Python's os.path.normpath of an absolute path, without the file system. */
static void test_path_normalize(void **state)
{
	static const char *const cases[][2] = {
		{ "/a/./b/../c/", "/a/c" }, { "/..", "/" }, { "/", "/" }, { "//a//b", "/a/b" },
		{ "./a", "a" }, { "/a/b/../../..", "/" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = rt_path_normalize(cases[i][0]);

		assert_non_null(got);
		assert_string_equal(got, cases[i][1]);
		free(got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_dir, teardown_dir)
		T(test_defaults),
		T(test_minimal_file_gets_defaults),
		T(test_all_keys),
		T(test_booleans),
		T(test_bad_values_name_the_line),
		T(test_syntax_error),
		T(test_interpolation),
		T(test_entries_in_file_order),
		T(test_continuation_lines),
		T(test_duplicate_known_key),
		T(test_alembic_section),
		T(test_retort_beats_alembic),
		T(test_relative_path_and_symlink),
		T(test_missing_file),
		T(test_long_lines),
		T(test_find_upwards),
		T(test_find_not_found),
		T(test_find_stops_at_ceilings),
		T(test_version_locations),
		T(test_path_normalize),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
