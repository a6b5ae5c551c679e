"""The detail pane: a read-only, form-like key/value view of one record."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from entitle_desktop.ui.catalog import Detail

_STYLE = """
<style>
 h4 { margin: 10px 0 4px 0; color: #3a4a5c; font-weight: 600; }
 table { border-collapse: collapse; }
 td { padding: 3px 8px 3px 0; vertical-align: top; }
 td.k { color: #5f6b7a; }
 td.kb { color: #5f6b7a; padding-top: 6px; }
 td.v { color: #1d232b; }
 td.note { color: #4d3d10; padding: 6px 8px; }
 td.cut { color: #5f6b7a; padding-top: 4px; }
 pre { margin: 0; font-size: small; white-space: pre-wrap; }
 span.hint { color: #8a94a0; font-size: small; }
</style>
"""


class DetailPane(QWidget):
    """Shows a :class:`Detail`: title, kind, then one table of fields per section."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailPane")
        self.detail: Detail | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.title = QLabel()
        self.title.setObjectName("detailTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # names are text, never markup
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.subtitle = QLabel()
        self.subtitle.setObjectName("detailSubtitle")
        self.subtitle.setTextFormat(Qt.TextFormat.PlainText)
        self.subtitle.setStyleSheet("color: #5f6b7a;")
        self.subtitle.setWordWrap(True)
        self.browser = QTextBrowser()
        self.browser.setObjectName("detailBrowser")
        self.browser.setOpenLinks(False)
        self.browser.setFrameShape(QTextBrowser.Shape.NoFrame)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.browser, 1)
        self.set_detail(None)

    def set_detail(self, detail: Detail | None) -> None:
        self.detail = detail
        if detail is None:
            self.title.setText("Nothing selected")
            self.subtitle.setText("Select a record in the navigator or the table.")
            self.browser.clear()
            return
        self.title.setText(detail.title)
        font = self.title.font()
        font.setItalic(detail.placeholder)
        self.title.setFont(font)
        self.subtitle.setText(detail.subtitle)
        parts = [_STYLE]
        if detail.note:
            parts.append(
                "<table width='100%' bgcolor='#fbf3da'><tr>"
                f"<td class='note'>{html.escape(detail.note)}</td></tr></table>"
            )
        for name, pairs in detail.sections:
            if not pairs:
                continue
            parts.append(f"<h4>{html.escape(name)}</h4><table width='100%'>")
            # Labels with API names under them (settings flags, valued Yes or No) take
            # the width; the names are long single words and must not break mid-word.
            hinted = any(key in detail.key_hints for key, _value in pairs)
            key_width = "80%" if hinted else "38%"
            for key, value in pairs:
                if "\n" in value or value.startswith("<"):
                    # XML and multi-line text get the full width, under their label.
                    parts.append(
                        f"<tr><td class='kb' colspan='2'>{html.escape(key)}</td></tr>"
                        f"<tr><td class='v' colspan='2'><pre>{html.escape(value)}</pre></td></tr>"
                    )
                    continue
                if not key:  # a list of values (what refers to a placeholder)
                    parts.append(f"<tr><td class='v' colspan='2'>{html.escape(value)}</td></tr>")
                    continue
                text = html.escape(value) if value else "<span style='color:#9aa3ad'>—</span>"
                hint = detail.key_hints.get(key)
                pad = " style='padding-bottom: 0'" if hint else ""
                parts.append(
                    f"<tr><td class='k' width='{key_width}'{pad}>{html.escape(key)}</td>"
                    f"<td class='v'{pad}>{text}</td></tr>"
                )
                if hint:  # the API name under the words, across the row
                    parts.append(
                        "<tr><td colspan='2' style='padding-top: 0'>"
                        f"<span class='hint'>{html.escape(hint)}</span></td></tr>"
                    )
            parts.append("</table>")
        if detail.verbatim is not None:
            # A file's text as it is: escaped, so markup in it is shown, never rendered.
            verbatim = detail.verbatim
            parts.append(
                f"<h4>{html.escape(verbatim.title)}</h4><table width='100%'>"
                f"<tr><td class='v'><pre>{html.escape(verbatim.text)}</pre></td></tr>"
            )
            if verbatim.cut_note:
                parts.append(f"<tr><td class='cut'>{html.escape(verbatim.cut_note)}</td></tr>")
            parts.append("</table>")
        self.browser.setHtml("".join(parts))

    def text(self) -> str:
        return self.browser.toPlainText()
