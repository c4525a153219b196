/*
 * test_diff.c - the schema diff and its rendering, on hand-built model
 * pairs: every kind of object added, dropped and changed, in both
 * dialects, and the order the operations come in.
 */
#include "rt_test.h"
#include "diff.h"
#include "introspect.h"
#ifdef RETORT_WITH_PG
#include "pgapi.h"
#endif

/* The renderer of a dialect's name (the library finds it through the
 * driver registry). */
static const rt_renderer *renderer_of(const char *dialect)
{
	return dialect && !strcmp(dialect, "postgresql") ? &rt_render_pg : &rt_render_sqlite;
}

/* ---- building models ------------------------------------------------------ */

static rt_table *table(rt_schema *s, const char *name)
{
	rt_table *t = rt_schema_add_table(s, name);

	assert_non_null(t);
	return t;
}

static rt_column *col(rt_table *t, const char *name, const char *type, int notnull,
		      const char *dflt)
{
	rt_column *c = rt_table_add_column(t, name, type);

	assert_non_null(c);
	c->notnull = notnull;
	assert_int_equal(rt_set_str(&c->dflt, dflt), 0);
	return c;
}

static void pk(rt_table *t, const char *name, const char *pkname)
{
	rt_column *c = rt_table_column(t, name);

	assert_non_null(c);
	c->pk = 1;
	assert_int_equal(rt_set_str(&t->pk_name, pkname), 0);
}

static rt_index *idx(rt_table *t, const char *name, int unique, const char *key,
		     const char *where)
{
	rt_index *x = rt_table_add_index(t, name);

	assert_non_null(x);
	x->unique = unique;
	assert_int_equal(rt_strlist_add(&x->keys, key), 0);
	assert_int_equal(rt_set_str(&x->where, where), 0);
	return x;
}

static rt_fkey *fk(rt_table *t, const char *name, const char *c, const char *ref,
		   const char *refcol, const char *on_delete)
{
	rt_fkey *f = rt_table_add_fkey(t, name, ref);

	assert_non_null(f);
	assert_int_equal(rt_strlist_add(&f->cols, c), 0);
	assert_int_equal(rt_strlist_add(&f->ref_cols, refcol), 0);
	assert_int_equal(rt_set_str(&f->on_delete, on_delete), 0);
	return f;
}

static void uq(rt_table *t, const char *name, const char *c)
{
	rt_unique *u = rt_table_add_unique(t, name);

	assert_non_null(u);
	assert_int_equal(rt_strlist_add(&u->cols, c), 0);
}

/* users(id pk, name TEXT NOT NULL) and posts(id pk, user_id -> users) */
static void shop(rt_schema *s, const char *dialect)
{
	int pg = !strcmp(dialect, "postgresql");
	rt_table *u, *p;

	assert_int_equal(rt_schema_init(s, renderer_of(dialect)), 0);
	u = table(s, "users");
	col(u, "id", pg ? "bigint" : "INTEGER", 1, NULL);
	col(u, "name", pg ? "text" : "TEXT", 1, NULL);
	pk(u, "id", pg ? "users_pkey" : NULL);
	p = table(s, "posts");
	col(p, "id", pg ? "bigint" : "INTEGER", 1, NULL);
	col(p, "user_id", pg ? "bigint" : "INTEGER", 1, NULL);
	col(p, "body", pg ? "text" : "TEXT", 0, NULL);
	pk(p, "id", pg ? "posts_pkey" : NULL);
	fk(p, pg ? "posts_user_id_fkey" : NULL, "user_id", "users", "id", "CASCADE");
	idx(p, "ix_posts_user_id", 0, "user_id", NULL);
}

/* ---- running a diff ------------------------------------------------------- */

typedef struct {
	rt_schema a, b;
	rt_diff d;
	rt_buf sql, ops;
	int fk_off;
} fixture;

static void run_diff(fixture *f, const char *const *renames, size_t n, int reverse)
{
	rt_rename r[8];
	rt_buf err = RT_BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++)
		assert_rt_ok_err(rt_rename_parse(&r[i], renames[i], &err), &err);
	rt_schema_sort(&f->a);
	rt_schema_sort(&f->b);
	assert_rt_ok_err(rt_diff_schemas(&f->d, &f->a, &f->b, r, n, reverse, &err), &err);
	assert_rt_ok_err(rt_render(&f->sql, &f->d, f->b.renderer, &f->fk_off, &err), &err);
	for (i = 0; i < f->d.nops; i++) {
		rt_op_describe(&f->ops, &f->d.ops[i]);
		rt_buf_putc(&f->ops, '\n');
	}
	for (i = 0; i < n; i++)
		rt_rename_release(&r[i]);
	rt_buf_release(&err);
}

static void fresh(fixture *f)
{
	memset(f, 0, sizeof(*f));
	rt_buf_init(&f->sql);
	rt_buf_init(&f->ops);
}

static void diff(fixture *f)
{
	run_diff(f, NULL, 0, 0);
}

static void done(fixture *f)
{
	rt_diff_release(&f->d);
	rt_schema_release(&f->a);
	rt_schema_release(&f->b);
	rt_buf_release(&f->sql);
	rt_buf_release(&f->ops);
}

#define assert_has(text, needle) do { \
	if (!strstr((text), (needle))) \
		fail_msg("expected <%s> in:\n%s", (needle), (text)); \
} while (0)

#define assert_lacks(text, needle) do { \
	if (strstr((text), (needle))) \
		fail_msg("did not expect <%s> in:\n%s", (needle), (text)); \
} while (0)

