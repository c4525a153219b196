/*
 * retort.h - the public interface of libretort, the schema migration library.
 *
 * A program (the retort command line, or an application migrating its own
 * database at start-up) creates a context with retort_new(), points it at a
 * project with retort_open(), and then asks for the revision graph, the
 * database's current state, or a run (upgrade, downgrade, stamp).
 *
 * Ownership, once for the whole API:
 *  - what a function hands back through an `out` parameter is the caller's
 *    and is freed with the matching _release()/_free();
 *  - a pointer returned as the function's value (a revision, a string) is
 *    borrowed from the context and lives until retort_free(), unless its
 *    function says otherwise (retort_errmsg, retort_url_masked); loading
 *    the graph again (after retort_revision) keeps the revisions handed
 *    out before, with the links they had;
 *  - options structs are initialised with their _INIT macro, which sets
 *    their version; NULL options mean the defaults everywhere.
 *
 * Errors: functions return 0 on success and a negative RETORT_E* code on
 * failure; retort_errmsg(ctx) then says what went wrong, naming the file,
 * line or revision and the state the database was left in.  The library
 * never prints and never exits.
 *
 * Threads: a context is used by one thread at a time; separate contexts
 * are independent and may run at once, in any threads, on the same
 * database too (the run lock serialises their runs, as between
 * processes).  Callbacks run on the thread that made the call, except
 * retort_fleet_run's, which come from its workers, one at a time.
 * retort_cancel_request() may be called from any thread.
 * retort_global_init(), when used, comes before any other thread calls
 * retort.
 */
#ifndef RETORT_H
#define RETORT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks what libretort exports: the library is built with hidden
 * visibility, so that only the functions declared here are its ABI. */
#if defined(__GNUC__) && __GNUC__ >= 4
# define RETORT_EXTERN __attribute__((visibility("default")))
#else
# define RETORT_EXTERN
#endif

/* What a call returns: 0, or one of these negative codes, each a
 * situation a caller may handle differently; retort_errmsg() then says
 * what happened, naming the file, line or revision and where the database
 * is.  Each function's comment lists the codes it returns besides
 * RETORT_ERROR (which any call may return: out of memory, an I/O error, a
 * lost connection). */
typedef enum {
	RETORT_OK          =   0,
	RETORT_ERROR       =  -1, /* anything else; see retort_errmsg() */
	RETORT_EUSAGE      =  -2, /* a bad argument or target, or a call out of order */
	RETORT_ENOTFOUND   =  -3, /* no such revision, file or config */
	RETORT_EAMBIGUOUS  =  -5, /* a prefix or relative target matches several */
	RETORT_EBUSY       =  -6, /* the run lock was not had in lock_timeout */
	RETORT_EINVALID    =  -7, /* a migration file or the graph is malformed */
	RETORT_ECONFLICT   = -13, /* the database's state does not allow the request */
	RETORT_ECANCELED   = -14, /* stopped by retort_cancel_request() */
	RETORT_ESTATEMENT  = -15, /* a migration's statement (or its COMMIT) failed:
				     nothing of that step stayed, unless it ran
				     outside a transaction (then see
				     retort_failure_get()) */
	RETORT_EMODIFIED   = -16, /* an applied migration's file was edited since
				     (stamp --fix-checksums accepts it) */
	RETORT_EPARTIAL    = -17, /* a transaction=false step is half applied and
				     must be resumed or repaired first */
	RETORT_EUNKNOWNREV = -18, /* the database is at a revision no file defines */
	RETORT_ECONFIG     = -19, /* retort.ini (or a configuration value) is bad */
	RETORT_ECONNECT    = -20  /* the database could not be reached: refused,
				     timed out (connect_timeout) or unknown host */
} retort_error_code;

typedef struct retort retort;
typedef struct retort_rev retort_rev;
typedef struct retort_autogen_dialect retort_autogen_dialect;

typedef struct {
	const retort_rev **revs;
	size_t count;
} retort_revlist;

typedef struct {
	char **strings;
	size_t count;
} retort_strarray;

RETORT_EXTERN void retort_revlist_release(retort_revlist *list);
RETORT_EXTERN void retort_strarray_release(retort_strarray *array);

/* The version of the retort.h a program was compiled with; the build
 * takes the library's version from these lines.  RETORT_VERSION_NUMBER
 * grows with every release: MAJOR * 10000 + MINOR * 100 + PATCH. */
#define RETORT_VERSION_MAJOR 0
#define RETORT_VERSION_MINOR 1
#define RETORT_VERSION_PATCH 0
#define RETORT_VERSION "0.1.0"
#define RETORT_VERSION_NUMBER \
	(RETORT_VERSION_MAJOR * 10000 + RETORT_VERSION_MINOR * 100 + RETORT_VERSION_PATCH)

/* The version of the library the program runs with, which may be newer
 * than the header it was compiled with: "MAJOR.MINOR.PATCH", and as
 * RETORT_VERSION_NUMBER counts it.  A program built against 0.x needs a
 * library of the same minor version (the ABI may change between them
 * until 1.0; the soname says which). */
RETORT_EXTERN const char *retort_version(void);
RETORT_EXTERN int retort_version_number(void);

/* What this build can migrate: the dialects built in, as section markers
 * and retort_use_connection() name them ("sqlite", "postgresql"), NULL
 * terminated, static. */
RETORT_EXTERN const char *const *retort_dialects(void);
/* 1 when `dialect` (or an alias, "postgres") is built in and usable here:
 * for PostgreSQL, libpq and libpg_query are opened on first use, so a
 * build with the driver but a machine without them answers 0. */
RETORT_EXTERN int retort_has_dialect(const char *dialect);

/* Optional, once per process, before any other retort call and before
 * the program uses SQLite in any other way (like curl_global_init()):
 * turns off SQLite's process-wide memory statistics, which take a global
 * mutex around every allocation SQLite makes (about 4% of the CPU time of
 * a migration run).  A program that reads sqlite3_memory_used() or
 * configures SQLite itself should not call it.  Returns RETORT_ERROR when
 * SQLite was already initialised, in which case nothing changed and
 * everything works as without the call. */
RETORT_EXTERN int retort_global_init(void);

/* Create an empty context.  Returns RETORT_ERROR only when out of memory. */
RETORT_EXTERN int retort_new(retort **out);

/* Free a context and everything borrowed from it.  NULL is allowed. */
RETORT_EXTERN void retort_free(retort *ctx);

