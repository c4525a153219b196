#!/usr/bin/python3
"""The differential test of issue 17: retort against Alembic 1.8.

    /usr/bin/python3 tests/alembic/differential.py RETORT_BINARY [-v] [-k PATTERN]

One branched project is written twice into a scratch folder: as an Alembic
project (revision .py files) and as a retort project (revision .sql files)
with the same ids, parents, branch labels and depends_on.  Each revision
creates a table named after it, drops it again on the way down, and logs
each run into the table `ran` ('up a1', 'down a1'), so the order in which a
tool ran the migrations can be read back.

Every case starts from a pre-state: a SQLite database that Alembic (the
oracle) brought to some revisions, copied afresh for each tool.  Both tools
read and write the same version table (retort is configured with
version_table = alembic_version), so a case compares one command on the
same database.  The cases named `seq ...` start from an empty database and
run several commands, so the version rows each tool writes itself are
carried into the next command.

What is compared, in this order (the first difference is reported):

  ok        success, usage error or failure of each command
  out       the text of history, heads, branches, current and show
  touched   whether a --sql command changed the database it was given
  ran       the migrations run, in order
  versions  the version table's rows, sorted
  tables    the user tables

For a --sql command the script is run (Python's sqlite3 executescript) on
another copy of the database as it was before the command, and ran,
versions and tables are those of that copy.

Alembic runs in this process (its command-line parser and commands, on a
Config whose stdout is captured), reading its versions folder in name
order; retort runs as a program.  The only differences tolerated are those
listed in allowed.txt beside this file: a case with the aspects in which it
may differ (all of them, no more), or '*' with 'order' (any run or listing
may take independent branches in another order that still respects the
graph), each with the row of docs/alembic.md's "Deliberate differences"
table that explains it; the test checks that the row is there.  A listed
case that agrees is reported too (the list must not go stale).

Exit status: 0 when every case agrees (or differs as allowed), 1 otherwise;
the differences are printed as a table, one line per case.  -v prints the
full results of each differing case; -k runs only cases whose name
contains PATTERN.
"""
import contextlib
import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
DOCS = os.path.join(HERE, "..", "..", "docs", "alembic.md")
ALLOWED = os.path.join(HERE, "allowed.txt")

# ---- the project --------------------------------------------------------
#
#   a1 ── a2 (shop) ── a3 ──────────┐
#    └─── b1 (needs c1) ── b2 ──── m1 ── m2
#   c1 (stats) ── c2 ───────────────────┘
#   d1 (tools, needs a2) ── d2
#
# Three bases; a1 is a branch point; b1 depends on c1 across branches; m1
# merges a3 and b2, m2 merges m1 and c2 (a second merge on top); d1 is a
# base of its own that depends on a2, so upgrading it needs the shop branch.
# Alembic spreads a label to the revisions above it, through merges: m1 and
# m2 are on shop, m2 on stats too.

GRAPH = [
    # name, parents, branch labels, depends_on
    ("a1", [], [], []),
    ("a2", ["a1"], ["shop"], []),
    ("a3", ["a2"], [], []),
    ("c1", [], ["stats"], []),
    ("c2", ["c1"], [], []),
    ("b1", ["a1"], [], ["c1"]),
    ("b2", ["b1"], [], []),
    ("m1", ["a3", "b2"], [], []),
    ("m2", ["m1", "c2"], [], []),
    ("d1", [], ["tools"], ["a2"]),
    ("d2", ["d1"], [], []),
]
NAMES = [g[0] for g in GRAPH]


def rid(name):
    """A revision's id: its name three times (a1 -> a1a1a1), long enough
    for Alembic's prefix lookup and with unique 2-character prefixes."""
    return name * 3


NAME_RE = re.compile(r"(?<![0-9a-z])(%s)(?![0-9a-z])" % "|".join(NAMES))


def expand(text):
    """Short names in a command become ids ('upgrade a1+1' ->
    'upgrade a1a1a1+1'); anything else (prefixes such as 'b2b') stays."""
    return NAME_RE.sub(lambda m: rid(m.group(1)), text)


CREATE_DATE = "2026-11-22 10:00:00+00:00"


def message(name):
    return "create t_%s" % name