/* `first` comes before `second` in the text */
static void assert_before(const char *text, const char *first, const char *second)
{
	const char *a = strstr(text, first), *b = strstr(text, second);

	if (!a || !b || a > b)
		fail_msg("expected <%s> before <%s> in:\n%s", first, second, text);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_equal_models_give_nothing(void **state)
{
	fixture f;

	(void)state;
	fresh(&f);
	shop(&f.a, "sqlite");
	shop(&f.b, "sqlite");
	/* column order does not matter */
	{
		rt_table *t = rt_schema_table(&f.b, "posts");
		rt_column tmp = t->cols[0];
		t->cols[0] = t->cols[2];
		t->cols[2] = tmp;
	}
	diff(&f);
	assert_int_equal(f.d.nops, 0);
	assert_string_equal(f.sql.ptr, "");
	assert_true(rt_schema_equal(&f.a, &f.b));
	done(&f);
}

static void test_add_and_drop_table(void **state)
{
	fixture f;

	(void)state;
	fresh(&f);
	assert_int_equal(rt_schema_init(&f.a, &rt_render_sqlite), 0);
	shop(&f.b, "sqlite");
	diff(&f);
	assert_string_equal(f.ops.ptr, "add table users\nadd table posts\n"
			    "add index ix_posts_user_id on posts (user_id)\n");
	assert_has(f.sql.ptr, "CREATE TABLE users (\n    id INTEGER PRIMARY KEY NOT NULL,\n"
		   "    name TEXT NOT NULL\n);\n");
	assert_has(f.sql.ptr, "FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE");
	assert_has(f.sql.ptr, "CREATE INDEX ix_posts_user_id ON posts (user_id);");
	assert_int_equal(f.d.warnings.count, 0);
	done(&f);

	/* and back: children first, with warnings */
	fresh(&f);
	shop(&f.a, "sqlite");
	assert_int_equal(rt_schema_init(&f.b, &rt_render_sqlite), 0);
	diff(&f);
	assert_string_equal(f.ops.ptr, "drop table posts\ndrop table users\n");
	assert_has(f.sql.ptr, "-- WARNING: drops table 'posts' and its rows\nDROP TABLE posts;");
	assert_int_equal(f.d.warnings.count, 2);
	done(&f);
}

static void test_add_column_in_place_or_rebuild(void **state)
{
	fixture f;

	(void)state;
	fresh(&f);
	shop(&f.a, "sqlite");
	shop(&f.b, "sqlite");
	col(rt_schema_table(&f.b, "users"), "email", "TEXT", 0, NULL);
	diff(&f);
	assert_string_equal(f.sql.ptr, "ALTER TABLE users ADD COLUMN email TEXT;\n");
	assert_int_equal(f.fk_off, 0);
	done(&f);

	/* NOT NULL without a default cannot be added in place */
	fresh(&f);
	shop(&f.a, "sqlite");
	shop(&f.b, "sqlite");
	col(rt_schema_table(&f.b, "users"), "email", "TEXT", 1, NULL);
	diff(&f);
	assert_has(f.ops.ptr, "rebuild table users (add column users.email TEXT NOT NULL)");
	assert_has(f.sql.ptr, "CREATE TABLE new_users (");
	assert_has(f.sql.ptr, "INSERT INTO new_users (id, name)\n    SELECT id, name FROM users;\n"
		   "DROP TABLE users;\nALTER TABLE new_users RENAME TO users;\n");
	assert_int_equal(f.fk_off, 1);
	done(&f);

	/* PostgreSQL adds it in place either way */
	fresh(&f);
	shop(&f.a, "postgresql");
	shop(&f.b, "postgresql");
	col(rt_schema_table(&f.b, "users"), "email", "text", 1, "''::text");
	diff(&f);
	assert_string_equal(f.sql.ptr,
			    "ALTER TABLE users ADD COLUMN email text NOT NULL DEFAULT ''::text;\n");
	done(&f);
}

static void test_add_column_with_reference_in_place(void **state)
{
	fixture f;

	(void)state;
	fresh(&f);
	shop(&f.a, "sqlite");
	shop(&f.b, "sqlite");
	col(rt_schema_table(&f.b, "posts"), "editor_id", "INTEGER", 0, NULL);
	fk(rt_schema_table(&f.b, "posts"), NULL, "editor_id", "users", "id", NULL);
	diff(&f);
	assert_string_equal(f.sql.ptr,
			    "ALTER TABLE posts ADD COLUMN editor_id INTEGER REFERENCES users (id);\n");
	done(&f);
}

static void test_drop_column_warns_and_hints_rename(void **state)
{
	fixture f;
	static const char *const renames[] = { "users.name:full_name" };

	(void)state;
	fresh(&f);
	shop(&f.a, "sqlite");
	shop(&f.b, "sqlite");
	free(rt_schema_table(&f.b, "users")->cols[1].name);
	rt_schema_table(&f.b, "users")->cols[1].name = rt_strdup("full_name");
	diff(&f);
	assert_string_equal(f.ops.ptr, "rebuild table users (drop column users.name; add column "
			    "users.full_name TEXT NOT NULL)\n");
	assert_has(f.sql.ptr, "-- WARNING: drops column 'users.name' and its data");
	assert_int_equal(f.d.warnings.count, 2);
	assert_has(f.d.warnings.items[1], "pass --rename users.name:full_name");
	done(&f);

	/* with --rename: one RENAME COLUMN, data kept, and back */
	fresh(&f);
	shop(&f.a, "sqlite");
	shop(&f.b, "sqlite");
	free(rt_schema_table(&f.b, "users")->cols[1].name);
	rt_schema_table(&f.b, "users")->cols[1].name = rt_strdup("full_name");
	run_diff(&f, renames, 1, 0);
	assert_string_equal(f.sql.ptr, "ALTER TABLE users RENAME COLUMN name TO full_name;\n");
	assert_int_equal(f.d.warnings.count, 0);
	rt_diff_release(&f.d);
	rt_buf_clear(&f.sql);
	{
		rt_buf err = RT_BUF_INIT;
		rt_rename r;
		assert_rt_ok_err(rt_rename_parse(&r, renames[0], &err), &err);
		assert_rt_ok_err(rt_diff_schemas(&f.d, &f.b, &f.a, &r, 1, 1, &err), &err);
		assert_rt_ok_err(rt_render(&f.sql, &f.d, &rt_render_sqlite, NULL, &err), &err);
		assert_string_equal(f.sql.ptr, "ALTER TABLE users RENAME COLUMN full_name TO name;\n");
		rt_rename_release(&r);
		rt_buf_release(&err);
	}
	done(&f);
}

static void test_drop_column_in_place(void **state)
{
	fixture f;

	(void)state;
	fresh(&f);
	shop(&f.a, "postgresql");
	shop(&f.b, "postgresql");
	rt_schema_table(&f.b, "posts")->ncols--; /* body */
	free(rt_schema_table(&f.b, "posts")->cols[2].name);
	free(rt_schema_table(&f.b, "posts")->cols[2].type);
	diff(&f);
	assert_string_equal(f.sql.ptr, "-- WARNING: drops column 'posts.body' and its data\n"
			    "ALTER TABLE posts DROP COLUMN body;\n");
	done(&f);
}

static void test_rename_table(void **state)
{
	fixture f;
	static const char *const renames[] = { "posts:articles" };

	(void)state;
	fresh(&f);
	shop(&f.a, "postgresql");
	shop(&f.b, "postgresql");
	{
		rt_table *t = rt_schema_table(&f.b, "posts");
		free(t->name);
		t->name = rt_strdup("articles");
	}
	diff(&f);
	assert_has(f.ops.ptr, "drop table posts");
	assert_has(f.ops.ptr, "add table articles");
	assert_has(f.d.warnings.items[f.d.warnings.count - 1], "pass --rename posts:articles");
	rt_diff_release(&f.d);
	rt_buf_clear(&f.sql);
	rt_buf_clear(&f.ops);
	run_diff(&f, renames, 1, 0);
	assert_string_equal(f.ops.ptr, "rename table posts to articles\n");
	assert_string_equal(f.sql.ptr, "ALTER TABLE posts RENAME TO articles;\n");
	done(&f);
}

static void test_alter_column(void **state)
{
	fixture f;
	rt_column *c;

	(void)state;
	fresh(&f);
	shop(&f.a, "postgresql");
	shop(&f.b, "postgresql");
	c = rt_table_column(rt_schema_table(&f.a, "users"), "name");
	assert_int_equal(rt_set_str(&c->dflt, "'x'::text"), 0);
	c = rt_table_column(rt_schema_table(&f.b, "users"), "name");
	assert_int_equal(rt_set_str(&c->type, "character varying(20)"), 0);
	c->notnull = 0;
	assert_int_equal(rt_set_str(&c->dflt, "'y'::character varying"), 0);
	diff(&f);
	assert_string_equal(f.ops.ptr, "alter column users.name: type text -> character varying(20), "
			    "NOT NULL -> NULL, default 'x'::text -> 'y'::character varying\n");
	assert_string_equal(f.sql.ptr,
			    "-- WARNING: column 'users.name' changes type from text to character "
			    "varying(20): values may be cut or rejected\n"
			    "ALTER TABLE users ALTER COLUMN name DROP DEFAULT;\n"
			    /* no explicit cast: a value too long fails, not cut */
			    "ALTER TABLE users ALTER COLUMN name TYPE character varying(20);\n"
			    "ALTER TABLE users ALTER COLUMN name SET DEFAULT 'y'::character varying;\n"
			    "ALTER TABLE users ALTER COLUMN name DROP NOT NULL;\n");
	done(&f);

	/* SQLite: a rebuild */
	fresh(&f);
	shop(&f.a, "sqlite");
	shop(&f.b, "sqlite");
	c = rt_table_column(rt_schema_table(&f.b, "users"), "name");
	assert_int_equal(rt_set_str(&c->collation, "NOCASE"), 0);
	diff(&f);
	assert_has(f.sql.ptr, "    name TEXT NOT NULL COLLATE NOCASE\n");
	assert_int_equal(f.fk_off, 1);
	done(&f);
}

static void test_identity(void **state)
{
	fixture f;

	(void)state;
	fresh(&f);
	shop(&f.a, "postgresql");
	shop(&f.b, "postgresql");
	rt_table_column(rt_schema_table(&f.b, "users"), "id")->autoinc = RT_AUTO_IDENTITY;
	diff(&f);
	assert_string_equal(f.sql.ptr, "ALTER TABLE users ALTER COLUMN id ADD GENERATED BY DEFAULT "
			    "AS IDENTITY;\n");
	rt_diff_release(&f.d);
	rt_buf_clear(&f.sql);
	{
		rt_buf err = RT_BUF_INIT;
		assert_rt_ok_err(rt_diff_schemas(&f.d, &f.b, &f.a, NULL, 0, 0, &err), &err);
		assert_rt_ok_err(rt_render(&f.sql, &f.d, &rt_render_pg, NULL, &err), &err);
		assert_string_equal(f.sql.ptr, "ALTER TABLE users ALTER COLUMN id DROP IDENTITY;\n");
		rt_buf_release(&err);
	}
	done(&f);
}

static void test_indexes(void **state)
{
	fixture f;
	rt_index *x;

	(void)state;
	fresh(&f);
	shop(&f.a, "postgresql");
	shop(&f.b, "postgresql");
	/* changed: unique now; added: partial expression index */
	rt_table_index(rt_schema_table(&f.b, "posts"), "ix_posts_user_id")->unique = 1;
	idx(rt_schema_table(&f.b, "users"), "ix_users_lower_name", 0, "lower(name)",
	    "name IS NOT NULL");
	diff(&f);
	assert_string_equal(f.sql.ptr,
			    "DROP INDEX ix_posts_user_id;\n"
			    "CREATE UNIQUE INDEX ix_posts_user_id ON posts (user_id);\n"
			    "CREATE INDEX ix_users_lower_name ON users (lower(name)) WHERE name IS NOT NULL;\n");
	done(&f);

	/* renamed: ALTER INDEX on PostgreSQL, drop and create on SQLite */
	fresh(&f);
	shop(&f.a, "postgresql");
	shop(&f.b, "postgresql");
	x = rt_table_index(rt_schema_table(&f.b, "posts"), "ix_posts_user_id");
	free(x->name);
	x->name = rt_strdup("posts_by_user");
	diff(&f);
	assert_string_equal(f.sql.ptr, "ALTER INDEX ix_posts_user_id RENAME TO posts_by_user;\n");
	done(&f);

	fresh(&f);
	shop(&f.a, "sqlite");
	shop(&f.b, "sqlite");
	x = rt_table_index(rt_schema_table(&f.b, "posts"), "ix_posts_user_id");
	free(x->name);
	x->name = rt_strdup("posts_by_user");
	diff(&f);
	assert_string_equal(f.sql.ptr, "DROP INDEX ix_posts_user_id;\n"
			    "CREATE INDEX posts_by_user ON posts (user_id);\n");
	assert_int_equal(f.fk_off, 0);
	done(&f);
}

static void test_unique_and_check(void **state)
{
	fixture f;

	(void)state;
	fresh(&f);
	shop(&f.a, "postgresql");
	shop(&f.b, "postgresql");
	uq(rt_schema_table(&f.b, "users"), "users_name_key", "name");
	assert_non_null(rt_table_add_check(rt_schema_table(&f.b, "users"), "users_name_check",
					   "length(name) > 0"));
	diff(&f);
	assert_string_equal(f.sql.ptr,
			    "ALTER TABLE users ADD CONSTRAINT users_name_key UNIQUE (name);\n"
			    "ALTER TABLE users ADD CONSTRAINT users_name_check CHECK (length(name) > 0);\n");
	rt_diff_release(&f.d);
	rt_buf_clear(&f.sql);
	{
		rt_buf err = RT_BUF_INIT;
		assert_rt_ok_err(rt_diff_schemas(&f.d, &f.b, &f.a, NULL, 0, 0, &err), &err);
		assert_rt_ok_err(rt_render(&f.sql, &f.d, &rt_render_pg, NULL, &err), &err);
		assert_string_equal(f.sql.ptr,
				    "ALTER TABLE users DROP CONSTRAINT users_name_key;\n"
				    "ALTER TABLE users DROP CONSTRAINT users_name_check;\n");
		rt_buf_release(&err);
	}
	done(&f);

	/* SQLite: constraints live in CREATE TABLE, so a rebuild */
	fresh(&f);
	shop(&f.a, "sqlite");
	shop(&f.b, "sqlite");
	uq(rt_schema_table(&f.b, "users"), NULL, "name");
	assert_non_null(rt_table_add_check(rt_schema_table(&f.b, "users"), NULL, "length(name) > 0"));
	diff(&f);
	assert_has(f.sql.ptr, "    UNIQUE (name),\n    CHECK (length(name) > 0)\n);\n");
	assert_has(f.ops.ptr, "rebuild table users");
	done(&f);

	/* a renamed check on PostgreSQL */
	fresh(&f);
	shop(&f.a, "postgresql");
	shop(&f.b, "postgresql");
	assert_non_null(rt_table_add_check(rt_schema_table(&f.a, "users"), "a", "length(name) > 0"));
	assert_non_null(rt_table_add_check(rt_schema_table(&f.b, "users"), "b", "length(name) > 0"));
	diff(&f);
	assert_string_equal(f.sql.ptr, "ALTER TABLE users RENAME CONSTRAINT a TO b;\n");
	done(&f);
}

static void test_foreign_keys(void **state)
{
	fixture f;
	rt_fkey *k;

	(void)state;
	fresh(&f);
	shop(&f.a, "postgresql");
	shop(&f.b, "postgresql");
	k = &rt_schema_table(&f.b, "posts")->fkeys[0];
	assert_int_equal(rt_set_str(&k->on_delete, NULL), 0);
	diff(&f);
	assert_string_equal(f.sql.ptr,
			    "ALTER TABLE posts DROP CONSTRAINT posts_user_id_fkey;\n"
			    "ALTER TABLE posts ADD CONSTRAINT posts_user_id_fkey FOREIGN KEY (user_id) "
			    "REFERENCES users (id);\n");
	done(&f);

	/* a cycle of new tables: the second reference comes afterwards */
	fresh(&f);
	assert_int_equal(rt_schema_init(&f.a, &rt_render_pg), 0);
	assert_int_equal(rt_schema_init(&f.b, &rt_render_pg), 0);
	{
		rt_table *a = table(&f.b, "a"), *b = table(&f.b, "b");
		col(a, "id", "integer", 1, NULL);
		col(a, "b_id", "integer", 0, NULL);
		pk(a, "id", "a_pkey");
		col(b, "id", "integer", 1, NULL);
		col(b, "a_id", "integer", 0, NULL);
		pk(b, "id", "b_pkey");
		fk(a, "a_b_id_fkey", "b_id", "b", "id", NULL);
		fk(b, "b_a_id_fkey", "a_id", "a", "id", NULL);
	}
	diff(&f);
	assert_string_equal(f.ops.ptr, "add table a\nadd table b\nadd foreign key a(b_id) -> b(id)\n");
	assert_lacks(f.sql.ptr, "CONSTRAINT a_b_id_fkey FOREIGN KEY (b_id) REFERENCES b (id)\n");
	assert_has(f.sql.ptr, "ALTER TABLE a ADD CONSTRAINT a_b_id_fkey FOREIGN KEY (b_id) "
		   "REFERENCES b (id);\n");
	done(&f);
}

/* Tables are created after the tables they reference and their parent,
 * and dropped before them; a reference to itself or to a table the
 * schema lacks orders nothing.  (The order comes from a table of who
 * references whom, made once: diff.c's refs.) */
static void test_table_order(void **state)
{
	fixture f;
	rt_schema none;
	rt_table *a, *b, *c, *d, *e;

	(void)state;
	fresh(&f);
	assert_int_equal(rt_schema_init(&f.a, &rt_render_pg), 0);
	assert_int_equal(rt_schema_init(&f.b, &rt_render_pg), 0);
	table(&f.b, "a");
	table(&f.b, "b");
	table(&f.b, "c");
	table(&f.b, "d");
	table(&f.b, "e");
	/* (after the last one: adding a table may move them all) */
	a = rt_schema_table(&f.b, "a");
	b = rt_schema_table(&f.b, "b");
	c = rt_schema_table(&f.b, "c");
	d = rt_schema_table(&f.b, "d");
	e = rt_schema_table(&f.b, "e");
	col(a, "id", "integer", 1, NULL);
	col(b, "id", "integer", 1, NULL);
	col(c, "id", "integer", 1, NULL);
	col(d, "id", "integer", 1, NULL);
	col(e, "id", "integer", 1, NULL);
	fk(a, "a_b", "id", "b", "id", NULL);
	fk(a, "a_x", "id", "elsewhere", "id", NULL);
	fk(b, "b_c", "id", "c", "id", NULL);
	fk(c, "c_c", "id", "c", "id", NULL);
	fk(c, "c_d", "id", "d", "id", NULL);
	assert_int_equal(rt_set_str(&d->partition_by, "RANGE (id)"), 0);
	assert_int_equal(rt_set_str(&e->partition_of, "d"), 0);
	assert_int_equal(rt_set_str(&e->partition_bound, "FOR VALUES FROM (0) TO (10)"), 0);
	diff(&f);
	assert_string_equal(f.ops.ptr, "add table d\nadd table e\nadd table c\nadd table b\n"
			    "add table a\n");
	/* the way back: each goes before what it references */
	none = f.a;
	f.a = f.b;
	f.b = none;
	rt_diff_release(&f.d);
	rt_buf_clear(&f.ops);
	rt_buf_clear(&f.sql);
	diff(&f);
	assert_string_equal(f.ops.ptr, "drop table a\ndrop table b\ndrop table c\ndrop table e\n"
			    "drop table d\n");
	done(&f);
}

/* A foreign key to a column made unique by a CREATE UNIQUE INDEX (no
 * UNIQUE constraint) needs the index first: on PostgreSQL it is added
 * after the index, never inside the CREATE TABLE, for a new table, a
 * kept one and a self-reference; SQLite keeps it inline (it checks the
 * parent key only when rows are written). */
static void fk_to_index_model(rt_schema *s, const char *dialect, int with_fkeys)
{
	int pg = !strcmp(dialect, "postgresql");
	const char *txt = pg ? "text" : "TEXT", *num = pg ? "integer" : "INTEGER";
	rt_table *c, *p, *n;

	assert_int_equal(rt_schema_init(s, renderer_of(dialect)), 0);
	c = table(s, "child");
	col(c, "id", num, 1, NULL);
	col(c, "code", txt, 0, NULL);
	pk(c, "id", pg ? "child_pkey" : NULL);
	p = table(s, "parent");
	col(p, "id", num, 1, NULL);
	col(p, "code", txt, 0, NULL);
	pk(p, "id", pg ? "parent_pkey" : NULL);
	n = table(s, "node");
	col(n, "id", num, 1, NULL);
	col(n, "code", txt, 0, NULL);
	col(n, "parent_code", txt, 0, NULL);
	pk(n, "id", pg ? "node_pkey" : NULL);
	if (!with_fkeys)
		return;
	idx(p, "parent_code_key", 1, "code", NULL);
	idx(n, "node_code_key", 1, "code", NULL);
	fk(c, pg ? "child_code_fkey" : NULL, "code", "parent", "code", NULL);
	fk(n, pg ? "node_parent_code_fkey" : NULL, "parent_code", "node", "code", NULL);
}

/* Remove table t's first index (after sorting: by name). */
static void index_release_first(rt_table *t)
{
	assert_true(t->nindexes > 0);
	free(t->indexes[0].name);
	rt_strlist_release(&t->indexes[0].keys);
	free(t->indexes[0].where);
	free(t->indexes[0].method);
	memmove(&t->indexes[0], &t->indexes[1], (t->nindexes - 1) * sizeof(t->indexes[0]));
	t->nindexes--;
}

static void test_fkey_to_unique_index(void **state)
{
	fixture f;
	const char *c;

	(void)state;
	/* new tables (schema dump): after the indexes */
	fresh(&f);
	assert_int_equal(rt_schema_init(&f.a, &rt_render_pg), 0);
	fk_to_index_model(&f.b, "postgresql", 1);
	diff(&f);
	assert_lacks(f.sql.ptr, "CONSTRAINT child_code_fkey FOREIGN KEY (code) REFERENCES parent (code)\n");
	assert_lacks(f.sql.ptr, "CONSTRAINT node_parent_code_fkey FOREIGN KEY (parent_code) REFERENCES node (code)\n");
	assert_before(f.sql.ptr, "CREATE UNIQUE INDEX parent_code_key ON parent (code);",
		      "ALTER TABLE child ADD CONSTRAINT child_code_fkey FOREIGN KEY (code) "
		      "REFERENCES parent (code);");
	assert_before(f.sql.ptr, "CREATE UNIQUE INDEX node_code_key ON node (code);",
		      "ALTER TABLE node ADD CONSTRAINT node_parent_code_fkey FOREIGN KEY "
		      "(parent_code) REFERENCES node (code);");
	done(&f);

	/* kept tables: 'child' sorts first, its new key still waits; and
	 * back, the keys go before the indexes they use */
	fresh(&f);
	fk_to_index_model(&f.a, "postgresql", 0);
	fk_to_index_model(&f.b, "postgresql", 1);
	diff(&f);
	assert_before(f.sql.ptr, "CREATE UNIQUE INDEX parent_code_key ON parent (code);",
		      "ALTER TABLE child ADD CONSTRAINT child_code_fkey");
	assert_before(f.sql.ptr, "CREATE UNIQUE INDEX node_code_key ON node (code);",
		      "ALTER TABLE node ADD CONSTRAINT node_parent_code_fkey");
	rt_diff_release(&f.d);
	rt_buf_clear(&f.sql);
	assert_rt_ok_err(rt_diff_schemas(&f.d, &f.b, &f.a, NULL, 0, 1, &f.ops), &f.ops);
	assert_rt_ok_err(rt_render(&f.sql, &f.d, &rt_render_pg, NULL, &f.ops), &f.ops);
	assert_before(f.sql.ptr, "ALTER TABLE child DROP CONSTRAINT child_code_fkey;",
		      "DROP INDEX parent_code_key;");
	assert_before(f.sql.ptr, "ALTER TABLE node DROP CONSTRAINT node_parent_code_fkey;",
		      "DROP INDEX node_code_key;");
	done(&f);

	/* the index made a UNIQUE constraint (and back): the key that
	 * depends on it is dropped first and added again at the end */
	fresh(&f);
	fk_to_index_model(&f.a, "postgresql", 1);
	fk_to_index_model(&f.b, "postgresql", 1);
	rt_schema_sort(&f.b);
	index_release_first(rt_schema_table(&f.b, "parent"));
	uq(rt_schema_table(&f.b, "parent"), "parent_code_uq", "code");
	diff(&f);
	assert_string_equal(f.ops.ptr, "drop foreign key child(code) -> parent(code)\n"
			    "drop index parent_code_key on parent\n"
			    "add unique constraint parent_code_uq on parent (code)\n"
			    "add foreign key child(code) -> parent(code)\n");
	rt_diff_release(&f.d);
	rt_buf_clear(&f.ops);
	assert_rt_ok_err(rt_diff_schemas(&f.d, &f.b, &f.a, NULL, 0, 1, &f.sql), &f.sql);
	assert_int_equal(f.d.nops, 4);
	assert_int_equal(f.d.ops[0].kind, RT_OP_DROP_FKEY);
	assert_int_equal(f.d.ops[3].kind, RT_OP_ADD_FKEY);
	done(&f);

	/* an index that is already there: the key stays in CREATE TABLE */
	fresh(&f);
	fk_to_index_model(&f.a, "postgresql", 1);
	rt_schema_remove_table(&f.a, 0); /* child */
	fk_to_index_model(&f.b, "postgresql", 1);
	diff(&f);
	assert_string_equal(f.ops.ptr, "add table child\n");
	assert_has(f.sql.ptr, "CONSTRAINT child_code_fkey FOREIGN KEY (code) REFERENCES parent (code)\n");
	done(&f);

	/* a NOT VALID key (Synapse's event_stream_ordering_fkey): added once,
	 * after the index, still NOT VALID */
	fresh(&f);
	assert_int_equal(rt_schema_init(&f.a, &rt_render_pg), 0);
	fk_to_index_model(&f.b, "postgresql", 1);
	rt_schema_table(&f.b, "child")->fkeys[0].not_valid = 1;
	diff(&f);
	assert_before(f.sql.ptr, "CREATE UNIQUE INDEX parent_code_key ON parent (code);",
		      "ALTER TABLE child ADD CONSTRAINT child_code_fkey FOREIGN KEY (code) "
		      "REFERENCES parent (code) NOT VALID;");
	c = strstr(f.sql.ptr, "ADD CONSTRAINT child_code_fkey");
	assert_non_null(c);
	assert_null(strstr(c + 1, "ADD CONSTRAINT child_code_fkey"));
	done(&f);

	/* SQLite: inline, the indexes after the tables */
	fresh(&f);
	assert_int_equal(rt_schema_init(&f.a, &rt_render_sqlite), 0);
	fk_to_index_model(&f.b, "sqlite", 1);
	diff(&f);
	assert_has(f.sql.ptr, "FOREIGN KEY (code) REFERENCES parent (code)\n");
	assert_before(f.sql.ptr, "CREATE TABLE parent", "CREATE UNIQUE INDEX parent_code_key");
	done(&f);
}

static void test_primary_key(void **state)
{
	fixture f;

	(void)state;
	fresh(&f);
	shop(&f.a, "postgresql");
	shop(&f.b, "postgresql");
	rt_table_column(rt_schema_table(&f.b, "users"), "name")->pk = 2;
	diff(&f);
	assert_string_equal(f.sql.ptr, "ALTER TABLE users DROP CONSTRAINT users_pkey;\n"
			    "ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY (id, name);\n");
	done(&f);
}

static void test_views(void **state)
{
	fixture f;

	(void)state;
	fresh(&f);
	shop(&f.a, "postgresql");
	shop(&f.b, "postgresql");
	assert_non_null(rt_schema_add_view(&f.a, "v_posts", "SELECT posts.id FROM posts"));
	assert_non_null(rt_schema_add_view(&f.a, "v_top", "SELECT v_posts.id FROM v_posts"));
	assert_non_null(rt_schema_add_view(&f.b, "v_posts", "SELECT posts.id, posts.body FROM posts"));
	assert_non_null(rt_schema_add_view(&f.b, "v_top", "SELECT v_posts.id FROM v_posts"));
	assert_non_null(rt_schema_add_view(&f.b, "v_users", "SELECT users.id FROM users"));
	diff(&f);
	/* v_top uses v_posts: dropped first, created after */
	assert_string_equal(f.ops.ptr, "drop view v_top\ndrop view v_posts\nadd view v_posts\n"
			    "add view v_top\nadd view v_users\n");
	assert_has(f.sql.ptr, "CREATE VIEW v_posts AS SELECT posts.id, posts.body FROM posts;\n");
	done(&f);

	/* a view on a table whose column is dropped goes and comes back */
	fresh(&f);
	shop(&f.a, "postgresql");
	shop(&f.b, "postgresql");
	assert_non_null(rt_schema_add_view(&f.a, "v", "SELECT posts.id FROM posts"));
	assert_non_null(rt_schema_add_view(&f.b, "v", "SELECT posts.id FROM posts"));
	rt_schema_table(&f.b, "posts")->ncols--;
	free(rt_schema_table(&f.b, "posts")->cols[2].name);
	free(rt_schema_table(&f.b, "posts")->cols[2].type);
	diff(&f);
	assert_string_equal(f.ops.ptr, "drop view v\ndrop column posts.body\nadd view v\n");
	done(&f);
}

static void test_triggers_follow_rebuilds(void **state)
{
	fixture f;
	const char *tr = "CREATE TRIGGER t AFTER INSERT ON users BEGIN SELECT 1; END";

	(void)state;
	fresh(&f);
	shop(&f.a, "sqlite");
	shop(&f.b, "sqlite");
	assert_non_null(rt_schema_add_trigger(&f.a, "t", "users", tr));
	assert_non_null(rt_schema_add_trigger(&f.b, "t", "users", tr));
	rt_table_column(rt_schema_table(&f.b, "users"), "name")->notnull = 0;
	diff(&f);
	assert_before(f.sql.ptr, "DROP TRIGGER t;", "CREATE TABLE new_users");
	assert_before(f.sql.ptr, "ALTER TABLE new_users RENAME TO users;", "CREATE TRIGGER t");
	done(&f);
}

/* A virtual table is one object: its statement made, dropped, or
 * dropped and made again (with a warning saying what is lost), the
 * triggers that keep an external-content index in sync around it. */
static void fts_model(rt_schema *s, const char *vdef)
{
	rt_table *d;

	assert_int_equal(rt_schema_init(s, &rt_render_sqlite), 0);
	d = table(s, "docs");
	col(d, "id", "INTEGER", 1, NULL);
	col(d, "body", "TEXT", 0, NULL);
	pk(d, "id", NULL);
	if (!vdef)
		return;
	assert_non_null(rt_schema_add_vtable(s, "docs_fts", vdef));
	assert_non_null(rt_schema_add_trigger(s, "docs_ai", "docs",
					      "CREATE TRIGGER docs_ai AFTER INSERT ON docs BEGIN "
					      "INSERT INTO docs_fts (rowid, body) VALUES (new.id, "
					      "new.body); END"));
}

static void vtable_case(fixture *f, const char *from, const char *to)
{
	fresh(f);
	fts_model(&f->a, from);
	fts_model(&f->b, to);
	diff(f);
}

static void test_virtual_tables(void **state)
{
	static const char ext[] = "CREATE VIRTUAL TABLE docs_fts USING fts5(body, content='docs', "
				  "content_rowid='id')";
	static const char ext2[] = "CREATE VIRTUAL TABLE docs_fts USING fts5(body, content='docs', "
				   "content_rowid='id', tokenize='porter')";
	static const char own[] = "CREATE VIRTUAL TABLE docs_fts USING fts4(content, body)";
	static const char none[] = "CREATE VIRTUAL TABLE docs_fts USING fts5(body, content='')";
	static const char own2[] = "CREATE VIRTUAL TABLE docs_fts USING fts5(body, \"tags\" "
				   "UNINDEXED, prefix='2 3')";
	static const struct {
		const char *from, *to, *ops, *has;
	} cases[] = {
		{ ext, ext2, "drop trigger docs_ai on docs\ndrop virtual table docs_fts\n"
		  "add virtual table docs_fts\nadd trigger docs_ai on docs\n",
		  "-- WARNING: virtual table 'docs_fts' changes: it is dropped and made again, and "
		  "its index is rebuilt from the rows of 'docs'\nDROP TABLE docs_fts;" },
		{ own, ext, NULL, "made again, and its index is rebuilt from the rows of 'docs'" },
		{ ext, own, NULL, "dropped and made again, empty: its rows are lost" },
		{ own, own2, "drop trigger docs_ai on docs\ndrop virtual table docs_fts\n"
		  "add virtual table docs_fts\nadd trigger docs_ai on docs\n",
		  "changes: it is made again and its rows are copied over; lost: the values of "
		  "'content'\nALTER TABLE docs_fts RENAME TO retort_old_docs_fts;\n" },
		{ own2, own, NULL, "CREATE VIRTUAL TABLE docs_fts USING fts4(content, body);\n"
		  "INSERT INTO docs_fts (rowid, body)\n    SELECT rowid, body FROM retort_old_docs_fts;\n"
		  "DROP TABLE retort_old_docs_fts;\n" },
		{ ext, none, NULL, "empty: the content it indexed is lost" },
		{ own, NULL, "drop trigger docs_ai on docs\ndrop virtual table docs_fts\n",
		  "-- WARNING: drops virtual table 'docs_fts' and what it holds\nDROP TABLE docs_fts;\n" },
		{ ext, ext, "", NULL },
	};
	fixture f;
	rt_buf err = RT_BUF_INIT, pg = RT_BUF_INIT;
	size_t i;
	char *c;

	(void)state;
	/* made: after its content table, filled from it, before the trigger */
	vtable_case(&f, NULL, ext);
	assert_string_equal(f.ops.ptr, "add virtual table docs_fts\nadd trigger docs_ai on docs\n");
	assert_before(f.sql.ptr, ext, "INSERT INTO docs_fts (docs_fts) VALUES ('rebuild');");
	assert_before(f.sql.ptr, "VALUES ('rebuild');", "CREATE TRIGGER docs_ai");
	/* not PostgreSQL's: said so in a comment */
	assert_rt_ok_err(rt_render(&pg, &f.d, &rt_render_pg, NULL, &err), &err);
	assert_has(pg.ptr, "-- (not expressible in PostgreSQL: add virtual table docs_fts)");
	done(&f);

	/* changed: dropped and made again, its triggers around it; dropped:
	 * one statement, no shadow table named; the same: nothing */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vtable_case(&f, cases[i].from, cases[i].to);
		if (cases[i].ops)
			assert_string_equal(f.ops.ptr, cases[i].ops);
		if (cases[i].has)
			assert_has(f.sql.ptr, cases[i].has);
		assert_lacks(f.sql.ptr, cases[i].to == own ? "'rebuild'" : "docs_fts_");
		done(&f);
	}

	/* content=: a column called content is not the option */
	assert_null(rt_vtable_content(own));
	assert_string_equal((c = rt_vtable_content(ext)), "docs");
	free(c);
	assert_string_equal((c = rt_vtable_content(none)), "");
	free(c);
	assert_string_equal((c = rt_vtable_content("CREATE VIRTUAL TABLE x USING fts4(a, "
						   "content=\"Docs\")")), "Docs");
	free(c);
	assert_null(rt_vtable_content("CREATE VIRTUAL TABLE r USING rtree(id, minx, maxx)"));

	/* the columns whose rows can be copied */
	{
		rt_strlist cols = { 0 };
		assert_int_equal(rt_vtable_columns(own2, &cols), RT_VTABLE_TEXT);
		assert_int_equal(cols.count, 2);
		assert_string_equal(cols.items[0], "body");
		assert_string_equal(cols.items[1], "tags");
		rt_strlist_release(&cols);
		assert_int_equal(rt_vtable_columns("CREATE VIRTUAL TABLE r USING rtree(id, minx, "
						   "maxx, +\"Label\")", &cols), RT_VTABLE_RTREE);
		assert_int_equal(cols.count, 4);
		assert_string_equal(cols.items[3], "Label");
		rt_strlist_release(&cols);
		assert_int_equal(rt_vtable_columns("CREATE VIRTUAL TABLE s USING spellfix1", &cols), 0);
		assert_int_equal(cols.count, 0);
	}
	rt_buf_release(&err);
	rt_buf_release(&pg);
}

