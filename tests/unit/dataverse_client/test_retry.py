"""Retry decisions: what is retried, how long each wait is, the shared gate, and the total budget."""

from __future__ import annotations

import threading
import time

import pytest

from dataverse_client import (
    AuthError,
    BadRequest,
    ConcurrencyConflict,
    DataverseError,
    LocalRetryAfterGate,
    NotFound,
    RetryPolicy,
    ServiceUnavailable,
    Throttled,
    TransportError,
)

from .handler_adapter import FakeClock


def throttled(retry_after: float | None = 2.0) -> Throttled:
    return Throttled("Number of requests exceeded the limit", retry_after=retry_after, code="0x80072322")


class TestDecisions:
    @pytest.mark.parametrize(
        ("error", "idempotent", "retry"),
        [
            (throttled(), True, True),
            (throttled(), False, True),  # service protection refuses before running anything
            (ServiceUnavailable("x", status=503), True, True),
            (ServiceUnavailable("x", status=502), True, True),
            (ServiceUnavailable("x", status=504), True, True),
            (ServiceUnavailable("x", status=503), False, False),  # a create may have landed
            (ServiceUnavailable("x", status=500), True, False),
            (TransportError("reset"), True, True),
            (TransportError("reset"), False, False),
            (TransportError("certificate verify failed", transient=False), True, False),
            (BadRequest("x", status=400), True, False),
            (AuthError("x", status=401), True, False),
            (AuthError("x", status=403), True, False),
            (NotFound("x", status=404), True, False),
            (ConcurrencyConflict("x", status=412), True, False),
            (ValueError("bug"), True, False),
        ],
    )
    def test_should_retry(self, error: BaseException, idempotent: bool, retry: bool) -> None:
        assert RetryPolicy().should_retry(error, idempotent=idempotent) is retry

    def test_retry_after_is_the_wait_exactly(self) -> None:
        gate = LocalRetryAfterGate()
        assert RetryPolicy().wait_for(throttled(2.0), 1, gate) == 2.0
        assert RetryPolicy().wait_for(throttled(37.5), 9, gate) == 37.5  # never capped

    def test_without_retry_after_backoff_is_exponential_with_bounded_jitter(self) -> None:
        policy = RetryPolicy(backoff_base=0.5, backoff_max=4.0, jitter=0.25)
        gate = LocalRetryAfterGate()
        for attempt, base in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (10, 4.0)]:
            waits = [policy.wait_for(throttled(None), attempt, gate) for _ in range(50)]
            assert all(base <= w <= base + 0.25 for w in waits)
            assert len(set(waits)) > 1  # jittered

    def test_wait_never_ends_before_the_gate_opens(self) -> None:
        clock = FakeClock()
        gate = LocalRetryAfterGate(clock=clock, sleep=clock.sleep)
        gate.defer(10.0)
        assert RetryPolicy().wait_for(ServiceUnavailable("x", status=503), 1, gate) >= 10.0
        assert RetryPolicy().wait_for(throttled(2.0), 1, gate) == 10.0


