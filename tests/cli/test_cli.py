"""The ``entitle`` command line: import + summary --json per corpus project, exit codes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from entitle_desktop.cli import main

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "salesforce-metadata"
EMPTY = {
    "accounts": 0,
    "contacts": 0,
    "assets": 0,
    "products": 0,
    "service_contracts": 0,
    "contract_line_items": 0,
    "entitlements": 0,
}


def _process(
    name: str, obj: str, *versions: tuple[int | None, bool | None, bool, int]
) -> dict[str, Any]:
    return {
        "name": name,
        "object": obj,
        "versions": [
            {"number": n, "default": d, "active": a, "milestones": m} for n, d, a, m in versions
        ],
    }


EXPECTED: dict[str, dict[str, Any]] = {
    "Umesh25J__CuriousOrg": {
        **EMPTY,
        "entitlement_templates": 1,
        "milestone_types": 4,
        "business_hours": 0,
        "holidays": 0,
        "processes": [
            _process("emergency repairs", "WorkOrder", (1, True, True, 0)),
            _process("standard case", "Case", (1, True, True, 3)),
            _process("standard support", "Case", (1, True, True, 2)),
        ],
        "placeholders": {"business_hours": ["Default"]},
    },
    "divyaagrawal__force-code-demo": {
        **EMPTY,
        "entitlement_templates": 2,
        "milestone_types": 1,
        "business_hours": 0,
        "holidays": 0,
        "processes": [_process("standard support", "Case", (1, True, True, 1))],
        "placeholders": {"business_hours": ["Default"]},
    },
    "fpintelandgraf__alpinedemo": {
        **EMPTY,
        "entitlement_templates": 6,
        "milestone_types": 7,
        "business_hours": 5,
        "holidays": 10,
        "processes": [
            _process("basic support process", "Case", (1, True, True, 6)),
            _process("mission critical process", "Case", (1, True, True, 7)),
            _process("premium field service", "WorkOrder", (1, True, True, 4)),
            _process("premium service", "Case", (1, True, True, 6)),
        ],
        "placeholders": {},
    },
    "mmg-opp1__JCRC-Dev": {
        **EMPTY,
        "entitlement_templates": 0,
        "milestone_types": 4,
        "business_hours": 1,
        "holidays": 0,
        "processes": [_process("sla policy for cases", "Case", (1, True, False, 8))],
        "placeholders": {},
    },
    "parsam97__Case-Milestone-Bug": {
        **EMPTY,
        "entitlement_templates": 0,
        "milestone_types": 2,
        "business_hours": 0,
        "holidays": 0,
        "processes": [_process("standard support", "Case", (1, True, True, 3))],
        "placeholders": {"business_hours": ["Standard"], "milestone_types": ["Close Case"]},
    },
    "phani467__Metadata-Extract-from-stage": {
        **EMPTY,
        "entitlement_templates": 0,
        "milestone_types": 3,
        "business_hours": 1,
        "holidays": 0,
        "processes": [
            _process(
                "IHSM Entitlement Process",
                "Case",
                (1, False, True, 6),
                (2, False, True, 12),
                (3, False, True, 12),
                (4, False, True, 12),
            )
        ],
        "placeholders": {},
    },
    "vgoyal-copado__SFP-Demo-Classic-Repository": {
        **EMPTY,
        "entitlement_templates": 0,
        "milestone_types": 5,
        "business_hours": 3,
        "holidays": 0,
        "processes": [
            _process("basic support process", "Case", (1, True, True, 4)),
            _process("premium support process", "Case", (1, True, True, 4)),
        ],
        "placeholders": {},
    },
}


@pytest.mark.parametrize("project", sorted(EXPECTED))
def test_import_then_summary_json_reports_the_files(
    tmp_path: Path, project: str, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = tmp_path / "new.entitle"
    assert main(["import", str(workspace), str(CORPUS / project)]) == 0
    assert workspace.is_file()
    capsys.readouterr()
    assert main(["summary", str(workspace), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == EXPECTED[project]


def test_every_corpus_project_is_covered() -> None:
    assert sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) == sorted(EXPECTED)


def test_bad_input_exits_2_with_the_file_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "proj" / "src" / "milestoneTypes"
    source.mkdir(parents=True)
    (source / "Broken.milestoneType").write_text("not xml at all")
    workspace = tmp_path / "w.entitle"
    assert main(["import", str(workspace), str(tmp_path / "proj")]) == 2
    captured = capsys.readouterr()
    assert "Broken.milestoneType" in captured.err
    assert captured.out == ""
    assert not workspace.exists()  # nothing created for bad input


def test_bad_input_leaves_an_existing_workspace_unchanged(tmp_path: Path) -> None:
    workspace = tmp_path / "w.entitle"
    assert main(["import", str(workspace), str(CORPUS / "mmg-opp1__JCRC-Dev")]) == 0
    digest = hashlib.sha256(workspace.read_bytes()).hexdigest()
    bad = tmp_path / "proj" / "src" / "entitlementProcesses"
    bad.mkdir(parents=True)
    (bad / "x.entitlementProcess").write_text(
        '<?xml version="1.0"?><EntitlementProcess xmlns="http://soap.sforce.com/2006/04/metadata">'
        "<milestones><milestoneName>A</milestoneName><minutesToComplete>abc</minutesToComplete>"
        "</milestones></EntitlementProcess>"
    )
    assert main(["import", str(workspace), str(tmp_path / "proj")]) == 2
    assert hashlib.sha256(workspace.read_bytes()).hexdigest() == digest


def test_missing_source_and_non_workspace_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(tmp_path / "w.entitle"), str(tmp_path / "nope")]) == 2
    assert "nope: no such file or folder" in capsys.readouterr().err
    text = tmp_path / "notes.entitle"
    text.write_text("hello")
    assert main(["summary", str(text)]) == 2
    assert "not an Entitle workspace" in capsys.readouterr().err
    assert text.read_text() == "hello"
    assert main(["summary", str(tmp_path / "missing.entitle")]) == 2


def test_dry_run_creates_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workspace = tmp_path / "w.entitle"
    assert main(["import", str(workspace), str(CORPUS / "mmg-opp1__JCRC-Dev"), "--dry-run"]) == 0
    assert "Dry run: nothing was saved." in capsys.readouterr().out
    assert not workspace.exists()


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import"]) == 2
    assert "usage" in capsys.readouterr().err


def test_demo_then_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "demo.entitle"
    assert main(["demo", str(path)]) == 0
    capsys.readouterr()
    assert main(["summary", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["accounts"] == 30 and data["entitlements"] == 40
    assert [p["name"] for p in data["processes"]] == [
        "Field Service",
        "Premium Support",
        "Standard Support",
        "Warranty",
    ]
    assert main(["demo", str(path)]) == 2  # exists already


def test_summary_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workspace = tmp_path / "w.entitle"
    main(["import", str(workspace), str(CORPUS / "phani467__Metadata-Extract-from-stage")])
    capsys.readouterr()
    assert main(["summary", str(workspace)]) == 0
    out = capsys.readouterr().out
    assert "milestone types: 3" in out
    assert "  version 4: active 12 milestones" in out


def test_export_mdapi_of_chosen_process(tmp_path: Path) -> None:
    workspace = tmp_path / "w.entitle"
    main(["import", str(workspace), str(CORPUS / "fpintelandgraf__alpinedemo")])
    out = tmp_path / "out"
    assert (
        main(
            [
                "export",
                str(workspace),
                "--format",
                "mdapi",
                "--out",
                str(out),
                "--process",
                "premium service",
            ]
        )
        == 0
    )
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert "src/entitlementProcesses/premium service.entitlementProcess" in files
    assert not any("basic support" in f for f in files)
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())  # no staging left


def test_export_unknown_process_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workspace = tmp_path / "w.entitle"
    main(["import", str(workspace), str(CORPUS / "mmg-opp1__JCRC-Dev")])
    capsys.readouterr()
    assert (
        main(
            [
                "export",
                str(workspace),
                "--format",
                "source",
                "--out",
                str(tmp_path / "o"),
                "--process",
                "Nope",
            ]
        )
        == 2
    )
    assert "Nope" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_bundle_export_then_import_gives_the_same_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, copy, bundle = (
        tmp_path / "d.entitle",
        tmp_path / "n.entitle",
        tmp_path / "d.entitlebundle",
    )
    assert main(["demo", str(source)]) == 0
    assert main(["export", str(source), "--format", "bundle", "--out", str(bundle)]) == 0
    assert main(["import", str(copy), str(bundle)]) == 0
    capsys.readouterr()
    main(["summary", str(source), "--json"])
    original = capsys.readouterr().out
    main(["summary", str(copy), "--json"])
    assert capsys.readouterr().out == original


def test_csv_export_then_import_gives_the_same_data_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, copy, folder = tmp_path / "d.entitle", tmp_path / "c.entitle", tmp_path / "csv"
    main(["demo", str(source)])
    assert main(["export", str(source), "--format", "csv", "--out", str(folder)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        "Account.csv",
        "Asset.csv",
        "Contact.csv",
        "ContractLineItem.csv",
        "Entitlement.csv",
        "EntitlementContact.csv",
        "Product2.csv",
        "ServiceContract.csv",
    ]
    assert main(["import", str(copy), str(folder)]) == 0
    capsys.readouterr()
    main(["summary", str(copy), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert {k: data[k] for k in EMPTY} == {
        "accounts": 30,
        "contacts": 91,
        "assets": 64,
        "products": 8,
        "service_contracts": 7,
        "contract_line_items": 21,
        "entitlements": 40,
    }