static void test_enums(void **state)
{
	fixture f;
	rt_enum *e;

	(void)state;
	fresh(&f);
	shop(&f.a, "postgresql");
	shop(&f.b, "postgresql");
	e = rt_schema_add_enum(&f.b, "mood");
	assert_int_equal(rt_strlist_add(&e->labels, "sad"), 0);
	assert_int_equal(rt_strlist_add(&e->labels, "happy"), 0);
	col(rt_schema_table(&f.b, "users"), "mood", "mood", 0, NULL);
	diff(&f);
	assert_string_equal(f.sql.ptr, "CREATE TYPE mood AS ENUM ('sad', 'happy');\n"
			    "ALTER TABLE users ADD COLUMN mood mood;\n");
	done(&f);

	/* a value added in the middle */
	fresh(&f);
	assert_int_equal(rt_schema_init(&f.a, &rt_render_pg), 0);
	assert_int_equal(rt_schema_init(&f.b, &rt_render_pg), 0);
	e = rt_schema_add_enum(&f.a, "mood");
	assert_int_equal(rt_strlist_add(&e->labels, "sad"), 0);
	assert_int_equal(rt_strlist_add(&e->labels, "happy"), 0);
	e = rt_schema_add_enum(&f.b, "mood");
	assert_int_equal(rt_strlist_add(&e->labels, "sad"), 0);
	assert_int_equal(rt_strlist_add(&e->labels, "ok"), 0);
	assert_int_equal(rt_strlist_add(&e->labels, "happy"), 0);
	diff(&f);
	assert_string_equal(f.sql.ptr, "ALTER TYPE mood ADD VALUE 'ok' AFTER 'sad';\n");
	rt_diff_release(&f.d);
	rt_buf_clear(&f.sql);
	/* and removed again: the type is made anew */
	{
		rt_buf err = RT_BUF_INIT;
		rt_table *t = table(&f.b, "t");
		rt_table *ta = table(&f.a, "t");
		col(t, "m", "mood", 0, "'ok'::mood");
		col(ta, "m", "mood", 0, "'sad'::mood");
		assert_rt_ok_err(rt_diff_schemas(&f.d, &f.b, &f.a, NULL, 0, 0, &err), &err);
		assert_rt_ok_err(rt_render(&f.sql, &f.d, &rt_render_pg, NULL, &err), &err);
		assert_string_equal(f.sql.ptr,
				    "-- WARNING: enum type 'mood' loses the value 'ok': rows holding it "
				    "make the migration fail\n"
				    "ALTER TYPE mood RENAME TO mood_retort_old;\n"
				    "CREATE TYPE mood AS ENUM ('sad', 'happy');\n"
				    "ALTER TABLE t ALTER COLUMN m DROP DEFAULT;\n"
				    "ALTER TABLE t ALTER COLUMN m TYPE mood USING m::text::mood;\n"
				    "ALTER TABLE t ALTER COLUMN m SET DEFAULT 'sad'::mood;\n"
				    "DROP TYPE mood_retort_old;\n"
				    "ALTER TABLE t ALTER COLUMN m SET DEFAULT 'sad'::mood;\n");
		rt_buf_release(&err);
	}
	done(&f);
}

