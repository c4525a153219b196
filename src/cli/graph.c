/*
 * graph.c - the revision graph as a picture: Graphviz dot, Mermaid
 * flowchart text, or a drawing in characters like `git log --graph`,
 * with the database's applied and current revisions when there is one.
 * `retort graph` and `retort history --graph` draw with it.
 *
 * Every format lists the revisions in retort_history's order (newest
 * first, children before parents), so the output is the same on every
 * run and golden files can hold it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* what the database says of a revision */
#define APPLIED (1u << 0)
#define CURRENT (1u << 1)
#define FAILED  (1u << 2)  /* a migration of it stopped part way */

/* The most characters of a message a dot or Mermaid node shows: boxes of
 * a picture must stay small; the text drawing shows the whole line. */
#define SHORT_MESSAGE 48

struct slot {
	const retort_rev *rev;
	size_t pos;  /* its place in graph.list */
};

struct graph {
	FILE *out;
	enum cli_graph_format fmt;
	retort_revlist list;   /* newest first */
	struct slot *byaddr;   /* list's revisions sorted by address */
	unsigned char *state;  /* APPLIED | CURRENT | FAILED, by place in list */
	int has_db;
	size_t failed_at;      /* the statement the FAILED one stopped at, from 1 */
};

/* ---- the revisions and the database's state ---------------------------- */

static int cmp_slot(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct slot *)a)->rev;
	uintptr_t y = (uintptr_t)((const struct slot *)b)->rev;

	return x < y ? -1 : x > y;
}

/* The place of `rev` in g->list.  The graph is closed (every parent and
 * dependency is a loaded revision), so it is always found. */
static size_t pos_of(const struct graph *g, const retort_rev *rev)
{
	struct slot key = { rev, 0 }, *hit;

	hit = bsearch(&key, g->byaddr, g->list.count, sizeof(key), cmp_slot);
	return hit ? hit->pos : 0;
}

static void index_revisions(struct graph *g)
{
	size_t i, n = g->list.count;

	g->byaddr = cli_realloc(NULL, n * sizeof(*g->byaddr));
	g->state = cli_realloc(NULL, n);
	memset(g->state, 0, n);
	for (i = 0; i < n; i++) {
		g->byaddr[i].rev = g->list.revs[i];
		g->byaddr[i].pos = i;
	}
	qsort(g->byaddr, n, sizeof(*g->byaddr), cmp_slot);
}

/* Applied: what the version table's rows reach through down_revision and
 * depends_on.  A dependency may sit on another branch, anywhere in the
 * list, so this walks the graph from the rows instead of the list. */
static void mark_applied(struct graph *g, retort *ctx, const retort_strarray *rows)
{
	size_t *stack = cli_realloc(NULL, (g->list.count + 1) * sizeof(*stack));
	size_t i, k, top = 0;

	for (i = 0; i < rows->count; i++) {
		const retort_rev *rev = retort_lookup(ctx, rows->strings[i]);

		/* an id no file has: `retort current` names it; it draws nothing */
		if (rev && !(g->state[pos_of(g, rev)] & APPLIED)) {
			g->state[pos_of(g, rev)] |= APPLIED;
			stack[top++] = pos_of(g, rev);
		}
	}
	while (top) {
		const retort_rev *rev = g->list.revs[stack[--top]];
		size_t np = retort_rev_nparents(rev), nd = retort_rev_ndepends(rev);

		for (k = 0; k < np + nd; k++) {
			size_t p = pos_of(g, k < np ? retort_rev_parent(rev, k)
					       : retort_rev_depends(rev, k - np));
			if (!(g->state[p] & APPLIED)) {
				g->state[p] |= APPLIED;
				stack[top++] = p;
			}
		}
	}
	free(stack);
}

/* Current, as `retort current` says it: applied, and no applied revision
 * is built on it through down_revision. */
static void mark_current(struct graph *g)
{
	size_t i, k;

	for (i = 0; i < g->list.count; i++) {
		const retort_rev *rev = g->list.revs[i];

		if (!(g->state[i] & APPLIED))
			continue;
		for (k = 0; k < retort_rev_nchildren(rev); k++)
			if (g->state[pos_of(g, retort_rev_child(rev, k))] & APPLIED)
				break;
		if (k == retort_rev_nchildren(rev))
			g->state[i] |= CURRENT;
	}
}

