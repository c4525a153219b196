/*
 * graph.c - load the versions folder into a revision DAG and answer
 * questions about it.  Every pass is linear in the number of revisions
 * (plus a sort), so listing commands stay fast with thousands of files:
 * lookups are binary searches over the id-sorted array, traversals use a
 * per-call stamp instead of clearing flags.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "graph.h"
#include "hcache.h"

int rt_revvec_push(rt_revvec *vec, rt_rev *rev)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 8;
		rt_rev **v = realloc(vec->v, cap * sizeof(*v));
		if (!v)
			return RETORT_ERROR;
		vec->v = v;
		vec->cap = cap;
	}
	vec->v[vec->n++] = rev;
	return 0;
}

void rt_revvec_release(rt_revvec *vec)
{
	free(vec->v);
	vec->v = NULL;
	vec->n = vec->cap = 0;
}

static int cmp_topo(const void *a, const void *b)
{
	const rt_rev *x = *(rt_rev *const *)a, *y = *(rt_rev *const *)b;

	return x->topo < y->topo ? -1 : x->topo > y->topo;
}

void rt_revvec_sort_topo(rt_revvec *vec)
{
	if (vec->n > 1)
		qsort(vec->v, vec->n, sizeof(*vec->v), cmp_topo);
}

static int cmp_id(const void *a, const void *b)
{
	const rt_rev *x = *(rt_rev *const *)a, *y = *(rt_rev *const *)b;

	return strcmp(x->s.revision, y->s.revision);
}

static void rev_release(rt_rev *r)
{
	rt_script_release(&r->s);
	free(r->parents);
	free(r->deps);
	free(r->vdeps);
	free(r->branches);
	free(r->children);
	free(r->dependents);
}

void rt_graph_close_folders(rt_graph *g)
{
	while (g->nfolders)
		close(g->folders[--g->nfolders]);
	free(g->folders);
	g->folders = NULL;
}

void rt_graph_release(rt_graph *g)
{
	size_t i;

	rt_graph_close_folders(g);
	for (i = 0; i < g->n; i++)
		rev_release(&g->revs[i]);
	free(g->revs);
	free(g->labels);
	free(g->ids);
	free(g->by_id);
	free(g->topo);
	free(g->dir);
	memset(g, 0, sizeof(*g)); /* the source, borrowed, stays the program's */
}

