#!/usr/bin/env bats
# PostgreSQL: several runs at once, the advisory lock every transaction
# of a run takes, its lock_timeout, and a run killed in the middle of a migration.

load pg_helper

setup() {
	pg_setup
	new_db
	new_project
}

teardown() {
	pg_teardown
}

@test "8 concurrent upgrades on an empty database: version table created once, each migration once, all exit 0" {
	log_chain 30
	local i pids=() rc failed=0
	# hold a gate while the processes start, then let them all go at once
	exec 8>"$BATS_TEST_TMPDIR/gate"
	flock -x 8
	for i in 1 2 3 4 5 6 7 8; do
		(
			exec 8>&-
			flock -s "$BATS_TEST_TMPDIR/gate" -c true
			exec timeout 300 "$RETORT" upgrade head
		) >"out.$i" 2>"err.$i" 3>&- &
		pids+=($!)
		BG_PIDS+=($!)
	done
	flock -u 8
	exec 8>&-
	for i in 1 2 3 4 5 6 7 8; do
		rc=0
		wait "${pids[$((i - 1))]}" || rc=$?
		if [ "$rc" -ne 0 ]; then
			echo "process $i exited $rc: $(cat "err.$i")" >&2
			failed=1
		fi
	done
	[ "$failed" -eq 0 ]
	# one version table, one row: the head
	assert_eq "$(q "SELECT count(*) FROM pg_class WHERE relname = 'retort_version'")" 1
	assert_eq "$(versions)" "$LAST"
	# every migration exactly once
	assert_eq "$(q 'SELECT count(*), count(DISTINCT rev) FROM log')" "30|30"
	assert_eq "$(q "SELECT min(rev), max(rev) FROM log")" "c0c0c0000001|$LAST"
	# each migration reported once, by the process that applied it
	assert_eq "$(cat out.* | grep -c '^upgrade ')" 30
	assert_eq "$(cat out.* | grep '^upgrade ' | sort | uniq -d)" ""
	# on stderr at most the notice that it waited for the lock
	for i in 1 2 3 4 5 6 7 8; do
		assert_eq "$(without_wait_notice "$(cat "err.$i")")" "" "stderr of process $i"
	done
	# nobody holds the lock any more
	assert_eq "$(advisory_locks)" 0
}

@test "a run waiting for the lock gives up after lock_timeout, names the holder's pid, writes nothing" {
	log_chain 1
	local first=$LAST
	run -0 rt upgrade head
	# B waits on a table that another session keeps locked, so the run
	# applying it holds the migration lock for as long as the test wants
	q "CREATE TABLE gate (id int)"
	write_rev b0b0b0b0b0b0 "$first" "Wait at the gate" \
		"INSERT INTO log (rev) VALUES ('b0b0b0b0b0b0');
SELECT count(*) FROM gate;" \
		"DELETE FROM log WHERE rev = 'b0b0b0b0b0b0';"
	hold_in_psql gatekeeper "BEGIN;" "LOCK TABLE gate IN ACCESS EXCLUSIVE MODE;"
	local keeper=$BG_PID
	wait_for 60 q_is "SELECT count(*) FROM $MY_LOCKS WHERE relation = 'gate'::regclass
		AND mode = 'AccessExclusiveLock' AND granted" 1
	local keeper_backend
	keeper_backend=$(q "SELECT pid FROM $MY_LOCKS WHERE relation = 'gate'::regclass AND granted")

	bg first "$RETORT" upgrade head
	local holder=$BG_PID
	# the first run holds the advisory lock and waits at the gate
	wait_for 60 advisory_locks_are 1
	wait_for 60 q_is "SELECT count(*) FROM $MY_LOCKS WHERE relation = 'gate'::regclass
		AND NOT granted" 1
	local holder_backend
	holder_backend=$(retort_backend_pid)
	assert_match "$holder_backend" '^[0-9]+$'

	ini_set lock_timeout 2
	local t0 t1
	t0=$(now)
	run -1 --separate-stderr rt upgrade head
	t1=$(now)
	local took
	took=$(elapsed "$t0" "$t1")
	between "$took" 1.5 5 || fail "gave up after $took s, expected about 2 s"
	# it said it was waiting, then gave up with one error line
	assert_match "$(printf '%s\n' "$stderr" | head -n 1)" '^waiting for .*lock'
	assert_first_line_error "$(without_wait_notice "$stderr")"
	assert_contains "$stderr" "lock"
	assert_contains "$stderr" "pid $holder_backend"
	assert_contains "$stderr" "2 s"
	assert_eq "$output" "" "stdout of the run that gave up"
	# the holder is still at work, and nothing of B is visible
	kill -0 "$holder"
	assert_eq "$(q "SELECT count(*) FROM log WHERE rev = 'b0b0b0b0b0b0'")" 0
	assert_eq "$(versions)" "$first"

	# open the gate: the first run finishes, B applied once
	q "SELECT pg_terminate_backend($keeper_backend)" >/dev/null
	bg_wait "$holder" 120
	assert_eq "$BG_STATUS" 0 "exit status of the first run ($(cat first.err))"
	assert_eq "$(cat first.out | grep -c '^upgrade ')" 1
	assert_contains "$(cat first.out)" "-> b0b0b0b0b0b0"
	assert_eq "$(q "SELECT rev FROM log ORDER BY rev")" "b0b0b0b0b0b0
$first"
	assert_eq "$(versions)" b0b0b0b0b0b0
	assert_eq "$(advisory_locks)" 0
	wait "$keeper" 2>/dev/null || true
}

