"""What a worker process does for each job, without dramatiq: the use cases behind ``jobs/``' actors.

One :class:`Runtime` per process owns what is only useful shared: the Redis connection, the TRS engine, the
DQT client (with the fleet-wide Retry-After gate and rate limiter, and the metrics hook), the reference data
(re-read every :data:`REFERENCE_TTL` seconds), and the process's *stop flag*, set on SIGTERM. Each job:

* :meth:`Runtime.sync_entity` skips a paused feed (:mod:`bridge.pauses`, in the TRS store), takes the feed's
  lease (``<prefix>:lease:sync:<entity set>``) or skips quietly when another worker holds it, and drains the
  feed with :class:`~bridge.sync.SyncService`, stopping between pages if the process is stopping or the lease
  was lost;
* :meth:`Runtime.backfill_shard` and :meth:`Runtime.replay_failed` do the same around
  ``bridge.backfill.run_shard`` and ``bridge.replay.replay_failed_records``;
* :meth:`Runtime.record_gave_up` writes a job whose retries ran out into ``sync_runs`` (outcome ``failed``,
  error starting with :data:`GAVE_UP`), where ``trs-bridge status`` shows it: the store, not dramatiq's
  7-day dead-letter queue, is the record of what failed (ADR 0043).

Without ``REDIS_URL`` everything is in-process: leases in memory, the client's own gate.

:func:`load_jobs` is how the CLI reaches the ``jobs`` package: by module name, as ``dramatiq jobs`` does,
because ``bridge`` sits below ``jobs`` in the layers and must not import it.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Final, Literal, Protocol, cast

import structlog
from sqlalchemy import Engine

from bridge import metrics, pauses
from bridge.config import BridgeSettings
from bridge.feeds import resolve_feeds
from bridge.fleet import FleetSettings, connect_redis
from bridge.leases import LeaseBackend, LocalLeaseBackend, RedisLeaseBackend, try_lease
from bridge.rate_limit import FleetRateLimiter, LimiterState, RedisRetryAfterGate
from bridge.sync import SyncService, SyncStopped
from dataverse_client import DataverseClient
from mappings import ReferenceLookup

log = structlog.get_logger("bridge.worker")

#: The start of the ``sync_runs.error`` of a job whose retries ran out.
GAVE_UP: Final = "job gave up"
#: Seconds the reference data (establishments, specialisms, sanction codes) is reused between jobs.
REFERENCE_TTL: Final = 600.0

Outcome = Literal["synced", "stopped", "lease_lost", "busy", "paused", "done"]


class JobsApp(Protocol):
    """What the ``jobs`` package offers the CLI (``trs-bridge worker`` / ``scheduler``)."""

    def run_worker(
        self, *, threads: int, queues: Sequence[str] | None, metrics_port: int | None, shutdown_timeout: float
    ) -> int: ...

    def run_scheduler(self, *, interval: float | None, metrics_port: int | None) -> int: ...


def load_jobs(module: str | None = None) -> JobsApp:
    """The jobs package, imported by name (``TRS_BRIDGE_JOBS_MODULE``, default ``jobs``)."""
    return cast(JobsApp, importlib.import_module(module or os.environ.get("TRS_BRIDGE_JOBS_MODULE") or "jobs"))


class Runtime:
    """Per-process state shared by every job of a worker (see the module docstring). Thread-safe."""

    def __init__(
        self,
        fleet: FleetSettings,
        bridge: BridgeSettings,
        *,
        redis: Any | None = None,
        engine: Engine | None = None,
        client: DataverseClient | None = None,
        client_environ: dict[str, str] | None = None,
    ) -> None:
        self.fleet = fleet
        self.bridge = bridge
        self.redis = redis if redis is not None else (connect_redis(fleet.redis_url) if fleet.redis_url else None)
        self.leases: LeaseBackend = RedisLeaseBackend(self.redis) if self.redis is not None else LocalLeaseBackend()
        self.stop_event = threading.Event()
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}"
        self._engine = engine
        self._client = client
        self._client_environ = client_environ
        self._limiter: FleetRateLimiter | None = None
        self._lock = threading.Lock()
        self._reference: tuple[float, ReferenceLookup] | None = None

    @classmethod
    def from_env(cls) -> Runtime:
        return cls(FleetSettings.from_env(), BridgeSettings.from_env())

    # -- lifecycle ---------------------------------------------------------------------------------------

    def request_stop(self) -> None:
        """Ask every running job to stop at its next safe point (between pages), and waits to give up."""
        if not self.stop_event.is_set():
            log.info("worker_stopping", worker=self.worker_id)
        self.stop_event.set()

    def stopping(self) -> bool:
        return self.stop_event.is_set()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._engine is not None:
            self._engine.dispose()

    def key(self, *parts: str) -> str:
        return self.fleet.key(*parts)

    # -- shared adapters ------------------------------------------------------------------------------------

    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                from bridge.config import open_engine

                engine = open_engine(self.bridge.database_url)
                # A failed statement's parameters are row values: keep them out of errors, logs and Redis.
                engine.hide_parameters = True
                self._engine = engine
            return self._engine

    def client(self) -> DataverseClient:
        with self._lock:
            if self._client is None:
                from bridge.config import open_client

                self._client = open_client(self._client_environ, check=False)
                self._client.add_hook(metrics.observe_call)
                if self.redis is not None:
                    self._client.gate = RedisRetryAfterGate(
                        self.redis, self.fleet.prefix, should_stop=self.stopping, observer=metrics.observe_wait
                    )
                    self._client.limiter = self.limiter() or self._client.limiter
            return self._client

    def limiter(self) -> FleetRateLimiter | None:
        if self.redis is None:
            return None
        if self._limiter is None:
            self._limiter = FleetRateLimiter(
                self.redis,
                self.fleet.prefix,
                self.fleet.rate_limits,
                should_stop=self.stopping,
                observer=metrics.observe_wait,
            )
        return self._limiter

    def is_paused(self, entity: str) -> bool:
        return pauses.is_paused(self.engine(), entity)

    def paused(self) -> dict[str, str]:
        """Paused entity sets with their reasons (for metrics)."""
        return {entity_set: pause.reason or "" for entity_set, pause in pauses.paused(self.engine()).items()}

    def limiter_state(self) -> LimiterState | None:
        limiter = self.limiter()
        return None if limiter is None else limiter.state()

    def reference(self, client: DataverseClient) -> ReferenceLookup:
        from bridge.sync import load_reference

        now = time.monotonic()
        cached = self._reference
        if cached is None or now - cached[0] > REFERENCE_TTL:
            cached = (now, load_reference(client))
            self._reference = cached
        return cached[1]

    # -- jobs ------------------------------------------------------------------------------------------------

    def sync_entity(self, entity: str, *, tick: int | None = None) -> Outcome:
        """Drain one feed under its lease (module docstring). Raises what the sync raises (dramatiq retries)."""
        feed = resolve_feeds([entity])[0]
        self.leases.delete(self.key("pending", feed.entity_set))  # changes from now on need another tick
        if self.is_paused(feed.entity_set):
            log.info("sync_skipped_paused", entity_set=feed.entity_set, tick=tick)
            return "paused"
        lease = try_lease(self.leases, self.key("lease", "sync", feed.entity_set), self._lease_ttl_ms)
        if lease is None:
            log.debug("sync_skipped_busy", entity_set=feed.entity_set, tick=tick)
            return "busy"
        with lease:
            client = self.client()
            service = SyncService(
                self.engine(),
                client,
                page_size=self.bridge.page_size,
                worker=self.worker_id,
                should_stop=lambda: self.stopping() or lease.lost.is_set(),
                on_page=metrics.observe_page,
                reference=self.reference(client),
            )
            try:
                service.sync_feed(feed)
            except SyncStopped:
                return "lease_lost" if lease.lost.is_set() else "stopped"
        return "synced"

    def backfill_shard(self, run_id: str, shard: int) -> Outcome:
        """One shard of a backfill run (``bridge.backfill.run_shard``), under the shard's lease."""
        lease = try_lease(self.leases, self.key("lease", "backfill", run_id, str(shard)), self._lease_ttl_ms)
        if lease is None:
            log.debug("backfill_shard_skipped_busy", run_id=run_id, shard=shard)
            return "busy"
        from bridge.backfill import run_shard

        with lease:
            client = self.client()
            run_shard(
                run_id,
                shard,
                engine=self.engine(),
                client=client,
                reference=self.reference(client),
                should_stop=lambda: self.stopping() or lease.lost.is_set(),
            )
        return "done"

    def replay_failed(self, ids: Sequence[int]) -> Outcome:
        """Replay failed records by id (``bridge.replay.replay_failed_records``), under a lease on the id set."""
        digest = hashlib.sha256(",".join(str(i) for i in sorted(ids)).encode()).hexdigest()[:24]
        lease = try_lease(self.leases, self.key("lease", "replay", digest), self._lease_ttl_ms)
        if lease is None:
            log.debug("replay_skipped_busy", ids=len(ids))
            return "busy"
        from bridge.replay import replay_failed_records

        with lease:
            replay_failed_records(list(ids), engine=self.engine(), client=self.client())
        return "done"

    @property
    def _lease_ttl_ms(self) -> int:
        return max(100, int(self.fleet.lease_ttl_seconds * 1000))

    # -- the failure ledger ----------------------------------------------------------------------------------

    def record_gave_up(
        self,
        actor: str,
        args: Sequence[Any],
        *,
        message_id: str,
        attempts: int,
        error: BaseException | None,
    ) -> str:
        """Write a job whose retries ran out into ``sync_runs`` (outcome ``failed``); returns the run id."""
        import datetime as dt

        from trs_store.sync_runs import Mode, finish_run, start_run

        mode: Mode = {"backfill_shard": "backfill", "replay_failed": "replay"}.get(actor, "sync")  # type: ignore[assignment]
        engine = self.engine()
        entity_set = self._entity_set_for(actor, args, engine)
        reason = "no exception recorded" if error is None else describe_error(error)
        text = f"{GAVE_UP}: {actor} message {message_id} after {attempts} attempts: {reason}"[:2000]
        now = dt.datetime.now(dt.UTC)
        with engine.begin() as connection:
            run_id = start_run(connection, entity_set, mode, now=now)
            finish_run(connection, run_id, outcome="failed", now=now, error=text)
        log.error("job_gave_up", actor=actor, message_id=message_id, attempts=attempts, run_id=run_id)
        return run_id

    @staticmethod
    def _entity_set_for(actor: str, args: Sequence[Any], engine: Engine) -> str:
        try:
            if actor == "sync_entity" and args:
                return resolve_feeds([str(args[0])])[0].entity_set
            if actor == "backfill_shard" and args:
                from trs_store.sync_runs import get_run

                with engine.connect() as connection:
                    run = get_run(connection, str(args[0]))
                return run.entity_set if run is not None else "backfill"
            if actor == "replay_failed" and args and args[0]:
                from trs_store import failed_records

                with engine.connect() as connection:
                    record = failed_records.get(connection, int(args[0][0]))
                return record.entity_set if record is not None else "failed_records"
        except Exception as error:  # the ledger row matters more than its label
            log.warning("gave_up_entity_unknown", actor=actor, error_type=type(error).__name__)
        return actor