/* The message of the last failed call on this context ("" if none),
 * valid until the next call on the context. */
RETORT_EXTERN const char *retort_errmsg(const retort *ctx);

/* ---- where migrations come from ------------------------------------------ */

/* A migration file in memory: its name in the versions folder
 * ("a1b2c3_init.sql") and its whole text. */
typedef struct {
	const char *name;
	const char *text;
	size_t len;
} retort_file;

/* Files compiled into a program: what `retort embed` writes, named after
 * the folder they came from ("migrations/versions"). */
typedef struct {
	const char *name;
	const retort_file *files;
	size_t count;
} retort_files;

/* A source of migration files in place of the versions folder, in the
 * manner of sqlite3_vfs: retort asks for the files' names, then for the
 * text of each one it needs.  Messages name a file "NAME/FILE".  A file's
 * checksum is that of its text, so a program running embedded files and
 * the command line running the folder they came from can take turns on
 * one database. */
typedef struct retort_source retort_source;
struct retort_source {
	unsigned int version;  /* RETORT_SOURCE_VERSION */
	const char *name;
	/* every migration file's name; out->strings and each string from
	 * malloc(), freed by retort.  Negative on failure. */
	int (*list)(const retort_source *src, retort_strarray *out);
	/* the whole text of `name`, from malloc() (retort frees it), its
	 * length in *len; RETORT_ENOTFOUND when there is no such file */
	int (*read)(const retort_source *src, const char *name, char **text, size_t *len);
	void *payload;
};

#define RETORT_SOURCE_VERSION 1
#define RETORT_SOURCE_INIT { .version = RETORT_SOURCE_VERSION }

/* A source over files in memory (`files` is borrowed: it must outlive
 * every context using the source). */
RETORT_EXTERN void retort_source_files(retort_source *out, const retort_files *files);

/* A source over the *.sql files of the folder `path` (borrowed, as
 * `files` above), for migrations a program finds somewhere other than its
 * project's versions folder; named `path` in messages. */
RETORT_EXTERN void retort_source_folder(retort_source *out, const char *path);

/* ---- opening a project ------------------------------------------------ */

/* One key of the configuration, as retort.ini would set it. */
typedef struct {
	const char *section;  /* NULL: "retort" */
	const char *key;      /* "url", "script_location", "lock_timeout", ... */
	const char *value;
} retort_setting;

typedef struct {
	unsigned int version;
	/* retort.ini to read; NULL: search for retort.ini in start_dir and
	 * then each parent folder, as git finds .git */
	const char *config_path;
	/* where the search starts; NULL: the current directory */
	const char *start_dir;
	/* database URL that beats the file's `url` (the -u option) */
	const char *url;
	/* "KEY=VALUE" pairs (the -x option), available to templates */
	const char *const *vars;
	size_t nvars;
	/* non-zero: a missing retort.ini is not an error (defaults apply,
	 * paths are relative to start_dir) */
	int config_optional;
	/* migrations folder that beats the file's script_location (a
	 * fleet's per-tenant tree); relative to the ini's folder */
	const char *script_location;

	/* version 2 */

	/* a folder for the header cache, which spares reading every
	 * revision file's header on each load (the command line uses
	 * $XDG_CACHE_HOME/retort); NULL: no cache */
	const char *cache_dir;

	/* version 3 */

	/* configuration set in code: the keys of retort.ini, applied after
	 * the file (or, with config_optional and no file, the defaults),
	 * with no ${VAR} expansion; relative paths are against the file's
	 * folder, or start_dir.  A program may do without a file at all:
	 * config_optional = 1 and its settings. */
	const retort_setting *settings;
	size_t nsettings;
	/* where the migration files come from instead of the versions
	 * folder (borrowed, must outlive the context); NULL: the folder.
	 * Creating revisions needs the folder. */
	const retort_source *source;
	/* non-zero: read no retort.ini at all, not even one found in a
	 * parent folder: the configuration is the defaults and `settings`
	 * (a program with its migrations compiled in) */
	int no_config;
} retort_options;

#define RETORT_OPTIONS_VERSION 3
#define RETORT_OPTIONS_INIT { .version = RETORT_OPTIONS_VERSION }

/* Read the configuration and prepare the context.  The revision files are
 * read lazily, by the first call that needs them.  opts may be NULL (the
 * defaults).  On failure the context is as it was, and may be opened
 * again.  RETORT_ECONFIG: retort.ini is bad (file:line named);
 * RETORT_ENOTFOUND: no retort.ini was found (the message says where the
 * search went); RETORT_EUSAGE: a zeroed or unknown opts->version, a bad
 * -x pair, or the context is open already. */
RETORT_EXTERN int retort_open(retort *ctx, const retort_options *opts);

/* Point an open context at another database (the next run connects to
 * it); the graph stays loaded. */
RETORT_EXTERN int retort_set_url(retort *ctx, const char *url);

/* A program's own log: `fn` gets every message the log file gets
 * (passwords masked, no timestamp; a message may hold line breaks), on
 * the thread of the call that logs it, beside the log_file, not instead
 * of it.  NULL stops it.  A fleet's tenants log to the file only. */
typedef void (*retort_log_fn)(const char *message, void *payload);
RETORT_EXTERN void retort_set_log_callback(retort *ctx, retort_log_fn fn, void *payload);

/* Run on a connection the program already has instead of one opened from
 * the URL: `handle` is an open `sqlite3 *` (dialect "sqlite") or
 * `PGconn *` ("postgresql"), used by every later call on ctx and never
 * closed; the program must not use it while such a call runs, nor have a
 * transaction open on it.  retort keeps the connection as it found it
 * (SQLite: its busy handler is retort's during a call and none after;
 * PostgreSQL: no session setting is changed).  What needs the database's
 * URL instead of a connection (a backup, retort_test's scratch database,
 * autogenerate) is then refused with RETORT_EUSAGE.  A NULL handle goes
 * back to the URL.  RETORT_EUSAGE for a dialect this build lacks. */
RETORT_EXTERN int retort_use_connection(retort *ctx, const char *dialect, void *handle);

/* Path of the retort.ini in use (NULL if none). */
RETORT_EXTERN const char *retort_config_path(const retort *ctx);
/* Absolute path of the migrations folder. */
RETORT_EXTERN const char *retort_script_location(const retort *ctx);
/* The database URL with any password replaced by "***"; valid until the
 * next retort_set_url() or retort_free(). */
