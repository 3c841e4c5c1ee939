"""Incremental sync: creates, updates, deactivations and hard deletes made through DQT's Web API reach TRS."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from bridge.feeds import ALERT, INDUCTION, MANDATORY_QUALIFICATION, PERSON
from dataverse_client import DataverseClient
from mappings import map_contact, map_induction, map_qualification, map_sanction
from tests.integration.bridge.conftest import Store
from tests.integration.bridge.helpers import (
    create_contact,
    create_mq,
    create_sanction,
    dqt_record,
    event_keys,
    events,
    journal_entries,
    open_failures,
    reference_lookup,
    row,
    rows,
    sync,
    utc,
)
from tests.support.simulator import SimulatorHandle

pytestmark = pytest.mark.integration

REFERENCE = reference_lookup()
EXEMPT = 389040000  # DQT induction status "Exempt"
EXEMPTION_REASON = 389040008  # a DQT exemption reason TRS maps


def _expected(client: DataverseClient, feed: Any, record_id: str) -> dict[str, Any]:
    record = dqt_record(client, feed, record_id)
    if feed is PERSON:
        return dict(map_contact(record))
    if feed is MANDATORY_QUALIFICATION:
        return dict(map_qualification(record, REFERENCE))  # type: ignore[arg-type]
    return dict(map_sanction(record, REFERENCE))  # type: ignore[arg-type]


def _assert_mirrors(store: Store, client: DataverseClient, feed: Any, record_id: str) -> dict[str, Any]:
    """The TRS row of ``record_id`` equals the mapping of DQT's current record, column by column."""
    expected = _expected(client, feed, record_id)
    stored = row(store.engine, feed.table, record_id)
    assert stored is not None, f"{feed.table} {record_id} is missing"
    assert {k: stored[k] for k in expected} == expected
    return stored


