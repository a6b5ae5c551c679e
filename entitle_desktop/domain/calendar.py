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
import itertools
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

import numpy as np

from entitle_desktop.domain.holiday_rules import (
    WEEKDAY_KEYS,
    HolidayRule,
    HolidayRuleError,
    HolidaySet,
    holiday_rule_from_json,
    parse_hhmm,
)

if TYPE_CHECKING:
    import numpy.typing as npt

    _Spans = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]

__all__ = ["BusinessCalendar", "CalendarError", "to_epoch_us"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)
US_PER_SECOND = 1_000_000
US_PER_MINUTE = 60_000_000
US_PER_DAY = 86_400_000_000
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_ONE_US = timedelta(microseconds=1)
# The batch path lays out at most this many years past its latest start, then walks on.
HORIZON_YEARS = 50
_MIN_YEAR, _MAX_YEAR = 2, 9998
# Keys zoneinfo resolves from the host rather than from the IANA database.
_HOST_ZONE_KEYS = frozenset({"localtime", "posixrules"})
# A long walk checks the remaining capacity of the supported range after this many years.
_CAPACITY_CHECK_AFTER = 4
# Local midnights are probed this many days apart when laying out a year (section below).
_PROBE_DAYS = 7
_NO_HOLIDAYS = HolidaySet(())
_EMPTY_US: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)


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
def _transition_times(key: str) -> tuple[int, ...] | None:
    """The zone's explicit transition instants (epoch seconds, sorted); None when unknown."""
    data = _tzif_bytes(key)
    times = None if data is None else _tzif_transitions(data)
    return None if times is None else tuple(sorted(times))


@functools.cache
def _transition_years(key: str) -> tuple[int, int] | None:
    """UTC years of the zone's first and last explicit transitions; None when unknown.

    ``(10000, 0)`` when it has none (one offset, or the POSIX rule, throughout).
    """
    times = _transition_times(key)
    if times is None:
        return None
    if not times:
        return (10_000, 0)
    return (_seconds_year(times[0]), _seconds_year(times[-1]))


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

    @classmethod
    def from_arrays(cls, opens: npt.NDArray[np.int64], closes: npt.NDArray[np.int64]) -> _Year:
        year = cls.__new__(cls)
        lengths = closes - opens
        cum_end = np.cumsum(lengths)
        year.opens = opens.tolist()
        year.closes = closes.tolist()
        year.cum_end = cum_end.tolist()
        year.cum_start = (cum_end - lengths).tolist()
        year.total = int(cum_end[-1]) if cum_end.size else 0
        return year

    def position(self, t: int) -> int:
        """Open microseconds of this year before instant ``t``."""
        i = bisect_right(self.opens, t) - 1
        if i < 0:
            return 0
        return self.cum_start[i] + min(t, self.closes[i]) - self.opens[i]


