"""Read -> write of every corpus project gives the same XML, file by file; every written
entitlement file validates against the Metadata API schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from entitle_desktop.domain.records import UnknownElement
from entitle_desktop.interchange.salesforce_metadata import (
    ENUMERATIONS,
    SEQUENCES,
    read_project,
    write_project,
)

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
CORPUS = SHARED / "corpus" / "salesforce-metadata"
XSD = SHARED / "spec" / "salesforce-entitlement-metadata.xsd"
PROJECTS = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
ENTITLEMENT_FOLDERS = {"entitlementProcesses", "milestoneTypes", "entitlementTemplates"}
ENTITLEMENT_SETTINGS = {"Entitlement.settings", "BusinessHours.settings"}
XS = "{http://www.w3.org/2001/XMLSchema}"


def canonical(data: bytes) -> tuple[object, ...]:
    """Element names, stripped text, attributes and order; no comments or layout."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, remove_comments=True))

    def walk(el: etree._Element) -> tuple[object, ...]:
        children = [c for c in el if isinstance(c.tag, str)]
        return (
            el.tag,
            (el.text or "").strip(),
            tuple(sorted(el.attrib.items())),
            tuple(walk(c) for c in children),
        )

    return walk(root)


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def is_entitlement_file(path: str) -> bool:
    parts = path.split("/")
    name = parts[-1].removesuffix("-meta.xml")
    return parts[-2] in ENTITLEMENT_FOLDERS or (
        parts[-2] == "settings" and name in ENTITLEMENT_SETTINGS
    )


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def test_the_corpus_has_seven_projects_in_both_layouts() -> None:
    assert len(PROJECTS) == 7


@pytest.mark.parametrize("name", PROJECTS)
def test_read_then_write_gives_every_file_back_equal(name: str, tmp_path: Path) -> None:
    source = CORPUS / name
    project, _ = read_project(source)
    write_project(project, tmp_path, project.layout)
    original = files_of(source)
    written = files_of(tmp_path)
    for path, data in original.items():
        assert path in written, f"{path} was not written back"
        assert canonical(written[path]) == canonical(data), path
    extra = set(written) - set(original)
    # mdapi projects without a package.xml get a generated one; nothing else is added.
    assert extra <= ({f"{project.root}/package.xml"} if project.layout == "mdapi" else set())


@pytest.mark.parametrize("name", PROJECTS)
def test_every_written_entitlement_file_validates_against_the_xsd(
    name: str, tmp_path: Path, schema: etree.XMLSchema
) -> None:
    project, _ = read_project(CORPUS / name)
    written = write_project(project, tmp_path, project.layout)
    checked = 0
    for path in written:
        rel = path.relative_to(tmp_path).as_posix()
        if not is_entitlement_file(rel):
            continue
        doc = etree.parse(str(path))
        assert schema.validate(doc), f"{rel}: {schema.error_log}"
        checked += 1
    assert checked == sum(1 for p in files_of(CORPUS / name) if is_entitlement_file(p))


def test_the_corpus_itself_validates_against_the_xsd(schema: etree.XMLSchema) -> None:
    count = 0
    for name in PROJECTS:
        for rel in files_of(CORPUS / name):
            if is_entitlement_file(rel):
                assert schema.validate(etree.parse(str(CORPUS / name / rel))), rel
                count += 1
    assert count == 59


@pytest.mark.parametrize("name", PROJECTS)
def test_written_files_are_indented_with_four_spaces_and_declared_utf8(
    name: str, tmp_path: Path
) -> None:
    project, _ = read_project(CORPUS / name)
    for path in write_project(project, tmp_path, project.layout):
        rel = path.relative_to(tmp_path).as_posix()
        if not is_entitlement_file(rel):
            continue
        text = path.read_text(encoding="utf-8")
        assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<'), rel
        second = text.splitlines()[2] if len(text.splitlines()) > 2 else "    "
        assert second.startswith("    <") and not second.startswith("     "), rel


