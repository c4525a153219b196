/*
 * driver.h - what a database driver provides to the runner.  A driver is a
 * table of function pointers (as SQLite's sqlite3_vfs), filled with
 * designated initialisers; the drivers are in-tree, so the table carries no
 * version and its members may be reordered freely.  A driver's connection
 * struct embeds rt_conn as its first member.
 *
 * Drivers never print; every failure is a message in `err`.
 */
#ifndef RT_DRIVER_H
#define RT_DRIVER_H

#include "rt.h"

typedef struct rt_driver rt_driver;
struct rt_schema;
struct rt_renderer;

typedef struct rt_conn {
	const rt_driver *driver;
	/* called once when the driver starts waiting for another process's
	 * lock (set by the runner after connect; may be NULL) */
	void (*on_wait)(void *payload);
	void *wait_payload;
} rt_conn;

/* What exec reports of each statement of a section run outside a
 * transaction (transaction=false), through rt_exec_fail.each. */
enum {
	RT_STMT_SKIP = 1, /* passed over: an earlier run applied it (resuming) */
	RT_STMT_START,    /* about to run */
	RT_STMT_DONE      /* ran and is committed (each statement is its own) */
};

/* Where a failed exec stopped, for file:line messages. */
typedef struct rt_exec_fail {
	size_t skip;       /* in: statements to pass over (resuming a failed section) */
	size_t offset;     /* byte offset of the failing statement in the SQL */
	size_t error_at;   /* byte offset of the error itself, or (size_t)-1 */
	size_t applied;    /* statements that completed before it (skipped ones count) */
	rt_strlist done;   /* their first lines, for non-transactional sections */
	/* in, may be NULL: called with each statement's text (from its first
	 * non-blank byte to its end, `off` bytes into the SQL given to exec)
	 * and `index`, counting from 0.  A negative return stops the section
	 * with that code before the next statement runs; the callback has
	 * written `err`. */
	int (*each)(void *arg, int what, size_t index, const char *stmt, size_t off, size_t len,
		    rt_buf *err);
	void *each_arg;
} rt_exec_fail;

/* One migration in one request to the database (exec_step): the section,
 * then `tail` (the version change and the history rows), optionally
 * opening the transaction first and committing it last.  Opening it, the
 * driver takes the run's lock and checks that `rows_sql` (the version
 * rows) still reads `rows`, in the same request and before anything of
 * the section runs. */
typedef struct rt_step_sql {
	const char *rows_sql;     /* NULL: inside the transaction already open */
	const rt_strlist *rows;   /* with rows_sql: what they must be */
	const char *body;         /* the section */
	size_t len;
	const char *tail;
	int commit;
	int failed;               /* out: which part failed, RT_PART_* */
} rt_step_sql;

enum {
	RT_PART_GUARD = 1, /* the lock or the rows were not as expected: nothing ran */
	RT_PART_BODY,      /* the section; rt_exec_fail says where */
	RT_PART_TAIL,      /* the version change or the history rows */
	RT_PART_COMMIT     /* the database refused the COMMIT */
};

/* What syntax_check says of a statement the dialect does not take. */
enum {
	/* the dialect cannot read it, or reads it as something else than
	 * what it says */
	RT_REJECT_SYNTAX = 1,
	/* it names something the scratch database lacks or already has, or
	 * failed on the rows there: the statement's fault only while the
	 * scratch database holds everything the migrations before it made */
	RT_REJECT_STATE
};

/* Called by syntax_check with each statement the dialect does not take:
 * its byte offset in the SQL checked and the database's message. */
typedef void (*rt_reject_fn)(void *arg, int kind, size_t off, const char *why);

struct rt_driver {
	/* the dialect's name, as a section's "-- +upgrade NAME" spells it (an
	 * alias, such as postgres, is made this name by rt_dialect_canonical) */
	const char *name;
	const char *scheme; /* URL scheme it serves */

	/* Open a connection; lock_timeout (seconds) bounds every wait for a
	 * lock held by another process. */
	int (*connect)(rt_conn **out, const rt_url *url, const rt_config *cfg, rt_buf *err);
	void (*close)(rt_conn *c);

