/*
 * config.c - retort.ini: found the way git finds .git (upwards, but not
 * across a file system, into a ceiling folder or into '/'), read with
 * inih, and every value run through ${VAR} interpolation from the
 * environment.  The known keys live in [retort]; [alembic] is read too
 * (with Alembic's %(here)s and %%), so an existing alembic.ini can be
 * pointed at.  Every key of every section is kept, in file order, for the
 * features that read their own sections.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "rt.h"

#define CONFIG_NAME "retort.ini"

/* ---- finding the file --------------------------------------------------- */

/* `dir` made absolute, symbolic links resolved when it exists. */
static char *absolute_dir(const char *dir)
{
	char *real, *cwd, *joined;

	if (dir && (real = realpath(dir, NULL)))
		return real;
	if (!(cwd = getcwd(NULL, 0)))
		return NULL;
	if (!dir)
		return cwd;
	joined = rt_path_join(cwd, dir);
	free(cwd);
	return joined;
}

/*
 * The folders the search does not climb into, besides '/', as git's
 * GIT_CEILING_DIRECTORIES: those listed in $RETORT_CEILING_DIRECTORIES
 * (':'-separated absolute paths) and the home folder's parent (a
 * retort.ini above one's home is someone else's).
 */
static int ceilings(rt_strlist *out)
{
	const char *env = getenv("RETORT_CEILING_DIRECTORIES"), *home = getenv("HOME");
	char *real;
	int rc = 0;

	while (rc >= 0 && env && *env) {
		size_t n = strcspn(env, ":");
		char *entry = rt_strndup(env, n);

		if (!entry)
			return RETORT_ERROR;
		/* relative entries are skipped, as git does */
		if (entry[0] == '/') {
			real = realpath(entry, NULL);
			rc = rt_strlist_add(out, real ? real : entry);
			free(real);
		}
		free(entry);
		env += n + (env[n] == ':');
	}
	if (rc >= 0 && home && home[0] == '/' && (real = realpath(home, NULL))) {
		char *slash = strrchr(real, '/');

		if (slash != real) {
			*slash = '\0';
			rc = rt_strlist_add(out, real);
		}
		free(real);
	}
	return rc;
}

/* Cut `dir` (absolute, "/" at most once at its end) to its parent. */
static void to_parent(char *dir)
{
	char *slash = strrchr(dir, '/');

	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
}

int rt_config_find(char **out_path, const char *start_dir, rt_buf *err)
{
	rt_buf candidate = RT_BUF_INIT;
	rt_strlist ceiling = { 0 };
	char *start = NULL, *dir, *parent = NULL;
	struct stat st, up;
	int rc;

	*out_path = NULL;
	if (start_dir)
		start = realpath(start_dir, NULL);
	else
		start = getcwd(NULL, 0);
	if (!start)
		return rt_error(err, errno == ENOENT ? RETORT_ENOTFOUND : RETORT_ERROR,
				"cannot use folder '%s': %s", start_dir ? start_dir : ".",
				strerror(errno));
	if (!(dir = rt_strdup(start)) || !(parent = rt_strdup(start)) || ceilings(&ceiling) < 0) {
		free(dir);
		free(parent);
		free(start);
		rt_strlist_release(&ceiling);
		return rt_error(err, RETORT_ERROR, "out of memory");
	}
	for (;;) {
		const char *why = NULL;

		rt_buf_clear(&candidate);
		rt_buf_printf(&candidate, "%s%s" CONFIG_NAME, dir,
			      dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/");
		if (rt_buf_oom(&candidate)) {
			rc = rt_error(err, RETORT_ERROR, "out of memory");
			break;
		}
		if (stat(candidate.ptr, &st) == 0 && !S_ISDIR(st.st_mode)) {
			*out_path = rt_buf_detach(&candidate);
			rc = *out_path ? 0 : rt_error(err, RETORT_ERROR, "out of memory");
			break;
		}
		memcpy(parent, dir, strlen(dir) + 1);
		to_parent(parent);
		/* the start folder may be '/', but a stray /retort.ini must
		 * not become the config of every project on the machine */
		if (!strcmp(dir, "/"))
			why = "the root folder has no parent";
		else if (!strcmp(parent, "/"))
			why = "the root folder is never searched";
		else if (rt_strlist_has(&ceiling, parent))
			why = "the home folder's parent and RETORT_CEILING_DIRECTORIES are not searched";
		/* git's rule too: another file system is another machine's or
		 * another project's (a mounted volume, an NFS home) */
		else if (stat(dir, &st) == 0 && stat(parent, &up) == 0 && st.st_dev != up.st_dev)
			why = "its parent is on another file system";
		if (why) {
			rc = rt_error(err, RETORT_ENOTFOUND,
				      "no " CONFIG_NAME " in '%s' or its parent folders up to '%s' "
				      "(%s); run 'retort init' or pass -c FILE", start, dir, why);
			break;
		}
		memcpy(dir, parent, strlen(parent) + 1);
	}
	rt_buf_release(&candidate);
	rt_strlist_release(&ceiling);
	free(dir);
	free(parent);
	free(start);
	return rc;
}

/* ---- defaults ------------------------------------------------------------- */

int rt_config_defaults(rt_config *cfg, const char *dir)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->transaction_per_migration = 1;
	cfg->lock_timeout = 60;
	cfg->ddl_lock_timeout = 0;
	cfg->connect_timeout = 10;
	if (!(cfg->dir = absolute_dir(dir)) ||
	    !(cfg->script_location = rt_path_join(cfg->dir, "migrations")) ||
	    !(cfg->version_table = rt_strdup("retort_version")) ||
	    !(cfg->file_template = rt_strdup("%(rev)s_%(slug)s"))) {
		rt_config_release(cfg);
		return RETORT_ERROR;
	}
	return 0;
}

