/*
 * split.c - dbmate's and goose's migration files split into their up and
 * down parts (import.h), following what each tool's own reader accepts:
 * a file the tool would refuse is refused here too, naming the line.
 */
#include <string.h>

#include "import.h"

void rt_import_body_init(rt_import_body *b)
{
	memset(b, 0, sizeof(*b));
	rt_buf_init(&b->up);
	rt_buf_init(&b->down);
}

void rt_import_body_release(rt_import_body *b)
{
	rt_buf_release(&b->up);
	rt_buf_release(&b->down);
	memset(b, 0, sizeof(*b));
}

/* One line of a text: [p, p + len) without its '\n' (and, for matching,
 * `bare` without a CR before it). */
typedef struct {
	const char *p;
	size_t len;   /* up to the '\n' */
	size_t bare;  /* without a trailing '\r' */
	size_t next;  /* offset of the next line */
	int no;
} line;

static int next_line(line *l, const char *text, size_t len, size_t *at)
{
	const char *nl;

	if (*at >= len)
		return 0;
	l->p = text + *at;
	nl = memchr(l->p, '\n', len - *at);
	l->len = nl ? (size_t)(nl - l->p) : len - *at;
	l->bare = l->len && l->p[l->len - 1] == '\r' ? l->len - 1 : l->len;
	*at += l->len + (nl != NULL);
	l->next = *at;
	l->no++;
	return 1;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static size_t skip_space(const char *p, size_t i, size_t n)
{
	while (i < n && is_space(p[i]))
		i++;
	return i;
}

static int blank(const line *l)
{
	return skip_space(l->p, 0, l->bare) == l->bare;
}

/* A comment line: "--" after optional blanks. */
static int comment(const line *l)
{
	size_t i = skip_space(l->p, 0, l->bare);

	return i + 1 < l->bare && l->p[i] == '-' && l->p[i + 1] == '-';
}

static int has_word(const char *p, size_t n, const char *word)
{
	size_t wl = strlen(word);

	return n >= wl && !memcmp(p, word, wl);
}

/* ---- dbmate -------------------------------------------------------------- */

/* "--", blanks, "migrate:up" or "migrate:down", then the end of the line or
 * a blank (dbmate's `^--\s*migrate:up(\s*$|\s+\S+)`): RT_UP or RT_DOWN,
 * with *opts the offset of the options in the line; 0 for any other line. */
static int dbmate_marker(const line *l, size_t *opts)
{
	static const struct { const char *word; int dir; } words[] = {
		{ "migrate:up", RT_UP }, { "migrate:down", RT_DOWN },
	};
	size_t i, k;

	if (l->bare < 2 || l->p[0] != '-' || l->p[1] != '-')
		return 0;
	i = skip_space(l->p, 2, l->bare);
	for (k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		size_t wl = strlen(words[k].word);
		if (has_word(l->p + i, l->bare - i, words[k].word) &&
		    (i + wl == l->bare || is_space(l->p[i + wl]))) {
			*opts = i + wl;
			return words[k].dir;
		}
	}
	return 0;
}

/* The options of a marker, "key:value" words; only transaction:false
 * changes how retort runs the part (dbmate ignores what it does not know,
 * and so does this). */
static int dbmate_notx(const line *l, size_t at)
{
	int notx = 0;

	for (;;) {
		size_t start = skip_space(l->p, at, l->bare), end = start;
		while (end < l->bare && !is_space(l->p[end]))
			end++;
		if (start == end)
			return notx;
		if (end - start == 17 && !memcmp(l->p + start, "transaction:false", 17))
			notx = 1;
		at = end;
	}
}

int rt_import_split_dbmate(rt_import_body *out, const char *path, const char *text, size_t len,
			   rt_buf *err)
{
	line l = { 0 };
	size_t at = 0, opts = 0;
	int dir, state = 0, first_sql = 0;

	while (next_line(&l, text, len, &at)) {
		dir = dbmate_marker(&l, &opts);
		if (dir == RT_UP && state == 0) {
			out->up_notx = dbmate_notx(&l, opts);
			state = RT_UP;
			continue;
		}
		if (dir == RT_DOWN && state != RT_DOWN) {
			if (state == 0)
				return rt_error(err, RETORT_EINVALID, "%s:%d: '-- migrate:down' before "
						"'-- migrate:up' (dbmate wants up first)", path, l.no);
			out->down_notx = dbmate_notx(&l, opts);
			out->has_down = 1;
			state = RT_DOWN;
			continue;
		}
		if (state == 0) {
			if (!first_sql && !blank(&l) && !comment(&l))
				first_sql = l.no;
			continue;
		}
		rt_buf_put(state == RT_UP ? &out->up : &out->down, l.p, l.next - (size_t)(l.p - text));
	}
	if (state == 0)
		return rt_error(err, RETORT_EINVALID, "%s: no '-- migrate:up' line (dbmate requires "
				"one)", path);
	if (first_sql)
		return rt_error(err, RETORT_EINVALID, "%s:%d: SQL before '-- migrate:up' (dbmate "
				"refuses it)", path, first_sql);
	if (!out->has_down)
		return rt_error(err, RETORT_EINVALID, "%s: no '-- migrate:down' line (dbmate requires "
				"one)", path);
	if (rt_buf_oom(&out->up) || rt_buf_oom(&out->down))
		return rt_error(err, RETORT_ERROR, "out of memory reading '%s'", path);
	return 0;
}

/* ---- goose ------------------------------------------------------------------ */

enum { G_START, G_UP, G_UP_STMT, G_DOWN, G_DOWN_STMT };

/* The annotation of a line ("--", then "+goose ..." with blanks around, as
 * goose trims it), or NULL. */
static const char *goose_annotation(const line *l, size_t *n)
{
	size_t i, end = l->bare;

	if (l->bare < 2 || l->p[0] != '-' || l->p[1] != '-')
		return NULL;
	i = skip_space(l->p, 2, l->bare);
	while (end > i && is_space(l->p[end - 1]))
		end--;
	if (!has_word(l->p + i, end - i, "+goose "))
		return NULL;
	*n = end - i;
	return l->p + i;
}

static int is(const char *p, size_t n, const char *word)
{
	return n == strlen(word) && !memcmp(p, word, n);
}

int rt_import_split_goose(rt_import_body *out, const char *path, const char *text, size_t len,
			  rt_buf *err)
{
	line l = { 0 };
	size_t at = 0, n = 0;
	int state = G_START, notx = 0, begin_line = 0;
	const char *a;

	while (next_line(&l, text, len, &at)) {
		if ((a = goose_annotation(&l, &n))) {
			if (is(a, n, "+goose Up")) {
				if (state != G_START)
					return rt_error(err, RETORT_EINVALID, "%s:%d: a second "
							"'-- +goose Up'", path, l.no);
				state = G_UP;
				continue;
			}
			if (is(a, n, "+goose Down")) {
				if (state != G_UP)
					return rt_error(err, RETORT_EINVALID, "%s:%d: '-- +goose Down' "
							"%s", path, l.no, state == G_START ?
							"before '-- +goose Up'" : state == G_UP_STMT ?
							"inside a StatementBegin block" :
							"a second time");
				state = G_DOWN;
				out->has_down = 1;
				continue;
			}
			if (is(a, n, "+goose StatementBegin")) {
				if (state != G_UP && state != G_DOWN)
					return rt_error(err, RETORT_EINVALID, "%s:%d: '-- +goose "
							"StatementBegin' outside an Up or Down part, "
							"or inside another", path, l.no);
				state = state == G_UP ? G_UP_STMT : G_DOWN_STMT;
				begin_line = l.no;
				continue;
			}
			if (is(a, n, "+goose StatementEnd")) {
				if (state != G_UP_STMT && state != G_DOWN_STMT)
					return rt_error(err, RETORT_EINVALID, "%s:%d: '-- +goose "
							"StatementEnd' without a StatementBegin", path,
							l.no);
				state = state == G_UP_STMT ? G_UP : G_DOWN;
				continue;
			}
			if (is(a, n, "+goose NO TRANSACTION")) {
				notx = 1;
				continue;
			}
			if (is(a, n, "+goose ENVSUBST ON"))
				return rt_error(err, RETORT_EINVALID, "%s:%d: '-- +goose ENVSUBST ON' "
						"cannot be imported: retort runs SQL as written and "
						"does not replace ${VAR}", path, l.no);
			if (is(a, n, "+goose ENVSUBST OFF"))
				continue;
			/* any other "+goose" word is a comment to goose */
		}
		if (state == G_START) {
			if (!blank(&l) && !comment(&l))
				return rt_error(err, RETORT_EINVALID, "%s:%d: SQL before "
						"'-- +goose Up' (goose refuses it)", path, l.no);
			continue;
		}
		rt_buf_put(state == G_UP || state == G_UP_STMT ? &out->up : &out->down, l.p,
			   l.next - (size_t)(l.p - text));
	}
	if (state == G_START)
		return rt_error(err, RETORT_EINVALID, "%s: no '-- +goose Up' line (goose requires "
				"one)", path);
	if (state == G_UP_STMT || state == G_DOWN_STMT)
		return rt_error(err, RETORT_EINVALID, "%s:%d: '-- +goose StatementBegin' without "
				"its StatementEnd", path, begin_line);
	out->up_notx = out->down_notx = notx;
	if (rt_buf_oom(&out->up) || rt_buf_oom(&out->down))
		return rt_error(err, RETORT_ERROR, "out of memory reading '%s'", path);
	return 0;
}
