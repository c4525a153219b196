#!/usr/bin/env bash
# pgbouncer.sh - a throwaway PgBouncer in transaction pooling mode in front
# of the test server of scripts/pgserver.sh.
#
#   scripts/pgbouncer.sh start STATEFILE PG_STATEFILE
#       start PgBouncer on a free port of 127.0.0.1, forwarding every
#       database name to the server whose URL is in PG_STATEFILE; write its
#       URL (the server's user and password, PgBouncer's port, no database)
#       to STATEFILE and its folder to STATEFILE.dir
#   scripts/pgbouncer.sh stop STATEFILE PG_STATEFILE
#       stop it and remove its folder
#
# Transaction pooling with a pool smaller than the number of clients the
# tests start at once (16): consecutive transactions of one client really
# run on different server connections, so that whatever a client leaves in
# its session (a session advisory lock, a SET) is found on another client's
# transaction, as in production.  The wildcard [databases] entry lets every
# test use a database of its own.  PgBouncer refuses to run as root: as root
# it runs as the 'postgres' user, like the server.
set -euo pipefail

usage() { echo "usage: pgbouncer.sh start|stop STATEFILE PG_STATEFILE" >&2; exit 2; }
cmd=${1:-}
state=${2:-}
pgstate=${3:-}
[ -n "$cmd" ] && [ -n "$state" ] && [ -n "$pgstate" ] || usage

as_owner() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

. "$(dirname "$0")/free-port.sh"

# ready URL: PgBouncer accepts a client and passes a query to the server.
ready() {
	PGCONNECT_TIMEOUT=5 psql -X -A -t -q -d "$1/postgres" -c 'SELECT 1' >/dev/null 2>&1
}

case $cmd in
start)
	bin=$(command -v pgbouncer || ls /usr/sbin/pgbouncer 2>/dev/null || true)
	[ -x "$bin" ] || { echo "pgbouncer: pgbouncer not found (apt-get install pgbouncer, or scripts/deps.sh test)" >&2; exit 1; }
	[ -s "$pgstate" ] || { echo "pgbouncer: no server URL in '$pgstate' (start scripts/pgserver.sh first)" >&2; exit 1; }
	# postgresql://USER:PASSWORD@HOST:PORT/DB
	pgurl=$(head -n 1 "$pgstate")
	rest=${pgurl#*://}
	userinfo=${rest%%@*}
	hostport=${rest#*@}
	hostport=${hostport%%/*}
	user=${userinfo%%:*}
	password=${userinfo#*:}
	pghost=${hostport%:*}
	pgport=${hostport##*:}
	[ -n "$user" ] && [ -n "$password" ] && [ -n "$pgport" ] \
		|| { echo "pgbouncer: cannot read user, password and port from '$pgstate'" >&2; exit 1; }

	dir=$(mktemp -d /tmp/retort-pgbouncer.XXXXXX)
	echo "$dir" > "$state.dir"
	printf '"%s" "%s"\n' "$user" "$password" > "$dir/userlist.txt"
	chmod 600 "$dir/userlist.txt"
	started=
	for try in 1 2 3; do
		port=$(free_port)
		cat > "$dir/pgbouncer.ini" <<EOF
[databases]
* = host=$pghost port=$pgport

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
admin_users = $user
pool_mode = transaction
max_client_conn = 300
default_pool_size = 10
reserve_pool_size = 0
; release the connections of finished tests' databases soon
server_idle_timeout = 10
; a test database dropped under a pool must not stall the next login long
server_login_retry = 1
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
EOF
		[ "$(id -u)" = 0 ] && chown -R postgres "$dir"
		if ! as_owner "$bin" -d "$dir/pgbouncer.ini" >>"$dir/start.log" 2>&1; then
			continue
		fi
		url="postgresql://$user:$password@127.0.0.1:$port"
		for i in $(seq 1 100); do
			if ready "$url"; then started=1; break; fi
			# gone (the port was taken after all): try another one
			[ -s "$dir/pgbouncer.pid" ] && ! kill -0 "$(cat "$dir/pgbouncer.pid")" 2>/dev/null && break
			sleep 0.1
		done
		[ -n "$started" ] && break
		[ -s "$dir/pgbouncer.pid" ] && kill -9 "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true
	done
	if [ -z "$started" ]; then
		echo "pgbouncer: could not start PgBouncer in front of 127.0.0.1:$pgport" >&2
		cat "$dir/start.log" "$dir/pgbouncer.log" >&2 2>/dev/null || true
		rm -rf "$dir" "$state.dir"
		exit 1
	fi
	echo "$url" > "$state"
	echo "pgbouncer: started on 127.0.0.1:$port in front of $pghost:$pgport ($dir)"
	;;
stop)
	[ -f "$state.dir" ] || exit 0
	dir=$(cat "$state.dir")
	if [ -s "$dir/pgbouncer.pid" ]; then
		pid=$(cat "$dir/pgbouncer.pid")
		# SIGTERM: immediate shutdown
		kill -TERM "$pid" 2>/dev/null || true
		for i in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -rf "$dir" "$state" "$state.dir"
	echo "pgbouncer: stopped"
	;;
*)
	usage;;
esac
