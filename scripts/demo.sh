#!/usr/bin/env bash
# demo.sh - run the shop-bot example on SQLite in a scratch folder.
#
#   scripts/demo.sh [PATH_TO_RETORT]
#
# Copies examples/shopbot to a new temporary folder, migrates its SQLite
# database to head and shows what retort and sqlite3 say about it.  The
# folder is left behind (its path is printed) so you can keep playing.
set -euo pipefail
cd "$(dirname "$0")/.."

retort_bin=${1:-build/retort}
case "$retort_bin" in /*) ;; *) retort_bin="$PWD/$retort_bin" ;; esac
[ -x "$retort_bin" ] || { echo "demo: $retort_bin not found; run 'make build' first" >&2; exit 1; }

# The example's url is ${DATABASE_URL:-sqlite:///data.db}: make sure a
# DATABASE_URL from the caller's environment does not send it elsewhere.
unset DATABASE_URL

dir=$(mktemp -d "${TMPDIR:-/tmp}/retort-demo.XXXXXX")
cp -R examples/shopbot/. "$dir/"
rm -f "$dir"/*.db "$dir"/*.log
cd "$dir"

retort() { "$retort_bin" "$@"; }

step() {
	printf '\n$ %s\n' "$*"
	"$@"
}

echo "shop-bot example copied to $dir"
step retort upgrade head
step retort current
step retort history
step sqlite3 data.db .tables
step sqlite3 data.db .schema
step sqlite3 -header -column data.db "SELECT * FROM retort_version"
printf '\ndemo done; the project and its data.db are in %s\n' "$dir"
