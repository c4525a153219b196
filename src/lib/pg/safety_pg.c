/*
 * safety_pg.c - the PostgreSQL driver's backup, restore, fingerprint and
 * scratch database slots (safety.h).
 *
 * Backups are pg_dump's custom format (pg_dump -Fc), run as a child
 * process: found through the `pg_dump` key of retort.ini, else on PATH,
 * else the newest /usr/lib/postgresql/<version>/bin/pg_dump (Debian's
 * layout).  The password goes to it in PGPASSWORD, never on its command
 * line, where `ps` would show it.
 *
 * Restoring is left to the user, with the command spelt out: pg_restore
 * --clean drops and re-creates only the objects the archive holds, so a
 * table that a migration created after the backup would survive beside
 * the restored schema, and the next upgrade would fail on it.  Restoring
 * into a new database is the faithful way, and whether to switch the
 * application over is not retort's decision.
 */
#ifdef RETORT_WITH_PG

#define _GNU_SOURCE  /* pipe2, strverscmp */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "safety.h"

extern char **environ;

/* ---- pg_dump ------------------------------------------------------------------- */

static int executable(const char *path)
{
	return access(path, X_OK) == 0;
}

/* The newest of /usr/lib/postgresql/ * /bin/pg_dump. */
static int debian_pg_dump(rt_buf *out)
{
	glob_t g;
	size_t i, best = 0;
	int found = 0;

	if (glob("/usr/lib/postgresql/*/bin/pg_dump", 0, NULL, &g) != 0)
		return 0;
	for (i = 0; i < g.gl_pathc; i++) {
		if (!executable(g.gl_pathv[i]))
			continue;
		if (!found || strverscmp(g.gl_pathv[i], g.gl_pathv[best]) > 0)
			best = i;
		found = 1;
	}
	if (found)
		rt_buf_puts(out, g.gl_pathv[best]);
	globfree(&g);
	return found;
}

/* Look `name` up in PATH. */
static int on_path(rt_buf *out, const char *name)
{
	const char *path = getenv("PATH"), *p, *colon;

	for (p = path; p && *p; p = *colon ? colon + 1 : colon) {
		colon = p + strcspn(p, ":");
		rt_buf_clear(out);
		if (colon == p)
			rt_buf_puts(out, ".");
		else
			rt_buf_put(out, p, (size_t)(colon - p));
		rt_buf_printf(out, "/%s", name);
		if (!rt_buf_oom(out) && executable(out->ptr))
			return 1;
	}
	rt_buf_clear(out);
	return 0;
}

static int find_pg_dump(rt_buf *out, const rt_config *cfg, rt_buf *err)
{
	const char *set = rt_config_get(cfg, "retort", "pg_dump");

	if (set && *set) {
		char *path = strchr(set, '/') ? rt_path_join(cfg->dir, set) : NULL;
		int ok = path ? executable(path) : on_path(out, set);

		if (path)
			rt_buf_puts(out, path);
		free(path);
		if (!ok)
			return rt_error(err, RETORT_ENOTFOUND,
					"pg_dump = %s (in %s): no such program; it is needed to back "
					"up a PostgreSQL database", set,
					cfg->path ? cfg->path : "retort.ini");
		return 0;
	}
	if (on_path(out, "pg_dump") || debian_pg_dump(out))
		return 0;
	return rt_error(err, RETORT_ENOTFOUND,
			"cannot back up a PostgreSQL database: pg_dump is not installed (looked on "
			"PATH and in /usr/lib/postgresql/*/bin); install the PostgreSQL client "
			"(Debian: apt-get install postgresql-client) or set pg_dump = /path/to/pg_dump "
			"in retort.ini");
}

/* Append key='value' for a libpq connection string. */
static void conninfo_kv(rt_buf *out, const char *key, const char *value)
{
	const char *p;

	if (!value)
		return;
	rt_buf_printf(out, "%s%s='", out->len ? " " : "", key);
	for (p = value; *p; p++) {
		if (*p == '\'' || *p == '\\')
			rt_buf_putc(out, '\\');
		rt_buf_putc(out, *p);
	}
	rt_buf_putc(out, '\'');
}

/* The URL as a connection string without the password. */
static void conninfo(rt_buf *out, const rt_url *url)
{
	size_t i;

	conninfo_kv(out, "host", url->host);
	conninfo_kv(out, "port", url->port);
	conninfo_kv(out, "user", url->user);
	conninfo_kv(out, "dbname", url->path);
	for (i = 0; i < url->nparams; i++)
		if (strcmp(url->params[i].key, "password"))
			conninfo_kv(out, url->params[i].key, url->params[i].value);
}

/* The password, from the URL or its parameters, or NULL. */
static const char *password_of(const rt_url *url)
{
	size_t i;

	for (i = 0; i < url->nparams; i++)
		if (!strcmp(url->params[i].key, "password"))
			return url->params[i].value;
	return url->password;
}

/* Run argv[0] with stdin and stdout on /dev/null; its stderr goes to
 * `errout`.  Returns its exit status, or -1 when it could not start (errno
 * is in *spawn_errno) or was killed. */
