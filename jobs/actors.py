"""The actors: thin wrappers that carry ids (an entity set, a run id and shard number, failed-record ids) to
the use cases in :mod:`bridge.worker`. No personal data ever goes into a message.

==================  ==========  ==========================================================================
actor               queue       does
==================  ==========  ==========================================================================
``sync_entity``     sync        drain one feed's changes under its lease (``bridge.sync``)
``backfill_shard``  backfill    one shard of a backfill run (``bridge.backfill.run_shard``)
``replay_failed``   replay      replay failed records by id (``bridge.replay.replay_failed_records``)
==================  ==========  ==========================================================================

Each actor's retries are bounded (``TRS_BRIDGE_JOB_MAX_RETRIES``, short backoffs); an operator error
(:class:`~bridge.errors.BridgeError`, e.g. an unknown entity) is never retried. When the fleet's Dataverse
budget makes a call wait too long, or DQT keeps throttling past the client's retry budget, the job
re-enqueues *itself* with a delay (same message id, same retry count): waiting is not failing and never
spends a retry (ADR 0042). A database deadlock or serialization failure (two feeds writing ``persons`` at
once) is weather too: the page rolled back, so the job re-enqueues itself after a second or two, at most
:data:`MAX_TRANSIENT_DEFERRALS` times before it counts as a failure.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dramatiq
import structlog
from dramatiq import Actor, Broker
from dramatiq.middleware import CurrentMessage

from bridge import metrics
from bridge.errors import BridgeError
from bridge.fleet import QUEUES, FleetSettings
from bridge.rate_limit import RateLimitWait
from bridge.worker import Outcome, Runtime, RuntimeFactory, is_transient_db_error
from dataverse_client import Throttled

log = structlog.get_logger("jobs")

SYNC_QUEUE, BACKFILL_QUEUE, REPLAY_QUEUE = QUEUES

#: Never deferred for less than this (ms), so a deferral loop cannot spin.
MIN_DEFER_MS = 500
#: How many times one message may step aside for a database deadlock before the next one counts as a failure.
MAX_TRANSIENT_DEFERRALS = 20


@dataclass(frozen=True)
class Actors:
    sync_entity: Actor[..., None]
    backfill_shard: Actor[..., None]
    replay_failed: Actor[..., None]


def _defer(broker: Broker, delay_seconds: float) -> None:
    """Put the message being processed back on its queue after ``delay_seconds``, keeping its id and retry
    count (the Retries middleware never sees it: this is not a failure)."""
    message = CurrentMessage.get_current_message()
    if message is None:  # called outside a worker (a direct call in a test): nothing to re-enqueue
        return
    deferrals = int(message.options.get("deferrals", 0)) + 1
    copy = message.copy(options={"deferrals": deferrals})
    broker.enqueue(copy, delay=max(MIN_DEFER_MS, int(delay_seconds * 1000)))
    log.info("job_deferred", delay_seconds=round(delay_seconds, 3), deferrals=deferrals)


def _deferrals() -> int:
    message = CurrentMessage.get_current_message()
    return 0 if message is None else int(message.options.get("deferrals", 0))


def _run(broker: Broker, actor: str, job: Callable[[], Outcome]) -> None:
    started = time.monotonic()
    try:
        outcome: str = job()
    except RateLimitWait as wait:
        _defer(broker, wait.retry_in)
        outcome = "deferred"
    except Throttled as throttled:
        _defer(broker, throttled.retry_after or 30.0)
        outcome = "deferred"
    except Exception as error:
        if not (is_transient_db_error(error) and _deferrals() < MAX_TRANSIENT_DEFERRALS):
            metrics.JOBS.labels(actor, "failed").inc()
            raise
        log.warning("job_database_conflict", error_type=type(error.__cause__ or error).__name__)
        _defer(broker, random.uniform(0.5, 2.0))  # noqa: S311 - jitter
        outcome = "deferred"
    finally:
        metrics.JOB_SECONDS.labels(actor).observe(time.monotonic() - started)
    metrics.JOBS.labels(actor, outcome).inc()
    log.info("job_done", outcome=outcome)


def declare_actors(broker: Broker, runtime: RuntimeFactory, fleet: FleetSettings) -> Actors:
    """Declare the actors on ``broker``; each job runs on ``runtime()`` (one per process in production)."""
    options: dict[str, Any] = {
        "max_retries": fleet.max_retries,
        "min_backoff": max(1, int(fleet.min_backoff_seconds * 1000)),
        "max_backoff": max(1, int(fleet.max_backoff_seconds * 1000)),
        "time_limit": int(fleet.time_limit_seconds * 1000),
        "throws": (BridgeError,),
    }

    def rt() -> Runtime:
        return runtime()

    def sync_entity(entity: str, tick: int | None = None) -> None:
        """Drain the changes of one feed (feed name or entity set)."""
        _run(broker, "sync_entity", lambda: rt().sync_entity(entity, tick=tick))

    def backfill_shard(run_id: str, shard: int) -> None:
        """One shard of backfill run ``run_id``."""
        _run(broker, "backfill_shard", lambda: rt().backfill_shard(run_id, shard))

    def replay_failed(ids: list[int]) -> None:
        """Replay these failed records (``failed_records`` ids)."""
        _run(broker, "replay_failed", lambda: rt().replay_failed(ids))

    return Actors(
        sync_entity=dramatiq.actor(broker=broker, queue_name=SYNC_QUEUE, **options)(sync_entity),
        backfill_shard=dramatiq.actor(broker=broker, queue_name=BACKFILL_QUEUE, **options)(backfill_shard),
        replay_failed=dramatiq.actor(broker=broker, queue_name=REPLAY_QUEUE, **options)(replay_failed),
    )