class TestGate:
    def test_defer_never_shortens_and_wait_sleeps_the_remainder(self) -> None:
        clock = FakeClock()
        gate = LocalRetryAfterGate(clock=clock, sleep=clock.sleep)
        assert gate.wait() == 0.0
        gate.defer(5.0)
        gate.defer(1.0)
        assert gate.remaining() == 5.0
        clock.now += 2.0
        assert gate.wait() == 3.0
        assert gate.remaining() == 0.0

    def test_threads_waiting_on_one_gate_all_wait(self) -> None:
        gate = LocalRetryAfterGate()
        gate.defer(0.3)
        started = time.monotonic()
        elapsed: list[float] = []

        def worker() -> None:
            gate.wait()
            elapsed.append(time.monotonic() - started)

        threads = [threading.Thread(target=worker) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(elapsed) == 3
        assert min(elapsed) >= 0.3


class TestCall:
    def test_429_then_success_sleeps_retry_after_and_moves_the_gate(self) -> None:
        clock = FakeClock()
        gate = LocalRetryAfterGate(clock=clock, sleep=clock.sleep)
        outcomes: list[BaseException | str] = [throttled(2.0), "ok"]
        attempts: list[int] = []

        def fn(attempt: int) -> str:
            attempts.append(attempt)
            outcome = outcomes.pop(0)
            if isinstance(outcome, BaseException):
                raise outcome
            return outcome

        assert RetryPolicy().call(fn, idempotent=False, gate=gate, sleep=clock.sleep) == "ok"
        assert attempts == [1, 2]
        assert clock.sleeps == [2.0]  # the retry wait; the gate was already open again afterwards

    def test_503_with_retry_after_waits_it_out_and_moves_the_gate(self) -> None:
        clock = FakeClock()
        gate = LocalRetryAfterGate(clock=clock, sleep=clock.sleep)
        outcomes: list[BaseException | str] = [ServiceUnavailable("busy", status=503, retry_after=7.0), "ok"]

        def fn(attempt: int) -> str:
            outcome = outcomes.pop(0)
            if isinstance(outcome, BaseException):
                raise outcome
            return outcome

        assert RetryPolicy().call(fn, idempotent=True, gate=gate, sleep=clock.sleep) == "ok"
        assert clock.sleeps == [7.0]  # Retry-After, not a half-second backoff

    def test_a_non_idempotent_503_with_retry_after_still_holds_the_gate(self) -> None:
        gate = LocalRetryAfterGate()

        def fn(attempt: int) -> str:
            raise ServiceUnavailable("busy", status=503, retry_after=30.0)

        with pytest.raises(ServiceUnavailable):
            RetryPolicy().call(fn, idempotent=False, gate=gate, sleep=lambda s: None)
        assert 29 < gate.remaining() <= 30  # every other call of the client waits with it

    def test_non_retryable_error_raises_at_once(self) -> None:
        calls = 0

        def fn(attempt: int) -> str:
            nonlocal calls
            calls += 1
            raise NotFound("gone", status=404)

        with pytest.raises(NotFound):
            RetryPolicy().call(fn, idempotent=True, gate=LocalRetryAfterGate(), sleep=lambda s: None)
        assert calls == 1

    def test_non_idempotent_503_is_not_retried(self) -> None:
        calls = 0

        def fn(attempt: int) -> str:
            nonlocal calls
            calls += 1
            raise ServiceUnavailable("busy", status=503)

        with pytest.raises(ServiceUnavailable):
            RetryPolicy().call(fn, idempotent=False, gate=LocalRetryAfterGate(), sleep=lambda s: None)
        assert calls == 1

    def test_a_retry_after_beyond_the_budget_raises_the_throttle_instead_of_waiting(self) -> None:
        clock = FakeClock()
        gate = LocalRetryAfterGate(clock=clock, sleep=clock.sleep)

        def fn(attempt: int) -> str:
            raise throttled(60.0)

        with pytest.raises(Throttled) as info:
            RetryPolicy(max_retry_seconds=30).call(fn, idempotent=True, gate=gate, sleep=clock.sleep)
        assert info.value.retry_after == 60.0
        assert clock.sleeps == []
        assert gate.remaining() == 60.0  # other calls still hold off

    def test_total_retry_time_is_bounded_in_real_time(self) -> None:
        calls = 0

        def fn(attempt: int) -> str:
            nonlocal calls
            calls += 1
            raise ServiceUnavailable("busy", status=503)

        policy = RetryPolicy(max_retry_seconds=0.6, backoff_base=0.05, backoff_max=0.1, jitter=0.0)
        started = time.monotonic()
        with pytest.raises(ServiceUnavailable):
            policy.call(fn, idempotent=True, gate=LocalRetryAfterGate())
        elapsed = time.monotonic() - started
        assert elapsed < 0.6
        assert calls >= 4

    def test_zero_budget_means_one_attempt(self) -> None:
        calls = 0

        def fn(attempt: int) -> str:
            nonlocal calls
            calls += 1
            raise TransportError("reset")

        with pytest.raises(DataverseError):
            RetryPolicy(max_retry_seconds=0).call(fn, idempotent=True, gate=LocalRetryAfterGate())
        assert calls == 1
