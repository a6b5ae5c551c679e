"""Business calendars: exact business-time arithmetic across zones, DST and holidays.

The rules are those of ``shared/cases/sla/CONVENTIONS.md``. Working time is a union of
half-open UTC intervals ``[open, close)`` generated per local day from the weekday
windows, minus holiday closures. Internally every instant is an integer count of
microseconds since the Unix epoch, so fractional minutes stay exact. Intervals are built
lazily one UTC year at a time and cached, each year with its cumulative open time, so
``add``/``subtract``/``between`` are binary searches plus a walk over whole years.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from entitle_desktop.domain.holiday_rules import (
    WEEKDAY_KEYS,
    HolidayRule,
    HolidayRuleError,
    HolidaySet,
    holiday_rule_from_json,
    parse_hhmm,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["BusinessCalendar", "CalendarError", "to_epoch_us"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US_PER_SECOND = 1_000_000
US_PER_MINUTE = 60_000_000
_ONE_US = timedelta(microseconds=1)
# Searches for open time give up after this many consecutive years without any.
HORIZON_YEARS = 50
_MIN_YEAR, _MAX_YEAR = 2, 9998


class CalendarError(ValueError):
    """Bad calendar definition or an operation that cannot be answered."""


def to_epoch_us(at: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime (naive -> CalendarError)."""
    if not isinstance(at, datetime):
        raise CalendarError(f"expected a datetime, got {type(at).__name__}")
    if at.tzinfo is None or at.utcoffset() is None:
        raise CalendarError(
            f"datetime {at.isoformat()} has no time zone (naive datetimes are ambiguous)"
        )
    return (at - EPOCH) // _ONE_US


def minutes_to_us(minutes: float) -> int:
    """Minutes as whole microseconds (ints exact; floats rounded half-even on minutes*6e7)."""
    if isinstance(minutes, bool):
        raise CalendarError(f"minutes must be a number, got {minutes!r}")
    if isinstance(minutes, int):
        return minutes * US_PER_MINUTE
    try:
        value = float(minutes)
    except (TypeError, ValueError) as exc:
        raise CalendarError(f"minutes must be a number, got {minutes!r}") from exc
    if not math.isfinite(value):
        raise CalendarError(f"minutes must be finite, got {minutes!r}")
    return round(value * US_PER_MINUTE)


def _year_start_us(year: int) -> int:
    return (datetime(year, 1, 1, tzinfo=UTC) - EPOCH) // _ONE_US


def _utc_year(us: int) -> int:
    return (EPOCH + timedelta(microseconds=us)).year


@dataclass(frozen=True)
class _Window:
    start: int  # minutes from local midnight of the day it belongs to
    end: int  # minutes from local midnight; <= start means it ends the next day
    overnight: bool


class _Year:
    """Merged open intervals of one UTC year with their cumulative open time."""

    __slots__ = ("closes", "cum_end", "cum_start", "opens", "total")

    def __init__(self, opens: list[int], closes: list[int]) -> None:
        self.opens = opens
        self.closes = closes
        self.cum_start: list[int] = []
        self.cum_end: list[int] = []
        acc = 0
        for o, c in zip(opens, closes, strict=True):
            self.cum_start.append(acc)
            acc += c - o
            self.cum_end.append(acc)
        self.total = acc

    def position(self, t: int) -> int:
        """Open microseconds of this year before instant ``t``."""
        i = bisect_right(self.opens, t) - 1
        if i < 0:
            return 0
        return self.cum_start[i] + min(t, self.closes[i]) - self.opens[i]


