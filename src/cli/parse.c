/*
 * parse.c - option parsing shared by every command: getopt_long() with
 * -h, -q and -v added, usage errors, and the set-up a command's flags ask
 * for.
 *
 * Before getopt sees the words they are put in order: options (with their
 * values) first, then "--", then the positional arguments.  getopt alone
 * would take `downgrade -1` for an unknown option `-1`; sorting them
 * ourselves keeps GNU's "options anywhere" and makes `-1` a target.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static char dashdash[] = "--";

/* getopt's value for --color, which every command takes */
#define OPT_COLOR 0x201

static int is_option(const char *w)
{
	return w[0] == '-' && w[1] != '\0' && !isdigit((unsigned char)w[1]);
}

/* Does option word `w` take its value from the next word? */
static int wants_next_word(const struct cli *cli, const char *w)
{
	if (w[1] == '-') {
		const char *name = w + 2;
		size_t len = strcspn(name, "=");
		const struct option *o;
		int found = 0, wants = 0;

		if (name[len] == '=')
			return 0;
		for (o = cli->longopts; o->name; o++) {
			if (strncmp(o->name, name, len) != 0)
				continue;
			if (o->name[len] == '\0')  /* exact beats abbreviations */
				return o->has_arg == required_argument;
			found++;
			wants += o->has_arg == required_argument;
		}
		return found && wants == found;
	}
	for (w++; *w; w++) {
		const char *p = *w == ':' ? NULL : strchr(cli->optstring, *w);

		if (!p)
			return 0;
		if (p[1] == ':' && p[2] != ':')
			return w[1] == '\0';
	}
	return 0;
}

static void prepare(struct cli *cli, const char *shortopts, const struct option *longopts)
{
	static const struct option common[] = {
		{ "help",    no_argument, NULL, 'h' },
		{ "quiet",   no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "color",   optional_argument, NULL, OPT_COLOR },
		{ "colour",  optional_argument, NULL, OPT_COLOR },
		{ NULL, 0, NULL, 0 }
	};
	size_t n = 0, len = strlen(shortopts);
	int i, nw = 0, npos = 0, dangling = 0;
	char **pos;

	while (longopts && longopts[n].name)
		n++;
	cli->longopts = cli_realloc(NULL, (n + sizeof(common) / sizeof(*common)) *
				    sizeof(*cli->longopts));
	if (n)
		memcpy(cli->longopts, longopts, n * sizeof(*longopts));
	memcpy(cli->longopts + n, common, sizeof(common));
	/* ':' first: a missing value is reported as ':', not '?' */
	cli->optstring = cli_realloc(NULL, len + 5);
	cli->optstring[0] = ':';
	memcpy(cli->optstring + 1, shortopts, len);
	memcpy(cli->optstring + 1 + len, "hqv", 4);

	cli->words = cli_realloc(NULL, ((size_t)cli->argc + 2) * sizeof(*cli->words));
	pos = cli_realloc(NULL, (size_t)cli->argc * sizeof(*pos));
	cli->words[nw++] = cli->argv[0];
	for (i = 1; i < cli->argc; i++) {
		char *w = cli->argv[i];

		if (!strcmp(w, "--")) {
			while (++i < cli->argc)
				pos[npos++] = cli->argv[i];
			break;
		}
		if (!is_option(w)) {
			pos[npos++] = w;
			continue;
		}
		cli->words[nw++] = w;
		if (wants_next_word(cli, w)) {
			if (i + 1 < cli->argc)
				cli->words[nw++] = cli->argv[++i];
			else
				dangling = 1;
		}
	}
	/* a value missing at the end: nothing may follow, or getopt
	 * would take it for the value */
	if (!dangling) {
		cli->words[nw++] = dashdash;
		memcpy(cli->words + nw, pos, (size_t)npos * sizeof(*pos));
		nw += npos;
	}
	cli->nwords = nw;
	cli->words[nw] = NULL;
	free(pos);
	optind = 0;  /* glibc: start afresh (the global options used getopt) */
	opterr = 0;
}

