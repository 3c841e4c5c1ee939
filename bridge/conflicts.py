"""Write-back conflicts for operators: ``trs-bridge conflicts list | show ID | resolve ID --keep trs|dqt``.

A conflict is a TRS edit DQT refused (412) because a DQT user changed the same fields since the version the
edit was based on (ADR 0072). Until it is resolved the message waits, later edits of the same record wait
behind it, the sync keeps TRS's values of the edited columns, and nothing has been overwritten on either side.

* ``--keep trs``: the edit is re-based onto DQT's version at the time of the conflict and queued again; the
  relay sends it with ``If-Match`` on that version (a DQT change made after the conflict is a new 412, checked
  again, never overwritten blindly).
* ``--keep dqt``: the message is superseded (never sent) and TRS takes DQT's current record, read now.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import Engine

from bridge.edits import EditRejected, mark_origin
from bridge.writeback import (
    CONTACT_READ,
    QUALIFICATION_READ,
    References,
    apply_contact,
    apply_qualification,
    fetch_previous_names,
    load_references,
    utc_now,
)
from dataverse_client import DataverseClient
from mappings.writeback import touched_keys
from trs_store import conflicts, insert_events, outbox
from trs_store.conflicts import Conflict
from trs_store.outbox import OutboxMessage

log = structlog.get_logger("bridge.conflicts")

Clock = Callable[[], dt.datetime]
_ENTITY_EVENT = {"dfeta_qualifications": "MandatoryQualification", "contacts": "Person"}


@dataclass(frozen=True, slots=True)
class ConflictView:
    """A conflict with the message it holds up."""

    conflict: Conflict
    message: OutboxMessage | None

    def as_json(self) -> dict[str, Any]:
        c = self.conflict
        return {
            "conflict_id": c.conflict_id,
            "status": c.status,
            "resolution": c.resolution,
            "entity_set": c.entity_set,
            "record_id": c.record_id,
            "person_id": c.person_id,
            "fields": c.fields,
            "base_version": c.base_version,
            "dqt_version": c.dqt_version,
            "base": c.base_snapshot,
            "trs": c.trs_snapshot,
            "dqt": c.dqt_snapshot,
            "dqt_record": c.dqt_record,
            "created_at": c.created_at.isoformat(),
            "resolved_at": c.resolved_at.isoformat() if c.resolved_at else None,
            "resolved_by": c.resolved_by,
            "message_id": c.message_id,
            "message_kind": self.message.kind if self.message else None,
            "raised_by": self.message.raised_by if self.message else None,
        }


def list_conflicts(engine: Engine, *, include_resolved: bool = False, limit: int = 100) -> list[ConflictView]:
    with engine.connect() as connection:
        found = conflicts.list_conflicts(connection, status=None if include_resolved else "open", limit=limit)
        return [ConflictView(c, outbox.get(connection, c.message_id)) for c in found]


def show(engine: Engine, conflict_id: str) -> ConflictView:
    with engine.connect() as connection:
        found = conflicts.find(connection, conflict_id)
        if found is None:
            raise EditRejected("conflict", f"{conflict_id!r} was not found (give its id or a unique prefix)")
        return ConflictView(found, outbox.get(connection, found.message_id))


def resolve(
    engine: Engine,
    client: DataverseClient | None,
    conflict_id: str,
    *,
    keep: str,
    by: str | None = None,
    clock: Clock = utc_now,
    references: References | None = None,
) -> ConflictView:
    """Resolve an open conflict by keeping ``trs`` or ``dqt`` (``dqt`` reads DQT's record now: ``client``)."""
    if keep not in ("trs", "dqt"):
        raise EditRejected("keep", "must be trs or dqt")
    view = show(engine, conflict_id)
    conflict, message = view.conflict, view.message
    if conflict.status != "open":
        raise EditRejected("conflict", f"{conflict.conflict_id} is already resolved ({conflict.resolution})")
    if message is None:  # pragma: no cover - the foreign key forbids it
        raise EditRejected("conflict", "has no outbox message")
    now = clock()
    if keep == "trs":
        keys = touched_keys(message.old_state, message.new_state)
        rebased = {**(message.old_state or {}), **{k: (conflict.dqt_snapshot or {}).get(k) for k in keys}}
        with engine.begin() as connection:
            if not conflicts.resolve(connection, conflict.conflict_id, resolution="trs", by=by, now=now):
                raise EditRejected("conflict", "was resolved by someone else meanwhile")
            outbox.requeue(
                connection, message.message_id, base_version=conflict.dqt_version, old_state=rebased, keep_base=False
            )
            insert_events(connection, [_resolved_event(conflict, message, "trs", by, now)], now=now)
    else:
        if client is None:
            raise EditRejected("keep", "dqt needs a DQT connection to read the record")
        current = _read_current(client, message)
        contact = message.entity_set == "contacts"
        names = fetch_previous_names(client, message.person_id) if contact else []
        refs = references or (load_references(client) if not contact else None)
        with engine.begin() as connection:
            mark_origin(connection, "sync")
            if not conflicts.resolve(connection, conflict.conflict_id, resolution="dqt", by=by, now=now):
                raise EditRejected("conflict", "was resolved by someone else meanwhile")
            outbox.supersede(connection, message.message_id, error=f"superseded: conflict {conflict.conflict_id}")
            if contact:
                apply_contact(connection, current, names, now=now, protect_from=message, force=True)
            else:
                assert refs is not None
                apply_qualification(connection, current, refs, now=now, protect_from=message, force=True)
            insert_events(connection, [_resolved_event(conflict, message, "dqt", by, now)], now=now)
    log.info("conflict_resolved", conflict_id=conflict.conflict_id, keep=keep, message_id=message.message_id)
    return show(engine, conflict.conflict_id)


def _read_current(client: DataverseClient, message: OutboxMessage) -> dict[str, Any]:
    if message.entity_set == "contacts":
        return dict(client.get("contacts", message.record_id, select=list(CONTACT_READ)))
    return dict(client.get("dfeta_qualifications", message.record_id, select=list(QUALIFICATION_READ)))


def _resolved_event(
    conflict: Conflict, message: OutboxMessage, keep: str, by: str | None, now: dt.datetime
) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid5(uuid.UUID(conflict.conflict_id), f"resolved:{keep}")),
        "event_name": f"{_ENTITY_EVENT[message.entity_set]}WriteBackConflictResolvedEvent",
        "created": now,
        "payload": {
            "conflict_id": conflict.conflict_id,
            "message_id": message.message_id,
            "record_id": message.record_id,
            "kept": keep,
            "fields": conflict.fields,
            "resolved_by": by,
        },
        "key": f"trs-conflict-resolved:{conflict.conflict_id}",
        "person_id": message.person_id,
    }