RETORT_EXTERN const char *retort_url_masked(const retort *ctx);
/* A config value, e.g. ("retort", "version_table"); NULL if unset. */
RETORT_EXTERN const char *retort_config_get(const retort *ctx, const char *section, const char *key);

/* Replace every password in `text` by "***": URLs (scheme://user:pw@...)
 * and libpq keywords (password=...).  Works on text that is not a valid
 * URL too.  Returns a string the caller frees with free(), or NULL. */
RETORT_EXTERN char *retort_mask_secrets(const char *text);

/* Overwrite, in place and with '*', every password in the URL `url` that
 * retort_url_masked() would mask (the string keeps its length), so that a
 * program can take it out of its argv, which others read in
 * /proc/PID/cmdline.  Copy the URL first: the copy is what connects. */
RETORT_EXTERN void retort_wipe_secrets(char *url);

/* Create a new project in `dir` (created if missing): retort.ini,
 * migrations/script.sql.tmpl and migrations/versions/ for "generic" (or
 * NULL); for "fleet", a `meta` tree for the registry database (with its
 * `bots` table) and a `bot` tree for every bot's database.  Refuses to
 * overwrite an existing retort.ini.  `created` (may be NULL) receives the
 * paths made, "dir/..." in order.
 * RETORT_ECONFLICT: a retort.ini is there already; RETORT_EUSAGE: an unknown template. */
RETORT_EXTERN int retort_init_project(retort_strarray *created, retort *ctx, const char *dir,
			const char *template_name);

/* A template retort_init_project knows, and one line saying what it makes
 * (static strings). */
typedef struct {
	const char *name;
	const char *description;
} retort_template;

/* The i-th template, "generic" first; NULL past the last. */
RETORT_EXTERN const retort_template *retort_template_at(size_t i);

/* ---- the revision graph -------------------------------------------------- */

/* Load and validate every file of the versions folder (done implicitly by
 * the calls below): script_location/versions, or every folder of the
 * `version_locations` key (split as Alembic 1.8 splits it, by
 * `version_path_separator`; a folder of it that does not exist yet has no
 * revisions).  Fails with RETORT_EINVALID naming the file(s) on a
 * duplicate id (in two folders too), a missing parent, a cycle or an
 * unparseable header, and RETORT_ENOTFOUND when the versions folder does
 * not exist. */
RETORT_EXTERN int retort_load(retort *ctx);

/* Revisions with no children, in a stable order. */
RETORT_EXTERN int retort_heads(retort_revlist *out, retort *ctx);
/* Revisions with no parent. */
RETORT_EXTERN int retort_bases(retort_revlist *out, retort *ctx);
/* Revisions with more than one child. */
RETORT_EXTERN int retort_branchpoints(retort_revlist *out, retort *ctx);

/* Resolve a target (DESIGN.md section 4): head, heads, base (an empty
 * list), an id or unique prefix, label@head, label@REV, REV+N, REV-N.
 * Targets relative to the database (+N, -N, current) connect to it.
 * RETORT_ENOTFOUND: no such revision or label; RETORT_EAMBIGUOUS: a
 * prefix of several ids, or a step through a branch point or merge;
 * RETORT_EUSAGE: a target that is not one of these forms. */
RETORT_EXTERN int retort_resolve(retort_revlist *out, retort *ctx, const char *target);

/* Revisions in a range, newest first (children before parents), as
 * `alembic history -r` lists them: "A:B", "A:", ":B", "-3:current", or
 * NULL for every revision.
 * Codes as for retort_resolve (each end of the range is a target). */
RETORT_EXTERN int retort_history(retort_revlist *out, retort *ctx, const char *range);

/* The revision with exactly this id, or NULL. */
RETORT_EXTERN const retort_rev *retort_lookup(retort *ctx, const char *id);

#define RETORT_REV_HEAD        (1u << 0)
#define RETORT_REV_BASE        (1u << 1)
#define RETORT_REV_BRANCHPOINT (1u << 2)
#define RETORT_REV_MERGEPOINT  (1u << 3)

RETORT_EXTERN const char *retort_rev_id(const retort_rev *rev);
/* First line of the file's leading comment ("Add posts table"). */
RETORT_EXTERN const char *retort_rev_message(const retort_rev *rev);
/* Absolute path of the revision file. */
RETORT_EXTERN const char *retort_rev_path(const retort_rev *rev);
/* The create_date header, "" if absent. */
RETORT_EXTERN const char *retort_rev_create_date(const retort_rev *rev);
RETORT_EXTERN unsigned int retort_rev_flags(const retort_rev *rev);
RETORT_EXTERN size_t retort_rev_nparents(const retort_rev *rev);
RETORT_EXTERN const retort_rev *retort_rev_parent(const retort_rev *rev, size_t i);
RETORT_EXTERN size_t retort_rev_nchildren(const retort_rev *rev);
RETORT_EXTERN const retort_rev *retort_rev_child(const retort_rev *rev, size_t i);
RETORT_EXTERN size_t retort_rev_ndepends(const retort_rev *rev);
RETORT_EXTERN const retort_rev *retort_rev_depends(const retort_rev *rev, size_t i);
/* The revisions whose depends_on names this one.  A head that others
 * depend on is what Alembic calls an "effective head". */
RETORT_EXTERN size_t retort_rev_ndependents(const retort_rev *rev);
RETORT_EXTERN const retort_rev *retort_rev_dependent(const retort_rev *rev, size_t i);
/* Branch labels declared in this revision's header. */
RETORT_EXTERN size_t retort_rev_nlabels(const retort_rev *rev);
RETORT_EXTERN const char *retort_rev_label(const retort_rev *rev, size_t i);
/* The nearest revision, going down through single parents from `rev`
 * itself, that declares branch labels; NULL when a merge or a base comes
 * first.  A revision belongs to the branches of that revision's labels
 * and of its ancestors found the same way, so listing them costs one step
 * per labelled revision instead of one per revision below. */
RETORT_EXTERN const retort_rev *retort_rev_labeled(const retort_rev *rev);
/* Every branch label the revision carries, sorted, as Alembic 1.8 shows
 * them in listings: its own; those of every revision it is built on
 * through down_revision, merges included; and, where the revisions built
 * on a labelled one form a single line, that label also goes down from it
 * to the nearest branch point or merge. */
RETORT_EXTERN size_t retort_rev_nbranches(const retort_rev *rev);
RETORT_EXTERN const char *retort_rev_branch(const retort_rev *rev, size_t i);

