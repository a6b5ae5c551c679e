"""File › Import Bundle or Data Files: preview off the UI thread, the preview dialog (counts,
conflicting keys, bad rows with "Skip bad rows"), then Apply all or nothing, or Cancel."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from entitle_desktop.persistence import repository
from entitle_desktop.services import bundle_io
from entitle_desktop.services.demo import create_demo_workspace
from entitle_desktop.services.workspace import Workspace
from entitle_desktop.ui.import_preview import ImportPreviewDialog
from entitle_desktop.ui.importing import DataImport
from entitle_desktop.ui.main_window import MainWindow

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
CASE_ESCALATION = SHARED / "corpus" / "salesforce-data" / "SFDC-Assets__case-escalation" / "data"

DEMO_COUNTS = {
    "Business hours": (3, 0, 0, 0),
    "Holidays": (8, 0, 0, 0),
    "Milestone types": (5, 0, 0, 0),
    "Entitlement process versions": (6, 0, 0, 0),
    "Entitlement templates": (4, 0, 0, 0),
    "Experiences": (2, 0, 0, 0),
    "Accounts": (30, 0, 0, 0),
    "Contacts": (91, 0, 0, 0),
    "Products": (8, 0, 0, 0),
    "Assets": (64, 0, 0, 0),
    "Service contracts": (7, 0, 0, 0),
    "Contract line items": (21, 0, 0, 0),
    "Entitlements": (40, 0, 0, 0),
    "Entitlement contacts": (60, 0, 0, 0),
}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A demo workspace (kept pristine: tests copy it) and a bundle of it."""
    folder = tmp_path_factory.mktemp("demo")
    path = folder / "Demo.entitle"
    with create_demo_workspace(path) as workspace:
        bundle_io.export_bundle(workspace, folder / "Demo.entitlebundle")
    return path, folder / "Demo.entitlebundle"


@pytest.fixture
def open_window(qtbot: QtBot) -> Iterator[Any]:
    windows: list[MainWindow] = []

    def make(path: Path) -> MainWindow:
        window = MainWindow()
        qtbot.addWidget(window)
        assert window.open_workspace(path)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


def _preview(qtbot: QtBot, window: MainWindow, source: Path) -> tuple[DataImport, list[bool]]:
    job = window.start_data_import(source)
    assert job is not None
    done: list[bool] = []
    job.finished.connect(done.append)
    qtbot.waitUntil(lambda: job.preview_dialog is not None or bool(done), timeout=30_000)
    return job, done


def _dialog(job: DataImport) -> ImportPreviewDialog:
    assert job.preview_dialog is not None
    return job.preview_dialog


def _apply(qtbot: QtBot, job: DataImport, done: list[bool]) -> None:
    dialog = _dialog(job)
    assert dialog.apply_button.isEnabled()
    dialog.apply_button.click()
    qtbot.waitUntil(lambda: bool(done), timeout=30_000)


def test_bundle_into_an_empty_workspace_adds_everything(
    qtbot: QtBot, open_window: Any, demo_files: tuple[Path, Path], tmp_path: Path
) -> None:
    _demo, bundle = demo_files
    target = tmp_path / "Empty.entitle"
    Workspace.create(target).close()
    window = open_window(target)
    assert window.data_import_menu.isEnabled()
    job, done = _preview(qtbot, window, bundle)
    dialog = _dialog(job)
    assert dialog.isVisible()
    assert dialog.counts() == DEMO_COUNTS
    assert not dialog.conflicts_box.isVisibleTo(dialog)
    assert not dialog.bad_rows_box.isVisibleTo(dialog)
    assert "of a whole workspace" in dialog.subtitle.text()
    _apply(qtbot, job, done)
    assert done == [True] and job.outcome == "imported"
    assert job.applied is not None and job.applied.applied
    with Workspace.open(target) as workspace:
        counts = workspace.summary().counts
    assert (counts["accounts"], counts["entitlements"], counts["business_hours"]) == (30, 40, 3)
    assert window.counts_label.text().startswith("30 accounts  ·  91 contacts")
    assert job.summary_dialog is not None
    assert job.summary_dialog.sections["Added"][:2] == ["Business hours: 3", "Holidays: 8"]
    assert "Placeholders (referenced but not in the project)" not in job.summary_dialog.sections


def test_bundle_into_a_changed_demo_lists_changed_and_conflicting_keys(
    qtbot: QtBot, open_window: Any, demo_files: tuple[Path, Path], tmp_path: Path
) -> None:
    demo, bundle = demo_files
    target = tmp_path / "Changed.entitle"
    shutil.copy(demo, target)
    with Workspace.open(target) as workspace, workspace.unit_of_work() as session:
        acme = repository.load_records(session, "accounts", ["001Dm0000000000001"])[0]
        repository.upsert_records(
            session, "accounts", [dataclasses.replace(acme, name="Acme Robotics (old)")]
        )
        contact = repository.load_records(session, "contacts")[0]
        repository.upsert_records(
            session, "contacts", [dataclasses.replace(contact, email="changed@example.com")]
        )
    window = open_window(target)
    before = _sha(target)
    job, done = _preview(qtbot, window, bundle)
    dialog = _dialog(job)
    counts = dialog.counts()
    assert counts["Accounts"] == (0, 0, 1, 29)
    assert counts["Contacts"] == (0, 1, 0, 90)
    assert counts["Entitlements"] == (0, 0, 0, 40)
    assert dialog.conflicting_text() == "Accounts (1): 001Dm0000000000001"
    assert "1 conflicting record will be replaced" in dialog.status.text()

    dialog.cancel_button.click()  # Cancel: nothing is written
    qtbot.waitUntil(lambda: bool(done))
    assert done == [False] and job.outcome == "cancelled"
    assert _sha(target) == before

    job, done = _preview(qtbot, window, bundle)
    _apply(qtbot, job, done)
    assert done == [True]
    with Workspace.open(target) as workspace:
        assert workspace.row("account", "001Dm0000000000001")["name"] == "Acme Robotics"  # type: ignore[index]


