#!/usr/bin/env bats
# retort fleet: one command over many bot databases listed in a metadata
# database, on the project of examples/botconstructor.
#
# The metadata database (the registry, migrated by `retort upgrade` from
# meta/) is the SQLite file meta.db on SQLite, and the test's own database
# on PostgreSQL (through META_DATABASE_URL, as the example's README says).
# Each bot has a database of its own:
#   sqlite      $P/bots/bot_<i>.db, registered as sqlite:///bots/bot_<i>.db
#   postgresql  a database of its own on the test server, registered by its
#               URL, which carries the server's password
# Assertions read the databases with sqlite3 / psql, never through retort.

load helper

HEAD=9e5d30f1b6a8
FIRST=4c1b9e27d0a3
UNKNOWN=ffffffffffff

setup() {
	common_setup
	BOT_PG_DBS=()
	LOCKER_PID=
	mkdir -p "$P"
	cp -R "$RETORT_SRC/examples/botconstructor/." "$P/"
	# whatever a run of the example in the source tree left there
	rm -rf "$P/bots" "$P"/*.db "$P"/*.log
	# a locked bot must not hold the fleet up for a minute
	ini_set lock_timeout 2
	if is_pg; then
		export META_DATABASE_URL=$DB_URL
		META=$DB
		local userinfo=${PG_BASE_URL#*://}
		userinfo=${userinfo%@*}
		PG_PASSWORD=${userinfo#*:}
		[ -n "$PG_PASSWORD" ] && [ "$PG_PASSWORD" != "$userinfo" ] ||
			fail "the test server's URL has no password: $PG_BASE_URL"
	else
		unset META_DATABASE_URL
		META=$P/meta.db
		PG_PASSWORD=
	fi
	cd "$P"
}

teardown() {
	unlock_db
	if [ ${#BOT_PG_DBS[@]} -gt 0 ]; then
		# one session for all of them; WITH (FORCE) ends leftover sessions
		printf 'DROP DATABASE IF EXISTS "%s" WITH (FORCE);\n' "${BOT_PG_DBS[@]}" |
			psql -X -q -d "$PG_ADMIN_URL" >/dev/null 2>&1 ||
			echo "teardown: could not drop the bot databases" >&2
		BOT_PG_DBS=()
	fi
	common_teardown
}

# ---- the fleet ----------------------------------------------------------------

# make_fleet N: the metadata database (retort upgrade head) with the bots
# bot_1 ... bot_N registered in one INSERT, each with an empty database.
# BOT[i] is bot_i's database handle (for db_sql, versions), BOT_URL[i] the
# URL in the registry.
make_fleet() {
	local n=$1 i values= prefix
	run -0 --separate-stderr rt upgrade head
	assert_contains "$output" "-> 000000000001, create bots"
	BOT=()
	BOT_URL=()
	BOT_NAME=()
	if is_sqlite; then
		mkdir -p "$P/bots"
		for ((i = 1; i <= n; i++)); do
			BOT[i]=$P/bots/bot_$i.db
			BOT_URL[i]=sqlite:///bots/bot_$i.db
			# an empty file is an empty database (a missing one would
			# be reported "created")
			: >"${BOT[i]}"
		done
	else
		prefix="t12_${BATS_TEST_NUMBER}_$$_${RANDOM}"
		for ((i = 1; i <= n; i++)); do
			BOT_NAME[i]=${prefix}_bot_$i
			BOT[i]=$PG_BASE_URL/${BOT_NAME[i]}
			BOT_URL[i]=${BOT[i]}
			BOT_PG_DBS+=("${BOT_NAME[i]}")
		done
		# one session: CREATE DATABASE cannot run in a transaction, and
		# psql runs each line of its input on its own
		printf 'CREATE DATABASE "%s" TEMPLATE template0 STRATEGY FILE_COPY;\n' "${BOT_NAME[@]}" |
			psql -X -q -v ON_ERROR_STOP=1 -d "$PG_ADMIN_URL" >/dev/null ||
			fail "cannot create the bot databases"
	fi
	for ((i = 1; i <= n; i++)); do
		values+="${values:+,
}('bot_$i', $((100000000 + i)), '${BOT_URL[i]}')"
	done
	db_sql "$META" "INSERT INTO bots (name, owner_telegram_id, db_url) VALUES $values"
	assert_eq "$(db_sql "$META" 'SELECT count(*) FROM bots')" "$n"
}

# The bots' version rows, "bot_<i>=<rows>" for each i given (rows
# comma-separated, nothing when there is no version table).  PostgreSQL:
# one psql that connects to each database in turn.
bot_versions() {
	local i
	if is_sqlite; then
		for i; do
			printf 'bot_%s=%s\n' "$i" "$(versions "${BOT[i]}" | paste -sd, -)"
		done
		return
	fi
	for i; do
		printf '%s\n' "\\c ${BOT[i]}" \
			"SELECT to_regclass('retort_version') IS NOT NULL AS has \\gset" \
			'\if :has' \
			"SELECT 'bot_$i=' || coalesce(string_agg(version_num, ',' ORDER BY version_num), '') FROM retort_version;" \
			'\else' \
			"SELECT 'bot_$i=';" \
			'\endif'
	done | psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$PG_ADMIN_URL"
}

# The same line for each i: bot_<i>=$1.
expect_versions() {
	local v=$1 i
	shift
	for i; do
		printf 'bot_%s=%s\n' "$i" "$v"
	done
}

# ---- broken bots ----------------------------------------------------------------

# break_not_a_database I: bot_I's database is not a database.
#   sqlite      its file is text
#   postgresql  its database does not exist
break_not_a_database() {
	if is_sqlite; then
		head -c 8192 < <(yes 'this is not an SQLite database') >"${BOT[$1]}"
	else
		psql -X -q -v ON_ERROR_STOP=1 -d "$PG_ADMIN_URL" \
			-c "DROP DATABASE \"${BOT_NAME[$1]}\"" >/dev/null
	fi
}

# repair_not_a_database I: a new empty database in its place.
repair_not_a_database() {
	if is_sqlite; then
		: >"${BOT[$1]}"
	else
		psql -X -q -v ON_ERROR_STOP=1 -d "$PG_ADMIN_URL" \
			-c "CREATE DATABASE \"${BOT_NAME[$1]}\" TEMPLATE template0" >/dev/null
	fi
}

# stamp_unknown I: bot_I's version table holds a revision no file defines.
stamp_unknown() {
	db_sql "${BOT[$1]}" "CREATE TABLE retort_version (version_num VARCHAR(32) NOT NULL,
		CONSTRAINT retort_version_pkc PRIMARY KEY (version_num));
		INSERT INTO retort_version (version_num) VALUES ('$UNKNOWN')"
}

# lock_db HANDLE: another process takes the database's lock and keeps it
# until unlock_db:
#   sqlite      an sqlite3 shell inside BEGIN EXCLUSIVE
#   postgresql  a psql session holding retort's advisory lock of the
#               database (the key of the version table retort_version)
# The process reads its statements from a FIFO that this shell keeps open
# on fd 8; unlock_db closes it, the process sees the end of its input and
# exits, and the lock goes with it.
lock_db() {
	local db=$1 fifo=$BATS_TEST_TMPDIR/locker.fifo
	mkfifo "$fifo"
	exec 8<>"$fifo"
	LOCKED_DB=$db
	if is_sqlite; then
		(exec sqlite3 -batch "$db") <"$fifo" >"$BATS_TEST_TMPDIR/locker.out" 2>&1 3>&- 8>&- &
		LOCKER_PID=$!
		# (it waits for the lock itself while is_locked looks)
		printf '.timeout 20000\nBEGIN EXCLUSIVE;\n' >&8
	else
		(exec psql -X -q -v ON_ERROR_STOP=1 -d "$db") <"$fifo" \
			>"$BATS_TEST_TMPDIR/locker.out" 2>&1 3>&- 8>&- &
		LOCKER_PID=$!
		printf '%s\n' "SELECT pg_advisory_lock(hashtext('retort'), hashtext('public.retort_version'));" >&8
	fi
	wait_for 30 is_locked "$db" ||
		fail "the locker did not take the lock of $db:" "$(cat "$BATS_TEST_TMPDIR/locker.out")"
}

is_locked() {
	local out
	if is_sqlite; then
		out=$(sqlite3 -batch "$1" 'BEGIN IMMEDIATE; ROLLBACK;' 2>&1) && return 1
		[[ $out == *"database is locked"* ]]
	else
		[ "$(db_sql "$1" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")" = 1 ]
	fi
}

unlock_db() {
	local i=0
	[ -n "${LOCKER_PID:-}" ] || return 0
	exec 8>&-
	while kill -0 "$LOCKER_PID" 2>/dev/null && [ $i -lt 400 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -9 "$LOCKER_PID" 2>/dev/null || true
	wait "$LOCKER_PID" 2>/dev/null || true
	LOCKER_PID=
	wait_for 30 not_locked "$LOCKED_DB" || fail "$LOCKED_DB is still locked"
}

not_locked() {
	! is_locked "$1"
}

# ---- assertions -----------------------------------------------------------------

# no_password TEXT...: on PostgreSQL, where every bot URL carries the
# server's password, none of the texts shows it.
no_password() {
	local t
	[ -n "$PG_PASSWORD" ] || return 0
	for t; do
		refute_contains "$t" "$PG_PASSWORD"
	done
}

# Every line of the log is "<timestamp> <text>": lines written by several
# workers at once did not get mixed.
log_well_formed() {
	local bad
	bad=$(grep -vE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z ' retort.log || true)
	[ -z "$bad" ] || fail "malformed log lines:" "$bad"
}

# jqe FILTER [jq args...]: the JSON report in $output passes FILTER.
jqe() {
	local filter=$1
	shift
	printf '%s\n' "$output" | jq -e "$@" "$filter" >/dev/null ||
		fail "the report does not pass: $filter" "$output"
}

# ---- the broken-bots fleet ----------------------------------------------------

@test "50 bots, 3 broken: 47 reach head, the 3 are reported with their reasons; repaired, a re-run finishes them and touches nothing else" {
	local jobs=() i ok=() reason13 reason27 log_before stderr1
	# PostgreSQL runs 4 at once; SQLite uses the default (the cores)
	is_pg && jobs=(-j 4)
	make_fleet 50
	for ((i = 1; i <= 50; i++)); do
		case $i in 13 | 27 | 41) ;; *) ok+=("$i") ;; esac
	done
	break_not_a_database 13
	stamp_unknown 41
	lock_db "${BOT[27]}"
	if is_sqlite; then
		reason13="file is not a database"
		reason27="locked by another process (waited 2 s, see lock_timeout)"
	else
		reason13="database \"${BOT_NAME[13]}\" does not exist"
		reason27="another migration run holds the lock on this database"
	fi

	run -1 --separate-stderr rt fleet upgrade head "${jobs[@]}" --format json
	stderr1=$stderr
	# the report
	jqe '.action == "upgrade" and .target == "head"'
	jqe '.total == 50 and .ok == 47 and .failed == 3 and .skipped == 0'
	jqe '[.tenants[].name] | length == 50 and (unique | length) == 50'
	jqe '[.tenants[] | select(.status == "failed") | .name] | sort == ["bot_13", "bot_27", "bot_41"]'
	jqe 'all(.tenants[] | select(.status == "failed");
		(.error | type) == "string" and (.error | length) > 0 and .applied == 0)'
	jqe 'all(.tenants[] | select(.status == "ok");
		.from == "" and .to == $head and .applied == 2 and .error == null
		and (.duration_ms | type) == "number")' --arg head "$HEAD"
	jqe '.tenants[] | select(.name == "bot_13") | .error | contains($r)' --arg r "$reason13"
	jqe '.tenants[] | select(.name == "bot_27") | .error | contains($r)' --arg r "$reason27"
	jqe '.tenants[] | select(.name == "bot_41") | .error | contains("at revision '"'$UNKNOWN'"'")'
	jqe '.tenants[] | select(.name == "bot_41") | .from == $u and .to == $u' --arg u "$UNKNOWN"
	# URLs: the registry's, with any password masked
	if is_sqlite; then
		jqe 'all(.tenants[]; .url == "sqlite:///bots/" + .name + ".db")'
	else
		jqe 'all(.tenants[]; .url | startswith("postgresql://retort:***@"))'
	fi
	# progress on stderr (not a terminal: a line per bot), then the error
	printf '%s\n' "$stderr" |
		grep -qE "^\\[[0-9]+/50\\] bot_7: base -> $HEAD \\(2 migrations, [0-9.]+ ms\\)$" ||
		fail "no progress line for bot_7:" "$stderr"
	assert_contains "$stderr" "] bot_13: failed: "
	assert_contains "$stderr" "] bot_27: failed: "
	assert_contains "$stderr" "] bot_41: failed: "
	assert_eq "$(printf '%s\n' "$stderr" | grep -c '^\[[0-9]*/50\] bot_')" 50
	assert_eq "$(printf '%s\n' "$stderr" | tail -n 1)" "error: 3 of 50 tenants failed"

	# the 47 are at head, the 3 as they were
	assert_eq "$(bot_versions "${ok[@]}")" "$(expect_versions "$HEAD" "${ok[@]}")"
	assert_eq "$(versions "${BOT[41]}")" "$UNKNOWN"
	assert_eq "$(user_tables "${BOT[41]}")" ""
	refute has_version_table "${BOT[27]}"
	if is_sqlite; then
		assert_eq "$(head -c 30 "${BOT[13]}")" "this is not an SQLite database"
	fi
	assert_eq "$(user_tables "${BOT[7]}")" "categories