/* ---- creating revisions ------------------------------------------------- */

typedef struct {
	unsigned int version;
	const char *message;
	/* targets the new revision is based on; NULL/0: "head".  More than
	 * one (or "heads" resolving to several) requires `merge`. */
	const char *const *heads;
	size_t nheads;
	int merge;   /* non-zero: a merge revision of all `heads` */
	int splice;  /* allow basing on a revision that is not a head */
	const char *branch_label;
	const char *const *depends_on;
	size_t ndepends;
	const char *rev_id;  /* NULL: 12 random hex characters */
	/* upgrade / downgrade bodies to put in the file; NULL: the
	 * template's (for autogenerate) */
	const char *upgrade_sql;
	const char *downgrade_sql;
	/* section options written on the "-- +upgrade" / "-- +downgrade"
	 * markers, e.g. "foreign_keys=off" (retort_autogen says which) */
	const char *upgrade_options;
	const char *downgrade_options;

	/* version 2 */

	/* the folder of the new file: one of `version_locations`, relative
	 * to retort.ini's folder; NULL: the folder of the first revision it
	 * is based on, or the only folder (a new base in a project of
	 * several folders must name one, as Alembic's --version-path) */
	const char *version_path;

	/* version 3 */

	/* a section per dialect instead of the plain ones: each becomes
	 * "-- +upgrade DIALECT [options]" with its SQL in place of the
	 * template's plain "-- +upgrade" line (and the same for downgrade);
	 * upgrade_sql/downgrade_sql and their options are then ignored */
	const retort_autogen_dialect *dialect_sections;
	size_t ndialect_sections;
} retort_revision_options;

#define RETORT_REVISION_OPTIONS_VERSION 3
#define RETORT_REVISION_OPTIONS_INIT { .version = RETORT_REVISION_OPTIONS_VERSION }

/* Render migrations/script.sql.tmpl into a new file of the versions folder
 * and add it to the graph.  *out_path (caller frees) is the new file.
 * RETORT_ECONFLICT: the id or label is taken; RETORT_EUSAGE: no message,
 * a bad id or label, several heads without `merge`, a non-head without
 * `splice`, a version_path that is not a version folder (or none for a
 * new base among several), or the migrations come from a source (no
 * folder to write);
 * RETORT_EINVALID: the template does not write the revision's header. */
RETORT_EXTERN int retort_revision(char **out_path, retort *ctx, const retort_revision_options *opts);

/* ---- importing another tool's migrations ---------------------------------- */

typedef struct {
	unsigned int version;
	/* the dialect the files of `dir` are written for ("sqlite",
	 * "postgresql"): their SQL goes into sections marked "-- +upgrade
	 * DIALECT"; NULL: plain sections, run on every database */
	const char *dialect;
	/* more folders of the same migrations, one per dialect (Diesel's
	 * migrations/sqlite and migrations/postgresql): more_dirs[i] is
	 * written for more_dialects[i]; the migrations of one version become
	 * one revision with a section per dialect, and a version a folder
	 * lacks runs nothing on that folder's dialect */
	const char *const *more_dirs;
	const char *const *more_dialects;
	size_t nmore;
	/* non-zero: read the tool's version table in the database (the
	 * configured URL) and stamp the revision it is at, running nothing */
	int stamp;
	/* the tool's version table, when not its default name
	 * (schema_migrations, goose_db_version, flyway_schema_history,
	 * __diesel_schema_migrations) */
	const char *table;
} retort_import_options;

#define RETORT_IMPORT_OPTIONS_VERSION 1
#define RETORT_IMPORT_OPTIONS_INIT { .version = RETORT_IMPORT_OPTIONS_VERSION }

typedef struct {
	retort_strarray revisions;  /* the ids made, oldest first */
	retort_strarray paths;      /* their files, in the same order */
	/* files left out and why (Flyway's repeatable migrations, a file not
	 * named as the tool names its migrations), and what to check by hand */
	retort_strarray warnings;
	/* the revision stamped; NULL without opts->stamp, or when the tool
	 * had applied nothing */
	char *stamped;
} retort_import_report;

RETORT_EXTERN void retort_import_report_release(retort_import_report *report);

/* Make the migrations of another tool's folder `dir` revisions of the
 * project: `tool` is "dbmate", "golang-migrate", "goose", "flyway" or
 * "diesel".  One revision per version, in the tool's order, each based on
 * the one before; the version is the revision id ('.' as '_'), the name
 * its message; each direction's SQL goes into its section as the tool
 * would run it (docs/commands.md lists what is taken from each format).
 * A version with no down migration where the tool needs one gets a
 * downgrade that refuses to run.  The project must have no revisions yet.
 * With opts->stamp, the tool's version table says which revision the
 * database is at, and that is stamped; a state retort cannot record (a
 * golang-migrate database left dirty, a failed Flyway migration, a version
 * applied out of order over an earlier one not applied) is refused.
 * Everything is read and checked first: on failure no file was written
 * and the database is untouched.  opts may be NULL.
 * RETORT_EUSAGE: an unknown tool or dialect, a zeroed opts->version;
 * RETORT_ENOTFOUND: no such folder, no migrations in it, no version table
 * in the database; RETORT_EINVALID: a file the tool itself would refuse,
 * or two of one version; RETORT_ECONFLICT: the project has revisions
 * already, a file is in the way, or the database's state cannot be
 * stamped. */
RETORT_EXTERN int retort_import(retort_import_report *out, retort *ctx, const char *tool,
				const char *dir, const retort_import_options *opts);

/* ---- running -------------------------------------------------------------- */

#define RETORT_UP   1
#define RETORT_DOWN 2

typedef enum {
	RETORT_EVENT_START = 1, /* a migration is about to run */
	RETORT_EVENT_DONE,      /* it ran and its version change committed */
	RETORT_EVENT_FAILED,    /* it failed; errmsg has the detail */
	RETORT_EVENT_STAMP,     /* versions changed without running SQL */
	RETORT_EVENT_NOTHING,   /* nothing to do: already at the target */
	RETORT_EVENT_WAITING,   /* waiting for another process's lock */
	RETORT_EVENT_BACKUP,    /* the database was backed up before the run:
				   `to` is the file, `from` the revisions */
	RETORT_EVENT_STATEMENT  /* with retort_run_options.statement_events: a
				   statement of `rev` is about to run; `from` is
				   its first line, `to` its "file:line",
				   elapsed_ms the time since the step started */
} retort_event_type;

