"""The demo workspace: exact contents, all three setup models, deterministic."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from entitle_desktop.persistence import repository
from entitle_desktop.services import demo
from entitle_desktop.services.workspace import Workspace, WorkspaceError

TODAY = date(2026, 1, 15)


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.entitle"
    demo.create_demo_workspace(path, TODAY).close()
    return path


def test_demo_counts(demo_path: Path) -> None:
    with Workspace.open(demo_path) as ws:
        summary = ws.summary()
    assert summary.counts == {
        "accounts": 30,
        "contacts": 91,
        "assets": 64,
        "products": 8,
        "service_contracts": 7,
        "contract_line_items": 21,
        "entitlements": 40,
        "entitlement_templates": 4,
        "milestone_types": 5,
        "business_hours": 3,
        "holidays": 8,
    }
    assert summary.placeholders == {}
    assert [
        (
            p["name"],
            p["object"],
            [(v["number"], v["default"], v["active"], v["milestones"]) for v in p["versions"]],
        )
        for p in summary.processes
    ] == [
        ("Field Service", "WorkOrder", [(1, True, True, 2)]),
        ("Premium Support", "Case", [(1, True, True, 5)]),
        (
            "Standard Support",
            "Case",
            [(1, False, True, 2), (2, False, True, 2), (3, True, True, 3)],
        ),
        ("Warranty", "Case", [(1, True, False, 2)]),
    ]


def test_demo_covers_the_three_setup_models(demo_path: Path) -> None:
    with Workspace.open(demo_path) as ws, ws.session() as session:
        entitlements = repository.load_records(session, "entitlements")
        contracts = repository.load_records(session, "service_contracts")
    with_line_item = [e for e in entitlements if e.contract_line_item_id]
    with_contract_only = [
        e for e in entitlements if e.service_contract_id and not e.contract_line_item_id
    ]
    plain = [e for e in entitlements if not e.service_contract_id]
    assert (len(plain), len(with_contract_only), len(with_line_item)) == (16, 12, 12)
    roots = [c for c in contracts if c.parent_service_contract_id is None]
    assert [c.name for c in roots] == [
        "Acme Master Agreement",
        "Granite Bank Enterprise",
        "Pioneer Pharma Lab Support",
    ]
    atlas = next(c for c in contracts if c.name == "Atlas Mining Addendum")
    assert atlas.root_service_contract_id == roots[0].id


def test_demo_business_hours_and_holidays(demo_path: Path) -> None:
    with Workspace.open(demo_path) as ws:
        rows = ws.rows("business_hours")
        holidays = ws.rows("holiday", ("business_hours", demo.LONDON))
    assert [
        (r["name"], r["time_zone"], r["hours"], r["default"], r["child_count"]) for r in rows
    ] == [
        ("London Office", "Europe/London", "Mon-Fri 08:00-12:30, 13:30-18:00", False, 6),
        ("New York Office", "America/New_York", "Mon-Fri 09:00-17:00", True, 5),
        ("Sydney 24x7", "Australia/Sydney", "24 x 7", False, 0),
    ]
    assert [h["name"] for h in holidays] == [
        "Boxing Day",
        "Christmas Day",
        "Christmas Eve afternoon",  # recurring, part of the day
        "Early May bank holiday",
        "New Year's Day",  # recurring first
        "Company offsite",
    ]


def test_demo_milestone_types_cover_every_recurrence(demo_path: Path) -> None:
    with Workspace.open(demo_path) as ws:
        kinds = {r["recurrence_type"] for r in ws.rows("milestone_type")}
    assert kinds == {"none", "recursIndependently", "recursChained"}


def test_demo_is_deterministic(tmp_path: Path, demo_path: Path) -> None:
    again = tmp_path / "again.entitle"
    demo.create_demo_workspace(again, TODAY).close()
    with (
        Workspace.open(demo_path) as a,
        Workspace.open(again) as b,
        a.session() as sa,
        b.session() as sb,
    ):
        assert repository.load_project(sa) == repository.load_project(sb)
        for key in repository.DATA_TYPES:
            assert repository.load_records(sa, key) == repository.load_records(sb, key)


def test_demo_refuses_an_existing_file(demo_path: Path) -> None:
    with pytest.raises(WorkspaceError):
        demo.create_demo_workspace(demo_path, TODAY)


def test_default_workspace_is_created_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "user_data_dir", lambda *a, **k: str(tmp_path / "data"))
    path = demo.ensure_default_workspace()
    assert path == tmp_path / "data" / "Demo.entitle"
    stamp = path.stat().st_mtime_ns
    assert demo.ensure_default_workspace() == path
    assert path.stat().st_mtime_ns == stamp
    with Workspace.open(path) as ws:
        assert ws.summary().counts["accounts"] == 30


def test_entitlement_names_tell_an_accounts_entitlements_apart(demo_path: Path) -> None:
    with Workspace.open(demo_path) as ws, ws.session() as session:
        entitlements = repository.load_records(session, "entitlements")
        accounts = {a.id: a.name for a in repository.load_records(session, "accounts")}
    names = [(e.account_id, e.name) for e in entitlements]
    assert len(set(names)) == len(names) == 40
    assert all(e.name.startswith(f"{accounts[e.account_id]} – ") for e in entitlements)
    acme = sorted(e.name for e in entitlements if accounts[e.account_id] == "Acme Robotics")
    assert acme == [
        "Acme Robotics – Hardware Warranty (EMEA contract)",
        "Acme Robotics – Premium 24x7 Support (Storage NAS 8-bay #2)",
        "Acme Robotics – Standard Phone Support (EMEA contract)",
        "Acme Robotics – Standard Phone Support (Gold Support Plan, Master Agreement)",
        "Acme Robotics – Standard Phone Support (Master Agreement contract)",
        "Acme Robotics – Standard Phone Support (Server 2U #1)",
        "Acme Robotics – Standard Phone Support (Storage NAS 8-bay #2)",
        "Acme Robotics – Web Support 10 cases (Master Agreement contract)",
    ]


def test_names_do_not_depend_on_the_reference_date() -> None:
    names = [e.name for e in demo.demo_data(TODAY)["entitlements"]]  # type: ignore[attr-defined]
    later = [e.name for e in demo.demo_data(date(2031, 7, 1))["entitlements"]]  # type: ignore[attr-defined]
    assert names == later
