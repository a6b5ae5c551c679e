"""Load and save records of ``domain.records`` in a session: the only place rows become records.

Data records (accounts ... entitlement contacts) go through fast Core bulk statements
(executemany). Metadata records are merged by external key (``save_project``) and loaded back
losslessly (``load_project``): every field of the dataclasses survives a save and a load.
Placeholder records never appear in a loaded ``MetadataProject``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from entitle_desktop.domain.names import name_key
from entitle_desktop.domain.records import (
    Account,
    ActionReference,
    Asset,
    BusinessHours,
    BusinessHoursWindow,
    Contact,
    ContractLineItem,
    Entitlement,
    EntitlementContact,
    EntitlementProcessVersion,
    EntitlementSettings,
    EntitlementTemplate,
    Experience,
    FilterItem,
    Holiday,
    MetadataProject,
    MilestoneTimeTrigger,
    MilestoneType,
    OtherMetadataFile,
    ProcessMilestone,
    Product,
    ServiceContract,
    SetupModel,
    UnknownElement,
    WorkspaceSettings,
)
from entitle_desktop.persistence.models import (
    AccountRow,
    AssetRow,
    Base,
    BusinessHoursRow,
    BusinessHoursWindowRow,
    ContactRow,
    ContractLineItemRow,
    EntitlementContactRow,
    EntitlementProcessRow,
    EntitlementProcessVersionRow,
    EntitlementRow,
    EntitlementTemplateRow,
    ExitCriteriaItemRow,
    ExperienceRow,
    HolidayBusinessHoursRow,
    HolidayRow,
    MilestoneCriteriaItemRow,
    MilestoneTimeTriggerRow,
    MilestoneTypeRow,
    OtherMetadataFileRow,
    ProcessMilestoneRow,
    ProductRow,
    ServiceContractRow,
    SuccessActionRow,
    TemplateProductRow,
    TimeTriggerActionRow,
    WorkspaceSettingsRow,
)

R = TypeVar("R")

# --------------------------------------------------------------------------- JSON columns


def dump_unknown(items: Sequence[UnknownElement]) -> str | None:
    if not items:
        return None
    return json.dumps([[u.after, u.xml] for u in items], ensure_ascii=False)


def load_unknown(text: str | None) -> list[UnknownElement]:
    if not text:
        return []
    return [UnknownElement(after=a, xml=x) for a, x in json.loads(text)]


def dump_json(value: dict[str, Any] | list[Any] | None) -> str | None:
    if not value:
        return None
    return json.dumps(value, ensure_ascii=False)


def load_dict(text: str | None) -> dict[str, Any]:
    return dict(json.loads(text)) if text else {}


def load_list(text: str | None) -> list[Any]:
    return list(json.loads(text)) if text else []


# --------------------------------------------------------------------------- data records

DATA_TYPES: dict[str, type[Any]] = {
    "accounts": Account,
    "contacts": Contact,
    "products": Product,
    "assets": Asset,
    "service_contracts": ServiceContract,
    "contract_line_items": ContractLineItem,
    "entitlements": Entitlement,
    "entitlement_contacts": EntitlementContact,
}
DATA_TABLES: dict[str, type[Base]] = {
    "accounts": AccountRow,
    "contacts": ContactRow,
    "products": ProductRow,
    "assets": AssetRow,
    "service_contracts": ServiceContractRow,
    "contract_line_items": ContractLineItemRow,
    "entitlements": EntitlementRow,
    "entitlement_contacts": EntitlementContactRow,
}
_FIELDS: dict[str, tuple[str, ...]] = {
    key: tuple(f.name for f in dataclasses.fields(cls)) for key, cls in DATA_TYPES.items()
}
_CHUNK = 500  # SQLite host-parameter budget for IN (...) lists


def _table(type_key: str) -> Table:
    try:
        table = DATA_TABLES[type_key].__table__
    except KeyError:
        raise KeyError(f"unknown data record type {type_key!r}") from None
    assert isinstance(table, Table)
    return table


def record_to_row(type_key: str, record: Any) -> dict[str, Any]:
    """The column values of a data record (custom fields as JSON text)."""
    row = {name: getattr(record, name) for name in _FIELDS[type_key]}
    if "custom_fields" in row:
        row["custom_fields"] = dump_json(row["custom_fields"])
    return row


def row_to_record(type_key: str, row: Any) -> Any:
    values = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
    if "custom_fields" in values:
        values["custom_fields"] = load_dict(values["custom_fields"])
    return DATA_TYPES[type_key](**values)


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def load_records(session: Session, type_key: str, ids: Collection[str] | None = None) -> list[Any]:
    """Records of one data type, ordered by Id (all of them, or those with ``ids``)."""
    table = _table(type_key)
    columns = [table.c[name] for name in _FIELDS[type_key]]
    if ids is None:
        rows = session.execute(select(*columns).order_by(table.c.id)).all()
        return [row_to_record(type_key, row) for row in rows]
    out: list[Any] = []
    for chunk in _chunks(sorted(set(ids))):
        rows = session.execute(select(*columns).where(table.c.id.in_(chunk))).all()
        out.extend(row_to_record(type_key, row) for row in rows)
    out.sort(key=lambda r: r.id)
    return out


def save_records(session: Session, type_key: str, records: Sequence[Any]) -> None:
    """Insert new records in bulk (executemany); an existing Id raises IntegrityError."""
    if records:
        session.execute(insert(_table(type_key)), [record_to_row(type_key, r) for r in records])


def existing_ids(session: Session, type_key: str, among: Collection[str] | None = None) -> set[str]:
    table = _table(type_key)
    if among is None:
        return set(session.execute(select(table.c.id)).scalars())
    found: set[str] = set()
    for chunk in _chunks(sorted(set(among))):
        found.update(session.execute(select(table.c.id).where(table.c.id.in_(chunk))).scalars())
    return found


def upsert_records(session: Session, type_key: str, records: Sequence[Any]) -> tuple[int, int]:
    """Insert or update by Id; returns (added, updated)."""
    if not records:
        return 0, 0
    table = _table(type_key)
    present = existing_ids(session, type_key, [r.id for r in records])
    statement = sqlite_insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.id],
        set_={name: statement.excluded[name] for name in _FIELDS[type_key] if name != "id"},
    )
    session.execute(statement, [record_to_row(type_key, r) for r in records])
    updated = len({r.id for r in records} & present)
    return len({r.id for r in records}) - updated, updated


def delete_records(session: Session, type_key: str, ids: Collection[str]) -> int:
    table = _table(type_key)
    removed = 0
    for chunk in _chunks(sorted(set(ids))):
        result = session.execute(delete(table).where(table.c.id.in_(chunk)))
        removed += int(getattr(result, "rowcount", 0) or 0)
    return removed


def count_records(session: Session, type_key: str) -> int:
    return int(session.execute(select(func.count()).select_from(_table(type_key))).scalar_one())


# --------------------------------------------------------------------------- settings, experiences


def load_settings(session: Session) -> WorkspaceSettings:
    row = session.get(WorkspaceSettingsRow, 1)
    if row is None:
        return WorkspaceSettings()
    entitlement = None
    if row.entitlement_settings_present:
        entitlement = EntitlementSettings(
            flags=load_dict(row.entitlement_settings_flags),
            unknown=load_unknown(row.entitlement_settings_unknown),
        )
    return WorkspaceSettings(
        setup_model=SetupModel(row.setup_model),
        entitlement_settings=entitlement,
        business_hours_settings_unknown=load_unknown(row.business_hours_settings_unknown),
        metadata_api_version=row.metadata_api_version,
    )


def _settings_row(session: Session) -> WorkspaceSettingsRow:
    row = session.get(WorkspaceSettingsRow, 1)
    if row is None:
        row = WorkspaceSettingsRow(id=1, setup_model=SetupModel.ENTITLEMENTS_ONLY.value)
        row.entitlement_settings_present = False
        row.business_hours_settings_present = False
        session.add(row)
    return row


def save_settings(session: Session, settings: WorkspaceSettings) -> None:
    row = _settings_row(session)
    row.setup_model = SetupModel(settings.setup_model).value
    es = settings.entitlement_settings
    row.entitlement_settings_present = es is not None
    row.entitlement_settings_flags = json.dumps(es.flags) if es is not None else None
    row.entitlement_settings_unknown = dump_unknown(es.unknown) if es is not None else None
    row.business_hours_settings_unknown = dump_unknown(settings.business_hours_settings_unknown)
    row.metadata_api_version = settings.metadata_api_version
    session.flush()


def load_experiences(session: Session) -> list[Experience]:
    rows = session.execute(select(ExperienceRow).order_by(ExperienceRow.name)).scalars()
    return [
        Experience(
            name=r.name,
            exposes_entitlements=r.exposes_entitlements,
            visible_fields=load_list(r.visible_fields),
            auto_entitlement_on_cases=r.auto_entitlement_on_cases,
        )
        for r in rows
    ]


def save_experiences(session: Session, experiences: Sequence[Experience]) -> None:
    """Insert or update experiences by name."""
    for exp in experiences:
        row = session.execute(
            select(ExperienceRow).where(ExperienceRow.name == exp.name)
        ).scalar_one_or_none()
        if row is None:
            row = ExperienceRow(name=exp.name)
            session.add(row)
        row.exposes_entitlements = exp.exposes_entitlements
        row.visible_fields = dump_json(exp.visible_fields)
        row.auto_entitlement_on_cases = exp.auto_entitlement_on_cases
    session.flush()


# --------------------------------------------------------------------------- metadata: save


_Ident = tuple[str, int]  # (record kind, row id) in a snapshot


@dataclass
class SaveResult:
    """What ``save_project`` did, by record type (keys as in the workspace summary).

    A record that existed counts as ``updated`` only when its content changed; re-saving
    the same content counts it as ``unchanged``."""

    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    placeholders: dict[str, list[str]] = field(default_factory=dict)
    existing: list[_Ident] = field(default_factory=list, repr=False, compare=False)

    def count(self, key: str, row_id: int, added: bool) -> None:
        """``row_id``'s record was saved; an existing one is classified by ``classify``."""
        if added:
            self.added[key] = self.added.get(key, 0) + 1
        else:
            self.existing.append((key, row_id))

    def classify(self, before: dict[_Ident, Any], after: dict[_Ident, Any]) -> None:
        for ident in self.existing:
            same = ident in before and before[ident] == after.get(ident)
            target = self.unchanged if same else self.updated
            target[ident[0]] = target.get(ident[0], 0) + 1
        self.existing.clear()


