/*
 * cmd_verify.c - `retort verify`: has any applied migration been edited
 * since it was applied?
 */
#include "cli.h"

const char cmd_verify_usage[] =
	"usage: retort verify [--format FMT]\n"
	"\n"
	"Compare every applied revision's file with the checksum recorded when it\n"
	"was applied (a BOM and CRLF line endings do not count as changes).\n"
	"Exits 1 and lists the files when any changed.\n"
	"\n"
	"    --format FMT     text (default) or json (docs/json.md)\n";

int cmd_verify(struct cli *cli)
{
	retort_strarray problems = { NULL, 0 };
	size_t i;
	int status, json = 0;

	if ((status = cli_format_only(cli, &json)) >= 0)
		return status;
	if ((status = cli_setup(cli, 0, 0)) != 0)
		return status;
	if (retort_verify(&problems, cli->ctx) < 0)
		return cli_fail(cli);
	if (json) {
		json_t *doc = cli_json_doc("verify");

		json_object_set_new(doc, "ok", json_boolean(!problems.count));
		json_object_set_new(doc, "problems", cli_json_strings(&problems));
		status = cli_json_print(doc);
	}
	for (i = 0; !json && i < problems.count; i++)
		cli_error("%s", problems.strings[i]);
	if (!json && !problems.count && !cli->quiet)
		puts("every applied migration matches its recorded checksum");
	if (problems.count)
		status = 1;
	retort_strarray_release(&problems);
	return status;
}
