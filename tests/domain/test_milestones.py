"""Focused behaviours of the milestone simulator, on a private round-the-clock calendar."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from entitle_desktop.domain.criteria import Criteria, FilterItem
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
    simulate,
)

Interval = tuple[datetime, datetime]


class RoundTheClock:
    """Every second is working time; pauses [from, to) do not count."""

    def add(self, start: datetime, minutes: float, pauses: Sequence[Interval] = ()) -> datetime:
        left = timedelta(minutes=minutes)
        at = start
        for begin, end in sorted(pauses):
            if end <= at:
                continue
            if begin > at:
                if begin - at >= left:
                    return at + left
                left -= begin - at
            at = max(at, end)
        return at + left

    def subtract(self, end: datetime, minutes: float, pauses: Sequence[Interval] = ()) -> datetime:
        left = timedelta(minutes=minutes)
        at = end
        for begin, stop in sorted(pauses, reverse=True):
            if begin >= at:
                continue
            if stop < at:
                if at - stop >= left:
                    return at - left
                left -= at - stop
            at = min(at, begin)
        return at - left

    def between(self, start: datetime, end: datetime, pauses: Sequence[Interval] = ()) -> float:
        if end <= start:
            return 0.0
        total = (end - start).total_seconds()
        for begin, stop in pauses:
            overlap = (min(stop, end) - max(begin, start)).total_seconds()
            total -= max(overlap, 0.0)
        return total


CALENDARS = {"24x7": RoundTheClock()}


def t(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2024, 7, day, hour, minute, tzinfo=UTC)


def when(field: str, op: str, value: str) -> Criteria:
    return Criteria((FilterItem(field, op, value),))


def entry(
    name: str,
    minutes: int,
    *,
    criteria: Criteria | None = None,
    start_from: StartFrom = StartFrom.PROCESS,
    recurrence: Recurrence = Recurrence.NONE,
    triggers: tuple[tuple[int, TriggerUnit], ...] = (),
) -> MilestoneEntry:
    return MilestoneEntry(
        name=name,
        minutes=minutes,
        start_from=start_from,
        recurrence=recurrence,
        criteria=criteria,
        triggers=tuple(MilestoneTrigger(length, unit) for length, unit in triggers),
    )


def run(
    entries: Sequence[MilestoneEntry],
    case: CaseHistory,
    as_of: datetime,
    exit_criteria: Criteria | None = None,
    start_field: str | None = None,
) -> list[MilestoneOccurrence]:
    process = ProcessDefinition(
        milestones=tuple(entries),
        calendar="24x7",
        exit_criteria=exit_criteria,
        start_field=start_field,
    )
    return simulate(process, case, CALENDARS, as_of)


MINUTES = TriggerUnit.MINUTES


def test_early_sequential_completion_starts_the_next_occurrence_at_the_previous_target() -> None:
    update = entry(
        "Update",
        120,
        start_from=StartFrom.CRITERIA,
        recurrence=Recurrence.SEQUENTIAL,
        triggers=((-30, MINUTES),),
    )
    case = CaseHistory(created=t(8), completions={"Update": (t(9), t(12))})
    first, second, third = run([update], case, as_of=t(13))
    assert (first.start, first.target, first.triggers) == (t(8), t(10), (None,))
    assert (second.created, second.start, second.target) == (t(9), t(10), t(12))
    assert second.triggers == (t(11, 30),)
    assert second.violated is False  # completed exactly at the target
    assert (third.start, third.target, third.completed) == (t(12), t(14), None)
    assert third.elapsed_seconds == 3600


def test_late_sequential_completion_starts_the_next_occurrence_at_the_completion() -> None:
    update = entry("Update", 60, start_from=StartFrom.CRITERIA, recurrence=Recurrence.SEQUENTIAL)
    case = CaseHistory(created=t(8), completions={"Update": (t(10),)})
    first, second = run([update], case, as_of=t(10, 30))
    assert first.violated is True
    assert (second.start, second.target) == (t(10), t(11))


def test_independent_milestone_recurs_at_the_completion_while_criteria_hold() -> None:
    reply = entry(
        "Reply",
        60,
        criteria=when("Status", "equals", "Customer Replied"),
        start_from=StartFrom.CRITERIA,
        recurrence=Recurrence.INDEPENDENT,
    )
    case = CaseHistory(
        created=t(8),
        fields={"Status": "Customer Replied"},
        changes=(FieldChange(t(9, 15), "Status", "Working"),),
        completions={"Reply": (t(8, 30),)},
    )
    first, second = run([reply], case, as_of=t(12))
    assert (first.completed, second.start, second.removed) == (t(8, 30), t(8, 30), t(9, 15))
    assert second.elapsed_seconds == 45 * 60
    assert second.violated is False


def test_raised_priority_removes_and_recreates_from_the_process_start() -> None:
    entries = [
        entry(
            "Response", 60, criteria=when("Priority", "equals", "High"), triggers=((0, MINUTES),)
        ),
        entry("Response", 240, criteria=when("Priority", "equals", "Low")),
    ]
    case = CaseHistory(
        created=t(8),
        fields={"Priority": "Low"},
        changes=(FieldChange(t(9, 30), "Priority", "High"),),
    )
    low, high = run(entries, case, as_of=t(10))
    assert (low.occurrence, low.target, low.removed, low.violated) == (1, t(12), t(9, 30), False)
    assert (high.occurrence, high.start, high.target) == (2, t(8), t(9))
    assert high.triggers == (t(9, 30),)  # already due at creation: fires then
    assert high.violated is True
    assert high.elapsed_seconds == 7200


def test_completion_at_the_fire_instant_suppresses_the_trigger() -> None:
    response = entry("Response", 60, triggers=((-15, MINUTES), (0, MINUTES)))
    case = CaseHistory(created=t(8), completions={"Response": (t(8, 45),)})
    (occurrence,) = run([response], case, as_of=t(10))
    assert occurrence.triggers == (None, None)
    assert occurrence.violated is False


def test_warning_before_the_creation_fires_at_creation() -> None:
    response = entry("Response", 30, triggers=((-1, TriggerUnit.HOURS),))
    (occurrence,) = run([response], CaseHistory(created=t(8)), as_of=t(9))
    assert occurrence.triggers == (t(8),)


def test_exit_drops_triggers_keeps_the_occurrence_open_and_creates_nothing_later() -> None:
    entries = [
        entry("Resolution", 240, triggers=((-60, MINUTES), (1, TriggerUnit.DAYS))),
        entry(
            "Follow Up",
            60,
            criteria=when("Status", "equals", "Reopened"),
            start_from=StartFrom.CRITERIA,
        ),
    ]
    case = CaseHistory(
        created=t(8),
        fields={"Status": "New"},
        changes=(
            FieldChange(t(9), "Status", "Closed"),
            FieldChange(t(10), "Status", "Reopened"),
        ),
        completions={"Resolution": (t(13),)},
    )
    (resolution,) = run(
        entries, case, as_of=t(14), exit_criteria=when("Status", "equals", "Closed")
    )
    assert resolution.triggers == (None, None)
    assert resolution.completed == t(13)
    assert resolution.violated is True


def test_stop_after_completion_does_not_move_the_target() -> None:
    response = entry("Response", 60)
    resolution = entry("Resolution", 120)
    case = CaseHistory(
        created=t(8),
        stopped=((t(8, 30), t(9)), (t(9, 30), t(10))),
        completions={"Response": (t(9, 15),)},
    )
    first, second = run([response, resolution], case, as_of=t(11))
    assert (first.target, first.stopped_seconds, first.actual_elapsed_seconds) == (
        t(9, 30),
        1800,
        2700,
    )
    assert (second.target, second.stopped_seconds, second.elapsed_seconds) == (t(11), 3600, 10800)
    assert second.violated is False


def test_completion_with_nothing_open_is_ignored() -> None:
    response = entry(
        "Response", 60, criteria=when("Origin", "equals", "Phone"), start_from=StartFrom.CRITERIA
    )
    case = CaseHistory(
        created=t(8),
        fields={"Origin": "Web"},
        changes=(FieldChange(t(9), "Origin", "Phone"),),
        completions={"Response": (t(8, 30), t(9))},
    )
    (occurrence,) = run([response], case, as_of=t(12))
    assert (occurrence.start, occurrence.completed, occurrence.violated) == (t(9), None, True)


def test_start_field_before_creation_times_the_process() -> None:
    response = entry("Response", 60)
    case = CaseHistory(created=t(9, 30), fields={"Opened_At": "2024-07-01T08:00:00+00:00"})
    (occurrence,) = run([response], case, as_of=t(10), start_field="Opened_At")
    assert (occurrence.start, occurrence.target, occurrence.created) == (t(8), t(9), t(9, 30))


def test_output_is_sorted_by_start_then_milestone_order() -> None:
    entries = [
        entry("B", 60, criteria=when("Flag", "equals", "true"), start_from=StartFrom.CRITERIA),
        entry("A", 60),
        entry("C", 60, criteria=when("Flag", "equals", "true")),
    ]
    case = CaseHistory(
        created=t(8), fields={"Flag": False}, changes=(FieldChange(t(8, 10), "Flag", True),)
    )
    started = [(o.milestone, o.start) for o in run(entries, case, as_of=t(8, 30))]
    assert started == [("A", t(8)), ("C", t(8)), ("B", t(8, 10))]


def test_entries_of_one_name_must_share_a_recurrence() -> None:
    with pytest.raises(MilestoneError, match="disagree on recurrence"):
        ProcessDefinition(
            milestones=(
                entry("Update", 60),
                entry("Update", 60, recurrence=Recurrence.INDEPENDENT),
            )
        )


def test_an_entry_without_a_calendar_is_rejected() -> None:
    process = ProcessDefinition(milestones=(entry("Response", 60),))
    with pytest.raises(MilestoneError, match="has no calendar"):
        simulate(process, CaseHistory(created=t(8)), CALENDARS, t(9))
