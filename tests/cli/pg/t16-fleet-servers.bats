#!/usr/bin/env bats
# A fleet over three PostgreSQL servers (issue 19 item 2): the test's
# server, a second one this test starts and stops, and a third that
# accepts connections and never answers.  max_per_server caps the tenants
# at once on each server; a server out of reach fails only its own
# tenants, the first ones when they try and the rest at once, without
# trying.
load ../helper

setup() {
	common_setup postgresql
	SECOND_STATE=$BATS_TEST_TMPDIR/second.url
	SILENT_PID=
	# (from /: the server's owner may not enter the test's folder)
	(cd / && "$RETORT_SRC/scripts/pgserver.sh" start "$SECOND_STATE" >/dev/null)
	SECOND_ADMIN=$(head -n 1 "$SECOND_STATE")
	# a server that takes the connection and says nothing
	SILENT_PORT_FILE=$BATS_TEST_TMPDIR/silent.port
	/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
held = []
while True:
    c, _ = s.accept(); held.append(c)
' "$SILENT_PORT_FILE" &
	SILENT_PID=$!
	wait_for 10 test -s "$SILENT_PORT_FILE" || fail "the silent server did not start"
	SILENT_URL="postgresql://retort:pw@127.0.0.1:$(cat "$SILENT_PORT_FILE")"
	mkdir -p "$P/bot/versions"
	cd "$P"
	cat >retort.ini <<INI
[retort]
script_location = bot
connect_timeout = 2
log_file = retort.log

[fleet]
script_location = bot
atomic = true
INI
	# each bot notes when its migration ran, on its server's clock, and
	# holds the connection long enough for runs to overlap
	cat >bot/versions/b00000000001_stamp.sql <<'SQL'
-- stamp
--
-- revision: b00000000001
-- down_revision:
-- branch_labels:
-- depends_on:
-- create_date: 2026-12-02 10:00:00+00:00

-- +upgrade
CREATE TABLE ran (started timestamptz NOT NULL, ended timestamptz);
INSERT INTO ran (started) VALUES (clock_timestamp());
SELECT pg_sleep(0.4);
UPDATE ran SET ended = clock_timestamp();

-- +downgrade
DROP TABLE ran;
SQL
}

teardown() {
	[ -n "$SILENT_PID" ] && kill "$SILENT_PID" 2>/dev/null
	(cd / && "$RETORT_SRC/scripts/pgserver.sh" stop "$SECOND_STATE" >/dev/null) || true
	common_teardown
}

# The most runs that overlapped in time among the bots of one server:
# their (started, ended) rows, read with psql.
max_overlap() {
	local admin=$1 prefix=$2 n=$3 i
	for ((i = 1; i <= n; i++)); do
		psql -X -A -t -q -F ' ' -d "${admin%/*}/${prefix}_$i" \
			-c "SELECT extract(epoch FROM started), extract(epoch FROM ended) FROM ran"
	done | /usr/bin/python3 -c '
import sys
spans = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
print(max(sum(1 for a, b in spans if a <= t < b) for t, _ in spans))'
}

@test "three servers, max_per_server = 2: one stopped and one silent fail only their own tenants; the rest reach head, never more than 2 at once per server" {
	local prefix="t16s_$$_${RANDOM}" i tenants=tenants.txt
	: >"$tenants"
	for ((i = 1; i <= 6; i++)); do
		for admin in "$PG_ADMIN_URL" "$SECOND_ADMIN"; do
			psql -X -q -d "$admin" -c "CREATE DATABASE ${prefix}_$i" >/dev/null
		done
		PG_DBS+=("${prefix}_$i")
		printf 'a_%s %s/%s_%s\n' "$i" "${PG_ADMIN_URL%/*}" "$prefix" "$i" >>"$tenants"
		printf 'b_%s %s/%s_%s\n' "$i" "${SECOND_ADMIN%/*}" "$prefix" "$i" >>"$tenants"
		printf 'c_%s %s/%s_%s\n' "$i" "$SILENT_URL" "$prefix" "$i" >>"$tenants"
	done

	# all three up (the silent one aside): the cap holds on each
	run -1 --separate-stderr rt fleet upgrade head --tenants "$tenants" -j 6 \
		--max-per-server 2 --format json
	printf '%s\n' "$output" | jq -e '.ok == 12 and .failed == 6' >/dev/null || fail "$output"
	assert_eq "$(max_overlap "$PG_ADMIN_URL" "$prefix" 6)" 2
	assert_eq "$(max_overlap "$SECOND_ADMIN" "$prefix" 6)" 2
	# the silent server: at most 2 waited for connect_timeout, the others
	# were not tried
	tried=$(printf '%s\n' "$output" | jq '[.tenants[] | select(.name | startswith("c_"))
		| select(.error | startswith("cannot connect") and contains("timeout expired"))] | length')
	[ "$tried" -ge 1 ] && [ "$tried" -le 2 ] || fail "tried $tried silent tenants: $output"
	printf '%s\n' "$output" | jq -e --argjson n $((6 - tried)) '[.tenants[] | select(.name | startswith("c_"))
		| select(.error | startswith("not tried: the server postgresql://127.0.0.1:"))] | length == $n' \
		>/dev/null || fail "$output"

	# back to base, then the second server goes away
	grep -v '^c_' "$tenants" >reachable.txt
	run -0 rt fleet downgrade base --tenants reachable.txt -j 6
	(cd / && "$RETORT_SRC/scripts/pgserver.sh" stop "$SECOND_STATE" >/dev/null)
	run -1 --separate-stderr rt fleet upgrade head --tenants reachable.txt -j 4 \
		--max-per-server 2 --format json
	printf '%s\n' "$output" | jq -e '.ok == 6 and .failed == 6' >/dev/null || fail "$output"
	printf '%s\n' "$output" | jq -e 'all(.tenants[] | select(.name | startswith("a_")); .status == "ok" and .to == "b00000000001")' \
		>/dev/null || fail "$output"
	printf '%s\n' "$output" | jq -e '[.tenants[] | select(.name | startswith("b_")) | .error
		| select(contains("Connection refused") or startswith("not tried: the server"))] | length == 6' \
		>/dev/null || fail "$output"
	# the first server's databases hold the migration; nothing else changed
	assert_eq "$(psql -X -A -t -d "${PG_ADMIN_URL%/*}/${prefix}_3" -c 'SELECT version_num FROM retort_version')" b00000000001
}
