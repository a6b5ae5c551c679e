"""The ``entitle sla-cases PATH...`` use case: run case files and print what failed."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from entitle_desktop.domain.sla_cases import find_case_files, run_case_paths


def main_sla_cases(paths: list[str], out: TextIO | None = None) -> int:
    """Print one line per failing case, then ``N passed, M failed``; return 1 if any failed.

    Folders are searched recursively for ``*.json``. A path that does not exist, or paths
    holding no case file at all, are an error (exit code 2) rather than "0 passed".
    """
    stream = out if out is not None else sys.stdout
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        for p in missing:
            print(f"sla-cases: no such file or folder: {p}", file=sys.stderr)
        return 2
    files = find_case_files([Path(p) for p in paths])
    if not files:
        print(f"sla-cases: no case files (*.json) found in {', '.join(paths)}", file=sys.stderr)
        return 2
    report = run_case_paths(files)
    for result in report.results:
        if not result.passed:
            details = "; ".join(
                f"{f.field}: expected {f.expected}, got {f.actual}" for f in result.failures
            )
            print(f"FAIL {result.case_id} ({result.path}): {details}", file=stream)
    print(report.summary(), file=stream)
    return 1 if report.failed else 0
