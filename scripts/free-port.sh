# free-port.sh - sourced by pgserver.sh and pgbouncer.sh: free_port prints
# a port of 127.0.0.1 nothing listens on, below the kernel's ephemeral
# range (a port in that range can look free to a connect test and still be
# taken, as the local end of some client's connection, when the server
# binds).  Another program may still take it before the caller binds: the
# callers try again on another port when theirs is in use.
free_port() {
	local p low=32768
	read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
	for p in $(shuf -i 15000-$((low - 1)) -n 50); do
		if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "$p"; return; fi
	done
	echo "$(basename "$0"): no free port found" >&2
	exit 1
}
