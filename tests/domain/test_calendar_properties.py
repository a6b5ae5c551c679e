"""Properties of business-time arithmetic over random calendars, zones and instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entitle_desktop.domain.calendar import BusinessCalendar

ZONES = [
    "UTC",
    "America/New_York",
    "America/St_Johns",
    "America/Sao_Paulo",  # DST changes at midnight (until 2019)
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Sydney",
    "Australia/Lord_Howe",  # 30-minute DST
    "Pacific/Chatham",
    "Pacific/Apia",  # skipped 30 December 2011
    "Africa/Casablanca",
]
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
US_PER_MINUTE = 60_000_000
LO = 946_684_800_000_000  # 2000-01-01T00:00Z
HI = 2_208_988_800_000_000  # 2040-01-01T00:00Z
LO_DATE, HI_DATE = date(2000, 1, 1), date(2039, 12, 31)

PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=timedelta(milliseconds=1500),
    suppress_health_check=[HealthCheck.too_slow],
)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02}:{minute % 60:02}"


@st.composite
def windows(draw: st.DrawFn) -> tuple[str, str]:
    step = draw(st.sampled_from([1, 15, 30, 60]))
    start = draw(st.integers(0, 1439 // step)) * step
    end = draw(st.integers(0, 1440 // step)) * step
    if end == start:
        end = 1440 if start == 0 else (start + step) % 1440 or 1440
    return _hhmm(start), "24:00" if end == 1440 else _hhmm(end)


@st.composite
def holidays(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["date", "part", "yearly", "nth"]))
    if kind in ("date", "part"):
        day = draw(st.dates(min_value=LO_DATE, max_value=HI_DATE)).isoformat()
        if kind == "date":
            return {"date": day}
        a, b = sorted(draw(st.lists(st.integers(0, 1440), min_size=2, max_size=2, unique=True)))
        return {"date": day, "from": _hhmm(a), "to": "24:00" if b == 1440 else _hhmm(b)}
    if kind == "yearly":
        return {"yearly": f"{draw(st.integers(1, 12)):02}-{draw(st.integers(1, 28)):02}"}
    return {
        "yearly_nth": {
            "month": draw(st.integers(1, 12)),
            "nth": draw(st.sampled_from([1, 2, 3, 4, -1])),
            "weekday": draw(st.sampled_from(DAYS)),
        }
    }


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    per_day = {
        day: draw(st.lists(windows(), max_size=3))
        for day in draw(st.sets(st.sampled_from(DAYS), min_size=1))
    }
    if not any(per_day.values()):
        per_day["wed"] = [draw(windows())]
    return BusinessCalendar.from_json(
        {
            "time_zone": draw(st.sampled_from(ZONES)),
            "windows": {k: [list(w) for w in v] for k, v in per_day.items()},
            "holidays": draw(st.lists(holidays(), max_size=4)),
        }
    )


instants = st.integers(LO, HI)
amounts = st.one_of(
    st.integers(0, 60 * 24 * 30).map(lambda m: m * US_PER_MINUTE),
    st.integers(0, 400 * 60 * 24 * US_PER_MINUTE // 10),
)


@PROPERTY_SETTINGS
@given(calendars(), instants, amounts)
def test_between_start_and_add_is_the_amount(cal: BusinessCalendar, s: int, amount: int) -> None:
    assert cal.between_us(s, cal.add_us(s, amount)) == amount


@PROPERTY_SETTINGS
@given(calendars(), instants, amounts)
def test_between_subtract_and_end_is_the_amount(cal: BusinessCalendar, t: int, amount: int) -> None:
    assert cal.between_us(cal.subtract_us(t, amount), t) == amount


@PROPERTY_SETTINGS
@given(calendars(), instants, amounts)
def test_subtract_undoes_add_for_open_instants(cal: BusinessCalendar, s: int, amount: int) -> None:
    opened = cal.next_open_us(s)
    assert cal.is_open_us(opened)
    assert cal.subtract_us(cal.add_us(opened, amount), amount) == opened


@PROPERTY_SETTINGS
@given(calendars(), instants, amounts, amounts)
def test_add_is_monotonic_in_the_amount(cal: BusinessCalendar, s: int, a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    assert cal.add_us(s, lo) <= cal.add_us(s, hi)
    assert cal.subtract_us(s, lo) >= cal.subtract_us(s, hi)


@PROPERTY_SETTINGS
@given(calendars(), instants)
def test_is_open_agrees_with_between_and_next_open(cal: BusinessCalendar, t: int) -> None:
    assert cal.is_open_us(t) == (cal.between_us(t, t + 1) == 1)
    nxt = cal.next_open_us(t)
    assert nxt >= t
    assert cal.is_open_us(nxt)
    assert cal.between_us(t, nxt) == 0


@PROPERTY_SETTINGS
@given(calendars(), instants, instants, instants)
def test_between_is_additive(cal: BusinessCalendar, a: int, b: int, c: int) -> None:
    a, b, c = sorted((a, b, c))
    assert cal.between_us(a, c) == cal.between_us(a, b) + cal.between_us(b, c)


@PROPERTY_SETTINGS
@given(calendars(), instants, st.integers(0, 2 * 86_400_000_000))
def test_open_intervals_sum_to_between(cal: BusinessCalendar, s: int, length: int) -> None:
    total = sum(c - o for o, c in cal.open_intervals_us(s, s + length))
    assert total == cal.between_us(s, s + length)


@PROPERTY_SETTINGS
@given(
    calendars(),
    instants,
    st.lists(st.tuples(instants, st.integers(0, 3 * 86_400_000_000)), max_size=3),
    amounts,
)
def test_add_with_pauses_counts_the_amount_outside_pauses(
    cal: BusinessCalendar, s: int, raw: list[tuple[int, int]], amount: int
) -> None:
    pauses = sorted((p, p + n) for p, n in raw)
    merged: list[tuple[int, int]] = []
    for p, q in pauses:
        if merged and p <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(q, merged[-1][1]))
        elif q > p:
            merged.append((p, q))
    due = cal.add_paused_us(s, amount, merged)
    assert cal.between_paused_us(s, due, merged) == amount
    assert cal.subtract_paused_us(due, amount, merged) >= s


# ------------------------------------------------- brute-force oracle for is_open
# An independent reading of CONVENTIONS 2-4: a boundary "W on D" is the earliest instant
# whose local clock reads W or later, found by scanning minute by minute; a span is open
# from its opening boundary up to (not including) its closing boundary.

_MINUTE = 60


def _brute_boundary(zone: ZoneInfo, day: date, minute: int) -> int:
    if minute >= 1440:
        day, minute = day + timedelta(days=1), minute - 1440
    wall = datetime(day.year, day.month, day.day, minute // 60, minute % 60)
    guess = int(wall.replace(tzinfo=UTC).timestamp())
    u = guess - 30 * 3600
    while datetime.fromtimestamp(u, zone).replace(tzinfo=None) < wall:
        u += _MINUTE
    # Step back to the exact second (transitions are on whole seconds).
    while datetime.fromtimestamp(u - 1, zone).replace(tzinfo=None) >= wall:
        u -= 1
    low = u - _MINUTE
    for second in range(low, u + 1):
        if datetime.fromtimestamp(second, zone).replace(tzinfo=None) >= wall:
            return second
    return u


def _brute_is_open(cal_json: dict[str, Any], t_s: int) -> bool:
    zone = ZoneInfo(cal_json["time_zone"])
    cal = BusinessCalendar.from_json(cal_json)  # only for its holiday rules
    local_day = datetime.fromtimestamp(t_s, zone).date()
    for offset in range(-3, 2):
        d = local_day + timedelta(days=offset)
        closure = cal._holidays.closure_on(d)
        for f, to in closure.ranges:
            if _brute_boundary(zone, d, f) <= t_s < _brute_boundary(zone, d, to):
                return False
    for offset in range(-3, 2):
        d = local_day + timedelta(days=offset)
        if cal._holidays.closure_on(d).whole:
            continue
        for start, end in cal_json["windows"].get(DAYS[d.weekday()], []):
            s = int(start[:2]) * 60 + int(start[3:])
            e = int(end[:2]) * 60 + int(end[3:])
            e_day_minute = e + 1440 if e < s else e
            if _brute_boundary(zone, d, s) <= t_s < _brute_boundary(zone, d, e_day_minute):
                return True
    return False


@st.composite
def calendar_json_and_instant(draw: st.DrawFn) -> tuple[dict[str, Any], int]:
    zone_name = draw(st.sampled_from([z for z in ZONES if z != "UTC"]))
    zone = ZoneInfo(zone_name)
    year = draw(st.integers(2005, 2035))
    # Find this zone's offset changes in the year (hourly scan) and aim near one of them.
    changes = []
    u = int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(year + 1, 1, 1, tzinfo=UTC).timestamp())
    prev = datetime.fromtimestamp(u, zone).utcoffset()
    while u < end:
        u += 3600
        off = datetime.fromtimestamp(u, zone).utcoffset()
        if off != prev:
            changes.append(u)
            prev = off
    if changes:
        anchor = draw(st.sampled_from(changes))
        near = st.one_of(
            st.integers(0, 3600), st.integers(-3600, 0), st.integers(-30 * 3600, 30 * 3600)
        )
        t_s = anchor + draw(near)
    else:
        anchor = t_s = u - draw(st.integers(0, 365 * 86400))
    # Window boundaries mostly at local wall times around the change (gap and overlap).
    before = datetime.fromtimestamp(anchor - 1, zone)
    around = before.hour * 60 + before.minute - before.minute % 15
    minutes = st.one_of(
        st.integers(0, 5).map(lambda q: min(1440, around + 15 * q)),
        st.integers(-4, 8).map(lambda q: min(1440, max(0, around + 15 * q))),
        st.integers(0, 96).map(lambda q: q * 15),
    )
    windows_json: dict[str, list[list[str]]] = {}
    change_day = DAYS[before.weekday()]
    for day in {change_day} | draw(st.sets(st.sampled_from(DAYS))):
        spans = []
        for _ in range(draw(st.integers(1, 2))):
            a, b = draw(minutes), draw(minutes)
            if a == 1440:
                a = 0
            if a == b or (a == 0 and b == 0):
                b = 1440 if a == 0 else (a + 15) % 1440 or 1440
            spans.append([_hhmm(a), "24:00" if b == 1440 else _hhmm(b)])
        windows_json[day] = spans
    local_day = datetime.fromtimestamp(t_s, zone).date()
    holidays_json: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 2))):
        d = (local_day + timedelta(days=draw(st.integers(-2, 1)))).isoformat()
        if draw(st.booleans()):
            holidays_json.append({"date": d})
        else:
            a, b = sorted(draw(st.lists(minutes, min_size=2, max_size=2, unique=True)))
            holidays_json.append(
                {"date": d, "from": _hhmm(a), "to": "24:00" if b == 1440 else _hhmm(b)}
            )
    cal_json = {"time_zone": zone_name, "windows": windows_json, "holidays": holidays_json}
    return cal_json, t_s


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendar_json_and_instant())
def test_is_open_agrees_with_minute_scanning_oracle(case: tuple[dict[str, Any], int]) -> None:
    cal_json, t_s = case
    cal = BusinessCalendar.from_json(cal_json)
    assert cal.is_open_us(t_s * 1_000_000) == _brute_is_open(cal_json, t_s)