products
purchases
users"

	# the same in text: a summary, and a line per failed bot with its reason
	run -1 --separate-stderr rt fleet upgrade head "${jobs[@]}"
	assert_eq "${lines[0]%% in *}" "50 tenants: 47 ok, 3 failed, 0 skipped; 0 migrations"
	assert_eq "${#lines[@]}" 4
	assert_match "${lines[1]}" "^failed: bot_13 \\([^)]*\\): .*$reason13"
	assert_match "${lines[2]}" "^failed: bot_27 \\([^)]*\\): .*$(printf '%s' "$reason27" | sed 's/[()]/\\&/g')"
	assert_match "${lines[3]}" "^failed: bot_41 \\([^)]*\\): the database is at revision '$UNKNOWN'"
	no_password "$output" "$stderr" "$stderr1"

	# the log: every bot's lines tagged with its name
	log_well_formed
	grep -qF "[bot_7] upgrade head on ${BOT_URL[7]/$PG_PASSWORD/***}" retort.log ||
		fail "no '[bot_7] upgrade head on' line in the log"
	grep -qE "\\[bot_7\\] upgrade  -> $FIRST .* start$" retort.log || fail "no start line for bot_7"
	grep -qE "\\[bot_7\\] upgrade $FIRST -> $HEAD done in " retort.log || fail "no done line for bot_7"
	grep -qF "[bot_13] failed: " retort.log || fail "no failure line for bot_13"
	grep -qF "[bot_27] failed: " retort.log || fail "no failure line for bot_27"
	grep -qF "[bot_41] failed: the database is at revision '$UNKNOWN'" retort.log ||
		fail "no failure line for bot_41"
	for i in 1 25 50; do
		grep -q "\\[bot_$i\\] upgrade $FIRST -> $HEAD done" retort.log || fail "bot_$i is not in the log"
	done
	no_password "$(cat retort.log)"

	# repair: a new database for bot_13, release bot_27's lock, and reset
	# bot_41's version table (what `stamp --purge` does)
	repair_not_a_database 13
	unlock_db
	db_sql "${BOT[41]}" "DELETE FROM retort_version WHERE version_num = '$UNKNOWN'"
	log_before=$(wc -l <retort.log)

	run -0 --separate-stderr rt fleet upgrade head "${jobs[@]}" --format json
	jqe '.total == 50 and .ok == 50 and .failed == 0 and .skipped == 0'
	jqe 'all(.tenants[] | select(.name == ("bot_13", "bot_27", "bot_41"));
		.status == "ok" and .from == "" and .to == $head and .applied == 2)' --arg head "$HEAD"
	# the 47 others: nothing applied
	jqe '[.tenants[] | select(.name != "bot_13" and .name != "bot_27" and .name != "bot_41")
		| select(.status == "ok" and .applied == 0 and .from == $head and .to == $head)]
		| length == 47' --arg head "$HEAD"
	jqe 'all(.tenants[]; .error == null)'
	assert_eq "$(bot_versions $(seq 1 50))" "$(expect_versions "$HEAD" $(seq 1 50))"
	# only the 3 ran migrations
	assert_eq "$(tail -n +"$((log_before + 1))" retort.log | grep -E ' start$' |
		sed -E 's/^[^[]*\[(bot_[0-9]+)\].*/\1/' | sort -u)" "bot_13
