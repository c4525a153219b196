/*
 * fuzz_target.c - libFuzzer target for the target and range grammar
 * (head, base, prefixes, +N, REV-N, label@..., A:B, -3:current) over a
 * small fixed graph with a branch point, a second labelled base and a
 * merge.  Resolving must never crash, and whatever resolves must be
 * revisions of the graph.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static rt_graph graph;
static int loaded;

static void write_rev(const char *dir, const char *id, const char *down, const char *label)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s_m.sql", dir, id);
	if (!(f = fopen(path, "w")))
		abort();
	fprintf(f, "-- %s\n--\n-- revision: %s\n-- down_revision: %s\n-- branch_labels: %s\n"
		"\n-- +upgrade\n-- +downgrade\n", id, id, down, label);
	fclose(f);
}

/* a1 <- a2 <- a3 <- m1 (merge) ; a2 <- a4 ; b1 (label other) <- b2 <- m1 */
static void load_graph(void)
{
	char dir[] = "/tmp/retort-fuzz-target.XXXXXX";
	rt_buf err = RT_BUF_INIT;

	if (!mkdtemp(dir))
		abort();
	write_rev(dir, "aa11", "", "");
	write_rev(dir, "aa22", "aa11", "");
	write_rev(dir, "aa33", "aa22", "main");
	write_rev(dir, "aa44", "aa22", "");
	write_rev(dir, "bb11", "", "other");
	write_rev(dir, "bb22", "bb11", "");
	write_rev(dir, "cc11", "aa33, bb22", "");
	if (rt_graph_load(&graph, dir, NULL, &err) < 0)
		abort();
	rt_buf_release(&err);
	loaded = 1;
}

static void check(const rt_revvec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (!v->v[i] || rt_graph_get(&graph, v->v[i]->s.revision) != v->v[i])
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const rows[] = { "aa33", "bb22" };
	rt_strlist current = { (char **)rows, 0, 0 };
	rt_buf err = RT_BUF_INIT;
	rt_target t;
	rt_revvec range = { 0 };
	char *spec;
	int dir;

	if (!loaded)
		load_graph();
	if (!size)
		return 0;
	/* first byte: how many current rows, and the direction */
	current.count = data[0] % 3;
	dir = (data[0] >> 2) % 3;
	spec = rt_strndup((const char *)data + 1, size - 1);
	if (!spec)
		return 0;
	if (rt_target_resolve(&t, &graph, spec, (data[0] & 0x40) ? NULL : &current, dir, &err) >= 0) {
		check(&t.revs);
		rt_target_release(&t);
	}
	if (rt_range_resolve(&range, &graph, spec, &current, &err) >= 0)
		check(&range);
	rt_target_needs_current(spec);
	rt_revvec_release(&range);
	rt_buf_release(&err);
	free(spec);
	return 0;
}
