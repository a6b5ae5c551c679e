"""Import of a Salesforce metadata project (folder or zip, either layout) into a workspace.

The files are read completely before the workspace is touched; the records are then saved
in ONE transaction. Any error rolls it back, so bad input leaves the workspace file
unchanged. Re-importing the same project updates records by external key (no duplicates).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from entitle_desktop.domain.records import MetadataProject, UnknownElement
from entitle_desktop.persistence import repository
from entitle_desktop.persistence.models import ImportLogRow
from entitle_desktop.services.workspace import Workspace

ProgressCallback = Callable[[int, int, str], None]


class ImportCancelled(Exception):
    """The user cancelled; nothing was imported."""


@dataclass
class ImportSummary:
    """What an import did (or, for a dry run, would do), by record type.

    ``updated`` counts existing records whose content changed, ``unchanged`` those that
    the import left as they were (a re-import of the same project)."""

    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    unknown_elements: list[str] = field(default_factory=list)
    files_kept: list[str] = field(default_factory=list)
    placeholders: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # the reader's notes on the files
    dry_run: bool = False

    def to_json_dict(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        """The summary as short lines for a dialog or a terminal."""
        out = ["Dry run: nothing was saved." if self.dry_run else "Import complete."]
        keys = sorted(set(self.added) | set(self.updated) | set(self.unchanged))
        out += [
            f"  {k.replace('_', ' ')}: {self.added.get(k, 0)} added, "
            f"{self.updated.get(k, 0)} updated, {self.unchanged.get(k, 0)} unchanged"
            for k in keys
        ]
        if self.files_kept:
            out.append(f"Files kept verbatim: {len(self.files_kept)}")
            out += [f"  {p}" for p in self.files_kept]
        if self.unknown_elements:
            out.append(f"Elements kept verbatim: {len(self.unknown_elements)}")
            out += [f"  {u}" for u in self.unknown_elements]
        if self.notes:
            out.append("Notes:")
            out += [f"  {n}" for n in self.notes]
        if self.warnings:
            out.append(_count(len(self.warnings), "warning") + ":")
            out += [f"  {w}" for w in self.warnings]
        return out


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


_TAG = re.compile(r"<\s*([A-Za-z_][\w.:-]*)")


def _tags(owner: str, items: Iterable[UnknownElement]) -> list[str]:
    out = []
    for item in items:
        match = _TAG.search(item.xml)
        out.append(f"{owner}: <{match.group(1) if match else '?'}>")
    return out


def unknown_elements(project: MetadataProject) -> list[str]:
    """Every element of the project the model does not know, named with its record."""
    found: list[str] = []
    for v in project.processes:
        label = repository.version_label(v)
        found += _tags(label, v.unknown)
        for it in v.exit_criteria_items:
            found += _tags(f"{label}, exit criteria", it.unknown)
        for pos, m in enumerate(v.milestones, start=1):
            m_label = f"{label}, milestone {pos}"
            found += _tags(m_label, m.unknown)
            for it in m.criteria_items:
                found += _tags(f"{m_label}, criteria", it.unknown)
            for a in m.success_actions:
                found += _tags(f"{m_label}, success action", a.unknown)
            for t in m.time_triggers:
                found += _tags(f"{m_label}, time trigger", t.unknown)
                for a in t.actions:
                    found += _tags(f"{m_label}, time trigger action", a.unknown)
    for mt in project.milestone_types:
        found += _tags(f"Milestone type '{mt.name}'", mt.unknown)
    for template in project.templates:
        found += _tags(f"Template '{template.name}'", template.unknown)
    for bh in project.business_hours:
        found += _tags(f"Business hours '{bh.name}'", bh.unknown)
    for h in project.holidays:
        found += _tags(f"Holiday '{h.name}'", h.unknown)
    if project.entitlement_settings is not None:
        found += _tags("Entitlement.settings", project.entitlement_settings.unknown)
    found += _tags("BusinessHours.settings", project.business_hours_settings_unknown)
    return found


def read_metadata(
    source: Path,
    progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[MetadataProject, list[str]]:
    """Read a project with the metadata reader; bad input raises ``InterchangeError``."""
    from entitle_desktop.interchange import salesforce_metadata
    from entitle_desktop.interchange.errors import InterchangeCancelled

    def file_progress(done: int, total: int) -> None:
        if progress is not None:
            progress(done, total + 1, "Reading files")

    try:
        project, warnings = salesforce_metadata.read_project(
            Path(source), progress=file_progress, cancelled=cancelled
        )
    except InterchangeCancelled as exc:
        raise ImportCancelled("Import cancelled; nothing was imported.") from exc
    return project, list(warnings)


def import_metadata(
    workspace: Workspace,
    source: Path,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportSummary:
    """Import the project at ``source``; all or nothing. ``dry_run`` saves nothing."""
    project, read_warnings = read_metadata(source, progress, cancelled)
    return import_project(
        workspace, project, read_warnings, str(source), dry_run, progress, cancelled
    )


def import_project(
    workspace: Workspace,
    project: MetadataProject,
    read_warnings: list[str] | None = None,
    source: str = "",
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportSummary:
    """Save an already-read project in one transaction (rolled back for a dry run)."""
    if progress is not None:
        progress(0, 1, "Saving records")
    summary = ImportSummary(
        notes=list(read_warnings or []),
        unknown_elements=unknown_elements(project),
        files_kept=[f.path for f in project.other_files],
        dry_run=dry_run,
    )
    with workspace.session() as session:
        session.begin()
        try:
            result = repository.save_project(session, project)
            summary.added = result.added
            summary.updated = result.updated
            summary.unchanged = result.unchanged
            summary.warnings += result.warnings
            summary.placeholders = result.placeholders
            if cancelled is not None and cancelled():
                raise ImportCancelled("Import cancelled; nothing was imported.")
            if dry_run:
                session.rollback()
            else:
                session.add(
                    ImportLogRow(
                        imported_at=datetime.now(),
                        kind="salesforce-metadata",
                        source=source,
                        summary=json.dumps(summary.to_json_dict(), ensure_ascii=False),
                    )
                )
                session.commit()
        except BaseException:
            session.rollback()
            raise
    if progress is not None:
        progress(1, 1, "Done")
    return summary
