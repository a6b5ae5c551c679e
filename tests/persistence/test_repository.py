"""Records survive a save and a load unchanged; bulk saves are fast; merges update by key."""

from __future__ import annotations

import dataclasses
import time as clock
from collections.abc import Iterator
from datetime import date, time
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

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
from entitle_desktop.persistence import repository
from entitle_desktop.services.workspace import Workspace


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace.create(tmp_path / "w.entitle")
    yield ws
    ws.close()


def _u(after: str | None, tag: str) -> list[UnknownElement]:
    return [UnknownElement(after=after, xml=f"<{tag}>x</{tag}>"), UnknownElement(None, "<z/>")]


def full_project() -> MetadataProject:
    """A project with every field of every metadata record set to a non-default value."""
    item = FilterItem("Case.Priority", "equals", "High, Medium", "Case.X__c", _u("value", "a"))
    milestone = ProcessMilestone(
        milestone_name="First Response",
        minutes_to_complete=60,
        minutes_custom_class="Calc",
        business_hours="London",
        criteria_items=[item, FilterItem("Case.Origin", "notEqual", "Web")],
        criteria_boolean_filter="1 OR 2",
        criteria_formula="ISBLANK(x)",
        use_criteria_start_time=True,
        agreement_type="Some",
        is_displayed_on_linked_entity=False,
        success_actions=[ActionReference("Case.Done", "FieldUpdate", _u("type", "s"))],
        time_triggers=[
            MilestoneTimeTrigger(
                -30, "Minutes", [ActionReference("Warn", "Alert")], _u("unit", "t")
            ),
            MilestoneTimeTrigger(None, "Days"),
        ],
        unknown=_u("milestoneName", "m"),
    )
    version = EntitlementProcessVersion(
        name="Gold ÄÖ",
        version_number=2,
        is_version_default=True,
        version_master="abc",
        version_notes="notes",
        active=False,
        sobject_type="WorkOrder",
        description="d",
        business_hours="London",
        entry_start_date_field="Case.Start__c",
        exit_criteria_items=[FilterItem("Case.IsClosed", "equals", "true")],
        exit_criteria_boolean_filter="1",
        exit_criteria_formula="f",
        is_record_type_applied=True,
        record_type="Case.Support",
        milestones=[milestone, ProcessMilestone("Unknown Type")],
        file_name="Gold ÄÖ_v2",
        full_name="Gold ÄÖ_v2",
        unknown=_u("active", "v"),
        from_file_name=["name", "version_number"],
    )
    plain = EntitlementProcessVersion(name="Plain")
    london = BusinessHours(
        name="London",
        time_zone="Europe/London",
        active=None,
        default=True,
        windows=[
            BusinessHoursWindow("mon", time(8), time(12, 30)),
            BusinessHoursWindow("mon", time(13, 30), None),
            BusinessHoursWindow("fri", time(22), time(6)),
        ],
        xml_times={"mondayStartTime": "08:00:00.000Z"},
        unknown=_u("name", "b"),
    )
    holiday = Holiday(
        name="Xmas",
        description="desc",
        activity_date=date(2024, 12, 25),
        start_time=time(9),
        end_time=time(12, 15),
        is_recurring=True,
        recurrence_type="RecursYearlyNth",
        recurrence_interval=1,
        recurrence_day_of_month=25,
        recurrence_day_of_week=["Monday", "Friday"],
        recurrence_day_of_week_mask=34,
        recurrence_instance="Last",
        recurrence_month_of_year="December",
        recurrence_start_date=date(2020, 1, 1),
        recurrence_end_date=date(2030, 1, 1),
        business_hours=["London", "Nowhere"],
        national_country="GB",
        national_subdivision="ENG",
        national_observed=False,
        xml_times={"startTime": "09:00:00.000Z"},
        unknown=_u("name", "h"),
    )
    return MetadataProject(
        processes=[version, plain],
        milestone_types=[
            MilestoneType(
                "First Response",
                "desc",
                "recursChained",
                "First Response",
                _u(None, "x"),
                file_name="first response",
            ),
            MilestoneType("Unknown Type"),
        ],
        templates=[
            EntitlementTemplate(
                name="Phone",
                business_hours="London",
                cases_per_entitlement=5,
                entitlement_process="Gold ÄÖ",
                is_per_incident=True,
                term=365,
                type="Phone Support",
                product_codes=["P-1", "P-2"],
                full_name="Phone",
                unknown=_u("term", "tt"),
                file_name="phone",
            )
        ],
        business_hours=[london, BusinessHours(name="Empty", active=False)],
        holidays=[holiday, Holiday(name="Xmas"), Holiday(name="Plain day")],
        entitlement_settings=EntitlementSettings(
            {"enableEntitlements": True, "b": False}, _u("b", "e")
        ),
        business_hours_settings_present=True,
        business_hours_settings_unknown=_u("holidays", "bs"),
        other_files=[
            OtherMetadataFile("src/package.xml", b"<Package/>\n"),
            OtherMetadataFile("src/settings/Case.settings", b"\x00\xff"),
        ],
        layout="source",
        root="force-app/main/default",
        api_version="61.0",
    )


