/*
 * fuzz_interp.c - libFuzzer target for ${NAME} / ${NAME:-default}
 * interpolation, with a fixed set of variables.  Any bytes, strict and
 * lenient: no crash, no unbounded recursion, an error always has a message
 * and leaves the output as it was, and text without '$' comes out as it
 * went in.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *lookup(const char *name, void *payload)
{
	static const char *const vars[][2] = {
		{ "A", "1" }, { "B", "" }, { "C", "x${A}$$" }, { "LONG", "0123456789abcdef" },
	};
	size_t i;

	(void)payload;
	if (!name[0])
		abort();
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (!strcmp(name, vars[i][0]))
			return vars[i][1];
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rt_buf out = RT_BUF_INIT, err = RT_BUF_INIT;
	char *text;
	int strict, rc;

	if (!size)
		return 0;
	strict = data[0] & 1;
	if (!(text = malloc(size)))
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';

	rt_buf_puts(&out, "pre");
	rc = rt_interpolate(&out, text, lookup, NULL, strict, "fuzz:1", &err);
	if (rc < 0) {
		if (!err.len || strcmp(out.ptr, "pre"))
			abort();
	} else {
		if (strncmp(out.ptr, "pre", 3))
			abort();
		if (!strchr(text, '$') && strcmp(out.ptr + 3, text))
			abort();
	}
	rt_buf_release(&out);
	rt_buf_release(&err);
	free(text);
	return 0;
}
