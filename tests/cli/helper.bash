# helper.bash - shared set-up for the black-box tests of the retort binary.
#
# Each tests/cli/*.bats file does `load helper` and calls `common_setup` from
# its setup().  CTest runs them with
#   RETORT=<the binary>  RETORT_DIALECT=sqlite  RETORT_SRC=<repository root>
# and every test gets its own empty folder, $BATS_TEST_TMPDIR.
#
# Projects are written by hand here (a fixed retort.ini, a fixed template,
# revision files with fixed ids) so that a test of `upgrade` does not also
# depend on `init` and `revision`; t01 tests those two on their own.
#
# The assertions talk to the database file with the sqlite3 shell, never
# through retort.

bats_require_minimum_version 1.5.0

# Fixed revision ids of the standard chain A -> B -> C -> D.
A=a1a1a1a1a1a1
B=b2b2b2b2b2b2
C=c3c3c3c3c3c3
D=d4d4d4d4d4d4

common_setup() {
	if [ -z "${RETORT:-}" ] || [ ! -x "$RETORT" ]; then
		echo "RETORT must name the retort binary (got '${RETORT:-}')" >&2
		return 1
	fi
	case "${RETORT_DIALECT:-sqlite}" in
	sqlite) ;;
	*)
		echo "tests/cli drive SQLite database files; RETORT_DIALECT=$RETORT_DIALECT is not supported here" >&2
		return 1
		;;
	esac
	RETORT_SRC=${RETORT_SRC:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
	# The examples read ${DATABASE_URL:-...}; a value from the caller's
	# environment must not send a test to some other database.
	unset DATABASE_URL
	export TZ=UTC LC_ALL=C
	# the project folder and its database (see new_project)
	P="$BATS_TEST_TMPDIR/proj"
	DB="$P/test.db"
	cd "$BATS_TEST_TMPDIR"
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
# (SQLite file test.db beside it, log file retort.log) and template; cd there.
new_project() {
	local dir=${1:-$P}
	mkdir -p "$dir/migrations/versions"
	cat >"$dir/retort.ini" <<'EOF'
[retort]
script_location = migrations
url = sqlite:///test.db
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
# one row, and drops it again on the way down.
std_chain() {
	local id down=
	for id in "$A" "$B" "$C" "$D"; do
		local t="t_${id:0:1}"
		write_rev "$id" "$down" "Create $t" \
			"CREATE TABLE $t (id INTEGER PRIMARY KEY, note TEXT NOT NULL);
INSERT INTO $t (note) VALUES ('from $id');" \
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

q() {
	sqlite3 -batch "$DB" "$@"
}

# The schema of a database file, one line per object, for comparisons.
dump_schema() {
	local db=${1:-$DB}
	[ -f "$db" ] || { echo "(no database file)"; return 0; }
	sqlite3 -batch "$db" "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
}

# The rows of the version table, sorted; nothing when the table (or the
# file) does not exist.  Reads without creating the file.
versions() {
	local db=${1:-$DB} t=${2:-retort_version}
	[ -f "$db" ] || return 0
	if [ "$(sqlite3 -batch "$db" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '$t'")" = 1 ]; then
		sqlite3 -batch "$db" "SELECT version_num FROM \"$t\" ORDER BY 1"
	fi
}

has_version_table() {
	local db=${1:-$DB} t=${2:-retort_version}
	[ -f "$db" ] &&
		[ "$(sqlite3 -batch "$db" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '$t'")" = 1 ]
}

# Tables other than SQLite's own and the version table.
user_tables() {
	local db=${1:-$DB}
	[ -f "$db" ] || return 0
	sqlite3 -batch "$db" "SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name <> 'retort_version' ORDER BY 1"
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
		sqlite3 -batch "$db" "SELECT * FROM \"$t\" ORDER BY 1"
	done
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
