"""Reading Salesforce metadata projects: every corpus file, exact values; bad input."""

from __future__ import annotations

import zipfile
from datetime import date, time
from pathlib import Path

import pytest

from entitle_desktop.domain.records import (
    BusinessHoursWindow,
    FilterItem,
    MetadataProject,
)
from entitle_desktop.interchange.errors import InterchangeCancelled, InterchangeError
from entitle_desktop.interchange.safe_source import SourceLimits
from entitle_desktop.interchange.salesforce_metadata import read_project

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "salesforce-metadata"

MDAPI = "src"
SOURCE = "force-app/main/default"

# project -> (layout, root, api version, files kept verbatim)
LAYOUTS: dict[str, tuple[str, str, str | None, list[str]]] = {
    "Umesh25J__CuriousOrg": ("source", SOURCE, None, []),
    "divyaagrawal__force-code-demo": ("mdapi", MDAPI, None, []),
    "fpintelandgraf__alpinedemo": (
        "mdapi",
        MDAPI,
        "38.0",
        ["src/package.xml", "src/settings/Case.settings"],
    ),
    "mmg-opp1__JCRC-Dev": ("source", SOURCE, None, []),
    "parsam97__Case-Milestone-Bug": ("source", SOURCE, None, []),
    "phani467__Metadata-Extract-from-stage": ("mdapi", MDAPI, None, []),
    "vgoyal-copado__SFP-Demo-Classic-Repository": (
        "source",
        SOURCE,
        None,
        [
            f"{SOURCE}/standardValueSets/EntitlementType.standardValueSet-meta.xml",
            f"{SOURCE}/standardValueSets/ServiceContractApprovalStatus.standardValueSet-meta.xml",
        ],
    ),
}

# file base -> (name, version, object, milestone names in order, minutes in order)
Process = tuple[str, int | None, str, list[str], list[int]]
PROCESSES: dict[str, dict[str, Process]] = {
    "Umesh25J__CuriousOrg": {
        "emergency repairs": ("emergency repairs", None, "WorkOrder", [], []),
        "standard case": (
            "standard case",
            None,
            "Case",
            ["First Response to Customer", "Escalate Case", "Close Case"],
            [240, 1440, 5760],
        ),
        "standard support": (
            "standard support",
            None,
            "Case",
            ["Resolution Time", "Resolution Time"],
            [960, 1920],
        ),
    },
    "divyaagrawal__force-code-demo": {
        "standard support": ("standard support", None, "Case", ["Resolution Time"], [240]),
    },
    "fpintelandgraf__alpinedemo": {
        "basic support process": (
            "basic support process",
            None,
            "Case",
            [
                "First Response",
                "First Response",
                "Under Investigation",
                "Solution Proposed",
                "Case Closed",
                "Case Closed",
            ],
            [120, 240, 480, 1440, 1920, 2400],
        ),
        "mission critical process": (
            "mission critical process",
            None,
            "Case",
            [
                "First Response",
                "First Response",
                "Tech Onsite",
                "Under Investigation",
                "Solution Proposed",
                "Case Closed",
                "Case Closed",
            ],
            [30, 45, 60, 90, 120, 240, 480],
        ),
        "premium field service": (
            "premium field service",
            None,
            "WorkOrder",
            ["First Response", "Tech Assigned", "Tech Onsite", "Work Order Closed"],
            [10, 40, 480, 540],
        ),
        "premium service": (
            "premium service",
            None,
            "Case",
            [
                "First Response",
                "Solution Proposed",
                "Case Closed",
                "First Response",
                "Solution Proposed",
                "Case Closed",
            ],
            [10, 30, 60, 10, 60, 90],
        ),
    },
    "mmg-opp1__JCRC-Dev": {
        "sla policy for cases": (
            "sla policy for cases",
            None,
            "Case",
            [
                "First Response",
                "First Response",
                "First Response",
                "Follow Up",
                "Periodic Update",
                "Resolve Within",
                "Resolve Within",
                "Resolve Within",
            ],
            [30, 60, 240, 30, 60, 240, 720, 2880],
        ),
    },
    "parsam97__Case-Milestone-Bug": {
        "standard support": (
            "standard support",
            None,
            "Case",
            ["Respond to Customer", "Touch Point with Customer", "Close Case"],
            [720, 729, 1920],
        ),
    },
    "phani467__Metadata-Extract-from-stage": {
        "ihsm entitlement process_v1": (
            "IHSM Entitlement Process",
            1,
            "Case",
            [
                "Assignment",
                "Assignment",
                "First Touch",
                "Resolution Time",
                "Resolution Time",
                "Resolution Time",
            ],
            [120, 30, 30, 30, 1440, 7200],
        ),
        **{
            f"ihsm entitlement process_v{n}": (
                "IHSM Entitlement Process",
                n,
                "Case",
                ["Assignment"] * 3 + ["First Touch"] + ["Resolution Time"] * 8,
                [180, 120, 30, 30, 30, 1440, 7200, 2880, 180, 1440, 20160, 10080],
            )
            for n in (2, 3, 4)
        },
    },
    "vgoyal-copado__SFP-Demo-Classic-Repository": {
        "basic support process": (
            "basic support process",
            None,
            "Case",
            ["First Response", "Under Investigation", "Solution Proposed", "Case Closed"],
            [120, 240, 480, 960],
        ),
        "premium support process": (
            "premium support process",
            None,
            "Case",
            ["First Response", "Under Investigation", "Solution Proposed", "Case Closed"],
            [30, 60, 90, 120],
        ),
    },
}

