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

#: the pre-flight fixes that change the exported project itself (the last one,
#: ``plan_against_reference``, is what passing ``reference`` to :func:`export_metadata` does)
PROJECT_FIXES = (
    "strip_action_prefixes",
    "drop_unsupported_settings",
    "approximate_business_hours",
    "omit_inexpressible_business_hours",
)
_HOURS_FIXES = ("approximate_business_hours", "omit_inexpressible_business_hours")


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
    of :data:`PROJECT_FIXES` (functions or command-line flags) to apply first. Returns
    ``out``. Bad input or an inexpressible record raises ``InterchangeError``; an unknown
    fix raises ``ValueError``. Pre-flight is not consulted: see :func:`plan_metadata_export`.
    """
    from entitle_desktop.interchange.errors import InterchangeError

    if layout not in ("mdapi", "source"):
        raise InterchangeError("", f"unknown layout {layout!r} (mdapi or source)")
    plan = plan_metadata_export(workspace, api_version, processes, reference, fixes)
    return write_metadata_export(plan, out, layout)


def apply_fixes(
    project: MetadataProject, fixes: Sequence[str], api_version: str | None = None
) -> MetadataProject:
    """``project`` with the named :data:`PROJECT_FIXES` applied (a copy when any is), in
    that order. A fix may be named by its function or its command-line flag
    (``approximate-hours``); ``plan_against_reference`` is passed over (see ``reference``).
    Raises ``ValueError`` for an unknown fix, or for both business-hours fixes at once."""
    from entitle_desktop.interchange import salesforce_metadata

    chosen = _fix_names(fixes)
    if "strip_action_prefixes" in chosen:
        project = salesforce_metadata.strip_action_prefixes(project)
    if "drop_unsupported_settings" in chosen:
        version = api_version or project.api_version or salesforce_metadata.API_VERSION_DEFAULT
        project = salesforce_metadata.drop_unsupported_settings(project, version)
    if "approximate_business_hours" in chosen:
        project = salesforce_metadata.approximate_business_hours(project)
    if "omit_inexpressible_business_hours" in chosen:
        project = salesforce_metadata.omit_inexpressible_business_hours(project)
    return project


def _fix_names(fixes: Sequence[str]) -> list[str]:
    """Function names of ``fixes`` (functions or flags), each once, in the given order."""
    from entitle_desktop.interchange import salesforce_metadata

    names: list[str] = []
    for fix in fixes:
        try:
            name = salesforce_metadata.preflight_fix(fix).name
        except KeyError:
            known = ", ".join(f.flag for f in salesforce_metadata.PREFLIGHT_FIXES if f.flag)
            raise ValueError(f"unknown fix {fix!r} (one of {known})") from None
        if name not in names:
            names.append(name)
    if all(h in names for h in _HOURS_FIXES):
        raise ValueError(
            "approximate-hours and omit-inexpressible-hours exclude each other; choose one"
        )
    return names


@dataclasses.dataclass(frozen=True, slots=True)
class MetadataExportPlan:
    """What :func:`write_metadata_export` would write, and what pre-flight says about it.

    ``found``: pre-flight of the chosen records as they are; ``remaining``: pre-flight of
    ``project`` (fixes applied, planned against the reference org when one is given);
    ``applied``: notes (warnings) saying what each applied fix changed.
    """

    project: MetadataProject
    api_version: str
    fixes: tuple[str, ...]
    found: list[PreflightIssue]
    remaining: list[PreflightIssue]
    applied: list[PreflightIssue]

    @property
    def errors(self) -> list[PreflightIssue]:
        """The remaining errors: while there are any, the export would fail."""
        return [i for i in self.remaining if i.severity == "error"]


def plan_metadata_export(
    workspace: Workspace,
    api_version: str | None = None,
    processes: list[str] | None = None,
    reference: Path | None = None,
    fixes: Sequence[str] = (),
) -> MetadataExportPlan:
    """The export :func:`export_metadata` would write with these arguments, with its
    pre-flight. Raises ``InterchangeError`` for an unknown process or a bad reference,
    ``ValueError`` for an unknown fix."""
    from entitle_desktop.interchange import salesforce_metadata
    from entitle_desktop.interchange.errors import InterchangeError

    names = _fix_names(fixes)
    project = load_metadata_project(workspace)
    if processes:
        try:
            project = select_processes(project, processes)
        except KeyError as exc:
            raise InterchangeError("", str(exc.args[0])) from exc
    org = salesforce_metadata.read_project(Path(reference))[0] if reference is not None else None
    version = api_version or project.api_version or salesforce_metadata.API_VERSION_DEFAULT
    found = salesforce_metadata.preflight(project, version, org)
    planned = apply_fixes(project, names, api_version)
    if org is not None:
        planned = salesforce_metadata.plan_against_reference(planned, org, api_version)
        names.append("plan_against_reference")
    planned_version = api_version or planned.api_version or salesforce_metadata.API_VERSION_DEFAULT
    remaining = salesforce_metadata.preflight(planned, planned_version, org)
    return MetadataExportPlan(
        planned, planned_version, tuple(names), found, remaining, _applied_notes(found, names)
    )


def _applied_notes(found: Sequence[PreflightIssue], names: Sequence[str]) -> list[PreflightIssue]:
    from entitle_desktop.interchange import salesforce_metadata

    notes: list[PreflightIssue] = []
    for issue in found:
        fix = next((f for f in issue.fixes if f in names), None)
        if fix is None:
            continue
        flag = salesforce_metadata.preflight_fix(fix).flag or "reference"
        if fix == "omit_inexpressible_business_hours":
            message = (
                "left out of the export; the target org must have its own business hours "
                "of this name"
                if issue.where.startswith("business hours ")
                else "left out of the export"
            )
        else:
            message = issue.message
        note = salesforce_metadata.PreflightIssue(
            "warning", issue.where, f"{message} (fixed: {flag})", fix
        )
        if note not in notes:
            notes.append(note)
    return notes


def write_metadata_export(plan: MetadataExportPlan, out: Path, layout: str = "mdapi") -> Path:
    """Write ``plan.project`` at ``out`` through a temporary folder beside it (a failure
    leaves ``out`` as it was). Returns ``out``. An inexpressible record (errors left in
    ``plan.errors``) raises ``InterchangeError``."""
    from entitle_desktop.interchange import salesforce_metadata
    from entitle_desktop.interchange.errors import InterchangeError

    if layout not in ("mdapi", "source"):
        raise InterchangeError("", f"unknown layout {layout!r} (mdapi or source)")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        salesforce_metadata.write_project(
            plan.project, staging, layout=layout, api_version=plan.api_version
        )
        _replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


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
