"""Every kind of TRS edit reaches DQT with the real attributes, and its echo changes nothing in TRS.

Each test makes the edit through the edit service, runs the relay against the simulator over HTTPS, checks
DQT's record and TRS's row, then syncs (the change feed brings the relay's own write back) and checks that
the echo added no event and changed no row.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from mappings.reference import dqt as ref
from mappings.reference.trs import BIRMINGHAM, LEEDS, PLYMOUTH, MqSpecialism, MqStatus
from tests.integration.bridge.helpers import create_contact
from tests.integration.writeback.conftest import OFFICER, World, uk
from trs_store import outbox

pytestmark = pytest.mark.integration

MQ_COLUMNS = ("mq_provider_id", "mq_specialism", "start_date", "mq_status", "end_date", "deleted_on")


def establishment_id(value: str) -> str:
    return next(r.id for r in ref.MQ_ESTABLISHMENTS if r.value == value)


def specialism_id(value: str) -> str:
    return next(r.id for r in ref.MQ_SPECIALISMS if r.value == value)


def snapshot(world: World) -> dict[str, Any]:
    """Everything a sync could change in TRS, for before/after comparisons."""
    from tests.integration.bridge.helpers import rows

    tables = {t: rows(world.engine, t) for t in ("persons", "qualifications", "previous_names")}
    for table in tables.values():
        for found in table.values():
            found.pop("dqt_last_sync", None)
    return {"rows": tables, "events": sorted(e["key"] for e in world.events())}


def assert_echo_is_harmless(world: World) -> None:
    before = snapshot(world)
    world.sync()
    after = snapshot(world)
    assert after["events"] == before["events"], "the echo of the relay's write added an event"
    assert after["rows"] == before["rows"], "the echo of the relay's write changed TRS"


def sent(world: World, message_id: str) -> outbox.OutboxMessage:
    with world.engine.connect() as connection:
        found = outbox.get(connection, message_id)
    assert found is not None
    assert found.status == "sent", (found.status, found.last_error)
    return found


def test_mq_create_round_trip(world: World) -> None:
    # Given a person synced from DQT
    person_id = world.person()

    # When a TRS officer adds an MQ (Birmingham has seven DQT establishments, one active; BST end date)
    result = world.edits.create_mq(
        person_id=person_id,
        provider=BIRMINGHAM.id,
        specialism=int(MqSpecialism.MULTI_SENSORY),
        start_date=dt.date(2022, 3, 1),
        status=int(MqStatus.PASSED),
        end_date=dt.date(2023, 7, 14),
        editor=OFFICER,
    )
    # Then TRS has it at once, not yet known to DQT
    row = world.trs("qualifications", result.record_id)
    assert row["dqt_qualification_id"] is None
    assert row["dqt_version"] is None
    assert [m.status for m in world.messages()] == ["pending"]

    # When the relay runs
    relayed = world.relay()

    # Then DQT holds the MQ under TRS's id, with the real attributes, written as the officer
    assert relayed.sent == 1
    record = world.dqt_mq(result.record_id)
    assert record["dfeta_type"] == 389040002
    assert record["_dfeta_personid_value"] == person_id
    assert record["_dfeta_mq_mqestablishmentid_value"] == establishment_id("955")
    assert record["_dfeta_mq_specialismid_value"] == specialism_id("Multi-Sensory")
    assert record["dfeta_mqstartdate"] == "2022-03-01T00:00:00Z"  # GMT: UK midnight is UTC midnight
    assert record["dfeta_mq_date"] == "2023-07-13T23:00:00Z"  # BST: UK midnight is 23:00 UTC the day before
    assert record["dfeta_mq_status"] == 389040004
    assert record["_createdby_value"] == OFFICER.caller_object_id
    event = json.loads(record["dfeta_trsevent"])
    assert event["EventName"] == "MandatoryQualificationCreatedEvent"
    assert event["Event"]["EventId"] == result.message_id
    assert event["Event"]["RaisedBy"] == OFFICER.user
    # And TRS knows DQT's id and version for it, and the message the version DQT gave the write
    row = world.trs("qualifications", result.record_id)
    assert row["dqt_qualification_id"] == result.record_id
    assert row["dqt_version"] == record["versionnumber"]
    assert row["dqt_mq_establishment_id"] == establishment_id("955")
    assert sent(world, result.message_id).dqt_version_after == record["versionnumber"]
    # And the TRS event of the edit is in TRS's history, once
    assert [e["event_name"] for e in world.events() if str(e["event_id"]) == result.message_id] == [
        "MandatoryQualificationCreatedEvent"
    ]
    assert_echo_is_harmless(world)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"provider": PLYMOUTH.id}, {"_dfeta_mq_mqestablishmentid_value": establishment_id("965")}),
        ({"specialism": int(MqSpecialism.VISUAL)}, {"_dfeta_mq_specialismid_value": specialism_id("Visual")}),
        ({"start_date": dt.date(2020, 6, 15)}, {"dfeta_mqstartdate": "2020-06-14T23:00:00Z"}),
        (
            {"status": int(MqStatus.PASSED), "end_date": dt.date(2021, 12, 20)},
            {"dfeta_mq_status": 389040004, "dfeta_mq_date": "2021-12-20T00:00:00Z"},
        ),
        ({"status": int(MqStatus.WITHDRAWN)}, {"dfeta_mq_status": 389040005, "dfeta_mq_date": None}),
    ],
    ids=["provider", "specialism", "start-date", "passed-with-end-date", "withdrawn"],
)
def test_mq_update_round_trip(world: World, change: dict[str, Any], expected: dict[str, Any]) -> None:
    # Given an MQ made in DQT and synced (Leeds, Hearing, in progress since 2020-09-01)
    _, mq_id = world.person_with_mq()
    base = world.trs("qualifications", mq_id)["dqt_version"]

    # When a TRS officer changes one thing and the relay runs
    result = world.edits.update_mq(mq_id, editor=OFFICER, **change)
    assert world.relay().sent == 1

    # Then DQT has the change, conditioned on the version TRS had, made as the officer
    record = world.dqt_mq(mq_id)
    for attribute, value in expected.items():
        assert record[attribute] == value, attribute
    assert record["_modifiedby_value"] == OFFICER.caller_object_id
    message = sent(world, result.message_id)
    assert message.sent_if_match == base
    assert message.dqt_version_after == record["versionnumber"]
    assert json.loads(record["dfeta_trsevent"])["Event"]["EventId"] == result.message_id
    # And TRS's row has the change and DQT's version
    row = world.trs("qualifications", mq_id)
    assert row["dqt_version"] == record["versionnumber"]
    if "provider" in change:
        assert row["mq_provider_id"] == change["provider"]
        assert row["dqt_mq_establishment_id"] == establishment_id("965")
    if "status" in change:
        assert row["mq_status"] == change["status"]
        assert row["end_date"] == change.get("end_date")
    assert_echo_is_harmless(world)


def test_mq_delete_round_trip(world: World) -> None:
    _, mq_id = world.person_with_mq()

    result = world.edits.delete_mq(mq_id, editor=OFFICER)
    assert world.trs("qualifications", mq_id)["deleted_on"] is not None
    assert world.relay().sent == 1

    record = world.dqt_mq(mq_id)
    assert (record["statecode"], record["statuscode"]) == (1, 2)
    assert json.loads(record["dfeta_trsevent"])["EventName"] == "MandatoryQualificationDeletedEvent"
    row = world.trs("qualifications", mq_id)
    assert row["deleted_on"] is not None
    assert row["dqt_state"] == 1
    assert sent(world, result.message_id).dqt_version_after == record["versionnumber"]
    assert_echo_is_harmless(world)


def test_name_change_round_trip_keeps_the_same_previous_names_on_both_sides(world: World) -> None:
    # Given a person "Ann Marie Lee" with a previous name already in DQT
    person_id = world.person(firstname="Ann", middlename="Marie", lastname="Lee")
    world.dqt.create(
        "dfeta_previousnames",
        {
            "dfeta_PersonId@odata.bind": f"/contacts({person_id})",
            "dfeta_type": 389040002,
            "dfeta_name": "Smith",
            "dfeta_changedon": "2015-04-01T00:00:00Z",
        },
    )
    world.sync()
    assert world.previous_names(person_id) == [("Ann", "Marie", "Smith")]

    # When an officer changes the first and last names
    result = world.edits.change_name(person_id=person_id, first="Anne", last="Leigh ", editor=OFFICER)

    # Then TRS shows the new name and the previous names the sync will derive, before DQT knows anything
    person = world.trs("persons", person_id)
    assert (person["first_name"], person["middle_name"], person["last_name"]) == ("Anne", "Marie", "Leigh")
    in_trs_at_edit = world.previous_names(person_id)
    assert ("Ann", "Marie", "Lee") in in_trs_at_edit

    # When the relay runs
    assert world.relay().sent == 1

    # Then DQT has the new name and one previous-name row per changed part, in one change set, as the officer
    contact = world.dqt_contact(person_id)
    assert (contact["firstname"], contact["middlename"], contact["lastname"]) == ("Anne", "Marie", "Leigh")
    assert contact["_modifiedby_value"] == OFFICER.caller_object_id
    assert json.loads(contact["dfeta_trsevent"])["Event"]["EventId"] == result.message_id
    written = [r for r in world.dqt_previous_names(person_id) if r["dfeta_name"] != "Smith"]
    assert sorted((r["dfeta_type"], r["dfeta_name"]) for r in written) == [(389040000, "Ann"), (389040002, "Lee")]
    # And TRS's previous names are exactly what DQT's rows give, and what TRS showed from the edit on
    from mappings import map_previous_names

    dqt_derived = sorted(
        (r["first_name"], r["middle_name"], r["last_name"])
        for r in map_previous_names(world.dqt.get("contacts", person_id), world.dqt_previous_names(person_id))
    )
    assert world.previous_names(person_id) == dqt_derived == in_trs_at_edit
    assert world.trs("persons", person_id)["dqt_version"] == contact["versionnumber"]
    assert_echo_is_harmless(world)
    assert world.previous_names(person_id) == dqt_derived


def test_edits_of_one_record_arrive_in_order_without_conflicts(world: World) -> None:
    # Given a person, and several TRS edits of a new MQ made before any relay runs
    person_id = world.person()
    created = world.edits.create_mq(
        person_id=person_id,
        provider=LEEDS.id,
        specialism=int(MqSpecialism.HEARING),
        start_date=dt.date(2021, 1, 4),
        status=int(MqStatus.IN_PROGRESS),
    )
    world.edits.update_mq(created.record_id, specialism=int(MqSpecialism.VISUAL))
    world.edits.update_mq(created.record_id, status=int(MqStatus.PASSED), end_date=dt.date(2022, 2, 1))
    world.edits.change_name(person_id=person_id, middle="Jo")

    # When the relay runs (one record's messages go one after the other, records in parallel)
    result = world.relay()

    # Then all four arrived, none conflicted, and DQT holds the last state
    assert (result.sent, result.conflicts, result.failed) == (4, 0, 0)
    record = world.dqt_mq(created.record_id)
    assert record["_dfeta_mq_specialismid_value"] == specialism_id("Visual")
    assert (record["dfeta_mq_status"], record["dfeta_mq_date"]) == (389040004, uk("2022-02-01"))
    audit = [a["operation"] for a in world.audit("dfeta_qualifications", created.record_id)]
    assert audit == ["Create", "Update", "Update"]
    assert world.dqt_contact(person_id)["middlename"] == "Jo"
    assert_echo_is_harmless(world)


def test_a_name_change_of_a_contact_shown_by_its_stated_names(world: World) -> None:
    # Given a contact whose stated names TRS shows ("Jo Bloggs"), with raw names "Joanna Bloggs"
    person_id = world.person(
        firstname="Joanna", lastname="Bloggs", dfeta_statedfirstname="Jo", dfeta_statedlastname="Bloggs"
    )
    person = world.trs("persons", person_id)
    assert (person["first_name"], person["dqt_first_name"]) == ("Jo", "Joanna")

    # When only the last name changes
    world.edits.change_name(person_id=person_id, last="Smith")
    assert world.relay().sent == 1

    # Then DQT's raw and stated last names change, the first names stay as they were
    contact = world.dqt_contact(person_id)
    assert (contact["firstname"], contact["lastname"]) == ("Joanna", "Smith")
    assert (contact["dfeta_statedfirstname"], contact["dfeta_statedlastname"]) == ("Jo", "Smith")
    # And TRS shows "Jo Smith", with one previous name, as the sync derives it
    person = world.trs("persons", person_id)
    assert (person["first_name"], person["last_name"], person["dqt_first_name"]) == ("Jo", "Smith", "Joanna")
    assert world.previous_names(person_id) == [("Joanna", "", "Bloggs")]
    assert_echo_is_harmless(world)


def test_the_echo_of_a_name_change_leaves_derived_columns_as_a_clean_sync_would(world: World) -> None:
    # Given a person with an induction and a QTS registration paired with an ITT row, synced
    from bridge.reconcile import reconcile_all
    from tests.integration.professional_status.helpers import create_itt, create_qts

    person_id = create_contact(world.dqt, dfeta_inductionstatus=INDUCTION_PASSED)
    world.dqt.create(
        "dfeta_inductions",
        {"dfeta_PersonId@odata.bind": f"/contacts({person_id})", "dfeta_inductionstatus": INDUCTION_PASSED},
    )
    create_itt(world.dqt, person_id, qts_id=create_qts(world.dqt, person_id))
    world.sync()
    assert None not in derived_versions(world, person_id)

    # When an officer changes the name, the relay writes it to DQT and the sync brings the echo back
    world.edits.change_name(person_id=person_id, first="Renamed", last="Person", editor=OFFICER)
    assert world.relay().sent == 1
    events_before = sorted(e["key"] for e in world.events())
    world.sync()

    # Then the induction and professional-status version keys follow the contact's new version, as a clean sync
    # of DQT would leave them, and reconcile finds nothing to report; the echo added no event
    contact_version = world.dqt_contact(person_id)["versionnumber"]
    assert derived_versions(world, person_id) == (contact_version, contact_version)
    reports = reconcile_all(world.dqt, world.engine)
    assert [d for r in reports for d in r.differences if d.dqt_id == person_id] == []
    assert sorted(e["key"] for e in world.events()) == events_before


INDUCTION_PASSED = 389040004  # dfeta_inductionstatus Pass


def derived_versions(world: World, person_id: str) -> tuple[Any, Any]:
    person = world.trs("persons", person_id)
    return person["dqt_induction_version"], person["dqt_professional_status_version"]