/* Every PostgreSQL kind of issue 18 item 6, made from nothing and dropped
 * again: what a kind may use comes first, and goes last. */
static rt_object *obj(rt_schema *s, int kind, const char *name, const char *def)
{
	rt_object *o = rt_schema_add_object(s, kind, name, def);

	assert_non_null(o);
	return o;
}

static void kinds_model(rt_schema *s)
{
	rt_enum *e;
	rt_view *v;
	rt_object *o;

	shop(s, "postgresql");
	e = rt_schema_add_enum(s, "mood");
	assert_int_equal(rt_strlist_add(&e->labels, "sad"), 0);
	o = obj(s, RT_OBJ_DOMAIN, "posint", "integer");
	o->notnull = 1;
	assert_int_equal(rt_strlist_add(&o->checks, "posint_check"), 0);
	assert_int_equal(rt_strlist_add(&o->checks, "CHECK (VALUE > 0)"), 0);
	obj(s, RT_OBJ_SEQUENCE, "order_no", "AS bigint INCREMENT BY 1 MINVALUE 1 "
	    "MAXVALUE 9223372036854775807 START WITH 1 CACHE 1 NO CYCLE");
	o = obj(s, RT_OBJ_FUNCTION, "touch()", "CREATE OR REPLACE FUNCTION touch()\n RETURNS trigger\n"
		" LANGUAGE plpgsql\nAS $function$BEGIN RETURN NEW; END$function$");
	assert_int_equal(rt_set_str(&o->result, "f  -> trigger"), 0);
	assert_non_null(rt_schema_add_trigger(s, "users_touch", "users",
					      "CREATE TRIGGER users_touch BEFORE UPDATE ON users "
					      "FOR EACH ROW EXECUTE FUNCTION touch()"));
	v = rt_schema_add_view(s, "mv_names", "SELECT users.id, users.name FROM users");
	assert_non_null(v);
	v->materialized = 1;
	o = obj(s, RT_OBJ_MVINDEX, "mv_names_id", "CREATE UNIQUE INDEX mv_names_id ON mv_names "
		"USING btree (id)");
	assert_int_equal(rt_set_str(&o->table, "mv_names"), 0);
	assert_non_null(rt_schema_add_view(s, "v_names", "SELECT mv_names.name FROM mv_names"));
}

