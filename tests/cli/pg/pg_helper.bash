# pg_helper.bash - shared set-up for the PostgreSQL black-box tests.
#
# CTest runs every tests/cli/pg/*.bats file with
#   RETORT=<the binary>  RETORT_DIALECT=postgresql  RETORT_SRC=<repository root>
#   RETORT_PG_STATE=<file holding the URL of the fixture server>
# The fixture (scripts/pgserver.sh, CTest fixture `pg`) is a throwaway
# cluster on 127.0.0.1 with the superuser `retort`.
#
# Every test gets its own database (new_db: CREATE DATABASE t_<unique>,
# dropped WITH (FORCE) in pg_teardown, which also ends any server session a
# test left behind) and its own project in $BATS_TEST_TMPDIR (new_project,
# write_rev).  Assertions talk to the server with psql, never through retort.
#
# Background processes are started with `bg NAME CMD...` so that teardown
# can kill whatever a failed test left running; their output goes to
# NAME.out / NAME.err in the test's folder.

bats_require_minimum_version 1.5.0

# ---- set-up and tear-down ---------------------------------------------------

pg_setup() {
	if [ -z "${RETORT:-}" ] || [ ! -x "$RETORT" ]; then
		echo "RETORT must name the retort binary (got '${RETORT:-}')" >&2
		return 1
	fi
	if [ -z "${RETORT_PG_STATE:-}" ] || [ ! -s "$RETORT_PG_STATE" ]; then
		echo "RETORT_PG_STATE must name the file with the test server's URL (got '${RETORT_PG_STATE:-}');" \
			"the CTest fixture pg/start writes it" >&2
		return 1
	fi
	RETORT_SRC=${RETORT_SRC:-$(cd "$BATS_TEST_DIRNAME/../../.." && pwd)}
	# postgresql://retort:PASSWORD@127.0.0.1:PORT/postgres
	PG_ADMIN_URL=$(head -n 1 "$RETORT_PG_STATE")
	PG_BASE_URL=${PG_ADMIN_URL%/*}          # without the database
	local hostport=${PG_BASE_URL##*@}
	PG_HOST=${hostport%:*}
	PG_PORT=${hostport##*:}
	local userinfo=${PG_BASE_URL#*://}
	userinfo=${userinfo%@*}
	PG_USER=${userinfo%%:*}
	PG_PASSWORD=${userinfo#*:}
	# nothing from the caller's environment may send a test elsewhere
	unset DATABASE_URL PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSERVICE PGOPTIONS
	export PGCONNECT_TIMEOUT=20 PGCLIENTENCODING=UTF8 TZ=UTC LC_ALL=C
	PG_DBS=()
	BG_PIDS=()
	P="$BATS_TEST_TMPDIR/proj"
	cd "$BATS_TEST_TMPDIR"
}

pg_teardown() {
	local pid db
	for pid in "${BG_PIDS[@]}"; do
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	BG_PIDS=()
	# WITH (FORCE) also ends the server sessions of killed clients (a
	# backend in pg_sleep does not notice that its client is gone)
	for db in "${PG_DBS[@]}"; do
		psql -X -q -d "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" \
			>/dev/null 2>&1 || echo "teardown: could not drop database $db" >&2
	done
	PG_DBS=()
}

# ---- databases ------------------------------------------------------------------

# new_db [VAR]: create a fresh database; set VAR (default DB_URL) to its URL
# and DB_NAME (or VAR's _NAME) to its name.
new_db() {
	local var=${1:-DB_URL} name try
	for try in 1 2 3; do
		name="t_$(slug "${BATS_TEST_FILENAME##*/}")_${BATS_TEST_NUMBER}_$$_${RANDOM}"
		name=${name:0:63}
		if psql -X -q -v ON_ERROR_STOP=1 -d "$PG_ADMIN_URL" -c "CREATE DATABASE \"$name\"" >/dev/null; then
			PG_DBS+=("$name")
			printf -v "$var" '%s/%s' "$PG_BASE_URL" "$name"
			if [ "$var" = DB_URL ]; then DB_NAME=$name; else printf -v "${var%_URL}_NAME" '%s' "$name"; fi
			return 0
		fi
	done
	fail "cannot create a test database on $PG_BASE_URL"
}

slug() {
	printf '%s' "$1" | tr 'A-Z' 'a-z' | sed -E 's/\.bats$//; s/[^a-z0-9]+/_/g; s/^_+//; s/_+$//'
}

