"""The broker: Redis when ``REDIS_URL`` is set, else dramatiq's in-memory StubBroker (the embedded default).

The middleware stack is dramatiq's defaults minus Prometheus' own exporter (we export ours, with queue depth
and dead letters it lacks) plus :mod:`jobs.middleware`:

AgeLimit, TimeLimit, Callbacks, Pipelines, Retries, CurrentMessage, LogContext, ScrubTracebacks,
StopOnShutdown, FailureLedger.

Keys live under ``<prefix>:dramatiq`` (``TRS_BRIDGE_REDIS_PREFIX``), so two bridges (or two test runs) can
share one Redis database without meeting.
"""

from __future__ import annotations

from typing import Any

from dramatiq import Broker
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AgeLimit, Callbacks, CurrentMessage, Middleware, Pipelines, Retries, TimeLimit

from bridge.fleet import QUEUES, FleetSettings
from bridge.worker import RuntimeFactory
from jobs.middleware import FailureLedger, LogContext, ScrubTracebacks, StopOnShutdown


def middleware(fleet: FleetSettings, runtime: RuntimeFactory) -> list[Middleware]:
    return [
        AgeLimit(),
        TimeLimit(time_limit=int(fleet.time_limit_seconds * 1000)),
        Callbacks(),
        Pipelines(),
        Retries(
            max_retries=fleet.max_retries,
            min_backoff=max(1, int(fleet.min_backoff_seconds * 1000)),
            max_backoff=max(1, int(fleet.max_backoff_seconds * 1000)),
        ),
        CurrentMessage(),
        LogContext(),
        ScrubTracebacks(),
        StopOnShutdown(runtime),
        FailureLedger(runtime),
    ]


def build_broker(fleet: FleetSettings, runtime: RuntimeFactory, *, redis: Any | None = None) -> Broker:
    """A broker for ``fleet`` with our middleware and the three queues declared."""
    stack = middleware(fleet, runtime)
    broker: Broker
    if fleet.redis_url is None and redis is None:
        broker = StubBroker(middleware=stack)
    elif redis is not None:
        broker = RedisBroker(client=redis, namespace=fleet.namespace, middleware=stack)  # type: ignore[no-untyped-call]
    else:
        broker = RedisBroker(url=fleet.redis_url, namespace=fleet.namespace, middleware=stack)  # type: ignore[no-untyped-call]
    for queue in QUEUES:
        broker.declare_queue(queue)
    return broker
