"""Salesforce metadata projects <-> records: read, write, pre-flight, plan against an org.

Reading (:func:`read_project`) accepts a folder or a zip in either layout:

* metadata-API format: type folders next to ``package.xml`` (usually ``src/``), plain
  suffixes (``x.entitlementProcess``);
* source format: type folders under ``force-app/main/default``, suffixes ending ``-meta.xml``.

Modelled types: entitlement processes (every version), milestone types, entitlement
templates, ``Entitlement.settings`` and ``BusinessHours.settings``. Every other file is
kept verbatim as :class:`OtherMetadataFile`; every element the model does not know is
kept verbatim in the record's ``unknown`` list, with the name of the modelled element it
followed, so :func:`write_project` puts it back where it was.

Element order and value types come from the Metadata API schema (the XSD in
``shared/spec``): :data:`SEQUENCES` and :data:`ENUMERATIONS` are that schema written out,
and a test checks them against the XSD.

XML is parsed by lxml with entity resolution, network access and huge trees off; a
document with a DTD (where entity bombs live) is refused.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path, PurePosixPath
from typing import Any, Final, Literal, cast
from urllib.parse import unquote

from lxml import etree

from entitle_desktop.domain.calendar import BusinessCalendar, CalendarError
from entitle_desktop.domain.names import name_key, nfc
from entitle_desktop.domain.records import (
    WEEKDAYS,
    ActionReference,
    BusinessHours,
    BusinessHoursWindow,
    EntitlementProcessVersion,
    EntitlementSettings,
    EntitlementTemplate,
    FilterItem,
    Holiday,
    MetadataProject,
    MilestoneTimeTrigger,
    MilestoneType,
    OtherMetadataFile,
    ProcessMilestone,
    UnknownElement,
    effective_version_number,
)
from entitle_desktop.interchange.errors import InterchangeCancelled, InterchangeError
from entitle_desktop.interchange.safe_source import SourceLimits, iter_source_files

__all__ = [
    "API_VERSION_DEFAULT",
    "ENTITLEMENT_SETTINGS_SINCE",
    "ENUMERATIONS",
    "HOLIDAY_ENUMERATIONS",
    "NoMetadataFound",
    "METADATA_NS",
    "SEQUENCES",
    "PREFLIGHT_FIXES",
    "PreflightFix",
    "PreflightIssue",
    "approximate_business_hours",
    "enable_entitlement_versioning",
    "drop_unsupported_settings",
    "kept_default_business_hours",
    "missing_references",
    "national_holiday_years",
    "omit_inexpressible_business_hours",
    "plan_against_reference",
    "preflight",
    "preflight_fix",
    "project_documents",
    "read_project",
    "single_default_business_hours",
    "strip_action_prefixes",
    "write_documents",
    "write_project",
]

METADATA_NS: Final = "http://soap.sforce.com/2006/04/metadata"
API_VERSION_DEFAULT: Final = "66.0"
_XML_DECLARATION: Final = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# --------------------------------------------------------------------------- schema

# Simple types: "string", "boolean", "int", "time", "date"; other names are the
# enumerations below or complex types of SEQUENCES. (name, type, repeated).
_Seq = tuple[tuple[str, str, bool], ...]
_META: _Seq = (("fullName", "string", False), ("module", "string", False))

SEQUENCES: Final[dict[str, _Seq]] = {
    "BusinessHoursEntry": _META
    + (
        ("active", "boolean", False),
        ("default", "boolean", False),
        ("fridayEndTime", "time", False),
        ("fridayStartTime", "time", False),
        ("mondayEndTime", "time", False),
        ("mondayStartTime", "time", False),
        ("name", "string", False),
        ("saturdayEndTime", "time", False),
        ("saturdayStartTime", "time", False),
        ("sundayEndTime", "time", False),
        ("sundayStartTime", "time", False),
        ("thursdayEndTime", "time", False),
        ("thursdayStartTime", "time", False),
        ("timeZoneId", "string", False),
        ("tuesdayEndTime", "time", False),
        ("tuesdayStartTime", "time", False),
        ("wednesdayEndTime", "time", False),
        ("wednesdayStartTime", "time", False),
    ),
    "BusinessHoursSettings": _META
    + (
        ("businessHours", "BusinessHoursEntry", True),
        ("holidays", "Holiday", True),
    ),
    "EntitlementProcess": _META
    + (
        ("SObjectType", "string", False),
        ("active", "boolean", False),
        ("businessHours", "string", False),
        ("description", "string", False),
        ("entitlementRules", "EntitlementRule", True),
        ("entryStartDateField", "string", False),
        ("exitCriteriaBooleanFilter", "string", False),
        ("exitCriteriaFilterItems", "FilterItem", True),
        ("exitCriteriaFormula", "string", False),
        ("isRecordTypeApplied", "boolean", False),
        ("isVersionDefault", "boolean", False),
        ("milestones", "EntitlementProcessMilestoneItem", True),
        ("name", "string", False),
        ("recordType", "string", False),
        ("versionMaster", "string", False),
        ("versionNotes", "string", False),
        ("versionNumber", "int", False),
    ),
    "EntitlementProcessMilestoneItem": (
        ("agreementType", "string", False),
        ("businessHours", "string", False),
        ("criteriaBooleanFilter", "string", False),
        ("isDisplayedOnLinkedEntity", "boolean", False),
        ("milestoneCompletionCriteria", "MilestoneCompletionCriteria", False),
        ("milestoneCriteriaFilterItems", "FilterItem", True),
        ("milestoneCriteriaFormula", "string", False),
        ("milestoneName", "string", False),
        ("milestonePauseCriteria", "MilestonePauseCriteria", False),
        ("minutesCustomClass", "string", False),
        ("minutesToComplete", "int", False),
        ("successActions", "WorkflowActionReference", True),
        ("timeTriggers", "EntitlementProcessMilestoneTimeTrigger", True),
        ("useCriteriaStartTime", "boolean", False),
    ),
    "EntitlementProcessMilestoneTimeTrigger": (
        ("actions", "WorkflowActionReference", True),
        ("timeLength", "int", False),
        ("workflowTimeTriggerUnit", "MilestoneTimeUnits", False),
    ),
    "EntitlementRule": (
        ("criteriaBooleanFilter", "string", False),
        ("criteriaFilterItems", "FilterItem", True),
        ("entitlementName", "string", False),
        ("order", "int", False),
    ),
    "EntitlementSettings": _META
    + (
        ("assetLookupLimitedToActiveEntitlementsOnAccount", "boolean", False),
        ("assetLookupLimitedToActiveEntitlementsOnContact", "boolean", False),
        ("assetLookupLimitedToSameAccount", "boolean", False),
        ("assetLookupLimitedToSameContact", "boolean", False),
        ("enableEntitlementVersioning", "boolean", False),
        ("enableEntitlements", "boolean", False),
        ("enableMilestoneFeedItem", "boolean", False),
        ("enableMilestoneStoppedTime", "boolean", False),
        ("entitlementLookupLimitedToActiveStatus", "boolean", False),
        ("entitlementLookupLimitedToSameAccount", "boolean", False),
        ("entitlementLookupLimitedToSameAsset", "boolean", False),
        ("entitlementLookupLimitedToSameContact", "boolean", False),
        ("ignoreMilestoneBusinessHours", "boolean", False),
    ),
    "EntitlementTemplate": _META
    + (
        ("businessHours", "string", False),
        ("casesPerEntitlement", "int", False),
        ("entitlementProcess", "string", False),
        ("isPerIncident", "boolean", False),
        ("term", "int", False),
        ("type", "string", False),
    ),
    "FilterItem": (
        ("field", "string", False),
        ("operation", "FilterOperation", False),
        ("value", "string", False),
        ("valueField", "string", False),
    ),
    "Holiday": (
        ("activityDate", "date", False),
        ("businessHours", "string", True),
        ("description", "string", False),
        ("endTime", "time", False),
        ("isRecurring", "boolean", False),
        ("name", "string", False),
        ("recurrenceDayOfMonth", "int", False),
        ("recurrenceDayOfWeek", "string", True),
        ("recurrenceDayOfWeekMask", "int", False),
        ("recurrenceEndDate", "date", False),
        ("recurrenceInstance", "string", False),
        ("recurrenceInterval", "int", False),
        ("recurrenceMonthOfYear", "string", False),
        ("recurrenceStartDate", "date", False),
        ("recurrenceType", "string", False),
        ("startTime", "time", False),
    ),
    "Metadata": _META,
    "MilestoneCompletionCriteria": (
        ("criteriaBooleanFilter", "string", False),
        ("criteriaObjectName", "string", False),
        ("criteriaObjectType", "string", False),
        ("milestoneCriteriaFilterItems", "FilterItem", True),
        ("milestoneCriteriaFormula", "string", False),
    ),
    "MilestonePauseCriteria": (
        ("criteriaBooleanFilter", "string", False),
        ("milestoneCriteriaFilterItems", "FilterItem", True),
        ("milestoneCriteriaFormula", "string", False),
    ),
    "MilestoneType": _META
    + (
        ("description", "string", False),
        ("recurrenceType", "MilestoneTypeRecurrenceType", False),
    ),
    "WorkflowActionReference": (
        ("name", "string", False),
        ("type", "WorkflowActionType", False),
    ),
}

ENUMERATIONS: Final[dict[str, tuple[str, ...]]] = {
    "FilterOperation": (
        "equals",
        "notEqual",
        "lessThan",
        "greaterThan",
        "lessOrEqual",
        "greaterOrEqual",
        "contains",
        "notContain",
        "startsWith",
        "includes",
        "excludes",
        "within",
    ),
    "MilestoneTimeUnits": ("Minutes", "Hours", "Days"),
    "MilestoneTypeRecurrenceType": ("none", "recursIndependently", "recursChained"),
    "WorkflowActionType": (
        "FieldUpdate",
        "KnowledgePublish",
        "Task",
        "Alert",
        "Send",
        "OutboundMessage",
        "FlowAction",
        "FlowAutomation",
    ),
}

# Holiday fields are xsd:string in the schema but Salesforce accepts only these values
# (the Holiday object's picklists); a wrong one would fail the deploy, so it is refused.
HOLIDAY_ENUMERATIONS: Final[dict[str, tuple[str, ...]]] = {
    "recurrenceType": (
        "RecursDaily",
        "RecursEveryWeekday",
        "RecursMonthly",
        "RecursMonthlyNth",
        "RecursWeekly",
        "RecursYearly",
        "RecursYearlyNth",
    ),
    "recurrenceInstance": ("First", "Second", "Third", "Fourth", "Last"),
    "recurrenceMonthOfYear": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "recurrenceDayOfWeek": (
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
    ),
}

# First API version that knows each Entitlement.settings element. Documented best
# table: EntitlementSettings arrived in API 27.0 with the lookup-limit flags,
# versioning in 28.0 (Salesforce's EntitlementSettings reference), and the three
# milestone flags in 47.0 (absent from API-38 retrieves, present in API-47+ ones).
ENTITLEMENT_SETTINGS_SINCE: Final[dict[str, float]] = {
    "fullName": 27.0,
    "module": 27.0,
    "assetLookupLimitedToActiveEntitlementsOnAccount": 27.0,
    "assetLookupLimitedToActiveEntitlementsOnContact": 27.0,
    "assetLookupLimitedToSameAccount": 27.0,
    "assetLookupLimitedToSameContact": 27.0,
    "enableEntitlementVersioning": 28.0,
    "enableEntitlements": 27.0,
    "enableMilestoneFeedItem": 47.0,
    "enableMilestoneStoppedTime": 47.0,
    "entitlementLookupLimitedToActiveStatus": 27.0,
    "entitlementLookupLimitedToSameAccount": 27.0,
    "entitlementLookupLimitedToSameAsset": 27.0,
    "entitlementLookupLimitedToSameContact": 27.0,
    "ignoreMilestoneBusinessHours": 47.0,
}


@dataclass(frozen=True, slots=True)
class _FileType:
    folder: str
    suffix: str  # metadata-API suffix; source format appends "-meta.xml"
    root: str  # root element
    package_type: str  # package.xml <name>


_PROCESS = _FileType(
    "entitlementProcesses", ".entitlementProcess", "EntitlementProcess", "EntitlementProcess"
)
_MILESTONE = _FileType("milestoneTypes", ".milestoneType", "MilestoneType", "MilestoneType")
_TEMPLATE = _FileType(
    "entitlementTemplates", ".entitlementTemplate", "EntitlementTemplate", "EntitlementTemplate"
)
_ENT_SETTINGS = _FileType("settings", "Entitlement.settings", "EntitlementSettings", "Settings")
_BH_SETTINGS = _FileType("settings", "BusinessHours.settings", "BusinessHoursSettings", "Settings")
_FILE_TYPES: Final = (_PROCESS, _MILESTONE, _TEMPLATE, _ENT_SETTINGS, _BH_SETTINGS)
_TYPE_FOLDERS: Final = frozenset(t.folder for t in _FILE_TYPES)
_META_SUFFIX: Final = "-meta.xml"
_SOURCE_ROOT: Final = "force-app/main/default"
_MDAPI_ROOT: Final = "src"

# package.xml type names of folders we keep verbatim, for a generated package.xml.
_PACKAGE_TYPES_BY_FOLDER: Final[dict[str, str]] = {
    "settings": "Settings",
    "standardValueSets": "StandardValueSet",
    "globalValueSets": "GlobalValueSet",
    "workflows": "Workflow",
    "flows": "Flow",
    "escalationRules": "EscalationRules",
    "assignmentRules": "AssignmentRules",
    "autoResponseRules": "AutoResponseRules",
    "queues": "Queue",
    "layouts": "Layout",
    "quickActions": "QuickAction",
    "emailservices": "EmailServicesFunction",
}

_DAY_NAMES: Final[dict[str, str]] = {
    "mon": "monday",
    "tue": "tuesday",
    "wed": "wednesday",
    "thu": "thursday",
    "fri": "friday",
    "sat": "saturday",
    "sun": "sunday",
}

# --------------------------------------------------------------------------- parsing


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=False,
        collect_ids=False,
    )


def _new_root(name: str) -> etree._Element:
    return etree.Element(_q(name), nsmap=cast(Any, {None: METADATA_NS}))


def _line(el: etree._Element) -> int | None:
    line = getattr(el, "sourceline", None)
    return line if isinstance(line, int) else None


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _namespace(el: etree._Element) -> str | None:
    return etree.QName(el).namespace


def _parse_xml(path: str, data: bytes) -> etree._Element:
    """Parse a document safely; refuse DTDs (entity declarations) and bad XML."""
    head = data[:4096]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in data:
        raise InterchangeError(
            path,
            "the file declares a DTD or entities, which could expand without limit; refused",
        )
    try:
        tree = etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise InterchangeError(path, f"not well-formed XML ({exc.msg})", line=line) from exc
    info = tree.docinfo
    if getattr(info, "doctype", "") or info.internalDTD is not None:
        raise InterchangeError(
            path,
            "the file declares a DTD or entities, which could expand without limit; refused",
        )
    root = tree.getroot()
    for el in root.iter():
        if isinstance(el, etree._Entity):
            raise InterchangeError(path, "the file uses entity references; refused", line=_line(el))
    return root


class _Doc:
    """One file being read: its path for messages and the notes it produced."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.unknown_names: list[str] = []

    def error(
        self, el: etree._Element, message: str, element: str | None = None
    ) -> InterchangeError:
        return InterchangeError(self.path, message, line=_line(el), element=element or _local(el))


