"""The main window on the demo workspace: what the navigator, the table and the detail
pane show, search, paging and navigation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from entitle_desktop.services.demo import create_demo_workspace
from entitle_desktop.services.workspace import Workspace
from entitle_desktop.ui.catalog import KindTable, NodeKey
from entitle_desktop.ui.main_window import MainWindow
from entitle_desktop.ui.models import NavigatorModel, RecordTableModel

ACCOUNTS = [
    "Acme Robotics",
    "Atlas Mining",
    "Blue Harbor Logistics",
    "Borealis Data",
    "Cedar Health",
    "Cobalt Motors",
    "Delta Freight",
    "Dune Hospitality",
    "Evergreen Foods",
    "Fjord Analytics",
    "Granite Bank",
    "Helios Energy",
    "Iris Optics",
    "Juniper Telecom",
    "Kestrel Aviation",
    "Lumen Labs",
    "Meridian Retail",
    "Northwind Traders",
    "Orbit Media",
    "Pioneer Pharma",
    "Quartz Insurance",
    "Riverbend Hospital",
    "Summit Outdoor",
    "Tidewater Shipping",
    "Umbra Security",
    "Vertex Manufacturing",
    "Willow Schools",
    "Xenon Semiconductors",
    "Yellowstone Parks Co",
    "Zephyr Wind",
]


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "Demo.entitle"
    create_demo_workspace(path).close()
    return path


@pytest.fixture
def window(qtbot: QtBot, demo_path: Path) -> Iterator[MainWindow]:
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.open_workspace(demo_path)
    win.show()
    yield win
    win.close()


def _labels(model: NavigatorModel, parent: QModelIndex | None = None) -> list[str]:
    parent = parent if parent is not None else QModelIndex()
    while model.canFetchMore(parent):
        model.fetchMore(parent)
    return [model.data(model.index(r, 0, parent)) for r in range(model.rowCount(parent))]


def _child(model: NavigatorModel, parent: QModelIndex, label: str) -> QModelIndex:
    return model.index(_labels(model, parent).index(label), 0, parent)


def _column(model: RecordTableModel, col: int) -> list[str]:
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def test_window_opens_on_the_demo_with_title_and_counts(window: MainWindow) -> None:
    assert window.windowTitle() == "Entitle Desktop — Demo"
    assert window.counts_label.text() == (
        "30 accounts  ·  91 contacts  ·  64 assets  ·  7 service contracts  ·  40 entitlements"
        "  ·  3 business hours  ·  5 milestone types  ·  4 entitlement processes"
    )
    # The first root is selected, so the table is never empty on start.
    assert window.table_caption.text() == "Accounts  —  30 records"


def test_hierarchy_tree_shows_accounts_and_their_records(window: MainWindow) -> None:
    model = window.tree_models["hierarchy"]
    assert _labels(model) == ["Accounts (30)"]
    accounts = model.index(0, 0)
    assert _labels(model, accounts) == ACCOUNTS
    acme = _child(model, accounts, "Acme Robotics")
    assert _labels(model, acme) == [
        "Contacts (4)",
        "Assets (3)",
        "Service contracts (2)",
        "Entitlements (8)",
    ]
    assert _labels(model, _child(model, acme, "Contacts (4)")) == [
        "Ana Hughes",
        "Elif López",
        "Kara Ito",
        "Liam Kowalski",
    ]
    assert _labels(model, _child(model, acme, "Assets (3)")) == [
        "Server 2U #1",
        "Server 2U #3",
        "Storage NAS 8-bay #2",
    ]
    # The EMEA contract is a child of the master agreement: it nests under it.
    assert _labels(model, _child(model, acme, "Service contracts (2)")) == [
        "Acme Master Agreement",
    ]


def test_tree_fetches_children_only_when_expanded(window: MainWindow) -> None:
    model = window.tree_models["hierarchy"]
    accounts = model.index(0, 0)
    assert model.hasChildren(accounts)
    assert model.rowCount(accounts) == 0  # nothing fetched before the view asks
    assert model.canFetchMore(accounts)
    model.fetchMore(accounts)
    assert model.rowCount(accounts) == 30
    assert not model.canFetchMore(accounts)


def test_tree_fetches_large_folders_a_page_at_a_time(demo_path: Path) -> None:
    from entitle_desktop.ui.catalog import HIERARCHY, WorkspaceCatalog

    with Workspace.open(demo_path) as workspace:
        model = NavigatorModel(WorkspaceCatalog(workspace), HIERARCHY, page_size=12)
        accounts = model.index(0, 0)
        sizes = []
        while model.canFetchMore(accounts):
            model.fetchMore(accounts)
            sizes.append(model.rowCount(accounts))
        assert sizes == [12, 24, 30]


def test_accounts_table_lists_every_account(window: MainWindow) -> None:
    window.select_path("hierarchy", ["Accounts"])
    model = window.table_model
    assert [c.title for c in model.columns] == ["Name", "Id", "Parent account"]
    assert _column(model, 0) == ACCOUNTS
    assert model.data(model.index(0, 1)) == "001Dm0000000000001"


def test_account_table_mixes_its_contacts_assets_contracts_and_entitlements(
    window: MainWindow,
) -> None:
    window.select_path("hierarchy", ["Accounts", "Acme Robotics"])
    model = window.table_model
    assert [c.title for c in model.columns] == ["Type", "Name"]
    assert (
        _column(model, 0)
        == ["Contact"] * 4 + ["Asset"] * 3 + ["Service contract"] * 2 + ["Entitlement"] * 8
    )
    assert _column(model, 1)[:9] == [
        "Ana Hughes",
        "Elif López",
        "Kara Ito",
        "Liam Kowalski",
        "Server 2U #1",
        "Server 2U #3",
        "Storage NAS 8-bay #2",
        "Acme Master Agreement",
        "Acme Robotics EMEA",
    ]
    assert window.table_caption.text() == "Account: Acme Robotics  —  17 records"
    detail = window.detail_pane.detail
    assert detail is not None and detail.title == "Acme Robotics"
    assert dict(detail.section("Custom fields"))["Support_Level__c"] == "Silver"
    assert "Support_Level__c" not in dict(detail.section("Fields"))


def test_selecting_a_row_shows_its_detail(window: MainWindow) -> None:
    window.select_path("hierarchy", ["Accounts", "Acme Robotics"])
    window.table.selectRow(7)
    detail = window.detail_pane.detail
    assert detail is not None
    assert (detail.title, detail.subtitle) == ("Acme Master Agreement", "Service contract")
    fields = dict(detail.section("Fields"))
    assert fields["Approval status"] == "Activated"
    assert fields["Account"] == "Acme Robotics (001Dm0000000000001)"


def test_double_click_reveals_the_row_in_the_navigator(window: MainWindow) -> None:
    window.select_path("hierarchy", ["Accounts", "Acme Robotics"])
    key = window.table_model.key(7)
    assert key is not None and key.kind == "service_contract"
    assert window.reveal(key)
    tree = window.trees["hierarchy"]
    assert tree.model().data(tree.currentIndex()) == "Acme Master Agreement"
    assert tree.model().data(tree.currentIndex().parent()) == "Service contracts (2)"
    # The contract's table: its line items and entitlements.
    assert window.table_caption.text().startswith("Service contract: Acme Master Agreement")


def test_a_leaf_record_is_shown_selected_among_its_siblings(window: MainWindow) -> None:
    window.select_path("hierarchy", ["Accounts", "Acme Robotics", "Contacts", "Kara Ito"])
    assert window.table_caption.text() == "Contacts  —  4 records"
    selected = window.table.selectionModel().selectedRows()
    assert [i.row() for i in selected] == [2]
    detail = window.detail_pane.detail
    assert detail is not None and (detail.title, detail.subtitle) == ("Kara Ito", "Contact")


def test_setup_tree_shows_settings_setup_records_experiences_and_kept_files(
    window: MainWindow,
) -> None:
    model = window.tree_models["setup"]
    assert _labels(model) == [
        "Workspace settings",
        "Business hours (3)",
        "Holidays (8)",
        "Milestone types (5)",
        "Entitlement processes (4)",
        "Entitlement templates (4)",
        "Experiences (2)",
        "Other metadata files (0)",
    ]
    root = QModelIndex()
    assert _labels(model, _child(model, root, "Business hours (3)")) == [
        "London Office",
        "New York Office",
        "Sydney 24x7",
    ]
    assert _labels(model, _child(model, root, "Milestone types (5)")) == [
        "Customer Update",
        "First Response",
        "Follow Up",
        "Resolution Time",
        "Tech Onsite",
    ]
    processes = _child(model, root, "Entitlement processes (4)")
    assert _labels(model, processes) == [
        "Field Service",
        "Premium Support",
        "Standard Support",
        "Warranty",
    ]
    standard = _child(model, processes, "Standard Support")
    assert _labels(model, standard) == ["v1", "v2", "v3 (default)"]
    v3 = _child(model, standard, "v3 (default)")
    assert _labels(model, v3) == ["First Response", "Resolution Time", "Customer Update"]
    assert _labels(model, _child(model, root, "Entitlement templates (4)")) == [
        "Hardware Warranty",
        "Premium 24x7 Support",
        "Standard Phone Support",
        "Web Support 10 cases",
    ]


def test_process_version_table_lists_its_milestones(window: MainWindow) -> None:
    window.select_path("setup", ["Entitlement processes", "Standard Support", "v3"])
    assert window.navigator.currentIndex() == 1
    model = window.table_model
    assert _column(model, 1) == ["First Response", "Resolution Time", "Customer Update"]
    assert _column(model, 2) == ["120", "2880", "480"]
    detail = window.detail_pane.detail
    assert detail is not None
    fields = dict(detail.section("Fields"))
    assert fields["Is version default"] == "Yes"
    assert fields["Business hours"] == "New York Office"


def test_business_hours_table_and_holidays(window: MainWindow) -> None:
    window.select_path("setup", ["Business hours"])
    model = window.table_model
    assert [c.title for c in model.columns] == ["Name", "Time zone", "Hours", "Active", "Default"]
    assert model.data(model.index(0, 0)) == "London Office"
    assert model.data(model.index(0, 1)) == "Europe/London"
    assert model.data(model.index(0, 2)) == "Mon-Fri 08:00-12:30, 13:30-18:00"
    assert model.data(model.index(0, 3)) == "Yes"


def test_search_box_filters_the_current_table_through_the_service(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.select_path("hierarchy", ["Accounts"])
    assert window.search.isEnabled()
    assert window.search.placeholderText() == "Search accounts…"
    qtbot.keyClicks(window.search, "BANK")  # type: ignore[no-untyped-call]
    qtbot.waitUntil(lambda: window.table_model.rowCount() == 1, timeout=3_000)
    assert _column(window.table_model, 0) == ["Granite Bank"]
    assert window.table_model.search == "BANK"
    assert window.table_caption.text() == "Accounts  —  1 record matching “BANK”"
    window.search.clear()
    window.apply_search()
    assert window.table_model.rowCount() == 30


def test_search_within_an_account_and_a_new_node_clears_it(window: MainWindow) -> None:
    window.select_path("hierarchy", ["Accounts", "Acme Robotics"])
    window.search.setText("server")
    window.apply_search()
    assert _column(window.table_model, 1) == [
        "Server 2U #1",
        "Server 2U #3",
        "Acme Robotics – Standard Phone Support (Server 2U #1)",
    ]
    assert _column(window.table_model, 0) == ["Asset", "Asset", "Entitlement"]
    window.select_path("hierarchy", ["Accounts"])
    assert window.search.text() == ""
    assert window.table_model.rowCount() == 30


def test_table_holds_keys_and_fetches_rows_a_page_at_a_time(demo_path: Path) -> None:
    with Workspace.open(demo_path) as workspace:
        model = RecordTableModel(page_size=7)
        model.set_source(KindTable(workspace, "account", None))
        assert model.rowCount() == 30
        assert model.fetched_pages == 0  # only the keys so far
        assert model.key(29) == NodeKey("account", "001Dm0000000000026")  # Zephyr Wind
        assert model.fetched_pages == 0
        assert model.data(model.index(0, 0)) == "Acme Robotics"
        assert model.data(model.index(6, 0)) == "Delta Freight"
        assert model.fetched_pages == 1
        assert model.data(model.index(29, 0)) == "Zephyr Wind"
        assert model.fetched_pages == 2
        assert [model.data(model.index(r, 0)) for r in range(30)] == ACCOUNTS
        assert model.fetched_pages == 5  # ceil(30 / 7), each page once


def test_table_tooltip_shows_the_full_cell_text(window: MainWindow) -> None:
    window.select_path("setup", ["Entitlement processes", "Standard Support", "v3"])
    model = window.table_model
    assert model.data(model.index(2, 3), Qt.ItemDataRole.ToolTipRole) == model.data(
        model.index(2, 3)
    )
