#!/usr/bin/env bats
# PostgreSQL: statements split by the server's own grammar, and errors
# pointing at file:line with the server's message, detail and hint.

load pg_helper

A=a1a1a1a1a1a1
B=b2b2b2b2b2b2

setup() {
	pg_setup
	new_db
	new_project
}

teardown() {
	pg_teardown
}

@test "splitting corpus: dollar quotes, E'' strings, doubled quotes, quoted identifiers, nested comments" {
	write_corpus_rev "$A" ""
	run -0 --separate-stderr rt upgrade head
	assert_eq "$stderr" ""
	assert_match "$output" "^upgrade  -> $A, Splitting corpus \\([0-9.]+ ms\\)$"
	corpus_check
	assert_eq "$(versions)" "$A"
	run -0 --separate-stderr rt downgrade base
	assert_eq "$stderr" ""
	corpus_gone
	assert_eq "$(versions)" ""
}

@test "splitting corpus in a transaction=false section: each statement on its own, same result" {
	UP_OPTS=transaction=false DOWN_OPTS=transaction=false write_corpus_rev "$A" ""
	run -0 --separate-stderr rt upgrade head
	assert_eq "$stderr" ""
	corpus_check
	assert_eq "$(versions)" "$A"
	run -0 --separate-stderr rt downgrade base
	corpus_gone
}

@test "a typo on line N: file:N and the server's message" {
	write_rev "$A" "" "Typo" \
		"CREATE TABLE e1 (id int);

CRATE TABLE e2 (id int);"
	run -1 --separate-stderr rt upgrade head
	assert_eq "$output" ""
	assert_first_line_error "$stderr"
	assert_contains "$(printf '%s\n' "$stderr" | head -n 1)" "${REV_FILE##*/}:$((UP_LINE + 2)): "
	assert_contains "$stderr" 'syntax error at or near "CRATE"'
	assert_contains "$stderr" "$A"
	refute rel_exists e1
	assert_eq "$(versions)" ""
}

@test "a statement neither the parser nor the scanner recognises is still sent, never dropped" {
	# the parser rejects the section, so the splitter falls back to the
	# scanner, which finds no statement in "SELEC 1": it must reach the
	# server (and fail there) instead of vanishing from the migration
	write_rev "$A" "" "Unknown word" \
		"CREATE TABLE e1 (id int);
SELEC 1;
CREATE TABLE e2 (id int);"
	run -1 --separate-stderr rt upgrade head
	assert_first_line_error "$stderr"
	assert_contains "$(printf '%s\n' "$stderr" | head -n 1)" "${REV_FILE##*/}:$((UP_LINE + 1)): "
	assert_contains "$stderr" 'syntax error at or near "SELEC"'
	refute rel_exists e1
	refute rel_exists e2
	assert_eq "$(versions)" ""
}

@test "an error inside a multi-line statement points at the line of the error, not of the statement" {
	write_rev "$A" "" "Bad type" \
		"CREATE TABLE e1 (id int);
CREATE TABLE e2 (
    id   int,
    name txet NOT NULL
);"
	run -1 --separate-stderr rt upgrade head
	assert_first_line_error "$stderr"
	assert_contains "$stderr" "${REV_FILE##*/}:$((UP_LINE + 3)): "
	assert_contains "$stderr" 'type "txet" does not exist'
	refute rel_exists e1
}

@test "error positions count characters, not bytes (multibyte text before the error)" {
	# the server's position is in characters; 40 two-byte characters
	# before the error move a byte-based mapping back onto an earlier line
	write_rev "$A" "" "Multibyte" \
		"CREATE TABLE e1 (id int);
SELECT 'éééééééééééééééééééééééééééééééééééééééé',
       1,
       no_such_column;"
	run -1 --separate-stderr rt upgrade head
	assert_first_line_error "$stderr"
	assert_contains "$stderr" "${REV_FILE##*/}:$((UP_LINE + 3)): "
	assert_contains "$stderr" 'column "no_such_column" does not exist'
}

