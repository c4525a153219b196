#!/usr/bin/env bash
# stress.sh - repeat the concurrency and kill -9 cases many times and check
# that every migration is applied exactly once and that the version table,
# the history and the schema agree.
#
#   scripts/stress.sh [RETORT_BINARY]
#
#   ROUNDS=20        rounds of each concurrency case (PROCS processes at once
#                    on a fresh database)
#   KILL_ROUNDS=40   rounds of each kill -9 case (a run killed after a random
#                    0-300 ms, then a recovery run)
#   PROCS=16         processes per concurrency round
#   CASES=REGEX      only the cases whose name matches (e.g. 'sqlite|wal')
#   KEEP=1           keep the work folder even when everything passed
#
# Without RETORT_BINARY it builds build-stress/ (plain build, no tests).  It
# starts its own PostgreSQL server (scripts/pgserver.sh) and PgBouncer in
# transaction mode in front of it (scripts/pgbouncer.sh) and stops both on
# exit.  Cases:
#   concurrency  sqlite | wal | pg | pgbouncer  x  tx | notx | fk
#     tx    transactional migrations, each inserting a row naming itself
#     notx  two of them in '-- +upgrade transaction=false' sections (CREATE
#           INDEX CONCURRENTLY on PostgreSQL); through PgBouncer every run
#           must be refused ("pooler") and leave the database untouched
#     fk    SQLite table rebuilds in '-- +upgrade foreign_keys=off' sections
#   kill     sqlite | wal | pg | pgbouncer: many small steps, big inserts,
#            pg_sleep, and (not through PgBouncer) a transaction=false step;
#            recovery is 'upgrade head', or 'upgrade --resume' when that
#            refuses because a transaction=false step was interrupted
# One line per case with its pass and fail counts, then "N passed, N
# failed"; exit 1 on any failure, and the work folder (each failed round's
# files and a note of why) is kept and named.
set -euo pipefail

ROUNDS=${ROUNDS:-20}
KILL_ROUNDS=${KILL_ROUNDS:-40}
PROCS=${PROCS:-16}
CASES=${CASES:-.}
src=$(cd "$(dirname "$0")/.." && pwd)

