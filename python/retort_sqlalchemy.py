"""retort_sqlalchemy: a SQLAlchemy model's DDL, for retort's schema_command.

    python3 -m retort_sqlalchemy MODULE:ATTR [--dialect sqlite|postgresql]
                                 [--path DIR]... [--import MODULE]...
                                 [--allow-empty]

imports MODULE, takes ATTR from it (a MetaData, or a declarative Base or
                                    registry, whose .metadata is used; ATTR may be dotted, as in
models:Base.metadata) and prints the SQL that creates that model on an
empty database of the dialect: what `metadata.create_all()` would run,
compiled by SQLAlchemy's own DDL compiler, with no database and no
driver.  In retort.ini:

    schema_command = python3 -m retort_sqlalchemy bot.dao.database:Base

retort runs it in the folder of retort.ini with RETORT_DIALECT set to the
dialect it wants, executes the output on a scratch database of that
dialect and compares what it finds there with the real database; the
models stay the one description of the schema.

The dialect is --dialect's, else RETORT_DIALECT's.  Every statement ends
with ';' and a newline, in the order create_all runs them: PostgreSQL's
enum types and standalone sequences first, then each table (in
                                                            metadata.sorted_tables order, its foreign keys inline, a column's own
sequence just before it) followed by its indexes, then the foreign keys
SQLAlchemy has to add with ALTER TABLE (use_alter, cycles).

MODULE is imported as `python -m` would see it: the current folder (and
                                                                    every --path DIR, first) at the front of sys.path.  A Base defined in one
module and the models in others (bot/dao/database.py and
                                 bot/dao/models.py) needs the models imported too: --import bot.dao.models
(as an Alembic env.py imports them).  A model with no tables is refused
unless --allow-empty: it is nearly always a models module nobody
imported, and retort would take it for "drop every table".

Only Debian's python3-sqlalchemy (1.4, what the tests run on) is
needed; nothing here is gone from SQLAlchemy 2.0.  Failures print one line on stderr and exit with 1 (2 for a usage
                                                         error).
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from typing import Any, List, Optional, Sequence, Tuple

__all__ = ["DIALECTS", "BridgeError", "load_metadata", "ddl_statements", "render", "main"]

PROG = "retort_sqlalchemy"
DIALECTS = ("sqlite", "postgresql")


class BridgeError(Exception):
    """A failure reported as one line on stderr, with the exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


class _Parser(argparse.ArgumentParser):
    # argparse prints the usage and then the error; retort shows a
    # failing command's stderr, where one line says it best.
    def error(self, message: str) -> None:  # type: ignore[override]
        raise BridgeError(message + f" (see {PROG} --help)", 2)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog=f"python3 -m {PROG}",
                description="Print the DDL of a SQLAlchemy model (a MetaData or a "
                            "declarative Base) compiled for a dialect, for retort's "
                            "schema_command.")
    p.add_argument("target", metavar="MODULE:ATTR",
                   help="the model, e.g. bot.dao.database:Base or models:metadata")
    p.add_argument("--dialect",
                   help=f"one of {', '.join(DIALECTS)} (default: $RETORT_DIALECT)")
    p.add_argument("--path", action="append", default=[], metavar="DIR",
                   help="a folder to import from, before the current one (repeatable)")
    p.add_argument("--import", dest="imports", action="append", default=[], metavar="MODULE",
                   help="a module to import first, e.g. the one defining the models "
                        "(repeatable)")
    p.add_argument("--allow-empty", action="store_true",
                   help="print nothing for a model without tables instead of failing")
    return p


def _import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as e:
        raise BridgeError(f"cannot import {name}: {type(e).__name__}: {e}") from e
    except Exception as e:
        # An error inside the user's module: say where, in one line.
        where = ""
        tb = traceback.extract_tb(e.__traceback__)
        if tb:
            where = f" (at {tb[-1].filename}:{tb[-1].lineno})"
        raise BridgeError(f"cannot import {name}: {type(e).__name__}: {e}{where}") from e


