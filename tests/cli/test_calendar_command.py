"""`entitle calendar WORKSPACE NAME --from DATE --days N`: open windows per local day."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from entitle_desktop.cli import main
from entitle_desktop.services import demo


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.entitle"
    demo.create_demo_workspace(path, date(2026, 1, 15)).close()
    return path


def test_calendar_prints_windows_and_holidays(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["calendar", str(demo_path), "London Office", "--from", "2025-12-23", "--days", "4"]
    )
    out = capsys.readouterr()
    assert code == 0
    assert out.out.splitlines() == [
        "London Office (Europe/London)",
        "2025-12-23 Tue  08:00-12:30, 13:30-18:00",
        "2025-12-24 Wed  08:00-12:30  holiday: Christmas Eve afternoon",
        "2025-12-25 Thu  closed  holiday: Christmas Day",
        "2025-12-26 Fri  closed  holiday: Boxing Day",
    ]
    assert out.err == ""


def test_calendar_unknown_name_is_bad_input(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["calendar", str(demo_path), "Paris", "--from", "2025-12-23"])
    assert code == 2
    assert capsys.readouterr().err == (
        "entitle calendar: no business hours named 'Paris' in the workspace"
        " (known: 'New York Office', 'London Office', 'Sydney 24x7')\n"
    )


def test_calendar_bad_date_and_days(demo_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calendar", str(demo_path), "Sydney 24x7", "--from", "2025-13-01"]) == 2
    assert "'2025-13-01' is not a date YYYY-MM-DD" in capsys.readouterr().err
    assert main(["calendar", str(demo_path), "Sydney 24x7", "--days", "-1"]) == 2
    assert capsys.readouterr().err == "entitle calendar: days must not be negative, got -1\n"


def test_calendar_missing_workspace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calendar", str(tmp_path / "none.entitle"), "X"]) == 2
    assert "no such workspace file" in capsys.readouterr().err
