"""Data Loader CSV and sf CLI data-tree import/export over a workspace.

Import reads the files (see :mod:`entitle_desktop.interchange.dataloader_csv` and
:mod:`~entitle_desktop.interchange.datatree`), resolving references that point outside
the files against the workspace, shows a preview by Id, and applies all or nothing through
:func:`entitle_desktop.services.bundle_io.apply_records`. With any bad row nothing is
imported (:class:`BadRowsError`, listing each row and column) unless ``skip_bad_rows``.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from entitle_desktop.interchange.dataloader_csv import (
    SPEC_BY_LIST,
    DataImport,
    csv_documents,
    read_csv_source,
    write_documents_atomically,
)
from entitle_desktop.interchange.datatree import data_tree_documents, read_data_tree
from entitle_desktop.interchange.errors import InterchangeError
from entitle_desktop.interchange.record_set import RecordSet
from entitle_desktop.persistence import repository
from entitle_desktop.services import export_target
from entitle_desktop.services.bundle_io import (
    ImportPreview,
    Progress,
    apply_records,
    collect_records,
    preview_records,
)
from entitle_desktop.services.workspace import Workspace

__all__ = [
    "BadRowsError",
    "check_data_source",
    "data_source_kind",
    "export_data",
    "import_data",
    "preview_data",
]

_METADATA_MARKERS = (
    "package.xml",
    "sfdx-project.json",
    ".entitlementprocess",
    ".milestonetype",
    ".entitlementtemplate",
    ".settings",
    "-meta.xml",
)


class BadRowsError(InterchangeError):
    """Rows that cannot be imported; ``problems`` lists each (file, row, column)."""

    def __init__(self, source: str, problems: Sequence[InterchangeError]) -> None:
        shown = "\n".join(f"  {p}" for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(
            "",  # about the whole source: the caller names it
            f"{len(problems)} bad row(s); nothing was imported "
            f"(fix them or choose to skip bad rows):\n{shown}{more}",
        )
        self.problems = list(problems)
        self.source = source


def _names_in(source: Path) -> list[str]:
    if source.is_dir():
        return [p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file()]
    if zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            return archive.namelist()
    return [source.name]


def _looks_like_plan(payload: bytes) -> bool:
    try:
        doc = json.loads(payload.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return (
        isinstance(doc, list)
        and bool(doc)
        and all(isinstance(e, dict) and "sobject" in e and "files" in e for e in doc)
    )


def data_source_kind(source: Path) -> str | None:
    """``"csv"`` (a .csv file, or a folder/zip of CSVs), ``"datatree"`` (a plan file, or a
    folder holding one), or None (not data: e.g. a metadata project or a bundle)."""
    source = Path(source)
    suffix = source.suffix.lower()
    if source.is_file():
        if suffix == ".csv":
            return "csv"
        if suffix == ".json":
            return "datatree" if _looks_like_plan(source.read_bytes()[: 4 << 20]) else None
        if not zipfile.is_zipfile(source) or suffix == ".entitlebundle":
            return None
    elif not source.is_dir():
        return None
    names = [n.lower() for n in _names_in(source)]
    if any(n.endswith(m) for n in names for m in _METADATA_MARKERS):
        return None
    if source.is_dir():
        for path in sorted(source.rglob("*.json")):
            if (
                path.is_file()
                and path.stat().st_size < (4 << 20)
                and _looks_like_plan(path.read_bytes())
            ):
                return "datatree"
    elif any(n.endswith("plan.json") for n in names):
        return "datatree"
    if any(n.endswith(".csv") for n in names):
        return "csv"
    return None


class _WorkspaceLookup:
    """Finds workspace records for references the files do not satisfy (lazily indexed)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._ids: dict[str, set[str]] = {}
        self._by_field: dict[tuple[str, str], dict[str, str]] = {}

    def __call__(self, list_name: str, field_name: str, value: str) -> str | None:
        low = field_name.lower()
        if low == "id":
            ids = self._ids.get(list_name)
            if ids is None:
                with self.workspace.session() as session:
                    ids = repository.existing_ids(session, list_name)
                self._ids[list_name] = ids
            return value if value in ids else None
        index = self._by_field.get((list_name, low))
        if index is None:
            index = {}
            spec = SPEC_BY_LIST[list_name]
            attr = next((c.attr for c in spec.columns if c.api_name.lower() == low), None)
            with self.workspace.session() as session:
                for record in repository.load_records(session, list_name):
                    if attr is not None:
                        found = getattr(record, attr)
                    else:
                        custom: dict[str, str] = getattr(record, "custom_fields", {})
                        found = next((v for k, v in custom.items() if k.lower() == low), None)
                    if isinstance(found, str):
                        index.setdefault(found, record.id)
            self._by_field[(list_name, low)] = index
        return index.get(value)


