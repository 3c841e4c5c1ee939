"""The scheduler's logic: every interval, ask for one sync of each feed that is not paused, exactly once.

Several schedulers may run for availability. Two independent guards keep a tick from being enqueued twice
(ADR 0041):

* **a leader lease** (``<prefix>:scheduler:leader``, see :mod:`bridge.leases`): only its holder ticks; the
  others retry every third of the lease's lifetime and take over within one lease lifetime of a crash;
* **a per-slot idempotency key** (``<prefix>:tick:<entity set>:<slot>``, ``SET NX PX``), where ``slot`` is the
  interval number on Redis's clock: even two schedulers that both believe they lead (one stalled past its
  lease) cannot enqueue the same slot twice.

A third key, ``<prefix>:pending:<entity set>``, *coalesces*: while a sync of a feed is queued and not yet
started, later ticks do not queue another (the worker clears it when it starts), so a stopped fleet does not
come back to a queue of thousands of identical syncs. It expires after ``pending_ttl`` in case a message is
lost. Paused feeds are skipped (``is_paused``, normally :func:`bridge.pauses.is_paused` on the TRS store).

Sending is a callback (``enqueue(entity_set, slot)``), so this module knows nothing of dramatiq.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import structlog

from bridge.feeds import FEEDS, Feed
from bridge.leases import Lease, LeaseBackend, try_lease

log = structlog.get_logger("bridge.scheduling")

Enqueue = Callable[[str, int], None]
#: Milliseconds since the epoch on the fleet's shared clock (Redis ``TIME``).
ClockMs = Callable[[], int]
TickObserver = Callable[[str, str], None]


def local_clock_ms() -> int:
    return time.time_ns() // 1_000_000


def redis_clock_ms(redis: object) -> ClockMs:
    """Redis's clock, shared by every scheduler whatever their hosts' clocks say."""

    def now() -> int:
        seconds, micros = redis.time()  # type: ignore[attr-defined]
        return int(seconds) * 1000 + int(micros) // 1000

    return now


@dataclass(frozen=True, slots=True)
class TickResult:
    slot: int
    outcomes: dict[str, str]  # entity set -> enqueued | duplicate | coalesced | paused | failed


class Scheduler:
    """Ticks every ``interval`` seconds while it holds the leader lease (see the module docstring)."""

    def __init__(
        self,
        backend: LeaseBackend,
        is_paused: Callable[[str], bool],
        enqueue: Enqueue,
        *,
        prefix: str,
        interval: float,
        lease_ttl: float,
        clock_ms: ClockMs = local_clock_ms,
        feeds: Sequence[Feed] = FEEDS,
        name: str | None = None,
        pending_ttl: float | None = None,
        observer: TickObserver | None = None,
    ) -> None:
        if interval <= 0:
            raise ValueError("the interval must be positive")
        self.backend = backend
        self.is_paused = is_paused
        self.enqueue = enqueue
        self.prefix = prefix
        self.interval_ms = max(1, int(interval * 1000))
        self.lease_ttl_ms = max(100, int(lease_ttl * 1000))
        self.clock_ms = clock_ms
        self.feeds = list(feeds)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.pending_ttl_ms = int((pending_ttl or max(10 * interval, 2 * lease_ttl, 60.0)) * 1000)
        self.observer = observer
        self.leader: Lease | None = None

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def pending_key(self, entity_set: str) -> str:
        return self.key("pending", entity_set)

    def _lead(self) -> bool:
        if self.leader is not None and not self.leader.held:
            log.warning("scheduler_leadership_lost", scheduler=self.name)
            self.leader = None
        if self.leader is None:
            self.leader = try_lease(self.backend, self.key("scheduler", "leader"), self.lease_ttl_ms)
            if self.leader is not None:
                log.info("scheduler_leading", scheduler=self.name)
        return self.leader is not None

    def tick(self, now_ms: int | None = None) -> TickResult:
        """Queue this slot's sync of every feed (idempotent per slot; see the module docstring)."""
        now_ms = self.clock_ms() if now_ms is None else now_ms
        slot = now_ms // self.interval_ms
        outcomes: dict[str, str] = {}
        for feed in self.feeds:
            entity_set = feed.entity_set
            try:
                if self.is_paused(entity_set):
                    outcome = "paused"
                elif not self.backend.set_once(
                    self.key("tick", entity_set, str(slot)), self.name, max(2 * self.interval_ms, 1000)
                ):
                    outcome = "duplicate"
                elif not self.backend.set_once(self.pending_key(entity_set), str(slot), self.pending_ttl_ms):
                    outcome = "coalesced"
                else:
                    try:
                        self.enqueue(entity_set, slot)
                    except BaseException:
                        self.backend.delete(self.pending_key(entity_set))
                        raise
                    outcome = "enqueued"
            except Exception as error:
                outcome = "failed"
                log.error("tick_failed", entity_set=entity_set, slot=slot, error_type=type(error).__name__)
            outcomes[entity_set] = outcome
            if self.observer is not None:
                self.observer(entity_set, outcome)
            if outcome == "enqueued":
                log.info("tick_enqueued", entity_set=entity_set, slot=slot, scheduler=self.name)
            else:
                log.debug("tick_skipped", entity_set=entity_set, slot=slot, outcome=outcome)
        return TickResult(slot, outcomes)

    def run(self, stop: threading.Event) -> None:
        """Lead or stand by until ``stop`` is set; tick once per slot while leading."""
        last_slot: int | None = None
        try:
            while not stop.is_set():
                wait = self.lease_ttl_ms / 3000
                try:
                    if self._lead():
                        now_ms = self.clock_ms()
                        slot = now_ms // self.interval_ms
                        if slot != last_slot:
                            self.tick(now_ms)
                            last_slot = slot
                        next_slot_in = ((slot + 1) * self.interval_ms - now_ms) / 1000
                        wait = min(wait, max(0.01, next_slot_in))
                except Exception as error:  # Redis away: keep trying, never die
                    log.error("scheduler_error", scheduler=self.name, error_type=type(error).__name__, error=str(error))
                    wait = min(wait, 1.0)
                stop.wait(wait)
        finally:
            if self.leader is not None:
                self.leader.release()
                self.leader = None
            log.info("scheduler_stopped", scheduler=self.name)
