/*
 * color.c - colour on a terminal: the escape sequences of the few things
 * worth spotting at a glance (revision ids, head and current marks, branch
 * labels, "error:", "warning:"), and the one decision whether stdout and
 * stderr get them.
 *
 * The printers ask cli_color(stream, ROLE) and print what it returns
 * before the text and cli_color_end(stream) after it; both are "" when the
 * stream is not coloured, so that the text without colour is byte for byte
 * what it always was.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* as git's: a commit id yellow, "error:" bold red, "warning:" bold yellow */
static const char *const sequences[] = {
	[CLI_COLOR_REV]     = "\033[33m",
	[CLI_COLOR_MARK]    = "\033[1;32m",
	[CLI_COLOR_LABEL]   = "\033[36m",
	[CLI_COLOR_ERROR]   = "\033[1;31m",
	[CLI_COLOR_WARNING] = "\033[1;33m",
};

/* for stdout ([0]) and stderr ([1]) */
static int colored[2];

const char *const cli_color_modes[] = { "auto", "always", "never", NULL };

/* auto: a terminal that is not a dumb one, and no NO_COLOR (no-color.org:
 * any value but the empty one) */
static int wants_color(int fd)
{
	const char *term = getenv("TERM"), *no = getenv("NO_COLOR");

	if (no && *no)
		return 0;
	if (term && !strcmp(term, "dumb"))
		return 0;
	return isatty(fd);
}

void cli_color_set(enum cli_color_mode mode)
{
	colored[0] = mode == CLI_COLOR_ALWAYS || (mode == CLI_COLOR_AUTO && wants_color(1));
	colored[1] = mode == CLI_COLOR_ALWAYS || (mode == CLI_COLOR_AUTO && wants_color(2));
}

static int is_colored(FILE *stream)
{
	return stream == stderr ? colored[1] : stream == stdout ? colored[0] : 0;
}

const char *cli_color(FILE *stream, enum cli_color_role role)
{
	return is_colored(stream) ? sequences[role] : "";
}

const char *cli_color_end(FILE *stream)
{
	return is_colored(stream) ? "\033[m" : "";
}

void cli_put_colored(FILE *stream, enum cli_color_role role, const char *text)
{
	if (is_colored(stream)) {
		fputs(sequences[role], stream);
		fputs(text, stream);
		fputs("\033[m", stream);
	} else {
		fputs(text, stream);
	}
}
