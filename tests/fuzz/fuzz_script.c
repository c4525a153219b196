/*
 * fuzz_script.c - libFuzzer target for the migration file parser: any
 * bytes, header-only and full, then section selection over the result.
 * A full parse must agree with a header-only one on the header.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_sections(const rt_script *s)
{
	static const char *const dialects[] = { NULL, "sqlite", "postgresql", "postgres", "mysql" };
	size_t i, d;

	for (i = 0; i < s->nsections; i++) {
		const rt_section *sec = &s->sections[i];

		if (sec->offset > s->text_len || sec->len > s->text_len - sec->offset)
			abort();
		if (sec->direction != RT_UP && sec->direction != RT_DOWN)
			abort();
		if (sec->line < 2)
			abort();
	}
	for (d = 0; d < sizeof(dialects) / sizeof(dialects[0]); d++) {
		const rt_section *up = rt_script_section(s, RT_UP, dialects[d]);
		const rt_section *down = rt_script_section(s, RT_DOWN, dialects[d]);

		if ((up && up->direction != RT_UP) || (down && down->direction != RT_DOWN))
			abort();
		if (up && (up < s->sections || up >= s->sections + s->nsections))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rt_script head, full;
	rt_buf err = RT_BUF_INIT;
	int rc_head, rc_full;

	rc_head = rt_script_parse(&head, "fuzz.sql", (const char *)data, size, 1, &err);
	if (rc_head < 0 && (!err.len || head.revision))
		abort();
	rc_full = rt_script_parse(&full, "fuzz.sql", (const char *)data, size, 0, &err);
	if (rc_full == 0) {
		/* everything a full parse accepts, a header-only parse accepts */
		if (rc_head < 0 || strcmp(head.revision, full.revision) ||
		    strcmp(head.message, full.message) || strcmp(head.doc, full.doc) ||
		    head.down_revisions.count != full.down_revisions.count)
			abort();
		if (full.text_len != size || (size && memcmp(full.text, data, size)))
			abort();
		check_sections(&full);
	}
	if (rc_head == 0 && (head.nsections || head.text))
		abort();
	rt_script_release(&head);
	rt_script_release(&full);

	/* the slug and file-name helpers take user text too */
	if (size < 4096) {
		char *str = rt_strndup((const char *)data, size);
		rt_buf out = RT_BUF_INIT;

		if (str) {
			size_t i;

			rt_slugify(&out, str, size % 50);
			for (i = 0; i < out.len; i++)
				if (!((out.ptr[i] >= 'a' && out.ptr[i] <= 'z') ||
				      (out.ptr[i] >= '0' && out.ptr[i] <= '9') || out.ptr[i] == '_'))
					abort();
			if (out.len && (out.ptr[0] == '_' || out.ptr[out.len - 1] == '_'))
				abort();
			rt_buf_clear(&out);
			rt_file_template(&out, str, "abc123", "slug", (long long)size * 86400 * 37, &err);
			free(str);
		}
		rt_buf_release(&out);
	}
	rt_buf_release(&err);
	return 0;
}
