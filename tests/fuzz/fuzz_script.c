/*
 * fuzz_script.c - libFuzzer target for the migration file parser: any
 * bytes, header-only and full, then section selection over the result,
 * before and after the registry's check of the markers' dialects.  A full
 * parse must agree with a header-only one on the header, and a header
 * must come back whole from the header cache's packed form.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unistr.h>

#include "rt.h"
#include "driver.h"

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

/* After rt_script_check_dialects: every dialect is a dialect's own name,
 * one section at most per direction and dialect, and each name picks its
 * own section or the plain one. */
static void check_dialects(const rt_script *s)
{
	size_t i, j;

	for (i = 0; i < s->nsections; i++) {
		const rt_section *sec = &s->sections[i];
		const char *name = sec->dialect ? rt_dialect_canonical(sec->dialect) : NULL;

		if (sec->dialect && (!name || strcmp(name, sec->dialect)))
			abort();
		for (j = 0; j < i; j++)
			if (s->sections[j].direction == sec->direction &&
			    (s->sections[j].dialect ? sec->dialect &&
			     !strcmp(s->sections[j].dialect, sec->dialect) : !sec->dialect))
				abort();
		if (sec->dialect && rt_script_section(s, sec->direction, sec->dialect) != sec)
			abort();
	}
}

static int same_list(const rt_strview *a, const rt_strview *b)
{
	size_t i;

	if (a->count != b->count)
		return 0;
	for (i = 0; i < a->count; i++)
		if (strcmp(a->items[i], b->items[i]))
			return 0;
	return 1;
}

/* A parsed header survives the header cache's form unchanged. */
static void check_packed(const rt_script *s)
{
	rt_buf packed = RT_BUF_INIT;
	rt_script back;

	rt_script_pack(&packed, s);
	if (rt_script_unpack(&back, s->path, packed.ptr, packed.len) < 0 ||
	    strcmp(back.revision, s->revision) || strcmp(back.message, s->message) ||
	    strcmp(back.doc, s->doc) || strcmp(back.create_date, s->create_date) ||
	    strcmp(back.path, s->path) || !same_list(&back.down_revisions, &s->down_revisions) ||
	    !same_list(&back.branch_labels, &s->branch_labels) ||
	    !same_list(&back.depends_on, &s->depends_on))
		abort();
	rt_script_release(&back);
	rt_buf_release(&packed);
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
		rt_buf_clear(&err);
		if (rt_script_check_dialects(&full, &err) == 0) {
			check_sections(&full);
			check_dialects(&full);
		} else if (!err.len) {
			abort();
		}
	}
	if (rc_head == 0 && (head.nsections || head.text))
		abort();
	if (rc_head == 0)
		check_packed(&head);
	rt_script_release(&head);
	rt_script_release(&full);

	/* the header cache's form: any bytes either unpack into what packs
	 * back to the same bytes, or are refused */
	{
		rt_script un;
		rt_buf again = RT_BUF_INIT;

		if (rt_script_unpack(&un, "fuzz.sql", (const char *)data, size) == 0) {
			rt_script_pack(&again, &un);
			if (again.len != size || memcmp(again.ptr, data, size))
				abort();
		} else if (un.revision || un.strings) {
			abort();
		}
		rt_script_release(&un);
		rt_buf_release(&again);
	}

	/* the slug and file-name helpers take user text too */
	if (size < 4096) {
		char *str = rt_strndup((const char *)data, size);
		rt_buf out = RT_BUF_INIT;

		if (str) {
			size_t i;

			/* a slug is UTF-8 words and '_' only (nothing a path or a
			 * shell would read), at most one character past the limit */
			rt_slugify(&out, str, size % 50);
			if (out.len && u8_check((const uint8_t *)out.ptr, out.len))
				abort();
			for (i = 0; i < out.len; i++)
				if ((unsigned char)out.ptr[i] < 0x80 && out.ptr[i] != '_' &&
				    !(out.ptr[i] >= 'a' && out.ptr[i] <= 'z') &&
				    !(out.ptr[i] >= '0' && out.ptr[i] <= '9'))
					abort();
			if (size % 50 && out.len &&
			    u8_mbsnlen((const uint8_t *)out.ptr, out.len) > size % 50 + 1)
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
