#!/usr/bin/env bats
# examples/shopbot, used the way its README says.

load helper

INIT=4c1b9e27d0a3
IDX=9e5d30f1b6a8

setup() {
	common_setup
	cp -R "$RETORT_SRC/examples/shopbot" "$BATS_TEST_TMPDIR/shopbot"
	rm -f "$BATS_TEST_TMPDIR"/shopbot/*.db "$BATS_TEST_TMPDIR"/shopbot/*.log
	P="$BATS_TEST_TMPDIR/shopbot"
	# the example's url is ${DATABASE_URL:-sqlite:///data.db}
	use_init_url "$P"
	cd "$P"
}

teardown() {
	common_teardown
}

columns() {
	if is_sqlite; then
		q "SELECT name FROM pragma_table_info('$1') ORDER BY cid" | paste -sd ' ' -
	else
		q "SELECT column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = '$1'
			ORDER BY ordinal_position" | paste -sd ' ' -
	fi
}

# "table|column|referenced table|referenced column" of every foreign key.
foreign_keys() {
	if is_sqlite; then
		q "SELECT m.name, f.\"from\", f.\"table\", f.\"to\"
			FROM sqlite_master AS m, pragma_foreign_key_list(m.name) AS f
			WHERE m.type = 'table' ORDER BY 1, 2"
	else
		q "SELECT kcu.table_name, kcu.column_name, ccu.table_name, ccu.column_name
			FROM information_schema.table_constraints tc
			JOIN information_schema.key_column_usage kcu USING (constraint_schema, constraint_name)
			JOIN information_schema.constraint_column_usage ccu USING (constraint_schema, constraint_name)
			WHERE tc.constraint_type = 'FOREIGN KEY' ORDER BY 1, 2"
	fi
}

# The example's own indexes (ix_...).
ix_indexes() {
	if is_sqlite; then
		q "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix\_%' ESCAPE '\' ORDER BY 1"
	else
		q "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()
			AND indexname LIKE 'ix\_%' ORDER BY 1"
	fi
}

# "type|notnull" of a column (notnull 1 or 0).
column_type() {
	if is_sqlite; then
		q "SELECT type, \"notnull\" FROM pragma_table_info('$1') WHERE name = '$2'"
	else
		q "SELECT data_type, CASE is_nullable WHEN 'NO' THEN 1 ELSE 0 END
			FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = '$1' AND column_name = '$2'"
	fi
}

@test "upgrade head creates the four tables with their columns" {
	run -0 --separate-stderr rt upgrade head
	assert_eq "${#lines[@]}" 2
	if is_sqlite; then
		[ -f data.db ]
	fi
	assert_eq "$(user_tables)" "categories
products
purchases
users"
	assert_eq "$(columns categories)" "id category_name created_at updated_at"
	assert_eq "$(columns users)" "id telegram_id username first_name last_name created_at updated_at"
	assert_eq "$(columns products)" "id name description price file_id category_id created_at updated_at"
	assert_eq "$(columns purchases)" "id user_id product_id price created_at updated_at"
	assert_eq "$(versions)" "$IDX"
}

@test "the three foreign keys" {
	rt upgrade head >/dev/null
	assert_eq "$(foreign_keys)" \
		"products|category_id|categories|id
purchases|product_id|products|id
purchases|user_id|users|id"
	# and they hold
	local fk_on=
	is_sqlite && fk_on="PRAGMA foreign_keys = ON;"
	q "$fk_on INSERT INTO categories (category_name) VALUES ('tea');"
	q "$fk_on INSERT INTO products (name, price, category_id) VALUES ('sencha', 450, 1);"
	run db_sql "$DB" "$fk_on INSERT INTO products (name, price, category_id) VALUES ('ghost', 1, 99);"
	[ "$status" -ne 0 ]
	if is_sqlite; then
		assert_contains "$output" "FOREIGN KEY constraint failed"
	else
		assert_contains "$output" "violates foreign key constraint"
	fi
}

@test "column types, NOT NULL, unique telegram_id, default timestamps" {
	rt upgrade head >/dev/null
	local big=BIGINT int=INTEGER
	if is_pg; then
		big=bigint
		int=integer
	fi
	assert_eq "$(column_type users telegram_id)" "$big|1"
	assert_eq "$(column_type products price)" "$int|1"
	assert_eq "$(column_type purchases price)" "$int|1"
	assert_eq "$(column_type products category_id)" "$(is_sqlite && echo INTEGER || echo bigint)|1"
	assert_eq "$(column_type categories category_name)" "$(is_sqlite && echo TEXT || echo text)|1"
	assert_eq "$(column_type users username)" "$(is_sqlite && echo TEXT || echo text)|0"
	q "INSERT INTO users (telegram_id, username) VALUES (123456789012, 'anna')"
	run db_sql "$DB" "INSERT INTO users (telegram_id) VALUES (123456789012)"
	[ "$status" -ne 0 ]
	if is_sqlite; then
		assert_contains "$output" "UNIQUE constraint failed: users.telegram_id"
	else
		assert_contains "$output" "duplicate key value violates unique constraint"
	fi
	# created_at and updated_at default to the current time
	assert_eq "$(q "SELECT count(*) FROM users WHERE created_at IS NOT NULL AND updated_at IS NOT NULL")" 1
	assert_match "$(q "SELECT created_at FROM users")" '^20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}'
	# ids count up by themselves
	q "INSERT INTO categories (category_name) VALUES ('tea'), ('coffee')"
	assert_eq "$(q 'SELECT id FROM categories ORDER BY id' | paste -sd , -)" "1,2"
}

@test "current and history" {
	rt upgrade head >/dev/null
	run -0 --separate-stderr rt current
	assert_eq "$output" "$IDX (head)"
	run -0 --separate-stderr rt history
	assert_eq "$output" "$INIT -> $IDX (head), Index purchases and products
<base> -> $INIT, Create shop schema"
}

@test "downgrade -1 and downgrade base" {
	rt upgrade head >/dev/null
	assert_eq "$(ix_indexes)" "ix_products_category_id
ix_purchases_user_id"
	run -0 --separate-stderr rt downgrade -1
	assert_eq "$(versions)" "$INIT"
	assert_eq "$(ix_indexes)" ""
	assert_eq "$(user_tables | wc -l)" 4
	run -0 --separate-stderr rt downgrade base
	assert_eq "$(user_tables)" ""
	assert_eq "$(versions)" ""
	run -0 --separate-stderr rt current
	assert_eq "$output" ""
}

@test "upgrade head --sql | sqlite3 fresh.db matches the online database" {
	run -0 --separate-stderr rt upgrade head --sql
	refute has_version_table
	printf '%s\n' "$output" >up.sql
	new_db FRESH
	feed up.sql "$FRESH"
	rt upgrade head >/dev/null
	assert_eq "$(dump_all "$FRESH")" "$(dump_all)"
}

@test "DATABASE_URL and -u point it at another database" {
	new_db OTHER
	new_db THIRD
	DATABASE_URL=$OTHER_URL run -0 --separate-stderr rt upgrade head
	assert_eq "$(versions "$OTHER")" "$IDX"
	run -0 --separate-stderr rt -u "$THIRD_URL" upgrade "$INIT"
	assert_eq "$(versions "$THIRD")" "$INIT"
	refute has_version_table
	[ ! -e data.db ]
}

@test "the log file records the run" {
	rt upgrade head >/dev/null
	[ -s retort.log ]
	grep -q "$INIT" retort.log
	grep -q "$IDX" retort.log
}

@test "the example's revision has sections for SQLite and PostgreSQL" {
	local f
	f=$(ls migrations/versions/${INIT}_*.sql)
	grep -qx -- '-- +upgrade sqlite' "$f"
	grep -qx -- '-- +upgrade postgresql' "$f"
	grep -qx -- '-- +downgrade' "$f"
	# the downgrade drops purchases, products, users, categories in that order
	assert_eq "$(sed -n '/^-- +downgrade/,$p' "$f" | grep -o 'DROP TABLE [a-z]*' | paste -sd ' ' -)" \
		"DROP TABLE purchases DROP TABLE products DROP TABLE users DROP TABLE categories"
	# and a new revision in the example goes on from its head
	run -0 --separate-stderr rt revision -m "Add posts table"
	local rev
	rev=$(created_rev)
	grep -qx -- "-- down_revision: $IDX" "migrations/versions/${rev}_add_posts_table.sql"
}
