/*
 * import.c - retort_import(): the migrations of dbmate, golang-migrate,
 * goose, Flyway and Diesel made retort revisions, one per version, in the
 * tool's order, each based on the one before; and, with `stamp`, the
 * tool's version table read so that retort records the revision the
 * database is at without running anything.
 *
 * What each tool is told apart by is in the table `tools[]`: how its
 * folder is laid out (scan_*), how it orders and spells versions (a key
 * per version, as its table stores it), and what its table holds
 * (applied_*).  The table's SQL is plain enough for every dialect, and
 * goes through the driver (run/session.h) like retort's own.
 *
 * Nothing is half done: every file is read and checked, and the
 * database's state too, before anything is written; the revision files
 * are written under temporary names and linked into place at the end
 * (never over an existing file), and taken away again if the stamp fails.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "import.h"
#include "session.h"

typedef struct imp_section {
	const char *dialect;  /* a dialect's name, or NULL: any */
	char *source;         /* the file (Diesel: folder) it came from */
	rt_import_body body;
	int no_down;          /* the tool has no down migration for it */
} imp_section;

typedef struct imp_rev {
	char *key;            /* the version as the tool's table holds it */
	char *id;
	char *message;
	imp_section *secs;    /* one per folder (dialect) that has the version */
	size_t nsecs;
} imp_rev;

typedef struct importer importer;

struct tool {
	const char *name;
	const char *table;    /* its version table's default name */
	int (*scan)(importer *im, const char *dir);
	/* the version `v` spelt as the table stores it, or NULL when it is
	 * not one (the caller frees) */
	char *(*key)(const char *v, size_t n);
	int (*cmp)(const char *a, const char *b);
	/* the keys the tool's table says are applied, into im->applied */
	int (*applied)(importer *im, rt_session *s, const char *table);
};

struct importer {
	retort *ctx;
	const struct tool *tool;
	imp_rev *revs;
	size_t n, cap;
	rt_strlist warnings;
	const char *dialect;  /* of the folder being read */
	rt_strlist applied;   /* keys the database has applied */
	char *baseline;       /* Flyway: every version up to it counts as applied */
};

static int oom(importer *im)
{
	return rt_ctx_error(im->ctx, RETORT_ERROR, "out of memory");
}

static int warn(importer *im, const char *fmt, ...) RT_PRINTF(2, 3);
static int warn(importer *im, const char *fmt, ...)
{
	rt_buf b = RT_BUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rt_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	rc = rt_buf_oom(&b) || rt_strlist_add(&im->warnings, b.ptr) < 0 ? oom(im) : 0;
	rt_buf_release(&b);
	return rc;
}

/* ---- versions ----------------------------------------------------------------- */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A run of digits as a number is written: leading zeros gone ("0" for
 * none), which is how goose and golang-migrate store it (an integer). */
static char *key_integer(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit(v[i]))
			return NULL;
	if (!n)
		return NULL;
	while (n > 1 && *v == '0')
		v++, n--;
	return rt_strndup(v, n);
}

/* dbmate and Diesel keep the version as the text it is. */
static char *key_text(const char *v, size_t n)
{
	return n ? rt_strndup(v, n) : NULL;
}

/* Flyway: numbers separated by '.' or '_' (the same), compared as
 * numbers, trailing zeros not counting ("1.0" is "1"): "1.2". */
static char *key_flyway(const char *v, size_t n)
{
	rt_buf b = RT_BUF_INIT;
	size_t i = 0, keep = 0;

	if (!n)
		return NULL;
	while (i <= n) {
		size_t start = i;
		while (i < n && is_digit(v[i]))
			i++;
		if (i == start || (i < n && v[i] != '.' && v[i] != '_')) {
			rt_buf_release(&b);
			return NULL;
		}
		while (start + 1 < i && v[start] == '0')
			start++;
		if (b.len)
			rt_buf_putc(&b, '.');
		rt_buf_put(&b, v + start, i - start);
		if (i - start != 1 || v[start] != '0')
			keep = b.len;
		i++;
	}
	rt_buf_truncate(&b, keep ? keep : 1);
	return rt_buf_oom(&b) ? (rt_buf_release(&b), NULL) : rt_buf_detach(&b);
}

/* Digit strings as numbers (a longer one is bigger once leading zeros are
 * gone), then as text. */
static int cmp_number(const char *a, const char *b, size_t la, size_t lb)
{
	while (la > 1 && *a == '0')
		a++, la--;
	while (lb > 1 && *b == '0')
		b++, lb--;
	if (la != lb)
		return la < lb ? -1 : 1;
	return memcmp(a, b, la);
}

static int cmp_digits(const char *a, const char *b)
{
	int c = cmp_number(a, b, strlen(a), strlen(b));

	return c ? c : strcmp(a, b);
}

static int cmp_flyway(const char *a, const char *b)
{
	while (*a || *b) {
		size_t la = strcspn(a, "."), lb = strcspn(b, ".");
		int c;

		if (!la || !lb) /* "1" is before "1.1" (no trailing zeros) */
			return la ? 1 : lb ? -1 : 0;
		if ((c = cmp_number(a, b, la, lb)))
			return c;
		a += la + (a[la] == '.');
		b += lb + (b[lb] == '.');
	}
	return 0;
}

static int cmp_text(const char *a, const char *b)
{
	return strcmp(a, b);
}

/* ---- the revisions found ------------------------------------------------------ */

static imp_rev *find_rev(importer *im, const char *key)
{
	size_t i;

	for (i = 0; i < im->n; i++)
		if (!strcmp(im->revs[i].key, key))
			return &im->revs[i];
	return NULL;
}

/* The section of the folder being read in `rev`, or NULL. */
static imp_section *own_section(importer *im, imp_rev *rev)
{
	size_t i;

	for (i = 0; rev && i < rev->nsecs; i++)
		if (rev->secs[i].dialect == im->dialect)
			return &rev->secs[i];
	return NULL;
}

