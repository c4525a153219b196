"""Tests of python/retort_sqlalchemy.py (the SQLAlchemy bridge) against
Debian's SQLAlchemy and real databases.

    RETORT_DIALECT=sqlite|postgresql python3 tests/python/test_sqlalchemy_bridge.py

CTest runs it as python/sqlalchemy-bridge/sqlite and .../postgresql with
RETORT at the build's retort.  The bridge runs as retort runs a
schema_command: `python3 -m retort_sqlalchemy MODULE:ATTR` in a child
process, PYTHONPATH at the source's python/ folder.  Its output is
executed on a real database of the dialect (SQLite through the sqlite3
module; PostgreSQL through psql -v ON_ERROR_STOP=1 on a database of its
own on the server whose URL is in RETORT_PG_STATE), and the database's
catalog is compared with what the models say.  The models are
tests/resources/sqla_models/ and the shop bot's examples/shopbot/models.py.
"""
import functools
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import unittest
import uuid
from pathlib import Path

DIALECT = os.environ.get("RETORT_DIALECT", "sqlite")
SOURCE = Path(__file__).resolve().parents[2]
RESOURCES = SOURCE / "tests" / "resources"
SHOPBOT = SOURCE / "examples" / "shopbot"


def bridge(*args, cwd=RESOURCES, dialect=None, python=("-m", "retort_sqlalchemy")):
    """Run the bridge in a child process, as retort's schema_command does."""
    env = dict(os.environ, PYTHONPATH=str(SOURCE / "python"), PYTHONDONTWRITEBYTECODE="1")
    env.pop("RETORT_DIALECT", None)
    if dialect is not None:
        env["RETORT_DIALECT"] = dialect
    return subprocess.run([sys.executable, *python, *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


@functools.lru_cache(maxsize=None)
def ddl(target, *args, cwd=RESOURCES, dialect=DIALECT):
    """The bridge's output for TARGET; it must succeed quietly.  Each
    distinct call runs the bridge once (Python and SQLAlchemy take a
    good part of a second to start)."""
    run = bridge(target, *args, cwd=cwd, dialect=dialect)
    if run.returncode != 0 or run.stderr:
        raise AssertionError(f"bridge {target} failed ({run.returncode}): {run.stderr}")
    return run.stdout


def psql(url, *args, stdin=None):
    run = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, *args],
                         input=stdin, capture_output=True, text=True, timeout=60)
    if run.returncode != 0:
        raise AssertionError(f"psql failed: {run.stderr}")
    return run.stdout