class _Resolver:
    """Finds referenced metadata by name; makes a placeholder when the workspace lacks it."""

    #: how a warning names one record of each kind
    _LABELS: ClassVar[dict[str, str]] = {
        "business_hours": "business hours",
        "milestone_types": "milestone type",
        "processes": "entitlement process",
    }
    #: referrers named in a warning about a placeholder many records name
    _REFERRERS_SHOWN: ClassVar[int] = 3

    def __init__(self, session: Session, result: SaveResult) -> None:
        self.session = session
        self.result = result
        # (kind, name as Salesforce compares it) -> referrers; the name first written
        self._referrers: dict[tuple[str, str], list[str]] = {}
        self._names: dict[tuple[str, str], str] = {}
        self._created: set[tuple[str, str]] = set()

    def _warn(self, kind: str, name: str, referrer: str, created: bool) -> None:
        key = (kind, name_key(name))
        if created:
            self.result.placeholders.setdefault(kind, []).append(name)
            self._created.add(key)
        self._names.setdefault(key, name)
        self._referrers.setdefault(key, []).append(referrer)

    def warnings(self) -> list[str]:
        """One warning per placeholder referred to, in the order first referred to, naming
        the records that refer to it (the first few, and how many more)."""
        out: list[str] = []
        for key, referrers in self._referrers.items():
            kind = key[0]
            what = (
                "a placeholder was created" if key in self._created else "it is still a placeholder"
            )
            target = f"{self._LABELS.get(kind, kind.replace('_', ' '))} '{self._names[key]}'"
            if len(referrers) == 1:
                who = f"{referrers[0]} names"
            else:
                shown = "; ".join(referrers[: self._REFERRERS_SHOWN])
                more = len(referrers) - self._REFERRERS_SHOWN
                if more > 0:
                    shown += f"; and {more:,} more"
                who = f"{len(referrers):,} records ({shown}) name"
            out.append(f"{who} {target}, which neither the project nor the workspace has: {what}.")
        return out

    def business_hours(self, name: str | None, referrer: str) -> int | None:
        if name is None:
            return None
        row = _find(self.session, BusinessHoursRow, name)
        created = row is None
        if row is None:
            row = BusinessHoursRow(
                name=name,
                position=_next_position(self.session, BusinessHoursRow),
                time_zone=BusinessHours.__dataclass_fields__["time_zone"].default,
                active=None,
                default=False,
                placeholder=True,
            )
            self.session.add(row)
            self.session.flush()
        if row.placeholder:
            self._warn("business_hours", name, referrer, created)
        return int(row.id)

    def milestone_type(self, name: str, referrer: str) -> int:
        row = _find(self.session, MilestoneTypeRow, name)
        created = row is None
        if row is None:
            row = MilestoneTypeRow(
                name=name,
                position=_next_position(self.session, MilestoneTypeRow),
                placeholder=True,
            )
            self.session.add(row)
            self.session.flush()
        if row.placeholder:
            self._warn("milestone_types", name, referrer, created)
        return int(row.id)

    def process(self, name: str | None, referrer: str) -> int | None:
        if name is None:
            return None
        row = _find(self.session, EntitlementProcessRow, name)
        created = row is None
        if row is None:
            row = EntitlementProcessRow(
                name=name,
                position=_next_position(self.session, EntitlementProcessRow),
                placeholder=True,
            )
            self.session.add(row)
            self.session.flush()
        if row.placeholder:
            self._warn("processes", name, referrer, created)
        return int(row.id)


