#!/usr/bin/env bats
# Alembic's verbs and options that retort took on last (issue 17):
# list_templates, edit, ensure_version, heads --resolve-dependencies and
# version_locations (several version folders, revision --version-path).
# The expected outputs are what Debian's Alembic 1.8.1 printed for the
# same graphs (docs/alembic.md lists where retort differs, and why).

load helper

setup() {
	common_setup
	new_project
}

teardown() {
	common_teardown
}

# mv_rev DIR: move the file write_rev just wrote into folder DIR of $P.
mv_rev() {
	mkdir -p "$P/$1"
	mv "$REV_FILE" "$P/$1/"
	REV_FILE="$P/$1/${REV_FILE##*/}"
}

# An editor that records its arguments, one per line, in $P/edited.
fake_editor() {
	cat >"$BATS_TEST_TMPDIR/ed" <<EOF
#!/bin/sh
for a in "\$@"; do printf '%s\n' "\$a"; done >>"$P/edited"
exit \${ED_STATUS:-0}
EOF
	chmod +x "$BATS_TEST_TMPDIR/ed"
	ED="$BATS_TEST_TMPDIR/ed"
}

# ---- list_templates -------------------------------------------------------

@test "list_templates: Alembic's listing, and every template it names makes a project" {
	run -0 --separate-stderr rt list_templates
	assert_eq "${lines[0]}" "Available templates:"
	assert_eq "${lines[1]}" "generic - one database: retort.ini, migrations/script.sql.tmpl and migrations/versions/"
	assert_eq "${lines[2]}" "fleet - one database per bot: meta/ migrates the registry of bots, bot/ every bot's database"
	assert_eq "${lines[3]}" "Templates are used via the 'init' command, e.g.:"
	assert_eq "${lines[4]}" "  retort init --template generic ./project"
	# blank lines where Alembic has them
	assert_eq "$(printf '%s\n' "$output" | sed -n '2p;5p;7p' | tr -d '\n')" ""
	# needs no retort.ini
	cd "$BATS_TEST_TMPDIR"
	run -0 rt list_templates
	for t in $(printf '%s\n' "$output" | sed -n 's/^\([a-z]*\) - .*/\1/p'); do
		run -0 rt init "made-$t" --template "$t"
		[ -f "made-$t/retort.ini" ]
	done
	run -2 rt list_templates extra
	run -1 rt init x --template nosuch
	assert_contains "$output" "unknown template 'nosuch' (known: generic, fleet; 'retort list_templates' describes them)"
}

# ---- heads --resolve-dependencies -----------------------------------------

@test "heads --resolve-dependencies leaves out the heads others depend on" {
	write_rev a1a1a1a1a1a1 "" "a1" "SELECT 1;"
	LABELS=stats write_rev c1c1c1c1c1c1 "" "c1" "SELECT 1;"
	DEPENDS=c1c1c1c1c1c1 write_rev b1b1b1b1b1b1 a1a1a1a1a1a1 "b1" "SELECT 1;"
	run -0 --separate-stderr rt heads
	assert_contains "$output" "b1b1b1b1b1b1 (head)"
	assert_contains "$output" "c1c1c1c1c1c1 (stats) (effective head)"
	run -0 --separate-stderr rt heads --resolve-dependencies
	assert_eq "$output" "b1b1b1b1b1b1 (head)"
	run -0 --separate-stderr rt heads --resolve-dependencies -v
	assert_eq "${lines[0]}" "Rev: b1b1b1b1b1b1 (head)"
	assert_contains "$output" "Also depends on: c1c1c1c1c1c1"
	refute_contains "$output" "Rev: c1c1c1c1c1c1"
	# without a dependency both lists are the same
	rm "$REV_FILE"
	DEPENDS= write_rev b1b1b1b1b1b1 a1a1a1a1a1a1 "b1" "SELECT 1;"
	run -0 --separate-stderr rt heads --resolve-dependencies
	assert_eq "$(printf '%s\n' "$output" | sort)" "b1b1b1b1b1b1 (head)
c1c1c1c1c1c1 (stats) (head)"
	run -2 rt branches --resolve-dependencies
}

# ---- edit ------------------------------------------------------------------

