#!/usr/bin/env bats
# PostgreSQL's scratch schema for the desired model: rolled back on the
# database itself or on dev_url.
load ../helper
load ../autogen

setup() {
	autogen_setup postgresql
}

teardown() {
	common_teardown
}

@test "PostgreSQL: the scratch schema is rolled back, on the database or on dev_url" {
	run -0 rt upgrade head
	add_posts
	run -1 rt check
	assert_eq "$(q "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'retort_scratch%'")" 0
	new_db DEV
	ini_set dev_url "$DEV_URL"
	run -1 rt check
	assert_contains "$output" "add table posts"
	assert_eq "$(db_sql "$DEV" "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'retort_scratch%'")" 0
	assert_eq "$(db_sql "$DEV" "SELECT count(*) FROM pg_tables WHERE schemaname <> 'pg_catalog' AND schemaname <> 'information_schema'")" 0
	ini_set dev_url "sqlite:///x.db"
	run -1 --separate-stderr rt check
	assert_contains "$stderr" "is not a postgresql database"
}
