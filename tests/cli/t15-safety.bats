#!/usr/bin/env bats
# Safety nets: checksums of applied migrations, the failed state of a
# transaction=false section and --resume, --backup and restore.

load helper

R=e5e5e5e5e5e5

setup() {
	common_setup
	new_project
	write_rev "$A" "" "Create t_a" \
		"CREATE TABLE t_a (id INTEGER PRIMARY KEY, note TEXT NOT NULL);
INSERT INTO t_a (id, note) VALUES (1, 'from a');" \
		"DROP TABLE t_a;"
	A_FILE=$REV_FILE
	write_rev "$B" "$A" "Create t_b" \
		"CREATE TABLE t_b (id INTEGER PRIMARY KEY);" \
		"DROP TABLE t_b;"
}

teardown() {
	common_teardown
}

# SHA-256 of a file as it is (the fixtures are LF without a BOM, which is
# what the normalisation gives).
sha() {
	sha256sum "$1" | cut -d' ' -f1
}

history_rows() {
	q "SELECT revision || ' ' || direction || ' ' || status FROM retort_history ORDER BY id"
}

# ---- checksums ----------------------------------------------------------------

@test "the checksum recorded on upgrade is the SHA-256 of the file" {
	rt upgrade "$A" >/dev/null
	assert_eq "$(q "SELECT checksum FROM retort_history WHERE revision = '$A'")" "$(sha "$A_FILE")"
	run -0 --separate-stderr rt verify
	assert_contains "$output" "every applied migration matches"
}

@test "every history row says who applied it, with which retort, and how it went" {
	rt upgrade head >/dev/null
	rt downgrade -1 >/dev/null
	local who n
	who="$(id -un)@$(hostname)"
	n=$(q "SELECT count(*) FROM retort_history")
	[ "$n" -ge 2 ] || fail "expected at least two history rows, got $n"
	# the same user@host and version on every row, looked up once per run
	assert_eq "$(q "SELECT DISTINCT applied_by FROM retort_history")" "$who"
	assert_eq "$(q "SELECT DISTINCT retort_version FROM retort_history")" "$("$RETORT" --version | cut -d' ' -f2)"
	assert_eq "$(q "SELECT status FROM retort_history ORDER BY id DESC LIMIT 1")" "reverted"
}

@test "one transaction for the whole run: a history row per migration, in order, with its checksum" {
	ini_set transaction_per_migration false
	write_rev "$C" "$B" "Create t_c" \
		"CREATE TABLE t_c (id INTEGER PRIMARY KEY);" \
		"DROP TABLE t_c;"
	local c_file=$REV_FILE
	rt upgrade head >/dev/null
	assert_eq "$(history_rows)" "$A upgrade applied
$B upgrade applied
$C upgrade applied"
	assert_eq "$(q "SELECT checksum FROM retort_history WHERE revision = '$C'")" "$(sha "$c_file")"
	assert_eq "$(q "SELECT count(*) FROM retort_history WHERE duration_ms IS NULL")" 0
	rt downgrade base >/dev/null
	assert_eq "$(history_rows | tail -n 3)" "$C downgrade reverted
$B downgrade reverted
$A downgrade reverted"
	assert_eq "$(versions)" ""
}

@test "one transaction for the whole run: history rows that cannot be written roll the run back" {
	rt upgrade "$A" >/dev/null
	# the history table refuses new rows from now on
	if is_sqlite; then
		q "CREATE TRIGGER no_history BEFORE INSERT ON retort_history
			BEGIN SELECT RAISE(ABORT, 'history is read-only'); END;"
	else
		q 'CREATE FUNCTION no_history() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN RAISE EXCEPTION '"'"'history is read-only'"'"'; END $$;
			CREATE TRIGGER no_history BEFORE INSERT ON retort_history
			FOR EACH ROW EXECUTE FUNCTION no_history();'
	fi
	local before
	before=$(dump_all)
	ini_set transaction_per_migration false
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "cannot write the history rows of this run, so its transaction was rolled back; the database is at '$A'"
	assert_contains "$stderr" "history is read-only"
	assert_eq "$(versions)" "$A"
	assert_eq "$(dump_all)" "$before"
}

