"""retort for Python: schema migrations from a program, through libretort.

A thin ctypes layer over libretort.so (the C library of the `retort`
command), with nothing to install from elsewhere: the standard library
and libretort.so.0.  A bot migrates its database at start-up with

    import asyncio, retort
    await asyncio.to_thread(retort.upgrade, "head", start_dir="/srv/shop")

Each module-level function (upgrade, downgrade, current, history, heads,
check) opens a context, makes its call and frees the context, so it may
run in any thread.  A `Retort` object holds one context for several
calls (use it as a context manager); it is meant for one thread at a
time, and separate objects may run at once, on one database too (the
run lock serialises their runs).

Failures raise a subclass of `RetortError`, one per situation a caller
handles differently (`StatementFailed`, `LockTimeout`, ...), carrying the
library's message, which names the file:line or revision and says where
the database is.  What retort logs (run start, each migration, failures;
passwords masked) goes to `logging.getLogger("retort")` at INFO.

The library is found through the environment variable RETORT_LIBRARY (a
path) first, then ctypes.util.find_library("retort"), then
libretort.so.0 in the loader's search path, then beside the prefix this
module is installed in.  The library must be of the retort minor version
this module was written for (0.1): the ABI may change between 0.x minor
versions.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import enum
import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Union

__all__ = [
    "Retort", "Revision", "RunSummary", "CheckResult", "Event", "EventType",
    "RetortError", "UsageError", "NotFound", "Ambiguous", "LockTimeout",
    "InvalidMigration", "Conflict", "Canceled", "StatementFailed",
    "MigrationModified", "HalfApplied", "UnknownRevision", "ConfigError",
    "ConnectFailed",
    "upgrade", "downgrade", "current", "history", "heads", "check",
    "init_project", "library_path", "__version__",
]

PathLike = Union[str, bytes, "os.PathLike[str]"]

# The retort.h this module mirrors: its version and its options structs'
# *_VERSION macros.
ABI_VERSION = (0, 1)
RETORT_OPTIONS_VERSION = 3
RETORT_RUN_OPTIONS_VERSION = 1

RETORT_UP = 1
RETORT_DOWN = 2

RETORT_REV_HEAD = 1 << 0
RETORT_REV_BASE = 1 << 1
RETORT_REV_BRANCHPOINT = 1 << 2
RETORT_REV_MERGEPOINT = 1 << 3

RETORT_SCHEMA_MODEL = 1 << 0


# ---- errors ---------------------------------------------------------------

class RetortError(Exception):
    """A failed libretort call: `code` is retort.h's RETORT_E* value and
    `message` what retort_errmsg() said (the file:line or revision, and
    the state the database was left in)."""

    code = -1  # RETORT_ERROR: out of memory, an I/O error, a lost connection

    def __init__(self, message: str, code: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class UsageError(RetortError):
    """RETORT_EUSAGE: a bad argument or target, or a call out of order."""
    code = -2


class NotFound(RetortError):
    """RETORT_ENOTFOUND: no such revision, label, file or retort.ini."""
    code = -3


class Ambiguous(RetortError):
    """RETORT_EAMBIGUOUS: a prefix or relative target matches several."""
    code = -5


class LockTimeout(RetortError):
    """RETORT_EBUSY: another run kept the run lock past lock_timeout."""
    code = -6


class InvalidMigration(RetortError):
    """RETORT_EINVALID: a migration file or the revision graph is malformed."""
    code = -7


class Conflict(RetortError):
    """RETORT_ECONFLICT: the database's state does not allow the request
    (an upgrade to below where it is, a downgrade to what is not applied,
    a check on a database that is not at head)."""
    code = -13


class Canceled(RetortError):
    """RETORT_ECANCELED: stopped by a cancel request."""
    code = -14


class StatementFailed(RetortError):
    """RETORT_ESTATEMENT: a migration's statement (or its COMMIT) failed;
    the message names file:line.  Nothing of that migration stayed, unless
    its section ran outside a transaction (then see HalfApplied)."""
    code = -15


class MigrationModified(RetortError):
    """RETORT_EMODIFIED: an applied migration's file was edited since it
    ran (`retort stamp --fix-checksums REV` accepts an intended edit)."""
    code = -16


class HalfApplied(RetortError):
    """RETORT_EPARTIAL: a transaction=false migration failed part way on an
    earlier run; fix its file and run again with resume=True."""
    code = -17


class UnknownRevision(RetortError):
    """RETORT_EUNKNOWNREV: the database is at a revision no file defines."""
    code = -18


class ConfigError(RetortError):
    """RETORT_ECONFIG: retort.ini, or a setting given in code, is bad."""
    code = -19


class ConnectFailed(RetortError):
    """RETORT_ECONNECT: the database could not be reached (refused, timed
    out after connect_timeout, or an unknown host)."""
    code = -20


_ERRORS: dict[int, type[RetortError]] = {
    cls.code: cls for cls in (
        UsageError, NotFound, Ambiguous, LockTimeout, InvalidMigration,
        Conflict, Canceled, StatementFailed, MigrationModified, HalfApplied,
        UnknownRevision, ConfigError, ConnectFailed)
}


# ---- retort.h's structs, field for field ------------------------------------

class _RevList(ctypes.Structure):
    _fields_ = [("revs", ctypes.POINTER(ctypes.c_void_p)),
                ("count", ctypes.c_size_t)]


class _StrArray(ctypes.Structure):
    _fields_ = [("strings", ctypes.POINTER(ctypes.c_char_p)),
                ("count", ctypes.c_size_t)]


class _Setting(ctypes.Structure):
    _fields_ = [("section", ctypes.c_char_p),
                ("key", ctypes.c_char_p),
                ("value", ctypes.c_char_p)]


class _Options(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint),
                ("config_path", ctypes.c_char_p),
                ("start_dir", ctypes.c_char_p),
                ("url", ctypes.c_char_p),
                ("vars", ctypes.POINTER(ctypes.c_char_p)),
                ("nvars", ctypes.c_size_t),
                ("config_optional", ctypes.c_int),
                ("script_location", ctypes.c_char_p),
                # version 2
                ("cache_dir", ctypes.c_char_p),
                # version 3
                ("settings", ctypes.POINTER(_Setting)),
                ("nsettings", ctypes.c_size_t),
                ("source", ctypes.c_void_p),
                ("no_config", ctypes.c_int)]


class _Event(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int),
                ("direction", ctypes.c_int),
                ("rev", ctypes.c_void_p),
                ("from_", ctypes.c_char_p),
                ("to", ctypes.c_char_p),
                ("elapsed_ms", ctypes.c_double)]


_LOG_FN = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_void_p)
_EVENT_FN = ctypes.CFUNCTYPE(None, ctypes.POINTER(_Event), ctypes.c_void_p)
_WRITE_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_char),
                             ctypes.c_size_t, ctypes.c_void_p)


class _RunOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint),
                ("offline", ctypes.c_int),
                ("write", _WRITE_FN),
                ("write_payload", ctypes.c_void_p),
                ("on_event", _EVENT_FN),
                ("event_payload", ctypes.c_void_p),
                ("purge", ctypes.c_int),
                ("resume", ctypes.c_int),
                ("fix_checksums", ctypes.c_int),
                ("backup", ctypes.c_int),
                ("statement_events", ctypes.c_int)]


class _RunSummary(ctypes.Structure):
    _fields_ = [("from_", _StrArray),
                ("to", _StrArray),
                ("steps", _StrArray)]


class _Autogen(ctypes.Structure):
    _fields_ = [("upgrade_sql", ctypes.c_char_p),
                ("downgrade_sql", ctypes.c_char_p),
                ("upgrade_options", ctypes.c_char_p),
                ("downgrade_options", ctypes.c_char_p),
                ("operations", _StrArray),
                ("warnings", _StrArray)]


# ---- loading the library -------------------------------------------------------

def _load() -> tuple[ctypes.CDLL, str]:
    """Open libretort: RETORT_LIBRARY, else the loader's ways to find it."""
    named = os.environ.get("RETORT_LIBRARY")
    if named:
        try:
            return ctypes.CDLL(named), named
        except OSError as e:
            raise ImportError(
                f"retort: cannot load RETORT_LIBRARY={named!r}: {e}") from None
    candidates = []
    found = ctypes.util.find_library("retort")
    if found:
        candidates.append(found)
    candidates.append("libretort.so.0")
    # `cmake --install` puts this file in PREFIX/lib/python3.X/dist-packages
    # and the library in PREFIX/lib, which the loader may not search
    # (/usr/local/lib before ldconfig has run)
    here = os.path.dirname(os.path.abspath(__file__))
    candidates.append(os.path.join(os.path.dirname(os.path.dirname(here)), "libretort.so.0"))
    failures = []
    for name in candidates:
        try:
            return ctypes.CDLL(name), name
        except OSError as e:
            failures.append(f"{name}: {e}")
    raise ImportError(
        "retort: libretort.so.0 not found (" + "; ".join(failures) + "); install "
        "libretort (`cmake --install build` from the retort sources, then "
        "`ldconfig`), or set RETORT_LIBRARY to the path of libretort.so.0")


