"""The main window: navigator trees, the table of the selected node's children, details."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelection, QModelIndex, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from entitle_desktop.services.workspace import Workspace, WorkspaceError
from entitle_desktop.ui.catalog import (
    HIERARCHY,
    SETUP,
    WORKSPACE_SETTINGS,
    EmptyTable,
    NodeKey,
    WorkspaceCatalog,
    folder_title,
    kind_name,
)
from entitle_desktop.ui.detail_pane import DetailPane
from entitle_desktop.ui.dialogs import ErrorDialog, show_error
from entitle_desktop.ui.exporting import ExportDialog
from entitle_desktop.ui.importing import BUNDLE_SUFFIX, DataImport, MetadataImport
from entitle_desktop.ui.models import KEY_ROLE, NavigatorModel, RecordTableModel
from entitle_desktop.ui.record_table import RecordTableView
from entitle_desktop.ui.settings import RecentWorkspaces, app_settings

APP_TITLE = "Entitle Desktop"
WORKSPACE_FILTER = "Entitle workspaces (*.entitle)"
DATA_FILTER = (
    f"Bundles and data files (*{BUNDLE_SUFFIX} *.json *.csv *.zip);;"
    f"Entitle bundles (*{BUNDLE_SUFFIX});;Data-tree plans (*.json);;"
    "Data Loader CSV files (*.csv *.zip)"
)
DEFAULT_SIZE = (1280, 800)
SEARCH_DELAY_MS = 250
STATUS_MESSAGE_MS = 8_000
# Navigator levels a double-click opens to reveal a nested record (two per contract
# level: the contract and its "Child contracts" folder); about a second's work.
REVEAL_DEPTH_LIMIT = 400

_GEOMETRY_KEY = "mainWindow/geometry"
_STATE_KEY = "mainWindow/state"
_SPLITTER_KEY = "mainWindow/splitter"
_TAB_KEY = "mainWindow/navigatorTab"

_COUNT_LABELS = (
    ("accounts", "accounts"),
    ("contacts", "contacts"),
    ("assets", "assets"),
    ("service_contracts", "service contracts"),
    ("entitlements", "entitlements"),
    ("business_hours", "business hours"),
    ("milestone_types", "milestone types"),
)


class MainWindow(QMainWindow):
    """One workspace at a time; viewing only (editing comes later)."""

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.settings = settings if settings is not None else app_settings()
        self.recent = RecentWorkspaces(self.settings)
        self.workspace: Workspace | None = None
        self.catalog: WorkspaceCatalog | None = None
        self.tree_models: dict[str, NavigatorModel] = {}
        self.current_key: NodeKey | None = None
        self.active_import: MetadataImport | None = None
        self.active_data_import: DataImport | None = None
        self.export_window: ExportDialog | None = None
        self.error_dialogs: list[ErrorDialog] = []
        self._build_widgets()
        self._build_menus()
        self._restore_layout()
        self._update_title()

    # ------------------------------------------------------------------ building
    def _build_widgets(self) -> None:
        self.navigator = QTabWidget()
        self.navigator.setObjectName("navigator")
        self.navigator.setDocumentMode(True)
        self.trees: dict[str, QTreeView] = {}
        for name, title in ((HIERARCHY, "Hierarchy"), (SETUP, "Setup")):
            tree = QTreeView()
            tree.setObjectName(f"{name}Tree")
            tree.setHeaderHidden(True)
            tree.setUniformRowHeights(True)
            tree.setAlternatingRowColors(False)
            tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            # Deep hierarchies (contracts in contracts) scroll sideways rather than elide
            # every label down to "…" (the width is measured on the rows fetched so far).
            tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            tree.header().setStretchLastSection(False)
            self.trees[name] = tree
            self.navigator.addTab(tree, title)
        self.navigator.currentChanged.connect(self._on_tab_changed)

        self.table_caption = QLabel()
        self.table_caption.setTextFormat(Qt.TextFormat.PlainText)  # names and search text
        self.table_caption.setObjectName("tableCaption")
        caption_font = self.table_caption.font()
        caption_font.setBold(True)
        self.table_caption.setFont(caption_font)
        self.search = QLineEdit()
        self.search.setObjectName("searchBox")
        self.search.setPlaceholderText("Search…")
        self.search.setClearButtonEnabled(True)
        self.search.setEnabled(False)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_search)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_search)

        self.table_model = RecordTableModel()
        self.table = RecordTableView()  # sizes its columns and rows to what they hold
        self.table.setObjectName("recordTable")
        self.table.setModel(self.table_model)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection)
        self.table.doubleClicked.connect(self._on_table_double_clicked)

        center = QWidget()
        center_layout = QVBoxLayout(center)
        center_layout.setContentsMargins(4, 4, 4, 4)
        center_layout.setSpacing(6)
        center_layout.addWidget(self.table_caption)
        center_layout.addWidget(self.search)
        center_layout.addWidget(self.table, 1)

        self.detail_pane = DetailPane()

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.navigator)
        self.splitter.addWidget(center)
        self.splitter.addWidget(self.detail_pane)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setChildrenCollapsible(False)
        # The table gets most of a 1280-pixel window: its columns need the room most.
        self.splitter.setSizes([270, 690, 320])
        self.setCentralWidget(self.splitter)

        self.path_label = QLabel()
        self.path_label.setTextFormat(Qt.TextFormat.PlainText)
        self.path_label.setObjectName("workspacePath")
        self.counts_label = QLabel()
        self.counts_label.setObjectName("workspaceCounts")
        self.statusBar().addWidget(self.path_label, 1)
        self.statusBar().addPermanentWidget(self.counts_label)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.new_action = QAction("&New Workspace…", self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(self.new_workspace_dialog)
        self.open_action = QAction("&Open Workspace…", self)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self.open_workspace_dialog)
        file_menu.addAction(self.new_action)
        file_menu.addAction(self.open_action)
        self.recent_menu = QMenu("Open &Recent", self)
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self.rebuild_recent_menu)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        self.import_menu = QMenu("&Import Salesforce Metadata", self)
        self.import_folder_action = QAction("From &Folder…", self)
        self.import_folder_action.triggered.connect(self.import_folder_dialog)
        self.import_zip_action = QAction("From &Zip File…", self)
        self.import_zip_action.triggered.connect(self.import_zip_dialog)
        self.import_menu.addAction(self.import_folder_action)
        self.import_menu.addAction(self.import_zip_action)
        file_menu.addMenu(self.import_menu)
        self.data_import_menu = QMenu("Import &Bundle or Data Files", self)
        self.import_data_file_action = QAction("&Bundle, Data-Tree Plan or CSV File…", self)
        self.import_data_file_action.triggered.connect(self.import_data_file_dialog)
        self.import_csv_folder_action = QAction("Folder of Data Loader &CSV Files…", self)
        self.import_csv_folder_action.triggered.connect(self.import_csv_folder_dialog)
        self.data_import_menu.addAction(self.import_data_file_action)
        self.data_import_menu.addAction(self.import_csv_folder_action)
        file_menu.addMenu(self.data_import_menu)
        self.export_action = QAction("&Export…", self)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.triggered.connect(self.export_dialog)
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About Entitle Desktop", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)
        self._set_workspace_actions_enabled(False)

    def _set_workspace_actions_enabled(self, enabled: bool) -> None:
        self.import_menu.setEnabled(enabled)
        self.import_folder_action.setEnabled(enabled)
        self.import_zip_action.setEnabled(enabled)
        self.data_import_menu.setEnabled(enabled)
        self.import_data_file_action.setEnabled(enabled)
        self.import_csv_folder_action.setEnabled(enabled)
        self.export_action.setEnabled(enabled)

    # ------------------------------------------------------------------ layout persistence
    def _restore_layout(self) -> None:
        geometry = self.settings.value(_GEOMETRY_KEY)
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(*DEFAULT_SIZE)
        state = self.settings.value(_STATE_KEY)
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.value(_SPLITTER_KEY)
        if splitter is not None:
            self.splitter.restoreState(splitter)
        tab = self.settings.value(_TAB_KEY)
        if tab is not None:
            self.navigator.setCurrentIndex(int(tab))

    def save_layout(self) -> None:
        self.settings.setValue(_GEOMETRY_KEY, self.saveGeometry())
        self.settings.setValue(_STATE_KEY, self.saveState())
        self.settings.setValue(_SPLITTER_KEY, self.splitter.saveState())
        self.settings.setValue(_TAB_KEY, self.navigator.currentIndex())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.active_import is not None:
            self.active_import.cancel_and_wait()
        if self.active_data_import is not None:
            self.active_data_import.cancel_and_wait()
        if self.export_window is not None:
            self.export_window.stop_work()
        self.save_layout()
        self.close_workspace()
        for dialog in list(self.error_dialogs):
            dialog.close()
        super().closeEvent(event)

    # ------------------------------------------------------------------ workspace
    def open_workspace(self, path: Path) -> bool:
        """Open the workspace at ``path`` (closing the current one); False on error."""
        try:
            workspace = Workspace.open(Path(path))
        except (WorkspaceError, OSError) as exc:
            self.recent.remove(Path(path))
            self._error("Cannot open workspace", str(exc))
            return False
        self.close_workspace()
        self.workspace = workspace
        self.recent.add(workspace.path)
        self._load_catalog()
        return True

    def close_workspace(self) -> None:
        if self.workspace is None:
            return
        self._set_models(None)
        self.workspace.close()
        self.workspace = None
        self._set_workspace_actions_enabled(False)
        self._update_title()
        self.path_label.clear()
        self.counts_label.clear()

    def _load_catalog(self) -> None:
        assert self.workspace is not None
        self._set_models(WorkspaceCatalog(self.workspace))
        self._set_workspace_actions_enabled(True)
        self._update_title()
        self.refresh_status()

    def _set_models(self, catalog: WorkspaceCatalog | None) -> None:
        self.catalog = catalog
        self.current_key = None
        self.table_model.set_source(None)
        self.detail_pane.set_detail(None)
        self.table_caption.clear()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.search.setEnabled(False)
        old = dict(self.tree_models)
        self.tree_models.clear()
        for name, tree in self.trees.items():
            if catalog is None:
                tree.setModel(None)
                continue
            model = NavigatorModel(catalog, name)
            tree.setModel(model)
            tree.selectionModel().selectionChanged.connect(
                lambda sel, _old, n=name: self._on_tree_selection(n, sel)
            )
            self.tree_models[name] = model
        for model in old.values():
            model.deleteLater()
        if catalog is not None:
            self._select_first_root()

    def _select_first_root(self) -> None:
        name = self.current_tree_name()
        tree = self.trees[name]
        model = tree.model()
        if model is not None and model.rowCount() > 0:
            tree.setCurrentIndex(model.index(0, 0))

    def refresh_status(self) -> None:
        if self.workspace is None:
            return
        self.path_label.setText(str(self.workspace.path))
        summary = self.workspace.summary()
        parts = [f"{summary.counts.get(key, 0):,} {label}" for key, label in _COUNT_LABELS]
        processes = len(summary.processes)
        parts.append(f"{processes:,} entitlement process{'' if processes == 1 else 'es'}")
        placeholders = sum(len(v) for v in summary.placeholders.values())
        if placeholders:
            parts.append(f"{placeholders:,} placeholder{'' if placeholders == 1 else 's'}")
        self.counts_label.setText("  ·  ".join(parts))

    def workspace_name(self) -> str:
        return self.workspace.path.stem if self.workspace is not None else ""

    def _update_title(self) -> None:
        name = self.workspace_name()
        self.setWindowTitle(f"{APP_TITLE} — {name}" if name else APP_TITLE)

    # ------------------------------------------------------------------ file menu
    def new_workspace_dialog(self) -> None:
        path_text, _filter = QFileDialog.getSaveFileName(
            self, "New Workspace", str(self._dialog_dir() / "Untitled.entitle"), WORKSPACE_FILTER
        )
        if path_text:
            self.new_workspace(Path(path_text))

    def new_workspace(self, path: Path) -> bool:
        """Create an empty workspace at ``path`` (``.entitle`` added) and open it."""
        if path.suffix != ".entitle":
            path = path.with_name(path.name + ".entitle")
        if path.exists():
            self._error("Cannot create workspace", f"{path} already exists.")
            return False
        try:
            Workspace.create(path).close()
        except (WorkspaceError, OSError) as exc:
            self._error("Cannot create workspace", str(exc))
            return False
        return self.open_workspace(path)

    def open_workspace_dialog(self) -> None:
        path_text, _filter = QFileDialog.getOpenFileName(
            self, "Open Workspace", str(self._dialog_dir()), WORKSPACE_FILTER
        )
        if path_text:
            self.open_workspace(Path(path_text))

    def rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.recent.paths()
        for i, path in enumerate(paths, start=1):
            action = self.recent_menu.addAction(f"&{i % 10}  {path.name}  —  {path.parent}")
            action.setData(str(path))
            action.triggered.connect(lambda _checked=False, p=path: self.open_workspace(p))
        if not paths:
            none = self.recent_menu.addAction("No recent workspaces")
            none.setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            clear = self.recent_menu.addAction("Clear Menu")
            clear.triggered.connect(self.recent.clear)

    def _dialog_dir(self) -> Path:
        if self.workspace is not None:
            return self.workspace.path.parent
        return Path.home()

    def import_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Import Salesforce Metadata Folder", str(Path.home())
        )
        if folder:
            self.start_import(Path(folder))

    def import_zip_dialog(self) -> None:
        path_text, _filter = QFileDialog.getOpenFileName(
            self, "Import Salesforce Metadata Zip", str(Path.home()), "Zip archives (*.zip)"
        )
        if path_text:
            self.start_import(Path(path_text))

    def start_import(self, source: Path) -> MetadataImport | None:
        """Import ``source`` (folder or zip) off the UI thread, with progress and Cancel."""
        if self.workspace is None or self.active_import is not None:
            return None
        job = MetadataImport(self.workspace.path, source, self)
        self.active_import = job
        job.finished.connect(self._on_import_finished)
        job.start()
        return job

    def _on_import_finished(self, imported: bool) -> None:
        job = self.active_import
        self.active_import = None
        if job is not None:
            job.deleteLater()
        if imported:
            self.reload()

    def import_data_file_dialog(self) -> None:
        path_text, _filter = QFileDialog.getOpenFileName(
            self, "Import Bundle or Data File", str(self._dialog_dir()), DATA_FILTER
        )
        if path_text:
            self.start_data_import(Path(path_text))

    def import_csv_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Import Folder of Data Loader CSV Files", str(self._dialog_dir())
        )
        if folder:
            self.start_data_import(Path(folder))

    def start_data_import(self, source: Path) -> DataImport | None:
        """Preview ``source`` (a bundle, CSV folder/file or data-tree plan) off the UI
        thread, show the preview, then apply all or nothing if the user says so."""
        if self.workspace is None or self.active_data_import is not None:
            return None
        job = DataImport(self.workspace.path, source, self)
        self.active_data_import = job
        job.finished.connect(self._on_data_import_finished)
        job.start()
        return job

    def _on_data_import_finished(self, imported: bool) -> None:
        job = self.active_data_import
        self.active_data_import = None
        if job is not None:
            job.deleteLater()
        if imported:
            self.reload()

    def export_dialog(self) -> ExportDialog | None:
        """Open File › Export… for the current workspace (window-modal)."""
        if self.workspace is None:
            return None
        if self.export_window is not None:
            self.export_window.raise_()
            return self.export_window
        dialog = ExportDialog(self.workspace, self)
        self.export_window = dialog
        dialog.finished.connect(lambda _result, d=dialog: self._on_export_closed(d))
        dialog.open()
        return dialog

    def _on_export_closed(self, dialog: ExportDialog) -> None:
        if self.export_window is dialog:
            self.export_window = None
        dialog.deleteLater()

    def reload(self) -> None:
        """Re-read the workspace after a change (trees collapse, selection resets)."""
        if self.workspace is not None:
            tab = self.navigator.currentIndex()
            self._load_catalog()
            self.navigator.setCurrentIndex(tab)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About Entitle Desktop",
            "<b>Entitle Desktop</b><br>Plan and check a support-entitlement setup offline.",
        )

    def _error(self, title: str, message: str, details: str = "") -> ErrorDialog:
        dialog = show_error(self, title, message, details)
        self.error_dialogs.append(dialog)
        dialog.destroyed.connect(lambda _obj=None, d=dialog: self._forget_dialog(d))
        return dialog

    def _forget_dialog(self, dialog: ErrorDialog) -> None:
        if dialog in self.error_dialogs:
            self.error_dialogs.remove(dialog)

    # ------------------------------------------------------------------ navigation
    def current_tree_name(self) -> str:
        return HIERARCHY if self.navigator.currentIndex() == 0 else SETUP

    def current_tree(self) -> QTreeView:
        return self.trees[self.current_tree_name()]

    def _on_tab_changed(self, _index: int) -> None:
        tree = self.current_tree()
        if tree.model() is None:
            return
        current = tree.currentIndex()
        if current.isValid():
            self._show_node(self.current_tree_name(), current)
        else:
            self._select_first_root()

    def _on_tree_selection(self, name: str, selected: QItemSelection) -> None:
        if name != self.current_tree_name():
            return
        indexes = selected.indexes()
        if indexes:
            self._show_node(name, indexes[0])

    def _show_node(self, name: str, index: QModelIndex) -> None:
        model = self.tree_models.get(name)
        if model is None or self.catalog is None:
            return
        node = model.node(index)
        if node is None:
            return
        self.current_key = node.key
        source = self.catalog.table(node.key)
        select_key: NodeKey | None = None
        caption_node = node
        if isinstance(source, EmptyTable) and index.parent().isValid():
            # A record without children: show it among its siblings, selected.
            parent_node = model.node(index.parent())
            if parent_node is not None:
                source = self.catalog.table(parent_node.key)
                caption_node = parent_node
                select_key = node.key
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._search_timer.stop()
        self.search.setEnabled(not isinstance(source, EmptyTable))
        self.search.setPlaceholderText(self._search_hint(caption_node.key, caption_node.full_label))
        self.table_model.set_source(source)
        self._caption_node = caption_node
        self._update_caption()
        if select_key is not None:
            row = self.table_model.row_of(select_key)
            if row >= 0:
                self.table.selectRow(row)
                self.table.scrollTo(self.table_model.index(row, 0))
                return
        self.table.clearSelection()
        self.detail_pane.set_detail(self.catalog.detail(node.key))

    def _search_hint(self, key: NodeKey, label: str) -> str:
        if key.folder:
            return f"Search {folder_title(key.kind, key.parent).lower()}…"
        return f"Search in {label}…"

    def _caption_base(self, key: NodeKey, label: str) -> str:
        if key.folder:
            return folder_title(key.kind, key.parent)
        return label

    def _update_caption(self) -> None:
        node = getattr(self, "_caption_node", None)
        if node is None:
            self.table_caption.clear()
            return
        count = self.table_model.rowCount()
        one, many = self.catalog.row_nouns(node.key) if self.catalog else ("record", "records")
        noun = one if count == 1 else many
        base = self._caption_base(node.key, node.full_label)
        if not node.key.folder and node.key.kind != WORKSPACE_SETTINGS:  # one of a kind
            base = f"{kind_name(node.key.kind)}: {node.full_label}"
        text = f"{base}  —  {count:,} {noun}"
        if self.table_model.search:
            text += f" matching “{self.table_model.search}”"
        self.table_caption.setText(text)

    def apply_search(self) -> None:
        """Filter the current table by the search box text (through the service query)."""
        self._search_timer.stop()
        if self.table_model.source is None:
            return
        self.table_model.set_search(self.search.text())
        self._update_caption()
        if self.table_model.rowCount() == 0 and self.current_key is not None and self.catalog:
            self.detail_pane.set_detail(self.catalog.detail(self.current_key))

    def _on_table_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        if self.catalog is None:
            return
        indexes = selected.indexes()
        if not indexes:
            return
        key = self.table_model.key(indexes[0].row())
        if key is not None:
            self.detail_pane.set_detail(self.catalog.detail(key))

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        key = self.table_model.data(index, KEY_ROLE)
        if isinstance(key, NodeKey):
            self.reveal(key)

    def reveal(self, key: NodeKey) -> bool:
        """Select the navigator node for a row of the current table, if it has one."""
        tree = self.current_tree()
        model = self.tree_models.get(self.current_tree_name())
        if model is None:
            return False
        current = tree.currentIndex()
        parent = current.parent() if self._is_leaf_showing_siblings(current) else current
        tree.expand(parent)
        found = model.find_child(parent, key)
        if not found.isValid():
            # An account's table mixes kinds: the record sits in its kind's folder.
            folder = model.find_child(
                parent, NodeKey(key.kind, parent=self._parent_of(parent), folder=True)
            )
            if folder.isValid():
                tree.expand(folder)
                found = model.find_child(folder, key)
        if not found.isValid():
            # A nested contract or line item, or one held elsewhere: follow its path.
            found = self._reveal_path(key)
        if found.isValid():
            tree.setCurrentIndex(found)
            tree.scrollTo(found)
            return True
        return False

    def _reveal_path(self, key: NodeKey) -> QModelIndex:
        tree = self.current_tree()
        model = self.tree_models.get(self.current_tree_name())
        path = self.catalog.tree_path(key) if self.catalog is not None else None
        if model is None or not path or self.current_tree_name() != HIERARCHY:
            return QModelIndex()
        if len(path) > REVEAL_DEPTH_LIMIT:
            # Thousands of levels cannot be read in a tree (and take long to open): the
            # record stays selected in the table, with its parent and root in the details.
            depth = sum(1 for k in path if k.kind == key.kind and not k.folder) - 1
            self.statusBar().showMessage(
                f"Not opened in the navigator: it is {depth:,} levels down its hierarchy."
                " Its parent and root are in the details.",
                STATUS_MESSAGE_MS,
            )
            return QModelIndex()
        index = QModelIndex()
        above: list[QModelIndex] = []
        for step in path:
            if index.isValid():
                above.append(index)
            index = model.find_child(index, step)
            if not index.isValid():
                return QModelIndex()
        # Deepest first: a node whose parent is collapsed expands without a layout, so
        # however deep the record is, the tree is laid out once.
        for node in reversed(above):
            tree.expand(node)
        return index

    def _parent_of(self, index: QModelIndex) -> tuple[str, str] | None:
        model = self.tree_models.get(self.current_tree_name())
        key = model.key(index) if model is not None else None
        if key is None or key.folder:
            return None
        return (key.kind, key.ident)

    def _is_leaf_showing_siblings(self, index: QModelIndex) -> bool:
        model = self.tree_models.get(self.current_tree_name())
        return bool(
            model is not None
            and index.isValid()
            and not model.hasChildren(index)
            and self.current_key is not None
            and not self.current_key.folder
            and isinstance(self.catalog and self.catalog.table(self.current_key), EmptyTable)
        )

    # ------------------------------------------------------------------ test helpers
    def select_path(self, tree_name: str, labels: list[str]) -> QModelIndex:
        """Select the node reached by following ``labels`` from the root (fetching as
        needed) in the given tree and make that tab current. Used by tests and --screenshot."""
        self.navigator.setCurrentIndex(0 if tree_name == HIERARCHY else 1)
        tree = self.trees[tree_name]
        model = self.tree_models[tree_name]
        parent = QModelIndex()
        index = QModelIndex()
        for label in labels:
            if parent.isValid():
                tree.expand(parent)
                while model.canFetchMore(parent):
                    model.fetchMore(parent)
            index = QModelIndex()
            for row in range(model.rowCount(parent)):
                candidate = model.index(row, 0, parent)
                text: Any = model.data(candidate)
                if text == label or (isinstance(text, str) and text.split(" (")[0] == label):
                    index = candidate
                    break
            if not index.isValid():
                raise LookupError(f"no node {label!r} under {[*labels]}")
            parent = index
        tree.setCurrentIndex(index)
        tree.scrollTo(index)
        return index
