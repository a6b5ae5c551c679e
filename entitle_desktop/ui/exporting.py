"""File › Export…: native bundle, Salesforce metadata (both layouts), Data Loader CSV or
sf CLI data-tree JSON.

For metadata a pre-flight runs first (off the UI thread) and lists what would fail or
surprise a deploy; the offered fixes can be ticked, and errors block the export until they
are fixed or the scope changes. The export itself runs off the UI thread with progress and
Cancel; the services write the output atomically. Afterwards a summary names the files.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from entitle_desktop.interchange.salesforce_metadata import (
    API_VERSION_DEFAULT,
    PREFLIGHT_FIXES,
    PreflightIssue,
    preflight_fix,
)
from entitle_desktop.services import bundle_io, csv_io, export_target, metadata_export
from entitle_desktop.services.workspace import Workspace
from entitle_desktop.ui.dialogs import ErrorDialog, ExportSummaryDialog, show_error
from entitle_desktop.ui.importing import is_user_error
from entitle_desktop.ui.tasks import BackgroundTask, ProgressTask, TaskState

# format id -> (label, output is a folder, scopes it offers)
BUNDLE = "bundle"
MDAPI = "mdapi"
SOURCE = "source"
CSV = "csv"
DATATREE = "datatree"
FORMATS: dict[str, tuple[str, bool, tuple[str, ...]]] = {
    BUNDLE: ("Native bundle (.entitlebundle)", False, ("workspace", "processes", "account")),
    MDAPI: ("Salesforce metadata — metadata-API layout", True, ("workspace", "processes")),
    SOURCE: ("Salesforce metadata — source layout", True, ("workspace", "processes")),
    CSV: ("Data Loader CSV folder", True, ("workspace", "account")),
    DATATREE: ("sf CLI data-tree JSON folder (plan + records)", True, ("workspace", "account")),
}
DATA_FORMATS = (CSV, DATATREE)
METADATA_FORMATS = (MDAPI, SOURCE)
API_VERSIONS = tuple(f"{n}.0" for n in range(66, 39, -1))
ACCOUNT_LIMIT = 10_000

PLAN_FIX = "plan_against_reference"  # done by giving the target org's project
# fixes that exclude each other (both rewrite the same business hours)
EXCLUSIVE_FIXES: dict[str, str] = {
    "approximate_business_hours": "omit_inexpressible_business_hours",
    "omit_inexpressible_business_hours": "approximate_business_hours",
}


def fix_label(name: str) -> str:
    return preflight_fix(name).label


# --------------------------------------------------------------------------- plain Python


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """Everything the user chose; ``processes``/``account`` are None for the whole workspace."""

    format: str
    out: Path
    processes: tuple[str, ...] | None = None
    account: str | None = None
    api_version: str | None = None
    reference: Path | None = None
    fixes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ExportResult:
    out: Path
    files: list[Path]
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PreflightReport:
    """The checked export: ``plan.found`` are the issues of the chosen records,
    ``plan.remaining`` what is left with the ticked fixes (and the reference) applied."""

    request: ExportRequest
    plan: metadata_export.MetadataExportPlan

    @property
    def issues(self) -> list[PreflightIssue]:
        return self.plan.found

    def offered_fixes(self) -> list[str]:
        offered = {f for i in self.issues for f in i.fixes}
        if self.request.reference is not None:
            offered.add(PLAN_FIX)
        return [f.name for f in PREFLIGHT_FIXES if f.name in offered]

    def blocking(self) -> list[PreflightIssue]:
        return self.plan.errors

    def applied(self) -> set[str]:
        return set(self.plan.fixes)

    def is_fixed(self, issue: PreflightIssue) -> bool:
        """Found, and gone once the ticked fixes (and the reference) are applied."""
        return issue in self.plan.found and issue not in self.plan.remaining

    def rows(self) -> list[PreflightIssue]:
        """What the list shows: the issues found, then any the fixes brought up."""
        found = self.plan.found
        return found + [i for i in self.plan.remaining if i not in found]


def run_preflight(
    workspace_path: Path, request: ExportRequest, state: TaskState
) -> PreflightReport:
    """The worker's pre-flight (its own Workspace, never shared across threads)."""
    state.progress(0, 0, "Checking the export…")
    with Workspace.open(workspace_path) as workspace:
        plan = metadata_export.plan_metadata_export(
            workspace,
            api_version=request.api_version,
            processes=list(request.processes) if request.processes else None,
            reference=request.reference,
            fixes=[f for f in request.fixes if f != PLAN_FIX],
            layout=request.format,
        )
    return PreflightReport(request, plan)


