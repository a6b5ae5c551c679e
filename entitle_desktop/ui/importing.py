"""File › Import Salesforce Metadata: the import runs on a worker thread with a
progress dialog and a Cancel button, then shows a summary (or the error)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from entitle_desktop.services import metadata_import
from entitle_desktop.services.workspace import Workspace
from entitle_desktop.ui.dialogs import ErrorDialog, ImportSummaryDialog, show_error
from entitle_desktop.ui.tasks import BackgroundTask, TaskCancelled, TaskState


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