@test "an applied revision edited (one letter): refused before any change, both checksums shown" {
	rt upgrade "$A" >/dev/null
	local old new before history
	old=$(sha "$A_FILE")
	before=$(dump_all)
	history=$(history_rows)
	sed -i 's/from a/from A/' "$A_FILE"
	new=$(sha "$A_FILE")
	[ "$old" != "$new" ] || fail "the edit did not change the file"

	run -1 --separate-stderr rt upgrade head
	assert_match "$stderr" "^error: 1 applied migration changed since it was applied; nothing was changed"
	assert_contains "$stderr" "$A_FILE"
	assert_contains "$stderr" "'$A'"
	assert_contains "$stderr" "recorded sha256 $old"
	assert_contains "$stderr" "file now $new"
	assert_contains "$stderr" "stamp --fix-checksums"
	# nothing ran: no table, no version row, no history row
	assert_eq "$(dump_all)" "$before"
	assert_eq "$(history_rows)" "$history"
	assert_eq "$(versions)" "$A"

	# downgrade is refused the same way
	run -1 --separate-stderr rt downgrade base
	assert_contains "$stderr" "file now $new"
	assert_eq "$(dump_all)" "$before"

	run -1 --separate-stderr rt verify
	assert_contains "$stderr" "recorded sha256 $old, file now $new"

	# the escape hatch: accept the edit, then the run goes on
	run -0 --separate-stderr rt stamp --fix-checksums "$A"
	run -0 --separate-stderr rt verify
	run -0 --separate-stderr rt upgrade head
	assert_eq "$(versions)" "$B"
}

@test "an applied revision whose line endings became CRLF is accepted" {
	rt upgrade "$A" >/dev/null
	sed -i 's/$/\r/' "$A_FILE"
	grep -q $'\r$' "$A_FILE" || fail "the file has no CRLF"
	run -0 --separate-stderr rt verify
	run -0 --separate-stderr rt upgrade head
	assert_eq "$(versions)" "$B"
	assert_eq "$(q 'SELECT count(*) FROM t_b')" 0
}

@test "an applied revision that got a UTF-8 BOM is accepted" {
	rt upgrade "$A" >/dev/null
	{ printf '\xef\xbb\xbf'; cat "$A_FILE"; } >"$A_FILE.new"
	mv "$A_FILE.new" "$A_FILE"
	assert_eq "$(head -c 3 "$A_FILE" | od -An -tx1 | tr -d ' ')" "efbbbf"
	run -0 --separate-stderr rt verify
	run -0 --separate-stderr rt upgrade head
	assert_eq "$(versions)" "$B"
}

# ---- failed state and resume -----------------------------------------------------

# A transaction=false section of three statements whose second fails.
write_r() {
	local second=$1
	cat >"migrations/versions/${R}_three_steps.sql" <<EOF
-- Three steps
--
-- revision: $R
-- down_revision: $B
-- branch_labels:
-- depends_on:
-- create_date: 2026-11-22 10:00:00+00:00

-- +upgrade transaction=false
CREATE TABLE t_r1 (id INTEGER PRIMARY KEY);
$second
CREATE TABLE t_r3 (id INTEGER PRIMARY KEY);

-- +downgrade transaction=false
DROP TABLE t_r3;
DROP TABLE t_r2;
DROP TABLE t_r1;
EOF
}

