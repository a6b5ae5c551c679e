"""Entitlement and contract dates (CONVENTIONS section 6 of the SLA vectors).

An entitlement covers whole local days in its time zone, both ends inclusive. Terms are
counted as exclusive ends: ``n`` days or months from ``D`` end (exclusively) at ``D + n``,
so the last covered day is the day before.
"""

from __future__ import annotations

import calendar as _cal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from entitle_desktop.domain.calendar import CalendarError, iana_zone

__all__ = [
    "Entitlement",
    "EntitlementDateError",
    "EntitlementStatus",
    "add_months",
    "contract_end_date",
    "covered_at",
    "coverage",
    "entitlement_active",
    "entitlement_status",
    "remaining_cases",
    "template_end_date",
]


class EntitlementDateError(ValueError):
    """Bad entitlement dates or zone (end before start, unknown zone, naive instant)."""


class EntitlementStatus(Enum):
    """Salesforce Entitlement.Status values."""

    INACTIVE = "Inactive"
    ACTIVE = "Active"
    EXPIRED = "Expired"


def _zone(time_zone: str) -> ZoneInfo:
    try:
        return iana_zone(time_zone)
    except CalendarError as exc:
        raise EntitlementDateError(str(exc)) from exc


def _local_date(at: datetime, time_zone: str) -> date:
    if at.tzinfo is None or at.utcoffset() is None:
        raise EntitlementDateError(f"instant {at.isoformat()} has no time zone")
    return at.astimezone(_zone(time_zone)).date()


def _check_range(start_date: date | None, end_date: date | None) -> None:
    if start_date is not None and end_date is not None and end_date < start_date:
        raise EntitlementDateError(f"end date {end_date} is before start date {start_date}")


def status_on(start_date: date | None, end_date: date | None, day: date) -> EntitlementStatus:
    """Status on a local date: before start Inactive, after end Expired (ends inclusive).

    A missing start means "already started"; a missing end means "never expires".
    """
    _check_range(start_date, end_date)
    if start_date is not None and day < start_date:
        return EntitlementStatus.INACTIVE
    if end_date is not None and day > end_date:
        return EntitlementStatus.EXPIRED
    return EntitlementStatus.ACTIVE


def entitlement_status(
    start_date: date | None, end_date: date | None, time_zone: str, at: datetime
) -> EntitlementStatus:
    """Status at an instant, judged by the instant's local date in ``time_zone``."""
    return status_on(start_date, end_date, _local_date(at, time_zone))


def entitlement_active(
    start_date: date | None, end_date: date | None, time_zone: str, at: datetime
) -> bool:
    """True from local midnight starting ``start_date`` until local midnight after ``end_date``."""
    return entitlement_status(start_date, end_date, time_zone, at) is EntitlementStatus.ACTIVE


def add_months(day: date, months: int) -> date:
    """Move by whole calendar months (may be negative), clamping to the month's last day."""
    if isinstance(months, bool) or not isinstance(months, int):
        raise EntitlementDateError(f"months must be a whole number, got {months!r}")
    if not isinstance(day, date):
        raise EntitlementDateError(f"expected a date, got {day!r}")
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise EntitlementDateError(f"{day} {months:+} months is outside the supported years")
    return date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


def template_end_date(start_date: date, term_days: int) -> date:
    """Last covered day of a template term of ``term_days`` days (exclusive end start+days)."""
    if isinstance(term_days, bool) or not isinstance(term_days, int):
        raise EntitlementDateError(f"a term must be a whole number of days, got {term_days!r}")
    if term_days < 1:
        raise EntitlementDateError(f"a term must be at least one day, got {term_days}")
    return start_date + timedelta(days=term_days - 1)


def contract_end_date(start_date: date, term_months: int) -> date:
    """Last covered day of a term of ``term_months`` months: the day before add_months."""
    if term_months < 1:
        raise EntitlementDateError(f"a contract term must be at least one month, got {term_months}")
    return add_months(start_date, term_months) - timedelta(days=1)


def remaining_cases(cases_per_entitlement: int, cases_used: int) -> int:
    """Per-incident support: cases still allowed, never below zero."""
    if cases_per_entitlement < 0 or cases_used < 0:
        raise EntitlementDateError("case counts cannot be negative")
    return max(0, cases_per_entitlement - cases_used)


def coverage(entitlements: Iterable[tuple[date | None, date | None]], day: date) -> bool:
    """True when at least one entitlement covers ``day`` (inclusive ends, gaps not bridged)."""
    return any(
        status_on(start, end, day) is EntitlementStatus.ACTIVE for start, end in entitlements
    )


@dataclass(frozen=True)
class Entitlement:
    """The date part of an entitlement: a coverage period in a zone."""

    start_date: date | None
    end_date: date | None
    time_zone: str = "UTC"

    def __post_init__(self) -> None:
        _check_range(self.start_date, self.end_date)
        _zone(self.time_zone)

    def status(self, at: datetime) -> EntitlementStatus:
        return entitlement_status(self.start_date, self.end_date, self.time_zone, at)

    def active(self, at: datetime) -> bool:
        return self.status(at) is EntitlementStatus.ACTIVE


def covered_at(entitlements: Sequence[Entitlement], at: datetime) -> bool:
    """Whether an account, contact or asset is covered at an instant by any entitlement."""
    return any(e.active(at) for e in entitlements)
