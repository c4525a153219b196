#!/usr/bin/env bats
# What lint says about ALTER COLUMN ... TYPE on PostgreSQL (issue 18 item
# 8), checked against the server itself: with dev_url, lint knows each
# column's old type from the migrations replayed on a scratch database,
# and reports pg-alter-column-type exactly for the changes the server
# then carries out by rewriting the table (a new relfilenode), and
# type-narrowing exactly for those that refuse a value the old type held.
load ../helper

setup() {
	common_setup postgresql
	new_project
	ini_set dev_url "$PG_ADMIN_URL"
}

teardown() {
	common_teardown
}

# One table per case: "old type|new type|a value of the old type", the
# value one the new type cannot hold where there is such a value.
CASES=(
	"varchar(100)|text|x"
	"varchar(100)|varchar(200)|x"
	"varchar(100)|varchar|x"
	"text|varchar|x"
	"numeric(10,2)|numeric(12,2)|12345678.91"
	"numeric(10,2)|numeric|12345678.91"
	"cidr|inet|10.0.0.0/8"
	"timestamp(3)|timestamp|2026-01-01 10:00:00.123"
	"timestamp(3)|timestamp(6)|2026-01-01 10:00:00.123"
	"bit varying(5)|bit varying(10)|10101"
	"integer|bigint|2147483647"
	"smallint|integer|32767"
	"numeric(10,2)|numeric(12,3)|12345678.91"
	"text|varchar(10)|xxxxxxxxxxxx"
	"char(5)|char(10)|x"
	"integer|text|42"
	"varchar(100)|varchar(5)|xxxxxxxx"
	"numeric(10,2)|numeric(9,2)|12345678.91"
	"bigint|integer|2147483648"
	"timestamp(3)|timestamp(0)|2026-01-01 10:00:00.123"
)

# state: one line per case, "relfilenode|type|value as it was" (t/f).
state() {
	local i old new val sql=""
	for i in "${!CASES[@]}"; do
		IFS='|' read -r old new val <<<"${CASES[$i]}"
		sql+="${sql:+ UNION ALL }SELECT $i, pg_relation_filenode('c$i'), "
		sql+="(SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
		sql+="WHERE attrelid = 'c$i'::regclass AND attname = 'v'), "
		sql+="(SELECT bool_and(v::$old = '$val'::$old) FROM c$i)"
	done
	q "SELECT filenode, type, same FROM ($sql) AS s (i, filenode, type, same) ORDER BY i"
}

@test "PostgreSQL: pg-alter-column-type exactly where the server rewrites, type-narrowing where a value does not fit" {
	local create="" insert="" alter="" i old new val
	for i in "${!CASES[@]}"; do
		IFS='|' read -r old new val <<<"${CASES[$i]}"
		create+="CREATE TABLE c$i (v $old);"$'\n'
		insert+="INSERT INTO c$i VALUES ('$val');"
		alter+="ALTER TABLE c$i ALTER COLUMN v TYPE $new;"$'\n'
	done
	write_rev "$A" "" "tables" "$create"
	write_rev "$B" "$A" "types" "$alter"
	# the upgrade section's first line is line 10 (write_rev's header)
	run -0 rt lint "$B"
	local lint_out=$output
	run -0 rt upgrade "$A"
	q "$insert"
	mapfile -t before < <(state)
	# each ALTER on its own, as the migration would run it; a refused one
	# leaves its table as it was
	printf '%s' "$alter" | psql -X -q -d "$DB" >/dev/null 2>&1 || true
	mapfile -t after < <(state)
	for i in "${!CASES[@]}"; do
		IFS='|' read -r old new val <<<"${CASES[$i]}"
		local line=$((10 + i)) said_rewrite=no said_narrow=no rewrote=no refused=no
		local b_node b_type b_same a_node a_type a_same
		IFS='|' read -r b_node b_type b_same <<<"${before[$i]}"
		IFS='|' read -r a_node a_type a_same <<<"${after[$i]}"
		grep -q ":$line: warning: \[pg-alter-column-type\]" <<<"$lint_out" && said_rewrite=yes
		grep -q ":$line: warning: \[type-narrowing\]" <<<"$lint_out" && said_narrow=yes
		if [ "$a_type" = "$b_type" ]; then
			# refused: nothing changed, and checking every value is
			# a full scan under the lock, reported the same way
			refused=yes
			rewrote=yes
		else
			[ "$a_node" = "$b_node" ] || rewrote=yes
			# read back as the old type: changed on the way
			[ "$a_same" = t ] || refused=yes
		fi
		[ "$said_rewrite" = "$rewrote" ] ||
			fail "$old -> $new: lint says rewrite=$said_rewrite, the server rewrote=$rewrote"$'\n'"$lint_out"
		[ "$said_narrow" = "$refused" ] ||
			fail "$old -> $new: lint says narrowing=$said_narrow, the value '$val' was refused or changed=$refused"$'\n'"$lint_out"
	done
	# lint made its scratch database on dev_url's server, and dropped it
	assert_eq "$(db_sql "$PG_ADMIN_URL" "SELECT count(*) FROM pg_database WHERE datname LIKE 'retort_test_%'")" 0
}