/* ---- known keys ----------------------------------------------------------- */

enum kind {
	K_STRING,  /* kept as written; empty means the default */
	K_PATH,    /* made absolute against the ini file's folder */
	K_BOOL,
	K_SECONDS
};

static const struct known {
	const char *name;
	const char *alias;
	enum kind kind;
	size_t offset;
} known_keys[] = {
	{ "script_location", NULL, K_PATH, offsetof(rt_config, script_location) },
	{ "url", "sqlalchemy.url", K_STRING, offsetof(rt_config, url) },
	{ "version_table", NULL, K_STRING, offsetof(rt_config, version_table) },
	{ "version_table_schema", NULL, K_STRING, offsetof(rt_config, version_table_schema) },
	{ "schema", NULL, K_PATH, offsetof(rt_config, schema) },
	{ "log_file", NULL, K_PATH, offsetof(rt_config, log_file) },
	{ "schema_file", NULL, K_PATH, offsetof(rt_config, schema_file) },
	{ "file_template", NULL, K_STRING, offsetof(rt_config, file_template) },
	{ "transaction_per_migration", NULL, K_BOOL,
	  offsetof(rt_config, transaction_per_migration) },
	{ "lock_timeout", NULL, K_SECONDS, offsetof(rt_config, lock_timeout) },
	{ "ddl_lock_timeout", NULL, K_SECONDS, offsetof(rt_config, ddl_lock_timeout) },
	{ "connect_timeout", NULL, K_SECONDS, offsetof(rt_config, connect_timeout) },
};
#define NKNOWN (sizeof(known_keys) / sizeof(known_keys[0]))

static const struct known *find_known(const char *key)
{
	size_t i;

	for (i = 0; i < NKNOWN; i++)
		if (!strcasecmp(key, known_keys[i].name) ||
		    (known_keys[i].alias && !strcasecmp(key, known_keys[i].alias)))
			return &known_keys[i];
	return NULL;
}

int rt_parse_bool(int *out, const char *s)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* `where` names the setting in messages: "retort.ini:3", or a setting
 * made in code. */
static int set_known(rt_config *cfg, const struct known *k, const char *value,
		     const char *where, rt_buf *err)
{
	void *field = (char *)cfg + k->offset;
	char *copy, *end;
	double seconds;

	if (!*value)
		return 0;
	switch (k->kind) {
	case K_STRING:
	case K_PATH:
		copy = k->kind == K_PATH ? rt_path_join(cfg->dir, value) : rt_strdup(value);
		if (!copy)
			return rt_error(err, RETORT_ERROR, "out of memory");
		free(*(char **)field);
		*(char **)field = copy;
		return 0;
	case K_BOOL:
		if (rt_parse_bool(field, value) < 0)
			return rt_error(err, RETORT_ECONFIG,
					"%s: invalid value '%s' for '%s': expected true or false",
					where, value, k->name);
		return 0;
	case K_SECONDS:
		errno = 0;
		seconds = strtod(value, &end);
		if (*end || errno || !isfinite(seconds) || seconds < 0)
			return rt_error(err, RETORT_ECONFIG,
					"%s: invalid value '%s' for '%s': expected a number of seconds",
					where, value, k->name);
		*(double *)field = seconds;
		return 0;
	}
	return 0;
}

