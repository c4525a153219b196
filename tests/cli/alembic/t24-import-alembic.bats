#!/usr/bin/env bats
# retort import alembic (issue 17 item 4, "Must show" 2 and 3).
#
# The seeds' shop bot as an Alembic project (tests/resources/alembic-shop:
# the four models, then "Add posts table" and "Add email to users", each
# revision made by Alembic's autogenerate), migrated by Debian's Alembic to
# its second revision on the dialect of this run, imported, and carried on
# by retort: current, upgrade head, downgrade -1, with Alembic reading the
# database after each.  A data migration that reads rows becomes a section
# that refuses to run until it is written.  PyPI's Warehouse (288 real
# revisions, ../shared/corpora) imported: its heads, branch points and
# history as Alembic reports them.
#
# Registered for the plain build only (tests/CMakeLists.txt), once per
# dialect; the python3 first on PATH may lack Alembic, so /usr/bin/python3.

load ../helper

ALEMBIC_PY=/usr/bin/python3
R1=3b1f9a2c7d10
R2=7c5e2d4a9b31
R3=e9a4f6b2c8d7

setup() {
	common_setup
	"$ALEMBIC_PY" -c 'import alembic, sqlalchemy' 2>/dev/null ||
		fail "python3-alembic is not installed (scripts/deps.sh test installs it)"
	export RETORT_PYTHON=$ALEMBIC_PY
}

teardown() {
	common_teardown
}

# The shop bot's Alembic project in $A, its url the test's database; DB is
# then the handle of that database.
shop_project() {
	A="$BATS_TEST_TMPDIR/shop"
	cp -r "$RETORT_SRC/tests/resources/alembic-shop" "$A"
	if is_sqlite; then
		DB="$A/data.db"
		set_alembic_url "sqlite:///data.db"
	else
		set_alembic_url "$DB_URL"
	fi
}

set_alembic_url() {
	local tmp="$A/alembic.ini.tmp"
	URL=$1 awk '/^sqlalchemy.url *=/ { print "sqlalchemy.url = " ENVIRON["URL"]; next }
		{ print }' "$A/alembic.ini" >"$tmp" && mv "$tmp" "$A/alembic.ini"
}

# alembic ARGS: Debian's Alembic on the shop project.
alembic() {
	(cd "$A" && "$ALEMBIC_PY" -m alembic "$@")
}

# The revision Alembic reads from the database.
alembic_current() {
	alembic current 2>/dev/null | sed -n 's/^\([0-9a-f]\{12\}\).*/\1/p'
}

has_email() {
	if is_sqlite; then
		q "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'email'"
	else
		q "SELECT count(*) FROM information_schema.columns
		   WHERE table_schema = current_schema() AND table_name = 'users' AND column_name = 'email'"
	fi
}

