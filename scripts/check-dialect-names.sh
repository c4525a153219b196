#!/usr/bin/env bash
# check-dialect-names.sh - no dialect is named outside its own folder.
#
#   scripts/check-dialect-names.sh [SRC_LIB [ALLOW_LIST]]
#
# What differs per database is a driver or renderer entry
# (src/lib/dialect/driver.h), so only the dialect folders (src/lib/sqlite,
# src/lib/pg) and the driver registry (src/lib/drivers) may spell a
# dialect's name, its pragmas or its schema search path; comments
# included, since a comment naming one is code about to be written.
#
# The places not moved yet are listed in scripts/dialect-names.allow, one
# "FILE: TEXT" line each (no line numbers, so that edits around them do not
# matter).  The check fails on a hit not in that list, and on a listed
# line that is gone, so the list only ever shrinks: take the line out
# when its place is moved behind a driver entry.
set -euo pipefail

lib=${1:-$(dirname "$0")/../src/lib}
allow=${2:-$(dirname "$0")/dialect-names.allow}
[ -d "$lib" ] || { echo "check-dialect-names: no folder $lib" >&2; exit 2; }
[ -f "$allow" ] || { echo "check-dialect-names: no list $allow" >&2; exit 2; }

hits=$(grep -rnE '"sqlite"|"postgresql"|PRAGMA|search_path' "$lib" \
	--include='*.c' --include='*.h' \
	--exclude-dir=sqlite --exclude-dir=pg --exclude-dir=drivers |
	sed -E "s|^$lib/|src/lib/|; s|^([^:]*):[0-9]+:[[:space:]]*|\\1: |" | sort || true)
listed=$(grep -v -e '^#' -e '^$' "$allow" | sort)
new=$(comm -23 <(printf '%s\n' "$hits" | sed '/^$/d') <(printf '%s\n' "$listed" | sed '/^$/d'))
gone=$(comm -13 <(printf '%s\n' "$hits" | sed '/^$/d') <(printf '%s\n' "$listed" | sed '/^$/d'))
status=0
if [ -n "$new" ]; then
	printf '%s\n' "$new" >&2
	echo "check-dialect-names: $(printf '%s\n' "$new" | wc -l) new lines name a dialect outside" \
	     "src/lib/sqlite, src/lib/pg and src/lib/drivers: make it a driver entry" >&2
	status=1
fi
if [ -n "$gone" ]; then
	printf '%s\n' "$gone" >&2
	echo "check-dialect-names: these lines of $allow are no longer in the code: take them out" >&2
	status=1
fi
[ $status -eq 0 ] && echo "check-dialect-names: no new dialect name outside its folder" \
	"($(printf '%s\n' "$listed" | sed '/^$/d' | wc -l) listed still to move)"
exit $status
