"""BusinessCalendar: windows, DST, holidays, pauses, errors (CONVENTIONS of the SLA vectors)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from entitle_desktop.domain.calendar import BusinessCalendar, CalendarError, to_epoch_us
from entitle_desktop.domain.holiday_rules import OneOffHoliday, RecurringHoliday

NY = ZoneInfo("America/New_York")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def office(zone: str = "UTC", holidays: list[dict[str, object]] | None = None) -> BusinessCalendar:
    return BusinessCalendar.from_json(
        {
            "time_zone": zone,
            "windows": {d: [["09:00", "17:00"]] for d in WEEKDAYS},
            "holidays": holidays or [],
        }
    )


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_add_within_one_day() -> None:
    assert office().add(utc(2024, 1, 8, 9), 90) == utc(2024, 1, 8, 10, 30)


def test_exact_fit_ends_at_closing_instant_not_next_opening() -> None:
    assert office().add(utc(2024, 1, 8, 9), 480) == utc(2024, 1, 8, 17)


def test_start_on_weekend_counts_from_monday_opening() -> None:
    assert office().add(utc(2024, 1, 6, 12), 60) == utc(2024, 1, 8, 10)


def test_friday_afternoon_rolls_over_weekend() -> None:
    assert office().add(utc(2024, 1, 5, 16), 120) == utc(2024, 1, 8, 10)


def test_add_zero_returns_start_itself() -> None:
    assert office().add(utc(2024, 1, 6, 12), 0) == utc(2024, 1, 6, 12)


def test_fractional_minutes_are_exact_to_the_microsecond() -> None:
    result = office().add(utc(2024, 1, 8, 9), 0.0001)
    assert result == utc(2024, 1, 8, 9) + timedelta(microseconds=6000)


def test_results_are_in_the_calendar_zone() -> None:
    result = office("America/New_York").add(datetime(2024, 1, 8, 14, tzinfo=UTC), 60)
    assert result.tzinfo == NY
    assert result == datetime(2024, 1, 8, 10, tzinfo=NY)


def test_subtract_exact_fit_ends_at_opening_instant() -> None:
    assert office().subtract(utc(2024, 1, 8, 17), 480) == utc(2024, 1, 8, 9)


def test_subtract_from_closed_time_counts_back_from_previous_closing() -> None:
    assert office().subtract(utc(2024, 1, 8, 8), 60) == utc(2024, 1, 5, 16)


def test_between_counts_only_working_time() -> None:
    assert office().between(utc(2024, 1, 5, 16), utc(2024, 1, 8, 10)) == 7200.0


def test_between_is_zero_when_end_equals_start() -> None:
    cal = office()
    assert cal.between(utc(2024, 1, 8, 10), utc(2024, 1, 8, 10)) == 0.0
    assert cal.between_us(3_600_000_000, 0) == 0  # the internal variant answers 0


def test_between_with_end_before_start_raises_naming_both() -> None:
    with pytest.raises(CalendarError) as caught:
        office().between(utc(2024, 1, 8, 12), utc(2024, 1, 8, 10))
    assert str(caught.value) == (
        "between: end before start (end 2024-01-08T10:00:00+00:00, start 2024-01-08T12:00:00+00:00)"
    )


def test_opening_instant_open_closing_instant_closed() -> None:
    cal = office()
    assert cal.is_open(utc(2024, 1, 8, 9))
    assert not cal.is_open(utc(2024, 1, 8, 17))


def test_next_open_is_at_itself_when_open_else_next_opening() -> None:
    cal = office()
    assert cal.next_open(utc(2024, 1, 8, 12)) == utc(2024, 1, 8, 12)
    assert cal.next_open(utc(2024, 1, 8, 17)) == utc(2024, 1, 9, 9)


def test_overnight_window_belongs_to_start_day() -> None:
    cal = BusinessCalendar("UTC", {"fri": [("22:00", "06:00")]})
    assert cal.is_open(utc(2024, 1, 6, 5, 59))
    assert not cal.is_open(utc(2024, 1, 6, 6))
    assert cal.between(utc(2024, 1, 1), utc(2024, 1, 8)) == 8 * 3600


def test_touching_windows_form_one_stretch() -> None:
    cal = BusinessCalendar("UTC", {"fri": [("18:00", "24:00")], "sat": [("00:00", "06:00")]})
    assert list(cal.open_intervals(utc(2024, 1, 1), utc(2024, 1, 8))) == [
        (utc(2024, 1, 5, 18), utc(2024, 1, 6, 6))
    ]


def test_fall_back_day_window_holds_eleven_hours() -> None:
    cal = BusinessCalendar("America/New_York", {"sun": [("00:00", "10:00")]})
    day = datetime(2024, 11, 3, tzinfo=NY)
    assert cal.between(day, day + timedelta(days=1)) == 11 * 3600


def test_spring_forward_opening_in_gap_takes_effect_after_gap() -> None:
    cal = BusinessCalendar("Australia/Sydney", {"sun": [("02:30", "05:00")]})
    sydney = ZoneInfo("Australia/Sydney")
    opening = cal.next_open(datetime(2024, 10, 6, 0, tzinfo=sydney))
    assert opening == datetime(2024, 10, 6, 3, tzinfo=sydney)
    assert opening.utcoffset() == timedelta(hours=11)


def test_ambiguous_opening_uses_first_occurrence() -> None:
    cal = BusinessCalendar("America/New_York", {"sun": [("01:30", "03:00")]})
    first = datetime(2024, 11, 3, 1, 30, tzinfo=NY)  # EDT, -04:00
    assert cal.next_open(datetime(2024, 11, 3, tzinfo=NY)) == first
    assert cal.between(first, first + timedelta(hours=5)) == 2.5 * 3600


def test_whole_day_holiday_keeps_tail_of_previous_overnight_shift() -> None:
    cal = BusinessCalendar(
        "UTC",
        {"mon": [("22:00", "06:00")], "tue": [("22:00", "06:00")]},
        [OneOffHoliday(day=date(2024, 1, 9))],
    )
    assert cal.is_open(utc(2024, 1, 9, 5))
    assert not cal.is_open(utc(2024, 1, 9, 23))


def test_part_day_holiday_closes_its_range_only() -> None:
    cal = office(holidays=[{"date": "2024-01-08", "from": "12:00", "to": "24:00"}])
    assert cal.between(utc(2024, 1, 8), utc(2024, 1, 9)) == 3 * 3600
    assert not cal.is_holiday(date(2024, 1, 8))


def test_pause_moves_due_by_working_time_it_overlaps() -> None:
    cal = office()
    pauses = [(utc(2024, 1, 8, 16), utc(2024, 1, 9, 10))]
    # 15-16 counts; 16-17 and next day 09-10 are paused; 10-11 completes the amount.
    assert cal.add(utc(2024, 1, 8, 15), 120, pauses) == utc(2024, 1, 9, 11)


def test_due_exactly_at_pause_start_is_the_pause_start() -> None:
    cal = office()
    pauses = [(utc(2024, 1, 8, 10), utc(2024, 1, 8, 11))]
    assert cal.add(utc(2024, 1, 8, 9), 60, pauses) == utc(2024, 1, 8, 10)


def test_overlapping_unsorted_pauses_are_merged() -> None:
    cal = office()
    pauses = [
        (utc(2024, 1, 8, 11), utc(2024, 1, 8, 12)),
        (utc(2024, 1, 8, 10), utc(2024, 1, 8, 11, 30)),
    ]
    assert cal.add(utc(2024, 1, 8, 9), 120, pauses) == utc(2024, 1, 8, 13)
    assert cal.between(utc(2024, 1, 8, 9), utc(2024, 1, 8, 13), pauses) == 7200.0


def test_subtract_with_pause_mirrors_add() -> None:
    cal = office()
    pauses = [(utc(2024, 1, 8, 16), utc(2024, 1, 9, 10))]
    assert cal.subtract(utc(2024, 1, 9, 11), 120, pauses) == utc(2024, 1, 8, 15)


def test_warning_counts_back_in_business_time() -> None:
    due, warning = office().warning(utc(2024, 1, 8, 16), 120, 90)
    assert due == utc(2024, 1, 9, 10)
    assert warning == utc(2024, 1, 8, 16, 30)


def test_overdue_frozen_at_pause_and_never_negative() -> None:
    cal = office()
    assert cal.overdue(utc(2024, 1, 8, 10), utc(2024, 1, 8, 12), utc(2024, 1, 9, 12)) == 7200.0
    assert cal.overdue(utc(2024, 1, 8, 10), utc(2024, 1, 8, 9), utc(2024, 1, 9, 12)) == 0.0


def test_open_intervals_are_clipped() -> None:
    assert list(office().open_intervals(utc(2024, 1, 8, 12), utc(2024, 1, 9, 10))) == [
        (utc(2024, 1, 8, 12), utc(2024, 1, 8, 17)),
        (utc(2024, 1, 9, 9), utc(2024, 1, 9, 10)),
    ]


def test_add_of_a_century_in_a_round_the_clock_calendar() -> None:
    cal = BusinessCalendar(
        "UTC", {d: [("00:00", "24:00")] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    )
    start = utc(2000, 1, 1)
    due = cal.add(start, 60 * 24 * 36525)
    assert due == utc(2100, 1, 1)
    assert cal.subtract(due, 60 * 24 * 36525) == start


def test_long_add_crosses_years() -> None:
    cal = office()
    start = utc(2023, 12, 29, 9)
    due = cal.add(start, 480 * 300)
    assert cal.between(start, due) == 480 * 300 * 60


# ------------------------------------------------------------------ errors


def test_empty_calendar_add_raises_promptly() -> None:
    cal = BusinessCalendar("UTC", {"mon": []})
    for call in (
        lambda: cal.add(utc(2024, 1, 1), 60),
        lambda: cal.add(utc(2024, 1, 1), 0),
        lambda: cal.add(utc(2024, 1, 1), 60, [(utc(2024, 1, 1), utc(2024, 1, 2))]),
        lambda: cal.subtract(utc(2024, 1, 1), 0),
        lambda: cal.subtract(utc(2024, 1, 1), 60),
        lambda: cal.next_open(utc(2024, 1, 1)),
        lambda: cal.warning(utc(2024, 1, 1), 60, 10),
    ):
        with pytest.raises(CalendarError, match="no working time"):
            call()
    assert cal.between(utc(2024, 1, 1), utc(2025, 1, 1)) == 0.0
    assert not cal.is_open(utc(2024, 1, 1))


def test_calendar_closed_forever_by_holidays_says_so_promptly() -> None:
    every_day = RecurringHoliday(kind="RecursDaily", start_date=date(2020, 1, 1))
    cal = BusinessCalendar("UTC", {"mon": [("09:00", "17:00")]}, [every_day])
    began = time.perf_counter()
    message = (
        "{}: no working time after 2024-01-01T00:00:00+00:00 up to the end of the supported"
        " range (UTC years 2 to 9998); holidays close every opening"
    )
    with pytest.raises(CalendarError) as caught:
        cal.add(utc(2024, 1, 1), 60)
    assert str(caught.value) == message.format("add")
    with pytest.raises(CalendarError) as caught:
        cal.next_open(utc(2024, 1, 1))
    assert str(caught.value) == message.format("next_open")
    assert time.perf_counter() - began < 5  # generous: shared CI cores


def test_only_open_time_far_in_the_past_is_found_by_subtract() -> None:
    every_day = RecurringHoliday(kind="RecursDaily", start_date=date(2020, 1, 1))
    cal = BusinessCalendar("UTC", {"mon": [("09:00", "17:00")]}, [every_day])
    # 159 Mondays of 8 hours back from the last open Monday, 2019-12-30.
    assert cal.subtract(utc(2090, 1, 1), 60 * 8 * 53 * 3) == utc(2016, 12, 19, 9)


def test_open_time_more_than_fifty_years_away_is_found() -> None:
    # Closed every day 2024-01-01 .. 2099-12-31, open again from Monday 2100-01-04.
    closed = RecurringHoliday(
        kind="RecursDaily", start_date=date(2024, 1, 1), end_date=date(2099, 12, 31)
    )
    cal = BusinessCalendar("UTC", {"mon": [("09:00", "17:00")]}, [closed])
    start = utc(2024, 6, 3)
    assert cal.add(start, 10) == utc(2100, 1, 4, 9, 10)
    assert cal.next_open(start) == utc(2100, 1, 4, 9)
    assert cal.add_many([start], [10]).tolist() == [to_epoch_us(utc(2100, 1, 4, 9, 10))]
    assert cal.between(start, utc(2101, 1, 1)) == 1_497_600.0
    assert cal.subtract(utc(2100, 1, 4, 9, 10), 20) == utc(2023, 12, 25, 16, 50)


def test_negative_add_raises() -> None:
    with pytest.raises(CalendarError, match="negative"):
        office().add(utc(2024, 1, 8), -1)


def test_naive_datetime_raises() -> None:
    with pytest.raises(CalendarError, match="no time zone"):
        office().add(datetime(2024, 1, 8, 9), 1)


def test_unknown_zone_raises() -> None:
    with pytest.raises(CalendarError, match="unknown time zone"):
        BusinessCalendar("Mars/Olympus_Mons", {})


def test_fixed_offset_like_names_are_still_zone_names() -> None:
    with pytest.raises(CalendarError):
        BusinessCalendar("+02:00", {})


@pytest.mark.parametrize("span", [("09:00", "09:00"), ("00:00", "00:00")])
def test_window_ending_at_its_start_raises(span: tuple[str, str]) -> None:
    with pytest.raises(CalendarError, match="same time"):
        BusinessCalendar("UTC", {"mon": [span]})


@pytest.mark.parametrize("bad", ["9am", "25:00", "12:60", "24:00x", "", "12"])
def test_malformed_time_raises(bad: str) -> None:
    with pytest.raises(CalendarError):
        BusinessCalendar("UTC", {"mon": [(bad, "17:00")]})


def test_24_00_is_not_a_start() -> None:
    with pytest.raises(CalendarError, match="24:00"):
        BusinessCalendar("UTC", {"mon": [("24:00", "02:00")]})


def test_unknown_weekday_key_raises() -> None:
    with pytest.raises(CalendarError, match="weekday"):
        BusinessCalendar("UTC", {"monday": [("09:00", "17:00")]})


def test_pause_ending_before_it_starts_raises() -> None:
    with pytest.raises(CalendarError, match="before it starts"):
        office().add(utc(2024, 1, 8, 9), 60, [(utc(2024, 1, 8, 11), utc(2024, 1, 8, 10))])


def test_holiday_ending_before_it_starts_raises() -> None:
    with pytest.raises(CalendarError, match="before it starts"):
        office(holidays=[{"date": "2024-01-08", "from": "14:00", "to": "12:00"}])
