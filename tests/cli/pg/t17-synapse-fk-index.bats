#!/usr/bin/env bats
# Synapse on PostgreSQL (issue 18 item 3): sliding_sync_joined_rooms and
# sliding_sync_membership_snapshots reference events(stream_ordering),
# which only the unique index events_stream_ordering makes unique.  The
# output of schema dump (written as autogenerate writes a migration from
# nothing) loads into an empty database and dumps the same.
load ../helper

CORPUS=$BATS_TEST_DIRNAME/../../../../shared/corpora/synapse/synapse/storage/schema

setup() {
	common_setup postgresql
	new_project
}

teardown() {
	common_teardown
}

@test "PostgreSQL: Synapse's foreign keys to events(stream_ordering) come after its unique index" {
	[ -d "$CORPUS" ] || fail "no Synapse corpus at $CORPUS"
	cat "$CORPUS"/common/full_schemas/72/full.sql.postgres \
		"$CORPUS"/main/full_schemas/72/full.sql.postgres \
		"$CORPUS"/main/delta/87/01_sliding_sync_memberships.sql >synapse.sql
	psql -X -q -1 -v ON_ERROR_STOP=1 -d "$DB" -f synapse.sql >/dev/null
	run -0 --separate-stderr rt schema dump
	printf '%s\n' "$output" >dump.sql
	idx=$(grep -n '^CREATE UNIQUE INDEX events_stream_ordering ON events' dump.sql | cut -d: -f1)
	key=$(grep -n '^ALTER TABLE sliding_sync_joined_rooms ADD CONSTRAINT .* REFERENCES events (stream_ordering);$' dump.sql | cut -d: -f1)
	[ -n "$idx" ] && [ -n "$key" ] && [ "$idx" -lt "$key" ] || fail "index at line $idx, key at $key"

	new_db COPY
	psql -X -q -1 -v ON_ERROR_STOP=1 -d "$COPY" -f dump.sql >/dev/null
	run -0 --separate-stderr rt -u "$COPY" schema dump
	# (what the dump leaves out, it names at its top: the copy has none)
	assert_eq "$(printf '%s\n' "$output" | grep -v '^-- warning: not modelled: ' | sed '/./,$!d')" \
		"$(grep -v '^-- warning: not modelled: ' dump.sql | sed '/./,$!d')"
}
