/*
 * model.h - the model autogenerate, check and test compare with, per
 * dialect (model.c), and the dialects a project deploys to.
 */
#ifndef RT_MODEL_H
#define RT_MODEL_H

#include "ctx.h"

/* The dialects of `dialects` in retort.ini, canonical and checked, in
 * their order; without the key, the dialect of the url alone. */
int rt_ctx_dialects(rt_strlist *out, retort *ctx);

/* The model's SQL for one dialect, as pieces run in order; `name` is a
 * file's path or says where the text came from, for messages. */
typedef struct rt_model_chunk {
	char *name;
	char *text;
	size_t len;
	int file;   /* `name` is a file's path (messages say path:line) */
} rt_model_chunk;

typedef struct rt_model_src {
	rt_model_chunk *chunks;
	size_t n;
} rt_model_src;

/* schema_command's output for `dialect` (RETORT_DIALECT set, run in
 * retort.ini's folder, no shell, schema_command_timeout seconds), else
 * schema.<dialect>.sql beside the `schema` file, else `schema` (a file,
 * or the .sql files of a folder in name order, with x.<dialect>.sql in
 * place of x.sql and other dialects' files left out).  RETORT_EUSAGE
 * when neither key is set; RETORT_EINVALID when the command fails, with
 * its error output in the message. */
int rt_model_source(rt_model_src *out, retort *ctx, const char *dialect);
void rt_model_src_release(rt_model_src *m);

#endif
