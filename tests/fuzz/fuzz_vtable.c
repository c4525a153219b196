/*
 * fuzz_vtable.c - libFuzzer target for reading the content= option out
 * of a CREATE VIRTUAL TABLE statement (rt_vtable_content, with the SQL
 * lexer and rt_tok_name under it).
 *
 * Any bytes: no crash, no read past the text; the name found is no
 * longer than the statement (quotes only ever come off), and reading the
 * same statement twice gives the same answer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *a, *b;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	a = rt_vtable_content(text);
	b = rt_vtable_content(text);
	if (!a != !b || (a && (strcmp(a, b) || strlen(a) > strlen(text))))
		abort();
	free(a);
	free(b);
	free(text);
	return 0;
}
