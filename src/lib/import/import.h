/*
 * import.h - `retort import`: another migration tool's files read as
 * retort revisions (import.c), and the two file formats that need more
 * than a file name to read, dbmate's and goose's, split into their up and
 * down parts (split.c, which tests/fuzz/fuzz_import.c also drives).
 */
#ifndef RT_IMPORT_H
#define RT_IMPORT_H

#include "rt.h"

/* One migration file's two directions, as the tool would run them. */
typedef struct rt_import_body {
	rt_buf up;
	rt_buf down;
	int up_notx;    /* run outside a transaction (dbmate transaction:false,
			   goose NO TRANSACTION) */
	int down_notx;
	int has_down;   /* the file has a down part (it may be empty) */
} rt_import_body;

void rt_import_body_init(rt_import_body *b);
void rt_import_body_release(rt_import_body *b);

/* dbmate: "-- migrate:up [options]" then "-- migrate:down [options]", both
 * required, only blank and comment lines before the first; an option
 * "transaction:false" runs that part outside a transaction.  The bodies
 * are the text between the markers, as dbmate takes them.  Errors are
 * RETORT_EINVALID naming path:line. */
int rt_import_split_dbmate(rt_import_body *out, const char *path, const char *text, size_t len,
			   rt_buf *err);

/* goose: "-- +goose Up", an optional "-- +goose Down", and the annotations
 * StatementBegin/StatementEnd (dropped: retort splits statements with the
 * database's own parser, which keeps a function body whole) and NO
 * TRANSACTION (both parts outside a transaction).  ENVSUBST ON is refused:
 * retort does not expand ${VAR} in SQL.  Errors are RETORT_EINVALID
 * naming path:line, where goose itself would refuse the file. */
int rt_import_split_goose(rt_import_body *out, const char *path, const char *text, size_t len,
			  rt_buf *err);

#endif
