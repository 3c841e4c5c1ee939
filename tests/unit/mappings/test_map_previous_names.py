"""dfeta_previousnames → previous_names: the per-person rebuilding algorithm, data dictionary §2.5."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Mapping, Sequence

import pytest

from mappings import MappingError, map_previous_names
from mappings.previous_names import PREVIOUS_NAME_NAMESPACE
from tests.unit.mappings import factories as f

FIRST, MIDDLE, LAST, TITLE = 389040000, 389040001, 389040002, 389040003


def _names(rows: Sequence[Mapping[str, object]]) -> list[tuple[object, object, object]]:
    return [(r["first_name"], r["middle_name"], r["last_name"]) for r in rows]


def test_no_previous_names() -> None:
    assert map_previous_names(f.contact(), []) == []


def test_one_surname_change() -> None:
    # Given Jane Anne Smith, who was Jones until 2018-06-01
    change = f.previous_name(LAST, "Jones", "2018-05-31T23:00:00Z", versionnumber=2_000_077)
    # When rebuilt
    [row] = map_previous_names(f.contact(), [change])
    # Then one previous name with a deterministic id and the change time as its timestamps
    assert row == {
        "previous_name_id": str(uuid.uuid5(PREVIOUS_NAME_NAMESPACE, change["dfeta_previousnameid"])),
        "person_id": f.PERSON_ID,
        "first_name": "Jane",
        "middle_name": "Anne",
        "last_name": "Jones",
        "created_on": dt.datetime(2018, 5, 31, 23, tzinfo=dt.UTC),
        "updated_on": dt.datetime(2018, 5, 31, 23, tzinfo=dt.UTC),
        "deleted_on": None,
        "dqt_audit_id": None,
        "dqt_previous_name_ids": [change["dfeta_previousnameid"]],
        "dqt_state": 0,
        "dqt_created_on": dt.datetime(2019, 3, 4, 10, 11, 12, tzinfo=dt.UTC),
        "dqt_modified_on": dt.datetime(2021, 6, 7, 8, 9, 10, tzinfo=dt.UTC),
        "dqt_version": 2_000_077,  # newer than the contact's versionnumber
    }


def test_version_includes_the_contacts_so_a_rename_rewrites_previous_names() -> None:
    # Given a previous-name row older than the contact (the contact was renamed since, without a new row)
    change = f.previous_name(LAST, "Jones", "2018-05-31T23:00:00Z", versionnumber=5)
    contact = f.contact()
    # When rebuilt, Then the row's version is the contact's, so newer-wins lets the rebuild apply
    [row] = map_previous_names(contact, [change])
    assert row["dqt_version"] == contact["versionnumber"]


def test_several_changes_rebuild_each_full_name_newest_first() -> None:
    # Given Jane Anne Smith: Smith since 2020 (was Brown), first name Jane since 2015 (was Janet),
    # and Brown since 2010 (was Jones)
    rows = [
        f.previous_name(LAST, "Jones", "2010-01-01T00:00:00Z"),
        f.previous_name(FIRST, "Janet", "2015-01-01T00:00:00Z"),
        f.previous_name(LAST, "Brown", "2020-01-01T00:00:00Z"),
    ]
    random.Random(1).shuffle(rows)  # input order does not matter
    # When rebuilt, Then each step puts one old part back, newest first
    assert _names(map_previous_names(f.contact(), rows)) == [
        ("Jane", "Anne", "Brown"),
        ("Janet", "Anne", "Brown"),
        ("Janet", "Anne", "Jones"),
    ]


def test_a_middle_name_change_and_a_null_name() -> None:
    rows = [f.previous_name(MIDDLE, None, "2019-01-01T00:00:00Z")]
    assert _names(map_previous_names(f.contact(), rows)) == [("Jane", "", "Smith")]


def test_title_rows_are_ignored() -> None:
    rows = [
        f.previous_name(TITLE, "Dr", "2021-01-01T00:00:00Z"),
        f.previous_name(LAST, "Jones", "2018-01-01T00:00:00Z"),
    ]
    [row] = map_previous_names(f.contact(), rows)
    assert row["last_name"] == "Jones"
    assert row["dqt_previous_name_ids"] == [rows[1]["dfeta_previousnameid"]]


def test_adjacent_identical_names_collapse_into_the_first_rows_id() -> None:
    # Given a no-op first-name change between two surname changes
    newest = f.previous_name(LAST, "Brown", "2020-01-01T00:00:00Z", versionnumber=30, modifiedon="2020-01-01T00:00:00Z")
    no_op = f.previous_name(FIRST, "Jane", "2019-01-01T00:00:00Z", versionnumber=40, modifiedon="2023-01-01T00:00:00Z")
    oldest = f.previous_name(LAST, "Jones", "2010-01-01T00:00:00Z", versionnumber=10)
    rows = map_previous_names(f.contact(), [oldest, no_op, newest])
    # Then the no-op joins the run that starts at the newer row
    assert _names(rows) == [("Jane", "Anne", "Brown"), ("Jane", "Anne", "Jones")]
    first = rows[0]
    assert first["previous_name_id"] == str(uuid.uuid5(PREVIOUS_NAME_NAMESPACE, newest["dfeta_previousnameid"]))
    assert first["dqt_previous_name_ids"] == [newest["dfeta_previousnameid"], no_op["dfeta_previousnameid"]]
    assert first["created_on"] == first["updated_on"] == dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    assert first["dqt_version"] == max(40, f.contact()["versionnumber"])  # newest contributing row or contact
    assert first["dqt_modified_on"] == dt.datetime(2023, 1, 1, tzinfo=dt.UTC)


def test_a_rebuilt_name_equal_to_the_current_one_is_not_a_previous_name() -> None:
    rows = [
        f.previous_name(LAST, "Smith", "2020-01-01T00:00:00Z"),
        f.previous_name(LAST, "Jones", "2010-01-01T00:00:00Z"),
    ]
    assert _names(map_previous_names(f.contact(), rows)) == [("Jane", "Anne", "Jones")]


def test_a_name_that_returns_later_is_not_adjacent_and_stays() -> None:
    # Smith now, Jones before, Smith before that
    rows = [
        f.previous_name(LAST, "Jones", "2020-01-01T00:00:00Z"),
        f.previous_name(LAST, "Smith", "2010-01-01T00:00:00Z"),
    ]
    assert _names(map_previous_names(f.contact(), rows)) == [("Jane", "Anne", "Jones"), ("Jane", "Anne", "Smith")]


def test_collapse_is_exact_so_case_changes_count() -> None:
    rows = [f.previous_name(LAST, "SMITH", "2020-01-01T00:00:00Z")]
    assert _names(map_previous_names(f.contact(), rows)) == [("Jane", "Anne", "SMITH")]


def test_missing_changedon_falls_back_to_createdon() -> None:
    rows = [
        f.previous_name(LAST, "Jones", None, createdon="2012-01-01T00:00:00Z"),
        f.previous_name(LAST, "Brown", "2015-01-01T00:00:00Z"),
    ]
    result = map_previous_names(f.contact(), rows)
    assert _names(result) == [("Jane", "Anne", "Brown"), ("Jane", "Anne", "Jones")]
    assert result[1]["created_on"] == dt.datetime(2012, 1, 1, tzinfo=dt.UTC)


def test_inactive_rows_play_no_part() -> None:
    rows = [f.previous_name(LAST, "Jones", "2020-01-01T00:00:00Z", statecode=1)]
    assert map_previous_names(f.contact(), rows) == []


def test_the_current_names_are_the_raw_ones_not_the_stated_ones() -> None:
    contact = f.contact(dfeta_statedfirstname="Jay", dfeta_statedlastname="Smyth")
    rows = [f.previous_name(LAST, "Jones", "2020-01-01T00:00:00Z")]
    assert _names(map_previous_names(contact, rows)) == [("Jane", "Anne", "Jones")]


def test_names_are_nfc() -> None:
    rows = [f.previous_name(FIRST, "Zoe\u0308", "2020-01-01T00:00:00Z")]
    assert _names(map_previous_names(f.contact(), rows)) == [("Zo\u00eb", "Anne", "Smith")]


def test_ids_are_stable_when_a_newer_change_arrives() -> None:
    old = f.previous_name(LAST, "Jones", "2010-01-01T00:00:00Z")
    before = map_previous_names(f.contact(), [old])
    after = map_previous_names(
        f.contact(lastname="Brown"), [old, f.previous_name(LAST, "Smith", "2022-01-01T00:00:00Z")]
    )
    assert before[0]["previous_name_id"] == after[1]["previous_name_id"]


def test_rebuilding_is_deterministic() -> None:
    rows = [f.previous_name(LAST, n, "2020-01-01T00:00:00Z") for n in ("A", "B", "C")]  # same change time
    first = map_previous_names(f.contact(), rows)
    assert all(map_previous_names(f.contact(), order) == first for order in (rows[::-1], rows[1:] + rows[:1]))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"dfeta_type": None}, "dfeta_type"),
        ({"dfeta_type": 389040009}, "dfeta_type"),
        ({"dfeta_type": True}, "dfeta_type"),
        ({"dfeta_name": "x" * 101}, "dfeta_name"),
        ({"dfeta_name": "a\x00"}, "dfeta_name"),
        ({"dfeta_changedon": "2023-02-30T00:00:00Z"}, "dfeta_changedon"),
        ({"_dfeta_personid_value": None}, "_dfeta_personid_value"),
        ({"versionnumber": "1"}, "versionnumber"),
        ({"dfeta_previousnameid": "x"}, "dfeta_previousnameid"),
    ],
)
def test_bad_rows_fail_the_person(overrides: dict[str, object], field: str) -> None:
    row = f.previous_name(LAST, "Jones", "2020-01-01T00:00:00Z", **overrides)
    with pytest.raises(MappingError) as caught:
        map_previous_names(f.contact(), [row])
    assert caught.value.entity == "dfeta_previousnames"
    assert caught.value.field == field
    if field == "dfeta_name":
        assert "Jones" not in str(caught.value)
        assert "x" * 20 not in str(caught.value)


def test_a_row_of_another_contact_fails() -> None:
    row = f.previous_name(LAST, "Jones", "2020-01-01T00:00:00Z", _dfeta_personid_value=f.new_id())
    with pytest.raises(MappingError, match="another contact"):
        map_previous_names(f.contact(), [row])
