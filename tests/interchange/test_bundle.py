"""The native bundle: lossless round trip, manifest, schema checks, hostile files, versions."""

from __future__ import annotations

import hashlib
import json
import stat
import zipfile
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

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
from entitle_desktop.interchange.bundle import (
    LOADERS,
    MANIFEST_NAME,
    BundleLimits,
    decode_v1_files,
    read_bundle,
    write_bundle,
)
from entitle_desktop.interchange.errors import InterchangeError
from entitle_desktop.interchange.record_codec import codec_for
from entitle_desktop.interchange.record_set import RECORD_LISTS, ProjectInfo, RecordSet

CREATED = datetime(2025, 3, 4, 10, 30, tzinfo=timezone(timedelta(hours=2)))


def sample_records() -> RecordSet:
    """One or more records of every type, with every kind of field value set."""
    return RecordSet(
        settings=WorkspaceSettings(
            setup_model=SetupModel.CONTRACT_LINE_ITEMS,
            entitlement_settings=EntitlementSettings(
                flags={"enableEntitlements": True, "enableEntitlementVersioning": False},
                unknown=[UnknownElement("enableEntitlements", "<x>1</x>")],
            ),
            metadata_api_version="61.0",
        ),
        project=ProjectInfo(layout="source", root="force-app/main/default"),
        business_hours=[
            BusinessHours(
                name="Berlin Office",
                time_zone="Europe/Berlin",
                default=True,
                windows=[
                    BusinessHoursWindow("mon", time(9), time(17, 30)),
                    BusinessHoursWindow("sat", time(0), None),
                ],
                xml_times={"mondayStartTime": "09:00:00.000Z"},
            )
        ],
        holidays=[
            Holiday(
                name="Christmas",
                activity_date=date(2025, 12, 25),
                start_time=time(12, 0),
                end_time=time(23, 59, 59, 500000),
                is_recurring=True,
                recurrence_type="RecursYearly",
                recurrence_day_of_week=["Monday"],
                business_hours=["Berlin Office"],
            )
        ],
        milestone_types=[MilestoneType("First Response", recurrence_type="none")],
        processes=[
            EntitlementProcessVersion(
                name="Premium Support",
                version_number=2,
                is_version_default=True,
                active=True,
                exit_criteria_items=[FilterItem("Case.IsClosed", "equals", "true")],
                milestones=[
                    ProcessMilestone(
                        "First Response",
                        minutes_to_complete=60,
                        criteria_items=[FilterItem("Case.Priority", "equals", "High,Urgent")],
                        time_triggers=[
                            MilestoneTimeTrigger(
                                -15, "Minutes", [ActionReference("Warn_Owner", "Alert")]
                            )
                        ],
                        success_actions=[ActionReference("Case.Done", "FieldUpdate")],
                    )
                ],
                file_name="Premium_Support_v2",
                unknown=[UnknownElement(None, "<novel>é</novel>")],
            )
        ],
        templates=[EntitlementTemplate("Gold", term=365, product_codes=["GOLD-1"])],
        experiences=[Experience("Help Center", visible_fields=["EndDate"])],
        other_metadata_files=[OtherMetadataFile("src/package.xml", b"<Package>\x00\xff</Package>")],
        accounts=[
            Account("001A", "Acme Ünited", custom_fields={"Support_Level__c": "Premium"}),
            Account("001B", "Acme Child", parent_id="001A"),
        ],
        contacts=[Contact("003A", "Doe", "Jane", "jane@example.com", "001A")],
        products=[Product("01tA", "Router", "RT-1")],
        assets=[Asset("02iA", "Router #1", "SN1", "001A", "003A", "01tA", date(2024, 1, 2))],
        service_contracts=[
            ServiceContract("810A", "Master", "001A", term=12, approval_status="Activated"),
            ServiceContract("810B", "Sub", "001A", parent_service_contract_id="810A"),
        ],
        contract_line_items=[ContractLineItem("811A", "810A", "01tA", "02iA", quantity=2.5)],
        entitlements=[
            Entitlement(
                "550A",
                "Gold Phone",
                "001A",
                service_contract_id="810A",
                contract_line_item_id="811A",
                start_date=date(2025, 1, 1),
                end_date=date(2025, 12, 31),
                business_hours="Berlin Office",
                sla_process="Premium Support",
                sla_process_version=2,
                is_per_incident=True,
                cases_per_entitlement=10,
                remaining_cases=7,
            )
        ],
        entitlement_contacts=[EntitlementContact("552A", "550A", "003A")],
    )


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rezip(path: Path, entries: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, payload in entries.items():
            archive.writestr(name, payload)


def _rehash(entries: dict[str, bytes]) -> None:
    manifest = json.loads(entries[MANIFEST_NAME])
    for name, info in manifest["files"].items():
        info["sha256"] = hashlib.sha256(entries[name]).hexdigest()
    entries[MANIFEST_NAME] = json.dumps(manifest).encode()


@pytest.fixture
def written(tmp_path: Path) -> Path:
    target = tmp_path / "sample.entitlebundle"
    write_bundle(sample_records(), target, created=CREATED)
    return target


def test_bundle_round_trip_gives_equal_records(written: Path) -> None:
    loaded = read_bundle(written)
    assert loaded.records == sample_records()


def test_manifest_lists_version_time_model_counts_and_hashes(written: Path) -> None:
    entries = _entries(written)
    manifest = json.loads(entries[MANIFEST_NAME])
    assert manifest["format"] == "entitlebundle"
    assert manifest["format_version"] == 1
    assert manifest["app_version"] == "0.1.0"
    assert manifest["created"] == "2025-03-04T10:30:00+02:00"
    assert manifest["setup_model"] == "contract_line_items"
    assert manifest["scope"] == "workspace"
    assert manifest["counts"]["accounts"] == 2
    assert manifest["counts"]["service_contracts"] == 2
    assert manifest["counts"]["entitlement_contacts"] == 1
    assert set(manifest["files"]) == {"settings.json"} | {f"{n}.json" for n in RECORD_LISTS}
    for name, info in manifest["files"].items():
        assert info["sha256"] == hashlib.sha256(entries[name]).hexdigest()
        assert info["bytes"] == len(entries[name])


def test_record_files_hold_iso_dates_and_record_type(written: Path) -> None:
    doc = json.loads(_entries(written)["entitlements.json"])
    assert doc["record_type"] == "Entitlement"
    assert doc["records"][0]["start_date"] == "2025-01-01"
    assert doc["records"][0]["end_date"] == "2025-12-31"
    holidays = json.loads(_entries(written)["holidays.json"])
    assert holidays["records"][0]["end_time"] == "23:59:59.500000"


def test_write_replaces_target_atomically_and_leaves_no_temp_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.entitlebundle"
    target.write_bytes(b"previous export")

    def broken(*_: Any) -> dict[str, Any]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(codec_for(Account), "encode", broken)
    with pytest.raises(RuntimeError):
        write_bundle(sample_records(), target)
    assert target.read_bytes() == b"previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.entitlebundle"]


