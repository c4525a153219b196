/*
 * import_alembic.c - `retort import alembic`: an Alembic project made into
 * a retort project.
 *
 * Alembic's revisions are Python, so Python reads them: the program in
 * import_alembic.py (built into this binary as a string by CMake, so the
 * command works from the build tree and installed alike) loads the project
 * with Alembic's own ScriptDirectory and renders each revision's upgrade()
 * and downgrade() with Alembic's offline mode, and answers with one JSON
 * document.  This file runs it, and writes the project from the answer:
 * retort.ini (the version table kept as alembic_version, so that the
 * database Alembic migrated goes on where it stopped) and one revision
 * file per Alembic revision, under the same name and with the same ids.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"

extern char **environ;

/* What retort.ini's folder gets (retort_init_project's layout). */
#define SCRIPT_LOCATION "migrations"

/* A growable text, NUL-terminated; cli_realloc exits on failure. */
struct text {
	char *p;
	size_t len, cap;
};

static void text_put(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->p = cli_realloc(t->p, t->cap);
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
}

static void text_puts(struct text *t, const char *s)
{
	text_put(t, s, strlen(s));
}

/* Each line of `s` as a comment line of the header ("-- " + line). */
static void text_comment(struct text *t, const char *s)
{
	while (*s) {
		size_t n = strcspn(s, "\n");

		text_put(t, n ? "-- " : "--", n ? 3 : 2);
		text_put(t, s, n);
		text_puts(t, "\n");
		s += n + (s[n] == '\n');
	}
}

static size_t text_lines(const struct text *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->len; i++)
		n += t->p[i] == '\n';
	return n;
}

/* Run the Python side; its standard output in *out, its standard error in
 * the file `errfd`.  Returns its exit status, or -1 when it did not run
 * (the message printed). */
