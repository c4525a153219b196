/*
 * cmd_show.c - `retort show REV`: the details of the revisions REV names.
 */
#include "cli.h"

const char cmd_show_usage[] =
	"usage: retort show REV\n"
	"\n"
	"Print the details of REV: an id or unique prefix, head, heads,\n"
	"LABEL@head, current...  A target naming several prints each.\n";

int cmd_show(struct cli *cli)
{
	retort_revlist list = { NULL, 0 };
	int c, status;
	size_t i;

	while ((c = cli_getopt(cli, "", NULL)) != -1)
		return cli_bad_option(cli, c);
	if ((status = cli_setup(cli, 1, 1)) != 0)
		return status;
	/* `show base` (or current on an empty database) names no revision
	 * and prints nothing, as in Alembic */
	if (retort_resolve(&list, cli->ctx, cli->args[0]) < 0)
		return cli_fail(cli);
	for (i = 0; i < list.count; i++)
		cli_put_show(list.revs[i], 0);
	retort_revlist_release(&list);
	return 0;
}
