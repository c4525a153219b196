/*
 * rt.h - declarations shared by the library's modules (not installed).
 *
 * Internal names are rt_<module>_<verb>.  Functions that can fail return 0
 * or a negative RETORT_E* code and write a user-facing message into an
 * `rt_buf *err` (lower-case first word, no full stop, names in '...').
 */
#ifndef RT_H
#define RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "retort.h"
#include "banned.h"

#if defined(__GNUC__)
#define RT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define RT_PRINTF(f, a)
#endif

/* ---- buf.c: the one growable string ----------------------------------- */

/* Never NULL, always NUL-terminated.  An allocation failure sets `oom`,
 * keeps what was there, and makes later appends no-ops; check once with
 * rt_buf_oom() when done (as SQLite's sqlite3_str does). */
typedef struct rt_buf {
	char *ptr;
	size_t len;
	size_t cap;
	int oom;
} rt_buf;

extern char rt_buf__empty[];
#define RT_BUF_INIT { rt_buf__empty, 0, 0, 0 }

void rt_buf_init(rt_buf *b);
void rt_buf_release(rt_buf *b);
/* Hand the string over to the caller (free() it); the buf is reset. */
char *rt_buf_detach(rt_buf *b);
void rt_buf_clear(rt_buf *b);
void rt_buf_truncate(rt_buf *b, size_t len);
void rt_buf_grow(rt_buf *b, size_t extra);
void rt_buf_put(rt_buf *b, const char *data, size_t len);
void rt_buf_puts(rt_buf *b, const char *s);
void rt_buf_putc(rt_buf *b, char c);
void rt_buf_printf(rt_buf *b, const char *fmt, ...) RT_PRINTF(2, 3);
void rt_buf_vprintf(rt_buf *b, const char *fmt, va_list ap);
/* Insert the formatted text at byte `pos` (at most len), moving the rest
 * after it (git's strbuf_insertf). */
void rt_buf_vinsertf(rt_buf *b, size_t pos, const char *fmt, va_list ap);
int rt_buf_oom(const rt_buf *b);
/* Append `s` as a JSON string, quoted and escaped (bytes that are not
 * UTF-8 become U+FFFD), or null for NULL. */
void rt_buf_json(rt_buf *b, const char *s);

/* Set `err` to the formatted message and return `code`. */
int rt_error(rt_buf *err, int code, const char *fmt, ...) RT_PRINTF(3, 4);
/* Put the formatted context before the message already in `err` and
 * return `code`: "cannot do X: " + what the callee said, without copying
 * the callee's message aside (rt_error would replace it). */
int rt_error_prefix(rt_buf *err, int code, const char *fmt, ...) RT_PRINTF(3, 4);

/* ---- util.c --------------------------------------------------------------- */

/* malloc/strdup that return NULL on failure (callers check). */
char *rt_strdup(const char *s);
char *rt_strndup(const char *s, size_t n);
/* `n` bytes as 2n lower-case hex digits and a NUL (out holds 2n + 1). */
void rt_hex(char *out, const unsigned char *in, size_t n);
/* The most any file retort reads may hold (migration files, configs,
 * templates, tenant lists): a bigger one is surely not what was meant. */
#define RT_FILE_MAX (64 * 1024 * 1024)
/* Open `name` (relative to `dirfd`, or AT_FDCWD) for reading, only if it is
 * a regular file of at most `max` bytes (0: any size); messages name
 * `path`.  A FIFO, a device or a folder is RETORT_EINVALID: reading one
 * would block or never end.  The descriptor is opened O_NONBLOCK (for the
 * FIFO's sake) and left so: read it with rt_read_some. */
int rt_open_regular(int *out_fd, int dirfd, const char *name, const char *path, size_t max,
		    rt_buf *err);
/* read() from such a descriptor, again after EINTR, and after clearing
 * O_NONBLOCK where a file system says EAGAIN to it. */
ssize_t rt_read_some(int fd, char *buf, size_t n);
/* Read a whole regular file (rt_open_regular, RT_FILE_MAX); *out is
 * NUL-terminated, caller frees. */
int rt_read_file(char **out, size_t *out_len, const char *path, rt_buf *err);
/* The same for `name` relative to the folder `dirfd` (AT_FDCWD: the
 * current one); messages name `path`. */
int rt_read_file_at(char **out, size_t *out_len, int dirfd, const char *name, const char *path,
		    rt_buf *err);