/* "create_users_table" -> "create users table": the name part of a file
 * name as a message. */
static char *message_of(importer *im, const char *name, size_t n, const char *version)
{
	rt_buf b = RT_BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++)
		rt_buf_putc(&b, name[i] == '_' || name[i] == '-' ? ' ' : name[i]);
	while (b.len && b.ptr[b.len - 1] == ' ')
		rt_buf_truncate(&b, b.len - 1);
	if (!b.len)
		rt_buf_printf(&b, "%s version %s", im->tool->name, version);
	return rt_buf_oom(&b) ? (rt_buf_release(&b), NULL) : rt_buf_detach(&b);
}

/* Add the migration `version` (as written in the file name, [v, v + vn))
 * of the folder being read: a new revision, or a new section of the one
 * another folder gave the same version.  *out is the section, whose body
 * the caller fills. */
static int add_section(imp_section **out, importer *im, const char *v, size_t vn,
		       const char *name, size_t nn, const char *source)
{
	char *key = im->tool->key(v, vn), *id = NULL;
	imp_rev *rev;
	imp_section *sec;
	const char *why;
	int rc = 0;

	*out = NULL;
	if (!key)
		return rt_ctx_error(im->ctx, RETORT_EINVALID, "%s: '%.*s' is not a %s version",
				    source, (int)vn, v, im->tool->name);
	rev = find_rev(im, key);
	if ((sec = own_section(im, rev))) {
		rc = rt_ctx_error(im->ctx, RETORT_EINVALID, "%s and %s have the same version '%s' "
				  "(%s refuses that too)", sec->source, source, key, im->tool->name);
		goto done;
	}
	if (!rev) {
		/* the version as the user knows it, where retort's ids allow */
		if (!(id = rt_strndup(v, vn)))
			goto nomem;
		for (size_t i = 0; id[i]; i++)
			if (id[i] == '.')
				id[i] = '_';
		/* the version table's column (run/vtable.c) holds 32 */
		if (!(why = rt_id_problem(id)) && strlen(id) > 32)
			why = "longer than the 32 characters of the version table's column";
		if (why) {
			rc = rt_ctx_error(im->ctx, RETORT_EINVALID, "%s: version '%s' cannot be a "
					  "revision id (%s)", source, id, why);
			goto done;
		}
		if (im->n == im->cap) {
			size_t cap = im->cap ? im->cap * 2 : 32;
			imp_rev *grown = realloc(im->revs, cap * sizeof(*grown));
			if (!grown)
				goto nomem;
			im->revs = grown;
			im->cap = cap;
		}
		rev = &im->revs[im->n];
		memset(rev, 0, sizeof(*rev));
		if (!(rev->message = message_of(im, name, nn, id)))
			goto nomem;
		rev->key = key;
		rev->id = id;
		key = id = NULL;
		im->n++;
	}
	sec = realloc(rev->secs, (rev->nsecs + 1) * sizeof(*sec));
	if (!sec)
		goto nomem;
	rev->secs = sec;
	sec += rev->nsecs;
	memset(sec, 0, sizeof(*sec));
	rt_import_body_init(&sec->body);
	sec->dialect = im->dialect;
	if (!(sec->source = rt_strdup(source)))
		goto nomem;
	rev->nsecs++;
	*out = sec;
	goto done;
nomem:
	rc = oom(im);
done:
	free(key);
	free(id);
	return rc;
}

static void free_revs(importer *im)
{
	size_t i, k;

	for (i = 0; i < im->n; i++) {
		for (k = 0; k < im->revs[i].nsecs; k++) {
			free(im->revs[i].secs[k].source);
			rt_import_body_release(&im->revs[i].secs[k].body);
		}
		free(im->revs[i].secs);
		free(im->revs[i].key);
		free(im->revs[i].id);
		free(im->revs[i].message);
	}
	free(im->revs);
	im->revs = NULL;
	im->n = im->cap = 0;
}

/* ---- reading a folder --------------------------------------------------------- */

/* The entries of `dir`, sorted by name (a listing's order is the
 * filesystem's), without "." and "..": *out and each name from malloc. */
static int list_dir(importer *im, const char *dir, struct dirent ***out, int *n)
{
	if ((*n = scandir(dir, out, NULL, alphasort)) < 0)
		return rt_ctx_error(im->ctx, errno == ENOENT || errno == ENOTDIR ? RETORT_ENOTFOUND
				    : RETORT_ERROR, "cannot read the folder '%s': %s", dir,
				    strerror(errno));
	return 0;
}

static void free_list(struct dirent **list, int n)
{
	while (n > 0)
		free(list[--n]);
	free(list);
}

static int ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), e = strlen(end);

	return n >= e && !strcmp(s + n - e, end);
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Read `dir`/`name` whole (NUL-terminated) and its path in *path. */
static int read_in(importer *im, char **text, size_t *len, char **path, const char *dir,
		   const char *name)
{
	*text = NULL;
	if (!(*path = rt_path_join(dir, name)))
		return oom(im);
	return rt_read_file(text, len, *path, &im->ctx->err);
}

/* One file of a tool whose files hold both directions (dbmate, goose). */
static int add_split_file(importer *im, const char *dir, const char *name, size_t vn,
			  int (*split)(rt_import_body *, const char *, const char *, size_t, rt_buf *))
{
	char *text = NULL, *path = NULL;
	const char *rest = name + vn + (name[vn] == '_');
	imp_section *sec;
	size_t len;
	int rc;

	if ((rc = read_in(im, &text, &len, &path, dir, name)) < 0 ||
	    (rc = add_section(&sec, im, name, vn, rest, strlen(rest) - 4, path)) < 0)
		goto done;
	if ((rc = split(&sec->body, path, text, len, &im->ctx->err)) < 0)
		goto done;
done:
	free(text);
	free(path);
	return rc;
}

