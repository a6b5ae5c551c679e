"""Importing every corpus project: exact counts, processes, placeholders, idempotence,
bad input leaving the workspace byte-for-byte unchanged, and a lossless DB round trip."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from entitle_desktop.interchange import salesforce_metadata
from entitle_desktop.interchange.errors import InterchangeError
from entitle_desktop.persistence import repository
from entitle_desktop.services.metadata_import import ImportCancelled, import_metadata
from entitle_desktop.services.workspace import Workspace

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "salesforce-metadata"
PROJECTS = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())

# counts: templates, milestone types, business hours, holidays
# processes: name -> object, [(number, default, active, milestones)]
EXPECTED: dict[str, dict[str, Any]] = {
    "Umesh25J__CuriousOrg": {
        "counts": (1, 4, 0, 0),
        "processes": {
            "emergency repairs": ("WorkOrder", [(1, True, True, 0)]),
            "standard case": ("Case", [(1, True, True, 3)]),
            "standard support": ("Case", [(1, True, True, 2)]),
        },
        "placeholders": {"business_hours": ["Default"]},
    },
    "divyaagrawal__force-code-demo": {
        "counts": (2, 1, 0, 0),
        "processes": {"standard support": ("Case", [(1, True, True, 1)])},
        "placeholders": {"business_hours": ["Default"]},
    },
    "fpintelandgraf__alpinedemo": {
        "counts": (6, 7, 5, 10),
        "processes": {
            "basic support process": ("Case", [(1, True, True, 6)]),
            "mission critical process": ("Case", [(1, True, True, 7)]),
            "premium field service": ("WorkOrder", [(1, True, True, 4)]),
            "premium service": ("Case", [(1, True, True, 6)]),
        },
        "placeholders": {},
    },
    "mmg-opp1__JCRC-Dev": {
        "counts": (0, 4, 1, 0),
        "processes": {"sla policy for cases": ("Case", [(1, True, False, 8)])},
        "placeholders": {},
    },
    "parsam97__Case-Milestone-Bug": {
        "counts": (0, 2, 0, 0),
        "processes": {"standard support": ("Case", [(1, True, True, 3)])},
        "placeholders": {"business_hours": ["Standard"], "milestone_types": ["Close Case"]},
    },
    "phani467__Metadata-Extract-from-stage": {
        "counts": (0, 3, 1, 0),
        "processes": {
            "IHSM Entitlement Process": (
                "Case",
                [
                    (1, False, True, 6),
                    (2, False, True, 12),
                    (3, False, True, 12),
                    (4, False, True, 12),
                ],
            )
        },
        "placeholders": {},
    },
    "vgoyal-copado__SFP-Demo-Classic-Repository": {
        "counts": (0, 5, 3, 0),
        "processes": {
            "basic support process": ("Case", [(1, True, True, 4)]),
            "premium support process": ("Case", [(1, True, True, 4)]),
        },
        "placeholders": {},
    },
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def workspace(tmp_path: Path) -> Any:
    ws = Workspace.create(tmp_path / "w.entitle")
    yield ws
    ws.close()


def test_every_corpus_project_is_expected() -> None:
    assert sorted(EXPECTED) == PROJECTS


@pytest.mark.parametrize("project", PROJECTS)
def test_import_reports_exactly_what_the_files_hold(workspace: Workspace, project: str) -> None:
    import_metadata(workspace, CORPUS / project)
    summary = workspace.summary()
    expected = EXPECTED[project]
    templates, types, hours, holidays = expected["counts"]
    assert summary.counts == {
        "accounts": 0,
        "contacts": 0,
        "assets": 0,
        "products": 0,
        "service_contracts": 0,
        "contract_line_items": 0,
        "entitlements": 0,
        "entitlement_templates": templates,
        "milestone_types": types,
        "business_hours": hours,
        "holidays": holidays,
    }
    assert {
        p["name"]: (
            p["object"],
            [(v["number"], v["default"], v["active"], v["milestones"]) for v in p["versions"]],
        )
        for p in summary.processes
    } == expected["processes"]
    assert summary.placeholders == expected["placeholders"]


def test_milestone_types_keep_their_recurrence(workspace: Workspace) -> None:
    import_metadata(workspace, CORPUS / "mmg-opp1__JCRC-Dev")
    rows = workspace.rows("milestone_type")
    assert [(r["name"], r["recurrence_type"], r["placeholder"]) for r in rows] == [
        ("First Response", "none", False),
        ("Follow Up", "recursIndependently", False),
        ("Periodic Update", "recursChained", False),
        ("Resolve Within", "none", False),
    ]


def test_missing_references_become_placeholders_with_warnings(workspace: Workspace) -> None:
    summary = import_metadata(workspace, CORPUS / "parsam97__Case-Milestone-Bug")
    assert summary.placeholders == {
        "business_hours": ["Standard"],
        "milestone_types": ["Close Case"],
    }
    assert summary.warnings == [
        "Process 'standard support' names business hours 'Standard', which neither the project "
        "nor the workspace has: a placeholder was created.",
        "Process 'standard support', milestone 3 names milestone type 'Close Case', which "
        "neither the project nor the workspace has: a placeholder was created.",
    ]
    assert workspace.row("milestone_type", "Close Case") == {
        "key": "Close Case",
        "label": "Close Case",
        "placeholder": True,
        "child_count": 0,
        "name": "Close Case",
        "recurrence_type": None,
        "description": None,
    }


def test_reference_resolves_to_what_the_workspace_already_has(workspace: Workspace) -> None:
    import_metadata(workspace, CORPUS / "fpintelandgraf__alpinedemo")  # has no "Default"
    first = import_metadata(workspace, CORPUS / "divyaagrawal__force-code-demo")
    assert first.placeholders == {"business_hours": ["Default"]}
    import_metadata(workspace, CORPUS / "mmg-opp1__JCRC-Dev")
    with workspace.session() as session:
        names = [b.name for b in repository.load_business_hours(session, include_placeholders=True)]
    assert "Default" in names


def test_a_later_import_fills_a_placeholder(workspace: Workspace) -> None:
    import_metadata(workspace, CORPUS / "parsam97__Case-Milestone-Bug")
    import_metadata(workspace, CORPUS / "Umesh25J__CuriousOrg")  # holds "Close Case"
    # Umesh's 'standard support' replaces parsam's, and names 'Default', not 'Standard'
    assert workspace.summary().placeholders == {"business_hours": ["Default"]}
    assert workspace.row("milestone_type", "Close Case")["placeholder"] is False  # type: ignore[index]


def test_template_names_a_process_in_another_case(workspace: Workspace) -> None:
    summary = import_metadata(workspace, CORPUS / "fpintelandgraf__alpinedemo")
    assert summary.placeholders == {} and summary.warnings == []
    row = workspace.row("template", "Basic Phone Support")
    assert row is not None and row["entitlement_process"] == "Basic Support Process"


@pytest.mark.parametrize("project", PROJECTS)
def test_reimport_updates_without_duplicates(workspace: Workspace, project: str) -> None:
    first = import_metadata(workspace, CORPUS / project)
    before = workspace.summary()
    second = import_metadata(workspace, CORPUS / project)
    assert workspace.summary() == before
    assert second.added == {}
    assert second.updated == {}
    assert second.unchanged == first.added


def test_dry_run_saves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "w.entitle"
    Workspace.create(path).close()
    digest = sha256(path)
    with Workspace.open(path) as ws:
        summary = import_metadata(ws, CORPUS / "fpintelandgraf__alpinedemo", dry_run=True)
        assert summary.dry_run and summary.added["holidays"] == 10
        assert ws.summary().counts["holidays"] == 0
    assert sha256(path) == digest


def test_cancel_leaves_nothing(workspace: Workspace) -> None:
    with pytest.raises(ImportCancelled):
        import_metadata(workspace, CORPUS / "fpintelandgraf__alpinedemo", cancelled=lambda: True)
    assert workspace.summary().counts["milestone_types"] == 0


def test_progress_is_reported(workspace: Workspace) -> None:
    seen: list[tuple[int, int, str]] = []
    import_metadata(workspace, CORPUS / "mmg-opp1__JCRC-Dev", progress=lambda *a: seen.append(a))
    assert seen[-1] == (1, 1, "Done")
    assert len(seen) >= 3


def test_summary_lists_unknown_elements_and_kept_files(workspace: Workspace) -> None:
    summary = import_metadata(workspace, CORPUS / "vgoyal-copado__SFP-Demo-Classic-Repository")
    assert summary.files_kept == [
        "force-app/main/default/standardValueSets/EntitlementType.standardValueSet-meta.xml",
        "force-app/main/default/standardValueSets/ServiceContractApprovalStatus.standardValueSet-meta.xml",
    ]


# --------------------------------------------------------------------------- bad input


def _copy(project: str, tmp_path: Path) -> Path:
    target = tmp_path / "src-copy"
    shutil.copytree(CORPUS / project, target)
    return target


def _first(root: Path, pattern: str) -> Path:
    return sorted(root.rglob(pattern))[0]


def _not_xml(root: Path) -> None:
    _first(root, "*.milestoneType*").write_text("this is not xml")


def _entity_bomb(root: Path) -> None:
    _first(root, "*.milestoneType*").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
        '<MilestoneType xmlns="http://soap.sforce.com/2006/04/metadata"><name>&lol2;</name></MilestoneType>'
    )


def _wrong_root(root: Path) -> None:
    _first(root, "*.milestoneType*").write_text(
        '<?xml version="1.0"?>\n<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata"/>'
    )


def _letters_in_minutes(root: Path) -> None:
    path = _first(root, "*.entitlementProcess*")
    text = path.read_text()
    start = text.index("<minutesToComplete>") + len("<minutesToComplete>")
    end = text.index("</minutesToComplete>", start)
    path.write_text(text[:start] + "abc" + text[end:])


CORRUPTIONS = {
    "not-xml": _not_xml,
    "entity-bomb": _entity_bomb,
    "wrong-root": _wrong_root,
    "letters-in-minutes": _letters_in_minutes,
}


@pytest.fixture
def filled(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "w.entitle"
    with Workspace.create(path) as ws:
        import_metadata(ws, CORPUS / "mmg-opp1__JCRC-Dev")
    return path, sha256(path)


@pytest.mark.parametrize("case", sorted(CORRUPTIONS))
def test_bad_input_leaves_the_workspace_unchanged(
    tmp_path: Path, filled: tuple[Path, str], case: str
) -> None:
    path, digest = filled
    source = _copy("fpintelandgraf__alpinedemo", tmp_path)
    CORRUPTIONS[case](source)
    with Workspace.open(path) as ws, pytest.raises(InterchangeError) as info:
        import_metadata(ws, source)
    assert "src/" in str(info.value)
    assert sha256(path) == digest


def test_zip_entry_escaping_the_folder_leaves_the_workspace_unchanged(
    tmp_path: Path, filled: tuple[Path, str]
) -> None:
    path, digest = filled
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("src/milestoneTypes/A.milestoneType", "<MilestoneType/>")
        z.writestr("../../escape.milestoneType", "<MilestoneType/>")
    with Workspace.open(path) as ws, pytest.raises(InterchangeError):
        import_metadata(ws, archive)
    assert sha256(path) == digest


def test_huge_file_leaves_the_workspace_unchanged(tmp_path: Path, filled: tuple[Path, str]) -> None:
    path, digest = filled
    source = _copy("mmg-opp1__JCRC-Dev", tmp_path)
    big = _first(source, "*.milestoneType*")
    with big.open("r+b") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: cheap to make
    with Workspace.open(path) as ws, pytest.raises(InterchangeError):
        import_metadata(ws, source)
    assert sha256(path) == digest


def test_failure_while_saving_rolls_back(
    tmp_path: Path, filled: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, digest = filled

    def broken(*_args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(repository, "_save_template", broken)
    with Workspace.open(path) as ws, pytest.raises(RuntimeError):
        import_metadata(ws, CORPUS / "fpintelandgraf__alpinedemo")
    assert sha256(path) == digest


# --------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("project", PROJECTS)
def test_database_round_trip_is_lossless(
    workspace: Workspace, tmp_path: Path, project: str
) -> None:
    original, _notes = salesforce_metadata.read_project(CORPUS / project)
    import_metadata(workspace, CORPUS / project)
    with workspace.session() as session:
        loaded = repository.load_project(session)
    assert loaded == original
    a, b = tmp_path / "a", tmp_path / "b"
    salesforce_metadata.write_project(original, a, layout=original.layout)
    salesforce_metadata.write_project(loaded, b, layout=loaded.layout)
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_a_process_imported_after_a_template_named_it_takes_the_files_name(
    workspace: Workspace, tmp_path: Path
) -> None:
    """A template's reference made the placeholder 'Basic Support Process'; the process file
    (lower-case name from its file) then fills it and names it as a fresh import would."""
    src = CORPUS / "fpintelandgraf__alpinedemo" / "src"
    template = tmp_path / "t" / "src" / "entitlementTemplates"
    process = tmp_path / "p" / "src" / "entitlementProcesses"
    template.mkdir(parents=True)
    process.mkdir(parents=True)
    name = "Basic Phone Support.entitlementTemplate"
    (template / name).write_bytes((src / "entitlementTemplates" / name).read_bytes())
    name = "basic support process.entitlementProcess"
    (process / name).write_bytes((src / "entitlementProcesses" / name).read_bytes())
    first = import_metadata(workspace, tmp_path / "t")
    assert first.placeholders["processes"] == ["Basic Support Process"]
    import_metadata(workspace, tmp_path / "p")
    summary = workspace.summary().to_json_dict()
    assert [p["name"] for p in summary["processes"]] == ["basic support process"]
    assert "processes" not in summary["placeholders"]


def test_a_placeholder_nothing_refers_to_any_more_is_dropped(workspace: Workspace) -> None:
    """parsam's 'standard support' names business hours 'Standard' and milestone type
    'Close Case', neither in the project; divya's 'standard support' replaces it and
    names neither, so the two placeholders go."""
    first = import_metadata(workspace, CORPUS / "parsam97__Case-Milestone-Bug")
    assert first.placeholders == {"business_hours": ["Standard"], "milestone_types": ["Close Case"]}
    import_metadata(workspace, CORPUS / "divyaagrawal__force-code-demo")
    summary = workspace.summary().to_json_dict()
    assert summary["placeholders"] == {"business_hours": ["Default"]}
    assert workspace.row("milestone_type", "Close Case") is None
