"""Holiday rules: which local time a holiday closes on a given local date.

A rule closes either whole local days or a part ``[start_minute, end_minute)`` of them,
counted in minutes from local midnight (``end_minute`` may be 1440 for 24:00). Dates are
always local calendar dates of the business calendar's zone; nothing here knows about
UTC. Every rule answers per year (``dates_in_year``) so callers can cache by year.
"""

from __future__ import annotations

import calendar as _cal
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, ClassVar

WEEKDAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_NAMES: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
_MONTH_NAMES: tuple[str, ...] = tuple(m.lower() for m in _cal.month_name[1:])
# Years of national holidays fetched around a requested year (each side).
_NATIONAL_BLOCK = 16
_INSTANCES: dict[str, int] = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
# Salesforce recurrenceDayOfWeekMask bits: Sunday=1, Monday=2, ..., Saturday=64.
_MASK_BIT_BY_WEEKDAY: tuple[int, ...] = (2, 4, 8, 16, 32, 64, 1)  # indexed by date.weekday()
_HHMM = re.compile(r"([0-9]{2}):([0-9]{2})")
# Salesforce metadata writes times as HH:MM:SS.sssZ (seconds must be zero here).
_SALESFORCE_TIME = re.compile(r"([0-9]{2}):([0-9]{2}):00(?:\.0{1,3})?Z")


class HolidayRuleError(ValueError):
    """A holiday rule is malformed (bad date, time, recurrence field)."""


def parse_hhmm(text: str, *, allow_24: bool, what: str = "time") -> int:
    """Parse exactly ``"HH:MM"`` (two ASCII digits each) into minutes from midnight.

    ``"24:00"`` is accepted only when ``allow_24``. No spaces, seconds, one-digit hours or
    non-ASCII digits. Raises ``HolidayRuleError`` naming the value otherwise.
    """
    return _minutes_of(text, _HHMM, allow_24=allow_24, what=what, form="HH:MM")


def parse_salesforce_time(text: str, *, allow_24: bool, what: str = "time") -> int:
    """``"HH:MM"`` or Salesforce's metadata form ``"HH:MM:00.000Z"`` as minutes from midnight."""
    if isinstance(text, str) and _SALESFORCE_TIME.fullmatch(text):
        return _minutes_of(text[:5], _HHMM, allow_24=allow_24, what=what, form="HH:MM")
    return _minutes_of(text, _HHMM, allow_24=allow_24, what=what, form="HH:MM or HH:MM:00.000Z")


def _minutes_of(
    text: str, pattern: re.Pattern[str], *, allow_24: bool, what: str, form: str
) -> int:
    if not isinstance(text, str):
        raise HolidayRuleError(f"{what} must be a string {form!r}, got {text!r}")
    m = pattern.fullmatch(text)
    if m is None:
        raise HolidayRuleError(f"{what} {text!r} is not a time of the form {form}")
    hours, minutes = int(m.group(1)), int(m.group(2))
    if hours == 24 and minutes == 0:
        if not allow_24:
            raise HolidayRuleError(f"{what} {text!r}: 24:00 is only allowed as an end time")
        return 1440
    if hours > 23 or minutes > 59:
        raise HolidayRuleError(f"{what} {text!r} is not a valid time of day")
    return hours * 60 + minutes


def _parse_date(value: Any, what: str) -> date:
    """``YYYY-MM-DD``; a time part after ``T`` (Salesforce datetimes) is ignored."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise HolidayRuleError(f"{what} must be a date 'YYYY-MM-DD', got {value!r}")
    text = value.strip()
    try:
        if len(text) > 10 and text[10] != "T":
            raise ValueError(text)
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise HolidayRuleError(f"{what} {value!r} is not a date 'YYYY-MM-DD'") from exc


_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")


def _int_field(value: Any, what: str) -> int:
    """A whole number: an int, or a string of ASCII digits (metadata writes numbers as text)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value.strip()):
        return int(value.strip())
    raise HolidayRuleError(f"{what} must be a whole number, got {value!r}")


