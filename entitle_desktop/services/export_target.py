"""Where an export may be written: the checks on ``--out`` (File › Export's "Save to"),
shared by every format, so that an export never destroys the user's files.

* Salesforce metadata (mdapi/source) replaces its folder as a whole, so the folder may be
  missing (it is created, with missing parents), empty, or an earlier metadata export:
  nothing in it but ``package.xml`` / ``sfdx-project.json``, files in the metadata type
  folders Entitle Desktop writes (``entitlementProcesses``, ``milestoneTypes``,
  ``entitlementTemplates``, ``settings``) and files this export writes anyway; no hidden
  entry (``.git``), no link; never the current folder. Anything else is refused and left
  as it is.
* Data Loader CSV and data-tree files are written into the folder beside what is there
  (missing folders are created); the path may not be a file.
* A bundle is one file: the path may be missing (missing parent folders are created), an
  earlier bundle, or an empty file; not a folder, not another kind of file.

A failure while writing (disk full, no permission) becomes an :class:`ExportTargetError`
naming the path, and the folders made for the export are removed again.
"""

from __future__ import annotations

import errno
import os
import zipfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from entitle_desktop.interchange.errors import InterchangeError

__all__ = [
    "ExportTargetError",
    "check_bundle_file",
    "check_data_folder",
    "check_metadata_folder",
    "new_staging_folder",
    "writing",
]

#: the Salesforce metadata type folders Entitle Desktop models (an export writes these)
METADATA_FOLDERS = frozenset(
    {"entitlementProcesses", "milestoneTypes", "entitlementTemplates", "settings"}
)
_PROJECT_FILES = frozenset({"package.xml", "sfdx-project.json"})
#: an earlier export holds far fewer files; a bigger folder is not looked through
_MAX_ENTRIES = 20_000


class ExportTargetError(InterchangeError):
    """The chosen output cannot be used, or writing it failed; ``path`` is the output."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__("", f"{path} {message}")
        self.path = path


def _not_empty(out: Path, offender: str) -> ExportTargetError:
    return ExportTargetError(
        out,
        f"is not empty (it holds {offender}, which a metadata export does not write); "
        "choose an empty or new folder",
    )


def check_metadata_folder(out: Path, writes: Collection[str] = ()) -> None:
    """Refuse ``out`` for a metadata export unless it is missing, an empty folder or an
    earlier metadata export (see module). ``writes`` are the '/'-separated paths the
    export will write (files it replaces anyway)."""
    out = Path(out)
    if out.is_symlink():
        raise ExportTargetError(out, "is a link; choose a folder that is not a link")
    if not out.exists():
        _check_parents(out)
        return
    if not out.is_dir():
        raise ExportTargetError(
            out, "is a file, not a folder; choose an empty or new folder for the export"
        )
    here = Path.cwd().resolve()
    if out.resolve() == here or out.resolve() in here.parents:
        raise ExportTargetError(
            out,
            "is the current folder (or holds it); the export replaces its folder as a whole: "
            "choose a new folder",
        )
    allowed = set(writes)
    seen = 0
    stack: list[tuple[Path, PurePosixPath]] = [(out, PurePosixPath())]
    while stack:
        folder, rel_folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            raise ExportTargetError(out, f"cannot be read ({_reason(exc)})") from exc
        for entry in entries:
            seen += 1
            rel = rel_folder / entry.name
            if seen > _MAX_ENTRIES:
                raise ExportTargetError(
                    out,
                    f"is not empty (it holds more than {_MAX_ENTRIES} entries); "
                    "choose an empty or new folder",
                )
            if entry.name.startswith(".") or entry.is_symlink():
                raise _not_empty(out, str(rel))
            if entry.is_dir(follow_symlinks=False):
                stack.append((Path(entry.path), rel))
            elif not (
                entry.name in _PROJECT_FILES
                or rel_folder.name in METADATA_FOLDERS
                or rel.as_posix() in allowed
            ):
                raise _not_empty(out, str(rel))


def check_data_folder(out: Path) -> None:
    """Refuse ``out`` for CSV / data-tree files when it is a file (or below one)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ExportTargetError(
            out, "is a file, not a folder; choose a folder (new or existing) for the files"
        )
    _check_parents(out)


def check_bundle_file(out: Path) -> None:
    """Refuse ``out`` for a bundle when it is a folder or a file that is not a bundle."""
    out = Path(out)
    if out.is_dir():
        raise ExportTargetError(
            out, "is a folder; give the bundle's file name (for example name.entitlebundle)"
        )
    if out.exists():
        if out.stat().st_size == 0:
            return
        try:
            with zipfile.ZipFile(out) as archive:
                if "manifest.json" in archive.namelist():
                    return
        except (OSError, zipfile.BadZipFile):
            pass
        raise ExportTargetError(
            out, "exists and is not an Entitle bundle; choose another file name"
        )
    _check_parents(out)


def _check_parents(out: Path) -> None:
    for parent in Path(out).absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise ExportTargetError(out, f"cannot be created: {parent} is a file")
            return


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents (mode from the umask); returns the folders
    made, outermost first."""
    missing: list[Path] = []
    current = Path(folder).absolute()
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    made: list[Path] = []
    for path in reversed(missing):
        os.mkdir(path)
        made.append(path)
    return made


def _remove_made(made: list[Path]) -> None:
    for path in reversed(made):
        try:
            path.rmdir()
        except OSError:
            return


_REASONS = {
    errno.ENOSPC: "no space left on the disk",
    errno.EDQUOT: "the disk quota is used up",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the disk is read-only",
    errno.ENAMETOOLONG: "a file name is too long",
}


def _reason(exc: OSError) -> str:
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    return (exc.strerror or str(exc)).lower()


@contextmanager
def writing(out: Path, *, folder: bool = False) -> Iterator[None]:
    """Around the writing of ``out``: makes the missing parent folders (and ``out`` itself
    when ``folder``), removes what it made if writing fails, and turns an ``OSError`` into
    an :class:`ExportTargetError` naming ``out``."""
    out = Path(out)
    made: list[Path] = []
    try:
        made = _make_parents(out if folder else out.parent)
        yield
    except OSError as exc:
        _remove_made(made)
        raise ExportTargetError(
            out, f"could not be written ({_reason(exc)}); nothing was written"
        ) from exc
    except BaseException:
        _remove_made(made)
        raise


def new_staging_folder(out: Path) -> Path:
    """A new empty folder beside ``out`` (same file system, so it can be renamed into
    place), made with the mode an ordinary new folder gets (umask respected)."""
    out = Path(out).absolute()
    for attempt in range(1000):
        candidate = out.with_name(f".{out.name}.{os.getpid()}-{attempt}.tmp")
        try:
            os.mkdir(candidate)
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(errno.EEXIST, "no free temporary folder name", str(out.parent))
