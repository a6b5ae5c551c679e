"""What the window shows of an imported project's finer points: elements kept verbatim
inside milestones, time triggers and success actions; folder counts with placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex
from pytestqt.qtbot import QtBot

from entitle_desktop.services.workspace import Workspace
from entitle_desktop.ui.catalog import folder_count
from entitle_desktop.ui.main_window import MainWindow
from entitle_desktop.ui.models import NavigatorModel

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "salesforce-metadata"
PARSAM = CORPUS / "parsam97__Case-Milestone-Bug"
NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'

GOLD_PROCESS = f"""<?xml version="1.0" encoding="UTF-8"?>
<EntitlementProcess {NS}>
    <SObjectType>Case</SObjectType>
    <active>true</active>
    <entryStartDateField>Case.CreatedDate</entryStartDateField>
    <milestones>
        <milestoneName>First Response</milestoneName>
        <minutesToComplete>60</minutesToComplete>
        <successActions>
            <name>Notify_Owner</name>
            <type>Alert</type>
            <futureActionFlag>true</futureActionFlag>
        </successActions>
        <timeTriggers>
            <actions>
                <name>Escalate_Case</name>
                <type>FieldUpdate</type>
            </actions>
            <timeLength>-15</timeLength>
            <workflowTimeTriggerUnit>Minutes</workflowTimeTriggerUnit>
            <escalationTier>2</escalationTier>
        </timeTriggers>
        <useCriteriaStartTime>false</useCriteriaStartTime>
        <slaPolicyTag>gold</slaPolicyTag>
    </milestones>
    <versionColour>blue</versionColour>
</EntitlementProcess>
"""
FIRST_RESPONSE = f"""<?xml version="1.0" encoding="UTF-8"?>
<MilestoneType {NS}>
    <recurrenceType>none</recurrenceType>
</MilestoneType>
"""


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> MainWindow:
    path = tmp_path / "Details.entitle"
    Workspace.create(path).close()
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.open_workspace(path)
    win.show()
    return win


@pytest.fixture
def gold_project(tmp_path: Path) -> Path:
    source = tmp_path / "gold-project"
    (source / "src" / "entitlementProcesses").mkdir(parents=True)
    (source / "src" / "milestoneTypes").mkdir()
    (source / "src" / "entitlementProcesses" / "Gold Support.entitlementProcess").write_text(
        GOLD_PROCESS, encoding="utf-8"
    )
    (source / "src" / "milestoneTypes" / "First Response.milestoneType").write_text(
        FIRST_RESPONSE, encoding="utf-8"
    )
    return source


def _import(qtbot: QtBot, window: MainWindow, source: Path) -> None:
    job = window.start_import(source)
    assert job is not None
    with qtbot.waitSignal(job.finished, timeout=60_000) as blocker:
        pass
    job.task.wait()
    assert blocker.args == [True]
    assert job.summary_dialog is not None
    job.summary_dialog.close()


def _labels(model: NavigatorModel, parent: QModelIndex | None = None) -> list[str]:
    parent = parent if parent is not None else QModelIndex()
    while model.canFetchMore(parent):
        model.fetchMore(parent)
    return [model.data(model.index(r, 0, parent)) for r in range(model.rowCount(parent))]


def test_milestone_detail_lists_elements_kept_inside_time_triggers_and_success_actions(
    qtbot: QtBot, window: MainWindow, gold_project: Path
) -> None:
    _import(qtbot, window, gold_project)
    window.select_path("setup", ["Entitlement processes", "Gold Support", "v1"])
    window.table.selectRow(0)
    detail = window.detail_pane.detail
    assert detail is not None and detail.title == "First Response"
    assert detail.section("Unknown elements kept from import") == [
        ("after useCriteriaStartTime", "<slaPolicyTag>gold</slaPolicyTag>"),
        ("success action 1 · after type", "<futureActionFlag>true</futureActionFlag>"),
        (
            "time trigger 1 · after workflowTimeTriggerUnit",
            "<escalationTier>2</escalationTier>",
        ),
    ]
    text = window.detail_pane.text()
    assert "time trigger 1 · after workflowTimeTriggerUnit" in text
    assert "<escalationTier>2</escalationTier>" in text
    assert "<futureActionFlag>true</futureActionFlag>" in text
    assert dict(detail.section("Time triggers")) == {
        "1.": "-15 Minutes → FieldUpdate: Escalate_Case"
    }


def test_version_detail_lists_its_own_and_its_milestones_kept_elements(
    qtbot: QtBot, window: MainWindow, gold_project: Path
) -> None:
    _import(qtbot, window, gold_project)
    window.select_path("setup", ["Entitlement processes", "Gold Support", "v1"])
    detail = window.detail_pane.detail
    assert detail is not None and detail.subtitle == "Process version"
    assert [where for where, _xml in detail.section("Unknown elements kept from import")] == [
        "after milestones",
        "milestone 1 (First Response) · after useCriteriaStartTime",
        "milestone 1 (First Response) › success action 1 · after type",
        "milestone 1 (First Response) › time trigger 1 · after workflowTimeTriggerUnit",
    ]
    text = window.detail_pane.text()
    assert "<versionColour>blue</versionColour>" in text
    assert "<escalationTier>2</escalationTier>" in text


def test_folder_counts_keep_placeholders_apart(qtbot: QtBot, window: MainWindow) -> None:
    # The project names business hours "Standard" and a milestone type "Close Case" that
    # it does not contain: both become placeholders, which the counts show apart.
    _import(qtbot, window, PARSAM)
    setup = window.tree_models["setup"]
    assert _labels(setup) == [
        "Workspace settings",
        "Business hours (0 + 1 placeholder)",
        "Holidays (0)",
        "Milestone types (2 + 1 placeholder)",
        "Entitlement processes (1)",
        "Entitlement templates (0)",
        "Experiences (0)",
        "Other metadata files (0)",
    ]
    window.select_path("setup", ["Milestone types"])
    detail = window.detail_pane.detail
    assert detail is not None
    assert detail.section("Summary") == [("Records", "2"), ("Placeholders", "1")]
    window.select_path("setup", ["Entitlement processes"])
    detail = window.detail_pane.detail
    assert detail is not None
    assert detail.section("Summary") == [("Records", "1")]


@pytest.mark.parametrize(
    ("count", "placeholders", "text"),
    [(12, 0, "12"), (14, 2, "12 + 2 placeholders"), (1, 1, "0 + 1 placeholder"), (0, 0, "0")],
)
def test_folder_count_text(count: int, placeholders: int, text: str) -> None:
    assert folder_count(count, placeholders) == text
