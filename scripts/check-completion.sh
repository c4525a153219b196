#!/usr/bin/env bash
# check-completion.sh - the completions' tables of commands, options,
# subcommands and options taking a value are what retort's help texts say.
#
#   scripts/check-completion.sh RETORT_BINARY COMPLETION_SCRIPT...
#
# A script named _NAME is zsh's (completion/_retort), any other bash's
# (completion/retort.bash).  What the help texts say comes from
# scripts/help-words.sh; a table is read by sourcing the script in its
# shell and calling its _retort_* functions (zsh's with _RETORT_ZSH_TABLES
# set: it then defines them and completes nothing).
set -euo pipefail
export LC_ALL=C  # one order for sort and comm

[ $# -ge 2 ] || { echo "usage: check-completion.sh RETORT_BINARY COMPLETION_SCRIPT..." >&2; exit 2; }
retort=$1
shift
[ -x "$retort" ] || { echo "check-completion: no program $retort" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)

# the table, in the form of help-words.sh, from the functions of the
# script $1 (words split as bash and zsh both split $(...))
# shellcheck disable=SC2016
list='
	for o in $(_retort_options ""); do echo "global $o"; done
	for o in $(_retort_value_options ""); do echo "value global $o"; done
	for c in $(_retort_commands); do
		echo "command $c"
		for o in $(_retort_options "$c"); do echo "option $c $o"; done
		for o in $(_retort_value_options "$c"); do echo "value $c $o"; done
		for s in $(_retort_subcommands "$c"); do echo "subcommand $c $s"; done
	done'

status=0
for script in "$@"; do
	[ -f "$script" ] || { echo "check-completion: no script $script" >&2; exit 2; }
	case $(basename "$script") in
	_*) table=$(_RETORT_ZSH_TABLES=1 zsh -f -c "source \"\$1\"; $list" zsh "$script") ;;
	*)  table=$(bash -c "source \"\$1\"; $list" bash "$script") ;;
	esac || exit 2
	if printf '%s\n' "$table" | "$here/help-words.sh" --compare "$retort" "$script"; then
		echo "check-completion: $script knows the $(printf '%s\n' "$table" | wc -l) words of the help texts"
	else
		status=1
	fi
done
exit $status
