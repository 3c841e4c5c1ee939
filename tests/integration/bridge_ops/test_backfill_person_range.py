"""Backfills of per-person feeds read by person key range (ADR 0085): nothing fetched again by id, resumable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import bridge.apply
from bridge.backfill import Backfill
from bridge.feeds import INDUCTION, PERSON, PREVIOUS_NAME
from bridge.sync import SyncService
from dataverse_client import DataverseClient
from tests.integration.bridge_ops.conftest import Store
from tests.integration.bridge_ops.helpers import event_keys, failures, rows
from tests.support.simulator import SimulatorHandle

pytestmark = pytest.mark.integration


def _open_failures(store: Store) -> set[tuple[str, str | None, str, str | None]]:
    return {(f.entity_set, f.dqt_id, f.error_kind, f.field) for f in failures(store.engine, status="open")}


def _dqt_count(client: DataverseClient, entity_set: str, primary_id: str) -> int:
    return sum(len(page.records) for page in client.query(entity_set, select=[primary_id]))


def test_per_person_feeds_are_read_by_person_range_without_fetching_by_id(
    store: Store,
    new_store: Callable[[str], Store],
    loaded_simulator: SimulatorHandle,
    client_for: Callable[[SimulatorHandle], DataverseClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given the generated DQT data, persons backfilled, and a second store filled by the sync for comparison
    client = client_for(loaded_simulator)
    synced = new_store(store.kind)
    SyncService(synced.engine, client).sync([PERSON, INDUCTION, PREVIOUS_NAME])
    service = Backfill(store.engine, client, page_size=40)
    run, _ = service.start(PERSON, 3)
    assert service.run(run).status == "succeeded"
    fetched: list[str] = []
    real_fetch = bridge.apply.fetch_by_ids

    def spy(client: DataverseClient, entity_set: str, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        fetched.append(entity_set)
        return real_fetch(client, entity_set, *args, **kwargs)

    monkeypatch.setattr(bridge.apply, "fetch_by_ids", spy)

    # When the induction and previous-name feeds are backfilled in 3 shards of pages of 40 contacts
    results = []
    for feed in (INDUCTION, PREVIOUS_NAME):
        run, _ = service.start(feed, 3)
        results.append(service.run(run, threads=1))

    # Then each read every record of its entity set exactly once, in many pages
    for result, feed in zip(results, (INDUCTION, PREVIOUS_NAME), strict=True):
        assert result.status == "succeeded", result
        assert result.totals.seen == _dqt_count(client, feed.entity_set, feed.primary_id), feed.name
        assert result.counts.pages > 3
    # And no page fetched its persons' records again by id (contacts only for records whose person is not in DQT)
    assert "dfeta_inductions" not in fetched
    assert "dfeta_previousnames" not in fetched
    # And TRS holds what the sync put there: induction columns, previous names, open failures, events
    for table in ("persons", "previous_names"):
        assert rows(store.engine, table) == rows(synced.engine, table), table
    assert _open_failures(store) == _open_failures(synced)
    assert event_keys(store.engine) == event_keys(synced.engine)


def test_a_stopped_person_range_backfill_resumes_after_its_last_committed_person(
    store: Store,
    new_store: Callable[[str], Store],
    loaded_simulator: SimulatorHandle,
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> None:
    # Given persons backfilled, and an induction backfill told to stop after its third committed page
    client = client_for(loaded_simulator)
    Backfill(store.engine, client).run(Backfill(store.engine, client).start(PERSON, 1)[0])
    pages = 0

    def stop_after_three() -> bool:
        return pages >= 3

    stopping = Backfill(store.engine, client, page_size=30, should_stop=stop_after_three, read_ahead_pages=0)
    run, _ = stopping.start(INDUCTION, 1)
    original = stopping._apply_person_range

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal pages
        pages += 1
        return original(*args, **kwargs)

    stopping._apply_person_range = counting  # type: ignore[method-assign]
    first = stopping.run(run)
    assert first.status == "interrupted"
    assert first.counts.pages == 3

    # When it is run again
    resumed = Backfill(store.engine, client, page_size=30).run(stopping.run_for(run.run_id), resumed=True)

    # Then it continued after the last committed person: every induction read exactly once over both attempts
    assert resumed.status == "succeeded"
    assert resumed.totals.seen == first.counts.seen + resumed.counts.seen
    assert resumed.totals.seen == _dqt_count(client, INDUCTION.entity_set, INDUCTION.primary_id)
    # And the induction columns are those a sync derives
    synced = new_store(store.kind)
    SyncService(synced.engine, client).sync([PERSON, INDUCTION])
    assert rows(store.engine, "persons") == rows(synced.engine, "persons")
