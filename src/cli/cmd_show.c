/*
 * cmd_show.c - `retort show REV`: the details of the revisions REV names.
 */
#include "cli.h"

const char cmd_show_usage[] =
	"usage: retort show REV [--format FMT]\n"
	"\n"
	"Print the details of REV: an id or unique prefix, head, heads,\n"
	"LABEL@head, current...  A target naming several prints each.\n"
	"\n"
	"    --format FMT     text (default) or json (docs/json.md)\n";

int cmd_show(struct cli *cli)
{
	retort_revlist list = { NULL, 0 };
	int status, json = 0;
	size_t i;

	if ((status = cli_format_only(cli, &json)) >= 0)
		return status;
	if ((status = cli_setup(cli, 1, 1)) != 0)
		return status;
	/* `show base` (or current on an empty database) names no revision
	 * and prints nothing, as in Alembic */
	if (retort_resolve(&list, cli->ctx, cli->args[0]) < 0)
		return cli_fail(cli);
	if (json) {
		json_t *doc = cli_json_doc("show");

		json_object_set_new(doc, "target", cli_json_text(cli->args[0]));
		json_object_set_new(doc, "revisions", cli_json_revs(&list, NULL));
		status = cli_json_print(doc);
	}
	for (i = 0; !json && i < list.count; i++)
		cli_put_show(list.revs[i], 0);
	retort_revlist_release(&list);
	return status;
}
