/*
 * cmd_stamp.c - `retort stamp REV`: set the version table without running
 * any migration (for a database created some other way).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char cmd_stamp_usage[] =
	"usage: retort stamp REV... [--purge] [--sql]\n"
	"       retort stamp --fix-checksums REV\n"
	"\n"
	"Record REV (or base) in the version table without running migrations;\n"
	"several REVs, on separate branches, are recorded together.  Offline,\n"
	"the script replaces the rows the same stamp would replace online.\n"
	"A stamp also clears a failed transaction=false step that was repaired\n"
	"by hand.\n"
	"\n"
	"    --purge           delete every row of the version table first\n"
	"    --sql             write the SQL to stdout instead of connecting\n"
	"    --fix-checksums   accept the current contents of the applied revision\n"
	"                      REV's file (after an intended edit); it leaves a failed\n"
	"                      step failed\n";

int cmd_stamp(struct cli *cli)
{
	static const struct option opts[] = {
		{ "purge", no_argument, NULL, 'p' },
		{ "sql",   no_argument, NULL, 's' },
		{ "fix-checksums", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	retort_run_options ro = RETORT_RUN_OPTIONS_INIT;
	retort_strarray now = { NULL, 0 };
	retort_failure *failed = NULL;
	char *targets = NULL;
	size_t i;
	int c, status, rc;

	while ((c = cli_getopt(cli, "", opts)) != -1) {
		switch (c) {
		case 'p':
			ro.purge = 1;
			break;
		case 's':
			ro.offline = 1;
			ro.write = cli_write_stdout;
			break;
		case 'f':
			ro.fix_checksums = 1;
			break;
		default:
			return cli_bad_option(cli, c);
		}
	}
	if ((status = cli_setup(cli, 1, -1)) != 0)
		return status;
	if (ro.fix_checksums && (ro.offline || ro.purge))
		return cli_usage_error(cli, "--fix-checksums goes alone");
	/* a stamp closes a half-applied step: never without saying so */
	if (!ro.offline && !ro.fix_checksums && retort_failure_get(&failed, cli->ctx) < 0)
		return cli_fail(cli);
	/* the library takes several targets as one space-separated list */
	for (i = 0; i < (size_t)cli->nargs; i++) {
		size_t n = targets ? strlen(targets) : 0, m = strlen(cli->args[i]);

		targets = cli_realloc(targets, n + m + 2);
		if (n)
			targets[n++] = ' ';
		memcpy(targets + n, cli->args[i], m + 1);
	}
	rc = retort_stamp(cli->ctx, targets, &ro);
	free(targets);
	if (rc < 0) {
		retort_failure_free(failed);
		return cli_fail(cli);
	}
	if (failed && !cli->quiet)
		printf("cleared the %s %s of %s (%zu statement%s of its transaction=false section "
		       "had run)\n", failed->interrupted ? "interrupted" : "failed",
		       failed->direction == RETORT_DOWN ? "downgrade" : "upgrade", failed->revision,
		       failed->statements_done, failed->statements_done == 1 ? "" : "s");
	retort_failure_free(failed);
	if (ro.offline || cli->quiet)
		return 0;
	if (ro.fix_checksums) {
		printf("recorded the current checksum of %s\n", cli->args[0]);
		return 0;
	}
	/* what the table holds now: a relative REV (-1) means nothing after */
	if (retort_current(&now, cli->ctx) < 0)
		return cli_fail(cli);
	fputs("stamped ", stdout);
	for (i = 0; i < now.count; i++)
		printf("%s%s", i ? ", " : "", now.strings[i]);
	puts(now.count ? "" : "base");
	retort_strarray_release(&now);
	return 0;
}
