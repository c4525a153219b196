/*
 * cmd_heads.c - `retort heads` and `retort branches`: the ends and the
 * forks of the revision graph.
 */
#include <string.h>

#include "cli.h"

const char cmd_heads_usage[] =
	"usage: retort heads [-v] [--resolve-dependencies]\n"
	"\n"
	"Print the head revisions (those no revision is based on).\n"
	"\n"
	"    -v, --verbose              print each revision as `show` does\n"
	"    --resolve-dependencies     count depends_on as down_revision: leave out\n"
	"                               the heads other revisions depend on\n";

const char cmd_branches_usage[] =
	"usage: retort branches [-v]\n"
	"\n"
	"Print each branch point and the revisions that branch off it.\n"
	"\n"
	"    -v, --verbose    print the branch points as `show` does\n";

/* The shared start: the options in `opts` (heads's), then the list from
 * `fn`; *resolve for --resolve-dependencies. */
static int start(struct cli *cli, int (*fn)(retort_revlist *, retort *), retort_revlist *out,
		 const struct option *opts, int *resolve)
{
	int c, status;

	while ((c = cli_getopt(cli, "", opts)) != -1) {
		if (c != 'r')
			return cli_bad_option(cli, c);
		*resolve = 1;
	}
	if ((status = cli_setup(cli, 0, 0)) != 0)
		return status;
	return fn(out, cli->ctx) < 0 ? cli_fail(cli) : 0;
}

int cmd_heads(struct cli *cli)
{
	static const struct option opts[] = {
		{ "resolve-dependencies", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	retort_revlist heads = { NULL, 0 };
	int status, resolve = 0;
	size_t i, n = 0;

	if ((status = start(cli, retort_heads, &heads, opts, &resolve)) != 0)
		return status;
	/* Alembic's "heads" with dependencies as down revisions: a head that
	 * another revision depends on is below that one */
	for (i = 0; resolve && i < heads.count; i++)
		if (!retort_rev_ndependents(heads.revs[i]))
			heads.revs[n++] = heads.revs[i];
	if (resolve)
		heads.count = n;
	for (i = 0; i < heads.count; i++) {
		if (cli->verbose) {
			cli_put_show(heads.revs[i], 0);
		} else {
			cli_put_rev(heads.revs[i], RETORT_REV_HEAD);
			putchar('\n');
		}
	}
	retort_revlist_release(&heads);
	return 0;
}

int cmd_branches(struct cli *cli)
{
	retort_revlist points = { NULL, 0 };
	int status;
	size_t i, j;

	if ((status = start(cli, retort_branchpoints, &points, NULL, NULL)) != 0)
		return status;
	/* as Alembic prints them: newest first, each child under its
	 * branch point indented by the point's id, a blank line after each */
	for (i = points.count; i-- > 0;) {
		const retort_rev *rev = points.revs[i];

		if (cli->verbose) {
			cli_put_show(rev, 0);
		} else {
			cli_put_rev(rev, CLI_FLAGS_ALL);
			putchar('\n');
		}
		for (j = 0; j < retort_rev_nchildren(rev); j++) {
			const retort_rev *child = retort_rev_child(rev, j);

			printf("%*s -> ", (int)strlen(retort_rev_id(rev)), "");
			cli_put_rev(child, CLI_FLAGS_ALL);
			if (cli->verbose)
				printf(", %s", retort_rev_message(child));
			putchar('\n');
		}
		putchar('\n');
	}
	retort_revlist_release(&points);
	return 0;
}