	/* Put the session back as connect() left it: one connection serves
	 * several runs (retort test's), and what a migration set for its
	 * session (a setting, a temporary table) must not reach the next
	 * run, as it would not through a connection of its own.  Called
	 * outside a transaction.  NULL: the driver cannot, and each run
	 * connects anew. */
	int (*reset)(rt_conn *c, rt_buf *err);

	/* Use a connection the program opened (SQLite: a sqlite3 *;
	 * PostgreSQL: a PGconn *) as connect's: close() then leaves it open,
	 * with the settings it had where the driver can put them back. */
	int (*adopt)(rt_conn **out, void *handle, const rt_config *cfg, rt_buf *err);

	/* Serialise the runs on one version table (`schema` NULL: the
	 * connection's default schema), from before a run reads anything to
	 * its end.  Returns RETORT_EBUSY, naming the holder where it can,
	 * when another run keeps it past `timeout` seconds.
	 *   SQLite: a lock file beside the database, held with flock() for
	 *   the whole run: it spans the commits between migrations and the
	 *   sections run outside a transaction, and dies with its process.
	 *   PostgreSQL: nothing is held between transactions; every
	 *   transaction begin() opens first takes a transaction-level
	 *   advisory lock on the table's schema-qualified name, so that it
	 *   works through a transaction pooler (PgBouncer) and a killed run
	 *   can never strand it.  The runner reads the version rows again in
	 *   each transaction. */
	int (*lock)(rt_conn *c, const char *schema, const char *table, double timeout, rt_buf *err);
	void (*unlock)(rt_conn *c);

	/* A write transaction that holds the database's write lock from its
	 * first statement (SQLite: BEGIN IMMEDIATE).  Returns RETORT_EBUSY
	 * when the lock could not be had in time. */
	int (*begin)(rt_conn *c, rt_buf *err);
	int (*commit)(rt_conn *c, rt_buf *err);
	void (*rollback)(rt_conn *c);

	/* Run every statement of `sql`, one at a time, split by the
	 * database's own parser. */
	int (*exec)(rt_conn *c, const char *sql, size_t len, rt_exec_fail *fail, rt_buf *err);

	/* The first `ncols` columns of every row of a query, row after row,
	 * as text (NULL as "").  Fewer columns than `ncols` is an error. */
	int (*query)(rt_conn *c, const char *sql, int ncols, rt_strlist *out, rt_buf *err);

	/* Does table `name` exist (in `schema`, or the default one)? */
	int (*table_exists)(rt_conn *c, const char *schema, const char *name, int *out,
			    rt_buf *err);

	/* Offline: does `sql` (NUL-terminated, not blank) end with a
	 * complete statement and its ';'? */
	int (*terminated)(const char *sql);

	/* Run a step in one request (rt_step_sql), rolled back on failure.
	 * Returns 1, having sent nothing, when this step cannot go in one
	 * request (a section the driver cannot vouch for as complete SQL);
	 * the runner then takes the statement-level path.  NULL: never.
	 * `elapsed_ms_sql`: an expression for the milliseconds since the
	 * request reached the server, for the history row of such a step. */
	int (*exec_step)(rt_conn *c, rt_step_sql *q, rt_exec_fail *fail, rt_buf *err);
	const char *elapsed_ms_sql;

	/* Append `name` quoted as an identifier. */
	void (*quote_ident)(rt_buf *out, const char *name);

	/* ---- autogenerate, check and schema dump ---- */

	/* Read the schema `schema` (NULL: the connection's default one) into
	 * `out` (initialised here, sorted): tables, views and the rest,
	 * leaving out only the database's own objects (sqlite_%). */
	int (*introspect)(rt_conn *c, const char *schema, struct rt_schema *out, rt_buf *err);

	/* Switch foreign-key enforcement on or off for the connection,
	 * outside any transaction; *was (may be NULL) gets the setting it
	 * had.  NULL when the database has no such switch (PostgreSQL). */
	int (*foreign_keys)(rt_conn *c, int on, int *was, rt_buf *err);

	/* Fail, naming the first violation, when a row breaks a foreign key
	 * (SQLite: its foreign key check pragma), inside the transaction that is
	 * about to commit.  NULL: nothing to check. */
	int (*foreign_key_check)(rt_conn *c, rt_buf *err);

	/* ---- offline scripts (--sql) ---- */

