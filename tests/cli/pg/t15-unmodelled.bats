#!/usr/bin/env bats
# What the model has no place for is named, never passed over (issue 18,
# "What to build"): check, autogenerate and schema dump warn about each
# such object in the database or in the model, and leave it alone.
load ../helper

setup() {
	common_setup postgresql
	new_project
	ini_set schema schema.sql
}

teardown() {
	common_teardown
}

@test "PostgreSQL: objects the model leaves out are named by check, autogenerate and schema dump" {
	write_rev a1a1a1a1a1a1 "" "shop" \
		"CREATE TABLE t (id int PRIMARY KEY, v text);
CREATE POLICY readers ON t USING (true);
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
CREATE RULE no_delete AS ON DELETE TO t DO INSTEAD NOTHING;
CREATE TYPE pair AS (a int, b int);
CREATE STATISTICS t_stats ON id, v FROM t;
CREATE INDEX t_v ON t (v);
COMMENT ON INDEX t_v IS 'by v';
ALTER TABLE t ALTER COLUMN v SET STORAGE EXTERNAL;
ALTER TABLE t ALTER COLUMN id SET STATISTICS 500;
ALTER TABLE t REPLICA IDENTITY FULL;
CREATE TABLE base (id int);
CREATE TABLE child (extra int) INHERITS (base);" \
		"DROP TABLE t; DROP TYPE pair; DROP TABLE child; DROP TABLE base;"
	run -0 rt upgrade head
	printf '%s\n' "CREATE TABLE t (id int PRIMARY KEY, v text);" "CREATE INDEX t_v ON t (v);" \
		"CREATE TABLE base (id int);" "CREATE TABLE child (id int, extra int);" >schema.sql

	run -0 --separate-stderr rt check
	assert_contains "$output" "no changes"
	for what in "policy readers on t" "row level security on t" "rule no_delete on t" \
		"composite type pair" "statistics object t_stats" "comment on index t_v" \
		"storage (SET STORAGE) of t.v" "statistics target of t.id" "replica identity of t" \
		"inheritance (INHERITS) of child"; do
		assert_contains "$stderr" "warning: not modelled: $what is neither compared nor created"
	done

	run -0 --separate-stderr rt revision --autogenerate -m "nothing"
	assert_contains "$stderr" "warning: not modelled: policy readers on t"
	f=$(ls migrations/versions/*_nothing.sql)
	refute grep -qi "policy\|rule\|statistics" "$f"

	run -0 rt schema dump
	assert_contains "$output" "-- warning: not modelled: rule no_delete on t"
	# the policy is still there: nothing was dropped
	assert_eq "$(q "SELECT count(*) FROM pg_policy")" 1
}
