/*
 * cmd_report.c - `retort report`: one HTML page of the project and its
 * database for people to look at: the revision graph with what is
 * applied, how long each migration took, lint's findings, verify's and
 * check's results, and the ER diagram.  A part that cannot be made says
 * why where it would be (and on stderr); the rest is written all the same.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char cmd_report_usage[] =
	"usage: retort report [-o FILE]\n"
	"\n"
	"Write one self-contained HTML page (no script, nothing loaded from\n"
	"elsewhere) about the project and its database: the revision graph with\n"
	"the applied and current revisions, each migration's duration from the\n"
	"history table as a chart, lint's findings, verify's and check's\n"
	"results, and the ER diagram.  The drawings are SVG made by Graphviz's\n"
	"`dot` where it is on PATH; without it the page shows the graph as text\n"
	"and the schema as SQL.  A part that cannot be made (the database out of\n"
	"reach, check without a model) says why on the page and in a warning,\n"
	"and the page is written all the same.  Findings do not change the exit\n"
	"status: 0 when the page was written, 1 when it was not.\n"
	"\n"
	"    -o, --output FILE    write the page to FILE, replacing it in one step\n"
	"                         (default: standard output)\n";

/* Steps shown in the chart: the latest ones of a long history. */
#define MAX_STEPS 500

struct report {
	struct cli *cli;
	FILE *f;
	retort_strarray now;  /* the version table's rows */
	int have_db;          /* ... could be read */
	char *db_error;       /* why not, passwords masked */
};

/* A part of the page that could not be made, said where it would be. */
static void missing(struct report *rp, const char *part, const char *why)
{
	fputs("<p class=\"missing\">", rp->f);
	cli_html(rp->f, part);
	fputs(" not shown: ", rp->f);
	cli_html(rp->f, why);
	fputs("</p>\n", rp->f);
	cli_warning("report: %s not shown: %s", part, why);
}

static void missing_error(struct report *rp, const char *part)
{
	char *masked = retort_mask_secrets(retort_errmsg(rp->cli->ctx));

	missing(rp, part, masked ? masked : "out of memory");
	free(masked);
}

/* For the parts that read the database: 1 (and said so) when it could not be. */
static int without_db(struct report *rp, const char *part)
{
	if (!rp->have_db)
		missing(rp, part, "the database could not be read (see the top of the page)");
	return !rp->have_db;
}

static void section(struct report *rp, const char *id, const char *title)
{
	fprintf(rp->f, "<section id=\"%s\">\n<h2>", id);
	cli_html(rp->f, title);
	fputs("</h2>\n", rp->f);
}

/* A drawing: Graphviz's SVG, or 0 after a note of why not. */
static int figure(struct report *rp, const char *dot_source, const char *instead)
{
	char *svg;

	if (retort_dot_svg(&svg, rp->cli->ctx, dot_source) == 0) {
		fprintf(rp->f, "<div class=\"figure\">\n%s</div>\n", svg);
		free(svg);
		return 1;
	}
	fprintf(rp->f, "<p class=\"note\">%s: ", instead);
	cli_html(rp->f, retort_errmsg(rp->cli->ctx));
	fputs("</p>\n", rp->f);
	return 0;
}

static void revs_line(FILE *f, const retort_revlist *list, const char *none)
{
	size_t i;

	if (!list->count)
		fputs(none, f);
	for (i = 0; i < list->count; i++) {
		fputs(i ? ", <span class=\"rev\">" : "<span class=\"rev\">", f);
		cli_html(f, retort_rev_id(list->revs[i]));
		fputs("</span>", f);
	}
}

/* A migration left half applied, as `current` reports it. */
static void failure(struct report *rp)
{
	retort_failure *failed = NULL;
	const char *verb;
	FILE *f = rp->f;

	if (!rp->have_db || retort_failure_get(&failed, rp->cli->ctx) < 0 || !failed)
		return;
	verb = failed->direction == RETORT_DOWN ? "downgrade" : "upgrade";
	fputs("<dt>half applied</dt><dd class=\"bad\"><span class=\"rev\">", f);
	cli_html(f, failed->revision);
	fprintf(f, "</span>: the %s %s after %zu statement%s", verb,
		failed->interrupted ? "was stopped" : "failed", failed->statements_done,
		failed->statements_done == 1 ? "" : "s");
	if (*failed->error) {
		fputs(": ", f);
		cli_html(f, failed->error);
	}
	fprintf(f, " (run 'retort %s --resume')</dd>\n", verb);
	retort_failure_free(failed);
}

