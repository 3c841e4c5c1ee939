"""Switchable fault injection, reproducible through a seeded ``random.Random``.

Per Web API request, in this order: drop the connection (close the socket without answering, FIN), reset
it (TCP RST, as a load balancer or a dying front end does), add latency, answer 503 without and then with
``Retry-After``, answer 429 with the configured ``Retry-After``, and finally, for a request that got through,
maybe lose its response (the request is carried out, a write included, and the connection closes before the
answer: what a client sees when a network path dies mid-response). Each request draws the same number of
random values whatever the outcome, so a given seed gives the same fault sequence.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, replace

from dqt_simulator.config import Faults, update_dataclass
from dqt_simulator.errors import ApiError


@dataclass(frozen=True, slots=True)
class FaultDecision:
    drop: bool = False
    reset: bool = False  # with ``drop``: abort with a TCP RST instead of closing
    drop_after: bool = False  # carry the request out, then drop the connection instead of answering
    latency_ms: int = 0
    error: ApiError | None = None


def injected_429(retry_after: int) -> ApiError:
    return ApiError(
        429,
        "0x80072322",
        "Number of requests exceeded the limit of 6000 over time window of 300 seconds.",
        {"Retry-After": str(retry_after)},
    )


def injected_503(retry_after: int | None = None) -> ApiError:
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    return ApiError(503, "0x80040216", "The service is temporarily unavailable. Please retry the request.", headers)


class FaultInjector:
    def __init__(self, faults: Faults, seed: int) -> None:
        self._initial = replace(faults)
        self.faults = replace(faults)
        self._seed = seed
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def update(self, values: dict[str, object]) -> Faults:
        with self._lock:
            updated = replace(self.faults)
            update_dataclass(updated, values)
            self.faults = updated
            return updated

    def reset(self) -> None:
        with self._lock:
            self.faults = replace(self._initial)
            self._rng = random.Random(self._seed)

    def draw(self) -> FaultDecision:
        with self._lock:
            faults = self.faults
            rolls = [self._rng.random() for _ in range(6)]
        drop_roll, reset_roll, roll_503, roll_503_retry_after, roll_429, drop_after_roll = rolls
        if drop_roll < faults.drop_rate:
            return FaultDecision(drop=True)
        if reset_roll < faults.reset_rate:
            return FaultDecision(drop=True, reset=True)
        if roll_503 < faults.rate_503:
            return FaultDecision(latency_ms=faults.latency_ms, error=injected_503())
        if roll_503_retry_after < faults.rate_503_retry_after:
            return FaultDecision(latency_ms=faults.latency_ms, error=injected_503(faults.retry_after))
        if roll_429 < faults.rate_429:
            return FaultDecision(latency_ms=faults.latency_ms, error=injected_429(faults.retry_after))
        return FaultDecision(latency_ms=faults.latency_ms, drop_after=drop_after_roll < faults.drop_after_rate)