	/* A foreign_keys=off section in a script: the statement switching
	 * enforcement off before its transaction and on after its COMMIT,
	 * and one listing the violations right after the section, for a
	 * client that prints what it returns.  NULL when the database has no
	 * such switch (PostgreSQL); then script_fk_check is NULL too. */
	const char *script_fk_off;
	const char *script_fk_on;
	const char *script_fk_list;

	/* Append the SQL that stops the script and takes the step back, with
	 * a message naming `step` ("upgrade a -> b"), when a row breaks a
	 * foreign key: after the step's version change and history row, in
	 * its transaction. */
	void (*script_fk_check)(rt_buf *out, const char *step);

	/* ---- backup, restore and `retort test` (safety.h) ---- */

	/* Copy the database of `url` into `dest`, a new empty file (SQLite:
	 * the online backup API; PostgreSQL: pg_dump -Fc). */
	int (*backup)(const rt_url *url, const rt_config *cfg, const char *dest, rt_buf *err);

	/* Put a backup made by `backup` back, refusing a file that is not
	 * one.  RETORT_ECONFLICT, with the command to run in `err`, where
	 * the driver leaves it to the user (PostgreSQL). */
	int (*restore)(const rt_url *url, const rt_config *cfg, const char *src, rt_buf *err);

	/* The schema as sorted text lines, one per object (table, column,
	 * index, constraint, view, trigger, sequence, type, function), so
	 * that two states compare line by line.  Tables named in `skip` (the
	 * version and history tables) and what hangs on them are left out. */
	int (*fingerprint)(rt_conn *c, const rt_strlist *skip, rt_strlist *out, rt_buf *err);

	/* A new, empty database of the same kind as `url` (`parsed`), for
	 * `retort test`; *out_url (caller frees) is its URL.  scratch_drop
	 * removes it again (`url` and `parsed` are then the scratch's). */
	int (*scratch_create)(char **out_url, const char *url, const rt_url *parsed,
			      const rt_config *cfg, rt_buf *err);
	int (*scratch_drop)(const char *url, const rt_url *parsed, const rt_config *cfg,
			    rt_buf *err);

	/* The column definition of an integer primary key the database
	 * numbers itself (the history table's id). */
	const char *auto_id;

	/* The most bytes of a name the database keeps (it cuts longer ones
	 * without an error), checked on the configured table names before
	 * connecting; 0: no limit. */
	size_t max_ident;

	/* Where autogenerate runs the schema files to read the model back,
	 * leaving no trace: `model_url`, the URL of a new empty database that
	 * goes away when closed; or, when that is NULL, a scratch schema
	 * `name` that model_schema() makes inside the open transaction (which
	 * is rolled back) and points unqualified names at, with the schemas
	 * of the database's extensions after it (their types resolve).  With
	 * `own_db` the connection is to a scratch database of the model's own
	 * (model_own_db): `name` is made there unless it exists, and is the
	 * search path's first, then public.  model_target gives the name of
	 * the schema the model means (*out, caller frees: where an
	 * unqualified CREATE TABLE on `c` goes). */
	const char *model_url;
	int (*model_schema)(rt_conn *c, const char *name, int own_db, rt_buf *err);
	int (*model_target)(rt_conn *c, char **out, rt_buf *err);

	/* Make a model's text ready to run, in place: what is the server's
	 * own or the dump tool's rather than the schema's (a dump's
	 * meta-commands, owners, privileges, the database's internal
	 * tables) is overwritten with blanks, newlines kept, so that
	 * messages still name the lines as written.  `schema` is
	 * model_target's (NULL where there is none).  NULL: nothing to do. */
	void (*model_filter)(char *sql, size_t len, const char *schema);

	/* Must the model run in a scratch database of its own rather than
	 * the scratch schema: it names `schema` (pg_dump's "public.t") or
	 * says which extensions the database has?  NULL: never. */
	int (*model_own_db)(const char *sql, size_t len, const char *schema);

	/* Keep the run's lock across the statements of a section run outside
	 * a transaction (on = 1) until hold(c, 0).  RETORT_ECONFLICT, saying
	 * why and what to do, where that cannot be done safely (PostgreSQL
	 * through a transaction pooler).  NULL: lock() already spans them. */
	int (*hold)(rt_conn *c, int on, rt_buf *err);

	/* How a schema diff is written as SQL of this dialect (diff.h). */
	const struct rt_renderer *renderer;

