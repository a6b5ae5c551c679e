"""sf CLI data-tree JSON (``sf data import tree --plan``) in and out.

A plan file is a JSON array of ``{"sobject", "saveRefs", "resolveRefs", "files": [...]}``;
each record file is ``{"records": [{"attributes": {"type", "referenceId"}, Field: value}]}``
and a value ``"@someRef"`` refers to the record with that ``referenceId``.

Reading uses the object columns of :mod:`dataloader_csv` (same names, same rules). The
record id is the ``referenceId`` (stable across re-reads, written back as the
referenceId), else the ``Id`` field. Plan entries of other objects (Case, Task, ...) are
skipped and listed; files a plan names that are not there are listed in ``missing_files``
and the rest is imported: a reference into a missing file (or into an object no file of
the import holds) leaves an optional field unlinked with a warning, the ``@ref`` kept in
``custom_fields`` for a later export, and makes the record bad only when the field is
required.
Problems carry the file, the 1-based record number as ``line`` and the field as element.

Writing (:func:`write_data_tree`): ``plan.json`` plus ``<Object>.json`` per non-empty list,
in dependency order, for ``sf data import tree --plan``. A referenceId may hold only letters,
digits and ``_``: a record keeps its id as referenceId when it is one (``accountRef1``, a
Salesforce Id), so that a re-import finds the same records; others get ``<Object>Ref<n>``
(``AccountRef1``, as ``sf data export tree`` names them). References are ``@`` + the
referenceId. ``sf`` resolves a reference into the *same* file only for ``@<Object>Ref<n>``
names, so records that refer to records of their own object (child accounts, service
contracts, line items) go into later files of the same object (``Account.2.json``) than
the records they refer to: every reference points into an earlier file. Standard values
are JSON numbers/booleans by their type; a custom value that is exactly a JSON number or
``true``/``false`` (what a data-tree import stores for them) is written as one again. A
reference to a record outside the export is written as its Salesforce Id when it has one,
else left out and reported; a reference kept as written on import (into a file that was
not imported) is written back and reported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from entitle_desktop.interchange.dataloader_csv import (
    OBJECTS,
    SPEC_BY_SOBJECT,
    Column,
    DataImport,
    Lookup,
    ObjectSpec,
    RawRow,
    RecordBuilder,
    _Pending,
    is_salesforce_id,
    write_documents_atomically,
)
from entitle_desktop.interchange.errors import InterchangeError
from entitle_desktop.interchange.record_set import RecordSet
from entitle_desktop.interchange.safe_source import SourceLimits, iter_source_files

__all__ = [
    "data_tree_documents",
    "find_plan",
    "read_data_tree",
    "read_data_tree_files",
    "write_data_tree",
]


def _json(file: str, payload: bytes) -> Any:
    try:
        return json.loads(payload.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InterchangeError(
            file, f"not valid JSON ({exc})", line=getattr(exc, "lineno", None)
        ) from None


def _is_plan(doc: Any) -> bool:
    return (
        isinstance(doc, list)
        and bool(doc)
        and all(isinstance(e, dict) and "sobject" in e and "files" in e for e in doc)
    )


def find_plan(files: Mapping[str, bytes]) -> str | None:
    """The path of the plan among ``files`` (a JSON array of sobject/files entries)."""
    candidates = sorted(files, key=lambda p: ("plan" not in p.lower(), p))
    for path in candidates:
        if path.lower().endswith(".json"):
            try:
                doc = json.loads(files[path].decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue
            if _is_plan(doc):
                return path
    return None


def _cell(value: Any) -> str | None:
    """A JSON value as the text a CSV cell would hold; None for null/empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return value.strip() or None
    return json.dumps(value, ensure_ascii=False)