# name -> recurrence type (None = element absent)
MILESTONE_TYPES: dict[str, dict[str, str | None]] = {
    "Umesh25J__CuriousOrg": {
        "Close Case": "recursChained",
        "Escalate Case": "recursIndependently",
        "First Response to Customer": "none",
        "Resolution Time": "none",
    },
    "divyaagrawal__force-code-demo": {"Resolution Time": "none"},
    "fpintelandgraf__alpinedemo": {
        "Case Closed": None,
        "First Response": None,
        "Solution Proposed": None,
        "Tech Assigned": "none",
        "Tech Onsite": None,
        "Under Investigation": None,
        "Work Order Closed": "none",
    },
    "mmg-opp1__JCRC-Dev": {
        "First Response": "none",
        "Follow Up": "recursIndependently",
        "Periodic Update": "recursChained",
        "Resolve Within": "none",
    },
    "parsam97__Case-Milestone-Bug": {
        "Respond to Customer": "recursIndependently",
        "Touch Point with Customer": "recursChained",
    },
    "phani467__Metadata-Extract-from-stage": {
        "Assignment": "none",
        "First Touch": "none",
        "Resolution Time": "none",
    },
    "vgoyal-copado__SFP-Demo-Classic-Repository": {
        "Case Closed": "recursChained",
        "First Response": "recursChained",
        "Solution Proposed": "recursChained",
        "Tech Onsite": "recursChained",
        "Under Investigation": "recursChained",
    },
}

# name -> (business hours, process, term, type, per incident)
Template = tuple[str | None, str | None, int | None, str | None, bool | None]
TEMPLATES: dict[str, dict[str, Template]] = {
    "Umesh25J__CuriousOrg": {"Phone Support": ("Default", None, 365, "Phone Support", False)},
    "divyaagrawal__force-code-demo": {
        "Phone Support": ("Default", None, None, "Phone Support", False),
        "Trailhead Standard Web Support": ("Default", None, 90, "Web Support", False),
    },
    "fpintelandgraf__alpinedemo": {
        "Basic Phone Support": (
            "North America",
            "Basic Support Process",
            None,
            "Phone Support",
            False,
        ),
        "Basic Web Support": ("North America", "Basic Support Process", None, "Web Support", False),
        "Premium Phone Support": ("Asia", "Mission Critical Process", None, "Phone Support", False),
        "Premium Web Support": ("Asia", "Mission Critical Process", None, "Web Support", False),
        "Warranty Phone Support": (
            "North America",
            "Basic Support Process",
            90,
            "Phone Support",
            False,
        ),
        "Warranty Web Support": (
            "North America",
            "Basic Support Process",
            90,
            "Web Support",
            False,
        ),
    },
    "mmg-opp1__JCRC-Dev": {},
    "parsam97__Case-Milestone-Bug": {},
    "phani467__Metadata-Extract-from-stage": {},
    "vgoyal-copado__SFP-Demo-Classic-Repository": {},
}

