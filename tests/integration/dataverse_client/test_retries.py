"""Service protection and transient faults against the simulator, measured from its request log."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest

from dataverse_client import CallRecord, DataverseClient, ServiceUnavailable, Throttled
from tests.support.simulator import SimulatorHandle

from .conftest import api_log, now, settings_for

pytestmark = pytest.mark.integration

#: Slack for comparing the simulator's wall-clock stamps with each other (float rounding only).
CLOCK_SLACK = 0.005


def gaps_after_429s(log: list[dict[str, Any]]) -> list[tuple[float, float]]:
    """For every 429 in ``log``: (its Retry-After, seconds until the next request *arrived*)."""
    gaps = []
    for i, entry in enumerate(log):
        if entry["status"] == 429 and i + 1 < len(log):
            later = [e["arrived"] for e in log[i + 1 :]]
            gaps.append((float(entry["retry_after"]), min(later) - entry["ts"]))
    return gaps


@dataclass(frozen=True)
class Attempt:
    """One HTTP attempt as the client saw it: which thread, when it started and ended (wall clock)."""

    thread: str
    started: float
    ended: float
    status: int | None


def test_retry_after_is_honoured_by_every_call_of_the_client(
    simulator: SimulatorHandle, client: DataverseClient, record_property: Any
) -> None:
    # Given a client with a token already cached, whose attempts we time per thread,
    # and a simulator that answers everything with 429 + Retry-After: 2 for a while
    attempts: list[Attempt] = []

    def timed(record: CallRecord) -> None:
        ended = time.time()
        attempts.append(Attempt(threading.current_thread().name, ended - record.duration_s, ended, record.status))

    client.whoami()
    client.add_hook(timed)
    since = now()
    simulator.admin("POST", "faults", {"rate_429": 1.0, "retry_after": 2})
    elapsed: dict[str, float] = {}

    def call() -> None:
        started = time.monotonic()
        client.whoami()
        elapsed[threading.current_thread().name] = time.monotonic() - started

    # When one call starts, and a second call on the same client starts half a second later
    first = threading.Thread(target=call, name="first")
    second = threading.Thread(target=call, name="second")
    first.start()
    time.sleep(0.5)
    second.start()
    time.sleep(2.5)  # let the throttling bite more than once
    simulator.admin("POST", "faults", {"rate_429": 0.0})
    first.join(30)
    second.join(30)

    # Then both calls succeeded, and the simulator really throttled them
    assert set(elapsed) == {"first", "second"}
    log = api_log(simulator, since)
    throttled = [e for e in log if e["status"] == 429]
    assert len(throttled) >= 2
    assert all(e["retry_after"] == 2 for e in throttled)
    assert [a.status for a in attempts].count(429) == len(throttled)
    # And, client side: once any thread had received a 429, no thread *started* a request until
    # Retry-After had passed (requests already on the wire when the 429 arrived are not new sends)
    received_429 = [a.ended for a in attempts if a.status == 429]
    waits = []
    for received in received_429:
        next_starts = [a.started for a in attempts if a.started > received]
        assert next_starts, "every 429 was followed by a retry"
        waits.append(min(next_starts) - received)
    assert all(w >= 2.0 for w in waits), waits
    # And the second call did not send at all until the first call's Retry-After had passed,
    # although it had never been throttled itself
    first_429 = min(received_429)
    second_first_start = min(a.started for a in attempts if a.thread == "second")
    assert second_first_start >= first_429 + 2.0
    assert elapsed["first"] >= 2.0
    # And, server side: every request that arrived within Retry-After of a 429 was one already in
    # flight (it arrived within a quarter second, before the client could have heard of the 429)
    for retry_after, gap in gaps_after_429s(log):
        assert gap >= retry_after - CLOCK_SLACK or gap < 0.25, (retry_after, gap)
    server_gaps = [g for _, g in gaps_after_429s(log) if g >= 0.25]
    assert server_gaps
    assert min(server_gaps) >= 2.0 - CLOCK_SLACK
    record_property("client_min_wait_after_429_s", min(waits))
    record_property("server_min_gap_after_429_s", min(server_gaps))
    print(
        f"\nRetry-After=2s, two threads: {len(throttled)} x 429; client-side min wait before next send "
        f"{min(waits):.4f}s; server-side min gap (429 sent -> next new request arrived) {min(server_gaps):.4f}s; "
        f"second call's first send {second_first_start - first_429:.4f}s after the first 429; "
        f"calls took {elapsed['first']:.3f}s / {elapsed['second']:.3f}s"
    )


def test_request_window_limit_paces_a_sequence_of_calls(simulator: SimulatorHandle, client: DataverseClient) -> None:
    # Given a limit of 3 requests per 2 s window
    client.whoami()
    time.sleep(0.1)
    simulator.admin("POST", "limits", {"requests_per_window": 3, "window_seconds": 2})
    since = now()
    started = time.monotonic()
    # When the client makes 8 calls back to back
    for _ in range(8):
        client.whoami()
    elapsed = time.monotonic() - started
    # Then all succeeded, pacing themselves by Retry-After and never early
    log = api_log(simulator, since)
    assert sum(e["status"] == 200 for e in log) == 8
    gaps = gaps_after_429s(log)
    assert gaps
    assert all(gap >= retry_after - CLOCK_SLACK for retry_after, gap in gaps), gaps
    assert elapsed >= 2.0
    print(f"\nwindow 3/2s: 8 calls in {elapsed:.3f}s, {len(gaps)} x 429, gaps {[round(g, 3) for _, g in gaps]}")


def test_throttling_beyond_the_budget_raises_throttled(simulator: SimulatorHandle) -> None:
    with DataverseClient(settings_for(simulator, max_retry_seconds=3)) as client:
        client.whoami()
        simulator.admin("POST", "faults", {"rate_429": 1.0, "retry_after": 2})
        started = time.monotonic()
        with pytest.raises(Throttled) as info:
            client.whoami()
        elapsed = time.monotonic() - started
    assert info.value.retry_after == 2.0
    assert info.value.limit == "requests"
    assert 2.0 <= elapsed < 3.0  # one wait fitted in the budget, the next would not have


def test_503s_are_retried_until_the_calls_succeed(simulator: SimulatorHandle, client: DataverseClient) -> None:
    client.whoami()
    since = now()
    simulator.admin("POST", "faults", {"rate_503": 0.5})
    for _ in range(15):
        assert client.whoami()["UserId"]
    statuses = [e["status"] for e in api_log(simulator, since)]
    assert statuses.count(200) == 15
    assert statuses.count(503) >= 1  # the fault path really ran


def test_dropped_connections_are_retried_for_reads(simulator: SimulatorHandle, client: DataverseClient) -> None:
    client.whoami()
    since = now()
    simulator.admin("POST", "faults", {"drop_rate": 0.4})
    for _ in range(10):
        assert client.whoami()["UserId"]
    log = api_log(simulator, since)
    assert sum(e["status"] == 200 for e in log) == 10
    assert any(e.get("dropped") for e in log)


def test_a_create_without_an_id_is_not_retried_on_503(
    simulator: SimulatorHandle, client: DataverseClient, marker: str
) -> None:
    client.whoami()
    since = now()
    simulator.admin("POST", "faults", {"rate_503": 1.0})
    with pytest.raises(ServiceUnavailable):
        client.create("contacts", {"lastname": marker})
    assert [e["status"] for e in api_log(simulator, since)] == [503]


def test_the_concurrency_limit_is_survived_by_parallel_calls(
    simulator: SimulatorHandle, client: DataverseClient
) -> None:
    # Given one request at a time allowed, and slow responses so that parallel calls collide
    client.whoami()
    simulator.admin("POST", "limits", {"concurrent": 1})
    simulator.admin("POST", "faults", {"latency_ms": 150})
    since = now()
    errors: list[BaseException] = []

    def call() -> None:
        try:
            client.whoami()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    # When four threads call at once
    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    # Then all succeed, after concurrency 429s that they waited out
    assert errors == []
    log = api_log(simulator, since)
    assert sum(e["status"] == 200 for e in log) == 4
    assert any(e["status"] == 429 for e in log)
