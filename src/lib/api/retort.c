/*
 * retort.c - the public API's thin layer over the modules: graph
 * accessors and listings, `init` and new revisions (the context itself is
 * run/ctx.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctx.h"
#include "plan.h"

int retort_load(retort *ctx)
{
	rt_graph *g;

	return rt_ctx_graph(&g, ctx);
}

/* ---- graph accessors --------------------------------------------------- */

static void give(retort_revlist *out, rt_revvec *vec)
{
	out->revs = (const retort_rev **)vec->v;
	out->count = vec->n;
	memset(vec, 0, sizeof(*vec));
}

static int listing(retort_revlist *out, retort *ctx, int (*fn)(const rt_graph *, rt_revvec *))
{
	rt_revvec vec = { 0 };
	rt_graph *g;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = rt_ctx_graph(&g, ctx)) < 0)
		return rc;
	if (fn(g, &vec) < 0) {
		rt_revvec_release(&vec);
		return rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	}
	give(out, &vec);
	return 0;
}

static int branchpoints(const rt_graph *g, rt_revvec *out)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if ((g->topo[i]->flags & RETORT_REV_BRANCHPOINT) && rt_revvec_push(out, g->topo[i]) < 0)
			return RETORT_ERROR;
	return 0;
}

int retort_heads(retort_revlist *out, retort *ctx)
{
	return listing(out, ctx, rt_graph_heads);
}

int retort_bases(retort_revlist *out, retort *ctx)
{
	return listing(out, ctx, rt_graph_bases);
}

int retort_branchpoints(retort_revlist *out, retort *ctx)
{
	return listing(out, ctx, branchpoints);
}

/* The version rows when `spec` needs them, else NULL. */
static int current_for(rt_strlist *rows, retort *ctx, const char *spec, const rt_strlist **use)
{
	retort_strarray cur;
	int rc;

	*use = NULL;
	if (!rt_target_needs_current(spec))
		return 0;
	if ((rc = retort_current(&cur, ctx)) < 0)
		return rc;
	rows->items = cur.strings;
	rows->count = rows->cap = cur.count;
	*use = rows;
	return 0;
}

int retort_current_revisions(retort_revlist *out, retort *ctx)
{
	retort_strarray cur = { NULL, 0 };
	rt_strlist known = { 0 };
	rt_revvec vec = { 0 };
	unsigned char *applied = NULL;
	rt_graph *g;
	size_t i, k;
	int rc;

	memset(out, 0, sizeof(*out));
	rt_buf_clear(&ctx->err);
	if ((rc = rt_ctx_graph(&g, ctx)) < 0 || (rc = retort_current(&cur, ctx)) < 0)
		return rc;
	/* an id no file defines has nothing below it to show */
	for (i = 0; i < cur.count && rc >= 0; i++)
		if (rt_graph_get(g, cur.strings[i]))
			rc = rt_strlist_add(&known, cur.strings[i]);
	if (rc >= 0)
		rc = rt_plan_applied(&applied, g, &known, &ctx->err);
	for (i = 0; rc >= 0 && i < g->n; i++) {
		rt_rev *r = g->topo[i];
		int top = applied[i];

		for (k = 0; top && k < r->nchildren; k++)
			top = !applied[r->children[k]->topo];
		if (top && rt_revvec_push(&vec, r) < 0)
			rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	}
	if (rc >= 0)
		give(out, &vec);
	rt_revvec_release(&vec);
	free(applied);
	rt_strlist_release(&known);
	retort_strarray_release(&cur);
	return rc;
}

int retort_resolve(retort_revlist *out, retort *ctx, const char *target)
{
	rt_strlist rows = { 0 };
	const rt_strlist *use;
	rt_target t;
	rt_graph *g;
	int rc;

	memset(out, 0, sizeof(*out));
	rt_buf_clear(&ctx->err);
	if ((rc = rt_ctx_graph(&g, ctx)) < 0 || (rc = current_for(&rows, ctx, target, &use)) < 0)
		goto done;
	if ((rc = rt_target_resolve(&t, g, target, use, 0, &ctx->err)) < 0)
		goto done;
	give(out, &t.revs);
done:
	rt_strlist_release(&rows);
	return rc;
}

