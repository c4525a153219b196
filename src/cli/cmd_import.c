/*
 * cmd_import.c - `retort import TOOL ...`: another migration tool's
 * migrations made retort revisions.  Alembic's project becomes a new
 * retort project (import_alembic.c, Alembic itself renders the SQL); the
 * plain-SQL tools' migrations become the revisions of this project, and
 * with --stamp the database that tool migrated is recorded at the
 * revision it is at.
 *
 * Each plain-SQL tool is an entry of `tools[]` with the function that
 * imports it; they share one (the library reads their formats).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char cmd_import_usage[] =
	"usage: retort import TOOL DIR [DIR...] [--dialect D]... [--stamp] [--table NAME]\n"
	"       retort import alembic [-c ALEMBIC_INI] [-d DIALECT]... [--python PROG] [DIR]\n"
	"\n"
	"Make the migrations of another tool the revisions of this project, which\n"
	"has none yet: one revision per version, in the tool's order, the version\n"
	"as its id.  TOOL and what it reads in DIR:\n"
	"    dbmate          VERSION_name.sql with '-- migrate:up' and '-- migrate:down'\n"
	"    golang-migrate  VERSION_title.up.sql and VERSION_title.down.sql\n"
	"    goose           VERSION_name.sql with '-- +goose Up' and '-- +goose Down'\n"
	"    flyway          V<version>__<description>.sql, U<version>__... to undo\n"
	"    diesel          a folder VERSION_name per migration: up.sql, down.sql\n"
	"A migration with no down part where the tool needs one gets a downgrade\n"
	"that refuses to run.  Nothing is written unless everything could be.\n"
	"\n"
	"    --dialect D     DIR's SQL is for the dialect D (sqlite, postgresql): it\n"
	"                    goes into '-- +upgrade D' sections; with several DIRs, one\n"
	"                    --dialect each, in order: a version found in several is\n"
	"                    one revision with a section per dialect\n"
	"    --stamp         read the tool's version table in the database (-u or the\n"
	"                    url of retort.ini) and stamp the revision it is at,\n"
	"                    running nothing\n"
	"    --table NAME    the tool's version table, if not its default name\n"
	"\n"
	"alembic: make an Alembic project into a new retort project in DIR\n"
	"(default: the current folder): retort.ini and migrations/, one SQL file\n"
	"per revision with the same revision ids, down_revisions, branch labels\n"
	"and depends_on.  Each revision's upgrade() and downgrade() is rendered\n"
	"to SQL by Alembic's offline mode, one step at a time, for each dialect.\n"
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

/* The plain-SQL tools: the library reads their files and their tables. */
static int import_sql(struct cli *cli, const char *tool, const retort_import_options *opts,
		      const char *dir)
{
	retort_import_report rep = { 0 };
	size_t i;

	if (retort_import(&rep, cli->ctx, tool, dir, opts) < 0)
		return cli_fail(cli);
	for (i = 0; i < rep.warnings.count; i++)
		cli_warning("%s", rep.warnings.strings[i]);
	if (!cli->quiet) {
		for (i = 0; i < rep.paths.count; i++)
			printf("created %s\n", cli_relpath(rep.paths.strings[i]));
		if (rep.stamped)
			printf("stamped %s\n", rep.stamped);
		else if (opts->stamp)
			printf("the database has no %s migrations applied: nothing to stamp\n", tool);
	}
	retort_import_report_release(&rep);
	return 0;
}

static const struct {
	const char *name;
	int (*run)(struct cli *cli, const char *tool, const retort_import_options *opts,
		   const char *dir);
} tools[] = {
	{ "dbmate",         import_sql },
	{ "golang-migrate", import_sql },
	{ "goose",          import_sql },
	{ "flyway",         import_sql },
	{ "diesel",         import_sql },
};

enum { OPT_DIALECT = 256, OPT_STAMP, OPT_TABLE };

int cmd_import(struct cli *cli)
{
	static const struct option opts[] = {
		{ "dialect", required_argument, NULL, OPT_DIALECT },
		{ "stamp",   no_argument,       NULL, OPT_STAMP },
		{ "table",   required_argument, NULL, OPT_TABLE },
		{ NULL, 0, NULL, 0 }
	};
	retort_import_options io = RETORT_IMPORT_OPTIONS_INIT;
	const char **dialects;
	size_t ndialects = 0, ndirs, i;
	int c, status;

	/* Alembic's import makes a new project: it has options of its own
	 * and needs no retort.ini */
	if (cli->argc > 1 && !strcmp(cli->argv[1], "alembic"))
		return cli_import_alembic(cli);
	dialects = cli_realloc(NULL, (size_t)cli->argc * sizeof(*dialects));

	while ((c = cli_getopt(cli, "", opts)) != -1) {
		switch (c) {
		case OPT_DIALECT:
			dialects[ndialects++] = optarg;
			break;
		case OPT_STAMP:
			io.stamp = 1;
			break;
		case OPT_TABLE:
			io.table = optarg;
			break;
		default:
			status = cli_bad_option(cli, c);
			goto done;
		}
	}
	if ((status = cli_setup(cli, 2, -1)) != 0)
		goto done;
	/* the other tools' migrations go into this project */
	if (retort_open(cli->ctx, &cli->opts) < 0) {
		status = cli_fail(cli);
		goto done;
	}
	ndirs = (size_t)cli->nargs - 1;
	if (ndirs > 1 && ndialects != ndirs) {
		status = cli_usage_error(cli, "%zu folders need %zu --dialect options, one each "
					 "(got %zu)", ndirs, ndirs, ndialects);
		goto done;
	}
	if (ndirs == 1 && ndialects > 1) {
		status = cli_usage_error(cli, "one folder takes one --dialect");
		goto done;
	}
	io.dialect = ndialects ? dialects[0] : NULL;
	io.more_dirs = (const char *const *)cli->args + 2;
	io.more_dialects = dialects + 1;
	io.nmore = ndirs - 1;
	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (!strcmp(tools[i].name, cli->args[0])) {
			status = tools[i].run(cli, cli->args[0], &io, cli->args[1]);
			goto done;
		}
	status = cli_usage_error(cli, "unknown tool '%s'", cli->args[0]);
done:
	free(dialects);
	return status;
}
