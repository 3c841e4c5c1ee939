"""Outages in the middle of work: DQT's delta token expiring between two pages of a delta pass, Redis restarted
(empty: no persistence) under a working fleet, PostgreSQL connections of the bridge killed while pages are
being written. Each ends with TRS equal to DQT and nothing twice."""

from __future__ import annotations

import contextlib
import random
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine, text

from bridge.feeds import PERSON, Feed
from bridge.sync import SyncService
from dataverse_client import DataverseClient
from dqt_simulator.generate import generate
from tests.integration.bridge.conftest import Store
from tests.integration.jobs.conftest import Fleet, RedisSpace, free_port, wait_for
from tests.reliability.conftest import report, trials
from tests.reliability.parity import PROFESSIONAL_STATUS_SETS, assert_in_step
from tests.reliability.world import FLEET_SETTINGS, BridgeWorld, Users, utc_now
from tests.support.simulator import SimulatorHandle
from trs_store import make_engine
from trs_store.sync_runs import RunCounts

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

RETENTION_SECONDS = 120
#: Persons generated: an initial sync of a few seconds, so outages land inside work.
FLEET_PERSONS = trials(40, 60)


def test_delta_token_expiring_between_two_pages_restarts_as_a_full_pass(
    seed: int,
    rng: random.Random,
    tmp_path: Path,
    fresh_simulator: Callable[..., SimulatorHandle],
    new_store: Callable[[str], Store],
) -> None:
    # Given a TRS in step with a DQT that keeps change-tracking history for two minutes
    data = tmp_path / "dqt"
    generate(data, FLEET_PERSONS, seed)
    sim = fresh_simulator("--change-tracking-retention", str(RETENTION_SECONDS), data_dir=data)
    store = new_store("postgresql")
    client = DataverseClient(sim.settings())
    users = Users(store.engine, client, rng)
    try:
        SyncService(store.engine, client, page_size=10).sync()
        users.choose_pools()
        # And DQT users changing, creating and deleting records (a delta of several pages), among them the
        # deletion of a person (with an MQ and a sanction) TRS already holds
        users.dqt_changes()
        SyncService(store.engine, client, page_size=10).sync()
        for _ in range(2):
            users.dqt_changes()
        contact, mq, sanction = users.created.pop(0)
        for entity_set, record_id in (
            ("dfeta_qualifications", mq),
            ("dfeta_sanctions", sanction),
            ("contacts", contact),
        ):
            client.delete(entity_set, record_id)

        # When the delta tokens expire right after the first page of the delta pass was committed
        expired = threading.Event()

        def expire_after_first_page(feed: Feed, counts: RunCounts, seconds: float) -> None:
            if feed is PERSON and not expired.is_set():
                sim.admin("POST", "clock", {"advance_seconds": RETENTION_SECONDS + 30})
                expired.set()

        results = {
            r.feed: r for r in SyncService(store.engine, client, page_size=10, on_page=expire_after_first_page).sync()
        }

        # Then the person feed met the expired token mid-pass and re-read DQT in full, as did every later feed
        assert expired.is_set()
        assert results["person"].expired_tokens == 1
        assert results["person"].full_pass
        assert results["person"].counts.pages > 2
        # And the person DQT deleted while the tokens were expiring is gone (swept after the full pass, its MQ
        # and sanction with it: parity below)
        assert results["person"].swept + results["person"].counts.deleted >= 1
        assert all(r.outcome == "succeeded" for r in results.values())
        assert sum(r.expired_tokens for r in results.values()) == len(results)
        report(
            f"token expiry (seed {seed}): {users.figures.dqt_changes} DQT changes; restarts per feed "
            f"{ {f: r.expired_tokens for f, r in results.items()} }; swept {sum(r.swept for r in results.values())}"
        )
        # And TRS equals DQT, with no event twice
        assert_in_step(sim, store.engine, lambda: new_store("sqlite").engine)
        # And the next sync is an ordinary delta read again
        after = SyncService(store.engine, client, page_size=10).sync()
        assert not any(r.full_pass or r.expired_tokens for r in after)
    finally:
        client.close()


@contextlib.contextmanager
def private_redis(tmp_path: Path) -> Iterator[Callable[[], None]]:
    """A redis-server of this test's own on a free port (never the shared one), without persistence: a restart
    loses every key, the worst case. Yields ``restart()`` (SIGKILL, then start again on the same port)."""
    port = free_port()
    argv = [
        "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(tmp_path),
    ]
    state: dict[str, subprocess.Popen[bytes]] = {}

    def start() -> None:
        state["process"] = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=port)
        wait_for(lambda: _pings(client), 10, "the private redis-server answers")
        client.close()

    def restart() -> None:
        state["process"].kill()
        state["process"].wait(10)
        time.sleep(1.0)  # an outage, not a blip
        start()

    start()
    restart.port = port  # type: ignore[attr-defined]
    try:
        yield restart
    finally:
        state["process"].kill()
        state["process"].wait(10)


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


