"""Qt fixtures for the UI tests.

- Qt runs offscreen (set before any Qt import).
- QSettings go to a per-test folder, so recent files and window geometry never touch
  the user's real settings and never leak between tests.
- Like napari, a test fails when it leaves a QThread, a QThreadPool worker or a QTimer
  started from Python running.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QSettings, QThread, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
CORPUS = SHARED / "corpus" / "salesforce-metadata"


# The offscreen platform plugin warns about a window-manager feature it lacks; that is
# the test platform talking, not the app.
_OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        for item in items:
            if Path(__file__).parent in Path(item.path).parents:
                item.add_marker(pytest.mark.qt_log_ignore(_OFFSCREEN_NOISE, extend=True))


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "qsettings"
    folder.mkdir()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


@dataclass
class QtWorkTracker:
    """Records QThreads and QTimers started from Python during one test."""

    threads: list[QThread] = field(default_factory=list)
    timers: list[QTimer] = field(default_factory=list)
    single_shots: list[list[Any]] = field(default_factory=list)  # [description, fired]

    def dangling(self) -> list[str]:
        found = []
        for thread in self.threads:
            if shiboken6.isValid(thread) and thread.isRunning():
                found.append(f"QThread {type(thread).__name__} still running")
        for timer in self.timers:
            if shiboken6.isValid(timer) and timer.isActive():
                found.append(f"QTimer {timer.objectName() or hex(id(timer))} still active")
        for description, fired in self.single_shots:
            if not fired:
                found.append(f"QTimer.singleShot {description} has not fired")
        active = QThreadPool.globalInstance().activeThreadCount()
        if active:
            found.append(f"{active} QThreadPool worker(s) still running")
        return found


@pytest.fixture(autouse=True)
def fail_on_dangling_qt_work(
    monkeypatch: pytest.MonkeyPatch, qapp: QApplication
) -> Iterator[QtWorkTracker]:
    tracker = QtWorkTracker()
    thread_start = QThread.start
    timer_start = QTimer.start
    single_shot = QTimer.singleShot

    def start_thread(self: QThread, *args: Any) -> None:
        tracker.threads.append(self)
        thread_start(self, *args)

    def start_timer(self: QTimer, *args: Any) -> None:
        tracker.timers.append(self)
        timer_start(self, *args)

    def start_single_shot(msec: int, *args: Any) -> None:
        entry: list[Any] = [f"({msec} ms)", False]
        tracker.single_shots.append(entry)
        *head, target = args
        if callable(target) and not hasattr(target, "emit"):

            def fired() -> None:
                entry[1] = True
                target()

            single_shot(msec, *head, fired)  # type: ignore[call-overload]
        else:
            entry[1] = True  # a signal or slot name: not tracked
            single_shot(msec, *args)  # type: ignore[call-overload]

    monkeypatch.setattr(QThread, "start", start_thread)
    monkeypatch.setattr(QTimer, "start", start_timer)
    monkeypatch.setattr(QTimer, "singleShot", staticmethod(start_single_shot))
    yield tracker
    leaks = tracker.dangling()
    # Clean up before failing so one leak does not cascade into later tests.
    for thread in tracker.threads:
        if shiboken6.isValid(thread) and thread.isRunning():
            thread.quit()
            thread.wait(5_000)
    for timer in tracker.timers:
        if shiboken6.isValid(timer):
            timer.stop()
    QThreadPool.globalInstance().waitForDone(5_000)
    if leaks:
        pytest.fail("Test left Qt work running: " + "; ".join(leaks), pytrace=False)


@pytest.fixture
def process_events(qapp: QApplication) -> Callable[[], None]:
    def run() -> None:
        for _ in range(3):
            qapp.processEvents()

    return run