/* Write a file atomically (temp file + rename); fails if `exclusive` and
 * the file exists. */
int rt_write_file(const char *path, const char *data, size_t len, int exclusive, rt_buf *err);
/* dir + "/" + rel, or rel itself when it is absolute. */
char *rt_path_join(const char *dir, const char *rel);
/* The absolute `path` with "." and ".." names and repeated or trailing
 * slashes taken out, without asking the file system (Python's
 * os.path.normpath; a ".." above the root stays at the root, also for a
 * relative path); NULL when out of memory. */
char *rt_path_normalize(const char *path);
/* Create a directory and its parents (mode 0777 & umask). */
int rt_mkdir_p(const char *path, rt_buf *err);
/* Monotonic clock in milliseconds. */
double rt_now_ms(void);

/* A list of owned strings. */
typedef struct rt_strlist {
	char **items;
	size_t count;
	size_t cap;
} rt_strlist;

int rt_strlist_add(rt_strlist *l, const char *s);
int rt_strlist_addn(rt_strlist *l, const char *s, size_t n);
int rt_strlist_has(const rt_strlist *l, const char *s);
/* Walking two sorted lists side by side, items `a[i]` of `na` and `b[k]`
 * of `nb` (not both at their end): < 0 when a's comes first or b's are
 * all seen, > 0 the other way round, 0 when `cmp` finds them alike. */
int rt_sorted_side(char *const *a, size_t i, size_t na, char *const *b, size_t k, size_t nb,
		   int (*cmp)(const char *, const char *));
void rt_strlist_release(rt_strlist *l);
/* Words as a shell splits them, with no expansion (command.c). */
int rt_split_words(rt_strlist *out, const char *s, rt_buf *err);

/* A program to run with its output collected (command.c): stdin is
 * /dev/null; `env` entries ("NAME=value") replace the process's own;
 * `cwd` NULL is the current folder; `timeout_ms` 0 is a minute.  After
 * rt_command_run, `out` and `err` hold what it wrote and `exit_status`
 * its status (-1 when it was killed for the time limit: `timed_out`).
 * The call fails only when the program cannot be started. */
typedef struct rt_command {
	const char *const *argv;
	const char *const *env;
	size_t nenv;
	const char *cwd;
	int timeout_ms;
	rt_buf out;
	rt_buf err;
	int exit_status;
	int timed_out;
} rt_command;

int rt_command_run(rt_command *c, rt_buf *err);
void rt_command_release(rt_command *c);

/* The time now as a revision header's create_date ("2026-12-02
 * 14:00:00+00:00"), appended to `out`, and as seconds in *epoch. */
void rt_now_utc(rt_buf *out, long long *epoch);

/* Split a comma- or space-separated header value ("a, b c") into `out`. */
int rt_strlist_split(rt_strlist *out, const char *value);

/* A borrowed, read-only list of strings: the items belong to whatever
 * holds the view (a script's string blocks, say), never rt_strlist_release
 * or free them.  A zeroed view is empty. */
typedef struct rt_strview {
	const char *const *items;
	size_t count;
} rt_strview;

int rt_strview_has(const rt_strview *v, const char *s);
/* Item `i`, or NULL past the end. */
const char *rt_strview_get(const rt_strview *v, size_t i);

/* The next item of such a value in [*p, end): skips the commas and blanks
 * before it, sets *p to its start and returns its length (0 at the end). */
size_t rt_list_item(const char **p, const char *end);

/* Skip whitespace, line comments and (nested) block comments from s[i]; the
 * offset of the next token, or len. */
size_t rt_sql_skip_blank(const char *s, size_t i, size_t len);
/* Append `name` as a double-quoted SQL identifier. */
void rt_sql_quote_ident(rt_buf *out, const char *name);
/* Append `s` as a single-quoted SQL string literal ('' for '), or NULL. */
void rt_sql_literal(rt_buf *out, const char *s);
/* Append `text` for use inside a "-- " comment line: every control
 * character (CR and LF among them) becomes a blank, so the comment stays
 * one line.  Everything retort writes into a SQL comment goes through it. */
void rt_sql_comment(rt_buf *out, const char *text);
/* The same for `len` bytes (a NUL among them becomes a blank too). */
void rt_sql_comment_n(rt_buf *out, const char *text, size_t len);