/* ---- reading the file ------------------------------------------------------ */

struct parse {
	rt_config *cfg;
	const char *path;    /* as given, for messages */
	int alembic_only;    /* [alembic] but no [retort] */
	/* the text, fed to inih one line at a time so that we know the line */
	const char *text;
	size_t pos, len;
	int line;
	const char *raw;     /* the current line as written */
	int after_key;       /* inih's "a key since the section header" */
	int too_long;        /* a line inih's buffer cannot hold */
	int *lines;          /* the line of each entry */
	size_t cap;
	int rc;              /* the handler's first failure, */
	int err_line;        /* on this line */
	rt_buf *err;
	rt_buf where, value, pct;
};

static char *read_line(char *str, int num, void *stream)
{
	struct parse *ps = stream;
	const char *s = ps->text + ps->pos, *nl, *p;
	size_t n;

	if (ps->pos >= ps->len || ps->too_long)
		return NULL;
	nl = memchr(s, '\n', ps->len - ps->pos);
	n = nl ? (size_t)(nl - s) + 1 : ps->len - ps->pos;
	ps->line++;
	ps->pos += n;
	ps->raw = s;
	for (p = s; p < s + n && (*p == ' ' || *p == '\t'); p++)
		;
	if (num < 3)
		return NULL;
	if (n > (size_t)num - 1) {
		/* inih would read the rest as a line of its own; a long
		 * comment does no harm, a long value is refused */
		if (p < s + n && (*p == ';' || *p == '#')) {
			memcpy(str, ";\n", 3);
			return str;
		}
		ps->too_long = ps->line;
		return NULL;
	}
	memcpy(str, s, n);
	str[n] = '\0';
	if (p < s + n && *p == '[')
		ps->after_key = 0;
	return str;
}

/* Alembic's configparser: "%%" is "%", "%(here)s" the file's folder. */
static void alembic_percent(rt_buf *out, const char *value, const char *dir)
{
	const char *d;

	while (*value) {
		if (!strncmp(value, "%%", 2)) {
			rt_buf_putc(out, '%');
			value += 2;
		} else if (!strncmp(value, "%(here)s", 8)) {
			/* the folder is text, not a ${...} to expand */
			for (d = dir; *d; d++) {
				if (*d == '$')
					rt_buf_putc(out, '$');
				rt_buf_putc(out, *d);
			}
			value += 8;
		} else {
			rt_buf_putc(out, *value++);
		}
	}
}

static int add_entry(struct parse *ps, const char *section, const char *key, const char *value)
{
	rt_config *cfg = ps->cfg;
	struct rt_config_entry *e;

	if (cfg->nentries == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 16;
		struct rt_config_entry *entries = realloc(cfg->entries, cap * sizeof(*entries));
		int *lines;

		if (!entries)
			return RETORT_ERROR;
		cfg->entries = entries;
		if (!(lines = realloc(ps->lines, cap * sizeof(*lines))))
			return RETORT_ERROR;
		ps->lines = lines;
		ps->cap = cap;
	}
	e = &cfg->entries[cfg->nentries];
	e->section = rt_strdup(section);
	e->key = rt_strdup(key);
	e->value = rt_strdup(value);
	ps->lines[cfg->nentries++] = ps->line;
	return e->section && e->key && e->value ? 0 : RETORT_ERROR;
}

