/*
 * cmd_current.c - `retort current`: the revisions in the version table.
 */
#include "cli.h"

const char cmd_current_usage[] =
	"usage: retort current [-v] [--format FMT]\n"
	"\n"
	"Print the revisions the database is at, one per line, and a migration\n"
	"that failed part way, if any.\n"
	"\n"
	"    -v, --verbose    print each revision as `show` does\n"
	"    --format FMT     text (default) or json (docs/json.md)\n";

/* What the database is at, read before anything is printed. */
struct state {
	retort_strarray rows;  /* the version table */
	retort_revlist tops;   /* what is applied, as Alembic's current */
	retort_failure *failed;
};

static void put_failure(const retort_failure *failed)
{
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
}

static void put_text(struct cli *cli, const struct state *st)
{
	size_t i;

	if (cli->verbose)
		printf("Current revision(s) for %s:\n", retort_url_masked(cli->ctx));
	for (i = 0; i < st->rows.count; i++)
		if (!retort_lookup(cli->ctx, st->rows.strings[i]))
			printf("%s (unknown)\n", st->rows.strings[i]);
	/* as Alembic's current: what is applied, not only the rows */
	for (i = 0; i < st->tops.count; i++) {
		if (cli->verbose) {
			cli_put_show(st->tops.revs[i], 0);
			continue;
		}
		cli_put_id(st->tops.revs[i]);
		cli_put_flags(st->tops.revs[i], CLI_FLAGS_ALL, 0);
		putchar('\n');
	}
	if (st->failed)
		put_failure(st->failed);
}

static int put_json(struct cli *cli, const struct state *st)
{
	json_t *doc = cli_json_doc("current"), *unknown = json_array();
	size_t i;

	for (i = 0; i < st->rows.count; i++)
		if (!retort_lookup(cli->ctx, st->rows.strings[i]))
			json_array_append_new(unknown, cli_json_text(st->rows.strings[i]));
	json_object_set_new(doc, "url", cli_json_text(retort_url_masked(cli->ctx)));
	json_object_set_new(doc, "version_rows", cli_json_strings(&st->rows));
	json_object_set_new(doc, "unknown", unknown);
	json_object_set_new(doc, "current", cli_json_revs(&st->tops, &st->rows));
	json_object_set_new(doc, "failed", cli_json_failure(st->failed));
	return cli_json_print(doc);
}

int cmd_current(struct cli *cli)
{
	struct state st = { { NULL, 0 }, { NULL, 0 }, NULL };
	int status, json = 0;

	if ((status = cli_format_only(cli, &json)) >= 0)
		return status;
	if ((status = cli_setup(cli, 0, 0)) != 0)
		return status;
	if (retort_load(cli->ctx) < 0 || retort_current(&st.rows, cli->ctx) < 0 ||
	    retort_current_revisions(&st.tops, cli->ctx) < 0 ||
	    retort_failure_get(&st.failed, cli->ctx) < 0) {
		status = cli_fail(cli);
	} else if (json) {
		status = put_json(cli, &st);
	} else {
		put_text(cli, &st);
	}
	retort_failure_free(st.failed);
	retort_revlist_release(&st.tops);
	retort_strarray_release(&st.rows);
	return status;
}
