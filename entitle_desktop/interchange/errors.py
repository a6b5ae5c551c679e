"""Errors of the file formats: bad input the user can fix, named by file, line and element.

Every interchange reader raises :class:`InterchangeError` for input it refuses; the
message is written for the user, e.g.::

    premium.entitlementProcess, line 12, <minutesToComplete>: 'abc' is not a whole number
"""

from __future__ import annotations

__all__ = ["InterchangeCancelled", "InterchangeError"]


class InterchangeError(Exception):
    """Input that cannot be read (or a project that cannot be written).

    ``file`` is the path as the user knows it (relative to the source, '/' separators),
    ``line`` the 1-based line when known, ``record`` the record's external key when known
    (a bundle's ``001A``, ``Premium Support#2``), ``element`` the XML element (or CSV
    column, JSON field path) when known, ``message`` the reason without the location::

        contacts.json, record '003A', <contacts[0].account_id>: no account '001X' ...
    """

    def __init__(
        self,
        file: str,
        message: str,
        *,
        line: int | None = None,
        element: str | None = None,
        record: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.element = element
        self.record = record
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.record is not None:
            parts.append(f"record '{self.record}'")
        if self.element:
            parts.append(f"<{self.element}>")
        where = ", ".join(parts)
        return f"{where}: {self.message}" if where else self.message

    def __reduce__(self) -> tuple[object, ...]:  # keeps keyword fields across pickling
        return (_rebuild, (self.file, self.message, self.line, self.element, self.record))


def _rebuild(
    file: str,
    message: str,
    line: int | None,
    element: str | None,
    record: str | None = None,
) -> InterchangeError:
    return InterchangeError(file, message, line=line, element=element, record=record)


class InterchangeCancelled(Exception):
    """The caller's ``cancelled()`` callback asked a long read or write to stop."""
