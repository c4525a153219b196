#!/usr/bin/env bats
# PostgreSQL: examples/shopbot runs unchanged with -u postgresql://... (its
# `postgresql` sections).

load pg_helper

setup() {
	pg_setup
	new_db
	EXAMPLE="$RETORT_SRC/examples/shopbot"
	[ -d "$EXAMPLE/migrations/versions" ] || {
		fail "examples/shopbot/migrations/versions is missing from $RETORT_SRC"
		return 1
	}
	# a copy, so that its log file does not land in the source tree
	cp -R "$EXAMPLE" "$BATS_TEST_TMPDIR/shopbot"
	rm -f "$BATS_TEST_TMPDIR/shopbot/retort.log" "$BATS_TEST_TMPDIR/shopbot/data.db"
	cd "$BATS_TEST_TMPDIR/shopbot"
}

teardown() {
	pg_teardown
}

shop_tables() {
	q "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'
		AND table_name NOT IN ('retort_version', 'retort_history') ORDER BY 1"
}

# child_table.column -> parent_table.column, one line per foreign key
shop_fks() {
	q "SELECT tc.table_name || '.' || kcu.column_name || ' -> ' || ccu.table_name || '.' || ccu.column_name
		FROM information_schema.table_constraints tc
		JOIN information_schema.key_column_usage kcu
		  ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
		JOIN information_schema.constraint_column_usage ccu
		  ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
		WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public' ORDER BY 1"
}

@test "shopbot: upgrade head creates the four tables and three foreign keys; downgrade base removes them" {
	local heads
	heads=$("$RETORT" heads)
	run -0 --separate-stderr rt -u "$DB_URL" upgrade head
	assert_eq "$stderr" ""
	assert_match "${lines[0]}" '^upgrade  -> [0-9a-f]+, '
	assert_eq "$(shop_tables)" "categories
products
purchases
users"
	assert_eq "$(q "SELECT count(*) FROM information_schema.table_constraints
		WHERE constraint_type = 'FOREIGN KEY' AND table_schema = 'public'")" 3
	assert_eq "$(shop_fks)" "products.category_id -> categories.id
purchases.product_id -> products.id
purchases.user_id -> users.id"
	# the postgresql sections ran, not the SQLite ones
	assert_eq "$(q "SELECT data_type FROM information_schema.columns
		WHERE table_name = 'users' AND column_name = 'created_at'")" "timestamp with time zone"
	assert_eq "$(versions) (head)" "$heads"
	# the tables work: the bot's first purchase
	q "INSERT INTO categories (category_name) VALUES ('books');
	   INSERT INTO users (telegram_id, username) VALUES (42, 'ann');
	   INSERT INTO products (name, price, category_id) VALUES ('SICP', 100, 1);
	   INSERT INTO purchases (user_id, product_id, price) VALUES (1, 1, 100);" >/dev/null
	run -1 psql_at "$DB_URL" "INSERT INTO purchases (user_id, product_id, price) VALUES (7, 1, 1)"
	assert_contains "$output" "foreign key"

	run -0 --separate-stderr rt -u "$DB_URL" downgrade base
	assert_eq "$stderr" ""
	assert_eq "$(shop_tables)" ""
	assert_eq "$(q "SELECT count(*) FROM information_schema.table_constraints
		WHERE constraint_type = 'FOREIGN KEY' AND table_schema = 'public'")" 0
	assert_eq "$(versions)" ""
	# and no password in the log
	refute_contains "$(cat retort.log)" "$PG_PASSWORD"
}

@test "shopbot: DATABASE_URL in the environment selects PostgreSQL too" {
	DATABASE_URL=$DB_URL run -0 --separate-stderr rt upgrade head
	assert_eq "$(shop_tables)" "categories
products
purchases
users"
	[ ! -e data.db ] || fail "a SQLite data.db was created"
	DATABASE_URL=$DB_URL run -0 --separate-stderr rt current
	assert_match "$output" '^[0-9a-f]+ \(head\)$'
}
