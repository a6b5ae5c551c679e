"""Holiday rules: vector forms, Salesforce recurrences, national calendars."""

from __future__ import annotations

from datetime import date

import pytest

from entitle_desktop.domain.holiday_rules import (
    CountryHolidays,
    DayClosure,
    HolidayRuleError,
    HolidaySet,
    OneOffHoliday,
    RecurringHoliday,
    holiday_rule_from_json,
    holiday_rule_from_salesforce,
)


def dates(rule: object, year: int) -> list[date]:
    return sorted(rule.dates_in_year(year))  # type: ignore[attr-defined]


def test_one_off_date_only_in_its_year() -> None:
    rule = holiday_rule_from_json({"date": "2024-05-27"})
    assert dates(rule, 2024) == [date(2024, 5, 27)]
    assert dates(rule, 2025) == []


def test_yearly_date_applies_to_every_year() -> None:
    rule = holiday_rule_from_json({"yearly": "12-25"})
    assert dates(rule, 1999) == [date(1999, 12, 25)]
    assert dates(rule, 2431) == [date(2431, 12, 25)]


def test_yearly_feb_29_only_in_leap_years() -> None:
    rule = holiday_rule_from_json({"yearly": "02-29"})
    assert dates(rule, 2024) == [date(2024, 2, 29)]
    assert dates(rule, 2023) == []


def test_yearly_nth_first_monday_of_september() -> None:
    rule = holiday_rule_from_json({"yearly_nth": {"month": 9, "nth": 1, "weekday": "mon"}})
    assert dates(rule, 2024) == [date(2024, 9, 2)]
    assert dates(rule, 2032) == [date(2032, 9, 6)]


def test_yearly_nth_last_monday_of_may() -> None:
    rule = holiday_rule_from_json({"yearly_nth": {"month": 5, "nth": -1, "weekday": "mon"}})
    assert dates(rule, 2024) == [date(2024, 5, 27)]


def test_part_day_entry_keeps_its_minutes() -> None:
    rule = holiday_rule_from_json({"date": "2024-12-24", "from": "12:00", "to": "24:00"})
    assert (rule.start_minute, rule.end_minute) == (720, 1440)
    assert not rule.whole_day


def test_us_observed_new_year_falls_in_previous_year() -> None:
    rule = CountryHolidays(country="US", observed=True)
    assert date(2021, 12, 31) in dates(rule, 2021)
    assert date(2021, 12, 31) not in dates(CountryHolidays(country="US", observed=False), 2021)


def test_unknown_country_raises() -> None:
    with pytest.raises(HolidayRuleError, match="unknown country"):
        holiday_rule_from_json({"country": "XX"})


@pytest.mark.parametrize(
    "entry",
    [
        {"yearly": "13-01"},
        {"yearly": "2024-01-01"},
        {"date": "2024-02-30"},
        {"nothing": 1},
        {"date": "2024-01-01", "from": "12:00"},
        {"yearly_nth": {"month": 5, "nth": 6, "weekday": "mon"}},
    ],
)
def test_malformed_entries_raise(entry: dict[str, object]) -> None:
    with pytest.raises(HolidayRuleError):
        holiday_rule_from_json(entry)


# ----------------------------------------------------------- Salesforce recurrences


def test_salesforce_one_off_from_activity_date() -> None:
    rule = holiday_rule_from_salesforce({"activityDate": "2015-04-29", "isRecurring": "false"})
    assert dates(rule, 2015) == [date(2015, 4, 29)]


def test_salesforce_yearly_on_date_starts_at_recurrence_start() -> None:
    rule = holiday_rule_from_salesforce(
        {
            "isRecurring": "true",
            "recurrenceDayOfMonth": "26",
            "recurrenceMonthOfYear": "January",
            "recurrenceStartDate": "2015-04-05",
            "recurrenceType": "RecursYearly",
        }
    )
    assert dates(rule, 2015) == []
    assert dates(rule, 2016) == [date(2016, 1, 26)]


def test_salesforce_yearly_nth_with_day_name() -> None:
    rule = holiday_rule_from_salesforce(
        {
            "recurrenceDayOfWeek": "Thursday",
            "recurrenceInstance": "Fourth",
            "recurrenceMonthOfYear": "November",
            "recurrenceStartDate": "2015-01-01",
            "recurrenceType": "RecursYearlyNth",
        }
    )
    assert dates(rule, 2024) == [date(2024, 11, 28)]


def test_salesforce_yearly_nth_last_with_mask() -> None:
    rule = holiday_rule_from_salesforce(
        {
            "recurrenceDayOfWeekMask": 2,
            "recurrenceInstance": "Last",
            "recurrenceMonthOfYear": "May",
            "recurrenceStartDate": "2020-01-01",
            "recurrenceType": "RecursYearlyNth",
        }
    )
    assert dates(rule, 2024) == [date(2024, 5, 27)]


