#!/usr/bin/env bash
# run.sh - the benchmark: retort against the raw sqlite3/psql floor, Alembic
# and dbmate.  Regenerates bench/RESULTS.md.
#
#   bench/run.sh            (or `make bench` from the top folder)
#
# Steps: install the peers when run as root (python3-alembic, hyperfine and
# time from Debian, dbmate from npm into bench/node_modules), build a Release
# retort in build-bench/ (and a SQLite-only one in build-bench-nopg/ for
# comparison), start a throwaway PostgreSQL server on 127.0.0.1 with the
# default fsync (and for fleet-pg-servers two more with scripts/pgserver.sh,
# the third stopped again at once: a port that refuses connections), then
# hand over to bench/harness.py, which generates the workloads
# (bench/gen.py) and times every scenario with hyperfine.  The servers are
# stopped on the way out, whatever happens.
#
# Environment:
#   BENCH_SCALE=0.5     fewer rounds (a quick look); 2 for more
#   BENCH_ONLY=a,b      only these scenarios: sqlite-200 sqlite-2000 whole-200
#                       whole-2000 pg-200 listing offline-2000 autogen-500 fleet
#                       fleet-atomic fleet-10k fleet-pg-servers test-158
#                       autogen-synapse revs-100k instructions; the other
#                       scenarios' sections of the existing report are kept
#   BENCH_FLEET_BOTS=N  bots of the SQLite fleets (default 1000; fleet-10k: 10 N)
#   BENCH_PG_FLEET_DBS=N  databases per server in fleet-pg-servers (default 100)
#   BENCH_REVS=N        the chain of revs-100k (default 100000; growth from N/10)
#   BENCH_CORPORA=DIR   the corpora (default ../shared/corpora beside the
#                       repository); autogen-synapse is skipped without them
#   BENCH_OUT=FILE      write the report elsewhere (default bench/RESULTS.md)
#   BENCH_NO_INSTALL=1  do not apt-get/npm anything
#   BENCH_NO_PG=1       skip the PostgreSQL scenarios
#   BENCH_RETORT=PATH   time this retort binary instead of building one
#                       (BENCH_RETORT_NOPG=PATH: the SQLite-only one, optional;
#                       BENCH_SOURCE="commit abc1234": what it was built from)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
work=$here/.work
notes=$work/notes.txt
mkdir -p "$work"
: > "$notes"

note() { echo "$*" >> "$notes"; echo "bench: $*" >&2; }

installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# ---- peers ---------------------------------------------------------------------

if [ "$(id -u)" = 0 ] && [ -z "${BENCH_NO_INSTALL:-}" ]; then
	if command -v dpkg-query >/dev/null 2>&1; then
		missing=()
		for p in python3-alembic hyperfine time sqlite3 valgrind; do
			installed "$p" || missing+=("$p")
		done
		if [ ${#missing[@]} -gt 0 ]; then
			echo "bench: installing ${missing[*]}" >&2
			export DEBIAN_FRONTEND=noninteractive
			apt-get install -y "${missing[@]}" >&2 ||
				{ apt-get update >&2 && apt-get install -y "${missing[@]}" >&2; } ||
				note "apt-get install ${missing[*]} failed"
		fi
	fi
	if [ ! -x "$here/node_modules/@dbmate/linux-x64/bin/dbmate" ] && command -v npm >/dev/null 2>&1; then
		echo "bench: npm install dbmate into bench/node_modules" >&2
		(cd "$here" && npm install --no-save --no-package-lock --no-audit --no-fund dbmate >&2) ||
			note "npm install dbmate failed"
	fi
fi

command -v hyperfine >/dev/null 2>&1 || {
	echo "bench: hyperfine is needed (apt-get install hyperfine)" >&2; exit 1; }
command -v sqlite3 >/dev/null 2>&1 || {
	echo "bench: the sqlite3 CLI is needed for the floor (apt-get install sqlite3)" >&2; exit 1; }
[ -x /usr/bin/time ] || note "GNU time (/usr/bin/time) is missing: no peak RSS figures (apt-get install time)"

alembic_py=
for py in /usr/bin/python3 python3; do
	if "$py" -c 'import alembic, sqlalchemy' >/dev/null 2>&1; then
		alembic_py=$(command -v "$py"); break
	fi
done
[ -n "$alembic_py" ] || note "Alembic skipped: not installed (Debian package python3-alembic)"

dbmate=
for d in "$here/node_modules/@dbmate/linux-x64/bin/dbmate" "$(command -v dbmate || true)"; do
	# the npm package's bin is a Node.js wrapper; time the native binary it runs
	if [ -n "$d" ] && [ -x "$d" ] && "$d" --version >/dev/null 2>&1; then dbmate=$d; break; fi
done
[ -n "$dbmate" ] || note "dbmate skipped: not installed (npm install dbmate into bench/node_modules)"

# ---- retort -----------------------------------------------------------------------

retort=${BENCH_RETORT:-}
nopg=${BENCH_RETORT_NOPG:-}
if [ -z "$retort" ]; then
	source_desc=
	if rev=$(git -C "$top" rev-parse --short HEAD 2>/dev/null); then
		source_desc="commit $rev"
		# (changes under bench/ do not change what is measured)
		[ -n "$(cd "$top" && GIT_OPTIONAL_LOCKS=0 git status --porcelain --untracked-files=no \
			-- . ':!bench' 2>/dev/null)" ] &&
			source_desc="$source_desc with uncommitted changes"
	fi
	export BENCH_SOURCE=${BENCH_SOURCE:-$source_desc}
	echo "bench: building retort (Release) in build-bench/" >&2
	cmake -S "$top" -B "$top/build-bench" -DCMAKE_BUILD_TYPE=Release -DRETORT_BUILD_TESTS=OFF \
		-DRETORT_WITH_PG=ON >/dev/null
	cmake --build "$top/build-bench" -j"${JOBS:-2}" >/dev/null
	retort=$top/build-bench/retort
	if cmake -S "$top" -B "$top/build-bench-nopg" -DCMAKE_BUILD_TYPE=Release \
		-DRETORT_BUILD_TESTS=OFF -DRETORT_WITH_PG=OFF >/dev/null &&
	   cmake --build "$top/build-bench-nopg" -j"${JOBS:-2}" >/dev/null; then
		nopg=$top/build-bench-nopg/retort
	fi
fi

# the I/O floor of the listing commands (see readfloor.c)
readfloor=$work/readfloor
cc -O2 -o "$readfloor" "$here/readfloor.c" || { note "could not build bench/readfloor.c"; readfloor=; }

# ---- PostgreSQL ----------------------------------------------------------------------

pg_url=
psql=
pgdir=
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)

as_owner() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# the fleet-pg-servers scenario's two more servers (scripts/pgserver.sh):
# the second runs, the third is started and stopped again before the
# harness starts, leaving a port where connections are refused
pg2_state=$work/pg-second.url
pg3_state=$work/pg-stopped.url
pg2_url=
pg3_url=

pg_stop() {
	if [ -n "$pgdir" ] && [ -d "$pgdir" ]; then
		as_owner "$bindir/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1 || true
		rm -rf "$pgdir"
	fi
	for s in "$pg2_state" "$pg3_state"; do
		(cd / && "$top/scripts/pgserver.sh" stop "$s" >/dev/null 2>&1) || true
	done
}
trap pg_stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -n "${BENCH_NO_PG:-}" ]; then
	note "PostgreSQL scenario skipped (BENCH_NO_PG set)"
