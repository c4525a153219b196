#!/usr/bin/env bats
# --format json (docs/json.md): every command's document parsed with jq and
# its values checked — the revision object on a graph with a branch point,
# a label, a dependency and a merge; current and history -i with the failed
# marker; check, lint, verify and test with their exit statuses; and no
# document at all when a command fails.

load helper

E=e5e5e5e5e5e5
M=f6f6f6f6f6f6

setup() {
	common_setup
	new_project
}

teardown() {
	common_teardown
}

# jqe FILTER [jq options]: FILTER is true of the document in $output.
jqe() {
	local filter=$1
	shift
	jq -e "$@" "$filter" <<<"$output" >/dev/null ||
		fail "jq '$filter' is not true of:" "$output" "stderr: ${stderr:-}"
}

# A -> B -> M and A -> E (label side, depends on B) -> M.
graph() {
	write_rev "$A" "" "Create t_a" "CREATE TABLE t_a (id INTEGER);" "DROP TABLE t_a;"
	write_rev "$B" "$A" "Create t_b" "CREATE TABLE t_b (id INTEGER);" "DROP TABLE t_b;"
	LABELS=side DEPENDS=$B write_rev "$E" "$A" "Create t_e" \
		"CREATE TABLE t_e (id INTEGER);" "DROP TABLE t_e;"
	write_rev "$M" "$B, $E" "Merge" "SELECT 1;" "SELECT 1;"
}

@test "history, heads, branches, show: the revision object, from the files alone" {
	graph
	run -0 --separate-stderr rt history --format json
	jqe '.format_version == 1 and .command == "history" and .range == null'
	jqe '[.revisions[].id] | length == 4 and .[0] == $m and .[3] == $a' \
		--arg m "$M" --arg a "$A"
	# without -i the database is not read: no is_current, no failed
	jqe '(.revisions | all(has("is_current") | not)) and (has("failed") | not)'
	jqe '.revisions[] | select(.id == $m) | .parents == [$b, $e] and .is_mergepoint
		and .is_head and (.is_branchpoint | not) and .children == [] and .message == "Merge"' \
		--arg m "$M" --arg b "$B" --arg e "$E"
	jqe '.revisions[] | select(.id == $a) | .is_base and .is_branchpoint and (.is_head | not)
		and (.children | sort) == ([$b, $e] | sort) and .parents == []' \
		--arg a "$A" --arg b "$B" --arg e "$E"
	jqe '.revisions[] | select(.id == $e) | .branch_labels == ["side"] and .branches == ["side"]
		and .depends_on == [$b] and .create_date == "2026-11-22 10:00:00+00:00"
		and (.path | startswith("/") and endswith("_create_t_e.sql"))' \
		--arg e "$E" --arg b "$B"
	jqe '.revisions[] | select(.id == $b) | .dependents == [$e] and .branch_labels == []' \
		--arg b "$B" --arg e "$E"

	run -0 --separate-stderr rt history -r "$B:" --format json
	jqe '.range == ($b + ":") and ([.revisions[].id] == [$m, $b])' --arg b "$B" --arg m "$M"

	run -0 --separate-stderr rt heads --format json
	jqe '.command == "heads" and [.heads[].id] == [$m]' --arg m "$M"
	run -0 --separate-stderr rt branches --format json
	jqe '.command == "branches" and [.branchpoints[].id] == [$a]
		and (.branchpoints[0].children | length) == 2' --arg a "$A"
	run -0 --separate-stderr rt show "$E" --format json
	jqe '.command == "show" and .target == $e and [.revisions[].id] == [$e]
		and .revisions[0].message == "Create t_e"' --arg e "$E"
	run -0 --separate-stderr rt show base --format json
	jqe '.revisions == []'
	# the text is what it was; --format text is the default
	run -0 --separate-stderr rt heads
	local text=$output
	run -0 --separate-stderr rt heads --format text
	assert_eq "$output" "$text"
}