def _check_abi(number: int, version: str, where: str) -> None:
    """Refuse a library of another minor version than ABI_VERSION."""
    have = (number // 10000, number // 100 % 100)
    if have != ABI_VERSION:
        want = "%d.%d" % ABI_VERSION
        raise ImportError(
            f"retort: {where} is libretort {version}, but this module is "
            f"written for libretort {want}.x (the ABI changes between 0.x "
            f"minor versions); use the retort.py that came with {version}, "
            f"or set RETORT_LIBRARY to a libretort {want}")


def _declare(lib: ctypes.CDLL) -> None:
    """Give each function of retort.h this module calls its prototype
    (pointers must not be left to ctypes' default of int)."""
    P = ctypes.POINTER
    vp, cp, i, sz = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_size_t
    protos: dict[str, tuple[Any, list[Any]]] = {
        "retort_version": (cp, []),
        "retort_version_number": (i, []),
        "retort_new": (i, [P(vp)]),
        "retort_free": (None, [vp]),
        "retort_errmsg": (cp, [vp]),
        "retort_open": (i, [vp, P(_Options)]),
        "retort_set_log_callback": (None, [vp, _LOG_FN, vp]),
        "retort_config_path": (cp, [vp]),
        "retort_script_location": (cp, [vp]),
        "retort_url_masked": (cp, [vp]),
        "retort_config_get": (cp, [vp, cp, cp]),
        "retort_init_project": (i, [P(_StrArray), vp, cp, cp]),
        "retort_heads": (i, [P(_RevList), vp]),
        "retort_history": (i, [P(_RevList), vp, cp]),
        "retort_revlist_release": (None, [P(_RevList)]),
        "retort_strarray_release": (None, [P(_StrArray)]),
        "retort_rev_id": (cp, [vp]),
        "retort_rev_message": (cp, [vp]),
        "retort_rev_path": (cp, [vp]),
        "retort_rev_create_date": (cp, [vp]),
        "retort_rev_flags": (ctypes.c_uint, [vp]),
        "retort_rev_nparents": (sz, [vp]),
        "retort_rev_parent": (vp, [vp, sz]),
        "retort_rev_ndepends": (sz, [vp]),
        "retort_rev_depends": (vp, [vp, sz]),
        "retort_rev_nlabels": (sz, [vp]),
        "retort_rev_nbranches": (sz, [vp]),
        "retort_rev_label": (cp, [vp, sz]),
        "retort_rev_branch": (cp, [vp, sz]),
        "retort_upgrade": (i, [vp, cp, P(_RunOptions)]),
        "retort_downgrade": (i, [vp, cp, P(_RunOptions)]),
        "retort_current": (i, [P(_StrArray), vp]),
        "retort_run_result": (i, [P(_RunSummary), vp]),
        "retort_run_summary_release": (None, [P(_RunSummary)]),
        "retort_check": (i, [P(_Autogen), vp]),
        "retort_wait": (i, [vp, ctypes.c_double]),
        "retort_schema_render": (i, [P(vp), vp, cp, cp, ctypes.c_uint]),
        "retort_autogen_release": (None, [P(_Autogen)]),
    }
    for name, (restype, argtypes) in protos.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes


_lib, library_path = _load()
_declare(_lib)
# the strings the library hands over (retort_schema_render's) are the
# caller's to free(), with the process's C library
_libc_free = ctypes.CDLL(None).free
_libc_free.restype = None
_libc_free.argtypes = [ctypes.c_void_p]
__version__: str = _lib.retort_version().decode()
_check_abi(_lib.retort_version_number(), __version__, library_path)


# ---- what the calls return ------------------------------------------------------

def _text(raw: Optional[bytes]) -> str:
    return "" if raw is None else raw.decode("utf-8", "surrogateescape")


def _arg(value: Optional[PathLike]) -> Optional[bytes]:
    return None if value is None else os.fsencode(value)


def _strings(array: _StrArray) -> list[str]:
    return [_text(array.strings[k]) for k in range(array.count)]


@dataclass(frozen=True)
class Revision:
    """One migration file of the graph, copied out of the library."""
    id: str
    message: str                       # first line of the file's comment
    path: str                          # absolute path of the file
    create_date: str                   # "" when the header has none
    down_revisions: tuple[str, ...]    # parents; () for a base, 2+ for a merge
    depends_on: tuple[str, ...]
    branch_labels: tuple[str, ...]     # declared in its header
    branches: tuple[str, ...]          # every label it carries, as Alembic lists them
    is_head: bool
    is_base: bool
    is_branch_point: bool
    is_merge_point: bool

    @classmethod
    def _from(cls, rev: int) -> "Revision":
        L = _lib
        flags = L.retort_rev_flags(rev)
        return cls(
            id=_text(L.retort_rev_id(rev)),
            message=_text(L.retort_rev_message(rev)),
            path=_text(L.retort_rev_path(rev)),
            create_date=_text(L.retort_rev_create_date(rev)),
            down_revisions=tuple(_text(L.retort_rev_id(L.retort_rev_parent(rev, k)))
                                 for k in range(L.retort_rev_nparents(rev))),
            depends_on=tuple(_text(L.retort_rev_id(L.retort_rev_depends(rev, k)))
                             for k in range(L.retort_rev_ndepends(rev))),
            branch_labels=tuple(_text(L.retort_rev_label(rev, k))
                                for k in range(L.retort_rev_nlabels(rev))),
            branches=tuple(_text(L.retort_rev_branch(rev, k))
                           for k in range(L.retort_rev_nbranches(rev))),
            is_head=bool(flags & RETORT_REV_HEAD),
            is_base=bool(flags & RETORT_REV_BASE),
            is_branch_point=bool(flags & RETORT_REV_BRANCHPOINT),
            is_merge_point=bool(flags & RETORT_REV_MERGEPOINT),
        )


@dataclass(frozen=True)
class RunSummary:
    """What an upgrade or downgrade did: the version table's rows when it
    started (`from_`) and when it ended (`to`), and the revisions it
    applied or reverted, in order (`steps`; empty when there was nothing
    to do)."""
    from_: list[str]
    to: list[str]
    steps: list[str]


@dataclass(frozen=True)
class CheckResult:
    """The differences between the database (at head) and the schema
    model of the `schema` key, as an autogenerated revision would write
    them.  An empty result (no `operations`, `upgrade_sql` == "") means
    the database matches the model; `bool(result)` is True when they
    differ."""
    operations: list[str] = field(default_factory=list)  # one line each, "add table posts"
    warnings: list[str] = field(default_factory=list)    # destructive changes, possible renames
    upgrade_sql: str = ""          # turns the database into the model
    downgrade_sql: str = ""        # and back
    upgrade_options: str = ""      # section options the SQL needs ("foreign_keys=off")
    downgrade_options: str = ""

    def __bool__(self) -> bool:
        return bool(self.operations)


class EventType(enum.IntEnum):
    """retort_event_type."""
    START = 1       # a migration is about to run
    DONE = 2        # it ran and its version change committed
    FAILED = 3      # it failed
    STAMP = 4       # versions changed without running SQL
    NOTHING = 5     # nothing to do: already at the target
    WAITING = 6     # waiting for another run's lock
    BACKUP = 7      # the database was backed up: `to` is the file
    STATEMENT = 8   # a statement is about to run (not asked for here)


@dataclass(frozen=True)
class Event:
    """Progress of a run, as retort_event reports it.  For DONE, `from_`
    and `to` are the version rows it moved from and to, comma separated
    ("" = base); `elapsed_ms` is set for DONE and FAILED."""
    type: EventType
    direction: str              # "upgrade" or "downgrade"
    revision: Optional[str]     # None for NOTHING and WAITING
    message: Optional[str]      # the revision's message
    from_: str
    to: str
    elapsed_ms: float


EventHandler = Callable[[Event], None]


# ---- the context ------------------------------------------------------------------

def _log_callback(logger: logging.Logger) -> Any:
    def log(message: Optional[bytes], _payload: Any) -> None:
        try:
            logger.info("%s", _text(message))
        except Exception:  # never unwind into C
            pass
    return _LOG_FN(log)


def _settings(settings: Optional[Mapping[str, Any]]) -> tuple[Any, int]:
    """{"key": v, "section.key": v} as a retort_setting array."""
    if not settings:
        return None, 0
    array = (_Setting * len(settings))()
    for k, (name, value) in enumerate(settings.items()):
        section, dot, key = name.rpartition(".")
        if isinstance(value, bool):
            value = "true" if value else "false"
        array[k].section = section.encode() if dot else None
        array[k].key = key.encode()
        array[k].value = None if value is None else os.fsencode(str(value))
    return array, len(settings)


class Retort:
    """A libretort context: one project (retort.ini and its migrations)
    and its database, for several calls.

        with retort.Retort(start_dir="/srv/shop") as r:
            r.upgrade("head")
            print(r.current())

    Keyword arguments are retort_options':
      config           retort.ini to read; None: look for retort.ini in
                       start_dir and then each parent folder, as git
                       looks for .git
      start_dir        where that search starts (None: the current folder)
      url              a database URL that beats the file's `url`
      settings         configuration in code, applied after retort.ini:
                       {"url": ..., "lock_timeout": 5} for [retort] keys,
                       {"fleet.jobs": 3} for another section's
      config_optional  a missing retort.ini is no error: the defaults and
                       `settings` apply, paths are relative to start_dir
      no_config        read no retort.ini at all, not even one in a parent
                       folder: the defaults and `settings` only
      script_location  migrations folder that beats the file's
      cache_dir        a folder for the revision header cache
      logger           where retort's log messages go, at INFO
                       (default: logging.getLogger("retort"))

    Raises ConfigError for a bad retort.ini or setting, NotFound when no
    retort.ini was found.  One thread at a time uses an object (calls
    from several are serialised); close() (or the with block's end) frees
    the context.
    """

    def __init__(self, config: Optional[PathLike] = None, *,
                 start_dir: Optional[PathLike] = None,
                 url: Optional[str] = None,
                 settings: Optional[Mapping[str, Any]] = None,
                 config_optional: bool = False,
                 no_config: bool = False,
                 script_location: Optional[PathLike] = None,
                 cache_dir: Optional[PathLike] = None,
                 logger: Optional[logging.Logger] = None) -> None:
        self._ctx: Optional[int] = None
        self._lock = threading.Lock()
        self._owner: Optional[int] = None
        ctx = ctypes.c_void_p()
        if _lib.retort_new(ctypes.byref(ctx)) < 0:
            raise MemoryError("retort_new: out of memory")
        self._ctx = ctx.value
        # kept for the context's lifetime: C holds the pointer
        self._log_fn = _log_callback(logger or logging.getLogger("retort"))
        _lib.retort_set_log_callback(self._ctx, self._log_fn, None)
        opts = _Options(version=RETORT_OPTIONS_VERSION)
        opts.config_path = _arg(config)
        opts.start_dir = _arg(start_dir)
        opts.url = _arg(url)
        opts.config_optional = int(bool(config_optional))
        opts.no_config = int(bool(no_config))
        opts.script_location = _arg(script_location)
        opts.cache_dir = _arg(cache_dir)
        array, count = _settings(settings)
        if array is not None:
            opts.settings = array
            opts.nsettings = count
        rc = _lib.retort_open(self._ctx, ctypes.byref(opts))
        if rc < 0:
            err = self._error(rc)
            self.close()
            raise err

    # -- life cycle

    def close(self) -> None:
        """Free the context (retort_free); the object is unusable after."""
        if self._ctx is not None:
            _lib.retort_free(self._ctx)
            self._ctx = None

    def __enter__(self) -> "Retort":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def _live(self) -> int:
        if self._ctx is None:
            raise UsageError("the Retort object is closed", -2)
        return self._ctx

    def _error(self, rc: int) -> RetortError:
        message = _text(_lib.retort_errmsg(self._ctx))
        return _ERRORS.get(rc, RetortError)(message or f"retort error {rc}", rc)

    # -- what the project says

    @property
    def config_path(self) -> Optional[str]:
        """The retort.ini in use, or None."""
        raw = _lib.retort_config_path(self._live())
        return None if raw is None else _text(raw)

    @property
    def script_location(self) -> str:
        """Absolute path of the migrations folder."""
        return _text(_lib.retort_script_location(self._live()))

    @property
    def url(self) -> str:
        """The database URL, its password replaced by '***'."""
        return _text(_lib.retort_url_masked(self._live()))

    def config_get(self, key: str, section: str = "retort") -> Optional[str]:
        """A configuration value, from retort.ini or `settings`; None if unset."""
        raw = _lib.retort_config_get(self._live(), section.encode(), key.encode())
        return None if raw is None else _text(raw)

    # -- the graph

    def _revlist(self, fn: Callable[..., int], *args: Any) -> list[Revision]:
        out = _RevList()
        self._locked(lambda ctx: fn(ctypes.byref(out), ctx, *args))
        try:
            return [Revision._from(out.revs[k]) for k in range(out.count)]
        finally:
            _lib.retort_revlist_release(ctypes.byref(out))

    def heads(self) -> list[Revision]:
        """The revisions no other revision is based on."""
        return self._revlist(_lib.retort_heads)

    def history(self, range: Optional[str] = None) -> list[Revision]:
        """The revisions of `range` ("A:B", "A:", ":B", "-3:current"; None:
        all), newest first, as `retort history` lists them."""
        return self._revlist(_lib.retort_history, _arg(range))

    # -- the database

    def current(self) -> list[str]:
        """The version table's revision ids ([] for a database no
        migration has touched; several when branches are applied)."""
        out = _StrArray()
        self._locked(lambda ctx: _lib.retort_current(ctypes.byref(out), ctx))
        try:
            return _strings(out)
        finally:
            _lib.retort_strarray_release(ctypes.byref(out))

    def upgrade(self, target: str = "head", *, on_event: Optional[EventHandler] = None,
                resume: bool = False) -> RunSummary:
        """Bring the database up to `target` ("head", "heads", an id or a
        unique prefix, "+2", "label@head", ...), each migration in its own
        transaction unless configured otherwise.  `on_event` is called
        with an Event as each migration starts and ends, on this thread;
        an exception it raises is raised once the run is over.  `resume`
        continues a transaction=false migration that failed part way
        (HalfApplied), from its failed statement, once the file is fixed.
        Returns what ran."""
        return self._run(_lib.retort_upgrade, target, on_event, resume)

    def downgrade(self, target: str, *, on_event: Optional[EventHandler] = None,
                  resume: bool = False) -> RunSummary:
        """Revert the database to `target` ("-1", "base", an id, ...);
        as upgrade otherwise."""
        return self._run(_lib.retort_downgrade, target, on_event, resume)

    def _run(self, fn: Callable[..., int], target: str,
             on_event: Optional[EventHandler], resume: bool) -> RunSummary:
        opts = _RunOptions(version=RETORT_RUN_OPTIONS_VERSION)
        opts.resume = int(bool(resume))
        raised: list[BaseException] = []
        if on_event is not None:
            def relay(ev: Any, _payload: Any) -> None:
                if raised:
                    return
                try:
                    e = ev.contents
                    rev = Revision._from(e.rev) if e.rev else None
                    on_event(Event(
                        type=EventType(e.type),
                        direction="downgrade" if e.direction == RETORT_DOWN else "upgrade",
                        revision=rev.id if rev else None,
                        message=rev.message if rev else None,
                        from_=_text(e.from_), to=_text(e.to),
                        elapsed_ms=e.elapsed_ms))
                except BaseException as exc:  # raised after the call, not into C
                    raised.append(exc)
            opts.on_event = _EVENT_FN(relay)  # lives as long as opts, past the call
        out = _RunSummary()

        def run(ctx: int) -> int:
            rc = fn(ctx, _arg(target), ctypes.byref(opts))
            # what this run did, before another call on the context
            return rc if rc < 0 else _lib.retort_run_result(ctypes.byref(out), ctx)

        try:
            self._locked(run)
            if raised:
                raise raised[0]
            return RunSummary(from_=_strings(out.from_), to=_strings(out.to),
                              steps=_strings(out.steps))
        except RetortError as err:
            if raised and err is not raised[0]:
                raise err from raised[0]
            raise
        finally:
            _lib.retort_run_summary_release(ctypes.byref(out))

    def check(self) -> CheckResult:
        """Compare the database, which must be at head (Conflict
        otherwise), with the schema model of retort.ini's `schema` key.
        An empty result (no operations, falsy) means they match;
        otherwise `operations` lists what an autogenerated revision would
        do and `upgrade_sql` is its SQL."""
        out = _Autogen()
        self._locked(lambda ctx: _lib.retort_check(ctypes.byref(out), ctx))
        try:
            return CheckResult(
                operations=_strings(out.operations), warnings=_strings(out.warnings),
                upgrade_sql=_text(out.upgrade_sql), downgrade_sql=_text(out.downgrade_sql),
                upgrade_options=_text(out.upgrade_options),
                downgrade_options=_text(out.downgrade_options))
        finally:
            _lib.retort_autogen_release(ctypes.byref(out))

    def wait(self, timeout: float = 30.0) -> None:
        """Return once the database takes connections, trying again while
        it is out of reach (a container's database starting beside the
        program) for up to `timeout` seconds (0: once), as `retort wait`.
        ConnectFailed when it is not ready in time; a wrong password or a
        missing database raise at once."""
        self._locked(lambda ctx: _lib.retort_wait(ctx, float(timeout)))

    def schema(self, format: str = "sql", *, model: bool = False,
               dialect: Optional[str] = None) -> str:
        """The database's schema (or with `model`, the schema model's) as
        `retort schema dump --format FORMAT` prints it: "sql", "json"
        (docs/json.md), "mermaid" (an ER diagram) or "dot" (Graphviz)."""
        out = ctypes.c_void_p()
        flags = RETORT_SCHEMA_MODEL if model else 0
        self._locked(lambda ctx: _lib.retort_schema_render(
            ctypes.byref(out), ctx, format.encode(), _arg(dialect), flags))
        try:
            return _text(ctypes.string_at(out.value)) if out.value else ""
        finally:
            _libc_free(out)

    def _locked(self, call: Callable[[int], int]) -> None:
        """Run call(ctx) under the object's lock; raise on failure."""
        me = threading.get_ident()
        if self._owner == me:
            raise UsageError("a Retort object cannot be used from its own "
                             "callback; use another one", -2)
        with self._lock:
            if self._ctx is None:
                raise UsageError("the Retort object is closed", -2)
            self._owner = me
            try:
                rc = call(self._ctx)
            finally:
                self._owner = None
            if rc < 0:
                raise self._error(rc)


# ---- one call, one context ----------------------------------------------------

def upgrade(target: str = "head", *, on_event: Optional[EventHandler] = None,
            resume: bool = False, **options: Any) -> RunSummary:
    """Retort(**options).upgrade(target): open a context, bring the
    database up to `target`, free the context.  Safe to run in a worker
    thread: `await asyncio.to_thread(retort.upgrade, "head")`."""
    with Retort(**options) as r:
        return r.upgrade(target, on_event=on_event, resume=resume)


def downgrade(target: str, *, on_event: Optional[EventHandler] = None,
              resume: bool = False, **options: Any) -> RunSummary:
    """Retort(**options).downgrade(target) in a context of its own."""
    with Retort(**options) as r:
        return r.downgrade(target, on_event=on_event, resume=resume)


def current(**options: Any) -> list[str]:
    """Retort(**options).current() in a context of its own."""
    with Retort(**options) as r:
        return r.current()


def history(range: Optional[str] = None, **options: Any) -> list[Revision]:
    """Retort(**options).history(range) in a context of its own."""
    with Retort(**options) as r:
        return r.history(range)


def heads(**options: Any) -> list[Revision]:
    """Retort(**options).heads() in a context of its own."""
    with Retort(**options) as r:
        return r.heads()


def check(**options: Any) -> CheckResult:
    """Retort(**options).check() in a context of its own: an empty
    (falsy) result means the database at head matches the schema model."""
    with Retort(**options) as r:
        return r.check()


def init_project(directory: PathLike, template: Optional[str] = None) -> list[str]:
    """Create a project in `directory` (made if missing), as `retort init`
    does: retort.ini, migrations/script.sql.tmpl, migrations/versions/
    ("generic", the default) or the layout of `template` ("fleet").
    Refuses to overwrite a retort.ini.  Returns the paths made."""
    ctx = ctypes.c_void_p()
    if _lib.retort_new(ctypes.byref(ctx)) < 0:
        raise MemoryError("retort_new: out of memory")
    out = _StrArray()
    try:
        rc = _lib.retort_init_project(ctypes.byref(out), ctx, _arg(directory), _arg(template))
        if rc < 0:
            message = _text(_lib.retort_errmsg(ctx))
            raise _ERRORS.get(rc, RetortError)(message, rc)
        return _strings(out)
    finally:
        _lib.retort_strarray_release(ctypes.byref(out))
        _lib.retort_free(ctx)
