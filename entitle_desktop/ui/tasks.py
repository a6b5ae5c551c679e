"""Long work off the UI thread.

A task is a plain function that takes a :class:`TaskState` (progress reports and a
cooperative cancel flag, no Qt) and returns a result. :class:`BackgroundTask` runs it on
its own ``QThread`` and delivers the outcome on the UI thread through signals.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget


class TaskCancelled(Exception):
    """Raised inside a task when the user asked to cancel it."""


class TaskState:
    """Progress and cancel flag shared between a task and the UI (thread-safe)."""

    def __init__(self, report: Callable[[int, int, str], None] | None = None) -> None:
        self._cancel = threading.Event()
        self._report = report

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def raise_if_cancelled(self) -> None:
        if self._cancel.is_set():
            raise TaskCancelled()

    def progress(self, done: int, total: int, message: str = "") -> None:
        if self._report is not None:
            self._report(done, total, message)


class _TaskThread(QThread):
    progressed = Signal(int, int, str)

    def __init__(self, fn: Callable[[TaskState], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.fn = fn
        self.state = TaskState(self.progressed.emit)
        self.result: Any = None
        self.error: BaseException | None = None
        self.details = ""

    def run(self) -> None:
        try:
            self.result = self.fn(self.state)
        except BaseException as exc:  # delivered to the UI thread, never swallowed
            self.error = exc
            self.details = "".join(traceback.format_exception(exc))


class BackgroundTask(QObject):
    """Runs ``fn(state)`` on a worker thread.

    Exactly one of ``succeeded(result)``, ``failed(exception, details)`` or
    ``cancelled()`` is emitted on the UI thread, after the thread has finished.
    """

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object, str)
    cancelled = Signal()

    def __init__(self, fn: Callable[[TaskState], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = _TaskThread(fn, self)
        self._thread.progressed.connect(self.progressed)
        self._thread.finished.connect(self._on_finished)
        self._done = False

    @property
    def state(self) -> TaskState:
        return self._thread.state

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._thread.state.cancel()

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def wait(self, msecs: int = 30_000) -> bool:
        return bool(self._thread.wait(msecs))

    def is_done(self) -> bool:
        return self._done

    def _on_finished(self) -> None:
        self._done = True
        thread = self._thread
        if isinstance(thread.error, TaskCancelled) or (
            thread.error is None and thread.state.cancelled and thread.result is None
        ):
            self.cancelled.emit()
        elif thread.error is not None:
            self.failed.emit(thread.error, thread.details)
        else:
            self.succeeded.emit(thread.result)


class ProgressTask(QObject):
    """A :class:`BackgroundTask` shown in a window-modal progress dialog with Cancel.

    The progress dialog is closed before exactly one of ``succeeded(result)``,
    ``failed(exception, details)`` or ``cancelled()`` is emitted.
    """

    succeeded = Signal(object)
    failed = Signal(object, str)
    cancelled = Signal()

    def __init__(
        self,
        fn: Callable[[TaskState], Any],
        title: str,
        label: str,
        parent: QWidget,
        object_name: str = "taskProgress",
    ) -> None:
        super().__init__(parent)
        self.task = BackgroundTask(fn, self)
        self.progress = QProgressDialog(label, "Cancel", 0, 0, parent)
        self.progress.setObjectName(object_name)
        self.progress.setWindowTitle(title)
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.setMinimumWidth(420)
        self.progress.canceled.connect(self.cancel)
        self.task.progressed.connect(self._on_progress)
        self.task.succeeded.connect(lambda result: self._finish(self.succeeded.emit, result))
        self.task.failed.connect(lambda exc, details: self._finish(self.failed.emit, exc, details))
        self.task.cancelled.connect(lambda: self._finish(self.cancelled.emit))

    def start(self) -> None:
        self.progress.show()
        self.task.start()

    def cancel(self) -> None:
        self.progress.setLabelText("Cancelling…")
        self.task.cancel()

    def cancel_and_wait(self) -> None:
        self.task.cancel()
        self.task.wait()

    def wait(self, msecs: int = 30_000) -> bool:
        return self.task.wait(msecs)

    def is_running(self) -> bool:
        return self.task.is_running()

    def _on_progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.progress.setMaximum(total)
            self.progress.setValue(min(done, total))
        if message:
            self.progress.setLabelText(message)

    def _finish(self, emit: Callable[..., None], *args: Any) -> None:
        self.progress.canceled.disconnect(self.cancel)
        self.progress.close()
        self.progress.deleteLater()
        emit(*args)
