#!/usr/bin/env bats
# A migration the database refuses at COMMIT, not at a statement: a
# DEFERRABLE INITIALLY DEFERRED foreign key checked when the transaction
# ends.  The error is the one a failed statement gets (issue 14 item 5):
# the file, the database's message, the revision the database is at and
# that nothing of the migration was applied; the history says 'failed'.
#
# SQLite checks foreign keys only with PRAGMA foreign_keys = ON, which
# retort leaves as SQLite has it (off) and which does nothing inside a
# transaction.  Revision B turns it on from a transaction=false section:
# the setting holds for the rest of the run's connection.  On PostgreSQL
# B is a plain statement outside a transaction, so both dialects run the
# same chain.

load helper

setup() {
	common_setup
	new_project
	write_rev "$A" "" "Create parent" \
		"CREATE TABLE parent (id INTEGER PRIMARY KEY);
INSERT INTO parent (id) VALUES (1);" \
		"DROP TABLE parent;"
	local on="SELECT 1;"
	is_sqlite && on="PRAGMA foreign_keys = ON;"
	cat >"migrations/versions/${B}_foreign_keys_on.sql" <<EOF
-- Foreign keys on
--
-- revision: $B
-- down_revision: $A
-- create_date: 2026-11-22 10:00:00+00:00

-- +upgrade transaction=false
$on

-- +downgrade
EOF
	rt upgrade "$A" >/dev/null
	before_schema=$(dump_schema)
	before_all=$(dump_all)
}

teardown() {
	common_teardown
}

fk_msg() {
	if is_sqlite; then
		echo "cannot commit: FOREIGN KEY constraint failed"
	else
		echo 'violates foreign key constraint "child_parent_id_fkey"'
	fi
}

# write_orphan ID DOWN: a migration whose statements all succeed but which
# leaves a child row without its parent, refused at COMMIT.  The database
# names no line then: the message gives the section's first (ORPHAN_LINE).
write_orphan() {
	ORPHAN_FILE="migrations/versions/${1}_orphan.sql"
	cat >"$ORPHAN_FILE" <<EOF
-- Orphan
--
-- revision: $1
-- down_revision: $2
-- create_date: 2026-11-22 10:00:00+00:00

-- +upgrade
-- checked at COMMIT only
CREATE TABLE child (id INTEGER PRIMARY KEY,
	parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);
INSERT INTO parent (id) VALUES (2);
INSERT INTO child (id, parent_id) VALUES (1, 42);

-- +downgrade
DROP TABLE child;
EOF
	ORPHAN_LINE=8
	assert_eq "$(sed -n "$((ORPHAN_LINE - 1))p" "$ORPHAN_FILE")" "-- +upgrade"
}

history() {
	q "SELECT revision || ' ' || status FROM retort_history ORDER BY id"
}

@test "a deferred foreign key refused at COMMIT: file, database message, where the database is, a failed history row" {
	write_orphan "$C" "$B"
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "error: upgrade $B -> $C failed at $P/$ORPHAN_FILE:$ORPHAN_LINE: "
	assert_contains "$stderr" "$(fk_msg)"
	assert_contains "$stderr" "the database is at '$B'; nothing of '$C' was applied"
	refute_contains "$stderr" "cannot record"
	# B committed before C began; nothing of C stays
	assert_eq "$(versions)" "$B"
	assert_eq "$(dump_schema)" "$before_schema"
	assert_eq "$(dump_all)" "$(printf '%s\n' "$before_all" | sed "s/^$A\$/$B/")"
	assert_eq "$(q 'SELECT count(*) FROM parent')" 1
	assert_eq "$(q "SELECT status FROM retort_history WHERE revision = '$C'")" "failed"
	assert_contains "$(q "SELECT error FROM retort_history WHERE revision = '$C'")" "$(fk_msg)"
	# a failed transactional step is a record only: nothing to resume
	refute_contains "$stderr" "--resume"
}

@test "transaction_per_migration = false: a refused COMMIT names the last migration and rolls back the run's transaction" {
	ini_set transaction_per_migration false
	write_rev "$C" "$B" "Create t_c" "CREATE TABLE t_c (id INTEGER PRIMARY KEY);" "DROP TABLE t_c;"
	write_orphan "$D" "$C"
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "error: upgrade $C -> $D failed at $P/$ORPHAN_FILE:$ORPHAN_LINE: "
	assert_contains "$stderr" "$(fk_msg)"
	# B ran outside a transaction and committed its version change at
	# once; C and D shared the transaction that was refused
	assert_contains "$stderr" "the database is at '$B'; the run's transaction (transaction_per_migration = false) held 2 migrations, up to '$D', and was rolled back: nothing of them was applied"
	assert_eq "$(versions)" "$B"
	assert_eq "$(dump_schema)" "$before_schema"
	assert_eq "$(user_tables)" "parent"
	assert_eq "$(q "SELECT revision || ' ' || status FROM retort_history WHERE revision IN ('$C', '$D') ORDER BY id")" "$D failed"
}

@test "a COMMIT refused after a transaction=false step: the step before it is named, not the one that follows" {
	ini_set transaction_per_migration false
	# the orphan, then a transaction=false step whose start commits it
	write_orphan "$C" "$B"
	cat >"migrations/versions/${D}_outside.sql" <<EOF
-- Outside
--
-- revision: $D
-- down_revision: $C
-- create_date: 2026-11-22 10:00:00+00:00

-- +upgrade transaction=false
CREATE TABLE t_d (id INTEGER PRIMARY KEY);

-- +downgrade
DROP TABLE t_d;
EOF
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "error: upgrade $B -> $C failed at $P/$ORPHAN_FILE:$ORPHAN_LINE: "
	assert_contains "$stderr" "$(fk_msg)"
	assert_contains "$stderr" "the database is at '$B'; nothing of '$C' was applied"
	assert_eq "$(versions)" "$B"
	assert_eq "$(user_tables)" "parent"
	assert_eq "$(q "SELECT status FROM retort_history WHERE revision = '$C'")" "failed"
	assert_eq "$(q "SELECT count(*) FROM retort_history WHERE revision = '$D'")" 0
}
