"""Backfill runs and their shards: the durable state that makes a key-range backfill resumable.

A run covers one entity set, split into shards (primary-key ranges ``[key_from, key_to)``). Each shard
remembers the last key it applied (``position``) and its counts. ``save_page`` is called in the page's own
transaction (ADR 0051): the rows and the position after them commit together, so after a crash the shard
continues right after its last committed page.

A shard is *claimed* by one worker (``host:pid``) at a time; ``save_page`` only succeeds for the claimant
(:class:`ClaimLost` otherwise, which rolls the page back), so a redelivered message or a second operator
cannot run a shard twice at once. A claim can be taken over when its heartbeat is older than the lease, or,
on the same host, when its process is gone (a killed backfill is resumed at once, not after the lease).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from sqlalchemy import Connection, Table, and_, insert, select, update

from trs_store.errors import StoreError
from trs_store.models import metadata
from trs_store.models.operations import SHARD_COUNTS
from trs_store.sync_runs import RunCounts
from trs_store.types import as_utc, canonical_guid

RunStatus = Literal["running", "succeeded", "failed", "abandoned"]
ShardStatus = Literal["pending", "running", "done", "failed"]

#: Statuses of a run that can still be continued.
UNFINISHED: Final = ("running", "failed")

_runs: Table = metadata.tables["backfill_runs"]
_shards: Table = metadata.tables["backfill_shards"]


class ClaimLost(StoreError):
    """Another worker took the shard over (this one was presumed dead): its page must not commit."""


@dataclass(frozen=True, slots=True)
class BackfillRun:
    run_id: str
    entity_set: str
    shards: int
    page_size: int
    distributed: bool
    status: RunStatus
    started_at: dt.datetime
    started_by: str
    ended_at: dt.datetime | None
    error: str | None
    delta_link: str | None


@dataclass(frozen=True, slots=True)
class ShardState:
    run_id: str
    shard: int
    key_from: str | None
    key_to: str | None
    position: str | None
    status: ShardStatus
    counts: RunCounts
    claimed_by: str | None
    heartbeat_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str | None


def create_run(
    connection: Connection,
    entity_set: str,
    ranges: Sequence[tuple[str | None, str | None]],
    *,
    page_size: int,
    distributed: bool,
    by: str,
    now: dt.datetime,
    delta_link: str | None = None,
) -> str:
    """Open a run with one pending shard per ``(key_from, key_to)`` range; returns the new run id."""
    run_id = str(uuid.uuid4())
    connection.execute(
        insert(_runs).values(
            run_id=run_id,
            entity_set=entity_set,
            shards=len(ranges),
            page_size=page_size,
            distributed=distributed,
            status="running",
            started_at=as_utc(now),
            started_by=by,
            delta_link=delta_link,
        )
    )
    connection.execute(
        insert(_shards),
        [
            {"run_id": run_id, "shard": n, "key_from": low, "key_to": high, "status": "pending"}
            for n, (low, high) in enumerate(ranges)
        ],
    )
    return run_id


def get_run(connection: Connection, run_id: str) -> BackfillRun | None:
    try:
        key = canonical_guid(run_id)
    except ValueError:
        return None
    row = connection.execute(select(_runs).where(_runs.c.run_id == key)).one_or_none()
    return None if row is None else BackfillRun(**row._asdict())


def unfinished_run(connection: Connection, entity_set: str) -> BackfillRun | None:
    """The newest run of ``entity_set`` that did not finish (running, or stopped by a failure)."""
    row = connection.execute(
        select(_runs)
        .where(_runs.c.entity_set == entity_set, _runs.c.status.in_(UNFINISHED))
        .order_by(_runs.c.started_at.desc())
        .limit(1)
    ).one_or_none()
    return None if row is None else BackfillRun(**row._asdict())


def recent_runs(connection: Connection, *, entity_set: str | None = None, limit: int = 20) -> list[BackfillRun]:
    statement = select(_runs).order_by(_runs.c.started_at.desc()).limit(limit)
    if entity_set is not None:
        statement = statement.where(_runs.c.entity_set == entity_set)
    return [BackfillRun(**row._asdict()) for row in connection.execute(statement)]


def set_run_status(
    connection: Connection, run_id: str, status: RunStatus, *, now: dt.datetime, error: str | None = None
) -> None:
    values: dict[str, Any] = {"status": status, "error": error}
    values["ended_at"] = None if status == "running" else as_utc(now)
    connection.execute(update(_runs).where(_runs.c.run_id == canonical_guid(run_id)).values(values))


def shards(connection: Connection, run_id: str) -> list[ShardState]:
    statement = select(_shards).where(_shards.c.run_id == canonical_guid(run_id)).order_by(_shards.c.shard)
    return [_shard(row) for row in connection.execute(statement)]


def get_shard(connection: Connection, run_id: str, shard: int) -> ShardState | None:
    row = connection.execute(
        select(_shards).where(_shards.c.run_id == canonical_guid(run_id), _shards.c.shard == shard)
    ).one_or_none()
    return None if row is None else _shard(row)


def claim_shard(
    connection: Connection,
    run_id: str,
    shard: int,
    *,
    worker: str,
    now: dt.datetime,
    lease: dt.timedelta,
    is_dead: Callable[[str], bool] = lambda _claimant: False,
) -> ShardState | None:
    """Claim the shard for ``worker`` and mark it running. ``None`` when it is done, or claimed by another worker
    whose heartbeat is younger than ``lease`` and who is not known dead. Compare-and-set on the previous claim,
    so two workers racing for the same shard cannot both win."""
    current = get_shard(connection, run_id, shard)
    if current is None or current.status == "done":
        return None
    if current.claimed_by not in (None, worker) and current.status == "running":
        fresh = current.heartbeat_at is not None and as_utc(now) - current.heartbeat_at < lease
        if fresh and not is_dead(current.claimed_by):
            return None
    key = and_(_shards.c.run_id == canonical_guid(run_id), _shards.c.shard == shard)
    previous = (
        _shards.c.claimed_by.is_(None) if current.claimed_by is None else _shards.c.claimed_by == current.claimed_by
    )
    result = connection.execute(
        update(_shards)
        .where(key, previous, _shards.c.status != "done")
        .values(claimed_by=worker, heartbeat_at=as_utc(now), status="running", error=None)
    )
    if result.rowcount != 1:
        return None
    return get_shard(connection, run_id, shard)


def save_page(
    connection: Connection,
    run_id: str,
    shard: int,
    *,
    position: str,
    counts: RunCounts,
    worker: str,
    now: dt.datetime,
) -> None:
    """Record a committed page: the shard's new ``position`` (the page's last key) and its counts. Call it in
    the page's transaction. Raises :class:`ClaimLost` when ``worker`` no longer holds the shard."""
    increments: dict[str, Any] = {name: _shards.c[name] + getattr(counts, name) for name in SHARD_COUNTS}
    increments["pages"] = _shards.c.pages + (counts.pages or 1)
    result = connection.execute(
        update(_shards)
        .where(
            _shards.c.run_id == canonical_guid(run_id),
            _shards.c.shard == shard,
            _shards.c.claimed_by == worker,
        )
        .values(position=canonical_guid(position), heartbeat_at=as_utc(now), **increments)
    )
    if result.rowcount != 1:
        raise ClaimLost(f"backfill {run_id} shard {shard} was taken over by another worker")


