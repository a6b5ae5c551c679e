"""Bundle export/import over a workspace: same content back, previews, selection, refusals."""

from __future__ import annotations

import hashlib
import json
import stat
import zipfile
from collections.abc import Iterator
from datetime import date, time
from pathlib import Path

import pytest

from entitle_desktop.domain.records import (
    Account,
    BusinessHours,
    BusinessHoursWindow,
    Entitlement,
    EntitlementProcessVersion,
    EntitlementSettings,
    EntitlementTemplate,
    Holiday,
    MetadataProject,
    MilestoneType,
    ProcessMilestone,
    SetupModel,
    WorkspaceSettings,
)
from entitle_desktop.interchange.bundle import MANIFEST_NAME, read_bundle, write_bundle
from entitle_desktop.interchange.errors import InterchangeError
from entitle_desktop.interchange.record_set import RecordSet
from entitle_desktop.persistence import repository
from entitle_desktop.services.bundle_io import (
    collect_records,
    export_bundle,
    import_bundle,
    preview_bundle,
)
from entitle_desktop.services.csv_io import import_data
from entitle_desktop.services.workspace import Workspace

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
DATA = SHARED / "corpus" / "salesforce-data"
CASE_ESCALATION = DATA / "SFDC-Assets__case-escalation" / "data"
MEDTECH_PLAN = DATA / "salesforce-misc__Data360MedTechSolutionKit" / "data" / "plan.json"


def _metadata() -> MetadataProject:
    def version(
        name: str, number: int, default: bool, milestone: str, hours: str
    ) -> EntitlementProcessVersion:
        return EntitlementProcessVersion(
            name=name,
            version_number=number,
            is_version_default=default,
            active=True,
            sobject_type="Case",
            business_hours=hours,
            milestones=[ProcessMilestone(milestone, minutes_to_complete=60 * number)],
            file_name=f"{name}_v{number}",
        )

    return MetadataProject(
        processes=[
            version("Premium", 1, False, "First Response", "Berlin"),
            version("Premium", 2, True, "First Response", "Berlin"),
            version("Basic", 1, True, "Resolution", "Round the clock"),
        ],
        milestone_types=[
            MilestoneType("First Response", recurrence_type="none"),
            MilestoneType("Resolution", recurrence_type="recursIndependently"),
        ],
        templates=[EntitlementTemplate("Gold", entitlement_process="Premium", term=365)],
        business_hours=[
            BusinessHours(
                "Berlin",
                "Europe/Berlin",
                windows=[BusinessHoursWindow(d, time(9), time(17)) for d in ("mon", "tue")],
            ),
            BusinessHours("Round the clock", "UTC", default=True),
        ],
        holidays=[
            Holiday("Christmas", activity_date=date(2025, 12, 25), business_hours=["Berlin"]),
            Holiday("Leap", activity_date=date(2028, 2, 29), business_hours=["Round the clock"]),
        ],
        entitlement_settings=EntitlementSettings(flags={"enableEntitlements": True}),
        api_version="61.0",
    )


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def full_workspace(tmp_path: Path) -> Iterator[Workspace]:
    """Corpus CSV + data-tree data, a metadata project, and entitlements that use it."""
    ws = Workspace.create(tmp_path / "full.entitle")
    import_data(ws, CASE_ESCALATION)
    import_data(ws, MEDTECH_PLAN)
    with ws.unit_of_work() as session:
        repository.save_project(session, _metadata())
        repository.save_settings(
            session,
            WorkspaceSettings(
                setup_model=SetupModel.SERVICE_CONTRACTS,
                entitlement_settings=EntitlementSettings(flags={"enableEntitlements": True}),
                metadata_api_version="61.0",
            ),
        )
        repository.save_records(
            session,
            "entitlements",
            [
                Entitlement(
                    "E-ACME",
                    "Acme phone",
                    "60f69ddb-3cdc-421d-b98c-25cf9d6115e4",
                    start_date=date(2025, 1, 1),
                    end_date=date(2025, 12, 31),
                    business_hours="Berlin",
                    sla_process="Premium",
                )
            ],
        )
    yield ws
    ws.close()


