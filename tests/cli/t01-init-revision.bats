#!/usr/bin/env bats
# The program's surface (help, version, exit codes) and the two commands
# that create files: init and revision.

load helper

setup() {
	common_setup
}

teardown() {
	common_teardown
}

COMMANDS="init revision upgrade downgrade current history heads branches show stamp merge"

@test "--help and --version exit 0" {
	run -0 --separate-stderr rt --help
	for c in $COMMANDS; do
		assert_contains "$output" "$c"
	done
	run -0 --separate-stderr rt -h
	run -0 --separate-stderr rt --version
	assert_eq "$output" "retort 0.1.0"
}

@test "every command has --help, outside any project" {
	local c
	mkdir empty && cd empty
	for c in $COMMANDS; do
		run --separate-stderr rt "$c" --help
		[ "$status" -eq 0 ] || fail "retort $c --help exited $status" "$output" "$stderr"
		[ -n "$output" ] || fail "retort $c --help printed nothing on stdout"
	done
	# help never creates a project or a database
	assert_eq "$(ls -A)" ""
}

@test "unknown command, unknown option, missing argument exit 2" {
	new_project
	run -2 --separate-stderr rt frobnicate
	assert_match "$stderr" "^error: "
	assert_contains "$stderr" "frobnicate"
	run -2 --separate-stderr rt --no-such-option heads
	run -2 --separate-stderr rt upgrade --no-such-option
	run -2 --separate-stderr rt revision
	run -2 --separate-stderr rt revision -m
	run -2 --separate-stderr rt downgrade
	run -2 --separate-stderr rt show
	run -2 --separate-stderr rt stamp
	run -2 --separate-stderr rt -x novalue heads
	# usage errors touch nothing
	assert_eq "$(ls migrations/versions)" ""
	assert_eq "$(ls)" "migrations
retort.ini"
	refute has_version_table
}

@test "no command prints usage and exits 2" {
	run -2 --separate-stderr rt
}

@test "init creates retort.ini, the template and the versions folder" {
	run -0 --separate-stderr rt init shop
	[ -f shop/retort.ini ]
	[ -f shop/migrations/script.sql.tmpl ]
	[ -d shop/migrations/versions ]
	assert_line_match '^created .*shop/retort\.ini$'
	assert_line_match '^created .*shop/migrations/script\.sql\.tmpl$'
	assert_line_match '^created .*shop/migrations/versions/?$'
	grep -Eq '^script_location *= *migrations' shop/retort.ini
	grep -Eq '^url *= *' shop/retort.ini
	# the template carries the header keys a revision needs
	local k
	for k in revision down_revision branch_labels depends_on create_date; do
		grep -q -- "-- $k:" shop/migrations/script.sql.tmpl ||
			fail "template lacks '-- $k:'"
	done
	grep -q -- '-- +upgrade' shop/migrations/script.sql.tmpl
	grep -q -- '-- +downgrade' shop/migrations/script.sql.tmpl
}

@test "init in the current folder, and it refuses to overwrite" {
	mkdir here && cd here
	run -0 --separate-stderr rt init
	[ -f retort.ini ]
	echo "; my edit" >>retort.ini
	local before
	before=$(cat retort.ini)
	run -1 --separate-stderr rt init
	assert_match "$stderr" "^error: "
	assert_contains "$stderr" "retort.ini"
	assert_eq "$(cat retort.ini)" "$before"
	run -1 --separate-stderr rt init "$PWD"
}

@test "a project made by init works as it is" {
	rt init proj >/dev/null
	use_init_url proj
	cd proj
	run -0 --separate-stderr rt heads
	assert_eq "$output" ""
	run -0 --separate-stderr rt history
	assert_eq "$output" ""
	run -0 --separate-stderr rt upgrade head
	assert_eq "$output" ""
	has_version_table
	assert_eq "$(versions)" ""
}

