"""File › Export…: each format from the demo workspace, pre-flight listing with fixes, export
against the target org's project. The real dialog is driven through its widgets/methods."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from pytestqt.qtbot import QtBot

from entitle_desktop.services.demo import create_demo_workspace
from entitle_desktop.services.metadata_import import import_metadata
from entitle_desktop.services.workspace import Workspace
from entitle_desktop.ui.exporting import BUNDLE, CSV, DATATREE, MDAPI, SOURCE, ExportDialog
from entitle_desktop.ui.main_window import MainWindow

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
CORPUS = SHARED / "corpus" / "salesforce-metadata"
XSD = SHARED / "spec" / "salesforce-entitlement-metadata.xsd"


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "Demo.entitle"
    create_demo_workspace(path).close()
    return path


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


@pytest.fixture
def demo(demo_path: Path) -> Iterator[Workspace]:
    with Workspace.open(demo_path) as workspace:
        yield workspace


def _dialog(qtbot: QtBot, workspace: Workspace) -> ExportDialog:
    dialog = ExportDialog(workspace)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _preflight(qtbot: QtBot, dialog: ExportDialog) -> None:
    with qtbot.waitSignal(dialog.preflight_finished, timeout=20_000):
        dialog.run_preflight()


def _export(qtbot: QtBot, dialog: ExportDialog) -> str:
    assert dialog.export_button.isEnabled(), dialog.preflight_status.text()
    with qtbot.waitSignal(dialog.export_finished, timeout=30_000) as blocker:
        assert dialog.start_export() is not None
    return str(blocker.args[0])


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _rows(table_issues: ExportDialog) -> list[tuple[str, str, str, str]]:
    table = table_issues.preflight_table
    out = []
    for row in range(table.rowCount()):
        cells = [table.item(row, col) for col in range(4)]
        out.append(tuple(c.text() if c is not None else "" for c in cells))
    return out  # type: ignore[return-value]


def _validate_all(root: Path, schema: etree.XMLSchema) -> int:
    checked = 0
    for rel in _files(root):
        if rel.endswith(("package.xml", "sfdx-project.json")):
            continue
        doc = etree.parse(str(root / rel))
        assert schema.validate(doc), f"{rel}: {schema.error_log}"
        checked += 1
    return checked


# --------------------------------------------------------------------------- formats


def test_file_menu_opens_the_export_dialog(qtbot: QtBot, demo_path: Path) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    assert window.open_workspace(demo_path)
    assert window.export_action.isEnabled()
    dialog = window.export_dialog()
    assert dialog is not None and dialog.isVisible()
    assert dialog.format() == BUNDLE
    assert [dialog.process_list.item(i).text() for i in range(dialog.process_list.count())] == [
        "Field Service",
        "Premium Support",
        "Standard Support",
        "Warranty",
    ]
    assert dialog.account_combo.count() == 30
    assert Path(dialog.output_edit.text()) == demo_path.parent / "Demo.entitlebundle"
    dialog.reject()
    window.close()


def test_native_bundle_of_the_whole_demo(qtbot: QtBot, demo: Workspace, tmp_path: Path) -> None:
    dialog = _dialog(qtbot, demo)
    out = tmp_path / "demo.entitlebundle"
    dialog.set_output(out)
    assert not dialog.preflight_box.isVisible()  # pre-flight is for metadata only
    assert _export(qtbot, dialog) == "exported"
    with zipfile.ZipFile(out) as archive:
        names = sorted(archive.namelist())
    assert names == sorted(
        [
            "manifest.json",
            "settings.json",
            "business_hours.json",
            "holidays.json",
            "milestone_types.json",
            "processes.json",
            "templates.json",
            "experiences.json",
            "other_metadata_files.json",
            "accounts.json",
            "contacts.json",
            "products.json",
            "assets.json",
            "service_contracts.json",
            "contract_line_items.json",
            "entitlements.json",
            "entitlement_contacts.json",
        ]
    )
    summary = dialog.summary_dialog
    assert summary is not None
    assert summary.files == ["demo.entitlebundle"]
    assert summary.text().splitlines()[0] == f"Exported 1 file to {out}"
    assert "Entitlements: 40" in summary.text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.entitlebundle", "qsettings"]


def test_bundle_of_one_accounts_hierarchy(qtbot: QtBot, demo: Workspace, tmp_path: Path) -> None:
    dialog = _dialog(qtbot, demo)
    dialog.set_scope("account")
    dialog.choose_account("001Dm0000000000001")  # Acme Robotics: child accounts come along
    assert dialog.request().account == "001Dm0000000000001"
    dialog.set_output(tmp_path / "acme.entitlebundle")
    assert _export(qtbot, dialog) == "exported"
    assert dialog.summary_dialog is not None
    counts = dict(
        line.split(": ")
        for line in dialog.summary_dialog.browser.toPlainText().splitlines()
        if ": " in line
    )
    assert {k: counts[k] for k in ("Accounts", "Contacts", "Assets", "Entitlements")} == {
        "Accounts": "3",
        "Contacts": "10",
        "Assets": "7",
        "Entitlements": "14",
    }


def test_metadata_api_layout_of_chosen_processes_validates(
    qtbot: QtBot, demo: Workspace, tmp_path: Path, schema: etree.XMLSchema
) -> None:
    dialog = _dialog(qtbot, demo)
    dialog.set_format(MDAPI)
    assert dialog.preflight_box.isVisible() and dialog.metadata_box.isVisible()
    assert not dialog.scope_buttons["account"].isEnabled()
    dialog.set_scope("processes")
    dialog.check_processes(["Premium Support", "Standard Support"])
    assert "milestone types, business hours and holidays they use come along" in (
        dialog.process_note.text()
    )
    dialog.set_output(tmp_path / "md")
    _preflight(qtbot, dialog)
    assert dialog.report is not None and dialog.report.blocking() == []
    assert _export(qtbot, dialog) == "exported"
    files = _files(tmp_path / "md")
    assert files == [
        "src/entitlementProcesses/premium support.entitlementProcess",
        "src/entitlementProcesses/standard support_v1.entitlementProcess",
        "src/entitlementProcesses/standard support_v2.entitlementProcess",
        "src/entitlementProcesses/standard support_v3.entitlementProcess",
        "src/milestoneTypes/Customer Update.milestoneType",
        "src/milestoneTypes/First Response.milestoneType",
        "src/milestoneTypes/Follow Up.milestoneType",
        "src/milestoneTypes/Resolution Time.milestoneType",
        "src/package.xml",
        "src/settings/BusinessHours.settings",
        "src/settings/Entitlement.settings",
    ]
    assert _validate_all(tmp_path / "md", schema) == 10
    package = (tmp_path / "md/src/package.xml").read_text(encoding="utf-8")
    assert "<version>61.0</version>" in package
    assert dialog.summary_dialog is not None
    assert dialog.summary_dialog.files == files


def test_split_shifts_block_the_whole_demo_until_a_fix_is_ticked(
    qtbot: QtBot, demo: Workspace, tmp_path: Path, schema: etree.XMLSchema
) -> None:
    dialog = _dialog(qtbot, demo)
    dialog.set_format(SOURCE)
    dialog.set_output(tmp_path / "src-out")
    _preflight(qtbot, dialog)
    rows = _rows(dialog)
    assert rows == [
        (
            "Error",
            "business hours 'London Office'",
            "Monday–Friday: 2 windows (08:00–12:30, 13:30–18:00); Salesforce holds one window "
            "per day. Approximated as 08:00–18:00: 12:30–13:30 would be worked time in "
            "Salesforce",
            "Fix offered",
        )
    ]
    assert not dialog.export_button.isEnabled()
    assert "Export is blocked" in dialog.preflight_status.text()
    assert list(dialog.fix_boxes) == [
        "approximate_business_hours",
        "omit_inexpressible_business_hours",
    ]
    assert dialog.start_export() is None  # blocked: nothing runs

    dialog.set_fix("approximate_business_hours", True)
    _preflight(qtbot, dialog)
    assert {r[3] for r in _rows(dialog)} == {"✔ Fixed"}
    assert dialog.export_button.isEnabled()
    dialog.set_fix("omit_inexpressible_business_hours", True)  # excludes the other one
    assert dialog.ticked == {"omit_inexpressible_business_hours"}
    assert not dialog.fix_boxes["approximate_business_hours"].isChecked()
    dialog.set_fix("approximate_business_hours", True)
    _preflight(qtbot, dialog)
    assert _export(qtbot, dialog) == "exported"
    files = _files(tmp_path / "src-out")
    assert files == [
        "force-app/main/default/entitlementProcesses/field service.entitlementProcess-meta.xml",
        "force-app/main/default/entitlementProcesses/premium support.entitlementProcess-meta.xml",
        "force-app/main/default/entitlementProcesses/standard support_v1.entitlementProcess-meta.xml",
        "force-app/main/default/entitlementProcesses/standard support_v2.entitlementProcess-meta.xml",
        "force-app/main/default/entitlementProcesses/standard support_v3.entitlementProcess-meta.xml",
        "force-app/main/default/entitlementProcesses/warranty.entitlementProcess-meta.xml",
        "force-app/main/default/entitlementTemplates/Hardware Warranty.entitlementTemplate-meta.xml",
        "force-app/main/default/entitlementTemplates/Premium 24x7 Support.entitlementTemplate-meta.xml",
        "force-app/main/default/entitlementTemplates/Standard Phone Support.entitlementTemplate-meta.xml",
        "force-app/main/default/entitlementTemplates/Web Support 10 cases.entitlementTemplate-meta.xml",
        "force-app/main/default/milestoneTypes/Customer Update.milestoneType-meta.xml",
        "force-app/main/default/milestoneTypes/First Response.milestoneType-meta.xml",
        "force-app/main/default/milestoneTypes/Follow Up.milestoneType-meta.xml",
        "force-app/main/default/milestoneTypes/Resolution Time.milestoneType-meta.xml",
        "force-app/main/default/milestoneTypes/Tech Onsite.milestoneType-meta.xml",
        "force-app/main/default/settings/BusinessHours.settings-meta.xml",
        "force-app/main/default/settings/Entitlement.settings-meta.xml",
    ]
    assert _validate_all(tmp_path / "src-out", schema) == 17
    hours = etree.parse(str(tmp_path / "src-out" / files[15]))
    ns = {"sf": "http://soap.sforce.com/2006/04/metadata"}
    london = [
        e
        for e in hours.getroot().iter(f"{{{ns['sf']}}}businessHours")
        if e.findtext("sf:name", namespaces=ns) == "London Office"
    ]
    times = [
        (
            e.findtext("sf:mondayStartTime", namespaces=ns),
            e.findtext("sf:mondayEndTime", namespaces=ns),
        )
        for e in london
    ]
    assert times == [("08:00:00.000Z", "18:00:00.000Z")]  # approximated: lunch becomes worked


def test_data_loader_csv_of_the_whole_demo(qtbot: QtBot, demo: Workspace, tmp_path: Path) -> None:
    dialog = _dialog(qtbot, demo)
    dialog.set_format(CSV)
    assert not dialog.scope_buttons["processes"].isEnabled()
    dialog.set_output(tmp_path / "csv")
    assert _export(qtbot, dialog) == "exported"
    files = _files(tmp_path / "csv")
    assert files == [
        "Account.csv",
        "Asset.csv",
        "Contact.csv",
        "ContractLineItem.csv",
        "Entitlement.csv",
        "EntitlementContact.csv",
        "Product2.csv",
        "ServiceContract.csv",
    ]
    rows = {
        name: len(list(csv.DictReader(io.StringIO((tmp_path / "csv" / name).read_text()))))
        for name in files
    }
    assert rows == {
        "Account.csv": 30,
        "Asset.csv": 64,
        "Contact.csv": 91,
        "ContractLineItem.csv": 21,
        "Entitlement.csv": 40,
        "EntitlementContact.csv": 60,
        "Product2.csv": 8,
        "ServiceContract.csv": 7,
    }
    assert dialog.summary_dialog is not None and len(dialog.summary_dialog.files) == 8


def test_data_tree_of_the_whole_demo_reimports_equal(
    qtbot: QtBot, demo: Workspace, tmp_path: Path
) -> None:
    from entitle_desktop.services.csv_io import import_data

    dialog = _dialog(qtbot, demo)
    dialog.set_format(DATATREE)
    assert not dialog.scope_buttons["processes"].isEnabled()
    dialog.set_output(tmp_path / "tree")
    assert _export(qtbot, dialog) == "exported"
    assert "plan.json" in _files(tmp_path / "tree")
    with Workspace.create(tmp_path / "again.entitle") as again:
        import_data(again, tmp_path / "tree")
        counts = again.summary().counts
    assert {k: counts[k] for k in ("accounts", "contacts", "assets", "entitlements")} == {
        "accounts": 30,
        "contacts": 91,
        "assets": 64,
        "entitlements": 40,
    }


# --------------------------------------------------------------------------- pre-flight fixes


@pytest.fixture
def corpus_workspace(tmp_path: Path) -> Iterator[Workspace]:
    """phani467 (v1..v4 of one process) plus mmg-opp1 (object-prefixed actions)."""
    with Workspace.create(tmp_path / "corpus.entitle") as workspace:
        import_metadata(workspace, CORPUS / "phani467__Metadata-Extract-from-stage")
        import_metadata(workspace, CORPUS / "mmg-opp1__JCRC-Dev")
        yield workspace


def test_object_prefixed_actions_are_listed_and_stripped(
    qtbot: QtBot, corpus_workspace: Workspace, tmp_path: Path, schema: etree.XMLSchema
) -> None:
    dialog = _dialog(qtbot, corpus_workspace)
    dialog.set_format(MDAPI)
    dialog.set_scope("processes")
    dialog.check_processes(["sla policy for cases"])
    dialog.set_output(tmp_path / "out")
    _preflight(qtbot, dialog)
    assert _rows(dialog) == [
        (
            "Warning",
            "entitlementProcesses/sla policy for cases",
            "action names carry an object prefix, which breaks redeploys: "
            "Case.ChangeStatusToEscalated, Case.SendSlaViolationEmailAlert",
            "Fix offered",
        )
    ]
    assert list(dialog.fix_boxes) == ["strip_action_prefixes"]
    assert dialog.export_button.isEnabled()  # a warning does not block
    dialog.set_fix("strip_action_prefixes", True)
    _preflight(qtbot, dialog)
    assert _rows(dialog)[0][3] == "✔ Fixed"
    assert dialog.report is not None and dialog.report.plan.remaining == []
    assert _export(qtbot, dialog) == "exported"
    process = (
        tmp_path / "out/src/entitlementProcesses/sla policy for cases.entitlementProcess"
    ).read_text(encoding="utf-8")
    assert "<name>ChangeStatusToEscalated</name>" in process
    assert "Case.ChangeStatusToEscalated" not in process
    assert "Case.SendSlaViolationEmailAlert" not in process
    _validate_all(tmp_path / "out", schema)


def test_with_the_target_orgs_project_versions_it_has_are_not_written(
    qtbot: QtBot, corpus_workspace: Workspace, tmp_path: Path, schema: etree.XMLSchema
) -> None:
    dialog = _dialog(qtbot, corpus_workspace)
    dialog.set_format(MDAPI)
    dialog.set_api_version("45.0")
    dialog.set_reference(CORPUS / "phani467__Metadata-Extract-from-stage")
    dialog.set_output(tmp_path / "deploy")
    _preflight(qtbot, dialog)
    assert "plan_against_reference" in dialog.fix_boxes
    assert dialog.fix_boxes["plan_against_reference"].isChecked()
    # false (Salesforce's default) in the project: left out with a warning, not an error;
    # the versions the org has are not written, so versioning being off no longer matters
    settings_rows = [r for r in _rows(dialog) if r[1] == "settings/Entitlement.settings"]
    assert settings_rows[0] == (
        "Error",
        "settings/Entitlement.settings",
        "the export holds versioned processes ('IHSM Entitlement Process') but its "
        "Entitlement.settings turns entitlement versioning off; the deploy refuses their "
        "version numbers",
        "✔ Fixed",
    )
    assert settings_rows[1:] == [
        (
            "Warning",
            "settings/Entitlement.settings",
            f"<{name}> arrived in API 47.0; API 45.0 does not know it: left out (it is false, "
            "Salesforce's default)",
            "✔ Fixed",
        )
        for name in (
            "enableMilestoneFeedItem",
            "enableMilestoneStoppedTime",
            "ignoreMilestoneBusinessHours",
        )
    ]
    assert dialog.export_button.isEnabled()
    assert _export(qtbot, dialog) == "exported"
    files = _files(tmp_path / "deploy")
    assert [f for f in files if "entitlementProcesses" in f] == [
        "src/entitlementProcesses/sla policy for cases.entitlementProcess"
    ]
    assert _validate_all(tmp_path / "deploy", schema) == len(files) - 1
    settings = (tmp_path / "deploy/src/settings/Entitlement.settings").read_text()
    assert "enableMilestoneFeedItem" not in settings


def test_metadata_export_into_a_folder_holding_other_files_is_refused_and_nothing_wiped(
    qtbot: QtBot, demo: Workspace, tmp_path: Path
) -> None:
    """F17: the dialog shows the same message as the command line; the folder stays."""
    victim = tmp_path / "project"
    (victim / ".git").mkdir(parents=True)
    (victim / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (victim / "README.txt").write_text("precious\n")
    dialog = _dialog(qtbot, demo)
    dialog.set_format(MDAPI)
    dialog.set_output(victim)
    _preflight(qtbot, dialog)
    dialog.set_fix("approximate_business_hours", True)
    _preflight(qtbot, dialog)
    assert _export(qtbot, dialog) == "failed"
    assert dialog.error_dialog is not None
    assert dialog.error_dialog.message == (
        f"Nothing was written to {victim}.\n\n{victim} is not empty (it holds .git, which a "
        "metadata export does not write); choose an empty or new folder"
    )
    assert _files(victim) == [".git/HEAD", "README.txt"]
    assert (victim / "README.txt").read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "qsettings") == ["project"]
    assert dialog.isVisible()  # the user can choose another folder and export again
    dialog.set_output(tmp_path / "new")
    assert _export(qtbot, dialog) == "exported"
    assert (tmp_path / "new" / "src" / "package.xml").is_file()


def test_csv_export_lists_references_it_cannot_write_in_the_summary(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from entitle_desktop.services.csv_io import import_data

    data = SHARED / "corpus" / "salesforce-data" / "salesforce-misc__Data360MedTechSolutionKit"
    with Workspace.create(tmp_path / "med.entitle") as workspace:
        import_data(workspace, data / "data")
        dialog = _dialog(qtbot, workspace)
        dialog.set_format(CSV)
        dialog.set_output(tmp_path / "csv")
        assert _export(qtbot, dialog) == "exported"
        assert dialog.summary_dialog is not None
        assert dialog.summary_dialog.warnings[0] == (
            "Contact.csv: 2 AccountId references left empty: the Account records have neither "
            "a Salesforce Id nor an external id in the export (first: 'accountRef1')"
        )
        assert len(dialog.summary_dialog.warnings) == 4


def test_browsing_to_a_folder_holding_other_files_exports_into_a_new_folder_inside_it(
    qtbot: QtBot, demo: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from entitle_desktop.ui import exporting

    (tmp_path / "projects").mkdir()
    (tmp_path / "projects" / "notes.txt").write_text("mine\n")
    (tmp_path / "empty").mkdir()
    chosen = iter([str(tmp_path / "projects"), str(tmp_path / "empty")])
    monkeypatch.setattr(exporting.QFileDialog, "getExistingDirectory", lambda *args: next(chosen))
    dialog = _dialog(qtbot, demo)
    dialog.set_format(SOURCE)
    dialog._browse_output()
    assert dialog.output_edit.text() == str(tmp_path / "projects" / "Demo-source")
    dialog._browse_output()
    assert dialog.output_edit.text() == str(tmp_path / "empty")
