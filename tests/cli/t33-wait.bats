#!/usr/bin/env bats
# `retort wait`: ready at once when the database is there; out of reach
# (SQLite: a folder that does not exist; PostgreSQL: a port nothing
# listens on) it tries until --timeout and fails with the last error.
# Servers that come up late and errors that fail at once:
# tests/cli/pg/t20-wait.bats.

load helper

setup() {
	common_setup
	new_project
}

teardown() {
	common_teardown
}

@test "wait: a database that is there is ready at once; -q prints nothing" {
	run -0 --separate-stderr rt wait
	assert_match "$output" '^database is ready after 0\.[0-9] s$'
	assert_eq "$stderr" ""
	run -0 --separate-stderr rt -q wait --timeout 0
	assert_eq "$output" ""
	assert_eq "$stderr" ""
	# nothing was created in it
	run -0 rt current
	assert_eq "$output" ""
}

@test "wait: out of reach, it gives up after --timeout with the last error; --timeout 0 tries once" {
	t0=$(date +%s%N)
	run -1 --separate-stderr rt -u "$UNREACHABLE_URL" wait --timeout 1
	ms=$(ms_since "$t0")
	[ "$ms" -ge 1000 ] && [ "$ms" -lt 4000 ] || fail "gave up after $ms ms"
	assert_eq "$output" ""
	assert_match "$stderr" '^error: not ready after 1\.[0-9] s: cannot (open|connect)'
	t0=$(date +%s%N)
	run -1 --separate-stderr rt -u "$UNREACHABLE_URL" wait --timeout 0
	[ "$(ms_since "$t0")" -lt 1000 ] || fail "one try took $(ms_since "$t0") ms"
	assert_match "$stderr" '^error: cannot (open|connect)'
}

@test "wait: --timeout takes seconds, 0 or more" {
	run -2 --separate-stderr rt wait --timeout soon
	assert_eq "${stderr_lines[0]}" "error: --timeout wants seconds (0 or more), not 'soon'"
	run -2 --separate-stderr rt wait --timeout=-1
	assert_eq "${stderr_lines[0]}" "error: --timeout wants seconds (0 or more), not '-1'"
	run -2 --separate-stderr rt wait now
	assert_eq "${stderr_lines[0]}" "error: unexpected argument 'now'"
}

@test "wait: SQLite is ready once the file's folder exists" {
	# a SQLite URL of its own, in the postgresql pass too (-u beats the
	# project's URL): no case is skipped
	dir=$BATS_TEST_TMPDIR/later
	rt -u "sqlite:///$dir/app.db" wait --timeout 20 >wait.out 2>wait.err &
	pid=$!
	sleep 0.3
	kill -0 "$pid" || fail "retort wait ended before the folder existed: $(cat wait.err)"
	mkdir "$dir"
	t0=$(date +%s%N)
	wait "$pid" || fail "retort wait failed: $(cat wait.err)"
	[ "$(ms_since "$t0")" -lt 2000 ] || fail "ready $(ms_since "$t0") ms after the folder"
	assert_match "$(cat wait.out)" '^database is ready after [0-9]+\.[0-9] s$'
}
