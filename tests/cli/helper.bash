# helper.bash - shared set-up for the black-box tests of the retort binary.
#
# Each tests/cli/*.bats file does `load helper`, calls `common_setup` from
# its setup() and `common_teardown` from its teardown().  CTest runs every
# file once per dialect with
#   RETORT=<the binary>  RETORT_DIALECT=sqlite|postgresql  RETORT_SRC=<repo root>
#   RETORT_PG_STATE=<file holding the URL of the test server (postgresql)>
# and every test gets its own empty folder, $BATS_TEST_TMPDIR, and its own
# empty database:
#   sqlite       DB is the file $P/test.db, DB_URL is sqlite:///test.db
#   postgresql   DB and DB_URL are the URL of a new database on the server
#                that the CTest fixture pg/start runs (scripts/pgserver.sh)
#
# Projects are written by hand here (a fixed retort.ini, a fixed template,
# revision files with fixed ids) so that a test of `upgrade` does not also
# depend on `init` and `revision`; t01 tests those two on their own.
#
# Assertions talk to the database with the sqlite3 shell or psql, never
# through retort.  A database is named by a "handle": a file path for
# SQLite, a URL for PostgreSQL (see new_db).

bats_require_minimum_version 1.5.0

# Fixed revision ids of the standard chain A -> B -> C -> D.
A=a1a1a1a1a1a1
B=b2b2b2b2b2b2
C=c3c3c3c3c3c3
D=d4d4d4d4d4d4

