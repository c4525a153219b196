#!/usr/bin/env bats
# `retort test`: every migration up, down and up again on a scratch
# database; a downgrade that leaves a trace, or two heads, fail it.

load helper

setup() {
	common_setup
	FIXTURES=$RETORT_SRC/tests/resources/selftest
	# SQLite's scratch database is a temporary file: keep them where the
	# test can see that none is left
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir -p "$TMPDIR"
}

teardown() {
	common_teardown
}

# No scratch database may be left: no temporary file, no retort_test_*
# database on the server.
assert_no_scratch() {
	assert_eq "$(ls -A "$TMPDIR")" ""
	if is_pg; then
		assert_eq "$(db_sql "$PG_ADMIN_URL" "SELECT count(*) FROM pg_database WHERE datname LIKE 'retort\\_test\\_%'")" 0
	fi
}

# A project whose versions are the files of a fixture folder.
fixture_project() {
	new_project
	cp "$FIXTURES/$1"/*.sql migrations/versions/
}

@test "passes on the shop example, without touching the configured database" {
	cp -r "$RETORT_SRC/examples/shopbot" "$P"
	cd "$P"
	rm -f data.db retort.log
	use_init_url "$P"
	# the example's model is models.py through the SQLAlchemy bridge:
	# Debian's python3 (with SQLAlchemy) and retort's python/ folder
	export PATH="/usr/bin:$PATH" PYTHONPATH="$RETORT_SRC/python" PYTHONDONTWRITEBYTECODE=1
	# the configured database holds something of its own
	db_sql "$DB" "CREATE TABLE keep_me (id INTEGER); INSERT INTO keep_me VALUES (1);"
	local before
	before=$(dump_all)

	# the example lists both dialects; this run is the database's (the
	# other needs a PostgreSQL server, which t26 and pg/t10 have)
	run -0 --separate-stderr rt test --dialect "$DIALECT"
	assert_eq "$stderr" ""
	assert_eq "${lines[0]}" "ok   single-head 9e5d30f1b6a8, Index purchases and products"
	assert_eq "${lines[1]}" "ok   revision 4c1b9e27d0a3, Create shop schema"
	assert_eq "${lines[2]}" "ok   revision 9e5d30f1b6a8, Index purchases and products"
	assert_eq "${lines[3]}" "ok   model: matches schema_command 'python3 -m retort_sqlalchemy models:Base'"
	assert_eq "${lines[4]}" "ok   base"
	assert_eq "${lines[5]}" "all 5 checks passed"

	assert_eq "$(dump_all)" "$before"
	assert_no_scratch
	# the scratch runs stay out of the project's log; one summary line
	run -0 cat retort.log
	assert_eq "${#lines[@]}" 1
	assert_contains "$output" "test on scratch "
	assert_contains "$output" ": 5 checks, 0 failed"

	# a model the migrations do not give: the model check fails, naming it
	sed -i 's/^    file_id = Column(Text)$/&\n    sku = Column(Text)/' models.py
	run -1 --separate-stderr rt test --dialect "$DIALECT"
	assert_contains "$stderr" "FAIL model: the database at head differs from the model schema_command 'python3 -m retort_sqlalchemy models:Base'"
	assert_contains "$stderr" "add column products.sku"
	assert_no_scratch
}

@test "-v names the scratch database; -q prints only failures" {
	fixture_project leaky-index
	rm migrations/versions/2b2b2b2b2b2b_*.sql
	run -0 --separate-stderr rt test -v
	if is_sqlite; then
		assert_line_match "^scratch database: sqlite:///$TMPDIR/retort-test-[A-Za-z0-9]+\\.db \\(dropped\\)$"
	else
		assert_line_match "^scratch database: postgresql://retort:\\*\\*\\*@.*/retort_test_[0-9]+_1 \\(dropped\\)$"
	fi
	refute_contains "$output$stderr" "retort-test-pw"
	run -0 --separate-stderr rt test -q
	assert_eq "$output" ""
	assert_no_scratch
}

