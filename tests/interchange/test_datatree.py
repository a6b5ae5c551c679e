"""sf CLI data-tree JSON: the real plan with missing files, references, export and back."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from entitle_desktop.domain.records import Account, Asset, Contact, Entitlement
from entitle_desktop.interchange.datatree import (
    data_tree_documents,
    read_data_tree,
    read_data_tree_files,
    write_data_tree,
)
from entitle_desktop.interchange.record_set import RecordSet

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
MEDTECH = (
    SHARED / "corpus" / "salesforce-data" / "salesforce-misc__Data360MedTechSolutionKit" / "data"
)

MISSING = [
    "tasks.json",
    "products.json",
    "pricebooks.json",
    "pricebookentries.json",
    "codesets.json",
    "codesetbundles.json",
    "medications.json",
    "medicationrequests.json",
    "allergytollerance.json",
    "healthcondition.json",
    "patientmedicalproceedures.json",
    "serviceappointments.json",
]


def test_corpus_plan_imports_what_is_there_and_lists_what_is_missing() -> None:
    result = read_data_tree(MEDTECH / "plan.json")
    assert result.ok
    assert result.missing_files == MISSING
    assert result.skipped_files == ["cases.json: Case is not a record type Entitle Desktop imports"]
    counts = {k: v for k, v in result.records.counts().items() if v}
    assert counts == {"accounts": 4, "contacts": 2, "assets": 3, "entitlements": 3}
    assert [a.id for a in result.records.accounts] == [
        "accountRef1",
        "accountRef2",
        "personAccRef2",
        "personAccRef1",
    ]
    assert [a.name for a in result.records.accounts] == [
        "PulseSync Medical Device Clinic",
        "PulseSync Medical Specialty Hospital",
        "John Smith",
        "Mark Smith",
    ]
    assert [(c.id, c.account_id) for c in result.records.contacts] == [
        ("contactRef1", "accountRef1"),
        ("contactRef2", "accountRef2"),
    ]
    assert [(a.id, a.account_id, a.product_id) for a in result.records.assets] == [
        ("assetRef1", "personAccRef1", None),
        ("assetRef2", "personAccRef1", None),
        ("assetRef3", "personAccRef2", None),
    ]
    assert result.records.entitlements[0] == Entitlement(
        "entitlementRef1",
        "Pacemaker Warranty Coverage",
        "personAccRef1",
        asset_id="assetRef1",
        type="Device Warranty",
        start_date=date(2026, 1, 6),
        end_date=date(2031, 1, 6),
    )
    assert [(e.id, e.asset_id) for e in result.records.entitlements] == [
        ("entitlementRef1", "assetRef1"),
        ("entitlementRef2", "assetRef2"),
        ("entitlementRef3", "assetRef3"),
    ]
    assert result.warnings == [
        "assets.json, record 1: Product2Id 'productRef1' is in a missing file; left empty",
        "assets.json, record 2: Product2Id 'productRef4' is in a missing file; left empty",
        "assets.json, record 3: Product2Id 'productRef9' is in a missing file; left empty",
    ]


def test_corpus_folder_finds_its_plan() -> None:
    result = read_data_tree(MEDTECH)
    assert len(result.records.entitlements) == 3
    assert result.missing_files == MISSING


def test_custom_fields_and_json_values_become_text() -> None:
    result = read_data_tree(MEDTECH / "plan.json")
    contact = result.records.contacts[0]
    assert contact.custom_fields["Phone"] == "-4171"
    assert contact.custom_fields["MailingPostalCode"] == "94105"
    assert contact.custom_fields["Speciality__c"] == "Electrophysiology"
    person = result.records.accounts[3]
    assert person.custom_fields["Remote_Monitoring_Enrollment__pc"] == "true"
    assert person.custom_fields["LastName"] == "Smith"


def test_unresolved_reference_in_present_files_is_a_bad_record() -> None:
    plan = [
        {"sobject": "Account", "files": ["a.json"]},
        {"sobject": "Entitlement", "files": ["e.json"]},
    ]
    files = {
        "plan.json": json.dumps(plan).encode(),
        "a.json": json.dumps(
            {"records": [{"attributes": {"type": "Account", "referenceId": "A1"}, "Name": "Acme"}]}
        ).encode(),
        "e.json": json.dumps(
            {
                "records": [
                    {
                        "attributes": {"type": "Entitlement", "referenceId": "E1"},
                        "Name": "x",
                        "AccountId": "@A2",
                    }
                ]
            }
        ).encode(),
    }
    result = read_data_tree_files(files)
    assert [(p.file, p.line, p.element, p.message) for p in result.problems] == [
        ("e.json", 1, "AccountId", "no Account with Id 'A2'")
    ]
    assert result.records == RecordSet()


def test_required_reference_into_a_missing_file_is_bad() -> None:
    plan = [
        {"sobject": "Account", "files": ["gone.json"]},
        {"sobject": "Entitlement", "files": ["e.json"]},
    ]
    files = {
        "plan.json": json.dumps(plan).encode(),
        "e.json": json.dumps(
            {
                "records": [
                    {
                        "attributes": {"type": "Entitlement", "referenceId": "E1"},
                        "Name": "x",
                        "AccountId": "@A1",
                    }
                ]
            }
        ).encode(),
    }
    result = read_data_tree_files(files, skip_bad_rows=True)
    assert result.missing_files == ["gone.json"]
    assert result.records.entitlements == []
    assert result.skipped_rows == 1


def test_export_writes_plan_and_reference_links_and_reads_back(tmp_path: Path) -> None:
    records = RecordSet(
        accounts=[Account("A1", "Acme", custom_fields={"Tier__c": "Gold"})],
        contacts=[Contact("C1", "Doe", "Jane", account_id="A1")],
        assets=[Asset("S1", "Router", account_id="A1", install_date=date(2024, 2, 29))],
        entitlements=[
            Entitlement(
                "E1", "Phone", "A1", asset_id="S1", is_per_incident=True, cases_per_entitlement=3
            )
        ],
    )
    docs = data_tree_documents(records)
    plan = json.loads(docs["plan.json"])
    assert [(p["sobject"], p["files"]) for p in plan] == [
        ("Account", ["Account.json"]),
        ("Contact", ["Contact.json"]),
        ("Asset", ["Asset.json"]),
        ("Entitlement", ["Entitlement.json"]),
    ]
    ent = json.loads(docs["Entitlement.json"])["records"][0]
    assert ent == {
        "attributes": {"type": "Entitlement", "referenceId": "E1"},
        "Name": "Phone",
        "AccountId": "@A1",
        "AssetId": "@S1",
        "IsPerIncident": True,
        "CasesPerEntitlement": 3,
    }
    write_data_tree(records, tmp_path)
    again = read_data_tree(tmp_path / "plan.json")
    assert again.ok
    assert again.records == records


def test_corpus_round_trips_through_export(tmp_path: Path) -> None:
    first = read_data_tree(MEDTECH / "plan.json")
    write_data_tree(first.records, tmp_path)
    again = read_data_tree(tmp_path)
    assert again.missing_files == []
    assert again.records == first.records


def test_nested_child_records_without_a_plan_link_to_their_parent() -> None:
    doc = {
        "records": [
            {
                "attributes": {"type": "Account", "referenceId": "AccountRef1"},
                "Name": "Acme",
                "Contacts": {
                    "records": [
                        {
                            "attributes": {"type": "Contact", "referenceId": "ContactRef1"},
                            "LastName": "Doe",
                        }
                    ]
                },
                "Entitlements": {
                    "records": [
                        {
                            "attributes": {"type": "Entitlement", "referenceId": "EntRef1"},
                            "Name": "Phone",
                        }
                    ]
                },
            }
        ]
    }
    result = read_data_tree_files({"Account-Contact-Entitlement.json": json.dumps(doc).encode()})
    assert result.ok
    assert result.records.accounts == [Account("AccountRef1", "Acme")]
    assert result.records.contacts == [Contact("ContactRef1", "Doe", account_id="AccountRef1")]
    assert result.records.entitlements == [Entitlement("EntRef1", "Phone", "AccountRef1")]
