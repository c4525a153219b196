#!/usr/bin/env bats
# The everyday commands under valgrind's memcheck: no invalid read or
# write, no use of uninitialised memory, and nothing leaked, on a real
# database of each dialect.  CTest runs this file in the plain build only
# (an ASan binary cannot run under valgrind; that build has its own leak
# checks).  A failure prints valgrind's report.

load ../helper

setup() {
	common_setup
	command -v valgrind >/dev/null || fail "valgrind is not installed (scripts/deps.sh test)"
	new_project
	std_chain
}

teardown() {
	common_teardown
}

# vg ARGS...: retort ARGS under memcheck; exit 99 on any error or leak.
vg() {
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect "$RETORT" "$@"
}

@test "memcheck: upgrade, current, history, heads, downgrade, offline --sql" {
	run -0 vg upgrade head
	assert_eq "$(versions)" "$D"
	run -0 vg current
	assert_contains "$output" "$D (head)"
	run -0 vg history -v
	assert_contains "$output" "Rev: $A"
	run -0 vg heads
	run -0 vg verify
	run -0 vg downgrade base
	assert_eq "$(versions)" ""
	run -0 vg upgrade head --sql
	assert_contains "$output" "$D"
}

@test "memcheck: a failing migration and a broken file report cleanly" {
	write_rev e5e5e5e5e5e5 "$D" "Broken" "SELECT * FROM no_such_table;"
	run -1 vg upgrade head
	assert_contains "$output" "no_such_table"
	assert_eq "$(versions)" "$D"
	printf -- '-- no revision here\n-- +upgrade\nSELECT 1;\n' >"$P/migrations/versions/bad.sql"
	run -1 vg heads
	assert_contains "$output" "bad.sql"
}

@test "memcheck: graph, JSON, the schema's diagrams, colour" {
	run -0 vg upgrade "$B"
	local fmt
	for fmt in text dot mermaid; do
		run -0 vg graph --format "$fmt"
		assert_contains "$output" "$B"
	done
	run -0 vg --color=always history --graph -i
	for fmt in json mermaid dot; do
		run -0 vg schema dump --format "$fmt"
		assert_contains "$output" "t_b"
	done
	run -0 vg history --format json -i
	assert_eq "$(jq -r '[.revisions[] | select(.is_current) | .id] | join(" ")' <<<"$output")" "$B"
	run -0 vg current --format json
	run -0 vg show "$A" --format json
	run -0 vg wait --timeout 1
}

@test "memcheck: report (dot run as a child) and fleet report" {
	run -0 vg upgrade "$B"
	run -0 vg report -o report.html
	grep -q '<svg' report.html
	grep -q "$B" report.html
	printf '\n[fleet]\nscript_location = migrations\n' >>retort.ini
	printf 'one %s\n' "$DB_URL" >tenants.txt
	run -0 vg -q fleet report --tenants tenants.txt -o fleet.html
	grep -q "<td class=\"rev\">$B</td>" fleet.html
}
