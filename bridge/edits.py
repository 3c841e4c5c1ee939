"""The edit service: TRS-originated edits of mandatory qualifications and names, captured for DQT.

Each edit is validated first (``mappings.writeback.check_mq`` / ``check_name``); a rejected edit raises
:class:`EditRejected` and changes nothing anywhere. An accepted edit changes the TRS rows, inserts its TRS
event and its outbox message **in one transaction** (ADR 0070); the relay (:mod:`bridge.writeback`) sends
the message to DQT later. The CLI (``trs-bridge edit …``) and the HTTP API (:mod:`bridge.api`) call this.

On PostgreSQL the transaction says ``SET LOCAL trs_bridge.origin = 'bridge'`` so the capture triggers,
which catch edits made with plain SQL by other applications, do not capture this one a second time.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import Connection, Engine, insert, select, text, update

from bridge.errors import CommandRejected
from mappings.reference.trs import PROVIDERS, QUALIFICATION_TYPE_MANDATORY, MqSpecialism, MqStatus
from mappings.writeback import (
    CURRENT_PROVIDERS,
    NAME_KEYS,
    EditInvalid,
    MqInput,
    changed_keys,
    check_mq,
    check_name,
    event_name,
    mq_state_of_row,
    new_previous_names,
    trs_event,
)
from trs_store import insert_events, outbox
from trs_store.models import metadata

log = structlog.get_logger("bridge.edits")

Clock = Callable[[], dt.datetime]

_PERSONS = metadata.tables["persons"]
_QUALIFICATIONS = metadata.tables["qualifications"]
_PREVIOUS_NAMES = metadata.tables["previous_names"]

#: Where an edit came from, as the outbox records it (``sql`` is the PostgreSQL triggers').
ORIGINS = ("bridge", "cli", "api")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class EditRejected(CommandRejected):
    """An edit broke a rule or named something that does not exist; nothing was stored."""

    def __init__(self, field: str, message: str, *, not_found: bool = False) -> None:
        super().__init__(f"{field} {message}")
        self.field = field
        self.message = message
        self.not_found = not_found


@dataclass(frozen=True, slots=True)
class Editor:
    """Who makes an edit: a TRS user (``user``, shown as RaisedBy) and, when known, their Entra object id,
    which DQT writes impersonate (``CallerObjectId``)."""

    user: str | None = None
    caller_object_id: str | None = None
    origin: str = "bridge"

    def __post_init__(self) -> None:
        if self.origin not in ORIGINS:
            raise ValueError(f"origin must be one of {ORIGINS}")
        if self.caller_object_id is not None:
            try:
                object.__setattr__(self, "caller_object_id", str(uuid.UUID(self.caller_object_id)))
            except ValueError:
                raise EditRejected("caller_object_id", "is not a GUID") from None


@dataclass(frozen=True, slots=True)
class EditResult:
    """What an accepted edit stored: its outbox message (= TRS event id) and what it changed."""

    message_id: str
    kind: str
    record_id: str
    person_id: str
    changed: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "kind": self.kind,
            "record_id": self.record_id,
            "person_id": self.person_id,
            "changed": self.changed,
        }


# ---------------------------------------------------------------------------------------------------------
# parsing what people type
# ---------------------------------------------------------------------------------------------------------

_SPECIALISMS = {
    "hearing": MqSpecialism.HEARING,
    "multi-sensory": MqSpecialism.MULTI_SENSORY,
    "multisensory": MqSpecialism.MULTI_SENSORY,
    "multi_sensory": MqSpecialism.MULTI_SENSORY,
    "visual": MqSpecialism.VISUAL,
    "auditory": MqSpecialism.AUDITORY,
    "deaf-education": MqSpecialism.DEAF_EDUCATION,
    "deaf education": MqSpecialism.DEAF_EDUCATION,
    "n/a": MqSpecialism.NOT_APPLICABLE,
    "not-applicable": MqSpecialism.NOT_APPLICABLE,
}
_STATUSES = {
    "in-progress": MqStatus.IN_PROGRESS,
    "inprogress": MqStatus.IN_PROGRESS,
    "in progress": MqStatus.IN_PROGRESS,
    "passed": MqStatus.PASSED,
    "deferred": MqStatus.DEFERRED,
    "extended": MqStatus.EXTENDED,
    "failed": MqStatus.FAILED,
    "withdrawn": MqStatus.WITHDRAWN,
}


def parse_specialism(value: str | int | None) -> int | None:
    """A specialism by name (``hearing``, ``multi-sensory``, ``visual``…) or TRS enum number."""
    if value is None:
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        number = int(value)
        if number not in set(MqSpecialism):
            raise EditRejected("specialism", "is not an MQ specialism")
        return number
    found = _SPECIALISMS.get(value.strip().lower())
    if found is None:
        raise EditRejected("specialism", "must be one of hearing, multi-sensory, visual")
    return int(found)


def parse_status(value: str | int | None) -> int | None:
    """A status by name (``in-progress``, ``passed``, ``deferred``…) or TRS enum number."""
    if value is None:
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        number = int(value)
        if number not in set(MqStatus):
            raise EditRejected("status", "is not an MQ status")
        return number
    found = _STATUSES.get(value.strip().lower())
    if found is None:
        raise EditRejected("status", f"must be one of {', '.join(sorted({k for k in _STATUSES if ' ' not in k}))}")
    return int(found)


def parse_provider(value: str | None) -> str | None:
    """A provider by TRS id or by exact name (case-insensitive)."""
    if value is None:
        return None
    text_value = value.strip()
    try:
        return str(uuid.UUID(text_value))
    except ValueError:
        pass
    matches = [p.id for p in PROVIDERS if p.name.lower() == text_value.lower()]
    if len(matches) != 1:
        raise EditRejected("provider", "is not a known MQ provider id or name")
    return matches[0]


def parse_day(value: str | dt.date | None, field_name: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` date."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise EditRejected(field_name, "must be a date (YYYY-MM-DD)") from None


def current_providers() -> dict[str, str]:
    """The providers a TRS user may choose (id → name)."""
    return dict(CURRENT_PROVIDERS)


# ---------------------------------------------------------------------------------------------------------
# the service
# ---------------------------------------------------------------------------------------------------------


def mark_origin(connection: Connection, origin: str) -> None:
    """``SET LOCAL trs_bridge.origin``: PostgreSQL's capture triggers skip this transaction's writes."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT set_config('trs_bridge.origin', :origin, true)"), {"origin": origin})


