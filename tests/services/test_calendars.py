"""Workspace calendars: loading, preview, entitlement status (demo and corpus workspaces)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from entitle_desktop.domain.calendar import CalendarError
from entitle_desktop.domain.entitlement_dates import EntitlementDateError
from entitle_desktop.domain.records import (
    Account,
    BusinessHours,
    BusinessHoursWindow,
    Entitlement,
    MetadataProject,
)
from entitle_desktop.persistence import repository
from entitle_desktop.services import demo
from entitle_desktop.services import workspace as workspace_service
from entitle_desktop.services.calendars import (
    calendar_preview,
    calendar_preview_text,
    entitlement_status,
    load_calendar,
    load_calendars,
)
from entitle_desktop.services.csv_io import import_data
from entitle_desktop.services.metadata_import import import_metadata
from entitle_desktop.services.workspace import Workspace

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
METADATA = SHARED / "corpus" / "salesforce-metadata"
PROJECTS = sorted(p.name for p in METADATA.iterdir() if p.is_dir())
MEDTECH_PLAN = (
    SHARED / "corpus" / "salesforce-data" / "salesforce-misc__Data360MedTechSolutionKit" / "data"
) / "plan.json"
TODAY = date(2026, 1, 15)
NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
SYDNEY = ZoneInfo("Australia/Sydney")
LA = ZoneInfo("America/Los_Angeles")


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path = tmp_path_factory.mktemp("demo") / "demo.entitle"
    ws = demo.create_demo_workspace(path, TODAY)
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def alpine_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path = tmp_path_factory.mktemp("alpine") / "alpine.entitle"
    ws = Workspace.create(path)
    import_metadata(ws, METADATA / "fpintelandgraf__alpinedemo")
    yield ws
    ws.close()


def hhmm(windows: list[tuple[datetime, datetime]]) -> list[str]:
    return [
        f"{o:%H:%M}-{'24:00' if c.date() > o.date() else format(c, '%H:%M')}" for o, c in windows
    ]


# ----------------------------------------------------------------------- demo workspace


def test_every_demo_business_hours_record_converts(demo_ws: Workspace) -> None:
    calendars = load_calendars(demo_ws)
    assert {name: (c.time_zone, len(c.holiday_rules)) for name, c in calendars.items()} == {
        "New York Office": ("America/New_York", 5),
        "London Office": ("Europe/London", 6),
        "Sydney 24x7": ("Australia/Sydney", 0),
    }
    assert [r["key"] for r in demo_ws.rows("business_hours")] == sorted(calendars)


def test_demo_new_york_thanksgiving_and_christmas(demo_ws: Workspace) -> None:
    cal = load_calendar(demo_ws, "New York Office")
    due = cal.add(datetime(2025, 11, 26, 16, tzinfo=NY), 120)
    assert due.isoformat() == "2025-11-28T10:00:00-05:00"
    due = cal.add(datetime(2025, 12, 24, 16, tzinfo=NY), 120)
    assert due.isoformat() == "2025-12-26T10:00:00-05:00"
    # Company offsite (one-off, Thu 2026-03-12) closes the day; EDT since 8 March.
    due = cal.add(datetime(2026, 3, 11, 16, 30, tzinfo=NY), 60)
    assert due.isoformat() == "2026-03-13T09:30:00-04:00"


def test_demo_london_christmas_week(demo_ws: Workspace) -> None:
    cal = load_calendar(demo_ws, "london office")  # names match ignoring case
    # Wed 24th closes at 13:00 (partial holiday), 25th and 26th holidays, then the weekend.
    due = cal.add(datetime(2025, 12, 24, 12, tzinfo=LONDON), 60)
    assert due.isoformat() == "2025-12-29T08:30:00+00:00"


def test_demo_london_preview_names_the_holidays(demo_ws: Workspace) -> None:
    preview = calendar_preview(demo_ws, "London Office", date(2025, 12, 22), 7)
    assert [(d.isoformat(), hhmm(w), names) for d, w, names in preview] == [
        ("2025-12-22", ["08:00-12:30", "13:30-18:00"], []),
        ("2025-12-23", ["08:00-12:30", "13:30-18:00"], []),
        ("2025-12-24", ["08:00-12:30"], ["Christmas Eve afternoon"]),
        ("2025-12-25", [], ["Christmas Day"]),
        ("2025-12-26", [], ["Boxing Day"]),
        ("2025-12-27", [], []),
        ("2025-12-28", [], []),
    ]
    first_open, first_close = preview[0][1][0]
    assert first_open == datetime(2025, 12, 22, 8, tzinfo=LONDON)
    assert first_open.tzinfo == LONDON and first_close.tzinfo == LONDON


def test_demo_sydney_preview_across_daylight_saving_start(demo_ws: Workspace) -> None:
    preview = calendar_preview(demo_ws, "Sydney 24x7", date(2025, 10, 4), 3)
    assert [(d.isoformat(), hhmm(w), names) for d, w, names in preview] == [
        ("2025-10-04", ["00:00-24:00"], []),
        ("2025-10-05", ["00:00-24:00"], []),
        ("2025-10-06", ["00:00-24:00"], []),
    ]
    [(o, c)] = preview[1][1]
    # Clocks go forward on 5 October (same-zone datetime subtraction is wall time: use UTC).
    assert (c.astimezone(UTC) - o.astimezone(UTC)).total_seconds() == 23 * 3600
    assert o.isoformat() == "2025-10-05T00:00:00+10:00"
    assert c.isoformat() == "2025-10-06T00:00:00+11:00"


def test_preview_of_no_days_and_bad_input(demo_ws: Workspace) -> None:
    assert calendar_preview(demo_ws, "Sydney 24x7", date(2025, 1, 1), 0) == []
    with pytest.raises(CalendarError, match="days must not be negative"):
        calendar_preview(demo_ws, "Sydney 24x7", date(2025, 1, 1), -1)


def test_unknown_business_hours_name(demo_ws: Workspace) -> None:
    with pytest.raises(CalendarError) as err:
        load_calendar(demo_ws, "Paris Office")
    assert str(err.value) == (
        "no business hours named 'Paris Office' in the workspace"
        " (known: 'New York Office', 'London Office', 'Sydney 24x7')"
    )


def test_demo_entitlement_status_counts(demo_ws: Workspace) -> None:
    status = entitlement_status(demo_ws, datetime(2026, 1, 15, 12, tzinfo=UTC))
    assert len(status) == 40
    assert Counter(status.values()) == {"Active": 24, "Expired": 15, "Inactive": 1}
    # Same answer as the workspace's own per-date status where no zone boundary is crossed.
    with demo_ws.session() as session:
        records = repository.load_records(session, "entitlements")
    assert status == {
        e.id: workspace_service.entitlement_status(e.start_date, e.end_date, TODAY) for e in records
    }


def test_demo_entitlement_status_uses_the_entitlement_zone(demo_ws: Workspace) -> None:
    # 550...01 (Sydney 24x7) starts 2026-01-08: 14:00 UTC on the 7th is 01:00 in Sydney.
    sydney_start = "550Dm0000000000001"
    assert entitlement_status(demo_ws, datetime(2026, 1, 7, 12, tzinfo=UTC))[sydney_start] == (
        "Inactive"
    )
    assert entitlement_status(demo_ws, datetime(2026, 1, 7, 14, tzinfo=UTC))[sydney_start] == (
        "Active"
    )
    # 550...19 (New York Office) ends 2026-01-18: 03:00 UTC on the 19th is 22:00 in New York.
    ny_end = "550Dm0000000000019"
    assert entitlement_status(demo_ws, datetime(2026, 1, 19, 3, tzinfo=UTC))[ny_end] == "Active"
    assert entitlement_status(demo_ws, datetime(2026, 1, 19, 5, tzinfo=UTC))[ny_end] == "Expired"


def test_entitlement_status_needs_an_aware_instant(demo_ws: Workspace) -> None:
    with pytest.raises(EntitlementDateError, match="has no time zone"):
        entitlement_status(demo_ws, datetime(2026, 1, 15, 12))


# ----------------------------------------------------------------------- corpus workspaces


@pytest.mark.parametrize("project", PROJECTS)
def test_every_corpus_business_hours_record_converts(tmp_path: Path, project: str) -> None:
    with Workspace.create(tmp_path / "w.entitle") as ws:
        import_metadata(ws, METADATA / project)
        names = [r["key"] for r in ws.rows("business_hours")]
        calendars = load_calendars(ws)
        assert sorted(calendars) == sorted(names)
        for name in names:
            assert load_calendar(ws, name).time_zone == calendars[name].time_zone


def test_alpine_calendars(alpine_ws: Workspace) -> None:
    calendars = load_calendars(alpine_ws)
    assert {
        name: (c.time_zone, [r.name for r in c.holiday_rules]) for name, c in calendars.items()
    } == {
        "24/7 Follow-The-Sun Service": ("America/Los_Angeles", []),
        "Asia": ("Asia/Singapore", ["Canadian Thanksgiving", "Independence Day"]),
        "Australia and New Zealand": ("Australia/Sydney", []),
        "Europe and the Middle East": ("GMT", []),
        "North America": (
            "America/Los_Angeles",
            ["Canadian Thanksgiving", "Independence Day", "New Year's Day"],
        ),
    }


def test_alpine_north_america_add_and_preview(alpine_ws: Workspace) -> None:
    cal = load_calendar(alpine_ws, "North America")
    due = cal.add(datetime(2024, 7, 3, 18, tzinfo=LA), 120)
    assert due.isoformat() == "2024-07-05T08:00:00-07:00"
    due = cal.add(datetime(2024, 10, 11, 16, 30, tzinfo=LA), 60)
    assert due.isoformat() == "2024-10-15T07:30:00-07:00"
    preview = calendar_preview(alpine_ws, "North America", date(2024, 7, 1), 7)
    assert [(d.isoformat(), hhmm(w), names) for d, w, names in preview] == [
        ("2024-07-01", ["08:00-19:00"], []),
        ("2024-07-02", ["07:00-19:00"], []),
        ("2024-07-03", ["07:00-19:00"], []),
        ("2024-07-04", [], ["Independence Day"]),
        ("2024-07-05", ["07:00-17:00"], []),
        ("2024-07-06", [], []),
        ("2024-07-07", [], []),
    ]


def test_placeholder_business_hours_convert_as_closed(tmp_path: Path) -> None:
    with Workspace.create(tmp_path / "w.entitle") as ws:
        import_metadata(ws, METADATA / "parsam97__Case-Milestone-Bug")
        cal = load_calendar(ws, "Standard")
        assert not cal.has_windows
        with pytest.raises(CalendarError, match="^business hours 'Standard' has no open time"):
            load_calendar(ws, "Standard", require_open_time=True)
        assert calendar_preview(ws, "Standard", date(2025, 1, 1), 2) == [
            (date(2025, 1, 1), [], []),
            (date(2025, 1, 2), [], []),
        ]


def test_corpus_entitlements_take_the_default_business_hours_zone(tmp_path: Path) -> None:
    # The data-tree entitlements name no business hours. Without business hours they are
    # judged in UTC; with alpine's default (Los Angeles) in Pacific time.
    late_on_4th_in_la = datetime(2026, 1, 5, 7, tzinfo=UTC)  # 23:00 on 4 January in LA
    midnight_in_la = datetime(2026, 1, 5, 8, tzinfo=UTC)
    with Workspace.create(tmp_path / "w.entitle") as ws:
        import_data(ws, MEDTECH_PLAN)
        utc = entitlement_status(ws, late_on_4th_in_la)
        assert sorted(Counter(utc.values()).items()) == [("Active", 2), ("Inactive", 1)]
        import_metadata(ws, METADATA / "fpintelandgraf__alpinedemo")
        la = entitlement_status(ws, late_on_4th_in_la)
        assert sorted(Counter(la.values()).items()) == [("Inactive", 3)]
        at_midnight = entitlement_status(ws, midnight_in_la)
        assert sorted(Counter(at_midnight.values()).items()) == [("Active", 2), ("Inactive", 1)]
        assert set(utc) == set(la) and len(utc) == 3


def test_status_with_hours_named_in_other_case_and_dangling_names(tmp_path: Path) -> None:
    tokyo = BusinessHours(
        name="Tokyo Desk",
        time_zone="Asia/Tokyo",
        windows=[BusinessHoursWindow("mon", time(9), time(17))],
    )
    honolulu = BusinessHours(name="Hawaii", time_zone="Pacific/Honolulu", default=True)
    with Workspace.create(tmp_path / "w.entitle") as ws:
        with ws.unit_of_work() as session:
            repository.save_project(session, MetadataProject(business_hours=[tokyo, honolulu]))
            repository.save_records(session, "accounts", [Account("001A", "Acme")])
            repository.save_records(
                session,
                "entitlements",
                [
                    Entitlement(
                        "550A",
                        "Tokyo",
                        "001A",
                        start_date=date(2026, 2, 1),
                        business_hours="TOKYO DESK",
                    ),
                    Entitlement(
                        "550B",
                        "Nowhere",
                        "001A",
                        start_date=date(2026, 2, 1),
                        business_hours="Gone",
                    ),
                    Entitlement("550C", "None", "001A", start_date=date(2026, 2, 1)),
                ],
            )
        # 16:00 UTC on 31 January: 1 February in Tokyo, 06:00 on 31 January in Honolulu.
        assert entitlement_status(ws, datetime(2026, 1, 31, 16, tzinfo=UTC)) == {
            "550A": "Active",
            "550B": "Inactive",
            "550C": "Inactive",
        }


def test_bad_entitlement_dates_name_the_entitlement(tmp_path: Path) -> None:
    with Workspace.create(tmp_path / "w.entitle") as ws:
        with ws.unit_of_work() as session:
            repository.save_records(session, "accounts", [Account("001A", "Acme")])
            repository.save_records(
                session,
                "entitlements",
                [
                    Entitlement(
                        "550X",
                        "Backwards",
                        "001A",
                        start_date=date(2026, 2, 1),
                        end_date=date(2026, 1, 1),
                    )
                ],
            )
        with pytest.raises(EntitlementDateError) as err:
            entitlement_status(ws, datetime(2026, 1, 31, tzinfo=UTC))
        assert str(err.value) == (
            "entitlement 550X (Backwards): end date 2026-01-01 is before start date 2026-02-01"
        )


def test_preview_text_of_overnight_and_inactive_hours(tmp_path: Path) -> None:
    night = BusinessHours(
        name="Night Desk",
        time_zone="Europe/Berlin",
        active=False,
        windows=[
            BusinessHoursWindow("fri", time(22), time(6)),
            BusinessHoursWindow("sat", time(10), time(12)),
            BusinessHoursWindow("sat", time(13), time(14, 30)),
        ],
    )
    with Workspace.create(tmp_path / "w.entitle") as ws:
        with ws.unit_of_work() as session:
            repository.save_project(session, MetadataProject(business_hours=[night]))
        assert calendar_preview_text(ws, "night desk", date(2025, 6, 6), 3) == [
            "Night Desk (Europe/Berlin) inactive",
            "2025-06-06 Fri  22:00-24:00",
            "2025-06-07 Sat  00:00-06:00, 10:00-12:00, 13:00-14:30",
            "2025-06-08 Sun  closed",
        ]


def test_preview_text_of_24x7_and_holidays(demo_ws: Workspace) -> None:
    assert calendar_preview_text(demo_ws, "Sydney 24x7", date(2025, 10, 4), 2) == [
        "Sydney 24x7 (Australia/Sydney)",
        "2025-10-04 Sat  00:00-24:00",
        "2025-10-05 Sun  00:00-24:00",
    ]
    assert calendar_preview_text(demo_ws, "New York Office", date(2025, 11, 26), 2) == [
        "New York Office (America/New_York)",
        "2025-11-26 Wed  09:00-17:00",
        "2025-11-27 Thu  closed  holiday: Thanksgiving Day",
    ]


def test_preview_when_midnight_is_skipped_by_daylight_saving(tmp_path: Path) -> None:
    # Santiago moves its clocks from 00:00 to 01:00 on 8 September 2024.
    santiago = BusinessHours(
        name="Santiago 24x7",
        time_zone="America/Santiago",
        windows=[
            BusinessHoursWindow(d, time(0), None)
            for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        ],
    )
    with Workspace.create(tmp_path / "w.entitle") as ws:
        with ws.unit_of_work() as session:
            repository.save_project(session, MetadataProject(business_hours=[santiago]))
        assert calendar_preview_text(ws, "Santiago 24x7", date(2024, 9, 7), 3)[1:] == [
            "2024-09-07 Sat  00:00-24:00",
            "2024-09-08 Sun  01:00-24:00",
            "2024-09-09 Mon  00:00-24:00",
        ]
        [(o, c)] = calendar_preview(ws, "Santiago 24x7", date(2024, 9, 8), 1)[0][1]
        assert (o.isoformat(), c.isoformat()) == (
            "2024-09-08T01:00:00-03:00",
            "2024-09-09T00:00:00-03:00",
        )