typedef struct {
	retort_event_type type;
	int direction;          /* RETORT_UP or RETORT_DOWN */
	const retort_rev *rev;  /* NULL for NOTHING / WAITING */
	/* for DONE: the ids it moved from and to, comma separated ("" = base) */
	const char *from;
	const char *to;
	double elapsed_ms;      /* for DONE and FAILED */
} retort_event;

typedef void (*retort_event_fn)(const retort_event *ev, void *payload);
/* Offline output sink; return non-zero to abort the run. */
typedef int (*retort_write_fn)(const char *data, size_t len, void *payload);

typedef struct {
	unsigned int version;
	/* offline: write the SQL script to `write` instead of connecting.
	 * The target may then be "FROM:TO" (required for downgrade). */
	int offline;
	retort_write_fn write;
	void *write_payload;
	retort_event_fn on_event;
	void *event_payload;
	int purge;  /* stamp: delete every version row first */
	/* continue the transaction=false section that failed part way, from
	 * the statement that failed (after the file was fixed) */
	int resume;
	/* stamp: record the files' current checksums for the target
	 * revisions, accepting an intended edit of applied migrations */
	int fix_checksums;
	/* upgrade/downgrade online: 1: copy the database first, when the
	 * run has anything to do (RETORT_EVENT_BACKUP names the file;
	 * retort_restore puts it back); 0: as the config's `backup` key
	 * says (default no); -1: no backup.  Ignored offline. */
	int backup;
	/* report each statement as it starts (RETORT_EVENT_STATEMENT).  On
	 * PostgreSQL a transactional section then goes to the server a
	 * statement at a time instead of in one request. */
	int statement_events;
} retort_run_options;

#define RETORT_RUN_OPTIONS_VERSION 1
#define RETORT_RUN_OPTIONS_INIT { .version = RETORT_RUN_OPTIONS_VERSION }

/* Bring the database up to `target` (NULL: "head").  Each migration runs in
 * one transaction with its version-table change unless configured
 * otherwise; the plan is computed while the database's write lock is held,
 * so concurrent runs never apply a migration twice.  opts may be NULL.
 *
 * Codes of upgrade, downgrade and stamp, besides those of retort_resolve
 * for the target and of retort_load for the files (RETORT_EINVALID also
 * for a file of the plan that does not parse, before anything runs):
 *   RETORT_EBUSY        another run kept the lock past lock_timeout
 *   RETORT_ESTATEMENT   a statement or the COMMIT failed; the message has
 *                       file:line and where the database is (upgrade and
 *                       downgrade only)
 *   RETORT_EMODIFIED    an applied migration's file changed since it ran
 *   RETORT_EPARTIAL     a transaction=false step failed part way on an
 *                       earlier run: resume it (opts->resume) or repair it
 *   RETORT_EUNKNOWNREV  the version table holds a revision no file defines
 *   RETORT_ECONFLICT    the target cannot be reached from where the
 *                       database is (below it for an upgrade, not applied
 *                       for a downgrade)
 *   RETORT_ECONFIG      a configuration value the database refuses (a
 *                       table name longer than it keeps)
 *   RETORT_EUSAGE       a zeroed or unknown opts->version, a missing
 *                       target, --resume with nothing to resume */
RETORT_EXTERN int retort_upgrade(retort *ctx, const char *target, const retort_run_options *opts);

/* Revert to `target` ("-1", "base", a revision, label@REV ...); codes as
 * for retort_upgrade. */
RETORT_EXTERN int retort_downgrade(retort *ctx, const char *target, const retort_run_options *opts);

/* Set the version table to `target` without running any migration;
 * codes as for retort_upgrade (stamp runs no statement). */
RETORT_EXTERN int retort_stamp(retort *ctx, const char *target, const retort_run_options *opts);

/* Create the version table and the history table when they do not exist
 * (as every run does before it reads them), and nothing else: no row is
 * written.  With opts->offline, their CREATE TABLE IF NOT EXISTS
 * statements go to opts->write instead.  opts may be NULL.
 * RETORT_EBUSY: another run kept the lock past lock_timeout;
 * RETORT_ECONFIG: a table name the database cannot keep; RETORT_EUSAGE: a
 * zeroed or unknown opts->version, or offline without a write function. */
RETORT_EXTERN int retort_ensure_version(retort *ctx, const retort_run_options *opts);

/* The ids stored in the version table (a missing table is an empty list).
 * An id the scripts do not know is returned too; callers can tell with
 * retort_lookup().
 * RETORT_ECONFIG: a table name the database cannot keep; RETORT_ERROR: it
 * cannot be reached. */
RETORT_EXTERN int retort_current(retort_strarray *out, retort *ctx);

/* The revisions the database is at as Alembic's `current` lists them: of
 * everything applied (what the rows reach through down_revision and
 * depends_on), those no applied revision is built on through
 * down_revision.  Besides the rows, that is a revision applied only
 * because another depends on it.  Ids the scripts do not know are left
 * out (retort_current() has them).  Parents first.  Codes as
 * retort_current(). */
RETORT_EXTERN int retort_current_revisions(retort_revlist *out, retort *ctx);

/* Wait until the database takes a connection, for a program started
 * together with its database (containers): connect, and while the
 * database is out of reach (nothing listens yet, its host name does not
 * resolve yet, a PostgreSQL server still starting up; SQLite: the file's
 * folder does not exist yet), try again after pauses growing from 0.1 to
 * 0.5 s, for at most `timeout` seconds (0: one try).  The connection is
 * closed again; nothing is read or written (SQLite creates the empty
 * file, as any connection would).
 * RETORT_ECONNECT: still out of reach when the time ran out, the last
 * try's error in retort_errmsg().  Any other code comes at once, from an
 * error that waiting does not mend: a wrong password, a database that does
 * not exist, a URL of no known dialect (RETORT_EUSAGE also: `timeout` is
 * negative). */
RETORT_EXTERN int retort_wait(retort *ctx, double timeout);

/* A migration left half applied: a transaction=false section that failed
 * part way, or whose run was killed in it.  upgrade and downgrade refuse
 * to run until it is resumed (retort_run_options.resume) or cleared by a
 * stamp. */
typedef struct {
	char *revision;
	int direction;           /* RETORT_UP or RETORT_DOWN */
	size_t statements_done;  /* statements of the section that had run */
	char *error;             /* "" when interrupted */
	int interrupted;         /* the run stopped in it (killed) rather than failed */
} retort_failure;