def _guid(value: str, field_name: str) -> str:
    try:
        return str(uuid.UUID(str(value).strip()))
    except ValueError:
        raise EditRejected(field_name, "is not a GUID") from None


class EditService:
    """Validates and stores TRS edits with their outbox messages. Safe to share between threads."""

    def __init__(self, engine: Engine, *, clock: Clock = utc_now) -> None:
        self.engine = engine
        self.clock = clock

    # -- persons ----------------------------------------------------------------------------------------

    def _person(self, connection: Connection, *, trn: str | None, person_id: str | None) -> Mapping[str, Any]:
        if (trn is None) == (person_id is None):
            raise EditRejected("person", "must be given by exactly one of trn and person_id")
        if trn is not None:
            trn = trn.strip()
            if not (len(trn) == 7 and trn.isdigit()):
                raise EditRejected("trn", "must be 7 digits")
            condition = _PERSONS.c.trn == trn
        else:
            condition = _PERSONS.c.person_id == _guid(str(person_id), "person_id")
        statement = select(_PERSONS).where(condition)
        if connection.dialect.name == "postgresql":
            statement = statement.with_for_update()
        row = connection.execute(statement).mappings().first()
        if row is None:
            raise EditRejected("person", "was not found in TRS", not_found=True)
        if row["deleted_on"] is not None:
            raise EditRejected("person", "is deleted")
        return row

    def _mq(self, connection: Connection, qualification_id: str) -> Mapping[str, Any]:
        statement = select(_QUALIFICATIONS).where(
            _QUALIFICATIONS.c.qualification_id == _guid(qualification_id, "qualification_id"),
            _QUALIFICATIONS.c.qualification_type == QUALIFICATION_TYPE_MANDATORY,
        )
        if connection.dialect.name == "postgresql":
            statement = statement.with_for_update()
        row = connection.execute(statement).mappings().first()
        if row is None:
            raise EditRejected("qualification", "is not a mandatory qualification in TRS", not_found=True)
        return row

    def _record(
        self,
        connection: Connection,
        *,
        kind: str,
        entity_set: str,
        record_id: str,
        person_id: str,
        base_version: int | None,
        old: Mapping[str, Any] | None,
        new: Mapping[str, Any],
        editor: Editor,
        now: dt.datetime,
    ) -> outbox.OutboxMessage:
        message = outbox.enqueue(
            connection,
            kind=kind,
            entity_set=entity_set,
            record_id=record_id,
            person_id=person_id,
            base_version=base_version,
            old_state=old,
            new_state=new,
            origin=editor.origin,
            raised_by=editor.user,
            caller_object_id=editor.caller_object_id,
            now=now,
        )
        insert_events(connection, [trs_edit_event(message)], now=now)
        log.info(
            "edit_captured",
            kind=kind,
            message_id=message.message_id,
            record_id=record_id,
            changed=changed_keys(old, new),
            origin=editor.origin,
        )
        return message

    # -- mandatory qualifications -----------------------------------------------------------------------

    def create_mq(
        self,
        *,
        trn: str | None = None,
        person_id: str | None = None,
        provider: str | None,
        specialism: int | None,
        start_date: dt.date | None,
        status: int | None,
        end_date: dt.date | None = None,
        editor: Editor | None = None,
    ) -> EditResult:
        """Add a mandatory qualification to a person (its id is chosen here, in TRS)."""
        editor = editor or Editor()
        given = MqInput(provider, specialism, start_date, status, end_date)
        now = self.clock()
        with self.engine.begin() as connection:
            mark_origin(connection, "bridge")
            person = self._person(connection, trn=trn, person_id=person_id)
            new = _checked(None, given)
            qualification_id = str(uuid.uuid4())
            connection.execute(
                insert(_QUALIFICATIONS).values(
                    qualification_id=qualification_id,
                    qualification_type=QUALIFICATION_TYPE_MANDATORY,
                    person_id=person["person_id"],
                    created_on=now,
                    updated_on=now,
                    **_mq_columns(new),
                )
            )
            message = self._record(
                connection,
                kind="mq_create",
                entity_set="dfeta_qualifications",
                record_id=qualification_id,
                person_id=str(person["person_id"]),
                base_version=None,
                old=None,
                new=new,
                editor=editor,
                now=now,
            )
        return EditResult(message.message_id, "mq_create", qualification_id, message.person_id, list(new))

    def update_mq(
        self,
        qualification_id: str,
        *,
        provider: str | None = None,
        specialism: int | None = None,
        start_date: dt.date | None = None,
        status: int | None = None,
        end_date: dt.date | None = None,
        editor: Editor | None = None,
    ) -> EditResult:
        """Change a mandatory qualification's provider, specialism, start date, status and/or end date."""
        editor = editor or Editor()
        given = MqInput(provider, specialism, start_date, status, end_date)
        if given == MqInput():
            raise EditRejected("edit", "changes nothing (give at least one field)")
        now = self.clock()
        with self.engine.begin() as connection:
            mark_origin(connection, "bridge")
            row = self._mq(connection, qualification_id)
            old = mq_state_of_row(row)
            new = _checked(old, given)
            changed = changed_keys(old, new)
            if not changed:
                raise EditRejected("edit", "changes nothing: the qualification already has these values")
            values = {k: v for k, v in _mq_columns(new).items() if k in _columns_of(changed)}
            if "mq_provider_id" in changed:
                values["dqt_mq_establishment_id"] = None  # DQT's id is known once the relay has written it
            if "mq_specialism" in changed:
                values["dqt_specialism_id"] = None
            connection.execute(
                update(_QUALIFICATIONS)
                .where(_QUALIFICATIONS.c.qualification_id == row["qualification_id"])
                .values(updated_on=now, **values)
            )
            message = self._record(
                connection,
                kind="mq_update",
                entity_set="dfeta_qualifications",
                record_id=str(row["qualification_id"]),
                person_id=str(row["person_id"]),
                base_version=row["dqt_version"],
                old=old,
                new=new,
                editor=editor,
                now=now,
            )
        return EditResult(message.message_id, "mq_update", message.record_id, message.person_id, changed)

    def delete_mq(self, qualification_id: str, *, editor: Editor | None = None) -> EditResult:
        """Delete a mandatory qualification (soft: ``deleted_on``; DQT's record is deactivated)."""
        editor = editor or Editor()
        now = self.clock()
        with self.engine.begin() as connection:
            mark_origin(connection, "bridge")
            row = self._mq(connection, qualification_id)
            old = mq_state_of_row(row)
            if old["deleted"]:
                raise EditRejected("qualification", "is already deleted")
            new = {**old, "deleted": True}
            connection.execute(
                update(_QUALIFICATIONS)
                .where(_QUALIFICATIONS.c.qualification_id == row["qualification_id"])
                .values(deleted_on=now, updated_on=now)
            )
            message = self._record(
                connection,
                kind="mq_delete",
                entity_set="dfeta_qualifications",
                record_id=str(row["qualification_id"]),
                person_id=str(row["person_id"]),
                base_version=row["dqt_version"],
                old=old,
                new=new,
                editor=editor,
                now=now,
            )
        return EditResult(message.message_id, "mq_delete", message.record_id, message.person_id, ["deleted"])

    # -- names ------------------------------------------------------------------------------------------

    def change_name(
        self,
        *,
        trn: str | None = None,
        person_id: str | None = None,
        first: str | None = None,
        middle: str | None = None,
        last: str | None = None,
        editor: Editor | None = None,
    ) -> EditResult:
        """Change a person's first, middle and/or last name (parts not given are kept).

        First and last names must be non-empty after trimming; the middle name may be empty (none). Each
        changed part also becomes a previous name, in DQT (one ``dfeta_previousname`` per part) and in TRS
        (the rows the sync will derive from them, from now on).
        """
        editor = editor or Editor()
        if first is None and middle is None and last is None:
            raise EditRejected("edit", "changes nothing (give at least one of first, middle, last)")
        given = {
            "first_name": None if first is None else _name(first, "first", required=True),
            "middle_name": None if middle is None else _name(middle, "middle", required=False),
            "last_name": None if last is None else _name(last, "last", required=True),
        }
        now = self.clock().replace(microsecond=0)  # DQT keeps seconds: previous names are stamped with this
        with self.engine.begin() as connection:
            mark_origin(connection, "bridge")
            person = self._person(connection, trn=trn, person_id=person_id)
            shown = {k: person[k] or "" for k in NAME_KEYS}  # what TRS shows (the stated names, if in use)
            old = {k: person[f"dqt_{k}"] or "" for k in NAME_KEYS}  # DQT's raw names
            new = {k: given[k] if given[k] is not None else old[k] for k in NAME_KEYS}
            shown_new = {k: given[k] if given[k] is not None else shown[k] for k in NAME_KEYS}
            if new == old and shown_new == shown:
                raise EditRejected("edit", "changes nothing: the person already has this name")
            pid = str(person["person_id"])
            message_id = str(uuid.uuid4())
            connection.execute(
                update(_PERSONS)
                .where(_PERSONS.c.person_id == pid)
                .values(updated_on=now, **shown_new, **{f"dqt_{k}": v for k, v in new.items()})
            )
            state: dict[str, Any] = dict(new)
            if shown != old:  # stated names in use: the relay writes them too (ADR 0073)
                state["shown"] = shown_new
            previous = new_previous_names(message_id, pid, old, new, now)
            if previous:
                connection.execute(insert(_PREVIOUS_NAMES), [dict(r) for r in previous])
            message = outbox.enqueue(
                connection,
                kind="name_change",
                entity_set="contacts",
                record_id=pid,
                person_id=pid,
                base_version=person["dqt_version"],
                old_state=old,
                new_state=state,
                origin=editor.origin,
                raised_by=editor.user,
                caller_object_id=editor.caller_object_id,
                now=now,
                message_id=message_id,
            )
            insert_events(connection, [trs_edit_event(message)], now=now)
            log.info("edit_captured", kind="name_change", message_id=message_id, record_id=pid, origin=editor.origin)
        return EditResult(message_id, "name_change", pid, pid, changed_keys(old, new) or ["shown_name"])


