"""The preview shown before a bundle or data files are imported: what would be added,
changed or conflict per record type, the bad rows of data files, then Apply or Cancel."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from entitle_desktop.services.bundle_io import ImportPreview

if TYPE_CHECKING:
    from entitle_desktop.ui.importing import DataPreview

LIST_TITLES: dict[str, str] = {
    "accounts": "Accounts",
    "contacts": "Contacts",
    "products": "Products",
    "assets": "Assets",
    "service_contracts": "Service contracts",
    "contract_line_items": "Contract line items",
    "entitlements": "Entitlements",
    "entitlement_contacts": "Entitlement contacts",
    "business_hours": "Business hours",
    "holidays": "Holidays",
    "milestone_types": "Milestone types",
    "processes": "Entitlement process versions",
    "templates": "Entitlement templates",
    "experiences": "Experiences",
    "other_metadata_files": "Other metadata files",
}
COLUMNS = ("Record type", "Added", "Changed", "Conflicting", "Unchanged")
KEYS_SHOWN = 50


def _cell(table: QTableWidget, row: int, col: int) -> str:
    item = table.item(row, col)
    return item.text() if item is not None else ""


def list_title(list_name: str) -> str:
    return LIST_TITLES.get(list_name, list_name.replace("_", " ").capitalize())


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


class ImportPreviewDialog(QDialog):
    """Counts per record type, conflicting keys, bad rows (with "Skip bad rows") or, for a
    bundle, its problems (references to records that do not exist: Apply stays disabled),
    notes. Accepting it (Apply) means: import everything; rejecting it leaves the workspace
    alone."""

    def __init__(self, result: DataPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importPreviewDialog")
        self.setWindowTitle(f"Import {result.source.name}")
        self.data = result
        self.resize(760, 720)
        layout = QVBoxLayout(self)
        self.title = QLabel(f"<b>Preview: importing {html.escape(result.source.name)}</b>")
        self.title.setObjectName("previewTitle")
        layout.addWidget(self.title)
        self.subtitle = QLabel(self._describe_source())
        self.subtitle.setObjectName("previewSubtitle")
        self.subtitle.setWordWrap(True)
        self.subtitle.setStyleSheet("color: #5f6b7a;")
        layout.addWidget(self.subtitle)

        self.counts_table = QTableWidget(0, len(COLUMNS))
        self.counts_table.setObjectName("previewCounts")
        self.counts_table.setHorizontalHeaderLabels(list(COLUMNS))
        self.counts_table.verticalHeader().setVisible(False)
        self.counts_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.counts_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.counts_table.setShowGrid(False)
        self.counts_table.setAlternatingRowColors(True)
        self.counts_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        first = self.counts_table.horizontalHeaderItem(0)
        if first is not None:
            first.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header = self.counts_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.counts_table, 2 if result.preview.problems else 4)

        self.conflicts_box = QGroupBox("Conflicting keys (same key, a different record)")
        self.conflicts_box.setObjectName("conflictsBox")
        conflicts_layout = QVBoxLayout(self.conflicts_box)
        self.conflicts_view = QPlainTextEdit()
        self.conflicts_view.setObjectName("conflictingKeys")
        self.conflicts_view.setReadOnly(True)
        self.conflicts_view.setMaximumHeight(64)
        conflicts_layout.addWidget(self.conflicts_view)
        layout.addWidget(self.conflicts_box)

        problems = result.preview.problems
        is_bundle = result.kind == "bundle"
        self.bad_rows_box = QGroupBox(
            f"{'Problems' if is_bundle else 'Bad rows'} ({len(problems):,})"
        )
        self.bad_rows_box.setObjectName("badRowsBox")
        bad_layout = QVBoxLayout(self.bad_rows_box)
        self.bad_rows_table = QTableWidget(len(problems), 4)
        self.bad_rows_table.setObjectName("badRows")
        self.bad_rows_table.setHorizontalHeaderLabels(
            ["File", "Record", "Field", "Problem"]
            if is_bundle
            else ["File", "Row", "Column", "Problem"]
        )
        self.bad_rows_table.verticalHeader().setVisible(False)
        self.bad_rows_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.bad_rows_table.setShowGrid(False)
        self.bad_rows_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.bad_rows_table.setMinimumHeight(
            self.bad_rows_table.horizontalHeader().sizeHint().height()
            + min(max(len(problems), 2), 6) * (self.fontMetrics().height() + 12)
        )
        bad_header = self.bad_rows_table.horizontalHeader()
        for col in range(3):
            bad_header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        bad_header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for row, problem in enumerate(problems):
            where = problem.record if problem.record is not None else problem.line
            cells = (
                problem.file,
                "" if where is None else str(where),
                problem.element or "",
                problem.message,
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(problem))
                self.bad_rows_table.setItem(row, col, item)
        bad_layout.addWidget(self.bad_rows_table)
        self.skip_box = QCheckBox(
            f"Skip the {_plural(len(problems), 'bad row')} and import the rest"
        )
        self.skip_box.setObjectName("skipBadRows")
        self.skip_box.toggled.connect(self._refresh)
        self.skip_box.setVisible(not is_bundle)  # a bundle is imported whole or not at all
        bad_layout.addWidget(self.skip_box)
        self.bad_rows_box.setVisible(bool(problems))
        layout.addWidget(self.bad_rows_box, 2)

        self.notes_view = QPlainTextEdit()
        self.notes_view.setObjectName("previewNotes")
        self.notes_view.setReadOnly(True)
        self.notes_view.setMaximumHeight(72)
        layout.addWidget(self.notes_view)

        self.status = QLabel()
        self.status.setObjectName("previewStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton("Apply", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setObjectName("applyButton")
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._refresh()

    # ------------------------------------------------------------------ content
    def _describe_source(self) -> str:
        result = self.data
        if result.kind == "bundle" and result.manifest is not None:
            m = result.manifest
            scope = {
                "workspace": "a whole workspace",
            }.get(m.scope, m.scope.replace(":", ": ", 1))
            model = (m.setup_model or "not set").replace("_", " ")
            return (
                f"Native bundle (format {m.format_version}) of {scope}, made by Entitle Desktop "
                f"{m.app_version} on {m.created:%Y-%m-%d %H:%M} UTC; setup model: {model}."
            )
        if result.kind == "datatree":
            return "sf CLI data-tree plan: records are matched to the workspace by Id."
        return "Data Loader CSV files: records are matched to the workspace by Id."

    def skip_bad_rows(self) -> bool:
        return self.data.kind != "bundle" and self.skip_box.isChecked()

    def shown_preview(self) -> ImportPreview:
        """The preview the dialog shows: with bad rows skipped when that is ticked."""
        if self.skip_bad_rows() and self.data.skipping is not None:
            return self.data.skipping
        return self.data.preview

    def counts(self) -> dict[str, tuple[int, int, int, int]]:
        """Record type title -> (added, changed, conflicting, unchanged), as shown."""
        out: dict[str, tuple[int, int, int, int]] = {}
        for row in range(self.counts_table.rowCount() - 1):  # the last row is the total
            cells = [_cell(self.counts_table, row, col) for col in range(len(COLUMNS))]
            numbers = [int(c.replace(",", "")) for c in cells[1:]]
            out[cells[0]] = (numbers[0], numbers[1], numbers[2], numbers[3])
        return out

    def conflicting_text(self) -> str:
        return self.conflicts_view.toPlainText()

    def bad_rows(self) -> list[tuple[str, str, str, str]]:
        table = self.bad_rows_table
        return [
            (
                _cell(table, r, 0),
                _cell(table, r, 1),
                _cell(table, r, 2),
                _cell(table, r, 3),
            )
            for r in range(table.rowCount())
        ]

    def _refresh(self, _checked: bool = False) -> None:
        preview = self.shown_preview()
        lists = [
            name
            for name in LIST_TITLES
            if name in preview.added
            or name in preview.changed
            or name in preview.conflicting
            or name in preview.unchanged
        ]
        table = self.counts_table
        table.setRowCount(len(lists) + 1)
        totals = [0, 0, 0, 0]
        bold = QFont(table.font())
        bold.setBold(True)
        for row, name in enumerate(lists):
            numbers = [
                len(preview.added.get(name, [])),
                len(preview.changed.get(name, [])),
                len(preview.conflicting.get(name, [])),
                preview.unchanged.get(name, 0),
            ]
            totals = [t + n for t, n in zip(totals, numbers, strict=True)]
            self._set_row(row, list_title(name), numbers)
        self._set_row(len(lists), "Total", totals, bold)
        table.resizeRowsToContents()
        # tall enough for every record type and the total (up to 16 rows), no scrolling
        rows_height = sum(table.rowHeight(r) for r in range(min(table.rowCount(), 16)))
        table.setMinimumHeight(table.horizontalHeader().sizeHint().height() + rows_height + 4)

        lines: list[str] = []
        for name, keys in preview.conflicting.items():
            shown = ", ".join(keys[:KEYS_SHOWN])
            more = f" … and {len(keys) - KEYS_SHOWN:,} more" if len(keys) > KEYS_SHOWN else ""
            lines.append(f"{list_title(name)} ({len(keys):,}): {shown}{more}")
        self.conflicts_view.setPlainText("\n".join(lines))
        self.conflicts_box.setVisible(bool(lines))

        notes = list(preview.notes) + list(preview.warnings)
        notes += [
            f"Missing file (named by the plan, not there): {n}" for n in preview.missing_files
        ]
        notes += [f"Skipped file: {n}" for n in preview.skipped_files]
        if preview.settings_changed:
            notes.append(
                "Workspace settings differ from the bundle's (applied only from a "
                "whole-workspace bundle or into an empty workspace)"
            )
        self.notes_view.setPlainText("\n".join(notes))
        self.notes_view.setVisible(bool(notes))

        blocked = bool(self.data.preview.problems) and not self.skip_bad_rows()
        self.apply_button.setEnabled(not blocked)
        if blocked and self.data.kind == "bundle":
            self.status.setText(
                "<b style='color:#b3261e'>Nothing can be imported: the bundle refers to "
                "records that are neither in it nor in the workspace.</b> Fix the file, or "
                "import the records it refers to first."
            )
        elif blocked:
            self.status.setText(
                "<b style='color:#b3261e'>Nothing can be imported while rows are bad.</b> "
                "Fix the file, or tick “Skip bad rows” to import the rest."
            )
        else:
            conflicts = sum(len(v) for v in preview.conflicting.values())
            replaced = (
                f" {_plural(conflicts, 'conflicting record')} will be replaced by the file's."
                if conflicts
                else ""
            )
            self.status.setText(
                f"Apply imports everything or nothing, in one step that cannot be undone.{replaced}"
            )

    def _set_row(self, row: int, title: str, numbers: list[int], font: QFont | None = None) -> None:
        cells = [QTableWidgetItem(title)] + [QTableWidgetItem(f"{n:,}") for n in numbers]
        for col, cell in enumerate(cells):
            if col:
                cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if font is not None:
                cell.setFont(font)
            self.counts_table.setItem(row, col, cell)