/* The failure recorded in the history table, or *out = NULL when none. */
RETORT_EXTERN int retort_failure_get(retort_failure **out, retort *ctx);
RETORT_EXTERN void retort_failure_free(retort_failure *f);

/* One row of the history table: a step applied, reverted, stamped or
 * failed (see retort_history_rows). */
typedef struct {
	char *revision;
	int direction;           /* RETORT_UP or RETORT_DOWN */
	char *status;            /* applied, reverted, stamped, fixed, failed,
				    cleared, running, statement */
	size_t statements_done;  /* of a transaction=false section */
	double duration_ms;      /* < 0: not recorded (a stamp, an offline script) */
	char *applied_at;        /* the database server's time, as it wrote it */
	char *applied_by;        /* "user@host"; "" when not recorded */
	char *error;             /* "" unless the step failed */
} retort_history_row;

typedef struct {
	retort_history_row *rows;
	size_t count;
} retort_history_list;

/* The rows of the history table, oldest first (a missing table reads as
 * none), for reports of what ran when and how long it took.  Codes as
 * retort_current(). */
RETORT_EXTERN int retort_history_rows(retort_history_list *out, retort *ctx);
RETORT_EXTERN void retort_history_list_release(retort_history_list *list);

/* Compare every applied revision's file with the checksum recorded when it
 * was applied (SHA-256 of the text with a BOM dropped and CRLF/CR made
 * LF).  `problems` gets one line per file that changed.
 * Edited files are results in `problems`, not a failure. */
RETORT_EXTERN int retort_verify(retort_strarray *problems, retort *ctx);

/* The version table's rows and how many migrations an upgrade to `target`
 * (NULL: head) would run, without changing anything.
 * Codes as for retort_resolve, and RETORT_EUNKNOWNREV when the version
 * table holds a revision no file defines. */
RETORT_EXTERN int retort_pending(retort_strarray *current, size_t *pending, retort *ctx, const char *target);

/* What the last online retort_upgrade() or retort_downgrade() on a context
 * did, whether it succeeded or failed. */
typedef struct {
	/* the version table's rows when the run started (read under its
	 * lock), and what the database holds when it ended: after a failure,
	 * what had committed */
	retort_strarray from;
	retort_strarray to;
	/* the revisions applied (or reverted), in order: one for each
	 * RETORT_EVENT_DONE the run reported */
	retort_strarray steps;
} retort_run_summary;

/* Copy the last run's summary into `out` (retort_run_summary_release
 * frees it).  The lists are empty before any run, after an offline one,
 * and when the run stopped before it read the database.  Returns
 * RETORT_ERROR only when out of memory. */
RETORT_EXTERN int retort_run_result(retort_run_summary *out, retort *ctx);
RETORT_EXTERN void retort_run_summary_release(retort_run_summary *summary);

/* Put "[tag] " before every line the context writes to the log file from
 * now on (a fleet's tenant name); NULL for none. */
RETORT_EXTERN int retort_set_log_tag(retort *ctx, const char *tag);

/* ---- backups and `retort test` ---------------------------------------------- */

/* retort_restore's flags: restore a backup that is not this project's. */
#define RETORT_RESTORE_FORCE (1u << 0)

/* Put a backup made by a run with `backup` set back into the database.
 * SQLite: the online backup API copies `file` over the database, after
 * checking that it is a SQLite database (RETORT_EINVALID otherwise) and,
 * unless RETORT_RESTORE_FORCE, that it belongs to this project: its
 * version table has rows, and every one is a revision of this project's
 * graph (RETORT_ECONFLICT otherwise, naming the unknown revision).
 * PostgreSQL: nothing is changed; RETORT_ECONFLICT, and the message
 * gives the pg_restore command to run (docs/commands.md says why).
 * RETORT_ENOTFOUND: no such file; RETORT_ECONFLICT: not this project's
 * backup; RETORT_EUSAGE: the database itself, or an in-memory one. */
RETORT_EXTERN int retort_restore(retort *ctx, const char *file, unsigned int flags);

typedef enum {
	RETORT_TEST_OK = 0,
	RETORT_TEST_FAILED,
	RETORT_TEST_SKIPPED
} retort_test_status;

typedef struct {
	/* "single-head", "revision" (up, down, up of one revision), "model"
	 * (the database at head against the `schema` files) or "base" (back
	 * down to base leaves nothing); static */
	const char *check;
	retort_test_status status;
	const retort_rev *rev;   /* the revision checked, or NULL */
	const char *path;        /* its file (borrowed from rev), or NULL */
	char *message;           /* what failed or why skipped ("" when ok) */
	/* the dialect the check ran on ("sqlite", "postgresql"; static), or
	 * NULL: the single-head check, and every check of a run on the URL's
	 * dialect alone */
	const char *dialect;
} retort_test_result;

typedef struct {
	retort_test_result *results;  /* in the order the checks ran */
	size_t count;
	size_t failures;              /* results with RETORT_TEST_FAILED */
	/* the scratch database's URL, password masked (several: one per
	 * dialect, ", " between them) */
	char *scratch;
} retort_test_report;

RETORT_EXTERN void retort_test_report_release(retort_test_report *report);

/* Called as each check finishes. */
typedef void (*retort_test_fn)(const retort_test_result *res, void *payload);

/* A request to stop, made from another thread than the one that runs
 * (a program's signal-handling thread: signal handlers themselves may
 * only set a flag).  Only retort_test takes one today. */
typedef struct retort_cancel retort_cancel;

RETORT_EXTERN int retort_cancel_new(retort_cancel **out);
/* NULL-safe; never while an operation that was given `c` still runs. */
RETORT_EXTERN void retort_cancel_free(retort_cancel *c);
/* Thread-safe; returns once what the operation left outside the process
 * is removed (retort_test: its scratch database, dropped at once, which
 * on PostgreSQL also ends the sessions on it and with them the statement
 * that runs).  The operation then stops at its next step and returns
 * RETORT_ECANCELED. */
RETORT_EXTERN void retort_cancel_request(retort_cancel *c);

typedef struct {
	unsigned int version;
	retort_test_fn on_result;
	void *payload;
	/* version 2: stops the checks and drops the scratch database when
	 * requested (may be NULL) */
	retort_cancel *cancel;
	/* version 3: the one dialect to run the checks on (a name or alias);
	 * NULL: each the project deploys to */
	const char *dialect;
} retort_test_options;

