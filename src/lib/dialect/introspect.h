/*
 * introspect.h - reading a database's schema into the model, per driver
 * (the drivers' `introspect` slot), and what autogen.c needs besides.
 */
#ifndef RT_INTROSPECT_H
#define RT_INTROSPECT_H

#include "driver.h"
#include "schema.h"

/* introspect_sqlite.c: from sqlite_schema, the pragma table functions and
 * sqlite3_table_column_metadata(); `schema` is the attached database's
 * name (NULL: "main"). */
int rt_introspect_sqlite(rt_conn *c, const char *schema, rt_schema *out, rt_buf *err);

/* driver_sqlite.c: the connection's database handle. */
struct sqlite3 *rt_sqlite_handle(rt_conn *c);

/* model_sqlite.c: the driver's model_filter (driver.h). */
void rt_sqlite_model_filter(char *sql, size_t len, const char *schema);

#ifdef RETORT_WITH_PG
/* model_pg.c: the driver's model_filter and model_own_db (driver.h). */
void rt_pg_model_filter(char *sql, size_t len, const char *schema);
int rt_pg_model_own_db(const char *sql, size_t len, const char *schema);

/* introspect_pg.c: from pg_catalog; `schema` NULL: current_schema(). */
int rt_introspect_pg(rt_conn *c, const char *schema, rt_schema *out, rt_buf *err);

/* driver_pg.c: the connection's libpq handle. */
struct pg_conn *rt_pg_handle(rt_conn *c);
#endif

#endif
