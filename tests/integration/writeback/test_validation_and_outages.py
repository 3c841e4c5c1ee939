"""Invalid edits are rejected before anything is stored anywhere; throttling and outages delay messages and
never drop them; a message DQT refuses waits for an operator without blocking other records."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from bridge.edits import EditRejected, EditService
from bridge.writeback import relay_pending
from dataverse_client import DataverseClient
from mappings.reference.trs import BRISTOL_POLY, LEEDS, MARY_HARE, MqSpecialism, MqStatus
from tests.integration.bridge.helpers import rows
from tests.integration.writeback.conftest import World
from trs_store import outbox

pytestmark = pytest.mark.integration

NEW_MQ: dict[str, Any] = {
    "provider": LEEDS.id,
    "specialism": int(MqSpecialism.HEARING),
    "start_date": dt.date(2021, 9, 1),
    "status": int(MqStatus.IN_PROGRESS),
}


def state(world: World) -> dict[str, Any]:
    return {
        t: rows(world.engine, t) for t in ("persons", "qualifications", "previous_names", "events", "outbox_messages")
    }


INVALID_MQ_CREATES: list[tuple[dict[str, Any], str]] = [
    ({"provider": BRISTOL_POLY.id}, "provider"),  # only an inactive DQT establishment
    ({"provider": MARY_HARE.id}, "provider"),  # no DQT establishment at all
    ({"provider": "not-a-guid"}, "provider"),
    ({"specialism": int(MqSpecialism.AUDITORY)}, "specialism"),  # legacy
    ({"specialism": int(MqSpecialism.DEAF_EDUCATION)}, "specialism"),
    ({"specialism": int(MqSpecialism.NOT_APPLICABLE)}, "specialism"),
    ({"status": int(MqStatus.PASSED)}, "end_date"),  # Passed needs an end date
    ({"status": int(MqStatus.PASSED), "end_date": dt.date(2020, 9, 1)}, "end_date"),  # not after the start
    ({"status": int(MqStatus.PASSED), "end_date": dt.date(2020, 1, 1)}, "end_date"),
    ({"status": int(MqStatus.DEFERRED), "end_date": dt.date(2022, 1, 1)}, "end_date"),  # others have none
    ({"start_date": None}, "start_date"),
    ({"provider": None}, "provider"),
]


@pytest.mark.parametrize(("change", "field"), INVALID_MQ_CREATES)
def test_invalid_mq_edits_are_rejected_and_nothing_is_stored(world: World, change: dict[str, Any], field: str) -> None:
    person_id, mq_id = world.person_with_mq()
    before = state(world)
    world.sim.admin("DELETE", "requests")

    with pytest.raises(EditRejected) as rejected:
        world.edits.create_mq(person_id=person_id, **{**NEW_MQ, **change})
    assert rejected.value.field == field
    update = {k: v for k, v in change.items() if v is not None}
    if update and field != "start_date":
        with pytest.raises(EditRejected) as rejected_update:
            world.edits.update_mq(mq_id, **update)
        assert rejected_update.value.field == field

    assert world.relay().processed == 0
    assert state(world) == before
    assert world.sim.admin("GET", "requests") == []  # DQT was not even asked


@pytest.mark.parametrize(
    ("names", "field"),
    [
        ({"first": "   "}, "first"),
        ({"last": ""}, "last"),
        ({"first": "A" * 101}, "first"),
        ({"middle": "B" * 101}, "middle"),
        ({"last": "Lee\u0000"}, "last"),
        ({}, "edit"),
        ({"first": "Testfirst"}, "edit"),  # changes nothing
    ],
)
def test_invalid_name_edits_are_rejected_and_nothing_is_stored(world: World, names: dict[str, str], field: str) -> None:
    person_id = world.person()
    before = state(world)
    with pytest.raises(EditRejected) as rejected:
        world.edits.change_name(person_id=person_id, **names)
    assert rejected.value.field == field
    assert state(world) == before


def test_unknown_people_and_records_and_deleted_mqs_are_rejected(world: World) -> None:
    person_id, mq_id = world.person_with_mq()
    with pytest.raises(EditRejected, match="not found"):
        world.edits.change_name(trn="0000001", first="X")
    with pytest.raises(EditRejected, match="not a mandatory qualification"):
        world.edits.update_mq(person_id, status=int(MqStatus.FAILED))
    world.edits.delete_mq(mq_id)
    with pytest.raises(EditRejected, match="deleted"):
        world.edits.update_mq(mq_id, status=int(MqStatus.FAILED))
    with pytest.raises(EditRejected, match="already deleted"):
        world.edits.delete_mq(mq_id)
    assert len(world.messages()) == 1


def test_a_100_character_name_and_an_empty_middle_name_are_accepted(world: World) -> None:
    person_id = world.person(firstname="Jo", middlename="Ann", lastname="Bee")
    long_last = "L" * 100
    world.edits.change_name(person_id=person_id, middle="", last=long_last)
    assert world.relay().sent == 1
    contact = world.dqt_contact(person_id)
    assert (contact["middlename"], contact["lastname"]) == (None, long_last)
    assert world.trs("persons", person_id)["middle_name"] == ""


@pytest.fixture
def impatient_client(world: World) -> Callable[[], DataverseClient]:
    """Clients that give up retrying after a second (so an outage reaches the relay quickly)."""
    made: list[DataverseClient] = []

    def factory() -> DataverseClient:
        client = DataverseClient(dataclasses.replace(world.sim.settings(), max_retry_seconds=1.0))
        made.append(client)
        return client

    yield factory
    for client in made:
        client.close()


@pytest.mark.parametrize("fault", [{"rate_503": 1.0}, {"rate_429": 1.0, "retry_after": 30}])
def test_outages_and_throttling_delay_messages_and_never_drop_them(
    world: World, impatient_client: Callable[[], DataverseClient], fault: dict[str, Any]
) -> None:
    _, mq_id = world.person_with_mq()
    result = world.edits.update_mq(mq_id, status=int(MqStatus.EXTENDED))
    client = impatient_client()
    # The relay reads DQT's reference rows once, before the outage starts
    from bridge.writeback import load_references

    references = load_references(client)

    world.faults(**fault)
    deferred = relay_pending(world.engine, client, references=references)
    assert (deferred.deferred, deferred.sent, deferred.failed) == (1, 0, 0)
    with world.engine.connect() as connection:
        message = outbox.get(connection, result.message_id)
    assert message is not None
    assert message.status == "pending"
    assert message.attempts == 1
    assert message.next_attempt_at is not None
    assert message.last_error
    # Not due yet: nothing is sent even when DQT is back
    world.sim.admin("POST", "reset")
    assert relay_pending(world.engine, client, references=references).processed == 0
    # Due later: delivered
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=11)
    assert relay_pending(world.engine, client, references=references, clock=lambda: later).sent == 1
    assert world.dqt_mq(mq_id)["dfeta_mq_status"] == 389040002


def test_a_refused_message_fails_for_an_operator_and_other_records_go_on(world: World) -> None:
    # Given an MQ edit of a record DQT no longer has, and an edit of another record
    _, gone = world.person_with_mq()
    _, other = world.person_with_mq()
    failing = world.edits.update_mq(gone, status=int(MqStatus.FAILED))
    world.dqt.delete("dfeta_qualifications", gone)
    world.edits.update_mq(other, status=int(MqStatus.FAILED))

    result = world.relay()

    assert (result.failed, result.sent) == (1, 1)
    with world.engine.connect() as connection:
        message = outbox.get(connection, failing.message_id)
    assert message is not None
    assert message.status == "failed"
    assert "no such record" in (message.last_error or "")
    # A later edit of the failed record waits behind it (order per record)
    world.edits.update_mq(gone, start_date=dt.date(2020, 1, 6))
    assert world.relay().processed == 0


def test_edit_service_is_usable_from_python(world: World) -> None:
    # The bridge's Python API: a service over any engine
    person_id = world.person()
    service = EditService(world.engine)
    result = service.create_mq(person_id=person_id, **NEW_MQ)
    assert result.kind == "mq_create"
    assert result.as_json()["record_id"] == result.record_id