@test "edit opens the one file a target names, in EDITOR, else VISUAL" {
	std_chain
	fake_editor
	LABELS=side write_rev e5e5e5e5e5e5 "$A" "side" "SELECT 1;"
	local side=$REV_FILE
	EDITOR=$ED run -0 rt edit "$B"
	EDITOR=$ED run -0 rt edit c3c3                       # a prefix
	EDITOR=$ED run -0 rt edit side@head
	EDITOR= VISUAL=$ED run -0 rt edit "$D"               # VISUAL when EDITOR is empty
	env -u EDITOR VISUAL=$ED "$RETORT" edit "$A"
	# EDITOR beats VISUAL, as in Alembic
	EDITOR=$ED VISUAL=/bin/false run -0 rt edit "$A"
	assert_eq "$(cat "$P/edited")" "$P/migrations/versions/${B}_create_t_b.sql
$P/migrations/versions/${C}_create_t_c.sql
$side
$P/migrations/versions/${D}_create_t_d.sql
$P/migrations/versions/${A}_create_t_a.sql
$P/migrations/versions/${A}_create_t_a.sql"
	# an editor given with its arguments goes through the shell
	rm "$P/edited"
	EDITOR="$ED --wait" run -0 rt edit "$B"
	assert_eq "$(cat "$P/edited")" "--wait
$P/migrations/versions/${B}_create_t_b.sql"
}

@test "edit: current, several revisions, no revision, no editor, a failing editor" {
	std_chain
	fake_editor
	LABELS=side write_rev e5e5e5e5e5e5 "$A" "side" "SELECT 1;"
	EDITOR=$ED run -1 --separate-stderr rt edit current
	assert_eq "$stderr" "error: 'current' names no revision"
	run -0 rt upgrade "$C"
	EDITOR=$ED run -0 rt edit current
	assert_eq "$(cat "$P/edited")" "$P/migrations/versions/${C}_create_t_c.sql"
	rm "$P/edited"
	EDITOR=$ED run -1 --separate-stderr rt edit heads
	assert_match "$stderr" "^error: 'heads' names several revisions: '($D|e5e5e5e5e5e5)', '($D|e5e5e5e5e5e5)'; name one of them$"
	EDITOR=$ED run -1 --separate-stderr rt edit ffff
	assert_contains "$stderr" "'ffff'"
	[ ! -e "$P/edited" ]
	# nothing to run: no variable, nothing on PATH
	run -1 --separate-stderr env EDITOR= VISUAL= PATH=/nonexistent "$RETORT" edit "$A"
	assert_eq "$stderr" "error: no editor found to open 'migrations/versions/${A}_create_t_a.sql': set EDITOR or VISUAL (none of sensible-editor, editor, nano, vim, code is on PATH)"
	# a variable naming nothing runnable falls through to the next, as in Alembic
	EDITOR=/no/such/editor VISUAL=$ED run -0 rt edit "$A"
	assert_eq "$(cat "$P/edited")" "$P/migrations/versions/${A}_create_t_a.sql"
	ED_STATUS=3 EDITOR=$ED run -1 --separate-stderr rt edit "$A"
	assert_eq "$stderr" "error: the editor '$ED' exited with status 3 on 'migrations/versions/${A}_create_t_a.sql'"
	run -2 rt edit
}

# ---- ensure_version ---------------------------------------------------------

@test "ensure_version creates the version and history tables and records nothing" {
	std_chain
	run -0 --separate-stderr rt ensure_version
	assert_eq "$output" ""
	has_version_table
	has_version_table "$DB" retort_history
	assert_eq "$(versions)" ""
	assert_eq "$(q 'SELECT count(*) FROM retort_history')" 0
	assert_eq "$(user_tables)" ""
	# again: nothing changes; and with rows, they stay
	run -0 rt ensure_version
	run -0 rt upgrade "$B"
	run -0 rt ensure_version
	assert_eq "$(versions)" "$B"
	assert_eq "$(q 'SELECT count(*) FROM retort_history')" 2
	assert_eq "$(user_tables)" "t_a
t_b"
	grep -q 'ensure_version' retort.log
}

@test "ensure_version --sql writes the DDL and touches nothing; the script makes the tables" {
	ini_set version_table my_versions
	run -0 --separate-stderr rt ensure_version --sql
	assert_eq "${lines[0]}" "-- retort $(rt --version | cut -d' ' -f2): ensure_version ($DIALECT)"
	assert_contains "$output" 'CREATE TABLE IF NOT EXISTS "my_versions" (version_num VARCHAR(32) NOT NULL, CONSTRAINT "my_versions_pkc" PRIMARY KEY (version_num));'
	assert_contains "$output" 'CREATE TABLE IF NOT EXISTS "retort_history" ('
	refute_contains "$output" "INSERT"
	refute has_version_table "$DB" my_versions
	is_pg || [ ! -e "$DB" ]
	printf '%s\n' "$output" >ddl.sql
	feed ddl.sql "$DB"
	has_version_table "$DB" my_versions
	run -0 rt current
	assert_eq "$output" ""
	run -2 rt ensure_version base
}

@test "ensure_version: an unreachable database is an error" {
	run -1 --separate-stderr rt -u "$UNREACHABLE_URL" ensure_version
	[ -n "$stderr" ]
}

# ---- version_locations ---------------------------------------------------------