int retort_history(retort_revlist *out, retort *ctx, const char *range)
{
	rt_strlist rows = { 0 };
	const rt_strlist *use;
	rt_revvec vec = { 0 };
	rt_graph *g;
	int rc;

	memset(out, 0, sizeof(*out));
	rt_buf_clear(&ctx->err);
	if ((rc = rt_ctx_graph(&g, ctx)) < 0 || (rc = current_for(&rows, ctx, range, &use)) < 0)
		goto done;
	if ((rc = rt_range_resolve(&vec, g, range, use, &ctx->err)) < 0)
		goto done;
	give(out, &vec);
done:
	rt_revvec_release(&vec);
	rt_strlist_release(&rows);
	return rc;
}

const retort_rev *retort_lookup(retort *ctx, const char *id)
{
	rt_graph *g;

	return rt_ctx_graph(&g, ctx) < 0 ? NULL : rt_graph_get(g, id);
}

const char *retort_rev_id(const retort_rev *rev) { return rev->s.revision; }
const char *retort_rev_message(const retort_rev *rev) { return rev->s.message; }
const char *retort_rev_path(const retort_rev *rev) { return rev->s.path; }
const char *retort_rev_create_date(const retort_rev *rev) { return rev->s.create_date; }
unsigned int retort_rev_flags(const retort_rev *rev) { return rev->flags; }
size_t retort_rev_nparents(const retort_rev *rev) { return rev->nparents; }
size_t retort_rev_nchildren(const retort_rev *rev) { return rev->nchildren; }
size_t retort_rev_ndepends(const retort_rev *rev) { return rev->ndeps; }
size_t retort_rev_ndependents(const retort_rev *rev) { return rev->ndependents; }
size_t retort_rev_nlabels(const retort_rev *rev) { return rev->s.branch_labels.count; }
const retort_rev *retort_rev_labeled(const retort_rev *rev) { return rev->labeled; }
size_t retort_rev_nbranches(const retort_rev *rev) { return rev->nbranches; }

const char *retort_rev_branch(const retort_rev *rev, size_t i)
{
	return i < rev->nbranches ? rev->branches[i] : NULL;
}

const retort_rev *retort_rev_parent(const retort_rev *rev, size_t i)
{
	return i < rev->nparents ? rev->parents[i] : NULL;
}

const retort_rev *retort_rev_child(const retort_rev *rev, size_t i)
{
	return i < rev->nchildren ? rev->children[i] : NULL;
}

const retort_rev *retort_rev_depends(const retort_rev *rev, size_t i)
{
	return i < rev->ndeps ? rev->deps[i] : NULL;
}

const retort_rev *retort_rev_dependent(const retort_rev *rev, size_t i)
{
	return i < rev->ndependents ? rev->dependents[i] : NULL;
}

const char *retort_rev_label(const retort_rev *rev, size_t i)
{
	return rt_strview_get(&rev->s.branch_labels, i);
}

/* ---- init ------------------------------------------------------------------ */

static const char default_ini[] =
	"# retort project configuration.  Any value may use ${VAR} or\n"
	"# ${VAR:-default} from the environment.\n"
	"[retort]\n"
	"# folder of script.sql.tmpl and versions/, relative to this file\n"
	"script_location = migrations\n"
	"# sqlite:///file.db (relative to this file), sqlite:////abs.db,\n"
	"# postgresql://user:password@host:5432/db?sslmode=require\n"
	"url = ${DATABASE_URL:-sqlite:///data.db}\n"
	"version_table = retort_version\n"
	"# schema = schema.sql\n"
	"log_file = retort.log\n"
	"file_template = %(rev)s_%(slug)s\n"
	"transaction_per_migration = true\n"
	"# seconds to wait for another migration run's lock\n"
	"lock_timeout = 60\n";

static const char default_template[] =
	"-- ${message}\n"
	"--\n"
	"-- revision: ${revision}\n"
	"-- down_revision: ${down_revision}\n"
	"-- branch_labels: ${branch_labels}\n"
	"-- depends_on: ${depends_on}\n"
	"-- create_date: ${create_date}\n"
	"\n"
	"-- +upgrade\n"
	"${upgrades}\n"
	"-- +downgrade\n"
	"${downgrades}\n";

