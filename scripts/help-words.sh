#!/usr/bin/env bash
# help-words.sh - the commands, subcommands and options that retort's help
# texts name, one per line, for the checks that the man page
# (check-manpage.sh) and the bash completion (check-completion.sh) miss
# none of them.
#
#   scripts/help-words.sh RETORT_BINARY
#
# prints
#   command NAME          a command of `retort --help`
#   global OPTION         an option of `retort --help`
#   option COMMAND OPTION an option of `retort COMMAND --help`
#   subcommand COMMAND WORD   e.g. `fleet upgrade`, `schema dump`
#
# An option is one that a help text lists on a line of its own (an indented
# line starting with it: "    -j, --jobs N   ...") or writes in its usage
# lines; an option named in the prose ("pg_restore --clean", "'retort
# revision --autogenerate' writes them") is not the command's.  A word
# such as -1 is a target, never an option.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: help-words.sh RETORT_BINARY" >&2; exit 2; }
retort=$1
[ -x "$retort" ] || { echo "help-words: no program $retort" >&2; exit 2; }

# the options of a help text on standard input
options_of() {
	awk '
	# usage lines: from "usage:" to the first empty line
	/^usage:/ { usage = 1 }
	/^$/ { usage = 0 }
	usage {
		line = $0
		while (match(line, /(^|[^A-Za-z0-9-])--?[A-Za-z][A-Za-z0-9-]*/)) {
			word = substr(line, RSTART, RLENGTH)
			sub(/^[^-]*/, "", word)
			print word
			line = substr(line, RSTART + RLENGTH)
		}
		next
	}
	# option lines: "    -x, --long ARG   text" or "    --long ARG   text"
	/^[ \t]+-[A-Za-z]/ || /^[ \t]+--[A-Za-z]/ {
		line = $0
		sub(/^[ \t]+/, "", line)
		while (match(line, /^--?[A-Za-z][A-Za-z0-9-]*/)) {
			print substr(line, 1, RLENGTH)
			line = substr(line, RLENGTH + 1)
			if (!sub(/^, /, "", line))
				break
		}
	}' | sort -u
}

help=$("$retort" --help)
commands=$(printf '%s\n' "$help" |
	   awk '/^commands:/ { on = 1; next } on && /^    [a-z]/ { print $1 }')
[ -n "$commands" ] || { echo "help-words: no commands in '$retort --help'" >&2; exit 1; }

printf '%s\n' "$commands" | sed 's/^/command /'
# the global options: the "options:" block of retort --help
printf '%s\n' "$help" | awk '/^options:/ { on = 1; next } /^$/ { on = 0 } on' |
	options_of | sed 's/^/global /'

for cmd in $commands; do
	text=$("$retort" "$cmd" --help)
	printf '%s\n' "$text" | options_of | sed "s/^/option $cmd /"
	# "usage: retort fleet upgrade [TARGET]", "       retort schema dump"
	printf '%s\n' "$text" | awk -v cmd="$cmd" '
		/^usage:/ { usage = 1 }
		/^$/ { usage = 0 }
		usage {
			for (i = 1; i < NF; i++)
				if ($i == "retort" && $(i + 1) == cmd && $(i + 2) ~ /^[a-z]+$/)
					print "subcommand " cmd " " $(i + 2)
		}' | sort -u
done
