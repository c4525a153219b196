/*
 * cmd_import.c - `retort import SOURCE ...`: a project of another
 * migration tool made into a retort project.  One file per tool does the
 * work (import_alembic.c); this one picks it.
 */
#include <string.h>

#include "cli.h"

const char cmd_import_usage[] =
	"usage: retort import alembic [-c ALEMBIC_INI] [-d DIALECT]... [--python PROG] [DIR]\n"
	"\n"
	"Make an Alembic project into a retort project in DIR (default: the\n"
	"current folder): retort.ini and migrations/, one SQL file per revision\n"
	"with the same revision ids, down_revisions, branch labels and\n"
	"depends_on.  Each revision's upgrade() and downgrade() is rendered to\n"
	"SQL by Alembic's offline mode, one step at a time, for each dialect.\n"
	"A function that cannot be rendered offline (a data migration reading\n"
	"rows, a module that is not installed) is reported with its file and\n"
	"line, and its section is written as '-- +unfinished': no upgrade or\n"
	"downgrade runs it until a person writes its SQL.  The version table\n"
	"stays alembic_version, so a database Alembic migrated goes on where\n"
	"Alembic stopped, and Alembic can still read it.  Alembic's env.py is\n"
	"not run.  Needs Python 3 with Alembic and SQLAlchemy while importing.\n"
	"\n"
	"    -c, --config FILE    the Alembic config (default: alembic.ini)\n"
	"    -d, --dialect NAME   render for this dialect (repeatable; default: the\n"
	"                         config's 'dialects', else its sqlalchemy.url's)\n"
	"    --python PROG        the Python interpreter (default: $RETORT_PYTHON,\n"
	"                         else python3)\n";

int cmd_import(struct cli *cli)
{
	/* the source tool is the first word after the command */
	if (cli->argc > 1 && !strcmp(cli->argv[1], "alembic"))
		return cli_import_alembic(cli);
	if (cli->argc > 1 && (!strcmp(cli->argv[1], "-h") || !strcmp(cli->argv[1], "--help"))) {
		fputs(cmd_import_usage, stdout);
		return 0;
	}
	if (cli->argc < 2)
		return cli_usage_error(cli, "missing the tool to import from (alembic)");
	return cli_usage_error(cli, "cannot import from '%s' (known: alembic)", cli->argv[1]);
}
