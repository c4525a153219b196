#!/usr/bin/env bats
# Several processes at once, and a process killed in the middle of a
# migration.

load helper

setup() {
	common_setup
	new_project
	BG_PID=
}

teardown() {
	# a process a failed test left running
	if [ -n "$BG_PID" ]; then
		kill -9 "$BG_PID" 2>/dev/null || true
		wait "$BG_PID" 2>/dev/null || true
	fi
	common_teardown
}

# N migrations: the first creates the log table, each (the first too)
# inserts one row naming itself.
write_log_chain() {
	local n=$1 i id down=
	for ((i = 1; i <= n; i++)); do
		printf -v id 'c0c0c0%06d' "$i"
		if [ "$i" -eq 1 ]; then
			write_rev "$id" "" "Log $i" \
				"CREATE TABLE log (rev TEXT NOT NULL);
INSERT INTO log (rev) VALUES ('$id');" \
				"DROP TABLE log;"
		else
			write_rev "$id" "$down" "Log $i" \
				"INSERT INTO log (rev) VALUES ('$id');" \
				"DELETE FROM log WHERE rev = '$id';"
		fi
		down=$id
	done
	LAST=$down
}

@test "8 concurrent upgrades over 30 migrations: each applied exactly once" {
	write_log_chain 30
	local i pids=() rc
	# Hold a lock while the processes start, then let them all go at once.
	exec 8>"$BATS_TEST_TMPDIR/gate"
	flock -x 8
	for i in 1 2 3 4 5 6 7 8; do
		(
			exec 8>&-
			flock -s "$BATS_TEST_TMPDIR/gate" -c true
			exec timeout 300 "$RETORT" upgrade head
		) >"out.$i" 2>"err.$i" 3>&- &
		pids+=($!)
	done
	flock -u 8
	exec 8>&-
	local failed=0
	for i in 1 2 3 4 5 6 7 8; do
		rc=0
		wait "${pids[$((i - 1))]}" || rc=$?
		if [ "$rc" -ne 0 ]; then
			echo "process $i exited $rc: $(cat "err.$i")" >&2
			failed=1
		fi
	done
	[ "$failed" -eq 0 ]
	assert_eq "$(q 'SELECT count(*), count(DISTINCT rev) FROM log')" "30|30"
	assert_eq "$(versions)" "$LAST"
	# each migration was reported once, by the process that applied it
	assert_eq "$(cat out.* | grep -c '^upgrade ')" 30
	assert_eq "$(cat out.* | grep '^upgrade ' | sort | uniq -d)" ""
	local e
	for i in 1 2 3 4 5 6 7 8; do
		e=$(cat "err.$i")
		refute_contains "$e" "error"
	done
}

# start_gated N CMD...: N processes of CMD let go at once; their output in
# out.I and err.I, their pids in PIDS.
start_gated() {
	local n=$1 i
	shift
	PIDS=()
	exec 8>"$BATS_TEST_TMPDIR/gate"
	flock -x 8
	for ((i = 1; i <= n; i++)); do
		(
			exec 8>&-
			flock -s "$BATS_TEST_TMPDIR/gate" -c true
			exec timeout 300 "$@"
		) >"out.$i" 2>"err.$i" 3>&- &
		PIDS+=($!)
	done
	flock -u 8
	exec 8>&-
}

# wait_all: every process of start_gated exited 0.
wait_all() {
	local i rc failed=0
	for i in "${!PIDS[@]}"; do
		rc=0
		wait "${PIDS[$i]}" || rc=$?
		if [ "$rc" -ne 0 ]; then
			echo "process $((i + 1)) exited $rc: $(cat "err.$((i + 1))")" >&2
			failed=1
		fi
	done
	[ "$failed" -eq 0 ]
}

