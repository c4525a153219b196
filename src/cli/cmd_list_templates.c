/*
 * cmd_list_templates.c - `retort list_templates`: the templates `retort
 * init --template` knows, listed as Alembic lists its own.
 */
#include "cli.h"

const char cmd_list_templates_usage[] =
	"usage: retort list_templates\n"
	"\n"
	"List the templates 'retort init --template NAME' can make a project from,\n"
	"each with what it makes.\n";

int cmd_list_templates(struct cli *cli)
{
	const retort_template *t;
	size_t i;
	int c, status;

	while ((c = cli_getopt(cli, "", NULL)) != -1)
		return cli_bad_option(cli, c);
	if ((status = cli_setup(cli, 0, 0)) != 0)
		return status;
	puts("Available templates:\n");
	for (i = 0; (t = retort_template_at(i)) != NULL; i++)
		printf("%s - %s\n", t->name, t->description);
	puts("\nTemplates are used via the 'init' command, e.g.:\n\n"
	     "  retort init --template generic ./project");
	return 0;
}
