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
	DB="$P/data.db"
	cd "$P"
}

columns() {
	q "SELECT name FROM pragma_table_info('$1') ORDER BY cid" | paste -sd ' ' -
}

@test "upgrade head creates the four tables with their columns" {
	run -0 --separate-stderr rt upgrade head
	assert_eq "${#lines[@]}" 2
	[ -f data.db ]
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
	assert_eq "$(q "SELECT 'products', \"from\", \"table\", \"to\" FROM pragma_foreign_key_list('products')
		UNION ALL SELECT 'purchases', \"from\", \"table\", \"to\" FROM pragma_foreign_key_list('purchases')
		UNION ALL SELECT 'users', \"from\", \"table\", \"to\" FROM pragma_foreign_key_list('users')
		UNION ALL SELECT 'categories', \"from\", \"table\", \"to\" FROM pragma_foreign_key_list('categories')
		ORDER BY 1, 2")" \
		"products|category_id|categories|id
purchases|product_id|products|id
purchases|user_id|users|id"
	# and they hold
	q "PRAGMA foreign_keys = ON; INSERT INTO categories (category_name) VALUES ('tea');
	   INSERT INTO products (name, price, category_id) VALUES ('sencha', 450, 1);"
	run sqlite3 "$DB" "PRAGMA foreign_keys = ON; INSERT INTO products (name, price, category_id) VALUES ('ghost', 1, 99);"
	[ "$status" -ne 0 ]
	assert_contains "$output" "FOREIGN KEY constraint failed"
}

@test "column types, NOT NULL, unique telegram_id, default timestamps" {
	rt upgrade head >/dev/null
	assert_eq "$(q "SELECT type, \"notnull\" FROM pragma_table_info('users') WHERE name = 'telegram_id'")" "BIGINT|1"
	assert_eq "$(q "SELECT type, \"notnull\" FROM pragma_table_info('products') WHERE name = 'price'")" "INTEGER|1"
	assert_eq "$(q "SELECT type, \"notnull\" FROM pragma_table_info('purchases') WHERE name = 'price'")" "INTEGER|1"
	assert_eq "$(q "SELECT \"notnull\" FROM pragma_table_info('products') WHERE name = 'category_id'")" 1
	assert_eq "$(q "SELECT \"notnull\" FROM pragma_table_info('categories') WHERE name = 'category_name'")" 1
	assert_eq "$(q "SELECT pk FROM pragma_table_info('categories') WHERE name = 'id'")" 1
	q "INSERT INTO users (telegram_id, username) VALUES (123456789012, 'anna')"
	run sqlite3 "$DB" "INSERT INTO users (telegram_id) VALUES (123456789012)"
	[ "$status" -ne 0 ]
	assert_contains "$output" "UNIQUE constraint failed: users.telegram_id"
	assert_match "$(q "SELECT created_at || ' ' || updated_at FROM users")" \
		'^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$'
	# ids count up by themselves
	q "INSERT INTO categories (category_name) VALUES ('tea'), ('coffee')"
	assert_eq "$(q 'SELECT group_concat(id) FROM categories')" "1,2"
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
	run -0 --separate-stderr rt downgrade -1
	assert_eq "$(versions)" "$INIT"
	assert_eq "$(q "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_%'")" 0
	assert_eq "$(user_tables | wc -l)" 4
	run -0 --separate-stderr rt downgrade base
	assert_eq "$(user_tables)" ""
	assert_eq "$(versions)" ""
	run -0 --separate-stderr rt current
	assert_eq "$output" ""
}

@test "upgrade head --sql | sqlite3 fresh.db matches the online database" {
	run -0 --separate-stderr rt upgrade head --sql
	[ ! -e data.db ]
	printf '%s\n' "$output" | sqlite3 -bail fresh.db
	rt upgrade head >/dev/null
	assert_eq "$(dump_all fresh.db)" "$(dump_all data.db)"
}

@test "DATABASE_URL and -u point it at another database" {
	DATABASE_URL=sqlite:///other.db run -0 --separate-stderr rt upgrade head
	[ -f other.db ]
	[ ! -e data.db ]
	assert_eq "$(versions other.db)" "$IDX"
	run -0 --separate-stderr rt -u sqlite:///third.db upgrade "$INIT"
	assert_eq "$(versions third.db)" "$INIT"
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
