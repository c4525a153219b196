#!/usr/bin/env bats
# retort lint: a fixture revision per rule, with the rule id, file:line and
# exit status it must produce; lint-ignore comments; ranges and dialects;
# no database connection; and the shop example, which must lint clean.

load helper

setup() {
	common_setup
	new_project
	if ! rt lint --dialect sqlite >/dev/null 2>"$BATS_TEST_TMPDIR/lint.err" &&
		grep -q 'built without PostgreSQL support' "$BATS_TEST_TMPDIR/lint.err"; then
		skip "retort was built without libpg_query"
	fi
}

teardown() {
	common_teardown
}

# lint_rev ID DOWN_REVISION UP_OPTIONS UPGRADE_SQL [DOWNGRADE_SQL [DOWN_OPTIONS]]
# Writes migrations/versions/ID_lint.sql; its upgrade marker is line 6
# ("-- +upgrade" + UP_OPTIONS) and the upgrade SQL starts on line 7.
lint_rev() {
	local id=$1 down=$2 opts=$3 up=$4 dn=${5:-} dopts=${6:-}
	{
		printf -- '-- Lint fixture %s\n--\n' "$id"
		printf -- '-- revision: %s\n' "$id"
		printf -- '-- down_revision:%s\n\n' "${down:+ $down}"
		printf -- '-- +upgrade%s\n%s\n\n' "$opts" "$up"
		printf -- '-- +downgrade%s\n%s\n' "$dopts" "$dn"
	} >"$P/migrations/versions/${id}_lint.sql"
}

# expect LINE LEVEL RULE [ID]: a line of $output is that finding.
expect() {
	local id=${4:-$A}
	assert_line_match "^migrations/versions/${id}_lint\\.sql:$1: $2: \\[$3\\] .+ \\(revision $id\\)\$"
}

# The number of findings (lines) in $output.
nfindings() {
	if [ -z "$output" ]; then echo 0; else printf '%s\n' "$output" | wc -l | tr -d ' '; fi
}

# ---- one fixture per rule ------------------------------------------------------

@test "drop-table: a warning on the DROP TABLE's line, exit 0" {
	lint_rev "$A" "" "" "CREATE TABLE fresh (id INTEGER);
DROP TABLE fresh;
DROP TABLE old_orders;"
	run rt lint
	assert_status 0
	expect 9 warning drop-table
	assert_contains "$output" "drops table 'old_orders' and every row in it"
	assert_eq "$(nfindings)" 1 "a table created in the same migration may be dropped"
}

@test "drop-column: a warning, exit 0" {
	lint_rev "$A" "" "" "ALTER TABLE customers DROP COLUMN fax;"
	run rt lint
	assert_status 0
	expect 7 warning drop-column
	assert_contains "$output" "drops column 'fax' of 'customers'"
}

@test "truncate: a warning, exit 0" {
	lint_rev "$A" "" "" "-- keeps nothing
TRUNCATE audit_log;"
	run rt lint
	assert_status 0
	expect 8 warning truncate
}

@test "type-narrowing: a warning on a type change that may lose data, not on one to text" {
	lint_rev "$A" "" "" "ALTER TABLE products ALTER COLUMN name TYPE text;
ALTER TABLE products ALTER COLUMN name TYPE varchar(20);"
	run rt lint --dialect sqlite
	assert_status 0
	expect 8 warning type-narrowing
	assert_contains "$output" "to 'varchar(20)'"
	assert_eq "$(nfindings)" 1
}

# The PostgreSQL lock rules: reported when the project's database is
# PostgreSQL (or --dialect postgresql), never for SQLite.
pg_rule() {
	local rule=$1 line=$2
	run rt lint
	assert_status 0
	if is_pg; then
		expect "$line" warning "$rule"
	else
		assert_eq "$output" "" "$rule is a PostgreSQL rule"
	fi
	run rt lint --dialect postgresql
	assert_status 0
	expect "$line" warning "$rule"
	run rt lint --dialect sqlite
	assert_status 0
	refute_contains "$output" "[$rule]"
}

@test "pg-index-not-concurrent: CREATE INDEX on an existing table, not on a new one" {
	lint_rev "$A" "" "" "CREATE TABLE fresh (id INTEGER);
CREATE INDEX ix_fresh ON fresh (id);
CREATE INDEX ix_orders_user ON orders (user_id);"
	pg_rule pg-index-not-concurrent 9
	run rt lint --dialect postgresql
	assert_eq "$(nfindings)" 1
}

@test "pg-foreign-key-validated: ADD FOREIGN KEY without NOT VALID" {
	lint_rev "$A" "" "" "ALTER TABLE orders ADD CONSTRAINT fk_ok FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
ALTER TABLE orders ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id);"
	pg_rule pg-foreign-key-validated 8
}

@test "pg-add-not-null-column: ADD COLUMN NOT NULL without a default" {
	lint_rev "$A" "" "" "ALTER TABLE orders ADD COLUMN state TEXT NOT NULL DEFAULT 'new';
ALTER TABLE orders ADD COLUMN channel TEXT NOT NULL;"
	pg_rule pg-add-not-null-column 8
}

