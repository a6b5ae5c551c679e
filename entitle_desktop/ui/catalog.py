"""What the navigator, table and detail pane show, as plain Python over the services.

The item models in :mod:`entitle_desktop.ui.models` are thin adapters over a
:class:`WorkspaceCatalog`: they ask it for the children of a node a page at a time, for
the keys of a table's rows (filtered by the search text through the service query) and
for one page of rows at a time. Nothing here imports Qt.
"""

from __future__ import annotations

import codecs
import dataclasses
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Protocol

from entitle_desktop.domain.records import (
    ActionReference,
    EntitlementProcessVersion,
    Experience,
    FilterItem,
    Holiday,
    MilestoneTimeTrigger,
    MilestoneType,
    UnknownElement,
    effective_version_default,
    effective_version_number,
)
from entitle_desktop.interchange.salesforce_metadata import METADATA_NS
from entitle_desktop.services import workspace as ws_api
from entitle_desktop.ui.wording import (
    entitlement_setting_words,
    holiday_recurrence_words,
    milestone_recurrence_words,
    recurrence_summary_words,
    setup_model_words,
    size_words,
)

HIERARCHY = "hierarchy"
SETUP = "setup"

# Setup nodes the catalog builds from workspace-wide reads, not from the service's kinds.
WORKSPACE_SETTINGS = "workspace_settings"
EXPERIENCE = "experience"
OTHER_FILE = "other_file"
_WORKSPACE_KINDS = frozenset({WORKSPACE_SETTINGS, EXPERIENCE, OTHER_FILE})
# A kept file's text is shown up to here (the file itself is always kept whole).
VERBATIM_LIMIT = 200 * 1024

# kind -> (one, many) in the user's words
KIND_NAMES: dict[str, tuple[str, str]] = {
    "account": ("Account", "Accounts"),
    "contact": ("Contact", "Contacts"),
    "asset": ("Asset", "Assets"),
    "product": ("Product", "Products"),
    "service_contract": ("Service contract", "Service contracts"),
    "contract_line_item": ("Contract line item", "Contract line items"),
    "entitlement": ("Entitlement", "Entitlements"),
    "business_hours": ("Business hours", "Business hours"),
    "holiday": ("Holiday", "Holidays"),
    "milestone_type": ("Milestone type", "Milestone types"),
    "process": ("Entitlement process", "Entitlement processes"),
    "process_version": ("Process version", "Versions"),
    "process_milestone": ("Milestone", "Milestones"),
    "template": ("Entitlement template", "Entitlement templates"),
    WORKSPACE_SETTINGS: ("Workspace settings", "Workspace settings"),
    EXPERIENCE: ("Experience", "Experiences"),
    OTHER_FILE: ("Other metadata file", "Other metadata files"),
}

PLACEHOLDER_TOOLTIP = (
    "Placeholder: referenced by an imported file but not part of the imported project"
)
PLACEHOLDER_NOTE = (
    "A placeholder: the imported project refers to this record but does not contain it, "
    "so nothing about it is known beyond its name."
)


# A hierarchical kind's children of its own kind, and the column naming a record's parent.
_CHILD_FOLDER_TITLES = {
    "service_contract": "Child contracts",
    "contract_line_item": "Child line items",
}
_PARENT_TITLES = {"service_contract": "Parent contract", "contract_line_item": "Parent line item"}
NOT_IN_WORKSPACE = "(not in the workspace)"


def kind_name(kind: str, plural: bool = False) -> str:
    names = KIND_NAMES.get(kind, (kind.replace("_", " ").capitalize(),) * 2)
    return names[1] if plural else names[0]


def folder_title(kind: str, parent: tuple[str, str] | None) -> str:
    """A folder's name: its kind ("Service contracts"), or, for a record's children of
    its own kind, what they are to it ("Child contracts")."""
    if parent is not None and parent[0] == kind and kind in _CHILD_FOLDER_TITLES:
        return _CHILD_FOLDER_TITLES[kind]
    return kind_name(kind, plural=True)


def not_in_workspace(ident: str) -> str:
    return f"{ident} {NOT_IN_WORKSPACE}"


def reference_label(field_name: str, target_kind: str) -> str:
    """The detail label of a reference field: what it points at, not that it is an id
    (``parent_service_contract_id`` -> ``Parent service contract``)."""
    base = field_name.removesuffix("_id")
    if base == "parent":
        return f"Parent {kind_name(target_kind).lower()}"
    return field_label(base)


def reference_text(ident: str, label: str | None) -> str:
    """A reference as the detail pane shows it: the record's name with its id
    (``Acme Master Agreement (810Dm0000000000001)``), or the id of a missing record."""
    if label is None:
        return not_in_workspace(ident)
    if label == ident:  # a record without a name of its own (a line item without product)
        return ident
    return f"{label} ({ident})"


@dataclass(frozen=True, slots=True)
class NodeKey:
    """A record node (``kind`` + ``ident``, the service's key) or a folder node
    (``folder=True``: the records of ``kind`` under ``parent``, or all of them)."""

    kind: str
    ident: str = ""
    parent: tuple[str, str] | None = None
    folder: bool = False


@dataclass(frozen=True, slots=True)
class Node:
    key: NodeKey
    label: str  # as the navigator shows it, under its parent ("v3 (default)")
    has_children: bool
    placeholder: bool = False
    tooltip: str = ""
    title: str = ""  # the label out of its parent's context, if it differs

    @property
    def full_label(self) -> str:
        """The label for captions ("Standard Support v3 (default)")."""
        return self.title or self.label


class Fit(enum.Enum):
    """How a table column is sized."""

    SHORT = "short"  # dates, numbers, ids, yes/no, picklist words: sized to content, never elided
    NAME = "name"  # names: take the room that is left; elided only when they must give way
    TEXT = "text"  # long text (notes, criteria): one or two lines, elided; the tooltip has it all


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    fit: Fit = Fit.NAME


# Row keys of the service's tables (``ws_api.columns``) by how their column is sized;
# any other key is name-like.
_SHORT_FIELDS = frozenset(
    {
        "id",
        "start_date",
        "end_date",
        "install_date",
        "usage_end_date",
        "activity_date",
        "time",
        "term",
        "quantity",
        "version_number",
        "default",
        "active",
        "milestones",
        "versions",
        "default_version",
        "order",
        "minutes",
        "is_per_incident",
        "status",
        "object",
        "start_from",
        "time_zone",
        "serial_number",
        "product_code",
        "approval_status",
        "type",
        "recurrence_type",
    }
)
_TEXT_FIELDS = frozenset({"version_notes", "criteria", "description", "hours"})
# Under a record of the first kind, this column repeats that record on every row.
_PARENT_COLUMNS = {"account": "account_name"}
_NAME_FIELDS = frozenset({"name", "label"})


