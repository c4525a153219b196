/*
 * main.c - the `retort` program: global options, the command table and
 * dispatch (git's git.c).  Each command lives in its own cmd_<name>.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cli_command commands[] = {
	{ "init",      cmd_init,      0,           "create a new project",
	  cmd_init_usage },
	{ "revision",  cmd_revision,  NEED_CONFIG, "create a new revision file",
	  cmd_revision_usage },
	{ "merge",     cmd_merge,     NEED_CONFIG, "create a revision merging several heads",
	  cmd_merge_usage },
	{ "upgrade",   cmd_upgrade,   NEED_CONFIG, "upgrade the database to a later revision",
	  cmd_upgrade_usage },
	{ "downgrade", cmd_downgrade, NEED_CONFIG, "revert the database to an earlier revision",
	  cmd_downgrade_usage },
	{ "current",   cmd_current,   NEED_CONFIG, "show the database's current revisions",
	  cmd_current_usage },
	{ "history",   cmd_history,   NEED_CONFIG, "list revisions, newest first",
	  cmd_history_usage },
	{ "graph",     cmd_graph,     NEED_CONFIG, "draw the revision graph (text, dot or mermaid)",
	  cmd_graph_usage },
	{ "heads",     cmd_heads,     NEED_CONFIG, "show the head revisions",
	  cmd_heads_usage },
	{ "branches",  cmd_branches,  NEED_CONFIG, "show the branch points",
	  cmd_branches_usage },
	{ "show",      cmd_show,      NEED_CONFIG, "show one or more revisions in detail",
	  cmd_show_usage },
	{ "stamp",     cmd_stamp,     NEED_CONFIG, "set the version table without running migrations",
	  cmd_stamp_usage },
	{ "verify",    cmd_verify,    NEED_CONFIG, "check that applied migrations were not edited",
	  cmd_verify_usage },
	{ "check",     cmd_check,     NEED_CONFIG, "exit 1 when the database differs from the schema files",
	  cmd_check_usage },
	{ "schema",    cmd_schema,    NEED_CONFIG, "print the database's schema as SQL (schema dump)",
	  cmd_schema_usage },
	{ "fleet",     cmd_fleet,     NEED_CONFIG, "run upgrade/downgrade/current on every tenant database",
	  cmd_fleet_usage },
	{ "lint",      cmd_lint,      NEED_CONFIG, "check migration files for risky statements",
	  cmd_lint_usage },
	{ "test",      cmd_test,      NEED_CONFIG, "exercise every migration up, down, up on a scratch database",
	  cmd_test_usage },
	{ "report",    cmd_report,    NEED_CONFIG, "write an HTML page of the graph, durations, lint, checks and schema",
	  cmd_report_usage },
	{ "restore",   cmd_restore,   NEED_CONFIG, "put a backup made by --backup back",
	  cmd_restore_usage },
	{ "embed",     cmd_embed,     NEED_CONFIG, "write the migrations as a C file to build into a program",
	  cmd_embed_usage },
	{ "edit",      cmd_edit,      NEED_CONFIG, "open a revision's file in $EDITOR",
	  cmd_edit_usage },
	{ "ensure_version", cmd_ensure_version, NEED_CONFIG,
	  "create the version table if it does not exist", cmd_ensure_version_usage },
	{ "list_templates", cmd_list_templates, 0, "list the templates of 'init --template'",
	  cmd_list_templates_usage },
	{ "wait",      cmd_wait,      NEED_CONFIG, "wait until the database accepts connections",
	  cmd_wait_usage },
	{ "import",    cmd_import,    0,           "make another tool's migrations retort revisions (Alembic, dbmate, ...)",
	  cmd_import_usage },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

void cli_oom(void)
{
	cli_error("out of memory");
	exit(1);
}

void *cli_realloc(void *ptr, size_t n)
{
	void *p = realloc(ptr, n ? n : 1);

	if (!p)
		cli_oom();
	return p;
}

static const char usage[] =
	"usage: retort [-c FILE] [-u URL] [-x KEY=VALUE]... [-q|-v] COMMAND [ARGS]\n"
	"       retort --help | --version | COMMAND --help\n";

/* Stands in for a command while the global options are parsed, so that
 * cli_bad_option() and cli_usage_error() print the global usage. */
static const struct cli_command global = { "retort", NULL, 0, NULL, usage };

static void print_help(void)
{
	size_t i;

	fputs(usage, stdout);
	fputs("\n"
	      "options:\n"
	      "    -c, --config FILE    the retort.ini to use (default: search upwards)\n"
	      "    -u, --url URL        database URL, beats the file's url\n"
	      "    -x KEY=VALUE         a variable for templates (repeatable)\n"
	      "    -q, --quiet          only errors (and the data asked for)\n"
	      "    -v, --verbose        more detail\n"
	      "        --color[=WHEN]   colour: auto (on a terminal, unless NO_COLOR is\n"
	      "                         set; the default), always (--color alone) or never\n"
	      "    -h, --help           this help\n"
	      "        --version        print the version\n"
	      "\n"
	      "commands:\n", stdout);
	for (i = 0; i < NCOMMANDS; i++)
		printf("    %-14s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'retort COMMAND --help' describes one command.\n", stdout);
}

static const struct cli_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* Edits (insert, delete, change, swap two neighbours) from `a` to `b`,
 * for a mistyped command's "did you mean". */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t d[32][32];

	if (la > 30 || lb > 30)
		return (size_t)-1;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

