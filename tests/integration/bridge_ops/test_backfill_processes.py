"""``trs-bridge backfill --processes N``: helper processes claim shards of the same run through the store (ADR 0095)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable

import pytest

from bridge.backfill import Backfill, BackfillResult
from bridge.feeds import FEEDS, PERSON
from bridge.sync import SyncService
from dataverse_client import DataverseClient
from tests.integration.bridge_ops.conftest import Store
from tests.integration.bridge_ops.helpers import DATA_TABLES, cli, env_for, event_keys, failures, rows
from tests.support.simulator import SimulatorHandle
from trs_store import backfills

pytestmark = pytest.mark.integration


@pytest.fixture
def helper_world(
    store: Store,
    new_store: Callable[[str], Store],
    loaded_simulator: SimulatorHandle,
    client_for: Callable[[SimulatorHandle], DataverseClient],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[DataverseClient, Store]:
    """A DQT client of the generated data, a second store for a sync to compare with, and the environment a helper
    process builds its engine and DQT client from (as a worker does)."""
    for name, value in env_for(loaded_simulator, store.url).items():
        monkeypatch.setenv(name, value)
    return client_for(loaded_simulator), new_store(store.kind)


@pytest.mark.parametrize("store", ["postgresql"], indirect=True)
def test_helper_processes_share_the_shards_and_the_result_equals_a_sync(
    store: Store, helper_world: tuple[DataverseClient, Store]
) -> None:
    # Given the generated DQT data, an empty TRS, and the environment a helper process builds its engine and DQT
    # client from (as a worker does)
    client, synced = helper_world

    # When every feed is backfilled by this process and one helper (one shard thread each, 6 shards; pages of 2
    # persons, so the person feed lasts long enough for the helper to start and claim shards, then pages of 23)
    results = []
    for feed in FEEDS:
        service = Backfill(store.engine, client, page_size=2 if feed is PERSON else 23)
        run, _ = service.start(feed, 6)
        results.append(service.run(run, threads=1, processes=2))
    SyncService(synced.engine, client).sync()

    # Then every run succeeded, and the helper worked shards this process found held by a live worker ("busy")
    assert all(r.status == "succeeded" for r in results), results
    assert any(o.outcome == "busy" for o in results[0].shards), results[0].shards
    # And each run's counts are the whole run's (the helper's pages included), every record read exactly once
    for result in results:
        assert result.counts == result.totals, result.feed
    # And TRS holds exactly what a sync of the same DQT holds: rows, open failures and events
    for table in DATA_TABLES:
        assert rows(store.engine, table) == rows(synced.engine, table), table
    open_failures = {(f.entity_set, f.dqt_id, f.error_kind) for f in failures(store.engine, status="open")}
    assert open_failures == {(f.entity_set, f.dqt_id, f.error_kind) for f in failures(synced.engine, status="open")}
    assert event_keys(store.engine) == event_keys(synced.engine)


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_processes_on_sqlite_are_refused_and_nothing_starts(store: Store, loaded_simulator: SimulatorHandle) -> None:
    result = cli(env_for(loaded_simulator, store.url), "backfill", "--entity", "person", "--processes", "2")
    assert result.exit_code == 2
    assert "--processes needs PostgreSQL" in result.output
    assert rows(store.engine, "persons") == {}
    with store.engine.connect() as connection:
        assert backfills.recent_runs(connection) == []


@pytest.mark.parametrize("store", ["postgresql"], indirect=True)
def test_a_helper_killed_mid_shard_leaves_nothing_lost_or_doubled(
    store: Store, helper_world: tuple[DataverseClient, Store]
) -> None:
    # Given a person backfill in 4 shards with one helper process, pages of 1 person so the run lasts long after the
    # helper's interpreter has started
    client, synced = helper_world
    service = Backfill(store.engine, client, page_size=1)
    run, _ = service.start(PERSON, 4)
    outcome: list[BackfillResult] = []
    worker = threading.Thread(target=lambda: outcome.append(service.run(run, threads=1, processes=2)))
    worker.start()

    # When the helper is killed (SIGKILL) once it has committed pages of a shard it holds
    def helper_mid_shard() -> int | None:
        with store.engine.connect() as connection:
            for shard in backfills.shards(connection, run.run_id):
                pid = int(shard.claimed_by.split(":")[1]) if shard.claimed_by else os.getpid()
                if pid != os.getpid() and shard.status == "running" and shard.counts.pages >= 2:
                    return pid
        return None

    deadline = time.monotonic() + 60
    while (victim := helper_mid_shard()) is None:
        assert worker.is_alive(), "the run ended before a helper had worked a shard"
        assert time.monotonic() < deadline, "no helper ever worked a shard"
        time.sleep(0.05)
    os.kill(victim, signal.SIGKILL)
    worker.join(120)
    assert not worker.is_alive()
    (synced_run,) = SyncService(synced.engine, client).sync(feeds=[PERSON])

    # Then this process took the dead helper's shard over and finished the run: every record read exactly once
    # (the helper's uncommitted page rolled back with its checkpoint), and TRS equals a sync of the same DQT
    (result,) = outcome
    assert result.status == "succeeded", result
    with store.engine.connect() as connection:
        states = backfills.shards(connection, run.run_id)
    assert all(s.status == "done" for s in states)
    assert result.totals.seen == synced_run.counts.seen
    assert rows(store.engine, "persons") == rows(synced.engine, "persons")
    assert event_keys(store.engine) == event_keys(synced.engine)
