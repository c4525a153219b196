/*
 * test_autogen_dialects_pg.c - one model, every dialect (issue 16), as a
 * property test: a project developed on a SQLite file with
 * `dialects = sqlite, postgresql` and dev_url on the test server of the
 * CTest fixture pg/start.
 *
 * For each seed, a random pair A -> B of what both dialects model
 * (autogen_property.h's generator with gen_both), each schema rendered
 * for each dialect as schema.sqlite.sql and schema.postgresql.sql beside
 * the project's `schema`.  Then, through the public API:
 *
 *   autogenerate for both dialects from nothing to A: SQLite's section from
 *   the SQLite file, PostgreSQL's from the migrations replayed on a
 *   scratch database; the revision upgrades the SQLite file and a
 *   PostgreSQL database, each then equals its dialect's A; rows go in;
 *   the same from A to B, with the renames: each database equals its
 *   dialect's B, check is clean on both, and the rows are still there;
 *   downgrade -1 on both: each is back at its A, with its rows.
 *
 * "Equals" is autogenerate's own comparison of the introspected database
 * with the model run in a scratch database of the same dialect.
 * RETORT_PROPERTY_PAIRS (default DEFAULT_PAIRS), RETORT_PROPERTY_BASE and
 * RETORT_PROPERTY_SEED as for the one-dialect tests.
 */
#define PROP_DIALECTS 1
#include "autogen_property.h"

/*
 * The suite's share.  A pair takes a little over a second on the 2-core
 * test machine, most of it the two scratch databases PostgreSQL's side is
 * replayed on (CREATE DATABASE alone is about 0.3 s), so 50 pairs keep
 * the test near a minute; the long run is RETORT_PROPERTY_PAIRS=2000.
 */
#define DEFAULT_PAIRS 50

static const char *const dialect_names[2] = { "sqlite", "postgresql" };

/* What a pair has on one side: its database, its dialect's SQL of A and
 * B and of A's rows, the models of A and B, the rows read back. */
typedef struct side {
	prop *p;
	rt_buf sa, sb, rows;
	rt_schema ma, mb;
	rt_strlist before, after, back;
} side;

static void side_release(side *s)
{
	rt_buf_release(&s->sa);
	rt_buf_release(&s->sb);
	rt_buf_release(&s->rows);
	rt_schema_release(&s->ma);
	rt_schema_release(&s->mb);
	rt_strlist_release(&s->before);
	rt_strlist_release(&s->after);
	rt_strlist_release(&s->back);
}

/* Upgrade the PostgreSQL database to head, through a context opened now:
 * one opened before would not know the revision just written. */
static int upgrade_pg(prop *p, retort **pctx, const char *msg)
{
	retort_free(*pctx);
	*pctx = NULL;
	if (open_project(p, pctx, p->url) < 0)
		return -1;
	if (retort_upgrade(*pctx, "head", NULL) < 0) {
		note(p, "%s: upgrade of the postgresql database failed: %s\n", msg,
		     retort_errmsg(*pctx));
		return -1;
	}
	return 0;
}

/* Each dialect's model, of A or (b) of B, where retort looks for it:
 * schema.<dialect>.sql beside the project's `schema`. */
static int write_models(prop *p, side *s, int b)
{
	int k;

	for (k = 0; k < 2; k++) {
		char name[64];
		snprintf(name, sizeof(name), "schema.%s.sql", dialect_names[k]);
		if (write_text(p->dir, name, b ? s[k].sb.ptr : s[k].sa.ptr) < 0) {
			note(p, "cannot write %s\n", name);
			return -1;
		}
	}
	return 0;
}