static void test_object_kinds_order(void **state)
{
	fixture f;

	(void)state;
	fresh(&f);
	assert_int_equal(rt_schema_init(&f.a, &rt_render_pg), 0);
	kinds_model(&f.b);
	diff(&f);
	assert_string_equal(f.ops.ptr,
			    "add enum type mood (sad)\n"
			    "add domain posint\n"
			    "add sequence order_no\n"
			    "add function touch()\n"
			    "add table users\n"
			    "add table posts\n"
			    "add index ix_posts_user_id on posts (user_id)\n"
			    "add materialized view mv_names\n"
			    "add view v_names\n"
			    "add index mv_names_id on materialized view mv_names\n"
			    "add trigger users_touch on users\n");
	assert_has(f.sql.ptr, "CREATE DOMAIN posint AS integer NOT NULL CONSTRAINT posint_check "
		   "CHECK (VALUE > 0);\n");
	assert_has(f.sql.ptr, "CREATE MATERIALIZED VIEW mv_names AS SELECT users.id, users.name "
		   "FROM users WITH DATA;\n");
	rt_diff_release(&f.d);
	rt_buf_clear(&f.ops);
	rt_buf_clear(&f.sql);
	/* the way back: the other order; the view takes its indexes along */
	{
		rt_buf err = RT_BUF_INIT;
		size_t i;
		assert_rt_ok_err(rt_diff_schemas(&f.d, &f.b, &f.a, NULL, 0, 0, &err), &err);
		assert_rt_ok_err(rt_render(&f.sql, &f.d, &rt_render_pg, NULL, &err), &err);
		for (i = 0; i < f.d.nops; i++) {
			rt_op_describe(&f.ops, &f.d.ops[i]);
			rt_buf_putc(&f.ops, '\n');
		}
		rt_buf_release(&err);
	}
	assert_string_equal(f.ops.ptr,
			    "drop trigger users_touch on users\n"
			    "drop view v_names\n"
			    "drop materialized view mv_names\n"
			    "drop table posts\n"
			    "drop table users\n"
			    "drop function touch()\n"
			    "drop sequence order_no\n"
			    "drop domain posint\n"
			    "drop enum type mood\n");
	assert_has(f.sql.ptr, "DROP TRIGGER users_touch ON users;\nDROP VIEW v_names;\n"
		   "DROP MATERIALIZED VIEW mv_names;\n");
	assert_has(f.sql.ptr, "DROP FUNCTION touch();\n");
	done(&f);
}

/* What changes in place, and what is made again with what uses it. */
static void test_object_kinds_changes(void **state)
{
	fixture f;
	rt_object *o;

	(void)state;
	/* a column of the materialized view's table changes type: the view,
	 * its index and the view on it are made again */
	fresh(&f);
	kinds_model(&f.a);
	kinds_model(&f.b);
	assert_int_equal(rt_set_str(&rt_table_column(rt_schema_table(&f.b, "users"), "name")->type,
				    "varchar(200)"), 0);
	diff(&f);
	assert_before(f.ops.ptr, "drop view v_names\n", "drop materialized view mv_names\n");
	assert_before(f.ops.ptr, "drop materialized view mv_names\n", "alter column users.name");
	assert_before(f.ops.ptr, "alter column users.name", "add materialized view mv_names\n");
	assert_before(f.ops.ptr, "add materialized view mv_names\n",
		      "add index mv_names_id on materialized view mv_names\n");
	assert_has(f.ops.ptr, "add view v_names\n");
	done(&f);

	/* sequence options: ALTER SEQUENCE, never RESTART; a domain's check:
	 * ALTER DOMAIN; a function's body: CREATE OR REPLACE, the trigger
	 * stays */
	fresh(&f);
	kinds_model(&f.a);
	kinds_model(&f.b);
	o = rt_schema_object(&f.b, RT_OBJ_SEQUENCE, "order_no");
	assert_int_equal(rt_set_str(&o->def, "AS bigint INCREMENT BY 5 MINVALUE 1 "
				    "MAXVALUE 9223372036854775807 START WITH 1 CACHE 1 NO CYCLE"), 0);
	o = rt_schema_object(&f.b, RT_OBJ_DOMAIN, "posint");
	assert_int_equal(rt_set_str(&o->checks.items[1], "CHECK (VALUE > 1)"), 0);
	o = rt_schema_object(&f.b, RT_OBJ_FUNCTION, "touch()");
	assert_int_equal(rt_set_str(&o->def, "CREATE OR REPLACE FUNCTION touch()\n RETURNS trigger\n"
				    " LANGUAGE plpgsql\nAS $function$BEGIN RETURN NULL; END$function$"), 0);
	diff(&f);
	assert_has(f.sql.ptr, "ALTER SEQUENCE order_no AS bigint INCREMENT BY 5 ");
	assert_lacks(f.sql.ptr, "RESTART");
	assert_has(f.sql.ptr, "ALTER DOMAIN posint DROP CONSTRAINT posint_check;\n"
		   "ALTER DOMAIN posint ADD CONSTRAINT posint_check CHECK (VALUE > 1);\n");
	assert_has(f.sql.ptr, "AS $function$BEGIN RETURN NULL; END$function$;\n");
	assert_lacks(f.sql.ptr, "DROP FUNCTION");
	assert_lacks(f.sql.ptr, "TRIGGER");
	rt_diff_release(&f.d);
	rt_buf_clear(&f.ops);
	rt_buf_clear(&f.sql);
	/* the result type changes: dropped and made again, its trigger
	 * dropped before and made after */
	assert_int_equal(rt_set_str(&o->result, "f  -> event_trigger"), 0);
	diff(&f);
	assert_before(f.sql.ptr, "DROP TRIGGER users_touch ON users;", "DROP FUNCTION touch();");
	assert_has(f.sql.ptr, "-- WARNING: function 'touch()' is dropped and made again");
	assert_before(f.sql.ptr, "DROP FUNCTION touch();", "CREATE OR REPLACE FUNCTION touch()");
	assert_before(f.sql.ptr, "CREATE OR REPLACE FUNCTION touch()", "CREATE TRIGGER users_touch");
	done(&f);

	/* a function in SQL reading a new table comes after it, one reading
	 * a view after the views; the rest before the tables */
	fresh(&f);
	assert_int_equal(rt_schema_init(&f.a, &rt_render_pg), 0);
	shop(&f.b, "postgresql");
	obj(&f.b, RT_OBJ_FUNCTION, "n_users()", "CREATE OR REPLACE FUNCTION n_users()\n RETURNS bigint\n"
	    " LANGUAGE sql\nAS $function$SELECT count(*) FROM users$function$");
	obj(&f.b, RT_OBJ_FUNCTION, "n_names()", "CREATE OR REPLACE FUNCTION n_names()\n RETURNS bigint\n"
	    " LANGUAGE sql\nAS $function$SELECT count(*) FROM v_names$function$");
	obj(&f.b, RT_OBJ_FUNCTION, "one()", "CREATE OR REPLACE FUNCTION one()\n RETURNS integer\n"
	    " LANGUAGE sql\nAS $function$SELECT 1$function$");
	assert_non_null(rt_schema_add_view(&f.b, "v_names", "SELECT users.name FROM users"));
	diff(&f);
	assert_string_equal(f.ops.ptr,
			    "add function one()\n"
			    "add table users\n"
			    "add table posts\n"
			    "add index ix_posts_user_id on posts (user_id)\n"
			    "add function n_users()\n"
			    "add view v_names\n"
			    "add function n_names()\n");
	done(&f);
}

static void test_enum_drop_and_table_options(void **state)
{
	fixture f;
	rt_enum *e;

	(void)state;
	fresh(&f);
	shop(&f.a, "postgresql");
	shop(&f.b, "postgresql");
	e = rt_schema_add_enum(&f.a, "mood");
	assert_int_equal(rt_strlist_add(&e->labels, "sad"), 0);
	diff(&f);
	assert_string_equal(f.sql.ptr, "DROP TYPE mood;\n");
	done(&f);

	/* WITHOUT ROWID is part of the table: a rebuild */
	fresh(&f);
	shop(&f.a, "sqlite");
	shop(&f.b, "sqlite");
	assert_int_equal(rt_set_str(&rt_schema_table(&f.b, "users")->options, "WITHOUT ROWID"), 0);
	diff(&f);
	assert_has(f.sql.ptr, "    name TEXT NOT NULL\n) WITHOUT ROWID;\n");
	assert_has(f.ops.ptr, "rebuild table users");
	done(&f);

	/* a serial key made plain, and a collation */
	fresh(&f);
	shop(&f.a, "postgresql");
	shop(&f.b, "postgresql");
	rt_table_column(rt_schema_table(&f.a, "users"), "id")->autoinc = RT_AUTO_SERIAL;
	assert_int_equal(rt_set_str(&rt_table_column(rt_schema_table(&f.b, "users"), "name")->collation,
				    "C"), 0);
	diff(&f);
	assert_string_equal(f.sql.ptr,
			    "ALTER TABLE users ALTER COLUMN id DROP DEFAULT;\n"
			    "DROP SEQUENCE IF EXISTS users_id_seq;\n"
			    "ALTER TABLE users ALTER COLUMN name TYPE text COLLATE \"C\";\n");
	done(&f);
}

static void test_comments(void **state)
{
	fixture f;

	(void)state;
	fresh(&f);
	shop(&f.a, "postgresql");
	shop(&f.b, "postgresql");
	assert_int_equal(rt_set_str(&rt_schema_table(&f.b, "users")->comment, "people's accounts"), 0);
	assert_int_equal(rt_set_str(&rt_table_column(rt_schema_table(&f.b, "users"), "name")->comment,
				    "shown"), 0);
	diff(&f);
	assert_string_equal(f.sql.ptr, "COMMENT ON COLUMN users.name IS 'shown';\n"
			    "COMMENT ON TABLE users IS 'people''s accounts';\n");
	done(&f);
}