/* A migration left half applied, which upgrade refuses to pass: the one
 * thing about the database a reader of the picture must not miss. */
static int mark_failed(struct graph *g, retort *ctx)
{
	retort_failure *failed = NULL;
	const retort_rev *rev;

	if (retort_failure_get(&failed, ctx) < 0)
		return -1;
	if (failed && (rev = retort_lookup(ctx, failed->revision))) {
		g->state[pos_of(g, rev)] |= FAILED;
		g->failed_at = failed->statements_done + 1;
	}
	retort_failure_free(failed);
	return 0;
}

/* ---- text in each format ------------------------------------------------- */

/* The length of the valid UTF-8 sequence at s, 0 when it is not one
 * (a dot that meets bad UTF-8 warns; a browser shows garbage). */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (*s < 0x80)
		return 1;
	if (*s >= 0xc2 && *s <= 0xdf)
		n = 2;
	else if (*s >= 0xe0 && *s <= 0xef)
		n = 3;
	else if (*s >= 0xf0 && *s <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong forms, UTF-16 surrogates, past U+10FFFF */
	if ((*s == 0xe0 && s[1] < 0xa0) || (*s == 0xed && s[1] > 0x9f) ||
	    (*s == 0xf0 && s[1] < 0x90) || (*s == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

/* One ASCII character of user text, as the format must write it. */
static void put_char(const struct graph *g, int c)
{
	if (c < 0x20 || c == 0x7f)
		c = ' ';  /* a newline or an escape sequence would break the line */
	if (g->fmt == CLI_GRAPH_DOT && (c == '"' || c == '\\'))
		fputc('\\', g->out);  /* "\N" would be the node's name */
	/* Mermaid's entity codes: a quote ends the label, '<' would be
	 * HTML, '#' starts a code, a backquote a Markdown string */
	if (g->fmt == CLI_GRAPH_MERMAID && strchr("\"#&<>`", c)) {
		fprintf(g->out, "#%d;", c);
		return;
	}
	fputc(c, g->out);
}

/* User text (a message, a label) at most `max` characters long (0: no
 * limit), "..." marking a cut; a byte that is not UTF-8 becomes '?'. */
static void put_text(const struct graph *g, const char *text, size_t max)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t len, chars = 0;

	for (; *s; s += len ? len : 1) {
		if (max && chars++ == max) {
			fputs("...", g->out);
			return;
		}
		len = utf8_len(s);
		if (len > 1)
			fwrite(s, 1, len, g->out);
		else
			put_char(g, len ? *s : '?');
	}
}

/* "ID (labels) (head) (current)": a node's first line, a text row's
 * start.  The marks are also in the words, for a picture without colour. */
/* The colour of `role` before a part of the text drawing (as history
 * colours it, on a terminal); never inside a dot or Mermaid label. */
static const char *paint(const struct graph *g, enum cli_color_role role)
{
	return g->fmt == CLI_GRAPH_TEXT ? cli_color(g->out, role) : "";
}

static const char *paint_end(const struct graph *g)
{
	return g->fmt == CLI_GRAPH_TEXT ? cli_color_end(g->out) : "";
}

static void put_caption(const struct graph *g, size_t i)
{
	const retort_rev *rev = g->list.revs[i];
	size_t k, n = retort_rev_nbranches(rev);

	fputs(paint(g, CLI_COLOR_REV), g->out);
	put_text(g, retort_rev_id(rev), 0);
	fputs(paint_end(g), g->out);
	for (k = 0; k < n; k++) {
		fputs(k ? ", " : " (", g->out);
		fputs(paint(g, CLI_COLOR_LABEL), g->out);
		put_text(g, retort_rev_branch(rev, k), 0);
		fputs(paint_end(g), g->out);
	}
	if (n)
		fputc(')', g->out);
	/* Alembic's word for a head that others depend on */
	if (retort_rev_flags(rev) & RETORT_REV_HEAD)
		fprintf(g->out, " (%s%s%s)", paint(g, CLI_COLOR_MARK),
			retort_rev_ndependents(rev) ? "effective head" : "head", paint_end(g));
	if (g->state[i] & CURRENT)
		fprintf(g->out, " (%scurrent%s)", paint(g, CLI_COLOR_MARK), paint_end(g));
	/* as `history -i` says it */
	if (g->state[i] & FAILED)
		fprintf(g->out, " (%sfailed at statement %zu%s)", paint(g, CLI_COLOR_ERROR),
			g->failed_at, paint_end(g));
}

/* ---- Graphviz and Mermaid ------------------------------------------------ */

/* A node's name in Mermaid: the id with '_', '.' and '-' spelt out, so
 * that no two ids meet and none is a keyword ("end"). */
static void put_mermaid_name(const struct graph *g, const retort_rev *rev)
{
	const char *p;

	fputs("r_", g->out);
	for (p = retort_rev_id(rev); *p; p++) {
		if (*p == '_')
			fputs("__", g->out);
		else if (*p == '.')
			fputs("_d", g->out);
		else if (*p == '-')
			fputs("_h", g->out);
		else
			fputc(*p, g->out);
	}
}

static void put_name(const struct graph *g, const retort_rev *rev)
{
	if (g->fmt == CLI_GRAPH_MERMAID) {
		put_mermaid_name(g, rev);
		return;
	}
	fputc('"', g->out);
	put_text(g, retort_rev_id(rev), 0);
	fputc('"', g->out);
}

/* The node's two lines: the caption and the message, cut short. */
static void put_label(const struct graph *g, size_t i)
{
	const char *msg = retort_rev_message(g->list.revs[i]);

	put_caption(g, i);
	if (*msg) {
		fputs(g->fmt == CLI_GRAPH_DOT ? "\\n" : "<br>", g->out);
		put_text(g, msg, SHORT_MESSAGE);
	}
}

static void put_dot_node(const struct graph *g, size_t i)
{
	unsigned int st = g->state[i];

	fputc('\t', g->out);
	put_name(g, g->list.revs[i]);
	fputs(" [label=\"", g->out);
	put_label(g, i);
	fputc('"', g->out);
	if (retort_rev_flags(g->list.revs[i]) & RETORT_REV_HEAD)
		fputs(", peripheries=2", g->out);
	if (st & APPLIED)
		fprintf(g->out, ", style=\"rounded,filled\", fillcolor=\"%s\"",
			st & CURRENT ? "#66bb6a" : "#c8e6c9");
	if (st & (CURRENT | FAILED))
		fputs(", penwidth=3", g->out);
	if (st & FAILED)
		fputs(", color=\"#c62828\"", g->out);
	fputs("];\n", g->out);
}

static void put_mermaid_node(const struct graph *g, size_t i)
{
	fputs("    ", g->out);
	put_name(g, g->list.revs[i]);
	fputs("[\"", g->out);
	put_label(g, i);
	fputs("\"]\n", g->out);
}

/* Edges go from a revision to those built on it (the way upgrade goes);
 * depends_on is dashed. */
static void put_edge(const struct graph *g, const retort_rev *from, const retort_rev *to,
		     int depends)
{
	int dot = g->fmt == CLI_GRAPH_DOT;

	fputs(dot ? "\t" : "    ", g->out);
	put_name(g, from);
	if (dot)
		fputs(" -> ", g->out);
	else
		fputs(depends ? " -.-> " : " --> ", g->out);
	put_name(g, to);
	fputs(dot && depends ? " [style=dashed];\n" : dot ? ";\n" : "\n", g->out);
}

static void put_edges(const struct graph *g)
{
	size_t i, k;

	for (i = 0; i < g->list.count; i++) {
		const retort_rev *rev = g->list.revs[i];

		for (k = 0; k < retort_rev_nparents(rev); k++)
			put_edge(g, retort_rev_parent(rev, k), rev, 0);
		for (k = 0; k < retort_rev_ndepends(rev); k++)
			put_edge(g, retort_rev_depends(rev, k), rev, 1);
	}
}

static void write_dot(const struct graph *g)
{
	size_t i;

	fputs("digraph retort {\n"
	      "\t/* an arrow goes from a revision to one built on it; dashed: depends_on;\n"
	      "\t   double border: a head; filled: applied; bold: current; red: failed */\n"
	      "\trankdir=BT;\n"
	      "\tnode [shape=box, style=rounded, fontname=\"Helvetica\"];\n", g->out);
	for (i = 0; i < g->list.count; i++)
		put_dot_node(g, i);
	put_edges(g);
	fputs("}\n", g->out);
}

/* "class r_a,r_b NAME": the nodes of a Mermaid class, when there are any:
 * those with revision flag `flag` (head) or database state `state`. */
static void put_mermaid_class(const struct graph *g, const char *name, const char *style,
			      unsigned int flag, unsigned int state)
{
	size_t i, n = 0;

	for (i = 0; i < g->list.count; i++) {
		if (!(retort_rev_flags(g->list.revs[i]) & flag) && !(g->state[i] & state))
			continue;
		if (!n++)
			fprintf(g->out, "    classDef %s %s\n    class ", name, style);
		else
			fputc(',', g->out);
		put_name(g, g->list.revs[i]);
	}
	if (n)
		fprintf(g->out, " %s\n", name);
}

static void write_mermaid(const struct graph *g)
{
	size_t i;

	fputs("flowchart BT\n"
	      "    %% an arrow goes from a revision to one built on it; dotted: depends_on\n",
	      g->out);
	for (i = 0; i < g->list.count; i++)
		put_mermaid_node(g, i);
	put_edges(g);
	/* in this order: a later class wins where two set the same thing */
	put_mermaid_class(g, "head", "stroke:#1565c0,stroke-width:3px", RETORT_REV_HEAD, 0);
	put_mermaid_class(g, "applied", "fill:#c8e6c9", 0, APPLIED);
	put_mermaid_class(g, "current", "fill:#66bb6a,stroke:#1b5e20,stroke-width:4px", 0,
			  CURRENT);
	put_mermaid_class(g, "failed", "stroke:#c62828,stroke-width:4px", 0, FAILED);
}

/* ---- the text drawing ------------------------------------------------------ */

/*
 * Lanes as `git log --graph` draws them: a column per line of descent
 * being followed, each waiting for the revision it leads to.  Column i is
 * drawn at character 2*i.  Where two lanes meet, the lanes to the right
 * close up; a lane that ends at a base leaves a gap, which a later new
 * head takes (not the next one: it would look like the base's child).
 */
struct lanes {
	const retort_rev **col;  /* NULL: a gap */
	size_t n, alloc;
	size_t freed;            /* the gap the last row made (SIZE_MAX: none) */
	char *line;
	size_t width;            /* of line, which holds 2*n characters */
};

static void lanes_grow(struct lanes *l, size_t n)
{
	if (n > l->alloc) {
		l->alloc = n * 2;
		l->col = cli_realloc(l->col, l->alloc * sizeof(*l->col));
		l->line = cli_realloc(l->line, 2 * l->alloc + 1);
	}
	while (l->n < n)
		l->col[l->n++] = NULL;
}

/* Start a row: '|' for every lane, then the caller draws on it. */
static void row_start(struct lanes *l)
{
	size_t i;

	l->width = 2 * l->n;
	memset(l->line, ' ', l->width);
	for (i = 0; i < l->n; i++)
		if (l->col[i])
			l->line[2 * i] = '|';
}

/* Print the row without its trailing blanks; `text`, when there is
 * some, after one blank. */
static void row_end(const struct graph *g, struct lanes *l, size_t text)
{
	while (l->width && l->line[l->width - 1] == ' ')
		l->width--;
	fwrite(l->line, 1, l->width, g->out);
	if (text != SIZE_MAX) {
		fputc(' ', g->out);
		put_caption(g, text);
	}
}

static size_t find_lane(const struct lanes *l, const retort_rev *rev, size_t from)
{
	for (; from < l->n; from++)
		if (l->col[from] == rev)
			return from;
	return SIZE_MAX;
}

static void trim_gaps(struct lanes *l)
{
	while (l->n && !l->col[l->n - 1])
		l->n--;
}

/* Two lanes wait for `rev` (a branch point): the second joins the first,
 * "|/" beside it, "|_|/" across the lanes between, and the lanes to its
 * right close up, "/ /", so that the drawing does not keep growing wider
 * at every branch point. */
static void join_lanes(const struct graph *g, struct lanes *l, size_t first, size_t second)
{
	size_t i;

	row_start(l);
	for (i = second; i < l->n; i++) {
		if (l->line[2 * i] == '|')
			l->line[2 * i - 1] = '/';
		l->line[2 * i] = ' ';
	}
	l->line[2 * second - 1] = '/';
	for (i = 2 * first + 1; i + 1 < 2 * second; i++)
		if (l->line[i] == ' ')
			l->line[i] = '_';
	row_end(g, l, SIZE_MAX);
	fputc('\n', g->out);
	memmove(l->col + second, l->col + second + 1, (l->n - second - 1) * sizeof(*l->col));
	l->n--;
	trim_gaps(l);
}

/* A merge's parent beyond the first gets the column `at`, "|\" beside
 * the one before; the lanes there move right up to the first gap. */
static void open_lane(const struct graph *g, struct lanes *l, const retort_rev *parent,
		      size_t at)
{
	size_t gap, i;

	for (gap = at; gap < l->n && l->col[gap]; gap++)
		;
	lanes_grow(l, gap + 1);
	row_start(l);
	for (i = at; i < gap; i++) {
		l->line[2 * i] = ' ';
		l->line[2 * i + 1] = '\\';
	}
	l->line[2 * at - 1] = '\\';
	row_end(g, l, SIZE_MAX);
	fputc('\n', g->out);
	memmove(l->col + at + 1, l->col + at, (gap - at) * sizeof(*l->col));
	l->col[at] = parent;
}

/* The column of revision `i`: its lane, after the others waiting for it
 * joined it, or a gap (not the one just made: it would look like a line
 * of descent) or a new column for a head. */
static size_t place(const struct graph *g, struct lanes *l, size_t i)
{
	const retort_rev *rev = g->list.revs[i];
	size_t c = find_lane(l, rev, 0), second;

	if (c != SIZE_MAX) {
		while ((second = find_lane(l, rev, c + 1)) != SIZE_MAX)
			join_lanes(g, l, c, second);
		return c;
	}
	for (c = 0; c < l->n; c++)
		if (!l->col[c] && c != l->freed)
			return c;
	lanes_grow(l, l->n + (l->freed == l->n) + 1);
	return l->n - 1;
}

/* With a database, a revision not applied yet is drawn 'o'. */
static void text_row(const struct graph *g, struct lanes *l, size_t i)
{
	const retort_rev *rev = g->list.revs[i];
	size_t c = place(g, l, i), k, nd = retort_rev_ndepends(rev);

	row_start(l);
	l->line[2 * c] = g->has_db && !(g->state[i] & APPLIED) ? 'o' : '*';
	row_end(g, l, i);
	for (k = 0; k < nd; k++) {
		fputs(k ? ", " : " (depends on ", g->out);
		put_text(g, retort_rev_id(retort_rev_depends(rev, k)), 0);
	}
	if (nd)
		fputc(')', g->out);
	if (*retort_rev_message(rev)) {
		fputc(' ', g->out);
		put_text(g, retort_rev_message(rev), 0);
	}
	fputc('\n', g->out);

	l->freed = SIZE_MAX;
	if (!retort_rev_nparents(rev)) {
		l->col[c] = NULL;
		l->freed = c;
		trim_gaps(l);
		return;
	}
	l->col[c] = retort_rev_parent(rev, 0);
	for (k = 1; k < retort_rev_nparents(rev); k++)
		open_lane(g, l, retort_rev_parent(rev, k), c + k);
}

static void write_text(const struct graph *g)
{
	struct lanes l = { NULL, 0, 0, SIZE_MAX, NULL, 0 };
	size_t i;

	for (i = 0; i < g->list.count; i++)
		text_row(g, &l, i);
	free(l.col);
	free(l.line);
}

/* ---- the entry point ------------------------------------------------------ */

int cli_graph_write(struct cli *cli, FILE *out, enum cli_graph_format fmt,
		    const retort_strarray *current)
{
	struct graph g = { out, fmt, { NULL, 0 }, NULL, NULL, current != NULL, 0 };
	int rc = 0;

	if (retort_history(&g.list, cli->ctx, NULL) < 0)
		return cli_fail(cli);
	index_revisions(&g);
	if (current) {
		mark_applied(&g, cli->ctx, current);
		mark_current(&g);
		if (mark_failed(&g, cli->ctx) < 0) {
			rc = cli_fail(cli);
			goto done;
		}
	}
	if (fmt == CLI_GRAPH_DOT)
		write_dot(&g);
	else if (fmt == CLI_GRAPH_MERMAID)
		write_mermaid(&g);
	else
		write_text(&g);
	if (fflush(out) != 0 || ferror(out)) {
		cli_error("cannot write the graph: %s", strerror(errno));
		rc = 1;
	}
done:
	free(g.byaddr);
	free(g.state);
	retort_revlist_release(&g.list);
	return rc;
}
