#!/usr/bin/python3
"""`make corpus`: retort against real migration sets (issue 18).

    /usr/bin/python3 tests/corpus/run.py RETORT CORPORA_DIR [-k NAME] [--keep]

CORPORA_DIR is ../shared/corpora seen from the repository (see its
README.md); the corpora are read there and never copied into the project.
Four corpora: Synapse (tests/corpus/synapse.py converts it) and
Vaultwarden's Diesel migrations (`retort import diesel`), each on SQLite and
on PostgreSQL.  PostgreSQL runs on a throwaway server (scripts/pgserver.sh)
whose state file is in the scratch folder; it is stopped at the end, on
failure and on SIGINT/SIGTERM too.

For each corpus, in a scratch folder:

  convert    the corpus as a retort project, and the same SQL as "steps"
             (revision id, upgrade SQL, downgrade SQL) for the oracle
  upgrade    `retort upgrade head` on one database; the steps' upgrades fed
             to sqlite3/psql, one transaction each in one session (as the
             tools run them), on another; schema and rows compared
  downgrade  (where the corpus has downgrades) `retort downgrade base` and
             the downgrades in reverse order; then `upgrade` again: both
             compared.  A step that fails must fail on both sides, on the
             same revision, leaving the same database
  offline    `retort upgrade head --sql` from base, the script fed to
             sqlite3 -bail / psql -v ON_ERROR_STOP=1 on an empty database,
             compared with the upgrade phase's oracle
  model      the oracle's dump (`sqlite3 .schema` / `pg_dump --schema-only`,
             as the tools write it) is the model of a project on an empty
             database: `revision --autogenerate`, `upgrade head`, then the
             dump must be the oracle's and `retort check` clean
  edits      five edits to that model (add a column, add an index, drop a
             column, change a default, add a table with a foreign key) on
             a copy of the migrated database: the `detected` lines must be
             exactly those operations, the revision must apply, `check`
             must then be clean and the schema must be the edited model's
             as sqlite3/psql build it; its downgrade must give back the
             schema before the edits (but for the place of a column added
             back, which goes last)

What is compared: the schema text of `sqlite3 .schema` (statements about
retort's own tables removed) or of `pg_dump --schema-only` (retort's
tables excluded, the `\\restrict` lines, which carry a random key, removed),
and the rows (`.dump`'s INSERT lines / `pg_dump --data-only`, sorted per
table, with the clock's readings masked: mask_now()).  After autogenerate
the SQLite text cannot be the same (retort writes its own CREATE
statements), so there the catalog is compared: each table's PRAGMA
table_xinfo (declared types upper-cased, the rowid's NOT NULL implied),
foreign_key_list (in any order) and indexes (index_xinfo), its CHECK
clauses, and the SQL of views, triggers and virtual tables with comments
dropped and blanks collapsed (squash()).

Exit status 0 when everything agrees; 1 with, per failure, the corpus, the
phase and a diff (or retort's error).  Figures per corpus at the end.
"""
import argparse
import difflib
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import synapse  # noqa: E402  (beside this file)

RETORT_TABLES = ("retort_version", "retort_history")
DIFF_LINES = 80


class Failure(Exception):
    """A mismatch: the phase it happened in and what differs."""

    def __init__(self, phase, text, texts=None):
        super().__init__(text)
        self.phase = phase
        self.text = text
        self.texts = texts      # the two texts compared, if any


