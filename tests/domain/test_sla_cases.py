"""Every shared case file (calendar vectors and milestone histories) passes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from entitle_desktop.domain.sla_cases import (
    check_calendar_case,
    find_case_files,
    run_case_file,
    run_case_paths,
)
from entitle_desktop.services.sla_cases import main_sla_cases

CASES = Path(__file__).resolve().parents[2] / ".." / "shared" / "cases"
CASE_FILES = find_case_files([CASES])


def test_shared_cases_are_found() -> None:
    assert len(find_case_files([CASES / "sla"])) >= 80


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_shared_case_passes(path: Path) -> None:
    result = run_case_file(path)
    assert result.failures == []


#: our own hand-checked cases, in the shared format: overnight windows over holidays and
#: fall-back, 24:00 ends, Lord Howe, Salesforce recurrences with intervals, observed
#: national holidays, a milestone target in the repeated fall-back hour
OWN_CASE_FILES = find_case_files([Path(__file__).resolve().parent / "cases"])


@pytest.mark.parametrize("path", OWN_CASE_FILES, ids=[p.stem for p in OWN_CASE_FILES])
def test_own_case_passes(path: Path) -> None:
    assert run_case_file(path).failures == []


def test_own_cases_are_found() -> None:
    assert len(OWN_CASE_FILES) == 61


def test_wrong_expectation_is_reported_with_field_expected_and_actual() -> None:
    case = {
        "id": "made-up",
        "calendar": {"time_zone": "UTC", "windows": {"mon": [["09:00", "17:00"]]}},
        "op": "add",
        "start": "2024-01-01T09:00:00+00:00",
        "minutes": 60,
        "expect": "2024-01-01T11:00:00+00:00",
    }
    [failure] = check_calendar_case(case)
    assert failure.case_id == "made-up"
    assert failure.field == "expect"
    assert failure.expected == "2024-01-01T11:00:00+00:00"
    assert failure.actual == "2024-01-01T10:00:00+00:00"


def test_instants_compare_as_points_in_time() -> None:
    case = {
        "id": "offsets",
        "calendar": {"time_zone": "UTC", "windows": {"mon": [["09:00", "17:00"]]}},
        "op": "add",
        "start": "2024-01-01T09:00:00+00:00",
        "minutes": 60,
        "expect": "2024-01-01T12:00:00+02:00",
    }
    assert check_calendar_case(case) == []


def test_error_case_that_does_not_raise_fails() -> None:
    case = {
        "id": "no-error",
        "calendar": {"time_zone": "UTC", "windows": {"mon": [["09:00", "17:00"]]}},
        "op": "add",
        "start": "2024-01-01T09:00:00+00:00",
        "minutes": 60,
        "expect_error": True,
    }
    [failure] = check_calendar_case(case)
    assert failure.field == "error"


def test_milestone_file_without_simulator_or_with_one_is_dispatched(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text('{"id": "m", "process": {}, "case": {}}', encoding="utf-8")
    report = run_case_paths([tmp_path])
    assert report.passed + report.failed == 1


def test_cli_prints_failing_case_then_summary_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.json").write_text(
        '{"id": "bad", "op": "add_months", "date": "2024-01-31", "months": 1,'
        ' "expect": "2024-03-02"}',
        encoding="utf-8",
    )
    (tmp_path / "good.json").write_text(
        '{"id": "good", "op": "add_months", "date": "2024-01-31", "months": 1,'
        ' "expect": "2024-02-29"}',
        encoding="utf-8",
    )
    out = io.StringIO()
    assert main_sla_cases([str(tmp_path)], out) == 1
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert "bad" in lines[0]
    assert "expected 2024-03-02, got 2024-02-29" in lines[0]
    assert lines[1] == "1 passed, 1 failed"


def test_cli_all_passing_exits_0() -> None:
    out = io.StringIO()
    assert main_sla_cases([str(CASES / "sla")], out) == 0
    assert out.getvalue().strip().endswith(" passed, 0 failed")