#define RETORT_TEST_OPTIONS_VERSION 3
#define RETORT_TEST_OPTIONS_INIT { .version = RETORT_TEST_OPTIONS_VERSION }

/* Exercise every migration on a scratch database made for the purpose
 * beside the configured one (SQLite: a temporary file; PostgreSQL: a
 * database retort_test_<pid>_<n> created and dropped on the same server,
 * through the maintenance database `postgres`), and on one of each other
 * dialect the `dialects` key of retort.ini lists (PostgreSQL: on the
 * server of `dev_url`; RETORT_EUSAGE naming the key when it names none),
 * one dialect after the other: there must be one head;
 * from base, each revision in turn is upgraded, downgraded and upgraded
 * again, and the downgrade must leave the schema exactly as it was (the
 * driver's schema fingerprint); at the heads the database must match the
 * `schema` model when one is configured; going back to base must leave
 * nothing.  The configured database is never touched.  Failed checks are
 * results, not errors: the call fails only when the checks cannot run
 * (no scratch database).  opts may be NULL.
 * RETORT_ECANCELED: stopped by opts->cancel; RETORT_EUSAGE: a zeroed or
 * unknown opts->version, an unknown dialect. */
RETORT_EXTERN int retort_test(retort_test_report *out, retort *ctx, const retort_test_options *opts);

/* ---- fleets: one database per tenant ------------------------------------------ */

typedef struct {
	char *name;
	char *url;
} retort_tenant;

typedef struct {
	retort_tenant *tenants;
	size_t count;
} retort_tenant_list;

RETORT_EXTERN void retort_tenant_list_release(retort_tenant_list *list);

/* The tenants of the [fleet] section: rows (name, url) of registry_query
 * run on registry_url, or, when `tenants_file` is given, its lines
 * "name url" ('#' starts a comment).  ${VAR} in URLs is expanded.
 * `where` (may be NULL) filters the registry query's rows with a SQL
 * condition on its columns.
 * RETORT_ENOTFOUND: no tenants file; RETORT_EUSAGE: no registry
 * configured, or a line that is not "name url". */
RETORT_EXTERN int retort_fleet_tenants(retort_tenant_list *out, retort *ctx, const char *tenants_file,
			 const char *where);

typedef enum {
	RETORT_FLEET_UPGRADE = 1,
	RETORT_FLEET_DOWNGRADE,
	RETORT_FLEET_CURRENT   /* read the state and pending count only */
} retort_fleet_action;

typedef enum {
	RETORT_TENANT_OK = 0,
	RETORT_TENANT_FAILED,
	RETORT_TENANT_SKIPPED, /* not run: --fail-fast stopped the fleet */
	RETORT_TENANT_CREATED  /* ran as OK, on a database file that did not
				* exist and was created by the run (a new
				* tenant, or one whose file vanished) */
} retort_tenant_state;

typedef struct {
	size_t index;           /* position in the tenant list */
	const char *name;
	const char *url;        /* password masked */
	retort_tenant_state state;
	const char *from;       /* version rows before, comma separated ("" = base) */
	const char *to;         /* and after */
	size_t applied;         /* migrations run */
	size_t pending;         /* RETORT_FLEET_CURRENT: migrations to head */
	const char *error;      /* "" unless FAILED */
	double elapsed_ms;
} retort_tenant_result;

/* Called once per tenant as it finishes, from the worker threads but
 * never two at a time. */
typedef void (*retort_fleet_fn)(const retort_tenant_result *res, void *payload);

typedef struct {
	unsigned int version;
	retort_fleet_action action;
	const char *target;     /* NULL: head (upgrade) */
	int jobs;               /* tenants at once; 0: [fleet] jobs, else the cores */
	int fail_fast;          /* stop starting tenants after the first failure */
	retort_fleet_fn on_result;
	void *payload;
	/* version 2: a tenant whose database file does not exist fails
	 * instead of being created */
	int no_create;
	/* version 3: each tenant's run is one transaction where its sections
	 * allow it (transaction_per_migration = false for it): a tenant
	 * reaches the target or stays where it was.  1 on, -1 off, 0: the
	 * [fleet] atomic setting (default off) */
	int atomic;
	/* version 3: at most this many tenants at once on one database
	 * server (host and port); 0: [fleet] max_per_server, else no limit.
	 * A server found out of reach (RETORT_ECONNECT) fails its remaining
	 * tenants at once, without a try each */
	int max_per_server;
} retort_fleet_options;

#define RETORT_FLEET_OPTIONS_VERSION 3
#define RETORT_FLEET_OPTIONS_INIT { .version = RETORT_FLEET_OPTIONS_VERSION }

/* Run `action` on every tenant, `jobs` at a time, each tenant on its own
 * connection with its own version table; one tenant's failure does not
 * stop the others (unless fail_fast).  Returns RETORT_ERROR when any
 * tenant failed, with a summary in retort_errmsg().
 * RETORT_EUSAGE: a zeroed or unknown opts->version (NULL: defaults). */
RETORT_EXTERN int retort_fleet_run(retort *ctx, const retort_tenant_list *tenants,
		     const retort_fleet_options *opts);

/* ---- lint: risky statements in migration files ------------------------------- */

typedef enum {
	RETORT_LINT_WARNING = 1,
	RETORT_LINT_ERROR         /* the migration would fail as written */
} retort_lint_level;

typedef struct {
	const char *rule;        /* stable id, e.g. "drop-table" (static) */
	retort_lint_level level;
	const retort_rev *rev;
	const char *path;        /* the revision's file (borrowed from rev) */
	int line;                /* 1-based line of the statement in it */
	char *message;
} retort_lint_finding;

typedef struct {
	retort_lint_finding *findings;  /* oldest revision first, then by line */
	size_t count;
	size_t errors;     /* findings of level RETORT_LINT_ERROR */
	size_t skipped;    /* statements of SQLite sections PostgreSQL's parser
			      cannot read, not linted */
	size_t revisions;  /* files checked */
} retort_lint_report;

RETORT_EXTERN void retort_lint_report_release(retort_lint_report *report);