static size_t digits(const char *s)
{
	size_t n = 0;

	while (is_digit(s[n]))
		n++;
	return n;
}

/* dbmate: every *.sql file whose name starts with its version's digits. */
static int scan_dbmate(importer *im, const char *dir)
{
	struct dirent **list;
	int n, i, rc = 0;

	if ((rc = list_dir(im, dir, &list, &n)) < 0)
		return rc;
	for (i = 0; i < n && rc >= 0; i++) {
		const char *name = list[i]->d_name;
		if (name[0] == '.' || !ends_with(name, ".sql"))
			continue;
		if (!digits(name))
			rc = warn(im, "%s/%s: not imported: dbmate takes only files whose name "
				  "starts with a version", dir, name);
		else
			rc = add_split_file(im, dir, name, digits(name), rt_import_split_dbmate);
	}
	free_list(list, n);
	return rc;
}

/* goose: VERSION_NAME.sql, VERSION a positive number; a VERSION_NAME.go
 * migration is Go code, which retort cannot run. */
static int scan_goose(importer *im, const char *dir)
{
	struct dirent **list;
	int n, i, rc = 0;

	if ((rc = list_dir(im, dir, &list, &n)) < 0)
		return rc;
	for (i = 0; i < n && rc >= 0; i++) {
		const char *name = list[i]->d_name;
		size_t d = digits(name);
		if (name[0] == '.' || (!ends_with(name, ".sql") && !ends_with(name, ".go")) ||
		    ends_with(name, "_test.go"))
			continue;
		if (!d || name[d] != '_' || strspn(name, "0") >= d)
			rc = ends_with(name, ".sql") ? warn(im, "%s/%s: not imported: goose takes "
							    "only VERSION_NAME.sql files", dir,
							    name) : 0;
		else if (ends_with(name, ".go"))
			rc = rt_ctx_error(im->ctx, RETORT_EINVALID, "%s/%s: a Go migration cannot "
					  "be imported (retort runs SQL); write it as SQL first, "
					  "or apply the migrations up to it with goose", dir, name);
		else
			rc = add_split_file(im, dir, name, d, rt_import_split_goose);
	}
	free_list(list, n);
	return rc;
}

/* The section of the folder being read that holds `key`, for a file of
 * the down direction: NULL (and a warning) when there is none. */
static int down_target(imp_section **out, importer *im, const char *v, size_t vn,
		       const char *path)
{
	char *key = im->tool->key(v, vn);
	imp_section *sec;

	*out = NULL;
	if (!key)
		return rt_ctx_error(im->ctx, RETORT_EINVALID, "%s: '%.*s' is not a %s version",
				    path, (int)vn, v, im->tool->name);
	sec = own_section(im, find_rev(im, key));
	free(key);
	if (!sec)
		return warn(im, "%s: not imported: a down migration without its up migration",
			    path);
	if (sec->body.has_down)
		return rt_ctx_error(im->ctx, RETORT_EINVALID, "%s: a second down migration for the "
				    "version of %s", path, sec->source);
	*out = sec;
	return 0;
}

/* Put a down migration's text into its section. */
static int set_down(importer *im, imp_section *sec, const char *text, size_t len, int notx)
{
	rt_buf_put(&sec->body.down, text, len);
	sec->body.has_down = 1;
	sec->body.down_notx = notx;
	return rt_buf_oom(&sec->body.down) ? oom(im) : 0;
}

/* The sections of a tool with an up and a down file per version
 * (golang-migrate, Flyway): ups first, then each down to its up; one
 * without a down file gets a downgrade that refuses. */
static void mark_missing_downs(importer *im)
{
	size_t i;

	for (i = 0; i < im->n; i++) {
		imp_section *sec = own_section(im, &im->revs[i]);
		if (sec && !sec->body.has_down)
			sec->no_down = 1;
	}
}

/* golang-migrate: VERSION_TITLE.up.sql and VERSION_TITLE.down.sql. */
static int scan_golang_migrate(importer *im, const char *dir)
{
	struct dirent **list;
	int n, i, pass, rc = 0;

	if ((rc = list_dir(im, dir, &list, &n)) < 0)
		return rc;
	for (pass = 0; pass < 2 && rc >= 0; pass++) {
		const char *want = pass ? ".down.sql" : ".up.sql";
		for (i = 0; i < n && rc >= 0; i++) {
			const char *name = list[i]->d_name;
			size_t d = digits(name), len;
			char *text = NULL, *path = NULL;
			imp_section *sec;

			if (name[0] == '.' || !ends_with(name, ".sql"))
				continue;
			if (!d || name[d] != '_' ||
			    (!ends_with(name, ".up.sql") && !ends_with(name, ".down.sql"))) {
				if (pass == 0)
					rc = warn(im, "%s/%s: not imported: golang-migrate takes "
						  "only VERSION_TITLE.up.sql and .down.sql files",
						  dir, name);
				continue;
			}
			if (!ends_with(name, want))
				continue;
			if ((rc = read_in(im, &text, &len, &path, dir, name)) >= 0) {
				if (pass == 0 && (rc = add_section(&sec, im, name, d, name + d + 1,
								  strlen(name) - d - 1 - strlen(want),
								  path)) >= 0) {
					rt_buf_put(&sec->body.up, text, len);
					rc = rt_buf_oom(&sec->body.up) ? oom(im) : 0;
				} else if (pass == 1 && (rc = down_target(&sec, im, name, d, path)) >= 0
					   && sec) {
					rc = set_down(im, sec, text, len, 0);
				}
			}
			free(text);
			free(path);
		}
	}
	free_list(list, n);
	if (rc >= 0)
		mark_missing_downs(im);
	return rc;
}

