#!/usr/bin/env bats
# The listing commands: current, history, heads, branches, show.

load helper

setup() {
	common_setup
	new_project
	std_chain
}

teardown() {
	common_teardown
}

# The number of distinct revision ids of the standard chain and of this
# file's tests that a cache file holds.
cached_ids() {
	grep -a -o -E "($A|$B|$C|$D|e5e5e5e5e5e5|f6f6f6f6f6f6|a7a7a7a7a7a7)" "$1" | sort -u | wc -l
}

@test "heads lists the head" {
	run -0 --separate-stderr rt heads
	assert_eq "$output" "$D (head)"
	run -0 --separate-stderr rt heads -v
	assert_contains "$output" "$D"
}

@test "history: newest first, Alembic's format" {
	run -0 --separate-stderr rt history
	assert_eq "$output" "$C -> $D (head), Create t_d
$B -> $C, Create t_c
$A -> $B, Create t_b
<base> -> $A, Create t_a"
}

@test "history -r ranges" {
	run -0 --separate-stderr rt history -r "$A:$B"
	assert_eq "$output" "$A -> $B, Create t_b
<base> -> $A, Create t_a"
	run -0 --separate-stderr rt history -r "$C:"
	assert_eq "$output" "$C -> $D (head), Create t_d
$B -> $C, Create t_c"
	run -0 --separate-stderr rt history -r ":$B"
	assert_eq "$output" "$A -> $B, Create t_b
<base> -> $A, Create t_a"
	run -0 --separate-stderr rt history -r "b2b:c3c"
	assert_eq "${#lines[@]}" 2
}

@test "history -r relative to current, and -i marks the current revision" {
	rt upgrade "$C" >/dev/null
	run -0 --separate-stderr rt history -r -1:current
	assert_contains "$output" "$B -> $C"
	refute_contains "$output" "$C -> $D"
	refute_contains "$output" "<base> -> $A"
	run -0 --separate-stderr rt history -i
	assert_eq "${#lines[@]}" 4
	assert_line_match "^$B -> $C \\(current\\), Create t_c$"
	refute_contains "$output" "$D (head) (current)"
}

@test "history -v prints the show block per revision" {
	run -0 --separate-stderr rt history -v
	assert_eq "$(printf '%s\n' "$output" | grep -c '^Rev: ')" 4
	assert_contains "$output" "Rev: $D (head)"
	assert_contains "$output" "Revision ID: $B"
}

@test "show prints the revision's details" {
	local path
	path=$(cd "$P" && pwd -P)/migrations/versions/${C}_create_t_c.sql
	run -0 --separate-stderr rt show "$C"
	assert_eq "${lines[0]}" "Rev: $C"
	assert_line_match "^Parent: $B$"
	assert_line_match "^Path: (.*/)?${C}_create_t_c\\.sql$"
	local shown
	shown=$(printf '%s\n' "$output" | sed -n 's/^Path: //p')
	assert_eq "$(cd "$(dirname "$shown")" && pwd -P)/$(basename "$shown")" "$path"
	assert_line_match "^    Create t_c$"
	assert_line_match "^    Revision ID: $C$"
	assert_line_match "^    Revises: $B$"
	assert_line_match "^    Create Date: 2026-11-22 10:00:00\\+00:00$"

	run -0 --separate-stderr rt show "$A"
	assert_line_match "^Parent: <base>$"
	run -0 --separate-stderr rt show d4d4
	assert_eq "${lines[0]}" "Rev: $D (head)"
	run -0 --separate-stderr rt show head
	assert_eq "${lines[0]}" "Rev: $D (head)"
}

@test "show of an unknown or ambiguous revision fails" {
	run -1 --separate-stderr rt show ffffffffffff
	assert_contains "$stderr" "ffffffffffff"
	write_rev a1a1a1a1a1ff "$D" "Shares a prefix" "" ""
	run -1 --separate-stderr rt show a1a1
	assert_contains "$stderr" "a1a1"
	run -0 --separate-stderr rt show a1a1a1a1a1a1
}

@test "current: nothing on a new database, the head marked when at head" {
	run -0 --separate-stderr rt current
	assert_eq "$output" ""
	rt upgrade "$B" >/dev/null
	run -0 --separate-stderr rt current
	assert_eq "$output" "$B"
	rt upgrade head >/dev/null
	run -0 --separate-stderr rt current
	assert_eq "$output" "$D (head)"
	run -0 --separate-stderr rt current -v
	assert_contains "$output" "Rev: $D (head)"
}

@test "current does not create the version table" {
	run -0 --separate-stderr rt current
	refute has_version_table
}

@test "listing commands do not open the database" {
	# the url names a database that cannot be opened (a file in a folder
	# that does not exist, a server port nothing listens on)
	local c
	for c in heads history branches "show $B" "history -r $A:$C"; do
		# shellcheck disable=SC2086
		run --separate-stderr rt -u "$UNREACHABLE_URL" $c
		[ "$status" -eq 0 ] || fail "retort $c exited $status" "$stderr"
	done
	[ ! -e "$BATS_TEST_TMPDIR/no" ]
	refute has_version_table
}