class Database:
    """A scratch database of DIALECT: run SQL on it, read its catalog.

    catalog() is dialect-neutral where it can be: per table, columns as
    {name: (type, not null, default)}, the primary key's columns, unique
    constraints and foreign keys as sets of tuples, indexes (the ones
    CREATE INDEX made) as {name: (columns, unique, predicate)}."""

    def __init__(self, cleanup):
        """CLEANUP: the test's or the class's addCleanup."""
        scratch = tempfile.TemporaryDirectory(prefix="retort-sqla-")
        cleanup(scratch.cleanup)
        self.dir = Path(scratch.name)
        if DIALECT == "postgresql":
            admin = Path(os.environ["RETORT_PG_STATE"]).read_text().splitlines()[0]
            name = f"sqla_{os.getpid()}_{uuid.uuid4().hex[:8]}"
            psql(admin, "-c", f'CREATE DATABASE "{name}"')
            cleanup(psql, admin, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.url = admin.rsplit("/", 1)[0] + "/" + name
        else:
            self.path = self.dir / "data.db"
            self.url = "sqlite:///" + str(self.path)

    def run(self, script):
        if DIALECT == "postgresql":
            psql(self.url, stdin=script)
        else:
            con = sqlite3.connect(self.path)
            try:
                con.executescript(script)
            finally:
                con.close()

    def fails(self, statement):
        """Whether the database refuses STATEMENT (a constraint at work)."""
        if DIALECT == "postgresql":
            run = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url,
                                  "-c", statement], capture_output=True, text=True, timeout=60)
            return run.returncode != 0
        con = sqlite3.connect(self.path)
        try:
            con.execute(statement)
            con.commit()
            return False
        except sqlite3.IntegrityError:
            return True
        finally:
            con.close()

    def query(self, sql):
        """Rows of SQL, as lists."""
        if DIALECT == "postgresql":
            out = psql(self.url, "-c", f"SELECT coalesce(json_agg(row(q.*)), '[]') FROM ({sql}) q")
            return [list(r.values()) for r in json.loads(out)]
        con = sqlite3.connect(self.path)
        try:
            con.execute("PRAGMA foreign_keys = ON")
            return [list(r) for r in con.execute(sql)]
        finally:
            con.close()

    def catalog(self):
        return self._pg_catalog() if DIALECT == "postgresql" else self._sqlite_catalog()

    def _sqlite_catalog(self):
        con = sqlite3.connect(self.path)
        cat = {}
        try:
            tables = [r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
            for t in tables:
                info = list(con.execute(f'PRAGMA table_info("{t}")'))
                columns = {r[1]: (r[2].lower(), bool(r[3]), r[4]) for r in info}
                pk = tuple(r[1] for r in sorted(info, key=lambda r: r[5]) if r[5])
                fks = {}
                for r in con.execute(f'PRAGMA foreign_key_list("{t}")'):
                    cols, ref, refcols, upd, dele = fks.get(r[0], ((), r[2], (), r[5], r[6]))
                    fks[r[0]] = (cols + (r[3],), ref, refcols + (r[4],), dele, upd)
                uniques, indexes = set(), {}
                for r in con.execute(f'PRAGMA index_list("{t}")'):
                    name, unique, origin = r[1], bool(r[2]), r[3]
                    cols = tuple(c[2] for c in con.execute(f'PRAGMA index_info("{name}")'))
                    if origin == "u":
                        uniques.add(cols)
                    elif origin == "c":
                        sql = con.execute("SELECT sql FROM sqlite_master WHERE name = ?",
                                          (name,)).fetchone()[0]
                        where = sql.split(" WHERE ", 1)[1] if r[4] else None
                        indexes[name] = (cols, unique, where)
                cat[t] = {"columns": columns, "pk": pk, "uniques": uniques,
                          "fks": set(fks.values()), "indexes": indexes}
        finally:
            con.close()
        return cat

    def _pg_catalog(self):
        rows = self.query("""
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   pg_get_expr(d.adbin, d.adrelid)
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0
              AND NOT a.attisdropped""")
        cat = {}
        for t, col, typ, notnull, default in rows:
            cat.setdefault(t, {"columns": {}, "pk": (), "uniques": set(), "fks": set(),
                               "indexes": {}})["columns"][col] = (typ, notnull, default)

        def names(rel, nums):
            return f"""ARRAY(SELECT attname FROM pg_attribute, unnest({nums})
                             WITH ORDINALITY u(num, pos)
                             WHERE attrelid = {rel} AND attnum = u.num ORDER BY u.pos)"""

        for t, kind, cols, ref, refcols, dele, upd in self.query(f"""
                SELECT c.relname, k.contype, {names('k.conrelid', 'k.conkey')},
                       f.relname, {names('k.confrelid', 'k.confkey')},
                       k.confdeltype, k.confupdtype
                FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
                LEFT JOIN pg_class f ON f.oid = k.confrelid
                WHERE k.contype IN ('p', 'u', 'f')
                  AND c.relnamespace = 'public'::regnamespace"""):
            if kind == "p":
                cat[t]["pk"] = tuple(cols)
            elif kind == "u":
                cat[t]["uniques"].add(tuple(cols))
            else:
                actions = {"a": "NO ACTION", "c": "CASCADE", "n": "SET NULL", "r": "RESTRICT",
                           "d": "SET DEFAULT"}
                cat[t]["fks"].add((tuple(cols), ref, tuple(refcols), actions[dele], actions[upd]))
        for t, name, cols, unique, where in self.query(f"""
                SELECT c.relname, ic.relname, {names('i.indrelid', 'i.indkey::int2[]')},
                       i.indisunique, pg_get_expr(i.indpred, i.indrelid)
                FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
                JOIN pg_class ic ON ic.oid = i.indexrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public'
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"""):
            cat[t]["indexes"][name] = (tuple(cols), unique, where)
        return cat

    def enums(self):
        return {name: labels for name, labels in self.query("""
            SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)
            FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
            WHERE t.typnamespace = 'public'::regnamespace GROUP BY t.typname""")}

    def sequences(self):
        return {name: (start, step) for name, start, step in self.query(
            "SELECT sequencename, start_value, increment_by FROM pg_sequences "
            "WHERE schemaname = 'public'")}

    def checks(self):
        """Named CHECK constraints: {name: definition} (PostgreSQL), or the
        CREATE TABLE texts' CONSTRAINT ... CHECK names (SQLite)."""
        if DIALECT == "postgresql":
            return {n: d for n, d in self.query(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'c' AND connamespace = 'public'::regnamespace")}
        found = {}
        for (sql,) in self.query("SELECT sql FROM sqlite_master WHERE type = 'table'"):
            for part in sql.split("CONSTRAINT ")[1:]:
                name, _, rest = part.partition(" ")
                if rest.startswith("CHECK"):
                    found[name] = rest.rstrip(", \n\t)")
        return found


PG = DIALECT == "postgresql"


def types(pg, sqlite):
    return pg if PG else sqlite


class Output(unittest.TestCase):
    """What the bridge prints: statements ending with ';' and a newline, in
    an order the database can run."""

    def test_statements_and_order(self):
        out = ddl("sqla_models.every:Base")
        statements = [s.strip() for s in out.split(";\n") if s.strip()]
        self.assertTrue(out.endswith(";\n"))
        kinds = [" ".join(s.split()[:2]) for s in statements]
        if PG:
            self.assertEqual(kinds[:3], ["CREATE TYPE"] * 3)
            # a column's sequence just before its table
            self.assertEqual(statements[kinds.index("CREATE SEQUENCE") + 1].split()[:3],
                             ["CREATE", "TABLE", "items"])
        else:
            self.assertNotIn("CREATE TYPE", kinds)
            self.assertNotIn("CREATE SEQUENCE", kinds)
        tables = [s.split()[2] for s in statements if s.startswith("CREATE TABLE")]
        # sorted_tables: every table after the ones its foreign keys name
        self.assertEqual(tables, ["owners", "tags", "items", "item_tags"])
        for s in statements:
            if s.startswith(("CREATE INDEX", "CREATE UNIQUE INDEX")):
                table = s.split(" ON ")[1].split()[0]
                self.assertLess(tables.index(table),
                                sum(1 for x in statements[:statements.index(s)]
                                    if x.startswith("CREATE TABLE")))

    def test_same_model_same_text(self):
        # Table.indexes is a set: its order changes between processes
        outs = {ddl.__wrapped__("sqla_models.every:Base") for _ in range(3)}
        outs.add(ddl("sqla_models.every:Base"))
        self.assertEqual(len(outs), 1)
        indexes = [s.split(" INDEX ")[1].split()[0] for s in outs.pop().split(";\n")
                   if " INDEX ix_items" in s]
        self.assertEqual(indexes, ["ix_items_live_title", "ix_items_owner_status"])

    def test_dialect_option_over_environment(self):
        other = "sqlite" if PG else "postgresql"
        self.assertEqual(ddl("sqla_models.plain:metadata", "--dialect", DIALECT, dialect=other),
                         ddl("sqla_models.plain:metadata"))
        self.assertNotEqual(ddl("sqla_models.plain:metadata", dialect=other),
                            ddl("sqla_models.plain:metadata"))

    def test_no_driver_loaded(self):
        # with psycopg2 made unimportable, the bridge still compiles: it
        # never loads a driver
        code = ("import runpy, sys; sys.modules['psycopg2'] = None; "
                "runpy.run_module('retort_sqlalchemy', run_name='__main__')")
        run = bridge("sqla_models.every:Base", dialect=DIALECT, python=("-c", code))
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stdout, ddl("sqla_models.every:Base"))


class OnDatabase(unittest.TestCase):
    """The tests of one model, on one database made from its DDL: db, and
    cat, its catalog."""

    target = ""

    @classmethod
    def setUpClass(cls):
        cls.db = Database(cls.addClassCleanup)
        cls.db.run(ddl(cls.target))
        cls.cat = cls.db.catalog()


class Every(OnDatabase):
    """sqla_models/every.py, a declarative Base with relationships."""

    target = "sqla_models.every:Base"

    def tearDown(self):
        # the tests that add rows leave the tables empty
        self.db.run("DELETE FROM item_tags; DELETE FROM tags; DELETE FROM items; "
                    "DELETE FROM owners;")

    def test_tables_and_columns(self):
        self.assertEqual(set(self.cat), {"owners", "items", "tags", "item_tags"})
        owners = self.cat["owners"]["columns"]
        self.assertEqual(owners, {
            "created_at": (types("timestamp with time zone", "datetime"), True,
                           types("now()", "CURRENT_TIMESTAMP")),
            "updated_at": (types("timestamp without time zone", "datetime"), False,
                           "CURRENT_TIMESTAMP"),
            "id": ("integer", True, types("nextval('owners_id_seq'::regclass)", None)),
            "email": (types("character varying(120)", "varchar(120)"), True, None),
            "name": (types("character varying(50)", "varchar(50)"), True,
                     types("'anonymous'::character varying", "'anonymous'")),
            "active": ("boolean", True, types("true", "1")),
            "born": ("date", False, None),
            "karma": ("bigint", True, "0"),
            "rank": ("smallint", False, None),
        })
        items = self.cat["items"]["columns"]
        expect = {
            "title": (types("character varying(200)", "varchar(200)"), True, None),
            "body": ("text", False, None),
            "price": (types("numeric(10,2)", "numeric(10, 2)"), True, "0"),
            "weight": (types("double precision", "float"), False, None),
            "picture": (types("bytea", "blob"), False, None),
            "extra": ("json", False, None),
            "attrs": (types("jsonb", "json"), False, None),
            "status": (types("item_status", "varchar(8)"), True,
                       types("'draft'::item_status", "'draft'")),
            "size": (types("item_size", "varchar(1)"), False, None),
            "color": (types("color", "varchar(5)"), False, None),
            "ticket": ("integer", False, None),
            "owner_id": ("integer", True, None),
            "editor_id": ("integer", False, None),
        }
        self.assertEqual({k: items[k] for k in expect}, expect)
        self.assertEqual(self.cat["item_tags"]["columns"]["position"], ("smallint", True, "0"))

    def test_keys(self):
        self.assertEqual(self.cat["owners"]["pk"], ("id",))
        self.assertEqual(self.cat["item_tags"]["pk"], ("item_id", "tag_id"))
        self.assertEqual(self.cat["owners"]["uniques"], {("email",)})
        self.assertEqual(self.cat["items"]["uniques"], {("owner_id", "title")})
        self.assertEqual(self.cat["items"]["fks"], {
            (("owner_id",), "owners", ("id",), "CASCADE", "CASCADE"),
            (("editor_id",), "owners", ("id",), "SET NULL", "NO ACTION"),
        })
        self.assertEqual(self.cat["item_tags"]["fks"], {
            (("item_id",), "items", ("id",), "CASCADE", "NO ACTION"),
            (("tag_id",), "tags", ("id",), "CASCADE", "NO ACTION"),
        })

    def test_indexes(self):
        self.assertEqual(self.cat["items"]["indexes"], {
            "ix_items_owner_status": (("owner_id", "status"), False, None),
            "ix_items_live_title": (("title",), True,
                                    types("(status <> 'archived'::item_status)",
                                          "status <> 'archived'")),
        })
        self.assertEqual(self.cat["tags"]["indexes"], {"ix_tags_name": (("name",), True, None)})

    def test_checks_and_enums(self):
        checks = self.db.checks()
        self.assertIn("ck_items_price", checks)
        if PG:
            self.assertEqual(self.db.enums(), {"item_status": ["draft", "active", "archived"],
                                               "item_size": ["s", "m", "l"],
                                               "color": ["red", "green"]})
            self.assertEqual(self.db.sequences()["items_ticket_seq"], (100, 1))
        else:
            # a non-native enum is a CHECK only where create_constraint asks
            self.assertIn("item_size", checks)
            self.assertNotIn("item_status", checks)
        self.db.run("INSERT INTO owners (id, email) VALUES (1, 'a@example.org'), "
                    "(2, 'b@example.org')")
        self.assertTrue(self.db.fails("INSERT INTO items (owner_id, title, price) "
                                      "VALUES (1, 't', -1)"))
        self.assertTrue(self.db.fails("INSERT INTO items (owner_id, title, size) "
                                      "VALUES (1, 't', 'x')"))
        self.assertTrue(self.db.fails("INSERT INTO owners (id, email) VALUES (3, 'a@example.org')"))

    def test_on_delete_actions_work(self):
        self.db.run("INSERT INTO owners (id, email) VALUES (1, 'a@example.org'), "
                    "(2, 'b@example.org');\n"
                    "INSERT INTO items (id, owner_id, editor_id, title) VALUES (10, 1, 2, 'x'), "
                    "(11, 2, 1, 'y');\n"
                    "INSERT INTO tags (id, name) VALUES (5, 'new');\n"
                    "INSERT INTO item_tags (item_id, tag_id) VALUES (10, 5), (11, 5);\n")
        pragma = "" if PG else "PRAGMA foreign_keys = ON;\n"
        self.db.run(pragma + "DELETE FROM owners WHERE id = 1;")
        self.assertEqual(self.db.query("SELECT id, owner_id, editor_id FROM items"),
                         [[11, 2, None]])
        self.assertEqual(self.db.query("SELECT item_id FROM item_tags"), [[11]])

    def test_relationships_configure(self):
        # the fixture's relationships are sound, so they are really there
        # and the bridge really ignores them
        code = ("import sqlalchemy.orm, sqla_models.every as m; "
                "sqlalchemy.orm.configure_mappers(); "
                "print(m.Owner.items.property.mapper.class_.__name__, "
                "m.Item.tags.property.mapper.class_.__name__)")
        run = subprocess.run([sys.executable, "-c", code], cwd=RESOURCES, capture_output=True,
                             text=True, timeout=60)
        self.assertEqual((run.returncode, run.stdout, run.stderr), (0, "Item Tag\n", ""))


class Plain(OnDatabase):
    """sqla_models/plain.py, a MetaData without the ORM."""

    target = "sqla_models.plain:metadata"

    def test_composite_keys_and_actions(self):
        self.assertEqual(set(self.cat), {"regions", "shops", "managers"})
        self.assertEqual(self.cat["regions"]["pk"], ("country", "code"))
        self.assertEqual(self.cat["shops"]["fks"], {
            (("country", "region"), "regions", ("country", "code"), "CASCADE", "CASCADE"),
            (("parent_id",), "shops", ("id",), "SET NULL", "NO ACTION"),
            (("manager_id",), "managers", ("id",), "SET NULL", "NO ACTION"),
        })
        self.assertEqual(self.cat["managers"]["fks"],
                         {(("shop_id",), "shops", ("id",), "CASCADE", "NO ACTION")})

    def test_cycle(self):
        statements = [s.strip() for s in ddl(self.target).split(";\n") if s.strip()]
        alter = "ALTER TABLE shops ADD CONSTRAINT fk_shops_manager FOREIGN KEY(manager_id) " \
                "REFERENCES managers (id) ON DELETE SET NULL"
        if PG:
            self.assertEqual(statements[-1], alter)
        else:
            self.assertNotIn(alter, statements)
        self.assertEqual([s.split()[2] for s in statements if s.startswith("CREATE TABLE")],
                         ["regions", "shops", "managers"])
        self.assertEqual(self.cat["shops"]["uniques"], {("country", "region", "id")})
        self.assertEqual(self.cat["shops"]["indexes"], {
            "ix_shops_roots": (("country", "region"), False,
                               types("(parent_id IS NULL)", "parent_id IS NULL"))})

    def test_defaults_and_percent_signs(self):
        regions = self.cat["regions"]["columns"]
        self.assertEqual(regions["note"][2], types("'50% off'::character varying", "'50% off'"))
        self.assertEqual(regions["discount"], (types("numeric(5,2)", "numeric(5, 2)"), False,
                                               "0.00"))
        self.assertEqual(self.cat["shops"]["columns"]["opened"],
                         ("date", True, "CURRENT_DATE"))
        checks = self.db.checks()
        self.assertEqual({"ck_regions_discount", "ck_regions_note", "shop_kind"} - set(checks),
                         set())
        self.assertIn("'%off'", checks["ck_regions_note"])
        self.db.run("INSERT INTO regions (country, code, name) VALUES ('de', 'be', 'Berlin');")
        self.assertTrue(self.db.fails("INSERT INTO regions (country, code, name, note) "
                                      "VALUES ('de', 'hh', 'Hamburg', 'free')"))
        self.assertTrue(self.db.fails("INSERT INTO shops (id, country, region, kind) "
                                      "VALUES (1, 'de', 'be', 'kiosk')"))
        self.db.run("INSERT INTO shops (id, country, region, kind) VALUES (1, 'de', 'be', 'online');")

    def test_sequences(self):
        if PG:
            seqs = self.db.sequences()
            # managers_id_seq: managers.id's SERIAL
            self.assertEqual(seqs, {"invoice_numbers": (1000, 10), "shops_id_seq": (1, 1),
                                    "managers_id_seq": (1, 1)})
            # as create_all does: the column's sequence is SQLAlchemy's
            # to call, not the column's default
            self.assertEqual(self.cat["shops"]["columns"]["id"], ("integer", True, None))
        else:
            self.assertNotIn("SEQUENCE", ddl("sqla_models.plain:metadata"))


@unittest.skipUnless(PG, "PostgreSQL's own types")
class PostgresOnly(unittest.TestCase):
    """sqla_models/pg_only.py: JSONB, UUID, ARRAY, INET, an enum used in
    two tables and in an array, a GIN index."""

    def test_catalog(self):
        db = Database(self.addCleanup)
        out = ddl("sqla_models.pg_only:metadata")
        self.assertEqual(out.count("CREATE TYPE mood AS ENUM"), 1)
        db.run(out)
        cat = db.catalog()
        self.assertEqual(cat["profiles"]["columns"], {
            "id": ("uuid", True, "gen_random_uuid()"),
            "doc": ("jsonb", True, "'{}'::jsonb"),
            "scores": ("integer[]", False, None),
            "labels": ("text[]", True, "'{}'::text[]"),
            "mood": ("mood", True, None),
            "moods": ("mood[]", False, None),
            "addr": ("inet", False, None),
        })
        self.assertEqual(cat["visits"]["columns"]["mood"], ("mood", False, None))
        self.assertEqual(cat["visits"]["pk"], ())
        self.assertEqual(cat["visits"]["fks"],
                         {(("profile_id",), "profiles", ("id",), "CASCADE", "NO ACTION")})
        self.assertEqual(db.enums(), {"mood": ["happy", "sad"]})
        self.assertEqual(db.query("SELECT indexdef LIKE '%USING gin (doc)' FROM pg_indexes "
                                  "WHERE indexname = 'ix_profiles_doc'"), [[True]])


class ShopBot(unittest.TestCase):
    """examples/shopbot/models.py, the seeds' four models, as retort runs
    it there: from the example's folder, the dialect in RETORT_DIALECT."""

    def test_schema(self):
        db = Database(self.addCleanup)
        out = ddl("models:Base", cwd=SHOPBOT)
        self.assertEqual(out, ddl("models:Base", "--path", str(SHOPBOT), cwd=db.dir))
        db.run(out)
        cat = db.catalog()
        self.assertEqual(set(cat), {"categories", "users", "products", "purchases"})
        key = types("bigint", "integer")
        stamp = (types("timestamp with time zone", "datetime"), True,
                 types("now()", "CURRENT_TIMESTAMP"))
        row = {"id": (key, True, None), "created_at": stamp, "updated_at": stamp}
        self.assertEqual(cat["categories"]["columns"], dict(row, category_name=("text", True, None)))
        self.assertEqual(cat["users"]["columns"], dict(
            row, telegram_id=("bigint", True, None), username=("text", False, None),
            first_name=("text", False, None), last_name=("text", False, None)))
        self.assertEqual(cat["products"]["columns"], dict(
            row, name=("text", True, None), description=("text", False, None),
            price=("integer", True, None), file_id=("text", False, None),
            category_id=(key, True, None)))
        self.assertEqual(cat["purchases"]["columns"], dict(
            row, user_id=(key, True, None), product_id=(key, True, None),
            price=("integer", True, None)))
        for t in cat:
            self.assertEqual(cat[t]["pk"], ("id",))
        self.assertEqual(cat["users"]["uniques"], {("telegram_id",)})
        self.assertEqual(cat["products"]["fks"],
                         {(("category_id",), "categories", ("id",), "NO ACTION", "NO ACTION")})
        self.assertEqual(cat["purchases"]["fks"], {
            (("user_id",), "users", ("id",), "NO ACTION", "NO ACTION"),
            (("product_id",), "products", ("id",), "NO ACTION", "NO ACTION")})
        self.assertEqual(cat["products"]["indexes"],
                         {"ix_products_category_id": (("category_id",), False, None)})
        self.assertEqual(cat["purchases"]["indexes"],
                         {"ix_purchases_user_id": (("user_id",), False, None)})
        # ids the database hands out: identity on PostgreSQL, AUTOINCREMENT
        # (never reused) on SQLite
        db.run("INSERT INTO categories (category_name) VALUES ('books');")
        if PG:
            self.assertEqual(db.query("SELECT attidentity FROM pg_attribute "
                                      "WHERE attrelid = 'users'::regclass AND attname = 'id'"),
                             [["d"]])
        else:
            self.assertEqual(db.query("SELECT name, seq FROM sqlite_sequence"),
                             [["categories", 1]])


@unittest.skipIf(PG, "the same on both dialects: the SQLite run has them")
class Errors(unittest.TestCase):
    """Failures: nothing on stdout, one line on stderr, a non-zero status."""

    def fails(self, *args, status=1, cwd=RESOURCES, dialect=DIALECT):
        run = bridge(*args, cwd=cwd, dialect=dialect)
        self.assertEqual(run.returncode, status, run.stderr)
        self.assertEqual(run.stdout, "")
        self.assertEqual(len(run.stderr.splitlines()), 1, run.stderr)
        self.assertTrue(run.stderr.startswith("retort_sqlalchemy: "), run.stderr)
        return run.stderr

    def write(self, files):
        scratch = tempfile.TemporaryDirectory(prefix="retort-sqla-")
        self.addCleanup(scratch.cleanup)
        for name, text in files.items():
            (Path(scratch.name) / name).write_text(text)
        return Path(scratch.name)

    def test_module_not_importable(self):
        err = self.fails("no_such_models:Base")
        self.assertIn("cannot import no_such_models: ModuleNotFoundError: "
                      "No module named 'no_such_models'", err)
        folder = self.write({"models.py": "import aiosqlite_not_here\n",
                             "boom.py": "x = 1\nraise RuntimeError('no database_url')\n"})
        err = self.fails("models:Base", cwd=folder)
        self.assertIn("cannot import models: ModuleNotFoundError: "
                      "No module named 'aiosqlite_not_here'", err)
        err = self.fails("boom:Base", cwd=folder)
        self.assertIn("cannot import boom: RuntimeError: no database_url (at ", err)
        self.assertIn("boom.py:2)", err)

    def test_attribute(self):
        err = self.fails("sqla_models.every:Bse")
        self.assertIn("sqla_models.every has no attribute 'Bse'", err)
        err = self.fails("sqla_models.every:Base.metadata.nope")
        self.assertIn("sqla_models.every:Base.metadata has no attribute 'nope'", err)
        err = self.fails("sqla_models.every:enum")
        self.assertIn("sqla_models.every:enum is a builtins.module, "
                      "not a MetaData or a declarative Base", err)
        err = self.fails("sqla_models.plain:regions")
        self.assertIn("is a sqlalchemy.sql.schema.Table, not a MetaData", err)
        # what is accepted: a dotted path to a MetaData, a mapped class, a
        # registry
        self.assertEqual(ddl("sqla_models.every:Base.metadata"), ddl("sqla_models.every:Base"))
        self.assertEqual(ddl("sqla_models.every:Tag"), ddl("sqla_models.every:Base"))
        self.assertEqual(ddl("sqla_models.every:Base.registry"), ddl("sqla_models.every:Base"))

    def test_dialect(self):
        err = self.fails("sqla_models.every:Base", "--dialect", "oracle", status=2)
        self.assertIn("unknown dialect 'oracle' (known: sqlite, postgresql)", err)
        err = self.fails("sqla_models.every:Base", status=2, dialect="mysql")
        self.assertIn("unknown dialect 'mysql'", err)
        err = self.fails("sqla_models.every:Base", status=2, dialect=None)
        self.assertIn("no dialect: give --dialect or set RETORT_DIALECT", err)

    def test_usage(self):
        err = self.fails("sqla_models.every", status=2)
        self.assertIn("'sqla_models.every' is not MODULE:ATTR", err)
        err = self.fails(status=2)
        self.assertIn("required: MODULE:ATTR", err)
        err = self.fails("sqla_models.every:Base", "--frobnicate", status=2)
        self.assertIn("unrecognized arguments: --frobnicate", err)

    def test_compile_error(self):
        err = self.fails("sqla_models.pg_only:metadata")
        self.assertIn("cannot compile the model for sqlite: CompileError: "
                      "(in table 'profiles', column 'id')", err)
        self.assertIn("UUID", err)

    def test_empty_model_and_import(self):
        err = self.fails("sqla_models.split.database:Base")
        self.assertIn("sqla_models.split.database:Base has no tables; import the module "
                      "that defines the models with --import MODULE", err)
        out = ddl("sqla_models.split.database:Base", "--import", "sqla_models.split.models")
        self.assertEqual([s.split()[:3] for s in out.split(";\n") if s.strip()],
                         [["CREATE", "TABLE", "notes"]])
        folder = self.write({"empty.py": "from sqlalchemy import MetaData\nmetadata = MetaData()\n"})
        run = bridge("empty:metadata", "--allow-empty", cwd=folder, dialect=DIALECT)
        self.assertEqual((run.returncode, run.stdout, run.stderr), (0, "", ""))

    def test_import_path(self):
        # --path comes before the current folder, which comes before the rest
        here = self.write({"models.py": "from sqlalchemy import *\nmetadata = MetaData()\n"
                                        "Table('here', metadata, Column('id', Integer))\n"})
        there = self.write({"models.py": "from sqlalchemy import *\nmetadata = MetaData()\n"
                                         "Table('there', metadata, Column('id', Integer))\n"})
        self.assertIn("CREATE TABLE here", ddl("models:metadata", cwd=here))
        self.assertIn("CREATE TABLE there", ddl("models:metadata", "--path", str(there), cwd=here))


class Retort(unittest.TestCase):
    """retort itself, with `schema_command = python3 -m retort_sqlalchemy
    ...` in retort.ini: it runs the bridge (the python3 with SQLAlchemy
    first on PATH), builds the model from its output and compares it with
    the database."""

    def setUp(self):
        self.retort = os.environ.get("RETORT")
        if not self.retort:
            self.skipTest("RETORT (the retort program) not set")
        self.env = dict(os.environ, PYTHONPATH=str(SOURCE / "python"),
                        PYTHONDONTWRITEBYTECODE="1",
                        PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])

    def project(self, db, command):
        """A project beside DB's scratch folder, its model from COMMAND."""
        run = subprocess.run([self.retort, "init", str(db.dir / "project")], capture_output=True,
                             text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        ini = db.dir / "project" / "retort.ini"
        ini.write_text(ini.read_text().replace("${DATABASE_URL:-sqlite:///data.db}", db.url)
                       + f"schema_command = {command}\n")
        return db.dir / "project"

    def rt(self, folder, *args, status=0):
        run = subprocess.run([self.retort, *args], cwd=folder, env=self.env, capture_output=True,
                             text=True, timeout=120)
        self.assertEqual(run.returncode, status, run.stdout + run.stderr)
        return run

    def test_check_models(self):
        targets = {"sqla_models.every:Base": "ix_items_owner_status",
                   "sqla_models.plain:metadata": "ix_shops_roots"}
        if PG:
            targets["sqla_models.pg_only:metadata"] = "ix_profiles_doc"
        for target, index in targets.items():
            with self.subTest(target=target):
                db = Database(self.addCleanup)
                db.run(ddl(target))
                folder = self.project(
                    db, f"python3 -m retort_sqlalchemy --path {RESOURCES} {target}")
                self.assertIn("no changes", self.rt(folder, "check").stdout)
                db.run(f"DROP INDEX {index};")
                self.assertIn(index, self.rt(folder, "check", status=1).stdout)

    def test_shopbot(self):
        # the example's models drive autogenerate, upgrade and check
        db = Database(self.addCleanup)
        folder = self.project(db, "python3 -m retort_sqlalchemy models:Base")
        models = (SHOPBOT / "models.py").read_text()
        (folder / "models.py").write_text(models)
        self.rt(folder, "revision", "--autogenerate", "-m", "shop")
        (revision,) = (folder / "migrations" / "versions").iterdir()
        self.assertIn("CREATE TABLE purchases", revision.read_text())
        self.rt(folder, "upgrade", "head")
        self.assertIn("no changes", self.rt(folder, "check").stdout)
        self.assertEqual(set(db.catalog()) - {"retort_version", "retort_history"},
                         {"categories", "users", "products", "purchases"})
        # a column added to a model is a difference
        (folder / "models.py").write_text(models.replace(
            "    last_name = Column(Text)\n",
            "    last_name = Column(Text)\n    email = Column(Text)\n"))
        self.assertIn("email", self.rt(folder, "check", status=1).stdout)

    def test_bridge_error(self):
        db = Database(self.addCleanup)
        folder = self.project(db, f"python3 -m retort_sqlalchemy --path {SHOPBOT} models:Bse")
        run = self.rt(folder, "check", status=1)
        self.assertIn("retort_sqlalchemy: models has no attribute 'Bse'", run.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
