/*
 * cmd_restore.c - `retort restore FILE`: put a backup made by
 * `upgrade --backup` / `downgrade --backup` back.
 */
#include "cli.h"

const char cmd_restore_usage[] =
	"usage: retort restore FILE [--force]\n"
	"\n"
	"SQLite: copy the backup FILE over the database with SQLite's online\n"
	"backup API (the version and history tables come back with it).  FILE\n"
	"must be a SQLite database of this project: its version table holds\n"
	"revisions of the migrations folder, and no other.\n"
	"    --force    restore FILE even so\n"
	"PostgreSQL: nothing is changed; the pg_restore commands to run are\n"
	"printed (exit 1), because pg_restore --clean keeps the tables created\n"
	"since the backup.\n";

int cmd_restore(struct cli *cli)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned int flags = 0;
	int c, status;

	while ((c = cli_getopt(cli, "", opts)) != -1) {
		if (c != 'f')
			return cli_bad_option(cli, c);
		flags |= RETORT_RESTORE_FORCE;
	}
	if ((status = cli_setup(cli, 1, 1)) != 0)
		return status;
	if (retort_restore(cli->ctx, cli->args[0], flags) < 0)
		return cli_fail(cli);
	if (!cli->quiet)
		printf("restored %s from %s\n", retort_url_masked(cli->ctx), cli->args[0]);
	return 0;
}
