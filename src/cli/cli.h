/*
 * cli.h - what the files of the `retort` program share: the command table
 * entry, the state of one run, option parsing and the output helpers.
 *
 * Commands return the process exit status: 0 success, 1 failure, 2 usage
 * error.  Only this program prints; it reaches the library through
 * retort.h alone.
 */
#ifndef CLI_H
#define CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>

#include "retort.h"

#define EXIT_USAGE 2

struct cli;

/* Set-up a command needs before it runs (git's RUN_SETUP). */
#define NEED_CONFIG (1u << 0)  /* retort_open() with the global options */

struct cli_command {
	const char *name;
	int (*fn)(struct cli *cli);
	unsigned int flags;
	const char *summary;
	const char *usage;  /* printed by `retort NAME --help` */
};

struct cli {
	retort *ctx;
	retort_options opts;  /* from -c, -u, -x */
	char *url;            /* -u's copy (opts.url); argv's has its password wiped */
	int quiet;
	int verbose;
	const struct cli_command *cmd;
	/* the command's words, argv[0] being its name */
	int argc;
	char **argv;
	/* positional arguments, valid after cli_setup() */
	char **args;
	int nargs;
	/* parse.c's state */
	char **words;
	int nwords;
	int word;  /* the word getopt is looking at, for error messages */
	char *optstring;
	struct option *longopts;
};

/* ---- parse.c ------------------------------------------------------------ */

/* getopt_long() over the command's words.  Every command also takes
 * -h/--help (returned as 'h'), and -q/--quiet and -v/--verbose, which set
 * cli->quiet and cli->verbose as the global options do.  Options may
 * follow positional arguments, and a positional argument may look like a
 * negative number (`downgrade -1`).  Returns -1 after the last option; a
 * value the caller does not handle goes to cli_bad_option(). */
int cli_getopt(struct cli *cli, const char *shortopts, const struct option *longopts);

/* For the `default:` case of an option switch: prints the usage on stdout
 * and returns 0 for --help, otherwise reports the bad option and returns
 * EXIT_USAGE. */
int cli_bad_option(struct cli *cli, int c);

/* After the options: checks that there are between min and max positional
 * arguments (max < 0: no limit), then does the command's set-up (flags).
 * Returns 0, or the exit status the command must return. */
int cli_setup(struct cli *cli, int min, int max);