elif [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/psql" ]; then
	note "PostgreSQL scenario skipped: no server binaries (Debian package postgresql)"
else
	# the same cluster as scripts/pgserver.sh (scram over TCP on 127.0.0.1),
	# but with PostgreSQL's default fsync = on
	pgdir=$(mktemp -d /tmp/retort-bench-pg.XXXXXX)
	chmod 755 "$pgdir"
	pw=retort-bench-pw
	printf '%s\n' "$pw" > "$pgdir/pwfile"
	[ "$(id -u)" = 0 ] && chown -R postgres "$pgdir"
	if as_owner "$bindir/initdb" -D "$pgdir/data" -U retort --pwfile="$pgdir/pwfile" \
		--auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 \
		>"$pgdir/initdb.log" 2>&1; then
		# a free port above the test fixtures' range; another process may
		# take it first, so try a few
		for try in 1 2 3 4 5; do
			port=$(shuf -i 40000-60000 -n 1)
			(exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && continue
			if as_owner "$bindir/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 \
				-o "-p $port -k $pgdir -c listen_addresses=127.0.0.1" start >/dev/null 2>&1; then
				pg_url="postgresql://retort:$pw@127.0.0.1:$port/postgres"
				psql=$bindir/psql
				echo "bench: PostgreSQL on 127.0.0.1:$port ($pgdir)" >&2
				break
			fi
		done
		[ -n "$pg_url" ] || note "PostgreSQL scenario skipped: the server did not start" \
			"($(grep -E 'FATAL|ERROR' "$pgdir/server.log" 2>/dev/null | tail -1))"
	else
		note "PostgreSQL scenario skipped: initdb failed ($(tail -1 "$pgdir/initdb.log"))"
	fi
fi

wanted() {   # does this run measure scenario $1?
	[ -z "${BENCH_ONLY:-}" ] || [[ ",$BENCH_ONLY," == *",$1,"* ]]
}

if [ -n "$pg_url" ] && wanted fleet-pg-servers; then
	# (from /: the server's owner may not enter the caller's folder)
	if (cd / && "$top/scripts/pgserver.sh" start "$pg2_state" >/dev/null) &&
	   (cd / && "$top/scripts/pgserver.sh" start "$pg3_state" >/dev/null); then
		pg2_url=$(head -n 1 "$pg2_state")
		pg3_url=$(head -n 1 "$pg3_state")
		(cd / && "$top/scripts/pgserver.sh" stop "$pg3_state" >/dev/null)
		echo "bench: second PostgreSQL server ${pg2_url##*@}, a stopped one at ${pg3_url##*@}" >&2
	else
		note "fleet-pg-servers skipped: scripts/pgserver.sh could not start two more servers"
		pg2_url= pg3_url=
	fi
fi

# ---- measure ----------------------------------------------------------------------------

python=/usr/bin/python3
[ -x "$python" ] || python=python3
BENCH_RETORT=$retort \
BENCH_RETORT_NOPG=$nopg \
BENCH_WORK=$work \
BENCH_OUT=${BENCH_OUT:-$here/RESULTS.md} \
BENCH_DBMATE=$dbmate \
BENCH_ALEMBIC=$alembic_py \
BENCH_PSQL=$psql \
BENCH_PG_URL=$pg_url \
BENCH_PG_URL2=$pg2_url \
BENCH_PG_STOPPED_URL=$pg3_url \
BENCH_NOTES=$notes \
BENCH_READFLOOR=$readfloor \
BENCH_VALGRIND=$(command -v valgrind || true) \
	"$python" "$here/harness.py"
