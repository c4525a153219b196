#!/usr/bin/env bats
# A foreign key to a column made unique only by a CREATE UNIQUE INDEX (no
# UNIQUE constraint), as Synapse's tables have (issue 18 item 3): the
# migration autogenerate writes and the output of schema dump make the
# index before the key needs it (PostgreSQL: ALTER TABLE ADD CONSTRAINT
# after the CREATE UNIQUE INDEX), for another table, a self-reference,
# new tables and kept ones, up and down.  SQLite checks the parent key
# only when rows are written: the key stays in its CREATE TABLE.
load helper

setup() {
	common_setup
	new_project
	ini_set schema schema.sql
}

teardown() {
	common_teardown
}

# The model: parent.code and node.code unique by an index; child -> parent
# and node -> node by those columns.  PostgreSQL takes the keys only after
# the indexes (as pg_dump writes them), SQLite anywhere.
model() {
	cat >schema.sql <<'EOF2'
CREATE TABLE child (id INTEGER PRIMARY KEY, parent_code TEXT);
CREATE TABLE node (id INTEGER PRIMARY KEY, code TEXT NOT NULL, up TEXT);
CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT NOT NULL);
EOF2
	[ "${1:-}" = bare ] && return 0
	if is_sqlite; then
		# (SQLite adds no foreign key with ALTER TABLE: the tables again)
		cat >schema.sql <<'EOF2'
CREATE TABLE child (id INTEGER PRIMARY KEY, parent_code TEXT REFERENCES parent (code));
CREATE TABLE node (id INTEGER PRIMARY KEY, code TEXT NOT NULL, up TEXT REFERENCES node (code));
CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT NOT NULL);
EOF2
	fi
	cat >>schema.sql <<'EOF2'
CREATE UNIQUE INDEX node_code_key ON node (code);
CREATE UNIQUE INDEX parent_code_key ON parent (code);
EOF2
	is_sqlite && return 0
	cat >>schema.sql <<'EOF2'
ALTER TABLE child ADD CONSTRAINT child_parent_code_fkey FOREIGN KEY (parent_code) REFERENCES parent (code);
ALTER TABLE node ADD CONSTRAINT node_up_fkey FOREIGN KEY (up) REFERENCES node (code);
EOF2
}

# Rows through the keys, with foreign keys enforced; a row to nowhere fails.
rows_hold() {
	local db=${1:-$DB}
	db_sql "$db" "$(fk_on) INSERT INTO parent (id, code) VALUES (1, 'a');
		INSERT INTO child (id, parent_code) VALUES (1, 'a');
		INSERT INTO node (id, code, up) VALUES (1, 'root', NULL), (2, 'leaf', 'root')"
	nowhere_refused "$db"
}

fk_on() {
	is_sqlite && echo "PRAGMA foreign_keys = ON;"
	return 0
}

nowhere_refused() {
	run ! db_sql "${1:-$DB}" "$(fk_on) INSERT INTO child (id, parent_code) VALUES (2, 'nowhere')"
	assert_contains "${output,,}" "foreign key"
}

@test "a foreign key to a column a unique index makes unique: new tables, up, down, check" {
	model
	run -0 rt revision --autogenerate -m "tables"
	f=$(ls migrations/versions/*_tables.sql)
	if is_pg; then
		# after the index it needs, never inside CREATE TABLE
		refute grep -q "REFERENCES.*(code)$" "$f"
		idx=$(grep -n '^CREATE UNIQUE INDEX parent_code_key' "$f" | cut -d: -f1)
		key=$(grep -n '^ALTER TABLE child ADD CONSTRAINT child_parent_code_fkey' "$f" | cut -d: -f1)
		[ -n "$idx" ] && [ -n "$key" ] && [ "$idx" -lt "$key" ] || fail "index $idx, key $key"
	fi
	run -0 rt upgrade head
	rows_hold
	run -0 rt check
	run -0 rt downgrade base
	assert_eq "$(user_tables)" ""
	run -0 rt upgrade head
	run -0 rt check

	# schema dump loads as it is into an empty database, keys and all
	run -0 --separate-stderr rt schema dump
	printf '%s\n' "$output" >dump.sql
	new_db COPY
	feed dump.sql "$COPY"
	rows_hold "$COPY"
}

@test "a foreign key to a column a unique index makes unique: added to kept tables, and removed" {
	model bare
	run -0 rt revision --autogenerate -m "bare"
	run -0 rt upgrade head
	q "INSERT INTO parent (id, code) VALUES (7, 'x')"
	model
	run -0 rt revision --autogenerate -m "keys"
	run -0 rt upgrade head
	assert_eq "$(q "SELECT code FROM parent")" x
	rows_hold
	run -0 rt check
	# down: the keys go before the indexes they use; a row to nowhere is
	# then taken, and refused again by the next upgrade
	run -0 rt downgrade -1
	q "INSERT INTO child (id, parent_code) VALUES (2, 'nowhere')"
	run -1 rt upgrade head
	q "DELETE FROM child WHERE id = 2"
	run -0 rt upgrade head
	run -0 rt check
}

@test "a unique index a foreign key uses, made a UNIQUE constraint and back" {
	model
	run -0 rt revision --autogenerate -m "tables"
	run -0 rt upgrade head
	rows_hold
	sed -i '/^CREATE UNIQUE INDEX parent_code_key/d;
		s/^CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT NOT NULL);$/CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT NOT NULL, CONSTRAINT parent_code_uq UNIQUE (code));/' schema.sql
	grep -q parent_code_uq schema.sql
	# (PostgreSQL drops no index a key depends on: the key goes first)
	run -0 rt revision --autogenerate -m "constraint"
	run -0 rt upgrade head
	run -0 rt check
	assert_eq "$(q "SELECT parent_code FROM child")" a
	nowhere_refused
	run -0 rt downgrade -1
	nowhere_refused
	run -0 rt upgrade head
	run -0 rt check
}
