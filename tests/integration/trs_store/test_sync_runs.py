"""Sync runs: start, per-page counts in the page's transaction, finish, interrupted runs."""

from __future__ import annotations

import pytest

from tests.integration.trs_store.conftest import Database
from tests.integration.trs_store.rows import LATER, NOW
from trs_store import sync_runs
from trs_store.sync_runs import RunCounts

pytestmark = pytest.mark.integration


def test_run_lifecycle_with_page_counts(db: Database) -> None:
    with db.engine.begin() as conn:
        run_id = sync_runs.start_run(conn, "contacts", "sync", now=NOW)
    with db.engine.begin() as conn:
        sync_runs.add_page(conn, run_id, RunCounts(seen=200, inserted=150, updated=40, stale=10))
    with db.engine.connect() as conn, conn.begin() as tx:  # a page whose transaction rolls back adds nothing
        sync_runs.add_page(conn, run_id, RunCounts(seen=200, inserted=200))
        tx.rollback()
    with db.engine.begin() as conn:
        sync_runs.add_page(conn, run_id, RunCounts(seen=5, deleted=2, skipped=1, failed=2))
        sync_runs.finish_run(conn, run_id, outcome="succeeded", now=LATER)
        run = sync_runs.get_run(conn, run_id)
    assert run is not None
    assert (run.entity_set, run.mode, run.outcome, run.started_at, run.ended_at) == (
        "contacts",
        "sync",
        "succeeded",
        NOW,
        LATER,
    )
    assert run.counts == RunCounts(
        pages=2, seen=205, inserted=150, updated=40, stale=10, deleted=2, skipped=1, failed=2
    )


def test_finish_with_totals_and_interrupted_runs(db: Database) -> None:
    with db.engine.begin() as conn:
        done = sync_runs.start_run(conn, "contacts", "backfill", now=NOW)
        sync_runs.finish_run(
            conn, done, outcome="failed", now=LATER, counts=RunCounts(pages=1, seen=3), error="DatabaseUnavailable"
        )
        dangling = sync_runs.start_run(conn, "contacts", "sync", now=LATER)
        assert sync_runs.mark_interrupted(conn, "contacts", now=LATER) == 1
        runs = sync_runs.recent_runs(conn, entity_set="contacts")
    assert [r.run_id for r in runs] == [dangling, done]
    assert runs[0].outcome == "interrupted"
    assert (runs[1].outcome, runs[1].error, runs[1].counts.seen) == ("failed", "DatabaseUnavailable", 3)
    assert sync_runs.RunCounts(seen=1) + RunCounts(seen=2, failed=1) == RunCounts(seen=3, failed=1)
