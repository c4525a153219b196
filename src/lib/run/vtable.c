/*
 * vtable.c - the version table's SQL (run.h): one row per current head,
 * as in Alembic, written by the runner into the database and by the
 * offline writer into a script alike.
 */
#include "run.h"

void rt_vtable_name(rt_buf *out, const rt_driver *drv, const rt_config *cfg)
{
	if (cfg->version_table_schema && *cfg->version_table_schema) {
		drv->quote_ident(out, cfg->version_table_schema);
		rt_buf_putc(out, '.');
	}
	drv->quote_ident(out, cfg->version_table);
}

void rt_vtable_create_sql(rt_buf *out, const rt_driver *drv, const char *vt, const char *table)
{
	rt_buf pk = RT_BUF_INIT;

	rt_buf_printf(&pk, "%s_pkc", table);
	rt_buf_printf(out, "CREATE TABLE IF NOT EXISTS %s (version_num VARCHAR(32) NOT NULL, "
		      "CONSTRAINT ", vt);
	drv->quote_ident(out, pk.ptr);
	rt_buf_puts(out, " PRIMARY KEY (version_num));\n");
	rt_buf_release(&pk);
}

void rt_vtable_insert_sql(rt_buf *out, const char *vt, const char *id)
{
	rt_buf_printf(out, "INSERT INTO %s (version_num) VALUES ('%s');\n", vt, id);
}

void rt_vtable_delete_sql(rt_buf *out, const char *vt, const char *id)
{
	rt_buf_printf(out, "DELETE FROM %s WHERE version_num = '%s';\n", vt, id);
}

void rt_vtable_step_sql(rt_buf *out, const char *vt, const rt_plan_step_rows *st)
{
	size_t i;

	/* UPDATE where one row becomes another, as Alembic does */
	for (i = 0; i < st->gone.count || i < st->added.count; i++) {
		if (i < st->gone.count && i < st->added.count)
			rt_buf_printf(out, "UPDATE %s SET version_num = '%s' WHERE version_num = '%s';\n",
				      vt, st->added.items[i], st->gone.items[i]);
		else if (i < st->gone.count)
			rt_vtable_delete_sql(out, vt, st->gone.items[i]);
		else
			rt_vtable_insert_sql(out, vt, st->added.items[i]);
	}
}
