#!/usr/bin/env bash
# deps.sh - make sure the Debian packages retort needs are installed.
#
#   scripts/deps.sh build   what building retort needs
#   scripts/deps.sh test    that, plus what the test suites need
#
# Run as root, it installs whatever is missing with apt-get (running
# `apt-get update` only when the first install attempt fails).  Run as
# anyone else, it prints the one apt-get line to run and exits 1.
set -euo pipefail

build_pkgs=(cmake gcc make pkg-config libsqlite3-dev libinih-dev libpq-dev libjansson-dev nettle-dev
            libpg-query-dev libunistring-dev sqlite3)
test_pkgs=(libcmocka-dev bats postgresql pgbouncer valgrind clang libclang-rt-14-dev jq groff-base
           python3 python3-alembic python3-sqlalchemy python3-psycopg2 graphviz chromium zsh)

usage() {
	echo "usage: $0 build|test" >&2
	exit 2
}

[ $# -eq 1 ] || usage
case "$1" in
build) wanted=("${build_pkgs[@]}") ;;
test)  wanted=("${build_pkgs[@]}" "${test_pkgs[@]}")
       # npm fetches dbmate for the import tests; a Node.js that brings
       # its own npm (NodeSource's nodejs conflicts with Debian's npm)
       # will do, so the package is wanted only when the command is missing
       command -v npm >/dev/null 2>&1 || wanted+=(npm) ;;
-h|--help) echo "usage: $0 build|test"; exit 0 ;;
*) usage ;;
esac

installed() {
	# "install ok installed" only: a removed package can leave its config
	# files behind and still be known to dpkg.
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps.sh: dpkg-query not found; this script knows Debian only." >&2
	echo "deps.sh: install by hand: ${wanted[*]}" >&2
	exit 1
fi

missing=()
for p in "${wanted[@]}"; do
	installed "$p" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "missing Debian packages; install them with:" >&2
	echo "sudo apt-get install -y ${missing[*]}"
	exit 1
fi

echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y "${missing[@]}"; then
	apt-get update
	apt-get install -y "${missing[@]}"
fi
