#!/usr/bin/env bats
# retort graph and history --graph: the revision graph as text, dot and
# Mermaid, each shape against its golden file (tests/resources/graph/;
# RETORT_UPDATE_GOLDEN=1 rewrites them), dot's output through `dot -Tsvg`,
# Mermaid's through its grammar, and the database's state after an upgrade.

load helper

E=e5e5e5e5e5e5
F=f6f6f6f6f6f6
M=9a9a9a9a9a9a

setup() {
	# Only the tests of the database's state need the dialect's server
	# (a database of its own each); the others read the files alone.
	case $BATS_TEST_DESCRIPTION in
	*database*|*upgrade*) common_setup ;;
	*) common_setup sqlite ;;
	esac
	new_project
	GOLDEN="$RETORT_SRC/tests/resources/graph"
}

teardown() {
	common_teardown
}

# ---- the checks ------------------------------------------------------------

# golden NAME: $output is the file's text.
golden() {
	local file="$GOLDEN/$1"
	if [ -n "${RETORT_UPDATE_GOLDEN:-}" ]; then
		printf '%s\n' "$output" >"$file"
	fi
	[ -f "$file" ] || fail "no golden file $file"
	assert_eq "$output" "$(cat "$file")" "$1 differs from its golden file"
}

# Graphviz draws $output without a word of complaint.
dot_accepts() {
	printf '%s\n' "$output" | dot -Tsvg >"$BATS_TEST_TMPDIR/g.svg" 2>"$BATS_TEST_TMPDIR/dot.err" ||
		fail "dot -Tsvg failed: $(cat "$BATS_TEST_TMPDIR/dot.err")" "$output"
	[ ! -s "$BATS_TEST_TMPDIR/dot.err" ] || fail "dot warned: $(cat "$BATS_TEST_TMPDIR/dot.err")"
	grep -q '<svg' "$BATS_TEST_TMPDIR/g.svg" || fail "no SVG from dot"
}

