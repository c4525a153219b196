/*
 * cmd_current.c - `retort current`: the revisions in the version table.
 */
#include "cli.h"

const char cmd_current_usage[] =
	"usage: retort current [-v]\n"
	"\n"
	"Print the revisions the database is at, one per line, and a migration\n"
	"that failed part way, if any.\n"
	"\n"
	"    -v, --verbose    print each revision as `show` does\n";

int cmd_current(struct cli *cli)
{
	retort_strarray now = { NULL, 0 };
	retort_failure *failed = NULL;
	int c, status;
	retort_revlist tops = { NULL, 0 };
	size_t i;

	while ((c = cli_getopt(cli, "", NULL)) != -1)
		return cli_bad_option(cli, c);
	if ((status = cli_setup(cli, 0, 0)) != 0)
		return status;
	if (retort_load(cli->ctx) < 0 || retort_current(&now, cli->ctx) < 0)
		return cli_fail(cli);
	if (retort_current_revisions(&tops, cli->ctx) < 0) {
		retort_strarray_release(&now);
		return cli_fail(cli);
	}
	if (cli->verbose)
		printf("Current revision(s) for %s:\n", retort_url_masked(cli->ctx));
	for (i = 0; i < now.count; i++)
		if (!retort_lookup(cli->ctx, now.strings[i]))
			printf("%s (unknown)\n", now.strings[i]);
	/* as Alembic's current: what is applied, not only the rows */
	for (i = 0; i < tops.count; i++) {
		if (cli->verbose) {
			cli_put_show(tops.revs[i], 0);
			continue;
		}
		cli_put_id(tops.revs[i]);
		cli_put_flags(tops.revs[i], CLI_FLAGS_ALL, 0);
		putchar('\n');
	}
	retort_revlist_release(&tops);
	retort_strarray_release(&now);
	if (retort_failure_get(&failed, cli->ctx) < 0)
		return cli_fail(cli);
	if (failed) {
		const char *verb = failed->direction == RETORT_DOWN ? "downgrade" : "upgrade";
		if (failed->interrupted)
			printf("%s (interrupted at statement %zu: the %s was stopped after %zu "
			       "statement%s had completed; run 'retort %s --resume')\n",
			       failed->revision, failed->statements_done + 1, verb,
			       failed->statements_done, failed->statements_done == 1 ? "" : "s", verb);
		else
			printf("%s (failed at statement %zu: the %s stopped after %zu statement%s; fix "
			       "the file and run 'retort %s --resume')\n", failed->revision,
			       failed->statements_done + 1, verb, failed->statements_done,
			       failed->statements_done == 1 ? "" : "s", verb);
		retort_failure_free(failed);
	}
	return 0;
}