/* Flyway's per-script configuration, FILE.conf: executeInTransaction. */
static int flyway_notx(const char *path)
{
	rt_buf conf = RT_BUF_INIT, ignored = RT_BUF_INIT;
	char *text = NULL;
	const char *p;
	int notx = 0;

	rt_buf_printf(&conf, "%s.conf", path);
	if (!rt_buf_oom(&conf) && access(conf.ptr, F_OK) == 0 &&
	    rt_read_file(&text, NULL, conf.ptr, &ignored) == 0) {
		for (p = text; (p = strstr(p, "executeInTransaction")); p++) {
			const char *v = p + strlen("executeInTransaction");
			v += strspn(v, " \t");
			if (*v == '=' && !strncmp(v + 1 + strspn(v + 1, " \t"), "false", 5))
				notx = 1;
		}
	}
	free(text);
	rt_buf_release(&conf);
	rt_buf_release(&ignored);
	return notx;
}

/* Flyway: V<version>__<description>.sql (and U<version>__... undoing it);
 * R__ repeatable migrations have no version and are not imported. */
static int scan_flyway(importer *im, const char *dir)
{
	struct dirent **list;
	int n, i, pass, rc = 0;

	if ((rc = list_dir(im, dir, &list, &n)) < 0)
		return rc;
	for (pass = 0; pass < 2 && rc >= 0; pass++) {
		for (i = 0; i < n && rc >= 0; i++) {
			const char *name = list[i]->d_name, *sep = strstr(name, "__");
			size_t len, vn = sep ? (size_t)(sep - name - 1) : 0;
			char *text = NULL, *path = NULL;
			imp_section *sec = NULL;

			if (name[0] == '.' || !ends_with(name, ".sql"))
				continue;
			if (!sep || (name[0] != 'V' && name[0] != 'U') || !vn) {
				if (pass == 0)
					rc = warn(im, "%s/%s: not imported: %s", dir, name,
						  name[0] == 'R' && sep == name + 1 ?
						  "a repeatable migration (retort has none: make it a "
						  "revision, or run it by hand)" :
						  "Flyway's versioned migrations are "
						  "V<version>__<description>.sql");
				continue;
			}
			if ((name[0] == 'V') != (pass == 0))
				continue;
			if ((rc = read_in(im, &text, &len, &path, dir, name)) < 0)
				goto next;
			if (pass == 0) {
				if ((rc = add_section(&sec, im, name + 1, vn, sep + 2,
						      strlen(sep + 2) - 4, path)) < 0)
					goto next;
				rt_buf_put(&sec->body.up, text, len);
				sec->body.up_notx = flyway_notx(path);
				rc = rt_buf_oom(&sec->body.up) ? oom(im) : 0;
			} else if ((rc = down_target(&sec, im, name + 1, vn, path)) >= 0 && sec) {
				rc = set_down(im, sec, text, len, flyway_notx(path));
			}
			if (rc >= 0 && sec && strstr(text, "${"))
				rc = warn(im, "%s: check by hand: Flyway replaces ${...} placeholders, "
					  "retort runs the SQL as written", path);
next:
			free(text);
			free(path);
		}
	}
	free_list(list, n);
	if (rc >= 0)
		mark_missing_downs(im);
	return rc;
}

/* Diesel: a folder VERSION_NAME per migration (the version is what comes
 * before the first '_', without its '-'s, as Diesel stores it), with
 * up.sql, an optional down.sql and an optional metadata.toml that may say
 * run_in_transaction = false. */
static int scan_diesel(importer *im, const char *dir)
{
	struct dirent **list;
	int n, i, rc = 0;

	if ((rc = list_dir(im, dir, &list, &n)) < 0)
		return rc;
	for (i = 0; i < n && rc >= 0; i++) {
		const char *name = list[i]->d_name, *us = strchr(name, '_');
		char *folder = NULL, *text = NULL, *path = NULL, *meta = NULL, *v = NULL;
		size_t len, k, vn = us ? (size_t)(us - name) : strlen(name);
		imp_section *sec;
		int notx = 0;

		if (name[0] == '.')
			continue;
		if (!(folder = rt_path_join(dir, name)) || !(v = rt_strndup(name, vn))) {
			rc = oom(im);
			goto next;
		}
		if (!is_dir(folder))
			goto next;
		for (k = 0, vn = 0; v[k]; k++)
			if (v[k] != '-')
				v[vn++] = v[k];
		v[vn] = '\0';
		/* what Diesel's metadata.toml may say (a missing file says nothing) */
		if (!(path = rt_path_join(folder, "metadata.toml"))) {
			rc = oom(im);
			goto next;
		}
		if (access(path, F_OK) == 0) {
			const char *p;
			if ((rc = rt_read_file(&meta, NULL, path, &im->ctx->err)) < 0)
				goto next;
			if ((p = strstr(meta, "run_in_transaction"))) {
				p += strlen("run_in_transaction");
				p += strspn(p, " \t");
				notx = *p == '=' && !strncmp(p + 1 + strspn(p + 1, " \t"), "false", 5);
			}
		}
		free(path);
		path = NULL;
		if ((rc = read_in(im, &text, &len, &path, folder, "up.sql")) < 0) {
			if (path && access(path, F_OK) != 0)
				rc = rt_ctx_error(im->ctx, RETORT_EINVALID, "the Diesel migration "
						  "'%s' has no up.sql", folder);
			goto next;
		}
		if ((rc = add_section(&sec, im, v, vn, us ? us + 1 : "", us ? strlen(us + 1) : 0,
				      folder)) < 0)
			goto next;
		rt_buf_put(&sec->body.up, text, len);
		sec->body.up_notx = notx;
		free(text);
		free(path);
		text = path = NULL;
		if (!(path = rt_path_join(folder, "down.sql"))) {
			rc = oom(im);
		} else if (access(path, F_OK) != 0) {
			sec->no_down = 1;
		} else {
			free(path);
			path = NULL;
			if ((rc = read_in(im, &text, &len, &path, folder, "down.sql")) >= 0)
				rc = set_down(im, sec, text, len, notx);
		}
next:
		free(folder);
		free(text);
		free(path);
		free(meta);
		free(v);
	}
	free_list(list, n);
	return rc;
}

