#!/usr/bin/env bats
# retort report and fleet report: one self-contained HTML page, looked at
# in a real browser.  Headless Chromium (Debian's) loads the page: any
# console message fails the test (a script error, or a load the page's
# Content-Security-Policy blocked, which is how a page that needs the
# network shows), its DOM must hold the sections and revision ids, and
# its screenshot must be a PNG of the window's size with ink on it.
# One browser load per test: Chromium takes seconds to start.

load helper

setup() {
	common_setup
	new_project
	# A -> B and A -> C (a branch), D merging them; C drops a table that
	# A made, which lint reports
	write_rev "$A" "" "Create <users> & co" \
		"CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE legacy (id INTEGER);" "DROP TABLE legacy; DROP TABLE users;"
	write_rev "$B" "$A" "Create orders" \
		"CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));" \
		"DROP TABLE orders;"
	LABELS=cleanup write_rev "$C" "$A" "Drop legacy" "DROP TABLE legacy;" \
		"CREATE TABLE legacy (id INTEGER);"
	write_rev "$D" "$B, $C" "Merge" "" ""
}

teardown() {
	common_teardown
}

# browse PAGE [SHOT]: load PAGE in headless Chromium, its DOM into $DOM
# and, with SHOT, a 1280x2000 screenshot into SHOT.  Fails on any console
# message.  Chromium's profile, cache and home are the test's, never the
# caller's.
browse() {
	local page=$1 shot=${2:-} home="$BATS_TEST_TMPDIR/chromium"
	local args=(--headless=new --no-sandbox --disable-gpu --no-first-run
		--disable-background-networking --disable-component-update --disable-sync
		--disable-default-apps --user-data-dir="$home/profile"
		--enable-logging=stderr --v=0)
	[ -n "$shot" ] && args+=(--screenshot="$shot" --window-size=1280,2000)
	mkdir -p "$home"
	DOM=$BATS_TEST_TMPDIR/dom.html
	HOME=$home XDG_CONFIG_HOME=$home/config XDG_CACHE_HOME=$home/cache \
		timeout 60 chromium "${args[@]}" --dump-dom "file://$page" >"$DOM" 2>"$home/log" ||
		fail "chromium failed on $page:" "$(grep -v dbus "$home/log")"
	if grep -q ':CONSOLE' "$home/log"; then
		fail "the page logged to the console:" "$(grep ':CONSOLE' "$home/log")"
	fi
	[ -s "$DOM" ] || fail "chromium dumped no DOM for $page"
}

# The page is one file: nothing it would load, no script.
assert_self_contained() {
	refute grep -Eiq '<script|<link|<img|<iframe|src=|@import|url\(' "$1"
	refute grep -Eiq 'href="[^#]' "$1"
	grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$1"
}