def alembic_file(name, parents, labels, depends):
    """A revision as Alembic's generic template writes it."""
    def tup(items):
        if not items:
            return "None"
        return "(%s,)" % ", ".join('"%s"' % i for i in items)
    down = ("None" if not parents else '"%s"' % rid(parents[0]) if len(parents) == 1
            else tup([rid(p) for p in parents]))
    return ('"""%s\n\nRevision ID: %s\nRevises: %s\nCreate Date: %s\n\n"""\n'
            "from alembic import op\nimport sqlalchemy as sa\n\n\n"
            'revision = "%s"\ndown_revision = %s\nbranch_labels = %s\n'
            "depends_on = %s\n\n\n"
            "def upgrade():\n"
            '    op.create_table("t_%s", sa.Column("id", sa.Integer))\n'
            "    op.execute(\"INSERT INTO ran (step) VALUES ('up %s')\")\n\n\n"
            "def downgrade():\n"
            '    op.drop_table("t_%s")\n'
            "    op.execute(\"INSERT INTO ran (step) VALUES ('down %s')\")\n"
            % (message(name), rid(name), ", ".join(rid(p) for p in parents), CREATE_DATE,
               rid(name), down, tup(labels), tup([rid(d) for d in depends]),
               name, name, name, name))


def retort_file(name, parents, labels, depends):
    """The same revision as a retort .sql file (DESIGN.md section 3)."""
    def field(key, items):
        return "-- %s:%s\n" % (key, " " + ", ".join(items) if items else "")
    return ("-- %s\n--\n-- revision: %s\n" % (message(name), rid(name))
            + field("down_revision", [rid(p) for p in parents])
            + field("branch_labels", labels)
            + field("depends_on", [rid(d) for d in depends])
            + "-- create_date: %s\n\n" % CREATE_DATE
            + "-- +upgrade\nCREATE TABLE t_%s (id INTEGER);\n" % name
            + "INSERT INTO ran (step) VALUES ('up %s');\n\n" % name
            + "-- +downgrade\nDROP TABLE t_%s;\n" % name
            + "INSERT INTO ran (step) VALUES ('down %s');\n" % name)


ALEMBIC_ENV = '''\
from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

url = context.config.get_main_option("sqlalchemy.url")
if context.is_offline_mode():
    context.configure(url=url, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
'''


def write_projects(top):
    adir = os.path.join(top, "alembic")
    rdir = os.path.join(top, "retort")
    os.makedirs(os.path.join(adir, "migrations", "versions"))
    os.makedirs(os.path.join(rdir, "migrations", "versions"))
    with open(os.path.join(adir, "alembic.ini"), "w") as f:
        f.write("[alembic]\nscript_location = %s\nsqlalchemy.url = sqlite://\n"
                % os.path.join(adir, "migrations"))
    with open(os.path.join(adir, "migrations", "env.py"), "w") as f:
        f.write(ALEMBIC_ENV)
    with open(os.path.join(rdir, "retort.ini"), "w") as f:
        f.write("[retort]\nscript_location = migrations\nurl = sqlite://\n"
                "version_table = alembic_version\n")
    for name, parents, labels, depends in GRAPH:
        stem = "%s_create_t_%s" % (rid(name), name)
        with open(os.path.join(adir, "migrations", "versions", stem + ".py"), "w") as f:
            f.write(alembic_file(name, parents, labels, depends))
        with open(os.path.join(rdir, "migrations", "versions", stem + ".sql"), "w") as f:
            f.write(retort_file(name, parents, labels, depends))
    return adir, rdir


# ---- databases ------------------------------------------------------------

# retort's and Alembic's own tables, and the log
NOT_USER = ("alembic_version", "ran")


def new_db(path):
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE ran (n INTEGER PRIMARY KEY, step TEXT NOT NULL)")
    con.commit()
    con.close()


def db_state(path):
    """(ran, versions, tables) of a database file."""
    con = sqlite3.connect(path)
    try:
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        ran = [r[0] for r in con.execute("SELECT step FROM ran ORDER BY n")]
        # no version table reads as one without rows: Alembic makes the
        # table before it looks at the target, retort only to write a row
        versions = []
        if "alembic_version" in names:
            versions = sorted(r[0] for r in con.execute(
                "SELECT version_num FROM alembic_version"))
        tables = [n for n in names if n not in NOT_USER and not n.startswith("sqlite_")
                  and not n.startswith("retort_")]
        return ran, versions, tables
    finally:
        con.close()


def db_dump(path):
    """Everything in a database, to tell whether a command changed it."""
    con = sqlite3.connect(path)
    try:
        return "\n".join(con.iterdump())
    finally:
        con.close()


def clear_log(path):
    con = sqlite3.connect(path)
    con.execute("DELETE FROM ran")
    con.commit()
    con.close()