def _refused(path: Path, limits: BundleLimits | None = None) -> InterchangeError:
    with pytest.raises(InterchangeError) as info:
        read_bundle(path, limits)
    return info.value


def test_zip_slip_entry_is_refused(written: Path) -> None:
    entries = _entries(written)
    entries["../evil.json"] = b"{}"
    _rezip(written, entries)
    error = _refused(written)
    assert error.file == "../evil.json"
    assert "outside" in error.message


def test_absolute_path_entry_is_refused(written: Path) -> None:
    entries = _entries(written)
    entries["/etc/passwd"] = b"root"
    _rezip(written, entries)
    assert "absolute" in _refused(written).message


def test_symlink_entry_is_refused(written: Path) -> None:
    with zipfile.ZipFile(written, "a") as archive:
        info = zipfile.ZipInfo("accounts_link.json")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    assert "symbolic link" in _refused(written).message


def test_entry_in_subfolder_is_refused(written: Path) -> None:
    entries = _entries(written)
    entries["nested/accounts.json"] = b"{}"
    _rezip(written, entries)
    error = _refused(written)
    assert (error.file, error.element) == ("nested/accounts.json", None)
    assert str(error) == "nested/accounts.json: a bundle holds no folders; refused"


def test_too_many_entries_is_refused(written: Path) -> None:
    entries = _entries(written)
    for i in range(60):
        entries[f"extra{i}.json"] = b"{}"
    _rezip(written, entries)
    assert "entries" in _refused(written).message


def test_zip_bomb_by_ratio_is_refused(tmp_path: Path, written: Path) -> None:
    entries = _entries(written)
    entries["accounts.json"] = b" " * (8 << 20)  # inflates ~1000 times
    _rezip(written, entries)
    error = _refused(written)
    assert error.file == "accounts.json"
    assert "zip bomb" in error.message


def test_zip_bomb_by_total_size_is_refused(written: Path) -> None:
    error = _refused(written, BundleLimits(max_total_bytes=2000))
    assert "refused" in error.message


def test_altered_file_fails_its_hash(written: Path) -> None:
    entries = _entries(written)
    entries["accounts.json"] = entries["accounts.json"].replace(b"Acme", b"Evil")
    _rezip(written, entries)
    error = _refused(written)
    assert str(error) == (
        "accounts.json: SHA-256 does not match the manifest (file altered or damaged)"
    )


def test_file_not_in_manifest_is_refused(written: Path) -> None:
    entries = _entries(written)
    entries["extra.json"] = b"{}"
    _rezip(written, entries)
    assert str(_refused(written)) == "extra.json: file not listed in the manifest"


def test_unknown_format_version_is_refused(written: Path) -> None:
    entries = _entries(written)
    manifest = json.loads(entries[MANIFEST_NAME])
    manifest["format_version"] = 7
    entries[MANIFEST_NAME] = json.dumps(manifest).encode()
    _rezip(written, entries)
    error = _refused(written)
    assert (error.file, error.element) == ("manifest.json", "format_version")
    assert "unknown bundle format version 7" in error.message