@dataclass(slots=True)
class _Split:
    known: dict[str, list[etree._Element]]
    unknown: list[UnknownElement]


def _serialise(el: etree._Element) -> str:
    return etree.tostring(el, encoding="unicode", with_tail=False)


def _split(doc: _Doc, el: etree._Element, type_name: str, modelled: Iterable[str]) -> _Split:
    """Sort the children of ``el`` into modelled elements and verbatim unknown ones."""
    seq = {name: repeated for name, _, repeated in SEQUENCES[type_name]}
    wanted = frozenset(modelled)
    ns = _namespace(el)
    known: dict[str, list[etree._Element]] = {}
    unknown: list[UnknownElement] = []
    last: str | None = None
    for child in el:
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions
        name = _local(child)
        if name in wanted and _namespace(child) == ns:
            if name in known and not seq[name]:
                raise doc.error(child, "the element appears twice")
            known.setdefault(name, []).append(child)
            last = name
        else:
            unknown.append(UnknownElement(after=last, xml=_serialise(child)))
            doc.unknown_names.append(name)
    return _Split(known, unknown)


def _text(doc: _Doc, el: etree._Element) -> str:
    for child in el:
        if isinstance(child.tag, str):
            raise doc.error(
                el, f"expected a plain value, found the element <{_local(child)}> inside"
            )
    return el.text or ""


_INT_RE = re.compile(r"[+-]?\d+")
_TIME_RE = re.compile(r"(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")
_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?")


def _to_bool(doc: _Doc, el: etree._Element) -> bool:
    raw = _text(doc, el)
    value = raw.strip()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise doc.error(el, f"{raw!r} is not true or false")


def _to_int(doc: _Doc, el: etree._Element) -> int:
    raw = _text(doc, el)
    value = raw.strip()
    if not _INT_RE.fullmatch(value):
        raise doc.error(el, f"{raw!r} is not a whole number")
    number = int(value)
    if not -(2**31) <= number < 2**31:
        raise doc.error(el, f"{raw!r} is too large a number")
    return number


def _parse_time_text(value: str) -> time | None:
    m = _TIME_RE.fullmatch(value.strip())
    if m is None:
        return None
    h, mi, s = (int(g) for g in m.groups())
    if h == 24 and mi == 0 and s == 0:
        return time(0)
    if h > 23 or mi > 59 or s > 59:
        return None
    return time(h, mi, s)


def _to_time(doc: _Doc, el: etree._Element) -> tuple[time, str]:
    raw = _text(doc, el)
    parsed = _parse_time_text(raw)
    if parsed is None:
        raise doc.error(el, f"{raw!r} is not a time of day (hh:mm:ss)")
    return parsed, raw


def _to_date(doc: _Doc, el: etree._Element) -> date:
    raw = _text(doc, el)
    m = _DATE_RE.fullmatch(raw.strip())
    try:
        if m is None:
            raise ValueError(raw)
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise doc.error(el, f"{raw!r} is not a date (YYYY-MM-DD)") from None


def _to_enum(doc: _Doc, el: etree._Element, allowed: Sequence[str]) -> str:
    raw = _text(doc, el)
    value = raw.strip()
    if value not in allowed:
        raise doc.error(el, f"{raw!r} is not one of {', '.join(allowed)}")
    return value


class _Fields:
    """Typed access to the modelled children of one element."""

    def __init__(self, doc: _Doc, parent: etree._Element, split: _Split) -> None:
        self.doc = doc
        self.parent = parent
        self.split = split

    def elements(self, name: str) -> list[etree._Element]:
        return self.split.known.get(name, [])

    def _one(self, name: str) -> etree._Element | None:
        found = self.split.known.get(name)
        return found[0] if found else None

    def string(self, name: str) -> str | None:
        el = self._one(name)
        return None if el is None else _text(self.doc, el)

    def strings(self, name: str) -> list[str]:
        return [_text(self.doc, el) for el in self.elements(name)]

    def name(self, name: str) -> str | None:
        """A record name or a reference to one, in Unicode NFC (macOS gives NFD)."""
        value = self.string(name)
        return None if value is None else nfc(value)

    def names(self, name: str) -> list[str]:
        return [nfc(v) for v in self.strings(name)]

    def required_name(self, name: str) -> str:
        return nfc(self.required(name))

    def required(self, name: str) -> str:
        value = self.string(name)
        if value is None:
            raise self.doc.error(self.parent, f"<{_local(self.parent)}> has no <{name}>")
        return value

    def boolean(self, name: str) -> bool | None:
        el = self._one(name)
        return None if el is None else _to_bool(self.doc, el)

    def integer(self, name: str) -> int | None:
        el = self._one(name)
        return None if el is None else _to_int(self.doc, el)

    def time_of_day(self, name: str) -> tuple[time, str] | None:
        el = self._one(name)
        return None if el is None else _to_time(self.doc, el)

    def day(self, name: str) -> date | None:
        el = self._one(name)
        return None if el is None else _to_date(self.doc, el)

    def enum(self, name: str, allowed: Sequence[str]) -> str | None:
        el = self._one(name)
        return None if el is None else _to_enum(self.doc, el, allowed)

    def enums(self, name: str, allowed: Sequence[str]) -> list[str]:
        return [_to_enum(self.doc, el, allowed) for el in self.elements(name)]


def _fields(doc: _Doc, el: etree._Element, type_name: str, modelled: Iterable[str]) -> _Fields:
    return _Fields(doc, el, _split(doc, el, type_name, modelled))


# --------------------------------------------------------------------------- readers

_FILTER_ITEM_FIELDS = ("field", "operation", "value", "valueField")
_ACTION_FIELDS = ("name", "type")


def _read_filter_item(doc: _Doc, el: etree._Element) -> FilterItem:
    f = _fields(doc, el, "FilterItem", _FILTER_ITEM_FIELDS)
    operation = f.enum("operation", ENUMERATIONS["FilterOperation"])
    if operation is None:
        raise doc.error(el, f"<{_local(el)}> has no <operation>")
    return FilterItem(
        field=f.required("field"),
        operation=operation,
        value=f.string("value"),
        value_field=f.string("valueField"),
        unknown=f.split.unknown,
    )


def _read_action(doc: _Doc, el: etree._Element) -> ActionReference:
    f = _fields(doc, el, "WorkflowActionReference", _ACTION_FIELDS)
    action_type = f.enum("type", ENUMERATIONS["WorkflowActionType"])
    if action_type is None:
        raise doc.error(el, f"<{_local(el)}> has no <type>")
    return ActionReference(name=f.required("name"), type=action_type, unknown=f.split.unknown)


def _read_time_trigger(doc: _Doc, el: etree._Element) -> MilestoneTimeTrigger:
    f = _fields(
        doc,
        el,
        "EntitlementProcessMilestoneTimeTrigger",
        ("actions", "timeLength", "workflowTimeTriggerUnit"),
    )
    unit = f.enum("workflowTimeTriggerUnit", ENUMERATIONS["MilestoneTimeUnits"])
    if unit is None:
        raise doc.error(el, "<timeTriggers> has no <workflowTimeTriggerUnit>")
    return MilestoneTimeTrigger(
        time_length=f.integer("timeLength"),
        unit=unit,
        actions=[_read_action(doc, a) for a in f.elements("actions")],
        unknown=f.split.unknown,
    )


_MILESTONE_ITEM_FIELDS = (
    "agreementType",
    "businessHours",
    "criteriaBooleanFilter",
    "isDisplayedOnLinkedEntity",
    "milestoneCriteriaFilterItems",
    "milestoneCriteriaFormula",
    "milestoneName",
    "minutesCustomClass",
    "minutesToComplete",
    "successActions",
    "timeTriggers",
    "useCriteriaStartTime",
)


def _read_milestone_item(doc: _Doc, el: etree._Element) -> ProcessMilestone:
    f = _fields(doc, el, "EntitlementProcessMilestoneItem", _MILESTONE_ITEM_FIELDS)
    return ProcessMilestone(
        milestone_name=f.required_name("milestoneName"),
        minutes_to_complete=f.integer("minutesToComplete"),
        minutes_custom_class=f.string("minutesCustomClass"),
        business_hours=f.name("businessHours"),
        criteria_items=[
            _read_filter_item(doc, e) for e in f.elements("milestoneCriteriaFilterItems")
        ],
        criteria_boolean_filter=f.string("criteriaBooleanFilter"),
        criteria_formula=f.string("milestoneCriteriaFormula"),
        use_criteria_start_time=f.boolean("useCriteriaStartTime"),
        agreement_type=f.string("agreementType"),
        is_displayed_on_linked_entity=f.boolean("isDisplayedOnLinkedEntity"),
        success_actions=[_read_action(doc, e) for e in f.elements("successActions")],
        time_triggers=[_read_time_trigger(doc, e) for e in f.elements("timeTriggers")],
        unknown=f.split.unknown,
    )


_PROCESS_FIELDS = (
    "fullName",
    "SObjectType",
    "active",
    "businessHours",
    "description",
    "entryStartDateField",
    "exitCriteriaBooleanFilter",
    "exitCriteriaFilterItems",
    "exitCriteriaFormula",
    "isRecordTypeApplied",
    "isVersionDefault",
    "milestones",
    "name",
    "recordType",
    "versionMaster",
    "versionNotes",
    "versionNumber",
)
_VERSION_RE = re.compile(r"(.*)_v(\d+)")


