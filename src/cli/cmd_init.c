/*
 * cmd_init.c - `retort init [DIR]`: create a project.
 */
#include "cli.h"

const char cmd_init_usage[] =
	"usage: retort init [DIR] [-t NAME]\n"
	"\n"
	"Create a project in DIR (default: the current folder): retort.ini,\n"
	"migrations/script.sql.tmpl and migrations/versions/; with the fleet\n"
	"template, meta/ for the registry database and bot/ for every bot's.\n"
	"Refuses when DIR/retort.ini exists.\n"
	"\n"
	"    -t, --template NAME   generic (the default) or fleet\n";

int cmd_init(struct cli *cli)
{
	static const struct option opts[] = {
		{ "template", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	const char *template_name = NULL, *dir;
	retort_strarray created;
	size_t i;
	int c, status;

	while ((c = cli_getopt(cli, "t:", opts)) != -1) {
		switch (c) {
		case 't':
			template_name = optarg;
			break;
		default:
			return cli_bad_option(cli, c);
		}
	}
	if ((status = cli_setup(cli, 0, 1)) != 0)
		return status;
	dir = cli->nargs ? cli->args[0] : ".";
	if (retort_init_project(&created, cli->ctx, dir, template_name) < 0)
		return cli_fail(cli);
	for (i = 0; i < created.count && !cli->quiet; i++)
		printf("created %s\n", created.strings[i]);
	retort_strarray_release(&created);
	return 0;
}