/* ---- the tools' version tables ------------------------------------------------ */

static int query(importer *im, rt_session *s, rt_strlist *rows, int ncols, const char *fmt,
		 const char *table)
{
	rt_buf q = RT_BUF_INIT, t = RT_BUF_INIT;
	int rc;

	s->drv->quote_ident(&t, table);
	rt_buf_printf(&q, fmt, t.ptr);
	rc = rt_buf_oom(&q) ? oom(im) : s->drv->query(s->conn, q.ptr, ncols, rows, &im->ctx->err);
	if (rc < 0)
		rc = rt_ctx_error_prefix(im->ctx, rc, "cannot read %s's table '%s': ",
					 im->tool->name, table);
	rt_buf_release(&q);
	rt_buf_release(&t);
	return rc;
}

static int add_applied(importer *im, const char *version)
{
	char *key = im->tool->key(version, strlen(version));
	int rc;

	if (!key)
		return rt_ctx_error(im->ctx, RETORT_ECONFLICT, "%s's table holds '%s', which is "
				    "not one of its versions", im->tool->name, version);
	rc = rt_strlist_has(&im->applied, key) ? 0 : rt_strlist_add(&im->applied, key);
	free(key);
	return rc < 0 ? oom(im) : 0;
}

static void remove_applied(importer *im, const char *version)
{
	char *key = im->tool->key(version, strlen(version));
	size_t i;

	for (i = 0; key && i < im->applied.count; i++)
		if (!strcmp(im->applied.items[i], key)) {
			free(im->applied.items[i]);
			im->applied.items[i] = im->applied.items[--im->applied.count];
			break;
		}
	free(key);
}

/* dbmate and Diesel: a row per applied version. */
static int applied_rows(importer *im, rt_session *s, const char *table)
{
	rt_strlist rows = { 0 };
	size_t i;
	int rc;

	rc = query(im, s, &rows, 1, "SELECT version FROM %s", table);
	for (i = 0; rc >= 0 && i < rows.count; i++)
		rc = add_applied(im, rows.items[i]);
	rt_strlist_release(&rows);
	return rc;
}

/* golang-migrate: one row, the last version applied, and whether the
 * migration to it failed half way (dirty). */
static int applied_golang_migrate(importer *im, rt_session *s, const char *table)
{
	rt_strlist rows = { 0 };
	imp_rev *last;
	char *key = NULL;
	size_t i;
	int rc;

	rc = query(im, s, &rows, 2, "SELECT version, CASE WHEN dirty THEN 1 ELSE 0 END FROM %s",
		   table);
	if (rc < 0 || rows.count == 0)
		goto done;
	if (rows.count > 2) {
		rc = rt_ctx_error(im->ctx, RETORT_ECONFLICT, "golang-migrate's table '%s' has %zu "
				  "rows; it keeps one", table, rows.count / 2);
		goto done;
	}
	if (strcmp(rows.items[1], "0")) {
		rc = rt_ctx_error(im->ctx, RETORT_ECONFLICT, "the database is dirty at version %s: "
				  "a golang-migrate migration failed part way, and what it left is "
				  "not a version retort can record; repair the database and run "
				  "'migrate force VERSION' first", rows.items[0]);
		goto done;
	}
	key = im->tool->key(rows.items[0], strlen(rows.items[0]));
	if (!key || !(last = find_rev(im, key))) {
		rc = rt_ctx_error(im->ctx, RETORT_ECONFLICT, "the database is at golang-migrate "
				  "version %s, which no file imported has", rows.items[0]);
		goto done;
	}
	/* everything up to it is applied: golang-migrate goes in order */
	for (i = 0; rc >= 0 && i < im->n; i++)
		if (im->tool->cmp(im->revs[i].key, last->key) <= 0)
			rc = add_applied(im, im->revs[i].key);
done:
	free(key);
	rt_strlist_release(&rows);
	return rc;
}

/* goose: a row per up or down run (newer releases delete the row on the
 * way down instead); the latest row of a version says whether it is
 * applied.  Version 0 is goose's own first row. */
static int applied_goose(importer *im, rt_session *s, const char *table)
{
	rt_strlist rows = { 0 }, seen = { 0 };
	size_t i;
	int rc;

	rc = query(im, s, &rows, 2, "SELECT version_id, CASE WHEN is_applied THEN 1 ELSE 0 END "
		   "FROM %s ORDER BY id DESC", table);
	for (i = 0; rc >= 0 && i + 1 < rows.count; i += 2) {
		const char *v = rows.items[i];
		if (!strcmp(v, "0") || rt_strlist_has(&seen, v))
			continue;
		if (rt_strlist_add(&seen, v) < 0)
			rc = oom(im);
		else if (!strcmp(rows.items[i + 1], "1"))
			rc = add_applied(im, v);
	}
	rt_strlist_release(&rows);
	rt_strlist_release(&seen);
	return rc;
}

/* Flyway: its history in installed_rank order.  A failed row stops
 * everything (Flyway itself wants `flyway repair` first); a baseline
 * counts every version up to it as applied; an undo takes its version
 * back. */
