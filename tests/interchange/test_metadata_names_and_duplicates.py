"""Reading metadata: zip name encodings, NFC names, duplicate records, time zones, and
sources that hold no Salesforce metadata at all (break-test findings of issue 2)."""

from __future__ import annotations

import unicodedata
import zipfile
from pathlib import Path

import pytest

from entitle_desktop.interchange.errors import InterchangeError
from entitle_desktop.interchange.safe_source import read_source_files
from entitle_desktop.interchange.salesforce_metadata import NoMetadataFound, read_project

NS = "http://soap.sforce.com/2006/04/metadata"


def milestone_type_xml(description: str = "d") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<MilestoneType xmlns="{NS}">'
        f"<description>{description}</description><recurrenceType>none</recurrenceType>"
        "</MilestoneType>\n"
    )


def process_xml(name: str | None = None, number: int | None = None) -> str:
    inner = f"<name>{name}</name>" if name is not None else ""
    inner += f"<versionNumber>{number}</versionNumber>" if number is not None else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<EntitlementProcess xmlns="{NS}">'
        f"<SObjectType>Case</SObjectType><active>true</active>{inner}</EntitlementProcess>\n"
    )


def hours_entry(name: str, zone: str = "America/Los_Angeles") -> str:
    return (
        "    <businessHours>\n"
        "        <active>true</active>\n"
        "        <default>false</default>\n"
        "        <mondayEndTime>17:00:00.000Z</mondayEndTime>\n"
        "        <mondayStartTime>09:00:00.000Z</mondayStartTime>\n"
        f"        <name>{name}</name>\n"
        f"        <timeZoneId>{zone}</timeZoneId>\n"
        "    </businessHours>\n"
    )


def hours_settings(*entries: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<BusinessHoursSettings xmlns="{NS}">\n' + "".join(entries) + "</BusinessHoursSettings>\n"
    )


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def refused(source: Path) -> InterchangeError:
    with pytest.raises(InterchangeError) as info:
        read_project(source)
    return info.value


# --------------------------------------------------------------------------- 1: zip names


def zip_with_raw_names(path: Path, names: dict[bytes, bytes]) -> Path:
    """A zip whose entry names are the given raw bytes, with the UTF-8 flag unset.

    zipfile sets the flag for any non-ASCII name, so each entry is written under an ASCII
    stand-in of the same length whose bytes are then replaced (names are outside the CRC)."""
    stand_ins = {raw: b"N%0*d" % (len(raw) - 1, i) for i, raw in enumerate(names)}
    with zipfile.ZipFile(path, "w") as zf:
        for raw, data in names.items():
            zf.writestr(stand_ins[raw].decode("ascii"), data)
    blob = path.read_bytes()
    for raw, stand_in in stand_ins.items():
        assert blob.count(stand_in) == 2  # local header and central directory
        blob = blob.replace(stand_in, raw)
    path.write_bytes(blob)
    with zipfile.ZipFile(path) as zf:
        assert all(not info.flag_bits & 0x800 for info in zf.infolist())
    return path


def test_utf8_zip_names_without_the_flag_are_read_as_utf8(tmp_path: Path) -> None:
    archive = zip_with_raw_names(
        tmp_path / "mac.zip",
        {
            "src/milestoneTypes/Résolution.milestoneType".encode(): b"x",
            "src/milestoneTypes/Früh.milestoneType".encode(): b"y",
        },
    )
    assert read_source_files(archive) == {
        "src/milestoneTypes/Résolution.milestoneType": b"x",
        "src/milestoneTypes/Früh.milestoneType": b"y",
    }


def test_zip_names_that_are_not_utf8_stay_cp437(tmp_path: Path) -> None:
    # 0x82 is 'é' in cp437 and no valid UTF-8 sequence
    archive = zip_with_raw_names(tmp_path / "dos.zip", {b"src/caf\x82.txt": b"z"})
    assert read_source_files(archive) == {"src/café.txt": b"z"}


def test_zip_names_with_the_utf8_flag_are_unchanged(tmp_path: Path) -> None:
    archive = tmp_path / "flagged.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("src/milestoneTypes/Résolution.milestoneType", b"x")
    with zipfile.ZipFile(archive) as zf:
        assert zf.infolist()[0].flag_bits & 0x800
    assert read_source_files(archive) == {"src/milestoneTypes/Résolution.milestoneType": b"x"}


