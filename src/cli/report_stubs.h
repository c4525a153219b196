/*
 * report_stubs.h - TEMPORARY, branch i20-report only: the declarations of
 * H1's cli_graph_write (src/cli/cli.h on main) and H2's
 * retort_schema_render (include/retort.h on main), as agreed in issue 20,
 * until main has them.  Delete with report_stubs.c after merging main.
 */
#ifndef REPORT_STUBS_H
#define REPORT_STUBS_H

#include "cli.h"

enum cli_graph_format { CLI_GRAPH_TEXT, CLI_GRAPH_DOT, CLI_GRAPH_MERMAID };
int cli_graph_write(struct cli *cli, FILE *out, enum cli_graph_format fmt,
		    const retort_strarray *current);

#define RETORT_SCHEMA_MODEL (1u << 0)
int retort_schema_render(char **out, retort *ctx, const char *format, const char *dialect,
			 unsigned int flags);

#endif
