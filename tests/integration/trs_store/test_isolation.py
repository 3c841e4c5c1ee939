"""Failure isolation: bad rows are named exactly, every good row commits, and messages carry no personal data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select, text

from tests.integration.trs_store.conftest import Database
from tests.integration.trs_store.rows import NOW, mq_row, new_id, person_row
from trs_store.errors import InvalidRows
from trs_store.isolation import RowErrorKind, upsert_rows_isolating
from trs_store.models import metadata
from trs_store.upsert import UpsertResult, upsert_rows

pytestmark = pytest.mark.integration

#: Values of the test rows that are personal data and must never appear in a message.
PERSONAL = ("Rosalind", "Franklinshire", "rosalind.franklinshire@example.org", "1980-07-25", "QQ123456C", "Maiden")


def assert_no_personal_data(message: str) -> None:
    for value in PERSONAL:
        assert value not in message, message


def count(db: Database, table: str) -> int:
    with db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(metadata.tables[table])).scalar_one()


def test_duplicate_trn_and_orphan_are_isolated_and_the_rest_commits(db: Database) -> None:
    # Given a stored person holding a TRN
    holder = person_row()
    with db.engine.begin() as conn:
        upsert_rows(conn, "persons", [holder], now=NOW)

    # When a page of 40 persons arrives in which one new person claims that TRN
    persons = [person_row() for _ in range(40)]
    persons[17] = person_row(trn=holder["trn"])
    with db.engine.begin() as conn:
        result, failures = upsert_rows_isolating(conn, "persons", persons, now=NOW)

    # Then exactly that row fails, as a duplicate key, and the 39 others are stored
    assert result == UpsertResult(inserted=39)
    assert [f.key for f in failures] == [persons[17]["person_id"]]
    failure = failures[0]
    assert failure.error_kind is RowErrorKind.DUPLICATE_KEY
    assert failure.row is persons[17]
    assert "ix_persons_trn" in failure.message or "persons.trn" in failure.message
    assert_no_personal_data(failure.message)
    assert count(db, "persons") == 40

    # And for MQs: one orphan (its person is missing) among good rows
    good_person = persons[0]["person_id"]
    mqs = [mq_row(good_person) for _ in range(9)]
    orphan = mq_row(new_id())
    mqs.insert(4, orphan)
    with db.engine.begin() as conn:
        result, failures = upsert_rows_isolating(conn, "qualifications", mqs, now=NOW)
    assert result == UpsertResult(inserted=9)
    assert [(f.key, f.error_kind) for f in failures] == [(orphan["qualification_id"], RowErrorKind.MISSING_PARENT)]
    # The message names the FK and the missing person's id (an id: safe to show, and what self-healing needs).
    assert "fk_qualifications_person" in failures[0].message
    assert orphan["person_id"] in failures[0].message
    assert count(db, "qualifications") == 9


def test_duplicate_trn_and_orphan_in_the_same_persons_batch(db: Database) -> None:
    # A duplicate TRN inside the batch itself plus a value the column cannot hold.
    persons = [person_row() for _ in range(30)]
    persons[3] = person_row(trn=persons[20]["trn"])  # the later one of the pair fails, whichever comes second
    persons[11] = person_row(merged_with_person_id="not-a-guid")
    with db.engine.begin() as conn:
        result, failures = upsert_rows_isolating(conn, "persons", persons, now=NOW)
    kinds = {f.key: f.error_kind for f in failures}
    assert kinds[persons[11]["person_id"]] is RowErrorKind.INVALID_VALUE
    assert len(failures) == 2
    assert {persons[3]["person_id"], persons[20]["person_id"]} & set(kinds)
    assert result.inserted == 28
    for failure in failures:
        assert_no_personal_data(failure.message)
        assert "not-a-guid" not in failure.message


def test_value_errors_are_isolated_without_their_values(db: Database) -> None:
    long_name = "Maiden" * 30  # 180 characters: too long for varchar(100) on PostgreSQL
    rows = [
        person_row(),
        person_row(created_on=dt.datetime(2024, 1, 1)),
        person_row(),
    ]
    if db.kind == "postgresql":
        rows.append(person_row(last_name=long_name))
    with db.engine.begin() as conn:
        result, failures = upsert_rows_isolating(conn, "persons", rows, now=NOW)
    assert result.inserted == 2
    assert {f.error_kind for f in failures} == {RowErrorKind.INVALID_VALUE}
    assert len(failures) == len(rows) - 2
    for failure in failures:
        assert_no_personal_data(failure.message)
        assert long_name not in failure.message


def test_not_null_failure_does_not_leak_the_failing_row(db: Database) -> None:
    # PostgreSQL's DETAIL for NOT NULL is "Failing row contains (…every value…)": it must be dropped.
    rows = [person_row(), person_row(first_name=None)]
    with db.engine.begin() as conn:
        result, failures = upsert_rows_isolating(conn, "persons", rows, now=NOW)
    assert result.inserted == 1
    assert [f.error_kind for f in failures] == [RowErrorKind.NOT_NULL]
    assert "first_name" in failures[0].message
    assert_no_personal_data(failures[0].message)
    assert "Failing row" not in failures[0].message


def test_clean_batch_and_stale_rows_count_as_usual(db: Database) -> None:
    rows = [person_row() for _ in range(5)]
    with db.engine.begin() as conn:
        assert upsert_rows_isolating(conn, "persons", rows, now=NOW) == (UpsertResult(inserted=5), [])
        assert upsert_rows_isolating(conn, "persons", rows, now=NOW) == (UpsertResult(stale=5), [])


def test_isolation_never_commits_and_keeps_the_outer_transaction_usable(db: Database) -> None:
    holder = person_row()
    with db.engine.begin() as conn:
        upsert_rows(conn, "persons", [holder], now=NOW)
    with db.engine.connect() as conn:
        with conn.begin() as tx:
            result, failures = upsert_rows_isolating(
                conn, "persons", [person_row(), person_row(trn=holder["trn"])], now=NOW
            )
            assert (result.inserted, len(failures)) == (1, 1)
            # The transaction is still usable after the isolated failure…
            assert conn.execute(text("SELECT count(*) FROM persons")).scalar_one() == 2
            tx.rollback()
        # …and rolling it back removes the good rows too: nothing was committed behind the caller's back.
        assert conn.execute(text("SELECT count(*) FROM persons")).scalar_one() == 1


def test_malformed_batch_still_raises(db: Database) -> None:
    with db.engine.begin() as conn, pytest.raises(InvalidRows):
        upsert_rows_isolating(conn, "persons", [person_row(shoe_size=9)], now=NOW)


def test_many_bad_rows_in_a_large_batch(db: Database) -> None:
    holder_rows = [person_row() for _ in range(10)]
    with db.engine.begin() as conn:
        upsert_rows(conn, "persons", holder_rows, now=NOW)
    rows: list[dict[str, Any]] = [person_row() for _ in range(1000)]
    bad_positions = [0, 99, 500, 501, 999]
    for i, position in enumerate(bad_positions):
        rows[position] = person_row(trn=holder_rows[i]["trn"])
    with db.engine.begin() as conn:
        result, failures = upsert_rows_isolating(conn, "persons", rows, now=NOW)
    assert result == UpsertResult(inserted=995)
    assert sorted(f.key for f in failures if f.key) == sorted(rows[p]["person_id"] for p in bad_positions)