@test "branches with no branch point prints nothing" {
	run -0 --separate-stderr rt branches
	assert_eq "$output" ""
}

@test "header cache: unchanged headers come from it, an edit in place is seen at once" {
	# files changed in the last two seconds are never cached: age these
	sleep 3
	run -0 --separate-stderr rt heads
	assert_eq "$output" "$D (head)"
	local cache=("$XDG_CACHE_HOME"/retort/headers-*)
	[ -f "${cache[0]}" ] || fail "no cache file in $XDG_CACHE_HOME/retort"
	assert_eq "$(cached_ids "${cache[0]}")" 4
	run -0 --separate-stderr rt history
	local cached=$output
	RETORT_CACHE_DIR= run -0 --separate-stderr rt history
	assert_eq "$cached" "$output"
	# D now follows B: the same size, the same inode (">" truncates)
	local text
	text=$(sed "s/^-- down_revision: $C\$/-- down_revision: $B/" "$P"/migrations/versions/${D}_*.sql)
	printf '%s\n' "$text" >"$P"/migrations/versions/${D}_*.sql
	run -0 --separate-stderr rt heads
	assert_eq "$(printf '%s\n' "$output" | sort)" "$(printf '%s (head)\n%s (head)' "$C" "$D")"
	# a new file and a removed one are seen too
	rm "$P"/migrations/versions/${C}_*.sql
	run -0 --separate-stderr rt heads
	assert_eq "$output" "$D (head)"
	# RETORT_CACHE_DIR= switches the cache off: nothing is written
	rm -rf "$XDG_CACHE_HOME"
	RETORT_CACHE_DIR= run -0 --separate-stderr rt heads
	[ ! -e "$XDG_CACHE_HOME" ] || fail "RETORT_CACHE_DIR= still wrote $XDG_CACHE_HOME"
}

@test "header cache: every header field comes back the same (labels, depends_on, merge)" {
	LABELS=side write_rev e5e5e5e5e5e5 "$A" "Side branch" "SELECT 1;"
	DEPENDS="$B" write_rev f6f6f6f6f6f6 "e5e5e5e5e5e5" "Side two" "SELECT 2;"
	write_rev a7a7a7a7a7a7 "$D, f6f6f6f6f6f6" "Merge both" "SELECT 3;"
	sleep 3
	RETORT_CACHE_DIR= run -0 --separate-stderr rt history -v
	local plain=$output
	run -0 --separate-stderr rt history -v   # writes the cache
	assert_eq "$output" "$plain"
	run -0 --separate-stderr rt history -v   # reads it
	assert_eq "$output" "$plain"
	assert_contains "$output" "Merges: $D, f6f6f6f6f6f6"
	local cache=("$XDG_CACHE_HOME"/retort/headers-*)
	assert_eq "$(cached_ids "${cache[0]}")" 7
	run -0 --separate-stderr rt heads
	# the label reaches the merge, as in Alembic
	assert_eq "$output" "a7a7a7a7a7a7 (side) (head)"
	run -0 --separate-stderr rt show f6f6f6f6f6f6
	assert_contains "$output" "Also depends on: $B"
	assert_contains "$output" "Branch names: side"
}

@test "header cache: a cache that cannot be written or read is no error" {
	sleep 3
	mkdir -p "$XDG_CACHE_HOME"
	# a file where the cache folder should be: it cannot be made
	: >"$XDG_CACHE_HOME/retort"
	run -0 --separate-stderr rt heads
	assert_eq "$output" "$D (head)"
	rm "$XDG_CACHE_HOME/retort"
	run -0 --separate-stderr rt heads
	local cache=("$XDG_CACHE_HOME"/retort/headers-*)
	# garbage in the cache file: ignored, and replaced by a good one
	printf 'retort-hcache 2 garbage\n' >"${cache[0]}"
	run -0 --separate-stderr rt heads
	assert_eq "$output" "$D (head)"
	assert_eq "$(cached_ids "${cache[0]}")" 4
}

@test "thousands of revisions: heads and history stay quick" {
	rm -f migrations/versions/*.sql
	local i n=3000 down= id
	for ((i = 1; i <= n; i++)); do
		printf -v id '%012x' "$i"
		printf -- '-- Step %d\n--\n-- revision: %s\n-- down_revision: %s\n\n-- +upgrade\nSELECT %d;\n\n-- +downgrade\n' \
			"$i" "$id" "$down" "$i" >"migrations/versions/${id}_step_$i.sql"
		down=$id
	done
	run -0 --separate-stderr timeout 60 "$RETORT" heads
	assert_eq "$output" "$down (head)"
	run -0 --separate-stderr timeout 60 "$RETORT" history
	assert_eq "${#lines[@]}" "$n"
	assert_eq "${lines[0]}" "$(printf '%012x' $((n - 1))) -> $down (head), Step $n"
	run -0 --separate-stderr timeout 60 "$RETORT" show "$(printf '%012x' 1500)"
	run -0 --separate-stderr timeout 120 "$RETORT" upgrade head --sql
	[ "$(printf '%s\n' "$output" | grep -c 'SELECT [0-9]*;')" -eq "$n" ]
}
