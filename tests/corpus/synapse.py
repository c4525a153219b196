#!/usr/bin/python3
"""Matrix Synapse's schema files as a retort project, for `make corpus`.

    /usr/bin/python3 tests/corpus/synapse.py SCHEMA_DIR sqlite|postgresql VERSIONS_DIR

SCHEMA_DIR is Synapse's synapse/storage/schema (read in place, from
../shared/corpora; nothing of it is copied into this repository).  The
revision files go into VERSIONS_DIR, one line per revision is printed:
the id, then the Synapse files it holds.

What Synapse's prepare_database does to a new database, and so the order
here:

  1. common/schema_version.sql (its own bookkeeping tables);
  2. the newest full schema not above SCHEMA_VERSION (__init__.py): every
     full_schemas/<N>/ of common and of the data stores main and state
     (one database holds both), files sorted by name then path, taking
     `*.sql` and `*.sql.<engine>`;
  3. for each version N+1 .. SCHEMA_VERSION, the files of delta/<v>/ of
     common, main and state together, sorted by file name (Synapse refuses
     a name twice in one version), taking `*.sql` and `*.sql.<engine>`,
     where the engine is `sqlite` or `postgres`.

Steps 1 and 2 are the base revision; each delta file is one revision
after it.  Synapse runs each file as one script in a transaction, as
retort runs a revision.  It ships no downgrades: every downgrade is
marked unfinished, so `retort downgrade` refuses rather than pretend.

Changed as Synapse's engines change it before running a file
(executescript in synapse/storage/engines/): the placeholder
`$%AUTO_INCREMENT_PRIMARY_KEY%$` becomes `INTEGER PRIMARY KEY AUTOINCREMENT`
on SQLite and `BIGINT PRIMARY KEY GENERATED ALWAYS AS IDENTITY` on
PostgreSQL.  script() gives that text, and `make corpus` feeds the same
text to sqlite3 and psql.

Left out, with the reason (SKIPPED below says which files):
  - `.py` deltas: Python upgrade modules (run_upgrade / run_create) that
    Synapse imports and runs; they are not SQL.
  - what prepare_database writes itself besides the files: the rows of
    schema_version, schema_compat_version and applied_schema_deltas.
"""
import ast
import os
import re
import sys

ENGINE = {"sqlite": "sqlite", "postgresql": "postgres"}
AUTO_INCREMENT = ("$%AUTO_INCREMENT_PRIMARY_KEY%$", {
    "sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT",
    "postgresql": "BIGINT PRIMARY KEY GENERATED ALWAYS AS IDENTITY"})
STORES = ("common", "main", "state")

# Delta files that run only under Synapse's own runner, with the reason.
# (None today: every .sql file runs as sqlite3 and psql run it.)
SKIPPED = {}


def schema_version(schema_dir):
    """SCHEMA_VERSION of __init__.py, read without importing Synapse."""
    with open(os.path.join(schema_dir, "__init__.py"), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "SCHEMA_VERSION" for t in node.targets):
            return ast.literal_eval(node.value)
    raise SystemExit("synapse: no SCHEMA_VERSION in %s/__init__.py" % schema_dir)


def wanted(name, engine):
    """Does Synapse run the file NAME on ENGINE?"""
    return name.endswith(".sql") or name.endswith(".sql." + engine)


def listing(dirs):
    """(file name, path) of every entry of DIRS that exist, as Synapse sorts them."""
    out = []
    for d in dirs:
        if os.path.isdir(d):
            out += [(name, os.path.join(d, name)) for name in os.listdir(d)]
    return sorted(out)


def plan(schema_dir, dialect):
    """[(revision id, message, [files])] in order, and [(file, reason)] skipped."""
    engine = ENGINE[dialect]
    top = schema_version(schema_dir)
    fulls = [int(n) for n in os.listdir(os.path.join(schema_dir, "common", "full_schemas"))
             if n.isdigit() and int(n) <= top]
    if not fulls:
        raise SystemExit("synapse: no full schema at or below version %d in %s" % (top, schema_dir))
    base = max(fulls)
    revs, skipped = [], []
    files = [os.path.join(schema_dir, "common", "schema_version.sql")]
    files += [p for name, p in listing(os.path.join(schema_dir, s, "full_schemas", str(base))
                                       for s in STORES) if wanted(name, engine)]
    revs.append(("v%03d_full" % base, "full schema %d" % base, files))
    for v in range(base + 1, top + 1):
        n = 0
        for name, path in listing(os.path.join(schema_dir, s, "delta", str(v)) for s in STORES):
            rel = os.path.relpath(path, schema_dir)
            if name.endswith(".py"):
                skipped.append((rel, "a Python upgrade module, not SQL"))
                continue
            if not wanted(name, engine) or os.path.isdir(path):
                continue
            if rel in SKIPPED:
                skipped.append((rel, SKIPPED[rel]))
                continue
            n += 1
            revs.append(("v%03d_%02d" % (v, n), "delta %d %s" % (v, name), [path]))
    return revs, skipped


def script(path, dialect):
    """The SQL of PATH as Synapse's engine for DIALECT runs it."""
    with open(path, encoding="utf-8") as f:
        return f.read().replace(AUTO_INCREMENT[0], AUTO_INCREMENT[1][dialect])


def revision_text(rev_id, down, message, files, schema_dir, dialect):
    """A retort revision file: the files' SQL as the upgrade, no downgrade."""
    parts = []
    for path in files:
        sql = script(path, dialect)
        for line in sql.splitlines():
            if re.match(r"--\s*\+(upgrade|downgrade|unfinished)\b", line):
                raise SystemExit("synapse: %s has a line retort reads as a section marker: %s"
                                 % (path, line))
        parts.append("-- from %s\n%s\n" % (os.path.relpath(path, schema_dir), sql.rstrip("\n")))
    return ("-- %s\n--\n-- revision: %s\n-- down_revision:%s\n-- branch_labels:\n-- depends_on:\n"
            "-- create_date: 2026-12-02 00:00:00+00:00\n\n-- +upgrade\n%s\n"
            "-- +downgrade\n-- +unfinished Synapse ships no downgrades\n"
            % (message, rev_id, " " + down if down else "", "\n".join(parts)))


def write(schema_dir, dialect, versions_dir):
    """Write the revisions; return plan()'s result."""
    revs, skipped = plan(schema_dir, dialect)
    down = None
    for rev_id, message, files in revs:
        slug = re.sub(r"[^a-z0-9]+", "_", message.lower()).strip("_")[:40]
        with open(os.path.join(versions_dir, "%s_%s.sql" % (rev_id, slug)), "w",
                  encoding="utf-8") as f:
            f.write(revision_text(rev_id, down, message, files, schema_dir, dialect))
        down = rev_id
    return revs, skipped


def main(argv):
    if len(argv) != 4 or argv[2] not in ENGINE:
        sys.stderr.write("usage: synapse.py SCHEMA_DIR sqlite|postgresql VERSIONS_DIR\n")
        return 2
    revs, skipped = write(argv[1], argv[2], argv[3])
    for rev_id, _, files in revs:
        print(rev_id, *(os.path.relpath(p, argv[1]) for p in files))
    for rel, why in skipped:
        print("skipped %s: %s" % (rel, why), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