@test "16 concurrent upgrades over transaction=false and foreign_keys=off migrations: each applied exactly once" {
	write_rev "$A" "" "Log" \
		"CREATE TABLE log (rev TEXT NOT NULL);
INSERT INTO log (rev) VALUES ('$A');" \
		"DROP TABLE log;"
	# statements outside a transaction: the run's lock must span them
	printf '%s\n' "-- Outside" "--" "-- revision: $B" "-- down_revision: $A" \
		"-- branch_labels:" "-- depends_on:" "-- create_date: 2026-11-22 10:00:00+00:00" "" \
		"-- +upgrade transaction=false" \
		"INSERT INTO log (rev) VALUES ('$B');" \
		"CREATE TABLE once_only (id INTEGER PRIMARY KEY);" \
		"INSERT INTO log (rev) VALUES ('$B-2');" "" \
		"-- +downgrade transaction=false" "DROP TABLE once_only;" \
		"DELETE FROM log WHERE rev LIKE '$B%';" >"migrations/versions/${B}_outside.sql"
	# a table rebuild with foreign keys off: its commit and re-begin too
	printf '%s\n' "-- Rebuild" "--" "-- revision: $C" "-- down_revision: $B" \
		"-- branch_labels:" "-- depends_on:" "-- create_date: 2026-11-22 10:00:00+00:00" "" \
		"-- +upgrade foreign_keys=off" \
		"INSERT INTO log (rev) VALUES ('$C');" \
		"CREATE TABLE rebuilt (id INTEGER PRIMARY KEY);" "" \
		"-- +downgrade" "DROP TABLE rebuilt;" \
		"DELETE FROM log WHERE rev = '$C';" >"migrations/versions/${C}_rebuild.sql"
	start_gated 16 "$RETORT" upgrade head
	wait_all
	assert_eq "$(q "SELECT rev || ' ' || count(*) FROM log GROUP BY rev ORDER BY rev")" "$A 1
$B 1
$B-2 1
$C 1"
	assert_eq "$(versions)" "$C"
	assert_eq "$(q "SELECT revision || ' ' || count(*) FROM retort_history WHERE status = 'applied'
		GROUP BY revision ORDER BY revision")" "$A 1
$B 1
$C 1"
	assert_eq "$(q "SELECT count(*) FROM retort_history WHERE status = 'failed'")" 0
	# each migration reported once, by the process that applied it
	assert_eq "$(cat out.* | grep -c '^upgrade ')" 3
}

@test "a run that cannot get the lock in time names the run that holds it" {
	write_long_chain
	rt upgrade "$A" >/dev/null
	set_length some
	"$RETORT" upgrade head >out.1 2>err.1 3>&- &
	BG_PID=$!
	wait_for 120 inside_k || fail "the first process never started" "$(cat err.1)"
	ini_set lock_timeout 1
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "another migration run holds the lock"
	assert_contains "$stderr" "nothing was changed"
	if is_sqlite; then
		assert_contains "$stderr" "pid $BG_PID on $(hostname)"
	else
		assert_match "$stderr" "server process pid [0-9]+, application 'retort'"
	fi
	wait "$BG_PID"
	BG_PID=
	assert_eq "$(versions)" "$K"
	if is_sqlite; then
		# the lock file goes with the run that held it
		[ ! -e "$DB-retort-lock" ] || fail "lock file left behind"
	fi
}

