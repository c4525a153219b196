/*
 * pgapi.c - opening libpq and libpg_query on first use (see pgapi.h).
 * The file names are the libraries' sonames, read off the libraries the
 * build found (CMakeLists.txt), so the versions match the headers.
 */
#define RT_PGAPI_TABLES
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "pgapi.h"

rt_pq_api rt_pq;
rt_pg_query_api rt_pg_query;

typedef struct {
	const char *file;      /* the soname to dlopen */
	const char *package;   /* the Debian package that has it */
	const char *names;     /* the symbols, NUL-separated, in table order */
	void **table;
	size_t count;
	pthread_once_t once;
	char failure[512];     /* empty once loaded */
} library;

#define RT_PGAPI_NAME(fn) #fn "\0"
#define RT_PGAPI_ONE(fn) +1

static library libpq = {
	RT_LIBPQ_SONAME, "libpq5", RT_PQ_FUNCTIONS(RT_PGAPI_NAME), (void **)&rt_pq,
	0 RT_PQ_FUNCTIONS(RT_PGAPI_ONE), PTHREAD_ONCE_INIT, "",
};

static library libpg_query = {
	RT_PG_QUERY_SONAME, RT_PG_QUERY_PACKAGE, RT_PG_QUERY_FUNCTIONS(RT_PGAPI_NAME),
	(void **)&rt_pg_query, 0 RT_PG_QUERY_FUNCTIONS(RT_PGAPI_ONE), PTHREAD_ONCE_INIT, "",
};

/* load() fills a table as an array of pointers, one per name */
_Static_assert(sizeof(rt_pq_api) == (0 RT_PQ_FUNCTIONS(RT_PGAPI_ONE)) * sizeof(void *),
	       "rt_pq_api holds exactly the listed functions");
_Static_assert(sizeof(rt_pg_query_api) ==
	       (0 RT_PG_QUERY_FUNCTIONS(RT_PGAPI_ONE)) * sizeof(void *),
	       "rt_pg_query_api holds exactly the listed functions");

static void load(library *lib)
{
	const char *name = lib->names;
	void *handle = dlopen(lib->file, RTLD_NOW | RTLD_LOCAL);
	size_t i;

	if (!handle) {
		snprintf(lib->failure, sizeof(lib->failure), "%s", dlerror());
		return;
	}
	/* never closed: the table points into it until the process ends */
	for (i = 0; i < lib->count; i++, name += strlen(name) + 1) {
		void *fn = dlsym(handle, name);
		if (!fn) {
			snprintf(lib->failure, sizeof(lib->failure), "%s has no '%s'", lib->file,
				 name);
			return;
		}
		memcpy(&lib->table[i], &fn, sizeof(fn));
	}
}

static void load_libpq(void)
{
	load(&libpq);
}

static void load_libpg_query(void)
{
	load(&libpg_query);
}

static int opened(library *lib, void (*once)(void), rt_buf *err)
{
	pthread_once(&lib->once, once);
	if (!lib->failure[0])
		return 0;
	return rt_error(err, RETORT_ERROR,
			"PostgreSQL support needs %s, which cannot be loaded: %s "
			"(on Debian: apt-get install %s)", lib->file, lib->failure, lib->package);
}

int rt_pq_open(rt_buf *err)
{
	return opened(&libpq, load_libpq, err);
}

int rt_pg_query_open(rt_buf *err)
{
	return opened(&libpg_query, load_libpg_query, err);
}
