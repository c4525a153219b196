#!/usr/bin/env bats
# retort schema dump --format json|mermaid|dot: the ER diagrams, checked
# against a golden file per shape and dialect (the types are spelt as each
# database spells them), Graphviz's dot drawing every Graphviz one, and the
# JSON shape of docs/json.md parsed with jq.
#
# The shapes: tests/resources/schema-diagram/SHAPE.sql, drawn as
# SHAPE.DIALECT.mmd; the shop of examples/shopbot as shop.DIALECT.mmd.

load helper

setup() {
	common_setup
	RES="$RETORT_SRC/tests/resources/schema-diagram"
}

teardown() {
	common_teardown
}

# shape NAME: a project whose one revision creates NAME.sql, upgraded.
shape() {
	new_project
	write_rev "$A" "" "Create $1" "$(cat "$RES/$1.sql")"
	rt upgrade head >/dev/null
}

# draws NAME EDGES: `schema dump --format mermaid` is NAME's golden file,
# and dot draws the Graphviz drawing with EDGES relationships.
draws() {
	rt schema dump --format mermaid >drawing.mmd
	diff -u "$RES/$1.$DIALECT.mmd" drawing.mmd
	rt schema dump --format dot >drawing.dot
	dot -Tsvg drawing.dot >drawing.svg
	assert_eq "$(grep -c 'class="edge"' drawing.svg)" "$2" "edges drawn"
}

@test "the shop example: its ER diagram, and its JSON" {
	cp -R "$RETORT_SRC/examples/shopbot" shopbot
	rm -f shopbot/*.db shopbot/*.log
	use_init_url shopbot
	cd shopbot
	rt upgrade head >/dev/null
	draws shop 3
	assert_eq "$(grep -c 'class="node"' drawing.svg)" 4 "tables drawn"
	# the example's README shows this diagram
	if is_sqlite; then
		sed -n '/^erDiagram$/,/^```$/p' README.md | sed '$d' | diff -u drawing.mmd -
	fi
	rt schema dump --format json >shop.json
	assert_eq "$(jq -r '.format_version, .source, .dialect' shop.json | paste -sd ' ')" \
		"1 database $DIALECT"
	assert_eq "$(jq -r '[.tables[].name] | join(" ")' shop.json)" \
		"categories products purchases users"
	assert_eq "$(jq -c '.tables[] | select(.name == "purchases") | [.foreign_keys[] |
		[.columns, .references.table, .references.columns, .on_delete]]' shop.json)" \
		'[[["product_id"],"products",["id"],"NO ACTION"],[["user_id"],"users",["id"],"NO ACTION"]]'
	assert_eq "$(jq -c '.tables[] | select(.name == "users") |
		[.primary_key, (.columns[] | select(.name == "username") | .nullable)]' shop.json)" \
		'[["id"],true]'
}

@test "one-to-one: the child's key or a unique column is the foreign key" {
	shape one-to-one
	draws one-to-one 2
}

@test "a composite foreign key is one relationship, in JSON as in the drawing" {
	shape composite
	draws composite 2
	rt schema dump --format json >s.json
	assert_eq "$(jq -c '.tables[] | select(.name == "shipments") | .foreign_keys[] |
		[.columns, .references]' s.json)" \
		'[["order_id","line_no"],{"table":"order_lines","columns":["order_id","line_no"]}]'
	assert_eq "$(jq -c '.tables[] | select(.name == "order_lines") | .primary_key' s.json)" \
		'["order_id","line_no"]'
}

@test "a self-reference" {
	shape self-reference
	draws self-reference 1
}

@test "names that need quoting or a new spelling, in each format" {
	shape odd-names
	draws odd-names 1
	rt schema dump --format json >s.json
	assert_eq "$(jq -r '.tables[0].name' s.json)" 'odd <&> 50% "name"'
	assert_eq "$(jq -r '[.tables[0].columns[].name] | join("|")' s.json)" 'select|pk|2nd col|a"b'
	# the SQL still names them as they are
	run -0 rt schema dump
	assert_contains "$output" '"odd <&> 50% ""name"""'
}

@test "--model draws the model without a database" {
	new_project
	cp "$RES/one-to-one.sql" model.sql
	ini_set schema model.sql
	rt schema dump --model --format mermaid >drawing.mmd
	diff -u "$RES/one-to-one.$DIALECT.mmd" drawing.mmd
	run -0 rt schema dump --model --format json
	assert_eq "$(jq -r '.source, (.tables | length)' <<<"$output" | paste -sd ' ')" "model 3"
	refute has_version_table
}

@test "an empty database; an unknown format is a usage error" {
	new_project
	run -0 rt schema dump --format json
	assert_eq "$(jq -c '[.tables, .views, .unmodelled]' <<<"$output")" '[[],[],[]]'
	run -0 rt schema dump --format mermaid
	assert_eq "$output" "erDiagram"
	run -2 --separate-stderr rt schema dump --format svg
	assert_contains "$stderr" "--format is sql, json, mermaid or dot, not 'svg'"
}
