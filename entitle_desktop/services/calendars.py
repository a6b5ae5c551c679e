"""Business calendars of a workspace: its business hours and holidays as engine calendars.

Every call reads the workspace in its own short session and returns plain objects. Build a
calendar once and reuse it: engine calendars cache the years they have generated.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from entitle_desktop.domain.calendar import BusinessCalendar, CalendarError
from entitle_desktop.domain.calendar_records import calendar_from_records, holiday_names
from entitle_desktop.domain.entitlement_dates import EntitlementDateError
from entitle_desktop.domain.entitlement_dates import entitlement_status as _status_at
from entitle_desktop.domain.records import BusinessHours, Entitlement, Holiday
from entitle_desktop.persistence import repository
from entitle_desktop.services.workspace import Workspace

__all__ = [
    "CalendarError",
    "DayPreview",
    "calendar_preview",
    "calendar_preview_text",
    "entitlement_status",
    "load_calendar",
    "load_calendars",
    "preview_lines",
]

# One local day: (date, [(open, close) aware datetimes in the calendar's zone], holiday names)
DayPreview = tuple[date, list[tuple[datetime, datetime]], list[str]]

# Zone of entitlements when the workspace has no business hours to take one from.
FALLBACK_ZONE = "UTC"


def _records(workspace: Workspace) -> tuple[list[BusinessHours], list[Holiday]]:
    with workspace.session() as session:
        hours = repository.load_business_hours(session, include_placeholders=True)
        holidays = repository.load_holidays(session)
    return hours, holidays


def _find(hours: list[BusinessHours], name: str) -> BusinessHours | None:
    """Exact name first, else the one name equal ignoring case (names are unique)."""
    exact = next((b for b in hours if b.name == name), None)
    if exact is not None:
        return exact
    key = name.casefold()
    return next((b for b in hours if b.name.casefold() == key), None)


def _missing(name: str, hours: list[BusinessHours]) -> CalendarError:
    known = ", ".join(repr(b.name) for b in hours) or "none"
    return CalendarError(f"no business hours named {name!r} in the workspace (known: {known})")


def _load(workspace: Workspace, name: str) -> tuple[BusinessHours, BusinessCalendar]:
    hours, holidays = _records(workspace)
    found = _find(hours, name)
    if found is None:
        raise _missing(name, hours)
    return found, calendar_from_records(found, holidays)


def load_calendar(
    workspace: Workspace, business_hours_name: str, *, require_open_time: bool = False
) -> BusinessCalendar:
    """The calendar of the named business hours with their linked holidays.

    Names match exactly, else ignoring case. Raises ``CalendarError`` (user-facing
    message) when no business hours have that name or the record cannot be converted;
    with ``require_open_time`` also when it has no open time on any weekday.
    """
    hours, holidays = _records(workspace)
    found = _find(hours, business_hours_name)
    if found is None:
        raise _missing(business_hours_name, hours)
    return calendar_from_records(found, holidays, require_open_time=require_open_time)


def load_calendars(workspace: Workspace) -> dict[str, BusinessCalendar]:
    """Every business hours record's calendar, by name (``CalendarError`` on a bad record)."""
    hours, holidays = _records(workspace)
    return {b.name: calendar_from_records(b, holidays) for b in hours}


def _local_midnight(cal: BusinessCalendar, day: date) -> datetime:
    # fold=0: inside a gap at midnight this is the instant the clock jumps past 00:00.
    return datetime(day.year, day.month, day.day, tzinfo=cal.zone)


def calendar_preview(workspace: Workspace, name: str, start: date, days: int) -> list[DayPreview]:
    """For each local date from ``start`` for ``days`` days: its open windows and holidays.

    Windows are the calendar's working intervals clipped to that local day (an overnight
    window shows on both days; ``close`` is the next day's midnight for a day open until
    24:00), as aware datetimes in the calendar's zone. Holiday names list every linked
    holiday falling on that date, whole or part day, in rule order.
    """
    _check_days(days)
    return _preview(_load(workspace, name)[1], start, days)


def calendar_preview_text(workspace: Workspace, name: str, start: date, days: int) -> list[str]:
    """``calendar_preview`` as text: a header (name, zone, inactive) then one line per day."""
    _check_days(days)
    hours, cal = _load(workspace, name)
    header = f"{hours.name} ({cal.time_zone})"
    if hours.active is False:
        header += " inactive"
    if hours.placeholder:
        header += " placeholder"
    return [header, *preview_lines(_preview(cal, start, days))]


def _check_days(days: int) -> None:
    if days < 0:
        raise CalendarError(f"days must not be negative, got {days}")


def _preview(cal: BusinessCalendar, start: date, days: int) -> list[DayPreview]:
    if days == 0:
        return []
    last = start + timedelta(days=days - 1)
    names = holiday_names(cal.holiday_rules, start, last)
    out: list[DayPreview] = []
    for i in range(days):
        day = start + timedelta(days=i)
        lo = _local_midnight(cal, day)
        hi = _local_midnight(cal, day + timedelta(days=1))
        out.append((day, list(cal.open_intervals(lo, hi)), names.get(day, [])))
    return out


def entitlement_status(workspace: Workspace, as_of: datetime) -> dict[str, str]:
    """``{entitlement id: "Inactive" | "Active" | "Expired"}`` at the instant ``as_of``.

    Each entitlement is judged on ``as_of``'s local date in the time zone of its business
    hours (matched by name, ignoring case), else of the workspace's default business
    hours, else UTC. Raises ``EntitlementDateError`` naming the entitlement when its dates
    or zone are unusable, and for a naive ``as_of``.
    """
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise EntitlementDateError(f"instant {as_of.isoformat()} has no time zone")
    with workspace.session() as session:
        hours = repository.load_business_hours(session, include_placeholders=True)
        entitlements: list[Entitlement] = repository.load_records(session, "entitlements")
    default = next((b for b in hours if b.default and not b.placeholder), None)
    default_zone = default.time_zone if default is not None else FALLBACK_ZONE
    zones = {b.name.casefold(): b.time_zone for b in hours}
    out: dict[str, str] = {}
    for e in entitlements:
        zone = default_zone
        if e.business_hours:
            zone = zones.get(e.business_hours.casefold(), default_zone)
        try:
            out[e.id] = _status_at(e.start_date, e.end_date, zone, as_of).value
        except EntitlementDateError as exc:
            raise EntitlementDateError(f"entitlement {e.id} ({e.name}): {exc}") from exc
    return out


_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # not locale-dependent


def _clock(at: datetime, day: date) -> str:
    """Local wall time on ``day``; the day's end (windows are clipped to it) reads ``24:00``."""
    if at.date() > day:
        return "24:00"
    return at.strftime("%H:%M:%S" if at.second or at.microsecond else "%H:%M")


def preview_lines(preview: list[DayPreview]) -> list[str]:
    """One text line per day: ``2025-12-24 Wed  08:00-12:30  holiday: Christmas Eve``."""
    lines = []
    for day, windows, names in preview:
        spans = ", ".join(f"{_clock(o, day)}-{_clock(c, day)}" for o, c in windows) or "closed"
        line = f"{day.isoformat()} {_DAY_NAMES[day.weekday()]}  {spans}"
        if names:
            line += f"  holiday: {'; '.join(names)}"
        lines.append(line)
    return lines