def _read_process(
    doc: _Doc, root: etree._Element, base: str, notes: list[str]
) -> EntitlementProcessVersion:
    f = _fields(doc, root, "EntitlementProcess", _PROCESS_FIELDS)
    m = _VERSION_RE.fullmatch(base)
    from_file: list[str] = []
    name = f.name("name")
    if name is None:
        name = nfc(unquote(m.group(1) if m else base))
        from_file.append("name")
    number = f.integer("versionNumber")
    if number is None and m is not None:
        number = int(m.group(2))
        from_file.append("version_number")
        notes.append(f"{doc.path}: version number {number} taken from the file name")
    elif number is not None and m is not None and int(m.group(2)) != number:
        notes.append(
            f"{doc.path}: the file name says version {int(m.group(2))} "
            f"but <versionNumber> says {number}; {number} is used"
        )
    return EntitlementProcessVersion(
        name=name,
        version_number=number,
        is_version_default=f.boolean("isVersionDefault"),
        version_master=f.string("versionMaster"),
        version_notes=f.string("versionNotes"),
        active=f.boolean("active"),
        sobject_type=f.string("SObjectType"),
        description=f.string("description"),
        business_hours=f.name("businessHours"),
        entry_start_date_field=f.string("entryStartDateField"),
        exit_criteria_items=[
            _read_filter_item(doc, e) for e in f.elements("exitCriteriaFilterItems")
        ],
        exit_criteria_boolean_filter=f.string("exitCriteriaBooleanFilter"),
        exit_criteria_formula=f.string("exitCriteriaFormula"),
        is_record_type_applied=f.boolean("isRecordTypeApplied"),
        record_type=f.string("recordType"),
        milestones=[_read_milestone_item(doc, e) for e in f.elements("milestones")],
        file_name=base,
        full_name=f.string("fullName"),
        unknown=f.split.unknown,
        from_file_name=from_file,
    )


def _read_milestone_type(doc: _Doc, root: etree._Element, base: str) -> MilestoneType:
    f = _fields(doc, root, "MilestoneType", ("fullName", "description", "recurrenceType"))
    return MilestoneType(
        name=nfc(unquote(base)),
        description=f.string("description"),
        recurrence_type=f.enum("recurrenceType", ENUMERATIONS["MilestoneTypeRecurrenceType"]),
        full_name=f.string("fullName"),
        unknown=f.split.unknown,
        file_name=base,
    )


_TEMPLATE_FIELDS = (
    "fullName",
    "businessHours",
    "casesPerEntitlement",
    "entitlementProcess",
    "isPerIncident",
    "term",
    "type",
)


def _read_template(doc: _Doc, root: etree._Element, base: str) -> EntitlementTemplate:
    f = _fields(doc, root, "EntitlementTemplate", _TEMPLATE_FIELDS)
    return EntitlementTemplate(
        name=nfc(unquote(base)),
        business_hours=f.name("businessHours"),
        cases_per_entitlement=f.integer("casesPerEntitlement"),
        entitlement_process=f.name("entitlementProcess"),
        is_per_incident=f.boolean("isPerIncident"),
        term=f.integer("term"),
        type=f.string("type"),
        full_name=f.string("fullName"),
        unknown=f.split.unknown,
        file_name=base,
    )


_SETTINGS_FLAGS: Final = tuple(
    name for name, kind, _ in SEQUENCES["EntitlementSettings"] if kind == "boolean"
)


def _read_entitlement_settings(doc: _Doc, root: etree._Element) -> EntitlementSettings:
    split = _split(doc, root, "EntitlementSettings", _SETTINGS_FLAGS)
    flags: dict[str, bool] = {}
    for child in root:
        if (
            isinstance(child.tag, str)
            and _local(child) in split.known
            and child in split.known[_local(child)]
        ):
            flags[_local(child)] = _to_bool(doc, child)
    return EntitlementSettings(flags=flags, unknown=split.unknown)


_BH_TIME_FIELDS: Final = tuple(
    f"{day}{edge}Time" for day in _DAY_NAMES.values() for edge in ("Start", "End")
)
_BH_FIELDS: Final = ("active", "default", "name", "timeZoneId", *_BH_TIME_FIELDS)


def _read_business_hours(doc: _Doc, el: etree._Element) -> BusinessHours:
    f = _fields(doc, el, "BusinessHoursEntry", _BH_FIELDS)
    name = f.required_name("name")
    windows: list[BusinessHoursWindow] = []
    xml_times: dict[str, str] = {}
    for key, day in _DAY_NAMES.items():
        start = f.time_of_day(f"{day}StartTime")
        end = f.time_of_day(f"{day}EndTime")
        if (start is None) != (end is None):
            missing = f"{day}EndTime" if end is None else f"{day}StartTime"
            raise doc.error(
                el,
                f"business hours {name!r} have a {day} start or end time without the other",
                missing,
            )
        if start is None or end is None:
            continue
        xml_times[f"{day}StartTime"] = start[1]
        xml_times[f"{day}EndTime"] = end[1]
        # 00:00 as the end is midnight at the end of the day (00:00-00:00 = 24 hours).
        windows.append(BusinessHoursWindow(key, start[0], None if end[0] == time(0) else end[0]))
    default = f.boolean("default")
    zone = f.string("timeZoneId")
    if zone is not None:
        _check_time_zone(doc, f.elements("timeZoneId")[0], name, zone)
    return BusinessHours(
        name=name,
        time_zone=zone or "",
        active=f.boolean("active"),
        default=bool(default),
        windows=windows,
        xml_times=xml_times,
        unknown=f.split.unknown,
    )


def _check_time_zone(doc: _Doc, el: etree._Element, name: str, zone: str) -> None:
    """An IANA zone, as the calendar engine accepts it (not 'localtime', not unknown)."""
    try:
        BusinessCalendar(zone, {})
    except CalendarError as exc:
        raise doc.error(el, f"business hours {name!r}: {exc}", "timeZoneId") from None


_HOLIDAY_FIELDS: Final = tuple(name for name, _, _ in SEQUENCES["Holiday"])


def _read_holiday(doc: _Doc, el: etree._Element) -> Holiday:
    f = _fields(doc, el, "Holiday", _HOLIDAY_FIELDS)
    xml_times: dict[str, str] = {}
    start = f.time_of_day("startTime")
    end = f.time_of_day("endTime")
    if start is not None:
        xml_times["startTime"] = start[1]
    if end is not None:
        xml_times["endTime"] = end[1]
    return Holiday(
        name=f.required_name("name"),
        description=f.string("description"),
        activity_date=f.day("activityDate"),
        start_time=None if start is None else start[0],
        end_time=None if end is None else end[0],
        is_recurring=f.boolean("isRecurring"),
        recurrence_type=f.enum("recurrenceType", HOLIDAY_ENUMERATIONS["recurrenceType"]),
        recurrence_interval=f.integer("recurrenceInterval"),
        recurrence_day_of_month=f.integer("recurrenceDayOfMonth"),
        recurrence_day_of_week=f.enums(
            "recurrenceDayOfWeek", HOLIDAY_ENUMERATIONS["recurrenceDayOfWeek"]
        ),
        recurrence_day_of_week_mask=f.integer("recurrenceDayOfWeekMask"),
        recurrence_instance=f.enum(
            "recurrenceInstance", HOLIDAY_ENUMERATIONS["recurrenceInstance"]
        ),
        recurrence_month_of_year=f.enum(
            "recurrenceMonthOfYear", HOLIDAY_ENUMERATIONS["recurrenceMonthOfYear"]
        ),
        recurrence_start_date=f.day("recurrenceStartDate"),
        recurrence_end_date=f.day("recurrenceEndDate"),
        business_hours=f.names("businessHours"),
        xml_times=xml_times,
        unknown=f.split.unknown,
    )


def _read_business_hours_settings(
    doc: _Doc, root: etree._Element, project: MetadataProject
) -> None:
    split = _split(doc, root, "BusinessHoursSettings", ("businessHours", "holidays"))
    project.business_hours_settings_present = True
    project.business_hours_settings_unknown = split.unknown
    seen: dict[str, str] = {}
    for e in split.known.get("businessHours", []):
        bh = _read_business_hours(doc, e)
        first = seen.get(name_key(bh.name))
        if first is not None:
            same = "" if first == bh.name else f" (as {first!r}: names ignore case)"
            name_el = _child(e, "name")
            raise doc.error(
                e if name_el is None else name_el,
                f"two business hours entries are named {bh.name!r}{same}; "
                "Salesforce business hours names are unique",
                "name",
            )
        seen[name_key(bh.name)] = bh.name
        project.business_hours.append(bh)
    project.holidays.extend(_read_holiday(doc, e) for e in split.known.get("holidays", []))


def _child(el: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in el if isinstance(c.tag, str) and _local(c) == name), None)


# --------------------------------------------------------------------------- project layout


@dataclass(frozen=True, slots=True)
class _Located:
    file_type: _FileType
    root: str  # folder holding the type folder ('' = top)
    base: str  # file name without suffix
    source_format: bool


def _locate(path: str) -> _Located | None:
    """The modelled type of a project file, from its folder and suffix."""
    parts = path.split("/")
    if len(parts) < 2 or parts[-2] not in _TYPE_FOLDERS:
        return None
    file_name = parts[-1]
    source_format = file_name.endswith(_META_SUFFIX)
    plain = file_name[: -len(_META_SUFFIX)] if source_format else file_name
    for ft in _FILE_TYPES:
        if parts[-2] != ft.folder:
            continue
        if ft.folder == "settings":
            if plain == ft.suffix:
                return _Located(ft, "/".join(parts[:-2]), plain, source_format)
        elif plain.endswith(ft.suffix) and len(plain) > len(ft.suffix):
            # Names come from file names: NFC, as zips made on macOS hold NFD names.
            base = nfc(plain[: -len(ft.suffix)])
            return _Located(ft, "/".join(parts[:-2]), base, source_format)
    return None


def _check_root(doc: _Doc, root: etree._Element, ft: _FileType) -> None:
    name = _local(root)
    if name != ft.root:
        article = "an" if ft.suffix.lstrip(".")[:1].lower() in "aeiou" else "a"
        raise InterchangeError(
            doc.path,
            f"{article} {ft.suffix} file must hold <{ft.root}>, found <{name}>",
            line=_line(root),
            element=name,
        )
    ns = _namespace(root)
    if ns not in (METADATA_NS, None):
        raise InterchangeError(
            doc.path,
            f"<{name}> is in the namespace {ns!r}, not Salesforce's {METADATA_NS!r}",
            line=_line(root),
            element=name,
        )


def _package_version(path: str, data: bytes, notes: list[str]) -> str | None:
    try:
        root = _parse_xml(path, data)
    except InterchangeError as exc:
        notes.append(f"{exc} (package.xml kept verbatim, its API version not read)")
        return None
    for child in root:
        if isinstance(child.tag, str) and _local(child) == "version":
            return (child.text or "").strip() or None
    return None


def _sfdx_version(data: bytes) -> str | None:
    m = re.search(rb'"sourceApiVersion"\s*:\s*"([0-9.]+)"', data)
    return m.group(1).decode() if m else None


class NoMetadataFound(InterchangeError):
    """The source holds no Salesforce metadata at all (empty, or only unrelated files).

    ``detail`` says what the source holds instead, e.g. "the folder is empty"."""

    def __init__(self, file: str, detail: str) -> None:
        super().__init__(file, f"no Salesforce metadata was found: {detail}")
        self.detail = detail


def _is_metadata_path(path: str) -> bool:
    """A file that marks a Salesforce project even when its type is not modelled."""
    pp = PurePosixPath(path)
    return (
        pp.name in ("package.xml", "sfdx-project.json")
        or pp.name.endswith(_META_SUFFIX)
        or (len(pp.parts) >= 2 and pp.parts[-2] in _PACKAGE_TYPES_BY_FOLDER)
    )


