"""Pre-flight before a Salesforce export, its automatic fixes, and planning against a
target org's retrieved project."""

from __future__ import annotations

import copy
from datetime import date, time
from pathlib import Path

import pytest
from lxml import etree

from entitle_desktop.domain.records import (
    BusinessHours,
    BusinessHoursWindow,
    EntitlementProcessVersion,
    Holiday,
    MetadataProject,
    MilestoneType,
)
from entitle_desktop.interchange.errors import InterchangeError
from entitle_desktop.interchange.salesforce_metadata import (
    PreflightIssue,
    drop_unsupported_settings,
    missing_references,
    plan_against_reference,
    preflight,
    read_project,
    strip_action_prefixes,
    write_project,
)

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
CORPUS = SHARED / "corpus" / "salesforce-metadata"
XSD = SHARED / "spec" / "salesforce-entitlement-metadata.xsd"
PHANI = "phani467__Metadata-Extract-from-stage"
MMG = "mmg-opp1__JCRC-Dev"


def _read(name: str) -> MetadataProject:
    return read_project(CORPUS / name)[0]


def _messages(issues: list[PreflightIssue]) -> list[tuple[str, str, str, str | None]]:
    return [(i.severity, i.where, i.message, i.fix) for i in issues]


# --------------------------------------------------------------------------- corpus


def test_the_alpine_demo_is_clean_for_api_66() -> None:
    assert preflight(_read("fpintelandgraf__alpinedemo"), "66.0") == []


def test_partial_retrieve_names_what_the_org_must_already_have() -> None:
    assert _messages(preflight(_read("parsam97__Case-Milestone-Bug"), "66.0")) == [
        (
            "warning",
            "entitlementProcesses/standard support",
            "uses the business hours 'Standard', which is not in the export; the target org must already have it",
            None,
        ),
        (
            "warning",
            "entitlementProcesses/standard support",
            "uses the milestone type 'Close Case', which is not in the export; the target org must already have it",
            None,
        ),
    ]
    assert missing_references(_read("parsam97__Case-Milestone-Bug")) == [
        ("business hours", "Standard", "entitlementProcesses/standard support"),
        ("milestone type", "Close Case", "entitlementProcesses/standard support"),
    ]


def test_more_than_ten_milestone_entries_warn() -> None:
    issues = preflight(_read(PHANI), "66.0")
    assert _messages(issues) == [
        (
            "warning",
            f"entitlementProcesses/ihsm entitlement process_v{n}",
            "12 milestone entries; Salesforce documents a limit of 10 per process",
            None,
        )
        for n in (2, 3, 4)
    ]


# --------------------------------------------------------------------------- versions


def test_a_version_whose_earlier_versions_are_missing_is_an_error() -> None:
    project = _read(PHANI)
    project.processes = project.processes[2:]  # v3 and v4 only
    errors = [i for i in preflight(project, "66.0") if i.severity == "error"]
    assert _messages(errors) == [
        (
            "error",
            f"entitlementProcesses/ihsm entitlement process_v{n}",
            f"version {n} of 'IHSM Entitlement Process' needs v1, v2, which are not in the export "
            "(and no target org was given); Salesforce answers 'another entitlement process is "
            "already using this name'",
            None,
        )
        for n in (3, 4)
    ]


def test_earlier_versions_in_the_target_org_count_as_present() -> None:
    project = _read(PHANI)
    reference = _read(PHANI)
    project.processes = project.processes[2:]
    reference.processes = reference.processes[:2]
    assert [i for i in preflight(project, "66.0", reference) if i.severity == "error"] == []


def test_a_version_the_org_has_with_other_content_is_an_error_fixed_by_planning() -> None:
    project = _read(PHANI)
    reference = _read(PHANI)
    reference.processes = [reference.processes[1]]  # the org's v2 ...
    reference.processes[0].version_number = 1  # ... is its v1
    issues = [i for i in preflight(project, "66.0", reference) if i.severity == "error"]
    assert [(i.where, i.fix) for i in issues] == [
        ("entitlementProcesses/ihsm entitlement process_v1", "plan_against_reference"),
    ]


def test_duplicate_version_numbers_are_an_error() -> None:
    project = MetadataProject(
        processes=[
            EntitlementProcessVersion("Gold", version_number=1),
            EntitlementProcessVersion("Gold", version_number=1),
        ]
    )
    assert ("error", "process 'Gold'", "version 1 appears more than once", None) in _messages(
        preflight(project, "66.0")
    )


# --------------------------------------------------------------------------- actions