static void overview(struct report *rp)
{
	retort *ctx = rp->cli->ctx;
	retort_revlist list = { NULL, 0 };
	FILE *f = rp->f;

	fputs("<dl class=\"meta\">\n", f);
	cli_html_meta(f, "project", retort_config_path(ctx) ? retort_config_path(ctx) : "");
	cli_html_meta(f, "migrations", retort_script_location(ctx));
	cli_html_meta(f, "database", retort_url_masked(ctx));
	fputs("<dt>heads</dt><dd>", f);
	if (retort_heads(&list, ctx) == 0)
		revs_line(f, &list, "none");
	retort_revlist_release(&list);
	fputs("</dd>\n<dt>current</dt><dd>", f);
	if (!rp->have_db) {
		fputs("<span class=\"bad\">the database could not be read: ", f);
		cli_html(f, rp->db_error);
		fputs("</span>", f);
	} else if (retort_current_revisions(&list, ctx) == 0) {
		revs_line(f, &list, "base (nothing applied)");
	}
	retort_revlist_release(&list);
	fputs("</dd>\n", f);
	failure(rp);
	cli_html_generated(f);
	fputs("</dl>\n<nav><a href=\"#graph\">graph</a><a href=\"#durations\">durations</a>"
	      "<a href=\"#lint\">lint</a><a href=\"#verify\">verify</a><a href=\"#check\">check</a>"
	      "<a href=\"#schema\">schema</a></nav>\n", f);
}