int cli_getopt(struct cli *cli, const char *shortopts, const struct option *longopts)
{
	if (!cli->words)
		prepare(cli, shortopts, longopts);
	for (;;) {
		int c;

		cli->word = optind ? optind : 1;
		c = getopt_long(cli->nwords, cli->words, cli->optstring, cli->longopts, NULL);
		/* "-r=-2:current": argparse, and so Alembic, reads the value
		 * after the '=' of a short option; getopt would keep it */
		if (optarg && optarg[0] == '=' && optarg == cli->words[cli->word] + 2 &&
		    cli->words[cli->word][0] == '-' && cli->words[cli->word][1] != '-')
			optarg++;
		if (c == 'q')
			cli->quiet = 1;
		else if (c == 'v')
			cli->verbose = 1;
		else if (c == OPT_COLOR && cli_color_option(cli, optarg) < 0)
			return CLI_OPT_REPORTED;
		else if (c != OPT_COLOR)
			return c;
	}
}

int cli_bad_option(struct cli *cli, int c)
{
	const char *w = cli->words[cli->word];

	if (c == 'h') {
		fputs(cli->cmd->usage, stdout);
		return 0;
	}
	if (c == CLI_OPT_REPORTED)
		return EXIT_USAGE;
	if (w[0] != '-' || w[1] != '-')
		return cli_usage_error(cli, c == ':' ? "option '-%c' needs a value"
				       : "unknown option '-%c'", optopt);
	if (c == ':')
		return cli_usage_error(cli, "option '%.*s' needs a value",
				       (int)strcspn(w, "="), w);
	if (optopt && strchr(w, '='))
		return cli_usage_error(cli, "option '%.*s' takes no value",
				       (int)strcspn(w, "="), w);
	return cli_usage_error(cli, "unknown option '%.*s'", (int)strcspn(w, "="), w);
}

int cli_setup(struct cli *cli, int min, int max)
{
	cli->args = cli->words + optind;
	cli->nargs = cli->nwords - optind;
	if (cli->nargs < min)
		return cli_usage_error(cli, "missing argument");
	if (max >= 0 && cli->nargs > max)
		return cli_usage_error(cli, "unexpected argument '%s'", cli->args[max]);
	if ((cli->cmd->flags & NEED_CONFIG) && retort_open(cli->ctx, &cli->opts) < 0)
		return cli_fail(cli);
	/* the file found by the search upwards is not always the one meant */
	if ((cli->cmd->flags & NEED_CONFIG) && cli->verbose && !cli->quiet)
		fprintf(stderr, "using config file '%s'\n",
			retort_config_path(cli->ctx) ? retort_config_path(cli->ctx) : "(none)");
	return 0;
}

/* "error: MSG" or "warning: MSG", the word coloured */
static void vreport(enum cli_color_role role, const char *word, const char *fmt, va_list ap)
{
	cli_put_colored(stderr, role, word);
	fputc(' ', stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cli_usage_error(struct cli *cli, const char *fmt, ...)
{
	const char *usage = cli->cmd->usage, *end = strstr(usage, "\n\n");
	va_list ap;

	va_start(ap, fmt);
	vreport(CLI_COLOR_ERROR, "error:", fmt, ap);
	va_end(ap);
	/* the synopsis only: the first paragraph */
	fwrite(usage, 1, end ? (size_t)(end - usage + 1) : strlen(usage), stderr);
	return EXIT_USAGE;
}

int cli_choice(struct cli *cli, const char *option, const char *value,
	       const char *const *choices)
{
	size_t i, n;
	char list[256] = "";

	for (n = 0; choices[n]; n++)
		if (!strcmp(choices[n], value))
			return (int)n;
	/* "--format is text, json or dot, not 'x'" */
	for (i = 0; i < n; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i == 0 ? "" : i + 1 == n ? " or " : ", ", choices[i]);
	cli_usage_error(cli, "%s is %s, not '%s'", option, list, value);
	return -1;
}

int cli_fail(struct cli *cli)
{
	/* the library masks the URLs it quotes; this catches a password in
	 * whatever else a message quotes (a database's own message, a value
	 * from the environment) */
	char *masked = retort_mask_secrets(retort_errmsg(cli->ctx));

	cli_error("%s", masked ? masked : "out of memory");
	free(masked);
	return 1;
}

int cli_color_option(struct cli *cli, const char *value)
{
	int mode = value ? cli_choice(cli, "--color", value, cli_color_modes) : CLI_COLOR_ALWAYS;

	if (mode >= 0)
		cli_color_set((enum cli_color_mode)mode);
	return mode;
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(CLI_COLOR_ERROR, "error:", fmt, ap);
	va_end(ap);
}

void cli_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(CLI_COLOR_WARNING, "warning:", fmt, ap);
	va_end(ap);
}

void cli_release(struct cli *cli)
{
	free(cli->words);
	free(cli->optstring);
	free(cli->longopts);
}
