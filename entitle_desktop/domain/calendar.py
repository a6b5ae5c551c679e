"""Business calendars: exact business-time arithmetic across zones, DST and holidays.

The rules are those of ``shared/cases/sla/CONVENTIONS.md``. Working time is a union of
half-open UTC intervals ``[open, close)`` generated per local day from the weekday
windows, minus holiday closures. Internally every instant is an integer count of
microseconds since the Unix epoch, so fractional minutes stay exact. Intervals are built
lazily one UTC year at a time and cached, each year with its cumulative open time, so
``add``/``subtract``/``between`` are binary searches plus a walk over whole years.

Long walks do not build every year. A year's open time is fixed by its Gregorian layout
(weekday of 1 January, leap years around it), the phase of each recurring holiday rule and
the zone's offsets; outside the zone's explicit transitions (before the first, after the
last, where a fixed offset or the POSIX rule applies) offsets repeat with the layout, so
years with the same key share one total. National holidays, which follow no such pattern,
are taken off that total date by date. Instants are supported in UTC years 2 to 9998.
"""

from __future__ import annotations

import calendar as _gregorian
import contextlib
import functools
import math
import numbers
import os
import struct
import zoneinfo
from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib import resources
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
_NAIVE_EPOCH = datetime(1970, 1, 1)
US_PER_SECOND = 1_000_000
US_PER_MINUTE = 60_000_000
_ONE_US = timedelta(microseconds=1)
# Searches for open time give up after this many consecutive years without any.
HORIZON_YEARS = 50
_MIN_YEAR, _MAX_YEAR = 2, 9998
# Keys zoneinfo resolves from the host rather than from the IANA database.
_HOST_ZONE_KEYS = frozenset({"localtime", "posixrules"})
# A long walk checks the remaining capacity of the supported range after this many years.
_CAPACITY_CHECK_AFTER = 4


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
    """Minutes as whole microseconds (ints exact; floats rounded half-even on minutes*6e7).

    Only numbers are accepted: a string or a boolean raises ``CalendarError``, as does an
    amount larger than the whole supported range (no business time could hold it).
    """
    if isinstance(minutes, bool) or not isinstance(minutes, numbers.Real | Decimal):
        raise CalendarError(f"minutes must be a number, got {minutes!r}")
    if isinstance(minutes, numbers.Integral):
        value: float = int(minutes)
    else:
        value = float(minutes)
        if not math.isfinite(value):
            raise CalendarError(f"minutes must be finite, got {minutes!r}")
    if abs(value) > MAX_MINUTES:
        raise CalendarError(
            f"{minutes!r} minutes is more than the supported range (UTC years"
            f" {_MIN_YEAR} to {_MAX_YEAR}) can hold"
        )
    if isinstance(value, int):
        return value * US_PER_MINUTE
    return round(value * US_PER_MINUTE)


def _year_start_us(year: int) -> int:
    return (datetime(year, 1, 1, tzinfo=UTC) - EPOCH) // _ONE_US


_MIN_US = _year_start_us(_MIN_YEAR)
_END_US = _year_start_us(_MAX_YEAR + 1)  # first instant after the supported range
# Wall-clock minutes of the whole supported range: no amount above it can ever fit.
MAX_MINUTES = (_END_US - _MIN_US) // US_PER_MINUTE


def _utc_year(us: int) -> int:
    return (EPOCH + timedelta(microseconds=us)).year


def _describe_us(us: int) -> str:
    try:
        return (EPOCH + timedelta(microseconds=us)).isoformat()
    except OverflowError:
        return "an instant outside years 1 to 9999"


def _outside_range(what: str, us: int) -> CalendarError:
    return CalendarError(
        f"{what}: {_describe_us(us)} is outside the supported range"
        f" (UTC years {_MIN_YEAR} to {_MAX_YEAR})"
    )


