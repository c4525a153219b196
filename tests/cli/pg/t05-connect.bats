#!/usr/bin/env bats
# PostgreSQL: connecting.  URL forms, and failures (wrong password,
# nothing listening, a URL that does not parse) that give one clear line
# and never show the password: not on stdout, not on stderr, not in the log.

load pg_helper

A=a1a1a1a1a1a1

setup() {
	pg_setup
	new_db
	new_project
	write_rev "$A" "" "Create t" "CREATE TABLE t (id int);" "DROP TABLE t;"
}

teardown() {
	pg_teardown
	[ -z "${TEST_ROLE:-}" ] ||
		psql -X -q -d "$PG_ADMIN_URL" -c "DROP ROLE IF EXISTS \"$TEST_ROLE\"" >/dev/null 2>&1 || true
}

# assert_secret_absent SECRET: not in stdout, stderr or the log file.
assert_secret_absent() {
	refute_contains "$output" "$1"
	refute_contains "$stderr" "$1"
	if [ -f "$P/retort.log" ]; then
		refute_contains "$(cat "$P/retort.log")" "$1"
	fi
}

# assert_one_line_error: exit 1, nothing on stdout, exactly one line on
# stderr, starting with "error: ".
assert_one_line_error() {
	assert_status 1
	assert_eq "$output" "" "stdout"
	assert_first_line_error "$stderr"
	assert_eq "$(printf '%s\n' "$stderr" | wc -l)" 1 "lines on stderr: $stderr"
}

@test "a wrong password: one line, password masked, nowhere to be seen" {
	local secret=Wr0ng-Secret-pw
	run --separate-stderr rt -u "postgresql://$PG_USER:$secret@$PG_HOST:$PG_PORT/$DB_NAME" upgrade head
	assert_one_line_error
	assert_contains "$stderr" "password authentication failed"
	assert_contains "$stderr" "postgresql://$PG_USER:***@$PG_HOST:$PG_PORT/$DB_NAME"
	assert_secret_absent "$secret"
	# the run was logged, masked
	assert_contains "$(cat "$P/retort.log")" "$PG_USER:***@"
	refute rel_exists retort_version
}

@test "a wrong password in retort.ini, for current: same" {
	local secret=Ini-Secret-9x
	ini_set url "postgresql://$PG_USER:$secret@$PG_HOST:$PG_PORT/$DB_NAME"
	run --separate-stderr rt current
	assert_one_line_error
	assert_contains "$stderr" "password authentication failed"
	assert_contains "$stderr" "***"
	assert_secret_absent "$secret"
}

@test "nothing listening (127.0.0.1:1): one line, quickly, password masked" {
	local t0 t1
	t0=$(now)
	run --separate-stderr rt -u "postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:1/$DB_NAME" upgrade head
	t1=$(now)
	assert_one_line_error
	assert_contains "$stderr" "cannot connect"
	assert_contains "$stderr" "port 1"
	assert_contains "$stderr" "$PG_USER:***@127.0.0.1:1"
	assert_secret_absent "$PG_PASSWORD"
	between "$(elapsed "$t0" "$t1")" 0 15 || fail "took $(elapsed "$t0" "$t1") s"
}

@test "a URL that does not parse never shows its password" {
	local secret=Parse-Secret-7q url
	for url in "postgresql://$PG_USER:$secret@$PG_HOST:notaport/$DB_NAME" \
		"postgresql://$PG_USER:$secret@[::1/$DB_NAME" \
		"postgresql://$PG_USER:${secret}%zz@$PG_HOST:$PG_PORT/$DB_NAME"; do
		run --separate-stderr rt -u "$url" upgrade head
		assert_one_line_error
		assert_contains "$stderr" "***"
		assert_secret_absent "$secret"
	done
}

@test "postgres://, postgresql+psycopg2:// and libpq parameters are accepted" {
	run -0 --separate-stderr rt -u "postgres://$PG_USER:$PG_PASSWORD@$PG_HOST:$PG_PORT/$DB_NAME?sslmode=disable&connect_timeout=10" upgrade head
	assert_eq "$stderr" ""
	assert_eq "$(versions)" "$A"
	run -0 --separate-stderr rt -u "postgresql+psycopg2://$PG_USER:$PG_PASSWORD@$PG_HOST:$PG_PORT/$DB_NAME" current
	assert_eq "$output" "$A (head)"
	run -0 --separate-stderr rt -u "postgresql+asyncpg://$PG_USER:$PG_PASSWORD@$PG_HOST:$PG_PORT/$DB_NAME" downgrade base
	assert_eq "$(versions)" ""
	refute rel_exists t
	refute_contains "$(cat "$P/retort.log")" "$PG_PASSWORD"
}

@test "a password with URL-special characters, percent-encoded, works and is masked" {
	TEST_ROLE="r_${DB_NAME:2:50}"
	local pw='p@ss:w/rd?;50%' enc='p%40ss%3Aw%2Frd%3F%3B50%25'
	q "CREATE ROLE \"$TEST_ROLE\" LOGIN PASSWORD '$pw'"
	q "ALTER DATABASE \"$DB_NAME\" OWNER TO \"$TEST_ROLE\""
	q "ALTER SCHEMA public OWNER TO \"$TEST_ROLE\""
	ini_set url "postgresql://$TEST_ROLE:$enc@$PG_HOST:$PG_PORT/$DB_NAME"
	run -0 --separate-stderr rt upgrade head
	assert_eq "$stderr" ""
	assert_eq "$(q "SELECT tableowner FROM pg_tables WHERE tablename = 't'")" "$TEST_ROLE"
	# a wrong one is refused and masked
	ini_set url "postgresql://$TEST_ROLE:${enc}x@$PG_HOST:$PG_PORT/$DB_NAME"
	run --separate-stderr rt downgrade base
	assert_one_line_error
	assert_contains "$stderr" "password authentication failed"
	assert_secret_absent "$enc"
	assert_secret_absent "$pw"
	assert_secret_absent "p@ss"
}

@test "libpq that cannot be loaded: one line naming the library and the package; SQLite still works" {
	local soname lib=$BATS_TEST_TMPDIR/broken-libs
	soname=$(ldconfig -p | awk '$1 ~ /^libpq\.so\.[0-9]+$/ { print $1; exit }')
	[ -n "$soname" ] || fail "ldconfig knows no libpq"
	mkdir -p "$lib"
	: >"$lib/$soname" # an empty file where libpq should be: dlopen fails
	LD_LIBRARY_PATH=$lib run --separate-stderr rt upgrade head
	assert_one_line_error
	assert_contains "$stderr" "PostgreSQL support needs $soname, which cannot be loaded"
	assert_contains "$stderr" "apt-get install libpq"
	# nothing was changed
	refute has_version_table
	# a SQLite database needs no libpq
	LD_LIBRARY_PATH=$lib run -0 --separate-stderr rt -u "sqlite:///$BATS_TEST_TMPDIR/lite.db" upgrade head
	assert_contains "$output" "-> $A"
}