def test_csv_folder_of_500_accounts_and_1800_assets(
    qtbot: QtBot, open_window: Any, tmp_path: Path
) -> None:
    target = tmp_path / "Csv.entitle"
    Workspace.create(target).close()
    window = open_window(target)
    job, done = _preview(qtbot, window, CASE_ESCALATION)
    dialog = _dialog(job)
    assert dialog.counts() == {"Accounts": (500, 0, 0, 0), "Assets": (1800, 0, 0, 0)}
    notes = dialog.notes_view.toPlainText().splitlines()
    assert notes[:2] == [
        "CaseAssets.csv: read as Asset",
        "CaseEscalationAccounts.csv: read as Account",
    ]
    assert [n.split(":")[0] for n in notes[2:]] == [
        "Skipped file",
        "Skipped file",
    ]
    assert not dialog.bad_rows_box.isVisibleTo(dialog)
    _apply(qtbot, job, done)
    assert done == [True]
    assert window.counts_label.text().startswith("500 accounts  ·  0 contacts  ·  1,800 assets")
    # the custom columns are kept and shown in the detail pane
    window.select_path("hierarchy", ["Accounts", "Orn and Sons"])
    detail = window.detail_pane.detail
    assert detail is not None
    custom = dict(detail.section("Custom fields"))
    assert custom["Support_Level__c"] == "Basic"
    assert custom["Industry"] == "Public Sector"
    assert "Support_Level__c" in window.detail_pane.text()


def _bad_folder(folder: Path) -> Path:
    folder.mkdir()
    (folder / "Account.csv").write_text("Id,Name\r\n001A,Acme\r\n001B,Globex\r\n")
    (folder / "Entitlement.csv").write_text(
        "Id,Name,AccountId,EndDate\r\n"
        "550A,Phone,001A,2025-12-31\r\n"
        "550B,Web,001A,31.12.2025\r\n"
        "550C,Chat,001Q,2025-12-31\r\n"
        "550D,Mail,001B,2025-06-30\r\n"
    )
    return folder


def test_bad_rows_show_row_and_column_and_block_apply_until_skipped(
    qtbot: QtBot, open_window: Any, tmp_path: Path
) -> None:
    target = tmp_path / "Bad.entitle"
    Workspace.create(target).close()
    window = open_window(target)
    before = _sha(target)
    job, done = _preview(qtbot, window, _bad_folder(tmp_path / "bad"))
    dialog = _dialog(job)
    assert dialog.bad_rows_box.isVisibleTo(dialog)
    assert dialog.bad_rows_box.title() == "Bad rows (2)"
    assert dialog.bad_rows() == [
        ("Entitlement.csv", "3", "EndDate", "'31.12.2025' is not a date (YYYY-MM-DD or M/D/YYYY)"),
        ("Entitlement.csv", "4", "AccountId", "no Account with Id '001Q'"),
    ]
    assert dialog.counts() == {}
    assert not dialog.apply_button.isEnabled()
    assert "Nothing can be imported while rows are bad" in dialog.status.text()
    assert _sha(target) == before

    dialog.skip_box.setChecked(True)
    assert dialog.apply_button.isEnabled()
    assert dialog.counts() == {"Accounts": (2, 0, 0, 0), "Entitlements": (2, 0, 0, 0)}
    _apply(qtbot, job, done)
    assert done == [True]
    assert job.applied is not None and job.applied.skipped_rows == 2
    with Workspace.open(target) as workspace:
        assert workspace.row_keys("entitlement") == ["550D", "550A"]


def test_a_file_that_is_not_a_bundle_or_data_goes_to_the_error_dialog(
    qtbot: QtBot, open_window: Any, demo_files: tuple[Path, Path], tmp_path: Path
) -> None:
    demo, _bundle = demo_files
    target = tmp_path / "Keep.entitle"
    shutil.copy(demo, target)
    window = open_window(target)
    before = _sha(target)
    notes = tmp_path / "notes.json"
    notes.write_text('{"not": "a plan"}')
    job, done = _preview(qtbot, window, notes)
    assert done == [False] and job.outcome == "failed"
    assert job.error_dialog is not None
    assert job.error_dialog.message == (
        "notes.json was not imported; the workspace is unchanged.\n\n"
        "notes.json: neither a bundle (.entitlebundle), Data Loader CSV files nor a data-tree plan"
    )
    job.error_dialog.close()
    assert _sha(target) == before


def test_a_damaged_bundle_is_refused_naming_the_file(
    qtbot: QtBot, open_window: Any, demo_files: tuple[Path, Path], tmp_path: Path
) -> None:
    _demo, bundle = demo_files
    target = tmp_path / "Empty.entitle"
    Workspace.create(target).close()
    window = open_window(target)
    damaged = tmp_path / "damaged.entitlebundle"
    damaged.write_bytes(bundle.read_bytes()[:-200])
    job, done = _preview(qtbot, window, damaged)
    assert done == [False] and job.outcome == "failed"
    assert job.error_dialog is not None
    assert "damaged.entitlebundle" in job.error_dialog.message
    job.error_dialog.close()
    with Workspace.open(target) as workspace:
        assert not any(workspace.summary().counts.values())
