#!/usr/bin/env bats
# A password in the database URL never shows: not on stdout, not on
# stderr, not in the log file, whatever the command and however it fails.

load helper

SECRET=s3cretpw
# Nothing listens on port 1: connecting fails at once.
PG_URL="postgresql://shop:$SECRET@127.0.0.1:1/shop?sslmode=disable&connect_timeout=5"

setup() {
	common_setup
	WAITERS=()
	new_project
	std_chain
}

teardown() {
	local pid
	# a failed test may leave the lock of hold_lock held, and retort
	# processes waiting for it
	if [ -n "${HOLDER:-}" ]; then
		echo "ROLLBACK;" >&4 2>/dev/null || true
		exec 4>&-
		for pid in "${WAITERS[@]}"; do
			kill -9 "$pid" 2>/dev/null || true
		done
		kill "$HOLDER" 2>/dev/null || true
		wait "$HOLDER" 2>/dev/null || true
	fi
	common_teardown
}

# no_secret CMD...: run retort; the secret (and its pieces) appear nowhere.
no_secret() {
	run --separate-stderr timeout 60 "$RETORT" "$@"
	[ "$status" -ne 124 ] || fail "retort $* timed out"
	# a crash is not a clean refusal either
	[ "$status" -lt 128 ] || fail "retort $* died with status $status" "$stderr"
	refute_contains "$output" "$SECRET"
	refute_contains "$stderr" "$SECRET"
	if [ -f retort.log ]; then
		refute_contains "$(cat retort.log)" "$SECRET"
	fi
	# (no_secret's caller may look at $status, $output, $stderr)
}

@test "postgresql:// password given with -u: upgrade fails without showing it" {
	no_secret -u "$PG_URL" upgrade head
	assert_status 1
	assert_match "$stderr" "^error: "
	no_secret -v -u "$PG_URL" current
	assert_status 1
	no_secret -u "$PG_URL" downgrade base
	no_secret -u "$PG_URL" stamp head
	no_secret -v -u "$PG_URL" heads
	assert_status 0
	no_secret -v -u "$PG_URL" history
	assert_status 0
	no_secret -u "$PG_URL" current -v
}

@test "postgresql:// password in retort.ini (via DATABASE_URL)" {
	ini_set url '${DATABASE_URL:-sqlite:///test.db}'
	export DATABASE_URL=$PG_URL
	no_secret upgrade head
	assert_status 1
	no_secret -v upgrade head
	no_secret -v current
	no_secret stamp "$B"
	no_secret -v upgrade head --sql
	unset DATABASE_URL
}

@test "the log names the database with the password masked" {
	# (a URL every build parses: SQLite refuses the user part, and says so
	# in the log with the password masked)
	no_secret -u "sqlite://shop:$SECRET@/secret.db" upgrade head
	assert_status 1
	[ -f retort.log ] || fail "no log file written"
	grep -q 'sqlite://shop:\*\*\*@' retort.log || fail "log lacks the masked URL:" "$(cat retort.log)"
	no_secret -u "$PG_URL" upgrade head
}

@test "percent-encoded password and password= parameters are masked too" {
	# p@ss:word as p%40ss%3Aword; neither spelling may show
	local enc="postgresql://shop:p%40ss%3A${SECRET}@127.0.0.1:1/shop"
	no_secret -u "$enc" upgrade head
	refute_contains "$output$stderr$(cat retort.log 2>/dev/null)" "p%40ss"
	refute_contains "$output$stderr$(cat retort.log 2>/dev/null)" "p@ss"
	no_secret -u "postgresql://shop@127.0.0.1:1/shop?password=$SECRET" upgrade head
	no_secret -u "postgres://shop:$SECRET@127.0.0.1:1/shop" upgrade head
	no_secret -u "postgresql+asyncpg://shop:$SECRET@127.0.0.1:1/shop" upgrade head
}

@test "a URL that does not parse does not echo its password" {
	no_secret -u "postgresql://shop:$SECRET@127.0.0.1:notaport/shop" upgrade head
	assert_status 1
	no_secret -u "postgresql://shop:$SECRET@[::1/shop" upgrade head
	assert_status 1
	no_secret -u "nosuchdb://shop:$SECRET@host/db" upgrade head
	assert_status 1
}

@test "a sqlite URL with user information does not show it" {
	no_secret -u "sqlite://shop:$SECRET@/secret.db" upgrade head
	no_secret -u "sqlite+aiosqlite://shop:$SECRET@/secret.db" current
}

