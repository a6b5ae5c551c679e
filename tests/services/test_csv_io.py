"""CSV and data-tree import/export over a workspace."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest

from entitle_desktop.persistence import repository
from entitle_desktop.services.bundle_io import collect_records
from entitle_desktop.services.csv_io import (
    BadRowsError,
    check_data_source,
    data_source_kind,
    export_data,
    import_data,
    preview_data,
)
from entitle_desktop.services.workspace import Workspace

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
DATA = SHARED / "corpus" / "salesforce-data"
CASE_ESCALATION = DATA / "SFDC-Assets__case-escalation" / "data"
MEDTECH = DATA / "salesforce-misc__Data360MedTechSolutionKit" / "data"
METADATA = SHARED / "corpus" / "salesforce-metadata"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_source_kinds_are_told_apart(tmp_path: Path) -> None:
    assert data_source_kind(CASE_ESCALATION) == "csv"
    assert data_source_kind(CASE_ESCALATION / "CaseAssets.csv") == "csv"
    assert data_source_kind(MEDTECH) == "datatree"
    assert data_source_kind(MEDTECH / "plan.json") == "datatree"
    assert data_source_kind(MEDTECH / "accounts.json") is None
    projects = sorted(p for p in METADATA.iterdir() if p.is_dir())
    assert projects and all(data_source_kind(p) is None for p in projects)
    bundle = tmp_path / "x.entitlebundle"
    bundle.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    assert data_source_kind(bundle) is None


def test_corpus_csv_imports_into_new_workspace(tmp_path: Path) -> None:
    with Workspace.create(tmp_path / "w.entitle") as ws:
        preview = import_data(ws, CASE_ESCALATION)
        assert preview.counts()["added"] == {"accounts": 500, "assets": 1800}
        assert preview.skipped_files == [
            "ClosedCases.csv: not one of Account, Contact, Product2, Asset, ServiceContract, "
            "ContractLineItem, Entitlement, EntitlementContact",
            "OpenCases.csv: not one of Account, Contact, Product2, Asset, ServiceContract, "
            "ContractLineItem, Entitlement, EntitlementContact",
        ]
        counts = ws.summary().counts
        assert (counts["accounts"], counts["assets"]) == (500, 1800)
        assert ws.count("asset", parent=("account", "60f69ddb-3cdc-421d-b98c-25cf9d6115e4")) == 4
        with ws.session() as session:
            [account] = repository.load_records(
                session, "accounts", ["60f69ddb-3cdc-421d-b98c-25cf9d6115e4"]
            )
        assert account.custom_fields["Support_Level__c"] == "Basic"
        again = preview_data(ws, CASE_ESCALATION)[0]
        assert again.counts()["unchanged"] == {"accounts": 500, "assets": 1800}


def test_corpus_data_tree_imports_and_reports_missing_files(tmp_path: Path) -> None:
    with Workspace.create(tmp_path / "w.entitle") as ws:
        preview = import_data(ws, MEDTECH / "plan.json")
        assert preview.counts()["added"] == {
            "accounts": 4,
            "contacts": 2,
            "assets": 3,
            "entitlements": 3,
        }
        assert len(preview.missing_files) == 12
        assert "products.json" in preview.missing_files
        assert ws.count("entitlement", parent=("account", "personAccRef1")) == 2
        assert ws.count("contact", parent=("account", "accountRef1")) == 1


def test_assets_alone_link_to_accounts_already_in_the_workspace(tmp_path: Path) -> None:
    accounts_only = tmp_path / "accounts"
    assets_only = tmp_path / "assets"
    accounts_only.mkdir()
    assets_only.mkdir()
    shutil.copy(CASE_ESCALATION / "CaseEscalationAccounts.csv", accounts_only)
    shutil.copy(CASE_ESCALATION / "CaseAssets.csv", assets_only)
    with Workspace.create(tmp_path / "w.entitle") as ws:
        import_data(ws, accounts_only)
        preview = import_data(ws, assets_only)
        assert preview.counts()["added"] == {"assets": 1800}
        assert ws.summary().counts["assets"] == 1800


def _write_bad_folder(folder: Path) -> None:
    folder.mkdir()
    (folder / "Account.csv").write_text("Id,Name\r\n001A,Acme\r\n001B,Globex\r\n")
    (folder / "Entitlement.csv").write_text(
        "Id,Name,AccountId,EndDate\r\n"
        "550A,Phone,001A,2025-12-31\r\n"
        "550B,Web,001A,31.12.2025\r\n"
        "550C,Chat,001Q,2025-12-31\r\n"
        "550D,Mail,001B,2025-06-30\r\n"
    )


def test_bad_rows_refuse_the_import_and_leave_the_workspace_unchanged(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    _write_bad_folder(folder)
    ws_path = tmp_path / "w.entitle"
    with Workspace.create(ws_path) as ws:
        import_data(ws, MEDTECH)
    before = _sha(ws_path)
    with Workspace.open(ws_path) as ws, pytest.raises(BadRowsError) as info:
        import_data(ws, folder)
    assert [(p.file, p.line, p.element) for p in info.value.problems] == [
        ("Entitlement.csv", 3, "EndDate"),
        ("Entitlement.csv", 4, "AccountId"),
    ]
    assert "2 bad row(s); nothing was imported" in str(info.value)
    assert _sha(ws_path) == before


def test_skip_bad_rows_imports_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    _write_bad_folder(folder)
    with Workspace.create(tmp_path / "w.entitle") as ws:
        preview = import_data(ws, folder, skip_bad_rows=True)
        assert preview.skipped_rows == 2
        assert preview.counts()["added"] == {"accounts": 2, "entitlements": 2}
        assert ws.row_keys("entitlement") == ["550D", "550A"]


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_csv_export_is_loadable_by_data_loader_and_reimports_equal(tmp_path: Path) -> None:
    """Records keyed by External_ID__c (no Salesforce Id): the Id column stays empty and
    references are written as the relationship column the source used (F13)."""
    with Workspace.create(tmp_path / "w.entitle") as ws:
        import_data(ws, CASE_ESCALATION)
        notes: list[str] = []
        files = export_data(ws, tmp_path / "out", warnings=notes)
        original, _ = collect_records(ws)
    assert notes == []
    assert sorted(p.name for p in files) == ["Account.csv", "Asset.csv"]
    accounts = _csv_rows(tmp_path / "out" / "Account.csv")
    assert accounts[0] == [
        "Id",
        "Name",
        "ParentId",
        "AnnualRevenue",
        "Avg_NPS_Score__c",
        "Account_Health_Score__c",
        "External_ID__c",
        "Strategic__c",
        "Red_Account__c",
        "Industry",
        "Support_Level__c",
    ]
    assert {row[0] for row in accounts[1:]} == {""}  # no Salesforce Ids: none invented
    assets = _csv_rows(tmp_path / "out" / "Asset.csv")
    assert assets[0] == [
        "Id",
        "Name",
        "SerialNumber",
        "Account.External_ID__c",
        "ContactId",
        "Product2Id",
        "InstallDate",
        "UsageEndDate",
        "Product_Family__c",
        "Product_Sub_Family__c",
        "External_ID__c",
        "Device_Status__c",
        "PurchaseDate",
    ]
    first = next(a for a in original.assets if a.id == "378b0763-540b-4d6c-b994-35c28064407c")
    row = next(r for r in assets[1:] if r[10] == first.id)
    assert (row[0], row[1], row[3]) == (
        "",
        "Electronics - All-in-One - 8581",
        "e83d725a-307e-4064-988c-5f14ef3cd787",
    )
    assert first.account_id == "e83d725a-307e-4064-988c-5f14ef3cd787"
    with Workspace.create(tmp_path / "again.entitle") as again:
        import_data(again, tmp_path / "out")
        copy, _ = collect_records(again)
        assert preview_data(again, tmp_path / "out")[0].counts()["unchanged"] == {
            "accounts": 500,
            "assets": 1800,
        }
    assert copy.accounts == original.accounts
    assert copy.assets == original.assets


def test_csv_export_keeps_real_ids_and_custom_columns(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "Account.csv").write_text(
        "Id,Name,ParentId,Tier__c\r\n"
        "001Dm0000000000001,Acme,,Gold\r\n"
        "001Dm0000000000002,Acme East,001Dm0000000000001,Silver\r\n"
    )
    (folder / "Contact.csv").write_text(
        "Id,LastName,AccountId\r\n003Dm0000000000001,Doe,001Dm0000000000002\r\n"
    )
    with Workspace.create(tmp_path / "w.entitle") as ws:
        import_data(ws, folder)
        export_data(ws, tmp_path / "out")
    assert _csv_rows(tmp_path / "out" / "Account.csv") == [
        ["Id", "Name", "ParentId", "Tier__c"],
        ["001Dm0000000000001", "Acme", "", "Gold"],
        ["001Dm0000000000002", "Acme East", "001Dm0000000000001", "Silver"],
    ]
    assert _csv_rows(tmp_path / "out" / "Contact.csv") == [
        ["Id", "LastName", "FirstName", "Email", "AccountId"],
        ["003Dm0000000000001", "Doe", "", "", "001Dm0000000000002"],
    ]


def test_csv_export_reports_references_it_cannot_write(tmp_path: Path) -> None:
    """Data-tree records have neither a Salesforce Id nor an external id: Data Loader
    cannot link them, so the references are left empty and said so."""
    with Workspace.create(tmp_path / "w.entitle") as ws:
        import_data(ws, MEDTECH)
        notes: list[str] = []
        export_data(ws, tmp_path / "out", warnings=notes)
    assert notes == [
        "Contact.csv: 2 AccountId references left empty: the Account records have neither a "
        "Salesforce Id nor an external id in the export (first: 'accountRef1')",
        "Asset.csv: 3 AccountId references left empty: the Account records have neither a "
        "Salesforce Id nor an external id in the export (first: 'personAccRef1')",
        "Entitlement.csv: 3 AccountId references left empty: the Account records have neither "
        "a Salesforce Id nor an external id in the export (first: 'personAccRef1')",
        "Entitlement.csv: 3 AssetId references left empty: the Asset records have neither a "
        "Salesforce Id nor an external id in the export (first: 'assetRef1')",
    ]
    rows = _csv_rows(tmp_path / "out" / "Asset.csv")
    assert rows[0][:6] == ["Id", "Name", "SerialNumber", "AccountId", "ContactId", "Product2Id"]
    assert [r[:6] for r in rows[1:]] == [
        ["", "Cardiac Pacemaker Implant", "PSM482917", "", "", ""],
        ["", "Home Monitor", "PSM482918", "", "", ""],
        ["", "Lead Adapters", "", "", "", ""],
    ]


def test_data_tree_export_reimports_equal(tmp_path: Path) -> None:
    with Workspace.create(tmp_path / "w.entitle") as ws:
        import_data(ws, MEDTECH)
        export_data(ws, tmp_path / "tree", format="datatree")
        original, _ = collect_records(ws)
    assert data_source_kind(tmp_path / "tree") == "datatree"
    with Workspace.create(tmp_path / "again.entitle") as again:
        preview = import_data(again, tmp_path / "tree")
        assert preview.missing_files == []
        copy, _ = collect_records(again)
    for list_name in ("accounts", "contacts", "assets", "entitlements"):
        assert copy.records(list_name) == original.records(list_name)
    assert [a.custom_fields["Product2Id"] for a in copy.assets] == [
        "@productRef1",
        "@productRef4",
        "@productRef9",
    ]


def test_csv_export_neutralises_formulas_from_the_workspace(tmp_path: Path) -> None:
    folder = tmp_path / "evil"
    folder.mkdir()
    (folder / "Account.csv").write_text(
        'Id,Name,Note__c\r\n001Dm0000000000001,"=HYPERLINK(""x"")",@SUM(1)\r\n'
    )
    with Workspace.create(tmp_path / "w.entitle") as ws:
        import_data(ws, folder)
        export_data(ws, tmp_path / "out")
    text = (tmp_path / "out" / "Account.csv").read_text(encoding="utf-8")
    assert text.splitlines()[1] == '001Dm0000000000001,"\'=HYPERLINK(""x"")",,\'@SUM(1)'


def test_check_data_source_refuses_bad_rows_without_a_workspace(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    _write_bad_folder(folder)
    with pytest.raises(BadRowsError) as info:
        check_data_source(folder)
    assert [(p.line, p.element) for p in info.value.problems] == [(3, "EndDate"), (4, "AccountId")]
    assert len(check_data_source(MEDTECH).records.entitlements) == 3


@pytest.mark.parametrize("fmt", ["csv", "datatree"])
def test_demo_export_reimports_to_the_same_files(tmp_path: Path, fmt: str) -> None:
    from entitle_desktop.services.demo import create_demo_workspace

    with create_demo_workspace(tmp_path / "demo.entitle") as ws:
        notes: list[str] = []
        first = export_data(ws, tmp_path / "one", format=fmt, warnings=notes)
        original, _ = collect_records(ws)
    assert notes == []
    with Workspace.create(tmp_path / "again.entitle") as again:
        import_data(again, tmp_path / "one")
        export_data(again, tmp_path / "two", format=fmt)
        copy, _ = collect_records(again)
    for path in first:
        assert (tmp_path / "two" / path.name).read_bytes() == path.read_bytes(), path.name
    for list_name in ("accounts", "contacts", "entitlements", "service_contracts"):
        assert sorted(r.id for r in copy.records(list_name)) == sorted(
            r.id for r in original.records(list_name)
        )
