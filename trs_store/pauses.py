"""Paused feeds: one ``feed_pauses`` row per paused entity set, kept in the TRS database (ADR 0053).

The database rather than Redis, so pausing works on the embedded default (SQLite, no Redis) and a pause
survives restarts of every process. Readers (the sync, the scheduler, the workers) check before each run;
the check is one primary-key read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, Table, delete, select

from trs_store.dialect import dialect_insert
from trs_store.models import metadata
from trs_store.types import as_utc

_table: Table = metadata.tables["feed_pauses"]


@dataclass(frozen=True, slots=True)
class Pause:
    """Why and since when an entity set's feed is paused."""

    entity_set: str
    paused_at: dt.datetime
    paused_by: str
    reason: str | None


def pause(connection: Connection, entity_set: str, *, by: str, now: dt.datetime, reason: str | None = None) -> bool:
    """Pause ``entity_set``. Returns ``False`` (and changes nothing) when it was already paused."""
    statement = (
        dialect_insert(connection, _table)
        .values(entity_set=entity_set, paused_at=as_utc(now), paused_by=by, reason=reason)
        .on_conflict_do_nothing(index_elements=[_table.c.entity_set])
    )
    return connection.execute(statement).rowcount > 0


def resume(connection: Connection, entity_set: str) -> bool:
    """Resume ``entity_set``. Returns ``False`` when it was not paused."""
    return connection.execute(delete(_table).where(_table.c.entity_set == entity_set)).rowcount > 0


def get(connection: Connection, entity_set: str) -> Pause | None:
    row = connection.execute(select(_table).where(_table.c.entity_set == entity_set)).one_or_none()
    return None if row is None else Pause(**row._asdict())


def is_paused(connection: Connection, entity_set: str) -> bool:
    return get(connection, entity_set) is not None


def all_pauses(connection: Connection) -> dict[str, Pause]:
    """Every paused entity set."""
    return {row.entity_set: Pause(**row._asdict()) for row in connection.execute(select(_table))}