@test "the lock is keyed on the table the server resolves (hashtext('public.retort_version')), however the config spells it" {
	log_chain 2
	# another session takes the very key retort uses for public.retort_version
	hold_in_psql locker "SELECT pg_advisory_lock(hashtext('retort'), hashtext('public.retort_version'));"
	wait_for 60 advisory_locks_are 1
	local locker_backend
	locker_backend=$(q "SELECT pid FROM $MY_LOCKS WHERE locktype = 'advisory' AND granted")
	ini_set lock_timeout 1
	# the table named through the search_path ...
	run -1 --separate-stderr rt upgrade head
	assert_first_line_error "$(without_wait_notice "$stderr")"
	assert_contains "$stderr" "pid $locker_backend"
	assert_contains "$stderr" "nothing was changed"
	assert_eq "$output" ""
	refute rel_exists log
	refute rel_exists retort_version
	# ... and with its schema written out wait for the same lock
	ini_set version_table_schema public
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "pid $locker_backend"
	refute rel_exists log

	# a project with another version table in the same database is not
	# blocked by it
	ini_set version_table other_version
	run -0 --separate-stderr rt upgrade head
	assert_eq "$(versions "$DB_URL" other_version)" "$LAST"
	assert_eq "$(q 'SELECT count(*) FROM log')" 2
}

@test "kill -9 in the middle of a migration: the lock is released and a second run applies it once" {
	log_chain 1
	local first=$LAST
	run -0 rt upgrade head
	write_rev d0d0d0d0d0d0 "$first" "Slow one" \
		"INSERT INTO log (rev) VALUES ('d0d0d0d0d0d0');
SELECT pg_sleep(4);
CREATE TABLE after_sleep (id int);" \
		"DROP TABLE after_sleep;
DELETE FROM log WHERE rev = 'd0d0d0d0d0d0';"
	bg victim "$RETORT" upgrade head
	local victim=$BG_PID
	# wait until its session is inside the pg_sleep of the migration
	wait_for 60 q_is "SELECT count(*) FROM $MY_SESSIONS WHERE application_name = 'retort'
		AND state = 'active' AND query LIKE '%pg_sleep(4)%'" 1
	assert_eq "$(advisory_locks)" 1
	kill -9 "$victim"
	bg_wait "$victim" 30
	assert_eq "$BG_STATUS" 137
	# the server ends the orphaned session (after the statement it was
	# running) and with it the lock; its transaction is rolled back
	wait_for 60 advisory_locks_are 0
	wait_for 60 q_is "SELECT count(*) FROM $MY_SESSIONS WHERE application_name = 'retort'" 0
	assert_eq "$(q "SELECT count(*) FROM log WHERE rev = 'd0d0d0d0d0d0'")" 0
	assert_eq "$(versions)" "$first"

	ini_set lock_timeout 10
	run -0 --separate-stderr rt upgrade head
	assert_match "$output" "^upgrade $first -> d0d0d0d0d0d0, Slow one \([0-9.]+ ms\)$"
	assert_eq "$(q "SELECT count(*) FROM log WHERE rev = 'd0d0d0d0d0d0'")" 1
	assert_eq "$(q 'SELECT count(*) FROM log')" 2
	rel_exists after_sleep
	assert_eq "$(versions)" d0d0d0d0d0d0
	assert_eq "$(advisory_locks)" 0
}

@test "killed while waiting for the lock: nothing happens, the holder is undisturbed" {
	log_chain 3
	hold_in_psql locker "SELECT pg_advisory_lock(hashtext('retort'), hashtext('public.retort_version'));"
	local locker=$BG_PID
	wait_for 60 advisory_locks_are 1
	bg waiter "$RETORT" upgrade head
	local waiter=$BG_PID
	wait_for 60 q_is "SELECT count(*) FROM $MY_SESSIONS WHERE application_name = 'retort'" 1
	kill -9 "$waiter"
	bg_wait "$waiter" 30
	refute rel_exists retort_version
	refute rel_exists log
	# the holder lets go; a new run goes through
	q "SELECT pg_terminate_backend(pid) FROM $MY_LOCKS WHERE locktype = 'advisory' AND granted" >/dev/null
	wait "$locker" 2>/dev/null || true
	wait_for 60 advisory_locks_are 0
	run -0 rt upgrade head
	assert_eq "$(q 'SELECT count(*) FROM log')" 3
}
