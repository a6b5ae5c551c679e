"""Qt item models over a :class:`~entitle_desktop.ui.catalog.Catalog`.

Nothing here copies the workspace: the navigator fetches a node's children a page at a
time when the view asks (``canFetchMore``/``fetchMore``), and the table holds only the
ids of its rows plus a bounded cache of rows fetched in pages as they come into view.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from entitle_desktop.ui.catalog import (
    PLACEHOLDER_TOOLTIP,
    Column,
    Node,
    NodeKey,
    Row,
    TableSource,
    TreeSource,
)

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
PLACEHOLDER_ROLE = Qt.ItemDataRole.UserRole + 2

ModelIndex = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()  # the invalid index, as a shared default


def _italic() -> QFont:
    font = QFont()
    font.setItalic(True)
    return font


class _TreeItem:
    __slots__ = ("node", "parent", "children", "total", "row", "uid")

    def __init__(self, node: Node | None, parent: _TreeItem | None, row: int, uid: int) -> None:
        self.node = node
        self.parent = parent
        self.children: list[_TreeItem] = []
        self.total: int | None = None  # unknown until the first fetch
        self.row = row
        self.uid = uid


class NavigatorModel(QAbstractItemModel):
    """A lazily fetched tree (one of the catalog's trees)."""

    def __init__(self, catalog: TreeSource, tree: str, page_size: int = 200) -> None:
        super().__init__()
        self._catalog = catalog
        self._page_size = page_size
        self._items: dict[int, _TreeItem] = {}
        self._root = self._new_item(None, None, 0)
        roots = catalog.roots(tree)
        self._root.children = [self._new_item(n, self._root, i) for i, n in enumerate(roots)]
        self._root.total = len(roots)
        self._folder_icon = QIcon()
        self._record_icon = QIcon()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            style = app.style()
            self._folder_icon = style.standardIcon(QStyle.StandardPixmap.SP_DirIcon)
            self._record_icon = style.standardIcon(QStyle.StandardPixmap.SP_FileIcon)

    def _new_item(self, node: Node | None, parent: _TreeItem | None, row: int) -> _TreeItem:
        item = _TreeItem(node, parent, row, len(self._items) + 1)
        self._items[item.uid] = item
        return item

    def _item(self, index: ModelIndex) -> _TreeItem:
        if not index.isValid():
            return self._root
        return self._items[int(index.internalId())]

    # ---------------------------------------------------------------- structure
    def index(self, row: int, column: int, parent: ModelIndex = _ROOT) -> QModelIndex:
        item = self._item(parent)
        if column != 0 or not 0 <= row < len(item.children):
            return QModelIndex()
        return self.createIndex(row, 0, item.children[row].uid)

    def parent(self, index: ModelIndex = _ROOT) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        parent = self._item(index).parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row, 0, parent.uid)

    def rowCount(self, parent: ModelIndex = _ROOT) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._item(parent).children)

    def columnCount(self, parent: ModelIndex = _ROOT) -> int:
        return 1

    def hasChildren(self, parent: ModelIndex = _ROOT) -> bool:
        item = self._item(parent)
        if item is self._root:
            return bool(item.children)
        assert item.node is not None
        if not item.node.has_children:
            return False
        return item.total is None or item.total > 0

    def canFetchMore(self, parent: ModelIndex) -> bool:
        item = self._item(parent)
        if item is self._root or item.node is None or not item.node.has_children:
            return False
        return item.total is None or len(item.children) < item.total

    def fetchMore(self, parent: ModelIndex) -> None:
        item = self._item(parent)
        if item.node is None:
            return
        if item.total is None:
            item.total = self._catalog.child_count(item.node.key)
        start = len(item.children)
        nodes = self._catalog.children(item.node.key, start, self._page_size)
        if not nodes:
            item.total = start
            return
        self.beginInsertRows(parent, start, start + len(nodes) - 1)
        item.children.extend(self._new_item(node, item, start + i) for i, node in enumerate(nodes))
        self.endInsertRows()

    # ---------------------------------------------------------------- data
    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self._item(index).node
        if node is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return node.label
        if role == KEY_ROLE:
            return node.key
        if role == PLACEHOLDER_ROLE:
            return node.placeholder
        if role == Qt.ItemDataRole.FontRole and node.placeholder:
            return _italic()
        if role == Qt.ItemDataRole.ToolTipRole:
            if node.placeholder:
                return node.tooltip or PLACEHOLDER_TOOLTIP
            return node.tooltip or None
        if role == Qt.ItemDataRole.DecorationRole:
            return self._folder_icon if node.key.folder else self._record_icon
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # ---------------------------------------------------------------- helpers
    def key(self, index: ModelIndex) -> NodeKey | None:
        node = self._item(index).node
        return node.key if node is not None else None

    def node(self, index: ModelIndex) -> Node | None:
        return self._item(index).node

    def find_child(self, parent: ModelIndex, key: NodeKey) -> QModelIndex:
        """The index of the child with ``key`` under ``parent``, fetching pages as needed."""
        item = self._item(parent)
        while True:
            for child in item.children:
                if child.node is not None and child.node.key == key:
                    return self.createIndex(child.row, 0, child.uid)
            if not self.canFetchMore(parent):
                return QModelIndex()
            before = len(item.children)
            self.fetchMore(parent)
            if len(item.children) == before:
                return QModelIndex()