/* ---- interp.c: ${NAME} and ${NAME:-default} ----------------------------- */

/* Look a name up; return the value (borrowed) or NULL if unset. */
typedef const char *(*rt_lookup_fn)(const char *name, void *payload);

/* Expand ${NAME} and ${NAME:-default} in `in` (a default may itself hold
 * ${...}); "$$" is a literal "$".  An unset name without a default is an
 * error when `strict`, otherwise it expands to "".  `where` names the
 * input for messages ("retort.ini:3"). */
int rt_interpolate(rt_buf *out, const char *in, rt_lookup_fn lookup, void *payload,
		   int strict, const char *where, rt_buf *err);

/* The rt_lookup_fn for environment variables (payload unused). */
const char *rt_lookup_env(const char *name, void *payload);

/* ---- url.c ---------------------------------------------------------------- */

typedef struct rt_kv {
	char *key;
	char *value;
} rt_kv;

typedef struct rt_url {
	char *scheme;    /* a driver's scheme (aliases folded), no +driver */
	char *user;      /* percent-decoded, or NULL */
	char *password;  /* percent-decoded, or NULL */
	char *host;      /* or NULL; [v6] brackets removed */
	char *port;      /* or NULL */
	char *path;      /* sqlite: file path (absolute after resolution), or
			    NULL for memory; postgresql: database name or NULL */
	rt_kv *params;   /* query parameters, percent-decoded */
	size_t nparams;
	int memory;      /* sqlite in-memory database */
	char *masked;    /* the URL as given, password replaced by *** */
} rt_url;

/* Parse `url`.  sqlite:///rel.db is resolved against `base_dir` (the ini
 * file's folder), sqlite:////abs.db is absolute, sqlite:// and
 * sqlite:///:memory: are in-memory.  Error messages never contain the
 * password. */
int rt_url_parse(rt_url *out, const char *url, const char *base_dir, rt_buf *err);
void rt_url_release(rt_url *u);
/* The pieces rt_url_parse is made of.  Which scheme takes which form is
 * the driver registry's business (drivers/url.c): a file database's
 * "//[user[:pw]@]/path" resolved against `base_dir`, or a server's
 * "//[user[:pw]@]host[:port][,host...]/db?params".  `u->masked` is set. */
size_t rt_url_scheme_len(const char *s);
int rt_url_parse_file(rt_url *u, const char *rest, const char *base_dir, rt_buf *err);
int rt_url_parse_server(rt_url *u, const char *rest, rt_buf *err);
/* Append `text` to out with every password masked (see
 * retort_mask_secrets). */
void rt_mask_secrets(rt_buf *out, const char *text);
/* The same for text known to be one URL, valid or not: whitespace does
 * not end the password. */
void rt_mask_url(rt_buf *out, const char *url);

/* ---- config.c ------------------------------------------------------------- */

typedef struct rt_config {
	char *path;             /* absolute path of the ini, NULL if none */
	char *dir;              /* its folder (or the start dir) */
	char *script_location;  /* absolute */
	char *url;              /* interpolated, as written (not resolved) */
	char *version_table;    /* default "retort_version" */
	char *version_table_schema; /* NULL: default schema */
	char *schema;           /* absolute path or NULL */
	char *log_file;         /* absolute path or NULL */
	char *schema_file;      /* absolute path or NULL: rewritten after each run */
	char *file_template;    /* default "%(rev)s_%(slug)s" */
	int transaction_per_migration; /* default 1 */
	double lock_timeout;    /* seconds to wait for the database lock, default 60 */
	double ddl_lock_timeout;/* seconds, 0 = unset */
	double connect_timeout; /* seconds to reach a server, default 10; 0 = none */
	/* every key of every section, interpolated, in file order */
	struct rt_config_entry {
		char *section;
		char *key;
		char *value;
	} *entries;
	size_t nentries;
} rt_config;

/* true/yes/on/1 or false/no/off/0 (any case) into *out; -1 for anything
 * else. */
int rt_parse_bool(int *out, const char *s);

/* Search `start_dir` and its parents for retort.ini.  RETORT_ENOTFOUND if
 * there is none up to the root. */
int rt_config_find(char **out_path, const char *start_dir, rt_buf *err);

/* Fill *cfg with defaults for a project in `dir` (no file). */
int rt_config_defaults(rt_config *cfg, const char *dir);

