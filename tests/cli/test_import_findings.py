"""``entitle import`` on the break-test's inputs: sources without metadata, duplicate
versions, the summary's unchanged counts; exit 2 leaves the workspace as it was."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from entitle_desktop.cli import main
from entitle_desktop.services import metadata_import

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "salesforce-metadata"
NS = "http://soap.sforce.com/2006/04/metadata"
NOTHING = "no Salesforce metadata, bundle or Data Loader CSV / data-tree files were found"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def existing(tmp_path: Path) -> tuple[Path, str]:
    workspace = tmp_path / "w.entitle"
    assert main(["import", str(workspace), str(CORPUS / "mmg-opp1__JCRC-Dev")]) == 0
    return workspace, sha256(workspace)


def test_an_empty_folder_exits_2_and_creates_no_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "empty"
    source.mkdir()
    capsys.readouterr()
    assert main(["import", str(tmp_path / "new.entitle"), str(source)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        captured.err == f"entitle import: {source}: {NOTHING} in this path: the folder is empty\n"
    )
    assert listing(tmp_path) == ["empty"]


def test_a_folder_of_unrelated_files_exits_2_and_leaves_the_workspace(
    tmp_path: Path, existing: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    workspace, digest = existing
    source = tmp_path / "notes"
    source.mkdir()
    (source / "readme.txt").write_text("not metadata")
    capsys.readouterr()
    assert main(["import", str(workspace), str(source)]) == 2
    assert capsys.readouterr().err == (
        f"entitle import: {source}: {NOTHING} in this path: the folder holds 1 file but no "
        "package.xml, sfdx-project.json or metadata type folder (entitlementProcesses, "
        "milestoneTypes, entitlementTemplates, settings, ...)\n"
    )
    assert sha256(workspace) == digest


def test_an_empty_zip_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "none.zip"
    zipfile.ZipFile(archive, "w").close()
    assert main(["import", str(tmp_path / "new.entitle"), str(archive)]) == 2
    assert capsys.readouterr().err == (
        f"entitle import: {archive}: {NOTHING} in this path: the zip is empty\n"
    )
    assert listing(tmp_path) == ["none.zip"]


def test_a_duplicate_version_1_exits_2_naming_both_files(
    tmp_path: Path, existing: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    workspace, digest = existing
    folder = tmp_path / "proj" / "src" / "entitlementProcesses"
    folder.mkdir(parents=True)
    body = f'<?xml version="1.0"?><EntitlementProcess xmlns="{NS}"><active>true</active></EntitlementProcess>'
    (folder / "gold.entitlementProcess").write_text(body)
    (folder / "gold_v1.entitlementProcess").write_text(body)
    capsys.readouterr()
    assert main(["import", str(workspace), str(tmp_path / "proj")]) == 2
    assert capsys.readouterr().err == (
        f"entitle import: {tmp_path / 'proj'}: src/entitlementProcesses/gold_v1.entitlementProcess: "
        "version 1 of process 'gold' is also defined by "
        "src/entitlementProcesses/gold.entitlementProcess (a file name without _vN and no "
        "<versionNumber> is version 1); keep only one of the two files\n"
    )
    assert sha256(workspace) == digest


def test_a_failure_after_creating_the_workspace_removes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise ValueError("cannot store this")

    monkeypatch.setattr(metadata_import, "import_project", refuse)
    workspace = tmp_path / "new.entitle"
    assert main(["import", str(workspace), str(CORPUS / "mmg-opp1__JCRC-Dev")]) == 2
    assert capsys.readouterr().err.endswith(": cannot store this\n")
    assert listing(tmp_path) == []


def test_reimport_says_unchanged(
    existing: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    workspace, _ = existing
    capsys.readouterr()
    assert main(["import", str(workspace), str(CORPUS / "mmg-opp1__JCRC-Dev")]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Import complete.",
        "  business hours: 0 added, 0 updated, 1 unchanged",
        "  entitlement process versions: 0 added, 0 updated, 1 unchanged",
        "  milestone types: 0 added, 0 updated, 4 unchanged",
    ]
