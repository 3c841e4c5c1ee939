"""Large batches: 20,000 persons in one page, correct counts, and quick enough that the COPY path must be in use
on PostgreSQL (per-row INSERTs through the network would take many times longer)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from tests.integration.trs_store.conftest import Database
from tests.integration.trs_store.rows import LATER, NOW, person_row
from trs_store.models import metadata
from trs_store.upsert import UpsertResult, upsert_rows

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROWS = 20_000
#: Generous ceilings (seconds) for a CI runner; measured locally: ~0.6 s on PostgreSQL, ~1.5 s on SQLite.
CEILING = {"postgresql": 10.0, "sqlite": 20.0}


def test_twenty_thousand_persons(db: Database) -> None:
    rows = [person_row() for _ in range(ROWS)]
    started = time.perf_counter()
    with db.engine.begin() as conn:
        first = upsert_rows(conn, "persons", rows, now=NOW)
    elapsed = time.perf_counter() - started
    assert first == UpsertResult(inserted=ROWS)
    assert elapsed < CEILING[db.kind], f"{ROWS} rows took {elapsed:.1f}s on {db.kind}"

    # Half newer, a quarter the same version, a quarter older: one page, exact counts.
    page = [
        {**row, "dqt_version": row["dqt_version"] + (1 if i % 2 == 0 else (0 if i % 4 == 1 else -1))}
        for i, row in enumerate(rows)
    ]
    with db.engine.begin() as conn:
        second = upsert_rows(conn, "persons", page, now=LATER)
        persons = metadata.tables["persons"]
        refreshed = conn.execute(
            select(func.count()).select_from(persons).where(persons.c.dqt_last_sync == LATER)
        ).scalar_one()
    assert second == UpsertResult(updated=ROWS // 2, stale=ROWS // 2)
    assert refreshed == ROWS // 2