/* Read `path` with inih, interpolating ${VAR} from the environment in every
 * value; the [retort] section (or [alembic], for old files) gives the
 * known keys; relative paths are made absolute against the file's folder.
 * Errors name the file and line. */
int rt_config_load(rt_config *cfg, const char *path, rt_buf *err);

/* Check the version table's name, its schema's and the history table's
 * (with the names derived from them) against `max`, the most bytes of a
 * name the database of URL scheme `scheme` keeps (0: no limit): a longer
 * one is cut without an error, so a long version table would be created
 * under a shorter name than the one later looked for.  The error names
 * the key. */
int rt_config_check_names(const rt_config *cfg, const char *scheme, size_t max, rt_buf *err);

/* Set `key` of `section` (NULL: "retort") to `value`, as if the file said
 * so after everything else: a known key of [retort] is checked and takes
 * effect (a relative path against cfg->dir), and rt_config_get sees every
 * key.  `where` names the setting in messages (RETORT_ECONFIG). */
int rt_config_set(rt_config *cfg, const char *section, const char *key, const char *value,
		  const char *where, rt_buf *err);

/* The folders of revision files, absolute: the `version_locations` key
 * split as `version_path_separator` says (Alembic 1.8's rules: no
 * separator key splits on blanks and commas), each relative to the ini's
 * folder, a folder named twice once; *listed = 1.  Without the key,
 * script_location/versions alone and *listed = 0.  RETORT_ECONFIG: an
 * unknown separator, or a list of nothing. */
int rt_config_version_dirs(rt_strlist *out, int *listed, const rt_config *cfg, rt_buf *err);

/* A raw value of any section, or NULL. */
const char *rt_config_get(const rt_config *cfg, const char *section, const char *key);
void rt_config_release(rt_config *cfg);

/* ---- script.c: migration files ------------------------------------------ */

enum { RT_UP = RETORT_UP, RT_DOWN = RETORT_DOWN };

typedef struct rt_section {
	int direction;      /* RT_UP or RT_DOWN */
	char *dialect;      /* a dialect's name (a driver's), or NULL for any;
			       straight from the parser, the marker's dialect
			       words as written, one blank between, until
			       rt_script_resolve_dialects */
	int transactional;  /* 0 for transaction=false */
	int foreign_keys_off; /* foreign_keys=off: SQLite table rebuilds (the
				 runner switches enforcement off around the
				 transaction and runs foreign_key_check in it) */
	size_t offset;      /* body start in the script's text */
	size_t len;         /* body length */
	int line;           /* 1-based file line of the body's first byte */
	int unfinished;     /* line of a "-- +unfinished REASON" in the body, 0
			       if none: the section is a placeholder a person
			       must fill (retort import), and no run takes it */
	size_t reason;      /* offset of that REASON in the script's text */
	size_t reason_len;
} rt_section;

/* The header's strings and lists live in blocks of the script's own
 * (script.c): one or two allocations per revision instead of a dozen,
 * which is what loading thousands of headers spent most of its time on.
 * Hence views, not rt_strlists: they go with rt_script_release(). */
typedef struct rt_strblock rt_strblock;

typedef struct rt_script {
	rt_strblock *strings;       /* holds everything down to `doc` */
	char *path;
	char *revision;
	rt_strview down_revisions;  /* empty for a base */
	rt_strview branch_labels;
	rt_strview depends_on;
	char *create_date;          /* "" if absent */
	char *message;              /* first line of the leading comment */
	char *doc;                  /* further comment lines before the keys, "" if none */
	/* filled only by a full parse: */
	char *text;
	size_t text_len;
	rt_section *sections;
	size_t nsections;
} rt_script;

/* Parse a migration file's text.  With `header_only`, stop at the first
 * "-- +upgrade"/"-- +downgrade" marker (the text may end there).  Errors
 * name path:line: missing or malformed `revision`, an unknown section
 * option, a duplicate plain section, text before the first marker that is
 * not a comment.  A marker word that is no option but a lower-case word is
 * kept as a dialect, as written: which dialects exist is not the parser's
 * to know, so a full parse goes on to rt_script_resolve_dialects (in the
 * library, through the registry's rt_script_check_dialects), which fails
 * on an unknown one, a marker naming two and two sections of one dialect,
 * and makes an alias the dialect's name. */