def _checked(current: Mapping[str, Any] | None, given: MqInput) -> dict[str, Any]:
    try:
        return check_mq(current, given)
    except EditInvalid as error:
        raise EditRejected(error.field, error.message) from None


def _name(value: str, field_name: str, *, required: bool) -> str:
    try:
        return check_name(value, field_name, required=required)
    except EditInvalid as error:
        raise EditRejected(error.field, error.message) from None


_STATE_COLUMNS = {
    "mq_provider_id": "mq_provider_id",
    "mq_specialism": "mq_specialism",
    "start_date": "start_date",
    "mq_status": "mq_status",
    "end_date": "end_date",
}


def _columns_of(keys: list[str]) -> set[str]:
    return {_STATE_COLUMNS[k] for k in keys if k in _STATE_COLUMNS}


def _mq_columns(state: Mapping[str, Any]) -> dict[str, Any]:
    """The ``qualifications`` columns of an MQ state snapshot."""

    def day(value: Any) -> dt.date | None:
        return None if value is None else dt.date.fromisoformat(value)

    return {
        "mq_provider_id": state["mq_provider_id"],
        "mq_specialism": state["mq_specialism"],
        "start_date": day(state["start_date"]),
        "mq_status": state["mq_status"],
        "end_date": day(state["end_date"]),
    }


def trs_edit_event(message: outbox.OutboxMessage) -> dict[str, Any]:
    """The TRS ``events`` row of an edit: its id is the message id, its payload the event sent to DQT."""
    return {
        "event_id": message.message_id,
        "event_name": event_name(message.kind),
        "created": message.created_at,
        "payload": trs_event_of(message),
        "key": f"trs-edit:{message.message_id}",
        "person_id": message.person_id,
    }


def trs_event_of(message: outbox.OutboxMessage) -> dict[str, Any]:
    """The TRS event of a message (deterministic: the relay rebuilds the same one for ``dfeta_trsevent``)."""
    return trs_event(
        kind=message.kind,
        event_id=message.message_id,
        created=message.created_at,
        raised_by=message.raised_by,
        person_id=message.person_id,
        record_id=message.record_id,
        old=message.old_state,
        new=message.new_state,
    )
