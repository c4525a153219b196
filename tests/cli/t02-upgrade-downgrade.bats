#!/usr/bin/env bats
# upgrade, downgrade and stamp against a real database: targets, relative
# steps, output lines, the version table, the log.

load helper

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# A line of upgrade/downgrade output: "<verb> <from> -> <to>, <message> (<ms> ms)"
step_re() {
	printf '^%s %s -> %s, %s \\([0-9]+(\\.[0-9]+)? ms\\)$' "$1" "$2" "$3" "$4"
}

@test "scratch project: init, revision, fill, upgrade head, current, downgrade base" {
	rt init shop >/dev/null
	use_init_url shop
	cd shop
	run -0 --separate-stderr rt revision -m "create shop"
	local file=${output#created } rev
	rev=$(created_rev)
	fill_sections "$file" \
		"CREATE TABLE categories (id INTEGER PRIMARY KEY, category_name TEXT NOT NULL);
CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL,
    category_id INTEGER NOT NULL REFERENCES categories (id));" \
		"DROP TABLE products;
DROP TABLE categories;"
	run -0 --separate-stderr rt upgrade head
	assert_match "$output" "$(step_re upgrade '' "$rev" 'create shop')"
	# init's default url is the SQLite file data.db in the project folder
	if is_sqlite; then
		assert_eq "$(ls *.db)" "data.db"
	fi
	assert_eq "$(user_tables)" "categories
products"
	assert_eq "$(versions)" "$rev"
	run -0 --separate-stderr rt current
	assert_eq "$output" "$rev (head)"
	run -0 --separate-stderr rt downgrade base
	assert_match "$output" "$(step_re downgrade "$rev" '' 'create shop')"
	assert_eq "$(user_tables)" ""
	has_version_table
	assert_eq "$(versions)" ""
	run -0 --separate-stderr rt current
	assert_eq "$output" ""
}

@test "upgrade head applies the chain in order, one line each" {
	new_project
	std_chain
	run -0 --separate-stderr rt upgrade head
	assert_eq "${#lines[@]}" 4
	assert_match "${lines[0]}" "$(step_re upgrade '' "$A" 'Create t_a')"
	assert_match "${lines[1]}" "$(step_re upgrade "$A" "$B" 'Create t_b')"
	assert_match "${lines[2]}" "$(step_re upgrade "$B" "$C" 'Create t_c')"
	assert_match "${lines[3]}" "$(step_re upgrade "$C" "$D" 'Create t_d')"
	assert_eq "$(user_tables)" "t_a
t_b
t_c
t_d"
	assert_eq "$(versions)" "$D"
	assert_eq "$(q 'SELECT note FROM t_c')" "from $C"
	run -0 --separate-stderr rt current
	assert_eq "$output" "$D (head)"
}

@test "the version table is Alembic's: version_num VARCHAR(32) NOT NULL PRIMARY KEY" {
	new_project
	std_chain
	rt upgrade "$A" >/dev/null
	if is_sqlite; then
		assert_eq "$(q "SELECT name, type, \"notnull\", pk FROM pragma_table_info('retort_version')")" \
			"version_num|VARCHAR(32)|1|1"
	else
		assert_eq "$(q "SELECT column_name, data_type, character_maximum_length, is_nullable
			FROM information_schema.columns WHERE table_name = 'retort_version'")" \
			"version_num|character varying|32|NO"
		assert_eq "$(q "SELECT pg_get_constraintdef(oid) FROM pg_constraint
			WHERE conrelid = 'retort_version'::regclass")" "PRIMARY KEY (version_num)"
	fi
}

@test "upgrade with nothing to do prints nothing and exits 0" {
	new_project
	std_chain
	rt upgrade head >/dev/null
	local before
	before=$(dump_all)
	run -0 --separate-stderr rt upgrade head
	assert_eq "$output" ""
	run -0 --separate-stderr rt upgrade
	assert_eq "$output" ""
	run -0 --separate-stderr rt -v upgrade head
	assert_contains "$output$stderr" "nothing to do"
	assert_eq "$(dump_all)" "$before"
}