def run(args, cwd=None, stdin=None, env=None):
    """Run a program; (exit status, stdout, stderr)."""
    p = subprocess.run(args, cwd=cwd, input=stdin, env=env, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def diff(phase, what, want, got, want_name, got_name):
    """Raise Failure when the texts differ, with a unified diff."""
    if want == got:
        return
    lines = list(difflib.unified_diff(want.splitlines(), got.splitlines(), want_name, got_name,
                                      lineterm="", n=2))
    more = len(lines) - DIFF_LINES
    text = "%s differs:\n%s" % (what, "\n".join(lines[:DIFF_LINES]))
    if more > 0:
        text += "\n... (%d more lines of diff)" % more
    raise Failure(phase, text, (want, got))


def mask_now(text):
    """TEXT with the clock's readings (Unix seconds or milliseconds within a
    week of now, which a migration writes with now()/strftime) as <now>:
    two runs a second apart write different ones."""
    now = time.time()

    def sub(m):
        v = int(m.group(0))
        for scale in (1, 1000):
            if abs(v / scale - now) < 7 * 86400:
                return "<now>"
        return m.group(0)
    return re.sub(r"(?<![\w.])\d{10}(\d{3})?(?![\w.])", sub, text)


def run_steps(argv, echo, sqls):
    """Feed SQLS to the shell ARGV, each in BEGIN ... COMMIT after a line
    ECHO % marker that prints it: the last marker printed names the step
    that failed (the shell stops there, and its transaction is rolled back
    when the shell exits).  (How many steps ran, None or the error.)"""
    mark = "corpus-step-%d"
    script = "".join(echo % (mark % i) + "BEGIN;\n%s\n;\nCOMMIT;\n" % sql
                     for i, sql in enumerate(sqls)) + echo % (mark % len(sqls))
    st, out, err = run(argv, stdin=script)
    done = [int(m) for m in re.findall(r"(?m)^corpus-step-(\d+)$", out)]
    n = done[-1] if done else 0
    if not st and n == len(sqls):
        return n, None
    return n, (err or out[-500:] or "%s exited with %d" % (argv[0], st)).strip()


def unordered(text):
    """TEXT's lines sorted, without their trailing commas."""
    return "\n".join(sorted(l.rstrip(",") for l in text.splitlines())) + "\n"


def sql_statements(text):
    """`.schema` output as statements: each starts on a line beginning CREATE."""
    out, cur = [], []
    for line in text.splitlines():
        if line.startswith("CREATE ") and cur:
            out.append("\n".join(cur))
            cur = []
        cur.append(line)
    if cur:
        out.append("\n".join(cur))
    return out


def is_retort_stmt(stmt):
    """Is STMT (of .schema) about retort's tables?  What comes before its
    first '(' ends with the name of the table or, for an index, of its
    table."""
    head = stmt.split("(", 1)[0]
    return any(re.search(r'[\s."]%s"?\s*$' % t, head) for t in RETORT_TABLES)


def squash(sql):
    """SQL with comments dropped, blanks collapsed and none beside ( ) , ;
    (for the catalog)."""
    sql = re.sub(r"--[^\n]*", " ", sql)
    sql = re.sub(r"/\*.*?\*/", " ", sql, flags=re.S)
    sql = re.sub(r"\s+", " ", sql).strip()
    return re.sub(r" ?([(),;]) ?", r"\1", sql)


def check_clauses(sql):
    """The CHECK (...) clauses of a CREATE TABLE, squashed."""
    sql, out = squash(sql), []
    for m in re.finditer(r"\bCHECK\s*\(", sql, re.I):
        depth, j = 1, m.end()
        while j < len(sql) and depth:
            depth += {"(": 1, ")": -1}.get(sql[j], 0)
            j += 1
        out.append(sql[m.end():j - 1].strip())
    return sorted(out)


# ---- SQLite -------------------------------------------------------------------

class Sqlite:
    name = "sqlite"

    def __init__(self, scratch):
        self.scratch = scratch

    def new_db(self, label):
        path = os.path.join(self.scratch, label + ".db")
        if os.path.exists(path):
            os.unlink(path)
        return path

    def url(self, db):
        return "sqlite:///" + db

    def copy(self, db, label):
        path = self.new_db(label)
        st, _, err = run(["sqlite3", db, ".backup '%s'" % path])
        if st:
            raise Failure("setup", "cannot copy %s: %s" % (db, err))
        return path

    def steps(self, db, sqls):
        """Run each SQL in a transaction of its own, as the tools do, in one
        session (Synapse and Diesel keep one connection); stop at the first
        error.  (How many ran, None or the error.)"""
        return run_steps(["sqlite3", "-bail", db], ".print %s\n", sqls)

    def script(self, db, sql):
        st, out, err = run(["sqlite3", "-bail", db], stdin=sql)
        return (err or out or "sqlite3 exited with %d" % st).strip() if st else None

    def raw_schema(self, db):
        return run(["sqlite3", db, ".schema"])[1]

    def schema(self, db):
        stmts = [s for s in sql_statements(self.raw_schema(db)) if not is_retort_stmt(s)]
        return "\n".join(stmts) + "\n"

    def rows(self, db):
        ins = [l for l in run(["sqlite3", db, ".dump"])[1].splitlines()
               if l.startswith("INSERT INTO") and not re.match(
                   r'INSERT INTO "?(%s)"?[ (]' % "|".join(RETORT_TABLES), l)]
        return "\n".join(sorted(mask_now(l) for l in ins)) + "\n"

    def catalog(self, db):
        """The schema as SQLite's catalog describes it (see the docstring)."""
        con = sqlite3.connect(db)
        out = []
        q = lambda sql, *a: con.execute(sql, a).fetchall()  # noqa: E731
        objs = q("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%%'"
                 " AND tbl_name NOT IN (%s) ORDER BY type, name" % ",".join("?" * len(RETORT_TABLES)),
                 *RETORT_TABLES)
        for typ, name, tbl, sql in objs:
            if typ == "table" and sql and re.match(r"CREATE\s+VIRTUAL", sql, re.I):
                out.append("virtual table %s: %s" % (name, squash(sql)))
            elif typ == "table":
                out.append("table %s%s" % (name, " WITHOUT ROWID" if re.search(
                    r"\)\s*WITHOUT\s+ROWID\s*$", squash(sql), re.I) else ""))
                cols = q("SELECT * FROM pragma_table_xinfo(?)", name)
                rowid = [c for c in cols if c[5]] if "WITHOUT" not in out[-1] else []
                for c in cols:
                    # a declared type's case means nothing to SQLite, nor
                    # does NOT NULL on the rowid (NULL there still takes
                    # the next rowid)
                    notnull = 1 if len(rowid) == 1 and c[5] and c[2].upper() == "INTEGER" else c[3]
                    out.append("  column %r" % ((c[1], c[2].upper(), notnull) + tuple(c[4:]),))
                # a key's id is its place in the CREATE TABLE: not compared
                fks = {}
                for r in q("SELECT * FROM pragma_foreign_key_list(?) ORDER BY id, seq", name):
                    fks.setdefault(r[0], []).append(r[2:])
                out += sorted("  fkey %r" % (k,) for k in fks.values())
                out += ["  check %s" % c for c in check_clauses(sql)]
                for ix in q("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?)", name):
                    if ix[2] == "c":
                        continue  # a CREATE INDEX: its own entry below
                    keys = q("SELECT name, desc, coll FROM pragma_index_xinfo(?) WHERE key", ix[0])
                    out.append("  %s unique=%d %r" % ({"pk": "primary key", "u": "unique"}[ix[2]],
                                                       ix[1], keys))
            elif typ == "index" and sql:
                keys = q("SELECT name, desc, coll FROM pragma_index_xinfo(?) WHERE key", name)
                where = re.search(r"\bWHERE\b(.*)$", squash(sql), re.I | re.S)
                uniq = q("SELECT \"unique\" FROM pragma_index_list(?) WHERE name = ?", tbl, name)
                out.append("index %s on %s unique=%d %r%s" % (
                    name, tbl, uniq[0][0] if uniq else -1, keys,
                    " WHERE " + where.group(1).strip() if where else ""))
            elif typ in ("view", "trigger"):
                out.append("%s %s: %s" % (typ, name, squash(sql)))
        con.close()
        return "\n".join(out) + "\n"

    def counts(self, db):
        """Tables (virtual ones and their shadow tables too), indexes (those
        of PRIMARY KEY and UNIQUE too, as PostgreSQL counts them), views,
        triggers."""
        con = sqlite3.connect(db)
        rows = dict(con.execute(
            "SELECT type, count(*) FROM sqlite_master WHERE (type = 'index' OR name NOT LIKE "
            "'sqlite_%%') AND tbl_name NOT IN ('%s') GROUP BY type" % "','".join(RETORT_TABLES)).fetchall())
        con.close()
        return [rows.get(k, 0) for k in ("table", "index", "view", "trigger")]

    def close(self):
        pass


# ---- PostgreSQL ---------------------------------------------------------------

class Postgres:
    name = "postgresql"

    def __init__(self, scratch):
        self.scratch = scratch
        self.state = os.path.join(scratch, "pgserver.state")
        st, out, err = run([os.path.join(ROOT, "scripts", "pgserver.sh"), "start", self.state])
        if st:
            raise Failure("setup", "cannot start PostgreSQL (scripts/pgserver.sh): %s%s" % (out, err))
        with open(self.state) as f:
            self.admin = f.read().split()[0]
        self.base = self.admin.rsplit("/", 1)[0]
        self.dbs = []

    def psql(self, url, sql, single=True):
        args = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url]
        st, out, err = run(args + (["-1"] if single else []), stdin=sql)
        return err.strip() or "psql exited with %d" % st if st else None

    def new_db(self, label, template=None):
        name = "c_" + re.sub(r"[^a-z0-9]+", "_", label.lower())
        err = self.psql(self.admin, 'DROP DATABASE IF EXISTS "%s" WITH (FORCE);\nCREATE DATABASE "%s"%s;'
                        % (name, name, ' TEMPLATE "%s"' % template if template else ""), single=False)
        if err:
            raise Failure("setup", "cannot create database %s: %s" % (name, err))
        self.dbs.append(name)
        return name

    def url(self, db):
        return "%s/%s" % (self.base, db)

    def copy(self, db, label):
        return self.new_db(label, template=db)

    def steps(self, db, sqls):
        return run_steps(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url(db)],
                         "\\echo %s\n", sqls)

    def script(self, db, sql):
        return self.psql(self.url(db), sql, single=False)

    def dump(self, db, *opts):
        args = ["pg_dump", "-d", self.url(db)] + list(opts)
        for t in RETORT_TABLES:
            args += ["--exclude-table", t]
        st, out, err = run(args)
        if st:
            raise Failure("dump", "pg_dump failed: %s" % err)
        return out

    def raw_schema(self, db):
        return run(["pg_dump", "--schema-only", "-d", self.url(db)])[1]

    def schema(self, db):
        return "".join(l for l in self.dump(db, "--schema-only").splitlines(True)
                       if not re.match(r"\\(un)?restrict ", l))

    def rows(self, db):
        """pg_dump --data-only with each COPY block's rows sorted."""
        out, block = [], None
        for line in self.dump(db, "--data-only").splitlines():
            if re.match(r"\\(un)?restrict ", line):
                continue
            if block is not None:
                if line == "\\.":
                    out += sorted(mask_now(l) for l in block) + [line]
                    block = None
                else:
                    block.append(line)
            else:
                out.append(line)
                if line.startswith("COPY "):
                    block = []
        return "\n".join(out) + "\n"

    def catalog(self, db):
        return self.schema(db)

    def counts(self, db):
        q = ("SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = relnamespace"
             "  WHERE nspname = 'public' AND relkind IN ('r', 'p') AND relname NOT IN ('%s')),"
             " (SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT IN ('%s')),"
             " (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = relnamespace"
             "  WHERE nspname = 'public' AND relkind IN ('v', 'm')),"
             " (SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal)"
             % ("','".join(RETORT_TABLES), "','".join(RETORT_TABLES)))
        st, out, err = run(["psql", "-X", "-A", "-t", "-F", " ", "-d", self.url(db), "-c", q])
        return [int(x) for x in out.split()] if not st else ["?"] * 4

    def close(self):
        run([os.path.join(ROOT, "scripts", "pgserver.sh"), "stop", self.state])