static void test_rename_errors(void **state)
{
	fixture f;
	rt_buf err = RT_BUF_INIT;
	rt_rename r;

	(void)state;
	fresh(&f);
	assert_int_equal(rt_rename_parse(&r, "nocolon", &err), RETORT_EUSAGE);
	assert_int_equal(rt_rename_parse(&r, "a.:b", &err), RETORT_EUSAGE);
	assert_int_equal(rt_rename_parse(&r, "t.a:b", &err), 0);
	shop(&f.a, "sqlite");
	shop(&f.b, "sqlite");
	rt_schema_sort(&f.a);
	rt_schema_sort(&f.b);
	assert_int_equal(rt_diff_schemas(&f.d, &f.a, &f.b, &r, 1, 0, &err), RETORT_EUSAGE);
	assert_has(err.ptr, "table 't' is not on both sides");
	rt_rename_release(&r);
	assert_int_equal(rt_rename_parse(&r, "users.nope:x", &err), 0);
	assert_int_equal(rt_diff_schemas(&f.d, &f.a, &f.b, &r, 1, 0, &err), RETORT_EUSAGE);
	assert_has(err.ptr, "has no column 'nope'");
	rt_rename_release(&r);
	{
		/* a model that no dialect read has no traits to diff by */
		rt_schema none = { 0 };
		assert_int_equal(rt_diff_schemas(&f.d, &none, &none, NULL, 0, 0, &err),
				 RETORT_EUSAGE);
		assert_has(err.ptr, "without a dialect");
	}
	rt_buf_release(&err);
	done(&f);
}

static void test_type_narrowing(void **state)
{
	(void)state;
	assert_true(rt_type_narrows("bigint", "integer"));
	assert_false(rt_type_narrows("integer", "bigint"));
	assert_true(rt_type_narrows("VARCHAR(50)", "VARCHAR(20)"));
	assert_false(rt_type_narrows("VARCHAR(20)", "VARCHAR(50)"));
	assert_false(rt_type_narrows("character varying(20)", "text"));
	assert_true(rt_type_narrows("text", "character varying(20)"));
	assert_true(rt_type_narrows("numeric(10,2)", "numeric(8,2)"));
	assert_false(rt_type_narrows("numeric(10,2)", "numeric(12,2)"));
	assert_true(rt_type_narrows("TEXT", "INTEGER"));
	assert_false(rt_type_narrows("INTEGER", "TEXT"));
	assert_false(rt_type_narrows("smallint", "numeric"));
	assert_false(rt_type_narrows("TEXT", "text"));
}

/* Extensions come first and go last: their types may be used by any
 * table; the model of a database without one of them drops it, with a
 * warning. */
static void test_extensions(void **state)
{
	fixture f;

	(void)state;
	fresh(&f);
	assert_int_equal(rt_schema_init(&f.a, &rt_render_pg), 0);
	assert_int_equal(rt_schema_init(&f.b, &rt_render_pg), 0);
	assert_non_null(rt_schema_add_extension(&f.a, "hstore", "public"));
	assert_non_null(rt_schema_add_extension(&f.b, "citext", "public"));
	assert_non_null(rt_schema_add_extension(&f.b, "pg_trgm", NULL));
	col(table(&f.b, "t"), "e", "citext", 0, NULL);
	col(table(&f.a, "old"), "h", "hstore", 0, NULL);
	diff(&f);
	assert_string_equal(f.sql.ptr,
			    "CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;\n"
			    "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n"
			    "-- WARNING: drops table 'old' and its rows\n"
			    "DROP TABLE old;\n\n"
			    "CREATE TABLE t (\n    e citext\n);\n\n"
			    "-- WARNING: dropping extension 'hstore' drops its types and functions: the "
			    "migration fails while a column still uses one\n"
			    "DROP EXTENSION hstore;\n");
	assert_string_equal(f.ops.ptr, "add extension citext\nadd extension pg_trgm\n"
			    "drop table old\nadd table t\ndrop extension hstore\n");
	assert_int_equal(f.d.warnings.count, 2);
	/* the same extensions, wherever they live: nothing to do */
	rt_diff_release(&f.d);
	rt_buf_clear(&f.sql);
	assert_int_equal(rt_schema_copy_extensions(&f.a, &f.b), 0);
	rt_schema_extension(&f.a, "pg_trgm")->schema = rt_strdup("extensions");
	assert_true(rt_schema_equal(&f.a, &f.a));
	{
		rt_schema c;
		assert_int_equal(rt_schema_copy(&c, &f.a), 0);
		assert_int_equal(c.nextensions, 2);
		assert_string_equal(rt_schema_extension(&c, "pg_trgm")->schema, "extensions");
		rt_schema_release(&c);
	}
	done(&f);
}

/* Blank out [from, to) the way a model filter must: the text keeps its
 * length and its newlines. */
static void assert_filtered(void (*filter)(char *, size_t, const char *), const char *in,
			    const char *schema, const char *want)
{
	char *s = rt_strdup(in);
	rt_buf got = RT_BUF_INIT;
	size_t i;

	filter(s, strlen(s), schema);
	assert_int_equal(strlen(s), strlen(in));
	for (i = 0; in[i]; i++)
		if (in[i] == '\n')
			assert_int_equal(s[i], '\n');
	/* compare with runs of blanks made one */
	for (i = 0; s[i]; i++) {
		char c = s[i] == '\n' ? ' ' : s[i];
		if (!(c == ' ' && got.len && got.ptr[got.len - 1] == ' '))
			rt_buf_putc(&got, c);
	}
	while (got.len && got.ptr[got.len - 1] == ' ')
		rt_buf_truncate(&got, got.len - 1);
	assert_string_equal(got.len && got.ptr[0] == ' ' ? got.ptr + 1 : got.ptr, want);
	rt_buf_release(&got);
	free(s);
}

/* sqlite3's .schema lists SQLite's own tables, which SQLite refuses to
 * create; the rest, view comments included, is left as it is. */
static void test_model_filter_sqlite(void **state)
{
	(void)state;
	assert_filtered(rt_sqlite_model_filter,
			"CREATE TABLE a(id integer primary key autoincrement);\n"
			"CREATE TABLE sqlite_sequence(name,seq);\n"
			"CREATE VIEW v as select id from a\n/* v(id) */;\n"
			"CREATE TABLE IF NOT EXISTS \"sqlite_stat1\"(tbl,idx,stat);\n"
			"CREATE TRIGGER tr AFTER INSERT ON a BEGIN SELECT 1; END;\n"
			"CREATE TABLE sqlitex(x);", NULL,
			"CREATE TABLE a(id integer primary key autoincrement); "
			"CREATE VIEW v as select id from a /* v(id) */; "
			"CREATE TRIGGER tr AFTER INSERT ON a BEGIN SELECT 1; END; "
			"CREATE TABLE sqlitex(x);");
}

#ifdef RETORT_WITH_PG
/* pg_dump's meta-commands and what is the server's own go; what names
 * the schema sends the model to a database of its own. */
static void test_model_filter_pg(void **state)
{
	rt_buf err = RT_BUF_INIT;
	const char *dump;

	(void)state;
	assert_rt_ok_err(rt_pg_query_open(&err), &err);
	assert_filtered(rt_pg_model_filter,
			"\\restrict abc\n"
			"SET statement_timeout = 0;\n"
			"SELECT pg_catalog.set_config('search_path', '', false);\n"
			"CREATE SCHEMA public;\nCOMMENT ON SCHEMA public IS 'standard public schema';\n"
			"CREATE SCHEMA app;\n"
			"CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;\n"
			"COMMENT ON EXTENSION citext IS 'x';\n"
			"CREATE TABLE public.t (id int, owner text);\n"
			"ALTER TABLE public.t OWNER TO alice;\n"
			"ALTER TABLE public.t RENAME COLUMN owner TO owner2;\n"
			"GRANT ALL ON TABLE public.t TO bob;\nREVOKE ALL ON SCHEMA public FROM PUBLIC;\n"
			"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$\n\\restrict in a body\n"
			"SELECT 1$$;\n"
			"SET search_path TO app;\n"
			"\\unrestrict abc\n", "app",
			"SET statement_timeout = 0; ; ; ; ; "
			"CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public; ; "
			"CREATE TABLE public.t (id int, owner text); ; "
			"ALTER TABLE public.t RENAME COLUMN owner TO owner2; ; ; "
			"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ \\restrict in a body "
			"SELECT 1$$; ;");
	dump = "CREATE TABLE public.t (id int);";
	assert_true(rt_pg_model_own_db(dump, strlen(dump), "public"));
	assert_false(rt_pg_model_own_db(dump, strlen(dump), "app"));
	dump = "CREATE TABLE \"Sales\".t (id int);";
	assert_true(rt_pg_model_own_db(dump, strlen(dump), "Sales"));
	assert_false(rt_pg_model_own_db(dump, strlen(dump), "sales"));
	dump = "CREATE TABLE t (id int DEFAULT nextval('public.s')); CREATE VIEW v AS "
	       "SELECT public FROM t; -- public.t\nCREATE INDEX i ON t (public .x)";
	assert_false(rt_pg_model_own_db(dump, strlen(dump), "public"));
	dump = "create extension if not exists hstore;";
	assert_true(rt_pg_model_own_db(dump, strlen(dump), "public"));
	rt_buf_release(&err);
}
#endif

/* SQLite: a rebuild that changes a column's type first copies the
 * column into a scratch table of the new type and stops at a value the
 * conversion would change; a column whose type stays is not checked. */
static void test_rebuild_checks_conversions(void **state)
{
	fixture f;

	(void)state;
	fresh(&f);
	shop(&f.a, "sqlite");
	shop(&f.b, "sqlite");
	assert_int_equal(rt_set_str(&rt_table_column(rt_schema_table(&f.b, "posts"), "body")->type,
				    "INTEGER"), 0);
	diff(&f);
	assert_before(f.sql.ptr, "CREATE TEMP TABLE retort_convert (was BLOB, now INTEGER);\n",
		      "CREATE TABLE new_posts");
	assert_has(f.sql.ptr, "RAISE(ABORT, 'cannot rebuild table ''posts'': column ''body'' "
		   "(TEXT -> INTEGER) would change a value");
	assert_has(f.sql.ptr, "INSERT INTO retort_convert SELECT body, body FROM posts;\n"
		   "DROP TABLE temp.retort_convert;\n");
	assert_lacks(f.sql.ptr, "SELECT user_id, user_id");
	done(&f);

	/* STRICT: every column, ANY keeping the value as it was */
	fresh(&f);
	shop(&f.a, "sqlite");
	shop(&f.b, "sqlite");
	assert_int_equal(rt_set_str(&rt_schema_table(&f.b, "users")->options, "STRICT"), 0);
	diff(&f);
	assert_has(f.sql.ptr, "CREATE TEMP TABLE retort_convert (was ANY, now TEXT) STRICT;\n");
	assert_has(f.sql.ptr, "(TEXT -> TEXT, STRICT) would change");
	assert_has(f.sql.ptr, "INSERT INTO retort_convert SELECT id, id FROM users;\n");
	done(&f);
}

/* SQLite: a rebuild carries the rowid over where it is no column of its
 * own (no INTEGER PRIMARY KEY) and both are rowid tables. */
