"""Milestone case histories (``../shared/cases/milestones/``): loading and checking.

A case file holds ``calendars``, ``process``, ``case``, ``as_of`` and ``expect``; its format
is described in that folder's README. :func:`check_case` runs the simulator on it and
returns one line per mismatch (empty = pass). Instants are compared as points in time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from entitle_desktop.domain.calendar import BusinessCalendar
from entitle_desktop.domain.criteria import Criteria, CriteriaError, FilterItem
from entitle_desktop.domain.milestones import (
    CaseHistory,
    FieldChange,
    FieldValue,
    MilestoneEntry,
    MilestoneError,
    MilestoneOccurrence,
    MilestoneTrigger,
    ProcessDefinition,
    Recurrence,
    StartFrom,
    TriggerUnit,
    WorkingCalendar,
    simulate,
)

__all__ = [
    "CaseFileError",
    "check_case",
    "load_case",
    "load_criteria",
    "load_process",
    "parse_instant",
    "run_case",
]

CalendarFactory = Callable[[Mapping[str, Any]], WorkingCalendar]


class CaseFileError(ValueError):
    """A milestone case file that does not follow the documented format."""


def parse_instant(text: object, where: str) -> datetime:
    """An ISO-8601 instant that carries an offset."""
    if not isinstance(text, str):
        raise CaseFileError(f"{where}: expected an instant string, got {text!r}")
    try:
        value = datetime.fromisoformat(text)
    except ValueError as error:
        raise CaseFileError(f"{where}: {text!r} is not an ISO-8601 instant") from error
    if value.tzinfo is None:
        raise CaseFileError(f"{where}: instant {text!r} has no offset")
    return value


def load_criteria(data: Mapping[str, Any] | None, where: str) -> Criteria | None:
    """``{"items": [{"field", "op", "value"}], "logic": optional}``; None when absent."""
    if data is None:
        return None
    try:
        items = tuple(
            FilterItem(str(item["field"]), str(item["op"]), str(item["value"]))
            for item in data.get("items", [])
        )
        return Criteria(items, data.get("logic"))
    except (CriteriaError, KeyError) as error:
        raise CaseFileError(f"{where}: {error}") from error


def _load_trigger(data: Mapping[str, Any], where: str) -> MilestoneTrigger:
    unit_text = str(data["unit"])
    for unit in TriggerUnit:
        if unit.value.lower() == unit_text.lower():
            return MilestoneTrigger(int(data["length"]), unit)
    raise CaseFileError(f"{where}: unknown trigger unit {unit_text!r}")


def _load_entry(data: Mapping[str, Any], index: int) -> MilestoneEntry:
    where = f"process.milestones[{index}] ({data.get('name')!r})"
    try:
        return MilestoneEntry(
            name=str(data["name"]),
            minutes=int(data["minutes"]),
            start_from=StartFrom(data["start_from"]),
            recurrence=Recurrence(data["recurrence"]),
            criteria=load_criteria(data.get("criteria"), f"{where} criteria"),
            calendar=data.get("calendar"),
            triggers=tuple(
                _load_trigger(trigger, f"{where} trigger {number}")
                for number, trigger in enumerate(data.get("triggers", []), start=1)
            ),
        )
    except (KeyError, ValueError, MilestoneError) as error:
        if isinstance(error, CaseFileError):
            raise
        raise CaseFileError(f"{where}: {error}") from error


def load_process(data: Mapping[str, Any]) -> ProcessDefinition:
    """The ``process`` object of a case file."""
    entries = tuple(_load_entry(entry, index) for index, entry in enumerate(data["milestones"]))
    try:
        return ProcessDefinition(
            milestones=entries,
            calendar=data.get("calendar"),
            start_field=data.get("start_field"),
            exit_criteria=load_criteria(data.get("exit"), "process.exit"),
        )
    except MilestoneError as error:
        raise CaseFileError(f"process: {error}") from error


def load_case(data: Mapping[str, Any]) -> CaseHistory:
    """The ``case`` object of a case file."""
    fields: dict[str, FieldValue] = dict(data.get("fields", {}))
    changes = tuple(
        FieldChange(parse_instant(at, f"case.changes[{index}]"), str(name), value)
        for index, (at, name, value) in enumerate(data.get("changes", []))
    )
    stopped = tuple(
        (
            parse_instant(begin, f"case.stopped[{index}]"),
            parse_instant(end, f"case.stopped[{index}]"),
        )
        for index, (begin, end) in enumerate(data.get("stopped", []))
    )
    completions = {
        str(name): tuple(parse_instant(at, f"case.completions[{name!r}]") for at in instants)
        for name, instants in data.get("completions", {}).items()
    }
    return CaseHistory(
        created=parse_instant(data["created"], "case.created"),
        fields=fields,
        changes=changes,
        stopped=stopped,
        completions=completions,
        calendar=data.get("calendar"),
    )


def run_case(
    data: Mapping[str, Any], calendar_factory: CalendarFactory | None = None
) -> list[MilestoneOccurrence]:
    """Simulate a case file (its ``calendars``, ``process``, ``case`` and ``as_of``)."""
    factory = calendar_factory or BusinessCalendar.from_json
    calendars = {name: factory(obj) for name, obj in data.get("calendars", {}).items()}
    return simulate(
        load_process(data["process"]),
        load_case(data["case"]),
        calendars,
        parse_instant(data["as_of"], "as_of"),
    )


_INSTANT_FIELDS = ("start", "target", "completed", "removed")
_EXACT_FIELDS = ("violated", "elapsed_seconds", "stopped_seconds", "actual_elapsed_seconds")


def _same_instant(expected: object, actual: datetime | None, where: str) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    return parse_instant(expected, where) == actual


def _show(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    return str(value)


def _compare(expected: Mapping[str, Any], actual: MilestoneOccurrence) -> list[str]:
    label = f"occurrence {expected.get('occurrence')} of {expected.get('milestone')}"
    problems: list[str] = []

    def mismatch(name: str, want: object, got: object) -> None:
        problems.append(f"{label}: {name} expected {_show(want)} got {_show(got)}")

    if expected.get("milestone") != actual.milestone:
        mismatch("milestone", expected.get("milestone"), actual.milestone)
    if expected.get("occurrence") != actual.occurrence:
        mismatch("occurrence", expected.get("occurrence"), actual.occurrence)
    for name in _INSTANT_FIELDS:
        want = expected.get(name)
        got: datetime | None = getattr(actual, name)
        if not _same_instant(want, got, f"{label} {name}"):
            mismatch(name, want, got)
    want_triggers = list(expected.get("triggers", []))
    got_triggers = list(actual.triggers)
    if len(want_triggers) != len(got_triggers) or not all(
        _same_instant(want, got, f"{label} trigger")
        for want, got in zip(want_triggers, got_triggers, strict=True)
    ):
        mismatch("triggers", want_triggers, got_triggers)
    for name in _EXACT_FIELDS:
        want = expected.get(name)
        got_value = getattr(actual, name)
        if type(want) is not type(got_value) or want != got_value:
            mismatch(name, want, got_value)
    return problems


def check_case(data: dict[str, Any], calendar_factory: CalendarFactory | None = None) -> list[str]:
    """Mismatches between a milestone case file's ``expect`` and the simulator; [] = pass.

    Each line names the occurrence and field, e.g.
    ``occurrence 2 of Resolution: target expected 2024-06-03T17:00:00-04:00 got ...``.
    A file that cannot be loaded or simulated yields one line saying why.
    """
    try:
        actual = run_case(data, calendar_factory)
    except (ValueError, KeyError, TypeError) as error:
        return [f"case could not be run: {type(error).__name__}: {error}"]
    expected = list(data.get("expect", []))
    problems: list[str] = []
    if len(expected) != len(actual):
        problems.append(f"expected {len(expected)} occurrences got {len(actual)}")
    for want, got in zip(expected, actual, strict=False):
        problems.extend(_compare(want, got))
    if len(actual) > len(expected):
        for extra in actual[len(expected) :]:
            problems.append(f"unexpected occurrence {extra.occurrence} of {extra.milestone}")
    return problems
