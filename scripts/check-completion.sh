#!/usr/bin/env bash
# check-completion.sh - the bash completion's table of commands, options,
# subcommands and options taking a value is what retort's help texts say.
#
#   scripts/check-completion.sh RETORT_BINARY COMPLETION_SCRIPT
#
# What the help texts say comes from scripts/help-words.sh; the table is
# read by sourcing the script and calling its _retort_* functions.
set -euo pipefail
export LC_ALL=C  # one order for sort and comm

[ $# -eq 2 ] || { echo "usage: check-completion.sh RETORT_BINARY COMPLETION_SCRIPT" >&2; exit 2; }
retort=$1 script=$2
[ -x "$retort" ] || { echo "check-completion: no program $retort" >&2; exit 2; }
[ -f "$script" ] || { echo "check-completion: no script $script" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)

# the script's table, in the form of help-words.sh
table=$(
	# shellcheck source=/dev/null
	source "$script"
	for o in $(_retort_options ""); do echo "global $o"; done
	for o in $(_retort_value_options ""); do echo "value global $o"; done
	for c in $(_retort_commands); do
		echo "command $c"
		for o in $(_retort_options "$c"); do echo "option $c $o"; done
		for o in $(_retort_value_options "$c"); do echo "value $c $o"; done
		for s in $(_retort_subcommands "$c"); do echo "subcommand $c $s"; done
	done
) || exit 2
if printf '%s\n' "$table" | "$here/help-words.sh" --compare "$retort" "$script"; then
	echo "check-completion: $script knows the $(printf '%s\n' "$table" | wc -l) words of the help texts"
else
	exit 1
fi
