#!/usr/bin/env python3
"""harness.py - run the benchmark scenarios and write RESULTS.md.

Called by bench/run.sh, which builds retort, installs the peers and starts
the PostgreSQL server; everything it found comes in through the
environment:

  BENCH_RETORT       the Release retort binary (required)
  BENCH_RETORT_NOPG  a Release retort built with RETORT_WITH_PG=OFF (optional)
  BENCH_WORK         scratch folder for projects and databases (required)
  BENCH_OUT          where to write RESULTS.md (required)
  BENCH_DBMATE       the dbmate binary, or empty
  BENCH_ALEMBIC      the Python that has alembic (e.g. /usr/bin/python3), or empty
  BENCH_PSQL         the psql binary (not Debian's Perl wrapper), or empty
  BENCH_PG_URL       URL of a PostgreSQL server's 'postgres' database, or empty
  BENCH_NOTES        a file of notes from run.sh (peers skipped, ...)
  BENCH_SCALE        multiplies the number of rounds (default 1)
  BENCH_ONLY         comma list of scenario ids to run (default: all)

Every timed run is one hyperfine call (-N: no shell, --runs 1 or a few,
--prepare resetting the database, --export-json); contenders take turns
round by round, in a rotating order, so that load from the rest of the
machine falls on all of them alike.  A warm-up round that is not recorded
comes first and checks that every contender built the same database.
Peak RSS comes from /usr/bin/time -f %M in the first rounds.
"""
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

E = os.environ
RETORT = E["BENCH_RETORT"]
RETORT_NOPG = E.get("BENCH_RETORT_NOPG", "")
WORK = os.path.abspath(E["BENCH_WORK"])
OUT = E["BENCH_OUT"]
DBMATE = E.get("BENCH_DBMATE", "")
ALEMBIC_PY = E.get("BENCH_ALEMBIC", "")
PSQL = E.get("BENCH_PSQL", "")
PG_URL = E.get("BENCH_PG_URL", "")
READFLOOR = E.get("BENCH_READFLOOR", "")
SCALE = float(E.get("BENCH_SCALE", "1"))
ONLY = [s for s in E.get("BENCH_ONLY", "").split(",") if s]
TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else ""
# retort's header cache (docs/commands.md) lives in the scratch folder, so
# that a run starts without one and never touches the caller's home
CACHE = os.path.join(WORK, "cache")
E["RETORT_CACHE_DIR"] = CACHE

notes = []
if E.get("BENCH_NOTES") and os.path.exists(E["BENCH_NOTES"]):
    notes += [l.strip() for l in open(E["BENCH_NOTES"]) if l.strip()]

DEVNULL = subprocess.DEVNULL


def log(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.stderr.flush()


def sh(args, **kw):
    return subprocess.run(args, check=True, **kw)


def out_of(args):
    try:
        return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=60).stdout.strip()
    except OSError as e:
        return "unavailable (%s)" % e


# ---- contenders ---------------------------------------------------------------

class Contender:
    def __init__(self, name, cmd, prepare=None, check=None, floor=False, target=None, env=None):
        self.name = name
        self.cmd = cmd            # argv
        self.env = dict(E, **env) if env else None   # the environment, if not ours
        self.prepare = prepare    # argv run before each timed run, or None
        self.check = check        # callable run after the warm-up, raises on a bad result
        self.floor = floor
        self.target = target      # (wall ms, rss MiB) for the listing rows
        self.times = []           # seconds, every run
        self.cpu = []             # seconds of user+sys, per hyperfine call (mean of its runs)
        self.rss = []             # KiB


class Scenario:
    def __init__(self, sid, title, blurb, contenders, rounds, runs=1, rss_rounds=3,
                 wall_target=None, cpu_target=None, kind="ratio"):
        self.sid = sid
        self.title = title
        self.blurb = blurb
        self.contenders = [c for c in contenders if c]
        self.rounds = max(2, int(round(rounds * SCALE)))
        self.runs = runs
        self.rss_rounds = rss_rounds
        self.wall_target = wall_target
        self.cpu_target = cpu_target
        self.kind = kind
        self.skipped = []        # notes about contenders left out
        self.elapsed = 0.0


def rm_db(path):
    return ["rm", "-f", path, path + "-journal", path + "-wal", path + "-shm"]


def sqlite_scalar(db, q):
    return subprocess.run(["sqlite3", db, q], check=True, stdout=subprocess.PIPE,
                          text=True).stdout.strip()


def check_sqlite(db, n, version_sql, want):
    def check():
        tables = sqlite_scalar(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                   "AND name LIKE 'bench\\_%' ESCAPE '\\'")
        rows = sqlite_scalar(db, "SELECT count(*) FROM bench_%05d" % n)
        ver = sqlite_scalar(db, version_sql)
        if tables != str(n) or rows != str(gen.ROWS) or ver != want:
            raise RuntimeError("%s: %s tables, %s rows in the last, version %r (want %d, %d, %r)"
                               % (db, tables, rows, ver, n, gen.ROWS, want))
    return check


def pg_url(db):
    """The server's URL with database `db` (PG_URL ends in /postgres, no query)."""
    return PG_URL.rsplit("/", 1)[0] + "/" + db


def psql_cmd(url, *args):
    return [PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url] + list(args)


def pg_reset(db):
    return psql_cmd(PG_URL, "-c", "DROP DATABASE IF EXISTS %s" % db, "-c",
                    "CREATE DATABASE %s" % db)


