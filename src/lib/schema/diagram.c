/*
 * diagram.c - the schema model as an entity-relationship diagram: Mermaid
 * (erDiagram, which code hosts draw in Markdown) and Graphviz (dot).
 *
 * Tables are the entities, each column listed with its type and keys
 * (PK, FK, UK: a one-column unique constraint or index); every foreign
 * key is a relationship drawn with crow's-foot ends.  The parent's end is
 * "exactly one" when the key's columns are all NOT NULL and "zero or one"
 * otherwise; the child's end is "zero or many", or "zero or one" when the
 * key's columns are unique in the child (a one-to-one).  Partitions are
 * left out (their parent stands for them), so are views: neither adds a
 * relationship.
 */
#include <string.h>
#include <strings.h>

#include "schema.h"

/* ---- what both drawings need -------------------------------------------- */

/* Are all of `cols` among those of `within`? */
static int subset(const rt_strlist *cols, const rt_strlist *within)
{
	size_t i;

	if (!cols->count)
		return 0;
	for (i = 0; i < cols->count; i++)
		if (!rt_strlist_has(within, cols->items[i]))
			return 0;
	return 1;
}

/* A unique index on plain columns (no expression, no WHERE), as columns:
 * a key's "name DESC" or "name COLLATE x" is not a plain column and the
 * index does not count. */
static int index_is_unique_on(const rt_index *ix, const rt_strlist *within)
{
	return ix->unique && !ix->where && subset(&ix->keys, within);
}

/* Do the values of `cols` identify at most one row of `t`: does some key
 * of t lie within them? */
static int unique_within(const rt_table *t, const rt_strlist *cols)
{
	size_t i, npk = 0, inside = 0;

	for (i = 0; i < t->ncols; i++)
		if (t->cols[i].pk) {
			npk++;
			inside += rt_strlist_has(cols, t->cols[i].name);
		}
	if (npk && inside == npk)
		return 1;
	for (i = 0; i < t->nuniques; i++)
		if (subset(&t->uniques[i].cols, cols))
			return 1;
	for (i = 0; i < t->nindexes; i++)
		if (index_is_unique_on(&t->indexes[i], cols))
			return 1;
	return 0;
}

/* Is every column of the foreign key NOT NULL: does each row of the
 * child have its parent? */
static int fk_required(const rt_table *t, const rt_fkey *fk)
{
	size_t i;

	for (i = 0; i < fk->cols.count; i++) {
		const rt_column *c = rt_table_column(t, fk->cols.items[i]);
		if (!c || !c->notnull)
			return 0;
	}
	return 1;
}

static int column_is_fk(const rt_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nfkeys; i++)
		if (rt_strlist_has(&t->fkeys[i].cols, name))
			return 1;
	return 0;
}

/* The keys of a column, "PK", "FK", "UK", comma-separated, into `out`
 * (empty for none). */
static void column_keys(rt_buf *out, const rt_table *t, const rt_column *c)
{
	char *name = c->name;
	rt_strlist alone = { &name, 1, 1 };

	rt_buf_clear(out);
	if (c->pk)
		rt_buf_puts(out, "PK");
	if (column_is_fk(t, c->name))
		rt_buf_puts(out, out->len ? ", FK" : "FK");
	if (!c->pk && unique_within(t, &alone))
		rt_buf_puts(out, out->len ? ", UK" : "UK");
}

static void join(rt_buf *out, const rt_strlist *l)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		rt_buf_printf(out, "%s%s", i ? ", " : "", l->items[i]);
}

static int drawn(const rt_table *t)
{
	return !t->partition_of;
}

/* ---- Mermaid ------------------------------------------------------------ */

static int plain_char(char c, int first)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

/* Words of the erDiagram grammar that a bare entity name must not be. */
static int mermaid_word(const char *name)
{
	static const char *const words[] = {
		"erDiagram", "to", "optionally", "one", "only", "zero", "or", "more", "many",
		"u", "direction", "style", "classDef", "class", "title", "accTitle",
		"accDescr", NULL
	};
	size_t i;

	for (i = 0; words[i]; i++)
		if (!strcasecmp(name, words[i]))
			return 1;
	return 0;
}

/* An entity name: bare when it is a plain identifier, otherwise in double
 * quotes, which take anything but '"', '%', '\\' and line breaks; those
 * become '_'. */
static void mermaid_entity(rt_buf *out, const char *name)
{
	const char *p;
	int plain = *name && !mermaid_word(name);

	for (p = name; *p && plain; p++)
		plain = plain_char(*p, p == name);
	if (plain) {
		rt_buf_puts(out, name);
		return;
	}
	rt_buf_putc(out, '"');
	for (p = name; *p; p++)
		rt_buf_putc(out, strchr("\"%\\", *p) || (unsigned char)*p < 0x20 ? '_' : *p);
	rt_buf_putc(out, '"');
}

