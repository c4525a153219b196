#!/usr/bin/env bats
# A transaction=false section leaves a trail as it runs (issue 13, items
# 3, 4, 7, 8): resume checks what it passes over, a killed run shows as
# interrupted, the downgrade path recovers like the upgrade path, and a
# failed transactional migration is in the history too.

load helper

R=e5e5e5e5e5e5

setup() {
	common_setup
	new_project
	write_rev "$A" "" "Create t_a" \
		"CREATE TABLE t_a (id INTEGER PRIMARY KEY);
CREATE TABLE knob (n NUMERIC NOT NULL);
INSERT INTO knob (n) VALUES (1);" \
		"DROP TABLE knob;
DROP TABLE t_a;"
	write_rev "$B" "$A" "Create t_b" \
		"CREATE TABLE t_b (id INTEGER PRIMARY KEY);" \
		"DROP TABLE t_b;"
	R_FILE=migrations/versions/${R}_steps.sql
	BG_PID=
}

teardown() {
	if [ -n "$BG_PID" ]; then
		kill -9 "$BG_PID" 2>/dev/null || true
		wait "$BG_PID" 2>/dev/null || true
	fi
	common_teardown
}

# write_r UPGRADE-STATEMENTS [DOWNGRADE-STATEMENTS]: R, after B, with both
# sections outside a transaction.
write_r() {
	cat >"$R_FILE" <<EOF
-- Steps
--
-- revision: $R
-- down_revision: $B
-- branch_labels:
-- depends_on:
-- create_date: 2026-11-22 10:00:00+00:00

-- +upgrade transaction=false
$1

-- +downgrade transaction=false
${2:-DROP TABLE IF EXISTS t_r3;
DROP TABLE IF EXISTS t_r2;
DROP TABLE IF EXISTS t_r1;}
EOF
}

history_rows() {
	q "SELECT revision || ' ' || direction || ' ' || status || ' ' || statements_done
	   FROM retort_history WHERE revision = '$R' ORDER BY id"
}

# A statement that runs until the test kills it (PostgreSQL: as long as
# the knob says, since a backend outlives its killed client until then).
long_statement() {
	if is_sqlite; then
		echo "CREATE TABLE t_r2 AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < (SELECT n FROM knob)) SELECT count(*) AS n FROM c;"
	else
		echo "CREATE TABLE t_r2 AS SELECT n FROM knob, LATERAL (SELECT pg_sleep(n)) AS s;"
	fi
}

statement_rows() {
	q "SELECT count(*) FROM retort_history WHERE revision = '$R' AND status = 'statement'"
}

statement_rows_are() {
	[ "$(statement_rows 2>/dev/null)" = "$1" ]
}

@test "resume refuses when a statement it would pass over is not the one that ran, and names it" {
	rt upgrade "$B" >/dev/null
	write_r "CREATE TABLE t_r1 (id INTEGER PRIMARY KEY);
CREATE TABLE t_r2 (id INTEGER PRIMARY KEY);
INSERT INTO no_such_table (id) VALUES (1);"
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "2 statements of it had already been applied"
	assert_eq "$(history_rows)" "$R upgrade running 0
$R upgrade statement 1
$R upgrade statement 2
$R upgrade failed 2"

	# statement 2 removed, the failing one fixed: passing over two
	# statements would skip the fixed one
	write_r "CREATE TABLE t_r1 (id INTEGER PRIMARY KEY);
CREATE TABLE t_r3 (id INTEGER PRIMARY KEY);"
	local before
	before=$(dump_all)
	run -1 --separate-stderr rt upgrade --resume
	assert_contains "$stderr" "cannot resume the upgrade of '$R': statement 2 ($PWD/$R_FILE:11) is not the one that ran"
	assert_contains "$stderr" "nothing was run"
	assert_contains "$stderr" "the database is at '$B', with 2 statements of '$R' applied"
	assert_eq "$(dump_all)" "$before"
	refute rel_exists t_r3
	run -0 rt current
	assert_contains "$output" "$R (failed at statement 3"

	# a file with fewer statements than ran is refused too
	write_r "CREATE TABLE t_r1 (id INTEGER PRIMARY KEY);"
	run -1 --separate-stderr rt upgrade --resume
	assert_contains "$stderr" "2 of its statements ran before the failure, but the file now has 1"
	assert_eq "$(dump_all)" "$before"

	# the statements that ran put back, the failing one fixed: resumed
	write_r "CREATE TABLE t_r1 (id INTEGER PRIMARY KEY);
CREATE TABLE t_r2 (id INTEGER PRIMARY KEY);
CREATE TABLE t_r3 (id INTEGER PRIMARY KEY);"
	run -0 --separate-stderr rt upgrade --resume
	assert_eq "$(versions)" "$R"
	assert_eq "$(user_tables)" "$(printf '%s\n' knob t_a t_b t_r1 t_r2 t_r3)"
	assert_eq "$(history_rows)" "$R upgrade running 0
$R upgrade statement 1
$R upgrade statement 2
$R upgrade failed 2
$R upgrade running 2
$R upgrade statement 3
$R upgrade applied 3"
}

rel_exists() {
	if is_sqlite; then
		[ "$(q "SELECT count(*) FROM sqlite_master WHERE name = '$1'")" = 1 ]
	else
		[ "$(q "SELECT to_regclass('$1') IS NOT NULL")" = t ]
	fi
}