def test_a_mac_zip_gives_the_milestone_type_its_real_name(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Résolution")
    archive = zip_with_raw_names(
        tmp_path / "mac.zip",
        {f"src/milestoneTypes/{nfd}.milestoneType".encode(): milestone_type_xml().encode()},
    )
    project, _ = read_project(archive)
    assert [m.name for m in project.milestone_types] == ["Résolution"]
    assert [m.file_name for m in project.milestone_types] == ["Résolution"]


# --------------------------------------------------------------------------- 4: NFC


def test_names_from_file_names_and_xml_are_nfc(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Équipe é")
    assert nfd != "Équipe é"
    root = write(
        tmp_path / "p",
        {
            f"src/milestoneTypes/{nfd}.milestoneType": milestone_type_xml(),
            f"src/entitlementProcesses/{nfd}_v1.entitlementProcess": process_xml(),
            "src/entitlementProcesses/other.entitlementProcess": process_xml(name=nfd, number=2),
            "src/settings/BusinessHours.settings": hours_settings(hours_entry(nfd)),
            "src/package.xml": "<Package/>",
        },
    )
    project, _ = read_project(root)
    assert [m.name for m in project.milestone_types] == ["Équipe é"]
    assert [(p.name, p.version_number) for p in project.processes] == [
        ("Équipe é", 1),
        ("Équipe é", 2),
    ]
    assert [b.name for b in project.business_hours] == ["Équipe é"]
    assert all(unicodedata.is_normalized("NFC", p.name) for p in project.processes)


def test_the_nfd_and_nfc_spelling_of_one_version_are_one_version(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Équipe")
    root = write(
        tmp_path / "p",
        {
            f"src/entitlementProcesses/{nfd}_v1.entitlementProcess": process_xml(),
            "src/entitlementProcesses/other.entitlementProcess": process_xml(name="Équipe"),
        },
    )
    assert str(refused(root)).startswith(
        "src/entitlementProcesses/other.entitlementProcess: version 1 of process 'Équipe' is "
        f"also defined by src/entitlementProcesses/{nfd}_v1.entitlementProcess "
    )


def test_percent_encoded_decomposed_names_become_nfc(tmp_path: Path) -> None:
    # 'e' + U+0301 (combining acute), percent-encoded as Salesforce encodes file names
    root = write(
        tmp_path / "p",
        {
            "src/milestoneTypes/Re%CC%81solution.milestoneType": milestone_type_xml(),
            "src/package.xml": "<Package/>",
        },
    )
    project, _ = read_project(root)
    assert [m.name for m in project.milestone_types] == ["Résolution"]


# --------------------------------------------------------------------------- 5: duplicates


def test_unversioned_file_and_v1_file_of_one_process_are_refused(tmp_path: Path) -> None:
    root = write(
        tmp_path / "p",
        {
            "src/entitlementProcesses/gold.entitlementProcess": process_xml(),
            "src/entitlementProcesses/gold_v1.entitlementProcess": process_xml(),
        },
    )
    error = refused(root)
    assert error.file == "src/entitlementProcesses/gold_v1.entitlementProcess"
    assert str(error) == (
        "src/entitlementProcesses/gold_v1.entitlementProcess: version 1 of process 'gold' is "
        "also defined by src/entitlementProcesses/gold.entitlementProcess (a file name without "
        "_vN and no <versionNumber> is version 1); keep only one of the two files"
    )


def test_two_files_for_one_version_differing_in_case_are_refused(tmp_path: Path) -> None:
    root = write(
        tmp_path / "p",
        {
            "src/entitlementProcesses/a.entitlementProcess": process_xml("Gold SLA", 2),
            "src/entitlementProcesses/b.entitlementProcess": process_xml("GOLD sla", 2),
        },
    )
    assert str(refused(root)) == (
        "src/entitlementProcesses/b.entitlementProcess: version 2 of process 'GOLD sla' is "
        "also defined by src/entitlementProcesses/a.entitlementProcess (a file name without "
        "_vN and no <versionNumber> is version 1); keep only one of the two files"
    )


def test_milestone_types_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    archive = tmp_path / "p.zip"  # a case-sensitive container: both names can exist
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("src/milestoneTypes/First Response.milestoneType", milestone_type_xml())
        zf.writestr("src/milestoneTypes/first response.milestoneType", milestone_type_xml())
    assert str(refused(archive)) == (
        "src/milestoneTypes/first response.milestoneType: milestone type 'first response' is "
        "also defined by src/milestoneTypes/First Response.milestoneType (names ignore case); "
        "keep only one of the two files"
    )


def test_distinct_versions_of_one_process_are_fine(tmp_path: Path) -> None:
    root = write(
        tmp_path / "p",
        {
            "src/entitlementProcesses/gold.entitlementProcess": process_xml(),
            "src/entitlementProcesses/gold_v2.entitlementProcess": process_xml(),
        },
    )
    project, _ = read_project(root)
    assert [(p.name, p.version_number) for p in project.processes] == [
        ("gold", None),
        ("gold", 2),
    ]


# --------------------------------------------------------------------------- 7: time zones


@pytest.mark.parametrize(
    ("zone", "reason"),
    [
        ("Mars/Olympus_Mons", "unknown time zone 'Mars/Olympus_Mons'"),
        ("Pacific Standard Time", "unknown time zone 'Pacific Standard Time'"),
        (
            "localtime",
            "time zone 'localtime' names this computer's own zone, not an IANA zone "
            "(use a name such as 'Europe/London')",
        ),
    ],
)
def test_a_time_zone_that_is_not_iana_is_refused(tmp_path: Path, zone: str, reason: str) -> None:
    root = write(
        tmp_path / "p",
        {
            "src/settings/BusinessHours.settings": hours_settings(
                hours_entry("Default"), hours_entry("Support", zone)
            )
        },
    )
    error = refused(root)
    assert (error.file, error.line, error.element) == (
        "src/settings/BusinessHours.settings",
        17,
        "timeZoneId",
    )
    assert str(error) == (
        f"src/settings/BusinessHours.settings, line 17, <timeZoneId>: "
        f"business hours 'Support': {reason}"
    )


def test_iana_zones_and_links_are_accepted(tmp_path: Path) -> None:
    root = write(
        tmp_path / "p",
        {
            "src/settings/BusinessHours.settings": hours_settings(
                hours_entry("A", "GMT"), hours_entry("B", "Asia/Singapore")
            )
        },
    )
    project, _ = read_project(root)
    assert [(b.name, b.time_zone) for b in project.business_hours] == [
        ("A", "GMT"),
        ("B", "Asia/Singapore"),
    ]


# --------------------------------------------------------------------------- 8: same name


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ("Support", "two business hours entries are named 'Support'"),
        (
            "SUPPORT",
            "two business hours entries are named 'SUPPORT' (as 'Support': names ignore case)",
        ),
    ],
)
def test_two_business_hours_with_one_name_are_refused(
    tmp_path: Path, second: str, message: str
) -> None:
    root = write(
        tmp_path / "p",
        {
            "src/settings/BusinessHours.settings": hours_settings(
                hours_entry("Support"), hours_entry("Default"), hours_entry(second)
            )
        },
    )
    error = refused(root)
    assert str(error) == (
        "src/settings/BusinessHours.settings, line 24, <name>: "
        f"{message}; Salesforce business hours names are unique"
    )


# --------------------------------------------------------------------------- 6: no metadata


def test_an_empty_folder_holds_no_metadata(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(NoMetadataFound) as info:
        read_project(tmp_path / "empty")
    assert str(info.value) == "empty: no Salesforce metadata was found: the folder is empty"
    assert info.value.detail == "the folder is empty"


def test_a_folder_of_unrelated_files_holds_no_metadata(tmp_path: Path) -> None:
    root = write(tmp_path / "notes", {"readme.txt": "hi", "docs/a.md": "# a"})
    with pytest.raises(NoMetadataFound) as info:
        read_project(root)
    assert info.value.detail == (
        "the folder holds 2 files but no package.xml, sfdx-project.json or metadata type "
        "folder (entitlementProcesses, milestoneTypes, entitlementTemplates, settings, ...)"
    )


def test_an_empty_zip_holds_no_metadata(tmp_path: Path) -> None:
    archive = tmp_path / "none.zip"
    zipfile.ZipFile(archive, "w").close()
    with pytest.raises(NoMetadataFound) as info:
        read_project(archive)
    assert str(info.value) == "none.zip: no Salesforce metadata was found: the zip is empty"


@pytest.mark.parametrize(
    "files",
    [
        {"src/package.xml": "<Package/>"},
        {"sfdx-project.json": "{}"},
        {"src/workflows/Case.workflow": "<Workflow/>"},
    ],
)
def test_a_project_with_only_unmodelled_metadata_still_reads(
    tmp_path: Path, files: dict[str, str]
) -> None:
    project, _ = read_project(write(tmp_path / "p", files))
    assert [f.path for f in project.other_files] == list(files)
