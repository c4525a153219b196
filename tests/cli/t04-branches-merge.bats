#!/usr/bin/env bats
# Branches and merges: a second base with a label, upgrade heads,
# label@head, branch points, merge heads, downgrade out of a merge.

load helper

E=e5e5e5e5e5e5
F=f6f6f6f6f6f6

setup() {
	common_setup
	new_project
	# main line A -> B
	write_rev "$A" "" "Create t_a" "CREATE TABLE t_a (id INTEGER);" "DROP TABLE t_a;"
	write_rev "$B" "$A" "Create t_b" "CREATE TABLE t_b (id INTEGER);" "DROP TABLE t_b;"
}

teardown() {
	common_teardown
}

# A second base made the way a user would: revision --head base --branch-label.
other_branch() {
	run -0 --separate-stderr rt revision -m "other base" --head base --branch-label other --rev-id "$E"
	fill_sections "migrations/versions/${E}_other_base.sql" \
		"CREATE TABLE t_other (id INTEGER);" "DROP TABLE t_other;"
}

@test "a labelled second base gives two heads" {
	other_branch
	run -0 --separate-stderr rt heads
	assert_eq "${#lines[@]}" 2
	assert_line_match "^$B \\(head\\)$"
	assert_line_match "^$E \\(other\\) \\(head\\)$"
	run -0 --separate-stderr rt history
	assert_eq "${#lines[@]}" 3
	assert_line_match "^<base> -> $E( \\(other\\))? \\(head\\)( \\(other\\))?, other base$"
}

@test "upgrade head refuses with two heads; upgrade heads applies both" {
	other_branch
	run -1 --separate-stderr rt upgrade head
	assert_match "$stderr" "^error: "
	refute has_version_table
	assert_eq "$(user_tables)" ""

	run -0 --separate-stderr rt upgrade heads
	assert_eq "${#lines[@]}" 3
	# each line names the migration's own parents and id, as in a single
	# chain (not the whole version table before and after)
	assert_line_match "^upgrade  -> $A, Create t_a \\([0-9.]+ ms\\)$"
	assert_line_match "^upgrade $A -> $B, Create t_b \\([0-9.]+ ms\\)$"
	assert_line_match "^upgrade  -> $E, other base \\([0-9.]+ ms\\)$"
	assert_eq "$(versions)" "$B
$E"
	assert_eq "$(user_tables)" "t_a
t_b
t_other"
	run -0 --separate-stderr rt current
	assert_eq "${#lines[@]}" 2
	assert_line_match "^$B \\(head\\)$"
	assert_line_match "^$E( \\(other\\))? \\(head\\)$"
}

@test "label@head upgrades one branch only" {
	other_branch
	run -0 --separate-stderr rt upgrade other@head
	assert_eq "${#lines[@]}" 1
	assert_eq "$(versions)" "$E"
	assert_eq "$(user_tables)" "t_other"
	# and then the other branch by id
	run -0 --separate-stderr rt upgrade "$B"
	assert_eq "$(versions)" "$B
$E"
	# a revision on the labelled branch, addressed through the label
	run -0 --separate-stderr rt revision -m "other two" --head other@head --rev-id "$F"
	run -0 --separate-stderr rt upgrade other@head
	assert_eq "$(versions)" "$B
$F"
	run -0 --separate-stderr rt downgrade "other@$E"
	assert_eq "$(versions)" "$B
$E"
	run -0 --separate-stderr rt heads
	assert_line_match "^$F \\(other\\) \\(head\\)$"
}

@test "a branch point: revision --head REV --splice, branches, history" {
	run -0 --separate-stderr rt revision -m "side" --head "$A" --splice --rev-id "$F"
	run -0 --separate-stderr rt branches
	assert_eq "${lines[0]}" "$A (branchpoint)"
	assert_eq "${#lines[@]}" 3
	# as Alembic: a child indented by the branch point's id
	assert_line_match "^ {12} -> $B \\(head\\)$"
	assert_line_match "^ {12} -> $F \\(head\\)$"
	run -0 --separate-stderr rt history
	assert_line_match "^<base> -> $A \\(branchpoint\\), Create t_a$"
	run -0 --separate-stderr rt show "$A"
	assert_line_match "^Branches into: ($B, $F|$F, $B)$"
	# upgrading both heads from a branch point
	run -0 --separate-stderr rt upgrade heads
	assert_eq "$(versions)" "$B
$F"
	# downgrading to the branch point takes both branches down to it
	run -0 --separate-stderr rt downgrade "$A"
	assert_eq "${#lines[@]}" 2
	assert_eq "$(versions)" "$A"
	assert_eq "$(user_tables)" "t_a"
}

