/*
 * cmd_fleet.c - `retort fleet upgrade|downgrade|current|check|report`: the
 * same command over every tenant database of a fleet, with progress on
 * stderr, a summary (or a table) on stdout, a JSON report on request, and
 * `report`'s HTML page of every tenant's revision.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

const char cmd_fleet_usage[] =
	"usage: retort fleet upgrade [TARGET] [OPTIONS]\n"
	"       retort fleet downgrade TARGET [OPTIONS]\n"
	"       retort fleet current [OPTIONS]\n"
	"       retort fleet check [OPTIONS]\n"
	"       retort fleet report [-o FILE] [OPTIONS]\n"
	"\n"
	"Run on every tenant database of the [fleet] section: the rows (name, url)\n"
	"of registry_query on registry_url, migrations from its script_location.\n"
	"`current` prints each tenant's revision and pending count; `check` exits 1\n"
	"unless every tenant is at head; `report` writes the same as one HTML page\n"
	"(as `retort report`: self-contained, exit status 0 when it was written).\n"
	"\n"
	"    -j, --jobs N        tenants at once (default: [fleet] jobs, else the cores)\n"
	"        --fail-fast     start no more tenants after the first failure\n"
	"        --only NAME     only this tenant (repeatable)\n"
	"        --where COND    only the registry rows matching this SQL condition\n"
	"        --tenants FILE  tenants from FILE, one 'NAME URL' per line\n"
	"        --no-create     fail a tenant whose database file does not exist,\n"
	"                        instead of creating it (reported as 'created')\n"
	"        --atomic        each tenant's run in one transaction: it reaches the\n"
	"                        target or stays where it was (default: [fleet] atomic)\n"
	"        --no-atomic     a transaction per migration, as retort.ini says\n"
	"        --max-per-server N  tenants at once on one database server\n"
	"                        (default: [fleet] max_per_server, else no limit)\n"
	"        --format FMT    text (default) or json\n"
	"    -o, --output FILE   report: write the page to FILE, replacing it in one\n"
	"                        step (default: standard output)\n";

/* One finished tenant, kept for the report. */
struct row {
	int seen;
	retort_tenant_state state;
	char *url, *from, *to, *error;
	size_t applied, pending;
	double ms;
};

