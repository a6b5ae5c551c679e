"""Vectorised business-time arithmetic: many due dates at once with numpy.

Per calendar, the open intervals of the UTC years needed are laid out as int64 epoch
microseconds with their cumulative open time; each target is then two ``searchsorted``
calls. The intervals are the very ones the scalar path uses, so results are identical.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from entitle_desktop.domain.calendar import (
    _END_US,
    _MIN_US,
    HORIZON_YEARS,
    MAX_MINUTES,
    US_PER_MINUTE,
    BusinessCalendar,
    CalendarError,
    _outside_range,
    minutes_to_us,
    to_epoch_us,
)

__all__ = ["Timeline", "add_many", "minutes_to_us_array", "timeline"]

_I64 = np.int64


@dataclass(frozen=True)
class Timeline:
    """Open intervals of UTC years ``first_year..last_year`` (inclusive) as flat arrays."""

    first_year: int
    last_year: int
    opens: npt.NDArray[np.int64]
    closes: npt.NDArray[np.int64]
    cum_start: npt.NDArray[np.int64]
    cum_end: npt.NDArray[np.int64]


def timeline(calendar: BusinessCalendar, first_year: int, last_year: int) -> Timeline:
    """The calendar's open intervals over the given UTC years, cached per calendar."""
    cached = calendar._batch_cache
    if (
        isinstance(cached, Timeline)
        and cached.first_year <= first_year
        and cached.last_year >= last_year
    ):
        return cached
    if isinstance(cached, Timeline):
        first_year, last_year = min(first_year, cached.first_year), max(last_year, cached.last_year)
    opens: list[int] = []
    closes: list[int] = []
    for year in range(first_year, last_year + 1):
        calendar._check_year(year)
        y = calendar._year(year)
        opens.extend(y.opens)
        closes.extend(y.closes)
    o = np.asarray(opens, dtype=_I64)
    c = np.asarray(closes, dtype=_I64)
    cum_end = np.cumsum(c - o, dtype=_I64)
    cum_start = cum_end - (c - o)
    built = Timeline(first_year, last_year, o, c, cum_start, cum_end)
    calendar._batch_cache = built
    return built


def _raw_minutes(minutes: npt.ArrayLike) -> npt.NDArray[Any]:
    """Minutes as an integer or float array, checked as the scalar ``minutes_to_us`` checks.

    The first offending value raises the very error the scalar path raises for it: not a
    number (strings, booleans), not finite, or more than the supported range can hold.
    Other arrays (Python objects such as Decimal or huge ints) are checked value by value.
    """
    m = np.asarray(minutes)
    if m.dtype.kind == "O":
        for value in m.flat:
            minutes_to_us(value)
        return m.astype(np.float64) if m.size else m.astype(_I64)
    if m.dtype.kind not in "iuf":
        if m.size:
            minutes_to_us(m.flat[0].item())  # raises as the scalar path does: not a number
        raise CalendarError(f"minutes must be numbers, got an array of {m.dtype} values")
    if m.dtype.kind == "f":
        bad = ~np.isfinite(m)
        if bad.any():
            minutes_to_us(m[bad].flat[0].item())
    too_big = (m > MAX_MINUTES) | (m < -MAX_MINUTES)
    if too_big.any():
        minutes_to_us(m[too_big].flat[0].item())
    return m


def _us_of_minutes(m: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
    if m.dtype.kind in "iu":
        return m.astype(_I64) * _I64(US_PER_MINUTE)  # |m| <= MAX_MINUTES: no overflow
    return np.rint(m.astype(np.float64) * float(US_PER_MINUTE)).astype(_I64)


def minutes_to_us_array(minutes: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Minutes as int64 microseconds, checked and rounded exactly like ``minutes_to_us``."""
    return _us_of_minutes(_raw_minutes(minutes))


def _starts_us(starts: npt.NDArray[np.int64] | Sequence[datetime]) -> npt.NDArray[np.int64]:
    """Epoch microseconds, one-dimensional, every one inside the supported range."""
    if isinstance(starts, np.ndarray):
        if starts.dtype.kind not in "iu":
            raise CalendarError("starts must be int64 epoch microseconds or aware datetimes")
        if starts.ndim != 1:
            raise CalendarError(f"starts must be one-dimensional, got shape {starts.shape}")
        outside = (starts < _MIN_US) | (starts >= _END_US)
        if outside.any():
            raise _outside_range("add", int(starts[outside][0]))
        return starts.astype(_I64, copy=False)
    t = np.fromiter((to_epoch_us(s) for s in starts), dtype=_I64, count=len(starts))
    outside = (t < _MIN_US) | (t >= _END_US)
    if outside.any():
        raise _outside_range("add", int(t[outside][0]))
    return t


def _utc_years(us: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    return us.astype("datetime64[us]").astype("datetime64[Y]").astype(_I64) + 1970


def add_many(
    calendar: BusinessCalendar,
    starts: npt.NDArray[np.int64] | Sequence[datetime],
    minutes: npt.ArrayLike,
) -> npt.NDArray[np.int64]:
    """``calendar.add`` for many (start, minutes) pairs; int64 epoch-microsecond results.

    ``minutes`` is one number or one per start. Bad input raises the ``CalendarError`` the
    one-at-a-time ``add`` raises for the first bad pair.
    """
    t = _starts_us(starts)
    raw = _raw_minutes(minutes)
    if raw.ndim != 0 and raw.shape != t.shape:
        raise CalendarError(
            f"minutes must be one number or one per start: {raw.size} minutes for {t.size} starts"
        )
    negative = raw < 0
    if negative.any():
        value = raw[negative].flat[0] if raw.ndim else raw
        raise CalendarError(f"cannot add a negative amount ({value.item()} minutes); use subtract")
    amount = np.broadcast_to(_us_of_minutes(raw), t.shape)
    result = t.copy()
    if t.size == 0:
        return result
    calendar._require_open_time("add")
    todo = np.flatnonzero(amount > 0)
    if todo.size == 0:
        return result
    years = _utc_years(t[todo])
    first, last_start = int(years.min()), int(years.max())
    last = last_start + 1
    while todo.size:
        tl = timeline(calendar, first, last)
        n = tl.opens.size
        tt, aa = t[todo], amount[todo]
        if n:
            i = np.searchsorted(tl.closes, tt, side="right")
            has = i < n
            ic = np.minimum(i, n - 1)
            e = np.maximum(tt, tl.opens[ic])
            p = tl.cum_start[ic] + (e - tl.opens[ic]) + aa
            j = np.searchsorted(tl.cum_end, p, side="left")
            done = has & (j < n)
            jc = np.minimum(j, n - 1)
            result[todo[done]] = (tl.opens[jc] + (p - tl.cum_start[jc]))[done]
            todo = todo[~done]
        if todo.size:
            if last - last_start >= HORIZON_YEARS:
                # Very long amounts: the scalar path walks on year by year (same results).
                for k in todo.tolist():
                    result[k] = calendar.add_us(int(t[k]), int(amount[k]))
                break
            last = min(last_start + HORIZON_YEARS, last + max(2, last - first + 1))
    return result
