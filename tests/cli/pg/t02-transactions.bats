#!/usr/bin/env bats
# PostgreSQL: transaction=false sections (CREATE INDEX CONCURRENTLY, a
# failure half way), ddl_lock_timeout, version_table_schema.

load pg_helper

A=a1a1a1a1a1a1
B=b2b2b2b2b2b2
C=c3c3c3c3c3c3

setup() {
	pg_setup
	new_db
	new_project
	write_rev "$A" "" "Create t" \
		"CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL, b text NOT NULL);
INSERT INTO t SELECT g, g % 7, 'row ' || g FROM generate_series(1, 1000) g;" \
		"DROP TABLE t;"
}

teardown() {
	pg_teardown
}

@test "two CREATE INDEX CONCURRENTLY in one transaction=false section both succeed, and both drop again" {
	UP_OPTS=transaction=false DOWN_OPTS=transaction=false write_rev "$B" "$A" "Index t concurrently" \
		"CREATE INDEX CONCURRENTLY ix_t_a ON t (a);
CREATE INDEX CONCURRENTLY ix_t_b ON t (b);" \
		"DROP INDEX CONCURRENTLY ix_t_b;
DROP INDEX CONCURRENTLY ix_t_a;"
	run -0 --separate-stderr rt upgrade head
	assert_eq "$stderr" ""
	assert_eq "${#lines[@]}" 2
	assert_match "${lines[1]}" "^upgrade $A -> $B, Index t concurrently "
	assert_eq "$(q "SELECT indexname FROM pg_indexes WHERE tablename = 't' ORDER BY 1")" "ix_t_a
ix_t_b
t_pkey"
	assert_eq "$(q "SELECT c.relname, i.indisvalid, i.indisready FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'ix_t_%' ORDER BY 1")" "ix_t_a|t|t
ix_t_b|t|t"
	assert_eq "$(versions)" "$B"

	run -0 --separate-stderr rt downgrade -1
	assert_eq "$stderr" ""
	assert_eq "$(q "SELECT indexname FROM pg_indexes WHERE tablename = 't' ORDER BY 1")" t_pkey
	assert_eq "$(versions)" "$A"
}

@test "CONCURRENTLY between transactional migrations of one run does not wait on the run's own lock" {
	# a transactional migration before and after the non-transactional one,
	# all in one run: the session lock must not block CONCURRENTLY
	UP_OPTS=transaction=false write_rev "$B" "$A" "Index concurrently" \
		"CREATE UNIQUE INDEX CONCURRENTLY ux_t_b ON t (b);"
	write_rev "$C" "$B" "Use it" \
		"ALTER TABLE t ADD CONSTRAINT t_b_key UNIQUE USING INDEX ux_t_b;"
	run -0 --separate-stderr timeout 120 "$RETORT" upgrade head
	assert_eq "${#lines[@]}" 3
	assert_eq "$(q "SELECT conname FROM pg_constraint WHERE conrelid = 't'::regclass AND contype = 'u'")" t_b_key
	assert_eq "$(versions)" "$C"
}

@test "a transaction=false section failing at its 2nd of 3 statements says which failed and what was applied" {
	run -0 rt upgrade "$A"
	UP_OPTS=transaction=false write_rev "$B" "$A" "Three steps" \
		"CREATE TABLE nt1 (id int);
INSERT INTO no_such_table VALUES (1);
CREATE TABLE nt3 (id int);"
	run -1 --separate-stderr rt upgrade head
	assert_eq "$output" ""
	assert_first_line_error "$stderr"
	# the failing statement: its file and line, the server's message
	assert_contains "$stderr" "${REV_FILE##*/}:$((UP_LINE + 1))"
	assert_contains "$stderr" 'relation "no_such_table" does not exist'
	# the statement already applied, by its text
	assert_contains "$stderr" "1 statement of it had already been applied"
	assert_match "$stderr" $'\n  CREATE TABLE nt1 \\(id int\\);'
	refute_contains "$stderr" "CREATE TABLE nt3"
	# and that is the truth
	rel_exists nt1
	refute rel_exists nt3
	assert_eq "$(versions)" "$A"
	assert_contains "$stderr" "the database is at '$A'"
}

@test "an error in a transactional migration leaves nothing of it behind" {
	run -0 rt upgrade "$A"
	write_rev "$B" "$A" "Three steps in a transaction" \
		"CREATE TABLE nt1 (id int);
INSERT INTO no_such_table VALUES (1);
CREATE TABLE nt3 (id int);"
	run -1 --separate-stderr rt upgrade head
	assert_first_line_error "$stderr"
	assert_contains "$stderr" "${REV_FILE##*/}:$((UP_LINE + 1))"
	assert_contains "$stderr" "nothing of '$B' was applied"
	refute rel_exists nt1
	refute rel_exists nt3
	assert_eq "$(versions)" "$A"
}

