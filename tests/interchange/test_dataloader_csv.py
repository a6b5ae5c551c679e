"""Data Loader CSV: the real corpus files, references, bad rows, custom fields, injection."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from entitle_desktop.domain.records import Account, Asset, Entitlement
from entitle_desktop.interchange.dataloader_csv import (
    csv_documents,
    detect_object,
    neutralise_cell,
    read_csv_files,
    read_csv_source,
    write_csv_files,
)
from entitle_desktop.interchange.record_set import RecordSet

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
CASE_ESCALATION = SHARED / "corpus" / "salesforce-data" / "SFDC-Assets__case-escalation" / "data"


def _csv(text: str) -> bytes:
    return text.strip().replace("\n", "\r\n").encode() + b"\r\n"


def test_corpus_accounts_and_assets_import_with_external_id_links() -> None:
    result = read_csv_source(CASE_ESCALATION)
    assert result.ok
    assert result.objects == {"CaseAssets.csv": "Asset", "CaseEscalationAccounts.csv": "Account"}
    assert [s.split(":")[0] for s in result.skipped_files] == ["ClosedCases.csv", "OpenCases.csv"]
    records = result.records
    assert len(records.accounts) == 500
    assert len(records.assets) == 1800
    account_ids = {a.id for a in records.accounts}
    assert all(a.account_id in account_ids for a in records.assets)
    first = records.accounts[0]
    assert first == Account(
        "60f69ddb-3cdc-421d-b98c-25cf9d6115e4",
        "Orn and Sons",
        custom_fields={
            "AnnualRevenue": "154507.61",
            "Avg_NPS_Score__c": "-53.78",
            "Account_Health_Score__c": "21.01",
            "External_ID__c": "60f69ddb-3cdc-421d-b98c-25cf9d6115e4",
            "Strategic__c": "FALSE",
            "Red_Account__c": "FALSE",
            "Industry": "Public Sector",
            "Support_Level__c": "Basic",
        },
    )
    asset = records.assets[0]
    assert asset.id == "378b0763-540b-4d6c-b994-35c28064407c"
    assert asset.account_id == "e83d725a-307e-4064-988c-5f14ef3cd787"
    assert asset.custom_fields["Device_Status__c"] == "Paused"
    assert asset.custom_fields["PurchaseDate"] == "2020-06-20"
    levels = sorted({a.custom_fields.get("Support_Level__c", "") for a in records.accounts})
    assert levels == ["Basic", "Enhanced", "None", "Premium"]


def test_object_is_told_by_file_name_then_columns() -> None:
    assert detect_object("CaseEscalationAccounts.csv", []).sobject == "Account"  # type: ignore[union-attr]
    assert detect_object("EntitlementContacts.csv", []).sobject == "EntitlementContact"  # type: ignore[union-attr]
    assert detect_object("contract_line_items.csv", []).sobject == "ContractLineItem"  # type: ignore[union-attr]
    assert detect_object("extract.csv", ["Id", "SerialNumber"]).sobject == "Asset"  # type: ignore[union-attr]
    assert detect_object("ClosedCases.csv", ["Subject", "Priority"]) is None


def test_all_eight_objects_read_with_salesforce_columns() -> None:
    files = {
        "Account.csv": _csv("Id,Name,ParentId\n001A,Acme,\n001B,Acme EU,001A"),
        "Contact.csv": _csv("Id,FirstName,LastName,Email,AccountId\n003A,Jane,Doe,j@x.org,001A"),
        "Product2.csv": _csv("Id,Name,ProductCode\n01tA,Router,RT-1"),
        "Asset.csv": _csv(
            "Id,Name,SerialNumber,AccountId,ContactId,Product2Id,InstallDate,UsageEndDate\n"
            "02iA,Router 1,SN-1,001A,003A,01tA,2024-01-31,12/31/2026"
        ),
        "ServiceContract.csv": _csv(
            "Id,Name,AccountId,StartDate,EndDate,Term,ApprovalStatus,ParentServiceContractId,RootServiceContractId\n"
            "810A,Master,001A,2025-01-01,2025-12-31,12,Activated,,\n"
            "810B,Sub,001A,2025-01-01,2025-06-30,6,Draft,810A,810A"
        ),
        "ContractLineItem.csv": _csv(
            "Id,ServiceContractId,Product2Id,AssetId,StartDate,EndDate,Quantity\n"
            "811A,810A,01tA,02iA,2025-01-01,2025-12-31,3"
        ),
        "Entitlement.csv": _csv(
            "Id,Name,AccountId,AssetId,ServiceContractId,ContractLineItemId,Type,StartDate,EndDate,"
            "BusinessHoursId,SlaProcessId,IsPerIncident,CasesPerEntitlement,RemainingCases\n"
            "550A,Gold,001A,02iA,810A,811A,Phone Support,2025-01-01,2025-12-31,"
            "Berlin Office,Premium,TRUE,10,4"
        ),
        "EntitlementContact.csv": _csv("Id,EntitlementId,ContactId\n552A,550A,003A"),
    }
    result = read_csv_files(files)
    assert result.problems == []
    r = result.records
    assert r.accounts[1].parent_id == "001A"
    assert r.contacts[0].last_name == "Doe" and r.contacts[0].account_id == "001A"
    assert r.assets[0] == Asset(
        "02iA", "Router 1", "SN-1", "001A", "003A", "01tA", date(2024, 1, 31), date(2026, 12, 31)
    )
    assert r.service_contracts[1].parent_service_contract_id == "810A"
    assert r.service_contracts[1].term == 6
    assert r.contract_line_items[0].quantity == 3.0
    assert r.entitlements[0] == Entitlement(
        "550A",
        "Gold",
        "001A",
        "02iA",
        "810A",
        "811A",
        "Phone Support",
        date(2025, 1, 1),
        date(2025, 12, 31),
        "Berlin Office",
        "Premium",
        None,
        True,
        10,
        4,
    )
    assert r.entitlement_contacts[0].contact_id == "003A"


def test_relationship_column_resolves_by_external_id_and_name() -> None:
    files = {
        "accounts.csv": _csv("Ext_Id__c,Name\nA-1,Acme\nA-2,Globex"),
        "entitlements.csv": _csv("Name,Account.Ext_Id__c\nPhone,A-2\n"),
        "assets.csv": _csv("Name,Account.Name\nRouter,Acme"),
    }
    result = read_csv_files(files)
    assert result.problems == []
    assert result.records.entitlements[0].account_id == "A-2"
    assert result.records.entitlements[0].id == "Entitlement:entitlements:2"
    assert result.records.assets[0].account_id == "A-1"


def test_references_outside_the_files_use_the_lookup() -> None:
    files = {"assets.csv": _csv("Id,Name,Account.External_ID__c\n02iA,Router,EXT-9")}

    def lookup(list_name: str, field: str, value: str) -> str | None:
        return (
            "001WS"
            if (list_name, field, value) == ("accounts", "External_ID__c", "EXT-9")
            else None
        )

    result = read_csv_files(files, lookup=lookup)
    assert result.records.assets[0].account_id == "001WS"


def _bad_files() -> dict[str, bytes]:
    return {
        "Account.csv": _csv("Id,Name\n001A,Acme\n001B,\n001C,Initech"),
        "Entitlement.csv": _csv(
            "Id,Name,AccountId,StartDate,CasesPerEntitlement\n"
            "550A,Phone,001A,2025-01-01,5\n"
            "550B,Web,001Z,2025-01-01,5\n"
            "550C,Chat,001A,next monday,5\n"
            "550D,Mail,001B,2025-01-01,five\n"
            "550E,Fax,001C,2025-01-01,1"
        ),
    }


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_returned() -> None:
    result = read_csv_files(_bad_files())
    assert [(p.file, p.line, p.element, p.message) for p in result.problems] == [
        ("Account.csv", 3, "Name", "Name is required"),
        ("Entitlement.csv", 3, "AccountId", "no Account with Id '001Z'"),
        ("Entitlement.csv", 4, "StartDate", "'next monday' is not a date (YYYY-MM-DD or M/D/YYYY)"),
        ("Entitlement.csv", 5, "CasesPerEntitlement", "'five' is not a whole number"),
    ]
    assert (
        str(result.problems[1]) == "Entitlement.csv, line 3, <AccountId>: no Account with Id '001Z'"
    )
    assert result.records == RecordSet()


def test_skip_bad_rows_imports_the_good_ones_and_rows_that_refer_to_bad_ones_are_skipped() -> None:
    files = _bad_files()
    files["Entitlement.csv"] += b"550F,Extra,001B,2025-01-01,1\r\n"
    result = read_csv_files(files, skip_bad_rows=True)
    assert [a.id for a in result.records.accounts] == ["001A", "001C"]
    assert [e.id for e in result.records.entitlements] == ["550A", "550E"]
    assert result.skipped_rows == 5
    assert ("Entitlement.csv", 7, "AccountId") in [
        (p.file, p.line, p.element) for p in result.problems
    ]


def test_duplicate_ids_are_bad_rows() -> None:
    result = read_csv_files({"Account.csv": _csv("Id,Name\n001A,Acme\n001A,Again")})
    assert [(p.line, p.element) for p in result.problems] == [(3, "Id")]


def test_custom_columns_are_kept_and_exported_again(tmp_path: Path) -> None:
    result = read_csv_source(CASE_ESCALATION)
    write_csv_files(result.records, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Account.csv", "Asset.csv"]
    with (tmp_path / "Account.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 500
    assert rows[0]["Support_Level__c"] == "Basic"
    assert rows[0]["Avg_NPS_Score__c"] == "-53.78"  # a plain number is not quoted
    again = read_csv_source(tmp_path)
    assert again.ok
    assert again.records.accounts == result.records.accounts
    assert again.records.assets == result.records.assets


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("-53.78", "-53.78"),
        ("+5", "+5"),
        ("plain", "plain"),
    ],
)
def test_formula_cells_are_neutralised(cell: str, written: str) -> None:
    assert neutralise_cell(cell) == written


def test_export_neutralises_injection_and_import_reads_it_back() -> None:
    records = RecordSet(
        accounts=[
            Account(
                "001Dm0000000000001", "=1+1", custom_fields={"Note__c": "@import", "Score__c": "-4"}
            )
        ]
    )
    text = csv_documents(records)["Account.csv"].decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Id", "Name", "ParentId", "Note__c", "Score__c"]
    assert rows[1] == ["001Dm0000000000001", "'=1+1", "", "'@import", "-4"]
    again = read_csv_files({"Account.csv": text.encode()})
    assert again.records.accounts == records.accounts


def test_excess_cells_are_a_bad_row() -> None:
    result = read_csv_files({"Account.csv": _csv("Id,Name\n001A,Acme,extra")})
    assert [(p.line, p.message) for p in result.problems] == [(2, "3 cells but 2 columns")]


def test_semicolon_csv_and_colon_relationship_columns_are_read() -> None:
    files = {
        "Accounts.csv": _csv("External_Id__c;Name\nX1;Acme"),
        "Assets.csv": _csv("Name;Account:External_Id__c;InstallDate\nRouter;X1;20/06/2020"),
    }
    result = read_csv_files(files)
    assert [(p.line, p.element, p.message) for p in result.problems] == [
        (2, "InstallDate", "'20/06/2020' is not a date (YYYY-MM-DD or M/D/YYYY)")
    ]
    files["Assets.csv"] = _csv("Name;Account:External_Id__c;InstallDate\nRouter;X1;6/20/2020")
    result = read_csv_files(files)
    assert result.records.assets == [
        Asset("Asset:Assets:2", "Router", account_id="X1", install_date=date(2020, 6, 20))
    ]


def test_an_end_date_before_the_start_date_is_a_bad_row() -> None:
    files = {
        "Account.csv": _csv("Id,Name\n001A,Acme"),
        "Entitlement.csv": _csv(
            "Id,Name,AccountId,StartDate,EndDate\n"
            "550A,Phone,001A,2025-01-01,2025-01-01\n"
            "550B,Web,001A,2025-01-01,2024-01-01"
        ),
        "ServiceContract.csv": _csv(
            "Id,Name,AccountId,StartDate,EndDate\n810A,Master,001A,2025-03-01,2025-02-28"
        ),
    }
    result = read_csv_files(files)
    assert [(p.file, p.line, p.element, p.message) for p in result.problems] == [
        ("Entitlement.csv", 3, "EndDate", "EndDate 2024-01-01 is before StartDate 2025-01-01"),
        ("ServiceContract.csv", 2, "EndDate", "EndDate 2025-02-28 is before StartDate 2025-03-01"),
    ]
    assert result.records == RecordSet()


def test_a_bad_row_after_a_cell_with_line_breaks_is_named_by_the_line_it_starts_on() -> None:
    files = {
        "Account.csv": _csv(
            'Id,Name,Description__c\n001A,Acme,"two\nlines"\n001B,,after\n001C,Initech,x'
        )
    }
    result = read_csv_files(files)
    assert [(p.line, p.element) for p in result.problems] == [(4, "Name")]


def test_a_row_with_fewer_cells_than_columns_is_a_bad_row() -> None:
    files = {"Account.csv": _csv("Id,Name,Type\n001A,Acme,Customer\n001B,Globex")}
    result = read_csv_files(files)
    assert [(p.line, p.element, p.message) for p in result.problems] == [
        (3, None, "2 cells but 3 columns")
    ]