def finish_shard(
    connection: Connection,
    run_id: str,
    shard: int,
    *,
    status: ShardStatus,
    worker: str,
    now: dt.datetime,
    error: str | None = None,
) -> bool:
    """Close (``done``/``failed``) or release (``pending``) the shard if ``worker`` still holds it."""
    values: dict[str, Any] = {"status": status, "error": error, "heartbeat_at": as_utc(now)}
    if status == "done":
        values["finished_at"] = as_utc(now)
    if status != "running":
        values["claimed_by"] = None
    result = connection.execute(
        update(_shards)
        .where(
            _shards.c.run_id == canonical_guid(run_id),
            _shards.c.shard == shard,
            _shards.c.claimed_by == worker,
        )
        .values(values)
    )
    return result.rowcount == 1


def complete_if_done(connection: Connection, run_id: str, *, now: dt.datetime) -> bool:
    """Mark the run ``succeeded`` when every shard is done (exactly once: returns whether this call did it)."""
    pending = [s for s in shards(connection, run_id) if s.status != "done"]
    if pending:
        return False
    result = connection.execute(
        update(_runs)
        .where(_runs.c.run_id == canonical_guid(run_id), _runs.c.status.in_(UNFINISHED))
        .values(status="succeeded", ended_at=as_utc(now), error=None)
    )
    return result.rowcount == 1


def _shard(row: Any) -> ShardState:
    data = row._asdict()
    counts = RunCounts(**{name: data.pop(name) for name in SHARD_COUNTS})
    return ShardState(counts=counts, **data)
