/*
 * cmd_revision.c - `retort revision -m MSG`: a new revision file from
 * migrations/script.sql.tmpl, empty or (--autogenerate) with the SQL that
 * brings the database to the schema files.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

const char cmd_revision_usage[] =
	"usage: retort revision -m MSG [--autogenerate [--offline] [--rename FROM:TO]...]\n"
	"                       [--head REV]\n"
	"                       [--splice] [--branch-label LABEL] [--depends-on REV]...\n"
	"                       [--rev-id ID] [--version-path DIR]\n"
	"\n"
	"Create a new revision file in the versions folder, based on the head\n"
	"(or on --head), with empty upgrade and downgrade sections to fill in.\n"
	"With --autogenerate the sections hold the SQL that turns the database\n"
	"(at head) into the model (schema_command, schema.<dialect>.sql, schema),\n"
	"and back; with `dialects` listing several, a section per dialect, each\n"
	"from its own diff (the other dialects from the migrations replayed on a\n"
	"scratch database of that dialect).\n"
	"\n"
	"    -m, --message MSG       what the revision does (required)\n"
	"        --autogenerate      write the SQL from the database and the model\n"
	"        --offline           autogenerate without the database: every dialect\n"
	"                            from the migrations replayed on a scratch database\n"
	"        --rename T.OLD:NEW  column OLD of table T was renamed (repeatable)\n"
	"        --rename OLD:NEW    table OLD was renamed (repeatable)\n"
	"        --head REV          base it on REV instead of the head\n"
	"        --splice            allow --head to name a revision that is not a head\n"
	"        --branch-label L    give the new revision the branch label L\n"
	"        --depends-on REV    a revision it depends on (repeatable)\n"
	"        --rev-id ID         use ID instead of a random id\n"
	"        --version-path DIR  the version folder of the new file, one of\n"
	"                            version_locations (default: that of the revision\n"
	"                            it is based on)\n";

enum { OPT_HEAD = 256, OPT_SPLICE, OPT_LABEL, OPT_DEPENDS, OPT_REV_ID, OPT_AUTO, OPT_RENAME,
       OPT_VERSION_PATH, OPT_OFFLINE };

/* Fill the revision's sections from the database and the model, a
 * section per dialect when `dialects` lists several; the warnings and the
 * operations go to stderr. */
static int autogenerate(struct cli *cli, retort_revision_options *ro, retort_autogen_set *set,
			const char **renames, size_t nrenames, int offline)
{
	retort_autogen_options ao = RETORT_AUTOGEN_OPTIONS_INIT;
	size_t i, k, nops = 0;

	ao.renames = renames;
	ao.nrenames = nrenames;
	ao.offline = offline;
	if (retort_autogenerate_dialects(set, cli->ctx, &ao) < 0)
		return cli_fail(cli);
	for (k = 0; k < set->count; k++) {
		const retort_autogen *ag = &set->dialects[k].result;
		/* with several dialects, say which one each line is about */
		const char *tag = set->count > 1 ? set->dialects[k].dialect : NULL;

		for (i = 0; i < ag->warnings.count; i++)
			cli_warning("%s%s%s", tag ? tag : "", tag ? ": " : "",
				ag->warnings.strings[i]);
		for (i = 0; !cli->quiet && i < ag->operations.count; i++)
			fprintf(stderr, "detected %s%s%s\n", tag ? tag : "", tag ? ": " : "",
				ag->operations.strings[i]);
		nops += ag->operations.count;
	}
	if (!nops)
		fputs("no changes in the schema detected\n", stderr);
	if (set->count > 1) {
		ro->dialect_sections = set->dialects;
		ro->ndialect_sections = set->count;
	} else if (set->count == 1) {
		ro->upgrade_sql = set->dialects[0].result.upgrade_sql;
		ro->downgrade_sql = set->dialects[0].result.downgrade_sql;
		ro->upgrade_options = set->dialects[0].result.upgrade_options;
		ro->downgrade_options = set->dialects[0].result.downgrade_options;
	}
	return 0;
}

