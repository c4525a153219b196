/*
 * cmd_schema.c - `retort schema dump`: the database's schema as SQL, the
 * way autogenerate would write it, to start a schema.sql from a database
 * that exists.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char cmd_schema_usage[] =
	"usage: retort schema dump [--model] [--dialect sqlite|postgresql]\n"
	"\n"
	"Print the database's tables, indexes, constraints, views (and enum\n"
	"types) as SQL.  Retort's own tables are left out.  Loading the output\n"
	"into an empty database and dumping that prints the same text.\n"
	"\n"
	"    --model        print the model instead, as autogenerate and check read\n"
	"                   it for the dialect (schema_command, schema.<dialect>.sql,\n"
	"                   schema), without opening the database\n"
	"    --dialect D    write SQL of dialect D (default: the database's); with\n"
	"                   --model, the dialect whose model it is\n";

int cmd_schema(struct cli *cli)
{
	static const struct option opts[] = {
		{ "dialect", required_argument, NULL, 'd' },
		{ "model",   no_argument,       NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dialect = NULL;
	char *sql = NULL;
	int c, status, model = 0;

	while ((c = cli_getopt(cli, "", opts)) != -1) {
		switch (c) {
		case 'd':
			dialect = optarg;
			break;
		case 'm':
			model = 1;
			break;
		default:
			return cli_bad_option(cli, c);
		}
	}
	if ((status = cli_setup(cli, 1, 1)) != 0)
		return status;
	if (strcmp(cli->args[0], "dump"))
		return cli_usage_error(cli, "unknown schema command '%s' (dump)", cli->args[0]);
	if (dialect && strcmp(dialect, "sqlite") && strcmp(dialect, "postgresql") &&
	    strcmp(dialect, "postgres"))
		return cli_usage_error(cli, "--dialect wants sqlite or postgresql, not '%s'", dialect);
	if ((model ? retort_model_dump(&sql, cli->ctx, dialect)
		   : retort_schema_dump(&sql, cli->ctx, dialect)) < 0)
		return cli_fail(cli);
	fputs(sql, stdout);
	free(sql);
	return 0;
}
