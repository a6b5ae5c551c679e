"""``entitle`` on a workspace that another program holds locked, or that is read-only:
one line on stderr naming the file, exit 2, the workspace unchanged -- no traceback."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from entitle_desktop.cli import EXIT_BAD_INPUT, main
from entitle_desktop.domain.records import Account
from entitle_desktop.interchange.bundle import write_bundle
from entitle_desktop.interchange.record_set import RecordSet
from entitle_desktop.persistence import db
from entitle_desktop.services.workspace import Workspace

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "salesforce-metadata"
METADATA_PROJECT = CORPUS / "mmg-opp1__JCRC-Dev"


@pytest.fixture(autouse=True)
def _short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "BUSY_TIMEOUT_SECONDS", 0.2)


@pytest.fixture
def workspace_path(tmp_path: Path) -> Path:
    path = tmp_path / "lock.entitle"
    Workspace.create(path).close()
    return path


@pytest.fixture
def bundle_path(tmp_path: Path) -> Path:
    path = tmp_path / "accounts.entitlebundle"
    write_bundle(RecordSet(accounts=[Account("001A", "Acme")]), path)
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextmanager
def held_by_another_program(path: Path) -> Iterator[None]:
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE milestone_type SET description = description")
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def _locked_line(command: str, path: Path) -> str:
    return (
        f"entitle {command}: {path} is in use by another program (locked); "
        "close it there and try again\n"
    )


def test_bundle_import_into_a_locked_workspace_prints_one_line_and_exits_2(
    workspace_path: Path, bundle_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _sha(workspace_path)
    with held_by_another_program(workspace_path):
        code = main(["import", str(workspace_path), str(bundle_path)])
    captured = capsys.readouterr()
    assert (code, captured.out, captured.err) == (
        EXIT_BAD_INPUT,
        "",
        _locked_line("import", workspace_path),
    )
    assert _sha(workspace_path) == before
    assert main(["summary", str(workspace_path), "--json"]) == 0
    assert '"accounts": 0' in capsys.readouterr().out


@pytest.mark.skipif(not METADATA_PROJECT.is_dir(), reason="corpus project not available")
def test_metadata_import_into_a_locked_workspace_prints_one_line_and_exits_2(
    workspace_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _sha(workspace_path)
    with held_by_another_program(workspace_path):
        code = main(["import", str(workspace_path), str(METADATA_PROJECT)])
    captured = capsys.readouterr()
    assert (code, captured.err) == (EXIT_BAD_INPUT, _locked_line("import", workspace_path))
    assert "Traceback" not in captured.err
    assert _sha(workspace_path) == before


def test_a_bug_still_raises_rather_than_passing_for_bad_input(
    workspace_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_self: Workspace) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(Workspace, "summary", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        main(["summary", str(workspace_path)])


# ------------------------------------------------------------------ read-only (permissions)


def _without_root_powers() -> list[str]:
    """A command prefix under which file permissions apply, or skip the test."""
    if sys.platform == "win32":
        pytest.skip("POSIX permissions")
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("root ignores file permissions and setpriv is not available")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner"]


def _entitle(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [*_without_root_powers(), sys.executable, "-m", "entitle_desktop.cli"]
    return subprocess.run(
        [*command, *map(str, args)], capture_output=True, text=True, timeout=120, check=False
    )


def test_read_only_workspace_file_reads_but_refuses_an_import(
    workspace_path: Path, bundle_path: Path
) -> None:
    before = _sha(workspace_path)
    workspace_path.chmod(0o444)
    try:
        summary = _entitle("summary", workspace_path)
        imported = _entitle("import", workspace_path, bundle_path)
    finally:
        workspace_path.chmod(0o644)
    assert (summary.returncode, summary.stderr) == (0, "")
    assert (imported.returncode, imported.stderr) == (
        EXIT_BAD_INPUT,
        f"entitle import: {workspace_path} is read-only, so nothing can be saved to it; "
        "make the file writable (or work on a copy) and try again\n",
    )
    assert _sha(workspace_path) == before


def test_workspace_in_a_read_only_folder_names_the_folder(
    workspace_path: Path, bundle_path: Path
) -> None:
    before = _sha(workspace_path)
    folder = workspace_path.parent
    folder.chmod(0o555)
    try:
        summary = _entitle("summary", workspace_path)
        created = _entitle("demo", folder / "new.entitle")
    finally:
        folder.chmod(0o755)
    message = (
        f"the folder {folder} is read-only, and a workspace needs to write files beside it; "
        "move the workspace to a folder you may change and try again\n"
    )
    assert (summary.returncode, summary.stderr) == (
        EXIT_BAD_INPUT,
        f"entitle summary: {workspace_path}: {message}",
    )
    assert (created.returncode, created.stderr) == (
        EXIT_BAD_INPUT,
        f"entitle demo: {folder / 'new.entitle'}: {message}",
    )
    assert _sha(workspace_path) == before
    assert not (folder / "new.entitle").exists()
