#!/usr/bin/env bats
# `retort wait` against PostgreSQL servers: one that comes up while retort
# waits (a second server of the test's own, halted, and started again a
# second after the wait began), and errors that waiting does not mend (a
# wrong password, a database that does not exist), which fail at once.
# What does not depend on the dialect is in tests/cli/t33-wait.bats.
load ../helper

setup() {
	common_setup postgresql
	SECOND_STATE=
	new_project
}

teardown() {
	[ -z "$SECOND_STATE" ] ||
		(cd / && "$RETORT_SRC/scripts/pgserver.sh" stop "$SECOND_STATE" >/dev/null) || true
	common_teardown
}

@test "wait: a server that starts a second after the wait began; ready soon after it is up" {
	SECOND_STATE=$BATS_TEST_TMPDIR/second.url
	# (from /: the server's owner may not enter the test's folder)
	(cd / && "$RETORT_SRC/scripts/pgserver.sh" start "$SECOND_STATE" >/dev/null)
	url=$(head -n 1 "$SECOND_STATE")
	(cd / && "$RETORT_SRC/scripts/pgserver.sh" halt "$SECOND_STATE")
	refute psql -X -q -d "$url" -c 'SELECT 1' 2>/dev/null

	rt -u "$url" wait --timeout 20 >wait.out 2>wait.err &
	pid=$!
	sleep 1
	kill -0 "$pid" || fail "retort wait ended before the server started: $(cat wait.err)"
	(cd / && "$RETORT_SRC/scripts/pgserver.sh" resume "$SECOND_STATE")
	up=$(date +%s%N)
	wait "$pid" || fail "retort wait failed: $(cat wait.err)"
	# its pauses are 0.5 s at most
	[ "$(ms_since "$up")" -lt 2000 ] || fail "ready $(ms_since "$up") ms after the server"
	assert_match "$(cat wait.out)" '^database is ready after [1-9][0-9]*\.[0-9] s$'
	assert_eq "$(cat wait.err)" ""
}

@test "wait: a wrong password and a missing database fail at once, not after the timeout" {
	bad=${PG_BASE_URL/:retort-test-pw@/:wrong-pw@}
	[ "$bad" != "$PG_BASE_URL" ] || skip "the fixture's password is not the one expected"
	t0=$(date +%s%N)
	run -1 --separate-stderr rt -u "$bad/postgres" wait --timeout 20
	[ "$(ms_since "$t0")" -lt 5000 ] || fail "took $(ms_since "$t0") ms"
	assert_contains "$stderr" "password authentication failed"
	refute_contains "$stderr" "not ready after"
	refute_contains "$stderr" "wrong-pw"

	t0=$(date +%s%N)
	run -1 --separate-stderr rt -u "$PG_BASE_URL/no_such_db_$$" wait --timeout 20
	[ "$(ms_since "$t0")" -lt 5000 ] || fail "took $(ms_since "$t0") ms"
	assert_contains "$stderr" "does not exist"
}
