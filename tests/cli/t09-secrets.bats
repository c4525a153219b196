#!/usr/bin/env bats
# A password in the database URL never shows: not on stdout, not on
# stderr, not in the log file, whatever the command and however it fails.

load helper

SECRET=s3cretpw
# Nothing listens on port 1: connecting fails at once.
PG_URL="postgresql://shop:$SECRET@127.0.0.1:1/shop?sslmode=disable&connect_timeout=5"

setup() {
	common_setup
	new_project
	std_chain
}

teardown() {
	common_teardown
}

# no_secret CMD...: run retort; the secret (and its pieces) appear nowhere.
no_secret() {
	run --separate-stderr timeout 60 "$RETORT" "$@"
	[ "$status" -ne 124 ] || fail "retort $* timed out"
	# a crash is not a clean refusal either
	[ "$status" -lt 128 ] || fail "retort $* died with status $status" "$stderr"
	refute_contains "$output" "$SECRET"
	refute_contains "$stderr" "$SECRET"
	if [ -f retort.log ]; then
		refute_contains "$(cat retort.log)" "$SECRET"
	fi
	# (no_secret's caller may look at $status, $output, $stderr)
}

@test "postgresql:// password given with -u: upgrade fails without showing it" {
	no_secret -u "$PG_URL" upgrade head
	assert_status 1
	assert_match "$stderr" "^error: "
	no_secret -v -u "$PG_URL" current
	assert_status 1
	no_secret -u "$PG_URL" downgrade base
	no_secret -u "$PG_URL" stamp head
	no_secret -v -u "$PG_URL" heads
	assert_status 0
	no_secret -v -u "$PG_URL" history
	assert_status 0
	no_secret -u "$PG_URL" current -v
}

@test "postgresql:// password in retort.ini (via DATABASE_URL)" {
	ini_set url '${DATABASE_URL:-sqlite:///test.db}'
	export DATABASE_URL=$PG_URL
	no_secret upgrade head
	assert_status 1
	no_secret -v upgrade head
	no_secret -v current
	no_secret stamp "$B"
	no_secret -v upgrade head --sql
	unset DATABASE_URL
}

@test "the log names the database with the password masked" {
	# (a URL every build parses: SQLite refuses the user part, and says so
	# in the log with the password masked)
	no_secret -u "sqlite://shop:$SECRET@/secret.db" upgrade head
	assert_status 1
	[ -f retort.log ] || fail "no log file written"
	grep -q 'sqlite://shop:\*\*\*@' retort.log || fail "log lacks the masked URL:" "$(cat retort.log)"
	no_secret -u "$PG_URL" upgrade head
}

@test "percent-encoded password and password= parameters are masked too" {
	# p@ss:word as p%40ss%3Aword; neither spelling may show
	local enc="postgresql://shop:p%40ss%3A${SECRET}@127.0.0.1:1/shop"
	no_secret -u "$enc" upgrade head
	refute_contains "$output$stderr$(cat retort.log 2>/dev/null)" "p%40ss"
	refute_contains "$output$stderr$(cat retort.log 2>/dev/null)" "p@ss"
	no_secret -u "postgresql://shop@127.0.0.1:1/shop?password=$SECRET" upgrade head
	no_secret -u "postgres://shop:$SECRET@127.0.0.1:1/shop" upgrade head
	no_secret -u "postgresql+asyncpg://shop:$SECRET@127.0.0.1:1/shop" upgrade head
}

@test "a URL that does not parse does not echo its password" {
	no_secret -u "postgresql://shop:$SECRET@127.0.0.1:notaport/shop" upgrade head
	assert_status 1
	no_secret -u "postgresql://shop:$SECRET@[::1/shop" upgrade head
	assert_status 1
	no_secret -u "nosuchdb://shop:$SECRET@host/db" upgrade head
	assert_status 1
}

@test "a sqlite URL with user information does not show it" {
	no_secret -u "sqlite://shop:$SECRET@/secret.db" upgrade head
	no_secret -u "sqlite+aiosqlite://shop:$SECRET@/secret.db" current
}