static void test_rebuild_keeps_rowid(void **state)
{
	fixture f;
	rt_table *t;

	(void)state;
	fresh(&f);
	assert_int_equal(rt_schema_init(&f.a, &rt_render_sqlite), 0);
	assert_int_equal(rt_schema_init(&f.b, &rt_render_sqlite), 0);
	col(table(&f.a, "notes"), "body", "TEXT", 0, NULL);
	t = table(&f.b, "notes");
	col(t, "body", "TEXT", 1, NULL);
	t = table(&f.a, "kv");
	col(t, "k", "TEXT", 1, NULL);
	pk(t, "k", NULL);
	assert_int_equal(rt_set_str(&t->options, "WITHOUT ROWID"), 0);
	t = table(&f.b, "kv");
	col(t, "k", "TEXT", 1, NULL);
	pk(t, "k", NULL);
	assert_non_null(rt_table_add_check(t, NULL, "length(k) > 0"));
	assert_int_equal(rt_set_str(&t->options, "WITHOUT ROWID"), 0);
	diff(&f);
	assert_has(f.sql.ptr, "INSERT INTO new_notes (rowid, body)\n    SELECT rowid, body FROM notes;\n");
	assert_has(f.sql.ptr, "INSERT INTO new_kv (k)\n    SELECT k FROM kv;\n");
	done(&f);
}

static void test_sqltext(void **state)
{
	char *s;

	(void)state;
	{ const char *in = " ( \"name\"  >  0 ) -- c\n AND \"order\" = 'a  b' ;"; s = rt_sql_normalized(in, strlen(in), rt_render_sqlite.bare_ident); }
	assert_string_equal(s, "(name > 0) AND \"order\" = 'a  b'");
	free(s);
	assert_true(rt_sql_mentions("SELECT p.id FROM \"Posts\" p", "posts"));
	assert_false(rt_sql_mentions("SELECT 'posts' FROM x", "posts"));
	{
		rt_buf b = RT_BUF_INIT;
		rt_sql_ident(&b, "user", &rt_render_pg);
		rt_sql_ident(&b, "user", &rt_render_sqlite);
		rt_sql_ident(&b, "Mixed", &rt_render_pg);
		rt_sql_ident(&b, "order", &rt_render_sqlite);
		assert_string_equal(b.ptr, "\"user\"user\"Mixed\"\"order\"");
		rt_buf_release(&b);
	}
}

/* ---- table attributes (issue 18 item 6) ---------------------------------------- */

/* A fixture whose two sides are the shop in `dialect`. */
static void shops(fixture *f, const char *dialect)
{
	fresh(f);
	shop(&f->a, dialect);
	shop(&f->b, dialect);
}

/* users.len, generated from `expr` */
static void gen_col(rt_table *t, const char *type, const char *expr, int stored)
{
	rt_column *c = col(t, "len", type, 0, NULL);

	assert_int_equal(rt_set_str(&c->generated, expr), 0);
	c->gen_stored = stored;
}

/* The diff of f->b to f->a (the downgrade), rendered into f->sql afresh. */
static void diff_back(fixture *f)
{
	rt_buf err = RT_BUF_INIT;

	rt_diff_release(&f->d);
	rt_buf_clear(&f->sql);
	assert_rt_ok_err(rt_diff_schemas(&f->d, &f->b, &f->a, NULL, 0, 0, &err), &err);
	assert_rt_ok_err(rt_render(&f->sql, &f->d, f->a.renderer, NULL, &err), &err);
	rt_buf_release(&err);
}

static void test_deferrable(void **state)
{
	fixture f;

	(void)state;
	/* PostgreSQL: a foreign key made deferrable is altered; a unique key
	 * and a primary key are dropped and added again with the clause */
	shops(&f, "postgresql");
	rt_schema_table(&f.b, "posts")->fkeys[0].deferrable = RT_INITIALLY_DEFERRED;
	uq(rt_schema_table(&f.a, "users"), "users_name_key", "name");
	uq(rt_schema_table(&f.b, "users"), "users_name_key", "name");
	rt_schema_table(&f.b, "users")->uniques[0].deferrable = RT_DEFERRABLE;
	rt_schema_table(&f.b, "users")->pk_deferrable = RT_INITIALLY_DEFERRED;
	assert_false(rt_schema_equal(&f.a, &f.b));
	diff(&f);
	assert_has(f.sql.ptr, "ALTER TABLE posts ALTER CONSTRAINT posts_user_id_fkey DEFERRABLE "
		   "INITIALLY DEFERRED;\n");
	assert_lacks(f.sql.ptr, "DROP CONSTRAINT posts_user_id_fkey");
	assert_has(f.ops.ptr, "alter foreign key posts_user_id_fkey on posts: DEFERRABLE "
		   "INITIALLY DEFERRED\n");
	assert_has(f.sql.ptr, "ALTER TABLE users ADD CONSTRAINT users_name_key UNIQUE (name) "
		   "DEFERRABLE;\n");
	assert_has(f.sql.ptr, "ALTER TABLE users DROP CONSTRAINT users_pkey;\n");
	assert_has(f.sql.ptr, "ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY (id) "
		   "DEFERRABLE INITIALLY DEFERRED;\n");
	diff_back(&f);
	assert_has(f.sql.ptr, "ALTER TABLE posts ALTER CONSTRAINT posts_user_id_fkey NOT "
		   "DEFERRABLE;\n");
	assert_has(f.sql.ptr, "ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY (id);\n");
	done(&f);

	/* created so: a deferrable key is not written on its column */
	fresh(&f);
	assert_int_equal(rt_schema_init(&f.a, &rt_render_pg), 0);
	shop(&f.b, "postgresql");
	rt_schema_table(&f.b, "users")->pk_deferrable = RT_DEFERRABLE;
	diff(&f);
	assert_has(f.sql.ptr, "    CONSTRAINT users_pkey PRIMARY KEY (id) DEFERRABLE\n);\n");
	done(&f);

	/* SQLite: a foreign key's clause changes by a rebuild */
	shops(&f, "sqlite");
	rt_schema_table(&f.b, "posts")->fkeys[0].deferrable = RT_INITIALLY_DEFERRED;
	diff(&f);
	assert_has(f.ops.ptr, "rebuild table posts");
	assert_has(f.sql.ptr, "FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE "
		   "DEFERRABLE INITIALLY DEFERRED\n);\n");
	done(&f);
}

static void test_not_valid(void **state)
{
	fixture f;
	rt_check *c;

	(void)state;
	/* NOT VALID in the database, valid in the model: validated in place */
	shops(&f, "postgresql");
	c = rt_table_add_check(rt_schema_table(&f.a, "users"), "users_name_check", "length(name) > 0");
	c->not_valid = 1;
	assert_non_null(rt_table_add_check(rt_schema_table(&f.b, "users"), "users_name_check",
					   "length(name) > 0"));
	rt_schema_table(&f.a, "posts")->fkeys[0].not_valid = 1;
	diff(&f);
	assert_string_equal(f.sql.ptr,
			    "ALTER TABLE posts VALIDATE CONSTRAINT posts_user_id_fkey;\n"
			    "ALTER TABLE users VALIDATE CONSTRAINT users_name_check;\n");
	assert_has(f.ops.ptr, "validate constraint users_name_check on users\n");
	/* and back: dropped and added NOT VALID */
	diff_back(&f);
	assert_has(f.sql.ptr, "ALTER TABLE users DROP CONSTRAINT users_name_check;\n");
	assert_has(f.sql.ptr, "ALTER TABLE users ADD CONSTRAINT users_name_check "
		   "CHECK (length(name) > 0) NOT VALID;\n");
	assert_has(f.sql.ptr, "REFERENCES users (id) ON DELETE CASCADE NOT VALID;\n");
	done(&f);

	/* a new table: NOT VALID constraints come after its CREATE TABLE,
	 * which would validate them */
	fresh(&f);
	assert_int_equal(rt_schema_init(&f.a, &rt_render_pg), 0);
	shop(&f.b, "postgresql");
	c = rt_table_add_check(rt_schema_table(&f.b, "users"), "users_name_check", "length(name) > 0");
	c->not_valid = 1;
	rt_schema_table(&f.b, "posts")->fkeys[0].not_valid = 1;
	diff(&f);
	assert_lacks(f.sql.ptr, "    CONSTRAINT users_name_check");
	assert_lacks(f.sql.ptr, "    CONSTRAINT posts_user_id_fkey");
	assert_before(f.sql.ptr, "CREATE TABLE users", "ALTER TABLE users ADD CONSTRAINT "
		      "users_name_check CHECK (length(name) > 0) NOT VALID;\n");
	assert_before(f.sql.ptr, "CREATE TABLE posts", "ALTER TABLE posts ADD CONSTRAINT "
		      "posts_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE "
		      "CASCADE NOT VALID;\n");
	done(&f);
}

static void test_generated_columns(void **state)
{
	fixture f;

	(void)state;
	/* PostgreSQL: a new expression is a dropped and added column, and
	 * the index on it goes and comes back with it */
	shops(&f, "postgresql");
	gen_col(rt_schema_table(&f.a, "users"), "integer", "length(name)", 1);
	gen_col(rt_schema_table(&f.b, "users"), "integer", "octet_length(name)", 1);
	idx(rt_schema_table(&f.a, "users"), "ix_users_len", 0, "len", NULL);
	idx(rt_schema_table(&f.b, "users"), "ix_users_len", 0, "len", NULL);
	assert_false(rt_schema_equal(&f.a, &f.b));
	diff(&f);
	assert_string_equal(f.sql.ptr,
			    "DROP INDEX ix_users_len;\n"
			    "ALTER TABLE users DROP COLUMN len;\n"
			    "ALTER TABLE users ADD COLUMN len integer GENERATED ALWAYS AS "
			    "(octet_length(name)) STORED;\n"
			    "CREATE INDEX ix_users_len ON users (len);\n");
	done(&f);

	/* and so does an index whose WHERE uses it */
	shops(&f, "postgresql");
	gen_col(rt_schema_table(&f.a, "users"), "integer", "length(name)", 1);
	gen_col(rt_schema_table(&f.b, "users"), "integer", "octet_length(name)", 1);
	idx(rt_schema_table(&f.a, "users"), "ix_users_name", 0, "name", "len > 0");
	idx(rt_schema_table(&f.b, "users"), "ix_users_name", 0, "name", "len > 0");
	diff(&f);
	assert_before(f.sql.ptr, "DROP INDEX ix_users_name;\n", "ALTER TABLE users DROP COLUMN len;\n");
	assert_has(f.sql.ptr, "CREATE INDEX ix_users_name ON users (name) WHERE len > 0;\n");
	done(&f);

	/* a plain column made generated loses its values: a warning */
	shops(&f, "postgresql");
	col(rt_schema_table(&f.a, "users"), "len", "integer", 0, NULL);
	gen_col(rt_schema_table(&f.b, "users"), "integer", "length(name)", 1);
	diff(&f);
	assert_has(f.sql.ptr, "-- WARNING: drops column 'users.len' and its data to make it a "
		   "generated column\n");
	done(&f);

	/* SQLite: a rebuild, whose copy leaves the generated column out */
	shops(&f, "sqlite");
	gen_col(rt_schema_table(&f.a, "users"), "INTEGER", "length(name)", 0);
	gen_col(rt_schema_table(&f.b, "users"), "INTEGER", "length(name) + 1", 1);
	diff(&f);
	assert_has(f.ops.ptr, "rebuild table users (alter column users.len: generated "
		   "length(name) -> length(name) + 1)");
	assert_has(f.sql.ptr, "    len INTEGER GENERATED ALWAYS AS (length(name) + 1) STORED\n");
	assert_has(f.sql.ptr, "INSERT INTO new_users (id, name)\n    SELECT id, name FROM users;\n");
	done(&f);

	/* a new VIRTUAL column is added in place, a STORED one is not */
	shops(&f, "sqlite");
	gen_col(rt_schema_table(&f.b, "users"), "INTEGER", "length(name)", 0);
	diff(&f);
	assert_string_equal(f.sql.ptr, "ALTER TABLE users ADD COLUMN len INTEGER GENERATED ALWAYS "
			    "AS (length(name)) VIRTUAL;\n");
	done(&f);
}

