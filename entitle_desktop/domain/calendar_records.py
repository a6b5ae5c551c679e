"""Business hours and holiday records (``domain.records``) as engine calendars.

Salesforce semantics (domain.md section 4): a weekday with no window is closed; a window
from 00:00 to 00:00 is open all day; an end of 00:00 means midnight at the end of the day
(24:00). Beyond Salesforce, several windows per day and overnight windows (end before
start, belonging to the day they start) are passed to the engine unchanged. Only the
holidays linked to the business hours by name (case-insensitively) apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, time
from typing import Any

from entitle_desktop.domain.calendar import BusinessCalendar, CalendarError
from entitle_desktop.domain.holiday_rules import (
    WEEKDAY_KEYS,
    CountryHolidays,
    HolidayRule,
    HolidayRuleError,
    holiday_rule_from_salesforce,
    parse_hhmm,
)
from entitle_desktop.domain.records import BusinessHours, Holiday

__all__ = [
    "business_hours_problem",
    "calendar_from_records",
    "holiday_names",
    "holiday_rule_from_record",
    "linked_holidays",
]


def _hhmm(value: time, what: str) -> str:
    """``HH:MM`` of a whole-minute time; seconds or microseconds are refused."""
    if value.second or value.microsecond:
        raise CalendarError(f"{what} {value.isoformat()}: only whole minutes are supported")
    return f"{value.hour:02}:{value.minute:02}"


def _end_text(value: time | None, what: str) -> str:
    # Salesforce writes midnight at the end of the day as 00:00; the records use None.
    if value is None or value == time(0):
        return "24:00"
    return _hhmm(value, what)


def linked_holidays(hours_name: str, holidays: Iterable[Holiday]) -> list[Holiday]:
    """The holidays linked to the business hours named ``hours_name`` (case-insensitive)."""
    key = hours_name.casefold()
    return [h for h in holidays if any(n.casefold() == key for n in h.business_hours)]


def holiday_rule_from_record(h: Holiday) -> HolidayRule:
    """A ``Holiday`` record as an engine rule (``HolidayRuleError`` when malformed).

    A record with ``national_country`` follows that country's (and subdivision's) public
    holidays from the ``holidays`` library; any other record is read through
    ``holiday_rule_from_salesforce`` with its Salesforce fields. ``start_time``/``end_time``
    make it a part-day holiday (an end of 00:00 is midnight at the end of the day; 00:00 to
    00:00 is all day).
    """
    times: dict[str, Any] = {}
    if h.start_time is not None or h.end_time is not None:
        if h.start_time is None or h.end_time is None:
            raise HolidayRuleError(f"holiday {h.name!r} needs both a start and an end time")
        if not (h.start_time == time(0) and h.end_time == time(0)):
            try:
                times = {
                    "startTime": _hhmm(h.start_time, f"holiday {h.name!r} start time"),
                    "endTime": _end_text(h.end_time, f"holiday {h.name!r} end time"),
                }
            except CalendarError as exc:
                raise HolidayRuleError(str(exc)) from exc
    if h.national_country:
        minutes: dict[str, int] = {}
        if times:
            minutes = {
                "start_minute": parse_hhmm(times["startTime"], allow_24=False),
                "end_minute": parse_hhmm(times["endTime"], allow_24=True),
            }
        return CountryHolidays(
            country=h.national_country,
            subdiv=h.national_subdivision or None,
            observed=h.national_observed,
            name=h.name,
            **minutes,
        )
    fields: dict[str, Any] = {"name": h.name, **times}
    optional: dict[str, Any] = {
        "activityDate": h.activity_date,
        "isRecurring": h.is_recurring,
        "recurrenceType": h.recurrence_type,
        "recurrenceInterval": h.recurrence_interval,
        "recurrenceDayOfMonth": h.recurrence_day_of_month,
        "recurrenceDayOfWeek": list(h.recurrence_day_of_week) or None,
        "recurrenceDayOfWeekMask": h.recurrence_day_of_week_mask,
        "recurrenceInstance": h.recurrence_instance,
        "recurrenceMonthOfYear": h.recurrence_month_of_year,
        "recurrenceStartDate": h.recurrence_start_date,
        "recurrenceEndDate": h.recurrence_end_date,
    }
    fields.update({k: v for k, v in optional.items() if v is not None})
    return holiday_rule_from_salesforce(fields)


def calendar_from_records(
    hours: BusinessHours,
    holidays: Sequence[Holiday] = (),
    *,
    require_open_time: bool = False,
) -> BusinessCalendar:
    """The engine calendar of ``hours`` with the holidays of ``holidays`` linked to it.

    Holidays not linked to ``hours`` by name are ignored. Inactive business hours convert
    like active ones (callers check ``hours.active``). Raises ``CalendarError`` naming the
    business hours (and the holiday) when the record cannot be converted: unknown time
    zone, a window other than 00:00-00:00 that starts and ends at the same time, times
    with seconds, a malformed holiday, or, with ``require_open_time``, no open time on any
    weekday.
    """
    label = f"business hours {hours.name!r}"
    windows: dict[str, list[tuple[str, str]]] = {}
    try:
        for w in hours.windows:
            day = w.weekday.strip().lower()[:3]
            start = _hhmm(w.start, f"{day} start")
            end = _end_text(w.end, f"{day} end")
            windows.setdefault(day, []).append((start, end))
    except CalendarError as exc:
        raise CalendarError(f"{label}: {exc}") from exc
    if require_open_time and not windows:
        raise CalendarError(f"{label} has no open time on any day")
    rules: list[HolidayRule] = []
    for h in linked_holidays(hours.name, holidays):
        try:
            rules.append(holiday_rule_from_record(h))
        except HolidayRuleError as exc:
            raise CalendarError(f"{label}: holiday {h.name!r}: {exc}") from exc
    try:
        return BusinessCalendar(hours.time_zone, windows, rules)
    except CalendarError as exc:
        raise CalendarError(f"{label}: {exc}") from exc


def holiday_names(rules: Sequence[HolidayRule], start: date, end: date) -> dict[date, list[str]]:
    """Names of the holidays (whole or part day) on each local date in ``[start, end]``.

    A national calendar contributes the library's name of the day followed by the
    record's name in parentheses, e.g. ``"Christmas Day (US holidays)"``.
    """
    out: dict[date, list[str]] = {}
    for rule in rules:
        library_names: dict[date, str] = {}
        if isinstance(rule, CountryHolidays):
            import holidays as _holidays

            years = [y for y in range(start.year - 1, end.year + 2) if 1 <= y <= 9999]
            listed = _holidays.country_holidays(
                rule.country, subdiv=rule.subdiv, observed=rule.observed, years=years
            )
            library_names = {d: str(n) for d, n in listed.items()}
        for year in range(start.year, end.year + 1):
            for d in rule.dates_in_year(year):
                if not start <= d <= end:
                    continue
                name = rule.name
                if d in library_names:
                    name = f"{library_names[d]} ({rule.name})" if rule.name else library_names[d]
                out.setdefault(d, []).append(name)
    return out


def business_hours_problem(hours: BusinessHours) -> tuple[str, str] | None:
    """Why the engine cannot use ``hours``, as ``(field, reason)`` naming the field of the
    record (``"time_zone"``, ``"windows[2].start"``), or None when it can.

    The checks of :func:`calendar_from_records` (holidays aside), attributed to a field:
    an unknown or host-only time zone, a weekday other than mon..sun, a time with seconds,
    a window other than 00:00-00:00 that starts and ends at the same time. Overnight
    windows and several windows per day are allowed (the engine runs them; only a
    Salesforce export cannot express them).
    """
    try:
        BusinessCalendar(hours.time_zone, {})
    except CalendarError as exc:
        return "time_zone", str(exc)
    for i, w in enumerate(hours.windows):
        where = f"windows[{i}]"
        day = w.weekday.strip().lower()[:3]
        if day not in WEEKDAY_KEYS:
            return f"{where}.weekday", f"unknown weekday {w.weekday!r} (use mon, tue, ..., sun)"
        try:
            start = _hhmm(w.start, f"{day} start")
        except CalendarError as exc:
            return f"{where}.start", str(exc)
        try:
            end = _end_text(w.end, f"{day} end")
        except CalendarError as exc:
            return f"{where}.end", str(exc)
        try:
            BusinessCalendar(hours.time_zone, {day: [(start, end)]})
        except CalendarError as exc:
            return where, str(exc)
    try:
        calendar_from_records(hours)
    except CalendarError as exc:
        label = f"business hours {hours.name!r}: "
        text = str(exc)
        return "windows", text[len(label) :] if text.startswith(label) else text
    return None