def check_pg(db, n, version_sql, want):
    def check():
        q = ("SELECT (SELECT count(*) FROM pg_tables WHERE tablename LIKE 'bench\\_%%') || ' ' || "
             "(SELECT count(*) FROM bench_%05d) || ' ' || (%s)" % (n, version_sql))
        got = subprocess.run(psql_cmd(pg_url(db), "-tA", "-c", q), check=True,
                             stdout=subprocess.PIPE, text=True).stdout.strip()
        if got != "%d %d %s" % (n, gen.ROWS, want):
            raise RuntimeError("%s: got %r, want %r" % (db, got, "%d %d %s" % (n, gen.ROWS, want)))
    return check


_generated = {}


def project(n, kinds):
    """OUTDIR of gen.py for n migrations, generated afresh once per harness run."""
    d = os.path.join(WORK, "n%d" % n)
    have = _generated.setdefault(n, set())
    missing = [k for k in kinds if k not in have]
    if missing:
        log("generating %d migrations for %s" % (n, ", ".join(missing)))
        gen.main(["gen.py", str(n), d] + missing)
        have.update(missing)
        # retort does not cache the header of a file changed in the last
        # two seconds: let the new files age, as a project's files have
        time.sleep(3)
    return d


def kinds_available():
    k = ["retort", "floor"]
    if ALEMBIC_PY:
        k.append("alembic")
    if DBMATE:
        k.append("dbmate")
    return k


# ---- scenarios ----------------------------------------------------------------

def sqlite_upgrade(n, whole):
    d = project(n, kinds_available())
    db = lambda who: os.path.join(WORK, "db", "%s-%s-%d.db" % ("whole" if whole else "upgrade", who, n))
    os.makedirs(os.path.join(WORK, "db"), exist_ok=True)
    last = gen.rev_id(n)
    rv = "SELECT group_concat(version_num) FROM retort_version"
    cs = [
        Contender("floor: sqlite3 CLI, %s" % ("one BEGIN/COMMIT" if whole else "BEGIN/COMMIT per migration"),
                  ["sqlite3", "-bail", db("floor"),
                   ".read %s" % os.path.join(d, "floor", "sqlite-whole.sql" if whole else "sqlite.sql")],
                  rm_db(db("floor")), check_sqlite(db("floor"), n, rv, last), floor=True),
        Contender("retort" + (" (transaction_per_migration = false)" if whole else ""),
                  [RETORT, "-q", "-c", os.path.join(d, "retort", "retort-whole.ini" if whole else "retort.ini"),
                   "-u", "sqlite:///" + db("retort"), "upgrade"],
                  rm_db(db("retort")), check_sqlite(db("retort"), n, rv, last)),
    ]
    if not whole:
        cs.append(Contender("reference: the floor plus a history row like retort's in each transaction",
                            ["sqlite3", "-bail", db("floor-history"),
                             ".read %s" % os.path.join(d, "floor", "sqlite-history.sql")],
                            rm_db(db("floor-history")), check_sqlite(db("floor-history"), n, rv, last)))
    if RETORT_NOPG and not whole and n == 200:
        cs.append(Contender("retort, SQLite-only build (RETORT_WITH_PG=OFF)",
                            [RETORT_NOPG, "-q", "-c", os.path.join(d, "retort", "retort.ini"),
                             "-u", "sqlite:///" + db("retort-nopg"), "upgrade"],
                            rm_db(db("retort-nopg")), check_sqlite(db("retort-nopg"), n, rv, last)))
    skipped = []
    if ALEMBIC_PY:
        cs.append(Contender("Alembic" + (" (transaction_per_migration=False)" if whole else
                                         " (transaction_per_migration=True)"),
                            [ALEMBIC_PY, "-m", "alembic", "-c", os.path.join(d, "alembic", "alembic.ini"),
                             "-x", "url=sqlite:///" + db("alembic"),
                             "-x", "per_migration=" + ("false" if whole else "true"), "upgrade", "head"],
                            rm_db(db("alembic")),
                            check_sqlite(db("alembic"), n, "SELECT group_concat(version_num) FROM alembic_version", last)))
    else:
        skipped.append("Alembic: not installed (Debian package python3-alembic)")
    if DBMATE and not whole:
        cs.append(Contender("dbmate",
                            [DBMATE, "--url", "sqlite:" + db("dbmate"), "--migrations-dir",
                             os.path.join(d, "dbmate", "migrations"), "--no-dump-schema", "migrate"],
                            rm_db(db("dbmate")),
                            check_sqlite(db("dbmate"), n, "SELECT count(*) FROM schema_migrations", str(n))))
    elif whole:
        skipped.append("dbmate: has no whole-run mode (every migration runs in its own transaction)")
    else:
        skipped.append("dbmate: not installed (npm package dbmate)")
    if whole:
        sc = Scenario("whole-%d" % n, "Whole-run mode, %s migrations on a fresh SQLite file" % f"{n:,}",
                      "One transaction around the whole run: retort with `transaction_per_migration = false` "
                      "against `sqlite3` running the same statements inside one `BEGIN ... COMMIT`.",
                      cs, rounds=10 if n <= 200 else 5, wall_target=1.05)
    else:
        sc = Scenario("sqlite-%d" % n, "Upgrade %s migrations on a fresh SQLite file" % f"{n:,}",
                      "Each migration: CREATE TABLE (5 columns), CREATE INDEX, 20 INSERTs, and the version "
                      "table update, in its own transaction. The floor is one `sqlite3 -bail DB '.read floor.sql'` "
                      "doing exactly that. retort also writes a row of its history table (revision, checksum, "
                      "time, user) in each migration's transaction, one more table page per commit; the "
                      "reference row is the floor doing that too, so the two parts of any gap show apart.",
                      cs, rounds=10 if n <= 200 else 5, wall_target=1.03, cpu_target=1.15)
    sc.skipped = skipped
    return sc


