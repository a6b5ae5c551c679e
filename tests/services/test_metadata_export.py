"""Export of a workspace as Salesforce metadata: same files as the reader's project, chosen
processes with what they use, atomic on failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from entitle_desktop.interchange import salesforce_metadata
from entitle_desktop.interchange.errors import InterchangeError
from entitle_desktop.services import demo
from entitle_desktop.services.metadata_export import (
    export_metadata,
    load_metadata_project,
    select_processes,
)
from entitle_desktop.services.metadata_import import import_metadata
from entitle_desktop.services.workspace import Workspace

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "salesforce-metadata"
PROJECTS = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("project", PROJECTS)
def test_export_writes_what_the_reader_read(tmp_path: Path, project: str) -> None:
    original, _notes = salesforce_metadata.read_project(CORPUS / project)
    expected = tmp_path / "expected"
    salesforce_metadata.write_project(original, expected, layout=original.layout)
    with Workspace.create(tmp_path / "w.entitle") as ws:
        import_metadata(ws, CORPUS / project)
        out = export_metadata(ws, tmp_path / "out", layout=original.layout)
    assert _files(out) == _files(expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["expected", "out", "w.entitle"]


def test_chosen_processes_come_with_what_they_use(tmp_path: Path) -> None:
    with Workspace.create(tmp_path / "w.entitle") as ws:
        import_metadata(ws, CORPUS / "fpintelandgraf__alpinedemo")
        project = load_metadata_project(ws)
    chosen = select_processes(project, ["premium field service"])
    assert [v.name for v in chosen.processes] == ["premium field service"]
    used = {m.milestone_name for v in chosen.processes for m in v.milestones}
    assert {m.name for m in chosen.milestone_types} == used
    assert chosen.templates == [] and chosen.other_files == []
    with pytest.raises(KeyError, match="Nope"):
        select_processes(project, ["Nope"])


def test_a_failing_export_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "demo.entitle"
    with demo.create_demo_workspace(path) as ws:
        (tmp_path / "out").mkdir()
        (tmp_path / "out" / "keep.txt").write_text("previous export")
        with pytest.raises(InterchangeError, match="London Office"):  # split shift: not exportable
            export_metadata(ws, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.entitle", "out"]
    assert (tmp_path / "out" / "keep.txt").read_text() == "previous export"


def test_export_replaces_a_previous_export(tmp_path: Path) -> None:
    with Workspace.create(tmp_path / "w.entitle") as ws:
        import_metadata(ws, CORPUS / "mmg-opp1__JCRC-Dev")
        (tmp_path / "out").mkdir()
        (tmp_path / "out" / "stale.txt").write_text("old")
        export_metadata(ws, tmp_path / "out", layout="source")
    files = _files(tmp_path / "out")
    assert "stale.txt" not in files
    assert "force-app/main/default/milestoneTypes/Follow Up.milestoneType-meta.xml" in files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "w.entitle"]