def read_project(
    source: Path,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    *,
    limits: SourceLimits | None = None,
) -> tuple[MetadataProject, list[str]]:
    """Read a Salesforce metadata project (folder or zip, either layout).

    Returns the project and notes for the import summary (unknown elements kept, files
    kept verbatim, values taken from file names). Raises :class:`InterchangeError`
    naming file, line and element for bad input, and :class:`InterchangeCancelled`
    when ``cancelled()`` turns true (checked between files). ``progress(done, total)``
    is called after each file.
    """
    files = list(iter_source_files(source, limits or SourceLimits()))
    total = len(files)
    notes: list[str] = []
    project = MetadataProject()
    located: list[tuple[int, _Located]] = [
        (i, loc) for i, f in enumerate(files) if (loc := _locate(f.path)) is not None
    ]
    if not located and not any(_is_metadata_path(f.path) for f in files):
        kind = "folder" if source.is_dir() else "zip"
        what = (
            f"the {kind} is empty"
            if not files
            else f"the {kind} holds {total} file{'s' if total != 1 else ''} but no package.xml, "
            "sfdx-project.json or metadata type folder (entitlementProcesses, milestoneTypes, "
            "entitlementTemplates, settings, ...)"
        )
        raise NoMetadataFound(source.name, what)
    roots = Counter(loc.root for _, loc in located)
    package_paths = [f.path for f in files if PurePosixPath(f.path).name == "package.xml"]
    if located:
        project.root = roots.most_common(1)[0][0]
        sources = sum(1 for _, loc in located if loc.source_format)
        project.layout = "source" if sources * 2 > len(located) else "mdapi"
    elif package_paths:
        project.root = str(PurePosixPath(min(package_paths, key=lambda p: p.count("/"))).parent)
        project.layout = "mdapi"
    else:
        is_source = any(
            f.path.startswith("force-app/") or f.path == "sfdx-project.json" for f in files
        )
        project.layout = "source" if is_source else "mdapi"
        project.root = _SOURCE_ROOT if is_source else _MDAPI_ROOT
    if project.root == ".":
        project.root = ""
    if len(roots) > 1:
        notes.append(
            "metadata found in several folders ("
            + ", ".join(sorted(r or "." for r in roots))
            + f"); {project.root or '.'} is used as the project root when writing"
        )
    by_index = dict(located)
    owners: dict[tuple[str, str, int], str] = {}
    kept: list[str] = []
    unknown_notes: list[str] = []
    for done, sf in enumerate(files, start=1):
        if cancelled is not None and cancelled():
            raise InterchangeCancelled(f"reading {source.name} was cancelled")
        data = sf.read()
        loc = by_index.get(done - 1)
        if loc is None:
            project.other_files.append(OtherMetadataFile(sf.path, data))
            kept.append(sf.path)
            name = PurePosixPath(sf.path).name
            if name == "package.xml" and sf.path in package_paths:
                root_package = f"{project.root}/package.xml" if project.root else "package.xml"
                if sf.path == root_package or project.api_version is None:
                    project.api_version = (
                        _package_version(sf.path, data, notes) or project.api_version
                    )
            elif name == "sfdx-project.json" and project.api_version is None:
                project.api_version = _sfdx_version(data)
        else:
            doc = _Doc(sf.path)
            root = _parse_xml(sf.path, data)
            _check_root(doc, root, loc.file_type)
            _read_file(doc, root, loc, project, notes, owners)
            if doc.unknown_names:
                names = ", ".join(f"<{n}>" for n in dict.fromkeys(doc.unknown_names))
                unknown_notes.append(
                    f"{sf.path}: kept {len(doc.unknown_names)} element(s) the model does not "
                    f"know verbatim: {names}"
                )
        if progress is not None:
            progress(done, total)
    notes.extend(unknown_notes)
    notes.extend(_kept_notes(kept))
    return project, notes


def _claim(
    owners: dict[tuple[str, str, int], str], doc: _Doc, kind: str, name: str, number: int = 0
) -> None:
    """Record which file defines a record; a second file for the same one is an error.

    Names are compared as Salesforce does: ignoring case, after NFC."""
    other = owners.setdefault((kind, name_key(name), number), doc.path)
    if other == doc.path:
        return
    if kind == "process":
        raise InterchangeError(
            doc.path,
            f"version {number} of process {name!r} is also defined by {other} (a file name "
            "without _vN and no <versionNumber> is version 1); keep only one of the two files",
        )
    raise InterchangeError(
        doc.path,
        f"{kind} {name!r} is also defined by {other} (names ignore case); "
        "keep only one of the two files",
    )


def _read_file(
    doc: _Doc,
    root: etree._Element,
    loc: _Located,
    project: MetadataProject,
    notes: list[str],
    owners: dict[tuple[str, str, int], str],
) -> None:
    ft = loc.file_type
    if ft is _PROCESS:
        version = _read_process(doc, root, loc.base, notes)
        _claim(owners, doc, "process", version.name, effective_version_number(version))
        project.processes.append(version)
    elif ft is _MILESTONE:
        milestone_type = _read_milestone_type(doc, root, loc.base)
        _claim(owners, doc, "milestone type", milestone_type.name)
        project.milestone_types.append(milestone_type)
    elif ft is _TEMPLATE:
        template = _read_template(doc, root, loc.base)
        _claim(owners, doc, "entitlement template", template.name)
        project.templates.append(template)
    elif ft is _ENT_SETTINGS:
        if project.entitlement_settings is not None:
            raise InterchangeError(doc.path, "a second Entitlement.settings file in the project")
        project.entitlement_settings = _read_entitlement_settings(doc, root)
    else:
        if project.business_hours_settings_present:
            raise InterchangeError(doc.path, "a second BusinessHours.settings file in the project")
        _read_business_hours_settings(doc, root, project)


def _kept_notes(paths: list[str]) -> list[str]:
    by_folder: dict[str, list[str]] = {}
    for p in paths:
        pp = PurePosixPath(p)
        by_folder.setdefault(str(pp.parent), []).append(pp.name)
    out: list[str] = []
    for folder, names in by_folder.items():
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        where = "the top folder" if folder == "." else folder
        out.append(f"kept verbatim, type not modelled: {len(names)} file(s) in {where} ({shown})")
    return out


# --------------------------------------------------------------------------- writing

_Value = str | Callable[[etree._Element], None]


def _q(name: str) -> str:
    return f"{{{METADATA_NS}}}{name}"


def _emit(
    parent: etree._Element,
    type_name: str,
    values: Mapping[str, Sequence[_Value] | _Value | None],
    unknown: Sequence[UnknownElement],
) -> None:
    """Append children in the XSD sequence order, with unknown elements put back after
    the modelled element they followed."""
    seq = [name for name, _, _ in SEQUENCES[type_name]]
    placed = set(seq)

    def put_unknown(after: str | None) -> None:
        for u in unknown:
            if u.after == after:
                parent.append(_unknown_element(u))

    put_unknown(None)
    for name in seq:
        raw = values.get(name)
        items: Sequence[_Value]
        if raw is None:
            items = ()
        elif isinstance(raw, str) or callable(raw):
            items = (raw,)
        else:
            items = raw
        for item in items:
            child = etree.SubElement(parent, _q(name))
            if isinstance(item, str):
                child.text = item
            else:
                item(child)
        put_unknown(name)
    for u in unknown:
        if u.after is not None and u.after not in placed:
            parent.append(_unknown_element(u))


def _unknown_element(u: UnknownElement) -> etree._Element:
    try:
        return etree.fromstring(u.xml.encode("utf-8"), _parser())
    except etree.XMLSyntaxError as exc:
        raise InterchangeError(
            "", f"a kept element is not XML any more ({exc.msg}): {u.xml[:80]!r}"
        ) from exc


def _b(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


def _i(value: int | None) -> str | None:
    return None if value is None else str(value)


def _d(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _t(value: time | None, kept: str | None) -> str | None:
    """A time as kept from the file when it still means the same, else canonical."""
    if value is None:
        return None
    if kept is not None and _parse_time_text(kept) == value:
        return kept
    return f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.000Z"


def _filter_item(item: FilterItem) -> Callable[[etree._Element], None]:
    def fill(el: etree._Element) -> None:
        _emit(
            el,
            "FilterItem",
            {
                "field": item.field,
                "operation": item.operation,
                "value": item.value,
                "valueField": item.value_field,
            },
            item.unknown,
        )

    return fill


def _action(action: ActionReference) -> Callable[[etree._Element], None]:
    def fill(el: etree._Element) -> None:
        _emit(
            el,
            "WorkflowActionReference",
            {"name": action.name, "type": action.type},
            action.unknown,
        )

    return fill


def _time_trigger(trigger: MilestoneTimeTrigger) -> Callable[[etree._Element], None]:
    def fill(el: etree._Element) -> None:
        _emit(
            el,
            "EntitlementProcessMilestoneTimeTrigger",
            {
                "actions": [_action(a) for a in trigger.actions],
                "timeLength": _i(trigger.time_length),
                "workflowTimeTriggerUnit": trigger.unit,
            },
            trigger.unknown,
        )

    return fill


def _milestone_item(m: ProcessMilestone) -> Callable[[etree._Element], None]:
    def fill(el: etree._Element) -> None:
        _emit(
            el,
            "EntitlementProcessMilestoneItem",
            {
                "agreementType": m.agreement_type,
                "businessHours": m.business_hours,
                "criteriaBooleanFilter": m.criteria_boolean_filter,
                "isDisplayedOnLinkedEntity": _b(m.is_displayed_on_linked_entity),
                "milestoneCriteriaFilterItems": [_filter_item(i) for i in m.criteria_items],
                "milestoneCriteriaFormula": m.criteria_formula,
                "milestoneName": m.milestone_name,
                "minutesCustomClass": m.minutes_custom_class,
                "minutesToComplete": _i(m.minutes_to_complete),
                "successActions": [_action(a) for a in m.success_actions],
                "timeTriggers": [_time_trigger(t) for t in m.time_triggers],
                "useCriteriaStartTime": _b(m.use_criteria_start_time),
            },
            m.unknown,
        )

    return fill


def _file_name_parts(p: EntitlementProcessVersion) -> tuple[str | None, int | None]:
    if p.file_name is None:
        return None, None
    m = _VERSION_RE.fullmatch(p.file_name)
    return (unquote(m.group(1)), int(m.group(2))) if m else (unquote(p.file_name), None)


def _process_root(p: EntitlementProcessVersion) -> etree._Element:
    root = _new_root("EntitlementProcess")
    file_base, file_number = _file_name_parts(p)
    name: str | None = p.name
    if "name" in p.from_file_name and p.name == file_base:
        name = None
    number = _i(p.version_number)
    if "version_number" in p.from_file_name and p.version_number == file_number:
        number = None
    _emit(
        root,
        "EntitlementProcess",
        {
            "fullName": p.full_name,
            "SObjectType": p.sobject_type,
            "active": _b(p.active),
            "businessHours": p.business_hours,
            "description": p.description,
            "entryStartDateField": p.entry_start_date_field,
            "exitCriteriaBooleanFilter": p.exit_criteria_boolean_filter,
            "exitCriteriaFilterItems": [_filter_item(i) for i in p.exit_criteria_items],
            "exitCriteriaFormula": p.exit_criteria_formula,
            "isRecordTypeApplied": _b(p.is_record_type_applied),
            "isVersionDefault": _b(p.is_version_default),
            "milestones": [_milestone_item(m) for m in p.milestones],
            "name": name,
            "recordType": p.record_type,
            "versionMaster": p.version_master,
            "versionNotes": p.version_notes,
            "versionNumber": number,
        },
        p.unknown,
    )
    return root


def _milestone_type_root(mt: MilestoneType) -> etree._Element:
    root = _new_root("MilestoneType")
    _emit(
        root,
        "MilestoneType",
        {
            "fullName": mt.full_name,
            "description": mt.description,
            "recurrenceType": mt.recurrence_type,
        },
        mt.unknown,
    )
    return root


def _template_root(t: EntitlementTemplate) -> etree._Element:
    root = _new_root("EntitlementTemplate")
    _emit(
        root,
        "EntitlementTemplate",
        {
            "fullName": t.full_name,
            "businessHours": t.business_hours,
            "casesPerEntitlement": _i(t.cases_per_entitlement),
            "entitlementProcess": t.entitlement_process,
            "isPerIncident": _b(t.is_per_incident),
            "term": _i(t.term),
            "type": t.type,
        },
        t.unknown,
    )
    return root


def _settings_root(s: EntitlementSettings) -> etree._Element:
    root = _new_root("EntitlementSettings")
    known = {name for name, _, _ in SEQUENCES["EntitlementSettings"]}
    values: dict[str, _Value | None] = {k: _b(v) for k, v in s.flags.items() if k in known}
    _emit(root, "EntitlementSettings", values, s.unknown)
    for k, v in s.flags.items():  # flags the schema does not know: kept, never dropped
        if k not in known:
            etree.SubElement(root, _q(k)).text = "true" if v else "false"
    return root


def business_hours_times(bh: BusinessHours) -> dict[str, str]:
    """The ``<dayStartTime>``/``<dayEndTime>`` values of business hours, as Salesforce
    holds them (one window per weekday, end 00:00 = midnight).

    Raises ``ValueError`` naming the day for a split shift or an overnight window.
    """
    out: dict[str, str] = {}
    for key in WEEKDAYS:
        day = _DAY_NAMES[key]
        windows = [w for w in bh.windows if w.weekday == key]
        if not windows:
            continue
        if len(windows) > 1:
            raise ValueError(
                f"business hours {bh.name!r} have {len(windows)} windows on {day.capitalize()}"
            )
        w = windows[0]
        if w.end is not None and w.end < w.start:
            raise ValueError(
                f"business hours {bh.name!r} have an overnight window on {day.capitalize()} "
                f"({w.start:%H:%M}-{w.end:%H:%M})"
            )
        start = _t(w.start, bh.xml_times.get(f"{day}StartTime"))
        end = _t(w.end or time(0), bh.xml_times.get(f"{day}EndTime"))
        assert start is not None and end is not None
        out[f"{day}StartTime"] = start
        out[f"{day}EndTime"] = end
    return out


def _business_hours_entry(bh: BusinessHours, path: str) -> Callable[[etree._Element], None]:
    try:
        times = business_hours_times(bh)
    except ValueError as exc:
        raise InterchangeError(
            path,
            f"{exc}, which Salesforce cannot hold; run the pre-flight check",
            element="businessHours",
        ) from None

    def fill(el: etree._Element) -> None:
        values: dict[str, _Value | None] = {
            "active": _b(bh.active),
            "default": _b(bh.default),
            "name": bh.name,
            "timeZoneId": bh.time_zone or None,
        }
        values.update(times)
        _emit(el, "BusinessHoursEntry", values, bh.unknown)

    return fill


def _holiday(h: Holiday, path: str) -> Callable[[etree._Element], None]:
    if h.national_country:
        raise InterchangeError(
            path,
            f"holiday {h.name!r} follows the national calendar of {h.national_country}, which "
            "Salesforce cannot hold; run the pre-flight check",
            element="holidays",
        )

    def fill(el: etree._Element) -> None:
        _emit(
            el,
            "Holiday",
            {
                "activityDate": _d(h.activity_date),
                "businessHours": list(h.business_hours),
                "description": h.description,
                "endTime": _t(h.end_time, h.xml_times.get("endTime")),
                "isRecurring": _b(h.is_recurring),
                "name": h.name,
                "recurrenceDayOfMonth": _i(h.recurrence_day_of_month),
                "recurrenceDayOfWeek": list(h.recurrence_day_of_week),
                "recurrenceDayOfWeekMask": _i(h.recurrence_day_of_week_mask),
                "recurrenceEndDate": _d(h.recurrence_end_date),
                "recurrenceInstance": h.recurrence_instance,
                "recurrenceInterval": _i(h.recurrence_interval),
                "recurrenceMonthOfYear": h.recurrence_month_of_year,
                "recurrenceStartDate": _d(h.recurrence_start_date),
                "recurrenceType": h.recurrence_type,
                "startTime": _t(h.start_time, h.xml_times.get("startTime")),
            },
            h.unknown,
        )

    return fill


def _bh_settings_root(project: MetadataProject, path: str) -> etree._Element:
    root = _new_root("BusinessHoursSettings")
    _emit(
        root,
        "BusinessHoursSettings",
        {
            "businessHours": [
                _business_hours_entry(b, path) for b in project.business_hours if not b.placeholder
            ],
            "holidays": [_holiday(h, path) for h in project.holidays],
        },
        project.business_hours_settings_unknown,
    )
    return root


def _serialise_document(root: etree._Element) -> bytes:
    etree.indent(root, space="    ")
    return _XML_DECLARATION + etree.tostring(root, encoding="unicode").encode("utf-8") + b"\n"


_FILE_NAME_UNSAFE = re.compile(r'[\x00-\x1f/\\:*?"<>|%]')


def encode_file_name(name: str) -> str:
    """A record name as a file base name: characters a file name cannot hold are
    percent-encoded (read back with ``urllib.parse.unquote``)."""
    return _FILE_NAME_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), name)


