"""The actors and middleware on dramatiq's StubBroker, with a fake runtime: retries are bounded, a give-up is
recorded, waiting re-enqueues without spending a retry, log context never leaks, tracebacks leave no values."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import dramatiq
import pytest
import structlog
from dramatiq.brokers.stub import StubBroker

from bridge.errors import CommandRejected
from bridge.fleet import FleetSettings
from bridge.rate_limit import RateLimitWaitTooLong
from bridge.worker import Runtime
from dataverse_client import Throttled
from jobs.actors import Actors, declare_actors
from jobs.broker import build_broker


@dataclass
class FakeRuntime:
    """Stands in for :class:`bridge.worker.Runtime`: scripted outcomes per call, and what it was asked."""

    script: list[Any] = field(default_factory=list)
    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    gave_up: list[dict[str, Any]] = field(default_factory=list)
    contexts: list[dict[str, Any]] = field(default_factory=list)
    stop_event: threading.Event = field(default_factory=threading.Event)

    def _next(self, name: str, *args: Any) -> Any:
        self.calls.append((name, args))
        self.contexts.append(dict(structlog.contextvars.get_contextvars()))
        structlog.contextvars.bind_contextvars(run_id=f"run-{len(self.calls)}", page=7)  # as the sync does
        outcome = self.script.pop(0) if self.script else "synced"
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def sync_entity(self, entity: str, *, tick: int | None = None) -> str:
        return cast(str, self._next("sync_entity", entity, tick))

    def backfill_shard(self, run_id: str, shard: int) -> str:
        return cast(str, self._next("backfill_shard", run_id, shard))

    def replay_failed(self, ids: list[int]) -> str:
        return cast(str, self._next("replay_failed", ids))

    def record_gave_up(self, actor: str, args: list[Any], **kwargs: Any) -> str:
        self.gave_up.append({"actor": actor, "args": args, **kwargs})
        return "run-id"

    def request_stop(self) -> None:
        self.stop_event.set()


@dataclass
class Harness:
    broker: StubBroker
    actors: Actors
    runtime: FakeRuntime
    worker: dramatiq.Worker

    def drain(self) -> None:
        for queue in ("sync", "backfill", "replay"):
            self.broker.join(queue, fail_fast=False)
        self.worker.join()


@pytest.fixture
def harness() -> Iterator[Harness]:
    fake = FakeRuntime()
    fleet = FleetSettings(max_retries=2, min_backoff_seconds=0.01, max_backoff_seconds=0.02)

    def factory() -> Runtime:
        return cast(Runtime, fake)

    broker = build_broker(fleet, factory)
    assert isinstance(broker, StubBroker)
    actors = declare_actors(broker, factory, fleet)
    broker.emit_after("process_boot")
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=50)
    worker.start()
    yield Harness(broker, actors, fake, worker)
    worker.stop()
    broker.close()


def test_a_job_runs_its_use_case_with_the_ids_it_carries(harness: Harness) -> None:
    harness.actors.sync_entity.send("contacts", tick=42)
    harness.actors.backfill_shard.send("run-1", 3)
    harness.actors.replay_failed.send([1, 2])
    harness.drain()
    assert sorted(harness.runtime.calls) == [
        ("backfill_shard", ("run-1", 3)),
        ("replay_failed", ([1, 2],)),
        ("sync_entity", ("contacts", 42)),
    ]
    assert harness.runtime.gave_up == []


def test_retries_are_bounded_and_the_give_up_is_recorded(harness: Harness) -> None:
    harness.runtime.script = [RuntimeError("boom")] * 5
    message = harness.actors.sync_entity.send("contacts")
    harness.drain()
    assert len(harness.runtime.calls) == 3  # the first attempt and max_retries=2
    (record,) = harness.runtime.gave_up
    assert record["actor"] == "sync_entity"
    assert record["args"] == ["contacts"]
    assert record["message_id"] == message.message_id
    assert record["attempts"] == 3
    assert isinstance(record["error"], RuntimeError)
    assert len(harness.broker.dead_letters) == 1


def test_an_operator_error_is_not_retried_but_still_recorded(harness: Harness) -> None:
    harness.runtime.script = [CommandRejected("unknown entity nope")]
    harness.actors.sync_entity.send("nope")
    harness.drain()
    assert len(harness.runtime.calls) == 1
    assert harness.runtime.gave_up[0]["attempts"] == 1


@pytest.mark.parametrize("wait", [RateLimitWaitTooLong("waited", retry_in=0.01), Throttled("busy", retry_after=0.01)])
def test_waiting_re_enqueues_the_same_message_without_spending_a_retry(harness: Harness, wait: Exception) -> None:
    harness.runtime.script = [wait, wait, wait, wait, "synced"]  # more waits than retries allowed
    seen: list[dramatiq.Message[Any]] = []

    class Spy(dramatiq.Middleware):
        def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
            seen.append(message)

    harness.broker.add_middleware(Spy())
    message = harness.actors.sync_entity.send("contacts")
    harness.drain()
    assert len(harness.runtime.calls) == 5
    assert harness.runtime.gave_up == []
    assert {m.message_id for m in seen} == {message.message_id}
    assert [m.options.get("retries", 0) for m in seen] == [0, 0, 0, 0, 0]
    assert [m.options.get("deferrals", 0) for m in seen] == [0, 1, 2, 3, 4]


def test_log_context_is_fresh_for_every_message(harness: Harness) -> None:
    structlog.contextvars.bind_contextvars(leftover="from the main thread")
    harness.actors.sync_entity.send("contacts")
    harness.drain()
    harness.actors.sync_entity.send("dfeta_sanctions")
    harness.drain()
    first, second = harness.runtime.contexts
    assert first["entity"] == "contacts"
    assert second["entity"] == "dfeta_sanctions"
    assert "run_id" not in second
    assert "page" not in second
    assert "leftover" not in first
    assert first["message_id"] != second["message_id"]
    structlog.contextvars.clear_contextvars()


def test_a_retried_message_keeps_only_the_exception_type_of_its_traceback(harness: Harness) -> None:
    harness.runtime.script = [ValueError("Jane Example, born 1980-05-17"), "synced"]
    stored: list[str] = []

    class Spy(dramatiq.Middleware):
        def after_enqueue(self, broker: dramatiq.Broker, message: Any, delay: int) -> None:
            stored.append(message.encode().decode())

    harness.broker.add_middleware(Spy())
    harness.actors.sync_entity.send("contacts")
    harness.drain()
    retry = stored[-1]
    assert "ValueError (details in the worker log)" in retry
    assert "Jane" not in retry
    assert "1980" not in retry


def test_a_shutdown_sets_the_stop_flag(harness: Harness) -> None:
    harness.worker.stop()
    assert harness.runtime.stop_event.is_set()
