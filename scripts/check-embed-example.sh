#!/usr/bin/env bash
# check-embed-example.sh - examples/embed, built against an installed
# retort as a program author builds it, and run.
#
#   scripts/check-embed-example.sh PREFIX LIBDIR
#
# PREFIX holds an installed retort (bin/retort, LIBDIR/libretort.so and
# LIBDIR/pkgconfig/libretort.pc, include/retort.h); check-install.sh calls
# this after installing into its scratch prefix.  The example is built
# with its own Makefile through pkg-config, in a scratch folder, with the
# shop bot's migrations compiled in; then it must
#   - migrate a new database to the head, and use it;
#   - find nothing to do on a second run;
#   - finish a database the command line took half way, leaving what the
#     command line then sees as the head, with the files' checksums.
# The shop bot's project is copied, so that nothing is written beside
# the sources.  Extra arguments of CC go in CFLAGS (the sanitizer build).
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: check-embed-example.sh PREFIX LIBDIR" >&2; exit 2; }
prefix=$1 libdir=$2
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/retort-embed.XXXXXX")
trap 'rm -rf "$work"' EXIT
status=0
fail() {
	echo "check-embed-example: $*" >&2
	status=1
}

cp -r "$src/examples/shopbot" "$work/shopbot"
rm -f "$work/shopbot/data.db" "$work/shopbot/retort.log"
export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
export LD_LIBRARY_PATH=$prefix/$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
retort=$prefix/bin/retort
if ! make -s -C "$src/examples/embed" O="$work" RETORT="$retort" PROJECT="$work/shopbot" \
	 CC="${CC:-cc}" CFLAGS="-O2 -Wall -Wextra -Werror ${EXTRA_CFLAGS:-}" >"$work/make.log" 2>&1; then
	cat "$work/make.log" >&2
	echo "check-embed-example: the example does not build against $prefix" >&2
	exit 1
fi
grep -q 'const retort_files shop_migrations' "$work/shop_migrations.c" ||
	fail "shop_migrations.c holds no retort_files"

# 1. a new database, 2. again
run() { (cd "$work" && ./shopbot-start "$1") >"$work/out" 2>&1 || { cat "$work/out" >&2; return 1; }; }
run "$work/new.db" || fail "the first run failed"
grep -q 'migrated base -> 4c1b9e27d0a3' "$work/out" && grep -q -- '-> 9e5d30f1b6a8' "$work/out" &&
	grep -q '^1 category in the catalogue' "$work/out" ||
	{ cat "$work/out" >&2; fail "the first run did not migrate to the head and use the database"; }
run "$work/new.db" || fail "the second run failed"
grep -q 'up to date' "$work/out" && ! grep -q migrated "$work/out" ||
	{ cat "$work/out" >&2; fail "the second run did more than nothing"; }

# 3. half way by the command line, the rest by the program
"$retort" -q -c "$work/shopbot/retort.ini" -u "sqlite:///$work/half.db" upgrade 4c1b9e27d0a3 ||
	fail "the command line's upgrade to the first revision failed"
run "$work/half.db" || fail "the run on the half-migrated database failed"
grep -q 'migrated 4c1b9e27d0a3 -> 9e5d30f1b6a8' "$work/out" && ! grep -q 'base ->' "$work/out" ||
	{ cat "$work/out" >&2; fail "the program did not take the database from where the command line left it"; }
current=$("$retort" -q -c "$work/shopbot/retort.ini" -u "sqlite:///$work/half.db" current)
[[ $current == 9e5d30f1b6a8* ]] || fail "the command line sees '$current', not the head"
"$retort" -q -c "$work/shopbot/retort.ini" -u "sqlite:///$work/half.db" verify >"$work/verify" 2>&1 ||
	{ cat "$work/verify" >&2; fail "retort verify finds the program's migrations unlike the files"; }

[ $status -eq 0 ] && echo "check-embed-example: built against $prefix; migrated, idle, and finished a half-migrated database"
exit $status