def _drop_unreferenced_placeholders(session: Session) -> None:
    """Delete the placeholder records nothing refers to any more (a later import gave the
    records that named them other references), so that they are no longer listed."""
    models: tuple[Any, ...] = (BusinessHoursRow, MilestoneTypeRow, EntitlementProcessRow)
    for model in models:
        table = model.__table__
        columns = [
            fk.parent
            for other in Base.metadata.tables.values()
            for fk in other.foreign_keys
            if fk.column.table is table
        ]
        for row in session.scalars(select(model).where(model.placeholder.is_(True))).all():
            if not any(
                session.execute(select(c.table.c[c.name]).where(c == row.id).limit(1)).first()
                for c in columns
            ):
                session.delete(row)
    session.flush()


def _find(session: Session, model: Any, name: str) -> Any:
    """The record named ``name``; failing that, the first whose name is the same to
    Salesforce, which ignores case (Unicode case folding after NFC, not SQLite's ASCII-only
    lower()): e.g. it retrieves lower-case process file names while templates keep the case."""
    row = session.execute(select(model).where(model.name == name)).scalar_one_or_none()
    if row is None:
        key = name_key(name)
        found = next(
            (
                row_id
                for row_id, other in session.execute(
                    select(model.id, model.name).order_by(model.id)
                )
                if name_key(other) == key
            ),
            None,
        )
        row = None if found is None else session.get(model, found)
    return row


