#!/usr/bin/env bats
# The bash completion (completion/retort.bash): sourced here, its function
# called with COMP_WORDS/COMP_CWORD (or COMP_LINE/COMP_POINT) set as bash
# sets them on a TAB, and COMPREPLY checked.  The zsh completion
# (the build's completion/_retort, from completion/_retort.in): an interactive zsh on a pseudo-terminal loads it
# with compinit, and what a TAB offers is read (zsh-tab.zsh).  Their
# tables of commands and options are compared with the help texts by
# build/completion.

load helper

E=e5e5e5e5e5e5

setup() {
	common_setup
	new_project
	std_chain
	# a second head, labelled, branching off B
	LABELS=shop write_rev "$E" "$B" "Create t_e" "CREATE TABLE t_e (id INTEGER);" "DROP TABLE t_e;"
	# shellcheck source=/dev/null
	source "$RETORT_SRC/completion/retort.bash"
	# the binary under test is the `retort` the completion runs
	PATH="$(dirname "$RETORT"):$PATH"
}

teardown() {
	common_teardown
}

# tab WORD...: complete the last word, as a TAB at the end of
# "retort WORD..." would; REPLY gets the candidates sorted, one line each.
tab() {
	COMP_WORDS=(retort "$@")
	COMP_CWORD=$#
	unset COMP_LINE COMP_POINT
	run_completion
}