int cli_create_revision(struct cli *cli, const retort_revision_options *opts)
{
	char *path = NULL;

	if (retort_revision(&path, cli->ctx, opts) < 0)
		return cli_fail(cli);
	if (!cli->quiet)
		printf("created %s\n", cli_relpath(path));
	free(path);
	return 0;
}

/* A path given on the command line is relative to the current folder
 * (the library takes them relative to retort.ini's). */
static char *absolute(const char *path)
{
	char cwd[4096];
	size_t n;
	char *out;

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		cwd[0] = '\0';
	n = strlen(cwd) + strlen(path) + 2;
	out = cli_realloc(NULL, n);
	snprintf(out, n, "%s%s%s", cwd, *cwd ? "/" : "", path);
	return out;
}

int cmd_revision(struct cli *cli)
{
	static const struct option opts[] = {
		{ "message",      required_argument, NULL, 'm' },
		{ "head",         required_argument, NULL, OPT_HEAD },
		{ "splice",       no_argument,       NULL, OPT_SPLICE },
		{ "branch-label", required_argument, NULL, OPT_LABEL },
		{ "depends-on",   required_argument, NULL, OPT_DEPENDS },
		{ "rev-id",       required_argument, NULL, OPT_REV_ID },
		{ "autogenerate", no_argument,       NULL, OPT_AUTO },
		{ "rename",       required_argument, NULL, OPT_RENAME },
		{ "version-path", required_argument, NULL, OPT_VERSION_PATH },
		{ "offline",      no_argument,       NULL, OPT_OFFLINE },
		{ NULL, 0, NULL, 0 }
	};
	retort_revision_options ro = RETORT_REVISION_OPTIONS_INIT;
	retort_autogen_set set = { NULL, 0 };
	const char **depends = cli_realloc(NULL, (size_t)cli->argc * sizeof(*depends));
	const char **renames = cli_realloc(NULL, (size_t)cli->argc * sizeof(*renames));
	const char *head = NULL;
	char *version_path = NULL;
	size_t nrenames = 0;
	int c, status, autogen = 0, offline = 0;

	ro.depends_on = depends;
	while ((c = cli_getopt(cli, "m:", opts)) != -1) {
		switch (c) {
		case 'm':
			ro.message = optarg;
			break;
		case OPT_HEAD:
			head = optarg;
			break;
		case OPT_SPLICE:
			ro.splice = 1;
			break;
		case OPT_LABEL:
			ro.branch_label = optarg;
			break;
		case OPT_DEPENDS:
			depends[ro.ndepends++] = optarg;
			break;
		case OPT_REV_ID:
			ro.rev_id = optarg;
			break;
		case OPT_AUTO:
			autogen = 1;
			break;
		case OPT_RENAME:
			renames[nrenames++] = optarg;
			break;
		case OPT_OFFLINE:
			offline = 1;
			break;
		case OPT_VERSION_PATH:
			free(version_path);
			version_path = absolute(optarg);
			ro.version_path = version_path;
			break;
		default:
			status = cli_bad_option(cli, c);
			goto done;
		}
	}
	if (!ro.message) {
		status = cli_usage_error(cli, "a message is required (-m MSG)");
		goto done;
	}
	if ((nrenames || offline) && !autogen) {
		status = cli_usage_error(cli, "--%s goes with --autogenerate",
					 nrenames ? "rename" : "offline");
		goto done;
	}
	if ((status = cli_setup(cli, 0, 0)) != 0)
		goto done;
	if (head) {
		ro.heads = &head;
		ro.nheads = 1;
	}
	if (autogen && (status = autogenerate(cli, &ro, &set, renames, nrenames, offline)) != 0)
		goto done;
	status = cli_create_revision(cli, &ro);
done:
	retort_autogen_set_release(&set);
	free(depends);
	free(renames);
	free(version_path);
	return status;
}
