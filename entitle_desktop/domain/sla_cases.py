"""Run the shared SLA case files: calendar vectors and milestone case histories.

Calendar vectors (``shared/cases/sla``) are dispatched on ``op`` and compared as their
README says: instants as points in time (exact to the microsecond), seconds within 1e-6,
booleans and dates exactly, error cases must raise within one second. Files with a
``process`` key are milestone case histories, handed to
``entitle_desktop.domain.milestone_cases.check_case``.
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from entitle_desktop.domain.calendar import BusinessCalendar, to_epoch_us
from entitle_desktop.domain.entitlement_dates import add_months, coverage, entitlement_active

ERROR_TIME_LIMIT_S = 1.0


@dataclass(frozen=True)
class CaseFailure:
    """One mismatch: which case, which field, what was expected and what came out."""

    case_id: str
    field: str
    expected: str
    actual: str

    def line(self) -> str:
        return f"{self.case_id}: {self.field}: expected {self.expected}, got {self.actual}"


@dataclass
class CaseResult:
    case_id: str
    path: Path
    failures: list[CaseFailure] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class CaseReport:
    results: list[CaseResult] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.passed)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if not r.passed)

    @property
    def failures(self) -> list[CaseFailure]:
        return [f for r in self.results for f in r.failures]

    def summary(self) -> str:
        return f"{self.passed} passed, {self.failed} failed"


def find_case_files(paths: Iterable[Path]) -> list[Path]:
    """Files as given, folders searched recursively for ``*.json``; sorted, no duplicates."""
    found: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        candidates = sorted(path.rglob("*.json")) if path.is_dir() else [path]
        for c in candidates:
            key = c.resolve()
            if key not in seen:
                seen.add(key)
                found.append(c)
    return found


def _instant(text: Any) -> datetime:
    if not isinstance(text, str):
        raise ValueError(f"instant must be an ISO-8601 string, got {text!r}")
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"instant {text!r} carries no offset")
    return value


def _date(text: Any) -> date:
    if not isinstance(text, str):
        raise ValueError(f"date must be 'YYYY-MM-DD', got {text!r}")
    return date.fromisoformat(text)


def _optional_date(text: Any) -> date | None:
    return None if text is None else _date(text)


def _show(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    return json.dumps(value) if isinstance(value, (bool, type(None))) else str(value)


def _pauses(data: Mapping[str, Any]) -> list[tuple[datetime, datetime]]:
    return [(_instant(p[0]), _instant(p[1])) for p in data.get("pauses") or ()]


def _calendar_op(data: Mapping[str, Any]) -> Callable[[], Any]:
    """A thunk computing the op's result (calendar built inside, so its errors count)."""
    op = data.get("op")

    def cal() -> BusinessCalendar:
        return BusinessCalendar.from_json(data["calendar"])

    ops: dict[str, Callable[[], Any]] = {
        "add": lambda: cal().add(_instant(data["start"]), data["minutes"], _pauses(data)),
        "subtract": lambda: cal().subtract(_instant(data["start"]), data["minutes"], _pauses(data)),
        "between": lambda: cal().between(
            _instant(data["start"]), _instant(data["end"]), _pauses(data)
        ),
        "is_open": lambda: cal().is_open(_instant(data["at"])),
        "next_open": lambda: cal().next_open(_instant(data["at"])),
        "is_holiday": lambda: cal().is_holiday(_date(data["date"])),
        "warning": lambda: dict(
            zip(
                ("due", "warning"),
                cal().warning(_instant(data["start"]), data["minutes"], data["before_minutes"]),
                strict=True,
            )
        ),
        "overdue": lambda: cal().overdue(
            _instant(data["due"]), _instant(data["paused_at"]), _instant(data["now"])
        ),
        "entitlement_active": lambda: entitlement_active(
            _optional_date(data.get("start_date")),
            _optional_date(data.get("end_date")),
            data["time_zone"],
            _instant(data["at"]),
        ),
        "add_months": lambda: add_months(_date(data["date"]), int(data["months"])),
        "coverage": lambda: coverage(
            [(_optional_date(s), _optional_date(e)) for s, e in data["entitlements"]],
            _date(data["at"]),
        ),
    }
    if op not in ops:
        raise ValueError(f"unknown op {op!r}")
    return ops[op]