# ---- the corpora ----------------------------------------------------------------

class Corpus:
    """A migration set on one dialect, and the five edits of its model."""

    def __init__(self, name, dialect, convert, edits):
        self.name, self.dialect, self.convert, self.edits = name, dialect, convert, edits


def convert_synapse(corpora, dialect, proj):
    schema_dir = os.path.join(corpora, "synapse", "synapse", "storage", "schema")
    revs, skipped = synapse.write(schema_dir, dialect, os.path.join(proj, "migrations", "versions"))
    steps = [(rev, "\n".join(synapse.script(p, dialect) for p in files), None)
             for rev, _, files in revs]
    return steps, ["%d files skipped (synapse.py says why: %s)" % (
        len(skipped), ", ".join(sorted({why for _, why in skipped})))] if skipped else []


def convert_vaultwarden(corpora, dialect, proj, retort):
    tree = os.path.join(corpora, "vaultwarden", "migrations",
                        {"sqlite": "sqlite", "postgresql": "postgresql"}[dialect])
    st, out, err = run([retort, "import", "diesel", tree], cwd=proj, env=retort_env())
    if st:
        raise Failure("convert", "retort import diesel %s failed:\n%s%s" % (tree, out, err))
    steps = []
    # Diesel's version is the folder name up to its first '_', stored and
    # ordered without the dashes
    for d in sorted(os.listdir(tree), key=lambda d: d.split("_", 1)[0].replace("-", "")):
        read = lambda f: open(os.path.join(tree, d, f), encoding="utf-8").read() \
            if os.path.exists(os.path.join(tree, d, f)) else None  # noqa: E731
        steps.append((d.split("_", 1)[0].replace("-", ""), read("up.sql"), read("down.sql")))
    return steps, []


