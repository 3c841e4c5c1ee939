"""The newer-wins bulk upsert, the guarded induction update, deletes and events, on both engines."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import Connection, event, func, select

from tests.integration.trs_store.conftest import Database
from tests.integration.trs_store.rows import (
    EXEMPT_REASON,
    LATER,
    NOW,
    T0,
    alert_row,
    event_row,
    induction_row,
    mq_row,
    new_id,
    person_row,
    previous_name_row,
)
from trs_store.errors import InvalidRows, InvalidValue
from trs_store.models import metadata
from trs_store.upsert import (
    DeleteResult,
    UpdateResult,
    UpsertResult,
    delete_rows,
    insert_events,
    prune_children,
    soft_delete_rows,
    update_columns,
    upsert_rows,
)

pytestmark = pytest.mark.integration


def stored(conn: Connection, table: str, key: str) -> dict[str, Any]:
    t = metadata.tables[table]
    pk = next(iter(t.primary_key.columns))
    return dict(conn.execute(select(t).where(pk == key)).one()._mapping)


def count(conn: Connection, table: str) -> int:
    return conn.execute(select(func.count()).select_from(metadata.tables[table])).scalar_one()


def test_inserts_new_rows_and_stamps_both_syncs(db: Database) -> None:
    rows = [person_row() for _ in range(3)]
    with db.engine.begin() as conn:
        result = upsert_rows(conn, "persons", rows, now=NOW)
    assert result == UpsertResult(inserted=3, updated=0, stale=0)
    with db.engine.connect() as conn:
        row = stored(conn, "persons", rows[0]["person_id"])
    assert row["dqt_first_sync"] == NOW
    assert row["dqt_last_sync"] == NOW
    assert row["trn"] == rows[0]["trn"]
    assert row["date_of_birth"] == dt.date(1980, 7, 25)
    assert row["created_on"] == T0
    assert row["created_on"].tzinfo is not None
    assert row["induction_status"] == 0  # the server default: the persons upsert leaves induction alone


def test_values_round_trip_exactly(db: Database) -> None:
    person = person_row(person_id=str(uuid.uuid4()).upper())  # any GUID spelling is accepted, stored canonical
    with db.engine.begin() as conn:
        upsert_rows(conn, "persons", [person], now=NOW)
        name = previous_name_row(person["person_id"].lower())
        empty = previous_name_row(person["person_id"], dqt_previous_name_ids=[])
        null = previous_name_row(person["person_id"], dqt_previous_name_ids=None)
        upsert_rows(conn, "previous_names", [name, empty, null], now=NOW)
    with db.engine.connect() as conn:
        got = stored(conn, "previous_names", name["previous_name_id"])
        assert got["dqt_previous_name_ids"] == name["dqt_previous_name_ids"]
        assert stored(conn, "previous_names", empty["previous_name_id"])["dqt_previous_name_ids"] == []
        assert stored(conn, "previous_names", null["previous_name_id"])["dqt_previous_name_ids"] is None
        assert got["person_id"] == person["person_id"].lower()
        assert stored(conn, "persons", person["person_id"].lower())["person_id"] == person["person_id"].lower()


def test_an_eight_character_temporary_ni_number_reads_back_unpadded(db: Database) -> None:
    # Given a person whose NI number is a temporary one (8 characters)
    person = person_row(national_insurance_number="12A34567")
    with db.engine.begin() as conn:
        upsert_rows(conn, "persons", [person], now=NOW)
    # Then both engines return it exactly (char(9) padded it with a space on PostgreSQL)
    with db.engine.connect() as conn:
        assert stored(conn, "persons", person["person_id"])["national_insurance_number"] == "12A34567"


def test_newer_version_updates_but_keeps_first_sync_and_ids(db: Database) -> None:
    row = person_row()
    with db.engine.begin() as conn:
        upsert_rows(conn, "persons", [row], now=NOW)
    newer = {**row, "last_name": "Franklin", "dqt_version": row["dqt_version"] + 1, "updated_on": LATER}
    with db.engine.begin() as conn:
        result = upsert_rows(conn, "persons", [newer], now=LATER)
    assert result == UpsertResult(inserted=0, updated=1, stale=0)
    with db.engine.connect() as conn:
        got = stored(conn, "persons", row["person_id"])
    assert got["last_name"] == "Franklin"
    assert got["dqt_version"] == row["dqt_version"] + 1
    assert got["dqt_first_sync"] == NOW
    assert got["dqt_last_sync"] == LATER
    assert got["updated_on"] == LATER


def test_older_or_equal_version_is_a_counted_no_op(db: Database) -> None:
    row = person_row(dqt_version=50)
    with db.engine.begin() as conn:
        upsert_rows(conn, "persons", [row], now=NOW)
    older = {**row, "last_name": "Regressed", "dqt_version": 49}
    same = {**row, "last_name": "Replayed"}
    with db.engine.begin() as conn:
        result = upsert_rows(conn, "persons", [older], now=LATER)
        result_same = upsert_rows(conn, "persons", [same], now=LATER)
    assert result == UpsertResult(stale=1)
    assert result_same == UpsertResult(stale=1)
    with db.engine.connect() as conn:
        got = stored(conn, "persons", row["person_id"])
    assert got["last_name"] == row["last_name"]
    assert got["dqt_last_sync"] == NOW  # a stale row does not touch the stored one at all


def test_same_page_twice_is_idempotent(db: Database) -> None:
    page = [person_row() for _ in range(25)]
    with db.engine.begin() as conn:
        first = upsert_rows(conn, "persons", page, now=NOW)
    with db.engine.connect() as conn:
        before = [stored(conn, "persons", r["person_id"]) for r in page]
    with db.engine.begin() as conn:
        second = upsert_rows(conn, "persons", page, now=LATER)
    with db.engine.connect() as conn:
        after = [stored(conn, "persons", r["person_id"]) for r in page]
    assert first == UpsertResult(inserted=25)
    assert second == UpsertResult(stale=25)
    assert before == after


def test_mixed_page_counts_each_outcome(db: Database) -> None:
    existing_newer, existing_older = person_row(dqt_version=10), person_row(dqt_version=10)
    with db.engine.begin() as conn:
        upsert_rows(conn, "persons", [existing_newer, existing_older], now=NOW)
    page = [
        {**existing_newer, "dqt_version": 11},
        {**existing_older, "dqt_version": 9},
        person_row(),
    ]
    with db.engine.begin() as conn:
        result = upsert_rows(conn, "persons", page, now=LATER)
    assert result == UpsertResult(inserted=1, updated=1, stale=1)
    # And the keys are the database's own account of what it applied (the caller's events and touches follow them)
    assert result.inserted_keys == {page[2]["person_id"]}
    assert result.updated_keys == {existing_newer["person_id"]}
    assert result.applied_keys == {page[2]["person_id"], existing_newer["person_id"]}


def test_null_stored_version_is_always_overwritten(db: Database) -> None:
    row = person_row(dqt_version=None)
    with db.engine.begin() as conn:
        upsert_rows(conn, "persons", [row], now=NOW)
        assert upsert_rows(conn, "persons", [{**row, "dqt_version": 1, "first_name": "A"}], now=LATER).updated == 1
        # …but an incoming NULL never overwrites a stored version (NULL < x is not true).
        assert upsert_rows(conn, "persons", [{**row, "dqt_version": None, "first_name": "B"}], now=LATER).stale == 1
        assert stored(conn, "persons", row["person_id"])["first_name"] == "A"


def test_duplicate_keys_in_one_batch_keep_the_highest_version(db: Database) -> None:
    row = person_row(dqt_version=5)
    batch = [{**row, "dqt_version": 7, "first_name": "Seven"}, row, {**row, "dqt_version": 6, "first_name": "Six"}]
    with db.engine.begin() as conn:
        assert upsert_rows(conn, "persons", batch, now=NOW) == UpsertResult(inserted=1, stale=2)
        assert stored(conn, "persons", row["person_id"])["first_name"] == "Seven"


def test_dependants_and_array_columns(db: Database) -> None:
    person = person_row()
    with db.engine.begin() as conn:
        upsert_rows(conn, "persons", [person], now=NOW)
        assert upsert_rows(conn, "qualifications", [mq_row(person["person_id"])], now=NOW).inserted == 1
        assert upsert_rows(conn, "alerts", [alert_row(person["person_id"])], now=NOW).inserted == 1
        assert upsert_rows(conn, "previous_names", [previous_name_row(person["person_id"])], now=NOW).inserted == 1


def test_stamped_columns_in_rows_are_ignored(db: Database) -> None:
    row = person_row(dqt_first_sync=T0, dqt_last_sync=T0)
    with db.engine.begin() as conn:
        upsert_rows(conn, "persons", [row], now=NOW)
        got = stored(conn, "persons", row["person_id"])
    assert (got["dqt_first_sync"], got["dqt_last_sync"]) == (NOW, NOW)


def test_the_caller_owns_the_transaction(db: Database) -> None:
    row = person_row()
    with db.engine.connect() as conn:
        with conn.begin() as tx:
            upsert_rows(conn, "persons", [row], now=NOW)
            tx.rollback()
        assert count(conn, "persons") == 0


def test_malformed_batches_are_refused_whole(db: Database) -> None:
    with db.engine.begin() as conn:
        with pytest.raises(InvalidRows, match="no column"):
            upsert_rows(conn, "persons", [person_row(favourite_colour="blue")], now=NOW)
        with pytest.raises(InvalidRows, match="same columns"):
            upsert_rows(conn, "persons", [person_row(), {**person_row(), "gender": None} | {"extra": 1}], now=NOW)
        without_version = person_row()
        del without_version["dqt_version"]
        with pytest.raises(InvalidRows, match="dqt_version"):
            upsert_rows(conn, "persons", [without_version], now=NOW)
        with pytest.raises(InvalidValue, match="timezone-aware"):
            upsert_rows(conn, "persons", [person_row(created_on=dt.datetime(2024, 1, 1))], now=NOW)
        with pytest.raises(InvalidRows, match="unknown table"):
            upsert_rows(conn, "contacts", [person_row()], now=NOW)
        assert upsert_rows(conn, "persons", [], now=NOW) == UpsertResult()


# --- the induction columns ------------------------------------------------------------------------------------


def test_update_columns_is_guarded_and_touches_only_its_columns(db: Database) -> None:
    person = person_row()
    with db.engine.begin() as conn:
        upsert_rows(conn, "persons", [person], now=NOW)
    induction = induction_row(person["person_id"], dqt_induction_version=10)
    missing_id = new_id()
    with db.engine.begin() as conn:
        result = update_columns(conn, "persons", "person_id", [induction, induction_row(missing_id)], now=LATER)
    assert result == UpdateResult(updated=1, stale=0, missing=(missing_id,))
    with db.engine.connect() as conn:
        got = stored(conn, "persons", person["person_id"])
    assert got["induction_status"] == 2
    assert got["induction_exemption_reason_ids"] == [EXEMPT_REASON]
    assert got["dqt_induction_version"] == 10
    assert got["dqt_induction_last_sync"] == LATER
    assert got["dqt_last_sync"] == NOW  # person bookkeeping untouched
    assert got["last_name"] == person["last_name"]

    # An older induction version is stale; a newer one applies.
    with db.engine.begin() as conn:
        older = update_columns(conn, "persons", "person_id", [{**induction, "dqt_induction_version": 9}], now=LATER)
        newer = update_columns(
            conn,
            "persons",
            "person_id",
            [{**induction, "dqt_induction_version": 11, "induction_status": 4, "induction_exemption_reason_ids": []}],
            now=LATER,
        )
    assert older == UpdateResult(stale=1)
    assert newer == UpdateResult(updated=1)

    # And a later persons upsert never touches the induction columns.
    with db.engine.begin() as conn:
        upsert_rows(conn, "persons", [{**person, "dqt_version": person["dqt_version"] + 1}], now=LATER)
        got = stored(conn, "persons", person["person_id"])
    assert got["induction_status"] == 4
    assert got["induction_exemption_reason_ids"] == []
    assert got["dqt_induction_version"] == 11


# --- deletes --------------------------------------------------------------------------------------------------


def test_deleting_a_person_with_dependants_has_no_fk_failure(db: Database) -> None:
    # Given a person with an MQ, two alerts and a previous name, and a bystander with their own MQ
    person, bystander = person_row(), person_row()
    pid = person["person_id"]
    with db.engine.begin() as conn:
        upsert_rows(conn, "persons", [person, bystander], now=NOW)
        upsert_rows(conn, "qualifications", [mq_row(pid), mq_row(bystander["person_id"])], now=NOW)
        upsert_rows(conn, "alerts", [alert_row(pid), alert_row(pid)], now=NOW)
        upsert_rows(conn, "previous_names", [previous_name_row(pid)], now=NOW)
        insert_events(conn, [event_row(person_id=pid)], now=NOW)

    # When DQT hard-deletes the person
    with db.engine.begin() as conn:
        result = delete_rows(conn, "persons", [pid, new_id()])

    # Then the person and its dependants are gone, the bystander and the event history stay
    assert result == DeleteResult(deleted=1, dependants={"qualifications": 1, "alerts": 2, "previous_names": 1})
    with db.engine.connect() as conn:
        assert count(conn, "persons") == 1
        assert count(conn, "qualifications") == 1
        assert count(conn, "alerts") == 0
        assert count(conn, "previous_names") == 0
        assert count(conn, "events") == 1


def test_delete_rows_of_a_leaf_table_and_soft_delete(db: Database) -> None:
    person = person_row()
    mqs = [mq_row(person["person_id"]) for _ in range(3)]
    with db.engine.begin() as conn:
        upsert_rows(conn, "persons", [person], now=NOW)
        upsert_rows(conn, "qualifications", mqs, now=NOW)
        assert delete_rows(conn, "qualifications", [mqs[0]["qualification_id"]]) == DeleteResult(deleted=1)
        assert soft_delete_rows(conn, "qualifications", [m["qualification_id"] for m in mqs], now=LATER) == 2
        assert soft_delete_rows(conn, "qualifications", [mqs[1]["qualification_id"]], now=LATER) == 0
        assert stored(conn, "qualifications", mqs[1]["qualification_id"])["deleted_on"] == LATER


def test_prune_children_rebuilds_a_persons_previous_names(db: Database) -> None:
    person, other = person_row(), person_row()
    old = [previous_name_row(person["person_id"]) for _ in range(3)]
    others = [previous_name_row(other["person_id"])]
    with db.engine.begin() as conn:
        upsert_rows(conn, "persons", [person, other], now=NOW)
        upsert_rows(conn, "previous_names", old + others, now=NOW)
    # The person's names are recomputed: the first survives (newer version), one is new, two are gone.
    rebuilt = [{**old[0], "dqt_version": old[0]["dqt_version"] + 1}, previous_name_row(person["person_id"])]
    with db.engine.begin() as conn:
        assert upsert_rows(conn, "previous_names", rebuilt, now=LATER) == UpsertResult(inserted=1, updated=1)
        pruned = prune_children(
            conn,
            "previous_names",
            parent_column="person_id",
            parent_ids=[person["person_id"]],
            keep_ids=[r["previous_name_id"] for r in rebuilt],
        )
    assert pruned == 2
    with db.engine.connect() as conn:
        assert count(conn, "previous_names") == 3  # two for the person, the other person's untouched


# --- events ---------------------------------------------------------------------------------------------------


def test_events_dedupe_by_id_and_by_key(db: Database) -> None:
    first = event_row()
    same_key_other_id = event_row(key=first["key"])
    same_id_other_key = {**event_row(), "event_id": first["event_id"]}
    unkeyed = [event_row(key=None), event_row(key=None)]
    with db.engine.begin() as conn:
        assert insert_events(conn, [first, *unkeyed], now=NOW) == 3
        assert insert_events(conn, [first, same_key_other_id, same_id_other_key], now=NOW) == 0
        # duplicates inside one batch are skipped too
        fresh = event_row()
        assert insert_events(conn, [fresh, {**fresh, "event_id": new_id()}], now=NOW) == 1
        got = stored(conn, "events", first["event_id"])
    assert got["payload"] == first["payload"]
    assert got["inserted"] == NOW
    assert got["published"] is False


def test_events_commit_with_the_page(db: Database) -> None:
    row = person_row()
    with db.engine.connect() as conn:
        with conn.begin() as tx:
            upsert_rows(conn, "persons", [row], now=NOW)
            insert_events(conn, [event_row(person_id=row["person_id"])], now=NOW)
            tx.rollback()
        assert count(conn, "events") == 0


def test_postgresql_upsert_uses_copy_and_one_merge(pg_db: Database) -> None:
    db = pg_db
    statements: list[tuple[str, bool]] = []

    def record(_conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, executemany: bool) -> None:
        statements.append((" ".join(statement.split())[:60], executemany))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        with db.engine.begin() as conn:
            upsert_rows(conn, "persons", [person_row() for _ in range(500)], now=NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    # Rows travel by COPY on the raw connection (invisible here): SQLAlchemy sees only the temp table, the single
    # INSERT … SELECT merge and the DROP, never a per-row or executemany INSERT.
    assert not any(many for _, many in statements)
    kinds = [s.split(" (")[0] for s, _ in statements]
    assert any(s.startswith("CREATE TEMP TABLE _trs_persons_") for s in kinds)
    assert sum(s.startswith("INSERT INTO persons AS t") for s, _ in statements) == 1