@test "upgrade without a target means head" {
	new_project
	std_chain
	run -0 --separate-stderr rt upgrade
	assert_eq "$(versions)" "$D"
}

@test "downgrade -1, upgrade +1, downgrade -2, upgrade +2" {
	new_project
	std_chain
	rt upgrade head >/dev/null
	run -0 --separate-stderr rt downgrade -1
	assert_eq "${#lines[@]}" 1
	assert_match "${lines[0]}" "$(step_re downgrade "$D" "$C" 'Create t_d')"
	assert_eq "$(versions)" "$C"
	assert_eq "$(user_tables)" "t_a
t_b
t_c"
	run -0 --separate-stderr rt upgrade +1
	assert_match "$output" "$(step_re upgrade "$C" "$D" 'Create t_d')"
	assert_eq "$(versions)" "$D"
	run -0 --separate-stderr rt downgrade -2
	assert_eq "${#lines[@]}" 2
	assert_match "${lines[0]}" "$(step_re downgrade "$D" "$C" 'Create t_d')"
	assert_match "${lines[1]}" "$(step_re downgrade "$C" "$B" 'Create t_c')"
	assert_eq "$(versions)" "$B"
	run -0 --separate-stderr rt upgrade +2
	assert_eq "$(versions)" "$D"
}

@test "upgrade and downgrade to a revision, by full id and by prefix" {
	new_project
	std_chain
	run -0 --separate-stderr rt upgrade "$B"
	assert_eq "${#lines[@]}" 2
	assert_eq "$(versions)" "$B"
	run -0 --separate-stderr rt upgrade c3c3
	assert_eq "$(versions)" "$C"
	run -0 --separate-stderr rt downgrade a1a
	assert_eq "${#lines[@]}" 2
	assert_eq "$(versions)" "$A"
	assert_eq "$(user_tables)" "t_a"
}

@test "relative targets REV+N and REV-N" {
	new_project
	std_chain
	run -0 --separate-stderr rt upgrade "$A+2"
	assert_eq "$(versions)" "$C"
	run -0 --separate-stderr rt upgrade "$A+3"
	assert_eq "$(versions)" "$D"
	run -0 --separate-stderr rt downgrade "$D-3"
	assert_eq "$(versions)" "$A"
	run -0 --separate-stderr rt upgrade +1
	assert_eq "$(versions)" "$B"
}

@test "from base: upgrade +1 applies the first revision" {
	new_project
	std_chain
	run -0 --separate-stderr rt upgrade +1
	assert_match "$output" "$(step_re upgrade '' "$A" 'Create t_a')"
	assert_eq "$(versions)" "$A"
}

@test "downgrade base leaves no user tables and an empty version table" {
	new_project
	std_chain
	rt upgrade head >/dev/null
	run -0 --separate-stderr rt downgrade base
	assert_eq "${#lines[@]}" 4
	assert_match "${lines[3]}" "$(step_re downgrade "$A" '' 'Create t_a')"
	assert_eq "$(user_tables)" ""
	has_version_table
	assert_eq "$(versions)" ""
}

@test "targets that cannot be reached fail without touching the database" {
	new_project
	std_chain
	rt upgrade "$B" >/dev/null
	local before
	before=$(dump_all)
	run --separate-stderr rt upgrade ffffffffffff
	[ "$status" -ne 0 ] || fail "upgrade to an unknown revision succeeded"
	assert_match "$stderr" "^error: "
	assert_contains "$stderr" "ffffffffffff"
	run --separate-stderr rt upgrade +5
	[ "$status" -ne 0 ] || fail "upgrade +5 from B of four succeeded"
	run --separate-stderr rt downgrade -3
	[ "$status" -ne 0 ] || fail "downgrade -3 from B succeeded"
	# a downgrade target that is above the current revision
	run --separate-stderr rt downgrade "$D"
	[ "$status" -ne 0 ] || fail "downgrade to a later revision succeeded"
	assert_eq "$(dump_all)" "$before"
}