# The five edits of each corpus's model (edit_model): a column added to a
# table, an index added on TABLE (COLUMN), a column dropped, a column's
# DEFAULT changed from OLD to NEW, and a table corpus_notes added with a
# foreign key to TABLE (COLUMN) of the given type per dialect.  Columns
# that no index, view or trigger uses, so that each is one operation.
SYNAPSE_EDITS = {
    "add_column": "users",
    "add_index": ("rooms", "creator"),
    "drop_column": ("local_media_repository", "upload_name"),
    "default": ("push_rules", "priority", "0", "1"),
    "fk_table": ("rooms", "room_id", {"sqlite": "TEXT", "postgresql": "text"}),
}
VAULTWARDEN_EDITS = {
    "add_column": "users",
    "add_index": ("folders", "name"),
    "drop_column": ("organizations", "public_key"),
    "default": ("users", "client_kdf_iter", "100000", "600000"),
    "fk_table": ("users", "uuid", {"sqlite": "TEXT", "postgresql": "character(36)"}),
}


def corpora_list(retort):
    out = []
    for dialect in ("sqlite", "postgresql"):
        out.append(Corpus("synapse-" + dialect, dialect,
                          lambda c, d, p: convert_synapse(c, d, p), SYNAPSE_EDITS))
    for dialect in ("sqlite", "postgresql"):
        out.append(Corpus("vaultwarden-" + dialect, dialect,
                          lambda c, d, p: convert_vaultwarden(c, d, p, retort), VAULTWARDEN_EDITS))
    return out


