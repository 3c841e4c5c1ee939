"""The $filter tokenizer and recursive-descent parser."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dqt_simulator.odata.parser import (
    BoolOp,
    Call,
    Compare,
    FilterSyntaxError,
    ListLiteral,
    Literal,
    Not,
    Property,
    parse_filter,
    tokenize,
)


def test_comparison_operators() -> None:
    for op in ("eq", "ne", "gt", "ge", "lt", "le"):
        assert parse_filter(f"statecode {op} 1") == Compare(op, Property("statecode"), Literal("int", 1))


def test_operators_are_case_insensitive() -> None:
    assert parse_filter("a EQ 1 AND NOT b Eq 2") == BoolOp(
        "and", Compare("eq", Property("a"), Literal("int", 1)), Not(Compare("eq", Property("b"), Literal("int", 2)))
    )


def test_and_binds_tighter_than_or() -> None:
    node = parse_filter("a eq 1 or b eq 2 and c eq 3")
    assert isinstance(node, BoolOp)
    assert node.op == "or"
    assert isinstance(node.right, BoolOp)
    assert node.right.op == "and"


def test_parentheses_override_precedence() -> None:
    node = parse_filter("(a eq 1 or b eq 2) and c eq 3")
    assert isinstance(node, BoolOp)
    assert node.op == "and"
    assert isinstance(node.left, BoolOp)
    assert node.left.op == "or"


def test_not_applies_to_the_next_operand() -> None:
    node = parse_filter("not a eq 1 and b eq 2")
    assert isinstance(node, BoolOp)
    assert isinstance(node.left, Not)
    assert parse_filter("not (a eq 1)") == Not(Compare("eq", Property("a"), Literal("int", 1)))


def test_string_literals_escape_quotes_by_doubling() -> None:
    assert parse_filter("lastname eq 'O''Neil'") == Compare("eq", Property("lastname"), Literal("string", "O'Neil"))
    assert parse_filter("x eq ''") == Compare("eq", Property("x"), Literal("string", ""))
    assert parse_filter("x eq 'and or not ( )'").right == Literal("string", "and or not ( )")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("12", Literal("int", 12)),
        ("-3", Literal("int", -3)),
        ("1.5", Literal("decimal", 1.5)),
        ("true", Literal("bool", True)),
        ("false", Literal("bool", False)),
        ("null", Literal("null", None)),
        ("1990-05-01", Literal("date", date(1990, 5, 1))),
        ("2024-01-31T10:00:00Z", Literal("datetime", datetime(2024, 1, 31, 10, tzinfo=UTC))),
        ("2024-01-31T10:00:00+01:00", Literal("datetime", datetime(2024, 1, 31, 9, tzinfo=UTC))),
        ("2024-01-31T10:00Z", Literal("datetime", datetime(2024, 1, 31, 10, tzinfo=UTC))),
        ("49B0BE2E-D01C-ED11-B83E-000D3A572421", Literal("guid", "49b0be2e-d01c-ed11-b83e-000d3a572421")),
        ("12345678-1234-1234-1234-123456789012", Literal("guid", "12345678-1234-1234-1234-123456789012")),
    ],
)
def test_literals(text: str, literal: Literal) -> None:
    assert parse_filter(f"x eq {text}") == Compare("eq", Property("x"), literal)


def test_lookup_value_property_and_guid() -> None:
    node = parse_filter("_dfeta_personid_value eq 00000000-0000-0000-0000-000000000001")
    guid = Literal("guid", "00000000-0000-0000-0000-000000000001")
    assert node == Compare("eq", Property("_dfeta_personid_value"), guid)


def test_string_functions() -> None:
    for name in ("contains", "startswith", "endswith"):
        assert parse_filter(f"{name}(fullname, 'An')") == Call(name, (Property("fullname"), Literal("string", "An")))


def test_dataverse_in_function_with_named_arguments() -> None:
    node = parse_filter("Microsoft.Dynamics.CRM.In(PropertyName='dfeta_trn',PropertyValues=['1','2'])")
    assert node == Call(
        "Microsoft.Dynamics.CRM.In",
        (),
        (
            ("PropertyName", Literal("string", "dfeta_trn")),
            ("PropertyValues", ListLiteral((Literal("string", "1"), Literal("string", "2")))),
        ),
    )


def test_literal_on_the_left() -> None:
    assert parse_filter("5 lt x") == Compare("lt", Literal("int", 5), Property("x"))


def test_tokenizer_positions() -> None:
    tokens = tokenize("a eq 'b'")
    assert [(t.kind, t.text, t.position) for t in tokens] == [
        ("name", "a", 0),
        ("name", "eq", 2),
        ("string", "'b'", 5),
        ("end", "", 8),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "firstname eq",
        "eq 'a'",
        "(a eq 1",
        "a eq 1)",
        "a eq 'unterminated",
        "a eq 1 and",
        "a eq 1 or or b eq 2",
        "a ~ 1",
        "contains(a,",
        "a eq 1 b eq 2",
        "Microsoft.Dynamics.CRM.In(PropertyValues=['1'",
        "a eq 2024-13-45",
    ],
)
def test_malformed_filters_raise(text: str) -> None:
    with pytest.raises(FilterSyntaxError):
        parse_filter(text)


def test_error_reports_position() -> None:
    with pytest.raises(FilterSyntaxError) as info:
        parse_filter("a eq 1 and ~")
    assert info.value.position == 11
