"""The engine's edges: very long walks, the supported range, strict inputs.

Long walks count whole years by cached totals (see the calendar module docstring); the
differential test below checks those totals against years built day by day.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from typing import Any

import pytest

from entitle_desktop.domain.calendar import BusinessCalendar, CalendarError
from entitle_desktop.domain.holiday_rules import (
    CountryHolidays,
    HolidayRule,
    HolidayRuleError,
    OneOffHoliday,
    RecurringHoliday,
    YearlyDateHoliday,
    YearlyNthWeekdayHoliday,
    holiday_rule_from_salesforce,
    parse_hhmm,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def us_office() -> BusinessCalendar:
    return BusinessCalendar.from_json(
        {
            "time_zone": "America/New_York",
            "windows": {d: [["09:00", "17:00"]] for d in WEEKDAYS},
            "holidays": [{"country": "US"}],
        }
    )


START = datetime(2024, 1, 8, 14, tzinfo=UTC)


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (10**6, "2032-05-06T11:40:00-04:00"),
        (10**7, "2107-02-14T11:40:00-05:00"),
        (4 * 10**8, "5221-06-28T11:40:00-04:00"),
    ],
)
def test_long_adds_land_exactly_and_invert(minutes: int, expected: str) -> None:
    cal = us_office()
    target = cal.add(START, minutes)
    assert target.isoformat() == expected
    assert cal.between(START, target) == minutes * 60
    assert cal.subtract(target, minutes) == datetime(2024, 1, 8, 9, tzinfo=cal.zone)


@pytest.mark.parametrize("minutes", [10**9, 10**12, 10**30, 1e300])
def test_amounts_beyond_the_supported_range_fail_with_a_message(minutes: float) -> None:
    with pytest.raises(CalendarError, match="supported range"):
        us_office().add(START, minutes)
    with pytest.raises(CalendarError, match="supported range"):
        us_office().subtract(START, minutes)


@pytest.mark.parametrize("minutes", ["60", True, None, float("nan"), float("inf")])
def test_minutes_must_be_a_finite_number(minutes: Any) -> None:
    with pytest.raises(CalendarError, match="minutes must be"):
        us_office().add(START, minutes)


def test_between_over_millennia_counts_by_year_totals() -> None:
    cal = us_office()
    total = cal.between(datetime(3, 1, 1, tzinfo=UTC), datetime(9990, 1, 1, tzinfo=UTC))
    assert total == 74_981_376_000.0


@pytest.mark.parametrize("year", [1, 9999])
def test_instants_outside_the_supported_years_are_refused(year: int) -> None:
    cal = us_office()
    at = datetime(year, 6, 1, tzinfo=UTC)
    for operation in (cal.is_open, cal.next_open):
        with pytest.raises(CalendarError, match="outside the supported range"):
            operation(at)
    with pytest.raises(CalendarError, match="outside the supported range"):
        cal.add(at, 60)


@pytest.mark.parametrize("zone", ["localtime", "posixrules"])
def test_host_zone_keys_are_not_iana_zones(zone: str) -> None:
    with pytest.raises(CalendarError, match="not an IANA zone"):
        BusinessCalendar(zone, {"mon": [["09:00", "17:00"]]})


@pytest.mark.parametrize("zone", ["Not/AZone", "posix/Europe/London", "right/UTC", "../etc/passwd"])
def test_names_outside_the_iana_list_are_unknown(zone: str) -> None:
    with pytest.raises(CalendarError, match="unknown time zone"):
        BusinessCalendar(zone, {"mon": [["09:00", "17:00"]]})


@pytest.mark.parametrize(
    "text", ["9:00", " 09:00", "09:00 ", "09:00:00", "09.00", "０９:００", "09:60"]
)
def test_window_times_are_strict_hh_mm(text: str) -> None:
    with pytest.raises(CalendarError):
        BusinessCalendar("UTC", {"mon": [[text, "17:00"]]})
    with pytest.raises(HolidayRuleError):
        parse_hhmm(text, allow_24=False)


def test_salesforce_holiday_times_keep_their_metadata_form() -> None:
    rule = holiday_rule_from_salesforce(
        {
            "name": "Half day",
            "activityDate": "2024-12-24",
            "startTime": "12:00:00.000Z",
            "endTime": "17:00:00.000Z",
        }
    )
    assert (rule.start_minute, rule.end_minute) == (720, 1020)
    with pytest.raises(HolidayRuleError, match="startTime"):
        holiday_rule_from_salesforce(
            {
                "name": "x",
                "activityDate": "2024-12-24",
                "startTime": "12:00:30.000Z",
                "endTime": "17:00:00.000Z",
            }
        )


def _random_calendar(rng: random.Random) -> BusinessCalendar:
    def hhmm(minute: int) -> str:
        return "24:00" if minute >= 1440 else f"{minute // 60:02}:{minute % 60:02}"

    windows: dict[str, list[list[str]]] = {}
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        if rng.random() < 0.7:
            start = rng.randrange(0, 23 * 60)
            end = rng.choice(
                [start + rng.randrange(1, 600), 1440, (start + rng.randrange(60, 900)) % 1440]
            )
            windows[day] = [
                [hhmm(start), hhmm(min(end, 1440)) if end != start else hhmm(start + 1)]
            ]
    rules: list[HolidayRule] = []
    for _ in range(rng.randrange(0, 4)):
        kind = rng.choice(RecurringHoliday.KINDS)
        begin = date(rng.randrange(1990, 2030), rng.randrange(1, 13), rng.randrange(1, 28))
        extra: dict[str, Any] = {}
        if kind in ("RecursWeekly", "RecursMonthlyNth", "RecursYearlyNth"):
            extra["weekday_mask"] = rng.randrange(1, 128)
        if kind in ("RecursMonthly", "RecursYearly"):
            extra["day_of_month"] = rng.randrange(1, 29)
        if kind in ("RecursMonthlyNth", "RecursYearlyNth"):
            extra["instance"] = rng.choice([1, 2, 3, 4, -1])
        if kind in ("RecursYearly", "RecursYearlyNth"):
            extra["month"] = rng.randrange(1, 13)
        if rng.random() < 0.3:
            extra.update(start_minute=600, end_minute=720)
        ends = None if rng.random() < 0.6 else date(begin.year + rng.randrange(1, 80), 1, 1)
        rules.append(
            RecurringHoliday(
                kind=kind,
                start_date=begin,
                end_date=ends,
                interval=rng.choice([1, 2, 3, 5]),
                name="r",
                **extra,
            )
        )
    if rng.random() < 0.4:
        rules.append(CountryHolidays(country=rng.choice(["US", "GB", "DE", "JP"]), name="national"))
    if rng.random() < 0.3:
        rules.append(YearlyNthWeekdayHoliday(month=11, nth=4, weekday=3, name="thanksgiving"))
    if rng.random() < 0.3:
        rules.append(YearlyDateHoliday(month=12, day=25, name="christmas"))
    if rng.random() < 0.3:
        rules.append(OneOffHoliday(day=date(2100, 3, 3), name="one-off"))
    zone = rng.choice(
        [
            "America/New_York",
            "Europe/London",
            "UTC",
            "Asia/Kolkata",
            "Australia/Lord_Howe",
            "Pacific/Apia",
            "America/Sao_Paulo",
            "Africa/Casablanca",
            "Pacific/Chatham",
        ]
    )
    return BusinessCalendar(zone, windows, rules)


def test_year_totals_equal_years_built_day_by_day() -> None:
    rng = random.Random(20261203)
    for _ in range(12):
        cal = _random_calendar(rng)
        reference = BusinessCalendar(cal.time_zone, cal.windows, cal.holiday_rules)
        for year in rng.sample(range(1900, 2400), 40):  # fill the shared caches out of order
            cal._year_total(year)
        years = {rng.randrange(2, 9999) for _ in range(6)} | {
            rng.randrange(1900, 2200) for _ in range(10)
        }
        for year in sorted(years):
            assert cal._year_total(year) == reference._build_year_by_day(year).total, (cal, year)


def test_one_off_holidays_take_exactly_their_days_out_of_a_long_walk() -> None:
    """Years near a one-off holiday are built, the others counted by their shared totals:
    each weekday one-off over a century removes exactly its 8 open hours."""
    from datetime import UTC, date, datetime, timedelta

    from entitle_desktop.domain.calendar import BusinessCalendar
    from entitle_desktop.domain.holiday_rules import OneOffHoliday

    week = {d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
    days = [date(2001, 1, 1) + timedelta(days=97 * k) for k in range(300)]
    weekdays = [d for d in days if d.weekday() < 5]
    rules = [OneOffHoliday(day=d, name=f"h{k}") for k, d in enumerate(days)]
    start, end = datetime(1950, 1, 1, tzinfo=UTC), datetime(2150, 1, 1, tzinfo=UTC)
    plain = BusinessCalendar("America/New_York", week).between(start, end)
    closed = BusinessCalendar("America/New_York", week, rules).between(start, end)
    assert plain - closed == len(weekdays) * 8 * 3600
