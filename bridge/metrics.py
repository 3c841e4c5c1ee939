"""Prometheus metrics for workers and schedulers (``--metrics-port``), built on ``prometheus_client``.

Counters and histograms are per process (Prometheus sums them across the fleet); the fleet gauges (queue
and dead-letter depth, the shared rate-limit budget, sync lag, pauses) are read from Redis and the TRS
store when scraped, so every process reports the same fleet-wide numbers.

=============================================  =========  ==============================================
metric                                         type       labels
=============================================  =========  ==============================================
``trs_bridge_records_applied_total``           counter    ``entity_set``, ``result`` (inserted, updated,
                                                          stale, deleted, skipped)
``trs_bridge_records_failed_total``            counter    ``entity_set``
``trs_bridge_page_duration_seconds``           histogram  ``entity_set`` (fetch + apply + commit)
``trs_bridge_dataverse_calls_total``           counter    ``method``, ``entity_set``, ``status`` (``none``
                                                          when no response arrived)
``trs_bridge_dataverse_call_seconds``          histogram  ``method``
``trs_bridge_dataverse_throttled_total``       counter    (429 answers)
``trs_bridge_rate_limit_wait_seconds_total``   counter    ``reason`` (retry_after, window, concurrency)
``trs_bridge_jobs_total``                      counter    ``actor``, ``outcome``
``trs_bridge_job_duration_seconds``            histogram  ``actor``
``trs_bridge_ticks_total``                     counter    ``entity_set``, ``outcome``
``trs_bridge_queue_messages``                  gauge      ``queue``, ``state`` (ready, delayed, dead)
``trs_bridge_rate_limit_window_used``          gauge      requests admitted in the current window
``trs_bridge_rate_limit_in_flight``            gauge      concurrency slots held now
``trs_bridge_rate_limit_retry_after_seconds``  gauge      seconds until DQT accepts requests again
``trs_bridge_sync_lag_seconds``                gauge      ``entity_set``: age of the oldest DQT change
                                                          possibly not applied yet (the delta token's time,
                                                          or the start of a full pass; as ``status``)
``trs_bridge_paused``                          gauge      ``entity_set`` (1 when paused)
=============================================  =========  ==============================================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import structlog
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from bridge.feeds import FEEDS, Feed
from dataverse_client import CallRecord
from trs_store.sync_runs import RunCounts

log = structlog.get_logger("bridge.metrics")

APPLIED_RESULTS = ("inserted", "updated", "stale", "deleted", "skipped")

RECORDS_APPLIED = Counter(
    "trs_bridge_records_applied_total", "DQT records applied to TRS, by result.", ["entity_set", "result"]
)
RECORDS_FAILED = Counter("trs_bridge_records_failed_total", "DQT records recorded as failed.", ["entity_set"])
PAGE_SECONDS = Histogram(
    "trs_bridge_page_duration_seconds",
    "Time to fetch, apply and commit one change page.",
    ["entity_set"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
DATAVERSE_CALLS = Counter(
    "trs_bridge_dataverse_calls_total", "Dataverse Web API attempts, by answer.", ["method", "entity_set", "status"]
)
DATAVERSE_SECONDS = Histogram(
    "trs_bridge_dataverse_call_seconds",
    "Dataverse Web API attempt duration.",
    ["method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120),
)
THROTTLED = Counter("trs_bridge_dataverse_throttled_total", "429 answers from Dataverse.")
LIMIT_WAIT = Counter(
    "trs_bridge_rate_limit_wait_seconds_total", "Seconds calls waited for the fleet's Dataverse budget.", ["reason"]
)
JOBS = Counter("trs_bridge_jobs_total", "Jobs processed, by outcome.", ["actor", "outcome"])
JOB_SECONDS = Histogram(
    "trs_bridge_job_duration_seconds",
    "Job duration.",
    ["actor"],
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 14400),
)
TICKS = Counter("trs_bridge_ticks_total", "Scheduler ticks, by what became of them.", ["entity_set", "outcome"])


def observe_call(record: CallRecord) -> None:
    """The ``dataverse_client`` hook: count every attempt by method, table and status."""
    status = "none" if record.status is None else str(record.status)
    DATAVERSE_CALLS.labels(record.method, record.entity_set, status).inc()
    DATAVERSE_SECONDS.labels(record.method).observe(record.duration_s)
    if record.status == 429:
        THROTTLED.inc()


def observe_page(feed: Feed, counts: RunCounts, seconds: float) -> None:
    """The sync's page observer: records by result, failures, and the page's duration."""
    for result in APPLIED_RESULTS:
        value = getattr(counts, result)
        if value:
            RECORDS_APPLIED.labels(feed.entity_set, result).inc(value)
    if counts.failed:
        RECORDS_FAILED.labels(feed.entity_set).inc(counts.failed)
    PAGE_SECONDS.labels(feed.entity_set).observe(seconds)


def observe_wait(reason: str, seconds: float) -> None:
    """The rate limiter's wait observer."""
    LIMIT_WAIT.labels(reason).inc(seconds)


