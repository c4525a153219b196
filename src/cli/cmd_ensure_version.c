/*
 * cmd_ensure_version.c - `retort ensure_version`: create the version and
 * history tables if they do not exist, and nothing else.
 */
#include "cli.h"

const char cmd_ensure_version_usage[] =
	"usage: retort ensure_version [--sql]\n"
	"\n"
	"Create the version table (and the history table beside it) when it does\n"
	"not exist; no revision is recorded.\n"
	"\n"
	"    --sql    write the SQL to stdout instead of connecting\n";

int cmd_ensure_version(struct cli *cli)
{
	static const struct option opts[] = {
		{ "sql", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	retort_run_options ro = RETORT_RUN_OPTIONS_INIT;
	int c, status;

	while ((c = cli_getopt(cli, "", opts)) != -1) {
		switch (c) {
		case 's':
			ro.offline = 1;
			ro.write = cli_write_stdout;
			break;
		default:
			return cli_bad_option(cli, c);
		}
	}
	if ((status = cli_setup(cli, 0, 0)) != 0)
		return status;
	return retort_ensure_version(cli->ctx, &ro) < 0 ? cli_fail(cli) : 0;
}
