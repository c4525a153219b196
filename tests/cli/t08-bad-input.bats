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

# ---- issue 13: files that must not be read, run or written ---------------------

# version_files: the names in the versions folder, one a line.
version_files() {
	ls -A "$P/migrations/versions"
}

@test "a NUL byte in a section is refused with its file:line, before anything runs (item 5)" {
	local f="$P/migrations/versions/${C}_nul.sql" before
	{
		printf -- '-- Nul\n--\n-- revision: %s\n-- down_revision: %s\n\n-- +upgrade\n' "$C" "$B"
		printf 'CREATE TABLE t_c (id INTEGER);\n'
		printf 'INSERT INTO t_a (id) VALUES (7);\000DROP TABLE t_a;\n'
		printf -- '-- +downgrade\nDROP TABLE t_c;\n'
	} >"$f"
	before=$(dump_all)
	# SQLite spun for ever at the NUL; PostgreSQL ran only what came before
	run -1 --separate-stderr timeout 60 "$RETORT" upgrade head
	assert_contains "$stderr" "${C}_nul.sql:8: NUL byte"
	assert_eq "$(dump_all)" "$before"
	assert_eq "$(versions)" "$A"
	run -1 --separate-stderr timeout 60 "$RETORT" upgrade head --sql
	assert_contains "$stderr" "${C}_nul.sql:8"
}

@test "a file cut off before its '-- +upgrade' marker is refused with its file:line (item 6)" {
	write_rev "$C" "$B" "Cut" "CREATE TABLE t_c (id INTEGER);" "DROP TABLE t_c;"
	local at line
	at=$(grep -b -- '^-- +upgrade$' "$REV_FILE" | cut -d: -f1)
	line=$(grep -n -- '^-- +upgrade$' "$REV_FILE" | cut -d: -f1)
	# the file now ends in "-- +upgr"
	head -c "$((at + 8))" "$REV_FILE" >"$REV_FILE.cut"
	mv "$REV_FILE.cut" "$REV_FILE"
	assert_eq "$(tail -c 8 "$REV_FILE")" "-- +upgr"
	check_refused "${C}_cut.sql:$line: the file ends before its '-- +upgrade' section marker"
	assert_eq "$(versions)" "$A"
}

@test "an explicitly empty '-- +upgrade' section is still applied and recorded (item 6)" {
	printf -- '-- Empty\n-- revision: %s\n-- down_revision: %s\n\n-- +upgrade' "$C" "$B" \
		>"$P/migrations/versions/${C}_empty.sql"
	run -0 --separate-stderr rt upgrade head
	assert_eq "$(versions)" "$C"
	assert_eq "$(user_tables)" "$(printf 't_a\nt_b')"
}

@test "a FIFO, a symlink to /dev/zero or a folder named *.sql is refused, not read (item 12)" {
	local before kind
	before=$(dump_all)
	for kind in fifo zero dir; do
		rm -rf "$P/migrations/versions/x.sql"
		case $kind in
		fifo) mkfifo "$P/migrations/versions/x.sql" ;;
		zero) ln -s /dev/zero "$P/migrations/versions/x.sql" ;;
		dir) mkdir "$P/migrations/versions/x.sql" ;;
		esac
		for cmd in heads history "upgrade head"; do
			# shellcheck disable=SC2086
			run --separate-stderr timeout 30 "$RETORT" $cmd
			[ "$status" -eq 1 ] || fail "$kind, retort $cmd: expected exit 1, got $status" "$stderr"
			assert_contains "$stderr" "x.sql' is not a regular file"
		done
		case $kind in
		fifo) assert_contains "$stderr" "(a FIFO)" ;;
		zero) assert_contains "$stderr" "(a device)" ;;
		dir) assert_contains "$stderr" "(a folder)" ;;
		esac
	done
	assert_eq "$(dump_all)" "$before"
}

@test "a migration file over 64 MiB is refused with its size (item 12)" {
	truncate -s 65M "$P/migrations/versions/big.sql"
	run -1 --separate-stderr timeout 60 "$RETORT" heads
	assert_contains "$stderr" "big.sql' is too large (68157440 bytes; the limit is 64 MiB)"
}

@test "restore refuses a FIFO at once, and the database is unchanged (item 12)" {
	local before
	mkfifo "$BATS_TEST_TMPDIR/backup.fifo"
	before=$(dump_all)
	run -1 --separate-stderr timeout 30 "$RETORT" restore "$BATS_TEST_TMPDIR/backup.fifo"
	assert_contains "$stderr" "backup.fifo' is not a regular file (a FIFO); nothing was changed"
	assert_eq "$(dump_all)" "$before"
}

@test "a down_revision list of 238,000 ids is checked in linear time (item 13)" {
	local ids
	ids=$(seq -f 'x%06g' 1 238000 | paste -sd, -)
	# the last id repeats the first: found by sorting, not by 28 billion
	# comparisons (67 s before)
	write_rev "$C" "$ids,x000001" "Huge merge" "" ""
	run -1 --separate-stderr timeout 30 "$RETORT" heads
	assert_contains "$stderr" "${C}_huge_merge.sql:4: 'x000001' given twice in 'down_revision'"
	write_rev "$C" "$ids" "Huge merge" "" ""
	run -1 --separate-stderr timeout 30 "$RETORT" heads
	assert_contains "$stderr" "down_revision 'x000001' does not exist"
}