@test "transaction=false, second of three statements fails: failed at statement 2, refused, --resume completes it once" {
	rt upgrade "$B" >/dev/null
	write_r "INSERT INTO no_such_table (id) VALUES (1);"

	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "${R}_three_steps.sql:11"
	assert_contains "$stderr" "1 statement of it had already been applied"
	assert_contains "$stderr" "--resume"
	# the first statement stayed, the third never ran
	assert_eq "$(user_tables)" "$(printf '%s\n' t_a t_b t_r1)"
	assert_eq "$(versions)" "$B"

	run -0 --separate-stderr rt current
	assert_contains "$output" "$R (failed at statement 2: the upgrade stopped after 1 statement"
	assert_contains "$output" "retort upgrade --resume"
	run -0 --separate-stderr rt history -i
	assert_contains "$output" "-> $R (head) (failed at statement 2),"

	# a plain upgrade refuses, saying what to do, and changes nothing
	local before
	before=$(dump_all)
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "failed part way on an earlier run"
	assert_contains "$stderr" "1 statement of its transaction=false section had been applied"
	assert_contains "$stderr" "retort upgrade --resume"
	assert_eq "$(dump_all)" "$before"

	# fixed: the second statement makes t_r2; --resume runs 2 and 3 only
	write_r "CREATE TABLE t_r2 (id INTEGER PRIMARY KEY);"
	run -0 --separate-stderr rt upgrade --resume
	assert_contains "$output" "$B -> $R"
	assert_eq "$(user_tables)" "$(printf '%s\n' t_a t_b t_r1 t_r2 t_r3)"
	assert_eq "$(versions)" "$R"
	# recorded once: one version row, one 'applied' history row
	assert_eq "$(q "SELECT count(*) FROM retort_version WHERE version_num = '$R'")" 1
	assert_eq "$(q "SELECT count(*) FROM retort_history WHERE revision = '$R' AND status = 'applied'")" 1
	assert_eq "$(q "SELECT statements_done FROM retort_history WHERE revision = '$R' AND status = 'failed'")" 1
	assert_eq "$(q "SELECT checksum FROM retort_history WHERE revision = '$R' AND status = 'applied'")" \
		"$(sha "migrations/versions/${R}_three_steps.sql")"
	run -0 --separate-stderr rt current
	assert_eq "$output" "$R (head)"
	# nothing left to resume
	run -1 --separate-stderr rt upgrade --resume
	assert_contains "$stderr" "there is no failed migration to resume"
	run -0 --separate-stderr rt verify
}

@test "one transaction for the whole run: a transaction=false migration stays recorded when a later one fails" {
	ini_set transaction_per_migration false
	write_r "CREATE TABLE t_r2 (id INTEGER PRIMARY KEY);"
	write_rev "$C" "$R" "Bad c" \
		"CREATE TABLE t_c (id INTEGER PRIMARY KEY);
INSERT INTO no_such_table (id) VALUES (1);" \
		"DROP TABLE t_c;"

	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "the database is at '$R'; nothing of '$C' was applied"
	# A and B committed before R ran outside a transaction; R's version
	# change committed with it; only C was rolled back
	assert_eq "$(user_tables)" "$(printf '%s\n' t_a t_b t_r1 t_r2 t_r3)"
	assert_eq "$(versions)" "$R"
	# R's trail: opened, each statement as it completed, then applied;
	# C's failure is recorded after its rollback
	assert_eq "$(history_rows)" "$A upgrade applied
$B upgrade applied
$R upgrade running
$R upgrade statement
$R upgrade statement
$R upgrade statement
$R upgrade applied
$C upgrade failed"
	run -0 --separate-stderr rt current
	assert_eq "$output" "$R"
}

# ---- backup and restore -----------------------------------------------------------

# A destructive revision above B: t_a goes, with its rows.
write_destructive() {
	write_rev "$C" "$B" "Drop t_a" "DROP TABLE t_a;" \
		"CREATE TABLE t_a (id INTEGER PRIMARY KEY, note TEXT NOT NULL);"
}

# The file named by the "backup of ... written to FILE" line of $output.
backup_file() {
	printf '%s\n' "$output" | sed -n 's/^backup of .* written to //p'
}

# Row counts of the user tables, "table count" per line.
row_counts() {
	local db=${1:-$DB} t
	for t in $(user_tables "$db"); do
		echo "$t $(db_sql "$db" "SELECT count(*) FROM \"$t\"")"
	done
}

