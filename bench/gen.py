#!/usr/bin/env python3
"""gen.py - the benchmark workload, rendered for every contender.

    bench/gen.py N OUTDIR [--pg-url URL]

N migrations; migration i creates a table of five columns and an index on
it, and inserts 20 rows (20 INSERT statements); its downgrade drops the
table.  The same statements are written as:

  OUTDIR/retort/                 a retort project (retort.ini, retort-whole.ini
                                 with transaction_per_migration = false,
                                 migrations/versions/*.sql in the DESIGN.md
                                 section 3 format)
  OUTDIR/floor/sqlite.sql        the raw floor for sqlite3: create the version
                                 table, then per migration BEGIN, the SQL, the
                                 version-table INSERT/UPDATE, COMMIT
  OUTDIR/floor/sqlite-whole.sql  the same in one BEGIN ... COMMIT
  OUTDIR/floor/sqlite-history.sql  sqlite.sql plus a history row like
                                 retort's in each transaction (a reference)
  OUTDIR/floor/pg.sql            the per-migration floor for psql
  OUTDIR/floor/pg-batched.sql    the same with each migration sent as one
                                 request (statements joined with psql's \\;)
  OUTDIR/floor/pg-batched-history.sql  pg-batched.sql plus a history row like
                                 retort's in each request (a reference)
  OUTDIR/alembic/                an Alembic project (alembic.ini, env.py,
                                 versions/*.py that op.execute the statements)
  OUTDIR/dbmate/migrations/      dbmate files (-- migrate:up / -- migrate:down)
  OUTDIR/autogen/                only when asked for (kind "autogen"): the first
                                 N tables as a model for autogenerate (retort's
                                 schema.sql, SQLAlchemy metadata for Alembic)

The SQLite database path is not written into any file: every runner gets
the URL on its command line, so one tree serves every scenario.

Revision ids are the first 12 hex digits of sha1("retort-bench-<i>"): the
same ids for every N, spread over the id space as real ones are.
"""
import hashlib
import os
import shutil
import sys

ROWS = 20


def rev_id(i):
    return hashlib.sha1(b"retort-bench-%d" % i).hexdigest()[:12]


def table(i):
    return "bench_%05d" % i


def upgrade_statements(i):
    """The statements of migration i, each without its ';'."""
    t = table(i)
    out = [
        "CREATE TABLE %s (\n"
        "    id INTEGER NOT NULL PRIMARY KEY,\n"
        "    name VARCHAR(64) NOT NULL,\n"
        "    qty INTEGER NOT NULL DEFAULT 0,\n"
        "    price NUMERIC(10, 2),\n"
        "    created_at VARCHAR(32) NOT NULL\n"
        ")" % t,
        "CREATE INDEX ix_%s_name ON %s (name)" % (t, t),
    ]
    for r in range(1, ROWS + 1):
        out.append(
            "INSERT INTO %s (id, name, qty, price, created_at) "
            "VALUES (%d, 'item %d of %s', %d, %d.%02d, '2026-11-22 10:00:00')"
            % (t, r, r, t, r * 3, r, r % 100)
        )
    return out


def downgrade_statements(i):
    return ["DROP TABLE %s" % table(i)]


def sql(stmts):
    return "".join(s + ";\n" for s in stmts)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


VERSION_DDL = ('CREATE TABLE IF NOT EXISTS "retort_version" (version_num VARCHAR(32) NOT NULL, '
               'CONSTRAINT "retort_version_pkc" PRIMARY KEY (version_num));\n')


def version_step(i):
    """What a tool writes into its version table for migration i."""
    if i == 1:
        return "INSERT INTO \"retort_version\" (version_num) VALUES ('%s');\n" % rev_id(1)
    return ("UPDATE \"retort_version\" SET version_num = '%s' WHERE version_num = '%s';\n"
            % (rev_id(i), rev_id(i - 1)))


# ---- retort -----------------------------------------------------------------

RETORT_INI = """\
[retort]
script_location = migrations
version_table = retort_version
transaction_per_migration = %s
"""


def gen_retort(n, out):
    d = os.path.join(out, "retort")
    write(os.path.join(d, "retort.ini"), RETORT_INI % "true")
    write(os.path.join(d, "retort-whole.ini"), RETORT_INI % "false")
    vdir = os.path.join(d, "migrations", "versions")
    os.makedirs(vdir, exist_ok=True)
    for i in range(1, n + 1):
        text = (
            "-- Create %s\n"
            "--\n"
            "-- revision: %s\n"
            "-- down_revision: %s\n"
            "-- branch_labels:\n"
            "-- depends_on:\n"
            "-- create_date: 2026-11-22 10:00:00+00:00\n"
            "\n"
            "-- +upgrade\n"
            "%s\n"
            "-- +downgrade\n"
            "%s"
        ) % (table(i), rev_id(i), rev_id(i - 1) if i > 1 else "",
             sql(upgrade_statements(i)), sql(downgrade_statements(i)))
        write(os.path.join(vdir, "%s_create_%s.sql" % (rev_id(i), table(i))), text)


