"""Data files imported in separate runs: rows may refer to records an earlier import put in
the workspace (assets to accounts by External_ID__c); a reference to nothing is still a bad
row, and the workspace is left as it was."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from entitle_desktop.cli import main

DATA = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared"
    / "corpus"
    / "salesforce-data"
    / "SFDC-Assets__case-escalation"
    / "data"
)


def test_assets_imported_after_their_accounts_link_to_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = str(tmp_path / "w.entitle")
    assert main(["import", ws, str(DATA / "CaseEscalationAccounts.csv")]) == 0
    assert main(["import", ws, str(DATA / "CaseAssets.csv")]) == 0
    out = capsys.readouterr().out
    assert "  assets: 1,800 added, 0 changed, 0 conflicting, 0 unchanged" in out
    before = hashlib.sha256(Path(ws).read_bytes()).hexdigest()
    orphan = tmp_path / "Asset.csv"
    orphan.write_text("Id,Name,AccountId\n02iX,Thing,001NOPE\n")
    assert main(["import", ws, str(orphan)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == "  Asset.csv, line 2, <AccountId>: no Account with Id '001NOPE'"
    assert hashlib.sha256(Path(ws).read_bytes()).hexdigest() == before