@pytest.mark.parametrize("name", PROJECTS)
@pytest.mark.parametrize("layout", ["mdapi", "source"])
def test_either_layout_can_be_written_from_any_project_and_read_back_the_same(
    name: str, layout: str, tmp_path: Path, schema: etree.XMLSchema
) -> None:
    project, _ = read_project(CORPUS / name)
    written = write_project(project, tmp_path, layout)
    rels = [p.relative_to(tmp_path).as_posix() for p in written]
    root = "src" if layout == "mdapi" and project.layout != "mdapi" else None
    if layout == "source":
        assert all(r.endswith("-meta.xml") for r in rels if is_entitlement_file(r)), rels
        if project.layout != "source":
            assert all(r.startswith("force-app/main/default/") for r in rels)
    else:
        assert not any(r.endswith("-meta.xml") for r in rels if is_entitlement_file(r))
        expected_package = f"{root or project.root}/package.xml"
        assert expected_package in rels
    for path, rel in zip(written, rels, strict=True):
        if is_entitlement_file(rel):
            assert schema.validate(etree.parse(str(path))), f"{rel}: {schema.error_log}"
    again, _ = read_project(tmp_path)
    assert again.layout == layout
    assert again.processes == project.processes
    assert again.milestone_types == project.milestone_types
    assert again.templates == project.templates
    assert again.business_hours == project.business_hours
    assert again.holidays == project.holidays
    assert again.entitlement_settings == project.entitlement_settings


def test_generated_package_xml_lists_the_members_written_with_the_api_version(
    tmp_path: Path,
) -> None:
    project, _ = read_project(CORPUS / "phani467__Metadata-Extract-from-stage")
    write_project(project, tmp_path, "mdapi", api_version="61.0")
    package = etree.parse(str(tmp_path / "src" / "package.xml")).getroot()
    ns = {"m": "http://soap.sforce.com/2006/04/metadata"}
    listed = {
        t.findtext("m:name", namespaces=ns): [m.text for m in t.findall("m:members", ns)]
        for t in package.findall("m:types", ns)
    }
    assert listed == {
        "EntitlementProcess": [
            "ihsm entitlement process_v1",
            "ihsm entitlement process_v2",
            "ihsm entitlement process_v3",
            "ihsm entitlement process_v4",
        ],
        "MilestoneType": ["Assignment", "First Touch", "Resolution Time"],
        "Settings": ["BusinessHours", "Entitlement"],
    }
    assert package.findtext("m:version", namespaces=ns) == "61.0"


def test_original_package_xml_is_kept_when_it_still_covers_the_export(tmp_path: Path) -> None:
    source = CORPUS / "fpintelandgraf__alpinedemo"
    project, _ = read_project(source)
    write_project(project, tmp_path, "mdapi")
    assert (tmp_path / "src/package.xml").read_bytes() == (source / "src/package.xml").read_bytes()
    other = tmp_path / "other"
    write_project(project, other, "mdapi", api_version="66.0")  # another version: regenerated
    assert b"<version>66.0</version>" in (other / "src/package.xml").read_bytes()


def test_unknown_elements_go_back_where_they_were(tmp_path: Path) -> None:
    source = tmp_path / "in" / "src" / "milestoneTypes"
    source.mkdir(parents=True)
    (source / "Odd.milestoneType").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<MilestoneType xmlns="http://soap.sforce.com/2006/04/metadata">\n'
        "    <futureFlag>yes</futureFlag>\n"
        "    <description>d</description>\n"
        "    <shape><edge>3</edge></shape>\n"
        "    <recurrenceType>none</recurrenceType>\n"
        "    <tail/>\n"
        "</MilestoneType>\n",
        encoding="utf-8",
    )
    project, notes = read_project(tmp_path / "in")
    mt = project.milestone_types[0]
    assert [(u.after, u.xml.split(">")[0].split()[0]) for u in mt.unknown] == [
        (None, "<futureFlag"),
        ("description", "<shape"),
        ("recurrenceType", "<tail"),
    ]
    assert notes == [
        "src/milestoneTypes/Odd.milestoneType: kept 3 element(s) the model does not know "
        "verbatim: <futureFlag>, <shape>, <tail>"
    ]
    write_project(project, tmp_path / "out", "mdapi")
    written = (tmp_path / "out/src/milestoneTypes/Odd.milestoneType").read_bytes()
    original = (source / "Odd.milestoneType").read_bytes()
    assert canonical(written) == canonical(original)
    assert isinstance(mt.unknown[0], UnknownElement)


