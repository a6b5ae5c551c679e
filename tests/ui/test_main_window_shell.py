"""The main window's shell on an empty workspace: title, menus, recent files, layout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QByteArray
from pytestqt.qtbot import QtBot

from entitle_desktop.services.workspace import Workspace
from entitle_desktop.ui.main_window import DEFAULT_SIZE, MainWindow
from entitle_desktop.ui.settings import RecentWorkspaces, app_settings


def _empty_workspace(path: Path) -> Path:
    Workspace.create(path).close()
    return path


def _window(qtbot: QtBot) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    return window


def test_title_and_status_bar_name_the_workspace(qtbot: QtBot, tmp_path: Path) -> None:
    path = _empty_workspace(tmp_path / "Northwind Support.entitle")
    window = _window(qtbot)
    assert window.windowTitle() == "Entitle Desktop"
    assert window.open_workspace(path)
    assert window.windowTitle() == "Entitle Desktop — Northwind Support"
    assert window.path_label.text() == str(path)
    assert window.counts_label.text() == (
        "0 accounts  ·  0 contacts  ·  0 assets  ·  0 service contracts  ·  0 entitlements"
        "  ·  0 business hours  ·  0 milestone types  ·  0 entitlement processes"
    )


def test_default_size_is_1280_by_800(qtbot: QtBot) -> None:
    window = _window(qtbot)
    assert (window.width(), window.height()) == DEFAULT_SIZE


def test_new_workspace_adds_the_suffix_creates_an_empty_file_and_opens_it(
    qtbot: QtBot, tmp_path: Path
) -> None:
    window = _window(qtbot)
    assert window.new_workspace(tmp_path / "Fresh")
    created = tmp_path / "Fresh.entitle"
    assert created.is_file()
    assert window.workspace is not None and window.workspace.path == created
    assert window.windowTitle() == "Entitle Desktop — Fresh"
    assert window.import_menu.isEnabled()
    hierarchy = window.tree_models["hierarchy"]
    assert [hierarchy.data(hierarchy.index(r, 0)) for r in range(hierarchy.rowCount())] == [
        "Accounts (0)"
    ]
    window.close()


def test_new_workspace_refuses_to_overwrite(qtbot: QtBot, tmp_path: Path) -> None:
    path = _empty_workspace(tmp_path / "Taken.entitle")
    before = path.read_bytes()
    window = _window(qtbot)
    assert not window.new_workspace(path)
    assert path.read_bytes() == before
    assert [d.message for d in window.error_dialogs] == [f"{path} already exists."]
    window.close()


def test_opening_a_file_that_is_not_a_workspace_shows_a_non_modal_error(
    qtbot: QtBot, tmp_path: Path
) -> None:
    bogus = tmp_path / "notes.entitle"
    bogus.write_text("just text")
    window = _window(qtbot)
    assert not window.open_workspace(bogus)
    assert window.workspace is None
    assert len(window.error_dialogs) == 1
    dialog = window.error_dialogs[0]
    assert dialog.isVisible() and not dialog.isModal()
    assert dialog.windowTitle() == "Cannot open workspace"
    assert RecentWorkspaces().paths() == []
    window.close()


def test_open_recent_lists_opened_workspaces_newest_first(qtbot: QtBot, tmp_path: Path) -> None:
    first = _empty_workspace(tmp_path / "First.entitle")
    second = _empty_workspace(tmp_path / "Second.entitle")
    window = _window(qtbot)
    window.open_workspace(first)
    window.open_workspace(second)
    window.rebuild_recent_menu()
    texts = [a.text() for a in window.recent_menu.actions() if not a.isSeparator()]
    assert texts == [
        f"&1  Second.entitle  —  {tmp_path.resolve()}",
        f"&2  First.entitle  —  {tmp_path.resolve()}",
        "Clear Menu",
    ]
    window.recent_menu.actions()[1].trigger()
    assert window.workspace is not None and window.workspace.path.name == "First.entitle"
    window.close()
    # Persisted: a new window (next start) sees the same list.
    assert RecentWorkspaces(app_settings()).paths() == [first.resolve(), second.resolve()]


def test_open_recent_is_empty_on_first_start(qtbot: QtBot) -> None:
    window = _window(qtbot)
    window.rebuild_recent_menu()
    actions = window.recent_menu.actions()
    assert [a.text() for a in actions] == ["No recent workspaces"]
    assert not actions[0].isEnabled()


def test_geometry_splitter_and_tab_are_restored_on_next_start(qtbot: QtBot, tmp_path: Path) -> None:
    window = _window(qtbot)
    window.show()
    # Smaller than the offscreen platform's 800x600 screen: restoreGeometry() clamps to it.
    window.resize(720, 540)
    window.splitter.setSizes([200, 300, 200])
    window.navigator.setCurrentIndex(1)
    qtbot.waitUntil(lambda: window.width() == 720)
    sizes = window.splitter.sizes()
    window.close()
    assert isinstance(app_settings().value("mainWindow/geometry"), QByteArray)

    again = _window(qtbot)
    again.show()
    assert (again.width(), again.height()) == (720, 540)
    assert again.splitter.sizes() == sizes
    assert again.navigator.currentIndex() == 1
    again.close()


def test_screenshot_option_saves_a_png_and_exits(tmp_path: Path) -> None:
    path = _empty_workspace(tmp_path / "Shot.entitle")
    out = tmp_path / "shot.png"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "entitle_desktop.app", str(path), "--screenshot", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)


def test_without_a_path_the_app_opens_the_demo_in_the_user_data_folder(tmp_path: Path) -> None:
    out = tmp_path / "demo.png"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "entitle_desktop.app", "--screenshot", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    demo = tmp_path / "data" / "Entitle Desktop" / "Demo.entitle"
    assert demo.is_file()
    with Workspace.open(demo) as workspace:
        assert workspace.summary().counts["accounts"] == 30
    recent = (tmp_path / "config" / "EntitleDesktop" / "Entitle Desktop.ini").read_text()
    assert "Demo.entitle" in recent
