#!/usr/bin/env bats
# SQLite's table rebuild under autogenerate: it runs on SQLite whichever
# dialect the suite is run for.
load helper
load autogen

setup() {
	autogen_setup sqlite
}

teardown() {
	common_teardown
}

@test "SQLite: a rebuild of a parent keeps every ON DELETE CASCADE child and passes foreign_key_check" {
	run -0 rt upgrade head
	q "INSERT INTO categories (id, category_name) VALUES (1, 'books'), (2, 'games');
	   INSERT INTO products (name, price, category_id) VALUES ('a', 1, 1), ('b', 2, 1), ('c', 3, 2)"
	# products -> categories ON DELETE CASCADE, with foreign keys enforced
	# in the connection of the run (a transaction=false migration turns
	# them on, as an application's own migration might)
	sed -i 's/category_id INTEGER NOT NULL REFERENCES categories (id),/category_id INTEGER NOT NULL REFERENCES categories (id) ON DELETE CASCADE,/' "$SCHEMA"
	run -0 rt revision --autogenerate -m "Cascade products"
	run -0 rt upgrade head
	run -0 rt revision -m "Enforce foreign keys"
	fk_file=$(ls migrations/versions/*_enforce_foreign_keys.sql)
	sed -i 's/^-- +upgrade$/-- +upgrade transaction=false\nPRAGMA foreign_keys = ON;/' "$fk_file"
	run -0 rt upgrade head
	# the parent changes in a way ALTER TABLE cannot do: a rebuild
	sed -i 's/^    category_name TEXT NOT NULL,$/    category_name VARCHAR(100) NOT NULL CHECK (length(category_name) > 0),/' "$SCHEMA"
	run -0 --separate-stderr rt revision --autogenerate -m "Rebuild categories"
	file=$(ls migrations/versions/*_rebuild_categories.sql)
	grep -q '^-- +upgrade foreign_keys=off$' "$file"
	grep -q '^CREATE TABLE new_categories ($' "$file"
	grep -q '^DROP TABLE categories;$' "$file"
	grep -q '^ALTER TABLE new_categories RENAME TO categories;$' "$file"
	# run both in one connection: foreign keys on, then the rebuild
	run -0 rt downgrade -1
	run -0 rt upgrade head
	assert_eq "$(q "SELECT count(*) FROM products")" 3
	assert_eq "$(q "PRAGMA foreign_key_check")" ""
	run -0 rt check
	run -0 rt downgrade -2
	assert_eq "$(q "SELECT count(*) FROM products")" 3

	# without the option the cascade empties the child table: the option
	# is what keeps the rows
	sed -i 's/^-- +upgrade foreign_keys=off$/-- +upgrade/' "$file"
	run -0 rt upgrade head
	assert_eq "$(q "SELECT count(*) FROM products")" 0
}

@test "SQLite: foreign_key_check failing rolls the rebuild back" {
	run -0 rt upgrade head
	q "INSERT INTO users (id, telegram_id) VALUES (1, 10);
	   INSERT INTO purchases (user_id, product_id, price) VALUES (1, 99, 5)"
	sed -i 's/^    price       INTEGER NOT NULL,$/    price       INTEGER NOT NULL CHECK (price >= 0),/' "$SCHEMA"
	run -0 rt revision --autogenerate -m "Check prices"
	run -1 --separate-stderr rt upgrade head
	assert_contains "$stderr" "foreign key check failed"
	assert_eq "$(versions)" "9e5d30f1b6a8"
	assert_eq "$(q "SELECT count(*) FROM purchases")" 1
	run -0 rt upgrade head --sql
	assert_contains "$output" "PRAGMA foreign_keys = OFF;"
	assert_contains "$output" "PRAGMA foreign_key_check;"
}

@test "SQLite: an INTEGER PRIMARY KEY is the rowid, never NULL, whether or not it says NOT NULL" {
	# a project of its own: the migration as people write it, the model
	# as SQLAlchemy writes it
	P="$BATS_TEST_TMPDIR/rowid"
	new_project "$P"
	SCHEMA=schema.sql
	ini_set schema "$SCHEMA"
	write_rev a1a1a1a1a1a1 "" "t" "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER);"
	echo "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, n INTEGER);" >"$SCHEMA"
	run -0 rt upgrade head
	run -0 --separate-stderr rt check
	assert_eq "$stderr" ""
	# a composite key or a WITHOUT ROWID table is no rowid: NOT NULL counts
	echo "CREATE TABLE t (id INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (id, n));" >"$SCHEMA"
	write_rev b2b2b2b2b2b2 a1a1a1a1a1a1 "t2" "DROP TABLE t; CREATE TABLE t (id INTEGER, n INTEGER, PRIMARY KEY (id, n));"
	run -0 rt upgrade head
	run -1 rt check
	assert_contains "$output" "NULL -> NOT NULL"
}

@test "SQLite: sqlite3's .schema and .dump of a migrated database are models: check is clean, and an empty database gets it back" {
	# issue 18 item 7: the shop migrated by retort, with a view and
	# statistics, so that .schema writes SQLite's own sqlite_sequence and
	# sqlite_stat1 and a comment after the view
	write_rev a1a1a1a1a1a1 9e5d30f1b6a8 "buyers" \
		"CREATE VIEW buyers AS SELECT u.id, u.username FROM users u WHERE EXISTS (SELECT 1 FROM purchases p WHERE p.user_id = u.id);" \
		"DROP VIEW buyers;"
	run -0 rt upgrade head
	q "INSERT INTO categories (id, category_name) VALUES (1, 'books'); ANALYZE"
	sqlite3 "$DB" .schema >dump.sql
	grep -q '^CREATE TABLE sqlite_sequence(name,seq);$' dump.sql
	grep -q '^CREATE TABLE sqlite_stat1(tbl,idx,stat);$' dump.sql
	grep -q '^/\* buyers(id,username) \*/;$' dump.sql
	ini_set schema dump.sql
	run -0 --separate-stderr rt check
	assert_contains "$output" "no changes"
	# .dump: PRAGMA foreign_keys=OFF, BEGIN TRANSACTION, the rows, COMMIT
	sqlite3 "$DB" .dump >full.sql
	grep -q '^BEGIN TRANSACTION;$' full.sql
	grep -q '^INSERT INTO sqlite_sequence' full.sql
	ini_set schema full.sql
	run -0 rt check
	assert_contains "$output" "no changes"

	# an empty database of a project without migrations
	mkdir ../empty
	cp dump.sql ../empty/
	new_project "$BATS_TEST_TMPDIR/empty"
	P=$BATS_TEST_TMPDIR/empty
	ini_set schema dump.sql
	run -0 rt revision --autogenerate -m "from the dump"
	assert_contains "$output" "detected add view buyers"
	run -0 rt upgrade head
	run -0 rt check
	assert_contains "$output" "no changes"
	# the same schema as the migrated one, as retort reads both
	run -0 rt schema dump
	mine=$output
	cd "$BATS_TEST_TMPDIR/shopbot"
	run -0 rt schema dump
	assert_eq "$mine" "$output"
	# and its own .schema, fed back, is clean too
	cd "$BATS_TEST_TMPDIR/empty"
	sqlite3 test.db .schema >dump.sql
	run -0 rt check
	assert_contains "$output" "no changes"
}

@test "SQLite: generated columns, DEFERRABLE foreign keys and index collations round-trip through autogenerate and check" {
	P="$BATS_TEST_TMPDIR/attrs"
	new_project "$P"
	DB="$P/test.db"
	SCHEMA=schema.sql
	ini_set schema "$SCHEMA"
	cat >"$SCHEMA" <<'SQL'
CREATE TABLE p (id INTEGER PRIMARY KEY);
CREATE TABLE t (
    id INTEGER PRIMARY KEY,
    a INTEGER,
    b INTEGER GENERATED ALWAYS AS (a * 2) STORED,
    c TEXT AS (a || 'x'),
    pid INTEGER REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED,
    name TEXT
);
CREATE INDEX ix_t_name ON t (name COLLATE NOCASE DESC);
SQL
	run -0 rt revision --autogenerate -m one
	run -0 rt upgrade head
	run -0 rt check
	assert_contains "$output" "no changes"
	first=$(q "SELECT sql FROM sqlite_schema WHERE name IN ('t', 'ix_t_name') ORDER BY name")
	assert_contains "$first" "b INTEGER GENERATED ALWAYS AS (a * 2) STORED"
	assert_contains "$first" "c TEXT GENERATED ALWAYS AS (a || 'x') VIRTUAL"
	assert_contains "$first" "REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED"
	assert_contains "$first" "(name COLLATE NOCASE DESC)"
	# deferred: a child row before its parent, in one transaction
	q "BEGIN; INSERT INTO t (id, a, pid, name) VALUES (1, 5, 1, 'n'); INSERT INTO p VALUES (1); COMMIT"

	sed -i 's/(a \* 2) STORED/(a * 3) STORED/; s/ DEFERRABLE INITIALLY DEFERRED//; s/COLLATE NOCASE DESC/COLLATE RTRIM/' "$SCHEMA"
	run -1 rt check
	assert_contains "$output" "generated a * 2 -> a * 3"
	assert_contains "$output" "drop foreign key t(pid) -> p(id) DEFERRABLE INITIALLY DEFERRED"
	run -0 rt revision --autogenerate -m two
	grep -q '^CREATE INDEX ix_t_name ON t (name COLLATE RTRIM);$' migrations/versions/*_two.sql
	run -0 rt upgrade head
	run -0 rt check
	assert_contains "$output" "no changes"
	# a key's collation alone is a change too
	sed -i 's/COLLATE RTRIM/COLLATE NOCASE/' "$SCHEMA"
	run -1 rt check
	assert_contains "$output" "add index ix_t_name on t (name COLLATE NOCASE)"
	sed -i 's/COLLATE NOCASE/COLLATE RTRIM/' "$SCHEMA"
	assert_eq "$(q "SELECT a, b, c, pid, name FROM t")" "5|15|5x|1|n"
	refute_contains "$(q "SELECT sql FROM sqlite_schema WHERE name = 't'")" "DEFERRABLE"

	run -0 rt downgrade -1
	assert_eq "$(q "SELECT sql FROM sqlite_schema WHERE name IN ('t', 'ix_t_name') ORDER BY name")" "$(
		printf '%s\n' "$first" | sed 's/CREATE TABLE t (/CREATE TABLE "t" (/')"
	assert_eq "$(q "SELECT a, b, c FROM t")" "5|10|5x"
}
