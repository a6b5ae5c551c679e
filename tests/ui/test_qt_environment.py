"""The Qt environment the app relies on: fonts, the PySide6 6.12 trap, the leak fixture."""

from __future__ import annotations

import gc
from typing import Any

from PySide6.QtCore import QThread, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


def test_fonts_are_installed() -> None:
    assert len(QFontDatabase.families()) > 0


def test_label_renders_glyphs_not_empty_boxes(qtbot: QtBot) -> None:
    label = QLabel("Entitlement Ääö 123")
    qtbot.addWidget(label)
    label.setStyleSheet("color: black; background: white;")
    label.adjustSize()
    image = label.grab().toImage()
    dark = sum(
        1
        for x in range(image.width())
        for y in range(image.height())
        if QColor(image.pixel(x, y)).lightness() < 128
    )
    assert label.fontMetrics().horizontalAdvance(label.text()) > 60
    assert all(label.fontMetrics().inFontUcs4(ord(ch)) for ch in "EntÄö1")
    assert dark > 60


def test_a_font_covers_chinese_names_so_they_render_as_glyphs_not_boxes(qtbot: QtBot) -> None:
    # packaging/install-system-deps.sh installs fonts-noto-cjk; DejaVu has no CJK glyphs.
    families = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    assert families, "no font for Chinese: run packaging/install-system-deps.sh"
    assert any(f.startswith("Noto Sans CJK") for f in families)
    assert all(QFontMetrics(QFont("Noto Sans CJK SC")).inFontUcs4(ord(ch)) for ch in "金牌支持")
    # A widget in the app's default font (DejaVu) gets the glyphs through font fallback;
    # without a CJK font Qt draws a box with the code point instead.
    label = QLabel("金牌支持")
    qtbot.addWidget(label)
    label.setStyleSheet("color: black; background: white;")
    label.adjustSize()
    assert all(label.fontMetrics().inFontUcs4(ord(ch)) for ch in "金牌支持")
    image = label.grab().toImage()
    dark = sum(
        1
        for x in range(image.width())
        for y in range(image.height())
        if QColor(image.pixel(x, y)).lightness() < 128
    )
    assert dark > 60


def test_fifty_thousand_standard_items_survive() -> None:
    # PySide6 6.12.0 on Python 3.11 over-released None per QStandardItem and aborted
    # with "none_dealloc" somewhere in the tens of thousands.
    model = QStandardItemModel()
    root = model.invisibleRootItem()
    for i in range(50_000):
        root.appendRow(QStandardItem(f"item {i}"))
    assert model.rowCount() == 50_000
    assert model.item(49_999).text() == "item 49999"
    del root
    del model
    gc.collect()
    assert None is None  # still alive


def test_leak_tracker_reports_running_timer_and_thread(
    fail_on_dangling_qt_work: Any,
) -> None:
    timer = QTimer()
    timer.setObjectName("forgotten")
    timer.start(60_000)
    thread = QThread()
    thread.start()  # runs an event loop until quit()
    try:
        assert fail_on_dangling_qt_work.dangling() == [
            "QThread QThread still running",
            "QTimer forgotten still active",
        ]
    finally:
        timer.stop()
        thread.quit()
        thread.wait(5_000)
    assert fail_on_dangling_qt_work.dangling() == []


def test_leak_tracker_reports_pending_single_shot(
    qtbot: QtBot, fail_on_dangling_qt_work: Any
) -> None:
    fired: list[bool] = []
    QTimer.singleShot(10, lambda: fired.append(True))
    assert fail_on_dangling_qt_work.dangling() == ["QTimer.singleShot (10 ms) has not fired"]
    qtbot.waitUntil(lambda: fired == [True], timeout=2_000)
    assert fail_on_dangling_qt_work.dangling() == []
