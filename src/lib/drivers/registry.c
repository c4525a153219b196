/*
 * registry.c - the driver registry: the one place that knows every
 * dialect built in, where a URL's scheme or a dialect's name finds its
 * driver, and where their process-wide settings are made.
 */
#include <string.h>

#include "driver.h"

static const rt_driver *const drivers[] = {
	&rt_driver_sqlite,
#ifdef RETORT_WITH_PG
	&rt_driver_pg,
#endif
};

static int ready(const rt_driver *d, rt_buf *err)
{
	return d->load ? d->load(err) : 0;
}

const rt_driver *rt_driver_lookup(const char *scheme)
{
	size_t i;

	for (i = 0; scheme && i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (!strcmp(scheme, drivers[i]->scheme))
			return drivers[i];
	return NULL;
}

int rt_driver_for(const rt_driver **out, const char *scheme, rt_buf *err)
{
	const rt_driver *d = rt_driver_lookup(scheme);

	*out = NULL;
	if (!d)
		return rt_error(err, RETORT_ERROR, "no driver for '%s' URLs in this build", scheme);
	if (ready(d, err) < 0)
		return RETORT_ERROR;
	*out = d;
	return 0;
}

int rt_driver_named(const rt_driver **out, const char *dialect, rt_buf *err)
{
	size_t i;

	*out = NULL;
	if (!strcmp(dialect, "postgres")) /* as in postgres:// URLs */
		dialect = "postgresql";
	for (i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (!strcmp(dialect, drivers[i]->name)) {
			if (ready(drivers[i], err) < 0)
				return RETORT_ERROR;
			*out = drivers[i];
			return 0;
		}
	rt_error(err, RETORT_EUSAGE, "unknown dialect '%s' (", dialect);
	for (i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		rt_buf_printf(err, "%s%s", i ? " or " : "", drivers[i]->name);
	rt_buf_putc(err, ')');
	return RETORT_EUSAGE;
}

int retort_global_init(void)
{
	return rt_sqlite_global_init();
}