if [ $# -ge 1 ]; then
	retort=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
else
	echo "== building $src/build-stress"
	cmake -S "$src" -B "$src/build-stress" -DRETORT_BUILD_TESTS=OFF >/dev/null
	cmake --build "$src/build-stress" -j"${JOBS:-2}" >/dev/null
	retort=$src/build-stress/retort
fi
[ -x "$retort" ] || { echo "stress: no retort binary at $retort" >&2; exit 2; }

work=$(mktemp -d /tmp/retort-stress.XXXXXX)
chmod 755 "$work"
failures=0
cleanup() {
	"$src/scripts/pgbouncer.sh" stop "$work/pgbouncer.url" "$work/pg.url" >/dev/null 2>&1 || true
	"$src/scripts/pgserver.sh" stop "$work/pg.url" >/dev/null 2>&1 || true
	if [ "$failures" -eq 0 ] && [ -z "${KEEP:-}" ]; then
		rm -rf "$work"
	else
		echo "stress: the work folder is kept: $work (databases were on the stopped server)"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

unset DATABASE_URL PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSERVICE PGOPTIONS RETORT_CACHE_DIR
export TZ=UTC LC_ALL=C PGCONNECT_TIMEOUT=20 XDG_CACHE_HOME=$work/cache

"$src/scripts/pgserver.sh" start "$work/pg.url"
"$src/scripts/pgbouncer.sh" start "$work/pgbouncer.url" "$work/pg.url"
PG_ADMIN=$(head -n 1 "$work/pg.url")
PG_BASE=${PG_ADMIN%/*}
PGB_BASE=$(head -n 1 "$work/pgbouncer.url")

# ---- databases ------------------------------------------------------------

# A database is a handle: a file path (sqlite, wal) or a server URL.
# new_db KIND NAME: make a fresh one; sets DB (handle, for checks) and URL
# (what retort is given).
new_db() {
	local kind=$1 name=$2
	case $kind in
	sqlite)
		DB=$rdir/$name.db; URL="sqlite:///$DB" ;;
	wal)
		DB=$rdir/$name.db; URL="sqlite:///$DB"
		sqlite3 -batch "$DB" 'PRAGMA journal_mode = WAL' >/dev/null ;;
	pg|pgbouncer)
		PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -d "$PG_ADMIN" -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" \
			-c "CREATE DATABASE \"$name\"" >/dev/null
		DB=$PG_BASE/$name
		if [ "$kind" = pg ]; then URL=$DB; else URL=$PGB_BASE/$name; fi ;;
	esac
}

drop_db() {
	case $1 in
	pg|pgbouncer)
		psql -X -q -d "$PG_ADMIN" -c "DROP DATABASE IF EXISTS \"${DB##*/}\" WITH (FORCE)" >/dev/null 2>&1 || true ;;
	esac
}

is_pg() { [ "$1" = pg ] || [ "$1" = pgbouncer ]; }

# sql KIND QUERY: rows one per line, '|' between columns.
sql() {
	if is_pg "$1"; then
		psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$DB" -c "$2"
	else
		sqlite3 -batch -bail -cmd '.timeout 10000' "$DB" "$2"
	fi
}

has_table() {
	if is_pg "$1"; then
		[ "$(sql "$1" "SELECT to_regclass('$2') IS NOT NULL")" = t ]
	else
		[ "$(sql "$1" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '$2'")" = 1 ]
	fi
}

versions() { has_table "$1" retort_version && sql "$1" "SELECT version_num FROM retort_version ORDER BY 1" || true; }

# The schema, one line per object (the version and history tables too).
schema() {
	if is_pg "$1"; then
		sql "$1" "
SELECT 'column', table_name::text, lpad(ordinal_position::text, 4, '0') || ' ' || column_name,
       concat_ws(' ', data_type, character_maximum_length, is_nullable, column_default)
  FROM information_schema.columns WHERE table_schema = current_schema()
UNION ALL
SELECT 'index', tablename::text, indexname::text, indexdef
  FROM pg_indexes WHERE schemaname = current_schema()
UNION ALL
SELECT 'invalid index', indexrelid::regclass::text, '', ''
  FROM pg_index WHERE NOT indisvalid
UNION ALL
SELECT 'constraint', conrelid::regclass::text, conname::text, pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
ORDER BY 1, 2, 3"
	else
		sql "$1" "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
	fi
}

# ---- projects -------------------------------------------------------------

# rev DIR ID DOWN OPTS SQL: a revision file (empty downgrade).
rev() {
	local dir=$1 id=$2 down=$3 opts=$4 body=$5
	{
		printf -- '-- %s\n--\n-- revision: %s\n-- down_revision:%s\n' "$id" "$id" "${down:+ $down}"
		printf -- '-- branch_labels:\n-- depends_on:\n-- create_date: 2026-11-22 10:00:00+00:00\n\n'
		printf -- '-- +upgrade%s\n%s\n\n-- +downgrade\n' "${opts:+ $opts}" "$body"
	} >"$dir/migrations/versions/${id}_m.sql"
}

# project DIR: retort.ini reading the URL from $DATABASE_URL.
project() {
	mkdir -p "$1/migrations/versions"
	cat >"$1/retort.ini" <<'EOF'
[retort]
script_location = migrations
url = ${DATABASE_URL}
version_table = retort_version
lock_timeout = 120
EOF
}

# make_concurrency_project DIR KIND MODE: sets REVS (in order), ROWS (the
# rows of log the migrations insert, each exactly once), PRE (revision to
# apply first, pgbouncer/notx only) and REFUSE (1 when every run must be
# refused).
make_concurrency_project() {
	local dir=$1 kind=$2 mode=$3 i id down= opts body
	project "$dir"
	REVS=() ROWS=() PRE= REFUSE=
	for i in 1 2 3 4 5 6 7 8; do
		id=$(printf 'c0c0c0%06d' "$i")
		opts=
		body="INSERT INTO log (rev) VALUES ('$id');"
		if [ "$i" = 1 ]; then
			body="CREATE TABLE log (rev TEXT NOT NULL);
CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE child (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES parent (id));
INSERT INTO parent (id, name) VALUES (1, 'one');
INSERT INTO child (id, pid) VALUES (1, 1);
$body"
		elif [ "$mode" = notx ] && { [ "$i" = 3 ] || [ "$i" = 6 ]; }; then
			opts=transaction=false
			if is_pg "$kind"; then
				body="$body
CREATE INDEX CONCURRENTLY log_rev_$i ON log (rev);
INSERT INTO log (rev) VALUES ('$id-2');"
			else
				body="$body
CREATE INDEX log_rev_$i ON log (rev);
INSERT INTO log (rev) VALUES ('$id-2');"
			fi
			ROWS+=("$id-2")
			[ "$kind" = pgbouncer ] && [ -z "$PRE" ] && { PRE=$down; REFUSE=1; }
		elif [ "$mode" = fk ] && [ "$i" = 3 ]; then
			# rebuild the referenced table: dropping it needs foreign keys off
			opts=foreign_keys=off
			body="$body
CREATE TABLE new_parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '');
INSERT INTO new_parent (id, name) SELECT id, coalesce(name, '') FROM parent;
DROP TABLE parent;
ALTER TABLE new_parent RENAME TO parent;"
		elif [ "$mode" = fk ] && [ "$i" = 6 ]; then
			opts=foreign_keys=off
			body="$body
CREATE TABLE new_child (id INTEGER PRIMARY KEY, pid INTEGER NOT NULL REFERENCES parent (id), note TEXT);
INSERT INTO new_child (id, pid) SELECT id, pid FROM child;
DROP TABLE child;
ALTER TABLE new_child RENAME TO child;"
		fi
		rev "$dir" "$id" "$down" "$opts" "$body"
		REVS+=("$id")
		ROWS+=("$id")
		down=$id
	done
	HEAD=$down
}