def test_bundle_to_new_workspace_to_bundle_gives_the_same_content(
    full_workspace: Workspace, tmp_path: Path
) -> None:
    first = tmp_path / "first.entitlebundle"
    manifest = export_bundle(full_workspace, first)
    assert manifest.counts["accounts"] == 504
    assert manifest.counts["assets"] == 1803
    assert manifest.counts["entitlements"] == 4
    assert manifest.counts["processes"] == 3
    assert manifest.setup_model == "service_contracts"
    with Workspace.create(tmp_path / "copy.entitle") as copy:
        preview = import_bundle(copy, first)
        assert preview.applied
        second = tmp_path / "second.entitlebundle"
        export_bundle(copy, second)
        assert copy.summary().to_json_dict() == full_workspace.summary().to_json_dict()
    assert read_bundle(second).records == read_bundle(first).records


def test_preview_sorts_records_into_added_changed_conflicting_unchanged(
    full_workspace: Workspace, tmp_path: Path
) -> None:
    records, _ = collect_records(full_workspace)
    records.accounts[0].custom_fields["Support_Level__c"] = "Platinum"  # changed
    records.accounts[1].name = "Somebody Else Ltd"  # same Id, another account: conflict
    records.accounts.append(Account("NEW-1", "Newcomer"))  # added
    records.business_hours[0].time_zone = "Europe/Paris"  # changed
    records.processes[1].milestones[0].minutes_to_complete = 5  # active version: conflict
    path = tmp_path / "edited.entitlebundle"
    write_bundle(records, path)
    preview, _, _ = preview_bundle(full_workspace, path)
    assert preview.counts() == {
        "added": {"accounts": 1},
        "changed": {"accounts": 1, "business_hours": 1},
        "conflicting": {"accounts": 1, "processes": 1},
        "unchanged": {
            "accounts": 502,
            "contacts": 2,
            "assets": 1803,
            "entitlements": 4,
            "business_hours": 1,
            "holidays": 2,
            "milestone_types": 2,
            "processes": 2,
            "templates": 1,
        },
    }
    assert preview.added == {"accounts": ["NEW-1"]}
    assert preview.conflicting["processes"] == ["Premium#2"]
    assert preview.settings_changed is False


def test_import_applies_changes_to_existing_workspace(
    full_workspace: Workspace, tmp_path: Path
) -> None:
    records, _ = collect_records(full_workspace)
    records.accounts[0].custom_fields["Support_Level__c"] = "Platinum"
    records.accounts.append(Account("NEW-1", "Newcomer"))
    path = tmp_path / "edited.entitlebundle"
    write_bundle(records, path)
    import_bundle(full_workspace, path)
    with full_workspace.session() as session:
        loaded = repository.load_records(session, "accounts", [records.accounts[0].id, "NEW-1"])
    assert {a.id: a.custom_fields.get("Support_Level__c") for a in loaded} == {
        records.accounts[0].id: "Platinum",
        "NEW-1": None,
    }
    assert full_workspace.summary().counts["accounts"] == 505


def test_dry_run_writes_nothing(full_workspace: Workspace, tmp_path: Path) -> None:
    records, _ = collect_records(full_workspace)
    records.accounts.append(Account("NEW-1", "Newcomer"))
    path = tmp_path / "edited.entitlebundle"
    write_bundle(records, path)
    preview = import_bundle(full_workspace, path, dry_run=True)
    assert preview.added == {"accounts": ["NEW-1"]}
    assert preview.applied is False
    assert full_workspace.summary().counts["accounts"] == 504


