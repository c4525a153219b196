/*
 * registry.c - the driver registry: the one place that knows every
 * dialect, built in or not, where a URL's scheme or a dialect's name finds
 * its driver, where a migration file's section markers are checked against
 * the dialects, and where the drivers' process-wide settings are made.
 */
#include <string.h>

#include "driver.h"
#include "graph.h"

static const rt_driver *const drivers[] = {
	&rt_driver_sqlite,
#ifdef RETORT_WITH_PG
	&rt_driver_pg,
#endif
};

#define NDRIVERS (sizeof(drivers) / sizeof(drivers[0]))

/* Every word a section marker may name a dialect with, built in or not (a
 * build without PostgreSQL still reads a file's postgresql sections, and
 * skips them), and the dialect's name it stands for: a driver's `name`. */
static const struct {
	const char *word;
	const char *name;
} dialect_words[] = {
	{ "sqlite", "sqlite" },
	{ "postgresql", "postgresql" },
	{ "postgres", "postgresql" }, /* as in postgres:// URLs */
};

static int ready(const rt_driver *d, rt_buf *err)
{
	return d->load ? d->load(err) : 0;
}

const char *rt_dialect_canonical(const char *word)
{
	size_t i;

	for (i = 0; word && i < sizeof(dialect_words) / sizeof(dialect_words[0]); i++)
		if (!strcmp(word, dialect_words[i].word))
			return dialect_words[i].name;
	return NULL;
}

const rt_driver *rt_driver_at(size_t i)
{
	return i < NDRIVERS ? drivers[i] : NULL;
}

const rt_driver *rt_driver_lookup(const char *scheme)
{
	size_t i;

	for (i = 0; scheme && i < NDRIVERS; i++)
		if (!strcmp(scheme, drivers[i]->scheme))
			return drivers[i];
	return NULL;
}

const rt_driver *rt_driver_lookup_named(const char *dialect)
{
	const char *name = rt_dialect_canonical(dialect);
	size_t i;

	for (i = 0; name && i < NDRIVERS; i++)
		if (!strcmp(name, drivers[i]->name))
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
	const rt_driver *d = rt_driver_lookup_named(dialect);
	const char *name = rt_dialect_canonical(dialect);
	size_t i;

	*out = NULL;
	if (d) {
		if (ready(d, err) < 0)
			return RETORT_ERROR;
		*out = d;
		return 0;
	}
	rt_error(err, RETORT_EUSAGE, "unknown dialect '%s' (", name ? name : dialect);
	for (i = 0; i < NDRIVERS; i++)
		rt_buf_printf(err, "%s%s", i ? " or " : "", drivers[i]->name);
	rt_buf_putc(err, ')');
	return RETORT_EUSAGE;
}

int rt_script_check_dialects(rt_script *s, rt_buf *err)
{
	return rt_script_resolve_dialects(s, rt_dialect_canonical, err);
}

int rt_script_parse_checked(rt_script *out, const char *path, const char *text, size_t len,
			    rt_buf *err)
{
	int rc = rt_script_parse(out, path, text, len, 0, err);

	if (rc >= 0 && (rc = rt_script_check_dialects(out, err)) < 0)
		rt_script_release(out);
	return rc;
}

int rt_rev_load_checked(rt_script *out, const rt_graph *g, const rt_rev *rev, rt_buf *err)
{
	int rc = rt_graph_script(g, rev, out, err);

	if (rc >= 0 && (rc = rt_script_check_dialects(out, err)) < 0)
		rt_script_release(out);
	return rc;
}

const char *const *retort_dialects(void)
{
	static const char *const names[] = {
		"sqlite",
#ifdef RETORT_WITH_PG
		"postgresql",
#endif
		NULL
	};

	return names;
}

int retort_has_dialect(const char *dialect)
{
	const rt_driver *d = rt_driver_lookup_named(dialect);
	rt_buf ignored = RT_BUF_INIT;
	int usable = d && ready(d, &ignored) >= 0;

	rt_buf_release(&ignored);
	return usable;
}

int retort_global_init(void)
{
	return rt_sqlite_global_init();
}
