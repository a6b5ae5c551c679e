"""The records of a workspace, as plain Python objects.

These are the shared vocabulary of every layer: persistence maps them to tables,
interchange reads and writes them from files, services hand them to the UI.
Field names follow the Salesforce API names in snake_case so that files map 1:1.

Lossless round trips: a metadata record keeps every XML element the model does not
know in ``unknown`` (verbatim, with the name of the known element it followed), and an
optional field that was absent from the file stays ``None`` so that it is not written
back. Data records keep columns the model does not know in ``custom_fields``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from dataclasses import field as _field  # FilterItem has an attribute named 'field'
from datetime import date, time
from typing import Any

#: Field metadata keys for the range of a number (inclusive); the bundle schema
#: (``interchange.record_codec``) refuses values outside it. Every ``int`` is also held to
#: Salesforce's 32-bit ``int`` there.
MINIMUM = "minimum"
MAXIMUM = "maximum"


def _range(minimum: float | None = None, maximum: float | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if minimum is not None:
        out[MINIMUM] = minimum
    if maximum is not None:
        out[MAXIMUM] = maximum
    return out


# --------------------------------------------------------------------------- shared


@dataclass(slots=True)
class UnknownElement:
    """An XML element the model does not know, kept verbatim.

    ``after`` is the local name of the known element it followed in its parent
    (``None`` when it came first); ``xml`` is the element serialised as it was read.
    """

    after: str | None
    xml: str


class SetupModel(enum.StrEnum):
    """The three setup models of domain.md section 2."""

    ENTITLEMENTS_ONLY = "entitlements"
    SERVICE_CONTRACTS = "service_contracts"
    CONTRACT_LINE_ITEMS = "contract_line_items"


# --------------------------------------------------------------------------- metadata


@dataclass(slots=True)
class FilterItem:
    """A criteria line: ``Case.Priority equals High`` (value may be a comma list)."""

    field: str
    operation: str
    value: str | None = None
    value_field: str | None = None
    unknown: list[UnknownElement] = _field(default_factory=list)


@dataclass(slots=True)
class ActionReference:
    """A workflow action named by a success action or a time trigger."""

    name: str
    type: str
    unknown: list[UnknownElement] = field(default_factory=list)


@dataclass(slots=True)
class MilestoneTimeTrigger:
    """Negative length = warning before the target; zero or positive = violation."""

    time_length: int | None
    unit: str  # Minutes | Hours | Days
    actions: list[ActionReference] = field(default_factory=list)
    unknown: list[UnknownElement] = field(default_factory=list)


@dataclass(slots=True)
class ProcessMilestone:
    """One milestone entry of an entitlement process version (order = list order)."""

    milestone_name: str
    # Salesforce refuses a milestone of less than a minute (and so does the engine)
    minutes_to_complete: int | None = field(default=None, metadata=_range(1))
    minutes_custom_class: str | None = None
    business_hours: str | None = None
    criteria_items: list[FilterItem] = field(default_factory=list)
    criteria_boolean_filter: str | None = None
    criteria_formula: str | None = None
    use_criteria_start_time: bool | None = None
    agreement_type: str | None = None
    is_displayed_on_linked_entity: bool | None = None
    success_actions: list[ActionReference] = field(default_factory=list)
    time_triggers: list[MilestoneTimeTrigger] = field(default_factory=list)
    unknown: list[UnknownElement] = field(default_factory=list)


@dataclass(slots=True)
class EntitlementProcessVersion:
    """One version of an entitlement process (file ``name_vN`` or ``name``).

    ``name`` is the process name shared by all versions. ``file_name`` is the file's
    base name as read (without suffix), used to write the same name back.
    """

    name: str
    version_number: int | None = field(default=None, metadata=_range(1))
    is_version_default: bool | None = None
    version_master: str | None = None
    version_notes: str | None = None
    active: bool | None = None
    sobject_type: str | None = None  # Case | WorkOrder
    description: str | None = None
    business_hours: str | None = None
    entry_start_date_field: str | None = None
    exit_criteria_items: list[FilterItem] = field(default_factory=list)
    exit_criteria_boolean_filter: str | None = None
    exit_criteria_formula: str | None = None
    is_record_type_applied: bool | None = None
    record_type: str | None = None
    milestones: list[ProcessMilestone] = field(default_factory=list)
    file_name: str | None = None
    full_name: str | None = None
    unknown: list[UnknownElement] = field(default_factory=list)
    placeholder: bool = False
    # Fields whose value came from the file name, not from an element ("name",
    # "version_number"): such an element is not written back while the value still
    # matches the file name.
    from_file_name: list[str] = field(default_factory=list)


class RecurrenceType(enum.StrEnum):
    NONE = "none"
    INDEPENDENT = "recursIndependently"
    SEQUENTIAL = "recursChained"


@dataclass(slots=True)
class MilestoneType:
    name: str
    description: str | None = None
    recurrence_type: str | None = None  # a RecurrenceType value; None when absent
    full_name: str | None = None
    unknown: list[UnknownElement] = field(default_factory=list)
    placeholder: bool = False
    file_name: str | None = None  # the file's base name as read (None = from name)


@dataclass(slots=True)
class EntitlementTemplate:
    name: str
    business_hours: str | None = None
    cases_per_entitlement: int | None = field(default=None, metadata=_range(0))
    entitlement_process: str | None = None
    is_per_incident: bool | None = None
    term: int | None = field(default=None, metadata=_range(0))  # days
    type: str | None = None
    product_codes: list[str] = field(default_factory=list)  # products it is attached to
    full_name: str | None = None
    unknown: list[UnknownElement] = field(default_factory=list)
    placeholder: bool = False
    file_name: str | None = None  # the file's base name as read (None = from name)


WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(slots=True)
class BusinessHoursWindow:
    """A span of a weekday; ``end`` may be 24:00 (stored as None) or before ``start``
    (overnight, belonging to the day it starts on)."""

    weekday: str  # mon..sun
    start: time
    end: time | None  # None = 24:00


@dataclass(slots=True)
class BusinessHours:
    """Business hours: Salesforce holds one window per weekday; we allow several.

    ``xml_times`` keeps the per-day start/end text exactly as read from
    ``BusinessHours.settings`` (e.g. ``mondayStartTime`` -> ``09:00:00.000Z``) so an
    unedited record writes back byte-equal values.
    """

    name: str
    time_zone: str = "America/Los_Angeles"
    active: bool | None = True
    default: bool = False
    windows: list[BusinessHoursWindow] = field(default_factory=list)
    xml_times: dict[str, str] = field(default_factory=dict)
    unknown: list[UnknownElement] = field(default_factory=list)
    placeholder: bool = False


@dataclass(slots=True)
class Holiday:
    """A holiday linked to business hours, one-off or recurring (Salesforce fields)."""

    name: str
    description: str | None = None
    activity_date: date | None = None
    start_time: time | None = None  # None with end_time None = all day
    end_time: time | None = None
    is_recurring: bool | None = None
    recurrence_type: str | None = None  # RecursDaily, RecursWeekly, RecursYearlyNth, ...
    recurrence_interval: int | None = field(default=None, metadata=_range(1))
    recurrence_day_of_month: int | None = field(default=None, metadata=_range(1, 31))
    recurrence_day_of_week: list[str] = field(default_factory=list)
    recurrence_day_of_week_mask: int | None = field(default=None, metadata=_range(1, 127))
    recurrence_instance: str | None = None  # First .. Fourth, Last
    recurrence_month_of_year: str | None = None  # January .. December
    recurrence_start_date: date | None = None
    recurrence_end_date: date | None = None
    business_hours: list[str] = field(default_factory=list)  # names
    national_country: str | None = None  # from the holidays library (our extension)
    national_subdivision: str | None = None
    national_observed: bool = True
    xml_times: dict[str, str] = field(default_factory=dict)
    unknown: list[UnknownElement] = field(default_factory=list)


@dataclass(slots=True)
class EntitlementSettings:
    """``Entitlement.settings``: boolean flags in file order (element name -> value)."""

    flags: dict[str, bool] = field(default_factory=dict)
    unknown: list[UnknownElement] = field(default_factory=list)


@dataclass(slots=True)
class OtherMetadataFile:
    """A metadata file of a type the product does not model (Case.settings, package.xml,
    standardValueSets, ...), kept verbatim so that exports write it back."""

    path: str  # relative to the project root, with '/' separators
    content: bytes


# --------------------------------------------------------------------------- data


@dataclass(slots=True)
class Account:
    id: str
    name: str
    parent_id: str | None = None
    custom_fields: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Contact:
    id: str
    last_name: str
    first_name: str | None = None
    email: str | None = None
    account_id: str | None = None
    custom_fields: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Product:
    id: str
    name: str
    product_code: str | None = None
    custom_fields: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Asset:
    id: str
    name: str
    serial_number: str | None = None
    account_id: str | None = None
    contact_id: str | None = None
    product_id: str | None = None
    install_date: date | None = None
    usage_end_date: date | None = None
    custom_fields: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ServiceContract:
    id: str
    name: str
    account_id: str | None = None
    contact_id: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    term: int | None = field(default=None, metadata=_range(0))  # months
    approval_status: str | None = None  # Draft | In Approval Process | Activated
    parent_service_contract_id: str | None = None
    root_service_contract_id: str | None = None
    custom_fields: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ContractLineItem:
    id: str
    service_contract_id: str
    product_id: str | None = None
    asset_id: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    quantity: float | None = field(default=None, metadata=_range(0))
    parent_contract_line_item_id: str | None = None
    root_contract_line_item_id: str | None = None
    custom_fields: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Entitlement:
    id: str
    name: str
    account_id: str
    asset_id: str | None = None
    service_contract_id: str | None = None
    contract_line_item_id: str | None = None
    type: str | None = None
    start_date: date | None = None
    end_date: date | None = None  # inclusive last day
    business_hours: str | None = None  # BusinessHours name
    sla_process: str | None = None  # EntitlementProcess name
    sla_process_version: int | None = field(  # None = the default version
        default=None, metadata=_range(1)
    )
    is_per_incident: bool = False
    cases_per_entitlement: int | None = field(default=None, metadata=_range(0))
    remaining_cases: int | None = None
    custom_fields: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class EntitlementContact:
    id: str
    entitlement_id: str
    contact_id: str


@dataclass(slots=True)
class Experience:
    """A self-service site that exposes entitlements."""

    name: str
    exposes_entitlements: bool = True
    visible_fields: list[str] = field(default_factory=list)
    auto_entitlement_on_cases: bool = False


@dataclass(slots=True)
class WorkspaceSettings:
    """Workspace-wide settings: the setup model and the org's settings files."""

    setup_model: SetupModel = SetupModel.ENTITLEMENTS_ONLY
    entitlement_settings: EntitlementSettings | None = None
    business_hours_settings_unknown: list[UnknownElement] = field(default_factory=list)
    metadata_api_version: str | None = None


