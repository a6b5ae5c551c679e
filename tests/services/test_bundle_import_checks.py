"""Importing a bundle into a workspace: references checked in the preview, changed versus
conflicting records, the readable outcome, refused content leaving the workspace file
unchanged; and data files: control characters refused, "read as" lines kept as notes."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import zipfile
from collections.abc import Callable
from datetime import time
from pathlib import Path
from typing import Any

import pytest

from entitle_desktop.domain.records import (
    Account,
    BusinessHours,
    BusinessHoursWindow,
    Contact,
    Entitlement,
    EntitlementProcessVersion,
    MilestoneType,
    ProcessMilestone,
)
from entitle_desktop.interchange.bundle import MANIFEST_NAME, write_bundle
from entitle_desktop.interchange.errors import InterchangeError
from entitle_desktop.interchange.record_set import RecordSet
from entitle_desktop.services.bundle_io import (
    KEYS_LISTED,
    ImportProblemsError,
    check_bundle,
    import_bundle,
    preview_bundle,
)
from entitle_desktop.services.csv_io import BadRowsError, import_data, preview_data
from entitle_desktop.services.workspace import Workspace


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _base() -> RecordSet:
    return RecordSet(
        business_hours=[
            BusinessHours(
                "Berlin",
                "Europe/Berlin",
                windows=[BusinessHoursWindow("mon", time(9), time(17))],
            )
        ],
        milestone_types=[MilestoneType("First Response"), MilestoneType("Resolution")],
        processes=[
            EntitlementProcessVersion(
                "Premium",
                version_number=1,
                active=True,
                milestones=[ProcessMilestone("First Response", minutes_to_complete=60)],
            ),
            EntitlementProcessVersion(
                "Draft",
                version_number=1,
                active=False,
                milestones=[ProcessMilestone("First Response", minutes_to_complete=60)],
            ),
        ],
        accounts=[Account("001A", "Acme"), Account("001B", "Globex")],
        contacts=[Contact("003A", "Ito", "Kara", "kara@acme.example", "001A")],
        entitlements=[Entitlement("550A", "Phone", "001A")],
    )


@pytest.fixture
def workspace_path(tmp_path: Path) -> Path:
    """A workspace holding :func:`_base` (imported from a bundle)."""
    path = tmp_path / "w.entitle"
    bundle = tmp_path / "base.entitlebundle"
    write_bundle(_base(), bundle)
    with Workspace.create(path) as ws:
        import_bundle(ws, bundle)
    return path


def _write(tmp_path: Path, records: RecordSet, name: str = "in.entitlebundle") -> Path:
    path = tmp_path / name
    write_bundle(records, path)
    return path


# --------------------------------------------------------------------------- F9 references


def test_a_dangling_reference_is_a_preview_problem_naming_file_record_and_field(
    workspace_path: Path, tmp_path: Path
) -> None:
    records = RecordSet(contacts=[Contact("003B", "Doe", account_id="001XXXXXXXXXXXXXXX")])
    bundle = _write(tmp_path, records)
    before = _sha(workspace_path)
    with Workspace.open(workspace_path) as ws:
        preview, _, _ = preview_bundle(ws, bundle)
        assert [str(p) for p in preview.problems] == [
            "contacts.json, record '003B', <contacts[0].account_id>: no account "
            "'001XXXXXXXXXXXXXXX' in the file or the workspace"
        ]
        assert preview.added == {"contacts": ["003B"]}
        for dry_run in (True, False):
            with pytest.raises(ImportProblemsError) as info:
                import_bundle(ws, bundle, dry_run=dry_run)
            assert str(info.value) == (
                "contacts.json, record '003B', <contacts[0].account_id>: no account "
                "'001XXXXXXXXXXXXXXX' in the file or the workspace; nothing was imported"
            )
    assert _sha(workspace_path) == before


def test_a_reference_to_a_workspace_record_is_fine(workspace_path: Path, tmp_path: Path) -> None:
    records = RecordSet(contacts=[Contact("003B", "Doe", account_id="001B")])
    with Workspace.open(workspace_path) as ws:
        preview = import_bundle(ws, _write(tmp_path, records))
        assert preview.applied and preview.problems == []
        assert ws.summary().counts["contacts"] == 2


def test_several_dangling_references_are_all_listed(workspace_path: Path, tmp_path: Path) -> None:
    records = RecordSet(
        entitlements=[
            Entitlement("550B", "Web", "001Q", asset_id="02iQ"),
            Entitlement("550C", "Chat", "001A", service_contract_id="810Q"),
        ]
    )
    with Workspace.open(workspace_path) as ws, pytest.raises(ImportProblemsError) as info:
        import_bundle(ws, _write(tmp_path, records))
    assert str(info.value) == (
        "3 problems; nothing was imported:\n"
        "  entitlements.json, record '550B', <entitlements[0].account_id>: no account '001Q' "
        "in the file or the workspace\n"
        "  entitlements.json, record '550B', <entitlements[0].asset_id>: no asset '02iQ' "
        "in the file or the workspace\n"
        "  entitlements.json, record '550C', <entitlements[1].service_contract_id>: no "
        "service contract '810Q' in the file or the workspace"
    )


def test_check_bundle_refuses_references_a_new_workspace_cannot_satisfy(tmp_path: Path) -> None:
    bundle = _write(tmp_path, RecordSet(entitlements=[Entitlement("550A", "Phone", "001A")]))
    with pytest.raises(ImportProblemsError) as info:
        check_bundle(bundle)
    assert info.value.record == "550A"
    assert info.value.element == "entitlements[0].account_id"
    ok = _write(tmp_path, _base(), "ok.entitlebundle")
    assert check_bundle(ok).records == _base()


# --------------------------------------------------------------------------- F10 classification


def _edited(edit: Callable[[RecordSet], None]) -> RecordSet:
    records = _base()
    edit(records)
    return records


def _appended(r: RecordSet) -> None:
    r.processes[0].milestones.append(ProcessMilestone("Resolution", minutes_to_complete=480))


def _edited_minutes(r: RecordSet) -> None:
    r.processes[0].milestones[0].minutes_to_complete = 30


def _inactive_minutes(r: RecordSet) -> None:
    r.processes[1].milestones[0].minutes_to_complete = 30


@pytest.mark.parametrize(
    ("edit", "changed", "conflicting"),
    [
        (
            lambda r: setattr(r.contacts[0], "email", "new@acme.example"),
            {"contacts": ["003A"]},
            {},
        ),
        (lambda r: setattr(r.accounts[0], "name", "Someone Else"), {}, {"accounts": ["001A"]}),
        (lambda r: setattr(r.processes[0], "description", "SLA"), {"processes": ["Premium#1"]}, {}),
        (_appended, {"processes": ["Premium#1"]}, {}),
        (_edited_minutes, {}, {"processes": ["Premium#1"]}),
        (_inactive_minutes, {"processes": ["Draft#1"]}, {}),
        (
            lambda r: setattr(r.business_hours[0], "time_zone", "Europe/Paris"),
            {"business_hours": ["Berlin"]},
            {},
        ),
    ],
)
def test_changed_versus_conflicting(
    workspace_path: Path,
    tmp_path: Path,
    edit: Callable[[RecordSet], None],
    changed: dict[str, list[str]],
    conflicting: dict[str, list[str]],
) -> None:
    with Workspace.open(workspace_path) as ws:
        preview, _, _ = preview_bundle(ws, _write(tmp_path, _edited(edit)))
    assert (preview.changed, preview.conflicting) == (changed, conflicting)


def test_dry_run_lists_changed_and_conflicting_keys(workspace_path: Path, tmp_path: Path) -> None:
    def edit(r: RecordSet) -> None:
        r.contacts[0].email = "new@acme.example"
        r.accounts[0].name = "Someone Else"
        r.accounts.append(Account("001C", "Initech"))
        _edited_minutes(r)

    bundle = _write(tmp_path, _edited(edit))
    before = _sha(workspace_path)
    with Workspace.open(workspace_path) as ws:
        preview = import_bundle(ws, bundle, dry_run=True)
    assert _sha(workspace_path) == before
    assert preview.lines() == [
        "Dry run: nothing was saved.",
        "  business hours: 0 added, 0 changed, 0 conflicting, 1 unchanged",
        "  milestone types: 0 added, 0 changed, 0 conflicting, 2 unchanged",
        "  entitlement process versions: 0 added, 0 changed, 1 conflicting, 1 unchanged",
        "  accounts: 1 added, 0 changed, 1 conflicting, 1 unchanged",
        "  contacts: 0 added, 1 changed, 0 conflicting, 0 unchanged",
        "  entitlements: 0 added, 0 changed, 0 conflicting, 1 unchanged",
        "Changed (1; same record, other values; the file's version will replace the workspace's):",
        "  contacts (1): 003A",
        "Conflicting (2; the key names another record, or edits milestones of an active "
        "process version; the file's version will replace the workspace's):",
        "  entitlement process versions (1): Premium#1",
        "  accounts (1): 001A",
    ]


def test_the_import_says_what_it_replaced(workspace_path: Path, tmp_path: Path) -> None:
    def edit(r: RecordSet) -> None:
        r.contacts[0].email = "new@acme.example"
        r.accounts[0].name = "Someone Else"

    with Workspace.open(workspace_path) as ws:
        preview = import_bundle(ws, _write(tmp_path, _edited(edit)))
        assert ws.row("account", "001A")["name"] == "Someone Else"  # type: ignore[index]
    lines = preview.lines()
    assert lines[0] == "Import complete."
    assert lines[-4:] == [
        "  contacts (1): 003A",
        "Conflicting (1; the key names another record, or edits milestones of an active "
        "process version; the file's version replaced the workspace's):",
        "  accounts (1): 001A",
        "Replaced 2 existing records with the file's version (1 changed, 1 conflicting; "
        "listed above).",
    ]


def test_long_key_lists_are_cut_with_a_count(workspace_path: Path, tmp_path: Path) -> None:
    records = RecordSet(accounts=[Account(f"001N{i:03}", f"New {i}") for i in range(30)])
    with Workspace.open(workspace_path) as ws:
        import_bundle(ws, _write(tmp_path, records, "first.entitlebundle"))
    renamed = RecordSet(accounts=[Account(f"001N{i:03}", f"Renamed {i}") for i in range(30)])
    with Workspace.open(workspace_path) as ws:
        preview = import_bundle(ws, _write(tmp_path, renamed), dry_run=True)
    keys = ", ".join(f"001N{i:03}" for i in range(KEYS_LISTED))
    assert f"  accounts (30): {keys} ... and 10 more" in preview.lines()


# --------------------------------------------------------------------------- refused content


def _bundle_with(tmp_path: Path, name: str, edit: Callable[[list[dict[str, Any]]], None]) -> Path:
    path = _write(tmp_path, _base(), "edited.entitlebundle")
    with zipfile.ZipFile(path) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    doc = json.loads(entries[name])
    edit(doc["records"])
    entries[name] = json.dumps(doc).encode()
    manifest = json.loads(entries[MANIFEST_NAME])
    manifest["files"][name]["sha256"] = hashlib.sha256(entries[name]).hexdigest()
    manifest["counts"][name.removesuffix(".json")] = len(doc["records"])
    entries[MANIFEST_NAME] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for entry, payload in entries.items():
            archive.writestr(entry, payload)
    return path


@pytest.mark.parametrize(
    ("name", "edit", "expected"),
    [
        (
            "business_hours.json",
            lambda recs: recs[0].update(time_zone="Mars/Olympus"),
            "business_hours.json, record 'Berlin', <business_hours[0].time_zone>: "
            "unknown time zone 'Mars/Olympus'",
        ),
        (
            "processes.json",
            lambda recs: recs[0]["milestones"][0].update(minutes_to_complete=-5),
            "processes.json, record 'Premium#1', <processes[0].milestones[0].minutes_to_complete>: "
            "must be at least 1, found -5",
        ),
        (
            "accounts.json",
            lambda recs: recs[0].update(name="Acme\u0000Null"),
            "accounts.json, record '001A', <accounts[0].name>: text contains the control "
            "character U+0000 at position 5, which XML 1.0 cannot hold",
        ),
        (
            "accounts.json",
            lambda recs: recs.append(dict(recs[0], name="Dup")),
            "accounts.json, record '001A', <accounts[2]>: duplicate record: accounts[0] has "
            "the same key",
        ),
    ],
)
def test_refused_content_leaves_the_workspace_file_unchanged(
    workspace_path: Path,
    tmp_path: Path,
    name: str,
    edit: Callable[[list[dict[str, Any]]], None],
    expected: str,
) -> None:
    bundle = _bundle_with(tmp_path, name, edit)
    before = _sha(workspace_path)
    with Workspace.open(workspace_path) as ws, pytest.raises(InterchangeError) as info:
        import_bundle(ws, bundle)
    assert str(info.value) == expected
    assert _sha(workspace_path) == before


# --------------------------------------------------------------------------- data files


def test_csv_cells_with_control_characters_are_bad_rows(tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "Account.csv").write_bytes(b"Id,Name\r\n001A,Acme\x00Null\r\n001B,Globex\r\n")
    ws_path = tmp_path / "c.entitle"
    Workspace.create(ws_path).close()
    before = _sha(ws_path)
    with Workspace.open(ws_path) as ws, pytest.raises(BadRowsError) as info:
        import_data(ws, folder)
    assert [str(p) for p in info.value.problems] == [
        "Account.csv, line 2, <Name>: the value contains the control character U+0000 at "
        "position 5, which XML 1.0 cannot hold"
    ]
    assert _sha(ws_path) == before
    with Workspace.open(ws_path) as ws:
        preview = import_data(ws, folder, skip_bad_rows=True)
        assert preview.added == {"accounts": ["001B"]}


def test_data_tree_values_with_control_characters_are_bad_rows(tmp_path: Path) -> None:
    folder = tmp_path / "tree"
    folder.mkdir()
    (folder / "plan.json").write_text(
        json.dumps([{"sobject": "Account", "saveRefs": True, "files": ["accounts.json"]}])
    )
    (folder / "accounts.json").write_text(
        json.dumps(
            {
                "records": [
                    {"attributes": {"type": "Account", "referenceId": "AccountRef1"}, "Name": "Ok"},
                    {
                        "attributes": {"type": "Account", "referenceId": "AccountRef2"},
                        "Name": "Bell\u0007",
                    },
                ]
            }
        )
    )
    ws_path = tmp_path / "t.entitle"
    Workspace.create(ws_path).close()
    before = _sha(ws_path)
    with Workspace.open(ws_path) as ws, pytest.raises(BadRowsError) as info:
        import_data(ws, folder / "plan.json")
    assert [(p.file, p.line, p.element, p.message) for p in info.value.problems] == [
        (
            "accounts.json",
            2,
            "Name",
            "the value contains the control character U+0007 at position 5, which XML 1.0 "
            "cannot hold",
        )
    ]
    assert _sha(ws_path) == before


def test_read_as_lines_are_notes_not_warnings(tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "Account.csv").write_text("Id,Name\r\n001A,Acme\r\n")
    with Workspace.create(tmp_path / "n.entitle") as ws:
        preview, _ = preview_data(ws, folder)
    assert preview.notes == ["Account.csv: read as Account"]
    assert preview.warnings == []
    assert dataclasses.asdict(preview)["notes"] == ["Account.csv: read as Account"]