def read_data(workspace: Workspace, source: Path, *, skip_bad_rows: bool = False) -> DataImport:
    """Read a CSV or data-tree source, resolving outside references in the workspace."""
    source = Path(source)
    kind = data_source_kind(source)
    lookup = _WorkspaceLookup(workspace)
    if kind == "datatree":
        return read_data_tree(source, lookup=lookup, skip_bad_rows=skip_bad_rows)
    if kind == "csv":
        return read_csv_source(source, lookup=lookup, skip_bad_rows=skip_bad_rows)
    raise InterchangeError(source.name, "neither Data Loader CSV files nor a data-tree plan")


def check_data_source(source: Path, *, skip_bad_rows: bool = False) -> DataImport:
    """Read a CSV or data-tree source on its own (no workspace: every reference must be
    satisfied by the files). For a caller about to create a new workspace: raises
    :class:`BadRowsError` or :class:`InterchangeError` before anything is created."""
    source = Path(source)
    kind = data_source_kind(source)
    if kind == "datatree":
        data = read_data_tree(source, skip_bad_rows=skip_bad_rows)
    elif kind == "csv":
        data = read_csv_source(source, skip_bad_rows=skip_bad_rows)
    else:
        raise InterchangeError(source.name, "neither Data Loader CSV files nor a data-tree plan")
    if data.problems and not skip_bad_rows:
        raise BadRowsError(source.name, data.problems)
    return data


def preview_data(
    workspace: Workspace, source: Path, *, skip_bad_rows: bool = False
) -> tuple[ImportPreview, RecordSet]:
    """What importing ``source`` would do; problems are listed in the preview."""
    data = read_data(workspace, source, skip_bad_rows=skip_bad_rows)
    preview = preview_records(workspace, data.records, Path(source).name)
    preview.problems = list(data.problems)
    preview.warnings.extend(data.warnings)
    preview.missing_files = list(data.missing_files)
    preview.skipped_files = list(data.skipped_files)
    preview.skipped_rows = data.skipped_rows
    preview.notes = [f"{file}: read as {sobject}" for file, sobject in data.objects.items()]
    return preview, data.records


def import_data(
    workspace: Workspace,
    source: Path,
    *,
    skip_bad_rows: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportPreview:
    """Import CSVs or a data-tree plan: all or nothing. Raises :class:`BadRowsError` when a
    row is bad and ``skip_bad_rows`` is false (the workspace is then unchanged)."""
    preview, records = preview_data(workspace, source, skip_bad_rows=skip_bad_rows)
    if preview.problems and not skip_bad_rows:
        raise BadRowsError(Path(source).name, preview.problems)
    if dry_run:
        return preview
    return apply_records(workspace, records, preview, apply_settings=False, progress=progress)


def export_data(
    workspace: Workspace,
    out: Path,
    *,
    format: str = "csv",
    account: str | None = None,
    warnings: list[str] | None = None,
) -> list[Path]:
    """Write the workspace's data records (or one account's hierarchy) into the folder
    ``out``: Data Loader CSVs (``format="csv"``) or a data-tree plan (``"datatree"``).

    ``out`` and its missing parents are created (and removed again if writing fails);
    other files in ``out`` are kept. ``out`` naming a file, or a failure to write, raises
    :class:`~entitle_desktop.services.export_target.ExportTargetError`. What the files
    cannot carry (references that are left empty, or kept as written) is appended to
    ``warnings`` when given."""
    if format not in ("csv", "datatree"):
        raise ValueError(f"unknown data format {format!r} (csv or datatree)")
    out = Path(out)
    export_target.check_data_folder(out)
    records, _ = collect_records(workspace, account=account)
    notes: list[str] = []
    if format == "csv":
        documents = csv_documents(records, notes)
    else:
        documents = data_tree_documents(records, notes)
    if warnings is not None:
        warnings.extend(notes)
    with export_target.writing(out, folder=True):
        return write_documents_atomically(out, documents)


def describe(preview: ImportPreview) -> dict[str, Any]:
    """The preview as JSON-ready data (for the command line)."""
    return preview.to_json_dict()
