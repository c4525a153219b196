#!/usr/bin/env bats
# Attributes of tables, columns, indexes and constraints (issue 18 item 6)
# on PostgreSQL: operator classes and collations of index keys, storage
# parameters of tables and indexes, UNLOGGED, DEFERRABLE keys, NOT VALID
# constraints, generated columns, partitioned tables and partitions.  Each
# one goes through the model: autogenerate from nothing, upgrade, a clean
# `check`; changed in the model, `check` reports it, autogenerate and
# upgrade make it, `check` is clean again; downgrade gives back the first
# state, which `check` against the first model confirms.
load ../helper

setup() {
	common_setup postgresql
	new_project
	ini_set schema schema.sql
}

teardown() {
	common_teardown
}

# The first model: every attribute set one way.
model_one() {
	cat >schema.sql <<'SQL'
CREATE TABLE p (id int PRIMARY KEY, code text, CONSTRAINT p_code_key UNIQUE (code) DEFERRABLE);
CREATE TABLE q (id int, CONSTRAINT q_pkey PRIMARY KEY (id) DEFERRABLE INITIALLY DEFERRED);
CREATE UNLOGGED TABLE u (id int, v text) WITH (fillfactor = 70, autovacuum_enabled = false);
CREATE TABLE t (
    id int PRIMARY KEY,
    a int,
    b int GENERATED ALWAYS AS (a * 2) STORED,
    pid int,
    name text,
    CONSTRAINT t_pid_fkey FOREIGN KEY (pid) REFERENCES p (id) DEFERRABLE
);
ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a > 0) NOT VALID;
CREATE INDEX ix_t_name ON t (name text_pattern_ops, name COLLATE "C" DESC) WITH (fillfactor = 60);
CREATE INDEX ix_t_b ON t (b);
CREATE TABLE m (id int, d date NOT NULL, PRIMARY KEY (id, d)) PARTITION BY RANGE (d);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE m_def PARTITION OF m DEFAULT;
CREATE INDEX ix_m_d ON m (d);
CREATE TABLE r (id int, d date, CONSTRAINT r_m_fkey FOREIGN KEY (id, d) REFERENCES m (id, d));
SQL
}

# The second: each attribute the other way.
model_two() {
	cat >schema.sql <<'SQL'
CREATE TABLE p (id int PRIMARY KEY, code text, CONSTRAINT p_code_key UNIQUE (code));
CREATE TABLE q (id int, CONSTRAINT q_pkey PRIMARY KEY (id));
CREATE TABLE u (id int, v text) WITH (fillfactor = 80);
CREATE TABLE t (
    id int PRIMARY KEY,
    a int,
    b int GENERATED ALWAYS AS (a * 3) STORED,
    pid int,
    name text,
    CONSTRAINT t_pid_fkey FOREIGN KEY (pid) REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT t_a_check CHECK (a > 0)
);
CREATE INDEX ix_t_name ON t (name varchar_pattern_ops, name COLLATE "POSIX" DESC) WITH (fillfactor = 90);
CREATE INDEX ix_t_b ON t (b);
CREATE TABLE m (id int, d date NOT NULL, PRIMARY KEY (id, d)) PARTITION BY RANGE (d);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
CREATE TABLE m_2025 PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE m_def PARTITION OF m DEFAULT;
CREATE INDEX ix_m_d ON m (d);
CREATE TABLE r (id int, d date, CONSTRAINT r_m_fkey FOREIGN KEY (id, d) REFERENCES m (id, d));
SQL
}

# The attributes as the catalog has them, one line each.
attributes() {
	q "SELECT concat_ws(' ', conname, condeferrable, condeferred, convalidated) FROM pg_constraint
		WHERE conrelid IN ('p'::regclass, 'q'::regclass, 't'::regclass) ORDER BY 1"
	q "SELECT concat_ws(' ', relname, relpersistence, coalesce(array_to_string(reloptions, ','), '-'))
		FROM pg_class WHERE relname IN ('u', 'ix_t_name') ORDER BY 1"
	q "SELECT pg_get_indexdef('ix_t_name'::regclass)"
	q "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 't'::regclass"
	q "SELECT c.relname || ' ' || pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i
		JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'm'::regclass ORDER BY 1"
}

