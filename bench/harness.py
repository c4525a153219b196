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
  BENCH_PG_URL2      the same of a second server (fleet-pg-servers), or empty
  BENCH_PG_STOPPED_URL  the same of a server that was stopped: its port refuses
  BENCH_CORPORA      the corpora (default ../shared/corpora beside the repository)
  BENCH_NOTES        a file of notes from run.sh (peers skipped, ...)
  BENCH_SCALE        multiplies the number of rounds (default 1)
  BENCH_ONLY         comma list of scenario ids to run (default: all); the
                     others' sections of the report at BENCH_OUT are kept
  BENCH_FLEET_BOTS, BENCH_PG_FLEET_DBS, BENCH_REVS  sizes (see README.md)

Every timed run is one hyperfine call (-N: no shell, --runs 1 or a few,
--prepare resetting the database, --export-json); contenders take turns
round by round, in a rotating order, so that load from the rest of the
machine falls on all of them alike.  A warm-up round that is not recorded
comes first and checks that every contender built the same database.
Peak RSS comes from /usr/bin/time -f %M in the first rounds.
"""
import hashlib
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
    def __init__(self, name, cmd, prepare=None, check=None, floor=False, target=None, env=None,
                 judge=None, status=0, capture=False):
        self.name = name
        self.cmd = cmd            # argv
        self.env = dict(E, **env) if env else None   # the environment, if not ours
        self.prepare = prepare    # argv run before each timed run, or None
        self.check = check        # callable run after the warm-up, raises on a bad result
        self.floor = floor
        self.target = target      # (wall ms, rss MiB) for the listing rows
        # does the scenario's wall/CPU target apply to this row?  (None: to
        # every "retort..." row but the SQLite-only build's)
        self.judge = judge
        self.status = status      # the exit status a run must end with
        self.capture = capture    # keep the warm-up's stdout in self.out for check
        self.out = None
        self.times = []           # seconds, every run
        self.cpu = []             # seconds of user+sys, per hyperfine call (mean of its runs)
        self.rss = []             # KiB


class Scenario:
    def __init__(self, sid, title, blurb, contenders, rounds, runs=1, rss_rounds=3,
                 wall_target=None, cpu_target=None, kind="ratio", min_rounds=2, targets=None):
        self.sid = sid
        self.title = title
        self.blurb = blurb
        self.contenders = [c for c in contenders if c]
        self.rounds = max(min_rounds, int(round(rounds * SCALE)))
        self.runs = runs
        self.rss_rounds = rss_rounds
        self.wall_target = wall_target
        self.cpu_target = cpu_target
        self.kind = kind
        self.skipped = []        # notes about contenders left out
        self.facts = []          # lines for the report, found by the checks
        self.targets = targets   # callable(sc) -> [(what, measured, ok)], beside wall/cpu_target
        self.missing = None      # why it has no contenders, when not for want of PostgreSQL
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


GEN_STAMP = hashlib.sha1(open(gen.__file__, "rb").read()).hexdigest()


def project(n, kinds):
    """OUTDIR of gen.py for n migrations.  What is there is reused when
    its stamp says the same gen.py wrote it (100,000 files take a while)."""
    d = os.path.join(WORK, "n%d" % n)
    stamp = lambda k: os.path.join(d, ".made-%s" % k)
    missing = []
    for k in kinds:
        try:
            with open(stamp(k)) as f:
                if f.read().strip() == GEN_STAMP:
                    continue
        except OSError:
            pass
        missing.append(k)
    if missing:
        log("generating %d migrations for %s" % (n, ", ".join(missing)))
        gen.main(["gen.py", str(n), d] + missing)
        for k in missing:
            with open(stamp(k), "w") as f:
                f.write(GEN_STAMP + "\n")
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
        Contender("floor: psql -v ON_ERROR_STOP=1, one request per migration (statements joined with `\\;`)",
                  psql_cmd(pg_url("bench_batched"), "-f", os.path.join(d, "floor", "pg-batched.sql")),
                  pg_reset("bench_batched"), check_pg("bench_batched", n, rv, last), floor=True),
        Contender("reference: the floor plus a history row like retort's in each request",
                  psql_cmd(pg_url("bench_history"), "-f", os.path.join(d, "floor", "pg-batched-history.sql")),
                  pg_reset("bench_history"), check_pg("bench_history", n, rv, last)),
        Contender("reference: psql again, one request per statement, BEGIN/COMMIT per migration",
                  psql_cmd(pg_url("bench_floor"), "-f", os.path.join(d, "floor", "pg.sql")),
                  pg_reset("bench_floor"), check_pg("bench_floor", n, rv, last)),
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
                  "sending each migration (BEGIN, its statements, the version update, COMMIT) as one "
                  "request (statements joined with `\\;`), as dbmate does; the reference row is psql "
                  "sending one statement per request, what retort did before issue 19.",
                  cs, rounds=10, wall_target=1.02)
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
JOBS = os.cpu_count() or 1


class Fleet:
    """SQLite bots that get the workload's first 10 migrations, in
    WORK/<tag>/<who>/: each contender ("who") makes its own copies of the
    bots, so that one contender's reset never touches another's databases."""

    def __init__(self, tag, bots):
        self.n = FLEET_MIGRATIONS
        self.d = project(self.n, kinds_available())
        self.dir = os.path.join(WORK, tag)
        os.makedirs(self.dir, exist_ok=True)
        self.names = ["bot_%05d" % i for i in range(1, bots + 1)]
        self.ini = os.path.join(self.dir, "retort.ini")
        with open(self.ini, "w") as t:
            t.write("[retort]\nscript_location = %s\nurl = sqlite:///%s\n\n[fleet]\nscript_location = %s\n"
                    % (os.path.join(self.d, "retort", "migrations"), os.path.join(self.dir, "meta.db"),
                       os.path.join(self.d, "retort", "migrations")))

    def dbs(self, who):
        return [os.path.join(self.dir, who, b + ".db") for b in self.names]

    def listfile(self, who, what, lines):
        path = os.path.join(self.dir, "%s-%s.txt" % (what, who))
        with open(path, "w") as t:
            t.writelines(lines)
        return path

    def prepare(self, who):
        d = shlex.quote(os.path.join(self.dir, who))
        return ["bash", "-c", "rm -rf %s && mkdir -p %s" % (d, d)]

    def check(self, who, version_sql, want):
        dbs = self.dbs(who)

        def check():
            missing = [db for db in dbs if not os.path.exists(db)]
            if missing:
                raise RuntimeError("fleet: %d databases missing, e.g. %s" % (len(missing), missing[0]))
            for db in (dbs[0], dbs[len(dbs) // 2], dbs[-1]):
                check_sqlite(db, self.n, version_sql, want)()
        return check

    def floor(self, who, script, parallel):
        """sqlite3 running SCRIPT on every bot (`.open`, `.read`): one
        process, or JOBS processes with a share of the bots each."""
        sql = os.path.join(self.d, "floor", script)
        dbs = self.dbs(who)
        shares = [dbs[k::JOBS] for k in range(JOBS)] if parallel else [dbs]
        parts = [self.listfile(who, "floor-%d" % k, (".open %s\n.read %s\n" % (db, sql) for db in share))
                 for k, share in enumerate(shares)]
        if not parallel:
            cmd = ["sqlite3", "-bail", ":memory:", ".read " + parts[0]]
        else:
            par = " ".join("sqlite3 -bail :memory: %s & p%d=$!;" % (shlex.quote(".read " + part), k)
                           for k, part in enumerate(parts))
            par += " s=0; " + " ".join("wait $p%d || s=1;" % k for k in range(len(parts))) + " exit $s"
            cmd = ["bash", "-c", par]
        return cmd, self.prepare(who), self.check(who, RV_SQLITE, gen.rev_id(self.n))

    def retort(self, who, *opts):
        tenants = self.listfile(who, "tenants", ("%s sqlite:///%s\n" % (b, db)
                                                 for b, db in zip(self.names, self.dbs(who))))
        return ([RETORT, "-q", "-c", self.ini, "fleet", "upgrade", "--tenants", tenants] + list(opts),
                self.prepare(who), self.check(who, RV_SQLITE, gen.rev_id(self.n)))

    def dbmate(self, who):
        dbs = self.listfile(who, "dbs", (db + "\n" for db in self.dbs(who)))
        return (["xargs", "-a", dbs, "-P", str(JOBS), "-I{}", DBMATE, "--url", "sqlite:{}",
                 "--migrations-dir", os.path.join(self.d, "dbmate", "migrations"),
                 "--no-dump-schema", "migrate"],
                self.prepare(who), self.check(who, "SELECT count(*) FROM schema_migrations", str(self.n)))


RV_SQLITE = "SELECT group_concat(version_num) FROM retort_version"
DBMATE_FLEET = "dbmate, one process per bot, %d at a time (xargs -P %d)" % (JOBS, JOBS)


def alembic_fleet_note(bots):
    return ("Alembic: no fleet mode; a loop of %s Python processes (about half a second each "
            "on this machine) would take minutes per run" % f"{bots:,}")


def fleet():
    """1,000 SQLite bots x 10 migrations, a transaction per migration:
    retort fleet against sqlite3 run over the same databases, serially and
    split over as many processes as retort runs jobs (the cores)."""
    f = Fleet("fleet", FLEET_BOTS)
    cs = [
        Contender("floor: sqlite3, %d processes in parallel (one per core)" % JOBS,
                  *f.floor("floor", "sqlite.sql", True), floor=True),
        Contender("floor: one sqlite3 process, bot after bot", *f.floor("serial", "sqlite.sql", False)),
        Contender("retort fleet upgrade (jobs: the %d cores)" % JOBS, *f.retort("retort", "--no-atomic")),
    ]
    skipped = [alembic_fleet_note(FLEET_BOTS)]
    if DBMATE:
        cs.append(Contender(DBMATE_FLEET, *f.dbmate("dbmate")))
    else:
        skipped.append("dbmate: not installed (npm package dbmate)")
    sc = Scenario("fleet", "Fleet: %s SQLite bots × %d migrations" % (f"{FLEET_BOTS:,}", f.n),
                  "`retort fleet upgrade --tenants FILE` over %s fresh SQLite files, each getting the "
                  "first %d migrations of the workload (each in its own transaction). The floor is "
                  "`sqlite3` running the per-migration floor script on every file (`.open`, `.read`), "
                  "split over as many processes as retort runs jobs; the serial run is shown too."
                  % (f"{FLEET_BOTS:,}", f.n), cs, rounds=3, rss_rounds=1)
    sc.skipped = skipped
    return sc


def fleet_atomic():
    """The same fleet with [fleet] atomic: a bot's run is one transaction."""
    f = Fleet("fleet-atomic", FLEET_BOTS)
    cs = [
        Contender("floor: sqlite3, one BEGIN/COMMIT per bot, %d processes in parallel (one per core)" % JOBS,
                  *f.floor("floor", "sqlite-whole.sql", True), floor=True),
        Contender("retort fleet upgrade --atomic (jobs: the %d cores)" % JOBS, *f.retort("retort", "--atomic")),
    ]
    skipped = [alembic_fleet_note(FLEET_BOTS)]
    if DBMATE:
        cs.append(Contender(DBMATE_FLEET + "; a transaction per migration: dbmate has no per-bot atomicity",
                            *f.dbmate("dbmate")))
    else:
        skipped.append("dbmate: not installed (npm package dbmate)")

    def absolute(sc):
        w = med(sc.contenders[1].times)
        return [("%s: ≤ 2 s" % sc.title, ms(w), w is not None and w <= 2.0)]
    sc = Scenario("fleet-atomic", "Fleet, atomic bots: %s SQLite bots × %d migrations" % (f"{FLEET_BOTS:,}", f.n),
                  "`retort fleet upgrade --atomic` (`[fleet] atomic = true`): each bot's whole run is one "
                  "transaction, so a bot reaches the head or stays where it was. The floor is `sqlite3` "
                  "running the workload's whole-run floor script (the version table, then the %d "
                  "migrations inside one `BEGIN ... COMMIT`) on every file, split over as many processes "
                  "as retort runs jobs. Targets: ≤ 1.3× the floor, ≤ 2 s." % f.n,
                  cs, rounds=3, rss_rounds=1, wall_target=1.3, targets=absolute)
    sc.skipped = skipped
    return sc


