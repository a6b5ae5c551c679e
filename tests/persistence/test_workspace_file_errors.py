"""A workspace file locked by another program, or read-only: writes wait a short busy
timeout, then raise a WorkspaceError naming the file; reads are not held up; nothing
changes; closing neither fails nor waits long."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from entitle_desktop.domain.records import SetupModel
from entitle_desktop.persistence import db, repository
from entitle_desktop.services.workspace import (
    Workspace,
    WorkspaceError,
    WorkspaceLockedError,
    WorkspaceReadOnlyError,
)

BUSY = 0.3  # seconds: the busy timeout of these tests


@pytest.fixture(autouse=True)
def _short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "BUSY_TIMEOUT_SECONDS", BUSY)


@pytest.fixture
def workspace_path(tmp_path: Path) -> Path:
    path = tmp_path / "shared.entitle"
    Workspace.create(path).close()
    return path


@contextmanager
def held_by_another_program(path: Path) -> Iterator[sqlite3.Connection]:
    """A second connection holding the write lock (BEGIN IMMEDIATE and a pending write),
    as another process would; rolled back at the end."""
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE milestone_type SET description = description")
        yield other
    finally:
        other.execute("ROLLBACK")
        other.close()


def _locked_message(path: Path) -> str:
    return f"{path} is in use by another program (locked); close it there and try again"


def test_write_waits_the_busy_timeout_then_names_the_locked_file(workspace_path: Path) -> None:
    with Workspace.open(workspace_path) as ws, held_by_another_program(workspace_path):
        started = time.monotonic()
        with pytest.raises(WorkspaceLockedError) as info, ws.unit_of_work() as session:
            repository.set_setup_model(session, SetupModel.CONTRACT_LINE_ITEMS)
        waited = time.monotonic() - started
    assert str(info.value) == _locked_message(workspace_path)
    assert isinstance(info.value, WorkspaceError)
    assert BUSY * 0.9 <= waited < BUSY + 2
    with Workspace.open(workspace_path) as ws:
        assert ws.settings().setup_model is SetupModel.ENTITLEMENTS_ONLY


def test_explicit_begin_on_a_read_session_waits_like_a_unit_of_work(
    workspace_path: Path,
) -> None:
    """The metadata import writes through ``session()`` + ``begin()``: it must wait too,
    not fail at once as a read transaction turning into a write does in SQLite."""
    with Workspace.open(workspace_path) as ws, held_by_another_program(workspace_path):
        started = time.monotonic()
        with pytest.raises(WorkspaceLockedError), ws.session() as session:
            session.begin()
            repository.load_settings(session)
            repository.set_setup_model(session, SetupModel.CONTRACT_LINE_ITEMS)
            session.commit()
        assert time.monotonic() - started >= BUSY * 0.9


def test_write_goes_through_when_the_other_program_lets_go_in_time(
    workspace_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "BUSY_TIMEOUT_SECONDS", 5.0)
    other = sqlite3.connect(workspace_path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    release.start()
    try:
        with Workspace.open(workspace_path) as ws:
            with ws.unit_of_work() as session:
                repository.set_setup_model(session, SetupModel.CONTRACT_LINE_ITEMS)
            assert ws.settings().setup_model is SetupModel.CONTRACT_LINE_ITEMS
    finally:
        release.join()
        other.close()


def test_reads_are_not_held_up_by_another_programs_write(workspace_path: Path) -> None:
    with Workspace.open(workspace_path) as ws, held_by_another_program(workspace_path):
        started = time.monotonic()
        assert ws.summary().counts["milestone_types"] == 0
        assert time.monotonic() - started < BUSY


def test_open_and_close_while_locked_neither_fail_nor_wait_long(workspace_path: Path) -> None:
    with held_by_another_program(workspace_path):
        started = time.monotonic()
        Workspace.open(workspace_path).close()
        assert time.monotonic() - started < 2


def test_locked_error_is_chained_to_the_database_error_for_copy_details(
    workspace_path: Path,
) -> None:
    with (
        Workspace.open(workspace_path) as ws,
        held_by_another_program(workspace_path),
        pytest.raises(WorkspaceLockedError) as info,
        ws.unit_of_work() as session,
    ):
        session.execute(text("DELETE FROM milestone_type"))
    assert "database is locked" in str(info.value.__cause__)


def _query_only(dbapi_connection: Any, _record: Any) -> None:
    # SQLite refuses every write on this connection as it does on a read-only file
    dbapi_connection.execute("PRAGMA query_only = ON")


def test_write_to_a_read_only_workspace_names_the_file(workspace_path: Path) -> None:
    engine = db.make_engine(workspace_path)
    event.listen(engine, "connect", _query_only)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM milestone_type")).scalar() == 0
        with pytest.raises(WorkspaceReadOnlyError) as info, db.for_writing(engine).begin() as c:
            c.execute(text("DELETE FROM milestone_type"))
    finally:
        engine.dispose()
    assert str(info.value) == (
        f"{workspace_path} is read-only, so nothing can be saved to it; make the file "
        "writable (or work on a copy) and try again"
    )


def test_other_database_errors_stay_sqlalchemy_errors(workspace_path: Path) -> None:
    from sqlalchemy.exc import OperationalError

    with (
        Workspace.open(workspace_path) as ws,
        pytest.raises(OperationalError),
        ws.session() as session,
    ):
        session.execute(text("SELECT * FROM no_such_table"))


def test_a_full_disk_is_a_workspace_error_saying_nothing_was_saved(tmp_path: Path) -> None:
    """SQLite's SQLITE_FULL (made here with max_page_count) maps to a one-line message."""
    path = tmp_path / "full.entitle"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE t (x BLOB)")
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(sqlite3.OperationalError) as info:
        connection.execute("INSERT INTO t VALUES (zeroblob(1000000))")
    connection.close()
    problem = db._file_problem(path, info.value.sqlite_errorcode)
    assert type(problem) is WorkspaceError
    assert str(problem) == (
        f"{path}: the disk is full, so nothing was saved (the workspace is as it was); "
        "free some space and try again"
    )
