"""Concurrent edits in DQT and TRS: the same field is a conflict an operator resolves (either way), other
fields merge automatically, and nothing is ever overwritten without a decision."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bridge import conflicts as conflict_service
from mappings.reference import dqt as ref
from mappings.reference.trs import MqSpecialism, MqStatus
from tests.integration.writeback.conftest import OFFICER, World
from trs_store import outbox

pytestmark = pytest.mark.integration

WITHDRAWN, DEFERRED = 389040005, 389040001


def visual_id() -> str:
    return next(r.id for r in ref.MQ_SPECIALISMS if r.value == "Visual")


def status_of(world: World, message_id: str) -> str:
    with world.engine.connect() as connection:
        found = outbox.get(connection, message_id)
    assert found is not None
    return found.status


def make_same_field_conflict(world: World) -> tuple[str, str]:
    """An MQ whose status TRS changed to Withdrawn while a DQT user changed it to Deferred."""
    _, mq_id = world.person_with_mq()
    result = world.edits.update_mq(mq_id, status=int(MqStatus.WITHDRAWN), editor=OFFICER)
    world.dqt_edit("dfeta_qualifications", mq_id, {"dfeta_mq_status": DEFERRED})
    relayed = world.relay()
    assert (relayed.conflicts, relayed.sent) == (1, 0)
    return mq_id, result.message_id


def test_same_field_edited_on_both_sides_is_a_conflict_and_nothing_is_overwritten(world: World) -> None:
    mq_id, message_id = make_same_field_conflict(world)

    # DQT keeps its user's value, TRS keeps its officer's, and a conflict holds all three sides
    assert world.dqt_mq(mq_id)["dfeta_mq_status"] == DEFERRED
    assert world.trs("qualifications", mq_id)["mq_status"] == MqStatus.WITHDRAWN
    assert status_of(world, message_id) == "conflict"
    (view,) = conflict_service.list_conflicts(world.engine)
    assert view.conflict.fields == ["mq_status", "end_date"] or view.conflict.fields == ["mq_status"]
    assert view.conflict.base_snapshot["mq_status"] == MqStatus.IN_PROGRESS
    assert view.conflict.trs_snapshot["mq_status"] == MqStatus.WITHDRAWN
    assert view.conflict.dqt_snapshot["mq_status"] == MqStatus.DEFERRED
    assert view.conflict.dqt_record["dfeta_mq_status"] == DEFERRED
    assert view.conflict.dqt_version == world.dqt_mq(mq_id)["versionnumber"]

    # And the sync bringing DQT's change does not overwrite the TRS edit waiting for a decision
    world.sync()
    assert world.trs("qualifications", mq_id)["mq_status"] == MqStatus.WITHDRAWN
    # And the relay does not retry it on its own
    assert world.relay().processed == 0
    assert world.dqt_mq(mq_id)["dfeta_mq_status"] == DEFERRED


def test_conflict_resolved_keeping_trs_sends_the_edit_on_dqts_version(world: World) -> None:
    mq_id, message_id = make_same_field_conflict(world)
    (view,) = conflict_service.list_conflicts(world.engine)

    resolved = conflict_service.resolve(world.engine, world.dqt, view.conflict.conflict_id[:8], keep="trs", by="ops")
    assert resolved.conflict.resolution == "trs"
    assert world.relay().sent == 1

    record = world.dqt_mq(mq_id)
    assert record["dfeta_mq_status"] == WITHDRAWN
    assert json.loads(record["dfeta_trsevent"])["Event"]["EventId"] == message_id
    assert world.trs("qualifications", mq_id)["mq_status"] == MqStatus.WITHDRAWN
    assert world.trs("qualifications", mq_id)["dqt_version"] == record["versionnumber"]
    assert status_of(world, message_id) == "sent"
    assert conflict_service.list_conflicts(world.engine) == []
    names = {e["event_name"] for e in world.events()}
    assert {
        "MandatoryQualificationWriteBackConflictEvent",
        "MandatoryQualificationWriteBackConflictResolvedEvent",
    } <= names


def test_conflict_resolved_keeping_dqt_takes_dqts_values_into_trs(world: World) -> None:
    mq_id, message_id = make_same_field_conflict(world)
    (view,) = conflict_service.list_conflicts(world.engine)
    writes_before = len(world.audit("dfeta_qualifications", mq_id))

    conflict_service.resolve(world.engine, world.dqt, view.conflict.conflict_id, keep="dqt", by="ops")

    assert world.trs("qualifications", mq_id)["mq_status"] == MqStatus.DEFERRED
    assert status_of(world, message_id) == "superseded"
    assert world.relay().processed == 0
    assert len(world.audit("dfeta_qualifications", mq_id)) == writes_before  # DQT was not written
    assert world.dqt_mq(mq_id)["dfeta_mq_status"] == DEFERRED
    # And the next edit of the record goes through normally
    world.edits.update_mq(mq_id, start_date=dt.date(2020, 10, 1))
    assert world.relay().sent == 1
    assert world.dqt_mq(mq_id)["dfeta_mq_status"] == DEFERRED


def test_edits_of_different_fields_merge_automatically(world: World) -> None:
    # Given TRS changes the start date while a DQT user changes the specialism
    _, mq_id = world.person_with_mq()
    result = world.edits.update_mq(mq_id, start_date=dt.date(2019, 1, 7), editor=OFFICER)
    world.dqt_edit(
        "dfeta_qualifications", mq_id, {"dfeta_MQ_SpecialismId@odata.bind": f"/dfeta_specialisms({visual_id()})"}
    )

    # When the relay runs: a 412, a three-way merge, a re-send on DQT's version
    relayed = world.relay()

    # Then both changes are in DQT and in TRS, and the history says it was merged
    assert (relayed.sent, relayed.merged, relayed.conflicts) == (1, 1, 0)
    record = world.dqt_mq(mq_id)
    assert record["dfeta_mqstartdate"] == "2019-01-07T00:00:00Z"
    assert record["_dfeta_mq_specialismid_value"] == visual_id()
    row = world.trs("qualifications", mq_id)
    assert row["start_date"] == dt.date(2019, 1, 7)
    assert row["mq_specialism"] == MqSpecialism.VISUAL
    assert row["dqt_version"] == record["versionnumber"]
    with world.engine.connect() as connection:
        message = outbox.get(connection, result.message_id)
    assert message is not None
    assert message.merged
    assert message.status == "sent"
    assert "MandatoryQualificationWriteBackMergedEvent" in {e["event_name"] for e in world.events()}
    assert conflict_service.list_conflicts(world.engine) == []


def test_a_dqt_edit_synced_before_the_relay_runs_still_merges(world: World) -> None:
    # The sync brings the DQT user's change first: TRS takes it but keeps its own pending edit
    _, mq_id = world.person_with_mq()
    world.edits.update_mq(mq_id, status=int(MqStatus.EXTENDED))
    world.dqt_edit("dfeta_qualifications", mq_id, {"dfeta_mqstartdate": "2018-02-01T00:00:00Z"})
    world.sync()
    row = world.trs("qualifications", mq_id)
    assert row["mq_status"] == MqStatus.EXTENDED  # the pending TRS edit is kept

    assert world.relay().merged == 1
    record = world.dqt_mq(mq_id)
    assert (record["dfeta_mq_status"], record["dfeta_mqstartdate"]) == (389040002, "2018-02-01T00:00:00Z")
    row = world.trs("qualifications", mq_id)
    assert (row["mq_status"], row["start_date"]) == (MqStatus.EXTENDED, dt.date(2018, 2, 1))


def test_name_conflict_and_name_merge(world: World) -> None:
    # Same part on both sides: a conflict
    first = world.person(firstname="Kim", lastname="Doe")
    world.edits.change_name(person_id=first, last="Dough")
    world.dqt_edit("contacts", first, {"lastname": "Dow"})
    # Another field in DQT: merged
    second = world.person(firstname="Lee", lastname="Ray")
    world.edits.change_name(person_id=second, first="Leo")
    world.dqt_edit("contacts", second, {"emailaddress1": "lee.ray@example.org"})

    relayed = world.relay()

    assert (relayed.conflicts, relayed.merged) == (1, 1)
    assert world.dqt_contact(first)["lastname"] == "Dow"
    assert world.trs("persons", first)["last_name"] == "Dough"
    contact = world.dqt_contact(second)
    assert (contact["firstname"], contact["emailaddress1"]) == ("Leo", "lee.ray@example.org")
    assert world.trs("persons", second)["first_name"] == "Leo"
    assert world.trs("persons", second)["email_address"] == "lee.ray@example.org"
    # The conflicted name's previous names are TRS's until it is resolved; keeping DQT rebuilds them from DQT
    (view,) = conflict_service.list_conflicts(world.engine)
    conflict_service.resolve(world.engine, world.dqt, view.conflict.conflict_id, keep="dqt")
    person = world.trs("persons", first)
    assert (person["first_name"], person["last_name"]) == ("Kim", "Dow")
    assert world.previous_names(first) == []
