/*
 * cmd_history.c - `retort history`: the revisions, newest first, in
 * Alembic's format.
 */
#include <string.h>

#include "cli.h"

const char cmd_history_usage[] =
	"usage: retort history [-r RANGE] [-v] [-i] [--format FMT] [--graph]\n"
	"\n"
	"List revisions, newest first: `PARENTS -> REV (flags), MESSAGE`.\n"
	"\n"
	"    -r, --rev-range RANGE      only these: A:B, A:, :B, -3:current\n"
	"    -v, --verbose              print each revision as `show` does\n"
	"    -i, --indicate-current     mark the database's revisions (current), and\n"
	"                               one that failed part way (failed ...)\n"
	"    --format FMT               text (default) or json (docs/json.md)\n"
	"    --graph                    draw the graph as `retort graph` does (the\n"
	"                               database's state only with -i); no -r\n";

/* With -i, `now` (the version table's rows) gives each revision its
 * "is_current", and "failed" is there, null or not; without, neither. */
static int put_json(const retort_revlist *list, const retort_strarray *now,
		    const retort_failure *failed, const char *range)
{
	json_t *doc = cli_json_doc("history");

	json_object_set_new(doc, "range", cli_json_text_or_null(range));
	json_object_set_new(doc, "revisions", json_null());  /* its place */
	if (now)
		json_object_set_new(doc, "failed", cli_json_failure(failed));
	return cli_json_print_revs(doc, "revisions", list, now);
}

/* Alembic's lines, or its `show` blocks with -v. */
static void put_text(struct cli *cli, const retort_revlist *list, const retort_strarray *now,
		     const retort_failure *failed)
{
	size_t i;

	for (i = 0; i < list->count; i++) {
		const retort_rev *rev = list->revs[i];
		int current = cli_is_current(now, retort_rev_id(rev));

		if (cli->verbose) {
			cli_put_show(rev, current);
			continue;
		}
		/* fputs, not printf: a line per revision of thousands, and
		 * printf's format parsing showed in the profile */
		cli_put_parents(rev, 1);
		fputs(" -> ", stdout);
		cli_put_id(rev);
		cli_put_labels(rev);
		cli_put_flags(rev, CLI_FLAGS_ALL, current);
		if (failed && !strcmp(failed->revision, retort_rev_id(rev)))
			printf(" (failed at statement %zu)", failed->statements_done + 1);
		fputs(", ", stdout);
		fputs(retort_rev_message(rev), stdout);
		putchar('\n');
	}
}

int cmd_history(struct cli *cli)
{
	static const struct option opts[] = {
		{ "rev-range",         required_argument, NULL, 'r' },
		{ "indicate-current",  no_argument,       NULL, 'i' },
		{ "format",            required_argument, NULL, 'F' },
		{ "graph",             no_argument,       NULL, 'g' },
		{ NULL, 0, NULL, 0 }
	};
	retort_revlist list = { NULL, 0 };
	retort_strarray now = { NULL, 0 };
	retort_failure *failed = NULL;
	const char *range = NULL;
	int c, status, indicate = 0, json = 0, graph = 0;

	while ((c = cli_getopt(cli, "r:i", opts)) != -1) {
		switch (c) {
		case 'r':
			range = optarg;
			break;
		case 'i':
			indicate = 1;
			break;
		case 'F':
			if ((json = cli_format_option(cli, optarg)) < 0)
				return EXIT_USAGE;
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
	if (graph && json)
		return cli_usage_error(cli, "--graph draws text; `retort graph` has dot and mermaid");
	if ((status = cli_setup(cli, 0, 0)) != 0)
		return status;
	/* as history: the database only with -i */
	if (graph)
		return cli_graph_command(cli, CLI_GRAPH_TEXT, !indicate);
	if (retort_history(&list, cli->ctx, range) < 0 ||
	    (indicate && (retort_current(&now, cli->ctx) < 0 ||
			  retort_failure_get(&failed, cli->ctx) < 0)))
		status = cli_fail(cli);
	else if (json)
		status = put_json(&list, indicate ? &now : NULL, failed, range);
	else
		put_text(cli, &list, &now, failed);
	retort_failure_free(failed);
	retort_revlist_release(&list);
	retort_strarray_release(&now);
	return status;
}