@functools.cache
def _iana_zone_names() -> frozenset[str]:
    """IANA zone keys: the tzdata package's list plus the host database's real zones."""
    names = {
        n
        for n in zoneinfo.available_timezones()
        if n not in _HOST_ZONE_KEYS and not n.startswith(("posix/", "right/"))
    }
    with contextlib.suppress(ModuleNotFoundError, OSError):
        names.update(resources.files("tzdata").joinpath("zones").read_text().split())
    return frozenset(names)


def _tzif_bytes(key: str) -> bytes | None:
    """The TZif file zoneinfo loads for ``key`` (its search path first, then tzdata)."""
    for root in zoneinfo.TZPATH:
        path = os.path.join(root, key)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                return f.read()
    try:
        return resources.files("tzdata.zoneinfo").joinpath(*key.split("/")).read_bytes()
    except (ModuleNotFoundError, OSError, ValueError):
        return None


def _tzif_transitions(data: bytes) -> list[int] | None:
    """Transition instants (epoch seconds) of a TZif file; None if it cannot be read."""
    try:
        if data[:4] != b"TZif":
            return None
        isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt = struct.unpack(">6l", data[20:44])
        if data[4:5] == b"\x00":
            return list(struct.unpack(f">{timecnt}l", data[44 : 44 + 4 * timecnt]))
        skip = 44 + timecnt * 5 + typecnt * 6 + charcnt + leapcnt * 8 + isstdcnt + isutcnt
        if data[skip : skip + 4] != b"TZif":
            return None
        timecnt = struct.unpack(">6l", data[skip + 20 : skip + 44])[3]
        body = skip + 44
        return list(struct.unpack(f">{timecnt}q", data[body : body + 8 * timecnt]))
    except struct.error:
        return None


def _seconds_year(seconds: int) -> int:
    if seconds < -62_135_596_800:  # before 0001-01-01
        return 0
    if seconds >= 253_402_300_800:  # 10000-01-01 or later
        return 10_000
    return (EPOCH + timedelta(seconds=seconds)).year