def apply_script(path, script):
    """Run an offline script as sqlite3 would; None or the error."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.executescript(script)
        return None
    except sqlite3.Error as e:
        return "%s: %s" % (type(e).__name__, e)
    finally:
        con.close()


# ---- the two tools --------------------------------------------------------

# What became of a command: it worked, its arguments were refused (exit
# status 2 from either program's parser), or it failed.
OK, USAGE, FAILED = "ok", "usage error", "FAIL"

class Alembic:
    """Alembic in this process: its own argument parser and commands."""

    def __init__(self, adir):
        from alembic.config import CommandLine, Config
        self.cli = CommandLine(prog="alembic")
        self.Config = Config
        self.ini = os.path.join(adir, "alembic.ini")
        sys.dont_write_bytecode = True
        # Alembic reads the versions folder in os.listdir() order, and the
        # order of that listing decides the order of independent branches
        # in every walk (which of two branches upgrades first, history's
        # siblings): the file system's, arbitrary.  The oracle here lists
        # the files in name order, as retort does, which makes it one
        # order and a fixed one.
        from alembic.script.base import Script
        listing = Script._list_py_dir.__func__
        Script._list_py_dir = classmethod(
            lambda cls, scriptdir, path: sorted(listing(cls, scriptdir, path)))

    def run(self, db, argv):
        out, err = io.StringIO(), io.StringIO()
        outcome = OK
        # the commands print to cfg.stdout; argparse and util.err (the
        # "FAILED: ..." line) to sys.stderr and sys.stdout
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(err), \
                warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            try:
                try:
                    opts = self.cli.parser.parse_args(argv)
                except SystemExit:
                    outcome = USAGE
                else:
                    cfg = self.Config(self.ini, stdout=out, output_buffer=out, cmd_opts=opts)
                    cfg.set_main_option("sqlalchemy.url", "sqlite:///" + db)
                    self.cli.run_cmd(cfg, opts)
            except SystemExit as e:
                outcome = OK if e.code in (0, None) else FAILED
            except Exception as e:          # noqa: BLE001 - any failure is a result
                outcome = FAILED
                err.write("%s: %s\n" % (type(e).__name__, e))
        for w in warned:
            err.write("warning: %s\n" % w.message)
        return outcome, out.getvalue(), err.getvalue()


class Retort:
    def __init__(self, binary, rdir):
        self.binary = binary
        self.ini = os.path.join(rdir, "retort.ini")
        self.env = dict(os.environ, RETORT_CACHE_DIR="")

    def run(self, db, argv):
        p = subprocess.run([self.binary, "-c", self.ini, "-u", "sqlite:///" + db] + argv,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=self.env, timeout=60)
        outcome = OK if p.returncode == 0 else USAGE if p.returncode == 2 else FAILED
        return (outcome, p.stdout.decode("utf-8", "replace"),
                p.stderr.decode("utf-8", "replace"))


TEXT_COMMANDS = ("history", "heads", "branches", "current", "show")

PATH_RE = re.compile(r"^Path: .*/([^/]*?)\.(py|sql)$", re.M)
# 'Branch names: x, y', 'Branches into: x, y'
SET_LINE_RE = re.compile(r"^(Branch names|Branches into): (.*)$", re.M)
# the labels after a revision: 'm2 (shop, stats) (head)', 'a3, b2 -> m1 (x, y)'
LABELS_RE = re.compile(r"^((?:.* -> )?\w+) \(([^()]*, [^()]*)\)", re.M)


def commas(items):
    return ", ".join(sorted(items.split(", ")))


def sort_runs(lines, starts):
    """Sort each run of consecutive lines that `starts` accepts."""
    out, run = [], []
    for line in lines + [None]:
        if line is not None and starts(line):
            run.append(line)
            continue
        out += sorted(run)
        run = []
        if line is not None:
            out.append(line)
    return out


def normalise(argv, text):
    """What is not a difference in a listing.

    - The revision file is a .py file in one project and a .sql file in
      the other (retort's migrations are SQL: DESIGN.md section 3); the
      names are the same, and compared.
    - Alembic keeps a revision's branch labels, the revisions a branch
      point branches into, and the revisions `current` shows in Python
      sets, and prints them in the order the set gives (which changes
      from run to run with the hash seed and memory addresses).  Those
      lists are compared as sets: sorted on both sides."""
    text = PATH_RE.sub(r"Path: \1", text)
    text = SET_LINE_RE.sub(lambda m: "%s: %s" % (m.group(1), commas(m.group(2))), text)
    text = LABELS_RE.sub(lambda m: "%s (%s)" % (m.group(1), commas(m.group(2))), text)
    lines = text.split("\n")
    if argv[0] == "branches":
        lines = sort_runs(lines, lambda l: l.lstrip().startswith("-> "))
    elif argv[0] == "current" and "-v" not in argv:
        lines = sort_runs(lines, lambda l: l != "")
    elif argv[0] == "current":
        # a preamble, then one block per revision, each from 'Rev:'
        blocks = re.split(r"(?m)^(?=Rev: )", text)
        return blocks[0] + "".join(sorted(blocks[1:]))
    return "\n".join(lines)


# ---- pre-states -------------------------------------------------------------
#
# Each is made by Alembic from an empty database (the table `ran` only) with
# the commands given; the version rows it must end with are checked, so
# that a case's starting point is what its name says.

PRESTATES = {
    "empty": ([], []),
    "base": (["stamp base"], []),
    "heads": (["upgrade heads"], ["d2", "m2"]),
    "a1": (["upgrade a1"], ["a1"]),
    "a2": (["upgrade a2"], ["a2"]),
    "a3": (["upgrade a3"], ["a3"]),
    "c1": (["upgrade c1"], ["c1"]),
    "c2": (["upgrade c2"], ["c2"]),
    "b1": (["upgrade b1"], ["b1"]),
    "b2": (["upgrade b2"], ["b2"]),
    "a2,c1": (["upgrade a2", "upgrade c1"], ["a2", "c1"]),
    "a3,b2": (["upgrade a3", "upgrade b2"], ["a3", "b2"]),
    "a3,c2": (["upgrade a3", "upgrade c2"], ["a3", "c2"]),
    "a3,b2,c2": (["upgrade a3", "upgrade b2", "upgrade c2"], ["a3", "b2", "c2"]),
    "m1": (["upgrade m1"], ["m1"]),
    "m1,c2": (["upgrade m1", "upgrade c2"], ["c2", "m1"]),
    "m2": (["upgrade m2"], ["m2"]),
    "d1": (["upgrade d1"], ["d1"]),
    "a3,d2": (["upgrade a3", "upgrade d2"], ["a3", "d2"]),
    "m1,d1": (["upgrade m1", "upgrade d1"], ["d1", "m1"]),
}


def make_prestates(alembic, top):
    out = {}
    for name, (cmds, want) in PRESTATES.items():
        path = os.path.join(top, "pre-%s.db" % name.replace(",", "_"))
        new_db(path)
        for c in cmds:
            ok, _, err = alembic.run(path, expand(c).split())
            if not ok:
                sys.exit("pre-state %s: alembic %s failed: %s" % (name, c, err.strip()))
        _, versions, _ = db_state(path)
        if versions != sorted(rid(w) for w in want):
            sys.exit("pre-state %s: alembic left %s, the harness expected %s"
                     % (name, versions, want))
        clear_log(path)
        out[name] = path
    return out


# ---- the cases ----------------------------------------------------------------

def cases():
    """(name, pre-state, [command, ...]).  Commands use the short names of
    GRAPH, expanded to ids by expand(); the name is the commands as
    written, prefixed with the pre-state."""
    out = []

    def case(pre, *cmds):
        out.append(("%s | %s" % (pre, " ; ".join(cmds)), pre, list(cmds)))

    def each(pre, verb, targets, suffix=""):
        """One case per target: `verb target suffix` from `pre`."""
        for t in targets:
            case(pre, " ".join(w for w in (verb, t, suffix) if w))

    def seq(*cmds):
        out.append(("seq | " + " ; ".join(cmds), "empty", list(cmds)))

    # -- upgrade: absolute targets, ids, prefixes
    each("empty", "upgrade", ["head", "heads", "m2", "m1", "b2", "b1", "a3", "a2", "a1",
                              "c1", "c2", "d1", "d2", "base", ""])
    each("a3,b2", "upgrade", ["heads", "head", "m2", "d2", "c2", "m1"])
    each("b2", "upgrade", ["heads", "m1", "m2", "a3", "d2"])
    each("a2,c1", "upgrade", ["heads", "m2", "d1", "b1"])
    each("m1,c2", "upgrade", ["heads", "m2"])
    each("d1", "upgrade", ["heads", "m1"])
    each("heads", "upgrade", ["heads", "a1"])
    each("m2", "upgrade", ["head"])
    each("empty", "upgrade", ["b2b", "b2b2", "a1a1a1", "zz"])
    each("a1", "upgrade", ["m"])
    # relative
    each("empty", "upgrade", ["+1", "+2", "+3", "a1+2", "c1+1"])
    each("a1", "upgrade", ["+1", "+2", "+4", "a2+1", "b1+1"])
    each("a3,b2", "upgrade", ["+1", "+2", "m1+1"])
    each("b2", "upgrade", ["+1"])
    each("m1", "upgrade", ["+1"])
    each("a3,b2,c2", "upgrade", ["+1"])
    # branch labels
    each("empty", "upgrade", ["shop@head", "stats@head", "tools@head", "shop@+1",
                              "stats@+1", "tools@+1", "shop@+2", "stats@c2", "shop@a3",
                              "shop@m1", "tools@d1", "nolabel@head"])
    each("a2,c1", "upgrade", ["shop@+1", "shop@head", "stats@+1", "stats@head", "shop@m2"])
    each("a1", "upgrade", ["shop@+1", "shop@b1"])
    each("b2", "upgrade", ["shop@+1", "shop@head"])
    each("c1", "upgrade", ["stats@+1"])
    each("c2", "upgrade", ["shop@head", "stats@+1"])
    each("m1", "upgrade", ["stats@head"])
    each("d1", "upgrade", ["tools@+1"])
    # targets that go the wrong way
    each("m1", "upgrade", ["-1"])
    each("a1", "downgrade", ["+1"])

    # -- downgrade
    each("heads", "downgrade", ["base", "-1", "-2", "a1", "m1", "c1", "b2", "d1", "heads",
                                "shop@base", "stats@base", "tools@base", "shop@-1",
                                "stats@-1", "tools@-1", "m1-1", "stats@a1", "shop@a2",
                                "m2"])
    each("m2", "downgrade", ["base", "-1", "-2", "-3", "a1", "b1", "c1", "a3", "shop@base",
                             "stats@base", "shop@-1", "m1-1"])
    each("m1", "downgrade", ["-1", "-2", "base", "a2", "b1", "c1", "shop@-1", "shop@base"])
    each("a3,b2", "downgrade", ["-1", "-2", "a1", "c1", "base", "stats@base", "shop@base",
                                "b2-1"])
    each("b2", "downgrade", ["-1", "b1", "a1", "c1", "base", "stats@base"])
    each("d1", "downgrade", ["-1", "base", "a1", "shop@base", "tools@base"])
    each("a3,c2", "downgrade", ["-1", "c1", "a2", "base"])
    each("a1", "downgrade", ["-1", "-2", "a2"])
    each("empty", "downgrade", ["base", "-1"])

    # -- stamp
    each("empty", "stamp", ["b2", "m2", "heads", "base", "a1", "shop@head", "stats@c1",
                            "c2 b2", "a3 b2 c2", "a1 a2"])
    each("a3,b2", "stamp", ["c2", "b2", "d1", "base", "heads", "m1", "a1", "stats@head",
                            "c2 d1", "c1 --purge", "base --purge", "b2 c2 --purge"])
    each("heads", "stamp", ["a1", "c2", "heads --purge", "m2 --purge"])
    each("m1", "stamp", ["c2", "a3"])
    each("d1", "stamp", ["d2"])
    each("c1", "stamp", ["b1"])

    # -- offline (--sql): a script from base makes the version table
    # (Alembic: CREATE TABLE), so it runs on a database without one; one
    # that ends at base drops it (Alembic: DROP TABLE), so it runs on a
    # database with one; one from FROM runs on a database at FROM
    each("empty", "upgrade", ["heads", "m2", "b2", "d1", "a1", "shop@head", "stats@head",
                              "m1", "base:a3"], "--sql")
    for t in ["a1:b2", "a1:m2", "b2:m1", "a3:m1", "c1:c2", "c2:c1", "a2:d1"]:
        each(t.split(":")[0], "upgrade", [t], "--sql")
    for t in ["m2:base", "m2:a1", "m2:m1", "m2:c1", "b2:a1", "m1:a2", "d1:a2", "a3:base"]:
        each(t.split(":")[0], "downgrade", [t], "--sql")
    # without a starting revision: Alembic needs FROM:TO to go down
    each("m2", "downgrade", ["base", "-1"], "--sql")
    each("empty", "stamp", ["b2", "m2", "c2 b2", "heads", "shop@head"], "--sql")
    each("base", "stamp", ["base"], "--sql")
    each("a3", "stamp", ["a3:base", "a3:c2", "a3:m1"], "--sql")

    # -- listings
    each("empty", "heads", ["", "-v", "--resolve-dependencies"])
    each("empty", "branches", ["", "-v"])
    each("empty", "history", ["", "-v"])
    each("empty", "history -r", ["base:a2", "a1:", ":b2", "a1:m1", "c1:m2", "b1:b2", "d1:",
                                 "base:base", "m2:a1", "shop@head:", "base:heads",
                                 "stats@base:stats@head"])
    for pre in ["m1", "b2", "a3,b2"]:
        each(pre, "history", ["-r=-2:current", "-r current:", "-i"])
    each("b2", "history", ["-r -2:current"])
    for pre in ["empty", "base", "b2", "a3,b2,c2", "heads", "d1", "m1,c2"]:
        each(pre, "current", [""])
    each("m1", "current", ["-v"])
    each("empty", "show", ["a1", "m1", "m2", "b1", "c1", "d1", "base", "heads", "head",
                           "shop@head", "b2b"])
    each("m1", "show", ["current"])

    # -- sequences: each tool's own version rows carried on
    seq("upgrade b2", "downgrade -1")
    seq("upgrade b2", "upgrade +1")
    seq("upgrade b2", "downgrade c1")
    seq("upgrade b2", "current")
    seq("upgrade d1", "downgrade a2")
    seq("upgrade d1", "current")
    seq("upgrade m1", "downgrade -1")
    seq("upgrade heads", "downgrade m1", "current")
    seq("upgrade heads", "downgrade shop@base", "upgrade heads")
    seq("upgrade shop@head", "upgrade stats@head", "current")
    seq("upgrade b1", "upgrade c2", "upgrade m2", "downgrade base")
    seq("stamp b2 c2", "upgrade heads")
    return out


# ---- running and comparing ------------------------------------------------------

def run_case(tool, pre_path, cmds, scratch):
    """Each command's (ok, text); the log, versions, tables; whether a
    --sql command touched its database; the error text for the report."""
    db = os.path.join(scratch, "case.db")
    shutil.copyfile(pre_path, db)
    res = {"ok": [], "out": [], "touched": [], "err": [], "listed": [], "runs": []}
    state_db = db
    logged = 0
    for c in cmds:
        argv = expand(c).split()
        sql = "--sql" in argv
        before = db_dump(db) if sql else None
        outcome, out, err = tool.run(db, argv)
        ok = outcome == OK
        res["ok"].append(outcome)
        res["err"].append(err.strip())
        if argv[0] in TEXT_COMMANDS:
            res["out"].append(normalise(argv, out))
            res["listed"].append(argv)
        if sql:
            res["touched"].append(db_dump(db) != before)
            state_db = os.path.join(scratch, "script.db")
            shutil.copyfile(pre_path, state_db)
            if ok:
                problem = apply_script(state_db, out)
                if problem:
                    res["ok"][-1] = FAILED
                    res["err"][-1] = "the script failed in sqlite3: " + problem
        # what this command ran, for the order of each run on its own
        ran = db_state(state_db)[0]
        res["runs"].append(ran[logged:])
        logged = len(ran)
    res["ran"], res["versions"], res["tables"] = db_state(state_db)
    return res


ASPECTS = ("ok", "out", "touched", "ran", "versions", "tables")

ID_RE = re.compile(r"\b(%s)\1\1\b" % "|".join(NAMES))


def short(text):
    """Ids back to short names, for the report."""
    return ID_RE.sub(r"\1", text)


def why(err):
    """The line of a program's stderr that says what went wrong."""
    lines = [l.strip() for l in err.splitlines() if l.strip()]
    for l in lines:
        if l.startswith(("error:", "FAILED:", "alembic: error:")) or ": error:" in l:
            return short(l)
    return short(lines[-1]) if lines else "?"


def show(aspect, value, err):
    if aspect == "ok":
        return " ; ".join(v if v == OK else "%s: %s" % (v, why(e)) for v, e in zip(value, err))
    if aspect in ("versions", "ran", "tables"):
        return "[%s]" % ", ".join(short(v) for v in value)
    if aspect == "touched":
        return " ".join("changed the db" if t else "db untouched" for t in value)
    return repr(value)


def line_difference(a, r):
    """The first line where two texts differ, as each has it."""
    al, rl = a.splitlines(), r.splitlines()
    for i in range(max(len(al), len(rl))):
        x = al[i] if i < len(al) else "<end>"
        y = rl[i] if i < len(rl) else "<end>"
        if x != y:
            if x.strip() == y.strip():        # blanks only: make them seen
                x, y = repr(x), repr(y)
            return "line %d: %s" % (i + 1, short(x)), "line %d: %s" % (i + 1, short(y))
    return "", ""


def first_text_difference(a_outs, r_outs, order_allowed):
    """Where the first differing listing differs.  When the order of
    branches may differ, the entries (lines, or `show` blocks) one side
    has and the other has not: 'not listed' when the other side lacks
    one, else the first differing line of the first such pair."""
    for a, r in zip(a_outs, r_outs):
        if a == r:
            continue
        if order_allowed:
            ea, er = entries(a), entries(r)
            only_a = [e for e in ea if ea.count(e) > er.count(e)]
            only_r = [e for e in er if er.count(e) > ea.count(e)]
            if only_a and only_r:
                # pair a block with the other side's block of the same
                # revision, if there is one
                x = only_a[0]
                head = x.split("\n")[0].split(" (")[0]
                y = next((e for e in only_r if e.split("\n")[0].split(" (")[0] == head),
                         only_r[0])
                if x.count("\n") <= 1:
                    return line_difference(x, y)
                x, y = line_difference(x, y)
                return "in %s: %s" % (short(head), x), y
            if only_a or only_r:
                def first(e):
                    return short(e[0].split("\n")[0]) if e else "(not listed)"
                return first(only_a), first(only_r)
        return line_difference(a, r)
    return "", ""


# ---- the order of independent branches ------------------------------------
#
# docs/alembic.md lists it as a deliberate difference: Alembic's order of
# independent branches is that of os.listdir(), retort's a fixed
# topological one.  When allowed.txt names that row (case '*', aspect
# 'order'), a run or a listing may come in another order than Alembic's
# if it has the same steps or lines and its order still respects the
# graph: each revision upgraded after what it stands on (down_revision and
# depends_on) and downgraded before it, and history newest first.

def ancestry():
    """{name: every revision below it through down_revision or depends_on}"""
    below = {n: set(parents) | set(depends) for n, parents, _, depends in GRAPH}
    out = {}

    def walk(n):
        if n not in out:
            out[n] = set()
            for p in below[n]:
                out[n] |= {p} | walk(p)
        return out[n]
    for n in NAMES:
        walk(n)
    return out


ANCESTORS = ancestry()


def run_in_order(steps):
    """Does a run ('up a1', 'down b2', ...) respect the graph?"""
    for i, first in enumerate(steps):
        for later in steps[i + 1:]:
            (d1, x), (d2, y) = first.split(), later.split()
            if d1 == d2 == "up" and y in ANCESTORS[x]:
                return False
            if d1 == d2 == "down" and x in ANCESTORS[y]:
                return False
    return True


LISTED_ID_RE = re.compile(r"^(?:Rev: (\w+)|.*-> (\w+))")


def entries(text):
    """A listing's entries: its blocks when it prints `show` blocks, else
    its lines."""
    if re.search(r"(?m)^Rev: ", text):
        return re.split(r"(?m)^(?=Rev: )", text)
    return text.split("\n")


def listing_in_order(argv, text):
    """Does a listing keep the graph's order?  history lists newest first;
    heads and show put no order on their revisions."""
    if argv[0] != "history":
        return True
    ids = []
    for e in entries(text):
        m = LISTED_ID_RE.match(e)
        if m:
            ids.append(short(m.group(1) or m.group(2)))
    return run_in_order(["down " + i for i in ids if i in ANCESTORS])


def only_order(aspect, a, r):
    """Does `aspect` differ only in an order that respects the graph?"""
    if aspect == "ran":
        return (len(a["runs"]) == len(r["runs"])
                and all(sorted(x) == sorted(y) and run_in_order(y)
                        for x, y in zip(a["runs"], r["runs"])))
    if aspect == "out":
        return all(x == y or (sorted(entries(x)) == sorted(entries(y))
                              and listing_in_order(argv, y))
                   for x, y, argv in zip(a["out"], r["out"], r["listed"]))
    return False


def differing(a, r, order_allowed):
    """The aspects that differ, and those of them that differ only in an
    order docs/alembic.md allows."""
    differ = [x for x in ASPECTS if a[x] != r[x]]
    ordered = [x for x in differ if order_allowed and only_order(x, a, r)]
    return [x for x in differ if x not in ordered], ordered


def describe(real, ordered, a, r, order_allowed):
    """A differing case for the report: the first aspect that differs (not
    only in order), how each side reads there.  The aspect's name says
    more: 'ran order' when the same migrations ran in another order that
    is not allowed, '+versions' etc. for the later aspects that differ
    too, '(+order)' when something else differs only in order."""
    aspect = real[0]
    if aspect == "out":
        x, y = first_text_difference(a["out"], r["out"], order_allowed)
    elif aspect == "ran" and len(a["runs"]) > 1 and len(a["runs"]) == len(r["runs"]):
        # the first command whose run differs
        for i, (p, q) in enumerate(zip(a["runs"], r["runs"])):
            if p != q and not (order_allowed and sorted(p) == sorted(q) and run_in_order(q)):
                break
        x, y = ("command %d: %s" % (i + 1, show(aspect, v, [])) for v in (p, q))
    else:
        x, y = show(aspect, a[aspect], a["err"]), show(aspect, r[aspect], r["err"])
    name = aspect
    if aspect == "ran" and sorted(a["ran"]) == sorted(r["ran"]):
        name = "ran order"
    name += "".join("+" + d for d in real[1:])
    if ordered:
        name += " (+order)"
    return name, x, y


def read_allowed():
    """{case name: (aspects, docs row)} from allowed.txt, each row checked
    against the 'Deliberate differences' table of docs/alembic.md."""
    with open(DOCS) as f:
        docs = f.read()
    m = re.search(r"^## Deliberate differences\n(.*?)(?=^## |\Z)", docs, re.S | re.M)
    if not m:
        sys.exit("docs/alembic.md has no '## Deliberate differences' section")
    rows = [line.split("|")[1].strip() for line in m.group(1).splitlines()
            if line.startswith("|") and not line.startswith("|---")][1:]
    allowed = {}
    with open(ALLOWED) as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 3:
                sys.exit("%s:%d: not CASE<tab>ASPECTS<tab>ROW" % (ALLOWED, no))
            name, aspects, row = (f.strip() for f in fields)
            aspects = aspects.split(",")
            if (name == "*") != (aspects == ["order"]):
                sys.exit("%s:%d: the aspect 'order' goes with the case '*', and only it"
                         % (ALLOWED, no))
            if name != "*" and (not aspects or set(aspects) - set(ASPECTS)):
                sys.exit("%s:%d: aspects are a comma list of %s"
                         % (ALLOWED, no, ", ".join(ASPECTS)))
            if row not in rows:
                sys.exit("%s:%d: '%s' does not name a row of docs/alembic.md's "
                         "Deliberate differences table (%s)"
                         % (ALLOWED, no, row, "; ".join(rows)))
            allowed[name] = (aspects, row)
    return allowed


def table(rows, headers):
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    widths[-1] = 0
    fmt = "  ".join("%%-%ds" % w for w in widths)
    lines = [fmt % tuple(headers), fmt % tuple("-" * len(h) for h in headers)]
    lines += [(fmt % tuple(r)).rstrip() for r in rows]
    return "\n".join(lines)


def main(argv):
    args = list(argv)
    verbose = "-v" in args
    pattern = None
    if "-k" in args:
        pattern = args[args.index("-k") + 1]
        del args[args.index("-k"):args.index("-k") + 2]
    args = [a for a in args if a != "-v"]
    if len(args) != 1:
        sys.exit(__doc__.split("\n\n")[1])
    binary = os.path.abspath(args[0])
    if not os.access(binary, os.X_OK):
        sys.exit("retort binary '%s' is not executable" % binary)
    try:
        __import__("alembic.config")
    except ImportError:
        sys.exit("this test needs Debian's python3-alembic for %s (scripts/deps.sh test)"
                 % sys.executable)
    allowed = read_allowed()
    started = time.monotonic()
    all_cases = cases()
    names = [c[0] for c in all_cases]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        sys.exit("cases given twice: %s" % ", ".join(sorted(dup)))
    order_allowed = allowed.pop("*", None) is not None
    stale = set(allowed) - set(names)
    if stale:
        sys.exit("allowed.txt names cases that do not exist: %s" % ", ".join(sorted(stale)))
    if pattern:
        all_cases = [c for c in all_cases if pattern in c[0]]

    # The cases are some 2000 small transactions, each synced to disk
    # when the folder is on a disk: a folder in memory, when there is one
    # (/dev/shm on Linux), makes the run several times faster.
    scratch_parent = None
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK | os.X_OK):
        scratch_parent = "/dev/shm"
    with tempfile.TemporaryDirectory(prefix="retort-differential-", dir=scratch_parent) as top:
        adir, rdir = write_projects(top)
        alembic_tool = Alembic(adir)
        retort_tool = Retort(binary, rdir)
        pres = make_prestates(alembic_tool, top)
        # one folder for both, so the database's path is the same in both
        # outputs (current -v prints it)
        scratch = os.path.join(top, "case")
        os.makedirs(scratch)
        bad, agreed_allowed, allowed_seen = [], [], 0
        details = []
        for name, pre, cmds in all_cases:
            a = run_case(alembic_tool, pres[pre], cmds, scratch)
            r = run_case(retort_tool, pres[pre], cmds, scratch)
            real, ordered = differing(a, r, order_allowed)
            if name in allowed:
                if not real:
                    agreed_allowed.append(name)
                    continue
                if set(real) == set(allowed[name][0]):
                    allowed_seen += 1
                    continue
            elif not real:
                allowed_seen += bool(ordered)
                continue
            if real:
                aspect, x, y = describe(real, ordered, a, r, order_allowed)
                if name in allowed:
                    aspect += " (allowed: %s)" % ",".join(allowed[name][0])
                bad.append((name, aspect, x, y))
                if verbose:
                    details.append((name, a, r))

    elapsed = time.monotonic() - started
    if bad:
        print(table([(n, asp, x, y) for n, asp, x, y in bad],
                    ["case (pre-state | commands)", "aspect", "alembic", "retort"]))
        print()
    for name, a, r in details:
        print("==== %s" % name)
        for who, res in (("alembic", a), ("retort", r)):
            for aspect in ASPECTS:
                value = res[aspect]
                if aspect == "out":
                    for text in value:
                        print("  %-8s out" % who)
                        for line in text.split("\n"):
                            print("      | %s" % short(line))
                else:
                    print("  %-8s %-8s %s" % (who, aspect, short(repr(value))))
            for e in res["err"]:
                if e:
                    print("  %-8s stderr   %s" % (who, short(e).replace("\n", "\n" + " " * 20)))
    for name in agreed_allowed:
        print("allowed.txt lists '%s' (%s), but the tools agree now: remove it"
              % (name, allowed[name][1]))
    print("%d cases, %d differ, %d differ as docs/alembic.md allows, %.1f s"
          % (len(all_cases), len(bad), allowed_seen, elapsed))
    return 1 if bad or agreed_allowed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