/* An attribute's type or name as one word of the grammar: a letter or
 * '_' first, then letters, digits, '_', '-' and, in types, brackets and
 * parentheses ("varchar(20)").  Runs of anything else become one '_':
 * "character varying(20)" is "character_varying(20)".  Returns whether
 * the word differs from `s`. */
static int mermaid_word_of(rt_buf *out, const char *s, int is_type)
{
	const char *p;
	size_t start = out->len;
	int changed = 0;

	if (!*s || !plain_char(*s, 1)) {
		rt_buf_putc(out, '_');
		changed = 1;
	}
	for (p = s; *p; p++) {
		if (plain_char(*p, 0) || *p == '-' || (is_type && strchr("()[]", *p))) {
			rt_buf_putc(out, *p);
			continue;
		}
		changed = 1;
		if (out->len == start || out->ptr[out->len - 1] != '_')
			rt_buf_putc(out, '_');
	}
	/* the grammar reads these as keys, whatever their case */
	if (out->len - start == 2 && (!strcasecmp(out->ptr + start, "PK") ||
				      !strcasecmp(out->ptr + start, "FK") ||
				      !strcasecmp(out->ptr + start, "UK"))) {
		rt_buf_putc(out, '_');
		changed = 1;
	}
	return changed;
}

/* A comment: double quotes hold anything but '"'. */
static void mermaid_comment(rt_buf *out, const char *s)
{
	rt_buf_puts(out, " \"");
	for (; *s; s++)
		rt_buf_putc(out, *s == '"' ? '\'' : (unsigned char)*s < 0x20 ? ' ' : *s);
	rt_buf_putc(out, '"');
}

static void mermaid_table(rt_buf *out, const rt_table *t, rt_buf *keys)
{
	size_t i;
	int renamed;

	rt_buf_puts(out, "    ");
	mermaid_entity(out, t->name);
	if (!t->ncols) {
		rt_buf_putc(out, '\n');
		return;
	}
	rt_buf_puts(out, " {\n");
	for (i = 0; i < t->ncols; i++) {
		const rt_column *c = &t->cols[i];
		rt_buf_puts(out, "        ");
		mermaid_word_of(out, *c->type ? c->type : "untyped", 1);
		rt_buf_putc(out, ' ');
		renamed = mermaid_word_of(out, c->name, 0);
		column_keys(keys, t, c);
		if (keys->len)
			rt_buf_printf(out, " %s", keys->ptr);
		/* a name that had to change keeps its spelling in the comment */
		if (renamed)
			mermaid_comment(out, c->name);
		rt_buf_putc(out, '\n');
	}
	rt_buf_puts(out, "    }\n");
}

static void mermaid_fkey(rt_buf *out, const rt_table *t, const rt_fkey *fk)
{
	rt_buf label = RT_BUF_INIT;

	rt_buf_puts(out, "    ");
	mermaid_entity(out, fk->ref_table);
	rt_buf_printf(out, " %s--%s ", fk_required(t, fk) ? "||" : "|o",
		      unique_within(t, &fk->cols) ? "o|" : "o{");
	mermaid_entity(out, t->name);
	rt_buf_puts(out, " :");
	join(&label, &fk->cols);
	mermaid_comment(out, label.ptr);
	rt_buf_putc(out, '\n');
	rt_buf_release(&label);
}

int rt_schema_mermaid(rt_buf *out, const rt_schema *s)
{
	rt_buf keys = RT_BUF_INIT;
	size_t i, k;
	int oom;

	rt_buf_puts(out, "erDiagram\n");
	for (i = 0; i < s->unmodelled.count; i++)
		rt_buf_printf(out, "    %%%% not drawn: %s\n", s->unmodelled.items[i]);
	for (i = 0; i < s->ntables; i++)
		if (drawn(&s->tables[i]))
			mermaid_table(out, &s->tables[i], &keys);
	for (i = 0; i < s->ntables; i++)
		for (k = 0; drawn(&s->tables[i]) && k < s->tables[i].nfkeys; k++)
			mermaid_fkey(out, &s->tables[i], &s->tables[i].fkeys[k]);
	oom = rt_buf_oom(out) || rt_buf_oom(&keys);
	rt_buf_release(&keys);
	return oom ? -1 : 0;
}

/* ---- Graphviz ------------------------------------------------------------- */

/* Text inside an HTML-like label.  Control characters (a newline in a
 * quoted name) would break the line: they become spaces. */
static void html(rt_buf *out, const char *s)
{
	for (; *s; s++) {
		const char *entity = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;"
				     : *s == '"' ? "&quot;" : NULL;
		if (entity)
			rt_buf_puts(out, entity);
		else
			rt_buf_putc(out, (unsigned char)*s < 0x20 ? ' ' : *s);
	}
}

/* Tables are nodes t0, t1, ... (their index); column k has two ports,
 * "ik" on its name's cell where edges come in (from the west: parents
 * are laid out right of their children) and "ok" on its keys' cell where
 * they leave (to the east).  No name of the database has to be a
 * Graphviz identifier. */
