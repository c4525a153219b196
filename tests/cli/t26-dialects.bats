#!/usr/bin/env bats
# A project that deploys to SQLite and PostgreSQL (`dialects` in
# retort.ini): `retort lint` warns about statements of a section without a
# dialect tag that one of them does not take (dialect-syntax), and
# `retort test` runs its checks on a scratch database of each.  Both
# dialects are used whichever one the test's URL is; the PostgreSQL
# server is the fixture's, named to retort as dev_url when the URL is a
# SQLite file.

load helper

setup() {
	common_setup
	new_project
	if [ -z "${RETORT_PG_STATE:-}" ] || [ ! -s "$RETORT_PG_STATE" ]; then
		fail "RETORT_PG_STATE must name the file with the test server's URL"
		return 1
	fi
	PG_SERVER_URL=$(head -n 1 "$RETORT_PG_STATE")
	ini_set dialects "sqlite, postgresql"
	# SQLite's scratch database is a temporary file: keep them where the
	# test can see that none is left
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir -p "$TMPDIR"
}

teardown() {
	common_teardown
}

# rev_file ID DOWN_REVISION SECTIONS: migrations/versions/ID_dialects.sql,
# a header on lines 1-8 and SECTIONS from line 9 on.
rev_file() {
	{
		printf -- '-- Dialects %s\n--\n-- revision: %s\n' "$1" "$1"
		printf -- '-- down_revision:%s\n-- branch_labels:\n-- depends_on:\n' "${2:+ $2}"
		printf -- '-- create_date: 2026-11-22 10:00:00+00:00\n\n%s\n' "$3"
	} >"$P/migrations/versions/$1_dialects.sql"
}

# The dialect-syntax findings of $output, one per line.
dialect_findings() {
	printf '%s\n' "$output" | grep -F '[dialect-syntax]' || true
}

# rejected LINE DIALECT TEXT [ID]: a line of $output says that DIALECT does
# not take the statement on LINE.  Where DIALECT is the URL's and lint reads
# it with its own parser (PostgreSQL), that is the syntax-error rule's.
rejected() {
	local id=${4:-$A} file
	file="migrations/versions/${id}_dialects\\.sql"
	if [ "$2" = postgresql ] && is_pg; then
		assert_line_match "^$file:$1: error: \\[syntax-error\\] cannot parse the statement: .+ \\(revision $id\\)\$"
	else
		assert_line_match "^$file:$1: warning: \\[dialect-syntax\\] on $2: .+ \\(the section has no dialect tag; write a '-- \\+(upgrade|downgrade) $2' section\\) \\(revision $id\\)\$"
	fi
	assert_contains "$(printf '%s\n' "$output" | grep "^migrations/versions/${id}_dialects.sql:$1: ")" "$3"
}

# No scratch database is left: no temporary file, no retort_test_* database.
assert_no_scratch() {
	assert_eq "$(ls -A "$TMPDIR")" ""
	assert_eq "$(psql -X -A -t -q -d "$PG_SERVER_URL" -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'retort\\_test\\_%'")" 0
}

# Each dialect's users table, in a section of its own; then a column
# added to it in a plain section both take.
tagged_project() {
	rev_file "$A" "" "-- +upgrade sqlite
CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);

-- +upgrade postgresql
CREATE TABLE users (id SERIAL PRIMARY KEY, name TEXT);

-- +downgrade
DROP TABLE users;"
	rev_file "$B" "$A" "-- +upgrade
ALTER TABLE users ADD COLUMN email TEXT;

-- +downgrade
ALTER TABLE users DROP COLUMN email;"
}

# ---- lint -----------------------------------------------------------------------

@test "lint: AUTOINCREMENT in a plain section, when postgresql is configured" {
	rev_file "$A" "" "-- +upgrade
CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);

-- +downgrade
DROP TABLE users;"
	run rt lint
	rejected 10 postgresql 'syntax error at or near "AUTOINCREMENT"'
	if is_pg; then
		assert_status 1
	else
		assert_status 0
	fi
	assert_eq "$(printf '%s\n' "$output" | wc -l)" 1
}

@test "lint: SERIAL, ALTER COLUMN TYPE, CREATE INDEX CONCURRENTLY and :: when sqlite is configured" {
	rev_file "$A" "" "-- +upgrade transaction=false
CREATE TABLE posts (id SERIAL PRIMARY KEY, body TEXT);
ALTER TABLE posts ALTER COLUMN body TYPE varchar(200);
CREATE INDEX CONCURRENTLY posts_body ON posts (body);
UPDATE posts SET body = id::text;

-- +downgrade
DROP INDEX posts_body;
DELETE FROM posts WHERE id = '1'::int;
DROP TABLE posts;"
	run rt lint
	assert_status 0
	rejected 10 sqlite "SQLite takes 'SERIAL' as a type name only: column 'id' of 'posts' is not numbered by the database"
	rejected 11 sqlite 'near "ALTER": syntax error'
	rejected 12 sqlite 'near "posts_body": syntax error'
	rejected 13 sqlite 'unrecognized token: ":"'
	rejected 17 sqlite 'unrecognized token: ":"'
	# the index the rejected CREATE INDEX did not make is not the DROP's
	# fault: nothing on line 16
	assert_eq "$(dialect_findings | wc -l)" 5
}

