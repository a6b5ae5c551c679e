"""What a bundle may not carry, even with a correct manifest (a hand-edited or crafted file):
business hours the engine cannot use, numbers out of range, control characters, duplicate
keys, hostile JSON; and recognising a renamed bundle by its manifest."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from entitle_desktop.domain.records import (
    Account,
    BusinessHours,
    BusinessHoursWindow,
    ContractLineItem,
    Entitlement,
    EntitlementProcessVersion,
    FilterItem,
    Holiday,
    ProcessMilestone,
    ServiceContract,
)
from entitle_desktop.interchange.bundle import MANIFEST_NAME, is_bundle, read_bundle, write_bundle
from entitle_desktop.interchange.errors import InterchangeError
from entitle_desktop.interchange.record_codec import describe_schema, illegal_xml_character
from entitle_desktop.interchange.record_set import RecordSet

CREATED = datetime(2025, 3, 4, 10, 30, tzinfo=UTC)
Edit = Callable[[dict[str, Any]], None]


def sample_records() -> RecordSet:
    return RecordSet(
        business_hours=[
            BusinessHours(
                "Berlin Office",
                "Europe/Berlin",
                windows=[BusinessHoursWindow("mon", time(9), time(17, 30))],
            )
        ],
        holidays=[
            Holiday("Christmas", activity_date=date(2025, 12, 25), business_hours=["Berlin Office"])
        ],
        processes=[
            EntitlementProcessVersion(
                "Premium Support",
                version_number=2,
                active=True,
                milestones=[
                    ProcessMilestone(
                        "First Response",
                        minutes_to_complete=60,
                        criteria_items=[FilterItem("Case.Priority", "equals", "High")],
                    )
                ],
            )
        ],
        accounts=[Account("001A", "Acme"), Account("001B", "Acme Child", parent_id="001A")],
        service_contracts=[ServiceContract("810A", "Master", "001A")],
        contract_line_items=[ContractLineItem("811A", "810A", quantity=2.5)],
        entitlements=[Entitlement("550A", "Gold Phone", "001A", cases_per_entitlement=10)],
    )


def _bundle(tmp_path: Path, docs: dict[str, Edit], records: RecordSet | None = None) -> Path:
    """A bundle of ``records`` (default: the sample) whose JSON files went through the
    edits, with the manifest's hashes and counts recomputed (so only the content is odd)."""
    path = tmp_path / "edited.entitlebundle"
    write_bundle(records or sample_records(), path, created=CREATED)
    with zipfile.ZipFile(path) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    manifest = json.loads(entries[MANIFEST_NAME])
    for name, edit in docs.items():
        doc = json.loads(entries[name])
        edit(doc)
        entries[name] = json.dumps(doc, ensure_ascii=True).encode()
        list_name = name.removesuffix(".json")
        if list_name in manifest["counts"]:
            manifest["counts"][list_name] = len(doc["records"])
    _write(path, entries, manifest)
    return path


def _write(path: Path, entries: dict[str, bytes], manifest: dict[str, Any]) -> None:
    for name, info in manifest["files"].items():
        info["sha256"] = hashlib.sha256(entries[name]).hexdigest()
        info["bytes"] = len(entries[name])
    entries[MANIFEST_NAME] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, payload in entries.items():
            archive.writestr(name, payload)


def _raw(tmp_path: Path, name: str, payload: bytes) -> Path:
    """A bundle whose ``name`` holds ``payload`` verbatim (hash recomputed)."""
    path = tmp_path / "raw.entitlebundle"
    write_bundle(sample_records(), path, created=CREATED)
    with zipfile.ZipFile(path) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    manifest = json.loads(entries[MANIFEST_NAME])
    entries[name] = payload
    _write(path, entries, manifest)
    return path


def _refused(path: Path) -> str:
    with pytest.raises(InterchangeError) as info:
        read_bundle(path)
    return str(info.value)


def _records(key: str, edit: Callable[[list[dict[str, Any]]], None]) -> dict[str, Edit]:
    return {f"{key}.json": lambda doc: edit(doc["records"])}


# --------------------------------------------------------------------------- F7 business hours