def pg_upgrade(n):
    if not (PG_URL and PSQL):
        return Scenario("pg-%d" % n, "Upgrade %d migrations on PostgreSQL over loopback" % n, "", [], 0)
    d = project(n, kinds_available())
    last = gen.rev_id(n)
    rv = "SELECT string_agg(version_num, ',') FROM retort_version"
    cs = [
        Contender("floor: psql -v ON_ERROR_STOP=1, BEGIN/COMMIT per migration",
                  psql_cmd(pg_url("bench_floor"), "-f", os.path.join(d, "floor", "pg.sql")),
                  pg_reset("bench_floor"), check_pg("bench_floor", n, rv, last), floor=True),
        Contender("psql again, one request per migration (statements joined with `\\;`)",
                  psql_cmd(pg_url("bench_batched"), "-f", os.path.join(d, "floor", "pg-batched.sql")),
                  pg_reset("bench_batched"), check_pg("bench_batched", n, rv, last)),
        Contender("retort",
                  [RETORT, "-q", "-c", os.path.join(d, "retort", "retort.ini"), "-u",
                   pg_url("bench_retort"), "upgrade"],
                  pg_reset("bench_retort"), check_pg("bench_retort", n, rv, last)),
    ]
    skipped = []
    if DBMATE:
        sep = "&" if "?" in PG_URL else "?"
        cs.append(Contender("dbmate",
                            [DBMATE, "--url", pg_url("bench_dbmate") + sep + "sslmode=disable",
                             "--migrations-dir", os.path.join(d, "dbmate", "migrations"),
                             "--no-dump-schema", "migrate"],
                            pg_reset("bench_dbmate"),
                            check_pg("bench_dbmate", n, "SELECT count(*) FROM schema_migrations", str(n))))
    else:
        skipped.append("dbmate: not installed (npm package dbmate)")
    if ALEMBIC_PY and subprocess.run([ALEMBIC_PY, "-c", "import psycopg2"], stdout=DEVNULL,
                                     stderr=DEVNULL).returncode == 0:
        cs.append(Contender("Alembic (transaction_per_migration=True)",
                            [ALEMBIC_PY, "-m", "alembic", "-c", os.path.join(d, "alembic", "alembic.ini"),
                             "-x", "url=" + pg_url("bench_alembic").replace("postgresql://", "postgresql+psycopg2://"),
                             "-x", "per_migration=true", "upgrade", "head"],
                            pg_reset("bench_alembic"),
                            check_pg("bench_alembic", n, "SELECT string_agg(version_num, ',') FROM alembic_version", last)))
    else:
        skipped.append("Alembic: left out on PostgreSQL (needs python3-psycopg2, which `make bench` does not install)")
    sc = Scenario("pg-%d" % n, "Upgrade %d migrations on PostgreSQL over loopback" % n,
                  "The same migrations against one local PostgreSQL server (TCP on 127.0.0.1, "
                  "scram-sha-256 password login, default `fsync = on`), each contender in a freshly "
                  "created database. The floor is the real `psql` binary (not Debian's Perl wrapper) "
                  "running the per-migration script, which sends one statement per request as retort "
                  "does; the second psql row sends each migration as one request (`\\;`), as dbmate does.",
                  cs, rounds=10, wall_target=1.02, cpu_target=1.2)
    sc.skipped = skipped
    return sc


def listing():
    cs = []
    for n, tms, trss in ((2000, 15, 8), (10000, 60, None)):
        d = project(n, ["retort"])
        db = os.path.join(WORK, "db", "listing-%d.db" % n)
        os.makedirs(os.path.dirname(db), exist_ok=True)
        ini = os.path.join(d, "retort", "retort.ini")
        sh(rm_db(db))
        sh([RETORT, "-q", "-c", ini, "-u", "sqlite:///" + db, "stamp", "head"], stdout=DEVNULL)
        if READFLOOR:
            cs.append(Contender("floor: list the folder, read 4 KiB of every file (bench/readfloor.c), %s files"
                                % f"{n:,}", [READFLOOR, os.path.join(d, "retort", "migrations", "versions")],
                                floor=True))
            cs.append(Contender("floor: list the folder, stat every file (bench/readfloor.c --stat), %s files"
                                % f"{n:,}", [READFLOOR, "--stat",
                                             os.path.join(d, "retort", "migrations", "versions")]))
        for verb in ("heads", "current", "history"):
            cs.append(Contender("`retort %s`, %s revisions" % (verb, f"{n:,}"),
                                [RETORT, "-c", ini, "-u", "sqlite:///" + db, verb],
                                target=(tms, trss)))
        cs.append(Contender("`retort heads`, %s revisions, no header cache (`RETORT_CACHE_DIR=`)"
                            % f"{n:,}", [RETORT, "-c", ini, "-u", "sqlite:///" + db, "heads"],
                            env={"RETORT_CACHE_DIR": ""}))
        cs.append(Contender("`retort history -v`, %s revisions (the show block of each)" % f"{n:,}",
                            [RETORT, "-c", ini, "-u", "sqlite:///" + db, "history", "-v"]))
    return Scenario("listing", "Listing commands on big projects (retort only)",
                    "`heads`, `current` and `history` load the header of every file in "
                    "`migrations/versions/`; `current` also opens the SQLite database (stamped at head) "
                    "and reads the version table. History prints every revision (to /dev/null here). "
                    "The header cache (docs/commands.md) is warm, as it is from the second command "
                    "on in a project; the row without it reads every file's header. The two floors "
                    "are what reaching the files costs on this machine without retort's work: reading "
                    "each file's first 4 KiB (what a load without the cache does) and only stat-ing "
                    "each (what a load with a warm cache does).",
                    cs, rounds=6, runs=5, kind="listing")