# common_setup [DIALECT]: check the environment, make the test's database.
# A file whose tests are about SQLite URLs and files passes "sqlite" to run
# on SQLite whatever RETORT_DIALECT says.
common_setup() {
	if [ -z "${RETORT:-}" ] || [ ! -x "$RETORT" ]; then
		echo "RETORT must name the retort binary (got '${RETORT:-}')" >&2
		return 1
	fi
	DIALECT=${1:-${RETORT_DIALECT:-sqlite}}
	RETORT_SRC=${RETORT_SRC:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
	# The examples read ${DATABASE_URL:-...}; a value from the caller's
	# environment must not send a test to some other database.
	unset DATABASE_URL PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSERVICE PGOPTIONS
	export TZ=UTC LC_ALL=C PGCONNECT_TIMEOUT=20
	# the header cache goes to the test's folder, never the caller's home
	unset RETORT_CACHE_DIR
	export XDG_CACHE_HOME="$BATS_TEST_TMPDIR/cache"
	PG_DBS=()
	# the project folder (see new_project)
	P="$BATS_TEST_TMPDIR/proj"
	case "$DIALECT" in
	sqlite)
		DB="$P/test.db"
		DB_URL=sqlite:///test.db
		# a URL nothing can be opened at: a folder that does not exist
		UNREACHABLE_URL="sqlite:///$BATS_TEST_TMPDIR/no/such/dir/x.db"
		;;
	postgresql)
		if [ -z "${RETORT_PG_STATE:-}" ] || [ ! -s "$RETORT_PG_STATE" ]; then
			echo "RETORT_PG_STATE must name the file with the test server's URL" \
				"(got '${RETORT_PG_STATE:-}'); the CTest fixture pg/start writes it" >&2
			return 1
		fi
		PG_ADMIN_URL=$(head -n 1 "$RETORT_PG_STATE")
		PG_BASE_URL=${PG_ADMIN_URL%/*}
		new_db DB
		DB_URL=$DB
		# nothing listens on port 1
		UNREACHABLE_URL="postgresql://nobody:nopw@127.0.0.1:1/nodb?connect_timeout=5"
		;;
	*)
		echo "unknown RETORT_DIALECT '$DIALECT' (sqlite or postgresql)" >&2
		return 1
		;;
	esac
	cd "$BATS_TEST_TMPDIR"
}

common_teardown() {
	local db
	# WITH (FORCE) also ends the sessions of killed clients
	for db in "${PG_DBS[@]}"; do
		psql -X -q -d "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" \
			>/dev/null 2>&1 || echo "teardown: could not drop database $db" >&2
	done
	PG_DBS=()
}

is_sqlite() {
	[ "$DIALECT" = sqlite ]
}

is_pg() {
	[ "$DIALECT" = postgresql ]
}

# new_db VAR: a new empty database of the dialect; VAR gets its handle and
# VAR_URL a URL for it that works from any folder.  (SQLite: a file path in
# the test's folder, not created yet.)
new_db() {
	local var=$1 name try
	case "$DIALECT" in
	sqlite)
		printf -v "$var" '%s' "$BATS_TEST_TMPDIR/$var.db"
		printf -v "${var}_URL" 'sqlite:///%s' "$BATS_TEST_TMPDIR/$var.db"
		;;
	postgresql)
		for try in 1 2 3; do
			name="t_${BATS_TEST_NUMBER}_$$_${RANDOM}_$(printf '%s' "$var" | tr 'A-Z' 'a-z')"
			name=${name:0:63}
			if psql -X -q -v ON_ERROR_STOP=1 -d "$PG_ADMIN_URL" \
				-c "CREATE DATABASE \"$name\"" >/dev/null; then
				PG_DBS+=("$name")
				printf -v "$var" '%s/%s' "$PG_BASE_URL" "$name"
				printf -v "${var}_URL" '%s/%s' "$PG_BASE_URL" "$name"
				return 0
			fi
		done
		fail "cannot create a test database on the server"
		;;
	esac
}

# ---- running retort -----------------------------------------------------

# `run rt ARGS...` runs the binary under test; a function so that `run`
# shows "rt" and the arguments in its failure report.
rt() {
	"$RETORT" "$@"
}

# ---- assertions ------------------------------------------------------------

fail() {
	printf '%s\n' "$@" >&2
	return 1
}

# refute COMMAND...: COMMAND must fail.  (A bare `! cmd` in the middle of a
# test does not fail it: bash's errexit ignores negated commands.)
refute() {
	if "$@"; then
		fail "expected to fail: $*"
	fi
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

# assert_line_match ERE: some line of $output matches.
assert_line_match() {
	local l
	for l in "${lines[@]}"; do
		[[ $l =~ $1 ]] && return 0
	done
	fail "no line of the output matches /$1/:" "$output"
}

# assert_status N: the last `run` exited with N (used after `run` without -N
# where the output is wanted in the failure report).
assert_status() {
	[ "$status" -eq "$1" ] || fail "expected exit status $1, got $status" \
		"stdout: $output" "stderr: ${stderr:-}"
}

# ---- projects --------------------------------------------------------------

# new_project [DIR]: a project in DIR (default $P) with a fixed retort.ini
# (url = the test's database, log file retort.log) and template; cd there.
new_project() {
	local dir=${1:-$P}
	mkdir -p "$dir/migrations/versions"
	cat >"$dir/retort.ini" <<EOF
[retort]
script_location = migrations
url = $DB_URL
version_table = retort_version
log_file = retort.log
EOF
	write_template "$dir/migrations/script.sql.tmpl"
	cd "$dir"
}

write_template() {
	cat >"$1" <<'EOF'
-- ${message}
--
-- revision: ${revision}
-- down_revision: ${down_revision}
-- branch_labels: ${branch_labels}
-- depends_on: ${depends_on}
-- create_date: ${create_date}

-- +upgrade

-- +downgrade
EOF
}

# Set (or add) KEY = VALUE in the [retort] section of $P/retort.ini.
ini_set() {
	local ini=${3:-$P/retort.ini}
	if grep -q "^$1 *=" "$ini"; then
		local tmp="$ini.tmp"
		KEY=$1 VAL=$2 awk '
			$0 ~ "^" ENVIRON["KEY"] " *=" { print ENVIRON["KEY"] " = " ENVIRON["VAL"]; next }
			{ print }' "$ini" >"$tmp"
		mv "$tmp" "$ini"
	else
		printf '%s = %s\n' "$1" "$2" >>"$ini"
	fi
}

slugify() {
	printf '%s' "$1" | tr 'A-Z' 'a-z' | sed -E 's/[^a-z0-9]+/_/g; s/^_+//; s/_+$//'
}

# write_rev ID DOWN_REVISION MESSAGE UPGRADE_SQL [DOWNGRADE_SQL]
# Writes migrations/versions/ID_<slug>.sql of the current project ($P) and
# sets REV_FILE to its path.  LABELS=... and DEPENDS=... add header values.
write_rev() {
	local id=$1 down=$2 msg=$3 up=$4 dn=${5:-}
	REV_FILE="$P/migrations/versions/${id}_$(slugify "$msg").sql"
	{
		printf -- '-- %s\n--\n' "$msg"
		printf -- '-- revision: %s\n' "$id"
		printf -- '-- down_revision:%s\n' "${down:+ $down}"
		printf -- '-- branch_labels:%s\n' "${LABELS:+ $LABELS}"
		printf -- '-- depends_on:%s\n' "${DEPENDS:+ $DEPENDS}"
		printf -- '-- create_date: 2026-11-22 10:00:00+00:00\n\n'
		printf -- '-- +upgrade\n%s\n\n' "$up"
		printf -- '-- +downgrade\n%s\n' "$dn"
	} >"$REV_FILE"
}

# The standard chain A -> B -> C -> D; revision X creates table t_x with
# one row, and drops it again on the way down.  Plain SQL both dialects run.
std_chain() {
	local id down=
	for id in "$A" "$B" "$C" "$D"; do
		local t="t_${id:0:1}"
		write_rev "$id" "$down" "Create $t" \
			"CREATE TABLE $t (id INTEGER PRIMARY KEY, note TEXT NOT NULL);
INSERT INTO $t (id, note) VALUES (1, 'from $id');" \
			"DROP TABLE $t;"
		down=$id
	done
}

# fill_sections FILE UPGRADE_SQL DOWNGRADE_SQL: put SQL under the markers of
# a file made by `retort revision`.
fill_sections() {
	local tmp="$1.tmp"
	UP=$2 DN=$3 awk '
		{ print }
		/^-- \+upgrade/   { print ENVIRON["UP"] }
		/^-- \+downgrade/ { print ENVIRON["DN"] }' "$1" >"$tmp"
	mv "$tmp" "$1"
}

# The id of the file named by a "created <path>" line in $output.
created_rev() {
	local path
	path=$(printf '%s\n' "$output" | sed -n 's/^created //p' | tail -n 1)
	[ -n "$path" ] || { fail "no 'created' line in: $output"; return 1; }
	path=${path##*/}
	printf '%s\n' "${path%%_*}"
}

