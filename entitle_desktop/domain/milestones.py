"""Offline simulation of an entitlement process's milestones on one support case.

:func:`simulate` replays a :class:`CaseHistory` under a :class:`ProcessDefinition` and
reports every :class:`MilestoneOccurrence` ever created, following
``../shared/cases/milestones/CONVENTIONS.md`` (section numbers below refer to it). All
business-time arithmetic is delegated to a :class:`WorkingCalendar` (the business
calendar's ``add``, ``subtract`` and ``between``), so the simulator itself only walks the
case's save events, never time itself.

The case's stops are merged once into a sorted list; every calendar call gets only the
stops that can change its answer (found by bisection and widened until the next stop
lies beyond the answer), so a long history with thousands of stops replays in time
roughly linear in its number of events.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from entitle_desktop.domain.criteria import Criteria

__all__ = [
    "CaseHistory",
    "FieldChange",
    "MilestoneEntry",
    "MilestoneError",
    "MilestoneOccurrence",
    "MilestoneTrigger",
    "ProcessDefinition",
    "Recurrence",
    "StartFrom",
    "TriggerUnit",
    "WorkingCalendar",
    "simulate",
]

Interval = tuple[datetime, datetime]
FieldValue = str | int | float | bool | None


class MilestoneError(ValueError):
    """A process or case history the simulator cannot run, with a message saying why."""


class WorkingCalendar(Protocol):
    """The business-calendar operations the simulator needs (all instants aware)."""

    def add(self, start: datetime, minutes: float, pauses: Sequence[Interval] = ()) -> datetime: ...

    def subtract(
        self, end: datetime, minutes: float, pauses: Sequence[Interval] = ()
    ) -> datetime: ...

    def between(self, start: datetime, end: datetime, pauses: Sequence[Interval] = ()) -> float: ...


class Recurrence(StrEnum):
    NONE = "none"
    INDEPENDENT = "independent"
    SEQUENTIAL = "sequential"


class StartFrom(StrEnum):
    PROCESS = "process"
    CRITERIA = "criteria"


class TriggerUnit(StrEnum):
    MINUTES = "Minutes"
    HOURS = "Hours"
    DAYS = "Days"


_UNIT_MINUTES = {TriggerUnit.MINUTES: 1, TriggerUnit.HOURS: 60, TriggerUnit.DAYS: 1440}


@dataclass(frozen=True)
class MilestoneTrigger:
    """A time trigger: negative length = warning before the target, else violation action."""

    length: int
    unit: TriggerUnit

    def __post_init__(self) -> None:
        if isinstance(self.length, bool) or not isinstance(self.length, int):
            raise MilestoneError(f"trigger length must be a whole number, got {self.length!r}")

    @property
    def minutes(self) -> int:
        """Business minutes relative to the target (a day is 1440 business minutes, 9.4)."""
        return self.length * _UNIT_MINUTES[self.unit]


@dataclass(frozen=True)
class MilestoneEntry:
    """One milestone line of a process; several entries may share a ``name``."""

    name: str
    minutes: int
    start_from: StartFrom
    recurrence: Recurrence
    criteria: Criteria | None = None
    calendar: str | None = None
    triggers: tuple[MilestoneTrigger, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.minutes, bool) or not isinstance(self.minutes, int):
            raise MilestoneError(
                f"milestone {self.name!r}: minutes must be a whole number, got {self.minutes!r}"
            )
        if self.minutes < 1:
            raise MilestoneError(f"milestone {self.name!r}: minutes must be at least 1")


@dataclass(frozen=True)
class ProcessDefinition:
    """An entitlement process version, as far as milestone timing is concerned."""

    milestones: tuple[MilestoneEntry, ...]
    calendar: str | None = None
    start_field: str | None = None
    exit_criteria: Criteria | None = None

    def __post_init__(self) -> None:
        recurrences: dict[str, Recurrence] = {}
        for entry in self.milestones:
            known = recurrences.setdefault(entry.name, entry.recurrence)
            if known is not entry.recurrence:
                raise MilestoneError(
                    f"milestone {entry.name!r}: entries disagree on recurrence "
                    f"({known.value} and {entry.recurrence.value})"
                )

    @property
    def milestone_names(self) -> tuple[str, ...]:
        """Milestone names in order of first appearance (4.3)."""
        return tuple(dict.fromkeys(entry.name for entry in self.milestones))


@dataclass(frozen=True)
class FieldChange:
    at: datetime
    field: str
    value: FieldValue


@dataclass(frozen=True)
class CaseHistory:
    """What happened to one case: initial fields, changes, stops and completions."""

    created: datetime
    fields: Mapping[str, FieldValue] = field(default_factory=dict)
    changes: tuple[FieldChange, ...] = ()
    stopped: tuple[Interval, ...] = ()
    completions: Mapping[str, tuple[datetime, ...]] = field(default_factory=dict)
    calendar: str | None = None


@dataclass(frozen=True)
class MilestoneOccurrence:
    """One occurrence of a milestone on the case, judged at ``as_of`` (section 12)."""

    milestone: str
    occurrence: int
    start: datetime
    target: datetime
    triggers: tuple[datetime | None, ...]
    completed: datetime | None
    removed: datetime | None
    violated: bool
    elapsed_seconds: int
    stopped_seconds: int
    actual_elapsed_seconds: int
    created: datetime
    calendar: str


@dataclass
class _Open:
    """Mutable working state of one occurrence while the case is replayed."""

    name: str
    number: int
    entry: MilestoneEntry
    calendar_name: str
    created: datetime
    start: datetime
    completed: datetime | None = None
    removed: datetime | None = None
    _target: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.completed is None and self.removed is None

    @property
    def close(self) -> datetime | None:
        """close(o): completion, else removal, else None (open) (7.1)."""
        return self.completed or self.removed

    def target(self, calendar: WorkingCalendar, stops: _Stops) -> datetime:
        """The target (7.2); only cached once the occurrence is closed, when S(o) is final."""
        if self._target is not None:
            return self._target
        target = stops.add(calendar, self.start, self.entry.minutes, self.close)
        if not self.is_open:
            self._target = target
        return target


class _Stops:
    """The case's stopped intervals, merged and sorted, with windowed calendar calls.

    ``S(o)`` (7.1) is every stop beginning before ``close`` (None: no cut), the last one
    cut at ``close``. A pause ending at or before the start of an ``add``, or beginning at
    or after its answer, cannot change that answer (and mirror-wise for ``subtract``), so
    each call passes a window of stops around its start and widens it until the next stop
    outside the window lies beyond the answer.
    """

    _FIRST_WINDOW = 8

    def __init__(self, stopped: Sequence[Interval]) -> None:
        merged: list[list[datetime]] = []
        for index, (begin, end) in enumerate(sorted(stopped)):
            if end < begin:
                raise MilestoneError(
                    f"stop {index + 1} ends ({end.isoformat()}) before it starts"
                    f" ({begin.isoformat()})"
                )
            if end == begin:
                continue
            if merged and begin <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([begin, end])
        self.begins = [m[0] for m in merged]
        self.ends = [m[1] for m in merged]

    def _count(self, close: datetime | None) -> int:
        """How many stops (from the first) belong to S(o)."""
        return len(self.begins) if close is None else bisect_left(self.begins, close)

    def _window(self, lo: int, hi: int, close: datetime | None) -> list[Interval]:
        """Stops ``lo..hi-1`` of S(o), the last one cut at ``close``."""
        out = list(zip(self.begins[lo:hi], self.ends[lo:hi], strict=True))
        if close is not None and out and out[-1][1] > close:
            out[-1] = (out[-1][0], close)
        return out

    def add(
        self, calendar: WorkingCalendar, start: datetime, minutes: float, close: datetime | None
    ) -> datetime:
        """``add_c(start, minutes, S(o))``."""
        count = self._count(close)
        lo = bisect_right(self.ends, start)  # stops ending at or before start do not count
        size = self._FIRST_WINDOW
        while True:
            hi = min(count, lo + size)
            answer = calendar.add(start, minutes, self._window(lo, hi, close))
            if hi >= count or self.begins[hi] >= answer:
                return answer
            size *= 4

    def subtract(
        self, calendar: WorkingCalendar, end: datetime, minutes: float, close: datetime | None
    ) -> datetime:
        """``subtract_c(end, minutes, S(o))``."""
        hi = min(self._count(close), bisect_left(self.begins, end))  # stops beginning before end
        size = self._FIRST_WINDOW
        while True:
            lo = max(0, hi - size)
            answer = calendar.subtract(end, minutes, self._window(lo, hi, close))
            if lo == 0 or self.ends[lo - 1] <= answer:
                return answer
            size *= 4

    def inside(self, start: datetime, end: datetime) -> list[Interval]:
        """The stops' parts inside ``[start, end)``."""
        lo = bisect_right(self.ends, start)
        hi = bisect_left(self.begins, end)
        return [
            (max(begin, start), min(stop, end))
            for begin, stop in zip(self.begins[lo:hi], self.ends[lo:hi], strict=True)
        ]


