/*
 * cmd_init.c - `retort init [DIR]`: create a project.
 */
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

const char cmd_init_usage[] =
	"usage: retort init [DIR] [-t NAME]\n"
	"\n"
	"Create a project in DIR (default: the current folder): retort.ini,\n"
	"migrations/script.sql.tmpl and migrations/versions/.  Refuses when\n"
	"DIR/retort.ini exists.\n"
	"\n"
	"    -t, --template NAME   generic (the default) or fleet\n";

/* What init makes, relative to DIR ("" is DIR itself). */
static const char *const created[] = {
	"", "retort.ini", "migrations", "migrations/script.sql.tmpl",
	"migrations/versions",
};

#define NCREATED (sizeof(created) / sizeof(created[0]))

static void path_in(char *out, size_t size, const char *dir, size_t dirlen, const char *rel)
{
	if (!*rel)
		snprintf(out, size, "%.*s", (int)dirlen, dir);
	else if (dirlen == 1 && dir[0] == '.')
		snprintf(out, size, "%s", rel);
	else
		snprintf(out, size, "%.*s/%s", (int)dirlen, dir, rel);
}

int cmd_init(struct cli *cli)
{
	static const struct option opts[] = {
		{ "template", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	const char *template_name = NULL, *dir;
	int existed[NCREATED];
	char path[PATH_MAX];
	size_t i, dirlen;
	int c, status;

	while ((c = cli_getopt(cli, "t:", opts)) != -1) {
		switch (c) {
		case 't':
			template_name = optarg;
			break;
		default:
			return cli_bad_option(cli, c);
		}
	}
	if ((status = cli_setup(cli, 0, 1)) != 0)
		return status;
	dir = cli->nargs ? cli->args[0] : ".";
	for (dirlen = strlen(dir); dirlen > 1 && dir[dirlen - 1] == '/'; dirlen--)
		;
	/* the library does not say what it created: look before and after */
	for (i = 0; i < NCREATED; i++) {
		path_in(path, sizeof(path), dir, dirlen, created[i]);
		existed[i] = access(path, F_OK) == 0;
	}
	if (retort_init_project(cli->ctx, dir, template_name) < 0)
		return cli_fail(cli);
	for (i = 0; i < NCREATED; i++) {
		path_in(path, sizeof(path), dir, dirlen, created[i]);
		if (!existed[i] && !cli->quiet && access(path, F_OK) == 0)
			printf("created %s\n", path);
	}
	return 0;
}
