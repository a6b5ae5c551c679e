"""Open a source folder or zip safely, in memory, for every interchange reader.

A source is checked as a whole *before* any content is read:

* zip entry names stored as UTF-8 without the UTF-8 flag are read as UTF-8 (see
  :func:`_entry_name`);
* zip entries whose names escape the source (``..``, absolute paths, drive letters,
  backslash tricks), symlink entries and encrypted entries are refused;
* the number of entries, the declared size of each file and the declared total are
  limited (:class:`SourceLimits`);
* while reading, the *actual* bytes are counted too, so a zip whose headers lie about
  the uncompressed size (a zip bomb) is stopped at the limit, not after inflating;
* in a folder, symlinks that lead outside the folder are refused and files larger than
  the per-file limit are refused by their size on disk.

Nothing is ever extracted to disk. Refusals raise :class:`InterchangeError` naming the
entry (file) concerned.
"""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from entitle_desktop.interchange.errors import InterchangeError

__all__ = [
    "DEFAULT_LIMITS",
    "SourceFile",
    "SourceLimits",
    "is_safe_relative_path",
    "iter_source_files",
    "read_source_files",
]

_MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class SourceLimits:
    """Limits checked before and while reading a source."""

    max_file_bytes: int = 64 * _MB
    max_total_bytes: int = 512 * _MB
    max_entries: int = 20_000


DEFAULT_LIMITS = SourceLimits()


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file of a source: ``path`` relative to the source, '/' separators.

    ``size`` is the size on disk or the size the zip declares. ``read()`` returns the
    content, refusing more than the per-file limit; it stays usable after the
    iteration ended (a zip stays open while any of its SourceFiles is alive).
    """

    path: str
    size: int
    read: Callable[[], bytes]


class _Budget:
    """Counts the bytes actually read across a whole source."""

    def __init__(self, source_name: str, limits: SourceLimits) -> None:
        self.source_name = source_name
        self.limits = limits
        self.total = 0

    def take(self, path: str, n: int) -> None:
        self.total += n
        if self.total > self.limits.max_total_bytes:
            raise InterchangeError(
                path,
                f"the source {self.source_name} holds more than "
                f"{_fmt_size(self.limits.max_total_bytes)} of data; refused",
            )


def _fmt_size(n: int) -> str:
    if n >= _MB:
        return f"{n / _MB:.0f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


def _too_big(path: str, size: int, limits: SourceLimits) -> InterchangeError:
    return InterchangeError(
        path,
        f"the file is {_fmt_size(size)}, more than the {_fmt_size(limits.max_file_bytes)} "
        "a single file may hold; refused",
    )


def _check_entry_name(name: str) -> str:
    """The normalised relative path of a zip entry, or an error when it escapes."""
    if "\x00" in name:
        raise InterchangeError(name, "the zip entry name contains a NUL character; refused")
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        raise InterchangeError(name, "the zip entry has an absolute path; refused")
    parts = [p for p in unified.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise InterchangeError(name, "the zip entry points outside the folder ('..'); refused")
    return "/".join(parts)


_ZIP_UTF8_FLAG = 0x800


def _entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as its writer meant it.

    Without the UTF-8 flag (bit 0x800) Python decodes the stored bytes as cp437, but many
    tools (macOS Archive Utility, Java, older 7-Zip) store UTF-8 without setting the flag:
    the bytes are recovered and read as UTF-8, keeping cp437 when they are not UTF-8.
    """
    name = info.filename
    if info.flag_bits & _ZIP_UTF8_FLAG:
        return name
    try:
        return name.encode("cp437").decode("utf-8")
    except UnicodeError:
        return name


