"""The scheduler's tick rules and the in-memory lease backend (the embedded mode), without Redis."""

from __future__ import annotations

import collections
import threading
import time

import pytest

from bridge.feeds import FEEDS
from bridge.leases import LocalLeaseBackend, try_lease
from bridge.scheduling import Scheduler


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(
    backend: LocalLeaseBackend, sent: list[tuple[str, int]], paused: set[str] | None = None, **kwargs: object
) -> Scheduler:
    return Scheduler(
        backend,
        lambda entity_set: entity_set in (paused or set()),
        lambda entity_set, slot: sent.append((entity_set, slot)),
        prefix="p",
        interval=10,
        lease_ttl=30,
        **kwargs,  # type: ignore[arg-type]
    )


class TestLocalLeases:
    def test_set_once_renew_release_and_expiry(self) -> None:
        clock = Clock()
        backend = LocalLeaseBackend(clock=clock)
        assert backend.try_acquire("k", "a", 1000)
        assert not backend.try_acquire("k", "b", 1000)
        assert not backend.renew("k", "b", 1000)
        assert not backend.release("k", "b")
        clock.now += 0.9
        assert backend.renew("k", "a", 1000)
        clock.now += 0.9
        assert backend.owner("k") == "a"  # renewed, so still held
        clock.now += 0.2
        assert backend.owner("k") is None  # expired
        assert backend.try_acquire("k", "b", 1000)

    def test_a_lease_is_renewed_while_held_and_knows_when_it_is_lost(self) -> None:
        backend = LocalLeaseBackend()
        lease = try_lease(backend, "k", 100)
        assert lease is not None
        time.sleep(0.3)
        assert lease.held
        assert try_lease(backend, "k", 100) is None
        backend.delete("k")
        backend.set_once("k", "intruder", 10_000)
        deadline = time.monotonic() + 2
        while not lease.lost.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert lease.lost.is_set()
        assert not lease.release()
        assert backend.owner("k") == "intruder"

    def test_a_lease_must_last_long_enough_to_renew(self) -> None:
        with pytest.raises(ValueError, match="at least"):
            try_lease(LocalLeaseBackend(), "k", 5)


class TestTicks:
    def test_a_slot_is_enqueued_once_per_feed(self) -> None:
        backend, sent = LocalLeaseBackend(), list[tuple[str, int]]()
        scheduler = make(backend, sent)
        first = scheduler.tick(now_ms=100_000)
        assert set(first.outcomes.values()) == {"enqueued"}
        assert sent == [(f.entity_set, 10) for f in FEEDS]
        for feed in FEEDS:  # the worker starts each sync, clearing the coalescing marker
            backend.delete(scheduler.pending_key(feed.entity_set))
        again = make(backend, sent, name="another").tick(now_ms=105_000)  # same slot, another scheduler
        assert set(again.outcomes.values()) == {"duplicate"}
        assert len(sent) == len(FEEDS)

    def test_a_queued_sync_coalesces_later_ticks_until_a_worker_starts_it(self) -> None:
        backend, sent = LocalLeaseBackend(), list[tuple[str, int]]()
        scheduler = make(backend, sent)
        scheduler.tick(now_ms=100_000)
        second = scheduler.tick(now_ms=110_000)
        assert set(second.outcomes.values()) == {"coalesced"}
        backend.delete(scheduler.pending_key("contacts"))
        third = scheduler.tick(now_ms=120_000)
        assert third.outcomes["contacts"] == "enqueued"
        assert third.outcomes["dfeta_sanctions"] == "coalesced"

    def test_a_paused_feed_is_skipped(self) -> None:
        backend, sent = LocalLeaseBackend(), list[tuple[str, int]]()
        result = make(backend, sent, paused={"contacts"}).tick(now_ms=100_000)
        assert result.outcomes["contacts"] == "paused"
        assert "contacts" not in {entity_set for entity_set, _ in sent}

    def test_a_failed_enqueue_does_not_leave_the_feed_coalesced(self) -> None:
        backend = LocalLeaseBackend()

        def broken(entity_set: str, slot: int) -> None:
            raise ConnectionError("redis went away")

        scheduler = Scheduler(backend, lambda e: False, broken, prefix="p", interval=10, lease_ttl=30)
        result = scheduler.tick(now_ms=100_000)
        assert set(result.outcomes.values()) == {"failed"}
        assert backend.owner(scheduler.pending_key("contacts")) is None

    def test_two_running_schedulers_tick_every_slot_exactly_once(self) -> None:
        backend, sent = LocalLeaseBackend(), list[tuple[str, int]]()
        lock = threading.Lock()

        def enqueue(entity_set: str, slot: int) -> None:
            with lock:
                sent.append((entity_set, slot))
            backend.delete(f"p:pending:{entity_set}")  # a worker picks it up at once

        schedulers = [
            Scheduler(backend, lambda e: False, enqueue, prefix="p", interval=0.05, lease_ttl=0.3, name=f"s{i}")
            for i in range(2)
        ]
        stop = threading.Event()
        threads = [threading.Thread(target=s.run, args=(stop,)) for s in schedulers]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        stop.set()
        for thread in threads:
            thread.join(5)
        counts = collections.Counter(sent)
        assert counts
        assert max(counts.values()) == 1
        slots = sorted({slot for _, slot in sent})
        assert len(slots) >= 10  # it kept ticking, roughly every 50 ms
        assert sum(1 for s in schedulers if s.leader is None) == 2  # both let go of the lease on stop