# ---- floor ------------------------------------------------------------------

# What retort's history table costs on top of the version table: the same
# table, and one row per migration in the migration's transaction (the
# checksum is a fixed stand-in; the time to compute one is not the point).
HISTORY_DDL = ('CREATE TABLE IF NOT EXISTS "retort_history" (id INTEGER PRIMARY KEY, '
               'revision VARCHAR(32) NOT NULL, direction VARCHAR(10) NOT NULL, '
               'status VARCHAR(10) NOT NULL, checksum VARCHAR(64), '
               'statements_done INTEGER NOT NULL DEFAULT 0, applied_at VARCHAR(40) NOT NULL, '
               'duration_ms INTEGER, applied_by VARCHAR(255), retort_version VARCHAR(32), '
               'error TEXT);\n')


def history_row(i):
    return ('INSERT INTO "retort_history" (revision, direction, status, checksum, '
            'statements_done, applied_at, duration_ms, applied_by, retort_version, error) '
            "VALUES ('%s', 'upgrade', 'applied', '%s', 0, CURRENT_TIMESTAMP, 2, 'bench@host', "
            "'0.1.0', NULL);\n" % (rev_id(i), hashlib.sha256(b"%d" % i).hexdigest()))


def gen_floor(n, out):
    d = os.path.join(out, "floor")
    per, whole, pg, batched = [VERSION_DDL], [VERSION_DDL, "BEGIN;\n"], [VERSION_DDL], [VERSION_DDL]
    hist = [VERSION_DDL, HISTORY_DDL]
    pg_hist = [VERSION_DDL, HISTORY_DDL.replace("id INTEGER PRIMARY KEY",
                                                "id INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")]
    for i in range(1, n + 1):
        body = sql(upgrade_statements(i)) + version_step(i)
        per.append("BEGIN;\n" + body + "COMMIT;\n")
        hist.append("BEGIN;\n" + body + history_row(i) + "COMMIT;\n")
        whole.append(body)
        pg.append("BEGIN;\n" + body + "COMMIT;\n")
        # psql's \; joins statements into one request: one round trip per
        # migration instead of one per statement
        stmts = ["BEGIN"] + upgrade_statements(i) + [version_step(i).rstrip().rstrip(";"), "COMMIT"]
        batched.append("\\;\n".join(stmts) + ";\n")
        stmts.insert(-1, history_row(i).rstrip().rstrip(";"))
        pg_hist.append("\\;\n".join(stmts) + ";\n")
    whole.append("COMMIT;\n")
    write(os.path.join(d, "sqlite.sql"), "".join(per))
    write(os.path.join(d, "sqlite-history.sql"), "".join(hist))
    write(os.path.join(d, "sqlite-whole.sql"), "".join(whole))
    write(os.path.join(d, "pg.sql"), "".join(pg))
    write(os.path.join(d, "pg-batched.sql"), "".join(batched))
    write(os.path.join(d, "pg-batched-history.sql"), "".join(pg_hist))


# ---- Alembic ----------------------------------------------------------------

ALEMBIC_INI = """\
[alembic]
script_location = %(here)s
sqlalchemy.url = sqlite://

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %%(levelname)-5.5s [%%(name)s] %%(message)s
"""

# The URL and the transaction mode come in as -x options.  On SQLite the
# pysqlite driver would commit each DDL statement on its own (it only
# opens a transaction before DML); the SQLAlchemy documentation's recipe
# below makes SQLAlchemy issue BEGIN itself, so Alembic's transactions are
# the same as everybody else's: one per migration, or one for the run.
ALEMBIC_ENV = '''\
from alembic import context
from sqlalchemy import create_engine, event, pool

x = context.get_x_argument(as_dictionary=True)
url = x.get("url", "sqlite://")
per_migration = x.get("per_migration", "true") == "true"

if context.is_offline_mode():
    context.configure(url=url, literal_binds=True,
                      transaction_per_migration=per_migration)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(url, poolclass=pool.NullPool)
    if url.startswith("sqlite"):
        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, record):
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN")
    with engine.connect() as connection:
        context.configure(connection=connection,
                          transaction_per_migration=per_migration)
        with context.begin_transaction():
            context.run_migrations()
'''

ALEMBIC_MAKO = '''\
"""${message}"""
from alembic import op

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
'''


def py_str(s):
    return repr(s)


