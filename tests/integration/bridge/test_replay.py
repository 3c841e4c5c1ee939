"""At-least-once delivery: a page applied twice changes nothing, an older version never overwrites a newer one,
and inside a page deletes run after upserts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import update

from bridge.apply import PageContext, apply_page
from bridge.feeds import MANDATORY_QUALIFICATION, PERSON, Feed
from bridge.sync import load_reference
from dataverse_client import ChangePage, DataverseClient
from tests.integration.bridge.conftest import Store
from tests.integration.bridge.helpers import (
    create_contact,
    create_mq,
    create_sanction,
    dqt_record,
    event_keys,
    journal_entries,
    open_failures,
    row,
    rows,
    sync,
)
from tests.support.simulator import SimulatorHandle
from trs_store.models import metadata
from trs_store.sync_runs import RunCounts

pytestmark = pytest.mark.integration


def _apply(store: Store, client: DataverseClient, feed: Feed, page: ChangePage) -> RunCounts:
    """Apply one page in its own transaction, as the sync does (without moving the journal)."""
    with store.engine.begin() as connection:
        context = PageContext(connection, client, load_reference(client), dt.datetime.now(dt.UTC))
        return apply_page(context, feed, page)


def _snapshot(store: Store) -> dict[str, Any]:
    return {table: rows(store.engine, table) for table in ("persons", "qualifications", "alerts", "previous_names")}


def test_restored_delta_link_replays_changes_without_effect(
    store: Store,
    fresh_simulator: Callable[..., SimulatorHandle],
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> None:
    # Given a synced DQT, then changes (creates, updates, a deactivation, deletes) synced in pages of two
    client = client_for(fresh_simulator())
    people = [create_contact(client) for _ in range(5)]
    mqs = [create_mq(client, p) for p in people[:3]]
    sanctions = [create_sanction(client, p) for p in people[:2]]
    sync(store.engine, client, page_size=2)
    bookmarks = {k: v.delta_link for k, v in journal_entries(store.engine).items()}
    people.append(create_contact(client))
    client.update("contacts", people[0], {"lastname": "Changed"})
    client.update("contacts", people[1], {"statecode": 1, "statuscode": 2})
    client.update("dfeta_qualifications", mqs[0], {"dfeta_mq_status": 389040004})
    client.delete("dfeta_sanctions", sanctions[1])
    client.delete("contacts", people[4])
    first = sync(store.engine, client, page_size=2)
    assert first["person"].counts.pages >= 2
    before, events_before = _snapshot(store), event_keys(store.engine)

    # When the journal is put back to the previous deltaLinks (as if the commit of the checkpoint was lost)
    with store.engine.begin() as connection:
        journal_table = metadata.tables["change_journal"]
        for entity_set, delta_link in bookmarks.items():
            connection.execute(
                update(journal_table).where(journal_table.c.entity_set == entity_set).values(delta_link=delta_link)
            )
    # And the same changes are applied again
    replay = sync(store.engine, client, page_size=2)

    # Then every upsert counts as stale, nothing is inserted, updated or deleted again
    for name in ("person", "mandatory_qualification", "alert"):
        counts = replay[name].counts
        assert counts.seen == first[name].counts.seen
        assert (counts.inserted, counts.updated, counts.deleted, counts.failed) == (0, 0, 0, 0), name
        assert counts.stale == first[name].counts.inserted + first[name].counts.updated, name
    # And TRS, its events and its failed records are exactly as they were
    assert _snapshot(store) == before
    assert event_keys(store.engine) == events_before
    assert len(events_before) == len(set(events_before))
    assert open_failures(store.engine) == {}


def test_the_same_page_applied_twice_in_two_transactions(
    store: Store,
    fresh_simulator: Callable[..., SimulatorHandle],
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> None:
    # Given the first page of DQT's initial change-tracking read of contacts and of MQs
    client = client_for(fresh_simulator())
    people = [create_contact(client) for _ in range(4)]
    for person in people:
        create_mq(client, person)
    person_page = next(iter(client.changes("contacts", select=list(PERSON.select))))
    mq_page = next(iter(client.changes("dfeta_qualifications", select=list(MANDATORY_QUALIFICATION.select))))

    # When each page is applied, committed, and applied again in a new transaction
    first = _apply(store, client, PERSON, person_page) + _apply(store, client, MANDATORY_QUALIFICATION, mq_page)
    after_first, events_first = _snapshot(store), event_keys(store.engine)
    second = _apply(store, client, PERSON, person_page) + _apply(store, client, MANDATORY_QUALIFICATION, mq_page)

    # Then the first application inserted everything and the second found it all stale
    assert (first.inserted, first.stale) == (8, 0)
    assert (second.inserted, second.updated, second.stale, second.failed) == (0, 0, 8, 0)
    # And the second changed no row (not even dqt_last_sync) and wrote no event
    assert _snapshot(store) == after_first
    assert event_keys(store.engine) == events_first
    assert len(events_first) == 8


def test_an_older_version_after_a_newer_one_keeps_the_newer(
    store: Store,
    fresh_simulator: Callable[..., SimulatorHandle],
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> None:
    # Given a contact and an MQ as DQT first had them, then changed and synced at their newer versions
    client = client_for(fresh_simulator())
    person = create_contact(client, lastname="Before")
    mq = create_mq(client, person, dfeta_mq_status=389040000)
    old_person, old_mq = dqt_record(client, PERSON, person), dqt_record(client, MANDATORY_QUALIFICATION, mq)
    client.update("contacts", person, {"lastname": "After"})
    client.update("dfeta_qualifications", mq, {"dfeta_mq_status": 389040004, "dfeta_mq_date": "2023-06-30T23:00:00Z"})
    sync(store.engine, client)
    newer_person, newer_mq = row(store.engine, "persons", person), row(store.engine, "qualifications", mq)
    assert newer_person is not None
    assert newer_mq is not None
    assert newer_person["last_name"] == "After"
    assert newer_person["dqt_version"] > old_person["versionnumber"]
    events_before = event_keys(store.engine)

    # When the older copies arrive afterwards (a late, replayed or overlapping page)
    person_counts = _apply(store, client, PERSON, ChangePage(records=[old_person]))
    mq_counts = _apply(store, client, MANDATORY_QUALIFICATION, ChangePage(records=[old_mq]))

    # Then they count as stale and TRS keeps the newer versions untouched, with no event for the old ones
    assert (person_counts.stale, person_counts.updated) == (1, 0)
    assert (mq_counts.stale, mq_counts.updated) == (1, 0)
    assert row(store.engine, "persons", person) == newer_person
    assert row(store.engine, "qualifications", mq) == newer_mq
    assert event_keys(store.engine) == events_before

    # And when one page holds both copies, newest last or first, the newest wins
    newest = dqt_record(client, PERSON, person)
    for records in ([old_person, newest], [newest, old_person]):
        _apply(store, client, PERSON, ChangePage(records=records))
        assert row(store.engine, "persons", person)["last_name"] == "After"  # type: ignore[index]


def test_deletes_in_a_page_run_after_its_upserts(
    store: Store,
    fresh_simulator: Callable[..., SimulatorHandle],
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> None:
    # Given a contact with an MQ, synced, and a later version of the contact
    client = client_for(fresh_simulator())
    person, other = create_contact(client), create_contact(client)
    mq = create_mq(client, person)
    sync(store.engine, client)
    client.update("contacts", person, {"lastname": "Later"})
    later = dqt_record(client, PERSON, person)
    brand_new = dqt_record(client, PERSON, other) | {
        "contactid": "3f0a3c2e-58e4-4b38-9d8e-2b8f5e7a1c01",
        "dfeta_trn": None,
    }

    # When one page carries the later version and a delete of the same contact, and a create-then-delete
    counts = _apply(
        store, client, PERSON, ChangePage(records=[later, brand_new], deleted_ids=[person, brand_new["contactid"]])
    )

    # Then both end deleted (an upsert cannot resurrect what the same page deletes), the MQ with its person
    assert row(store.engine, "persons", person) is None
    assert row(store.engine, "persons", brand_new["contactid"]) is None
    assert row(store.engine, "qualifications", mq) is None
    assert row(store.engine, "persons", other) is not None
    assert counts.deleted == 2
    assert open_failures(store.engine) == {}


def test_an_update_in_the_second_of_the_create_is_not_a_second_created_event(
    store: Store,
    fresh_simulator: Callable[..., SimulatorHandle],
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> None:
    # Given a contact's first version, created and last modified in the same second, applied to TRS
    client = client_for(fresh_simulator())
    person = create_contact(client)
    first = dqt_record(client, PERSON, person)
    stamp = first["createdon"]
    first |= {"modifiedon": stamp}
    _apply(store, client, PERSON, ChangePage(records=[first]))

    # When its next version arrives, still within that second (as a DQT plugin stamping a new record does)
    second = first | {"lastname": "Stamped", "versionnumber": first["versionnumber"] + 1}
    _apply(store, client, PERSON, ChangePage(records=[second]))

    # Then TRS has one Created event and one Updated event for it
    assert event_keys(store.engine) == sorted(
        [f"{person}-Created-{first['versionnumber']}", f"{person}-Updated-{second['versionnumber']}"]
    )
