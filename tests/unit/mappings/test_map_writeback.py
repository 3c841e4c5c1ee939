"""TRS edits → DQT: the inverse tables, the validation rules, the three-way comparison (mappings/writeback.py)."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mappings import ReferenceLookup, map_qualification
from mappings.dates import uk_date
from mappings.reference import dqt as ref
from mappings.reference.trs import (
    BIRMINGHAM,
    BRISTOL_POLY,
    ESTABLISHMENT_PROVIDERS,
    LEEDS,
    MARY_HARE,
    MQ_STATUSES,
    PROVIDERS,
    SPECIALISMS,
    MqSpecialism,
    MqStatus,
)
from mappings.writeback import (
    CURRENT_PROVIDERS,
    EditInvalid,
    MqInput,
    WritebackMappingError,
    WritebackReference,
    check_mq,
    check_name,
    event_id_of,
    mq_body,
    mq_state_of_row,
    new_previous_names,
    previous_name_bodies,
    serialize_event,
    three_way,
    touched_keys,
    trs_event,
    uk_midnight_utc,
)


def reference_records(rows: tuple[ref.ReferenceRow, ...], primary_id: str) -> list[dict[str, object]]:
    return [{primary_id: r.id, "dfeta_value": r.value, "statecode": 0 if r.active else 1} for r in rows]


ESTABLISHMENTS = reference_records(ref.MQ_ESTABLISHMENTS, "dfeta_mqestablishmentid")
SPECIALISM_ROWS = reference_records(ref.MQ_SPECIALISMS, "dfeta_specialismid")
WRITING = WritebackReference.from_records(establishments=ESTABLISHMENTS, specialisms=SPECIALISM_ROWS)
READING = ReferenceLookup.from_records(establishments=ESTABLISHMENTS, specialisms=SPECIALISM_ROWS, sanction_codes=[])

NEW = MqInput(LEEDS.id, int(MqSpecialism.HEARING), dt.date(2021, 9, 1), int(MqStatus.IN_PROGRESS))


def test_current_providers_are_those_with_an_active_establishment() -> None:
    assert len(CURRENT_PROVIDERS) == 12
    assert BRISTOL_POLY.id not in CURRENT_PROVIDERS
    assert MARY_HARE.id not in CURRENT_PROVIDERS
    assert {p.id for p in PROVIDERS} - set(CURRENT_PROVIDERS) == {BRISTOL_POLY.id, MARY_HARE.id}


@pytest.mark.parametrize("provider_id", sorted(CURRENT_PROVIDERS))
def test_every_current_provider_round_trips_through_its_active_establishment(provider_id: str) -> None:
    establishment = WRITING.establishment_for(provider_id)
    row = next(r for r in ref.MQ_ESTABLISHMENTS if r.id == establishment)
    assert row.active
    assert ESTABLISHMENT_PROVIDERS[row.value] == provider_id


def test_birmingham_uses_its_one_active_establishment() -> None:
    assert WRITING.establishment_for(BIRMINGHAM.id) == ref.reference_id("dfeta_mqestablishment", "955")


def test_providers_without_an_active_establishment_cannot_be_written() -> None:
    for provider in (BRISTOL_POLY, MARY_HARE):
        with pytest.raises(WritebackMappingError):
            WRITING.establishment_for(provider.id)


@pytest.mark.parametrize("specialism", list(MqSpecialism))
def test_every_specialism_round_trips(specialism: MqSpecialism) -> None:
    guid = WRITING.specialism_for(int(specialism))
    value = next(r.value for r in ref.MQ_SPECIALISMS if r.id == guid)
    assert SPECIALISMS[value] == specialism


@pytest.mark.parametrize("status", list(MqStatus))
def test_every_status_round_trips_through_a_written_record(status: MqStatus) -> None:
    state = check_mq(
        None,
        MqInput(
            LEEDS.id,
            int(MqSpecialism.VISUAL),
            dt.date(2020, 4, 1),
            int(status),
            dt.date(2021, 6, 30) if status is MqStatus.PASSED else None,
        ),
    )
    body = mq_body(state, list(state), WRITING, trs_event="{}", person_id=str(uuid.uuid4()))
    assert MQ_STATUSES[body["dfeta_mq_status"]] == status
    assert ("dfeta_mq_date" in body) == (status is MqStatus.PASSED)
    record = {
        "dfeta_qualificationid": str(uuid.uuid4()),
        "dfeta_type": 389040002,
        "_dfeta_personid_value": str(uuid.uuid4()),
        "_dfeta_mq_mqestablishmentid_value": body["dfeta_MQ_MQEstablishmentId@odata.bind"][-37:-1],
        "_dfeta_mq_specialismid_value": body["dfeta_MQ_SpecialismId@odata.bind"][-37:-1],
        "dfeta_mq_status": body["dfeta_mq_status"],
        "dfeta_mqstartdate": body["dfeta_mqstartdate"],
        "dfeta_mq_date": body.get("dfeta_mq_date"),
        "statecode": 0,
        "createdon": "2024-01-01T00:00:00Z",
        "modifiedon": "2024-01-01T00:00:00Z",
        "versionnumber": 1,
    }
    assert mq_state_of_row(map_qualification(record, READING)) == state  # type: ignore[arg-type]


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_dates_are_written_as_uk_midnight_and_read_back_as_the_same_date(day: dt.date) -> None:
    assert uk_date(uk_midnight_utc(day)) == day


def test_uk_midnight_in_summer_and_winter() -> None:
    assert uk_midnight_utc(dt.date(2023, 7, 14)) == "2023-07-13T23:00:00Z"
    assert uk_midnight_utc("2023-01-14") == "2023-01-14T00:00:00Z"


@pytest.mark.parametrize(
    ("given", "field"),
    [
        (MqInput(provider_id=BRISTOL_POLY.id), "provider"),
        (MqInput(provider_id=MARY_HARE.id), "provider"),
        (MqInput(provider_id="x"), "provider"),
        (MqInput(specialism=int(MqSpecialism.AUDITORY)), "specialism"),
        (MqInput(specialism=int(MqSpecialism.NOT_APPLICABLE)), "specialism"),
        (MqInput(status=99), "status"),
        (MqInput(status=int(MqStatus.PASSED)), "end_date"),
        (MqInput(status=int(MqStatus.PASSED), end_date=dt.date(2021, 9, 1)), "end_date"),
        (MqInput(status=int(MqStatus.FAILED), end_date=dt.date(2022, 9, 1)), "end_date"),
    ],
)
def test_invalid_mq_edits(given: MqInput, field: str) -> None:
    current = check_mq(None, NEW)
    with pytest.raises(EditInvalid) as raised:
        check_mq(current, given)
    assert raised.value.field == field


def test_changing_status_away_from_passed_clears_the_end_date() -> None:
    passed = check_mq(None, MqInput(LEEDS.id, 2, dt.date(2020, 1, 1), int(MqStatus.PASSED), dt.date(2021, 1, 1)))
    assert check_mq(passed, MqInput(status=int(MqStatus.DEFERRED)))["end_date"] is None
    # moving the start date past the end date of a passed MQ is refused
    with pytest.raises(EditInvalid, match="after the start"):
        check_mq(passed, MqInput(start_date=dt.date(2021, 2, 1)))


def test_a_legacy_provider_stays_while_other_fields_change() -> None:
    legacy = {**check_mq(None, NEW), "mq_provider_id": BRISTOL_POLY.id, "mq_specialism": int(MqSpecialism.AUDITORY)}
    changed = check_mq(legacy, MqInput(status=int(MqStatus.WITHDRAWN)))
    assert (changed["mq_provider_id"], changed["mq_specialism"]) == (BRISTOL_POLY.id, 0)


def test_update_bodies_write_only_the_edited_attributes() -> None:
    old = check_mq(None, NEW)
    new = check_mq(old, MqInput(start_date=dt.date(2021, 10, 4)))
    assert touched_keys(old, new) == ["start_date"]
    assert mq_body(new, touched_keys(old, new), WRITING, trs_event="E") == {
        "dfeta_mqstartdate": "2021-10-03T23:00:00Z",
        "dfeta_trsevent": "E",
    }
    passed = check_mq(old, MqInput(status=int(MqStatus.PASSED), end_date=dt.date(2022, 1, 5)))
    assert touched_keys(old, passed) == ["mq_status", "end_date"]
    withdrawn = check_mq(passed, MqInput(status=int(MqStatus.WITHDRAWN)))
    body = mq_body(withdrawn, touched_keys(passed, withdrawn), WRITING, trs_event="E")
    assert (body["dfeta_mq_status"], body["dfeta_mq_date"]) == (389040005, None)
    deleted = {**old, "deleted": True}
    assert mq_body(deleted, ["deleted"], WRITING, trs_event="E") == {
        "statecode": 1,
        "statuscode": 2,
        "dfeta_trsevent": "E",
    }


@pytest.mark.parametrize(
    ("value", "required", "expected"),
    [(" Ann ", True, "Ann"), ("", False, ""), ("A" * 100, True, "A" * 100), ("Cafe\u0301", True, "Café")],
)
def test_names_are_trimmed_and_normalised(value: str, required: bool, expected: str) -> None:
    assert check_name(value, "first", required=required) == expected


@pytest.mark.parametrize("value", ["", "   ", "A" * 101, "Ann\u200b", "An\nn"])
def test_invalid_names(value: str) -> None:
    with pytest.raises(EditInvalid):
        check_name(value, "first", required=True)


def test_previous_names_match_what_the_sync_derives_from_the_dqt_rows() -> None:
    message_id, person_id = str(uuid.uuid4()), str(uuid.uuid4())
    old = {"first_name": "Ann", "middle_name": "", "last_name": "Lee"}
    new = {"first_name": "Ann", "middle_name": "", "last_name": "Leigh"}
    at = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
    (body,) = previous_name_bodies(message_id, person_id, old, new, at)
    assert (body["dfeta_type"], body["dfeta_name"], body["dfeta_changedon"]) == (
        389040002,
        "Lee",
        "2024-06-01T12:00:00Z",
    )
    (row,) = new_previous_names(message_id, person_id, old, new, at)
    assert (row["first_name"], row["last_name"], row["dqt_previous_name_ids"]) == (
        "Ann",
        "Lee",
        [body["dfeta_previousnameid"]],
    )
    # deterministic: the same message always gives the same DQT ids
    assert previous_name_bodies(message_id, person_id, old, new, at) == [body]


def test_the_trs_event_carries_the_message_id_and_serialises_deterministically() -> None:
    message_id = str(uuid.uuid4())
    event = trs_event(
        kind="mq_update",
        event_id=message_id,
        created=dt.datetime(2024, 1, 2, 3, 4, 5, 678, tzinfo=dt.UTC),
        raised_by="officer",
        person_id="p",
        record_id="q",
        old={"mq_status": 0},
        new={"mq_status": 1},
    )
    text = serialize_event(event)
    assert text == serialize_event(json.loads(text))
    assert event_id_of(text) == message_id
    assert event["Event"]["Changes"] == ["Status"]
    assert event_id_of("not json") is None
    assert event_id_of('{"Event": {"EventId": "x"}}') is None
    assert event_id_of(None) is None


def test_three_way() -> None:
    base = {"a": 1, "b": 1}
    assert three_way(base, {"a": 2, "b": 1}, {"a": 1, "b": 5}, ["a"]).outcome == "merge"
    assert three_way(base, {"a": 2, "b": 1}, {"a": 2, "b": 5}, ["a"]).outcome == "converged"
    decision = three_way(base, {"a": 2, "b": 1}, {"a": 3, "b": 1}, ["a"])
    assert (decision.outcome, decision.conflicting) == ("conflict", ("a",))