def _process_start(process: ProcessDefinition, case: CaseHistory) -> datetime:
    if process.start_field is None:
        return case.created
    raw = case.fields.get(process.start_field)
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, str):
        try:
            value = datetime.fromisoformat(raw.strip())
        except ValueError as error:
            raise MilestoneError(
                f"start field {process.start_field!r} holds {raw!r}, not an instant"
            ) from error
    else:
        raise MilestoneError(f"start field {process.start_field!r} holds no instant ({raw!r})")
    if value.tzinfo is None:
        raise MilestoneError(f"start field {process.start_field!r} instant has no offset")
    return value


def _entry_matches(entry: MilestoneEntry, values: Mapping[str, object]) -> bool:
    return entry.criteria is None or entry.criteria.matches(values)


def simulate(
    process: ProcessDefinition,
    case: CaseHistory,
    calendars: Mapping[str, WorkingCalendar],
    as_of: datetime,
) -> list[MilestoneOccurrence]:
    """Every milestone occurrence ever created on ``case``, judged at ``as_of``.

    The result is sorted by start, then milestone order, then occurrence number (12.1).
    Raises :class:`MilestoneError` when an entry resolves to no known calendar or the
    process start cannot be read.
    """
    for entry in process.milestones:
        name = entry.calendar or process.calendar or case.calendar
        if name is None:
            raise MilestoneError(f"milestone {entry.name!r} has no calendar")
        if name not in calendars:
            raise MilestoneError(f"milestone {entry.name!r}: unknown calendar {name!r}")

    process_start = _process_start(process, case)
    first = max(case.created, process_start)
    stops = _Stops(case.stopped)
    names = process.milestone_names
    order = {name: index for index, name in enumerate(names)}

    changes = sorted(case.changes, key=lambda change: change.at)  # stable: file order kept
    completions_at: dict[datetime, list[str]] = {}
    for name, marked in case.completions.items():
        for instant in marked:
            if instant >= first:
                completions_at.setdefault(instant, []).append(name)
    instants = sorted({first} | {c.at for c in changes if c.at > first} | set(completions_at))

    values: dict[str, object] = dict(case.fields)
    history: dict[str, list[_Open]] = {name: [] for name in names}
    open_now: dict[str, _Open] = {}
    last_done: dict[str, _Open] = {}  # the latest completed occurrence of each name
    ended: datetime | None = None
    next_change = 0

    def calendar_name(entry: MilestoneEntry) -> str:
        return entry.calendar or process.calendar or case.calendar or ""

    for at in instants:
        # a. field changes up to and including this save
        while next_change < len(changes) and changes[next_change].at <= at:
            change = changes[next_change]
            values[change.field] = change.value
            next_change += 1
        # b. completions (8.1): only an occurrence open now; otherwise ignored
        for name in completions_at.get(at, ()):
            occurrence = open_now.pop(name, None)
            if occurrence is not None:
                occurrence.completed = at
                last_done[name] = occurrence  # completions only ever hit the newest one
        if ended is not None:
            continue
        # c. exit (section 10)
        if process.exit_criteria is not None and process.exit_criteria.matches(values):
            ended = at
            continue
        # d. removal (section 6)
        for name in names:
            occurrence = open_now.get(name)
            if occurrence is not None and not _entry_matches(occurrence.entry, values):
                occurrence.removed = at
                del open_now[name]
        # e. creation (section 5)
        for name in names:
            if name in open_now:
                continue
            past = history[name]
            previous = last_done.get(name)
            chosen = next(
                (e for e in process.milestones if e.name == name and _entry_matches(e, values)),
                None,
            )
            if chosen is None:
                continue
            if chosen.recurrence is Recurrence.NONE and previous is not None:
                continue
            start = process_start if chosen.start_from is StartFrom.PROCESS else at
            if chosen.recurrence is Recurrence.SEQUENTIAL and previous is not None:
                previous_target = previous.target(calendars[previous.calendar_name], stops)
                start = max(start, previous_target)
            occurrence = _Open(
                name=name,
                number=len(past) + 1,
                entry=chosen,
                calendar_name=calendar_name(chosen),
                created=at,
                start=start,
            )
            past.append(occurrence)
            open_now[name] = occurrence

    results = [
        _judge(occurrence, calendars[occurrence.calendar_name], stops, ended, as_of)
        for name in names
        for occurrence in history[name]
    ]
    results.sort(key=lambda o: (o.start, order[o.milestone], o.occurrence))
    return results


