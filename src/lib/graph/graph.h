/*
 * graph.h - the revision graph: every migration file's header, linked into
 * a DAG by down_revision (parents) and depends_on (dependencies).
 */
#ifndef RT_GRAPH_H
#define RT_GRAPH_H

#include "rt.h"

struct retort_rev {
	rt_script s;                    /* the header only; bodies load on demand */
	struct retort_rev **parents;    /* down_revision, in header order */
	size_t nparents;
	struct retort_rev **deps;       /* depends_on */
	size_t ndeps;
	struct retort_rev **vdeps;      /* the depends_on the version table
					   counts beside the parents: those
					   no ancestor through down_revision
					   depends on already (Alembic's) */
	size_t nvdeps;
	struct retort_rev **children;   /* revisions naming this as down_revision */
	size_t nchildren;
	struct retort_rev **dependents; /* revisions naming this in depends_on */
	size_t ndependents;
	size_t topo;                    /* position in topological order */
	const char **branches;          /* every branch label it carries, its
					   own and those Alembic spreads to
					   it (spread_labels), sorted */
	size_t nbranches;
	struct retort_rev *labeled;     /* this revision if it declares branch
					   labels, else its single parent's
					   `labeled`; NULL at a merge or base */
	unsigned int folder;            /* its versions folder: index in the
					   graph's `folders` */
	unsigned int name_at;           /* where the file's name starts in s.path */
	unsigned int flags;             /* RETORT_REV_* */
	unsigned int mark;              /* traversal stamp, see rt_graph_mark() */
};

typedef struct retort_rev rt_rev;

/* A growable array of borrowed revision pointers. */
typedef struct rt_revvec {
	rt_rev **v;
	size_t n;
	size_t cap;
} rt_revvec;

int rt_revvec_push(rt_revvec *vec, rt_rev *rev);
void rt_revvec_release(rt_revvec *vec);
/* Sort by topological position (parents first). */
void rt_revvec_sort_topo(rt_revvec *vec);

typedef struct rt_graph {
	rt_rev **topo;      /* every revision, parents before children */
	rt_rev **by_id;     /* every revision, sorted by id (prefix search) */
	rt_rev *revs;       /* where they live: one array, in file order */
	size_t n;
	unsigned int stamp; /* last traversal stamp handed out */
	char *dir;          /* the versions folders ("a', 'b" for several, to go
			       between quotes in messages), or the source's name */
	const retort_source *source; /* where the files come from; NULL: dir */
	int *folders;       /* each versions folder, open while the graph
			       reads the files in it (rt_graph_close_folders) */
	size_t nfolders;
	struct rt_id_slot { /* the revisions by id: a hash table of `idmask + 1`
			       slots, open addressing (rt_graph_get) */
		const char *id;
		struct retort_rev *rev;
	} *ids;
	size_t idmask;
	struct rt_label {   /* every branch label, sorted (rt_graph_label) */
		const char *label;
		rt_rev *rev;
	} *labels;
	size_t nlabels;
} rt_graph;

/* Load every *.sql file of the folders `dirs` (headers only) and validate
 * the graph: duplicate ids (across folders too), missing parents or
 * dependencies, cycles.  Errors name the files involved.  A folder that
 * does not exist is RETORT_ENOTFOUND, or skipped with `skip_missing`.
 * With a `cache_dir`, headers unchanged since the last load come from the
 * header cache there (hcache.h), one per folder. */
int rt_graph_load_dirs(rt_graph *g, const rt_strlist *dirs, int skip_missing,
		       const char *cache_dir, rt_buf *err);
/* The same for the one folder `dir`. */
int rt_graph_load(rt_graph *g, const char *dir, const char *cache_dir, rt_buf *err);
void rt_graph_release(rt_graph *g);
/* Close the versions folders the graph keeps open: its files are read by
 * their paths from then on (a graph kept for the pointers it handed out). */
void rt_graph_close_folders(rt_graph *g);

/* The same from a program's source (retort.h) instead of a folder: each
 * file read whole and its header parsed; the files' paths are
 * "NAME/FILE", NAME the source's name.  The source is borrowed. */
int rt_graph_load_source(rt_graph *g, const retort_source *src, rt_buf *err);

/* The whole text of a revision's file, from where the graph read it
 * (*text NUL-terminated, the caller's). */
int rt_graph_read(const rt_graph *g, const rt_rev *rev, char **text, size_t *len, rt_buf *err);

/* Parse a revision's whole file, from where the graph read it (the
 * section markers' dialects not checked yet: rt_rev_load_checked). */
int rt_graph_script(const rt_graph *g, const rt_rev *rev, rt_script *out, rt_buf *err);

/* The revision with this exact id, or NULL. */
rt_rev *rt_graph_get(const rt_graph *g, const char *id);

/* Look up an id or unique prefix: RETORT_ENOTFOUND or RETORT_EAMBIGUOUS
 * (the message lists the candidates). */
int rt_graph_find(rt_rev **out, const rt_graph *g, const char *prefix, rt_buf *err);

/* A fresh traversal stamp: rev->mark == stamp means "visited". */
unsigned int rt_graph_mark(rt_graph *g);

/* Add to `out` (unsorted, each once) every revision reachable from `from`
 * going down (parents and dependencies) or up (children and dependents),
 * including the starting revisions themselves.  Marks use `stamp`. */
int rt_graph_ancestors(rt_graph *g, rt_revvec *out, rt_rev *const *from, size_t n);
int rt_graph_descendants(rt_graph *g, rt_revvec *out, rt_rev *const *from, size_t n);
/* The same through down_revision only: what a revision is built on, or
 * what is built on it, not what it depends on or what depends on it. */
int rt_graph_down_ancestors(rt_graph *g, rt_revvec *out, rt_rev *const *from, size_t n);
int rt_graph_down_descendants(rt_graph *g, rt_revvec *out, rt_rev *const *from, size_t n);

/* Heads (no children), bases (no parents): in topological order. */
int rt_graph_heads(const rt_graph *g, rt_revvec *out);
int rt_graph_bases(const rt_graph *g, rt_revvec *out);

/* The revision declaring branch label `label`, or NULL. */
rt_rev *rt_graph_label(const rt_graph *g, const char *label);

/* ---- target.c -------------------------------------------------------------- */

/* What a target resolves to.  For most targets `revs` is the set of
 * revisions the database should include ("base" is empty).  When `cut` is
 * set (relative downgrades such as -2, label@base) `revs` are instead the
 * lowest revisions to remove, together with everything above them. */
typedef struct rt_target {
	rt_revvec revs;
	int cut;
} rt_target;

void rt_target_release(rt_target *t);

/* Resolve `spec` (DESIGN.md section 4).  `current` are the version table's
 * rows, or NULL when the database was not read (then +N, -N and current are
 * refused).  `direction` (RT_UP, RT_DOWN, or 0 for listings) decides what a
 * bare +N / -N means. */
int rt_target_resolve(rt_target *out, rt_graph *g, const char *spec,
		      const rt_strlist *current, int direction, rt_buf *err);

/* Resolve a history range "A:B", "A:", ":B" into the revisions between
 * (descendants of A that are ancestors of B), newest first. */
int rt_range_resolve(rt_revvec *out, rt_graph *g, const char *range,
		     const rt_strlist *current, rt_buf *err);

/* Does `spec` (a target or a range) need the database's current state? */
int rt_target_needs_current(const char *spec);
/* Whether `spec` is "heads" or "label@heads". */
int rt_target_names_heads(const char *spec);

#endif