static const char fleet_ini[] =
	"# retort fleet project: a metadata database listing the bots, and one\n"
	"# database per bot.  Any value may use ${VAR} or ${VAR:-default}.\n"
	"[retort]\n"
	"# the metadata database, itself migrated by retort (meta/)\n"
	"script_location = meta\n"
	"url = ${META_DATABASE_URL:-sqlite:///meta.db}\n"
	"version_table = retort_version\n"
	"log_file = retort.log\n"
	"file_template = %(rev)s_%(slug)s\n"
	"transaction_per_migration = true\n"
	"lock_timeout = 60\n"
	"\n"
	"[fleet]\n"
	"# where the bots are listed, and how to read them: (name, url) rows\n"
	"registry_url = ${META_DATABASE_URL:-sqlite:///meta.db}\n"
	"registry_query = SELECT name, db_url FROM bots WHERE active\n"
	"# the per-bot migrations (bot/)\n"
	"script_location = bot\n"
	"# bots migrated at once (default: the number of cores)\n"
	"# jobs = 4\n";

static const char fleet_bots[] =
	"-- create bots\n"
	"--\n"
	"-- The registry of the fleet: one row per bot and its database URL.\n"
	"--\n"
	"-- revision: 000000000001\n"
	"-- down_revision:\n"
	"-- branch_labels: meta\n"
	"-- depends_on:\n"
	"-- create_date: 2026-01-01 00:00:00+00:00\n"
	"\n"
	"-- +upgrade sqlite\n"
	"CREATE TABLE bots (\n"
	"    id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	"    name TEXT NOT NULL UNIQUE,\n"
	"    owner_telegram_id BIGINT NOT NULL,\n"
	"    db_url TEXT NOT NULL,\n"
	"    active BOOLEAN NOT NULL DEFAULT 1,\n"
	"    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP\n"
	");\n"
	"\n"
	"-- +upgrade postgresql\n"
	"CREATE TABLE bots (\n"
	"    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
	"    name TEXT NOT NULL UNIQUE,\n"
	"    owner_telegram_id BIGINT NOT NULL,\n"
	"    db_url TEXT NOT NULL,\n"
	"    active BOOLEAN NOT NULL DEFAULT true,\n"
	"    created_at TIMESTAMPTZ NOT NULL DEFAULT now()\n"
	");\n"
	"\n"
	"-- +downgrade\n"
	"DROP TABLE bots;\n";

struct init_file {
	const char *path;   /* relative to the project folder; "/" ending: a folder */
	const char *text;
	size_t len;
};

#define FILE_OF(path, text) { path, text, sizeof(text) - 1 }

static const struct init_file generic_files[] = {
	{ "migrations/versions/", NULL, 0 },
	FILE_OF("retort.ini", default_ini),
	FILE_OF("migrations/script.sql.tmpl", default_template),
	{ NULL, NULL, 0 }
};

static const struct init_file fleet_files[] = {
	{ "meta/versions/", NULL, 0 },
	{ "bot/versions/", NULL, 0 },
	FILE_OF("retort.ini", fleet_ini),
	FILE_OF("meta/script.sql.tmpl", default_template),
	FILE_OF("bot/script.sql.tmpl", default_template),
	FILE_OF("meta/versions/000000000001_create_bots.sql", fleet_bots),
	{ NULL, NULL, 0 }
};

/* The templates of retort_init_project, with the line list_templates
 * prints for each (Alembic's README synopsis). */
static const struct template {
	retort_template pub;
	const struct init_file *files;
} templates[] = {
	{ { "generic", "one database: retort.ini, migrations/script.sql.tmpl and "
		       "migrations/versions/" }, generic_files },
	{ { "fleet", "one database per bot: meta/ migrates the registry of bots, bot/ "
		     "every bot's database" }, fleet_files },
};
#define NTEMPLATES (sizeof(templates) / sizeof(templates[0]))

const retort_template *retort_template_at(size_t i)
{
	return i < NTEMPLATES ? &templates[i].pub : NULL;
}

/* mkdir -p that records each folder it made */
static int make_dirs(rt_strlist *made, const char *path, rt_buf *err)
{
	char *p = rt_strdup(path), *s;
	int rc = 0;

	if (!p)
		return rt_error(err, RETORT_ERROR, "out of memory");
	for (s = p + 1; rc >= 0; s++) {
		char c = *s;
		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (access(p, F_OK) != 0) {
			rc = rt_mkdir_p(p, err);
			if (rc >= 0 && made)
				rc = rt_strlist_add(made, p);
		}
		*s = c;
		if (!c || !s[1])
			break;
	}
	free(p);
	return rc;
}