static int applied_flyway(importer *im, rt_session *s, const char *table)
{
	rt_strlist rows = { 0 };
	size_t i;
	int rc;

	rc = query(im, s, &rows, 4, "SELECT version, type, CASE WHEN success THEN 1 ELSE 0 END, "
		   "script FROM %s ORDER BY installed_rank", table);
	for (i = 0; rc >= 0 && i + 3 < rows.count; i += 4) {
		const char *v = rows.items[i], *type = rows.items[i + 1];
		if (strcmp(rows.items[i + 2], "1")) {
			rc = rt_ctx_error(im->ctx, RETORT_ECONFLICT, "Flyway recorded the migration "
					  "'%s'%s%s as failed: repair the database and run "
					  "'flyway repair' first", rows.items[i + 3],
					  *v ? " of version " : "", v);
		} else if (!*v) {
			continue; /* repeatable migrations, the schema's creation */
		} else if (!strcmp(type, "BASELINE")) {
			free(im->baseline);
			if (!(im->baseline = im->tool->key(v, strlen(v))))
				rc = add_applied(im, v); /* names the bad version */
		} else if (!strncmp(type, "UNDO_", 5) || !strcmp(type, "DELETE")) {
			remove_applied(im, v);
		} else {
			rc = add_applied(im, v);
		}
	}
	rt_strlist_release(&rows);
	return rc;
}

static const struct tool tools[] = {
	{ "dbmate", "schema_migrations", scan_dbmate, key_text, cmp_digits, applied_rows },
	{ "golang-migrate", "schema_migrations", scan_golang_migrate, key_integer, cmp_digits,
	  applied_golang_migrate },
	{ "goose", "goose_db_version", scan_goose, key_integer, cmp_digits, applied_goose },
	{ "flyway", "flyway_schema_history", scan_flyway, key_flyway, cmp_flyway,
	  applied_flyway },
	{ "diesel", "__diesel_schema_migrations", scan_diesel, key_text, cmp_text, applied_rows },
};

/* ---- the revision to stamp ----------------------------------------------------- */

/* Does the database's dialect run anything of `rev`? */
static int runs_on(const imp_rev *rev, const char *dialect)
{
	size_t i;

	for (i = 0; i < rev->nsecs; i++)
		if (!rev->secs[i].dialect || !strcmp(rev->secs[i].dialect, dialect))
			return 1;
	return 0;
}

static int applied(const importer *im, const imp_rev *rev)
{
	return rt_strlist_has(&im->applied, rev->key) ||
	       (im->baseline && im->tool->cmp(rev->key, im->baseline) <= 0);
}

/* Read the tool's table and find the revision the database is at: *out
 * (borrowed) NULL when none is applied.  Every version applied must be a
 * revision that runs on the database, and every such revision below the
 * last one applied must be applied too: retort records a point in the
 * chain, not a set with holes. */
static int find_stamp(const imp_rev **out, importer *im, const char *table)
{
	rt_session s;
	rt_buf missing = RT_BUF_INIT;
	size_t i, nmissing = 0, last = 0;
	int exists = 0, rc;

	*out = NULL;
	rt_session_init(&s, im->ctx);
	if ((rc = rt_session_open(&s, RT_SESSION_CONNECT)) < 0)
		goto done;
	if ((rc = s.drv->table_exists(s.conn, NULL, table, &exists, &im->ctx->err)) < 0)
		goto done;
	if (!exists) {
		rc = rt_ctx_error(im->ctx, RETORT_ENOTFOUND, "the database %s has no table '%s': "
				  "%s has not migrated it (or keeps its versions in another table: "
				  "name it with --table)", s.url.masked, table, im->tool->name);
		goto done;
	}
	if ((rc = im->tool->applied(im, &s, table)) < 0)
		goto done;
	for (i = 0; i < im->applied.count; i++) {
		imp_rev *rev = find_rev(im, im->applied.items[i]);
		if (!rev || !runs_on(rev, s.drv->name)) {
			rc = rt_ctx_error(im->ctx, RETORT_ECONFLICT, "the database has %s version "
					  "'%s' applied, which no file imported for it has",
					  im->tool->name, im->applied.items[i]);
			goto done;
		}
	}
	for (i = 0; i < im->n; i++)
		if (applied(im, &im->revs[i]) && runs_on(&im->revs[i], s.drv->name)) {
			last = i + 1;
			*out = &im->revs[i];
		}
	for (i = 0; i + 1 < last; i++)
		if (!applied(im, &im->revs[i]) && runs_on(&im->revs[i], s.drv->name) &&
		    nmissing++ < 10)
			rt_buf_printf(&missing, "%s'%s'", nmissing > 1 ? ", " : "", im->revs[i].key);
	if (nmissing)
		rc = rt_ctx_error(im->ctx, RETORT_ECONFLICT, "the database has %s version '%s' "
				  "applied but not %zu earlier one%s (%s%s), out of order: retort "
				  "records one point of the chain, so apply %s with %s first",
				  im->tool->name, (*out)->key, nmissing, nmissing == 1 ? "" : "s",
				  missing.ptr, nmissing > 10 ? ", ..." : "",
				  nmissing == 1 ? "it" : "them", im->tool->name);
done:
	if (rc < 0)
		*out = NULL;
	rt_buf_release(&missing);
	rt_session_release(&s);
	return rc;
}

/* ---- writing the revisions ------------------------------------------------------ */

static void put_marker(rt_buf *out, const char *word, const imp_section *sec, int notx)
{
	rt_buf_puts(out, word);
	if (sec->dialect)
		rt_buf_printf(out, " %s", sec->dialect);
	if (notx)
		rt_buf_puts(out, " transaction=false");
	rt_buf_putc(out, '\n');
}

/* A body without the blank lines at its end, then one blank line. */
static void put_body(rt_buf *out, const rt_buf *body)
{
	size_t n = body->len, end = 0, i;

	for (i = 0; i < n; i++)
		if (body->ptr[i] != '\n' && body->ptr[i] != '\r' && body->ptr[i] != ' ' &&
		    body->ptr[i] != '\t')
			end = i + 1;
	rt_buf_put(out, body->ptr, end);
	if (end)
		rt_buf_putc(out, '\n');
	rt_buf_putc(out, '\n');
}