def test_export_of_chosen_process_carries_what_it_uses(
    full_workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "premium.entitlebundle"
    manifest = export_bundle(full_workspace, path, processes=["Premium"])
    assert manifest.scope == "processes:Premium"
    records = read_bundle(path).records
    assert [(p.name, p.version_number) for p in records.processes] == [
        ("Premium", 1),
        ("Premium", 2),
    ]
    assert [m.name for m in records.milestone_types] == ["First Response"]
    assert [b.name for b in records.business_hours] == ["Berlin"]
    assert [h.name for h in records.holidays] == ["Christmas"]
    assert [t.name for t in records.templates] == ["Gold"]
    assert records.accounts == [] and records.entitlements == []


def test_a_version_file_name_exports_that_version_alone(
    full_workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "premium2.entitlebundle"
    export_bundle(full_workspace, path, processes=["premium_v2"])
    records = read_bundle(path).records
    assert [(p.name, p.version_number) for p in records.processes] == [("Premium", 2)]


def test_export_of_unknown_process_is_refused(full_workspace: Workspace, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no entitlement process named 'Nope'"):
        export_bundle(full_workspace, tmp_path / "x.entitlebundle", processes=["Nope"])
    assert not (tmp_path / "x.entitlebundle").exists()


def test_export_of_one_account_hierarchy(full_workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "acme.entitlebundle"
    export_bundle(full_workspace, path, account="60f69ddb-3cdc-421d-b98c-25cf9d6115e4")
    records = read_bundle(path).records
    assert [a.name for a in records.accounts] == ["Orn and Sons"]
    assert len(records.assets) == 4
    assert all(a.account_id == records.accounts[0].id for a in records.assets)
    assert [e.id for e in records.entitlements] == ["E-ACME"]
    assert [(p.name, p.version_number) for p in records.processes] == [
        ("Premium", 1),
        ("Premium", 2),
    ]
    assert [b.name for b in records.business_hours] == ["Berlin"]
    with Workspace.create(tmp_path / "acme.entitle") as fresh:
        import_bundle(fresh, path)
        assert fresh.summary().counts["assets"] == 4
        assert fresh.settings().setup_model == SetupModel.SERVICE_CONTRACTS


# --------------------------------------------------------------------------- hostile bundles


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def _rezip(path: Path, entries: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, payload in entries.items():
            archive.writestr(name, payload)


def _slip(entries: dict[str, bytes]) -> None:
    entries["../../outside.json"] = b"{}"


def _absolute(entries: dict[str, bytes]) -> None:
    entries["/tmp/abs.json"] = b"{}"


def _bomb(entries: dict[str, bytes]) -> None:
    entries["accounts.json"] = b"0" * (16 << 20)


def _tampered(entries: dict[str, bytes]) -> None:
    entries["accounts.json"] = entries["accounts.json"].replace(b"Acme", b"Evil", 1)


def _future(entries: dict[str, bytes]) -> None:
    manifest = json.loads(entries[MANIFEST_NAME])
    manifest["format_version"] = 99
    entries[MANIFEST_NAME] = json.dumps(manifest).encode()


def _dangling(entries: dict[str, bytes]) -> None:
    """A consistent bundle whose entitlement names an account nobody has."""
    doc = json.loads(entries["entitlements.json"])
    doc["records"][0]["account_id"] = "001-NOWHERE"
    entries["entitlements.json"] = json.dumps(doc).encode()
    manifest = json.loads(entries[MANIFEST_NAME])
    manifest["files"]["entitlements.json"]["sha256"] = hashlib.sha256(
        entries["entitlements.json"]
    ).hexdigest()
    entries[MANIFEST_NAME] = json.dumps(manifest).encode()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_slip, "outside the folder"),
        (_absolute, "absolute path"),
        (_bomb, "zip bomb"),
        (_tampered, "SHA-256 does not match"),
        (_future, "unknown bundle format version 99"),
        (_dangling, "nothing was imported"),
    ],
)
def test_hostile_bundle_is_refused_and_workspace_file_unchanged(
    tmp_path: Path, damage: object, message: str
) -> None:
    source = RecordSet(
        accounts=[Account("001A", "Acme")],
        entitlements=[Entitlement("550A", "Phone", "001A")],
    )
    bundle_path = tmp_path / "hostile.entitlebundle"
    write_bundle(source, bundle_path)
    entries = _entries(bundle_path)
    damage(entries)  # type: ignore[operator]
    _rezip(bundle_path, entries)
    ws_path = tmp_path / "target.entitle"
    with Workspace.create(ws_path) as ws:
        import_data(ws, CASE_ESCALATION)
    before = _sha(ws_path)
    with Workspace.open(ws_path) as ws, pytest.raises(InterchangeError) as info:
        import_bundle(ws, bundle_path)
    assert message in str(info.value)
    assert _sha(ws_path) == before


def test_symlink_in_bundle_is_refused_and_workspace_unchanged(tmp_path: Path) -> None:
    bundle_path = tmp_path / "link.entitlebundle"
    write_bundle(RecordSet(accounts=[Account("001A", "Acme")]), bundle_path)
    with zipfile.ZipFile(bundle_path, "a") as archive:
        info = zipfile.ZipInfo("evil.json")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    ws_path = tmp_path / "target.entitle"
    Workspace.create(ws_path).close()
    before = _sha(ws_path)
    with Workspace.open(ws_path) as ws, pytest.raises(InterchangeError, match="symbolic link"):
        import_bundle(ws, bundle_path)
    assert _sha(ws_path) == before