#: PostgreSQL's "deadlock detected" and "could not serialize": the transaction was rolled back; try again.
TRANSIENT_SQLSTATES: Final = frozenset({"40P01", "40001"})


def is_transient_db_error(error: BaseException) -> bool:
    """Whether ``error`` is a database conflict that a later attempt is expected to pass (a deadlock between
    feeds that write the same table, a serialization failure): weather, not a fault of the job."""
    from sqlalchemy.exc import DBAPIError

    if not isinstance(error, DBAPIError):
        return False
    return getattr(error.orig, "sqlstate", None) in TRANSIENT_SQLSTATES


def describe_error(error: BaseException) -> str:
    """A one-line description of ``error`` that holds no personal data, for ``sync_runs.error`` and logs.

    The bridge's, the client's and the store's own errors are value-free by design and kept whole. A database
    driver's error keeps its class and first line only: SQLAlchemy appends the statement's parameters (row
    values) and PostgreSQL puts values in its DETAIL lines. Anything else keeps only its type."""
    from sqlalchemy.exc import DBAPIError

    from bridge.errors import BridgeError
    from dataverse_client import DataverseError
    from trs_store.errors import StoreError

    name = type(error).__name__
    if isinstance(error, BridgeError | DataverseError | StoreError):
        return f"{name}: {error}"[:1000]
    if isinstance(error, DBAPIError):
        orig = error.orig
        first = str(orig).strip().splitlines()[0] if orig is not None and str(orig).strip() else ""
        return f"{name}: {type(orig).__name__}: {first}"[:500]
    return f"{name} (message withheld: it may hold data; see the worker log)"


_runtime: Runtime | None = None
_runtime_lock = threading.Lock()


def runtime() -> Runtime:
    """This process's :class:`Runtime`, built from the environment on first use."""
    global _runtime  # noqa: PLW0603 - one per process, by design
    with _runtime_lock:
        if _runtime is None:
            _runtime = Runtime.from_env()
        return _runtime


def install_runtime(value: Runtime | None) -> Runtime | None:
    """Replace this process's runtime (tests, embedded runs); returns the previous one."""
    global _runtime
    with _runtime_lock:
        previous, _runtime = _runtime, value
        return previous


RuntimeFactory = Callable[[], Runtime]
