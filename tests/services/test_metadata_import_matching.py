"""Importing into a workspace that already holds the records: names match as Salesforce
matches them (case-insensitive, Unicode), unchanged records are reported as such, version
gaps warn, and bad input of the break-test leaves the workspace byte-for-byte unchanged."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from entitle_desktop.interchange.errors import InterchangeError
from entitle_desktop.services.metadata_import import ImportSummary, import_metadata
from entitle_desktop.services.workspace import Workspace

NS = "http://soap.sforce.com/2006/04/metadata"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def process_xml(name: str | None, number: int | None, minutes: int = 60) -> str:
    inner = f"<name>{name}</name>" if name is not None else ""
    inner += f"<versionNumber>{number}</versionNumber>" if number is not None else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<EntitlementProcess xmlns="{NS}">'
        "<SObjectType>Case</SObjectType><active>true</active>"
        f"<milestones><milestoneName>First Response</milestoneName>"
        f"<minutesToComplete>{minutes}</minutesToComplete></milestones>"
        f"{inner}</EntitlementProcess>\n"
    )


def milestone_type_xml(description: str = "d") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<MilestoneType xmlns="{NS}">'
        f"<description>{description}</description><recurrenceType>none</recurrenceType>"
        "</MilestoneType>\n"
    )


def template_xml(process: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<EntitlementTemplate xmlns="{NS}">'
        f"<businessHours>Support</businessHours><entitlementProcess>{process}</entitlementProcess>"
        "<isPerIncident>false</isPerIncident><term>365</term><type>Phone Support</type>"
        "</EntitlementTemplate>\n"
    )


def hours_entry(name: str, zone: str = "America/Los_Angeles") -> str:
    return (
        "<businessHours><active>true</active><default>false</default>"
        "<mondayEndTime>17:00:00.000Z</mondayEndTime><mondayStartTime>09:00:00.000Z"
        f"</mondayStartTime><name>{name}</name><timeZoneId>{zone}</timeZoneId></businessHours>"
    )


def hours_settings(*entries: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<BusinessHoursSettings xmlns="{NS}">'
        + "".join(entries)
        + "</BusinessHoursSettings>\n"
    )


def project(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / "src" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def lower_case_project(root: Path) -> Path:
    return project(
        root,
        {
            "entitlementProcesses/gold sla.entitlementProcess": process_xml("gold sla", 1),
            "milestoneTypes/first response.milestoneType": milestone_type_xml("old"),
            "entitlementTemplates/phone.entitlementTemplate": template_xml("gold sla"),
            "settings/BusinessHours.settings": hours_settings(hours_entry("support")),
        },
    )


def title_case_project(root: Path) -> Path:
    return project(
        root,
        {
            "entitlementProcesses/Gold SLA.entitlementProcess": process_xml("Gold SLA", 1, 30),
            "milestoneTypes/First Response.milestoneType": milestone_type_xml("new"),
            "entitlementTemplates/PHONE.entitlementTemplate": template_xml("Gold SLA"),
            "settings/BusinessHours.settings": hours_settings(hours_entry("Support")),
        },
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Any:
    ws = Workspace.create(tmp_path / "w.entitle")
    yield ws
    ws.close()


def setup_names(ws: Workspace) -> dict[str, list[str]]:
    summary = ws.summary()
    return {
        "processes": [p["name"] for p in summary.processes],
        "milestone_types": [r["name"] for r in ws.rows("milestone_type")],
        "templates": [r["name"] for r in ws.rows("template")],
        "business_hours": [r["name"] for r in ws.rows("business_hours")],
    }


# --------------------------------------------------------------------------- 2, 3: matching


def test_names_differing_in_case_update_the_existing_records(
    workspace: Workspace, tmp_path: Path
) -> None:
    import_metadata(workspace, lower_case_project(tmp_path / "a"))
    summary = import_metadata(workspace, title_case_project(tmp_path / "b"))
    assert summary.added == {}
    assert summary.updated == {
        "business_hours": 1,
        "entitlement_process_versions": 1,
        "entitlement_templates": 1,
        "milestone_types": 1,
    }
    assert setup_names(workspace) == {
        "processes": ["Gold SLA"],
        "milestone_types": ["First Response"],
        "templates": ["PHONE"],
        "business_hours": ["Support"],
    }
    processes = workspace.summary().processes
    assert [(v["number"], v["milestones"]) for v in processes[0]["versions"]] == [(1, 1)]
    assert workspace.summary().placeholders == {}


def test_a_name_taken_from_a_lower_case_file_name_keeps_the_workspace_spelling(
    workspace: Workspace, tmp_path: Path
) -> None:
    import_metadata(workspace, title_case_project(tmp_path / "a"))
    retrieve = project(  # no <name>: Salesforce's lower-case file name gives it
        tmp_path / "b",
        {"entitlementProcesses/gold sla_v1.entitlementProcess": process_xml(None, None, 45)},
    )
    summary = import_metadata(workspace, retrieve)
    assert (summary.added, summary.updated) == ({}, {"entitlement_process_versions": 1})
    assert [p["name"] for p in workspace.summary().processes] == ["Gold SLA"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("éclair", "ÉCLAIR"),  # SQLite's lower() leaves É as it is
        ("straße", "STRASSE"),  # full case folding: ß folds to ss
        ("Ωmega", "ωMEGA"),
    ],
)
def test_case_insensitive_matching_is_unicode_aware(
    workspace: Workspace, tmp_path: Path, first: str, second: str
) -> None:
    import_metadata(
        workspace,
        project(tmp_path / "a", {f"milestoneTypes/{first}.milestoneType": milestone_type_xml()}),
    )
    summary = import_metadata(
        workspace,
        project(
            tmp_path / "b", {f"milestoneTypes/{second}.milestoneType": milestone_type_xml("x")}
        ),
    )
    assert (summary.added, summary.updated) == ({}, {"milestone_types": 1})
    assert [r["name"] for r in workspace.rows("milestone_type")] == [second]


def test_a_reference_in_another_case_resolves_without_placeholder(
    workspace: Workspace, tmp_path: Path
) -> None:
    import_metadata(
        workspace,
        project(
            tmp_path / "a",
            {"settings/BusinessHours.settings": hours_settings(hours_entry("Ünterstützung"))},
        ),
    )
    summary = import_metadata(
        workspace,
        project(
            tmp_path / "b",
            {
                "entitlementTemplates/T.entitlementTemplate": template_xml("x").replace(
                    "<businessHours>Support</businessHours>",
                    "<businessHours>ÜNTERSTÜTZUNG</businessHours>",
                )
            },
        ),
    )
    assert summary.placeholders == {"processes": ["x"]}
    assert [r["name"] for r in workspace.rows("business_hours")] == ["Ünterstützung"]


def test_an_unversioned_process_and_its_v1_are_one_version_across_imports(
    workspace: Workspace, tmp_path: Path
) -> None:
    import_metadata(
        workspace,
        project(
            tmp_path / "a",
            {"entitlementProcesses/gold.entitlementProcess": process_xml(None, None)},
        ),
    )
    summary = import_metadata(
        workspace,
        project(
            tmp_path / "b",
            {
                "entitlementProcesses/gold_v1.entitlementProcess": process_xml(None, None, 30),
                "entitlementProcesses/gold_v2.entitlementProcess": process_xml(None, None),
            },
        ),
    )
    assert summary.added == {"entitlement_process_versions": 1}
    assert summary.updated == {"entitlement_process_versions": 1}
    versions = workspace.summary().processes[0]["versions"]
    assert [v["number"] for v in versions] == [1, 2]


# --------------------------------------------------------------------------- unchanged


def test_reimport_reports_unchanged_and_changed_records_apart(
    workspace: Workspace, tmp_path: Path
) -> None:
    source = title_case_project(tmp_path / "a")
    import_metadata(workspace, source)
    (source / "src/milestoneTypes/First Response.milestoneType").write_text(
        milestone_type_xml("changed"), encoding="utf-8"
    )
    summary = import_metadata(workspace, source)
    assert summary.added == {}
    assert summary.updated == {"milestone_types": 1}
    assert summary.unchanged == {
        "business_hours": 1,
        "entitlement_process_versions": 1,
        "entitlement_templates": 1,
    }
    assert summary.lines()[:5] == [
        "Import complete.",
        "  business hours: 0 added, 0 updated, 1 unchanged",
        "  entitlement process versions: 0 added, 0 updated, 1 unchanged",
        "  entitlement templates: 0 added, 0 updated, 1 unchanged",
        "  milestone types: 0 added, 1 updated, 0 unchanged",
    ]


def test_warning_counts_are_singular_or_plural() -> None:
    one = ImportSummary(warnings=["w1"]).lines()
    two = ImportSummary(warnings=["w1", "w2"]).lines()
    assert one == ["Import complete.", "1 warning:", "  w1"]
    assert two == ["Import complete.", "2 warnings:", "  w1", "  w2"]


# --------------------------------------------------------------------------- 9: gaps


def test_a_version_gap_is_a_warning_not_an_error(workspace: Workspace, tmp_path: Path) -> None:
    source = project(
        tmp_path / "a",
        {
            "entitlementProcesses/gold_v1.entitlementProcess": process_xml("Gold", 1),
            "entitlementProcesses/gold_v3.entitlementProcess": process_xml("Gold", 3),
            "entitlementProcesses/silver_v1.entitlementProcess": process_xml("Silver", 1),
            "entitlementProcesses/silver_v4.entitlementProcess": process_xml("Silver", 4),
            "entitlementProcesses/bronze_v2.entitlementProcess": process_xml("Bronze", 2),
            "milestoneTypes/First Response.milestoneType": milestone_type_xml(),
        },
    )
    summary = import_metadata(workspace, source)
    assert summary.warnings == [
        "Process 'Gold' has versions 1, 3 but no version 2: the project may be a partial retrieve.",
        "Process 'Silver' has versions 1, 4 but no versions 2, 3: the project may be a partial "
        "retrieve.",
    ]
    assert summary.added["entitlement_process_versions"] == 5
    assert summary.lines()[-3:] == [
        "2 warnings:",
        f"  {summary.warnings[0]}",
        f"  {summary.warnings[1]}",
    ]


def test_a_gap_filled_by_the_workspace_does_not_warn(workspace: Workspace, tmp_path: Path) -> None:
    import_metadata(
        workspace,
        project(
            tmp_path / "a", {"entitlementProcesses/g_v2.entitlementProcess": process_xml("Gold", 2)}
        ),
    )
    summary = import_metadata(
        workspace,
        project(
            tmp_path / "b",
            {
                "entitlementProcesses/g_v1.entitlementProcess": process_xml("Gold", 1),
                "entitlementProcesses/g_v3.entitlementProcess": process_xml("Gold", 3),
            },
        ),
    )
    assert [w for w in summary.warnings if "partial retrieve" in w] == []


# --------------------------------------------------------------------------- bad input


@pytest.fixture
def filled(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "w.entitle"
    with Workspace.create(path) as ws:
        import_metadata(ws, title_case_project(tmp_path / "seed"))
    return path, sha256(path)


BAD: dict[str, tuple[dict[str, str], str]] = {
    "duplicate-version-1": (
        {
            "entitlementProcesses/gold.entitlementProcess": process_xml(None, None),
            "entitlementProcesses/gold_v1.entitlementProcess": process_xml(None, None),
        },
        "src/entitlementProcesses/gold_v1.entitlementProcess: version 1 of process 'gold' is "
        "also defined by src/entitlementProcesses/gold.entitlementProcess (a file name without "
        "_vN and no <versionNumber> is version 1); keep only one of the two files",
    ),
    "bad-time-zone": (
        {"settings/BusinessHours.settings": hours_settings(hours_entry("Support", "Mars/Base"))},
        "src/settings/BusinessHours.settings, line 2, <timeZoneId>: business hours 'Support': "
        "unknown time zone 'Mars/Base'",
    ),
    "same-business-hours-twice": (
        {
            "settings/BusinessHours.settings": hours_settings(
                hours_entry("Support"), hours_entry("Support")
            )
        },
        "src/settings/BusinessHours.settings, line 2, <name>: two business hours entries are "
        "named 'Support'; Salesforce business hours names are unique",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_names_file_and_element_and_changes_nothing(
    tmp_path: Path, filled: tuple[Path, str], case: str
) -> None:
    path, digest = filled
    files, message = BAD[case]
    source = project(tmp_path / "bad", files)
    with Workspace.open(path) as ws, pytest.raises(InterchangeError) as info:
        import_metadata(ws, source)
    assert str(info.value) == message
    assert sha256(path) == digest


def test_an_empty_folder_changes_nothing(tmp_path: Path, filled: tuple[Path, str]) -> None:
    path, digest = filled
    (tmp_path / "empty").mkdir()
    with Workspace.open(path) as ws, pytest.raises(InterchangeError) as info:
        import_metadata(ws, tmp_path / "empty")
    assert str(info.value) == "empty: no Salesforce metadata was found: the folder is empty"
    assert sha256(path) == digest
