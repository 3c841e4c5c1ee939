"""dramatiq actors and the scheduler: thin wrappers that carry ids to ``bridge`` use cases.

Importing ``jobs`` builds the process's broker from the environment (Redis when ``REDIS_URL`` is set, else
the in-memory StubBroker), makes it dramatiq's global broker and declares the actors on it, so both
``trs-bridge worker`` and ``dramatiq jobs`` work. See ``jobs/README.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

import dramatiq

from bridge.fleet import QUEUES, FleetSettings
from bridge.worker import runtime
from jobs.actors import Actors, declare_actors
from jobs.broker import build_broker

__all__ = [
    "QUEUES",
    "Actors",
    "actors",
    "backfill_shard",
    "broker",
    "replay_failed",
    "run_scheduler",
    "run_worker",
    "sync_entity",
]

_fleet = FleetSettings.from_env()
broker = build_broker(_fleet, runtime)
dramatiq.set_broker(broker)
actors = declare_actors(broker, runtime, _fleet)
sync_entity = actors.sync_entity
backfill_shard = actors.backfill_shard
replay_failed = actors.replay_failed


def run_worker(
    *,
    threads: int = 4,
    queues: Sequence[str] | None = None,
    metrics_port: int | None = None,
    shutdown_timeout: float = 600.0,
) -> int:
    """``trs-bridge worker``: consume the queues until SIGTERM (:mod:`jobs.worker`)."""
    from jobs import worker

    return worker.run_worker(
        broker,
        actors,
        runtime(),
        threads=threads,
        queues=queues,
        metrics_port=metrics_port,
        shutdown_timeout=shutdown_timeout,
    )


def run_scheduler(*, interval: float | None = None, metrics_port: int | None = None) -> int:
    """``trs-bridge scheduler``: tick while leading, until SIGTERM (:mod:`jobs.scheduler`)."""
    from jobs import scheduler

    return scheduler.run_scheduler(actors, runtime(), interval=interval, metrics_port=metrics_port)
