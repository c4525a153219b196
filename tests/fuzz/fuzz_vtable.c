/*
 * fuzz_vtable.c - libFuzzer target for reading a CREATE VIRTUAL TABLE
 * statement: its content= option (rt_vtable_content) and its columns
 * (rt_vtable_columns), with the SQL lexer and rt_tok_name under them.
 *
 * Any bytes: no crash, no read past the text; a name found is no longer
 * than the statement (quotes only ever come off), and reading the same
 * statement twice gives the same answer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *a, *b;
	rt_strlist cols = { 0 };
	size_t i;
	int module;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	a = rt_vtable_content(text);
	b = rt_vtable_content(text);
	if (!a != !b || (a && (strcmp(a, b) || strlen(a) > strlen(text))))
		abort();
	module = rt_vtable_columns(text, &cols);
	if (module < 0 || module > RT_VTABLE_RTREE || (!module && cols.count))
		abort();
	for (i = 0; i < cols.count; i++)
		if (strlen(cols.items[i]) > size)
			abort();
	rt_strlist_release(&cols);
	free(a);
	free(b);
	free(text);
	return 0;
}
