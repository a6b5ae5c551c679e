"""Vectorised business-time arithmetic: many due dates at once with numpy.

Per calendar, the open intervals of the UTC years needed are laid out as int64 epoch
microseconds with their cumulative open time; each target is then two ``searchsorted``
calls. The intervals are the very ones the scalar path uses, so results are identical.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from entitle_desktop.domain.calendar import (
    HORIZON_YEARS,
    US_PER_MINUTE,
    BusinessCalendar,
    CalendarError,
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


def minutes_to_us_array(minutes: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Minutes as int64 microseconds, rounded exactly like the scalar ``minutes_to_us``."""
    m = np.asarray(minutes)
    if m.dtype == np.bool_:
        raise CalendarError("minutes must be numbers, not booleans")
    if np.issubdtype(m.dtype, np.integer):
        return m.astype(_I64) * _I64(US_PER_MINUTE)
    f = m.astype(np.float64)
    if not np.all(np.isfinite(f)):
        raise CalendarError("minutes must be finite")
    return np.rint(f * float(US_PER_MINUTE)).astype(_I64)


def _starts_us(starts: npt.NDArray[np.int64] | Sequence[datetime]) -> npt.NDArray[np.int64]:
    if isinstance(starts, np.ndarray):
        if not np.issubdtype(starts.dtype, np.integer):
            raise CalendarError("starts must be int64 epoch microseconds or aware datetimes")
        return starts.astype(_I64, copy=False)
    return np.fromiter((to_epoch_us(s) for s in starts), dtype=_I64, count=len(starts))


def _utc_years(us: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    return us.astype("datetime64[us]").astype("datetime64[Y]").astype(_I64) + 1970


def add_many(
    calendar: BusinessCalendar,
    starts: npt.NDArray[np.int64] | Sequence[datetime],
    minutes: npt.ArrayLike,
) -> npt.NDArray[np.int64]:
    """``calendar.add`` for many (start, minutes) pairs; int64 epoch-microsecond results."""
    t = _starts_us(starts)
    amount = np.broadcast_to(minutes_to_us_array(minutes), t.shape)
    result = t.copy()
    if t.size == 0:
        return result
    if np.any(amount < 0):
        raise CalendarError("cannot add a negative amount; use subtract")
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