@test "target keywords cannot be revision ids or branch labels (item 14)" {
	local w n
	n=$(version_files | wc -l)
	for w in head heads base current; do
		run -1 --separate-stderr rt revision -m "kw" --rev-id "$w"
		assert_contains "$stderr" "bad revision id '$w' (it is a target keyword)"
		run -1 --separate-stderr rt revision -m "kw" --branch-label "$w"
		assert_contains "$stderr" "bad branch label '$w' (it is a target keyword)"
	done
	# a relative target, and an option on the command line
	run -1 --separate-stderr rt revision -m "kw" --branch-label=-1
	assert_contains "$stderr" "bad branch label '-1' (it starts with '-')"
	run -1 --separate-stderr rt revision -m "kw" --rev-id "a@b"
	assert_contains "$stderr" "bad revision id 'a@b'"
	assert_eq "$(version_files | wc -l)" "$n"
}

@test "a header naming a target keyword as id or label is refused (item 14)" {
	write_rev head "$B" "Kw id" "CREATE TABLE t_c (id INTEGER);" ""
	check_refused "head_kw_id.sql:3: bad revision id 'head' (it is a target keyword)"
	rm "$REV_FILE"
	LABELS=current write_rev "$C" "$B" "Kw label" "" ""
	check_refused "${C}_kw_label.sql:5: bad branch label 'current' (it is a target keyword)"
	rm "$REV_FILE"
	# "upgrade $A" would have meant the label
	LABELS=$A write_rev "$C" "$B" "Id label" "" ""
	check_refused "${C}_id_label.sql" "branch label '$A' is also the id of the revision"
}

@test "a CR in a message cannot end the comment of the --sql script (item 15)" {
	rt upgrade "$B" >/dev/null
	write_rev "$C" "$B" $'Add c\rDROP TABLE t_a; --' "CREATE TABLE t_c (id INTEGER);" \
		"DROP TABLE t_c;"
	run -0 --separate-stderr rt upgrade "$B:$C" --sql
	printf '%s\n' "$output" >up.sql
	assert_eq "$(grep -c $'\r' up.sql)" 0
	assert_contains "$output" "-- upgrade $B -> $C: Add c DROP TABLE t_a; --"
	# psql ends a "--" comment at a CR: the DROP ran offline, not online
	feed up.sql "$DB"
	assert_eq "$(versions)" "$C"
	assert_eq "$(user_tables)" "$(printf 't_a\nt_b\nt_c')"
	# `revision -m` writes a message with a CR as one header line
	run -0 --separate-stderr rt revision -m $'one\rDROP TABLE t_a;'
	local path
	path=$(printf '%s\n' "$output" | sed -n 's/^created //p')
	assert_eq "$(grep -c $'\r' "$path")" 0
	assert_eq "$(head -n 1 "$path")" "-- one DROP TABLE t_a;"
}

@test "a file_template leaving the versions folder is refused, naming the key (item 16)" {
	local n t
	n=$(version_files | wc -l)
	for t in '../../x_%(rev)s' "$BATS_TEST_TMPDIR/abs_%(rev)s" 'sub/%(rev)s' '.%(rev)s'; do
		ini_set file_template "$t"
		run -1 --separate-stderr rt revision -m "escape"
		assert_contains "$stderr" "bad 'file_template'"
	done
	assert_eq "$(version_files | wc -l)" "$n"
	assert_eq "$(find "$BATS_TEST_TMPDIR" -name 'x_*' -o -name 'abs_*' | wc -l)" 0
	ini_set file_template '%(rev)s_%(slug)s'
	run -0 --separate-stderr rt revision -m "inside"
	assert_eq "$(version_files | wc -l)" "$((n + 1))"
}

@test "names PostgreSQL would cut are refused before connecting, naming the key (item 17, fresh)" {
	local long59 long60 long64
	long59=$(printf 'v%.0s' $(seq 59))
	long60=$(printf 'v%.0s' $(seq 60))
	long64=$(printf 'h%.0s' $(seq 64))
	ini_set version_table "$long60"
	if is_pg; then
		# "<name>_pkc" would be 64 bytes: PostgreSQL cut it, and the first
		# upgrade failed; `current` then printed nothing
		run -1 --separate-stderr rt upgrade head
		assert_contains "$stderr" "'version_table' is 60 bytes long"
		assert_contains "$stderr" "at most 59"
		run -1 --separate-stderr rt current
		assert_contains "$stderr" "'version_table'"
		assert_eq "$(q "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")" 0
		ini_set version_table retort_version
		ini_set history_table "$long64"
		run -1 --separate-stderr rt upgrade head
		assert_contains "$stderr" "'history_table' is 64 bytes long"
		ini_set history_table retort_history
		# the longest name that fits works
		ini_set version_table "$long59"
		run -0 --separate-stderr rt upgrade head
		assert_eq "$(versions "$DB" "$long59")" "$B"
		run -0 --separate-stderr rt current
		assert_contains "$output" "$B"
	else
		# SQLite keeps names whole
		run -0 --separate-stderr rt upgrade head
		assert_eq "$(versions "$DB" "$long60")" "$B"
	fi
}
