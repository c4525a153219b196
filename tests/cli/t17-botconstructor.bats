#!/usr/bin/env bats
# examples/botconstructor as its README runs it: register_bots.sh makes
# SQLite bots, so this file runs on SQLite whichever dialect the suite is
# run for (the PostgreSQL fleet is tested in t12-fleet.bats).

load helper

HEAD=9e5d30f1b6a8
FIRST=4c1b9e27d0a3

setup() {
	common_setup sqlite
	unset META_DATABASE_URL
	mkdir -p "$P"
	cp -R "$RETORT_SRC/examples/botconstructor/." "$P/"
	# whatever a run of the example in the source tree left there
	rm -rf "$P/bots" "$P"/*.db "$P"/*.log
	cd "$P"
}

teardown() {
	common_teardown
}

@test "examples/botconstructor: register_bots.sh, fleet upgrade head, fleet current, one bot by hand" {
	# the per-bot migrations are the shop bot's
	diff -r "$RETORT_SRC/examples/shopbot/migrations/versions" "$P/bot/versions"
	run -0 env RETORT="$RETORT" ./register_bots.sh 20
	assert_eq "$output" "20 bots registered in meta.db"
	# again with more: the missing ones are added
	run -0 env RETORT="$RETORT" ./register_bots.sh 25 "$P"
	assert_eq "$output" "25 bots registered in meta.db"
	assert_eq "$(db_sql meta.db "SELECT count(DISTINCT name), count(DISTINCT db_url), min(owner_telegram_id) > 0 FROM bots")" "25|25|1"
	assert_eq "$(db_sql meta.db "SELECT db_url FROM bots WHERE name = 'bot_17'")" "sqlite:///bots/bot_17.db"
	run -2 ./register_bots.sh
	run -2 ./register_bots.sh many

	# the bots' files do not exist yet: each is created, and said so
	run -0 --separate-stderr rt fleet upgrade head
	assert_eq "${lines[0]%% in *}" "25 tenants: 0 ok, 25 created, 0 failed, 0 skipped; 50 migrations"
	run -0 --separate-stderr rt fleet current
	assert_eq "${#lines[@]}" 26
	assert_match "${lines[25]}" "^bot_25 +$HEAD +0 *$"
	assert_eq "$(versions bots/bot_17.db)" "$HEAD"
	run -0 --separate-stderr rt fleet upgrade head
	assert_eq "${lines[0]%% in *}" "25 tenants: 25 ok, 0 failed, 0 skipped; 0 migrations"

	# one bot by hand, with bot.ini
	run -0 --separate-stderr rt -c bot.ini -u sqlite:///bots/bot_17.db current
	assert_eq "$output" "$HEAD (head)"
	run -0 --separate-stderr rt -c bot.ini -u sqlite:///bots/bot_17.db downgrade -1
	run -1 --separate-stderr rt fleet check
	assert_line_match "^bot_17 +$FIRST +1 *$"
	run -0 --separate-stderr rt fleet check --where "name <> 'bot_17'"
	assert_eq "${#lines[@]}" 25
	# the metadata database is retort's too
	run -0 --separate-stderr rt current
	assert_eq "$output" "000000000001 (head)"
}

@test "a bot registered without a URL fails on its own, and --where does not combine with --tenants" {
	run -0 env RETORT="$RETORT" ./register_bots.sh 2
	db_sql meta.db "INSERT INTO bots (name, owner_telegram_id, db_url) VALUES ('bot_nourl', 7, '')"
	run -1 --separate-stderr rt fleet upgrade head
	assert_eq "${lines[0]%% in *}" "3 tenants: 0 ok, 2 created, 1 failed, 0 skipped; 4 migrations"
	assert_line_match "^failed: bot_nourl .*tenant 'bot_nourl' has no database URL in the registry"
	# nothing fell back to the metadata database's URL
	assert_eq "$(versions meta.db)" "000000000001"
	printf 'bot_1 sqlite:///bots/bot_1.db\n' > tenants.txt
	run -2 --separate-stderr rt fleet upgrade --tenants tenants.txt --where "active"
	assert_contains "$stderr" "--where"
}
