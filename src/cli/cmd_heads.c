/*
 * cmd_heads.c - `retort heads` and `retort branches`: the ends and the
 * forks of the revision graph.
 */
#include <string.h>

#include "cli.h"

const char cmd_heads_usage[] =
	"usage: retort heads [-v] [--resolve-dependencies] [--format FMT]\n"
	"\n"
	"Print the head revisions (those no revision is based on).\n"
	"\n"
	"    -v, --verbose              print each revision as `show` does\n"
	"    --resolve-dependencies     count depends_on as down_revision: leave out\n"
	"                               the heads other revisions depend on\n"
	"    --format FMT               text (default) or json (docs/json.md)\n";

const char cmd_branches_usage[] =
	"usage: retort branches [-v] [--format FMT]\n"
	"\n"
	"Print each branch point and the revisions that branch off it.\n"
	"\n"
	"    -v, --verbose    print the branch points as `show` does\n"
	"    --format FMT     text (default) or json (docs/json.md)\n";

/* The shared start: the options (heads's --resolve-dependencies sets
 * *resolve), then the list from `fn`; *json for --format json. */
static int start(struct cli *cli, int (*fn)(retort_revlist *, retort *), retort_revlist *out,
		 int *resolve, int *json)
{
	static const struct option opts[] = {
		{ "resolve-dependencies", no_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 }
	};
	int c, status;

	/* branches has no --resolve-dependencies */
	while ((c = cli_getopt(cli, "", resolve ? opts : opts + 1)) != -1) {
		if (c == 'r')
			*resolve = 1;
		else if (c != 'F')
			return cli_bad_option(cli, c);
		else if ((*json = cli_format_option(cli, optarg)) < 0)
			return EXIT_USAGE;
	}
	if ((status = cli_setup(cli, 0, 0)) != 0)
		return status;
	return fn(out, cli->ctx) < 0 ? cli_fail(cli) : 0;
}

/* {"format_version": 1, "command": COMMAND, KEY: [revisions]}, the
 * revisions from the last of `list` to the first when `backwards`. */
static int put_json(const char *command, const char *key, const retort_revlist *list,
		    int backwards)
{
	json_t *doc = cli_json_doc(command), *revs = json_array();
	size_t i;

	for (i = 0; i < list->count; i++)
		json_array_append_new(revs, cli_json_rev(list->revs[backwards ? list->count - 1 - i
								   : i], NULL));
	json_object_set_new(doc, key, revs);
	return cli_json_print(doc);
}

int cmd_heads(struct cli *cli)
{
	retort_revlist heads = { NULL, 0 };
	int status, resolve = 0, json = 0;
	size_t i, n = 0;

	if ((status = start(cli, retort_heads, &heads, &resolve, &json)) != 0)
		return status;
	/* Alembic's "heads" with dependencies as down revisions: a head that
	 * another revision depends on is below that one */
	for (i = 0; resolve && i < heads.count; i++)
		if (!retort_rev_ndependents(heads.revs[i]))
			heads.revs[n++] = heads.revs[i];
	if (resolve)
		heads.count = n;
	if (json)
		status = put_json("heads", "heads", &heads, 0);
	for (i = 0; !json && i < heads.count; i++) {
		if (cli->verbose) {
			cli_put_show(heads.revs[i], 0);
		} else {
			cli_put_rev(heads.revs[i], RETORT_REV_HEAD);
			putchar('\n');
		}
	}
	retort_revlist_release(&heads);
	return status;
}

int cmd_branches(struct cli *cli)
{
	retort_revlist points = { NULL, 0 };
	int status, json = 0;
	size_t i, j;

	if ((status = start(cli, retort_branchpoints, &points, NULL, &json)) != 0)
		return status;
	if (json) {
		status = put_json("branches", "branchpoints", &points, 1);
		retort_revlist_release(&points);
		return status;
	}
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