static int pair_dialects(void *arg, unsigned long long seed)
{
	prop *dbs = arg; /* [0] the SQLite file, [1] the PostgreSQL database */
	gschema a, b;
	renames r;
	side s[2];
	retort *ctx = NULL, *pctx = NULL, *c;
	char when[96];
	int ok = 0, k;

	memset(s, 0, sizeof(s));
	gen_pg = 0;
	gen_pair(seed, &a, &b, &r);
	rt_buf_clear(dbs[0].log);
	for (k = 0; k < 2; k++) {
		s[k].p = &dbs[k];
		gen_pg = k;
		schema_sql(&s[k].sa, &a);
		schema_sql(&s[k].sb, &b);
		rows_sql(&s[k].rows, &a);
		note(s[k].p, "---- %s schema A:\n%s---- %s rows:\n%s---- %s schema B:\n%s",
		     dialect_names[k], s[k].sa.ptr, dialect_names[k], s[k].rows.ptr, dialect_names[k],
		     s[k].sb.ptr);
	}
	gen_pg = 0;
	note_renames(&dbs[0], &r);

	clear_versions(&dbs[0]);
	for (k = 0; k < 2; k++)
		if (reset_db(s[k].p) < 0 || sql_model(s[k].p, s[k].sa.ptr, &s[k].ma) < 0 ||
		    sql_model(s[k].p, s[k].sb.ptr, &s[k].mb) < 0)
			goto done;
	if (write_models(&dbs[0], s, 0) < 0 || open_project(&dbs[0], &ctx, NULL) < 0)
		goto done;
	/* A on both, with rows */
	if (step(&dbs[0], ctx, "create A", NULL, dialect_names, 2) < 0 ||
	    upgrade_pg(&dbs[1], &pctx, "create A") < 0)
		goto done;
	for (k = 0; k < 2; k++) {
		snprintf(when, sizeof(when), "%s at A", dialect_names[k]);
		if (!same_schema(s[k].p, &s[k].ma, when) || db_exec(s[k].p, s[k].rows.ptr) < 0 ||
		    snapshot(s[k].p, &a, &b, &r, 0, &s[k].before) < 0)
			goto done;
	}
	/* A -> B on both */
	if (write_models(&dbs[0], s, 1) < 0 || step(&dbs[0], ctx, "A to B", &r, dialect_names, 2) < 0 ||
	    upgrade_pg(&dbs[1], &pctx, "A to B") < 0)
		goto done;
	for (k = 0; k < 2; k++) {
		c = k ? pctx : ctx;
		snprintf(when, sizeof(when), "%s after upgrade to B", dialect_names[k]);
		if (!same_schema(s[k].p, &s[k].mb, when))
			goto done;
		snprintf(when, sizeof(when), "%s at B", dialect_names[k]);
		if (!check_clean(s[k].p, c, when) ||
		    snapshot(s[k].p, &a, &b, &r, 1, &s[k].after) < 0 ||
		    !same_rows(s[k].p, &s[k].before, &s[k].after, when))
			goto done;
	}
	/* and back on both */
	for (k = 0; k < 2; k++) {
		c = k ? pctx : ctx;
		if (retort_downgrade(c, "-1", NULL) < 0) {
			note(s[k].p, "downgrade of the %s database failed: %s\n", dialect_names[k],
			     retort_errmsg(c));
			goto done;
		}
		snprintf(when, sizeof(when), "%s after downgrade to A", dialect_names[k]);
		if (!same_schema(s[k].p, &s[k].ma, when))
			goto done;
		snprintf(when, sizeof(when), "%s back at A", dialect_names[k]);
		if (snapshot(s[k].p, &a, &b, &r, 0, &s[k].back) < 0 ||
		    !same_rows(s[k].p, &s[k].before, &s[k].back, when))
			goto done;
	}
	ok = 1;
done:
	retort_free(ctx);
	retort_free(pctx);
	for (k = 0; k < 2; k++)
		side_release(&s[k]);
	return ok;
}

static void test_autogen_dialect_pairs(void **state)
{
	char dir[256], admin[512];
	rt_buf ini = RT_BUF_INIT;
	prop dbs[2];
	unsigned long long failed;

	(void)state;
	gen_both = 1;
	if (project_setup(dir, sizeof(dir)) < 0 || pg_admin_url(admin, sizeof(admin)) < 0 ||
	    prop_setup(&dbs[0], 0, dir) < 0 || prop_setup(&dbs[1], 1, dir) < 0)
		fail_msg("cannot set the property test up");
	/* one account of the pair, both databases' notes in order */
	dbs[1].log = dbs[0].log;
	/* developed on SQLite; each dialect's model beside `schema`, which
	 * is only where retort looks for them */
	rt_buf_printf(&ini, "[retort]\nscript_location = migrations\nurl = %s\n"
		      "dialects = sqlite, postgresql\ndev_url = %s\nschema = schema.sql\n",
		      dbs[0].url, admin);
	if (write_text(dir, "retort.ini", ini.ptr) < 0 ||
	    write_text(dir, "schema.sql", "-- the models: schema.sqlite.sql, schema.postgresql.sql\n") < 0)
		fail_msg("cannot write the project's files");
	rt_buf_release(&ini);
	failed = prop_run("sqlite+postgresql", DEFAULT_PAIRS, pair_dialects, dbs, dbs[0].log);
	prop_teardown(&dbs[1]);
	prop_teardown(&dbs[0]);
	project_remove(dir);
	if (failed)
		fail_msg("%llu pairs failed", failed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_autogen_dialect_pairs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
