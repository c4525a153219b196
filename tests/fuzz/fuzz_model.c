/*
 * fuzz_model.c - libFuzzer target for the model filters (model_sqlite.c,
 * model_pg.c): a model's text, from a file or a dump tool, made ready to
 * run, and the test of whether it needs a database of its own.
 *
 * Any bytes: nothing may crash or read past the text; a filter only ever
 * blanks, so the text keeps its length and every newline stays where it
 * was (messages name the lines as written), and filtering again changes
 * nothing more.  The first byte picks the schema name the filters get.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "introspect.h"
#ifdef RETORT_WITH_PG
#include "pgapi.h"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(void (*filter)(char *, size_t, const char *), const char *in, size_t size,
		  const char *schema)
{
	char *once = malloc(size + 1), *twice = malloc(size + 1);
	size_t i;

	if (!once || !twice)
		abort();
	memcpy(once, in, size + 1);
	filter(once, size, schema);
	for (i = 0; i < size; i++)
		if ((in[i] == '\n') != (once[i] == '\n') || (once[i] != in[i] && once[i] != ' '))
			abort();
	memcpy(twice, once, size + 1);
	filter(twice, size, schema);
	if (memcmp(once, twice, size))
		abort();
	free(once);
	free(twice);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const schemas[] = { "public", "app", "Sales", NULL };
	const char *schema;
	char *text;

	if (!size)
		return 0;
	schema = schemas[data[0] % 4];
	data++, size--;
	if (!(text = malloc(size + 1)))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	check(rt_sqlite_model_filter, text, size, schema);
#ifdef RETORT_WITH_PG
	{
		static int loaded;
		rt_buf err = RT_BUF_INIT;
		if (!loaded && rt_pg_query_open(&err) < 0)
			abort();
		loaded = 1;
		rt_buf_release(&err);
		check(rt_pg_model_filter, text, size, schema);
		if (schema)
			(void)rt_pg_model_own_db(text, size, schema);
	}
#endif
	free(text);
	return 0;
}