class BusinessCalendar:
    """Working time in an IANA zone: weekday windows minus holidays.

    ``windows`` maps ``mon``..``sun`` to ``("HH:MM", "HH:MM")`` spans; ``"24:00"`` is a legal
    end; an end before the start runs past midnight and belongs to the start day. All
    returned datetimes are aware, in the calendar's zone, exact to the microsecond.
    """

    def __init__(
        self,
        time_zone: str,
        windows: Mapping[str, Sequence[Sequence[str]]],
        holidays: Sequence[HolidayRule] = (),
    ) -> None:
        if not isinstance(time_zone, str) or not time_zone.strip():
            raise CalendarError(f"time zone must be an IANA zone name, got {time_zone!r}")
        try:
            self.zone = ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CalendarError(f"unknown time zone {time_zone!r}") from exc
        self.time_zone = time_zone
        if not isinstance(windows, Mapping):
            raise CalendarError("windows must map weekday keys (mon..sun) to lists of spans")
        by_day: list[tuple[_Window, ...]] = [() for _ in range(7)]
        for key, spans in windows.items():
            day_key = str(key).strip().lower()
            if day_key not in WEEKDAY_KEYS:
                raise CalendarError(f"unknown weekday key {key!r} (use mon, tue, ..., sun)")
            by_day[WEEKDAY_KEYS.index(day_key)] = tuple(
                self._parse_window(day_key, span) for span in (spans or ())
            )
        self._windows: tuple[tuple[_Window, ...], ...] = tuple(by_day)
        self.windows: dict[str, tuple[tuple[str, str], ...]] = {
            WEEKDAY_KEYS[i]: tuple((_fmt(w.start), _fmt(w.end)) for w in ws)
            for i, ws in enumerate(by_day)
            if ws
        }
        self.holiday_rules: tuple[HolidayRule, ...] = tuple(holidays)
        self._holidays = HolidaySet(self.holiday_rules)
        self.has_windows = any(by_day)
        self._years: dict[int, _Year] = {}
        self._batch_cache: Any = None

    @staticmethod
    def _parse_window(day_key: str, span: Sequence[str]) -> _Window:
        if isinstance(span, str) or len(span) != 2:
            raise CalendarError(f"{day_key}: a window must be a pair [start, end], got {span!r}")
        try:
            start = parse_hhmm(span[0], allow_24=False, what=f"{day_key} window start")
            end = parse_hhmm(span[1], allow_24=True, what=f"{day_key} window end")
        except HolidayRuleError as exc:
            raise CalendarError(str(exc)) from exc
        if end == start:
            raise CalendarError(
                f"{day_key}: window {span[0]}-{span[1]} starts and ends at the same time"
                " (use 00:00-24:00 for a whole day)"
            )
        return _Window(start, end, end < start)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> BusinessCalendar:
        """The vectors' calendar object: ``time_zone``, ``windows``, optional ``holidays``."""
        if not isinstance(obj, Mapping):
            raise CalendarError("calendar must be an object")
        if "time_zone" not in obj:
            raise CalendarError("calendar lacks 'time_zone'")
        try:
            rules = [holiday_rule_from_json(h) for h in obj.get("holidays") or ()]
        except HolidayRuleError as exc:
            raise CalendarError(str(exc)) from exc
        return cls(obj["time_zone"], obj.get("windows") or {}, rules)

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar({self.time_zone!r}, {self.windows!r},"
            f" {len(self.holiday_rules)} holiday rules)"
        )

    # ----------------------------------------------------------------- conversions

    def from_epoch_us(self, us: int) -> datetime:
        """Epoch microseconds as an aware datetime in the calendar's zone."""
        return (EPOCH + timedelta(microseconds=us)).astimezone(self.zone)

    _out = from_epoch_us

    def _boundary(self, d: date, minute: int) -> int:
        """Local wall time ``minute`` on ``d`` as epoch us (CONVENTIONS section 3)."""
        if minute >= 1440:
            d += timedelta(days=minute // 1440)
            minute %= 1440
        naive = datetime(d.year, d.month, d.day, minute // 60, minute % 60)
        first = naive.replace(tzinfo=self.zone)
        u0 = int(first.timestamp())  # fold=0: first occurrence, or past the gap
        if datetime.fromtimestamp(u0, self.zone).replace(tzinfo=None) == naive:
            return u0 * US_PER_SECOND
        # Inside a spring-forward gap: the earliest instant whose clock reads >= naive.
        u1 = int(naive.replace(tzinfo=self.zone, fold=1).timestamp())
        lo, hi = min(u0, u1), max(u0, u1)
        while lo < hi:
            mid = (lo + hi) // 2
            if datetime.fromtimestamp(mid, self.zone).replace(tzinfo=None) >= naive:
                hi = mid
            else:
                lo = mid + 1
        return lo * US_PER_SECOND

    # ------------------------------------------------------------- interval cache

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is None:
            cached = self._build_year(year)
            self._years[year] = cached
        return cached

    def _build_year(self, year: int) -> _Year:
        lo, hi = _year_start_us(year), _year_start_us(year + 1)
        if not self.has_windows:
            return _Year([], [])
        spans: list[tuple[int, int]] = []
        closed: list[tuple[int, int]] = []
        # Local dates whose spans can reach into this UTC year (offsets are < 26 h).
        d = date(year - 1, 12, 29)
        last = date(year + 1, 1, 2)
        one_day = timedelta(days=1)
        while d <= last:
            closure = self._holidays.closure_on(d)
            if not closure.whole:
                for w in self._windows[d.weekday()]:
                    o = self._boundary(d, w.start)
                    c = self._boundary(d, w.end + 1440 if w.overnight else w.end)
                    if c > o:
                        spans.append((o, c))
            for f, t in closure.ranges:
                closed.append((self._boundary(d, f), self._boundary(d, t)))
            d += one_day
        merged = _union(spans)
        if closed:
            merged = _subtract(merged, _union(closed))
        opens: list[int] = []
        closes: list[int] = []
        for o, c in merged:
            o, c = max(o, lo), min(c, hi)
            if c > o:
                opens.append(o)
                closes.append(c)
        return _Year(opens, closes)

    def _check_year(self, year: int) -> None:
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            raise CalendarError(
                f"no working time found within the supported years (reached {year})"
            )

    def _require_open_time(self, what: str) -> None:
        if not self.has_windows:
            raise CalendarError(f"{what}: the calendar has no working time (no windows on any day)")

    # ------------------------------------------------------ integer core (epoch us)

    def add_us(self, t: int, amount: int) -> int:
        """Earliest instant T >= t with amount microseconds of working time in [t, T)."""
        if amount < 0:
            raise CalendarError(
                f"cannot add a negative amount ({amount / US_PER_MINUTE} minutes); use subtract"
            )
        self._require_open_time("add")
        if amount == 0:
            return t
        origin = t
        year = last_open_year = _utc_year(t)
        while True:
            # Bounded search: give up after HORIZON_YEARS years in a row without open time.
            if year - last_open_year > HORIZON_YEARS:
                raise CalendarError(
                    f"add: no working time in {HORIZON_YEARS} consecutive years"
                    f" (searching from {self._out(origin).isoformat()})"
                )
            self._check_year(year)
            y = self._year(year)
            if y.opens:
                last_open_year = year
            i = bisect_right(y.closes, t)
            if i < len(y.opens):
                e = max(t, y.opens[i])
                p = y.cum_start[i] + (e - y.opens[i]) + amount
                if p <= y.total:
                    j = bisect_left(y.cum_end, p, i)
                    return y.opens[j] + (p - y.cum_start[j])
                amount = p - y.total
            year += 1
            t = _year_start_us(year)

    def subtract_us(self, t: int, amount: int) -> int:
        """Latest instant S <= t with amount microseconds of working time in [S, t)."""
        if amount < 0:
            raise CalendarError(
                f"cannot subtract a negative amount ({amount / US_PER_MINUTE} minutes); use add"
            )
        self._require_open_time("subtract")
        if amount == 0:
            return t
        origin = t
        year = last_open_year = _utc_year(t)
        while True:
            if last_open_year - year > HORIZON_YEARS:
                raise CalendarError(
                    f"subtract: no working time in {HORIZON_YEARS} consecutive years"
                    f" (searching back from {self._out(origin).isoformat()})"
                )
            self._check_year(year)
            y = self._year(year)
            if y.opens:
                last_open_year = year
            p = y.position(t) - amount
            if p >= 0 and y.opens:
                j = bisect_right(y.cum_start, p) - 1
                return y.opens[j] + (p - y.cum_start[j])
            amount = -p
            t = _year_start_us(year)
            year -= 1

    def between_us(self, start: int, end: int) -> int:
        """Working microseconds in [start, end); 0 when end <= start."""
        if end <= start or not self.has_windows:
            return 0
        y0, y1 = _utc_year(start), _utc_year(end)
        self._check_year(y0)
        self._check_year(y1)
        if y0 == y1:
            y = self._year(y0)
            return y.position(end) - y.position(start)
        total = self._year(y0).total - self._year(y0).position(start)
        for year in range(y0 + 1, y1):
            total += self._year(year).total
        return total + self._year(y1).position(end)

    def is_open_us(self, t: int) -> bool:
        if not self.has_windows:
            return False
        y = self._year(_utc_year(t))
        i = bisect_right(y.opens, t) - 1
        return i >= 0 and t < y.closes[i]

    def next_open_us(self, t: int) -> int:
        self._require_open_time("next_open")
        if self.is_open_us(t):
            return t
        year = first_year = _utc_year(t)
        while year - first_year <= HORIZON_YEARS:
            self._check_year(year)
            y = self._year(year)
            i = bisect_right(y.opens, t)
            if i < len(y.opens):
                return y.opens[i]
            year += 1
        raise CalendarError(
            f"next_open: no working time in {HORIZON_YEARS} consecutive years"
            f" (searching from {self._out(t).isoformat()})"
        )

    def _pauses_us(self, pauses: Sequence[tuple[datetime, datetime]]) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for pause in pauses:
            if len(pause) != 2:
                raise CalendarError(f"a pause must be a pair (from, to), got {pause!r}")
            f, t = to_epoch_us(pause[0]), to_epoch_us(pause[1])
            if t < f:
                raise CalendarError(
                    f"pause ends ({pause[1].isoformat()}) before it starts ({pause[0].isoformat()})"
                )
            if t > f:
                out.append((f, t))
        return _union(out)

    def add_paused_us(self, t: int, amount: int, pauses: Sequence[tuple[int, int]]) -> int:
        """``add_us`` where time inside the (merged, sorted) pauses does not count."""
        if amount < 0:
            raise CalendarError("cannot add a negative amount; use subtract")
        self._require_open_time("add")
        if amount == 0:
            return t
        cur = t
        for pf, pt in pauses:
            if pt <= cur:
                continue
            due = self.add_us(cur, amount)
            if due <= pf:
                return due
            amount -= self.between_us(cur, max(cur, pf))
            cur = pt
        return self.add_us(cur, amount)

    def subtract_paused_us(self, t: int, amount: int, pauses: Sequence[tuple[int, int]]) -> int:
        """``subtract_us`` where time inside the (merged, sorted) pauses does not count."""
        if amount < 0:
            raise CalendarError("cannot subtract a negative amount; use add")
        self._require_open_time("subtract")
        if amount == 0:
            return t
        cur = t
        for pf, pt in reversed(pauses):
            if pf >= cur:
                continue
            back = self.subtract_us(cur, amount)
            if back >= pt:
                return back
            amount -= self.between_us(min(cur, pt), cur)
            cur = pf
        return self.subtract_us(cur, amount)

    def between_paused_us(self, start: int, end: int, pauses: Sequence[tuple[int, int]]) -> int:
        total = self.between_us(start, end)
        for pf, pt in pauses:
            total -= self.between_us(max(start, pf), min(end, pt))
        return total

    # ------------------------------------------------------------- public API

    def add(
        self,
        start: datetime,
        minutes: float,
        pauses: Sequence[tuple[datetime, datetime]] = (),
    ) -> datetime:
        """Earliest instant by which ``minutes`` of working time (outside pauses) have passed.

        A start in closed time counts from the next opening; an exact fit ends at the
        closing instant. Negative minutes, or a calendar without working time, raise
        ``CalendarError``.
        """
        t = to_epoch_us(start)
        amount = minutes_to_us(minutes)
        if amount < 0:
            raise CalendarError(f"cannot add a negative amount ({minutes} minutes); use subtract")
        if pauses:
            return self._out(self.add_paused_us(t, amount, self._pauses_us(pauses)))
        return self._out(self.add_us(t, amount))

    def subtract(
        self,
        end: datetime,
        minutes: float,
        pauses: Sequence[tuple[datetime, datetime]] = (),
    ) -> datetime:
        """Latest instant from which ``minutes`` of working time reach ``end``.

        An exact fit ends at the opening instant. Mirrors ``add``.
        """
        t = to_epoch_us(end)
        amount = minutes_to_us(minutes)
        if amount < 0:
            raise CalendarError(f"cannot subtract a negative amount ({minutes} minutes); use add")
        if pauses:
            return self._out(self.subtract_paused_us(t, amount, self._pauses_us(pauses)))
        return self._out(self.subtract_us(t, amount))

    def between(
        self,
        start: datetime,
        end: datetime,
        pauses: Sequence[tuple[datetime, datetime]] = (),
    ) -> float:
        """Working seconds in ``[start, end)`` outside pauses; 0 when ``end <= start``."""
        s, e = to_epoch_us(start), to_epoch_us(end)
        if pauses:
            return self.between_paused_us(s, e, self._pauses_us(pauses)) / US_PER_SECOND
        return self.between_us(s, e) / US_PER_SECOND

    def is_open(self, at: datetime) -> bool:
        """True when ``at`` lies inside working time (openings in, closings out)."""
        return self.is_open_us(to_epoch_us(at))

    def next_open(self, at: datetime) -> datetime:
        """``at`` when open, else the next instant at which working time begins."""
        return self._out(self.next_open_us(to_epoch_us(at)))

    def is_holiday(self, d: date) -> bool:
        """True when a whole-day holiday rule closes the local date ``d``."""
        if isinstance(d, datetime):
            raise CalendarError("is_holiday takes a local date, not a datetime")
        return self._holidays.is_holiday(d)

    def warning(
        self, start: datetime, minutes: float, before_minutes: float
    ) -> tuple[datetime, datetime]:
        """``(due, warning)``: due = add(start, minutes), warning = subtract(due, before)."""
        self._require_open_time("warning")
        due = self.add(start, minutes)
        return due, self.subtract(due, before_minutes)

    def overdue(self, due: datetime, paused_at: datetime, now: datetime) -> float:
        """Overdue working seconds of an item still paused: frozen at the pause, never negative."""
        d, p, n = to_epoch_us(due), to_epoch_us(paused_at), to_epoch_us(now)
        end = min(p, n)
        return self.between_us(d, end) / US_PER_SECOND if end > d else 0.0

    def open_intervals(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals clipped to ``[start, end)``, touching ones merged, in order."""
        for o, c in self.open_intervals_us(to_epoch_us(start), to_epoch_us(end)):
            yield self._out(o), self._out(c)

    def open_intervals_us(self, start: int, end: int) -> Iterator[tuple[int, int]]:
        if end <= start or not self.has_windows:
            return
        pending: tuple[int, int] | None = None
        for year in range(_utc_year(start), _utc_year(end) + 1):
            self._check_year(year)
            y = self._year(year)
            i = bisect_right(y.closes, start)
            while i < len(y.opens) and y.opens[i] < end:
                o, c = max(start, y.opens[i]), min(end, y.closes[i])
                if pending is not None and pending[1] == o:
                    pending = (pending[0], c)
                else:
                    if pending is not None:
                        yield pending
                    pending = (o, c)
                i += 1
        if pending is not None:
            yield pending

    def add_many(
        self,
        starts: npt.NDArray[np.int64] | Sequence[datetime],
        minutes: npt.ArrayLike,
    ) -> npt.NDArray[np.int64]:
        """Vectorised ``add`` without pauses: epoch-microsecond results (int64), same as ``add``.

        ``starts`` are epoch microseconds (int64) or aware datetimes; ``minutes`` numbers.
        """
        from entitle_desktop.domain.batch import add_many

        return add_many(self, starts, minutes)


def _fmt(minute: int) -> str:
    return f"{minute // 60:02}:{minute % 60:02}"


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted union of half-open spans; touching spans are merged."""
    out: list[tuple[int, int]] = []
    for o, c in sorted(spans):
        if out and o <= out[-1][1]:
            if c > out[-1][1]:
                out[-1] = (out[-1][0], c)
        else:
            out.append((o, c))
    return out


def _subtract(spans: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` minus ``holes``; both sorted and disjoint."""
    out: list[tuple[int, int]] = []
    j = 0
    for o, c in spans:
        while j < len(holes) and holes[j][1] <= o:
            j += 1
        k = j
        cur = o
        while k < len(holes) and holes[k][0] < c:
            if holes[k][0] > cur:
                out.append((cur, holes[k][0]))
            cur = max(cur, holes[k][1])
            k += 1
        if cur < c:
            out.append((cur, c))
    return out
