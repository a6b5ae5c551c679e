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
    ProcessMilestone,
)
from entitle_desktop.interchange.errors import InterchangeError
from entitle_desktop.interchange.salesforce_metadata import (
    PREFLIGHT_FIXES,
    PreflightIssue,
    approximate_business_hours,
    drop_unsupported_settings,
    kept_default_business_hours,
    missing_references,
    national_holiday_years,
    omit_inexpressible_business_hours,
    plan_against_reference,
    preflight,
    preflight_fix,
    read_project,
    single_default_business_hours,
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


HOURS_FIXES = ("approximate_business_hours", "omit_inexpressible_business_hours")


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
    issues = preflight(_calendar(bh), "66.0")
    assert _messages(issues) == [
        (
            "error",
            "business hours 'Support'",
            "Monday: 2 windows (08:00–12:00, 13:00–17:00); Salesforce holds one window per day. "
            "Approximated as 08:00–17:00: 12:00–13:00 would be worked time in Salesforce",
            "approximate_business_hours",
        ),
        (
            "error",
            "business hours 'Support'",
            "overnight window on Friday (22:00–06:00); Salesforce windows end on the day they "
            "start. Approximated as Friday 22:00–24:00 and Saturday 00:00–06:00: nothing is lost",
            "approximate_business_hours",
        ),
    ]
    assert [i.fixes for i in issues] == [HOURS_FIXES, HOURS_FIXES]
    with pytest.raises(InterchangeError, match="2 windows on Monday"):
        write_project(_calendar(bh), tmp_path, "mdapi")


def test_days_with_the_same_split_shift_make_one_issue_naming_the_lunch_gap() -> None:
    london = BusinessHours(
        "London Office",
        "Europe/London",
        windows=[
            w
            for d in ("mon", "tue", "wed", "thu", "fri", "sun")
            for w in (
                BusinessHoursWindow(d, time(8), time(12, 30)),
                BusinessHoursWindow(d, time(13, 30), time(18)),
            )
        ],
    )
    assert [i.message for i in preflight(_calendar(london), "66.0")] == [
        "Monday–Friday, Sunday: 2 windows (08:00–12:30, 13:30–18:00); Salesforce holds one "
        "window per day. Approximated as 08:00–18:00: 12:30–13:30 would be worked time in "
        "Salesforce"
    ]


def _windows(bh: BusinessHours) -> list[tuple[str, str, str | None]]:
    return [
        (w.weekday, f"{w.start:%H:%M}", None if w.end is None else f"{w.end:%H:%M}")
        for w in bh.windows
    ]


def test_approximation_spans_each_day_from_first_opening_to_last_closing(tmp_path: Path) -> None:
    bh = BusinessHours(
        "Shifts",
        "Europe/Berlin",
        windows=[
            BusinessHoursWindow("mon", time(8), time(12)),
            BusinessHoursWindow("mon", time(13), time(17)),
            BusinessHoursWindow("tue", time(9), time(17)),
            BusinessHoursWindow("fri", time(22), time(6)),  # overnight: split at midnight
            BusinessHoursWindow("sat", time(9), time(12)),
            BusinessHoursWindow("sun", time(20), time(2)),  # Sunday night runs into Monday
        ],
        xml_times={"tuesdayStartTime": "09:00:00.000Z", "mondayStartTime": "08:00:00Z"},
    )
    project = _calendar(bh)
    assert [i.message for i in preflight(project, "66.0")] == [
        "Monday: 2 windows (08:00–12:00, 13:00–17:00, 00:00–02:00 from Sunday's overnight "
        "window); Salesforce holds one window per day. Approximated as 00:00–17:00: "
        "02:00–08:00, 12:00–13:00 would be worked time in Salesforce",
        "overnight window on Friday (22:00–06:00); Salesforce windows end on the day they "
        "start. Approximated as Friday 22:00–24:00 and Saturday 00:00–06:00: Saturday "
        "06:00–09:00 would be worked time in Salesforce",
        "overnight window on Sunday (20:00–02:00); Salesforce windows end on the day they "
        "start. Approximated as Sunday 20:00–24:00 and Monday 00:00–02:00: Monday's gaps "
        "(see Monday) would be worked time in Salesforce",
    ]
    fixed = approximate_business_hours(project)
    assert _windows(fixed.business_hours[0]) == [
        ("mon", "00:00", "17:00"),
        ("tue", "09:00", "17:00"),  # untouched, and its XML text kept
        ("fri", "22:00", None),
        ("sat", "00:00", "12:00"),
        ("sun", "20:00", None),
    ]
    assert fixed.business_hours[0].xml_times == {"tuesdayStartTime": "09:00:00.000Z"}
    assert _windows(project.business_hours[0])[0] == ("mon", "08:00", "12:00")  # input kept
    assert preflight(fixed, "66.0") == []
    write_project(fixed, tmp_path, "mdapi")
    text = (tmp_path / "src/settings/BusinessHours.settings").read_text(encoding="utf-8")
    for element in (
        "<mondayStartTime>00:00:00.000Z</mondayStartTime>",
        "<mondayEndTime>17:00:00.000Z</mondayEndTime>",
        "<fridayEndTime>00:00:00.000Z</fridayEndTime>",
        "<saturdayStartTime>00:00:00.000Z</saturdayStartTime>",
        "<saturdayEndTime>12:00:00.000Z</saturdayEndTime>",
    ):
        assert element in text


def test_a_night_shift_every_weekday_approximates_to_whole_days() -> None:
    bh = BusinessHours(
        "Nights",
        "UTC",
        windows=[BusinessHoursWindow(d, time(22), time(6)) for d in ("mon", "tue")],
    )
    fixed = approximate_business_hours(_calendar(bh))
    assert _windows(fixed.business_hours[0]) == [
        ("mon", "22:00", None),
        ("tue", "00:00", None),
        ("wed", "00:00", "06:00"),
    ]
    assert [i.message for i in preflight(_calendar(bh), "66.0")][0] == (
        "overnight window on Monday (22:00–06:00); Salesforce windows end on the day they "
        "start. Approximated as Monday 22:00–24:00 and Tuesday 00:00–06:00: Tuesday "
        "06:00–22:00 would be worked time in Salesforce"
    )


def test_business_hours_salesforce_can_hold_are_not_touched() -> None:
    project = _calendar(
        BusinessHours("Plain", "UTC", windows=[BusinessHoursWindow("mon", time(9), time(17))])
    )
    assert approximate_business_hours(project) == project
    assert omit_inexpressible_business_hours(project) == project


def test_omitting_leaves_out_the_hours_and_national_calendars_but_keeps_references() -> None:
    split = BusinessHours(
        "Split",
        "UTC",
        windows=[
            BusinessHoursWindow("mon", time(8), time(12)),
            BusinessHoursWindow("mon", time(13), time(17)),
        ],
    )
    plain = BusinessHours("Plain", "UTC", windows=[BusinessHoursWindow("mon", time(9), time(17))])
    project = MetadataProject(
        processes=[EntitlementProcessVersion("p", business_hours="Split")],
        business_hours=[split, plain],
        holidays=[
            Holiday("Bank holidays", national_country="GB", business_hours=["Plain"]),
            Holiday("Day off", activity_date=date(2026, 5, 1), business_hours=["Split", "Plain"]),
        ],
        business_hours_settings_present=True,
    )
    fixed = omit_inexpressible_business_hours(project)
    assert [b.name for b in fixed.business_hours] == ["Plain"]
    assert [(h.name, h.business_hours) for h in fixed.holidays] == [("Day off", ["Split", "Plain"])]
    assert _messages(preflight(fixed, "66.0")) == [
        (
            "warning",
            "entitlementProcesses/p",
            "uses the business hours 'Split', which is not in the export; the target org must already have it",
            None,
        ),
        (
            "warning",
            "holiday 'Day off'",
            "uses the business hours 'Split', which is not in the export; the target org must already have it",
            None,
        ),
    ]
    assert [b.name for b in project.business_hours] == ["Split", "Plain"]  # input kept


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


def test_national_calendars_are_errors_approximated_by_dated_holidays() -> None:
    h = Holiday("German holidays", national_country="DE", national_subdivision="BY")
    year = date.today().year
    assert _messages(preflight(_calendar(holidays=[h]), "66.0")) == [
        (
            "error",
            "holiday 'German holidays'",
            "follows the national calendar of DE-BY, which Salesforce cannot hold. Approximated "
            f"as {len(_bavaria(year))} dated holidays for {year}–{year + 2}: later years would "
            "have no holidays in Salesforce",
            "approximate_business_hours",
        )
    ]
    assert national_holiday_years(date(2026, 1, 15)) == [2026, 2027, 2028]
    assert national_holiday_years() == [year, year + 1, year + 2]


def _bavaria(year: int) -> list[date]:
    import holidays

    found = holidays.country_holidays("DE", subdiv="BY", years=[year, year + 1, year + 2])
    return sorted(found)


def test_a_national_calendar_becomes_dated_one_off_holidays(tmp_path: Path) -> None:
    bh = BusinessHours("London", "Europe/London", windows=[])
    h = Holiday(
        "UK bank holidays",
        national_country="GB",
        national_subdivision="ENG",
        business_hours=["London"],
    )
    kept = Holiday("Offsite", activity_date=date(2026, 3, 12), business_hours=["London"])
    project = _calendar(bh, [h, kept])
    fixed = approximate_business_hours(project, years=[2026])
    assert [(x.name, x.activity_date, x.description) for x in fixed.holidays] == [
        (
            "UK bank holidays: New Year's Day 2026",
            date(2026, 1, 1),
            "New Year's Day (GB-ENG national calendar)",
        ),
        (
            "UK bank holidays: Good Friday 2026",
            date(2026, 4, 3),
            "Good Friday (GB-ENG national calendar)",
        ),
        (
            "UK bank holidays: Easter Monday 2026",
            date(2026, 4, 6),
            "Easter Monday (GB-ENG national calendar)",
        ),
        ("UK bank holidays: May Day 2026", date(2026, 5, 4), "May Day (GB-ENG national calendar)"),
        (
            "UK bank holidays: Spring Bank Holiday 2026",
            date(2026, 5, 25),
            "Spring Bank Holiday (GB-ENG national calendar)",
        ),
        (
            "UK bank holidays: Late Summer Bank Holiday 2026",
            date(2026, 8, 31),
            "Late Summer Bank Holiday (GB-ENG national calendar)",
        ),
        (
            "UK bank holidays: Christmas Day 2026",
            date(2026, 12, 25),
            "Christmas Day (GB-ENG national calendar)",
        ),
        (
            "UK bank holidays: Boxing Day 2026",
            date(2026, 12, 26),
            "Boxing Day (GB-ENG national calendar)",
        ),
        (
            "UK bank holidays: Boxing Day (observed) 2026",
            date(2026, 12, 28),
            "Boxing Day (observed) (GB-ENG national calendar)",
        ),
        ("Offsite", date(2026, 3, 12), None),
    ]
    assert {
        (x.is_recurring, x.national_country, tuple(x.business_hours)) for x in fixed.holidays[:-1]
    } == {(False, None, ("London",))}
    assert preflight(fixed, "66.0") == []
    write_project(fixed, tmp_path, "mdapi")
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    settings = etree.parse(str(tmp_path / "src/settings/BusinessHours.settings"))
    assert schema.validate(settings), schema.error_log
    assert len(approximate_business_hours(project).holidays) == 1 + len(_gb_eng(date.today().year))


def _gb_eng(year: int) -> list[date]:
    import holidays

    return sorted(holidays.country_holidays("GB", subdiv="ENG", years=[year, year + 1, year + 2]))


def test_a_national_calendar_the_library_lacks_is_left_out() -> None:
    h = Holiday("Atlantis", national_country="XX")
    assert _messages(preflight(_calendar(holidays=[h]), "66.0")) == [
        (
            "error",
            "holiday 'Atlantis'",
            "follows the national calendar of XX, which Salesforce cannot hold and the holidays "
            "library does not know: the approximation leaves it out",
            "approximate_business_hours",
        )
    ]
    assert approximate_business_hours(_calendar(holidays=[h])).holidays == []


def test_long_dated_holiday_names_are_cut_to_80_characters() -> None:
    h = Holiday("A" * 75, national_country="GB", national_subdivision="ENG")
    names = [x.name for x in approximate_business_hours(_calendar(holidays=[h]), [2026]).holidays]
    assert names[:2] == [
        "A" * 58 + "…: New Year's Day 2026",
        "A" * 61 + "…: Good Friday 2026",
    ]
    assert {len(n) for n in names} == {80}


def test_every_fix_is_catalogued_with_its_command_line_flag() -> None:
    assert [(f.name, f.flag) for f in PREFLIGHT_FIXES] == [
        ("strip_action_prefixes", "strip-action-prefixes"),
        ("drop_unsupported_settings", "drop-unsupported-settings"),
        ("approximate_business_hours", "approximate-hours"),
        ("omit_inexpressible_business_hours", "omit-inexpressible-hours"),
        ("single_default_business_hours", "single-default-hours"),
        ("enable_entitlement_versioning", "enable-versioning"),
        ("plan_against_reference", None),
    ]
    assert preflight_fix("approximate-hours") is preflight_fix("approximate_business_hours")
    with pytest.raises(KeyError):
        preflight_fix("fix-everything")
    issue = PreflightIssue("warning", "w", "m", "strip_action_prefixes")
    assert issue.fixes == ("strip_action_prefixes",)
    assert PreflightIssue("error", "w", "m", fixes=HOURS_FIXES).fix == HOURS_FIXES[0]


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
            "2 business hours are marked default ('A', 'B'); Salesforce allows only one",
            "single_default_business_hours",
        )
    ]


