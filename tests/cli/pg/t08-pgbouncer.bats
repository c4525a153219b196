#!/usr/bin/env bats
# PostgreSQL behind PgBouncer in transaction pooling mode: concurrent runs,
# a runner killed with -9, transaction=false sections, and one version table
# named in two ways.
#
# The CTest fixture pgbouncer (scripts/pgbouncer.sh) runs PgBouncer with
# pool_mode = transaction and a pool of 10 server connections per database,
# fewer than the 16 clients started at once, so that one client's
# transactions run on different server connections.  The test's database
# is created on the server directly; retort reaches it through PgBouncer
# (PGB_URL) unless a test says otherwise.

load pg_helper

setup() {
	pg_setup
	if [ -z "${RETORT_PGBOUNCER_STATE:-}" ] || [ ! -s "$RETORT_PGBOUNCER_STATE" ]; then
		echo "RETORT_PGBOUNCER_STATE must name the file with PgBouncer's URL" \
			"(got '${RETORT_PGBOUNCER_STATE:-}'); the CTest fixture pgbouncer/start writes it" >&2
		return 1
	fi
	PGB_BASE_URL=$(head -n 1 "$RETORT_PGBOUNCER_STATE")
	new_db
	PGB_URL="$PGB_BASE_URL/$DB_NAME"
	new_project "$P" "$PGB_URL"
}

teardown() {
	pg_teardown
}

# start_gated N NAME CMD...: start N copies of CMD at once (each waits on a
# shared flock gate until all are started); their output goes to
# NAME.out.I / NAME.err.I and their pids to GATED_PIDS.
start_gated() {
	local n=$1 name=$2 i
	shift 2
	GATED_PIDS=()
	exec 8>"$BATS_TEST_TMPDIR/gate.$name"
	flock -x 8
	for ((i = 1; i <= n; i++)); do
		(
			exec 8>&-
			flock -s "$BATS_TEST_TMPDIR/gate.$name" -c true
			exec timeout 300 "$@"
		) >"$name.out.$i" 2>"$name.err.$i" 3>&- &
		GATED_PIDS+=($!)
		BG_PIDS+=($!)
	done
}

open_gate() {
	flock -u 8
	exec 8>&-
}

# wait_gated NAME: wait for the processes of start_gated; fail unless every
# one exited 0.
wait_gated() {
	local name=$1 i=0 pid rc failed=0
	for pid in "${GATED_PIDS[@]}"; do
		i=$((i + 1))
		rc=0
		wait "$pid" || rc=$?
		if [ "$rc" -ne 0 ]; then
			echo "$name process $i exited $rc: $(cat "$name.err.$i")" >&2
			failed=1
		fi
	done
	[ "$failed" -eq 0 ]
}

# The rows of log, each with how often it is there: "REV|1" per migration
# when every one was applied exactly once.
log_counts() {
	q "SELECT rev || '|' || count(*) FROM log GROUP BY rev ORDER BY rev"
}

# What log_counts and applied_counts must be for REVS.
once_each() {
	local r
	for r in "${REVS[@]}"; do
		printf '%s|1\n' "$r"
	done | sort
}

# The number of 'applied' upgrade rows of the history table per revision.
applied_counts() {
	q "SELECT revision || '|' || count(*) FROM retort_history
		WHERE direction = 'upgrade' AND status = 'applied' GROUP BY revision ORDER BY revision"
}

# Advisory locks, granted or waiting, held in the test's database (other
# test files use the same server at the same time).
advisory_locks_here() {
	q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
}

@test "16 concurrent upgrades through PgBouncer: each migration once, all exit 0" {
	log_chain 10
	start_gated 16 up "$RETORT" upgrade head
	open_gate
	wait_gated up
	assert_eq "$(versions)" "$LAST"
	assert_eq "$(log_counts)" "$(once_each)" "rows of log (revision|count)"
	assert_eq "$(applied_counts)" "$(once_each)" "'applied' history rows (revision|count)"
	# each migration reported once, by the process that applied it
	assert_eq "$(cat up.out.* | grep -c '^upgrade ')" 10
	assert_eq "$(cat up.out.* | grep '^upgrade ' | sort | uniq -d)" ""
	assert_eq "$(advisory_locks_here)" 0
}

