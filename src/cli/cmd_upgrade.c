/*
 * cmd_upgrade.c - `retort upgrade [TARGET]` and `retort downgrade TARGET`:
 * one run function, told the direction.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

const char cmd_upgrade_usage[] =
	"usage: retort upgrade [TARGET] [--sql] [--resume] [--backup|--no-backup]\n"
	"\n"
	"Run the upgrade sections up to TARGET (default: head): head, heads, a\n"
	"revision id or unique prefix, +N, REV+N, LABEL@head.\n"
	"\n"
	"    --sql       write the SQL script to stdout instead of connecting\n"
	"                (TARGET may then be FROM:TO)\n"
	"    --resume    continue a transaction=false section that failed part\n"
	"                way, from its failed statement (fix the file first)\n"
	"    --backup    copy the database first (SQLite: <db>.<time>.<rev>.bak\n"
	"                beside it; PostgreSQL: pg_dump -Fc) and print the file;\n"
	"                `retort restore FILE` puts it back.  Default: the\n"
	"                config's `backup` key\n"
	"    --no-backup no copy, whatever the config says\n"
	"\n"
	"On a terminal, a status line on stderr shows the migration that runs and\n"
	"for how long; with -v, each statement is named as it starts.\n";

const char cmd_downgrade_usage[] =
	"usage: retort downgrade TARGET [--sql] [--resume] [--backup|--no-backup]\n"
	"\n"
	"Run the downgrade sections back to TARGET: base, a revision id or\n"
	"unique prefix, -N, REV-N, LABEL@REV.\n"
	"\n"
	"    --sql       write the SQL script to stdout instead of connecting\n"
	"                (TARGET is then FROM:TO)\n"
	"    --resume    continue a transaction=false section that failed part\n"
	"                way, from its failed statement (fix the file first)\n"
	"    --backup    copy the database first (SQLite: <db>.<time>.<rev>.bak\n"
	"                beside it; PostgreSQL: pg_dump -Fc) and print the file;\n"
	"                `retort restore FILE` puts it back.  Default: the\n"
	"                config's `backup` key\n"
	"    --no-backup no copy, whatever the config says\n";

/*
 * While a migration runs, a terminal shows which one and for how long: a
 * status line on stderr that a ticker thread rewrites every second, and
 * that goes away before the migration's line is printed.  Never in a
 * pipe, where it would only be noise in a log.
 */
struct progress {
	const struct cli *cli;
	int tty;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int running;          /* the ticker thread exists */
	int stop;
	char what[512];       /* "upgrade A -> B, message" */
	double started;       /* seconds, CLOCK_MONOTONIC */
	int shown;            /* the status line is on the screen */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Called with the lock held. */
static void clear_status(struct progress *pr)
{
	if (pr->shown)
		fputs("\r\033[K", stderr);
	pr->shown = 0;
}

static void *ticker(void *arg)
{
	struct progress *pr = arg;
	struct timespec until;

	pthread_mutex_lock(&pr->lock);
	while (!pr->stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&pr->wake, &pr->lock, &until);
		if (pr->stop || !pr->what[0])
			continue;
		fprintf(stderr, "\r\033[K%s: running for %.0f s", pr->what, now_s() - pr->started);
		fflush(stderr);
		pr->shown = 1;
	}
	clear_status(pr);
	pthread_mutex_unlock(&pr->lock);
	return NULL;
}

static void progress_start(struct progress *pr, const retort_event *ev)
{
	pthread_mutex_lock(&pr->lock);
	snprintf(pr->what, sizeof(pr->what), "%s %s -> %s, %s",
		 ev->direction == RETORT_DOWN ? "downgrade" : "upgrade", ev->from ? ev->from : "",
		 ev->to ? ev->to : "", ev->rev ? retort_rev_message(ev->rev) : "");
	pr->started = now_s();
	if (!pr->running && pthread_create(&pr->thread, NULL, ticker, pr) == 0)
		pr->running = 1;
	pthread_mutex_unlock(&pr->lock);
}

/* The step ended: no status line until the next one starts. */
static void progress_pause(struct progress *pr)
{
	pthread_mutex_lock(&pr->lock);
	pr->what[0] = '\0';
	clear_status(pr);
	pthread_mutex_unlock(&pr->lock);
}

