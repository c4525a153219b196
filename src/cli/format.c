/*
 * format.c - how revisions are printed, shared by show, current, history,
 * heads and branches: the flag suffixes, branch labels, the parent list
 * and the `show` block (Alembic's log entry).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* " (WORD)", the word coloured as `role` */
static void put_mark(enum cli_color_role role, const char *word)
{
	fputs(" (", stdout);
	cli_put_colored(stdout, role, word);
	putchar(')');
}

void cli_put_flags(const retort_rev *rev, unsigned int which, int current)
{
	unsigned int flags = retort_rev_flags(rev) & which;

	/* as Alembic: a head others depend on is an "effective head", and
	 * (current) comes before the tree's marks */
	if ((flags & RETORT_REV_HEAD) && retort_rev_ndependents(rev))
		put_mark(CLI_COLOR_MARK, "effective head");
	else if (flags & RETORT_REV_HEAD)
		put_mark(CLI_COLOR_MARK, "head");
	if (current)
		put_mark(CLI_COLOR_MARK, "current");
	if (flags & RETORT_REV_BRANCHPOINT)
		fputs(" (branchpoint)", stdout);
	if (flags & RETORT_REV_MERGEPOINT)
		fputs(" (mergepoint)", stdout);
}

void cli_put_id(const retort_rev *rev)
{
	cli_put_colored(stdout, CLI_COLOR_REV, retort_rev_id(rev));
}

void cli_put_rev(const retort_rev *rev, unsigned int which)
{
	cli_put_id(rev);
	cli_put_labels(rev);
	cli_put_flags(rev, which, 0);
}

void cli_put_parents(const retort_rev *rev, int deps)
{
	size_t i, n = retort_rev_nparents(rev), nd = retort_rev_ndepends(rev);

	if (n == 0)
		fputs("<base>", stdout);
	for (i = 0; i < n; i++) {
		if (i)
			fputs(", ", stdout);
		fputs(retort_rev_id(retort_rev_parent(rev, i)), stdout);
	}
	/* history's "a1 (c1) -> b1": what the revision depends on */
	for (i = 0; deps && i < nd; i++)
		printf("%s%s%s", i ? ", " : " (", retort_rev_id(retort_rev_depends(rev, i)),
		       i + 1 == nd ? ")" : "");
}

/* ---- branch labels ------------------------------------------------------- */

/* Prints the labels as "a, b"; returns how many there were. */
static size_t put_label_list(const retort_rev *rev, const char *before, const char *after)
{
	size_t i, n = retort_rev_nbranches(rev);

	for (i = 0; i < n; i++) {
		fputs(i ? ", " : before, stdout);
		cli_put_colored(stdout, CLI_COLOR_LABEL, retort_rev_branch(rev, i));
	}
	if (n)
		fputs(after, stdout);
	return n;
}

void cli_put_labels(const retort_rev *rev)
{
	put_label_list(rev, " (", ")");
}

/* ---- the show block -------------------------------------------------------- */

void cli_put_show(const retort_rev *rev, int current)
{
	unsigned int flags = retort_rev_flags(rev);
	const char *date = retort_rev_create_date(rev);
	size_t i;

	/* Alembic's log entry: plain (head), then the tree's marks, then
	 * (current) */
	fputs("Rev: ", stdout);
	cli_put_id(rev);
	if (flags & RETORT_REV_HEAD)
		put_mark(CLI_COLOR_MARK, "head");
	printf("%s%s", flags & RETORT_REV_BRANCHPOINT ? " (branchpoint)" : "",
	       flags & RETORT_REV_MERGEPOINT ? " (mergepoint)" : "");
	if (current)
		put_mark(CLI_COLOR_MARK, "current");
	fputs(flags & RETORT_REV_MERGEPOINT ? "\nMerges: " : "\nParent: ", stdout);
	cli_put_parents(rev, 0);
	putchar('\n');
	for (i = 0; i < retort_rev_ndepends(rev); i++)
		printf("%s%s", i ? ", " : "Also depends on: ",
		       retort_rev_id(retort_rev_depends(rev, i)));
	if (i)
		putchar('\n');
	if (flags & RETORT_REV_BRANCHPOINT) {
		for (i = 0; i < retort_rev_nchildren(rev); i++)
			printf("%s%s", i ? ", " : "Branches into: ",
			       retort_rev_id(retort_rev_child(rev, i)));
		putchar('\n');
	}
	put_label_list(rev, "Branch names: ", "\n");
	printf("Path: %s\n\n", retort_rev_path(rev));
	/* the revision's doc, every line indented by four blanks, the
	 * empty one too; "Revises: " keeps its blank at a base */
	printf("    %s\n    \n", retort_rev_message(rev));
	printf("    Revision ID: %s\n    Revises: ", retort_rev_id(rev));
	if (retort_rev_nparents(rev))
		cli_put_parents(rev, 0);
	putchar('\n');
	if (*date)
		printf("    Create Date: %s\n", date);
	/* every block ends with an empty line, the last one too */
	putchar('\n');
}

/* ---- small things ----------------------------------------------------------- */

int cli_is_current(const retort_strarray *current, const char *id)
{
	size_t i;

	for (i = 0; current && i < current->count; i++)
		if (!strcmp(current->strings[i], id))
			return 1;
	return 0;
}

const char *cli_relpath(const char *path)
{
	char cwd[PATH_MAX];
	size_t len;

	if (!getcwd(cwd, sizeof(cwd)))
		return path;
	len = strlen(cwd);
	if (len == 1)  /* "/" */
		return path[0] == '/' && path[1] ? path + 1 : path;
	if (!strncmp(path, cwd, len) && path[len] == '/' && path[len + 1])
		return path + len + 1;
	return path;
}

int cli_write_stdout(const char *data, size_t len, void *payload)
{
	(void)payload;
	return fwrite(data, 1, len, stdout) == len ? 0 : -1;
}
