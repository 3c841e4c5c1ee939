"""Failed records: one open row per record, bumped on re-failure, closed on replay or discard."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Connection

from tests.integration.trs_store.conftest import Database
from tests.integration.trs_store.rows import LATER, NOW, new_id
from trs_store import failed_records as fr

pytestmark = pytest.mark.integration

PAYLOAD = {"contactid": "x", "firstname": "Rosalind", "dfeta_trn": "1234567", "versionnumber": 77}
EVEN_LATER = LATER + dt.timedelta(days=1)


def fail(
    conn: Connection,
    dqt_id: str | None,
    *,
    now: dt.datetime = NOW,
    kind: str = "mapping",
    message: str = "first_name too long",
    entity: str = "contacts",
) -> fr.FailedRecord:
    return fr.record_failure(conn, entity, dqt_id, PAYLOAD, kind, "first_name", message, "2026.1", now)


def test_refailing_bumps_attempts_and_last_seen(db: Database) -> None:
    dqt_id = new_id()
    with db.engine.begin() as conn:
        first = fail(conn, dqt_id)
        second = fail(conn, dqt_id, now=LATER, kind="duplicate_key", message="duplicate TRN")
    assert second.failed_record_id == first.failed_record_id
    assert second.attempts == 2
    assert (second.first_seen, second.last_seen) == (NOW, LATER)
    assert (second.error_kind, second.message, second.status) == ("duplicate_key", "duplicate TRN", "open")
    assert second.raw_payload == PAYLOAD


def test_resolve_closes_the_open_record_and_a_new_failure_reopens(db: Database) -> None:
    dqt_id = new_id()
    with db.engine.begin() as conn:
        first = fail(conn, dqt_id)
        assert fr.resolve(conn, "contacts", dqt_id, now=LATER) == 1
        assert fr.resolve(conn, "contacts", dqt_id, now=LATER) == 0  # nothing open any more
        closed = fr.get(conn, first.failed_record_id)
        assert closed is not None
        assert (closed.status, closed.last_seen) == ("replayed", LATER)
        reopened = fail(conn, dqt_id, now=EVEN_LATER)
    assert reopened.failed_record_id != first.failed_record_id
    assert reopened.attempts == 1


def test_same_id_in_different_entity_sets_are_separate(db: Database) -> None:
    dqt_id = new_id()
    with db.engine.begin() as conn:
        a = fail(conn, dqt_id, entity="contacts")
        b = fail(conn, dqt_id, entity="dfeta_sanctions")
    assert a.failed_record_id != b.failed_record_id


def test_records_without_id_are_kept_separately(db: Database) -> None:
    with db.engine.begin() as conn:
        a, b = fail(conn, None), fail(conn, "not-a-guid")
        assert fr.resolve_many(conn, "contacts", ["not-a-guid"], now=LATER) == 0
        assert fr.resolve(conn, "contacts", "not-a-guid", now=LATER) == 0
        assert fr.count_open(conn) == 2
    assert a.failed_record_id != b.failed_record_id
    assert a.attempts == b.attempts == 1
    assert b.dqt_id is None


def test_list_filters_and_discard(db: Database) -> None:
    ids = [new_id() for _ in range(4)]
    with db.engine.begin() as conn:
        fail(conn, ids[0], kind="mapping")
        fail(conn, ids[1], kind="duplicate_key", now=LATER)
        fail(conn, ids[2], kind="mapping", entity="dfeta_sanctions", now=EVEN_LATER)
        discarded = fail(conn, ids[3], kind="mapping")
        assert fr.discard(conn, discarded.failed_record_id, "known bad test data", now=LATER) is True
        assert fr.discard(conn, discarded.failed_record_id, "again", now=LATER) is False
        resolve_many_closed = fr.resolve_many(conn, "contacts", [ids[0]], now=LATER)

        def keys(records: list[fr.FailedRecord]) -> list[str | None]:
            return [r.dqt_id for r in records]

        assert resolve_many_closed == 1
        assert keys(fr.list_failed(conn)) == [ids[2], ids[1]]  # open ones, most recently seen first
        assert keys(fr.list_failed(conn, entity_set="contacts")) == [ids[1]]
        assert keys(fr.list_failed(conn, error_kind="mapping")) == [ids[2]]
        assert keys(fr.list_failed(conn, since=EVEN_LATER)) == [ids[2]]
        assert keys(fr.list_failed(conn, status="discarded")) == [ids[3]]
        assert len(fr.list_failed(conn, status=None)) == 4
        assert len(fr.list_failed(conn, status=None, limit=2)) == 2
        assert fr.count_open(conn) == 2
        assert fr.count_open(conn, "dfeta_sanctions") == 1
        got = fr.get(conn, discarded.failed_record_id)
        assert got is not None
        assert (got.status, got.resolution) == ("discarded", "known bad test data")
        assert fr.get(conn, 10**12) is None
