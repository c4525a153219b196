#!/usr/bin/env bats
# Offline mode: the --sql script, fed to sqlite3, gives the same database
# as the online run, and no connection is made to produce it.

load helper

setup() {
	common_setup
	new_project
	# a chain with more than plain tables: indexes, a trigger, data, a view
	write_rev "$A" "" "Create shop" \
		"CREATE TABLE categories (id INTEGER PRIMARY KEY AUTOINCREMENT, category_name TEXT NOT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE products (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,
    price INTEGER NOT NULL, category_id INTEGER NOT NULL REFERENCES categories (id));
INSERT INTO categories (id, category_name, created_at) VALUES (1, 'tea; green', '2026-01-01 00:00:00');" \
		"DROP TABLE products;
DROP TABLE categories;"
	write_rev "$B" "$A" "Index and audit" \
		"CREATE INDEX ix_products_category_id ON products (category_id);
CREATE TABLE audit (what TEXT NOT NULL);
CREATE TRIGGER products_ai AFTER INSERT ON products
BEGIN
    INSERT INTO audit (what) VALUES ('product ' || new.name);
END;
INSERT INTO products (name, price, category_id) VALUES ('sencha', 450, 1);" \
		"DROP TRIGGER products_ai;
DROP TABLE audit;
DROP INDEX ix_products_category_id;
DELETE FROM products;"
	write_rev "$C" "$B" "Add stock" \
		"ALTER TABLE products ADD COLUMN stock INTEGER NOT NULL DEFAULT 0;
CREATE VIEW in_stock AS SELECT name FROM products WHERE stock > 0;" \
		"DROP VIEW in_stock;
ALTER TABLE products DROP COLUMN stock;"
	write_rev "$D" "$C" "Seed stock" \
		"UPDATE products SET stock = 3 WHERE name = 'sencha';" \
		"UPDATE products SET stock = 0;"
}

# offline SCRIPT_FILE DB: feed a script to sqlite3 (stopping at the first error).
feed() {
	sqlite3 -batch -bail "$2" <"$1"
}

@test "upgrade head --sql | sqlite3 gives the same database as upgrade head" {
	run -0 --separate-stderr rt upgrade head --sql
	printf '%s\n' "$output" >up.sql
	[ ! -e test.db ] || fail "--sql created the database file"
	feed up.sql fresh.db
	rt upgrade head >/dev/null
	assert_eq "$(dump_all fresh.db)" "$(dump_all test.db)"
	assert_eq "$(versions fresh.db)" "$D"
	# the trigger fired in both
	assert_eq "$(sqlite3 fresh.db 'SELECT what FROM audit')" "product sencha"
}

@test "--sql prints only SQL: the script has no progress lines" {
	run -0 --separate-stderr rt upgrade head --sql
	# (comments may say what runs; progress lines may not)
	run -1 grep -E '^(upgrade|downgrade) |ms\)$' <<<"$output"
	run -0 --separate-stderr rt upgrade head --sql
	# one transaction per migration (the version table's creation may
	# have one of its own)
	local begins commits
	begins=$(printf '%s\n' "$output" | grep -Eic '^BEGIN( IMMEDIATE| TRANSACTION)*;' || true)
	commits=$(printf '%s\n' "$output" | grep -Eic '^(COMMIT|END TRANSACTION);' || true)
	assert_eq "$begins" "$commits" "BEGIN and COMMIT counts"
	[ "$commits" -ge 4 ] || fail "expected a transaction per migration, got $commits COMMITs"
}

@test "--sql makes no connection" {
	# a database in a folder that does not exist could not be opened
	run -0 --separate-stderr rt -u "sqlite:///$BATS_TEST_TMPDIR/no/such/dir/x.db" upgrade head --sql
	[ ! -e "$BATS_TEST_TMPDIR/no" ]
	printf '%s\n' "$output" >up.sql
	feed up.sql fresh.db
	assert_eq "$(versions fresh.db)" "$D"
}

