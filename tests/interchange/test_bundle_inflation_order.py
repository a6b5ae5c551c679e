"""Reading a bundle inflates nothing it will refuse: the central directory and the manifest
are checked first, unlisted or oversized entries never get opened, and a listed file is
stopped at the per-file limit however much its stream would give."""

from __future__ import annotations

import io
import json
import random
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest

from entitle_desktop.domain.records import Account
from entitle_desktop.interchange.bundle import (
    MANIFEST_NAME,
    BundleLimits,
    read_bundle,
    write_bundle,
)
from entitle_desktop.interchange.errors import InterchangeError
from entitle_desktop.interchange.record_set import RecordSet

#: what safe_source asks of a zip stream at a time
_CHUNK = 1 << 20


def _records(accounts: int = 3) -> RecordSet:
    return RecordSet(accounts=[Account(f"001{i:05d}", f"Account {i}") for i in range(accounts)])


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    path = tmp_path / "small.entitlebundle"
    write_bundle(_records(), path)
    return path


def _compressible(size: int) -> bytes:
    """``size`` bytes of JSON-like text that deflates about 20 times: well under the zip
    bomb ratio, so only the manifest check can refuse it."""
    rng = random.Random(7)
    lines: list[bytes] = []
    total = 0
    while total < size:
        line = b'{"k":"' + b"a" * 640 + b'","v":' + str(rng.getrandbits(160)).encode() + b"},\n"
        lines.append(line)
        total += len(line)
    return b"".join(lines)[:size]


def _add_entry(path: Path, name: str, payload: bytes) -> None:
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, payload)


def _watch_opened(monkeypatch: pytest.MonkeyPatch, forbidden: str | None = None) -> list[str]:
    """Names of the entries opened for reading (inflated) from now on; opening
    ``forbidden`` fails the test at once."""
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def open_entry(
        self: zipfile.ZipFile, name: Any, mode: str = "r", pwd: Any = None, **kw: Any
    ) -> Any:
        entry = name.filename if isinstance(name, zipfile.ZipInfo) else name
        if mode == "r":
            opened.append(entry)
            assert entry != forbidden, f"{entry} was inflated before it was refused"
        return real_open(self, name, mode, pwd, **kw)

    monkeypatch.setattr(zipfile.ZipFile, "open", open_entry)
    return opened


def _refused(path: Path, limits: BundleLimits | None = None) -> InterchangeError:
    with pytest.raises(InterchangeError) as info:
        read_bundle(path, limits)
    return info.value


def test_unlisted_entry_is_refused_having_inflated_only_the_manifest(
    bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_entry(bundle, "big.json", _compressible(3 << 20))
    opened = _watch_opened(monkeypatch, forbidden="big.json")
    error = _refused(bundle)
    assert str(error) == "big.json: file not listed in the manifest"
    assert opened == [MANIFEST_NAME]


def test_unlisted_entry_costs_no_memory_of_its_size(bundle: Path) -> None:
    size = 24 << 20
    _add_entry(bundle, "big.json", _compressible(size))
    tracemalloc.start()
    try:
        error = _refused(bundle)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.file == "big.json"
    assert peak < 2 << 20  # the entry inflates to 24 MB


def test_unlisted_entry_is_refused_before_a_tampered_listed_file_is_read(
    bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with zipfile.ZipFile(bundle) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    entries["accounts.json"] = entries["accounts.json"].replace(b"Account 1", b"Evil 1")
    entries["extra.json"] = b"{}"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, payload in entries.items():
            archive.writestr(name, payload)
    opened = _watch_opened(monkeypatch)
    assert str(_refused(bundle)) == "extra.json: file not listed in the manifest"
    assert opened == [MANIFEST_NAME]


def test_listed_file_declared_beyond_the_per_file_limit_is_refused_unopened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "many.entitlebundle"
    write_bundle(_records(200), path)
    with zipfile.ZipFile(path) as archive:
        declared = archive.getinfo("accounts.json").file_size
    assert declared > 4096
    opened = _watch_opened(monkeypatch)
    error = _refused(path, BundleLimits(max_file_bytes=4096))
    assert error.file == "accounts.json"
    assert error.message == (
        f"the file is {declared / 1024:.0f} KB, more than the 4 KB a single file may hold; refused"
    )
    assert opened == []


def test_declared_total_beyond_the_limit_is_refused_unopened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "many.entitlebundle"
    write_bundle(_records(200), path)
    with zipfile.ZipFile(path) as archive:
        total = sum(info.file_size for info in archive.infolist())
    limit = total - 1  # every file alone is within it
    opened = _watch_opened(monkeypatch)
    error = _refused(path, BundleLimits(max_total_bytes=limit))
    assert (error.file, error.message) == (
        "",
        f"the zip declares more than {limit / 1024:.0f} KB of uncompressed data; refused",
    )
    assert opened == []


class _EndlessStream(io.RawIOBase):
    """A zip entry stream that never ends (a header that lies, or a zip library that
    does not stop at the declared size)."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        n = _CHUNK if size is None or size < 0 else size
        self.served += n
        return b" " * n


def test_reading_a_listed_file_stops_at_the_per_file_limit_whatever_its_stream_gives(
    bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = _EndlessStream()
    real_open = zipfile.ZipFile.open

    def open_entry(self: zipfile.ZipFile, name: Any, *args: Any, **kw: Any) -> Any:
        entry = name.filename if isinstance(name, zipfile.ZipInfo) else name
        return stream if entry == "accounts.json" else real_open(self, name, *args, **kw)

    monkeypatch.setattr(zipfile.ZipFile, "open", open_entry)
    error = _refused(bundle, BundleLimits(max_file_bytes=64 * 1024))
    assert error.file == "accounts.json"
    assert error.message == (
        "the file is 1 MB, more than the 64 KB a single file may hold; refused"
    )
    assert stream.served <= _CHUNK  # one bounded read past the limit, then it stopped


def test_manifest_above_one_megabyte_is_refused_unopened(
    bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with zipfile.ZipFile(bundle) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    manifest = json.loads(entries[MANIFEST_NAME])
    manifest["padding"] = random.Random(3).randbytes(600 * 1024).hex()  # deflates ~2 times
    entries[MANIFEST_NAME] = json.dumps(manifest).encode()
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, payload in entries.items():
            archive.writestr(name, payload)
    opened = _watch_opened(monkeypatch)
    error = _refused(bundle)
    assert error.file == MANIFEST_NAME
    assert error.message.endswith("more than the 1 MB a manifest may hold; refused")
    assert opened == []


def test_a_sound_bundle_inflates_each_entry_once(
    bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
    opened = _watch_opened(monkeypatch)
    assert read_bundle(bundle).records == _records()
    assert sorted(opened) == sorted(names)
    assert opened[0] == MANIFEST_NAME