def read_data_tree_files(
    files: Mapping[str, bytes],
    *,
    plan: str | None = None,
    lookup: Lookup | None = None,
    skip_bad_rows: bool = False,
) -> DataImport:
    """Read a data-tree plan and its record files (path -> content, '/' separators).

    Without a plan, every ``.json`` holding ``{"records": [...]}`` is read, in object order.
    """
    builder = RecordBuilder(lookup, skip_bad_rows)
    result = builder.result
    plan = plan or find_plan(files)
    entries: list[tuple[str, str]] = []  # (sobject as named, file path)
    if plan is not None:
        doc = _json(plan, files[plan])
        if not _is_plan(doc):
            raise InterchangeError(plan, "not a data-tree plan (an array of sobject/files entries)")
        base = PurePosixPath(plan).parent
        for i, entry in enumerate(doc):
            names = entry.get("files")
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise InterchangeError(
                    plan, "files must be a list of names", element=f"[{i}].files"
                )
            for name in names:
                entries.append(
                    (str(entry["sobject"]), (base / name).as_posix() if str(base) != "." else name)
                )
    else:
        for path in sorted(files):
            if path.lower().endswith(".json"):
                entries.append(("", path))
    missing_objects: set[str] = set()
    for sobject, path in entries:
        if path not in files:
            result.missing_files.append(path)
            spec = SPEC_BY_SOBJECT.get(sobject.lower())
            if spec is not None:
                missing_objects.add(spec.list_name)
    loaded: list[tuple[ObjectSpec, RawRow]] = []
    for sobject, path in entries:
        if path not in files:
            continue
        doc = _json(path, files[path])
        records = doc.get("records") if isinstance(doc, dict) else None
        if not isinstance(records, list):
            if plan is None:
                continue
            raise InterchangeError(path, "expected an object with a 'records' array")
        spec = SPEC_BY_SOBJECT.get(sobject.lower()) if sobject else None
        if spec is None and not sobject and records:
            first = records[0]
            attrs = first.get("attributes") if isinstance(first, dict) else None
            type_name = attrs.get("type") if isinstance(attrs, dict) else None
            spec = SPEC_BY_SOBJECT.get(str(type_name).lower()) if type_name else None
            sobject = str(type_name or "")
        if spec is None:
            result.skipped_files.append(
                f"{path}: {sobject or 'unknown object'} is not a record type Entitle Desktop imports"
            )
            continue
        result.objects[path] = spec.sobject
        loaded.extend(_raw_rows(path, records, spec))
    # a reference into an object no file of the import holds cannot be checked here:
    # like one into a missing file (optional: kept as written; required: a bad record)
    missing_objects |= {s.list_name for s in OBJECTS} - {spec.list_name for spec, _ in loaded}
    order = {s.list_name: i for i, s in enumerate(OBJECTS)}
    for spec, raw in sorted(loaded, key=lambda item: order[item[0].list_name]):
        builder.add(spec, raw, _reference_reader(raw, missing_objects))
    return builder.finish()


def _raw_rows(path: str, records: list[Any], spec: ObjectSpec) -> list[tuple[ObjectSpec, RawRow]]:
    """The rows of a record file, nested child records included (``"Contacts": {"records":
    [...]}`` as ``sf data export tree`` writes without a plan): a child refers to its parent
    through its first lookup to the parent's object. Records are numbered in document order,
    children counted."""
    rows: list[tuple[ObjectSpec, RawRow]] = []

    def visit(record: Any, spec: ObjectSpec, parent: tuple[ObjectSpec, str] | None) -> None:
        raw = RawRow(path, len(rows) + 1, {}, row_label="record")
        rows.append((spec, raw))
        if not isinstance(record, dict):
            raw.issues.append((None, "a record must be a JSON object"))
            return
        attrs = record.get("attributes")
        if isinstance(attrs, dict):
            type_name = attrs.get("type")
            if (
                type_name is not None
                and str(type_name).lower() != spec.sobject.lower()
                and not (spec.sobject == "Product2" and str(type_name).lower() == "product")
            ):
                raw.issues.append(("attributes.type", f"type {type_name} in a {spec.sobject} file"))
            ref = attrs.get("referenceId")
            if isinstance(ref, str) and ref:
                raw.reference_id = ref
        children: list[tuple[ObjectSpec, Any]] = []
        for key, value in record.items():
            if key == "attributes":
                continue
            if isinstance(value, dict) and isinstance(value.get("records"), list):
                for child in value["records"]:
                    child_attrs = child.get("attributes") if isinstance(child, dict) else None
                    child_type = child_attrs.get("type") if isinstance(child_attrs, dict) else None
                    child_spec = (
                        SPEC_BY_SOBJECT.get(str(child_type).lower()) if child_type else None
                    )
                    if child_spec is None:
                        raw.issues.append(
                            (key, f"nested {child_type or 'untyped'} records are not imported")
                        )
                        break
                    children.append((child_spec, child))
                continue
            text = _cell(value)
            if text is not None:
                raw.cells[key] = text
        if parent is not None:
            parent_spec, parent_ref = parent
            link = next(
                (c for c in spec.columns if c.kind == "ref" and c.target == parent_spec.list_name),
                None,
            )
            if link is not None and not any(k.lower() == link.api_name.lower() for k in raw.cells):
                raw.cells[link.api_name] = f"@{parent_ref}"
        if children:
            if raw.reference_id is None:
                raw.reference_id = f"{spec.sobject}:{PurePosixPath(path).stem}:{raw.row}"
            for child_spec, child in children:
                visit(child, child_spec, (spec, raw.reference_id))

    for record in records:
        visit(record, spec, None)
    return rows


