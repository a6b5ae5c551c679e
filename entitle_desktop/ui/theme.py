"""A calm, light look that is the same on every platform (Fusion + a soft palette)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

_STYLE_SHEET = """
QTreeView, QTableView { border: 1px solid #d5dae1; }
QTableView { gridline-color: #e6e9ee; }
QHeaderView::section {
    background: #f1f3f6; border: none; border-bottom: 1px solid #d5dae1;
    border-right: 1px solid #e3e6eb; padding: 4px 6px; color: #3a4a5c;
}
QLineEdit { padding: 3px 6px; border: 1px solid #c9cfd8; border-radius: 4px; background: white; }
QLineEdit:focus { border-color: #4a7ab8; }
QStatusBar { color: #4a5562; }
QTabBar::tab { padding: 5px 14px; }
QLabel#tableCaption { color: #26323f; padding: 2px 0; }
"""


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#f7f8fa"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#f3f6fa"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#3d6fb0"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.ToolTipBase, QColor("#fffbe6"))
    palette.setColor(QPalette.ColorRole.ToolTipText, QColor("#222222"))
    app.setPalette(palette)
    app.setStyleSheet(_STYLE_SHEET)