def column_fit(key: str) -> Fit:
    if key in _SHORT_FIELDS:
        return Fit.SHORT
    if key in _TEXT_FIELDS:
        return Fit.TEXT
    return Fit.NAME


@dataclass(frozen=True, slots=True)
class Row:
    """One table row: the node it stands for and its display values (one per column)."""

    key: NodeKey
    values: tuple[str, ...]
    placeholder: bool = False
    tooltip: str = ""


@dataclass(frozen=True, slots=True)
class VerbatimText:
    """A file's text, shown as it is (never as markup) in a monospace block."""

    title: str
    text: str
    cut_note: str = ""  # said after the text when only its beginning is shown


@dataclass(slots=True)
class Detail:
    """The detail pane's content: a title and sections of (label, value) pairs."""

    title: str
    subtitle: str = ""
    sections: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    placeholder: bool = False
    note: str = ""  # a plain sentence above the sections (what a placeholder is)
    # A label's API name, shown small under it (``Entitlement versioning`` ->
    # ``enableEntitlementVersioning``); the same label means the same in every section.
    key_hints: dict[str, str] = field(default_factory=dict)
    verbatim: VerbatimText | None = None  # after the sections

    def section(self, title: str) -> list[tuple[str, str]]:
        for name, pairs in self.sections:
            if name == title:
                return pairs
        raise KeyError(title)


class TableSource(Protocol):
    """The rows under one node: ``keys`` is cheap (keys only); ``rows`` fetches a page."""

    @property
    def columns(self) -> Sequence[Column]: ...

    def keys(self, search: str) -> list[NodeKey]: ...

    def rows(self, search: str, offset: int, limit: int) -> list[Row]: ...


# --------------------------------------------------------------------------- values


def field_label(name: str) -> str:
    """``version_number`` -> ``Version number``; labels that are already words stay."""
    if name and name == name.lower() and " " not in name:
        label = name.replace("_", " ").capitalize()
        return label.replace("Sla ", "SLA ").replace(" id", " Id")
    return name


def display(value: Any) -> str:
    """A cell or field value as the user reads it."""
    if value is None:
        return ""
    if isinstance(value, FilterItem):
        right = value.value if value.value is not None else value.value_field or ""
        return f"{value.field} {value.operation} {right}".strip()
    if isinstance(value, ActionReference):
        return f"{value.type}: {value.name}"
    if isinstance(value, MilestoneTimeTrigger):
        actions = ", ".join(display(a) for a in value.actions) or "no actions"
        return f"{display(value.time_length)} {value.unit} → {actions}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(display(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return describe(value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {display(v)}" for k, v in value.items())
    return str(value)


def describe(record: Any) -> str:
    """A one-line description of a nested dataclass (a criteria line, an action, ...)."""
    parts: list[str] = []
    for f in dataclasses.fields(record):
        if f.name == "unknown":
            continue
        value = getattr(record, f.name)
        if value is None or value == [] or value == {}:
            continue
        parts.append(f"{f.name.replace('_', ' ')}: {display(value)}")
    return "; ".join(parts)


def folder_count(count: int, placeholders: int) -> str:
    """A folder's count in the navigator: real records, placeholders apart.

    ``folder_count(14, 2)`` -> ``"12 + 2 placeholders"``; ``folder_count(3, 0)`` -> ``"3"``.
    """
    if not placeholders:
        return str(count)
    noun = "placeholder" if placeholders == 1 else "placeholders"
    return f"{count - placeholders} + {placeholders} {noun}"


def _row_placeholder(row: dict[str, Any]) -> tuple[bool, str]:
    placeholder = bool(row.get("placeholder"))
    return placeholder, PLACEHOLDER_TOOLTIP if placeholder else ""


def version_facts(row: dict[str, Any], versions_of_process: int) -> tuple[int, bool]:
    """A process version row's number and default flag as Salesforce reads them (a
    process without versioning is version 1, and its only version is the default)."""
    version = EntitlementProcessVersion(
        str(row["name"]),
        version_number=row.get("version_number"),
        is_version_default=row.get("default"),
    )
    return effective_version_number(version), effective_version_default(
        version, versions_of_process
    )


def version_label(number: int, default: bool = False, process: str = "") -> str:
    """A version under its process: ``v3 (default)``, ``v1``; with the process's name
    (out of its context): ``Standard Support v3 (default)``. A process without
    versioning is labelled the same way: ``v1 (default)``."""
    base = f"{process} v{number}" if process else f"v{number}"
    return f"{base} (default)" if default else base


def shown_row(kind: str, row: dict[str, Any], versions_of_process: int = 0) -> dict[str, Any]:
    """A service row as the table and the navigator show it: a placeholder keeps only its
    name (nothing else about it is known), versions are numbered the same way whether the
    file is versioned or not, recurrences are in words."""
    out = dict(row)
    if out.get("placeholder"):
        return {
            k: v if k in _NAME_FIELDS or k in {"key", "placeholder", "child_count"} else None
            for k, v in out.items()
        }
    if kind == "process_version":
        number, default = version_facts(out, versions_of_process)
        out.update(label=version_label(number), version_number=number, default=default)
    elif kind == "milestone_type":
        out["recurrence_type"] = milestone_recurrence_words(out.get("recurrence_type"))
    elif kind == "holiday":
        out["recurrence"] = recurrence_summary_words(str(out.get("recurrence") or ""))
    return out


# --------------------------------------------------------------------------- tables