@test "current and history -i: rows, current revisions, unknown ids, is_current" {
	graph
	run -0 --separate-stderr rt current --format json
	jqe '.command == "current" and .version_rows == [] and .current == [] and .unknown == []
		and .failed == null and (.url | type) == "string"'

	rt upgrade "$B" >/dev/null
	run -0 --separate-stderr rt current --format json
	jqe '.version_rows == [$b] and [.current[].id] == [$b] and .current[0].is_current
		and .current[0].parents == [$a]' --arg b "$B" --arg a "$A"
	run -0 --separate-stderr rt history -i --format json
	jqe '.failed == null and ([.revisions[] | select(.is_current) | .id] == [$b])
		and (.revisions | all(has("is_current")))' --arg b "$B"

	q "INSERT INTO retort_version (version_num) VALUES ('0dd0dd0dd0dd')"
	run -0 --separate-stderr rt current --format json
	jqe '.unknown == ["0dd0dd0dd0dd"] and (.version_rows | sort) == ([$b, "0dd0dd0dd0dd"] | sort)
		and [.current[].id] == [$b]' --arg b "$B"
}

@test "current and history -i: the failed marker after a transaction=false migration failed" {
	R=abababababab
	write_rev "$A" "" "Create t_a" "CREATE TABLE t_a (id INTEGER);" "DROP TABLE t_a;"
	cat >"migrations/versions/${R}_three_steps.sql" <<EOF
-- Three steps

-- revision: $R
-- down_revision: $A

-- +upgrade transaction=false
CREATE TABLE t_r1 (id INTEGER);
INSERT INTO no_such_table (id) VALUES (1);
CREATE TABLE t_r3 (id INTEGER);

-- +downgrade transaction=false
DROP TABLE t_r1;
EOF
	run -1 --separate-stderr rt upgrade head
	run -0 --separate-stderr rt current --format json
	jqe '.failed.revision == $r and .failed.direction == "upgrade" and .failed.statement == 2
		and .failed.statements_done == 1 and (.failed.interrupted | not)
		and (.failed.error | test("no_such_table"))' --arg r "$R"
	jqe '.version_rows == [$a]' --arg a "$A"
	run -0 --separate-stderr rt history -i --format json
	jqe '.failed.revision == $r and .failed.statement == 2' --arg r "$R"
}

@test "check: differs false, then true with the operations; behind its head, no document" {
	write_rev "$A" "" "Create t_a" "CREATE TABLE t_a (id INTEGER PRIMARY KEY, note TEXT NOT NULL);" \
		"DROP TABLE t_a;"
	printf '%s\n' "CREATE TABLE t_a (id INTEGER PRIMARY KEY, note TEXT NOT NULL);" >schema.sql
	ini_set schema schema.sql

	run -1 --separate-stderr rt check --format json
	assert_eq "$output" "" "a failed check prints no document"
	assert_contains "$stderr" "not up to date"

	rt upgrade head >/dev/null
	run -0 --separate-stderr rt check --format json
	jqe '.command == "check" and .differs == false and .operations == [] and (.warnings | type) == "array"'

	printf '%s\n' "CREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT NOT NULL);" >>schema.sql
	run -1 --separate-stderr rt check --format json
	jqe '.differs == true and (.operations | any(test("add table posts")))'
}

