"""Business hours and holiday records as engine calendars: exact instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from entitle_desktop.domain.calendar import CalendarError
from entitle_desktop.domain.calendar_records import (
    calendar_from_records,
    holiday_names,
    holiday_rule_from_record,
    linked_holidays,
)
from entitle_desktop.domain.holiday_rules import (
    CountryHolidays,
    HolidayRuleError,
    OneOffHoliday,
    RecurringHoliday,
)
from entitle_desktop.domain.records import BusinessHours, BusinessHoursWindow, Holiday
from entitle_desktop.interchange.salesforce_metadata import read_project

ALPINE = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared"
    / "corpus"
    / "salesforce-metadata"
    / "fpintelandgraf__alpinedemo"
)
LA = ZoneInfo("America/Los_Angeles")
NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
SINGAPORE = ZoneInfo("Asia/Singapore")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
ALL_DAYS = (*WEEKDAYS, "sat", "sun")


def nine_to_five(name: str = "Office", zone: str = "America/New_York") -> BusinessHours:
    return BusinessHours(
        name=name,
        time_zone=zone,
        windows=[BusinessHoursWindow(d, time(9), time(17)) for d in WEEKDAYS],
    )


@pytest.fixture(scope="module")
def alpine() -> tuple[dict[str, BusinessHours], list[Holiday]]:
    project, _notes = read_project(ALPINE)
    return {b.name: b for b in project.business_hours}, project.holidays


# ----------------------------------------------------------------- the corpus project


def test_alpine_north_america_windows_and_linked_holidays(
    alpine: tuple[dict[str, BusinessHours], list[Holiday]],
) -> None:
    hours, holidays = alpine
    cal = calendar_from_records(hours["North America"], holidays)
    assert cal.time_zone == "America/Los_Angeles"
    assert cal.windows == {
        "mon": (("08:00", "19:00"),),
        "tue": (("07:00", "19:00"),),
        "wed": (("07:00", "19:00"),),
        "thu": (("07:00", "19:00"),),
        "fri": (("07:00", "17:00"),),
    }
    assert [r.name for r in cal.holiday_rules] == [
        "Canadian Thanksgiving",
        "Independence Day",
        "New Year's Day",
    ]


def test_alpine_independence_day_moves_due_to_friday(
    alpine: tuple[dict[str, BusinessHours], list[Holiday]],
) -> None:
    hours, holidays = alpine
    cal = calendar_from_records(hours["North America"], holidays)
    # Wed 2024-07-03 18:00: one hour left that day, Thursday the 4th is closed.
    due = cal.add(datetime(2024, 7, 3, 18, tzinfo=LA), 120)
    assert due == datetime(2024, 7, 5, 8, tzinfo=LA)
    assert due.isoformat() == "2024-07-05T08:00:00-07:00"
    # Mon 11 h + Tue 12 h + Wed 12 h + Thu holiday + Fri 10 h.
    week = cal.between(datetime(2024, 7, 1, tzinfo=LA), datetime(2024, 7, 8, tzinfo=LA))
    assert week == 45 * 3600


def test_alpine_canadian_thanksgiving_from_its_recurrence_start(
    alpine: tuple[dict[str, BusinessHours], list[Holiday]],
) -> None:
    hours, holidays = alpine
    cal = calendar_from_records(hours["North America"], holidays)
    # Second Monday of October; the recurrence starts 2015-12-20, so 2015 is not closed.
    assert not cal.is_holiday(date(2015, 10, 12))
    assert cal.is_holiday(date(2016, 10, 10))
    assert cal.is_holiday(date(2024, 10, 14))
    due = cal.add(datetime(2024, 10, 11, 16, 30, tzinfo=LA), 60)
    assert due.isoformat() == "2024-10-15T07:30:00-07:00"


def test_alpine_new_year_on_monday_closes_the_whole_day(
    alpine: tuple[dict[str, BusinessHours], list[Holiday]],
) -> None:
    hours, holidays = alpine
    cal = calendar_from_records(hours["North America"], holidays)
    due = cal.add(datetime(2023, 12, 29, 16, tzinfo=LA), 90)
    assert due.isoformat() == "2024-01-02T07:30:00-08:00"


def test_alpine_asia_is_24x7_in_singapore_minus_linked_holidays(
    alpine: tuple[dict[str, BusinessHours], list[Holiday]],
) -> None:
    hours, holidays = alpine
    cal = calendar_from_records(hours["Asia"], holidays)
    assert cal.windows == {d: (("00:00", "24:00"),) for d in ALL_DAYS}
    due = cal.add(datetime(2024, 7, 3, 23, tzinfo=SINGAPORE), 120)
    assert due.isoformat() == "2024-07-05T01:00:00+08:00"
    assert due.astimezone(UTC) == datetime(2024, 7, 4, 17, tzinfo=UTC)


def test_alpine_unlinked_holidays_apply_nowhere(
    alpine: tuple[dict[str, BusinessHours], list[Holiday]],
) -> None:
    hours, holidays = alpine
    anz = calendar_from_records(hours["Australia and New Zealand"], holidays)
    assert anz.holiday_rules == ()
    assert not anz.is_holiday(date(2024, 1, 26))  # Australia Day is linked to no hours
    emea = calendar_from_records(hours["Europe and the Middle East"], holidays)
    assert emea.time_zone == "GMT"
    start = datetime(2024, 5, 9, 10, tzinfo=UTC)  # Europe Day, unlinked
    assert emea.add(start, 60) == datetime(2024, 5, 9, 11, tzinfo=UTC)


# ------------------------------------------------------------------ 24 x 7 and windows


def test_default_24x7_record_from_midnight_to_midnight() -> None:
    # Salesforce writes "open 24 hours" as 00:00 to 00:00; the reader stores the end as None,
    # other sources may keep time(0): both are 00:00-24:00.
    as_read = BusinessHours(
        name="Default",
        default=True,
        windows=[BusinessHoursWindow(d, time(0), None) for d in ALL_DAYS],
    )
    raw = BusinessHours(
        name="Default",
        default=True,
        windows=[BusinessHoursWindow(d, time(0), time(0)) for d in ALL_DAYS],
    )
    for record in (as_read, raw):
        cal = calendar_from_records(record, [])
        assert cal.windows == {d: (("00:00", "24:00"),) for d in ALL_DAYS}
        # 24 h of business time across the spring-forward night is 24 elapsed hours.
        due = cal.add(datetime(2024, 3, 9, 12, tzinfo=LA), 24 * 60)
        assert due.isoformat() == "2024-03-10T13:00:00-07:00"
        assert cal.between(datetime(2024, 3, 10, tzinfo=LA), datetime(2024, 3, 11, tzinfo=LA)) == (
            23 * 3600
        )


def test_end_at_midnight_means_end_of_day() -> None:
    hours = BusinessHours(
        name="Late shift",
        time_zone="UTC",
        windows=[BusinessHoursWindow("mon", time(18), time(0))],
    )
    cal = calendar_from_records(hours, [])
    assert cal.windows == {"mon": (("18:00", "24:00"),)}
    assert cal.add(datetime(2024, 1, 8, 23, tzinfo=UTC), 120) == datetime(
        2024, 1, 15, 19, tzinfo=UTC
    )


def test_a_day_without_window_is_closed() -> None:
    cal = calendar_from_records(nine_to_five(), [])
    assert "sat" not in cal.windows and "sun" not in cal.windows
    assert not cal.is_open(datetime(2024, 1, 6, 12, tzinfo=NY))
    assert cal.add(datetime(2024, 1, 5, 16, tzinfo=NY), 120).isoformat() == (
        "2024-01-08T10:00:00-05:00"
    )


def test_split_and_overnight_windows() -> None:
    hours = BusinessHours(
        name="Split",
        time_zone="UTC",
        windows=[
            BusinessHoursWindow("mon", time(8), time(12)),
            BusinessHoursWindow("mon", time(22), time(6)),
        ],
    )
    cal = calendar_from_records(hours, [])
    assert cal.windows == {"mon": (("08:00", "12:00"), ("22:00", "06:00"))}
    mon = datetime(2024, 1, 8, 11, tzinfo=UTC)
    assert cal.add(mon, 120) == datetime(2024, 1, 8, 23, tzinfo=UTC)
    # Mon 23:00 to Tue 06:00 is 420 minutes; the rest comes the next Monday.
    assert cal.add(datetime(2024, 1, 8, 23, tzinfo=UTC), 480) == datetime(
        2024, 1, 15, 9, tzinfo=UTC
    )
    assert cal.is_open(datetime(2024, 1, 9, 5, 59, tzinfo=UTC))
    assert not cal.is_open(datetime(2024, 1, 9, 6, tzinfo=UTC))


def test_inactive_hours_still_convert() -> None:
    hours = nine_to_five()
    hours.active = False
    cal = calendar_from_records(hours, [])
    assert cal.add(datetime(2024, 1, 8, 9, tzinfo=NY), 60) == datetime(2024, 1, 8, 10, tzinfo=NY)


# ------------------------------------------------------------------------- holidays


def test_recurring_yearly_holiday_record() -> None:
    christmas = Holiday(
        name="Christmas Day",
        is_recurring=True,
        recurrence_type="RecursYearly",
        recurrence_day_of_month=25,
        recurrence_month_of_year="December",
        recurrence_start_date=date(2020, 1, 1),
        business_hours=["Office"],
    )
    rule = holiday_rule_from_record(christmas)
    assert isinstance(rule, RecurringHoliday)
    assert (rule.kind, rule.month, rule.day_of_month) == ("RecursYearly", 12, 25)
    cal = calendar_from_records(nine_to_five(), [christmas])
    assert cal.is_holiday(date(2025, 12, 25)) and cal.is_holiday(date(2031, 12, 25))
    assert not cal.is_holiday(date(2019, 12, 25))  # before the recurrence starts
    due = cal.add(datetime(2025, 12, 24, 16, tzinfo=NY), 120)
    assert due.isoformat() == "2025-12-26T10:00:00-05:00"


def test_recurring_holiday_ends_with_its_recurrence_end_date() -> None:
    ended = Holiday(
        name="Founders' Day",
        is_recurring=True,
        recurrence_type="RecursYearly",
        recurrence_day_of_month=3,
        recurrence_month_of_year="March",
        recurrence_start_date=date(2020, 1, 1),
        recurrence_end_date=date(2024, 12, 31),
        business_hours=["Office"],
    )
    cal = calendar_from_records(nine_to_five(), [ended])
    assert cal.is_holiday(date(2024, 3, 3))
    assert not cal.is_holiday(date(2025, 3, 3))


def test_yearly_nth_thanksgiving_record() -> None:
    thanksgiving = Holiday(
        name="Thanksgiving Day",
        is_recurring=True,
        recurrence_type="RecursYearlyNth",
        recurrence_instance="Fourth",
        recurrence_day_of_week=["Thursday"],
        recurrence_month_of_year="November",
        recurrence_start_date=date(2020, 1, 1),
        business_hours=["Office"],
    )
    cal = calendar_from_records(nine_to_five(), [thanksgiving])
    assert [d for d in (date(2025, 11, 27), date(2026, 11, 26)) if cal.is_holiday(d)] == [
        date(2025, 11, 27),
        date(2026, 11, 26),
    ]
    assert not cal.is_holiday(date(2025, 11, 20))
    due = cal.add(datetime(2025, 11, 26, 16, tzinfo=NY), 120)
    assert due.isoformat() == "2025-11-28T10:00:00-05:00"


def test_yearly_nth_with_a_day_of_week_mask() -> None:
    # Salesforce mask bits: Sunday=1, Monday=2, ...; Last Monday of May (Memorial Day).
    memorial = Holiday(
        name="Memorial Day",
        is_recurring=True,
        recurrence_type="RecursYearlyNth",
        recurrence_instance="Last",
        recurrence_day_of_week_mask=2,
        recurrence_month_of_year="May",
        recurrence_start_date=date(2020, 1, 1),
        business_hours=["Office"],
    )
    cal = calendar_from_records(nine_to_five(), [memorial])
    assert cal.is_holiday(date(2025, 5, 26))
    assert not cal.is_holiday(date(2025, 5, 19))


def test_partial_day_holiday_closes_only_its_hours() -> None:
    midday = Holiday(
        name="Team lunch",
        activity_date=date(2025, 6, 11),
        start_time=time(12),
        end_time=time(14),
        is_recurring=False,
        business_hours=["Office"],
    )
    cal = calendar_from_records(nine_to_five("Office", "Europe/London"), [midday])
    assert not cal.is_holiday(date(2025, 6, 11))  # part day: not a whole-day holiday
    due = cal.add(datetime(2025, 6, 11, 9, tzinfo=LONDON), 240)
    assert due.isoformat() == "2025-06-11T15:00:00+01:00"


def test_partial_day_holiday_until_midnight() -> None:
    # An end of 00:00 after a later start is midnight at the end of the day.
    afternoon = Holiday(
        name="Christmas Eve afternoon",
        activity_date=date(2025, 12, 24),
        start_time=time(13),
        end_time=time(0),
        is_recurring=False,
        business_hours=["Office"],
    )
    rule = holiday_rule_from_record(afternoon)
    assert (rule.start_minute, rule.end_minute) == (13 * 60, 1440)
    cal = calendar_from_records(nine_to_five("Office", "Europe/London"), [afternoon])
    due = cal.add(datetime(2025, 12, 24, 12, tzinfo=LONDON), 120)
    assert due.isoformat() == "2025-12-25T10:00:00+00:00"


def test_holiday_from_midnight_to_midnight_is_all_day() -> None:
    h = Holiday(
        name="Closed",
        activity_date=date(2025, 6, 11),
        start_time=time(0),
        end_time=time(0),
        business_hours=["Office"],
    )
    rule = holiday_rule_from_record(h)
    assert isinstance(rule, OneOffHoliday) and rule.whole_day


def test_holidays_are_linked_by_name_ignoring_case() -> None:
    def one_off(name: str, day: int, links: list[str]) -> Holiday:
        return Holiday(name=name, activity_date=date(2025, 6, day), business_hours=links)

    holidays = [
        one_off("upper", 2, ["OFFICE"]),
        one_off("other hours", 3, ["Warehouse"]),
        one_off("unlinked", 4, []),
        one_off("both", 5, ["Warehouse", "office"]),
    ]
    assert [h.name for h in linked_holidays("Office", holidays)] == ["upper", "both"]
    cal = calendar_from_records(nine_to_five("Office"), holidays)
    assert [d for d in range(2, 6) if cal.is_holiday(date(2025, 6, d))] == [2, 5]


def test_national_calendar_with_and_without_observed_days() -> None:
    observed = Holiday(name="US holidays", national_country="US", business_hours=["Office"])
    actual = Holiday(
        name="US holidays",
        national_country="US",
        national_observed=False,
        business_hours=["Office"],
    )
    rule = holiday_rule_from_record(observed)
    assert isinstance(rule, CountryHolidays) and (rule.country, rule.subdiv) == ("US", None)
    with_observed = calendar_from_records(nine_to_five(), [observed])
    without = calendar_from_records(nine_to_five(), [actual])
    # 4 July 2026 is a Saturday, observed on Friday the 3rd.
    assert with_observed.is_holiday(date(2026, 7, 3))
    assert not without.is_holiday(date(2026, 7, 3))
    due = with_observed.add(datetime(2026, 7, 2, 16, tzinfo=NY), 120)
    assert due.isoformat() == "2026-07-06T10:00:00-04:00"
    names = holiday_names(with_observed.holiday_rules, date(2026, 7, 1), date(2026, 7, 6))
    assert names == {
        date(2026, 7, 3): ["Independence Day (observed) (US holidays)"],
        date(2026, 7, 4): ["Independence Day (US holidays)"],
    }


def test_national_calendar_of_a_subdivision() -> None:
    bavaria = Holiday(
        name="Bayern",
        national_country="DE",
        national_subdivision="BY",
        business_hours=["Office"],
    )
    cal = calendar_from_records(nine_to_five("Office", "Europe/Berlin"), [bavaria])
    assert cal.is_holiday(date(2025, 1, 6))  # Heilige Drei Könige, Bavaria only
    berlin = Holiday(name="Berlin", national_country="DE", national_subdivision="BE")
    assert not calendar_from_records(nine_to_five("Office", "Europe/Berlin"), [berlin]).is_holiday(
        date(2025, 1, 6)
    )


def test_holiday_names_per_date() -> None:
    holidays = [
        Holiday(name="A", activity_date=date(2025, 6, 2), business_hours=["Office"]),
        Holiday(
            name="B",
            activity_date=date(2025, 6, 2),
            start_time=time(9),
            end_time=time(10),
            business_hours=["Office"],
        ),
        Holiday(name="C", activity_date=date(2025, 6, 9), business_hours=["Office"]),
    ]
    cal = calendar_from_records(nine_to_five(), holidays)
    assert holiday_names(cal.holiday_rules, date(2025, 6, 1), date(2025, 6, 8)) == {
        date(2025, 6, 2): ["A", "B"]
    }


# --------------------------------------------------------------------------- errors


def test_unknown_zone_names_the_business_hours() -> None:
    with pytest.raises(CalendarError) as err:
        calendar_from_records(nine_to_five("Mars Office", "Mars/Olympus_Mons"), [])
    assert str(err.value) == "business hours 'Mars Office': unknown time zone 'Mars/Olympus_Mons'"


def test_window_ending_at_its_start_names_the_business_hours() -> None:
    hours = BusinessHours(name="Odd", windows=[BusinessHoursWindow("tue", time(9), time(9))])
    with pytest.raises(CalendarError, match=r"^business hours 'Odd': tue: window 09:00-09:00"):
        calendar_from_records(hours, [])


def test_times_with_seconds_are_refused() -> None:
    hours = BusinessHours(
        name="Precise", windows=[BusinessHoursWindow("mon", time(9, 0, 30), None)]
    )
    with pytest.raises(CalendarError) as err:
        calendar_from_records(hours, [])
    assert str(err.value) == (
        "business hours 'Precise': mon start 09:00:30: only whole minutes are supported"
    )


def test_no_open_time_when_required() -> None:
    closed = BusinessHours(name="Closed", time_zone="UTC")
    cal = calendar_from_records(closed, [])  # converts; the engine refuses to add on it
    assert not cal.has_windows
    with pytest.raises(CalendarError) as err:
        calendar_from_records(closed, [], require_open_time=True)
    assert str(err.value) == "business hours 'Closed' has no open time on any day"


def test_malformed_holiday_names_hours_and_holiday() -> None:
    broken = Holiday(
        name="Broken",
        is_recurring=True,
        recurrence_type="RecursYearly",
        recurrence_month_of_year="March",
        recurrence_start_date=date(2020, 1, 1),
        business_hours=["Office"],
    )
    with pytest.raises(CalendarError) as err:
        calendar_from_records(nine_to_five(), [broken])
    assert str(err.value) == (
        "business hours 'Office': holiday 'Broken': RecursYearly needs recurrenceDayOfMonth 1..31"
    )
    with pytest.raises(HolidayRuleError):
        holiday_rule_from_record(broken)
    # Not linked: never converted, so it cannot break other business hours.
    assert calendar_from_records(nine_to_five("Elsewhere"), [broken]).holiday_rules == ()


def test_holiday_with_only_a_start_time_is_refused() -> None:
    h = Holiday(name="Half", activity_date=date(2025, 1, 2), start_time=time(9))
    with pytest.raises(HolidayRuleError, match="needs both a start and an end time"):
        holiday_rule_from_record(h)