def test_the_schema_tables_match_the_xsd() -> None:
    xsd = etree.parse(str(XSD)).getroot()

    def local(type_ref: str) -> str:
        return type_ref.split(":", 1)[1]

    complex_types = {c.get("name", ""): c for c in xsd.findall(f"{XS}complexType")}

    def sequence(name: str) -> tuple[tuple[str, str, bool], ...]:
        node = complex_types[name]
        out: list[tuple[str, str, bool]] = []
        ext = node.find(f"{XS}complexContent/{XS}extension")
        if ext is not None:
            out.extend(sequence(local(ext.get("base", ""))))
            node = ext
        for el in node.findall(f"{XS}sequence/{XS}element"):
            type_name = local(el.get("type", ""))
            out.append((el.get("name", ""), type_name, el.get("maxOccurs") == "unbounded"))
        return tuple(out)

    assert {name: sequence(name) for name in complex_types} == dict(SEQUENCES)
    enums = {
        s.get("name"): tuple(e.get("value") for e in s.findall(f"{XS}restriction/{XS}enumeration"))
        for s in xsd.findall(f"{XS}simpleType")
    }
    assert enums == ENUMERATIONS


def test_schema_elements_the_model_does_not_hold_survive_at_every_depth(
    tmp_path: Path, schema: etree.XMLSchema
) -> None:
    text = """<?xml version="1.0" encoding="UTF-8"?>
<EntitlementProcess xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>gold_v2</fullName>
    <module>sales</module>
    <SObjectType>Case</SObjectType>
    <active>false</active>
    <entitlementRules>
        <criteriaFilterItems>
            <field>Case.Type</field>
            <operation>equals</operation>
            <value>Gold</value>
        </criteriaFilterItems>
        <entitlementName>Gold</entitlementName>
        <order>1</order>
    </entitlementRules>
    <exitCriteriaFormula>ISPICKVAL(Status, 'Closed')</exitCriteriaFormula>
    <milestones>
        <agreementType>Standard</agreementType>
        <milestoneCompletionCriteria>
            <criteriaObjectName>Case</criteriaObjectName>
        </milestoneCompletionCriteria>
        <milestoneCriteriaFormula>TRUE</milestoneCriteriaFormula>
        <milestoneName>First Response</milestoneName>
        <milestonePauseCriteria>
            <milestoneCriteriaFormula>IsStopped</milestoneCriteriaFormula>
        </milestonePauseCriteria>
        <minutesCustomClass>MinutesCalc</minutesCustomClass>
        <timeTriggers>
            <actions>
                <name>Notify</name>
                <type>FlowAction</type>
            </actions>
            <workflowTimeTriggerUnit>Days</workflowTimeTriggerUnit>
        </timeTriggers>
    </milestones>
    <name>Gold</name>
    <versionNotes>second</versionNotes>
    <versionNumber>2</versionNumber>
</EntitlementProcess>
"""
    folder = tmp_path / "in" / "force-app" / "main" / "default" / "entitlementProcesses"
    folder.mkdir(parents=True)
    (folder / "gold_v2.entitlementProcess-meta.xml").write_text(text, encoding="utf-8")
    project, notes = read_project(tmp_path / "in")
    p = project.processes[0]
    assert [u.after for u in p.unknown] == ["fullName", "active"]
    assert [u.after for u in p.milestones[0].unknown] == ["agreementType", "milestoneName"]
    assert (p.full_name, p.exit_criteria_formula, p.milestones[0].minutes_custom_class) == (
        "gold_v2",
        "ISPICKVAL(Status, 'Closed')",
        "MinutesCalc",
    )
    assert p.milestones[0].time_triggers[0].time_length is None
    assert len(notes) == 1 and notes[0].endswith(
        "<module>, <entitlementRules>, <milestoneCompletionCriteria>, <milestonePauseCriteria>"
    )
    written = write_project(project, tmp_path / "out", "source")
    assert len(written) == 1
    assert canonical(written[0].read_bytes()) == canonical(text.encode("utf-8"))
    assert schema.validate(etree.parse(str(written[0]))), schema.error_log


