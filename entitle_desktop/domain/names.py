"""Names of Salesforce setup records: Unicode normal form and case-insensitive identity.

Salesforce names (entitlement processes, milestone types, templates, business hours) are
unique regardless of case, so two spellings that differ only in case, or only in Unicode
composition (macOS zips store decomposed 'é' = 'e' + U+0301), name the same record.
"""

from __future__ import annotations

import unicodedata

__all__ = ["name_key", "nfc"]


def nfc(text: str) -> str:
    """``text`` in Unicode normal form C (composed), as Salesforce stores names."""
    return unicodedata.normalize("NFC", text)


def name_key(name: str) -> str:
    """The identity of a name: NFC, then full Unicode case folding (not ASCII-only)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())