def load_metadata(target: str, paths: Sequence[str] = (), imports: Sequence[str] = ()) -> Any:
    """The MetaData that TARGET ('module:attr') names, importing IMPORTS
    first, with PATHS and the current folder at the front of sys.path."""
    from sqlalchemy import MetaData, Table

    module, sep, attr = target.partition(":")
    if not sep or not module or not attr:
        raise BridgeError(f"'{target}' is not MODULE:ATTR (e.g. bot.dao.database:Base)", 2)
    # `python -m` puts the current folder first; a plain `python3
    # path/to/retort_sqlalchemy.py` would not.
    for folder in [os.getcwd()] + [os.path.abspath(p) for p in reversed(paths)]:
        if folder in sys.path:
            sys.path.remove(folder)
        sys.path.insert(0, folder)
    for name in imports:
        _import(name)
    obj = _import(module)
    walked = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise BridgeError(f"{walked} has no attribute '{part}'")
        obj = getattr(obj, part)
        walked += ("." if walked != module else ":") + part
    if isinstance(obj, MetaData):
        return obj
    # A declarative Base (a class) or an orm.registry; a Table has a
    # .metadata too, but the whole of it is not what a Table names.
    md = getattr(obj, "metadata", None)
    if isinstance(md, MetaData) and not isinstance(obj, Table):
        return md
    raise BridgeError(f"{target} is a {type(obj).__module__}.{type(obj).__qualname__}, "
                      "not a MetaData or a declarative Base")


def _check_dialect(name: str) -> None:
    if name not in DIALECTS:
        raise BridgeError(f"unknown dialect '{name}' (known: {', '.join(DIALECTS)})", 2)


def _dialect_engine(name: str, executor: Any) -> Any:
    from sqlalchemy import create_mock_engine

    _check_dialect(name)
    # A mock engine compiles and hands over what create_all would run; it
    # never loads a driver.  paramstyle: with the psycopg2 default
    # (pyformat) SQLAlchemy doubles every '%' of a DDL literal for the
    # driver ('50%%'), which psql and retort would take as written.
    return create_mock_engine(f"{name}://", executor, paramstyle="named")


def ddl_statements(metadata: Any, dialect: str) -> List[str]:
    """The statements (without ';') that create METADATA on DIALECT."""
    from sqlalchemy import exc
    from sqlalchemy.schema import CreateIndex

    compiled: List[Tuple[Any, str]] = []

    def collect(element: Any, *multiparams: Any, **params: Any) -> None:
        compiled.append((element, str(element.compile(dialect=engine.dialect)).strip()))

    engine = _dialect_engine(dialect, collect)
    try:
        # checkfirst=False: nothing exists yet, and there is nothing to ask.
        metadata.create_all(engine, checkfirst=False)
    except exc.SQLAlchemyError as e:
        raise BridgeError(f"cannot compile the model for {dialect}: "
                          f"{type(e).__name__}: {e}") from e
    # A table's indexes come from a set (Table.indexes), in an order that
    # changes from one run to the next; by name, the same model prints
    # the same text.
    statements: List[str] = []
    run: List[Tuple[str, str]] = []
    for element, text in compiled + [(None, "")]:
        if isinstance(element, CreateIndex):
            run.append((str(element.element.name), text))
            continue
        statements.extend(t for _, t in sorted(run))
        run = []
        statements.append(text)
    return [s for s in statements if s]


def render(statements: Sequence[str]) -> str:
    """STATEMENTS as a script: each ends with ';' and a newline, a blank
    line between two."""
    return "\n".join(s + ";\n" for s in statements)


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        args = _parser().parse_args(argv)
        dialect = args.dialect or os.environ.get("RETORT_DIALECT", "")
        if not dialect:
            raise BridgeError("no dialect: give --dialect or set RETORT_DIALECT "
                              f"({' or '.join(DIALECTS)})", 2)
        _check_dialect(dialect)
        try:
            import sqlalchemy  # noqa: F401
        except ImportError:
            raise BridgeError(f"SQLAlchemy is not installed for {sys.executable} "
                              "(Debian: apt-get install python3-sqlalchemy)")
        metadata = load_metadata(args.target, args.path, args.imports)
        if not metadata.tables and not args.allow_empty:
            hint = "; import the module that defines the models with --import MODULE" \
                if not args.imports else ""
            raise BridgeError(f"{args.target} has no tables{hint} "
                              "(--allow-empty if the model is empty)")
        sys.stdout.write(render(ddl_statements(metadata, dialect)))
        sys.stdout.flush()
        return 0
    except BridgeError as e:
        # one line, whatever the message holds (SQLAlchemy's have several)
        print(f"{PROG}: {' '.join(str(e).split())}", file=sys.stderr)
        return e.status


if __name__ == "__main__":
    sys.exit(main())