# Two version folders: v1 holds the chain a1 <- a2, v2 the branch b1
# (label bb) <- b2; the default migrations/versions is not one of them.
two_folders() {
	ini_set version_locations "%(here)s/v1 v2"
	write_rev a1a1a1a1a1a1 "" "a1" "CREATE TABLE ta1 (id INT);" "DROP TABLE ta1;"
	mv_rev v1
	write_rev a2a2a2a2a2a2 a1a1a1a1a1a1 "a2" "CREATE TABLE ta2 (id INT);" "DROP TABLE ta2;"
	mv_rev v1
	LABELS=bb write_rev b1b1b1b1b1b1 "" "b1" "CREATE TABLE tb1 (id INT);" "DROP TABLE tb1;"
	mv_rev v2
	write_rev b2b2b2b2b2b2 b1b1b1b1b1b1 "b2" "CREATE TABLE tb2 (id INT);" "DROP TABLE tb2;"
	mv_rev v2
}

@test "version_locations: revisions of every folder; upgrade, history, current see them all" {
	two_folders
	write_rev ffffffffffff "" "not read" "SELECT 1;"   # migrations/versions is not listed
	run -0 --separate-stderr rt heads
	assert_eq "$(printf '%s\n' "$output" | sort)" "a2a2a2a2a2a2 (head)
b2b2b2b2b2b2 (bb) (head)"
	run -0 --separate-stderr rt history
	assert_eq "${#lines[@]}" 4
	run -0 --separate-stderr rt show b1b1
	assert_contains "$output" "Path: $P/v2/b1b1b1b1b1b1_b1.sql"
	run -0 rt upgrade heads
	assert_eq "$(versions)" "a2a2a2a2a2a2
b2b2b2b2b2b2"
	assert_eq "$(user_tables)" "ta1
ta2
tb1
tb2"
	run -0 rt downgrade bb@base
	assert_eq "$(versions)" "a2a2a2a2a2a2"
	run -0 rt verify
	# an applied file of the second folder edited: verify sees it
	run -0 rt upgrade heads
	echo "-- edited" >>"$P/v2/b1b1b1b1b1b1_b1.sql"
	run -1 --separate-stderr rt verify
	assert_contains "$stderr" "'$P/v2/b1b1b1b1b1b1_b1.sql' (revision 'b1b1b1b1b1b1') was changed"
}

@test "version_locations: the separators of Alembic 1.8" {
	two_folders
	local want="a2a2a2a2a2a2 (head)
b2b2b2b2b2b2 (bb) (head)"
	for spec in "v1, v2|" "v1,v2|" "v1 v2|space" "v1:v2|os" "v1:v2|:" "v1;v2|;"; do
		ini_set version_locations "${spec%|*}"
		sed -i '/^version_path_separator/d' retort.ini
		[ -z "${spec#*|}" ] || printf 'version_path_separator = %s\n' "${spec#*|}" >>retort.ini
		run -0 --separate-stderr rt heads
		assert_eq "$(printf '%s\n' "$output" | sort)" "$want" "version_locations = ${spec%|*} / ${spec#*|}"
	done
	# with a separator named, blanks are part of the name: one folder
	ini_set version_locations "v1 v2"
	ini_set version_path_separator ":"
	run -0 --separate-stderr rt heads
	assert_eq "$output" ""
	ini_set version_path_separator "tab"
	run -1 --separate-stderr rt heads
	assert_eq "$stderr" "error: $P/retort.ini: 'tab' is not a valid value for 'version_path_separator': expected 'space', 'os', ':' or ';'"
}

@test "version_locations: an id in two folders is an error naming both files" {
	two_folders
	cp "$P/v1/a1a1a1a1a1a1_a1.sql" "$P/v2/a1a1a1a1a1a1_copy.sql"
	run -1 --separate-stderr rt heads
	assert_eq "$stderr" "error: duplicate revision id 'a1a1a1a1a1a1' in '$P/v1/a1a1a1a1a1a1_a1.sql' and '$P/v2/a1a1a1a1a1a1_copy.sql'"
	# a folder named twice is read once
	rm "$P/v2/a1a1a1a1a1a1_copy.sql"
	ini_set version_locations "v1 v2 ./v1 $P/v2/"
	run -0 --separate-stderr rt heads
	assert_eq "${#lines[@]}" 2
}

