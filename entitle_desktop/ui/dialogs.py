"""Dialogs: the one error path (non-modal, with "Copy details") and the import summary."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from entitle_desktop.services.bundle_io import list_label


class ErrorDialog(QDialog):
    """A non-modal error: a message the user can act on (file, element) and details
    (the message again for bad input, a traceback for bugs) with a "Copy details" button."""

    def __init__(
        self, title: str, message: str, details: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("errorDialog")
        self.setWindowTitle(title)
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(640, 360)
        self.message = message
        self.details = details or message

        layout = QVBoxLayout(self)
        heading = QLabel(f"<b>{html.escape(title)}</b>")
        layout.addWidget(heading)
        self.message_label = QLabel(message)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message_label)
        self.details_view = QPlainTextEdit(self.details)
        self.details_view.setReadOnly(True)
        self.details_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        layout.addWidget(self.details_view, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy details")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(f"{self.message}\n\n{self.details}".strip())


def show_error(parent: QWidget | None, title: str, message: str, details: str = "") -> ErrorDialog:
    dialog = ErrorDialog(title, message, details, parent)
    dialog.show()
    return dialog


def _pretty(key: str) -> str:
    return list_label(key).capitalize()


def _section_html(title: str, items: Sequence[str], empty: str, counted: bool = True) -> str:
    head = f"<h3>{html.escape(title)}{f' ({len(items)})' if counted else ''}</h3>"
    if not items:
        return head + f"<p style='color:#666'>{html.escape(empty)}</p>"
    lines = "".join(f"<li>{html.escape(item)}</li>" for item in items)
    return head + f"<ul>{lines}</ul>"


class ImportSummaryDialog(QDialog):
    """What an import did: counts added/updated, warnings, placeholders, kept elements."""

    def __init__(
        self,
        source_name: str,
        added: Mapping[str, int],
        updated: Mapping[str, int],
        warnings: Sequence[str],
        placeholders: Mapping[str, Sequence[str]] | None,
        unknown_elements: Sequence[str] | None,
        files_kept: Sequence[str] | None,
        dry_run: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importSummaryDialog")
        self.setWindowTitle("Import summary")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(620, 560)
        layout = QVBoxLayout(self)
        verb = "Checked (dry run, nothing saved)" if dry_run else "Imported"
        self.title = QLabel(f"<b>{verb} {html.escape(source_name)}</b>")
        layout.addWidget(self.title)
        #: what the dialog lists, section title -> lines (the same text as shown)
        # (sections given as None do not apply to the kind of import and are left out)
        self.sections: dict[str, list[str]] = {
            "Added": [f"{_pretty(k)}: {v}" for k, v in added.items() if v],
            "Updated": [f"{_pretty(k)}: {v}" for k, v in updated.items() if v],
            "Warnings": list(warnings),
        }
        if placeholders is not None:
            self.sections["Placeholders (referenced but not in the project)"] = [
                f"{_pretty(kind)}: {name}" for kind, names in placeholders.items() for name in names
            ]
        if unknown_elements is not None:
            self.sections["Unknown elements kept verbatim"] = list(unknown_elements)
        if files_kept is not None:
            self.sections["Other metadata files kept"] = list(files_kept)
        empty = {
            "Added": "Nothing new.",
            "Updated": "Nothing changed.",
            "Warnings": "No warnings.",
            "Placeholders (referenced but not in the project)": "None created by this import.",
        }
        parts = [
            _section_html(
                name, lines, empty.get(name, "None."), counted=name not in ("Added", "Updated")
            )
            for name, lines in self.sections.items()
        ]
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setHtml("".join(parts))
        layout.addWidget(self.browser, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    def text(self) -> str:
        return self.browser.toPlainText()


class ExportSummaryDialog(QDialog):
    """What an export wrote: the file count, the output path and the files."""

    def __init__(
        self,
        out: Path,
        files: Sequence[str],
        counts: Mapping[str, int] | None = None,
        parent: QWidget | None = None,
        warnings: Sequence[str] = (),
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportSummaryDialog")
        self.setWindowTitle("Export summary")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(620, 460)
        self.out = out
        self.files = list(files)
        layout = QVBoxLayout(self)
        noun = "file" if len(self.files) == 1 else "files"
        self.headline = f"Exported {len(self.files)} {noun} to {out}"
        self.title = QLabel(
            f"<b>Exported {len(self.files)} {noun}</b> to<br>{html.escape(str(out))}"
        )
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.warnings = list(warnings)
        parts = [_section_html("Files", self.files, "No files.")]
        if self.warnings:
            parts.insert(0, _section_html("Warnings", self.warnings, "None."))
        if counts:
            parts.append(
                _section_html(
                    "Records in the bundle",
                    [f"{_pretty(k)}: {v:,}" for k, v in counts.items()],
                    "None.",
                    counted=False,
                )
            )
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setHtml("".join(parts))
        layout.addWidget(self.browser, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    def text(self) -> str:
        return f"{self.headline}\n{self.browser.toPlainText()}"