def _rename(row: Any, name: str) -> None:
    """Take the project's spelling of a name matched regardless of case."""
    if row.name != name:
        row.name = name


def _next_position(session: Session, model: Any) -> int:
    value = session.execute(select(func.max(model.position))).scalar_one_or_none()
    return 0 if value is None else int(value) + 1


def save_project(session: Session, project: MetadataProject) -> SaveResult:
    """Merge a metadata project into the workspace by external key (names; a process version
    by process name and version number). Children of an updated record are replaced.
    References the workspace cannot satisfy become placeholder records, with a warning."""
    result = SaveResult()
    resolver = _Resolver(session, result)
    before = _snapshot(session)
    _save_project_settings(session, project)
    for index, bh in enumerate(project.business_hours):
        _save_business_hours(session, bh, index, result)
    for index, mt in enumerate(project.milestone_types):
        _save_milestone_type(session, mt, index, result)
    _save_holidays(session, project.holidays, resolver, result)
    for index, version in enumerate(project.processes):
        _save_process_version(session, version, index, resolver, result)
    for index, template in enumerate(project.templates):
        _save_template(session, template, index, resolver, result)
    for index, other in enumerate(project.other_files):
        row = session.execute(
            select(OtherMetadataFileRow).where(OtherMetadataFileRow.path == other.path)
        ).scalar_one_or_none()
        added = row is None
        if row is None:
            row = OtherMetadataFileRow(path=other.path)
            session.add(row)
        row.position = index
        row.content = other.content
        session.flush()
        result.count("other_files", row.id, added)
    session.flush()
    _drop_unreferenced_placeholders(session)
    result.classify(before, _snapshot(session))
    result.warnings += resolver.warnings()
    result.warnings += _version_gap_warnings(session, project)
    return result


def _snapshot(session: Session) -> dict[_Ident, Any]:
    """Every metadata record of the workspace as loaded, by kind and row id."""
    out: dict[_Ident, Any] = {}
    for key, pairs in (
        ("business_hours", _load_business_hours(session, True)),
        ("milestone_types", _load_milestone_types(session, True)),
        ("holidays", _load_holidays(session)),
        ("entitlement_process_versions", _load_process_versions(session)),
        ("entitlement_templates", _load_templates(session, True)),
        ("other_files", _load_other_files(session)),
    ):
        for row_id, record in pairs:
            out[(key, row_id)] = record
    return out


def _version_gap_warnings(session: Session, project: MetadataProject) -> list[str]:
    """A warning per process of the project whose versions skip numbers (v1, v3, no v2):
    not an error, as a partial retrieve may hold only some versions."""
    warnings: list[str] = []
    seen: set[str] = set()
    for version in project.processes:
        key = name_key(version.name)
        if key in seen:
            continue
        seen.add(key)
        process = _find(session, EntitlementProcessRow, version.name)
        if process is None:
            continue
        numbers = sorted(
            {
                1 if n is None else int(n)
                for n in session.execute(
                    select(EntitlementProcessVersionRow.version_number).where(
                        EntitlementProcessVersionRow.process_id == process.id
                    )
                ).scalars()
            }
        )
        if len(numbers) < 2:
            continue
        missing = sorted(set(range(numbers[0], numbers[-1] + 1)) - set(numbers))
        if missing:
            have = ", ".join(str(n) for n in numbers)
            lack = ", ".join(str(n) for n in missing)
            plural = "s" if len(missing) > 1 else ""
            warnings.append(
                f"Process '{process.name}' has versions {have} but no version{plural} {lack}: "
                "the project may be a partial retrieve."
            )
    return warnings


def _save_project_settings(session: Session, project: MetadataProject) -> None:
    row = _settings_row(session)
    if project.entitlement_settings is not None:
        row.entitlement_settings_present = True
        row.entitlement_settings_flags = json.dumps(project.entitlement_settings.flags)
        row.entitlement_settings_unknown = dump_unknown(project.entitlement_settings.unknown)
    if project.business_hours_settings_present:
        row.business_hours_settings_present = True
        row.business_hours_settings_unknown = dump_unknown(project.business_hours_settings_unknown)
    row.metadata_api_version = project.api_version
    row.metadata_layout = project.layout
    row.metadata_root = project.root
    session.flush()