def iana_zone(time_zone: object) -> ZoneInfo:
    """The IANA zone named ``time_zone``; :class:`CalendarError` for anything else (not a
    name, unknown, or this computer's own zone such as 'localtime')."""
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
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise CalendarError(f"unknown time zone {time_zone!r}") from exc


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
        self.zone = iana_zone(time_zone)
        self.time_zone = time_zone
        if not isinstance(windows, Mapping):
            raise CalendarError("windows must map weekday keys (mon..sun) to lists of spans")
        by_day: list[tuple[_Window, ...]] = [() for _ in range(7)]
        for key, spans in windows.items():
            day_key = str(key).strip().lower()
            if day_key not in WEEKDAY_KEYS:
                raise CalendarError(f"unknown weekday key {key!r} (use mon, tue, ..., sun)")
            if spans is None:
                spans = ()
            if isinstance(spans, str | bytes) or not isinstance(spans, Sequence):
                raise CalendarError(
                    f"{day_key}: windows must be a list of [start, end] pairs, got {spans!r}"
                )
            by_day[WEEKDAY_KEYS.index(day_key)] = tuple(
                self._parse_window(day_key, span) for span in spans
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
        # rules whose phase is () but in a few years are not asked year by year
        self._irregular_years: set[int] = set()
        asked: list[HolidayRule] = []
        for rule in self._keyed_rules:
            years = rule.irregular_years()
            if years is None:
                asked.append(rule)
            else:
                self._irregular_years |= years
        self._phase_rules = tuple(asked)
        self._keyed_holidays = (
            HolidaySet(self._keyed_rules) if self._listed_rules else self._holidays
        )
        self._transitions = _transition_years(time_zone)
        self._transition_times = _transition_times(time_zone)
        self._totals: dict[int, int] = {}
        self._window_totals: dict[Hashable, int] = {}
        self._bound_prefix: list[int] | None = None
        self._midnight_cache: dict[
            Hashable, tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]
        ] = {}
        self._base_totals: dict[Hashable, int] = {}
        self._reductions: dict[Hashable, int] = {}

    @staticmethod
    def _parse_window(day_key: str, span: Sequence[str]) -> _Window:
        if isinstance(span, str | bytes) or not isinstance(span, Sequence) or len(span) != 2:
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
        entries = obj.get("holidays") or ()
        if isinstance(entries, str | bytes | Mapping) or not isinstance(entries, Sequence):
            raise CalendarError(f"holidays must be a list of holiday entries, got {entries!r}")
        rules = []
        for index, entry in enumerate(entries):
            try:
                rules.append(holiday_rule_from_json(entry))
            except HolidayRuleError as exc:
                raise CalendarError(f"holidays[{index}]: {exc}") from exc
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
        return _Year.from_arrays(*self._year_spans(year, holidays or self._holidays))

    def _year_spans(self, year: int, holidays: HolidaySet) -> _Spans:
        """Open spans of UTC year ``year`` (epoch us, merged, clipped to the year)."""
        if not self.has_windows:
            return _EMPTY_US, _EMPTY_US
        # Local dates whose spans can reach into this UTC year (offsets are < 26 h).
        opens, closes = self._local_spans(
            date(year - 1, 12, 29), date(year + 1, 1, 2), holidays, self._layout_key(year)
        )
        return _clip(opens, closes, _year_start_us(year), _year_start_us(year + 1))

    def _year_open_total(self, year: int, holidays: HolidaySet) -> int:
        opens, closes = self._year_spans(year, holidays)
        return int((closes - opens).sum())

    def _local_spans(
        self, first: date, last: date, holidays: HolidaySet, layout: Hashable | None = None
    ) -> _Spans:
        """Open spans (epoch us, merged, holidays removed) of windows starting on first..last.

        The same spans as :meth:`_local_spans_by_day`, laid out with numpy: on a *plain* day
        (one UTC offset from its midnight to the next, see :meth:`_midnights`) a wall time
        is its midnight plus the minutes; the few boundaries on other days go through
        :meth:`_boundary` one by one. ``layout`` is the year key of a UTC year whose days
        these are (or None): years with equal layout keys have equal offsets day by day,
        so their midnights are computed once.
        """
        n = (last - first).days + 1
        # Spans end on the next day at the latest.
        if layout is None:
            base, plain = self._midnights(first, n + 1)
        else:
            shift = (first.toordinal() - _EPOCH_ORDINAL) * US_PER_DAY
            cached = self._midnight_cache.get(layout)
            if cached is None:
                base, plain = self._midnights(first, n + 1)
                self._midnight_cache[layout] = (base - shift, plain)
            else:
                base, plain = cached[0] + shift, cached[1]
        whole = np.zeros(n, dtype=bool)
        holes: list[tuple[int, int]] = []
        for d, closure in holidays.closures_between(first, last):
            if closure.whole:
                whole[(d - first).days] = True
            for f, t in closure.ranges:
                holes.append((self._boundary(d, f), self._boundary(d, t)))
        opens: list[npt.NDArray[np.int64]] = []
        closes: list[npt.NDArray[np.int64]] = []
        first_weekday = first.weekday()
        for weekday, windows in enumerate(self._windows):
            if not windows:
                continue
            days = np.arange((weekday - first_weekday) % 7, n, 7)
            days = days[~whole[days]]
            if not days.size:
                continue
            for w in windows:
                end = w.end + 1440 if w.overnight else w.end
                end_days = days + end // 1440
                o = base[days] + w.start * US_PER_MINUTE
                c = base[end_days] + (end % 1440) * US_PER_MINUTE
                for k in np.flatnonzero(~plain[days]).tolist():
                    o[k] = self._boundary(first + timedelta(days=int(days[k])), w.start)
                for k in np.flatnonzero(~plain[end_days]).tolist():
                    c[k] = self._boundary(first + timedelta(days=int(days[k])), end)
                opens.append(o)
                closes.append(c)
        if not opens:
            return _EMPTY_US, _EMPTY_US
        o, c = np.concatenate(opens), np.concatenate(closes)
        keep = c > o
        o, c = _union_arrays(o[keep], c[keep])
        if holes:
            o, c = _subtract_arrays(o, c, _union(holes))
        return o, c

    def _midnights(
        self, first: date, count: int
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """For local days ``first .. first+count-1``: their midnights (epoch us) and plainness.

        A day is *plain* when one UTC offset holds from its local midnight to the next and
        both midnights happen exactly once; every wall time W of a plain day then takes
        effect at midnight + W (CONVENTIONS 3 has nothing to resolve). A day is never plain
        near one of the zone's explicit transitions. Offsets are probed at every
        ``_PROBE_DAYS``-th midnight and day by day only between probes that differ; after
        the last explicit transition the zone's POSIX rule changes offsets at most twice a
        year, months apart, so equal probes a week apart mean no change in between.
        Where a day is not plain its midnight is meaningless (0): callers use _boundary.
        """
        zone = self.zone
        start = first.toordinal() - _EPOCH_ORDINAL
        naive = np.arange(start, start + count + 1, dtype=np.int64) * US_PER_DAY
        offsets: list[int | None] = [None] * (count + 1)
        probed = [False] * (count + 1)
        times = self._transition_times

        def probe(p: int) -> int | None:
            if not probed[p]:
                d = first + timedelta(days=p)
                wall = datetime(d.year, d.month, d.day)
                a, b = zone.utcoffset(wall), zone.utcoffset(wall.replace(fold=1))
                offsets[p] = a // _ONE_US if a is not None and a == b else None
                probed[p] = True
            return offsets[p]

        def no_transition_near(p: int, q: int) -> bool:
            """No explicit transition within two days of local days p..q."""
            if times is None:
                return False
            lo = (start + p - 2) * 86_400
            hi = (start + q + 2) * 86_400
            return bisect_left(times, lo) == bisect_right(times, hi)

        base = np.zeros(count, dtype=np.int64)
        plain = np.zeros(count, dtype=bool)
        probes = list(range(0, count, _PROBE_DAYS)) + [count]
        for p, q in zip(probes, probes[1:], strict=False):
            a, b = probe(p), probe(q)
            if a is not None and a == b and no_transition_near(p, q):
                base[p:q] = naive[p:q] - a
                plain[p:q] = True
                continue
            for day in range(p, q):
                a, b = probe(day), probe(day + 1)
                if a is not None and a == b and no_transition_near(day, day + 1):
                    base[day] = naive[day] - a
                    plain[day] = True
        return base, plain

    def _build_year_by_day(self, year: int, holidays: HolidaySet | None = None) -> _Year:
        """Reference: the year laid out day by day with :meth:`_boundary` (tests compare)."""
        lo, hi = _year_start_us(year), _year_start_us(year + 1)
        if not self.has_windows:
            return _Year([], [])
        merged = self._local_spans_by_day(
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

    def _local_spans_by_day(
        self, first: date, last: date, holidays: HolidaySet
    ) -> list[tuple[int, int]]:
        """Reference for :meth:`_local_spans`: every boundary through :meth:`_boundary`."""
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

    def _layout_key(self, year: int) -> Hashable | None:
        """Equal keys mean equal open time without holidays; None if unknown."""
        region = self._zone_region(year)
        if region is None:
            return None
        leap = _gregorian.isleap
        return (region, date(year, 1, 1).weekday(), leap(year - 1), leap(year), leap(year + 1))

    def _year_key(self, year: int) -> Hashable | None:
        """Equal keys mean equal open time (ignoring national holidays); None if unknown."""
        layout = self._layout_key(year)
        if layout is None:
            return None
        if year in self._irregular_years:
            return None
        phases: list[Hashable] = []
        for rule in self._phase_rules:
            phase = rule.year_phase(year)
            if phase is None:
                return None
            phases.append(phase)
        return (layout, tuple(phases))

    def _base_total(self, year: int, key: Hashable) -> int:
        """Open time of UTC year ``year`` without national holidays (shared by its key)."""
        total = self._base_totals.get(key)
        if total is None:
            total = self._year_open_total(year, self._keyed_holidays)
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
                self._check_year(year)
                total = self._year_open_total(year, self._holidays)
            else:
                total = self._base_total(year, key)
                if total:  # national holidays cannot take time from a closed year
                    total -= self._national_reduction(year)
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
        keyed = _clip(*self._local_spans(first, last, self._keyed_holidays), lo, hi)
        full = _clip(*self._local_spans(first, last, self._holidays), lo, hi)
        reduction = int((keyed[1] - keyed[0]).sum()) - int((full[1] - full[0]).sum())
        if key is not None:
            self._reductions[key] = reduction
        return reduction

    def _year_bound(self, year: int) -> int:
        """An upper bound of the open time in UTC year ``year``: its windows without holidays.

        Years whose open time has no layout key (near the zone's explicit transitions)
        are bounded by their wall-clock length.
        """
        key = self._layout_key(year)
        if key is None:
            return _year_start_us(year + 1) - _year_start_us(year)
        total = self._window_totals.get(key)
        if total is None:
            total = self._year_open_total(year, _NO_HOLIDAYS)
            self._window_totals[key] = total
        return total

    def _capacity(self, first: int, last: int) -> int:
        """Upper bound of the open time in UTC years ``first..last`` (prefix sums, cached)."""
        prefix = self._bound_prefix
        if prefix is None:
            bounds: list[int] = []
            by_key: dict[Hashable, int] = {}
            leap = _gregorian.isleap
            weekday = date(_MIN_YEAR, 1, 1).weekday()
            for year in range(_MIN_YEAR, _MAX_YEAR + 1):
                region = self._zone_region(year)
                if region is None:
                    bounds.append(_year_start_us(year + 1) - _year_start_us(year))
                else:
                    key = (region, weekday, leap(year - 1), leap(year), leap(year + 1))
                    bound = by_key.get(key)
                    if bound is None:
                        bound = by_key[key] = self._year_bound(year)
                    bounds.append(bound)
                weekday = (weekday + (366 if leap(year) else 365)) % 7
            prefix = [0, *itertools.accumulate(bounds)]
            self._bound_prefix = prefix
        return prefix[last - _MIN_YEAR + 1] - prefix[first - _MIN_YEAR]

    def _check_year(self, year: int) -> None:
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            raise CalendarError(
                f"year {year} is outside the supported range (UTC years {_MIN_YEAR} to {_MAX_YEAR})"
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

    def _no_time_until_end(self, what: str, origin: int) -> CalendarError:
        where = (
            f"before {self._out(origin).isoformat()} back to the start"
            if what == "subtract"
            else f"after {self._out(origin).isoformat()} up to the end"
        )
        return CalendarError(
            f"{what}: no working time {where} of the supported range"
            f" (UTC years {_MIN_YEAR} to {_MAX_YEAR}); holidays close every opening"
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
        year = _utc_year(t)
        y = self._year(year)
        found = False  # open time after t seen yet
        if y.opens:
            i = bisect_right(y.closes, t)
            if i < len(y.opens):
                found = True
                e = max(t, y.opens[i])
                p = y.cum_start[i] + (e - y.opens[i]) + amount
                if p <= y.total:
                    j = bisect_left(y.cum_end, p, i)
                    return y.opens[j] + (p - y.cum_start[j])
                amount = p - y.total
        walked = 0
        while True:
            # Year totals are cheap (shared by year keys), so the walk may cover the whole
            # supported range; the capacity check stops hopeless amounts early.
            year += 1
            walked += 1
            if year > _MAX_YEAR:
                if not found:
                    raise self._no_time_until_end("add", origin)
                raise self._does_not_fit("add", origin, requested, "before the end")
            if walked == _CAPACITY_CHECK_AFTER:
                capacity = self._capacity(year, _MAX_YEAR)
                if 0 < capacity < amount:
                    raise self._does_not_fit("add", origin, requested, "before the end")
            total = self._year_total(year)
            found = found or total > 0
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
        year = _utc_year(t - 1)
        y = self._year(year)
        position = y.position(t)
        found = position > 0  # open time before t seen yet
        p = position - amount
        if p >= 0 and y.opens:
            j = bisect_right(y.cum_start, p) - 1
            return y.opens[j] + (p - y.cum_start[j])
        amount = -p
        walked = 0
        while True:
            year -= 1
            walked += 1
            if year < _MIN_YEAR:
                if not found:
                    raise self._no_time_until_end("subtract", origin)
                raise self._does_not_fit("subtract", origin, requested, "after the start")
            if walked == _CAPACITY_CHECK_AFTER:
                capacity = self._capacity(_MIN_YEAR, year)
                if 0 < capacity < amount:
                    raise self._does_not_fit("subtract", origin, requested, "after the start")
            total = self._year_total(year)
            found = found or total > 0
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
        year = _utc_year(t)
        y = self._year(year)
        i = bisect_right(y.opens, t)
        if i < len(y.opens):
            return y.opens[i]
        while year < _MAX_YEAR:
            year += 1
            if self._year_total(year):
                return self._year(year).opens[0]
        raise self._no_time_until_end("next_open", t)

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
        if amount < 0 or minutes < 0:  # also amounts too small to round to 1 us
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
        if amount < 0 or minutes < 0:  # also amounts too small to round to 1 us
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
        """Working seconds in ``[start, end)`` outside pauses; 0 when ``end == start``.

        An end before the start raises ``CalendarError`` (internal callers that may pass
        such pairs use :meth:`between_us`, which answers 0).
        """
        s, e = to_epoch_us(start), to_epoch_us(end)
        if e < s:
            raise CalendarError(
                f"between: end before start (end {end.isoformat()}, start {start.isoformat()})"
            )
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


def _clip(opens: npt.NDArray[np.int64], closes: npt.NDArray[np.int64], lo: int, hi: int) -> _Spans:
    """Sorted disjoint spans cut to ``[lo, hi)``; empty ones dropped."""
    o, c = np.maximum(opens, lo), np.minimum(closes, hi)
    keep = c > o
    return o[keep], c[keep]


def _union_arrays(opens: npt.NDArray[np.int64], closes: npt.NDArray[np.int64]) -> _Spans:
    """:func:`_union` on arrays: sorted union of half-open spans, touching ones merged."""
    if not opens.size:
        return opens, closes
    order = np.lexsort((closes, opens))
    o, c = opens[order], closes[order]
    reach = np.maximum.accumulate(c)
    starts = np.flatnonzero(np.concatenate(([True], o[1:] > reach[:-1])))
    ends = np.append(starts[1:] - 1, o.size - 1)
    return o[starts], reach[ends]


def _subtract_arrays(
    opens: npt.NDArray[np.int64], closes: npt.NDArray[np.int64], holes: list[tuple[int, int]]
) -> _Spans:
    """:func:`_subtract` on arrays; only the spans a hole touches are cut, in Python."""
    hole_opens = np.array([h[0] for h in holes], dtype=np.int64)
    hole_closes = np.array([h[1] for h in holes], dtype=np.int64)
    k = np.searchsorted(hole_closes, opens, side="right")  # first hole ending after the open
    hit = k < len(holes)
    hit[hit] = hole_opens[k[hit]] < closes[hit]
    if not hit.any():
        return opens, closes
    cut = _subtract(list(zip(opens[hit].tolist(), closes[hit].tolist(), strict=True)), holes)
    o = np.concatenate((opens[~hit], np.array([p[0] for p in cut], dtype=np.int64)))
    c = np.concatenate((closes[~hit], np.array([p[1] for p in cut], dtype=np.int64)))
    order = np.argsort(o, kind="stable")
    return o[order], c[order]


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