def fleet_10k():
    """Ten times the fleet, atomic: the first run on fresh files, and a
    second run that finds every bot at head."""
    bots = 10 * FLEET_BOTS
    f = Fleet("fleet-10k", bots)
    first, prep, check = f.retort("retort", "--atomic")
    cs = [
        Contender("floor: sqlite3, one BEGIN/COMMIT per bot, %d processes in parallel (one per core)" % JOBS,
                  *f.floor("floor", "sqlite-whole.sql", True), floor=True),
        Contender("retort fleet upgrade --atomic, fresh files", first, prep, check, judge=False),
        # no reset: the bots are where the row above left them, at head
        Contender("retort fleet upgrade --atomic again, every bot at head (nothing to do)", first,
                  None, check, judge=False),
    ]

    def limits(sc):
        a, b = sc.contenders[1], sc.contenders[2]
        wa, wb = med(a.times), med(b.times)
        rss = max(a.rss + b.rss) if a.rss or b.rss else None
        return [("%s: first run ≤ 20 s" % sc.title, ms(wa), wa is not None and wa <= 20),
                ("%s: second run (nothing to do) ≤ 1.5 s" % sc.title, ms(wb), wb is not None and wb <= 1.5),
                ("%s: peak RSS ≤ 64 MiB (the larger of the two runs)" % sc.title, mib(rss),
                 rss is not None and rss <= 64 * 1024)]
    sc = Scenario("fleet-10k", "Fleet, atomic bots: %s SQLite bots × %d migrations" % (f"{bots:,}", f.n),
                  "`retort fleet upgrade --atomic` over %s fresh SQLite files, then again over the same "
                  "files, every bot already at head (the second row runs right after the first, with no "
                  "reset). The floor is the fleet-atomic one (sqlite3, one transaction per bot, split over "
                  "the cores). Few rounds: each run is long." % f"{bots:,}",
                  cs, rounds=1, min_rounds=1, rss_rounds=1, targets=limits)
    sc.skipped = ["dbmate: left out at this size (%s processes: minutes per run); the 1,000-bot fleets "
                  "show its rate" % f"{bots:,}", alembic_fleet_note(bots)]
    return sc


