"""Data Loader CSV files in and out, for the eight data objects of domain.md.

Objects and their Salesforce column names (:data:`OBJECTS`): Account, Contact, Product2,
Asset, ServiceContract, ContractLineItem, Entitlement, EntitlementContact. Column names are
matched without regard to case, as Salesforce does.

Reading (:func:`read_csv_files`, :func:`read_csv_source`):

* The object of a file comes from its name (the last object name in it: ``CaseAssets.csv``
  is Asset, ``EntitlementContacts.csv`` is EntitlementContact), else from its columns; a
  file of another object (Case, Task, ...) is skipped and listed.
* The record id is the ``Id`` cell; without one, the record's external id (a column named
  like ``External_ID__c``); without either, ``<Object>:<file>:<row>`` (stable across re-reads).
* References: an Id column (``AccountId``), or a relationship column naming a field of the
  parent (``Account.External_ID__c``, ``Parent.Name``). They resolve to records of the same
  import, else through the caller's ``lookup`` (the workspace), else the row is bad.
  ``BusinessHoursId`` / ``BusinessHours.Name`` and ``SlaProcessId`` / ``SlaProcess.Name``
  hold names (the workspace refers to business hours and processes by name).
* Every other column (``Support_Level__c``, ``Industry``, ``Owner.Email`` ...) is kept in
  ``custom_fields`` (non-empty cells) and written back on export.
* A bad cell is a problem with its row number (as a spreadsheet shows it: the header is row
  1) and column. With any problem nothing is returned unless ``skip_bad_rows``; then bad
  rows, and rows that refer to them, are left out and counted.
* A cell our export neutralised (``'=`` ``'+`` ``'-`` ``'@``) is read back without the quote.

Writing (:func:`write_csv_files`): one ``<Object>.csv`` per non-empty list, UTF-8, header of
Salesforce names, ``BusinessHours.Name`` / ``SlaProcess.Name`` / ``SlaProcess.VersionNumber``
for the named ones, custom columns after the standard ones. Files are meant for Data
Loader, so the ``Id`` column holds only real Salesforce Ids (15 or 18 characters, see
:func:`is_salesforce_id`; empty for records that came in keyed by an external id or a
data-tree referenceId), and a reference to such a record is written as the relationship
column of the parent's external id (``Account.External_ID__c``), as it was read; a
reference to a record with neither is left empty and reported.
Formula injection (OWASP): every cell beginning with ``=``, ``+``, ``-``, ``@``, tab or CR
is prefixed with a single quote, except a cell that is a plain number (``-53.78``, ``+5``):
a spreadsheet reads that as a number, never a formula, and quoting it would break numeric
fields on the way back into Salesforce.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

from entitle_desktop.interchange.errors import InterchangeError
from entitle_desktop.interchange.record_codec import illegal_xml_character
from entitle_desktop.interchange.record_set import DATA_LISTS, RECORD_LISTS, RecordSet
from entitle_desktop.interchange.safe_source import SourceLimits, iter_source_files

__all__ = [
    "OBJECTS",
    "DataImport",
    "Lookup",
    "ObjectSpec",
    "detect_object",
    "is_salesforce_id",
    "neutralise_cell",
    "read_csv_files",
    "read_csv_source",
    "write_csv_files",
]

#: ``lookup(list_name, field, value)``: the id of the workspace record of ``list_name``
#: whose ``field`` (a Salesforce name: ``Id``, ``Name``, ``External_ID__c`` ...) equals
#: ``value``, or None.
Lookup = Callable[[str, str, str], str | None]


@dataclass(frozen=True, slots=True)
class Column:
    api_name: str  # Salesforce column name
    attr: str  # record attribute
    kind: str  # id | str | int | float | bool | date | ref | name
    target: str | None = None  # list name a ref points at
    relationship: str | None = None  # relationship name of a ref (Account for AccountId)
    required: bool = False


@dataclass(frozen=True, slots=True)
class ObjectSpec:
    sobject: str
    list_name: str
    columns: tuple[Column, ...]
    aliases: tuple[str, ...]  # lower-case names a file of this object may carry
    signature: tuple[str, ...]  # lower-case columns that identify the object

    @property
    def cls(self) -> type:
        return RECORD_LISTS[self.list_name]


def _ref(api: str, attr: str, target: str, rel: str, required: bool = False) -> Column:
    return Column(api, attr, "ref", target, rel, required)


OBJECTS: tuple[ObjectSpec, ...] = (
    ObjectSpec(
        "Account",
        "accounts",
        (
            Column("Id", "id", "id"),
            Column("Name", "name", "str", required=True),
            _ref("ParentId", "parent_id", "accounts", "Parent"),
        ),
        ("account", "accounts"),
        ("parentid", "accountnumber", "billingcity", "industry", "annualrevenue"),
    ),
    ObjectSpec(
        "Contact",
        "contacts",
        (
            Column("Id", "id", "id"),
            Column("LastName", "last_name", "str", required=True),
            Column("FirstName", "first_name", "str"),
            Column("Email", "email", "str"),
            _ref("AccountId", "account_id", "accounts", "Account"),
        ),
        ("contact", "contacts"),
        ("lastname",),
    ),
    ObjectSpec(
        "Product2",
        "products",
        (
            Column("Id", "id", "id"),
            Column("Name", "name", "str", required=True),
            Column("ProductCode", "product_code", "str"),
        ),
        ("product", "products", "product2", "product2s"),
        ("productcode",),
    ),
    ObjectSpec(
        "Asset",
        "assets",
        (
            Column("Id", "id", "id"),
            Column("Name", "name", "str", required=True),
            Column("SerialNumber", "serial_number", "str"),
            _ref("AccountId", "account_id", "accounts", "Account"),
            _ref("ContactId", "contact_id", "contacts", "Contact"),
            _ref("Product2Id", "product_id", "products", "Product2"),
            Column("InstallDate", "install_date", "date"),
            Column("UsageEndDate", "usage_end_date", "date"),
        ),
        ("asset", "assets"),
        ("serialnumber", "installdate", "usageenddate"),
    ),
    ObjectSpec(
        "ServiceContract",
        "service_contracts",
        (
            Column("Id", "id", "id"),
            Column("Name", "name", "str", required=True),
            _ref("AccountId", "account_id", "accounts", "Account"),
            _ref("ContactId", "contact_id", "contacts", "Contact"),
            Column("StartDate", "start_date", "date"),
            Column("EndDate", "end_date", "date"),
            Column("Term", "term", "int"),
            Column("ApprovalStatus", "approval_status", "str"),
            _ref(
                "ParentServiceContractId",
                "parent_service_contract_id",
                "service_contracts",
                "ParentServiceContract",
            ),
            _ref(
                "RootServiceContractId",
                "root_service_contract_id",
                "service_contracts",
                "RootServiceContract",
            ),
        ),
        ("servicecontract", "servicecontracts"),
        ("approvalstatus", "parentservicecontractid", "rootservicecontractid"),
    ),
    ObjectSpec(
        "ContractLineItem",
        "contract_line_items",
        (
            Column("Id", "id", "id"),
            _ref(
                "ServiceContractId",
                "service_contract_id",
                "service_contracts",
                "ServiceContract",
                required=True,
            ),
            _ref("Product2Id", "product_id", "products", "Product2"),
            _ref("AssetId", "asset_id", "assets", "Asset"),
            Column("StartDate", "start_date", "date"),
            Column("EndDate", "end_date", "date"),
            Column("Quantity", "quantity", "float"),
            _ref(
                "ParentContractLineItemId",
                "parent_contract_line_item_id",
                "contract_line_items",
                "ParentContractLineItem",
            ),
            _ref(
                "RootContractLineItemId",
                "root_contract_line_item_id",
                "contract_line_items",
                "RootContractLineItem",
            ),
        ),
        ("contractlineitem", "contractlineitems", "lineitem", "lineitems"),
        ("quantity", "parentcontractlineitemid"),
    ),
    ObjectSpec(
        "Entitlement",
        "entitlements",
        (
            Column("Id", "id", "id"),
            Column("Name", "name", "str", required=True),
            _ref("AccountId", "account_id", "accounts", "Account", required=True),
            _ref("AssetId", "asset_id", "assets", "Asset"),
            _ref(
                "ServiceContractId", "service_contract_id", "service_contracts", "ServiceContract"
            ),
            _ref(
                "ContractLineItemId",
                "contract_line_item_id",
                "contract_line_items",
                "ContractLineItem",
            ),
            Column("Type", "type", "str"),
            Column("StartDate", "start_date", "date"),
            Column("EndDate", "end_date", "date"),
            Column("BusinessHours.Name", "business_hours", "name"),
            Column("SlaProcess.Name", "sla_process", "name"),
            Column("SlaProcess.VersionNumber", "sla_process_version", "int"),
            Column("IsPerIncident", "is_per_incident", "bool"),
            Column("CasesPerEntitlement", "cases_per_entitlement", "int"),
            Column("RemainingCases", "remaining_cases", "int"),
        ),
        ("entitlement", "entitlements"),
        ("slaprocessid", "slaprocess.name", "isperincident", "casesperentitlement"),
    ),
    ObjectSpec(
        "EntitlementContact",
        "entitlement_contacts",
        (
            Column("Id", "id", "id"),
            _ref("EntitlementId", "entitlement_id", "entitlements", "Entitlement", required=True),
            _ref("ContactId", "contact_id", "contacts", "Contact", required=True),
        ),
        ("entitlementcontact", "entitlementcontacts"),
        ("entitlementid",),
    ),
)

SPEC_BY_LIST: dict[str, ObjectSpec] = {s.list_name: s for s in OBJECTS}
SPEC_BY_SOBJECT: dict[str, ObjectSpec] = {s.sobject.lower(): s for s in OBJECTS}
SPEC_BY_SOBJECT["product"] = SPEC_BY_LIST["products"]

# Columns that mean the same as a standard column (Id-style forms of the named ones).
_ALIASES: dict[str, str] = {
    "businesshoursid": "businesshours.name",
    "slaprocessid": "slaprocess.name",
}
_EXTERNAL_ID_RE = re.compile(r"(^|_)ext(ernal)?_?id__c$", re.IGNORECASE)
_NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\Z")
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_US_DATE_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\Z")
_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})([T ].*)?\Z")


def is_external_id_column(name: str) -> bool:
    """Whether a column names an external id (``External_ID__c``, ``Ext_Id__c`` ...)."""
    return bool(_EXTERNAL_ID_RE.search(name))


# key prefix (3), instance (2), reserved "0", record number (9), case-safe suffix (3)
_SALESFORCE_ID_RE = re.compile(r"[a-zA-Z0-9]{5}0[a-zA-Z0-9]{9}(?:[a-zA-Z0-9]{3})?\Z")


def is_salesforce_id(value: str | None) -> bool:
    """Whether ``value`` has the shape of a Salesforce record Id: 15 or 18 letters and
    digits with the reserved sixth character 0 (``001Dm0000000000001``). External ids
    (UUIDs), data-tree referenceIds (``accountRef1``) and generated keys do not."""
    return bool(value) and bool(_SALESFORCE_ID_RE.match(value or ""))


def external_key(record: Any) -> tuple[str, str] | None:
    """(column, value) of the record's external id: the external-id custom field holding
    the record's id (the one it was keyed by on import), else the first one; None when
    it has none."""
    custom: dict[str, str] = getattr(record, "custom_fields", None) or {}
    found = [(k, v) for k, v in custom.items() if v and is_external_id_column(k)]
    for key, value in found:
        if value == record.id:
            return key, value
    return found[0] if found else None


# --------------------------------------------------------------------------- result


@dataclass(slots=True)
class DataImport:
    """What a read of Data Loader CSV or data-tree files produced.

    ``problems`` are bad rows (``file``, ``line`` = row or record number, ``element`` =
    column); when there are problems and bad rows were not to be skipped, ``records`` is
    empty. ``objects`` maps each file read to its object; ``skipped_files`` and
    ``missing_files`` say what was not read and why.
    """

    records: RecordSet = field(default_factory=RecordSet)
    problems: list[InterchangeError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    objects: dict[str, str] = field(default_factory=dict)
    skipped_files: list[str] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)
    skipped_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


# --------------------------------------------------------------------------- values


def _un_neutralise(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1] in _TRIGGERS:
        return value[1:]
    return value


def _illegal_text(value: object) -> str | None:
    """Why a cell cannot be held: a character XML 1.0 cannot carry (NUL, other control
    characters but tab/LF/CR), which no Salesforce export could write; None when fine."""
    if not isinstance(value, str) or value.isprintable():
        return None
    return illegal_xml_character(value)


def neutralise_cell(value: str) -> str:
    """The cell as written to a CSV: formula triggers prefixed with a quote (see module)."""
    if value and value[0] in _TRIGGERS and not _NUMBER_RE.match(value):
        return "'" + value
    return value


def _parse_date(text: str) -> date:
    iso = _ISO_DATE_RE.match(text)
    us = _US_DATE_RE.match(text)
    try:
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if us:
            return date(int(us.group(3)), int(us.group(1)), int(us.group(2)))
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a date (YYYY-MM-DD or M/D/YYYY)")


def _parse_int(text: str) -> int:
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None
    if not math.isfinite(number) or number != int(number):
        raise ValueError(f"{text!r} is not a whole number")
    return int(number)


def _parse_float(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{text!r} is not a number")
    return number


_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}


def _parse_bool(text: str) -> bool:
    low = text.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValueError(f"{text!r} is not true or false")


_PARSERS: dict[str, Callable[[str], Any]] = {
    "date": _parse_date,
    "int": _parse_int,
    "float": _parse_float,
    "bool": _parse_bool,
}


def _format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------- building records


@dataclass(slots=True)
class _Pending:
    """A reference to resolve once every record of the import is known."""

    attr: str
    target: str
    field: str  # "Id" or the parent's field named by a relationship column
    value: str
    column: str
    optional_missing_ok: bool = False  # data-tree: the target's file is missing


@dataclass(slots=True)
class RawRow:
    """One record as found in a file: location, and cells by column name."""

    file: str
    row: int  # CSV: spreadsheet row; data-tree: 1-based record number
    cells: dict[str, str]  # column name as in the file -> non-empty text
    reference_id: str | None = None  # data-tree referenceId
    row_label: str = "row"
    issues: list[tuple[str | None, str]] = field(default_factory=list)  # (column, message)


@dataclass(slots=True)
class _Built:
    raw: RawRow
    spec: ObjectSpec
    values: dict[str, Any]
    pending: list[_Pending]
    bad: bool = False


class RecordBuilder:
    """Turns raw rows of the eight objects into records, resolving references across
    the whole import (shared by the CSV and data-tree readers)."""

    def __init__(self, lookup: Lookup | None, skip_bad_rows: bool) -> None:
        self.lookup = lookup
        self.skip_bad_rows = skip_bad_rows
        self.result = DataImport()
        self._built: dict[str, list[_Built]] = {name: [] for name in DATA_LISTS}

    def problem(self, raw: RawRow, column: str | None, message: str) -> None:
        self.result.problems.append(
            InterchangeError(raw.file, message, line=raw.row, element=column)
        )

    def add(
        self,
        spec: ObjectSpec,
        raw: RawRow,
        references: Callable[[str, Column], _Pending | None] | None = None,
    ) -> None:
        """Parse one row; ``references`` may turn a ref cell into a pending reference
        (data-tree ``@ref`` cells); by default the cell holds an Id."""
        columns = {c.api_name.lower(): c for c in spec.columns}
        by_rel = {c.relationship.lower(): c for c in spec.columns if c.relationship}
        values: dict[str, Any] = {}
        custom: dict[str, str] = {}
        pending: list[_Pending] = []
        built = _Built(raw, spec, values, pending)
        external_id: str | None = None
        for column_name, message in raw.issues:
            self.problem(raw, column_name, message)
            built.bad = True
        if raw.reference_id and (why := _illegal_text(raw.reference_id)):
            self.problem(raw, "referenceId", f"the value contains {why}")
            built.bad = True
        for name, text in raw.cells.items():
            why = _illegal_text(name)
            if why is not None:
                self.problem(
                    raw, name.encode("unicode_escape").decode(), f"the name contains {why}"
                )
                built.bad = True
                continue
            why = _illegal_text(text)
            if why is not None:  # the row is refused; read on for no further complaints
                self.problem(raw, name, f"the value contains {why}")
                built.bad = True
            low = _ALIASES.get(name.lower(), name.lower())
            column = columns.get(low)
            if column is None:
                # Account.External_ID__c (API) or Account:External_ID__c (Data Loader mapping)
                rel, dot, rel_field = name.replace(":", ".", 1).partition(".")
                ref_column = by_rel.get(rel.lower()) if dot else None
                if ref_column is not None and ref_column.target is not None:
                    pending.append(
                        _Pending(ref_column.attr, ref_column.target, rel_field, text, name)
                    )
                    continue
                custom[name] = text
                if external_id is None and is_external_id_column(name):
                    external_id = text
                continue
            try:
                if column.kind in ("str", "name", "id"):
                    values[column.attr] = text
                elif column.kind == "ref":
                    assert column.target is not None
                    ref = references(text, column) if references else None
                    pending.append(ref or _Pending(column.attr, column.target, "Id", text, name))
                else:
                    values[column.attr] = _PARSERS[column.kind](text)
            except ValueError as exc:
                self.problem(raw, name, str(exc))
                built.bad = True
        if spec.list_name == "accounts" and "name" not in values:
            # person accounts carry FirstName/LastName instead of Name
            person = " ".join(
                v for k, v in custom.items() if k.lower() in ("firstname", "lastname")
            )
            if person:
                values["name"] = person
        if spec.list_name == "contacts" and "last_name" not in values:
            full = next((v for k, v in custom.items() if k.lower() == "name"), None)
            if full:
                first, _, last = full.rpartition(" ")
                values["last_name"] = last
                if first and "first_name" not in values:
                    values["first_name"] = first
        if raw.reference_id:  # data-tree: references name the referenceId
            values["id"] = raw.reference_id
        elif "id" not in values:
            if external_id:
                values["id"] = external_id
            else:
                stem = Path(raw.file).stem
                values["id"] = f"{spec.sobject}:{stem}:{raw.row}"
        for column in spec.columns:
            if column.required and column.kind != "ref" and column.attr not in values:
                self.problem(raw, column.api_name, f"{column.api_name} is required")
                built.bad = True
            if (
                column.required
                and column.kind == "ref"
                and not any(p.attr == column.attr for p in pending)
            ):
                self.problem(raw, column.api_name, f"{column.api_name} is required")
                built.bad = True
        start, end = values.get("start_date"), values.get("end_date")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            end_column = next(c.api_name for c in spec.columns if c.attr == "end_date")
            start_column = next(c.api_name for c in spec.columns if c.attr == "start_date")
            self.problem(raw, end_column, f"{end_column} {end} is before {start_column} {start}")
            built.bad = True
        if custom and "custom_fields" in {f.name for f in fields(spec.cls)}:
            values["custom_fields"] = custom
        elif custom:
            for name in custom:
                self.result.warnings.append(
                    f"{raw.file}, {raw.row_label} {raw.row}: column {name} ignored "
                    f"({spec.sobject} keeps no other fields)"
                )
        self._built[spec.list_name].append(built)

    # ------------------------------------------------------------------ resolution

    def finish(self) -> DataImport:
        """Resolve references, drop or refuse bad rows, and return the result."""
        self._check_duplicates()
        indexes: dict[tuple[str, str], dict[str, str]] = {}
        while True:  # with skip_bad_rows, until no row refers to a dropped row
            changed = False
            live = self._live_ids()
            for items in self._built.values():
                for built in items:
                    if not built.bad and any(
                        self._resolve(ref, live, indexes) is None for ref in built.pending
                    ):
                        built.bad = True
                        changed = True
            if not changed or not self.skip_bad_rows:
                break
        live = self._live_ids()
        everything = {name: {b.values["id"] for b in items} for name, items in self._built.items()}
        records = RecordSet()
        for list_name, items in self._built.items():
            spec = SPEC_BY_LIST[list_name]
            target = records.records(list_name)
            for built in items:
                if built.bad:
                    self.result.skipped_rows += 1
                    self._report_references(built, live, everything, indexes)
                    continue
                values = dict(built.values)
                for ref in built.pending:
                    resolved = self._resolve(ref, live, indexes)
                    if resolved == "" and "custom_fields" in {f.name for f in fields(spec.cls)}:
                        # kept as written, so that an export carries it on (data-tree)
                        values["custom_fields"] = {
                            **values.get("custom_fields", {}),
                            ref.column: f"@{ref.value}",
                        }
                        self.result.warnings.append(
                            f"{built.raw.file}, {built.raw.row_label} {built.raw.row}: "
                            f"{ref.column} '@{ref.value}' is in a file that was not imported; "
                            "not linked, kept as written"
                        )
                    elif resolved == "":
                        self.result.warnings.append(
                            f"{built.raw.file}, {built.raw.row_label} {built.raw.row}: "
                            f"{ref.column} '@{ref.value}' is in a file that was not imported; "
                            "left empty"
                        )
                    values[ref.attr] = resolved or None
                target.append(spec.cls(**values))
        self.result.problems.sort(key=lambda p: (p.file, p.line or 0))
        if self.result.problems and not self.skip_bad_rows:
            self.result.skipped_rows = 0
            self.result.records = RecordSet()
        else:
            self.result.records = records
        return self.result

    def _live_ids(self) -> dict[str, set[str]]:
        return {
            name: {b.values["id"] for b in items if not b.bad}
            for name, items in self._built.items()
        }

    def _report_references(
        self,
        built: _Built,
        live: dict[str, set[str]],
        everything: dict[str, set[str]],
        indexes: dict[tuple[str, str], dict[str, str]],
    ) -> None:
        for ref in built.pending:
            if self._resolve(ref, live, indexes) is not None:
                continue
            sobject = SPEC_BY_LIST[ref.target].sobject
            if self._resolve(ref, everything, indexes) is not None:
                if self.skip_bad_rows:  # otherwise the bad row it refers to is reported
                    self.problem(
                        built.raw, ref.column, f"refers to {sobject} {ref.value!r}, a bad row"
                    )
                continue
            field_name = "Id" if ref.field.lower() == "id" else ref.field
            self.problem(built.raw, ref.column, f"no {sobject} with {field_name} {ref.value!r}")

    def _check_duplicates(self) -> None:
        for items in self._built.values():
            first: dict[str, RawRow] = {}
            for built in items:
                rid = built.values["id"]
                earlier = first.get(rid)
                if earlier is None:
                    first[rid] = built.raw
                    continue
                self.problem(
                    built.raw,
                    "Id",
                    f"duplicate record {rid!r} (first in {earlier.file}, "
                    f"{earlier.row_label} {earlier.row})",
                )
                built.bad = True

    def _resolve(
        self,
        ref: _Pending,
        ids: dict[str, set[str]],
        indexes: dict[tuple[str, str], dict[str, str]],
    ) -> str | None:
        """The id the reference points at among ``ids`` (else in the workspace); ""
        for an allowed dangling reference (left empty); None when unresolved."""
        if ref.field.lower() == "id":
            found: str | None = ref.value
        else:
            found = self._index(ref.target, ref.field, indexes).get(ref.value)
        if found is not None and found in ids[ref.target]:
            return found
        if self.lookup is not None:
            field_name = "Id" if ref.field.lower() == "id" else ref.field
            found = self.lookup(ref.target, field_name, ref.value)
            if found is not None:
                return found
        if ref.optional_missing_ok:
            return ""
        return None

    def _index(
        self, list_name: str, field_name: str, indexes: dict[tuple[str, str], dict[str, str]]
    ) -> dict[str, str]:
        """Value of ``field_name`` -> record id, over every row of ``list_name``."""
        key = (list_name, field_name.lower())
        index = indexes.get(key)
        if index is not None:
            return index
        index = {}
        spec = SPEC_BY_LIST[list_name]
        low = field_name.lower()
        attr = next((c.attr for c in spec.columns if c.api_name.lower() == low), None)
        for built in self._built[list_name]:
            if attr is not None:
                value = built.values.get(attr)
            else:
                custom = built.values.get("custom_fields", {})
                value = next((v for k, v in custom.items() if k.lower() == low), None)
            if isinstance(value, str):
                index.setdefault(value, built.values["id"])
        indexes[key] = index
        return index


# --------------------------------------------------------------------------- reading CSV


def detect_object(file_name: str, columns: Sequence[str]) -> ObjectSpec | None:
    """The object a CSV holds: the last object name in the file name, else its columns."""
    stem = re.sub(r"[^a-z0-9]", "", Path(file_name).stem.lower())
    best: tuple[int, int, ObjectSpec] | None = None
    for spec in OBJECTS:
        for alias in spec.aliases:
            at = stem.rfind(alias)
            if at < 0:
                continue
            candidate = (at + len(alias), len(alias), spec)
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    if best is not None:
        return best[2]
    low = {c.strip().lower() for c in columns}
    for spec in reversed(OBJECTS):  # most specific first
        if any(sig in low for sig in spec.signature):
            return spec
    return None


def _decode(file: str, payload: bytes, warnings: list[str]) -> str:
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError:
        warnings.append(f"{file}: not UTF-8; read as Windows-1252")
        return payload.decode("cp1252", errors="replace")


def _read_rows(
    file: str, text: str, builder: RecordBuilder
) -> tuple[list[str], list[RawRow]] | None:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","  # European Excel
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None:
            builder.result.skipped_files.append(f"{file}: empty file")
            return None
        header = [h.strip() for h in header]
        lowered = [h.lower() for h in header]
        for i, h in enumerate(lowered):
            if not h:
                raise InterchangeError(file, f"column {i + 1} has no name", line=1)
            if h in lowered[:i]:
                raise InterchangeError(file, "column appears twice", line=1, element=header[i])
        rows: list[RawRow] = []
        start = reader.line_num + 1  # the line a record starts on (quoted cells may hold newlines)
        for cells in reader:
            number, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            raw = RawRow(file, number, {})
            if len(cells) != len(header):  # a cut or merged line, not a record
                raw.issues.append((None, f"{len(cells)} cells but {len(header)} columns"))
            for name, cell in zip(header, cells, strict=False):
                cell = cell.strip()
                if cell:
                    raw.cells[name] = _un_neutralise(cell)
            rows.append(raw)
    except csv.Error as exc:
        raise InterchangeError(file, f"not a readable CSV ({exc})", line=reader.line_num) from None
    return header, rows


def read_csv_files(
    files: Mapping[str, bytes],
    *,
    lookup: Lookup | None = None,
    skip_bad_rows: bool = False,
    objects: Mapping[str, str] | None = None,
) -> DataImport:
    """Read Data Loader CSVs (file name -> content). ``objects`` may name the object of a
    file (``{"extract.csv": "Account"}``); other files are recognised by name/columns.
    A file that cannot be read as CSV at all raises :class:`InterchangeError`."""
    builder = RecordBuilder(lookup, skip_bad_rows)
    parsed: list[tuple[ObjectSpec, list[RawRow]]] = []
    for file, payload in files.items():
        text = _decode(file, payload, builder.result.warnings)
        read = _read_rows(file, text, builder)
        if read is None:
            continue
        header, rows = read
        spec: ObjectSpec | None
        if objects and file in objects:
            spec = SPEC_BY_SOBJECT.get(objects[file].lower())
            if spec is None:
                raise InterchangeError(
                    file, f"{objects[file]} is not an object Entitle Desktop imports"
                )
        else:
            spec = detect_object(file, header)
        if spec is None:
            builder.result.skipped_files.append(
                f"{file}: not one of {', '.join(s.sobject for s in OBJECTS)}"
            )
            continue
        builder.result.objects[file] = spec.sobject
        parsed.append((spec, rows))
    order = {s.list_name: i for i, s in enumerate(OBJECTS)}
    for spec, rows in sorted(parsed, key=lambda p: order[p[0].list_name]):
        for raw in rows:
            builder.add(spec, raw)
    return builder.finish()


def read_csv_source(
    source: Path,
    *,
    lookup: Lookup | None = None,
    skip_bad_rows: bool = False,
    objects: Mapping[str, str] | None = None,
    limits: SourceLimits | None = None,
) -> DataImport:
    """Read every ``.csv`` of a folder or zip (safely, see safe_source), or one CSV file."""
    source = Path(source)
    if source.is_file() and source.suffix.lower() == ".csv":
        size_limit = (limits or SourceLimits()).max_file_bytes
        if source.stat().st_size > size_limit:
            raise InterchangeError(
                source.name, f"the file is larger than {size_limit} bytes; refused"
            )
        files = {source.name: source.read_bytes()}
    else:
        files = {
            f.path: f.read()
            for f in iter_source_files(source, limits or SourceLimits())
            if f.path.lower().endswith(".csv")
        }
    return read_csv_files(files, lookup=lookup, skip_bad_rows=skip_bad_rows, objects=objects)


# --------------------------------------------------------------------------- writing CSV


def _records_rows(
    spec: ObjectSpec,
    records: Iterable[Any],
    by_id: Mapping[str, Mapping[str, Any]],
    warnings: list[str],
) -> tuple[list[str], list[list[str]]]:
    """Header and rows of one object's file; ``by_id`` holds every exported record by
    list and id (to find a parent's external id)."""
    items = list(records)
    custom_names: dict[str, None] = {}
    has_custom = "custom_fields" in {f.name for f in fields(spec.cls)}
    if has_custom:
        for record in items:
            for name in record.custom_fields:
                custom_names.setdefault(name, None)
    rows_cells: list[dict[str, str]] = []
    id_form: set[str] = set()  # reference columns some row writes as an Id
    related: dict[str, dict[str, None]] = {c.api_name: {} for c in spec.columns}
    left_empty: dict[str, list[str]] = {}
    for record in items:
        cells: dict[str, str] = {}
        for c in spec.columns:
            value = getattr(record, c.attr)
            if c.kind == "id":
                cells[c.api_name] = value if is_salesforce_id(value) else ""
            elif c.kind == "ref" and value is not None:
                assert c.target is not None and c.relationship is not None
                parent = by_id.get(c.target, {}).get(value)
                key = None if is_salesforce_id(value) or parent is None else external_key(parent)
                if is_salesforce_id(value):
                    cells[c.api_name] = value
                    id_form.add(c.api_name)
                elif key is not None:
                    column = f"{c.relationship}.{key[0]}"
                    related[c.api_name].setdefault(column, None)
                    cells[column] = key[1]
                else:
                    left_empty.setdefault(c.api_name, []).append(value)
            else:
                cells[c.api_name] = _format_value(value)
        rows_cells.append(cells)
    standard: list[str] = []
    for c in spec.columns:
        if c.kind != "ref" or c.api_name in id_form or not related[c.api_name]:
            standard.append(c.api_name)
        standard.extend(related[c.api_name])
    taken = {n.lower() for n in standard} | {c.api_name.lower() for c in spec.columns}
    customs = [n for n in custom_names if n.lower() not in taken]
    header = standard + customs
    rows: list[list[str]] = []
    person_account = spec.list_name == "accounts"
    for record, cells in zip(items, rows_cells, strict=True):
        row = [cells.get(name, "") for name in standard]
        if has_custom:
            cf = record.custom_fields
            row.extend(cf.get(n, "") for n in customs)
            if person_account and any(k.lower() == "lastname" for k in cf):
                row[1] = ""  # a person account's name is FirstName + LastName
        rows.append([neutralise_cell(cell) for cell in row])
    for column, values in left_empty.items():
        target = next(c for c in spec.columns if c.api_name == column).target
        assert target is not None
        parent_object = SPEC_BY_LIST[target].sobject
        count = len(values)
        warnings.append(
            f"{spec.sobject}.csv: {count} {column} reference{'s' if count != 1 else ''} left "
            f"empty: the {parent_object} record{'s have' if count != 1 else ' has'} neither a "
            f"Salesforce Id nor an external id in the export (first: {values[0]!r})"
        )
    return header, rows


def csv_documents(records: RecordSet, warnings: list[str] | None = None) -> dict[str, bytes]:
    """``<Object>.csv`` -> content for every non-empty data list of ``records``. What
    the files cannot carry (see module) is appended to ``warnings``."""
    out: dict[str, bytes] = {}
    notes: list[str] = []
    by_id = {name: {r.id: r for r in records.records(name)} for name in DATA_LISTS}
    for spec in OBJECTS:
        items = records.records(spec.list_name)
        if not items:
            continue
        header, rows = _records_rows(spec, items, by_id, notes)
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        out[f"{spec.sobject}.csv"] = buffer.getvalue().encode("utf-8")
    if warnings is not None:
        warnings.extend(notes)
    return out


def write_documents_atomically(folder: Path, documents: Mapping[str, bytes]) -> list[Path]:
    """Write every document into ``folder`` (created if needed, mode from the umask): each
    goes to a temporary name first, and the renames happen only once all were written."""
    folder.mkdir(parents=True, exist_ok=True)
    temps: list[tuple[Path, Path]] = []
    try:
        for name, payload in documents.items():
            fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
            tmp = Path(tmp_name)
            temps.append((tmp, folder / name))
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
        for tmp, final in temps:
            os.replace(tmp, final)
    except BaseException:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        raise
    return [final for _, final in temps]


def write_csv_files(records: RecordSet, folder: Path) -> list[Path]:
    """Write the data records as Data Loader CSVs into ``folder``; returns the files."""
    return write_documents_atomically(Path(folder), csv_documents(records))