def process_file_base(p: EntitlementProcessVersion) -> str:
    """The file base name of a process version: as read, else ``name`` lowercased
    (Salesforce's NameNorm) plus ``_vN`` when the version has a number."""
    if p.file_name:
        return p.file_name
    base = encode_file_name(p.name.lower())
    return f"{base}_v{p.version_number}" if p.version_number is not None else base


def _check_base(base: str, what: str) -> str:
    if not base or base in (".", "..") or "/" in base or "\\" in base or "\x00" in base:
        raise InterchangeError(base or "(empty)", f"{what} cannot be used as a file name")
    return base


def _convert_other_path(
    path: str, old_root: str, new_root: str, to_layout: str, others: set[str]
) -> str:
    prefix = f"{old_root}/" if old_root else ""
    if old_root and not path.startswith(prefix):
        return path
    rel = path[len(prefix) :]
    if to_layout == "source":
        if "/" in rel and not rel.endswith(_META_SUFFIX) and f"{path}{_META_SUFFIX}" not in others:
            rel += _META_SUFFIX
    elif rel.endswith(_META_SUFFIX) and path[: -len(_META_SUFFIX)] not in others:
        rel = rel[: -len(_META_SUFFIX)]
    return f"{new_root}/{rel}" if new_root else rel


def _member_of(path: str) -> tuple[str, str] | None:
    """(package type, member) of a kept file, for a generated package.xml."""
    parts = path.split("/")
    if len(parts) < 2 or parts[-2] not in _PACKAGE_TYPES_BY_FOLDER:
        return None
    name = parts[-1]
    if name.endswith(_META_SUFFIX):
        name = name[: -len(_META_SUFFIX)]
    return _PACKAGE_TYPES_BY_FOLDER[parts[-2]], name.rsplit(".", 1)[0]


def _package_xml(members: Mapping[str, Iterable[str]], api_version: str) -> bytes:
    root = _new_root("Package")
    for type_name in sorted(members):
        types = etree.SubElement(root, _q("types"))
        for member in sorted(set(members[type_name])):
            etree.SubElement(types, _q("members")).text = member
        etree.SubElement(types, _q("name")).text = type_name
    etree.SubElement(root, _q("version")).text = api_version
    return _serialise_document(root)


def _package_covers(data: bytes, members: Mapping[str, Iterable[str]], api_version: str) -> bool:
    try:
        root = _parse_xml("package.xml", data)
    except InterchangeError:
        return False
    listed: dict[str, set[str]] = {}
    version = None
    for child in root:
        if not isinstance(child.tag, str):
            continue
        if _local(child) == "version":
            version = (child.text or "").strip()
        elif _local(child) == "types":
            names = [c for c in child if isinstance(c.tag, str) and _local(c) == "name"]
            if names:
                type_name = (names[0].text or "").strip()
                listed.setdefault(type_name, set()).update(
                    (c.text or "").strip()
                    for c in child
                    if isinstance(c.tag, str) and _local(c) == "members"
                )
    if version != api_version:
        return False
    for type_name, wanted in members.items():
        have = listed.get(type_name, set())
        if "*" not in have and not set(wanted) <= have:
            return False
    return True


def write_project(
    project: MetadataProject,
    out_dir: Path,
    layout: Literal["mdapi", "source"] | str = "mdapi",
    api_version: str | None = None,
) -> list[Path]:
    """Write a project as Salesforce metadata files under ``out_dir``; returns the files.
    What is written: see :func:`project_documents`."""
    return write_documents(project_documents(project, layout, api_version), out_dir)