# Every field persistence maps. A new field in records.py fails here until models.py,
# repository.py (save and load) and full_project() above carry it.
KNOWN_FIELDS: dict[type, set[str]] = {
    EntitlementProcessVersion: {
        "name",
        "version_number",
        "is_version_default",
        "version_master",
        "version_notes",
        "active",
        "sobject_type",
        "description",
        "business_hours",
        "entry_start_date_field",
        "exit_criteria_items",
        "exit_criteria_boolean_filter",
        "exit_criteria_formula",
        "is_record_type_applied",
        "record_type",
        "milestones",
        "file_name",
        "full_name",
        "unknown",
        "placeholder",
        "from_file_name",
    },
    ProcessMilestone: {
        "milestone_name",
        "minutes_to_complete",
        "minutes_custom_class",
        "business_hours",
        "criteria_items",
        "criteria_boolean_filter",
        "criteria_formula",
        "use_criteria_start_time",
        "agreement_type",
        "is_displayed_on_linked_entity",
        "success_actions",
        "time_triggers",
        "unknown",
    },
    MilestoneTimeTrigger: {"time_length", "unit", "actions", "unknown"},
    ActionReference: {"name", "type", "unknown"},
    FilterItem: {"field", "operation", "value", "value_field", "unknown"},
    MilestoneType: {
        "name",
        "description",
        "recurrence_type",
        "full_name",
        "unknown",
        "placeholder",
        "file_name",
    },
    EntitlementTemplate: {
        "name",
        "business_hours",
        "cases_per_entitlement",
        "entitlement_process",
        "is_per_incident",
        "term",
        "type",
        "product_codes",
        "full_name",
        "unknown",
        "placeholder",
        "file_name",
    },
    BusinessHours: {
        "name",
        "time_zone",
        "active",
        "default",
        "windows",
        "xml_times",
        "unknown",
        "placeholder",
    },
    BusinessHoursWindow: {"weekday", "start", "end"},
    Holiday: {
        "name",
        "description",
        "activity_date",
        "start_time",
        "end_time",
        "is_recurring",
        "recurrence_type",
        "recurrence_interval",
        "recurrence_day_of_month",
        "recurrence_day_of_week",
        "recurrence_day_of_week_mask",
        "recurrence_instance",
        "recurrence_month_of_year",
        "recurrence_start_date",
        "recurrence_end_date",
        "business_hours",
        "national_country",
        "national_subdivision",
        "national_observed",
        "xml_times",
        "unknown",
    },
    EntitlementSettings: {"flags", "unknown"},
    OtherMetadataFile: {"path", "content"},
    MetadataProject: {
        "processes",
        "milestone_types",
        "templates",
        "business_hours",
        "holidays",
        "entitlement_settings",
        "business_hours_settings_present",
        "business_hours_settings_unknown",
        "other_files",
        "layout",
        "root",
        "api_version",
    },
    WorkspaceSettings: {
        "setup_model",
        "entitlement_settings",
        "business_hours_settings_unknown",
        "metadata_api_version",
    },
    Experience: {"name", "exposes_entitlements", "visible_fields", "auto_entitlement_on_cases"},
}


@pytest.mark.parametrize("record_type", list(KNOWN_FIELDS), ids=lambda t: t.__name__)
def test_persistence_knows_every_field_of_the_records(record_type: type) -> None:
    assert {f.name for f in dataclasses.fields(record_type)} == KNOWN_FIELDS[record_type]