@test "upgrade FROM:TO --sql continues a database that is at FROM" {
	rt upgrade "$B" >/dev/null
	cp test.db partial.db
	run -0 --separate-stderr rt upgrade "$B:head" --sql
	printf '%s\n' "$output" >rest.sql
	refute_contains "$output" "CREATE TABLE categories"
	feed rest.sql partial.db
	rt upgrade head >/dev/null
	assert_eq "$(dump_all partial.db)" "$(dump_all test.db)"
}

@test "upgrade REV --sql stops at REV" {
	run -0 --separate-stderr rt upgrade "$B" --sql
	printf '%s\n' "$output" >up.sql
	feed up.sql fresh.db
	rt upgrade "$B" >/dev/null
	assert_eq "$(dump_all fresh.db)" "$(dump_all test.db)"
	assert_eq "$(versions fresh.db)" "$B"
}

@test "downgrade FROM:TO --sql matches the online downgrade" {
	rt upgrade head >/dev/null
	cp test.db offline.db
	run -0 --separate-stderr rt downgrade "$D:$A" --sql
	printf '%s\n' "$output" >down.sql
	feed down.sql offline.db
	rt downgrade "$A" >/dev/null
	assert_eq "$(dump_all offline.db)" "$(dump_all test.db)"
	assert_eq "$(versions offline.db)" "$A"

	# and all the way down
	run -0 --separate-stderr rt downgrade "$A:base" --sql
	printf '%s\n' "$output" >down2.sql
	feed down2.sql offline.db
	rt downgrade base >/dev/null
	assert_eq "$(dump_all offline.db)" "$(dump_all test.db)"
	assert_eq "$(versions offline.db)" ""
}

@test "downgrade --sql needs FROM:TO" {
	run --separate-stderr rt downgrade -1 --sql
	[ "$status" -ne 0 ] || fail "downgrade -1 --sql succeeded"
	assert_match "$stderr" "^error: "
	[ ! -e test.db ]
}

@test "stamp --sql matches the online stamp" {
	run -0 --separate-stderr rt stamp "$C" --sql
	printf '%s\n' "$output" >stamp.sql
	feed stamp.sql fresh.db
	[ ! -e test.db ]
	rt stamp "$C" >/dev/null
	assert_eq "$(dump_all fresh.db)" "$(dump_all test.db)"
	assert_eq "$(versions fresh.db)" "$C"
	assert_eq "$(user_tables fresh.db)" ""
}

@test "upgrade heads --sql over two branches matches the online run" {
	write_rev eeeeeeeeeeee "" "Other base" \
		"CREATE TABLE t_other (id INTEGER PRIMARY KEY);" "DROP TABLE t_other;"
	run -0 --separate-stderr rt upgrade heads --sql
	printf '%s\n' "$output" >up.sql
	feed up.sql fresh.db
	rt upgrade heads >/dev/null
	assert_eq "$(dump_all fresh.db)" "$(dump_all test.db)"
	assert_eq "$(versions fresh.db)" "$D
eeeeeeeeeeee"
}

@test "transaction_per_migration = false: one transaction in the script" {
	ini_set transaction_per_migration false
	run -0 --separate-stderr rt upgrade head --sql
	printf '%s\n' "$output" >up.sql
	local commits
	commits=$(grep -Eic '^(COMMIT|END TRANSACTION);' up.sql || true)
	[ "$commits" -ge 1 ] && [ "$commits" -le 2 ] ||
		fail "expected one transaction for the migrations, got $commits COMMITs"
	feed up.sql fresh.db
	rt upgrade head >/dev/null
	assert_eq "$(dump_all fresh.db)" "$(dump_all test.db)"
}

@test "the offline script of a custom version table" {
	ini_set version_table alembic_version
	run -0 --separate-stderr rt upgrade head --sql
	printf '%s\n' "$output" >up.sql
	feed up.sql fresh.db
	assert_eq "$(versions fresh.db alembic_version)" "$D"
	! has_version_table fresh.db retort_version
}