# Every line of $output is one of the few a Mermaid flowchart of ours has,
# and a label holds no '"', no '<' but <br>, no '#' but an entity code and
# no backquote: what would end it or turn it into HTML or Markdown.
mermaid_accepts() {
	local bad
	bad=$(printf '%s\n' "$output" | awk '
		NR == 1 { if ($0 != "flowchart BT") print; next }
		/^    %% / { next }
		/^    r_[A-Za-z0-9_]+\["[^"]*"\]$/ {
			s = $0; sub(/^[^"]*"/, "", s); sub(/"\]$/, "", s)
			gsub(/<br>/, "", s); gsub(/#[0-9]+;/, "", s)
			if (s ~ /[<>#`]/) print
			next
		}
		/^    r_[A-Za-z0-9_]+ (-->|-\.->) r_[A-Za-z0-9_]+$/ { next }
		/^    classDef (head|applied|current|failed) [a-z-]+:[^ ;]*$/ { next }
		/^    class r_[A-Za-z0-9_]+(,r_[A-Za-z0-9_]+)* (head|applied|current|failed)$/ { next }
		{ print }')
	[ -z "$bad" ] || fail "not Mermaid as retort writes it:" "$bad"
}

# shape NAME [ARGS]: `graph --no-db` in the three formats against NAME's
# golden files.
shape() {
	local name=$1 fmt
	shift
	for fmt in text dot mermaid; do
		run -0 --separate-stderr rt graph --format "$fmt" "$@"
		assert_eq "$stderr" ""
		golden "$name.$fmt"
		case $fmt in
		dot) dot_accepts ;;
		mermaid) mermaid_accepts ;;
		esac
	done
}

# ---- the shapes ------------------------------------------------------------

@test "linear: one lane, base at the bottom" {
	std_chain
	shape linear --no-db
	assert_eq "${lines[0]}" "flowchart BT"
}

@test "branched: two heads off one branch point" {
	write_rev "$A" "" "Create t_a" ""
	write_rev "$B" "$A" "Create t_b" ""
	write_rev "$C" "$A" "Create t_c" ""
	shape branched --no-db
	run -0 rt graph --no-db
	assert_eq "$output" "$(cat "$GOLDEN/branched.text")"
	assert_line_match '^\|/$'
}

@test "merged: a branch and its merge, one head" {
	write_rev "$A" "" "Create t_a" ""
	write_rev "$B" "$A" "Create t_b" ""
	write_rev "$C" "$A" "Create t_c" ""
	write_rev "$M" "$B, $C" "merge b and c" ""
	write_rev "$D" "$M" "Create t_d" ""
	shape merged --no-db
	run -0 rt graph --no-db --format dot
	assert_eq "$(grep -c -- "-> \"$M\"" <<<"$output")" 2
	run -0 rt graph --no-db
	assert_line_match '^\|\\$'
}

@test "octopus: a merge of three heads, and a base beside" {
	write_rev "$A" "" "Create t_a" ""
	write_rev "$B" "$A" "Create t_b" ""
	write_rev "$C" "$A" "Create t_c" ""
	write_rev "$E" "$A" "Create t_e" ""
	write_rev "$F" "" "a second base" ""
	write_rev "$M" "$B, $C, $E" "merge three" ""
	shape octopus --no-db
	run -0 rt graph --no-db
	assert_line_match '^\| \|\\$'
}

@test "depends_on: a dashed edge between branches" {
	write_rev "$A" "" "Create t_a" ""
	write_rev "$B" "$A" "Create t_b" ""
	LABELS=other write_rev "$E" "" "other base" ""
	DEPENDS=$B write_rev "$F" "$E" "needs t_b" ""
	shape depends --no-db
	assert_line_match "^    r_$B -\\.-> r_$F$"
	run -0 rt graph --no-db --format dot
	assert_line_match "^	\"$B\" -> \"$F\" \\[style=dashed\\];$"
	# B is a head others depend on: Alembic's "effective head"
	run -0 rt graph --no-db
	assert_line_match "^\\| \\* $B \\(effective head\\) Create t_b$"
}

@test "labels: two labelled bases, a second label further up" {
	LABELS=main write_rev "$A" "" "Create t_a" ""
	write_rev "$B" "$A" "Create t_b" ""
	LABELS=other write_rev "$E" "" "other base" ""
	LABELS=feature write_rev "$F" "$E" "other two" ""
	shape labels --no-db
	run -0 rt graph --no-db
	# a label reaches down to the branch's base, as in `history`
	assert_line_match "^\\* \\| $E \\(feature, other\\) other base$"
}

@test "random graphs: every lane drawn leads to the revision's parent" {
	local seed dir
	# graph_lanes.py follows each lane of the drawing: the edges it draws
	# must be the files' down_revisions, none lost, none extra
	for seed in 1 2 3; do
		dir="$BATS_TEST_TMPDIR/random$seed"
		mkdir -p "$dir"
		printf '[retort]\nscript_location = migrations\n' >"$dir/retort.ini"
		/usr/bin/python3 "$BATS_TEST_DIRNAME/graph_lanes.py" make "$dir" "$seed" 150
		(cd "$dir" && rt graph) >"$dir/drawing"
		run -0 /usr/bin/python3 "$BATS_TEST_DIRNAME/graph_lanes.py" check "$dir" <"$dir/drawing"
		assert_match "$output" "^[0-9]+ edges$"
	done
	# the drawing has what the checker must read: merges, joins across lanes
	grep -q '|\\' "$dir/drawing"
	grep -q '_|/' "$dir/drawing"
}

# ---- the database ----------------------------------------------------------

@test "after an upgrade to a middle revision: applied and current highlighted" {
	std_chain
	run -0 --separate-stderr rt upgrade "$B"
	shape linear-at-b
	# text: the applied ones '*', the others 'o', the row's revision current
	assert_eq "$(rt graph)" "o $D (head) Create t_d
o $C Create t_c
* $B (current) Create t_b
* $A Create t_a"
	run -0 rt graph --format dot
	assert_line_match "^	\"$B\" .*fillcolor=\"#66bb6a\", penwidth=3\\];$"
	assert_line_match "^	\"$A\" .*fillcolor=\"#c8e6c9\"\\];$"
	refute_contains "$(grep "^	\"$C\"" <<<"$output")" fillcolor
	run -0 rt graph --format mermaid
	assert_line_match "^    class r_$B,r_$A applied$"
	assert_line_match "^    class r_$B current$"
	# history --graph shows the state with -i, as history does
	assert_eq "$(rt history --graph -i)" "$(rt graph)"
	assert_eq "$(rt history --graph)" "$(rt graph --no-db)"
	# a row no file has: drawn without it, and said
	q "INSERT INTO retort_version (version_num) VALUES ('0f0f0f0f0f0f')"
	run -0 --separate-stderr rt graph
	assert_eq "$output" "$(cat "$GOLDEN/linear-at-b.text")"
	assert_eq "$stderr" "warning: the database is at '0f0f0f0f0f0f', which no revision file has; the graph leaves it out"
}

@test "a migration that failed part way in the database is marked" {
	write_rev "$A" "" "Create t_a" "CREATE TABLE t_a (id INTEGER);"
	# a transaction=false section whose second statement fails
	cat >"migrations/versions/${B}_two_steps.sql" <<EOF
-- Two steps
--
-- revision: $B
-- down_revision: $A

-- +upgrade transaction=false
CREATE TABLE t_b1 (id INTEGER PRIMARY KEY);
INSERT INTO no_such_table (id) VALUES (1);

-- +downgrade transaction=false
DROP TABLE t_b1;
EOF
	run -1 --separate-stderr rt upgrade head
	run -0 --separate-stderr rt graph
	assert_eq "$output" "o $B (head) (failed at statement 2) Two steps
* $A (current) Create t_a"
	run -0 --separate-stderr rt graph --format dot
	dot_accepts
	assert_line_match "^	\"$B\" .*penwidth=3, color=\"#c62828\"\\];$"
	run -0 --separate-stderr rt graph --format mermaid
	mermaid_accepts
	golden failed.mermaid
	assert_line_match "^    class r_$B failed$"
}

@test "a project without a URL draws without state" {
	std_chain
	ini_set url ""
	run -0 --separate-stderr rt graph
	assert_eq "$output" "$(cat "$GOLDEN/linear.text")"
}

@test "a database that cannot be reached is an error unless --no-db" {
	std_chain
	run -1 --separate-stderr rt -u "$UNREACHABLE_URL" graph
	assert_eq "$output" ""
	assert_match "$stderr" "^error: "
	assert_contains "$stderr" "--no-db"
	run -0 --separate-stderr rt -u "$UNREACHABLE_URL" graph --no-db --format mermaid
	assert_eq "$output" "$(cat "$GOLDEN/linear.mermaid")"
}

# ---- user text -------------------------------------------------------------

@test "hostile messages stay inside their labels" {
	local html uni
	html='say "hi" <script>x</script> & #35; \N `t`'
	uni=$'{x} |y| ]; %% \xff \tünïcödé 🙂'
	write_rev "$A" "" "$html" ""
	write_rev "$B" "$A" "$uni" ""
	LABELS=other write_rev "$C" "$B" "$(printf 'x%.0s' {1..80})" ""
	run -0 --separate-stderr rt graph --no-db --format dot
	dot_accepts
	assert_contains "$output" '\nsay \"hi\" <script>x</script> & #35; \\N `t`"'
	assert_contains "$output" '\n{x} |y| ]; %% ?  ünïcödé 🙂"'
	# a long message is cut in a picture
	assert_contains "$output" "\\n$(printf 'x%.0s' {1..48})...\""
	run -0 --separate-stderr rt graph --no-db --format mermaid
	mermaid_accepts
	golden hostile.mermaid
	assert_contains "$output" '<br>say #34;hi#34; #60;script#62;x#60;/script#62; #38; #35;35; \N #96;t#96;"]'
	assert_contains "$output" '<br>{x} |y| ]; %% ?  ünïcödé 🙂"]'
	run -0 --separate-stderr rt graph --no-db
	# the whole message, a bad byte as '?', a tab as a blank
	assert_eq "${lines[0]}" "* $C (other) (head) $(printf 'x%.0s' {1..80})"
	assert_eq "${lines[1]}" "* $B (other) {x} |y| ]; %% ?  ünïcödé 🙂"
	assert_eq "${lines[2]}" "* $A (other) $html"
}

# ---- usage ---------------------------------------------------------------

@test "usage errors: an unknown format, history --graph with a range" {
	std_chain
	run -2 --separate-stderr rt graph --format svg
	assert_contains "$stderr" "--format is text, dot or mermaid, not 'svg'"
	run -2 --separate-stderr rt history --graph -r "$A:"
	assert_contains "$stderr" "--graph draws every revision; it takes no -r"
	run -2 --separate-stderr rt history --graph --format json
	assert_contains "$stderr" "--graph draws text"
	run -2 --separate-stderr rt graph extra
	run -0 rt graph --help
	assert_contains "$output" "usage: retort graph"
}

@test "the shop example's README shows what retort graph draws" {
	# the walkthrough's five revisions (their ids and messages as the
	# README has them), the database stamped one below the head
	local readme=$RETORT_SRC/examples/shopbot/README.md id msg
	while IFS='|' read -r id msg; do
		run -0 rt revision -m "$msg" --rev-id "$id"
	done <<-'EOF2'
	4c1b9e27d0a3|Create shop schema
	9e5d30f1b6a8|Index purchases and products
	33a94bc29aea|Add posts table
	43a54fbd8806|Add email to users
	47510584e26b|Product prices with kopecks
	EOF2
	run -0 rt stamp 43a54fbd8806
	assert_eq "$(rt graph)" \
		"$(sed -n '/^\$ retort graph$/,/^```$/p' "$readme" | sed '1d;$d')"
	assert_eq "$(rt graph --format mermaid)" \
		"$(sed -n '/^flowchart BT$/,/^```$/p' "$readme" | sed '$d')"
}
