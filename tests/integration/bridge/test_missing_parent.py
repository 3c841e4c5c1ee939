"""A child (MQ, sanction) that arrives before its person: the person is fetched from DQT on demand."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bridge.feeds import PERSON
from dataverse_client import DataverseClient
from mappings import map_contact
from tests.integration.bridge.conftest import Store
from tests.integration.bridge.helpers import (
    create_contact,
    create_mq,
    create_sanction,
    dqt_record,
    journal_entries,
    open_failures,
    row,
    sync,
)
from tests.support.simulator import SimulatorHandle
from trs_store import RowErrorKind

pytestmark = pytest.mark.integration


def test_a_child_before_its_person_fetches_the_person(
    store: Store,
    fresh_simulator: Callable[..., SimulatorHandle],
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> None:
    # Given a contact with an MQ and a sanction in DQT, and a TRS that has synced no person
    client = client_for(fresh_simulator())
    person = create_contact(client, lastname="Parent")
    mq = create_mq(client, person)
    sanction = create_sanction(client, person)

    # When only the MQ feed syncs, then only the alert feed
    mq_result = sync(store.engine, client, "mandatory_qualification")["mandatory_qualification"]
    alert_result = sync(store.engine, client, "alert")["alert"]

    # Then the person was fetched on demand, stored as the person feed would have, and both children landed
    stored = row(store.engine, "persons", person)
    assert stored is not None
    expected = dict(map_contact(dqt_record(client, PERSON, person)))
    assert {k: stored[k] for k in expected} == expected
    assert row(store.engine, "qualifications", mq) is not None
    assert row(store.engine, "alerts", sanction) is not None
    assert mq_result.counts.failed == 0
    assert alert_result.counts.failed == 0
    assert open_failures(store.engine) == {}

    # And the person feed, run later, finds the person already current
    person_result = sync(store.engine, client, "person")["person"]
    assert (person_result.counts.inserted, person_result.counts.updated, person_result.counts.stale) == (0, 0, 1)


def test_a_child_whose_person_is_not_in_dqt_is_a_failed_record(
    store: Store,
    fresh_simulator: Callable[..., SimulatorHandle],
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> None:
    # Given an MQ whose contact was deleted from DQT (the simulator does not cascade), next to a healthy MQ
    client = client_for(fresh_simulator())
    gone, present = create_contact(client), create_contact(client)
    orphan, healthy = create_mq(client, gone), create_mq(client, present)
    client.delete("contacts", gone)

    # When the MQ feed syncs on its own
    result = sync(store.engine, client, "mandatory_qualification")["mandatory_qualification"]

    # Then the orphan is a failed record of kind missing_parent and the healthy MQ (and its person) landed
    failures = open_failures(store.engine, "dfeta_qualifications")
    assert set(failures) == {orphan}
    assert failures[orphan].error_kind == str(RowErrorKind.MISSING_PARENT) == "missing_parent"
    assert failures[orphan].raw_payload["dfeta_qualificationid"] == orphan
    assert row(store.engine, "qualifications", orphan) is None
    assert row(store.engine, "persons", gone) is None
    assert row(store.engine, "qualifications", healthy) is not None
    assert row(store.engine, "persons", present) is not None
    assert result.counts.failed == 1
    # And the feed still moved on: the failure does not hold the journal back
    assert journal_entries(store.engine)["dfeta_qualifications"].delta_link