@test "-q prints nothing on success" {
	new_project
	std_chain
	run -0 --separate-stderr rt -q upgrade head
	assert_eq "$output" ""
	assert_eq "$(versions)" "$D"
	run -0 --separate-stderr rt -q downgrade base
	assert_eq "$output" ""
}

@test "stamp sets the version without running migrations" {
	new_project
	std_chain
	run -0 --separate-stderr rt stamp "$C"
	assert_eq "$output" "stamped $C"
	assert_eq "$(versions)" "$C"
	assert_eq "$(user_tables)" ""
	run -0 --separate-stderr rt upgrade head
	assert_eq "${#lines[@]}" 1
	assert_match "$output" "$(step_re upgrade "$C" "$D" 'Create t_d')"
	assert_eq "$(user_tables)" "t_d"
	run -0 --separate-stderr rt stamp base
	assert_eq "$(versions)" ""
	assert_eq "$(user_tables)" "t_d"
	run -0 --separate-stderr rt stamp head
	assert_eq "$(versions)" "$D"
}

@test "stamp --purge replaces rows the scripts do not know" {
	new_project
	std_chain
	rt stamp "$B" >/dev/null
	q "INSERT INTO retort_version VALUES ('0badc0ffee00')"
	run -0 --separate-stderr rt current
	assert_line_match "^0badc0ffee00 \\(unknown\\)$"
	run -0 --separate-stderr rt stamp --purge "$C"
	assert_eq "$(versions)" "$C"
}

@test "transaction=false sections run outside a transaction" {
	new_project
	std_chain
	# VACUUM fails inside a transaction, so this only passes when the
	# section really runs on its own
	cat >"migrations/versions/e5e5e5e5e5e5_vacuum.sql" <<EOF
-- Vacuum
--
-- revision: e5e5e5e5e5e5
-- down_revision: $D

-- +upgrade transaction=false
VACUUM;

-- +downgrade transaction=false
VACUUM;
EOF
	run -0 --separate-stderr rt upgrade head
	assert_eq "$(versions)" e5e5e5e5e5e5
	run -0 --separate-stderr rt downgrade -1
	assert_eq "$(versions)" "$D"
	# the plain sections of the chain still run in transactions: VACUUM
	# inside one of them fails
	write_rev f6f6f6f6f6f6 "$D" "Vacuum in a transaction" "VACUUM;" ""
	rm migrations/versions/e5e5e5e5e5e5_vacuum.sql
	run -1 --separate-stderr rt upgrade head
	assert_eq "$(versions)" "$D"
}

@test "a dialect section beats the plain one" {
	new_project
	cat >"migrations/versions/${A}_dialects.sql" <<'EOF'
-- Dialects
--
-- revision: a1a1a1a1a1a1
-- down_revision:

-- +upgrade
CREATE TABLE t_plain (id INTEGER);

-- +upgrade sqlite
CREATE TABLE t_sqlite (id INTEGER PRIMARY KEY AUTOINCREMENT);

-- +upgrade postgresql
CREATE TABLE t_pg (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY);

-- +downgrade postgresql
DROP TABLE t_pg;

-- +downgrade
DROP TABLE t_sqlite;
EOF
	run -0 --separate-stderr rt upgrade head
	if is_sqlite; then
		assert_eq "$(user_tables)" "t_sqlite"
	else
		assert_eq "$(user_tables)" "t_pg"
	fi
	run -0 --separate-stderr rt downgrade base
	assert_eq "$(user_tables)" ""
}