def test_records_made_in_the_app_write_valid_files_named_like_salesforce(
    tmp_path: Path, schema: etree.XMLSchema
) -> None:
    from datetime import date, time

    from entitle_desktop.domain.records import (
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
        ProcessMilestone,
    )

    milestone = ProcessMilestone(
        "First Response",
        minutes_to_complete=60,
        criteria_items=[FilterItem("Case.Priority", "equals", "High")],
        success_actions=[ActionReference("Notify", "Alert")],
        time_triggers=[MilestoneTimeTrigger(-15, "Minutes", [ActionReference("Warn", "Alert")])],
        use_criteria_start_time=False,
    )
    project = MetadataProject(
        processes=[
            EntitlementProcessVersion(
                "Gold Support", version_number=n, is_version_default=n == 2, milestones=[milestone]
            )
            for n in (1, 2)
        ],
        milestone_types=[MilestoneType("First Response", "Reply", "none")],
        templates=[EntitlementTemplate("Gold Phone", term=365, entitlement_process="Gold Support")],
        business_hours=[
            BusinessHours(
                "Berlin",
                "Europe/Berlin",
                default=True,
                windows=[BusinessHoursWindow(d, time(8), time(17, 30)) for d in ("mon", "tue")],
            )
        ],
        holidays=[
            Holiday(
                "Christmas Eve",
                activity_date=date(2025, 12, 24),
                start_time=time(12),
                end_time=time(17),
                is_recurring=False,
                business_hours=["Berlin"],
            )
        ],
        entitlement_settings=EntitlementSettings(
            {"enableEntitlementVersioning": True, "enableEntitlements": True}
        ),
    )
    written = write_project(project, tmp_path, "mdapi")
    rels = sorted(p.relative_to(tmp_path).as_posix() for p in written)
    assert rels == [
        "src/entitlementProcesses/gold support_v1.entitlementProcess",
        "src/entitlementProcesses/gold support_v2.entitlementProcess",
        "src/entitlementTemplates/Gold Phone.entitlementTemplate",
        "src/milestoneTypes/First Response.milestoneType",
        "src/package.xml",
        "src/settings/BusinessHours.settings",
        "src/settings/Entitlement.settings",
    ]
    for path in written:
        if is_entitlement_file(path.relative_to(tmp_path).as_posix()):
            assert schema.validate(etree.parse(str(path))), schema.error_log
    bh = (tmp_path / "src/settings/BusinessHours.settings").read_text(encoding="utf-8")
    assert "<mondayEndTime>17:30:00.000Z</mondayEndTime>" in bh
    assert "<startTime>12:00:00.000Z</startTime>" in bh
    again, _ = read_project(tmp_path)
    assert [(p.name, p.version_number, p.is_version_default) for p in again.processes] == [
        ("Gold Support", 1, False),
        ("Gold Support", 2, True),
    ]
    assert again.business_hours[0].windows == project.business_hours[0].windows
    assert again.holidays[0].start_time == time(12)