def _reference_reader(raw: RawRow, missing_objects: set[str]) -> Any:
    def read(text: str, column: Column) -> _Pending | None:
        if not text.startswith("@"):
            return None
        assert column.target is not None
        dangling_ok = column.target in missing_objects and not column.required
        return _Pending(column.attr, column.target, "Id", text[1:], column.api_name, dangling_ok)

    return read


def read_data_tree(
    source: Path,
    *,
    lookup: Lookup | None = None,
    skip_bad_rows: bool = False,
    limits: SourceLimits | None = None,
) -> DataImport:
    """Read a plan file, or a folder/zip holding a plan (or bare record files)."""
    source = Path(source)
    limits = limits or SourceLimits()
    if source.is_file() and source.suffix.lower() == ".json":
        folder = source.parent
        files = {
            f.path: f.read()
            for f in iter_source_files(folder, limits)
            if f.path.lower().endswith(".json") and "/" not in f.path
        }
        return read_data_tree_files(
            files, plan=source.name, lookup=lookup, skip_bad_rows=skip_bad_rows
        )
    files = {
        f.path: f.read()
        for f in iter_source_files(source, limits)
        if f.path.lower().endswith(".json")
    }
    return read_data_tree_files(files, lookup=lookup, skip_bad_rows=skip_bad_rows)


# --------------------------------------------------------------------------- writing


def _json_value(column: Column, value: Any) -> Any:
    if column.kind == "date":
        return value.isoformat()
    if column.kind == "float" and float(value).is_integer():
        return int(value)
    return value


_JSON_INT_RE = re.compile(r"-?(?:0|[1-9]\d{0,14})\Z")
_JSON_DECIMAL_RE = re.compile(r"-?(?:0|[1-9]\d*)\.\d+\Z")


def _custom_json(text: str) -> Any:
    """A custom value as JSON: a number or boolean when the text is exactly one (what a
    data-tree import makes of ``46228`` or ``true``), else the text."""
    if text in ("true", "false"):
        return text == "true"
    if _JSON_INT_RE.match(text):
        return int(text)
    if _JSON_DECIMAL_RE.match(text) and len(text) <= 17:
        number = float(text)
        if json.dumps(number) == text:
            return number
    return text


_REFERENCE_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]*\Z")


def reference_ids(records: RecordSet) -> dict[tuple[str, str], str]:
    """(list name, record id) -> the record's referenceId, unique across the export: the
    id itself when it is a valid referenceId (letters, digits and ``_``, as ``A1``,
    ``accountRef1`` or a Salesforce Id), else ``<Object>Ref<n>``."""
    out: dict[tuple[str, str], str] = {}
    used: set[str] = set()
    ids = {r.id for spec in OBJECTS for r in records.records(spec.list_name)}
    for spec in OBJECTS:
        number = 0
        for record in records.records(spec.list_name):
            key = (spec.list_name, record.id)
            if key in out:
                continue
            if _REFERENCE_ID_RE.match(record.id) and record.id not in used:
                ref = record.id
            else:
                number += 1
                while f"{spec.sobject}Ref{number}" in used or f"{spec.sobject}Ref{number}" in ids:
                    number += 1
                ref = f"{spec.sobject}Ref{number}"
            out[key] = ref
            used.add(ref)
    return out


def _layers(spec: ObjectSpec, items: list[Any]) -> list[list[Any]]:
    """``items`` in files of increasing depth, so that a record refers to records of its
    own object (a parent account) only in earlier files: ``sf data import tree`` resolves
    a reference into the same file only for ``@<Object>Ref<n>`` names, and into an
    earlier file for any. A cycle (not possible in Salesforce) goes in the last file."""
    own = [c.attr for c in spec.columns if c.kind == "ref" and c.target == spec.list_name]
    if not own:
        return [items]
    by_id = {r.id: r for r in items}
    depth: dict[str, int] = {}

    def depth_of(record: Any, trail: set[str]) -> int:
        if record.id in depth:
            return depth[record.id]
        if record.id in trail:
            return len(items)  # a cycle
        parents = [by_id[v] for a in own if (v := getattr(record, a)) in by_id]
        found = 1 + max((depth_of(p, trail | {record.id}) for p in parents), default=-1)
        depth[record.id] = found
        return found

    layers: dict[int, list[Any]] = {}
    for record in items:
        layers.setdefault(min(depth_of(record, set()), len(items)), []).append(record)
    return [layers[d] for d in sorted(layers)]