static int run_child(char *const argv[], char *const envp[], rt_buf *errout, int *spawn_errno)
{
	posix_spawn_file_actions_t fa;
	char chunk[4096];
	int pipefd[2], status = 0, rc;
	ssize_t n;
	pid_t pid;

	*spawn_errno = 0;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		*spawn_errno = errno;
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (rc != 0) {
		close(pipefd[0]);
		*spawn_errno = rc;
		return -1;
	}
	while ((n = read(pipefd[0], chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (errout->len < 65536)
			rt_buf_put(errout, chunk, (size_t)n);
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The environment with PGPASSWORD set (or as it is, when `password` is
 * NULL).  Only the array is allocated; *owned is the one new string. */
static char **child_env(const char *password, char **owned)
{
	size_t n = 0, i, k = 0;
	char **env;

	*owned = NULL;
	while (environ && environ[n])
		n++;
	if (!(env = calloc(n + 2, sizeof(*env))))
		return NULL;
	for (i = 0; i < n; i++)
		if (!password || strncmp(environ[i], "PGPASSWORD=", 11))
			env[k++] = environ[i];
	if (password) {
		rt_buf b = RT_BUF_INIT;
		rt_buf_printf(&b, "PGPASSWORD=%s", password);
		if (rt_buf_oom(&b) || !(*owned = rt_buf_detach(&b))) {
			rt_buf_release(&b);
			free(env);
			return NULL;
		}
		env[k++] = *owned;
	}
	env[k] = NULL;
	return env;
}

/* The first lines of a child's stderr, passwords masked. */
static void child_message(rt_buf *out, const rt_buf *text)
{
	rt_buf head = RT_BUF_INIT;
	size_t len = text->len, lines = 0, i;

	for (i = 0; i < len && lines < 4; i++)
		if (text->ptr[i] == '\n')
			lines++;
	while (i > 0 && (text->ptr[i - 1] == '\n' || text->ptr[i - 1] == ' '))
		i--;
	rt_buf_put(&head, text->ptr, i);
	rt_mask_secrets(out, head.len ? head.ptr : "(no message)");
	rt_buf_release(&head);
}

int rt_pg_backup(const rt_url *url, const rt_config *cfg, const char *dest, rt_buf *err)
{
	rt_buf prog = RT_BUF_INIT, conn = RT_BUF_INIT, file = RT_BUF_INIT, db = RT_BUF_INIT;
	rt_buf errout = RT_BUF_INIT, msg = RT_BUF_INIT;
	char *owned = NULL, **env = NULL;
	int rc, status, spawn_errno;

	if ((rc = find_pg_dump(&prog, cfg, err)) < 0)
		goto done;
	conninfo(&conn, url);
	rt_buf_printf(&file, "--file=%s", dest);
	rt_buf_printf(&db, "--dbname=%s", conn.ptr);
	if (rt_buf_oom(&prog) || rt_buf_oom(&file) || rt_buf_oom(&db) ||
	    !(env = child_env(password_of(url), &owned))) {
		rc = rt_error(err, RETORT_ERROR, "out of memory");
		goto done;
	}
	{
		char *argv[] = { prog.ptr, "--format=custom", "--no-password", file.ptr, db.ptr,
				 NULL };
		status = run_child(argv, env, &errout, &spawn_errno);
	}
	if (status == 0) {
		rc = 0;
	} else if (spawn_errno) {
		rc = rt_error(err, RETORT_ERROR, "cannot run '%s': %s", prog.ptr,
			      strerror(spawn_errno));
	} else {
		child_message(&msg, &errout);
		rc = rt_error(err, RETORT_ERROR, "pg_dump of '%s' failed (%s %d): %s", url->masked,
			      status < 0 ? "killed, status" : "exit status", status, msg.ptr);
	}
done:
	if (owned) { /* the password: do not leave it in freed memory */
		memset(owned, 0, strlen(owned));
		free(owned);
	}
	free(env);
	rt_buf_release(&prog);
	rt_buf_release(&conn);
	rt_buf_release(&file);
	rt_buf_release(&db);
	rt_buf_release(&errout);
	rt_buf_release(&msg);
	return rc;
}

int rt_pg_restore(const rt_url *url, const rt_config *cfg, const char *src, rt_buf *err)
{
	rt_buf conn = RT_BUF_INIT;
	char head[5];
	ssize_t n;
	int fd = open(src, O_RDONLY | O_CLOEXEC);

	(void)cfg;
	if (fd < 0)
		return rt_error(err, RETORT_ERROR, "cannot read '%s': %s", src, strerror(errno));
	n = read(fd, head, sizeof(head));
	close(fd);
	if (n != (ssize_t)sizeof(head) || memcmp(head, "PGDMP", 5))
		return rt_error(err, RETORT_EINVALID, "'%s' is not a pg_dump archive (custom "
				"format); nothing was changed", src);
	conninfo(&conn, url);
	rt_error(err, RETORT_ECONFLICT,
		 "retort does not restore PostgreSQL backups itself; nothing was changed\n"
		 "pg_restore --clean re-creates only what the archive holds and keeps the tables "
		 "created since the backup, so restore into a new database and point the "
		 "application at it:\n"
		 "  createdb NEWDB && pg_restore --no-owner --dbname=NEWDB '%s'\n"
		 "or overwrite this database in one transaction (tables created since the backup "
		 "stay):\n"
		 "  pg_restore --clean --if-exists --single-transaction --dbname=\"%s\" '%s'",
		 src, conn.ptr, src);
	rt_buf_release(&conn);
	return RETORT_ECONFLICT;
}

/* ---- fingerprint --------------------------------------------------------------- */

/*
 * A fingerprint reads every object of the catalogs, and retort test takes
 * three per revision: on a large schema that was most of the test's time.
 * So the lines are kept with the connection (memo below) and each call
 * renders again only what changed since the last one:
 *
 * Every catalog row of a user object (OID from 16384, FirstNormalObjectId)
 * is counted for its "owner": the relation whose lines it feeds (a
 * column, default, index, constraint, trigger, rule or sequence for its
 * table; a table's row type and that type's array for the table), or 0,
 * the rest (schemas, types, functions, operators, collations, extensions
 * and their members), which every line may name.  Per owner, the number
 * of rows and the sum and the greatest of their xmin: a row inserted,
 * updated or deleted changes them, as a new row version has a newer xmin.
 * Rows changed in place (VACUUM's statistics) keep theirs, and no line
 * shows what those change.
 *
 * Owner 0 changed, or more than one schema on the search path (a new
 * table could hide another of the same name, changing lines that name
 * it): everything is rendered again.  Otherwise the changed owners are,
 * with every relation whose objects depend (pg_depend) on one of them or
 * its row type: a foreign key naming a renamed column, a view reading a
 * table, a default taking from a sequence.  A dependent that is not a
 * relation's (a function returning a table's rows) renders owner 0 again.
 * A relation that is gone only loses its lines: what depended on it was
 * dropped or changed with it, and shows as changed itself.
 */

/* The counts, by owner. */
static const char state_sql[] =
	"WITH raw AS (\n"
	"  SELECT oid AS owner, xmin FROM pg_class WHERE oid >= 16384\n"
	/* system columns come and go with their table */
	"  UNION ALL SELECT attrelid, xmin FROM pg_attribute WHERE attrelid >= 16384 AND attnum > 0\n"
	"  UNION ALL SELECT adrelid, xmin FROM pg_attrdef WHERE oid >= 16384\n"
	"  UNION ALL SELECT indexrelid, xmin FROM pg_index WHERE indexrelid >= 16384\n"
	"  UNION ALL SELECT conrelid, xmin FROM pg_constraint WHERE oid >= 16384\n"
	"  UNION ALL SELECT tgrelid, xmin FROM pg_trigger WHERE oid >= 16384\n"
	"  UNION ALL SELECT ev_class, xmin FROM pg_rewrite WHERE oid >= 16384\n"
	"  UNION ALL SELECT seqrelid, xmin FROM pg_sequence WHERE seqrelid >= 16384\n"
	"  UNION ALL SELECT objid, xmin FROM pg_depend\n"
	"    WHERE classid = 'pg_class'::regclass AND objid >= 16384\n"
	"  UNION ALL SELECT CASE WHEN typrelid <> 0 THEN typrelid WHEN typelem = 0 THEN 0\n"
	"    ELSE (SELECT e.typrelid FROM pg_type e WHERE e.oid = t.typelem) END, xmin\n"
	"    FROM pg_type t WHERE oid >= 16384\n"
	"  UNION ALL SELECT 0, xmin FROM pg_namespace\n"
	"  UNION ALL SELECT 0, xmin FROM pg_proc WHERE oid >= 16384\n"
	"  UNION ALL SELECT 0, xmin FROM pg_enum WHERE oid >= 16384\n"
	"  UNION ALL SELECT 0, xmin FROM pg_collation WHERE oid >= 16384\n"
	"  UNION ALL SELECT 0, xmin FROM pg_extension\n"
	"  UNION ALL SELECT 0, xmin FROM pg_depend WHERE refclassid = 'pg_extension'::regclass\n"
	"  UNION ALL SELECT 0, xmin FROM pg_operator WHERE oid >= 16384\n"
	"  UNION ALL SELECT 0, xmin FROM pg_opclass WHERE oid >= 16384\n"
	"  UNION ALL SELECT 0, xmin FROM pg_opfamily WHERE oid >= 16384\n"
	"  UNION ALL SELECT 0, xmin FROM pg_am WHERE oid >= 16384\n"
	"  UNION ALL SELECT 0, xmin FROM pg_language WHERE oid >= 16384\n"
	"  UNION ALL SELECT 0, xmin FROM pg_ts_config WHERE oid >= 16384\n"
	"  UNION ALL SELECT 0, xmin FROM pg_ts_dict WHERE oid >= 16384),\n"
	"by_owner AS (SELECT owner, count(*) AS n, max(xmin::text::bigint) AS hi,\n"
	"                    sum(xmin::text::bigint) AS total FROM raw GROUP BY owner),\n"
	/* an index's rows are its table's, a composite type's are owner 0's */
	"mapped AS (\n"
	"  SELECT CASE WHEN c.relkind = 'c' THEN 0 WHEN c.relkind IN ('i', 'I') THEN i.indrelid\n"
	"         ELSE b.owner END AS owner, n, hi, total\n"
	"  FROM by_owner b LEFT JOIN pg_class c ON c.oid = b.owner\n"
	"  LEFT JOIN pg_index i ON i.indexrelid = b.owner)\n"
	"SELECT owner::text, sum(n) || ' ' || max(hi) || ' ' || sum(total), owner::bigint\n"
	"FROM mapped GROUP BY owner UNION ALL\n"
	"SELECT '-', COALESCE(array_length(current_schemas(false), 1), 0)::text, -1\n"
	"ORDER BY 3";

/* Every object of the user's schemas as one line, beside its owner;
 * extension members and the skipped tables left out.  OIDs never appear
 * in a line.  $1: the changed owners, $2: render everything.  Each owner
 * rendered is also listed with an empty line, so that the caller drops
 * what it kept of it. */
static const char lines_sql[] =
	"WITH ns AS (\n"
	"  SELECT oid, nspname FROM pg_namespace\n"
	"  WHERE nspname NOT IN ('pg_catalog', 'information_schema')\n"
	"    AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp\\_%'),\n"
	"ext AS (SELECT classid, objid FROM pg_depend\n"
	"        WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'),\n"
	"chg AS (SELECT unnest($1::oid[]) AS oid),\n"
	/* what names a changed relation: itself, its row type, that type's array */
	"named AS (SELECT oid FROM chg\n"
	"  UNION ALL SELECT t.oid FROM pg_type t JOIN chg ON chg.oid = t.typrelid\n"
	"  UNION ALL SELECT a.oid FROM pg_type a JOIN pg_type t ON t.oid = a.typelem\n"
	"            JOIN chg ON chg.oid = t.typrelid),\n"
	"dep AS (\n"
	"  SELECT CASE d.classid\n"
	"    WHEN 'pg_class'::regclass THEN (SELECT CASE WHEN c.relkind = 'c' THEN 0\n"
	"      WHEN c.relkind IN ('i', 'I') THEN (SELECT indrelid FROM pg_index WHERE indexrelid = c.oid)\n"
	"      ELSE c.oid END FROM pg_class c WHERE c.oid = d.objid)\n"
	"    WHEN 'pg_constraint'::regclass THEN (SELECT conrelid FROM pg_constraint WHERE oid = d.objid)\n"
	"    WHEN 'pg_rewrite'::regclass THEN (SELECT ev_class FROM pg_rewrite WHERE oid = d.objid)\n"
	"    WHEN 'pg_attrdef'::regclass THEN (SELECT adrelid FROM pg_attrdef WHERE oid = d.objid)\n"
	"    WHEN 'pg_trigger'::regclass THEN (SELECT tgrelid FROM pg_trigger WHERE oid = d.objid)\n"
	"    WHEN 'pg_type'::regclass THEN CASE WHEN d.objid IN (SELECT oid FROM named)\n"
	"      THEN NULL ELSE 0 END\n"
	"    ELSE 0 END AS oid\n"
	"  FROM pg_depend d\n"
	"  WHERE d.refclassid IN ('pg_class'::regclass, 'pg_type'::regclass)\n"
	"    AND d.refobjid IN (SELECT oid FROM named)),\n"
	"pick AS (SELECT oid FROM chg UNION SELECT oid FROM dep WHERE oid IS NOT NULL),\n"
	"glob AS (SELECT $2 OR EXISTS (SELECT 1 FROM pick WHERE oid = 0) AS yes),\n"
	"rel AS (\n"
	"  SELECT c.oid, c.relname, c.relkind, n.nspname,\n"
	"         quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS qname\n"
	"  FROM pg_class c JOIN ns n ON n.oid = c.relnamespace\n"
	"  WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_class'::regclass\n"
	"                    AND ext.objid = c.oid)\n"
	/* rendering some: those, their indexes and the skipped tables */
	"    AND ($2 OR c.oid IN (SELECT oid FROM pick) OR c.relname = ANY (@SKIP@)\n"
	"         OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT oid FROM pick)))),\n"
	"skipped AS (SELECT oid FROM rel WHERE relkind IN ('r', 'p') AND relname = ANY (@SKIP@)),\n"
	/* the skipped tables, with their serial and identity sequences */
	"own AS (SELECT oid FROM skipped UNION ALL\n"
	"        SELECT d.objid FROM pg_depend d JOIN skipped s ON s.oid = d.refobjid\n"
	"        WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass\n"
	"          AND d.deptype IN ('a', 'i')),\n"
	"keep AS (SELECT * FROM rel WHERE oid NOT IN (SELECT oid FROM own))\n"
	"SELECT owner, line FROM (\n"
	"  SELECT oid AS owner, '' AS line FROM pick WHERE NOT $2\n"
	"  UNION ALL\n"
	"  SELECT 0, '' WHERE (SELECT yes FROM glob)\n"
	"  UNION ALL\n"
	"  SELECT 0, 'schema ' || quote_ident(nspname) FROM ns\n"
	"  WHERE nspname <> 'public' AND (SELECT yes FROM glob)\n"
	"  UNION ALL\n"
	"  SELECT oid, 'table ' || qname || CASE relkind WHEN 'p' THEN ' (partitioned)'\n"
	"         WHEN 'f' THEN ' (foreign)' ELSE '' END\n"
	"  FROM keep WHERE relkind IN ('r', 'p', 'f') AND ($2 OR oid IN (SELECT oid FROM pick))\n"
	"  UNION ALL\n"
	"  SELECT k.oid, 'column ' || k.qname || '.' || quote_ident(a.attname) || ' '\n"
	"         || format_type(a.atttypid, a.atttypmod)\n"
	"         || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END\n"
	"         || COALESCE(' default ' || pg_get_expr(d.adbin, d.adrelid), '')\n"
	"         || CASE a.attidentity WHEN 'a' THEN ' identity always'\n"
	"            WHEN 'd' THEN ' identity' ELSE '' END\n"
	"         || CASE WHEN a.attgenerated <> '' THEN ' generated' ELSE '' END\n"
	"         || COALESCE(' collate ' || quote_ident(co.collname), '')\n"
	"  FROM keep k\n"
	"  JOIN pg_attribute a ON a.attrelid = k.oid AND a.attnum > 0 AND NOT a.attisdropped\n"
	"  JOIN pg_type t ON t.oid = a.atttypid\n"
	"  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum\n"
	"  LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> t.typcollation\n"
	"  WHERE k.relkind IN ('r', 'p', 'f') AND ($2 OR k.oid IN (SELECT oid FROM pick))\n"
	"  UNION ALL\n"
	"  SELECT i.indrelid, 'index ' || pg_get_indexdef(i.indexrelid)\n"
	"  FROM pg_index i JOIN keep k ON k.oid = i.indexrelid\n"
	"  WHERE i.indrelid NOT IN (SELECT oid FROM own)\n"
	"    AND ($2 OR i.indrelid IN (SELECT oid FROM pick))\n"
	"  UNION ALL\n"
	"  SELECT c.conrelid, 'constraint ' || quote_ident(c.conname) || ' on ' || k.qname || ': '\n"
	"         || pg_get_constraintdef(c.oid)\n"
	"  FROM pg_constraint c JOIN keep k ON k.oid = c.conrelid\n"
	"  WHERE $2 OR c.conrelid IN (SELECT oid FROM pick)\n"
	"  UNION ALL\n"
	"  SELECT oid, 'view ' || qname || CASE relkind WHEN 'm' THEN ' (materialized)' ELSE '' END\n"
	"         || ': ' || regexp_replace(pg_get_viewdef(oid), '\\s+', ' ', 'g')\n"
	"  FROM keep WHERE relkind IN ('v', 'm') AND ($2 OR oid IN (SELECT oid FROM pick))\n"
	"  UNION ALL\n"
	"  SELECT k.oid, 'sequence ' || k.qname || ' ' || format_type(s.seqtypid, NULL)\n"
	"         || ' start ' || s.seqstart || ' increment ' || s.seqincrement\n"
	"         || ' min ' || s.seqmin || ' max ' || s.seqmax\n"
	"         || CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END\n"
	"  FROM pg_sequence s JOIN keep k ON k.oid = s.seqrelid\n"
	"  WHERE $2 OR k.oid IN (SELECT oid FROM pick)\n"
	"  UNION ALL\n"
	"  SELECT t.tgrelid, 'trigger ' || pg_get_triggerdef(t.oid)\n"
	"  FROM pg_trigger t JOIN keep k ON k.oid = t.tgrelid\n"
	"  WHERE NOT t.tgisinternal AND ($2 OR t.tgrelid IN (SELECT oid FROM pick))\n"
	"  UNION ALL\n"
	"  SELECT 0, 'type ' || quote_ident(n.nspname) || '.' || quote_ident(t.typname) || ' '\n"
	"         || CASE t.typtype WHEN 'e' THEN 'enum (' || (SELECT string_agg(quote_literal(e.enumlabel),\n"
	"              ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) || ')'\n"
	"            WHEN 'd' THEN 'domain ' || format_type(t.typbasetype, t.typtypmod)\n"
	"              || CASE WHEN t.typnotnull THEN ' not null' ELSE '' END\n"
	"              || COALESCE(' default ' || t.typdefault, '')\n"
	"              || COALESCE((SELECT ' ' || string_agg(pg_get_constraintdef(c.oid), ' '\n"
	"                 ORDER BY c.conname) FROM pg_constraint c WHERE c.contypid = t.oid), '')\n"
	"            WHEN 'r' THEN 'range' WHEN 'm' THEN 'multirange'\n"
	"            ELSE 'composite (' || (SELECT string_agg(quote_ident(a.attname) || ' '\n"
	"              || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)\n"
	"              FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0\n"
	"              AND NOT a.attisdropped) || ')' END\n"
	"  FROM pg_type t JOIN ns n ON n.oid = t.typnamespace\n"
	"  WHERE (t.typtype IN ('e', 'd', 'r', 'm')\n"
	"         OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class c\n"
	"             WHERE c.oid = t.typrelid AND c.relkind = 'c')))\n"
	"    AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_type'::regclass\n"
	"                    AND ext.objid = t.oid)\n"
	"    AND (SELECT yes FROM glob)\n"
	"  UNION ALL\n"
	"  SELECT 0, 'function ' || pg_get_functiondef(p.oid)\n"
	"  FROM pg_proc p JOIN ns n ON n.oid = p.pronamespace\n"
	"  WHERE p.prokind IN ('f', 'p')\n"
	"    AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_proc'::regclass\n"
	"                    AND ext.objid = p.oid)\n"
	"    AND (SELECT yes FROM glob)\n"
	"  UNION ALL\n"
	"  SELECT 0, 'extension ' || quote_ident(extname) FROM pg_extension\n"
	"  WHERE extname <> 'plpgsql' AND (SELECT yes FROM glob)\n"
	") x";

/* What a connection keeps of its last fingerprint: the skipped tables it
 * was for, the counts by owner (owner, counts, ... as state_sql gives
 * them) and the lines (owner, line, ...). */
struct rt_pg_memo {
	char *skip;
	int prepared; /* the queries are the session's retort_fp_state and _lines */
	rt_strlist state;
	rt_strlist lines;
};

void rt_pg_memo_free(rt_pg_memo *m)
{
	if (!m)
		return;
	free(m->skip);
	rt_strlist_release(&m->state);
	rt_strlist_release(&m->lines);
	free(m);
}

/* lines_sql with the skipped tables' `names` and what $1 and $2 stand
 * for: themselves when the query is prepared. */
static void expand(rt_buf *out, const char *names, const char *owners, const char *all)
{
	const char *p = lines_sql;

	while (*p) {
		if (!strncmp(p, "@SKIP@", 6)) {
			rt_buf_puts(out, names);
			p += 6;
		} else if (p[0] == '$' && (p[1] == '1' || p[1] == '2')) {
			rt_buf_puts(out, p[1] == '1' ? owners : all);
			p += 2;
		} else {
			rt_buf_putc(out, *p++);
		}
	}
}

/* Prepare both queries on the connection (planned once, not three times
 * per revision), unless a pooler in transaction mode may run the next
 * statement on another server session, where they are not. */
static int prepare(rt_pg_memo *m, rt_conn *c, rt_buf *err)
{
	rt_buf sql = RT_BUF_INIT;
	int rc;

	if ((rc = rt_pg_one_session(c, &m->prepared, err)) < 0 || !m->prepared)
		return rc;
	rt_buf_puts(&sql, "DEALLOCATE ALL; PREPARE retort_fp_state AS ");
	rt_buf_puts(&sql, state_sql);
	rt_buf_puts(&sql, "; PREPARE retort_fp_lines(oid[], boolean) AS ");
	expand(&sql, m->skip, "$1", "$2");
	if (rt_buf_oom(&sql))
		rc = rt_error(err, RETORT_ERROR, "out of memory");
	else
		rc = c->driver->exec(c, sql.ptr, sql.len, NULL, err);
	rt_buf_release(&sql);
	return rc;
}

/* Owners are OIDs in text; "-" (the search path) sorts before them. */
static int by_owner(const char *a, const char *b)
{
	unsigned long x = strtoul(a, NULL, 10), y = strtoul(b, NULL, 10);

	if (*a == '-' || *b == '-')
		return (*b == '-') - (*a == '-');
	return x < y ? -1 : x > y;
}

/* What changed between the counts `was` and `now` (both sorted). */
typedef struct changes {
	rt_buf owners;      /* the owners changed, an array literal */
	rt_strlist gone;    /* those that are no more, each with an empty line */
	int present;        /* how many are still there */
	int global;         /* owner 0 changed, or the search path has more than
			       one schema: render everything */
} changes;

static int compare_counts(changes *ch, const rt_strlist *was, const rt_strlist *now)
{
	size_t i = 0, k = 0;
	int c, rc = 0;
	const char *o;

	rt_buf_putc(&ch->owners, '{');
	while (rc >= 0 && (i < was->count || k < now->count)) {
		c = rt_sorted_side(was->items, i, was->count, now->items, k, now->count, by_owner);
		if (!c && !strcmp(was->items[i + 1], now->items[k + 1])) {
			i += 2;
			k += 2;
			continue;
		}
		o = c > 0 ? now->items[k] : was->items[i];
		if (*o == '-' || !strcmp(o, "0"))
			ch->global = 1;
		else
			rt_buf_printf(&ch->owners, "%s%s", ch->owners.len > 1 ? "," : "", o);
		if (c < 0 && *o != '-') /* only in `was` */
			rc = rt_strlist_add(&ch->gone, o) < 0 ? -1 : rt_strlist_add(&ch->gone, "");
		else
			ch->present++;
		if (c >= 0)
			k += 2;
		if (c <= 0)
			i += 2;
	}
	rt_buf_putc(&ch->owners, '}');
	if (now->count && !strcmp(now->items[0], "-") && strtoul(now->items[1], NULL, 10) > 1)
		ch->global = 1;
	return rc < 0 || rt_buf_oom(&ch->owners) ? -1 : 0;
}

/* Drop the kept lines of the owners `fresh` lists with an empty line, and
 * add its other lines. */
static int merge_lines(rt_strlist *kept, const rt_strlist *fresh, rt_buf *err)
{
	rt_strlist gone = { 0 }, next = { 0 };
	size_t i;
	int rc = 0;

	for (i = 0; rc >= 0 && i + 1 < fresh->count; i += 2)
		if (!*fresh->items[i + 1])
			rc = rt_strlist_add(&gone, fresh->items[i]);
	for (i = 0; rc >= 0 && i + 1 < kept->count; i += 2)
		if (!rt_strlist_has(&gone, kept->items[i]) &&
		    ((rc = rt_strlist_add(&next, kept->items[i])) < 0 ||
		     (rc = rt_strlist_add(&next, kept->items[i + 1])) < 0))
			break;
	for (i = 0; rc >= 0 && i + 1 < fresh->count; i += 2)
		if (*fresh->items[i + 1] &&
		    ((rc = rt_strlist_add(&next, fresh->items[i])) < 0 ||
		     (rc = rt_strlist_add(&next, fresh->items[i + 1])) < 0))
			break;
	rt_strlist_release(&gone);
	if (rc < 0) {
		rt_strlist_release(&next);
		return rt_error(err, RETORT_ERROR, "out of memory");
	}
	rt_strlist_release(kept);
	*kept = next;
	return 0;
}

int rt_pg_fingerprint(rt_conn *c, const rt_strlist *skip, rt_strlist *out, rt_buf *err)
{
	rt_pg_memo **memo = rt_pg_conn_memo(c), *m = *memo;
	rt_buf names = RT_BUF_INIT, sql = RT_BUF_INIT;
	rt_strlist state = { 0 }, fresh = { 0 };
	changes ch = { RT_BUF_INIT, { 0 }, 0, 1 };
	size_t i;
	int rc;

	rt_buf_puts(&names, "ARRAY[");
	for (i = 0; i < skip->count; i++) {
		if (i)
			rt_buf_puts(&names, ", ");
		rt_sql_literal(&names, skip->items[i]);
	}
	rt_buf_puts(&names, "]::text[]");
	if (rt_buf_oom(&names))
		goto oom;
	if (!m || strcmp(m->skip, names.ptr)) {
		rt_pg_memo_free(m);
		if (!(*memo = m = calloc(1, sizeof(*m))) || !(m->skip = rt_strdup(names.ptr)))
			goto oom;
		if ((rc = prepare(m, c, err)) < 0)
			goto done;
	}
	rc = c->driver->query(c, m->prepared ? "EXECUTE retort_fp_state" : state_sql, 2, &state,
			      err);
	if (rc < 0)
		goto done;
	if (m->state.count) {
		ch.global = 0;
		if (compare_counts(&ch, &m->state, &state) < 0)
			goto oom;
	}
	if (ch.global || ch.present) {
		/* everything, or what changed and what depends on it */
		rt_buf_clear(&names);
		rt_sql_literal(&names, ch.global ? "{}" : ch.owners.ptr);
		if (ch.global)
			rt_strlist_release(&m->lines);
		if (m->prepared)
			rt_buf_printf(&sql, "EXECUTE retort_fp_lines(%s, %s)", names.ptr,
				      ch.global ? "true" : "false");
		else
			expand(&sql, m->skip, names.ptr, ch.global ? "true" : "false");
		if (rt_buf_oom(&names) || rt_buf_oom(&sql))
			goto oom;
		rc = c->driver->query(c, sql.ptr, 2, &fresh, err);
	}
	/* a relation that is no more leaves nothing that depends on it */
	if (rc >= 0 && ch.gone.count)
		rc = merge_lines(&m->lines, &ch.gone, err);
	if (rc >= 0 && fresh.count)
		rc = merge_lines(&m->lines, &fresh, err);
	if (rc < 0) {
		rt_strlist_release(&m->state); /* render everything next time */
		goto done;
	}
	rt_strlist_release(&m->state);
	m->state = state;
	memset(&state, 0, sizeof(state));
	for (i = 0; i + 1 < m->lines.count; i += 2)
		if (rt_strlist_add(out, m->lines.items[i + 1]) < 0)
			goto oom;
	goto done;
oom:
	rc = rt_error(err, RETORT_ERROR, "out of memory");
done:
	rt_strlist_release(&state);
	rt_strlist_release(&fresh);
	rt_strlist_release(&ch.gone);
	rt_buf_release(&ch.owners);
	rt_buf_release(&names);
	rt_buf_release(&sql);
	return rc;
}

/* ---- scratch databases ------------------------------------------------------------ */

#define SCRATCH_PREFIX "retort_test_"

/* Connect to the maintenance database `postgres` of `url`'s server. */
static int connect_admin(rt_conn **out, const rt_url *url, const rt_config *cfg, rt_buf *err)
{
	rt_url admin = *url;
	int rc;

	admin.path = (char *)"postgres";
	if ((rc = rt_driver_pg.connect(out, &admin, cfg, err)) < 0)
		rt_error_prefix(err, rc, "cannot reach the maintenance database 'postgres' to make "
				"or drop a scratch database: ");
	return rc;
}

/* `url` with its database name replaced by `name` (the text is kept as
 * written otherwise: the scheme, hosts and parameters). */
static void replace_dbname(rt_buf *out, const char *url, const char *name)
{
	const char *rest = strstr(url, "://");
	size_t end, pend;

	rest = rest ? rest + 3 : url;
	end = strcspn(rest, "/?");
	pend = end;
	if (rest[end] == '/')
		pend = end + 1 + strcspn(rest + end + 1, "?");
	rt_buf_put(out, url, (size_t)(rest - url) + end);
	rt_buf_printf(out, "/%s", name);
	rt_buf_puts(out, rest + pend);
}

int rt_pg_scratch_create(char **out_url, const char *url, const rt_url *parsed,
			 const rt_config *cfg, rt_buf *err)
{
	rt_conn *c = NULL;
	rt_buf name = RT_BUF_INIT, sql = RT_BUF_INIT, u = RT_BUF_INIT, ignored = RT_BUF_INIT;
	rt_strlist found = { 0 };
	size_t i;
	int n, rc = 0;

	*out_url = NULL;
	for (i = 0; i < parsed->nparams; i++)
		if (!strcmp(parsed->params[i].key, "dbname"))
			return rt_error(err, RETORT_EUSAGE,
					"'%s' names its database in a dbname parameter; write it "
					"as the URL's path so that retort test can make a scratch "
					"database beside it", parsed->masked);
	if ((rc = connect_admin(&c, parsed, cfg, err)) < 0)
		return rc;
	for (n = 1; n <= 20; n++) {
		rt_buf_clear(&name);
		rt_buf_printf(&name, SCRATCH_PREFIX "%ld_%d", (long)getpid(), n);
		rt_buf_clear(&sql);
		rt_buf_puts(&sql, "CREATE DATABASE ");
		rt_sql_quote_ident(&sql, name.ptr);
		if ((rc = c->driver->exec(c, sql.ptr, sql.len, NULL, err)) >= 0)
			break;
		/* taken by an earlier run of this pid?  try the next name */
		rt_buf_clear(&sql);
		rt_buf_puts(&sql, "SELECT 1 FROM pg_database WHERE datname = ");
		rt_sql_literal(&sql, name.ptr);
		rt_strlist_release(&found);
		if (c->driver->query(c, sql.ptr, 1, &found, &ignored) < 0 || !found.count)
			break;
	}
	if (rc < 0) {
		rt_error_prefix(err, rc, "cannot create the scratch database '%s' on '%s' (scratch "
				"databases need the CREATEDB privilege): ", name.ptr, parsed->masked);
		goto done;
	}
	replace_dbname(&u, url, name.ptr);
	if (rt_buf_oom(&u) || !(*out_url = rt_buf_detach(&u)))
		rc = rt_error(err, RETORT_ERROR, "out of memory");
done:
	rt_driver_pg.close(c);
	rt_strlist_release(&found);
	rt_buf_release(&name);
	rt_buf_release(&sql);
	rt_buf_release(&u);
	rt_buf_release(&ignored);
	return rc;
}

int rt_pg_scratch_drop(const char *url, const rt_url *parsed, const rt_config *cfg,
		       rt_buf *err)
{
	rt_conn *c = NULL;
	rt_buf sql = RT_BUF_INIT;
	rt_strlist ended = { 0 };
	int rc;

	(void)url;
	/* never anything but a database scratch_create made */
	if (!parsed->path || strncmp(parsed->path, SCRATCH_PREFIX, strlen(SCRATCH_PREFIX)))
		return rt_error(err, RETORT_EUSAGE, "'%s' is not a scratch database; not dropped",
				parsed->masked);
	if ((rc = connect_admin(&c, parsed, cfg, err)) < 0)
		return rc;
	/* sessions still on it (a run that retort_cancel_request interrupts
	 * from another thread) would make the DROP fail; it waits a few
	 * seconds for them to end */
	rt_buf_puts(&sql, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ");
	rt_sql_literal(&sql, parsed->path);
	rt_buf_puts(&sql, " AND pid <> pg_backend_pid()");
	if ((rc = c->driver->query(c, sql.ptr, 1, &ended, err)) < 0)
		goto done;
	rt_buf_clear(&sql);
	rt_buf_puts(&sql, "DROP DATABASE IF EXISTS ");
	rt_sql_quote_ident(&sql, parsed->path);
	if ((rc = c->driver->exec(c, sql.ptr, sql.len, NULL, err)) < 0)
		rt_error_prefix(err, rc, "cannot drop the scratch database '%s': ", parsed->path);
done:
	rt_driver_pg.close(c);
	rt_strlist_release(&ended);
	rt_buf_release(&sql);
	return rc;
}

#endif /* RETORT_WITH_PG */
