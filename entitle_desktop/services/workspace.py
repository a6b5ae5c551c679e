"""A workspace: one ``.entitle`` SQLite file, opened for the UI and the command line.

Reads for the navigator, tables and detail pane return plain Python (dicts and the
dataclasses of ``domain.records``), never ORM objects. Every call uses its own short
session; writes go through ``unit_of_work()`` (one transaction).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Select, and_, func, literal, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransactionOrigin, aliased, sessionmaker

from entitle_desktop.domain.entitlement_dates import EntitlementDateError, status_on
from entitle_desktop.domain.names import name_key
from entitle_desktop.domain.records import (
    WEEKDAYS,
    BusinessHours,
    EntitlementProcessVersion,
    EntitlementTemplate,
    Experience,
    Holiday,
    MilestoneType,
    OtherMetadataFile,
    WorkspaceSettings,
    effective_version_default,
    effective_version_number,
)
from entitle_desktop.persistence import db, repository

# The errors of a workspace file are raised by its engine; re-exported for the ui and cli.
from entitle_desktop.persistence.db import WorkspaceError as WorkspaceError
from entitle_desktop.persistence.db import WorkspaceLockedError as WorkspaceLockedError
from entitle_desktop.persistence.db import WorkspaceReadOnlyError as WorkspaceReadOnlyError
from entitle_desktop.persistence.models import (
    AccountRow,
    AssetRow,
    BusinessHoursRow,
    ContactRow,
    ContractLineItemRow,
    EntitlementContactRow,
    EntitlementProcessRow,
    EntitlementRow,
    EntitlementTemplateRow,
    HolidayBusinessHoursRow,
    HolidayRow,
    MilestoneTypeRow,
    OtherMetadataFileRow,
    ProductRow,
    ServiceContractRow,
)

SUMMARY_KEYS: tuple[str, ...] = (
    "accounts",
    "contacts",
    "assets",
    "products",
    "service_contracts",
    "contract_line_items",
    "entitlements",
    "entitlement_templates",
    "milestone_types",
    "business_hours",
    "holidays",
)


@dataclass(frozen=True)
class WorkspaceSummary:
    counts: dict[str, int]
    processes: list[dict[str, Any]]
    placeholders: dict[str, list[str]]

    def to_json_dict(self) -> dict[str, Any]:
        return {**self.counts, "processes": self.processes, "placeholders": self.placeholders}


@dataclass(frozen=True, slots=True)
class OtherMetadataFileInfo:
    """A metadata file kept verbatim, without its content: its path (relative to the
    project root, '/' separators) and its size in bytes."""

    path: str
    size: int


KINDS: tuple[str, ...] = (
    "account",
    "contact",
    "asset",
    "product",
    "service_contract",
    "contract_line_item",
    "entitlement",
    "business_hours",
    "holiday",
    "milestone_type",
    "process",
    "process_version",
    "process_milestone",
    "template",
)
HIERARCHY_ROOTS: tuple[str, ...] = ("account",)
SETUP_ROOTS: tuple[str, ...] = (
    "business_hours",
    "holiday",
    "milestone_type",
    "process",
    "template",
)

_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "account": [("name", "Name"), ("id", "Id"), ("parent_name", "Parent account")],
    "contact": [("name", "Name"), ("email", "Email"), ("account_name", "Account"), ("id", "Id")],
    "asset": [
        ("name", "Name"),
        ("serial_number", "Serial number"),
        ("product_name", "Product"),
        ("install_date", "Installed"),
        ("usage_end_date", "Usage end"),
        ("id", "Id"),
    ],
    "product": [("name", "Name"), ("product_code", "Product code"), ("id", "Id")],
    "service_contract": [
        ("name", "Name"),
        ("account_name", "Account"),
        ("start_date", "Start"),
        ("end_date", "End"),
        ("term", "Term (months)"),
        ("approval_status", "Approval status"),
        ("id", "Id"),
    ],
    "contract_line_item": [
        ("product_name", "Product"),
        ("asset_name", "Asset"),
        ("start_date", "Start"),
        ("end_date", "End"),
        ("quantity", "Quantity"),
        ("id", "Id"),
    ],
    "entitlement": [
        ("name", "Name"),
        ("account_name", "Account"),
        ("type", "Type"),
        ("status", "Status"),
        ("start_date", "Start"),
        ("end_date", "End"),
        ("business_hours", "Business hours"),
        ("sla_process", "Process"),
        ("id", "Id"),
    ],
    "business_hours": [
        ("name", "Name"),
        ("time_zone", "Time zone"),
        ("hours", "Hours"),
        ("active", "Active"),
        ("default", "Default"),
    ],
    "holiday": [
        ("name", "Name"),
        ("activity_date", "Date"),
        ("time", "Time"),
        ("recurrence", "Recurrence"),
        ("business_hours", "Business hours"),
    ],
    "milestone_type": [
        ("name", "Name"),
        ("recurrence_type", "Recurrence"),
        ("description", "Description"),
    ],
    "process": [
        ("name", "Name"),
        ("object", "Object"),
        ("versions", "Versions"),
        ("default_version", "Default version"),
        ("active", "Active"),
    ],
    "process_version": [
        ("label", "Version"),
        ("version_number", "Number"),
        ("default", "Default"),
        ("active", "Active"),
        ("object", "Object"),
        ("milestones", "Milestones"),
        ("business_hours", "Business hours"),
        ("version_notes", "Notes"),
    ],
    "process_milestone": [
        ("order", "Order"),
        ("milestone_name", "Milestone"),
        ("minutes", "Minutes"),
        ("criteria", "Criteria"),
        ("business_hours", "Business hours"),
        ("start_from", "Starts from"),
    ],
    "template": [
        ("name", "Name"),
        ("type", "Type"),
        ("term", "Term (days)"),
        ("entitlement_process", "Process"),
        ("business_hours", "Business hours"),
        ("is_per_incident", "Per incident"),
    ],
}
_CHILD_KINDS: dict[str, list[str]] = {
    "account": ["contact", "asset", "service_contract", "entitlement"],
    "service_contract": ["contract_line_item", "entitlement"],
    "contract_line_item": ["entitlement"],
    "entitlement": ["contact"],
    "business_hours": ["holiday"],
    "process": ["process_version"],
    "process_version": ["process_milestone"],
}


def columns(kind: str) -> list[tuple[str, str]]:
    """(row key, header) of the table of ``kind``, in display order."""
    return list(_COLUMNS[_check_kind(kind)])


def child_kinds(kind: str) -> list[str]:
    return list(_CHILD_KINDS.get(_check_kind(kind), []))


def _check_kind(kind: str) -> str:
    if kind not in _COLUMNS:
        raise KeyError(f"unknown kind {kind!r}")
    return kind


def entitlement_status(start: date | None, end: date | None, today: date) -> str:
    """Computed status (domain.md 3) on a local date; the rule lives in the domain."""
    try:
        return status_on(start, end, today).value
    except EntitlementDateError:
        return "Invalid dates"


def version_key(name: str, number: int | None) -> str:
    return f"{name}#{'' if number is None else number}"


def _split_version_key(key: str) -> tuple[str, int | None]:
    name, _, number = key.rpartition("#")
    return name, (int(number) if number else None)


def _fmt_time(value: time | None) -> str:
    return "24:00" if value is None else value.strftime("%H:%M")


def business_hours_text(bh: BusinessHours) -> str:
    """A short weekly summary such as ``Mon-Fri 09:00-17:00``."""
    if not bh.windows:
        return "closed" if not bh.placeholder else "(placeholder)"
    per_day: dict[str, str] = {}
    for day in WEEKDAYS:
        spans = [f"{_fmt_time(w.start)}-{_fmt_time(w.end)}" for w in bh.windows if w.weekday == day]
        if spans:
            per_day[day] = ", ".join(spans)
    if len(per_day) == 7 and set(per_day.values()) == {"00:00-24:00"}:
        return "24 x 7"
    groups: list[tuple[str, str, str]] = []
    for day in WEEKDAYS:
        if day not in per_day:
            continue
        if (
            groups
            and groups[-1][2] == per_day[day]
            and WEEKDAYS.index(groups[-1][1]) + 1 == WEEKDAYS.index(day)
        ):
            groups[-1] = (groups[-1][0], day, per_day[day])
        else:
            groups.append((day, day, per_day[day]))
    return "; ".join(
        f"{a.title()}{'' if a == b else '-' + b.title()} {spans}" for a, b, spans in groups
    )


def _holiday_recurrence(h: Holiday) -> str:
    if not h.is_recurring:
        return ""
    parts = [h.recurrence_type or "recurring"]
    if h.recurrence_instance:
        parts.append(h.recurrence_instance)
    if h.recurrence_day_of_week:
        parts.append(",".join(h.recurrence_day_of_week))
    if h.recurrence_day_of_month:
        parts.append(str(h.recurrence_day_of_month))
    if h.recurrence_month_of_year:
        parts.append(h.recurrence_month_of_year)
    return " ".join(parts)


def _criteria_text(items: Sequence[Any], logic: str | None, formula: str | None) -> str:
    if formula:
        return formula
    text = " AND ".join(
        f"{i.field} {i.operation} {i.value or i.value_field or ''}".strip() for i in items
    )
    return f"{logic}: {text}" if logic else text


class _WorkspaceSession(Session):
    """A session whose explicit transactions (``unit_of_work()``, ``session.begin()``) are
    write transactions: they take the write lock when they begin, waiting for another
    program up to the busy timeout (:func:`db.for_writing`). Autobegun ones only read."""

    def get_bind(self, mapper: Any = None, **kw: Any) -> Engine | Connection:
        bind = super().get_bind(mapper, **kw)
        transaction = self.get_transaction()
        if (
            isinstance(bind, Engine)
            and transaction is not None
            and transaction.origin is SessionTransactionOrigin.BEGIN
        ):
            writer: Engine = self.info["writer"]
            return writer
        return bind


class Workspace:
    """An open workspace file. Not thread-safe: use it from one thread at a time.

    A file locked by another program (past the busy timeout) or read-only raises
    :class:`WorkspaceLockedError` or :class:`WorkspaceReadOnlyError` from whichever call
    met it; the transaction is rolled back, so the file is unchanged."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._engine = db.make_engine(path)
        self._sessions = sessionmaker(
            self._engine,
            class_=_WorkspaceSession,
            expire_on_commit=False,
            info={"writer": db.for_writing(self._engine)},
        )
        self._closed = False

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    def create(cls, path: Path) -> Workspace:
        """A new, empty workspace at ``path`` (which must not exist)."""
        path = Path(path)
        if path.exists():
            raise WorkspaceError(f"{path}: a file of that name already exists")
        if not path.parent.is_dir():
            raise WorkspaceError(f"{path}: the folder {path.parent} does not exist")
        ws = cls(path)
        try:
            db.upgrade(ws._engine)
            with ws.unit_of_work() as session:
                repository.mark_settings_saved(session)
        except Exception:
            ws.close()
            raise
        return ws

    @classmethod
    def open(cls, path: Path) -> Workspace:
        """Open an existing workspace, running pending migrations."""
        path = Path(path)
        if not path.is_file():
            raise WorkspaceError(f"{path}: no such workspace file")
        _check_is_workspace(path)
        ws = cls(path)
        try:
            current = db.current_revision(ws._engine)
            head = db.head_revision()
            if current is None:
                raise WorkspaceError(f"{path}: not an Entitle workspace (no schema version)")
            if current != head:
                if not _known_revision(current):
                    raise WorkspaceError(
                        f"{path}: made by a newer Entitle Desktop (schema {current}); update the app"
                    )
                db.upgrade(ws._engine)
        except WorkspaceError:
            ws.close()
            raise
        except SQLAlchemyError as exc:
            ws.close()
            raise WorkspaceError(
                f"{path}: not an Entitle workspace ({exc.__class__.__name__})"
            ) from exc
        return ws

    def close(self) -> None:
        """Checkpoint the WAL into the file and release it. Safe to call twice; never
        fails because the file is locked or read-only (committed work is in the WAL)."""
        if self._closed:
            return
        self._closed = True
        try:
            db.checkpoint(self._engine)
        except (WorkspaceLockedError, WorkspaceReadOnlyError):
            pass  # nothing to fold in from here; SQLite does it when the last user closes
        finally:
            self._engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A short read session (rolled back at the end)."""
        with self._sessions() as session:
            yield session

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any exception."""
        with self._sessions() as session, session.begin():
            yield session

    # ------------------------------------------------------------------ summary

    def settings(self) -> WorkspaceSettings:
        with self.session() as session:
            return repository.load_settings(session)

    # ------------------------------------------------------------------ experiences, kept files

    def experiences(self, search: str = "") -> list[Experience]:
        """The experiences (self-service sites) of the workspace, by name; with ``search``,
        those whose name or visible fields contain it (case folded)."""
        with self.session() as session:
            found = repository.load_experiences(session)
        if not search:
            return found
        needle = search.casefold()
        return [
            e
            for e in found
            if any(needle in text.casefold() for text in (e.name, *e.visible_fields))
        ]

    def other_file_count(self, search: str = "") -> int:
        """How many metadata files are kept verbatim (whose path contains ``search``)."""
        if search:
            return len(self.other_files(search))
        with self.session() as session:
            return int(session.execute(select(func.count(OtherMetadataFileRow.id))).scalar_one())

    def other_files(
        self, search: str = "", offset: int = 0, limit: int | None = None
    ) -> list[OtherMetadataFileInfo]:
        """One page of the metadata files kept verbatim, in file order, without reading
        their content; with ``search``, those whose path contains it (case folded)."""
        query = select(
            OtherMetadataFileRow.path, func.length(OtherMetadataFileRow.content)
        ).order_by(OtherMetadataFileRow.position, OtherMetadataFileRow.id)
        if not search:
            query = query.offset(offset).limit(limit)
        with self.session() as session:
            found = [OtherMetadataFileInfo(str(p), int(n or 0)) for p, n in session.execute(query)]
        if search:
            needle = search.casefold()
            found = [f for f in found if needle in f.path.casefold()]
            found = found[offset : offset + limit if limit is not None else None]
        return found

    def other_file(self, path: str) -> OtherMetadataFile | None:
        """The metadata file kept verbatim at ``path``, with its content, or None."""
        with self.session() as session:
            content = session.execute(
                select(OtherMetadataFileRow.content).where(OtherMetadataFileRow.path == path)
            ).scalar_one_or_none()
        return OtherMetadataFile(path, content) if content is not None else None

    def summary(self) -> WorkspaceSummary:
        with self.session() as session:
            counts = {
                "accounts": repository.count_records(session, "accounts"),
                "contacts": repository.count_records(session, "contacts"),
                "assets": repository.count_records(session, "assets"),
                "products": repository.count_records(session, "products"),
                "service_contracts": repository.count_records(session, "service_contracts"),
                "contract_line_items": repository.count_records(session, "contract_line_items"),
                "entitlements": repository.count_records(session, "entitlements"),
                "entitlement_templates": _count_real(session, EntitlementTemplateRow),
                "milestone_types": _count_real(session, MilestoneTypeRow),
                "business_hours": _count_real(session, BusinessHoursRow),
                "holidays": int(session.execute(select(func.count(HolidayRow.id))).scalar_one()),
            }
            processes: list[dict[str, Any]] = []
            by_name: dict[str, dict[str, Any]] = {}
            versions = sorted(
                repository.load_process_versions(session),
                key=lambda v: (v.name, v.version_number or 0),
            )
            per_name = Counter(v.name for v in versions)
            for v in versions:
                entry = by_name.get(v.name)
                if entry is None:
                    entry = {"name": v.name, "object": v.sobject_type or "Case", "versions": []}
                    by_name[v.name] = entry
                    processes.append(entry)
                entry["versions"].append(
                    {
                        "number": effective_version_number(v),
                        "default": effective_version_default(v, per_name[v.name]),
                        "active": bool(v.active),
                        "milestones": len(v.milestones),
                    }
                )
            placeholders: dict[str, list[str]] = {}
            for key, model in (
                ("business_hours", BusinessHoursRow),
                ("milestone_types", MilestoneTypeRow),
                ("processes", EntitlementProcessRow),
                ("entitlement_templates", EntitlementTemplateRow),
            ):
                names = (
                    session.execute(
                        select(model.name).where(model.placeholder.is_(True)).order_by(model.name)
                    )
                    .scalars()
                    .all()
                )
                if names:
                    placeholders[key] = list(names)
        return WorkspaceSummary(counts=counts, processes=processes, placeholders=placeholders)

    # ------------------------------------------------------------------ navigator reads

    def count(self, kind: str, parent: tuple[str, str] | None = None, search: str = "") -> int:
        _check_kind(kind)
        if kind in _DATA_QUERIES:
            with self.session() as session:
                query = _data_query(kind, parent, search)
                return int(
                    session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
                )
        return len(self._meta_rows(kind, parent, search))

    def placeholder_count(self, kind: str, parent: tuple[str, str] | None = None) -> int:
        """How many of ``count(kind, parent)`` are placeholders: records made for a
        reference that an imported project did not contain (data records never are)."""
        _check_kind(kind)
        if kind in _DATA_QUERIES:
            return 0
        return sum(1 for r in self._meta_rows(kind, parent, "") if r["placeholder"])

    def rows(
        self,
        kind: str,
        parent: tuple[str, str] | None = None,
        search: str = "",
        offset: int = 0,
        limit: int = 200,
    ) -> list[dict[str, Any]]:
        """One page of the table of ``kind`` (see ``columns``) under ``parent``."""
        _check_kind(kind)
        if kind in _DATA_QUERIES:
            with self.session() as session:
                query = _data_query(kind, parent, search).offset(offset).limit(limit)
                return [_data_row(kind, r._mapping) for r in session.execute(query)]
        return self._meta_rows(kind, parent, search)[offset : offset + limit]

    def row_keys(
        self, kind: str, parent: tuple[str, str] | None = None, search: str = ""
    ) -> list[str]:
        _check_kind(kind)
        if kind in _DATA_QUERIES:
            with self.session() as session:
                sub = _data_query(kind, parent, search).subquery()
                return list(session.execute(select(sub.c.key)).scalars())
        return [r["key"] for r in self._meta_rows(kind, parent, search)]

    def row(self, kind: str, key: str) -> dict[str, Any] | None:
        _check_kind(kind)
        if kind in _DATA_QUERIES:
            spec = _DATA_QUERIES[kind]
            with self.session() as session:
                query = _data_query(kind, None, "").where(spec.table.id == key)
                found = session.execute(query).first()
                return _data_row(kind, found._mapping) if found is not None else None
        return next((r for r in self._meta_rows(kind, None, "") if r["key"] == key), None)

    def detail(self, kind: str, key: str) -> dict[str, Any] | None:
        """Everything about one node: label, placeholder, ``fields`` [(label, value)], ``record``."""
        _check_kind(kind)
        row = self.row(kind, key)
        if row is None:
            return None
        out: dict[str, Any] = {
            "kind": kind,
            "key": key,
            "label": row["label"],
            "placeholder": row["placeholder"],
        }
        with self.session() as session:
            if kind in _DATA_QUERIES:
                type_key = _DATA_QUERIES[kind].type_key
                record = repository.load_records(session, type_key, [key])[0]
                out["record"] = record
                fields: list[tuple[str, Any]] = []
                for f in dataclasses.fields(record):
                    if f.name == "custom_fields":
                        fields.extend(sorted(record.custom_fields.items()))
                    else:
                        fields.append((f.name, getattr(record, f.name)))
                for k, header in _COLUMNS[kind]:
                    if k not in {f.name for f in dataclasses.fields(record)}:
                        fields.append((header, row.get(k)))
                out["fields"] = fields
                if kind == "entitlement":
                    out["contacts"] = self.rows("contact", ("entitlement", key), limit=10_000)
                return out
            record_any = self._meta_record(session, kind, key)
        out["record"] = record_any
        out["fields"] = _record_fields(record_any)
        if isinstance(record_any, BusinessHours):
            out["windows"] = [
                (w.weekday, _fmt_time(w.start), _fmt_time(w.end)) for w in record_any.windows
            ]
        if isinstance(record_any, EntitlementProcessVersion):
            out["milestones"] = self._meta_rows("process_milestone", ("process_version", key), "")
            out["exit_criteria"] = list(record_any.exit_criteria_items)
        if kind == "process_milestone":
            out["criteria"] = list(record_any.criteria_items)
            out["time_triggers"] = list(record_any.time_triggers)
            out["success_actions"] = list(record_any.success_actions)
        return out

    # ------------------------------------------------------------------ hierarchies

    def hierarchy_count(
        self,
        kind: str,
        parent: tuple[str, str],
        search: str = "",
        *,
        nested: bool = True,
        loop_breaks: dict[str, str] | None = None,
    ) -> int:
        """How many rows ``hierarchy_rows`` has (all pages)."""
        with self.session() as session:
            query = self._hierarchy_select(session, kind, parent, search, nested, loop_breaks)
            return int(
                session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
            )

    def hierarchy_row_keys(
        self,
        kind: str,
        parent: tuple[str, str],
        search: str = "",
        *,
        nested: bool = True,
        loop_breaks: dict[str, str] | None = None,
    ) -> list[str]:
        with self.session() as session:
            query = self._hierarchy_select(session, kind, parent, search, nested, loop_breaks)
            return list(session.execute(select(query.subquery().c.key)).scalars())

    def hierarchy_rows(
        self,
        kind: str,
        parent: tuple[str, str],
        search: str = "",
        offset: int = 0,
        limit: int = 200,
        *,
        nested: bool = True,
        loop_breaks: dict[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """One page of the records of a hierarchical kind (service contracts, contract
        line items: see ``nesting_kind``) as the navigator nests them.

        ``parent`` is the record that holds them (``("account", id)`` for contracts,
        ``("service_contract", id)`` for line items) or a record of ``kind`` itself.
        With ``nested`` (the navigator's view): under the holder, the records that start
        a hierarchy there (no parent, a parent held elsewhere or not in the workspace, or
        the record a parent loop is broken at, see ``loop_breaks``); under a record, its
        children held by the same holder, less a loop's break. Without ``nested``: every
        record of the holder, or every child of the record wherever it is held.

        Rows are those of ``rows(kind)`` plus ``parent_id``, ``parent_name``,
        ``parent_group_id`` (the holder of the parent), ``group_id``, ``group_name`` and
        ``nested_count`` (children under the same holder). ``loop_breaks`` may pass the
        holder's ``loop_breaks`` when the caller keeps them; they are looked up if not."""
        with self.session() as session:
            query = self._hierarchy_select(session, kind, parent, search, nested, loop_breaks)
            page = query.offset(offset).limit(limit)
            return [_hierarchy_row(kind, r._mapping) for r in session.execute(page)]

    def loop_breaks(self, kind: str, group_id: str) -> dict[str, str]:
        """Where the navigator breaks loops of parent links (bad data: a record that is its
        own ancestor) among the records of ``kind`` held by ``group_id``: for each loop,
        its record with the smallest id, shown at the top instead of under its parent.
        Maps each such record to its parent. Empty for data without loops. One pass over
        the holder's records (down from the tops), however deep the hierarchy."""
        with self.session() as session:
            return _loop_breaks(session, kind, group_id)

    def nesting_path(self, kind: str, key: str) -> tuple[str | None, list[str]] | None:
        """Where the navigator shows a record of a hierarchical kind: its holder's id and
        the ids from the top of its hierarchy under that holder down to ``key`` (itself
        last). ``None`` when there is no such record."""
        _nesting(kind)
        with self.session() as session:
            chain = _parent_chain(session, kind, key)
            if key not in chain:
                return None
            group = chain[key][1]
            path = [key]
            seen = {key}
            while True:
                parent_id = chain[path[-1]][0]
                if parent_id is None or parent_id not in chain or group is None:
                    break
                if chain[parent_id][1] != group:
                    break
                if parent_id in seen:
                    # A loop: the navigator shows its break at the top (see loop_breaks).
                    loop = path[path.index(parent_id) :]
                    [top] = _loop_breaks_of({n: str(chain[n][0]) for n in loop})
                    path = path[: path.index(top) + 1]
                    break
                path.append(parent_id)
                seen.add(parent_id)
        return group, path[::-1]

    def lineage(self, kind: str, key: str) -> Lineage:
        """The ancestors of a record of a hierarchical kind, following parent links up
        (whoever holds them), each once: terminates on loops and says where they close."""
        _nesting(kind)
        with self.session() as session:
            chain = _parent_chain(session, kind, key)
        ancestors: list[str] = []
        seen = {key}
        node = key
        loops_to: str | None = None
        while node in chain:
            parent_id = chain[node][0]
            if parent_id is None or parent_id not in chain:
                break
            if parent_id in seen:
                loops_to = parent_id
                break
            ancestors.append(parent_id)
            seen.add(parent_id)
            node = parent_id
        return Lineage(key, tuple(ancestors), loops_to)

    def labels(self, kind: str, ids: Collection[str]) -> dict[str, str]:
        """The navigator labels of the data records of ``kind`` with ``ids`` that exist
        (a name; a line item's product), by id. Ids not in the workspace are left out."""
        if kind not in _DATA_QUERIES:
            raise KeyError(f"{kind!r} is not a data record kind")
        table = _DATA_QUERIES[kind].table
        wanted = sorted({i for i in ids if i})
        out: dict[str, str] = {}
        with self.session() as session:
            for start in range(0, len(wanted), _ID_CHUNK):
                chunk = wanted[start : start + _ID_CHUNK]
                sub = _data_query(kind, None, "").where(table.id.in_(chunk)).subquery()
                for key, label in session.execute(select(sub.c.key, sub.c.label)):
                    out[str(key)] = str(label)
        return out

    def _hierarchy_select(
        self,
        session: Session,
        kind: str,
        parent: tuple[str, str],
        search: str,
        nested: bool,
        loop_breaks: dict[str, str] | None,
    ) -> Select[Any]:
        nesting = _nesting(kind)
        t = nesting.model
        parent_kind, parent_id = parent
        if nested and loop_breaks is None:
            group_id: str | None = parent_id
            if parent_kind == kind:
                group_id = session.execute(
                    select(getattr(t, nesting.group)).where(t.id == parent_id)
                ).scalar()
            loop_breaks = _loop_breaks(session, kind, group_id) if group_id else {}
        return _hierarchy_query(kind, parent, search, nested, loop_breaks or {})

    # ------------------------------------------------------------------ metadata (in Python)

    def _meta_record(self, session: Session, kind: str, key: str) -> Any:
        if kind == "business_hours":
            return next(b for b in repository.load_business_hours(session, True) if b.name == key)
        if kind == "milestone_type":
            return next(m for m in repository.load_milestone_types(session, True) if m.name == key)
        if kind == "template":
            return next(t for t in repository.load_templates(session, True) if t.name == key)
        if kind == "holiday":
            hid = int(key.split(":", 1)[1])
            return next(h for i, h in _holidays_with_ids(session) if i == hid)
        if kind == "process":
            versions = [v for v in repository.load_process_versions(session) if v.name == key]
            return {"name": key, "versions": versions}
        if kind == "process_version":
            name, number = _split_version_key(key)
            return next(
                v
                for v in repository.load_process_versions(session, [name])
                if v.version_number == number
            )
        if kind == "process_milestone":
            vkey, _, pos = key.rpartition("#m")
            version = self._meta_record(session, "process_version", vkey)
            return version.milestones[int(pos)]
        raise KeyError(kind)

    def _meta_rows(
        self, kind: str, parent: tuple[str, str] | None, search: str
    ) -> list[dict[str, Any]]:
        with self.session() as session:
            rows = _META_BUILDERS[kind](session, parent)
        if search:
            needle = search.casefold()
            rows = [
                r
                for r in rows
                if any(isinstance(v, str) and needle in v.casefold() for v in r.values())
            ]
        return rows


def _record_fields(record: Any) -> list[tuple[str, Any]]:
    if isinstance(record, dict):
        return [("name", record["name"]), ("versions", len(record["versions"]))]
    skip = {
        "unknown",
        "milestones",
        "exit_criteria_items",
        "criteria_items",
        "time_triggers",
        "success_actions",
        "windows",
        "xml_times",
        "placeholder",
        "from_file_name",  # bookkeeping of the reader (what the file left out), not a field
    }
    return [
        (f.name, getattr(record, f.name)) for f in dataclasses.fields(record) if f.name not in skip
    ]


def _count_real(session: Session, model: Any) -> int:
    return int(
        session.execute(
            select(func.count(model.id)).where(model.placeholder.is_(False))
        ).scalar_one()
    )


def _holidays_with_ids(session: Session) -> list[tuple[int, Holiday]]:
    ids = (
        session.execute(select(HolidayRow.id).order_by(HolidayRow.position, HolidayRow.id))
        .scalars()
        .all()
    )
    return list(zip(ids, repository.load_holidays(session), strict=True))


def _bh_rows(session: Session, parent: tuple[str, str] | None) -> list[dict[str, Any]]:
    counts: dict[int, int] = {
        int(r[0]): int(r[1])
        for r in session.execute(
            select(HolidayBusinessHoursRow.business_hours_id, func.count()).group_by(
                HolidayBusinessHoursRow.business_hours_id
            )
        )
    }
    ids = {
        str(r[0]): int(r[1])
        for r in session.execute(select(BusinessHoursRow.name, BusinessHoursRow.id))
    }
    out = [
        {
            "key": b.name,
            "label": b.name,
            "placeholder": b.placeholder,
            "child_count": counts.get(ids[b.name], 0),
            "name": b.name,
            "time_zone": b.time_zone,
            "hours": business_hours_text(b),
            "active": b.active,
            "default": b.default,
        }
        for b in repository.load_business_hours(session, include_placeholders=True)
    ]
    return sorted(out, key=lambda r: r["name"].casefold())


def _holiday_rows(session: Session, parent: tuple[str, str] | None) -> list[dict[str, Any]]:
    out = []
    for hid, h in _holidays_with_ids(session):
        if parent is not None and (
            parent[0] != "business_hours" or parent[1] not in h.business_hours
        ):
            continue
        when = (
            "all day"
            if h.start_time is None and h.end_time is None
            else (f"{_fmt_time(h.start_time)}-{_fmt_time(h.end_time)}")
        )
        out.append(
            {
                "key": f"holiday:{hid}",
                "label": h.name,
                "placeholder": False,
                "child_count": 0,
                "name": h.name,
                "activity_date": h.activity_date,
                "time": when,
                "recurrence": _holiday_recurrence(h),
                "business_hours": ", ".join(h.business_hours),
            }
        )
    return sorted(out, key=lambda r: (r["activity_date"] or date.min, r["name"].casefold()))


def _milestone_type_rows(session: Session, parent: tuple[str, str] | None) -> list[dict[str, Any]]:
    types: list[MilestoneType] = repository.load_milestone_types(session, include_placeholders=True)
    out = [
        {
            "key": m.name,
            "label": m.name,
            "placeholder": m.placeholder,
            "child_count": 0,
            "name": m.name,
            "recurrence_type": m.recurrence_type,
            "description": m.description,
        }
        for m in types
    ]
    return sorted(out, key=lambda r: r["name"].casefold())


def _process_rows(session: Session, parent: tuple[str, str] | None) -> list[dict[str, Any]]:
    versions = repository.load_process_versions(session)
    by_name: dict[str, list[EntitlementProcessVersion]] = {}
    for v in versions:
        by_name.setdefault(v.name, []).append(v)
    placeholders = (
        session.execute(
            select(EntitlementProcessRow.name).where(EntitlementProcessRow.placeholder.is_(True))
        )
        .scalars()
        .all()
    )
    out = []
    for name, vs in by_name.items():
        vs.sort(key=lambda v: v.version_number or 0)
        default = next((v for v in vs if v.is_version_default), None)
        shown = default or vs[-1]
        out.append(
            {
                "key": name,
                "label": name,
                "placeholder": False,
                "child_count": len(vs),
                "name": name,
                "object": shown.sobject_type,
                "versions": len(vs),
                "default_version": default.version_number if default else None,
                "active": shown.active,
            }
        )
    for name in placeholders:
        out.append(
            {
                "key": name,
                "label": name,
                "placeholder": True,
                "child_count": 0,
                "name": name,
                "object": None,
                "versions": 0,
                "default_version": None,
                "active": None,
            }
        )
    return sorted(out, key=lambda r: r["name"].casefold())


def _version_rows(session: Session, parent: tuple[str, str] | None) -> list[dict[str, Any]]:
    names = [parent[1]] if parent is not None and parent[0] == "process" else None
    if parent is not None and parent[0] != "process":
        return []
    out = []
    for v in repository.load_process_versions(session, names):
        label = v.name if v.version_number is None else f"{v.name} v{v.version_number}"
        out.append(
            {
                "key": version_key(v.name, v.version_number),
                "label": label,
                "placeholder": False,
                "child_count": len(v.milestones),
                "version_number": v.version_number,
                "default": v.is_version_default,
                "active": v.active,
                "object": v.sobject_type,
                "milestones": len(v.milestones),
                "business_hours": v.business_hours,
                "version_notes": v.version_notes,
                "name": v.name,
            }
        )
    return sorted(out, key=lambda r: (r["name"].casefold(), r["version_number"] or 0))


def _milestone_rows(session: Session, parent: tuple[str, str] | None) -> list[dict[str, Any]]:
    if parent is None or parent[0] != "process_version":
        versions = repository.load_process_versions(session)
    else:
        name, number = _split_version_key(parent[1])
        versions = [
            v
            for v in repository.load_process_versions(session, [name])
            if v.version_number == number
        ]
    out = []
    for v in versions:
        vkey = version_key(v.name, v.version_number)
        for pos, m in enumerate(v.milestones):
            minutes: Any = (
                m.minutes_to_complete if m.minutes_custom_class is None else m.minutes_custom_class
            )
            out.append(
                {
                    "key": f"{vkey}#m{pos}",
                    "label": m.milestone_name,
                    "placeholder": False,
                    "child_count": 0,
                    "order": pos + 1,
                    "milestone_name": m.milestone_name,
                    "minutes": minutes,
                    "criteria": _criteria_text(
                        m.criteria_items, m.criteria_boolean_filter, m.criteria_formula
                    ),
                    "business_hours": m.business_hours,
                    "start_from": "criteria match"
                    if m.use_criteria_start_time
                    else "process start",
                }
            )
    return out


def _template_rows(session: Session, parent: tuple[str, str] | None) -> list[dict[str, Any]]:
    templates: list[EntitlementTemplate] = repository.load_templates(
        session, include_placeholders=True
    )
    out = [
        {
            "key": t.name,
            "label": t.name,
            "placeholder": t.placeholder,
            "child_count": 0,
            "name": t.name,
            "type": t.type,
            "term": t.term,
            "entitlement_process": t.entitlement_process,
            "business_hours": t.business_hours,
            "is_per_incident": t.is_per_incident,
        }
        for t in templates
    ]
    return sorted(out, key=lambda r: r["name"].casefold())


_META_BUILDERS: dict[str, Callable[[Session, tuple[str, str] | None], list[dict[str, Any]]]] = {
    "business_hours": _bh_rows,
    "holiday": _holiday_rows,
    "milestone_type": _milestone_type_rows,
    "process": _process_rows,
    "process_version": _version_rows,
    "process_milestone": _milestone_rows,
    "template": _template_rows,
}


# --------------------------------------------------------------------------- data (in SQL)


@dataclass(frozen=True)
class _DataSpec:
    type_key: str
    table: Any
    label: Callable[[], Any]
    extra: Callable[[], dict[str, Any]]
    parents: dict[str, Callable[[str], ColumnElement[bool]]] = field(default_factory=dict)
    search: tuple[str, ...] = ("label",)
    children: Callable[[], ColumnElement[Any]] | None = None


def _count_of(model: Any, column: Any, key: Any) -> ColumnElement[Any]:
    return select(func.count()).select_from(model).where(column == key).scalar_subquery()


_ParentAccount = aliased(AccountRow)
_ContactAccount = aliased(AccountRow)
_AssetProduct = aliased(ProductRow)
_ClProduct = aliased(ProductRow)
_ClAsset = aliased(AssetRow)


def _contact_name() -> ColumnElement[Any]:
    return func.trim(func.coalesce(ContactRow.first_name + " ", "") + ContactRow.last_name)


_DATA_QUERIES: dict[str, _DataSpec] = {
    "account": _DataSpec(
        "accounts",
        AccountRow,
        lambda: AccountRow.name,
        lambda: {"name": AccountRow.name, "parent_name": _ParentAccount.name},
        {"account": lambda k: AccountRow.parent_id == k},
        children=lambda: (
            _count_of(ContactRow, ContactRow.account_id, AccountRow.id)
            + _count_of(AssetRow, AssetRow.account_id, AccountRow.id)
            + _count_of(ServiceContractRow, ServiceContractRow.account_id, AccountRow.id)
            + _count_of(EntitlementRow, EntitlementRow.account_id, AccountRow.id)
        ),
    ),
    "contact": _DataSpec(
        "contacts",
        ContactRow,
        _contact_name,
        lambda: {
            "name": _contact_name(),
            "email": ContactRow.email,
            "account_name": AccountRow.name,
        },
        {
            "account": lambda k: ContactRow.account_id == k,
            "entitlement": lambda k: ContactRow.id.in_(
                select(EntitlementContactRow.contact_id).where(
                    EntitlementContactRow.entitlement_id == k
                )
            ),
        },
        search=("label", "email"),
    ),
    "asset": _DataSpec(
        "assets",
        AssetRow,
        lambda: AssetRow.name,
        lambda: {
            "name": AssetRow.name,
            "serial_number": AssetRow.serial_number,
            "product_name": _AssetProduct.name,
            "install_date": AssetRow.install_date,
            "usage_end_date": AssetRow.usage_end_date,
        },
        {"account": lambda k: AssetRow.account_id == k},
        search=("label", "serial_number", "product_name"),
    ),
    "product": _DataSpec(
        "products",
        ProductRow,
        lambda: ProductRow.name,
        lambda: {"name": ProductRow.name, "product_code": ProductRow.product_code},
        search=("label", "product_code"),
    ),
    "service_contract": _DataSpec(
        "service_contracts",
        ServiceContractRow,
        lambda: ServiceContractRow.name,
        lambda: {
            "name": ServiceContractRow.name,
            "account_name": AccountRow.name,
            "start_date": ServiceContractRow.start_date,
            "end_date": ServiceContractRow.end_date,
            "term": ServiceContractRow.term,
            "approval_status": ServiceContractRow.approval_status,
        },
        {
            "account": lambda k: ServiceContractRow.account_id == k,
            "service_contract": lambda k: ServiceContractRow.parent_service_contract_id == k,
        },
        search=("label", "approval_status"),
        children=lambda: (
            _count_of(
                ContractLineItemRow, ContractLineItemRow.service_contract_id, ServiceContractRow.id
            )
            + _count_of(EntitlementRow, EntitlementRow.service_contract_id, ServiceContractRow.id)
        ),
    ),
    "contract_line_item": _DataSpec(
        "contract_line_items",
        ContractLineItemRow,
        lambda: func.coalesce(_ClProduct.name, ContractLineItemRow.id),
        lambda: {
            "product_name": _ClProduct.name,
            "asset_name": _ClAsset.name,
            "start_date": ContractLineItemRow.start_date,
            "end_date": ContractLineItemRow.end_date,
            "quantity": ContractLineItemRow.quantity,
        },
        {"service_contract": lambda k: ContractLineItemRow.service_contract_id == k},
        search=("label", "asset_name"),
        children=lambda: _count_of(
            EntitlementRow, EntitlementRow.contract_line_item_id, ContractLineItemRow.id
        ),
    ),
    "entitlement": _DataSpec(
        "entitlements",
        EntitlementRow,
        lambda: EntitlementRow.name,
        lambda: {
            "name": EntitlementRow.name,
            "account_name": AccountRow.name,
            "type": EntitlementRow.type,
            "start_date": EntitlementRow.start_date,
            "end_date": EntitlementRow.end_date,
            "business_hours": EntitlementRow.business_hours,
            "sla_process": EntitlementRow.sla_process,
        },
        {
            "account": lambda k: EntitlementRow.account_id == k,
            "service_contract": lambda k: EntitlementRow.service_contract_id == k,
            "contract_line_item": lambda k: EntitlementRow.contract_line_item_id == k,
            "asset": lambda k: EntitlementRow.asset_id == k,
        },
        search=("label", "type", "sla_process", "account_name"),
        children=lambda: _count_of(
            EntitlementContactRow, EntitlementContactRow.entitlement_id, EntitlementRow.id
        ),
    ),
}


DATA_KINDS: tuple[str, ...] = tuple(_DATA_QUERIES)  # kinds of data records (not setup)


def _data_query(kind: str, parent: tuple[str, str] | None, search: str) -> Select[Any]:
    spec = _DATA_QUERIES[kind]
    t = spec.table
    label = spec.label().label("label")
    extra = spec.extra()
    children = spec.children() if spec.children is not None else None
    cols: list[Any] = [t.id.label("key"), label, t.id.label("id")]
    cols += [expr.label(name) for name, expr in extra.items()]
    cols.append((children if children is not None else literal(0)).label("child_count"))
    query = select(*cols)
    if kind == "account":
        query = query.outerjoin(_ParentAccount, _ParentAccount.id == AccountRow.parent_id)
    elif kind == "contact":
        query = query.outerjoin(AccountRow, AccountRow.id == ContactRow.account_id)
    elif kind == "asset":
        query = query.outerjoin(_AssetProduct, _AssetProduct.id == AssetRow.product_id)
    elif kind == "service_contract":
        query = query.outerjoin(AccountRow, AccountRow.id == ServiceContractRow.account_id)
    elif kind == "contract_line_item":
        query = query.outerjoin(_ClProduct, _ClProduct.id == ContractLineItemRow.product_id)
        query = query.outerjoin(_ClAsset, _ClAsset.id == ContractLineItemRow.asset_id)
    elif kind == "entitlement":
        query = query.outerjoin(AccountRow, AccountRow.id == EntitlementRow.account_id)
    if parent is not None:
        make = spec.parents.get(parent[0])
        if make is None:
            raise KeyError(f"{kind} has no parent of kind {parent[0]!r}")
        query = query.where(make(parent[1]))
    if search:
        # A plain substring (the user's % and _ are text, not LIKE wildcards), ignoring case
        # as Salesforce does: both sides folded in full Unicode, so "MÜLLER" finds "Müller".
        needle = name_key(search)
        fold = getattr(func, db.SEARCH_FOLD)
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"

        def matches(e: Any) -> ColumnElement[bool]:
            # SQLite's own LIKE folds ASCII, which is all an ASCII value needs; only values
            # with other characters (GLOB finds them, natively) go through Python's folding
            return or_(
                e.ilike(pattern, escape="\\"),
                and_(e.op("GLOB")("*[^ -~]*"), fold(e).like(pattern, escape="\\")),
            )

        exprs = [label if s == "label" else extra.get(s, getattr(t, s, None)) for s in spec.search]
        query = query.where(
            or_(*[matches(e) for e in exprs if e is not None], t.id.ilike(pattern, escape="\\"))
        )
    return query.order_by(func.lower(label), t.id)


def _data_row(kind: str, mapping: Any) -> dict[str, Any]:
    row = dict(mapping)
    row["child_count"] = int(row["child_count"] or 0)
    row["placeholder"] = False
    if kind == "entitlement":
        row["status"] = entitlement_status(row["start_date"], row["end_date"], date.today())
    return row


# --------------------------------------------------------------------------- hierarchies

_ID_CHUNK = 500  # SQLite host-parameter budget for IN (...) lists


@dataclass(frozen=True)
class _Nesting:
    model: Any
    parent: str  # attribute: the parent record, of the same kind
    group: str  # attribute: the record that holds it in the navigator
    group_kind: str


_NESTINGS: dict[str, _Nesting] = {
    "service_contract": _Nesting(
        ServiceContractRow, "parent_service_contract_id", "account_id", "account"
    ),
    "contract_line_item": _Nesting(
        ContractLineItemRow,
        "parent_contract_line_item_id",
        "service_contract_id",
        "service_contract",
    ),
}


def nesting_kind(kind: str) -> str | None:
    """For a hierarchical kind, the kind of the record that holds its hierarchies in the
    navigator (``"account"`` for service contracts, ``"service_contract"`` for contract
    line items); ``None`` for other kinds."""
    nesting = _NESTINGS.get(_check_kind(kind))
    return nesting.group_kind if nesting is not None else None


@dataclass(frozen=True)
class Lineage:
    """A record's ancestors (nearest first, each once) and, when its parent links loop,
    the ancestor the loop closes at (``key`` itself when it is its own ancestor)."""

    key: str
    ancestors: tuple[str, ...]
    loops_to: str | None = None

    @property
    def own_ancestor(self) -> bool:
        return self.loops_to == self.key


def reference_kinds(kind: str) -> dict[str, str]:
    """The reference fields of a data record kind (``parent_service_contract_id``) and
    the kind each points at, in field order (from the schema's foreign keys)."""
    if kind not in _DATA_QUERIES:
        raise KeyError(f"{kind!r} is not a data record kind")
    out: dict[str, str] = {}
    for column in _DATA_QUERIES[kind].table.__table__.columns:
        for fk in column.foreign_keys:
            target = fk.column.table.name
            if target in _DATA_QUERIES:
                out[column.name] = target
    return out


def _nesting(kind: str) -> _Nesting:
    try:
        return _NESTINGS[kind]
    except KeyError:
        raise KeyError(f"{kind!r} records are not hierarchical") from None


def _nesting_label(kind: str, alias: Any) -> ColumnElement[Any]:
    """The label of a record of ``kind`` reached through ``alias`` (as ``rows`` has it)."""
    if kind == "contract_line_item":
        product = select(ProductRow.name).where(ProductRow.id == alias.product_id)
        return func.coalesce(product.scalar_subquery(), alias.id)
    return alias.name  # type: ignore[no-any-return]


def _hierarchy_query(
    kind: str,
    parent: tuple[str, str],
    search: str,
    nested: bool,
    loop_breaks: dict[str, str],
) -> Select[Any]:
    nesting = _nesting(kind)
    t = nesting.model
    up = aliased(t, name="hierarchy_parent")
    holder = aliased(_DATA_QUERIES[nesting.group_kind].table, name="hierarchy_holder")
    child = aliased(t, name="hierarchy_child")
    parent_col = getattr(t, nesting.parent)
    group_col = getattr(t, nesting.group)
    parent_group = getattr(up, nesting.group)
    nested_count = (
        select(func.count())
        .select_from(child)
        .where(getattr(child, nesting.parent) == t.id, getattr(child, nesting.group) == group_col)
        .scalar_subquery()
    )
    query = (
        _data_query(kind, None, search)
        .outerjoin(up, up.id == parent_col)
        .outerjoin(holder, holder.id == group_col)
        .add_columns(
            parent_col.label("parent_id"),
            _nesting_label(kind, up).label("parent_name"),
            parent_group.label("parent_group_id"),
            group_col.label("group_id"),
            holder.name.label("group_name"),
            nested_count.label("nested_count"),
        )
    )
    parent_kind, parent_id = parent
    if parent_kind == nesting.group_kind:
        query = query.where(group_col == parent_id)
        if nested:
            top = or_(up.id.is_(None), parent_group.is_distinct_from(parent_id))
            breaks = sorted(loop_breaks)
            if breaks:
                top = or_(top, t.id.in_(breaks))
            query = query.where(top)
    elif parent_kind == kind:
        query = query.where(parent_col == parent_id)
        if nested:
            query = query.where(group_col == parent_group)
            # Only one child can close a loop through its parent: the parent has one chain.
            hidden = [b for b, p in loop_breaks.items() if p == parent_id]
            if hidden:
                query = query.where(t.id.not_in(hidden))
    else:
        raise KeyError(f"{kind} has no parent of kind {parent_kind!r}")
    return query


def _hierarchy_row(kind: str, mapping: Any) -> dict[str, Any]:
    row = _data_row(kind, mapping)
    row["nested_count"] = int(row["nested_count"] or 0)
    return row


def _loop_breaks(session: Session, kind: str, group_id: str) -> dict[str, str]:
    nesting = _nesting(kind)
    t = nesting.model
    up = aliased(t)
    child = aliased(t)
    tops = (
        select(t.id.label("id"))
        .outerjoin(up, up.id == getattr(t, nesting.parent))
        .where(
            getattr(t, nesting.group) == group_id,
            or_(up.id.is_(None), getattr(up, nesting.group).is_distinct_from(group_id)),
        )
        .cte("reached", recursive=True)
    )
    reached = tops.union(
        select(child.id)
        .join(tops, getattr(child, nesting.parent) == tops.c.id)
        .where(getattr(child, nesting.group) == group_id)
    )
    # What cannot be reached down from a top hangs off a loop (every such record's
    # parent is held here too): few or no records, walked in Python.
    stranded = session.execute(
        select(t.id, getattr(t, nesting.parent)).where(
            getattr(t, nesting.group) == group_id, t.id.not_in(select(reached.c.id))
        )
    ).all()
    return _loop_breaks_of({str(i): str(p) for i, p in stranded if p is not None})


def _loop_breaks_of(parents: dict[str, str]) -> dict[str, str]:
    """For parent links ``child -> parent``, the smallest id of every loop, mapped to its
    parent (records off a loop are not in the result)."""
    walked: dict[str, int] = {}
    out: dict[str, str] = {}
    for walk, start in enumerate(parents):
        node: str | None = start
        path: list[str] = []
        while node is not None and node in parents and node not in walked:
            walked[node] = walk
            path.append(node)
            node = parents[node]
        if node is not None and walked.get(node) == walk and node in path:
            loop = path[path.index(node) :]
            smallest = min(loop)
            out[smallest] = parents[smallest]
    return out


def _parent_chain(
    session: Session, kind: str, key: str
) -> dict[str, tuple[str | None, str | None]]:
    """``key`` and its ancestors: id -> (parent id, holder id), each once (loops end it)."""
    nesting = _nesting(kind)
    t = nesting.model
    up = aliased(t)
    chain = (
        select(
            t.id.label("id"),
            getattr(t, nesting.parent).label("parent_id"),
            getattr(t, nesting.group).label("group_id"),
        )
        .where(t.id == key)
        .cte("chain", recursive=True)
    )
    chain = chain.union(
        select(up.id, getattr(up, nesting.parent), getattr(up, nesting.group)).join(
            chain, up.id == chain.c.parent_id
        )
    )
    return {
        str(i): (p, g)
        for i, p, g in session.execute(select(chain.c.id, chain.c.parent_id, chain.c.group_id))
    }


_KNOWN_REVISIONS = {"0001"}


def _known_revision(revision: str) -> bool:
    return revision in _KNOWN_REVISIONS


def _check_is_workspace(path: Path) -> None:
    """Refuse files that are not SQLite or not marked as workspaces, without modifying them."""
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise WorkspaceError(f"{path}: cannot be read ({exc.strerror})") from exc
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        raise WorkspaceError(f"{path}: not an Entitle workspace (not an SQLite database)")
    app_id = int.from_bytes(header[68:72], "big")
    # A header still in the WAL (after a crash) is checked through the schema instead.
    if app_id != db.APPLICATION_ID and not Path(f"{path}-wal").exists():
        raise WorkspaceError(
            f"{path}: not an Entitle workspace (an SQLite database of another application)"
        )