# ---- the model's edits ------------------------------------------------------------

def edit_model(model, dialect, e):
    """MODEL (a dump) with the five edits; [regex of each expected operation]."""
    q = "public." if dialect == "postgresql" else ""
    table, col, old, new = e["default"]
    m = re.search(r'CREATE TABLE (IF NOT EXISTS )?(public\.)?"?%s"?\s*\(' % table, model)
    if not m:
        raise Failure("edits", "the model has no CREATE TABLE %s" % table)
    end = model.index(");", m.end())
    stmt, n = re.subn(r"(\b%s\b[^,\n]*?\bDEFAULT\s+)%s\b" % (col, old), r"\g<1>" + new,
                      model[m.start():end], count=1)
    if n != 1:
        raise Failure("edits", "the model's %s.%s has no DEFAULT %s" % (table, col, old))
    model = model[:m.start()] + stmt + model[end:]
    ix_table, ix_col = e["add_index"]
    drop_table, drop_col = e["drop_column"]
    ref_table, ref_col, ref_type = e["fk_table"]
    model += ("\n-- make corpus: edits\n"
              "ALTER TABLE {q}{add} ADD COLUMN corpus_nickname TEXT;\n"
              "CREATE INDEX corpus_{ixt}_{ixc} ON {q}{ixt} ({ixc});\n"
              "ALTER TABLE {q}{dt} DROP COLUMN {dc};\n"
              "CREATE TABLE {q}corpus_notes (\n"
              "    id BIGINT PRIMARY KEY,\n"
              "    {rc} {rtype} NOT NULL REFERENCES {q}{rt} ({rc}),\n"
              "    note TEXT NOT NULL\n"
              ");\n").format(q=q, add=e["add_column"], ixt=ix_table, ixc=ix_col, dt=drop_table,
                             dc=drop_col, rt=ref_table, rc=ref_col, rtype=ref_type[dialect])
    expected = [
        r"add column %s\.corpus_nickname text" % e["add_column"],
        r"add index corpus_%s_%s on %s \(%s\)" % (ix_table, ix_col, ix_table, ix_col),
        r"drop column %s\.%s" % (drop_table, drop_col),
        r"alter column %s\.%s: default \(?'?%s'?\)?(::\w+)? -> \(?'?%s'?\)?(::\w+)?"
        % (table, col, old, new),
        r"add table corpus_notes",
    ]
    return model, expected


def detected_ops(stderr):
    """The operations of the `detected` lines, a SQLite rebuild's taken apart."""
    ops = []
    for line in stderr.splitlines():
        if not line.startswith("detected "):
            continue
        op = line[len("detected "):]
        m = re.match(r"rebuild table \S+ \((.*)\)$", op)
        ops += m.group(1).split("; ") if m else [op]
    return ops


def match_ops(ops, expected):
    """'' when OPS are exactly EXPECTED (an added table's own foreign key
    may come as a line of its own), else what differs."""
    left, unexpected = list(expected), []
    for op in ops:
        hit = next((x for x in left if re.fullmatch(x, op, re.I)), None)
        if hit:
            left.remove(hit)
        elif not re.match(r"add foreign key corpus_notes\b", op):
            unexpected.append(op)
    msg = ""
    if left:
        msg += "missing: %s\n" % "; ".join(left)
    if unexpected:
        msg += "unexpected: %s\n" % "; ".join(unexpected)
    return msg