# business hours (name, zone, default) in file order, holiday count; None = no BusinessHours.settings
BUSINESS_HOURS: dict[str, tuple[list[tuple[str, str, bool]], int] | None] = {
    "Umesh25J__CuriousOrg": None,
    "divyaagrawal__force-code-demo": None,
    "fpintelandgraf__alpinedemo": (
        [
            ("24/7 Follow-The-Sun Service", "America/Los_Angeles", True),
            ("Asia", "Asia/Singapore", False),
            ("Australia and New Zealand", "Australia/Sydney", False),
            ("Europe and the Middle East", "GMT", False),
            ("North America", "America/Los_Angeles", False),
        ],
        10,
    ),
    "mmg-opp1__JCRC-Dev": ([("Default", "America/Los_Angeles", True)], 0),
    "parsam97__Case-Milestone-Bug": None,
    "phani467__Metadata-Extract-from-stage": ([("Default", "America/Los_Angeles", True)], 0),
    "vgoyal-copado__SFP-Demo-Classic-Repository": (
        [
            ("24x7", "America/Los_Angeles", False),
            ("Default", "America/Los_Angeles", False),
            ("General Hours", "America/Los_Angeles", True),
        ],
        0,
    ),
}

# (number of flags, enableEntitlementVersioning); None = no Entitlement.settings
SETTINGS: dict[str, tuple[int, bool] | None] = {
    "Umesh25J__CuriousOrg": None,
    "divyaagrawal__force-code-demo": None,
    "fpintelandgraf__alpinedemo": (10, False),
    "mmg-opp1__JCRC-Dev": (13, False),
    "parsam97__Case-Milestone-Bug": None,
    "phani467__Metadata-Extract-from-stage": (10, True),
    "vgoyal-copado__SFP-Demo-Classic-Repository": (13, False),
}

PROJECTS = sorted(LAYOUTS)


@pytest.fixture(scope="module")
def projects() -> dict[str, tuple[MetadataProject, list[str]]]:
    return {name: read_project(CORPUS / name) for name in PROJECTS}


def test_expected_data_covers_every_corpus_project() -> None:
    assert sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) == PROJECTS


@pytest.mark.parametrize("name", PROJECTS)
def test_layout_root_version_and_kept_files(
    name: str, projects: dict[str, tuple[MetadataProject, list[str]]]
) -> None:
    project, _ = projects[name]
    layout, root, version, kept = LAYOUTS[name]
    assert (project.layout, project.root, project.api_version) == (layout, root, version)
    assert [f.path for f in project.other_files] == kept
    for f in project.other_files:
        assert f.content == (CORPUS / name / f.path).read_bytes()


@pytest.mark.parametrize("name", PROJECTS)
def test_processes_per_file(
    name: str, projects: dict[str, tuple[MetadataProject, list[str]]]
) -> None:
    project, _ = projects[name]
    got = {
        p.file_name: (
            p.name,
            p.version_number,
            p.sobject_type,
            [m.milestone_name for m in p.milestones],
            [m.minutes_to_complete for m in p.milestones],
        )
        for p in project.processes
    }
    assert got == PROCESSES[name]
    suffix = ".entitlementProcess" + ("-meta.xml" if project.layout == "source" else "")
    for p in project.processes:
        assert (
            CORPUS / name / project.root / "entitlementProcesses" / f"{p.file_name}{suffix}"
        ).is_file()


@pytest.mark.parametrize("name", PROJECTS)
def test_milestone_types_and_recurrence(
    name: str, projects: dict[str, tuple[MetadataProject, list[str]]]
) -> None:
    project, _ = projects[name]
    assert {m.name: m.recurrence_type for m in project.milestone_types} == MILESTONE_TYPES[name]


@pytest.mark.parametrize("name", PROJECTS)
def test_templates(name: str, projects: dict[str, tuple[MetadataProject, list[str]]]) -> None:
    project, _ = projects[name]
    got = {
        t.name: (t.business_hours, t.entitlement_process, t.term, t.type, t.is_per_incident)
        for t in project.templates
    }
    assert got == TEMPLATES[name]