static void dot_table(rt_buf *out, const rt_table *t, size_t index, rt_buf *keys)
{
	size_t i;

	rt_buf_printf(out, "    t%zu [label=<<table border=\"0\" cellborder=\"1\" "
		      "cellspacing=\"0\" cellpadding=\"4\">\n"
		      "        <tr><td colspan=\"3\" bgcolor=\"#dde4ee\"><b>", index);
	html(out, t->name);
	rt_buf_puts(out, "</b></td></tr>\n");
	for (i = 0; i < t->ncols; i++) {
		const rt_column *c = &t->cols[i];
		column_keys(keys, t, c);
		rt_buf_printf(out, "        <tr><td port=\"i%zu\" align=\"left\">", i);
		html(out, c->name);
		rt_buf_puts(out, "</td><td align=\"left\">");
		html(out, c->type);
		rt_buf_printf(out, "%s</td><td port=\"o%zu\">%s</td></tr>\n",
			      c->notnull ? " NOT NULL" : "", i, keys->ptr);
	}
	rt_buf_puts(out, "    </table>>];\n");
}

/* The node and port of `table`.`column` (`side` 'o' for the tail, 'i'
 * for the head), or of the table alone. */
static void dot_end(rt_buf *out, const rt_schema *s, const char *table, const char *column,
		    char side, size_t fallback)
{
	size_t i, k;

	for (i = 0; i < s->ntables; i++) {
		const rt_table *t = &s->tables[i];
		if (strcmp(t->name, table))
			continue;
		for (k = 0; column && k < t->ncols; k++)
			if (!strcmp(t->cols[k].name, column)) {
				rt_buf_printf(out, "t%zu:%c%zu:%c", i, side, k, side == 'o' ? 'e' : 'w');
				return;
			}
		rt_buf_printf(out, "t%zu", i);
		return;
	}
	rt_buf_printf(out, "x%zu", fallback);
}

/* An edge from the child's first key column to the parent's, with
 * crow's-foot ends: Graphviz draws the first shape named nearest the
 * node, so "crowodot" is "zero or many" and "teeodot" "zero or one". */
static void dot_fkey(rt_buf *out, const rt_schema *s, const rt_table *t, const rt_fkey *fk,
		     size_t *nforeign)
{
	rt_buf label = RT_BUF_INIT;
	int known = rt_schema_table(s, fk->ref_table) != NULL;

	/* a parent outside the schema (another PostgreSQL schema) is a
	 * plain box of its own */
	if (!known) {
		rt_buf_printf(out, "    x%zu [shape=box, label=<", *nforeign);
		html(out, fk->ref_table);
		rt_buf_puts(out, ">];\n");
	}
	rt_buf_puts(out, "    ");
	dot_end(out, s, t->name, fk->cols.count ? fk->cols.items[0] : NULL, 'o', 0);
	rt_buf_puts(out, " -> ");
	dot_end(out, s, fk->ref_table, fk->ref_cols.count ? fk->ref_cols.items[0] : NULL, 'i',
		*nforeign);
	join(&label, &fk->cols);
	rt_buf_printf(out, " [arrowtail=%s, arrowhead=%s, label=<",
		      unique_within(t, &fk->cols) ? "teeodot" : "crowodot",
		      fk_required(t, fk) ? "teetee" : "teeodot");
	html(out, label.ptr);
	rt_buf_puts(out, ">];\n");
	if (!known)
		(*nforeign)++;
	rt_buf_release(&label);
}

int rt_schema_dot(rt_buf *out, const rt_schema *s)
{
	rt_buf keys = RT_BUF_INIT;
	size_t i, k, nforeign = 0;
	int oom;

	rt_buf_puts(out, "digraph schema {\n"
		    "    rankdir=LR;\n"
		    "    node [shape=plaintext, fontname=\"Helvetica\", fontsize=10];\n"
		    "    edge [dir=both, fontname=\"Helvetica\", fontsize=9];\n");
	for (i = 0; i < s->unmodelled.count; i++) {
		rt_buf_puts(out, "    // not drawn: ");
		html(out, s->unmodelled.items[i]);
		rt_buf_putc(out, '\n');
	}
	for (i = 0; i < s->ntables; i++)
		if (drawn(&s->tables[i]))
			dot_table(out, &s->tables[i], i, &keys);
	for (i = 0; i < s->ntables; i++)
		for (k = 0; drawn(&s->tables[i]) && k < s->tables[i].nfkeys; k++)
			dot_fkey(out, s, &s->tables[i], &s->tables[i].fkeys[k], &nforeign);
	rt_buf_puts(out, "}\n");
	oom = rt_buf_oom(out) || rt_buf_oom(&keys);
	rt_buf_release(&keys);
	return oom ? -1 : 0;
}
