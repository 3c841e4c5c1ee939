"""``trs-bridge backfill``: key-range shards, positions committed with their pages, the sync's own apply."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from bridge.backfill import Backfill, BackfillResult, run_shard
from bridge.feeds import FEEDS, PERSON
from bridge.sync import SyncService
from dataverse_client import DataverseClient
from tests.integration.bridge_ops.conftest import Store
from tests.integration.bridge_ops.helpers import (
    DATA_TABLES,
    TRS_BRIDGE,
    clean_environ,
    cli,
    counts,
    env_for,
    event_keys,
    every_table_count,
    failures,
    rows,
)
from tests.support.simulator import SimulatorHandle
from trs_store import backfills, journal
from trs_store.models import metadata

pytestmark = pytest.mark.integration


def _dqt_count(client: DataverseClient, entity_set: str, primary_id: str) -> int:
    return sum(len(page.records) for page in client.query(entity_set, select=[primary_id]))


def _open_failures(store: Store) -> set[tuple[str, str | None, str, str | None]]:
    return {(f.entity_set, f.dqt_id, f.error_kind, f.field) for f in failures(store.engine, status="open")}


def _backfill_everything(store: Store, client: DataverseClient, *, shards: int, page_size: int) -> list[BackfillResult]:
    service = Backfill(store.engine, client, page_size=page_size)
    results = []
    for feed in FEEDS:
        run, resumed = service.start(feed, shards)
        assert not resumed
        results.append(service.run(run, threads=1 if store.kind == "sqlite" else 3))
    return results


def test_a_backfill_equals_a_sync_of_the_same_data(
    store: Store,
    new_store: Callable[[str], Store],
    loaded_simulator: SimulatorHandle,
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> None:
    # Given the generated DQT data, and two empty TRS databases of the same engine
    client = client_for(loaded_simulator)
    synced = new_store(store.kind)

    # When one is filled by backfills of every feed (5 key-range shards, pages of 37) and the other by a sync
    results = _backfill_everything(store, client, shards=5, page_size=37)
    SyncService(synced.engine, client).sync()

    # Then every run succeeded, and each read every DQT record exactly once, in more than one page per shard
    for result, feed in zip(results, FEEDS, strict=True):
        assert result.status == "succeeded", result
        assert result.totals.seen == _dqt_count(client, feed.entity_set, feed.primary_id), feed.name
    assert results[0].counts.pages > 5
    # And TRS holds exactly what the sync put there: rows, open failures and event keys
    for table in DATA_TABLES:
        a, b = rows(store.engine, table), rows(synced.engine, table)
        diffs = {
            k: {c: (a[k][c], b[k].get(c)) for c in a[k] if a[k][c] != b[k].get(c)} for k in a if k in b and a[k] != b[k]
        }
        assert a == b, (table, set(a) ^ set(b), list(diffs.items())[:5])
    assert _open_failures(store) == _open_failures(synced)
    assert event_keys(store.engine) == event_keys(synced.engine)
    assert counts(store.engine, "persons")["persons"] > 250


def test_backfill_primes_the_journal_so_live_sync_only_carries_changes(
    store: Store,
    fresh_simulator: Callable[..., SimulatorHandle],
    dqt_data: Path,
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> None:
    # Given a DQT that keeps changing (a private simulator), and an empty TRS
    client = client_for(fresh_simulator(data_dir=dqt_data))

    # When the person feed is backfilled (taking a change token first), then a contact is edited in DQT
    service = Backfill(store.engine, client, page_size=500)
    run, _ = service.start(PERSON, 3)
    assert run.delta_link
    result = service.run(run)
    assert result.status == "succeeded"
    assert result.journal_primed
    person = next(iter(rows(store.engine, "persons")))
    client.update("contacts", person, {"lastname": "Primedlast"})

    # Then live sync continues from the token: no full pass, only the changed contact is read and applied
    (synced,) = SyncService(store.engine, client).sync([PERSON])
    assert not synced.full_pass
    assert synced.counts.seen == 1
    assert synced.counts.updated == 1
    assert rows(store.engine, "persons")[person]["last_name"] == "Primedlast"


def test_a_journal_that_live_sync_started_is_left_alone(
    store: Store, loaded_simulator: SimulatorHandle, client_for: Callable[[SimulatorHandle], DataverseClient]
) -> None:
    # Given a feed live sync already follows
    client = client_for(loaded_simulator)
    SyncService(store.engine, client).sync([PERSON])
    with store.engine.connect() as connection:
        before = journal.get(connection, PERSON.changes_key, PERSON.entity_set)

    # When a backfill of it runs
    service = Backfill(store.engine, client)
    run, _ = service.start(PERSON, 2)
    result = service.run(run)

    # Then it took no token, changed no row (everything stale) and the journal is as it was
    assert run.delta_link is None
    assert result.status == "succeeded"
    assert not result.journal_primed
    assert result.counts.inserted == result.counts.updated == 0
    with store.engine.connect() as connection:
        assert journal.get(connection, PERSON.changes_key, PERSON.entity_set) == before


def test_dry_run_writes_nothing_and_reports_what_a_backfill_would_do(
    store: Store, loaded_simulator: SimulatorHandle, client_for: Callable[[SimulatorHandle], DataverseClient]
) -> None:
    # Given an empty TRS
    env = env_for(loaded_simulator, store.url)
    before = every_table_count(store.engine)

    # When the operator asks for a dry run of the person feed
    result = cli(env, "backfill", "--entity", "person", "--shards", "3", "--page-size", "64", "--dry-run", "--json")

    # Then it succeeded and wrote nothing at all (no rows, failures, events, runs or journal)
    assert result.exit_code == 0, result.output
    assert every_table_count(store.engine) == before
    (report,) = json.loads(result.stdout)
    assert report["status"] == "dry-run"
    assert report["run_id"] is None
    # And its counts say what a real backfill then does
    client = client_for(loaded_simulator)
    contacts = _dqt_count(client, "contacts", "contactid")
    dry = report["counts"]
    assert dry["seen"] == contacts
    assert dry["inserted"] + dry["failed"] + dry["skipped"] == contacts
    assert dry["failed"] > 0
    assert sum(report["failure_reasons"].values()) == dry["failed"]
    assert any(reason.startswith("mapping:") for reason in report["failure_reasons"])
    service = Backfill(store.engine, client)
    run, _ = service.start(PERSON, 3)
    real = service.run(run).counts
    assert (real.seen, real.inserted, real.updated, real.failed, real.skipped) == (
        dry["seen"],
        dry["inserted"],
        dry["updated"],
        dry["failed"],
        dry["skipped"],
    )


def _wait_for_pages(store: Store, pages: int, process: subprocess.Popen[str], timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    shards = metadata.tables["backfill_shards"]
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        with store.engine.connect() as connection:
            found = connection.execute(select(shards.c.run_id, shards.c.pages)).all()
        if found and sum(p for _, p in found) >= pages:
            return str(found[0][0])
        time.sleep(0.05)
    raise AssertionError("the backfill made no progress")


def test_a_killed_backfill_resumes_with_nothing_lost_or_doubled(
    store: Store,
    new_store: Callable[[str], Store],
    fresh_simulator: Callable[..., SimulatorHandle],
    dqt_data: Path,
    client_for: Callable[[SimulatorHandle], DataverseClient],
    tmp_path: Path,
) -> None:
    # Given a slow DQT (every request takes 100 ms) and a backfill of the person feed in pages of 10
    handle = fresh_simulator("--latency-ms", "100", data_dir=dqt_data)
    env = env_for(handle, store.url)
    process = subprocess.Popen(
        [TRS_BRIDGE, "backfill", "--entity", "person", "--shards", "4", "--page-size", "10", "--json"],
        env=clean_environ(env),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    # When it is killed with SIGKILL after a few committed pages
    run_id = _wait_for_pages(store, 4, process)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    with store.engine.connect() as connection:
        run = backfills.get_run(connection, run_id)
        shards = backfills.shards(connection, run_id)
    assert run is not None
    assert run.status == "running"
    killed_at = sum(s.counts.seen for s in shards)
    contacts = _dqt_count(client_for(handle), "contacts", "contactid")
    assert 0 < killed_at < contacts

    # And the operator resumes it
    resumed = cli(env, "backfill", "--resume", run_id, "--json")

    # Then it finished from where it stopped: every contact read exactly once over both processes
    assert resumed.exit_code == 0, resumed.output
    (report,) = json.loads(resumed.stdout)
    assert report["status"] == "succeeded"
    assert report["resumed"] is True
    assert report["counts"]["seen"] == contacts - killed_at
    assert report["run_totals"]["seen"] == contacts
    with store.engine.connect() as connection:
        assert all(s.status == "done" for s in backfills.shards(connection, run_id))
    # And TRS holds exactly what a sync of the same DQT gives: nothing lost, nothing doubled
    synced = new_store(store.kind)
    SyncService(synced.engine, client_for(handle)).sync([PERSON])
    assert rows(store.engine, "persons") == rows(synced.engine, "persons")
    assert _open_failures(store) == _open_failures(synced)
    assert event_keys(store.engine) == event_keys(synced.engine)


def test_an_unfinished_run_is_continued_without_resume(
    store: Store, loaded_simulator: SimulatorHandle, client_for: Callable[[SimulatorHandle], DataverseClient]
) -> None:
    # Given a backfill of the person feed stopped after its first shard
    client = client_for(loaded_simulator)
    first = Backfill(store.engine, client, page_size=100)
    run, _ = first.start(PERSON, 4)
    assert first.run_shard(run.run_id, 0).outcome == "done"

    # When the operator starts a backfill of the same feed again
    env = env_for(loaded_simulator, store.url)
    result = cli(env, "backfill", "--entity", "contacts", "--shards", "2", "--json")

    # Then the unfinished run is continued (its 4 shards, not 2), shard 0 is not read again
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.stdout)
    assert report["run_id"] == run.run_id
    assert report["resumed"] is True
    assert report["run_totals"]["seen"] == _dqt_count(client, "contacts", "contactid")
    with store.engine.connect() as connection:
        assert backfills.recent_runs(connection, entity_set="contacts")[0].shards == 4
        assert len(backfills.recent_runs(connection, entity_set="contacts")) == 1


def test_distributed_shards_run_by_workers_are_idempotent(
    store: Store, loaded_simulator: SimulatorHandle, client_for: Callable[[SimulatorHandle], DataverseClient]
) -> None:
    # Given a run whose shards were sent as messages (a fake broker records them)
    client = client_for(loaded_simulator)
    service = Backfill(store.engine, client)
    run, _ = service.start(PERSON, 3, distributed=True)
    sent: list[tuple[str, int]] = []
    assert service.enqueue(run, lambda run_id, shard: sent.append((run_id, shard))) == [0, 1, 2]

    # When workers run every message, one of them delivered twice
    outcomes = [run_shard(run_id, shard, engine=store.engine, client=client) for run_id, shard in [*sent, sent[1]]]

    # Then each shard ran once, the duplicate changed nothing, and the run succeeded
    assert [o["outcome"] for o in outcomes] == ["done", "done", "done", "already-done"]
    assert outcomes[3]["seen"] == 0
    with store.engine.connect() as connection:
        final = backfills.get_run(connection, run.run_id)
        assert final is not None
        assert final.status == "succeeded"
        assert sum(s.counts.seen for s in backfills.shards(connection, run.run_id)) == _dqt_count(
            client, "contacts", "contactid"
        )


def test_a_shard_held_by_a_live_worker_is_not_run_twice(
    store: Store, loaded_simulator: SimulatorHandle, client_for: Callable[[SimulatorHandle], DataverseClient]
) -> None:
    # Given a shard claimed a moment ago by a worker on another host
    client = client_for(loaded_simulator)
    service = Backfill(store.engine, client)
    run, _ = service.start(PERSON, 2)
    with store.engine.begin() as connection:
        claimed = backfills.claim_shard(
            connection,
            run.run_id,
            0,
            worker="elsewhere:123:1",
            now=dt.datetime.now(dt.UTC),
            lease=dt.timedelta(minutes=5),
        )
    assert claimed is not None

    # When this process is asked to run it
    outcome = service.run_shard(run.run_id, 0)

    # Then it leaves it to its holder and reads nothing
    assert outcome.outcome == "busy"
    assert counts(store.engine, "persons")["persons"] == 0