# ---- one corpus -------------------------------------------------------------------

def retort_env():
    env = {k: v for k, v in os.environ.items()
           if k != "DATABASE_URL" and not k.startswith("PG")}
    env.update(RETORT_CACHE_DIR="", TZ="UTC", LC_ALL="C")
    return env


def new_project(retort, path, url, schema=None):
    st, out, err = run([retort, "init", path], env=retort_env())
    if st:
        raise Failure("setup", "retort init %s failed: %s%s" % (path, out, err))
    ini = os.path.join(path, "retort.ini")
    with open(ini, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"(?m)^url = .*$", lambda _: "url = " + url, text)
    if schema:
        text = re.sub(r"(?m)^# schema = .*$", lambda _: "schema = " + schema, text)
    with open(ini, "w", encoding="utf-8") as f:
        f.write(text)


class Run:
    """One corpus: its project, its databases, and where the oracle is."""

    def __init__(self, corpus, db, retort, corpora, scratch):
        self.c, self.db, self.retort, self.corpora = corpus, db, retort, corpora
        self.dir = os.path.join(scratch, corpus.name)
        os.makedirs(self.dir)
        self.times, self.notes, self.failures = [], [], []
        self.pos = 0            # how many steps the oracle's database has
        self.steps = []
        self.figures = None

    def rt(self, *args, cwd=None, url=None):
        argv = [self.retort] + (["-u", url] if url else []) + list(args)
        return run(argv, cwd=cwd or self.proj, env=retort_env())

    def phase(self, name, fn):
        t0 = time.monotonic()
        try:
            fn()
            ok = True
        except Failure as f:
            text = f.text
            if f.texts:
                # the whole texts, for a look with --keep
                base = os.path.join(self.dir, re.sub(r"\W+", "-", name))
                for suffix, t in zip(("expected", "got"), f.texts):
                    with open("%s.%s" % (base, suffix), "w", encoding="utf-8") as out:
                        out.write(t)
                text += "\n(whole texts, kept with --keep: %s.expected, %s.got)" % (base, base)
            self.failures.append((f.phase or name, text))
            ok = False
        except (OSError, SystemExit) as e:  # a corpus file missing, synapse.py's refusal
            if isinstance(e, SystemExit) and not isinstance(e.code, str):
                raise
            self.failures.append((name, str(e.code if isinstance(e, SystemExit) else e)))
            ok = False
        self.times.append((name, time.monotonic() - t0))
        return ok

    # -- convert -----------------------------------------------------------------
    def convert(self):
        D = self.db
        self.proj = os.path.join(self.dir, "project")
        self.db_r = D.new_db(self.c.name + "_retort")
        self.db_d = D.new_db(self.c.name + "_oracle")
        new_project(self.retort, self.proj, D.url(self.db_r))
        self.steps, notes = self.c.convert(self.corpora, self.c.dialect, self.proj)
        self.notes += notes
        st, out, err = self.rt("history")
        ids = [m.group(1) for m in re.finditer(r"-> (\w+)(?: \(head\))?,", out)][::-1]
        if st or ids != [s[0] for s in self.steps]:
            raise Failure("convert", "the project's revisions are not the corpus's steps in order:\n"
                          "retort history (exit %d):\n%s%s\nsteps: %s"
                          % (st, out[:2000], err, " ".join(s[0] for s in self.steps)))
        self.downgrades = any(s[2] for s in self.steps)

    # -- upgrade, downgrade, upgrade again ------------------------------------------
    def oracle_move(self, up):
        """Move the oracle to head (UP) or base; (failed step, its error) or None."""
        todo = self.steps[self.pos:] if up else self.steps[:self.pos][::-1]
        n, err = self.db.steps(self.db_d, [(s[1] if up else s[2]) or "" for s in todo])
        self.pos += n if up else -n
        if err and n == len(todo):
            raise Failure("oracle", "the shell failed after the last step: " + err)
        return (todo[n][0], err) if err else None

    def migrate(self, phase, up):
        st, out, err = self.rt(*(["upgrade", "head"] if up else ["downgrade", "base"]))
        oracle = self.oracle_move(up)
        tool = "sqlite3" if self.c.dialect == "sqlite" else "psql"
        m = re.search(r"^error: (up|down)grade (\S*)\s*->\s*(\S*) failed", err, re.M)
        failed = (m.group(3) if up else m.group(2)) if m else None
        if st and not m:
            raise Failure(phase, "retort failed, not in a migration:\n%s%s" % (out, err))
        if (oracle[0] if oracle else None) != failed:
            raise Failure(phase, "%s; %s\nretort's output:\n%s%s" % (
                "%s failed at revision %s: %s" % (tool, oracle[0], oracle[1]) if oracle
                else "%s ran every step" % tool,
                "retort failed at revision %s" % failed if failed else "retort did not fail",
                out[-1500:], err[-1500:]))
        if oracle:
            self.notes.append("%s: both stop at revision %s (%s)" % (
                phase, oracle[0], oracle[1].splitlines()[0][:160]))
        self.compare(phase, self.db_r, "retort")

    def compare(self, phase, db, label):
        D = self.db
        diff(phase, "the schema", D.schema(self.db_d), D.schema(db), "sqlite3/psql", label)
        diff(phase, "the rows", D.rows(self.db_d), D.rows(db), "sqlite3/psql", label)

    def upgrade(self):
        try:
            self.migrate("upgrade", True)
        finally:
            self.figures = self.db.counts(self.db_d)
        # what later phases compare with: the corpus at head, as the tools
        # build it, and a copy of the migrated database for the edits
        self.head_schema = self.db.schema(self.db_d)
        self.head_rows = self.db.rows(self.db_d)
        self.head_model = self.db.raw_schema(self.db_d)
        self.head_catalog = self.db.catalog(self.db_d)
        self.db_h = self.db.copy(self.db_r, self.c.name + "_edits")

    def downgrade(self):
        self.migrate("downgrade", False)

    def upgrade_again(self):
        self.migrate("upgrade again", True)

    # -- offline --------------------------------------------------------------------
    def offline(self):
        D = self.db
        st, script, err = self.rt("upgrade", "head", "--sql")
        if st:
            raise Failure("offline", "retort upgrade head --sql failed:\n" + err)
        db_o = D.new_db(self.c.name + "_offline")
        err = D.script(db_o, script)
        if err:
            raise Failure("offline", "the --sql script failed in %s: %s" % (
                "sqlite3" if self.c.dialect == "sqlite" else "psql", err))
        diff("offline", "the schema", self.head_schema, D.schema(db_o), "sqlite3/psql", "--sql script")
        diff("offline", "the rows", self.head_rows, D.rows(db_o), "sqlite3/psql", "--sql script")

    # -- the model: autogenerate into an empty database --------------------------------
    def model(self):
        D = self.db
        proj = os.path.join(self.dir, "model")
        db_m = D.new_db(self.c.name + "_model")
        new_project(self.retort, proj, D.url(db_m), schema="model.sql")
        with open(os.path.join(proj, "model.sql"), "w", encoding="utf-8") as f:
            f.write(self.head_model)
        for args in (("revision", "--autogenerate", "-m", "corpus model"), ("upgrade", "head")):
            st, out, err = self.rt(*args, cwd=proj)
            if st:
                raise Failure("model", "retort %s failed (exit %d):\n%s%s"
                              % (" ".join(args), st, out[-1500:], err[-3000:]))
        diff("model", "the schema", self.head_catalog, D.catalog(db_m), "the migrated database",
             "autogenerated from its dump")
        st, out, err = self.rt("check", cwd=proj)
        if st:
            raise Failure("model", "retort check is not clean (exit %d):\n%s%s"
                          % (st, out[-3000:], err[-1500:]))

    # -- five edits of the model --------------------------------------------------------
    def edits(self):
        D = self.db
        edited, expected = edit_model(self.head_model, self.c.dialect, self.c.edits)
        with open(os.path.join(self.proj, "model.sql"), "w", encoding="utf-8") as f:
            f.write(edited)
        ini = os.path.join(self.proj, "retort.ini")
        with open(ini, encoding="utf-8") as f:
            text = f.read()
        with open(ini, "w", encoding="utf-8") as f:
            f.write(re.sub(r"(?m)^# schema = .*$", "schema = model.sql", text))
        url = D.url(self.db_h)
        st, out, err = self.rt("revision", "--autogenerate", "-m", "corpus edits", url=url)
        if st:
            raise Failure("edits", "retort revision --autogenerate failed (exit %d):\n%s%s"
                          % (st, out[-1500:], err[-3000:]))
        bad = match_ops(detected_ops(err), expected)
        if bad:
            raise Failure("edits", "the detected operations are not the five edits:\n%s"
                          "retort said:\n%s" % (bad, err[-3000:]))
        st, out, err = self.rt("upgrade", "head", url=url)
        if st:
            raise Failure("edits", "the autogenerated revision failed:\n" + err[-3000:])
        st, out, err = self.rt("check", url=url)
        if st:
            raise Failure("edits", "retort check is not clean after the edits (exit %d):\n%s%s"
                          % (st, out[-3000:], err[-1500:]))
        db_e = D.new_db(self.c.name + "_edited")
        # sqlite3 refuses to create sqlite_sequence, which its .schema writes
        err = D.script(db_e, re.sub(r"(?m)^CREATE TABLE sqlite_sequence\(name,seq\);\n", "", edited))
        if err:
            raise Failure("edits", "the edited model does not load: %s" % err)
        diff("edits", "the schema", D.catalog(db_e), D.catalog(self.db_h), "the edited model",
             "migrated by the autogenerated revision")
        st, out, err = self.rt("downgrade", "-1", url=url)
        if st:
            raise Failure("edits", "the autogenerated downgrade failed:\n" + err[-3000:])
        diff("edits", "the schema (lines sorted: a column added back goes last)",
             unordered(self.head_catalog), unordered(D.catalog(self.db_h)), "the migrated database",
             "after the autogenerated revision's upgrade and downgrade")

    def go(self):
        if not self.phase("convert", self.convert):
            return
        up = self.phase("upgrade", self.upgrade)
        if self.downgrades:
            self.phase("downgrade", self.downgrade)
            self.phase("upgrade again", self.upgrade_again)
        else:
            self.notes.append("no downgrades in this corpus: downgrade and upgrade again not run")
        if up:
            self.phase("offline", self.offline)
            self.phase("model", self.model)
            self.phase("edits", self.edits)


