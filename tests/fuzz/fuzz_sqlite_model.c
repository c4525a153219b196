/*
 * fuzz_sqlite_model.c - libFuzzer target for the SQLite model: what
 * introspect_sqlite.c reads out of the CREATE text in sqlite_schema
 * (CHECK constraints, table options, generated columns' expressions,
 * DEFERRABLE foreign keys, index keys and WHERE).
 *
 * The input is a model as a user writes it: SQL run in an in-memory
 * database (whatever SQLite refuses is skipped).  Reading the schema back
 * must not crash, an error must say why, and the model must render as
 * SQL (schema dump's path).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const rt_driver *drv = NULL;
	rt_url url = { 0 };
	rt_config cfg;
	rt_conn *conn = NULL;
	rt_schema model = { 0 }, none = { 0 };
	rt_diff d = { 0 };
	rt_buf err = RT_BUF_INIT, sql = RT_BUF_INIT;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rt_config_defaults(&cfg, "/");
	if (rt_driver_for(&drv, "sqlite", &err) < 0 || rt_url_parse(&url, "sqlite://", "/", &err) < 0 ||
	    drv->connect(&conn, &url, &cfg, &err) < 0)
		abort();
	if (drv->exec(conn, text, size, NULL, &err) < 0)
		goto done; /* not SQL SQLite takes: not a model */
	rt_buf_clear(&err);
	if (drv->introspect(conn, NULL, &model, &err) < 0) {
		if (!err.ptr || !*err.ptr)
			abort();
		goto done;
	}
	if (rt_schema_init(&none, model.renderer) < 0 ||
	    rt_diff_schemas(&d, &none, &model, NULL, 0, 0, &err) < 0 ||
	    rt_render(&sql, &d, model.renderer, NULL, &err) < 0)
		if (!err.ptr || !*err.ptr)
			abort();
done:
	rt_diff_release(&d);
	rt_schema_release(&none);
	rt_schema_release(&model);
	if (conn)
		drv->close(conn);
	rt_url_release(&url);
	rt_config_release(&cfg);
	rt_buf_release(&err);
	rt_buf_release(&sql);
	free(text);
	return 0;
}
