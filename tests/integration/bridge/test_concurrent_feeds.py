"""Feeds applied at the same time on PostgreSQL (a fleet runs them in parallel): the races between them.

The person feed's full pass and a dependant feed that creates the same person on demand can interleave so that
the person page reads "no such person", then its upsert waits for, and yields to, the dependant page's insert
of the same version. The pass must still count that person as seen: otherwise its end-of-pass sweep deletes a
person DQT still has, and its MQs, alerts and previous names with it (the fleet's 429-storm defect).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, text

from bridge.apply import PageContext, apply_page
from bridge.feeds import MANDATORY_QUALIFICATION as MQ
from bridge.feeds import PERSON
from bridge.sync import DQT_ID_COLUMNS, load_reference
from dataverse_client import ChangePage, DataverseClient
from tests.integration.bridge.conftest import Store
from tests.integration.bridge.helpers import create_contact, create_mq, dqt_record, row
from tests.support.simulator import SimulatorHandle
from trs_store.passes import sweep_untouched

pytestmark = pytest.mark.integration


def _waiting_on_a_lock(engine: Engine) -> bool:
    with engine.connect() as connection:
        waiting = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar_one()
    return bool(waiting)


def test_a_full_pass_does_not_sweep_a_person_another_feed_created_while_its_page_was_applied(
    new_store: Callable[[str], Store],
    fresh_simulator: Callable[..., SimulatorHandle],
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> None:
    # Given a DQT person with an MQ, and an empty TRS on PostgreSQL
    store = new_store("postgresql")
    client = client_for(fresh_simulator())
    person = create_contact(client)
    mq = create_mq(client, person)
    reference = load_reference(client)
    page_of = {feed: ChangePage(records=[dqt_record(client, feed, key)]) for feed, key in ((PERSON, person), (MQ, mq))}
    mq_page_began = dt.datetime.now(dt.UTC)
    pass_began = mq_page_began + dt.timedelta(seconds=1)  # the person feed's full pass starts after the MQ page

    # When the MQ page creates the person on demand but has not committed yet ...
    mq_transaction = store.engine.connect()
    mq_transaction.begin()
    apply_page(PageContext(mq_transaction, client, reference, mq_page_began), MQ, page_of[MQ])

    # ... while the person feed's full-pass page reads, finds no person, and waits on the MQ page's insert
    errors: list[BaseException] = []

    def person_page() -> None:
        try:
            with store.engine.begin() as connection:
                now = pass_began + dt.timedelta(seconds=1)
                apply_page(PageContext(connection, client, reference, now, full_pass=True), PERSON, page_of[PERSON])
        except BaseException as error:  # reported to the test below
            errors.append(error)

    worker = threading.Thread(target=person_page)
    worker.start()
    deadline = time.monotonic() + 10
    while not _waiting_on_a_lock(store.engine):
        assert time.monotonic() < deadline, "the person page never waited on the MQ page's insert"
        time.sleep(0.02)
    mq_transaction.commit()
    mq_transaction.close()
    worker.join(10)
    assert not errors, errors

    # Then the pass's sweep keeps the person it saw, and its MQ stays
    with store.engine.begin() as connection:
        swept = sweep_untouched(connection, "persons", since=pass_began, dqt_id_column=DQT_ID_COLUMNS["persons"])
    assert swept == []
    assert row(store.engine, "persons", person) is not None
    assert row(store.engine, "qualifications", mq) is not None