@test "fails, naming the revision and its file, when a downgrade forgets to drop an index" {
	fixture_project leaky-index
	run -1 --separate-stderr rt test
	assert_line_match "^ok   revision 1a1a1a1a1a1a, Create items$"
	# the failures go to stderr, each naming the revision and the file
	assert_contains "$stderr" "FAIL revision 2b2b2b2b2b2b (migrations/versions/2b2b2b2b2b2b_index_item_names.sql): the downgrade does not undo the upgrade"
	assert_contains "$stderr" "left behind:"
	assert_contains "$stderr" "ix_items_name"
	# the second upgrade then trips over the index that stayed
	assert_contains "$stderr" "FAIL revision 2b2b2b2b2b2b (migrations/versions/2b2b2b2b2b2b_index_item_names.sql): upgrade after its downgrade failed"
	assert_match "$stderr" "error: 2 of [0-9]+ checks failed"
	assert_no_scratch
	# the configured database was never created or touched
	assert_eq "$(user_tables)" ""
	assert_eq "$(versions)" ""
}

@test "fails, naming both heads and their files, on a graph with two heads" {
	fixture_project two-heads
	run -1 --separate-stderr rt test
	assert_contains "$stderr" "FAIL single-head: 2 heads, where 'upgrade head' needs one:"
	assert_contains "$stderr" "3c3c3c3c3c3c ($P/migrations/versions/3c3c3c3c3c3c_add_orders.sql)"
	assert_contains "$stderr" "4d4d4d4d4d4d ($P/migrations/versions/4d4d4d4d4d4d_add_tags.sql)"
	assert_contains "$stderr" "retort merge"
	# each branch is still exercised, one revision at a time
	assert_line_match "^ok   revision 3c3c3c3c3c3c, Add orders$"
	assert_line_match "^ok   revision 4d4d4d4d4d4d, Add tags$"
	assert_line_match "^ok   base$"
	assert_contains "$stderr" "error: 1 of 6 checks failed"
	assert_no_scratch
}

@test "an upgrade that fails is reported with its file and line, and the revisions above it are not run" {
	fixture_project leaky-index
	write_rev "$C" 2b2b2b2b2b2b "Broken" "INSERT INTO no_such_table (id) VALUES (1);" ""
	# make the index revision sound, so that only the broken one fails
	sed -i 's/^ALTER TABLE items DROP COLUMN price;$/DROP INDEX ix_items_name;\nALTER TABLE items DROP COLUMN price;/' \
		migrations/versions/2b2b2b2b2b2b_index_item_names.sql
	write_rev "$D" "$C" "Above" "CREATE TABLE t_d (id INTEGER);" "DROP TABLE t_d;"
	run -1 --separate-stderr rt test
	assert_line_match "^ok   revision 2b2b2b2b2b2b, Index item names$"
	assert_contains "$stderr" "FAIL revision $C (migrations/versions/${C}_broken.sql): upgrade failed: upgrade 2b2b2b2b2b2b -> $C failed at $P/migrations/versions/${C}_broken.sql:10"
	assert_line_match "^skip revision $D, Above: not run: an earlier revision failed$"
	assert_no_scratch
}

@test "a downgrade that leaves a column renamed fails on the lines of the tables that name it too" {
	new_project
	write_rev "$A" "" "Parents and kids" \
		"CREATE TABLE parents (id INTEGER PRIMARY KEY);
CREATE TABLE kids (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parents (id));" \
		"DROP TABLE kids; DROP TABLE parents;"
	write_rev "$B" "$A" "Rename the key" "ALTER TABLE parents RENAME COLUMN id TO pid;" \
		"CREATE TABLE unrelated (x INTEGER); DROP TABLE unrelated;"
	write_rev "$C" "$B" "Add toys" "CREATE TABLE toys (id INTEGER);" "DROP TABLE toys;"
	run -1 --separate-stderr rt test
	assert_line_match "^ok   revision $A, Parents and kids$"
	assert_contains "$stderr" "FAIL revision $B (migrations/versions/${B}_rename_the_key.sql): the downgrade does not undo the upgrade"
	# kids' foreign key names the renamed column: its line changed too
	assert_match "$stderr" "left behind: [^
]*kids[^
]*REFERENCES [^
]*pid"
	assert_match "$stderr" "missing: +[^
]*kids[^
]*REFERENCES [^
]*id"
	assert_no_scratch
}

