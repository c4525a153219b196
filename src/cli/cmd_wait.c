/*
 * cmd_wait.c - `retort wait`: wait until the database takes a connection,
 * for a container that starts the application and its database together
 * (`retort wait && retort upgrade && exec app`).
 */
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"

const char cmd_wait_usage[] =
	"usage: retort wait [--timeout S]\n"
	"\n"
	"Wait until the database accepts a connection: try, and while it is out\n"
	"of reach (nothing listens yet, its host name does not resolve yet, a\n"
	"PostgreSQL server still starting up; SQLite: the file's folder does not\n"
	"exist yet) try again every 0.1 to 0.5 s.  Prints \"database is ready\n"
	"after T s\" (nothing with -q), or exits 1 with the last error when the\n"
	"time runs out.  An error that waiting does not mend (a wrong password, a\n"
	"database that does not exist) fails at once.\n"
	"\n"
	"    --timeout S    seconds to wait at most (default 30; 0: try once)\n";

static double seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cmd_wait(struct cli *cli)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	double timeout = 30, start;
	char *end;
	int c, status;

	while ((c = cli_getopt(cli, "", opts)) != -1) {
		switch (c) {
		case 't':
			timeout = strtod(optarg, &end);
			if (end == optarg || *end || !isfinite(timeout) || timeout < 0)
				return cli_usage_error(cli, "--timeout wants seconds (0 or more), "
						       "not '%s'", optarg);
			break;
		default:
			return cli_bad_option(cli, c);
		}
	}
	if ((status = cli_setup(cli, 0, 0)) != 0)
		return status;
	start = seconds_now();
	if (retort_wait(cli->ctx, timeout) < 0)
		return cli_fail(cli);
	if (!cli->quiet)
		printf("database is ready after %.1f s\n", seconds_now() - start);
	return 0;
}
