"""Filter items, comma lists and boolean filter logic (milestones CONVENTIONS section 3)."""

from __future__ import annotations

import pytest

from entitle_desktop.domain.criteria import (
    And,
    Criteria,
    CriteriaError,
    FilterItem,
    ItemRef,
    Not,
    Or,
    field_text,
    parse_logic,
)

# ------------------------------------------------------------------ text form of values


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("Gold", "Gold"),
        (True, "true"),
        (False, "false"),
        (500, "500"),
        (2.5, "2.5"),
        (500.0, "500"),
        (1e-05, "0.00001"),
        (None, ""),
    ],
)
def test_field_text_is_the_shortest_decimal_or_plain_text(value: object, text: str) -> None:
    assert field_text(value) == text


# ------------------------------------------------------------------ list operators


def test_equals_matches_any_part_of_a_comma_list_ignoring_case() -> None:
    item = FilterItem("Account_Tier", "equals", "gold, platinum")
    assert item.matches("Platinum") is True
    assert item.matches("GOLD") is True
    assert item.matches("Silver") is False
    assert item.matches(None) is False


def test_not_equal_is_true_only_when_no_part_matches() -> None:
    item = FilterItem("Priority", "notEqual", "Critical, High, Medium")
    assert item.matches("Low") is True
    assert item.matches("high") is False
    assert item.matches(None) is True


def test_contains_and_not_contain_use_any_and_none_of_the_parts() -> None:
    contains = FilterItem("Subject", "contains", "outage, down")
    not_contain = FilterItem("Subject", "notContain", "unsubscribe, spam")
    assert contains.matches("Site DOWN since 9am") is True
    assert contains.matches("Login question") is False
    assert not_contain.matches("Site DOWN since 9am") is True
    assert not_contain.matches("Re: SPAM? site down") is False
    assert not_contain.matches(None) is True


def test_starts_with_matches_any_prefix() -> None:
    item = FilterItem("Origin", "startsWith", "Ph, Em")
    assert item.matches("Email") is True
    assert item.matches("phone") is True
    assert item.matches("Web") is False


def test_equals_on_a_boolean_field_compares_its_text() -> None:
    assert FilterItem("IsEscalated", "equals", "TRUE").matches(True) is True
    assert FilterItem("IsEscalated", "equals", "true").matches(False) is False
    assert FilterItem("IsEscalated", "equals", "false").matches(False) is True


def test_equals_on_a_number_field_compares_numbers() -> None:
    assert FilterItem("Seats", "equals", "500.0").matches(500) is True
    assert FilterItem("Seats", "equals", "250, 500").matches(500) is True
    assert FilterItem("Seats", "notEqual", "500").matches(500.0) is False
    assert FilterItem("Ratio", "equals", "2.50").matches(2.5) is True


def test_equals_on_a_text_field_holding_digits_compares_text() -> None:
    assert FilterItem("Code", "equals", "500.0").matches("500") is False
    assert FilterItem("Code", "equals", "500").matches("500") is True


def test_blank_equals_the_empty_value() -> None:
    assert FilterItem("Reason", "equals", "").matches(None) is True
    assert FilterItem("Reason", "equals", "").matches("x") is False


# ------------------------------------------------------------------ ordered operators


@pytest.mark.parametrize(
    ("operation", "value", "expected"),
    [
        ("lessThan", 99, True),
        ("lessThan", 100, False),
        ("lessOrEqual", 100, True),
        ("greaterThan", 100, False),
        ("greaterThan", 100.5, True),
        ("greaterOrEqual", 100, True),
        ("greaterOrEqual", "150", True),
        ("lessThan", " 20 ", True),
    ],
)
def test_ordered_operators_compare_numbers(operation: str, value: object, expected: bool) -> None:
    assert FilterItem("Affected_Users", operation, "100").matches(value) is expected


@pytest.mark.parametrize("value", [None, "", "many", True, False])
def test_ordered_operators_are_false_without_a_number(value: object) -> None:
    assert FilterItem("Affected_Users", "lessThan", "100").matches(value) is False
    assert FilterItem("Affected_Users", "greaterOrEqual", "-5").matches(value) is False


def test_ordered_operator_needs_a_single_number() -> None:
    with pytest.raises(CriteriaError, match="lessThan needs one decimal number, got '1, 2'"):
        FilterItem("Seats", "lessThan", "1, 2")


def test_unknown_operation_is_rejected() -> None:
    with pytest.raises(CriteriaError, match="unknown operation 'like'"):
        FilterItem("Subject", "like", "x")


# ------------------------------------------------------------------ logic parser


