#!/usr/bin/env bats
# Broken revision files: duplicate ids, cycles, missing parents, bad
# headers.  Each is refused with exit 1, the file named, the database
# untouched.

load helper

setup() {
	common_setup
	new_project
	write_rev "$A" "" "Create t_a" "CREATE TABLE t_a (id INTEGER);" "DROP TABLE t_a;"
	write_rev "$B" "$A" "Create t_b" "CREATE TABLE t_b (id INTEGER);" "DROP TABLE t_b;"
	if [ "${BATS_TEST_DESCRIPTION#*fresh}" = "$BATS_TEST_DESCRIPTION" ]; then
		rt upgrade "$A" >/dev/null
		assert_eq "$(versions)" "$A"
	fi
}

teardown() {
	common_teardown
}

# check_refused FILE...: `upgrade head` and the listing commands exit 1
# naming every FILE, and the database (at A, see setup) does not change.
check_refused() {
	local f before cmd
	before=$(dump_all)
	for cmd in "upgrade head" "heads" "history"; do
		# shellcheck disable=SC2086
		run --separate-stderr rt $cmd
		[ "$status" -eq 1 ] || fail "retort $cmd: expected exit 1, got $status" "$output" "$stderr"
		assert_match "$stderr" "^error: "
		for f in "$@"; do
			assert_contains "$stderr" "$f"
		done
	done
	assert_eq "$(dump_all)" "$before"
}

# Same, on a database that has never been migrated: nothing is created.
check_refused_fresh() {
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "$1"
	refute has_version_table
	assert_eq "$(user_tables)" ""
}

@test "duplicate revision id: both files named" {
	cp "migrations/versions/${B}_create_t_b.sql" "migrations/versions/${B}_copy.sql"
	check_refused "${B}_create_t_b.sql" "${B}_copy.sql"
	assert_contains "$stderr" "$B"
}

@test "duplicate revision id on a fresh database" {
	write_rev "$C" "$B" "Dup" "" ""
	sed -i "s/^-- revision: $C\$/-- revision: $A/" "$REV_FILE"
	check_refused_fresh "${C}_dup.sql"
}

@test "cycle: the files in it are named" {
	write_rev "$C" "$D" "Cycle c" "CREATE TABLE t_c (id INTEGER);" ""
	write_rev "$D" "$C" "Cycle d" "CREATE TABLE t_d (id INTEGER);" ""
	run -1 --separate-stderr rt heads
	assert_match "$stderr" "(${C}_cycle_c\\.sql|${D}_cycle_d\\.sql)"
	local before
	before=$(dump_all)
	run -1 --separate-stderr rt upgrade head
	assert_match "$stderr" "(${C}_cycle_c\\.sql|${D}_cycle_d\\.sql)"
	assert_eq "$(dump_all)" "$before"
}

@test "a revision that names itself as its parent" {
	write_rev "$C" "$C" "Self" "" ""
	check_refused "${C}_self.sql"
}

@test "missing parent: the file and the missing id are named" {
	write_rev "$C" ffffffffffff "Orphan" "CREATE TABLE t_c (id INTEGER);" ""
	check_refused "${C}_orphan.sql" ffffffffffff
}

@test "missing parent on a fresh database" {
	write_rev "$C" ffffffffffff "Orphan" "CREATE TABLE t_c (id INTEGER);" ""
	check_refused_fresh "${C}_orphan.sql"
}

@test "missing depends_on target" {
	DEPENDS=eeeeeeeeeeee write_rev "$C" "$B" "Needs ghost" "" ""
	check_refused "${C}_needs_ghost.sql" eeeeeeeeeeee
}

@test "bad header: no revision line" {
	write_rev "$C" "$B" "No id" "CREATE TABLE t_c (id INTEGER);" ""
	sed -i '/^-- revision:/d' "$REV_FILE"
	check_refused "${C}_no_id.sql"
}

@test "bad header: an empty revision id" {
	write_rev "$C" "$B" "Bad id" "" ""
	sed -i 's/^-- revision: .*/-- revision:/' "$REV_FILE"
	check_refused "${C}_bad_id.sql"
}

@test "bad header: SQL before the first section marker" {
	write_rev "$C" "$B" "Stray SQL" "" ""
	sed -i 's/^-- create_date:.*/CREATE TABLE stray (id INTEGER);/' "$REV_FILE"
	check_refused "${C}_stray_sql.sql"
}

@test "bad section marker option names file and line" {
	rt upgrade "$B" >/dev/null
	write_rev "$C" "$B" "Bad option" "CREATE TABLE t_c (id INTEGER);" ""
	sed -i 's/^-- +upgrade$/-- +upgrade transaction=maybe/' "$REV_FILE"
	local line
	line=$(grep -n -- '-- +upgrade transaction=maybe' "$REV_FILE" | cut -d: -f1)
	local before
	before=$(dump_all)
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "${C}_bad_option.sql:$line"
	assert_eq "$(dump_all)" "$before"
}

@test "a misspelt marker is not taken for a comment" {
	# were "--+downgrade" a comment, the upgrade would drop the table
	rt upgrade "$B" >/dev/null
	write_rev "$C" "$B" "Misspelt" "CREATE TABLE t_c (id INTEGER);" "DROP TABLE t_c;"
	sed -i 's/^-- +downgrade$/--+downgrade/' "$REV_FILE"
	local before
	before=$(dump_all)
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "${C}_misspelt.sql"
	assert_eq "$(dump_all)" "$before"
}

@test "ambiguous prefix is refused on a fresh database" {
	write_rev a1a1ffffffff "$B" "Also a1a1" "" ""
	run -0 --separate-stderr rt heads
	run -1 --separate-stderr rt upgrade a1a1
	assert_contains "$stderr" "a1a1"
	assert_eq "$(versions)" ""
	assert_eq "$(user_tables)" ""
}

@test "a malformed retort.ini is named with its line (fresh database)" {
	printf '[retort]\nscript_location = migrations\nthis line is not a key value pair\n' >retort.ini
	run -1 --separate-stderr rt heads
	assert_contains "$stderr" "retort.ini:3"
}

@test "an unknown URL scheme is refused (fresh database)" {
	run -1 --separate-stderr rt -u mysql://u@localhost/db upgrade head
	assert_contains "$stderr" "mysql"
}
