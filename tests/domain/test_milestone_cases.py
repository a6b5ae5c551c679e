"""Every public milestone case history in ../shared/cases/milestones passes check_case."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from entitle_desktop.domain.milestone_cases import check_case

CASES = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "cases" / "milestones" / "public"
).resolve()
CASE_FILES = sorted(CASES.glob("*.json"))


def test_the_public_cases_are_present() -> None:
    assert len(CASE_FILES) >= 29


@pytest.mark.parametrize("path", CASE_FILES, ids=[path.stem for path in CASE_FILES])
def test_milestone_case_matches_expectations(path: Path) -> None:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert data["id"] == path.stem
    assert check_case(data) == []


def _case(path_stem: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((CASES / f"{path_stem}.json").read_text(encoding="utf-8"))
    return loaded


def test_check_case_names_the_occurrence_and_field_of_a_mismatch() -> None:
    data = _case("first-response-and-resolution-from-process-start")
    data["expect"][1]["target"] = "2024-06-13T11:30:00-04:00"
    data["expect"][1]["elapsed_seconds"] = 1
    assert check_case(data) == [
        "occurrence 1 of Resolution: target expected 2024-06-13T11:30:00-04:00 "
        "got 2024-06-13T10:30:00-04:00",
        "occurrence 1 of Resolution: elapsed_seconds expected 1 got 53100",
    ]


def test_check_case_compares_instants_as_points_in_time() -> None:
    data = _case("first-response-and-resolution-from-process-start")
    data["expect"][0]["target"] = "2024-06-11T16:30:00+00:00"
    assert check_case(data) == []


def test_check_case_reports_a_missing_occurrence() -> None:
    data = _case("first-response-and-resolution-from-process-start")
    data["expect"].append(dict(data["expect"][1], occurrence=2))
    assert check_case(data) == ["expected 3 occurrences got 2"]


def test_check_case_reports_a_malformed_logic_instead_of_crashing() -> None:
    data = _case("boolean-logic-escalation-and-triage")
    data["process"]["milestones"][0]["criteria"]["logic"] = "(1 OR 2 AND NOT 3"
    (problem,) = check_case(data)
    assert problem.startswith("case could not be run: CaseFileError: process.milestones[0]")
    assert "unbalanced '('" in problem
