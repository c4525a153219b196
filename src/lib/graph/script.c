/*
 * script.c - migration files: the comment header (message, revision,
 * down_revision, ...) and the "-- +upgrade" / "-- +downgrade" sections
 * (DESIGN.md section 3), plus the slug and file name of a new revision.
 *
 * The parser never copies the SQL: a section is an offset and a length
 * into the script's text, so that statement errors can point at the
 * file's own lines.  A header-only load reads just enough of the file to
 * reach the first section marker, because listing commands load every
 * file of the versions folder.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <unicase.h>
#include <unictype.h>
#include <unistr.h>

#include "rt.h"

/* How much a header-only load reads at a time. */
#define HEADER_CHUNK 4096

/* Bounds on a file_template field's width and precision, so that a typo
 * such as %(rev)99999999s cannot ask for gigabytes. */
#define TEMPLATE_MAX_WIDTH 255

enum key {
	KEY_REVISION,
	KEY_DOWN_REVISION,
	KEY_BRANCH_LABELS,
	KEY_DEPENDS_ON,
	KEY_CREATE_DATE,
	KEY__COUNT
};

static const char *const key_names[KEY__COUNT] = {
	/* KEY_REVISION */      "revision",
	/* KEY_DOWN_REVISION */ "down_revision",
	/* KEY_BRANCH_LABELS */ "branch_labels",
	/* KEY_DEPENDS_ON */    "depends_on",
	/* KEY_CREATE_DATE */   "create_date",
};

/* Header spellings, ours first and then the ones of Alembic's docstring,
 * so that files converted from Alembic need no editing. */
#define HEADER_KEY(name, key) { name, sizeof(name) - 1, key }
static const struct {
	const char *name;
	size_t len;
	enum key key;
} header_keys[] = {
	HEADER_KEY("revision", KEY_REVISION),
	HEADER_KEY("down_revision", KEY_DOWN_REVISION),
	HEADER_KEY("branch_labels", KEY_BRANCH_LABELS),
	HEADER_KEY("depends_on", KEY_DEPENDS_ON),
	HEADER_KEY("create_date", KEY_CREATE_DATE),
	HEADER_KEY("Revision ID", KEY_REVISION),
	HEADER_KEY("Revises", KEY_DOWN_REVISION),
	HEADER_KEY("Create Date", KEY_CREATE_DATE),
};

/* One line of the text: `p`/`len` without the "\n" and a "\r" before it;
 * `start` and `next` are offsets of its first byte and of the next line. */
typedef struct line {
	const char *p;
	size_t len;
	size_t start;
	size_t next;
	int no;
} line;

typedef struct parser {
	const char *path;
	const char *text;
	size_t len;
	size_t pos;
	int lineno;
	rt_buf *err;
	rt_script *s;
} parser;

/* ---- the header's strings ---------------------------------------------------- */

/* A chain of blocks that only grow; a string never moves once placed.
 * The first block is sized from the text (parse() reserves it), so a
 * header takes one allocation. */
struct rt_strblock {
	rt_strblock *next;
	size_t used, cap;
	char data[];
};

#define STRBLOCK_MIN 256

/* Room for `n` more bytes in a new block, before anything is placed. */
static int block_reserve(rt_script *s, size_t n)
{
	rt_strblock *b = malloc(sizeof(*b) + n);

	if (!b)
		return RETORT_ERROR;
	b->next = s->strings;
	b->cap = n;
	b->used = 0;
	s->strings = b;
	return 0;
}

static void *block_alloc(rt_script *s, size_t n, size_t align)
{
	rt_strblock *b = s->strings;
	size_t at;

	if (b) {
		at = (b->used + align - 1) & ~(align - 1);
		if (at + n <= b->cap) {
			b->used = at + n;
			return b->data + at;
		}
	}
	at = n > STRBLOCK_MIN ? n : STRBLOCK_MIN;
	if (!(b = malloc(sizeof(*b) + at)))
		return NULL;
	b->next = s->strings;
	b->cap = at;
	b->used = n;
	s->strings = b;
	return b->data; /* malloc's alignment suits any item */
}

static char *block_strndup(rt_script *s, const char *p, size_t n)
{
	char *d = block_alloc(s, n + 1, 1);

	if (d) {
		memcpy(d, p, n);
		d[n] = '\0';
	}
	return d;
}

/* The array of a header list of `n` (> 0) items, for the caller to fill
 * and then view: the items are counted first, so it is placed once, at
 * its size. */
static const char **block_array(rt_script *s, size_t n)
{
	return block_alloc(s, n * sizeof(const char *), sizeof(void *));
}

