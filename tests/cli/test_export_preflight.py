"""``entitle export --format mdapi|source`` runs pre-flight first; ``entitle validate`` prints it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from entitle_desktop.cli import FIX_FLAGS, main
from entitle_desktop.interchange.salesforce_metadata import PREFLIGHT_FIXES
from entitle_desktop.services.demo import create_demo_workspace

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "salesforce-metadata"
LONDON = "business hours 'London Office'"
LUNCH = (
    "Monday–Friday: 2 windows (08:00–12:30, 13:30–18:00); Salesforce holds one window per "
    "day. Approximated as 08:00–18:00: 12:30–13:30 would be worked time in Salesforce"
)
HINT = (
    "entitle export: 1 error would fail a deploy, nothing was written; rerun with "
    "--fix approximate-hours or --fix omit-inexpressible-hours"
)


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.entitle"
    create_demo_workspace(path, date(2026, 1, 15)).close()
    return path


@pytest.mark.parametrize("layout", ["mdapi", "source"])
def test_export_of_the_demo_stops_on_london_office_and_names_the_fix_flags(
    tmp_path: Path, demo_path: Path, layout: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(["export", str(demo_path), "--format", layout, "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.splitlines() == [f"error: {LONDON}: {LUNCH}", HINT]
    assert captured.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize(("layout", "folder"), [("mdapi", "src"), ("source", "force-app")])
def test_export_of_the_demo_with_approximate_hours_succeeds_and_warns_what_changed(
    tmp_path: Path, demo_path: Path, layout: str, folder: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(
        ["export", str(demo_path), "--format", layout, "--out", str(out)]
        + ["--fix", "approximate-hours"]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert captured.err.splitlines() == [f"warning: {LONDON}: {LUNCH} (fixed: approximate-hours)"]
    assert captured.out == f"Exported to {out}\n"
    assert sorted(p.name for p in out.iterdir()) == [folder]


def test_export_omitting_london_office_warns_about_every_reference_to_it(
    tmp_path: Path, demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    argv = ["export", str(demo_path), "--format", "mdapi", "--out", str(out)]
    assert main([*argv, "--fix", "omit-inexpressible-hours"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        f"warning: {LONDON}: left out of the export; the target org must have its own business "
        "hours of this name (fixed: omit-inexpressible-hours)"
    )
    assert err[1:3] == [
        "warning: entitlementProcesses/field service: uses the business hours 'London Office', "
        "which is not in the export; the target org must already have it",
        "warning: entitlementProcesses/warranty: uses the business hours 'London Office', "
        "which is not in the export; the target org must already have it",
    ]
    assert len(err) == 10 and all(line.startswith("warning: ") for line in err)


def test_the_two_business_hours_fixes_exclude_each_other(
    tmp_path: Path, demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["export", str(demo_path), "--format", "mdapi", "--out", str(tmp_path / "out")]
    argv += ["--fix", "approximate-hours", "--fix", "omit-inexpressible-hours"]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        "entitle export: approximate-hours and omit-inexpressible-hours exclude each other; "
        "choose one\n"
    )
    assert not (tmp_path / "out").exists()


def test_an_unknown_fix_is_a_usage_error(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(demo_path), "--fix", "tidy-up"]) == 2
    assert "invalid choice: 'tidy-up'" in capsys.readouterr().err


def test_validate_prints_the_demo_pre_flight_and_exits_1_for_errors(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(demo_path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"error: {LONDON}: {LUNCH}",
        "1 error, 0 warnings (API 61.0)",
    ]
    assert main(["validate", str(demo_path), "--fix", "approximate-hours"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"warning: {LONDON}: {LUNCH} (fixed: approximate-hours)",
        "0 errors, 1 warning (API 61.0)",
    ]


def test_validate_json_lists_each_issue_with_its_fixes_and_flags(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(demo_path), "--json", "--api-version", "66.0"]) == 1
    assert json.loads(capsys.readouterr().out) == [
        {
            "severity": "error",
            "where": LONDON,
            "message": LUNCH,
            "fix": "approximate_business_hours",
            "fixes": ["approximate_business_hours", "omit_inexpressible_business_hours"],
            "flags": ["approximate-hours", "omit-inexpressible-hours"],
        }
    ]


def test_validate_refuses_a_missing_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(tmp_path / "none.entitle")]) == 2
    assert capsys.readouterr().err == (
        f"entitle validate: {tmp_path / 'none.entitle'}: no such workspace file\n"
    )


_ACTION = "action names carry an object prefix, which breaks redeploys: "
_NOT_IN = "which is not in the export; the target org must already have it"
CORPUS_ISSUES: dict[str, tuple[str, list[str]]] = {
    "Umesh25J__CuriousOrg": (
        "66.0",
        [
            f"entitlementProcesses/standard case: {_ACTION}Case.ChangePriorityToHigh",
            "entitlementProcesses/standard support: "
            f"{_ACTION}Case.X2_hour_warning_before_milestone_expires",
            f"entitlementTemplates/Phone Support: uses the business hours 'Default', {_NOT_IN}",
        ],
    ),
    "divyaagrawal__force-code-demo": (
        "66.0",
        [
            f"entitlementProcesses/standard support: uses the business hours 'Default', {_NOT_IN}",
            f"entitlementTemplates/Phone Support: uses the business hours 'Default', {_NOT_IN}",
            "entitlementTemplates/Trailhead Standard Web Support: uses the business hours "
            f"'Default', {_NOT_IN}",
        ],
    ),
    "fpintelandgraf__alpinedemo": ("38.0", []),
    "mmg-opp1__JCRC-Dev": (
        "66.0",
        [
            "entitlementProcesses/sla policy for cases: "
            f"{_ACTION}Case.ChangeStatusToEscalated, Case.SendSlaViolationEmailAlert"
        ],
    ),
    "parsam97__Case-Milestone-Bug": (
        "66.0",
        [
            f"entitlementProcesses/standard support: uses the business hours 'Standard', {_NOT_IN}",
            "entitlementProcesses/standard support: uses the milestone type 'Close Case', "
            f"{_NOT_IN}",
        ],
    ),
    "phani467__Metadata-Extract-from-stage": (
        "66.0",
        [
            f"entitlementProcesses/ihsm entitlement process_v{n}: 12 milestone entries; "
            "Salesforce documents a limit of 10 per process"
            for n in (2, 3, 4)
        ],
    ),
    "vgoyal-copado__SFP-Demo-Classic-Repository": ("66.0", []),
}


def test_every_corpus_project_is_listed() -> None:
    assert sorted(CORPUS_ISSUES) == sorted(p.name for p in CORPUS.iterdir() if p.is_dir())


@pytest.mark.parametrize("project", sorted(CORPUS_ISSUES))
def test_validate_finds_no_errors_in_an_imported_corpus_project(
    tmp_path: Path, project: str, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = tmp_path / "w.entitle"
    assert main(["import", str(workspace), str(CORPUS / project)]) == 0
    capsys.readouterr()
    assert main(["validate", str(workspace)]) == 0
    version, warnings = CORPUS_ISSUES[project]
    assert capsys.readouterr().out.splitlines() == [f"warning: {w}" for w in warnings] + [
        f"0 errors, {len(warnings)} warning{'' if len(warnings) == 1 else 's'} (API {version})"
    ]


def test_fix_flags_are_the_catalogued_ones() -> None:
    assert list(FIX_FLAGS) == [f.flag for f in PREFLIGHT_FIXES if f.flag is not None]