@test "pg-set-not-null: ALTER COLUMN SET NOT NULL" {
	lint_rev "$A" "" "" "ALTER TABLE orders ALTER COLUMN user_id SET NOT NULL;"
	pg_rule pg-set-not-null 7
}

@test "pg-alter-column-type: ALTER COLUMN TYPE" {
	lint_rev "$A" "" "" "ALTER TABLE orders ALTER COLUMN note TYPE text;"
	pg_rule pg-alter-column-type 7
}

@test "transaction-false-unneeded: a warning on the marker line" {
	lint_rev "$A" "" " transaction=false" "CREATE TABLE t_a (id INTEGER);
INSERT INTO t_a (id) VALUES (1);"
	run rt lint
	assert_status 0
	expect 6 warning transaction-false-unneeded
}

@test "non-transactional-statement: an error, exit 1, and the migration does fail" {
	lint_rev "$A" "" "" "CREATE TABLE t_a (id INTEGER);
VACUUM;"
	run rt lint
	assert_status 1
	expect 8 error non-transactional-statement
	assert_contains "$output" "VACUUM cannot run inside a transaction"
	# what the rule predicts
	run rt upgrade head
	assert_status 1
	# in a transaction=false section it is fine, and lints clean
	lint_rev "$A" "" " transaction=false" "CREATE TABLE t_a (id INTEGER);
VACUUM;"
	run rt lint
	assert_status 0
	assert_eq "$output" ""
	run rt upgrade head
	assert_status 0
}

@test "non-transactional-statement: CREATE INDEX CONCURRENTLY in a transactional section" {
	lint_rev "$A" "" " postgresql" "CREATE INDEX CONCURRENTLY ix_a ON t_a (id);" \
		"DROP INDEX CONCURRENTLY ix_a;" " postgresql"
	run rt lint --dialect postgresql
	assert_status 1
	expect 7 error non-transactional-statement
	expect 10 error non-transactional-statement
	assert_eq "$(nfindings)" 2
	# the right way: both sections transaction=false
	lint_rev "$A" "" " postgresql transaction=false" \
		"CREATE INDEX CONCURRENTLY ix_a ON t_a (id);" \
		"DROP INDEX CONCURRENTLY ix_a;" " postgresql transaction=false"
	run rt lint --dialect postgresql
	assert_status 0
	assert_eq "$output" ""
}

@test "syntax-error: an error where PostgreSQL runs the section, skipped where only SQLite does" {
	lint_rev "$A" "" "" "CREATE TABLE t_a (id INTEGER);
SELEC 1;"
	run rt lint --dialect postgresql
	assert_status 1
	expect 8 error syntax-error
	assert_contains "$output" 'syntax error at or near "SELEC"'
	run --separate-stderr rt lint --dialect sqlite -v
	assert_status 0
	assert_eq "$output" "checked 1 revision: 0 errors, 0 warnings; 1 SQLite statement PostgreSQL's parser cannot read not checked"
}

@test "a sqlite section: what PostgreSQL's parser reads is linted, the rest skipped" {
	lint_rev "$A" "" " sqlite" "CREATE TABLE t_a (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
PRAGMA foreign_keys = ON;
DROP TABLE old_orders;"
	run rt lint --dialect sqlite
	assert_status 0
	expect 9 warning drop-table
	assert_eq "$(nfindings)" 1
	# PostgreSQL never runs this section: nothing to say
	run rt lint --dialect postgresql
	assert_status 0
	assert_eq "$output" ""
}

@test "lint-ignore-unknown: a misspelt rule in an ignore comment" {
	lint_rev "$A" "" "" "-- retort:lint-ignore drop-tabel
DROP TABLE old_orders;"
	run rt lint
	assert_status 0
	expect 7 warning lint-ignore-unknown
	expect 8 warning drop-table
}

# ---- suppression, ranges, dialects ----------------------------------------------------

@test "lint-ignore on the line before a statement silences the rules it names there" {
	lint_rev "$A" "" "" "-- retort:lint-ignore drop-table
DROP TABLE old_orders;
-- retort:lint-ignore truncate, drop-column
ALTER TABLE customers DROP COLUMN fax;
DROP TABLE old_users;
--retort:lint-ignore syntax-error
SELEC 1;
-- retort:lint-ignore drop-column

DROP TABLE too_far;"
	run rt lint --dialect all
	assert_status 0
	expect 11 warning drop-table
	expect 16 warning drop-table
	assert_eq "$(nfindings)" 2
}

@test "lint-ignore above a section marker silences the section's own rule" {
	{
		printf -- '-- Lint fixture\n--\n-- revision: %s\n-- down_revision:\n\n' "$A"
		printf -- '-- retort:lint-ignore transaction-false-unneeded\n'
		printf -- '-- +upgrade transaction=false\nCREATE TABLE t_a (id INTEGER);\n'
	} >"migrations/versions/${A}_lint.sql"
	run rt lint
	assert_status 0
	assert_eq "$output" ""
}