@pytest.mark.parametrize("name", PROJECTS)
def test_business_hours_and_holiday_counts(
    name: str, projects: dict[str, tuple[MetadataProject, list[str]]]
) -> None:
    project, _ = projects[name]
    expected = BUSINESS_HOURS[name]
    if expected is None:
        assert not project.business_hours_settings_present
        assert project.business_hours == [] and project.holidays == []
        return
    assert project.business_hours_settings_present
    assert [(b.name, b.time_zone, b.default) for b in project.business_hours] == expected[0]
    assert len(project.holidays) == expected[1]


@pytest.mark.parametrize("name", PROJECTS)
def test_entitlement_settings(
    name: str, projects: dict[str, tuple[MetadataProject, list[str]]]
) -> None:
    project, _ = projects[name]
    expected = SETTINGS[name]
    if expected is None:
        assert project.entitlement_settings is None
        return
    settings = project.entitlement_settings
    assert settings is not None
    assert (len(settings.flags), settings.flags["enableEntitlementVersioning"]) == expected
    assert settings.flags["enableEntitlements"] is True


def test_north_america_hours_become_weekday_windows(
    projects: dict[str, tuple[MetadataProject, list[str]]],
) -> None:
    project, _ = projects["fpintelandgraf__alpinedemo"]
    na = project.business_hours[4]
    assert na.windows == [
        BusinessHoursWindow("mon", time(8), time(19)),
        BusinessHoursWindow("tue", time(7), time(19)),
        BusinessHoursWindow("wed", time(7), time(19)),
        BusinessHoursWindow("thu", time(7), time(19)),
        BusinessHoursWindow("fri", time(7), time(17)),
    ]
    assert na.xml_times["mondayStartTime"] == "08:00:00.000Z"
    always = project.business_hours[0]
    assert always.windows == [
        BusinessHoursWindow(d, time(0), None)
        for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    ]


def test_alpine_holidays_keep_their_recurrence(
    projects: dict[str, tuple[MetadataProject, list[str]]],
) -> None:
    project, _ = projects["fpintelandgraf__alpinedemo"]
    by_name = {h.name: h for h in project.holidays}
    assert list(by_name) == [
        "Australia Day",
        "Canadian Thanksgiving",
        "Chinese New Year 2015",
        "Chinese New Year 2016",
        "Chinese New Year 2017",
        "Chinese New Year 2018",
        "Europe Day",
        "Independence Day",
        "New Year's Day",
        "Thanksgiving Day",
    ]
    thanks = by_name["Canadian Thanksgiving"]
    assert (
        thanks.is_recurring,
        thanks.recurrence_type,
        thanks.recurrence_instance,
        thanks.recurrence_day_of_week,
        thanks.recurrence_month_of_year,
        thanks.recurrence_start_date,
        thanks.business_hours,
    ) == (
        True,
        "RecursYearlyNth",
        "Second",
        ["Monday"],
        "October",
        date(2015, 12, 20),
        ["Asia", "North America"],
    )
    cny = by_name["Chinese New Year 2015"]
    assert (cny.is_recurring, cny.activity_date, cny.start_time, cny.business_hours) == (
        False,
        date(2015, 4, 29),
        None,
        [],
    )
    assert by_name["Australia Day"].recurrence_day_of_month == 26


def test_alpine_first_response_entry_in_detail(
    projects: dict[str, tuple[MetadataProject, list[str]]],
) -> None:
    project, _ = projects["fpintelandgraf__alpinedemo"]
    basic = project.processes[0]
    assert basic.entry_start_date_field == "Case.DateTime_Opened_c__c"
    assert basic.exit_criteria_items == [
        FilterItem("Case.IsClosed", "equals", "true"),
        FilterItem("Case.Status", "equals", "Closed - First Call, Closed"),
    ]
    first = basic.milestones[0]
    assert first.criteria_items == [
        FilterItem("Case.Origin", "equals", "Email, Web, Portal"),
        FilterItem("Case.Priority", "equals", "Critical"),
    ]
    assert [(a.name, a.type) for a in first.success_actions] == [
        ("Milestone_1st_Response_SUCCESSFUL", "Alert"),
        ("Set_Case_Status_to_Researching", "FieldUpdate"),
    ]
    assert [(t.time_length, t.unit, len(t.actions)) for t in first.time_triggers] == [
        (1, "Minutes", 4),
        (-10, "Minutes", 2),
    ]
    assert first.use_criteria_start_time is False
    assert basic.from_file_name == ["name"]


