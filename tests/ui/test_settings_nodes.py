"""The Setup navigator's workspace-wide nodes: "Workspace settings" (the setup model and
the Entitlement.settings flags), "Experiences" and "Other metadata files" (the files an
import kept verbatim), on the demo workspace and on imported projects."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from entitle_desktop.services.demo import create_demo_workspace
from entitle_desktop.services.metadata_import import import_metadata
from entitle_desktop.services.workspace import Workspace
from entitle_desktop.ui.catalog import Detail, file_text
from entitle_desktop.ui.main_window import MainWindow
from entitle_desktop.ui.models import NavigatorModel
from entitle_desktop.ui.wording import entitlement_setting_words, size_words

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "salesforce-metadata"
ALPINE = CORPUS / "fpintelandgraf__alpinedemo"
NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'

# alpinedemo's src/settings/Entitlement.settings, in file order.
ALPINE_FLAGS = [
    ("assetLookupLimitedToActiveEntitlementsOnAccount", "No"),
    ("assetLookupLimitedToActiveEntitlementsOnContact", "No"),
    ("assetLookupLimitedToSameAccount", "No"),
    ("assetLookupLimitedToSameContact", "No"),
    ("enableEntitlementVersioning", "No"),
    ("enableEntitlements", "Yes"),
    ("entitlementLookupLimitedToActiveStatus", "No"),
    ("entitlementLookupLimitedToSameAccount", "No"),
    ("entitlementLookupLimitedToSameAsset", "No"),
    ("entitlementLookupLimitedToSameContact", "No"),
]
ALPINE_FLAG_WORDS = [
    "Asset lookup: only assets with active entitlements on the account",
    "Asset lookup: only assets with active entitlements on the contact",
    "Asset lookup: only assets of the same account",
    "Asset lookup: only assets of the same contact",
    "Entitlement versioning",
    "Entitlement management",
    "Entitlement lookup: only active entitlements",
    "Entitlement lookup: only entitlements of the same account",
    "Entitlement lookup: only entitlements of the same asset",
    "Entitlement lookup: only entitlements of the same contact",
]


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "Demo.entitle"
    create_demo_workspace(path).close()
    return path


@pytest.fixture(scope="module")
def alpine_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("alpine") / "Alpine.entitle"
    with Workspace.create(path) as workspace:
        import_metadata(workspace, ALPINE)
    return path


def _imported(tmp_path: Path, files: dict[str, bytes | str]) -> Path:
    """A workspace holding the project made of ``files`` (path -> content), imported."""
    source = tmp_path / "project"
    for name, content in files.items():
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            target.write_text(content, encoding="utf-8")
        else:
            target.write_bytes(content)
    path = tmp_path / "Project.entitle"
    with Workspace.create(path) as workspace:
        import_metadata(workspace, source)
    return path


OpenWindow = Callable[[Path], MainWindow]


@pytest.fixture
def open_window(qtbot: QtBot) -> Iterator[OpenWindow]:
    windows: list[MainWindow] = []

    def open_(path: Path) -> MainWindow:
        window = MainWindow()
        qtbot.addWidget(window)
        assert window.open_workspace(path)
        window.show()
        windows.append(window)
        return window

    yield open_
    for window in windows:
        window.close()


def _labels(model: NavigatorModel, parent: QModelIndex | None = None) -> list[str]:
    parent = parent if parent is not None else QModelIndex()
    while model.canFetchMore(parent):
        model.fetchMore(parent)
    return [model.data(model.index(r, 0, parent)) for r in range(model.rowCount(parent))]


def _child(model: NavigatorModel, label: str) -> QModelIndex:
    return model.index(_labels(model).index(label), 0, QModelIndex())


def _table(window: MainWindow) -> list[tuple[str, ...]]:
    model = window.table_model
    return [
        tuple(model.data(model.index(r, c)) for c in range(model.columnCount()))
        for r in range(model.rowCount())
    ]


def _headers(window: MainWindow) -> list[str]:
    model = window.table_model
    return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]


def _detail(window: MainWindow) -> Detail:
    detail = window.detail_pane.detail
    assert detail is not None
    return detail


# --------------------------------------------------------------------------- demo


def test_setup_tree_has_workspace_settings_first_and_experiences_and_kept_files_last(
    open_window: OpenWindow, demo_path: Path
) -> None:
    window = open_window(demo_path)
    setup = window.tree_models["setup"]
    assert _labels(setup) == [
        "Workspace settings",
        "Business hours (3)",
        "Holidays (8)",
        "Milestone types (5)",
        "Entitlement processes (4)",
        "Entitlement templates (4)",
        "Experiences (2)",
        "Other metadata files (0)",
    ]
    assert _labels(setup, _child(setup, "Experiences (2)")) == [
        "Customer Help Center",
        "Partner Portal",
    ]
    assert not setup.hasChildren(_child(setup, "Workspace settings"))
    assert not setup.hasChildren(_child(setup, "Other metadata files (0)"))


def test_demo_settings_say_the_setup_model_in_words_and_each_flag_with_its_api_name(
    open_window: OpenWindow, demo_path: Path
) -> None:
    window = open_window(demo_path)
    window.select_path("setup", ["Workspace settings"])
    detail = _detail(window)
    assert (detail.title, detail.subtitle) == (
        "Workspace settings",
        "Setup model and Entitlement.settings",
    )
    assert [name for name, _pairs in detail.sections] == [
        "Setup model",
        "Entitlement.settings",
        "Metadata project",
    ]
    assert detail.section("Setup model") == [
        ("Model", "Entitlements + service contracts + contract line items"),
        ("Eligibility decided by", "The products covered on the contract"),
        (
            "Entitlements point at",
            "Account (required), asset, contacts, service contract, contract line item",
        ),
    ]
    assert detail.section("Entitlement.settings") == [
        ("Entitlement versioning", "Yes"),
        ("Entitlement management", "Yes"),
        ("Entitlement lookup: only active entitlements", "Yes"),
        ("Entitlement lookup: only entitlements of the same account", "Yes"),
    ]
    assert detail.key_hints == {
        "Entitlement versioning": "enableEntitlementVersioning",
        "Entitlement management": "enableEntitlements",
        "Entitlement lookup: only active entitlements": "entitlementLookupLimitedToActiveStatus",
        "Entitlement lookup: only entitlements of the same account": (
            "entitlementLookupLimitedToSameAccount"
        ),
    }
    assert detail.section("Metadata project") == [("API version", "61.0")]
    text = window.detail_pane.text()
    assert "Entitlement versioning\nYes\nenableEntitlementVersioning\n" in text


def test_demo_settings_table_lists_the_flags_with_words_api_names_and_values(
    open_window: OpenWindow, demo_path: Path
) -> None:
    window = open_window(demo_path)
    window.select_path("setup", ["Workspace settings"])
    assert window.table_caption.text() == "Workspace settings  —  4 Entitlement.settings flags"
    assert _headers(window) == ["Setting", "API name", "Value"]
    assert _table(window) == [
        ("Entitlement versioning", "enableEntitlementVersioning", "Yes"),
        ("Entitlement management", "enableEntitlements", "Yes"),
        (
            "Entitlement lookup: only active entitlements",
            "entitlementLookupLimitedToActiveStatus",
            "Yes",
        ),
        (
            "Entitlement lookup: only entitlements of the same account",
            "entitlementLookupLimitedToSameAccount",
            "Yes",
        ),
    ]
    window.search.setText("lookup")
    window.apply_search()
    assert [row[1] for row in _table(window)] == [
        "entitlementLookupLimitedToActiveStatus",
        "entitlementLookupLimitedToSameAccount",
    ]
    assert window.table_caption.text() == (
        "Workspace settings  —  2 Entitlement.settings flags matching “lookup”"
    )


def test_a_settings_row_keeps_the_settings_detail_and_opens_nothing(
    open_window: OpenWindow, demo_path: Path
) -> None:
    window = open_window(demo_path)
    window.select_path("setup", ["Workspace settings"])
    window.table.selectRow(1)
    assert _detail(window).title == "Workspace settings"
    # A flag has no node of its own: a double-click finds nothing to open.
    assert window.reveal(window.table_model.keys()[1]) is False
    assert window.tree_models["setup"].data(window.current_tree().currentIndex()) == (
        "Workspace settings"
    )


def test_demo_experiences_table_says_what_each_exposes(
    open_window: OpenWindow, demo_path: Path
) -> None:
    window = open_window(demo_path)
    window.select_path("setup", ["Experiences"])
    assert window.table_caption.text() == "Experiences  —  2 records"
    assert _headers(window) == [
        "Name",
        "Exposes entitlements",
        "Entitlement fields shown",
        "Cases get an entitlement",
    ]
    assert _table(window) == [
        ("Customer Help Center", "Yes", "Name, StartDate, EndDate, Status", "Yes"),
        ("Partner Portal", "Yes", "Name, EndDate", "No"),
    ]
    detail = _detail(window)
    assert (detail.title, detail.subtitle) == ("Experiences", "Folder")
    assert detail.section("Summary") == [("Records", "2")]


def test_an_experience_is_shown_among_its_siblings_with_its_fields(
    open_window: OpenWindow, demo_path: Path
) -> None:
    window = open_window(demo_path)
    window.select_path("setup", ["Experiences", "Partner Portal"])
    assert window.table_caption.text() == "Experiences  —  2 records"
    assert [i.row() for i in window.table.selectionModel().selectedRows()] == [1]
    detail = _detail(window)
    assert (detail.title, detail.subtitle) == ("Partner Portal", "Experience")
    assert detail.sections == [
        (
            "Fields",
            [
                ("Name", "Partner Portal"),
                ("Exposes entitlements", "Yes"),
                ("Entitlement fields shown", "Name, EndDate"),
                ("Cases created there get an entitlement", "No"),
            ],
        )
    ]


# --------------------------------------------------------------------------- alpinedemo


def test_alpinedemo_settings_are_its_entitlement_settings_in_file_order(
    open_window: OpenWindow, alpine_path: Path
) -> None:
    window = open_window(alpine_path)
    assert _labels(window.tree_models["setup"]) == [
        "Workspace settings",
        "Business hours (5)",
        "Holidays (10)",
        "Milestone types (7)",
        "Entitlement processes (4)",
        "Entitlement templates (6)",
        "Experiences (0)",
        "Other metadata files (2)",
    ]
    window.select_path("setup", ["Workspace settings"])
    detail = _detail(window)
    # A metadata project does not say which model: the workspace keeps its own.
    assert detail.section("Setup model") == [
        ("Model", "Entitlements only"),
        ("Eligibility decided by", "The account, contact or asset"),
        ("Entitlements point at", "Account (required), asset, contacts"),
    ]
    assert detail.section("Entitlement.settings") == [
        (words, value) for words, (_api, value) in zip(ALPINE_FLAG_WORDS, ALPINE_FLAGS, strict=True)
    ]
    assert [detail.key_hints[words] for words in ALPINE_FLAG_WORDS] == [
        api for api, _value in ALPINE_FLAGS
    ]
    assert detail.section("Metadata project") == [("API version", "38.0")]
    assert "Unknown elements kept from import" not in [name for name, _ in detail.sections]
    assert window.table_caption.text() == "Workspace settings  —  10 Entitlement.settings flags"
    assert [(api, value) for _words, api, value in _table(window)] == ALPINE_FLAGS


def test_alpinedemo_kept_files_are_listed_with_their_sizes(
    open_window: OpenWindow, alpine_path: Path
) -> None:
    window = open_window(alpine_path)
    setup = window.tree_models["setup"]
    assert _labels(setup, _child(setup, "Other metadata files (2)")) == [
        "src/package.xml",
        "src/settings/Case.settings",
    ]
    window.select_path("setup", ["Other metadata files"])
    assert window.table_caption.text() == "Other metadata files  —  2 files"
    assert _headers(window) == ["Path", "Size"]
    assert _table(window) == [
        ("src/package.xml", "9.7 KB"),
        ("src/settings/Case.settings", "3.2 KB"),
    ]
    detail = _detail(window)
    assert (detail.title, detail.subtitle) == (
        "Other metadata files",
        "Folder · files kept verbatim, exported unchanged",
    )
    assert detail.section("Summary") == [("Records", "2"), ("Total size", "12.9 KB")]
    window.search.setText("CASE")
    window.apply_search()
    assert _table(window) == [("src/settings/Case.settings", "3.2 KB")]


def test_a_kept_file_shows_its_text_verbatim_and_escaped(
    open_window: OpenWindow, alpine_path: Path
) -> None:
    window = open_window(alpine_path)
    window.select_path("setup", ["Other metadata files"])
    window.table.selectRow(1)
    detail = _detail(window)
    assert (detail.title, detail.subtitle) == (
        "src/settings/Case.settings",
        "Other metadata file · kept verbatim, exported unchanged",
    )
    assert detail.section("Fields") == [
        ("Path", "src/settings/Case.settings"),
        ("Size", "3.2 KB (3,252 bytes)"),
    ]
    original = (ALPINE / "src" / "settings" / "Case.settings").read_text(encoding="utf-8")
    assert detail.verbatim is not None
    assert (detail.verbatim.title, detail.verbatim.text) == ("Text", original)
    assert detail.verbatim.cut_note == "" and detail.note == ""
    # Escaped: the tags are shown as text, not swallowed as markup; in a monospace block.
    text = window.detail_pane.text()
    assert '<CaseSettings xmlns="http://soap.sforce.com/2006/04/metadata">' in text
    assert "<caseCloseNotificationTemplate>ServiceTemplates/Default_Email_Template<" in text
    assert "font-family:'monospace'" in window.detail_pane.browser.toHtml()


def test_a_kept_file_is_selected_in_its_folder_from_the_navigator(
    open_window: OpenWindow, alpine_path: Path
) -> None:
    window = open_window(alpine_path)
    setup = window.tree_models["setup"]
    folder = _child(setup, "Other metadata files (2)")
    _labels(setup, folder)
    window.navigator.setCurrentIndex(1)
    window.trees["setup"].setCurrentIndex(setup.index(0, 0, folder))
    assert window.table_caption.text() == "Other metadata files  —  2 files"
    assert [i.row() for i in window.table.selectionModel().selectedRows()] == [0]
    detail = _detail(window)
    assert detail.title == "src/package.xml"
    assert detail.section("Fields")[1] == ("Size", "9.7 KB (9,964 bytes)")


# --------------------------------------------------------------------------- other projects


def test_a_workspace_without_entitlement_settings_says_so(
    open_window: OpenWindow, tmp_path: Path
) -> None:
    path = tmp_path / "Empty.entitle"
    Workspace.create(path).close()
    window = open_window(path)
    window.select_path("setup", ["Workspace settings"])
    detail = _detail(window)
    assert detail.sections == [
        (
            "Setup model",
            [
                ("Model", "Entitlements only"),
                ("Eligibility decided by", "The account, contact or asset"),
                ("Entitlements point at", "Account (required), asset, contacts"),
            ],
        ),
        (
            "Entitlement.settings",
            [("", "None: no Entitlement.settings has been imported into this workspace.")],
        ),
    ]
    assert window.table_caption.text() == "Workspace settings  —  0 Entitlement.settings flags"
    assert "None: no Entitlement.settings has been imported" in window.detail_pane.text()


def test_settings_elements_the_model_does_not_know_are_shown_kept(
    open_window: OpenWindow, tmp_path: Path
) -> None:
    path = _imported(
        tmp_path,
        {
            "src/settings/Entitlement.settings": (
                f'<?xml version="1.0" encoding="UTF-8"?>\n<EntitlementSettings {NS}>\n'
                "    <enableEntitlementVersioning>true</enableEntitlementVersioning>\n"
                "    <enableEntitlements>true</enableEntitlements>\n"
                "    <enableMilestoneFeedItem>false</enableMilestoneFeedItem>\n"
                "    <enableCaseSwarming>true</enableCaseSwarming>\n"
                "</EntitlementSettings>\n"
            ),
            "src/settings/BusinessHours.settings": (
                f'<?xml version="1.0" encoding="UTF-8"?>\n<BusinessHoursSettings {NS}>\n'
                "    <businessHoursTimeZoneMode>org</businessHoursTimeZoneMode>\n"
                "</BusinessHoursSettings>\n"
            ),
        },
    )
    window = open_window(path)
    window.select_path("setup", ["Workspace settings"])
    detail = _detail(window)
    assert detail.section("Entitlement.settings") == [
        ("Entitlement versioning", "Yes"),
        ("Entitlement management", "Yes"),
        ("Milestone feed items", "No"),
    ]
    assert detail.key_hints["Milestone feed items"] == "enableMilestoneFeedItem"
    assert detail.section("Unknown elements kept from import") == [
        (
            "Entitlement.settings · after enableMilestoneFeedItem",
            "<enableCaseSwarming>true</enableCaseSwarming>",
        ),
        (
            "BusinessHours.settings · first",
            "<businessHoursTimeZoneMode>org</businessHoursTimeZoneMode>",
        ),
    ]
    assert "<enableCaseSwarming>true</enableCaseSwarming>" in window.detail_pane.text()


def test_a_large_kept_file_is_cut_with_a_note_and_markup_in_it_stays_text(
    open_window: OpenWindow, tmp_path: Path
) -> None:
    line = "// <b>not bold</b> & <script>alert(1)</script>\n"
    body = line * 6536  # 307,192 bytes
    path = _imported(
        tmp_path,
        {
            "src/package.xml": f'<?xml version="1.0"?>\n<Package {NS}><version>61.0</version></Package>\n',
            "src/classes/Big.cls": body,
        },
    )
    window = open_window(path)
    window.select_path("setup", ["Other metadata files"])
    assert _table(window) == [("src/package.xml", "113 bytes"), ("src/classes/Big.cls", "300.0 KB")]
    window.table.selectRow(1)
    detail = _detail(window)
    assert detail.section("Fields")[1] == ("Size", "300.0 KB (307,192 bytes)")
    assert detail.verbatim is not None
    # Cut at the end of the last whole line within 200 KB: 4,357 of the 6,536 lines.
    assert detail.verbatim.text == line * 4357
    assert detail.note == (
        "Only the first 200.0 KB of this 300.0 KB file are shown. "
        "The whole file is kept and exported unchanged."
    )
    assert detail.verbatim.cut_note == "… 100.0 KB (102,413 bytes) more not shown."
    text = window.detail_pane.text()
    assert "// <b>not bold</b> & <script>alert(1)</script>" in text
    assert text.rstrip().endswith("more not shown.")


def test_a_binary_kept_file_is_not_shown_as_text(open_window: OpenWindow, tmp_path: Path) -> None:
    path = _imported(
        tmp_path,
        {
            "src/package.xml": f'<?xml version="1.0"?>\n<Package {NS}><version>61.0</version></Package>\n',
            "src/staticresources/logo.resource": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00",
        },
    )
    window = open_window(path)
    window.select_path("setup", ["Other metadata files"])
    row = [r[0] for r in _table(window)].index("src/staticresources/logo.resource")
    window.table.selectRow(row)
    detail = _detail(window)
    assert detail.verbatim is None
    assert detail.section("Fields") == [
        ("Path", "src/staticresources/logo.resource"),
        ("Size", "19 bytes"),
    ]
    assert detail.section("Text") == [("", "Not shown: the file is not UTF-8 text.")]


# --------------------------------------------------------------------------- plain values


@pytest.mark.parametrize(
    ("content", "limit", "expected"),
    [
        (b"<a>\r\n  b\r\n</a>", 100, ("<a>\n  b\n</a>", 14)),
        (b"\xef\xbb\xbf<x/>\n", 100, ("<x/>\n", 8)),
        # Cut through "é" (two bytes) with no line end in the second half: the half
        # character is dropped, the file is still text.
        (b"abcd\xc3\xa9fgh", 5, ("abcd", 4)),
        (b"ab\ncdefgh", 6, ("ab\ncde", 6)),
        (b"abc\ndefgh", 6, ("abc\n", 4)),
        (b"\xff\xfe\x00a", 100, None),
        (b"a\x00b", 100, None),
        (b"", 100, ("", 0)),
    ],
)
def test_file_text_decodes_and_cuts_at_a_line_end(
    content: bytes, limit: int, expected: tuple[str, int] | None
) -> None:
    assert file_text(content, limit) == expected


@pytest.mark.parametrize(
    ("size", "words"),
    [(0, "0 bytes"), (1, "1 byte"), (1023, "1,023 bytes"), (9964, "9.7 KB"), (1_363_148, "1.3 MB")],
)
def test_size_words(size: int, words: str) -> None:
    assert size_words(size) == words


def test_an_entitlement_setting_this_does_not_know_is_split_at_its_capitals() -> None:
    assert entitlement_setting_words("enableCaseFeedItem") == "Enable case feed item"
    assert entitlement_setting_words("ignoreMilestoneBusinessHours") == (
        "Elapsed and stopped time ignore business hours"
    )


def test_kept_files_are_read_a_page_at_a_time_without_their_content(alpine_path: Path) -> None:
    with Workspace.open(alpine_path) as workspace:
        assert workspace.other_file_count() == 2
        assert [(f.path, f.size) for f in workspace.other_files(offset=1, limit=5)] == [
            ("src/settings/Case.settings", 3252)
        ]
        assert [f.path for f in workspace.other_files("PACKAGE")] == ["src/package.xml"]
        assert workspace.other_file_count("settings") == 1
        assert workspace.other_file("src/nope.xml") is None
        kept = workspace.other_file("src/package.xml")
        assert kept is not None and len(kept.content) == 9964
