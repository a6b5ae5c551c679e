"""``entitle export`` / ``validate`` edge cases from the issue-4 findings: --out folders that
hold the user's files, files and missing parents, options that do not apply to a format,
bad API versions, settings an older org lacks, merged projects, two default business hours
and process file names."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from entitle_desktop.cli import main
from entitle_desktop.services.demo import create_demo_workspace

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "salesforce-metadata"
NS = {"md": "http://soap.sforce.com/2006/04/metadata"}


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.entitle"
    create_demo_workspace(path, date(2026, 1, 15)).close()
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, list[str]]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err.splitlines()


def _hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# --------------------------------------------------------------------------- F17, F18, F19, F1


@pytest.mark.parametrize("layout", ["mdapi", "source"])
def test_export_into_a_folder_holding_other_files_is_refused_and_leaves_it_as_is(
    tmp_path: Path, demo_path: Path, layout: str, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = tmp_path / "victim"
    (victim / "sub").mkdir(parents=True)
    (victim / "README.txt").write_text("precious\n")
    (victim / "sub" / "main.py").write_text("code\n")
    before = _hashes(victim)
    code, out, err = _run(
        capsys,
        "export",
        str(demo_path),
        "--format",
        layout,
        "--out",
        str(victim),
        "--fix",
        "approximate-hours",
    )
    assert code == 2 and out == ""
    assert err[-1] == (
        f"entitle export: {victim} is not empty (it holds README.txt, which no earlier export "
        "wrote there, or which has changed since); choose an empty or new folder"
    )
    assert _hashes(victim) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["victim"]


@pytest.mark.parametrize(
    ("fmt", "message"),
    [
        ("mdapi", "is a file, not a folder; choose an empty or new folder for the export"),
        ("source", "is a file, not a folder; choose an empty or new folder for the export"),
        ("csv", "is a file, not a folder; choose a folder (new or existing) for the files"),
        ("datatree", "is a file, not a folder; choose a folder (new or existing) for the files"),
        ("bundle", "exists and is not an Entitle bundle; choose another file name"),
    ],
)
def test_out_naming_a_file_is_refused_and_the_file_kept(
    tmp_path: Path, demo_path: Path, fmt: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("precious\n")
    fix = ["--fix", "approximate-hours"] if fmt in ("mdapi", "source") else []
    code, out, err = _run(
        capsys, "export", str(demo_path), "--format", fmt, "--out", str(target), *fix
    )
    assert (code, out, err[-1]) == (2, "", f"entitle export: {target} {message}")
    assert target.read_text() == "precious\n"


def test_bundle_into_a_folder_is_refused_and_into_missing_folders_is_written(
    tmp_path: Path, demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "folder").mkdir()
    code, _, err = _run(
        capsys, "export", str(demo_path), "--format", "bundle", "--out", str(tmp_path / "folder")
    )
    assert (code, err) == (
        2,
        [
            f"entitle export: {tmp_path / 'folder'} is a folder; give the bundle's file name "
            "(for example name.entitlebundle)"
        ],
    )
    bundle = tmp_path / "out" / "deep" / "demo.entitlebundle"
    code, out, err = _run(
        capsys, "export", str(demo_path), "--format", "bundle", "--out", str(bundle)
    )
    assert (code, out, err) == (0, f"Exported to {bundle}\n", [])
    assert bundle.stat().st_size > 0


# --------------------------------------------------------------------------- F2, F8, F5


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--format", "mdapi", "--account", "001Dm0000000000001"],
            "--account applies to bundle, csv and datatree exports; Salesforce metadata holds "
            "no account records (use --process to choose processes)",
        ),
        (
            ["--format", "bundle", "--fix", "strip-action-prefixes"],
            "--fix applies to mdapi and source exports, not to --format bundle; "
            "nothing was written",
        ),
        (
            ["--format", "csv", "--fix", "approximate-hours", "--api-version", "50.0"],
            "--fix and --api-version apply to mdapi and source exports, not to --format csv; "
            "nothing was written",
        ),
        (
            ["--format", "datatree", "--process", "Premium Support"],
            "--process applies to bundle, mdapi and source exports, not to --format datatree; "
            "nothing was written",
        ),
        (
            ["--format", "source", "--api-version", "99.0"],
            "--api-version: API version '99.0' is not one this app writes: give a version "
            "from 27.0 to 66.0, like 66.0",
        ),
    ],
)
def test_options_that_do_not_apply_are_refused(
    tmp_path: Path,
    demo_path: Path,
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out"
    code, stdout, err = _run(capsys, "export", str(demo_path), "--out", str(out), *argv)
    assert (code, stdout, err) == (2, "", [f"entitle export: {message}"])
    assert not out.exists()


@pytest.mark.parametrize("version", ["abc", "47.5", "99.0", "26.0"])
def test_validate_names_the_option_for_a_bad_api_version(
    demo_path: Path, version: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "validate", str(demo_path), "--api-version", version)
    assert (code, out, err) == (
        2,
        "",
        [
            f"entitle validate: --api-version: API version {version!r} is not one this app "
            "writes: give a version from 27.0 to 66.0, like 66.0"
        ],
    )


# --------------------------------------------------------------------------- F4


@pytest.fixture
def stopped_time_workspace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """JCRC-Dev with <enableMilestoneStoppedTime> true (an API-47 setting)."""
    project = tmp_path / "proj"
    shutil.copytree(CORPUS / "mmg-opp1__JCRC-Dev", project)
    settings = project / "force-app/main/default/settings/Entitlement.settings-meta.xml"
    settings.write_text(
        settings.read_text().replace(
            "<enableMilestoneStoppedTime>false", "<enableMilestoneStoppedTime>true"
        )
    )
    workspace = tmp_path / "st.entitle"
    assert main(["import", str(workspace), str(project)]) == 0
    org = tmp_path / "org46" / "src"
    org.mkdir(parents=True)
    (org / "package.xml").write_text(
        '<Package xmlns="http://soap.sforce.com/2006/04/metadata"><version>46.0</version></Package>'
    )
    capsys.readouterr()
    return workspace


SETTINGS_ISSUES = [
    "warning: settings/Entitlement.settings: <enableMilestoneFeedItem> arrived in API 47.0; "
    "API 46.0 does not know it: left out (it is false, Salesforce's default)",
    "error: settings/Entitlement.settings: <enableMilestoneStoppedTime> arrived in API 47.0; "
    "API 46.0 does not know it",
    "warning: settings/Entitlement.settings: <ignoreMilestoneBusinessHours> arrived in API "
    "47.0; API 46.0 does not know it: left out (it is false, Salesforce's default)",
]


FALSE_LEFT_OUT = (
    "warning: settings/Entitlement.settings: <{name}> arrived in API 47.0; API 46.0 does not "
    "know it: left out (it is false, Salesforce's default) (fixed: drop-unsupported-settings)"
)


def test_a_reference_org_lacking_a_setting_gets_the_export_without_it_and_a_warning(
    tmp_path: Path, stopped_time_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The target org (API 46) cannot hold <enableMilestoneStoppedTime>: planned against it,
    the export leaves the element out and says so; named alone, API 46 stops the export."""
    ws, org, out = str(stopped_time_workspace), str(tmp_path / "org46"), tmp_path / "out"
    left_out = (
        "warning: settings/Entitlement.settings: <enableMilestoneStoppedTime> arrived in API "
        "47.0; API 46.0 does not know it (fixed: drop-unsupported-settings)"
    )
    code, stdout, err = _run(
        capsys, "export", ws, "--format", "mdapi", "--out", str(out), "--reference", org
    )
    assert code == 0
    assert [e for e in err if "Entitlement.settings" in e] == [
        FALSE_LEFT_OUT.format(name="enableMilestoneFeedItem"),
        left_out,
        FALSE_LEFT_OUT.format(name="ignoreMilestoneBusinessHours"),
    ]
    text = (out / "src/settings/Entitlement.settings").read_text()
    assert "Milestone" not in text
    assert "<version>46.0</version>" in (out / "src/package.xml").read_text()
    code, stdout, _ = _run(capsys, "validate", ws, "--reference", org)
    assert code == 0
    assert [line for line in stdout.splitlines() if "Entitlement.settings" in line] == [
        FALSE_LEFT_OUT.format(name="enableMilestoneFeedItem"),
        left_out,
        FALSE_LEFT_OUT.format(name="ignoreMilestoneBusinessHours"),
    ]
    assert stdout.splitlines()[-1] == "0 errors, 4 warnings (API 46.0)"
    code, stdout, _ = _run(capsys, "validate", ws, "--api-version", "46.0")
    assert code == 1  # without the org, the true setting is an error to decide on
    assert [line for line in stdout.splitlines() if "Entitlement.settings" in line] == (
        SETTINGS_ISSUES
    )


