"""Compiling filters into predicates: types, case-insensitivity, null (three-valued) logic, errors."""

from __future__ import annotations

from typing import Any

import pytest

from dqt_simulator.odata.evaluate import FilterError, UnknownPropertyError, compile_filter
from dqt_simulator.odata.parser import parse_filter

TYPES = {
    "name": "string",
    "n": "int",
    "flag": "bool",
    "id": "guid",
    "born": "date",
    "at": "datetime",
    "other": "int",
    "score": "float",
}

ROWS: list[dict[str, Any]] = [
    {
        "key": 1,
        "name": "Ann",
        "n": 1,
        "flag": True,
        "id": "aaaaaaaa-0000-0000-0000-000000000001",
        "born": "1990-05-01",
        "at": "2024-01-01T10:00:00Z",
        "other": 1,
        "score": 1.5,
    },
    {
        "key": 2,
        "name": "bob",
        "n": 2,
        "flag": False,
        "id": "bbbbbbbb-0000-0000-0000-000000000002",
        "born": "1985-12-31",
        "at": "2024-06-30T23:59:59Z",
        "other": 5,
        "score": 2.0,
    },
    {
        "key": 3,
        "name": None,
        "n": None,
        "flag": None,
        "id": None,
        "born": None,
        "at": None,
        "other": None,
        "score": None,
    },
    {
        "key": 4,
        "name": "O'Neil",
        "n": 10,
        "flag": True,
        "id": "cccccccc-0000-0000-0000-000000000003",
        "born": "2000-02-29",
        "at": "2023-12-31T23:00:00Z",
        "other": 10,
        "score": 0.0,
    },
]


def resolve(name: str) -> str:
    if name not in TYPES:
        raise UnknownPropertyError(name)
    return TYPES[name]


def keys(text: str) -> list[int]:
    predicate = compile_filter(parse_filter(text), resolve)
    return [row["key"] for row in ROWS if predicate(row)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("n eq 2", [2]),
        ("n ne 2", [1, 4]),
        ("n gt 1", [2, 4]),
        ("n ge 2", [2, 4]),
        ("n lt 2", [1]),
        ("n le 2", [1, 2]),
        ("2 lt n", [4]),
        ("score gt 1", [1, 2]),
    ],
)
def test_comparison_operators(text: str, expected: list[int]) -> None:
    assert keys(text) == expected


def test_strings_compare_case_insensitively() -> None:
    assert keys("name eq 'ANN'") == [1]
    assert keys("name eq 'o''neil'") == [4]
    assert keys("name gt 'b'") == [2, 4]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("contains(name,'N')", [1, 4]),
        ("startswith(name,'B')", [2]),
        ("endswith(name,'eil')", [4]),
    ],
)
def test_string_functions(text: str, expected: list[int]) -> None:
    assert keys(text) == expected


def test_null_comparisons() -> None:
    assert keys("name eq null") == [3]
    assert keys("name ne null") == [1, 2, 4]
    assert keys("null eq name") == [3]


def test_three_valued_logic_like_sql() -> None:
    assert keys("not (n eq 1)") == [2, 4], "NOT(unknown) is unknown: the null row is not returned"
    assert keys("n eq 1 or name eq null") == [1, 3]
    assert keys("not (n eq 1 and name eq 'x')") == [1, 2, 4]
    assert keys("n gt 0 and flag eq true") == [1, 4]


def test_precedence_and_parentheses() -> None:
    assert keys("n eq 1 or n eq 2 and flag eq true") == [1]
    assert keys("(n eq 1 or n eq 2) and flag eq true") == [1]
    assert keys("(n eq 1 or n eq 2) and flag eq false") == [2]


def test_booleans_and_bare_boolean_properties() -> None:
    assert keys("flag eq false") == [2]
    assert keys("flag") == [1, 4]
    assert keys("not flag") == [2]
    assert keys("true") == [1, 2, 3, 4]


def test_guids_are_case_insensitive_and_may_be_quoted() -> None:
    assert keys("id eq AAAAAAAA-0000-0000-0000-000000000001") == [1]
    assert keys("id eq 'bbbbbbbb-0000-0000-0000-000000000002'") == [2]


def test_dates_and_date_times() -> None:
    assert keys("born ge 1990-01-01") == [1, 4]
    assert keys("born lt 1990-01-01") == [2]
    assert keys("born eq 2000-02-29T12:00:00Z") == [4], "a date-time on a date column keeps its UTC date"
    assert keys("at ge 2024-01-01") == [1, 2], "a date on a date-time column means midnight UTC"
    assert keys("at lt 2024-01-01T00:30:00+01:00") == [4]
    assert keys("at gt 2024-06-30T23:59:58Z and at le 2024-06-30T23:59:59Z") == [2]


def test_property_to_property() -> None:
    assert keys("n eq other") == [1, 4]
    assert keys("other gt n") == [2]


def test_dataverse_functions() -> None:
    assert keys("Microsoft.Dynamics.CRM.In(PropertyName='n',PropertyValues=['1','10'])") == [1, 4]
    assert keys("Microsoft.Dynamics.CRM.NotIn(PropertyName='name',PropertyValues=['ann'])") == [2, 4]
    assert keys("Microsoft.Dynamics.CRM.Null(PropertyName='name')") == [3]
    assert keys("Microsoft.Dynamics.CRM.NotNull(PropertyName='name')") == [1, 2, 4]
    assert keys("Microsoft.Dynamics.CRM.Between(PropertyName='n',PropertyValues=['2','10'])") == [2, 4]
    upper = "CCCCCCCC-0000-0000-0000-000000000003"
    assert keys(f"Microsoft.Dynamics.CRM.In(PropertyName='id',PropertyValues=['{upper}'])") == [4]


@pytest.mark.parametrize(
    "text",
    [
        "n eq 'one'",
        "name eq 1",
        "flag eq 1",
        "id eq 'not a guid'",
        "born eq 'yesterday'",
        "contains(n,'1')",
        "contains(name, 1)",
        "unknownfunc(name)",
        "n",
        "name eq n",
        "Microsoft.Dynamics.CRM.In(PropertyName='n',PropertyValues=['x'])",
        "Microsoft.Dynamics.CRM.Whatever(PropertyName='n')",
        "'a'",
    ],
)
def test_type_errors(text: str) -> None:
    with pytest.raises(FilterError):
        compile_filter(parse_filter(text), resolve)


def test_incompatible_type_message_matches_dataverse() -> None:
    with pytest.raises(FilterError) as info:
        compile_filter(parse_filter("n eq 'one'"), resolve)
    assert str(info.value) == (
        "A binary operator with incompatible types was detected. Found operand types "
        "'Edm.Int32' and 'Edm.String' for operator kind 'Equal'."
    )


def test_unknown_property() -> None:
    with pytest.raises(UnknownPropertyError) as info:
        compile_filter(parse_filter("nope eq 1 and n eq 1"), resolve)
    assert info.value.name == "nope"
