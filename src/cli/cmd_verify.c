/*
 * cmd_verify.c - `retort verify`: has any applied migration been edited
 * since it was applied?
 */
#include "cli.h"

const char cmd_verify_usage[] =
	"usage: retort verify\n"
	"\n"
	"Compare every applied revision's file with the checksum recorded when it\n"
	"was applied (a BOM and CRLF line endings do not count as changes).\n"
	"Exits 1 and lists the files when any changed.\n";

int cmd_verify(struct cli *cli)
{
	retort_strarray problems = { NULL, 0 };
	size_t i;
	int c, status;

	while ((c = cli_getopt(cli, "", NULL)) != -1)
		return cli_bad_option(cli, c);
	if ((status = cli_setup(cli, 0, 0)) != 0)
		return status;
	if (retort_verify(&problems, cli->ctx) < 0)
		return cli_fail(cli);
	for (i = 0; i < problems.count; i++)
		cli_error("%s", problems.strings[i]);
	if (!problems.count && !cli->quiet)
		puts("every applied migration matches its recorded checksum");
	status = problems.count ? 1 : 0;
	retort_strarray_release(&problems);
	return status;
}
