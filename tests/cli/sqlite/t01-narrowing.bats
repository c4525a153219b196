#!/usr/bin/env bats
# Narrowing a type never changes data silently on SQLite either (issue 18
# item 2; tests/cli/pg/t11-narrowing.bats is PostgreSQL's).  A type change
# is a table rebuild (INSERT ... SELECT into the new table): SQLite cuts
# nothing (varchar(64) holds 100 characters), but the new type's affinity
# converts text that reads as a number ('0123' -> 123), so the rebuild
# fails on such a value, leaving the data as it was.
load ../helper

setup() {
	common_setup sqlite
	new_project
	ini_set schema schema.sql
	LONG=$(printf 'x%.0s' $(seq 1 100))
	write_rev a1a1a1a1a1a1 "" "names" \
		"CREATE TABLE t (id INTEGER PRIMARY KEY, name varchar(100), code TEXT);" "DROP TABLE t;"
	run -0 rt upgrade head
}

teardown() {
	common_teardown
}

# autogen MESSAGE SCHEMA: write the model, autogenerate; $f is the file
autogen() {
	echo "$2" >schema.sql
	run -0 rt revision --autogenerate -m "$1"
	f=$(ls migrations/versions/*_"$(slugify "$1")".sql)
}

@test "SQLite: varchar(100) -> varchar(64) keeps a 100-character value, up and down" {
	q "INSERT INTO t (name, code) VALUES ('$LONG', '0123')"
	autogen "shorter names" "CREATE TABLE t (id INTEGER PRIMARY KEY, name varchar(64), code TEXT);"
	run -0 rt upgrade head
	assert_eq "$(q "SELECT length(name), code, typeof(code) FROM t")" "100|0123|text"
	run -0 rt downgrade -1
	assert_eq "$(q "SELECT length(name), code FROM t")" "100|0123"
}

@test "SQLite: TEXT -> INTEGER fails on a value it would change, with the data as it was" {
	q "INSERT INTO t (name, code) VALUES ('a', '0123'), ('b', '42'), ('c', 'abc')"
	autogen "numeric codes" "CREATE TABLE t (id INTEGER PRIMARY KEY, name varchar(100), code INTEGER);"
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "cannot rebuild table 't': column 'code' (TEXT -> INTEGER) would change a value"
	assert_eq "$(q "SELECT group_concat(code || ':' || typeof(code), ' ') FROM t")" \
		"0123:text 42:text abc:text"
	assert_eq "$(q "SELECT type FROM pragma_table_info('t') WHERE name = 'code'")" TEXT
	assert_eq "$(versions)" a1a1a1a1a1a1
	# the same from the offline script, as sqlite3 runs it
	run -0 rt upgrade a1a1a1a1a1a1:head --sql
	printf '%s\n' "$output" >up.sql
	run -1 sqlite3 -bail test.db <up.sql
	assert_contains "$output" "would change a value"
	assert_eq "$(q "SELECT group_concat(code, ' ') FROM t")" "0123 42 abc"

	# values that read the same go through: '42' becomes 42, 'abc' stays
	q "UPDATE t SET code = '123' WHERE code = '0123'"
	run -0 rt upgrade head
	assert_eq "$(q "SELECT group_concat(code || ':' || typeof(code), ' ') FROM t")" \
		"123:integer 42:integer abc:text"
	# and back: integers read as text the same
	run -0 rt downgrade -1
	assert_eq "$(q "SELECT group_concat(code || ':' || typeof(code), ' ') FROM t")" \
		"123:text 42:text abc:text"
}

@test "SQLite: a STRICT table refuses what it cannot hold, and a new CHECK what breaks it" {
	q "INSERT INTO t (name, code) VALUES ('$LONG', '1.0')"
	autogen "strict" "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, code INTEGER) STRICT;"
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "column 'code' (TEXT -> INTEGER, STRICT) would change a value"
	q "UPDATE t SET code = 'x'"
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "cannot store TEXT value in INTEGER column"
	assert_eq "$(q "SELECT length(name), code FROM t")" "100|x"
	rm "$f"

	autogen "short names" \
		"CREATE TABLE t (id INTEGER PRIMARY KEY, name varchar(100) CHECK (length(name) <= 64), code TEXT);"
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "CHECK constraint failed"
	assert_eq "$(q "SELECT length(name) FROM t")" 100
	assert_eq "$(versions)" a1a1a1a1a1a1
}
