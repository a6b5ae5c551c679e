"""Entitlement status, month arithmetic, terms, per-incident counts, coverage."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from entitle_desktop.domain.entitlement_dates import (
    Entitlement,
    EntitlementDateError,
    EntitlementStatus,
    add_months,
    contract_end_date,
    coverage,
    covered_at,
    entitlement_active,
    entitlement_status,
    remaining_cases,
    template_end_date,
)

TOKYO = "Asia/Tokyo"


def test_last_day_is_active_until_local_midnight() -> None:
    late = datetime(2024, 3, 31, 23, 59, 59, tzinfo=ZoneInfo(TOKYO))
    assert entitlement_active(date(2024, 1, 1), date(2024, 3, 31), TOKYO, late)
    after = datetime(2024, 4, 1, tzinfo=ZoneInfo(TOKYO))
    assert (
        entitlement_status(date(2024, 1, 1), date(2024, 3, 31), TOKYO, after)
        is EntitlementStatus.EXPIRED
    )


def test_instant_is_judged_by_local_date_not_utc_date() -> None:
    # 2024-01-01T16:00Z is already 2 January in Tokyo.
    at = datetime(2024, 1, 1, 16, tzinfo=UTC)
    assert (
        entitlement_status(date(2024, 1, 2), date(2024, 1, 5), TOKYO, at)
        is EntitlementStatus.ACTIVE
    )
    assert (
        entitlement_status(date(2024, 1, 2), date(2024, 1, 5), "UTC", at)
        is EntitlementStatus.INACTIVE
    )


def test_open_ended_entitlement_never_expires() -> None:
    assert entitlement_active(date(2024, 1, 1), None, "UTC", datetime(2999, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2021, 9, 27), -3, date(2021, 6, 27)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 1, 15), -13, date(2022, 12, 15)),
        (date(2024, 5, 5), 0, date(2024, 5, 5)),
    ],
)
def test_add_months_clamps_to_month_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_contract_term_in_months_ends_the_day_before_the_exclusive_end() -> None:
    assert contract_end_date(date(2024, 1, 31), 1) == date(2024, 2, 28)
    assert contract_end_date(date(2018, 9, 27), 36) == date(2021, 9, 26)


def test_template_term_in_days_counts_the_start_day() -> None:
    assert template_end_date(date(2024, 1, 1), 365) == date(2024, 12, 30)
    assert template_end_date(date(2024, 1, 1), 1) == date(2024, 1, 1)


def test_remaining_cases_never_negative() -> None:
    assert remaining_cases(10, 3) == 7
    assert remaining_cases(2, 5) == 0


def test_coverage_inclusive_ends_and_gap_not_bridged() -> None:
    ents = [(date(2024, 1, 1), date(2024, 1, 31)), (date(2024, 2, 2), date(2024, 2, 28))]
    assert coverage(ents, date(2024, 1, 31))
    assert not coverage(ents, date(2024, 2, 1))
    assert coverage(ents, date(2024, 2, 2))
    assert not coverage(ents, date(2024, 2, 29))
    assert not coverage([], date(2024, 1, 1))


def test_covered_at_instant_across_entitlements_in_zones() -> None:
    ents = [
        Entitlement(date(2024, 1, 1), date(2024, 1, 31), TOKYO),
        Entitlement(date(2024, 3, 1), None, "America/New_York"),
    ]
    assert covered_at(ents, datetime(2024, 1, 31, 14, 59, tzinfo=UTC))
    assert not covered_at(ents, datetime(2024, 1, 31, 15, 0, tzinfo=UTC))
    assert covered_at(ents, datetime(2024, 3, 1, 5, 0, tzinfo=UTC))
    assert not covered_at(ents, datetime(2024, 3, 1, 4, 59, tzinfo=UTC))


def test_end_before_start_raises() -> None:
    with pytest.raises(EntitlementDateError, match="before start"):
        Entitlement(date(2024, 2, 1), date(2024, 1, 1))


def test_unknown_zone_and_naive_instant_raise() -> None:
    with pytest.raises(EntitlementDateError, match="unknown time zone"):
        entitlement_active(date(2024, 1, 1), None, "Nowhere/Land", datetime(2024, 1, 1, tzinfo=UTC))
    with pytest.raises(EntitlementDateError, match="no time zone"):
        entitlement_active(date(2024, 1, 1), None, "UTC", datetime(2024, 1, 1))