/* Lint the revisions of `range` (as retort_history takes it, or one REV;
 * NULL: all) without connecting to the database, unless the range names
 * `current`.  Where a rule needs a table as the earlier migrations left
 * it, they are replayed on a scratch database (SQLite: a temporary file;
 * PostgreSQL: one made on dev_url's server, none without dev_url).
 * `dialect` is "sqlite", "postgresql" or "all"; NULL: the database URL's,
 * or all when there is none.  Each statement is read by PostgreSQL's
 * parser (libpg_query); docs/commands.md lists the rules.  Findings are
 * not failures: the call fails only when the files cannot be read.
 * RETORT_EUSAGE: an unknown dialect; RETORT_ERROR: a build without
 * libpg_query. */
RETORT_EXTERN int retort_lint(retort_lint_report *out, retort *ctx, const char *range, const char *dialect);

/* ---- autogenerate, check and schema dump ------------------------------------ */

/* The model is the `schema` key of retort.ini: one .sql file, or a folder
 * whose .sql files run in name order, in the database's dialect.  It is
 * run in a scratch database (SQLite: in memory; PostgreSQL: a schema made
 * inside a transaction that is rolled back, on `dev_url` when set, else
 * on the database itself) and read back the way the database is read. */

typedef struct {
	unsigned int version;
	/* renames to make instead of a drop and an add, as --rename takes
	 * them: "TABLE.OLD:NEW" (a column) or "OLD:NEW" (a table) */
	const char *const *renames;
	size_t nrenames;

	/* version 2 */

	/* retort_autogenerate_dialects: build every side without the
	 * database (the migrations replayed on scratch databases), so no
	 * live database is needed at all */
	int offline;
} retort_autogen_options;

#define RETORT_AUTOGEN_OPTIONS_VERSION 2
#define RETORT_AUTOGEN_OPTIONS_INIT { .version = RETORT_AUTOGEN_OPTIONS_VERSION }

typedef struct {
	char *upgrade_sql;       /* turns the database into the model; "" if equal */
	char *downgrade_sql;     /* and back */
	/* section options the SQL needs ("foreign_keys=off" around a SQLite
	 * table rebuild), or "" */
	char *upgrade_options;
	char *downgrade_options;
	retort_strarray operations;  /* one line per upgrade operation */
	/* destructive changes (also "-- WARNING:" lines in the SQL) and
	 * drops that may be renames */
	retort_strarray warnings;
} retort_autogen;

RETORT_EXTERN void retort_autogen_release(retort_autogen *ag);

/* Compare the database with the model and fill `out` with the SQL of a
 * new revision (give it to retort_revision through
 * retort_revision_options).  The database must be at its head revisions:
 * RETORT_ECONFLICT otherwise, as Alembic refuses.
 * RETORT_ENOTFOUND or RETORT_EINVALID: the model cannot be read or run;
 * RETORT_EUSAGE: no `schema` configured, or a zeroed opts->version. */
RETORT_EXTERN int retort_autogenerate(retort_autogen *out, retort *ctx, const retort_autogen_options *opts);

/* One dialect's part of a multi-dialect autogenerate. */
struct retort_autogen_dialect {
	char *dialect;           /* "sqlite", "postgresql" */
	retort_autogen result;
};

typedef struct {
	retort_autogen_dialect *dialects;  /* in the order of `dialects` */
	size_t count;
} retort_autogen_set;

RETORT_EXTERN void retort_autogen_set_release(retort_autogen_set *set);

/* retort_autogenerate for every dialect of `dialects` in retort.ini (the
 * url's alone without it), each from its own diff: the database's own
 * dialect against the database, as retort_autogenerate; every other
 * dialect - all of them with opts->offline - from the project's
 * migrations replayed on a scratch database of that dialect (SQLite: a
 * temporary file; PostgreSQL: a database made on the server of `dev_url`,
 * dropped afterwards) against the model built for that dialect
 * (schema_command with RETORT_DIALECT, schema.<dialect>.sql, schema).
 * Errors as retort_autogenerate's, prefixed with the dialect;
 * RETORT_EUSAGE names dev_url when a dialect needs a server and none is
 * configured. */
RETORT_EXTERN int retort_autogenerate_dialects(retort_autogen_set *out, retort *ctx,
					       const retort_autogen_options *opts);

/* The same comparison for CI: returns 0 whether or not they differ;
 * out->operations is empty when the database at head matches the model. */
RETORT_EXTERN int retort_check(retort_autogen *out, retort *ctx);

/* The database's schema as SQL (the renderer autogenerate uses), in
 * `dialect` ("sqlite", "postgresql"; NULL: the database's own).  Running
 * it on an empty database and dumping that gives the same text. */
RETORT_EXTERN int retort_schema_dump(char **out, retort *ctx, const char *dialect);

/* The model as autogenerate and check read it for `dialect` (NULL: the
 * database's): schema_command's output, schema.<dialect>.sql or schema,
 * run in a scratch database of that dialect and written back as
 * retort_schema_dump writes a database.  Codes as retort_autogenerate's
 * for the model. */
RETORT_EXTERN int retort_model_dump(char **out, retort *ctx, const char *dialect);

#define RETORT_SCHEMA_MODEL (1u << 0)  /* the model, not the database */

/* The database's (or, with RETORT_SCHEMA_MODEL, the model's) schema in
 * `format`: "sql" (as retort_schema_dump and retort_model_dump), "json"
 * (the versioned shape of docs/json.md), "mermaid" (an erDiagram) or
 * "dot" (a Graphviz digraph): tables with their columns, types and keys,
 * foreign keys as relationships with their cardinality.  `dialect` as
 * retort_schema_dump's and retort_model_dump's; the JSON and the diagrams
 * keep the types as the source spells them.  RETORT_EUSAGE: an unknown
 * format or flag. */
RETORT_EXTERN int retort_schema_render(char **out, retort *ctx, const char *format,
				       const char *dialect, unsigned int flags);

/* Graphviz's drawing of `dot_source` (retort_schema_render's "dot", or
 * any dot text) as one SVG element, without the XML prolog, to put in an
 * HTML page: Graphviz's `dot -Tsvg` found on PATH, stopped after a
 * minute.  *out is freed with free().  RETORT_ENOTFOUND: no `dot` on
 * PATH; RETORT_ERROR: dot failed or took too long (the message says). */
RETORT_EXTERN int retort_dot_svg(char **out, retort *ctx, const char *dot_source);

/* Replace the file at `path` with `len` bytes of `data` in one step (a
 * temporary file beside it, renamed over it), as schema_file is written:
 * a reader finds the old content or the new, never a part. */
RETORT_EXTERN int retort_write_file(retort *ctx, const char *path, const char *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif
