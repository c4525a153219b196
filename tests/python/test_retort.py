"""Tests of python/retort.py against real databases.

    RETORT_DIALECT=sqlite|postgresql python3 tests/python/test_retort.py

CTest runs it as python/sqlite and python/postgresql with PYTHONPATH at
the source's python/ folder and RETORT_LIBRARY at the build's
libretort.so.  On PostgreSQL, RETORT_PG_STATE names the file holding the
test server's URL (the pg/start fixture writes it); each test makes a
database of its own there with psql and drops it.  Every project lives
in a scratch folder that is removed.

SQLite runs every class; PostgreSQL the ones whose `dialects` name it
(the same core flow on a server database).
"""
import asyncio
import json
import ctypes
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid
from pathlib import Path
from unittest import mock

import retort

DIALECT = os.environ.get("RETORT_DIALECT", "sqlite")
SOURCE = Path(__file__).resolve().parents[2]


def revision(rev: str, message: str, down: str, up_sql: str, down_sql: str,
             up_options: str = "") -> str:
    """The text of a migration file (DESIGN.md section 3)."""
    marker = "-- +upgrade" + (" " + up_options if up_options else "")
    return (f"-- {message}\n--\n-- revision: {rev}\n-- down_revision: {down}\n"
            f"-- branch_labels:\n-- depends_on:\n\n"
            f"{marker}\n{up_sql}\n\n-- +downgrade\n{down_sql}\n")


def psql(url: str, sql: str) -> None:
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                   check=True, stdout=subprocess.DEVNULL)


