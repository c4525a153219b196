/*
 * cmd_upgrade.c - `retort upgrade [TARGET]` and `retort downgrade TARGET`:
 * one run function, told the direction.
 */
#include "cli.h"

const char cmd_upgrade_usage[] =
	"usage: retort upgrade [TARGET] [--sql] [--resume] [--backup|--no-backup]\n"
	"\n"
	"Run the upgrade sections up to TARGET (default: head): head, heads, a\n"
	"revision id or unique prefix, +N, REV+N, LABEL@head.\n"
	"\n"
	"    --sql       write the SQL script to stdout instead of connecting\n"
	"                (TARGET may then be FROM:TO)\n"
	"    --resume    continue a transaction=false section that failed part\n"
	"                way, from its failed statement (fix the file first)\n"
	"    --backup    copy the database first (SQLite: <db>.<time>.<rev>.bak\n"
	"                beside it; PostgreSQL: pg_dump -Fc) and print the file;\n"
	"                `retort restore FILE` puts it back.  Default: the\n"
	"                config's `backup` key\n"
	"    --no-backup no copy, whatever the config says\n";

const char cmd_downgrade_usage[] =
	"usage: retort downgrade TARGET [--sql] [--resume] [--backup|--no-backup]\n"
	"\n"
	"Run the downgrade sections back to TARGET: base, a revision id or\n"
	"unique prefix, -N, REV-N, LABEL@REV.\n"
	"\n"
	"    --sql       write the SQL script to stdout instead of connecting\n"
	"                (TARGET is then FROM:TO)\n"
	"    --resume    continue a transaction=false section that failed part\n"
	"                way, from its failed statement (fix the file first)\n"
	"    --backup    copy the database first (SQLite: <db>.<time>.<rev>.bak\n"
	"                beside it; PostgreSQL: pg_dump -Fc) and print the file;\n"
	"                `retort restore FILE` puts it back.  Default: the\n"
	"                config's `backup` key\n"
	"    --no-backup no copy, whatever the config says\n";

static void on_event(const retort_event *ev, void *payload)
{
	const struct cli *cli = payload;

	switch (ev->type) {
	case RETORT_EVENT_DONE:
		if (cli->quiet)
			break;
		printf("%s %s -> %s, %s (%.1f ms)\n",
		       ev->direction == RETORT_DOWN ? "downgrade" : "upgrade",
		       ev->from ? ev->from : "", ev->to ? ev->to : "",
		       ev->rev ? retort_rev_message(ev->rev) : "", ev->elapsed_ms);
		fflush(stdout);  /* a line per migration as it commits */
		break;
	case RETORT_EVENT_NOTHING:
		if (cli->verbose && !cli->quiet)
			puts("nothing to do");
		break;
	case RETORT_EVENT_BACKUP:
		if (!cli->quiet) {
			printf("backup of %s written to %s\n",
			       ev->from && *ev->from ? ev->from : "base", ev->to);
			fflush(stdout);
		}
		break;
	case RETORT_EVENT_WAITING:
		if (!cli->quiet)
			fputs("waiting for the database lock held by another process...\n", stderr);
		break;
	default:
		break;
	}
}

static int run(struct cli *cli, int direction)
{
	static const struct option opts[] = {
		{ "sql", no_argument, NULL, 's' },
		{ "resume", no_argument, NULL, 'r' },
		{ "backup", no_argument, NULL, 'b' },
		{ "no-backup", no_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 }
	};
	retort_run_options ro = RETORT_RUN_OPTIONS_INIT;
	const char *target;
	int c, status, err;

	while ((c = cli_getopt(cli, "", opts)) != -1) {
		switch (c) {
		case 's':
			ro.offline = 1;
			ro.write = cli_write_stdout;
			break;
		case 'r':
			ro.resume = 1;
			break;
		case 'b':
			ro.backup = 1;
			break;
		case 'B':
			ro.backup = -1;
			break;
		default:
			return cli_bad_option(cli, c);
		}
	}
	if ((status = cli_setup(cli, direction == RETORT_DOWN, 1)) != 0)
		return status;
	if (ro.offline && ro.backup > 0)
		return cli_usage_error(cli, "--backup needs the database: it cannot go with --sql");
	if (!ro.offline) {  /* --sql prints the script and nothing else */
		ro.on_event = on_event;
		ro.event_payload = cli;
	}
	target = cli->nargs ? cli->args[0] : NULL;
	if (direction == RETORT_UP)
		err = retort_upgrade(cli->ctx, target, &ro);
	else
		err = retort_downgrade(cli->ctx, target, &ro);
	return err < 0 ? cli_fail(cli) : 0;
}

int cmd_upgrade(struct cli *cli)
{
	return run(cli, RETORT_UP);
}

int cmd_downgrade(struct cli *cli)
{
	return run(cli, RETORT_DOWN);
}
