"""The batch path gives exactly the one-at-a-time results."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from entitle_desktop.domain.batch import add_many, minutes_to_us_array
from entitle_desktop.domain.calendar import (
    BusinessCalendar,
    CalendarError,
    minutes_to_us,
    to_epoch_us,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")

CALENDARS: dict[str, dict[str, Any]] = {
    "new-york-office-us-holidays": {
        "time_zone": "America/New_York",
        "windows": {d: [["09:00", "17:00"]] for d in WEEKDAYS},
        "holidays": [{"country": "US", "subdiv": None, "observed": True}],
    },
    "sydney-overnight-dst-partial-holidays": {
        "time_zone": "Australia/Sydney",
        "windows": {
            "mon": [["01:30", "02:45"], ["22:00", "06:00"]],
            "wed": [["00:00", "24:00"]],
            "fri": [["18:00", "24:00"]],
            "sat": [["00:00", "03:00"], ["02:15", "02:40"]],
            "sun": [["02:30", "03:30"]],
        },
        "holidays": [
            {"yearly": "12-25"},
            {"yearly_nth": {"month": 10, "nth": 1, "weekday": "mon"}},
            {"date": "2025-04-07", "from": "02:00", "to": "23:00"},
        ],
    },
    "london-split-shift": {
        "time_zone": "Europe/London",
        "windows": {
            d: [["00:30", "01:30"], ["08:00", "12:00"], ["13:00", "18:30"]] for d in WEEKDAYS
        },
        "holidays": [{"country": "GB", "subdiv": "ENG", "observed": True}],
    },
}


def _random_inputs(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = random.Random(seed)
    lo = to_epoch_us(datetime(2019, 6, 1, tzinfo=UTC))
    hi = to_epoch_us(datetime(2031, 1, 1, tzinfo=UTC))
    starts = np.array([rng.randrange(lo, hi) for _ in range(n)], dtype=np.int64)
    # Snap a third of the starts to whole minutes so they hit boundaries exactly.
    starts[: n // 3] -= starts[: n // 3] % 60_000_000
    minutes = np.array(
        [
            rng.choice([0, rng.randrange(1, 100_000), rng.random() * 3000, 480, 60])
            for _ in range(n)
        ],
        dtype=np.float64,
    )
    return starts, minutes


@pytest.mark.parametrize("name", sorted(CALENDARS))
def test_batch_add_matches_scalar_add(name: str) -> None:
    cal = BusinessCalendar.from_json(CALENDARS[name])
    starts, minutes = _random_inputs(sorted(CALENDARS).index(name) + 7, 3000)
    batch = cal.add_many(starts, minutes)
    fresh = BusinessCalendar.from_json(CALENDARS[name])
    scalar = [
        to_epoch_us(fresh.add(fresh.from_epoch_us(int(s)), float(m)))
        for s, m in zip(starts, minutes, strict=True)
    ]
    assert batch.tolist() == scalar


def test_batch_accepts_datetimes_and_integer_minutes() -> None:
    cal = BusinessCalendar.from_json(CALENDARS["new-york-office-us-holidays"])
    # Wed 3 July 16:00 EDT; Thursday 4 July is a holiday.
    starts = [datetime(2024, 7, 3, 20, tzinfo=UTC), datetime(2024, 7, 5, 20, tzinfo=UTC)]
    result = add_many(cal, starts, np.array([120, 90]))
    assert result.tolist() == [
        to_epoch_us(datetime(2024, 7, 5, 14, 0, tzinfo=UTC)),
        to_epoch_us(datetime(2024, 7, 8, 13, 30, tzinfo=UTC)),
    ]


def test_minute_rounding_is_the_same_as_the_scalar_path() -> None:
    values = [0.1, 1 / 3, 2.5e-7, 1e-8, 123456.789, 7]
    assert minutes_to_us_array(np.array(values)).tolist() == [minutes_to_us(v) for v in values]


def test_batch_rejects_negative_and_empty_calendars() -> None:
    cal = BusinessCalendar.from_json(CALENDARS["new-york-office-us-holidays"])
    with pytest.raises(CalendarError, match="negative"):
        cal.add_many(np.array([0], dtype=np.int64), np.array([-1.0]))
    empty = BusinessCalendar("UTC", {})
    with pytest.raises(CalendarError, match="no working time"):
        empty.add_many(np.array([0], dtype=np.int64), np.array([1.0]))
    with pytest.raises(CalendarError, match="no working time"):
        empty.add_many(np.array([5], dtype=np.int64), np.array([0.0]))


def test_batch_far_targets_extend_the_precomputed_years() -> None:
    cal = BusinessCalendar.from_json(CALENDARS["new-york-office-us-holidays"])
    start = to_epoch_us(datetime(2024, 1, 2, 14, tzinfo=UTC))
    minutes = np.array([480.0 * 250 * 20])  # about twenty working years
    [result] = cal.add_many(np.array([start], dtype=np.int64), minutes).tolist()
    assert result == to_epoch_us(cal.add(datetime(2024, 1, 2, 14, tzinfo=UTC), float(minutes[0])))
