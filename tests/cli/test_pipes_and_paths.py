"""``entitle`` at the edges of the shell: a reader that quits early, a folder for WORKSPACE."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from entitle_desktop.cli import EXIT_BAD_INPUT, EXIT_BROKEN_PIPE, main
from entitle_desktop.services.workspace import Workspace


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    path = tmp_path / "Piped.entitle"
    Workspace.create(path).close()
    return path


def _run_into_closed_pipe(*args: str) -> subprocess.CompletedProcess[bytes]:
    """Run ``entitle ARGS`` with stdout a pipe whose reader has already gone (``| head``)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [sys.executable, "-m", "entitle_desktop.cli", *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize("extra", [["--json"], []], ids=["summary --json", "summary"])
def test_summary_into_a_closed_pipe_exits_141_without_a_traceback(
    workspace: Path, extra: list[str]
) -> None:
    done = _run_into_closed_pipe("summary", str(workspace), *extra)
    assert done.stderr == b""
    assert done.returncode == EXIT_BROKEN_PIPE == 141


def test_help_into_a_closed_pipe_is_quiet() -> None:
    done = _run_into_closed_pipe("--help")
    assert done.stderr == b""
    assert done.returncode == 0  # argparse itself ignores an OSError while printing help


def test_summary_into_an_open_pipe_still_exits_0(workspace: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "entitle_desktop.cli", "summary", str(workspace), "--json"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0
    assert done.stderr == b""
    assert done.stdout.splitlines()[:2] == [b"{", b'  "accounts": 0,']


@pytest.mark.parametrize(
    "argv",
    [
        ["summary", "{dir}"],
        ["summary", "{dir}", "--json"],
        ["import", "{dir}", "{source}"],
        ["import", "{dir}", "{source}", "--dry-run"],
        ["export", "{dir}", "--format", "bundle", "--out", "{out}"],
        ["validate", "{dir}"],
        ["calendar", "{dir}", "Default"],
    ],
    ids=lambda argv: " ".join(a for a in argv if not a.startswith("{")),
)
def test_a_folder_as_workspace_is_refused_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    folder = tmp_path / "workspaces"
    folder.mkdir()
    source = tmp_path / "project"
    source.mkdir()
    out = tmp_path / "out.entitlebundle"
    args = [a.format(dir=folder, source=source, out=out) for a in argv]
    assert main(args) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"entitle {argv[0]}: WORKSPACE {folder} is a directory; give a .entitle file path\n"
    )
    assert list(folder.iterdir()) == []
    assert not out.exists()


def test_demo_into_a_folder_is_refused_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", str(tmp_path)]) == EXIT_BAD_INPUT
    assert capsys.readouterr().err == (
        f"entitle demo: PATH {tmp_path} is a directory; give a .entitle file path\n"
    )