int rt_script_parse(rt_script *out, const char *path, const char *text, size_t len,
		    int header_only, rt_buf *err);

/* Read a file and parse it.  With `header_only` only the header is read
 * (the file is read until the first section marker, not whole). */
int rt_script_load(rt_script *out, const char *path, int header_only, rt_buf *err);

/* The same, opening `name` relative to the folder `dirfd` (saves the
 * kernel a path walk per file when loading thousands); `path` is what
 * messages and rt_script.path say. */
int rt_script_load_at(rt_script *out, int dirfd, const char *name, const char *path,
		      int header_only, rt_buf *err);

/* A parsed header as bytes for the header cache, and back: loading it
 * again skips the parse of every line.  rt_script_unpack() makes a
 * header-only script of `blob` (len bytes), or returns -1 and leaves *out
 * empty when the bytes are not what rt_script_pack() writes: seven
 * NUL-terminated fields, valid ids and labels. */
void rt_script_pack(rt_buf *out, const rt_script *s);
int rt_script_unpack(rt_script *out, const char *path, const char *blob, size_t len);

/* Put each section's dialect words through `canonical` (the registry's
 * rt_dialect_canonical: a dialect's name for a word naming one, else NULL)
 * and keep the name it gives, in file order, failing as the parser does:
 * "unknown section option" for a word naming none, a marker naming two
 * dialects, two sections of one direction and dialect.  Done once after a
 * full parse; doing it again changes nothing. */
int rt_script_resolve_dialects(rt_script *s, const char *(*canonical)(const char *word),
			       rt_buf *err);

/* The section to run for a direction and dialect (a driver's name, on a
 * script whose dialects are resolved): the dialect's own section beats the
 * plain one.  NULL when the file has neither (nothing to run). */
const rt_section *rt_script_section(const rt_script *s, int direction, const char *dialect);

void rt_script_release(rt_script *s);

/* Why `id` cannot be a revision id (letters, digits, '_'; not a word of
 * the target grammar such as "head"), or NULL when it can.  The same for a
 * branch label (which may also hold '.' and '-', but not start with '-'). */
const char *rt_id_problem(const char *id);
const char *rt_label_problem(const char *label);

/* A file name's slug as Alembic makes it: the words of `message` (runs
 * of Unicode letters, numbers and '_', Python's \w) joined by '_' and
 * lower-cased; longer than `max` characters (0: no limit), cut there and
 * back to its last '_', which is kept ("add_posts_"). */
void rt_slugify(rt_buf *out, const char *message, size_t max);

/* Expand an Alembic file_template: %(rev)s, %(slug)s, %(year)d,
 * %(month).2d, %(day).2d, %(hour).2d, %(minute).2d, %(second).2d,
 * %(epoch)s; "%%" is "%", and "%%(rev)s" the token, as alembic.ini
 * escapes it for configparser.  `now` is a UTC time. */
int rt_file_template(rt_buf *out, const char *tmpl, const char *rev, const char *slug,
		     long long now, rt_buf *err);

/* ---- log.c ------------------------------------------------------------------ */

/* Zero-initialise (RT_LOG_INIT) before use; rt_log_open keeps the tag. */
typedef struct rt_log {
	FILE *fp;   /* NULL: no log file */
	char *tag;  /* "[tag] " before every line (a fleet's tenant), or NULL */
	/* a program's callback, beside the file: each message, passwords
	 * masked, without the timestamp; NULL: none */
	void (*fn)(const char *message, void *payload);
	void *payload;
} rt_log;

#define RT_LOG_INIT { NULL, NULL, NULL, NULL }

/* Open `path` for appending (NULL: off), created with mode 0600.  A log
 * that cannot be opened is an error naming the path; a symbolic link is
 * never followed (RETORT_EINVALID). */
int rt_log_open(rt_log *log, const char *path, rt_buf *err);
/* RETORT_EINVALID, naming the path, when `path` is a symbolic link: for
 * refusing such a log_file before a run rather than not logging. */
int rt_log_check(const char *path, rt_buf *err);
/* One line: "2026-11-22T10:00:00.123Z [tag] <text>\n", passwords masked,
 * line breaks in `text` shown as " | ", written with one write so lines
 * of concurrent writers do not mix. */
void rt_log_printf(rt_log *log, const char *fmt, ...) RT_PRINTF(2, 3);
void rt_log_close(rt_log *log);

#endif