def data_tree_documents(records: RecordSet, warnings: list[str] | None = None) -> dict[str, bytes]:
    """``plan.json`` and ``<Object>.json`` for every non-empty data list of ``records``.
    References that cannot be linked (see module) are appended to ``warnings``."""
    plan: list[dict[str, Any]] = []
    out: dict[str, bytes] = {}
    refs = reference_ids(records)
    unlinked: dict[tuple[str, str], list[str]] = {}  # (file, field) -> values
    kept: dict[tuple[str, str], list[str]] = {}
    for spec in OBJECTS:
        items = records.records(spec.list_name)
        if not items:
            continue
        layers = _layers(spec, items)
        names = [
            f"{spec.sobject}.json" if i == 0 else f"{spec.sobject}.{i + 1}.json"
            for i in range(len(layers))
        ]
        plan.append(
            {"sobject": spec.sobject, "saveRefs": True, "resolveRefs": True, "files": names}
        )
        for file_name, layer in zip(names, layers, strict=True):
            out[file_name] = _records_file(spec, file_name, layer, refs, unlinked, kept)
    out["plan.json"] = (json.dumps(plan, indent=2) + "\n").encode()
    notes: list[str] = []
    for (file_name, field_name), values in unlinked.items():
        count = len(values)
        notes.append(
            f"{file_name}: {count} {field_name} reference{'s' if count != 1 else ''} left out: "
            f"the record{'s are' if count != 1 else ' is'} not in the export and "
            f"{'have' if count != 1 else 'has'} no Salesforce Id (first: {values[0]!r})"
        )
    for (file_name, field_name), values in kept.items():
        count = len(values)
        notes.append(
            f"{file_name}: {count} {field_name} reference{'s' if count != 1 else ''} kept as "
            f"imported ({', '.join(dict.fromkeys(values))}): the file that holds "
            f"{'them' if count != 1 else 'it'} was not imported; sf data import tree "
            "needs it"
        )
    if warnings is not None:
        warnings.extend(notes)
    return out


def _records_file(
    spec: ObjectSpec,
    file_name: str,
    items: list[Any],
    refs: Mapping[tuple[str, str], str],
    unlinked: dict[tuple[str, str], list[str]],
    kept: dict[tuple[str, str], list[str]],
) -> bytes:
    """One record file; references that cannot be linked are added to ``unlinked``,
    references kept as imported to ``kept`` (by file and field)."""
    docs: list[dict[str, Any]] = []
    record: Any
    for record in items:
        doc: dict[str, Any] = {
            "attributes": {"type": spec.sobject, "referenceId": refs[(spec.list_name, record.id)]}
        }
        custom: dict[str, str] = getattr(record, "custom_fields", {})
        person = spec.list_name == "accounts" and any(k.lower() == "lastname" for k in custom)
        for column in spec.columns:
            if column.kind == "id" or (person and column.api_name == "Name"):
                continue
            value = getattr(record, column.attr)
            if value is None or (
                column.kind == "bool" and value is False and column.attr == "is_per_incident"
            ):
                continue
            if column.kind == "ref":
                assert column.target is not None
                ref = refs.get((column.target, value))
                if ref is not None:
                    doc[column.api_name] = f"@{ref}"
                elif is_salesforce_id(value):
                    doc[column.api_name] = value  # a record already in the org
                else:
                    unlinked.setdefault((file_name, column.api_name), []).append(value)
                continue
            doc[column.api_name] = _json_value(column, value)
        for key, value in custom.items():
            if key in doc:
                continue
            if value.startswith("@") and any(
                c.kind == "ref" and c.api_name.lower() == key.lower() for c in spec.columns
            ):
                kept.setdefault((file_name, key), []).append(value)  # see read_data_tree
                doc[key] = value
                continue
            doc[key] = _custom_json(value)
        docs.append(doc)
    return (json.dumps({"records": docs}, indent=2, ensure_ascii=False) + "\n").encode()


def write_data_tree(records: RecordSet, folder: Path) -> list[Path]:
    """Write a data-tree plan and record files into ``folder``; returns the files."""
    return write_documents_atomically(Path(folder), data_tree_documents(records))