def _set(index: int, field: str, value: Any) -> Callable[[list[dict[str, Any]]], None]:
    def edit(records: list[dict[str, Any]]) -> None:
        records[index][field] = value

    return edit


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (
            "time_zone",
            "Mars/Olympus",
            "business_hours.json, record 'Berlin Office', <business_hours[0].time_zone>: "
            "unknown time zone 'Mars/Olympus'",
        ),
        (
            "windows",
            [{"weekday": "sun", "start": "09:00:30", "end": "10:00:00"}],
            "business_hours.json, record 'Berlin Office', <business_hours[0].windows[0].start>: "
            "sun start 09:00:30: only whole minutes are supported",
        ),
        (
            "windows",
            [{"weekday": "mon", "start": "09:00:00", "end": "17:00:00"}]
            + [{"weekday": "tue", "start": "10:00:00", "end": "10:00:00"}],
            "business_hours.json, record 'Berlin Office', <business_hours[0].windows[1]>: "
            "tue: window 10:00-10:00 starts and ends at the same time "
            "(use 00:00-24:00 for a whole day)",
        ),
        (
            "windows",
            [{"weekday": "someday", "start": "09:00:00", "end": "10:00:00"}],
            "business_hours.json, record 'Berlin Office', "
            "<business_hours[0].windows[0].weekday>: "
            "unknown weekday 'someday' (use mon, tue, ..., sun)",
        ),
    ],
)
def test_business_hours_the_engine_cannot_use_are_refused(
    tmp_path: Path, field: str, value: Any, expected: str
) -> None:
    path = _bundle(tmp_path, _records("business_hours", _set(0, field, value)))
    assert _refused(path) == expected


def test_overnight_and_split_windows_are_accepted(tmp_path: Path) -> None:
    windows = [
        {"weekday": "sat", "start": "22:00:00", "end": "06:00:00"},
        {"weekday": "mon", "start": "08:00:00", "end": "12:00:00"},
        {"weekday": "mon", "start": "13:00:00", "end": None},
    ]
    path = _bundle(tmp_path, _records("business_hours", _set(0, "windows", windows)))
    hours: BusinessHours = read_bundle(path).records.business_hours[0]
    assert hours.windows == [
        BusinessHoursWindow("sat", time(22), time(6)),
        BusinessHoursWindow("mon", time(8), time(12)),
        BusinessHoursWindow("mon", time(13), None),
    ]


# --------------------------------------------------------------------------- F25 ranges


@pytest.mark.parametrize(
    ("key", "edit", "expected"),
    [
        (
            "processes",
            lambda recs: recs[0]["milestones"][0].update(minutes_to_complete=-5),
            "processes.json, record 'Premium Support#2', "
            "<processes[0].milestones[0].minutes_to_complete>: must be at least 1, found -5",
        ),
        (
            "processes",
            lambda recs: recs[0]["milestones"][0].update(minutes_to_complete=0),
            "processes.json, record 'Premium Support#2', "
            "<processes[0].milestones[0].minutes_to_complete>: must be at least 1, found 0",
        ),
        (
            "processes",
            lambda recs: recs[0].update(version_number=0),
            "processes.json, record 'Premium Support#0', <processes[0].version_number>: "
            "must be at least 1, found 0",
        ),
        (
            "holidays",
            lambda recs: recs[0].update(recurrence_day_of_month=32),
            "holidays.json, record 'Christmas@2025-12-25', "
            "<holidays[0].recurrence_day_of_month>: must be at most 31, found 32",
        ),
        (
            "entitlements",
            lambda recs: recs[0].update(cases_per_entitlement=-1),
            "entitlements.json, record '550A', <entitlements[0].cases_per_entitlement>: "
            "must be at least 0, found -1",
        ),
        (
            "entitlements",
            lambda recs: recs[0].update(remaining_cases=2**31),
            "entitlements.json, record '550A', <entitlements[0].remaining_cases>: "
            "2147483648 is outside the 32-bit integer range",
        ),
        (
            "contract_line_items",
            lambda recs: recs[0].update(quantity=-2.5),
            "contract_line_items.json, record '811A', <contract_line_items[0].quantity>: "
            "must be at least 0, found -2.5",
        ),
    ],
)
def test_numbers_out_of_range_are_refused(
    tmp_path: Path, key: str, edit: Callable[[list[dict[str, Any]]], None], expected: str
) -> None:
    assert _refused(_bundle(tmp_path, _records(key, edit))) == expected