# make_kill_project DIR KIND: ten migrations that take a few hundred ms in
# all, so that a kill after 0-300 ms can hit any of them: small steps, big
# inserts, pg_sleep, and (not through PgBouncer, which refuses it) one
# transaction=false step.  TXREVS: the transactional revisions, in order
# (each inserts one row naming itself).
make_kill_project() {
	local dir=$1 kind=$2 i id down= opts body j big sleep
	project "$dir"
	REVS=() TXREVS=()
	if is_pg "$kind"; then
		big="INSERT INTO big (x) SELECT g FROM generate_series(1, 30000) g;"
		sleep="SELECT pg_sleep(0.05);"
	else
		big="INSERT INTO big (x) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 30000) SELECT x FROM c;"
		sleep="UPDATE big SET x = x + 1 WHERE x % 3 = 0;"
	fi
	for i in $(seq 1 10); do
		id=$(printf 'ca11ed%06d' "$i")
		opts=
		body="INSERT INTO log (rev) VALUES ('$id');"
		case $i in
		1) body="CREATE TABLE log (rev TEXT NOT NULL);
CREATE TABLE big (x INTEGER);
$body" ;;
		3|8) body="$body
$big" ;;
		6) body="$body
$sleep
$big" ;;
		4)
			if [ "$kind" != pgbouncer ]; then
				# progress is recorded per statement, but a kill between
				# a statement and its record runs it again on resume: so
				# each statement here is repeatable
				opts=transaction=false
				body="CREATE TABLE IF NOT EXISTS n4 (x INTEGER);
$big
$sleep
CREATE INDEX IF NOT EXISTS n4_x ON n4 (x);
$big"
			else
				body="$body
$sleep
$big"
			fi ;;
		*) for j in 1 2 3 4 5 6; do
				body="$body
CREATE TABLE s_${i}_$j (x INTEGER);
INSERT INTO s_${i}_$j (x) VALUES ($j);"
			done ;;
		esac
		rev "$dir" "$id" "$down" "$opts" "$body"
		REVS+=("$id")
		[ -z "$opts" ] && TXREVS+=("$id")
		down=$id
	done
	HEAD=$down
}

# ---- running --------------------------------------------------------------

rt() { (cd "$pdir" && DATABASE_URL=$URL timeout 120 "$retort" "$@"); }

