"""Export of a workspace as a Salesforce metadata project (metadata-API or source layout).

The project is written into a temporary folder beside the target and renamed into place,
so a failure never leaves a half-written export.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from entitle_desktop.domain.records import MetadataProject
from entitle_desktop.persistence import repository
from entitle_desktop.services.workspace import Workspace

if TYPE_CHECKING:
    from entitle_desktop.interchange.salesforce_metadata import PreflightIssue

#: the pre-flight fixes that change the exported project itself (the third one,
#: ``plan_against_reference``, is what passing ``reference`` to :func:`export_metadata` does)
PROJECT_FIXES = ("strip_action_prefixes", "drop_unsupported_settings")


def load_metadata_project(workspace: Workspace) -> MetadataProject:
    """Every metadata record of the workspace (placeholders left out)."""
    with workspace.session() as session:
        return repository.load_project(session)


def select_processes(project: MetadataProject, names: Sequence[str]) -> MetadataProject:
    """The chosen processes (all their versions) with the milestone types, business hours and
    holidays they use. Raises ``KeyError`` naming a process the project does not have."""
    wanted = list(dict.fromkeys(names))
    have = {v.name for v in project.processes}
    missing = [n for n in wanted if n not in have]
    if missing:
        raise KeyError(f"no process named {', '.join(repr(n) for n in missing)}")
    versions = [v for v in project.processes if v.name in wanted]
    types = {m.milestone_name for v in versions for m in v.milestones}
    hours = {v.business_hours for v in versions} | {
        m.business_hours for v in versions for m in v.milestones
    }
    hours.discard(None)
    business_hours = [b for b in project.business_hours if b.name in hours]
    holidays = [h for h in project.holidays if set(h.business_hours) & hours]
    return dataclasses.replace(
        project,
        processes=versions,
        milestone_types=[m for m in project.milestone_types if m.name in types],
        templates=[],
        business_hours=business_hours,
        holidays=holidays,
        business_hours_settings_present=bool(business_hours or holidays),
        other_files=[],
    )


def export_metadata(
    workspace: Workspace,
    out: Path,
    layout: str = "mdapi",
    api_version: str | None = None,
    processes: list[str] | None = None,
    reference: Path | None = None,
    fixes: Sequence[str] = (),
) -> Path:
    """Write the workspace (or the chosen ``processes``) as a metadata project at ``out``.

    With ``reference`` (the target org's retrieved project, folder or zip) only the versions
    that org lacks are written, numbered after its latest. ``fixes`` names pre-flight fixes
    of :data:`PROJECT_FIXES` to apply first. Returns ``out``.
    Bad input or an inexpressible record raises ``InterchangeError``.
    """
    from entitle_desktop.interchange import salesforce_metadata
    from entitle_desktop.interchange.errors import InterchangeError

    if layout not in ("mdapi", "source"):
        raise InterchangeError("", f"unknown layout {layout!r} (mdapi or source)")
    project = load_metadata_project(workspace)
    if processes:
        try:
            project = select_processes(project, processes)
        except KeyError as exc:
            raise InterchangeError("", str(exc.args[0])) from exc
    project = apply_fixes(project, fixes, api_version)
    if reference is not None:
        reference_project, _warnings = salesforce_metadata.read_project(Path(reference))
        project = salesforce_metadata.plan_against_reference(
            project, reference_project, api_version
        )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        salesforce_metadata.write_project(project, staging, layout=layout, api_version=api_version)
        _replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def apply_fixes(
    project: MetadataProject, fixes: Sequence[str], api_version: str | None = None
) -> MetadataProject:
    """``project`` with the named :data:`PROJECT_FIXES` applied (a copy when any is)."""
    from entitle_desktop.interchange import salesforce_metadata

    if "strip_action_prefixes" in fixes:
        project = salesforce_metadata.strip_action_prefixes(project)
    if "drop_unsupported_settings" in fixes:
        version = api_version or project.api_version or salesforce_metadata.API_VERSION_DEFAULT
        project = salesforce_metadata.drop_unsupported_settings(project, version)
    return project


def preflight_export(
    workspace: Workspace,
    api_version: str | None = None,
    processes: list[str] | None = None,
    reference: Path | None = None,
    fixes: Sequence[str] = (),
) -> tuple[list[PreflightIssue], list[PreflightIssue]]:
    """The pre-flight of an export as :func:`export_metadata` would write it: ``(issues,
    remaining)``, where ``issues`` is found in the chosen records and ``remaining`` is what
    is left once ``fixes`` are applied (``"plan_against_reference"`` among them plans
    against ``reference``; without it the reference only tells what the org has)."""
    from entitle_desktop.interchange import salesforce_metadata
    from entitle_desktop.interchange.errors import InterchangeError

    project = load_metadata_project(workspace)
    if processes:
        try:
            project = select_processes(project, processes)
        except KeyError as exc:
            raise InterchangeError("", str(exc.args[0])) from exc
    version = api_version or project.api_version or salesforce_metadata.API_VERSION_DEFAULT
    org = salesforce_metadata.read_project(Path(reference))[0] if reference is not None else None
    issues = salesforce_metadata.preflight(project, version, org)
    fixed = apply_fixes(project, fixes, version)
    if org is not None and "plan_against_reference" in fixes:
        fixed = salesforce_metadata.plan_against_reference(fixed, org, version)
    return issues, salesforce_metadata.preflight(fixed, version, org)


def _replace(staging: Path, out: Path) -> None:
    """Move ``staging`` to ``out``; an existing ``out`` is replaced only after that succeeds."""
    if not out.exists():
        staging.rename(out)
        return
    old = out.with_name(f".{out.name}.old")
    if old.exists():
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    out.rename(old)
    try:
        staging.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old) if old.is_dir() else old.unlink()
