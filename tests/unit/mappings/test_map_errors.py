"""Mapping failures name entity, record, field and rule, and never put personal data in their message."""

from __future__ import annotations

import pickle

import pytest

from mappings import MappingError, MappingFailure, ReferenceDataError, map_contact
from mappings.errors import PERSONAL_FIELDS, describe, show
from tests.unit.mappings import factories as f


def test_message_names_entity_id_field_rule_and_a_non_personal_value() -> None:
    error = MappingError("contacts", "9f0c0000-0000-4000-8000-000000000001", "gendercode", 99, "is not a known option")
    assert str(error) == ("contacts 9f0c0000-0000-4000-8000-000000000001: gendercode is not a known option (value: 99)")


@pytest.mark.parametrize("field", sorted(PERSONAL_FIELDS))
def test_personal_values_are_described_not_shown(field: str) -> None:
    error = MappingError("contacts", "id", field, "Jane Secret-Smith", "must be at most 100 characters")
    assert "Secret" not in str(error)
    assert "<string of 17 chars>" in str(error)
    assert "Secret" not in repr(error)
    assert error.value == "Jane Secret-Smith"  # kept for code, never for logs


def test_a_real_failure_on_a_name_does_not_leak_it() -> None:
    # Given a contact whose first name holds a control character
    record = f.contact(firstname="Jane\x07Doe")
    # When it is mapped, Then the error names the field and rule but not the name
    with pytest.raises(MappingError) as caught:
        map_contact(record)
    assert caught.value.field == "firstname"
    assert "Jane" not in str(caught.value)
    assert "<string of 8 chars>" in str(caught.value)


def test_unknown_record_id_and_override_of_personal() -> None:
    error = MappingError("dfeta_sanctions", None, "x", "secret", "rule", personal=True)
    assert str(error).startswith("dfeta_sanctions <unknown id>: x rule")
    assert "secret" not in str(error)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "<null>"),
        (True, "<boolean>"),
        (1.5, "<number>"),
        (float("nan"), "<number>"),
        (7, "<integer of 3 bits>"),
        pytest.param(10**5000, "<integer of 16610 bits>", id="huge-int"),
        ("abc", "<string of 3 chars>"),
        ([1, 2], "<list of 2 items>"),
        ({"a": 1}, "<object with 1 keys>"),
    ],
)
def test_describe(value: object, expected: str) -> None:
    assert describe(value) == expected


def test_show_truncates_and_survives_huge_ints() -> None:
    assert show("x" * 100).endswith("... (100 chars)")
    assert show(10**5000) == "<integer of 16610 bits>"  # str() of it would raise ValueError
    assert show({"a": [1]}) == "<object with 1 keys>"
    assert show("caf\u00e9\n") == "'caf\\xe9\\n'"  # ascii(): one log line, no raw control characters


def test_hierarchy_and_dispositions() -> None:
    assert issubclass(MappingError, MappingFailure)
    assert issubclass(ReferenceDataError, MappingFailure)
    assert not issubclass(ReferenceDataError, MappingError)
    assert MappingError.disposition == "skippable"
    assert ReferenceDataError.disposition == "fatal"


def test_errors_pickle_with_their_fields() -> None:
    error = ReferenceDataError("dfeta_specialisms", "id", "dfeta_value", "", "must not be blank")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ReferenceDataError
    assert (copy.entity, copy.record_id, copy.field, copy.value, copy.rule) == (
        "dfeta_specialisms",
        "id",
        "dfeta_value",
        "",
        "must not be blank",
    )
    assert str(copy) == str(error)