# --------------------------------------------------------------------------- F22, F3


def test_merged_projects_export_in_either_order_and_validate_agrees(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alpine = str(CORPUS / "fpintelandgraf__alpinedemo")
    parsam = str(CORPUS / "parsam97__Case-Milestone-Bug")
    generated = [
        "basic support process",
        "mission critical process",
        "premium field service",
        "premium service",
        "standard support",
    ]
    # the API version is the last imported project's (parsam97 has none: the default); at
    # alpinedemo's 38.0 its own package.xml (wildcards) still lists everything and is kept
    for name, order, version, members in (
        ("ab", (alpine, parsam), "66.0", generated),
        ("ba", (parsam, alpine), "38.0", ["*"]),
    ):
        workspace = str(tmp_path / f"{name}.entitle")
        for project in order:
            assert main(["import", workspace, project]) == 0
        capsys.readouterr()
        code, stdout, _ = _run(capsys, "validate", workspace)
        assert (code, stdout.splitlines()[-1]) == (0, f"0 errors, 2 warnings (API {version})")
        out = tmp_path / f"{name}-out"
        code, _, err = _run(capsys, "export", workspace, "--format", "mdapi", "--out", str(out))
        assert code == 0, err
        package = etree.parse(str(out / "src/package.xml"))
        processes = package.xpath(
            "//md:types[md:name='EntitlementProcess']/md:members/text()", namespaces=NS
        )
        assert processes == members
        assert package.xpath("//md:version/text()", namespaces=NS) == [version]


def test_two_default_business_hours_name_both_and_single_default_hours_fixes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = str(tmp_path / "mix.entitle")
    for project in ("fpintelandgraf__alpinedemo", "mmg-opp1__JCRC-Dev"):
        assert main(["import", workspace, str(CORPUS / project)]) == 0
    capsys.readouterr()
    out = tmp_path / "out"
    code, _, err = _run(capsys, "export", workspace, "--format", "mdapi", "--out", str(out))
    assert code == 2
    assert err[-2:] == [
        "error: settings/BusinessHours.settings: 2 business hours are marked default "
        "('24/7 Follow-The-Sun Service', 'Default'); Salesforce allows only one",
        "entitle export: 1 error would fail a deploy, nothing was written; rerun with "
        "--fix single-default-hours",
    ]
    code, _, err = _run(
        capsys,
        "export",
        workspace,
        "--format",
        "mdapi",
        "--out",
        str(out),
        "--fix",
        "single-default-hours",
    )
    assert code == 0
    assert err[0] == (
        "warning: settings/BusinessHours.settings: '24/7 Follow-The-Sun Service' stays the "
        "default business hours; 'Default' is written as not default (fixed: "
        "single-default-hours)"
    )
    settings = etree.parse(str(out / "src/settings/BusinessHours.settings"))
    defaults = settings.xpath("//md:businessHours[md:default='true']/md:name/text()", namespaces=NS)
    assert defaults == ["24/7 Follow-The-Sun Service"]


# --------------------------------------------------------------------------- F6


def test_process_files_are_named_like_salesforce_names_them_and_by_that_name_chosen(
    tmp_path: Path, demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, _, _ = _run(
        capsys,
        "export",
        str(demo_path),
        "--format",
        "mdapi",
        "--out",
        str(out),
        "--process",
        "premium support",
        "--process",
        "STANDARD SUPPORT",
    )
    assert code == 0
    assert sorted(p.name for p in (out / "src/entitlementProcesses").iterdir()) == [
        "premium support.entitlementProcess",
        "standard support_v1.entitlementProcess",
        "standard support_v2.entitlementProcess",
        "standard support_v3.entitlementProcess",
    ]
    v1 = etree.parse(str(out / "src/entitlementProcesses/standard support_v1.entitlementProcess"))
    assert v1.xpath("/md:EntitlementProcess/md:name/text()", namespaces=NS) == ["Standard Support"]
    assert v1.xpath("/md:EntitlementProcess/md:versionNumber/text()", namespaces=NS) == ["1"]


def test_a_bundle_of_a_process_named_by_its_file_name(
    tmp_path: Path, demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json
    import zipfile

    out = tmp_path / "p.entitlebundle"
    code, _, err = _run(
        capsys,
        "export",
        str(demo_path),
        "--format",
        "bundle",
        "--out",
        str(out),
        "--process",
        "premium support",
    )
    assert (code, err) == (0, [])
    with zipfile.ZipFile(out) as archive:
        processes = json.loads(archive.read("processes.json"))["records"]
    assert [p["name"] for p in processes] == ["Premium Support"]


def test_versioned_processes_for_an_org_with_versioning_off_need_it_turned_on(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Planned against an org with versioning off, the export's _v2 would be refused: the
    pre-flight says so and offers to turn versioning on, with the warning that it stays on."""
    workspace = str(tmp_path / "w.entitle")
    assert (
        main(["import", workspace, str(CORPUS / "vgoyal-copado__SFP-Demo-Classic-Repository")]) == 0
    )
    capsys.readouterr()
    org = str(CORPUS / "fpintelandgraf__alpinedemo")
    args = ["export", workspace, "--format", "source", "--reference", org]
    args += ["--fix", "drop-unsupported-settings"]
    code, _, err = _run(capsys, *args, "--out", str(tmp_path / "o1"))
    assert code == 2
    assert err[-2:] == [
        "error: settings/Entitlement.settings: the export holds versioned processes ('basic "
        "support process') but its Entitlement.settings turns entitlement versioning off; the "
        "deploy refuses their version numbers",
        "entitle export: 1 error would fail a deploy, nothing was written; rerun with "
        "--fix enable-versioning",
    ]
    assert not (tmp_path / "o1").exists()
    code, _, err = _run(capsys, *args, "--fix", "enable-versioning", "--out", str(tmp_path / "o2"))
    assert code == 0
    assert (
        "warning: settings/Entitlement.settings: the export turns entitlement versioning on in "
        "the target org, where it is off; once on, it cannot be turned off again (fixed: "
        "enable-versioning)"
    ) in err
    settings = etree.parse(
        str(tmp_path / "o2/force-app/main/default/settings/Entitlement.settings-meta.xml")
    )
    assert settings.xpath("//md:enableEntitlementVersioning/text()", namespaces=NS) == ["true"]
    processes = sorted(
        p.name for p in (tmp_path / "o2/force-app/main/default/entitlementProcesses").iterdir()
    )
    assert processes == [
        "basic support process_v2.entitlementProcess-meta.xml",
        "premium support process.entitlementProcess-meta.xml",
    ]