@test "revision --version-path: where new files go, as Alembic decides" {
	ini_set version_locations "v1 v2"
	# a base among several folders must say where (v1, v2 do not exist yet)
	run -1 --separate-stderr rt revision -m "a1" --rev-id a1a1a1a1a1a1
	assert_eq "$stderr" "error: the project has 2 version folders (version_locations): choose the new base revision's with --version-path"
	run -0 rt revision -m "a1" --rev-id a1a1a1a1a1a1 --version-path v1
	assert_eq "$output" "created v1/a1a1a1a1a1a1_a1.sql"
	# on top of a revision: its folder
	run -0 rt revision -m "a2" --rev-id a2a2a2a2a2a2
	assert_eq "$output" "created v1/a2a2a2a2a2a2_a2.sql"
	run -0 rt revision -m "b1" --rev-id b1b1b1b1b1b1 --head base --branch-label bb --version-path ./v2/
	assert_eq "$output" "created v2/b1b1b1b1b1b1_b1.sql"
	run -0 rt revision -m "b2" --rev-id b2b2b2b2b2b2 --head bb@head
	assert_eq "$output" "created v2/b2b2b2b2b2b2_b2.sql"
	# a merge goes with its first parent
	run -0 rt merge -m "m" --rev-id m1m1m1m1m1m1 b2b2b2b2b2b2 a2a2a2a2a2a2
	assert_eq "$output" "created v2/m1m1m1m1m1m1_m.sql"
	# --version-path is relative to the current folder
	cd v1
	run -0 rt revision -m "c1" --rev-id c1c1c1c1c1c1 --head a1a1a1a1a1a1 --splice --version-path .
	assert_eq "$output" "created c1c1c1c1c1c1_c1.sql"
	cd "$P"
	# a folder that is not one of them
	run -1 --separate-stderr rt revision -m "x" --head base --version-path migrations/versions
	assert_eq "$stderr" "error: '$P/migrations/versions' is not a version folder of the project (version_locations): '$P/v1', '$P/v2'"
	# the default folder is the only one without the key
	sed -i '/^version_locations/d' retort.ini
	run -1 --separate-stderr rt revision -m "x" --head base --version-path v1
	assert_contains "$stderr" "is not a version folder"
	run -0 rt revision -m "x" --rev-id d1d1d1d1d1d1 --head base --version-path migrations/versions
	assert_eq "$output" "created migrations/versions/d1d1d1d1d1d1_x.sql"
}

@test "version_locations: lint, test, embed and the header cache see every folder" {
	two_folders
	write_rev b2b2b2b2b2b2 b1b1b1b1b1b1 "b2" "DROP TABLE tb1;"
	mv_rev v2
	run -0 --separate-stderr rt lint
	assert_contains "$output" "v2/b2b2b2b2b2b2_b2.sql:"
	assert_contains "$output" "[drop-table]"
	write_rev b2b2b2b2b2b2 b1b1b1b1b1b1 "b2" "CREATE TABLE tb2 (id INT);" "DROP TABLE tb2;"
	mv_rev v2
	run -1 --separate-stderr rt test
	assert_contains "$output" "ok   revision b2b2b2b2b2b2"
	assert_contains "$output" "ok   revision a2a2a2a2a2a2"
	assert_contains "$stderr" "FAIL single-head: 2 heads"
	run -0 --separate-stderr rt embed
	assert_contains "$output" '{ "v1/a1a1a1a1a1a1_a1.sql", retort_migrations_0,'
	assert_contains "$output" '{ "v2/b2b2b2b2b2b2_b2.sql", retort_migrations_3,'
	assert_contains "$output" 'const retort_files retort_migrations = { ".", retort_migrations_files, 4 };'
	# one cache per folder, each kept up to date
	assert_eq "$(ls "$XDG_CACHE_HOME/retort" | grep -c '^headers-')" 2
	sed -i 's/^-- b2$/-- b2 renamed/' "$P/v2/b2b2b2b2b2b2_b2.sql"
	touch -d '2020-01-01' "$P/v2/b2b2b2b2b2b2_b2.sql"
	run -0 --separate-stderr rt history -r b1b1b1b1b1b1:b2b2b2b2b2b2
	assert_contains "$output" "b2 renamed"
}

@test "version_locations: a fleet without a tree of its own runs every folder on each tenant" {
	two_folders
	new_db T1
	printf 'one %s\n' "$T1_URL" >tenants.txt
	run -0 rt fleet upgrade heads --tenants tenants.txt
	assert_eq "$(versions "$T1")" "a2a2a2a2a2a2
b2b2b2b2b2b2"
	# a tree of its own: its versions folder only
	mkdir -p bot/versions
	write_rev c1c1c1c1c1c1 "" "c1" "CREATE TABLE tc1 (id INT);" "DROP TABLE tc1;"
	mv "$REV_FILE" bot/versions/
	printf '[fleet]\nscript_location = bot\n' >>retort.ini
	new_db T2
	printf 'two %s\n' "$T2_URL" >tenants.txt
	run -0 rt fleet upgrade head --tenants tenants.txt
	assert_eq "$(versions "$T2")" "c1c1c1c1c1c1"
}