def test_versions_carry_master_default_and_notes(
    projects: dict[str, tuple[MetadataProject, list[str]]],
) -> None:
    project, notes = projects["phani467__Metadata-Extract-from-stage"]
    notes_v2 = "Includes SFDC1-8218 for Salesforce Helpdesk Cases"
    assert [
        (p.version_number, p.is_version_default, p.version_master, p.version_notes)
        for p in project.processes
    ] == [
        (1, False, "5520P0000000PUH", None),
        (2, False, "5520P0000000PUH", notes_v2),
        (3, False, "5520P0000000PUH", notes_v2),
        (4, False, "5520P0000000PUH", notes_v2),
    ]
    assert all(p.from_file_name == [] for p in project.processes)
    assert notes == []


def test_is_displayed_on_linked_entity_boolean_filter_and_prefixed_actions(
    projects: dict[str, tuple[MetadataProject, list[str]]],
) -> None:
    project, _ = projects["mmg-opp1__JCRC-Dev"]
    entries = project.processes[0].milestones
    assert [m.is_displayed_on_linked_entity for m in entries] == [False] * 8
    assert [m.criteria_boolean_filter for m in entries] == [None, None, None, "1 AND 2"] + [
        None
    ] * 4
    assert [[a.name for t in m.time_triggers for a in t.actions] for m in entries] == [
        ["Case.SendSlaViolationEmailAlert"],
        [],
        [],
        [],
        [],
        ["Case.SendSlaViolationEmailAlert", "Case.ChangeStatusToEscalated"],
        ["Case.SendSlaViolationEmailAlert", "Case.ChangeStatusToEscalated"],
        ["Case.SendSlaViolationEmailAlert", "Case.ChangeStatusToEscalated"],
    ]


def test_kept_files_are_listed_in_the_notes(
    projects: dict[str, tuple[MetadataProject, list[str]]],
) -> None:
    _, notes = projects["fpintelandgraf__alpinedemo"]
    assert notes == [
        "kept verbatim, type not modelled: 1 file(s) in src (package.xml)",
        "kept verbatim, type not modelled: 1 file(s) in src/settings (Case.settings)",
    ]


def test_a_zip_reads_like_the_folder(
    tmp_path: Path, projects: dict[str, tuple[MetadataProject, list[str]]]
) -> None:
    name = "fpintelandgraf__alpinedemo"
    archive = tmp_path / "alpine.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted((CORPUS / name).rglob("*")):
            if f.is_file():
                zf.write(f, f.relative_to(CORPUS / name).as_posix())
    from_zip, _ = read_project(archive)
    assert from_zip == projects[name][0]