bot_27
bot_41"
	assert_eq "$(tail -n +"$((log_before + 1))" retort.log | grep -c ' start$')" 6
	no_password "$output" "$stderr" "$(cat retort.log)"
	log_well_formed

	run -0 --separate-stderr rt fleet check "${jobs[@]}"
}

# ---- picking, stopping, reporting ---------------------------------------------------

@test "--only NAME and --where COND pick tenants; inactive bots are not in the fleet" {
	make_fleet 6
	run -0 --separate-stderr rt fleet upgrade head --only bot_2 --only bot_5
	assert_eq "${lines[0]%% in *}" "2 tenants: 2 ok, 0 failed, 0 skipped; 4 migrations"
	assert_eq "$(bot_versions 1 2 3 4 5 6)" "bot_1=
bot_2=$HEAD
bot_3=
bot_4=
bot_5=$HEAD
bot_6="
	if is_sqlite; then
		# nothing was written to the others (their files stay empty)
		assert_eq "$(cd bots && find . -type f -size +0c | sort)" "./bot_2.db
./bot_5.db"
	fi

	# a condition on the registry's rows
	run -0 --separate-stderr rt fleet upgrade head --where "db_url LIKE '%bot_6%' OR name = 'bot_5'"
	assert_eq "${lines[0]%% in *}" "2 tenants: 2 ok, 0 failed, 0 skipped; 2 migrations"
	run -0 --separate-stderr rt fleet current --where "name IN ('bot_1', 'bot_6')"
	assert_eq "${#lines[@]}" 3
	assert_match "${lines[1]}" "^bot_1 +base +2 *$"
	assert_match "${lines[2]}" "^bot_6 +$HEAD +0 *$"
	# --only within --where
	run -0 --separate-stderr rt fleet current --where "name <> 'bot_1'" --only bot_3
	assert_eq "${#lines[@]}" 2
	assert_match "${lines[1]}" "^bot_3 +base +2 *$"

	# the registry query's own condition: inactive bots are left alone
	db_sql "$META" "UPDATE bots SET active = false WHERE name IN ('bot_1', 'bot_3')"
	run -0 --separate-stderr rt fleet upgrade head --format json
	jqe '.total == 4 and .ok == 4 and ([.tenants[].name] | sort) == ["bot_2", "bot_4", "bot_5", "bot_6"]'
	assert_eq "$(bot_versions 1 2 3 4 5 6)" "bot_1=
bot_2=$HEAD
bot_3=
bot_4=$HEAD
bot_5=$HEAD
bot_6=$HEAD"

	# names and conditions that do not work
	run -2 --separate-stderr rt fleet upgrade head --only bot_1
	assert_contains "$stderr" "error: --only 'bot_1': no such tenant"
	run -2 --separate-stderr rt fleet upgrade head --only nosuch
	assert_contains "$stderr" "error: --only 'nosuch': no such tenant"
	run -1 --separate-stderr rt fleet upgrade head --where "no_such_column = 1"
	assert_contains "$stderr" "error: the registry query on "
	assert_contains "$stderr" "no_such_column"
	no_password "$output" "$stderr"
	assert_eq "$(bot_versions 1 3)" "bot_1=
bot_3="
}

