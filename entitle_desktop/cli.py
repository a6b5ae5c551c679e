"""The ``entitle`` command line: headless access to the same services as the app.

Exit codes: 0 success, 1 failure of the program itself, 2 bad input (message on stderr);
``validate`` exits 1 when pre-flight finds errors.
141 when stdout is a pipe whose reader stopped early (``| head``), with nothing on stderr.
Subcommand names are fixed so that scripts can rely on them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
#: stdout was a pipe whose reader quit early (128 + SIGPIPE, as a shell reports it)
EXIT_BROKEN_PIPE = 141
#: ``--fix`` values: the flags of ``salesforce_metadata.PREFLIGHT_FIXES`` (a test keeps them
#: equal; written out so that building the parser does not import lxml)
FIX_FLAGS = (
    "strip-action-prefixes",
    "drop-unsupported-settings",
    "approximate-hours",
    "omit-inexpressible-hours",
    "single-default-hours",
    "enable-versioning",
)
_METADATA_FORMATS = ("mdapi", "source")


class CommandError(Exception):
    """Bad input from the user: printed on stderr, exit code 2."""


def _open_workspace(path: Path, create: bool = False) -> Any:
    from entitle_desktop.services.workspace import Workspace, WorkspaceError

    try:
        if create and not path.exists():
            return Workspace.create(path)
        return Workspace.open(path)
    except WorkspaceError as exc:
        raise CommandError(str(exc)) from exc


def _import_kind(source: Path) -> str:
    """``bundle`` (by suffix or by its manifest, so a renamed one counts), ``data`` (Data
    Loader CSV or data-tree) or ``metadata``."""
    if _lazy("entitle_desktop.interchange.bundle", "is_bundle")(source):
        return "bundle"
    data_source_kind = _lazy("entitle_desktop.services.csv_io", "data_source_kind")
    return "data" if data_source_kind(source) is not None else "metadata"


def _cmd_import(args: argparse.Namespace) -> int:
    from entitle_desktop.interchange.errors import InterchangeError
    from entitle_desktop.services.metadata_import import import_project, read_metadata

    workspace_path: Path = args.workspace
    source: Path = args.source
    if not source.exists():
        raise CommandError(f"{source}: no such file or folder")
    if workspace_path.exists():
        workspace = _open_workspace(workspace_path)  # refuse a non-workspace before reading
        workspace.close()
    kind = _import_kind(source)
    try:
        # Read and check everything first: bad input must not create or touch the workspace.
        if kind == "metadata":
            project, read_warnings = read_metadata(source)
        elif kind == "bundle":
            _lazy("entitle_desktop.interchange.bundle", "read_bundle")(source)
        elif not workspace_path.exists():
            # data rows may refer to records of an existing workspace: checked with it below
            _lazy("entitle_desktop.services.csv_io", "check_data_source")(
                source, skip_bad_rows=args.skip_bad_rows
            )
    except (InterchangeError, ValueError) as exc:
        if kind == "metadata":
            from entitle_desktop.interchange.salesforce_metadata import NoMetadataFound

            if isinstance(exc, NoMetadataFound):
                raise CommandError(
                    f"{source}: no Salesforce metadata, bundle or Data Loader CSV / data-tree "
                    f"files were found in this path: {exc.detail}"
                ) from exc
        raise CommandError(f"{source}: {exc}") from exc
    with tempfile.TemporaryDirectory() as scratch:
        if args.dry_run and not workspace_path.exists():
            workspace_path = (
                Path(scratch) / "dry-run.entitle"
            )  # nothing to change: compare with empty
        created = not workspace_path.exists()
        workspace = _open_workspace(workspace_path, create=True)
        try:
            if kind == "metadata":
                result: Any = import_project(
                    workspace, project, read_warnings, str(source), dry_run=args.dry_run
                )
            elif kind == "bundle":
                import_bundle = _lazy("entitle_desktop.services.bundle_io", "import_bundle")
                result = import_bundle(workspace, source, dry_run=args.dry_run)
            else:
                import_data = _lazy("entitle_desktop.services.csv_io", "import_data")
                result = import_data(
                    workspace, source, skip_bad_rows=args.skip_bad_rows, dry_run=args.dry_run
                )
            lines = (
                [json.dumps(result.to_json_dict(), indent=2, ensure_ascii=False, default=str)]
                if args.json
                else result.lines()
            )
        except BaseException as exc:
            workspace.close()
            if created:  # a workspace made for a failed import is not left behind
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(f"{workspace_path}{suffix}").unlink(missing_ok=True)
            if isinstance(exc, InterchangeError | ValueError):
                raise CommandError(f"{source}: {exc}") from exc
            raise
        workspace.close()
    print("\n".join(lines))
    return EXIT_OK


def _cmd_summary(args: argparse.Namespace) -> int:
    if not args.workspace.exists():
        raise CommandError(f"{args.workspace}: no such workspace file")
    workspace = _open_workspace(args.workspace)
    try:
        summary = workspace.summary()
    finally:
        workspace.close()
    if args.json:
        print(json.dumps(summary.to_json_dict(), indent=2, ensure_ascii=False))
        return EXIT_OK
    for key, value in summary.counts.items():
        print(f"{key.replace('_', ' ')}: {value}")
    for process in summary.processes:
        print(f"process {process['name']} ({process['object']})")
        for v in process["versions"]:
            flags = " default" if v["default"] else ""
            flags += " active" if v["active"] else ""
            print(f"  version {v['number']}:{flags} {v['milestones']} milestones")
    for kind, names in summary.placeholders.items():
        print(f"placeholder {kind.replace('_', ' ')}: {', '.join(names)}")
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from entitle_desktop.services.demo import create_demo_workspace
    from entitle_desktop.services.workspace import WorkspaceError

    try:
        create_demo_workspace(args.path).close()
    except WorkspaceError as exc:
        raise CommandError(str(exc)) from exc
    print(f"Demo workspace created: {args.path}")
    return EXIT_OK


def _cmd_sla_cases(args: argparse.Namespace) -> int:
    main_sla_cases = _lazy("entitle_desktop.services.sla_cases", "main_sla_cases")
    return int(main_sla_cases([str(p) for p in args.paths]))


def _cmd_calendar(args: argparse.Namespace) -> int:
    from entitle_desktop.services.calendars import CalendarError, calendar_preview_text

    if not args.workspace.exists():
        raise CommandError(f"{args.workspace}: no such workspace file")
    workspace = _open_workspace(args.workspace)
    try:
        lines = calendar_preview_text(workspace, args.name, args.start, args.days)
    except CalendarError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        workspace.close()
    print("\n".join(lines))
    return EXIT_OK


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from exc


def _cmd_export(args: argparse.Namespace) -> int:
    from entitle_desktop.interchange.errors import InterchangeError

    if not args.workspace.exists():
        raise CommandError(f"{args.workspace}: no such workspace file")
    _refuse_options_for_format(args)
    workspace = _open_workspace(args.workspace)
    try:
        if args.format in _METADATA_FORMATS:
            from entitle_desktop.services.metadata_export import (
                plan_metadata_export,
                write_metadata_export,
            )

            plan = plan_metadata_export(
                workspace,
                api_version=args.api_version,
                processes=args.process or None,
                reference=args.reference,
                fixes=args.fix or (),
                layout=args.format,
            )
            for issue in plan.applied + plan.remaining:
                print(f"{issue.severity}: {issue.where}: {issue.message}", file=sys.stderr)
            if plan.errors:
                raise CommandError(_fix_hint(plan.errors))
            write_metadata_export(plan, args.out, layout=args.format)
        elif args.format == "bundle":
            export_bundle = _lazy("entitle_desktop.services.bundle_io", "export_bundle")
            export_bundle(workspace, args.out, processes=args.process or None, account=args.account)
        else:
            export_data = _lazy("entitle_desktop.services.csv_io", "export_data")
            notes: list[str] = []
            export_data(
                workspace, args.out, format=args.format, account=args.account, warnings=notes
            )
            for note in notes:
                print(f"warning: {note}", file=sys.stderr)
    except (InterchangeError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    except OSError as exc:  # the services name the output; this is the last resort
        raise CommandError(f"{args.out}: {exc.strerror or exc}; nothing was written") from exc
    finally:
        workspace.close()
    print(f"Exported to {args.out}")
    return EXIT_OK


def _refuse_options_for_format(args: argparse.Namespace) -> None:
    """Options that do not apply to ``--format`` are refused, never silently ignored."""
    if args.format in _METADATA_FORMATS:
        if args.account is not None:
            raise CommandError(
                "--account applies to bundle, csv and datatree exports; Salesforce metadata "
                "holds no account records (use --process to choose processes)"
            )
        _check_api_version_option(args.api_version)
        return
    named = [
        option
        for option, value in (
            ("--fix", args.fix),
            ("--api-version", args.api_version),
            ("--reference", args.reference),
        )
        if value
    ]
    if args.format != "bundle" and args.process:
        named.append("--process")
    if named:
        formats = "bundle, mdapi and source" if named == ["--process"] else "mdapi and source"
        verb = "applies" if len(named) == 1 else "apply"
        raise CommandError(
            f"{', '.join(named[:-1]) + ' and ' if len(named) > 1 else ''}{named[-1]} {verb} to {formats} exports, not to --format {args.format}; "
            "nothing was written"
        )


def _check_api_version_option(version: str | None) -> None:
    if version is None:
        return
    from entitle_desktop.interchange.errors import InterchangeError
    from entitle_desktop.services.metadata_export import check_api_version

    try:
        check_api_version(version)
    except InterchangeError as exc:
        raise CommandError(f"--api-version: {exc}") from exc


def _fix_hint(errors: Sequence[Any]) -> str:
    """Why the export stopped and which ``--fix`` flags would clear the errors."""
    from entitle_desktop.interchange.salesforce_metadata import preflight_fix

    flags: list[str] = []
    unfixable = 0
    for issue in errors:
        if not issue.fixes:
            unfixable += 1
        for name in issue.fixes:
            flag = preflight_fix(name).flag
            option = f"--fix {flag}" if flag else "--reference PATH"
            if option not in flags:
                flags.append(option)
    count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
    hints: list[str] = []
    if flags:
        hints.append(f"rerun with {' or '.join(flags)}")
    if unfixable:
        hints.append(f"correct {'it' if len(errors) == 1 else 'the others'} in the workspace")
    return f"{count} would fail a deploy, nothing was written; {' or '.join(hints)}"


def _cmd_validate(args: argparse.Namespace) -> int:
    from entitle_desktop.interchange.errors import InterchangeError
    from entitle_desktop.services.metadata_export import plan_metadata_export

    if not args.workspace.exists():
        raise CommandError(f"{args.workspace}: no such workspace file")
    _check_api_version_option(args.api_version)
    workspace = _open_workspace(args.workspace)
    try:
        plan = plan_metadata_export(
            workspace,
            api_version=args.api_version,
            processes=args.process or None,
            reference=args.reference,
            fixes=args.fix or (),
        )
    except (InterchangeError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    finally:
        workspace.close()
    issues = plan.applied + plan.remaining
    if args.json:
        from entitle_desktop.interchange.salesforce_metadata import preflight_fix

        rows = [
            {
                "severity": i.severity,
                "where": i.where,
                "message": i.message,
                "fix": i.fix,
                "fixes": list(i.fixes),
                "flags": [preflight_fix(f).flag for f in i.fixes],
            }
            for i in issues
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for i in issues:
            print(f"{i.severity}: {i.where}: {i.message}")
        errors, warnings = len(plan.errors), len(issues) - len(plan.errors)
        print(
            f"{errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''} (API {plan.api_version})"
        )
    return EXIT_FAILED if plan.errors else EXIT_OK


def _lazy(module: str, name: str) -> Callable[..., Any]:
    import importlib

    try:
        found = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise CommandError(f"this build has no {module}.{name} yet ({exc})") from exc
    assert callable(found)
    return found  # type: ignore[no-any-return]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="entitle", description="Entitle Desktop command line")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser(
        "import",
        help="import a metadata project, a bundle or Data Loader CSV / data-tree files",
        epilog="Bundles and data files are matched to the workspace by external key (Id, or "
        "name). 'changed': the same record with other values; 'conflicting': the key names "
        "another record (a different name) or the change edits milestones of an active "
        "process version. Both are replaced by the file's version, and both are listed by "
        "key: run with --dry-run first to see them.",
    )
    p.add_argument("workspace", type=Path, metavar="WORKSPACE")
    p.add_argument("source", type=Path, metavar="SOURCE")
    p.add_argument("--dry-run", action="store_true", help="report what would change, save nothing")
    p.add_argument(
        "--skip-bad-rows", action="store_true", help="CSV/data-tree: import the good rows only"
    )
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.set_defaults(run=_cmd_import)

    p = commands.add_parser("summary", help="counts of every record type in a workspace")
    p.add_argument("workspace", type=Path, metavar="WORKSPACE")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=_cmd_summary)

    p = commands.add_parser("demo", help="create a demo workspace")
    p.add_argument("path", type=Path, metavar="PATH")
    p.set_defaults(run=_cmd_demo)

    p = commands.add_parser("export", help="export a workspace")
    p.add_argument("workspace", type=Path, metavar="WORKSPACE")
    p.add_argument(
        "--format", required=True, choices=["bundle", "mdapi", "source", "csv", "datatree"]
    )
    p.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="PATH",
        help="bundle: a file; mdapi/source: a new or empty folder, or an earlier export "
        "(replaced); csv/datatree: a folder (other files in it are kept)",
    )
    p.add_argument(
        "--process",
        action="append",
        metavar="NAME",
        help="bundle/mdapi/source: only this process (repeatable)",
    )
    p.add_argument("--api-version", metavar="V", help="mdapi/source: target API version")
    p.add_argument(
        "--reference",
        type=Path,
        metavar="PATH",
        help="mdapi/source: the target org's retrieved project",
    )
    p.add_argument(
        "--account", metavar="ID", help="bundle/csv/datatree: only this account's hierarchy"
    )
    p.add_argument(
        "--fix",
        action="append",
        choices=FIX_FLAGS,
        metavar="NAME",
        help="mdapi/source: apply a pre-flight fix (repeatable): " + ", ".join(FIX_FLAGS),
    )
    p.set_defaults(run=_cmd_export)

    p = commands.add_parser(
        "validate", help="pre-flight a Salesforce metadata export: what would fail a deploy"
    )
    p.add_argument("workspace", type=Path, metavar="WORKSPACE")
    p.add_argument("--api-version", metavar="V")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--process", action="append", metavar="NAME", help="only this process (repeatable)"
    )
    p.add_argument(
        "--reference", type=Path, metavar="PATH", help="the target org's retrieved project"
    )
    p.add_argument(
        "--fix",
        action="append",
        choices=FIX_FLAGS,
        metavar="NAME",
        help="check as if this fix were applied (repeatable): " + ", ".join(FIX_FLAGS),
    )
    p.set_defaults(run=_cmd_validate)

    p = commands.add_parser("sla-cases", help="run SLA case files")
    p.add_argument("paths", type=Path, nargs="+", metavar="PATH")
    p.set_defaults(run=_cmd_sla_cases)

    p = commands.add_parser(
        "calendar", help="open windows per local day of business hours, with holidays named"
    )
    p.add_argument("workspace", type=Path, metavar="WORKSPACE")
    p.add_argument("name", metavar="NAME", help="business hours name")
    p.add_argument(
        "--from",
        dest="start",
        type=_iso_date,
        default=date.today(),
        metavar="DATE",
        help="first local day, YYYY-MM-DD (default: today)",
    )
    p.add_argument("--days", type=int, default=7, metavar="N", help="number of days (default 7)")
    p.set_defaults(run=_cmd_calendar)
    # Later: simulate, report.
    return parser


def _refuse_directory_workspace(args: argparse.Namespace) -> None:
    """A command's WORKSPACE (``demo``'s PATH) must name a file, never a folder."""
    if args.command == "demo":
        label, path = "PATH", args.path
    else:
        label, path = "WORKSPACE", vars(args).get("workspace")
    if isinstance(path, Path) and path.is_dir():
        raise CommandError(f"{label} {path} is a directory; give a .entitle file path")


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: usage errors are bad input
        return int(exc.code) if isinstance(exc.code, int) else EXIT_BAD_INPUT
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        _refuse_directory_workspace(args)
        return run(args)
    except CommandError as exc:
        print(f"entitle {args.command}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:
        if not _is_workspace_error(exc):
            raise
        # locked or read-only, wherever a command met it: the message names the file
        print(f"entitle {args.command}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _is_workspace_error(exc: BaseException) -> bool:
    """Whether ``exc`` is a :class:`WorkspaceError` (only a loaded persistence layer raises
    one, so a command that never opened a workspace imports nothing here)."""
    db = sys.modules.get("entitle_desktop.persistence.db")
    return db is not None and isinstance(exc, db.WorkspaceError)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _main(argv)
        sys.stdout.flush()  # a closed pipe must show here, not at interpreter exit
    except BrokenPipeError:
        # The reader stopped early (``| head``): not a failure. Point stdout at devnull so
        # that the interpreter's last flush does not raise again (Python docs, "signal").
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_BROKEN_PIPE
    return code


if __name__ == "__main__":
    sys.exit(main())
