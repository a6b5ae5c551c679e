"""JSON form of the record dataclasses, with a strict schema check on the way in.

The schema of each record type is derived once from the dataclass's type hints
(``str``, ``int``, ``float``, ``bool``, ``date``, ``time``, ``bytes``, string enums,
``X | None``, ``list[X]``, ``dict[str, X]`` and nested record dataclasses), so it cannot
drift from :mod:`entitle_desktop.domain.records`. Decoding checks every value against it:
a wrong type, an unknown key or a missing required key raises :class:`SchemaError`
naming the path of the value (``entitlements[12].start_date``). So do values the app
cannot hold: text with a character XML 1.0 cannot carry (NUL and the other control
characters except tab, line feed and carriage return, lone surrogates, U+FFFE/U+FFFF),
an integer outside Salesforce's 32-bit ``int``, a number that is not finite, and a number
outside the range a field declares in its metadata (``records.MINIMUM``/``MAXIMUM``, e.g.
``minutes_to_complete`` at least 1).

JSON form: dates ``YYYY-MM-DD``, times ``HH:MM:SS[.ffffff]``, bytes base64, enums their
value; every field is written, ``None`` as ``null``.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import enum
import math
import re
import types
import typing
from collections.abc import Callable
from datetime import date, time
from typing import Any

from entitle_desktop.domain.records import MAXIMUM, MINIMUM

__all__ = [
    "INT_MAX",
    "INT_MIN",
    "SchemaError",
    "RecordCodec",
    "codec_for",
    "describe_schema",
    "illegal_xml_character",
]

Encoder = Callable[[Any], Any]
Decoder = Callable[[Any, str], Any]

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_TIME_RE = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?\Z")
#: a character outside XML 1.0's Char production (tab, LF and CR are allowed)
_ILLEGAL_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: Salesforce's ``int`` (and ``xsd:int``)
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1


def illegal_xml_character(text: str) -> str | None:
    """Why ``text`` cannot be held (``"the control character U+0000"``), or None when
    every character is one XML 1.0 allows."""
    found = _ILLEGAL_XML.search(text)
    if found is None:
        return None
    code = ord(found.group())
    kind = "a surrogate" if 0xD800 <= code <= 0xDFFF else "the control character"
    if code in (0xFFFE, 0xFFFF):
        kind = "the non-character"
    return f"{kind} U+{code:04X} at position {found.start() + 1}, which XML 1.0 cannot hold"


class SchemaError(ValueError):
    """A value does not match the schema; ``path`` names it (``accounts[3].name``)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def _identity(value: Any) -> Any:
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _dec_str(value: Any, path: str) -> str:
    if type(value) is not str:
        raise SchemaError(path, f"expected a string, found {_kind(value)}")
    if not value.isprintable() and (why := illegal_xml_character(value)) is not None:
        raise SchemaError(path, f"text contains {why}")
    return value


def _dec_int(value: Any, path: str) -> int:
    if type(value) is not int:
        raise SchemaError(path, f"expected an integer, found {_kind(value)}")
    if not INT_MIN <= value <= INT_MAX:
        raise SchemaError(path, f"{_short(value)} is outside the 32-bit integer range")
    return value


def _dec_float(value: Any, path: str) -> float:
    if type(value) is float:
        if not math.isfinite(value):
            raise SchemaError(path, f"expected a finite number, found {value!r}")
        return value
    if type(value) is int:
        try:
            return float(value)
        except OverflowError:
            raise SchemaError(path, f"{_short(value)} is too large") from None
    raise SchemaError(path, f"expected a number, found {_kind(value)}")


def _short(value: int) -> str:
    text = str(value)
    return text if len(text) <= 20 else f"{text[:8]}…({len(text)} digits)"


def _ranged(dec: Decoder, minimum: Any, maximum: Any) -> Decoder:
    """``dec`` that also refuses numbers outside ``[minimum, maximum]`` (None = open)."""

    def dec_ranged(value: Any, path: str) -> Any:
        out = dec(value, path)
        if out is None:
            return out
        if minimum is not None and out < minimum:
            raise SchemaError(path, f"must be at least {minimum}, found {out}")
        if maximum is not None and out > maximum:
            raise SchemaError(path, f"must be at most {maximum}, found {out}")
        return out

    return dec_ranged


def _range_text(minimum: Any, maximum: Any) -> str:
    if minimum is not None and maximum is not None:
        return f" {minimum}..{maximum}"
    if minimum is not None:
        return f" >= {minimum}"
    return f" <= {maximum}"


def _dec_bool(value: Any, path: str) -> bool:
    if type(value) is not bool:
        raise SchemaError(path, f"expected true or false, found {_kind(value)}")
    return value