class KindTable:
    """The records of one kind, optionally under a parent record."""

    def __init__(
        self, workspace: ws_api.Workspace, kind: str, parent: tuple[str, str] | None
    ) -> None:
        self.workspace = workspace
        self.kind = kind
        self.parent = parent
        repeated = {_PARENT_COLUMNS.get(parent[0]) if parent is not None else None}
        if kind == "process_version":
            repeated.add("version_number")  # the Version column says "v3"
        self._fields = [(k, t) for k, t in self._all_fields() if k not in repeated]
        self._columns = [Column(title, column_fit(key)) for key, title in self._fields]

    def _all_fields(self) -> list[tuple[str, str]]:
        return ws_api.columns(self.kind)

    @property
    def columns(self) -> Sequence[Column]:
        return self._columns

    def count(self, search: str) -> int:
        return self.workspace.count(self.kind, parent=self.parent, search=search)

    def fetch(self, search: str, offset: int, limit: int) -> list[dict[str, Any]]:
        """One page of the service's rows (before they are shown)."""
        return self.workspace.rows(
            self.kind, parent=self.parent, search=search, offset=offset, limit=limit
        )

    def _row_keys(self, search: str) -> list[str]:
        return self.workspace.row_keys(self.kind, parent=self.parent, search=search)

    def keys(self, search: str) -> list[NodeKey]:
        return [NodeKey(self.kind, k) for k in self._row_keys(search)]

    def rows(self, search: str, offset: int, limit: int) -> list[Row]:
        rows = self.fetch(search, offset, limit)
        if self.kind == "process":
            rows = [self._with_default_version(r) for r in rows]
        versions = self._versions_of_process(rows)
        return [self._row(shown_row(self.kind, r, versions.get(r.get("name"), 0))) for r in rows]

    def name_of(self, row: dict[str, Any]) -> str:
        """The row's name where one column has to say what it is (a table of mixed kinds)."""
        return display(row.get("label"))

    def _versions_of_process(self, rows: list[dict[str, Any]]) -> dict[Any, int]:
        if self.kind != "process_version":
            return {}
        return {
            name: self.workspace.count("process_version", parent=("process", str(name)))
            for name in {r.get("name") for r in rows}
        }

    def _with_default_version(self, row: dict[str, Any]) -> dict[str, Any]:
        """A process without versioning: its only version is its default (as labelled)."""
        if row.get("placeholder") or row.get("versions") != 1 or row.get("default_version"):
            return row
        version = self.workspace.rows("process_version", parent=("process", str(row["key"])))
        if not version:
            return row
        number, default = version_facts(version[0], 1)
        return {**row, "default_version": number} if default else row

    def _row(self, row: dict[str, Any]) -> Row:
        placeholder, tip = _row_placeholder(row)
        values = tuple(display(row.get(k)) for k, _title in self._fields)
        return Row(NodeKey(self.kind, str(row["key"])), values, placeholder, tip)


class HierarchyTable(KindTable):
    """Service contracts or contract line items (records with parents of their own kind)
    under their holder or under a parent record (see ``Workspace.hierarchy_rows``).

    Under the holder (an account's contracts) every record is listed, with a column
    naming its parent; under a record with ``nested``, the children the navigator nests
    there, else every child, wherever it is held (named with its holder when elsewhere).
    """

    def __init__(
        self,
        workspace: ws_api.Workspace,
        kind: str,
        parent: tuple[str, str],
        *,
        nested: bool,
        loop_breaks: Callable[[], dict[str, str]] = dict,
    ) -> None:
        self._under_record = parent[0] == kind
        super().__init__(workspace, kind, parent)
        self.nested = nested
        self._loop_breaks = loop_breaks
        self._holder_kind = ws_api.nesting_kind(kind) or ""

    def _all_fields(self) -> list[tuple[str, str]]:
        fields = ws_api.columns(self.kind)
        if self._under_record:
            # Every row has the same parent, and (nested) the same holder.
            held = {"account_name"} if self.kind == "service_contract" else set()
            return [(k, t) for k, t in fields if k not in held]
        return [fields[0], ("parent_name", _PARENT_TITLES[self.kind]), *fields[1:]]

    def _scope(self) -> dict[str, Any]:
        assert self.parent is not None
        breaks = self._loop_breaks() if self.nested else None
        return {"nested": self.nested, "loop_breaks": breaks}

    def count(self, search: str) -> int:
        assert self.parent is not None
        return self.workspace.hierarchy_count(self.kind, self.parent, search, **self._scope())

    def fetch(self, search: str, offset: int, limit: int) -> list[dict[str, Any]]:
        assert self.parent is not None
        rows = self.workspace.hierarchy_rows(
            self.kind, self.parent, search, offset, limit, **self._scope()
        )
        for row in rows:
            if row.get("parent_id") and row.get("parent_name") is None:
                row["parent_name"] = not_in_workspace(str(row["parent_id"]))
        return rows

    def _row_keys(self, search: str) -> list[str]:
        assert self.parent is not None
        return self.workspace.hierarchy_row_keys(self.kind, self.parent, search, **self._scope())

    def name_of(self, row: dict[str, Any]) -> str:
        name = super().name_of(row)
        if self._under_record and row.get("group_id") != row.get("parent_group_id"):
            holder = display(row.get("group_name")) or display(row.get("group_id"))
            name += f" (in {kind_name(self._holder_kind).lower()} {holder})"
        return name


class MixedTable:
    """The children of a record across several kinds (an account's contacts, assets,
    service contracts and entitlements), one table with a Type column."""

    def __init__(
        self,
        workspace: ws_api.Workspace,
        kinds: Sequence[str],
        parent: tuple[str, str],
        parts: Sequence[KindTable] = (),
    ) -> None:
        self._parts = list(parts) or [KindTable(workspace, kind, parent) for kind in kinds]
        self._columns = [Column("Type", Fit.SHORT), Column("Name")]

    @property
    def columns(self) -> Sequence[Column]:
        return self._columns

    def keys(self, search: str) -> list[NodeKey]:
        return [key for part in self._parts for key in part.keys(search)]

    def rows(self, search: str, offset: int, limit: int) -> list[Row]:
        out: list[Row] = []
        for part in self._parts:
            if limit <= 0:
                break
            size = part.count(search)
            if offset >= size:
                offset -= size
                continue
            fetched = part.fetch(search, offset, limit)
            for r in fetched:
                placeholder, tip = _row_placeholder(r)
                out.append(
                    Row(
                        NodeKey(part.kind, str(r["key"])),
                        (kind_name(part.kind), part.name_of(r)),
                        placeholder,
                        tip,
                    )
                )
            limit -= len(fetched)
            offset = 0
        return out


class EmptyTable:
    columns: Sequence[Column] = (Column("Name"),)

    def keys(self, search: str) -> list[NodeKey]:
        return []

    def rows(self, search: str, offset: int, limit: int) -> list[Row]:
        return []


def _matches(search: str, *texts: str) -> bool:
    needle = search.casefold()
    return not needle or any(needle in text.casefold() for text in texts)