# ---- main ------------------------------------------------------------------------------

def main(argv):
    ap = argparse.ArgumentParser(description="retort against real migration sets")
    ap.add_argument("retort")
    ap.add_argument("corpora")
    ap.add_argument("-k", dest="only", help="only corpora whose name contains this")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder")
    a = ap.parse_args(argv[1:])
    retort = os.path.abspath(a.retort)
    corpora = os.path.abspath(a.corpora)
    if not os.access(retort, os.X_OK):
        print("corpus: %s is not an executable retort (make build)" % retort, file=sys.stderr)
        return 1
    if not os.path.isfile(os.path.join(corpora, "README.md")):
        print("corpus: no corpora in %s: make corpus reads them from ../shared/corpora beside the "
              "repository (CORPORA=DIR names another folder)" % corpora, file=sys.stderr)
        return 1
    # SIGTERM and SIGHUP end the run as Ctrl-C does, through the finally
    # below that stops the server
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, lambda *_: sys.exit(1))
    scratch = tempfile.mkdtemp(prefix="retort-corpus.")
    dbs, runs, t0 = {}, [], time.monotonic()
    try:
        for c in corpora_list(retort):
            if a.only and a.only not in c.name:
                continue
            if c.dialect not in dbs:
                dbs[c.dialect] = (Sqlite if c.dialect == "sqlite" else Postgres)(scratch)
            r = Run(c, dbs[c.dialect], retort, corpora, scratch)
            print("corpus %s ..." % c.name, flush=True)
            r.go()
            runs.append(r)
    except Failure as f:
        print("corpus: %s: %s" % (f.phase, f.text), file=sys.stderr)
        return 1
    finally:
        for d in dbs.values():
            d.close()
        if a.keep:
            print("scratch folder kept: %s" % scratch)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return report(runs, time.monotonic() - t0)


def report(runs, total):
    bad = 0
    for r in runs:
        for phase, text in r.failures:
            bad += 1
            print("\nFAIL %s, phase %s:\n%s" % (r.c.name, phase, text.rstrip()))
    print("\n%-22s %5s %7s %8s %6s %9s  %s" % ("corpus", "revs", "tables", "indexes", "views",
                                                 "triggers", "seconds per phase"))
    for r in runs:
        f = r.figures or ["?"] * 4
        print("%-22s %5d %7s %8s %6s %9s  %s" % (
            r.c.name, len(r.steps), f[0], f[1], f[2], f[3],
            ", ".join("%s %.1f%s" % (n, t, "" if n not in {p for p, _ in r.failures} else " FAIL")
                      for n, t in r.times)))
        for n in r.notes:
            print("    %s" % n)
    print("total %.1f s; %s" % (total, "%d failures" % bad if bad else "all corpora agree"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