@test "--fail-fast: the first failure stops the fleet, the rest are reported skipped and not touched" {
	make_fleet 6
	break_not_a_database 1
	run -1 --separate-stderr rt fleet upgrade head -j 1 --fail-fast --format json
	jqe '.total == 6 and .ok == 0 and .failed == 1 and .skipped == 5'
	jqe '.tenants[0].name == "bot_1" and .tenants[0].status == "failed" and (.tenants[0].error | length) > 0'
	jqe 'all(.tenants[1:][]; .status == "skipped" and .applied == 0 and .error == null)'
	jqe '[.tenants[1:][].name] == ["bot_2", "bot_3", "bot_4", "bot_5", "bot_6"]'
	assert_contains "$stderr" "bot_2: skipped"
	assert_eq "$(bot_versions 2 3 4 5 6)" "$(expect_versions "" 2 3 4 5 6)"
	if is_sqlite; then
		assert_eq "$(cd bots && find . -type f -size +0c)" "./bot_1.db"
	fi
	run -1 --separate-stderr rt fleet upgrade head -j 1 --fail-fast
	assert_eq "${lines[0]%% in *}" "6 tenants: 0 ok, 1 failed, 5 skipped; 0 migrations"

	# without it, the failure is isolated
	run -1 --separate-stderr rt fleet upgrade head -j 1 --format json
	jqe '.total == 6 and .ok == 5 and .failed == 1 and .skipped == 0'
	assert_eq "$(bot_versions 2 3 4 5 6)" "$(expect_versions "$HEAD" 2 3 4 5 6)"
}