def test_the_schema_describes_the_ranges() -> None:
    from entitle_desktop.domain.records import ProcessMilestone

    assert describe_schema(ProcessMilestone)["minutes_to_complete"] == (
        "integer >= 1 | null (optional)"
    )
    assert describe_schema(Holiday)["recurrence_day_of_month"] == (
        "integer 1..31 | null (optional)"
    )


# --------------------------------------------------------------------------- F26 characters


def test_nul_in_text_is_refused_naming_file_record_and_field(tmp_path: Path) -> None:
    path = _bundle(tmp_path, _records("accounts", _set(0, "name", "Acme\u0000Null")))
    assert _refused(path) == (
        "accounts.json, record '001A', <accounts[0].name>: text contains the control "
        "character U+0000 at position 5, which XML 1.0 cannot hold"
    )


def test_control_character_deep_in_a_process_is_refused(tmp_path: Path) -> None:
    def edit(recs: list[dict[str, Any]]) -> None:
        recs[0]["milestones"][0]["criteria_items"][0]["value"] = "High\u0001"

    path = _bundle(tmp_path, _records("processes", edit))
    assert _refused(path) == (
        "processes.json, record 'Premium Support#2', "
        "<processes[0].milestones[0].criteria_items[0].value>: text contains the control "
        "character U+0001 at position 5, which XML 1.0 cannot hold"
    )


def test_control_character_in_a_custom_field_name_is_refused(tmp_path: Path) -> None:
    path = _bundle(tmp_path, _records("accounts", _set(0, "custom_fields", {"Bad\u001f__c": "x"})))
    assert _refused(path) == (
        "accounts.json, record '001A', <accounts[0].custom_fields>: the key 'Bad\\x1f__c' "
        "contains the control character U+001F at position 4, which XML 1.0 cannot hold"
    )


def test_tab_newline_and_unicode_are_kept(tmp_path: Path) -> None:
    text = 'R&D <team>\t"quoted"\r\nünïcode 🚀 ]]> end'
    path = _bundle(tmp_path, _records("accounts", _set(0, "name", text)))
    assert read_bundle(path).records.accounts[0].name == text


def test_lone_surrogate_is_refused(tmp_path: Path) -> None:
    payload = (
        b'{"record_type":"Account","records":[{"id":"001A","name":"x\\ud800"},'
        b'{"id":"001B","name":"Acme Child","parent_id":"001A"}]}'
    )
    assert _refused(_raw(tmp_path, "accounts.json", payload)) == (
        "accounts.json, record '001A', <accounts[0].name>: text contains a surrogate "
        "U+D800 at position 2, which XML 1.0 cannot hold"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", None),
        ("tab\tnew\nline\r", None),
        ("\u0000", "the control character U+0000 at position 1, which XML 1.0 cannot hold"),
        ("ab\u007f", None),  # DEL is allowed by XML 1.0
        ("a\ufffe", "the non-character U+FFFE at position 2, which XML 1.0 cannot hold"),
    ],
)
def test_illegal_xml_character(text: str, expected: str | None) -> None:
    assert illegal_xml_character(text) == expected


# --------------------------------------------------------------------------- F24 duplicates


def test_duplicate_ids_in_one_file_are_refused_naming_both_positions(tmp_path: Path) -> None:
    def edit(recs: list[dict[str, Any]]) -> None:
        recs.append(dict(recs[0], name="Dup"))

    path = _bundle(tmp_path, _records("accounts", edit))
    assert _refused(path) == (
        "accounts.json, record '001A', <accounts[2]>: duplicate record: accounts[0] has the "
        "same key"
    )


def test_duplicate_process_versions_are_refused(tmp_path: Path) -> None:
    def edit(recs: list[dict[str, Any]]) -> None:
        recs.append(dict(recs[0], description="again"))

    path = _bundle(tmp_path, _records("processes", edit))
    assert _refused(path) == (
        "processes.json, record 'Premium Support#2', <processes[1]>: duplicate record: "
        "processes[0] has the same key"
    )


