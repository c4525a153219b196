#!/usr/bin/env bats
# revision --autogenerate, check and schema dump, on the shop example and
# on small projects of their own, for each dialect.
load helper
load autogen

setup() {
	autogen_setup
}

teardown() {
	common_teardown
}

@test "the everyday loop: add posts, add email, check, downgrade -1" {
	run -0 rt upgrade head
	run -0 rt check
	assert_eq "$output" "no changes: the database matches the schema"

	add_posts
	run -1 --separate-stderr rt check
	assert_contains "$output" "add table posts"

	run -0 --separate-stderr rt revision --autogenerate -m "Add posts table"
	assert_contains "$stderr" "detected add table posts"
	posts=$(created_rev)
	file=$(ls migrations/versions/"${posts}"_add_posts_table.sql)
	grep -q '^CREATE TABLE posts ($' "$file"
	grep -q '^-- WARNING: drops table .posts. and its rows$' "$file"
	grep -q '^DROP TABLE posts;$' "$file"
	# the database is now behind the new head: check says so and fails
	run -1 rt check
	assert_contains "$output" "not up to date"
	run -0 rt upgrade head
	assert_eq "$(versions)" "$posts"
	run -0 rt check
	assert_contains "$(user_tables)" "posts"

	add_email
	run -0 --separate-stderr rt revision --autogenerate -m "Add email to users"
	email=$(created_rev)
	file=$(ls migrations/versions/"${email}"_add_email_to_users.sql)
	grep -qi '^ALTER TABLE users ADD COLUMN email text;$' "$file"
	grep -q '^-- WARNING: drops column .users.email. and its data$' "$file"
	run -0 rt upgrade head
	assert_contains "$(columns users)" "email"
	run -0 rt check
	assert_eq "$output" "no changes: the database matches the schema"

	run -0 rt downgrade -1
	assert_eq "$(versions)" "$posts"
	refute_contains "$(columns users)" "email"
	assert_contains "$(user_tables)" "posts"
	run -0 rt upgrade head
	run -0 rt check
}

@test "check exits 1 before the revision and 0 after upgrade head" {
	run -0 rt upgrade head
	add_posts
	run -1 rt check
	run -0 rt revision --autogenerate -m "Add posts table"
	run -1 rt check
	run -0 rt upgrade head
	run -0 rt check
}

@test "autogenerate refuses a database that is not at head" {
	run -0 rt upgrade 4c1b9e27d0a3
	add_posts
	run -1 --separate-stderr rt revision --autogenerate -m "Add posts table"
	assert_contains "$stderr" "not up to date"
	assert_eq "$(ls migrations/versions | wc -l | tr -d ' ')" 2
}

@test "nothing to do: the revision is written empty, with a notice" {
	run -0 rt upgrade head
	run -0 --separate-stderr rt revision --autogenerate -m "Nothing"
	assert_contains "$stderr" "no changes in the schema detected"
	file=$(ls migrations/versions/*_nothing.sql)
	run -0 rt upgrade head
	run -0 rt downgrade -1
}

@test "without a schema key autogenerate says what to set" {
	sed -i '/^schema = /d' retort.ini
	run -0 rt upgrade head
	run -1 --separate-stderr rt revision --autogenerate -m "x"
	assert_contains "$stderr" "no 'schema' or 'schema_command' in"
	run -1 --separate-stderr rt check
	assert_contains "$stderr" "no 'schema' or 'schema_command' in"
}

@test "a schema file that does not run names its file and line" {
	run -0 rt upgrade head
	printf '\nCREATE TABLE broken (id INTEGER,\n  , x);\n' >>"$SCHEMA"
	run -1 --separate-stderr rt check
	assert_match "$stderr" "$SCHEMA:[0-9]+ does not run"
}

@test "a folder of schema files runs in name order" {
	run -0 rt upgrade head
	mkdir model
	cp "$SCHEMA" model/01_shop.sql
	if is_sqlite; then
		echo "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);" >model/02_tags.sql
	else
		echo "CREATE TABLE tags (id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE);" >model/02_tags.sql
	fi
	ini_set schema model
	run -1 rt check
	assert_contains "$output" "add table tags"
	run -0 rt revision --autogenerate -m "Add tags"
	run -0 rt upgrade head
	run -0 rt check
}

@test "drops warn, a drop and an add may be a rename, --rename keeps the rows" {
	run -0 rt upgrade head
	q "INSERT INTO users (telegram_id, username, first_name) VALUES (42, 'ann', 'Ann')"
	sed -i 's/^    first_name  TEXT,$/    given_name  TEXT,/' "$SCHEMA"
	run -0 --separate-stderr rt revision --autogenerate -m "Rename first name"
	assert_contains "$stderr" "warning: drops column 'users.first_name' and its data"
	assert_contains "$stderr" "if it is a rename, pass --rename users.first_name:given_name"
	rm migrations/versions/*_rename_first_name.sql

	run -0 --separate-stderr rt revision --autogenerate -m "Rename first name" \
		--rename users.first_name:given_name
	refute_contains "$stderr" "warning:"
	file=$(ls migrations/versions/*_rename_first_name.sql)
	grep -q 'RENAME COLUMN first_name TO given_name' "$file"
	run -0 rt upgrade head
	assert_eq "$(q "SELECT given_name FROM users WHERE telegram_id = 42")" "Ann"
	run -0 rt check
	run -2 rt revision -m x --rename a:b
	run -1 --separate-stderr rt revision --autogenerate -m x --rename users.nope:x
	assert_contains "$stderr" "has no column 'nope'"
	run -0 rt downgrade -1
	assert_eq "$(q "SELECT first_name FROM users WHERE telegram_id = 42")" "Ann"
}

@test "a renamed table keeps its rows" {
	run -0 rt upgrade head
	q "INSERT INTO categories (category_name) VALUES ('books')"
	sed -i 's/^CREATE TABLE categories (/CREATE TABLE sections (/; s/REFERENCES categories (id)/REFERENCES sections (id)/' "$SCHEMA"
	run -0 --separate-stderr rt revision --autogenerate -m "Rename categories" --rename categories:sections
	run -0 rt upgrade head
	assert_eq "$(q "SELECT category_name FROM sections")" "books"
	run -0 rt check
	run -0 rt downgrade -1
	assert_eq "$(q "SELECT category_name FROM categories")" "books"
}

@test "schema dump: loading the dump and dumping again gives the same text" {
	run -0 rt upgrade head
	add_posts
	run -0 rt revision --autogenerate -m "Add posts table"
	run -0 rt upgrade head
	run -0 rt schema dump
	printf '%s\n' "$output" >dump1.sql
	assert_contains "$output" "CREATE TABLE posts ("
	refute_contains "$output" "retort_version"
	new_db OTHER
	feed dump1.sql "$OTHER"
	run -0 rt -u "$OTHER_URL" schema dump
	printf '%s\n' "$output" >dump2.sql
	diff -u dump1.sql dump2.sql
	# the dump is a model check accepts
	cp dump1.sql "$SCHEMA"
	run -0 rt check
	run -2 rt schema dump --dialect oracle
	run -2 rt schema load
}