@functools.cache
def _transition_years(key: str) -> tuple[int, int] | None:
    """UTC years of the zone's first and last explicit transitions; None when unknown.

    ``(10000, 0)`` when it has none (one offset, or the POSIX rule, throughout).
    """
    data = _tzif_bytes(key)
    times = None if data is None else _tzif_transitions(data)
    if times is None:
        return None
    if not times:
        return (10_000, 0)
    return (_seconds_year(min(times)), _seconds_year(max(times)))


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
        if time_zone in _HOST_ZONE_KEYS:
            raise CalendarError(
                f"time zone {time_zone!r} names this computer's own zone, not an IANA zone"
                " (use a name such as 'Europe/London')"
            )
        if time_zone not in _iana_zone_names():
            raise CalendarError(f"unknown time zone {time_zone!r}")
        try:
            self.zone = ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
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
        # Year totals for long walks (see the module docstring).
        self._listed_rules = tuple(r for r in self.holiday_rules if r.listed)
        self._keyed_rules = tuple(r for r in self.holiday_rules if not r.listed)
        self._keyed_holidays = (
            HolidaySet(self._keyed_rules) if self._listed_rules else self._holidays
        )
        self._transitions = _transition_years(time_zone)
        self._totals: dict[int, int] = {}
        self._base_totals: dict[Hashable, int] = {}
        self._reductions: dict[Hashable, int] = {}

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
        offset = self.zone.utcoffset(naive)
        if offset is not None and offset == self.zone.utcoffset(naive.replace(fold=1)):
            # Neither in a gap nor in an overlap: the wall time names one instant.
            return (naive - _NAIVE_EPOCH - offset) // _ONE_US
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
            self._check_year(year)
            cached = self._build_year(year)
            self._years[year] = cached
        return cached

    def _build_year(self, year: int, holidays: HolidaySet | None = None) -> _Year:
        lo, hi = _year_start_us(year), _year_start_us(year + 1)
        if not self.has_windows:
            return _Year([], [])
        # Local dates whose spans can reach into this UTC year (offsets are < 26 h).
        merged = self._local_spans(
            date(year - 1, 12, 29), date(year + 1, 1, 2), holidays or self._holidays
        )
        opens: list[int] = []
        closes: list[int] = []
        for o, c in merged:
            o, c = max(o, lo), min(c, hi)
            if c > o:
                opens.append(o)
                closes.append(c)
        return _Year(opens, closes)

    def _local_spans(self, first: date, last: date, holidays: HolidaySet) -> list[tuple[int, int]]:
        """Open spans (epoch us, merged, holidays removed) of windows starting on first..last."""
        spans: list[tuple[int, int]] = []
        closed: list[tuple[int, int]] = []
        d = first
        one_day = timedelta(days=1)
        while d <= last:
            closure = holidays.closure_on(d)
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
        return merged

    # ------------------------------------------------------------- year totals

    def _zone_region(self, year: int) -> str | None:
        """Where UTC year ``year`` and its neighbours' days lie relative to the transitions."""
        if self._transitions is None:
            return None
        first, last = self._transitions
        if first > last:
            return "all"
        if year <= first - 3:
            return "before"
        if year >= last + 3:
            return "after"
        return None

    def _year_key(self, year: int) -> Hashable | None:
        """Equal keys mean equal open time (ignoring national holidays); None if unknown."""
        region = self._zone_region(year)
        if region is None:
            return None
        phases: list[Hashable] = []
        for rule in self._keyed_rules:
            phase = rule.year_phase(year)
            if phase is None:
                return None
            phases.append(phase)
        leap = _gregorian.isleap
        return (
            region,
            date(year, 1, 1).weekday(),
            leap(year - 1),
            leap(year),
            leap(year + 1),
            tuple(phases),
        )

    def _base_total(self, year: int, key: Hashable) -> int:
        """Open time of UTC year ``year`` without national holidays (shared by its key)."""
        total = self._base_totals.get(key)
        if total is None:
            if self._listed_rules:
                total = self._build_year(year, self._keyed_holidays).total
            else:
                total = self._year(year).total
            self._base_totals[key] = total
        return total

    def _year_total(self, year: int) -> int:
        """Open microseconds in UTC year ``year``, without building it when its key is known."""
        total = self._totals.get(year)
        if total is None:
            built = self._years.get(year)
            key = None if built is not None else self._year_key(year)
            if built is not None:
                total = built.total
            elif key is None:
                total = self._year(year).total
            else:
                total = self._base_total(year, key) - self._national_reduction(year)
            self._totals[year] = total
        return total

    def _national_reduction(self, year: int) -> int:
        """Open time national holidays take out of UTC year ``year`` (a keyed year).

        Only windows starting on a national holiday or the day before can differ, so each
        run of such days is rebuilt with and without the national rules. Runs inside the
        year depend only on their weekdays, closures and offsets, and are cached by those.
        """
        if not self._listed_rules:
            return 0
        first, last = date(year - 1, 12, 26), date(year + 1, 1, 6)
        one_day = timedelta(days=1)
        affected: set[date] = set()
        for rule in self._listed_rules:
            for y in (year - 1, year, year + 1):
                for d in rule.dates_in_year(y):
                    if first <= d <= last:
                        affected.update((d - one_day, d))
        total = 0
        days = sorted(affected)
        i = 0
        while i < len(days):
            j = i
            while j + 1 < len(days) and days[j + 1] - days[j] == one_day:
                j += 1
            total += self._run_reduction(year, days[i] - one_day, days[j] + one_day)
            i = j + 1
        return total

    def _run_reduction(self, year: int, first: date, last: date) -> int:
        lo, hi = _year_start_us(year), _year_start_us(year + 1)
        # Runs well inside the year are not clipped by it, so their reduction is reusable.
        inside = date(year, 1, 3) <= first and last <= date(year, 12, 28)
        key: Hashable | None = None
        if inside:
            days = [first + timedelta(days=k) for k in range((last - first).days + 2)]
            key = (
                first.weekday(),
                tuple(self._holidays.closure_on(d) for d in days),
                tuple(self._keyed_holidays.closure_on(d) for d in days),
                tuple(self.zone.utcoffset(datetime(d.year, d.month, d.day)) for d in days),
            )
            cached = self._reductions.get(key)
            if cached is not None:
                return cached
        keyed = self._local_spans(first, last, self._keyed_holidays)
        full = self._local_spans(first, last, self._holidays)
        reduction = _measure(keyed, lo, hi) - _measure(full, lo, hi)
        if key is not None:
            self._reductions[key] = reduction
        return reduction

    def _year_bound(self, year: int) -> int:
        """An upper bound of the open time in UTC year ``year`` (national holidays ignored)."""
        key = self._year_key(year)
        if key is None:
            return _year_start_us(year + 1) - _year_start_us(year)
        return self._base_total(year, key)

    def _capacity(self, first: int, last: int) -> int:
        """Upper bound of the open time in UTC years ``first..last``."""
        return sum(self._year_bound(year) for year in range(first, last + 1))

    def _check_year(self, year: int) -> None:
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            raise CalendarError(
                f"year {year} is outside the supported range (UTC years {_MIN_YEAR} to"
                f" {_MAX_YEAR})"
            )

    @staticmethod
    def _check_instant(what: str, us: int, *, end: bool = False) -> None:
        """``us`` must lie in the supported range (``end``: its very end is allowed too)."""
        if us < _MIN_US or us > _END_US or (us == _END_US and not end):
            raise _outside_range(what, us)

    def _require_open_time(self, what: str) -> None:
        if not self.has_windows:
            raise CalendarError(f"{what}: the calendar has no working time (no windows on any day)")

    # ------------------------------------------------------ integer core (epoch us)

    def _does_not_fit(self, what: str, origin: int, requested: int, limit: str) -> CalendarError:
        return CalendarError(
            f"{what}: {requested / US_PER_MINUTE:g} minutes of working time"
            f" {'from' if what == 'add' else 'back from'} {self._out(origin).isoformat()}"
            f" do not fit {limit} of the supported range (UTC years {_MIN_YEAR} to {_MAX_YEAR})"
        )

    def add_us(self, t: int, amount: int) -> int:
        """Earliest instant T >= t with amount microseconds of working time in [t, T)."""
        if amount < 0:
            raise CalendarError(
                f"cannot add a negative amount ({amount / US_PER_MINUTE} minutes); use subtract"
            )
        self._require_open_time("add")
        self._check_instant("add", t)
        if amount == 0:
            return t
        origin, requested = t, amount
        if amount > _END_US - t:  # more than the wall-clock time left
            raise self._does_not_fit("add", origin, requested, "before the end")
        year = last_open_year = _utc_year(t)
        y = self._year(year)
        if y.opens:
            i = bisect_right(y.closes, t)
            if i < len(y.opens):
                e = max(t, y.opens[i])
                p = y.cum_start[i] + (e - y.opens[i]) + amount
                if p <= y.total:
                    j = bisect_left(y.cum_end, p, i)
                    return y.opens[j] + (p - y.cum_start[j])
                amount = p - y.total
        walked = 0
        while True:
            year += 1
            walked += 1
            # Bounded search: give up after HORIZON_YEARS years in a row without open time.
            if year - last_open_year > HORIZON_YEARS:
                raise CalendarError(
                    f"add: no working time in {HORIZON_YEARS} consecutive years"
                    f" (searching from {self._out(origin).isoformat()})"
                )
            if year > _MAX_YEAR:
                raise self._does_not_fit("add", origin, requested, "before the end")
            if walked == _CAPACITY_CHECK_AFTER:
                capacity = self._capacity(year, _MAX_YEAR)
                if 0 < capacity < amount:
                    raise self._does_not_fit("add", origin, requested, "before the end")
            total = self._year_total(year)
            if total:
                last_open_year = year
            if amount <= total:
                y = self._year(year)
                j = bisect_left(y.cum_end, amount)
                return y.opens[j] + (amount - y.cum_start[j])
            amount -= total

    def subtract_us(self, t: int, amount: int) -> int:
        """Latest instant S <= t with amount microseconds of working time in [S, t)."""
        if amount < 0:
            raise CalendarError(
                f"cannot subtract a negative amount ({amount / US_PER_MINUTE} minutes); use add"
            )
        self._require_open_time("subtract")
        self._check_instant("subtract", t, end=True)
        if amount == 0:
            return t
        origin, requested = t, amount
        if amount > t - _MIN_US:  # more than the wall-clock time since the start
            raise self._does_not_fit("subtract", origin, requested, "after the start")
        year = last_open_year = _utc_year(t - 1)
        y = self._year(year)
        p = y.position(t) - amount
        if p >= 0 and y.opens:
            j = bisect_right(y.cum_start, p) - 1
            return y.opens[j] + (p - y.cum_start[j])
        amount = -p
        walked = 0
        while True:
            year -= 1
            walked += 1
            if last_open_year - year > HORIZON_YEARS:
                raise CalendarError(
                    f"subtract: no working time in {HORIZON_YEARS} consecutive years"
                    f" (searching back from {self._out(origin).isoformat()})"
                )
            if year < _MIN_YEAR:
                raise self._does_not_fit("subtract", origin, requested, "after the start")
            if walked == _CAPACITY_CHECK_AFTER:
                capacity = self._capacity(_MIN_YEAR, year)
                if 0 < capacity < amount:
                    raise self._does_not_fit("subtract", origin, requested, "after the start")
            total = self._year_total(year)
            if total:
                last_open_year = year
            if amount <= total:
                y = self._year(year)
                p = total - amount
                j = bisect_right(y.cum_start, p) - 1
                return y.opens[j] + (p - y.cum_start[j])
            amount -= total

    def between_us(self, start: int, end: int) -> int:
        """Working microseconds in [start, end); 0 when end <= start.

        Whole years in between count by their totals, so even centuries cost little.
        """
        if end <= start or not self.has_windows:
            return 0
        self._check_instant("between", start)
        self._check_instant("between", end, end=True)
        y0, y1 = _utc_year(start), _utc_year(end - 1)
        if y0 == y1:
            y = self._year(y0)
            return y.position(end) - y.position(start)
        total = self._year(y0).total - self._year(y0).position(start)
        for year in range(y0 + 1, y1):
            total += self._year_total(year)
        return total + self._year(y1).position(end)

    def is_open_us(self, t: int) -> bool:
        self._check_instant("is_open", t)
        if not self.has_windows:
            return False
        y = self._year(_utc_year(t))
        i = bisect_right(y.opens, t) - 1
        return i >= 0 and t < y.closes[i]

    def next_open_us(self, t: int) -> int:
        self._require_open_time("next_open")
        self._check_instant("next_open", t)
        if self.is_open_us(t):
            return t
        year = first_year = _utc_year(t)
        y = self._year(year)
        i = bisect_right(y.opens, t)
        if i < len(y.opens):
            return y.opens[i]
        while year - first_year < HORIZON_YEARS:
            year += 1
            if year > _MAX_YEAR:
                raise CalendarError(
                    f"next_open: no working time after {self._out(t).isoformat()} before the"
                    f" end of the supported range (UTC years {_MIN_YEAR} to {_MAX_YEAR})"
                )
            if self._year_total(year):
                return self._year(year).opens[0]
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
        self._check_instant("open_intervals", start)
        self._check_instant("open_intervals", end, end=True)
        pending: tuple[int, int] | None = None
        for year in range(_utc_year(start), _utc_year(end - 1) + 1):
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


def _measure(spans: list[tuple[int, int]], lo: int, hi: int) -> int:
    """Length of the sorted disjoint ``spans`` inside ``[lo, hi)``."""
    return sum(max(0, min(c, hi) - max(o, lo)) for o, c in spans)


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