@test "kill -9 of a runner inside a migration through PgBouncer strands no lock: the next run applies the rest once" {
	log_chain 2
	local first=${REVS[0]} second=${REVS[1]}
	# K sleeps between two inserts; C follows it
	local K=ca11ab1e0000 C=c3c3c3c3c3c3
	write_rev "$K" "$second" "Slow one" \
		"INSERT INTO log (rev) VALUES ('$K-before');
SELECT pg_sleep(5);
INSERT INTO log (rev) VALUES ('$K-after');" \
		"DELETE FROM log WHERE rev LIKE '$K-%';"
	write_rev "$C" "$K" "After the slow one" \
		"INSERT INTO log (rev) VALUES ('$C');" \
		"DELETE FROM log WHERE rev = '$C';"
	ini_set lock_timeout 20

	# other clients of the pool, as an application's would be, more of
	# them than the pool has server connections: the connection a
	# transaction of the run gives back goes to one of them while they
	# queue, and the run's next transaction gets another one
	# (They stop when the file noise.stop appears, at the end of a
	# transaction: a client killed inside one would make PgBouncer close
	# its server connection, and with it any lock left there.)
	local i noise=()
	for ((i = 1; i <= 12; i++)); do
		bg "noise.$i" bash -c 'while [ ! -e noise.stop ]; do
				echo "BEGIN; SELECT pg_sleep(0.01); COMMIT;"; sleep 0.02
			done | psql -X -q -d "$1"' noise "$PGB_URL"
		noise+=("$BG_PID")
	done
	# the pool is busy (its 10 server connections are open)
	wait_for 30 q_is "SELECT count(*) >= 10 FROM pg_stat_activity WHERE datname = current_database()
		AND backend_type = 'client backend' AND pid <> pg_backend_pid()" t
	bg victim "$RETORT" upgrade head
	local victim=$BG_PID
	# kill it while K's pg_sleep runs (seen on the server directly)
	wait_for 60 q_is "SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = current_database()
		AND state = 'active' AND query LIKE '%pg_sleep(5)%' AND pid <> pg_backend_pid()" t \
		|| fail "the slow migration never started: $(cat victim.err)"
	kill -0 "$victim" || fail "retort exited before it could be killed: $(cat victim.err)"
	kill -9 "$victim"
	bg_wait "$victim" 30
	assert_eq "$BG_STATUS" 137 "exit status of the killed run"
	touch noise.stop
	for i in "${noise[@]}"; do
		bg_wait "$i" 60
	done
	# the killed run's migration left nothing of itself
	assert_eq "$(versions)" "$second"
	assert_eq "$(q "SELECT count(*) FROM log WHERE rev LIKE '$K-%'")" 0
	# once the killed run's backend has ended (PgBouncer drops a server
	# connection whose client went away inside a transaction; the backend
	# notices when pg_sleep returns), no lock of it is left on any server
	# connection, pooled or not
	wait_for 30 q_is "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
		AND query LIKE '%pg_sleep(5)%' AND state = 'active' AND pid <> pg_backend_pid()" 0
	assert_eq "$(advisory_locks_here)" 0 "advisory locks left after the kill"

	# the next run, through PgBouncer, gets the lock well within lock_timeout
	local t0 t1 took
	t0=$(now)
	run --separate-stderr timeout 60 "$RETORT" upgrade head
	t1=$(now)
	took=$(elapsed "$t0" "$t1")
	assert_status 0
	between "$took" 0 19.5 || fail "the second run took $took s (lock_timeout is 20 s)"
	assert_eq "$(versions)" "$C"
	REVS=("$first" "$second" "$K-after" "$K-before" "$C")
	assert_eq "$(log_counts)" "$(once_each)" "rows of log (revision|count)"
	REVS=("$first" "$second" "$K" "$C")
	assert_eq "$(applied_counts)" "$(once_each)" "'applied' history rows (revision|count)"
	# nothing stranded on a pooled server connection
	assert_eq "$(advisory_locks_here)" 0 "advisory locks left in the database"
}

