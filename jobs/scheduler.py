"""``trs-bridge scheduler``: enqueue ``sync_entity`` for every feed that is not paused, every interval.

Run as many as you like for availability: only the holder of the leader lease ticks, and every tick is
guarded by a per-slot idempotency key on Redis's clock, so no slot is ever enqueued twice
(:mod:`bridge.scheduling`, ADR 0041). Needs ``REDIS_URL``: without it, ``trs-bridge worker`` schedules
in-process.
"""

from __future__ import annotations

import threading

import structlog

from bridge import metrics
from bridge.errors import ConfigError
from bridge.fleet import QUEUES
from bridge.scheduling import Scheduler, redis_clock_ms
from bridge.worker import Runtime
from jobs.actors import Actors
from jobs.worker import install_signal_handlers, sync_sender

log = structlog.get_logger("jobs.scheduler")


def build_scheduler(actors: Actors, runtime: Runtime, *, interval: float | None = None) -> Scheduler:
    if runtime.redis is None:
        raise ConfigError("the scheduler needs REDIS_URL; without Redis, `trs-bridge worker` schedules in-process")
    return Scheduler(
        runtime.leases,
        runtime.is_paused,
        enqueue=sync_sender(actors),
        prefix=runtime.fleet.prefix,
        interval=interval if interval is not None else runtime.fleet.interval_seconds,
        lease_ttl=runtime.fleet.lease_ttl_seconds,
        clock_ms=redis_clock_ms(runtime.redis),
        observer=lambda entity_set, outcome: metrics.TICKS.labels(entity_set, outcome).inc(),
    )


def run_scheduler(
    actors: Actors,
    runtime: Runtime,
    *,
    interval: float | None = None,
    metrics_port: int | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Lead or stand by until SIGTERM/SIGINT (or ``stop``). Returns the exit code."""
    scheduler = build_scheduler(actors, runtime, interval=interval)
    if stop is None:
        stop = threading.Event()
        install_signal_handlers(stop.set)
    if metrics_port is not None:
        metrics.serve(
            metrics_port,
            collector=metrics.FleetCollector(
                queue_depths=lambda: metrics.queue_depths(runtime.redis, runtime.fleet.namespace, QUEUES),
                limiter_state=runtime.limiter_state,
                engine=runtime.engine,
                paused=runtime.paused,
            ),
        )
    log.info("scheduler_started", scheduler=scheduler.name, interval=scheduler.interval_ms / 1000)
    scheduler.run(stop)
    runtime.close()
    return 0
