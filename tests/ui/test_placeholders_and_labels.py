"""What placeholders, process versions and recurrences show: nothing made up for a
placeholder, one label pattern for every version, recurrences in the user's words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from entitle_desktop.services.demo import create_demo_workspace
from entitle_desktop.services.metadata_import import import_metadata
from entitle_desktop.services.workspace import Workspace
from entitle_desktop.ui.catalog import PLACEHOLDER_NOTE, PLACEHOLDER_TOOLTIP, version_label
from entitle_desktop.ui.main_window import MainWindow
from entitle_desktop.ui.models import NavigatorModel
from entitle_desktop.ui.wording import (
    milestone_recurrence_words,
    recurrence_summary_words,
    recurrence_words,
)

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "salesforce-metadata"
PARSAM = CORPUS / "parsam97__Case-Milestone-Bug"


@pytest.fixture(scope="module")
def parsam_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """parsam97 names business hours "Standard" and a milestone type "Close Case" that it
    does not contain: the import makes placeholders of both."""
    path = tmp_path_factory.mktemp("parsam") / "Parsam.entitle"
    with Workspace.create(path) as workspace:
        import_metadata(workspace, PARSAM)
    return path


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "Demo.entitle"
    create_demo_workspace(path).close()
    return path


def _open(qtbot: QtBot, path: Path) -> MainWindow:
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.open_workspace(path)
    win.show()
    return win


@pytest.fixture
def parsam(qtbot: QtBot, parsam_path: Path) -> Iterator[MainWindow]:
    win = _open(qtbot, parsam_path)
    yield win
    win.close()


@pytest.fixture
def demo(qtbot: QtBot, demo_path: Path) -> Iterator[MainWindow]:
    win = _open(qtbot, demo_path)
    yield win
    win.close()


def _rows(window: MainWindow) -> list[tuple[str, ...]]:
    model = window.table_model
    return [
        tuple(model.data(model.index(r, c)) for c in range(model.columnCount()))
        for r in range(model.rowCount())
    ]


def _labels(model: NavigatorModel, parent: QModelIndex) -> list[str]:
    while model.canFetchMore(parent):
        model.fetchMore(parent)
    return [model.data(model.index(r, 0, parent)) for r in range(model.rowCount(parent))]


# ------------------------------------------------------------------ placeholders


def test_placeholder_business_hours_show_only_their_name(parsam: MainWindow) -> None:
    parsam.select_path("setup", ["Business hours"])
    assert [c.title for c in parsam.table_model.columns] == [
        "Name",
        "Time zone",
        "Hours",
        "Active",
        "Default",
    ]
    # No made-up America/Los_Angeles, "(placeholder)" hours or Default "No".
    assert _rows(parsam) == [("Standard", "", "", "", "")]
    model = parsam.table_model
    assert model.data(model.index(0, 0), Qt.ItemDataRole.FontRole).italic()
    assert model.data(model.index(0, 1), Qt.ItemDataRole.ToolTipRole) == PLACEHOLDER_TOOLTIP


def test_placeholder_detail_says_what_it_is_and_what_refers_to_it(parsam: MainWindow) -> None:
    parsam.select_path("setup", ["Business hours"])
    parsam.table.selectRow(0)
    detail = parsam.detail_pane.detail
    assert detail is not None and detail.placeholder
    assert detail.title == "Standard"
    assert detail.note == PLACEHOLDER_NOTE
    assert detail.section("Fields") == [("Name", "Standard")]
    assert detail.section("Referenced by") == [("", "Entitlement process standard support v1")]
    text = parsam.detail_pane.text()
    assert "does not contain it" in text
    assert "Entitlement process standard support v1" in text
    assert "America/Los_Angeles" not in text and "Time zone" not in text


def test_placeholder_milestone_type_names_the_milestone_that_uses_it(
    parsam: MainWindow,
) -> None:
    parsam.select_path("setup", ["Milestone types"])
    assert _rows(parsam) == [
        ("Close Case", "", ""),
        ("Respond to Customer", "Recurs independently", ""),
        ("Touch Point with Customer", "Sequential", ""),
    ]
    parsam.table.selectRow(0)
    detail = parsam.detail_pane.detail
    assert detail is not None
    assert detail.section("Referenced by") == [
        ("", "Entitlement process standard support v1, milestone 3")
    ]


# ------------------------------------------------------------------ version labels


def test_version_labels_follow_one_pattern() -> None:
    assert version_label(3, True) == "v3 (default)"
    assert version_label(2) == "v2"
    assert version_label(3, True, "Standard Support") == "Standard Support v3 (default)"


def test_a_process_without_versioning_shows_v1_default_like_any_other(
    parsam: MainWindow,
) -> None:
    setup = parsam.tree_models["setup"]
    processes = setup.index(_labels(setup, QModelIndex()).index("Entitlement processes (1)"), 0)
    assert _labels(setup, processes) == ["standard support"]
    assert _labels(setup, setup.index(0, 0, processes)) == ["v1 (default)"]

    parsam.select_path("setup", ["Entitlement processes"])
    assert _rows(parsam) == [("standard support", "Case", "1", "1", "Yes")]

    parsam.select_path("setup", ["Entitlement processes", "standard support"])
    assert [c.title for c in parsam.table_model.columns][:2] == ["Version", "Default"]
    assert _rows(parsam)[0][:2] == ("v1", "Yes")

    parsam.select_path("setup", ["Entitlement processes", "standard support", "v1"])
    assert parsam.table_caption.text() == (
        "Process version: standard support v1 (default)  —  3 records"
    )
    detail = parsam.detail_pane.detail
    assert detail is not None and detail.title == "standard support v1"
    fields = dict(detail.section("Fields"))
    assert fields["Version number"] == "1 (no version number set)"
    assert fields["Is version default"] == "Yes (the process's only version)"


def test_versioned_processes_label_their_default(demo: MainWindow) -> None:
    demo.select_path("setup", ["Entitlement processes", "Standard Support"])
    assert [r[:2] for r in _rows(demo)] == [("v1", "No"), ("v2", "No"), ("v3", "Yes")]
    demo.select_path("setup", ["Entitlement processes", "Standard Support", "v3"])
    assert demo.table_caption.text() == (
        "Process version: Standard Support v3 (default)  —  3 records"
    )
    assert demo.search.placeholderText() == "Search in Standard Support v3 (default)…"


# ------------------------------------------------------------------ recurrence words


def test_milestone_type_recurrence_in_words_with_the_api_value_in_the_detail(
    demo: MainWindow,
) -> None:
    demo.select_path("setup", ["Milestone types"])
    assert [(r[0], r[1]) for r in _rows(demo)] == [
        ("Customer Update", "Recurs independently"),
        ("First Response", "None"),
        ("Follow Up", "Sequential"),
        ("Resolution Time", "None"),
        ("Tech Onsite", "None"),
    ]
    demo.table.selectRow(0)
    detail = demo.detail_pane.detail
    assert detail is not None
    fields = dict(detail.section("Fields"))
    assert fields["Recurrence"] == "Recurs independently"
    assert fields["Recurrence type"] == "recursIndependently"


def test_holiday_recurrence_in_words_with_the_api_values_in_the_detail(
    demo: MainWindow,
) -> None:
    demo.select_path("setup", ["Holidays"])
    recurrence = {r[0]: r[3] for r in _rows(demo)}
    assert recurrence == {
        "Boxing Day": "Yearly: 26 December",
        "Christmas Day": "Yearly: 25 December",
        "Christmas Eve afternoon": "Yearly: 24 December",
        "Early May bank holiday": "Yearly: first Monday of May",
        "Independence Day": "Yearly: 4 July",
        "New Year's Day": "Yearly: 1 January",
        "Thanksgiving Day": "Yearly: fourth Thursday of November",
        "Company offsite": "",  # one-off
    }
    demo.table.selectRow(list(recurrence).index("Early May bank holiday"))
    detail = demo.detail_pane.detail
    assert detail is not None and detail.title == "Early May bank holiday"
    fields = dict(detail.section("Fields"))
    assert fields["Recurrence"] == "Yearly: first Monday of May"
    assert fields["Recurrence type"] == "RecursYearlyNth"
    assert fields["Recurrence instance"] == "First"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("none", "None"),
        ("recursIndependently", "Recurs independently"),
        ("recursChained", "Sequential"),
        ("somethingNew", "somethingNew"),
        (None, ""),
    ],
)
def test_milestone_recurrence_words(value: str | None, words: str) -> None:
    assert milestone_recurrence_words(value) == words


def test_holiday_recurrence_words_for_every_kind() -> None:
    assert recurrence_words("RecursDaily") == "Daily"
    assert recurrence_words("RecursDaily", interval=3) == "Every 3 days"
    assert recurrence_words("RecursEveryWeekday") == "Every weekday"
    assert recurrence_words("RecursWeekly", weekdays=["Monday", "Friday"]) == (
        "Weekly: Monday, Friday"
    )
    assert recurrence_words("RecursWeekly", weekdays=["Monday"], interval=2) == (
        "Every 2 weeks: Monday"
    )
    assert recurrence_words("RecursMonthly", day_of_month=15) == "Monthly: day 15"
    assert recurrence_words("RecursMonthlyNth", instance="Last", weekdays=["Friday"]) == (
        "Monthly: last Friday"
    )
    assert recurrence_words("RecursYearly", day_of_month=25, month="December") == (
        "Yearly: 25 December"
    )
    assert recurrence_words("RecursNever") == "RecursNever"


@pytest.mark.parametrize(
    ("summary", "words"),
    [
        ("RecursYearlyNth First Monday May", "Yearly: first Monday of May"),
        ("RecursYearly 25 December", "Yearly: 25 December"),
        ("RecursWeekly Monday,Wednesday", "Weekly: Monday, Wednesday"),
        ("recurring", "Recurring"),
        ("", ""),
        ("RecursYearly 25 Smarch", "RecursYearly 25 Smarch"),  # not understood: as is
    ],
)
def test_holiday_table_summary_in_words(summary: str, words: str) -> None:
    assert recurrence_summary_words(summary) == words