class RecordTableModel(QAbstractTableModel):
    """The rows under the selected node: their keys plus a row cache filled a page at a
    time as rows come into view (the source is queried with the search text)."""

    rows_fetched = Signal(int, int)  # first row, count: a page just came from the source

    def __init__(self, page_size: int = 200, cache_limit: int = 5_000) -> None:
        super().__init__()
        self._source: TableSource | None = None
        self._search = ""
        self._columns: list[Column] = []
        self._keys: list[NodeKey] = []
        self._cache: dict[int, Row] = {}
        self._page_size = page_size
        self._cache_limit = cache_limit
        self.fetched_pages = 0  # pages fetched from the source since the last reset

    @property
    def source(self) -> TableSource | None:
        return self._source

    @property
    def search(self) -> str:
        return self._search

    def set_source(self, source: TableSource | None, search: str = "") -> None:
        self.beginResetModel()
        self._source = source
        self._search = search.strip()
        self._columns = list(source.columns) if source is not None else []
        self._keys = source.keys(self._search) if source is not None else []
        self._cache.clear()
        self.fetched_pages = 0
        self.endResetModel()

    def set_search(self, search: str) -> None:
        self.set_source(self._source, search)

    def refresh(self) -> None:
        self.set_source(self._source, self._search)

    @property
    def columns(self) -> list[Column]:
        return list(self._columns)

    def rowCount(self, parent: ModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._keys)

    def columnCount(self, parent: ModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._columns[section].title if 0 <= section < len(self._columns) else None
        return str(section + 1)

    def row(self, row: int) -> Row | None:
        """The row at ``row``, fetching its page from the source if it is not cached."""
        if not 0 <= row < len(self._keys) or self._source is None:
            return None
        cached = self._cache.get(row)
        if cached is not None:
            return cached
        if len(self._cache) >= self._cache_limit:
            self._cache.clear()
        start = row - row % self._page_size
        self.fetched_pages += 1
        page = self._source.rows(self._search, start, self._page_size)
        for i, fetched in enumerate(page):
            self._cache[start + i] = fetched
        if page:
            self.rows_fetched.emit(start, len(page))
        return self._cache.get(row)

    def cached_row(self, row: int) -> Row | None:
        """The row at ``row`` if it has been fetched (never asks the source)."""
        return self._cache.get(row)

    def loaded_rows(self, limit: int) -> list[Row]:
        """Up to ``limit`` fetched rows, in order, fetching the first page if none is:
        what views measure, so that measuring never reads the whole table."""
        if not self._cache and self._keys:
            self.row(0)
        return [self._cache[i] for i in sorted(self._cache)[:limit]]

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == KEY_ROLE:
            return self.key(index.row())
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.FontRole,
            Qt.ItemDataRole.ToolTipRole,
            PLACEHOLDER_ROLE,
        ):
            return None
        row = self.row(index.row())
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            col = index.column()
            return row.values[col] if col < len(row.values) else ""
        if role == PLACEHOLDER_ROLE:
            return row.placeholder
        if role == Qt.ItemDataRole.FontRole:
            return _italic() if row.placeholder else None
        if row.placeholder:
            return row.tooltip or PLACEHOLDER_TOOLTIP
        # The full text, for cells the column is too narrow for.
        col = index.column()
        return row.tooltip or (row.values[col] if col < len(row.values) else None) or None

    def key(self, row: int) -> NodeKey | None:
        """The key of a row (known without fetching the row)."""
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def keys(self) -> Sequence[NodeKey]:
        return tuple(self._keys)

    def row_of(self, key: NodeKey) -> int:
        try:
            return self._keys.index(key)
        except ValueError:
            return -1