int retort_init_project(retort_strarray *created, retort *ctx, const char *dir,
			const char *template_name)
{
	const struct init_file *f;
	rt_buf path = RT_BUF_INIT;
	rt_strlist made = { 0 };
	size_t i;
	int rc = 0;

	rt_buf_clear(&ctx->err);
	if (created)
		memset(created, 0, sizeof(*created));
	if (!dir || !*dir)
		dir = ".";
	for (i = 0, f = NULL; i < NTEMPLATES && !f; i++)
		if (!strcmp(template_name ? template_name : "generic", templates[i].pub.name))
			f = templates[i].files;
	if (!f) {
		rt_ctx_error(ctx, RETORT_EUSAGE, "unknown template '%s' (known:", template_name);
		for (i = 0; i < NTEMPLATES; i++)
			rt_buf_printf(&ctx->err, "%s %s", i ? "," : "", templates[i].pub.name);
		rt_buf_puts(&ctx->err, "; 'retort list_templates' describes them)");
		return RETORT_EUSAGE;
	}
	rt_buf_printf(&path, "%s/retort.ini", dir);
	if (access(path.ptr, F_OK) == 0) {
		rc = rt_ctx_error(ctx, RETORT_ECONFLICT, "'%s' already exists", path.ptr);
		goto done;
	}
	for (; f->path && rc >= 0; f++) {
		rt_buf_clear(&path);
		if (strcmp(dir, "."))
			rt_buf_printf(&path, "%s/", dir);
		rt_buf_puts(&path, f->path);
		if (!f->text) {
			rc = make_dirs(&made, path.ptr, &ctx->err);
		} else {
			rc = rt_write_file(path.ptr, f->text, f->len, 1, &ctx->err);
			if (rc >= 0 && rt_strlist_add(&made, path.ptr) < 0)
				rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
		}
	}
done:
	if (rc >= 0 && created) {
		created->strings = made.items;
		created->count = made.count;
		memset(&made, 0, sizeof(made));
	}
	/* a failure leaves nothing of the project: what was made goes, the
	 * newest first (a folder is empty by then) */
	while (rc < 0 && made.count) {
		const char *gone = made.items[--made.count];
		if (unlink(gone) != 0)
			rmdir(gone);
		free(made.items[made.count]);
	}
	rt_strlist_release(&made);
	rt_buf_release(&path);
	return rc;
}

/* ---- new revisions ------------------------------------------------------- */

typedef struct {
	retort *ctx;
	const char *message, *revision, *create_date, *upgrades, *downgrades;
	rt_buf down, labels, depends;
} template_vars;

static const char *lookup_var(const char *name, void *payload)
{
	template_vars *v = payload;
	size_t i, n = strlen(name);

	if (!strcmp(name, "message")) return v->message;
	if (!strcmp(name, "revision") || !strcmp(name, "up_revision")) return v->revision;
	if (!strcmp(name, "down_revision")) return v->down.ptr;
	if (!strcmp(name, "branch_labels")) return v->labels.ptr;
	if (!strcmp(name, "depends_on")) return v->depends.ptr;
	if (!strcmp(name, "create_date")) return v->create_date;
	if (!strcmp(name, "upgrades")) return v->upgrades;
	if (!strcmp(name, "downgrades")) return v->downgrades;
	for (i = 0; i < v->ctx->vars.count; i++) {
		const char *kv = v->ctx->vars.items[i];
		if (!strncmp(kv, name, n) && kv[n] == '=')
			return kv + n + 1;
	}
	return NULL;
}

static int random_id(rt_buf *out)
{
	unsigned char bytes[6];
	size_t i;

	if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes))
		return RETORT_ERROR;
	for (i = 0; i < sizeof(bytes); i++)
		rt_buf_printf(out, "%02x", bytes[i]);
	return 0;
}

