"""The change journal: positions and checkpoints, and that they commit (or not) with the page's data."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.integration.trs_store.conftest import Database
from tests.integration.trs_store.rows import LATER, NOW, person_row
from trs_store import journal
from trs_store.journal import DEFAULT_PAGE_SIZE, ChangeJournal, JournalEntry
from trs_store.models import metadata
from trs_store.upsert import upsert_rows

pytestmark = pytest.mark.integration

KEY, ENTITY = "TrsDataSync", "contacts"
NEXT = "https://dqt.example/api/data/v9.2/contacts?$skiptoken=%3Ccookie%20page=%222%22%3E"
DELTA = "https://dqt.example/api/data/v9.2/contacts?$deltatoken=919042%2108%2f22%2f2025"


class Clock:
    def __init__(self, *times: dt.datetime) -> None:
        self.times = list(times)

    def __call__(self) -> dt.datetime:
        return self.times.pop(0) if len(self.times) > 1 else self.times[0]


def test_position_then_checkpoint_then_reset(db: Database) -> None:
    journal_ = ChangeJournal(clock=Clock(NOW, LATER))
    with db.engine.begin() as conn:
        assert journal_.get(conn, KEY, ENTITY) is None
        # A pass in progress: position recorded, no bookmark yet.
        entry = journal_.save_position(conn, KEY, ENTITY, next_link=NEXT, page_size=200, by="worker-1")
        assert entry == JournalEntry(KEY, ENTITY, None, NEXT, 200, NOW, "worker-1")
        assert entry.in_progress
        assert not entry.initialised
        # The pass completes: bookmark set, position cleared, page size kept.
        done = journal_.save_checkpoint(conn, KEY, ENTITY, delta_link=DELTA, by="worker-2")
        assert done == JournalEntry(KEY, ENTITY, DELTA, None, 200, LATER, "worker-2")
        assert journal_.get(conn, KEY, ENTITY) == done
        # The next pass keeps the bookmark while it is in progress.
        again = journal_.save_position(conn, KEY, ENTITY, next_link=NEXT + "3", page_size=100, by="worker-1")
        assert (again.delta_link, again.next_link, again.page_size) == (DELTA, NEXT + "3", 100)
        # Other (key, entity set) pairs are independent.
        journal_.save_checkpoint(conn, "TrsDataSync:Alert", "dfeta_sanctions", delta_link="d", by="w")
        assert [e.entity_set for e in journal_.all(conn)] == ["contacts", "dfeta_sanctions"]
        assert journal_.reset(conn, KEY, ENTITY) is True
        assert journal_.reset(conn, KEY, ENTITY) is False
        assert journal_.get(conn, KEY, ENTITY) is None


def test_first_checkpoint_without_page_size_uses_the_default(db: Database) -> None:
    with db.engine.begin() as conn:
        entry = journal.save_checkpoint(conn, KEY, ENTITY, delta_link=DELTA, by="w")
    assert entry.page_size == DEFAULT_PAGE_SIZE
    assert entry.last_updated.tzinfo is not None


def test_checkpoint_is_atomic_with_the_data(db: Database) -> None:
    # Given a feed part-way through a pass, committed
    with db.engine.begin() as conn:
        journal.save_position(conn, KEY, ENTITY, next_link=NEXT, page_size=200, by="w")

    # When the last page's rows and the checkpoint are written in one transaction that then rolls back
    rows = [person_row() for _ in range(20)]
    with db.engine.connect() as conn, conn.begin() as tx:
        upsert_rows(conn, "persons", rows, now=NOW)
        journal.save_checkpoint(conn, KEY, ENTITY, delta_link=DELTA, by="w")
        tx.rollback()  # e.g. the process dies before COMMIT

    # Then neither the rows nor the checkpoint are there: the position still points at the unapplied page
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(metadata.tables["persons"])).scalar_one() == 0
        entry = journal.get(conn, KEY, ENTITY)
    assert entry is not None
    assert (entry.next_link, entry.delta_link) == (NEXT, None)

    # And when the same transaction commits, both are there
    with db.engine.begin() as conn:
        upsert_rows(conn, "persons", rows, now=NOW)
        journal.save_checkpoint(conn, KEY, ENTITY, delta_link=DELTA, by="w")
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(metadata.tables["persons"])).scalar_one() == 20
        entry = journal.get(conn, KEY, ENTITY)
    assert entry is not None
    assert (entry.next_link, entry.delta_link) == (None, DELTA)


def test_position_rolls_back_with_the_page(db: Database) -> None:
    with db.engine.connect() as conn:
        with conn.begin() as tx:
            upsert_rows(conn, "persons", [person_row()], now=NOW)
            journal.save_position(conn, KEY, ENTITY, next_link=NEXT, page_size=200, by="w")
            tx.rollback()
        assert journal.get(conn, KEY, ENTITY) is None


def test_full_pass_is_remembered_until_its_checkpoint(db: Database) -> None:
    journal_ = ChangeJournal(clock=Clock(NOW))
    with db.engine.begin() as conn:
        journal_.save_checkpoint(conn, KEY, ENTITY, delta_link=DELTA, by="w", page_size=200)
        # The delta token expired: a full pass starts over from the first page, without the old bookmark.
        started = journal_.begin_full_pass(conn, KEY, ENTITY, started_at=NOW, page_size=500, by="w")
        assert (started.full_pass_started_at, started.delta_link, started.next_link) == (NOW, None, None)
        # Positions during the pass keep the start time (a resumed pass still knows when it began)…
        assert (
            journal_.save_position(conn, KEY, ENTITY, next_link=NEXT, page_size=500, by="w").full_pass_started_at == NOW
        )
    with db.engine.begin() as conn:
        entry = journal_.get(conn, KEY, ENTITY)
        assert entry is not None
        assert entry.full_pass_started_at == NOW
        # …and the checkpoint that ends the pass clears it.
        done = journal_.save_checkpoint(conn, KEY, ENTITY, delta_link=DELTA + "2", by="w")
    assert (done.full_pass_started_at, done.delta_link, done.next_link) == (None, DELTA + "2", None)