def _dec_date(value: Any, path: str) -> date:
    if type(value) is not str or not _DATE_RE.match(value):
        raise SchemaError(path, f"expected a date YYYY-MM-DD, found {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SchemaError(path, f"not a valid date: {value!r}") from None


def _dec_time(value: Any, path: str) -> time:
    if type(value) is not str or not _TIME_RE.match(value):
        raise SchemaError(path, f"expected a time HH:MM:SS, found {value!r}")
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise SchemaError(path, f"not a valid time: {value!r}") from None


def _dec_bytes(value: Any, path: str) -> bytes:
    if type(value) is not str:
        raise SchemaError(path, f"expected base64 text, found {_kind(value)}")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise SchemaError(path, "not valid base64") from None


def _enc_iso(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _enc_bytes(value: Any) -> Any:
    return None if value is None else base64.b64encode(value).decode("ascii")


def _enc_enum(value: Any) -> Any:
    return None if value is None else value.value


class RecordCodec:
    """Encoder/decoder of one record dataclass (build with :func:`codec_for`)."""

    def __init__(self, cls: type) -> None:
        self.cls = cls
        hints = typing.get_type_hints(cls)
        self._fields: list[tuple[str, Encoder, Decoder, bool]] = []
        self.schema: dict[str, str] = {}
        for f in dataclasses.fields(cls):
            enc, dec, desc = _compile(hints[f.name])
            minimum, maximum = f.metadata.get(MINIMUM), f.metadata.get(MAXIMUM)
            if minimum is not None or maximum is not None:
                dec = _ranged(dec, minimum, maximum)
                bare, null, _ = desc.partition(" | null")
                desc = bare + _range_text(minimum, maximum) + null
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            self._fields.append((f.name, enc, dec, required))
            self.schema[f.name] = desc if required else f"{desc} (optional)"
        self._names = frozenset(self.schema)
        self._plain = all(enc is _identity for _, enc, _, _ in self._fields)

    def encode(self, obj: Any) -> dict[str, Any]:
        """``obj`` as a JSON-ready dict (every field)."""
        if self._plain:
            return {name: getattr(obj, name) for name, _, _, _ in self._fields}
        return {name: enc(getattr(obj, name)) for name, enc, _, _ in self._fields}

    def decode(self, value: Any, path: str) -> Any:
        """Validate ``value`` against the schema and build the record."""
        if type(value) is not dict:
            raise SchemaError(path, f"expected an object, found {_kind(value)}")
        extra = value.keys() - self._names
        if extra:
            raise SchemaError(f"{path}.{sorted(extra)[0]}", "unknown field")
        kwargs: dict[str, Any] = {}
        for name, _, dec, required in self._fields:
            if name in value:
                kwargs[name] = dec(value[name], f"{path}.{name}")
            elif required:
                raise SchemaError(f"{path}.{name}", "required field missing")
        return self.cls(**kwargs)


_CODECS: dict[type, RecordCodec] = {}


def codec_for(cls: type) -> RecordCodec:
    """The (cached) codec of a record dataclass."""
    codec = _CODECS.get(cls)
    if codec is None:
        codec = RecordCodec(cls)
        _CODECS[cls] = codec
    return codec


def describe_schema(cls: type) -> dict[str, str]:
    """Field name -> type description, e.g. ``{"start_date": "date | null (optional)"}``."""
    return dict(codec_for(cls).schema)


def _compile(hint: Any) -> tuple[Encoder, Decoder, str]:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"unsupported union {hint!r}")
        enc, dec, desc = _compile(inner[0])

        def dec_optional(value: Any, path: str) -> Any:
            return None if value is None else dec(value, path)

        def enc_optional(value: Any) -> Any:
            return None if value is None else enc(value)

        return (enc if enc is _identity else enc_optional), dec_optional, f"{desc} | null"
    if origin is list:
        enc_item, dec_item, desc = _compile(args[0])

        def dec_list(value: Any, path: str) -> list[Any]:
            if type(value) is not list:
                raise SchemaError(path, f"expected an array, found {_kind(value)}")
            return [dec_item(v, f"{path}[{i}]") for i, v in enumerate(value)]

        def enc_list(value: Any) -> Any:
            return [enc_item(v) for v in value]

        return (_identity if enc_item is _identity else enc_list), dec_list, f"array of {desc}"
    if origin is dict:
        enc_val, dec_val, desc = _compile(args[1])

        def dec_dict(value: Any, path: str) -> dict[str, Any]:
            if type(value) is not dict:
                raise SchemaError(path, f"expected an object, found {_kind(value)}")
            out: dict[str, Any] = {}
            for k, v in value.items():
                if not k.isprintable() and (why := illegal_xml_character(k)) is not None:
                    raise SchemaError(path, f"the key {k!r} contains {why}")
                out[k] = dec_val(v, f"{path}.{k}")
            return out

        def enc_dict(value: Any) -> Any:
            return {k: enc_val(v) for k, v in value.items()}

        return (_identity if enc_val is _identity else enc_dict), dec_dict, f"object of {desc}"
    if hint is str:
        return _identity, _dec_str, "string"
    if hint is bool:
        return _identity, _dec_bool, "boolean"
    if hint is int:
        return _identity, _dec_int, "integer"
    if hint is float:
        return _identity, _dec_float, "number"
    if hint is date:
        return _enc_iso, _dec_date, "date"
    if hint is time:
        return _enc_iso, _dec_time, "time"
    if hint is bytes:
        return _enc_bytes, _dec_bytes, "base64"
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        enum_cls = hint
        allowed = {m.value: m for m in enum_cls}

        def dec_enum(value: Any, path: str) -> Any:
            if type(value) is not str or value not in allowed:
                raise SchemaError(path, f"expected one of {sorted(allowed)}, found {value!r}")
            return allowed[value]

        return _enc_enum, dec_enum, f"one of {sorted(allowed)}"
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        nested = codec_for(hint)
        return nested.encode, nested.decode, hint.__name__
    raise TypeError(f"unsupported field type {hint!r}")