/* The revisions a new one is based on. */
static int new_parents(rt_revvec *out, retort *ctx, rt_graph *g,
		       const retort_revision_options *o)
{
	static const char *const head[] = { "head" };
	const char *const *specs = o->nheads ? o->heads : head;
	size_t n = o->nheads ? o->nheads : 1, i, k;
	int rc = 0;

	for (i = 0; i < n && rc >= 0; i++) {
		rt_target t;
		if ((rc = rt_target_resolve(&t, g, specs[i], NULL, 0, &ctx->err)) < 0) {
			if (rc == RETORT_EAMBIGUOUS && !o->nheads)
				rt_buf_puts(&ctx->err,
					    "\nplease name the revision to build on with --head, "
					    "or 'retort merge heads' first");
			return rc;
		}
		for (k = 0; k < t.revs.n && rc >= 0; k++) {
			rt_rev *r = t.revs.v[k];
			if (!o->merge && !o->splice && !(r->flags & RETORT_REV_HEAD))
				rc = rt_ctx_error(ctx, RETORT_ECONFLICT,
						  "revision '%s' is not a head; pass --splice to "
						  "start a new branch from it", r->s.revision);
			else
				rc = rt_revvec_push(out, r);
		}
		rt_target_release(&t);
	}
	if (rc < 0)
		return rc;
	if (o->merge && out->n < 2)
		return rt_ctx_error(ctx, RETORT_EUSAGE,
				    "a merge needs at least two revisions; '%s' gave %zu",
				    specs[0], out->n);
	if (!o->merge && out->n > 1)
		return rt_ctx_error(ctx, RETORT_EAMBIGUOUS,
				    "the new revision would have %zu parents; use 'retort merge'",
				    out->n);
	/* a merge of a revision and its own ancestor is meaningless */
	for (i = 0; i < out->n; i++)
		for (k = 0; k < out->n; k++)
			if (i != k && out->v[i] == out->v[k])
				return rt_ctx_error(ctx, RETORT_EUSAGE, "revision '%s' is named twice",
						    out->v[i]->s.revision);
	return 0;
}

/* Drop the blanks an empty ${...} leaves at the end of "-- key: " lines. */
static void trim_comment_lines(rt_buf *text)
{
	size_t in = 0, out = 0;

	while (in < text->len) {
		size_t end = in, keep;
		while (end < text->len && text->ptr[end] != '\n')
			end++;
		keep = end;
		if (end - in >= 2 && text->ptr[in] == '-' && text->ptr[in + 1] == '-')
			while (keep > in + 2 && (text->ptr[keep - 1] == ' ' || text->ptr[keep - 1] == '\t'))
				keep--;
		memmove(text->ptr + out, text->ptr + in, keep - in);
		out += keep - in;
		if (end < text->len)
			text->ptr[out++] = '\n';
		in = end + 1;
	}
	rt_buf_truncate(text, out);
}

/* Put `with` (whole lines) in place of the plain `marker` line of a
 * rendered template; nothing when the template has no such line. */
static void replace_marker(rt_buf *text, const char *marker, const char *with)
{
	size_t n = strlen(marker), at = 0, end;
	rt_buf out = RT_BUF_INIT;

	while (at < text->len) {
		end = at + strcspn(text->ptr + at, "\n");
		if (end - at >= n && !memcmp(text->ptr + at, marker, n) &&
		    strspn(text->ptr + at + n, " \t") == end - at - n)
			break;
		at = end + (end < text->len);
	}
	if (at >= text->len)
		return;
	rt_buf_put(&out, text->ptr, at);
	rt_buf_puts(&out, with);
	if (end < text->len)
		rt_buf_puts(&out, text->ptr + end + 1);
	rt_buf_clear(text);
	rt_buf_put(text, out.ptr, out.len);
	if (out.oom)
		text->oom = 1;
	rt_buf_release(&out);
}

/* One section's lines: "-- +upgrade [DIALECT] [options]" and its SQL. */
static void section_lines(rt_buf *out, const char *marker, const char *dialect,
			  const char *options, const char *sql)
{
	rt_buf_puts(out, marker);
	if (dialect)
		rt_buf_printf(out, " %s", dialect);
	if (options && *options)
		rt_buf_printf(out, " %s", options);
	rt_buf_putc(out, '\n');
	if (sql && *sql)
		rt_buf_puts(out, sql);
}

/* Autogenerated SQL in a rendered template: `options` go on the plain
 * marker line ("-- +upgrade foreign_keys=off"), and `sql`, when the
 * template has no ${upgrades} of its own, right below it. */
