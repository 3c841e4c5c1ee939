"""When to try a Dataverse call again, and how long to wait first.

The policy (:class:`RetryPolicy`, run by tenacity):

* **429 Throttled** is retried for every request, because service protection refuses a request
  before running it. The wait is *exactly* the ``Retry-After`` Dataverse gave (never less; only when
  it is absent do we back off exponentially), and the pause is shared: the throttled call records a
  "not before" instant in a :class:`RetryAfterGate`, and every call of the same client consults the
  gate before sending, so a throttled client goes quiet rather than having its other threads keep
  hammering (which makes Dataverse lengthen the penalty).
* **502/503/504 and connection failures** (but not a rejected TLS certificate) are retried with
  exponential backoff plus jitter, only for idempotent requests, because the first attempt may have
  been carried out. A 503 that carries ``Retry-After`` (a busy front end's "come back in n seconds")
  is waited out exactly like a 429's, and moves the shared gate too, whether or not it is retried:

  - ``GET`` always;
  - ``PATCH`` and ``DELETE``: repeating them leaves the same end state (a conditional one may then
    report ``ConcurrencyConflict``/``NotFound`` if the first attempt landed: a visible, safe outcome);
  - ``POST`` that creates a record with a client-chosen primary key: a repeat cannot make a second
    record (at worst it reports ``DuplicateRecord``);
  - ``$batch`` when every operation in it is idempotent by these rules;
  - anything else (a ``POST`` without an id, an action) is **not** retried.
* **Everything else** (400, 401 after its one refresh, 403, 404, 412, 500 ...) raises at once.
* All retrying of one call is bounded by ``max_retry_seconds``: a wait that would end past the budget
  is not started, and the last typed error is raised instead.

The gate is a protocol so a fleet-wide gate (say, a Redis key holding the instant) can replace the
in-process :class:`LocalRetryAfterGate` without touching the client.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_before_delay

from .errors import ServiceUnavailable, Throttled, TransportError

__all__ = ["LocalRetryAfterGate", "RetryAfterGate", "RetryPolicy"]

T = TypeVar("T")


class RetryAfterGate(Protocol):
    """A shared "no request before" instant for everything that uses one Dataverse identity."""

    def defer(self, seconds: float) -> None:
        """Hold every request for at least ``seconds`` from now (never shortens an existing hold)."""

    def remaining(self) -> float:
        """Seconds until requests may be sent again (0 when they may go now)."""

    def wait(self) -> float:
        """Block until requests may be sent; return the seconds spent waiting."""


class LocalRetryAfterGate:
    """A :class:`RetryAfterGate` for one process: a monotonic instant under a lock."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._not_before = 0.0

    def defer(self, seconds: float) -> None:
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + max(0.0, seconds))

    def remaining(self) -> float:
        with self._lock:
            return max(0.0, self._not_before - self._clock())

    def wait(self) -> float:
        waited = 0.0
        while (pause := self.remaining()) > 0:  # re-check: another thread may have pushed it later
            self._sleep(pause)
            waited += pause
        return waited


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Which failures to retry and how long to wait (see the module docstring for the rules)."""

    #: Total seconds one call may spend retrying (waits included) before the last error is raised.
    max_retry_seconds: float = 120.0
    #: First exponential backoff, seconds; doubled on every further attempt.
    backoff_base: float = 0.5
    #: Longest single exponential backoff, seconds (Retry-After is never capped).
    backoff_max: float = 30.0
    #: Random seconds (uniform 0..jitter) added to each exponential backoff.
    jitter: float = 0.5

    def should_retry(self, error: BaseException, *, idempotent: bool) -> bool:
        if isinstance(error, Throttled):
            return True
        if isinstance(error, ServiceUnavailable):
            return idempotent and error.transient
        if isinstance(error, TransportError):
            return idempotent and error.transient
        return False

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter after the ``attempt``-th (1-based) failure."""
        exponential = min(self.backoff_max, self.backoff_base * 2.0 ** max(0, attempt - 1))
        return exponential + random.uniform(0, self.jitter)  # noqa: S311 - jitter, not cryptography

    def wait_for(self, error: BaseException | None, attempt: int, gate: RetryAfterGate) -> float:
        """Seconds to wait after ``error`` ended attempt number ``attempt``."""
        retry_after = _retry_after(error)
        if retry_after is not None:
            return max(retry_after, gate.remaining())
        return max(self.backoff(attempt), gate.remaining())

    def call(
        self,
        fn: Callable[[int], T],
        *,
        idempotent: bool,
        gate: RetryAfterGate,
        sleep: Callable[[float], None] = time.sleep,
    ) -> T:
        """Run ``fn(attempt_number)`` until it succeeds, a failure is not retryable, or the budget is
        spent. Every attempt first waits for ``gate``; a 429 with ``Retry-After`` moves the gate."""
        attempts = 0

        def once() -> T:
            nonlocal attempts
            attempts += 1
            gate.wait()
            try:
                return fn(attempts)
            except (Throttled, ServiceUnavailable) as exc:
                if exc.retry_after is not None:
                    gate.defer(exc.retry_after)
                raise

        def wait(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            return self.wait_for(error, state.attempt_number, gate)

        retrying = Retrying(
            retry=retry_if_exception(lambda exc: self.should_retry(exc, idempotent=idempotent)),
            wait=wait,
            stop=stop_before_delay(self.max_retry_seconds),
            sleep=sleep,
            reraise=True,
        )
        return retrying(once)


def _retry_after(error: BaseException | None) -> float | None:
    """The server's ``Retry-After`` carried by a 429 or a 503, if any."""
    if isinstance(error, Throttled | ServiceUnavailable):
        return error.retry_after
    return None
