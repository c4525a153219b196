#!/usr/bin/env bats
# Narrowing a type never cuts data silently (issue 18 item 2): the SQL
# autogenerate writes for varchar(100) -> varchar(64) fails on a value
# that does not fit, on the way up and on the way down, and the database
# is left as it was.
load ../helper

setup() {
	common_setup postgresql
	new_project
	ini_set schema schema.sql
	LONG=$(printf 'x%.0s' $(seq 1 100))
}

teardown() {
	common_teardown
}

@test "PostgreSQL: a narrowing that does not fit fails instead of cutting, up and down" {
	write_rev a1a1a1a1a1a1 "" "names" "CREATE TABLE t (name varchar(100));" "DROP TABLE t;"
	run -0 rt upgrade head
	q "INSERT INTO t VALUES ('$LONG')"
	echo "CREATE TABLE t (name varchar(64));" >schema.sql
	run -0 rt revision --autogenerate -m "shorter names"
	f=$(ls migrations/versions/*_shorter_names.sql)
	# no explicit cast, which would cut
	refute grep -q "USING" "$f"
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "value too long for type character varying(64)"
	assert_eq "$(q "SELECT length(name) FROM t")" 100
	assert_eq "$(q "SELECT character_maximum_length FROM information_schema.columns WHERE table_name = 't'")" 100
	assert_eq "$(versions)" a1a1a1a1a1a1

	# the other way round: widened, then a long value, then downgrade
	q "DELETE FROM t"
	run -0 rt upgrade head
	echo "CREATE TABLE t (name varchar(100));" >schema.sql
	run -0 rt revision --autogenerate -m "longer names"
	run -0 rt upgrade head
	q "INSERT INTO t VALUES ('$LONG')"
	run -1 --separate-stderr rt downgrade -1
	assert_contains "$stderr" "value too long"
	assert_eq "$(q "SELECT length(name) FROM t")" 100
}