/* First index whose id is >= key. */
static size_t lower_bound(const rt_graph *g, const char *key)
{
	size_t lo = 0, hi = g->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(g->by_id[mid]->s.revision, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* FNV-1a: ids are short, and their characters random enough. */
static size_t id_hash(const char *id)
{
	size_t h = (size_t)14695981039346656037ULL;

	while (*id) {
		h ^= (unsigned char)*id++;
		h *= (size_t)1099511628211ULL;
	}
	return h;
}

rt_rev *rt_graph_get(const rt_graph *g, const char *id)
{
	size_t i;

	if (!g->ids) { /* while the graph is built */
		i = lower_bound(g, id);
		return i < g->n && !strcmp(g->by_id[i]->s.revision, id) ? g->by_id[i] : NULL;
	}
	for (i = id_hash(id) & g->idmask; g->ids[i].id; i = (i + 1) & g->idmask)
		if (!strcmp(g->ids[i].id, id))
			return g->ids[i].rev;
	return NULL;
}

/* The hash table of ids (unique by now), at most half full: linking
 * 100,000 revisions looked each parent up by a binary search, seventeen
 * string comparisons far apart in memory, where a probe or two do. */
static int index_ids(rt_graph *g)
{
	size_t cap = 16, i, k;

	while (cap < 2 * g->n)
		cap *= 2;
	if (!(g->ids = calloc(cap, sizeof(*g->ids))))
		return RETORT_ERROR;
	g->idmask = cap - 1;
	for (i = 0; i < g->n; i++) {
		rt_rev *r = g->by_id[i];

		for (k = id_hash(r->s.revision) & g->idmask; g->ids[k].id; k = (k + 1) & g->idmask)
			;
		g->ids[k].id = r->s.revision;
		g->ids[k].rev = r;
	}
	return 0;
}

int rt_graph_find(rt_rev **out, const rt_graph *g, const char *prefix, rt_buf *err)
{
	size_t len = strlen(prefix), i = lower_bound(g, prefix), j;

	*out = NULL;
	if (!len || i == g->n || strncmp(g->by_id[i]->s.revision, prefix, len))
		return rt_error(err, RETORT_ENOTFOUND, "no revision '%s'", prefix);
	if (!strcmp(g->by_id[i]->s.revision, prefix) || i + 1 == g->n ||
	    strncmp(g->by_id[i + 1]->s.revision, prefix, len)) {
		*out = g->by_id[i];
		return 0;
	}
	if (!err)
		return RETORT_EAMBIGUOUS;
	rt_error(err, RETORT_EAMBIGUOUS, "revision prefix '%s' is ambiguous: it matches", prefix);
	for (j = i; j < g->n && j < i + 10 && !strncmp(g->by_id[j]->s.revision, prefix, len); j++)
		rt_buf_printf(err, "%s '%s'", j == i ? "" : ",", g->by_id[j]->s.revision);
	if (j < g->n && !strncmp(g->by_id[j]->s.revision, prefix, len))
		rt_buf_puts(err, ", ...");
	return RETORT_EAMBIGUOUS;
}

unsigned int rt_graph_mark(rt_graph *g)
{
	size_t i;

	if (++g->stamp == 0) { /* wrapped: clear every mark once */
		for (i = 0; i < g->n; i++)
			g->by_id[i]->mark = 0;
		g->stamp = 1;
	}
	return g->stamp;
}

#define WALK_UP   1 /* children, not parents */
#define WALK_DEPS 2 /* dependents or dependencies too */

/* Depth-first walk over the edge lists `how` names, with an explicit
 * stack. */
static int walk(rt_graph *g, rt_revvec *out, rt_rev *const *from, size_t n, int how)
{
	int up = how & WALK_UP;
	unsigned int stamp = rt_graph_mark(g);
	rt_revvec stack = { 0 };
	size_t i;
	int rc = 0;

	for (i = 0; i < n && !rc; i++) {
		if (from[i]->mark == stamp)
			continue;
		from[i]->mark = stamp;
		rc = rt_revvec_push(&stack, from[i]);
	}
	while (!rc && stack.n) {
		rt_rev *r = stack.v[--stack.n];
		rt_rev **a = up ? r->children : r->parents;
		rt_rev **b = up ? r->dependents : r->deps;
		size_t na = up ? r->nchildren : r->nparents;
		size_t nb = !(how & WALK_DEPS) ? 0 : up ? r->ndependents : r->ndeps;

		if ((rc = rt_revvec_push(out, r)) < 0)
			break;
		for (i = 0; i < na + nb && !rc; i++) {
			rt_rev *x = i < na ? a[i] : b[i - na];
			if (x->mark == stamp)
				continue;
			x->mark = stamp;
			rc = rt_revvec_push(&stack, x);
		}
	}
	rt_revvec_release(&stack);
	return rc;
}

int rt_graph_ancestors(rt_graph *g, rt_revvec *out, rt_rev *const *from, size_t n)
{
	return walk(g, out, from, n, WALK_DEPS);
}

int rt_graph_down_ancestors(rt_graph *g, rt_revvec *out, rt_rev *const *from, size_t n)
{
	return walk(g, out, from, n, 0);
}

int rt_graph_down_descendants(rt_graph *g, rt_revvec *out, rt_rev *const *from, size_t n)
{
	return walk(g, out, from, n, WALK_UP);
}

int rt_graph_descendants(rt_graph *g, rt_revvec *out, rt_rev *const *from, size_t n)
{
	return walk(g, out, from, n, WALK_UP | WALK_DEPS);
}

/* The dependencies of `r` that the version table counts, as Alembic 1.8
 * normalizes them: those that no revision below `r` through
 * down_revision already depends on.  A counted dependency is one more
 * parent for the version table: applying `r` replaces its row. */
static int version_deps(rt_graph *g, rt_revvec *below, rt_rev *r)
{
	unsigned int stamp = 0;
	size_t i, d;

	if (!r->ndeps)
		return 0;
	if (!(r->vdeps = calloc(r->ndeps, sizeof(*r->vdeps))))
		return RETORT_ERROR;
	for (d = 0; d < r->ndeps; d++) {
		rt_rev *dep = r->deps[d];
		int seen = 0;

		/* only another revision depending on it, older than `r`, can
		 * be below `r`: most dependencies have none, and need no walk */
		for (i = 0; i < dep->ndependents && !seen; i++) {
			rt_rev *x = dep->dependents[i];
			if (x == r || x->topo > r->topo)
				continue;
			if (!stamp) {
				below->n = 0;
				if (walk(g, below, r->parents, r->nparents, 0) < 0)
					return RETORT_ERROR;
				stamp = g->stamp;
			}
			seen = x->mark == stamp;
		}
		if (!seen)
			r->vdeps[r->nvdeps++] = dep;
	}
	return 0;
}

static int collect(const rt_graph *g, rt_revvec *out, unsigned int flag)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if ((g->topo[i]->flags & flag) && rt_revvec_push(out, g->topo[i]) < 0)
			return RETORT_ERROR;
	return 0;
}

int rt_graph_heads(const rt_graph *g, rt_revvec *out)
{
	return collect(g, out, RETORT_REV_HEAD);
}

int rt_graph_bases(const rt_graph *g, rt_revvec *out)
{
	return collect(g, out, RETORT_REV_BASE);
}

rt_rev *rt_graph_label(const rt_graph *g, const char *label)
{
	size_t lo = 0, hi = g->nlabels;

	/* a binary search: depends_on may name labels, and a scan of every
	 * revision per name made loading quadratic */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(g->labels[mid].label, label);

		if (!c)
			return g->labels[mid].rev;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int cmp_label(const void *a, const void *b)
{
	const struct rt_label *x = a, *y = b;
	int c = strcmp(x->label, y->label);

	return c ? c : strcmp(x->rev->s.revision, y->rev->s.revision);
}

/* The sorted label index; a label declared twice, or spelt like a
 * revision id (a target naming it would mean the label), is an error. */
static int index_labels(rt_graph *g, rt_buf *err)
{
	size_t i, k, n = 0;

	for (i = 0; i < g->n; i++)
		n += g->by_id[i]->s.branch_labels.count;
	if (!n)
		return 0;
	if (!(g->labels = malloc(n * sizeof(*g->labels))))
		return rt_error(err, RETORT_ERROR, "out of memory");
	for (i = 0; i < g->n; i++) {
		rt_rev *r = g->by_id[i];

		for (k = 0; k < r->s.branch_labels.count; k++) {
			g->labels[g->nlabels].label = r->s.branch_labels.items[k];
			g->labels[g->nlabels++].rev = r;
		}
	}
	qsort(g->labels, g->nlabels, sizeof(*g->labels), cmp_label);
	for (i = 0; i < g->nlabels; i++) {
		const struct rt_label *l = &g->labels[i];
		rt_rev *same = rt_graph_get(g, l->label);

		if (i && !strcmp(g->labels[i - 1].label, l->label))
			return rt_error(err, RETORT_EINVALID,
					"branch label '%s' is declared by both '%s' and '%s'",
					l->label, g->labels[i - 1].rev->s.path, l->rev->s.path);
		if (same)
			return rt_error(err, RETORT_EINVALID,
					"'%s': branch label '%s' is also the id of the revision "
					"in '%s'; a target could not name both", l->rev->s.path,
					l->label, same->s.path);
	}
	return 0;
}

/* ---- loading -------------------------------------------------------------- */

static int has_sql_suffix(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && name[0] != '.' && !strcmp(name + n - 4, ".sql");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_files(rt_strlist *out, int dirfd, const char *dir, rt_buf *err)
{
	int fd = dup(dirfd);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return rt_error(err, RETORT_ERROR, "cannot read the versions folder '%s'", dir);
	}
	while ((e = readdir(d)) != NULL) {
		if (has_sql_suffix(e->d_name) && rt_strlist_add(out, e->d_name) < 0) {
			closedir(d);
			return rt_error(err, RETORT_ERROR, "out of memory");
		}
	}
	closedir(d);
	if (out->count > 1)
		qsort(out->items, out->count, sizeof(*out->items), cmp_str);
	return 0;
}

/* Resolve one header list (down_revision or depends_on) into pointers. */
static int link_list(rt_graph *g, rt_rev *r, const rt_strview *ids, rt_rev ***out,
		     size_t *nout, const char *what, rt_buf *err)
{
	size_t i;

	if (!ids->count)
		return 0;
	if (!(*out = calloc(ids->count, sizeof(**out))))
		return rt_error(err, RETORT_ERROR, "out of memory");
	for (i = 0; i < ids->count; i++) {
		rt_rev *p = rt_graph_get(g, ids->items[i]);
		if (!p && !strcmp(what, "depends_on")) {
			/* depends_on may name a branch label or a unique prefix */
			p = rt_graph_label(g, ids->items[i]);
			if (!p && rt_graph_find(&p, g, ids->items[i], NULL) < 0)
				p = NULL;
		}
		if (!p)
			return rt_error(err, RETORT_EINVALID,
					"'%s': %s '%s' does not exist (revision '%s')",
					r->s.path, what, ids->items[i], r->s.revision);
		(*out)[(*nout)++] = p;
	}
	return 0;
}

static int add_edge(rt_rev ***list, size_t *n, rt_rev *r)
{
	/* the capacity doubles at every power of two: a revision with many
	 * children must not be copied once per child */
	if (!(*n & (*n - 1))) {
		rt_rev **v = realloc(*list, (*n ? 2 * *n : 1) * sizeof(*v));

		if (!v)
			return RETORT_ERROR;
		*list = v;
	}
	(*list)[(*n)++] = r;
	return 0;
}

/* Name a cycle: start at a revision left over by Kahn's algorithm and
 * follow unfinished parents until one repeats. */
static int report_cycle(rt_graph *g, size_t *indeg, rt_buf *err)
{
	unsigned int stamp = rt_graph_mark(g);
	rt_rev *r = NULL, *start;
	size_t i;

	for (i = 0; i < g->n && !r; i++)
		if (indeg[i])
			r = g->by_id[i];
	while (r->mark != stamp) {
		rt_rev *next = NULL;
		r->mark = stamp;
		for (i = 0; i < r->nparents + r->ndeps && !next; i++) {
			rt_rev *p = i < r->nparents ? r->parents[i] : r->deps[i - r->nparents];
			if (indeg[p->topo])
				next = p;
		}
		r = next;
	}
	start = r;
	rt_error(err, RETORT_EINVALID, "cycle in the revision graph: ");
	do {
		rt_rev *next = NULL;
		rt_buf_printf(err, "'%s' (%s) -> ", r->s.revision, r->s.path);
		for (i = 0; i < r->nparents + r->ndeps && !next; i++) {
			rt_rev *p = i < r->nparents ? r->parents[i] : r->deps[i - r->nparents];
			if (indeg[p->topo] && p->mark == stamp)
				next = p;
		}
		r = next;
	} while (r && r != start);
	rt_buf_printf(err, "'%s'", start->s.revision);
	return RETORT_EINVALID;
}

/* Kahn's algorithm; ties are broken by id so the order is reproducible. */
static int sort_topo(rt_graph *g, rt_buf *err)
{
	size_t *indeg = calloc(g->n ? g->n : 1, sizeof(*indeg));
	rt_rev **queue = calloc(g->n ? g->n : 1, sizeof(*queue));
	size_t i, head = 0, tail = 0;
	int rc = 0;

	if (!indeg || !queue) {
		rc = rt_error(err, RETORT_ERROR, "out of memory");
		goto done;
	}
	for (i = 0; i < g->n; i++) {
		rt_rev *r = g->by_id[i];
		r->topo = i; /* temporarily: index in by_id */
		indeg[i] = r->nparents + r->ndeps;
	}
	for (i = 0; i < g->n; i++)
		if (!indeg[i])
			queue[tail++] = g->by_id[i];
	while (head < tail) {
		rt_rev *r = queue[head++];
		size_t k;
		for (k = 0; k < r->nchildren + r->ndependents; k++) {
			rt_rev *c = k < r->nchildren ? r->children[k] : r->dependents[k - r->nchildren];
			if (--indeg[c->topo] == 0)
				queue[tail++] = c;
		}
	}
	if (tail != g->n) {
		rc = report_cycle(g, indeg, err);
		goto done;
	}
	for (i = 0; i < g->n; i++)
		queue[i]->topo = i;
	g->topo = queue;
	queue = NULL;
done:
	free(indeg);
	free(queue);
	return rc;
}

static int by_id_of_children(rt_graph *g)
{
	size_t i;

	/* children arrive in file order; keep them sorted by id for
	 * deterministic listings and walks */
	for (i = 0; i < g->n; i++) {
		rt_rev *r = g->by_id[i];
		if (r->nchildren > 1)
			qsort(r->children, r->nchildren, sizeof(*r->children), cmp_id);
	}
	return 0;
}

/* The header of versions file `name`: from the cache when the file is as
 * the cache remembers it, else read, parsed and remembered. */
static int load_header(rt_script *out, rt_hcache *cache, int dirfd, const char *name,
		       const char *path, rt_buf *err)
{
	struct stat st;
	rt_buf packed = RT_BUF_INIT;
	const char *blob;
	size_t len;
	int rc;

	if (!cache || fstatat(dirfd, name, &st, 0) != 0)
		return rt_script_load_at(out, dirfd, name, path, 1, err);
	if ((blob = rt_hcache_get(cache, name, &st, &len)) != NULL) {
		if (rt_script_unpack(out, path, blob, len) == 0)
			return 0;
		rt_hcache_forget(cache);
	}
	if ((rc = rt_script_load_at(out, dirfd, name, path, 1, err)) < 0)
		return rc;
	rt_script_pack(&packed, out);
	if (!rt_buf_oom(&packed))
		rt_hcache_put(cache, name, &st, packed.ptr, packed.len);
	rt_buf_release(&packed);
	return 0;
}

/* Give `r` the labels `from` declares.  Each revision gets a declaring
 * revision's labels once (spread_labels sees to it), and no two
 * revisions declare the same label: no search for one already there,
 * which made a long line of labelled revisions cubic. */
static int add_branches(rt_rev *r, const rt_rev *from)
{
	size_t i;

	for (i = 0; i < from->s.branch_labels.count; i++) {
		size_t n = r->nbranches;

		/* the capacity doubles at every power of two, as add_edge's */
		if (!(n & (n - 1))) {
			const char **v = realloc(r->branches, (n ? 2 * n : 1) * sizeof(*v));
			if (!v)
				return RETORT_ERROR;
			r->branches = v;
		}
		r->branches[r->nbranches++] = from->s.branch_labels.items[i];
	}
	return 0;
}

/* A branch point as Alembic's label spreading sees one: more than one
 * revision builds on it, through down_revision or depends_on. */
static int real_branch_point(const rt_rev *r)
{
	size_t i, k, n = r->nchildren;

	for (i = 0; i < r->ndependents && n < 2; i++) {
		for (k = 0; k < r->nchildren && r->children[k] != r->dependents[i]; k++)
			;
		n += k == r->nchildren;
	}
	return n > 1;
}

/* The branch labels every revision carries, as Alembic 1.8 spreads them
 * from the revision declaring them: to every revision built on it
 * through down_revision, merges included, and, when those form a single
 * line, from the line's end down past the declaring revision to the
 * nearest branch point or merge.  (Alembic walks down from the last
 * revision its search met; where the revisions above branch, that walk
 * stops at the branch, so only the single line reaches below.) */
static int spread_labels(rt_graph *g)
{
	rt_revvec above = { 0 };
	unsigned int stamp;
	size_t i, k;
	int rc = 0;

	for (i = 0; i < g->n && rc >= 0; i++) {
		rt_rev *l = g->topo[i], *end = NULL;
		int line = 1;

		if (!l->s.branch_labels.count)
			continue;
		above.n = 0;
		if ((rc = walk(g, &above, &l, 1, WALK_UP)) < 0)
			break;
		stamp = rt_graph_mark(g);
		for (k = 0; k < above.n && rc >= 0; k++) {
			rc = add_branches(above.v[k], l);
			above.v[k]->mark = stamp;
			line &= above.v[k]->nchildren <= 1;
			if (!above.v[k]->nchildren)
				end = above.v[k];
		}
		/* down the line again, through what got them above */
		for (; line && end && rc >= 0; end = end->nparents == 1 ? end->parents[0] : NULL) {
			if (real_branch_point(end) || end->nparents > 1)
				break;
			if (end->mark != stamp)
				rc = add_branches(end, l);
		}
	}
	for (i = 0; i < g->n; i++)
		if (g->revs[i].nbranches > 1)
			qsort(g->revs[i].branches, g->revs[i].nbranches,
			      sizeof(*g->revs[i].branches), cmp_str);
	rt_revvec_release(&above);
	return rc;
}

/* Index, link and order the revisions whose headers are loaded (g->revs,
 * g->by_id, g->n): duplicate ids, labels, parents and dependencies,
 * children, the topological order, flags. */
static int build(rt_graph *g, rt_buf *err)
{
	rt_revvec below = { 0 };
	size_t i;
	int rc;

	/* files named after their revision (Alembic's "%(rev)s_%(slug)s")
	 * come in id order already: no sort */
	for (i = 1; i < g->n && cmp_id(&g->by_id[i - 1], &g->by_id[i]) < 0; i++)
		;
	if (i < g->n)
		qsort(g->by_id, g->n, sizeof(*g->by_id), cmp_id);
	for (i = 1; i < g->n; i++) {
		if (!strcmp(g->by_id[i - 1]->s.revision, g->by_id[i]->s.revision))
			return rt_error(err, RETORT_EINVALID,
					"duplicate revision id '%s' in '%s' and '%s'",
					g->by_id[i]->s.revision, g->by_id[i - 1]->s.path,
					g->by_id[i]->s.path);
	}
	if (index_ids(g) < 0)
		return rt_error(err, RETORT_ERROR, "out of memory");
	if ((rc = index_labels(g, err)) < 0)
		return rc;
	for (i = 0; i < g->n; i++) {
		rt_rev *r = g->by_id[i];
		if ((rc = link_list(g, r, &r->s.down_revisions, &r->parents, &r->nparents,
				    "down_revision", err)) < 0 ||
		    (rc = link_list(g, r, &r->s.depends_on, &r->deps, &r->ndeps,
				    "depends_on", err)) < 0)
			return rc;
	}
	for (i = 0; i < g->n; i++) {
		rt_rev *r = g->by_id[i];
		size_t k;
		for (k = 0; k < r->nparents; k++)
			if (add_edge(&r->parents[k]->children, &r->parents[k]->nchildren, r) < 0)
				return rt_error(err, RETORT_ERROR, "out of memory");
		for (k = 0; k < r->ndeps; k++)
			if (add_edge(&r->deps[k]->dependents, &r->deps[k]->ndependents, r) < 0)
				return rt_error(err, RETORT_ERROR, "out of memory");
	}
	by_id_of_children(g);
	if ((rc = sort_topo(g, err)) < 0)
		return rc;
	/* parents come first in topological order */
	for (i = 0; i < g->n; i++) {
		rt_rev *r = g->topo[i];
		r->labeled = r->s.branch_labels.count ? r
			     : r->nparents == 1 ? r->parents[0]->labeled : NULL;
	}
	for (i = 0; i < g->n; i++)
		if (version_deps(g, &below, g->by_id[i]) < 0) {
			rt_revvec_release(&below);
			return rt_error(err, RETORT_ERROR, "out of memory");
		}
	rt_revvec_release(&below);
	if (g->nlabels && spread_labels(g) < 0)
		return rt_error(err, RETORT_ERROR, "out of memory");
	for (i = 0; i < g->n; i++) {
		rt_rev *r = g->by_id[i];
		r->flags = (r->nchildren ? 0 : RETORT_REV_HEAD) |
			   (r->nparents ? 0 : RETORT_REV_BASE) |
			   (r->nchildren > 1 ? RETORT_REV_BRANCHPOINT : 0) |
			   (r->nparents > 1 ? RETORT_REV_MERGEPOINT : 0);
	}
	return 0;
}

/* Add the headers of every *.sql file of folder `dir` to g->revs (room
 * for them made here; g->by_id is filled once all folders are read).
 * A missing folder is skipped when `skip_missing`. */
static int load_dir(rt_graph *g, size_t *cap, const char *dir, int skip_missing,
		    const char *cache_dir, rt_buf *err)
{
	rt_strlist files = { 0 };
	rt_buf path = RT_BUF_INIT;
	rt_hcache *cache = NULL;
	size_t i, dirlen;
	int rc, dirfd, *folders;

	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		if (skip_missing && errno == ENOENT)
			return 0;
		return rt_error(err, RETORT_ENOTFOUND, "cannot open the versions folder '%s': %s",
				dir, strerror(errno));
	}
	/* kept open: reading the files of a plan by name in it spares the
	 * kernel a walk of the whole path per file */
	if (!(folders = realloc(g->folders, (g->nfolders + 1) * sizeof(*folders)))) {
		close(dirfd);
		return rt_error(err, RETORT_ERROR, "out of memory");
	}
	g->folders = folders;
	g->folders[g->nfolders++] = dirfd;
	if ((rc = list_files(&files, dirfd, dir, err)) < 0)
		goto done;
	cache = rt_hcache_open(cache_dir, dir, time(NULL));
	if (!g->revs) { /* calloc: fresh pages come zeroed, no memset */
		if (!(g->revs = calloc(files.count ? files.count : 1, sizeof(*g->revs))))
			goto oom;
		*cap = files.count;
	} else if (g->n + files.count > *cap) {
		size_t want = g->n + files.count;
		rt_rev *revs = realloc(g->revs, want * sizeof(*revs));

		if (!revs)
			goto oom;
		memset(revs + g->n, 0, (want - g->n) * sizeof(*revs));
		g->revs = revs;
		*cap = want;
	}
	/* "dir/name" without printf, which showed in the profile of listing
	 * thousands of files, and with "dir/" put once */
	rt_buf_puts(&path, dir);
	rt_buf_putc(&path, '/');
	dirlen = path.len;
	for (i = 0; i < files.count; i++) {
		/* counted first: what a failed parse left goes with the graph */
		rt_rev *r = &g->revs[g->n++];

		r->folder = (unsigned int)(g->nfolders - 1);
		r->name_at = (unsigned int)dirlen;
		rt_buf_truncate(&path, dirlen);
		rt_buf_puts(&path, files.items[i]);
		if (rt_buf_oom(&path))
			goto oom;
		if ((rc = load_header(&r->s, cache, dirfd, files.items[i], path.ptr, err)) < 0) {
			if (rc != RETORT_ERROR)
				rc = RETORT_EINVALID;
			goto done;
		}
	}
	goto done;
oom:
	rc = rt_error(err, RETORT_ERROR, "out of memory");
done:
	rt_hcache_close(cache, rc >= 0);
	rt_strlist_release(&files);
	rt_buf_release(&path);
	return rc;
}

int rt_graph_load_dirs(rt_graph *g, const rt_strlist *dirs, int skip_missing,
		       const char *cache_dir, rt_buf *err)
{
	rt_buf names = RT_BUF_INIT;
	size_t i, cap = 0;
	int rc = 0;

	memset(g, 0, sizeof(*g));
	/* messages name the folders: "a', 'b" goes between quotes */
	for (i = 0; i < dirs->count; i++)
		rt_buf_printf(&names, "%s%s", i ? "', '" : "", dirs->items[i]);
	if (rt_buf_oom(&names) || !(g->dir = rt_buf_detach(&names)))
		return rt_error(err, RETORT_ERROR, "out of memory");
	for (i = 0; i < dirs->count && rc >= 0; i++)
		rc = load_dir(g, &cap, dirs->items[i], skip_missing, cache_dir, err);
	if (rc >= 0 && !(g->by_id = calloc(g->n ? g->n : 1, sizeof(*g->by_id))))
		rc = rt_error(err, RETORT_ERROR, "out of memory");
	for (i = 0; rc >= 0 && i < g->n; i++)
		g->by_id[i] = &g->revs[i];
	if (rc >= 0)
		rc = build(g, err);
	if (rc < 0) {
		/* the headers loaded so far are released with the graph */
		rt_graph_release(g);
	}
	return rc;
}

int rt_graph_load(rt_graph *g, const char *dir, const char *cache_dir, rt_buf *err)
{
	char *one[1];
	rt_strlist dirs = { one, 1, 1 };

	one[0] = (char *)dir; /* only read */
	return rt_graph_load_dirs(g, &dirs, 0, cache_dir, err);
}

/* ---- a program's source of migration files (retort_source) ----------------- */

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int source_error(const retort_source *src, const char *doing, const char *name,
			int rc, rt_buf *err)
{
	return rt_error(err, rc == RETORT_ENOTFOUND ? rc : RETORT_ERROR,
			"the migration source '%s' could not %s%s%s%s (%d)", src->name, doing,
			name ? " '" : "", name ? name : "", name ? "'" : "", rc);
}

/* Read `name` of `src` whole: a NUL-terminated copy the caller frees. */
static int source_read(const retort_source *src, const char *name, char **text, size_t *len,
		       rt_buf *err)
{
	char *got = NULL;
	size_t n = 0;
	int rc;

	*text = NULL;
	if ((rc = src->read(src, name, &got, &n)) < 0 || !got)
		return source_error(src, "read", name, rc < 0 ? rc : RETORT_ERROR, err);
	*text = got;
	if (len)
		*len = n;
	return 0;
}

int rt_graph_load_source(rt_graph *g, const retort_source *src, rt_buf *err)
{
	retort_strarray names = { NULL, 0 };
	rt_buf path = RT_BUF_INIT;
	size_t i;
	int rc;

	memset(g, 0, sizeof(*g));
	g->source = src;
	if (!(g->dir = rt_strdup(src->name ? src->name : "embedded")))
		return rt_error(err, RETORT_ERROR, "out of memory");
	if ((rc = src->list(src, &names)) < 0) {
		rc = source_error(src, "list its migrations", NULL, rc, err);
		goto done;
	}
	qsort(names.strings, names.count, sizeof(*names.strings), cmp_name);
	if (!(g->by_id = calloc(names.count ? names.count : 1, sizeof(*g->by_id))) ||
	    !(g->revs = calloc(names.count ? names.count : 1, sizeof(*g->revs)))) {
		rc = rt_error(err, RETORT_ERROR, "out of memory");
		goto done;
	}
	for (i = 0; i < names.count; i++) {
		char *text;
		size_t len = 0;

		rt_buf_clear(&path);
		rt_buf_printf(&path, "%s/%s", g->dir, names.strings[i]);
		if (rt_buf_oom(&path)) {
			rc = rt_error(err, RETORT_ERROR, "out of memory");
			goto done;
		}
		if ((rc = source_read(src, names.strings[i], &text, &len, err)) < 0)
			goto done;
		g->by_id[g->n] = &g->revs[g->n];
		rc = rt_script_parse(&g->revs[g->n].s, path.ptr, text, len, 1, err);
		free(text);
		if (rc < 0) {
			if (rc != RETORT_ERROR)
				rc = RETORT_EINVALID;
			goto done;
		}
		g->n++;
	}
	rc = build(g, err);
done:
	retort_strarray_release(&names);
	rt_buf_release(&path);
	if (rc < 0)
		rt_graph_release(g);
	return rc;
}

/* The name a source knows a revision's file by: its path past "dir/". */
static const char *source_name(const rt_graph *g, const rt_rev *rev)
{
	size_t n = strlen(g->dir);

	return !strncmp(rev->s.path, g->dir, n) && rev->s.path[n] == '/' ? rev->s.path + n + 1
									 : rev->s.path;
}

int rt_graph_read(const rt_graph *g, const rt_rev *rev, char **text, size_t *len, rt_buf *err)
{
	if (g->source)
		return source_read(g->source, source_name(g, rev), text, len, err);
	if (rev->folder < g->nfolders)
		return rt_read_file_at(text, len, g->folders[rev->folder],
				       rev->s.path + rev->name_at, rev->s.path, err);
	return rt_read_file(text, len, rev->s.path, err);
}

int rt_graph_script(const rt_graph *g, const rt_rev *rev, rt_script *out, rt_buf *err)
{
	char *text;
	size_t len;
	int rc;

	if (!g->source && rev->folder < g->nfolders)
		return rt_script_load_at(out, g->folders[rev->folder], rev->s.path + rev->name_at,
					 rev->s.path, 0, err);
	if (!g->source)
		return rt_script_load(out, rev->s.path, 0, err);
	memset(out, 0, sizeof(*out));
	if ((rc = rt_graph_read(g, rev, &text, &len, err)) < 0)
		return rc;
	rc = rt_script_parse(out, rev->s.path, text, len, 0, err);
	free(text);
	return rc;
}

/* The memory source (retort_source_files): a retort_files array. */
static int files_list(const retort_source *src, retort_strarray *out)
{
	const retort_files *fs = src->payload;
	size_t i;

	out->count = 0;
	if (!(out->strings = calloc(fs->count ? fs->count : 1, sizeof(*out->strings))))
		return RETORT_ERROR;
	for (i = 0; i < fs->count; i++, out->count++)
		if (!(out->strings[i] = rt_strdup(fs->files[i].name)))
			return RETORT_ERROR;
	return 0;
}

static int files_read(const retort_source *src, const char *name, char **text, size_t *len)
{
	const retort_files *fs = src->payload;
	size_t i;

	for (i = 0; i < fs->count; i++)
		if (!strcmp(fs->files[i].name, name)) {
			if (!(*text = rt_strndup(fs->files[i].text, fs->files[i].len)))
				return RETORT_ERROR;
			*len = fs->files[i].len;
			return 0;
		}
	return RETORT_ENOTFOUND;
}

void retort_source_files(retort_source *out, const retort_files *files)
{
	memset(out, 0, sizeof(*out));
	out->version = RETORT_SOURCE_VERSION;
	out->name = files->name && *files->name ? files->name : "embedded";
	out->list = files_list;
	out->read = files_read;
	out->payload = (void *)files;
}

/* The folder source (retort_source_folder): the *.sql files of a folder,
 * read as the versions folder's are. */
static int folder_list(const retort_source *src, retort_strarray *out)
{
	rt_strlist files = { 0 };
	rt_buf err = RT_BUF_INIT;
	int fd, rc;

	memset(out, 0, sizeof(*out));
	if ((fd = open(src->payload, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? RETORT_ENOTFOUND : RETORT_ERROR;
	rc = list_files(&files, fd, src->payload, &err);
	close(fd);
	rt_buf_release(&err);
	if (rc < 0) {
		rt_strlist_release(&files);
		return rc;
	}
	out->strings = files.items;
	out->count = files.count;
	return 0;
}

static int folder_read(const retort_source *src, const char *name, char **text, size_t *len)
{
	rt_buf path = RT_BUF_INIT, err = RT_BUF_INIT;
	int rc;

	rt_buf_printf(&path, "%s/%s", (const char *)src->payload, name);
	rc = rt_buf_oom(&path) ? RETORT_ERROR : rt_read_file(text, len, path.ptr, &err);
	rt_buf_release(&path);
	rt_buf_release(&err);
	return rc;
}

void retort_source_folder(retort_source *out, const char *path)
{
	memset(out, 0, sizeof(*out));
	out->version = RETORT_SOURCE_VERSION;
	out->name = path;
	out->list = folder_list;
	out->read = folder_read;
	out->payload = (void *)path;
}
