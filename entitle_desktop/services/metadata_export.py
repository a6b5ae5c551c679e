"""Export of a workspace as a Salesforce metadata project (metadata-API or source layout).

The project is written into a temporary folder beside the target and renamed into place,
so a failure never leaves a half-written export. The target must be a new or empty folder
or an earlier metadata export (see :mod:`entitle_desktop.services.export_target`): an
export never deletes the user's files.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from entitle_desktop.domain.names import name_key
from entitle_desktop.domain.records import EntitlementProcessVersion, MetadataProject
from entitle_desktop.persistence import repository
from entitle_desktop.services import export_target
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
    "single_default_business_hours",
    "enable_entitlement_versioning",
)
#: the oldest API version with entitlement metadata
API_VERSION_OLDEST = 27
_API_VERSION_RE = re.compile(r"(\d{2})\.0")
_HOURS_FIXES = ("approximate_business_hours", "omit_inexpressible_business_hours")


def load_metadata_project(workspace: Workspace) -> MetadataProject:
    """Every metadata record of the workspace (placeholders left out)."""
    with workspace.session() as session:
        return repository.load_project(session)


def chosen_versions(
    versions: Sequence[EntitlementProcessVersion], names: Sequence[str]
) -> list[EntitlementProcessVersion]:
    """The versions ``names`` choose, in their order: a process named as shown or by its
    file name (``premium support``) comes with all its versions; a version file's name
    (``premium support_v2``) chooses that version alone. Names ignore case, as in
    Salesforce. Raises ``KeyError`` naming what matches no process or version."""
    from entitle_desktop.interchange.salesforce_metadata import process_file_base

    wanted = {name_key(n): n for n in names}
    known: set[str] = set()
    chosen: set[str] = set()
    single: set[int] = set()
    for index, v in enumerate(versions):
        keys = process_keys(v)
        known |= keys
        if keys & wanted.keys():
            chosen.add(name_key(v.name))
        file_key = name_key(unquote(process_file_base(v)))
        if v.version_number is not None and re.search(r"_v\d+$", file_key):
            known.add(file_key)
            if file_key in wanted:
                single.add(index)
    missing = [n for key, n in wanted.items() if key not in known]
    if missing:
        raise KeyError(f"no process named {', '.join(repr(n) for n in missing)}")
    return [v for i, v in enumerate(versions) if name_key(v.name) in chosen or i in single]


def select_processes(project: MetadataProject, names: Sequence[str]) -> MetadataProject:
    """The versions ``names`` choose (see :func:`chosen_versions`) with the milestone types,
    business hours and holidays they use. Raises ``KeyError`` naming a process the
    project does not have."""
    versions = chosen_versions(project.processes, names)
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


def process_keys(v: EntitlementProcessVersion) -> set[str]:
    """The names a process version answers to: its name and its file name without _vN."""
    from entitle_desktop.interchange.salesforce_metadata import process_file_base

    base = unquote(process_file_base(v))
    if v.version_number is not None:
        base = re.sub(r"_v\d+$", "", base)
    return {name_key(v.name), name_key(base)}


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
    if "single_default_business_hours" in chosen:
        project = salesforce_metadata.single_default_business_hours(project)
    if "enable_entitlement_versioning" in chosen:
        project = salesforce_metadata.enable_entitlement_versioning(project)
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
    #: the target org's project the plan was made against (never written over)
    reference: Path | None = None

    @property
    def errors(self) -> list[PreflightIssue]:
        """The remaining errors: while there are any, the export would fail."""
        return [i for i in self.remaining if i.severity == "error"]


def check_api_version(version: str) -> str:
    """``version`` when it is an API version this app can write (27.0 up to
    :data:`~entitle_desktop.interchange.salesforce_metadata.API_VERSION_DEFAULT`), else
    ``InterchangeError`` saying which versions are."""
    from entitle_desktop.interchange.errors import InterchangeError
    from entitle_desktop.interchange.salesforce_metadata import API_VERSION_DEFAULT

    newest = int(float(API_VERSION_DEFAULT))
    match = _API_VERSION_RE.fullmatch(version.strip())
    if match is None or not API_VERSION_OLDEST <= int(match.group(1)) <= newest:
        raise InterchangeError(
            "",
            f"API version {version!r} is not one this app writes: give a version from "
            f"{API_VERSION_OLDEST}.0 to {API_VERSION_DEFAULT}, like {API_VERSION_DEFAULT}",
        )
    return version.strip()


def plan_metadata_export(
    workspace: Workspace,
    api_version: str | None = None,
    processes: list[str] | None = None,
    reference: Path | None = None,
    fixes: Sequence[str] = (),
    layout: str | None = None,
) -> MetadataExportPlan:
    """The export :func:`export_metadata` would write with these arguments, with its
    pre-flight. With ``reference``, the target API version is the reference's unless
    ``api_version`` is given. ``remaining`` also holds what would stop the files from
    being written in ``layout`` (both layouts when None), so a validation reports
    whatever the export would refuse. Raises ``InterchangeError`` for an unknown process,
    a bad API version or a bad reference, ``ValueError`` for an unknown fix."""
    from entitle_desktop.interchange import salesforce_metadata
    from entitle_desktop.interchange.errors import InterchangeError

    if api_version is not None:
        api_version = check_api_version(api_version)
    names = _fix_names(fixes)
    project = load_metadata_project(workspace)
    if processes:
        try:
            project = select_processes(project, processes)
        except KeyError as exc:
            raise InterchangeError("", str(exc.args[0])) from exc
    org = salesforce_metadata.read_project(Path(reference))[0] if reference is not None else None
    version = (
        api_version
        or (org.api_version if org is not None else None)
        or project.api_version
        or salesforce_metadata.API_VERSION_DEFAULT
    )
    found = salesforce_metadata.preflight(project, version, org)
    planned = apply_fixes(project, names, version if org is not None else api_version)
    if org is not None:
        # the org's API version cannot hold newer settings elements: they are left out
        # (pre-flight lists each as fixed), as the drop-unsupported-settings fix does
        planned = salesforce_metadata.plan_against_reference(planned, org, api_version)
        names += [
            n for n in ("drop_unsupported_settings", "plan_against_reference") if n not in names
        ]
    planned_version = api_version or planned.api_version or salesforce_metadata.API_VERSION_DEFAULT
    remaining = salesforce_metadata.preflight(planned, planned_version, org)
    # turning versioning on in the org cannot be undone: choosing the fix confirms it
    confirmed = [
        i
        for i in remaining
        if i.fix == "enable_entitlement_versioning" and "enable_entitlement_versioning" in names
    ]
    remaining = [i for i in remaining if i not in confirmed]
    remaining += _writing_issues(planned, planned_version, layout, remaining)
    applied = _applied_notes(found, names, project)
    applied += [n for n in _applied_notes(confirmed, names, project) if n not in applied]
    return MetadataExportPlan(
        planned,
        planned_version,
        tuple(names),
        found,
        remaining,
        applied,
        Path(reference) if reference is not None else None,
    )


def _writing_issues(
    project: MetadataProject,
    api_version: str,
    layout: str | None,
    known: Sequence[PreflightIssue],
) -> list[PreflightIssue]:
    """What would stop :func:`write_metadata_export` (two records for one file, text XML
    cannot hold ...), as errors. Skipped while pre-flight already has errors: the writer
    refuses what those name, and they say it better."""
    from entitle_desktop.interchange import salesforce_metadata
    from entitle_desktop.interchange.errors import InterchangeError

    if any(i.severity == "error" for i in known):
        return []
    issues: list[PreflightIssue] = []
    layouts = [layout] if layout else ["mdapi", "source"]
    for each in layouts:
        try:
            salesforce_metadata.project_documents(project, each, api_version)
        except (InterchangeError, ValueError) as exc:
            where = exc.file if isinstance(exc, InterchangeError) and exc.file else "export"
            message = exc.message if isinstance(exc, InterchangeError) else str(exc)
            if len(layouts) > 1:
                message += f" ({'metadata-API' if each == 'mdapi' else 'source'} layout)"
            issue = salesforce_metadata.PreflightIssue("error", where, message)
            if issue not in issues:
                issues.append(issue)
    return issues


def _applied_notes(
    found: Sequence[PreflightIssue], names: Sequence[str], project: MetadataProject
) -> list[PreflightIssue]:
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
        elif fix == "single_default_business_hours":
            kept = salesforce_metadata.kept_default_business_hours(project)
            others = [
                repr(b.name)
                for b in project.business_hours
                if b.default and not b.placeholder and b.name != kept
            ]
            message = (
                f"{kept!r} stays the default business hours; "
                f"{', '.join(others)} {'is' if len(others) == 1 else 'are'} written as not default"
            )
        elif fix == "enable_entitlement_versioning":
            message = issue.message.removesuffix(", so confirm it")
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
    leaves ``out`` as it was). ``out`` must be missing, an empty folder or an earlier
    metadata export, and not the plan's reference project (else :class:`~entitle_desktop.services.export_target.
    ExportTargetError`, nothing touched); missing parent folders are created. Returns
    ``out``. An inexpressible record (errors left in ``plan.errors``) raises
    ``InterchangeError``; so does a failure to write (disk full), naming ``out``."""
    from entitle_desktop.interchange import salesforce_metadata
    from entitle_desktop.interchange.errors import InterchangeError

    if layout not in ("mdapi", "source"):
        raise InterchangeError("", f"unknown layout {layout!r} (mdapi or source)")
    out = Path(out)
    documents = salesforce_metadata.project_documents(plan.project, layout, plan.api_version)
    export_target.check_not_reference(out, plan.reference)
    export_target.check_metadata_folder(out, documents)
    with export_target.writing(out):
        staging = export_target.new_staging_folder(out)
        try:
            salesforce_metadata.write_documents(documents, staging)
            _replace(staging, out.absolute())
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    export_target.record_metadata_export(out, documents)
    return out


def _replace(staging: Path, out: Path) -> None:
    """Move ``staging`` to ``out``; an existing ``out`` is replaced only after that succeeds.
    The old ``out`` is moved to a new name of its own first, so nothing else is touched."""
    if not out.exists():
        staging.rename(out)
        return
    old = export_target.new_staging_folder(out)
    old.rmdir()  # only its unused name is wanted
    out.rename(old)
    try:
        staging.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old) if old.is_dir() else old.unlink()