def _save_business_hours(
    session: Session, bh: BusinessHours, index: int, result: SaveResult
) -> None:
    row = _find(session, BusinessHoursRow, bh.name)
    added = row is None or row.placeholder
    if row is None:
        row = BusinessHoursRow(name=bh.name)
        session.add(row)
    _rename(row, bh.name)
    row.position = index
    row.time_zone = bh.time_zone
    row.active = bh.active
    row.default = bh.default
    row.xml_times = dump_json(bh.xml_times)
    row.unknown = dump_unknown(bh.unknown)
    row.placeholder = bh.placeholder
    session.flush()
    result.count("business_hours", row.id, added)
    session.execute(
        delete(BusinessHoursWindowRow).where(BusinessHoursWindowRow.business_hours_id == row.id)
    )
    if bh.windows:
        session.execute(
            insert(BusinessHoursWindowRow),
            [
                {
                    "business_hours_id": row.id,
                    "position": i,
                    "weekday": w.weekday,
                    "start": w.start,
                    "end": w.end,
                }
                for i, w in enumerate(bh.windows)
            ],
        )


def _save_milestone_type(
    session: Session, mt: MilestoneType, index: int, result: SaveResult
) -> None:
    row = _find(session, MilestoneTypeRow, mt.name)
    added = row is None or row.placeholder
    if row is None:
        row = MilestoneTypeRow(name=mt.name)
        session.add(row)
    _rename(row, mt.name)
    row.position = index
    row.description = mt.description
    row.recurrence_type = mt.recurrence_type
    row.full_name = mt.full_name
    row.file_name = mt.file_name
    row.unknown = dump_unknown(mt.unknown)
    row.placeholder = mt.placeholder
    session.flush()
    result.count("milestone_types", row.id, added)


def _save_holidays(
    session: Session, holidays: Sequence[Holiday], resolver: _Resolver, result: SaveResult
) -> None:
    matched: set[int] = set()
    for index, hol in enumerate(holidays):
        candidates = (
            session.execute(
                select(HolidayRow)
                .where(HolidayRow.name == hol.name)
                .order_by(HolidayRow.position, HolidayRow.id)
            )
            .scalars()
            .all()
        )
        row = next((c for c in candidates if c.id not in matched), None)
        added = row is None
        if row is None:
            row = HolidayRow(name=hol.name)
            session.add(row)
        row.position = index
        for name in _HOLIDAY_PLAIN:
            setattr(row, name, getattr(hol, name))
        row.recurrence_day_of_week = dump_json(hol.recurrence_day_of_week)
        row.xml_times = dump_json(hol.xml_times)
        row.unknown = dump_unknown(hol.unknown)
        session.flush()
        result.count("holidays", row.id, added)
        matched.add(row.id)
        session.execute(
            delete(HolidayBusinessHoursRow).where(HolidayBusinessHoursRow.holiday_id == row.id)
        )
        links = []
        for pos, bh_name in enumerate(hol.business_hours):
            bh_id = resolver.business_hours(bh_name, f"Holiday '{hol.name}'")
            links.append(
                {
                    "holiday_id": row.id,
                    "position": pos,
                    "business_hours_id": bh_id,
                    "business_hours_name": bh_name,
                }
            )
        if links:
            session.execute(insert(HolidayBusinessHoursRow), links)


_HOLIDAY_PLAIN = (
    "description",
    "activity_date",
    "start_time",
    "end_time",
    "is_recurring",
    "recurrence_type",
    "recurrence_interval",
    "recurrence_day_of_month",
    "recurrence_day_of_week_mask",
    "recurrence_instance",
    "recurrence_month_of_year",
    "recurrence_start_date",
    "recurrence_end_date",
    "national_country",
    "national_subdivision",
    "national_observed",
)
_VERSION_PLAIN = (
    "version_number",
    "is_version_default",
    "version_master",
    "version_notes",
    "active",
    "sobject_type",
    "description",
    "entry_start_date_field",
    "exit_criteria_boolean_filter",
    "exit_criteria_formula",
    "is_record_type_applied",
    "record_type",
    "file_name",
    "full_name",
)
_MILESTONE_PLAIN = (
    "minutes_to_complete",
    "minutes_custom_class",
    "criteria_boolean_filter",
    "criteria_formula",
    "use_criteria_start_time",
    "agreement_type",
    "is_displayed_on_linked_entity",
)
_TEMPLATE_PLAIN = (
    "cases_per_entitlement",
    "is_per_incident",
    "term",
    "type",
    "full_name",
    "file_name",
)


def version_label(version: EntitlementProcessVersion) -> str:
    if version.version_number is None:
        return f"Process '{version.name}'"
    return f"Process '{version.name}' version {version.version_number}"