# run_gated N: N `retort upgrade head` at once; their exit codes in
# rc.1..N, output in out.I / err.I of the round folder.
run_gated() {
	local n=$1 i pids=()
	exec 8>"$rdir/gate"
	flock -x 8
	for ((i = 1; i <= n; i++)); do
		(
			exec 8>&-
			flock -s "$rdir/gate" -c true
			cd "$pdir"
			rc=0
			DATABASE_URL=$URL timeout 120 "$retort" upgrade head >"$rdir/out.$i" 2>"$rdir/err.$i" || rc=$?
			echo "$rc" >"$rdir/rc.$i"
		) &
		pids+=($!)
	done
	flock -u 8
	exec 8>&-
	wait "${pids[@]}" || true
}

# ---- checks ---------------------------------------------------------------

# bad MESSAGE: note why the round failed (first reason wins in the summary).
bad() {
	echo "$*" >>"$rdir/FAILED"
	return 1
}

# once_each WORD...: "WORD|1" lines, sorted.
once_each() {
	local w
	for w in "$@"; do printf '%s|1\n' "$w"; done | sort
}

# counts_diff GOT WORD...: what differs between GOT ("WORD|COUNT" lines)
# and each WORD once: "twice: W|2 ...; missing: W ...; unexpected: W|1 ...".
counts_diff() {
	local got=$1
	shift
	printf '%s\n' "$got" | awk -F'|' -v want="$*" '
		BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) wanted[w[i]] = 1 }
		NF == 2 { seen[$1] = 1
			  if (!($1 in wanted)) extra = extra " " $0
			  else if ($2 != 1) more = more " " $0 }
		END { for (i = 1; i <= n; i++) if (!(w[i] in seen)) miss = miss " " w[i]
		      if (more != "") printf "more than once:%s; ", more
		      if (miss != "") printf "missing:%s; ", miss
		      if (extra != "") printf "unexpected:%s; ", extra }'
}

# check_rows KIND ROW...: the rows of log are exactly ROW..., each once.
check_rows() {
	local kind=$1 got
	shift
	got=$(sql "$kind" "SELECT rev || '|' || count(*) FROM log GROUP BY rev" | sort)
	[ "$got" = "$(once_each "$@")" ] || bad "rows of log: $(counts_diff "$got" "$@")"
}

