/*
 * model.h - the model autogenerate, check and test compare with, per
 * dialect (model.c).
 */
#ifndef RT_MODEL_H
#define RT_MODEL_H

#include "ctx.h"

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

/* The server scratch databases of `drv`'s dialect are made on (retort
 * test, autogenerate's model and replay): dev_url or the url, the first
 * of that dialect (the url first with RT_SCRATCH_URL_FIRST, never with
 * RT_SCRATCH_NO_URL); else, for a dialect that needs no server, its
 * model_url.  `raw` is the URL as written, `url` parsed.  RETORT_EUSAGE
 * naming dev_url when a server is needed and none is configured, or
 * dev_url is another dialect's. */
typedef struct rt_scratch_server {
	char *raw;
	rt_url url;
} rt_scratch_server;

#define RT_SCRATCH_URL_FIRST 1u
#define RT_SCRATCH_NO_URL    2u

int rt_scratch_server_for(rt_scratch_server *out, retort *ctx, const rt_driver *drv,
			  unsigned flags);
void rt_scratch_server_release(rt_scratch_server *b);

#endif