def _bool_field(value: Any, what: str) -> bool:
    """``true``/``false`` as JSON booleans or as strings (any case)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise HolidayRuleError(f"{what} must be true or false, got {value!r}")


def _weekday_index(value: Any) -> int:
    """Monday=0 ... Sunday=6 from 'mon', 'Monday', or an int 0..6."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    if isinstance(value, str):
        key = value.strip().lower()
        if key[:3] in WEEKDAY_KEYS and (key in WEEKDAY_KEYS or key in _WEEKDAY_NAMES):
            return WEEKDAY_KEYS.index(key[:3])
    raise HolidayRuleError(f"unknown weekday {value!r}")


def _month_number(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 12:
        return value
    if isinstance(value, str):
        key = value.strip().lower()
        if key in _MONTH_NAMES:
            return _MONTH_NAMES.index(key) + 1
        if key.isdigit() and 1 <= int(key) <= 12:
            return int(key)
    raise HolidayRuleError(f"unknown month {value!r}")


def _nth_weekday_in_month(year: int, month: int, nth: int, weekdays: frozenset[int]) -> date | None:
    """The nth day (1-based, -1 = last) of the month whose weekday is in ``weekdays``."""
    days_in_month = _cal.monthrange(year, month)[1]
    matching = [
        d for d in range(1, days_in_month + 1) if date(year, month, d).weekday() in weekdays
    ]
    if not matching:
        return None
    if nth == -1:
        return date(year, month, matching[-1])
    if 1 <= nth <= len(matching):
        return date(year, month, matching[nth - 1])
    return None


@dataclass(frozen=True)
class DayClosure:
    """What the holidays close on one local date.

    ``whole`` closes every span starting that day; ``ranges`` are closed local wall-time
    ranges ``[start_minute, end_minute)`` on that date.
    """

    whole: bool = False
    ranges: tuple[tuple[int, int], ...] = ()


NO_CLOSURE = DayClosure()


@dataclass(frozen=True, kw_only=True)
class HolidayRule(ABC):
    """A rule producing holiday dates; whole day unless ``start_minute``/``end_minute`` set."""

    start_minute: int | None = None
    end_minute: int | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if (self.start_minute is None) != (self.end_minute is None):
            raise HolidayRuleError("a part-day holiday needs both a start and an end time")
        if self.start_minute is not None and self.end_minute is not None:
            if not 0 <= self.start_minute < 1440 or not 0 < self.end_minute <= 1440:
                raise HolidayRuleError("holiday times must lie within the day")
            if self.end_minute <= self.start_minute:
                raise HolidayRuleError(
                    f"holiday {self.name or ''} ends before it starts"
                    f" ({self.start_minute} >= {self.end_minute} minutes)".replace("  ", " ")
                )

    @property
    def whole_day(self) -> bool:
        return self.start_minute is None

    # National calendars follow no repeating pattern; the engine asks them year by year.
    listed: ClassVar[bool] = False

    @abstractmethod
    def dates_in_year(self, year: int) -> Iterable[date]:
        """Every local date in ``year`` on which this rule applies."""

    def year_phase(self, year: int) -> Hashable | None:
        """What fixes this rule's dates in years ``year-1..year+1`` besides their layout.

        Two years whose years ``y-1..y+1`` have the same Gregorian layout (weekday of
        1 January, leap years) and equal phases get the same dates, shifted by whole weeks.
        None when the rule gives no such summary for ``year``.
        """
        return None

    def irregular_years(self) -> frozenset[int] | None:
        """The years whose :meth:`year_phase` is None when it is ``()`` in every other year
        (so the engine need not ask year by year); None when the phase must be asked."""
        return None


@dataclass(frozen=True, kw_only=True)
class OneOffHoliday(HolidayRule):
    """A single local date (Salesforce: non-recurring holiday on activityDate)."""

    day: date

    def dates_in_year(self, year: int) -> Iterable[date]:
        return (self.day,) if self.day.year == year else ()

    def year_phase(self, year: int) -> Hashable | None:
        return None if abs(self.day.year - year) <= 1 else ()

    def irregular_years(self) -> frozenset[int] | None:
        y = self.day.year
        return frozenset((y - 1, y, y + 1))


@dataclass(frozen=True, kw_only=True)
class YearlyDateHoliday(HolidayRule):
    """The same month and day every year; 29 February only in leap years."""

    month: int
    day: int

    def __post_init__(self) -> None:
        super().__post_init__()
        try:
            date(2024, self.month, self.day)
        except ValueError as exc:
            raise HolidayRuleError(f"no such yearly date {self.month:02}-{self.day:02}") from exc

    def dates_in_year(self, year: int) -> Iterable[date]:
        try:
            return (date(year, self.month, self.day),)
        except ValueError:
            return ()

    def year_phase(self, year: int) -> Hashable | None:
        return ()

    def irregular_years(self) -> frozenset[int] | None:
        return frozenset()


@dataclass(frozen=True, kw_only=True)
class YearlyNthWeekdayHoliday(HolidayRule):
    """The nth (1..5, or -1 = last) given weekday of a month, every year."""

    month: int
    nth: int
    weekday: int  # Monday = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 1 <= self.month <= 12:
            raise HolidayRuleError(f"month {self.month} out of range")
        if self.nth not in (-1, 1, 2, 3, 4, 5):
            raise HolidayRuleError(f"nth must be 1..5 or -1, got {self.nth}")
        if not 0 <= self.weekday <= 6:
            raise HolidayRuleError(f"weekday {self.weekday} out of range")

    def dates_in_year(self, year: int) -> Iterable[date]:
        found = _nth_weekday_in_month(year, self.month, self.nth, frozenset((self.weekday,)))
        return (found,) if found else ()

    def year_phase(self, year: int) -> Hashable | None:
        return ()

    def irregular_years(self) -> frozenset[int] | None:
        return frozenset()


@dataclass(frozen=True, kw_only=True)
class CountryHolidays(HolidayRule):
    """Public holidays of a country (and subdivision) from the ``holidays`` package."""

    listed: ClassVar[bool] = True

    country: str
    subdiv: str | None = None
    observed: bool = True
    _cache: dict[int, tuple[date, ...]] = field(
        default_factory=dict, init=False, compare=False, hash=False, repr=False
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        import holidays

        try:
            holidays.country_holidays(self.country, subdiv=self.subdiv, years=2000)
        except (NotImplementedError, KeyError, ValueError) as exc:
            raise HolidayRuleError(
                f"unknown country/subdivision {self.country!r}/{self.subdiv!r}: {exc}"
            ) from exc

    def dates_in_year(self, year: int) -> Iterable[date]:
        cached = self._cache.get(year)
        if cached is None:
            import holidays

            # Fetched in blocks (long business-time walks ask year after year). Observed
            # days can fall in the neighbouring year (Fri 31 Dec for Sat 1 Jan), so each
            # year kept has both neighbours in the block.
            first, last = max(1, year - _NATIONAL_BLOCK), min(9999, year + _NATIONAL_BLOCK)
            listed = holidays.country_holidays(
                self.country,
                subdiv=self.subdiv,
                observed=self.observed,
                years=range(first, last + 1),
            )
            by_year: dict[int, list[date]] = {}
            for d in listed:
                by_year.setdefault(d.year, []).append(d)
            keep_first = first if first == 1 else first + 1
            keep_last = last if last == 9999 else last - 1
            for y in range(keep_first, keep_last + 1):
                if y not in self._cache:
                    self._cache[y] = tuple(sorted(by_year.get(y, ())))
            cached = self._cache[year]
        return cached


@dataclass(frozen=True, kw_only=True)
class RecurringHoliday(HolidayRule):
    """A Salesforce recurring holiday (``recurrenceType`` and its fields).

    ``kind`` is one of RecursDaily, RecursEveryWeekday, RecursWeekly, RecursMonthly,
    RecursMonthlyNth, RecursYearly, RecursYearlyNth. ``weekday_mask`` uses Salesforce bits
    (Sunday=1, Monday=2, Tuesday=4, ..., Saturday=64). ``instance`` is 1..4 or -1 (Last).
    Intervals count from ``start_date`` (days, weeks starting Sunday, months or years).
    A monthly day beyond the month's length falls on the month's last day.
    """

    kind: str
    start_date: date
    end_date: date | None = None
    interval: int = 1
    day_of_month: int | None = None
    weekday_mask: int = 0
    instance: int | None = None
    month: int | None = None

    KINDS = (
        "RecursDaily",
        "RecursEveryWeekday",
        "RecursWeekly",
        "RecursMonthly",
        "RecursMonthlyNth",
        "RecursYearly",
        "RecursYearlyNth",
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.kind not in self.KINDS:
            raise HolidayRuleError(f"unknown recurrenceType {self.kind!r}")
        if self.interval < 1:
            raise HolidayRuleError(f"recurrenceInterval must be at least 1, got {self.interval}")
        if self.end_date is not None and self.end_date < self.start_date:
            raise HolidayRuleError(
                f"recurrence ends ({self.end_date}) before it starts ({self.start_date})"
            )
        needs_mask = self.kind in ("RecursWeekly", "RecursMonthlyNth", "RecursYearlyNth")
        if needs_mask and not 0 < self.weekday_mask < 128:
            raise HolidayRuleError(f"{self.kind} needs a day-of-week mask between 1 and 127")
        if self.kind in ("RecursMonthly", "RecursYearly") and not (
            self.day_of_month is not None and 1 <= self.day_of_month <= 31
        ):
            raise HolidayRuleError(f"{self.kind} needs recurrenceDayOfMonth 1..31")
        if self.kind in ("RecursMonthlyNth", "RecursYearlyNth") and self.instance not in (
            1,
            2,
            3,
            4,
            -1,
        ):
            raise HolidayRuleError(f"{self.kind} needs recurrenceInstance First..Fourth or Last")
        if self.kind in ("RecursYearly", "RecursYearlyNth") and not (
            self.month is not None and 1 <= self.month <= 12
        ):
            raise HolidayRuleError(f"{self.kind} needs recurrenceMonthOfYear")
        if self.kind == "RecursYearly" and self.month is not None and self.day_of_month:
            try:
                date(2024, self.month, self.day_of_month)
            except ValueError as exc:
                raise HolidayRuleError(
                    f"no such yearly date {self.month}-{self.day_of_month}"
                ) from exc

    def _weekdays(self) -> frozenset[int]:
        return frozenset(i for i, bit in enumerate(_MASK_BIT_BY_WEEKDAY) if self.weekday_mask & bit)

    def year_phase(self, year: int) -> Hashable | None:
        start, end = self.start_date.year, None if self.end_date is None else self.end_date.year
        if year + 1 < start or (end is not None and year - 1 > end):
            return ("off",)
        if not (start < year - 1 and (end is None or year + 1 < end)):
            return None
        k = self.interval
        if k == 1 or self.kind == "RecursEveryWeekday":
            return ("on",)
        first = date(year - 1, 1, 1)
        if self.kind == "RecursDaily":
            return ("on", (first - self.start_date).days % k)
        if self.kind == "RecursWeekly":
            anchor = self.start_date - timedelta(days=(self.start_date.weekday() + 1) % 7)
            week = first - timedelta(days=(first.weekday() + 1) % 7)
            return ("on", ((week - anchor).days // 7) % k)
        if self.kind in ("RecursMonthly", "RecursMonthlyNth"):
            return ("on", ((year - 1 - start) * 12 + 1 - self.start_date.month) % k)
        return ("on", (year - 1 - start) % k)

    def _in_range(self, d: date) -> bool:
        return d >= self.start_date and (self.end_date is None or d <= self.end_date)

    def dates_in_year(self, year: int) -> Iterable[date]:
        if year < self.start_date.year or (self.end_date and year > self.end_date.year):
            return ()
        return [d for d in self._candidates(year) if self._in_range(d)]

    def _month_step_ok(self, year: int, month: int) -> bool:
        months = (year - self.start_date.year) * 12 + month - self.start_date.month
        return months >= 0 and months % self.interval == 0

    def _candidates(self, year: int) -> list[date]:
        first, last = date(year, 1, 1), date(year, 12, 31)
        kind = self.kind
        if kind == "RecursDaily":
            offset = (first - self.start_date).days
            skip = (-offset) % self.interval
            count = max(0, ((last - first).days - skip) // self.interval + 1)
            return [first + timedelta(days=skip + k * self.interval) for k in range(count)]
        if kind == "RecursEveryWeekday":
            return [
                first + timedelta(days=i)
                for i in range((last - first).days + 1)
                if (first.weekday() + i) % 7 < 5
            ]
        if kind == "RecursWeekly":
            # Weeks start on Sunday, as in Salesforce: every interval-th week from the
            # start date's week, on the masked weekdays.
            anchor = self.start_date - timedelta(days=(self.start_date.weekday() + 1) % 7)
            week = first - timedelta(days=(first.weekday() + 1) % 7)
            skip = (-((week - anchor).days // 7)) % self.interval
            week += timedelta(weeks=skip)
            if week < anchor:
                week = anchor
            step = timedelta(weeks=self.interval)
            # Sunday-based offsets of the masked weekdays (Sunday 0 .. Saturday 6).
            offsets = sorted((wd + 1) % 7 for wd in self._weekdays())
            out = []
            while week <= last:
                for offset in offsets:
                    d = week + timedelta(days=offset)
                    if first <= d <= last:
                        out.append(d)
                week += step
            return out
        if kind == "RecursMonthly":
            assert self.day_of_month is not None
            out = []
            for month in range(1, 13):
                if self._month_step_ok(year, month):
                    day = min(self.day_of_month, _cal.monthrange(year, month)[1])
                    out.append(date(year, month, day))
            return out
        if kind == "RecursMonthlyNth":
            assert self.instance is not None
            out = []
            for month in range(1, 13):
                if self._month_step_ok(year, month):
                    found = _nth_weekday_in_month(year, month, self.instance, self._weekdays())
                    if found:
                        out.append(found)
            return out
        assert self.month is not None
        if (year - self.start_date.year) % self.interval != 0:
            return []
        if kind == "RecursYearly":
            assert self.day_of_month is not None
            try:
                return [date(year, self.month, self.day_of_month)]
            except ValueError:
                return []
        assert self.instance is not None
        found = _nth_weekday_in_month(year, self.month, self.instance, self._weekdays())
        return [found] if found else []


class HolidaySet:
    """Several holiday rules merged, cached per year: ``closure_on(d)`` is O(1) after warm-up."""

    def __init__(self, rules: Sequence[HolidayRule] = ()) -> None:
        self.rules: tuple[HolidayRule, ...] = tuple(rules)
        self._years: dict[int, dict[date, DayClosure]] = {}

    def _year(self, year: int) -> dict[date, DayClosure]:
        cached = self._years.get(year)
        if cached is None:
            whole: set[date] = set()
            ranges: dict[date, list[tuple[int, int]]] = {}
            for rule in self.rules:
                for d in rule.dates_in_year(year):
                    if rule.start_minute is None or rule.end_minute is None:
                        whole.add(d)
                    else:
                        ranges.setdefault(d, []).append((rule.start_minute, rule.end_minute))
            cached = {}
            for d in whole | set(ranges):
                cached[d] = DayClosure(d in whole, tuple(sorted(ranges.get(d, ()))))
            self._years[year] = cached
        return cached

    def closure_on(self, d: date) -> DayClosure:
        if not self.rules:
            return NO_CLOSURE
        return self._year(d.year).get(d, NO_CLOSURE)

    def closures_between(self, first: date, last: date) -> list[tuple[date, DayClosure]]:
        """Every ``(date, closure)`` with ``first <= date <= last`` that closes something."""
        if not self.rules:
            return []
        return [
            (d, closure)
            for year in range(first.year, last.year + 1)
            for d, closure in self._year(year).items()
            if first <= d <= last
        ]

    def is_holiday(self, d: date) -> bool:
        """True when a whole-day rule closes the local date ``d``."""
        return self.closure_on(d).whole


def _times(
    obj: Mapping[str, Any],
    start_key: str,
    end_key: str,
    parse: Callable[..., int] = parse_hhmm,
) -> dict[str, int]:
    start, end = obj.get(start_key), obj.get(end_key)
    if start is None and end is None:
        return {}
    if start is None or end is None:
        raise HolidayRuleError(f"holiday needs both {start_key!r} and {end_key!r}")
    return {
        "start_minute": parse(start, allow_24=False, what=f"holiday {start_key}"),
        "end_minute": parse(end, allow_24=True, what=f"holiday {end_key}"),
    }


def holiday_rule_from_json(obj: Mapping[str, Any]) -> HolidayRule:
    """One entry of the vectors' ``holidays`` list (date / yearly / yearly_nth / country).

    Entries with a ``recurrenceType`` or ``activityDate`` key are read as Salesforce
    Holiday metadata (see ``holiday_rule_from_salesforce``).
    """
    if not isinstance(obj, Mapping):
        raise HolidayRuleError(f"holiday entry must be an object, got {obj!r}")
    if any(
        k in obj
        for k in ("recurrenceType", "activityDate", "isRecurring", "ActivityDate", "RecurrenceType")
    ):
        return holiday_rule_from_salesforce(obj)
    times = _times(obj, "from", "to")
    name = str(obj.get("name", ""))
    if "date" in obj:
        return OneOffHoliday(day=_parse_date(obj["date"], "holiday date"), name=name, **times)
    if "yearly" in obj:
        text = obj["yearly"]
        m = re.match(r"^(\d{2})-(\d{2})$", text) if isinstance(text, str) else None
        if m is None:
            raise HolidayRuleError(f"yearly holiday {text!r} is not of the form MM-DD")
        return YearlyDateHoliday(month=int(m.group(1)), day=int(m.group(2)), name=name, **times)
    if "yearly_nth" in obj:
        spec = obj["yearly_nth"]
        if not isinstance(spec, Mapping):
            raise HolidayRuleError(f"yearly_nth must be an object, got {spec!r}")
        try:
            return YearlyNthWeekdayHoliday(
                month=_int_field(spec["month"], "yearly_nth.month"),
                nth=_int_field(spec["nth"], "yearly_nth.nth"),
                weekday=_weekday_index(spec["weekday"]),
                name=name,
                **times,
            )
        except KeyError as exc:
            raise HolidayRuleError(f"yearly_nth lacks {exc.args[0]!r}") from exc
    if "country" in obj:
        country, subdiv = obj["country"], obj.get("subdiv")
        if not isinstance(country, str):
            raise HolidayRuleError(f"holiday country must be a string, got {country!r}")
        if subdiv is not None and not isinstance(subdiv, str):
            raise HolidayRuleError(f"holiday subdiv must be a string or null, got {subdiv!r}")
        return CountryHolidays(
            country=country,
            subdiv=subdiv,
            observed=_bool_field(obj.get("observed", True), "holiday observed"),
            name=name,
            **times,
        )
    raise HolidayRuleError(f"unrecognised holiday entry {dict(obj)!r}")


def holiday_rule_from_salesforce(obj: Mapping[str, Any]) -> HolidayRule:
    """A Salesforce ``Holiday`` (metadata field names) as a rule.

    Recognised: activityDate, isRecurring, recurrenceType, recurrenceInterval,
    recurrenceStartDate, recurrenceEndDate, recurrenceDayOfMonth, recurrenceDayOfWeek
    (names, list or single), recurrenceDayOfWeekMask, recurrenceInstance,
    recurrenceMonthOfYear, startTime/endTime (part day), name.
    """
    # Accept both metadata (recurrenceType) and sObject (RecurrenceType) spellings.
    obj = {str(k)[:1].lower() + str(k)[1:]: v for k, v in obj.items()}
    name = str(obj.get("name", ""))
    time_keys = ("startTime", "endTime", "startTimeInMinutes", "endTimeInMinutes")
    if obj.get("isAllDay") is not None and _bool_field(obj["isAllDay"], "isAllDay"):
        given = [k for k in time_keys if obj.get(k) is not None]
        if given:
            raise HolidayRuleError(
                f"holiday {name!r}: isAllDay is true but it also has {', '.join(given)}"
            )
        times: dict[str, int] = {}
    elif obj.get("startTimeInMinutes") is None:
        times = _times(obj, "startTime", "endTime", parse_salesforce_time)
    else:
        end_raw = obj.get("endTimeInMinutes")
        times = {
            "start_minute": _int_field(obj["startTimeInMinutes"], "startTimeInMinutes"),
            "end_minute": 1440
            if end_raw in (None, "")
            else _int_field(end_raw, "endTimeInMinutes"),
        }
    if "recurrenceType" not in obj and "isRecurrence" in obj:
        obj["isRecurring"] = obj["isRecurrence"]
    kind = obj.get("recurrenceType")
    recurring = obj.get("isRecurring")
    if isinstance(recurring, str):
        recurring = recurring.strip().lower() == "true"
    if not kind or recurring is False:
        if "activityDate" not in obj:
            raise HolidayRuleError(f"holiday {name!r} has neither activityDate nor recurrence")
        return OneOffHoliday(
            day=_parse_date(obj["activityDate"], "activityDate"), name=name, **times
        )
    start_raw = obj.get("recurrenceStartDate") or obj.get("activityDate")
    if start_raw is None:
        raise HolidayRuleError(f"recurring holiday {name!r} has no recurrenceStartDate")
    end_raw = obj.get("recurrenceEndDate") or obj.get("recurrenceEndDateOnly")
    mask_raw = obj.get("recurrenceDayOfWeekMask")
    mask = 0 if mask_raw in (None, "") else _int_field(mask_raw, "recurrenceDayOfWeekMask")
    days = obj.get("recurrenceDayOfWeek")
    if days:
        if not isinstance(days, str | list | tuple):
            raise HolidayRuleError(f"recurrenceDayOfWeek must be weekday names, got {days!r}")
        for day_name in [days] if isinstance(days, str) else list(days):
            mask |= _MASK_BIT_BY_WEEKDAY[_weekday_index(day_name)]
    instance_raw = obj.get("recurrenceInstance")
    instance: int | None = None
    if instance_raw is not None:
        key = str(instance_raw).strip().lower()
        if key not in _INSTANCES:
            raise HolidayRuleError(f"unknown recurrenceInstance {instance_raw!r}")
        instance = _INSTANCES[key]
    month_raw = obj.get("recurrenceMonthOfYear")
    dom = obj.get("recurrenceDayOfMonth")
    return RecurringHoliday(
        kind=str(kind),
        start_date=_parse_date(start_raw, "recurrenceStartDate"),
        end_date=None if end_raw is None else _parse_date(end_raw, "recurrenceEndDate"),
        interval=1
        if obj.get("recurrenceInterval") in (None, "")
        else _int_field(obj["recurrenceInterval"], "recurrenceInterval"),
        day_of_month=None if dom is None else _int_field(dom, "recurrenceDayOfMonth"),
        weekday_mask=mask,
        instance=instance,
        month=None if month_raw is None else _month_number(month_raw),
        name=name,
        **times,
    )