PG_URL2 = E.get("BENCH_PG_URL2", "")
PG_STOPPED_URL = E.get("BENCH_PG_STOPPED_URL", "")
PG_FLEET_DBS = int(E.get("BENCH_PG_FLEET_DBS", "100"))
CONNECT_TIMEOUT = 10


def fleet_pg_servers():
    """Tenants on three PostgreSQL servers, one of them stopped, against
    the same fleet without the stopped server's tenants."""
    k = PG_FLEET_DBS
    title = "Fleet across PostgreSQL servers: %s databases on 3 servers, one stopped" % f"{3 * k:,}"
    if not (PG_URL and PSQL and PG_URL2 and PG_STOPPED_URL):
        sc = Scenario("fleet-pg-servers", title, "", [], 0)
        sc.missing = ("needs three PostgreSQL servers, which bench/run.sh starts with scripts/pgserver.sh "
                      "(not with BENCH_NO_PG, nor without the Debian package `postgresql`).")
        return sc
    n = FLEET_MIGRATIONS
    d = project(n, ["retort"])
    last = gen.rev_id(n)
    f = os.path.join(WORK, "fleet-pg")
    os.makedirs(f, exist_ok=True)
    dbs = ["fps_%03d" % i for i in range(1, k + 1)]
    live = [("a", PG_URL), ("b", PG_URL2)]
    base = lambda url: url.rsplit("/", 1)[0]
    # the databases, once per server; each run empties them (one psql per
    # server, \connect to each in turn: cheaper than making them again)
    resets = []
    for tag, url in live:
        have = subprocess.run(psql_cmd(url, "-tA", "-c", "SELECT datname FROM pg_database"),
                              check=True, stdout=subprocess.PIPE, text=True).stdout.split()
        todo = "".join("CREATE DATABASE %s;\n" % db for db in dbs if db not in have)
        if todo:
            log("fleet-pg-servers: creating databases on server %s" % tag)
            sh(psql_cmd(url), input=todo, text=True, stdout=DEVNULL)
        path = os.path.join(f, "reset-%s.sql" % tag)
        with open(path, "w") as t:
            t.writelines("\\connect %s\nDROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n" % db for db in dbs)
        resets.append(shlex.join(psql_cmd(url, "-f", path)))
    prepare = ["bash", "-c", "%s >/dev/null & p=$!; %s >/dev/null && wait $p" % tuple(resets)]

    def tenants(servers):
        path = os.path.join(f, "tenants-%d.txt" % len(servers))
        with open(path, "w") as t:
            for db in dbs:   # the servers' tenants interleaved, as a registry's rows might be
                t.writelines("%s_%s %s/%s\n" % (tag, db, base(url), db) for tag, url in servers)
        return path
    ini = os.path.join(f, "retort.ini")
    with open(ini, "w") as t:
        t.write("[retort]\nscript_location = %s\nconnect_timeout = %d\n\n[fleet]\nscript_location = %s\n"
                % (os.path.join(d, "retort", "migrations"), CONNECT_TIMEOUT,
                   os.path.join(d, "retort", "migrations")))
    jobs = 4 * len(live)

    def cmd(servers):
        return [RETORT, "-q", "-c", ini, "fleet", "upgrade", "--tenants", tenants(servers), "--atomic",
                "-j", str(jobs), "--max-per-server", "4", "--format", "json"]
    seen = {}

    def report(c):
        r = json.loads(c.out)
        good = [t for t in r["tenants"] if t["status"] in ("ok", "created") and t["to"] == last]
        bad = [t for t in r["tenants"] if t["status"] == "failed"]
        return r, good, bad

    def check_two(c):
        def check():
            r, good, bad = report(c)
            if len(good) != 2 * k or bad:
                raise RuntimeError("fleet-pg-servers: %d of %d at head, %d failed: %s"
                                   % (len(good), 2 * k, len(bad), bad[:1]))
            for tag, url in live:
                check_pg_at(url, dbs[-1], n, last)
        return check

    def check_three(c):
        def check():
            r, good, bad = report(c)
            seen.update(good=len(good), bad=len(bad),
                        bad_c=sum(1 for t in bad if t["name"].startswith("c_")),
                        slowest=max((t["duration_ms"] for t in bad), default=None),
                        errors=sorted({re.sub(r"fps_\d+", "fps_N", t["error"] or "") for t in bad}))
            for tag, url in live:
                check_pg_at(url, dbs[0], n, last)
        return check
    two = Contender("floor: retort fleet upgrade, %s databases on the 2 running servers" % f"{2 * k:,}",
                    cmd(live), prepare, floor=True, capture=True)
    two.check = check_two(two)
    three = Contender("retort fleet upgrade, %s databases on 3 servers, one stopped" % f"{3 * k:,}",
                      cmd(live + [("c", PG_STOPPED_URL)]), prepare, status=1, capture=True)
    three.check = check_three(three)

    def verdicts(sc):
        if not seen:
            return []
        sc.facts.append("In the warm-up run with the stopped server: %d databases at head, %d failed "
                        "(%d of them the stopped server's), the slowest failure after %s; the errors: %s."
                        % (seen["good"], seen["bad"], seen["bad_c"],
                           ms(seen["slowest"] / 1000) if seen["slowest"] is not None else "n/a",
                           "; ".join("`%s`" % e for e in seen["errors"]) or "none"))
        return [("%s: the other %d at head" % (sc.title, 2 * k), "%d" % seen["good"], seen["good"] == 2 * k),
                ("%s: the %d reported failed within connect_timeout (%d s)" % (sc.title, k, CONNECT_TIMEOUT),
                 "%d failed, the slowest after %s" % (seen["bad"], ms(seen["slowest"] / 1000)
                                                      if seen["slowest"] is not None else "n/a"),
                 seen["bad"] == k and seen["bad_c"] == k and seen["slowest"] is not None
                 and seen["slowest"] <= CONNECT_TIMEOUT * 1000)]
    sc = Scenario("fleet-pg-servers", title,
                  "`retort fleet upgrade --atomic -j %d --max-per-server 4` over %d databases on each of "
                  "three PostgreSQL servers on 127.0.0.1, %d migrations each: bench/run.sh's server "
                  "(`fsync = on`), a second one from scripts/pgserver.sh (`fsync = off`), and a port "
                  "where a third one ran and was stopped, so that its connections are refused "
                  "(`connect_timeout = %d`). The floor is the same fleet without the stopped server's "
                  "tenants. Each run starts from empty databases (`DROP SCHEMA public CASCADE`). "
                  "Target: ≤ 1.2× the floor, the others at head, the stopped server's tenants reported "
                  "failed within the connect timeout (read from the `--format json` report of the "
                  "warm-up run)." % (jobs, k, n, CONNECT_TIMEOUT),
                  [two, three], rounds=3, rss_rounds=1, wall_target=1.2, targets=verdicts)
    sc.skipped = ["dbmate and Alembic: no fleet across servers (no per-server limit); "
                  "the SQLite fleets show dbmate in parallel processes"]
    return sc


