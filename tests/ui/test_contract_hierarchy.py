"""Service contracts and contract line items as hierarchies in the main window: child
records nest under their parents (within one account, or one contract), the parent's
table lists its children with a Type column, references in the detail pane are named,
and bad data (a contract that is its own ancestor, a reference to a missing record)
neither hangs the navigator nor hides a record."""

from __future__ import annotations

import faulthandler
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from entitle_desktop.domain.records import Account, ServiceContract
from entitle_desktop.persistence import repository
from entitle_desktop.services.csv_io import import_data
from entitle_desktop.services.demo import create_demo_workspace
from entitle_desktop.services.workspace import Workspace
from entitle_desktop.ui.main_window import MainWindow
from entitle_desktop.ui.models import NavigatorModel, RecordTableModel

ACME = "001Dm0000000000001"
MASTER = "810Dm0000000000001"  # Acme Master Agreement
EMEA = "810Dm0000000000002"  # Acme Robotics EMEA, child of the master agreement
ADDENDUM = "810Dm0000000000003"  # Atlas Mining Addendum (Atlas Mining), child of EMEA


# --------------------------------------------------------------------------- helpers


def _labels(model: NavigatorModel, parent: QModelIndex | None = None) -> list[str]:
    parent = parent if parent is not None else QModelIndex()
    while model.canFetchMore(parent):
        model.fetchMore(parent)
    return [model.data(model.index(r, 0, parent)) for r in range(model.rowCount(parent))]


def _child(model: NavigatorModel, parent: QModelIndex, label: str) -> QModelIndex:
    return model.index(_labels(model, parent).index(label), 0, parent)


def _node(model: NavigatorModel, *labels: str) -> QModelIndex:
    index = QModelIndex()
    for label in labels:
        index = _child(model, index, label)
    return index


def _column(model: RecordTableModel, col: int) -> list[str]:
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def _titles(model: RecordTableModel) -> list[str]:
    return [c.title for c in model.columns]


def _fields(window: MainWindow) -> dict[str, str]:
    detail = window.detail_pane.detail
    assert detail is not None
    return dict(detail.section("Fields"))


def _double_click_row(qtbot: QtBot, window: MainWindow, row: int) -> None:
    table = window.table
    table.scrollTo(window.table_model.index(row, 1))
    center = table.visualRect(window.table_model.index(row, 1)).center()
    # QTest sends the double-click event alone: the press before it comes from a click.
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=center)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=center)


def _current_path(window: MainWindow) -> list[str]:
    tree = window.trees["hierarchy"]
    index = tree.currentIndex()
    path = []
    while index.isValid():
        path.append(tree.model().data(index))
        index = index.parent()
    return path[::-1]


def _open(qtbot: QtBot, path: Path) -> MainWindow:
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.open_workspace(path)
    win.show()
    return win


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "Demo.entitle"
    create_demo_workspace(path).close()
    return path


@pytest.fixture
def window(qtbot: QtBot, demo_path: Path) -> Iterator[MainWindow]:
    win = _open(qtbot, demo_path)
    yield win
    win.close()


# --------------------------------------------------------------------------- the demo


def test_child_contract_nests_under_its_parent_in_the_same_account(window: MainWindow) -> None:
    model = window.tree_models["hierarchy"]
    folder = _node(model, "Accounts (30)", "Acme Robotics", "Service contracts (2)")
    # The folder still counts both of the account's contracts; the child nests.
    assert _labels(model, folder) == ["Acme Master Agreement"]
    master = _child(model, folder, "Acme Master Agreement")
    assert _labels(model, master) == [
        "Child contracts (1)",
        "Contract line items (3)",
        "Entitlements (5)",
    ]
    children = _child(model, master, "Child contracts (1)")
    assert _labels(model, children) == ["Acme Robotics EMEA"]
    # EMEA's own child (the Atlas Mining addendum) belongs to another account: no folder.
    emea = _child(model, children, "Acme Robotics EMEA")
    assert _labels(model, emea) == ["Contract line items (3)", "Entitlements (3)"]