@test "a transaction=false section through PgBouncer is refused before it runs, saying to use a direct URL; directly it is applied" {
	write_rev a1a1a1a1a1a1 "" "Table" \
		"CREATE TABLE t (id int PRIMARY KEY, x int);
INSERT INTO t VALUES (1, 1);" \
		"DROP TABLE t;"
	UP_OPTS="transaction=false" DOWN_OPTS="transaction=false" \
		write_rev b2b2b2b2b2b2 a1a1a1a1a1a1 "Index concurrently" \
		"INSERT INTO t VALUES (2, 2);
CREATE INDEX CONCURRENTLY t_x ON t (x);" \
		"DROP INDEX CONCURRENTLY t_x;"
	run -0 --separate-stderr rt upgrade a1a1a1a1a1a1
	assert_eq "$(versions)" a1a1a1a1a1a1
	local before
	before=$(q "SELECT count(*) FROM retort_history")

	run --separate-stderr rt upgrade head
	assert_status 1
	assert_first_line_error "$(without_wait_notice "$stderr")"
	assert_contains "$stderr" "pooler"
	assert_contains "$stderr" "direct"
	assert_eq "$output" "" "stdout of the refused run"
	# nothing of b2 ran, and the database is where it was
	assert_eq "$(versions)" a1a1a1a1a1a1
	assert_eq "$(q "SELECT count(*) FROM t")" 1
	refute rel_exists t_x
	assert_eq "$(q "SELECT count(*) FROM retort_history WHERE status <> 'applied'")" 0
	assert_eq "$(q "SELECT count(*) FROM retort_history")" "$before"

	# the pooler key: 'transaction' refuses on the direct URL too, without
	# looking; the default (auto) finds the direct connection and applies it
	ini_set pooler transaction
	run -1 --separate-stderr rt -u "$DB_URL" upgrade head
	assert_contains "$stderr" "pooler = transaction"
	assert_eq "$(versions)" a1a1a1a1a1a1
	refute rel_exists t_x
	ini_set pooler auto

	# the same project through the server's own URL applies it
	run -0 --separate-stderr rt -u "$DB_URL" upgrade head
	assert_eq "$(versions)" b2b2b2b2b2b2
	rel_exists t_x
	assert_eq "$(q "SELECT count(*) FROM t")" 2
	assert_eq "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 't_x'::regclass")" t
	assert_eq "$(advisory_locks_here)" 0
}

@test "two configs naming one version table differently (version_table_schema = public or not), 8 runs each at once: each migration once" {
	log_chain 10
	# directly, not through PgBouncer
	ini_set url "$DB_URL"
	sed 's/^version_table = .*/&\nversion_table_schema = public/' retort.ini >public.ini
	grep -q '^version_table_schema = public$' public.ini
	local plain=() public=()
	start_gated 8 plain "$RETORT" upgrade head
	plain=("${GATED_PIDS[@]}")
	# one gate each, opened together
	exec 9>"$BATS_TEST_TMPDIR/gate.public"
	flock -x 9
	local i
	for ((i = 1; i <= 8; i++)); do
		(
			exec 8>&- 9>&-
			flock -s "$BATS_TEST_TMPDIR/gate.public" -c true
			exec timeout 300 "$RETORT" -c public.ini upgrade head
		) >"public.out.$i" 2>"public.err.$i" 3>&- &
		public+=($!)
		BG_PIDS+=($!)
	done
	flock -u 9
	exec 9>&-
	open_gate
	local failed=0
	GATED_PIDS=("${plain[@]}")
	wait_gated plain || failed=1
	GATED_PIDS=("${public[@]}")
	wait_gated public || failed=1
	[ "$failed" -eq 0 ]
	assert_eq "$(q "SELECT count(*) FROM pg_class WHERE relname = 'retort_version'")" 1
	assert_eq "$(versions)" "$LAST"
	assert_eq "$(log_counts)" "$(once_each)" "rows of log (revision|count)"
	assert_eq "$(applied_counts)" "$(once_each)" "'applied' history rows (revision|count)"
	assert_eq "$(cat plain.out.* public.out.* | grep -c '^upgrade ')" 10
}