def run_export(
    workspace_path: Path,
    request: ExportRequest,
    state: TaskState,
    plan: metadata_export.MetadataExportPlan | None = None,
) -> ExportResult:
    """The worker's export. Metadata writes the checked ``plan`` (what the pre-flight
    listed is what is written). Cancel is honoured until the files are being written;
    the services write them atomically (temporary name, then rename)."""
    state.progress(0, 2, "Reading the workspace…")
    state.raise_if_cancelled()
    with Workspace.open(workspace_path) as workspace:
        state.raise_if_cancelled()
        state.progress(1, 2, f"Writing {request.out.name}…")
        processes = list(request.processes) if request.processes else None
        if request.format == BUNDLE:
            manifest = bundle_io.export_bundle(
                workspace, request.out, processes=processes, account=request.account
            )
            result = ExportResult(
                request.out, [request.out], {k: v for k, v in manifest.counts.items() if v}
            )
        elif request.format in METADATA_FORMATS:
            if plan is None:
                plan = metadata_export.plan_metadata_export(
                    workspace,
                    api_version=request.api_version,
                    processes=processes,
                    reference=request.reference,
                    fixes=[f for f in request.fixes if f != PLAN_FIX],
                    layout=request.format,
                )
            out = metadata_export.write_metadata_export(plan, request.out, request.format)
            files = sorted(p for p in out.rglob("*") if p.is_file())
            result = ExportResult(out, files)
        elif request.format in DATA_FORMATS:
            notes: list[str] = []
            files = csv_io.export_data(
                workspace,
                request.out,
                format=request.format,
                account=request.account,
                warnings=notes,
            )
            result = ExportResult(request.out, sorted(files), warnings=notes)
        else:
            raise ValueError(f"unknown export format {request.format!r}")
    state.progress(2, 2, "Done")
    return result


# --------------------------------------------------------------------------- the dialog