@test "each run starts on a session of its own: what a migration leaves in its session is not there for the next" {
	new_project
	# a temporary table lives as long as the connection: in production
	# the downgrade runs in another process, where it is not there
	write_rev "$A" "" "Staging" "CREATE TEMPORARY TABLE staging (x INTEGER);
CREATE TABLE t_a (x INTEGER);" "DROP TABLE staging; DROP TABLE t_a;"
	run -1 --separate-stderr rt test
	assert_contains "$stderr" "FAIL revision $A (migrations/versions/${A}_staging.sql): downgrade failed: "
	assert_contains "$stderr" "staging"
	assert_no_scratch
}

@test "with a schema model: the database at head is compared with it" {
	fixture_project leaky-index
	sed -i 's/^ALTER TABLE items DROP COLUMN price;$/DROP INDEX ix_items_name;\nALTER TABLE items DROP COLUMN price;/' \
		migrations/versions/2b2b2b2b2b2b_index_item_names.sql
	cat >schema.sql <<'EOF'
CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price INTEGER);
CREATE INDEX ix_items_name ON items (name);
CREATE TABLE extra (id INTEGER PRIMARY KEY);
EOF
	ini_set schema schema.sql
	run --separate-stderr rt test
	if [[ $output == *"skip model: the postgresql driver cannot read"* ]]; then
		# a build whose PostgreSQL driver cannot introspect says so
		assert_status 0
	else
		assert_status 1
		assert_contains "$stderr" "FAIL model: the database at head differs from the model"
		assert_contains "$stderr" "extra"
		# without the extra table, it matches
		sed -i '/extra/d' schema.sql
		run -0 --separate-stderr rt test
		assert_line_match "^ok   model: matches '.*schema.sql'$"
	fi
	assert_no_scratch
}

# Is a scratch database there (and, on PostgreSQL, busy in pg_sleep)?
scratch_busy() {
	if is_pg; then
		[ "$(db_sql "$PG_ADMIN_URL" "SELECT count(*) FROM pg_stat_activity
			WHERE datname LIKE 'retort\\_test\\_%' AND query LIKE '%pg_sleep%'")" -gt 0 ]
	else
		[ -n "$(ls -A "$TMPDIR")" ]
	fi
}

@test "SIGTERM and SIGINT during a long migration drop the scratch database and exit 143 and 130" {
	local slow sig want pid status t0
	new_project
	if is_pg; then
		slow="SELECT pg_sleep(60);"
	else
		# no sleep in SQLite: a count that takes seconds
		slow="WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000000)
SELECT count(*) FROM c;"
	fi
	write_rev "$A" "" "Slow" "CREATE TABLE s (id INTEGER);
$slow" "DROP TABLE s;"
	for sig in TERM INT; do
		want=$([ $sig = TERM ] && echo 143 || echo 130)
		# a background job of a script has SIGINT ignored, which retort
		# respects: give it the default
		env --default-signal=INT,TERM "$RETORT" test >"test.$sig.out" 2>"test.$sig.err" 3>&- &
		pid=$!
		t0=$SECONDS
		wait_for 30 scratch_busy || fail "no scratch database in use after 30 s" "$(cat "test.$sig.err")"
		is_sqlite && sleep 0.5
		kill -s $sig $pid
		status=0
		wait $pid || status=$?
		assert_eq "$status" "$want"
		assert_no_scratch
		assert_contains "$(cat "test.$sig.err")" "error: interrupted; the scratch database "
		# not a failed check: nothing but the one line
		refute_contains "$(cat "test.$sig.out" "test.$sig.err")" "FAIL"
		if is_pg; then
			# interrupted, not waited for
			[ $((SECONDS - t0)) -lt 40 ] || fail "retort test ran on for $((SECONDS - t0)) s"
		fi
	done
	# the configured database was never touched
	refute has_version_table
}
