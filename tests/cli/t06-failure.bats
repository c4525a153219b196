#!/usr/bin/env bats
# Failure atomicity: a migration that fails part-way leaves the database
# exactly at the previous revision, and the error says where and why.

load helper

BAD=b0b0b0b0b0b0

setup() {
	common_setup
	new_project
	write_rev "$A" "" "Create t_a" \
		"CREATE TABLE t_a (id INTEGER PRIMARY KEY, note TEXT);
INSERT INTO t_a (id, note) VALUES (1, 'one');" \
		"DROP TABLE t_a;"
}

teardown() {
	common_teardown
}

# What the database says for a missing table and a duplicate key.
no_table_msg() {
	if is_sqlite; then echo "no such table: $1"; else echo "relation \"$1\" does not exist"; fi
}
dup_key_msg() {
	if is_sqlite; then echo "UNIQUE constraint failed"; else echo "duplicate key value violates unique constraint"; fi
}

# The bad revision: five statements, the third fails.  The line numbers
# matter: the third statement starts on line 14 (after a comment line).
write_bad() {
	local third=$1
	cat >"migrations/versions/${BAD}_bad.sql" <<EOF
-- Bad migration
--
-- revision: $BAD
-- down_revision: $A
-- branch_labels:
-- create_date: 2026-11-22 10:00:00+00:00

-- +upgrade
CREATE TABLE t_one (id INTEGER PRIMARY KEY);
INSERT INTO t_a (id, note)
VALUES (2, 'two');
ALTER TABLE t_a ADD COLUMN extra TEXT;
-- the next statement fails
$third
CREATE TABLE t_four (id INTEGER);
CREATE TABLE t_five (id INTEGER);

-- +downgrade
DROP TABLE t_five;
DROP TABLE t_four;
DROP TABLE t_one;
EOF
	# make sure the fixture says what the test believes
	assert_eq "$(sed -n 14p "migrations/versions/${BAD}_bad.sql")" "$third"
}

check_failed_at_a() {
	assert_match "$stderr" "^error: "
	assert_contains "$stderr" "${BAD}_bad.sql:14"
	assert_contains "$stderr" "$BAD"
	# the revision the database is at now
	assert_contains "$stderr" "$A"
	assert_eq "$(dump_schema)" "$before_schema"
	assert_eq "$(dump_all)" "$before_all"
	assert_eq "$(versions)" "$A"
	assert_eq "$(q 'SELECT count(*) FROM t_a')" 1
}

@test "a statement that fails to prepare: nothing of the migration stays" {
	write_bad "INSERT INTO no_such_table (id) VALUES (1);"
	rt upgrade "$A" >/dev/null
	before_schema=$(dump_schema)
	before_all=$(dump_all)
	run -1 --separate-stderr rt upgrade head
	check_failed_at_a
	assert_contains "$stderr" "$(no_table_msg no_such_table)"
	assert_eq "$output" ""
}

@test "a statement that fails while running: nothing of the migration stays" {
	write_bad "INSERT INTO t_a (id, note) VALUES (1, 'duplicate');"
	rt upgrade "$A" >/dev/null
	before_schema=$(dump_schema)
	before_all=$(dump_all)
	run -1 --separate-stderr rt upgrade head
	check_failed_at_a
	assert_contains "$stderr" "$(dup_key_msg)"
}

@test "from base: the good migration commits, the bad one does not" {
	write_bad "INSERT INTO no_such_table (id) VALUES (1);"
	# what the database looks like at A, made on another database
	new_db REF
	rt -u "$REF_URL" upgrade "$A" >/dev/null
	before_schema=$(dump_schema "$REF")
	before_all=$(dump_all "$REF")
	run -1 --separate-stderr rt upgrade head
	# the first migration was reported, the failed one was not
	assert_eq "${#lines[@]}" 1
	assert_match "${lines[0]}" "^upgrade  -> $A, Create t_a "
	check_failed_at_a
	# the log has the error too
	grep -q "${BAD}_bad.sql:14" retort.log || fail "log lacks the error:" "$(cat retort.log)"
	# fixed, it goes through
	write_bad "INSERT INTO t_a (id, note) VALUES (3, 'three');"
	run -0 --separate-stderr rt upgrade head
	assert_eq "$(versions)" "$BAD"
	assert_eq "$(user_tables)" "t_a
t_five
t_four
t_one"
}

@test "transaction_per_migration = false: a failure undoes the whole run" {
	write_bad "INSERT INTO no_such_table (id) VALUES (1);"
	ini_set transaction_per_migration false
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "${BAD}_bad.sql:14"
	# A ran before, in the same transaction: the database is back at base
	assert_contains "$stderr" "the database is at base (no revision applied)"
	assert_eq "$(user_tables)" ""
	assert_eq "$(versions)" ""
}

@test "a failing downgrade leaves the database where it was" {
	write_bad "INSERT INTO t_a (id, note) VALUES (3, 'three');"
	rt upgrade head >/dev/null
	# break the downgrade: its second statement now fails
	sed -i 's/^DROP TABLE t_four;$/DROP TABLE t_no_such;/' "migrations/versions/${BAD}_bad.sql"
	# an applied file was edited: retort refuses until the edit is accepted
	run -1 --separate-stderr rt downgrade -1
	assert_contains "$stderr" "changed after it was applied"
	rt stamp --fix-checksums "$BAD" >/dev/null
	local before
	before=$(dump_all)
	run -1 --separate-stderr rt downgrade -1
	assert_contains "$stderr" "${BAD}_bad.sql:20"
	if is_sqlite; then
		assert_contains "$stderr" "no such table: t_no_such"
	else
		assert_contains "$stderr" 'table "t_no_such" does not exist'
	fi
	assert_eq "$(dump_all)" "$before"
	assert_eq "$(versions)" "$BAD"
}

@test "an error in a later line of a long statement names that statement" {
	cat >"migrations/versions/${BAD}_bad.sql" <<EOF
-- Multi-line failure
--
-- revision: $BAD
-- down_revision: $A

-- +upgrade
CREATE TABLE t_ok (id INTEGER);

/* a comment block
   before the statement */
INSERT INTO t_a (id, note)
SELECT id, note
FROM t_a_missing;

-- +downgrade
DROP TABLE t_ok;
EOF
	rt upgrade "$A" >/dev/null
	local before
	before=$(dump_all)
	run -1 --separate-stderr rt upgrade head
	# the statement starts on line 11 (after the comment block); the
	# missing table is on line 13: either is a fair place to point at
	assert_match "$stderr" "${BAD}_bad\.sql:1[13]: "
	assert_contains "$stderr" "$(no_table_msg t_a_missing)"
	assert_eq "$(dump_all)" "$before"
}
