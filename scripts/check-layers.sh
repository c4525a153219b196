#!/usr/bin/env bash
# check-layers.sh - the layers of src/lib, checked on the linked symbols.
#
#   scripts/check-layers.sh LAYER=SEEN,SEEN... OBJECT... [LAYER=... OBJECT...]...
#
# (CTest passes each layer's object files, as the build knows them.)
# The build already refuses an #include against the grain (each folder's
# object library sees only the headers of the folders below it); this
# catches the calls that get past it, such as a function declared in the
# public retort.h but defined in a higher folder.  Every symbol a layer's
# objects use must be defined in that layer or in one it may see.
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: check-layers.sh LAYER=SEEN,... OBJECT... ..." >&2; exit 2; }
declare -A sees owner objs
layers=()
layer=
for arg in "$@"; do
	case $arg in
	*=*)
		layer=${arg%%=*}
		layers+=("$layer")
		sees[$layer]=",${arg#*=},"
		objs[$layer]=
		;;
	*)
		[ -n "$layer" ] || { echo "check-layers: $arg before any LAYER=..." >&2; exit 2; }
		objs[$layer]+="${arg//;/$'\n'}"$'\n'   # CTest hands a list as one word
		;;
	esac
done

objects() {
	printf '%s' "${objs[$1]}" | sed '/^$/d'
}

for layer in "${layers[@]}"; do
	while read -r sym; do
		owner[$sym]=$layer
	done < <(objects "$layer" | xargs -r nm --defined-only -g 2>/dev/null | awk 'NF == 3 { print $3 }')
done
[ ${#owner[@]} -gt 0 ] || { echo "check-layers: no symbols in the objects given" >&2; exit 1; }

bad=0
for layer in "${layers[@]}"; do
	while read -r obj; do
		while read -r sym; do
			def=${owner[$sym]:-}
			[ -n "$def" ] || continue   # from a system library
			case ${sees[$layer]} in
			*",$def,"*) ;;
			*)
				echo "check-layers: $(basename "$obj" .o) ($layer) uses $sym of $def, a layer it must not see" >&2
				bad=1
				;;
			esac
		done < <(nm -u "$obj" | awk '{ print $2 }')
	done < <(objects "$layer")
done
[ $bad -eq 0 ] && echo "check-layers: ${#layers[@]} layers, ${#owner[@]} symbols, no call against the grain"
exit $bad
