# import_alembic.py - the Alembic side of `retort import alembic`.
#
# retort builds this file into its binary and runs it as
#   python3 -c SOURCE ALEMBIC_INI PROJECT_DIR [DIALECT...]
# It reads the Alembic project the way Alembic's own commands do (Config,
# ScriptDirectory: the project's env.py is never run, so no database is
# touched), and writes one JSON document on stdout: the project's settings,
# and for every revision its ids and text, and for every dialect its
# upgrade() and downgrade() rendered to SQL by Alembic's offline mode, one
# step at a time (no version-table statements: retort writes those), or
# where that failed, why and on which line of the revision's file.
#
# A fatal problem is {"fatal": MESSAGE} (with "missing": MODULE when Alembic
# or SQLAlchemy cannot be imported), exit status 1.

import ast
import inspect
import io
import json
import os
import re
import sys
import traceback


def fatal(message, **extra):
    extra["fatal"] = message
    json.dump(extra, sys.stdout)
    sys.stdout.write("\n")
    sys.exit(1)


try:
    import sqlalchemy
    from alembic import __version__ as alembic_version
    from alembic import util as alembic_util
    from alembic.config import Config
    from alembic.operations import Operations
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory
    from alembic.script import base as script_base
except ImportError as e:
    fatal("cannot import Python module '%s' (%s)" % (e.name, e), missing=e.name)

# The module-level names a revision file declares (Alembic reads them as
# attributes of the imported module).
GRAPH_NAMES = ("revision", "down_revision", "branch_labels", "depends_on")

# Docstring lines that retort's header would read as keys of its own.
HEADER_KEY = re.compile(r"^\s*(revision|down_revision|branch_labels|depends_on|create_date|"
                        r"Revision ID|Revises|Create Date)\s*:", re.I)
CREATE_DATE = re.compile(r"^\s*Create Date:\s*(.*?)\s*$", re.M)


def frame_line(exc, path, default):
    """The line of `path` closest to where `exc` was raised."""
    real = os.path.realpath(path)
    line = default
    for frame in traceback.extract_tb(exc.__traceback__):
        if os.path.realpath(frame.filename) == real:
            line = frame.lineno
    if isinstance(exc, SyntaxError) and exc.filename and \
            os.path.realpath(exc.filename) == real and exc.lineno:
        line = exc.lineno
    return line


def describe(exc):
    text = str(exc).strip().splitlines()
    return "%s: %s" % (type(exc).__name__, text[0] if text else "")


class Unloadable:
    """A revision file that could not be imported (a module it needs is not
    installed, say): what Alembic needs for the graph, read from the file's
    syntax tree without running it."""

    def __init__(self, path, exc):
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        tree = ast.parse(text, path)
        self.__doc__ = ast.get_docstring(tree, clean=False)
        self.retort_sources = {}
        for name in GRAPH_NAMES:
            setattr(self, name, None)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                self.retort_sources[node.name] = ast.get_source_segment(text, node)
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            else:
                continue
            for t in targets:
                if isinstance(t, ast.Name) and t.id in GRAPH_NAMES:
                    setattr(self, t.id, ast.literal_eval(value))
        if self.revision is None:
            raise exc
        self.retort_error = {"error": describe(exc), "line": frame_line(exc, path, 1)}


def load_tolerantly(real_load):
    """Alembic's loader of one revision file, which keeps going past a file
    that does not import: the graph is still Alembic's, and that file's
    sections become ones a person fills."""
    def load(dir_, filename):
        try:
            return real_load(dir_, filename)
        except Exception as exc:
            path = os.path.join(dir_, filename)
            try:
                return Unloadable(path, exc)
            except Exception:
                fatal("cannot read %s:%d: %s" % (path, frame_line(exc, path, 1), describe(exc)))
    return load


def render(config, scripts, script, name, dialect):
    module = script.module
    error = getattr(module, "retort_error", None)
    if error:
        return dict(error, source=module.retort_sources.get(name) or "")
    fn = getattr(module, name, None)
    if not callable(fn):
        return {"error": "the file has no %s() function" % name, "line": 1, "source": ""}
    buf = io.StringIO()
    env = EnvironmentContext(config, scripts)
    try:
        with env:
            env.configure(dialect_name=dialect, as_sql=True, output_buffer=buf,
                          transactional_ddl=False)
            with Operations.context(env.get_context()):
                fn()
    except Exception as exc:
        try:
            source = inspect.getsource(fn)
        except Exception:
            source = ""
        return {"error": describe(exc),
                "line": frame_line(exc, script.path, fn.__code__.co_firstlineno),
                "source": source}
    return {"sql": buf.getvalue().strip()}


