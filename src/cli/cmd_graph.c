/*
 * cmd_graph.c - `retort graph`: the revision graph as text, Graphviz dot
 * or Mermaid, with the database's state when the project has a database.
 */
#include "cli.h"

const char cmd_graph_usage[] =
	"usage: retort graph [--format text|dot|mermaid] [--no-db]\n"
	"\n"
	"Draw the revision graph, newest first: messages, branch labels, merges,\n"
	"depends_on (dashed), heads; with a database URL, the applied revisions\n"
	"(filled; 'o' in text marks one not applied) and the current ones.\n"
	"\n"
	"    --format FORMAT    text (default, as `git log --graph`), dot (Graphviz:\n"
	"                       `| dot -Tsvg`) or mermaid (a flowchart)\n"
	"    --no-db            do not connect: the graph of the files alone\n";

/* A row no file has (a revision deleted, another branch's checkout) has
 * no place in the picture: say so rather than draw a database at base. */
static void warn_unknown(struct cli *cli, const retort_strarray *rows)
{
	size_t i;

	for (i = 0; i < rows->count; i++)
		if (!retort_lookup(cli->ctx, rows->strings[i]))
			cli_warning("the database is at '%s', which no revision file has; "
				    "the graph leaves it out", rows->strings[i]);
}

/* The graph with the database's state, or without it when there is no
 * URL or --no-db.  A database that cannot be reached is an error: a
 * picture without its state would look like a database at base. */
int cli_graph_command(struct cli *cli, enum cli_graph_format fmt, int no_db)
{
	retort_strarray now = { NULL, 0 };
	int rc;

	if (retort_load(cli->ctx) < 0)
		return cli_fail(cli);
	if (no_db || !*retort_url_masked(cli->ctx))
		return cli_graph_write(cli, stdout, fmt, NULL);
	if (retort_current(&now, cli->ctx) < 0) {
		cli_fail(cli);
		fputs("hint: --no-db draws the graph without the database's state\n", stderr);
		return 1;
	}
	warn_unknown(cli, &now);
	rc = cli_graph_write(cli, stdout, fmt, &now);
	retort_strarray_release(&now);
	return rc;
}

int cmd_graph(struct cli *cli)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "no-db",  no_argument,       NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	/* in the order of enum cli_graph_format */
	static const char *const formats[] = { "text", "dot", "mermaid", NULL };
	int c, status, fmt = CLI_GRAPH_TEXT, no_db = 0;

	while ((c = cli_getopt(cli, "", opts)) != -1) {
		switch (c) {
		case 'f':
			if ((fmt = cli_choice(cli, "--format", optarg, formats)) < 0)
				return EXIT_USAGE;
			break;
		case 'n':
			no_db = 1;
			break;
		default:
			return cli_bad_option(cli, c);
		}
	}
	if ((status = cli_setup(cli, 0, 0)) != 0)
		return status;
	return cli_graph_command(cli, (enum cli_graph_format)fmt, no_db);
}
