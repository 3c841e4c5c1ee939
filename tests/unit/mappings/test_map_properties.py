"""Property tests: whatever JSON arrives, every map function returns a row, Ignored or Skipped, or raises
MappingError, and never anything else; and a failure's message never carries a personal value."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mappings import (
    Ignored,
    MappingError,
    Skipped,
    map_contact,
    map_induction,
    map_previous_names,
    map_qualification,
    map_sanction,
)
from mappings.errors import PERSONAL_FIELDS, describe
from tests.unit.mappings import factories as f

LOOKUP = f.lookup()
SETTINGS = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

#: Values that sit on the rules' edges, mixed into arbitrary JSON so the interesting paths are reached.
EDGE_VALUES = st.sampled_from(
    [
        None, True, False, 0, 1, -1, 2**31, 2**63, 2**63 - 1, 10**400, 1.0, float("nan"), float("inf"),
        "", " ", "\x00", "\ud800", "\u2028", "x" * 101, "1234567", "12345678", "AB123456C", "ab 12 34 ",
        "2019-08-31T23:00:00Z", "2019-08-31", "2023-02-30T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
        "9999-12-31T23:00:00-05:00", "1753-01-01T00:00:00Z", f.PERSON_ID, f.PERSON_ID.upper(),
        "00000000-0000-0000-0000-000000000000", f.establishment_id("955"), f.specialism_id("N/A"),
        f.sanction_code_id("A9"), f.sanction_code_id("T1"), "8a8b6d2e-3c41-4f6a-9e0f-5b7c1d2e3f40::REQ",
        389040000, 389040001, 389040002, 389040004, 389040005, 389040015, 389040018, 389040099,
        [], {}, [1], {"Id": f.PERSON_ID},
    ]
)  # fmt: skip

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
VALUES = EDGE_VALUES | JSON


def any_object(template: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Any JSON object, its keys mostly the template's (so deep rules are reached), its values anything."""
    keys = st.sampled_from(sorted(template)) | st.text(max_size=8)
    return st.dictionaries(keys, VALUES, max_size=len(template) + 2)


def corrupted(build: Callable[[], dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """A valid record with one field removed or replaced by any JSON value."""

    @st.composite
    def strategy(draw: st.DrawFn) -> dict[str, Any]:
        record = build()
        key = draw(st.sampled_from(sorted(record)))
        if draw(st.booleans()):
            del record[key]
        else:
            record[key] = draw(VALUES)
        return record

    return strategy()


def records(build: Callable[[], dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(build) | corrupted(build) | any_object(build())


def _check_error(error: MappingError) -> None:
    message = str(error)
    assert error.entity in message
    assert error.field in message
    if error.personal:  # only the kind and size of a personal value is shown
        assert message.endswith(f"(value: {describe(error.value)})")


def _check_row(row: dict[str, Any]) -> None:
    for key, value in row.items():
        if isinstance(value, dt.datetime):
            assert value.tzinfo is dt.UTC, key
        if key.endswith("_id") and key != "source_trn_request_id" and isinstance(value, str):  # GUID columns
            assert value == value.lower(), key


def _outcome(call: Callable[[], object]) -> None:
    try:
        out = call()
    except MappingError as error:
        _check_error(error)
        return
    if isinstance(out, Ignored | Skipped):
        assert out.reason
    elif isinstance(out, list):
        for row in out:
            _check_row(row)
    else:
        assert isinstance(out, dict)
        _check_row(out)


@SETTINGS
@given(records(f.contact))
def test_map_contact_never_raises_anything_else(record: dict[str, Any]) -> None:
    _outcome(lambda: map_contact(record))


@SETTINGS
@given(records(f.qualification))
def test_map_qualification_never_raises_anything_else(record: dict[str, Any]) -> None:
    _outcome(lambda: map_qualification(record, LOOKUP))


@SETTINGS
@given(records(f.sanction))
def test_map_sanction_never_raises_anything_else(record: dict[str, Any]) -> None:
    _outcome(lambda: map_sanction(record, LOOKUP))


def _induction() -> dict[str, Any]:
    return f.induction(dfeta_inductionstatus=None)


@SETTINGS
@given(records(f.contact), st.lists(records(_induction), max_size=3))
def test_map_induction_never_raises_anything_else(contact: dict[str, Any], inductions: list[dict[str, Any]]) -> None:
    _outcome(lambda: map_induction(contact, inductions))


@SETTINGS
@given(st.one_of(JSON, st.builds(f.contact)), st.one_of(JSON, st.lists(JSON, max_size=2)))
def test_map_induction_and_previous_names_take_any_json_as_either_argument(contact: Any, others: Any) -> None:
    _outcome(lambda: map_induction(contact, others))
    _outcome(lambda: map_previous_names(contact, others))


def _previous_name() -> dict[str, Any]:
    return f.previous_name(389040002, "Jones", "2018-05-31T23:00:00Z")


@SETTINGS
@given(records(f.contact), st.lists(records(_previous_name), max_size=4))
def test_map_previous_names_never_raises_anything_else(contact: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    _outcome(lambda: map_previous_names(contact, rows))


#: The personal fields map_contact reads.
_READ_PERSONAL = sorted(
    PERSONAL_FIELDS
    & {
        "firstname", "middlename", "lastname", "dfeta_statedfirstname", "dfeta_statedmiddlename",
        "dfeta_statedlastname", "birthdate", "dfeta_ninumber", "emailaddress1", "dfeta_trn",
    }
)  # fmt: skip


@SETTINGS
@given(st.sampled_from(_READ_PERSONAL), st.text(max_size=150))
def test_personal_values_never_reach_a_message(field: str, text: str) -> None:
    secret = "\u00a7" + text  # a marker no message contains, so a match is a real leak
    record = {**f.contact(), field: "\x00" + secret}  # a control character makes every one of them invalid
    with pytest.raises(MappingError) as caught:
        map_contact(record)
    assert caught.value.field == field
    assert "\u00a7" not in str(caught.value)
    assert "\\xa7" not in str(caught.value)  # nor its ascii() escape
