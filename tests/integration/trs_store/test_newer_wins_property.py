"""Property: whatever order versions of a record arrive in, and however often, the newest one is what stays."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.integration.trs_store.conftest import Database
from tests.integration.trs_store.rows import NOW, person_row
from trs_store.models import metadata
from trs_store.upsert import upsert_rows

pytestmark = pytest.mark.integration

persons = metadata.tables["persons"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    versions=st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=12),
    page_size=st.integers(min_value=1, max_value=4),
)
def test_any_arrival_order_converges_on_the_newest(db: Database, versions: list[int], page_size: int) -> None:
    # Given versions of one contact arriving in arbitrary order, repeated, split over pages of any size
    base = person_row()
    deliveries = [{**base, "dqt_version": v, "last_name": f"v{v}"} for v in versions]
    applied = inserted = 0
    for start in range(0, len(deliveries), page_size):
        with db.engine.begin() as conn:
            result = upsert_rows(conn, "persons", deliveries[start : start + page_size], now=NOW)
        applied += result.applied
        inserted += result.inserted
    # Then the stored row is the newest version, inserted once
    with db.engine.connect() as conn:
        stored = conn.execute(
            select(persons.c.dqt_version, persons.c.last_name).where(persons.c.person_id == base["person_id"])
        ).one()
    assert tuple(stored) == (max(versions), f"v{max(versions)}")
    assert inserted == 1
    # and a version was applied only when it beat every version seen before it (page-internal duplicates
    # collapse to their highest first)
    assert applied <= len(set(versions))
