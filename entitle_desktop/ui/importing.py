"""File › Import Salesforce Metadata, and File › Import Bundle or Data Files: the work runs
on a worker thread with a progress dialog and a Cancel button, then shows a summary (or the
error). Bundles and data files are previewed first and applied all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from entitle_desktop.interchange.bundle import BundleManifest, is_bundle
from entitle_desktop.interchange.errors import InterchangeError
from entitle_desktop.services import bundle_io, csv_io, metadata_import
from entitle_desktop.services.bundle_io import ImportPreview
from entitle_desktop.services.workspace import Workspace
from entitle_desktop.ui.dialogs import ErrorDialog, ImportSummaryDialog, show_error
from entitle_desktop.ui.import_preview import ImportPreviewDialog
from entitle_desktop.ui.tasks import BackgroundTask, ProgressTask, TaskCancelled, TaskState


def run_import(workspace_path: Path, source: Path, state: TaskState) -> tuple[Any, Any]:
    """The worker's function: its own Workspace (never shared across threads)."""
    with Workspace.open(workspace_path) as workspace:
        try:
            summary = metadata_import.import_metadata(
                workspace,
                source,
                progress=state.progress,
                cancelled=lambda: state.cancelled,
            )
        except metadata_import.ImportCancelled as exc:
            raise TaskCancelled() from exc
        # The placeholders this import created (older summaries lack the field: then
        # every placeholder in the workspace).
        placeholders = getattr(summary, "placeholders", None)
        if placeholders is None:
            placeholders = workspace.summary().placeholders
    return summary, placeholders


def is_user_error(exc: BaseException) -> bool:
    """Errors the user can fix (bad file, unreadable folder) vs bugs (traceback)."""
    if isinstance(exc, OSError):
        return True
    return type(exc).__module__.startswith("entitle_desktop.") and not isinstance(
        exc, AssertionError
    )


class MetadataImport(QObject):
    """One import job. ``finished(imported)`` is emitted once, after the thread ended
    and the summary (or error) dialog is shown; ``imported`` is False on error/cancel."""

    finished = Signal(bool)

    def __init__(self, workspace_path: Path, source: Path, parent: QWidget) -> None:
        super().__init__(parent)
        self.window = parent
        self.workspace_path = workspace_path
        self.source = source
        self.summary_dialog: ImportSummaryDialog | None = None
        self.error_dialog: ErrorDialog | None = None
        self.outcome = ""  # "imported" | "failed" | "cancelled"
        self.task = BackgroundTask(lambda state: run_import(workspace_path, source, state), self)
        self.progress = QProgressDialog(f"Importing {source.name}…", "Cancel", 0, 0, parent)
        self.progress.setObjectName("importProgress")
        self.progress.setWindowTitle("Import Salesforce Metadata")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.setMinimumWidth(420)
        self.progress.canceled.connect(self.cancel)
        self.task.progressed.connect(self._on_progress)
        self.task.succeeded.connect(self._on_succeeded)
        self.task.failed.connect(self._on_failed)
        self.task.cancelled.connect(self._on_cancelled)

    def start(self) -> None:
        self.progress.show()
        self.task.start()

    def cancel(self) -> None:
        self.progress.setLabelText("Cancelling…")
        self.task.cancel()

    def cancel_and_wait(self) -> None:
        self.task.cancel()
        self.task.wait()

    def is_running(self) -> bool:
        return self.task.is_running()

    def _on_progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.progress.setMaximum(total)
            self.progress.setValue(min(done, total))
        if message:
            self.progress.setLabelText(message)

    def _close_progress(self) -> None:
        self.progress.canceled.disconnect(self.cancel)
        self.progress.close()
        self.progress.deleteLater()

    def _on_succeeded(self, result: tuple[Any, Any]) -> None:
        self._close_progress()
        summary, placeholders = result
        self.summary_dialog = ImportSummaryDialog(
            self.source.name,
            added=summary.added,
            updated=summary.updated,
            warnings=summary.warnings,
            placeholders=placeholders,
            unknown_elements=summary.unknown_elements,
            files_kept=summary.files_kept,
            dry_run=summary.dry_run,
            parent=self.window,
        )
        self.summary_dialog.show()
        self.outcome = "imported"
        self.finished.emit(True)

    def _on_failed(self, exc: BaseException, details: str) -> None:
        self._close_progress()
        if is_user_error(exc):
            message = f"{self.source.name} was not imported; the workspace is unchanged.\n\n{exc}"
            details = f"Source: {self.source}\n{type(exc).__name__}: {exc}"
        else:
            message = f"Importing {self.source.name} failed because of a bug: {exc}"
        self.error_dialog = show_error(self.window, "Import failed", message, details)
        self.outcome = "failed"
        self.finished.emit(False)

    def _on_cancelled(self) -> None:
        self._close_progress()
        self.outcome = "cancelled"
        self.finished.emit(False)


# --------------------------------------------------------------------------- bundles and data files

BUNDLE_SUFFIX = ".entitlebundle"


@dataclass(frozen=True, slots=True)
class DataPreview:
    """What importing ``source`` would do. ``skipping`` is the preview with the bad rows
    left out (only for data files that have bad rows)."""

    source: Path
    kind: str  # "bundle" | "csv" | "datatree"
    preview: ImportPreview
    skipping: ImportPreview | None = None
    manifest: BundleManifest | None = None