def test_prefixed_action_names_warn_and_strip_fixes_them(tmp_path: Path) -> None:
    project = _read(MMG)
    assert _messages(preflight(project, "66.0")) == [
        (
            "warning",
            "entitlementProcesses/sla policy for cases",
            "action names carry an object prefix, which breaks redeploys: "
            "Case.ChangeStatusToEscalated, Case.SendSlaViolationEmailAlert",
            "strip_action_prefixes",
        )
    ]
    fixed = strip_action_prefixes(project)
    assert preflight(fixed, "66.0") == []
    names = [
        a.name for m in fixed.processes[0].milestones for t in m.time_triggers for a in t.actions
    ]
    assert (
        names
        == ["SendSlaViolationEmailAlert"]
        + ["SendSlaViolationEmailAlert", "ChangeStatusToEscalated"] * 3
    )
    # the original is untouched
    assert (
        project.processes[0].milestones[0].time_triggers[0].actions[0].name
        == "Case.SendSlaViolationEmailAlert"
    )
    written = write_project(fixed, tmp_path, "source")
    text = next(p for p in written if p.name.endswith(".entitlementProcess-meta.xml")).read_text(
        encoding="utf-8"
    )
    assert "<name>SendSlaViolationEmailAlert</name>" in text and "Case.Send" not in text


# --------------------------------------------------------------------------- calendars


def _calendar(
    bh: BusinessHours | None = None, holidays: list[Holiday] | None = None
) -> MetadataProject:
    return MetadataProject(
        business_hours=[bh] if bh is not None else [],
        holidays=holidays or [],
        business_hours_settings_present=True,
    )


def test_split_shifts_and_overnight_windows_are_errors_and_the_writer_refuses_them(
    tmp_path: Path,
) -> None:
    bh = BusinessHours(
        "Support",
        "Europe/Berlin",
        windows=[
            BusinessHoursWindow("mon", time(8), time(12)),
            BusinessHoursWindow("mon", time(13), time(17)),
            BusinessHoursWindow("fri", time(22), time(6)),
        ],
    )
    assert _messages(preflight(_calendar(bh), "66.0")) == [
        (
            "error",
            "business hours 'Support'",
            "2 windows on Monday (split shift); Salesforce holds one window per day",
            None,
        ),
        (
            "error",
            "business hours 'Support'",
            "overnight window on Friday (22:00-06:00); Salesforce windows end on the day they start (split it at midnight)",
            None,
        ),
    ]
    with pytest.raises(InterchangeError, match="2 windows on Monday"):
        write_project(_calendar(bh), tmp_path, "mdapi")


def test_a_window_until_midnight_and_a_24_hour_day_are_fine(tmp_path: Path) -> None:
    bh = BusinessHours(
        "Late",
        "Europe/Berlin",
        windows=[
            BusinessHoursWindow("mon", time(18), None),
            BusinessHoursWindow("tue", time(0), None),
        ],
    )
    assert preflight(_calendar(bh), "66.0") == []
    write_project(_calendar(bh), tmp_path, "mdapi")
    text = (tmp_path / "src/settings/BusinessHours.settings").read_text(encoding="utf-8")
    assert "<mondayEndTime>00:00:00.000Z</mondayEndTime>" in text
    assert "<mondayStartTime>18:00:00.000Z</mondayStartTime>" in text
    assert "<tuesdayStartTime>00:00:00.000Z</tuesdayStartTime>" in text


def test_national_calendars_cannot_be_exported() -> None:
    h = Holiday("German holidays", national_country="DE", national_subdivision="BY")
    assert _messages(preflight(_calendar(holidays=[h]), "66.0")) == [
        (
            "error",
            "holiday 'German holidays'",
            "follows the national calendar of DE-BY, which Salesforce cannot hold; replace it with dated holidays",
            None,
        )
    ]


@pytest.mark.parametrize(
    ("holiday", "message"),
    [
        (
            Holiday("Half day", activity_date=date(2025, 12, 24), start_time=time(13)),
            "a partial-day holiday needs both a start and an end time",
        ),
        (
            Holiday(
                "Night", activity_date=date(2025, 12, 31), start_time=time(22), end_time=time(2)
            ),
            "the time range 22:00-02:00 crosses midnight or is empty; Salesforce holiday times lie within one day",
        ),
        (
            Holiday(
                "Every year",
                is_recurring=True,
                recurrence_type="RecursYearlyNth",
                recurrence_start_date=date(2025, 1, 1),
            ),
            "a RecursYearlyNth holiday needs recurrence_month_of_year, recurrence_instance, recurrence_day_of_week",
        ),
        (
            Holiday(
                "No start",
                is_recurring=True,
                recurrence_type="RecursYearly",
                recurrence_day_of_month=1,
                recurrence_month_of_year="May",
            ),
            "a recurring holiday needs a recurrence start date",
        ),
        (Holiday("Dateless", is_recurring=False), "a one-off holiday needs a date"),
    ],
)
def test_holiday_combinations_salesforce_cannot_hold(holiday: Holiday, message: str) -> None:
    assert _messages(preflight(_calendar(holidays=[holiday]), "66.0")) == [
        ("error", f"holiday {holiday.name!r}", message, None)
    ]


def test_two_default_business_hours_are_an_error() -> None:
    project = _calendar()
    project.business_hours = [
        BusinessHours("A", "UTC", default=True),
        BusinessHours("B", "UTC", default=True),
    ]
    assert _messages(preflight(project, "66.0")) == [
        (
            "error",
            "settings/BusinessHours.settings",
            "2 business hours are marked default; one may be",
            None,
        )
    ]


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "Gold/Platinum",
            "the process name 'Gold/Platinum' holds characters a deploy rejects: '/'",
        ),
        (" Gold", "the process name ' Gold' begins or ends with a space"),
        ("G" * 121, "the process name is 121 characters long; Salesforce allows 120"),
    ],
)
def test_process_names_a_deploy_rejects(name: str, message: str) -> None:
    project = MetadataProject(processes=[EntitlementProcessVersion(name)])
    assert [i.message for i in preflight(project, "66.0")] == [message]