static int on_value(void *user, const char *section, const char *name, const char *value)
{
	struct parse *ps = user;
	rt_config *cfg = ps->cfg;
	/* an indented line after a key continues its value (configparser) */
	int cont = ps->after_key && (ps->raw[0] == ' ' || ps->raw[0] == '\t') && cfg->nentries;
	int rc;

	ps->after_key = 1;
	if (ps->rc)
		return 1; /* the first error is the one reported */
	rt_buf_clear(&ps->where);
	rt_buf_printf(&ps->where, "%s:%d", ps->path, ps->line);
	/* configparser has no inline comments: Alembic's
	 * "version_path_separator = ;" means ';', which inih took for one */
	if (!*value && !strcasecmp(name, "version_path_separator")) {
		const char *eq = strpbrk(ps->raw, "=:");

		if (eq && eq[1 + strspn(eq + 1, " \t")] == ';')
			value = ";";
	}
	if (!strcmp(section, "alembic")) {
		rt_buf_clear(&ps->pct);
		alembic_percent(&ps->pct, value, cfg->dir);
		value = ps->pct.ptr;
	}
	rt_buf_clear(&ps->value);
	if (cont)
		rt_buf_printf(&ps->value, "%s\n", cfg->entries[cfg->nentries - 1].value);
	rc = rt_interpolate(&ps->value, value, rt_lookup_env, NULL, 1, ps->where.ptr, ps->err);
	if (rc == RETORT_EINVALID) /* a value of the configuration, not a migration */
		rc = RETORT_ECONFIG;
	if (rc == 0 && (rt_buf_oom(&ps->where) || rt_buf_oom(&ps->pct) || rt_buf_oom(&ps->value)))
		rc = rt_error(ps->err, RETORT_ERROR, "out of memory");
	if (rc == 0 && cont) {
		char *joined = rt_strdup(ps->value.ptr);

		if (joined) {
			free(cfg->entries[cfg->nentries - 1].value);
			cfg->entries[cfg->nentries - 1].value = joined;
		} else {
			rc = rt_error(ps->err, RETORT_ERROR, "out of memory");
		}
	} else if (rc == 0 && add_entry(ps, section, name, ps->value.ptr) < 0) {
		rc = rt_error(ps->err, RETORT_ERROR, "out of memory");
	}
	if (rc < 0) {
		ps->rc = rc;
		ps->err_line = ps->line;
		return 0;
	}
	return 1;
}

/*
 * The known keys, [alembic] first so that [retort] wins.  A key set twice
 * in one section is an error, as in configparser: the second would
 * silently win.
 */
static int apply_known(struct parse *ps, rt_buf *err)
{
	static const char *const sections[] = { "alembic", "retort" };
	rt_config *cfg = ps->cfg;
	size_t s, i, k;
	int rc;

	for (s = 0; s < 2; s++) {
		size_t seen[NKNOWN];

		for (k = 0; k < NKNOWN; k++)
			seen[k] = (size_t)-1;
		for (i = 0; i < cfg->nentries; i++) {
			const struct rt_config_entry *e = &cfg->entries[i];
			const struct known *known;

			if (strcmp(e->section, sections[s]) || !(known = find_known(e->key)))
				continue;
			k = (size_t)(known - known_keys);
			if (seen[k] != (size_t)-1)
				return rt_error(err, RETORT_ECONFIG,
						"%s:%d: '%s' is set twice in [%s] (first on line %d)",
						ps->path, ps->lines[i], e->key, e->section,
						ps->lines[seen[k]]);
			seen[k] = i;
			rt_buf_clear(&ps->where);
			rt_buf_printf(&ps->where, "%s:%d", ps->path, ps->lines[i]);
			if ((rc = set_known(cfg, known, e->value, ps->where.ptr, err)) < 0)
				return rc;
		}
	}
	return 0;
}

static int has_section(const rt_config *cfg, const char *section)
{
	size_t i;

	for (i = 0; i < cfg->nentries; i++)
		if (!strcmp(cfg->entries[i].section, section))
			return 1;
	return 0;
}

int rt_config_load(rt_config *cfg, const char *path, rt_buf *err)
{
	struct parse ps;
	char *text = NULL, *folder = NULL;
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	size_t len;
	int rc, bad, first;

	memset(&ps, 0, sizeof(ps));
	memset(cfg, 0, sizeof(*cfg));
	rt_buf_init(&ps.where);
	rt_buf_init(&ps.value);
	rt_buf_init(&ps.pct);

	if ((rc = rt_read_file(&text, &len, path, err)) < 0)
		return rc;
	if (strlen(text) != len) {
		rc = rt_error(err, RETORT_ECONFIG, "'%s' is not a text file", path);
		goto done;
	}
	if (!(folder = slash ? rt_strndup(path, slash == path ? 1 : (size_t)(slash - path))
			     : rt_strdup("."))) {
		rc = rt_error(err, RETORT_ERROR, "out of memory");
		goto done;
	}
	if ((rc = rt_config_defaults(cfg, folder)) < 0) {
		rc = rt_error(err, RETORT_ERROR, "out of memory");
		goto done;
	}
	if (!(cfg->path = rt_path_join(cfg->dir, base))) {
		rc = rt_error(err, RETORT_ERROR, "out of memory");
		goto done;
	}

	ps.cfg = cfg;
	ps.path = path;
	ps.text = text;
	ps.len = len;
	ps.err = err;
	bad = ini_parse_stream(read_line, &ps, on_value, &ps);
	if (bad < 0) {
		rc = rt_error(err, RETORT_ERROR, "out of memory reading '%s'", path);
		goto done;
	}
	/* report the first of: inih's error, ours, a line too long */
	first = bad;
	if (ps.err_line && (!first || ps.err_line < first))
		first = ps.err_line;
	if (ps.too_long && (!first || ps.too_long < first))
		first = ps.too_long;
	if (first && first == ps.err_line) {
		rc = ps.rc;
		goto done;
	}
	if (first && first == ps.too_long) {
		rc = rt_error(err, RETORT_ECONFIG,
			      "%s:%d: line longer than %d characters; put a long value "
			      "in an environment variable and write ${NAME}", path, first, 197);
		goto done;
	}
	if (first) {
		rc = rt_error(err, RETORT_ECONFIG, "%s:%d: syntax error", path, first);
		goto done;
	}

	/* an alembic.ini's database knows its revisions as alembic_version */
	if (has_section(cfg, "alembic") && !has_section(cfg, "retort")) {
		char *table = rt_strdup("alembic_version");

		if (!table) {
			rc = rt_error(err, RETORT_ERROR, "out of memory");
			goto done;
		}
		free(cfg->version_table);
		cfg->version_table = table;
	}
	rc = apply_known(&ps, err);
done:
	if (rc < 0)
		rt_config_release(cfg);
	free(ps.lines);
	rt_buf_release(&ps.where);
	rt_buf_release(&ps.value);
	rt_buf_release(&ps.pct);
	free(folder);
	free(text);
	return rc;
}

