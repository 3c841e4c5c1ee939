"""Failed records: DQT records the bridge could not map or store, kept for inspection and replay.

There is at most one ``open`` row per (entity set, DQT id) (a partial unique index): failing again bumps
``attempts`` and ``last_seen`` and replaces the payload, kind and message with the latest ones. When a later
version of the record applies, ``resolve`` closes it as ``replayed``; an operator may ``discard`` it with a
reason. Closed rows stay as history, and a new failure of the same record opens a new row.

Records without a parseable DQT id (``dqt_id`` NULL) cannot be matched, so each such failure is its own row.
``raw_payload`` holds the DQT record as received (personal data, inside the database only), except that a NUL
character, which PostgreSQL's ``jsonb`` cannot hold, is kept as the six characters ``\\u0000``
(:func:`storable_payload`; replay re-reads DQT, never the payload); ``message`` must hold none (mapping errors
and :func:`trs_store.isolation.describe_error` messages are value-free).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from sqlalchemy import Connection, Table, select, text, update

from trs_store.dialect import dialect_insert, key_in
from trs_store.models import metadata
from trs_store.types import as_utc, canonical_guid

Status = Literal["open", "replayed", "discarded"]

#: Statuses a failed record can be in.
STATUSES: Final[tuple[Status, ...]] = ("open", "replayed", "discarded")

_table: Table = metadata.tables["failed_records"]


def storable_payload(value: Any) -> Any:
    """``value`` with every NUL in its strings (keys too) written as the text ``\\u0000``: a record a dirty DQT
    serves with a NUL in a name must become a failed record, and ``jsonb`` refuses NUL outright."""
    if isinstance(value, str):
        return value.replace("\x00", "\\u0000") if "\x00" in value else value
    if isinstance(value, dict):
        return {storable_payload(k): storable_payload(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable_payload(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class FailedRecord:
    """One failed record (a row of ``failed_records``)."""

    failed_record_id: int
    entity_set: str
    dqt_id: str | None
    raw_payload: Any
    error_kind: str
    field: str | None
    message: str
    mapping_version: str
    attempts: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    status: Status
    resolution: str | None


def _new_failure(  # noqa: PLR0917 - one row of record_failure's positional contract
    entity_set: str,
    dqt_id: str | None,
    raw_payload: Any,
    error_kind: str,
    field: str | None,
    message: str,
    mapping_version: str,
    stamp: dt.datetime,
) -> dict[str, Any]:
    return {
        "entity_set": entity_set,
        "dqt_id": _guid_or_none(dqt_id),
        "raw_payload": storable_payload(raw_payload),
        "error_kind": str(error_kind),
        "field": field,
        "message": message,
        "mapping_version": mapping_version,
        "attempts": 1,
        "first_seen": stamp,
        "last_seen": stamp,
        "status": "open",
    }


def _open_or_bump(statement: Any) -> Any:
    """``statement`` (an INSERT of new failures) made to bump the open failure of the same record instead."""
    return statement.on_conflict_do_update(
        index_elements=[_table.c.entity_set, _table.c.dqt_id],
        index_where=text("status = 'open'"),
        set_={
            "attempts": _table.c.attempts + 1,
            "last_seen": statement.excluded.last_seen,
            "raw_payload": statement.excluded.raw_payload,
            "error_kind": statement.excluded.error_kind,
            "field": statement.excluded.field,
            "message": statement.excluded.message,
            "mapping_version": statement.excluded.mapping_version,
        },
    )


def record_failure(  # noqa: PLR0917 - the positional order is the documented contract with bridge/
    connection: Connection,
    entity_set: str,
    dqt_id: str | None,
    raw_payload: Any,
    error_kind: str,
    field: str | None,
    message: str,
    mapping_version: str,
    now: dt.datetime,
) -> FailedRecord:
    """Open a failed record, or update the open one for (``entity_set``, ``dqt_id``): ``attempts + 1``,
    ``last_seen = now`` and the latest payload, kind, field, message and mapping version.

    A ``dqt_id`` that is not a GUID is stored as NULL (recording a failure must never fail on the id; the raw
    payload still holds it)."""
    values = _new_failure(entity_set, dqt_id, raw_payload, error_kind, field, message, mapping_version, as_utc(now))
    statement = _open_or_bump(dialect_insert(connection, _table).values(values)).returning(*_table.c)
    return _record(connection.execute(statement).one())


def record_failures(
    connection: Connection,
    entity_set: str,
    failures: Sequence[tuple[str | None, Any, str, str | None, str]],
    *,
    mapping_version: str,
    now: dt.datetime,
) -> int:
    """:func:`record_failure` for many records of one entity set at once: ``failures`` are
    ``(dqt_id, raw_payload, error_kind, field, message)``. One executemany instead of a round trip per record
    (a dirty page of a backfill fails hundreds). When an id repeats, its last failure is the one kept.
    Returns how many failures were written."""
    if not failures:
        return 0
    stamp = as_utc(now)
    by_id: dict[str, dict[str, Any]] = {}
    anonymous: list[dict[str, Any]] = []
    for dqt_id, raw_payload, error_kind, field, message in failures:
        values = _new_failure(entity_set, dqt_id, raw_payload, error_kind, field, message, mapping_version, stamp)
        if values["dqt_id"] is None:
            anonymous.append(values)
        else:
            by_id[values["dqt_id"]] = values
    params = [*by_id.values(), *anonymous]
    connection.execute(_open_or_bump(dialect_insert(connection, _table)), params)
    return len(params)


def resolve(
    connection: Connection,
    entity_set: str,
    dqt_id: str,
    *,
    now: dt.datetime,
    status: Status = "replayed",
    resolution: str | None = None,
) -> int:
    """Close the open failed record of (``entity_set``, ``dqt_id``), typically because a later version of the
    record applied. Returns the number of records closed (0 or 1); a no-op when nothing is open."""
    if status == "open":
        raise ValueError("resolve closes a record: status must be 'replayed' or 'discarded'")
    guid = _guid_or_none(dqt_id)
    if guid is None:  # never "IS NULL": records without an id cannot be matched, only discarded by id
        return 0
    statement = (
        update(_table)
        .where(
            _table.c.entity_set == entity_set,
            _table.c.dqt_id == guid,
            _table.c.status == "open",
        )
        .values(status=status, resolution=resolution, last_seen=as_utc(now))
    )
    return connection.execute(statement).rowcount


def resolve_many(
    connection: Connection, entity_set: str, dqt_ids: list[str], *, now: dt.datetime, status: Status = "replayed"
) -> int:
    """``resolve`` for every id of an applied page at once (one statement per 1,000 ids)."""
    if status == "open":
        raise ValueError("resolve closes a record: status must be 'replayed' or 'discarded'")
    closed = 0
    ids = [g for g in (_guid_or_none(i) for i in dqt_ids) if g is not None]
    for start in range(0, len(ids), 1000):
        statement = (
            update(_table)
            .where(
                _table.c.entity_set == entity_set,
                key_in(connection, _table.c.dqt_id, ids[start : start + 1000]),
                _table.c.status == "open",
            )
            .values(status=status, last_seen=as_utc(now))
        )
        closed += connection.execute(statement).rowcount
    return closed


def get(connection: Connection, failed_record_id: int) -> FailedRecord | None:
    """One failed record by id, or ``None``."""
    row = connection.execute(select(_table).where(_table.c.failed_record_id == failed_record_id)).one_or_none()
    return None if row is None else _record(row)


def list_failed(
    connection: Connection,
    *,
    entity_set: str | None = None,
    error_kind: str | None = None,
    since: dt.datetime | None = None,
    status: Status | None = "open",
    limit: int | None = None,
    offset: int = 0,
) -> list[FailedRecord]:
    """Failed records matching every given filter (``since`` compares ``last_seen``; ``status=None`` means
    any), most recently seen first."""
    statement = select(_table)
    if entity_set is not None:
        statement = statement.where(_table.c.entity_set == entity_set)
    if error_kind is not None:
        statement = statement.where(_table.c.error_kind == str(error_kind))
    if since is not None:
        statement = statement.where(_table.c.last_seen >= as_utc(since))
    if status is not None:
        statement = statement.where(_table.c.status == status)
    statement = statement.order_by(_table.c.last_seen.desc(), _table.c.failed_record_id.desc()).offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    return [_record(row) for row in connection.execute(statement)]


def count_open(connection: Connection, entity_set: str | None = None) -> int:
    """How many failed records are open (for status displays and alerts)."""
    from sqlalchemy import func

    statement = select(func.count()).select_from(_table).where(_table.c.status == "open")
    if entity_set is not None:
        statement = statement.where(_table.c.entity_set == entity_set)
    return int(connection.execute(statement).scalar_one())


def discard(connection: Connection, failed_record_id: int, reason: str, *, now: dt.datetime) -> bool:
    """Close an open failed record as ``discarded`` with the operator's ``reason``. Returns whether it was
    open (a closed record is left as it is)."""
    statement = (
        update(_table)
        .where(_table.c.failed_record_id == failed_record_id, _table.c.status == "open")
        .values(status="discarded", resolution=reason, last_seen=as_utc(now))
    )
    return connection.execute(statement).rowcount > 0


def _guid_or_none(value: object) -> str | None:
    if value is None:
        return None
    try:
        return canonical_guid(value)
    except ValueError:
        return None


def _record(row: Any) -> FailedRecord:
    return FailedRecord(**row._asdict())
