"""Where exports may be written: a user's folder is never wiped (F17), a file is never
replaced by a folder (F18), wrong kinds of --out are refused with a message (F19), missing
parents are created (F1), a failed write names the path and leaves nothing behind (F20),
and folders get the ordinary mode (F21)."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from entitle_desktop.interchange import dataloader_csv
from entitle_desktop.services import demo
from entitle_desktop.services.bundle_io import export_bundle
from entitle_desktop.services.csv_io import export_data
from entitle_desktop.services.export_target import ExportTargetError, check_metadata_folder
from entitle_desktop.services.metadata_export import export_metadata
from entitle_desktop.services.workspace import Workspace

FIX = ["approximate-hours"]
CORPUS = Path(__file__).resolve().parents[2].parent / "shared/corpus/salesforce-metadata"


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.entitle"
    demo.create_demo_workspace(path).close()
    return path


@pytest.fixture
def ws(demo_path: Path) -> Iterator[Workspace]:
    with Workspace.open(demo_path) as workspace:
        yield workspace


def _tree(root: Path) -> dict[str, str]:
    """Every entry under ``root``: files by content hash, folders as '/'."""
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        out[rel] = "/" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _user_folder(root: Path) -> Path:
    root.mkdir()
    (root / "README.txt").write_text("precious\n")
    (root / "sub").mkdir()
    (root / "sub" / "main.py").write_text("print('code')\n")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return root


# --------------------------------------------------------------------------- F17, F18


@pytest.mark.parametrize("layout", ["mdapi", "source"])
def test_a_metadata_export_refuses_a_folder_holding_other_files(
    ws: Workspace, tmp_path: Path, layout: str
) -> None:
    victim = _user_folder(tmp_path / "victim")
    before = _tree(victim)
    with pytest.raises(ExportTargetError) as info:
        export_metadata(ws, victim, layout=layout, fixes=FIX)
    assert str(info.value) == (
        f"{victim} is not empty (it holds .git, which a metadata export does not write); "
        "choose an empty or new folder"
    )
    assert info.value.path == victim
    assert _tree(victim) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["victim"]  # no staging left


def test_the_offending_entry_is_named_even_without_hidden_files(
    ws: Workspace, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    (project / "force-app/main/default/classes").mkdir(parents=True)
    (project / "force-app/main/default/classes/Svc.cls").write_text("public class Svc {}")
    (project / "sfdx-project.json").write_text("{}")
    with pytest.raises(ExportTargetError, match="it holds sfdx-project.json, which no earlier"):
        export_metadata(ws, project, layout="source", fixes=FIX)
    assert (project / "force-app/main/default/classes/Svc.cls").read_text() == (
        "public class Svc {}"
    )


def test_an_empty_folder_and_an_earlier_export_are_written(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    export_metadata(ws, tmp_path / "empty", fixes=FIX)
    assert (tmp_path / "empty/src/package.xml").is_file()
    export_metadata(ws, tmp_path / "again", layout="source", fixes=FIX)
    check_metadata_folder(tmp_path / "again")  # an earlier export: accepted
    export_metadata(ws, tmp_path / "again", fixes=FIX)  # replaced as a whole
    assert not (tmp_path / "again/force-app").exists()
    assert (tmp_path / "again/src/package.xml").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again", "empty"]


def test_an_earlier_export_edited_by_hand_is_refused(ws: Workspace, tmp_path: Path) -> None:
    out = export_metadata(ws, tmp_path / "md", fixes=FIX)
    edited = out / "src/milestoneTypes/First Response.milestoneType"
    edited.write_text("<MilestoneType/>")
    added = out / "src/milestoneTypes/Old.milestoneType"
    before = _tree(out)
    with pytest.raises(ExportTargetError, match="it holds src/milestoneTypes/First Response"):
        export_metadata(ws, out, fixes=FIX)
    edited.unlink()
    added.write_text("<MilestoneType/>")  # a hand-made file, though in a folder we write
    with pytest.raises(ExportTargetError, match="it holds src/milestoneTypes/Old.milestoneType"):
        export_metadata(ws, out, fixes=FIX)
    added.unlink()
    before.pop("src/milestoneTypes/First Response.milestoneType")
    assert _tree(out) == before
    export_metadata(ws, out, fixes=FIX)  # the rest is as exported: replaced
    assert (out / "src/milestoneTypes/First Response.milestoneType").read_text() != (
        "<MilestoneType/>"
    )


@pytest.mark.parametrize("layout", ["mdapi", "source"])
def test_a_retrieved_project_of_entitlement_metadata_only_is_never_replaced(
    ws: Workspace, tmp_path: Path, layout: str
) -> None:
    """A project retrieved from an org holds the very folders an export writes; it was not
    written here, so it is refused (not wiped), whichever layout is exported."""
    for name in ("fpintelandgraf__alpinedemo", "Umesh25J__CuriousOrg"):
        org = tmp_path / name
        shutil.copytree(CORPUS / name, org)
        before = _tree(org)
        with pytest.raises(ExportTargetError, match="which no earlier export wrote there"):
            export_metadata(ws, org, layout=layout, fixes=FIX)
        assert _tree(org) == before


def test_the_reference_project_is_never_the_output(ws: Workspace, tmp_path: Path) -> None:
    org = tmp_path / "org"
    shutil.copytree(CORPUS / "fpintelandgraf__alpinedemo", org)
    before = _tree(org)
    for out in (org, org / "src", tmp_path):
        with pytest.raises(ExportTargetError, match="the target org's project"):
            export_metadata(ws, out, fixes=FIX, reference=org)
    assert _tree(org) == before


def test_a_metadata_export_never_replaces_a_file(ws: Workspace, tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("precious\n")
    with pytest.raises(ExportTargetError) as info:
        export_metadata(ws, target, fixes=FIX)
    assert str(info.value) == (
        f"{target} is a file, not a folder; choose an empty or new folder for the export"
    )
    assert target.read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_metadata_export_creates_missing_parent_folders(ws: Workspace, tmp_path: Path) -> None:
    out = export_metadata(ws, tmp_path / "a" / "b" / "md", fixes=FIX)
    assert (out / "src/package.xml").is_file()


# --------------------------------------------------------------------------- F19, F1


@pytest.mark.parametrize("fmt", ["csv", "datatree"])
def test_data_files_refuse_a_file_as_their_folder(ws: Workspace, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / "victim.txt"
    target.write_text("precious\n")
    with pytest.raises(ExportTargetError) as info:
        export_data(ws, target, format=fmt)
    assert str(info.value) == (
        f"{target} is a file, not a folder; choose a folder (new or existing) for the files"
    )
    assert target.read_text() == "precious\n"


@pytest.mark.parametrize("fmt", ["csv", "datatree"])
def test_data_files_go_beside_what_a_folder_holds(ws: Workspace, tmp_path: Path, fmt: str) -> None:
    folder = _user_folder(tmp_path / "data")
    before = _tree(folder)
    files = export_data(ws, folder, format=fmt)
    after = _tree(folder)
    assert {k: v for k, v in after.items() if k in before} == before
    assert sorted(set(after) - set(before)) == sorted(p.name for p in files)


def test_a_bundle_refuses_a_folder_and_a_file_that_is_not_a_bundle(
    ws: Workspace, tmp_path: Path
) -> None:
    folder = _user_folder(tmp_path / "folder")
    with pytest.raises(ExportTargetError) as info:
        export_bundle(ws, folder)
    assert str(info.value) == (
        f"{folder} is a folder; give the bundle's file name (for example name.entitlebundle)"
    )
    text = tmp_path / "notes.txt"
    text.write_text("precious\n")
    with pytest.raises(ExportTargetError) as info:
        export_bundle(ws, text)
    assert (
        str(info.value) == f"{text} exists and is not an Entitle bundle; choose another file name"
    )
    assert text.read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "notes.txt"]


def test_a_bundle_goes_into_missing_folders_and_replaces_an_earlier_bundle(
    ws: Workspace, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "deep" / "demo.entitlebundle"
    export_bundle(ws, out)
    first = out.stat().st_size
    assert first > 0
    export_bundle(ws, out, processes=["Premium Support"])
    assert 0 < out.stat().st_size < first
    assert sorted(p.name for p in out.parent.iterdir()) == ["demo.entitlebundle"]


# --------------------------------------------------------------------------- F20


def _no_space(*_args: object, **_kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_disk_full_during_a_metadata_export_names_the_folder_and_keeps_the_old_export(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = export_metadata(ws, tmp_path / "md", processes=["Premium Support"])
    before = _tree(out)
    real = Path.write_bytes
    calls = {"n": 0}

    def fill_up(self: Path, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] > 3:
            _no_space()
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", fill_up)
    with pytest.raises(ExportTargetError) as info:
        export_metadata(ws, out, fixes=FIX)
    assert str(info.value) == (
        f"{out} could not be written (no space left on the disk); nothing was written"
    )
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["md"]
    with pytest.raises(ExportTargetError, match="no space left on the disk"):
        export_metadata(ws, tmp_path / "new" / "md", fixes=FIX)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["md"]  # no empty folders left


@pytest.mark.parametrize("fmt", ["csv", "datatree"])
def test_disk_full_during_data_files_leaves_no_empty_folder(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setattr(dataloader_csv.os, "fsync", _no_space)
    out = tmp_path / "made" / fmt
    with pytest.raises(ExportTargetError) as info:
        export_data(ws, out, format=fmt)
    assert str(info.value) == (
        f"{out} could not be written (no space left on the disk); nothing was written"
    )
    assert list(tmp_path.iterdir()) == []
    existing = tmp_path / "existing"
    existing.mkdir()
    with pytest.raises(ExportTargetError):
        export_data(ws, existing, format=fmt)
    assert list(existing.iterdir()) == []  # the user's folder stays, with no temp files


def test_disk_full_during_a_bundle_names_it_and_leaves_nothing(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from entitle_desktop.interchange import bundle

    monkeypatch.setattr(bundle.os, "fsync", _no_space)
    out = tmp_path / "new" / "demo.entitlebundle"
    with pytest.raises(ExportTargetError) as info:
        export_bundle(ws, out)
    assert str(info.value) == (
        f"{out} could not be written (no space left on the disk); nothing was written"
    )
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- F21


@pytest.fixture
def umask_027() -> Iterator[None]:
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_export_folders_get_the_mode_the_umask_gives(
    ws: Workspace, tmp_path: Path, umask_027: None
) -> None:
    md = export_metadata(ws, tmp_path / "parent" / "md", layout="source", fixes=FIX)
    folders = [md, md.parent, *(p for p in md.rglob("*") if p.is_dir())]
    assert {_mode(p) for p in folders} == {0o750}
    assert {_mode(p) for p in md.rglob("*") if p.is_file()} == {0o640}
    export_data(ws, tmp_path / "csv")
    assert _mode(tmp_path / "csv") == 0o750


def test_the_current_folder_is_never_replaced(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    with pytest.raises(ExportTargetError) as info:
        export_metadata(ws, Path("."), fixes=FIX)
    assert str(info.value) == (
        ". is the current folder (or holds it); the export replaces its folder as a whole: "
        "choose a new folder"
    )
    export_metadata(ws, Path("md"), fixes=FIX)  # a relative new folder is fine
    assert (here / "md" / "src" / "package.xml").is_file()
    assert sorted(p.name for p in here.iterdir()) == ["md"]


def test_replacing_an_earlier_export_touches_no_sibling_folder(
    ws: Workspace, tmp_path: Path
) -> None:
    out = export_metadata(ws, tmp_path / "md", fixes=FIX)
    sibling = tmp_path / ".md.old"
    sibling.mkdir()
    (sibling / "precious.txt").write_text("precious\n")
    export_metadata(ws, out, fixes=FIX)
    assert (sibling / "precious.txt").read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".md.old", "md"]


def test_an_unusable_state_folder_does_not_fail_a_written_export(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "statefile").write_text("not a folder")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "statefile" / "sub"))
    out = export_metadata(ws, tmp_path / "md", fixes=FIX)
    assert (out / "src/package.xml").is_file()
    export_metadata(ws, out, fixes=FIX)  # the very same files: replaced
    with pytest.raises(ExportTargetError, match="which no earlier export wrote there"):
        export_metadata(ws, out, layout="source", fixes=FIX)  # not remembered: refused


def test_a_fifo_in_an_earlier_export_is_refused_without_reading_it(
    ws: Workspace, tmp_path: Path
) -> None:
    out = export_metadata(ws, tmp_path / "md", fixes=FIX)
    (out / "src/package.xml").unlink()
    os.mkfifo(out / "src/package.xml")
    with pytest.raises(ExportTargetError, match="it holds src/package.xml"):
        export_metadata(ws, out, fixes=FIX)