def queue_depths(redis: Any, namespace: str, queues: Iterable[str]) -> dict[tuple[str, str], int]:
    """Per queue: messages ready to fetch, delayed (retries and deferrals), and dead-lettered, read straight
    from dramatiq's Redis keys (``<ns>:<q>``, ``<ns>:<q>.DQ.msgs``, ``<ns>:<q>.XQ``)."""
    depths: dict[tuple[str, str], int] = {}
    pipe = redis.pipeline(transaction=False)
    names = list(queues)
    for queue in names:
        pipe.llen(f"{namespace}:{queue}")
        pipe.hlen(f"{namespace}:{queue}.DQ.msgs")
        pipe.zcard(f"{namespace}:{queue}.XQ")
    values = pipe.execute()
    for index, queue in enumerate(names):
        ready, delayed, dead = values[index * 3 : index * 3 + 3]
        depths[(queue, "ready")] = int(ready)
        depths[(queue, "delayed")] = int(delayed)
        depths[(queue, "dead")] = int(dead)
    return depths


class FleetCollector(Collector):
    """Fleet-wide gauges computed at scrape time from Redis and the TRS store. Each source is optional and a
    source that fails is skipped (logged), so a scrape never fails because Redis or the database is away."""

    def __init__(
        self,
        *,
        queue_depths: Callable[[], dict[tuple[str, str], int]] | None = None,
        limiter_state: Callable[[], Any] | None = None,
        engine: Callable[[], Any] | None = None,
        paused: Callable[[], dict[str, str]] | None = None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._queue_depths = queue_depths
        self._limiter_state = limiter_state
        self._engine = engine
        self._paused = paused
        self._clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield from self._safely("queues", self._queues)
        yield from self._safely("rate_limit", self._limits)
        yield from self._safely("lag", self._lag)
        yield from self._safely("paused", self._pauses)
        yield from self._safely("outbox", self._outbox)

    def _safely(self, name: str, source: Callable[[], list[GaugeMetricFamily]]) -> list[GaugeMetricFamily]:
        try:
            return source()
        except Exception as error:
            log.warning("metrics_source_failed", source=name, error_type=type(error).__name__)
            return []

    def _queues(self) -> list[GaugeMetricFamily]:
        if self._queue_depths is None:
            return []
        family = GaugeMetricFamily(
            "trs_bridge_queue_messages", "Messages per queue and state.", labels=["queue", "state"]
        )
        for (queue, state), value in sorted(self._queue_depths().items()):
            family.add_metric([queue, state], value)
        return [family]

    def _limits(self) -> list[GaugeMetricFamily]:
        if self._limiter_state is None:
            return []
        state = self._limiter_state()
        return [
            GaugeMetricFamily(
                "trs_bridge_rate_limit_window_used", "Dataverse requests admitted in the window.", state.window_used
            ),
            GaugeMetricFamily("trs_bridge_rate_limit_in_flight", "Dataverse requests in flight.", state.in_flight),
            GaugeMetricFamily(
                "trs_bridge_rate_limit_retry_after_seconds",
                "Seconds until Dataverse accepts requests again.",
                state.retry_after_remaining,
            ),
        ]

    def _outbox(self) -> list[GaugeMetricFamily]:
        """Write-back: messages by state, the oldest pending message's age and open conflicts."""
        if self._engine is None:
            return []
        from bridge.writeback import outbox_summary

        summary = outbox_summary(self._engine())
        family = GaugeMetricFamily(
            "trs_bridge_outbox_messages", "Write-back outbox messages by state.", labels=["state"]
        )
        for state in ("pending", "sent", "failed", "superseded"):
            family.add_metric([state], summary[state] or 0)
        return [
            family,
            GaugeMetricFamily(
                "trs_bridge_outbox_oldest_pending_seconds",
                "Age of the oldest write-back message not yet accepted by DQT.",
                summary["oldest_pending_age_seconds"] or 0,
            ),
            GaugeMetricFamily(
                "trs_bridge_conflicts_open", "Write-back conflicts awaiting an operator.", summary["conflicts_open"]
            ),
        ]

    def _lag(self) -> list[GaugeMetricFamily]:
        if self._engine is None:
            return []
        from bridge.status import token_time
        from trs_store import journal

        now = self._clock()
        family = GaugeMetricFamily(
            "trs_bridge_sync_lag_seconds",
            "Age of the oldest DQT change possibly not applied yet (as trs-bridge status reports it).",
            labels=["entity_set"],
        )
        with self._engine().connect() as connection:
            for feed in FEEDS:
                entry = journal.get(connection, feed.changes_key, feed.entity_set)
                if entry is None:
                    continue
                since = entry.full_pass_started_at or token_time(entry.delta_link)
                if since is not None:
                    family.add_metric([feed.entity_set], max(0.0, (now - since).total_seconds()))
        return [family]

    def _pauses(self) -> list[GaugeMetricFamily]:
        if self._paused is None:
            return []
        paused = self._paused()
        family = GaugeMetricFamily("trs_bridge_paused", "1 when the feed is paused.", labels=["entity_set"])
        for feed in FEEDS:
            family.add_metric([feed.entity_set], 1.0 if feed.entity_set in paused else 0.0)
        return [family]


def serve(port: int, *, collector: Collector | None = None, registry: CollectorRegistry = REGISTRY) -> None:
    """Expose ``/metrics`` on ``port`` (all interfaces) from a daemon thread, with ``collector`` registered."""
    if collector is not None:
        registry.register(collector)
    start_http_server(port, registry=registry)
    log.info("metrics_serving", port=port)