@test "fleet current shows each bot's revision and pending count; fleet check exits 1 until all are at head" {
	make_fleet 4
	run -1 --separate-stderr rt fleet check
	assert_eq "${#lines[@]}" 5
	assert_match "${lines[0]}" "^TENANT +CURRENT +PENDING +ERROR$"
	for i in 1 2 3 4; do
		assert_match "${lines[i]}" "^bot_$i +base +2 *$"
	done
	run -0 --separate-stderr rt fleet current
	assert_match "${lines[4]}" "^bot_4 +base +2 *$"
	# reading changes nothing
	assert_eq "$(bot_versions 1 2 3 4)" "$(expect_versions "" 1 2 3 4)"

	run -0 --separate-stderr rt fleet upgrade "$FIRST" --only bot_2
	run -0 --separate-stderr rt fleet current
	assert_match "${lines[1]}" "^bot_1 +base +2 *$"
	assert_match "${lines[2]}" "^bot_2 +$FIRST +1 *$"
	run -1 --separate-stderr rt fleet check --format json
	jqe '.action == "check" and .total == 4 and .failed == 0'
	jqe '[.tenants[].pending] == [2, 1, 2, 2]'
	jqe '.tenants[1].from == $first' --arg first "$FIRST"

	run -0 --separate-stderr rt fleet upgrade head
	assert_eq "${lines[0]%% in *}" "4 tenants: 4 ok, 0 failed, 0 skipped; 7 migrations"
	run -0 --separate-stderr rt fleet check
	for i in 1 2 3 4; do
		assert_match "${lines[i]}" "^bot_$i +$HEAD +0 *$"
	done
	run -0 --separate-stderr rt fleet check --format json
	jqe 'all(.tenants[]; .pending == 0 and .from == $head and .status == "ok")' --arg head "$HEAD"

	# a bot that cannot be read: "?" and the reason, and exit 1
	db_sql "${BOT[3]}" "INSERT INTO retort_version (version_num) VALUES ('$UNKNOWN')"
	run -1 --separate-stderr rt fleet current
	assert_match "${lines[3]}" "^bot_3 +\\? +0 +.*'$UNKNOWN'"
	assert_match "${lines[4]}" "^bot_4 +$HEAD +0 *$"
	run -1 --separate-stderr rt fleet check
	no_password "$output" "$stderr"
}

