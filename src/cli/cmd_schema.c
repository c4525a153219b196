/*
 * cmd_schema.c - `retort schema dump`: the database's schema as SQL, the
 * way autogenerate would write it, to start a schema.sql from a database
 * that exists; or as JSON, or as an ER diagram (Mermaid, Graphviz).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char cmd_schema_usage[] =
	"usage: retort schema dump [--model] [--dialect sqlite|postgresql]\n"
	"                          [--format sql|json|mermaid|dot]\n"
	"\n"
	"Print the database's tables, indexes, constraints, views (and enum\n"
	"types) as SQL.  Retort's own tables are left out.  Loading the output\n"
	"into an empty database and dumping that prints the same text.\n"
	"\n"
	"    --model        print the model instead, as autogenerate and check read\n"
	"                   it for the dialect (schema_command, schema.<dialect>.sql,\n"
	"                   schema), without opening the database\n"
	"    --dialect D    write SQL of dialect D (default: the database's); with\n"
	"                   --model, the dialect whose model it is\n"
	"    --format F     sql (default); json (docs/json.md); mermaid, an ER\n"
	"                   diagram (erDiagram) for Markdown; dot, the same for\n"
	"                   Graphviz ('dot -Tsvg')\n";

int cmd_schema(struct cli *cli)
{
	static const struct option opts[] = {
		{ "dialect", required_argument, NULL, 'd' },
		{ "model",   no_argument,       NULL, 'm' },
		{ "format",  required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const formats[] = { "sql", "json", "mermaid", "dot", NULL };
	const char *dialect = NULL;
	char *sql = NULL;
	int c, status, model = 0, format = 0;

	while ((c = cli_getopt(cli, "", opts)) != -1) {
		switch (c) {
		case 'd':
			dialect = optarg;
			break;
		case 'm':
			model = 1;
			break;
		case 'f':
			if ((format = cli_choice(cli, "--format", optarg, formats)) < 0)
				return EXIT_USAGE;
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
	if (retort_schema_render(&sql, cli->ctx, formats[format], dialect,
				 model ? RETORT_SCHEMA_MODEL : 0) < 0)
		return cli_fail(cli);
	fputs(sql, stdout);
	free(sql);
	return 0;
}
