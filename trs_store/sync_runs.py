"""Sync runs: one row per run of a sync, backfill or replay over one entity set, with its counts.

``start_run`` opens a run, ``add_page`` adds one page's counts (call it in the page's transaction, so the
counts commit with the data and survive a crash), and ``finish_run`` records the outcome. A run left without
an outcome was interrupted; ``mark_interrupted`` closes such runs at the next start.
``error`` must hold no personal data (use the value-free messages of ``trs_store.errors``/``isolation``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, fields
from typing import Any, Final, Literal

from sqlalchemy import Connection, Table, insert, select, update

from trs_store.models import metadata
from trs_store.types import as_utc, canonical_guid

Mode = Literal["sync", "backfill", "replay"]
Outcome = Literal["succeeded", "failed", "interrupted"]

_table: Table = metadata.tables["sync_runs"]


@dataclass(frozen=True, slots=True)
class RunCounts:
    """Counts of a page or a run. ``seen`` = records received; the rest say what became of them."""

    pages: int = 0
    seen: int = 0
    inserted: int = 0
    updated: int = 0
    stale: int = 0
    deleted: int = 0
    skipped: int = 0
    failed: int = 0

    def __add__(self, other: RunCounts) -> RunCounts:
        return RunCounts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


#: The count columns, in order.
COUNT_COLUMNS: Final = tuple(f.name for f in fields(RunCounts))


@dataclass(frozen=True, slots=True)
class SyncRun:
    """One row of ``sync_runs``."""

    run_id: str
    entity_set: str
    mode: Mode
    started_at: dt.datetime
    ended_at: dt.datetime | None
    outcome: Outcome | None
    counts: RunCounts
    error: str | None


def start_run(
    connection: Connection, entity_set: str, mode: Mode, *, now: dt.datetime, run_id: str | None = None
) -> str:
    """Open a run and return its id (a new uuid4 unless ``run_id`` is given)."""
    new_id = canonical_guid(run_id) if run_id is not None else str(uuid.uuid4())
    connection.execute(insert(_table).values(run_id=new_id, entity_set=entity_set, mode=mode, started_at=as_utc(now)))
    return new_id


def add_page(connection: Connection, run_id: str, counts: RunCounts) -> None:
    """Add one page's counts to the run (``pages`` is incremented by ``counts.pages`` or 1 if that is 0)."""
    increments = {name: _table.c[name] + getattr(counts, name) for name in COUNT_COLUMNS}
    increments["pages"] = _table.c.pages + (counts.pages or 1)
    connection.execute(update(_table).where(_table.c.run_id == canonical_guid(run_id)).values(increments))


def finish_run(
    connection: Connection,
    run_id: str,
    *,
    outcome: Outcome,
    now: dt.datetime,
    counts: RunCounts | None = None,
    error: str | None = None,
) -> None:
    """Close the run with ``outcome``. ``counts``, when given, replace the totals (for callers that count in
    memory rather than with ``add_page``)."""
    values: dict[str, Any] = {"outcome": outcome, "ended_at": as_utc(now), "error": error}
    if counts is not None:
        values.update({name: getattr(counts, name) for name in COUNT_COLUMNS})
    connection.execute(update(_table).where(_table.c.run_id == canonical_guid(run_id)).values(values))


def mark_interrupted(connection: Connection, entity_set: str, *, now: dt.datetime) -> int:
    """Close the runs of ``entity_set`` that never finished (the process died) as ``interrupted``."""
    statement = (
        update(_table)
        .where(_table.c.entity_set == entity_set, _table.c.outcome.is_(None))
        .values(outcome="interrupted", ended_at=as_utc(now))
    )
    return connection.execute(statement).rowcount


def get_run(connection: Connection, run_id: str) -> SyncRun | None:
    """One run by id, or ``None``."""
    row = connection.execute(select(_table).where(_table.c.run_id == canonical_guid(run_id))).one_or_none()
    return None if row is None else _run(row)


def recent_runs(connection: Connection, *, entity_set: str | None = None, limit: int = 20) -> list[SyncRun]:
    """The latest runs, newest first."""
    statement = select(_table)
    if entity_set is not None:
        statement = statement.where(_table.c.entity_set == entity_set)
    statement = statement.order_by(_table.c.started_at.desc()).limit(limit)
    return [_run(row) for row in connection.execute(statement)]


def _run(row: Any) -> SyncRun:
    data = row._asdict()
    counts = RunCounts(**{name: data.pop(name) for name in COUNT_COLUMNS})
    return SyncRun(counts=counts, **data)
