/*
 * cmd_lint.c - `retort lint`: report statements of the migration files that
 * lose data, lock busy tables, or cannot run as their section says, one
 * line per finding in the compiler's `file:line:` form so that editors and
 * CI annotate them.
 */
#include "cli.h"

const char cmd_lint_usage[] =
	"usage: retort lint [RANGE] [-d DIALECT] [--format FMT]\n"
	"\n"
	"Check migration files without running them (no connection to the\n"
	"database, unless RANGE names current; where a rule needs a table as the\n"
	"earlier migrations left it, they are replayed on a scratch database:\n"
	"SQLite a temporary file, PostgreSQL one on dev_url's server).  One line\n"
	"per finding:\n"
	"    FILE:LINE: warning|error: [RULE] MESSAGE (revision REV)\n"
	"Exit status 1 when an error-level rule fired, else 0.  A comment\n"
	"`-- retort:lint-ignore RULE[, RULE]` on the line before a statement (or\n"
	"a section marker) silences those rules there.\n"
	"\n"
	"    RANGE                  A:B, A:, :B, current:, or one REV (default: all)\n"
	"    -d, --dialect DIALECT  sqlite, postgresql or all (default: the\n"
	"                           database URL's, all when there is none)\n"
	"    --format FMT           text (default) or json (docs/json.md)\n"
	"\n"
	"rules:\n"
	"    drop-table, drop-column, truncate, type-narrowing       warning\n"
	"    pg-index-not-concurrent, pg-foreign-key-validated,\n"
	"    pg-add-not-null-column, pg-set-not-null,\n"
	"    pg-alter-column-type, pg-add-primary-key      warning (PostgreSQL)\n"
	"    transaction-false-unneeded, lint-ignore-unknown,\n"
	"    do-dynamic-sql                                           warning\n"
	"    dialect-syntax           warning (each dialect of `dialects` in\n"
	"                             retort.ini: a statement of a section with\n"
	"                             no dialect tag that one of them rejects)\n"
	"    non-transactional-statement, syntax-error                error\n";

static void put_text(struct cli *cli, const retort_lint_report *report)
{
	size_t i;

	for (i = 0; i < report->count; i++) {
		const retort_lint_finding *f = &report->findings[i];
		int error = f->level == RETORT_LINT_ERROR;

		printf("%s:%d: %s%s:%s [%s] %s (revision %s%s%s)\n", cli_relpath(f->path), f->line,
		       cli_color(stdout, error ? CLI_COLOR_ERROR : CLI_COLOR_WARNING),
		       error ? "error" : "warning", cli_color_end(stdout), f->rule, f->message,
		       cli_color(stdout, CLI_COLOR_REV), retort_rev_id(f->rev), cli_color_end(stdout));
	}
	if (cli->verbose) {
		printf("checked %zu revision%s: %zu error%s, %zu warning%s", report->revisions,
		       report->revisions == 1 ? "" : "s", report->errors,
		       report->errors == 1 ? "" : "s", report->count - report->errors,
		       report->count - report->errors == 1 ? "" : "s");
		if (report->skipped)
			printf("; %zu SQLite statement%s PostgreSQL's parser cannot read not checked",
			       report->skipped, report->skipped == 1 ? "" : "s");
		putchar('\n');
	}
}

static int put_json(const retort_lint_report *report, const char *range, const char *dialect)
{
	json_t *doc = cli_json_doc("lint"), *list = json_array();
	size_t i;

	for (i = 0; i < report->count; i++) {
		const retort_lint_finding *f = &report->findings[i];
		json_t *o = json_object();

		json_object_set_new(o, "rule", json_string(f->rule));
		json_object_set_new(o, "level", json_string(f->level == RETORT_LINT_ERROR
							     ? "error" : "warning"));
		json_object_set_new(o, "revision", cli_json_text(retort_rev_id(f->rev)));
		json_object_set_new(o, "path", cli_json_text(f->path));
		json_object_set_new(o, "line", json_integer(f->line));
		json_object_set_new(o, "message", cli_json_text(f->message));
		json_array_append_new(list, o);
	}
	json_object_set_new(doc, "range", cli_json_text_or_null(range));
	json_object_set_new(doc, "dialect", cli_json_text_or_null(dialect));
	json_object_set_new(doc, "findings", list);
	json_object_set_new(doc, "errors", json_integer((json_int_t)report->errors));
	json_object_set_new(doc, "warnings", json_integer((json_int_t)(report->count -
								       report->errors)));
	json_object_set_new(doc, "skipped", json_integer((json_int_t)report->skipped));
	json_object_set_new(doc, "revisions", json_integer((json_int_t)report->revisions));
	return cli_json_print(doc);
}

int cmd_lint(struct cli *cli)
{
	static const struct option opts[] = {
		{ "dialect", required_argument, NULL, 'd' },
		{ "format",  required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 }
	};
	retort_lint_report report;
	const char *dialect = NULL;
	int c, status, json = 0;

	while ((c = cli_getopt(cli, "d:", opts)) != -1) {
		switch (c) {
		case 'd':
			dialect = optarg;
			break;
		case 'F':
			if ((json = cli_format_option(cli, optarg)) < 0)
				return EXIT_USAGE;
			break;
		default:
			return cli_bad_option(cli, c);
		}
	}
	if ((status = cli_setup(cli, 0, 1)) != 0)
		return status;
	if (retort_lint(&report, cli->ctx, cli->nargs ? cli->args[0] : NULL, dialect) < 0)
		return cli_fail(cli);
	if (json)
		status = put_json(&report, cli->nargs ? cli->args[0] : NULL, dialect);
	else
		put_text(cli, &report);
	if (report.errors)
		status = 1;
	retort_lint_report_release(&report);
	return status;
}
