/*
 * history.h - the history table: one row per step applied, reverted,
 * stamped or failed, with the checksum of the revision's file, so a run
 * can refuse to go on when an applied migration was edited and can resume
 * a half-applied non-transactional one.
 */
#ifndef RT_HISTORY_H
#define RT_HISTORY_H

#include "graph.h"
#include "driver.h"

#define RT_CHECKSUM_HEX 65  /* 64 hex digits and a NUL */

/* SHA-256 of a file's normalised text: a leading UTF-8 BOM is dropped and
 * CRLF and lone CR become LF, so neither changes the checksum. */
void rt_checksum(char out[RT_CHECKSUM_HEX], const char *text, size_t len);

/*
 * A transaction=false section leaves its trail as it runs, each row
 * committed at once: 'running' when it starts (or resumes), 'statement'
 * after each statement that completed (its checksum column holds the
 * statement's SHA-256), then 'failed' with the error, or the step's
 * 'applied'/'reverted' row with its version change.  That trail is an
 * open attempt until a row other than 'statement', 'failed' or 'fixed'
 * closes it (the step done, or a stamp's 'cleared').  A transactional
 * migration that fails leaves one 'failed' row and no attempt: nothing of
 * it stayed.
 */

/* What the history says of the revisions of a graph. */
typedef struct rt_history {
	int exists;           /* is there a history table at all */
	char **checksum;      /* by topological position: recorded when applied, or NULL */
	size_t n;
	rt_rev *failed;       /* the revision with an open attempt, or NULL */
	int failed_direction; /* RT_UP or RT_DOWN */
	int interrupted;      /* its last row is 'running': the run died in it */
	size_t failed_done;   /* statements of its section that had been applied */
	rt_strlist done_sums; /* their checksums, in order; empty for rows of
				 retort before 0.5, which did not record them */
	char *failed_error;   /* "" when interrupted */
} rt_history;

/* Quoted (schema.)name of the history table. */
void rt_history_name(rt_buf *out, const rt_driver *drv, const rt_config *cfg);

/* CREATE TABLE IF NOT EXISTS of the history table, in `drv`'s dialect. */
void rt_history_create_sql(rt_buf *out, const rt_driver *drv, const char *qname);

typedef struct rt_history_entry {
	const char *revision;
	int direction;          /* RT_UP or RT_DOWN */
	const char *status;     /* applied, reverted, stamped, fixed, failed, cleared,
				   running, statement */
	const char *checksum;   /* NULL: none */
	size_t statements_done;
	double duration_ms;     /* < 0: unknown (offline) */
	const char *duration_sql; /* instead: an expression the database computes */
	const char *error;      /* NULL: none */
	const char *applied_by; /* "user@host", see rt_history_applied_by() */
} rt_history_entry;

/* "user@host" of this process, for applied_by: looked up once per process,
 * not once per row. */
void rt_history_applied_by(rt_buf *out);

/* An INSERT of one row; the database numbers its id. */
void rt_history_insert_sql(rt_buf *out, const char *qname, const rt_history_entry *e);

/* The same in parts, for one INSERT of many rows: the head ("INSERT INTO
 * ... VALUES "), then one "(...)" per row, separated by commas. */
void rt_history_insert_head(rt_buf *out, const char *qname);
void rt_history_values(rt_buf *out, const rt_history_entry *e);

/* Read the table (a missing one reads as empty, exists = 0). */
int rt_history_read(rt_history *h, rt_graph *g, const rt_driver *drv, rt_conn *c,
		    const rt_config *cfg, rt_buf *err);
void rt_history_release(rt_history *h);

/* Every row of the table, oldest first, RT_HISTORY_COLS cells a row in the
 * order of enum rt_history_col, NULL columns as "" (duration as -1);
 * *exists = 0 and no cells when there is no table. */
enum rt_history_col {
	RT_HCOL_REV, RT_HCOL_DIR, RT_HCOL_STATUS, RT_HCOL_DONE, RT_HCOL_MS, RT_HCOL_AT,
	RT_HCOL_BY, RT_HCOL_ERROR, RT_HISTORY_COLS
};
int rt_history_all(rt_strlist *cells, int *exists, const rt_driver *drv, rt_conn *c,
		   const rt_config *cfg, rt_buf *err);

/* The checksums of a graph's files, kept between runs on one context (a
 * fleet worker runs thousands of tenants on the same files), entry i for
 * g->topo[i]; a file is read and hashed again when its size or
 * modification time moved. */
typedef struct rt_sum_cache {
	struct rt_sum_entry {
		char sum[RT_CHECKSUM_HEX];
		long long size;
		long long mtime_ns;
		int known;
	} *v;
	size_t n;
} rt_sum_cache;

void rt_sum_cache_release(rt_sum_cache *c);

/* Compare the recorded checksum of every applied revision with its file
 * now; one line per mismatch goes to `problems`.  `cache` may be NULL. */
int rt_history_verify(rt_strlist *problems, const rt_history *h, rt_graph *g,
		      const unsigned char *applied, rt_sum_cache *cache, rt_buf *err);

#endif
