/*
 * cmd_revision.c - `retort revision -m MSG`: a new revision file from
 * migrations/script.sql.tmpl.
 */
#include <stdlib.h>

#include "cli.h"

const char cmd_revision_usage[] =
	"usage: retort revision -m MSG [--head REV] [--splice] [--branch-label LABEL]\n"
	"                       [--depends-on REV]... [--rev-id ID]\n"
	"\n"
	"Create a new revision file in the versions folder, based on the head\n"
	"(or on --head), with empty upgrade and downgrade sections to fill in.\n"
	"\n"
	"    -m, --message MSG       what the revision does (required)\n"
	"        --head REV          base it on REV instead of the head\n"
	"        --splice            allow --head to name a revision that is not a head\n"
	"        --branch-label L    give the new revision the branch label L\n"
	"        --depends-on REV    a revision it depends on (repeatable)\n"
	"        --rev-id ID         use ID instead of a random id\n";

enum { OPT_HEAD = 256, OPT_SPLICE, OPT_LABEL, OPT_DEPENDS, OPT_REV_ID };

int cli_create_revision(struct cli *cli, const retort_revision_options *opts)
{
	char *path = NULL;

	if (retort_revision(&path, cli->ctx, opts) < 0)
		return cli_fail(cli);
	if (!cli->quiet)
		printf("created %s\n", cli_relpath(path));
	free(path);
	return 0;
}

int cmd_revision(struct cli *cli)
{
	static const struct option opts[] = {
		{ "message",      required_argument, NULL, 'm' },
		{ "head",         required_argument, NULL, OPT_HEAD },
		{ "splice",       no_argument,       NULL, OPT_SPLICE },
		{ "branch-label", required_argument, NULL, OPT_LABEL },
		{ "depends-on",   required_argument, NULL, OPT_DEPENDS },
		{ "rev-id",       required_argument, NULL, OPT_REV_ID },
		{ NULL, 0, NULL, 0 }
	};
	retort_revision_options ro = RETORT_REVISION_OPTIONS_INIT;
	const char **depends = cli_realloc(NULL, (size_t)cli->argc * sizeof(*depends));
	const char *head = NULL;
	int c, status;

	ro.depends_on = depends;
	while ((c = cli_getopt(cli, "m:", opts)) != -1) {
		switch (c) {
		case 'm':
			ro.message = optarg;
			break;
		case OPT_HEAD:
			head = optarg;
			break;
		case OPT_SPLICE:
			ro.splice = 1;
			break;
		case OPT_LABEL:
			ro.branch_label = optarg;
			break;
		case OPT_DEPENDS:
			depends[ro.ndepends++] = optarg;
			break;
		case OPT_REV_ID:
			ro.rev_id = optarg;
			break;
		default:
			status = cli_bad_option(cli, c);
			goto done;
		}
	}
	if (!ro.message) {
		status = cli_usage_error(cli, "a message is required (-m MSG)");
		goto done;
	}
	if ((status = cli_setup(cli, 0, 0)) != 0)
		goto done;
	if (head) {
		ro.heads = &head;
		ro.nheads = 1;
	}
	status = cli_create_revision(cli, &ro);
done:
	free(depends);
	return status;
}