static void test_storage_and_unlogged(void **state)
{
	fixture f;
	rt_table *t;

	(void)state;
	shops(&f, "postgresql");
	t = rt_schema_table(&f.a, "posts");
	assert_int_equal(rt_strlist_add(&t->storage, "autovacuum_enabled=false"), 0);
	assert_int_equal(rt_strlist_add(&t->storage, "fillfactor=70"), 0);
	assert_int_equal(rt_strlist_add(&t->indexes[0].storage, "fillfactor=50"), 0);
	t = rt_schema_table(&f.b, "posts");
	t->unlogged = 1;
	assert_int_equal(rt_strlist_add(&t->storage, "fillfactor=80"), 0);
	assert_int_equal(rt_strlist_add(&t->indexes[0].storage, "fillfactor=90"), 0);
	assert_false(rt_schema_equal(&f.a, &f.b));
	diff(&f);
	assert_string_equal(f.sql.ptr,
			    "ALTER TABLE posts SET UNLOGGED;\n"
			    "ALTER TABLE posts RESET (autovacuum_enabled);\n"
			    "ALTER TABLE posts SET (fillfactor=80);\n"
			    "ALTER INDEX ix_posts_user_id SET (fillfactor=90);\n");
	diff_back(&f);
	assert_string_equal(f.sql.ptr,
			    "ALTER TABLE posts SET LOGGED;\n"
			    "ALTER TABLE posts SET (autovacuum_enabled=false, fillfactor=70);\n"
			    "ALTER INDEX ix_posts_user_id SET (fillfactor=50);\n");
	done(&f);

	/* created with them */
	fresh(&f);
	assert_int_equal(rt_schema_init(&f.a, &rt_render_pg), 0);
	shop(&f.b, "postgresql");
	t = rt_schema_table(&f.b, "posts");
	t->unlogged = 1;
	assert_int_equal(rt_strlist_add(&t->storage, "fillfactor=80"), 0);
	assert_int_equal(rt_strlist_add(&t->indexes[0].storage, "fillfactor=90"), 0);
	rt_set_str(&t->indexes[0].keys.items[0], "user_id text_pattern_ops");
	diff(&f);
	assert_has(f.sql.ptr, "CREATE UNLOGGED TABLE posts (\n");
	assert_has(f.sql.ptr, "\n) WITH (fillfactor=80);\n");
	assert_has(f.sql.ptr, "CREATE INDEX ix_posts_user_id ON posts (user_id text_pattern_ops) "
		   "WITH (fillfactor=90);\n");
	done(&f);

	/* a column's options (Synapse's n_distinct): set after its table is
	 * made, changed and reset in place, and compared */
	fresh(&f);
	assert_int_equal(rt_schema_init(&f.a, &rt_render_pg), 0);
	shop(&f.b, "postgresql");
	t = rt_schema_table(&f.b, "posts");
	assert_int_equal(rt_strlist_add(&rt_table_column(t, "user_id")->options, "n_distinct=-0.5"), 0);
	diff(&f);
	assert_before(f.sql.ptr, "CREATE TABLE posts (",
		      "ALTER TABLE posts ALTER COLUMN user_id SET (n_distinct=-0.5);\n");
	done(&f);
	shops(&f, "postgresql");
	t = rt_schema_table(&f.a, "posts");
	assert_int_equal(rt_strlist_add(&rt_table_column(t, "user_id")->options, "n_distinct=-0.5"), 0);
	assert_int_equal(rt_strlist_add(&rt_table_column(t, "body")->options, "n_distinct=100"), 0);
	t = rt_schema_table(&f.b, "posts");
	assert_int_equal(rt_strlist_add(&rt_table_column(t, "user_id")->options, "n_distinct=-0.2"), 0);
	assert_false(rt_schema_equal(&f.a, &f.b));
	diff(&f);
	assert_string_equal(f.ops.ptr, "change storage of table posts: column options\n");
	assert_string_equal(f.sql.ptr,
			    "ALTER TABLE posts ALTER COLUMN user_id SET (n_distinct=-0.2);\n"
			    "ALTER TABLE posts ALTER COLUMN body RESET (n_distinct);\n");
	done(&f);
}

/* m(id, d) PARTITION BY RANGE (d), with partitions m_a and m_b */
static void partitioned(rt_schema *s)
{
	const char *names[] = { "m", "m_a", "m_b" };
	size_t i;

	for (i = 0; i < 3; i++) {
		rt_table *t = table(s, names[i]);
		col(t, "id", "integer", 0, NULL);
		col(t, "d", "date", 1, NULL);
		if (!i) {
			assert_int_equal(rt_set_str(&t->partition_by, "RANGE (d)"), 0);
			continue;
		}
		assert_int_equal(rt_set_str(&t->partition_of, "m"), 0);
		assert_int_equal(rt_set_str(&t->partition_bound, i == 1 ?
			"FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')" : "DEFAULT"), 0);
	}
}

static void test_partitions(void **state)
{
	fixture f;

	(void)state;
	fresh(&f);
	assert_int_equal(rt_schema_init(&f.a, &rt_render_pg), 0);
	assert_int_equal(rt_schema_init(&f.b, &rt_render_pg), 0);
	/* the partitions come after their parent, whatever their names */
	partitioned(&f.b);
	assert_int_equal(rt_set_str(&f.b.tables[1].name, "a_first"), 0);
	diff(&f);
	assert_before(f.sql.ptr, "CREATE TABLE m (\n    id integer,\n    d date NOT NULL\n) "
		      "PARTITION BY RANGE (d);\n", "CREATE TABLE a_first PARTITION OF m FOR VALUES "
		      "FROM ('2024-01-01') TO ('2025-01-01');\n");
	assert_has(f.sql.ptr, "CREATE TABLE m_b PARTITION OF m DEFAULT;\n");
	/* and go before it */
	diff_back(&f);
	assert_before(f.sql.ptr, "DROP TABLE a_first;", "DROP TABLE m;");
	done(&f);

	/* a new column goes to the parent only; a new bound is a detach and
	 * an attach */
	fresh(&f);
	assert_int_equal(rt_schema_init(&f.a, &rt_render_pg), 0);
	assert_int_equal(rt_schema_init(&f.b, &rt_render_pg), 0);
	partitioned(&f.a);
	partitioned(&f.b);
	col(rt_schema_table(&f.b, "m"), "note", "text", 0, NULL);
	col(rt_schema_table(&f.b, "m_a"), "note", "text", 0, NULL);
	assert_int_equal(rt_set_str(&rt_schema_table(&f.b, "m_a")->partition_bound,
				    "FOR VALUES FROM ('2024-01-01') TO ('2026-01-01')"), 0);
	diff(&f);
	assert_string_equal(f.sql.ptr,
			    "ALTER TABLE m DETACH PARTITION m_a;\n"
			    "ALTER TABLE m ADD COLUMN note text;\n"
			    "ALTER TABLE m ATTACH PARTITION m_a FOR VALUES FROM ('2024-01-01') TO "
			    "('2026-01-01');\n");
	done(&f);

	/* one that leaves its parent: a hint that it keeps the parent's keys */
	fresh(&f);
	assert_int_equal(rt_schema_init(&f.a, &rt_render_pg), 0);
	assert_int_equal(rt_schema_init(&f.b, &rt_render_pg), 0);
	partitioned(&f.a);
	partitioned(&f.b);
	assert_int_equal(rt_set_str(&rt_schema_table(&f.b, "m_b")->partition_of, NULL), 0);
	diff(&f);
	assert_string_equal(f.sql.ptr, "ALTER TABLE m DETACH PARTITION m_b;\n");
	assert_int_equal(f.d.warnings.count, 1);
	assert_has(f.d.warnings.items[0], "table 'm_b' leaves partitioned table 'm' and keeps its "
		   "copies of the keys and indexes of 'm'");
	done(&f);

	/* a partition dropped from a parent that stays is detached first (a
	 * foreign key to the parent refuses a plain DROP TABLE) */
	fresh(&f);
	assert_int_equal(rt_schema_init(&f.a, &rt_render_pg), 0);
	assert_int_equal(rt_schema_init(&f.b, &rt_render_pg), 0);
	partitioned(&f.a);
	partitioned(&f.b);
	rt_schema_remove_table(&f.b, 2);
	diff(&f);
	assert_string_equal(f.sql.ptr, "ALTER TABLE m DETACH PARTITION m_b;\n"
			    "-- WARNING: drops table 'm_b' and its rows\nDROP TABLE m_b;\n");
	done(&f);

	/* a new partition key: the table is made again, its partitions too */
	fresh(&f);
	assert_int_equal(rt_schema_init(&f.a, &rt_render_pg), 0);
	assert_int_equal(rt_schema_init(&f.b, &rt_render_pg), 0);
	partitioned(&f.a);
	partitioned(&f.b);
	assert_int_equal(rt_set_str(&rt_schema_table(&f.b, "m")->partition_by, "LIST (d)"), 0);
	assert_int_equal(rt_set_str(&rt_schema_table(&f.b, "m_a")->partition_bound,
				    "FOR VALUES IN ('2024-01-01')"), 0);
	diff(&f);
	assert_before(f.sql.ptr, "DROP TABLE m_a;", "DROP TABLE m;");
	assert_before(f.sql.ptr, "DROP TABLE m;", "CREATE TABLE m (");
	assert_before(f.sql.ptr, ") PARTITION BY LIST (d);", "CREATE TABLE m_a PARTITION OF m FOR "
		      "VALUES IN ('2024-01-01');");
	assert_has(f.sql.ptr, "-- WARNING: drops table 'm' and its rows\n");
	assert_lacks(f.sql.ptr, "--rename");
	assert_int_equal(f.d.warnings.count, 3);
	done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal_models_give_nothing),
		cmocka_unit_test(test_add_and_drop_table),
		cmocka_unit_test(test_add_column_in_place_or_rebuild),
		cmocka_unit_test(test_add_column_with_reference_in_place),
		cmocka_unit_test(test_drop_column_warns_and_hints_rename),
		cmocka_unit_test(test_drop_column_in_place),
		cmocka_unit_test(test_rename_table),
		cmocka_unit_test(test_alter_column),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_indexes),
		cmocka_unit_test(test_unique_and_check),
		cmocka_unit_test(test_foreign_keys),
		cmocka_unit_test(test_table_order),
		cmocka_unit_test(test_fkey_to_unique_index),
		cmocka_unit_test(test_primary_key),
		cmocka_unit_test(test_views),
		cmocka_unit_test(test_triggers_follow_rebuilds),
		cmocka_unit_test(test_virtual_tables),
		cmocka_unit_test(test_enums),
		cmocka_unit_test(test_object_kinds_order),
		cmocka_unit_test(test_object_kinds_changes),
		cmocka_unit_test(test_enum_drop_and_table_options),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_rename_errors),
		cmocka_unit_test(test_type_narrowing),
		cmocka_unit_test(test_rebuild_checks_conversions),
		cmocka_unit_test(test_rebuild_keeps_rowid),
		cmocka_unit_test(test_sqltext),
		cmocka_unit_test(test_extensions),
		cmocka_unit_test(test_model_filter_sqlite),
#ifdef RETORT_WITH_PG
		cmocka_unit_test(test_model_filter_pg),
#endif
		cmocka_unit_test(test_deferrable),
		cmocka_unit_test(test_not_valid),
		cmocka_unit_test(test_generated_columns),
		cmocka_unit_test(test_storage_and_unlogged),
		cmocka_unit_test(test_partitions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