@test "an error after a dollar-quoted body points past it" {
	write_rev "$A" "" "After body" \
		"CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS \$\$
BEGIN
    RETURN 1; -- ; not the end
END;
\$\$;
SELECT f();
SELECT f(1);"
	run -1 --separate-stderr rt upgrade head
	assert_first_line_error "$stderr"
	assert_contains "$stderr" "${REV_FILE##*/}:$((UP_LINE + 6)): "
	assert_contains "$stderr" "function f(integer) does not exist"
	# the server's hint comes along
	assert_contains "$stderr" "hint: No function matches the given name and argument types"
	assert_eq "$(q "SELECT count(*) FROM pg_proc WHERE proname = 'f'")" 0
}

@test "a unique violation shows the server's detail" {
	write_rev "$A" "" "Create u" "CREATE TABLE u (id int PRIMARY KEY);" "DROP TABLE u;"
	write_rev "$B" "$A" "Insert twice" \
		"INSERT INTO u VALUES (1);
INSERT INTO u VALUES (2);
INSERT INTO u VALUES (1);"
	run -1 --separate-stderr rt upgrade head
	assert_eq "${#lines[@]}" 1
	assert_match "${lines[0]}" "^upgrade  -> $A, "
	assert_first_line_error "$stderr"
	assert_contains "$stderr" "${REV_FILE##*/}:$((UP_LINE + 2)): "
	assert_contains "$stderr" 'duplicate key value violates unique constraint "u_pkey"'
	assert_contains "$stderr" "Key (id)=(1) already exists"
	assert_eq "$(q 'SELECT count(*) FROM u')" 0
	assert_eq "$(versions)" "$A"
	assert_contains "$stderr" "the database is at '$A'"
}

@test "an error in a downgrade section points into the downgrade section" {
	write_rev "$A" "" "Create u" "CREATE TABLE u (id int PRIMARY KEY);" \
		"DROP TABLE u;
DROP TABLE no_such_table;"
	run -0 rt upgrade head
	run -1 --separate-stderr rt downgrade base
	assert_first_line_error "$stderr"
	local line
	line=$(grep -n '^DROP TABLE no_such_table;' "$REV_FILE" | cut -d: -f1)
	assert_contains "$stderr" "${REV_FILE##*/}:$line: "
	assert_contains "$stderr" 'table "no_such_table" does not exist'
	rel_exists u
	assert_eq "$(versions)" "$A"
}

@test "an error inside a DO block points at the failing PL/pgSQL line and keeps the server's context" {
	write_rev "$A" "" "Do block" \
		"CREATE TABLE d (id int);
DO \$body\$
DECLARE
    n int;
BEGIN
    INSERT INTO d VALUES (1);
    n := 1 / 0;
END
\$body\$;"
	run -1 --separate-stderr rt upgrade head
	assert_first_line_error "$stderr"
	# the line of 'n := 1 / 0', not of 'DO'
	local line
	line=$(grep -n '^    n := 1 / 0;' "$REV_FILE" | cut -d: -f1)
	assert_contains "$stderr" "${REV_FILE##*/}:$line: division by zero"
	assert_contains "$stderr" "context: PL/pgSQL function inline_code_block line 6 at assignment"
	refute rel_exists d
	assert_eq "$(versions)" ""

	# the same outside a transaction, with the body opening on a line of its own
	UP_OPTS=transaction=false write_rev "$A" "" "Do block" \
		"CREATE TABLE d (id int);
DO LANGUAGE plpgsql
\$\$
BEGIN
    RAISE EXCEPTION 'stop at %', 'here';
END
\$\$;" "DROP TABLE d;"
	run -1 --separate-stderr rt upgrade head
	line=$(grep -n "^    RAISE EXCEPTION" "$REV_FILE" | cut -d: -f1)
	assert_contains "$stderr" "${REV_FILE##*/}:$line: stop at here"
	assert_contains "$stderr" "context: PL/pgSQL function inline_code_block line 3 at RAISE"
}