@test "a downgrade may drop what its upgrade made; only transaction rules apply there" {
	lint_rev "$A" "" "" "CREATE TABLE t_a (id INTEGER);" "DROP TABLE t_a;
ALTER TABLE t_b DROP COLUMN c;
VACUUM;"
	run rt lint
	assert_status 1
	expect 12 error non-transactional-statement
	assert_eq "$(nfindings)" 1
}

@test "RANGE: one revision, A:B, and findings oldest first" {
	lint_rev "$A" "" "" "DROP TABLE one;"
	lint_rev "$B" "$A" "" "DROP TABLE two;"
	lint_rev "$C" "$B" "" "VACUUM;"
	run rt lint
	assert_status 1
	assert_eq "${lines[0]%%:*}" "migrations/versions/${A}_lint.sql"
	assert_eq "${lines[1]%%:*}" "migrations/versions/${B}_lint.sql"
	assert_eq "${lines[2]%%:*}" "migrations/versions/${C}_lint.sql"
	run rt lint "$B"
	assert_status 0
	expect 7 warning drop-table "$B"
	assert_eq "$(nfindings)" 1
	run rt lint "$A:$B"
	assert_status 0
	assert_eq "$(nfindings)" 2
	run rt lint "${B:0:4}:"
	assert_status 1
	assert_eq "$(nfindings)" 2
	run rt lint nosuchrev
	assert_status 1
	assert_contains "$output" "nosuchrev"
}

@test "section markers: 'postgres' is PostgreSQL's section, an unknown dialect an error" {
	lint_rev "$A" "" " postgres" "CREATE INDEX ix ON orders (user_id);"
	run rt lint --dialect postgresql
	assert_status 0
	expect 7 warning pg-index-not-concurrent
	run rt lint --dialect sqlite
	assert_status 0
	assert_eq "$output" ""
	lint_rev "$A" "" " mysql" "SELECT 1;"
	run rt lint
	assert_status 1
	assert_contains "$output" "migrations/versions/${A}_lint.sql:6: unknown section option 'mysql'"
}

@test "the dialect comes from the URL's scheme, without connecting" {
	lint_rev "$A" "" "" "CREATE INDEX ix ON orders (user_id);"
	# nothing listens there: lint must not try
	run rt -u "$UNREACHABLE_URL" lint
	assert_status 0
	if is_pg; then
		expect 7 warning pg-index-not-concurrent
	else
		assert_eq "$output" ""
	fi
	run rt -u "postgresql://nobody@127.0.0.1:1/x" lint
	assert_status 0
	expect 7 warning pg-index-not-concurrent
	run rt -u "postgres://nobody@127.0.0.1:1/x" lint
	assert_status 0
	expect 7 warning pg-index-not-concurrent
	run rt -u "sqlite:///nowhere/x.db" lint
	assert_status 0
	assert_eq "$output" ""
	# a URL retort cannot read: every dialect
	run rt -u "mysql://h/x" lint
	assert_status 0
	expect 7 warning pg-index-not-concurrent
	run rt -u "sqlite:///nowhere/x.db" lint --dialect postgres
	assert_status 0
	expect 7 warning pg-index-not-concurrent
	run rt lint --dialect mysql
	assert_status 1
	assert_contains "$output" "unknown dialect 'mysql' (sqlite, postgresql or all)"
}

@test "paths are relative to the current folder" {
	lint_rev "$A" "" "" "DROP TABLE t;"
	cd migrations
	run rt lint
	assert_status 0
	assert_line_match "^versions/${A}_lint\\.sql:7: warning: \\[drop-table\\]"
	mkdir "$BATS_TEST_TMPDIR/elsewhere"
	cd "$BATS_TEST_TMPDIR/elsewhere"
	run rt -c "$P/retort.ini" lint
	assert_status 0
	assert_line_match "^$P/migrations/versions/${A}_lint\\.sql:7: warning: \\[drop-table\\]"
}

@test "lint --help lists the rules" {
	run rt lint --help
	assert_status 0
	for rule in drop-table drop-column truncate type-narrowing pg-index-not-concurrent \
		pg-foreign-key-validated pg-add-not-null-column pg-set-not-null \
		pg-alter-column-type transaction-false-unneeded non-transactional-statement \
		syntax-error lint-ignore-unknown; do
		assert_contains "$output" "$rule"
	done
}

# ---- the example ------------------------------------------------------------------------

@test "examples/shopbot lints with exit 0" {
	cp -R "$RETORT_SRC/examples/shopbot" "$BATS_TEST_TMPDIR/shopbot"
	P="$BATS_TEST_TMPDIR/shopbot"
	use_init_url "$P"
	cd "$P"
	run rt lint
	assert_status 0
	assert_eq "$output" ""
	run rt lint --dialect postgresql
	assert_status 0
	assert_eq "$output" ""
	run rt lint --dialect sqlite
	assert_status 0
	assert_eq "$output" ""
}