def source_kind(source: Path) -> str:
    """``bundle`` (by suffix, or by its manifest when renamed), ``csv`` or ``datatree``;
    anything else is refused with the file named."""
    if is_bundle(source):
        return "bundle"
    kind = csv_io.data_source_kind(source)
    if kind is None:
        raise InterchangeError(
            source.name,
            "neither a bundle (.entitlebundle), Data Loader CSV files nor a data-tree plan",
        )
    return kind


def run_preview(workspace_path: Path, source: Path, state: TaskState) -> DataPreview:
    """The worker's preview (nothing written)."""
    state.progress(0, 0, f"Reading {source.name}…")
    kind = source_kind(source)
    with Workspace.open(workspace_path) as workspace:
        if kind == "bundle":
            preview, _records, manifest = bundle_io.preview_bundle(workspace, source)
            return DataPreview(source, kind, preview, None, manifest)
        preview, _records = csv_io.preview_data(workspace, source)
        state.raise_if_cancelled()
        skipping = None
        if preview.problems:
            skipping, _records = csv_io.preview_data(workspace, source, skip_bad_rows=True)
    return DataPreview(source, kind, preview, skipping)


def run_apply(
    workspace_path: Path, source: Path, kind: str, skip_bad_rows: bool, state: TaskState
) -> ImportPreview:
    """The worker's import: one transaction. Cancel raises inside it, so it rolls back."""

    def progress(done: int, total: int, message: str) -> None:
        state.raise_if_cancelled()
        state.progress(done, total, f"Importing {message.replace('_', ' ')}…")

    with Workspace.open(workspace_path) as workspace:
        if kind == "bundle":
            return bundle_io.import_bundle(workspace, source, progress=progress)
        return csv_io.import_data(workspace, source, skip_bad_rows=skip_bad_rows, progress=progress)


class DataImport(QObject):
    """File › Import Bundle or Data Files: preview off the UI thread, the preview dialog,
    then apply all or nothing. ``finished(imported)`` is emitted once."""

    finished = Signal(bool)

    def __init__(self, workspace_path: Path, source: Path, parent: QWidget) -> None:
        super().__init__(parent)
        self.window = parent
        self.workspace_path = workspace_path
        self.source = source
        self.result: DataPreview | None = None
        self.preview_dialog: ImportPreviewDialog | None = None
        self.summary_dialog: ImportSummaryDialog | None = None
        self.error_dialog: ErrorDialog | None = None
        self.applied: ImportPreview | None = None
        self.outcome = ""  # "imported" | "failed" | "cancelled"
        self.task: ProgressTask | None = None

    def start(self) -> None:
        path, source = self.workspace_path, self.source
        self._run(
            ProgressTask(
                lambda state: run_preview(path, source, state),
                "Import",
                f"Reading {source.name}…",
                self.window,
                object_name="previewProgress",
            ),
            self._on_preview,
        )

    def _run(self, task: ProgressTask, on_success: Any) -> None:
        self.task = task
        task.succeeded.connect(on_success)
        task.failed.connect(self._on_failed)
        task.cancelled.connect(self._on_cancelled)
        task.start()

    def _end_task(self) -> None:
        if self.task is not None:
            self.task.deleteLater()
        self.task = None

    def is_running(self) -> bool:
        return self.task is not None and self.task.is_running()

    def cancel_and_wait(self) -> None:
        if self.task is not None:
            self.task.cancel_and_wait()

    def _on_preview(self, result: DataPreview) -> None:
        self._end_task()
        self.result = result
        dialog = ImportPreviewDialog(result, self.window)
        self.preview_dialog = dialog
        dialog.accepted.connect(self.apply)
        dialog.rejected.connect(self._on_cancelled)
        dialog.open()

    def apply(self) -> None:
        assert self.result is not None and self.preview_dialog is not None
        skip = self.preview_dialog.skip_bad_rows()
        path, source, kind = self.workspace_path, self.source, self.result.kind
        self._run(
            ProgressTask(
                lambda state: run_apply(path, source, kind, skip, state),
                "Import",
                f"Importing {source.name}…",
                self.window,
                object_name="applyProgress",
            ),
            self._on_applied,
        )

    def _on_applied(self, applied: ImportPreview) -> None:
        self._end_task()
        self.applied = applied
        counts = applied.counts()
        updated = dict(counts["changed"])
        for key, value in counts["conflicting"].items():
            updated[key] = updated.get(key, 0) + value
        notes = list(applied.warnings)
        if applied.skipped_rows:
            notes.insert(0, f"{applied.skipped_rows} bad row(s) skipped")
        notes += [f"missing file: {name}" for name in applied.missing_files]
        self.summary_dialog = ImportSummaryDialog(
            self.source.name,
            added=counts["added"],
            updated=updated,
            warnings=notes,
            placeholders=None,
            unknown_elements=None,
            files_kept=None,
            parent=self.window,
        )
        self.summary_dialog.show()
        self.outcome = "imported"
        self.finished.emit(True)

    def _on_failed(self, exc: BaseException, details: str) -> None:
        self._end_task()
        if is_user_error(exc):
            message = f"{self.source.name} was not imported; the workspace is unchanged.\n\n{exc}"
            details = f"Source: {self.source}\n{type(exc).__name__}: {exc}"
        else:
            message = f"Importing {self.source.name} failed because of a bug: {exc}"
        self.error_dialog = show_error(self.window, "Import failed", message, details)
        self.outcome = "failed"
        self.finished.emit(False)

    def _on_cancelled(self) -> None:
        self._end_task()
        self.outcome = "cancelled"
        self.finished.emit(False)