@test "kill -9 inside a transaction=false section: shown as interrupted, a plain upgrade refuses, --resume continues after the last completed statement" {
	rt upgrade "$B" >/dev/null
	if is_sqlite; then q "UPDATE knob SET n = 4000000000"; else q "UPDATE knob SET n = 3"; fi
	write_r "CREATE TABLE t_r1 (id INTEGER PRIMARY KEY);
$(long_statement)
CREATE TABLE t_r3 (id INTEGER PRIMARY KEY);"
	"$RETORT" upgrade head >out.txt 2>err.txt 3>&- &
	BG_PID=$!
	wait_for 120 statement_rows_are 1 || fail "statement 1 was never recorded" "$(cat err.txt)"
	sleep 0.5
	kill -0 "$BG_PID" || fail "retort exited before it could be killed: $(cat err.txt)"
	kill -9 "$BG_PID"
	wait "$BG_PID" || true
	BG_PID=

	run -0 --separate-stderr rt current
	assert_contains "$output" "$R (interrupted at statement 2: the upgrade was stopped after 1 statement had completed; run 'retort upgrade --resume')"
	ini_set lock_timeout 30
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "the upgrade of '$R' ($PWD/$R_FILE) was interrupted at statement 2"
	assert_contains "$stderr" "after 1 statement had completed"
	assert_contains "$stderr" "retort upgrade --resume"
	assert_eq "$(versions)" "$B"

	q "UPDATE knob SET n = 1"
	run -0 --separate-stderr rt upgrade --resume
	assert_match "$output" "^upgrade $B -> $R, Steps "
	assert_eq "$(versions)" "$R"
	assert_eq "$(user_tables)" "$(printf '%s\n' knob t_a t_b t_r1 t_r2 t_r3)"
	assert_eq "$(history_rows)" "$R upgrade running 0
$R upgrade statement 1
$R upgrade running 1
$R upgrade statement 2
$R upgrade statement 3
$R upgrade applied 3"
	run -0 rt current
	assert_eq "$output" "$R (head)"
}

@test "a failed transaction=false downgrade: says downgrade --resume, --fix-checksums leaves it failed, resumes after the fix, a stamp says it clears" {
	write_r "CREATE TABLE t_r1 (id INTEGER PRIMARY KEY);
CREATE TABLE t_r2 (id INTEGER PRIMARY KEY);
CREATE TABLE t_r3 (id INTEGER PRIMARY KEY);" "DROP TABLE t_r3;
DROP TABLE no_such_table;
DROP TABLE t_r1;"
	rt upgrade head >/dev/null
	run -1 --separate-stderr rt downgrade -1
	assert_contains "$stderr" "1 statement of it had already been applied"
	assert_contains "$stderr" "'retort downgrade --resume'"
	refute_contains "$stderr" "upgrade --resume"
	run -0 rt current
	assert_contains "$output" "$R (failed at statement 2: the downgrade stopped after 1 statement"

	# accepting the file's checksum does not clear the failed state
	run -0 --separate-stderr rt stamp --fix-checksums "$R"
	run -0 rt current
	assert_contains "$output" "(failed at statement 2: the downgrade"
	run -1 --separate-stderr rt downgrade -1
	assert_contains "$stderr" "failed part way on an earlier run"

	# fixed: the edited file is the point of resuming, not a changed migration
	write_r "CREATE TABLE t_r1 (id INTEGER PRIMARY KEY);
CREATE TABLE t_r2 (id INTEGER PRIMARY KEY);
CREATE TABLE t_r3 (id INTEGER PRIMARY KEY);" "DROP TABLE t_r3;
DROP TABLE t_r2;
DROP TABLE t_r1;"
	run -0 --separate-stderr rt downgrade --resume -1
	assert_match "$output" "^downgrade $R -> $B, Steps "
	assert_eq "$(versions)" "$B"
	assert_eq "$(user_tables)" "$(printf '%s\n' knob t_a t_b)"

	# a stamp that clears a failed step says so
	write_r "CREATE TABLE t_r1 (id INTEGER PRIMARY KEY);
INSERT INTO no_such_table (id) VALUES (1);"
	run -1 --separate-stderr rt upgrade head
	run -0 --separate-stderr rt stamp "$B"
	assert_contains "$output" "cleared the failed upgrade of $R (1 statement of its transaction=false section had run)"
	run -0 rt current
	assert_eq "$output" "$B"
}

@test "a failed transactional migration leaves a 'failed' history row with its error, and blocks nothing" {
	rt upgrade "$B" >/dev/null
	write_rev "$C" "$B" "Bad c" \
		"CREATE TABLE t_c (id INTEGER PRIMARY KEY);
INSERT INTO no_such_table (id) VALUES (1);" \
		"DROP TABLE t_c;"
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "nothing of '$C' was applied"
	assert_eq "$(q "SELECT direction || ' ' || status || ' ' || statements_done FROM retort_history WHERE revision = '$C'")" "upgrade failed 0"
	assert_contains "$(q "SELECT error FROM retort_history WHERE revision = '$C'")" "no_such_table"
	run -0 rt current
	assert_eq "$output" "$B"
	# fixed, a plain upgrade applies it: no --resume needed
	write_rev "$C" "$B" "Bad c" \
		"CREATE TABLE t_c (id INTEGER PRIMARY KEY);" \
		"DROP TABLE t_c;"
	run -0 --separate-stderr rt upgrade head
	assert_eq "$(versions)" "$C"
	assert_eq "$(q "SELECT status FROM retort_history WHERE revision = '$C' ORDER BY id")" "failed
applied"
}
