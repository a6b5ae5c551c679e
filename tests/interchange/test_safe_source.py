"""Opening hostile folders and zips: refused before anything is read, naming the entry."""

from __future__ import annotations

import os
import stat
import struct
import zipfile
from pathlib import Path

import pytest

from entitle_desktop.interchange.errors import InterchangeError
from entitle_desktop.interchange.safe_source import (
    SourceLimits,
    is_safe_relative_path,
    iter_source_files,
    read_source_files,
)


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def _refused(source: Path, limits: SourceLimits | None = None) -> InterchangeError:
    with pytest.raises(InterchangeError) as info:
        read_source_files(source, limits or SourceLimits())
    return info.value


def test_a_plain_zip_is_read_in_memory(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "ok.zip", {"src/package.xml": b"<Package/>", "src/a/b.txt": b"b"})
    assert read_source_files(archive) == {"src/package.xml": b"<Package/>", "src/a/b.txt": b"b"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.zip"]  # nothing extracted


def test_files_stay_readable_after_the_iteration(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "ok.zip", {"a.txt": b"a", "b.txt": b"b"})
    files = list(iter_source_files(archive))
    assert [f.read() for f in files] == [b"a", b"b"]
    assert [(f.path, f.size) for f in files] == [("a.txt", 1), ("b.txt", 1)]


@pytest.mark.parametrize(
    "name",
    ["../evil.txt", "src/../../evil.txt", "..\\..\\evil.txt", "src/..\\..\\evil.txt"],
)
def test_zip_slip_is_refused(tmp_path: Path, name: str) -> None:
    archive = _zip(tmp_path / "slip.zip", {"src/package.xml": b"<Package/>", name: b"x"})
    err = _refused(archive)
    assert (err.file, err.message) == (
        name,
        "the zip entry points outside the folder ('..'); refused",
    )


@pytest.mark.parametrize(
    "name", ["/etc/passwd", "\\windows\\evil.txt", "C:/evil.txt", "c:\\evil.txt"]
)
def test_absolute_paths_are_refused(tmp_path: Path, name: str) -> None:
    archive = tmp_path / "abs.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo("placeholder")
        info.filename = name  # ZipInfo() would strip the leading slash
        zf.writestr(info, b"x")
    err = _refused(archive)
    assert (err.file, err.message) == (name, "the zip entry has an absolute path; refused")


def test_symlink_entry_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo("src/settings")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc")
    err = _refused(archive)
    assert (err.file, err.message) == ("src/settings", "the zip entry is a symbolic link; refused")


def test_too_many_entries_are_refused_before_reading(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "many.zip", {f"f{i}.txt": b"" for i in range(21)})
    err = _refused(archive, SourceLimits(max_entries=20))
    assert (err.file, err.message) == (
        "many.zip",
        "the zip holds 21 entries, more than the 20 allowed; refused",
    )


def test_default_entry_limit_is_twenty_thousand(tmp_path: Path) -> None:
    assert SourceLimits().max_entries == 20_000
    assert SourceLimits().max_file_bytes == 64 * 1024 * 1024
    assert SourceLimits().max_total_bytes == 512 * 1024 * 1024


def test_zip_bomb_by_declared_size_of_one_file(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "bomb.zip", {"src/huge.xml": b"\0" * (65 * 1024 * 1024)})
    assert archive.stat().st_size < 1024 * 1024
    err = _refused(archive)
    assert (err.file, err.message) == (
        "src/huge.xml",
        "the file is 65 MB, more than the 64 MB a single file may hold; refused",
    )


def test_zip_bomb_by_declared_total(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "total.zip", {f"f{i}.bin": b"\0" * 4096 for i in range(10)})
    err = _refused(archive, SourceLimits(max_total_bytes=30_000))
    assert err.file == "total.zip"
    assert err.message == "the zip declares more than 29 KB of uncompressed data; refused"


def _lie_about_size(archive: Path, declared: int) -> None:
    """Rewrite the uncompressed size in the local and central headers."""
    data = bytearray(archive.read_bytes())
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, declared)
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, declared)
    archive.write_bytes(bytes(data))


def test_zip_bomb_by_actual_size_is_stopped(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "liar.zip", {"src/a.xml": b"\0" * 200_000})
    _lie_about_size(archive, 100)
    files = list(iter_source_files(archive))  # the header alone looks harmless
    assert [(f.path, f.size) for f in files] == [("src/a.xml", 100)]
    with pytest.raises(InterchangeError) as info:
        files[0].read()
    assert info.value.file == "src/a.xml"
    assert info.value.message == (
        "the zip entry does not match its header (Bad CRC-32 for file 'src/a.xml'); "
        "refused as damaged or a zip bomb"
    )


def test_declared_total_over_the_limit_is_refused(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "ok.zip", {"a": b"x" * 600, "b": b"y" * 600})
    err = _refused(archive, SourceLimits(max_total_bytes=1000))
    assert err.message == "the zip declares more than 1000 bytes of uncompressed data; refused"


def test_a_duplicate_entry_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "dup.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.txt", b"1")
        with pytest.warns(UserWarning):
            zf.writestr("a.txt", b"2")
    err = _refused(archive)
    assert (err.file, err.message) == ("a.txt", "the zip holds this entry twice; refused")


def test_not_a_zip_nor_a_folder(tmp_path: Path) -> None:
    plain = tmp_path / "notes.txt"
    plain.write_text("hello", encoding="utf-8")
    assert _refused(plain).message == "neither a folder nor a zip file"
    assert _refused(tmp_path / "missing").message == "no such folder or file"


def test_a_huge_file_in_a_folder_is_refused_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "proj"
    (folder / "src").mkdir(parents=True)
    huge = folder / "src" / "huge.xml"
    with huge.open("wb") as fh:
        fh.truncate(400 * 1024 * 1024)  # sparse
    err = _refused(folder)
    assert (err.file, err.message) == (
        "src/huge.xml",
        "the file is 400 MB, more than the 64 MB a single file may hold; refused",
    )


def test_a_folder_over_the_total_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "proj"
    folder.mkdir()
    for i in range(3):
        (folder / f"f{i}").write_bytes(b"x" * 400)
    err = _refused(folder, SourceLimits(max_total_bytes=1000))
    assert (err.file, err.message) == (
        "f2",
        "the folder holds more than 1000 bytes of data; refused",
    )


def test_a_folder_with_too_many_files_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "proj"
    folder.mkdir()
    for i in range(6):
        (folder / f"f{i}").write_bytes(b"")
    err = _refused(folder, SourceLimits(max_entries=5))
    assert (err.file, err.message) == ("proj", "the folder holds more than 5 files; refused")


def test_a_link_leading_outside_the_folder_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("secret", encoding="utf-8")
    folder = tmp_path / "proj"
    folder.mkdir()
    os.symlink(secret, folder / "leak.xml")
    err = _refused(folder)
    assert (err.file, err.message) == (
        "leak.xml",
        "the file is a link that leads outside the folder; refused",
    )


def test_links_inside_the_folder_are_read_and_linked_folders_not_walked(tmp_path: Path) -> None:
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "a.txt").write_text("a", encoding="utf-8")
    os.symlink(folder / "a.txt", folder / "b.txt")
    os.symlink(tmp_path, folder / "up")
    assert read_source_files(folder) == {"a.txt": b"a", "b.txt": b"a"}


@pytest.mark.parametrize(
    ("path", "safe"),
    [("src/a.xml", True), ("../a.xml", False), ("/etc/x", False), ("src/../../x", False)],
)
def test_relative_path_safety_for_writers(path: str, safe: bool) -> None:
    assert is_safe_relative_path(path) is safe