class ExportDialog(QDialog):
    """Format, scope and options; pre-flight list for metadata; Export runs the job."""

    preflight_finished = Signal()
    export_finished = Signal(str)  # "exported" | "failed" | "cancelled"

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export")
        self.workspace = workspace
        self.report: PreflightReport | None = None
        self.ticked: set[str] = set()
        self.preflight_task: BackgroundTask | None = None
        self._preflight_again = False
        self.export_task: ProgressTask | None = None
        self.summary_dialog: ExportSummaryDialog | None = None
        self.error_dialog: ErrorDialog | None = None
        self._output_edited = False
        self._preflight_timer = QTimer(self)
        self._preflight_timer.setObjectName("preflightDelay")
        self._preflight_timer.setSingleShot(True)
        self._preflight_timer.setInterval(300)
        self._preflight_timer.timeout.connect(self.run_preflight)
        self._build()
        self.resize(860, 760)
        self._on_format_changed()

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.format_combo = QComboBox()
        self.format_combo.setObjectName("exportFormat")
        for key, (label, _folder, _scopes) in FORMATS.items():
            self.format_combo.addItem(label, key)
        self.format_combo.currentIndexChanged.connect(self._on_format_changed)
        form.addRow("Format:", self.format_combo)

        scope_box = QWidget()
        scope_layout = QVBoxLayout(scope_box)
        scope_layout.setContentsMargins(0, 0, 0, 0)
        self.scope_group = QButtonGroup(self)
        self.scope_buttons: dict[str, QRadioButton] = {}
        for key, label in (
            ("workspace", "Whole workspace"),
            ("processes", "Chosen entitlement processes"),
            ("account", "One account's hierarchy"),
        ):
            button = QRadioButton(label)
            button.setObjectName(f"scope_{key}")
            self.scope_group.addButton(button)
            self.scope_buttons[key] = button
        self.scope_buttons["workspace"].setChecked(True)
        scope_layout.addWidget(self.scope_buttons["workspace"])
        scope_layout.addWidget(self.scope_buttons["processes"])
        self.process_list = QListWidget()
        self.process_list.setObjectName("processChecklist")
        for process in self.workspace.summary().processes:
            item = QListWidgetItem(str(process["name"]))
            versions = len(process.get("versions") or [])
            item.setToolTip(f"{versions} version{'' if versions == 1 else 's'}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.process_list.addItem(item)
        self.process_list.itemChanged.connect(lambda _item: self._options_changed())
        # as tall as its rows (a few processes should not leave a tall empty box)
        shown_rows = max(2, min(self.process_list.count(), 6))
        row_height = self.process_list.sizeHintForRow(0) if self.process_list.count() else 18
        self.process_list.setFixedHeight(shown_rows * max(row_height, 18) + 6)
        self.process_note = QLabel(
            "All versions of the ticked processes are exported; the milestone types, business "
            "hours and holidays they use come along."
        )
        self.process_note.setObjectName("processNote")
        self.process_note.setWordWrap(True)
        self.process_note.setStyleSheet("color: #5f6b7a;")
        indented = QWidget()
        indented_layout = QVBoxLayout(indented)
        indented_layout.setContentsMargins(24, 0, 0, 4)
        indented_layout.addWidget(self.process_list)
        indented_layout.addWidget(self.process_note)
        scope_layout.addWidget(indented)
        account_row = QHBoxLayout()
        account_row.addWidget(self.scope_buttons["account"])
        self.account_combo = QComboBox()
        self.account_combo.setObjectName("accountChoice")
        self.account_combo.setEditable(True)
        self.account_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for row in self.workspace.rows("account", limit=ACCOUNT_LIMIT):
            self.account_combo.addItem(str(row.get("label") or row["key"]), str(row["key"]))
        completer = self.account_combo.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.account_combo.currentIndexChanged.connect(lambda _i: self._options_changed())
        account_row.addWidget(self.account_combo, 1)
        scope_layout.addLayout(account_row)
        form.addRow("Scope:", scope_box)
        for button in self.scope_buttons.values():
            button.toggled.connect(self._on_scope_changed)

        self.metadata_box = QGroupBox("Salesforce metadata")
        metadata_form = QFormLayout(self.metadata_box)
        self.api_combo = QComboBox()
        self.api_combo.setObjectName("apiVersion")
        self.api_combo.setEditable(True)
        self.api_combo.addItems(API_VERSIONS)
        settings = self.workspace.settings()
        default_version = getattr(settings, "metadata_api_version", None) or API_VERSION_DEFAULT
        self.api_combo.setCurrentText(str(default_version))
        self.api_combo.currentTextChanged.connect(lambda _t: self._options_changed())
        metadata_form.addRow("API version:", self.api_combo)
        reference_row = QHBoxLayout()
        self.reference_edit = QLineEdit()
        self.reference_edit.setObjectName("referenceProject")
        self.reference_edit.setPlaceholderText("optional: only versions the org lacks are written")
        self.reference_edit.setClearButtonEnabled(True)
        self.reference_edit.editingFinished.connect(self._on_reference_changed)
        self.reference_edit.textChanged.connect(lambda _t: self._on_reference_changed())
        reference_row.addWidget(self.reference_edit, 1)
        folder_button = QPushButton("Folder…")
        folder_button.clicked.connect(self._browse_reference_folder)
        zip_button = QPushButton("Zip…")
        zip_button.clicked.connect(self._browse_reference_zip)
        reference_row.addWidget(folder_button)
        reference_row.addWidget(zip_button)
        metadata_form.addRow("Target org's retrieved\nproject (folder or zip):", reference_row)
        form.addRow(self.metadata_box)

        output_row = QHBoxLayout()
        self.output_edit = QLineEdit()
        self.output_edit.setObjectName("exportOutput")
        self.output_edit.textEdited.connect(self._on_output_edited)
        output_row.addWidget(self.output_edit, 1)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_output)
        output_row.addWidget(browse)
        form.addRow("Save to:", output_row)
        layout.addLayout(form)

        self.preflight_box = QGroupBox("Pre-flight: what a deploy would say")
        self.preflight_box.setObjectName("preflightBox")
        preflight_layout = QVBoxLayout(self.preflight_box)
        self.preflight_status = QLabel()
        self.preflight_status.setObjectName("preflightStatus")
        self.preflight_status.setWordWrap(True)
        preflight_layout.addWidget(self.preflight_status)
        self.preflight_table = QTableWidget(0, 4)
        self.preflight_table.setObjectName("preflightTable")
        self.preflight_table.setHorizontalHeaderLabels(["Severity", "Where", "Message", "Fix"])
        self.preflight_table.verticalHeader().setVisible(False)
        self.preflight_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preflight_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.preflight_table.setWordWrap(True)
        self.preflight_table.setShowGrid(False)
        self.preflight_table.setAlternatingRowColors(True)
        self.preflight_table.setStyleSheet(
            "QTableWidget::item { padding-top: 3px; padding-bottom: 3px; }"
        )
        header = self.preflight_table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(1, 230)
        # wrapped messages need their rows re-measured whenever the columns change width
        header.sectionResized.connect(
            lambda _index, _old, _new: self.preflight_table.resizeRowsToContents()
        )
        preflight_layout.addWidget(self.preflight_table, 1)
        self.fixes_box = QWidget()
        self.fixes_layout = QVBoxLayout(self.fixes_box)
        self.fixes_layout.setContentsMargins(0, 0, 0, 0)
        self.fixes_layout.addWidget(QLabel("Fixes offered (tick to apply them to the export):"))
        self.fix_boxes: dict[str, QCheckBox] = {}
        preflight_layout.addWidget(self.fixes_box)
        layout.addWidget(self.preflight_box, 1)

        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton(
            "Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.export_button.setObjectName("exportButton")
        self.export_button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.export_button.clicked.connect(self.start_export)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    # ------------------------------------------------------------------ state
    def format(self) -> str:
        return str(self.format_combo.currentData())

    def set_format(self, fmt: str) -> None:
        self.format_combo.setCurrentIndex(self.format_combo.findData(fmt))

    def scope(self) -> str:
        for key, button in self.scope_buttons.items():
            if button.isChecked():
                return key
        return "workspace"

    def set_scope(self, scope: str) -> None:
        self.scope_buttons[scope].setChecked(True)

    def check_processes(self, names: list[str]) -> None:
        """Tick exactly these processes in the checklist."""
        for row in range(self.process_list.count()):
            item = self.process_list.item(row)
            state = Qt.CheckState.Checked if item.text() in names else Qt.CheckState.Unchecked
            item.setCheckState(state)

    def checked_processes(self) -> list[str]:
        return [
            self.process_list.item(row).text()
            for row in range(self.process_list.count())
            if self.process_list.item(row).checkState() == Qt.CheckState.Checked
        ]

    def choose_account(self, key: str) -> None:
        self.account_combo.setCurrentIndex(self.account_combo.findData(key))

    def chosen_account(self) -> str | None:
        data = self.account_combo.currentData()
        if data is None or self.account_combo.currentText() != self.account_combo.itemText(
            self.account_combo.currentIndex()
        ):
            return None
        return str(data)

    def set_output(self, path: Path) -> None:
        self.output_edit.setText(str(path))
        self._output_edited = True
        self._update_buttons()

    def set_api_version(self, version: str) -> None:
        self.api_combo.setCurrentText(version)

    def set_reference(self, path: Path | None) -> None:
        self.reference_edit.setText("" if path is None else str(path))
        self._on_reference_changed()

    def set_fix(self, fix: str, ticked: bool) -> None:
        box = self.fix_boxes.get(fix)
        if box is None:
            raise KeyError(f"the fix {fix!r} is not offered")
        box.setChecked(ticked)

    def request(self) -> ExportRequest:
        fmt = self.format()
        scope = self.scope()
        metadata = fmt in METADATA_FORMATS
        reference_text = self.reference_edit.text().strip()
        return ExportRequest(
            format=fmt,
            out=Path(self.output_edit.text().strip()),
            processes=tuple(self.checked_processes()) if scope == "processes" else None,
            account=self.chosen_account() if scope == "account" else None,
            api_version=self.api_combo.currentText().strip() or None if metadata else None,
            reference=Path(reference_text) if metadata and reference_text else None,
            fixes=tuple(f.name for f in PREFLIGHT_FIXES if f.name in self.ticked)
            if metadata
            else (),
        )

    def scope_problem(self) -> str:
        """Why the current choice cannot be exported ('' when it can)."""
        request = self.request()
        if self.scope() == "processes" and not request.processes:
            return "Tick at least one process."
        if self.scope() == "account" and request.account is None:
            return "Choose an account."
        if not self.output_edit.text().strip():
            return "Choose where to save the export."
        if request.reference is not None and not request.reference.exists():
            return f"The target org's project {request.reference} does not exist."
        return ""

    def _default_output(self) -> Path:
        folder = self.workspace.path.parent
        stem = self.workspace.path.stem
        suffix = {
            BUNDLE: ".entitlebundle",
            MDAPI: "-metadata",
            SOURCE: "-source",
            CSV: "-csv",
            DATATREE: "-datatree",
        }[self.format()]
        if self.scope() == "account" and self.chosen_account():
            stem += f"-{self.account_combo.currentText()}"
        elif self.scope() == "processes" and len(self.checked_processes()) == 1:
            stem += f"-{self.checked_processes()[0]}"
        return folder / f"{stem}{suffix}".replace("/", "-")

    # ------------------------------------------------------------------ reactions
    def _on_format_changed(self, _index: int = 0) -> None:
        fmt = self.format()
        _label, _folder, scopes = FORMATS[fmt]
        for key, button in self.scope_buttons.items():
            button.setEnabled(key in scopes)
        if self.scope() not in scopes:
            self.scope_buttons["workspace"].setChecked(True)
        metadata = fmt in METADATA_FORMATS
        self.metadata_box.setVisible(metadata)
        self.preflight_box.setVisible(metadata)
        self._sync_scope_widgets()
        self._options_changed()

    def _on_scope_changed(self, checked: bool = True) -> None:
        if checked:
            self._sync_scope_widgets()
            self._options_changed()

    def _sync_scope_widgets(self) -> None:
        scope = self.scope()
        self.process_list.setEnabled(scope == "processes")
        self.process_note.setEnabled(scope == "processes")
        self.account_combo.setEnabled(scope == "account")

    def _on_output_edited(self, _text: str) -> None:
        self._output_edited = True
        self._update_buttons()

    def _on_reference_changed(self) -> None:
        # Naming the org's project plans against it (the reason to name it).
        if self.reference_edit.text().strip():
            self.ticked.add(PLAN_FIX)
        else:
            self.ticked.discard(PLAN_FIX)
        self._options_changed()

    def _options_changed(self) -> None:
        if not self._output_edited:
            self.output_edit.setText(str(self._default_output()))
        self.report = None
        if self.format() in METADATA_FORMATS:
            self.preflight_status.setText("Checking…")
            self._preflight_timer.start()
        else:
            self._preflight_timer.stop()
        self._update_buttons()

    def _update_buttons(self) -> None:
        problem = self.scope_problem()
        ready = not problem
        if self.format() in METADATA_FORMATS:
            ready = ready and self.report is not None and not self.report.blocking()
        running = self.export_task is not None
        self.export_button.setEnabled(ready and not running)
        self.export_button.setToolTip(problem)

    # ------------------------------------------------------------------ pre-flight
    def run_preflight(self) -> None:
        """Check the metadata export as chosen (off the UI thread); emits
        ``preflight_finished`` once the list shows the current choice."""
        self._preflight_timer.stop()
        if self.format() not in METADATA_FORMATS:
            return
        if self.preflight_task is not None:
            self._preflight_again = True
            return
        request = self.request()
        if request.reference is not None and not request.reference.exists():
            self._show_preflight_failure(
                f"The target org's project {request.reference} does not exist."
            )
            return
        if self.scope() == "processes" and not request.processes:
            self._show_preflight_failure("Tick at least one process to check it.")
            return
        path = self.workspace.path
        task = BackgroundTask(lambda state: run_preflight(path, request, state), self)
        task.succeeded.connect(self._on_preflight_done)
        task.failed.connect(self._on_preflight_failed)
        task.cancelled.connect(lambda: self._on_preflight_failed(None, ""))
        self.preflight_task = task
        self.preflight_status.setText("Checking…")
        task.start()

    def _end_preflight(self) -> bool:
        """Forget the finished task; True when its result is out of date (checks again)."""
        task = self.preflight_task
        self.preflight_task = None
        if task is not None:
            task.deleteLater()
        if self._preflight_again:
            self._preflight_again = False
            self.run_preflight()
            return True
        return False

    def _on_preflight_done(self, report: PreflightReport) -> None:
        if self._end_preflight():
            return
        current = self.request()
        if replace(report.request, out=current.out) != current:
            self.run_preflight()
            return
        self.report = report
        self._show_report(report)
        self._update_buttons()
        self.preflight_finished.emit()

    def _on_preflight_failed(self, exc: BaseException | None, details: str) -> None:
        if self._end_preflight():
            return
        if exc is None:
            self._show_preflight_failure("The check was cancelled.")
        elif is_user_error(exc):
            self._show_preflight_failure(f"Cannot check the export: {exc}")
        else:
            self._show_preflight_failure(f"Checking the export failed because of a bug: {exc}")
            self.error_dialog = show_error(self, "Pre-flight failed", str(exc), details)
        self.preflight_finished.emit()

    def _show_preflight_failure(self, text: str) -> None:
        self.report = None
        self.preflight_table.setRowCount(0)
        self._rebuild_fix_boxes([])
        self.preflight_status.setText(text)
        self._update_buttons()

    def _show_report(self, report: PreflightReport) -> None:
        style = QApplication.style()
        icons = {
            "error": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical),
            "warning": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning),
        }
        table = self.preflight_table
        rows = report.rows()
        table.setRowCount(len(rows))
        grey = QColor("#8a939d")
        for row, issue in enumerate(rows):
            fixed = report.is_fixed(issue)
            if fixed:
                fix_text = "✔ Fixed"
            elif issue not in report.plan.found:
                fix_text = "After fixes"
            elif issue.fixes:
                fix_text = "Fix offered"
            else:
                fix_text = ""
            cells = [
                QTableWidgetItem(icons.get(issue.severity, QIcon()), issue.severity.capitalize()),
                QTableWidgetItem(issue.where),
                QTableWidgetItem(issue.message),
                QTableWidgetItem(fix_text),
            ]
            cells[1].setToolTip(issue.where)
            cells[2].setToolTip(issue.message)
            cells[3].setToolTip("\n".join(fix_label(f) for f in issue.fixes))
            for col, cell in enumerate(cells):
                if fixed:
                    cell.setForeground(grey)
                table.setItem(row, col, cell)
        table.resizeRowsToContents()
        self._rebuild_fix_boxes(report.offered_fixes())
        self.preflight_status.setText(self._status_text(report))

    def _status_text(self, report: PreflightReport) -> str:
        errors = sum(1 for i in report.issues if i.severity == "error")
        warnings = len(report.issues) - errors
        blocking = report.blocking()
        found = f"{errors} error{'' if errors == 1 else 's'}, {warnings} warning{'' if warnings == 1 else 's'}"
        if not report.issues:
            return "✔ No problems found: ready to export."
        if blocking:
            return (
                f"<b style='color:#b3261e'>{found}. Export is blocked</b> until the "
                + (
                    "remaining error is fixed"
                    if len(blocking) == 1
                    else f"{len(blocking)} remaining errors are fixed"
                )
                + " (tick an offered fix below) or the scope changes."
            )
        if errors:
            return f"{found}; the ticked fixes take care of the errors: ready to export."
        return f"{found}; nothing blocks the export."

    def _rebuild_fix_boxes(self, offered: list[str]) -> None:
        if list(self.fix_boxes) == offered:
            for fix, box in self.fix_boxes.items():
                box.blockSignals(True)
                box.setChecked(fix in self.ticked)
                box.blockSignals(False)
            return
        for box in self.fix_boxes.values():
            self.fixes_layout.removeWidget(box)
            box.deleteLater()
        self.fix_boxes = {}
        for fix in offered:
            box = QCheckBox(fix_label(fix))
            box.setObjectName(f"fix_{fix}")
            box.setToolTip(preflight_fix(fix).description)
            box.setChecked(fix in self.ticked)
            if fix == PLAN_FIX:  # ticked by naming the org's project, cleared with it
                box.setEnabled(False)
                box.setText(f"{fix_label(fix)}: {preflight_fix(fix).description}")
            box.toggled.connect(lambda on, f=fix: self._on_fix_toggled(f, on))
            self.fixes_layout.addWidget(box)
            self.fix_boxes[fix] = box
        self.fixes_box.setVisible(bool(offered))

    def _on_fix_toggled(self, fix: str, ticked: bool) -> None:
        if ticked:
            self.ticked.add(fix)
            other = EXCLUSIVE_FIXES.get(fix)
            if other is not None and other in self.ticked:
                self.ticked.discard(other)
                box = self.fix_boxes.get(other)
                if box is not None:
                    box.blockSignals(True)
                    box.setChecked(False)
                    box.blockSignals(False)
        else:
            self.ticked.discard(fix)
        self._options_changed()

    # ------------------------------------------------------------------ export
    def start_export(self) -> ProgressTask | None:
        """Run the export as chosen (off the UI thread, with progress and Cancel)."""
        self._update_buttons()
        if not self.export_button.isEnabled():
            return None
        request = self.request()
        path = self.workspace.path
        plan = self.report.plan if self.report is not None else None
        task = ProgressTask(
            lambda state: run_export(path, request, state, plan),
            "Export",
            f"Exporting to {request.out.name}…",
            self,
            object_name="exportProgress",
        )
        task.succeeded.connect(self._on_export_done)
        task.failed.connect(self._on_export_failed)
        task.cancelled.connect(self._on_export_cancelled)
        self.export_task = task
        self._update_buttons()
        task.start()
        return task

    def _end_export(self) -> None:
        task = self.export_task
        self.export_task = None
        if task is not None:
            task.deleteLater()
        self._update_buttons()

    def _on_export_done(self, result: ExportResult) -> None:
        self._end_export()
        self.summary_dialog = ExportSummaryDialog(
            result.out,
            [str(p.relative_to(result.out)) if p != result.out else p.name for p in result.files],
            counts=result.counts,
            parent=self.parentWidget(),
            warnings=result.warnings,
        )
        self.summary_dialog.show()
        self.export_finished.emit("exported")
        self.accept()

    def _on_export_failed(self, exc: BaseException, details: str) -> None:
        self._end_export()
        out = self.output_edit.text()
        if is_user_error(exc):
            message = f"Nothing was written to {out}.\n\n{exc}"
            details = f"Output: {out}\n{type(exc).__name__}: {exc}"
        else:
            message = f"Exporting to {out} failed because of a bug: {exc}"
        self.error_dialog = show_error(self, "Export failed", message, details)
        self.export_finished.emit("failed")

    def _on_export_cancelled(self) -> None:
        self._end_export()
        self.export_finished.emit("cancelled")

    # ------------------------------------------------------------------ browsing
    def _browse_output(self) -> None:
        current = self.output_edit.text() or str(self._default_output())
        if FORMATS[self.format()][1]:
            chosen = QFileDialog.getExistingDirectory(self, "Export to folder", current)
            if chosen and self.format() in METADATA_FORMATS:
                # a metadata export replaces its folder: in a folder that holds other
                # files, export into a new folder inside it instead
                try:
                    export_target.check_metadata_folder(Path(chosen))
                except export_target.ExportTargetError:
                    chosen = str(Path(chosen) / self._default_output().name)
        else:
            chosen, _filter = QFileDialog.getSaveFileName(
                self, "Export bundle", current, "Entitle bundles (*.entitlebundle)"
            )
        if chosen:
            self.set_output(Path(chosen))

    def _browse_reference_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Target org's retrieved project")
        if chosen:
            self.set_reference(Path(chosen))

    def _browse_reference_zip(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, "Target org's retrieved project", "", "Zip archives (*.zip)"
        )
        if chosen:
            self.set_reference(Path(chosen))

    # ------------------------------------------------------------------ closing
    def stop_work(self) -> None:
        """Stop the delay timer and wait for running workers (on close)."""
        self._preflight_timer.stop()
        self._preflight_again = False
        if self.preflight_task is not None:
            self.preflight_task.cancel()
            self.preflight_task.wait()
        if self.export_task is not None:
            self.export_task.cancel_and_wait()

    def done(self, result: int) -> None:
        self.stop_work()
        super().done(result)