@test "--backup copies the database first; the copy opens with the database's own tools and restore puts it back" {
	write_destructive
	rt upgrade "$B" >/dev/null
	q "INSERT INTO t_a (id, note) VALUES (2, 'two'), (3, 'three'); INSERT INTO t_b (id) VALUES (7);"
	local before counts file
	before=$(dump_all)
	counts=$(row_counts)

	run -0 --separate-stderr rt upgrade head --backup
	assert_match "${lines[0]}" "^backup of $B written to "
	assert_contains "$output" "$B -> $C"
	file=$(backup_file)
	[ -s "$file" ] || fail "no backup file '$file'"
	grep -qF "backup of " retort.log || fail "the backup is not in the log"
	grep -qF "$file" retort.log || fail "the log does not name '$file'"
	refute_contains "$(user_tables)" "t_a"

	if is_sqlite; then
		# <db>.<UTC time>.<rev>.bak beside the database
		assert_match "$file" "^$P/test\\.db\\.[0-9]{8}T[0-9]{6}Z\\.$B\\.bak$"
		assert_eq "$(row_counts "$file")" "$counts"
		assert_eq "$(versions "$file")" "$B"
		run -0 --separate-stderr rt restore "$file"
		assert_contains "$output" "restored"
		assert_eq "$(dump_all)" "$before"
		assert_eq "$(versions)" "$B"
		grep -qF "restored " retort.log || fail "the restore is not in the log"
		# and the next upgrade runs again
		run -0 --separate-stderr rt upgrade head
		assert_eq "$(versions)" "$C"
	else
		# pg_dump -Fc in the ini's folder: <dbname>.<UTC time>.<rev>.bak
		assert_match "$file" "^$P/${DB##*/}\\.[0-9]{8}T[0-9]{6}Z\\.$B\\.bak$"
		run -0 pg_restore --list "$file"
		assert_contains "$output" "TABLE public t_a"
		# the archive holds the rows: restore it into a new database
		new_db COPY
		pg_restore --no-owner --dbname="$COPY" "$file"
		assert_eq "$(row_counts "$COPY")" "$counts"
		assert_eq "$(versions "$COPY")" "$B"
		# retort leaves a PostgreSQL restore to the user, saying how
		local after
		after=$(dump_all)
		run -1 --separate-stderr rt restore "$file"
		assert_contains "$stderr" "does not restore PostgreSQL backups itself; nothing was changed"
		assert_contains "$stderr" "pg_restore --clean --if-exists --single-transaction"
		assert_contains "$stderr" "$file"
		refute_contains "$stderr" "retort-test-pw"
		assert_eq "$(dump_all)" "$after"
	fi
}

@test "restore refuses a file that is not a backup, and changes nothing" {
	rt upgrade "$B" >/dev/null
	local before
	before=$(dump_all)
	echo "not a database" >junk.bak
	run -1 --separate-stderr rt restore junk.bak
	if is_sqlite; then
		# its version table cannot be read
		assert_contains "$stderr" "cannot read the version table of the backup 'junk.bak': "
		assert_contains "$stderr" "nothing was changed"
		# and with --force, the driver's own check refuses it
		run -1 --separate-stderr rt restore --force junk.bak
		assert_contains "$stderr" "is not a SQLite database; nothing was changed"
	else
		assert_contains "$stderr" "is not a pg_dump archive"
	fi
	run -1 --separate-stderr rt restore no-such.bak
	assert_contains "$stderr" "no-such.bak"
	assert_eq "$(dump_all)" "$before"
}

