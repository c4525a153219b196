#!/usr/bin/env bats
# Colour (--color, NO_COLOR): the escape sequences around revision ids,
# marks, labels, "error:" and "warning:", only where they are asked for or
# the stream is a terminal; byte for byte the plain text otherwise.  The
# terminal is a real pseudo-terminal made by script(1).  Colour does not
# depend on the database: the file runs on SQLite for either dialect.

load helper

ESC=$'\033'
YELLOW="$ESC[33m"
MARK="$ESC[1;32m"
LABEL="$ESC[36m"
RED="$ESC[1;31m"
WARN="$ESC[1;33m"
END="$ESC[m"

setup() {
	common_setup sqlite
	new_project
	write_rev "$A" "" "Create t_a" "CREATE TABLE t_a (id INTEGER);" "DROP TABLE t_a;"
	LABELS=shop write_rev "$B" "$A" "Create t_b" "CREATE TABLE t_b (id INTEGER);" "DROP TABLE t_b;"
	rt -q upgrade
	unset NO_COLOR
	export TERM=xterm
}

teardown() {
	common_teardown
}

# on_tty CMD...: run CMD with stdout and stderr on a pseudo-terminal;
# $output gets what it printed, without the terminal's carriage returns.
on_tty() {
	local cmd
	printf -v cmd '%q ' "$@"
	run script -qec "$cmd" /dev/null
	output=${output//$'\r'/}
}

# assert_starts TEXT PREFIX
assert_starts() {
	[[ $1 == "$2"* ]] || fail "expected to start with <$2>:" "$1"
}

@test "color: --color=always colours ids, labels and marks, exactly around them" {
	run -0 rt --color=always history -i
	assert_eq "$output" "$A -> $YELLOW$B$END ($LABEL""shop$END) ($MARK""head$END) ($MARK""current$END), Create t_b
<base> -> $YELLOW$A$END ($LABEL""shop$END), Create t_a"
	# after the command name too, and --color alone is always
	run -0 rt heads --color=always
	assert_eq "$output" "$YELLOW$B$END ($LABEL""shop$END) ($MARK""head$END)"
	run -0 rt --color current
	assert_eq "$output" "$YELLOW$B$END ($MARK""head$END)"
	run -0 rt --colour=always current
	assert_eq "$output" "$YELLOW$B$END ($MARK""head$END)"
	# the graph's text drawing as history; its dot and Mermaid never
	run -0 rt --color=always graph
	assert_eq "$output" "* $YELLOW$B$END ($LABEL""shop$END) ($MARK""head$END) ($MARK""current$END) Create t_b
* $YELLOW$A$END ($LABEL""shop$END) Create t_a"
	run -0 rt --color=always graph --format dot
	refute_contains "$output" $'\033'
	run -0 rt --color=always show "$B"
	assert_eq "${lines[0]}" "Rev: $YELLOW$B$END ($MARK""head$END)"
	assert_eq "${lines[2]}" "Branch names: $LABEL""shop$END"
	# the revision a migration took the database to
	run -0 rt --color=always downgrade -1
	assert_match "$output" "^downgrade $B -> .\\[33m$A.\\[m, Create t_b \\([0-9.]+ ms\\)$"
	run -0 rt upgrade
	assert_match "$output" "^upgrade $A -> $B, Create t_b \\([0-9.]+ ms\\)$"
}

@test "color: never, and a pipe, print the plain text; --color=never beats a terminal" {
	plain=$(rt history -i)
	assert_eq "$plain" "$A -> $B (shop) (head) (current), Create t_b
<base> -> $A (shop), Create t_a"
	run -0 rt --color=never history -i
	assert_eq "$output" "$plain"
	on_tty "$RETORT" --color=never history -i
	assert_eq "$output" "$plain"
	on_tty "$RETORT" history -i --color=never
	assert_eq "$output" "$plain"
}

@test "color: auto colours a terminal, unless NO_COLOR or TERM=dumb; always beats NO_COLOR" {
	on_tty "$RETORT" current
	assert_eq "$output" "$YELLOW$B$END ($MARK""head$END)"
	NO_COLOR=1 on_tty "$RETORT" current
	assert_eq "$output" "$B (head)"
	TERM=dumb on_tty "$RETORT" current
	assert_eq "$output" "$B (head)"
	# an empty NO_COLOR is no NO_COLOR (no-color.org)
	NO_COLOR= on_tty "$RETORT" current
	assert_eq "$output" "$YELLOW$B$END ($MARK""head$END)"
	NO_COLOR=1 on_tty "$RETORT" --color=always current
	assert_eq "$output" "$YELLOW$B$END ($MARK""head$END)"
	NO_COLOR=1 run -0 rt current --color=always
	assert_eq "$output" "$YELLOW$B$END ($MARK""head$END)"
}

@test "color: error: and warning: on stderr; each stream decides for itself" {
	run -1 --separate-stderr rt --color=always show zzzz
	assert_starts "$stderr" "$RED""error:$END no revision"
	# stderr a terminal, stdout a pipe: the error is coloured, the output not
	on_tty sh -c "'$RETORT' heads | cat; '$RETORT' show zzzz"
	assert_contains "$output" "$B (shop) (head)"
	assert_contains "$output" "$RED""error:$END "
	# usage errors too, and a bad --color names its values
	run -2 --separate-stderr rt --color=always nosuchcommand
	assert_starts "$stderr" "$RED""error:$END unknown command"
	run -2 --separate-stderr rt --color=sometimes current
	assert_eq "${stderr_lines[0]}" "error: --color is auto, always or never, not 'sometimes'"
	run -2 --separate-stderr rt current --color=sometimes
	assert_eq "${stderr_lines[0]}" "error: --color is auto, always or never, not 'sometimes'"
}

@test "color: lint findings by level" {
	write_rev c3c3c3c3c3c3 "$B" "Drop t_a" "DROP TABLE t_a;" "CREATE TABLE t_a (id INTEGER);"
	run -0 rt --color=always lint -d sqlite
	assert_contains "$output" ": $WARN""warning:$END [drop-table] "
	assert_contains "$output" "(revision $YELLOW""c3c3c3c3c3c3$END)"
	run -0 rt lint -d sqlite
	assert_match "$output" ": warning: \[drop-table\] .*\(revision c3c3c3c3c3c3\)$"
}
