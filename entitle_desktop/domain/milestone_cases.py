"""Milestone case histories (``../shared/cases/milestones/``): loading and checking.

A case file holds ``calendars``, ``process``, ``case``, ``as_of`` and ``expect``; its format
is described in that folder's README. :func:`check_case` runs the simulator on it and
returns one line per mismatch (empty = pass). Instants are compared as points in time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from entitle_desktop.domain.calendar import BusinessCalendar, CalendarError, to_epoch_us
from entitle_desktop.domain.criteria import Criteria, CriteriaError, FilterItem
from entitle_desktop.domain.milestones import (
    CaseHistory,
    FieldChange,
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
        raise CaseFileError(f"{where}: expected an instant string, got {_got(text)}")
    try:
        value = datetime.fromisoformat(text)
    except ValueError as error:
        raise CaseFileError(f"{where}: {text!r} is not an ISO-8601 instant") from error
    if value.tzinfo is None:
        raise CaseFileError(f"{where}: instant {text!r} has no offset")
    return value


_MISSING = object()


def _got(value: object) -> str:
    return "nothing (missing)" if value is _MISSING else repr(value)


def _object(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise CaseFileError(f"{where}: expected an object, got {_got(value)}")
    return value


def _array(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise CaseFileError(f"{where}: expected a list, got {_got(value)}")
    return value


def _whole(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CaseFileError(f"{where}: expected a whole number, got {_got(value)}")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise CaseFileError(f"{where}: expected a string, got {_got(value)}")
    return value


def _optional_text(value: object, where: str) -> str | None:
    return None if value is None else _text(value, where)


def load_criteria(data: object, where: str) -> Criteria | None:
    """``{"items": [{"field", "op", "value"}], "logic": optional}``; None when absent."""
    if data is None:
        return None
    obj = _object(data, where)
    items: list[FilterItem] = []
    for number, item in enumerate(_array(obj.get("items", []), f"{where}.items"), start=1):
        item_where = f"{where} item {number}"
        fields = _object(item, item_where)
        items.append(
            FilterItem(
                _text(fields.get("field", _MISSING), f"{item_where} field"),
                _text(fields.get("op", _MISSING), f"{item_where} op"),
                _text(fields.get("value", _MISSING), f"{item_where} value"),
            )
        )
    try:
        return Criteria(tuple(items), _optional_text(obj.get("logic"), f"{where}.logic"))
    except CriteriaError as error:
        raise CaseFileError(f"{where}: {error}") from error


def _load_trigger(data: object, where: str) -> MilestoneTrigger:
    obj = _object(data, where)
    unit_text = _text(obj.get("unit", _MISSING), f"{where} unit")
    length = _whole(obj.get("length", _MISSING), f"{where} length")
    for unit in TriggerUnit:
        if unit.value.lower() == unit_text.lower():
            return MilestoneTrigger(length, unit)
    raise CaseFileError(f"{where}: unknown trigger unit {unit_text!r}")


def _load_entry(data: object, index: int) -> MilestoneEntry:
    obj = _object(data, f"process.milestones[{index}]")
    where = f"process.milestones[{index}] ({obj.get('name')!r})"
    name = _text(obj.get("name", _MISSING), f"{where} name")
    minutes = _whole(obj.get("minutes", _MISSING), f"{where} minutes")
    start_from = _text(obj.get("start_from", _MISSING), f"{where} start_from")
    recurrence = _text(obj.get("recurrence", _MISSING), f"{where} recurrence")
    try:
        return MilestoneEntry(
            name=name,
            minutes=minutes,
            start_from=StartFrom(start_from),
            recurrence=Recurrence(recurrence),
            criteria=load_criteria(obj.get("criteria"), f"{where} criteria"),
            calendar=_optional_text(obj.get("calendar"), f"{where} calendar"),
            triggers=tuple(
                _load_trigger(trigger, f"{where} trigger {number}")
                for number, trigger in enumerate(
                    _array(obj.get("triggers", []), f"{where} triggers"), start=1
                )
            ),
        )
    except (ValueError, MilestoneError) as error:
        if isinstance(error, CaseFileError):
            raise
        raise CaseFileError(f"{where}: {error}") from error


def load_process(data: object) -> ProcessDefinition:
    """The ``process`` object of a case file."""
    obj = _object(data, "process")
    entries = tuple(
        _load_entry(entry, index)
        for index, entry in enumerate(_array(obj.get("milestones", _MISSING), "process.milestones"))
    )
    try:
        return ProcessDefinition(
            milestones=entries,
            calendar=_optional_text(obj.get("calendar"), "process.calendar"),
            start_field=_optional_text(obj.get("start_field"), "process.start_field"),
            exit_criteria=load_criteria(obj.get("exit"), "process.exit"),
        )
    except MilestoneError as error:
        raise CaseFileError(f"process: {error}") from error


def _pair(value: object, where: str, size: int, shape: str) -> list[Any]:
    if not isinstance(value, list) or len(value) != size:
        raise CaseFileError(f"{where}: expected {shape}, got {_got(value)}")
    return value


def load_case(data: object) -> CaseHistory:
    """The ``case`` object of a case file."""
    obj = _object(data, "case")
    fields = dict(_object(obj.get("fields", {}), "case.fields"))
    for name, value in fields.items():
        if value is not None and not isinstance(value, str | int | float):
            raise CaseFileError(
                f"case.fields[{name!r}]: expected a string, number, boolean or null, got {value!r}"
            )
    changes = []
    for index, change in enumerate(_array(obj.get("changes", []), "case.changes")):
        where = f"case.changes[{index}]"
        at, name, value = _pair(change, where, 3, "[instant, field, value]")
        if value is not None and not isinstance(value, str | int | float):
            raise CaseFileError(f"{where}: value must be a string, number, boolean or null")
        changes.append(FieldChange(parse_instant(at, where), _text(name, f"{where} field"), value))
    stopped = []
    for index, stop in enumerate(_array(obj.get("stopped", []), "case.stopped")):
        where = f"case.stopped[{index}]"
        begin, end = _pair(stop, where, 2, "[from, to]")
        interval = (parse_instant(begin, f"{where} from"), parse_instant(end, f"{where} to"))
        if interval[1] < interval[0]:
            raise CaseFileError(f"{where}: ends ({end}) before it starts ({begin})")
        stopped.append(interval)
    completions: dict[str, tuple[datetime, ...]] = {}
    for name, instants in _object(obj.get("completions", {}), "case.completions").items():
        where = f"case.completions[{name!r}]"
        completions[str(name)] = tuple(
            parse_instant(at, f"{where}[{k}]") for k, at in enumerate(_array(instants, where))
        )
    return CaseHistory(
        created=parse_instant(obj.get("created", _MISSING), "case.created"),
        fields=fields,
        changes=tuple(changes),
        stopped=tuple(stopped),
        completions=completions,
        calendar=_optional_text(obj.get("calendar"), "case.calendar"),
    )


def run_case(
    data: Mapping[str, Any], calendar_factory: CalendarFactory | None = None
) -> list[MilestoneOccurrence]:
    """Simulate a case file (its ``calendars``, ``process``, ``case`` and ``as_of``)."""
    factory = calendar_factory or BusinessCalendar.from_json
    calendars: dict[str, WorkingCalendar] = {}
    for name, obj in _object(data.get("calendars", {}), "calendars").items():
        try:
            calendars[str(name)] = factory(obj)
        except CalendarError as error:
            raise CaseFileError(f"calendars[{name!r}]: {error}") from error
    return simulate(
        load_process(data.get("process", _MISSING)),
        load_case(data.get("case", _MISSING)),
        calendars,
        parse_instant(data.get("as_of", _MISSING), "as_of"),
    )


_INSTANT_FIELDS = ("start", "target", "completed", "removed")
_EXACT_FIELDS = ("violated", "elapsed_seconds", "stopped_seconds", "actual_elapsed_seconds")


def _same_instant(expected: object, actual: datetime | None, where: str) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    # the same instant, whatever the offsets: aware == is False for a fold=1 value (in a
    # repeated fall-back hour) against any other zone, so compare positions on the time line
    return to_epoch_us(parse_instant(expected, where)) == to_epoch_us(actual)


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
        expected = _array(data.get("expect", _MISSING), "expect")
        for index, want in enumerate(expected):
            _object(want, f"expect[{index}]")
    except (ValueError, KeyError, TypeError) as error:
        return [f"case could not be run: {type(error).__name__}: {error}"]
    problems: list[str] = []
    if len(expected) != len(actual):
        problems.append(f"expected {len(expected)} occurrences got {len(actual)}")
    for index, (want, got) in enumerate(zip(expected, actual, strict=False)):
        try:
            problems.extend(_compare(want, got))
        except CaseFileError as error:
            problems.append(f"expect[{index}]: {error}")
    if len(actual) > len(expected):
        for extra in actual[len(expected) :]:
            problems.append(f"unexpected occurrence {extra.occurrence} of {extra.milestone}")
    return problems