def test_creates_updates_deactivations_and_deletes_reach_trs(
    store: Store,
    fresh_simulator: Callable[..., SimulatorHandle],
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> None:
    # Given DQT with five contacts, their MQs and sanctions, all synced into TRS
    client = client_for(fresh_simulator())
    a, b, c, d = (create_contact(client, lastname=f"Person{n}") for n in "ABCD")
    mq_a, mq_b, mq_c = create_mq(client, a), create_mq(client, b), create_mq(client, c)
    s_a, s_a_deactivated, s_a_deleted, s_c = (create_sanction(client, p) for p in (a, a, a, c))
    first = sync(store.engine, client)
    assert first["person"].counts.inserted == 4
    assert first["mandatory_qualification"].counts.inserted == 3
    assert first["alert"].counts.inserted == 4
    events_before = set(event_keys(store.engine))

    # When DQT users create, update, deactivate and delete records
    f = create_contact(client, lastname="PersonF")
    mq_f, s_f = create_mq(client, f), create_sanction(client, f)
    client.update("contacts", a, {"lastname": "Renamed", "emailaddress1": " new.address@example.org "})
    client.update("dfeta_qualifications", mq_a, {"dfeta_mq_status": 389040004, "dfeta_mq_date": "2022-07-01T23:00:00Z"})
    client.update("dfeta_sanctions", s_a, {"dfeta_sanctiondetails": "Updated details.", "dfeta_spent": True})
    client.update("contacts", b, {"statecode": 1, "statuscode": 2})
    client.update("dfeta_qualifications", mq_b, {"statecode": 1, "statuscode": 2})
    client.update("dfeta_sanctions", s_a_deactivated, {"statecode": 1, "statuscode": 2})
    client.update("dfeta_sanctions", s_a_deleted, {"dfeta_spent": True})  # updated, then deleted before the sync
    client.delete("dfeta_sanctions", s_a_deleted)
    client.delete("contacts", d)  # no dependants
    client.delete("contacts", c)  # has an MQ and a sanction: Dataverse cascades, so their deletes follow
    client.delete("dfeta_qualifications", mq_c)
    client.delete("dfeta_sanctions", s_c)

    # And the sync runs again
    second = sync(store.engine, client)

    # Then it read only the changes
    assert not any(r.full_pass for r in second.values())
    assert second["person"].counts.seen == 5  # a, b, f updated/created; c, d deleted
    assert (second["person"].counts.inserted, second["person"].counts.updated) == (1, 2)
    assert second["person"].counts.deleted == 2
    assert all(r.counts.failed == 0 for r in second.values())

    # And created and updated records mirror DQT
    for person in (a, f):
        _assert_mirrors(store, client, PERSON, person)
    assert row(store.engine, "persons", a)["email_address"] == "new.address@example.org"  # type: ignore[index]
    for mq in (mq_a, mq_f):
        _assert_mirrors(store, client, MANDATORY_QUALIFICATION, mq)
    for alert in (s_a, s_f):
        _assert_mirrors(store, client, ALERT, alert)
    assert row(store.engine, "qualifications", mq_a)["mq_status"] is not None  # type: ignore[index]

    # And deactivated records are soft-deleted: the person is Deactivated, each deleted_on is its modifiedon
    person_b = _assert_mirrors(store, client, PERSON, b)
    assert person_b["status"] == 1
    assert person_b["deleted_on"] == utc(dqt_record(client, PERSON, b)["modifiedon"])
    for feed, record_id in ((MANDATORY_QUALIFICATION, mq_b), (ALERT, s_a_deactivated)):
        stored = _assert_mirrors(store, client, feed, record_id)
        assert stored["dqt_state"] == 1
        assert stored["deleted_on"] == utc(dqt_record(client, feed, record_id)["modifiedon"])

    # And hard-deleted records are gone, a deleted contact's dependants with it (no foreign key failure)
    assert set(rows(store.engine, "persons")) == {a, b, f}
    assert set(rows(store.engine, "qualifications")) == {mq_a, mq_b, mq_f}
    assert set(rows(store.engine, "alerts")) == {s_a, s_a_deactivated, s_f}
    assert open_failures(store.engine) == {}

    # And each change is one new event, with deletes and deactivations named as such
    new_events = {e["key"]: e for e in events(store.engine) if e["key"] not in events_before}
    assert {f"{c}-Deleted", f"{d}-Deleted", f"{s_a_deleted}-Deleted"} <= set(new_events)
    assert new_events[f"{c}-Deleted"]["event_name"] == "PersonDqtDeletedEvent"
    deactivated = {e["payload"]["dqt_id"] for e in new_events.values() if e["payload"]["kind"] == "Deactivated"}
    assert deactivated == {b, mq_b, s_a_deactivated}
    updated = {e["payload"]["dqt_id"] for e in new_events.values() if e["payload"]["kind"] == "Updated"}
    assert updated == {a, mq_a, s_a}
    created = {e["payload"]["dqt_id"] for e in new_events.values() if e["payload"]["kind"] == "Created"}
    assert created == {f, mq_f, s_f}

    # And every feed is back to following DQT from a fresh deltaLink
    assert all(e.delta_link and not e.next_link for e in journal_entries(store.engine).values())


def test_reactivated_and_recreated_records_come_back(
    store: Store,
    fresh_simulator: Callable[..., SimulatorHandle],
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> None:
    # Given a deactivated contact and a deleted MQ, both synced
    client = client_for(fresh_simulator())
    person = create_contact(client)
    mq = create_mq(client, person)
    client.update("contacts", person, {"statecode": 1, "statuscode": 2})
    sync(store.engine, client)
    client.delete("dfeta_qualifications", mq)
    sync(store.engine, client)
    assert row(store.engine, "persons", person)["status"] == 1  # type: ignore[index]
    assert row(store.engine, "qualifications", mq) is None

    # When the contact is reactivated and the MQ created again under its old id
    client.update("contacts", person, {"statecode": 0, "statuscode": 1})
    client.create(
        "dfeta_qualifications",
        {
            "dfeta_type": 389040002,
            "dfeta_PersonId@odata.bind": f"/contacts({person})",
            "dfeta_mq_status": 389040000,
        },
        id=mq,
    )
    sync(store.engine, client)

    # Then the person is active again and the MQ is back
    stored = _assert_mirrors(store, client, PERSON, person)
    assert (stored["status"], stored["deleted_on"]) == (0, None)
    _assert_mirrors(store, client, MANDATORY_QUALIFICATION, mq)


def test_a_contact_change_re_derives_the_induction_columns(
    store: Store,
    fresh_simulator: Callable[..., SimulatorHandle],
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> None:
    # Given an exempt contact without QTS, its exempt induction record, and a contact with no induction at all
    client = client_for(fresh_simulator())
    person = create_contact(client, dfeta_inductionstatus=EXEMPT)
    induction = str(uuid.uuid4())
    client.create(
        "dfeta_inductions",
        {
            "dfeta_PersonId@odata.bind": f"/contacts({person})",
            "dfeta_inductionstatus": EXEMPT,
            "dfeta_inductionexemptionreason": EXEMPTION_REASON,
            "dfeta_startdate": "2019-09-01T00:00:00Z",
        },
        id=induction,
    )
    no_induction = create_contact(client)
    sync(store.engine, client)
    stored = row(store.engine, "persons", person)
    assert stored is not None
    assert (stored["induction_status"], stored["induction_status_without_exemption"]) == (2, 0)  # Exempt, None

    # When only the contacts change in DQT: QTS is awarded to one, the other is renamed
    client.update("contacts", person, {"dfeta_qtsdate": "2021-07-01T23:00:00Z"})
    client.update("contacts", no_induction, {"lastname": "Renamed"})
    results = sync(store.engine, client)

    # Then the person's induction columns follow the contact (ADR 0019), keyed by the contact's new version
    contact = dqt_record(client, PERSON, person)
    expected = dict(map_induction(contact, [dqt_record(client, INDUCTION, induction)]))
    stored = row(store.engine, "persons", person)
    assert stored is not None
    assert {k: stored[k] for k in expected} == expected
    assert stored["induction_status_without_exemption"] == 1  # RequiredToComplete: exempt, but holds QTS
    assert stored["dqt_induction_version"] == contact["versionnumber"]
    # And a contact with no induction record keeps the untouched defaults, as a full pass leaves them
    untouched = row(store.engine, "persons", no_induction)
    assert untouched is not None
    assert untouched["dqt_induction_version"] is None
    # And the person feed counts the two contacts once each
    assert (results["person"].counts.updated, results["person"].counts.failed) == (2, 0)
