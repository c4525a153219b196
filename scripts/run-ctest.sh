#!/usr/bin/env bash
# run-ctest.sh - run every CTest test of a build folder and fail unless all
# of them ran and passed.
#
#   scripts/run-ctest.sh [--sanitize] BUILD_DIR [JOBS]
#
# Besides ctest's own exit status this fails when no test was found, when
# ctest reports a test as skipped or not run, and when a test program
# passed while skipping cases inside it (bats "# skip", cmocka SKIPPED):
# a dependency that is missing must fail the run, not thin it out.
set -euo pipefail

sanitize=0
if [ "${1:-}" = "--sanitize" ]; then
	sanitize=1
	shift
fi
[ $# -ge 1 ] || { echo "usage: $0 [--sanitize] BUILD_DIR [JOBS]" >&2; exit 2; }
dir=$1
jobs=${2:-2}

if [ $sanitize -eq 1 ]; then
	# Distinct exit codes, so that a sanitizer report can never pass for
	# the ordinary failure (exit 1) a test expects.
	export ASAN_OPTIONS="detect_leaks=1:exitcode=86${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
	export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=87${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
	export LSAN_OPTIONS="exitcode=86${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fi

log=$(mktemp "${TMPDIR:-/tmp}/retort-ctest.XXXXXX")
trap 'rm -f "$log"' EXIT

echo "== ctest in $dir$([ $sanitize -eq 1 ] && echo ' (ASan+UBSan, leak checks on)')"
status=0
(cd "$dir" && ctest --output-on-failure --no-tests=error --timeout 1200 -j"$jobs") 2>&1 | tee "$log" || status=$?

fail=0
if [ $status -ne 0 ]; then
	echo "run-ctest: ctest failed in $dir (exit $status)" >&2
	fail=1
fi
if grep -E -q 'Not Run|Skipped|skipped|did not run' "$log"; then
	echo "run-ctest: some tests were skipped or not run in $dir:" >&2
	grep -E 'Not Run|Skipped|skipped|did not run' "$log" >&2 || true
	fail=1
fi
# Cases skipped inside a test program that passed as a whole.
last="$dir/Testing/Temporary/LastTest.log"
if [ -f "$last" ] && grep -E -q '^ok [0-9]+ .*# [Ss][Kk][Ii][Pp]|\[  SKIPPED \]' "$last"; then
	echo "run-ctest: test cases were skipped in $dir:" >&2
	grep -E '^ok [0-9]+ .*# [Ss][Kk][Ii][Pp]|\[  SKIPPED \]' "$last" >&2 || true
	fail=1
fi
if ! grep -E -q '^100% tests passed' "$log"; then
	echo "run-ctest: ctest did not report 100% tests passed in $dir" >&2
	fail=1
fi
exit $fail
