"""Engine, sessions and migrations of a workspace file.

Every connection gets ``PRAGMA foreign_keys=ON`` and the WAL journal. The schema is created
and upgraded only by the Alembic migrations next to this module; the Alembic ``Config`` is
built in code, so no ``alembic.ini`` is needed at run time.

An engine of :func:`make_engine` waits up to :data:`BUSY_TIMEOUT_SECONDS` for a lock that
another program holds, then raises :class:`WorkspaceLockedError`; a file or folder that may
not be written raises :class:`WorkspaceReadOnlyError`. Both are :class:`WorkspaceError`, whose
``str()`` is a one-line message for the user naming the file: callers show it like any other
error the user can fix, wherever the statement that met the lock was run.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.pool import NullPool

from entitle_desktop.domain.names import name_key

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Written into the SQLite header by the first migration: marks the file as a workspace.
APPLICATION_ID = 0x456E7431  # "Ent1"
#: How long a statement waits for a lock held by another program before it gives up.
BUSY_TIMEOUT_SECONDS = 5.0
#: How long closing waits to fold the WAL in: SQLite folds it in anyway when the last
#: connection to the file closes, so closing need not wait for another program.
CHECKPOINT_BUSY_TIMEOUT_MS = 250


class WorkspaceError(Exception):
    """The file cannot be used as a workspace; ``str()`` is a message for the user."""


class WorkspaceLockedError(WorkspaceError):
    """Another program held a lock on the workspace file for longer than the busy timeout;
    the statement (and its transaction) did not happen."""


class WorkspaceReadOnlyError(WorkspaceError):
    """The workspace file, or the folder that must hold its journal, may not be written
    (or the file cannot be opened at all); the statement did not happen."""


# SQLite primary result codes (the low byte of an extended code)
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_CANTOPEN = 14
_SQLITE_FULL = 13
_SQLITE_READONLY_DIRECTORY = _SQLITE_READONLY | (6 << 8)


#: the SQL function every workspace connection has: ``name_key`` of a text (NULL stays NULL)
SEARCH_FOLD = "entitle_fold"


def _search_fold(value: object) -> str | None:
    if value is None:
        return None
    text = str(value)
    # called for every row a search reads: ASCII (most names and ids) folds by lower()
    return text.lower() if text.isascii() else name_key(text)


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy manage transactions (pysqlite's own BEGIN handling breaks SAVEPOINTs).
    dbapi_connection.isolation_level = None
    # search compares names as Salesforce does (full Unicode case folding, not ASCII-only)
    dbapi_connection.create_function(SEARCH_FOLD, 1, _search_fold, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _on_begin(conn: Any) -> None:
    # SQLite waits out another program's lock when a transaction begins IMMEDIATE, but a
    # read transaction that turns into a write later fails at once (SQLITE_BUSY): a
    # transaction meant to write says so (for_writing) and takes the write lock up front.
    writes = conn.get_execution_options().get(_WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


_WRITE_OPTION = "entitle_write"


def for_writing(engine: Engine) -> Engine:
    """``engine`` (same pool, events and errors) whose transactions begin with the write
    lock, waiting up to the busy timeout for it; reads keep ``engine`` and never wait."""
    return engine.execution_options(**{_WRITE_OPTION: True})


def make_engine(path: Path, busy_timeout: float | None = None) -> Engine:
    """An engine on the SQLite file ``path`` with the workspace pragmas on every connection.

    A statement waits ``busy_timeout`` seconds (default :data:`BUSY_TIMEOUT_SECONDS`) for
    another program's lock. Locked and read-only files raise :class:`WorkspaceLockedError`
    and :class:`WorkspaceReadOnlyError` (chained to SQLAlchemy's error) instead of
    SQLAlchemy's ``OperationalError``, from statements and from connecting alike."""
    timeout = BUSY_TIMEOUT_SECONDS if busy_timeout is None else busy_timeout
    engine = create_engine(
        f"sqlite:///{path}", poolclass=NullPool, connect_args={"timeout": timeout}
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)

    def on_error(context: ExceptionContext) -> None:
        _raise_file_problem(Path(path), context)

    event.listen(engine, "handle_error", on_error)
    return engine


def _raise_file_problem(path: Path, context: ExceptionContext) -> None:
    """Raise the :class:`WorkspaceError` for a locked or read-only file; return otherwise
    (SQLAlchemy then raises its own error: a bug, shown with a traceback)."""
    error = context.original_exception
    if not isinstance(error, sqlite3.OperationalError):
        return
    code = getattr(error, "sqlite_errorcode", None)
    if not isinstance(code, int):
        return
    problem = _file_problem(path, code)
    if problem is not None:
        raise problem from context.sqlalchemy_exception


def _file_problem(path: Path, code: int) -> WorkspaceError | None:
    primary = code & 0xFF
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return WorkspaceLockedError(
            f"{path} is in use by another program (locked); close it there and try again"
        )
    folder = path.absolute().parent
    if code == _SQLITE_READONLY_DIRECTORY or (
        primary == _SQLITE_CANTOPEN and not os.access(folder, os.W_OK)
    ):
        return WorkspaceReadOnlyError(
            f"{path}: the folder {folder} is read-only, and a workspace needs to write "
            "files beside it; move the workspace to a folder you may change and try again"
        )
    if primary == _SQLITE_READONLY:
        return WorkspaceReadOnlyError(
            f"{path} is read-only, so nothing can be saved to it; make the file writable "
            "(or work on a copy) and try again"
        )
    if primary == _SQLITE_FULL:
        return WorkspaceError(
            f"{path}: the disk is full, so nothing was saved (the workspace is as it was); "
            "free some space and try again"
        )
    if primary == _SQLITE_CANTOPEN:
        return WorkspaceReadOnlyError(
            f"{path} cannot be opened; check that you may read and write the file and its "
            f"folder {folder}, and try again"
        )
    return None


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run pending migrations in one transaction."""
    config = alembic_config()
    with for_writing(engine).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def checkpoint(engine: Engine) -> None:
    """Move the WAL into the main file so the ``.entitle`` file is complete on its own.

    Waits at most :data:`CHECKPOINT_BUSY_TIMEOUT_MS` for other programs: while one of them
    holds the file, the WAL stays (committed, and folded in when the last program closes)."""
    with engine.connect() as connection:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={CHECKPOINT_BUSY_TIMEOUT_MS}")
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