def text_of(script):
    """Message (the docstring's first line), further lines of its first
    paragraph and the create date, as the header gets them."""
    doc = script.module.__doc__ or ""
    date = CREATE_DATE.search(doc)
    lines = [l.rstrip() for l in doc.strip().splitlines()]
    message = lines[0].strip() if lines else ""
    rest = []
    for l in lines[1:]:
        if HEADER_KEY.match(l):
            continue
        if l.lstrip().startswith("+"):
            # "-- +upgrade" would be a section marker
            l = "\\" + l.lstrip()
        rest.append(l)
    while rest and not rest[-1].strip():
        rest.pop()
    while rest and not rest[0].strip():
        rest.pop(0)
    return message, "\n".join(rest), date.group(1) if date else ""


def project_url(url, parsed, ini, project):
    """The url as the new project's retort.ini says it: a relative SQLite
    path is the folder's Alembic runs in (alembic.ini's, as usual), and
    retort reads one relative to retort.ini's folder."""
    db = parsed.database
    if parsed.get_backend_name() != "sqlite" or not db or db == ":memory:" or \
            os.path.isabs(db) or db.startswith("file:"):
        return url
    here = os.path.dirname(os.path.abspath(ini))
    rel = os.path.relpath(os.path.join(here, db), os.path.abspath(project))
    return url.replace(db, rel, 1) if url.count(db) == 1 else url


def main(argv):
    if len(argv) < 2:
        fatal("usage: import_alembic.py ALEMBIC_INI PROJECT_DIR [DIALECT...]")
    ini, project = argv[0], argv[1]
    if not os.path.isfile(ini):
        fatal("no Alembic config '%s'" % ini)
    config = Config(ini)
    if not config.get_main_option("script_location"):
        fatal("'%s' has no script_location in its [%s] section" %
              (ini, config.config_ini_section))
    try:
        url = config.get_main_option("sqlalchemy.url")
    except Exception:
        url = None
    url_dialect = None
    if url:
        try:
            parsed = sqlalchemy.engine.make_url(url)
            url_dialect = parsed.get_backend_name()
            url = project_url(url, parsed, ini, project)
        except Exception:
            pass
    # the command line's dialects, else the config's, else the url's
    dialects = argv[2:]
    if not dialects:
        listed = config.get_main_option("dialects") or ""
        dialects = [d for d in re.split(r"[\s,]+", listed) if d]
    if not dialects and url_dialect:
        dialects = [url_dialect]
    if not dialects:
        fatal("no dialect to render the migrations for: '%s' has no sqlalchemy.url "
              "(does env.py make it?); name one with --dialect" % ini)
    out = {
        "alembic": alembic_version,
        "sqlalchemy": sqlalchemy.__version__,
        "url": url,
        "dialects": dialects,
        "revisions": [],
    }
    script_base.util.load_python_file = load_tolerantly(alembic_util.load_python_file)
    try:
        scripts = ScriptDirectory.from_config(config)
        walk = list(scripts.walk_revisions("base", "heads"))
    except Exception as exc:
        fatal("Alembic cannot read the revisions of '%s': %s" % (ini, describe(exc)))
    walk.reverse()
    out["script_location"] = scripts.dir
    for script in walk:
        message, doc, date = text_of(script)
        rev = {
            "revision": script.revision,
            "down_revisions": list(alembic_util.to_tuple(script.down_revision, default=())),
            "branch_labels": list(script._orig_branch_labels),
            "depends_on": list(script._resolved_dependencies),
            "message": message,
            "doc": doc,
            "create_date": date,
            "path": script.path,
            "sections": {},
        }
        for dialect in dialects:
            rev["sections"][dialect] = {
                "upgrade": render(config, scripts, script, "upgrade", dialect),
                "downgrade": render(config, scripts, script, "downgrade", dialect),
            }
        out["revisions"].append(rev)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


main(sys.argv[1:])