def test_two_holidays_of_one_name_are_allowed(tmp_path: Path) -> None:
    def edit(recs: list[dict[str, Any]]) -> None:
        recs.append(dict(recs[0], description="second"))

    path = _bundle(tmp_path, _records("holidays", edit))
    assert [h.description for h in read_bundle(path).records.holidays] == [None, "second"]


def test_a_key_twice_in_one_json_object_is_refused(tmp_path: Path) -> None:
    payload = (
        b'{"record_type":"Account","records":[{"id":"001A","name":"Acme","name":"Evil"},'
        b'{"id":"001B","name":"Acme Child","parent_id":"001A"}]}'
    )
    assert _refused(_raw(tmp_path, "accounts.json", payload)) == (
        "accounts.json: not valid JSON: the key 'name' appears twice in one object"
    )


# --------------------------------------------------------------------------- F23 hostile JSON


def test_deeply_nested_json_is_refused_without_a_traceback(tmp_path: Path) -> None:
    payload = b"[" * 200_000 + b"]" * 200_000
    assert _refused(_raw(tmp_path, "accounts.json", payload)) == (
        "accounts.json: not valid JSON: nested too deeply"
    )


def test_a_number_of_thousands_of_digits_is_refused(tmp_path: Path) -> None:
    payload = b'{"record_type":"Account","records":[{"id":"001A","name":"A","x":' + b"9" * 5000
    payload += b"}]}"
    assert _refused(_raw(tmp_path, "accounts.json", payload)) == (
        "accounts.json: not valid JSON: a number has too many digits"
    )


def test_nan_is_refused(tmp_path: Path) -> None:
    payload = b'{"record_type":"Account","records":[{"id":"001A","name":NaN}]}'
    assert _refused(_raw(tmp_path, "accounts.json", payload)) == (
        "accounts.json: not valid JSON: NaN is not a JSON number"
    )


def test_json_syntax_error_names_member_then_line(tmp_path: Path) -> None:
    payload = b'{"record_type": "Account",\n"records": [{"id": "001A", "name": "A}]}'
    assert _refused(_raw(tmp_path, "accounts.json", payload)) == (
        "accounts.json, line 2: not valid JSON: Unterminated string starting at (column 36)"
    )


def test_whole_bundle_errors_do_not_repeat_the_bundle_name(tmp_path: Path) -> None:
    path = tmp_path / "fake.entitlebundle"
    path.write_text("hello")
    assert _refused(path) == "not a bundle: expected a .entitlebundle (zip) file"


# --------------------------------------------------------------------------- F11 detection


def test_a_renamed_bundle_is_recognised_by_its_manifest(tmp_path: Path) -> None:
    original = tmp_path / "a.entitlebundle"
    write_bundle(RecordSet(accounts=[Account("001A", "Acme")]), original, created=CREATED)
    renamed = tmp_path / "from-mail.zip"
    shutil.copy(original, renamed)
    assert is_bundle(renamed)
    assert read_bundle(renamed).records.accounts == [Account("001A", "Acme")]


@pytest.mark.parametrize(
    "content",
    [
        {"manifest.json": b'{"format": "something else"}'},
        {"manifest.json": b"not json"},
        {"package.xml": b"<Package/>"},
    ],
)
def test_other_zips_are_not_bundles(tmp_path: Path, content: dict[str, bytes]) -> None:
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, payload in content.items():
            archive.writestr(name, payload)
    assert not is_bundle(path)


def test_a_folder_or_text_file_is_not_a_bundle(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("{}")
    assert not is_bundle(tmp_path)
    assert not is_bundle(text)
    assert is_bundle(tmp_path / "named.entitlebundle")  # by name, even before it exists


def test_entitlement_round_trip_unaffected(tmp_path: Path) -> None:
    records = RecordSet(
        accounts=[Account("001A", "Acme")],
        entitlements=[Entitlement("550A", "Phone", "001A", cases_per_entitlement=0)],
    )
    path = tmp_path / "ok.entitlebundle"
    write_bundle(records, path, created=CREATED)
    assert read_bundle(path).records == records