# psql_at URL SQL: run SQL (one statement, or several in one implicit
# transaction), unaligned rows, '|' between columns.
psql_at() {
	psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

# q SQL: psql_at on the test's database.
q() {
	psql_at "$DB_URL" "$1"
}

# The rows of a version table, sorted; nothing when it does not exist.
versions() {
	local url=${1:-$DB_URL} table=${2:-retort_version}
	if [ "$(psql_at "$url" "SELECT to_regclass('$table') IS NOT NULL")" = t ]; then
		psql_at "$url" "SELECT version_num FROM $table ORDER BY 1"
	fi
}

# Does the relation (optionally schema-qualified) exist?
rel_exists() {
	[ "$(psql_at "${2:-$DB_URL}" "SELECT to_regclass('$1') IS NOT NULL")" = t ]
}

# The locks and the sessions of the test's database only (other tests may
# run at the same time on the same server), for FROM clauses.
MY_LOCKS="(SELECT * FROM pg_locks WHERE database =
	(SELECT oid FROM pg_database WHERE datname = current_database())) my_locks"
MY_SESSIONS="(SELECT * FROM pg_stat_activity WHERE datname = current_database()) my_sessions"

# Advisory locks granted in the test's database.
advisory_locks() {
	q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
}

# q_is SQL EXPECTED: the query's output is EXPECTED (for wait_for, which
# runs its command again each time; `wait_for 9 test "$(q ...)" = 1` would
# not).
q_is() {
	[ "$(q "$1")" = "$2" ]
}

# advisory_locks_are N
advisory_locks_are() {
	[ "$(advisory_locks)" = "$1" ]
}

# The server pid of retort's session (application_name 'retort') on the
# test's database, when there is exactly one.
retort_backend_pid() {
	q "SELECT pid FROM pg_stat_activity WHERE datname = current_database()
		AND application_name = 'retort'"
}

# ---- projects -------------------------------------------------------------------

# new_project [DIR [URL]]: retort.ini (url = the test database, log file
# retort.log) and an empty versions folder; cd there.  P is the project.
new_project() {
	local dir=${1:-$P} url=${2:-$DB_URL}
	mkdir -p "$dir/migrations/versions"
	cat >"$dir/retort.ini" <<EOF
[retort]
script_location = migrations
url = $url
version_table = retort_version
log_file = retort.log
EOF
	P=$dir
	cd "$dir"
}

# Set (or add) KEY = VALUE in the [retort] section of $P/retort.ini.
ini_set() {
	local ini=$P/retort.ini
	if grep -q "^$1 *=" "$ini"; then
		KEY=$1 VAL=$2 awk '
			$0 ~ "^" ENVIRON["KEY"] " *=" { print ENVIRON["KEY"] " = " ENVIRON["VAL"]; next }
			{ print }' "$ini" >"$ini.tmp"
		mv "$ini.tmp" "$ini"
	else
		printf '%s = %s\n' "$1" "$2" >>"$ini"
	fi
}

# write_rev ID DOWN_REVISION MESSAGE UPGRADE_SQL [DOWNGRADE_SQL]
# Writes $P/migrations/versions/ID_<slug>.sql and sets REV_FILE.  UP_OPTS
# and DOWN_OPTS (e.g. "transaction=false") go on the section markers.  The
# upgrade body starts on line 9 of the file (UP_LINE), so a test can tell
# which line a statement is on.
UP_LINE=9
write_rev() {
	local id=$1 down=$2 msg=$3 up=$4 dn=${5:-}
	REV_FILE="$P/migrations/versions/${id}_$(slug "$msg").sql"
	{
		printf -- '-- %s\n--\n' "$msg"                        # 1, 2
		printf -- '-- revision: %s\n' "$id"                    # 3
		printf -- '-- down_revision:%s\n' "${down:+ $down}"    # 4
		printf -- '-- branch_labels:\n-- depends_on:\n'        # 5, 6
		printf -- '-- create_date: 2026-11-22 10:00:00+00:00\n' # 7
		printf -- '-- +upgrade%s\n' "${UP_OPTS:+ $UP_OPTS}"    # 8
		printf -- '%s\n\n' "$up"                               # 9...
		printf -- '-- +downgrade%s\n' "${DOWN_OPTS:+ $DOWN_OPTS}"
		printf -- '%s\n' "$dn"
	} >"$REV_FILE"
}

# ---- running retort ---------------------------------------------------------------