/* The command `name` was probably meant to be, or NULL. */
static const char *similar_command(const char *name)
{
	const char *best = NULL;
	size_t i, min = (size_t)-1, most = strlen(name) / 3 + 1;

	for (i = 0; i < NCOMMANDS; i++) {
		size_t d = distance(name, commands[i].name);
		if (d < min) {
			min = d;
			best = commands[i].name;
		}
	}
	return min <= most && min <= 2 ? best : NULL;
}

/* Options before the command; returns -1 to go on, else the exit status. */
static int parse_global(struct cli *cli, int argc, char **argv, const char **vars)
{
	static const struct option opts[] = {
		{ "config",  required_argument, NULL, 'c' },
		{ "url",     required_argument, NULL, 'u' },
		{ "quiet",   no_argument,       NULL, 'q' },
		{ "verbose", no_argument,       NULL, 'v' },
		{ "help",    no_argument,       NULL, 'h' },
		{ "version", no_argument,       NULL, 'V' },
		{ "color",   optional_argument, NULL, 'C' },
		{ "colour",  optional_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	cli->cmd = &global;
	cli->words = argv;
	opterr = 0;
	for (;;) {
		cli->word = optind;
		/* '+': stop at the command name, its options are its own */
		if ((c = getopt_long(argc, argv, "+:c:u:x:qvh", opts, NULL)) == -1)
			break;
		switch (c) {
		case 'c':
			cli->opts.config_path = optarg;
			break;
		case 'u':
			/* retort connects with a copy; the password in argv is
			 * overwritten, as psql and mysql do, so that it does not
			 * stay readable in /proc/PID/cmdline (ps, top) for the
			 * whole run (a -u given twice: the first copy goes) */
			free(cli->url);
			if (!(cli->url = strdup(optarg)))
				cli_oom();
			retort_wipe_secrets(optarg);
			cli->opts.url = cli->url;
			break;
		case 'x':
			if (optarg[0] == '=' || !strchr(optarg, '='))
				return cli_usage_error(cli, "-x wants KEY=VALUE, not '%s'", optarg);
			vars[cli->opts.nvars++] = optarg;
			break;
		case 'q':
			cli->quiet = 1;
			break;
		case 'v':
			cli->verbose = 1;
			break;
		case 'h':
			print_help();
			return 0;
		case 'V':
			printf("retort %s\n", retort_version());
			return 0;
		case 'C':
			if (cli_color_option(cli, optarg) < 0)
				return EXIT_USAGE;
			break;
		default:
			return cli_bad_option(cli, c);
		}
	}
	cli->words = NULL;
	if (optind == argc)
		return cli_usage_error(cli, "no command given");
	if (!(cli->cmd = find_command(argv[optind]))) {
		const char *like = similar_command(argv[optind]);
		cli->cmd = &global;
		if (like)
			return cli_usage_error(cli, "unknown command '%s'; did you mean '%s'?",
					       argv[optind], like);
		return cli_usage_error(cli, "unknown command '%s'", argv[optind]);
	}
	/* as ALEMBIC_CONFIG: the config file, unless -c names one */
	if (!cli->opts.config_path && getenv("RETORT_CONFIG") && *getenv("RETORT_CONFIG"))
		cli->opts.config_path = getenv("RETORT_CONFIG");
	cli->argc = argc - optind;
	cli->argv = argv + optind;
	return -1;
}

/* A command that printed into a full disk or a closed pipe failed. */
static int check_stdout(int status)
{
	int err = fflush(stdout) ? errno : 0;

	if (!ferror(stdout))
		return status;
	cli_error("cannot write to standard output%s%s", err ? ": " : "",
		  err ? strerror(err) : "");
	return status ? status : 1;
}

static char *concat(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 1;
	char *out = cli_realloc(NULL, n);

	snprintf(out, n, "%s%s", a, b);
	return out;
}

/* The header cache's folder (caller frees; NULL: none): $RETORT_CACHE_DIR,
 * where "" switches the cache off, else $XDG_CACHE_HOME/retort, else
 * ~/.cache/retort. */
static char *cache_dir(void)
{
	const char *env = getenv("RETORT_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	if (env)
		return *env ? concat(env, "") : NULL;
	if (xdg && xdg[0] == '/')
		return concat(xdg, "/retort");
	if (home && home[0] == '/')
		return concat(home, "/.cache/retort");
	return NULL;
}

int main(int argc, char **argv)
{
	struct cli cli;
	const char **vars = cli_realloc(NULL, (size_t)argc * sizeof(*vars));
	retort_options opts = RETORT_OPTIONS_INIT;
	char *cache = cache_dir();
	int status;

	/* the process is ours: no SQLite memory statistics (and their lock) */
	retort_global_init();
	memset(&cli, 0, sizeof(cli));
	cli.opts = opts;
	cli.opts.vars = vars;
	cli.opts.cache_dir = cache;
	cli_color_set(CLI_COLOR_AUTO);
	status = parse_global(&cli, argc, argv, vars);
	if (status < 0) {
		if (retort_new(&cli.ctx) < 0)
			cli_oom();
		status = cli.cmd->fn(&cli);
		retort_free(cli.ctx);
		cli_release(&cli);
	}
	free(cli.url);
	free(vars);
	free(cache);
	return check_stdout(status);
}