def fleet_world(
    sim: SimulatorHandle, store: Store, space: RedisSpace, tmp_path: Path, rng: random.Random, engine: Engine
) -> BridgeWorld:
    fleet = Fleet(sim, store.url, space, tmp_path)
    fleet.settings |= FLEET_SETTINGS
    return BridgeWorld(engine, DataverseClient(sim.settings()), rng, fleet=fleet)


@pytest.mark.timeout(1200)  # the long form (SOAK=1) runs for minutes
def test_redis_restarted_empty_under_a_working_fleet(
    seed: int,
    rng: random.Random,
    tmp_path: Path,
    fresh_simulator: Callable[..., SimulatorHandle],
    new_store: Callable[[str], Store],
) -> None:
    data = tmp_path / "dqt"
    generate(data, FLEET_PERSONS, seed)
    sim = fresh_simulator(data_dir=data)
    sim.admin("POST", "faults", {"latency_ms": 10})
    store = new_store("postgresql")
    restarts = trials(1, 3)
    with private_redis(tmp_path) as restart:
        url = f"redis://127.0.0.1:{restart.port}/0"  # type: ignore[attr-defined]
        space = RedisSpace(url, f"r{seed}", redis.Redis.from_url(url))
        world = fleet_world(sim, store, space, tmp_path, rng, store.engine)
        try:
            # Given a scheduler and a worker at work on the initial sync
            world.start("scheduler")
            world.start("worker")
            world.wait_working()
            for number in range(restarts):
                since = utc_now()
                if number:
                    world.dqt_changes()
                    time.sleep(rng.uniform(0.1, 1.5))
                # When Redis dies and comes back empty (queues, leases, ticks, the DQT budget all gone)
                time.sleep(rng.uniform(0.2, 1.5))
                restart()
                # Then both processes survive it and the fleet catches up again
                world.wait_caught_up(since, timeout=120)
                world.alive()
                if number == 0:
                    world.choose_pools()
                assert_in_step(
                    sim,
                    store.engine,
                    lambda: new_store("sqlite").engine,
                    context=f"seed {seed}, Redis restart {number + 1}",
                    excluded_failures=PROFESSIONAL_STATUS_SETS,
                )
        finally:
            world.dqt.close()
            world.the_fleet.stop_all(timeout=10)
            space.client.close()
    report(f"Redis restarts (seed {seed}): {restarts}; {world.figures.line()}")


@pytest.mark.timeout(1200)  # the long form (SOAK=1) runs for minutes
def test_postgresql_connections_killed_mid_page(
    seed: int,
    rng: random.Random,
    tmp_path: Path,
    fresh_simulator: Callable[..., SimulatorHandle],
    new_store: Callable[[str], Store],
    space: RedisSpace,
) -> None:
    data = tmp_path / "dqt"
    generate(data, FLEET_PERSONS, seed)
    sim = fresh_simulator(data_dir=data)
    sim.admin("POST", "faults", {"latency_ms": 10})
    store = new_store("postgresql")
    # The test reads through connections of its own name; only the bridge's ("trs-bridge") are killed.
    probe = make_engine(store.url, connect_args={"application_name": "reliability-probe"})
    world = fleet_world(sim, store, space, tmp_path, rng, probe)
    database = store.engine.url.database
    wanted = trials(5, 25)
    killed: list[str] = []
    try:
        world.start("scheduler")
        world.start("worker")
        world.wait_working()
        since = utc_now()

        # When the bridge's connections are terminated, at random moments, while it writes pages: first during
        # the initial sync, then (once it is through) while it syncs DQT users' changes
        def kill_until(count: int) -> None:
            attempts = 0
            while len(killed) < count and attempts < wanted * 40:
                attempts += 1
                if world.dqt_pool and attempts % 8 == 0:
                    world.dqt_changes()  # keep the fleet busy while connections die
                time.sleep(rng.uniform(0.05, 0.4))
                with probe.connect() as connection:
                    states = connection.execute(
                        text(
                            "SELECT pg_terminate_backend(pid), state FROM pg_stat_activity WHERE datname = :db "
                            "AND application_name = 'trs-bridge' AND state IN ('active', 'idle in transaction')"
                        ),
                        {"db": database},
                    ).all()
                killed.extend(str(state) for _, state in states)

        kill_until(wanted // 2)
        world.wait_caught_up(since, timeout=120)
        world.choose_pools()
        world.dqt_changes()
        kill_until(wanted)
        since = utc_now()  # (after the last of the changes made while connections died)
        # Then the fleet recovers by itself and catches up
        world.wait_caught_up(since, timeout=120)
        world.alive()
        assert len(killed) >= wanted, f"only {len(killed)} connections were caught mid-work"
        assert_in_step(
            sim,
            store.engine,
            lambda: new_store("sqlite").engine,
            context=f"seed {seed}",
            excluded_failures=PROFESSIONAL_STATUS_SETS,
        )
    finally:
        world.dqt.close()
        world.the_fleet.stop_all(timeout=10)
        probe.dispose()
    by_state = {s: killed.count(s) for s in set(killed)}
    report(f"PostgreSQL connections killed (seed {seed}): {len(killed)} {by_state}; {world.figures.line()}")