def _is_zip_symlink(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return info.create_system == 3 and stat.S_ISLNK(mode)


def _iter_zip(source: Path, limits: SourceLimits) -> Iterator[SourceFile]:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InterchangeError(source.name, f"not a readable zip file ({exc})") from exc
    try:
        checked = _check_zip(source, archive.infolist(), limits)
    except InterchangeError:
        archive.close()
        raise
    budget = _Budget(source.name, limits)
    # Not closed after the iteration: each SourceFile's read() holds the archive, which
    # closes when the last of them is gone.
    for path, info in checked:
        yield SourceFile(path, info.file_size, _zip_reader(archive, info, path, limits, budget))


def _check_zip(
    source: Path, infos: list[zipfile.ZipInfo], limits: SourceLimits
) -> list[tuple[str, zipfile.ZipInfo]]:
    """Every entry's name, kind and declared size checked; the files to read."""
    if len(infos) > limits.max_entries:
        raise InterchangeError(
            source.name,
            f"the zip holds {len(infos)} entries, more than the {limits.max_entries} "
            "allowed; refused",
        )
    checked: list[tuple[str, zipfile.ZipInfo]] = []
    declared_total = 0
    seen: set[str] = set()
    for info in infos:
        name = _entry_name(info)
        path = _check_entry_name(name)
        if _is_zip_symlink(info):
            raise InterchangeError(name, "the zip entry is a symbolic link; refused")
        if info.is_dir() or not path:
            continue
        if info.flag_bits & 0x1:
            raise InterchangeError(name, "the zip entry is encrypted; refused")
        if info.file_size > limits.max_file_bytes:
            raise _too_big(path, info.file_size, limits)
        declared_total += info.file_size
        if declared_total > limits.max_total_bytes:
            raise InterchangeError(
                source.name,
                f"the zip declares more than {_fmt_size(limits.max_total_bytes)} "
                "of uncompressed data; refused",
            )
        if path in seen:
            raise InterchangeError(path, "the zip holds this entry twice; refused")
        seen.add(path)
        checked.append((path, info))
    return checked


def _zip_reader(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    path: str,
    limits: SourceLimits,
    budget: _Budget,
) -> Callable[[], bytes]:
    def read() -> bytes:
        chunks: list[bytes] = []
        got = 0
        try:
            with archive.open(info) as stream:
                while True:
                    chunk = stream.read(1024 * 1024)
                    if not chunk:
                        break
                    got += len(chunk)
                    if got > limits.max_file_bytes:
                        raise _too_big(path, got, limits)
                    if got > info.file_size:
                        raise InterchangeError(
                            path,
                            "the zip entry inflates to more than its declared size "
                            f"({_fmt_size(info.file_size)}); refused as a zip bomb",
                        )
                    budget.take(path, len(chunk))
                    chunks.append(chunk)
        except zipfile.BadZipFile as exc:
            # zipfile stops at the declared size, so a lying header shows up here.
            raise InterchangeError(
                path,
                f"the zip entry does not match its header ({exc}); refused as damaged or a zip bomb",
            ) from exc
        except (OSError, EOFError, ValueError, zlib.error) as exc:  # damaged compressed data
            raise InterchangeError(
                path, f"the zip entry cannot be read ({exc}); refused as damaged"
            ) from exc
        return b"".join(chunks)

    return read


def _iter_folder(source: Path, limits: SourceLimits) -> Iterator[SourceFile]:
    root = source.resolve()
    found: list[tuple[str, Path, int]] = []
    total = 0
    for dirpath, dirnames, filenames in os.walk(source, followlinks=False):
        dirnames.sort()
        here = Path(dirpath)
        for d in list(dirnames):
            if (here / d).is_symlink():
                dirnames.remove(d)  # a linked folder is not walked
        for name in sorted(filenames):
            full = here / name
            rel = full.relative_to(source).as_posix()
            if full.is_symlink():
                target = full.resolve()
                if not target.is_relative_to(root):
                    raise InterchangeError(
                        rel, "the file is a link that leads outside the folder; refused"
                    )
            try:
                st = full.stat()
            except OSError as exc:
                raise InterchangeError(rel, f"the file cannot be read ({exc.strerror})") from exc
            if not stat.S_ISREG(st.st_mode):
                continue
            if st.st_size > limits.max_file_bytes:
                raise _too_big(rel, st.st_size, limits)
            total += st.st_size
            if total > limits.max_total_bytes:
                raise InterchangeError(
                    rel,
                    f"the folder holds more than {_fmt_size(limits.max_total_bytes)} of data; refused",
                )
            found.append((rel, full, st.st_size))
            if len(found) > limits.max_entries:
                raise InterchangeError(
                    source.name,
                    f"the folder holds more than {limits.max_entries} files; refused",
                )
    budget = _Budget(source.name, limits)
    for rel, full, size in found:
        yield SourceFile(rel, size, _file_reader(full, rel, limits, budget))


def _file_reader(
    full: Path, rel: str, limits: SourceLimits, budget: _Budget
) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            with full.open("rb") as stream:
                data = stream.read(limits.max_file_bytes + 1)
        except OSError as exc:
            raise InterchangeError(rel, f"the file cannot be read ({exc.strerror})") from exc
        if len(data) > limits.max_file_bytes:
            raise _too_big(rel, len(data), limits)  # grew since it was listed
        budget.take(rel, len(data))
        return data

    return read


def iter_source_files(source: Path, limits: SourceLimits = DEFAULT_LIMITS) -> Iterator[SourceFile]:
    """The files of a folder or a zip, after the whole source passed the checks.

    Order: sorted by path within each folder (folders) or zip order (zips). Raises
    :class:`InterchangeError` before yielding anything when names, links, counts or
    declared sizes are refused, and from ``read()`` when actual sizes are.
    """
    if source.is_dir():
        yield from _iter_folder(source, limits)
    elif source.is_file():
        if not zipfile.is_zipfile(source):
            raise InterchangeError(source.name, "neither a folder nor a zip file")
        yield from _iter_zip(source, limits)
    else:
        raise InterchangeError(str(source), "no such folder or file")


def read_source_files(source: Path, limits: SourceLimits = DEFAULT_LIMITS) -> dict[str, bytes]:
    """Every file of the source, read into memory: relative path -> content."""
    return {f.path: f.read() for f in iter_source_files(source, limits)}


def is_safe_relative_path(path: str) -> bool:
    """Whether a relative '/' path stays inside its folder (for writers)."""
    p = PurePosixPath(path)
    return (
        not p.is_absolute() and ".." not in p.parts and ":" not in (p.parts[0] if p.parts else "")
    )