def test_progress_is_reported_per_file_and_cancel_stops(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    read_project(CORPUS / "parsam97__Case-Milestone-Bug", progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    with pytest.raises(InterchangeCancelled):
        read_project(CORPUS / "parsam97__Case-Milestone-Bug", cancelled=lambda: True)


# --------------------------------------------------------------------------- bad input

NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'


def _project(tmp_path: Path, rel: str, text: str) -> Path:
    root = tmp_path / "proj"
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return root


def _process(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<EntitlementProcess {NS}>\n"
        "    <SObjectType>Case</SObjectType>\n"
        f"{body}"
        "</EntitlementProcess>\n"
    )


def _refused(source: Path) -> InterchangeError:
    with pytest.raises(InterchangeError) as info:
        read_project(source)
    return info.value


def test_letters_in_minutes_to_complete(tmp_path: Path) -> None:
    body = (
        "    <milestones>\n"
        "        <milestoneName>First Response</milestoneName>\n"
        "        <minutesToComplete>abc</minutesToComplete>\n"
        "    </milestones>\n"
    )
    err = _refused(
        _project(tmp_path, "src/entitlementProcesses/premium.entitlementProcess", _process(body))
    )
    assert (err.file, err.line, err.element) == (
        "src/entitlementProcesses/premium.entitlementProcess",
        6,
        "minutesToComplete",
    )
    assert str(err) == (
        "src/entitlementProcesses/premium.entitlementProcess, line 6, <minutesToComplete>: "
        "'abc' is not a whole number"
    )


def test_maybe_is_not_a_boolean(tmp_path: Path) -> None:
    err = _refused(
        _project(
            tmp_path,
            "src/entitlementProcesses/p.entitlementProcess",
            _process("    <active>maybe</active>\n"),
        )
    )
    assert (err.line, err.element, err.message) == (4, "active", "'maybe' is not true or false")


def test_bad_time_in_business_hours(tmp_path: Path) -> None:
    text = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<BusinessHoursSettings {NS}>\n'
        "    <businessHours>\n"
        "        <default>true</default>\n"
        "        <mondayEndTime>25:00:00.000Z</mondayEndTime>\n"
        "        <mondayStartTime>09:00:00.000Z</mondayStartTime>\n"
        "        <name>Default</name>\n"
        "    </businessHours>\n"
        "</BusinessHoursSettings>\n"
    )
    err = _refused(
        _project(tmp_path, "force-app/main/default/settings/BusinessHours.settings-meta.xml", text)
    )
    assert str(err) == (
        "force-app/main/default/settings/BusinessHours.settings-meta.xml, line 5, <mondayEndTime>: "
        "'25:00:00.000Z' is not a time of day (hh:mm:ss)"
    )


def test_bad_date_in_holiday(tmp_path: Path) -> None:
    text = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<BusinessHoursSettings {NS}>\n'
        "    <holidays>\n"
        "        <activityDate>2015-02-30</activityDate>\n"
        "        <name>Leap</name>\n"
        "    </holidays>\n"
        "</BusinessHoursSettings>\n"
    )
    err = _refused(_project(tmp_path, "src/settings/BusinessHours.settings", text))
    assert (err.line, err.element, err.message) == (
        4,
        "activityDate",
        "'2015-02-30' is not a date (YYYY-MM-DD)",
    )


def test_unknown_milestone_recurrence_type(tmp_path: Path) -> None:
    text = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<MilestoneType {NS}>\n'
        "    <recurrenceType>weekly</recurrenceType>\n</MilestoneType>\n"
    )
    err = _refused(_project(tmp_path, "src/milestoneTypes/Ping.milestoneType", text))
    assert str(err) == (
        "src/milestoneTypes/Ping.milestoneType, line 3, <recurrenceType>: "
        "'weekly' is not one of none, recursIndependently, recursChained"
    )


def test_unknown_holiday_recurrence_type(tmp_path: Path) -> None:
    text = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<BusinessHoursSettings {NS}>\n'
        "    <holidays>\n        <isRecurring>true</isRecurring>\n        <name>X</name>\n"
        "        <recurrenceType>RecursFortnightly</recurrenceType>\n    </holidays>\n"
        "</BusinessHoursSettings>\n"
    )
    err = _refused(_project(tmp_path, "src/settings/BusinessHours.settings", text))
    assert (err.line, err.element) == (6, "recurrenceType")
    assert err.message.startswith("'RecursFortnightly' is not one of RecursDaily, ")


@pytest.mark.parametrize(
    ("fragment", "element", "value"),
    [
        (
            "<exitCriteriaFilterItems><field>Case.IsClosed</field><operation>resembles</operation>"
            "</exitCriteriaFilterItems>",
            "operation",
            "resembles",
        ),
        (
            "<milestones><milestoneName>A</milestoneName><timeTriggers><timeLength>1</timeLength>"
            "<workflowTimeTriggerUnit>Weeks</workflowTimeTriggerUnit></timeTriggers></milestones>",
            "workflowTimeTriggerUnit",
            "Weeks",
        ),
        (
            "<milestones><milestoneName>A</milestoneName><successActions><name>n</name>"
            "<type>Tweet</type></successActions></milestones>",
            "type",
            "Tweet",
        ),
        ("<versionNumber>two</versionNumber>", "versionNumber", "two"),
    ],
)
def test_wrong_values_deep_in_a_process_name_their_element(
    tmp_path: Path, fragment: str, element: str, value: str
) -> None:
    err = _refused(
        _project(
            tmp_path, "src/entitlementProcesses/p.entitlementProcess", _process(f"    {fragment}\n")
        )
    )
    assert (err.file, err.line, err.element) == (
        "src/entitlementProcesses/p.entitlementProcess",
        4,
        element,
    )
    assert repr(value) in err.message