@test "concurrent upgrades of different targets still apply each migration once" {
	write_log_chain 12
	local i pids=() rc failed=0
	for i in 1 2 3 4 5 6; do
		timeout 300 "$RETORT" upgrade "c0c0c0$(printf '%06d' $((i * 2)))" >"out.$i" 2>"err.$i" 3>&- &
		pids+=($!)
	done
	for i in 1 2 3 4 5 6; do
		rc=0
		wait "${pids[$((i - 1))]}" || rc=$?
		# a process whose target is already passed may exit 0 or fail
		# cleanly; it must never apply anything twice
		[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || { echo "process $i exited $rc: $(cat "err.$i")" >&2; failed=1; }
	done
	[ "$failed" -eq 0 ]
	assert_eq "$(q 'SELECT count(*) - count(DISTINCT rev) FROM log')" 0
	run -0 --separate-stderr rt upgrade head
	assert_eq "$(q 'SELECT count(*), count(DISTINCT rev) FROM log')" "12|12"
}

# The long migration K: after two quick statements it runs a long one
# whose length comes from the knob table made by A, so that the test can
# make it as long as it needs.  SQLite: a recursive count to the knob's
# value; PostgreSQL: pg_sleep of the knob's seconds.
write_long_chain() {
	write_rev "$A" "" "Knob" \
		"CREATE TABLE knob (n NUMERIC NOT NULL);
INSERT INTO knob (n) VALUES (1);" \
		"DROP TABLE knob;"
	K=ca11ab1e0000
	local long
	if is_sqlite; then
		long="CREATE TABLE t_k_counted AS
    WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < (SELECT n FROM knob))
    SELECT count(*) AS n FROM c;"
	else
		long="CREATE TABLE t_k_counted AS
    SELECT n FROM knob, LATERAL (SELECT pg_sleep(n)) AS s;"
	fi
	write_rev "$K" "$A" "Long one" \
		"CREATE TABLE t_k (id INTEGER PRIMARY KEY, x TEXT);
INSERT INTO t_k (id, x) VALUES (1, 'written before the long part');
$long
CREATE TABLE t_k2 (id INTEGER);" \
		"DROP TABLE t_k2;
DROP TABLE t_k_counted;
DROP TABLE t_k;"
}

# set_length endless|short|some: how long the long statement takes.
# (PostgreSQL: a backend does not notice that its client was killed until
# its statement ends, so even "endless" is only a few seconds there.)
set_length() {
	local n
	case "$DIALECT:$1" in
	sqlite:endless) n=4000000000 ;;
	sqlite:short) n=3000000 ;;
	sqlite:some) n=10000000 ;;
	postgresql:endless) n=4 ;;
	postgresql:short) n=0.5 ;;
	postgresql:some) n=2 ;;
	esac
	q "UPDATE knob SET n = $n"
}

# Another session is inside K: SQLite: someone holds the write lock (our
# own BEGIN IMMEDIATE fails at once) and, in rollback-journal mode, has
# written (the journal has content); PostgreSQL: a session runs pg_sleep.
inside_k() {
	case "$DIALECT" in
	sqlite)
		sqlite3 -batch -cmd '.timeout 0' "$DB" 'BEGIN IMMEDIATE; ROLLBACK;' >/dev/null 2>&1 &&
			return 1
		[ -s "$DB-journal" ] || [ "$(q 'PRAGMA journal_mode')" = wal ]
		;;
	postgresql)
		[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND state = 'active' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()")" -ge 1 ]
		;;
	esac
}

# PostgreSQL: the server session of a killed client has ended.
no_orphan() {
	[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
		AND pid <> pg_backend_pid() AND backend_type = 'client backend'")" -eq 0 ]
}

