"""The search box is a plain, case-insensitive substring match: ``%`` and ``_`` are text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from entitle_desktop.persistence.models import AccountRow
from entitle_desktop.services.demo import create_demo_workspace
from entitle_desktop.services.workspace import Workspace
from entitle_desktop.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    path = tmp_path / "Demo.entitle"
    with create_demo_workspace(path) as workspace, workspace.unit_of_work() as session:
        session.add(AccountRow(id="001Dm00000000099AA", name="100% Uptime_Co"))
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.open_workspace(path)
    win.show()
    yield win
    win.close()


def _names(window: MainWindow) -> list[str]:
    model = window.table_model
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("%", ["100% Uptime_Co"]),
        ("_", ["100% Uptime_Co"]),
        ("0% u", ["100% Uptime_Co"]),
        ("E_CO", ["100% Uptime_Co"]),
        ("10_", []),  # as a wildcard, _ would match "100"
        ("a%b", []),
        ("\\", []),
        ("granite", ["Granite Bank"]),
    ],
)
def test_search_text_is_matched_literally(
    qtbot: QtBot, window: MainWindow, text: str, names: list[str]
) -> None:
    window.select_path("hierarchy", ["Accounts"])
    assert window.table_model.rowCount() == 31
    qtbot.keyClicks(window.search, text)  # type: ignore[no-untyped-call]
    qtbot.waitUntil(lambda: window.table_model.search == text, timeout=3_000)
    assert _names(window) == names


def test_wildcards_alone_match_nothing_on_the_demo(tmp_path: Path) -> None:
    path = tmp_path / "Demo.entitle"
    create_demo_workspace(path).close()
    with Workspace.open(path) as workspace:
        assert workspace.count("account") == 30
        assert [workspace.count("account", search=s) for s in ("%", "_", "%%", "_%_")] == [0] * 4
        # Ids are searched too, literally.
        assert workspace.row_keys("account", search="0000000000027") == ["001Dm0000000000027"]
        assert workspace.count("account", search="0000000000_27") == 0


def test_search_ignores_case_beyond_ascii(tmp_path: Path) -> None:
    path = tmp_path / "w.entitle"
    with Workspace.create(path) as workspace, workspace.unit_of_work() as session:
        session.add(AccountRow(id="001Dm00000000001AA", name="Müller GmbH"))
        session.add(AccountRow(id="001Dm00000000002AA", name="García y Hijos"))
        session.add(AccountRow(id="001Dm00000000003AA", name="Straße AG"))
        session.add(AccountRow(id="001Dm00000000004AA", name="Strasse Logistik"))
    with Workspace.open(path) as workspace:
        found = {
            s: workspace.count("account", search=s)
            for s in ("MÜLLER", "GARCÍA", "ü", "STRASSE", "STRAßE", "%")
        }
    assert found == {"MÜLLER": 1, "GARCÍA": 1, "ü": 1, "STRASSE": 2, "STRAßE": 2, "%": 0}


def test_markup_in_names_and_search_is_shown_as_text(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "w.entitle"
    with Workspace.create(path) as workspace, workspace.unit_of_work() as session:
        session.add(AccountRow(id="001Dm00000000001AA", name="<b>Bold</b> & Co"))
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.open_workspace(path)
    win.show()
    win.select_path("hierarchy", ["Accounts", "<b>Bold</b> & Co"])
    assert win.table_caption.textFormat() == Qt.TextFormat.PlainText
    assert win.table_caption.text().startswith("Account: <b>Bold</b> & Co")
    assert win.detail_pane.title.textFormat() == Qt.TextFormat.PlainText
    assert win.detail_pane.title.text() == "<b>Bold</b> & Co"
    win.close()