# ---- the database --------------------------------------------------------

# db_sql HANDLE SQL: run SQL, rows one per line, '|' between columns.
db_sql() {
	case "$DIALECT" in
	sqlite) sqlite3 -batch -bail "$1" "$2" ;;
	postgresql) psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" -c "$2" ;;
	esac
}

# q SQL: db_sql on the test's database.
q() {
	db_sql "$DB" "$1"
}

# feed SCRIPT HANDLE: run an SQL script file on a database, stopping at the
# first error.
feed() {
	case "$DIALECT" in
	sqlite) sqlite3 -batch -bail "$2" <"$1" ;;
	postgresql) psql -X -q -v ON_ERROR_STOP=1 -d "$2" -f "$1" >/dev/null ;;
	esac
}

# db_exists HANDLE: the database is there (an SQLite file is created on
# first use; a PostgreSQL test database always exists).
db_exists() {
	case "$DIALECT" in
	sqlite) [ -f "$1" ] ;;
	postgresql) true ;;
	esac
}

has_version_table() {
	local db=${1:-$DB} t=${2:-retort_version}
	db_exists "$db" || return 1
	case "$DIALECT" in
	sqlite)
		[ "$(db_sql "$db" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '$t'")" = 1 ] ;;
	postgresql)
		[ "$(db_sql "$db" "SELECT to_regclass('\"$t\"') IS NOT NULL")" = t ] ;;
	esac
}

