"""The fleet-wide limiter and Retry-After gate on real Redis, and a fleet of processes against the simulator's
own service-protection limits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import pytest
import redis

from bridge.rate_limit import (
    FleetRateLimiter,
    RateLimitSettings,
    RateLimitWaitAborted,
    RateLimitWaitTooLong,
    RedisRetryAfterGate,
)
from tests.integration.jobs.conftest import REPO_ROOT, RedisSpace
from tests.integration.jobs.helpers import max_in_flight, max_in_window, requests_from
from tests.support.simulator import SimulatorHandle

pytestmark = pytest.mark.integration


def connection(space: RedisSpace) -> redis.Redis:
    """A separate connection, as another worker process would have."""
    return redis.Redis.from_url(space.url)


def test_a_retry_after_published_by_one_worker_holds_every_other(space: RedisSpace) -> None:
    throttled = RedisRetryAfterGate(connection(space), space.prefix)
    other_gate = RedisRetryAfterGate(connection(space), space.prefix)
    other_limiter = FleetRateLimiter(connection(space), space.prefix)
    throttled.defer(1.0)
    assert 0.9 < other_gate.remaining() <= 1.0
    started = time.monotonic()
    other_limiter.release(other_limiter.acquire())  # the limiter checks the same instant, atomically
    assert time.monotonic() - started >= 0.95
    assert other_gate.remaining() == 0
    assert other_gate.wait() == 0


def test_a_shorter_retry_after_never_shortens_a_longer_one(space: RedisSpace) -> None:
    gate = RedisRetryAfterGate(connection(space), space.prefix)
    gate.defer(5)
    gate.defer(1)
    assert gate.remaining() > 4.5


def test_the_window_admits_the_limit_then_says_how_long_to_wait(space: RedisSpace) -> None:
    settings = RateLimitSettings(requests_per_window=5, window_seconds=1, window_margin_seconds=0.2, concurrency=10)
    limiter = FleetRateLimiter(connection(space), space.prefix, settings)
    started = time.monotonic()
    for _ in range(5):
        limiter.release(limiter.acquire())
    spread = time.monotonic() - started
    assert spread < 0.5
    limiter.release(limiter.acquire())  # the sixth waits for the first to leave the window (+ margin)
    assert time.monotonic() - started >= 1.15
    # The sixth was admitted once the *first* left the window; the other four were admitted up to `spread`
    # later, so they leave up to `spread` later: past that, only the sixth is in the window.
    assert 1 <= limiter.state().window_used <= 5
    time.sleep(spread + 0.05)
    assert limiter.state().window_used == 1


def test_concurrency_slots_are_shared_and_a_dead_holders_slot_expires(space: RedisSpace) -> None:
    settings = RateLimitSettings(concurrency=2, slot_ttl_seconds=1.0, max_wait_seconds=5)
    a = FleetRateLimiter(connection(space), space.prefix, settings)
    b = FleetRateLimiter(connection(space), space.prefix, settings)
    a.acquire()
    a.acquire()  # never released: its process "died"
    assert b.state().in_flight == 2
    started = time.monotonic()
    b.release(b.acquire())
    assert 0.8 <= time.monotonic() - started < 2.0  # it waited for the dead slots to expire, then went


def test_waiting_gives_up_when_the_process_stops_or_after_max_wait(space: RedisSpace) -> None:
    stop = threading.Event()
    settings = RateLimitSettings(requests_per_window=1, window_seconds=60, max_wait_seconds=1)
    limiter = FleetRateLimiter(connection(space), space.prefix, settings, should_stop=stop.is_set)
    limiter.acquire()
    with pytest.raises(RateLimitWaitTooLong) as too_long:
        limiter.acquire()
    assert too_long.value.retry_in > 50
    threading.Timer(0.2, stop.set).start()
    patient = FleetRateLimiter(
        connection(space),
        space.prefix,
        RateLimitSettings(requests_per_window=1, window_seconds=60),
        should_stop=stop.is_set,
    )
    started = time.monotonic()
    with pytest.raises(RateLimitWaitAborted):
        patient.acquire()
    assert time.monotonic() - started < 1.5
    gate = RedisRetryAfterGate(connection(space), space.prefix, should_stop=stop.is_set)
    gate.defer(30)
    with pytest.raises(RateLimitWaitAborted):
        gate.wait()


def test_a_fleet_of_processes_stays_under_dataverse_limits_without_a_single_429(
    fresh_simulator: Callable[..., SimulatorHandle], space: RedisSpace
) -> None:
    """Two processes x 8 threads hammer WhoAmI; the simulator enforces 4 concurrent and 60 per 5 s for the
    application user, exactly as Dataverse would; the fleet's limiter is set to the same numbers."""
    sim = fresh_simulator("--concurrency-limit", "4", "--requests-per-window", "60", "--window-seconds", "5")
    sim.admin("POST", "faults", {"latency_ms": 40})
    sim.admin("DELETE", "requests")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DQT_", "TRS_", "REDIS_URL"))}
    env |= sim.env() | {
        "REDIS_URL": space.url,
        "TRS_BRIDGE_REDIS_PREFIX": space.prefix,
        "TRS_BRIDGE_DQT_CONCURRENCY": "4",
        "TRS_BRIDGE_DQT_REQUESTS_PER_WINDOW": "60",
        "TRS_BRIDGE_DQT_WINDOW_SECONDS": "5",
        "HAMMER_THREADS": "8",
        "HAMMER_SECONDS": "12",
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.integration.jobs.hammer"],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()[-2000:]
        results.append(json.loads(out.decode().strip().splitlines()[-1]))

    entries = requests_from(sim)
    statuses = {e["status"] for e in entries}
    peak, busiest = max_in_flight(entries), max_in_window(entries, 5.0)
    print(f"\nfleet limiter: {len(entries)} calls; max in flight {peak}/4; max in any 5 s window {busiest}/60")
    assert all(r["errors"] == {} for r in results), results
    assert sum(r["calls"] for r in results) == len(entries)
    assert statuses == {200}  # not one 429: neither the concurrency nor the window limit was ever hit
    assert peak <= 4
    assert busiest <= 60
    assert len(entries) >= 60  # and the fleet did use its budget