def _judge(
    occurrence: _Open,
    calendar: WorkingCalendar,
    stops: _Stops,
    ended: datetime | None,
    as_of: datetime,
) -> MilestoneOccurrence:
    close = occurrence.close
    target = occurrence.target(calendar, stops)
    cutoffs = [c for c in (occurrence.completed, occurrence.removed, ended) if c is not None]
    fired: list[datetime | None] = []
    for trigger in occurrence.entry.triggers:
        minutes = trigger.minutes
        if minutes < 0:
            instant = stops.subtract(calendar, target, -minutes, close)
        elif minutes == 0:
            instant = target
        else:
            instant = stops.add(calendar, target, minutes, close)
        fire = max(instant, occurrence.created)
        fired.append(fire if all(fire < cutoff for cutoff in cutoffs) else None)

    end = occurrence.completed or occurrence.removed or as_of
    start = occurrence.start
    if end > start:  # B_c is 0 when end <= start (9.3); the calendar's between refuses it
        elapsed = calendar.between(start, end)
        counted = calendar.between(start, end, stops.inside(start, end))
    else:
        elapsed = counted = 0.0
    elapsed_seconds = round(elapsed)
    stopped_seconds = round(elapsed - counted)
    return MilestoneOccurrence(
        milestone=occurrence.name,
        occurrence=occurrence.number,
        start=start,
        target=target,
        triggers=tuple(fired),
        completed=occurrence.completed,
        removed=occurrence.removed,
        violated=end > target,
        elapsed_seconds=elapsed_seconds,
        stopped_seconds=stopped_seconds,
        actual_elapsed_seconds=elapsed_seconds - stopped_seconds,
        created=occurrence.created,
        calendar=occurrence.calendar_name,
    )