def write_documents(documents: Mapping[str, bytes], out_dir: Path) -> list[Path]:
    """Write ``documents`` ('/'-separated path -> content) under ``out_dir``."""
    written: list[Path] = []
    for path, content in documents.items():
        pure = PurePosixPath(path)
        if pure.is_absolute() or ".." in pure.parts:
            raise InterchangeError(path, "the path would leave the output folder; not written")
        target = out_dir.joinpath(*pure.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written.append(target)
    return written


def project_documents(
    project: MetadataProject,
    layout: Literal["mdapi", "source"] | str = "mdapi",
    api_version: str | None = None,
) -> dict[str, bytes]:
    """The files of a project as Salesforce metadata: '/'-separated path -> content.

    Type folders go under ``project.root`` when the layout is the one read, else under
    ``src`` (mdapi) or ``force-app/main/default`` (source). Files keep the names they
    were read with; elements follow the XSD order with unknown elements put back where
    they were; 4-space indentation. Kept files (:class:`OtherMetadataFile`) are written
    verbatim (moved to the new root, ``-meta.xml`` added or removed, on a layout
    change). For mdapi a ``package.xml`` is written: the original when it still lists
    everything written at ``api_version``, else a generated one. Placeholder records
    are not written. Raises :class:`InterchangeError` for what Salesforce cannot hold
    (split shifts, overnight windows, national holidays) instead of dropping it, and for
    two records that would be written to the same file. Entitlement.settings elements
    that ``api_version`` does not know are left out when they are false (Salesforce's
    default; pre-flight warns), kept otherwise (pre-flight reports an error).
    """
    if layout not in ("mdapi", "source"):
        raise ValueError(f"layout must be 'mdapi' or 'source', not {layout!r}")
    version = api_version or project.api_version or API_VERSION_DEFAULT
    if project.layout == layout:
        root_dir = project.root
    else:
        root_dir = _SOURCE_ROOT if layout == "source" else _MDAPI_ROOT
    suffix_tail = _META_SUFFIX if layout == "source" else ""
    documents: dict[str, bytes] = {}
    members: dict[str, list[str]] = {}

    def rel(folder: str, file_name: str) -> str:
        inner = f"{folder}/{file_name}{suffix_tail}"
        return f"{root_dir}/{inner}" if root_dir else inner

    writers: dict[str, str] = {}

    def add(path: str, content: bytes, what: str = "") -> None:
        if path in documents:
            both = f"{writers[path]} and {what}" if writers[path] and what else "two records"
            raise InterchangeError(path, f"{both} would be written to this same file")
        documents[path] = content
        writers[path] = what

    for p in project.processes:
        if p.placeholder:
            continue
        base = _check_base(process_file_base(p), f"the process name {p.name!r}")
        what = f"process {p.name!r}" + (
            f" version {p.version_number}" if p.version_number is not None else ""
        )
        add(
            rel(_PROCESS.folder, base + _PROCESS.suffix),
            _serialise_document(_process_root(p)),
            what,
        )
        members.setdefault(_PROCESS.package_type, []).append(base)
    for mt in project.milestone_types:
        if mt.placeholder:
            continue
        base = _check_base(
            mt.file_name or encode_file_name(mt.name), f"the milestone type name {mt.name!r}"
        )
        add(
            rel(_MILESTONE.folder, base + _MILESTONE.suffix),
            _serialise_document(_milestone_type_root(mt)),
            f"milestone type {mt.name!r}",
        )
        members.setdefault(_MILESTONE.package_type, []).append(base)
    for t in project.templates:
        if t.placeholder:
            continue
        base = _check_base(t.file_name or encode_file_name(t.name), f"the template name {t.name!r}")
        add(
            rel(_TEMPLATE.folder, base + _TEMPLATE.suffix),
            _serialise_document(_template_root(t)),
            f"entitlement template {t.name!r}",
        )
        members.setdefault(_TEMPLATE.package_type, []).append(base)
    if project.entitlement_settings is not None:
        settings = project.entitlement_settings
        left_out = set(_default_unsupported_settings(project, version))
        if left_out:
            settings = dataclasses.replace(
                settings, flags={k: v for k, v in settings.flags.items() if k not in left_out}
            )
        add(rel("settings", _ENT_SETTINGS.suffix), _serialise_document(_settings_root(settings)))
        members.setdefault("Settings", []).append("Entitlement")
    has_bh = any(not b.placeholder for b in project.business_hours) or bool(project.holidays)
    if project.business_hours_settings_present or has_bh:
        path = rel("settings", _BH_SETTINGS.suffix)
        add(path, _serialise_document(_bh_settings_root(project, path)))
        members.setdefault("Settings", []).append("BusinessHours")

    others = {o.path for o in project.other_files}
    old_package = f"{project.root}/package.xml" if project.root else "package.xml"
    original_package: bytes | None = None
    package_path = f"{root_dir}/package.xml" if root_dir else "package.xml"
    for other in project.other_files:
        if project.layout == "mdapi" and other.path == old_package:
            original_package = other.content
            continue
        path = other.path
        if project.layout != layout:
            path = _convert_other_path(path, project.root, root_dir, layout, others)
        if layout == "mdapi" and path == package_path:
            # a package.xml kept from another imported project (merged workspaces): like
            # the original one, used only when it lists everything, else regenerated
            if original_package is None:
                original_package = other.content
            continue
        member = _member_of(path)
        if member is not None:
            members.setdefault(member[0], []).append(member[1])
        add(path, other.content, f"the file {other.path} (kept as imported)")
    if layout == "mdapi":
        if original_package is not None and _package_covers(original_package, members, version):
            add(package_path, original_package)
        else:
            add(package_path, _package_xml(members, version))

    return documents


# --------------------------------------------------------------------------- pre-flight

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class PreflightIssue:
    """Something that would fail (error) or surprise (warning) a deploy.

    ``where`` names the file or record; ``fix`` names the function of this module that
    repairs it automatically (one of :data:`PREFLIGHT_FIXES`, e.g.
    ``"strip_action_prefixes"``) or is ``None``. ``fixes`` lists every function that
    clears the issue, the recommended one (``fix``) first; given only ``fix``, ``fixes``
    is ``(fix,)``.
    """

    severity: Severity
    where: str
    message: str
    fix: str | None = None
    fixes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.fix is not None and not self.fixes:
            object.__setattr__(self, "fixes", (self.fix,))
        elif self.fix is None and self.fixes:
            object.__setattr__(self, "fix", self.fixes[0])

    @property
    def file(self) -> str:
        return self.where


@dataclass(frozen=True, slots=True)
class PreflightFix:
    """An automatic pre-flight fix: ``name`` is the function of this module, ``flag`` the
    value of the command line's ``--fix`` (``None``: done by giving a reference org)."""

    name: str
    flag: str | None
    label: str
    description: str


PREFLIGHT_FIXES: Final[tuple[PreflightFix, ...]] = (
    PreflightFix(
        "strip_action_prefixes",
        "strip-action-prefixes",
        "Strip object prefixes from action names",
        "Case.Notify_Owner becomes Notify_Owner, the name a redeploy expects.",
    ),
    PreflightFix(
        "drop_unsupported_settings",
        "drop-unsupported-settings",
        "Leave out settings the API version does not know",
        "Entitlement.settings elements newer than the chosen API version are not written.",
    ),
    PreflightFix(
        "approximate_business_hours",
        "approximate-hours",
        "Approximate business hours Salesforce cannot hold",
        "Each day becomes one window from its first opening to its last closing (gaps become "
        "worked time); overnight windows are split at midnight; national-calendar holidays "
        "become dated one-off holidays for this year and the next two.",
    ),
    PreflightFix(
        "omit_inexpressible_business_hours",
        "omit-inexpressible-hours",
        "Leave out business hours Salesforce cannot hold",
        "Business hours with split shifts or overnight windows and national-calendar holidays "
        "are not written; the target org must have its own business hours of those names.",
    ),
    PreflightFix(
        "single_default_business_hours",
        "single-default-hours",
        "Keep one default business hours",
        "Of the business hours marked default, the one the export uses most stays the "
        "default (the first of equals); the others are written as not default.",
    ),
    PreflightFix(
        "enable_entitlement_versioning",
        "enable-versioning",
        "Turn entitlement versioning on",
        "The exported Entitlement.settings turns versioning on, so that the target org takes "
        "versioned processes; once on, it cannot be turned off again.",
    ),
    PreflightFix(
        "plan_against_reference",
        None,
        "Plan against the target org",
        "Only the versions the target org lacks are written, numbered after its latest.",
    ),
)


def preflight_fix(name: str) -> PreflightFix:
    """The fix named by its function ``name`` or its command-line flag; ``KeyError`` else."""
    for f in PREFLIGHT_FIXES:
        if name in (f.name, f.flag):
            return f
    raise KeyError(name)


MAX_MILESTONES_PER_PROCESS: Final = 10
MAX_PROCESSES: Final = 1000
_NAME_LIMITS: Final = {
    "process": 120,
    "milestone type": 80,
    "template": 80,
    "business hours": 80,
    "holiday": 80,
}
_NAME_REJECTED = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


def _api_number(version: str | None) -> float | None:
    if version is None:
        return None
    try:
        return float(version)
    except ValueError:
        return None


def _versions_by_name(
    processes: Iterable[EntitlementProcessVersion],
) -> dict[str, list[EntitlementProcessVersion]]:
    out: dict[str, list[EntitlementProcessVersion]] = {}
    for p in processes:
        if not p.placeholder:
            out.setdefault(_process_key(p), []).append(p)
    return out


def _process_key(p: EntitlementProcessVersion) -> str:
    """Versions of one process share this key: the name, case-folded (Salesforce's
    NameNorm is the lowercased name)."""
    return p.name.casefold()


def _name_issues(kind: str, name: str, where: str) -> list[PreflightIssue]:
    issues: list[PreflightIssue] = []
    if not name.strip():
        issues.append(PreflightIssue("error", where, f"the {kind} has an empty name"))
        return issues
    bad = sorted(set(_NAME_REJECTED.findall(name)))
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        issues.append(
            PreflightIssue(
                "error",
                where,
                f"the {kind} name {name!r} holds characters a deploy rejects: {shown}",
            )
        )
    if name != name.strip():
        issues.append(
            PreflightIssue("error", where, f"the {kind} name {name!r} begins or ends with a space")
        )
    limit = _NAME_LIMITS[kind]
    if len(name) > limit:
        issues.append(
            PreflightIssue(
                "error",
                where,
                f"the {kind} name is {len(name)} characters long; Salesforce allows {limit}",
            )
        )
    return issues


def _process_where(p: EntitlementProcessVersion) -> str:
    return f"entitlementProcesses/{process_file_base(p)}"


def preflight(
    project: MetadataProject,
    target_api_version: str = API_VERSION_DEFAULT,
    reference: MetadataProject | None = None,
) -> list[PreflightIssue]:
    """What would fail or surprise a deploy of ``project`` to an org.

    ``reference`` is the target org's own retrieved project, when known: versions and
    records it holds count as present.
    """
    issues: list[PreflightIssue] = []
    issues += _version_issues(project, reference)
    issues += _action_issues(project)
    issues += _calendar_issues(project)
    issues += _limit_and_name_issues(project)
    issues += _settings_issues(project, target_api_version)
    issues += _reference_issues(project, reference)
    return issues


def _version_issues(
    project: MetadataProject, reference: MetadataProject | None
) -> list[PreflightIssue]:
    issues: list[PreflightIssue] = []
    org = _versions_by_name(reference.processes) if reference is not None else {}
    for key, versions in _versions_by_name(project.processes).items():
        numbers = [v.version_number for v in versions if v.version_number is not None]
        org_versions = org.get(key, [])
        org_numbers = {v.version_number or 1 for v in org_versions}
        dupes = sorted(n for n, c in Counter(numbers).items() if c > 1)
        for n in dupes:
            issues.append(
                PreflightIssue(
                    "error", f"process {versions[0].name!r}", f"version {n} appears more than once"
                )
            )
        present = set(numbers) | org_numbers
        for v in versions:
            if v.version_number is None or v.version_number <= 1:
                continue
            missing = [n for n in range(1, v.version_number) if n not in present]
            if missing:
                listed = ", ".join(f"v{n}" for n in missing)
                where_org = (
                    " nor in the target org"
                    if reference is not None
                    else " (and no target org was given)"
                )
                issues.append(
                    PreflightIssue(
                        "error",
                        _process_where(v),
                        f"version {v.version_number} of {v.name!r} needs {listed}, which "
                        f"{'is' if len(missing) == 1 else 'are'} not in the export{where_org}; Salesforce "
                        "answers 'another entitlement process is already using this name'",
                        "plan_against_reference" if reference is not None else None,
                    )
                )
        if reference is not None and org_versions:
            org_by_number = {o.version_number or 1: o for o in org_versions}
            for v in versions:
                o = org_by_number.get(v.version_number or 1)
                if o is not None and _content_key(o) != _content_key(v):
                    issues.append(
                        PreflightIssue(
                            "error",
                            _process_where(v),
                            f"the target org already has version {v.version_number or 1} of {v.name!r} "
                            "with different content; it would be overwritten or refused",
                            "plan_against_reference",
                        )
                    )
        masters = {v.version_master for v in versions if v.version_master}
        if len(masters) > 1:
            issues.append(
                PreflightIssue(
                    "warning",
                    f"process {versions[0].name!r}",
                    "the versions carry different versionMaster values: "
                    + ", ".join(sorted(masters)),
                )
            )
        defaults = [v for v in versions if v.is_version_default]
        if len(defaults) > 1:
            issues.append(
                PreflightIssue(
                    "warning",
                    f"process {versions[0].name!r}",
                    f"{len(defaults)} versions are marked default",
                )
            )
    issues += _versioning_setting_issues(project, reference)
    return issues


def _versioning_flag(project: MetadataProject | None) -> bool | None:
    if project is None or project.entitlement_settings is None:
        return None
    return project.entitlement_settings.flags.get(_VERSIONING)


def _versioning_setting_issues(
    project: MetadataProject, reference: MetadataProject | None
) -> list[PreflightIssue]:
    """Versioned processes (``versionNumber``) deploy only to an org with entitlement
    versioning on: refused when the export's own Entitlement.settings turns it off, or the
    target org has it off; turning it on there cannot be undone, so the export waits for
    the user to choose ``enable_entitlement_versioning`` (which the caller then takes as
    confirmed, see ``metadata_export.plan_metadata_export``)."""
    versioned = sorted(
        {p.name for p in project.processes if not p.placeholder and p.version_number is not None}
    )
    if not versioned:
        return []
    own, org = _versioning_flag(project), _versioning_flag(reference)
    where = "settings/Entitlement.settings"
    names = ", ".join(repr(n) for n in versioned)
    if own is False:
        return [
            PreflightIssue(
                "error",
                where,
                f"the export holds versioned processes ({names}) but its Entitlement.settings "
                "turns entitlement versioning off; the deploy refuses their version numbers",
                "enable_entitlement_versioning",
            )
        ]
    if org is False and own is None:
        return [
            PreflightIssue(
                "error",
                where,
                f"the export holds versioned processes ({names}) but the target org has "
                "entitlement versioning off; the deploy refuses their version numbers",
                "enable_entitlement_versioning",
            )
        ]
    if org is False and own is True:
        return [
            PreflightIssue(
                "error",
                where,
                "the export turns entitlement versioning on in the target org, where it is "
                "off; once on, it cannot be turned off again, so confirm it",
                "enable_entitlement_versioning",
            )
        ]
    return []


def _all_actions(p: EntitlementProcessVersion) -> Iterable[ActionReference]:
    for m in p.milestones:
        yield from m.success_actions
        for t in m.time_triggers:
            yield from t.actions


def _action_issues(project: MetadataProject) -> list[PreflightIssue]:
    issues: list[PreflightIssue] = []
    for p in project.processes:
        if p.placeholder:
            continue
        prefixed = sorted({a.name for a in _all_actions(p) if "." in a.name})
        if prefixed:
            issues.append(
                PreflightIssue(
                    "warning",
                    _process_where(p),
                    "action names carry an object prefix, which breaks redeploys: "
                    + ", ".join(prefixed),
                    "strip_action_prefixes",
                )
            )
    return issues


_RECURRENCE_NEEDS: Final[dict[str, tuple[str, ...]]] = {
    "RecursDaily": ("recurrence_interval",),
    "RecursEveryWeekday": (),
    "RecursWeekly": ("recurrence_interval",),
    "RecursMonthly": ("recurrence_interval", "recurrence_day_of_month"),
    "RecursMonthlyNth": ("recurrence_interval", "recurrence_instance"),
    "RecursYearly": ("recurrence_month_of_year", "recurrence_day_of_month"),
    "RecursYearlyNth": ("recurrence_month_of_year", "recurrence_instance"),
}


_HOURS_FIXES: Final = ("approximate_business_hours", "omit_inexpressible_business_hours")
_VERSIONING: Final = "enableEntitlementVersioning"
_DAY_MINUTES: Final = 24 * 60
_Span = tuple[int, int]  # minutes from the day's midnight, end 1440 = 24:00


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _span_text(span: _Span) -> str:
    return f"{_clock(span[0])}–{_clock(span[1])}"


def _window_text(w: BusinessHoursWindow) -> str:
    return f"{w.start:%H:%M}–{'24:00' if w.end is None else format(w.end, '%H:%M')}"


def _day_spans(bh: BusinessHours) -> dict[str, list[_Span]]:
    """Each weekday's worked spans once overnight windows are split at midnight (the part
    after midnight belongs to the next day; Sunday's goes to Monday)."""
    spans: dict[str, list[_Span]] = {key: [] for key in WEEKDAYS}
    for w in bh.windows:
        start = _minutes(w.start)
        end = _DAY_MINUTES if w.end is None else _minutes(w.end)
        if end < start:
            spans[w.weekday].append((start, _DAY_MINUTES))
            if end > 0:
                following = WEEKDAYS[(WEEKDAYS.index(w.weekday) + 1) % len(WEEKDAYS)]
                spans[following].append((0, end))
        else:
            spans[w.weekday].append((start, end))
    return {key: sorted(v) for key, v in spans.items()}


def _gaps(spans: Sequence[_Span]) -> list[_Span]:
    """The unworked stretches between the first opening and the last closing."""
    gaps: list[_Span] = []
    reach: int | None = None
    for start, end in sorted(spans):
        if reach is not None and start > reach:
            gaps.append((reach, start))
        reach = end if reach is None else max(reach, end)
    return gaps


def _is_overnight(w: BusinessHoursWindow) -> bool:
    return w.end is not None and w.end < w.start


def _inexpressible_days(bh: BusinessHours) -> list[str]:
    """Weekdays whose windows Salesforce cannot hold as they are: more than one window, an
    overnight window, or the after-midnight part of the previous day's overnight window."""
    days: set[str] = set()
    for key in WEEKDAYS:
        own = [w for w in bh.windows if w.weekday == key]
        if len(own) > 1:
            days.add(key)
        for w in own:
            if _is_overnight(w):
                days.add(key)
                if w.end is not None and w.end != time(0):
                    days.add(WEEKDAYS[(WEEKDAYS.index(key) + 1) % len(WEEKDAYS)])
    return [key for key in WEEKDAYS if key in days]


def _day_list(keys: Sequence[str]) -> str:
    """``Monday–Friday``, ``Monday, Wednesday``: runs of three or more days with a dash."""
    runs: list[list[str]] = []
    for key in keys:
        if runs and WEEKDAYS.index(key) == WEEKDAYS.index(runs[-1][-1]) + 1:
            runs[-1].append(key)
        else:
            runs.append([key])
    parts: list[str] = []
    for run in runs:
        names = [_DAY_NAMES[k].capitalize() for k in run]
        parts.append(f"{names[0]}–{names[-1]}" if len(names) >= 3 else ", ".join(names))
    return ", ".join(parts)


def _worked_time_text(gaps: Sequence[str]) -> str:
    if not gaps:
        return "nothing is lost"
    return f"{', '.join(gaps)} would be worked time in Salesforce"


def _hours_approximation_notes(bh: BusinessHours) -> list[str]:
    """One message per split-shift pattern (days with equal windows together) and per
    overnight window, saying what :func:`approximate_business_hours` would change."""
    spans = _day_spans(bh)
    own = {key: [w for w in bh.windows if w.weekday == key] for key in WEEKDAYS}
    split: dict[str, list[str]] = {}
    for key in WEEKDAYS:
        if len(own[key]) > 1:
            day_spans = spans[key]
            shown = ", ".join(_window_text(w) for w in own[key])
            previous = WEEKDAYS[WEEKDAYS.index(key) - 1]
            carried = [
                w
                for w in own[previous]
                if _is_overnight(w) and w.end is not None and w.end != time(0)
            ]
            if carried:
                assert carried[0].end is not None
                shown += (
                    f", 00:00–{carried[0].end:%H:%M} from "
                    f"{_DAY_NAMES[previous].capitalize()}'s overnight window"
                )
            approximated = _span_text((day_spans[0][0], max(e for _, e in day_spans)))
            gained = _worked_time_text([_span_text(g) for g in _gaps(day_spans)])
            pattern = (
                f"{len(own[key])} windows ({shown}); Salesforce holds one window per day. "
                f"Approximated as {approximated}: {gained}"
            )
            split.setdefault(pattern, []).append(key)
    notes = [f"{_day_list(keys)}: {pattern}" for pattern, keys in split.items()]
    for key in WEEKDAYS:
        for w in own[key]:
            if not _is_overnight(w):
                continue
            day = _DAY_NAMES[key].capitalize()
            following = WEEKDAYS[(WEEKDAYS.index(key) + 1) % len(WEEKDAYS)]
            next_day = _DAY_NAMES[following].capitalize()
            parts = [f"{day} {w.start:%H:%M}–24:00"]
            lost: list[str] = []
            if w.end is not None and w.end != time(0):
                parts.append(f"{next_day} 00:00–{w.end:%H:%M}")
                if len(own[following]) <= 1:
                    lost = [f"{next_day} {_span_text(g)}" for g in _gaps(spans[following])]
                else:  # the split next day has its own message, gaps included
                    lost = [f"{next_day}'s gaps (see {next_day})"]
            notes.append(
                f"overnight window on {day} ({_window_text(w)}); Salesforce windows end on "
                f"the day they start. Approximated as {' and '.join(parts)}: "
                + _worked_time_text(lost)
            )
    return notes


def national_holiday_years(today: date | None = None) -> list[int]:
    """The years :func:`approximate_business_hours` writes national-calendar holidays for:
    this year and the next two."""
    year = (today or date.today()).year
    return [year, year + 1, year + 2]


def _national_dates(h: Holiday, years: Sequence[int]) -> list[tuple[date, str]]:
    """``(date, public holiday name)`` of the national calendar ``h`` follows, in ``years``.
    Raises ``NotImplementedError`` (or ``KeyError``) for a calendar the library lacks."""
    import holidays as public_holidays

    assert h.national_country is not None
    wanted = set(years)
    listed = public_holidays.country_holidays(
        h.national_country,
        subdiv=h.national_subdivision,
        observed=h.national_observed,
        years=sorted(wanted),
    )
    return sorted((d, str(name)) for d, name in listed.items() if d.year in wanted)


def _calendar_issues(project: MetadataProject) -> list[PreflightIssue]:
    issues: list[PreflightIssue] = []
    where_settings = "settings/BusinessHours.settings"
    for bh in project.business_hours:
        if bh.placeholder:
            continue
        where = f"business hours {bh.name!r}"
        issues += [
            PreflightIssue("error", where, message, fixes=_HOURS_FIXES)
            for message in _hours_approximation_notes(bh)
        ]
        if not bh.time_zone:
            issues.append(PreflightIssue("error", where, "no time zone"))
    defaults = [b for b in project.business_hours if b.default and not b.placeholder]
    if len(defaults) > 1:
        names = ", ".join(repr(b.name) for b in defaults)
        issues.append(
            PreflightIssue(
                "error",
                where_settings,
                f"{len(defaults)} business hours are marked default ({names}); "
                "Salesforce allows only one",
                "single_default_business_hours",
            )
        )
    for h in project.holidays:
        where = f"holiday {h.name!r}"
        if h.national_country:
            region = h.national_country + (
                f"-{h.national_subdivision}" if h.national_subdivision else ""
            )
            years = national_holiday_years()
            try:
                count = len(_national_dates(h, years))
            except (NotImplementedError, KeyError, ValueError):
                issues.append(
                    PreflightIssue(
                        "error",
                        where,
                        f"follows the national calendar of {region}, which Salesforce cannot "
                        "hold and the holidays library does not know: the approximation "
                        "leaves it out",
                        fixes=_HOURS_FIXES,
                    )
                )
                continue
            issues.append(
                PreflightIssue(
                    "error",
                    where,
                    f"follows the national calendar of {region}, which Salesforce cannot hold. "
                    f"Approximated as {count} dated holidays for {years[0]}–{years[-1]}: "
                    "later years would have no holidays in Salesforce",
                    fixes=_HOURS_FIXES,
                )
            )
            continue
        if (h.start_time is None) != (h.end_time is None):
            issues.append(
                PreflightIssue(
                    "error", where, "a partial-day holiday needs both a start and an end time"
                )
            )
        elif h.start_time is not None and h.end_time is not None and h.end_time <= h.start_time:
            issues.append(
                PreflightIssue(
                    "error",
                    where,
                    f"the time range {h.start_time:%H:%M}-{h.end_time:%H:%M} crosses midnight or is empty; "
                    "Salesforce holiday times lie within one day",
                )
            )
        if h.is_recurring:
            if h.recurrence_type is None:
                issues.append(
                    PreflightIssue("error", where, "a recurring holiday needs a recurrence type")
                )
            else:
                needs = _RECURRENCE_NEEDS.get(h.recurrence_type, ())
                missing = [n for n in needs if getattr(h, n) is None]
                if h.recurrence_type in (
                    "RecursWeekly",
                    "RecursMonthlyNth",
                    "RecursYearlyNth",
                ) and not (h.recurrence_day_of_week or h.recurrence_day_of_week_mask):
                    missing.append("recurrence_day_of_week")
                if missing:
                    issues.append(
                        PreflightIssue(
                            "error",
                            where,
                            f"a {h.recurrence_type} holiday needs " + ", ".join(missing),
                        )
                    )
            if h.recurrence_start_date is None:
                issues.append(
                    PreflightIssue(
                        "error", where, "a recurring holiday needs a recurrence start date"
                    )
                )
            if h.activity_date is not None:
                issues.append(
                    PreflightIssue(
                        "warning",
                        where,
                        "a recurring holiday with an activity date: the date is ignored",
                    )
                )
        elif h.activity_date is None:
            issues.append(PreflightIssue("error", where, "a one-off holiday needs a date"))
        elif h.recurrence_type is not None:
            issues.append(
                PreflightIssue(
                    "warning",
                    where,
                    "recurrence fields on a holiday that is not recurring are ignored",
                )
            )
    return issues


def _limit_and_name_issues(project: MetadataProject) -> list[PreflightIssue]:
    issues: list[PreflightIssue] = []
    names = _versions_by_name(project.processes)
    if len(names) > MAX_PROCESSES:
        issues.append(
            PreflightIssue(
                "warning",
                "entitlementProcesses",
                f"{len(names)} processes; Salesforce allows {MAX_PROCESSES}",
            )
        )
    for p in project.processes:
        if p.placeholder:
            continue
        where = _process_where(p)
        if len(p.milestones) > MAX_MILESTONES_PER_PROCESS:
            issues.append(
                PreflightIssue(
                    "warning",
                    where,
                    f"{len(p.milestones)} milestone entries; Salesforce documents a limit of "
                    f"{MAX_MILESTONES_PER_PROCESS} per process",
                )
            )
        for n, m in enumerate(p.milestones, 1):
            if m.minutes_to_complete is not None and m.minutes_to_complete < 1:
                issues.append(
                    PreflightIssue(
                        "error",
                        where,
                        f"milestone {n} ({m.milestone_name!r}) has {m.minutes_to_complete} "
                        "minutes to complete; Salesforce takes a whole number of at least 1",
                    )
                )
        if p.sobject_type is not None and p.sobject_type not in ("Case", "WorkOrder"):
            issues.append(
                PreflightIssue(
                    "error",
                    where,
                    f"<SObjectType> is {p.sobject_type!r}; entitlement processes run on Case "
                    "or WorkOrder",
                )
            )
        issues += _name_issues("process", p.name, where)
    for mt in project.milestone_types:
        if not mt.placeholder:
            issues += _name_issues("milestone type", mt.name, f"milestoneTypes/{mt.name}")
    for t in project.templates:
        if not t.placeholder:
            issues += _name_issues("template", t.name, f"entitlementTemplates/{t.name}")
    return issues


def unsupported_settings(project: MetadataProject, api_version: str) -> list[str]:
    """Entitlement.settings elements that API ``api_version`` does not know."""
    target = _api_number(api_version)
    settings = project.entitlement_settings
    if settings is None or target is None:
        return []
    out: list[str] = []
    for name in settings.flags:
        since = ENTITLEMENT_SETTINGS_SINCE.get(name)
        if since is None or since > target:
            out.append(name)
    for u in settings.unknown:
        name = _unknown_name(u)
        since = ENTITLEMENT_SETTINGS_SINCE.get(name)
        if since is None or since > target:
            out.append(name)
    return out


def _default_unsupported_settings(project: MetadataProject, api_version: str) -> list[str]:
    """The :func:`unsupported_settings` that are false flags of a known API version:
    Salesforce's default, so leaving them out of the export changes nothing."""
    settings = project.entitlement_settings
    if settings is None:
        return []
    return [
        name
        for name in unsupported_settings(project, api_version)
        if settings.flags.get(name) is False and name in ENTITLEMENT_SETTINGS_SINCE
    ]


def _unknown_name(u: UnknownElement) -> str:
    m = re.match(r"<\s*(?:[\w.-]+:)?([\w.-]+)", u.xml)
    return m.group(1) if m else ""


def _settings_issues(project: MetadataProject, api_version: str) -> list[PreflightIssue]:
    issues: list[PreflightIssue] = []
    if _api_number(api_version) is None:
        issues.append(
            PreflightIssue(
                "error", "package.xml", f"{api_version!r} is not an API version like 66.0"
            )
        )
        return issues
    left_out = set(_default_unsupported_settings(project, api_version))
    for name in unsupported_settings(project, api_version):
        since = ENTITLEMENT_SETTINGS_SINCE.get(name)
        detail = (
            f"arrived in API {since:.1f}"
            if since is not None
            else "is not in the Metadata API schema"
        )
        if name in left_out:
            issues.append(
                PreflightIssue(
                    "warning",
                    "settings/Entitlement.settings",
                    f"<{name}> {detail}; API {api_version} does not know it: left out "
                    "(it is false, Salesforce's default)",
                    "drop_unsupported_settings",  # so a reference export reports it dropped
                )
            )
            continue
        issues.append(
            PreflightIssue(
                "error",
                "settings/Entitlement.settings",
                f"<{name}> {detail}; API {api_version} does not know it",
                "drop_unsupported_settings",
            )
        )
    return issues


def missing_references(project: MetadataProject) -> list[tuple[str, str, str]]:
    """References to records the project does not hold (or holds only as placeholders):
    ``(kind, name, referenced_by)`` with kind ``milestone type``, ``business hours``
    or ``process``. Partial retrieves are full of these; they are not errors."""
    milestone_names = {m.name for m in project.milestone_types if not m.placeholder}
    hours = {b.name for b in project.business_hours if not b.placeholder}
    processes = {p.name.casefold() for p in project.processes if not p.placeholder}
    processes |= {process_file_base(p).casefold() for p in project.processes if not p.placeholder}
    processes |= {
        _VERSION_RE.sub(r"\1", process_file_base(p)).casefold()
        for p in project.processes
        if not p.placeholder
    }
    out: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str, str]] = set()

    def add(kind: str, name: str, by: str) -> None:
        if (kind, name, by) not in seen:
            seen.add((kind, name, by))
            out.append((kind, name, by))

    for p in project.processes:
        if p.placeholder:
            continue
        where = _process_where(p)
        if p.business_hours and p.business_hours not in hours:
            add("business hours", p.business_hours, where)
        for m in p.milestones:
            if m.milestone_name not in milestone_names:
                add("milestone type", m.milestone_name, where)
            if m.business_hours and m.business_hours not in hours:
                add("business hours", m.business_hours, where)
    for t in project.templates:
        if t.placeholder:
            continue
        where = f"entitlementTemplates/{t.name}"
        if t.business_hours and t.business_hours not in hours:
            add("business hours", t.business_hours, where)
        if t.entitlement_process and t.entitlement_process.casefold() not in processes:
            add("process", t.entitlement_process, where)
    for h in project.holidays:
        for b in h.business_hours:
            if b not in hours:
                add("business hours", b, f"holiday {h.name!r}")
    return out