# ---- issue 13: URLs that do not parse, argv, the log file -----------------

@test "user:password without '@host' does not show the password: stderr, log, fleet JSON and progress" {
	local u i bad=(
		"postgresql://app:$SECRET"
		"postgresql://app:$SECRET/db"
		"postgresql://app:$SECRET?x"
		"postgresql://app:$SECRET:5432"
		"postgres://app:$SECRET"
		"postgresql+asyncpg://app:$SECRET"
		"sqlite://user:$SECRET"
		"postgresql://:$SECRET"
		"sqlite+aiosqlite://:$SECRET/x.db"
	)
	for u in "${bad[@]}"; do
		no_secret -u "$u" current
		assert_status 1
		# the URL is named, masked
		assert_contains "$stderr" "'${u%%://*}://"
		assert_contains "$stderr" ":***"
		no_secret -u "$u" upgrade head
		assert_status 1
		no_secret --url="$u" upgrade head --sql
		assert_status 1
	done
	# a libpq keyword string is no URL either
	no_secret -u "host=db user=app password=$SECRET" upgrade head
	assert_status 1
	assert_contains "$stderr" "password=***'"
	# every failed upgrade reached the log, masked
	[ "$(grep -c 'failed: .*:\*\*\*' retort.log)" -ge "${#bad[@]}" ] ||
		fail "the log lacks the failures:" "$(cat retort.log)"

	# fleet: the tenants' URLs and errors in JSON, progress and summary
	for i in "${!bad[@]}"; do
		printf 't%d %s\n' "$i" "${bad[i]}"
	done >tenants.txt
	no_secret fleet upgrade head --tenants tenants.txt --format json
	assert_status 1
	jq -e --argjson n "${#bad[@]}" '.failed == $n and
		all(.tenants[]; (.url | contains(":***")) and (.error | contains(":***")))' \
		<<<"$output" >/dev/null || fail "fleet JSON:" "$output"
	no_secret fleet upgrade head --tenants tenants.txt
	assert_status 1
	assert_line_match "^failed: t[0-9]+ \\(postgresql://app:\\*\\*\\*\\): "
	assert_contains "$stderr" "] t"
	assert_contains "$stderr" ": failed: "
	no_secret fleet current --tenants tenants.txt
}

# hold_lock: another session holds a lock that upgrading past A waits for
# (SQLite: the write lock; PostgreSQL: t_a, which B writes), until
# release_lock.  The session reads its SQL from a FIFO kept open on fd 4.
hold_lock() {
	mkfifo "$BATS_TEST_TMPDIR/hold"
	if is_sqlite; then
		sqlite3 -batch "$DB" <"$BATS_TEST_TMPDIR/hold" >/dev/null 2>&1 3>&- &
	else
		psql -X -q -d "$DB" <"$BATS_TEST_TMPDIR/hold" >/dev/null 2>&1 3>&- &
	fi
	HOLDER=$!
	exec 4>"$BATS_TEST_TMPDIR/hold"
	if is_sqlite; then
		echo "BEGIN IMMEDIATE;" >&4
		wait_for 10 eval "! sqlite3 -batch '$DB' 'BEGIN IMMEDIATE; ROLLBACK;' >/dev/null 2>&1" ||
			fail "the write lock was not taken"
	else
		echo "BEGIN; LOCK TABLE t_a IN ACCESS EXCLUSIVE MODE;" >&4
		wait_for 10 eval "[ \"\$(q \"SELECT count(*) FROM pg_locks WHERE relation = 't_a'::regclass AND granted\")\" = 1 ]" ||
			fail "the table lock was not taken"
	fi
}

release_lock() {
	echo "ROLLBACK;" >&4
	exec 4>&-
	wait "$HOLDER"
	HOLDER=
}

# cmdline PID: the process's arguments, NULs as spaces.
cmdline() {
	tr '\0' ' ' <"/proc/$1/cmdline"
}

