#!/usr/bin/env bash
# help-words.sh - the commands, subcommands and options that retort's help
# texts name, one per line, and the comparison of another listing with
# them, for the checks that the man page (check-manpage.sh) and the bash
# completion (check-completion.sh) know all of them and no other.
#
#   scripts/help-words.sh RETORT_BINARY
#   scripts/help-words.sh --compare [--no-values] [--common] RETORT_BINARY NAME < LISTING
#
# The first prints
#   command NAME          a command of `retort --help`
#   global OPTION         an option of `retort --help`
#   option COMMAND OPTION an option of `retort COMMAND --help`
#   subcommand COMMAND WORD   e.g. `fleet upgrade`, `schema dump`
#   value global|COMMAND OPTION   OPTION takes a value ("-t, --template NAME")
#
# An option is one that a help text lists on a line of its own (an indented
# line starting with it: "    -j, --jobs N   ...") or writes in its usage
# lines; an option named in the prose ("pg_restore --clean", "'retort
# revision --autogenerate' writes them") is not the command's.  A word
# such as -1 is a target, never an option.
#
# The second reads the listing of NAME (the man page, the completion) in
# the same form and prints, and fails on, each line it lacks or has
# beyond the help texts'.  --no-values: NAME does not list values;
# --common: NAME may list -h, -q, -v (and long forms) under any command,
# as every command takes them (src/cli/parse.c).
set -euo pipefail
export LC_ALL=C  # one order for sort and comm

usage() {
	echo "usage: help-words.sh RETORT_BINARY" >&2
	echo "       help-words.sh --compare [--no-values] [--common] RETORT_BINARY NAME < LISTING" >&2
	exit 2
}
compare=0 values=1 common=0
while [ $# -gt 0 ]; do
	case $1 in
	--compare) compare=1 ;;
	--no-values) values=0 ;;
	--common) common=1 ;;
	-*) usage ;;
	*) break ;;
	esac
	shift
done
[ $# -eq $((1 + compare)) ] || usage
retort=$1
[ -x "$retort" ] || { echo "help-words: no program $retort" >&2; exit 2; }

# the options of a help text on standard input: "option OPT" for each,
# "value OPT" for each that takes a value
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
			print "option " word
			line = substr(line, RSTART + RLENGTH)
		}
		next
	}
	# option lines: "    -x, --long ARG   text" or "    --long ARG   text"
	/^[ \t]+-[A-Za-z]/ || /^[ \t]+--[A-Za-z]/ {
		line = $0
		sub(/^[ \t]+/, "", line)
		n = 0
		while (match(line, /^--?[A-Za-z][A-Za-z0-9-]*/)) {
			names[++n] = substr(line, 1, RLENGTH)
			print "option " names[n]
			line = substr(line, RLENGTH + 1)
			if (!sub(/^, /, "", line))
				break
		}
		# a placeholder in capitals after the names: N, FILE, T.OLD:NEW
		if (line ~ /^ [A-Z][A-Z0-9_.:=]*( |$)/)
			for (i = 1; i <= n; i++)
				print "value " names[i]
	}' | sort -u
}

# the listing of the help texts
words() {
	help=$("$retort" --help)
	commands=$(printf '%s\n' "$help" |
		   awk '/^commands:/ { on = 1; next } on && /^    [a-z]/ { print $1 }')
	[ -n "$commands" ] || { echo "help-words: no commands in '$retort --help'" >&2; exit 1; }

	printf '%s\n' "$commands" | sed 's/^/command /'
	# the global options: the "options:" block of retort --help
	printf '%s\n' "$help" | awk '/^options:/ { on = 1; next } /^$/ { on = 0 } on' |
		options_of | sed 's/^option /global /; s/^value /value global /'

	for cmd in $commands; do
		text=$("$retort" "$cmd" --help)
		printf '%s\n' "$text" | options_of | sed "s/^\(option\|value\) /\1 $cmd /"
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
}

if [ $compare -eq 0 ]; then
	words
	exit 0
fi

name=$2
help=$(words | sort -u)
[ $values -eq 1 ] || help=$(printf '%s\n' "$help" | grep -v '^value ')
allowed=$help
if [ $common -eq 1 ]; then
	allowed=$(printf '%s\n' "$help" | awk '{ print } $1 == "command" {
		n = split("-h --help -q --quiet -v --verbose", o, " ")
		for (i = 1; i <= n; i++)
			print "option " $2 " " o[i]
	}' | sort -u)
fi
theirs=$(sort -u)

describe() {
	case $1 in
	command) echo "the command '$2'" ;;
	global) echo "the global option '$2'" ;;
	option) echo "the option '$3' of 'retort $2'" ;;
	subcommand) echo "'retort $2 $3'" ;;
	value) echo "that '$3' of 'retort$([ "$2" = global ] || echo " $2")' takes a value" ;;
	*) echo "'$*'" ;;
	esac
}
status=0
while read -r -a w; do
	echo "$name lacks $(describe "${w[@]}")" >&2
	status=1
done < <(comm -23 <(printf '%s\n' "$help") <(printf '%s\n' "$theirs"))
while read -r -a w; do
	echo "$name has $(describe "${w[@]}"), which retort's help texts do not name" >&2
	status=1
done < <(comm -13 <(printf '%s\n' "$allowed") <(printf '%s\n' "$theirs"))
exit $status