@test "fleet downgrade TARGET takes every bot down, to a revision or to base" {
	make_fleet 4
	# one file cannot show many databases: fleets leave schema_file alone
	ini_set schema_file fleet-schema.sql
	run -0 --separate-stderr rt fleet upgrade head
	[ ! -e fleet-schema.sql ]
	run -0 --separate-stderr rt fleet downgrade "$FIRST"
	assert_eq "${lines[0]%% in *}" "4 tenants: 4 ok, 0 failed, 0 skipped; 4 migrations"
	assert_eq "$(bot_versions 1 2 3 4)" "$(expect_versions "$FIRST" 1 2 3 4)"

	run -0 --separate-stderr rt fleet downgrade base --format json
	jqe '.action == "downgrade" and .target == "base" and .total == 4 and .ok == 4'
	jqe 'all(.tenants[]; .from == $first and .to == "" and .applied == 1)' --arg first "$FIRST"
	for i in 1 2 3 4; do
		has_version_table "${BOT[i]}"
		assert_eq "$(versions "${BOT[i]}")" ""
		assert_eq "$(user_tables "${BOT[i]}")" ""
	done
	grep -qE "\\[bot_2\\] downgrade $FIRST ->  .* start$" retort.log || fail "no downgrade line for bot_2"

	# nothing left to do
	run -0 --separate-stderr rt fleet downgrade base
	assert_eq "${lines[0]%% in *}" "4 tenants: 4 ok, 0 failed, 0 skipped; 0 migrations"
	# and up again
	run -0 --separate-stderr rt fleet upgrade head
	assert_eq "$(bot_versions 1 2 3 4)" "$(expect_versions "$HEAD" 1 2 3 4)"

	run -2 --separate-stderr rt fleet downgrade
	assert_contains "$stderr" "error: fleet downgrade needs a TARGET"
	run -2 --separate-stderr rt fleet sideways
	assert_contains "$stderr" "error: unknown fleet action 'sideways'"
}

