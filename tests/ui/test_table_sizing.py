"""How the record table sizes its columns and rows: short fields whole, names given the
room, long text on at most two lines; measured on fetched pages only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from entitle_desktop.services.demo import create_demo_workspace
from entitle_desktop.services.metadata_import import import_metadata
from entitle_desktop.services.workspace import Workspace
from entitle_desktop.ui.catalog import Column, Fit, NodeKey, Row
from entitle_desktop.ui.main_window import DEFAULT_SIZE, MainWindow
from entitle_desktop.ui.models import RecordTableModel
from entitle_desktop.ui.record_table import (
    FITTED_ROWS,
    LINE_SEPARATOR,
    TEXT_FLOOR,
    RecordTableView,
    column_floor,
    fitted_widths,
    two_lines,
)

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "salesforce-metadata"
IHSM = CORPUS / "phani467__Metadata-Extract-from-stage"


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "Demo.entitle"
    create_demo_workspace(path).close()
    return path


@pytest.fixture(scope="module")
def ihsm_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ihsm") / "Ihsm.entitle"
    with Workspace.create(path) as workspace:
        import_metadata(workspace, IHSM)
    return path


def _window(qtbot: QtBot, path: Path) -> MainWindow:
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.open_workspace(path)
    win.show()
    QApplication.processEvents()
    assert (win.width(), win.height()) == DEFAULT_SIZE
    return win


@pytest.fixture
def window(qtbot: QtBot, demo_path: Path) -> Iterator[MainWindow]:
    win = _window(qtbot, demo_path)
    yield win
    win.close()


def _cells(window: MainWindow, col: int) -> list[str]:
    model = window.table_model
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def _titles(window: MainWindow) -> list[str]:
    return [c.title for c in window.table_model.columns]


def _whole(window: MainWindow, col: int) -> bool:
    """Every value of the column fits its cell on one line (nothing elided)."""
    view = window.table
    room = view.text_width(view.columnWidth(col))
    return all(view.fontMetrics().horizontalAdvance(v) <= room for v in _cells(window, col))


def _heights(window: MainWindow) -> list[int]:
    return [window.table.rowHeight(r) for r in range(window.table_model.rowCount())]


# ------------------------------------------------------------------ the rules


def test_columns_keep_their_natural_widths_and_the_last_takes_the_rest() -> None:
    assert fitted_widths([100, 200, 50], [100, 80, 50], 400) == [100, 200, 100]


def test_the_widest_column_gives_way_first_down_to_a_common_cap() -> None:
    # order, criteria, minutes: the criteria column is capped; the short ones stay whole
    assert fitted_widths([80, 500, 60], [80, 140, 60], 400) == [80, 260, 60]
    assert fitted_widths([80, 300, 250], [80, 140, 140], 400) == [80, 160, 160]


def test_columns_never_go_below_their_floors_even_if_the_table_must_scroll() -> None:
    assert fitted_widths([300, 300, 157], [200, 200, 157], 300) == [200, 200, 157]


def test_floors_short_fields_whole_names_on_two_lines_long_text_readable() -> None:
    assert column_floor(Fit.SHORT, 157) == 157
    assert column_floor(Fit.NAME, 333) == 186  # half its width, and some air: two lines
    assert column_floor(Fit.NAME, 200) == 120
    assert column_floor(Fit.NAME, 90) == 90
    assert column_floor(Fit.TEXT, 700) == TEXT_FLOOR
    assert column_floor(Fit.TEXT, 100) == 100


def test_long_text_breaks_at_a_word_and_the_second_line_is_elided(qapp: QApplication) -> None:
    font = qapp.font()
    metrics = QFontMetrics(font)
    width = metrics.horizontalAdvance("alpha beta") + 2
    text = "alpha beta gamma delta epsilon zeta eta theta"
    lines = two_lines(text, font, width, Qt.TextElideMode.ElideRight).split(LINE_SEPARATOR)
    assert lines[0] == "alpha beta"
    assert len(lines) == 2 and lines[1].startswith("gamma") and lines[1].endswith("…")
    assert metrics.horizontalAdvance(lines[1]) <= width
    assert two_lines("short", font, width, Qt.TextElideMode.ElideRight) == "short"


# ------------------------------------------------------------------ the tables QA looked at


def test_entitlements_of_an_account_show_whole_dates_and_ids_one_or_two_lines(
    window: MainWindow,
) -> None:
    window.select_path("hierarchy", ["Accounts", "Acme Robotics", "Entitlements"])
    # Under an account the Account column would repeat "Acme Robotics" on every row.
    assert _titles(window) == [
        "Name",
        "Type",
        "Status",
        "Start",
        "End",
        "Business hours",
        "Process",
        "Id",
    ]
    for col in range(1, 8):
        assert _whole(window, col), _titles(window)[col]
    date_width = window.table.fontMetrics().horizontalAdvance("2028-11-24")
    assert window.table.columnWidth(4) >= date_width
    # The names get the room to be read on two lines, not ~60 px.
    assert window.table.columnWidth(0) >= 180
    one, two = window.table.row_height(1), window.table.row_height(2)
    assert set(_heights(window)) <= {one, two}
    assert sum(_heights(window)) <= window.table.viewport().height()  # all 8 rows in view


def test_a_process_versions_table_keeps_notes_to_two_lines(window: MainWindow) -> None:
    window.select_path("setup", ["Entitlement processes", "Standard Support"])
    assert _titles(window) == [
        "Version",
        "Default",
        "Active",
        "Object",
        "Milestones",
        "Business hours",
        "Notes",
    ]
    notes = window.table.columnWidth(6)
    assert notes >= TEXT_FLOOR
    # Every column is in view, without a sideways scroll.
    widths = [window.table.columnWidth(c) for c in range(7)]
    assert sum(widths) <= window.table.viewport().width()
    assert max(_heights(window)) <= window.table.row_height(2)
    model = window.table_model
    full = "Adds customer updates for high-priority waiting cases"
    assert model.data(model.index(2, 6)) == full
    assert model.data(model.index(2, 6), Qt.ItemDataRole.ToolTipRole) == full


def test_twelve_milestones_fit_at_the_default_size_with_criteria_on_two_lines(
    qtbot: QtBot, ihsm_path: Path
) -> None:
    window = _window(qtbot, ihsm_path)
    window.select_path("setup", ["Entitlement processes", "IHSM Entitlement Process", "v4"])
    assert window.table_model.rowCount() == 12
    criteria = _titles(window).index("Criteria")
    assert window.table.column_fit(criteria) is Fit.TEXT
    assert window.table.columnWidth(criteria) >= 200
    for title in ("Order", "Minutes", "Starts from"):
        assert _whole(window, _titles(window).index(title)), title
    assert max(_heights(window)) <= window.table.row_height(2)
    assert sum(_heights(window)) <= window.table.viewport().height()  # all 12 in view
    # The full criteria are in the detail pane.
    window.table.selectRow(7)
    assert "Case.Status notEqual Moved to Tier2 Support" in window.detail_pane.text()
    window.close()


# ------------------------------------------------------------------ on-demand models


class _BigSource:
    """1000 rows, one of them (far down) with a much longer id."""

    columns = (Column("Id", Fit.SHORT), Column("Name"))

    def __init__(self, wide_row: int) -> None:
        self.wide_row = wide_row
        self.requests: list[tuple[int, int]] = []

    def keys(self, search: str) -> list[NodeKey]:
        return [NodeKey("account", str(i)) for i in range(1000)]

    def rows(self, search: str, offset: int, limit: int) -> list[Row]:
        self.requests.append((offset, limit))
        return [
            Row(
                NodeKey("account", str(i)),
                ("X" * 40 if i == self.wide_row else f"{i:04d}", f"Account {i}"),
            )
            for i in range(offset, min(1000, offset + limit))
        ]


def test_widths_come_from_fetched_pages_and_widen_as_pages_arrive(qtbot: QtBot) -> None:
    view = RecordTableView()
    qtbot.addWidget(view)
    model = RecordTableModel(page_size=100)
    view.setModel(model)
    view.resize(500, 300)
    view.show()
    source = _BigSource(wide_row=900)
    model.set_source(source)
    QApplication.processEvents()
    assert source.requests == [(0, 100)]  # measuring read the first page only
    narrow = view.columnWidth(0)
    assert model.data(model.index(900, 0)) == "X" * 40  # a page further down comes in
    qtbot.waitUntil(lambda: view.columnWidth(0) > narrow, timeout=2_000)
    assert view.fontMetrics().horizontalAdvance("X" * 40) <= view.text_width(view.columnWidth(0))
    assert source.requests == [(0, 100), (900, 100)]
    # A big table keeps one line per row and never measures rows for their heights.
    assert model.rowCount() > FITTED_ROWS
    assert {view.rowHeight(r) for r in (0, 500, 999)} == {view.row_height(1)}
