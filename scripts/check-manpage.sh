#!/usr/bin/env bash
# check-manpage.sh - the man page describes every command and option that
# retort's help texts name, and nothing retort does not have.
#
#   scripts/check-manpage.sh RETORT_BINARY MANPAGE
#
# What the help texts name comes from scripts/help-words.sh.  In the man
# page, a command is a .SS of the COMMANDS section, a command's option the
# tag (the line after .TP) of an entry in that .SS, a global option the tag
# of an entry of GLOBAL OPTIONS, and a subcommand a line "retort COMMAND
# WORD" in the command's .SS.  Besides, the version of .TH must be the
# binary's, and groff must format the page without a warning.
set -euo pipefail
export LC_ALL=C  # one order for sort and comm

[ $# -eq 2 ] || { echo "usage: check-manpage.sh RETORT_BINARY MANPAGE" >&2; exit 2; }
retort=$1 page=$2
[ -x "$retort" ] || { echo "check-manpage: no program $retort" >&2; exit 2; }
[ -f "$page" ] || { echo "check-manpage: no man page $page" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)

# the man page's commands and options, in the form of help-words.sh
man=$(awk '
	# the text of a line as the reader sees it, without the macro name
	function plain(s) {
		gsub(/\\f(\[[A-Z]*\]|\(..|.)/, "", s)
		gsub(/\\-/, "-", s)
		gsub(/\\[%&]/, "", s)
		gsub(/\\\(Do/, "$", s)
		gsub(/"/, " ", s)
		sub(/^\.[A-Za-z]+[ \t]*/, "", s)
		return s
	}
	function options(s,    w) {
		s = " " plain(s)
		while (match(s, /[ ,\/|[]--?[A-Za-z][A-Za-z0-9-]*/)) {
			w = substr(s, RSTART + 1, RLENGTH - 1)
			print (sh == "GLOBAL OPTIONS" ? "global " : "option " ss " ") w
			s = substr(s, RSTART + RLENGTH)
		}
	}
	/^\.SH/ { sh = plain($0); gsub(/^[ \t]+|[ \t]+$/, "", sh); ss = ""; next }
	/^\.SS/ {
		ss = plain($0); gsub(/^[ \t]+|[ \t]+$/, "", ss)
		if (sh == "COMMANDS")
			print "command " ss
		next
	}
	/^\.TP/ { tag = 1; next }
	tag {
		tag = 0
		if (sh == "GLOBAL OPTIONS" || (sh == "COMMANDS" && ss != ""))
			options($0)
		next
	}
	sh == "COMMANDS" && ss != "" {
		n = split(plain($0), w, /[ \t]+/)
		for (i = 1; i < n - 1; i++)
			if (w[i] == "retort" && w[i + 1] == ss && w[i + 2] ~ /^[a-z]+$/)
				print "subcommand " ss " " w[i + 2]
	}' "$page" | sort -u)

# (whether an option takes a value is the synopsis's business, not checked)
status=0
printf '%s\n' "$man" | "$here/help-words.sh" --compare --no-values --common "$retort" "$page" || status=1

version=$("$retort" --version | awk '{ print $2 }')
th=$(awk '/^\.TH/ { for (i = 1; i <= NF; i++) if ($i == "\"retort") { v = $(i + 1); gsub(/"/, "", v); print v } }' "$page")
if [ "$th" != "$version" ]; then
	echo "check-manpage: $page says version '${th}' in .TH, retort --version says '$version'" >&2
	status=1
fi

if ! command -v groff >/dev/null 2>&1; then
	echo "check-manpage: no groff to format $page (Debian groff-base; scripts/deps.sh test)" >&2
	status=1
elif warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1) && [ -z "$warnings" ]; then
	:
else
	printf '%s\n' "$warnings" >&2
	echo "check-manpage: groff warns about $page" >&2
	status=1
fi

if [ $status -eq 0 ]; then
	echo "check-manpage: $page describes the $(printf '%s\n' "$man" | grep -c '^command ') commands" \
	     "and $(printf '%s\n' "$man" | grep -c -v '^command ') options and subcommands of the help texts"
fi
exit $status
