#!/usr/bin/env bats
# examples/shopbot/README.md's walk-through of the team's Alembic cheat
# sheet (issue 16), step by step on a copy of the example: the models in
# models.py through the SQLAlchemy bridge, data.db (SQLite) in development,
# a PostgreSQL database as production, dev_url on the fixture server.
# After every step both databases are upgraded to the head and must have
# the same tables, columns, nullability, keys and indexes - their `retort
# schema dump`s normalised to a dialect-neutral form by neutral_schema.py
# (which says what it maps and drops) - and `check` must be clean on both.
load ../helper

setup() {
	common_setup postgresql
	# production is the test's PostgreSQL database; dev_url another one
	PROD=$DB_URL
	new_db DEV
	P="$BATS_TEST_TMPDIR/shopbot"
	cp -R "$RETORT_SRC/examples/shopbot" "$P"
	rm -f "$P"/*.db "$P"/*.log
	cd "$P"
	README="$RETORT_SRC/examples/shopbot/README.md"
	# the example's own retort.ini, unchanged: url is data.db
	# (DATABASE_URL is unset by common_setup), dev_url comes from
	# RETORT_DEV_URL
	export RETORT_DEV_URL=$DEV_URL
	# Debian's python3 has SQLAlchemy (the first on PATH may not), and
	# retort_sqlalchemy is in the sources' python/ folder
	export PATH="/usr/bin:$PATH" PYTHONPATH="$RETORT_SRC/python" PYTHONDONTWRITEBYTECODE=1
	NEUTRAL="$BATS_TEST_DIRNAME/neutral_schema.py"
}

teardown() {
	common_teardown
}

# neutral URL: the database's schema in the dialect-neutral form.
neutral() {
	rt -u "$1" schema dump >"$BATS_TEST_TMPDIR/dump.sql" || return 1
	python3 "$NEUTRAL" <"$BATS_TEST_TMPDIR/dump.sql"
}

# same_schema SQLITE_URL PG_URL: both databases have the same schema in
# the neutral form, which goes to $SAME for further assertions.
same_schema() {
	local lite pg
	lite=$(neutral "$1") || fail "cannot read the schema of $1"
	pg=$(neutral "$2") || fail "cannot read the schema of $2"
	if [ "$lite" != "$pg" ]; then
		diff <(printf '%s\n' "$lite") <(printf '%s\n' "$pg") >&2
		fail "SQLite and PostgreSQL differ (< SQLite, > PostgreSQL)"
	fi
	SAME=$lite
}

# step_done: the README's step is in both databases: upgrade both, the
# same schema, check clean on both.
step_done() {
	run -0 rt upgrade head
	run -0 rt -u "$PROD" upgrade head
	same_schema sqlite:///data.db "$PROD"
	run -0 rt check
	assert_eq "$output" "no changes: the database matches the schema"
	run -0 rt -u "$PROD" check
	assert_eq "$output" "no changes: the database matches the schema"
}

# autogenerate MESSAGE: revision --autogenerate as the README runs it; the
# new file is $REV_FILE.
autogenerate() {
	run -0 --separate-stderr rt revision --autogenerate -m "$1"
	REV_FILE=${output#created }
	[ -f "$REV_FILE" ] || fail "no file in: $output"
}

# section FILE MARKER: the lines of the section that starts at MARKER.
section() {
	awk -v m="$2" '$0 == m { on = 1; next } /^-- \+/ { on = 0 } on' "$1"
}

@test "the README's walk-through: every step gives SQLite and PostgreSQL the same schema, check clean on both" {
	# the example's two revisions: the models' schema on both dialects
	step_done
	assert_eq "$(grep -c '^table ' <<<"$SAME")" 4
	assert_contains "$SAME" "unique users (telegram_id)"
	assert_contains "$SAME" "index ix_purchases_user_id on purchases (user_id)"
	assert_contains "$SAME" "foreign key purchases (product_id) -> products (id) on delete no action"
	# a row in each, which the price change must keep
	local rows="INSERT INTO categories (category_name) VALUES ('tea');
		INSERT INTO products (name, price, category_id) VALUES ('sencha', 450, 1);"
	sqlite3 -bail data.db "$rows"
	db_sql "$PROD" "$rows"

	# 1. "Add posts table": the README's Post model, as it shows it
	awk '/^   class Post\(Row, Base\):$/ { on = 1 } on && /^   ```$/ { exit } on { sub(/^   /, ""); print }' \
		"$README" >post.py
	grep -q '__tablename__ = "posts"' post.py || fail "no Post model in the README"
	printf '\n\n' >>models.py
	cat post.py >>models.py
	run -1 rt check
	assert_contains "$output" "add table posts"
	autogenerate "Add posts table"
	assert_contains "$stderr" "detected sqlite: add table posts"
	assert_contains "$stderr" "detected postgresql: add table posts"
	grep -qx -- '-- +upgrade sqlite' "$REV_FILE" || fail "no sqlite section" "$(cat "$REV_FILE")"
	grep -qx -- '-- +upgrade postgresql' "$REV_FILE" || fail "no postgresql section" "$(cat "$REV_FILE")"
	step_done
	assert_contains "$SAME" "foreign key posts (user_id) -> users (id) on delete cascade"
	assert_contains "$SAME" "index ix_posts_user_id on posts (user_id)"
	assert_contains "$SAME" "column posts.body text not null"

	# 2. "Add email to users"
	grep -qx '       email = Column(String(255))' "$README" || fail "the README shows another email column"
	sed -i 's/^    username = Column(Text)$/&\n    email = Column(String(255))/; s/Integer, Text,$/Integer, String, Text,/' models.py
	grep -q '^    email = Column(String(255))$' models.py || fail "models.py: no email column"
	autogenerate "Add email to users"
	assert_contains "$stderr" "detected sqlite: add column users.email VARCHAR(255)"
	assert_contains "$stderr" "detected postgresql: add column users.email character varying(255)"
	step_done
	assert_contains "$SAME" "column users.email text(255) null"
	local before_price=$SAME

	# 3. a type change SQLite's ALTER TABLE cannot make: the table rebuild
	grep -qx '       price = Column(Numeric(10, 2), nullable=False)' "$README" ||
		fail "the README shows another price column"
	sed -i '/^class Product/,/^class /s/^    price = Column(Integer, nullable=False)$/    price = Column(Numeric(10, 2), nullable=False)/
		s/Integer, String, Text,$/Integer, Numeric, String, Text,/' models.py
	autogenerate "Product prices with kopecks"
	assert_contains "$stderr" "detected sqlite: rebuild table products"
	assert_contains "$stderr" "detected postgresql: alter column products.price: type integer -> numeric(10,2)"
	grep -qx -- '-- +upgrade sqlite foreign_keys=off' "$REV_FILE" || fail "no rebuild section" "$(cat "$REV_FILE")"
	section "$REV_FILE" '-- +upgrade sqlite foreign_keys=off' | grep -q '^CREATE TABLE new_products' ||
		fail "the SQLite section does not rebuild products" "$(cat "$REV_FILE")"
	section "$REV_FILE" '-- +upgrade postgresql' | grep -q 'ALTER COLUMN price TYPE numeric(10,2)' ||
		fail "the PostgreSQL section does not alter the column" "$(cat "$REV_FILE")"
	# 4. upgrade head on SQLite and on PostgreSQL
	step_done
	assert_contains "$SAME" "column products.price numeric(10,2) not null"
	local head=$SAME head_rev=${REV_FILE##*/}
	head_rev=${head_rev%%_*}
	# the row went through the rebuild (SQLite) and the ALTER (PostgreSQL)
	assert_eq "$(sqlite3 data.db "SELECT name, price FROM products")" "sencha|450"
	assert_eq "$(db_sql "$PROD" "SELECT name, price FROM products")" "sencha|450.00"
	assert_eq "$(sqlite3 data.db "PRAGMA foreign_key_check")" ""

	# 5. downgrade -1: both back to the schema before the price change
	run -0 rt downgrade -1
	assert_contains "$output" "Product prices with kopecks"
	run -0 rt -u "$PROD" downgrade -1
	same_schema sqlite:///data.db "$PROD"
	assert_eq "$SAME" "$before_price" "downgrade -1 did not give back the schema before the price change"
	assert_eq "$(sqlite3 data.db "SELECT name, price FROM products")" "sencha|450"

	# 6. downgrade base: nothing of the shop is left on either
	run -0 rt downgrade base
	run -0 rt -u "$PROD" downgrade base
	same_schema sqlite:///data.db "$PROD"
	assert_eq "$SAME" ""
	run -0 rt current
	assert_eq "$output" ""
	run -0 rt -u "$PROD" current
	assert_eq "$output" ""

	# 7. upgrade head --sql for both dialects, run by sqlite3 and psql on
	# new databases: the same schema as online, check clean on both
	run -0 --separate-stderr rt upgrade head --sql
	assert_contains "${lines[0]}" "upgrade head (sqlite)"
	printf '%s\n' "$output" >up.sqlite.sql
	sqlite3 -bail fresh.db <up.sqlite.sql
	run -0 --separate-stderr rt -u "$PROD" upgrade head --sql
	assert_contains "${lines[0]}" "upgrade head (postgresql)"
	printf '%s\n' "$output" >up.postgresql.sql
	new_db FRESH
	psql -X -q -v ON_ERROR_STOP=1 -d "$FRESH_URL" -f up.postgresql.sql >/dev/null
	same_schema sqlite:///fresh.db "$FRESH_URL"
	assert_eq "$SAME" "$head"
	run -0 rt -u sqlite:///fresh.db check
	run -0 rt -u "$FRESH_URL" check
	assert_eq "$(rt -u sqlite:///fresh.db current)" "$head_rev (head)"
	assert_eq "$(rt -u "$FRESH_URL" current)" "$head_rev (head)"
}

@test "the example without RETORT_DEV_URL: autogenerate names dev_url and writes nothing" {
	unset RETORT_DEV_URL
	run -0 rt upgrade head
	run -1 --separate-stderr rt revision --autogenerate -m "Add posts table"
	assert_contains "$stderr" "set dev_url in $P/retort.ini"
	assert_eq "$(ls migrations/versions | wc -l)" 2
	# check needs no scratch database: the model runs in memory (SQLite)
	run -0 rt check
}
