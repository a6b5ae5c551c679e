"""Long walks over a calendar with many one-off holidays: ``between`` across most of the
supported range and a matching ``add``. Prints one JSON line (seconds per call)."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta

from entitle_desktop.domain.calendar import BusinessCalendar
from entitle_desktop.domain.holiday_rules import OneOffHoliday


def main() -> None:
    days = [date(2000, 1, 3) + timedelta(days=9 * k) for k in range(1128)]
    rules = [OneOffHoliday(day=d, name=f"h{k}") for k, d in enumerate(days)]
    week = {d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
    start = datetime(100, 1, 1, tzinfo=UTC)
    end = datetime(9990, 1, 1, tzinfo=UTC)
    out: dict[str, object] = {"one_off_holidays": len(rules)}
    for label, holidays in (("without_holidays", []), ("with_holidays", rules)):
        cal = BusinessCalendar("America/New_York", week, holidays)
        t0 = time.perf_counter()
        seconds = cal.between(start, end)
        t1 = time.perf_counter()
        cal = BusinessCalendar("America/New_York", week, holidays)
        t2 = time.perf_counter()
        cal.add(start, seconds / 60 - 1)
        t3 = time.perf_counter()
        out[f"between_s_{label}"] = round(t1 - t0, 3)
        out[f"add_s_{label}"] = round(t3 - t2, 3)
    with_h, without = out["between_s_with_holidays"], out["between_s_without_holidays"]
    assert isinstance(with_h, float) and isinstance(without, float)
    out["ratio_between_with_vs_without"] = round(with_h / max(without, 1e-9), 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