@test "lint: findings with rule, level, revision, line; totals; exit 1 on an error" {
	if ! rt lint --dialect sqlite >/dev/null 2>"$BATS_TEST_TMPDIR/lint.err" &&
		grep -q 'built without PostgreSQL support' "$BATS_TEST_TMPDIR/lint.err"; then
		skip "retort was built without libpg_query"
	fi
	# write_rev: the upgrade's SQL starts on line 10
	write_rev "$A" "" "Drops" "CREATE TABLE fresh (id INTEGER);
DROP TABLE old_orders;"
	run -0 --separate-stderr rt lint --format json
	jqe '.command == "lint" and .errors == 0 and .warnings == 1 and .revisions == 1
		and .range == null and .dialect == null'
	jqe '.findings == [{rule: "drop-table", level: "warning", revision: $a,
		path: .findings[0].path, line: 11, message: .findings[0].message}]
		and (.findings[0].path | startswith("/") and endswith("_drops.sql"))
		and (.findings[0].message | test("old_orders"))' --arg a "$A"

	write_rev "$B" "$A" "Vacuum" "VACUUM;"
	run -1 --separate-stderr rt lint --format json
	jqe '.errors == 1 and .warnings == 1 and .revisions == 2'
	jqe '.findings[1] | .rule == "non-transactional-statement" and .level == "error"
		and .revision == $b and .line == 10' --arg b "$B"
	run -1 --separate-stderr rt lint "$B" --format json
	jqe '.range == $b and [.findings[].rule] == ["non-transactional-statement"]' --arg b "$B"
}

@test "verify: ok, then the file edited after it was applied" {
	write_rev "$A" "" "Create t_a" "CREATE TABLE t_a (id INTEGER);" "DROP TABLE t_a;"
	rt upgrade head >/dev/null
	run -0 --separate-stderr rt verify --format json
	jqe '.command == "verify" and .ok and .problems == []'
	echo "-- an edit" >>"$REV_FILE"
	run -1 --separate-stderr rt verify --format json
	jqe '(.ok | not) and (.problems | length) == 1 and (.problems[0] | contains($a))' --arg a "$A"
	assert_eq "$stderr" ""
}

@test "test: a result per check and the totals; a downgrade that leaves a table fails" {
	write_rev "$A" "" "Create t_a" "CREATE TABLE t_a (id INTEGER);" "DROP TABLE t_a;"
	write_rev "$B" "$A" "Create t_b" "CREATE TABLE t_b (id INTEGER);" "DROP TABLE t_b;"
	run -0 --separate-stderr rt test --format json
	jqe '.command == "test" and .passed and .failed == 0 and .total == (.results | length)
		and .ok + .skipped == .total'
	jqe '[.results[] | select(.check == "revision") | .revision] == [$a, $b]
		and (.results[] | select(.check == "revision" and .revision == $b)
		| .status == "ok" and .revision_message == "Create t_b" and .message == null
		and (.path | endswith("_create_t_b.sql")))' --arg a "$A" --arg b "$B"
	jqe '.results[] | select(.check == "model") | .status == "skipped" and (.message | type) == "string"'
	# the check lines go to stderr, so stdout stays one document
	assert_contains "$stderr" "ok   revision $B, Create t_b"

	write_rev "$B" "$A" "Create t_b" "CREATE TABLE t_b (id INTEGER);" "SELECT 1;"
	run -1 --separate-stderr rt test --format json
	jqe '(.passed | not) and .failed >= 1
		and (.results[] | select(.check == "revision" and .revision == $b) | .status == "failed"
		and (.message | length) > 0)' --arg b "$B"
}

@test "--format: a bad value is a usage error; a failed command prints no document" {
	write_rev "$A" "" "Create t_a" "CREATE TABLE t_a (id INTEGER);" "DROP TABLE t_a;"
	run -2 --separate-stderr rt history --format yaml
	assert_eq "$output" ""
	assert_contains "$stderr" "--format is text or json, not 'yaml'"
	run -1 --separate-stderr rt show nosuchrev --format json
	assert_eq "$output" ""
	assert_match "$stderr" "^error: "
	run -1 --separate-stderr rt history -r nosuchrev: --format json
	assert_eq "$output" ""
}

@test "text that is not UTF-8 becomes U+FFFD, never a missing key" {
	write_rev "$A" "" $'Caf\xe9 table' "CREATE TABLE t_a (id INTEGER);" "DROP TABLE t_a;"
	run -0 --separate-stderr rt show "$A" --format json
	jqe '.revisions[0].message == "Caf\ufffd table"'
}
