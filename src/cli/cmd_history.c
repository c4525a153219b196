/*
 * cmd_history.c - `retort history`: the revisions, newest first, in
 * Alembic's format.
 */
#include <string.h>

#include "cli.h"

const char cmd_history_usage[] =
	"usage: retort history [-r RANGE] [-v] [-i] [--graph]\n"
	"\n"
	"List revisions, newest first: `PARENTS -> REV (flags), MESSAGE`.\n"
	"\n"
	"    -r, --rev-range RANGE      only these: A:B, A:, :B, -3:current\n"
	"    -v, --verbose              print each revision as `show` does\n"
	"    -i, --indicate-current     mark the database's revisions (current), and\n"
	"                               one that failed part way (failed ...)\n"
	"    --graph                    draw the graph as `retort graph` does (the\n"
	"                               database's state only with -i); no -r\n";

int cmd_history(struct cli *cli)
{
	static const struct option opts[] = {
		{ "rev-range",         required_argument, NULL, 'r' },
		{ "indicate-current",  no_argument,       NULL, 'i' },
		{ "graph",             no_argument,       NULL, 'g' },
		{ NULL, 0, NULL, 0 }
	};
	retort_revlist list = { NULL, 0 };
	retort_strarray now = { NULL, 0 };
	retort_failure *failed = NULL;
	const char *range = NULL;
	int c, status, indicate = 0, graph = 0;
	size_t i;

	while ((c = cli_getopt(cli, "r:i", opts)) != -1) {
		switch (c) {
		case 'r':
			range = optarg;
			break;
		case 'i':
			indicate = 1;
			break;
		case 'g':
			graph = 1;
			break;
		default:
			return cli_bad_option(cli, c);
		}
	}
	/* a range cuts lines of descent: the drawing would lie */
	if (graph && range)
		return cli_usage_error(cli, "--graph draws every revision; it takes no -r");
	if ((status = cli_setup(cli, 0, 0)) != 0)
		return status;
	/* as history: the database only with -i */
	if (graph)
		return cli_graph_command(cli, CLI_GRAPH_TEXT, !indicate);
	if (retort_history(&list, cli->ctx, range) < 0 ||
	    (indicate && (retort_current(&now, cli->ctx) < 0 ||
			  retort_failure_get(&failed, cli->ctx) < 0))) {
		retort_revlist_release(&list);
		return cli_fail(cli);
	}
	for (i = 0; i < list.count; i++) {
		const retort_rev *rev = list.revs[i];
		int current = cli_is_current(&now, retort_rev_id(rev));

		if (cli->verbose) {
			cli_put_show(rev, current);
			continue;
		}
		/* fputs, not printf: a line per revision of thousands, and
		 * printf's format parsing showed in the profile */
		cli_put_parents(rev, 1);
		fputs(" -> ", stdout);
		fputs(retort_rev_id(rev), stdout);
		cli_put_labels(rev);
		cli_put_flags(rev, CLI_FLAGS_ALL, current);
		if (failed && !strcmp(failed->revision, retort_rev_id(rev)))
			printf(" (failed at statement %zu)", failed->statements_done + 1);
		fputs(", ", stdout);
		fputs(retort_rev_message(rev), stdout);
		putchar('\n');
	}
	retort_failure_free(failed);
	retort_revlist_release(&list);
	retort_strarray_release(&now);
	return 0;
}
