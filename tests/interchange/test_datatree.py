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
        f"assets.json, record {n}: Product2Id '@productRef{ref}' is in a file that was not "
        "imported; not linked, kept as written"
        for n, ref in ((1, 1), (2, 4), (3, 9))
    ]
    assert [a.custom_fields["Product2Id"] for a in result.records.assets] == [
        "@productRef1",
        "@productRef4",
        "@productRef9",
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


# --------------------------------------------------------------------------- sf-loadable export


def _sf_import_tree(docs: dict[str, bytes]) -> dict[str, str]:
    """What ``sf data import tree --plan`` (plugin-data importPlan.ts) does with references:
    files in plan order; ``@ref`` values are replaced by ids of records of earlier files;
    within one file only ``@<Object>Ref<n>`` values are resolved (by splitting the file).
    Returns referenceId -> file; fails on a reference sf would send unresolved."""
    import re

    saved: dict[str, str] = {}
    for entry in json.loads(docs["plan.json"]):
        same_file = re.compile(rf"^@{entry['sobject']}Ref\d+$")
        for name in entry["files"]:
            records = json.loads(docs[name])["records"]
            here = {r["attributes"]["referenceId"] for r in records}
            for record in records:
                ref_id = record["attributes"]["referenceId"]
                assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_]*", ref_id), ref_id
                assert ref_id not in saved, f"duplicate referenceId {ref_id}"
                for key, value in record.items():
                    if isinstance(value, str) and value.startswith("@"):
                        resolvable = value[1:] in saved or (
                            same_file.match(value) and value[1:] in here
                        )
                        assert resolvable, f"{name}: {key} {value} is sent unresolved"
            for ref_id in here:
                saved[ref_id] = name
    return saved


def test_export_puts_records_referring_to_their_own_object_in_later_files() -> None:
    """Parent accounts: sf resolves a same-file reference only for @AccountRef<n>; every
    reference points into an earlier file instead, and ids stay the referenceIds (F14)."""
    records = RecordSet(
        accounts=[
            Account("001Dm0000000000003", "Grandchild", parent_id="001Dm0000000000002"),
            Account("001Dm0000000000002", "Child", parent_id="001Dm0000000000001"),
            Account("001Dm0000000000001", "Top"),
            Account("60f69ddb-3cdc-421d-b98c-25cf9d6115e4", "Keyed by a UUID"),
            Account("Account:Account.csv:7", "Generated key", parent_id="001Dm0000000000001"),
        ],
        contacts=[Contact("C1", "Doe", account_id="60f69ddb-3cdc-421d-b98c-25cf9d6115e4")],
    )
    docs = data_tree_documents(records)
    plan = json.loads(docs["plan.json"])
    assert [(p["sobject"], p["files"]) for p in plan] == [
        ("Account", ["Account.json", "Account.2.json", "Account.3.json"]),
        ("Contact", ["Contact.json"]),
    ]

    def refs(name: str) -> list[tuple[str, str | None]]:
        return [
            (r["attributes"]["referenceId"], r.get("ParentId"))
            for r in json.loads(docs[name])["records"]
        ]

    assert refs("Account.json") == [("001Dm0000000000001", None), ("AccountRef1", None)]
    assert refs("Account.2.json") == [
        ("001Dm0000000000002", "@001Dm0000000000001"),
        ("AccountRef2", "@001Dm0000000000001"),
    ]
    assert refs("Account.3.json") == [("001Dm0000000000003", "@001Dm0000000000002")]
    assert json.loads(docs["Contact.json"])["records"][0]["AccountId"] == "@AccountRef1"
    assert _sf_import_tree(docs) == {
        "001Dm0000000000001": "Account.json",
        "AccountRef1": "Account.json",
        "001Dm0000000000002": "Account.2.json",
        "AccountRef2": "Account.2.json",
        "001Dm0000000000003": "Account.3.json",
        "C1": "Contact.json",
    }


def test_export_of_an_export_is_the_same(tmp_path: Path) -> None:
    records = RecordSet(
        accounts=[
            Account("001Dm0000000000002", "Child", parent_id="001Dm0000000000001"),
            Account("001Dm0000000000001", "Top"),
        ]
    )
    write_data_tree(records, tmp_path / "one")
    again = read_data_tree(tmp_path / "one")
    assert again.ok
    assert sorted(a.id for a in again.records.accounts) == sorted(a.id for a in records.accounts)
    write_data_tree(again.records, tmp_path / "two")
    for name in ("plan.json", "Account.json", "Account.2.json"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_corpus_json_numbers_and_booleans_are_written_back_as_such() -> None:
    """F15: BillingPostalCode 46228 and true/false stay JSON numbers/booleans."""
    first = read_data_tree(MEDTECH / "plan.json")
    docs = data_tree_documents(first.records)
    source = {
        r["attributes"]["referenceId"]: r
        for r in json.loads((MEDTECH / "accounts.json").read_text(encoding="utf-8"))["records"]
    }
    written = {
        r["attributes"]["referenceId"]: r for r in json.loads(docs["Account.json"])["records"]
    }
    assert sorted(written) == sorted(source)
    for ref, record in source.items():
        for key, value in record.items():
            if key != "attributes" and not (isinstance(value, str) and not value.strip()):
                assert written[ref][key] == value and type(written[ref][key]) is type(value), (
                    ref,
                    key,
                )
    assert written["personAccRef2"]["BillingPostalCode"] == 46228
    assert written["personAccRef1"]["isHealthCloudRecord__pc"] is True
    assert written["personAccRef2"]["isHealthCloudRecord__pc"] is False
    assert written["personAccRef1"]["Remote_Monitoring_Enrollment__pc"] is True
    contact = json.loads(docs["Contact.json"])["records"][0]
    assert contact["Phone"] == -4171  # as in the source
    assert contact["MailingPostalCode"] == 94105


def test_unresolved_references_are_kept_and_reported_not_dropped() -> None:
    """F15: the corpus assets refer to products whose file is missing: the references are
    kept as written and reported on export; a reference to a record outside the export
    is written as its Salesforce Id, or reported when it has none."""
    first = read_data_tree(MEDTECH / "plan.json")
    notes: list[str] = []
    docs = data_tree_documents(first.records, notes)
    assets = json.loads(docs["Asset.json"])["records"]
    assert [a["Product2Id"] for a in assets] == ["@productRef1", "@productRef4", "@productRef9"]
    assert notes == [
        "Asset.json: 3 Product2Id references kept as imported (@productRef1, @productRef4, "
        "@productRef9): the file that holds them was not imported; sf data import tree needs it"
    ]
    outside = RecordSet(
        contacts=[
            Contact("C1", "Doe", account_id="001Dm0000000000009"),
            Contact("C2", "Roe", account_id="accountRef77"),
        ]
    )
    notes = []
    records = json.loads(data_tree_documents(outside, notes)["Contact.json"])["records"]
    assert [r.get("AccountId") for r in records] == ["001Dm0000000000009", None]
    assert notes == [
        "Contact.json: 1 AccountId reference left out: the record is not in the export and "
        "has no Salesforce Id (first: 'accountRef77')"
    ]
