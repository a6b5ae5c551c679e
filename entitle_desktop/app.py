"""``entitle-desktop [PATH]``: the desktop app's entry point.

Opens PATH, or the demo workspace in the user's data folder (created on first run).
``--screenshot FILE`` opens the window, lets it settle, saves it to FILE and exits.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

SETTLE_MS = 600


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="entitle-desktop",
        description="Plan and check a support-entitlement setup (opens the demo by default).",
    )
    parser.add_argument("workspace", nargs="?", type=Path, help="workspace file (*.entitle)")
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="FILE",
        help="open the window, wait for it to settle, save a PNG to FILE and exit",
    )
    parser.add_argument(
        "--select",
        metavar="TREE:NODE/NODE/...",
        help="select a navigator node first, e.g. 'setup:Entitlement processes/Gold/v2'",
    )
    parser.add_argument(
        "--row", type=int, metavar="N", help="with --select: also select row N of the table"
    )
    parser.add_argument(
        "--size", metavar="WxH", help="window size, e.g. 1280x800 (default: last size)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from entitle_desktop.ui.main_window import DEFAULT_SIZE, MainWindow
    from entitle_desktop.ui.settings import APPLICATION, ORGANIZATION
    from entitle_desktop.ui.theme import apply_theme

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    apply_theme(app)

    window = MainWindow()
    if args.size:
        width, height = (int(v) for v in args.size.lower().split("x"))
        window.resize(width, height)
    elif args.screenshot is not None:
        window.resize(*DEFAULT_SIZE)  # the same picture whatever size was saved last time
    if args.workspace is not None:
        path = args.workspace
    else:
        from entitle_desktop.services import demo

        path = demo.ensure_default_workspace()
    opened = window.open_workspace(path)
    if args.select and opened:
        tree, _sep, labels = args.select.partition(":")
        index = window.select_path(tree.strip().lower(), [s for s in labels.split("/") if s])
        window.current_tree().expand(index)
        if args.row is not None:
            window.table.selectRow(args.row)
    window.show()

    if args.screenshot is not None:
        target: Path = args.screenshot

        def save_and_quit() -> None:
            app.processEvents()
            saved = window.grab().save(str(target))
            window.close()
            app.exit(0 if saved and opened else 1)

        QTimer.singleShot(SETTLE_MS, save_and_quit)
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main())