static void progress_end(struct progress *pr)
{
	if (!pr->running)
		return;
	pthread_mutex_lock(&pr->lock);
	pr->stop = 1;
	pthread_cond_signal(&pr->wake);
	pthread_mutex_unlock(&pr->lock);
	pthread_join(pr->thread, NULL);
	pr->running = 0;
}

static void on_event(const retort_event *ev, void *payload)
{
	struct progress *pr = payload;
	const struct cli *cli = pr->cli;

	switch (ev->type) {
	case RETORT_EVENT_START:
		if (pr->tty && !cli->quiet)
			progress_start(pr, ev);
		break;
	case RETORT_EVENT_STATEMENT:
		/* -v: each statement as it starts, with where it is */
		pthread_mutex_lock(&pr->lock);
		clear_status(pr);
		fprintf(stderr, "  %s: %s\n", ev->to, ev->from);
		pthread_mutex_unlock(&pr->lock);
		break;
	case RETORT_EVENT_DONE:
		progress_pause(pr);
		if (cli->quiet)
			break;
		printf("%s %s -> %s%s%s, %s (%.1f ms)\n",
		       ev->direction == RETORT_DOWN ? "downgrade" : "upgrade",
		       ev->from ? ev->from : "", cli_color(stdout, CLI_COLOR_REV),
		       ev->to ? ev->to : "", cli_color_end(stdout),
		       ev->rev ? retort_rev_message(ev->rev) : "", ev->elapsed_ms);
		fflush(stdout);  /* a line per migration as it commits */
		break;
	case RETORT_EVENT_NOTHING:
		if (cli->verbose && !cli->quiet)
			puts("nothing to do");
		break;
	case RETORT_EVENT_BACKUP:
		if (!cli->quiet) {
			printf("backup of %s written to %s\n",
			       ev->from && *ev->from ? ev->from : "base", ev->to);
			fflush(stdout);
		}
		break;
	case RETORT_EVENT_WAITING:
		if (!cli->quiet) {
			pthread_mutex_lock(&pr->lock);
			clear_status(pr);
			fputs("waiting for the database lock held by another process...\n", stderr);
			pthread_mutex_unlock(&pr->lock);
		}
		break;
	default:
		break;
	}
}

static int run(struct cli *cli, int direction)
{
	static const struct option opts[] = {
		{ "sql", no_argument, NULL, 's' },
		{ "resume", no_argument, NULL, 'r' },
		{ "backup", no_argument, NULL, 'b' },
		{ "no-backup", no_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 }
	};
	retort_run_options ro = RETORT_RUN_OPTIONS_INIT;
	struct progress pr;
	const char *target;
	int c, status, err;

	while ((c = cli_getopt(cli, "", opts)) != -1) {
		switch (c) {
		case 's':
			ro.offline = 1;
			ro.write = cli_write_stdout;
			break;
		case 'r':
			ro.resume = 1;
			break;
		case 'b':
			ro.backup = 1;
			break;
		case 'B':
			ro.backup = -1;
			break;
		default:
			return cli_bad_option(cli, c);
		}
	}
	if ((status = cli_setup(cli, direction == RETORT_DOWN, 1)) != 0)
		return status;
	if (ro.offline && ro.backup > 0)
		return cli_usage_error(cli, "--backup needs the database: it cannot go with --sql");
	memset(&pr, 0, sizeof(pr));
	pr.cli = cli;
	pr.tty = isatty(2);
	pthread_mutex_init(&pr.lock, NULL);
	pthread_cond_init(&pr.wake, NULL);
	if (!ro.offline) {  /* --sql prints the script and nothing else */
		ro.on_event = on_event;
		ro.event_payload = &pr;
		ro.statement_events = cli->verbose && !cli->quiet;
	}
	target = cli->nargs ? cli->args[0] : NULL;
	if (direction == RETORT_UP)
		err = retort_upgrade(cli->ctx, target, &ro);
	else
		err = retort_downgrade(cli->ctx, target, &ro);
	progress_end(&pr);
	pthread_cond_destroy(&pr.wake);
	pthread_mutex_destroy(&pr.lock);
	return err < 0 ? cli_fail(cli) : 0;
}

int cmd_upgrade(struct cli *cli)
{
	return run(cli, RETORT_UP);
}

int cmd_downgrade(struct cli *cli)
{
	return run(cli, RETORT_DOWN);
}