/* Print "error: MSG" and the command's usage on stderr; returns EXIT_USAGE. */
int cli_usage_error(struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The index of `value` in `choices` (NULL-terminated), the values option
 * `option` takes ("--format"); -1 after cli_usage_error() named them all,
 * when the caller returns EXIT_USAGE. */
int cli_choice(struct cli *cli, const char *option, const char *value,
	       const char *const *choices);

/* Print "error: " + retort_errmsg() on stderr; returns 1. */
int cli_fail(struct cli *cli);

/* "error: MSG" and "warning: MSG" on stderr, the word coloured. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* What cli_getopt() returns after it reported a bad value of an option
 * every command takes (--color=WHEN); cli_bad_option() then returns
 * EXIT_USAGE without a second message. */
#define CLI_OPT_REPORTED 0x200

/* --color[=WHEN] (NULL: always): sets the colour of both streams; -1
 * after a usage error. */
int cli_color_option(struct cli *cli, const char *value);

/* Release parse.c's state. */
void cli_release(struct cli *cli);

/* ---- main.c ---------------------------------------------------------- */

/* Report "out of memory" and exit 1. */
void cli_oom(void) __attribute__((noreturn));
/* realloc() that never returns NULL. */
void *cli_realloc(void *ptr, size_t n);

/* ---- color.c ------------------------------------------------------------ */

/* --color=WHEN: the values, in cli_color_modes' order (for cli_choice) */
enum cli_color_mode { CLI_COLOR_AUTO, CLI_COLOR_ALWAYS, CLI_COLOR_NEVER };
extern const char *const cli_color_modes[];

/* What is coloured. */
enum cli_color_role {
	CLI_COLOR_REV,      /* a revision id */
	CLI_COLOR_MARK,     /* (head), (current) */
	CLI_COLOR_LABEL,    /* branch labels */
	CLI_COLOR_ERROR,    /* "error:" */
	CLI_COLOR_WARNING,  /* "warning:" */
};

/* Decide for stdout and stderr: auto colours a stream that is a terminal,
 * unless TERM is "dumb" or NO_COLOR is set and not empty.  Until called,
 * nothing is coloured. */
void cli_color_set(enum cli_color_mode mode);
/* The escape sequence that starts `role` on `stream` (stdout or stderr),
 * and the one that ends it; "" when the stream is not coloured. */
const char *cli_color(FILE *stream, enum cli_color_role role);
const char *cli_color_end(FILE *stream);
/* `text` on `stream`, coloured as `role`. */
void cli_put_colored(FILE *stream, enum cli_color_role role, const char *text);

/* ---- format.c --------------------------------------------------------- */

#define CLI_FLAGS_ALL (RETORT_REV_HEAD | RETORT_REV_BRANCHPOINT | RETORT_REV_MERGEPOINT)

/* " (head)" (" (effective head)" when others depend on it), " (current)"
 * when `current`, then " (branchpoint)", " (mergepoint)": the flags of
 * `rev` within `which`, in Alembic's order. */
void cli_put_flags(const retort_rev *rev, unsigned int which, int current);
/* " (a, b)": the branch labels of `rev`, its own and those of its branch;
 * nothing when there are none. */
void cli_put_labels(const retort_rev *rev);
/* The id of `rev`, coloured on a terminal. */
void cli_put_id(const retort_rev *rev);
/* The id, the labels, then the flags within `which`: "1a2b (shop) (head)". */
void cli_put_rev(const retort_rev *rev, unsigned int which);
/* The parent ids, ", " between them; "<base>" for none; with `deps`, then
 * what it depends on in parentheses (history's "a1 (c1) -> b1"). */
void cli_put_parents(const retort_rev *rev, int deps);
/* The block of `retort show` (Alembic's log entry). */
void cli_put_show(const retort_rev *rev, int current);
/* Is `id` one of the version table's ids? */
int cli_is_current(const retort_strarray *current, const char *id);
/* `path` relative to the current directory when below it, else `path`. */
const char *cli_relpath(const char *path);
/* A retort_write_fn writing to stdout (offline --sql output). */
int cli_write_stdout(const char *data, size_t len, void *payload);

/* ---- graph.c ------------------------------------------------------------- */

enum cli_graph_format { CLI_GRAPH_TEXT, CLI_GRAPH_DOT, CLI_GRAPH_MERMAID };

/* Draw the revision graph of cli->ctx (loaded) onto `out`.
 * `current`: the version table's rows, the applied revisions and the
 * current ones highlighted; NULL: no database.  Returns 0, or 1 after
 * reporting an error. */
int cli_graph_write(struct cli *cli, FILE *out, enum cli_graph_format fmt,
		    const retort_strarray *current);

/* cmd_graph.c: `retort graph` and `history --graph` once the options are
 * read: the database's rows when a URL is set and not `no_db` (an error
 * when it cannot be reached), then cli_graph_write() on stdout. */
int cli_graph_command(struct cli *cli, enum cli_graph_format fmt, int no_db);

/* ---- json.c ---------------------------------------------------------------- */

/* `--format json` (docs/json.md): every document is one object that starts
 * with "format_version" and "command".  Within a format version, fields
 * are only ever added. */
#define CLI_JSON_VERSION 1

/* The option `--format text|json`: 0 text, 1 json, -1 after the usage
 * error (return EXIT_USAGE). */
int cli_format_option(struct cli *cli, const char *value);
/* The options of a command whose only one is --format: sets *json and
 * returns -1 when the command goes on, else the status it exits with
 * (0 after --help). */
int cli_format_only(struct cli *cli, int *json);
/* {"format_version": 1, "command": COMMAND}, to add the rest to. */
json_t *cli_json_doc(const char *command);
/* Print `doc` on stdout, indented, and release it; returns 0, or 1 after
 * reporting that stdout could not be written. */
int cli_json_print(json_t *doc);
/* A JSON string for any bytes (NULL: ""): invalid UTF-8 becomes U+FFFD. */
json_t *cli_json_text(const char *s);
/* cli_json_text, or null for NULL and "". */
json_t *cli_json_text_or_null(const char *s);
/* An array of the strings. */
json_t *cli_json_strings(const retort_strarray *list);
/* The revision object of docs/json.md; "is_current" only when `current`
 * (the version table's rows) is given. */
json_t *cli_json_rev(const retort_rev *rev, const retort_strarray *current);
/* An array of cli_json_rev objects. */
json_t *cli_json_revs(const retort_revlist *list, const retort_strarray *current);
/* The half-applied migration as an object, or null for NULL. */
json_t *cli_json_failure(const retort_failure *f);
/* cli_json_print() of `doc` with `key` (added last so far) holding the
 * cli_json_rev objects of `list`, each made and written in turn: long
 * histories are not held as one tree. */
int cli_json_print_revs(json_t *doc, const char *key, const retort_revlist *list,
			const retort_strarray *current);

/* ---- report.c: the HTML pages of report and fleet report ------------------ */

/* `text` with & < > " ' as entities. */
void cli_html(FILE *f, const char *text);
/* The context's error message, escaped and with passwords masked. */
void cli_html_error(FILE *f, struct cli *cli);
/* From <!DOCTYPE html> to the <h1> of `title`: the inline style and a
 * Content-Security-Policy that lets the page load nothing. */
void cli_html_head(FILE *f, const char *title);
/* One <dt>NAME</dt><dd>VALUE</dd> of a <dl class="meta">. */
void cli_html_meta(FILE *f, const char *name, const char *value);
/* The meta lines "generated" (the time, UTC) and "by" (retort's version). */
void cli_html_generated(FILE *f);
void cli_html_tail(FILE *f);
/* Write `html` to `path` through a temporary file renamed over it
 * (retort_write_file; NULL: stdout); 0, or 1 after printing the error. */
int cli_write_page(struct cli *cli, const char *path, const char *html, size_t len);

/* ---- the commands (cmd_*.c) ---------------------------------------------- */

/* Each takes the words after the global options; its usage is the text
 * of `retort NAME --help`. */
int cmd_init(struct cli *cli);
int cmd_revision(struct cli *cli);
int cmd_merge(struct cli *cli);
int cmd_upgrade(struct cli *cli);
int cmd_downgrade(struct cli *cli);
int cmd_current(struct cli *cli);
int cmd_history(struct cli *cli);
int cmd_graph(struct cli *cli);
int cmd_heads(struct cli *cli);
int cmd_branches(struct cli *cli);
int cmd_show(struct cli *cli);
int cmd_stamp(struct cli *cli);
int cmd_fleet(struct cli *cli);
int cmd_lint(struct cli *cli);
int cmd_restore(struct cli *cli);
int cmd_test(struct cli *cli);
int cmd_verify(struct cli *cli);
int cmd_check(struct cli *cli);
int cmd_schema(struct cli *cli);
int cmd_embed(struct cli *cli);
int cmd_edit(struct cli *cli);
int cmd_ensure_version(struct cli *cli);
int cmd_list_templates(struct cli *cli);
int cmd_import(struct cli *cli);
int cmd_wait(struct cli *cli);
int cmd_report(struct cli *cli);

extern const char cmd_init_usage[];
extern const char cmd_embed_usage[];
extern const char cmd_import_usage[];
extern const char cmd_revision_usage[];
extern const char cmd_merge_usage[];
extern const char cmd_upgrade_usage[];
extern const char cmd_downgrade_usage[];
extern const char cmd_current_usage[];
extern const char cmd_history_usage[];
extern const char cmd_graph_usage[];
extern const char cmd_heads_usage[];
extern const char cmd_branches_usage[];
extern const char cmd_show_usage[];
extern const char cmd_stamp_usage[];
extern const char cmd_fleet_usage[];
extern const char cmd_lint_usage[];
extern const char cmd_restore_usage[];
extern const char cmd_test_usage[];
extern const char cmd_verify_usage[];
extern const char cmd_check_usage[];
extern const char cmd_schema_usage[];
extern const char cmd_edit_usage[];
extern const char cmd_ensure_version_usage[];
extern const char cmd_list_templates_usage[];
extern const char cmd_wait_usage[];
extern const char cmd_report_usage[];
extern const char cmd_import_usage[];

/* import_alembic.c: `retort import alembic` (cmd_import picks it), and the
 * Python program it runs (import_alembic.py, made a C string by CMake). */
int cli_import_alembic(struct cli *cli);
extern const char cli_import_alembic_py[];

/* cmd_revision.c: create the file and print "created PATH" (revision and
 * merge). */
int cli_create_revision(struct cli *cli, const retort_revision_options *opts);

#endif