class EntitlementSettingsTable:
    """The Entitlement.settings flags of the workspace, in file order."""

    columns: Sequence[Column] = (
        Column("Setting"),
        Column("API name", Fit.SHORT),
        Column("Value", Fit.SHORT),
    )

    def __init__(self, workspace: ws_api.Workspace) -> None:
        self.workspace = workspace

    def _flags(self, search: str) -> list[tuple[str, bool]]:
        settings = self.workspace.settings().entitlement_settings
        flags = list(settings.flags.items()) if settings is not None else []
        return [
            (api, value)
            for api, value in flags
            if _matches(search, api, entitlement_setting_words(api))
        ]

    def keys(self, search: str) -> list[NodeKey]:
        return [NodeKey(WORKSPACE_SETTINGS, api) for api, _value in self._flags(search)]

    def rows(self, search: str, offset: int, limit: int) -> list[Row]:
        return [
            Row(
                NodeKey(WORKSPACE_SETTINGS, api),
                (entitlement_setting_words(api), api, display(value)),
            )
            for api, value in self._flags(search)[offset : offset + limit]
        ]


def _fields_text(experience: Experience) -> str:
    return ", ".join(experience.visible_fields)


class ExperienceTable:
    """The experiences (self-service sites) of the workspace, by name."""

    columns: Sequence[Column] = (
        Column("Name"),
        Column("Exposes entitlements", Fit.SHORT),
        Column("Entitlement fields shown", Fit.TEXT),
        Column("Cases get an entitlement", Fit.SHORT),
    )

    def __init__(self, workspace: ws_api.Workspace) -> None:
        self.workspace = workspace

    def keys(self, search: str) -> list[NodeKey]:
        return [NodeKey(EXPERIENCE, e.name) for e in self.workspace.experiences(search)]

    def rows(self, search: str, offset: int, limit: int) -> list[Row]:
        return [
            Row(
                NodeKey(EXPERIENCE, e.name),
                (
                    e.name,
                    display(e.exposes_entitlements),
                    _fields_text(e),
                    display(e.auto_entitlement_on_cases),
                ),
            )
            for e in self.workspace.experiences(search)[offset : offset + limit]
        ]


class OtherFileTable:
    """The metadata files kept verbatim, in file order (their content is not read)."""

    columns: Sequence[Column] = (Column("Path"), Column("Size", Fit.SHORT))

    def __init__(self, workspace: ws_api.Workspace) -> None:
        self.workspace = workspace

    def keys(self, search: str) -> list[NodeKey]:
        return [NodeKey(OTHER_FILE, f.path) for f in self.workspace.other_files(search)]

    def rows(self, search: str, offset: int, limit: int) -> list[Row]:
        return [
            Row(NodeKey(OTHER_FILE, f.path), (f.path, size_words(f.size)))
            for f in self.workspace.other_files(search, offset, limit)
        ]


# --------------------------------------------------------------------------- catalog


