"""Export of a workspace as Salesforce metadata: same files as the reader's project, chosen
processes with what they use, atomic on failure."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from lxml import etree

from entitle_desktop.interchange import salesforce_metadata
from entitle_desktop.interchange.errors import InterchangeError
from entitle_desktop.services import demo
from entitle_desktop.services.metadata_export import (
    PROJECT_FIXES,
    export_metadata,
    load_metadata_project,
    plan_metadata_export,
    select_processes,
)
from entitle_desktop.services.metadata_import import import_metadata
from entitle_desktop.services.workspace import Workspace

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "salesforce-metadata"
PROJECTS = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("project", PROJECTS)
def test_export_writes_what_the_reader_read(tmp_path: Path, project: str) -> None:
    original, _notes = salesforce_metadata.read_project(CORPUS / project)
    expected = tmp_path / "expected"
    salesforce_metadata.write_project(original, expected, layout=original.layout)
    with Workspace.create(tmp_path / "w.entitle") as ws:
        import_metadata(ws, CORPUS / project)
        out = export_metadata(ws, tmp_path / "out", layout=original.layout)
    assert _files(out) == _files(expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["expected", "out", "w.entitle"]


def test_chosen_processes_come_with_what_they_use(tmp_path: Path) -> None:
    with Workspace.create(tmp_path / "w.entitle") as ws:
        import_metadata(ws, CORPUS / "fpintelandgraf__alpinedemo")
        project = load_metadata_project(ws)
    chosen = select_processes(project, ["premium field service"])
    assert [v.name for v in chosen.processes] == ["premium field service"]
    used = {m.milestone_name for v in chosen.processes for m in v.milestones}
    assert {m.name for m in chosen.milestone_types} == used
    assert chosen.templates == [] and chosen.other_files == []
    with pytest.raises(KeyError, match="Nope"):
        select_processes(project, ["Nope"])


def test_a_version_file_name_chooses_that_version_alone(tmp_path: Path) -> None:
    with Workspace.create(tmp_path / "w.entitle") as ws:
        import_metadata(ws, CORPUS / "phani467__Metadata-Extract-from-stage")
        project = load_metadata_project(ws)
    chosen = select_processes(project, ["IHSM Entitlement Process_v3"])
    assert [v.version_number for v in chosen.processes] == [3]
    every = select_processes(project, ["ihsm entitlement process"])
    assert [v.version_number for v in every.processes] == [1, 2, 3, 4]
    with pytest.raises(KeyError, match="ihsm entitlement process_v9"):
        select_processes(project, ["ihsm entitlement process_v9"])


def test_a_failing_export_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "demo.entitle"
    with demo.create_demo_workspace(path) as ws:
        (tmp_path / "out").mkdir()
        (tmp_path / "out" / "keep.txt").write_text("previous export")
        with pytest.raises(InterchangeError, match="London Office"):  # split shift: not exportable
            export_metadata(ws, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.entitle", "out"]
    assert (tmp_path / "out" / "keep.txt").read_text() == "previous export"


def test_export_replaces_a_previous_export(tmp_path: Path) -> None:
    with Workspace.create(tmp_path / "w.entitle") as ws:
        import_metadata(ws, CORPUS / "mmg-opp1__JCRC-Dev")
        export_metadata(ws, tmp_path / "out", layout="mdapi")  # the earlier export
        export_metadata(ws, tmp_path / "out", layout="source")
    files = _files(tmp_path / "out")
    assert "force-app/main/default/milestoneTypes/Follow Up.milestoneType-meta.xml" in files
    assert not any(f.startswith("src/") for f in files)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "w.entitle"]


# --------------------------------------------------------------------------- demo + pre-flight

XSD = CORPUS.parents[1] / "spec" / "salesforce-entitlement-metadata.xsd"
TODAY = date(2026, 1, 15)
LONDON_LUNCH = (
    "Monday–Friday: 2 windows (08:00–12:30, 13:30–18:00); Salesforce holds one window per "
    "day. Approximated as 08:00–18:00: 12:30–13:30 would be worked time in Salesforce"
)
METADATA_FILES = [
    "entitlementProcesses/standard support_v1.entitlementProcess",
    "entitlementProcesses/standard support_v2.entitlementProcess",
    "entitlementProcesses/standard support_v3.entitlementProcess",
    "entitlementProcesses/field service.entitlementProcess",
    "entitlementProcesses/premium support.entitlementProcess",
    "entitlementProcesses/warranty.entitlementProcess",
    "entitlementTemplates/Hardware Warranty.entitlementTemplate",
    "entitlementTemplates/Premium 24x7 Support.entitlementTemplate",
    "entitlementTemplates/Standard Phone Support.entitlementTemplate",
    "entitlementTemplates/Web Support 10 cases.entitlementTemplate",
    "milestoneTypes/Customer Update.milestoneType",
    "milestoneTypes/First Response.milestoneType",
    "milestoneTypes/Follow Up.milestoneType",
    "milestoneTypes/Resolution Time.milestoneType",
    "milestoneTypes/Tech Onsite.milestoneType",
    "settings/BusinessHours.settings",
    "settings/Entitlement.settings",
]


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.entitle"
    demo.create_demo_workspace(path, TODAY).close()
    return path


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


@pytest.mark.parametrize(
    ("layout", "folder", "suffix"),
    [("mdapi", "src", ""), ("source", "force-app/main/default", "-meta.xml")],
)
def test_the_demo_exports_with_approximated_hours_and_every_file_validates(
    tmp_path: Path,
    demo_path: Path,
    schema: etree.XMLSchema,
    layout: str,
    folder: str,
    suffix: str,
) -> None:
    with Workspace.open(demo_path) as ws:
        out = export_metadata(ws, tmp_path / "out", layout=layout, fixes=["approximate-hours"])
    expected = sorted(f"{folder}/{name}{suffix}" for name in METADATA_FILES)
    package = ["src/package.xml"] if layout == "mdapi" else []
    assert sorted(_files(out)) == sorted(expected + package)
    for name in expected:
        document = etree.parse(str(out / name))
        assert schema.validate(document), f"{name}: {schema.error_log}"
    settings = etree.parse(str(out / f"{folder}/settings/BusinessHours.settings{suffix}"))
    m = f"{{{salesforce_metadata.METADATA_NS}}}"
    london = [
        el
        for el in settings.getroot().iter(f"{m}businessHours")
        if el.findtext(f"{m}name") == "London Office"
    ]
    assert len(london) == 1
    times = {
        etree.QName(el).localname: el.text
        for el in london[0]
        if etree.QName(el).localname.endswith("Time")
    }
    assert times == {
        f"{day}{edge}Time": "08:00:00.000Z" if edge == "Start" else "18:00:00.000Z"
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
        for edge in ("Start", "End")
    }
    project, _notes = salesforce_metadata.read_project(out)
    windows = next(b for b in project.business_hours if b.name == "London Office").windows
    assert [(w.weekday, w.start, w.end) for w in windows] == [
        (d, time(8), time(18)) for d in ("mon", "tue", "wed", "thu", "fri")
    ]


def test_the_demo_omitting_london_office_validates_and_keeps_its_references(
    tmp_path: Path, demo_path: Path, schema: etree.XMLSchema
) -> None:
    with Workspace.open(demo_path) as ws:
        out = export_metadata(ws, tmp_path / "out", fixes=["omit_inexpressible_business_hours"])
    for name in METADATA_FILES:
        assert schema.validate(etree.parse(str(out / "src" / name))), name
    project, _notes = salesforce_metadata.read_project(out)
    assert [b.name for b in project.business_hours] == ["New York Office", "Sydney 24x7"]
    assert {p.name: p.business_hours for p in project.processes}["Field Service"] == (
        "London Office"
    )


def test_pre_flight_of_the_demo_names_london_office_and_its_fixes(demo_path: Path) -> None:
    with Workspace.open(demo_path) as ws:
        plan = plan_metadata_export(ws)
    assert plan.api_version == "61.0"
    assert [(i.severity, i.where, i.message, i.fixes) for i in plan.found] == [
        (
            "error",
            "business hours 'London Office'",
            LONDON_LUNCH,
            ("approximate_business_hours", "omit_inexpressible_business_hours"),
        )
    ]
    assert plan.remaining == plan.found == plan.errors
    assert plan.applied == [] and plan.fixes == ()


def test_a_plan_with_a_fix_says_what_the_fix_changed(demo_path: Path) -> None:
    with Workspace.open(demo_path) as ws:
        plan = plan_metadata_export(ws, fixes=["approximate-hours"])
        omitted = plan_metadata_export(ws, fixes=["omit-inexpressible-hours"])
    assert plan.fixes == ("approximate_business_hours",)
    assert plan.remaining == [] and plan.errors == []
    assert [(i.severity, i.where, i.message) for i in plan.applied] == [
        ("warning", "business hours 'London Office'", f"{LONDON_LUNCH} (fixed: approximate-hours)")
    ]
    assert [(i.severity, i.where, i.message) for i in omitted.applied] == [
        (
            "warning",
            "business hours 'London Office'",
            "left out of the export; the target org must have its own business hours of this "
            "name (fixed: omit-inexpressible-hours)",
        )
    ]
    assert omitted.errors == []
    assert [(i.where, i.message) for i in omitted.remaining][:2] == [
        (
            "entitlementProcesses/field service",
            "uses the business hours 'London Office', which is not in the export; the target "
            "org must already have it",
        ),
        (
            "entitlementProcesses/warranty",
            "uses the business hours 'London Office', which is not in the export; the target "
            "org must already have it",
        ),
    ]
    assert len(omitted.remaining) == 9  # 2 processes, 1 template, 6 holidays


def test_unknown_or_contradicting_fixes_are_refused(demo_path: Path) -> None:
    with Workspace.open(demo_path) as ws:
        with pytest.raises(ValueError, match="unknown fix 'tidy-up'"):
            plan_metadata_export(ws, fixes=["tidy-up"])
        with pytest.raises(ValueError, match="exclude each other"):
            export_metadata(
                ws,
                demo_path.parent / "never",
                fixes=["approximate-hours", "omit-inexpressible-hours"],
            )
    assert not (demo_path.parent / "never").exists()
    assert PROJECT_FIXES == (
        "strip_action_prefixes",
        "drop_unsupported_settings",
        "approximate_business_hours",
        "omit_inexpressible_business_hours",
        "single_default_business_hours",
        "enable_entitlement_versioning",
    )


def test_pre_flight_reports_what_the_writer_would_refuse(tmp_path: Path) -> None:
    """F22: validate reports whatever export would block, naming both records."""
    from entitle_desktop.domain.records import EntitlementProcessVersion, MetadataProject
    from entitle_desktop.services.metadata_import import import_project

    project = MetadataProject(
        processes=[
            EntitlementProcessVersion("Gold", version_number=1, is_version_default=True),
            EntitlementProcessVersion("gold_v1"),
        ]
    )
    with Workspace.create(tmp_path / "w.entitle") as ws:
        import_project(ws, project)
        both = "process 'Gold' version 1 and process 'gold_v1' would be written to this same file"
        assert [(i.severity, i.where, i.message) for i in plan_metadata_export(ws).errors] == [
            (
                "error",
                "src/entitlementProcesses/gold_v1.entitlementProcess",
                f"{both} (metadata-API layout)",
            ),
            (
                "error",
                "force-app/main/default/entitlementProcesses/gold_v1.entitlementProcess-meta.xml",
                f"{both} (source layout)",
            ),
        ]
        assert [i.message for i in plan_metadata_export(ws, layout="source").errors] == [both]
        with pytest.raises(InterchangeError, match="would be written to this same file"):
            export_metadata(ws, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_an_api_version_the_app_cannot_write_is_refused(demo_path: Path) -> None:
    with Workspace.open(demo_path) as ws:
        for bad in ("abc", "47.5", "67.0", "26.0"):
            with pytest.raises(InterchangeError) as info:
                plan_metadata_export(ws, api_version=bad)
            assert str(info.value) == (
                f"API version {bad!r} is not one this app writes: give a version from 27.0 "
                "to 66.0, like 66.0"
            )
        assert plan_metadata_export(ws, api_version="27.0").api_version == "27.0"