def test_metadata_project_survives_save_and_load(workspace: Workspace) -> None:
    project = full_project()
    with workspace.unit_of_work() as session:
        result = repository.save_project(session, project)
    assert result.placeholders == {"business_hours": ["Nowhere"]}
    with workspace.session() as session:
        loaded = repository.load_project(session)
    assert loaded == project


def test_saving_the_same_project_again_updates_without_duplicates(workspace: Workspace) -> None:
    with workspace.unit_of_work() as session:
        first = repository.save_project(session, full_project())
    with workspace.unit_of_work() as session:
        second = repository.save_project(session, full_project())
    assert first.added == {
        "business_hours": 2,
        "milestone_types": 2,
        "holidays": 3,
        "entitlement_process_versions": 2,
        "entitlement_templates": 1,
        "other_files": 2,
    }
    assert second.added == {}
    assert second.updated == {}
    assert second.unchanged == first.added
    with workspace.session() as session:
        assert repository.load_project(session) == full_project()


def test_references_resolve_to_placeholders_with_warnings(workspace: Workspace) -> None:
    project = MetadataProject(
        processes=[
            EntitlementProcessVersion(
                name="P", business_hours="Default", milestones=[ProcessMilestone("Missing")]
            )
        ],
        templates=[
            EntitlementTemplate(name="T", entitlement_process="Other", business_hours="Default")
        ],
    )
    with workspace.unit_of_work() as session:
        result = repository.save_project(session, project)
    assert result.placeholders == {
        "business_hours": ["Default"],
        "milestone_types": ["Missing"],
        "processes": ["Other"],
    }
    assert result.warnings == [
        "2 records (Process 'P'; Template 'T') name business hours 'Default', which neither "
        "the project nor the workspace has: a placeholder was created.",
        "Process 'P', milestone 1 names milestone type 'Missing', which neither the project "
        "nor the workspace has: a placeholder was created.",
        "Template 'T' names entitlement process 'Other', which neither the project nor the "
        "workspace has: a placeholder was created.",
    ]
    with workspace.session() as session:
        loaded = repository.load_project(session)
    assert loaded.business_hours == [] and loaded.milestone_types == []
    assert loaded.processes == project.processes
    assert loaded.templates == project.templates


def full_data() -> dict[str, list[object]]:
    return {
        "accounts": [
            Account("001A", "Acme", None, {"Support_Level__c": "Gold"}),
            Account("001B", "Acme Child", "001A"),
        ],
        "contacts": [Contact("003A", "Doe", "Jane", "j@x.org", "001A", {"X__c": "1"})],
        "products": [Product("01tA", "Router", "R-1", {"Family": "HW"})],
        "assets": [
            Asset(
                "02iA",
                "Router #1",
                "SN1",
                "001A",
                "003A",
                "01tA",
                date(2023, 1, 2),
                date(2026, 1, 1),
                {"A__c": "a"},
            )
        ],
        "service_contracts": [
            ServiceContract(
                "810A",
                "Root",
                "001A",
                "003A",
                date(2024, 1, 1),
                date(2025, 12, 31),
                24,
                "Activated",
                None,
                None,
                {"C__c": "c"},
            ),
            ServiceContract(
                "810B", "Child", "001B", None, None, None, None, "Draft", "810A", "810A"
            ),
        ],
        "contract_line_items": [
            ContractLineItem(
                "811A",
                "810A",
                "01tA",
                "02iA",
                date(2024, 1, 1),
                date(2024, 6, 30),
                2.5,
                None,
                None,
                {"L__c": "l"},
            ),
            ContractLineItem("811B", "810A", None, None, None, None, None, "811A", "811A"),
        ],
        "entitlements": [
            Entitlement(
                "550A",
                "Gold",
                "001A",
                "02iA",
                "810A",
                "811A",
                "Phone Support",
                date(2024, 1, 1),
                date(2024, 12, 31),
                "London",
                "Gold ÄÖ",
                2,
                True,
                10,
                7,
                {"E__c": "e"},
            )
        ],
        "entitlement_contacts": [EntitlementContact("E01A", "550A", "003A")],
    }