# tab_line LINE: the same for a line as typed (bash's COMP_LINE), for
# words bash itself cuts at ':' or '='.
tab_line() {
	COMP_LINE=$1
	COMP_POINT=${#1}
	run_completion
}

run_completion() {
	COMPREPLY=()
	_retort 2>"$BATS_TEST_TMPDIR/completion.err"
	REPLY=$(printf '%s\n' "${COMPREPLY[@]}" | sort)
	assert_eq "$(cat "$BATS_TEST_TMPDIR/completion.err")" "" "the completion wrote to stderr"
}

@test "completion: a command prefix, and every command of --help" {
	tab up
	assert_eq "$REPLY" upgrade
	tab h
	assert_eq "$REPLY" "heads
history"
	tab ""
	assert_eq "$REPLY" "$(rt --help | awk '/^commands:/ { on = 1; next } on && /^    [a-z]/ { print $1 }' | sort)"
	# after the global options and their values
	tab -q -c retort.ini -x k=v st
	assert_eq "$REPLY" stamp
	tab --con
	assert_eq "$REPLY" --config
	tab --c
	assert_eq "$REPLY" "--color
--config"
}

@test "completion: the options of upgrade, and of no other command" {
	tab upgrade --r
	assert_eq "$REPLY" --resume
	tab upgrade --
	assert_eq "$REPLY" "--backup
--color
--help
--no-backup
--quiet
--resume
--sql
--verbose"
	tab upgrade "$A" --no
	assert_eq "$REPLY" --no-backup
	tab fleet upgrade --jobs 2 --f
	assert_eq "$REPLY" "--fail-fast
--format"
	# a value of an option is not an option
	tab fleet --format ""
	assert_eq "$REPLY" "json
text"
}

@test "completion: revision ids, branch labels and keywords as targets" {
	tab upgrade b2
	assert_eq "$REPLY" "$B"
	tab upgrade ""
	assert_eq "$REPLY" "+1
$A
$B
base
$C
$D
$E
head
heads
shop"
	tab downgrade sh
	assert_eq "$REPLY" shop
	tab downgrade ""
	assert_match "$REPLY" $'^-1\n'
	tab show c
	assert_eq "$REPLY" "$C
current"
	tab stamp --fix-checksums d4
	assert_eq "$REPLY" "$D"
	tab show he
	assert_eq "$REPLY" "head
heads"
	tab history -r c
	assert_eq "$REPLY" "$C
current"
	tab revision -m x --head e
	assert_eq "$REPLY" "$E"
	tab merge -m x "$D" e5
	assert_eq "$REPLY" "$E"
	# one target only: nothing after it
	tab upgrade "$A" ""
	assert_eq "$REPLY" ""
	# bash replaces what follows the ':' of a range only
	tab_line "retort history -r $A:c3"
	assert_eq "$REPLY" "$C"
	tab_line "retort history --rev-range=a1"
	assert_eq "$REPLY" "$A"
}

@test "completion: ids without a connection, from -c FILE, none outside a project" {
	# the database cannot be reached: history reads the files only
	ini_set url "$UNREACHABLE_URL"
	tab upgrade c3
	assert_eq "$REPLY" "$C"
	# another folder, the project named by -c
	mkdir "$BATS_TEST_TMPDIR/elsewhere"
	cd "$BATS_TEST_TMPDIR/elsewhere"
	tab -c "$P/retort.ini" show d4
	assert_eq "$REPLY" "$D"
	tab upgrade ""
	assert_eq "$REPLY" "+1
base
head
heads"
}

@test "completion: edit, ensure_version, list_templates, heads and revision's new options" {
	tab e
	assert_eq "$REPLY" "edit
embed
ensure_version"
	tab li
	assert_eq "$REPLY" "lint
list_templates"
	tab edit sh
	assert_eq "$REPLY" shop
	tab edit "$E" ""
	assert_eq "$REPLY" ""
	tab heads --r
	assert_eq "$REPLY" --resolve-dependencies
	tab ensure_version --s
	assert_eq "$REPLY" --sql
	tab revision --vers
	assert_eq "$REPLY" --version-path
	mkdir -p v1 v2
	tab revision -m x --version-path v
	assert_eq "$REPLY" "v1
v2"
}

@test "completion: LABEL@head and LABEL@base once the word has an '@'; --color's values; wait" {
	# bash replaces what follows the '@' only
	tab_line "retort upgrade shop@"
	assert_eq "$REPLY" "base
head"
	tab_line "retort downgrade shop@b"
	assert_eq "$REPLY" base
	tab_line "retort --color="
	assert_eq "$REPLY" "always
auto
never"
	tab_line "retort history --color=n"
	assert_eq "$REPLY" never
	tab wa
	assert_eq "$REPLY" wait
	tab wait --t
	assert_eq "$REPLY" --timeout
	tab rep
	assert_eq "$REPLY" report
	tab report --o
	assert_eq "$REPLY" --output
	tab fleet rep
	assert_eq "$REPLY" report
}

# ztab LINE...: what zsh offers for a TAB at the end of each LINE (typed
# in the folder of the test); blocks[i] gets the candidates for the i-th
# LINE, sorted, one a line (zsh's _describe adds some twice: once each).
ztab() {
	local out=$BATS_TEST_TMPDIR/zsh-tab.out l block=
	zsh -f "$RETORT_SRC/tests/cli/zsh-tab.zsh" "$RETORT_BUILD_DIR/completion" "$out" "$@" ||
		fail "zsh-tab.zsh failed"
	blocks=()
	while IFS= read -r l; do
		if [ "$l" = -- ]; then
			blocks+=("$(printf '%s' "$block" | sort -u)")
			block=
		else
			block+="$l"$'\n'
		fi
	done <"$out"
	assert_eq "${#blocks[@]}" $# "one block per line"
}

@test "completion: zsh offers commands, options, revision ids, labels and targets" {
	command -v zsh >/dev/null || fail "zsh is not installed (scripts/deps.sh lists it)"
	ztab "retort upg" "retort upgrade --n" "retort upgrade --" "retort show d4" "retort upgrade sh" \
	     "retort upgrade shop@" "retort history -r $A:c" "retort -c retort.ini edit e5" \
	     "retort --color=a" "retort fleet " "retort wait --" "retort upgrade $A " "retort -q "
	assert_eq "${blocks[0]}" upgrade
	assert_eq "${blocks[1]}" --no-backup
	assert_eq "${blocks[2]}" "$(printf '%s\n' --backup --color --help --no-backup --quiet --resume \
		--sql --verbose | sort)"
	assert_eq "${blocks[3]}" "$D"
	assert_eq "${blocks[4]}" shop
	assert_eq "${blocks[5]}" "shop@base
shop@head"
	# after the ':' of a range (zsh keeps "A:" as the word's fixed prefix)
	assert_eq "${blocks[6]}" "$C
current"
	assert_eq "${blocks[7]}" "$E"
	assert_eq "${blocks[8]}" "always
auto"
	assert_eq "${blocks[9]}" "check
current
downgrade
report
upgrade"
	assert_eq "${blocks[10]}" "$(printf '%s\n' --color --help --quiet --timeout --verbose | sort)"
	# one target only: nothing after it
	assert_eq "${blocks[11]}" ""
	# every command of --help (with its summary, which zsh shows beside it)
	assert_eq "${blocks[12]}" "$(rt --help | awk '/^commands:/ { on = 1; next } on && /^    [a-z]/ { print $1 }' | sort)"
}