@test "--tenants FILE: the bots of a file, with \${VAR} in URLs, and passwords masked" {
	make_fleet 3
	export BOT_A_URL=${BOT_URL[1]}
	{
		printf '# the bots to migrate: NAME URL\n\n'
		printf 'bot_a ${BOT_A_URL}\n'
		printf '   bot_b \t %s  \n' "${BOT_URL[2]}"
		printf '# nothing listens on port 1\n'
		printf 'ghost postgresql://ghost:s3cret-ghost-pw@127.0.0.1:1/ghost?connect_timeout=5\n'
	} >tenants.txt
	run -1 --separate-stderr rt fleet upgrade head --tenants tenants.txt --format json
	jqe '.total == 3 and .ok == 2 and .failed == 1'
	jqe '[.tenants[].name] == ["bot_a", "bot_b", "ghost"]'
	jqe '.tenants[2].status == "failed" and (.tenants[2].error | length) > 0'
	jqe '.tenants[2].url == "postgresql://ghost:***@127.0.0.1:1/ghost?connect_timeout=5"'
	if is_sqlite; then
		jqe '.tenants[0].url == "sqlite:///bots/bot_1.db"'
	else
		jqe '.tenants[0].url | startswith("postgresql://retort:***@")'
	fi
	assert_eq "$(bot_versions 1 2 3)" "bot_1=$HEAD
bot_2=$HEAD
bot_3="
	refute_contains "$output$stderr$(cat retort.log)" "s3cret-ghost-pw"
	no_password "$output" "$stderr" "$(cat retort.log)"
	grep -qF "[ghost] failed: " retort.log || fail "no failure line for ghost in the log"

	# the file is read from where it is named, whatever the folder
	cd "$BATS_TEST_TMPDIR"
	run -0 --separate-stderr rt -c proj/retort.ini fleet check --tenants proj/tenants.txt --only bot_b
	assert_match "${lines[1]}" "^bot_b +$HEAD +0 *$"
	cd "$P"

	printf 'bot_a %s\nlonely\n' "${BOT_URL[1]}" >bad.txt
	run -1 --separate-stderr rt fleet upgrade head --tenants bad.txt
	assert_contains "$stderr" "bad.txt:2: expected 'NAME URL'"
	run -1 --separate-stderr rt fleet upgrade head --tenants no-such-file.txt
	assert_contains "$stderr" "no-such-file.txt"
}

# ---- the example ---------------------------------------------------------------------

@test "a bot whose database is missing: SQLite reports it created (its own status), --no-create fails it alone; PostgreSQL never creates one" {
	make_fleet 3
	run -0 --separate-stderr rt fleet upgrade head
	if is_sqlite; then
		rm "${BOT[2]}"
	else
		psql -X -q -v ON_ERROR_STOP=1 -d "$PG_ADMIN_URL" -c "DROP DATABASE \"${BOT_NAME[2]}\"" >/dev/null
	fi

	# --no-create: that bot fails with a clear reason, the others go on
	run -1 --separate-stderr rt fleet upgrade head --no-create --format json
	jqe '.total == 3 and .ok == 2 and .failed == 1 and .created == 0'
	jqe '.tenants[1].name == "bot_2" and .tenants[1].status == "failed"'
	jqe 'all(.tenants[0, 2]; .status == "ok" and .to == $head)' --arg head "$HEAD"
	if is_sqlite; then
		jqe '.tenants[1].error | contains("tenant '"'"'bot_2'"'"': the database file '"'"'" + $f + "'"'"' does not exist; not created (--no-create)")' --arg f "${BOT[2]}"
		[ ! -e "${BOT[2]}" ] || fail "--no-create created ${BOT[2]}"
		run -1 --separate-stderr rt fleet upgrade head --no-create
		assert_eq "${lines[0]%% in *}" "3 tenants: 2 ok, 1 failed, 0 skipped; 0 migrations"
		assert_line_match "^failed: bot_2 .*not created \\(--no-create\\)$"

		# without it: created, and said so in the text and the JSON
		run -0 --separate-stderr rt fleet upgrade head
		assert_eq "${lines[0]%% in *}" "3 tenants: 2 ok, 1 created, 0 failed, 0 skipped; 2 migrations"
		assert_contains "$stderr" "bot_2: created, base -> $HEAD (2 migrations"
		assert_eq "$(bot_versions 2)" "bot_2=$HEAD"
		rm "${BOT[2]}"
		run -0 --separate-stderr rt fleet upgrade head --format json
		jqe '.ok == 2 and .created == 1 and .failed == 0'
		jqe '.tenants[1].status == "created" and .tenants[1].from == "" and .tenants[1].to == $head and .tenants[1].applied == 2' --arg head "$HEAD"
		jqe 'all(.tenants[0, 2]; .status == "ok" and .applied == 0)'
		rm "${BOT[2]}"
		run -0 --separate-stderr rt fleet current
		assert_line_match "^bot_2 +base +2 +\\(created: it did not exist\\)$"
		# an existing bot is never "created"
		run -0 --separate-stderr rt fleet upgrade head --format json
		jqe 'all(.tenants[]; .status == "ok") and .created == 0'
	else
		# connecting never creates a server's database: failed either way
		run -1 --separate-stderr rt fleet upgrade head --format json
		jqe '.ok == 2 and .failed == 1 and .created == 0 and .tenants[1].status == "failed"'
		no_password "$output" "$stderr"
	fi
}