def test_child_contract_of_another_accounts_contract_stays_under_its_own_account(
    window: MainWindow,
) -> None:
    model = window.tree_models["hierarchy"]
    atlas = _node(model, "Accounts (30)", "Atlas Mining")
    assert _labels(model, _child(model, atlas, "Service contracts (1)")) == [
        "Atlas Mining Addendum"
    ]
    window.select_path("hierarchy", ["Accounts", "Atlas Mining", "Service contracts"])
    table = window.table_model
    assert _column(table, 0) == ["Atlas Mining Addendum"]
    assert _column(table, _titles(table).index("Parent contract")) == ["Acme Robotics EMEA"]
    window.table.selectRow(0)
    fields = _fields(window)
    assert fields["Parent service contract"] == "Acme Robotics EMEA (810Dm0000000000002)"
    assert fields["Root service contract"] == "Acme Master Agreement (810Dm0000000000001)"
    assert fields["Account"] == "Atlas Mining (001Dm0000000000027)"


def test_account_contract_folder_lists_every_contract_with_its_parent(
    window: MainWindow,
) -> None:
    window.select_path("hierarchy", ["Accounts", "Acme Robotics", "Service contracts"])
    table = window.table_model
    assert window.table_caption.text() == "Service contracts  —  2 records"
    assert _titles(table) == [
        "Name",
        "Parent contract",
        "Start",
        "End",
        "Term (months)",
        "Approval status",
        "Id",
    ]
    assert _column(table, 0) == ["Acme Master Agreement", "Acme Robotics EMEA"]
    assert _column(table, 1) == ["", "Acme Master Agreement"]
    # A search finds a nested contract too (the tree shows only the top one here).
    window.search.setText("EMEA")
    window.apply_search()
    assert _column(table, 0) == ["Acme Robotics EMEA"]


def test_parent_contract_table_lists_its_child_contracts_and_line_items_by_type(
    window: MainWindow,
) -> None:
    window.select_path(
        "hierarchy", ["Accounts", "Acme Robotics", "Service contracts", "Acme Master Agreement"]
    )
    table = window.table_model
    assert window.table_caption.text() == ("Service contract: Acme Master Agreement  —  9 records")
    assert _titles(table) == ["Type", "Name"]
    assert _column(table, 0) == (
        ["Service contract"] + ["Contract line item"] * 3 + ["Entitlement"] * 5
    )
    assert _column(table, 1)[:4] == [
        "Acme Robotics EMEA",
        "Gold Support Plan",
        "Server 2U",
        "Storage NAS 8-bay",
    ]
    # EMEA's child contract belongs to Atlas Mining: listed, and said so.
    window.select_path(
        "hierarchy",
        [
            "Accounts",
            "Acme Robotics",
            "Service contracts",
            "Acme Master Agreement",
            "Child contracts",
            "Acme Robotics EMEA",
        ],
    )
    assert _column(table, 0)[:2] == ["Service contract", "Contract line item"]
    assert _column(table, 1)[0] == "Atlas Mining Addendum (in account Atlas Mining)"
    # The "Child contracts" folder's table: what it nests, without repeating the parent.
    window.select_path(
        "hierarchy",
        [
            "Accounts",
            "Acme Robotics",
            "Service contracts",
            "Acme Master Agreement",
            "Child contracts",
        ],
    )
    assert window.table_caption.text() == "Child contracts  —  1 record"
    assert window.search.placeholderText() == "Search child contracts…"
    assert _titles(table) == ["Name", "Start", "End", "Term (months)", "Approval status", "Id"]
    assert _column(table, 0) == ["Acme Robotics EMEA"]


def test_child_line_items_nest_under_their_parent_line_item(window: MainWindow) -> None:
    model = window.tree_models["hierarchy"]
    lines = _node(
        model,
        "Accounts (30)",
        "Acme Robotics",
        "Service contracts (2)",
        "Acme Master Agreement",
        "Contract line items (3)",
    )
    # Gold Support Plan is a child of the Server 2U line.
    assert _labels(model, lines) == ["Server 2U", "Storage NAS 8-bay"]
    server = _child(model, lines, "Server 2U")
    assert _labels(model, server) == ["Child line items (1)", "Entitlements (1)"]
    assert _labels(model, _child(model, server, "Child line items (1)")) == ["Gold Support Plan"]
    # A line without child lines shows its entitlements directly, as before.
    storage = _child(model, lines, "Storage NAS 8-bay")
    assert _labels(model, storage) == [
        "Acme Robotics – Standard Phone Support (Storage NAS 8-bay #2)"
    ]

    window.select_path(
        "hierarchy",
        [
            "Accounts",
            "Acme Robotics",
            "Service contracts",
            "Acme Master Agreement",
            "Contract line items",
        ],
    )
    table = window.table_model
    assert _titles(table)[:2] == ["Product", "Parent line item"]
    assert _column(table, 0) == ["Gold Support Plan", "Server 2U", "Storage NAS 8-bay"]
    assert _column(table, 1) == ["Server 2U", "", ""]
    window.select_path(
        "hierarchy",
        [
            "Accounts",
            "Acme Robotics",
            "Service contracts",
            "Acme Master Agreement",
            "Contract line items",
            "Server 2U",
        ],
    )
    assert _column(table, 0) == ["Contract line item", "Entitlement"]
    assert _column(table, 1) == [
        "Gold Support Plan",
        "Acme Robotics – Standard Phone Support (Server 2U #1)",
    ]


