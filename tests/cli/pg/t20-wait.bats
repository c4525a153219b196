#!/usr/bin/env bats
# `retort wait` against PostgreSQL servers: one that comes up while retort
# waits (a second server of the test's own, halted, and started again a
# second after the wait began), errors that waiting does not mend (a
# wrong password, a database that does not exist), which fail at once, and
# a host name that does not resolve, which is waited for (a container's
# database service not yet in the DNS).
# What does not depend on the dialect is in tests/cli/t33-wait.bats.
load ../helper

# the second server, one for the file: each test that uses it halts it
# first (from /: the server's owner may not enter the test's folder)
setup_file() {
	export SECOND_STATE=$BATS_FILE_TMPDIR/second.url
	(cd / && "$RETORT_SRC/scripts/pgserver.sh" start "$SECOND_STATE" >/dev/null)
}

teardown_file() {
	(cd / && "$RETORT_SRC/scripts/pgserver.sh" stop "$SECOND_STATE" >/dev/null) || true
}

setup() {
	common_setup postgresql
	new_project
}

teardown() {
	common_teardown
}

# second SUBCOMMAND: scripts/pgserver.sh SUBCOMMAND on the second server
second() {
	(cd / && "$RETORT_SRC/scripts/pgserver.sh" "$1" "$SECOND_STATE")
}

# halt_second: the second server stopped (whatever an earlier test left)
halt_second() {
	second halt || true
	refute psql -X -q -d "$(head -n 1 "$SECOND_STATE")" -c 'SELECT 1' 2>/dev/null
}

# wait_until_second SUBCOMMAND: `retort wait` on the second server, which
# cannot take connections now; a second later, SUBCOMMAND makes it take
# them, and the wait must end soon after (its pauses are 0.5 s at most).
wait_until_second() {
	local pid up
	rt -u "$(head -n 1 "$SECOND_STATE")" wait --timeout 20 >wait.out 2>wait.err &
	pid=$!
	sleep 1
	kill -0 "$pid" || fail "retort wait ended before the server took connections: $(cat wait.err)"
	second "$1"
	up=$(date +%s%N)
	wait "$pid" || fail "retort wait failed: $(cat wait.err)"
	[ "$(ms_since "$up")" -lt 2000 ] || fail "ready $(ms_since "$up") ms after the server"
	assert_match "$(cat wait.out)" '^database is ready after [1-9][0-9]*\.[0-9] s$'
	assert_eq "$(cat wait.err)" ""
}

@test "wait: a server that starts a second after the wait began; ready soon after it is up" {
	halt_second
	wait_until_second resume
}

@test "wait: a server that refuses connections for now (a standby, as one starting up) is waited for" {
	halt_second
	second standby
	run -2 psql -X -q -d "$(head -n 1 "$SECOND_STATE")" -c 'SELECT 1'
	assert_contains "$output" "not accepting connections"
	wait_until_second promote
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

@test "wait: a host name that does not resolve (yet) is waited for" {
	t0=$(date +%s%N)
	run -1 --separate-stderr rt -u "postgresql://retort:pw@no-such-host.invalid/db" wait --timeout 1
	[ "$(ms_since "$t0")" -ge 1000 ] || fail "gave up after $(ms_since "$t0") ms"
	assert_match "$stderr" '^error: not ready after 1\.[0-9] s: cannot connect to .*no-such-host\.invalid'
}