def test_precedence_is_not_then_and_then_or() -> None:
    assert parse_logic("1 OR 2 AND NOT 3", 3) == Or(
        (ItemRef(1), And((ItemRef(2), Not(ItemRef(3)))))
    )
    assert parse_logic("NOT 1 AND 2", 2) == And((Not(ItemRef(1)), ItemRef(2)))


def test_parentheses_override_precedence_and_keywords_ignore_case() -> None:
    assert parse_logic("(1 or 2) and not 3", 3) == And(
        (Or((ItemRef(1), ItemRef(2))), Not(ItemRef(3)))
    )
    assert parse_logic("((1))", 1) == ItemRef(1)
    assert parse_logic("NOT NOT 1", 1) == Not(Not(ItemRef(1)))


@pytest.mark.parametrize(
    ("logic", "count", "message"),
    [
        ("", 2, "is empty"),
        ("   ", 2, "is empty"),
        ("1 AND (2 OR 3", 3, r"unbalanced '\(' opened at position 7: missing '\)' at position 14"),
        ("1 AND 2)", 2, r"unbalanced '\)' with no matching '\(' at position 8"),
        ("1 AND 4", 3, "unknown filter item 4 .* at position 7"),
        ("0 OR 1", 1, "unknown filter item 0 .* at position 1"),
        ("1 AND 2", 3, r"does not reference filter item\(s\) 3"),
        ("1 AND 2 OR", 2, r"at position 11 \(end of text\)"),
        ("1 AND", 2, r"at position 6 \(end of text\)"),
        ("NOT", 1, r"at position 4 \(end of text\)"),
        ("1 2", 2, r"expected AND, OR or end of text at position 3 \('2'\)"),
        ("1 & 2", 2, "unexpected character '&' at position 3"),
        ("1 AND XOR 2", 2, "unknown word 'XOR' at position 7"),
        ("()", 1, r"at position 2 \('\)'\)"),
        ("1 OR OR 2", 2, r"at position 6 \('OR'\)"),
    ],
)
def test_malformed_logic_raises_a_clear_error(logic: str, count: int, message: str) -> None:
    with pytest.raises(CriteriaError, match=message):
        parse_logic(logic, count)


def test_criteria_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        Criteria((FilterItem("A", "equals", "x"),), "1 AND 2")


# ------------------------------------------------------------------ criteria


def test_criteria_without_logic_combine_items_with_and() -> None:
    criteria = Criteria(
        (FilterItem("Priority", "equals", "High"), FilterItem("Status", "notEqual", "Closed"))
    )
    assert criteria.matches({"Priority": "High", "Status": "New"}) is True
    assert criteria.matches({"Priority": "High", "Status": "Closed"}) is False


def test_criteria_with_logic_follow_the_expression() -> None:
    criteria = Criteria(
        (
            FilterItem("Origin", "equals", "Phone, Email"),
            FilterItem("Subject", "contains", "outage"),
            FilterItem("Priority", "equals", "Low"),
        ),
        "(1 OR 2) AND NOT 3",
    )
    assert criteria.matches({"Origin": "Web", "Subject": "EU outage", "Priority": "High"})
    assert not criteria.matches({"Origin": "Web", "Subject": "EU outage", "Priority": "Low"})
    assert not criteria.matches({"Origin": "Web", "Subject": "Login", "Priority": "High"})


def test_empty_criteria_always_match() -> None:
    assert Criteria(()).matches({}) is True


def test_field_names_tolerate_the_case_prefix_and_letter_case() -> None:
    criteria = Criteria((FilterItem("Case.Priority", "equals", "High"),))
    assert criteria.matches({"Priority": "High"}) is True
    assert criteria.matches({"priority": "High"}) is True
    assert Criteria((FilterItem("Priority", "equals", "High"),)).matches({"Case.Priority": "High"})
    assert criteria.matches({"Status": "High"}) is False


@pytest.mark.parametrize(
    "logic",
    ["(" * 65 + "1" + ")" * 65, "NOT " * 65 + "1", "(" * 100_000 + "1" + ")" * 100_000],
)
def test_nesting_beyond_the_limit_is_a_criteria_error_not_a_crash(logic: str) -> None:
    with pytest.raises(CriteriaError, match="nested more than 64 levels deep at position"):
        parse_logic(logic, 1)


def test_nesting_up_to_the_limit_parses() -> None:
    node = parse_logic("(" * 64 + "1" + ")" * 64, 1)
    assert node.evaluate([True]) is True


def test_huge_item_number_is_an_unknown_item_with_a_short_message() -> None:
    with pytest.raises(CriteriaError) as info:
        parse_logic("1" * 5000, 1)
    message = str(info.value)
    assert "unknown filter item" in message
    assert len(message) < 400


def test_leading_zeros_name_the_same_item() -> None:
    assert parse_logic("001", 1).evaluate([True]) is True