def _compare(case_id: str, name: str, expected: Any, actual: Any) -> list[CaseFailure]:
    """Compare one expected JSON value with an actual result, per the vectors' README."""
    if isinstance(actual, datetime):
        try:
            ok = to_epoch_us(_instant(expected)) == to_epoch_us(actual)
        except (ValueError, TypeError):
            ok = False
    elif isinstance(actual, bool) or isinstance(expected, bool):
        ok = actual is expected
    elif isinstance(actual, date):
        ok = isinstance(expected, str) and actual.isoformat() == expected
    elif isinstance(actual, Mapping) and isinstance(expected, Mapping):
        out: list[CaseFailure] = []
        for key in expected:
            if key not in actual:
                out.append(CaseFailure(case_id, f"{name}.{key}", _show(expected[key]), "missing"))
            else:
                out.extend(_compare(case_id, f"{name}.{key}", expected[key], actual[key]))
        return out
    else:
        ok = actual == expected
    return [] if ok else [CaseFailure(case_id, name, _show(expected), _show(actual))]


def check_calendar_case(data: Mapping[str, Any]) -> list[CaseFailure]:
    """Run one calendar vector; empty list means it passed."""
    case_id = str(data.get("id", "?"))
    try:
        thunk = _calendar_op(data)
    except (KeyError, ValueError) as exc:
        return [CaseFailure(case_id, "op", "a known op", str(exc))]
    if data.get("expect_error"):
        began = time.perf_counter()
        try:
            value = thunk()
        except ValueError:
            elapsed = time.perf_counter() - began
            if elapsed > ERROR_TIME_LIMIT_S:
                return [
                    CaseFailure(
                        case_id,
                        "error",
                        f"raised within {ERROR_TIME_LIMIT_S} s",
                        f"{elapsed:.2f} s",
                    )
                ]
            return []
        return [CaseFailure(case_id, "error", "an error", _show(value))]
    try:
        value = thunk()
    except Exception as exc:  # a crash is a failing case, reported with its message
        return [
            CaseFailure(
                case_id,
                "result",
                _show(data.get("expect", data.get("expect_seconds"))),
                f"error {type(exc).__name__}: {exc}",
            )
        ]
    if "expect_seconds" in data:
        expected = float(data["expect_seconds"])
        if not isinstance(value, (int, float)) or abs(float(value) - expected) > 1e-6:
            return [
                CaseFailure(case_id, "expect_seconds", _show(data["expect_seconds"]), _show(value))
            ]
        return []
    if "expect" not in data:
        return [CaseFailure(case_id, "expect", "an expect field", "none in file")]
    return _compare(case_id, "expect", data["expect"], value)


def _check_milestone_case(data: dict[str, Any]) -> list[CaseFailure]:
    case_id = str(data.get("id", "?"))
    try:
        module = importlib.import_module("entitle_desktop.domain.milestone_cases")
    except ModuleNotFoundError as exc:
        if exc.name != "entitle_desktop.domain.milestone_cases":
            raise
        return [
            CaseFailure(case_id, "process", "a simulated case", "milestone simulator not available")
        ]
    check: Callable[[dict[str, Any]], list[str]] = module.check_case
    try:
        problems = check(data)
    except Exception as exc:  # the simulator crashing is a failed case, not a crashed run
        return [
            CaseFailure(
                case_id, "process", "a simulated case", f"error {type(exc).__name__}: {exc}"
            )
        ]
    return [CaseFailure(case_id, "milestones", "match", p) for p in problems]


def run_case_file(path: Path) -> CaseResult:
    """Load and check one case file (calendar vector or milestone case history)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return CaseResult(
            path.stem, path, [CaseFailure(path.stem, "file", "readable JSON", str(exc))]
        )
    if not isinstance(data, dict):
        return CaseResult(
            path.stem, path, [CaseFailure(path.stem, "file", "a JSON object", type(data).__name__)]
        )
    case_id = str(data.get("id", path.stem))
    if "process" in data:
        return CaseResult(case_id, path, _check_milestone_case(data))
    return CaseResult(case_id, path, check_calendar_case(data))


def run_case_paths(paths: Sequence[Path]) -> CaseReport:
    """Every case file under ``paths`` (files, or folders searched for ``*.json``)."""
    return CaseReport([run_case_file(p) for p in find_case_files(paths)])