@test "a tenant name that is not UTF-8 keeps its \"name\" key in the JSON, its bad bytes as U+FFFD" {
	make_fleet 2
	{
		printf 'bot_\377\376 %s\n' "${BOT_URL[1]}"
		printf 'caf\303\251 %s\n' "${BOT_URL[2]}"
		is_sqlite && printf 'gone_\300 sqlite:///bots/gone.db\n'
	} >tenants.txt
	run --separate-stderr rt fleet upgrade head --tenants tenants.txt --no-create --format json
	# every tenant has every key
	jqe 'all(.tenants[]; has("name") and has("url") and has("from") and has("to") and has("status") and has("error"))'
	jqe '.tenants[0].name == "bot_\ufffd\ufffd" and .tenants[0].status == "ok"'
	# valid UTF-8 is kept as it is
	jqe '.tenants[1].name == "café" and .tenants[1].status == "ok"'
	if is_sqlite; then
		assert_status 1
		# the error names the tenant: its text is escaped too, not dropped
		jqe '.tenants[2].name == "gone_\ufffd" and .tenants[2].status == "failed"'
		jqe '.tenants[2].error | startswith("tenant '"'"'gone_\ufffd'"'"': the database file")'
	else
		assert_status 0
		jqe '.total == 2'
	fi
}

@test "atomic fleet: a bot whose third migration fails stays where it started, with nothing of the first two; --no-atomic keeps the two" {
	local i
	# a bot tree of three transactional migrations; the third collides
	# with a table bot_2 already has
	rm -f "$P"/bot/versions/*.sql
	mkdir -p "$P/migrations/versions"
	write_rev a00000000001 "" "wallets" "CREATE TABLE wallets (id INTEGER PRIMARY KEY);" "DROP TABLE wallets;"
	write_rev a00000000002 a00000000001 "coupons" "CREATE TABLE coupons (id INTEGER PRIMARY KEY);" "DROP TABLE coupons;"
	write_rev a00000000003 a00000000002 "poison" "CREATE TABLE poison (id INTEGER PRIMARY KEY);" "DROP TABLE poison;"
	mv "$P"/migrations/versions/*.sql "$P/bot/versions/"
	grep -q '^atomic *= *true' "$P/retort.ini" || fail "the example's fleet is not atomic"
	make_fleet 3
	db_sql "${BOT[2]}" "CREATE TABLE poison (id INTEGER PRIMARY KEY)"

	run -1 --separate-stderr rt fleet upgrade head -j 2 --format json
	jqe '.ok == 2 and .failed == 1'
	jqe '.tenants[] | select(.name == "bot_2") | .status == "failed" and .applied == 0 and .to == ""'
	jqe '.tenants[] | select(.name == "bot_2") | .error | contains("poison")'
	assert_eq "$(bot_versions 1 2 3)" "$(printf 'bot_1=a00000000003\nbot_2=\nbot_3=a00000000003')"
	# nothing of the first two: no table, no version row
	for t in wallets coupons; do
		if is_sqlite; then
			assert_eq "$(db_sql "${BOT[2]}" "SELECT count(*) FROM sqlite_master WHERE name = '$t'")" 0
		else
			assert_eq "$(db_sql "${BOT[2]}" "SELECT count(*) FROM pg_class WHERE relname = '$t'")" 0
		fi
	done

	# a migration at a time: bot_2 keeps what went through
	run -1 --separate-stderr rt fleet upgrade head --only bot_2 --no-atomic
	assert_eq "$(bot_versions 2)" "bot_2=a00000000002"
}
