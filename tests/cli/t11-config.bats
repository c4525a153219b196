#!/usr/bin/env bats
# retort.ini and database URLs: interpolation, the URL forms, -u, and the
# version table name.  These are about SQLite URLs and files, so they run on
# SQLite whatever RETORT_DIALECT says (PostgreSQL URLs: t09 and tests/cli/pg).

load helper

setup() {
	common_setup sqlite
	new_project
	std_chain
}

teardown() {
	common_teardown
}

@test "\${VAR:-default} in the url: default, then the environment" {
	ini_set url '${RT_TEST_URL:-sqlite:///dflt.db}'
	run -0 --separate-stderr rt upgrade "$A"
	assert_eq "$(versions dflt.db)" "$A"
	RT_TEST_URL=sqlite:///env.db run -0 --separate-stderr rt upgrade "$B"
	assert_eq "$(versions env.db)" "$B"
	assert_eq "$(versions dflt.db)" "$A"
	[ ! -e test.db ]
}

@test "\${VAR} interpolation in other keys" {
	mkdir -p other/versions
	mv migrations/versions/*.sql other/versions/
	cp migrations/script.sql.tmpl other/
	ini_set script_location '${RT_TEST_SCRIPTS}'
	RT_TEST_SCRIPTS=other run -0 --separate-stderr rt heads
	assert_eq "$output" "$D (head)"
}

@test "-u beats the file's url" {
	run -0 --separate-stderr rt -u sqlite:///cli.db upgrade head
	assert_eq "$(versions cli.db)" "$D"
	[ ! -e test.db ]
	run -0 --separate-stderr rt --url sqlite:///cli2.db upgrade "$A"
	assert_eq "$(versions cli2.db)" "$A"
}

@test "sqlite:///rel.db is relative to the ini's folder" {
	mkdir -p "$BATS_TEST_TMPDIR/cwd"
	cd "$BATS_TEST_TMPDIR/cwd"
	run -0 --separate-stderr rt -c "$P/retort.ini" -u sqlite:///sub.db upgrade head
	[ -f "$P/sub.db" ]
	[ -z "$(ls -A)" ]
}

@test "sqlite:////abs/path.db is absolute" {
	local abs="$BATS_TEST_TMPDIR/abs dir/x.db"
	mkdir -p "$BATS_TEST_TMPDIR/abs dir"
	# (with a space in the path)
	run -0 --separate-stderr rt -u "sqlite:///$abs" upgrade head
	assert_eq "$(versions "$abs")" "$D"
	[ ! -e test.db ]
}

@test "sqlite:// is an in-memory database" {
	run -0 --separate-stderr rt -u sqlite:// upgrade head
	assert_eq "${#lines[@]}" 4
	run -0 --separate-stderr rt -u sqlite:// current
	assert_eq "$output" ""
	[ -z "$(ls "$P" | grep -v -e '^migrations$' -e '^retort\.ini$' -e '^retort\.log$')" ]
}

@test "a SQLAlchemy driver suffix is accepted and ignored" {
	run -0 --separate-stderr rt -u sqlite+aiosqlite:///async.db upgrade head
	assert_eq "$(versions async.db)" "$D"
	run -0 --separate-stderr rt -u sqlite+pysqlite:///async.db current
	assert_eq "$output" "$D (head)"
}

@test "version_table = alembic_version reads an Alembic-managed database" {
	ini_set version_table alembic_version
	# a database Alembic left at C
	q "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
	   INSERT INTO alembic_version VALUES ('$C');"
	run -0 --separate-stderr rt current
	assert_eq "$output" "$C"
	run -0 --separate-stderr rt upgrade head
	assert_eq "${#lines[@]}" 1
	assert_eq "$(versions "$DB" alembic_version)" "$D"
	refute has_version_table "$DB" retort_version
}

@test "an [alembic] section is read too" {
	sed -i 's/^\[retort\]$/[alembic]/' retort.ini
	run -0 --separate-stderr rt upgrade head
	assert_eq "$(versions)" "$D"
}

@test "file_template names new revisions" {
	ini_set file_template '%(year)d_%(rev)s_%(slug)s'
	run -0 --separate-stderr rt revision -m "Dated one" --rev-id 0000000000ff --head "$D"
	assert_match "$output" "^created migrations/versions/[0-9]{4}_0000000000ff_dated_one\\.sql$"
}

@test "log_file: relative to the ini's folder; none when unset" {
	cd migrations
	rt upgrade "$A" >/dev/null
	[ -s "$P/retort.log" ]
	[ ! -e retort.log ]
	cd "$P"
	sed -i '/^log_file/d' retort.ini
	rm retort.log
	rt upgrade head >/dev/null
	[ -z "$(ls "$P" | grep '\.log$')" ]
}

@test "lock_timeout: a held lock makes upgrade give up in time with exit 1" {
	ini_set lock_timeout 1
	rt upgrade "$A" >/dev/null
	# hold the write lock from a sqlite3 shell for a while
	# (with a busy timeout of its own: the probe below takes the lock for
	# a moment too)
	sqlite3 -cmd '.timeout 10000' "$DB" "BEGIN IMMEDIATE; WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 30000000) SELECT count(*) FROM c; ROLLBACK;" >/dev/null 3>&- &
	local holder=$!
	wait_for 30 sh -c "! sqlite3 -cmd '.timeout 0' '$DB' 'BEGIN IMMEDIATE; ROLLBACK;' >/dev/null 2>&1"
	local start=$SECONDS
	run --separate-stderr timeout 60 "$RETORT" upgrade head
	local took=$((SECONDS - start))
	kill "$holder" 2>/dev/null || true
	wait "$holder" 2>/dev/null || true
	assert_status 1
	# (a "waiting for the lock" notice may come first)
	assert_contains "$stderr" "error: "
	assert_contains "$stderr" "lock"
	[ "$took" -le 5 ] || fail "gave up after ${took}s with lock_timeout = 1"
	assert_eq "$(versions)" "$A"
}

# ---- issue 13 item 24: where the search for retort.ini stops ---------------

@test "the search for retort.ini stops at a ceiling, above the home folder and at another file system; -v names the file" {
	local top stray
	top=$(cd "$BATS_TEST_TMPDIR" && pwd -P)/top
	stray=$top/retort.ini
	# a stray project at the top of a scratch tree, and a folder far below
	mkdir -p "$top/home/alice/work/sub" "$top/mnt"
	cp -R "$P/retort.ini" "$P/migrations" "$top/"
	cd "$top/home/alice/work/sub"
	export HOME=$BATS_TEST_TMPDIR/nobody
	unset RETORT_CEILING_DIRECTORIES

	# no ceiling: the stray file is used, and -v says which file that is
	run -0 --separate-stderr rt -v heads
	assert_contains "$stderr" "using config file '$stray'"
	run -0 --separate-stderr rt heads
	assert_eq "$output" "$D (head)"
	refute_contains "$stderr" "using config file"

	# a ceiling folder is not looked in, nor anything above it
	RETORT_CEILING_DIRECTORIES="relative:$top/home" run -1 --separate-stderr rt -v heads
	assert_match "$stderr" "^error: no retort.ini in '$top/home/alice/work/sub' or its parent folders up to '$top/home/alice' "
	assert_contains "$stderr" "RETORT_CEILING_DIRECTORIES"
	refute_contains "$stderr" "using config file"

	# the home folder's parent neither (git's rule); the home folder is
	HOME=$top/home/alice run -1 --separate-stderr rt heads
	assert_contains "$stderr" "up to '$top/home/alice' "
	cp -R "$P/retort.ini" "$P/migrations" "$top/home/alice/"
	HOME=$top/home/alice run -0 --separate-stderr rt -v heads
	assert_contains "$stderr" "using config file '$top/home/alice/retort.ini'"
	# the folder the search starts in is always looked in
	cd "$top"
	RETORT_CEILING_DIRECTORIES=$top run -0 --separate-stderr rt -v heads
	assert_contains "$stderr" "using config file '$stray'"

	# another file system (a tmpfs in a mount namespace of its own, so
	# nothing outside the scratch folder is touched) is a boundary
	unshare -rm sh -c 'mount -t tmpfs scratch "$1" && mkdir "$1/sub" && cd "$1/sub" &&
		exec "$2" -v heads' sh "$top/mnt" "$RETORT" >out 2>err && status=0 || status=$?
	assert_eq "$status" 1 "retort across a mount point: $(cat err)"
	assert_contains "$(cat err)" "up to '$top/mnt' (its parent is on another file system)"
	# and without the mount the stray file is found from there
	mkdir -p "$top/mnt/sub"
	cd "$top/mnt/sub"
	run -0 --separate-stderr rt -v heads
	assert_contains "$stderr" "using config file '$stray'"
}

@test "RETORT_CONFIG names the config when -c does not" {
	local other="$BATS_TEST_TMPDIR/elsewhere"
	mkdir -p "$other"
	cd "$other"
	run rt -q heads
	assert_status 1
	RETORT_CONFIG="$P/retort.ini" run -0 --separate-stderr rt -v heads
	assert_contains "$stderr" "using config file '$P/retort.ini'"
	# -c beats it
	RETORT_CONFIG=/nonexistent/retort.ini run -0 rt -c "$P/retort.ini" -q heads
	RETORT_CONFIG=/nonexistent/retort.ini run rt -q heads
	assert_status 1
	assert_contains "$output" "/nonexistent/retort.ini"
}

@test "a mistyped command gets a suggestion, a far one none" {
	run rt upgrad
	assert_status 2
	assert_contains "$output" "unknown command 'upgrad'; did you mean 'upgrade'?"
	run rt hisotry
	assert_contains "$output" "did you mean 'history'?"
	run rt frobnicate
	assert_status 2
	assert_contains "$output" "unknown command 'frobnicate'"
	refute_contains "$output" "did you mean"
}
