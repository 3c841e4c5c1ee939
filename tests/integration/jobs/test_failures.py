"""Failures through the Redis broker: a job whose retries run out is recorded in the TRS store (and shown by
``trs-bridge status``), waiting never spends a retry, and nothing personal is ever written to Redis.

These run a dramatiq worker in a thread of the test, on its own Redis connection, with a real runtime."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dramatiq
import pytest

from bridge.config import BridgeSettings
from bridge.feeds import FEEDS
from bridge.fleet import FleetSettings
from bridge.rate_limit import RateLimitWaitTooLong
from bridge.status import feed_statuses
from bridge.worker import GAVE_UP, Outcome, Runtime
from jobs.actors import Actors, declare_actors
from jobs.broker import build_broker
from tests.integration.bridge.conftest import Store
from tests.integration.bridge.helpers import read_jsonl
from tests.integration.jobs.conftest import REPO_ROOT, RedisSpace, wait_for
from tests.integration.jobs.helpers import caught_up, runs_of
from tests.support.simulator import SimulatorHandle

pytestmark = pytest.mark.integration


@contextmanager
def running(runtime: Runtime) -> Iterator[tuple[dramatiq.Broker, Actors]]:
    broker = build_broker(runtime.fleet, lambda: runtime)
    actors = declare_actors(broker, lambda: runtime, runtime.fleet)
    worker = dramatiq.Worker(broker, worker_threads=2, worker_timeout=100)
    worker.start()
    try:
        yield broker, actors
    finally:
        runtime.request_stop()
        worker.stop(timeout=10_000)
        broker.close()
        runtime.close()


def make_runtime(space: RedisSpace, store: Store, sim: SimulatorHandle, **fleet: Any) -> Runtime:
    settings = FleetSettings(
        redis_url=space.url, prefix=space.prefix, min_backoff_seconds=0.05, max_backoff_seconds=0.2, **fleet
    )
    bridge = BridgeSettings(database_url=store.url, redis_url=space.url, page_size=50)
    return Runtime(settings, bridge, client_environ=sim.env())


def test_a_job_whose_retries_run_out_is_recorded_in_the_store_and_shown_by_status(
    fresh_simulator: Callable[..., SimulatorHandle],
    dqt_data: Path,
    new_store: Callable[[str], Store],
    space: RedisSpace,
) -> None:
    sim = fresh_simulator("--disable-change-tracking", "dfeta_sanctions", data_dir=dqt_data)
    store = new_store("sqlite")
    runtime = make_runtime(space, store, sim, max_retries=2)
    with running(runtime) as (_broker, actors):
        message = actors.sync_entity.send("dfeta_sanctions")
        wait_for(
            lambda: any((r.error or "").startswith(GAVE_UP) for r in runs_of(store.engine, "dfeta_sanctions")),
            30,
            "the ledger row",
        )
    runs = runs_of(store.engine, "dfeta_sanctions")
    ledger = [r for r in runs if (r.error or "").startswith(GAVE_UP)]
    attempts = [r for r in runs if r not in ledger]
    assert len(ledger) == 1
    assert ledger[0].outcome == "failed"
    assert ledger[0].error is not None
    assert ledger[0].error.startswith(
        f"{GAVE_UP}: sync_entity message {message.message_id} after 3 attempts: ChangeTrackingNotEnabled"
    )
    assert len(attempts) == 3  # the first attempt and two retries, each its own failed run
    assert {r.outcome for r in attempts} == {"failed"}
    # dramatiq's dead-letter queue has it too, but that forgets after 7 days; the store does not.
    assert space.client.zcard(f"{runtime.fleet.namespace}:sync.XQ") == 1
    (sanctions,) = [s for s in feed_statuses(store.engine) if s.entity_set == "dfeta_sanctions"]
    assert sanctions.last_run_outcome == "failed"
    assert sanctions.jobs_gave_up == 1
    assert sanctions.last_run_error is not None
    assert sanctions.last_run_error.startswith(GAVE_UP)
    status = status_command(store, space)
    assert "jobs given up on for dfeta_sanctions (7 days): 1" in status
    assert "queue sync: ready 0, delayed 0, dead letters 1" in status
    document = json.loads(status_command(store, space, "--json"))
    (sanctions_json,) = [f for f in document["feeds"] if f["entity_set"] == "dfeta_sanctions"]
    assert sanctions_json["jobs_gave_up"] == 1
    assert document["fleet"]["queues"]["sync"] == {"ready": 0, "delayed": 0, "dead": 1}
    assert document["fleet"]["dqt_budget"]["requests_per_window"] > 0
    assert document["writeback"]["pending"] == 0


class WaitingRuntime(Runtime):
    """Its first sync of a feed waits too long for the rate limiter; later ones work."""

    waited: set[str]

    def sync_entity(self, entity: str, *, tick: int | None = None) -> Outcome:
        if entity not in self.waited:
            self.waited.add(entity)
            raise RateLimitWaitTooLong("waited too long", retry_in=0.1)
        return super().sync_entity(entity, tick=tick)


def test_waiting_for_the_rate_limit_re_enqueues_the_job_without_spending_a_retry(
    fresh_simulator: Callable[..., SimulatorHandle],
    dqt_data: Path,
    new_store: Callable[[str], Store],
    space: RedisSpace,
) -> None:
    sim = fresh_simulator(data_dir=dqt_data)
    store = new_store("sqlite")
    runtime = WaitingRuntime(
        FleetSettings(redis_url=space.url, prefix=space.prefix, max_retries=0),  # any failure would dead-letter
        BridgeSettings(database_url=store.url, redis_url=space.url, page_size=50),
        client_environ=sim.env(),
    )
    runtime.waited = set()
    with running(runtime) as (_, actors):
        for feed in FEEDS:
            actors.sync_entity.send(feed.entity_set)
        wait_for(lambda: caught_up(store.engine), 60, "every feed synced after waiting once")
    assert runtime.waited == {f.entity_set for f in FEEDS}
    assert space.client.zcard(f"{runtime.fleet.namespace}:sync.XQ") == 0  # nothing dead-lettered


def personal_values(dqt_data: Path) -> set[str]:
    """Names, e-mails, NI numbers and dates of birth from the DQT data the simulator serves."""
    values: set[str] = set()
    for contact in read_jsonl(dqt_data / "contacts.jsonl"):
        for column in ("lastname", "emailaddress1", "dfeta_ninumber", "birthdate", "dfeta_statedlastname"):
            value = contact.get(column)
            if isinstance(value, str) and len(value.strip()) >= 5:
                values.add(value.strip())
        first, last = contact.get("firstname"), contact.get("lastname")
        if first and last:
            values.add(f"{first} {last}")
    return values


class LeakyRuntime(Runtime):
    """A replay that fails with personal data in its exception message (what a careless bug would do)."""

    leak = ""

    def replay_failed(self, ids: Any) -> Outcome:
        raise ValueError(f"could not replay {self.leak}")


def test_no_personal_data_is_ever_written_to_redis(
    fresh_simulator: Callable[..., SimulatorHandle],
    dqt_data: Path,
    new_store: Callable[[str], Store],
    space: RedisSpace,
) -> None:
    sim = fresh_simulator(data_dir=dqt_data)
    sim.admin("POST", "faults", {"rate_429": 0.2, "retry_after": 1})  # exercise the gate and limiter keys too
    store = new_store("sqlite")
    secrets = personal_values(dqt_data)
    assert len(secrets) > 500
    runtime = LeakyRuntime(
        FleetSettings(redis_url=space.url, prefix=space.prefix, max_retries=1, min_backoff_seconds=0.05),
        BridgeSettings(database_url=store.url, redis_url=space.url, page_size=50),
        client_environ=sim.env(),
    )
    runtime.leak = sorted(secrets)[0]
    with running(runtime) as (broker, actors):
        for feed in FEEDS:
            actors.sync_entity.send(feed.entity_set)
        actors.replay_failed.send([1, 2, 3])
        actors.backfill_shard.send("6c0f7a51-3f1e-4a7b-9d55-1f9e7c1d2b3a", 0)
        broker.join("sync", timeout=120_000)
        wait_for(lambda: space.client.zcard(f"{runtime.fleet.namespace}:replay.XQ") == 1, 30, "the leak dead-lettered")
        # And something still queued, delayed and in flight while we look: stop consuming and enqueue more.
        actors.sync_entity.send_with_options(args=("contacts",), delay=60_000)
        actors.sync_entity.send("contacts")
    assert caught_up(store.engine)

    dump = space.dump()
    assert any(k.endswith(".XQ.msgs") for k in dump), sorted(dump)
    text = json.dumps({k: repr(v) for k, v in dump.items()})
    leaked = sorted(s for s in secrets if s in text)
    assert not leaked, leaked[:5]
    # Every message carries ids only: an entity set, a run id and shard number, failed-record ids, a tick.
    for key, value in dump.items():
        if key.endswith(".msgs"):
            for raw in value.values():
                message = json.loads(raw)
                assert all(isinstance(a, str | int | list) for a in message["args"]), message
                assert set(message["kwargs"]) <= {"tick"}, message
                assert "could not replay" not in message["options"].get("traceback", ""), message


def status_command(store: Store, space: RedisSpace, *args: str) -> str:
    """``trs-bridge status`` as an operator runs it, against this test's store and Redis prefix."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRS_", "REDIS_URL"))}
    env |= {"TRS_DATABASE_URL": store.url, "REDIS_URL": space.url, "TRS_BRIDGE_REDIS_PREFIX": space.prefix}
    done = subprocess.run(
        [sys.executable, "-m", "bridge.cli", "status", *args],
        cwd=REPO_ROOT,
        env=env | {"COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