static void block_free(rt_strblock *b)
{
	while (b) {
		rt_strblock *next = b->next;
		free(b);
		b = next;
	}
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static int is_alnum(char c)
{
	return is_lower(c) || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static char to_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static size_t skip_bom(const char *text, size_t len)
{
	return (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) ? 3 : 0;
}

static int next_line(parser *ps, line *l)
{
	const char *nl;
	size_t end;

	if (ps->pos >= ps->len)
		return 0;
	l->start = ps->pos;
	nl = memchr(ps->text + ps->pos, '\n', ps->len - ps->pos);
	end = nl ? (size_t)(nl - ps->text) : ps->len;
	l->next = nl ? end + 1 : end;
	l->p = ps->text + l->start;
	l->len = end - l->start;
	if (l->len && l->p[l->len - 1] == '\r')
		l->len--;
	l->no = ++ps->lineno;
	ps->pos = l->next;
	return 1;
}

static void trim(const char **p, size_t *n)
{
	while (*n && is_ws(**p)) {
		(*p)++;
		(*n)--;
	}
	while (*n && is_ws((*p)[*n - 1]))
		(*n)--;
}

static int is_blank(const char *p, size_t n)
{
	trim(&p, &n);
	return n == 0;
}

/* A comment line, "--" after optional blanks. */
static int is_comment(const char *p, size_t n)
{
	trim(&p, &n);
	return n >= 2 && p[0] == '-' && p[1] == '-';
}

/* RT_UP or RT_DOWN if the line is a section marker ("-- +upgrade" at the
 * start of the line, then a blank or the end); *opts is what follows. */
static int marker(const char *p, size_t n, size_t *opts)
{
	static const struct {
		const char *word;
		int direction;
	} markers[] = {
		{ "-- +upgrade", RT_UP },
		{ "-- +downgrade", RT_DOWN },
	};
	size_t i;

	if (n < 4 || memcmp(p, "-- +", 4))
		return 0;
	for (i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
		size_t wl = strlen(markers[i].word);

		if (n >= wl && !memcmp(p, markers[i].word, wl) && (n == wl || is_ws(p[wl]))) {
			*opts = wl;
			return markers[i].direction;
		}
	}
	return 0;
}

/* "-- +unfinished REASON" at the start of a line in a section: the
 * section is a placeholder (retort import writes one for a migration it
 * could not turn into SQL) and no run may take it for done.  Old versions
 * of retort read it as a comment, which is why it is one.  *reason is the
 * offset of what follows the word. */
static int unfinished_mark(const char *p, size_t n, size_t *reason)
{
	static const char word[] = "-- +unfinished";
	size_t wl = sizeof(word) - 1;

	if (n < wl || memcmp(p, word, wl) || (n > wl && !is_ws(p[wl])))
		return 0;
	*reason = wl;
	return 1;
}

/* A line that was surely meant as a marker but is not one: "--+upgrade",
 * "--  +downgrade", "-- +Downgrade", an indented marker.  Taking it for a
 * comment would run the downgrade SQL as part of the upgrade. */
static const char *near_marker(const char *p, size_t n)
{
	static const char *const words[] = { "upgrade", "downgrade" };
	static const char *const fixes[] = { "-- +upgrade", "-- +downgrade" };
	size_t i, j;

	trim(&p, &n);
	if (n < 2 || p[0] != '-' || p[1] != '-')
		return NULL;
	p += 2;
	n -= 2;
	while (n && is_ws(*p)) {
		p++;
		n--;
	}
	if (!n || *p != '+')
		return NULL;
	p++;
	n--;
	for (i = 0; i < 2; i++) {
		size_t wl = strlen(words[i]);

		if (n < wl || (n > wl && !is_ws(p[wl])))
			continue;
		for (j = 0; j < wl && to_lower(p[j]) == words[i][j]; j++)
			;
		if (j == wl)
			return fixes[i];
	}
	return NULL;
}

/* The words of the target grammar (target.c): a revision or label spelt
 * like one could never be named, "upgrade head" would mean the keyword. */
static int target_word(const char *s)
{
	return !strcmp(s, "head") || !strcmp(s, "heads") || !strcmp(s, "base") ||
	       !strcmp(s, "current");
}

const char *rt_id_problem(const char *s)
{
	const char *p;

	if (!*s)
		return "it is empty";
	for (p = s; *p; p++)
		if (!is_alnum(*p) && *p != '_')
			return "only letters, digits and '_' are allowed";
	if (target_word(s))
		return "it is a target keyword";
	return NULL;
}

const char *rt_label_problem(const char *s)
{
	const char *p;

	if (!*s)
		return "it is empty";
	for (p = s; *p; p++)
		if (!is_alnum(*p) && *p != '_' && *p != '.' && *p != '-')
			return "only letters, digits, '_', '.' and '-' are allowed";
	if (target_word(s))
		return "it is a target keyword";
	/* "-2" is a relative target, "-x" an option on the command line */
	if (*s == '-')
		return "it starts with '-'";
	return NULL;
}

static int valid_id(const char *s)
{
	return !rt_id_problem(s);
}

static int valid_label(const char *s)
{
	return !rt_label_problem(s);
}

static int oom(parser *ps)
{
	return rt_error(ps->err, RETORT_ERROR, "out of memory parsing '%s'", ps->path);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Split a list value and check each item. */
static int parse_list(parser *ps, rt_strview *out, enum key key, const char *value,
		      size_t vlen, int no, const char *revision)
{
	const char *p, *end = value + vlen;
	const char **items, **sorted = NULL;
	size_t i, n, count = 0;
	int rc = 0;

	for (p = value; (n = rt_list_item(&p, end)) != 0; p += n)
		count++;
	if (!count)
		return 0;
	if (!(items = block_array(ps->s, count)))
		return oom(ps);
	for (i = 0, p = value; (n = rt_list_item(&p, end)) != 0; p += n)
		if (!(items[i++] = block_strndup(ps->s, p, n)))
			return oom(ps);
	out->items = items;
	out->count = count;
	for (i = 0; i < out->count; i++) {
		const char *item = out->items[i], *why;

		if (key == KEY_BRANCH_LABELS) {
			if ((why = rt_label_problem(item)))
				return rt_error(ps->err, RETORT_EINVALID,
						"%s:%d: bad branch label '%s' (%s)", ps->path, no,
						item, why);
		} else if ((why = rt_id_problem(item))) {
			return rt_error(ps->err, RETORT_EINVALID,
					"%s:%d: bad revision id '%s' in '%s' (%s)", ps->path, no,
					item, key_names[key], why);
		} else if (revision && !strcmp(item, revision)) {
			return rt_error(ps->err, RETORT_EINVALID,
					"%s:%d: revision '%s' lists itself in '%s'", ps->path,
					no, item, key_names[key]);
		}
	}
	/* duplicates by sorting a copy, not by comparing every pair: a
	 * generated merge may list a great many ids */
	if (out->count < 2)
		return 0;
	if (!(sorted = malloc(out->count * sizeof(*sorted))))
		return oom(ps);
	memcpy(sorted, out->items, out->count * sizeof(*sorted));
	qsort(sorted, out->count, sizeof(*sorted), cmp_str);
	for (i = 1; i < out->count; i++) {
		if (!strcmp(sorted[i - 1], sorted[i])) {
			rc = rt_error(ps->err, RETORT_EINVALID, "%s:%d: '%s' given twice in '%s'",
				      ps->path, no, sorted[i], key_names[key]);
			break;
		}
	}
	free(sorted);
	return rc;
}

/* If the comment text `p`/`n` is "KEY: VALUE" for a known key, return the
 * key and set the trimmed value; otherwise -1. */
static int header_key(const char *p, size_t n, const char **value, size_t *vlen)
{
	size_t i;

	for (i = 0; i < sizeof(header_keys) / sizeof(header_keys[0]); i++) {
		size_t kl = header_keys[i].len, k;

		if (n < kl || p[0] != header_keys[i].name[0] || memcmp(p, header_keys[i].name, kl))
			continue;
		for (k = kl; k < n && is_ws(p[k]); k++)
			;
		if (k == n || p[k] != ':')
			continue;
		*value = p + k + 1;
		*vlen = n - k - 1;
		trim(value, vlen);
		return (int)header_keys[i].key;
	}
	return -1;
}

/* Read the header up to the first marker (left in *first, or first->p NULL
 * at the end of the text). */
static int parse_header(rt_script *s, parser *ps, line *first)
{
	int key_line[KEY__COUNT] = { 0 };
	rt_buf doc = RT_BUF_INIT;
	line l;
	int seen_key = 0, rc = 0;

	first->p = NULL;
	while (next_line(ps, &l)) {
		const char *p = l.p, *kp, *value, *fix;
		size_t n = l.len, kn, vlen, opts;
		char *v;
		int key;

		if (memchr(p, '\0', n)) {
			rc = rt_error(ps->err, RETORT_EINVALID, "%s:%d: NUL byte in the header",
				      ps->path, l.no);
			goto done;
		}
		if (marker(p, n, &opts)) {
			*first = l;
			break;
		}
		if ((fix = near_marker(p, n))) {
			rc = rt_error(ps->err, RETORT_EINVALID,
				      "%s:%d: malformed section marker '%.*s' (write '%s')",
				      ps->path, l.no, (int)n, p, fix);
			goto done;
		}
		if (is_blank(p, n))
			continue;
		if (!is_comment(p, n)) {
			rc = rt_error(ps->err, RETORT_EINVALID,
				      "%s:%d: SQL before the first '-- +upgrade' marker",
				      ps->path, l.no);
			goto done;
		}
		/* the comment's text: after "--" and one blank, right-trimmed
		 * (a doc line keeps any further indentation) */
		trim(&p, &n);
		p += 2;
		n -= 2;
		if (n && is_ws(*p)) {
			p++;
			n--;
		}
		kp = p;
		kn = n;
		trim(&kp, &kn);
		if ((key = header_key(kp, kn, &value, &vlen)) < 0) {
			/* text after the first key is a plain comment */
			if (seen_key || !kn)
				continue;
			while (is_ws(p[n - 1]))
				n--;
			if (!s->message) {
				if (!(s->message = block_strndup(s, kp, kn))) {
					rc = oom(ps);
					goto done;
				}
			} else {
				if (doc.len)
					rt_buf_putc(&doc, '\n');
				rt_buf_put(&doc, p, n);
			}
			continue;
		}
		seen_key = 1;
		if (key_line[key]) {
			rc = rt_error(ps->err, RETORT_EINVALID,
				      "%s:%d: '%s' given twice in the header (first on line %d)",
				      ps->path, l.no, key_names[key], key_line[key]);
			goto done;
		}
		key_line[key] = l.no;
		switch ((enum key)key) {
		case KEY_REVISION:
		case KEY_CREATE_DATE:
			if (!(v = block_strndup(s, value, vlen))) {
				rc = oom(ps);
				goto done;
			}
			if (key == KEY_CREATE_DATE) {
				s->create_date = v;
				break;
			}
			s->revision = v;
			if ((fix = rt_id_problem(v))) {
				rc = rt_error(ps->err, RETORT_EINVALID,
					      "%s:%d: bad revision id '%s' (%s)", ps->path, l.no, v,
					      fix);
				goto done;
			}
			/* a down_revision seen before could not be checked against it */
			if (rt_strview_has(&s->down_revisions, v)) {
				rc = rt_error(ps->err, RETORT_EINVALID,
					      "%s:%d: revision '%s' lists itself in 'down_revision'",
					      ps->path, key_line[KEY_DOWN_REVISION], v);
				goto done;
			}
			if (rt_strview_has(&s->depends_on, v)) {
				rc = rt_error(ps->err, RETORT_EINVALID,
					      "%s:%d: revision '%s' lists itself in 'depends_on'",
					      ps->path, key_line[KEY_DEPENDS_ON], v);
				goto done;
			}
			break;
		case KEY_DOWN_REVISION:
			rc = parse_list(ps, &s->down_revisions, KEY_DOWN_REVISION, value, vlen,
					l.no, s->revision);
			break;
		case KEY_DEPENDS_ON:
			rc = parse_list(ps, &s->depends_on, KEY_DEPENDS_ON, value, vlen, l.no,
					s->revision);
			break;
		case KEY_BRANCH_LABELS:
			rc = parse_list(ps, &s->branch_labels, KEY_BRANCH_LABELS, value, vlen, l.no,
					NULL);
			break;
		default:
			break;
		}
		if (rc < 0)
			goto done;
	}
	if (!s->revision) {
		rc = rt_error(ps->err, RETORT_EINVALID, "%s: no 'revision' in the header", ps->path);
		goto done;
	}
	/* a file cut short before its first marker would run as nothing and
	 * be recorded as applied; an empty "-- +upgrade" section is fine */
	if (!first->p) {
		rc = rt_error(ps->err, RETORT_EINVALID, "%s:%d: the file ends before its "
			      "'-- +upgrade' section marker (cut short?)", ps->path,
			      ps->lineno ? ps->lineno : 1);
		goto done;
	}
	if (!s->message)
		s->message = block_strndup(s, "", 0);
	if (!s->create_date)
		s->create_date = block_strndup(s, "", 0);
	s->doc = block_strndup(s, doc.ptr, doc.len);
	if (!s->message || !s->create_date || !s->doc)
		rc = oom(ps);
done:
	rt_buf_release(&doc);
	return rc;
}

static const char *section_name(int direction)
{
	return direction == RT_UP ? "-- +upgrade" : "-- +downgrade";
}

/* A marker word that is no option but is spelt like a dialect's name: a
 * lower-case word.  Which dialects there are is not the file format's
 * knowledge but the driver registry's (rt_script_resolve_dialects). */
static int dialect_word(const char *p, size_t n)
{
	size_t i;

	if (!n || !is_lower(*p))
		return 0;
	for (i = 1; i < n; i++)
		if (!is_lower(p[i]) && !(p[i] >= '0' && p[i] <= '9') && p[i] != '_')
			return 0;
	return 1;
}

static int duplicate_section(rt_buf *err, const char *path, const rt_section *sec,
			     const rt_section *first)
{
	/* a body starts on the line after its marker */
	return rt_error(err, RETORT_EINVALID, "%s:%d: duplicate '%s%s%s' section (first on line %d)",
			path, sec->line - 1, section_name(sec->direction), sec->dialect ? " " : "",
			sec->dialect ? sec->dialect : "", first->line - 1);
}

/* Parse a marker line's options and append its (still empty) section.
 * Its dialect words are kept as written, one blank between, for
 * rt_script_resolve_dialects. */
static int add_section(rt_script *s, parser *ps, const line *l, size_t *cap)
{
	rt_section sec = { 0 };
	rt_buf words = RT_BUF_INIT;
	size_t i, opts;

	sec.direction = marker(l->p, l->len, &opts);
	sec.transactional = 1;
	sec.offset = l->next;
	sec.line = l->no + 1;
	i = opts;
	while (i < l->len) {
		const char *tok;
		size_t n;

		while (i < l->len && is_ws(l->p[i]))
			i++;
		tok = l->p + i;
		while (i < l->len && !is_ws(l->p[i]))
			i++;
		n = (size_t)(l->p + i - tok);
		if (!n)
			break;
		if (n == 17 && !memcmp(tok, "transaction=false", 17)) {
			sec.transactional = 0;
		} else if (n == 16 && !memcmp(tok, "transaction=true", 16)) {
			sec.transactional = 1;
		} else if (n == 16 && !memcmp(tok, "foreign_keys=off", 16)) {
			sec.foreign_keys_off = 1;
		} else if (n == 15 && !memcmp(tok, "foreign_keys=on", 15)) {
			sec.foreign_keys_off = 0;
		} else if (dialect_word(tok, n)) {
			if (words.len)
				rt_buf_putc(&words, ' ');
			rt_buf_put(&words, tok, n);
		} else {
			rt_buf_release(&words);
			return rt_error(ps->err, RETORT_EINVALID,
					"%s:%d: unknown section option '%.*s'", ps->path, l->no,
					(int)n, tok);
		}
	}
	/* a plain section twice; two of one dialect are found once the
	 * dialects are known */
	for (i = 0; !words.len && i < s->nsections; i++) {
		const rt_section *o = &s->sections[i];

		if (o->direction == sec.direction && !o->dialect) {
			rt_buf_release(&words);
			return duplicate_section(ps->err, ps->path, &sec, o);
		}
	}
	if (s->nsections == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		rt_section *ns = realloc(s->sections, ncap * sizeof(*ns));

		if (!ns) {
			rt_buf_release(&words);
			return oom(ps);
		}
		s->sections = ns;
		*cap = ncap;
	}
	if (rt_buf_oom(&words)) {
		rt_buf_release(&words);
		return oom(ps);
	}
	if (words.len)
		sec.dialect = rt_buf_detach(&words);
	s->sections[s->nsections++] = sec;
	return 0;
}

/* Split the rest of the text into sections, starting at the marker `l`. */
static int parse_sections(rt_script *s, parser *ps, line l)
{
	size_t cap = 0, opts, i;
	int rc;

	if ((rc = add_section(s, ps, &l, &cap)) < 0)
		return rc;
	while (next_line(ps, &l)) {
		const char *fix;

		/* SQLite's prepare stops at a NUL and libpq sends the text up
		 * to it: the rest of the section would silently not run */
		if (memchr(l.p, '\0', l.len))
			return rt_error(ps->err, RETORT_EINVALID,
					"%s:%d: NUL byte in the file (binary or damaged?)",
					ps->path, l.no);
		if (marker(l.p, l.len, &opts)) {
			rt_section *prev = &s->sections[s->nsections - 1];

			prev->len = l.start - prev->offset;
			if ((rc = add_section(s, ps, &l, &cap)) < 0)
				return rc;
		} else if ((fix = near_marker(l.p, l.len))) {
			return rt_error(ps->err, RETORT_EINVALID,
					"%s:%d: malformed section marker '%.*s' (write '%s')",
					ps->path, l.no, (int)l.len, l.p, fix);
		} else if (unfinished_mark(l.p, l.len, &opts)) {
			rt_section *sec = &s->sections[s->nsections - 1];
			const char *why = l.p + opts;
			size_t wn = l.len - opts;

			/* the first mark is the one reported */
			if (!sec->unfinished) {
				trim(&why, &wn);
				sec->unfinished = l.no;
				sec->reason = (size_t)(why - ps->text);
				sec->reason_len = wn;
			}
		}
	}
	s->sections[s->nsections - 1].len = ps->len - s->sections[s->nsections - 1].offset;
	for (i = 0; i < s->nsections; i++)
		if (s->sections[i].direction == RT_UP)
			return 0;
	return rt_error(ps->err, RETORT_EINVALID, "%s:%d: no '-- +upgrade' section (the first "
			"marker is '-- +downgrade')", ps->path, s->sections[0].line - 1);
}

/* Parse `text`; a full parse takes ownership of `owned` (the same bytes,
 * NUL-terminated) or copies `text` when `owned` is NULL. */
static int parse(rt_script *out, const char *path, char *owned, const char *text,
		 size_t len, int header_only, rt_buf *err)
{
	parser ps;
	line first;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&ps, 0, sizeof(ps));
	ps.path = path ? path : "<input>";
	ps.text = text;
	ps.len = len;
	ps.err = err;
	ps.pos = skip_bom(text, len);
	ps.s = out;
	/* the header's strings are pieces of its text (about half of it is
	 * the keys and "--" of its lines), and the lists' arrays a few
	 * pointers each: a block this size holds a usual header */
	if (block_reserve(out, strlen(ps.path) + (len < 1024 ? len : 1024) / 2 + 96) < 0 ||
	    !(out->path = block_strndup(out, ps.path, strlen(ps.path)))) {
		rc = oom(&ps);
		goto fail;
	}
	if ((rc = parse_header(out, &ps, &first)) < 0)
		goto fail;
	if (header_only) {
		free(owned);
		return 0;
	}
	if (!owned && !(owned = rt_strndup(text, len))) {
		rc = oom(&ps);
		goto fail;
	}
	out->text = owned;
	out->text_len = len;
	owned = NULL;
	/* offsets were computed on `text`; they are the same in the copy */
	if (first.p && (rc = parse_sections(out, &ps, first)) < 0)
		goto fail;
	return 0;
fail:
	free(owned);
	rt_script_release(out);
	return rc;
}

int rt_script_parse(rt_script *out, const char *path, const char *text, size_t len,
		    int header_only, rt_buf *err)
{
	return parse(out, path, NULL, text ? text : "", text ? len : 0, header_only, err);
}

/* The header line that starts at `p` (`n` bytes, no newline) ends what a
 * header-only load needs: a marker, or text the parser will reject. */
static int ends_header(const char *p, size_t n)
{
	size_t opts;

	if (n && p[n - 1] == '\r')
		n--;
	return marker(p, n, &opts) || !(is_blank(p, n) || is_comment(p, n));
}

/* Read `path` until the first complete line that ends the header, or the
 * end of the file; *text_len counts the bytes up to the end of that line.  The bytes go to `stack` (HEADER_CHUNK + 1 bytes) while
 * they fit, and only a longer header moves to the heap (*heap, which the
 * caller frees): listing commands read thousands of headers, and a malloc
 * and free of a page-sized buffer per file showed in their profile.  *text
 * points at whichever holds the bytes. */
static int read_header(const char **text, size_t *text_len, char **heap, char *stack,
		       int dirfd, const char *name, const char *path, rt_buf *err)
{
	rt_buf b = RT_BUF_INIT;
	char *buf = stack;
	size_t len = 0, scan = 0, end = (size_t)-1;
	int fd, rc = 0;

	*text = NULL;
	*heap = NULL;
	if ((rc = rt_open_regular(&fd, dirfd, name, path, RT_FILE_MAX, err)) < 0)
		return rc;
	for (;;) {
		const char *nl;
		size_t want = HEADER_CHUNK;
		ssize_t n;

		if (buf == stack && len < HEADER_CHUNK) {
			want = HEADER_CHUNK - len;
		} else {
			if (buf == stack)
				rt_buf_put(&b, stack, len);
			rt_buf_grow(&b, HEADER_CHUNK);
			if (rt_buf_oom(&b))
				break;
			buf = b.ptr;
		}
		n = rt_read_some(fd, buf + len, want);
		if (n < 0) {
			rc = rt_error(err, RETORT_ERROR, "cannot read '%s': %s", path,
				      strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		/* the file may have grown since it was opened */
		if (len > RT_FILE_MAX) {
			rc = rt_error(err, RETORT_EINVALID, "'%s' is too large (more than %d MiB)",
				      path, RT_FILE_MAX >> 20);
			goto done;
		}
		if (buf != stack)
			b.len = len;
		if (!scan)
			scan = skip_bom(buf, len);
		while ((nl = memchr(buf + scan, '\n', len - scan))) {
			size_t start = scan;

			scan = (size_t)(nl - buf) + 1;
			if (ends_header(buf + start, (size_t)(nl - buf) - start)) {
				end = scan;
				goto done;
			}
		}
	}
done:
	close(fd);
	if (!rc && rt_buf_oom(&b))
		rc = rt_error(err, RETORT_ERROR, "out of memory reading '%s'", path);
	if (!rc) {
		if (end < len)
			len = end;
		*text_len = len;
		buf[len] = '\0';
		if (buf == stack) {
			*text = stack;
		} else {
			*text = *heap = rt_buf_detach(&b);
		}
	}
	rt_buf_release(&b);
	return rc;
}

int rt_script_load(rt_script *out, const char *path, int header_only, rt_buf *err)
{
	return rt_script_load_at(out, AT_FDCWD, path, path, header_only, err);
}

static int load_header(rt_script *out, int dirfd, const char *name, const char *path,
		       rt_buf *err)
{
	char stack[HEADER_CHUNK + 1], *heap;
	const char *head;
	size_t len = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = read_header(&head, &len, &heap, stack, dirfd, name, path, err)) < 0)
		return rc;
	/* a header-only parse keeps nothing of the text */
	rc = parse(out, path, NULL, head, len, 1, err);
	free(heap);
	return rc;
}

int rt_script_load_at(rt_script *out, int dirfd, const char *name, const char *path,
		      int header_only, rt_buf *err)
{
	char *text;
	size_t len = 0;
	int rc;

	if (header_only)
		return load_header(out, dirfd, name, path, err);
	memset(out, 0, sizeof(*out));
	if ((rc = rt_read_file_at(&text, &len, dirfd, name, path, err)) < 0)
		return rc;
	return parse(out, path, text, text, len, 0, err);
}

/* ---- the header cache's form ---------------------------------------------- */

/*
 * revision, create_date, message, doc, then the down_revision, branch_labels
 * and depends_on items joined by ',' (no id or label holds one), each
 * field ended by a NUL (no header holds one either).
 */
#define PACKED_FIELDS 7

static void pack_list(rt_buf *out, const rt_strview *l)
{
	size_t i;

	for (i = 0; i < l->count; i++) {
		if (i)
			rt_buf_putc(out, ',');
		rt_buf_puts(out, l->items[i]);
	}
	rt_buf_put(out, "", 1);
}

void rt_script_pack(rt_buf *out, const rt_script *s)
{
	rt_buf_put(out, s->revision, strlen(s->revision) + 1);
	rt_buf_put(out, s->create_date, strlen(s->create_date) + 1);
	rt_buf_put(out, s->message, strlen(s->message) + 1);
	rt_buf_put(out, s->doc, strlen(s->doc) + 1);
	pack_list(out, &s->down_revisions);
	pack_list(out, &s->branch_labels);
	pack_list(out, &s->depends_on);
}

static int unpack_list(rt_script *s, rt_strview *l, const char *p, int labels)
{
	const char **items, *q;
	size_t i, count = 1;

	if (!*p)
		return 0;
	for (q = p; *q; q++)
		count += *q == ',';
	if (!(items = block_array(s, count)))
		return -1;
	for (i = 0; i < count; i++) {
		size_t n = strcspn(p, ",");

		/* an empty item: ",a", "a,,b" or "a," */
		if (!n || !(items[i] = block_strndup(s, p, n)) ||
		    !(labels ? valid_label : valid_id)(items[i]))
			return -1;
		p += n + (p[n] == ',');
	}
	l->items = items;
	l->count = count;
	return 0;
}

int rt_script_unpack(rt_script *out, const char *path, const char *blob, size_t len)
{
	const char *field[PACKED_FIELDS], *p = blob, *end = blob + len, *nul;
	size_t i, pathlen = strlen(path);

	memset(out, 0, sizeof(*out));
	for (i = 0; i < PACKED_FIELDS; i++) {
		if (p >= end || !(nul = memchr(p, '\0', (size_t)(end - p))))
			return -1;
		field[i] = p;
		p = nul + 1;
	}
	/* the strings are copied, so the block needs the blob's size and
	 * room for the lists' arrays */
	if (p != end || !valid_id(field[0]) || block_reserve(out, pathlen + 1 + len + 96) < 0)
		goto bad;
	if (!(out->path = block_strndup(out, path, pathlen)) ||
	    !(out->revision = block_strndup(out, field[0], strlen(field[0]))) ||
	    !(out->create_date = block_strndup(out, field[1], strlen(field[1]))) ||
	    !(out->message = block_strndup(out, field[2], strlen(field[2]))) ||
	    !(out->doc = block_strndup(out, field[3], strlen(field[3]))) ||
	    unpack_list(out, &out->down_revisions, field[4], 0) < 0 ||
	    unpack_list(out, &out->branch_labels, field[5], 1) < 0 ||
	    unpack_list(out, &out->depends_on, field[6], 0) < 0)
		goto bad;
	return 0;
bad:
	rt_script_release(out);
	return -1;
}

int rt_script_resolve_dialects(rt_script *s, const char *(*canonical)(const char *word),
			       rt_buf *err)
{
	rt_buf word = RT_BUF_INIT;
	size_t i, j;
	int rc = 0;

	for (i = 0; i < s->nsections && !rc; i++) {
		rt_section *sec = &s->sections[i];
		const char *p = sec->dialect, *name = NULL, *c;
		char *dup;

		if (!p)
			continue;
		/* the words in order, as the parser would have met them */
		while (*p && !rc) {
			size_t n = strcspn(p, " ");

			rt_buf_clear(&word);
			rt_buf_put(&word, p, n);
			p += n + (p[n] == ' ');
			if (rt_buf_oom(&word))
				rc = rt_error(err, RETORT_ERROR, "out of memory parsing '%s'", s->path);
			else if (!(c = canonical(word.ptr)))
				rc = rt_error(err, RETORT_EINVALID, "%s:%d: unknown section option '%s'",
					      s->path, sec->line - 1, word.ptr);
			else if (name && strcmp(name, c))
				rc = rt_error(err, RETORT_EINVALID,
					      "%s:%d: section marker names two dialects, '%s' and '%s'",
					      s->path, sec->line - 1, name, c);
			else
				name = c;
		}
		if (rc)
			break;
		if (strcmp(sec->dialect, name)) {
			if (!(dup = rt_strdup(name))) {
				rc = rt_error(err, RETORT_ERROR, "out of memory parsing '%s'", s->path);
				break;
			}
			free(sec->dialect);
			sec->dialect = dup;
		}
		for (j = 0; j < i && !rc; j++) {
			const rt_section *o = &s->sections[j];

			if (o->direction == sec->direction && o->dialect && !strcmp(o->dialect, name))
				rc = duplicate_section(err, s->path, sec, o);
		}
	}
	rt_buf_release(&word);
	return rc;
}

const rt_section *rt_script_section(const rt_script *s, int direction, const char *dialect)
{
	const rt_section *plain = NULL;
	size_t i;

	for (i = 0; i < s->nsections; i++) {
		const rt_section *sec = &s->sections[i];

		if (sec->direction != direction)
			continue;
		if (!sec->dialect)
			plain = sec;
		else if (dialect && !strcmp(sec->dialect, dialect))
			return sec;
	}
	return plain;
}

void rt_script_release(rt_script *s)
{
	size_t i;

	if (!s)
		return;
	block_free(s->strings); /* the header's strings and lists */
	free(s->text);
	for (i = 0; i < s->nsections; i++)
		free(s->sections[i].dialect);
	free(s->sections);
	memset(s, 0, sizeof(*s));
}

/*
 * The slug is built whole and cut afterwards, so that the cut never leaves
 * a separator behind.  Non-ASCII bytes are separators: a message written
 * entirely in another script gives "", and the caller picks a fallback.
 */
/* Is `uc` in Python's \w: a letter, a number or '_' (str.isalnum()) */
static int word_char(ucs4_t uc)
{
	return uc == '_' || uc_is_general_category(uc, UC_CATEGORY_L) ||
	       uc_is_general_category(uc, UC_CATEGORY_N);
}

void rt_slugify(rt_buf *out, const char *message, size_t max)
{
	const uint8_t *p = (const uint8_t *)message, *end;
	rt_buf words = RT_BUF_INIT;
	uint8_t *lower;
	size_t start = out->len, len = 0, chars = 0, cut, i;
	int between = 0, n;

	if (!message)
		return;
	/* the words, as re.findall(r"\w+") finds them, joined by '_' */
	for (end = p + strlen(message); p < end; ) {
		ucs4_t uc;

		n = u8_mbtouc(&uc, p, (size_t)(end - p)); /* bad bytes: U+FFFD, no word */
		if (word_char(uc)) {
			if (between && words.len)
				rt_buf_putc(&words, '_');
			rt_buf_put(&words, (const char *)p, (size_t)n);
			between = 0;
		} else {
			between = 1;
		}
		p += n;
	}
	if (!words.len || rt_buf_oom(&words))
		goto done;
	/* str.lower(): full case mapping, in Unicode's default form */
	if (!(lower = u8_tolower((const uint8_t *)words.ptr, words.len, NULL, NULL, NULL, &len)))
		goto done;
	/* longer than `max` characters: cut there, and back to the last '_',
	 * which stays (Alembic: slug[:max].rsplit("_", 1)[0] + "_") */
	for (i = 0, cut = len; i < len; chars++) {
		if (max && chars == max) {
			cut = i;
			break;
		}
		n = u8_mblen(lower + i, len - i);
		i += n > 0 ? (size_t)n : 1;
	}
	if (cut < len) {
		size_t k = cut;
		while (k > 0 && lower[k - 1] != '_')
			k--;
		if (k > 0)
			cut = k - 1;
		rt_buf_put(out, (const char *)lower, cut);
		rt_buf_putc(out, '_');
	} else {
		rt_buf_put(out, (const char *)lower, len);
	}
	free(lower);
done:
	if (rt_buf_oom(&words))
		rt_buf_truncate(out, start);
	rt_buf_release(&words);
}

/* Python's %-formatting of one value, for the subset Alembic documents:
 * flags '-' and '0', a width, a precision, conversions s and d. */
static void format_field(rt_buf *out, int minus, int zero, int width, int prec,
			 const char *str, long long num)
{
	char digits[TEMPLATE_MAX_WIDTH + 24]; /* the precision, and a 64-bit number */
	const char *sign = "";
	size_t dlen, total, pad = 0;

	if (str) {
		size_t n = strlen(str);

		if (prec >= 0 && (size_t)prec < n)
			n = (size_t)prec;
		if (width > 0 && (size_t)width > n)
			pad = (size_t)width - n;
		while (!minus && pad) {
			rt_buf_putc(out, ' ');
			pad--;
		}
		rt_buf_put(out, str, n);
		while (pad--)
			rt_buf_putc(out, ' ');
		return;
	}
	if (num < 0)
		sign = "-";
	snprintf(digits, sizeof(digits), "%.*llu", prec,
		 num < 0 ? 0ULL - (unsigned long long)num : (unsigned long long)num);
	if (!(dlen = strlen(digits))) {
		/* C prints nothing for 0 with precision 0, Python "0" */
		digits[0] = '0';
		digits[1] = '\0';
		dlen = 1;
	}
	total = dlen + (num < 0);
	if (width > 0 && (size_t)width > total)
		pad = (size_t)width - total;
	if (minus) {
		rt_buf_puts(out, sign);
		rt_buf_put(out, digits, dlen);
		while (pad--)
			rt_buf_putc(out, ' ');
	} else if (zero) {
		rt_buf_puts(out, sign);
		while (pad--)
			rt_buf_putc(out, '0');
		rt_buf_put(out, digits, dlen);
	} else {
		while (pad--)
			rt_buf_putc(out, ' ');
		rt_buf_puts(out, sign);
		rt_buf_put(out, digits, dlen);
	}
}

/* A decimal field width or precision; -1 if too large. */
static int parse_num(const char **p)
{
	int v = 0;

	while (**p >= '0' && **p <= '9') {
		v = v * 10 + (**p - '0');
		(*p)++;
		if (v > TEMPLATE_MAX_WIDTH) {
			while (**p >= '0' && **p <= '9')
				(*p)++;
			return -1;
		}
	}
	return v;
}

/* The new file goes straight into the versions folder, which is all the
 * graph reads: a '/' could leave it ("../../x", "/etc/x") or hide it in a
 * subfolder, and a name starting with '.' is skipped as a hidden file. */
static int check_file_name(rt_buf *out, size_t start, const char *tmpl, rt_buf *err)
{
	const char *name = out->ptr + start, *why = NULL;
	size_t i, n = out->len - start;

	if (!n)
		why = "an empty name";
	else if (memchr(name, '/', n))
		why = "a '/' (files go straight into the versions folder)";
	else if (name[0] == '.')
		why = "a name starting with '.' (a hidden file, which is not read)";
	for (i = 0; !why && i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			why = "a control character";
	if (!why)
		return 0;
	if (err) {
		rt_error(err, RETORT_EUSAGE, "bad 'file_template' '%s': it makes '", tmpl);
		rt_sql_comment(err, name);
		rt_buf_printf(err, "', %s", why);
	}
	rt_buf_truncate(out, start);
	return RETORT_EUSAGE;
}

int rt_file_template(rt_buf *out, const char *tmpl, const char *rev, const char *slug,
		     long long now, rt_buf *err)
{
	static const char *const names[] = {
		"rev", "slug", "year", "month", "day", "hour", "minute", "second", "epoch"
	};
	size_t start = out->len;
	time_t t = (time_t)now;
	struct tm tm;
	const char *p = tmpl;

	if ((long long)t != now || !gmtime_r(&t, &tm))
		return rt_error(err, RETORT_EUSAGE, "bad time %lld for file_template", now);
	while (*p) {
		const char *tok = p, *name, *close;
		int minus = 0, zero = 0, width = 0, prec = -1;
		long long num = 0;
		const char *str = NULL;
		size_t i, nlen;

		if (*p != '%') {
			const char *pct = strchr(p, '%');
			size_t n = pct ? (size_t)(pct - p) : strlen(p);

			rt_buf_put(out, p, n);
			p += n;
			continue;
		}
		/* "%%(rev)s" is a token escaped for configparser, as alembic.ini
		 * writes it: the token (a '%' before a token in a file name
		 * would be no use); "%%" before anything else is a '%' */
		if (p[1] == '%' && p[2] == '(') {
			p++;
		} else if (p[1] == '%') {
			rt_buf_putc(out, '%');
			p += 2;
			continue;
		}
		if (p[1] != '(') {
			p += p[1] ? 2 : 1;
			goto bad;
		}
		name = p + 2;
		if (!(close = strchr(name, ')'))) {
			p += strlen(p);
			goto bad;
		}
		nlen = (size_t)(close - name);
		p = close + 1;
		for (;; p++) {
			if (*p == '-')
				minus = 1;
			else if (*p == '0')
				zero = 1;
			else
				break;
		}
		if ((width = parse_num(&p)) < 0)
			goto bad_conv;
		if (*p == '.') {
			p++;
			if ((prec = parse_num(&p)) < 0)
				goto bad_conv;
		}
		if (*p != 's' && *p != 'd' && *p != 'i')
			goto bad_conv;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i]) == nlen && !memcmp(names[i], name, nlen))
				break;
		switch (i) {
		case 0: str = rev ? rev : ""; break;
		case 1: str = slug ? slug : ""; break;
		case 2: num = (long long)tm.tm_year + 1900; break;
		case 3: num = tm.tm_mon + 1; break;
		case 4: num = tm.tm_mday; break;
		case 5: num = tm.tm_hour; break;
		case 6: num = tm.tm_min; break;
		case 7: num = tm.tm_sec; break;
		case 8: num = now; break;
		default: goto bad_conv;
		}
		if (str && *p != 's')
			goto bad_conv;
		p++;
		if (!str && p[-1] == 's') {
			/* Python's %s of a number formats its str() */
			char numstr[32];

			snprintf(numstr, sizeof(numstr), "%lld", num);
			format_field(out, minus, zero, width, prec, numstr, 0);
		} else {
			format_field(out, minus, zero, width, prec, str, num);
		}
		continue;
bad_conv:
		if (*p)
			p++;
bad:
		rt_buf_truncate(out, start);
		return rt_error(err, RETORT_EUSAGE, "bad file_template '%s': unknown token '%.*s'",
				tmpl, (int)(p - tok), tok);
	}
	if (rt_buf_oom(out))
		return rt_error(err, RETORT_ERROR, "out of memory");
	return check_file_name(out, start, tmpl, err);
}