def test_names_with_spaces_and_non_ascii_letters_are_fine() -> None:
    project = MetadataProject(
        processes=[EntitlementProcessVersion("Support Nærum über alles")],
        milestone_types=[MilestoneType("Première réponse")],
    )
    assert preflight(project, "66.0") == []


# --------------------------------------------------------------------------- settings


def test_settings_elements_newer_than_the_api_version_are_errors_and_dropped(
    tmp_path: Path,
) -> None:
    project = _read(MMG)
    issues = [i for i in preflight(project, "38.0") if i.fix == "drop_unsupported_settings"]
    assert [i.message for i in issues] == [
        "<enableMilestoneFeedItem> arrived in API 47.0; API 38.0 does not know it",
        "<enableMilestoneStoppedTime> arrived in API 47.0; API 38.0 does not know it",
        "<ignoreMilestoneBusinessHours> arrived in API 47.0; API 38.0 does not know it",
    ]
    assert [i for i in preflight(project, "47.0") if i.fix == "drop_unsupported_settings"] == []
    dropped = drop_unsupported_settings(project, "38.0")
    assert dropped.entitlement_settings is not None and project.entitlement_settings is not None
    assert len(dropped.entitlement_settings.flags) == 10
    assert len(project.entitlement_settings.flags) == 13
    write_project(dropped, tmp_path, "mdapi", api_version="38.0")
    text = (tmp_path / "src/settings/Entitlement.settings").read_text(encoding="utf-8")
    assert "enableMilestoneFeedItem" not in text
    assert "<version>38.0</version>" in (tmp_path / "src/package.xml").read_text(encoding="utf-8")


def test_a_version_that_is_not_a_number_is_an_error() -> None:
    assert _messages(preflight(MetadataProject(), "sixty")) == [
        ("error", "package.xml", "'sixty' is not an API version like 66.0", None)
    ]


# --------------------------------------------------------------------------- planning


def _org_with_our_v2_as_its_v1() -> MetadataProject:
    reference = _read(PHANI)
    org_v1 = reference.processes[1]
    org_v1.version_number = 1
    org_v1.file_name = "ihsm entitlement process_v1"
    org_v1.version_master = "5520X00000ORG01"
    reference.processes = [org_v1]
    reference.api_version = "38.0"
    return reference


def test_planning_writes_only_what_the_org_lacks_numbered_after_its_latest(tmp_path: Path) -> None:
    project = _read(PHANI)
    reference = _org_with_our_v2_as_its_v1()
    planned = plan_against_reference(project, reference)
    assert [(p.file_name, p.version_number, p.version_master) for p in planned.processes] == [
        ("ihsm entitlement process_v2", 2, "5520X00000ORG01"),  # our v1
        ("ihsm entitlement process_v3", 3, "5520X00000ORG01"),  # our v3 (our v2 the org has)
        ("ihsm entitlement process_v4", 4, "5520X00000ORG01"),  # our v4
    ]
    assert [len(p.milestones) for p in planned.processes] == [6, 12, 12]
    assert [p.version_number for p in project.processes] == [1, 2, 3, 4]  # input untouched
    assert [i for i in preflight(planned, "38.0", reference) if i.severity == "error"] == []
    written = write_project(planned, tmp_path, "mdapi", api_version="38.0")
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    for path in written:
        if path.suffix == ".entitlementProcess":
            assert schema.validate(etree.parse(str(path))), schema.error_log
    v2 = (
        tmp_path / "src/entitlementProcesses/ihsm entitlement process_v2.entitlementProcess"
    ).read_text(encoding="utf-8")
    assert (
        "<versionNumber>2</versionNumber>" in v2
        and "<versionMaster>5520X00000ORG01</versionMaster>" in v2
    )


def test_planning_drops_settings_the_org_api_version_does_not_know() -> None:
    project = _read(MMG)
    reference = _read("fpintelandgraf__alpinedemo")  # an API 38.0 retrieve
    planned = plan_against_reference(project, reference)
    assert planned.api_version == "38.0"
    assert planned.entitlement_settings is not None and project.entitlement_settings is not None
    assert sorted(
        set(project.entitlement_settings.flags) - set(planned.entitlement_settings.flags)
    ) == [
        "enableMilestoneFeedItem",
        "enableMilestoneStoppedTime",
        "ignoreMilestoneBusinessHours",
    ]
    assert planned.processes == project.processes  # the org lacks this process: kept as is


def test_planning_against_an_org_that_has_everything_writes_no_versions() -> None:
    project = _read(PHANI)
    planned = plan_against_reference(project, copy.deepcopy(project))
    assert planned.processes == []
    assert planned.milestone_types == project.milestone_types