@test "the shop bot: Alembic to its second revision, import, current, upgrade head, downgrade -1, Alembic reads it" {
	shop_project
	alembic upgrade "$R2" 2>/dev/null
	assert_eq "$(alembic_current)" "$R2"
	assert_eq "$(has_email)" 0

	cd "$A"
	run rt import alembic retort
	assert_status 0
	assert_contains "$output" "imported 3 revisions from 'alembic.ini' into 'retort'"
	for f in "${R1}_initial_tables" "${R2}_add_posts_table" "${R3}_add_email_to_users"; do
		[ -f "retort/migrations/versions/$f.sql" ] || fail "no retort/migrations/versions/$f.sql"
	done
	grep -qx 'version_table = alembic_version' retort/retort.ini
	if is_sqlite; then
		# Alembic's relative path is alembic.ini's folder; retort's, retort.ini's
		grep -qx 'url = sqlite:///../data.db' retort/retort.ini
	else
		grep -qx "url = $DB_URL" retort/retort.ini
	fi
	grep -q "^-- down_revision: $R2\$" "retort/migrations/versions/${R3}_add_email_to_users.sql"
	refute grep -q -- '+unfinished' retort/migrations/versions/*.sql

	cd retort
	run rt history
	assert_status 0
	assert_eq "$output" "$R2 -> $R3 (head), Add email to users
$R1 -> $R2, Add posts table
<base> -> $R1, Initial tables"
	run rt current
	assert_status 0
	assert_contains "$output" "$R2"
	run rt upgrade head
	assert_status 0
	assert_eq "$(versions "$DB" alembic_version)" "$R3"
	assert_eq "$(has_email)" 1
	assert_eq "$(alembic_current)" "$R3"

	run rt downgrade -1
	assert_status 0
	assert_eq "$(versions "$DB" alembic_version)" "$R2"
	assert_eq "$(has_email)" 0
	assert_eq "$(alembic_current)" "$R2"

	# and Alembic takes over again
	alembic upgrade head 2>/dev/null
	assert_eq "$(has_email)" 1
	run rt current
	assert_contains "$output" "$R3 (head)"
}

# A schema dump without the text that differs where the schema does not:
# SQLite keeps the CREATE statement's text, and Alembic's offline SQL
# indents with blanks where its online SQL has tabs, and retort quotes the
# version table's names.  And retort's own history table goes.
same_text() {
	grep -v retort_history | tr -s '[:space:]' ' ' | sed 's/"//g; s/( /(/g; s/ )/)/g'
}

@test "from base, retort builds the tables Alembic builds" {
	shop_project
	cd "$A"
	rt -q import alembic retort
	new_db ALEMBIC_DB
	set_alembic_url "$ALEMBIC_DB_URL"
	alembic upgrade head 2>/dev/null
	(cd retort && rt upgrade head >/dev/null)
	assert_eq "$(dump_schema "$DB" | same_text)" "$(dump_schema "$ALEMBIC_DB" | same_text)"
	assert_eq "$(versions "$DB" alembic_version)" "$(versions "$ALEMBIC_DB" alembic_version)"
}

@test "several dialects: a section per dialect and 'dialects' in retort.ini" {
	shop_project
	cd "$A"
	run rt import alembic -d sqlite --dialect postgresql retort
	assert_status 0
	assert_contains "$output" "for sqlite, postgresql)"
	grep -qx 'dialects = sqlite, postgresql' retort/retort.ini
	f="retort/migrations/versions/${R1}_initial_tables.sql"
	grep -qx -- '-- +upgrade sqlite' "$f"
	grep -qx -- '-- +upgrade postgresql' "$f"
	grep -qx -- '-- +downgrade postgresql' "$f"
	# Alembic's own rendering for each: SERIAL is PostgreSQL's
	[ "$(sed -n '/^-- +upgrade postgresql/,/^-- +downgrade/p' "$f" | grep -c SERIAL)" = 4 ]
	[ "$(sed -n '/^-- +upgrade sqlite/,/^-- +upgrade postgresql/p' "$f" | grep -c SERIAL)" = 0 ]
	(cd retort && rt upgrade head >/dev/null)
	assert_eq "$(versions "$DB" alembic_version)" "$R3"
	assert_eq "$(has_email)" 1
}

# A fourth revision reading rows, which offline mode cannot do.
backfill_revision() {
	cat >"$A/migrations/versions/a7d3c9e1f2b4_backfill_emails.py" <<'PY'
"""Backfill emails

Revision ID: a7d3c9e1f2b4
Revises: e9a4f6b2c8d7
Create Date: 2026-12-02 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "a7d3c9e1f2b4"
down_revision = "e9a4f6b2c8d7"
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, username FROM users")).fetchall()
    for id_, name in rows:
        conn.execute(sa.text("UPDATE users SET email = :e WHERE id = :i"),
                     {"e": name + "@example.org", "i": id_})


def downgrade():
    conn = op.get_bind()
    for (id_,) in conn.execute(sa.text("SELECT id FROM users")).fetchall():
        pass
PY
}

@test "a data migration: reported by file and line, and refused until a person writes it" {
	shop_project
	backfill_revision
	alembic upgrade "$R3" 2>/dev/null
	cd "$A"
	run --separate-stderr rt import alembic retort
	assert_status 0
	assert_contains "$stderr" "a7d3c9e1f2b4_backfill_emails.py:19: upgrade() did not render"
	assert_contains "$stderr" "a7d3c9e1f2b4_backfill_emails.py:27: downgrade() did not render"
	assert_contains "$stderr" "retort/migrations/versions/a7d3c9e1f2b4_backfill_emails.sql:11: left unfinished"
	assert_contains "$output" "2 sections left unfinished"
	f=$A/retort/migrations/versions/a7d3c9e1f2b4_backfill_emails.sql
	assert_eq "$(sed -n 11p "$f")" "-- +unfinished upgrade() of migrations/versions/a7d3c9e1f2b4_backfill_emails.py:19 did not render offline: AttributeError: 'NoneType' object has no attribute 'fetchall'"
	# the Python is there for the person who writes the SQL
	grep -q -- '--     rows = conn.execute(sa.text("SELECT id, username FROM users")).fetchall()' "$f"

	cd retort
	q "INSERT INTO users (telegram_id, username) VALUES (1, 'ann')"
	for args in "upgrade head" "upgrade head --sql" "upgrade +1"; do
		run --separate-stderr rt $args
		assert_status 1
		assert_contains "$stderr" "the upgrade of 'a7d3c9e1f2b4' is unfinished ($PWD/migrations/versions/a7d3c9e1f2b4_backfill_emails.sql:11: upgrade() of"
		assert_contains "$stderr" "nothing was changed"
		assert_eq "$output" ""
	done
	assert_eq "$(versions "$DB" alembic_version)" "$R3"
	assert_eq "$(q "SELECT count(*) FROM users WHERE email IS NOT NULL")" 0

	# written by a person: the mark goes, the SQL comes
	awk '/^-- \+unfinished upgrade/ { print "UPDATE users SET email = username || '"'"'@example.org'"'"';"; next } { print }' \
		"$f" >"$f.new" && mv "$f.new" "$f"
	run rt upgrade head
	assert_status 0
	assert_eq "$(versions "$DB" alembic_version)" a7d3c9e1f2b4
	assert_eq "$(q "SELECT email FROM users")" "ann@example.org"
	# its downgrade is still unfinished
	run --separate-stderr rt downgrade -1
	assert_status 1
	assert_contains "$stderr" "the downgrade of 'a7d3c9e1f2b4' is unfinished"
	run --separate-stderr rt downgrade a7d3c9e1f2b4:$R3 --sql
	assert_status 1
	assert_contains "$stderr" "the downgrade of 'a7d3c9e1f2b4' is unfinished"
	assert_eq "$(versions "$DB" alembic_version)" a7d3c9e1f2b4
	assert_eq "$(alembic_current)" a7d3c9e1f2b4
}

@test "without Alembic: a clear error naming the module, and nothing written" {
	shop_project
	cd "$A"
	# Debian's python3 without its site packages (-S) has no SQLAlchemy
	printf '#!/bin/sh\nexec %s -S "$@"\n' "$ALEMBIC_PY" >"$BATS_TEST_TMPDIR/bare-python"
	chmod +x "$BATS_TEST_TMPDIR/bare-python"
	run --separate-stderr rt import alembic --python "$BATS_TEST_TMPDIR/bare-python" retort
	assert_status 1
	assert_contains "$stderr" "error: importing from Alembic needs the Python module 'sqlalchemy', which '$BATS_TEST_TMPDIR/bare-python' cannot import"
	[ ! -e retort ] || fail "retort/ was made"
	RETORT_PYTHON="$BATS_TEST_TMPDIR/no-such-python" run --separate-stderr rt import alembic retort
	assert_status 1
	assert_contains "$stderr" "error: cannot run '$BATS_TEST_TMPDIR/no-such-python'"
	[ ! -e retort ] || fail "retort/ was made"
	# Alembic's own folder is not written into
	run --separate-stderr rt import alembic
	assert_status 1
	assert_contains "$stderr" "error: './migrations' exists (Alembic's scripts?)"
	[ ! -e retort.ini ] || fail "retort.ini was made"
}

# ---- Warehouse ------------------------------------------------------------

# Stand-ins for what Warehouse's revision files import at their top and
# Debian's Python lacks (Warehouse's own package, alembic_postgresql_enum,
# packaging, SQLAlchemy 2's CITEXT), so that Alembic itself can list the
# graph: the oracle's, not the import's (which reads such files without
# running them).
warehouse_stubs() {
	local s="$BATS_TEST_TMPDIR/stubs"
	mkdir -p "$s/warehouse/utils/db" "$s/packaging"
	printf 'import sqlalchemy\nimport sqlalchemy.dialects.postgresql as pg\nif not hasattr(pg, "CITEXT"):\n    pg.CITEXT = sqlalchemy.Text\n' >"$s/sitecustomize.py"
	printf 'class TableReference:\n    def __init__(self, *a, **k):\n        pass\n\n\nclass ColumnType(TableReference):\n    pass\n' >"$s/alembic_postgresql_enum.py"
	touch "$s/warehouse/__init__.py" "$s/warehouse/utils/__init__.py" "$s/warehouse/utils/db/__init__.py" "$s/packaging/__init__.py"
	printf 'import sqlalchemy\nTZDateTime = sqlalchemy.DateTime\n' >"$s/warehouse/utils/db/types.py"
	printf 'def canonicalize_version(v, **k):\n    return v\n' >"$s/packaging/utils.py"
	STUBS=$s
}

# branches output with the indentation and the order of blocks and of the
# children in a block (a set in Alembic) taken out.
blocks() {
	awk 'BEGIN { RS = ""; FS = "\n" }
	{ head = $1; kids = ""
	  for (i = 2; i <= NF; i++) { k = $i; sub(/^ +/, "", k); kids = kids "|" k }
	  print head "\t" kids }' | while IFS=$'\t' read -r head kids; do
		printf '%s %s\n' "$head" "$(printf '%s\n' "${kids//|/$'\n'}" | sort | tr '\n' ' ')"
	done | sort
}

@test "Warehouse's 288 revisions: heads, branch points, history and parents as Alembic reports them" {
	local W="$RETORT_SRC/../shared/corpora/warehouse/warehouse/migrations" n up down
	[ -d "$W/versions" ] || fail "the Warehouse corpus is missing: $W (see ../shared/corpora/README.md)"
	cd "$BATS_TEST_TMPDIR"
	printf '[alembic]\nscript_location = %s\n' "$W" >alembic.ini
	run --separate-stderr rt import alembic -d postgresql wh
	assert_status 0
	assert_contains "$output" "imported 288 revisions"
	[ "$(ls wh/migrations/versions | wc -l)" = 288 ]

	warehouse_stubs
	ALEMBIC() { PYTHONPATH=$STUBS "$ALEMBIC_PY" -m alembic -c "$BATS_TEST_TMPDIR/alembic.ini" "$@"; }
	cd wh
	assert_eq "$(rt heads)" "$(ALEMBIC heads)"
	assert_eq "$(rt branches | blocks)" "$(ALEMBIC branches | blocks)"
	# a history line is "parents -> revision (flags), message"; sibling
	# order differs (docs/alembic.md), the lines do not
	assert_eq "$(rt history | sort)" "$(ALEMBIC history | sort)"
	[ "$(rt history | wc -l)" = 288 ]
	# every revision's parents, from Alembic's API
	assert_eq "$(rt history | awk -F' -> ' '{ split($2, w, /[ ,]/); print w[1] ": " $1 }' | sort)" \
		"$(PYTHONPATH=$STUBS "$ALEMBIC_PY" -c '
import sys
from alembic.config import Config
from alembic.script import ScriptDirectory
s = ScriptDirectory.from_config(Config(sys.argv[1]))
for r in sorted(s.walk_revisions(), key=lambda r: r.revision):
    print("%s: %s" % (r.revision, ", ".join(r._versioned_down_revisions) or "<base>"))
' "$BATS_TEST_TMPDIR/alembic.ini" | sort)"

	# what Alembic could not render offline is reported and left unfinished,
	# one report per section
	n=$(grep -c ': left unfinished$' <<<"$stderr")
	[ "$n" -gt 0 ]
	[ "$(cat migrations/versions/*.sql | grep -c '^-- +unfinished ')" = "$n" ]
	up=$(cat migrations/versions/*.sql | grep -c '^-- +unfinished upgrade()')
	down=$(cat migrations/versions/*.sql | grep -c '^-- +unfinished downgrade()')
	echo "# Warehouse: 288 revisions; unfinished: $up of 288 upgrades, $down of 288 downgrades" >&3
	# a data migration reading rows in its upgrade, by file and line
	assert_contains "$stderr" "68a00c174ba5_add_missing_indexes_for_foreign_keys.py:28: upgrade() did not render for postgresql: AttributeError: 'MockConnection' object has no attribute 'commit'"
	grep -q "^-- +unfinished upgrade() of .*68a00c174ba5_add_missing_indexes_for_foreign_keys.py:28 " \
		migrations/versions/68a00c174ba5_add_missing_indexes_for_foreign_keys.sql
	# and one rendered by Alembic
	grep -q '^DROP INDEX journals_submitted_by_idx;$' \
		migrations/versions/68a00c174ba5_add_missing_indexes_for_foreign_keys.sql
	# a run reaching the first unfinished section stops there with nothing done
	# (offline: the url only names the dialect)
	run --separate-stderr rt -u postgresql://nobody@127.0.0.1:1/none upgrade head --sql
	assert_status 1
	assert_contains "$stderr" "the upgrade of '283c68f2ab2' is unfinished"
}