class Project(unittest.TestCase):
    """A scratch project: retort.ini, a database of the dialect and two
    revisions, aaaa0001 (table one) and aaaa0002 (table two)."""

    dialects = ("sqlite", "postgresql")

    def setUp(self) -> None:
        scratch = tempfile.TemporaryDirectory(prefix="retort-py-")
        self.addCleanup(scratch.cleanup)
        self.dir = Path(scratch.name)
        self.versions = self.dir / "migrations" / "versions"
        self.versions.mkdir(parents=True)
        if DIALECT == "postgresql":
            admin = Path(os.environ["RETORT_PG_STATE"]).read_text().splitlines()[0]
            name = f"py_{os.getpid()}_{uuid.uuid4().hex[:8]}"
            psql(admin, f'CREATE DATABASE "{name}"')
            self.addCleanup(psql, admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.url = admin.rsplit("/", 1)[0] + "/" + name
            self.password = admin.split("://", 1)[1].split("@", 1)[0].partition(":")[2]
        else:
            self.url = "sqlite:///data.db"
            self.password = ""
        self.write_ini()
        self.add("aaaa0001", "one", "")
        self.add("aaaa0002", "two", "aaaa0001")

    def write_ini(self, extra: str = "") -> None:
        (self.dir / "retort.ini").write_text(
            "[retort]\nscript_location = migrations\n"
            f"url = {self.url}\nlock_timeout = 0.3\n{extra}")

    def add(self, rev: str, table: str, down: str, up_sql: str = "",
            up_options: str = "") -> Path:
        """A revision creating `table` (or running up_sql)."""
        path = self.versions / f"{rev}_{table}.sql"
        path.write_text(revision(rev, table, down,
                                 up_sql or f"CREATE TABLE {table} (id INTEGER PRIMARY KEY);",
                                 f"DROP TABLE {table};", up_options))
        return path

    def open(self, **options) -> retort.Retort:
        r = retort.Retort(start_dir=self.dir, **options)
        self.addCleanup(r.close)
        return r

    def opts(self) -> dict:
        """Keyword arguments of the module-level functions for the project."""
        return {"start_dir": self.dir}


class CoreFlow(Project):
    """upgrade, current, history, heads, downgrade, and each error class
    raised for its situation."""

    def test_upgrade_current_history_heads_downgrade(self) -> None:
        self.assertEqual(retort.current(**self.opts()), [])
        done = retort.upgrade("head", **self.opts())
        self.assertEqual(done.steps, ["aaaa0001", "aaaa0002"])
        self.assertEqual((done.from_, done.to), ([], ["aaaa0002"]))
        self.assertEqual(retort.current(**self.opts()), ["aaaa0002"])
        # nothing to do the second time
        self.assertEqual(retort.upgrade(**self.opts()).steps, [])
        down = retort.downgrade("-1", **self.opts())
        self.assertEqual((down.steps, down.to), (["aaaa0002"], ["aaaa0001"]))
        self.assertEqual(retort.upgrade(**self.opts()).steps, ["aaaa0002"])

        history = retort.history(**self.opts())
        self.assertEqual([r.id for r in history], ["aaaa0002", "aaaa0001"])
        newest, oldest = history
        self.assertEqual((newest.message, newest.down_revisions), ("two", ("aaaa0001",)))
        self.assertTrue(newest.is_head and not newest.is_base)
        self.assertTrue(oldest.is_base and not oldest.is_head)
        self.assertEqual(oldest.path, str(self.versions / "aaaa0001_one.sql"))
        self.assertEqual([r.id for r in retort.history(":aaaa0001", **self.opts())],
                         ["aaaa0001"])

        # a branch: two heads
        self.add("bbbb0001", "three", "aaaa0001")
        self.assertEqual(sorted(r.id for r in retort.heads(**self.opts())),
                         ["aaaa0002", "bbbb0001"])
        (self.versions / "cccc0001_merge.sql").write_text(revision(
            "cccc0001", "merge", "aaaa0002, bbbb0001", "SELECT 1;", "SELECT 1;"))
        [head] = retort.heads(**self.opts())
        self.assertEqual((head.id, head.is_merge_point), ("cccc0001", True))
        self.assertEqual(set(head.down_revisions), {"aaaa0002", "bbbb0001"})
        self.assertEqual(retort.upgrade("heads", **self.opts()).steps, ["bbbb0001", "cccc0001"])

        with self.open() as r:
            # the merge undone: both branches stay applied
            self.assertEqual(r.downgrade("aaaa0002").steps, ["cccc0001"])
            self.assertEqual(sorted(r.current()), ["aaaa0002", "bbbb0001"])
            self.assertEqual(sorted(r.downgrade("aaaa0001").steps), ["aaaa0002", "bbbb0001"])
            self.assertEqual(r.current(), ["aaaa0001"])
            self.assertEqual(r.downgrade("base").to, [])
            self.assertEqual(r.current(), [])
            # table one went with it: creating it again works
            self.assertEqual(r.upgrade("aaaa0001").steps, ["aaaa0001"])

    def test_statement_failed_names_file_and_line(self) -> None:
        retort.upgrade(**self.opts())
        path = self.add("aaaa0003", "bad", "aaaa0002",
                        up_sql="CREATE TABLE three (id INTEGER PRIMARY KEY);\n"
                               "CREATE TABLE one (id INTEGER PRIMARY KEY);")
        # the failing statement is on the file's line 10
        self.assertEqual(path.read_text().splitlines()[9],
                         "CREATE TABLE one (id INTEGER PRIMARY KEY);")
        with self.assertRaises(retort.StatementFailed) as caught:
            retort.upgrade(**self.opts())
        err = caught.exception
        self.assertEqual(err.code, -15)
        self.assertIsInstance(err, retort.RetortError)
        self.assertIn(f"{path}:10", err.message)
        self.assertIn("'aaaa0002'", str(err))   # where the database is
        self.assertEqual(retort.current(**self.opts()), ["aaaa0002"])
        # nothing of the step stayed: table three was rolled back
        path.write_text(revision("aaaa0003", "bad", "aaaa0002",
                                 "CREATE TABLE three (id INTEGER PRIMARY KEY);",
                                 "DROP TABLE three;"))
        self.assertEqual(retort.upgrade(**self.opts()).steps, ["aaaa0003"])

    def test_half_applied(self) -> None:
        retort.upgrade(**self.opts())
        path = self.add("aaaa0003", "three", "aaaa0002", up_options="transaction=false",
                        up_sql="CREATE TABLE three (id INTEGER PRIMARY KEY);\n"
                               "INSERT INTO nowhere VALUES (1);")
        with self.assertRaises(retort.StatementFailed) as caught:
            retort.upgrade(**self.opts())
        self.assertIn(f"{path}:10", str(caught.exception))
        with self.assertRaises(retort.HalfApplied) as caught:
            retort.upgrade(**self.opts())
        self.assertEqual(caught.exception.code, -17)
        self.assertIn("aaaa0003", str(caught.exception))
        # fixed, and resumed after the statement that ran
        path.write_text(path.read_text().replace("INSERT INTO nowhere", "INSERT INTO three"))
        self.assertEqual(retort.upgrade(resume=True, **self.opts()).steps, ["aaaa0003"])
        self.assertEqual(retort.current(**self.opts()), ["aaaa0003"])

    def test_migration_modified(self) -> None:
        retort.upgrade("aaaa0001", **self.opts())
        path = self.versions / "aaaa0001_one.sql"
        path.write_text(path.read_text().replace("PRIMARY KEY", "PRIMARY KEY, x INT"))
        with self.assertRaises(retort.MigrationModified) as caught:
            retort.upgrade(**self.opts())
        self.assertIn("aaaa0001", str(caught.exception))
        self.assertEqual(retort.current(**self.opts()), ["aaaa0001"])

    def test_not_found_ambiguous_usage_conflict(self) -> None:
        with self.assertRaises(retort.NotFound) as caught:
            retort.upgrade("nope", **self.opts())
        self.assertIn("'nope'", str(caught.exception))
        with self.assertRaises(retort.Ambiguous) as caught:
            retort.upgrade("aaaa000", **self.opts())
        self.assertEqual(caught.exception.code, -5)
        with self.assertRaises(retort.UsageError):
            retort.downgrade("", **self.opts())
        with self.open() as r:
            r.upgrade("aaaa0001")
            with self.assertRaises(retort.Conflict):
                r.downgrade("aaaa0002")   # not applied
        self.assertEqual(retort.current(**self.opts()), ["aaaa0001"])
        with self.assertRaises(retort.NotFound):
            retort.Retort(start_dir=self.dir / "migrations", config=self.dir / "none.ini")

    def test_invalid_migration(self) -> None:
        (self.versions / "bad.sql").write_text(
            "-- revision: bad1\n-- down_revision: nowhere\n-- +upgrade\nSELECT 1;\n")
        with self.assertRaises(retort.InvalidMigration) as caught:
            retort.upgrade(**self.opts())
        self.assertIn("nowhere", str(caught.exception))
        self.assertEqual(retort.current(**self.opts()), [])

    def test_unknown_revision(self) -> None:
        retort.upgrade(**self.opts())
        (self.versions / "aaaa0002_two.sql").unlink()
        with self.assertRaises(retort.UnknownRevision) as caught:
            retort.upgrade(**self.opts())
        self.assertEqual(caught.exception.code, -18)
        self.assertIn("aaaa0002", str(caught.exception))

    def test_lock_timeout(self) -> None:
        """Another context's upgrade, while this one's holds the run lock
        (from its START event), gives up after lock_timeout."""
        seen = []

        def hold(ev: retort.Event) -> None:
            seen.append(ev)
            if ev.type == retort.EventType.START and ev.revision == "aaaa0001":
                try:
                    retort.upgrade("head", **self.opts())
                except retort.RetortError as err:
                    seen.append(err)

        with self.open() as r:
            done = r.upgrade("head", on_event=hold)
        self.assertEqual(done.steps, ["aaaa0001", "aaaa0002"])
        errors = [x for x in seen if isinstance(x, Exception)]
        self.assertEqual(len(errors), 1)
        self.assertIsInstance(errors[0], retort.LockTimeout)
        self.assertEqual(errors[0].code, -6)
        self.assertIn("lock", str(errors[0]))
        events = [(e.type, e.revision) for e in seen if isinstance(e, retort.Event)]
        self.assertEqual(events, [(retort.EventType.START, "aaaa0001"),
                                  (retort.EventType.DONE, "aaaa0001"),
                                  (retort.EventType.START, "aaaa0002"),
                                  (retort.EventType.DONE, "aaaa0002")])
        done_event = [e for e in seen if isinstance(e, retort.Event)][-1]
        self.assertEqual((done_event.from_, done_event.to, done_event.direction),
                         ("aaaa0001", "aaaa0002", "upgrade"))
        self.assertGreater(done_event.elapsed_ms, 0)

    def test_event_handler_exception_comes_after_the_run(self) -> None:
        def boom(ev: retort.Event) -> None:
            raise KeyError("from the handler")

        with self.assertRaises(KeyError):
            retort.upgrade("head", on_event=boom, **self.opts())
        # the run itself went on: C cannot be unwound
        self.assertEqual(retort.current(**self.opts()), ["aaaa0002"])

    def test_log_to_logging(self) -> None:
        with self.assertLogs("retort", level="INFO") as logs:
            retort.upgrade(**self.opts())
        text = "\n".join(logs.output)
        self.assertTrue(all(line.startswith("INFO:retort:") for line in logs.output))
        self.assertIn("upgrade head on", text)
        self.assertIn("aaaa0001", text)
        self.assertIn("aaaa0002", text)
        self.assertIn("done in", text)
        # a failure is logged too, the password masked
        with self.assertLogs("retort", level="INFO") as logs, \
                self.assertRaises(retort.NotFound):
            retort.upgrade("nope", **self.opts())
        self.assertIn("'nope'", "\n".join(logs.output))
        if self.password:
            self.assertNotIn(self.password, "\n".join(logs.output))
            self.assertIn(":***@", "\n".join(logs.output))

    def test_asyncio_to_thread(self) -> None:
        threads = set()

        def note(ev: retort.Event) -> None:
            threads.add(threading.get_ident())

        async def main() -> retort.RunSummary:
            return await asyncio.to_thread(retort.upgrade, "head", on_event=note, **self.opts())

        done = asyncio.run(main())
        self.assertEqual(done.steps, ["aaaa0001", "aaaa0002"])
        # the callbacks ran on the worker thread that made the call
        self.assertEqual(len(threads), 1)
        self.assertNotIn(threading.get_ident(), threads)
        self.assertEqual(retort.current(**self.opts()), ["aaaa0002"])

    def test_two_threads_two_contexts(self) -> None:
        """Two contexts on one database at once: each migration runs once."""
        start = threading.Barrier(2)
        results, failures = [], []

        def run() -> None:
            try:
                with retort.Retort(start_dir=self.dir, settings={"lock_timeout": 30}) as r:
                    start.wait()
                    results.append(r.upgrade("head"))
            except BaseException as err:
                failures.append(err)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(failures, [])
        self.assertEqual(sorted(s for r in results for s in r.steps), ["aaaa0001", "aaaa0002"])
        self.assertEqual([r.to for r in results], [["aaaa0002"], ["aaaa0002"]])

    def test_check_with_a_schema_model(self) -> None:
        self.write_ini("schema = schema.sql\n")
        model = self.dir / "schema.sql"
        model.write_text("CREATE TABLE one (id INTEGER PRIMARY KEY);\n"
                         "CREATE TABLE two (id INTEGER PRIMARY KEY);\n")
        with self.open() as r:
            r.upgrade("aaaa0001")
            with self.assertRaises(retort.Conflict):
                r.check()       # not at head
            r.upgrade("head")
            same = r.check()
        self.assertFalse(same)
        self.assertEqual((same.operations, same.warnings, same.upgrade_sql), ([], [], ""))

        model.write_text("CREATE TABLE one (id INTEGER PRIMARY KEY);\n"
                         "CREATE TABLE three (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n")
        differs = retort.check(**self.opts())
        self.assertTrue(differs)
        self.assertEqual(sorted(differs.operations), ["add table three", "drop table two"])
        self.assertIn("CREATE TABLE three", differs.upgrade_sql)
        self.assertIn("DROP TABLE two", differs.upgrade_sql)
        self.assertIn("DROP TABLE three", differs.downgrade_sql)
        self.assertTrue(any("two" in w for w in differs.warnings))
        # a check changes nothing
        self.assertEqual(retort.current(**self.opts()), ["aaaa0002"])


    def test_wait_and_schema(self) -> None:
        with self.open() as r:
            r.wait(5)
            r.upgrade("head")
            sql = r.schema()
            self.assertIn("CREATE TABLE", sql)
            self.assertIn("two", sql)
            doc = json.loads(r.schema("json"))
            self.assertEqual(doc["format_version"], 1)
            self.assertEqual([t["name"] for t in doc["tables"]], ["one", "two"])
            self.assertTrue(r.schema("mermaid").startswith("erDiagram\n"))
            self.assertTrue(r.schema("dot").startswith("digraph"))
            with self.assertRaises(retort.UsageError):
                r.schema("yaml")
        # a database out of reach: ConnectFailed once the time is up
        unreachable = ("sqlite:///" + str(self.dir / "no" / "such" / "folder" / "x.db")
                       if DIALECT == "sqlite" else "postgresql://u:p@127.0.0.1:9/x")
        with self.open(url=unreachable) as r:
            started = time.monotonic()
            with self.assertRaises(retort.ConnectFailed):
                r.wait(0.5)
            self.assertGreaterEqual(time.monotonic() - started, 0.5)


class SqliteOnly(Project):
    """What needs no server: configuration, settings in code, the library
    and the header, the shop bot's start-up."""

    dialects = ("sqlite",)

    def test_config_error(self) -> None:
        self.write_ini("lock_timeout = soon\n")
        with self.assertRaises(retort.ConfigError) as caught:
            retort.Retort(start_dir=self.dir)
        self.assertEqual(caught.exception.code, -19)
        self.assertIn("lock_timeout", str(caught.exception))
        self.write_ini()
        with self.assertRaises(retort.ConfigError) as caught:
            retort.upgrade(settings={"lock_timeout": "soon"}, **self.opts())
        self.assertIn("retort_options.settings[0]", str(caught.exception))
        self.assertEqual(retort.current(**self.opts()), [])

    def test_settings_without_retort_ini(self) -> None:
        (self.dir / "retort.ini").unlink()
        with self.assertRaises(retort.NotFound):
            retort.Retort(start_dir=self.dir)
        settings = {"script_location": "migrations", "url": "sqlite:///app.db",
                    "version_table": "app_version", "fleet.jobs": 3,
                    "transaction_per_migration": False}
        with self.open(config_optional=True, settings=settings) as r:
            self.assertIsNone(r.config_path)
            self.assertEqual(r.config_get("version_table"), "app_version")
            self.assertEqual(r.config_get("jobs", "fleet"), "3")
            self.assertEqual(r.config_get("transaction_per_migration"), "false")
            self.assertEqual(r.script_location, str(self.dir / "migrations"))
            self.assertEqual(r.upgrade().steps, ["aaaa0001", "aaaa0002"])
        db = sqlite3.connect(self.dir / "app.db")
        try:
            self.assertEqual(db.execute("SELECT version_num FROM app_version").fetchall(),
                             [("aaaa0002",)])
        finally:
            db.close()

    def test_url_override_and_masking(self) -> None:
        with self.open(url="sqlite:///other.db") as r:
            self.assertEqual(r.url, "sqlite:///other.db")
            r.upgrade()
        self.assertTrue((self.dir / "other.db").exists())
        self.assertFalse((self.dir / "data.db").exists())
        with self.open(url="postgresql://app:secret@127.0.0.1:1/db?connect_timeout=5") as r:
            self.assertEqual(r.url, "postgresql://app:***@127.0.0.1:1/db?connect_timeout=5")
            with self.assertLogs("retort") as logs, self.assertRaises(retort.RetortError) as caught:
                r.upgrade()
        self.assertNotIn("secret", str(caught.exception))
        self.assertNotIn("secret", "\n".join(logs.output))

    def test_init_project(self) -> None:
        made = retort.init_project(self.dir / "new")
        self.assertIn(str(self.dir / "new" / "retort.ini"), made)
        self.assertTrue((self.dir / "new" / "migrations" / "versions").is_dir())
        with self.assertRaises(retort.RetortError):
            retort.init_project(self.dir / "new")   # refuses to overwrite
        self.assertEqual(retort.history(start_dir=self.dir / "new"), [])

    def test_closed_and_reentrant_use(self) -> None:
        r = retort.Retort(start_dir=self.dir)
        r.close()
        with self.assertRaises(retort.UsageError):
            r.current()
        r.close()   # twice is fine
        with self.open() as r:
            caught = []

            def again(ev: retort.Event) -> None:
                try:
                    r.current()
                except retort.UsageError as err:
                    caught.append(err)

            r.upgrade("aaaa0001", on_event=again)
            self.assertEqual(len(caught), 2)      # START and DONE

    def test_version_and_abi(self) -> None:
        major, minor, _ = (int(x) for x in retort.__version__.split("."))
        self.assertEqual((major, minor), retort.ABI_VERSION)
        with self.assertRaises(ImportError) as caught:
            retort._check_abi(200, "0.2.0", "/x/libretort.so.0")
        self.assertIn("libretort 0.2.0", str(caught.exception))
        self.assertIn("0.1", str(caught.exception))
        retort._check_abi(102, "0.1.2", "/x/libretort.so.0")   # a patch release is fine

    def test_library_not_found(self) -> None:
        env = dict(os.environ, RETORT_LIBRARY=str(self.dir / "libretort.so.0"))
        run = subprocess.run([sys.executable, "-c", "import retort"], env=env,
                             capture_output=True, text=True)
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("ImportError: retort: cannot load RETORT_LIBRARY=", run.stderr)

    def test_structs_match_retort_h(self) -> None:
        """Sizes and offsets of the ctypes structs, the *_VERSION macros,
        the error codes and event types, as a C compiler sees retort.h."""
        structs = {
            "retort_revlist": retort._RevList, "retort_strarray": retort._StrArray,
            "retort_setting": retort._Setting, "retort_options": retort._Options,
            "retort_event": retort._Event, "retort_run_options": retort._RunOptions,
            "retort_run_summary": retort._RunSummary, "retort_autogen": retort._Autogen,
        }
        constants = {
            "RETORT_OPTIONS_VERSION": retort.RETORT_OPTIONS_VERSION,
            "RETORT_RUN_OPTIONS_VERSION": retort.RETORT_RUN_OPTIONS_VERSION,
            "RETORT_VERSION_MAJOR": retort.ABI_VERSION[0],
            "RETORT_VERSION_MINOR": retort.ABI_VERSION[1],
            "RETORT_UP": retort.RETORT_UP, "RETORT_DOWN": retort.RETORT_DOWN,
            "RETORT_REV_HEAD": retort.RETORT_REV_HEAD,
            "RETORT_REV_BASE": retort.RETORT_REV_BASE,
            "RETORT_REV_BRANCHPOINT": retort.RETORT_REV_BRANCHPOINT,
            "RETORT_REV_MERGEPOINT": retort.RETORT_REV_MERGEPOINT,
            "RETORT_SCHEMA_MODEL": retort.RETORT_SCHEMA_MODEL,
            "RETORT_ERROR": retort.RetortError.code,
            "RETORT_EUSAGE": retort.UsageError.code, "RETORT_ENOTFOUND": retort.NotFound.code,
            "RETORT_EAMBIGUOUS": retort.Ambiguous.code, "RETORT_EBUSY": retort.LockTimeout.code,
            "RETORT_EINVALID": retort.InvalidMigration.code,
            "RETORT_ECONFLICT": retort.Conflict.code, "RETORT_ECANCELED": retort.Canceled.code,
            "RETORT_ESTATEMENT": retort.StatementFailed.code,
            "RETORT_EMODIFIED": retort.MigrationModified.code,
            "RETORT_EPARTIAL": retort.HalfApplied.code,
            "RETORT_EUNKNOWNREV": retort.UnknownRevision.code,
            "RETORT_ECONFIG": retort.ConfigError.code,
            "RETORT_ECONNECT": retort.ConnectFailed.code,
        }
        constants.update({f"RETORT_EVENT_{t.name}": t.value for t in retort.EventType})
        self.assertEqual(len(retort._ERRORS), 13)

        lines = ["#include <stddef.h>", "#include <stdio.h>", "#include <retort.h>",
                 "int main(void)", "{"]
        expected = []
        for cname, struct in structs.items():
            lines.append(f'\tprintf("sizeof {cname} %zu\\n", sizeof({cname}));')
            expected.append(f"sizeof {cname} {ctypes.sizeof(struct)}")
            for fname, *_ in struct._fields_:
                cfield = fname.rstrip("_")    # from_ is C's `from`
                lines.append(f'\tprintf("offsetof {cname}.{cfield} %zu\\n", '
                             f'offsetof({cname}, {cfield}));')
                expected.append(f"offsetof {cname}.{cfield} {getattr(struct, fname).offset}")
        for name, value in constants.items():
            lines.append(f'\tprintf("{name} %d\\n", (int)({name}));')
            expected.append(f"{name} {value}")
        lines += ["\treturn 0;", "}"]
        source = self.dir / "layout.c"
        source.write_text("\n".join(lines) + "\n")
        cc = os.environ.get("CC", "cc")
        subprocess.run([cc, "-I", str(SOURCE / "include"), "-o", str(self.dir / "layout"),
                        str(source)], check=True)
        got = subprocess.run([str(self.dir / "layout")], check=True, capture_output=True,
                             text=True).stdout.splitlines()
        # a field left out shifts the offsets after it, or the size
        self.assertEqual(got, expected)

    def test_shopbot_startup(self) -> None:
        """examples/shopbot/startup.py, as its README shows it, migrates a
        copy of the example on SQLite."""
        example = SOURCE / "examples" / "shopbot"
        snippet = (example / "startup.py").read_text()
        readme = (example / "README.md").read_text()
        self.assertIn("```python\n" + snippet + "```\n", readme)

        shop = self.dir / "shopbot"
        shutil.copytree(example, shop, ignore=shutil.ignore_patterns(
            "data.db*", "*.log", "__pycache__"))
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        for _ in range(2):   # the second start finds nothing to do
            run = subprocess.run([sys.executable, str(shop / "startup.py")], cwd=self.dir,
                                 env=env, capture_output=True, text=True, timeout=120)
            self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("INFO:retort:upgrade head on sqlite:///data.db", run.stderr)
        self.assertIn("database at 9e5d30f1b6a8 (0 migrations run)", run.stderr)
        self.assertEqual(retort.current(start_dir=shop), ["9e5d30f1b6a8"])
        db = sqlite3.connect(shop / "data.db")
        try:
            tables = {row[0] for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            db.close()
        self.assertLessEqual({"categories", "users", "products", "purchases"}, tables)
        # the example's model is models.py: its schema_command runs the
        # `python3` first on PATH, which must be this one (with SQLAlchemy)
        path = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
        with mock.patch.dict(os.environ, {"PATH": path}):
            self.assertFalse(retort.check(start_dir=shop))


def load_tests(loader: unittest.TestLoader, tests, pattern) -> unittest.TestSuite:
    """The classes for RETORT_DIALECT."""
    suite = unittest.TestSuite()
    for case in (CoreFlow, SqliteOnly):
        if DIALECT in case.dialects:
            suite.addTests(loader.loadTestsFromTestCase(case))
    return suite


if __name__ == "__main__":
    if DIALECT not in ("sqlite", "postgresql"):
        sys.exit(f"unknown RETORT_DIALECT '{DIALECT}' (sqlite or postgresql)")
    logging.getLogger("retort").setLevel(logging.INFO)
    unittest.main(verbosity=2)