def _save_process_version(
    session: Session,
    version: EntitlementProcessVersion,
    index: int,
    resolver: _Resolver,
    result: SaveResult,
) -> None:
    process = _find(session, EntitlementProcessRow, version.name)
    if process is None:
        process = EntitlementProcessRow(
            name=version.name, position=index, placeholder=version.placeholder
        )
        session.add(process)
        session.flush()
    else:
        # a lower-case file name never renames a process, but it does name a placeholder
        # (whose name only came from a reference), as a fresh import of the file would
        fills_placeholder = process.placeholder and not version.placeholder
        if "name" not in version.from_file_name or fills_placeholder:
            _rename(process, version.name)
        if fills_placeholder:
            process.placeholder = False
            process.position = index
    row = _find_version(session, process.id, version.version_number)
    added = row is None
    if row is None:
        row = EntitlementProcessVersionRow(process_id=process.id)
        session.add(row)
    label = version_label(version)
    row.position = index
    for name in _VERSION_PLAIN:
        setattr(row, name, getattr(version, name))
    row.business_hours_id = resolver.business_hours(version.business_hours, label)
    row.business_hours_name = version.business_hours
    row.unknown = dump_unknown(version.unknown)
    row.from_file_name = dump_json(version.from_file_name)
    session.flush()
    result.count("entitlement_process_versions", row.id, added)
    session.execute(delete(ExitCriteriaItemRow).where(ExitCriteriaItemRow.version_id == row.id))
    session.execute(delete(ProcessMilestoneRow).where(ProcessMilestoneRow.version_id == row.id))
    _insert_filter_items(
        session, ExitCriteriaItemRow, "version_id", row.id, version.exit_criteria_items
    )
    for pos, ms in enumerate(version.milestones):
        ms_label = f"{label}, milestone {pos + 1}"
        ms_row = ProcessMilestoneRow(
            version_id=row.id,
            position=pos,
            milestone_type_id=resolver.milestone_type(ms.milestone_name, ms_label),
            milestone_name=ms.milestone_name,
            business_hours_id=resolver.business_hours(ms.business_hours, ms_label),
            business_hours_name=ms.business_hours,
            unknown=dump_unknown(ms.unknown),
        )
        for name in _MILESTONE_PLAIN:
            setattr(ms_row, name, getattr(ms, name))
        session.add(ms_row)
        session.flush()
        _insert_filter_items(
            session, MilestoneCriteriaItemRow, "milestone_id", ms_row.id, ms.criteria_items
        )
        _insert_actions(session, SuccessActionRow, "milestone_id", ms_row.id, ms.success_actions)
        for tpos, trigger in enumerate(ms.time_triggers):
            t_row = MilestoneTimeTriggerRow(
                milestone_id=ms_row.id,
                position=tpos,
                time_length=trigger.time_length,
                unit=trigger.unit,
                unknown=dump_unknown(trigger.unknown),
            )
            session.add(t_row)
            session.flush()
            _insert_actions(session, TimeTriggerActionRow, "trigger_id", t_row.id, trigger.actions)


def _find_version(session: Session, process_id: int, number: int | None) -> Any:
    """The process's version ``number``; a version without a number is version 1, so the
    two match each other when the exact one is missing."""

    def first(condition: Any) -> Any:
        return (
            session.execute(
                select(EntitlementProcessVersionRow)
                .where(EntitlementProcessVersionRow.process_id == process_id, condition)
                .order_by(EntitlementProcessVersionRow.id)
            )
            .scalars()
            .first()
        )

    column = EntitlementProcessVersionRow.version_number
    row = first(column.is_(None) if number is None else column == number)
    if row is None and (number is None or number == 1):
        row = first(column == 1 if number is None else column.is_(None))
    return row


def _insert_filter_items(
    session: Session, model: Any, owner: str, owner_id: int, items: Sequence[FilterItem]
) -> None:
    if items:
        session.execute(
            insert(model),
            [
                {
                    owner: owner_id,
                    "position": i,
                    "field": it.field,
                    "operation": it.operation,
                    "value": it.value,
                    "value_field": it.value_field,
                    "unknown": dump_unknown(it.unknown),
                }
                for i, it in enumerate(items)
            ],
        )


def _insert_actions(
    session: Session, model: Any, owner: str, owner_id: int, actions: Sequence[ActionReference]
) -> None:
    if actions:
        session.execute(
            insert(model),
            [
                {
                    owner: owner_id,
                    "position": i,
                    "name": a.name,
                    "type": a.type,
                    "unknown": dump_unknown(a.unknown),
                }
                for i, a in enumerate(actions)
            ],
        )


def _save_template(
    session: Session,
    template: EntitlementTemplate,
    index: int,
    resolver: _Resolver,
    result: SaveResult,
) -> None:
    row = _find(session, EntitlementTemplateRow, template.name)
    added = row is None or row.placeholder
    if row is None:
        row = EntitlementTemplateRow(name=template.name)
        session.add(row)
    _rename(row, template.name)
    label = f"Template '{template.name}'"
    row.position = index
    for name in _TEMPLATE_PLAIN:
        setattr(row, name, getattr(template, name))
    row.business_hours_id = resolver.business_hours(template.business_hours, label)
    row.process_id = resolver.process(template.entitlement_process, label)
    row.business_hours_name = template.business_hours
    row.entitlement_process_name = template.entitlement_process
    row.unknown = dump_unknown(template.unknown)
    row.placeholder = template.placeholder
    session.flush()
    result.count("entitlement_templates", row.id, added)
    session.execute(delete(TemplateProductRow).where(TemplateProductRow.template_id == row.id))
    if template.product_codes:
        session.execute(
            insert(TemplateProductRow),
            [
                {"template_id": row.id, "position": i, "product_code": c}
                for i, c in enumerate(template.product_codes)
            ],
        )


# --------------------------------------------------------------------------- metadata: load


