"""The write-back outbox: TRS edits waiting to be sent to DQT, in order per record (ADR 0070).

Every function runs in the caller's transaction and never commits: an edit and its message commit together.

A message's life: ``pending`` → ``sent`` (DQT accepted it; ``dqt_version_after`` is the version DQT gave the
write), or ``conflict`` (a 412 an operator must decide; ``resolve`` makes it ``pending`` again or
``superseded``), or ``failed`` (DQT refused it for good; ``retry`` makes it ``pending`` again). Throttling and
outages only push ``next_attempt_at`` back: nothing is ever dropped. A message blocks the later messages of
its record until it is ``sent`` or ``superseded``, so per record they reach DQT in the order they were made.

Relays take messages with a lease (``locked_by``/``locked_until``), so several relays (threads or processes)
never send one message at the same time, and one killed mid-send leaves it to be taken again when the lease
runs out.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, and_, exists, func, or_, select, update
from sqlalchemy.orm import aliased

from trs_store.dialect import key_in
from trs_store.models.writeback import UNDELIVERED_STATUSES, OutboxMessageRow
from trs_store.types import as_utc, canonical_guid

_T = OutboxMessageRow.__table__
#: How many record ids go into one ``IN (…)`` list.
_CHUNK: Final = 1000


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    seq: int
    message_id: str
    kind: str
    entity_set: str
    record_id: str
    person_id: str
    base_version: int | None
    old_state: dict[str, Any] | None
    new_state: dict[str, Any]
    origin: str
    raised_by: str | None
    caller_object_id: str | None
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    locked_by: str | None
    locked_until: dt.datetime | None
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    sent_if_match: int | None
    dqt_version_after: int | None
    merged: bool

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> OutboxMessage:
        values = {name: row[name] for name in cls.__dataclass_fields__}
        values["message_id"] = str(values["message_id"])
        values["record_id"] = str(values["record_id"])
        values["person_id"] = str(values["person_id"])
        if values["caller_object_id"] is not None:
            values["caller_object_id"] = str(values["caller_object_id"])
        values["merged"] = bool(values["merged"])
        return cls(**values)


@dataclass(frozen=True, slots=True)
class OutboxStats:
    """What ``trs-bridge status`` and the metrics show about the outbox."""

    pending: int = 0
    oldest_pending_age_seconds: float | None = None
    sent: int = 0
    failed: int = 0
    conflict: int = 0
    superseded: int = 0


def enqueue(
    connection: Connection,
    *,
    kind: str,
    entity_set: str,
    record_id: str,
    person_id: str,
    base_version: int | None,
    old_state: Mapping[str, Any] | None,
    new_state: Mapping[str, Any],
    origin: str,
    raised_by: str | None,
    caller_object_id: str | None,
    now: dt.datetime,
    message_id: str | None = None,
) -> OutboxMessage:
    """Add a ``pending`` message (in the caller's transaction, next to the edit it carries)."""
    message_id = canonical_guid(message_id or uuid.uuid4())
    values = {
        "message_id": message_id,
        "kind": kind,
        "entity_set": entity_set,
        "record_id": canonical_guid(record_id),
        "person_id": canonical_guid(person_id),
        "base_version": base_version,
        "old_state": None if old_state is None else dict(old_state),
        "new_state": dict(new_state),
        "origin": origin,
        "raised_by": raised_by,
        "caller_object_id": None if caller_object_id is None else canonical_guid(caller_object_id),
        "status": "pending",
        "attempts": 0,
        "created_at": as_utc(now),
        "merged": False,
    }
    connection.execute(_T.insert().values(**values))
    found = get(connection, message_id)
    assert found is not None
    return found


def get(connection: Connection, message_id: str) -> OutboxMessage | None:
    row = connection.execute(select(_T).where(_T.c.message_id == canonical_guid(message_id))).mappings().first()
    return None if row is None else OutboxMessage.from_row(row)


def find(connection: Connection, prefix: str) -> OutboxMessage | None:
    """The message whose id is ``prefix`` or starts with it (at least 8 characters, unambiguous)."""
    prefix = prefix.strip().lower()
    if len(prefix) >= 36:
        try:
            return get(connection, prefix)
        except ValueError:
            return None
    if len(prefix) < 8:
        return None
    rows = [
        OutboxMessage.from_row(r)
        for r in connection.execute(select(_T).order_by(_T.c.seq.desc()).limit(10_000)).mappings()
        if str(r["message_id"]).startswith(prefix)
    ]
    return rows[0] if len(rows) == 1 else None


def list_messages(
    connection: Connection,
    *,
    status: str | None = None,
    record_id: str | None = None,
    limit: int = 100,
) -> list[OutboxMessage]:
    """Messages, newest first, optionally of one status or one record."""
    statement = select(_T).order_by(_T.c.seq.desc()).limit(limit)
    if status is not None:
        statement = statement.where(_T.c.status == status)
    if record_id is not None:
        statement = statement.where(_T.c.record_id == canonical_guid(record_id))
    return [OutboxMessage.from_row(r) for r in connection.execute(statement).mappings()]


def messages_of_record(connection: Connection, record_id: str) -> list[OutboxMessage]:
    """Every message of one record, oldest first."""
    statement = select(_T).where(_T.c.record_id == canonical_guid(record_id)).order_by(_T.c.seq)
    return [OutboxMessage.from_row(r) for r in connection.execute(statement).mappings()]


def claim_heads(
    connection: Connection, *, now: dt.datetime, owner: str, lease: dt.timedelta, limit: int
) -> list[OutboxMessage]:
    """Take (lease) up to ``limit`` messages that may be sent now: due, not leased, and the oldest undelivered
    message of their record. At most one message per record, so records can be worked on in parallel."""
    now = as_utc(now)
    earlier = aliased(_T)
    blocked = exists().where(
        and_(
            earlier.c.record_id == _T.c.record_id,
            earlier.c.seq < _T.c.seq,
            earlier.c.status.in_(UNDELIVERED_STATUSES),
        )
    )
    statement = (
        select(_T.c.seq)
        .where(
            _T.c.status == "pending",
            or_(_T.c.next_attempt_at.is_(None), _T.c.next_attempt_at <= now),
            or_(_T.c.locked_until.is_(None), _T.c.locked_until < now),
            ~blocked,
        )
        .order_by(_T.c.seq)
        .limit(limit)
    )
    claimed: list[OutboxMessage] = []
    for seq in connection.execute(statement).scalars().all():
        taken = connection.execute(
            update(_T)
            .where(
                _T.c.seq == seq,
                _T.c.status == "pending",
                or_(_T.c.locked_until.is_(None), _T.c.locked_until < now),
            )
            .values(locked_by=owner, locked_until=now + lease)
        )
        if taken.rowcount == 1:
            row = connection.execute(select(_T).where(_T.c.seq == seq)).mappings().one()
            claimed.append(OutboxMessage.from_row(row))
    return claimed


def _set(connection: Connection, message_id: str, **values: Any) -> None:
    connection.execute(update(_T).where(_T.c.message_id == canonical_guid(message_id)).values(**values))


def mark_sent(
    connection: Connection,
    message: OutboxMessage,
    *,
    now: dt.datetime,
    if_match: int | None,
    version_after: int | None,
    merged: bool = False,
    rebase: bool = True,
) -> int:
    """Record that DQT accepted ``message`` (``if_match``: the version the write was conditioned on;
    ``version_after``: the version DQT gave it). Later pending messages of the record that were based on
    ``if_match`` are rebased onto ``version_after``: the only change between the two is this write (pass
    ``rebase=False`` when that is not known, e.g. a delivery recognised after the fact). Returns how many were
    rebased."""
    _set(
        connection,
        message.message_id,
        status="sent",
        sent_at=as_utc(now),
        sent_if_match=if_match,
        dqt_version_after=version_after,
        merged=merged or message.merged,
        attempts=message.attempts + 1,
        locked_by=None,
        locked_until=None,
        last_error=None,
    )
    if version_after is None or not rebase:
        return 0
    base_matches = _T.c.base_version.is_(None) if if_match is None else _T.c.base_version == if_match
    rebased = connection.execute(
        update(_T)
        .where(_T.c.record_id == message.record_id, _T.c.seq > message.seq, _T.c.status == "pending", base_matches)
        .values(base_version=version_after)
    )
    return rebased.rowcount or 0


def reschedule(connection: Connection, message: OutboxMessage, *, now: dt.datetime, delay: float, error: str) -> None:
    """DQT could not take the message now (throttled, unavailable): try again after ``delay`` seconds."""
    _set(
        connection,
        message.message_id,
        attempts=message.attempts + 1,
        next_attempt_at=as_utc(now) + dt.timedelta(seconds=delay),
        last_error=error[:2000],
        locked_by=None,
        locked_until=None,
    )


def mark_failed(connection: Connection, message: OutboxMessage, *, error: str) -> None:
    """DQT refused the message for good (or it cannot be written): it waits for an operator's ``retry``."""
    _set(
        connection,
        message.message_id,
        status="failed",
        attempts=message.attempts + 1,
        last_error=error[:2000],
        locked_by=None,
        locked_until=None,
    )


def mark_conflict(connection: Connection, message: OutboxMessage, *, error: str) -> None:
    _set(
        connection,
        message.message_id,
        status="conflict",
        attempts=message.attempts + 1,
        last_error=error[:2000],
        locked_by=None,
        locked_until=None,
    )


def requeue(
    connection: Connection,
    message_id: str,
    *,
    base_version: int | None = None,
    old_state: Mapping[str, Any] | None = None,
    keep_base: bool = True,
) -> None:
    """Make a ``failed`` or ``conflict`` message ``pending`` again, due now (optionally on a new base)."""
    values: dict[str, Any] = {"status": "pending", "next_attempt_at": None, "locked_by": None, "locked_until": None}
    if not keep_base:
        values |= {"base_version": base_version, "old_state": None if old_state is None else dict(old_state)}
    _set(connection, message_id, **values)


def supersede(connection: Connection, message_id: str, *, error: str | None = None) -> None:
    """The message will never be sent (an operator kept DQT's values instead)."""
    _set(connection, message_id, status="superseded", locked_by=None, locked_until=None, last_error=error)


def release(connection: Connection, message: OutboxMessage) -> None:
    """Give a leased message back untouched (a relay stopping before it sent it)."""
    _set(connection, message.message_id, locked_by=None, locked_until=None)


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    keys = [canonical_guid(v) for v in dict.fromkeys(values)]
    for start in range(0, len(keys), _CHUNK):
        yield keys[start : start + _CHUNK]


def undelivered(connection: Connection, record_ids: Iterable[str]) -> dict[str, list[OutboxMessage]]:
    """The undelivered messages (pending, conflict, failed) of each of ``record_ids`` that has any."""
    found: dict[str, list[OutboxMessage]] = {}
    for chunk in _chunks(record_ids):
        statement = (
            select(_T).where(_T.c.record_id.in_(chunk), _T.c.status.in_(UNDELIVERED_STATUSES)).order_by(_T.c.seq)
        )
        for row in connection.execute(statement).mappings():
            message = OutboxMessage.from_row(row)
            found.setdefault(message.record_id, []).append(message)
    return found


def by_record(connection: Connection, record_ids: Iterable[str]) -> dict[str, list[OutboxMessage]]:
    """Every message of each of ``record_ids`` that has any, oldest first."""
    found: dict[str, list[OutboxMessage]] = {}
    for chunk in _chunks(record_ids):
        statement = select(_T).where(key_in(connection, _T.c.record_id, chunk)).order_by(_T.c.seq)
        for row in connection.execute(statement).mappings():
            message = OutboxMessage.from_row(row)
            found.setdefault(message.record_id, []).append(message)
    return found


def stats(connection: Connection, *, now: dt.datetime | None = None) -> OutboxStats:
    now = as_utc(now or dt.datetime.now(dt.UTC))
    rows = connection.execute(select(_T.c.status, func.count()).group_by(_T.c.status))
    counts: dict[str, int] = {row[0]: row[1] for row in rows}
    oldest = connection.execute(select(func.min(_T.c.created_at)).where(_T.c.status == "pending")).scalar()
    age = None
    if oldest is not None:
        oldest_at = oldest if isinstance(oldest, dt.datetime) else dt.datetime.fromisoformat(str(oldest))
        age = round(max(0.0, (now - as_utc(oldest_at)).total_seconds()), 1)
    return OutboxStats(
        pending=int(counts.get("pending", 0)),
        oldest_pending_age_seconds=age,
        sent=int(counts.get("sent", 0)),
        failed=int(counts.get("failed", 0)),
        conflict=int(counts.get("conflict", 0)),
        superseded=int(counts.get("superseded", 0)),
    )
