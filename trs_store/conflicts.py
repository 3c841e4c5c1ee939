"""Write-back conflicts: a TRS edit DQT refused with 412 because DQT changed the same fields (ADR 0072).

A conflict holds the three sides in TRS terms (what the edit was based on, what TRS wants, what DQT holds)
and DQT's record as the Web API returned it. Nothing was overwritten on either side; an operator resolves it
by keeping ``trs`` or ``dqt``. Functions run in the caller's transaction and never commit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select, update

from trs_store.models.writeback import ConflictRow
from trs_store.types import as_utc, canonical_guid

_T = ConflictRow.__table__


@dataclass(frozen=True, slots=True)
class Conflict:
    conflict_id: str
    message_id: str
    entity_set: str
    record_id: str
    person_id: str
    base_version: int | None
    dqt_version: int | None
    base_snapshot: dict[str, Any] | None
    trs_snapshot: dict[str, Any]
    dqt_snapshot: dict[str, Any] | None
    dqt_record: dict[str, Any] | None
    fields: list[str]
    status: str
    resolution: str | None
    created_at: dt.datetime
    resolved_at: dt.datetime | None
    resolved_by: str | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Conflict:
        values = {name: row[name] for name in cls.__dataclass_fields__}
        for key in ("conflict_id", "message_id", "record_id", "person_id"):
            values[key] = str(values[key])
        values["fields"] = list(values["fields"] or [])
        return cls(**values)


def record(
    connection: Connection,
    *,
    message_id: str,
    entity_set: str,
    record_id: str,
    person_id: str,
    base_version: int | None,
    dqt_version: int | None,
    base_snapshot: Mapping[str, Any] | None,
    trs_snapshot: Mapping[str, Any],
    dqt_snapshot: Mapping[str, Any] | None,
    dqt_record: Mapping[str, Any] | None,
    fields: Sequence[str],
    now: dt.datetime,
) -> Conflict:
    """Store an open conflict for ``message_id`` and return it."""
    conflict_id = str(uuid.uuid4())
    connection.execute(
        _T.insert().values(
            conflict_id=conflict_id,
            message_id=canonical_guid(message_id),
            entity_set=entity_set,
            record_id=canonical_guid(record_id),
            person_id=canonical_guid(person_id),
            base_version=base_version,
            dqt_version=dqt_version,
            base_snapshot=None if base_snapshot is None else dict(base_snapshot),
            trs_snapshot=dict(trs_snapshot),
            dqt_snapshot=None if dqt_snapshot is None else dict(dqt_snapshot),
            dqt_record=None if dqt_record is None else dict(dqt_record),
            fields=list(fields),
            status="open",
            created_at=as_utc(now),
        )
    )
    found = get(connection, conflict_id)
    assert found is not None
    return found


def get(connection: Connection, conflict_id: str) -> Conflict | None:
    try:
        key = canonical_guid(conflict_id)
    except ValueError:
        return None
    row = connection.execute(select(_T).where(_T.c.conflict_id == key)).mappings().first()
    return None if row is None else Conflict.from_row(row)


def find(connection: Connection, prefix: str) -> Conflict | None:
    """The conflict whose id is ``prefix`` or starts with it (at least 8 characters, unambiguous)."""
    prefix = prefix.strip().lower()
    if len(prefix) >= 36:
        return get(connection, prefix)
    if len(prefix) < 8:
        return None
    found = [Conflict.from_row(r) for r in connection.execute(select(_T)).mappings()]
    matches = [c for c in found if c.conflict_id.startswith(prefix)]
    return matches[0] if len(matches) == 1 else None


def list_conflicts(connection: Connection, *, status: str | None = "open", limit: int = 100) -> list[Conflict]:
    """Conflicts, newest first (open ones by default; ``status=None`` for all)."""
    statement = select(_T).order_by(_T.c.created_at.desc()).limit(limit)
    if status is not None:
        statement = statement.where(_T.c.status == status)
    return [Conflict.from_row(r) for r in connection.execute(statement).mappings()]


def open_for_message(connection: Connection, message_id: str) -> Conflict | None:
    statement = select(_T).where(_T.c.message_id == canonical_guid(message_id), _T.c.status == "open")
    row = connection.execute(statement).mappings().first()
    return None if row is None else Conflict.from_row(row)


def resolve(connection: Connection, conflict_id: str, *, resolution: str, by: str | None, now: dt.datetime) -> bool:
    """Close an open conflict; returns whether it was open."""
    if resolution not in ("trs", "dqt"):
        raise ValueError("resolution must be 'trs' or 'dqt'")
    result = connection.execute(
        update(_T)
        .where(_T.c.conflict_id == canonical_guid(conflict_id), _T.c.status == "open")
        .values(status="resolved", resolution=resolution, resolved_at=as_utc(now), resolved_by=by)
    )
    return (result.rowcount or 0) == 1


def count_open(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(_T).where(_T.c.status == "open")).scalar_one())
