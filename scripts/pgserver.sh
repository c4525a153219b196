#!/usr/bin/env bash
# pgserver.sh - a throwaway PostgreSQL cluster for the tests.
#
#   scripts/pgserver.sh start STATEFILE   initdb into a temporary folder, start on a
#                                         free port of 127.0.0.1, write the URL to
#                                         STATEFILE (and the folder to STATEFILE.dir)
#   scripts/pgserver.sh stop STATEFILE    stop the server and remove the folder
#   scripts/pgserver.sh halt STATEFILE    stop the server, keep the folder
#   scripts/pgserver.sh resume STATEFILE  start a halted server again, on its port
#                                         (a server that comes up late: retort wait)
#   scripts/pgserver.sh standby STATEFILE start a halted server as a standby that
#                                         refuses connections (SQLSTATE 57P03, as one
#                                         starting up does)
#   scripts/pgserver.sh promote STATEFILE make that standby take connections
#
# PostgreSQL refuses to run as root: as root the cluster belongs to the
# unprivileged 'postgres' user of the Debian package.  The superuser 'retort'
# logs in with a password over TCP (scram), so tests can try a wrong one.
set -euo pipefail

usage="usage: pgserver.sh start|stop|halt|resume|standby|promote STATEFILE"
cmd=${1:?$usage}
state=${2:?$usage}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bindir/initdb" ] || { echo "pgserver: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

. "$(dirname "$0")/free-port.sh"

# run DIR PORT: start the cluster of DIR on 127.0.0.1:PORT; 1 (its log on
# stderr) when it does not start
run() {
	as_owner "$bindir/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 60 \
		-o "-p $2 -k $1 -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
		start >/dev/null || { cat "$1/server.log" >&2; return 1; }
}

case $cmd in
start)
	dir=$(mktemp -d /tmp/retort-pg.XXXXXX)
	chmod 755 "$dir"
	password=retort-test-pw
	printf '%s\n' "$password" > "$dir/pwfile"
	[ "$(id -u)" = 0 ] && chown -R postgres "$dir"
	as_owner "$bindir/initdb" -D "$dir/data" -U retort --pwfile="$dir/pwfile" \
		--auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
		|| { cat "$dir/initdb.log" >&2; exit 1; }
	# another program may take the port between the check and the
	# server's bind (tests run side by side): then another port
	for try in 1 2 3 4 5; do
		port=$(free_port)
		run "$dir" "$port" 2>"$dir/start.err" && break
		grep -q "Address already in use" "$dir/start.err" && [ "$try" -lt 5 ] ||
			{ cat "$dir/start.err" >&2; rm -rf "$dir"; exit 1; }
	done
	rm -f "$dir/start.err"
	echo "postgresql://retort:$password@127.0.0.1:$port/postgres" > "$state"
	echo "$dir" > "$state.dir"
	echo "pgserver: started on 127.0.0.1:$port ($dir)"
	;;
stop)
	[ -f "$state.dir" ] || exit 0
	dir=$(cat "$state.dir")
	as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$dir" "$state" "$state.dir"
	echo "pgserver: stopped"
	;;
halt)
	as_owner "$bindir/pg_ctl" -D "$(cat "$state.dir")/data" -m fast -w stop >/dev/null
	;;
resume|standby)
	dir=$(cat "$state.dir")
	if [ "$cmd" = standby ]; then
		# no primary to follow and no reads while in recovery: it stays
		# a standby, refusing every connection, until promoted
		echo "hot_standby = off" >>"$dir/data/postgresql.auto.conf"
		as_owner touch "$dir/data/standby.signal"
	fi
	port=$(head -n 1 "$state")
	port=${port##*:}
	run "$dir" "${port%%/*}" || exit 1
	;;
promote)
	as_owner "$bindir/pg_ctl" -D "$(cat "$state.dir")/data" -w promote >/dev/null
	;;
*)
	echo "$usage" >&2; exit 2;;
esac