@test "restore refuses a backup that is not this project's (unknown revision, empty or no version table), naming why; --force restores it" {
	rt upgrade "$B" >/dev/null
	local before
	before=$(dump_all)
	if is_pg; then
		# retort never overwrites a PostgreSQL database; --force changes nothing
		echo "not a database" >junk.bak
		run -1 --separate-stderr rt restore --force junk.bak
		assert_contains "$stderr" "is not a pg_dump archive"
		assert_eq "$(dump_all)" "$before"
		return
	fi
	# another project's database: a revision this graph does not have
	sqlite3 -batch -bail other.bak "CREATE TABLE retort_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
		INSERT INTO retort_version VALUES ('$A'), ('ffffffffffff'); CREATE TABLE theirs (x INTEGER);"
	run -1 --separate-stderr rt restore other.bak
	assert_match "$stderr" "^error: "
	assert_contains "$stderr" "'other.bak' is not a backup of this project: its revision 'ffffffffffff' is not in '"
	assert_contains "$stderr" "nothing was changed (--force restores it all the same)"
	assert_eq "$(dump_all)" "$before"
	# a SQLite file that retort never migrated
	sqlite3 -batch -bail plain.bak "CREATE TABLE t_a (id INTEGER PRIMARY KEY, note TEXT NOT NULL);"
	run -1 --separate-stderr rt restore plain.bak
	assert_contains "$stderr" "'plain.bak' has no version table 'retort_version': no revision says it is a backup of this project"
	# an empty version table
	sqlite3 -batch -bail empty.bak "CREATE TABLE retort_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);"
	run -1 --separate-stderr rt restore empty.bak
	assert_contains "$stderr" "'empty.bak' has an empty version table 'retort_version'"
	assert_eq "$(dump_all)" "$before"
	assert_eq "$(versions)" "$B"
	grep -qF "restored " retort.log && fail "a refused restore is in the log as done"

	# a backup of this project at one of its revisions is restored
	write_destructive
	run -0 --separate-stderr rt upgrade head --backup
	local file
	file=$(backup_file)
	run -0 --separate-stderr rt restore "$file"
	assert_eq "$(versions)" "$B"

	# --force restores another project's file all the same
	run -0 --separate-stderr rt restore --force other.bak
	assert_contains "$output" "restored"
	assert_eq "$(versions)" "$A
ffffffffffff"
	assert_eq "$(q "SELECT count(*) FROM theirs")" 0
	grep -qF "(--force)" retort.log || fail "the log does not say the restore was forced"
}

@test "backup = true in the config backs up every run that changes something; --no-backup overrides" {
	ini_set backup true
	run -0 --separate-stderr rt upgrade "$A"
	assert_match "${lines[0]}" "^backup of base written to .*\\.base\\.bak$"
	[ -s "$(backup_file)" ] || fail "no backup file"
	# nothing to do: no backup
	run -0 --separate-stderr rt upgrade "$A"
	assert_eq "$output" ""
	run -0 --separate-stderr rt upgrade head --no-backup
	refute_contains "$output" "backup"
	run -0 --separate-stderr rt downgrade "$A"
	assert_match "${lines[0]}" "^backup of $B written to "
	assert_eq "$(ls "$P"/*.bak | wc -l)" 2

	ini_set backup maybe
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "invalid value 'maybe' for 'backup'"
	assert_eq "$(versions)" "$A"
}

@test "backup_dir puts backups in that folder; --backup with --sql is a usage error" {
	ini_set backup_dir backups/nightly
	run -0 --separate-stderr rt upgrade head --backup
	assert_match "$(backup_file)" "^$P/backups/nightly/[^/]+\\.base\\.bak$"
	[ -s "$(backup_file)" ] || fail "no backup file"
	run -2 --separate-stderr rt upgrade head --sql --backup
	assert_contains "$stderr" "--backup"
}

@test "a backup that cannot be made stops the run before any change, naming what is missing" {
	rt upgrade "$A" >/dev/null
	local before
	before=$(dump_all)
	if is_sqlite; then
		# the folder cannot be made: a file is in the way
		echo x >in-the-way
		ini_set backup_dir in-the-way/sub
		run -1 --separate-stderr rt upgrade head --backup
		assert_contains "$stderr" "in-the-way"
	else
		ini_set pg_dump /nonexistent/bin/pg_dump
		run -1 --separate-stderr rt upgrade head --backup
		assert_contains "$stderr" "pg_dump = /nonexistent/bin/pg_dump"
		assert_contains "$stderr" "no such program"
		refute_contains "$stderr" "retort-test-pw"
	fi
	assert_contains "$stderr" "nothing was changed"
	assert_eq "$(dump_all)" "$before"
	assert_eq "$(versions)" "$A"
	assert_eq "$(ls "$P" | grep -c '\.bak$')" 0
}