def load_business_hours(
    session: Session, include_placeholders: bool = False
) -> list[BusinessHours]:
    return [r for _, r in _load_business_hours(session, include_placeholders)]


def _load_business_hours(
    session: Session, include_placeholders: bool
) -> list[tuple[int, BusinessHours]]:
    query = select(BusinessHoursRow).order_by(BusinessHoursRow.position, BusinessHoursRow.id)
    if not include_placeholders:
        query = query.where(BusinessHoursRow.placeholder.is_(False))
    windows: dict[int, list[BusinessHoursWindow]] = {}
    for w in session.execute(
        select(BusinessHoursWindowRow).order_by(BusinessHoursWindowRow.position)
    ).scalars():
        windows.setdefault(w.business_hours_id, []).append(
            BusinessHoursWindow(weekday=w.weekday, start=w.start, end=w.end)
        )
    return [
        (
            r.id,
            BusinessHours(
                name=r.name,
                time_zone=r.time_zone,
                active=r.active,
                default=r.default,
                windows=windows.get(r.id, []),
                xml_times=load_dict(r.xml_times),
                unknown=load_unknown(r.unknown),
                placeholder=r.placeholder,
            ),
        )
        for r in session.execute(query).scalars()
    ]


def load_milestone_types(
    session: Session, include_placeholders: bool = False
) -> list[MilestoneType]:
    return [r for _, r in _load_milestone_types(session, include_placeholders)]


def _load_milestone_types(
    session: Session, include_placeholders: bool
) -> list[tuple[int, MilestoneType]]:
    query = select(MilestoneTypeRow).order_by(MilestoneTypeRow.position, MilestoneTypeRow.id)
    if not include_placeholders:
        query = query.where(MilestoneTypeRow.placeholder.is_(False))
    return [
        (
            r.id,
            MilestoneType(
                name=r.name,
                description=r.description,
                recurrence_type=r.recurrence_type,
                full_name=r.full_name,
                unknown=load_unknown(r.unknown),
                placeholder=r.placeholder,
                file_name=r.file_name,
            ),
        )
        for r in session.execute(query).scalars()
    ]


def load_holidays(session: Session) -> list[Holiday]:
    return [h for _, h in _load_holidays(session)]


def _load_holidays(session: Session) -> list[tuple[int, Holiday]]:
    links: dict[int, list[str]] = {}
    for link in session.execute(
        select(HolidayBusinessHoursRow).order_by(HolidayBusinessHoursRow.position)
    ).scalars():
        links.setdefault(link.holiday_id, []).append(link.business_hours_name)
    out = []
    for r in session.execute(
        select(HolidayRow).order_by(HolidayRow.position, HolidayRow.id)
    ).scalars():
        hol = Holiday(
            name=r.name,
            recurrence_day_of_week=load_list(r.recurrence_day_of_week),
            business_hours=links.get(r.id, []),
            xml_times=load_dict(r.xml_times),
            unknown=load_unknown(r.unknown),
        )
        for name in _HOLIDAY_PLAIN:
            setattr(hol, name, getattr(r, name))
        out.append((r.id, hol))
    return out


def _filter_items(rows: Iterable[Any]) -> list[FilterItem]:
    return [
        FilterItem(
            field=r.field,
            operation=r.operation,
            value=r.value,
            value_field=r.value_field,
            unknown=load_unknown(r.unknown),
        )
        for r in rows
    ]


def _group(
    session: Session, model: Any, owner: str, owner_ids: Collection[int]
) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    ids = list(owner_ids)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        column = getattr(model, owner)
        for r in session.execute(
            select(model).where(column.in_(chunk)).order_by(column, model.position)
        ).scalars():
            grouped.setdefault(getattr(r, owner), []).append(r)
    return grouped


def load_process_versions(
    session: Session,
    process_names: Collection[str] | None = None,
    version_ids: Collection[int] | None = None,
) -> list[EntitlementProcessVersion]:
    """Process versions (no placeholders) in saved order, with every child."""
    return [v for _, v in _load_process_versions(session, process_names, version_ids)]