/* The text of a revision file, in the layout `retort revision` writes. */
static void render(rt_buf *out, const importer *im, const imp_rev *rev, const char *down,
		   const char *date)
{
	size_t i;

	rt_buf_puts(out, "-- ");
	rt_sql_comment(out, rev->message);
	rt_buf_printf(out, "\n--\n-- Imported from %s:", im->tool->name);
	for (i = 0; i < rev->nsecs; i++) {
		rt_buf_puts(out, i ? ", " : " ");
		rt_sql_comment(out, rev->secs[i].source);
	}
	rt_buf_printf(out, "\n--\n-- revision: %s\n-- down_revision:%s%s\n-- branch_labels:\n"
		      "-- depends_on:\n-- create_date: %s\n\n", rev->id, down ? " " : "",
		      down ? down : "", date);
	for (i = 0; i < rev->nsecs; i++) {
		put_marker(out, "-- +upgrade", &rev->secs[i], rev->secs[i].body.up_notx);
		put_body(out, &rev->secs[i].body.up);
	}
	for (i = 0; i < rev->nsecs; i++) {
		const imp_section *sec = &rev->secs[i];
		put_marker(out, "-- +downgrade", sec, sec->body.down_notx);
		if (sec->no_down) {
			/* a plan that would run it is refused before anything
			 * runs, naming this line (graph/script.c) */
			rt_buf_printf(out, "-- +unfinished no downgrade imported for %s: %s has "
				      "no down migration for this version\n\n",
				      rev->id, im->tool->name);
		} else {
			put_body(out, &sec->body.down);
		}
	}
}

/* Check what a revision's text parses to: its id, and one section per
 * marker written (a line of the tool's SQL that reads as retort's marker
 * would cut a body short). */
static int check_text(importer *im, const imp_rev *rev, const char *path, const rt_buf *text)
{
	rt_script s = { 0 };
	int rc;

	if ((rc = rt_script_parse_checked(&s, path, text->ptr, text->len, &im->ctx->err)) < 0)
		return rt_ctx_error_prefix(im->ctx, RETORT_EINVALID, "the migration of %s does "
					   "not make a valid revision: ", rev->secs[0].source);
	if (strcmp(s.revision, rev->id) || s.nsections != 2 * rev->nsecs)
		rc = rt_ctx_error(im->ctx, RETORT_EINVALID, "%s: a line of its SQL reads as one of "
				  "retort's section markers ('-- +upgrade', '-- +downgrade'); "
				  "change that comment first", rev->secs[0].source);
	rt_script_release(&s);
	return rc;
}

/* Write every revision under a temporary name, then link each into place
 * (which fails rather than replace a file), so that a failure leaves the
 * versions folder as it was.  *written gets the final paths. */
static int write_all(importer *im, rt_strlist *written)
{
	rt_strlist temps = { 0 };
	rt_buf text = RT_BUF_INIT, date = RT_BUF_INIT, slug = RT_BUF_INIT, name = RT_BUF_INIT,
	       path = RT_BUF_INIT, tmp = RT_BUF_INIT;
	long long epoch;
	size_t i;
	int rc = 0;

	rt_now_utc(&date, &epoch);
	for (i = 0; i < im->n && rc >= 0; i++) {
		const imp_rev *rev = &im->revs[i];
		rt_buf_clear(&text);
		rt_buf_clear(&slug);
		rt_buf_clear(&name);
		rt_buf_clear(&path);
		rt_buf_clear(&tmp);
		render(&text, im, rev, i ? im->revs[i - 1].id : NULL, date.ptr);
		rt_slugify(&slug, rev->message, 40);
		if (!slug.len)
			rt_buf_puts(&slug, "migration");
		if ((rc = rt_file_template(&name, im->ctx->cfg.file_template, rev->id, slug.ptr,
					   epoch, &im->ctx->err)) < 0)
			break;
		rt_buf_printf(&path, "%s/versions/%s.sql", im->ctx->cfg.script_location, name.ptr);
		rt_buf_printf(&tmp, "%s.import.%ld", path.ptr, (long)getpid());
		if (rt_buf_oom(&text) || rt_buf_oom(&path) || rt_buf_oom(&tmp)) {
			rc = oom(im);
			break;
		}
		if ((rc = check_text(im, rev, path.ptr, &text)) < 0)
			break;
		if (rt_strlist_has(written, path.ptr)) {
			rc = rt_ctx_error(im->ctx, RETORT_ECONFLICT, "two revisions would be "
					  "written to '%s' (file_template)", path.ptr);
			break;
		}
		if (rt_strlist_add(written, path.ptr) < 0 || rt_strlist_add(&temps, tmp.ptr) < 0) {
			rc = oom(im);
			break;
		}
		rc = rt_write_file(tmp.ptr, text.ptr, text.len, 1, &im->ctx->err);
		if (rc < 0)
			temps.count--; /* not made: nothing to remove */
	}
	for (i = 0; rc >= 0 && i < written->count; i++)
		if (link(temps.items[i], written->items[i]) < 0) {
			rc = rt_ctx_error(im->ctx, errno == EEXIST ? RETORT_ECONFLICT : RETORT_ERROR,
					  "cannot create '%s': %s", written->items[i],
					  strerror(errno));
			while (i > 0)
				unlink(written->items[--i]);
		}
	for (i = 0; i < temps.count; i++)
		unlink(temps.items[i]);
	if (rc < 0)
		rt_strlist_release(written);
	rt_strlist_release(&temps);
	rt_buf_release(&text);
	rt_buf_release(&date);
	rt_buf_release(&slug);
	rt_buf_release(&name);
	rt_buf_release(&path);
	rt_buf_release(&tmp);
	return rc;
}

static void unwrite(retort *ctx, rt_strlist *written)
{
	size_t i;

	for (i = 0; i < written->count; i++)
		unlink(written->items[i]);
	rt_ctx_graph_changed(ctx);
}

/* ---- the entry point -------------------------------------------------------------- */

