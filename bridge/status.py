"""``trs-bridge status``: per feed, where the journal stands, how old its token is, rows and open failures."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import unquote

from sqlalchemy import Connection, Engine, func, select

from bridge.feeds import FEEDS
from trs_store import backfills, journal, pauses
from trs_store.failed_records import count_open
from trs_store.models import metadata
from trs_store.sync_runs import recent_runs

_TOKEN = re.compile(r"\$deltatoken=([^&]+)")


def token_time(delta_link: str | None) -> dt.datetime | None:
    """When a Dataverse delta token was issued (its ``<version>!<MM/dd/yyyy HH:mm:ss>`` UTC half)."""
    if not delta_link:
        return None
    match = _TOKEN.search(unquote(delta_link.replace("%24", "$")))
    if not match:
        return None
    _, _, stamp = unquote(match.group(1)).partition("!")
    try:
        return dt.datetime.strptime(stamp, "%m/%d/%Y %H:%M:%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class FeedStatus:
    feed: str
    entity_set: str
    state: str  # never-synced | full-pass | following
    last_updated: str | None
    last_updated_by: str | None
    token_age_seconds: float | None
    rows: int
    failed_open: int
    last_run_outcome: str | None
    last_run_ended: str | None
    #: Paused with ``trs-bridge pause`` (the sync skips the feed until ``resume``).
    paused: bool = False
    paused_reason: str | None = None
    #: Age of the oldest DQT change possibly not applied yet: now - the delta token's time while following
    #: deltas, now - the start of the pass during a full pass; unknown before the first pass.
    lag_seconds: float | None = None
    #: The latest backfill of the entity set: ``running 3/8 shards``, ``succeeded``, ``failed`` …
    backfill: str | None = None
    #: The last run's error (value-free), e.g. ``job gave up: sync_entity message … after 3 attempts: …``.
    last_run_error: str | None = None
    #: Jobs of this entity set that dramatiq gave up on (retries exhausted) in the last 7 days (``bridge.worker``).
    jobs_gave_up: int = 0


def _backfill_summary(connection: Connection, entity_set: str) -> str | None:
    runs = backfills.recent_runs(connection, entity_set=entity_set, limit=1)
    if not runs:
        return None
    run = runs[0]
    if run.status not in backfills.UNFINISHED:
        return run.status
    shards = backfills.shards(connection, run.run_id)
    done = sum(1 for s in shards if s.status == "done")
    return f"{run.status} {done}/{len(shards)} shards (run {run.run_id})"


def _jobs_gave_up(connection: Connection, entity_set: str, since: dt.datetime) -> int:
    from bridge.worker import GAVE_UP

    runs = metadata.tables["sync_runs"]
    statement = select(func.count()).where(
        runs.c.entity_set == entity_set, runs.c.started_at >= since, runs.c.error.like(f"{GAVE_UP}%")
    )
    return int(connection.execute(statement).scalar_one())


def feed_statuses(engine: Engine, now: dt.datetime | None = None) -> list[FeedStatus]:
    now = now or dt.datetime.now(dt.UTC)
    statuses = []
    with engine.connect() as connection:
        for feed in FEEDS:
            entry = journal.get(connection, feed.changes_key, feed.entity_set)
            table = metadata.tables[feed.table]
            rows = connection.execute(select(func.count()).select_from(table)).scalar_one()
            runs = recent_runs(connection, entity_set=feed.entity_set, limit=1)
            issued = token_time(entry.delta_link) if entry else None
            state = "never-synced" if entry is None else "full-pass" if entry.full_pass_started_at else "following"
            since = entry.full_pass_started_at if entry and entry.full_pass_started_at else issued
            pause = pauses.get(connection, feed.entity_set)
            statuses.append(
                FeedStatus(
                    feed=feed.name,
                    entity_set=feed.entity_set,
                    state=state,
                    last_updated=entry.last_updated.isoformat() if entry else None,
                    last_updated_by=entry.last_updated_by if entry else None,
                    token_age_seconds=round((now - issued).total_seconds(), 1) if issued else None,
                    rows=int(rows),
                    failed_open=count_open(connection, feed.entity_set),
                    last_run_outcome=runs[0].outcome if runs else None,
                    last_run_ended=runs[0].ended_at.isoformat() if runs and runs[0].ended_at else None,
                    paused=pause is not None,
                    paused_reason=pause.reason if pause else None,
                    lag_seconds=round(max(0.0, (now - since).total_seconds()), 1) if since else None,
                    backfill=_backfill_summary(connection, feed.entity_set),
                    last_run_error=runs[0].error if runs else None,
                    jobs_gave_up=_jobs_gave_up(connection, feed.entity_set, now - dt.timedelta(days=7)),
                )
            )
    return statuses


def as_json(statuses: list[FeedStatus]) -> list[dict[str, Any]]:
    return [asdict(s) for s in statuses]


def fleet_status(environ: Any = None) -> dict[str, Any] | None:
    """Queue and dead-letter depth, the fleet's DQT budget, held leases and the scheduler's leader, read from
    Redis (``REDIS_URL``); ``None`` without Redis, ``{"error": ...}`` when Redis does not answer."""
    from bridge.errors import ConfigError
    from bridge.fleet import QUEUES, FleetSettings, connect_redis
    from bridge.metrics import queue_depths
    from bridge.rate_limit import FleetRateLimiter

    settings = FleetSettings.from_env(environ)
    if settings.redis_url is None:
        return None
    try:
        redis = connect_redis(settings.redis_url)
    except ConfigError as error:
        return {"error": str(error)}
    try:
        depths = queue_depths(redis, settings.namespace, QUEUES)
        limits = FleetRateLimiter(redis, settings.prefix, settings.rate_limits).state()
        leases = {
            key.decode().removeprefix(settings.key("lease") + ":"): True
            for key in redis.scan_iter(match=settings.key("lease", "*"), count=1000)
        }
        leader = redis.get(settings.key("scheduler", "leader"))
    finally:
        redis.close()
    return {
        "queues": {q: {state: depths[(q, state)] for state in ("ready", "delayed", "dead")} for q in QUEUES},
        "dqt_budget": asdict(limits),
        "leases_held": sorted(leases),
        "scheduler_leading": leader is not None,
    }


def fleet_lines(fleet: dict[str, Any] | None) -> list[str]:
    """``fleet_status`` as lines for the terminal."""
    if fleet is None:
        return ["fleet: no REDIS_URL (embedded mode: `trs-bridge worker` runs jobs and the scheduler in-process)"]
    if "error" in fleet:
        return [f"fleet: {fleet['error']}"]
    budget = fleet["dqt_budget"]
    lines = [
        f"queue {name}: ready {q['ready']}, delayed {q['delayed']}, dead letters {q['dead']}"
        for name, q in fleet["queues"].items()
    ]
    lines.append(
        f"DQT budget: {budget['window_used']}/{budget['requests_per_window']} requests in the last "
        f"{budget['window_seconds']:g} s, {budget['in_flight']}/{budget['concurrency']} in flight"
        + (f", Retry-After {budget['retry_after_remaining']:.1f} s" if budget["retry_after_remaining"] else "")
    )
    lines.append(f"leases held: {', '.join(fleet['leases_held']) or 'none'}")
    lines.append(f"scheduler: {'leading' if fleet['scheduler_leading'] else 'no leader (is one running?)'}")
    return lines