@dataclass(slots=True)
class MetadataProject:
    """Everything read from (or to be written to) one Salesforce metadata project.

    Lists keep file/document order. ``layout`` is ``"mdapi"`` or ``"source"``;
    ``root`` is the folder inside the project that holds the type folders
    (``src`` or ``force-app/main/default``), with '/' separators.
    """

    processes: list[EntitlementProcessVersion] = field(default_factory=list)
    milestone_types: list[MilestoneType] = field(default_factory=list)
    templates: list[EntitlementTemplate] = field(default_factory=list)
    business_hours: list[BusinessHours] = field(default_factory=list)
    holidays: list[Holiday] = field(default_factory=list)
    entitlement_settings: EntitlementSettings | None = None
    business_hours_settings_present: bool = False
    business_hours_settings_unknown: list[UnknownElement] = field(default_factory=list)
    other_files: list[OtherMetadataFile] = field(default_factory=list)
    layout: str = "mdapi"
    root: str = "src"
    api_version: str | None = None


def effective_version_number(version: EntitlementProcessVersion) -> int:
    """The version number Salesforce gives a version: a process without versioning is 1."""
    return version.version_number if version.version_number is not None else 1


def effective_version_default(version: EntitlementProcessVersion, versions_of_process: int) -> bool:
    """Whether this is the default version: the file's flag when it has one; otherwise a
    process's only version is its default (a process without versioning)."""
    if version.is_version_default is not None:
        return version.is_version_default
    return versions_of_process == 1