# `run rt ARGS...`: the binary under test (a function, so that `run`'s
# failure report names it).
rt() {
	"$RETORT" "$@"
}

# bg NAME CMD...: run CMD in the background with its output in NAME.out and
# NAME.err (in the current folder); BG_PID is its pid.  Bats' own fd 3 is
# closed so that bats never waits for it.
bg() {
	local name=$1
	shift
	( exec "$@" ) >"$name.out" 2>"$name.err" 3>&- &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# bg_wait PID [SECONDS]: wait for a background process (killing it after
# SECONDS, default 120) and set BG_STATUS to its exit status.
bg_wait() {
	local pid=$1 limit=${2:-120} i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -ge $((limit * 20)) ]; then
			kill -9 "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
			fail "process $pid still running after $limit s; killed"
			return 1
		fi
		sleep 0.05
	done
	BG_STATUS=0
	wait "$pid" || BG_STATUS=$?
}

# hold_in_psql NAME SQL...: a background psql session that runs each SQL
# line and then sleeps (up to 10 minutes) until killed; its session ends
# when teardown drops the database.
hold_in_psql() {
	local name=$1 url=${HOLD_URL:-$DB_URL}
	shift
	{
		printf '%s\n' "$@"
		printf 'SELECT pg_sleep(600);\n'
	} >"$name.sql"
	bg "$name" psql -X -q -v ON_ERROR_STOP=1 -d "$url" -f "$name.sql"
}

# Seconds since the epoch, with microseconds.
now() {
	printf '%s\n' "$EPOCHREALTIME"
}

# elapsed T0 T1: T1 - T0 in seconds (decimal).
elapsed() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", b - a }'
}

# between X LO HI: LO <= X <= HI (decimals).
between() {
	awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x >= lo && x <= hi) }'
}

# wait_for SECONDS COMMAND...: poll (every 50 ms) until COMMAND succeeds.
wait_for() {
	local limit=$1 i=0
	shift
	while ! "$@"; do
		i=$((i + 1))
		[ $i -lt $((limit * 20)) ] || { fail "timed out after $limit s waiting for: $*"; return 1; }
		sleep 0.05
	done
}

# ---- assertions ----------------------------------------------------------------

fail() {
	printf '%s\n' "$@" >&2
	return 1
}

assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-values differ}" "expected: <$2>" "     got: <$1>"
}

assert_contains() {
	case "$1" in
	*"$2"*) ;;
	*) fail "expected to find <$2> in:" "$1" ;;
	esac
}

refute_contains() {
	case "$1" in
	*"$2"*) fail "did not expect <$2> in:" "$1" ;;
	esac
}

# assert_match TEXT ERE
assert_match() {
	[[ $1 =~ $2 ]] || fail "expected to match /$2/:" "$1"
}

assert_status() {
	[ "$status" -eq "$1" ] || fail "expected exit status $1, got $status" \
		"stdout: $output" "stderr: ${stderr:-}"
}

# assert_first_line_error TEXT: TEXT's first line starts with "error: ".
assert_first_line_error() {
	local first
	first=$(printf '%s\n' "$1" | head -n 1)
	[[ $first == "error: "* ]] || fail "the first line should start with 'error: ':" "$1"
}

# A run that has to wait for another run's lock says so on stderr, on a
# line of its own ("waiting for the database lock held by another
# process...").  without_wait_notice TEXT: TEXT without such lines.
without_wait_notice() {
	printf '%s\n' "$1" | grep -v -E '^waiting for .*lock' || true
}

# refute COMMAND...: COMMAND must fail (a bare `! cmd` does not fail a
# bats test).
refute() {
	if "$@"; then
		fail "expected to fail: $*"
	fi
}

# ---- the statement-splitting corpus -------------------------------------------

