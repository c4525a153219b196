#!/usr/bin/env bats
# schema_file in retort.ini: every online upgrade, downgrade and stamp
# rewrites it with `retort schema dump` (in the format its extension
# names), relative to the ini's folder; offline runs leave it alone; a
# file that cannot be written is an error that says the database was
# migrated all the same.

load helper

setup() {
	common_setup
	new_project
	std_chain
}

teardown() {
	common_teardown
}

# the file equals what `schema dump` prints now
same_as_dump() {
	diff -u <(rt schema dump "$@") "$FILE"
}

@test "upgrade, downgrade and stamp rewrite the file with the schema dump" {
	ini_set schema_file db/current.sql
	mkdir db sub
	FILE="$P/db/current.sql"
	# relative to the ini's folder, wherever retort runs
	(cd sub && rt -c ../retort.ini upgrade "$B" >/dev/null)
	same_as_dump
	assert_contains "$(cat "$FILE")" "CREATE TABLE t_b"
	rt upgrade head >/dev/null
	same_as_dump
	assert_contains "$(cat "$FILE")" "CREATE TABLE t_d"
	rt downgrade "$A" >/dev/null
	same_as_dump
	refute_contains "$(cat "$FILE")" "t_b"
	assert_contains "$(cat "$FILE")" "CREATE TABLE t_a"
	# a stamp changes no table, but the file is written all the same
	rm "$FILE"
	rt stamp "$C" >/dev/null
	same_as_dump
	# no temporary file left beside it
	assert_eq "$(ls db)" "current.sql"
	assert_contains "$(cat retort.log)" "schema file $FILE rewritten"
}

@test "the extension names the format: .json, .mmd" {
	ini_set schema_file schema.json
	FILE="$P/schema.json"
	rt upgrade "$B" >/dev/null
	same_as_dump --format json
	assert_eq "$(jq -r '[.tables[].name] | join(" ")' "$FILE")" "t_a t_b"
	ini_set schema_file schema.mmd
	FILE="$P/schema.mmd"
	rt downgrade "$A" >/dev/null
	same_as_dump --format mermaid
	assert_eq "$(head -n 1 "$FILE")" "erDiagram"
}

db_exists_with_tables() {
	[ -n "$(user_tables 2>/dev/null)" ]
}

@test "offline runs (--sql) leave the file alone" {
	ini_set schema_file current.sql
	FILE="$P/current.sql"
	rt upgrade --sql head >/dev/null
	rt stamp --sql "$A" >/dev/null
	[ ! -e "$FILE" ]
	refute db_exists_with_tables
}

@test "a file that cannot be written: an error naming it, and the database migrated" {
	ini_set schema_file no/such/dir/current.sql
	run -1 --separate-stderr rt upgrade "$B"
	assert_contains "$stderr" "the upgrade is done: the database is migrated and committed, but schema_file '$P/no/such/dir/current.sql' could not be rewritten: cannot create"
	assert_eq "$(versions)" "$B"
	assert_eq "$(user_tables)" "t_a
t_b"
	run -1 --separate-stderr rt stamp "$A"
	assert_contains "$stderr" "the stamp is done: the database is stamped and committed"
	assert_eq "$(versions)" "$A"
}

@test "a run that fails part way writes what it committed" {
	ini_set schema_file current.sql
	FILE="$P/current.sql"
	write_rev "$C" "$B" "Create t_c" "CREATE TABLE t_c (id INTEGER PRIMARY KEY);
INSERT INTO no_such_table VALUES (1);" "DROP TABLE t_c;"
	run ! rt upgrade head
	assert_eq "$(versions)" "$B"
	same_as_dump
	assert_contains "$(cat "$FILE")" "CREATE TABLE t_b"
	refute_contains "$(cat "$FILE")" "t_c"
	# a run that fails before it changes anything does not write it
	rm "$FILE"
	run ! rt upgrade head
	[ ! -e "$FILE" ]
}