/* ---- access ------------------------------------------------------------------- */

static const char *lookup(const rt_config *cfg, const char *section, const char *key)
{
	const char *alias = NULL, *found = NULL;
	const struct known *known = find_known(key);
	size_t i;

	if (known && known->alias)
		alias = strcasecmp(key, known->name) ? known->name : known->alias;
	for (i = 0; i < cfg->nentries; i++) {
		const struct rt_config_entry *e = &cfg->entries[i];

		if (!strcmp(e->section, section) &&
		    (!strcasecmp(e->key, key) || (alias && !strcasecmp(e->key, alias))))
			found = e->value;
	}
	return found;
}

int rt_config_set(rt_config *cfg, const char *section, const char *key, const char *value,
		  const char *where, rt_buf *err)
{
	const struct known *known = NULL;
	struct rt_config_entry *e = NULL, *more;
	char *copy;
	size_t i;
	int rc;

	if (!section)
		section = "retort";
	if (!key || !*key || !value)
		return rt_error(err, RETORT_ECONFIG, "%s: a setting needs a key and a value", where);
	if ((!strcmp(section, "retort") || !strcmp(section, "alembic")) &&
	    (known = find_known(key)) && (rc = set_known(cfg, known, value, where, err)) < 0)
		return rc;
	for (i = 0; i < cfg->nentries && !e; i++)
		if (!strcmp(cfg->entries[i].section, section) && !strcmp(cfg->entries[i].key, key))
			e = &cfg->entries[i];
	if (!(copy = rt_strdup(value)))
		return rt_error(err, RETORT_ERROR, "out of memory");
	if (!e) {
		if (!(more = realloc(cfg->entries, (cfg->nentries + 1) * sizeof(*more)))) {
			free(copy);
			return rt_error(err, RETORT_ERROR, "out of memory");
		}
		cfg->entries = more;
		e = &cfg->entries[cfg->nentries];
		e->section = rt_strdup(section);
		e->key = rt_strdup(key);
		e->value = NULL;
		cfg->nentries++;
		if (!e->section || !e->key) {
			free(copy);
			return rt_error(err, RETORT_ERROR, "out of memory");
		}
	}
	free(e->value);
	e->value = copy;
	return 0;
}

const char *rt_config_get(const rt_config *cfg, const char *section, const char *key)
{
	const char *value;

	if (!cfg || !section || !key)
		return NULL;
	value = lookup(cfg, section, key);
	if (!value && !strcmp(section, "retort"))
		value = lookup(cfg, "alembic", key);
	return value;
}

/* One folder of version_locations: "%(here)s" (from an alembic.ini line
 * copied into [retort]) is the ini's folder; a relative path is against it. */
