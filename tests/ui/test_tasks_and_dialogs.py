"""Background tasks, the error dialog and the import summary dialog."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from entitle_desktop.ui.dialogs import ErrorDialog, ImportSummaryDialog, show_error
from entitle_desktop.ui.settings import MAX_RECENT, RecentWorkspaces, app_settings
from entitle_desktop.ui.tasks import BackgroundTask, TaskState


def test_task_runs_off_the_ui_thread_and_reports_progress(qtbot: QtBot) -> None:
    seen_threads: list[threading.Thread] = []
    progress: list[tuple[int, int, str]] = []

    def work(state: TaskState) -> int:
        seen_threads.append(threading.current_thread())
        for i in range(3):
            state.progress(i + 1, 3, f"step {i + 1}")
        return 42

    task = BackgroundTask(work)
    task.progressed.connect(lambda d, t, m: progress.append((d, t, m)))
    with qtbot.waitSignal(task.succeeded, timeout=5_000) as blocker:
        task.start()
    task.wait()
    assert blocker.args == [42]
    assert seen_threads[0] is not threading.main_thread()
    assert progress == [(1, 3, "step 1"), (2, 3, "step 2"), (3, 3, "step 3")]


def test_task_cancel_is_cooperative(qtbot: QtBot) -> None:
    started = threading.Event()

    def work(state: TaskState) -> None:
        started.set()
        while True:
            state.raise_if_cancelled()
            threading.Event().wait(0.005)

    task = BackgroundTask(work)
    with qtbot.waitSignal(task.cancelled, timeout=5_000):
        task.start()
        assert started.wait(5)
        task.cancel()
    assert task.wait()
    assert task.is_done()


def test_task_failure_carries_the_traceback(qtbot: QtBot) -> None:
    def work(state: TaskState) -> None:
        raise ValueError("broken on purpose")

    task = BackgroundTask(work)
    with qtbot.waitSignal(task.failed, timeout=5_000) as blocker:
        task.start()
    task.wait()
    error, details = blocker.args
    assert isinstance(error, ValueError)
    assert str(error) == "broken on purpose"
    assert "Traceback" in details and "broken on purpose" in details


def test_error_dialog_is_non_modal_and_copies_details(qtbot: QtBot) -> None:
    dialog = show_error(None, "Import failed", "x.entitlementProcess, <name>: bad", "trace")
    qtbot.addWidget(dialog)
    assert isinstance(dialog, ErrorDialog)
    assert dialog.isVisible()
    assert not dialog.isModal()
    assert dialog.message_label.text() == "x.entitlementProcess, <name>: bad"
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == "x.entitlementProcess, <name>: bad\n\ntrace"


def test_import_summary_lists_counts_warnings_placeholders_and_unknowns(qtbot: QtBot) -> None:
    dialog = ImportSummaryDialog(
        "project.zip",
        added={"processes": 2, "milestone_types": 3, "templates": 0},
        updated={},
        warnings=["Gold: milestone type 'Escalate' not in the project; placeholder created"],
        placeholders={"milestone_types": ["Escalate"]},
        unknown_elements=["Gold_v1: <fooBar>"],
        files_kept=["src/package.xml"],
    )
    qtbot.addWidget(dialog)
    assert dialog.title.text() == "<b>Imported project.zip</b>"
    assert dialog.sections == {
        # Zero counts are left out.
        "Added": ["Entitlement process versions: 2", "Milestone types: 3"],
        "Updated": [],
        "Warnings": ["Gold: milestone type 'Escalate' not in the project; placeholder created"],
        "Placeholders (referenced but not in the project)": ["Milestone types: Escalate"],
        "Unknown elements kept verbatim": ["Gold_v1: <fooBar>"],
        "Other metadata files kept": ["src/package.xml"],
    }
    text = dialog.text()
    assert "Warnings (1)" in text
    assert "Nothing changed." in text
    assert "Gold_v1: <fooBar>" in text


def test_recent_workspaces_newest_first_without_duplicates(tmp_path: Path) -> None:
    recent = RecentWorkspaces()
    a, b = tmp_path / "a.entitle", tmp_path / "b.entitle"
    recent.add(a)
    recent.add(b)
    recent.add(a)
    assert recent.paths() == [a.resolve(), b.resolve()]
    assert RecentWorkspaces(app_settings()).paths() == [a.resolve(), b.resolve()]
    recent.remove(a)
    assert recent.paths() == [b.resolve()]


def test_recent_workspaces_keep_at_most_ten(tmp_path: Path) -> None:
    recent = RecentWorkspaces()
    for i in range(MAX_RECENT + 3):
        recent.add(tmp_path / f"w{i}.entitle")
    paths = recent.paths()
    assert len(paths) == MAX_RECENT
    assert paths[0] == (tmp_path / "w12.entitle").resolve()
    assert paths[-1] == (tmp_path / "w3.entitle").resolve()


def test_settings_are_isolated_per_test(isolated_settings: Path) -> None:
    settings = app_settings()
    assert settings.fileName().startswith(str(isolated_settings))
    assert RecentWorkspaces().paths() == []


@pytest.mark.parametrize("value", [None, "", "/x/a.entitle"])
def test_recent_workspaces_read_odd_stored_values(value: str | None) -> None:
    settings = app_settings()
    settings.setValue("recent/workspaces", value)
    expected = [Path(value)] if value else []
    assert RecentWorkspaces(settings).paths() == expected
