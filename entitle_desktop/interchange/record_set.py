"""A set of workspace records, as read from or written to an interchange file.

The native bundle holds every field of :class:`RecordSet`; Data Loader CSV and data-tree
files fill only the data lists (accounts .. entitlement contacts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from entitle_desktop.domain.records import (
    Account,
    Asset,
    BusinessHours,
    Contact,
    ContractLineItem,
    Entitlement,
    EntitlementContact,
    EntitlementProcessVersion,
    EntitlementTemplate,
    Experience,
    Holiday,
    MilestoneType,
    OtherMetadataFile,
    Product,
    ServiceContract,
    WorkspaceSettings,
)

#: record-list attribute -> record class, in dependency order (a record only refers to
#: records of lists that come before it). The attribute names are also the JSON file
#: names of a bundle and the count keys of its manifest.
RECORD_LISTS: dict[str, type] = {
    "business_hours": BusinessHours,
    "holidays": Holiday,
    "milestone_types": MilestoneType,
    "processes": EntitlementProcessVersion,
    "templates": EntitlementTemplate,
    "experiences": Experience,
    "other_metadata_files": OtherMetadataFile,
    "accounts": Account,
    "contacts": Contact,
    "products": Product,
    "assets": Asset,
    "service_contracts": ServiceContract,
    "contract_line_items": ContractLineItem,
    "entitlements": Entitlement,
    "entitlement_contacts": EntitlementContact,
}

#: the lists that hold data records (Data Loader objects), in dependency order.
DATA_LISTS: tuple[str, ...] = (
    "accounts",
    "contacts",
    "products",
    "assets",
    "service_contracts",
    "contract_line_items",
    "entitlements",
    "entitlement_contacts",
)


@dataclass(slots=True)
class ProjectInfo:
    """How the workspace's metadata was laid out when imported (for a faithful export);
    the fields of :class:`MetadataProject` that have no record of their own."""

    layout: str = "mdapi"
    root: str = "src"
    business_hours_settings_present: bool = False


@dataclass(slots=True)
class RecordSet:
    """Records of a workspace (or part of one), lists in dependency order."""

    settings: WorkspaceSettings | None = None
    project: ProjectInfo | None = None
    business_hours: list[BusinessHours] = field(default_factory=list)
    holidays: list[Holiday] = field(default_factory=list)
    milestone_types: list[MilestoneType] = field(default_factory=list)
    processes: list[EntitlementProcessVersion] = field(default_factory=list)
    templates: list[EntitlementTemplate] = field(default_factory=list)
    experiences: list[Experience] = field(default_factory=list)
    other_metadata_files: list[OtherMetadataFile] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    assets: list[Asset] = field(default_factory=list)
    service_contracts: list[ServiceContract] = field(default_factory=list)
    contract_line_items: list[ContractLineItem] = field(default_factory=list)
    entitlements: list[Entitlement] = field(default_factory=list)
    entitlement_contacts: list[EntitlementContact] = field(default_factory=list)

    def records(self, list_name: str) -> list[Any]:
        """The list called ``list_name`` (a key of :data:`RECORD_LISTS`)."""
        if list_name not in RECORD_LISTS:
            raise KeyError(list_name)
        result: list[Any] = getattr(self, list_name)
        return result

    def counts(self) -> dict[str, int]:
        """Number of records per list, every list named."""
        return {name: len(getattr(self, name)) for name in RECORD_LISTS}


def record_key(list_name: str, record: Any) -> str:
    """The external key that matches a record to the workspace's copy: data records by
    Id; business hours, milestone types, templates and experiences by name; process
    versions by ``name#number``; holidays by ``name@date``; other metadata files by path.
    Two records of one list never share a key, except holidays (Salesforce allows two
    holidays of one name, e.g. recurring ones with no date; see :data:`UNIQUE_KEYS`)."""
    if list_name in DATA_LISTS:
        return str(record.id)
    if list_name == "processes":
        number = "" if record.version_number is None else str(record.version_number)
        return f"{record.name}#{number}"
    if list_name == "holidays":
        day = "" if record.activity_date is None else record.activity_date.isoformat()
        return f"{record.name}@{day}"
    if list_name == "other_metadata_files":
        return str(record.path)
    return str(record.name)


#: the lists whose records have unique external keys (every list but holidays)
UNIQUE_KEYS: frozenset[str] = frozenset(RECORD_LISTS) - {"holidays"}