def _reference_issues(
    project: MetadataProject, reference: MetadataProject | None
) -> list[PreflightIssue]:
    issues: list[PreflightIssue] = []
    org_milestones = {m.name for m in reference.milestone_types} if reference is not None else set()
    org_hours = {b.name for b in reference.business_hours} if reference is not None else set()
    org_processes = (
        {p.name.casefold() for p in reference.processes} if reference is not None else set()
    )
    for kind, name, by in missing_references(project):
        known = (
            (kind == "milestone type" and name in org_milestones)
            or (kind == "business hours" and name in org_hours)
            or (kind == "process" and name.casefold() in org_processes)
        )
        if known:
            continue
        where = (
            " nor in the target org"
            if reference is not None
            else "; the target org must already have it"
        )
        issues.append(
            PreflightIssue(
                "warning", by, f"uses the {kind} {name!r}, which is not in the export{where}"
            )
        )
    return issues


# --------------------------------------------------------------------------- fixes


def strip_action_prefixes(project: MetadataProject) -> MetadataProject:
    """A copy of ``project`` whose action names lose their object prefix
    (``Case.Notify_Owner`` -> ``Notify_Owner``)."""
    result = copy.deepcopy(project)
    for p in result.processes:
        for action in _all_actions(p):
            if "." in action.name:
                action.name = action.name.rsplit(".", 1)[1]
    return result


