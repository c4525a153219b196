/*
 * fuzz_import.c - libFuzzer target for the readers of dbmate's and goose's
 * migration files (src/lib/import/split.c); the first byte picks the tool.
 * Any bytes: no crash, an error always has a message, and on success the
 * bodies are lines of the input (never longer than it together), the
 * markers themselves left out: no dbmate up part holds its down marker,
 * and no goose body holds an annotation that structures the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Does `b` have a line that is "--" and `word`, blanks around the word
 * aside (how both tools read a marker)? */
static int has_marker(const rt_buf *b, const char *word)
{
	const char *p = b->ptr, *end = b->ptr + b->len;
	size_t n = strlen(word);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *q = p + 2;
		const char *stop = nl ? nl : end;
		if (stop - p >= 2 && p[0] == '-' && p[1] == '-') {
			while (q < stop && (*q == ' ' || *q == '\t'))
				q++;
			while (stop > q && (stop[-1] == ' ' || stop[-1] == '\t' || stop[-1] == '\r'))
				stop--;
			if ((size_t)(stop - q) == n && !memcmp(q, word, n))
				return 1;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const goose_words[] = {
		"+goose Up", "+goose Down", "+goose StatementBegin", "+goose StatementEnd",
		"+goose NO TRANSACTION",
	};
	rt_import_body b;
	rt_buf err = RT_BUF_INIT;
	const char *text;
	int goose, rc;
	size_t i;

	if (!size)
		return 0;
	goose = data[0] & 1;
	text = (const char *)data + 1;
	size--;
	rt_import_body_init(&b);
	rc = goose ? rt_import_split_goose(&b, "f.sql", text, size, &err)
		   : rt_import_split_dbmate(&b, "f.sql", text, size, &err);
	if (rc < 0 && !err.len)
		abort();
	if (rc == 0) {
		if (b.up.len + b.down.len > size || err.len)
			abort();
		if (!goose && (!b.has_down || has_marker(&b.up, "migrate:down")))
			abort();
		for (i = 0; goose && i < sizeof(goose_words) / sizeof(goose_words[0]); i++)
			if (has_marker(&b.up, goose_words[i]) || has_marker(&b.down, goose_words[i]))
				abort();
	}
	rt_import_body_release(&b);
	rt_buf_release(&err);
	return 0;
}