@test "merge heads joins the branches into one head" {
	other_branch
	rt upgrade heads >/dev/null
	run -1 --separate-stderr rt revision -m "which head"
	run -0 --separate-stderr rt merge -m "merge branches" heads
	local m file
	m=$(created_rev)
	file=${output#created }
	assert_match "$output" "^created migrations/versions/${m}_merge_branches\\.sql$"
	grep -Eqx -- "-- down_revision: ($B, ?$E|$E, ?$B)" "$file" ||
		fail "merge file's down_revision:" "$(grep down_revision "$file")"
	run -0 --separate-stderr rt heads
	# a branch label reaches every revision built on it, merges too
	assert_eq "$output" "$m (other) (head)"
	run -0 --separate-stderr rt history
	assert_eq "${#lines[@]}" 4
	# as Alembic prints a merge: the parents without parentheses
	assert_match "${lines[0]}" "^($B, $E|$E, $B) -> $m \\(other\\) \\(head\\) \\(mergepoint\\), merge branches$"
	run -0 --separate-stderr rt show "$m"
	assert_line_match "^Merges: ($B, $E|$E, $B)$"

	# upgrade head: the two rows become one
	run -0 --separate-stderr rt upgrade head
	assert_eq "${#lines[@]}" 1
	assert_match "$output" "^upgrade ($B,$E|$E,$B|$B, $E|$E, $B) -> $m, merge branches \\([0-9.]+ ms\\)$"
	assert_eq "$(versions)" "$m"
	# as Alembic's current: the tree's marks, not the labels
	run -0 --separate-stderr rt current
	assert_eq "$output" "$m (head) (mergepoint)"

	# downgrading to one parent of the merge undoes the merge only: the
	# other branch is not above that parent, so both heads are back
	run -0 --separate-stderr rt downgrade "$B"
	assert_eq "${#lines[@]}" 1
	assert_eq "$(versions)" "$B
$E"
	assert_eq "$(user_tables)" "t_a
t_b
t_other"

	# and from base, head goes through both branches
	rt downgrade base >/dev/null
	assert_eq "$(user_tables)" ""
	run -0 --separate-stderr rt upgrade head
	assert_eq "${#lines[@]}" 4
	assert_eq "$(versions)" "$m"
}

@test "merge of named revisions" {
	other_branch
	run -0 --separate-stderr rt merge -m "join" "$B" other@head
	local m
	m=$(created_rev)
	run -0 --separate-stderr rt heads
	assert_eq "$output" "$m (other) (head)"
	run -0 --separate-stderr rt upgrade head
	assert_eq "$(versions)" "$m"
}

@test "depends_on pulls in the dependency first" {
	other_branch
	run -0 --separate-stderr rt revision -m "needs other" --head "$B" --depends-on "$E" --rev-id "$F"
	fill_sections "migrations/versions/${F}_needs_other.sql" \
		"INSERT INTO t_other (id) VALUES (7);" "DELETE FROM t_other WHERE id = 7;"
	run -0 --separate-stderr rt upgrade "$F"
	assert_eq "$(q 'SELECT id FROM t_other')" 7
	# as Alembic: the dependency's row goes, as a merge's parent's would
	assert_eq "$(versions)" "$F"
	# -1 would walk down two ways (B, and E it depends on): ambiguous,
	# as in Alembic; down to B gives E its row back
	run -1 --separate-stderr rt downgrade -1
	assert_contains "$stderr" "is ambiguous"
	run -0 --separate-stderr rt downgrade "$B"
	assert_eq "$(versions)" "$B
$E"
	run -0 --separate-stderr rt upgrade "$F"
	assert_eq "$(versions)" "$F"
}

@test "stamp several revisions, stamp --sql replaces what online would, downgrade heads, show base" {
	other_branch
	run -0 --separate-stderr rt stamp "$A" "$E"
	assert_eq "$(versions)" "$A
$E"
	# one above the other is refused, nothing changed
	run -1 --separate-stderr rt stamp "$A" "$B"
	assert_contains "$stderr" "'$A' is below '$B'"
	assert_eq "$(versions)" "$A
$E"
	# offline, without FROM: the rows of B's line go, E's branch stays -
	# what the online stamp does
	rt stamp "$B" --sql >stamp.sql
	feed stamp.sql "$DB"
	assert_eq "$(versions)" "$B
$E"
	# several heads are no downgrade target
	run -1 --separate-stderr rt downgrade heads
	assert_contains "$stderr" "names several heads"
	assert_eq "$(versions)" "$B
$E"
	# base names no revision: nothing to show, as in Alembic
	run -0 --separate-stderr rt show base
	assert_eq "$output" ""
	# -r=RANGE as argparse reads it
	run -0 --separate-stderr rt history -r="$A":"$B"
	assert_eq "${#lines[@]}" 2
}

@test "a head others depend on is an effective head, and history shows what a revision depends on" {
	# E a base of its own; a revision on A that depends on E
	write_rev "$E" "" "other base" "CREATE TABLE t_e (id INTEGER);" "DROP TABLE t_e;"
	DEPENDS=$E write_rev d4d4d4d4d4d4 "$A" "needs e" "CREATE TABLE t_d (id INTEGER);" "DROP TABLE t_d;"
	run -0 --separate-stderr rt heads
	assert_contains "$output" "$E (effective head)"
	refute_contains "$output" "$E (head)"
	run -0 --separate-stderr rt history
	assert_line_match "^$A \\($E\\) -> d4d4d4d4d4d4 \\(head\\), needs e$"
	assert_line_match "^<base> -> $E \\(effective head\\), other base$"
}