@test "kill -9 during a long migration: the database stays at the previous revision" {
	write_long_chain
	rt upgrade "$A" >/dev/null
	set_length endless
	local before
	before=$(dump_all)

	"$RETORT" upgrade head >out.txt 2>err.txt 3>&- &
	BG_PID=$!
	# wait until the migration has run its first statements, then kill
	# it while the long one runs
	wait_for 120 inside_k || fail "the migration never started" "$(cat err.txt)"
	kill -0 "$BG_PID" || fail "retort exited before it could be killed: $(cat err.txt)"
	kill -9 "$BG_PID"
	local rc=0
	wait "$BG_PID" || rc=$?
	BG_PID=
	assert_eq "$rc" 137 "exit status of the killed process"
	if is_sqlite; then
		# in rollback-journal mode the killed run left a hot journal: the
		# migration had written, and the next connection rolls it back
		# (looked at before anything opens the database again)
		if [ ! -s "$DB-journal" ] && [ "$(q 'PRAGMA journal_mode')" != wal ]; then
			fail "no hot journal after the kill"
		fi
	fi

	# a new process sees the revision before the killed migration
	run -0 --separate-stderr rt current
	assert_eq "$output" "$A"
	assert_eq "$(dump_all)" "$before"
	if is_sqlite; then
		assert_eq "$(q 'PRAGMA integrity_check')" "ok"
	else
		wait_for 120 no_orphan || fail "the killed client's session did not end"
		assert_eq "$(dump_all)" "$before"
	fi

	# make the long part short; the re-run completes
	set_length short
	run -0 --separate-stderr timeout 300 "$RETORT" upgrade head
	assert_match "$output" "^upgrade $A -> $K, Long one "
	assert_eq "$(versions)" "$K"
	assert_eq "$(q 'SELECT count(*) FROM t_k_counted')" 1
	assert_eq "$(q 'SELECT count(*) FROM t_k')" 1
	assert_eq "$(user_tables)" "knob
t_k
t_k2
t_k_counted"
}

@test "a second process waits for the first one's lock and then finds nothing to do" {
	write_long_chain
	rt upgrade "$A" >/dev/null
	set_length some
	"$RETORT" upgrade head >out.1 2>err.1 3>&- &
	BG_PID=$!
	wait_for 120 inside_k || fail "the first process never started" "$(cat err.1)"
	# the first holds the lock inside K; the second must wait for it
	run -0 --separate-stderr timeout 300 "$RETORT" upgrade head
	local rc=0
	wait "$BG_PID" || rc=$?
	BG_PID=
	assert_eq "$rc" 0 "first process: $(cat err.1)"
	assert_eq "$output" ""
	assert_match "$(cat out.1)" "^upgrade $A -> $K, Long one "
	assert_eq "$(versions)" "$K"
	assert_eq "$(q 'SELECT count(*) FROM t_k')" 1
}

@test "a long migration: on a terminal a status line says which one runs and for how long; -v names each statement; a pipe gets neither line" {
	write_long_chain
	rt upgrade "$A" >/dev/null
	set_length some
	# a terminal: script(1) gives retort a pseudo-terminal
	script -qfec "$(printf '%q ' "$RETORT" upgrade head)" /dev/null >tty.out 2>&1
	assert_contains "$(cat tty.out)" "upgrade $A -> $K, Long one: running for 1 s"
	# the status line is gone (carriage return, erase line) before the
	# migration's own line (its revision coloured, on a terminal)
	assert_match "$(tr '\r' '\n' <tty.out | sed 's/\x1b\[K//g; s/\x1b\[[0-9;]*m//g' | grep ' ms)$')" \
		"^upgrade $A -> $K, Long one \([0-9.]+ ms\)$"
	run -0 rt downgrade "$A"
	# a pipe: the migration's line alone, no status line
	run -0 --separate-stderr rt upgrade head
	assert_match "$output" "^upgrade $A -> $K, Long one \([0-9.]+ ms\)$"
	refute_contains "$stderr" "running for"
	run -0 rt downgrade "$A"
	# -v: each statement with its file:line as it starts
	run -0 --separate-stderr rt -v upgrade head
	assert_contains "$stderr" "  $P/migrations/versions/${K}_long_one.sql:10: CREATE TABLE t_k (id INTEGER PRIMARY KEY, x TEXT);"
	assert_contains "$stderr" "${K}_long_one.sql:12: CREATE TABLE t_k_counted AS"
	local k2
	k2=$(grep -n 'CREATE TABLE t_k2' "migrations/versions/${K}_long_one.sql" | cut -d: -f1)
	assert_contains "$stderr" "${K}_long_one.sql:$k2: CREATE TABLE t_k2 (id INTEGER);"
	assert_eq "$(q 'SELECT count(*) FROM t_k')" 1
}