@test "section markers: 'postgres' is PostgreSQL's section; an unknown dialect stops the run first" {
	new_project
	cat >"migrations/versions/${A}_alias.sql" <<'EOF'
-- Alias
--
-- revision: a1a1a1a1a1a1
-- down_revision:

-- +upgrade
CREATE TABLE t_plain (id INTEGER);

-- +upgrade postgres
CREATE TABLE t_pg (id INTEGER);

-- +downgrade
DROP TABLE IF EXISTS t_plain;
DROP TABLE IF EXISTS t_pg;
EOF
	run -0 --separate-stderr rt upgrade head
	if is_sqlite; then
		assert_eq "$(user_tables)" "t_plain"
	else
		assert_eq "$(user_tables)" "t_pg"
	fi
	write_rev "$B" "$A" "Next" "CREATE TABLE t_b (id INTEGER);" "DROP TABLE t_b;"
	sed 's/^-- +upgrade$/-- +upgrade mysql/' "$REV_FILE" >"$REV_FILE.new"
	mv "$REV_FILE.new" "$REV_FILE"
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "${B}_next.sql:9: unknown section option 'mysql'"
	assert_contains "$stderr" "nothing was changed"
	assert_eq "$(versions)" "$A"
	run -1 --separate-stderr rt upgrade --sql "$A:head"
	assert_contains "$stderr" "${B}_next.sql:9: unknown section option 'mysql'"
}

@test "the database's own parser splits statements: triggers, strings, comments with ';'" {
	new_project
	if is_sqlite; then
		write_rev "$A" "" "Tricky statements" \
			"CREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0);
CREATE TABLE audit (item_id INTEGER, what TEXT);
-- a comment; with a semicolon
CREATE TRIGGER items_ai AFTER INSERT ON items
BEGIN
    INSERT INTO audit (item_id, what) VALUES (new.id, 'insert;');
    UPDATE items SET n = n + 1 WHERE id = new.id;
END;
/* block comment; also ; here */
INSERT INTO items (id, body) VALUES (1, 'a;b'), (2, 'it''s; fine'), (3, '-- not a comment');" \
			"DROP TRIGGER items_ai;
DROP TABLE audit;
DROP TABLE items;"
	else
		write_rev "$A" "" "Tricky statements" \
			"CREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0);
CREATE TABLE audit (item_id INTEGER, what TEXT);
-- a comment; with a semicolon
CREATE FUNCTION items_ai() RETURNS trigger LANGUAGE plpgsql AS \$body\$
BEGIN
    INSERT INTO audit (item_id, what) VALUES (NEW.id, 'insert;');
    UPDATE items SET n = n + 1 WHERE id = NEW.id;
    RETURN NULL;
END;
\$body\$;
CREATE TRIGGER items_ai AFTER INSERT ON items FOR EACH ROW EXECUTE FUNCTION items_ai();
/* block comment; also ; here */
INSERT INTO items (id, body) VALUES (1, 'a;b'), (2, 'it''s; fine'), (3, E'-- not a comment');" \
			"DROP TRIGGER items_ai ON items;
DROP FUNCTION items_ai();
DROP TABLE audit;
DROP TABLE items;"
	fi
	run -0 --separate-stderr rt upgrade head
	assert_eq "$(q 'SELECT body, n FROM items ORDER BY id')" "a;b|1
it's; fine|1
-- not a comment|1"
	assert_eq "$(q "SELECT count(*) FROM audit WHERE what = 'insert;'")" 3
	run -0 --separate-stderr rt downgrade base
	assert_eq "$(user_tables)" ""
}

@test "the log file gets a timestamped line per event" {
	new_project
	std_chain
	rt upgrade head >/dev/null
	rt downgrade -1 >/dev/null
	[ -s retort.log ]
	# every line starts with an ISO-8601 timestamp
	run -1 grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}' retort.log
	local id
	for id in "$A" "$B" "$C" "$D"; do
		grep -q "$id" retort.log || fail "log does not mention $id:" "$(cat retort.log)"
	done
	grep -q "$(db_label)" retort.log || fail "log does not name the database:" "$(cat retort.log)"
}

@test "an empty migration section is fine" {
	new_project
	write_rev "$A" "" "Nothing yet" "" ""
	run -0 --separate-stderr rt upgrade head
	assert_eq "$(versions)" "$A"
	run -0 --separate-stderr rt downgrade base
	assert_eq "$(versions)" ""
}