def test_data_records_survive_save_and_load_in_any_order(workspace: Workspace) -> None:
    data = full_data()
    with workspace.unit_of_work() as session:
        for key in reversed(list(data)):  # children first: foreign keys are checked at commit
            repository.save_records(session, key, data[key])
    with workspace.session() as session:
        for key, records in data.items():
            assert repository.load_records(session, key) == records
            assert repository.load_records(session, key, [records[0].id]) == records[:1]  # type: ignore[attr-defined]


def test_dangling_reference_fails_the_commit(workspace: Workspace) -> None:
    with pytest.raises(IntegrityError), workspace.unit_of_work() as session:
        repository.save_records(session, "contacts", [Contact("003Z", "Nobody", account_id="001Q")])
    with workspace.session() as session:
        assert repository.count_records(session, "contacts") == 0


def test_upsert_and_delete_by_id(workspace: Workspace) -> None:
    with workspace.unit_of_work() as session:
        repository.save_records(session, "accounts", [Account("001A", "A"), Account("001B", "B")])
    with workspace.unit_of_work() as session:
        assert repository.upsert_records(
            session,
            "accounts",
            [Account("001B", "B2", custom_fields={"k": "v"}), Account("001C", "C")],
        ) == (1, 1)
    with workspace.unit_of_work() as session:
        assert repository.delete_records(session, "accounts", ["001A", "001X"]) == 1
    with workspace.session() as session:
        assert repository.load_records(session, "accounts") == [
            Account("001B", "B2", custom_fields={"k": "v"}),
            Account("001C", "C"),
        ]
        assert repository.existing_ids(session, "accounts") == {"001B", "001C"}


def test_settings_and_experiences_survive(workspace: Workspace) -> None:
    settings = WorkspaceSettings(
        setup_model=SetupModel.CONTRACT_LINE_ITEMS,
        entitlement_settings=EntitlementSettings({"a": True}, _u("a", "q")),
        business_hours_settings_unknown=_u(None, "r"),
        metadata_api_version="60.0",
    )
    experiences = [
        Experience("Help Center", True, ["Name", "EndDate"], True),
        Experience("Other", False),
    ]
    with workspace.unit_of_work() as session:
        repository.save_settings(session, settings)
        repository.save_experiences(session, experiences)
    assert workspace.settings() == settings
    with workspace.session() as session:
        assert repository.load_experiences(session) == experiences


def test_hundred_thousand_entitlements_save_in_a_few_seconds(workspace: Workspace) -> None:
    accounts = [Account(f"001{i:06d}", f"Account {i}") for i in range(1000)]
    entitlements = [
        Entitlement(
            f"550{i:07d}",
            f"Ent {i}",
            f"001{i % 1000:06d}",
            type="Web Support",
            start_date=date(2024, 1, 1),
            end_date=date(2025, 1, 1),
            custom_fields={"Support_Level__c": "Gold"},
        )
        for i in range(100_000)
    ]
    started = clock.perf_counter()
    with workspace.unit_of_work() as session:
        repository.save_records(session, "accounts", accounts)
        repository.save_records(session, "entitlements", entitlements)
    saved = clock.perf_counter() - started
    started = clock.perf_counter()
    with workspace.session() as session:
        loaded = repository.load_records(session, "entitlements")
    load_time = clock.perf_counter() - started
    print(f"save 100k: {saved:.2f}s, load 100k: {load_time:.2f}s")
    assert len(loaded) == 100_000 and loaded[5] == entitlements[5]
    assert saved < 8.0 and load_time < 8.0


def _unused(session: Session) -> None:  # keeps the Session import meaningful for type checkers
    del session


def test_references_differing_only_in_case_share_one_placeholder_warning(
    workspace: Workspace,
) -> None:
    project = MetadataProject(
        templates=[
            EntitlementTemplate(name="A", entitlement_process="Gold Support Process"),
            EntitlementTemplate(name="B", entitlement_process="GOLD support process"),
        ],
    )
    with workspace.unit_of_work() as session:
        result = repository.save_project(session, project)
    assert result.placeholders == {"processes": ["Gold Support Process"]}
    assert result.warnings == [
        "2 records (Template 'A'; Template 'B') name entitlement process 'Gold Support "
        "Process', which neither the project nor the workspace has: a placeholder was created."
    ]