static int add_version_dir(rt_strlist *out, const rt_config *cfg, const char *s, size_t n)
{
	rt_buf b = RT_BUF_INIT;
	char *abs, *norm;
	int rc;

	if (n >= 8 && !strncmp(s, "%(here)s", 8)) {
		rt_buf_puts(&b, cfg->dir);
		s += 8;
		n -= 8;
	}
	rt_buf_put(&b, s, n);
	if (rt_buf_oom(&b) || !(abs = rt_path_join(cfg->dir, b.ptr))) {
		rt_buf_release(&b);
		return RETORT_ERROR;
	}
	norm = rt_path_normalize(abs);
	rc = !norm ? RETORT_ERROR : rt_strlist_has(out, norm) ? 0 : rt_strlist_add(out, norm);
	free(abs);
	free(norm);
	rt_buf_release(&b);
	return rc;
}

int rt_config_version_dirs(rt_strlist *out, int *listed, const rt_config *cfg, rt_buf *err)
{
	const char *list = rt_config_get(cfg, "retort", "version_locations");
	const char *sep = rt_config_get(cfg, "retort", "version_path_separator");
	const char *splits, *p;
	char *dir;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	*listed = list && *list;
	if (!*listed) {
		if (!(dir = rt_path_join(cfg->script_location, "versions")) ||
		    rt_strlist_add(out, dir) < 0)
			rc = rt_error(err, RETORT_ERROR, "out of memory");
		free(dir);
		return rc;
	}
	/* Alembic 1.8: without the separator key, blanks and commas (as
	 * before the key existed); else exactly the one it names.  A line
	 * break (a value continued on the next line) separates in each. */
	if (!sep || !*sep)
		splits = " ,\n";
	else if (!strcmp(sep, "space"))
		splits = " \n";
	else if (!strcmp(sep, "os") || !strcmp(sep, ":"))
		splits = ":\n";
	else if (!strcmp(sep, ";"))
		splits = ";\n";
	else
		return rt_error(err, RETORT_ECONFIG, "%s: '%s' is not a valid value for "
				"'version_path_separator': expected 'space', 'os', ':' or ';'",
				cfg->path ? cfg->path : "retort.ini", sep);
	for (p = list; *p && rc >= 0; ) {
		size_t n = strcspn(p, splits);

		if (n && add_version_dir(out, cfg, p, n) < 0)
			rc = rt_error(err, RETORT_ERROR, "out of memory");
		p += n;
		if (*p)
			p++;
	}
	if (rc >= 0 && !out->count)
		rc = rt_error(err, RETORT_ECONFIG, "%s: 'version_locations' names no folder",
			      cfg->path ? cfg->path : "retort.ini");
	if (rc < 0)
		rt_strlist_release(out);
	return rc;
}

static int name_too_long(const rt_config *cfg, const char *key, const char *value,
			 size_t extra, const char *what, const char *scheme, size_t max,
			 rt_buf *err)
{
	size_t n = strlen(value);

	if (n + extra <= max)
		return 0;
	rt_error(err, RETORT_ECONFIG, "%s: '%s' is %zu bytes long, ",
		 cfg->path ? cfg->path : "retort.ini", key, n);
	if (extra)
		rt_buf_printf(err, "and %s adds %zu; ", what, extra);
	rt_buf_printf(err, "%s keeps at most %zu bytes of a name, so '%s' may have at most "
		      "%zu; nothing was changed", scheme, max, key, max - extra);
	return RETORT_ECONFIG;
}

int rt_config_check_names(const rt_config *cfg, const char *scheme, size_t max, rt_buf *err)
{
	const char *history = rt_config_get(cfg, "retort", "history_table");

	if (!max)
		return 0;
	if (cfg->version_table &&
	    name_too_long(cfg, "version_table", cfg->version_table, 4,
			  "its primary key constraint ('<version_table>_pkc')", scheme, max, err))
		return RETORT_ECONFIG;
	if (cfg->version_table_schema &&
	    name_too_long(cfg, "version_table_schema", cfg->version_table_schema, 0, NULL,
			  scheme, max, err))
		return RETORT_ECONFIG;
	if (history && *history &&
	    name_too_long(cfg, "history_table", history, 0, NULL, scheme, max, err))
		return RETORT_ECONFIG;
	return 0;
}

void rt_config_release(rt_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	free(cfg->path);
	free(cfg->dir);
	free(cfg->script_location);
	free(cfg->url);
	free(cfg->version_table);
	free(cfg->version_table_schema);
	free(cfg->schema);
	free(cfg->log_file);
	free(cfg->schema_file);
	free(cfg->file_template);
	for (i = 0; i < cfg->nentries; i++) {
		free(cfg->entries[i].section);
		free(cfg->entries[i].key);
		free(cfg->entries[i].value);
	}
	free(cfg->entries);
	memset(cfg, 0, sizeof(*cfg));
}
