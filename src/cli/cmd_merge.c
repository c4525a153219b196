/*
 * cmd_merge.c - `retort merge -m MSG REV...`: a revision whose parents are
 * several heads, joining their branches again.
 */
#include "cli.h"

const char cmd_merge_usage[] =
	"usage: retort merge -m MSG [--branch-label LABEL] [--rev-id ID] REV...\n"
	"\n"
	"Create a merge revision of the given revisions (`heads`: all heads).\n"
	"\n"
	"    -m, --message MSG       what the merge is for (required)\n"
	"        --branch-label L    give the new revision the branch label L\n"
	"        --rev-id ID         use ID instead of a random id\n";

enum { OPT_LABEL = 256, OPT_REV_ID };

int cmd_merge(struct cli *cli)
{
	static const struct option opts[] = {
		{ "message",      required_argument, NULL, 'm' },
		{ "branch-label", required_argument, NULL, OPT_LABEL },
		{ "rev-id",       required_argument, NULL, OPT_REV_ID },
		{ NULL, 0, NULL, 0 }
	};
	retort_revision_options ro = RETORT_REVISION_OPTIONS_INIT;
	int c, status;

	while ((c = cli_getopt(cli, "m:", opts)) != -1) {
		switch (c) {
		case 'm':
			ro.message = optarg;
			break;
		case OPT_LABEL:
			ro.branch_label = optarg;
			break;
		case OPT_REV_ID:
			ro.rev_id = optarg;
			break;
		default:
			return cli_bad_option(cli, c);
		}
	}
	if (!ro.message)
		return cli_usage_error(cli, "a message is required (-m MSG)");
	if ((status = cli_setup(cli, 1, -1)) != 0)
		return status;
	ro.heads = (const char *const *)cli->args;
	ro.nheads = (size_t)cli->nargs;
	ro.merge = 1;
	return cli_create_revision(cli, &ro);
}