def test_double_click_reveals_a_nested_line_item_and_another_accounts_child(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.select_path(
        "hierarchy", ["Accounts", "Acme Robotics", "Service contracts", "Acme Master Agreement"]
    )
    assert _column(window.table_model, 1)[1] == "Gold Support Plan"
    _double_click_row(qtbot, window, 1)
    assert _current_path(window) == [
        "Accounts (30)",
        "Acme Robotics",
        "Service contracts (2)",
        "Acme Master Agreement",
        "Contract line items (3)",
        "Server 2U",
        "Child line items (1)",
        "Gold Support Plan",
    ]
    window.select_path(
        "hierarchy",
        [
            "Accounts",
            "Acme Robotics",
            "Service contracts",
            "Acme Master Agreement",
            "Child contracts",
            "Acme Robotics EMEA",
        ],
    )
    _double_click_row(qtbot, window, 0)
    assert _current_path(window) == [
        "Accounts (30)",
        "Atlas Mining",
        "Service contracts (1)",
        "Atlas Mining Addendum",
    ]
    assert window.table_caption.text().startswith("Service contract: Atlas Mining Addendum")
    # The flat list of an account's contracts reveals a nested one in the tree.
    window.select_path("hierarchy", ["Accounts", "Acme Robotics", "Service contracts"])
    _double_click_row(qtbot, window, 1)
    assert _current_path(window)[-2:] == ["Child contracts (1)", "Acme Robotics EMEA"]


def test_detail_names_every_reference_and_keeps_its_id(window: MainWindow) -> None:
    window.select_path(
        "hierarchy",
        [
            "Accounts",
            "Acme Robotics",
            "Service contracts",
            "Acme Master Agreement",
            "Child contracts",
            "Acme Robotics EMEA",
        ],
    )
    fields = _fields(window)
    assert fields["Account"] == "Acme Robotics (001Dm0000000000001)"
    assert fields["Contact"] == "Kara Ito (003Dm0000000000001)"
    assert fields["Parent service contract"] == "Acme Master Agreement (810Dm0000000000001)"
    assert fields["Root service contract"] == "Acme Master Agreement (810Dm0000000000001)"
    text = window.detail_pane.text()
    assert "Acme Master Agreement (810Dm0000000000001)" in text
    assert " Id" not in "".join(k for k in fields if k != "Id")  # no "Account Id" labels
    assert window.detail_pane.detail is not None and window.detail_pane.detail.note == ""

    # A line item: its contract, product, asset and parent line.
    window.select_path(
        "hierarchy",
        [
            "Accounts",
            "Acme Robotics",
            "Service contracts",
            "Acme Master Agreement",
            "Contract line items",
            "Server 2U",
            "Child line items",
            "Gold Support Plan",
        ],
    )
    fields = _fields(window)
    assert fields["Service contract"] == "Acme Master Agreement (810Dm0000000000001)"
    assert fields["Product"] == "Gold Support Plan (01tDm0000000000008)"
    assert fields["Parent contract line item"] == "Server 2U (811Dm0000000000001)"
    assert fields["Root contract line item"] == "Server 2U (811Dm0000000000001)"
    assert "Asset" not in fields  # not set on this line

    # An asset: its account, contact and product.
    window.select_path("hierarchy", ["Accounts", "Acme Robotics", "Assets", "Server 2U #1"])
    fields = _fields(window)
    assert fields["Account"] == "Acme Robotics (001Dm0000000000001)"
    assert fields["Product"] == "Server 2U (01tDm0000000000006)"
    assert fields["Contact"].endswith("(003Dm0000000000001)")
    assert list(fields).count("Product") == 1  # the name is not repeated on its own

    # An account's parent, a contact's account.
    window.select_path("hierarchy", ["Accounts", "Atlas Mining"])
    assert _fields(window)["Parent account"] == "Acme Robotics (001Dm0000000000001)"
    assert "Parent Id" not in _fields(window)
    window.select_path("hierarchy", ["Accounts", "Acme Robotics", "Contacts", "Kara Ito"])
    assert _fields(window)["Account"] == "Acme Robotics (001Dm0000000000001)"

    # An entitlement of a line item: its account, asset, contract and line.
    window.select_path(
        "hierarchy",
        [
            "Accounts",
            "Acme Robotics",
            "Entitlements",
            "Acme Robotics – Standard Phone Support (Gold Support Plan, Master Agreement)",
        ],
    )
    fields = _fields(window)
    assert fields["Account"] == "Acme Robotics (001Dm0000000000001)"
    assert fields["Service contract"] == "Acme Master Agreement (810Dm0000000000001)"
    assert fields["Contract line item"] == "Gold Support Plan (811Dm0000000000003)"
    window.select_path(
        "hierarchy",
        [
            "Accounts",
            "Acme Robotics",
            "Entitlements",
            "Acme Robotics – Standard Phone Support (Server 2U #1)",
        ],
    )
    assert _fields(window)["Asset"] == "Server 2U #1 (02iDm0000000000001)"


# --------------------------------------------------------------------------- bad data

LOOP_ACCOUNT = "001Lp0000000000001"
CONTRACT_A = "810Lp0000000000001"
CONTRACT_B = "810Lp0000000000002"
CONTRACT_C = "810Lp0000000000003"


@pytest.fixture
def loop_path(tmp_path: Path) -> Path:
    """Contracts A and B each other's parent (C a child of A), and two line items of A
    each other's parent, imported from Data Loader CSV files."""
    source = tmp_path / "csv"
    source.mkdir()
    (source / "Account.csv").write_text(f"Id,Name\n{LOOP_ACCOUNT},Loop Industries\n")
    (source / "Product2.csv").write_text(
        "Id,Name\n01tLp0000000000001,Support Plan\n01tLp0000000000002,Spare Parts\n"
    )
    (source / "ServiceContract.csv").write_text(
        "Id,Name,AccountId,ParentServiceContractId\n"
        f"{CONTRACT_A},Contract A,{LOOP_ACCOUNT},{CONTRACT_B}\n"
        f"{CONTRACT_B},Contract B,{LOOP_ACCOUNT},{CONTRACT_A}\n"
        f"{CONTRACT_C},Contract C,{LOOP_ACCOUNT},{CONTRACT_A}\n"
    )
    (source / "ContractLineItem.csv").write_text(
        "Id,ServiceContractId,Product2Id,ParentContractLineItemId,Quantity\n"
        f"811Lp0000000000001,{CONTRACT_A},01tLp0000000000001,811Lp0000000000002,1\n"
        f"811Lp0000000000002,{CONTRACT_A},01tLp0000000000002,811Lp0000000000001,2\n"
    )
    path = tmp_path / "Loop.entitle"
    with Workspace.create(path) as workspace:
        preview = import_data(workspace, source)
        assert preview.counts()["added"]["service_contracts"] == 3
    return path


def _walk(model: NavigatorModel, parent: QModelIndex, depth: int = 0) -> list[str]:
    """Every node under ``parent``, fully expanded, indented by depth (bounded, so that a
    tree that went on forever fails instead of hanging)."""
    assert depth < 20, "the navigator nests without end"
    out = []
    for label in _labels(model, parent):
        out.append("  " * depth + label)
        out.extend(_walk(model, _child(model, parent, label), depth + 1))
    return out


def test_contracts_that_are_each_others_parent_both_show_and_nothing_hangs(
    qtbot: QtBot, loop_path: Path
) -> None:
    faulthandler.dump_traceback_later(120, exit=True)  # a hang fails the run, with a trace
    try:
        window = _open(qtbot, loop_path)
        model = window.tree_models["hierarchy"]
        account = _node(model, "Accounts (1)", "Loop Industries")
        # The loop is broken at its smallest id (A): B nests under A, and A not under B.
        assert _walk(model, _child(model, account, "Service contracts (3)")) == [
            "Contract A",
            "  Child contracts (2)",
            "    Contract B",
            "    Contract C",
            "  Contract line items (2)",
            "    Support Plan",
            "      Child line items (1)",
            "        Spare Parts",
            "      Entitlements (0)",
            "  Entitlements (0)",
        ]

        window.select_path("hierarchy", ["Accounts", "Loop Industries", "Service contracts"])
        assert _column(window.table_model, 0) == ["Contract A", "Contract B", "Contract C"]
        assert _column(window.table_model, 1) == ["Contract B", "Contract A", "Contract A"]

        window.select_path(
            "hierarchy", ["Accounts", "Loop Industries", "Service contracts", "Contract A"]
        )
        assert _column(window.table_model, 1) == [
            "Contract B",
            "Contract C",
            "Spare Parts",
            "Support Plan",
        ]
        detail = window.detail_pane.detail
        assert detail is not None
        assert detail.note == (
            "This service contract is its own ancestor: its parent links loop (Contract A →"
            " Contract B → Contract A). The navigator shows Contract A at the top and the"
            " others under it."
        )
        assert "(Contract A → Contract B → Contract A)" in detail.note
        assert _fields(window)["Parent service contract"] == "Contract B (810Lp0000000000002)"
        assert "its own ancestor" in window.detail_pane.text()

        # B's table lists A, its child by the data; double-clicking it finds A at the top.
        _double_click_row(qtbot, window, 0)
        assert _current_path(window)[-2:] == ["Child contracts (2)", "Contract B"]
        assert _column(window.table_model, 1) == ["Contract A"]
        detail = window.detail_pane.detail
        assert detail is not None and "(Contract B → Contract A → Contract B)" in detail.note
        _double_click_row(qtbot, window, 0)
        assert _current_path(window) == [
            "Accounts (1)",
            "Loop Industries",
            "Service contracts (3)",
            "Contract A",
        ]

        # C hangs off the loop without being in it.
        window.select_path(
            "hierarchy",
            ["Accounts", "Loop Industries", "Service contracts", "Contract A", "Child contracts"],
        )
        window.table.selectRow(1)
        detail = window.detail_pane.detail
        assert detail is not None and detail.title == "Contract C"
        assert "loop (at Contract A)" in detail.note
        window.close()
    finally:
        faulthandler.cancel_dump_traceback_later()


def test_reference_to_a_record_not_in_the_workspace_shows_its_id(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "Gone.entitle"
    with Workspace.create(path) as workspace, workspace.unit_of_work() as session:
        repository.save_records(session, "accounts", [Account("001Gn0000000000001", "Gone Ltd")])
        repository.save_records(
            session,
            "service_contracts",
            [ServiceContract("810Gn0000000000001", "Orphan Contract", "001Gn0000000000001")],
        )
    # A file written without its foreign keys checked (another tool, an old copy).
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA foreign_keys=OFF")
        db.execute(
            "UPDATE service_contract SET parent_service_contract_id = '810Gn0000000000999',"
            " contact_id = '003Gn0000000000999'"
        )
    db.close()
    window = _open(qtbot, path)
    model = window.tree_models["hierarchy"]
    folder = _node(model, "Accounts (1)", "Gone Ltd", "Service contracts (1)")
    assert _labels(model, folder) == ["Orphan Contract"]  # at the top: its parent is not here
    window.select_path("hierarchy", ["Accounts", "Gone Ltd", "Service contracts"])
    assert _column(window.table_model, 1) == ["810Gn0000000000999 (not in the workspace)"]
    window.table.selectRow(0)
    fields = _fields(window)
    assert fields["Parent service contract"] == "810Gn0000000000999 (not in the workspace)"
    assert fields["Contact"] == "003Gn0000000000999 (not in the workspace)"
    assert fields["Account"] == "Gone Ltd (001Gn0000000000001)"
    window.close()


# --------------------------------------------------------------------------- big hierarchies

DEPTH = 10_000  # domain.md: hierarchies up to 10,000 deep
WIDTH = 10_000


@pytest.fixture(scope="module")
def big_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "Big.entitle"
    chain = [
        ServiceContract(
            f"810Dp{i:013d}",
            f"Level {i:05d}",
            "001Dp0000000000001",
            parent_service_contract_id=f"810Dp{i - 1:013d}" if i else None,
            root_service_contract_id="810Dp0000000000000" if i else None,
        )
        for i in range(DEPTH)
    ]
    fan = [ServiceContract("810Wd0000000000000", "Wide root", "001Wd0000000000001")] + [
        ServiceContract(
            f"810Wd{i + 1:013d}",
            f"Branch {i:05d}",
            "001Wd0000000000001",
            parent_service_contract_id="810Wd0000000000000",
        )
        for i in range(WIDTH)
    ]
    with Workspace.create(path) as workspace, workspace.unit_of_work() as session:
        repository.save_records(
            session,
            "accounts",
            [Account("001Dp0000000000001", "Deep"), Account("001Wd0000000000001", "Wide")],
        )
        repository.save_records(session, "service_contracts", chain + fan)
    return path


def test_a_deep_hierarchy_is_fetched_a_level_at_a_time(qtbot: QtBot, big_path: Path) -> None:
    window = _open(qtbot, big_path)
    model = window.tree_models["hierarchy"]
    started = time.perf_counter()
    index = _node(model, "Accounts (2)", "Deep", f"Service contracts ({DEPTH})")
    assert _labels(model, index) == ["Level 00000"]
    for level in range(30):
        index = _child(model, index, f"Level {level:05d}")
        assert _labels(model, index)[0] == "Child contracts (1)"
        index = _child(model, index, "Child contracts (1)")
    assert _labels(model, index) == ["Level 00030"]
    assert time.perf_counter() - started < 10  # about 0.1 s a level would be far too slow

    # The deepest contract, found by a search of the account's contracts.
    window.select_path("hierarchy", ["Accounts", "Deep", "Service contracts"])
    window.search.setText("Level 09999")
    window.apply_search()
    assert _column(window.table_model, 0) == ["Level 09999"]
    window.table.selectRow(0)
    fields = _fields(window)
    assert fields["Parent service contract"] == "Level 09998 (810Dp0000000009998)"
    assert fields["Root service contract"] == "Level 00000 (810Dp0000000000000)"
    detail = window.detail_pane.detail
    assert detail is not None and detail.note == ""  # 9,999 ancestors, no loop
    window.close()


def test_a_wide_hierarchy_fetches_children_a_page_at_a_time(qtbot: QtBot, big_path: Path) -> None:
    window = _open(qtbot, big_path)
    model = window.tree_models["hierarchy"]
    root = _node(model, "Accounts (2)", "Wide", f"Service contracts ({WIDTH + 1})", "Wide root")
    assert _labels(model, root)[0] == f"Child contracts ({WIDTH})"
    children = _child(model, root, f"Child contracts ({WIDTH})")
    assert model.rowCount(children) == 0  # nothing until the view asks
    model.fetchMore(children)
    assert model.rowCount(children) == 200
    assert model.canFetchMore(children)
    assert model.data(model.index(0, 0, children)) == "Branch 00000"
    window.close()


def test_double_click_opens_a_nested_contract_but_not_thousands_of_levels_down(
    qtbot: QtBot, big_path: Path
) -> None:
    window = _open(qtbot, big_path)
    window.select_path("hierarchy", ["Accounts", "Deep", "Service contracts"])
    window.search.setText("Level 00040")
    window.apply_search()
    started = time.perf_counter()
    _double_click_row(qtbot, window, 0)
    path = _current_path(window)
    assert len(path) == 3 + 2 * 40 + 1
    assert path[-3:] == ["Level 00039", "Child contracts (1)", "Level 00040"]
    assert time.perf_counter() - started < 10

    window.select_path("hierarchy", ["Accounts", "Deep", "Service contracts"])
    window.search.setText("Level 09999")
    window.apply_search()
    started = time.perf_counter()
    _double_click_row(qtbot, window, 0)
    assert time.perf_counter() - started < 10
    assert _current_path(window) == ["Accounts (2)", "Deep", f"Service contracts ({DEPTH})"]
    assert window.statusBar().currentMessage() == (
        "Not opened in the navigator: it is 9,999 levels down its hierarchy."
        " Its parent and root are in the details."
    )
    detail = window.detail_pane.detail
    assert detail is not None and detail.title == "Level 09999"
    window.close()