@test "report: every section, in Chromium without errors, a screenshot with ink" {
	printf 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n' >schema.sql
	ini_set schema schema.sql
	run -0 --separate-stderr rt upgrade heads
	run -0 --separate-stderr rt report -o report.html
	assert_eq "$output" ""
	# the findings are in the page, not warnings: every part was made
	refute_contains "$stderr" "warning: report"
	assert_self_contained report.html
	# user text is escaped: the message, and nothing of it raw
	grep -q 'Create &lt;users&gt; &amp; co' report.html
	refute grep -q '<users>' report.html
	# the graph and the ER diagram: Graphviz's SVG, inlined without prolog
	[ "$(grep -c '<svg' report.html)" -eq 2 ]
	refute grep -q '<?xml\|<!DOCTYPE svg' report.html
	# the durations: a row and a bar per step, four upgrades
	[ "$(grep -c 'class="bar ' report.html)" -eq 4 ]
	# lint's finding, verify, check against the model (orders is not in it)
	grep -q 'drop-table' report.html
	grep -q 'matches its recorded checksum' report.html
	grep -q 'The database differs from the schema' report.html
	grep -Eq '<li><code>[^<]*orders' report.html

	SHOT=$BATS_TEST_TMPDIR/shot.png
	browse "$PWD/report.html" "$SHOT"
	for id in graph durations lint verify check schema; do
		grep -q "<section id=\"$id\">" "$DOM" || fail "no section $id in the DOM"
	done
	# each revision in the drawn graph (SVG text) and in the durations
	for rev in "$A" "$B" "$C" "$D"; do
		sed -n '/<section id="graph">/,/<\/section>/p' "$DOM" | grep -q "<text[^>]*>[^<]*$rev" ||
			fail "revision $rev not drawn in the graph"
		sed -n '/<section id="durations">/,/<\/section>/p' "$DOM" | grep -q "$rev" ||
			fail "revision $rev not in the durations"
	done
	sed -n '/<section id="schema">/,/<\/section>/p' "$DOM" | grep -q '<text[^>]*>[^<]*orders' ||
		fail "table orders not drawn in the ER diagram"
	# a PNG of the window's size, bigger than a blank page's (12 kB), inked
	[ "$(stat -c %s "$SHOT")" -gt 20000 ] || fail "screenshot of $(stat -c %s "$SHOT") bytes"
	run -0 /usr/bin/python3 "$BATS_TEST_DIRNAME/png_ink.py" "$SHOT" 20000
	assert_eq "$output" "1280 2000 20000"
}

@test "report without dot on PATH: the graph as text, the schema as SQL" {
	run -0 --separate-stderr rt upgrade heads
	mkdir empty
	run -0 --separate-stderr env PATH="$PWD/empty" "$RETORT" report -o report.html
	refute_contains "$stderr" "warning: report"
	refute grep -q '<svg' report.html
	[ "$(grep -c "dot is not installed (not found on PATH)" report.html)" -eq 2 ]
	sed -n '/<pre class="graph">/,/<\/pre>/p' report.html >graph.txt
	for rev in "$A" "$B" "$C" "$D"; do
		grep -q "$rev" graph.txt || fail "revision $rev not in the text graph"
	done
	sed -n '/<pre class="schema">/,/<\/pre>/p' report.html | grep -q 'CREATE TABLE orders'
	# without a model, check says so instead of failing
	grep -q 'Not checked: no model configured' report.html
	assert_self_contained report.html
}

@test "report of a database out of reach: written, each part says why, exit 0" {
	run -0 --separate-stderr rt -u "$UNREACHABLE_URL" report
	assert_contains "$stderr" "warning: report: cannot read the database:"
	assert_contains "$stderr" "warning: report: the durations not shown"
	assert_contains "$output" "the database could not be read: "
	assert_contains "$output" "the ER diagram not shown: the database could not be read"
	# lint reads files only, the graph is drawn without the database's state
	assert_contains "$output" "drop-table"
	assert_contains "$output" "<section id=\"graph\">"
	assert_contains "$output" "</html>"
}

@test "report -o: replaced in one step, a half-applied migration; a page that cannot be written is exit 1" {
	local f=f6f6f6f6f6f6
	write_rev "$f" "$B" "Half" "CREATE TABLE t_f1 (id INTEGER);
INSERT INTO no_such_table (id) VALUES (1);" ""
	sed -i 's/^-- +upgrade$/-- +upgrade transaction=false/' "$REV_FILE"
	run -1 --separate-stderr rt upgrade "$f"
	echo old >report.html
	run -0 --separate-stderr rt report -o report.html
	grep -q '</html>' report.html
	grep -q "<dt>half applied</dt><dd class=\"bad\"><span class=\"rev\">$f</span>: the upgrade failed after 1 statement: .*no_such_table" report.html
	# the failed step is in the chart's table (a duration of it is not
	# always recorded)
	grep -q "<td class=\"rev\">$f</td><td>Half</td><td>upgrade <span class=\"bad\">failed</span>" report.html
	[ "$(ls -a | grep -c 'report.html.tmp')" -eq 0 ]
	run -1 --separate-stderr rt report -o no/such/dir/report.html
	assert_contains "$stderr" "error: cannot write the report 'no/such/dir/report.html'"
	[ ! -e no ]
	run -2 --separate-stderr rt fleet current -o x.html
	assert_contains "$stderr" "-o is for fleet report"
}

@test "fleet report: the tenants' revisions and states, in Chromium without errors" {
	new_db T1
	new_db T2
	is_sqlite && : >"$T1" && : >"$T2"
	cat >>retort.ini <<EOF

[fleet]
script_location = migrations
EOF
	printf 'shop_one %s\nshop<two> %s\nshop_gone %s\n' "$T1_URL" "$T2_URL" "$UNREACHABLE_URL" \
		>tenants.txt
	run -0 --separate-stderr rt fleet upgrade head --tenants tenants.txt --only shop_one
	run -0 --separate-stderr rt -q fleet report --tenants tenants.txt -o fleet.html
	assert_self_contained fleet.html
	# per state: one at head, one behind (four pending), one failed
	grep -q '<tr><td>at head</td><td class="num">1</td></tr>' fleet.html
	grep -q '<tr><td>behind</td><td class="num">1</td></tr>' fleet.html
	grep -q '<tr><td>failed</td><td class="num">1</td></tr>' fleet.html
	grep -q "<tr><td>shop_one</td>.*<td class=\"rev\">$D</td><td class=\"num\">0</td><td class=\"ok\">at head</td>" fleet.html
	grep -q '<tr><td>shop&lt;two&gt;</td>.*<td class="rev">base</td><td class="num">4</td><td class="warn">behind</td>' fleet.html
	grep -q '<tr><td>shop_gone</td>.*<td class="bad">failed</td><td>[^<]' fleet.html
	if is_pg; then
		local password=${PG_BASE_URL#*://*:}
		refute grep -qF "${password%@*}@" fleet.html
	fi
	browse "$PWD/fleet.html"
	grep -q 'shop_gone' "$DOM"
	grep -q '<section id="tenants">' "$DOM"
}