def enable_entitlement_versioning(project: MetadataProject) -> MetadataProject:
    """A copy of ``project`` whose Entitlement.settings (made when missing) turns entitlement
    versioning on."""
    result = copy.deepcopy(project)
    if result.entitlement_settings is None:  # the schema requires enableEntitlements
        result.entitlement_settings = EntitlementSettings({"enableEntitlements": True})
    result.entitlement_settings.flags[_VERSIONING] = True
    return result


def drop_unsupported_settings(project: MetadataProject, api_version: str) -> MetadataProject:
    """A copy of ``project`` without the Entitlement.settings elements that API
    ``api_version`` does not know."""
    result = copy.deepcopy(project)
    drop = set(unsupported_settings(result, api_version))
    settings = result.entitlement_settings
    if settings is not None and drop:
        settings.flags = {k: v for k, v in settings.flags.items() if k not in drop}
        settings.unknown = [u for u in settings.unknown if _unknown_name(u) not in drop]
    return result


def approximate_business_hours(
    project: MetadataProject, years: Sequence[int] | None = None
) -> MetadataProject:
    """A copy of ``project`` whose calendars Salesforce can hold, approximated.

    Business hours: every day with more than one window, an overnight window or the
    after-midnight part of one becomes ONE window from its first opening to its last
    closing, so gaps (a lunch break) become worked time and Salesforce deadlines fall no
    later than planned. Overnight windows are split at midnight first (Fri 22:00–06:00 is
    Fri 22:00–24:00 and Sat 00:00–06:00; Sunday's goes to Monday). Other days and other
    business hours are untouched.

    Holidays following a national calendar become dated one-off holidays (same times and
    business hours) for ``years`` (default :func:`national_holiday_years`), named
    ``"<holiday>: <public holiday> <year>"``; a calendar the holidays library does not
    know is left out.
    """
    result = copy.deepcopy(project)
    for bh in result.business_hours:
        if bh.placeholder:
            continue
        changed = _inexpressible_days(bh)
        if not changed:
            continue
        spans = _day_spans(bh)
        windows: list[BusinessHoursWindow] = []
        for key in WEEKDAYS:
            if key not in changed:
                windows += [w for w in bh.windows if w.weekday == key]
                continue
            start = spans[key][0][0]
            end = max(e for _, e in spans[key])
            windows.append(
                BusinessHoursWindow(
                    key,
                    time(start // 60, start % 60),
                    None if end == _DAY_MINUTES else time(end // 60, end % 60),
                )
            )
            for edge in ("StartTime", "EndTime"):
                bh.xml_times.pop(f"{_DAY_NAMES[key]}{edge}", None)
        bh.windows = windows
    chosen = list(years) if years is not None else national_holiday_years()
    holidays: list[Holiday] = []
    taken = {h.name for h in result.holidays if not h.national_country}
    for h in result.holidays:
        if not h.national_country:
            holidays.append(h)
            continue
        try:
            dates = _national_dates(h, chosen)
        except (NotImplementedError, KeyError, ValueError):
            continue
        region = h.national_country + (
            f"-{h.national_subdivision}" if h.national_subdivision else ""
        )
        for day, public_name in dates:
            name = _dated_holiday_name(h.name, public_name, day, taken)
            taken.add(name)
            holidays.append(
                Holiday(
                    name=name,
                    description=f"{public_name} ({region} national calendar)",
                    activity_date=day,
                    start_time=h.start_time,
                    end_time=h.end_time,
                    is_recurring=False,
                    business_hours=list(h.business_hours),
                )
            )
    result.holidays = holidays
    return result


def _dated_holiday_name(base: str, public_name: str, day: date, taken: set[str]) -> str:
    """``"<base>: <public name> <year>"`` within Salesforce's 80 characters (a long
    ``base`` is cut first), unique (else the full date replaces the year)."""
    limit = _NAME_LIMITS["holiday"]
    name = base
    for suffix in (f" {day.year}", f" {day.isoformat()}"):
        tail = f": {public_name}{suffix}"
        room = limit - len(tail)
        if len(base) <= room:
            name = base + tail
        elif room >= 10:
            name = base[: room - 1].rstrip() + "…" + tail
        else:
            name = f"{base}: {public_name}"[: limit - len(suffix) - 1].rstrip() + "…" + suffix
        if name not in taken:
            return name
    return name


def _business_hours_uses(project: MetadataProject) -> Counter[str]:
    """How many processes, milestones, templates and holidays name each business hours."""
    uses: Counter[str] = Counter()
    for p in project.processes:
        if p.business_hours:
            uses[p.business_hours] += 1
        uses.update(m.business_hours for m in p.milestones if m.business_hours)
    uses.update(t.business_hours for t in project.templates if t.business_hours)
    for h in project.holidays:
        uses.update(h.business_hours)
    return uses


def kept_default_business_hours(project: MetadataProject) -> str | None:
    """The business hours :func:`single_default_business_hours` keeps as the default: of
    those marked default, the one the project uses most, the first of equals."""
    defaults = [b for b in project.business_hours if b.default and not b.placeholder]
    if not defaults:
        return None
    uses = _business_hours_uses(project)
    return max(defaults, key=lambda b: (uses[b.name], -defaults.index(b))).name


def single_default_business_hours(project: MetadataProject) -> MetadataProject:
    """A copy of ``project`` in which only one business hours is marked default (see
    :func:`kept_default_business_hours`); the others keep everything else."""
    result = copy.deepcopy(project)
    kept = kept_default_business_hours(result)
    for b in result.business_hours:
        if b.default and not b.placeholder and b.name != kept:
            b.default = False
    return result


def omit_inexpressible_business_hours(project: MetadataProject) -> MetadataProject:
    """A copy of ``project`` without the business hours Salesforce cannot hold (split
    shifts, overnight windows) and without national-calendar holidays. References to the
    left-out business hours stay: the target org must have its own of those names."""
    result = copy.deepcopy(project)
    result.business_hours = [
        b for b in result.business_hours if b.placeholder or not _inexpressible_days(b)
    ]
    result.holidays = [h for h in result.holidays if not h.national_country]
    return result


_VERSION_FIELDS: Final = frozenset(
    {
        "version_number",
        "is_version_default",
        "version_master",
        "version_notes",
        "file_name",
        "full_name",
        "from_file_name",
        "placeholder",
    }
)


def _content_key(p: EntitlementProcessVersion) -> tuple[object, ...]:
    """What a version *is*, apart from its numbering and bookkeeping."""
    return tuple(
        repr(getattr(p, f.name)) for f in dataclasses.fields(p) if f.name not in _VERSION_FIELDS
    )


def plan_against_reference(
    project: MetadataProject,
    reference: MetadataProject,
    target_api_version: str | None = None,
    *,
    drop_settings: bool = True,
) -> MetadataProject:
    """The part of ``project`` to deploy to the org whose retrieved project is
    ``reference``.

    For a process the org has, only the versions whose content the org lacks are kept,
    numbered after the org's latest version of that name, named like the org's files
    and carrying the org's ``versionMaster``. Processes the org lacks are kept as they
    are. Entitlement.settings elements that ``target_api_version`` (default: the
    reference's API version) does not know are left out unless ``drop_settings`` is
    false (pre-flight then reports them, as for any API version). Everything else is kept.
    """
    result = copy.deepcopy(project)
    org = _versions_by_name(reference.processes)
    planned: list[EntitlementProcessVersion] = []
    for key, versions in _versions_by_name(result.processes).items():
        org_versions = org.get(key)
        if not org_versions:
            planned.extend(versions)
            continue
        org_contents = {_content_key(o) for o in org_versions}
        latest = max(org_versions, key=lambda o: o.version_number or 1)
        next_number = (latest.version_number or 1) + 1
        master = next(
            (
                o.version_master
                for o in sorted(org_versions, key=lambda o: -(o.version_number or 1))
                if o.version_master
            ),
            None,
        )
        org_base = _VERSION_RE.sub(r"\1", process_file_base(latest))
        for v in sorted(versions, key=lambda v: v.version_number or 0):
            if _content_key(v) in org_contents:
                continue
            v.version_number = next_number
            v.file_name = f"{org_base}_v{next_number}"
            v.version_master = master if master is not None else v.version_master
            v.from_file_name = [f for f in v.from_file_name if f != "version_number"]
            if "name" in v.from_file_name and v.name != unquote(org_base):
                v.from_file_name.remove("name")
            next_number += 1
            planned.append(v)
    keep = {id(p) for p in planned}
    result.processes = [p for p in result.processes if id(p) in keep or p.placeholder]
    version = target_api_version or reference.api_version
    if version is not None:
        if drop_settings:
            result = drop_unsupported_settings(result, version)
        result.api_version = version
    return result