# write_corpus_rev ID DOWN_REVISION: a migration whose statements hide ';'
# in every place PostgreSQL allows: dollar-quoted bodies ($$ and $tag$),
# E'' strings with \', doubled quotes, quoted identifiers, nested block
# comments, line comments with quotes, two statements on one line, and a
# last statement without its ';'.  corpus_check tests the result.
write_corpus_rev() {
	write_rev "$1" "$2" "Splitting corpus" "$(cat <<'SQL'
CREATE TABLE corpus (id int PRIMARY KEY, s text NOT NULL);
-- a comment with 'a quote and "a double one"; and a semicolon; it's here
CREATE FUNCTION f_dollar() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    -- a ; inside the body
    RETURN 'one; two; three';
END;
$$;
CREATE FUNCTION f_tag(x int) RETURNS text LANGUAGE plpgsql AS $body$
DECLARE
    r text := '';
BEGIN
    /* $$ is not the end here; */
    r := 'a;' || x::text || $q$;b'$q$;
    RETURN r;
END;
$body$;
CREATE FUNCTION f_sql(a text, b text) RETURNS text LANGUAGE sql IMMUTABLE
    AS 'SELECT a || '';'' || b';
INSERT INTO corpus VALUES (1, E'back\\slash\'; and \'quote\'');
INSERT INTO corpus VALUES (2, 'it''s; fine');
INSERT INTO corpus VALUES (3, $$dollar ; 'literal'$$), (4, $x$[$$ ; $$]$x$);
CREATE TABLE "a;b" ("c;d" text NOT NULL, "e""f;" int);
INSERT INTO "a;b" VALUES ('x;y', 1);
/* outer /* nested ; */ still a comment ; DROP TABLE corpus; */
INSERT INTO corpus VALUES (5, 'after /* not a comment; */ the nested one');
-- trailing comment with ' and ; and $$
INSERT INTO corpus VALUES (6, U&'\0441\043B\043E\0432\043E;') ; INSERT INTO corpus VALUES (7, 'two on one line');
CREATE VIEW "v;w" AS SELECT id, s FROM corpus WHERE s LIKE '%;%'
-- a comment before the terminating semicolon ;
;
INSERT INTO corpus VALUES (8, 'last, without a semicolon') -- but a comment; 'x'
SQL
)" "$(cat <<'SQL'
DROP VIEW "v;w";
DROP TABLE "a;b";
DROP FUNCTION f_sql(text, text); DROP FUNCTION f_tag(int);
DROP FUNCTION f_dollar();
DROP TABLE corpus
SQL
)"
}

# corpus_check [URL]: every object of the corpus, with its exact content.
corpus_check() {
	local url=${1:-$DB_URL}
	assert_eq "$(psql_at "$url" "SELECT id || '=' || s FROM corpus ORDER BY id")" \
"1=back\\slash'; and 'quote'
2=it's; fine
3=dollar ; 'literal'
4=[\$\$ ; \$\$]
5=after /* not a comment; */ the nested one
6=слово;
7=two on one line
8=last, without a semicolon" "rows of corpus"
	assert_eq "$(psql_at "$url" "SELECT f_dollar()")" "one; two; three"
	assert_eq "$(psql_at "$url" "SELECT f_tag(7)")" "a;7;b'"
	assert_eq "$(psql_at "$url" "SELECT f_sql('x', 'y')")" "x;y"
	assert_eq "$(psql_at "$url" 'SELECT "c;d", "e""f;" FROM "a;b"')" "x;y|1"
	assert_eq "$(psql_at "$url" "SELECT string_agg(id::text, ',' ORDER BY id) FROM \"v;w\"")" "1,2,3,4,5,6"
}

# corpus_gone [URL]: none of the corpus's objects exist.
corpus_gone() {
	local url=${1:-$DB_URL}
	assert_eq "$(psql_at "$url" "SELECT count(*) FROM pg_class WHERE relname IN ('corpus', 'a;b', 'v;w')")" 0
	assert_eq "$(psql_at "$url" "SELECT count(*) FROM pg_proc WHERE proname IN ('f_dollar', 'f_tag', 'f_sql')")" 0
}

# log_chain N (t01-locking, t08-pgbouncer): N transactional migrations;
# the first creates table log, each (the first too) inserts one row naming
# itself.  REVS lists them in order, LAST is the head.
log_chain() {
	local n=$1 i id down=
	REVS=()
	for ((i = 1; i <= n; i++)); do
		printf -v id 'c0c0c0%06d' "$i"
		if [ "$i" -eq 1 ]; then
			write_rev "$id" "" "Log $i" \
				"CREATE TABLE log (rev TEXT NOT NULL, pid INT NOT NULL DEFAULT pg_backend_pid());
INSERT INTO log (rev) VALUES ('$id');" \
				"DROP TABLE log;"
		else
			write_rev "$id" "$down" "Log $i" \
				"INSERT INTO log (rev) VALUES ('$id');" \
				"DELETE FROM log WHERE rev = '$id';"
		fi
		REVS+=("$id")
		down=$id
	done
	LAST=$down
}