def offline(n):
    d = project(n, kinds_available())
    cs = [Contender("retort `upgrade head --sql`",
                    [RETORT, "-c", os.path.join(d, "retort", "retort.ini"), "-u", "sqlite:///unused.db",
                     "upgrade", "head", "--sql"])]
    skipped = []
    if ALEMBIC_PY:
        cs.append(Contender("Alembic `upgrade head --sql`",
                            [ALEMBIC_PY, "-m", "alembic", "-c", os.path.join(d, "alembic", "alembic.ini"),
                             "-x", "url=sqlite://", "upgrade", "head", "--sql"]))
    else:
        skipped.append("Alembic: not installed (Debian package python3-alembic)")
    sc = Scenario("offline-%d" % n, "Offline `upgrade head --sql` for %s migrations" % f"{n:,}",
                  "Writes the whole script to stdout (/dev/null here) without a database. There is no "
                  "raw floor for this one; Alembic's offline mode is the reference. dbmate has no offline mode.",
                  cs, rounds=5, kind="plain")
    sc.skipped = skipped
    return sc


AUTOGEN_TABLES = 500


def autogen():
    """revision --autogenerate against a 500-table model: from an empty
    database (500 tables to create) and from a database that matches it
    (nothing to do: `retort check`; Alembic 1.8 has no check command, so its
    autogenerate writes an empty revision)."""
    n = AUTOGEN_TABLES
    d = os.path.join(project(n, ["autogen"]), "autogen")
    dbs = os.path.join(WORK, "db")
    os.makedirs(dbs, exist_ok=True)
    empty_r, empty_a = os.path.join(dbs, "autogen-empty-r.db"), os.path.join(dbs, "autogen-empty-a.db")
    full_r, full_a = os.path.join(dbs, "autogen-full-r.db"), os.path.join(dbs, "autogen-full-a.db")
    rversions = os.path.join(d, "empty", "migrations", "versions")
    aversions = os.path.join(d, "alembic", "versions")
    # the matching databases, once
    for db in (full_r, full_a):
        sh(rm_db(db))
    sh([RETORT, "-q", "-c", os.path.join(d, "full", "retort.ini"), "-u", "sqlite:///" + full_r, "upgrade"],
       stdout=DEVNULL)
    sh(["sqlite3", "-bail", full_a, ".read " + os.path.join(d, "schema.sql")])

    def wipe(folder, pattern, db=None):
        cmd = "rm -f %s/%s" % (shlex.quote(folder), pattern)
        if db:
            cmd += " " + " ".join(shlex.quote(db + x) for x in ("", "-journal"))
        return ["bash", "-c", cmd]

    def counts(folder, pattern, want):
        def check():
            files = [f for f in os.listdir(folder) if f.endswith(pattern[-3:])]
            text = "".join(open(os.path.join(folder, f)).read() for f in files)
            got = text.count(want[0])
            if len(files) != 1 or got != want[1]:
                raise RuntimeError("autogenerate: %d files in %s, %d x %r (want 1, %d)"
                                   % (len(files), folder, got, want[0], want[1]))
        return check

    cs = [Contender("retort `revision --autogenerate`, empty database → %d tables" % n,
                    [RETORT, "-q", "-c", os.path.join(d, "empty", "retort.ini"), "-u", "sqlite:///" + empty_r,
                     "revision", "--autogenerate", "-m", "create all", "--rev-id", "0000000000aa"],
                    wipe(rversions, "*.sql", empty_r), counts(rversions, "*.sql", ("CREATE TABLE", n)))]
    skipped = []
    if ALEMBIC_PY:
        cs.append(Contender("Alembic `revision --autogenerate`, empty database → %d tables" % n,
                            [ALEMBIC_PY, "-m", "alembic", "-c", os.path.join(d, "alembic", "alembic.ini"),
                             "-x", "url=sqlite:///" + empty_a, "revision", "--autogenerate", "-m", "create all",
                             "--rev-id", "0000000000aa"],
                            wipe(aversions, "*.py", empty_a), counts(aversions, "*.py", ("op.create_table(", n))))
    else:
        skipped.append("Alembic: not installed (Debian package python3-alembic)")
    cs.append(Contender("retort `check`, database matches the %d-table model" % n,
                        [RETORT, "-q", "-c", os.path.join(d, "full", "retort.ini"), "-u", "sqlite:///" + full_r,
                         "check"]))
    if ALEMBIC_PY:
        cs.append(Contender("Alembic `revision --autogenerate`, database matches (empty revision)",
                            [ALEMBIC_PY, "-m", "alembic", "-c", os.path.join(d, "alembic", "alembic.ini"),
                             "-x", "url=sqlite:///" + full_a, "revision", "--autogenerate", "-m", "nothing",
                             "--rev-id", "0000000000bb"],
                            wipe(aversions, "*.py"), counts(aversions, "*.py", ("op.", 0))))
    sc = Scenario("autogen-500", "Autogenerate against a %d-table model (SQLite)" % n,
                  "The model is the workload's tables (5 columns and an index each) without their rows: "
                  "retort's `schema` file, and the same tables as SQLAlchemy metadata for Alembic. "
                  "Each run writes the revision file anew (the previous one is deleted first). "
                  "There is no raw floor; Alembic is the reference.", cs, rounds=5, kind="plain")
    sc.skipped = skipped
    return sc


FLEET_BOTS = int(E.get("BENCH_FLEET_BOTS", "1000"))
FLEET_MIGRATIONS = 10


