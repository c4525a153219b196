#!/usr/bin/env bash
# check-exports.sh - libretort.so exports its public API and nothing else.
#
#   scripts/check-exports.sh LIBRETORT_SO RETORT_H
#
# The library is built with hidden visibility; retort.h marks each public
# function RETORT_EXTERN.  A function declared there but not exported, or
# a symbol exported but not declared there (an rt_* helper, a global, a
# bundled library's symbol), fails the check.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: check-exports.sh LIBRETORT_SO RETORT_H" >&2; exit 2; }
so=$1 header=$2
[ -f "$so" ] || { echo "check-exports: no library $so" >&2; exit 2; }
[ -f "$header" ] || { echo "check-exports: no header $header" >&2; exit 2; }

# the dynamic symbols the library defines (nm -D: value, type, name)
exported=$(nm -D --defined-only "$so" | awk '{ print $3 }' | sed 's/@.*//' | sort -u)
# every RETORT_EXTERN declaration's function name
declared=$(grep -E '^RETORT_EXTERN ' "$header" |
	   grep -oE '\bretort_[a-z0-9_]+\(' | tr -d '(' | sort -u)
[ -n "$declared" ] || { echo "check-exports: no RETORT_EXTERN function in $header" >&2; exit 2; }

extra=$(comm -23 <(printf '%s\n' "$exported") <(printf '%s\n' "$declared"))
missing=$(comm -13 <(printf '%s\n' "$exported") <(printf '%s\n' "$declared"))
status=0
if [ -n "$extra" ]; then
	printf '  %s\n' $extra >&2
	echo "check-exports: $(printf '%s\n' "$extra" | wc -l) symbols exported by $so are not" \
	     "declared RETORT_EXTERN in $header" >&2
	status=1
fi
if [ -n "$missing" ]; then
	printf '  %s\n' $missing >&2
	echo "check-exports: $(printf '%s\n' "$missing" | wc -l) functions of $header are not" \
	     "exported by $so" >&2
	status=1
fi
[ $status -ne 0 ] || echo "check-exports: $(printf '%s\n' "$declared" | wc -l) functions, nothing else"
exit $status
