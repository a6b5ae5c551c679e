"""File › Import Salesforce Metadata in the window: worker thread, progress, summary, errors,
and what the navigator shows for an imported corpus project."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont
from pytestqt.qtbot import QtBot

from entitle_desktop.services.workspace import Workspace
from entitle_desktop.ui.catalog import PLACEHOLDER_TOOLTIP
from entitle_desktop.ui.importing import MetadataImport
from entitle_desktop.ui.main_window import MainWindow
from entitle_desktop.ui.models import NavigatorModel

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "salesforce-metadata"
IHSM = CORPUS / "phani467__Metadata-Extract-from-stage"
PARSAM = CORPUS / "parsam97__Case-Milestone-Bug"


def _labels(model: NavigatorModel, parent: QModelIndex | None = None) -> list[str]:
    parent = parent if parent is not None else QModelIndex()
    while model.canFetchMore(parent):
        model.fetchMore(parent)
    return [model.data(model.index(r, 0, parent)) for r in range(model.rowCount(parent))]


def _child(model: NavigatorModel, parent: QModelIndex, label: str) -> QModelIndex:
    labels = _labels(model, parent)
    return model.index(labels.index(label), 0, parent)


def _checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> MainWindow:
    path = tmp_path / "Imported.entitle"
    Workspace.create(path).close()
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.open_workspace(path)
    win.show()
    return win


def _import(qtbot: QtBot, window: MainWindow, source: Path) -> MetadataImport:
    job = window.start_import(source)
    assert job is not None
    with qtbot.waitSignal(job.finished, timeout=60_000):
        pass
    job.task.wait()
    return job


def test_import_runs_off_the_ui_thread_and_shows_a_summary(
    qtbot: QtBot, window: MainWindow
) -> None:
    progress: list[tuple[int, int]] = []
    job = window.start_import(IHSM)
    assert job is not None
    assert job.progress.isVisible()
    assert job.progress.labelText() == "Importing phani467__Metadata-Extract-from-stage…"
    job.task.progressed.connect(lambda d, t, _m: progress.append((d, t)))
    with qtbot.waitSignal(job.finished, timeout=60_000) as blocker:
        pass
    job.task.wait()
    assert blocker.args == [True]
    assert job.outcome == "imported"
    assert progress and progress[-1][0] == progress[-1][1]
    dialog = job.summary_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.sections == {
        "Added": ["Business hours: 1", "Milestone types: 3", "Entitlement process versions: 4"],
        "Updated": [],
        "Warnings": [],
        "Placeholders (referenced but not in the project)": [],
        "Unknown elements kept verbatim": [],
        "Other metadata files kept": [],
    }
    dialog.close()
    assert window.active_import is None
    assert window.counts_label.text() == (
        "0 accounts  ·  0 contacts  ·  0 assets  ·  0 service contracts  ·  0 entitlements"
        "  ·  1 business hours  ·  3 milestone types  ·  1 entitlement process"
    )


def test_imported_project_shows_process_with_four_versions_and_their_milestones(
    qtbot: QtBot, window: MainWindow
) -> None:
    _import(qtbot, window, IHSM).summary_dialog.close()  # type: ignore[union-attr]
    setup = window.tree_models["setup"]
    assert _labels(setup) == [
        "Workspace settings",
        "Business hours (1)",
        "Holidays (0)",
        "Milestone types (3)",
        "Entitlement processes (1)",
        "Entitlement templates (0)",
        "Experiences (0)",
        "Other metadata files (0)",
    ]
    assert _labels(setup, _child(setup, QModelIndex(), "Milestone types (3)")) == [
        "Assignment",
        "First Touch",
        "Resolution Time",
    ]
    processes = _child(setup, QModelIndex(), "Entitlement processes (1)")
    assert _labels(setup, processes) == ["IHSM Entitlement Process"]
    process = _child(setup, processes, "IHSM Entitlement Process")
    # Versions are labelled under their process; none of the files sets a default.
    assert _labels(setup, process) == ["v1", "v2", "v3", "v4"]
    counts = [len(_labels(setup, _child(setup, process, f"v{n}"))) for n in (1, 2, 3, 4)]
    assert counts == [6, 12, 12, 12]

    # Selecting a version shows its milestones in the table, in order.
    window.select_path(
        "setup",
        ["Entitlement processes", "IHSM Entitlement Process", "v1"],
    )
    model = window.table_model
    assert [c.title for c in model.columns] == [
        "Order",
        "Milestone",
        "Minutes",
        "Criteria",
        "Business hours",
        "Starts from",
    ]
    assert [model.data(model.index(r, 1)) for r in range(model.rowCount())] == [
        "Assignment",
        "Assignment",
        "First Touch",
        "Resolution Time",
        "Resolution Time",
        "Resolution Time",
    ]
    assert [model.data(model.index(r, 2)) for r in range(model.rowCount())] == [
        "120",
        "30",
        "30",
        "30",
        "1440",
        "7200",
    ]
    assert window.table_caption.text() == (
        "Process version: IHSM Entitlement Process v1  —  6 records"
    )
    detail = window.detail_pane.detail
    assert detail is not None
    assert detail.title == "IHSM Entitlement Process v1"
    fields = dict(detail.section("Fields"))
    assert fields["Version number"] == "1"
    assert fields["Entry start date field"] == "Case.CreatedDate"
    assert dict(detail.section("Exit criteria")) == {"1.": "Case.IsClosed equals true"}

    # A milestone row's detail names its criteria.
    window.table.selectRow(1)
    row_detail = window.detail_pane.detail
    assert row_detail is not None and row_detail.title == "Assignment"
    assert "Case.Priority equals High" in window.detail_pane.text()


def test_placeholders_are_italic_with_a_tooltip(qtbot: QtBot, window: MainWindow) -> None:
    # The process names business hours "Standard" and a milestone type "Close Case" that
    # the project does not contain: the import made placeholders for both.
    job = _import(qtbot, window, PARSAM)
    assert job.summary_dialog is not None
    sections = job.summary_dialog.sections
    assert sections["Placeholders (referenced but not in the project)"] == [
        "Business hours: Standard",
        "Milestone types: Close Case",
    ]
    assert len(sections["Warnings"]) == 2
    job.summary_dialog.close()
    assert window.counts_label.text().endswith("  ·  2 placeholders")
    setup = window.tree_models["setup"]
    types = _child(setup, QModelIndex(), "Milestone types (2 + 1 placeholder)")
    labels = _labels(setup, types)
    assert labels == ["Close Case", "Respond to Customer", "Touch Point with Customer"]
    fonts = [setup.data(setup.index(r, 0, types), Qt.ItemDataRole.FontRole) for r in range(3)]
    assert [isinstance(f, QFont) and f.italic() for f in fonts] == [True, False, False]
    assert setup.data(setup.index(0, 0, types), Qt.ItemDataRole.ToolTipRole) == (
        PLACEHOLDER_TOOLTIP
    )
    assert setup.data(setup.index(1, 0, types), Qt.ItemDataRole.ToolTipRole) is None

    window.select_path("setup", ["Milestone types"])
    table = window.table_model
    assert [table.data(table.index(r, 0)) for r in range(table.rowCount())] == labels
    assert table.data(table.index(0, 0), Qt.ItemDataRole.FontRole).italic()
    assert table.data(table.index(1, 0), Qt.ItemDataRole.FontRole) is None
    assert table.data(table.index(0, 0), Qt.ItemDataRole.ToolTipRole) == PLACEHOLDER_TOOLTIP
    window.table.selectRow(0)
    detail = window.detail_pane.detail
    assert detail is not None and detail.placeholder
    assert (
        detail.subtitle == "Milestone type · placeholder (referenced, not in the imported project)"
    )
    assert window.detail_pane.title.font().italic()


def test_import_can_be_cancelled_and_leaves_the_workspace_unchanged(
    qtbot: QtBot, window: MainWindow
) -> None:
    assert window.workspace is not None
    path = window.workspace.path
    before = window.workspace.summary()
    job = MetadataImport(path, IHSM, window)
    job.cancel()  # before the worker reads the first file
    with qtbot.waitSignal(job.finished, timeout=60_000) as blocker:
        job.start()
    job.task.wait()
    assert blocker.args == [False]
    assert job.outcome == "cancelled"
    assert job.summary_dialog is None and job.error_dialog is None
    assert window.workspace.summary() == before


def test_bad_input_shows_the_file_and_element_in_a_non_modal_error(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    source = tmp_path / "bad-project"
    folder = source / "src" / "entitlementProcesses"
    folder.mkdir(parents=True)
    (folder / "Broken.entitlementProcess").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<EntitlementProcess xmlns="http://soap.sforce.com/2006/04/metadata">\n'
        "  <milestones><milestoneName>First Response</milestoneName>\n"
        "    <minutesToComplete>abc</minutesToComplete></milestones>\n"
        "</EntitlementProcess>\n"
    )
    assert window.workspace is not None
    window.workspace.close()  # flush WAL so the checksum covers everything
    checksum = _checksum(window.workspace.path)
    window.open_workspace(window.workspace.path)
    job = _import(qtbot, window, source)
    assert job.outcome == "failed"
    dialog = job.error_dialog
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    assert dialog.windowTitle() == "Import failed"
    message = dialog.message_label.text()
    assert message.startswith("bad-project was not imported; the workspace is unchanged.")
    assert "Broken.entitlementProcess" in message
    assert "minutesToComplete" in message
    assert dialog.copy_button.text() == "Copy details"
    dialog.close()
    window.close()
    assert _checksum(Path(window.windowTitle() and str(job.workspace_path))) == checksum