def _load_process_versions(
    session: Session,
    process_names: Collection[str] | None = None,
    version_ids: Collection[int] | None = None,
) -> list[tuple[int, EntitlementProcessVersion]]:
    query = (
        select(EntitlementProcessVersionRow, EntitlementProcessRow)
        .join(
            EntitlementProcessRow,
            EntitlementProcessVersionRow.process_id == EntitlementProcessRow.id,
        )
        .where(EntitlementProcessRow.placeholder.is_(False))
        .order_by(EntitlementProcessVersionRow.position, EntitlementProcessVersionRow.id)
    )
    if process_names is not None:
        query = query.where(EntitlementProcessRow.name.in_(list(process_names)))
    if version_ids is not None:
        query = query.where(EntitlementProcessVersionRow.id.in_(list(version_ids)))
    pairs = [(r[0], r[1]) for r in session.execute(query)]
    v_ids = [v.id for v, _ in pairs]
    exits = _group(session, ExitCriteriaItemRow, "version_id", v_ids)
    milestones = _group(session, ProcessMilestoneRow, "version_id", v_ids)
    m_ids = [m.id for ms in milestones.values() for m in ms]
    criteria = _group(session, MilestoneCriteriaItemRow, "milestone_id", m_ids)
    successes = _group(session, SuccessActionRow, "milestone_id", m_ids)
    triggers = _group(session, MilestoneTimeTriggerRow, "milestone_id", m_ids)
    t_actions = _group(
        session, TimeTriggerActionRow, "trigger_id", [t.id for ts in triggers.values() for t in ts]
    )

    def actions(rows: Iterable[Any]) -> list[ActionReference]:
        return [
            ActionReference(name=a.name, type=a.type, unknown=load_unknown(a.unknown)) for a in rows
        ]

    out = []
    for v, p in pairs:
        ms_records = []
        for m in milestones.get(v.id, []):
            ms = ProcessMilestone(
                milestone_name=m.milestone_name,
                business_hours=m.business_hours_name,
                criteria_items=_filter_items(criteria.get(m.id, [])),
                success_actions=actions(successes.get(m.id, [])),
                time_triggers=[
                    MilestoneTimeTrigger(
                        time_length=t.time_length,
                        unit=t.unit,
                        actions=actions(t_actions.get(t.id, [])),
                        unknown=load_unknown(t.unknown),
                    )
                    for t in triggers.get(m.id, [])
                ],
                unknown=load_unknown(m.unknown),
            )
            for name in _MILESTONE_PLAIN:
                setattr(ms, name, getattr(m, name))
            ms_records.append(ms)
        version = EntitlementProcessVersion(
            name=p.name,
            business_hours=v.business_hours_name,
            exit_criteria_items=_filter_items(exits.get(v.id, [])),
            milestones=ms_records,
            unknown=load_unknown(v.unknown),
            placeholder=p.placeholder,
            from_file_name=load_list(v.from_file_name),
        )
        for name in _VERSION_PLAIN:
            setattr(version, name, getattr(v, name))
        out.append((v.id, version))
    return out


def load_templates(
    session: Session, include_placeholders: bool = False
) -> list[EntitlementTemplate]:
    return [t for _, t in _load_templates(session, include_placeholders)]


def _load_templates(
    session: Session, include_placeholders: bool
) -> list[tuple[int, EntitlementTemplate]]:
    query = select(EntitlementTemplateRow).order_by(
        EntitlementTemplateRow.position, EntitlementTemplateRow.id
    )
    if not include_placeholders:
        query = query.where(EntitlementTemplateRow.placeholder.is_(False))
    rows = session.execute(query).scalars().all()
    products = _group(session, TemplateProductRow, "template_id", [r.id for r in rows])
    out = []
    for r in rows:
        t = EntitlementTemplate(
            name=r.name,
            business_hours=r.business_hours_name,
            entitlement_process=r.entitlement_process_name,
            product_codes=[p.product_code for p in products.get(r.id, [])],
            unknown=load_unknown(r.unknown),
            placeholder=r.placeholder,
        )
        for name in _TEMPLATE_PLAIN:
            setattr(t, name, getattr(r, name))
        out.append((r.id, t))
    return out


def load_other_files(session: Session) -> list[OtherMetadataFile]:
    return [f for _, f in _load_other_files(session)]


def _load_other_files(session: Session) -> list[tuple[int, OtherMetadataFile]]:
    rows = session.execute(
        select(OtherMetadataFileRow).order_by(
            OtherMetadataFileRow.position, OtherMetadataFileRow.id
        )
    ).scalars()
    return [(r.id, OtherMetadataFile(path=r.path, content=r.content)) for r in rows]


def load_project(session: Session) -> MetadataProject:
    """Every metadata record of the workspace (placeholders left out), in saved order."""
    settings = session.get(WorkspaceSettingsRow, 1)
    project = MetadataProject(
        processes=load_process_versions(session),
        milestone_types=load_milestone_types(session),
        templates=load_templates(session),
        business_hours=load_business_hours(session),
        holidays=load_holidays(session),
        other_files=load_other_files(session),
    )
    if settings is not None:
        if settings.entitlement_settings_present:
            project.entitlement_settings = EntitlementSettings(
                flags=load_dict(settings.entitlement_settings_flags),
                unknown=load_unknown(settings.entitlement_settings_unknown),
            )
        project.business_hours_settings_present = settings.business_hours_settings_present
        project.business_hours_settings_unknown = load_unknown(
            settings.business_hours_settings_unknown
        )
        project.api_version = settings.metadata_api_version
        project.layout = settings.metadata_layout or project.layout
        project.root = settings.metadata_root or project.root
    return project


def mark_settings_saved(session: Session) -> None:
    """Ensure the single settings row exists (a new workspace starts with defaults)."""
    _settings_row(session)
    session.flush()


def set_setup_model(session: Session, model: SetupModel) -> None:
    _settings_row(session)
    session.execute(
        update(WorkspaceSettingsRow)
        .where(WorkspaceSettingsRow.id == 1)
        .values(setup_model=model.value)
    )
