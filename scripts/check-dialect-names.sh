#!/usr/bin/env bash
# check-dialect-names.sh - no dialect is named outside its own folder.
#
#   scripts/check-dialect-names.sh [SRC_LIB]
#
# What differs per database is a driver or renderer entry
# (src/lib/dialect/driver.h, src/lib/schema/diff.h), so only the dialect
# folders (src/lib/sqlite, src/lib/pg) and the driver registry
# (src/lib/drivers) may spell a dialect's name, its pragmas or its schema
# search path; comments included, since a comment naming one is code
# about to be written.  Every hit fails, naming the file and line.
set -euo pipefail

lib=${1:-$(dirname "$0")/../src/lib}
[ -d "$lib" ] || { echo "check-dialect-names: no folder $lib" >&2; exit 2; }

hits=$(grep -rnE '"sqlite"|"postgresql"|PRAGMA|search_path' "$lib" \
	--include='*.c' --include='*.h' \
	--exclude-dir=sqlite --exclude-dir=pg --exclude-dir=drivers || true)
if [ -n "$hits" ]; then
	printf '%s\n' "$hits" | sed -E "s|^$lib/|src/lib/|" >&2
	echo "check-dialect-names: $(printf '%s\n' "$hits" | wc -l) lines name a dialect outside" \
	     "src/lib/sqlite, src/lib/pg and src/lib/drivers: make it a driver or renderer entry" >&2
	exit 1
fi
echo "check-dialect-names: no dialect named outside its folder and the registry"