def test_not_xml(tmp_path: Path) -> None:
    err = _refused(
        _project(tmp_path, "src/milestoneTypes/Broken.milestoneType", "this is not <xml")
    )
    assert err.file == "src/milestoneTypes/Broken.milestoneType"
    assert err.message.startswith("not well-formed XML")
    assert err.line == 1


def test_entity_expansion_bomb_is_refused(tmp_path: Path) -> None:
    lol = "".join(
        f'<!ENTITY lol{i} "{"&lol" + str(i - 1) + ";" * 1}' * 10 + '">' for i in range(1, 10)
    )
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE MilestoneType [\n<!ENTITY lol0 "lol">\n'
        f"{lol}\n]>\n<MilestoneType {NS}><description>&lol9;</description></MilestoneType>\n"
    )
    err = _refused(_project(tmp_path, "src/milestoneTypes/Bomb.milestoneType", text))
    assert err.file == "src/milestoneTypes/Bomb.milestoneType"
    assert "DTD" in err.message and "refused" in err.message


def test_external_entity_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret", encoding="utf-8")
    text = (
        f'<?xml version="1.0"?>\n<!DOCTYPE MilestoneType [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        f"<MilestoneType {NS}><description>&x;</description></MilestoneType>\n"
    )
    err = _refused(_project(tmp_path, "src/milestoneTypes/Xxe.milestoneType", text))
    assert "DTD" in err.message


def test_wrong_root_element_for_the_folder(tmp_path: Path) -> None:
    err = _refused(_project(tmp_path, "src/milestoneTypes/Odd.milestoneType", _process("")))
    assert str(err) == (
        "src/milestoneTypes/Odd.milestoneType, line 2, <EntitlementProcess>: "
        "a .milestoneType file must hold <MilestoneType>, found <EntitlementProcess>"
    )


def test_wrong_root_element_for_settings(tmp_path: Path) -> None:
    text = f'<?xml version="1.0"?>\n<CaseSettings {NS}/>\n'
    err = _refused(_project(tmp_path, "src/settings/Entitlement.settings", text))
    assert (err.element, err.message) == (
        "CaseSettings",
        "an Entitlement.settings file must hold <EntitlementSettings>, found <CaseSettings>",
    )


def test_a_zip_entry_escaping_the_folder_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("src/package.xml", "<Package/>")
        zf.writestr("../../etc/evil.milestoneType", "<MilestoneType/>")
    err = _refused(archive)
    assert err.file == "../../etc/evil.milestoneType"
    assert "outside the folder" in err.message


def test_a_file_of_hundreds_of_megabytes_is_refused_by_name(tmp_path: Path) -> None:
    source = _project(tmp_path, "src/milestoneTypes/Huge.milestoneType", "x")
    big = source / "src/milestoneTypes/Huge.milestoneType"
    with big.open("r+b") as fh:
        fh.truncate(300 * 1024 * 1024)  # sparse: no real disk use
    err = _refused(source)
    assert err.file == "src/milestoneTypes/Huge.milestoneType"
    assert err.message == "the file is 300 MB, more than the 64 MB a single file may hold; refused"


def test_limits_can_be_tightened(tmp_path: Path) -> None:
    source = _project(tmp_path, "src/milestoneTypes/A.milestoneType", f"<MilestoneType {NS}/>")
    with pytest.raises(InterchangeError, match="more than the 10 bytes"):
        read_project(source, limits=SourceLimits(max_file_bytes=10))


def test_a_process_name_and_version_come_from_the_file_name(tmp_path: Path) -> None:
    source = _project(
        tmp_path, "src/entitlementProcesses/gold support_v3.entitlementProcess", _process("")
    )
    project, notes = read_project(source)
    p = project.processes[0]
    assert (p.name, p.version_number, p.file_name, p.from_file_name) == (
        "gold support",
        3,
        "gold support_v3",
        ["name", "version_number"],
    )
    assert notes == [
        "src/entitlementProcesses/gold support_v3.entitlementProcess: version number 3 taken from the file name"
    ]