static void fill_section(rt_buf *text, const char *marker, const char *options, const char *sql)
{
	rt_buf with = RT_BUF_INIT;

	if ((!options || !*options) && (!sql || !*sql))
		return;
	section_lines(&with, marker, NULL, options, sql);
	if (!rt_buf_oom(&with))
		replace_marker(text, marker, with.ptr);
	else
		text->oom = 1;
	rt_buf_release(&with);
}

/* Autogenerated SQL per dialect: the plain marker line becomes one
 * section per dialect, "-- +upgrade DIALECT [options]" and its SQL. */
static void fill_dialect_sections(rt_buf *text, const char *marker,
				  const retort_autogen_dialect *d, size_t n, int down)
{
	rt_buf with = RT_BUF_INIT;
	size_t i, same = n > 1;

#define OPTS(k) (down ? d[k].result.downgrade_options : d[k].result.upgrade_options)
#define SQL(k) (down ? d[k].result.downgrade_sql : d[k].result.upgrade_sql)
	/* the same SQL for every one of several dialects is one plain
	 * section */
	for (i = 1; i < n && same; i++)
		same = !strcmp(OPTS(i) ? OPTS(i) : "", OPTS(0) ? OPTS(0) : "") &&
		       !strcmp(SQL(i) ? SQL(i) : "", SQL(0) ? SQL(0) : "");
	for (i = 0; i < (same ? 1 : n); i++) {
		if (i)
			rt_buf_putc(&with, '\n');
		section_lines(&with, marker, same ? NULL : d[i].dialect, OPTS(i), SQL(i));
	}
#undef OPTS
#undef SQL
	if (!rt_buf_oom(&with))
		replace_marker(text, marker, with.ptr);
	else
		text->oom = 1;
	rt_buf_release(&with);
}

/* Keep a multi-line message inside the header comment: each line goes
 * through rt_sql_comment, so that no CR or other control character can end
 * the comment early. */
static void comment_lines(rt_buf *out, const char *message)
{
	while (*message) {
		size_t n = strcspn(message, "\n");

		/* a CRLF's CR goes, not only into a blank */
		rt_sql_comment_n(out, message, n && message[n - 1] == '\r' ? n - 1 : n);
		message += n;
		if (*message == '\n') {
			rt_buf_puts(out, "\n-- ");
			message++;
		}
	}
}

/* truncate_slug_length of [retort] (Alembic's key), 40 when unset. */
static int slug_length(size_t *out, retort *ctx)
{
	const char *text = rt_config_get(&ctx->cfg, "retort", "truncate_slug_length");
	char *end;
	long n;

	*out = 40;
	if (!text || !*text)
		return 0;
	errno = 0;
	n = strtol(text, &end, 10);
	if (*end || errno || n < 0 || end == text)
		return rt_ctx_error(ctx, RETORT_ECONFIG, "%s: invalid value '%s' for "
				    "'truncate_slug_length': expected a number of characters", ctx->cfg.path ? ctx->cfg.path : "retort.ini",
				    text);
	*out = n ? (size_t)n : 40; /* Alembic: `truncate_slug_length or 40` */
	return 0;
}

/* The folder a new revision goes to, as Alembic chooses it: the one asked
 * for, which must be a version folder; else, with several folders, that
 * of the first revision it is based on (a new base must say); else the
 * one folder.  *out (the caller's) is absolute. */
static int new_revision_dir(char **out, retort *ctx, const rt_revvec *parents, const char *want)
{
	const rt_strlist *dirs = &ctx->version_dirs;
	char *abs = NULL;
	size_t i;

	*out = NULL;
	if (want && *want) {
		if (!(abs = rt_path_join(ctx->cfg.dir, want)) || !(*out = rt_path_normalize(abs))) {
			free(abs);
			return rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
		}
		free(abs);
		if (rt_strlist_has(dirs, *out))
			return 0;
		rt_ctx_error(ctx, RETORT_EUSAGE, "'%s' is not a version folder of the project "
			     "(version_locations):", want);
		for (i = 0; i < dirs->count; i++)
			rt_buf_printf(&ctx->err, "%s '%s'", i ? "," : "", dirs->items[i]);
		free(*out);
		*out = NULL;
		return RETORT_EUSAGE;
	}
	if (dirs->count > 1 && !parents->n)
		return rt_ctx_error(ctx, RETORT_EUSAGE, "the project has %zu version folders "
				    "(version_locations): choose the new base revision's with "
				    "--version-path", dirs->count);
	if (dirs->count > 1)
		*out = rt_strndup(parents->v[0]->s.path,
				  (size_t)(strrchr(parents->v[0]->s.path, '/') - parents->v[0]->s.path));
	else
		*out = rt_strdup(dirs->items[0]);
	return *out ? 0 : rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
}

