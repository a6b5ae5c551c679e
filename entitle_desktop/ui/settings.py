"""Persistent UI settings: recent workspaces, window geometry and splitter state.

Everything lives in one INI-format ``QSettings`` under the organisation/application
names below, so tests isolate it with ``QSettings.setPath(IniFormat, UserScope, tmp)``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "EntitleDesktop"
APPLICATION = "Entitle Desktop"
MAX_RECENT = 10

_RECENT_KEY = "recent/workspaces"


def app_settings() -> QSettings:
    """The settings store shared by every window of the app."""
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
    )


def _as_list(value: object) -> list[str]:
    # QSettings returns a plain str for a one-element list in INI files, None when absent.
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v]
    return []


class RecentWorkspaces:
    """Most recently opened workspace files, newest first, without duplicates."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings if settings is not None else app_settings()

    def paths(self) -> list[Path]:
        return [Path(p) for p in _as_list(self._settings.value(_RECENT_KEY))]

    def add(self, path: Path) -> None:
        resolved = str(Path(path).resolve())
        rest = [str(p) for p in self.paths() if str(p) != resolved]
        self._store([resolved, *rest][:MAX_RECENT])

    def remove(self, path: Path) -> None:
        resolved = str(Path(path).resolve())
        self._store([str(p) for p in self.paths() if str(p) != resolved])

    def clear(self) -> None:
        self._store([])

    def _store(self, paths: list[str]) -> None:
        self._settings.setValue(_RECENT_KEY, paths)
        self._settings.sync()


def save_bytes(key: str, value: QByteArray, settings: QSettings | None = None) -> None:
    store = settings if settings is not None else app_settings()
    store.setValue(key, value)
    store.sync()


def load_bytes(key: str, settings: QSettings | None = None) -> QByteArray | None:
    store = settings if settings is not None else app_settings()
    value = store.value(key)
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None
