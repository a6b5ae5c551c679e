"""Workspace lifecycle and the read queries the navigator, tables and detail pane use."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, time
from pathlib import Path

import pytest

from entitle_desktop.domain.records import (
    BusinessHours,
    BusinessHoursWindow,
    Entitlement,
    EntitlementProcessVersion,
    ProcessMilestone,
)
from entitle_desktop.services import demo
from entitle_desktop.services.workspace import (
    KINDS,
    Workspace,
    WorkspaceError,
    business_hours_text,
    child_kinds,
    columns,
    entitlement_status,
)

ACME = "001Dm0000000000001"


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path = tmp_path_factory.mktemp("ws") / "demo.entitle"
    workspace = demo.create_demo_workspace(path, date(2026, 1, 15))
    yield workspace
    workspace.close()


def test_create_refuses_an_existing_file(tmp_path: Path) -> None:
    (tmp_path / "x.entitle").write_text("")
    with pytest.raises(WorkspaceError, match="already exists"):
        Workspace.create(tmp_path / "x.entitle")


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "not an SQLite database"), (b"hello world" * 20, "not an SQLite database")],
)
def test_open_refuses_files_that_are_not_workspaces(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "x.entitle"
    path.write_bytes(content)
    with pytest.raises(WorkspaceError, match=message):
        Workspace.open(path)
    assert path.read_bytes() == content


def test_open_refuses_another_applications_database_without_touching_it(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    with pytest.raises(WorkspaceError, match="another application"):
        Workspace.open(path)
    assert path.read_bytes() == before


def test_open_missing_file(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="no such workspace file"):
        Workspace.open(tmp_path / "nope.entitle")


def test_close_leaves_a_complete_file(tmp_path: Path) -> None:
    path = tmp_path / "w.entitle"
    ws = Workspace.create(path)
    ws.close()
    ws.close()
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    with Workspace.open(path) as again:
        assert again.summary().counts["accounts"] == 0


def test_columns_and_children_are_defined_for_every_kind() -> None:
    for kind in KINDS:
        assert columns(kind)
    assert child_kinds("account") == ["contact", "asset", "service_contract", "entitlement"]
    assert child_kinds("process") == ["process_version"]
    assert child_kinds("template") == []


def test_account_rows_and_children(ws: Workspace) -> None:
    assert ws.count("account") == 30
    first = ws.rows("account", limit=1)[0]
    assert first == {
        "key": ACME,
        "label": "Acme Robotics",
        "id": ACME,
        "name": "Acme Robotics",
        "parent_name": None,
        "child_count": 17,
        "placeholder": False,
    }
    assert [r["name"] for r in ws.rows("account", ("account", ACME))] == [
        "Atlas Mining",
        "Cobalt Motors",
    ]
    contacts = ws.rows("contact", ("account", ACME))
    assert [c["name"] for c in contacts] == [
        "Ana Hughes",
        "Elif López",
        "Kara Ito",
        "Liam Kowalski",
    ]
    assert contacts[1]["email"] == "elif.lopez@acmerobotics.example"
    total = sum(ws.count(k, ("account", ACME)) for k in child_kinds("account"))
    assert total == first["child_count"]


def test_paging_and_keys_agree(ws: Workspace) -> None:
    keys = ws.row_keys("contact")
    assert len(keys) == ws.count("contact") == 91
    assert [r["key"] for r in ws.rows("contact", offset=10, limit=5)] == keys[10:15]
    assert ws.rows("contact", offset=90, limit=50)[0]["key"] == keys[90]


def test_search_filters_case_insensitively(ws: Workspace) -> None:
    assert ws.count("account", search="BANK") == 1
    assert ws.rows("account", search="bank")[0]["name"] == "Granite Bank"
    assert (
        ws.count("entitlement", search="web support")
        == ws.count("entitlement", search="Web Support")
        > 0
    )
    assert ws.count("process", search="support") == 2
    assert ws.count("milestone_type", search="chained") == 1


def test_contract_hierarchy(ws: Workspace) -> None:
    root = ws.rows("service_contract", search="Acme Master")[0]
    assert root["child_count"] == ws.count(
        "contract_line_item", ("service_contract", root["key"])
    ) + ws.count("entitlement", ("service_contract", root["key"]))
    children = ws.rows("service_contract", ("service_contract", root["key"]))
    assert [c["name"] for c in children] == ["Acme Robotics EMEA"]
    lines = ws.rows("contract_line_item", ("service_contract", root["key"]))
    assert [(li["product_name"], li["quantity"]) for li in lines] == [
        ("Gold Support Plan", 3.0),
        ("Server 2U", 1.0),
        ("Storage NAS 8-bay", 1.0),
    ]


def test_entitlement_rows_have_status_and_contacts(ws: Workspace) -> None:
    rows = ws.rows("entitlement", limit=100)
    assert {r["status"] for r in rows} <= {"Active", "Inactive", "Expired"}
    key = rows[0]["key"]
    detail = ws.detail("entitlement", key)
    assert detail is not None
    assert isinstance(detail["record"], Entitlement)
    assert len(detail["contacts"]) == rows[0]["child_count"]
    assert ("Status", rows[0]["status"]) in detail["fields"]


def test_process_tree(ws: Workspace) -> None:
    processes = ws.rows("process")
    assert [(p["name"], p["versions"], p["default_version"]) for p in processes] == [
        ("Field Service", 1, None),
        ("Premium Support", 1, None),
        ("Standard Support", 3, 3),
        ("Warranty", 1, None),
    ]
    versions = ws.rows("process_version", ("process", "Standard Support"))
    assert [(v["key"], v["label"], v["default"], v["milestones"]) for v in versions] == [
        ("Standard Support#1", "Standard Support v1", False, 2),
        ("Standard Support#2", "Standard Support v2", False, 2),
        ("Standard Support#3", "Standard Support v3", True, 3),
    ]
    milestones = ws.rows("process_milestone", ("process_version", "Standard Support#3"))
    assert [
        (m["order"], m["milestone_name"], m["minutes"], m["start_from"]) for m in milestones
    ] == [
        (1, "First Response", 120, "process start"),
        (2, "Resolution Time", 2880, "process start"),
        (3, "Customer Update", 480, "criteria match"),
    ]
    assert milestones[2]["criteria"] == (
        "1 AND 2: Case.Status equals Waiting on Support AND Case.Priority equals High"
    )
    unversioned = ws.rows("process_version", ("process", "Warranty"))
    assert [v["key"] for v in unversioned] == ["Warranty#"]


def test_metadata_details(ws: Workspace) -> None:
    version = ws.detail("process_version", "Standard Support#3")
    assert version is not None and isinstance(version["record"], EntitlementProcessVersion)
    assert len(version["milestones"]) == 3 and version["exit_criteria"][0].field == "Case.IsClosed"
    milestone = ws.detail("process_milestone", "Standard Support#3#m0")
    assert milestone is not None and isinstance(milestone["record"], ProcessMilestone)
    assert [t.time_length for t in milestone["time_triggers"]] == [-30, 0]
    hours = ws.detail("business_hours", "London Office")
    assert hours is not None and isinstance(hours["record"], BusinessHours)
    assert hours["windows"][:2] == [("mon", "08:00", "12:30"), ("mon", "13:30", "18:00")]
    holiday_key = ws.rows("holiday", search="Thanksgiving")[0]["key"]
    holiday = ws.detail("holiday", holiday_key)
    assert holiday is not None and holiday["record"].recurrence_instance == "Fourth"
    template = ws.detail("template", "Hardware Warranty")
    assert template is not None and template["record"].product_codes == ["SRV-2U", "NAS-8", "FW-X"]
    assert ws.detail("account", "nope") is None


def test_business_hours_text() -> None:
    bh = BusinessHours(
        name="x",
        windows=[
            BusinessHoursWindow("mon", time(9), time(17)),
            BusinessHoursWindow("tue", time(9), time(17)),
            BusinessHoursWindow("sat", time(10), time(14)),
        ],
    )
    assert business_hours_text(bh) == "Mon-Tue 09:00-17:00; Sat 10:00-14:00"
    assert business_hours_text(BusinessHours(name="y")) == "closed"


def test_entitlement_status_uses_the_inclusive_end() -> None:
    assert entitlement_status(date(2024, 1, 1), date(2024, 1, 31), date(2024, 1, 31)) == "Active"
    assert entitlement_status(date(2024, 1, 1), date(2024, 1, 31), date(2024, 2, 1)) == "Expired"
    assert entitlement_status(date(2024, 1, 2), None, date(2024, 1, 1)) == "Inactive"


def test_open_refuses_a_workspace_from_a_newer_app(tmp_path: Path) -> None:
    path = tmp_path / "w.entitle"
    Workspace.create(path).close()
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.commit()
    connection.close()
    with pytest.raises(WorkspaceError, match="newer Entitle Desktop"):
        Workspace.open(path)


def test_round_the_clock_windows_end_at_24_00_in_the_detail(ws: Workspace) -> None:
    hours = ws.detail("business_hours", "Sydney 24x7")
    assert hours is not None
    assert hours["windows"][0] == ("mon", "00:00", "24:00")
