"""The write-back relay: sends the outbox's TRS edits to DQT, and keeps the sync from echoing them back.

:func:`relay_pending` is the entry point (the jobs layer wraps it in an actor). Each round it leases the
*head* of every record's queue (the oldest undelivered message; at most one per record) and sends those in
parallel; a record's next message waits for the next round, so per record DQT sees the edits in the order
they were made (ADR 0071).

Every write (ADR 0072):

* carries the TRS event in ``dfeta_trsevent`` (its ``EventId`` is the message id) and impersonates the
  editing user (``CallerObjectId``) when known;
* is an atomic ``$batch`` change set asking for the written record back (``Prefer: return=representation``),
  so the version DQT gave the write is known without a second read and recorded on the message;
* updates and deletes send ``If-Match: W/"<base version>"``; creates use the id chosen in TRS, and a name
  change creates its ``dfeta_previousnames`` with ids derived from the message id, so a repeated delivery can
  only fail (412 / duplicate), never write twice. A failure of that kind is checked against DQT's record: if
  its ``dfeta_trsevent`` is this message's event, the earlier attempt landed and the message is delivered.

A 412 is a three-way comparison in TRS terms (``mappings.writeback.three_way``): DQT changed none of the
edit's fields → re-send on DQT's version (merged; an event says so); DQT already holds the edit's values →
delivered; otherwise a ``conflicts`` row for an operator and the message waits (``bridge.conflicts``).
Throttling, outages and anything unexpected only delay a message (``next_attempt_at``); DQT refusing the
write itself (400, a person missing in DQT) fails it for an operator to ``retry``. Nothing is dropped.

After a delivery the relay applies what DQT returned to TRS in the same transaction that marks the message
sent: the row's ``dqt_version`` becomes the write's version, so the change feed's copy of the write (the echo)
is not newer and changes nothing (ADR 0074). :func:`guard_incoming` is the sync's side: it keeps TRS's values
of the columns an undelivered message edits, and tells the sync which incoming versions are the relay's own
writes, so they add no "changed in DQT" event.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Final

import structlog
from sqlalchemy import Connection, Engine, select, update

from bridge.edits import mark_origin, trs_edit_event, trs_event_of
from bridge.feeds import CONTACT_SELECT, PREVIOUS_NAME_SELECT, QUALIFICATION_SELECT, REFERENCE_SELECT
from dataverse_client import (
    AuthError,
    BadRequest,
    BatchOperation,
    ChangeSet,
    ConcurrencyConflict,
    DataverseClient,
    DuplicateRecord,
    F,
    NotFound,
    ServiceUnavailable,
    Throttled,
    TransportError,
)
from mappings import MappingError, ReferenceLookup, map_contact, map_previous_names, map_qualification
from mappings.types import Ignored
from mappings.writeback import (
    NAME_KEYS,
    EditInvalid,
    MqInput,
    WritebackMappingError,
    WritebackReference,
    check_mq,
    check_name,
    event_id_of,
    mq_body,
    mq_state_of_row,
    name_body,
    previous_name_bodies,
    raw_names_of_contact,
    serialize_event,
    three_way,
    touched_keys,
    uses_stated_names,
)
from trs_store import conflicts, insert_events, outbox, prune_children, upsert_rows
from trs_store.models import metadata
from trs_store.models.writeback import UNDELIVERED_STATUSES
from trs_store.outbox import OutboxMessage

log = structlog.get_logger("bridge.writeback")

Clock = Callable[[], dt.datetime]

#: TRS columns an undelivered message of each table may have changed: the sync keeps TRS's values of these
#: until the message is delivered or superseded (ADR 0074).
PROTECTED_COLUMNS: Final = {
    "qualifications": (
        "mq_provider_id",
        "dqt_mq_establishment_id",
        "mq_specialism",
        "dqt_specialism_id",
        "start_date",
        "mq_status",
        "end_date",
        "deleted_on",
    ),
    "persons": ("first_name", "middle_name", "last_name", "dqt_first_name", "dqt_middle_name", "dqt_last_name"),
}
#: How many times one delivery re-sends after a 412 that merges (DQT busy with the same record).
MAX_MERGE_ATTEMPTS: Final = 3
#: How long a relay holds a message it is sending before another relay may take it (a killed relay's lease).
DEFAULT_LEASE: Final = dt.timedelta(minutes=5)
#: Longest delay between attempts of a message DQT cannot take now.
MAX_BACKOFF_SECONDS: Final = 600.0

_REPRESENTATION: Final = {"Prefer": "return=representation"}
QUALIFICATION_READ: Final = tuple(dict.fromkeys((*QUALIFICATION_SELECT, "dfeta_trsevent")))
CONTACT_READ: Final = tuple(dict.fromkeys((*CONTACT_SELECT, "dfeta_trsevent")))
_ENTITY_EVENT: Final = {"dfeta_qualifications": "MandatoryQualification", "contacts": "Person"}


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(slots=True)
class RelayResult:
    """What one :func:`relay_pending` call did, in messages."""

    sent: int = 0
    merged: int = 0  # of ``sent``: delivered after a three-way merge
    conflicts: int = 0
    failed: int = 0
    deferred: int = 0  # throttled, DQT unavailable, or an unexpected error: tried again later
    rounds: int = 0
    outcomes: dict[str, str] = field(default_factory=dict)  # message id → outcome

    @property
    def processed(self) -> int:
        return self.sent + self.conflicts + self.failed + self.deferred

    def add(self, message_id: str, outcome: str) -> None:
        self.outcomes[message_id] = outcome
        if outcome in ("sent", "merged", "converged", "landed"):
            self.sent += 1
            self.merged += outcome == "merged"
        elif outcome == "conflict":
            self.conflicts += 1
        elif outcome == "failed":
            self.failed += 1
        else:
            self.deferred += 1

    def as_json(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "merged": self.merged,
            "conflicts": self.conflicts,
            "failed": self.failed,
            "deferred": self.deferred,
            "rounds": self.rounds,
        }


# ---------------------------------------------------------------------------------------------------------
# reference data
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class References:
    """DQT's MQ reference rows read once: for writing (with activeness) and for mapping back (the sync's)."""

    writing: WritebackReference
    reading: ReferenceLookup


def load_references(client: DataverseClient) -> References:
    def read(entity_set: str, primary_id: str) -> list[dict[str, Any]]:
        return [r for page in client.query(entity_set, select=[primary_id, *REFERENCE_SELECT]) for r in page.records]

    establishments = read("dfeta_mqestablishments", "dfeta_mqestablishmentid")
    specialisms = read("dfeta_specialisms", "dfeta_specialismid")
    return References(
        WritebackReference.from_records(establishments=establishments, specialisms=specialisms),
        ReferenceLookup.from_records(establishments=establishments, specialisms=specialisms, sanction_codes=[]),
    )


# ---------------------------------------------------------------------------------------------------------
# applying DQT's state to TRS (after a delivery, or an operator keeping DQT's side)
# ---------------------------------------------------------------------------------------------------------


def _current_rows(connection: Connection, table: str, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    target = metadata.tables[table]
    key_column = target.primary_key.columns.values()[0]
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(keys), 1000):
        chunk = list(keys[start : start + 1000])
        for row in connection.execute(select(target).where(key_column.in_(chunk))).mappings():
            found[str(row[key_column.name])] = dict(row)
    return found


def write_dqt_row(
    connection: Connection,
    table: str,
    row: Mapping[str, Any],
    *,
    protect: Sequence[str] = (),
    force: bool = False,
    now: dt.datetime,
) -> None:
    """Apply one mapped DQT row to TRS keeping TRS's values of ``protect``. Newer wins, unless ``force``
    (an operator chose DQT's values: they apply even if the sync already stored this version)."""
    target = metadata.tables[table]
    key_column = target.primary_key.columns.values()[0].name
    key = str(row[key_column])
    values = dict(row)
    if protect:
        current = _current_rows(connection, table, [key]).get(key)
        if current is not None:
            values |= {c: current[c] for c in protect}
    if force:
        dqt_id_column = target.info.get("dqt_id_column")
        settable = {k: v for k, v in values.items() if k not in (key_column, dqt_id_column, "dqt_first_sync")}
        connection.execute(update(target).where(target.c[key_column] == key).values(**settable, dqt_last_sync=now))
        return
    upsert_rows(connection, table, [values], now=now)


def _later_undelivered(connection: Connection, message: OutboxMessage) -> list[OutboxMessage]:
    return [
        m for m in outbox.undelivered(connection, [message.record_id]).get(message.record_id, []) if m.seq > message.seq
    ]


def apply_qualification(
    connection: Connection,
    record: Mapping[str, Any],
    references: References,
    *,
    now: dt.datetime,
    protect_from: OutboxMessage | None = None,
    force: bool = False,
) -> None:
    """Apply a ``dfeta_qualifications`` record DQT returned to the TRS MQ row."""
    mapped = map_qualification(record, references.reading)
    if isinstance(mapped, Ignored):
        return
    row = dict(mapped)
    protect = (
        PROTECTED_COLUMNS["qualifications"] if protect_from and _later_undelivered(connection, protect_from) else ()
    )
    write_dqt_row(connection, "qualifications", row, protect=protect, force=force, now=now)
    table = metadata.tables["qualifications"]
    connection.execute(  # a TRS-created MQ learns its DQT id (an upsert never sets the DQT id column)
        update(table)
        .where(table.c.qualification_id == row["qualification_id"], table.c.dqt_qualification_id.is_(None))
        .values(dqt_qualification_id=row["qualification_id"])
    )


def fetch_previous_names(client: DataverseClient, person_id: str) -> list[dict[str, Any]]:
    """All of a person's ``dfeta_previousnames`` (read before a TRS transaction opens: no HTTP inside one)."""
    return [
        dict(r)
        for page in client.query(
            "dfeta_previousnames", select=list(PREVIOUS_NAME_SELECT), filter=F.lookup("dfeta_personid", person_id)
        )
        for r in page.records
    ]


def apply_contact(
    connection: Connection,
    contact: Mapping[str, Any],
    previous_names: Sequence[Mapping[str, Any]],
    *,
    now: dt.datetime,
    protect_from: OutboxMessage | None = None,
    force: bool = False,
) -> None:
    """Apply a contact DQT returned to its TRS person, then rebuild the person's previous names from DQT (the
    contact and all its ``previous_names`` rows), unless a later name edit is still on its way: its previous
    names are TRS's until it is delivered."""
    row = dict(map_contact(contact))
    later = protect_from is not None and bool(_later_undelivered(connection, protect_from))
    write_dqt_row(
        connection, "persons", row, protect=PROTECTED_COLUMNS["persons"] if later else (), force=force, now=now
    )
    if later:
        return
    person_id = str(row["person_id"])
    rows = [dict(r) for r in map_previous_names(contact, list(previous_names))]
    if rows:
        upsert_rows(connection, "previous_names", rows, now=now)
    prune_children(
        connection,
        "previous_names",
        parent_column="person_id",
        parent_ids=[person_id],
        keep_ids=[r["previous_name_id"] for r in rows],
    )


# ---------------------------------------------------------------------------------------------------------
# the sync's side: no echoes, no overwriting of undelivered edits
# ---------------------------------------------------------------------------------------------------------


def guard_incoming(
    connection: Connection,
    table: str,
    rows: list[dict[str, Any]],
    raw: Mapping[str, Mapping[str, Any]],
) -> tuple[list[dict[str, Any]], set[str]]:
    """For the sync, before it upserts mapped DQT ``rows`` of ``table``: returns the rows to write (with TRS's
    values kept for the columns an undelivered TRS edit changed) and the keys whose incoming version is the
    relay's own write (the echo: it must add no event).

    A version is the relay's if it is the one DQT returned to a delivered message, or if the record carries the
    ``dfeta_trsevent`` of a message not yet marked delivered (a relay that died between DQT's answer and its
    commit). Tables without write-back pass through untouched.
    """
    protected = PROTECTED_COLUMNS.get(table)
    if not protected or not rows:
        return rows, set()
    key_column = metadata.tables[table].primary_key.columns.values()[0].name
    messages = outbox.by_record(connection, [str(r[key_column]) for r in rows])
    if not messages:
        return rows, set()
    undelivered = {k for k, found in messages.items() if any(m.status in UNDELIVERED_STATUSES for m in found)}
    current = _current_rows(connection, table, sorted(undelivered)) if undelivered else {}
    guarded: list[dict[str, Any]] = []
    echoes: set[str] = set()
    for row in rows:
        key = str(row[key_column])
        found = messages.get(key)
        if not found:
            guarded.append(row)
            continue
        by_id = {m.message_id: m for m in found}
        carried = by_id.get(event_id_of((raw.get(key) or {}).get("dfeta_trsevent")) or "")
        # DQT's record carrying the one undelivered edit is that edit landed (the relay died before recording it):
        # nothing later is on its way, so DQT's values (its lookup ids included) are the ones to keep.
        landed = carried is not None and all(
            m.message_id == carried.message_id for m in found if m.status in UNDELIVERED_STATUSES
        )
        kept = {**row, **{c: current[key][c] for c in protected}} if key in current and not landed else row
        own_version = any(m.status == "sent" and m.dqt_version_after == row.get("dqt_version") for m in found)
        if own_version or (carried is not None and carried.status != "sent"):
            echoes.add(key)
        guarded.append(kept)
    if echoes:
        log.info("writeback_echoes_recognised", table=table, count=len(echoes))
    return guarded, echoes


def persons_with_undelivered_names(connection: Connection, person_ids: Sequence[str]) -> set[str]:
    """Persons whose name edit DQT does not hold yet: the sync leaves their previous names alone."""
    found = outbox.undelivered(connection, person_ids)
    return {k for k, messages in found.items() if any(m.kind == "name_change" for m in messages)}


# ---------------------------------------------------------------------------------------------------------
# the relay
# ---------------------------------------------------------------------------------------------------------


def validate_message(message: OutboxMessage) -> str | None:
    """Why a message cannot be written, or ``None``: edits captured by PostgreSQL's triggers were not
    checked by the edit service, so every message is checked again before it leaves."""
    new = message.new_state or {}
    try:
        if message.kind == "name_change":
            for key, required in (("first_name", True), ("middle_name", False), ("last_name", True)):
                if check_name(new.get(key), key, required=required) != (new.get(key) or ""):
                    return f"{key}: must be trimmed, NFC-normalised text"
        elif message.kind == "mq_create":
            check_mq(None, _mq_input(new))
        elif message.kind == "mq_update":
            old = message.old_state or {}
            given = _mq_input({k: v for k, v in new.items() if old.get(k) != v})
            check_mq({**old, "deleted": False}, given)
    except EditInvalid as error:
        return str(error)
    return None


def _mq_input(state: Mapping[str, Any]) -> MqInput:
    def day(value: Any) -> dt.date | None:
        return None if value is None else dt.date.fromisoformat(str(value))

    return MqInput(
        provider_id=state.get("mq_provider_id"),
        specialism=state.get("mq_specialism"),
        start_date=day(state.get("start_date")),
        status=state.get("mq_status"),
        end_date=day(state.get("end_date")),
    )


def _stated(new: Mapping[str, Any]) -> dict[str, str]:
    """The names to write as stated names: the shown names of the edit (``shown``), else the raw ones."""
    shown = new.get("shown")
    source = shown if isinstance(shown, Mapping) else new
    return {k: str(source.get(k) or "") for k in NAME_KEYS}


def etag(version: int) -> str:
    return f'W/"{version}"'


def _stored_version(connection: Connection, message: OutboxMessage) -> int | None:
    """The ``dqt_version`` TRS holds for the message's record (``None`` when it holds no row or no version),
    read under a row lock: a sync applying the same version right now commits first, or waits for us."""
    target = metadata.tables["persons" if message.entity_set == "contacts" else "qualifications"]
    key_column = target.primary_key.columns.values()[0]
    found = connection.execute(
        select(target.c.dqt_version).where(key_column == message.record_id).with_for_update()
    ).scalar_one_or_none()
    return None if found is None else int(found)


def _version(record: Mapping[str, Any]) -> int | None:
    value = record.get("versionnumber")
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


class Relay:
    """Sends outbox messages to DQT. One instance may serve many calls; it reads DQT's reference rows once."""

    def __init__(
        self,
        engine: Engine,
        client: DataverseClient,
        *,
        references: References | None = None,
        clock: Clock = utc_now,
        owner: str | None = None,
        workers: int = 4,
        lease: dt.timedelta = DEFAULT_LEASE,
    ) -> None:
        self.engine = engine
        self.client = client
        self.clock = clock
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.workers = max(1, workers)
        self.lease = lease
        self._references = references
        self._lock = threading.Lock()

    @property
    def references(self) -> References:
        with self._lock:
            if self._references is None:
                self._references = load_references(self.client)
            return self._references

    def run(self, *, limit: int = 100, should_stop: Callable[[], bool] | None = None) -> RelayResult:
        """Deliver up to ``limit`` messages: rounds of record heads until none is due or ``should_stop``."""
        result = RelayResult()
        while result.processed < limit:
            if should_stop is not None and should_stop():
                break
            with self.engine.begin() as connection:
                heads = outbox.claim_heads(
                    connection,
                    now=self.clock(),
                    owner=self.owner,
                    lease=self.lease,
                    limit=limit - result.processed,
                )
            if not heads:
                break
            result.rounds += 1
            if len(heads) == 1 or self.workers == 1:
                outcomes = [self._deliver_or_release(m, should_stop) for m in heads]
            else:
                with ThreadPoolExecutor(max_workers=min(self.workers, len(heads))) as pool:
                    outcomes = list(pool.map(lambda m: self._deliver_or_release(m, should_stop), heads))
            for message, outcome in zip(heads, outcomes, strict=True):
                if outcome is not None:
                    result.add(message.message_id, outcome)
            if all(o in ("deferred", None) for o in outcomes):
                break  # nothing moved: DQT is throttling or down, the messages are due later
        if result.processed:
            log.info("writeback_relayed", **result.as_json())
        return result

    def _deliver_or_release(self, message: OutboxMessage, should_stop: Callable[[], bool] | None) -> str | None:
        if should_stop is not None and should_stop():
            with self.engine.begin() as connection:
                outbox.release(connection, message)
            return None
        return self.deliver(message)

    # -- one message ------------------------------------------------------------------------------------

    def deliver(self, message: OutboxMessage) -> str:  # noqa: PLR0911 - one return per recorded outcome
        """Send one leased message; returns its outcome (sent, merged, converged, landed, conflict, failed,
        deferred). Never raises for DQT's answers: every outcome is recorded on the message."""
        structlog.contextvars.bind_contextvars(message_id=message.message_id, record_id=message.record_id)
        try:
            problem = validate_message(message)
            if problem is not None:
                return self._fail(message, f"invalid edit: {problem}")
            if message.kind == "name_change":
                return self._send_name(message)
            return self._send_mq(message)
        except Throttled as error:
            return self._defer(message, error, minimum=error.retry_after or 0.0)
        except AuthError as error:
            if error.status == 403:  # the impersonated user may not make this write: an operator must act
                return self._fail(message, f"DQT refused the write for the editing user: {error}")
            return self._defer(message, error)
        except (ServiceUnavailable, TransportError) as error:
            return self._defer(message, error)
        except NotFound as error:
            return self._fail(message, f"DQT has no such record (or no such person): {error}")
        except (BadRequest, WritebackMappingError, MappingError) as error:
            return self._fail(message, f"{type(error).__name__}: {error}")
        except Exception as error:  # anything else delays the message; it is never dropped
            log.exception("writeback_unexpected_error", error_type=type(error).__name__)
            return self._defer(message, error)
        finally:
            structlog.contextvars.unbind_contextvars("message_id", "record_id")

    def _defer(self, message: OutboxMessage, error: Exception, *, minimum: float = 0.0) -> str:
        delay = min(MAX_BACKOFF_SECONDS, max(minimum, 2.0 ** min(message.attempts, 10)))
        with self.engine.begin() as connection:
            outbox.reschedule(
                connection, message, now=self.clock(), delay=delay, error=f"{type(error).__name__}: {error}"
            )
        log.warning("writeback_deferred", error_type=type(error).__name__, delay_s=delay, attempts=message.attempts + 1)
        return "deferred"

    def _fail(self, message: OutboxMessage, error: str) -> str:
        with self.engine.begin() as connection:
            outbox.mark_failed(connection, message, error=error)
        log.error("writeback_failed", reason=error[:500])
        return "failed"

    def _trs_event(self, message: OutboxMessage) -> str:
        return serialize_event(trs_event_of(message))

    # -- mandatory qualifications -----------------------------------------------------------------------

    def _send_mq(self, message: OutboxMessage) -> str:  # noqa: PLR0911 - one return per recorded outcome
        references = self.references
        event = self._trs_event(message)
        new, old = message.new_state, message.old_state
        if message.kind == "mq_create":
            body = mq_body(new, list(new), references.writing, trs_event=event, person_id=message.person_id)
            body["dfeta_qualificationid"] = message.record_id
            operation = BatchOperation("POST", "dfeta_qualifications", body, dict(_REPRESENTATION), idempotent=True)
            try:
                record = self._write([operation], message)[0]
            except DuplicateRecord:
                current = self._read_mq(message.record_id)
                if event_id_of(current.get("dfeta_trsevent")) != message.message_id:
                    return self._fail(message, "DQT already holds another record with this MQ's id")
                return self._delivered(message, current, if_match=None, outcome="landed")
            return self._delivered(message, record, if_match=None, outcome="sent")

        keys = touched_keys(old, new) if message.kind == "mq_update" else ["deleted"]
        if_match = message.base_version
        merged = False
        for _ in range(MAX_MERGE_ATTEMPTS):
            if if_match is None:
                return self._fail(message, "the edit has no DQT version to be based on (If-Match)")
            body = mq_body(new, keys, references.writing, trs_event=event)
            path = f"dfeta_qualifications({message.record_id})"
            operation = BatchOperation("PATCH", path, body, {"If-Match": etag(if_match), **_REPRESENTATION})
            try:
                record = self._write([operation], message)[0]
            except (ConcurrencyConflict, DuplicateRecord):
                current = self._read_mq(message.record_id)
                if event_id_of(current.get("dfeta_trsevent")) == message.message_id:
                    return self._delivered(message, current, if_match=if_match, outcome="landed", rebase=False)
                mapped = map_qualification(current, references.reading)
                if isinstance(mapped, Ignored):
                    return self._fail(message, "DQT's record is no longer a mandatory qualification")
                dqt_state = mq_state_of_row(mapped)
                decision = three_way(old, new, dqt_state, keys)
                version = _version(current)
                if decision.outcome == "converged":
                    return self._delivered(message, current, if_match=None, outcome="converged", rebase=False)
                if decision.outcome == "conflict":
                    return self._conflict(message, current, dqt_state, decision.conflicting, version)
                log.info("writeback_merging", dqt_changed=list(decision.dqt_changed), base=if_match, dqt=version)
                if_match, merged = version, True
                continue
            return self._delivered(message, record, if_match=if_match, outcome="merged" if merged else "sent")
        return self._defer(message, RuntimeError("DQT kept changing the record; will merge again later"))

    def _read_mq(self, record_id: str) -> dict[str, Any]:
        return dict(self.client.get("dfeta_qualifications", record_id, select=list(QUALIFICATION_READ)))

    # -- names ------------------------------------------------------------------------------------------

    def _send_name(self, message: OutboxMessage) -> str:
        event = self._trs_event(message)
        old, new = message.old_state or {}, message.new_state
        if_match = message.base_version
        merged = False
        for _ in range(MAX_MERGE_ATTEMPTS):
            current = dict(self.client.get("contacts", message.person_id, select=list(CONTACT_READ)))
            if event_id_of(current.get("dfeta_trsevent")) == message.message_id:
                return self._delivered(message, current, if_match=if_match, outcome="landed", rebase=False)
            version = _version(current)
            if if_match is None or version != if_match:  # DQT moved on since the edit: no write can succeed
                outcome = self._name_three_way(message, current, old, new, version)
                if outcome is not None:
                    return outcome
                if_match, merged = version, True
                continue
            changed_on = message.created_at.replace(microsecond=0)
            operations = [
                BatchOperation(
                    "PATCH",
                    f"contacts({message.person_id})",
                    name_body(new, trs_event=event, stated_names=_stated(new) if uses_stated_names(current) else None),
                    {"If-Match": etag(if_match), **_REPRESENTATION},
                ),
                *(
                    BatchOperation.create("dfeta_previousnames", body, has_client_id=True)
                    for body in previous_name_bodies(message.message_id, message.person_id, old, new, changed_on)
                ),
            ]
            try:
                contact = self._write(operations, message)[0]
            except (ConcurrencyConflict, DuplicateRecord):
                continue  # read again: it landed (our event), or DQT changed it (three-way)
            return self._delivered(message, contact, if_match=if_match, outcome="merged" if merged else "sent")
        return self._defer(message, RuntimeError("DQT kept changing the contact; will merge again later"))

    def _name_three_way(
        self,
        message: OutboxMessage,
        current: Mapping[str, Any],
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        version: int | None,
    ) -> str | None:
        dqt_state = raw_names_of_contact(current)
        keys = [k for k in NAME_KEYS if old.get(k) != new.get(k)] or list(NAME_KEYS)
        decision = three_way(old, new, dqt_state, keys)
        if decision.outcome == "converged":
            return self._delivered(message, current, if_match=None, outcome="converged", rebase=False)
        if decision.outcome == "conflict":
            return self._conflict(message, current, dqt_state, decision.conflicting, version)
        log.info("writeback_merging", dqt_changed=list(decision.dqt_changed), base=message.base_version, dqt=version)
        return None

    # -- sending and recording --------------------------------------------------------------------------

    def _write(self, operations: Sequence[BatchOperation], message: OutboxMessage) -> list[dict[str, Any]]:
        """One atomic change set; returns each operation's returned record (``{}`` when none came back)."""
        result = self.client.batch([ChangeSet(list(operations))], caller_object_id=message.caller_object_id)
        return [dict(p.body) if isinstance(p.body, Mapping) else {} for p in result.parts]

    def _delivered(
        self,
        message: OutboxMessage,
        record: Mapping[str, Any],
        *,
        if_match: int | None,
        outcome: str,
        rebase: bool = True,
    ) -> str:
        """Mark ``message`` sent and apply DQT's record to TRS, in one transaction."""
        version = _version(record)
        names = fetch_previous_names(self.client, message.person_id) if message.entity_set == "contacts" else []
        now = self.clock()
        with self.engine.begin() as connection:
            mark_origin(connection, "sync")
            # A write that landed before a relay died may have reached TRS through the sync first, stored at
            # DQT's version but with TRS's values of the protected columns (the message was undelivered then);
            # newer-wins would keep those, so DQT's record is applied regardless unless TRS holds a newer one.
            stored = _stored_version(connection, message) if outcome == "landed" else None
            force = version is not None and stored is not None and stored <= version
            outbox.mark_sent(
                connection,
                message,
                now=now,
                if_match=if_match,
                version_after=version,
                merged=outcome == "merged",
                rebase=rebase,
            )
            if message.entity_set == "contacts":
                apply_contact(connection, record, names, now=now, protect_from=message, force=force)
            else:
                apply_qualification(connection, record, self.references, now=now, protect_from=message, force=force)
            events = [trs_edit_event(message)]
            if outcome == "merged":
                events.append(self._merge_event(message, if_match, version, now))
            insert_events(connection, events, now=now)
        log.info("writeback_delivered", outcome=outcome, dqt_version=version, kind=message.kind)
        return outcome

    def _merge_event(
        self, message: OutboxMessage, if_match: int | None, version: int | None, now: dt.datetime
    ) -> dict[str, Any]:
        entity = _ENTITY_EVENT[message.entity_set]
        return {
            "event_id": str(uuid.uuid5(uuid.UUID(message.message_id), "merged")),
            "event_name": f"{entity}WriteBackMergedEvent",
            "created": now,
            "payload": {
                "message_id": message.message_id,
                "record_id": message.record_id,
                "base_version": message.base_version,
                "merged_onto_version": if_match,
                "dqt_version": version,
                "fields": touched_keys(message.old_state, message.new_state),
            },
            "key": f"trs-merge:{message.message_id}",
            "person_id": message.person_id,
        }

    def _conflict(
        self,
        message: OutboxMessage,
        current: Mapping[str, Any],
        dqt_state: Mapping[str, Any],
        fields: Sequence[str],
        version: int | None,
    ) -> str:
        now = self.clock()
        with self.engine.begin() as connection:
            conflict = conflicts.record(
                connection,
                message_id=message.message_id,
                entity_set=message.entity_set,
                record_id=message.record_id,
                person_id=message.person_id,
                base_version=message.base_version,
                dqt_version=version,
                base_snapshot=message.old_state,
                trs_snapshot=message.new_state,
                dqt_snapshot=dqt_state,
                dqt_record={k: v for k, v in current.items() if not k.startswith("@")},
                fields=list(fields),
                now=now,
            )
            outbox.mark_conflict(connection, message, error=f"conflict {conflict.conflict_id} on {', '.join(fields)}")
            entity = _ENTITY_EVENT[message.entity_set]
            insert_events(
                connection,
                [
                    {
                        "event_id": conflict.conflict_id,
                        "event_name": f"{entity}WriteBackConflictEvent",
                        "created": now,
                        "payload": {
                            "conflict_id": conflict.conflict_id,
                            "message_id": message.message_id,
                            "record_id": message.record_id,
                            "fields": list(fields),
                            "base_version": message.base_version,
                            "dqt_version": version,
                        },
                        "key": f"trs-conflict:{conflict.conflict_id}",
                        "person_id": message.person_id,
                    }
                ],
                now=now,
            )
        log.warning("writeback_conflict", conflict_id=conflict.conflict_id, fields=list(fields))
        return "conflict"


def relay_pending(
    engine: Engine,
    client: DataverseClient,
    *,
    limit: int = 100,
    should_stop: Callable[[], bool] | None = None,
    workers: int = 4,
    references: References | None = None,
    clock: Clock = utc_now,
) -> RelayResult:
    """Send up to ``limit`` due outbox messages to DQT (in order per record, records in parallel) and record
    each outcome. ``should_stop`` is asked before every round and every message: a true answer ends the call,
    leaving the rest for the next one. Safe to run in several processes at once (messages are leased)."""
    relay = Relay(engine, client, references=references, clock=clock, workers=workers)
    return relay.run(limit=limit, should_stop=should_stop)


def outbox_summary(engine: Engine) -> dict[str, Any]:
    """What ``trs-bridge status`` (and the metrics) show: pending, the oldest pending's age, sent, failed,
    conflicts open (and superseded)."""
    with engine.connect() as connection:
        stats = outbox.stats(connection)
        open_conflicts = conflicts.count_open(connection)
    return {
        "pending": stats.pending,
        "oldest_pending_age_seconds": stats.oldest_pending_age_seconds,
        "sent": stats.sent,
        "failed": stats.failed,
        "conflicts_open": open_conflicts,
        "superseded": stats.superseded,
    }