def test_single_default_keeps_the_most_used_default_then_the_first() -> None:
    project = _calendar()
    project.business_hours = [
        BusinessHours("A", "UTC", default=True),
        BusinessHours("B", "UTC", default=True),
        BusinessHours("C", "UTC"),
    ]
    assert kept_default_business_hours(project) == "A"  # equal use: the first
    project.processes = [EntitlementProcessVersion("P", business_hours="B")]
    assert kept_default_business_hours(project) == "B"
    fixed = single_default_business_hours(project)
    assert [(b.name, b.default) for b in fixed.business_hours] == [
        ("A", False),
        ("B", True),
        ("C", False),
    ]
    assert [b.default for b in project.business_hours] == [True, True, False]  # a copy
    assert [i for i in preflight(fixed, "66.0") if "default" in i.message] == []


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


def test_settings_elements_newer_than_the_api_version_set_true_are_errors_and_dropped(
    tmp_path: Path,
) -> None:
    project = _read(MMG)
    assert project.entitlement_settings is not None
    project.entitlement_settings.flags["enableMilestoneStoppedTime"] = True
    issues = [
        (i.severity, i.message, i.fix)
        for i in preflight(project, "38.0")
        if i.where == "settings/Entitlement.settings"
    ]
    assert issues == [
        (
            "warning",
            "<enableMilestoneFeedItem> arrived in API 47.0; API 38.0 does not know it: left "
            "out (it is false, Salesforce's default)",
            "drop_unsupported_settings",
        ),
        (
            "error",
            "<enableMilestoneStoppedTime> arrived in API 47.0; API 38.0 does not know it",
            "drop_unsupported_settings",
        ),
        (
            "warning",
            "<ignoreMilestoneBusinessHours> arrived in API 47.0; API 38.0 does not know it: "
            "left out (it is false, Salesforce's default)",
            "drop_unsupported_settings",
        ),
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


def test_false_settings_the_api_version_lacks_are_left_out_without_a_fix(tmp_path: Path) -> None:
    project = _read(MMG)  # the three API-47 flags are false
    assert [i.severity for i in preflight(project, "38.0") if "API 47.0" in i.message] == [
        "warning",
        "warning",
        "warning",
    ]
    write_project(project, tmp_path / "38", "mdapi", api_version="38.0")
    text = (tmp_path / "38/src/settings/Entitlement.settings").read_text(encoding="utf-8")
    assert text.count("<") - text.count("</") - 2 == 10  # declaration, root: 10 flags left
    for name in ("enableMilestoneFeedItem", "enableMilestoneStoppedTime", "ignoreMilestone"):
        assert name not in text
    write_project(project, tmp_path / "47", "mdapi", api_version="47.0")
    text = (tmp_path / "47/src/settings/Entitlement.settings").read_text(encoding="utf-8")
    assert "<enableMilestoneStoppedTime>false</enableMilestoneStoppedTime>" in text


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


def test_minutes_below_one_and_an_object_other_than_case_or_work_order_are_errors() -> None:
    project = MetadataProject(
        processes=[
            EntitlementProcessVersion(
                "Leads",
                sobject_type="Lead",
                milestones=[
                    ProcessMilestone("First Response", minutes_to_complete=-5),
                    ProcessMilestone("Resolution", minutes_to_complete=0),
                    ProcessMilestone("Update", minutes_to_complete=1),
                    ProcessMilestone("Custom", minutes_custom_class="SlaMinutes"),
                ],
            )
        ]
    )
    issues = [i for i in preflight(project) if i.severity == "error"]
    assert _messages(issues) == [
        (
            "error",
            "entitlementProcesses/leads",
            "milestone 1 ('First Response') has -5 minutes to complete; Salesforce takes a "
            "whole number of at least 1",
            None,
        ),
        (
            "error",
            "entitlementProcesses/leads",
            "milestone 2 ('Resolution') has 0 minutes to complete; Salesforce takes a whole "
            "number of at least 1",
            None,
        ),
        (
            "error",
            "entitlementProcesses/leads",
            "<SObjectType> is 'Lead'; entitlement processes run on Case or WorkOrder",
            None,
        ),
    ]


def test_versioned_processes_for_an_org_with_versioning_off_wait_for_the_fix(
    tmp_path: Path,
) -> None:
    """No Entitlement.settings of its own, versioned processes, an org with versioning off:
    an error offering the fix; the fix writes settings that also enable entitlements, as
    the schema requires, and then the org-side change is an error until confirmed."""
    from entitle_desktop.domain.records import EntitlementSettings
    from entitle_desktop.interchange.salesforce_metadata import enable_entitlement_versioning

    project = MetadataProject(
        processes=[EntitlementProcessVersion("Gold", version_number=1, is_version_default=True)]
    )
    org = MetadataProject(
        entitlement_settings=EntitlementSettings(
            {"enableEntitlements": True, "enableEntitlementVersioning": False}
        )
    )
    where = "settings/Entitlement.settings"
    assert _messages([i for i in preflight(project, "66.0", org) if i.where == where]) == [
        (
            "error",
            where,
            "the export holds versioned processes ('Gold') but the target org has entitlement "
            "versioning off; the deploy refuses their version numbers",
            "enable_entitlement_versioning",
        )
    ]
    fixed = enable_entitlement_versioning(project)
    assert fixed.entitlement_settings is not None
    assert fixed.entitlement_settings.flags == {
        "enableEntitlements": True,
        "enableEntitlementVersioning": True,
    }
    assert _messages([i for i in preflight(fixed, "66.0", org) if i.where == where]) == [
        (
            "error",
            where,
            "the export turns entitlement versioning on in the target org, where it is off; "
            "once on, it cannot be turned off again, so confirm it",
            "enable_entitlement_versioning",
        )
    ]
    write_project(fixed, tmp_path, "mdapi")
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    settings = etree.parse(str(tmp_path / "src/settings/Entitlement.settings"))
    assert schema.validate(settings), schema.error_log
