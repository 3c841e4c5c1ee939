"""contacts → persons (data dictionary §2.1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mappings import DataWarning, MappingError, map_contact, person_warnings
from mappings.types import PersonRow
from tests.unit.mappings import factories as f

#: Exactly the persons columns of docs/trs-schema.md that the persons upsert owns.
PERSON_COLUMNS = {
    "person_id", "dqt_contact_id", "trn", "first_name", "middle_name", "last_name", "dqt_first_name",
    "dqt_middle_name", "dqt_last_name", "date_of_birth", "email_address", "national_insurance_number", "gender",
    "status", "merged_with_person_id", "created_on", "updated_on", "deleted_on", "created_by_tps",
    "source_application_user_id", "source_trn_request_id", "allow_details_updates_from_source_application",
    "dqt_allow_teacher_identity_sign_in_with_prohibitions", "dqt_state", "dqt_created_on", "dqt_modified_on",
    "dqt_version",
}  # fmt: skip


def _fails(field: str, **overrides: Any) -> MappingError:
    with pytest.raises(MappingError) as caught:
        map_contact(f.contact(**overrides))
    assert caught.value.field == field
    assert caught.value.entity == "contacts"
    return caught.value


def test_a_valid_contact_maps_to_every_persons_column() -> None:
    row = map_contact(f.contact())
    assert set(row) == PERSON_COLUMNS
    assert row == {
        "person_id": f.PERSON_ID,
        "dqt_contact_id": f.PERSON_ID,
        "trn": "1234567",
        "first_name": "Jane",
        "middle_name": "Anne",
        "last_name": "Smith",
        "dqt_first_name": "Jane",
        "dqt_middle_name": "Anne",
        "dqt_last_name": "Smith",
        "date_of_birth": dt.date(1990, 5, 1),
        "email_address": "jane.smith@example.org",
        "national_insurance_number": "AB123456C",
        "gender": 2,
        "status": 0,
        "merged_with_person_id": None,
        "created_on": dt.datetime(2019, 3, 4, 10, 11, 12, tzinfo=dt.UTC),
        "updated_on": dt.datetime(2021, 6, 7, 8, 9, 10, tzinfo=dt.UTC),
        "deleted_on": None,
        "created_by_tps": False,
        "source_application_user_id": None,
        "source_trn_request_id": None,
        "allow_details_updates_from_source_application": False,
        "dqt_allow_teacher_identity_sign_in_with_prohibitions": False,
        "dqt_state": 0,
        "dqt_created_on": dt.datetime(2019, 3, 4, 10, 11, 12, tzinfo=dt.UTC),
        "dqt_modified_on": dt.datetime(2021, 6, 7, 8, 9, 10, tzinfo=dt.UTC),
        "dqt_version": 1_000_001,
    }


def test_ids_are_lower_case() -> None:
    row = map_contact(f.contact(contactid=f.PERSON_ID.upper()))
    assert row["person_id"] == row["dqt_contact_id"] == f.PERSON_ID


# -- names -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stated", "expected"),
    [
        # (stated first, middle, last) -> (first, middle, last) shown
        ((None, None, None), ("Jane", "Anne", "Smith")),
        (("", "", ""), ("Jane", "Anne", "Smith")),
        (("Jay", None, None), ("Jay", "", "")),  # stated first only: all three stated names, nulls -> ''
        ((None, None, "Smyth"), ("", "", "Smyth")),
        (("Jay", "Ann", "Smyth"), ("Jay", "Ann", "Smyth")),
        ((None, "Ann", None), ("Jane", "Anne", "Smith")),  # a stated middle name alone does not count
        (("  ", None, " "), ("Jane", "Anne", "Smith")),  # whitespace-only stated names do not count
    ],
)
def test_stated_names_win_when_first_or_last_is_given(
    stated: tuple[str | None, str | None, str | None], expected: tuple[str, str, str]
) -> None:
    row = map_contact(
        f.contact(dfeta_statedfirstname=stated[0], dfeta_statedmiddlename=stated[1], dfeta_statedlastname=stated[2])
    )
    assert (row["first_name"], row["middle_name"], row["last_name"]) == expected
    assert (row["dqt_first_name"], row["dqt_middle_name"], row["dqt_last_name"]) == ("Jane", "Anne", "Smith")


def test_null_names_become_empty_strings() -> None:
    row = map_contact(f.contact(firstname=None, middlename=None, lastname=None))
    assert (row["first_name"], row["middle_name"], row["last_name"]) == ("", "", "")
    assert (row["dqt_first_name"], row["dqt_middle_name"], row["dqt_last_name"]) == ("", "", "")


def test_names_are_nfc_and_raw_names_keep_dqt_code_points() -> None:
    row = map_contact(f.contact(firstname="Zoe\u0308"))
    assert row["first_name"] == "Zo\u00eb"
    assert row["dqt_first_name"] == "Zoe\u0308"


@pytest.mark.parametrize(
    "field",
    ["firstname", "middlename", "lastname", "dfeta_statedfirstname", "dfeta_statedmiddlename", "dfeta_statedlastname"],
)
@pytest.mark.parametrize(("value", "rule"), [("x" * 101, "at most 100"), ("a\nb", "control"), (5, "string")])
def test_bad_names_fail_naming_field_and_rule(field: str, value: object, rule: str) -> None:
    error = _fails(field, **{field: value})
    assert rule in error.rule


# -- identifiers and contact details ------------------------------------------------------------------------


@pytest.mark.parametrize(("trn", "expected"), [(None, None), ("", None), ("0000001", "0000001")])
def test_trn(trn: str | None, expected: str | None) -> None:
    assert map_contact(f.contact(dfeta_trn=trn))["trn"] == expected


@pytest.mark.parametrize("trn", ["12345678", "12345", "123456X", " 1234567", 1234567])
def test_a_trn_that_is_not_seven_digits_fails_instead_of_being_dropped(trn: object) -> None:
    error = _fails("dfeta_trn", dfeta_trn=trn)
    assert "1234567" not in str(error)  # a TRN is personal data


@pytest.mark.parametrize(
    ("email", "expected"), [(None, None), ("", None), ("   ", None), (" a@b.org ", "a@b.org"), ("A@B.org", "A@B.org")]
)
def test_email(email: str | None, expected: str | None) -> None:
    assert map_contact(f.contact(emailaddress1=email))["email_address"] == expected


def test_email_longer_than_100_fails() -> None:
    _fails("emailaddress1", emailaddress1="a" * 95 + "@b.org")


@pytest.mark.parametrize(
    ("nino", "expected"),
    [
        (None, None),
        (" ", None),
        ("ab 12 34 56 c", "AB123456C"),
        ("AB-12-34-56-C", "AB123456C"),
        ("63T12345", "63T12345"),
    ],
)
def test_ni_number_is_normalised(nino: str | None, expected: str | None) -> None:
    assert map_contact(f.contact(dfeta_ninumber=nino))["national_insurance_number"] == expected


def test_an_ni_number_of_the_wrong_length_fails() -> None:
    error = _fails("dfeta_ninumber", dfeta_ninumber="ab 12 34 ")
    assert "<string of 9 chars>" in str(error)


def test_a_nine_character_ni_number_outside_the_format_is_kept_and_flagged() -> None:
    row = map_contact(f.contact(dfeta_ninumber="ZZ123456A"))
    assert row["national_insurance_number"] == "ZZ123456A"
    [warning] = person_warnings(row)
    assert warning == DataWarning("contacts", f.PERSON_ID, "dfeta_ninumber", warning.rule)
    assert "ZZ" not in warning.rule
    assert person_warnings(map_contact(f.contact())) == ()
    assert person_warnings(map_contact(f.contact(dfeta_ninumber=None))) == ()


@pytest.mark.parametrize(
    ("birthdate", "expected"),
    [
        (None, None),
        ("1990-05-01", dt.date(1990, 5, 1)),
        ("1753-01-01", dt.date(1753, 1, 1)),
        ("2030-06-01", dt.date(2030, 6, 1)),
    ],
)
def test_birthdate_is_not_shifted(birthdate: str | None, expected: dt.date | None) -> None:
    assert map_contact(f.contact(birthdate=birthdate))["date_of_birth"] == expected


def test_a_birthdate_sent_as_an_instant_is_not_shifted() -> None:
    assert map_contact(f.contact(birthdate="1990-04-30T23:00:00Z"))["date_of_birth"] == dt.date(1990, 4, 30)


@pytest.mark.parametrize("birthdate", ["1990-02-30", "0001-01-01", "1700-01-01", "01/05/1990", 19900501])
def test_impossible_birthdates_fail_without_showing_them(birthdate: object) -> None:
    error = _fails("birthdate", birthdate=birthdate)
    assert "1990" not in str(error)


# -- option sets ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "gender"),
    [(1, 1), (2, 2), (389040000, 3), (389040002, 4), (389040001, None), (None, None)],
)
def test_gender_table(code: int | None, gender: int | None) -> None:
    assert map_contact(f.contact(gendercode=code))["gender"] == gender


@pytest.mark.parametrize("code", [99, 0, 3, 389040003, True, False, "1", 1.0, [1], {"value": 1}, 10**30])
def test_unknown_or_mistyped_gender_fails(code: object) -> None:
    _fails("gendercode", gendercode=code)


# -- state and soft delete -----------------------------------------------------------------------------------


def test_a_deactivated_contact_is_soft_deleted_at_its_modifiedon() -> None:
    row = map_contact(f.contact(statecode=1, statuscode=2))
    assert row["status"] == 1
    assert row["dqt_state"] == 1
    assert row["deleted_on"] == dt.datetime(2021, 6, 7, 8, 9, 10, tzinfo=dt.UTC)


def test_mapping_is_deterministic() -> None:
    assert map_contact(f.contact(statecode=1)) == map_contact(f.contact(statecode=1))


@pytest.mark.parametrize("state", [2, -1, None, "0", True])
def test_bad_statecode_fails(state: object) -> None:
    _fails("statecode", statecode=state)


# -- bookkeeping ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", [None, "1000001", 1.0, True, -1, 2**63, [1]])
def test_versionnumber_must_be_a_bigint(version: object) -> None:
    _fails("versionnumber", versionnumber=version)


def test_versionnumber_bounds() -> None:
    assert map_contact(f.contact(versionnumber=0))["dqt_version"] == 0
    assert map_contact(f.contact(versionnumber=2**63 - 1))["dqt_version"] == 2**63 - 1


@pytest.mark.parametrize("field", ["contactid", "versionnumber", "createdon", "modifiedon", "statecode"])
def test_required_fields(field: str) -> None:
    record = f.contact()
    del record[field]
    with pytest.raises(MappingError) as caught:
        map_contact(record)
    assert caught.value.field == field
    assert "required" in caught.value.rule


@pytest.mark.parametrize("contact_id", ["", "not-a-guid", 42, "00000000-0000-0000-0000-000000000000"])
def test_bad_primary_key_fails_with_unknown_id(contact_id: object) -> None:
    error = _fails("contactid", contactid=contact_id)
    assert error.record_id is None
    assert "<unknown id>" in str(error)


@pytest.mark.parametrize("stamp", ["2023-02-30T00:00:00Z", "0001-01-01T00:00:00Z", "now", 1700000000])
def test_bad_timestamps_fail(stamp: object) -> None:
    _fails("modifiedon", modifiedon=stamp)


def test_not_a_json_object() -> None:
    with pytest.raises(MappingError) as caught:
        map_contact([f.contact()])  # type: ignore[arg-type]
    assert caught.value.field == "<record>"


# -- the rest ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("present", "value", "expected"),
    [(True, None, True), (True, "2015-01-01T00:00:00Z", False), (False, None, None)],
)
def test_created_by_tps_follows_the_shipped_code(present: bool, value: str | None, expected: bool | None) -> None:
    record = f.contact(dfeta_capitatrnchangedon=value)
    if not present:
        del record["dfeta_capitatrnchangedon"]
    assert map_contact(record)["created_by_tps"] is expected


def test_created_by_tps_source_must_be_a_timestamp() -> None:
    _fails("dfeta_capitatrnchangedon", dfeta_capitatrnchangedon="yes")


def test_trn_request_id_is_split() -> None:
    row = map_contact(f.contact(dfeta_trnrequestid="8A8B6D2E-3C41-4F6A-9E0F-5B7C1D2E3F40::REQ-42"))
    assert row["source_application_user_id"] == "8a8b6d2e-3c41-4f6a-9e0f-5b7c1d2e3f40"
    assert row["source_trn_request_id"] == "REQ-42"


def test_malformed_trn_request_id_fails() -> None:
    _fails("dfeta_trnrequestid", dfeta_trnrequestid="REQ-42")


@pytest.mark.parametrize(("value", "expected"), [(True, True), (False, False), (None, False)])
def test_flags_are_true_only_when_true(value: bool | None, expected: bool) -> None:
    row: PersonRow = map_contact(
        f.contact(dfeta_allowpiiupdatesfromregister=value, dfeta_allowidsigninwithprohibitions=value)
    )
    assert row["allow_details_updates_from_source_application"] is expected
    assert row["dqt_allow_teacher_identity_sign_in_with_prohibitions"] is expected


@pytest.mark.parametrize("value", [1, "true", "yes", []])
def test_flags_must_be_booleans(value: object) -> None:
    _fails("dfeta_allowpiiupdatesfromregister", dfeta_allowpiiupdatesfromregister=value)


def test_merged_with() -> None:
    other = f.new_id()
    assert map_contact(f.contact(_dfeta_mergedwith_value=other.upper()))["merged_with_person_id"] == other
    _fails("_dfeta_mergedwith_value", _dfeta_mergedwith_value=f.PERSON_ID)
    _fails("_dfeta_mergedwith_value", _dfeta_mergedwith_value="someone")