@test "revision -m creates <rev>_<slug>.sql with the header" {
	rt init proj >/dev/null
	cd proj
	run -0 --separate-stderr rt revision -m "Create shop"
	assert_match "$output" '^created migrations/versions/[0-9a-f]{12}_create_shop\.sql$'
	local file=${output#created } rev
	rev=$(created_rev)
	[ -f "$file" ]
	assert_match "$rev" '^[0-9a-f]{12}$'
	assert_eq "$(head -n 1 "$file")" "-- Create shop"
	grep -qx -- "-- revision: $rev" "$file"
	grep -Eqx -- '-- down_revision: *' "$file"
	grep -Eq -- '^-- create_date: [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}' "$file"
	grep -qx -- '-- +upgrade' "$file"
	grep -qx -- '-- +downgrade' "$file"

	# the next revision is based on the head
	run -0 --separate-stderr rt revision -m "Add email to users"
	assert_match "$output" '^created migrations/versions/[0-9a-f]{12}_add_email_to_users\.sql$'
	local file2=${output#created } rev2
	rev2=$(created_rev)
	grep -qx -- "-- down_revision: $rev" "$file2"
	run -0 --separate-stderr rt heads
	assert_eq "$output" "$rev2 (head)"
}

@test "revision ids are 12 random hex characters" {
	new_project
	local i ids=()
	for i in 1 2 3 4 5 6; do
		run -0 --separate-stderr rt revision -m "step $i"
		ids+=("$(created_rev)")
	done
	for i in "${ids[@]}"; do
		assert_match "$i" '^[0-9a-f]{12}$'
	done
	assert_eq "$(printf '%s\n' "${ids[@]}" | sort -u | wc -l)" 6 "ids are not distinct"
	# they form one chain: one head, one base
	run -0 --separate-stderr rt heads
	assert_eq "$output" "${ids[5]} (head)"
	run -0 --separate-stderr rt history
	assert_eq "${#lines[@]}" 6
	assert_eq "${lines[5]}" "<base> -> ${ids[0]}, step 1"
}

@test "revision --rev-id uses the given id; a taken id is refused" {
	new_project
	run -0 --separate-stderr rt revision -m "first one" --rev-id 0123456789ab
	assert_eq "$output" "created migrations/versions/0123456789ab_first_one.sql"
	grep -qx -- '-- revision: 0123456789ab' migrations/versions/0123456789ab_first_one.sql
	run -1 --separate-stderr rt revision -m "again" --rev-id 0123456789ab
	assert_contains "$stderr" "0123456789ab"
	assert_eq "$(ls migrations/versions)" "0123456789ab_first_one.sql"
}

@test "revision slug: punctuation folded, cut at 40 characters" {
	new_project
	run -0 --separate-stderr rt revision -m "Add posts table!" --rev-id 00000000000a
	assert_eq "$output" "created migrations/versions/00000000000a_add_posts_table.sql"
	run -0 --separate-stderr rt revision --rev-id 00000000000b \
		-m "a very long message that goes on and on well past forty characters"
	local name=${output##*/}
	name=${name#00000000000b_}
	name=${name%.sql}
	[ "${#name}" -le 40 ] || fail "slug '$name' is longer than 40"
	assert_match "$name" '^a_very_long_message'
}

@test "revision renders -x variables into the template" {
	new_project
	{
		echo '-- ${message}'
		echo '-- ticket: ${ticket}'
		sed 1d migrations/script.sql.tmpl
	} >tmpl.new
	mv tmpl.new migrations/script.sql.tmpl
	run -0 --separate-stderr rt -x ticket=SHOP-42 revision -m "with ticket" --rev-id 00000000000c
	grep -qx -- '-- ticket: SHOP-42' migrations/versions/00000000000c_with_ticket.sql
	grep -qx -- '-- revision: 00000000000c' migrations/versions/00000000000c_with_ticket.sql
}

@test "revision checks the template's section markers' dialects" {
	new_project
	sed 's/^-- +upgrade$/-- +upgrade postgres transaction=false/' migrations/script.sql.tmpl >tmpl.new
	mv tmpl.new migrations/script.sql.tmpl
	run -0 --separate-stderr rt revision -m "alias" --rev-id "$A"
	grep -qx -- '-- +upgrade postgres transaction=false' "migrations/versions/${A}_alias.sql"
	sed 's/^-- +upgrade .*/-- +upgrade mysql/' migrations/script.sql.tmpl >tmpl.new
	mv tmpl.new migrations/script.sql.tmpl
	run -1 --separate-stderr rt revision -m "unknown" --rev-id "$B"
	assert_contains "$stderr" "/migrations/script.sql.tmpl' made an invalid file: "
	assert_contains "$stderr" "_unknown.sql:9: unknown section option 'mysql'"
	[ ! -e "migrations/versions/${B}_unknown.sql" ]
	sed 's/^-- +upgrade .*/-- +upgrade sqlite postgres/' migrations/script.sql.tmpl >tmpl.new
	mv tmpl.new migrations/script.sql.tmpl
	run -1 --separate-stderr rt revision -m "two" --rev-id "$B"
	assert_contains "$stderr" "_two.sql:9: section marker names two dialects, 'sqlite' and 'postgresql'"
	[ ! -e "migrations/versions/${B}_two.sql" ]
}

@test "revision --head base --branch-label starts a labelled branch" {
	new_project
	rt revision -m "main base" --rev-id "$A" >/dev/null
	run -0 --separate-stderr rt revision -m "other base" --head base --branch-label other --rev-id "$B"
	local f=migrations/versions/${B}_other_base.sql
	grep -Eqx -- '-- down_revision: *' "$f"
	grep -qx -- '-- branch_labels: other' "$f"
	run -0 --separate-stderr rt heads
	assert_eq "${#lines[@]}" 2
	assert_line_match "^$A \\(head\\)$"
	assert_line_match "^$B \\(other\\) \\(head\\)$"
	# with two heads a plain revision must say which one
	run -1 --separate-stderr rt revision -m "ambiguous" --rev-id "$C"
	[ ! -e "migrations/versions/${C}_ambiguous.sql" ]
	# label@head names one of them
	run -0 --separate-stderr rt revision -m "on other" --head other@head --rev-id "$C"
	grep -qx -- "-- down_revision: $B" "migrations/versions/${C}_on_other.sql"
}

@test "revision --head on a non-head needs --splice" {
	new_project
	rt revision -m "one" --rev-id "$A" >/dev/null
	rt revision -m "two" --rev-id "$B" >/dev/null
	run -1 --separate-stderr rt revision -m "side" --head "$A" --rev-id "$C"
	assert_contains "$stderr" "$A"
	[ -z "$(ls migrations/versions | grep "^$C")" ]
	run -0 --separate-stderr rt revision -m "side" --head "$A" --splice --rev-id "$C"
	grep -qx -- "-- down_revision: $A" "migrations/versions/${C}_side.sql"
}

@test "revision --depends-on records the dependency" {
	new_project
	rt revision -m "one" --rev-id "$A" >/dev/null
	run -0 --separate-stderr rt revision -m "two" --head base --branch-label b2 --depends-on "$A" --rev-id "$B"
	grep -qx -- "-- depends_on: $A" "migrations/versions/${B}_two.sql"
	run -0 --separate-stderr rt show "$B"
	assert_line_match "^Also depends on: $A"
}

@test "revision and merge need -m" {
	new_project
	run -2 --separate-stderr rt revision --rev-id "$A"
	run -2 --separate-stderr rt merge heads
	assert_eq "$(ls migrations/versions)" ""
}

@test "the config is found from a subfolder, or given with -c" {
	new_project
	std_chain
	cd migrations/versions
	run -0 --separate-stderr rt heads
	assert_eq "$output" "$D (head)"
	run -0 --separate-stderr rt upgrade head
	assert_eq "$(versions)" "$D"
	# sqlite:///test.db is relative to the ini's folder, not the current one
	assert_eq "$(ls)" "$(ls "$P/migrations/versions")"
	mkdir -p "$BATS_TEST_TMPDIR/elsewhere" && cd "$BATS_TEST_TMPDIR/elsewhere"
	run -0 --separate-stderr rt -c "$P/retort.ini" current
	assert_eq "$output" "$D (head)"
	[ -z "$(ls -A)" ]
}

@test "without a retort.ini commands fail with exit 1" {
	mkdir empty && cd empty
	run -1 --separate-stderr rt heads
	assert_match "$stderr" "^error: "
	assert_contains "$stderr" "retort.ini"
	run -1 --separate-stderr rt -c "$BATS_TEST_TMPDIR/nope.ini" heads
	assert_contains "$stderr" "nope.ini"
}
