"""Filter criteria of entitlement processes: filter items and boolean filter logic.

The rules are those of ``../shared/cases/milestones/CONVENTIONS.md`` section 3:

* an item compares one field with a value string; for ``equals``, ``notEqual``,
  ``contains``, ``notContain`` and ``startsWith`` the value is a comma-separated list
  of alternatives (3.4);
* text comparisons ignore case (3.3);
* ``lessThan``, ``greaterThan``, ``lessOrEqual`` and ``greaterOrEqual`` compare numbers
  and are false when the field holds no number (3.5);
* the optional logic string (``"1 AND (2 OR NOT 3)"``) is tokenized and parsed by a
  recursive-descent parser into an AST; it is never evaluated as code (3.6).

Bad input raises :class:`CriteriaError` at construction, naming the token or position.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal, InvalidOperation
from typing import Final

__all__ = [
    "OPERATIONS",
    "And",
    "Criteria",
    "CriteriaError",
    "FilterItem",
    "ItemRef",
    "LogicNode",
    "Not",
    "Or",
    "field_text",
    "parse_logic",
]


class CriteriaError(ValueError):
    """A filter item or a boolean filter that cannot be used, with a message saying why."""


LIST_OPERATIONS: Final = frozenset({"equals", "notEqual", "contains", "notContain", "startsWith"})
ORDERED_OPERATIONS: Final = frozenset({"lessThan", "greaterThan", "lessOrEqual", "greaterOrEqual"})
OPERATIONS: Final = LIST_OPERATIONS | ORDERED_OPERATIONS

_DECIMAL_RE: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_CASE_PREFIX: Final = "case."


def _read_decimal(text: str) -> Decimal | None:
    """The decimal number ``text`` spells (surrounding spaces allowed), or None."""
    stripped = text.strip()
    if not _DECIMAL_RE.fullmatch(stripped):
        return None
    return Decimal(stripped)


def _number_of(value: object) -> Decimal | None:
    """The exact number a JSON number holds; None for anything else (booleans included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        try:
            number = Decimal(repr(value))
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def field_text(value: object) -> str:
    """The text form of a field value (CONVENTIONS 3.3), before lower-casing.

    Strings as they are, booleans as ``"true"``/``"false"``, numbers in their shortest
    decimal text without exponent (``500``, ``2.5``), a blank (missing or null) field as "".
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    number = _number_of(value)
    if number is not None:
        text = format(number, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    return str(value)


@dataclass(frozen=True)
class FilterItem:
    """One filter item: ``field``, ``operation`` (one of :data:`OPERATIONS`) and ``value``.

    ``value`` is a string, as in Salesforce metadata. For list operations it is split at
    commas into trimmed parts; for ordered operations it must be one decimal number.
    """

    field: str
    operation: str
    value: str
    parts: tuple[str, ...] = dataclass_field(init=False, repr=False, compare=False)
    threshold: Decimal | None = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.field.strip():
            raise CriteriaError("filter item has no field name")
        if self.operation not in OPERATIONS:
            known = ", ".join(sorted(OPERATIONS))
            raise CriteriaError(
                f"filter item on {self.field!r}: unknown operation {self.operation!r} "
                f"(expected one of {known})"
            )
        if not isinstance(self.value, str):
            raise CriteriaError(f"filter item on {self.field!r}: value must be a string")
        threshold: Decimal | None = None
        parts: tuple[str, ...] = ()
        if self.operation in ORDERED_OPERATIONS:
            threshold = _read_decimal(self.value)
            if threshold is None:
                raise CriteriaError(
                    f"filter item on {self.field!r}: {self.operation} needs one decimal "
                    f"number, got {self.value!r}"
                )
        else:
            parts = tuple(part.strip() for part in self.value.split(","))
        object.__setattr__(self, "parts", parts)
        object.__setattr__(self, "threshold", threshold)

    def matches(self, value: object) -> bool:
        """Whether a field holding ``value`` (None = blank) satisfies this item."""
        if self.threshold is not None:
            return self._matches_ordered(value)
        text = field_text(value).lower()
        lowered = [part.lower() for part in self.parts]
        op = self.operation
        if op in ("equals", "notEqual"):
            number = _number_of(value)
            hit = any(self._equal_part(text, number, part) for part in lowered)
            return hit if op == "equals" else not hit
        if op == "contains":
            return any(part in text for part in lowered)
        if op == "notContain":
            return not any(part in text for part in lowered)
        return any(text.startswith(part) for part in lowered)  # startsWith

    @staticmethod
    def _equal_part(text: str, number: Decimal | None, part: str) -> bool:
        if number is not None:
            part_number = _read_decimal(part)
            if part_number is not None:
                return part_number == number
        return text == part

    def _matches_ordered(self, value: object) -> bool:
        assert self.threshold is not None
        number = _read_decimal(value) if isinstance(value, str) else _number_of(value)
        if number is None:
            return False
        op = self.operation
        if op == "lessThan":
            return number < self.threshold
        if op == "greaterThan":
            return number > self.threshold
        if op == "lessOrEqual":
            return number <= self.threshold
        return number >= self.threshold  # greaterOrEqual


# ---------------------------------------------------------------- boolean filter logic


@dataclass(frozen=True)
class ItemRef:
    """A reference to filter item ``number`` (1-based)."""

    number: int

    def evaluate(self, results: Sequence[bool]) -> bool:
        return results[self.number - 1]


@dataclass(frozen=True)
class Not:
    operand: LogicNode

    def evaluate(self, results: Sequence[bool]) -> bool:
        return not self.operand.evaluate(results)


@dataclass(frozen=True)
class And:
    operands: tuple[LogicNode, ...]

    def evaluate(self, results: Sequence[bool]) -> bool:
        return all(operand.evaluate(results) for operand in self.operands)


@dataclass(frozen=True)
class Or:
    operands: tuple[LogicNode, ...]

    def evaluate(self, results: Sequence[bool]) -> bool:
        return any(operand.evaluate(results) for operand in self.operands)


LogicNode = ItemRef | Not | And | Or


@dataclass(frozen=True)
class _Token:
    kind: str  # "NUMBER", "AND", "OR", "NOT", "(", ")", "END"
    text: str
    position: int  # 1-based character position in the logic string


_TOKEN_RE: Final = re.compile(r"\s*(?:(?P<number>\d+)|(?P<word>[A-Za-z_]\w*)|(?P<paren>[()]))")
_KEYWORDS: Final = frozenset({"AND", "OR", "NOT"})
# Deepest nesting of parentheses and NOTs accepted (Salesforce caps the whole filter at
# 1,000 characters; real filters nest a few levels). Keeps parsing and evaluation bounded.
MAX_NESTING: Final = 64


def _items(count: int) -> str:
    return "there is 1 item" if count == 1 else f"there are {count} items"


def _shown(logic: str) -> str:
    """The filter as quoted in messages, shortened when long."""
    return repr(logic if len(logic) <= 80 else logic[:77] + "...")


def _describe(token: _Token) -> str:
    return "end of text" if token.kind == "END" else _shown(token.text)


def _tokenize(logic: str) -> list[_Token]:
    tokens: list[_Token] = []
    index = 0
    while index < len(logic):
        if logic[index:].strip() == "":
            break
        match = _TOKEN_RE.match(logic, index)
        if match is None:
            start = index + (len(logic[index:]) - len(logic[index:].lstrip()))
            raise CriteriaError(
                f"boolean filter {_shown(logic)}: unexpected character {logic[start]!r} "
                f"at position {start + 1}"
            )
        position = match.start(match.lastgroup or 0) + 1
        if match.group("number") is not None:
            tokens.append(_Token("NUMBER", match.group("number"), position))
        elif match.group("word") is not None:
            word = match.group("word")
            if word.upper() not in _KEYWORDS:
                raise CriteriaError(
                    f"boolean filter {_shown(logic)}: unknown word {word!r} at position {position} "
                    "(expected AND, OR, NOT, an item number or a parenthesis)"
                )
            tokens.append(_Token(word.upper(), word, position))
        else:
            paren = match.group("paren")
            tokens.append(_Token(paren, paren, position))
        index = match.end()
    tokens.append(_Token("END", "", len(logic) + 1))
    return tokens


class _Parser:
    """Recursive descent over: or := and (OR and)*; and := not (AND not)*;
    not := NOT not | primary; primary := NUMBER | "(" or ")"."""

    def __init__(self, logic: str, item_count: int) -> None:
        self.logic = logic
        self.item_count = item_count
        self.tokens = _tokenize(logic)
        self.index = 0
        self.referenced: set[int] = set()
        self.depth = 0

    def enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"nested more than {MAX_NESTING} levels deep", token)

    def error(self, message: str, token: _Token) -> CriteriaError:
        return CriteriaError(
            f"boolean filter {_shown(self.logic)}: {message} at position {token.position} "
            f"({_describe(token)})"
        )

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> LogicNode:
        if self.peek().kind == "END":
            raise CriteriaError(f"boolean filter {_shown(self.logic)} is empty")
        node = self.parse_or()
        token = self.peek()
        if token.kind == ")":
            raise self.error("unbalanced ')' with no matching '('", token)
        if token.kind != "END":
            raise self.error("expected AND, OR or end of text", token)
        missing = sorted(set(range(1, self.item_count + 1)) - self.referenced)
        if missing:
            names = ", ".join(str(number) for number in missing)
            raise CriteriaError(
                f"boolean filter {_shown(self.logic)} does not reference filter item(s) {names}"
            )
        return node

    def parse_or(self) -> LogicNode:
        operands = [self.parse_and()]
        while self.peek().kind == "OR":
            self.take()
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def parse_and(self) -> LogicNode:
        operands = [self.parse_not()]
        while self.peek().kind == "AND":
            self.take()
            operands.append(self.parse_not())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def parse_not(self) -> LogicNode:
        if self.peek().kind == "NOT":
            self.enter(self.take())
            node = Not(self.parse_not())
            self.depth -= 1
            return node
        return self.parse_primary()

    def parse_primary(self) -> LogicNode:
        token = self.take()
        if token.kind == "NUMBER":
            digits = token.text.lstrip("0")
            number = int(digits) if 0 < len(digits) <= 9 else (0 if not digits else -1)
            if not 1 <= number <= self.item_count:
                raise self.error(
                    f"unknown filter item {_shown(token.text)[1:-1]} ({_items(self.item_count)})",
                    token,
                )
            self.referenced.add(number)
            return ItemRef(number)
        if token.kind == "(":
            self.enter(token)
            node = self.parse_or()
            self.depth -= 1
            closing = self.peek()
            if closing.kind != ")":
                if closing.kind == "END":
                    raise self.error(
                        f"unbalanced '(' opened at position {token.position}: missing ')'",
                        closing,
                    )
                raise self.error("expected ')', AND or OR", closing)
            self.take()
            return node
        if token.kind == "END":
            raise self.error("expected an item number, NOT or '(' after the operator", token)
        raise self.error("expected an item number, NOT or '('", token)


def parse_logic(logic: str, item_count: int) -> LogicNode:
    """Parse a boolean filter such as ``"1 AND (2 OR NOT 3)"`` over ``item_count`` items.

    Precedence is NOT, then AND, then OR; keywords may be in any letter case. Every item
    1..item_count must be referenced and no other number may appear.
    Raises :class:`CriteriaError` naming the offending token and its 1-based position.
    """
    return _Parser(logic, item_count).parse()


def _normalized_field(name: str) -> str:
    lowered = name.strip().lower()
    return lowered[len(_CASE_PREFIX) :] if lowered.startswith(_CASE_PREFIX) else lowered


@dataclass(frozen=True)
class Criteria:
    """Filter items combined by AND, or by ``logic`` when given.

    No items means the criteria always match.
    """

    items: tuple[FilterItem, ...]
    logic: str | None = None
    tree: LogicNode | None = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))
        tree: LogicNode | None = None
        if self.logic is not None:
            if not self.items and not self.logic.strip():
                tree = None
            else:
                tree = parse_logic(self.logic, len(self.items))
        object.__setattr__(self, "tree", tree)

    def matches(self, values: Mapping[str, object]) -> bool:
        """Whether the field ``values`` satisfy the criteria.

        A field is looked up by its exact name first, then ignoring letter case and an
        optional ``Case.`` prefix on either side. Missing fields are blank.
        """
        if not self.items:
            return True
        results = [item.matches(_lookup(values, item.field)) for item in self.items]
        if self.tree is None:
            return all(results)
        return self.tree.evaluate(results)


def _lookup(values: Mapping[str, object], name: str) -> object:
    if name in values:
        return values[name]
    wanted = _normalized_field(name)
    for key, value in values.items():
        if _normalized_field(key) == wanted:
            return value
    return None
