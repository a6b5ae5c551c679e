"""Run the shared SLA case files: calendar vectors and milestone case histories.

Calendar vectors (``shared/cases/sla``) are dispatched on ``op`` and compared as their
README says: instants as points in time (exact to the microsecond), seconds within 1e-6,
booleans and dates exactly, error cases must raise within one second. Files with a
``process`` key are milestone case histories, handed to
``entitle_desktop.domain.milestone_cases.check_case``.

A vector is checked against the README's file format before it runs: every field the op
needs, with its JSON type (instants with an offset, dates, numbers, whole months, the
calendar's shape), the expected value of the op's kind, and no unknown fields. A file
that breaks the format fails with one line naming the field, whatever it expects; so an
``expect_error`` vector only passes when the engine itself refuses well-formed input
(the README's ``error_about`` is a description, not a message to match), with one of the
engine's own errors, never a crash such as ``TypeError``.
"""

from __future__ import annotations

import importlib
import json
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from entitle_desktop.domain.calendar import BusinessCalendar, CalendarError, to_epoch_us
from entitle_desktop.domain.criteria import CriteriaError
from entitle_desktop.domain.entitlement_dates import (
    EntitlementDateError,
    add_months,
    coverage,
    entitlement_active,
)
from entitle_desktop.domain.holiday_rules import WEEKDAY_KEYS, HolidayRuleError

ERROR_TIME_LIMIT_S = 1.0

# The errors by which the engine refuses bad input; anything else is a crash.
ENGINE_ERRORS: tuple[type[Exception], ...] = (
    CalendarError,
    HolidayRuleError,
    EntitlementDateError,
    CriteriaError,
)


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
    """Files as given, folders searched recursively for ``*.json`` files; sorted, no duplicates."""
    found: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        candidates = (
            sorted(c for c in path.rglob("*.json") if c.is_file()) if path.is_dir() else [path]
        )
        for c in candidates:
            key = c.resolve()
            if key not in seen:
                seen.add(key)
                found.append(c)
    return found


# ------------------------------------------------------------------ file format


class MalformedCase(ValueError):
    """A vector that breaks the README's file format; ``field`` names where."""

    def __init__(self, field: str, expected: str, actual: str) -> None:
        super().__init__(f"{field}: expected {expected}, got {actual}")
        self.field = field
        self.expected = expected
        self.actual = actual


_MISSING = object()


def _got(value: Any) -> str:
    if value is _MISSING:
        return "nothing (missing)"
    return json.dumps(value) if _is_json(value) else repr(value)