# check_applied KIND REV...: exactly one 'applied' upgrade history row per
# REV, and none for any other revision.
check_applied() {
	local kind=$1 got
	shift
	got=$(sql "$kind" "SELECT revision || '|' || count(*) FROM retort_history
		WHERE direction = 'upgrade' AND status = 'applied' GROUP BY revision" | sort)
	[ "$got" = "$(once_each "$@")" ] || bad "'applied' history rows: $(counts_diff "$got" "$@")"
}

# check_latest KIND REV...: the latest history row of every REV says
# upgrade/applied.
check_latest() {
	local kind=$1 got want r
	shift
	got=$(sql "$kind" "SELECT h.revision || '|' || h.direction || '|' || h.status FROM retort_history h
		WHERE h.id = (SELECT max(id) FROM retort_history WHERE revision = h.revision)" | sort)
	want=$(for r in "$@"; do echo "$r|upgrade|applied"; done | sort)
	[ "$got" = "$want" ] || bad "latest history row per revision: $(comm -3 <(echo "$want") <(echo "$got") | tr '\n\t' '  ')"
}

check_version() {
	local got
	got=$(versions "$1")
	[ "$got" = "$2" ] || bad "version table: '$got', expected '$2'"
}

check_schema() {
	schema "$1" >"$rdir/schema.txt"
	cmp -s "$rdir/schema.txt" "$2" || bad "schema differs from the reference: $(diff "$2" "$rdir/schema.txt" | grep '^[<>]' | head -3 | tr '\n' ' ')"
}

# ---- cases ------------------------------------------------------------------

total_pass=0
total_fail=0

# report NAME PASS FAIL [NOTE]
report() {
	printf '%-22s %3d passed, %3d failed%s\n' "$1" "$2" "$3" "${4:+  ($4)}"
	total_pass=$((total_pass + $2))
	total_fail=$((total_fail + $3))
	if [ "$3" -gt 0 ]; then
		failures=$((failures + $3))
		# the reasons, most frequent first
		cat "$cdir"/r*/FAILED 2>/dev/null | sed 's/^/    /' | sort | uniq -c | sort -rn | head -5
	fi
}

# concurrency KIND MODE
concurrency() {
	local kind=$1 mode=$2 name="$1/$2" r pass=0 fail=0 i rc refused
	[[ $name =~ $CASES ]] || return 0
	cdir=$work/$kind-$mode
	pdir=$cdir/project
	mkdir -p "$cdir"
	make_concurrency_project "$pdir" "$kind" "$mode"
	# the reference: the same project applied by one run, directly
	rdir=$cdir/reference
	mkdir -p "$rdir"
	local refkind=$kind
	[ "$kind" = pgbouncer ] && refkind=pg
	new_db "$refkind" "s_${kind}_${mode}_ref"
	local target=head
	[ -n "$REFUSE" ] && target=$PRE
	if ! rt upgrade "$target" >"$rdir/out" 2>"$rdir/err"; then
		echo "$name: the reference run failed: $(head -n 3 "$rdir/err")" >&2
		report "$name" 0 "$ROUNDS" "reference run failed"
		drop_db "$refkind"
		return 0
	fi
	schema "$refkind" >"$cdir/reference.schema"
	drop_db "$refkind"

	for ((r = 1; r <= ROUNDS; r++)); do
		rdir=$cdir/r$r
		mkdir -p "$rdir"
		new_db "$kind" "s_${kind}_${mode}_$r"
		if [ -n "$REFUSE" ]; then
			rt upgrade "$PRE" >"$rdir/pre.out" 2>"$rdir/pre.err" || bad "upgrade $PRE failed: $(head -n 1 "$rdir/pre.err")" || true
		fi
		run_gated "$PROCS"
		refused=0
		for ((i = 1; i <= PROCS; i++)); do
			rc=$(cat "$rdir/rc.$i")
			if [ -n "$REFUSE" ]; then
				if [ "$rc" = 1 ] && grep -q pooler "$rdir/err.$i"; then
					refused=$((refused + 1))
				else
					bad "process $i: exit $rc, expected a refusal naming the pooler: $(head -n 1 "$rdir/err.$i")" || true
				fi
			elif [ "$rc" != 0 ]; then
				bad "process $i exited $rc: $(grep -v '^waiting' "$rdir/err.$i" | head -n 1)" || true
			fi
		done
		if [ -n "$REFUSE" ]; then
			local pre_revs=() x
			for x in "${REVS[@]}"; do pre_revs+=("$x"); [ "$x" = "$PRE" ] && break; done
			check_version "$kind" "$PRE" || true
			check_rows "$kind" "${pre_revs[@]}" || true
			check_applied "$kind" "${pre_revs[@]}" || true
		else
			check_version "$kind" "$HEAD" || true
			check_rows "$kind" "${ROWS[@]}" || true
			check_applied "$kind" "${REVS[@]}" || true
			# (a transaction=false step also leaves rows of its progress)
			check_latest "$kind" "${REVS[@]}" || true
		fi
		check_schema "$kind" "$cdir/reference.schema" || true
		if [ -f "$rdir/FAILED" ]; then
			fail=$((fail + 1))
		else
			pass=$((pass + 1))
			rm -rf "$rdir"
		fi
		drop_db "$kind"
	done
	report "$name" "$pass" "$fail"
}

# kill_case KIND
kill_case() {
	local kind=$1 name="kill/$1" r pass=0 fail=0 rc ms pid killed=0 early=0 resumed=0 ver idx i seen=" "
	[[ $name =~ $CASES ]] || return 0
	cdir=$work/kill-$kind
	pdir=$cdir/project
	mkdir -p "$cdir"
	make_kill_project "$pdir" "$kind"
	rdir=$cdir/reference
	mkdir -p "$rdir"
	local refkind=$kind
	[ "$kind" = pgbouncer ] && refkind=pg
	new_db "$refkind" "k_${kind}_ref"
	if ! rt upgrade head >"$rdir/out" 2>"$rdir/err"; then
		echo "$name: the reference run failed: $(head -n 3 "$rdir/err")" >&2
		report "$name" 0 "$KILL_ROUNDS" "reference run failed"
		drop_db "$refkind"
		return 0
	fi
	schema "$refkind" >"$cdir/reference.schema"
	drop_db "$refkind"

	for ((r = 1; r <= KILL_ROUNDS; r++)); do
		rdir=$cdir/r$r
		mkdir -p "$rdir"
		new_db "$kind" "k_${kind}_$r"
		ms=$((RANDOM % 301))
		# no timeout(1) here: it would run retort as its child, and the
		# kill must hit retort itself (it is killed within 300 ms anyway)
		(cd "$pdir" && DATABASE_URL=$URL exec "$retort" upgrade head) >"$rdir/victim.out" 2>"$rdir/victim.err" &
		pid=$!
		sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
		kill -9 "$pid" 2>/dev/null || true
		rc=0
		# (braces: no "Killed" line from the shell)
		{ wait "$pid"; } 2>/dev/null || rc=$?
		echo "killed after $ms ms, exit $rc" >"$rdir/victim.rc"
		if [ "$rc" = 137 ]; then killed=$((killed + 1)); else early=$((early + 1)); fi
		[ "$rc" = 137 ] || [ "$rc" = 0 ] || bad "the run to be killed exited $rc on its own: $(head -n 1 "$rdir/victim.err")" || true

		# after the kill: transactional migrations up to the version row
		# are there once, those after it not at all
		ver=$(versions "$kind")
		idx=0
		for ((i = 0; i < ${#REVS[@]}; i++)); do
			[ "${REVS[$i]}" = "$ver" ] && idx=$((i + 1))
		done
		[ -z "$ver" ] || [ "$idx" -gt 0 ] || bad "after the kill the version table holds '$ver'" || true
		[[ $seen == *" $idx "* ]] || seen="$seen$idx "
		if has_table "$kind" log; then
			local want=() x
			for ((i = 0; i < idx; i++)); do
				x=${REVS[$i]}
				[[ " ${TXREVS[*]} " == *" $x "* ]] && want+=("$x")
			done
			# rows of a transaction=false step may be there or not
			local got
			got=$(sql "$kind" "SELECT rev || '|' || count(*) FROM log GROUP BY rev" 2>&1 | sort) ||
				got="(query failed) $got"
			[ "$got" = "$(once_each "${want[@]}")" ] ||
				bad "after the kill (version '$ver'): rows of log: $(counts_diff "$got" "${want[@]}")" || true
		elif [ "$idx" -gt 0 ]; then
			bad "after the kill the version table holds '$ver' but table log does not exist" || true
		fi

		# recovery
		rc=0
		rt upgrade head >"$rdir/rec.out" 2>"$rdir/rec.err" || rc=$?
		if [ "$rc" != 0 ] && grep -q interrupted "$rdir/rec.err"; then
			resumed=$((resumed + 1))
			rc=0
			rt upgrade --resume >"$rdir/resume.out" 2>"$rdir/resume.err" || rc=$?
			[ "$rc" = 0 ] || bad "upgrade --resume exited $rc: $(head -n 2 "$rdir/resume.err" | tr '\n' ' ')" || true
		elif [ "$rc" != 0 ]; then
			bad "recovery run exited $rc: $(head -n 2 "$rdir/rec.err" | tr '\n' ' ')" || true
		fi
		if [ ! -f "$rdir/FAILED" ]; then
			check_version "$kind" "$HEAD" || true
			check_rows "$kind" "${TXREVS[@]}" || true
			check_latest "$kind" "${REVS[@]}" || true
			check_schema "$kind" "$cdir/reference.schema" || true
		fi
		if [ -f "$rdir/FAILED" ]; then
			fail=$((fail + 1))
		else
			pass=$((pass + 1))
			rm -rf "$rdir"
		fi
		drop_db "$kind"
	done
	report "$name" "$pass" "$fail" "killed $killed, finished before the kill $early, resumed $resumed; version after the kill at steps:$(echo $seen | tr ' ' '\n' | sort -n | sed 's/^/ /' | tr -d '\n')"
}

echo "== stress: $ROUNDS rounds x $PROCS processes per concurrency case, $KILL_ROUNDS kill rounds per kill case ($retort)"
t0=$SECONDS
for kind in sqlite wal pg pgbouncer; do
	concurrency "$kind" tx
	concurrency "$kind" notx
	is_pg "$kind" || concurrency "$kind" fk
done
for kind in sqlite wal pg pgbouncer; do
	kill_case "$kind"
done
echo "$total_pass passed, $total_fail failed ($((SECONDS - t0)) s)"
[ "$total_fail" -eq 0 ]
