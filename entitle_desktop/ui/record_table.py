"""The record table: columns sized by what they hold, rows no taller than their text.

Short fields (dates, numbers, ids, yes/no, picklist words) get the width of their
widest value and never give way; names share the room that is left, down to half their
width on two lines; long text (notes, criteria) gives way first, to at most two lines.
Whatever does not fit is elided, with the full text in the tooltip and the detail pane.
When even that does not fit, the table scrolls sideways rather than crush a column.

Widths are measured on the rows the model has fetched (the first page, then each page
as it comes into view), never by reading the whole table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QResizeEvent, QTextLayout, QTextOption
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from entitle_desktop.ui.catalog import Fit, Row
from entitle_desktop.ui.models import RecordTableModel

MAX_TEXT_LINES = 2
# Rows of tables up to this size are each as tall as their text needs (one page of the
# model, so every row is at hand); bigger tables keep one line per row.
FITTED_ROWS = 200
SAMPLE_ROWS = 200  # rows measured for the widths when a table is shown
NAME_FLOOR = 120  # a name gives way down to this, or to half its width (two lines)
TEXT_FLOOR = 140  # two lines of this still read as a sentence
NAME_CAP = 360  # longer names are elided rather than crowd the other columns out
TEXT_CAP = 900
LINE_SEPARATOR = "\u2028"
CELL_GAP = 10  # space between columns (the table draws no grid)
HEADER_PADDING = 18  # the theme's section padding and border, and a little air
ROW_PADDING = 10  # above and below the text of a row


def fitted_widths(natural: Sequence[int], floors: Sequence[int], available: int) -> list[int]:
    """Column widths that fit ``available`` pixels: columns keep their natural width while
    they fit; otherwise the widest are capped at one common width (never below their
    floor), so a long criteria column gives way before a name and a name before a date.
    When even the floors do not fit, the floors (the table scrolls sideways); when there
    is room to spare, the last column takes it."""
    if sum(natural) <= available:
        widths = list(natural)
        if widths:
            widths[-1] += available - sum(widths)
        return widths
    low, high = 0, max(natural)
    while low < high:  # the largest cap at which everything still fits
        cap = (low + high + 1) // 2
        if sum(max(min(w, cap), f) for w, f in zip(natural, floors, strict=True)) <= available:
            low = cap
        else:
            high = cap - 1
    return [max(min(w, low), f) for w, f in zip(natural, floors, strict=True)]


def column_floor(fit: Fit, natural: int) -> int:
    """The narrowest a column of this fit is made to fit the table: short fields never
    give way; names only as far as they still fit on two lines (or ``NAME_FLOOR``);
    long text down to ``TEXT_FLOOR``."""
    if fit is Fit.SHORT:
        return natural
    if fit is Fit.NAME:
        return min(natural, max(NAME_FLOOR, natural // 2 + CELL_GAP * 2))
    return min(natural, TEXT_FLOOR)


def column_cap(fit: Fit, natural: int) -> int:
    if fit is Fit.NAME:
        return min(natural, NAME_CAP)
    if fit is Fit.TEXT:
        return min(natural, TEXT_CAP)
    return natural


def two_lines(text: str, font: QFont, width: int, mode: Qt.TextElideMode) -> str:
    """``text`` on at most two lines of ``width`` pixels: broken at a word on the first,
    the rest elided on the second (the two joined by a Unicode line separator, which
    the item view's text layout breaks at)."""
    flat = " ".join(text.split())
    metrics = QFontMetrics(font)
    if width <= 0 or metrics.horizontalAdvance(flat) <= width:
        return flat
    layout = QTextLayout(flat, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(width)
    end = line.textStart() + line.textLength()
    layout.endLayout()
    first, rest = flat[:end].rstrip(), flat[end:].strip()
    if not rest:
        return first
    return f"{first}{LINE_SEPARATOR}{metrics.elidedText(rest, mode, width)}"


class RecordCellDelegate(QStyledItemDelegate):
    """Draws name and long-text cells on up to two lines when their row is that tall."""

    def __init__(self, view: RecordTableView) -> None:
        super().__init__(view)
        self._view = view

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        if self._view.column_fit(index.column()) is Fit.SHORT:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        if opt.rect.height() >= self._view.row_height(MAX_TEXT_LINES):
            width = self._view.text_width(opt.rect.width())
            opt.text = two_lines(opt.text, opt.font, width, opt.textElideMode)
            # The lines are broken already; wrapping keeps the style from eliding them as one.
            opt.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)


class RecordTableView(QTableView):
    """A read-only table of a :class:`RecordTableModel` that sizes its own columns and
    rows whenever the model is reset, pages in more rows or the view is resized."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        # Names that differ at the end ("... (EMEA contract)") keep their start and end.
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setShowGrid(False)
        self.setItemDelegate(RecordCellDelegate(self))
        vertical = self.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.row_height(1))
        header = self.horizontalHeader()
        header.setStretchLastSection(False)  # fitted_widths hands the last column the rest
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._fits: list[Fit] = []
        self._natural: list[int] = []  # header and widest fetched value, per column
        self._measured: object = None  # the source the widths were measured on
        self._fitting = False

    # ---------------------------------------------------------------- model
    def record_model(self) -> RecordTableModel | None:
        model = self.model()
        return model if isinstance(model, RecordTableModel) else None

    def setModel(self, model: object) -> None:  # type: ignore[override]
        old = self.record_model()
        if old is not None:
            old.modelReset.disconnect(self.fit_columns)
            old.rows_fetched.disconnect(self._on_rows_fetched)
        super().setModel(model)  # type: ignore[arg-type]
        new = self.record_model()
        if new is not None:
            new.modelReset.connect(self.fit_columns)
            # Queued: pages are fetched while the view paints; widen columns after that.
            new.rows_fetched.connect(self._on_rows_fetched, Qt.ConnectionType.QueuedConnection)
        self.fit_columns()

    # ---------------------------------------------------------------- measuring
    def column_fit(self, column: int) -> Fit:
        return self._fits[column] if 0 <= column < len(self._fits) else Fit.NAME

    def row_height(self, lines: int) -> int:
        metrics = self.fontMetrics()
        return metrics.height() + (lines - 1) * metrics.lineSpacing() + ROW_PADDING

    def text_width(self, cell_width: int) -> int:
        """The room for text in a cell of ``cell_width`` (the style's margins taken off)."""
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self)
        return cell_width - 2 * (margin + 1)

    def _measure(self, rows: Iterable[Row], widths: list[int]) -> list[int]:
        """``widths`` widened to the values of ``rows`` (on one line, with the gap)."""
        metrics = self.fontMetrics()
        out = list(widths)
        for row in rows:
            for col, value in enumerate(row.values[: len(out)]):
                if value:
                    advance = metrics.horizontalAdvance(" ".join(value.split()))
                    out[col] = max(out[col], advance + CELL_GAP + 4)
        return out

    def fit_columns(self) -> None:
        """Measure the columns (header and fetched rows) and size columns and rows."""
        model = self.record_model()
        if model is None:
            return
        columns = model.columns
        header = self.horizontalHeader()
        same_source = self._measured is model.source and self._fits == [c.fit for c in columns]
        self._fits = [c.fit for c in columns]
        if not same_source:  # a search keeps the widths it started with, widening only
            metrics = header.fontMetrics()
            self._natural = [metrics.horizontalAdvance(c.title) + HEADER_PADDING for c in columns]
            self._measured = model.source
        self._natural = self._measure(model.loaded_rows(SAMPLE_ROWS), self._natural)
        self._apply()

    def _on_rows_fetched(self, first: int, count: int) -> None:
        model = self.record_model()
        if model is None or len(self._natural) != model.columnCount():
            return
        rows = [r for i in range(first, first + count) if (r := model.cached_row(i)) is not None]
        wider = self._measure(rows, self._natural)
        if wider != self._natural:
            self._natural = wider
            self._apply()

    # ---------------------------------------------------------------- sizing
    def _apply(self) -> None:
        if self._fitting:
            return
        self._fitting = True
        try:
            natural = [column_cap(f, w) for f, w in zip(self._fits, self._natural, strict=True)]
            floors = [column_floor(f, w) for f, w in zip(self._fits, natural, strict=True)]
            available = self.viewport().width()
            widths = fitted_widths(natural, floors, available) if available > 0 else natural
            header = self.horizontalHeader()
            for col, width in enumerate(widths):
                header.resizeSection(col, width)
            self._fit_rows()
        finally:
            self._fitting = False

    def _fit_rows(self) -> None:
        """One line per row, two where a name or long text needs it (small tables only: a
        big one keeps a fixed line height so it never measures rows it has not fetched)."""
        model = self.record_model()
        vertical = self.verticalHeader()
        one = self.row_height(1)
        vertical.setDefaultSectionSize(one)
        if model is None or model.rowCount() > FITTED_ROWS:
            return
        texts = [c for c, fit in enumerate(self._fits) if fit is not Fit.SHORT]
        two = self.row_height(MAX_TEXT_LINES)
        metrics = self.fontMetrics()
        room = {c: self.text_width(self.columnWidth(c)) for c in texts}
        for r in range(model.rowCount()):
            row = model.cached_row(r)
            tall = row is not None and any(
                metrics.horizontalAdvance(" ".join(row.values[c].split())) > room[c]
                for c in texts
                if c < len(row.values)
            )
            vertical.resizeSection(r, two if tall else one)

    def resizeEvent(self, event: QResizeEvent) -> None:  # the viewport's new size
        super().resizeEvent(event)
        if self._fits:
            self._apply()