	/* retort lint reads every statement with PostgreSQL's parser
	 * (libpg_query) and its rules are written for that database.
	 * Non-zero: the parser is this dialect's own, so its full rule set
	 * applies to the sections the dialect runs (with the rules about the
	 * locks a statement takes, pg-index-not-concurrent and the others)
	 * and a statement the parser cannot read is a syntax-error finding.
	 * 0: only the rules that hold on any database, and such a statement
	 * is skipped and counted. */
	int lint_full_rules;

	/* lint's dialect-syntax rule: would this dialect take each statement
	 * of `sql` (a section written for no dialect in particular)?  Every
	 * statement it does not take goes to `reject`, and the check goes on
	 * with the next one.  `c` (may be NULL) is a connection to a scratch
	 * database of this dialect (model_url) holding what the migrations
	 * before made: the statements taken are run there, so that the next
	 * ones see what they made, and with `keep` 0 undone again at the end
	 * (a downgrade is checked against its upgrade's result, which the
	 * next revision needs).  Negative only when the check cannot be made
	 * (out of memory, a library missing).  It needs no load() first
	 * (lint must not load libpq).  NULL: no check. */
	int (*syntax_check)(rt_conn *c, const char *sql, size_t len, int keep,
			    rt_reject_fn reject, void *arg, rt_buf *err);

	/* Make the driver ready before its first use (PostgreSQL: load libpq
	 * and libpg_query, pgapi.h); RETORT_ERROR with a message saying what
	 * to install.  NULL: nothing to do. */
	int (*load)(rt_buf *err);
};

extern const rt_driver rt_driver_sqlite;
#ifdef RETORT_WITH_PG
extern const rt_driver rt_driver_pg;
#endif

/* The driver for a URL's scheme, ready to use: the first call for
 * PostgreSQL loads libpq and libpg_query (pgapi.h).  RETORT_ERROR with a
 * message when this build has no such driver or its library will not load. */
int rt_driver_for(const rt_driver **out, const char *scheme, rt_buf *err);

/* The driver serving `scheme` in this build, not made ready (NULL: none),
 * for what needs only its constants (max_ident) and must not load a
 * library. */
const rt_driver *rt_driver_lookup(const char *scheme);

/* The driver for a dialect's name or alias (a section's "-- +upgrade
 * NAME", the --dialect of schema dump), ready to use as rt_driver_for's;
 * RETORT_EUSAGE naming the built-in ones. */
int rt_driver_named(const rt_driver **out, const char *dialect, rt_buf *err);

/* The driver of a dialect's name or alias in this build, not made ready
 * (NULL: none), as rt_driver_lookup. */
const rt_driver *rt_driver_lookup_named(const char *dialect);

/* The i-th driver of this build, counting from 0, not made ready (as
 * rt_driver_lookup); NULL past the last: what goes through every dialect
 * built in iterates with it. */
const rt_driver *rt_driver_at(size_t i);

/* The dialect's name (a driver's `name`) that `word` of a section marker
 * stands for, or NULL when it names no dialect.  It knows every dialect of
 * the file format, built in or not (a build without PostgreSQL reads
 * "-- +upgrade postgresql" and skips the section), and their aliases
 * ("postgres"). */
const char *rt_dialect_canonical(const char *word);

/* Check the section markers of a fully parsed script against the dialects
 * (rt_script_resolve_dialects with rt_dialect_canonical): each section's
 * dialect becomes its name, and an unknown one fails as the parser's
 * "FILE:LINE: unknown section option 'WORD'", with the marker naming two
 * dialects and two sections of one dialect.  Every full parse the library
 * makes goes through it before a section is picked. */
int rt_script_check_dialects(rt_script *s, rt_buf *err);

/* rt_script_parse of a whole text, and rt_graph_script of a revision's
 * file from wherever its graph reads (a folder, a program's source), then
 * rt_script_check_dialects; on failure *out is released. */
int rt_script_parse_checked(rt_script *out, const char *path, const char *text, size_t len,
			    rt_buf *err);
struct rt_graph;
int rt_rev_load_checked(rt_script *out, const struct rt_graph *g, const struct retort_rev *rev,
			rt_buf *err);

/* sqlite/driver_sqlite.c: SQLite's process-wide settings (retort_global_init). */
int rt_sqlite_global_init(void);

#endif