def gen_alembic(n, out):
    d = os.path.join(out, "alembic")
    write(os.path.join(d, "alembic.ini"), ALEMBIC_INI % {"here": d})
    write(os.path.join(d, "env.py"), ALEMBIC_ENV)
    write(os.path.join(d, "script.py.mako"), ALEMBIC_MAKO)
    vdir = os.path.join(d, "versions")
    os.makedirs(vdir, exist_ok=True)
    for i in range(1, n + 1):
        up = "".join("    op.execute(%s)\n" % py_str(s) for s in upgrade_statements(i))
        down = "".join("    op.execute(%s)\n" % py_str(s) for s in downgrade_statements(i))
        text = (
            '"""Create %s\n\nRevision ID: %s\nRevises: %s\nCreate Date: 2026-11-22 10:00:00\n"""\n'
            "from alembic import op\n\n"
            "revision = %r\n"
            "down_revision = %r\n"
            "branch_labels = None\n"
            "depends_on = None\n\n\n"
            "def upgrade():\n%s\n\n"
            "def downgrade():\n%s"
        ) % (table(i), rev_id(i), rev_id(i - 1) if i > 1 else "",
             rev_id(i), rev_id(i - 1) if i > 1 else None, up, down)
        write(os.path.join(vdir, "%s_create_%s.py" % (rev_id(i), table(i))), text)


# ---- dbmate -----------------------------------------------------------------

def gen_dbmate(n, out):
    d = os.path.join(out, "dbmate", "migrations")
    os.makedirs(d, exist_ok=True)
    for i in range(1, n + 1):
        text = ("-- migrate:up\n%s\n-- migrate:down\n%s"
                % (sql(upgrade_statements(i)), sql(downgrade_statements(i))))
        write(os.path.join(d, "%014d_create_%s.sql" % (20260000000000 + i, table(i))), text)


# ---- autogenerate ---------------------------------------------------------------

AUTOGEN_ENV = '''\
import os, sys
from alembic import context
from sqlalchemy import create_engine, pool

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import metadata  # noqa: E402

x = context.get_x_argument(as_dictionary=True)
engine = create_engine(x["url"], poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()
'''


RETORT_TMPL = """\
-- ${message}
--
-- revision: ${revision}
-- down_revision: ${down_revision}
-- branch_labels: ${branch_labels}
-- depends_on: ${depends_on}
-- create_date: ${create_date}

-- +upgrade
${upgrades}
-- +downgrade
${downgrades}
"""


def gen_autogen(n, out):
    """A model of n tables (the workload's tables without their rows), as
    retort's `schema` file and as SQLAlchemy metadata, and two projects:
    empty/ (no revision: autogenerate writes all n tables) and full/ (one
    revision that creates them: `check` finds nothing to do)."""
    d = os.path.join(out, "autogen")
    schema = "".join(sql(upgrade_statements(i)[:2]) for i in range(1, n + 1))
    write(os.path.join(d, "schema.sql"), schema)
    for name in ("empty", "full"):
        write(os.path.join(d, name, "retort.ini"),
              "[retort]\nscript_location = migrations\nschema = ../schema.sql\n")
        write(os.path.join(d, name, "migrations", "script.sql.tmpl"), RETORT_TMPL)
        os.makedirs(os.path.join(d, name, "migrations", "versions"), exist_ok=True)
    write(os.path.join(d, "full", "migrations", "versions", "000000000001_create_all.sql"),
          "-- Create all\n--\n-- revision: 000000000001\n-- down_revision:\n\n"
          "-- +upgrade\n" + schema + "\n-- +downgrade\n" +
          "".join("DROP TABLE %s;\n" % table(i) for i in range(n, 0, -1)))
    a = os.path.join(d, "alembic")
    write(os.path.join(a, "alembic.ini"), ALEMBIC_INI % {"here": a})
    write(os.path.join(a, "env.py"), AUTOGEN_ENV)
    write(os.path.join(a, "script.py.mako"), ALEMBIC_MAKO)
    os.makedirs(os.path.join(a, "versions"), exist_ok=True)
    model = ["from sqlalchemy import MetaData, Table, Column, Integer, String, Numeric, Index\n\n",
             "metadata = MetaData()\n\n"]
    for i in range(1, n + 1):
        t = table(i)
        model.append(
            "Table(%r, metadata,\n"
            "      Column('id', Integer, primary_key=True, autoincrement=False),\n"
            "      Column('name', String(64), nullable=False),\n"
            "      Column('qty', Integer, nullable=False, server_default='0'),\n"
            "      Column('price', Numeric(10, 2)),\n"
            "      Column('created_at', String(32), nullable=False),\n"
            "      Index('ix_%s_name', 'name'))\n" % (t, t))
    write(os.path.join(a, "model.py"), "".join(model))


def main(argv):
    if len(argv) < 3 or not argv[1].isdigit():
        sys.stderr.write("usage: gen.py N OUTDIR [retort|floor|alembic|dbmate|autogen]...\n")
        return 2
    n, out = int(argv[1]), os.path.abspath(argv[2])
    kinds = argv[3:] or ["retort", "floor", "alembic", "dbmate"]
    gens = {"retort": gen_retort, "floor": gen_floor, "alembic": gen_alembic,
            "dbmate": gen_dbmate, "autogen": gen_autogen}
    for k in kinds:
        if k not in gens:
            sys.stderr.write("gen.py: unknown kind '%s'\n" % k)
            return 2
        shutil.rmtree(os.path.join(out, k), ignore_errors=True)
        gens[k](n, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