@test "ddl_lock_timeout: a migration stuck behind another session's lock fails fast, the database stays put" {
	run -0 rt upgrade "$A"
	write_rev "$B" "$A" "Alter t" \
		"CREATE TABLE before_alter (id int);
ALTER TABLE t ADD COLUMN c int;" \
		"ALTER TABLE t DROP COLUMN c;
DROP TABLE before_alter;"
	hold_in_psql app "BEGIN;" "LOCK TABLE t IN ACCESS EXCLUSIVE MODE;"
	wait_for 60 q_is "SELECT count(*) FROM $MY_LOCKS WHERE relation = 't'::regclass
		AND mode = 'AccessExclusiveLock' AND granted" 1
	ini_set ddl_lock_timeout 1
	local t0 t1 took
	t0=$(now)
	run -1 --separate-stderr timeout 120 "$RETORT" upgrade head
	t1=$(now)
	took=$(elapsed "$t0" "$t1")
	between "$took" 0.8 10 || fail "failed after $took s, expected about 1 s"
	assert_eq "$output" ""
	assert_first_line_error "$stderr"
	assert_contains "$stderr" "lock timeout"
	assert_contains "$stderr" "${REV_FILE##*/}:$((UP_LINE + 1))"
	assert_eq "$(versions)" "$A"
	refute rel_exists before_alter
	# the application's session is still there, undisturbed
	assert_eq "$(q "SELECT count(*) FROM $MY_LOCKS WHERE relation = 't'::regclass AND granted")" 1
	assert_eq "$(advisory_locks)" 0
}

@test "without ddl_lock_timeout the same migration waits for the lock and then succeeds" {
	run -0 rt upgrade "$A"
	write_rev "$B" "$A" "Alter t" "ALTER TABLE t ADD COLUMN c int;"
	hold_in_psql app "BEGIN;" "LOCK TABLE t IN ACCESS EXCLUSIVE MODE;"
	wait_for 60 q_is "SELECT count(*) FROM $MY_LOCKS WHERE relation = 't'::regclass AND granted" 1
	local app
	app=$(q "SELECT pid FROM $MY_LOCKS WHERE relation = 't'::regclass AND granted")
	bg mig "$RETORT" upgrade head
	local mig=$BG_PID
	# it queues behind the application's lock ...
	wait_for 60 q_is "SELECT count(*) FROM $MY_LOCKS WHERE relation = 't'::regclass AND NOT granted" 1
	kill -0 "$mig"
	# ... and goes through when the application lets go
	q "SELECT pg_terminate_backend($app)" >/dev/null
	bg_wait "$mig" 120
	assert_eq "$BG_STATUS" 0 "$(cat mig.err)"
	assert_eq "$(q "SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'c'")" 1
	assert_eq "$(versions)" "$B"
}

@test "version_table_schema: the version rows live in that schema" {
	q "CREATE SCHEMA myschema"
	ini_set version_table_schema myschema
	write_rev "$B" "$A" "Second" "CREATE TABLE second (id int);" "DROP TABLE second;"
	run -0 --separate-stderr rt upgrade head
	assert_eq "$stderr" ""
	assert_eq "$(q "SELECT version_num FROM myschema.retort_version")" "$B"
	refute rel_exists public.retort_version
	assert_eq "$(q "SELECT table_schema FROM information_schema.tables WHERE table_name = 'retort_version'")" myschema
	# the migrations themselves still go to the default schema
	rel_exists public.t
	rel_exists public.second
	run -0 --separate-stderr rt current
	assert_eq "$output" "$B (head)"
	run -0 rt downgrade -1
	assert_eq "$(q "SELECT version_num FROM myschema.retort_version")" "$A"
	refute rel_exists second
}

@test "transaction_per_migration = false: a failure rolls back the whole run" {
	ini_set transaction_per_migration false
	write_rev "$B" "$A" "Good" "CREATE TABLE good (id int);"
	write_rev "$C" "$B" "Bad" "CREATE TABLE bad (id int);
SELECT 1/0;"
	run -1 --separate-stderr rt upgrade head
	assert_first_line_error "$stderr"
	assert_contains "$stderr" "division by zero"
	refute rel_exists t
	refute rel_exists good
	refute rel_exists bad
	assert_eq "$(versions)" ""
}
