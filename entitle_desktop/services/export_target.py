"""Where an export may be written: the checks on ``--out`` (File › Export's "Save to"),
shared by every format, so that an export never destroys the user's files.

* Salesforce metadata (mdapi/source) replaces its folder as a whole, so the folder may be
  missing (it is created, with missing parents), empty, or an earlier metadata export made
  on this machine: every file in it is one an earlier export wrote there, unchanged since
  (the export ledger, :func:`record_metadata_export`, holds their SHA-256), or one this
  export writes with the very same content; no hidden entry (``.git``), no link; never the
  current folder, never the target org's project read as the reference. A retrieved
  project, or an export edited by hand, is refused and left as it is.
* Data Loader CSV and data-tree files are written into the folder beside what is there
  (missing folders are created); the path may not be a file.
* A bundle is one file: the path may be missing (missing parent folders are created), an
  earlier bundle, or an empty file; not a folder, not another kind of file.

A failure while writing (disk full, no permission) becomes an :class:`ExportTargetError`
naming the path, and the folders made for the export are removed again.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from platformdirs import user_state_dir

from entitle_desktop.interchange.errors import InterchangeError

__all__ = [
    "ExportTargetError",
    "check_bundle_file",
    "check_data_folder",
    "check_metadata_folder",
    "check_not_reference",
    "new_staging_folder",
    "record_metadata_export",
    "writing",
]

#: an earlier export holds far fewer files; a bigger folder is not looked through
_MAX_ENTRIES = 20_000
#: the file, in the user's state folder, that remembers what each metadata export wrote
LEDGER_FILE = "metadata-exports.json"
#: how many export folders the ledger remembers (the oldest are forgotten first)
LEDGER_KEEP = 200
_APP_NAME = "Entitle Desktop"


class ExportTargetError(InterchangeError):
    """The chosen output cannot be used, or writing it failed; ``path`` is the output."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__("", f"{path} {message}")
        self.path = path


def _not_empty(
    out: Path, offender: str, why: str = "which a metadata export does not write"
) -> ExportTargetError:
    return ExportTargetError(
        out, f"is not empty (it holds {offender}, {why}); choose an empty or new folder"
    )


def _ledger_path() -> Path:
    return Path(user_state_dir(_APP_NAME, appauthor=False)) / LEDGER_FILE


def _ledger_key(out: Path) -> str:
    return str(Path(out).resolve())


def _read_ledger() -> dict[str, dict[str, str]]:
    """The ledger: export folder (resolved) -> {'/'-separated file path: SHA-256}. A missing
    or unreadable ledger is empty (then no folder counts as an earlier export)."""
    try:
        data = json.loads(_ledger_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(k): {str(p): str(h) for p, h in v.items()}
        for k, v in data.items()
        if isinstance(v, dict)
    }


def record_metadata_export(out: Path, documents: Mapping[str, bytes]) -> None:
    """Remember that a metadata export wrote ``documents`` at ``out``, so that a later export
    may replace them (see :func:`check_metadata_folder`). Best effort: a ledger that cannot
    be written only means the folder is refused next time, never that files are lost."""
    ledger = _read_ledger()
    key = _ledger_key(out)
    ledger.pop(key, None)
    ledger[key] = {path: hashlib.sha256(content).hexdigest() for path, content in documents.items()}
    while len(ledger) > LEDGER_KEEP:
        ledger.pop(next(iter(ledger)))
    path = _ledger_path()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(ledger, indent=1, sort_keys=False), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def _sha256(path: Path) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def check_not_reference(out: Path, reference: Path | None) -> None:
    """Refuse ``out`` when it is, holds or lies inside ``reference`` (the target org's
    project that the export reads)."""
    if reference is None:
        return
    target, source = Path(out).resolve(), Path(reference).resolve()
    if target == source or source in target.parents or target in source.parents:
        raise ExportTargetError(
            out,
            f"is (or holds, or lies inside) the target org's project {reference} that the "
            "export reads; choose another folder",
        )


def check_metadata_folder(out: Path, writes: Mapping[str, bytes] | None = None) -> None:
    """Refuse ``out`` for a metadata export unless it is missing, an empty folder or an
    earlier metadata export (see module). ``writes`` are the files the export will write
    ('/'-separated path -> content); an existing file of the same content may be replaced."""
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
    writes = writes or {}
    earlier = _read_ledger().get(_ledger_key(out), {})
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
            elif not entry.is_file(follow_symlinks=False):  # a FIFO, socket or device
                raise _not_empty(out, str(rel))
            elif not _replaceable(Path(entry.path), rel.as_posix(), earlier, writes):
                raise _not_empty(
                    out, str(rel), "which no earlier export wrote there, or which has changed since"
                )


def _replaceable(
    path: Path, rel: str, earlier: Mapping[str, str], writes: Mapping[str, bytes]
) -> bool:
    """Whether the file at ``path`` may go: an earlier export wrote it (unchanged since), or
    this export writes the same content there."""
    if rel not in earlier and rel not in writes:
        return False
    digest = _sha256(path)
    if digest is None:
        return False
    if earlier.get(rel) == digest:
        return True
    return rel in writes and hashlib.sha256(writes[rel]).hexdigest() == digest


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