def test_salesforce_daily_every_third_day_until_end() -> None:
    rule = RecurringHoliday(
        kind="RecursDaily", start_date=date(2024, 12, 28), interval=3, end_date=date(2025, 1, 6)
    )
    assert dates(rule, 2024) == [date(2024, 12, 28), date(2024, 12, 31)]
    assert dates(rule, 2025) == [date(2025, 1, 3), date(2025, 1, 6)]


def test_salesforce_every_weekday_skips_weekend() -> None:
    rule = RecurringHoliday(
        kind="RecursEveryWeekday", start_date=date(2024, 1, 4), end_date=date(2024, 1, 9)
    )
    assert dates(rule, 2024) == [date(2024, 1, d) for d in (4, 5, 8, 9)]


def test_salesforce_weekly_every_second_week_monday_and_wednesday() -> None:
    rule = RecurringHoliday(
        kind="RecursWeekly",
        start_date=date(2024, 1, 1),
        interval=2,
        weekday_mask=2 | 8,
        end_date=date(2024, 1, 31),
    )
    assert dates(rule, 2024) == [date(2024, 1, d) for d in (1, 3, 15, 17, 29, 31)]


def test_salesforce_weekly_sunday_mask_bit_is_one() -> None:
    rule = RecurringHoliday(
        kind="RecursWeekly", start_date=date(2024, 1, 1), weekday_mask=1, end_date=date(2024, 1, 20)
    )
    assert dates(rule, 2024) == [date(2024, 1, 7), date(2024, 1, 14)]


def test_salesforce_monthly_day_31_falls_on_short_months_last_day() -> None:
    rule = RecurringHoliday(
        kind="RecursMonthly",
        start_date=date(2024, 1, 1),
        day_of_month=31,
        interval=1,
        end_date=date(2024, 4, 30),
    )
    assert dates(rule, 2024) == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
    ]


def test_salesforce_monthly_every_third_month_from_start_month() -> None:
    rule = RecurringHoliday(
        kind="RecursMonthly", start_date=date(2023, 11, 20), day_of_month=1, interval=3
    )
    assert dates(rule, 2023) == []
    assert dates(rule, 2024) == [
        date(2024, 2, 1),
        date(2024, 5, 1),
        date(2024, 8, 1),
        date(2024, 11, 1),
    ]


def test_salesforce_monthly_nth_second_tuesday() -> None:
    rule = RecurringHoliday(
        kind="RecursMonthlyNth",
        start_date=date(2024, 1, 1),
        instance=2,
        weekday_mask=4,
        end_date=date(2024, 3, 31),
    )
    assert dates(rule, 2024) == [date(2024, 1, 9), date(2024, 2, 13), date(2024, 3, 12)]


def test_salesforce_sobject_field_names_with_minutes() -> None:
    rule = holiday_rule_from_salesforce(
        {
            "ActivityDate": "2024-12-24",
            "IsAllDay": False,
            "StartTimeInMinutes": 720,
            "EndTimeInMinutes": 1440,
            "IsRecurrence": False,
        }
    )
    assert dates(rule, 2024) == [date(2024, 12, 24)]
    assert (rule.start_minute, rule.end_minute) == (720, 1440)


@pytest.mark.parametrize(
    "fields",
    [
        {"recurrenceType": "RecursFortnightly", "recurrenceStartDate": "2024-01-01"},
        {"recurrenceType": "RecursWeekly", "recurrenceStartDate": "2024-01-01"},
        {"recurrenceType": "RecursMonthly", "recurrenceStartDate": "2024-01-01"},
        {
            "recurrenceType": "RecursYearlyNth",
            "recurrenceStartDate": "2024-01-01",
            "recurrenceDayOfWeek": "Monday",
            "recurrenceInstance": "Fifth",
            "recurrenceMonthOfYear": "May",
        },
        {
            "recurrenceType": "RecursDaily",
            "recurrenceStartDate": "2024-01-01",
            "recurrenceEndDate": "2023-01-01",
        },
        {
            "recurrenceType": "RecursDaily",
            "recurrenceStartDate": "2024-01-01",
            "recurrenceInterval": 0,
        },
    ],
)
def test_salesforce_bad_recurrences_raise(fields: dict[str, object]) -> None:
    with pytest.raises(HolidayRuleError):
        holiday_rule_from_salesforce(fields)


def test_holiday_set_merges_whole_and_partial_closures() -> None:
    hs = HolidaySet(
        [
            OneOffHoliday(day=date(2024, 1, 1)),
            OneOffHoliday(day=date(2024, 1, 2), start_minute=600, end_minute=720),
            OneOffHoliday(day=date(2024, 1, 2), start_minute=60, end_minute=120),
        ]
    )
    assert hs.closure_on(date(2024, 1, 1)) == DayClosure(True, ())
    assert hs.closure_on(date(2024, 1, 2)) == DayClosure(False, ((60, 120), (600, 720)))
    assert not hs.is_holiday(date(2024, 1, 2))
    assert hs.closure_on(date(2024, 1, 3)) == DayClosure()