def _is_json(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _instant(value: Any, where: str) -> datetime:
    expected = "an ISO-8601 instant with an offset"
    if not isinstance(value, str):
        raise MalformedCase(where, expected, _got(value))
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise MalformedCase(where, expected, _got(value)) from None
    if parsed.tzinfo is None:
        raise MalformedCase(where, expected, f"{_got(value)} (no offset)")
    return parsed


def _date(value: Any, where: str) -> date:
    expected = "a date YYYY-MM-DD"
    if not isinstance(value, str) or len(value) != 10:
        raise MalformedCase(where, expected, _got(value))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise MalformedCase(where, expected, _got(value)) from None


def _optional_date(value: Any, where: str) -> date | None:
    if value is _MISSING:
        raise MalformedCase(where, "a date YYYY-MM-DD or null", _got(value))
    return None if value is None else _date(value, where)


def _number(value: Any, where: str) -> float:
    """A JSON number (int or float, never a boolean or a string), finite."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedCase(where, "a number", _got(value))
    if not math.isfinite(value):
        raise MalformedCase(where, "a finite number", _got(value))
    return value


def _whole(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedCase(where, "a whole number", _got(value))
    return value


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise MalformedCase(where, "a string", _got(value))
    return value


def _list(value: Any, where: str, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise MalformedCase(where, what, _got(value))
    return value


def _pauses(value: Any, where: str) -> list[tuple[datetime, datetime]]:
    what = "a list of [from, to] instant pairs"
    out: list[tuple[datetime, datetime]] = []
    for i, pair in enumerate(_list(value, where, what)):
        if not isinstance(pair, list) or len(pair) != 2:
            raise MalformedCase(f"{where}[{i}]", "a pair [from, to]", _got(pair))
        out.append((_instant(pair[0], f"{where}[{i}][0]"), _instant(pair[1], f"{where}[{i}][1]")))
    return out


def _entitlements(value: Any, where: str) -> list[tuple[date | None, date | None]]:
    what = "a list of [start_date, end_date] pairs"
    out: list[tuple[date | None, date | None]] = []
    for i, pair in enumerate(_list(value, where, what)):
        if not isinstance(pair, list) or len(pair) != 2:
            raise MalformedCase(f"{where}[{i}]", "a pair [start_date, end_date]", _got(pair))
        out.append(
            (
                _optional_date(pair[0], f"{where}[{i}][0]"),
                _optional_date(pair[1], f"{where}[{i}][1]"),
            )
        )
    return out


# The documented holiday entries: their distinguishing key, the keys they may have, and
# the JSON type check of each key.
_HOLIDAY_KEYS: dict[str, frozenset[str]] = {
    "date": frozenset({"date", "from", "to", "name"}),
    "yearly": frozenset({"yearly", "from", "to", "name"}),
    "yearly_nth": frozenset({"yearly_nth", "from", "to", "name"}),
    "country": frozenset({"country", "subdiv", "observed", "name"}),
}
# Entries with one of these keys are Salesforce Holiday records, checked by the engine.
_SALESFORCE_HOLIDAY_KEYS = frozenset(
    {"recurrenceType", "activityDate", "isRecurring", "ActivityDate", "RecurrenceType"}
)


def _check_holiday(entry: Any, where: str) -> None:
    if not isinstance(entry, dict):
        raise MalformedCase(where, "a holiday object", _got(entry))
    if _SALESFORCE_HOLIDAY_KEYS & entry.keys():
        return
    kinds = [k for k in _HOLIDAY_KEYS if k in entry]
    if len(kinds) != 1:
        raise MalformedCase(
            where, "exactly one of 'date', 'yearly', 'yearly_nth', 'country'", _got(entry)
        )
    kind = kinds[0]
    extra = sorted(entry.keys() - _HOLIDAY_KEYS[kind])
    if extra:
        key = extra[0]
        raise MalformedCase(
            f"{where}.{key}", f"no such field in a {kind!r} holiday", _got(entry[key])
        )
    for key in ("from", "to", "name"):
        if key in entry:
            _string(entry[key], f"{where}.{key}")
    if kind in ("date", "yearly", "country"):
        _string(entry[kind], f"{where}.{kind}")
    if kind == "yearly_nth":
        spec = entry["yearly_nth"]
        if not isinstance(spec, dict):
            raise MalformedCase(f"{where}.yearly_nth", "an object", _got(spec))
        for key in ("month", "nth", "weekday"):
            if key not in spec:
                raise MalformedCase(f"{where}.yearly_nth.{key}", "a value", "nothing (missing)")
        extra = sorted(spec.keys() - {"month", "nth", "weekday"})
        if extra:
            key = extra[0]
            raise MalformedCase(f"{where}.yearly_nth.{key}", "no such field", _got(spec[key]))
        _whole(spec["month"], f"{where}.yearly_nth.month")
        _whole(spec["nth"], f"{where}.yearly_nth.nth")
        _string(spec["weekday"], f"{where}.yearly_nth.weekday")
    if kind == "country":
        subdiv = entry.get("subdiv")
        if subdiv is not None:
            _string(subdiv, f"{where}.subdiv")
        if "observed" in entry and not isinstance(entry["observed"], bool):
            raise MalformedCase(f"{where}.observed", "true or false", _got(entry["observed"]))


def _check_calendar(value: Any, where: str = "calendar") -> dict[str, Any]:
    """The calendar object's shape (README "calendar"); its values are the engine's to judge."""
    if value is _MISSING:
        raise MalformedCase(where, "a calendar object", "nothing (missing)")
    if not isinstance(value, dict):
        raise MalformedCase(where, "a calendar object", _got(value))
    extra = sorted(value.keys() - {"time_zone", "windows", "holidays"})
    if extra:
        raise MalformedCase(f"{where}.{extra[0]}", "no such field", _got(value[extra[0]]))
    _string(value.get("time_zone", _MISSING), f"{where}.time_zone")
    windows = value.get("windows", _MISSING)
    if not isinstance(windows, dict):
        raise MalformedCase(f"{where}.windows", "an object mon..sun -> spans", _got(windows))
    for day, spans in windows.items():
        if day not in WEEKDAY_KEYS:
            raise MalformedCase(f"{where}.windows.{day}", "a weekday key mon..sun", _got(day))
        for i, span in enumerate(_list(spans, f"{where}.windows.{day}", "a list of spans")):
            if (
                not isinstance(span, list)
                or len(span) != 2
                or not all(isinstance(x, str) for x in span)
            ):
                raise MalformedCase(
                    f"{where}.windows.{day}[{i}]", 'a span ["HH:MM", "HH:MM"]', _got(span)
                )
    if "holidays" in value:
        holidays = _list(value["holidays"], f"{where}.holidays", "a list of holiday entries")
        for i, entry in enumerate(holidays):
            _check_holiday(entry, f"{where}.holidays[{i}]")
    return value


@dataclass(frozen=True)
class _Op:
    inputs: dict[str, Callable[[Any, str], Any]]  # field -> check/parse (required fields)
    optional: dict[str, Callable[[Any, str], Any]]  # field -> check/parse (may be absent)
    run: Callable[[dict[str, Any]], Any]  # parsed inputs (with "calendar") -> result
    result: str  # "instant", "seconds", "boolean", "date" or "warning"
    calendar: bool = True


def _cal(args: Mapping[str, Any]) -> BusinessCalendar:
    return BusinessCalendar.from_json(args["calendar"])


_OPS: dict[str, _Op] = {
    "add": _Op(
        {"start": _instant, "minutes": _number},
        {"pauses": _pauses},
        lambda a: _cal(a).add(a["start"], a["minutes"], a.get("pauses", ())),
        "instant",
    ),
    "subtract": _Op(
        {"start": _instant, "minutes": _number},
        {"pauses": _pauses},
        lambda a: _cal(a).subtract(a["start"], a["minutes"], a.get("pauses", ())),
        "instant",
    ),
    "between": _Op(
        {"start": _instant, "end": _instant},
        {"pauses": _pauses},
        lambda a: _cal(a).between(a["start"], a["end"], a.get("pauses", ())),
        "seconds",
    ),
    "is_open": _Op({"at": _instant}, {}, lambda a: _cal(a).is_open(a["at"]), "boolean"),
    "next_open": _Op({"at": _instant}, {}, lambda a: _cal(a).next_open(a["at"]), "instant"),
    "is_holiday": _Op({"date": _date}, {}, lambda a: _cal(a).is_holiday(a["date"]), "boolean"),
    "warning": _Op(
        {"start": _instant, "minutes": _number, "before_minutes": _number},
        {},
        lambda a: dict(
            zip(
                ("due", "warning"),
                _cal(a).warning(a["start"], a["minutes"], a["before_minutes"]),
                strict=True,
            )
        ),
        "warning",
    ),
    "overdue": _Op(
        {"due": _instant, "paused_at": _instant, "now": _instant},
        {},
        lambda a: _cal(a).overdue(a["due"], a["paused_at"], a["now"]),
        "seconds",
    ),
    "entitlement_active": _Op(
        {
            "start_date": _optional_date,
            "end_date": _optional_date,
            "time_zone": _string,
            "at": _instant,
        },
        {},
        lambda a: entitlement_active(a["start_date"], a["end_date"], a["time_zone"], a["at"]),
        "boolean",
        calendar=False,
    ),
    "add_months": _Op(
        {"date": _date, "months": _whole},
        {},
        lambda a: add_months(a["date"], a["months"]),
        "date",
        calendar=False,
    ),
    "coverage": _Op(
        {"entitlements": _entitlements, "at": _date},
        {},
        lambda a: coverage(a["entitlements"], a["at"]),
        "boolean",
        calendar=False,
    ),
}
_COMMON_FIELDS = frozenset({"id", "about", "kind", "op"})


def _check_expected(kind: str, data: Mapping[str, Any]) -> tuple[str, Any]:
    """The expected-value field of an op's result kind, checked; (field name, value)."""
    key = "expect_seconds" if kind == "seconds" else "expect"
    other = "expect" if key == "expect_seconds" else "expect_seconds"
    if other in data:
        raise MalformedCase(other, f"{key!r} for this op (not {other!r})", _got(data[other]))
    value = data.get(key, _MISSING)
    if kind == "seconds":
        return key, _number(value, key)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise MalformedCase(key, "true or false", _got(value))
        return key, value
    if kind == "instant":
        return key, _instant(value, key)
    if kind == "date":
        return key, _date(value, key)
    if not isinstance(value, dict) or set(value) != {"due", "warning"}:
        raise MalformedCase(key, 'an object {"due": instant, "warning": instant}', _got(value))
    return key, {k: _instant(value[k], f"{key}.{k}") for k in ("due", "warning")}


@dataclass(frozen=True)
class _Vector:
    op: _Op
    args: dict[str, Any]
    expect_error: bool
    expect_field: str
    expected: Any


def parse_calendar_case(data: Mapping[str, Any]) -> _Vector:
    """Check a vector against the README's format; MalformedCase names the first bad field."""
    op_name = data.get("op", _MISSING)
    if not isinstance(op_name, str) or op_name not in _OPS:
        raise MalformedCase("op", f"one of {', '.join(_OPS)}", _got(op_name))
    op = _OPS[op_name]
    known = _COMMON_FIELDS | op.inputs.keys() | op.optional.keys()
    known |= {"calendar"} if op.calendar else set()
    known |= {"expect", "expect_seconds", "expect_error", "error_about"}
    unknown = sorted(data.keys() - known)
    args: dict[str, Any] = {}
    try:
        for key, parse in op.inputs.items():
            args[key] = parse(data.get(key, _MISSING), key)
        if op.calendar:
            args["calendar"] = _check_calendar(data.get("calendar", _MISSING))
    except MalformedCase as exc:
        if exc.actual == _got(_MISSING) and unknown:  # most likely a misspelt field
            raise MalformedCase(
                exc.field, exc.expected, f"nothing (missing; unknown field {unknown[0]!r} given)"
            ) from None
        raise
    for key, parse in op.optional.items():
        if key in data:
            args[key] = parse(data[key], key)
    if unknown:
        key = unknown[0]
        raise MalformedCase(key, f"no such field for op {op_name!r}", _got(data[key]))
    if "expect_error" in data:
        if data["expect_error"] is not True:
            raise MalformedCase(
                "expect_error", "true (or no expect_error field)", _got(data["expect_error"])
            )
        for key in ("expect", "expect_seconds"):
            if key in data:
                raise MalformedCase(
                    key, "no expected value in an expect_error case", _got(data[key])
                )
        if "error_about" in data:
            _string(data["error_about"], "error_about")
        return _Vector(op, args, True, "error", None)
    if "error_about" in data:
        raise MalformedCase("error_about", "only with expect_error", _got(data["error_about"]))
    expect_field, expected = _check_expected(op.result, data)
    return _Vector(op, args, False, expect_field, expected)


# ------------------------------------------------------------------ checking


def _show(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    return json.dumps(value) if isinstance(value, bool | type(None)) else str(value)


def _compare(case_id: str, name: str, expected: Any, actual: Any) -> list[CaseFailure]:
    """Compare a checked expected value with an actual result, per the vectors' README."""
    if isinstance(actual, datetime):
        ok = isinstance(expected, datetime) and to_epoch_us(expected) == to_epoch_us(actual)
    elif isinstance(actual, bool) or isinstance(expected, bool):
        ok = actual is expected
    elif isinstance(actual, date):
        ok = isinstance(expected, date) and actual == expected
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


def _malformed(case_id: str, exc: MalformedCase) -> list[CaseFailure]:
    return [CaseFailure(case_id, exc.field, exc.expected, f"{exc.actual} (malformed case file)")]


def check_calendar_case(data: Mapping[str, Any]) -> list[CaseFailure]:
    """Run one calendar vector; empty list means it passed."""
    case_id = str(data.get("id", "?"))
    try:
        vector = parse_calendar_case(data)
    except MalformedCase as exc:
        return _malformed(case_id, exc)
    began = time.perf_counter()
    try:
        value = vector.op.run(vector.args)
    except ENGINE_ERRORS as exc:
        elapsed = time.perf_counter() - began
        if not vector.expect_error:
            return [
                CaseFailure(
                    case_id,
                    vector.expect_field,
                    _show(vector.expected),
                    f"error {type(exc).__name__}: {exc}",
                )
            ]
        if elapsed > ERROR_TIME_LIMIT_S:
            return [
                CaseFailure(
                    case_id, "error", f"raised within {ERROR_TIME_LIMIT_S} s", f"{elapsed:.2f} s"
                )
            ]
        return []
    except Exception as exc:  # a crash is a failing case, reported with its message
        expected = "an engine error" if vector.expect_error else _show(vector.expected)
        return [
            CaseFailure(
                case_id, vector.expect_field, expected, f"crash {type(exc).__name__}: {exc}"
            )
        ]
    if vector.expect_error:
        return [CaseFailure(case_id, "error", "an error", _show(value))]
    if vector.op.result == "seconds":
        if not isinstance(value, int | float) or abs(float(value) - vector.expected) > 1e-6:
            return [CaseFailure(case_id, "expect_seconds", _show(vector.expected), _show(value))]
        return []
    return _compare(case_id, "expect", vector.expected, value)


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
    """Load and check one case file (calendar vector or milestone case history).

    Never raises for what the file holds: an unreadable or malformed file, or an engine
    that crashes on it, is one failing result naming the file's id and the field.
    """
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
    try:
        if "process" in data:
            return CaseResult(case_id, path, _check_milestone_case(data))
        return CaseResult(case_id, path, check_calendar_case(data))
    except Exception as exc:  # a harness bug must not lose the other files' results
        return CaseResult(
            case_id,
            path,
            [CaseFailure(case_id, "case", "a checked case", f"crash {type(exc).__name__}: {exc}")],
        )


def run_case_paths(paths: Sequence[Path]) -> CaseReport:
    """Every case file under ``paths`` (files, or folders searched for ``*.json``)."""
    return CaseReport([run_case_file(p) for p in find_case_files(paths)])