@test "lint: nothing when the sections are tagged, the dialect is not configured, or --dialect leaves it out" {
	tagged_project
	run rt lint
	assert_status 0
	assert_eq "$output" ""
	# a plain section only the URL's dialect takes
	if is_pg; then
		other=sqlite
		sql="CREATE TABLE posts (id SERIAL PRIMARY KEY, user_id INTEGER REFERENCES users (id));"
	else
		other=postgresql
		sql="CREATE TABLE posts (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER REFERENCES users (id));"
	fi
	rev_file "$C" "$B" "-- +upgrade
$sql

-- +downgrade
DROP TABLE posts;"
	run rt lint
	assert_status 0
	rejected 10 "$other" "" "$C"
	assert_eq "$(printf '%s\n' "$output" | wc -l)" 1
	ini_set dialects "$DIALECT"
	run rt lint
	assert_status 0
	assert_eq "$output" ""
	sed -i '/^dialects *=/d' retort.ini
	run rt lint
	assert_status 0
	assert_eq "$output" ""
	ini_set dialects "sqlite, postgresql"
	run rt lint --dialect "$DIALECT"
	assert_status 0
	assert_eq "$output" ""
}

@test "lint: what the migrations before made resolves; what none made is reported; lint-ignore" {
	tagged_project
	rev_file "$C" "$B" "-- +upgrade
INSERT INTO users (name) VALUES ('a');
INSERT INTO nosuch (name) VALUES ('a');
-- retort:lint-ignore dialect-syntax
UPDATE users SET name = id::text;

-- +downgrade
DELETE FROM users;"
	run rt lint
	assert_status 0
	rejected 11 sqlite "no such table: nosuch" "$C"
	assert_eq "$(dialect_findings | wc -l)" 1
}

@test "lint and test: a bad dialects key names retort.ini and the word" {
	tagged_project
	ini_set dialects "sqlite, oracle"
	run --separate-stderr rt lint
	assert_status 1
	assert_eq "$stderr" "error: $P/retort.ini: dialects: unknown dialect 'oracle' (sqlite, postgresql)"
	run --separate-stderr rt test
	assert_status 1
	assert_eq "$output" ""
	assert_eq "$stderr" "error: $P/retort.ini: dialects: unknown dialect 'oracle' (sqlite, postgresql)"
}

# ---- test -----------------------------------------------------------------------

@test "test: plain SQL SQLite takes fails on postgresql, and the result says so" {
	is_pg || ini_set dev_url "$PG_SERVER_URL"
	rev_file "$A" "" "-- +upgrade
CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);

-- +downgrade
DROP TABLE users;"
	run --separate-stderr rt test
	assert_status 1
	assert_contains "$output" "ok   [sqlite] revision $A, Dialects $A"
	assert_contains "$output" "ok   [sqlite] base"
	refute_contains "$output" "[postgresql]"
	assert_contains "$stderr" "FAIL [postgresql] revision $A (migrations/versions/${A}_dialects.sql): upgrade failed: "
	assert_contains "$stderr" "${A}_dialects.sql:10: syntax error at or near \"AUTOINCREMENT\""
	assert_contains "$stderr" "error: 1 of "
	refute_contains "$stderr" "[sqlite]"
	assert_no_scratch
	# limited to SQLite, it passes
	run --separate-stderr rt test --dialect sqlite
	assert_status 0
	assert_eq "$stderr" ""
	refute_contains "$output" "postgresql"
	assert_contains "$output" "revision $A, Dialects $A"
	assert_no_scratch
}

@test "test: sections of each dialect pass on both, each result named; -d limits to one" {
	is_pg || ini_set dev_url "$PG_SERVER_URL"
	tagged_project
	run --separate-stderr rt test
	assert_status 0
	assert_eq "$stderr" ""
	assert_eq "${lines[0]}" "ok   single-head $B, Dialects $B"
	local d
	for d in sqlite postgresql; do
		assert_contains "$output" "ok   [$d] revision $A, Dialects $A"
		assert_contains "$output" "ok   [$d] revision $B, Dialects $B"
		assert_contains "$output" "ok   [$d] base"
	done
	assert_eq "${lines[${#lines[@]}-1]}" "all 9 checks passed"
	assert_no_scratch
	run --separate-stderr rt test -d postgresql
	assert_status 0
	refute_contains "$output" "[sqlite]"
	assert_contains "$output" "revision $B, Dialects $B"
	assert_eq "${lines[${#lines[@]}-1]}" "all 5 checks passed"
	run --separate-stderr rt test -d mysql
	assert_status 1
	assert_contains "$stderr" "unknown dialect 'mysql'"
	assert_no_scratch
}

@test "test: without a PostgreSQL server to use, an error naming dev_url, and nothing runs" {
	tagged_project
	# the URL a SQLite file whatever the test's dialect; no dev_url
	run --separate-stderr rt -u "sqlite:///$BATS_TEST_TMPDIR/other.db" test
	assert_status 1
	assert_eq "$output" ""
	assert_eq "$stderr" "error: a scratch postgresql database is needed, and there is no postgresql server to make one on: set dev_url in $P/retort.ini to a postgresql URL (a database on a server where retort may create databases and schemas)"
	assert_no_scratch
}