static int run_python(struct text *out, const char *python, char **argv, int errfd)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2], status = 0, rc;
	pid_t pid;
	char buf[65536];
	ssize_t n;

	if (pipe(pipefd) < 0) {
		cli_error("cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, errfd, 2);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	rc = posix_spawnp(&pid, python, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (rc != 0) {
		close(pipefd[0]);
		cli_error("cannot run '%s': %s\n"
			"Importing from Alembic needs Python 3 with Alembic and SQLAlchemy "
			"(Debian: python3-alembic); name the interpreter with --python or "
			"RETORT_PYTHON", python, strerror(rc));
		return -1;
	}
	for (;;) {
		n = read(pipefd[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		text_put(out, buf, (size_t)n);
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			cli_error("waiting for '%s': %s", python, strerror(errno));
			return -1;
		}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Copy what Python wrote on its standard error (warnings, a traceback). */
static void show_stderr(int errfd)
{
	char buf[4096];
	ssize_t n;

	if (lseek(errfd, 0, SEEK_SET) < 0)
		return;
	while ((n = read(errfd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stderr);
}

static const char *jstr(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

/* "a, b" of a JSON array of strings. */
static void put_list(struct text *t, json_t *arr)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		if (i)
			text_puts(t, ", ");
		text_puts(t, json_string_value(v) ? json_string_value(v) : "");
	}
}

static int is_dialect(const char *name)
{
	const char *const *d;

	for (d = retort_dialects(); *d; d++)
		if (!strcmp(*d, name))
			return 1;
	return 0;
}

static void dialect_list(struct text *t)
{
	const char *const *d;

	for (d = retort_dialects(); *d; d++) {
		if (d != retort_dialects())
			text_puts(t, ", ");
		text_puts(t, *d);
	}
}

struct import {
	struct cli *cli;
	const char *dir;        /* the new project's folder */
	json_t *dialects;       /* the answer's list */
	size_t unfinished;      /* sections left to a person */
};

/* One section of a revision file: the SQL, or an unfinished placeholder
 * with the reason and the Python it stands for. */
static void put_section(struct import *im, struct text *t, const char *file, json_t *rev,
			const char *dialect, const char *direction)
{
	json_t *sec = json_object_get(json_object_get(json_object_get(rev, "sections"), dialect),
				      direction);
	const char *sql = json_string_value(json_object_get(sec, "sql"));
	const char *py = jstr(rev, "path");

	text_puts(t, "-- +");
	text_puts(t, direction);
	if (json_array_size(im->dialects) > 1) {
		text_puts(t, " ");
		text_puts(t, dialect);
	}
	text_puts(t, "\n");
	if (sql) {
		text_puts(t, sql);
		if (*sql)
			text_puts(t, "\n");
		return;
	}
	{
		long long line = json_integer_value(json_object_get(sec, "line"));
		char where[64];
		const char *error = jstr(sec, "error");
		const char *source = jstr(sec, "source");

		snprintf(where, sizeof(where), ":%lld", line);
		text_puts(t, "-- +unfinished ");
		text_puts(t, direction);
		text_puts(t, "() of ");
		text_puts(t, cli_relpath(py));
		text_puts(t, where);
		text_puts(t, " did not render offline: ");
		text_put(t, error, strcspn(error, "\n"));
		text_puts(t, "\n");
		fprintf(stderr, "%s%s: %s() did not render for %s: %s\n    %s:%zu: left unfinished\n",
			cli_relpath(py), where, direction, dialect, error, file, text_lines(t));
		if (*source) {
			text_puts(t, "-- Alembic's Python, for the SQL to write here:\n");
			text_comment(t, source);
		}
		im->unfinished++;
	}
}

/* The revision file of one Alembic revision: its name is the Python
 * file's with .sql. */
static int write_revision(struct import *im, json_t *rev)
{
	const char *py = jstr(rev, "path"), *base = strrchr(py, '/'), *doc = jstr(rev, "doc");
	struct text path = { 0 }, t = { 0 };
	size_t i, n;
	json_t *d;
	FILE *f;
	int fd, rc = 0;

	base = base ? base + 1 : py;
	n = strlen(base);
	if (n > 3 && !strcmp(base + n - 3, ".py"))
		n -= 3;
	text_puts(&path, im->dir);
	text_puts(&path, "/" SCRIPT_LOCATION "/versions/");
	text_put(&path, base, n);
	text_puts(&path, ".sql");

	if (*jstr(rev, "message")) {
		text_puts(&t, "-- ");
		text_puts(&t, jstr(rev, "message"));
		text_puts(&t, "\n");
	}
	if (*doc)
		text_comment(&t, doc);
	text_puts(&t, "--\n-- revision: ");
	text_puts(&t, jstr(rev, "revision"));
	text_puts(&t, "\n-- down_revision: ");
	put_list(&t, json_object_get(rev, "down_revisions"));
	text_puts(&t, "\n-- branch_labels: ");
	put_list(&t, json_object_get(rev, "branch_labels"));
	text_puts(&t, "\n-- depends_on: ");
	put_list(&t, json_object_get(rev, "depends_on"));
	text_puts(&t, "\n-- create_date: ");
	text_puts(&t, jstr(rev, "create_date"));
	text_puts(&t, "\n-- imported from Alembic's ");
	text_puts(&t, base);
	text_puts(&t, "\n");
	for (i = 0; i < 2; i++) {
		const char *direction = i ? "downgrade" : "upgrade";
		size_t k;

		json_array_foreach(im->dialects, k, d) {
			text_puts(&t, "\n");
			put_section(im, &t, cli_relpath(path.p), rev, json_string_value(d), direction);
		}
	}
	/* O_EXCL: two Alembic folders (version_locations) with one file name */
	fd = open(path.p, O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		cli_error("cannot create '%s': %s", path.p, strerror(errno));
		if (fd >= 0)
			close(fd);
		rc = -1;
	} else {
		fwrite(t.p, 1, t.len, f);
		if (fclose(f) != 0) {
			cli_error("cannot write '%s': %s", path.p, strerror(errno));
			rc = -1;
		}
	}
	free(path.p);
	free(t.p);
	return rc;
}

/* retort.ini: the folder made by retort_init_project, its file replaced. */
static int write_ini(struct import *im, const char *alembic_ini, json_t *answer)
{
	const char *url = json_string_value(json_object_get(answer, "url"));
	struct text path = { 0 }, t = { 0 };
	FILE *f;
	int rc = 0;

	text_puts(&t, "# retort project configuration, made by `retort import alembic` from\n# ");
	text_puts(&t, alembic_ini);
	text_puts(&t, ".  Any value may use ${VAR} or ${VAR:-default} from the environment.\n"
		      "[retort]\n"
		      "script_location = " SCRIPT_LOCATION "\n");
	if (url && *url) {
		text_puts(&t, "url = ");
		text_puts(&t, url);
		text_puts(&t, "\n");
	} else {
		text_puts(&t, "# the Alembic config has no sqlalchemy.url (env.py made it)\n"
			      "url = ${DATABASE_URL:-}\n");
	}
	text_puts(&t, "# Alembic's table: the database goes on where Alembic left it\n"
		      "version_table = alembic_version\n");
	if (json_array_size(im->dialects) > 1) {
		text_puts(&t, "dialects = ");
		put_list(&t, im->dialects);
		text_puts(&t, "\n");
	}
	text_puts(&t, "log_file = retort.log\n"
		      "file_template = %(rev)s_%(slug)s\n"
		      "transaction_per_migration = true\n");
	text_puts(&path, im->dir);
	text_puts(&path, "/retort.ini");
	if (!(f = fopen(path.p, "w")) || fwrite(t.p, 1, t.len, f) != t.len) {
		cli_error("cannot write '%s': %s", path.p, strerror(errno));
		rc = -1;
	}
	if (f && fclose(f) != 0 && !rc) {
		cli_error("cannot write '%s': %s", path.p, strerror(errno));
		rc = -1;
	}
	free(path.p);
	free(t.p);
	return rc;
}

/* The new project read back as every other command reads it: a file the
 * parser refuses shows here, not at the first upgrade. */
static int check_project(struct cli *cli, const char *dir)
{
	retort_options opts = RETORT_OPTIONS_INIT;
	struct text ini = { 0 };
	retort *ctx;
	int rc;

	text_puts(&ini, dir);
	text_puts(&ini, "/retort.ini");
	opts.config_path = ini.p;
	if (retort_new(&ctx) < 0)
		cli_oom();
	rc = retort_open(ctx, &opts) < 0 || retort_load(ctx) < 0 ? -1 : 0;
	if (rc < 0)
		cli_error("the imported project does not load: %s",
			retort_errmsg(ctx));
	(void)cli;
	retort_free(ctx);
	free(ini.p);
	return rc;
}

int cli_import_alembic(struct cli *cli)
{
	static const struct option longopts[] = {
		{ "config",  required_argument, NULL, 'c' },
		{ "dialect", required_argument, NULL, 'd' },
		{ "python",  required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 }
	};
	const char *alembic_ini = "alembic.ini", *python = getenv("RETORT_PYTHON"), *dir = ".";
	char **pyargv = cli_realloc(NULL, ((size_t)cli->argc + 8) * sizeof(*pyargv));
	struct text out = { 0 }, path = { 0 };
	struct import im = { cli, NULL, NULL, 0 };
	json_t *answer = NULL, *revs, *rev, *d;
	json_error_t jerr;
	char errname[] = "/tmp/retort-import-XXXXXX";
	size_t i, npy = 0;
	int c, rc = 1, status, errfd = -1;
	struct stat st;

	/* "alembic" is the word getopt starts after */
	cli->argv++;
	cli->argc--;
	if (!python || !*python)
		python = "python3";
	pyargv[npy++] = (char *)python;
	pyargv[npy++] = (char *)"-c";
	pyargv[npy++] = (char *)cli_import_alembic_py;
	pyargv[npy++] = NULL;  /* the ini, below */
	pyargv[npy++] = NULL;  /* the folder */
	while ((c = cli_getopt(cli, "c:d:", longopts)) != -1) {
		switch (c) {
		case 'c':
			alembic_ini = optarg;
			break;
		case 'd':
			if (!is_dialect(optarg)) {
				struct text known = { 0 };

				dialect_list(&known);
				rc = cli_usage_error(cli, "retort has no dialect '%s' (it has: %s)",
						     optarg, known.p);
				free(known.p);
				goto done;
			}
			pyargv[npy++] = optarg;
			break;
		case 'P':
			python = pyargv[0] = optarg;
			break;
		default:
			rc = cli_bad_option(cli, c);
			goto done;
		}
	}
	pyargv[npy] = NULL;
	if ((rc = cli_setup(cli, 0, 1)) != 0)
		goto done;
	rc = 1;
	if (cli->nargs)
		dir = cli->args[0];
	im.dir = dir;
	pyargv[3] = (char *)alembic_ini;
	pyargv[4] = (char *)dir;
	if (access(alembic_ini, R_OK) != 0) {
		cli_error("cannot read the Alembic config '%s': %s", alembic_ini,
			strerror(errno));
		goto done;
	}
	/* retort_init_project refuses an existing retort.ini; an existing
	 * migrations folder may be Alembic's own, which must not get mixed
	 * with the new files */
	text_puts(&path, dir);
	text_puts(&path, "/" SCRIPT_LOCATION);
	if (stat(path.p, &st) == 0) {
		cli_error("'%s' exists (Alembic's scripts?); import into another "
			"folder: retort import alembic -c %s DIR", path.p, alembic_ini);
		goto done;
	}

	if ((errfd = mkstemp(errname)) < 0) {
		cli_error("cannot make a temporary file: %s", strerror(errno));
		goto done;
	}
	unlink(errname);
	if ((status = run_python(&out, python, pyargv, errfd)) < 0)
		goto done;
	if (cli->verbose)
		show_stderr(errfd);
	answer = out.p ? json_loadb(out.p, out.len, 0, &jerr) : NULL;
	if (!json_is_object(answer)) {
		cli_error("'%s' did not run the Alembic reader (exit status %d):",
			python, status);
		if (!cli->verbose)
			show_stderr(errfd);
		goto done;
	}
	if (json_object_get(answer, "fatal")) {
		if (json_object_get(answer, "missing"))
			cli_error("importing from Alembic needs the Python module '%s', "
				"which '%s' cannot import\n(Debian: apt install python3-alembic; or "
				"name another interpreter with --python or RETORT_PYTHON)",
				jstr(answer, "missing"), python);
		else
			cli_error("%s", jstr(answer, "fatal"));
		goto done;
	}
	im.dialects = json_object_get(answer, "dialects");
	json_array_foreach(im.dialects, i, d) {
		if (!is_dialect(json_string_value(d))) {
			struct text known = { 0 };

			dialect_list(&known);
			cli_error("retort has no dialect '%s' (it has: %s); name the "
				"dialects to render with --dialect", json_string_value(d), known.p);
			free(known.p);
			goto done;
		}
	}

	if (retort_init_project(NULL, cli->ctx, dir, NULL) < 0) {
		rc = cli_fail(cli);
		goto done;
	}
	if (write_ini(&im, alembic_ini, answer) < 0)
		goto done;
	revs = json_object_get(answer, "revisions");
	json_array_foreach(revs, i, rev)
		if (write_revision(&im, rev) < 0)
			goto done;
	if (check_project(cli, dir) < 0)
		goto done;
	if (!cli->quiet) {
		printf("imported %zu revisions from '%s' into '%s' (version_table alembic_version; "
		       "rendered by Alembic %s for ", json_array_size(revs), alembic_ini, dir,
		       jstr(answer, "alembic"));
		json_array_foreach(im.dialects, i, d)
			printf("%s%s", i ? ", " : "", json_string_value(d));
		printf(")\n");
		if (im.unfinished)
			printf("%zu sections left unfinished (listed above): write their SQL "
			       "before a run needs them\n", im.unfinished);
	}
	rc = 0;
done:
	if (errfd >= 0)
		close(errfd);
	json_decref(answer);
	free(out.p);
	free(path.p);
	free(pyargv);
	return rc;
}