void retort_import_report_release(retort_import_report *r)
{
	if (!r)
		return;
	retort_strarray_release(&r->revisions);
	retort_strarray_release(&r->paths);
	retort_strarray_release(&r->warnings);
	free(r->stamped);
	memset(r, 0, sizeof(*r));
}

static void give(retort_strarray *out, rt_strlist *l)
{
	out->strings = l->items;
	out->count = l->count;
	memset(l, 0, sizeof(*l));
}

static int sort_cmp_tool(const struct tool *t, const imp_rev *a, const imp_rev *b)
{
	return t->cmp(a->key, b->key);
}

/* Insertion sort by the tool's order: a few hundred revisions at most,
 * and qsort's comparator could not see the tool. */
static void sort_revs(importer *im)
{
	size_t i, k;

	for (i = 1; i < im->n; i++) {
		imp_rev r = im->revs[i];
		for (k = i; k > 0 && sort_cmp_tool(im->tool, &im->revs[k - 1], &r) > 0; k--)
			im->revs[k] = im->revs[k - 1];
		im->revs[k] = r;
	}
}

/* Read one folder of migrations written for `dialect` (NULL: any). */
static int read_tree(importer *im, const char *dir, const char *dialect)
{
	const char *name = NULL;
	size_t i, k;

	if (dialect && !(name = rt_dialect_canonical(dialect)))
		return rt_ctx_error(im->ctx, RETORT_EUSAGE, "unknown dialect '%s' for '%s'",
				    dialect, dir);
	for (i = 0; i < im->n; i++)
		for (k = 0; k < im->revs[i].nsecs; k++)
			if (im->revs[i].secs[k].dialect == name ||
			    (name && im->revs[i].secs[k].dialect &&
			     !strcmp(im->revs[i].secs[k].dialect, name)))
				return rt_ctx_error(im->ctx, RETORT_EUSAGE, "two folders of "
						    "migrations for %s: give each its own dialect",
						    name ? name : "every dialect");
	if (!is_dir(dir))
		return rt_ctx_error(im->ctx, RETORT_ENOTFOUND, "no folder '%s'", dir);
	im->dialect = name;
	return im->tool->scan(im, dir);
}

int retort_import(retort_import_report *out, retort *ctx, const char *tool, const char *dir,
		  const retort_import_options *opts)
{
	importer im = { 0 };
	rt_strlist written = { 0 }, ids = { 0 };
	const imp_rev *at = NULL;
	rt_graph *g;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	rt_buf_clear(&ctx->err);
	if ((rc = RT_CTX_CHECK_OPTIONS(ctx, opts, RETORT_IMPORT_OPTIONS_VERSION,
				       "retort_import_options")) < 0)
		return rc;
	im.ctx = ctx;
	for (i = 0; tool && i < sizeof(tools) / sizeof(tools[0]); i++)
		if (!strcmp(tools[i].name, tool))
			im.tool = &tools[i];
	if (!im.tool)
		return rt_ctx_error(ctx, RETORT_EUSAGE, "unknown tool '%s' (dbmate, golang-migrate, "
				    "goose, flyway or diesel)", tool ? tool : "");
	if (!dir)
		return rt_ctx_error(ctx, RETORT_EUSAGE, "no folder of migrations given");
	if (ctx->source)
		return rt_ctx_error(ctx, RETORT_EUSAGE, "the migrations come from '%s', not a "
				    "folder: imported revisions are files of the project's versions "
				    "folder", ctx->source->name);
	if ((rc = rt_ctx_graph(&g, ctx)) < 0)
		goto done;
	if (g->n) {
		rc = rt_ctx_error(ctx, RETORT_ECONFLICT, "the project already has %zu revision%s "
				  "(in '%s'): import into a new project ('retort init')", g->n,
				  g->n == 1 ? "" : "s", g->dir);
		goto done;
	}
	if ((rc = read_tree(&im, dir, opts ? opts->dialect : NULL)) < 0)
		goto done;
	for (i = 0; opts && i < opts->nmore; i++)
		if (!opts->more_dialects || !opts->more_dialects[i]) {
			rc = rt_ctx_error(ctx, RETORT_EUSAGE, "the folder '%s' needs a dialect",
					  opts->more_dirs[i]);
			goto done;
		} else if ((rc = read_tree(&im, opts->more_dirs[i], opts->more_dialects[i])) < 0) {
			goto done;
		}
	if (!im.n) {
		rc = rt_ctx_error(ctx, RETORT_ENOTFOUND, "no %s migrations in '%s'", im.tool->name,
				  dir);
		goto done;
	}
	sort_revs(&im);
	if (opts && opts->stamp &&
	    (rc = find_stamp(&at, &im, opts->table ? opts->table : im.tool->table)) < 0)
		goto done;
	/* the graph changes: the next use loads it again (the revisions
	 * handed out so far stay valid) */
	if ((rc = rt_ctx_graph_changed(ctx)) < 0 || (rc = write_all(&im, &written)) < 0)
		goto done;
	if ((rc = rt_ctx_graph(&g, ctx)) < 0 ||
	    (at && (rc = retort_stamp(ctx, at->id, NULL)) < 0)) {
		unwrite(ctx, &written);
		rt_ctx_error_prefix(ctx, rc, "nothing was imported: ");
		goto done;
	}
	for (i = 0; i < im.n; i++)
		if (rt_strlist_add(&ids, im.revs[i].id) < 0) {
			rc = oom(&im);
			goto done;
		}
	if (at && !(out->stamped = rt_strdup(at->id))) {
		rc = oom(&im);
		goto done;
	}
	give(&out->revisions, &ids);
	give(&out->paths, &written);
	give(&out->warnings, &im.warnings);
done:
	free_revs(&im);
	rt_strlist_release(&im.warnings);
	rt_strlist_release(&im.applied);
	rt_strlist_release(&written);
	rt_strlist_release(&ids);
	free(im.baseline);
	return rc;
}