struct fleet_run {
	struct cli *cli;
	const retort_tenant_list *list;
	struct row *rows;
	size_t done, failed, created;
	double t0;
	int tty;
	int json;
	int reading;  /* current/check: nothing is changed */
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static char *dup_or_die(const char *s)
{
	char *p = strdup(s ? s : "");

	if (!p)
		cli_oom();
	return p;
}

static void progress(struct fleet_run *fr, const retort_tenant_result *res)
{
	double secs = (now_ms() - fr->t0) / 1000;
	double rate = secs > 0 ? (double)fr->done / secs : 0;
	size_t total = fr->list->count;

	if (fr->cli->quiet)
		return;
	if (fr->tty) {
		fprintf(stderr, "\r%zu/%zu done, %zu failed, %.0f/s, ETA %.0f s   ",
			fr->done, total, fr->failed, rate,
			rate > 0 ? (double)(total - fr->done) / rate : 0.0);
		if (fr->done == total)
			fputc('\n', stderr);
	} else if (res->state == RETORT_TENANT_FAILED) {
		fprintf(stderr, "[%zu/%zu] %s: failed: %s\n", fr->done, total, res->name, res->error);
	} else if (fr->reading) {
		fprintf(stderr, "[%zu/%zu] %s: at %s, %zu pending\n", fr->done, total, res->name,
			*res->from ? res->from : "base", res->pending);
	} else {
		fprintf(stderr, "[%zu/%zu] %s: %s%s -> %s (%zu migration%s, %.1f ms)\n", fr->done,
			total, res->name, res->state == RETORT_TENANT_SKIPPED ? "skipped "
					  : res->state == RETORT_TENANT_CREATED ? "created, " : "",
			*res->from ? res->from : "base", *res->to ? res->to : "base", res->applied,
			res->applied == 1 ? "" : "s", res->elapsed_ms);
	}
}

static void on_result(const retort_tenant_result *res, void *payload)
{
	struct fleet_run *fr = payload;
	struct row *r = &fr->rows[res->index];

	r->seen = 1;
	r->state = res->state;
	r->url = dup_or_die(res->url);
	r->from = dup_or_die(res->from);
	r->to = dup_or_die(res->to);
	r->error = dup_or_die(res->error);
	r->applied = res->applied;
	r->pending = res->pending;
	r->ms = res->elapsed_ms;
	fr->done++;
	fr->failed += res->state == RETORT_TENANT_FAILED;
	fr->created += res->state == RETORT_TENANT_CREATED;
	progress(fr, res);
}

static const char *state_name(retort_tenant_state s)
{
	switch (s) {
	case RETORT_TENANT_OK:
		return "ok";
	case RETORT_TENANT_FAILED:
		return "failed";
	case RETORT_TENANT_CREATED:
		return "created";
	default:
		return "skipped";
	}
}

static int print_json(struct fleet_run *fr, const char *action, const char *target, double ms)
{
	json_t *root = cli_json_doc("fleet"), *list = json_array();
	size_t i, ok = 0, skipped = 0, created = 0;

	for (i = 0; i < fr->list->count; i++) {
		struct row *r = &fr->rows[i];
		json_t *t = json_object();

		ok += r->state == RETORT_TENANT_OK;
		skipped += r->state == RETORT_TENANT_SKIPPED;
		created += r->state == RETORT_TENANT_CREATED;
		json_object_set_new(t, "name", cli_json_text(fr->list->tenants[i].name));
		json_object_set_new(t, "url", cli_json_text(r->url));
		json_object_set_new(t, "from", cli_json_text(r->from));
		json_object_set_new(t, "to", cli_json_text(r->to));
		json_object_set_new(t, "status", json_string(state_name(r->state)));
		json_object_set_new(t, "applied", json_integer((json_int_t)r->applied));
		if (!strcmp(action, "current") || !strcmp(action, "check"))
			json_object_set_new(t, "pending", json_integer((json_int_t)r->pending));
		json_object_set_new(t, "duration_ms", json_real(r->ms));
		json_object_set_new(t, "error", cli_json_text_or_null(r->error));
		json_array_append_new(list, t);
	}
	json_object_set_new(root, "action", json_string(action));
	json_object_set_new(root, "target", target ? cli_json_text(target) : json_null());
	json_object_set_new(root, "total", json_integer((json_int_t)fr->list->count));
	json_object_set_new(root, "ok", json_integer((json_int_t)ok));
	json_object_set_new(root, "created", json_integer((json_int_t)created));
	json_object_set_new(root, "failed", json_integer((json_int_t)fr->failed));
	json_object_set_new(root, "skipped", json_integer((json_int_t)skipped));
	json_object_set_new(root, "duration_ms", json_real(ms));
	json_object_set_new(root, "tenants", list);
	return cli_json_print(root);
}

static void print_table(struct fleet_run *fr)
{
	size_t i, w = 6;

	for (i = 0; i < fr->list->count; i++)
		if (strlen(fr->list->tenants[i].name) > w)
			w = strlen(fr->list->tenants[i].name);
	printf("%-*s  %-26s  %7s  %s\n", (int)w, "TENANT", "CURRENT", "PENDING", "ERROR");
	for (i = 0; i < fr->list->count; i++) {
		struct row *r = &fr->rows[i];
		printf("%-*s  %-26s  %7zu  %s\n", (int)w, fr->list->tenants[i].name,
		       r->state == RETORT_TENANT_FAILED ? "?" : *r->from ? r->from : "base",
		       r->pending, r->state == RETORT_TENANT_CREATED ? "(created: it did not exist)"
								 : r->error);
	}
}

static void print_summary(struct fleet_run *fr, double ms)
{
	size_t i, ok = 0, skipped = 0, applied = 0;

	for (i = 0; i < fr->list->count; i++) {
		ok += fr->rows[i].state == RETORT_TENANT_OK;
		skipped += fr->rows[i].state == RETORT_TENANT_SKIPPED;
		applied += fr->rows[i].applied;
	}
	/* "created" only when there were some: the line stays as it was for a
	 * fleet whose databases all exist */
	if (!fr->cli->quiet && fr->created)
		printf("%zu tenants: %zu ok, %zu created, %zu failed, %zu skipped; %zu migrations "
		       "in %.2f s\n", fr->list->count, ok, fr->created, fr->failed, skipped, applied,
		       ms / 1000);
	else if (!fr->cli->quiet)
		printf("%zu tenants: %zu ok, %zu failed, %zu skipped; %zu migrations in %.2f s\n",
		       fr->list->count, ok, fr->failed, skipped, applied, ms / 1000);
	for (i = 0; i < fr->list->count; i++)
		if (fr->rows[i].state == RETORT_TENANT_FAILED)
			printf("failed: %s (%s): %s\n", fr->list->tenants[i].name, fr->rows[i].url,
			       fr->rows[i].error);
}

/* A tenant's state as the report's table and counts name it (one whose
 * file was created is at base: behind, noted in its row as in `current`). */
static const char *report_state(const struct row *r)
{
	if (r->state == RETORT_TENANT_OK || r->state == RETORT_TENANT_CREATED)
		return r->pending ? "behind" : "at head";
	return state_name(r->state);
}

static void report_count(FILE *f, const char *state, size_t n)
{
	fprintf(f, "<tr><td>%s</td><td class=\"num\">%zu</td></tr>\n", state, n);
}

/* `fleet report`: the tenants' table and the counts per state as an HTML
 * page (report.c's); 0 when it was written. */
static int write_report(struct fleet_run *fr, const char *path)
{
	static const char *const states[] = { "at head", "behind", "failed", "skipped" };
	const char *config = retort_config_path(fr->cli->ctx);
	size_t i, k, count[4] = { 0 };
	char *html = NULL, total[32];
	size_t len = 0;
	FILE *f = open_memstream(&html, &len);
	int status;

	if (!f)
		cli_oom();
	for (i = 0; i < fr->list->count; i++)
		for (k = 0; k < 4; k++)
			count[k] += !strcmp(report_state(&fr->rows[i]), states[k]);
	cli_html_head(f, "retort fleet report");
	fputs("<dl class=\"meta\">\n", f);
	cli_html_meta(f, "project", config ? config : "");
	snprintf(total, sizeof(total), "%zu", fr->list->count);
	cli_html_meta(f, "tenants", total);
	cli_html_generated(f);
	fputs("</dl>\n<section id=\"summary\">\n<h2>Tenants per state</h2>\n<table class=\"counts\">\n"
	      "<tr><th>state</th><th>tenants</th></tr>\n", f);
	for (k = 0; k < 4; k++)
		if (k < 3 || count[k]) /* skipped only when --fail-fast skipped some */
			report_count(f, states[k], count[k]);
	fputs("</table>\n</section>\n<section id=\"tenants\">\n<h2>Tenants</h2>\n"
	      "<table class=\"tenants\">\n<tr><th>tenant</th><th>database</th><th>revision</th>"
	      "<th>pending</th><th>state</th><th>error</th></tr>\n", f);
	for (i = 0; i < fr->list->count; i++) {
		const struct row *r = &fr->rows[i];
		const char *st = report_state(r);

		fputs("<tr><td>", f);
		cli_html(f, fr->list->tenants[i].name);
		fputs("</td><td><code>", f);
		cli_html(f, r->url);
		fputs("</code></td><td class=\"rev\">", f);
		cli_html(f, r->state == RETORT_TENANT_FAILED ? "?" : *r->from ? r->from : "base");
		fprintf(f, "</td><td class=\"num\">%zu</td><td class=\"%s\">%s</td><td>", r->pending,
			!strcmp(st, "at head") ? "ok" : !strcmp(st, "failed") ? "bad" : "warn", st);
		cli_html(f, r->state == RETORT_TENANT_CREATED ? "(created: it did not exist)"
							      : r->error);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n</section>\n", f);
	cli_html_tail(f);
	if (fclose(f) != 0)
		cli_oom();
	status = cli_write_page(fr->cli, path, html, len);
	free(html);
	return status;
}

/* Keep only the tenants named by --only; unknown names are an error. */
static int keep_only(struct cli *cli, retort_tenant_list *list, char **only, size_t nonly)
{
	size_t i, k, kept = 0;

	for (k = 0; k < nonly; k++) {
		for (i = 0; i < list->count && strcmp(list->tenants[i].name, only[k]); i++)
			;
		if (i == list->count)
			return cli_usage_error(cli, "--only '%s': no such tenant", only[k]);
	}
	for (i = 0; i < list->count; i++) {
		int keep = 0;
		for (k = 0; k < nonly; k++)
			keep |= !strcmp(list->tenants[i].name, only[k]);
		if (keep) {
			list->tenants[kept++] = list->tenants[i];
		} else {
			free(list->tenants[i].name);
			free(list->tenants[i].url);
		}
	}
	list->count = kept;
	return 0;
}

int cmd_fleet(struct cli *cli)
{
	static const struct option opts[] = {
		{ "jobs",      required_argument, NULL, 'j' },
		{ "fail-fast", no_argument,       NULL, 'F' },
		{ "only",      required_argument, NULL, 'n' },
		{ "output",    required_argument, NULL, 'o' },
		{ "where",     required_argument, NULL, 'w' },
		{ "tenants",   required_argument, NULL, 't' },
		{ "format",    required_argument, NULL, 'f' },
		{ "no-create", no_argument,       NULL, 'N' },
		{ "atomic",    no_argument,       NULL, 'A' },
		{ "no-atomic", no_argument,       NULL, 'a' },
		{ "max-per-server", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 }
	};
	retort_fleet_options fo = RETORT_FLEET_OPTIONS_INIT;
	retort_tenant_list list = { 0 };
	struct fleet_run fr;
	const char *where = NULL, *tenants = NULL, *action, *output = NULL;
	char **only = NULL;
	size_t nonly = 0, i;
	double ms;
	int c, status, err, json = 0;

	while ((c = cli_getopt(cli, "j:o:", opts)) != -1) {
		switch (c) {
		case 'j':
			fo.jobs = atoi(optarg);
			if (fo.jobs <= 0) {
				free(only);
				return cli_usage_error(cli, "--jobs wants a positive number, not '%s'", optarg);
			}
			break;
		case 'F':
			fo.fail_fast = 1;
			break;
		case 'N':
			fo.no_create = 1;
			break;
		case 'A':
		case 'a':
			fo.atomic = c == 'A' ? 1 : -1;
			break;
		case 'M':
			fo.max_per_server = atoi(optarg);
			if (fo.max_per_server <= 0) {
				free(only);
				return cli_usage_error(cli, "--max-per-server wants a positive number, "
						       "not '%s'", optarg);
			}
			break;
		case 'o':
			output = optarg;
			break;
		case 'n':
			only = cli_realloc(only, (nonly + 1) * sizeof(*only));
			only[nonly++] = optarg;
			break;
		case 'w':
			where = optarg;
			break;
		case 't':
			tenants = optarg;
			break;
		case 'f':
			if ((json = cli_format_option(cli, optarg)) < 0) {
				free(only);
				return EXIT_USAGE;
			}
			break;
		default:
			free(only);
			return cli_bad_option(cli, c);
		}
	}
	if ((status = cli_setup(cli, 1, 2)) != 0) {
		free(only);
		return status;
	}
	action = cli->args[0];
	if (!strcmp(action, "upgrade"))
		fo.action = RETORT_FLEET_UPGRADE;
	else if (!strcmp(action, "downgrade"))
		fo.action = RETORT_FLEET_DOWNGRADE;
	else if (!strcmp(action, "current") || !strcmp(action, "check") ||
		 !strcmp(action, "report"))
		fo.action = RETORT_FLEET_CURRENT;
	else {
		free(only);
		return cli_usage_error(cli, "unknown fleet action '%s'", action);
	}
	if (fo.action == RETORT_FLEET_DOWNGRADE && cli->nargs < 2) {
		free(only);
		return cli_usage_error(cli, "fleet downgrade needs a TARGET");
	}
	if ((output && strcmp(action, "report")) || (json && !strcmp(action, "report"))) {
		free(only);
		return cli_usage_error(cli, output ? "-o is for fleet report" : "fleet report "
				       "writes HTML; --format json is for the other actions");
	}
	fo.target = cli->nargs > 1 ? cli->args[1] : NULL;
	if (where && tenants) {
		free(only);
		return cli_usage_error(cli, "--where filters the registry query; it does not apply "
				       "to --tenants FILE");
	}
	if (retort_fleet_tenants(&list, cli->ctx, tenants, where) < 0) {
		free(only);
		return cli_fail(cli);
	}
	if (nonly && (status = keep_only(cli, &list, only, nonly)) != 0)
		goto done;
	memset(&fr, 0, sizeof(fr));
	fr.cli = cli;
	fr.list = &list;
	fr.rows = cli_realloc(NULL, (list.count ? list.count : 1) * sizeof(*fr.rows));
	memset(fr.rows, 0, (list.count ? list.count : 1) * sizeof(*fr.rows));
	fr.tty = isatty(2);
	fr.json = json;
	fr.reading = fo.action == RETORT_FLEET_CURRENT;
	fr.t0 = now_ms();
	fo.on_result = on_result;
	fo.payload = &fr;
	err = retort_fleet_run(cli->ctx, &list, &fo);
	ms = now_ms() - fr.t0;
	status = err < 0 ? 1 : 0;
	if (!strcmp(action, "check"))
		for (i = 0; i < list.count; i++)
			if (fr.rows[i].pending)
				status = 1;
	if (!strcmp(action, "report"))
		status = write_report(&fr, output);
	else if (json)
		print_json(&fr, action, fo.target, ms);
	else if (fo.action == RETORT_FLEET_CURRENT)
		print_table(&fr);
	else
		print_summary(&fr, ms);
	if (err < 0 && !cli->quiet && strcmp(action, "report"))
		cli_fail(cli);
	for (i = 0; i < list.count; i++) {
		free(fr.rows[i].url);
		free(fr.rows[i].from);
		free(fr.rows[i].to);
		free(fr.rows[i].error);
	}
	free(fr.rows);
done:
	retort_tenant_list_release(&list);
	free(only);
	return status;
}
