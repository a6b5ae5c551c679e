"""Native bundle export and import over a workspace, with a preview before applying.

Export (:func:`export_bundle`): the whole workspace, chosen processes (all their versions,
with the milestone types, business hours, holidays and templates they use), or one
account's hierarchy (the account, its child accounts, their contacts, assets, service
contracts, line items, entitlements and entitlement contacts, plus every record these
refer to and the business hours and processes the entitlements name).

Import (:func:`preview_bundle`, :func:`import_bundle`, and :func:`apply_records` shared with
the CSV import): records are matched to the workspace by external key (data records by Id;
business hours, milestone types, templates by name; process versions by name and number;
holidays by name and date; experiences by name; other metadata files by path) and sorted:

- added: no workspace record has the key;
- unchanged: the workspace record is equal;
- changed: the same record with other values -- same key and same identity (the name of a
  data record, first and last name of a contact), and for a process version in use
  (active) its existing milestones untouched (Salesforce lets a version in use gain
  milestones, not edit them), e.g. a new e-mail address or a version's description;
- conflicting: same key but, by its identity, another record (a renamed account: the Id
  may have been reused by a hand-made file or another org), or a change that edits or
  drops milestones of an active process version, which Salesforce refuses.

A bundle holds no base copy, so which side changed a record since the bundle was made
cannot be known: applying replaces both changed and conflicting records with the file's
version, and the preview lists their keys first (:meth:`ImportPreview.lines`) so that the
user can cancel. References between data records (a contact's account ...) must point at a
record of the bundle or of the workspace; the preview lists those that do not
(:func:`reference_problems`, file, record and field named) and the import refuses them.
Applying writes everything in one transaction; on any error nothing is written and the
workspace file is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from entitle_desktop.domain.records import (
    Entitlement,
    EntitlementProcessVersion,
    MetadataProject,
)
from entitle_desktop.interchange.bundle import (
    BundleLimits,
    BundleManifest,
    LoadedBundle,
    read_bundle,
    write_bundle,
)
from entitle_desktop.interchange.errors import InterchangeError
from entitle_desktop.interchange.record_set import (
    DATA_LISTS,
    RECORD_LISTS,
    ProjectInfo,
    RecordSet,
    record_key,
)
from entitle_desktop.persistence import repository
from entitle_desktop.services import export_target
from entitle_desktop.services.workspace import Workspace

__all__ = [
    "ImportPreview",
    "ImportProblemsError",
    "apply_records",
    "check_bundle",
    "collect_records",
    "export_bundle",
    "import_bundle",
    "list_label",
    "preview_bundle",
    "preview_records",
    "record_key",
    "reference_problems",
]

Progress = Callable[[int, int, str], None]


# --------------------------------------------------------------------------- reading the workspace


def collect_records(
    workspace: Workspace,
    *,
    processes: Sequence[str] | None = None,
    account: str | None = None,
) -> tuple[RecordSet, str]:
    """The records to export and the scope name (``workspace``, ``processes:<names>``,
    ``account:<id>``). Unknown process names or account Ids raise :class:`ValueError`."""
    with workspace.session() as session:
        project = repository.load_project(session)
        settings = repository.load_settings(session)
        experiences = repository.load_experiences(session)
        everything = RecordSet(
            settings=settings,
            project=ProjectInfo(
                layout=project.layout,
                root=project.root,
                business_hours_settings_present=project.business_hours_settings_present,
            ),
            business_hours=project.business_hours,
            holidays=project.holidays,
            milestone_types=project.milestone_types,
            processes=project.processes,
            templates=project.templates,
            experiences=experiences,
            other_metadata_files=project.other_files,
        )
        if processes is None:
            for list_name in DATA_LISTS:
                everything.records(list_name).extend(repository.load_records(session, list_name))
    if processes is not None and account is not None:
        raise ValueError("export either chosen processes or one account, not both")
    if processes is not None:
        return _select_processes(everything, processes), "processes:" + ",".join(processes)
    if account is not None:
        return _select_account(everything, account), f"account:{account}"
    return everything, "workspace"


def _select_processes(full: RecordSet, names: Sequence[str]) -> RecordSet:
    """Names as shown or as file names (``premium support``, or ``premium support_v2`` for
    that version alone), ignoring case."""
    from entitle_desktop.services.metadata_export import chosen_versions

    try:
        versions = chosen_versions(full.processes, names)
    except KeyError as exc:
        raise ValueError(str(exc.args[0]).replace("process", "entitlement process", 1)) from None
    out = RecordSet(settings=full.settings, project=full.project)
    _add_setup_used(full, out, {v.name for v in versions}, versions=versions)
    return out


def _add_setup_used(
    full: RecordSet,
    out: RecordSet,
    process_names: set[str],
    hours: Iterable[str] = (),
    versions: Sequence[EntitlementProcessVersion] | None = None,
) -> None:
    """Add the processes named (all versions, or only ``versions``), the templates using
    them, and the milestone types, business hours and holidays these use."""
    out.processes = (
        list(versions)
        if versions is not None
        else [v for v in full.processes if v.name in process_names]
    )
    out.templates = [t for t in full.templates if t.entitlement_process in process_names]
    milestone_names = {m.milestone_name for v in out.processes for m in v.milestones}
    bh_names = set(hours)
    for v in out.processes:
        if v.business_hours:
            bh_names.add(v.business_hours)
        bh_names.update(m.business_hours for m in v.milestones if m.business_hours)
    bh_names.update(t.business_hours for t in out.templates if t.business_hours)
    out.milestone_types = [m for m in full.milestone_types if m.name in milestone_names]
    out.business_hours = [b for b in full.business_hours if b.name in bh_names]
    out.holidays = [h for h in full.holidays if bh_names.intersection(h.business_hours)]


# (list, attribute) -> list it refers to
_REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
    "accounts": (("parent_id", "accounts"),),
    "contacts": (("account_id", "accounts"),),
    "products": (),
    "assets": (("account_id", "accounts"), ("contact_id", "contacts"), ("product_id", "products")),
    "service_contracts": (
        ("account_id", "accounts"),
        ("contact_id", "contacts"),
        ("parent_service_contract_id", "service_contracts"),
        ("root_service_contract_id", "service_contracts"),
    ),
    "contract_line_items": (
        ("service_contract_id", "service_contracts"),
        ("product_id", "products"),
        ("asset_id", "assets"),
        ("parent_contract_line_item_id", "contract_line_items"),
        ("root_contract_line_item_id", "contract_line_items"),
    ),
    "entitlements": (
        ("account_id", "accounts"),
        ("asset_id", "assets"),
        ("service_contract_id", "service_contracts"),
        ("contract_line_item_id", "contract_line_items"),
    ),
    "entitlement_contacts": (("entitlement_id", "entitlements"), ("contact_id", "contacts")),
}
# (list, attribute) that puts a record under an account's hierarchy
_DOWNWARD: dict[str, tuple[tuple[str, str], ...]] = {
    "contacts": (("account_id", "accounts"),),
    "assets": (("account_id", "accounts"),),
    "service_contracts": (
        ("account_id", "accounts"),
        ("parent_service_contract_id", "service_contracts"),
    ),
    "contract_line_items": (("service_contract_id", "service_contracts"),),
    "entitlements": (
        ("account_id", "accounts"),
        ("service_contract_id", "service_contracts"),
        ("contract_line_item_id", "contract_line_items"),
    ),
    "entitlement_contacts": (("entitlement_id", "entitlements"),),
}


def _select_account(full: RecordSet, account_id: str) -> RecordSet:
    by_id: dict[str, dict[str, Any]] = {
        name: {r.id: r for r in full.records(name)} for name in DATA_LISTS
    }
    if account_id not in by_id["accounts"]:
        raise ValueError(f"no account with Id {account_id!r}")
    chosen: dict[str, set[str]] = {name: set() for name in DATA_LISTS}
    # the account and its descendants
    children: dict[str, list[str]] = {}
    for acc in by_id["accounts"].values():
        if acc.parent_id:
            children.setdefault(acc.parent_id, []).append(acc.id)
    stack = [account_id]
    while stack:
        current = stack.pop()
        if current in chosen["accounts"]:
            continue
        chosen["accounts"].add(current)
        stack.extend(children.get(current, []))
    # everything under them, until nothing more is added
    grown = True
    while grown:
        grown = False
        for list_name, links in _DOWNWARD.items():
            for record in by_id[list_name].values():
                if record.id in chosen[list_name]:
                    continue
                if any(getattr(record, attr) in chosen[target] for attr, target in links):
                    chosen[list_name].add(record.id)
                    grown = True
    # and every record these refer to (a parent contract of another account, a product ...)
    pending = [(name, rid) for name in DATA_LISTS for rid in chosen[name]]
    while pending:
        list_name, rid = pending.pop()
        record = by_id[list_name][rid]
        for attr, target in _REFERENCES[list_name]:
            ref = getattr(record, attr)
            if ref and ref not in chosen[target] and ref in by_id[target]:
                chosen[target].add(ref)
                pending.append((target, ref))
    out = RecordSet(settings=full.settings, project=full.project)
    for list_name in DATA_LISTS:
        out.records(list_name).extend(
            r for r in full.records(list_name) if r.id in chosen[list_name]
        )
    ents: list[Entitlement] = out.entitlements
    _add_setup_used(
        full,
        out,
        {e.sla_process for e in ents if e.sla_process},
        hours=[e.business_hours for e in ents if e.business_hours],
    )
    return out


def export_bundle(
    workspace: Workspace,
    out: Path,
    *,
    processes: Sequence[str] | None = None,
    account: str | None = None,
) -> BundleManifest:
    """Write a bundle of the workspace (or the chosen part) to ``out`` (temp file + rename).

    ``out`` may be new (missing parent folders are created), an earlier bundle or an empty
    file; a folder or another file, or a failure to write, raises
    :class:`~entitle_desktop.services.export_target.ExportTargetError` naming it."""
    out = Path(out)
    export_target.check_bundle_file(out)
    records, scope = collect_records(workspace, processes=processes, account=account)
    with export_target.writing(out):
        return write_bundle(records, out, scope=scope)


# --------------------------------------------------------------------------- references

_NOUNS = {
    "accounts": "account",
    "contacts": "contact",
    "products": "product",
    "assets": "asset",
    "service_contracts": "service contract",
    "contract_line_items": "contract line item",
    "entitlements": "entitlement",
    "entitlement_contacts": "entitlement contact",
}


def reference_problems(
    records: RecordSet, existing_ids: Callable[[str], set[str]] | None
) -> list[InterchangeError]:
    """References between data records that point at no record of ``records`` nor of the
    workspace (``existing_ids(list name)`` gives its Ids; None = an empty workspace), one
    error each naming the file, the record and the field::

        contacts.json, record '003A', <contacts[0].account_id>: no account '001X' in the
        file or the workspace
    """
    problems: list[InterchangeError] = []
    incoming: dict[str, set[str]] = {}
    stored: dict[str, set[str]] = {}

    def known(target: str, ref: str) -> bool:
        ids = incoming.get(target)
        if ids is None:
            ids = incoming[target] = {r.id for r in records.records(target)}
        if ref in ids:
            return True
        if existing_ids is None:
            return False
        found = stored.get(target)
        if found is None:
            found = stored[target] = existing_ids(target)
        return ref in found

    for list_name in DATA_LISTS:
        links = _REFERENCES[list_name]
        for i, record in enumerate(records.records(list_name)):
            for attr, target in links:
                ref = getattr(record, attr)
                if ref and not known(target, ref):
                    problems.append(
                        InterchangeError(
                            f"{list_name}.json",
                            f"no {_NOUNS[target]} {ref!r} in the file or the workspace",
                            element=f"{list_name}[{i}].{attr}",
                            record=record.id,
                        )
                    )
    return problems


class ImportProblemsError(InterchangeError):
    """Records that cannot be imported (nothing was); ``problems`` lists each. With one
    problem the error carries its file, record and field; with several the message lists
    the first :data:`PROBLEMS_LISTED`."""

    def __init__(self, problems: Sequence[InterchangeError]) -> None:
        self.problems = list(problems)
        if len(problems) == 1:
            p = problems[0]
            super().__init__(
                p.file,
                f"{p.message}; nothing was imported",
                line=p.line,
                element=p.element,
                record=p.record,
            )
            return
        shown = "\n".join(f"  {p}" for p in problems[:PROBLEMS_LISTED])
        more = (
            f"\n  ... and {len(problems) - PROBLEMS_LISTED:,} more"
            if len(problems) > PROBLEMS_LISTED
            else ""
        )
        super().__init__("", f"{len(problems):,} problems; nothing was imported:\n{shown}{more}")


PROBLEMS_LISTED = 20


# --------------------------------------------------------------------------- preview


#: keys listed per record type in :meth:`ImportPreview.lines` before "... and N more"
KEYS_LISTED = 20

_LIST_LABELS = {
    "processes": "entitlement process versions",
    "templates": "entitlement templates",
    "other_metadata_files": "other metadata files",
}


def list_label(list_name: str) -> str:
    """A record list as words: ``service contracts``, ``entitlement process versions``."""
    return _LIST_LABELS.get(list_name, list_name.replace("_", " "))


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _key_lines(keys: dict[str, list[str]]) -> list[str]:
    out: list[str] = []
    for list_name in RECORD_LISTS:
        found = keys.get(list_name)
        if not found:
            continue
        shown = ", ".join(found[:KEYS_LISTED])
        more = f" ... and {len(found) - KEYS_LISTED:,} more" if len(found) > KEYS_LISTED else ""
        out.append(f"  {list_label(list_name)} ({len(found):,}): {shown}{more}")
    return out


@dataclass(slots=True)
class ImportPreview:
    """What an import would do (or did, when ``applied``), per record list.

    ``added``/``changed``/``conflicting`` map a list name to external keys; lists with
    nothing in them are left out. ``unchanged`` counts the rest. ``notes`` are for
    information (which object a file was read as), ``warnings`` need the user's eye,
    ``problems`` stop the import (bad rows, references to records that do not exist).
    """

    source: str
    added: dict[str, list[str]] = field(default_factory=dict)
    changed: dict[str, list[str]] = field(default_factory=dict)
    conflicting: dict[str, list[str]] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    settings_changed: bool = False
    settings_applied: bool = False
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[InterchangeError] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)
    skipped_rows: int = 0
    applied: bool = False

    def counts(self) -> dict[str, dict[str, int]]:
        """``{"added": {list: n}, "changed": ..., "conflicting": ..., "unchanged": ...}``."""
        return {
            "added": {k: len(v) for k, v in self.added.items()},
            "changed": {k: len(v) for k, v in self.changed.items()},
            "conflicting": {k: len(v) for k, v in self.conflicting.items()},
            "unchanged": dict(self.unchanged),
        }

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            **self.counts(),
            "changed_keys": {k: list(v) for k, v in self.changed.items()},
            "conflicting_keys": {k: list(v) for k, v in self.conflicting.items()},
            "settings_changed": self.settings_changed,
            "notes": list(self.notes),
            "warnings": list(self.warnings),
            "problems": [str(p) for p in self.problems],
            "missing_files": list(self.missing_files),
            "skipped_files": list(self.skipped_files),
            "skipped_rows": self.skipped_rows,
            "applied": self.applied,
        }

    def lines(self) -> list[str]:
        """The preview (or the import done) as short lines for a terminal: counts per
        record type, then the changed and conflicting keys (at most :data:`KEYS_LISTED`
        per type), what was replaced, notes, warnings and problems."""
        dry = not self.applied
        out = ["Dry run: nothing was saved." if dry else "Import complete."]
        names = [
            n
            for n in RECORD_LISTS
            if n in self.added or n in self.changed or n in self.conflicting or n in self.unchanged
        ]
        out += [
            f"  {list_label(n)}: {len(self.added.get(n, [])):,} added, "
            f"{len(self.changed.get(n, [])):,} changed, "
            f"{len(self.conflicting.get(n, [])):,} conflicting, "
            f"{self.unchanged.get(n, 0):,} unchanged"
            for n in names
        ]
        if not names:
            out.append("  no records")
        replace = "will replace" if dry else "replaced"
        changed = sum(len(v) for v in self.changed.values())
        conflicting = sum(len(v) for v in self.conflicting.values())
        if changed:
            out.append(
                f"Changed ({changed:,}; same record, other values; the file's version "
                f"{replace} the workspace's):"
            )
            out += _key_lines(self.changed)
        if conflicting:
            out.append(
                f"Conflicting ({conflicting:,}; the key names another record, or edits "
                f"milestones of an active process version; the file's version {replace} "
                "the workspace's):"
            )
            out += _key_lines(self.conflicting)
        if self.settings_changed:
            if dry:
                out.append(
                    "Workspace settings differ from the file's (taken from a whole-workspace "
                    "bundle or into an empty workspace)."
                )
            elif self.settings_applied:
                out.append("Workspace settings replaced by the file's.")
        if self.skipped_rows:
            out.append(f"Bad rows skipped: {self.skipped_rows:,}")
        if self.skipped_files:
            out.append(f"Files skipped: {len(self.skipped_files):,}")
            out += [f"  {n}" for n in self.skipped_files]
        if self.missing_files:
            out.append(f"Files named by the plan but missing: {len(self.missing_files):,}")
            out += [f"  {n}" for n in self.missing_files]
        if self.notes:
            out.append("Notes:")
            out += [f"  {n}" for n in self.notes]
        if self.warnings:
            out.append(_plural(len(self.warnings), "warning") + ":")
            out += [f"  {w}" for w in self.warnings]
        if self.problems:
            out.append(_plural(len(self.problems), "problem") + ":")
            out += [f"  {p}" for p in self.problems]
        if not dry and (changed or conflicting):
            parts = [
                f"{n:,} {label}"
                for n, label in ((changed, "changed"), (conflicting, "conflicting"))
                if n
            ]
            out.append(
                f"Replaced {_plural(changed + conflicting, 'existing record')} with the "
                f"file's version ({', '.join(parts)}; listed above)."
            )
        return out


def _existing(workspace: Workspace, records: RecordSet) -> dict[str, dict[str, Any]]:
    """Workspace records with the keys of the incoming ones, per list."""
    out: dict[str, dict[str, Any]] = {}
    with workspace.session() as session:
        need_project = any(records.records(n) for n in RECORD_LISTS if n not in DATA_LISTS)
        if need_project:
            project = repository.load_project(session)
            metadata: dict[str, list[Any]] = {
                "business_hours": project.business_hours,
                "holidays": project.holidays,
                "milestone_types": project.milestone_types,
                "processes": project.processes,
                "templates": project.templates,
                "experiences": repository.load_experiences(session),
                "other_metadata_files": project.other_files,
            }
            for list_name, items in metadata.items():
                out[list_name] = {record_key(list_name, r): r for r in items}
        for list_name in DATA_LISTS:
            incoming = records.records(list_name)
            if incoming:
                ids = [r.id for r in incoming]
                found = repository.load_records(session, list_name, ids)
                out[list_name] = {r.id: r for r in found}
    return out


def _is_conflict(list_name: str, old: Any, new: Any) -> bool:
    if list_name in ("accounts", "products", "assets", "service_contracts", "entitlements"):
        return bool(old.name != new.name)
    if list_name == "contacts":
        return bool((old.last_name, old.first_name) != (new.last_name, new.first_name))
    if list_name == "processes":
        assert isinstance(old, EntitlementProcessVersion)
        # a version in use may gain milestones; editing or dropping one is refused
        kept = new.milestones[: len(old.milestones)]
        return bool(old.active) and kept != old.milestones
    return False


def preview_records(workspace: Workspace, records: RecordSet, source: str) -> ImportPreview:
    """Compare ``records`` with the workspace by external key."""
    preview = ImportPreview(source=source)
    existing = _existing(workspace, records)
    for list_name in RECORD_LISTS:
        incoming = records.records(list_name)
        if not incoming:
            continue
        have = existing.get(list_name, {})
        added: list[str] = []
        changed: list[str] = []
        conflicting: list[str] = []
        same = 0
        for record in incoming:
            key = record_key(list_name, record)
            old = have.get(key)
            if old is None:
                added.append(key)
            elif old == record:
                same += 1
            elif _is_conflict(list_name, old, record):
                conflicting.append(key)
            else:
                changed.append(key)
        if added:
            preview.added[list_name] = added
        if changed:
            preview.changed[list_name] = changed
        if conflicting:
            preview.conflicting[list_name] = conflicting
        if same:
            preview.unchanged[list_name] = same
    if records.settings is not None:
        preview.settings_changed = workspace.settings() != records.settings
    return preview


# --------------------------------------------------------------------------- apply


def _is_empty(workspace: Workspace) -> bool:
    counts = workspace.summary().counts
    return not any(counts.values())


def apply_records(
    workspace: Workspace,
    records: RecordSet,
    preview: ImportPreview,
    *,
    apply_settings: bool,
    progress: Progress | None = None,
) -> ImportPreview:
    """Write ``records`` into the workspace in one transaction (all or nothing).

    Data records are inserted or replaced by Id; metadata is merged by external key.
    A dangling reference or any other failure rolls everything back and raises
    :class:`InterchangeError` (the workspace file is then unchanged)."""
    metadata_lists = [n for n in RECORD_LISTS if n not in DATA_LISTS]
    has_metadata = any(records.records(n) for n in metadata_lists if n != "experiences")
    total = len(DATA_LISTS) + 1
    try:
        with workspace.unit_of_work() as session:
            if apply_settings and records.settings is not None:
                repository.save_settings(session, records.settings)
                preview.settings_applied = True
            if has_metadata or (apply_settings and records.project is not None):
                project = _metadata_project(records, apply_settings)
                if not apply_settings:  # save_project also writes these: keep the workspace's
                    current = repository.load_project(session)
                    project.api_version = current.api_version
                    project.layout, project.root = current.layout, current.root
                result = repository.save_project(session, project)
                preview.warnings.extend(result.warnings)
            if records.experiences:
                repository.save_experiences(session, records.experiences)
            if progress:
                progress(1, total, "setup")
            for done, list_name in enumerate(DATA_LISTS, start=2):
                items = records.records(list_name)
                if not items:
                    continue
                if list_name in preview.added and not (
                    preview.changed.get(list_name)
                    or preview.conflicting.get(list_name)
                    or preview.unchanged.get(list_name)
                ):
                    repository.save_records(session, list_name, items)
                else:
                    repository.upsert_records(session, list_name, items)
                if progress:
                    progress(done, total, list_name)
    except IntegrityError as exc:
        preview.settings_applied = False
        reason = str(exc.orig)
        if "FOREIGN KEY" in reason.upper():
            reason = "records refer to records that are neither in the file nor in the workspace"
        # the caller names the source
        raise InterchangeError("", f"cannot be stored ({reason}); nothing was imported") from None
    preview.applied = True
    return preview


def _metadata_project(records: RecordSet, apply_settings: bool) -> MetadataProject:
    project = MetadataProject(
        processes=records.processes,
        milestone_types=records.milestone_types,
        templates=records.templates,
        business_hours=records.business_hours,
        holidays=records.holidays,
        other_files=records.other_metadata_files,
    )
    if apply_settings:
        if records.settings is not None:
            project.entitlement_settings = records.settings.entitlement_settings
            project.business_hours_settings_unknown = list(
                records.settings.business_hours_settings_unknown
            )
            project.api_version = records.settings.metadata_api_version
        if records.project is not None:
            project.layout = records.project.layout
            project.root = records.project.root
            project.business_hours_settings_present = (
                records.project.business_hours_settings_present
            )
    return project


# --------------------------------------------------------------------------- bundle import


def preview_bundle(
    workspace: Workspace, source: Path, limits: BundleLimits | None = None
) -> tuple[ImportPreview, RecordSet, BundleManifest]:
    """Read and verify the bundle, and compare it with the workspace (nothing written).
    References to records neither in the bundle nor in the workspace are listed in
    ``problems`` (the import refuses them)."""
    loaded = read_bundle(Path(source), limits)
    preview = preview_records(workspace, loaded.records, Path(source).name)
    preview.warnings.extend(loaded.warnings)
    with workspace.session() as session:
        preview.problems = reference_problems(
            loaded.records, lambda name: repository.existing_ids(session, name)
        )
    return preview, loaded.records, loaded.manifest


def check_bundle(source: Path, limits: BundleLimits | None = None) -> LoadedBundle:
    """Read and verify the bundle on its own, as an import into a new (empty) workspace
    would: raises :class:`InterchangeError` (or :class:`ImportProblemsError`) before the
    caller creates anything."""
    loaded = read_bundle(Path(source), limits)
    problems = reference_problems(loaded.records, None)
    if problems:
        raise ImportProblemsError(problems)
    return loaded


def import_bundle(
    workspace: Workspace,
    source: Path,
    *,
    dry_run: bool = False,
    limits: BundleLimits | None = None,
    progress: Progress | None = None,
) -> ImportPreview:
    """Import a bundle: everything or, on any error, nothing. Workspace settings (setup
    model, settings files) are taken from the bundle when the workspace is empty or the
    bundle is of a whole workspace; otherwise they are kept, with a warning.
    A reference to a record neither in the bundle nor in the workspace raises
    :class:`ImportProblemsError` naming each (also on a dry run)."""
    preview, records, manifest = preview_bundle(workspace, source, limits)
    if preview.problems:
        raise ImportProblemsError(preview.problems)
    if dry_run:
        return preview
    apply_settings = manifest.scope == "workspace" or _is_empty(workspace)
    if preview.settings_changed and not apply_settings:
        preview.warnings.append(
            "workspace settings kept: the bundle holds only part of a workspace"
        )
    return apply_records(
        workspace, records, preview, apply_settings=apply_settings, progress=progress
    )