@test "PostgreSQL: table, column, index and constraint attributes round-trip through autogenerate and check" {
	model_one
	run -0 rt revision --autogenerate -m one
	run -0 rt upgrade head
	run -0 rt check
	assert_contains "$output" "no changes"
	# what the model says, in the database
	first=$(attributes)
	assert_contains "$first" "p_code_key t f t"
	assert_contains "$first" "q_pkey t t t"
	assert_contains "$first" "t_a_check f f f"
	assert_contains "$first" "t_pid_fkey t f t"
	assert_contains "$first" "u u autovacuum_enabled=false,fillfactor=70"
	assert_contains "$first" "ix_t_name p fillfactor=60"
	assert_contains "$first" '(name text_pattern_ops, name COLLATE "C" DESC) WITH (fillfactor='
	assert_contains "$first" "(a * 2)"
	assert_contains "$first" "m_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
	q "INSERT INTO p VALUES (1, 'x'); INSERT INTO t (id, a, pid, name) VALUES (1, 5, 1, 'n');
		INSERT INTO m VALUES (1, '2024-03-01'), (2, '2030-01-01')"

	model_two
	run -1 rt check
	for op in "alter foreign key t_pid_fkey on t: DEFERRABLE INITIALLY DEFERRED" \
		"add unique constraint p_code_key on p (code)" "add primary key q (id)" \
		"drop column t.b" "add column t.b integer GENERATED ALWAYS AS (a * 3)" \
		"change storage of table u: LOGGED WITH (autovacuum_enabled=false, fillfactor=70) -> (fillfactor=80)" \
		'add index ix_t_name on t (name varchar_pattern_ops, name COLLATE "POSIX" DESC) WITH (fillfactor=90)' \
		"validate constraint t_a_check on t" "add table m_2025" "detach partition m_2024 from m" \
		"attach partition m_2024 to m FOR VALUES FROM ('2024-01-01') TO ('2024-07-01')"; do
		assert_contains "$output" "$op"
	done
	run -0 rt revision --autogenerate -m two
	run -0 rt upgrade head
	run -0 rt check
	assert_contains "$output" "no changes"
	second=$(attributes)
	assert_contains "$second" "p_code_key f f t"
	assert_contains "$second" "q_pkey f f t"
	assert_contains "$second" "t_a_check f f t"
	assert_contains "$second" "t_pid_fkey t t t"
	assert_contains "$second" "u p fillfactor=80"
	assert_contains "$second" '(name varchar_pattern_ops, name COLLATE "POSIX" DESC) WITH (fillfactor='
	assert_contains "$second" "(a * 3)"
	assert_contains "$second" "m_2025 FOR VALUES FROM"
	# the generated column was computed again; the rows stayed
	assert_eq "$(q "SELECT b FROM t")" 15
	assert_eq "$(q "SELECT count(*) FROM m")" 2

	# the data may not pass the check being made NOT VALID again
	q "ALTER TABLE t DROP CONSTRAINT t_a_check"
	q "INSERT INTO t (id, a) VALUES (2, -1)"
	q "ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a > 0) NOT VALID"
	run -0 rt downgrade -1
	assert_eq "$(attributes)" "$first"
	assert_eq "$(q "SELECT string_agg(b::text, ',' ORDER BY id) FROM t")" "10,-2"
	# and the first model sees no difference
	model_one
	mv migrations/versions/*_two.sql "$BATS_TEST_TMPDIR/"
	run -0 rt check
	assert_contains "$output" "no changes"
}

@test "PostgreSQL: a new partition key makes the table and its partitions again" {
	cat >schema.sql <<'SQL'
CREATE TABLE m (id int, d date NOT NULL, UNIQUE (id, d)) PARTITION BY RANGE (d);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE r (id int, d date, CONSTRAINT r_m_fkey FOREIGN KEY (id, d) REFERENCES m (id, d));
SQL
	run -0 rt revision --autogenerate -m one
	run -0 rt upgrade head
	sed -i 's/RANGE (d)/LIST (d)/; s/FROM .*/IN ('"'2024-01-01'"');/' schema.sql
	run -1 rt check
	assert_contains "$output" "drop table m"
	assert_contains "$output" "add table m_2024"
	# the foreign key to it goes and comes back with it
	assert_contains "$output" "drop foreign key r(id, d) -> m(id, d)"
	run -0 --separate-stderr rt revision --autogenerate -m two
	assert_contains "$stderr" "drops table 'm' and its rows"
	refute_contains "$stderr" "--rename"
	run -0 rt upgrade head
	assert_eq "$(q "SELECT pg_get_partkeydef('m'::regclass)")" "LIST (d)"
	run -0 rt check
	run -0 rt downgrade -1
	assert_eq "$(q "SELECT pg_get_partkeydef('m'::regclass)")" "RANGE (d)"
}
