/*
 * fuzz_words.c - libFuzzer target for schema_command's word splitting
 * (rt_split_words).
 *
 * Any bytes: the split must not crash, and an error must say why.  A
 * split that succeeds must round-trip: each word written back in single
 * quotes (a ' inside as '\'' ) and split again gives the same words.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quote(rt_buf *out, const char *w)
{
	rt_buf_putc(out, '\'');
	for (; *w; w++) {
		if (*w == '\'')
			rt_buf_puts(out, "'\\''");
		else
			rt_buf_putc(out, *w);
	}
	rt_buf_puts(out, "' ");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	rt_strlist first = { 0 }, again = { 0 };
	rt_buf err = RT_BUF_INIT, back = RT_BUF_INIT;
	size_t i;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (rt_split_words(&first, text, &err) < 0) {
		if (!err.ptr || !*err.ptr)
			abort();
		goto done;
	}
	for (i = 0; i < first.count; i++)
		quote(&back, first.items[i]);
	rt_buf_clear(&err);
	if (rt_split_words(&again, back.ptr ? back.ptr : "", &err) < 0 || again.count != first.count)
		abort();
	for (i = 0; i < first.count; i++)
		if (strcmp(first.items[i], again.items[i]))
			abort();
done:
	rt_strlist_release(&first);
	rt_strlist_release(&again);
	rt_buf_release(&err);
	rt_buf_release(&back);
	free(text);
	return 0;
}
