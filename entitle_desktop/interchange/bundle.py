"""The native bundle (``.entitlebundle``): a zip of JSON files, one per record type.

Layout of format version 1::

    manifest.json          {"format": "entitlebundle", "format_version": 1,
                            "app_version", "created" (ISO 8601 with offset), "setup_model",
                            "scope", "counts": {list name: n}, "files": {name: {"sha256", "bytes"}}}
    settings.json          {"settings": WorkspaceSettings | null, "project": ProjectInfo | null}
    <list name>.json       {"record_type": "Account", "records": [...]}   for every list of
                           :data:`~entitle_desktop.interchange.record_set.RECORD_LISTS`

Records are the dataclasses of :mod:`entitle_desktop.domain.records` in the JSON form of
:mod:`~entitle_desktop.interchange.record_codec`, validated field by field on load.

Reading refuses, with an :class:`InterchangeError` naming the member file (``file``), the
record (``record``, its external key) and the field path (``element``) as far as they are
known -- ``accounts.json, record '001A', <accounts[0].name>: ...`` -- the bundle's own name
being the caller's to add: entries that are not plain names (``../x``, ``/etc/x``, ``C:x``,
sub-folders), links, duplicate names, more than ``max_entries`` entries, a file of more than
``max_file_bytes`` or more than ``max_total_bytes`` in all uncompressed (declared, and counted
while inflating by :mod:`safe_source`, so a lying header does not help), an entry whose header
promises to inflate more than ``max_ratio`` times, a manifest of more than 1 MB, a file the
manifest does not list, a file whose SHA-256 differs from the manifest, counts that differ
from the records, a format version with no
loader in :data:`LOADERS` (one loader per version ever written), JSON that is nested too
deeply, holds ``NaN``/``Infinity``, a number of thousands of digits or one key twice in an
object, values outside the schema of :mod:`record_codec` (types, control characters, number
ranges), two records of one file with the same external key, and business hours the engine
cannot use (:func:`~entitle_desktop.domain.calendar_records.business_hours_problem`).

The order keeps hostile input cheap: the zip's central directory is checked first (names,
links, sizes, ratios), then ``manifest.json`` alone is inflated and checked, and every entry
the manifest does not list is refused before any other entry is inflated; listed files are
then inflated one at a time, each stopped at the limit, and checked against their SHA-256.

A bundle is recognised by its content (:func:`is_bundle`), so a renamed one still reads.

Writing goes to a temporary file beside the target, renamed over it when complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from entitle_desktop import __version__
from entitle_desktop.domain.calendar_records import business_hours_problem
from entitle_desktop.domain.records import WorkspaceSettings
from entitle_desktop.interchange.errors import InterchangeError
from entitle_desktop.interchange.record_codec import SchemaError, codec_for
from entitle_desktop.interchange.record_set import (
    DATA_LISTS,
    RECORD_LISTS,
    UNIQUE_KEYS,
    ProjectInfo,
    RecordSet,
    record_key,
)
from entitle_desktop.interchange.safe_source import SourceFile, SourceLimits, iter_source_files

__all__ = [
    "BUNDLE_SUFFIX",
    "FORMAT_VERSION",
    "LOADERS",
    "MANIFEST_NAME",
    "BundleLimits",
    "BundleManifest",
    "LoadedBundle",
    "Loader",
    "decode_v1_files",
    "is_bundle",
    "read_bundle",
    "write_bundle",
]

BUNDLE_SUFFIX = ".entitlebundle"
FORMAT = "entitlebundle"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
SETTINGS_NAME = "settings.json"


@dataclass(frozen=True, slots=True)
class BundleLimits:
    """Limits applied while reading a bundle (defaults fit a workspace of millions of rows)."""

    max_entries: int = 64
    max_total_bytes: int = 1 << 30  # uncompressed, declared and actually inflated
    max_ratio: int = 500  # declared inflated / compressed size, for entries above ratio_floor
    ratio_floor: int = 1 << 20
    max_file_bytes: int = 1 << 30  # one file uncompressed, declared and actually inflated


@dataclass(slots=True)
class BundleManifest:
    """What ``manifest.json`` says about a bundle."""

    format_version: int
    app_version: str
    created: datetime
    setup_model: str | None
    scope: str
    counts: dict[str, int]
    files: dict[str, str]  # file name -> SHA-256 (hex)


@dataclass(slots=True)
class LoadedBundle:
    manifest: BundleManifest
    records: RecordSet
    warnings: list[str] = field(default_factory=list)


#: A loader turns the verified files of a bundle (name -> bytes, manifest included) and the
#: parsed manifest into records. ``file_name`` is the bundle's name.
Loader = Callable[[str, dict[str, bytes], dict[str, Any]], RecordSet]


def _error(
    file: str,
    line: int | None,
    element: str | None,
    message: str,
    record: str | None = None,
) -> InterchangeError:
    """``file`` is the member of the bundle ("" for the bundle as a whole)."""
    return InterchangeError(file, message, line=line, element=element, record=record)


#: the most a manifest may weigh (it lists at most ``max_entries`` files, a few KB), both
#: when sniffing a file for :func:`is_bundle` and when reading a bundle
_MANIFEST_MAX_BYTES = 1 << 20


def is_bundle(path: Path) -> bool:
    """Whether ``path`` is a bundle: named ``*.entitlebundle``, or a zip (whatever its
    name: mail and chat tools rename attachments) whose ``manifest.json`` says
    ``"format": "entitlebundle"``. Only the manifest is read, and only if small."""
    path = Path(path)
    if path.suffix.lower() == BUNDLE_SUFFIX:
        return True
    try:
        if not path.is_file() or not zipfile.is_zipfile(path):
            return False
        with zipfile.ZipFile(path) as archive:
            try:
                info = archive.getinfo(MANIFEST_NAME)
            except KeyError:
                return False
            if info.file_size > _MANIFEST_MAX_BYTES or info.is_dir():
                return False
            with archive.open(info) as handle:
                payload = handle.read(_MANIFEST_MAX_BYTES + 1)
        doc = json.loads(payload)
    except (OSError, zipfile.BadZipFile, ValueError, RecursionError, RuntimeError):
        return False
    return isinstance(doc, dict) and doc.get("format") == FORMAT


# --------------------------------------------------------------------------- writing


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_bundle(
    records: RecordSet,
    target: Path,
    *,
    scope: str = "workspace",
    created: datetime | None = None,
    app_version: str = __version__,
) -> BundleManifest:
    """Write ``records`` to ``target`` (a temporary file renamed into place) and return
    the manifest written. Nothing is left behind if writing fails."""
    created = created or datetime.now(UTC).astimezone()
    if created.tzinfo is None:
        raise ValueError("created must carry a UTC offset")
    hashes: dict[str, str] = {}
    sizes: dict[str, int] = {}
    with (
        _replace_atomically(target) as handle,
        zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
    ):

        def put(name: str, payload: bytes) -> None:
            hashes[name] = hashlib.sha256(payload).hexdigest()
            sizes[name] = len(payload)
            archive.writestr(name, payload)

        settings = records.settings
        project = records.project
        put(
            SETTINGS_NAME,
            _dumps(
                {
                    "settings": None
                    if settings is None
                    else codec_for(WorkspaceSettings).encode(settings),
                    "project": None if project is None else codec_for(ProjectInfo).encode(project),
                }
            ),
        )
        for list_name, cls in RECORD_LISTS.items():
            encode = codec_for(cls).encode
            items = records.records(list_name)
            put(
                f"{list_name}.json",
                _dumps({"record_type": cls.__name__, "records": [encode(r) for r in items]}),
            )
        manifest = BundleManifest(
            format_version=FORMAT_VERSION,
            app_version=app_version,
            created=created,
            setup_model=None if settings is None else settings.setup_model.value,
            scope=scope,
            counts=records.counts(),
            files=dict(hashes),
        )
        archive.writestr(
            MANIFEST_NAME,
            json.dumps(
                {
                    "format": FORMAT,
                    "format_version": manifest.format_version,
                    "app_version": manifest.app_version,
                    "created": manifest.created.isoformat(),
                    "setup_model": manifest.setup_model,
                    "scope": manifest.scope,
                    "counts": manifest.counts,
                    "files": {n: {"sha256": hashes[n], "bytes": sizes[n]} for n in hashes},
                },
                indent=2,
                ensure_ascii=False,
            ).encode("utf-8"),
        )
    return manifest


@contextmanager
def _replace_atomically(target: Path) -> Iterator[IO[bytes]]:
    """A binary file beside ``target`` that replaces it on success, or vanishes on error."""
    target = Path(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600; give the export the mode an ordinary new file gets
        os.chmod(tmp, stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- reading


def read_bundle(path: Path, limits: BundleLimits | None = None) -> LoadedBundle:
    """Read and verify the bundle at ``path``; :class:`InterchangeError` if it is refused.

    Nothing but ``manifest.json`` is inflated until the central directory and the manifest
    have been checked (see the module docstring for the order)."""
    limits = limits or BundleLimits()
    path = Path(path)
    members = _list_members(path, limits)
    manifest_member = members.get(MANIFEST_NAME)
    if manifest_member is None:
        raise _error("", None, None, "not an Entitle bundle: manifest.json is missing")
    if manifest_member.size > _MANIFEST_MAX_BYTES:
        raise _error(
            MANIFEST_NAME,
            None,
            None,
            f"the manifest is {manifest_member.size:,} bytes, more than the "
            f"{_MANIFEST_MAX_BYTES >> 20} MB a manifest may hold; refused",
        )
    manifest_payload = _read_member(path, manifest_member)
    raw = _parse_json(MANIFEST_NAME, manifest_payload)
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise _error(MANIFEST_NAME, None, "format", "not an Entitle bundle manifest")
    version = raw.get("format_version")
    if type(version) is not int:
        raise _error(MANIFEST_NAME, None, "format_version", "format version must be an integer")
    loader = LOADERS.get(version)
    if loader is None:
        known = ", ".join(str(v) for v in sorted(LOADERS))
        raise _error(
            MANIFEST_NAME,
            None,
            "format_version",
            f"unknown bundle format version {version} (this Entitle Desktop reads versions {known})",
        )
    manifest = _parse_manifest(raw, version)
    _check_listed(members, manifest)
    files = _read_listed(path, members, manifest, manifest_payload)
    records = loader(path.name, files, raw)
    for list_name, expected in manifest.counts.items():
        if list_name in RECORD_LISTS and len(records.records(list_name)) != expected:
            raise _error(
                MANIFEST_NAME,
                None,
                f"counts.{list_name}",
                f"manifest counts {expected} records but {list_name}.json holds "
                f"{len(records.records(list_name))}",
            )
    return LoadedBundle(manifest=manifest, records=records)


def _list_members(path: Path, limits: BundleLimits) -> dict[str, SourceFile]:
    """Every file entry of the bundle zip by name, none of them inflated yet: checked from
    the central directory alone by :mod:`safe_source` (names, links, declared sizes) and
    here (folders, inflation ratio)."""
    if not path.is_file() or not zipfile.is_zipfile(path):
        raise _error("", None, None, "not a bundle: expected a .entitlebundle (zip) file")
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if (
                    info.file_size > limits.ratio_floor
                    and info.file_size > info.compress_size * limits.max_ratio
                ):
                    raise _error(
                        info.filename,
                        None,
                        None,
                        f"entry inflates {info.file_size // max(info.compress_size, 1)} times "
                        f"(limit {limits.max_ratio}); refused as a zip bomb",
                    )
    except (zipfile.BadZipFile, OSError) as exc:
        raise _error("", None, None, f"not a readable bundle ({exc})") from None
    source_limits = SourceLimits(
        max_file_bytes=min(limits.max_file_bytes, limits.max_total_bytes),
        max_total_bytes=limits.max_total_bytes,
        max_entries=limits.max_entries,
    )
    members: dict[str, SourceFile] = {}
    try:
        for member in iter_source_files(path, source_limits):
            if "/" in member.path:
                raise _error(member.path, None, None, "a bundle holds no folders; refused")
            members[member.path] = member
    except InterchangeError as exc:
        raise _about_bundle(path, exc) from None
    return members


def _read_member(path: Path, member: SourceFile) -> bytes:
    """The content of one entry, inflated in bounded chunks and stopped as soon as it
    passes its declared size, the per-file limit or the total (:mod:`safe_source`)."""
    try:
        return member.read()
    except InterchangeError as exc:
        raise _about_bundle(path, exc) from None


def _about_bundle(path: Path, exc: InterchangeError) -> InterchangeError:
    """:mod:`safe_source` names the zip itself when an error is about the bundle as a
    whole; the bundle's name is the caller's to add, so it becomes ``""`` here."""
    if exc.file != path.name:
        return exc
    return _error("", exc.line, exc.element, exc.message, exc.record)


def _check_listed(members: dict[str, SourceFile], manifest: BundleManifest) -> None:
    """Entries and manifest agree, by name alone (nothing inflated)."""
    for entry in members:
        if entry != MANIFEST_NAME and entry not in manifest.files:
            raise _error(entry, None, None, "file not listed in the manifest")
    for entry in manifest.files:
        if entry not in members:
            raise _error(entry, None, None, "file listed in the manifest is missing")


def _read_listed(
    path: Path, members: dict[str, SourceFile], manifest: BundleManifest, manifest_payload: bytes
) -> dict[str, bytes]:
    """Every entry (all listed, see :func:`_check_listed`), in zip order, each checked
    against its SHA-256 as soon as it is read."""
    files: dict[str, bytes] = {}
    for entry, member in members.items():
        payload = manifest_payload if entry == MANIFEST_NAME else _read_member(path, member)
        digest = manifest.files.get(entry)
        if digest is not None and hashlib.sha256(payload).hexdigest() != digest:
            raise _error(
                entry, None, None, "SHA-256 does not match the manifest (file altered or damaged)"
            )
        files[entry] = payload
    return files


class _DuplicateKey(ValueError):
    pass


def _strict_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(f"the key {key!r} appears twice in one object")
            seen.add(key)
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _parse_json(entry: str, payload: bytes) -> Any:
    """Strict JSON: no NaN/Infinity, no key twice in an object, bounded nesting."""
    try:
        return json.loads(payload, object_pairs_hook=_strict_object, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise _error(
            entry, exc.lineno, None, f"not valid JSON: {exc.msg} (column {exc.colno})"
        ) from None
    except UnicodeDecodeError as exc:
        raise _error(entry, None, None, f"not valid JSON: not UTF-8 text ({exc.reason})") from None
    except RecursionError:
        raise _error(entry, None, None, "not valid JSON: nested too deeply") from None
    except _DuplicateKey as exc:
        raise _error(entry, None, None, f"not valid JSON: {exc}") from None
    except ValueError as exc:  # NaN/Infinity, or an integer of thousands of digits
        reason = str(exc)
        if "digits" in reason:
            reason = "a number has too many digits"
        raise _error(entry, None, None, f"not valid JSON: {reason}") from None


def _parse_manifest(raw: dict[str, Any], version: int) -> BundleManifest:
    def fail(key: str, message: str) -> InterchangeError:
        return _error(MANIFEST_NAME, None, key, message)

    created_text = raw.get("created")
    try:
        created = datetime.fromisoformat(created_text) if isinstance(created_text, str) else None
    except ValueError:
        created = None
    if created is None or created.tzinfo is None:
        raise fail("created", "creation time must be ISO 8601 with a UTC offset")
    app_version = raw.get("app_version")
    if not isinstance(app_version, str):
        raise fail("app_version", "app version must be a string")
    setup_model = raw.get("setup_model")
    if setup_model is not None and not isinstance(setup_model, str):
        raise fail("setup_model", "setup model must be a string or null")
    counts = raw.get("counts")
    if not isinstance(counts, dict) or not all(
        isinstance(k, str) and type(v) is int and v >= 0 for k, v in counts.items()
    ):
        raise fail("counts", "counts must map record types to non-negative integers")
    listed = raw.get("files")
    if not isinstance(listed, dict):
        raise fail("files", "files must map file names to their SHA-256")
    hashes: dict[str, str] = {}
    for file_name, info in listed.items():
        digest = info.get("sha256") if isinstance(info, dict) else None
        if not isinstance(digest, str) or len(digest) != 64:
            raise fail(f"files.{file_name}.sha256", "missing or malformed SHA-256")
        hashes[file_name] = digest.lower()
    scope = raw.get("scope", "workspace")
    return BundleManifest(
        format_version=version,
        app_version=app_version,
        created=created,
        setup_model=setup_model,
        scope=scope if isinstance(scope, str) else "workspace",
        counts=dict(counts),
        files=hashes,
    )


# --------------------------------------------------------------------------- loaders


def decode_v1_files(name: str, documents: dict[str, Any]) -> RecordSet:
    """Build records from the parsed JSON documents of a version-1 bundle
    (``settings.json`` and ``<list name>.json``; a missing list file means no records),
    and check them (:func:`check_records`). ``name`` is the bundle's name.

    Older loaders upgrade their documents to this shape and call this function.
    """
    result = RecordSet()
    settings_doc = documents.get(SETTINGS_NAME, {"settings": None})
    if not isinstance(settings_doc, dict) or not set(settings_doc) <= {"settings", "project"}:
        raise _error(
            SETTINGS_NAME, None, None, "expected an object with the keys 'settings' and 'project'"
        )
    try:
        if settings_doc.get("settings") is not None:
            result.settings = codec_for(WorkspaceSettings).decode(
                settings_doc["settings"], "settings"
            )
        if settings_doc.get("project") is not None:
            result.project = codec_for(ProjectInfo).decode(settings_doc["project"], "project")
    except SchemaError as exc:
        raise _error(SETTINGS_NAME, None, exc.path, exc.message) from None
    for list_name, cls in RECORD_LISTS.items():
        entry = f"{list_name}.json"
        doc = documents.get(entry)
        if doc is None:
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("records"), list):
            raise _error(entry, None, None, "expected an object with a 'records' array")
        if doc.get("record_type") != cls.__name__:
            raise _error(entry, None, "record_type", f"expected record type {cls.__name__}")
        decode = codec_for(cls).decode
        target = result.records(list_name)
        items = doc["records"]
        i = 0
        try:
            for i, item in enumerate(items):
                target.append(decode(item, f"{list_name}[{i}]"))
        except SchemaError as exc:
            raise _error(
                entry, None, exc.path, exc.message, _raw_key(list_name, items[i])
            ) from None
    check_records(result)
    return result


def _raw_key(list_name: str, item: Any) -> str | None:
    """The external key of a record not yet decoded, when its key fields are sound."""
    if not isinstance(item, dict):
        return None
    if list_name in DATA_LISTS:
        key = item.get("id")
    elif list_name == "other_metadata_files":
        key = item.get("path")
    else:
        key = item.get("name")
    if not isinstance(key, str) or not key.isprintable():
        return None
    if list_name == "processes":
        number = item.get("version_number")
        return f"{key}#{number if type(number) is int else ''}"
    if list_name == "holidays":
        day = item.get("activity_date")
        return f"{key}@{day if isinstance(day, str) and day.isprintable() else ''}"
    return key


def check_records(records: RecordSet) -> None:
    """Refuse what the schema cannot see: two records of one file with the same external
    key (both positions named) and business hours the engine cannot use."""
    for list_name in RECORD_LISTS:
        if list_name not in UNIQUE_KEYS:
            continue
        first: dict[str, int] = {}
        for i, record in enumerate(records.records(list_name)):
            key = record_key(list_name, record)
            seen = first.setdefault(key, i)
            if seen != i:
                raise _error(
                    f"{list_name}.json",
                    None,
                    f"{list_name}[{i}]",
                    f"duplicate record: {list_name}[{seen}] has the same key",
                    key,
                )
    for i, hours in enumerate(records.business_hours):
        problem = business_hours_problem(hours)
        if problem is not None:
            where, reason = problem
            raise _error(
                "business_hours.json", None, f"business_hours[{i}].{where}", reason, hours.name
            )


def _load_v1(name: str, files: dict[str, bytes], manifest: dict[str, Any]) -> RecordSet:
    documents = {
        entry: _parse_json(entry, payload)
        for entry, payload in files.items()
        if entry != MANIFEST_NAME
    }
    expected = {SETTINGS_NAME} | {f"{n}.json" for n in RECORD_LISTS}
    for entry in documents:
        if entry not in expected:
            raise _error(entry, None, None, "not a file of a version-1 bundle")
    return decode_v1_files(name, documents)


#: format version -> loader. Every version ever written keeps its loader here; a new
#: version adds one (usually: upgrade the documents, then :func:`decode_v1_files`).
LOADERS: dict[int, Loader] = {1: _load_v1}