def fleet():
    """1,000 SQLite bots x 10 migrations: retort fleet against sqlite3 run
    over the same databases, serially and split over as many processes as
    retort runs jobs (the cores)."""
    n, bots = FLEET_MIGRATIONS, FLEET_BOTS
    jobs = os.cpu_count() or 1
    d = project(n, kinds_available())
    f = os.path.join(WORK, "fleet")
    botdir = os.path.join(f, "bots")
    os.makedirs(f, exist_ok=True)
    names = ["bot_%04d" % i for i in range(1, bots + 1)]
    dbs = [os.path.join(botdir, b + ".db") for b in names]
    with open(os.path.join(f, "tenants.txt"), "w") as t:
        t.writelines("%s sqlite:///%s\n" % (b, db) for b, db in zip(names, dbs))
    with open(os.path.join(f, "dbs.txt"), "w") as t:
        t.writelines(db + "\n" for db in dbs)
    floor_sql = os.path.join(d, "floor", "sqlite.sql")
    parts = []
    for k in range(jobs + 1):   # part 0: every bot; parts 1..jobs: a share each
        chosen = dbs if k == 0 else dbs[k - 1::jobs]
        path = os.path.join(f, "floor-%d.sql" % k)
        with open(path, "w") as t:
            t.writelines(".open %s\n.read %s\n" % (db, floor_sql) for db in chosen)
        parts.append(path)
    ini = os.path.join(f, "retort.ini")
    with open(ini, "w") as t:
        t.write("[retort]\nscript_location = %s\nurl = sqlite:///%s\n\n[fleet]\nscript_location = %s\n"
                % (os.path.join(d, "retort", "migrations"), os.path.join(f, "meta.db"),
                   os.path.join(d, "retort", "migrations")))
    prepare = ["bash", "-c", "rm -rf %s && mkdir -p %s" % (shlex.quote(botdir), shlex.quote(botdir))]
    last = gen.rev_id(n)

    def check_all(version_sql, want):
        def check():
            missing = [db for db in dbs if not os.path.exists(db)]
            if missing:
                raise RuntimeError("fleet: %d databases missing, e.g. %s" % (len(missing), missing[0]))
            for db in (dbs[0], dbs[len(dbs) // 2], dbs[-1]):
                check_sqlite(db, n, version_sql, want)()
        return check

    rv = "SELECT group_concat(version_num) FROM retort_version"
    par = " ".join("sqlite3 -bail :memory: %s & p%d=$!;" % (shlex.quote(".read " + parts[k]), k)
                   for k in range(1, jobs + 1))
    par += " s=0; " + " ".join("wait $p%d || s=1;" % k for k in range(1, jobs + 1)) + " exit $s"
    cs = [
        Contender("floor: sqlite3, %d processes in parallel (one per core)" % jobs,
                  ["bash", "-c", par], prepare, check_all(rv, last), floor=True),
        Contender("floor: one sqlite3 process, bot after bot",
                  ["sqlite3", "-bail", ":memory:", ".read " + parts[0]], prepare, check_all(rv, last)),
        Contender("retort fleet upgrade (jobs: the %d cores)" % jobs,
                  [RETORT, "-q", "-c", ini, "fleet", "upgrade", "--tenants",
                   os.path.join(f, "tenants.txt")], prepare, check_all(rv, last)),
    ]
    skipped = ["Alembic: no fleet mode; a loop of %d Python processes (about half a second each "
               "on this machine) would take minutes per run" % bots]
    if DBMATE:
        cs.append(Contender("dbmate, one process per bot, %d at a time (xargs -P %d)" % (jobs, jobs),
                            ["xargs", "-a", os.path.join(f, "dbs.txt"), "-P", str(jobs), "-I{}", DBMATE,
                             "--url", "sqlite:{}", "--migrations-dir", os.path.join(d, "dbmate", "migrations"),
                             "--no-dump-schema", "migrate"],
                            prepare, check_all("SELECT count(*) FROM schema_migrations", str(n))))
    else:
        skipped.append("dbmate: not installed (npm package dbmate)")
    sc = Scenario("fleet", "Fleet: %s SQLite bots × %d migrations" % (f"{bots:,}", n),
                  "`retort fleet upgrade --tenants FILE` over %s fresh SQLite files, each getting the "
                  "first %d migrations of the workload (each in its own transaction). The floor is "
                  "`sqlite3` running the per-migration floor script on every file (`.open`, `.read`), "
                  "split over as many processes as retort runs jobs; the serial run is shown too."
                  % (f"{bots:,}", n), cs, rounds=3, rss_rounds=1)
    sc.skipped = skipped
    return sc


VALGRIND = E.get("BENCH_VALGRIND", "")


def instructions():
    """Instructions executed (callgrind), floor against retort: the one
    measure here that the rest of the machine cannot disturb."""
    if not VALGRIND:
        return Scenario("instructions", "Instructions executed (callgrind)", "", [], 0)
    cs = []
    for sc in (sqlite_upgrade(200, False), sqlite_upgrade(200, True)):
        for c in sc.contenders:
            if c.floor or c.name.startswith("retort"):
                c.name = "%s: %s" % ("per-migration" if sc.sid.startswith("sqlite") else "whole run", c.name)
                cs.append(c)
    if PG_URL and PSQL:
        for c in pg_upgrade(200).contenders:
            if c.floor or c.name == "retort":
                c.name = "PostgreSQL (client side only): " + c.name
                cs.append(c)
    n = 2000
    d = project(n, ["retort"])
    if READFLOOR:
        cs.append(Contender("listing: floor (readfloor), %s files" % f"{n:,}",
                            [READFLOOR, os.path.join(d, "retort", "migrations", "versions")], floor=True))
    cs.append(Contender("listing: `retort heads`, %s revisions" % f"{n:,}",
                        [RETORT, "-c", os.path.join(d, "retort", "retort.ini"), "heads"]))
    cs.append(Contender("listing: `retort heads`, %s revisions, no header cache" % f"{n:,}",
                        [RETORT, "-c", os.path.join(d, "retort", "retort.ini"), "heads"],
                        env={"RETORT_CACHE_DIR": ""}))
    return Scenario("instructions", "Instructions executed (callgrind, 200 migrations)",
                    "Wall and CPU times above move with the load of the rest of the machine; the number "
                    "of instructions a process executes does not. `valgrind --tool=callgrind` counts them "
                    "(user space only: the kernel's work for I/O and fsync is not in these numbers). "
                    "Ratios are to the floor of the same group. One overstatement: valgrind's virtual CPU "
                    "has no SHA extensions, so the SHA-256 of each migration file that retort records "
                    "(libnettle, which uses SHA-NI natively) is hashed in software here, about 0.15 M "
                    "instructions per 4 KiB migration.", cs, rounds=1, kind="instructions")


def count_instructions(c):
    if c.prepare:
        sh(c.prepare, stdout=DEVNULL, stderr=DEVNULL)
    p = subprocess.run([VALGRIND, "--tool=callgrind", "--callgrind-out-file=/dev/null"] + c.cmd,
                       stdout=DEVNULL, stderr=subprocess.PIPE, text=True, env=c.env)
    m = re.search(r"Collected : (\d+)", p.stderr)
    if p.returncode != 0 or not m:
        raise RuntimeError("callgrind failed for %s: %s" % (c.name, p.stderr[-500:]))
    return int(m.group(1))


def run_instructions(sc):
    t0 = time.time()
    for c in sc.contenders:
        log("instructions: %s" % c.name)
        c.instr = count_instructions(c)
        if c.check:
            c.check()
    sc.elapsed = time.time() - t0


def table_instructions(sc, lines):
    lines.append("| what | instructions | ratio to the floor above it |")
    lines.append("|---|---:|---:|")
    floor = None
    for c in sc.contenders:
        if c.floor:
            floor = c
        r = None if c.floor or not floor else c.instr / floor.instr
        lines.append("| %s | %s | %s |" % (c.name, f"{c.instr:,}", "1 (floor)" if c.floor else fmt_ratio(r)))


# ---- measuring ---------------------------------------------------------------

def hyperfine(c, runs, tmp):
    args = ["hyperfine", "-N", "--style", "none", "--runs", str(runs), "--export-json", tmp]
    if c.prepare:
        args += ["--prepare", shlex.join(c.prepare)]
    args.append(shlex.join(c.cmd))
    sh(args, stdout=DEVNULL, env=c.env)
    with open(tmp) as f:
        r = json.load(f)["results"][0]
    return r["times"], r["user"] + r["system"]


def peak_rss(c, tmp):
    if not TIME:
        return None
    if c.prepare:
        sh(c.prepare, stdout=DEVNULL, stderr=DEVNULL)
    sh([TIME, "-f", "%M", "-o", tmp] + c.cmd, stdout=DEVNULL, stderr=DEVNULL, env=c.env)
    with open(tmp) as f:
        return int(f.read().split()[-1])


def run_scenario(sc):
    t0 = time.time()
    fd, tmp = tempfile.mkstemp(prefix="bench-", suffix=".json", dir=WORK)
    os.close(fd)
    log("%s: warm-up" % sc.sid)
    for c in sc.contenders:
        if c.prepare:
            sh(c.prepare, stdout=DEVNULL, stderr=DEVNULL)
        sh(c.cmd, stdout=DEVNULL, env=c.env)
        if c.check:
            c.check()
    k = len(sc.contenders)
    for rnd in range(sc.rounds):
        log("%s: round %d/%d" % (sc.sid, rnd + 1, sc.rounds))
        order = sc.contenders[rnd % k:] + sc.contenders[:rnd % k]
        for c in order:
            times, cpu = hyperfine(c, sc.runs, tmp)
            c.times += times
            c.cpu.append(cpu)
            if rnd < sc.rss_rounds:
                v = peak_rss(c, tmp)
                if v is not None:
                    c.rss.append(v)
    os.unlink(tmp)
    sc.elapsed = time.time() - t0


# ---- the report -----------------------------------------------------------------

def med(v):
    return statistics.median(v) if v else None


def ms(s):
    if s is None:
        return "n/a"
    v = s * 1000
    return "%.0f ms" % v if v >= 100 else "%.1f ms" % v if v >= 10 else "%.2f ms" % v


def mib(kib):
    return "n/a" if kib is None else "%.1f MiB" % (kib / 1024)


def ratio(a, b):
    return None if a is None or not b else a / b


def fmt_ratio(r):
    return "—" if r is None else "%.3f×" % r


def verdict(ok):
    return "**met**" if ok else "**missed**"


targets = []   # (what, measured, limit, ok)


def table_ratio(sc, lines):
    floor = next((c for c in sc.contenders if c.floor), None)
    fw = med(floor.times) if floor else None
    fc = med(floor.cpu) if floor else None
    lines.append("| contender | median wall | median CPU (user+sys) | peak RSS | wall / floor | CPU / floor | runs |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|")
    for c in sc.contenders:
        w, cpu = med(c.times), med(c.cpu)
        lines.append("| %s | %s | %s | %s | %s | %s | %d |" % (
            c.name, ms(w), ms(cpu), mib(med(c.rss)),
            "1 (floor)" if c.floor else fmt_ratio(ratio(w, fw)),
            "1 (floor)" if c.floor else fmt_ratio(ratio(cpu, fc)), len(c.times)))
        if c.name.startswith("retort") and "SQLite-only" not in c.name and floor:
            if sc.wall_target:
                r = ratio(w, fw)
                targets.append(("%s: wall ≤ %.2f× floor" % (sc.title, sc.wall_target),
                                fmt_ratio(r), r is not None and r <= sc.wall_target))
            if sc.cpu_target:
                r = ratio(cpu, fc)
                targets.append(("%s: CPU ≤ %.2f× floor" % (sc.title, sc.cpu_target),
                                fmt_ratio(r), r is not None and r <= sc.cpu_target))


def table_listing(sc, lines):
    lines.append("| command | median wall | median CPU (user+sys) | peak RSS | target | runs |")
    lines.append("|---|---:|---:|---:|---|---|")
    for c in sc.contenders:
        w = med(c.times)
        rss = med(c.rss)
        if c.floor or not c.target:
            lines.append("| %s | %s | %s | %s | (reference) | %d |" % (c.name, ms(w), ms(med(c.cpu)),
                                                                     mib(rss), len(c.times)))
            continue
        tms, trss = c.target
        ok_t = w is not None and w * 1000 <= tms
        ok_r = trss is None or (rss is not None and rss / 1024 <= trss)
        tgt = "≤ %d ms%s: %s" % (tms, (", ≤ %d MiB" % trss) if trss else "", verdict(ok_t and ok_r))
        lines.append("| %s | %s | %s | %s | %s | %d |" % (c.name, ms(w), ms(med(c.cpu)), mib(rss),
                                                         tgt, len(c.times)))
        if "SQLite-only" not in c.name:
            targets.append(("%s: ≤ %d ms" % (c.name, tms), ms(w), ok_t))
            if trss:
                targets.append(("%s: ≤ %d MiB peak RSS" % (c.name, trss), mib(rss), ok_r))
    # linear growth: the 10,000 / 2,000 ratio per verb
    by = {}
    for c in sc.contenders:
        m = re.match(r"`retort (\w+)`, ([\d,]+) revisions$", c.name)
        if m:
            by[(m.group(1), m.group(2))] = med(c.times)
    growth = []
    for verb in ("heads", "current", "history"):
        a, b = by.get((verb, "2,000")), by.get((verb, "10,000"))
        if a and b:
            growth.append("%s %.1f×" % (verb, b / a))
    if growth:
        lines.append("")
        lines.append("Growth from 2,000 to 10,000 revisions (5× the files): " + ", ".join(growth) +
                     ". Linear growth with a fixed start-up cost gives less than 5×.")


def table_plain(sc, lines):
    lines.append("| contender | median wall | median CPU (user+sys) | peak RSS | runs |")
    lines.append("|---|---:|---:|---:|---|")
    for c in sc.contenders:
        lines.append("| %s | %s | %s | %s | %d |" % (c.name, ms(med(c.times)), ms(med(c.cpu)),
                                                   mib(med(c.rss)), len(c.times)))
    pairs = []
    for i in range(len(sc.contenders) - 1):
        a, b = sc.contenders[i], sc.contenders[i + 1]
        if a.name.startswith("retort") and b.name.startswith("Alembic") and med(a.times) and med(b.times):
            pairs.append("%s: %.1f%%" % (a.name.split(",")[0], 100 * med(a.times) / med(b.times)))
    if pairs:
        lines.append("")
        lines.append("retort's median wall time as a share of Alembic's in the row below it — " +
                     "; ".join(pairs) + ".")


def machine():
    cpu = "unknown"
    try:
        for l in open("/proc/cpuinfo"):
            if l.startswith("model name"):
                cpu = l.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for l in open("/proc/meminfo"):
            if l.startswith("MemTotal"):
                mem = "%.1f GiB" % (int(l.split()[1]) / 1024 / 1024)
    except OSError:
        pass
    fs = out_of(["df", "--output=fstype", WORK]).splitlines()[-1].strip()
    virt = out_of(["systemd-detect-virt"]) if os.path.exists("/usr/bin/systemd-detect-virt") else ""
    return cpu, os.cpu_count(), platform.release(), mem, fs, virt


def versions():
    rel = os.path.relpath(RETORT, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    v = [("retort", out_of([RETORT, "--version"]) + " (Release build, `%s`%s)" % (
        RETORT if rel.startswith("..") else rel,
        (", " + E["BENCH_SOURCE"]) if E.get("BENCH_SOURCE") else ""))]
    v.append(("sqlite3 CLI (floor)", out_of(["sqlite3", "--version"]).split(" ")[0]))
    lib = out_of(["sh", "-c", "ldd %s | grep -o 'libsqlite3[^ ]*' | head -1" % shlex.quote(RETORT)])
    v.append(("SQLite library used by retort", "%s, the same as the CLI's" % lib if lib else "?"))
    if PSQL:
        v.append(("psql (floor)", out_of([PSQL, "--version"])))
    if PG_URL:
        v.append(("PostgreSQL server", out_of([PSQL, "-X", "-tA", "-d", PG_URL, "-c", "SHOW server_version"]) +
                  ", fsync " + out_of([PSQL, "-X", "-tA", "-d", PG_URL, "-c", "SHOW fsync"]) +
                  ", synchronous_commit " + out_of([PSQL, "-X", "-tA", "-d", PG_URL, "-c", "SHOW synchronous_commit"])))
    if ALEMBIC_PY:
        v.append(("Alembic", out_of([ALEMBIC_PY, "-c",
                                     "import alembic, sqlalchemy, sys, sqlite3; print('alembic', alembic.__version__, "
                                     "'/ SQLAlchemy', sqlalchemy.__version__, '/ Python', sys.version.split()[0], "
                                     "'/ sqlite', sqlite3.sqlite_version)"])))
    if DBMATE:
        v.append(("dbmate", out_of([DBMATE, "--version"]) + " (the npm package's native binary; its SQLite is built in)"))
    v.append(("hyperfine", out_of(["hyperfine", "--version"])))
    v.append(("GNU time", (out_of(["dpkg-query", "-W", "-f=${Version}", "time"]) or "installed")
                          if TIME else "not installed"))
    v.append(("C compiler", out_of(["cc", "--version"]).splitlines()[0]))
    return v


def extra_features(ran):
    """Fleet and autogenerate scenarios run only where those features exist."""
    out = []
    helptext = out_of([RETORT, "--help"])
    if "fleet" not in ran:
        if "fleet" not in helptext:
            out.append("- **Fleet** (1,000 SQLite bots × 10 migrations): not measured — retort has no "
                       "`fleet` command yet (its issue has not landed).")
        else:
            out.append("- **Fleet**: not measured in this run (BENCH_ONLY left it out).")
    revhelp = out_of([RETORT, "revision", "--help"])
    if "autogen-500" in ran:
        pass
    elif "autogenerate" not in revhelp:
        out.append("- **Autogenerate** (a 500-table schema): not measured — `revision --autogenerate` "
                   "does not exist yet (its issue has not landed).")
    else:
        out.append("- **Autogenerate**: not measured in this run (BENCH_ONLY left it out).")
    return out


def write_report(scenarios, started, load_before, load_after):
    cpu, cores, kernel, mem, fs, virt = machine()
    L = []
    L.append("# retort benchmarks")
    L.append("")
    L.append("Generated by `make bench` (`bench/run.sh`) on %s; do not edit by hand." %
             time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)))
    L.append("")
    L.append("Every number is a whole process, timed by hyperfine (`-N`, no shell) from a fresh database, "
             "after a warm-up round that also checks that every contender built the same database "
             "(tables, rows, version). Contenders take turns round by round (rotating order), so the rest "
             "of the machine's load falls on all of them alike. *Median wall* is the median over all runs; "
             "*median CPU* is the median of hyperfine's user+sys per call; *peak RSS* is the median of "
             "`/usr/bin/time -f %M` over three separate runs. Ratios divide medians.")
    L.append("")
    L.append("## Machine")
    L.append("")
    L.append("| | |")
    L.append("|---|---|")
    L.append("| CPU | %s |" % cpu)
    L.append("| cores | %s |" % cores)
    L.append("| memory | %s |" % mem)
    L.append("| kernel | Linux %s%s |" % (kernel, (", %s guest" % virt) if virt and virt != "none" else ""))
    L.append("| databases on | %s (fsync is real: SQLite's default `synchronous = FULL`, rollback journal) |" % fs)
    L.append("| load average | %s at the start, %s at the end |" % (load_before, load_after))
    L.append("")
    L.append("## Versions")
    L.append("")
    L.append("| | |")
    L.append("|---|---|")
    for k, v in versions():
        L.append("| %s | %s |" % (k, v.replace("|", "\\|").replace("\n", " ")))
    L.append("")
    body = []
    for sc in scenarios:
        body.append("## %s" % sc.title)
        body.append("")
        if sc.blurb:
            body.append(sc.blurb)
            body.append("")
        if not sc.contenders:
            if sc.sid == "instructions":
                body.append("Not measured: valgrind is not installed (Debian package `valgrind`).")
            else:
                body.append("Not measured: no PostgreSQL server (install the Debian package `postgresql`).")
                targets.append((sc.title, "not measured", False))
            body.append("")
            continue
        if sc.kind == "ratio":
            table_ratio(sc, body)
        elif sc.kind == "listing":
            table_listing(sc, body)
        elif sc.kind == "instructions":
            table_instructions(sc, body)
        else:
            table_plain(sc, body)
        for s in sc.skipped:
            body.append("")
            body.append("- Not in this table: " + s)
        body.append("")
        if sc.kind == "instructions":
            body.append("_One run each, %.0f s in all._" % sc.elapsed)
        else:
            body.append("_%d rounds × %d run(s) per contender, %.0f s in all._" % (sc.rounds, sc.runs, sc.elapsed))
        body.append("")
    missing = extra_features([sc.sid for sc in scenarios])
    if missing:
        body.append("## Not measured")
        body.append("")
        body += missing
        body.append("")
    if notes:
        body.append("## Notes from this run")
        body.append("")
        body += ["- " + n for n in notes]
        body.append("")
    L.append("## Targets")
    L.append("")
    L.append("| target | measured | |")
    L.append("|---|---:|---|")
    for what, got, ok in targets:
        L.append("| %s | %s | %s |" % (what, got, verdict(ok)))
    L.append("")
    L += body
    L.append("## Where the time goes")
    L.append("")
    L.append("What the profiles showed, what was changed and what each miss is made of: "
             "[README.md, \"Where the time goes\"](README.md#where-the-time-goes) (written by hand; "
             "not regenerated).")
    L.append("")
    with open(OUT, "w") as f:
        f.write("\n".join(L))
    log("wrote %s" % OUT)


def loadavg():
    try:
        return " / ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "?"


def main():
    started = time.time()
    load_before = loadavg()
    os.makedirs(WORK, exist_ok=True)
    shutil.rmtree(CACHE, ignore_errors=True)   # every run starts without a header cache
    builders = [
        ("sqlite-200", lambda: sqlite_upgrade(200, False)),
        ("sqlite-2000", lambda: sqlite_upgrade(2000, False)),
        ("whole-200", lambda: sqlite_upgrade(200, True)),
        ("whole-2000", lambda: sqlite_upgrade(2000, True)),
        ("pg-200", lambda: pg_upgrade(200)),
        ("listing", listing),
        ("offline-2000", lambda: offline(2000)),
        ("autogen-500", autogen),
        ("fleet", fleet),
        ("instructions", instructions),
    ]
    scenarios = []
    for sid, build in builders:
        if ONLY and sid not in ONLY:
            continue
        sc = build()
        if sc.contenders and sc.kind == "instructions":
            run_instructions(sc)
        elif sc.contenders:
            run_scenario(sc)
        scenarios.append(sc)
    write_report(scenarios, started, load_before, loadavg())
    return 0


if __name__ == "__main__":
    sys.exit(main())
