"""DQT misbehaving the way production does: 10 % 429 (with Retry-After), 5 % 503 (half of them with
Retry-After), and connections dropped, reset, or lost after the request was carried out (a write that landed
but whose answer never came). The sync and the write-back relay keep going; afterwards the simulator's request
log shows that no request started inside any Retry-After, TRS equals DQT, and every TRS edit was written to DQT
exactly once.

Short form: one round (initial sync, edits, changes, sync). Long form: five rounds of changes and edits.
"""

from __future__ import annotations

import collections
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bridge.sync import SyncService
from bridge.writeback import relay_pending
from dataverse_client import DataverseClient
from dqt_simulator.generate import generate
from tests.integration.bridge.conftest import Store
from tests.integration.jobs.helpers import requests_from, retry_after_violations
from tests.reliability.conftest import report, soak, trials
from tests.reliability.parity import (
    KNOWN_DIFFERENCES,
    assert_in_step,
    dqt_writes_per_message,
    outbox_statuses,
)
from tests.reliability.world import Users
from tests.support.simulator import SimulatorHandle

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

FAULTS = {
    "rate_429": 0.10,
    "retry_after": 1,
    "rate_503": 0.025,
    "rate_503_retry_after": 0.025,
    # (2 % each in the long form: over ~450 requests every kind is then all but certain to be drawn)
    "drop_rate": trials(0.01, 0.02),
    "reset_rate": trials(0.01, 0.02),
    "drop_after_rate": trials(0.01, 0.02),
}
PERSONS = trials(25, 80)
RATES = tuple(k for k in FAULTS if k != "retry_after")
#: The relay sends up to four records' writes at once: a request that reached the simulator this soon after a
#: throttled answer was already on its way (the same allowance the fleet tests use).
IN_FLIGHT_ALLOWANCE = 0.25


def relay_until_delivered(store: Store, client: DataverseClient, timeout: float = 90.0) -> int:
    """Run the relay until no message waits (deferred ones come due after their backoff); returns the runs."""
    deadline, runs = time.monotonic() + timeout, 0
    while time.monotonic() < deadline:
        relay_pending(store.engine, client)
        runs += 1
        if not {"pending", "failed", "conflict"} & set(outbox_statuses(store.engine)):
            return runs
        time.sleep(0.5)
    raise AssertionError(f"messages still undelivered after {timeout}s: {outbox_statuses(store.engine)}")


def fault_counts(entries: list[dict[str, Any]]) -> collections.Counter[str]:
    counts: collections.Counter[str] = collections.Counter(requests=len(entries))
    for e in entries:
        if e["status"] == 429:
            counts["429"] += 1
        elif e["status"] == 503:
            counts["503 with Retry-After" if e.get("retry_after") else "503"] += 1
        elif e.get("lost_status") is not None:
            counts["response lost after the request was carried out"] += 1
        elif e.get("reset"):
            counts["connection reset"] += 1
        elif e.get("dropped"):
            counts["connection dropped"] += 1
    return counts


@pytest.mark.timeout(1200)  # the long form (SOAK=1) runs for minutes
def test_sync_and_relay_through_throttling_outages_and_dropped_connections(
    seed: int,
    rng: random.Random,
    tmp_path: Path,
    fresh_simulator: Callable[..., SimulatorHandle],
    new_store: Callable[[str], Store],
) -> None:
    # Given generated DQT data served with every kind of fault, and a TRS store
    data = tmp_path / "dqt"
    generate(data, PERSONS, seed)
    sim = fresh_simulator("--seed", str(seed), data_dir=data)
    store = new_store("postgresql")
    sim.admin("POST", "faults", FAULTS)
    sim.admin("DELETE", "requests")
    client = DataverseClient(sim.settings())
    users = Users(store.engine, client, rng)
    rounds = trials(1, 5)
    try:
        # When the bridge syncs, and then DQT users and TRS users make changes that are relayed and synced
        SyncService(store.engine, client, page_size=10).sync()
        users.choose_pools()
        for _ in range(rounds):
            users.trs_edits()
            relay_until_delivered(store, client)
            with_faults_off(sim, users.dqt_changes)  # (the test's own writes need no retries)
            results = SyncService(store.engine, client, page_size=10).sync()
            assert all(r.outcome == "succeeded" for r in results), [(r.feed, r.outcome) for r in results]
        entries = requests_from(sim)
        sim.admin("POST", "faults", dict.fromkeys(RATES, 0.0))

        # Then no request started while a 429's or a 503's Retry-After was running
        violations, in_flight, waits = retry_after_violations(
            entries, in_flight_allowance=IN_FLIGHT_ALLOWANCE, statuses=(429, 503)
        )
        # (the helper counts Retry-After from the end of the throttled answer as the simulator timed it, a few
        # milliseconds after the client may have read it; a request is early for certain only if it started
        # before the throttled request's own start plus Retry-After)
        violations = [
            v
            for v in violations
            if float(v["request"]["ts"]) < float(v["throttle"]["ts"]) + v["throttle"]["retry_after"]
        ]
        counts = fault_counts(entries)
        report(
            f"faults (seed {seed}, {rounds} rounds): {dict(counts)}; Retry-After waits {waits}, in flight {in_flight}"
        )
        assert not violations, f"seed {seed}: {violations[:3]}"
        assert counts["429"] >= 3, dict(counts)
        if soak():  # (enough requests that every kind of fault is all but certain to have been drawn)
            kinds = ("429", "503", "503 with Retry-After", "connection dropped", "connection reset")
            for kind in (*kinds, "response lost after the request was carried out"):
                assert counts[kind] >= 1, f"seed {seed}: no {kind} was injected: {dict(counts)}"
        # And nothing was lost: TRS equals DQT, no event twice, every TRS edit written to DQT once
        assert_in_step(sim, store.engine, lambda: new_store("sqlite").engine, context=f"seed {seed}")
        writes = dqt_writes_per_message(store.engine, sim)
        assert writes, "no TRS edit was relayed"
        assert all(n == 1 for n in writes.values()), {m: n for m, n in writes.items() if n != 1}
        known = {k: len(v) for k, v in KNOWN_DIFFERENCES.items()}
        report(f"edits relayed once each: {len(writes)}; known defects seen: {known}")
    finally:
        client.close()


def with_faults_off(sim: SimulatorHandle, action: Callable[[], object]) -> None:
    """Run a DQT user's writes without faults (their retries are not what is tested), then restore them."""
    saved = sim.admin("GET", "faults")
    sim.admin("POST", "faults", dict.fromkeys(RATES, 0.0))
    try:
        action()
    finally:
        sim.admin("POST", "faults", {k: saved[k] for k in FAULTS})