def test_schema_violation_names_file_and_field(written: Path) -> None:
    entries = _entries(written)
    doc = json.loads(entries["entitlements.json"])
    doc["records"][0]["start_date"] = "01/02/2025"
    entries["entitlements.json"] = json.dumps(doc).encode()
    _rezip(written, entries)
    _rehash(entries)
    _rezip(written, entries)
    error = _refused(written)
    assert str(error) == (
        "entitlements.json, record '550A', <entitlements[0].start_date>: "
        "expected a date YYYY-MM-DD, found '01/02/2025'"
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", 5, "expected a string, found number"),
        ("is_per_incident", "yes", "expected true or false, found string"),
        ("cases_per_entitlement", 1.5, "expected an integer, found number"),
        ("surprise", 1, "unknown field"),
    ],
)
def test_schema_checks_each_value(written: Path, field: str, value: Any, message: str) -> None:
    entries = _entries(written)
    doc = json.loads(entries["entitlements.json"])
    doc["records"][0][field] = value
    entries["entitlements.json"] = json.dumps(doc).encode()
    _rehash(entries)
    _rezip(written, entries)
    error = _refused(written)
    assert (error.file, error.record) == ("entitlements.json", "550A")
    assert error.element == f"entitlements[0].{field}"
    assert error.message == message


def test_missing_required_field_is_reported(written: Path) -> None:
    entries = _entries(written)
    doc = json.loads(entries["accounts.json"])
    del doc["records"][1]["name"]
    entries["accounts.json"] = json.dumps(doc).encode()
    _rehash(entries)
    _rezip(written, entries)
    error = _refused(written)
    assert (error.file, error.record, error.element) == (
        "accounts.json",
        "001B",
        "accounts[1].name",
    )
    assert error.message == "required field missing"


def test_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fake.entitlebundle"
    path.write_text("hello")
    assert "not a bundle" in _refused(path).message


def test_count_mismatch_is_refused(written: Path) -> None:
    entries = _entries(written)
    manifest = json.loads(entries[MANIFEST_NAME])
    manifest["counts"]["accounts"] = 3
    entries[MANIFEST_NAME] = json.dumps(manifest).encode()
    _rezip(written, entries)
    assert str(_refused(written)) == (
        "manifest.json, <counts.accounts>: manifest counts 3 records but accounts.json holds 2"
    )


# --------------------------------------------------------------------------- older versions


def _load_v0(name: str, files: dict[str, bytes], manifest: dict[str, Any]) -> RecordSet:
    """How an older format would load: version 0 (a hypothetical earlier shape) kept all
    records in one ``workspace.json`` keyed by list name, and entitlements carried an
    exclusive ``end`` date instead of the inclusive ``end_date``. Its loader upgrades the
    documents to the version-1 shape, then decodes them like version 1."""
    old = json.loads(files["workspace.json"])
    documents: dict[str, Any] = {"settings.json": {"settings": old.get("settings")}}
    for list_name, records in old["lists"].items():
        if list_name == "entitlements":
            for record in records:
                end = record.pop("end", None)
                record["end_date"] = (
                    None
                    if end is None
                    else (date.fromisoformat(end) - timedelta(days=1)).isoformat()
                )
        documents[f"{list_name}.json"] = {
            "record_type": RECORD_LISTS[list_name].__name__,
            "records": records,
        }
    return decode_v1_files(name, documents)


def test_older_format_version_loads_through_its_own_loader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(LOADERS, 0, _load_v0)
    workspace_json = json.dumps(
        {
            "settings": None,
            "lists": {
                "accounts": [{"id": "001A", "name": "Acme"}],
                "entitlements": [
                    {"id": "550A", "name": "Phone", "account_id": "001A", "end": "2026-01-01"}
                ],
            },
        }
    ).encode()
    manifest = {
        "format": "entitlebundle",
        "format_version": 0,
        "app_version": "0.0.9",
        "created": "2024-05-01T08:00:00+00:00",
        "setup_model": None,
        "counts": {"accounts": 1, "entitlements": 1},
        "files": {"workspace.json": {"sha256": hashlib.sha256(workspace_json).hexdigest()}},
    }
    path = tmp_path / "old.entitlebundle"
    _rezip(path, {MANIFEST_NAME: json.dumps(manifest).encode(), "workspace.json": workspace_json})
    loaded = read_bundle(path)
    assert loaded.manifest.format_version == 0
    assert loaded.records.accounts == [Account("001A", "Acme")]
    assert loaded.records.entitlements == [
        Entitlement("550A", "Phone", "001A", end_date=date(2025, 12, 31))
    ]


def test_damaged_compressed_data_is_refused_naming_the_entry(written: Path) -> None:
    """Bytes that no longer inflate (a bad copy, a flipped bit) are bad input, not a bug."""
    with zipfile.ZipFile(written) as archive:
        info = archive.getinfo("accounts.json")
    data = bytearray(written.read_bytes())
    # the local header is 30 bytes plus the name and extra field; then the deflated data
    name_len = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    data[start : start + 8] = b"\xff" * 8
    written.write_bytes(bytes(data))
    error = _refused(written)
    assert error.file == "accounts.json"
    assert "refused as damaged" in str(error)