def check_pg_at(url, db, n, want):
    got = subprocess.run(psql_cmd(url.rsplit("/", 1)[0] + "/" + db, "-tA", "-c",
                                  "SELECT (SELECT count(*) FROM pg_tables WHERE tablename LIKE 'bench\\_%%') "
                                  "|| ' ' || (SELECT version_num FROM retort_version)"),
                         check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
    if got != "%d %s" % (n, want):
        raise RuntimeError("%s on %s: got %r, want %r" % (db, url.rsplit("@", 1)[-1], got, "%d %s" % (n, want)))


def selftest(n=158):
    """`retort test` against one upgrade head + downgrade base + upgrade head."""
    d = project(n, ["retort"])
    ini = os.path.join(d, "retort", "retort.ini")
    last = gen.rev_id(n)

    def cycle(url):
        return ["bash", "-c", " && ".join(shlex.join([RETORT, "-q", "-c", ini, "-u", url] + a)
                                          for a in (["upgrade", "head"], ["downgrade", "base"],
                                                    ["upgrade", "head"]))]
    cs = []
    if PG_URL and PSQL:
        cs += [Contender("floor (PostgreSQL): `upgrade head`, `downgrade base`, `upgrade head` on a fresh database",
                         cycle(pg_url("bench_t158")), pg_reset("bench_t158"),
                         check_pg("bench_t158", n, "SELECT string_agg(version_num, ',') FROM retort_version",
                                  last), floor=True),
               Contender("retort test (PostgreSQL: a scratch database on the same server)",
                         [RETORT, "-q", "-c", ini, "-u", PG_URL, "test"])]
    db = os.path.join(WORK, "db", "t158.db")
    os.makedirs(os.path.dirname(db), exist_ok=True)
    cs += [Contender("floor (SQLite): `upgrade head`, `downgrade base`, `upgrade head` on a fresh file",
                     cycle("sqlite:///" + db), rm_db(db), check_sqlite(db, n, RV_SQLITE, last), floor=True),
           Contender("retort test (SQLite: a scratch file in $TMPDIR)",
                     [RETORT, "-q", "-c", ini, "-u", "sqlite:///" + os.path.join(WORK, "db", "t158-unused.db"),
                      "test"], judge=False)]

    def no_pg(sc):
        return [] if PG_URL and PSQL else [("%s: PostgreSQL ≤ 4× the floor" % sc.title, "not measured", False)]
    return Scenario("test-158", "`retort test` on %d migrations" % n,
                    "`retort test` (every revision: upgrade, downgrade, upgrade again, each compared by "
                    "the schema's fingerprint; then downgrade base) on the workload's first %d migrations "
                    "(with their downgrades), against the floor of the same migrations run by "
                    "`retort upgrade head`, `retort downgrade base` and `retort upgrade head` on a fresh "
                    "database (one `bash -c`). Target on PostgreSQL: ≤ 4× the floor; SQLite is shown "
                    "without one." % n, cs, rounds=3, rss_rounds=1, wall_target=4.0, targets=no_pg)


TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPORA = E.get("BENCH_CORPORA") or os.path.normpath(os.path.join(TOP, "..", "shared", "corpora"))


def autogen_synapse():
    """Autogenerate on PostgreSQL from an empty database to Synapse's full
    schema, as `make corpus` builds its model (tests/corpus)."""
    title = "Autogenerate on PostgreSQL: an empty database → Synapse's schema"
    schema_dir = os.path.join(CORPORA, "synapse", "synapse", "storage", "schema")
    if not os.path.isdir(schema_dir):
        sc = Scenario("autogen-synapse", title, "", [], 0)
        sc.missing = ("the corpus is not there (%s; `../shared/corpora` beside the repository, or "
                      "BENCH_CORPORA)." % schema_dir)
        return sc
    if not (PG_URL and PSQL):
        return Scenario("autogen-synapse", title, "", [], 0)
    sys.path.insert(0, os.path.join(TOP, "tests", "corpus"))
    import synapse                 # noqa: E402  (tests/corpus: the corpus as a retort project)
    import run as corpus_run       # noqa: E402  (tests/corpus/run.py: make corpus)
    w = os.path.join(WORK, "synapse")
    shutil.rmtree(w, ignore_errors=True)
    os.makedirs(w)
    # the schema as make corpus's oracle builds it: Synapse's files run by
    # psql, one transaction each; the model is its pg_dump --schema-only
    log("autogen-synapse: building Synapse's schema with psql")
    revs, _ = synapse.plan(schema_dir, "postgresql")
    sqls = ["\n".join(synapse.script(p, "postgresql") for p in files) for _, _, files in revs]
    sh(pg_reset("bench_syn_src"), stdout=DEVNULL)
    done, err = corpus_run.run_steps(psql_cmd(pg_url("bench_syn_src")), "\\echo %s\n", sqls)
    if err:
        raise RuntimeError("autogen-synapse: psql stopped at step %d of %d: %s" % (done, len(sqls), err))
    pg_dump = os.path.join(os.path.dirname(PSQL), "pg_dump")
    model = subprocess.run([pg_dump, "--schema-only", "-d", pg_url("bench_syn_src")], check=True,
                           stdout=subprocess.PIPE, text=True).stdout
    tables = len(re.findall(r"(?m)^CREATE TABLE ", model))
    for db in ("bench_syn_empty", "bench_syn_full"):
        sh(pg_reset(db), stdout=DEVNULL)
    projects = {}
    for name, db in (("autogen", "bench_syn_empty"), ("check", "bench_syn_full")):
        proj = os.path.join(w, name)
        corpus_run.new_project(RETORT, proj, pg_url(db), schema="model.sql")
        with open(os.path.join(proj, "model.sql"), "w", encoding="utf-8") as t:
            t.write(model)
        projects[name] = os.path.join(proj, "retort.ini")
    # the migrated database of `check`: the model's revision, applied
    sh([RETORT, "-q", "-c", projects["check"], "-u", pg_url("bench_syn_empty"), "revision",
        "--autogenerate", "-m", "synapse", "--rev-id", "0000000000aa"], stdout=DEVNULL)
    sh([RETORT, "-q", "-c", projects["check"], "upgrade", "head"], stdout=DEVNULL)
    versions = os.path.join(w, "autogen", "migrations", "versions")

    def one_revision():
        files = [x for x in os.listdir(versions) if x.endswith(".sql")]
        text = "".join(open(os.path.join(versions, x)).read() for x in files)
        got = len(re.findall(r"(?m)^CREATE TABLE ", text))
        if len(files) != 1 or got != tables:
            raise RuntimeError("autogen-synapse: %d files, %d CREATE TABLE (want 1, %d)" % (len(files), got, tables))
    cs = [Contender("retort `revision --autogenerate`, empty database → Synapse's %d tables" % tables,
                    [RETORT, "-q", "-c", projects["autogen"], "revision", "--autogenerate", "-m", "synapse",
                     "--rev-id", "0000000000aa"],
                    ["bash", "-c", "rm -f %s/*.sql" % shlex.quote(versions)], one_revision),
          Contender("retort `check`, a database migrated to that schema",
                    [RETORT, "-q", "-c", projects["check"], "check"])]

    def limits(sc):
        a, c = med(sc.contenders[0].times), med(sc.contenders[1].times)
        return [("%s: autogenerate ≤ 0.5 s" % sc.title, ms(a), a is not None and a <= 0.5),
                ("%s: `check` ≤ 0.3 s" % sc.title, ms(c), c is not None and c <= 0.3)]
    sc = Scenario("autogen-synapse", title,
                  "The model is what `make corpus` (tests/corpus) makes of Synapse's PostgreSQL schema "
                  "files (%d revisions: the full schema and its deltas), read where they are in "
                  "`../shared/corpora`: run by psql, one transaction each, then `pg_dump --schema-only` "
                  "(%d tables). `revision --autogenerate` compares it with an empty database (each run "
                  "writes the revision anew); `check` compares it with a database migrated by that "
                  "revision. No raw floor; targets are absolute." % (len(revs), tables),
                  cs, rounds=5, kind="plain", targets=limits)
    sc.skipped = ["Alembic: its autogenerate needs the schema as SQLAlchemy metadata (Synapse has none) and "
                  "psycopg2, which `make bench` does not install"]
    return sc


REVS = int(E.get("BENCH_REVS", "100000"))


def revs_100k():
    """Listing and offline at 100,000 revisions, and their growth from 10,000."""
    sizes = (REVS // 10, REVS)
    cs = []
    for n in sizes:
        d = project(n, ["retort"])
        ini = os.path.join(d, "retort", "retort.ini")
        if READFLOOR:
            cs.append(Contender("floor: list the folder, stat every file (bench/readfloor.c --stat), %s files"
                                % f"{n:,}", [READFLOOR, "--stat", os.path.join(d, "retort", "migrations", "versions")]))
        cs.append(Contender("`retort heads`, %s revisions" % f"{n:,}", [RETORT, "-c", ini, "heads"]))
        cs.append(Contender("`retort upgrade head --sql`, %s revisions" % f"{n:,}",
                            [RETORT, "-c", ini, "-u", "sqlite:///unused.db", "upgrade", "head", "--sql"]))

    def limits(sc):
        by = {c.name: c for c in sc.contenders}
        small, big = (f"{n:,}" for n in sizes)
        out, growth = [], []
        for verb, limit in (("heads", 0.4), ("upgrade head --sql", 0.8)):
            a, b = by["`retort %s`, %s revisions" % (verb, small)], by["`retort %s`, %s revisions" % (verb, big)]
            wa, wb, rss = med(a.times), med(b.times), med(b.rss)
            out.append(("`retort %s`, %s revisions: ≤ %.1f s" % (verb, big, limit), ms(wb),
                        wb is not None and wb <= limit))
            out.append(("`retort %s`, %s revisions: ≤ 128 MiB peak RSS" % (verb, big), mib(rss),
                        rss is not None and rss <= 128 * 1024))
            g = ratio(wb, wa)
            out.append(("`retort %s`: growth from %s to %s revisions ≤ 10×" % (verb, small, big),
                        fmt_ratio(g), g is not None and g <= 10))
            growth.append("%s %s (%s → %s)" % (verb, fmt_ratio(g), ms(wa), ms(wb)))
        sc.facts.append("Growth from %s to %s revisions (10× the files): %s. Linear growth with a fixed "
                        "start-up cost gives at most 10×." % (small, big, "; ".join(growth)))
        return out
    sc = Scenario("revs-100k", "A %s-revision chain: listing and offline" % f"{REVS:,}",
                  "The workload's migrations as one linear chain of %s files (and of %s, for the growth), "
                  "generated once into bench/.work and reused while gen.py is unchanged. `heads` loads "
                  "every header (the header cache is warm, as from the second command on); `upgrade head "
                  "--sql` writes the whole script to /dev/null. The stat floor is what reaching the files "
                  "costs with a warm cache." % (f"{REVS:,}", f"{REVS // 10:,}"),
                  cs, rounds=3, runs=2, kind="plain", targets=limits)
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
    if c.status:
        args.append("--ignore-failure")   # the run's status is checked in the warm-up
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
    run_status(c, [TIME, "-f", "%M", "-o", tmp] + c.cmd, stdout=DEVNULL, stderr=DEVNULL)
    with open(tmp) as f:
        return int(f.read().split()[-1])


def run_status(c, argv, **kw):
    """Run ARGV (C's command, maybe under a wrapper); its exit status must be C's."""
    p = subprocess.run(argv, env=c.env, **kw)
    if p.returncode != c.status:
        raise RuntimeError("%s: exit status %d, want %d (%s)" % (c.name, p.returncode, c.status,
                                                                 shlex.join(c.cmd)))
    return p


def run_scenario(sc):
    t0 = time.time()
    fd, tmp = tempfile.mkstemp(prefix="bench-", suffix=".json", dir=WORK)
    os.close(fd)
    log("%s: warm-up" % sc.sid)
    for c in sc.contenders:
        if c.prepare:
            sh(c.prepare, stdout=DEVNULL, stderr=DEVNULL)
        p = run_status(c, c.cmd, stdout=subprocess.PIPE if c.capture else DEVNULL,
                       text=c.capture or None)
        c.out = p.stdout
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


targets = []   # (scenario id, what, measured, ok)


def target(sc, what, measured, ok):
    targets.append((sc.sid, what, measured, ok))


def table_ratio(sc, lines):
    """Ratios are to the floor row above (a scenario may hold two pairs)."""
    lines.append("| contender | median wall | median CPU (user+sys) | peak RSS | wall / floor | CPU / floor | runs |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|")
    floor = None
    for c in sc.contenders:
        if c.floor:
            floor = c
        fw = med(floor.times) if floor else None
        fc = med(floor.cpu) if floor else None
        w, cpu = med(c.times), med(c.cpu)
        lines.append("| %s | %s | %s | %s | %s | %s | %d |" % (
            c.name, ms(w), ms(cpu), mib(med(c.rss)),
            "1 (floor)" if c.floor else fmt_ratio(ratio(w, fw)),
            "1 (floor)" if c.floor else fmt_ratio(ratio(cpu, fc)), len(c.times)))
        judged = c.judge if c.judge is not None else (
            c.name.startswith("retort") and "SQLite-only" not in c.name)
        if judged and floor and not c.floor:
            if sc.wall_target:
                r = ratio(w, fw)
                target(sc, "%s: wall ≤ %.2f× floor" % (sc.title, sc.wall_target),
                       fmt_ratio(r), r is not None and r <= sc.wall_target)
            if sc.cpu_target:
                r = ratio(cpu, fc)
                target(sc, "%s: CPU ≤ %.2f× floor" % (sc.title, sc.cpu_target),
                       fmt_ratio(r), r is not None and r <= sc.cpu_target)


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
            target(sc, "%s: ≤ %d ms" % (c.name, tms), ms(w), ok_t)
            if trss:
                target(sc, "%s: ≤ %d MiB peak RSS" % (c.name, trss), mib(rss), ok_r)
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


# ---- the report, whole or in part ------------------------------------------------
#
# A run with BENCH_ONLY rewrites only its scenarios' sections and target rows
# and keeps the others of the RESULTS.md it finds.  Each section starts with
# a marker line <!-- bench:SID -->, each target row names its scenario, and a
# comment <!-- bench-runs: JSON --> lists the runs whose figures are in the
# file.  A file written before these markers is read by its headings.

LEGACY_TITLES = [   # (heading or target row prefix, scenario id)
    ("Upgrade 200 migrations on a fresh SQLite file", "sqlite-200"),
    ("Upgrade 2,000 migrations on a fresh SQLite file", "sqlite-2000"),
    ("Whole-run mode, 200 migrations", "whole-200"),
    ("Whole-run mode, 2,000 migrations", "whole-2000"),
    ("Upgrade 200 migrations on PostgreSQL", "pg-200"),
    ("Listing commands", "listing"),
    ("`retort ", "listing"),
    ("Offline `upgrade head --sql` for 2,000", "offline-2000"),
    ("Autogenerate against a 500-table", "autogen-500"),
    ("Fleet: ", "fleet"),
    ("Instructions executed", "instructions"),
]


def legacy_sid(text):
    return next((sid for prefix, sid in LEGACY_TITLES if text.startswith(prefix)), None)


def read_previous():
    """(runs, {sid: section lines}, {sid: target rows}, note lines) of the
    report at OUT, or empties when there is none."""
    runs, sections, rows, note_lines = [], {}, {}, []
    try:
        text = open(OUT, encoding="utf-8").read()
    except OSError:
        return runs, sections, rows, note_lines
    m = re.search(r"<!-- bench-runs: (.*?) -->", text)
    if m:
        runs = json.loads(m.group(1))
    else:   # the old header: one full run
        d = re.search(r"on (\d{4}-\d\d-\d\d \d\d:\d\d UTC)", text)
        c = re.search(r"\| retort \| .*?(commit \w+[^|)]*)", text)
        runs = [{"date": d.group(1) if d else "?", "only": None, "source": c.group(1) if c else ""}]
    cur, in_targets, in_notes, marked = None, False, False, None
    for line in text.splitlines():
        mk = re.match(r"<!-- bench:([\w-]+) -->$", line)
        if mk:
            marked = mk.group(1)
            continue
        if line.startswith("## "):
            heading = line[3:]
            in_targets, in_notes = heading == "Targets", heading.startswith("Notes")
            cur = marked or (None if in_targets or in_notes else legacy_sid(heading))
            marked = None
            if cur:
                sections[cur] = []
        if cur:
            sections[cur].append(line)
        elif in_targets and line.startswith("| ") and not line.startswith("| target") \
                and not line.startswith("| scenario"):
            cells = [x.strip() for x in line.strip("|").split(" | ")]
            sid = cells[0].strip("`") if len(cells) == 4 else legacy_sid(cells[0])
            if sid:
                rows.setdefault(sid, []).append(line if len(cells) == 4 else "| `%s` | %s" % (sid, line[2:]))
        elif in_notes and line.startswith("- "):
            note_lines.append(line)
    for sid in sections:   # the blank line before the next section is written anew
        while sections[sid] and not sections[sid][-1].strip():
            sections[sid].pop()
    return runs, sections, rows, note_lines


def runs_text(runs):
    """Which run measured what: one clause per run still in the file."""
    out = []
    for r in runs:
        what = ("every scenario" + (" not named after it" if len(runs) > 1 else "")
                if r["only"] is None else ", ".join("`%s`" % s for s in r["only"]))
        when, end = r["date"], r.get("end")
        if end:   # the same day: 2026-12-03 02:44 – 03:12 UTC
            when = "%s – %s" % (when[:-4], end[11:]) if end[:10] == when[:10] else "%s – %s" % (when, end)
        out.append("%s with %s%s" % (when, r.get("source") or "retort", " — " + what))
    return "; ".join(out)


def write_report(all_sids, scenarios, started, load_before, load_after):
    ran = [sc.sid for sc in scenarios]
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started))
    this_run = {"date": now, "only": ran if ONLY else None, "source": E.get("BENCH_SOURCE", "")}
    old_runs, old_sections, old_rows, old_notes = read_previous() if ONLY else ([], {}, {}, [])
    # a run none of whose scenarios are left in the file is dropped
    runs = []
    for r in old_runs + [this_run]:
        if r is not this_run and r["only"] is not None:
            r = dict(r, only=[s for s in r["only"] if s not in ran])
            if not r["only"]:
                continue
        last = runs[-1] if runs else None
        if last and last["only"] is not None and r["only"] is not None and last["source"] == r["source"]:
            # BENCH_ONLY runs of the same source, one after another: one entry
            last["only"] = last["only"] + [s for s in r["only"] if s not in last["only"]]
            last["end"] = r.get("end", r["date"])
        else:
            runs.append(dict(r))

    cpu, cores, kernel, mem, fs, virt = machine()
    L = []
    L.append("# retort benchmarks")
    L.append("")
    L.append("<!-- bench-runs: %s -->" % json.dumps(runs, ensure_ascii=False))
    L.append("Generated by `make bench` (`bench/run.sh`); do not edit by hand. Measured on %s. "
             "A run with `BENCH_ONLY` rewrites only its scenarios' sections and target rows; each "
             "section's last line says when it was measured." % runs_text(runs))
    L.append("")
    L.append("Every number is a whole process, timed by hyperfine (`-N`, no shell) from a fresh database, "
             "after a warm-up round that also checks that every contender built the same database "
             "(tables, rows, version). Contenders take turns round by round (rotating order), so the rest "
             "of the machine's load falls on all of them alike. *Median wall* is the median over all runs; "
             "*median CPU* is the median of hyperfine's user+sys per call; *peak RSS* is the median of "
             "`/usr/bin/time -f %M` over up to three separate runs. Ratios divide medians; in a table "
             "with two floors each ratio is to the floor above it.")
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
    L.append("| load average (latest run) | %s at the start, %s at the end |" % (load_before, load_after))
    L.append("")
    L.append("## Versions (latest run)")
    L.append("")
    L.append("| | |")
    L.append("|---|---|")
    for k, v in versions():
        L.append("| %s | %s |" % (k, v.replace("|", "\\|").replace("\n", " ")))
    L.append("")
    new_sections = {}
    for sc in scenarios:
        body = ["## %s" % sc.title, ""]
        if sc.blurb:
            body += [sc.blurb, ""]
        if not sc.contenders:
            body.append("Not measured: %s" % (sc.missing or "no PostgreSQL server (install the Debian "
                                                             "package `postgresql`)."))
            target(sc, sc.title, "not measured", False)
            new_sections[sc.sid] = body
            continue
        {"ratio": table_ratio, "listing": table_listing,
         "instructions": table_instructions}.get(sc.kind, table_plain)(sc, body)
        if sc.targets:
            for what, got, ok in sc.targets(sc):
                target(sc, what, got, ok)
        for f in sc.facts:
            body += ["", f]
        for s in sc.skipped:
            body += ["", "- Not in this table: " + s]
        body.append("")
        when = "measured %s with %s" % (now, E.get("BENCH_SOURCE") or "retort")
        if sc.kind == "instructions":
            body.append("_One run each, %.0f s in all; %s._" % (sc.elapsed, when))
        else:
            body.append("_%d round(s) × %d run(s) per contender, %.0f s in all; %s._"
                        % (sc.rounds, sc.runs, sc.elapsed, when))
        new_sections[sc.sid] = body
    L.append("## Targets")
    L.append("")
    L.append("| scenario | target | measured | |")
    L.append("|---|---|---:|---|")
    for sid in all_sids:
        if sid in ran:
            L += ["| `%s` | %s | %s | %s |" % (s, what, got, verdict(ok))
                  for s, what, got, ok in targets if s == sid]
        else:
            L += old_rows.get(sid, [])
    L.append("")
    present = []
    for sid in all_sids:
        body = new_sections.get(sid) or old_sections.get(sid)
        if body:
            present.append(sid)
            L += ["<!-- bench:%s -->" % sid] + body + [""]
    missing = [sid for sid in all_sids if sid not in present]
    if missing:
        L += ["## Not measured", "",
              "Left out by `BENCH_ONLY`, with no earlier figures in this file: " +
              ", ".join("`%s`" % s for s in missing) + ".", ""]
    note_lines = ["- (%s) %s" % (now, n) for n in notes]
    note_lines += [n for n in old_notes if n not in note_lines]
    if note_lines:
        L += ["## Notes", ""] + note_lines + [""]
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
        ("fleet-atomic", fleet_atomic),
        ("fleet-10k", fleet_10k),
        ("fleet-pg-servers", fleet_pg_servers),
        ("test-158", selftest),
        ("autogen-synapse", autogen_synapse),
        ("revs-100k", revs_100k),
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
    write_report([sid for sid, _ in builders], scenarios, started, load_before, loadavg())
    return 0


if __name__ == "__main__":
    sys.exit(main())
