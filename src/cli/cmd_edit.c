/*
 * cmd_edit.c - `retort edit REV`: open a revision's file in the user's
 * editor.
 *
 * The editor is found as Alembic finds it: $EDITOR, then $VISUAL, then
 * the first of a few common editors on PATH.  A value with blanks
 * ("code --wait") goes through the shell with its words, as git runs it.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

const char cmd_edit_usage[] =
	"usage: retort edit REV\n"
	"\n"
	"Open the file of revision REV (an id or unique prefix, head, current,\n"
	"LABEL@head...) in $EDITOR, else $VISUAL, else the first of\n"
	"sensible-editor, editor, nano, vim and code found on PATH.\n";

static const char *const fallbacks[] = { "sensible-editor", "editor", "nano", "vim", "code" };

/* Can `cmd` (its first word) be run?  A name is looked up on PATH. */
static int runnable(const char *cmd)
{
	size_t n = strcspn(cmd, " \t");
	const char *path = getenv("PATH"), *end;
	char buf[4096];
	int ok = 0;

	if (!n || n >= sizeof(buf) / 2)
		return 0;
	if (memchr(cmd, '/', n)) {
		snprintf(buf, sizeof(buf), "%.*s", (int)n, cmd);
		return access(buf, X_OK) == 0;
	}
	for (; path && !ok; path = *end ? end + 1 : NULL) {
		size_t len;

		end = path + strcspn(path, ":");
		len = (size_t)(end - path);
		if (len >= sizeof(buf) / 2)
			continue;
		snprintf(buf, sizeof(buf), "%.*s/%.*s", len ? (int)len : 1, len ? path : ".",
			 (int)n, cmd);
		ok = access(buf, X_OK) == 0;
	}
	return ok;
}

static const char *find_editor(void)
{
	const char *vars[] = { "EDITOR", "VISUAL" };
	size_t i;

	for (i = 0; i < 2; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v && runnable(v))
			return v;
	}
	for (i = 0; i < sizeof(fallbacks) / sizeof(fallbacks[0]); i++)
		if (runnable(fallbacks[i]))
			return fallbacks[i];
	return NULL;
}

/* Run `editor` on `path` and wait for it; returns its exit status, or -1. */
static int run_editor(const char *editor, const char *path)
{
	pid_t pid;
	int st;

	fflush(stdout);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		if (editor[strcspn(editor, " \t")]) {
			size_t n = strlen(editor) + sizeof(" \"$@\"");
			char *script = malloc(n);

			if (script) {
				snprintf(script, n, "%s \"$@\"", editor);
				execl("/bin/sh", "sh", "-c", script, editor, path, (char *)NULL);
			}
		} else {
			execlp(editor, editor, path, (char *)NULL);
		}
		cli_error("cannot run the editor '%s': %s", editor, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

int cmd_edit(struct cli *cli)
{
	retort_revlist list = { NULL, 0 };
	const char *editor, *path;
	int c, status;
	size_t i;

	while ((c = cli_getopt(cli, "", NULL)) != -1)
		return cli_bad_option(cli, c);
	if ((status = cli_setup(cli, 1, 1)) != 0)
		return status;
	if (retort_resolve(&list, cli->ctx, cli->args[0]) < 0)
		return cli_fail(cli);
	if (list.count != 1) {
		cli_put_colored(stderr, CLI_COLOR_ERROR, "error:");
		fprintf(stderr, " '%s' names %s", cli->args[0],
			list.count ? "several revisions:" : "no revision");
		for (i = 0; i < list.count; i++)
			fprintf(stderr, "%s '%s'", i ? "," : "", retort_rev_id(list.revs[i]));
		fputs(list.count ? "; name one of them\n" : "\n", stderr);
		retort_revlist_release(&list);
		return 1;
	}
	path = retort_rev_path(list.revs[0]);
	if (!(editor = find_editor())) {
		cli_error("no editor found to open '%s': set EDITOR or VISUAL "
			"(none of sensible-editor, editor, nano, vim, code is on PATH)",
			cli_relpath(path));
		retort_revlist_release(&list);
		return 1;
	}
	status = run_editor(editor, path);
	if (status != 0) {
		if (status < 0)
			cli_error("cannot run the editor '%s': %s", editor,
				strerror(errno));
		else if (status != 127)
			cli_error("the editor '%s' exited with status %d on '%s'",
				editor, status, cli_relpath(path));
		status = 1;
	}
	retort_revlist_release(&list);
	return status;
}