# The rows of the version table, sorted; nothing when the table (or the
# file) does not exist.  Never creates an SQLite file.
versions() {
	local db=${1:-$DB} t=${2:-retort_version}
	if has_version_table "$db" "$t"; then
		db_sql "$db" "SELECT version_num FROM \"$t\" ORDER BY 1"
	fi
}

# Tables other than the database's own and the version table.
user_tables() {
	local db=${1:-$DB}
	db_exists "$db" || return 0
	case "$DIALECT" in
	sqlite)
		db_sql "$db" "SELECT name FROM sqlite_master WHERE type = 'table'
			AND name NOT LIKE 'sqlite_%' AND name NOT IN ('retort_version', 'retort_history') ORDER BY 1" ;;
	postgresql)
		db_sql "$db" "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
			AND tablename NOT IN ('retort_version', 'retort_history') ORDER BY 1" ;;
	esac
}

# The schema of a database, one line per object, for comparisons.
dump_schema() {
	local db=${1:-$DB}
	db_exists "$db" || { echo "(no database)"; return 0; }
	case "$DIALECT" in
	sqlite)
		db_sql "$db" "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name" ;;
	postgresql)
		db_sql "$db" "
SELECT 'column', table_name::text, lpad(ordinal_position::text, 4, '0') || ' ' || column_name,
       concat_ws(' ', data_type, character_maximum_length, is_nullable, is_identity, column_default)
  FROM information_schema.columns WHERE table_schema = current_schema()
UNION ALL
SELECT 'index', tablename::text, indexname::text, indexdef
  FROM pg_indexes WHERE schemaname = current_schema()
UNION ALL
SELECT 'constraint', conrelid::regclass::text, conname::text, pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
UNION ALL
SELECT 'trigger', tgrelid::regclass::text, tgname::text, pg_get_triggerdef(oid)
  FROM pg_trigger WHERE NOT tgisinternal
UNION ALL
SELECT 'view', viewname::text, '', definition
  FROM pg_views WHERE schemaname = current_schema()
UNION ALL
SELECT 'function', p.proname::text, '', pg_get_functiondef(p.oid)
  FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace
ORDER BY 1, 2, 3" ;;
	esac
}

# Everything a test may want to compare between two databases: schema,
# version rows and the rows of every user table.
dump_all() {
	local db=${1:-$DB} t
	dump_schema "$db"
	echo "-- versions"
	versions "$db"
	for t in $(user_tables "$db"); do
		echo "-- rows of $t"
		db_sql "$db" "SELECT * FROM \"$t\" ORDER BY 1"
	done
}

# The database's name as a URL shows it (for looking for it in a log).
db_label() {
	case "$DIALECT" in
	sqlite) echo "test.db" ;;
	postgresql) echo "${DB##*/}" ;;
	esac
}

# wait_for SECONDS COMMAND...: poll (every 50 ms) until COMMAND succeeds.
wait_for() {
	local limit=$1 i=0
	shift
	while ! "$@"; do
		i=$((i + 1))
		[ $i -lt $((limit * 20)) ] || return 1
		sleep 0.05
	done
}

# ms_since T0: the milliseconds since T0, a time from `date +%s%N`.
ms_since() {
	echo $((($(date +%s%N) - $1) / 1000000))
}

# For a project made by `retort init` (url = ${DATABASE_URL:-sqlite:///data.db}):
# on PostgreSQL point it at the test's database through DATABASE_URL; on
# SQLite leave the default, and DB becomes the project's data.db.
use_init_url() {
	local dir=$1
	if is_pg; then
		export DATABASE_URL=$DB_URL
	else
		DB="$(cd "$dir" && pwd)/data.db"
	fi
}
