#!/usr/bin/env bats
# One request per migration on PostgreSQL (issue 19 item 3): a
# transactional step's statements, its version change, its history row and
# the COMMIT go to the server as one simple query; the step after it opens
# its transaction in the same request, behind a guard that checks the
# run's lock and the version rows.  A proxy in front of the server
# (countproxy.py) writes down every request.
load ../helper

setup() {
	common_setup postgresql
	PROXY_PID=
	A=a0000000000a B=b0000000000b C=c0000000000c D=d0000000000d
	new_project
	std_chain
}

teardown() {
	[ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null
	common_teardown
}

# start_proxy [MATCH COMMAND]: the proxy in front of the test's server;
# the project's url goes through it.
start_proxy() {
	local hostport=${DB#*@}
	hostport=${hostport%%/*}
	REQUESTS=$BATS_TEST_TMPDIR/requests.log
	: >"$REQUESTS"
	/usr/bin/python3 "$BATS_TEST_DIRNAME/countproxy.py" "${hostport%:*}" "${hostport#*:}" \
		"$BATS_TEST_TMPDIR/proxy.port" "$REQUESTS" "$@" &
	PROXY_PID=$!
	wait_for 10 test -s "$BATS_TEST_TMPDIR/proxy.port" || fail "the proxy did not start"
	ini_set url "${DB%%@*}@127.0.0.1:$(cat "$BATS_TEST_TMPDIR/proxy.port")/${DB##*/}?sslmode=disable"
}

# The requests after the one that holds $1.
requests_after() {
	awk -v m="$1" 'seen { n++ } index($0, m) { seen = 1 } END { print n + 0 }' "$REQUESTS"
}

@test "after the first, each migration is one request: section, version change, history row, COMMIT" {
	start_proxy
	run rt upgrade
	assert_status 0
	# each section went once, in one request with its version change
	for id in "$A" "$B" "$C" "$D"; do
		t="t_${id:0:1}"
		assert_eq 1 "$(grep -c "CREATE TABLE $t " "$REQUESTS")"
		grep "CREATE TABLE $t " "$REQUESTS" | grep -q "SET version_num = '$id'\|VALUES ('$id')" ||
			fail "the version change to $id is not in its step's request"
		grep "CREATE TABLE $t " "$REQUESTS" | grep -q "INSERT INTO \"retort_history\".*COMMIT\$" ||
			fail "$id's history row and COMMIT are not in its step's request"
	done
	for id in "$B" "$C" "$D"; do
		grep "CREATE TABLE t_${id:0:1} " "$REQUESTS" | grep -q "^Q BEGIN; SELECT 1 / (pg_try_advisory_xact_lock" ||
			fail "the request of $id does not open its own transaction behind the lock"
	done
	# nothing else after the first step: B, C and D were one request each
	assert_eq 3 "$(requests_after 'CREATE TABLE t_a ')"
	assert_eq "$D" "$(q 'SELECT version_num FROM retort_version')"
	assert_eq 0 "$(q "SELECT count(*) FROM retort_history WHERE status = 'applied' AND duration_ms IS NULL")"
	assert_eq 4 "$(q "SELECT count(*) FROM retort_history WHERE status = 'applied'")"

	: >"$REQUESTS"
	run rt downgrade base
	assert_status 0
	assert_eq 3 "$(requests_after 'DROP TABLE t_d')"
	assert_eq 0 "$(q 'SELECT count(*) FROM retort_version')"
	assert_eq "" "$(q "SELECT string_agg(tablename, ',') FROM pg_tables WHERE tablename LIKE 't\\_%'")"
}

@test "transaction_per_migration = false: each migration's section and version change are one request" {
	ini_set transaction_per_migration false
	start_proxy
	run rt upgrade
	assert_status 0
	for id in "$B" "$C" "$D"; do
		grep "CREATE TABLE t_${id:0:1} " "$REQUESTS" | grep -q "SET version_num = '$id'" ||
			fail "the version change to $id is not in its step's request"
	done
	# B, C, D, then the history rows and the COMMIT
	assert_eq 5 "$(requests_after 'CREATE TABLE t_a ')"
	assert_eq 4 "$(q "SELECT count(*) FROM retort_history WHERE status = 'applied'")"
}

@test "a failed statement in a one-request step names its file:line and nothing of it stays" {
	write_rev e0000000000e "$D" "Fails" "CREATE TABLE t_e (id int);
INSERT INTO t_e VALUES (1);
INSERT INTO t_e
  VALUES (1 / 0);
CREATE TABLE t_e2 (id int);" "DROP TABLE t_e;"
	E_FILE=$REV_FILE
	write_rev f0000000000f e0000000000e "Bad type" "CREATE TABLE t_f (id int,
  y no_such_type);" "DROP TABLE t_f;"
	F_FILE=$REV_FILE
	start_proxy
	run rt upgrade
	assert_status 1
	# the statement's line: the division by zero has no position of its own
	assert_contains "$output" "failed at $E_FILE:12: division by zero"
	assert_contains "$output" "the database is at '$D'; nothing of 'e0000000000e' was applied"
	grep -q 'CREATE TABLE t_e (id int)' "$REQUESTS" ||
		fail "the failing step did not go in one request"
	assert_eq "$D" "$(q 'SELECT version_num FROM retort_version')"
	assert_eq 0 "$(q "SELECT count(*) FROM pg_tables WHERE tablename LIKE 't\\_e%'")"
	assert_eq 1 "$(q "SELECT count(*) FROM retort_history WHERE revision = 'e0000000000e' AND status = 'failed'")"

	# the server's error position, mapped back into the file
	write_rev e0000000000e "$D" "Fails" "CREATE TABLE t_e (id int);" "DROP TABLE t_e;"
	run rt upgrade
	assert_status 1
	assert_contains "$output" "failed at $F_FILE:11: type \"no_such_type\" does not exist"
	assert_eq e0000000000e "$(q 'SELECT version_num FROM retort_version')"

	# a DO block's failing line
	write_rev f0000000000f e0000000000e "Bad type" "CREATE TABLE t_f (id int);
DO \$\$
BEGIN
  INSERT INTO t_f VALUES (1);
  RAISE EXCEPTION 'stop here';
END
\$\$;" "DROP TABLE t_f;"
	run rt upgrade
	assert_status 1
	assert_contains "$output" "failed at $F_FILE:14: stop here"
	assert_eq 0 "$(q "SELECT count(*) FROM pg_tables WHERE tablename = 't_f'")"
}

@test "a section the parser cannot read whole is not joined to its version change" {
	# an unterminated quote would swallow the tail of a joined request
	# (whose own quotes would close it somewhere else)
	write_rev e0000000000e "$D" "Open quote" "CREATE TABLE t_e (id int);
INSERT INTO t_e VALUES (1);
INSERT INTO t_e VALUES ('oops);" "DROP TABLE t_e;"
	start_proxy
	run rt upgrade
	assert_status 1
	assert_contains "$output" "failed at $REV_FILE:12: unterminated quoted string"
	assert_contains "$output" "the database is at '$D'; nothing of 'e0000000000e' was applied"
	refute_contains "$output" "cannot record"
	assert_eq "$D" "$(q 'SELECT version_num FROM retort_version')"
	assert_eq 0 "$(q "SELECT count(*) FROM pg_tables WHERE tablename = 't_e'")"
	# the section went alone, without the version change
	! grep "INSERT INTO t_e VALUES ('oops)" "$REQUESTS" | grep -q 'retort_version' ||
		fail "the unreadable section was joined to its version change"
}

@test "another run holds the lock between two steps: the step waits and runs once" {
	# before B's request, another session takes the run's lock for a
	# second; B's guard finds it held, and B goes the long way
	start_proxy "CREATE TABLE t_b " "psql -X -q -d '$DB' -c \"BEGIN; SELECT pg_advisory_xact_lock(hashtext('retort'), hashtext('public.retort_version')); SELECT pg_sleep(1.5); COMMIT\" >/dev/null & sleep 0.5"
	run rt upgrade
	assert_status 0
	assert_eq "$D" "$(q 'SELECT version_num FROM retort_version')"
	assert_eq 1 "$(q "SELECT count(*) FROM retort_history WHERE revision = '$B' AND status = 'applied'")"
	# B was sent twice: the guarded request, then after the wait
	assert_eq 2 "$(grep -c 'CREATE TABLE t_b ' "$REQUESTS")"
	grep 'CREATE TABLE t_b ' "$REQUESTS" | tail -n 1 | grep -vq '^Q BEGIN' ||
		fail "the second try of B opened its own transaction again"
	# the step started once, in the log and for the program's events
	assert_eq 1 "$(grep -c "$A -> $B .* start" retort.log)"
}

@test "another run moves the database between two steps: the guard sees it and the plan is made again" {
	# before B's request reaches the server, another client applies B
	# the way a run would
	start_proxy "CREATE TABLE t_b " "psql -X -q -v ON_ERROR_STOP=1 -d '$DB' -c \"BEGIN; CREATE TABLE t_b (id INTEGER PRIMARY KEY, note TEXT NOT NULL); INSERT INTO t_b VALUES (1, 'by the other run'); UPDATE retort_version SET version_num = '$B'; COMMIT\""
	run rt upgrade
	assert_status 0
	assert_eq "$D" "$(q 'SELECT version_num FROM retort_version')"
	# B's section ran once, by the other client; this run went on from there
	assert_eq "by the other run" "$(q 'SELECT note FROM t_b')"
	refute_contains "$output" "-> $B,"
	assert_contains "$output" "$B -> $C"
	assert_eq "" "$(q "SELECT string_agg(revision, ',') FROM retort_history WHERE revision = '$B'")"
}

@test "a step the server refuses at COMMIT in its one request is reported as that step's failure" {
	write_rev e0000000000e "$D" "Deferred" "CREATE TABLE t_p (id int PRIMARY KEY);
CREATE TABLE t_k (p int REFERENCES t_p DEFERRABLE INITIALLY DEFERRED);
INSERT INTO t_k VALUES (7);" "DROP TABLE t_k; DROP TABLE t_p;"
	start_proxy
	run rt upgrade
	assert_status 1
	assert_contains "$output" "upgrade $D -> e0000000000e failed at $REV_FILE:10: "
	assert_contains "$output" "violates foreign key constraint"
	assert_eq "$D" "$(q 'SELECT version_num FROM retort_version')"
	assert_eq 0 "$(q "SELECT count(*) FROM pg_tables WHERE tablename IN ('t_p', 't_k')")"
}