int retort_revision(char **out_path, retort *ctx, const retort_revision_options *o)
{
	template_vars v = { 0 };
	rt_revvec parents = { 0 };
	rt_buf id = RT_BUF_INIT, date = RT_BUF_INIT, msg = RT_BUF_INIT, slug = RT_BUF_INIT,
	       name = RT_BUF_INIT, path = RT_BUF_INIT, text = RT_BUF_INIT;
	char *tmpl = NULL, *dir = NULL;
	const char *why;
	rt_script check = { 0 };
	rt_graph *g;
	size_t slug_max;
	long long epoch;
	size_t i;
	int rc, sections;

	*out_path = NULL;
	rt_buf_clear(&ctx->err);
	if ((rc = RT_CTX_CHECK_OPTIONS(ctx, o, RETORT_REVISION_OPTIONS_VERSION,
				       "retort_revision_options")) < 0)
		return rc;
	if (!o || !o->message)
		return rt_ctx_error(ctx, RETORT_EUSAGE, "a revision needs a message (-m)");
	if (ctx->source)
		return rt_ctx_error(ctx, RETORT_EUSAGE, "the migrations come from '%s', not a "
				    "folder: a new revision is a file in the project's versions "
				    "folder", ctx->source->name);
	if (o->rev_id && (why = rt_id_problem(o->rev_id)))
		return rt_ctx_error(ctx, RETORT_EUSAGE, "bad revision id '%s' (%s)", o->rev_id, why);
	if (o->branch_label && (why = rt_label_problem(o->branch_label)))
		return rt_ctx_error(ctx, RETORT_EUSAGE, "bad branch label '%s' (%s)",
				    o->branch_label, why);
	if ((rc = rt_ctx_graph(&g, ctx)) < 0 || (rc = new_parents(&parents, ctx, g, o)) < 0 ||
	    (rc = new_revision_dir(&dir, ctx, &parents, o->version >= 2 ? o->version_path
									: NULL)) < 0)
		goto done;
	if (o->rev_id) {
		rt_buf_puts(&id, o->rev_id);
		if (rt_graph_get(g, o->rev_id)) {
			rc = rt_ctx_error(ctx, RETORT_ECONFLICT, "revision '%s' already exists in '%s'",
					  o->rev_id, rt_graph_get(g, o->rev_id)->s.path);
			goto done;
		}
	} else if (random_id(&id) < 0) {
		rc = rt_ctx_error(ctx, RETORT_ERROR, "cannot read random bytes: %s", strerror(errno));
		goto done;
	}
	if (o->branch_label && rt_graph_label(g, o->branch_label)) {
		rc = rt_ctx_error(ctx, RETORT_ECONFLICT, "branch label '%s' is already used by '%s'",
				  o->branch_label, rt_graph_label(g, o->branch_label)->s.revision);
		goto done;
	}
	/* a target naming one would mean the other (graph.c refuses it) */
	if (rt_graph_label(g, id.ptr) ||
	    (o->branch_label && (rt_graph_get(g, o->branch_label) ||
				 !strcmp(o->branch_label, id.ptr)))) {
		rc = rt_ctx_error(ctx, RETORT_ECONFLICT, "'%s' would be both a revision id and a "
				  "branch label", rt_graph_label(g, id.ptr) ? id.ptr : o->branch_label);
		goto done;
	}
	v.ctx = ctx;
	rt_buf_init(&v.down);
	rt_buf_init(&v.labels);
	rt_buf_init(&v.depends);
	for (i = 0; i < parents.n; i++)
		rt_buf_printf(&v.down, "%s%s", i ? ", " : "", parents.v[i]->s.revision);
	if (o->branch_label)
		rt_buf_puts(&v.labels, o->branch_label);
	for (i = 0; i < o->ndepends; i++) {
		rt_target t;
		rt_rev *d = NULL;
		if ((rc = rt_target_resolve(&t, g, o->depends_on[i], NULL, 0, &ctx->err)) < 0)
			goto done;
		if (t.revs.n == 1)
			d = t.revs.v[0];
		rt_target_release(&t);
		if (!d) {
			rc = rt_ctx_error(ctx, RETORT_EUSAGE, "--depends-on '%s' is not one revision",
					  o->depends_on[i]);
			goto done;
		}
		rt_buf_printf(&v.depends, "%s%s", i ? ", " : "", d->s.revision);
	}
	rt_now_utc(&date, &epoch);
	comment_lines(&msg, o->message);
	v.message = msg.ptr;
	v.revision = id.ptr;
	v.create_date = date.ptr;
	sections = o->version >= 3 && o->ndialect_sections;
	v.upgrades = !sections && o->upgrade_sql ? o->upgrade_sql : "";
	v.downgrades = !sections && o->downgrade_sql ? o->downgrade_sql : "";

	rt_buf_printf(&path, "%s/script.sql.tmpl", ctx->cfg.script_location);
	if ((rc = rt_read_file(&tmpl, NULL, path.ptr, &ctx->err)) < 0)
		goto done;
	if ((rc = rt_interpolate(&text, tmpl, lookup_var, &v, 1, path.ptr, &ctx->err)) < 0)
		goto done;
	trim_comment_lines(&text);
	if (sections) {
		fill_dialect_sections(&text, "-- +upgrade", o->dialect_sections,
				      o->ndialect_sections, 0);
		fill_dialect_sections(&text, "-- +downgrade", o->dialect_sections,
				      o->ndialect_sections, 1);
	} else {
		fill_section(&text, "-- +upgrade", o->upgrade_options,
			     strstr(tmpl, "${upgrades}") ? NULL : o->upgrade_sql);
		fill_section(&text, "-- +downgrade", o->downgrade_options,
			     strstr(tmpl, "${downgrades}") ? NULL : o->downgrade_sql);
	}
	if ((rc = slug_length(&slug_max, ctx)) < 0)
		goto done;
	rt_slugify(&slug, o->message, slug_max);
	if (!slug.len)
		rt_buf_puts(&slug, "migration");
	if ((rc = rt_file_template(&name, ctx->cfg.file_template, id.ptr, slug.ptr, epoch,
				   &ctx->err)) < 0)
		goto done;
	rt_buf_clear(&path);
	rt_buf_printf(&path, "%s/%s.sql", dir, name.ptr);
	/* the template is the user's: make sure what it made is a valid file */
	if ((rc = rt_script_parse_checked(&check, path.ptr, text.ptr, text.len, &ctx->err)) < 0) {
		rc = rt_ctx_error_prefix(ctx, RETORT_EINVALID,
					 "the template '%s/script.sql.tmpl' made an invalid file: ",
					 ctx->cfg.script_location);
		goto done;
	}
	if (strcmp(check.revision, id.ptr)) {
		rc = rt_ctx_error(ctx, RETORT_EINVALID,
				  "the template '%s/script.sql.tmpl' does not write "
				  "'-- revision: ${revision}'", ctx->cfg.script_location);
		goto done;
	}
	if (rt_buf_oom(&text)) {
		rc = rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
		goto done;
	}
	/* the graph changes: the next use loads it again, and the revisions
	 * handed out so far stay valid (retired before the file is written,
	 * so that running out of memory leaves no file behind) */
	if ((rc = rt_ctx_graph_changed(ctx)) < 0 ||
	    /* a folder of version_locations is made by its first revision */
	    (ctx->version_listed && (rc = rt_mkdir_p(dir, &ctx->err)) < 0) ||
	    (rc = rt_write_file(path.ptr, text.ptr, text.len, 1, &ctx->err)) < 0)
		goto done;
	*out_path = rt_buf_detach(&path);
done:
	rt_script_release(&check);
	rt_revvec_release(&parents);
	rt_buf_release(&v.down);
	rt_buf_release(&v.labels);
	rt_buf_release(&v.depends);
	rt_buf_release(&id);
	rt_buf_release(&date);
	rt_buf_release(&msg);
	rt_buf_release(&slug);
	rt_buf_release(&name);
	rt_buf_release(&path);
	rt_buf_release(&text);
	free(tmpl);
	free(dir);
	return rc;
}
