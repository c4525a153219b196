/*
 * report_stubs.c - TEMPORARY placeholders, branch i20-report only, for
 * cli_graph_write (H1) and retort_schema_render (H2) so that `retort
 * report` builds and is tested before main has the real ones.  Delete
 * this file and report_stubs.h once main has them.
 */
#include <stdlib.h>
#include <string.h>

#include "report_stubs.h"

static void dot_string(FILE *out, const char *s)
{
	putc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putc('\\', out);
		if (*s == '\n')
			fputs("\\l", out);
		else
			putc(*s, out);
	}
	putc('"', out);
}

int cli_graph_write(struct cli *cli, FILE *out, enum cli_graph_format fmt,
		    const retort_strarray *current)
{
	retort_revlist list = { NULL, 0 };
	size_t i, k;

	if (retort_history(&list, cli->ctx, NULL) < 0)
		return cli_fail(cli);
	if (fmt == CLI_GRAPH_DOT)
		fputs("digraph revisions {\n  rankdir=BT;\n  node [shape=box];\n", out);
	for (i = 0; i < list.count; i++) {
		const retort_rev *r = list.revs[i];
		int cur = current && cli_is_current(current, retort_rev_id(r));

		if (fmt != CLI_GRAPH_DOT) {
			fprintf(out, "* %s%s %s\n", retort_rev_id(r), cur ? " (current)" : "",
				retort_rev_message(r));
			continue;
		}
		fputs("  ", out);
		dot_string(out, retort_rev_id(r));
		fputs(" [label=", out);
		dot_string(out, retort_rev_id(r));
		fprintf(out, "%s];\n", cur ? ", style=filled, fillcolor=palegreen" : "");
		for (k = 0; k < retort_rev_nparents(r); k++) {
			fputs("  ", out);
			dot_string(out, retort_rev_id(r));
			fputs(" -> ", out);
			dot_string(out, retort_rev_id(retort_rev_parent(r, k)));
			fputs(";\n", out);
		}
	}
	if (fmt == CLI_GRAPH_DOT)
		fputs("}\n", out);
	retort_revlist_release(&list);
	return 0;
}

int retort_schema_render(char **out, retort *ctx, const char *format, const char *dialect,
			 unsigned int flags)
{
	char *sql = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	*out = NULL;
	if ((rc = (flags & RETORT_SCHEMA_MODEL) ? retort_model_dump(&sql, ctx, dialect)
						: retort_schema_dump(&sql, ctx, dialect)) < 0)
		return rc;
	if (!strcmp(format, "sql")) {
		*out = sql;
		return 0;
	}
	if (strcmp(format, "dot") || !(f = open_memstream(out, &len))) {
		free(sql);
		return RETORT_EUSAGE;
	}
	fputs("digraph schema {\n  node [shape=box, fontname=monospace];\n  schema [label=", f);
	dot_string(f, sql);
	fputs("];\n}\n", f);
	fclose(f);
	free(sql);
	return 0;
}