@test "the password of -u URL / --url=URL is wiped from /proc/PID/cmdline while retort runs" {
	local url pids=() pid i
	rm migrations/versions/*.sql
	write_rev "$A" "" "Create t_a" "CREATE TABLE t_a (id INTEGER PRIMARY KEY, note TEXT);" "DROP TABLE t_a;"
	write_rev "$B" "$A" "Write t_a" "INSERT INTO t_a (id, note) VALUES (2, 'b');" "DELETE FROM t_a WHERE id = 2;"
	if is_sqlite; then
		url="sqlite:///$DB?password=$SECRET"
	else
		# the test server's URL carries its password
		url=$DB_URL
		SECRET=${url#*://*:}
		SECRET=${SECRET%%@*}
		[ -n "$SECRET" ] && [ "$SECRET" != "$url" ] || fail "no password in $url"
	fi
	run -0 --separate-stderr rt -u "$url" upgrade "$A"
	hold_lock
	# three spellings of the option; all wait for the lock (and none
	# holds the holder's input open: its end of file must end it)
	"$RETORT" -u "$url" upgrade head >out1 2>err1 3>&- 4>&- &
	pids+=($!)
	"$RETORT" --url="$url" upgrade head >out2 2>err2 3>&- 4>&- &
	pids+=($!)
	"$RETORT" -q "-u$url" upgrade head >out3 2>err3 3>&- 4>&- &
	pids+=($!)
	WAITERS=("${pids[@]}")
	for pid in "${pids[@]}"; do
		# until the child has become retort (before its exec the
		# cmdline is this shell's) and has taken its options in
		for ((i = 0; i < 600; i++)); do
			kill -0 "$pid" 2>/dev/null || { release_lock; fail "retort $pid ended early:" "$(cat err*)"; }
			case "$(cmdline "$pid")" in
			"$RETORT "*"$SECRET"*) sleep 0.05 ;;
			"$RETORT "*) break ;;
			*) sleep 0.05 ;;
			esac
		done
		refute_contains "$(cmdline "$pid")" "$SECRET"
		# the rest of the URL stays, the password's length in '*'
		assert_contains "$(cmdline "$pid")" "*****"
		assert_contains "$(cmdline "$pid")" " upgrade head"
	done
	# still waiting: the lock is what they wait for
	for pid in "${pids[@]}"; do
		kill -0 "$pid" || fail "retort $pid did not wait for the lock"
	done
	release_lock
	for pid in "${pids[@]}"; do
		wait "$pid" || fail "retort $pid failed:" "$(cat err*)"
	done
	assert_eq "$(versions)" "$B"
	assert_eq "$(q 'SELECT count(*) FROM t_a WHERE id = 2')" 1
}

@test "the log file is created private (0600) and never written through a symbolic link" {
	umask 022
	run -0 --separate-stderr rt upgrade "$A"
	assert_eq "$(stat -c %a retort.log)" 600
	# a log that exists keeps its mode
	chmod 640 retort.log
	run -0 --separate-stderr rt upgrade "$B"
	assert_eq "$(stat -c %a retort.log)" 640

	# a dangling link: the run is refused, nothing is created through it
	mv retort.log old.log
	ln -s "$BATS_TEST_TMPDIR/planted" retort.log
	run -1 --separate-stderr rt upgrade head
	assert_match "$stderr" "^error: log file '[^']*/retort.log' is a symbolic link"
	[ ! -e "$BATS_TEST_TMPDIR/planted" ] || fail "the log was created through the link"
	assert_eq "$(versions)" "$B"
	# a link to a file: not appended to, for any command
	echo "keep" >"$BATS_TEST_TMPDIR/planted"
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "symbolic link"
	run -1 --separate-stderr rt current
	assert_contains "$stderr" "symbolic link"
	assert_eq "$(cat "$BATS_TEST_TMPDIR/planted")" "keep"
	assert_eq "$(versions)" "$B"
	# a link in the folder part is the user's business, and works
	rm retort.log
	mkdir real
	ln -s real logs
	ini_set log_file logs/retort.log
	run -0 --separate-stderr rt upgrade head
	[ -s real/retort.log ]
	assert_eq "$(versions)" "$D"
}

@test "the log has one timestamped line per event: a failure once, its lines joined by ' | '" {
	local E=e5e5e5e5e5e5
	write_rev "$E" "$D" "Bad one" "INSERT INTO no_such_table VALUES (1);" ""
	run -1 --separate-stderr rt upgrade head
	# the message on stderr has more than one line; the log has it on one
	assert_contains "$stderr" $'\n'
	run -1 grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z ' retort.log
	assert_eq "$(grep -c "failed at .*${E}_bad_one.sql" retort.log)" 1
	run -0 grep "failed at .*${E}_bad_one.sql" retort.log
	assert_contains "$output" " | the database is at "
	assert_eq "$(grep -c "[^ ] | the database is at '\?$D" retort.log)" 1
	# and each migration that ran has its start and done lines
	assert_eq "$(grep -c ' done in ' retort.log)" 4
}