/* cli_graph_write's output as a string; NULL after it reported an error. */
static char *graph_text(struct report *rp, enum cli_graph_format fmt)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	int rc;

	if (!m)
		cli_oom();
	rc = cli_graph_write(rp->cli, m, fmt, rp->have_db ? &rp->now : NULL);
	if (fclose(m) != 0)
		cli_oom();
	if (rc != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void graph(struct report *rp)
{
	char *text;

	section(rp, "graph", "Revision graph");
	if (!(text = graph_text(rp, CLI_GRAPH_DOT))) {
		missing_error(rp, "the revision graph");
	} else if (!figure(rp, text, "drawn as text")) {
		free(text);
		if (!(text = graph_text(rp, CLI_GRAPH_TEXT))) {
			missing_error(rp, "the revision graph");
		} else {
			fputs("<pre class=\"graph\">", rp->f);
			cli_html(rp->f, text);
			fputs("</pre>\n", rp->f);
		}
	}
	free(text);
	fputs("</section>\n", rp->f);
}

/* The history rows that ran a migration (not stamps, nor the rows of a
 * transaction=false section's progress). */
static int is_step(const retort_history_row *row)
{
	return !strcmp(row->status, "applied") || !strcmp(row->status, "reverted") ||
	       !strcmp(row->status, "failed");
}

static void step_row(FILE *f, retort *ctx, const retort_history_row *row, double max)
{
	const retort_rev *rev = retort_lookup(ctx, row->revision);
	const char *kind = row->direction == RETORT_DOWN ? "down" : "";

	fputs("<tr><td class=\"rev\">", f);
	cli_html(f, row->revision);
	fputs("</td><td>", f);
	cli_html(f, rev ? retort_rev_message(rev) : "(no such file)");
	fputs("</td><td>", f);
	fputs(row->direction == RETORT_DOWN ? "downgrade" : "upgrade", f);
	if (strcmp(row->status, "failed") == 0) {
		kind = "failed";
		fputs(" <span class=\"bad\">failed</span>", f);
	}
	fputs("</td><td>", f);
	cli_html(f, row->applied_at);
	fputs("</td><td>", f);
	cli_html(f, row->applied_by);
	if (row->duration_ms < 0) {
		fputs("</td><td class=\"chart\"></td><td class=\"num\">not recorded</td></tr>\n", f);
		return;
	}
	/* the table keeps whole milliseconds: 0 is a step quicker than one */
	fprintf(f, "</td><td class=\"chart\"><span class=\"bar %s\" style=\"width:%.1f%%\">"
		"</span></td><td class=\"num\">%s%.0f ms</td></tr>\n", kind,
		max > 0 ? 100 * row->duration_ms / max : 0.0, row->duration_ms < 1 ? "&lt; " : "",
		row->duration_ms < 1 ? 1.0 : row->duration_ms);
}

static void durations(struct report *rp)
{
	retort_history_list hist = { NULL, 0 };
	size_t i, steps = 0, shown = 0;
	double max = 0, total = 0;
	FILE *f = rp->f;

	section(rp, "durations", "Migration durations");
	if (without_db(rp, "the durations"))
		goto done;
	if (retort_history_rows(&hist, rp->cli->ctx) < 0) {
		missing_error(rp, "the durations");
		goto done;
	}
	for (i = 0; i < hist.count; i++) {
		if (!is_step(&hist.rows[i]))
			continue;
		steps++;
		if (hist.rows[i].duration_ms > max)
			max = hist.rows[i].duration_ms;
		if (hist.rows[i].duration_ms > 0)
			total += hist.rows[i].duration_ms;
	}
	if (!steps) {
		fputs("<p>No migration has run on this database (its history table has no "
		      "step).</p>\n", f);
		goto done;
	}
	fprintf(f, "<p>%zu step%s, %.0f ms in all", steps, steps == 1 ? "" : "s", total);
	if (steps > MAX_STEPS)
		fprintf(f, "; the last %d shown", MAX_STEPS);
	fputs(".</p>\n<table class=\"durations\">\n<tr><th>revision</th><th>message</th>"
	      "<th>step</th><th>at</th><th>by</th><th colspan=\"2\">duration</th></tr>\n", f);
	for (i = 0; i < hist.count; i++)
		if (is_step(&hist.rows[i]) && ++shown + MAX_STEPS > steps)
			step_row(f, rp->cli->ctx, &hist.rows[i], max);
	fputs("</table>\n", f);
done:
	retort_history_list_release(&hist);
	fputs("</section>\n", f);
}

static void lint(struct report *rp)
{
	retort_lint_report lr;
	size_t i;
	FILE *f = rp->f;

	section(rp, "lint", "Lint");
	if (retort_lint(&lr, rp->cli->ctx, NULL, NULL) < 0) {
		missing_error(rp, "lint's findings");
		fputs("</section>\n", f);
		return;
	}
	fprintf(f, "<p class=\"%s\">%zu revision%s checked: %zu error%s, %zu warning%s.</p>\n",
		lr.errors ? "bad" : lr.count ? "warn" : "ok", lr.revisions,
		lr.revisions == 1 ? "" : "s", lr.errors, lr.errors == 1 ? "" : "s",
		lr.count - lr.errors, lr.count - lr.errors == 1 ? "" : "s");
	if (lr.count)
		fputs("<table class=\"lint\">\n<tr><th>level</th><th>rule</th><th>file</th>"
		      "<th>revision</th><th>message</th></tr>\n", f);
	for (i = 0; i < lr.count; i++) {
		const retort_lint_finding *x = &lr.findings[i];
		int error = x->level == RETORT_LINT_ERROR;

		fprintf(f, "<tr><td class=\"%s\">%s</td><td><code>", error ? "bad" : "warn",
			error ? "error" : "warning");
		cli_html(f, x->rule);
		fputs("</code></td><td><code>", f);
		cli_html(f, cli_relpath(x->path));
		fprintf(f, ":%d</code></td><td class=\"rev\">", x->line);
		cli_html(f, retort_rev_id(x->rev));
		fputs("</td><td>", f);
		cli_html(f, x->message);
		fputs("</td></tr>\n", f);
	}
	if (lr.count)
		fputs("</table>\n", f);
	retort_lint_report_release(&lr);
	fputs("</section>\n", f);
}

/* A <ul> of `items`, each escaped. */
static void list(FILE *f, const retort_strarray *items, const char *cls)
{
	size_t i;

	fprintf(f, "<ul class=\"%s\">\n", cls);
	for (i = 0; i < items->count; i++) {
		fputs("<li><code>", f);
		cli_html(f, items->strings[i]);
		fputs("</code></li>\n", f);
	}
	fputs("</ul>\n", f);
}

static void verify(struct report *rp)
{
	retort_strarray problems = { NULL, 0 };
	FILE *f = rp->f;

	section(rp, "verify", "Verify");
	if (without_db(rp, "verify's result"))
		goto done;
	if (retort_verify(&problems, rp->cli->ctx) < 0) {
		missing_error(rp, "verify's result");
	} else if (!problems.count) {
		fputs("<p class=\"ok\">Every applied migration matches its recorded checksum.</p>\n", f);
	} else {
		fputs("<p class=\"bad\">Applied migrations changed since:</p>\n", f);
		list(f, &problems, "bad");
	}
done:
	retort_strarray_release(&problems);
	fputs("</section>\n", f);
}

static void check(struct report *rp)
{
	retort *ctx = rp->cli->ctx;
	const char *schema = retort_config_get(ctx, "retort", "schema");
	const char *command = retort_config_get(ctx, "retort", "schema_command");
	retort_autogen ag = { 0 };
	FILE *f = rp->f;

	section(rp, "check", "Check");
	if ((!schema || !*schema) && (!command || !*command)) {
		/* not a failure: a project may have no model */
		fputs("<p>Not checked: no model configured (set <code>schema</code> or "
		      "<code>schema_command</code> in retort.ini to compare the database with "
		      "it).</p>\n", f);
		goto done;
	}
	if (without_db(rp, "check's result"))
		goto done;
	if (retort_check(&ag, ctx) < 0) {
		missing_error(rp, "check's result");
		goto done;
	}
	if (!ag.operations.count) {
		fputs("<p class=\"ok\">No changes: the database matches the schema.</p>\n", f);
	} else {
		fputs("<p class=\"bad\">The database differs from the schema; an "
		      "autogenerated revision would:</p>\n", f);
		list(f, &ag.operations, "bad");
	}
	if (ag.warnings.count) {
		fputs("<p class=\"warn\">Warnings:</p>\n", f);
		list(f, &ag.warnings, "warn");
	}
	retort_autogen_release(&ag);
done:
	fputs("</section>\n", f);
}

static void schema(struct report *rp)
{
	retort *ctx = rp->cli->ctx;
	char *text = NULL;
	FILE *f = rp->f;

	section(rp, "schema", "Schema");
	if (without_db(rp, "the ER diagram"))
		goto done;
	if (retort_schema_render(&text, ctx, "dot", NULL, 0) < 0) {
		fputs("<p class=\"note\">shown as SQL: ", f);
		cli_html_error(f, rp->cli);
		fputs("</p>\n", f);
	} else if (figure(rp, text, "shown as SQL")) {
		goto done;
	}
	free(text);
	text = NULL;
	if (retort_schema_dump(&text, ctx, NULL) < 0) {
		missing_error(rp, "the schema");
		goto done;
	}
	fputs("<pre class=\"schema\">", f);
	cli_html(f, text);
	fputs("</pre>\n", f);
done:
	free(text);
	fputs("</section>\n", f);
}

int cmd_report(struct cli *cli)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct report rp = { cli, NULL, { NULL, 0 }, 0, NULL };
	const char *path = NULL;
	char *html = NULL;
	size_t len = 0;
	int c, status;

	while ((c = cli_getopt(cli, "o:", opts)) != -1) {
		switch (c) {
		case 'o':
			path = optarg;
			break;
		default:
			return cli_bad_option(cli, c);
		}
	}
	if ((status = cli_setup(cli, 0, 0)) != 0)
		return status;
	/* without the project there is nothing to report */
	if (retort_load(cli->ctx) < 0)
		return cli_fail(cli);
	if (!(rp.f = open_memstream(&html, &len)))
		cli_oom();
	rp.have_db = retort_current(&rp.now, cli->ctx) == 0;
	if (!rp.have_db) {
		if (!(rp.db_error = retort_mask_secrets(retort_errmsg(cli->ctx))))
			cli_oom();
		cli_warning("report: cannot read the database: %s", rp.db_error);
	}
	cli_html_head(rp.f, "retort report");
	overview(&rp);
	graph(&rp);
	durations(&rp);
	lint(&rp);
	verify(&rp);
	check(&rp);
	schema(&rp);
	cli_html_tail(rp.f);
	if (fclose(rp.f) != 0)
		cli_oom();
	status = cli_write_page(cli, path, html, len);
	free(html);
	retort_strarray_release(&rp.now);
	free(rp.db_error);
	return status;
}