class WorkspaceCatalog:
    """Navigator trees, tables and details of one open workspace.

    Service contracts and contract line items nest under their parents (held by the
    same account, or the same contract): a record's children of its own kind are in a
    "Child contracts" / "Child line items" folder, fetched when it is expanded. What
    it learns about hierarchies (where loops are broken, who holds a record) is kept
    for its lifetime: the window makes a new catalog whenever the workspace changes."""

    def __init__(self, workspace: ws_api.Workspace) -> None:
        self.workspace = workspace
        self._loop_breaks: dict[tuple[str, str], dict[str, str]] = {}
        self._holders: dict[tuple[str, str], str | None] = {}
        self._nested_children: dict[tuple[str, str], int] = {}

    # ---------------------------------------------------------------- hierarchies
    def loop_breaks(self, kind: str, holder: str | None) -> dict[str, str]:
        """``Workspace.loop_breaks`` of one holder, asked once."""
        if holder is None:
            return {}
        found = self._loop_breaks.get((kind, holder))
        if found is None:
            found = self.workspace.loop_breaks(kind, holder)
            self._loop_breaks[(kind, holder)] = found
        return found

    def _holder(self, kind: str, ident: str) -> str | None:
        if (kind, ident) not in self._holders:
            found = self.workspace.nesting_path(kind, ident)
            self._holders[(kind, ident)] = found[0] if found is not None else None
        return self._holders[(kind, ident)]

    def _breaks_for(self, kind: str, parent: tuple[str, str]) -> Callable[[], dict[str, str]]:
        """The loop breaks that apply under ``parent`` (a holder or a record of ``kind``)."""

        def breaks() -> dict[str, str]:
            holder = parent[1] if parent[0] != kind else self._holder(kind, parent[1])
            return self.loop_breaks(kind, holder)

        return breaks

    def _nested_child_count(self, kind: str, ident: str) -> int:
        """How many children of its own kind the navigator nests under a record."""
        found = self._nested_children.get((kind, ident))
        if found is None:
            parent = (kind, ident)
            found = self.workspace.hierarchy_count(
                kind, parent, loop_breaks=self._breaks_for(kind, parent)()
            )
            self._nested_children[(kind, ident)] = found
        return found

    def _has_any_child(self, kind: str, ident: str) -> bool:
        """Whether a record has children of its own kind, wherever they are held."""
        return self.workspace.hierarchy_count(kind, (kind, ident), nested=False) > 0

    def _tree_kinds(self, key: NodeKey) -> list[str]:
        """The kinds of a record's children in the navigator: its own kind first when
        it nests children there (only then: most contracts have none)."""
        kinds = ws_api.child_kinds(key.kind)
        if ws_api.nesting_kind(key.kind) and self._nested_child_count(key.kind, key.ident):
            return [key.kind, *kinds]
        return kinds

    def _table_kinds(self, key: NodeKey) -> list[str]:
        """The kinds of a record's children in its table: its own kind when it has any
        children of it, also those held elsewhere (another account's contract)."""
        kinds = ws_api.child_kinds(key.kind)
        if ws_api.nesting_kind(key.kind) and self._has_any_child(key.kind, key.ident):
            return [key.kind, *kinds]
        return kinds

    def _is_hierarchy_folder(self, key: NodeKey) -> bool:
        return key.parent is not None and ws_api.nesting_kind(key.kind) is not None

    def tree_path(self, key: NodeKey) -> list[NodeKey] | None:
        """The navigator keys from a root down to the record ``key`` (an account, a
        service contract or a contract line item), or None when the navigator does not
        show it. What reveals a nested record, however deep."""
        if key.folder or key.kind in _WORKSPACE_KINDS:
            return None
        if key.kind == "account":
            return [NodeKey("account", folder=True), key]
        holder_kind = ws_api.nesting_kind(key.kind)
        if holder_kind is None:
            return None
        found = self.workspace.nesting_path(key.kind, key.ident)
        if found is None:
            return None
        holder, ids = found
        if holder is None:  # a contract of no account: not in the navigator
            return None
        head = self.tree_path(NodeKey(holder_kind, holder))
        if head is None:
            return None
        path = [*head, NodeKey(key.kind, parent=(holder_kind, holder), folder=True)]
        path.append(NodeKey(key.kind, ids[0]))
        for above, ident in zip(ids, ids[1:], strict=False):
            path.append(NodeKey(key.kind, parent=(key.kind, above), folder=True))
            path.append(NodeKey(key.kind, ident))
        return path

    # ---------------------------------------------------------------- trees
    def roots(self, tree: str) -> list[Node]:
        """The hierarchy's accounts; in setup, the workspace settings first, then the
        setup records by kind, the experiences and the files kept verbatim."""
        if tree == HIERARCHY:
            return [self._folder(kind, None) for kind in ws_api.HIERARCHY_ROOTS]
        settings = Node(
            NodeKey(WORKSPACE_SETTINGS),
            kind_name(WORKSPACE_SETTINGS),
            False,
            tooltip="The setup model and the Entitlement.settings flags",
        )
        return [
            settings,
            *(self._folder(kind, None) for kind in ws_api.SETUP_ROOTS),
            self._workspace_folder(EXPERIENCE),
            self._workspace_folder(OTHER_FILE),
        ]

    def _workspace_count(self, kind: str) -> int:
        if kind == EXPERIENCE:
            return len(self.workspace.experiences())
        if kind == OTHER_FILE:
            return self.workspace.other_file_count()
        return 0

    def _workspace_folder(self, kind: str) -> Node:
        count = self._workspace_count(kind)
        label = f"{kind_name(kind, plural=True)} ({count})"
        return Node(NodeKey(kind, folder=True), label, count > 0)

    def _workspace_nodes(self, kind: str, offset: int, limit: int) -> list[Node]:
        if kind == EXPERIENCE:
            names = [e.name for e in self.workspace.experiences()][offset : offset + limit]
            return [Node(NodeKey(EXPERIENCE, name), name, False) for name in names]
        if kind == OTHER_FILE:
            files = self.workspace.other_files(offset=offset, limit=limit)
            return [Node(NodeKey(OTHER_FILE, f.path), f.path, False) for f in files]
        return []

    def row_nouns(self, key: NodeKey) -> tuple[str, str]:
        """What the rows of ``key``'s table are, one and many, for the caption."""
        if key.kind == WORKSPACE_SETTINGS:
            return ("Entitlement.settings flag", "Entitlement.settings flags")
        if key.kind == OTHER_FILE:
            return ("file", "files")
        return ("record", "records")

    def _folder_count(self, kind: str, parent: tuple[str, str] | None) -> int:
        """The records a folder stands for: a holder's folder counts all its records
        (the tree nests some of them), a "Child contracts" folder what it nests."""
        if parent is not None and parent[0] == kind and ws_api.nesting_kind(kind):
            return self._nested_child_count(kind, parent[1])
        return self.workspace.count(kind, parent=parent)

    def _folder(self, kind: str, parent: tuple[str, str] | None) -> Node:
        count = self._folder_count(kind, parent)
        placeholders = self.workspace.placeholder_count(kind, parent=parent)
        label = f"{folder_title(kind, parent)} ({folder_count(count, placeholders)})"
        return Node(NodeKey(kind, parent=parent, folder=True), label, count > 0)

    def child_count(self, key: NodeKey) -> int:
        if key.kind in _WORKSPACE_KINDS:
            return self._workspace_count(key.kind) if key.folder else 0
        if key.folder:
            if self._is_hierarchy_folder(key):
                assert key.parent is not None
                if key.parent[0] == key.kind:
                    return self._nested_child_count(key.kind, key.parent[1])
                return self.workspace.hierarchy_count(
                    key.kind, key.parent, loop_breaks=self._breaks_for(key.kind, key.parent)()
                )
            return self.workspace.count(key.kind, parent=key.parent)
        kinds = self._tree_kinds(key)
        if len(kinds) == 1:
            return self.workspace.count(kinds[0], parent=(key.kind, key.ident))
        return len(kinds)

    def children(self, key: NodeKey, offset: int, limit: int) -> list[Node]:
        if key.kind in _WORKSPACE_KINDS:
            return self._workspace_nodes(key.kind, offset, limit) if key.folder else []
        if key.folder:
            if self._is_hierarchy_folder(key):
                assert key.parent is not None
                return self._hierarchy_nodes(key.kind, key.parent, offset, limit)
            return self._record_nodes(key.kind, key.parent, offset, limit)
        kinds = self._tree_kinds(key)
        parent = (key.kind, key.ident)
        if len(kinds) == 1:
            return self._record_nodes(kinds[0], parent, offset, limit)
        return [self._folder(kind, parent) for kind in kinds[offset : offset + limit]]

    def _hierarchy_nodes(
        self, kind: str, parent: tuple[str, str], offset: int, limit: int
    ) -> list[Node]:
        rows = self.workspace.hierarchy_rows(
            kind, parent, offset=offset, limit=limit, loop_breaks=self._breaks_for(kind, parent)()
        )
        nodes = []
        for row in rows:
            ident = str(row["key"])
            holder = row.get("group_id")
            self._holders[(kind, ident)] = holder
            # Its children of its own kind held here, less a loop's break among them.
            hidden = sum(1 for p in self.loop_breaks(kind, holder).values() if p == ident)
            nested = int(row["nested_count"]) - hidden
            self._nested_children[(kind, ident)] = nested
            has_children = int(row.get("child_count") or 0) + nested > 0
            label = display(row.get("label")) or ident
            nodes.append(Node(NodeKey(kind, ident), label, has_children))
        return nodes

    def _record_nodes(
        self, kind: str, parent: tuple[str, str] | None, offset: int, limit: int
    ) -> list[Node]:
        nodes = []
        versions = 0
        if kind == "process_version" and parent is not None:
            versions = self.workspace.count(kind, parent=parent)
        for raw in self.workspace.rows(kind, parent=parent, offset=offset, limit=limit):
            row = shown_row(kind, raw, versions)
            placeholder, tip = _row_placeholder(row)
            has_children = bool(ws_api.child_kinds(kind)) and int(row.get("child_count") or 0) > 0
            label = display(row.get("label")) or str(row["key"])
            title = ""
            if kind == "process_version":
                number, default = int(row["version_number"]), bool(row["default"])
                label = version_label(number, default)
                title = version_label(number, default, str(row["name"]))
            nodes.append(
                Node(NodeKey(kind, str(row["key"])), label, has_children, placeholder, tip, title)
            )
        return nodes

    # ---------------------------------------------------------------- tables
    def table(self, key: NodeKey) -> TableSource:
        """The rows the table shows for a selected node.

        A folder shows its records; a record shows its children (several kinds in one
        table with a Type column); a record without child kinds shows nothing. A holder's
        folder of contracts or line items lists all of them, naming each one's parent; a
        "Child contracts" folder what the navigator nests in it; a contract's table all
        its child contracts, also those of other accounts. The workspace settings show
        the Entitlement.settings flags; experiences and kept files a table of their own.
        """
        if key.kind == WORKSPACE_SETTINGS:
            return EntitlementSettingsTable(self.workspace)
        if key.kind in (EXPERIENCE, OTHER_FILE):
            if not key.folder:
                return EmptyTable()
            if key.kind == EXPERIENCE:
                return ExperienceTable(self.workspace)
            return OtherFileTable(self.workspace)
        if key.folder:
            if self._is_hierarchy_folder(key):
                assert key.parent is not None
                return self._hierarchy_table(key.kind, key.parent, nested=True)
            return KindTable(self.workspace, key.kind, key.parent)
        parent = (key.kind, key.ident)
        kinds = self._table_kinds(key)
        if len(kinds) == 1:
            return KindTable(self.workspace, kinds[0], parent)
        if kinds:
            parts = [
                self._hierarchy_table(kind, parent, nested=False)
                if kind == key.kind
                else KindTable(self.workspace, kind, parent)
                for kind in kinds
            ]
            return MixedTable(self.workspace, kinds, parent, parts)
        return EmptyTable()

    def _hierarchy_table(self, kind: str, parent: tuple[str, str], nested: bool) -> HierarchyTable:
        # Under its holder a folder lists every record, flat: nothing to break.
        nested = nested and parent[0] == kind
        return HierarchyTable(
            self.workspace, kind, parent, nested=nested, loop_breaks=self._breaks_for(kind, parent)
        )

    # ---------------------------------------------------------------- details
    def detail(self, key: NodeKey) -> Detail | None:
        if key.kind in _WORKSPACE_KINDS:
            return self._workspace_detail(key)
        if key.folder:
            count = self._folder_count(key.kind, key.parent)
            placeholders = self.workspace.placeholder_count(key.kind, parent=key.parent)
            fields = [("Records", str(count - placeholders))]
            if placeholders:
                fields.append(("Placeholders", str(placeholders)))
            if key.parent is not None:
                owner = self.workspace.row(key.parent[0], key.parent[1])
                owner_label = display(owner.get("label")) if owner else key.parent[1]
                fields.insert(0, (kind_name(key.parent[0]), owner_label))
            title = folder_title(key.kind, key.parent)
            return Detail(title, "Folder", [("Summary", fields)])
        raw = self.workspace.detail(key.kind, key.ident)
        if raw is None:
            return None
        if raw.get("placeholder"):
            return self._placeholder_detail(raw)
        if key.kind in ws_api.DATA_KINDS:
            raw = {**raw, "fields": self._named_references(key.kind, raw.get("fields", []))}
        if key.kind == "process_version":
            raw = self._version_raw(raw)
        record = raw.get("record")
        if isinstance(record, Holiday):
            raw = _with_field(raw, "is_recurring", "Recurrence", holiday_recurrence_words(record))
        elif isinstance(record, MilestoneType):
            words = milestone_recurrence_words(record.recurrence_type)
            raw = _with_field(raw, "description", "Recurrence", words)
        detail = detail_from_service(raw)
        if ws_api.nesting_kind(key.kind):
            detail.note = self._loop_note(key)
        return detail

    def _workspace_detail(self, key: NodeKey) -> Detail | None:
        if key.kind == WORKSPACE_SETTINGS:
            return self._settings_detail()
        if key.folder:
            count = self._workspace_count(key.kind)
            summary = [("Records", str(count))]
            subtitle = "Folder"
            if key.kind == OTHER_FILE:
                total = sum(f.size for f in self.workspace.other_files())
                summary.append(("Total size", size_words(total)))
                subtitle = "Folder · files kept verbatim, exported unchanged"
            return Detail(kind_name(key.kind, plural=True), subtitle, [("Summary", summary)])
        if key.kind == EXPERIENCE:
            found = next((e for e in self.workspace.experiences() if e.name == key.ident), None)
            return experience_detail(found) if found is not None else None
        kept = self.workspace.other_file(key.ident)
        return other_file_detail(kept.path, kept.content) if kept is not None else None

    def _settings_detail(self) -> Detail:
        """The setup model in words, the Entitlement.settings flags in file order (each
        with its API name), and the settings elements kept verbatim."""
        settings = self.workspace.settings()
        name, eligibility, points_at = setup_model_words(settings.setup_model.value)
        model = [("Model", name)]
        if eligibility:
            model += [("Eligibility decided by", eligibility), ("Entitlements point at", points_at)]
        detail = Detail(
            kind_name(WORKSPACE_SETTINGS),
            "Setup model and Entitlement.settings",
            [("Setup model", model)],
        )
        entitlement = settings.entitlement_settings
        flags: list[tuple[str, str]]
        if entitlement is None:
            flags = [("", "None: no Entitlement.settings has been imported into this workspace.")]
        elif not entitlement.flags:
            flags = [("", "The imported Entitlement.settings sets no flags.")]
        else:
            flags = []
            for api, value in entitlement.flags.items():
                words = entitlement_setting_words(api)
                flags.append((words, display(value)))
                detail.key_hints[words] = api
        detail.sections.append(("Entitlement.settings", flags))
        kept = [
            *kept_xml(entitlement.unknown if entitlement else [], "Entitlement.settings"),
            *kept_xml(settings.business_hours_settings_unknown, "BusinessHours.settings"),
        ]
        if kept:
            detail.sections.append(("Unknown elements kept from import", kept))
        if settings.metadata_api_version:
            detail.sections.append(
                ("Metadata project", [("API version", settings.metadata_api_version)])
            )
        return detail

    def _named_references(
        self, kind: str, fields: Sequence[tuple[str, Any]]
    ) -> list[tuple[str, Any]]:
        """A data record's fields with every reference named: ``Parent service contract``
        = ``Acme Master Agreement (810Dm0000000000001)``. The service's extra fields that
        only repeat a referenced name (``Account``, ``Product``) are left out."""
        references = ws_api.reference_kinds(kind)
        wanted: dict[str, set[str]] = {}
        for name, value in fields:
            if name in references and isinstance(value, str) and value:
                wanted.setdefault(references[name], set()).add(value)
        labels = {target: self.workspace.labels(target, ids) for target, ids in wanted.items()}
        out: list[tuple[str, Any]] = []
        named: set[str] = set()
        for name, value in fields:
            target = references.get(name)
            if target is None:
                if name not in named:  # a repeat of a reference's name
                    out.append((name, value))
                continue
            label = reference_label(name, target)
            named.add(label)
            if isinstance(value, str) and value:
                value = reference_text(value, labels[target].get(value))
            out.append((label, value))
        return out

    def _loop_note(self, key: NodeKey) -> str:
        """What to say about a record whose parent links loop (bad data), else ""."""
        lineage = self.workspace.lineage(key.kind, key.ident)
        if lineage.loops_to is None:
            return ""
        noun = kind_name(key.kind).lower()
        names = self.workspace.labels(key.kind, [key.ident, *lineage.ancestors[:_LOOP_SHOWN]])
        if lineage.own_ancestor:
            steps = [key.ident, *lineage.ancestors]
            shown = [names.get(i, i) for i in steps[:_LOOP_SHOWN]]
            more = " → …" if len(steps) > _LOOP_SHOWN else ""
            loop = " → ".join(shown) + more + f" → {names.get(key.ident, key.ident)}"
            breaks = self.loop_breaks(key.kind, self._holder(key.kind, key.ident))
            top = next((i for i in steps if i in breaks), None)
            where = "one of them"
            if top is not None:
                where = self.workspace.labels(key.kind, [top]).get(top, top)
            return (
                f"This {noun} is its own ancestor: its parent links loop ({loop}). "
                f"The navigator shows {where} at the top and the others under it."
            )
        closes = self.workspace.labels(key.kind, [lineage.loops_to]).get(lineage.loops_to)
        return (
            f"The parent links above this {noun} loop (at {closes or lineage.loops_to}): "
            "its ancestors go round without reaching a top."
        )

    def _version_raw(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Version number and default as the label has them, saying where they come from
        when the file does not set them."""
        record = raw.get("record")
        if not isinstance(record, EntitlementProcessVersion):
            return raw
        versions = self.workspace.count("process_version", parent=("process", record.name))
        number = effective_version_number(record)
        default = effective_version_default(record, versions)
        fields = []
        for name, value in raw.get("fields", []):
            if name == "version_number" and value is None:
                value = f"{number} (no version number set)"
            elif name == "is_version_default" and value is None:
                why = "the process's only version" if default else "not set in the file"
                value = f"{display(default)} ({why})"
            fields.append((name, value))
        return {**raw, "label": version_label(number, process=record.name), "fields": fields}

    def _placeholder_detail(self, raw: dict[str, Any]) -> Detail:
        """Only the name is known; the made-up defaults of the record are not shown."""
        kind = str(raw.get("kind", ""))
        name = display(raw.get("label")) or str(raw.get("key"))
        detail = Detail(
            name,
            f"{kind_name(kind)} · placeholder (referenced, not in the imported project)",
            [("Fields", [("Name", name)])],
            placeholder=True,
            note=PLACEHOLDER_NOTE,
        )
        references = self.references(kind, name)
        if references:
            shown = references[:_MAX_REFERENCES]
            if len(references) > len(shown):
                shown.append(f"and {len(references) - len(shown)} more")
            detail.sections.append(("Referenced by", [("", r) for r in shown]))
        return detail

    def references(self, kind: str, name: str) -> list[str]:
        """The setup records that name the ``kind`` record ``name`` (for placeholders:
        business hours, milestone types, processes), in the user's words."""
        ws = self.workspace
        out: list[str] = []
        if kind in ("business_hours", "milestone_type"):
            versions = {str(v["key"]): v for v in ws.rows("process_version", limit=_ALL)}
            titles = {
                k: version_label(version_facts(v, 1)[0], process=str(v["name"]))
                for k, v in versions.items()
            }
            for key, v in versions.items():
                if kind == "business_hours" and v.get("business_hours") == name:
                    out.append(f"Entitlement process {titles[key]}")
            field_name = "business_hours" if kind == "business_hours" else "milestone_name"
            for m in ws.rows("process_milestone", limit=_ALL):
                if m.get(field_name) == name:
                    title = titles.get(str(m["key"]).rpartition("#m")[0], "")
                    which = f" ({m['milestone_name']})" if kind == "business_hours" else ""
                    out.append(f"Entitlement process {title}, milestone {m['order']}{which}")
        if kind in ("business_hours", "process"):
            field_name = "business_hours" if kind == "business_hours" else "entitlement_process"
            out += [
                f"Entitlement template {t['name']}"
                for t in ws.rows("template", limit=_ALL)
                if t.get(field_name) == name and not t.get("placeholder")
            ]
        if kind == "business_hours":
            out += [
                f"Holiday {h['name']}"
                for h in ws.rows("holiday", limit=_ALL)
                if name in str(h.get("business_hours") or "").split(", ")
            ]
        return out

    def counts(self) -> dict[str, int]:
        return dict(self.workspace.summary().counts)


_MAX_REFERENCES = 12
_LOOP_SHOWN = 6  # records of a loop named in the note
_ALL = 1_000_000  # setup tables are built in memory by the service anyway


def _with_field(raw: dict[str, Any], after: str, label: str, value: str) -> dict[str, Any]:
    """``raw`` with a (label, value) field after the field ``after`` (or last)."""
    if not value:
        return raw
    fields = list(raw.get("fields", []))
    names = [name for name, _value in fields]
    at = names.index(after) + 1 if after in names else len(fields)
    fields.insert(at, (label, value))
    return {**raw, "fields": fields}


_SKIP = {"kind", "key", "label", "placeholder", "fields", "record"}
_ROW_META = {"key", "label", "name", "placeholder", "child_count", "order"}


def _pairs_from(items: Sequence[Any], label: Callable[[int], str]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for i, item in enumerate(items):
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            pairs.append((item[0], display(item[1])))
        elif isinstance(item, tuple):
            pairs.append((display(item[0]), " – ".join(display(v) for v in item[1:])))
        elif isinstance(item, dict):
            name = display(item.get("label") or item.get("name")) or label(i)
            rest = [
                f"{field_label(k)}: {display(v)}"
                for k, v in item.items()
                if k not in _ROW_META and v not in (None, "", [], {}) and display(v) != name
            ]
            pairs.append((f"{label(i)} {name}", " · ".join(rest)))
        else:
            pairs.append((label(i), display(item)))
    return pairs


def detail_from_service(raw: dict[str, Any]) -> Detail:
    """Turn a ``Workspace.detail()`` dict into sections of (label, value) pairs."""
    kind = str(raw.get("kind", ""))
    placeholder = bool(raw.get("placeholder"))
    subtitle = kind_name(kind)
    if placeholder:
        subtitle += " · placeholder (referenced, not in the imported project)"
    detail = Detail(display(raw.get("label")) or str(raw.get("key")), subtitle, [], placeholder)
    record = raw.get("record")
    custom = dict(getattr(record, "custom_fields", None) or {})
    detail.sections.append(
        (
            "Fields",
            # Absent optional fields (None) are left out: the pane shows what is set.
            # Custom fields (Support_Level__c ...) get their own section below.
            [
                (field_label(str(k)), display(v))
                for k, v in raw.get("fields", [])
                if v is not None and v != [] and v != {} and str(k) not in custom
            ],
        )
    )
    for name, value in raw.items():
        if name in _SKIP or not isinstance(value, list | tuple):
            continue
        title = name.replace("_", " ").capitalize()
        detail.sections.append((title, _pairs_from(value, lambda i: f"{i + 1}.")))
    if custom:
        detail.sections.append(
            ("Custom fields", [(k, display(v)) for k, v in sorted(custom.items())])
        )
    kept = kept_elements(record)
    if kept:
        detail.sections.append(("Unknown elements kept from import", kept))
    return detail


def kept_elements(record: Any, path: str = "") -> list[tuple[str, str]]:
    """The XML elements kept verbatim with ``record`` and with the parts nested in it
    (milestones, their time triggers, success actions, actions, criteria lines), as
    (where, xml) pairs, the record's own first: ``after versionNotes`` for the record's
    own, ``milestone 1 (First Response) › time trigger 2 · after workflowTimeTriggerUnit``
    for a nested one. The XML is as kept, less the Salesforce default namespace."""
    if not dataclasses.is_dataclass(record) or isinstance(record, type):
        return []
    pairs = kept_xml(getattr(record, "unknown", None) or [], path)
    for f in dataclasses.fields(record):
        items = getattr(record, f.name)
        if f.name == "unknown" or not isinstance(items, list):
            continue
        noun = f.name.replace("_", " ").removesuffix("s")
        for i, item in enumerate(items, start=1):
            name = getattr(item, "milestone_name", None)
            part = f"{noun} {i}" + (f" ({name})" if name else "")
            pairs.extend(kept_elements(item, f"{path} › {part}" if path else part))
    return pairs


def kept_xml(unknown: Sequence[UnknownElement], path: str = "") -> list[tuple[str, str]]:
    """Elements kept verbatim as (where, xml) pairs: ``after versionNotes``, or with
    ``path`` ``Entitlement.settings · after enableEntitlements``; the XML less the
    Salesforce default namespace."""
    pairs: list[tuple[str, str]] = []
    for u in unknown:
        where = f"after {u.after}" if u.after else "first"
        # Every kept element repeats the file's default namespace: noise in a narrow pane.
        xml = u.xml.replace(f' xmlns="{METADATA_NS}"', "")
        pairs.append((f"{path} · {where}" if path else where, xml))
    return pairs


def experience_detail(experience: Experience) -> Detail:
    """An experience: whether it shows entitlements, which of their fields, and whether
    cases created there get an entitlement."""
    fields = [
        ("Name", experience.name),
        ("Exposes entitlements", display(experience.exposes_entitlements)),
        ("Entitlement fields shown", _fields_text(experience)),
        ("Cases created there get an entitlement", display(experience.auto_entitlement_on_cases)),
    ]
    return Detail(experience.name, kind_name(EXPERIENCE), [("Fields", fields)])


def file_text(content: bytes, limit: int = VERBATIM_LIMIT) -> tuple[str, int] | None:
    """The text of a kept file as the detail pane shows it, and how many of its bytes
    that is: UTF-8 (a byte order mark dropped, line ends as ``\\n``), its first ``limit``
    bytes (cut after a line end where there is one in the second half). None when the
    file is not text (not UTF-8, or holding NUL characters)."""
    bom = len(codecs.BOM_UTF8) if content.startswith(codecs.BOM_UTF8) else 0
    body = content[bom:]
    head = body
    if len(content) > limit:
        head = body[: limit - bom]
        line_end = head.rfind(b"\n")
        if line_end >= limit // 2:
            head = head[: line_end + 1]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A cut through a character is not a reason to call the file binary.
        if len(head) == len(body) or exc.start < len(head) - 3:
            return None
        head = head[: exc.start]
        text = head.decode("utf-8")
    if "\x00" in text:
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n"), bom + len(head)


def _size_text(size: int) -> str:
    words = size_words(size)
    return words if size < 1024 else f"{words} ({size:,} bytes)"


def other_file_detail(path: str, content: bytes) -> Detail:
    """A file kept verbatim: its path and size, then its text as it is (up to
    :data:`VERBATIM_LIMIT`, saying so when it is cut)."""
    size = len(content)
    detail = Detail(
        path,
        f"{kind_name(OTHER_FILE)} · kept verbatim, exported unchanged",
        [("Fields", [("Path", path), ("Size", _size_text(size))])],
    )
    shown = file_text(content)
    if shown is None:
        detail.sections.append(("Text", [("", "Not shown: the file is not UTF-8 text.")]))
    elif size == 0:
        detail.sections.append(("Text", [("", "The file is empty.")]))
    else:
        text, shown_bytes = shown
        cut_note = ""
        if shown_bytes < size:
            detail.note = (
                f"Only the first {size_words(shown_bytes)} of this {size_words(size)} file "
                "are shown. The whole file is kept and exported unchanged."
            )
            cut_note = f"… {_size_text(size - shown_bytes)} more not shown."
        detail.verbatim = VerbatimText("Text", text, cut_note)
    return detail


class TreeSource(Protocol):
    """What the navigator model needs (implemented by :class:`WorkspaceCatalog`)."""

    def roots(self, tree: str) -> list[Node]: ...

    def child_count(self, key: NodeKey) -> int: ...

    def children(self, key: NodeKey, offset: int, limit: int) -> list[Node]: ...
