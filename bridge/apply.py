"""Apply one ``ChangePage`` to TRS inside the caller's transaction: map, upsert, heal, record failures, delete.

The caller (``bridge.sync``) commits what this writes together with the journal position, so a page's
effect lands whole or not at all. Within the page, one bad record never fails the others: a mapping failure
or a row the database refuses becomes a ``FailedRecord`` and its neighbours commit. A child whose person is
not in TRS yet is healed by fetching that contact from DQT on demand and retrying once.

Order inside a page: upserts, then deletes ("otherwise we may resurrect a deleted record").

A contact's own columns (induction status, QTS and QTLS dates) are inputs of its person's induction columns
(ADR 0019), so a delta that changes a contact re-derives them too, not only a change to a ``dfeta_induction``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import Connection, String, cast, select

from bridge import induction_exemptions, writeback
from bridge.feeds import (
    CONTACT_SELECT,
    INDUCTION,
    INDUCTION_SELECT,
    PREVIOUS_NAME,
    PREVIOUS_NAME_SELECT,
    ApplyKind,
    Feed,
)
from dataverse_client import ChangePage, DataverseClient, F
from mappings import (
    MAPPING_VERSION,
    Ignored,
    MappingError,
    ReferenceLookup,
    Skipped,
    StatusReference,
    map_contact,
    map_induction,
    map_previous_names,
    map_qualification,
    map_sanction,
)
from trs_store import (
    RowErrorKind,
    RowFailure,
    delete_rows,
    failed_records,
    insert_events,
    prune_children,
    update_columns,
    upsert_rows_isolating,
)
from trs_store.models import metadata
from trs_store.passes import stored_versions, touch_children, touch_rows
from trs_store.sync_runs import RunCounts

log = structlog.get_logger("bridge.apply")

#: How many ids go into one ``eq … or eq …`` filter (keeps URLs well under Dataverse's limits).
FETCH_CHUNK = 50
#: Namespace of event ids derived from event keys (so an event id is as deterministic as its key).
EVENT_NAMESPACE = uuid.UUID("0b7d5f3e-96a3-4f0e-8c1e-5a4c2b9d7e61")

_EVENT_NAMES = {
    "persons": "Person",
    "qualifications": "MandatoryQualification",
    "alerts": "Alert",
    "previous_names": "PreviousName",
}


@dataclass(slots=True)
class PageContext:
    """What applying a page needs: the open connection, DQT, reference lookups, the time, the pass kind."""

    connection: Connection
    client: DataverseClient
    reference: ReferenceLookup
    now: dt.datetime
    full_pass: bool = False
    counts: RunCounts = field(default_factory=RunCounts)
    #: The professional-status reference rows, read on first use (``bridge.professional_status``).
    status_reference: StatusReference | None = None
    #: Persons whose contact change on this page is the write-back relay's own write (an echo, ADR 0074): the
    #: columns derived from the contact are derived again (their version keys follow the contact's), without events.
    echo_persons: set[str] = field(default_factory=set)

    def add(self, **counts: int) -> None:
        self.counts = self.counts + RunCounts(**counts)


# ---------------------------------------------------------------------------------------------------------
# mapping outcomes
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UpsertOutcome:
    """What :func:`upsert_with_events` did: the keys now ``settled`` (applied, or already newer in TRS), those
    ``applied``, the ``echoes`` (versions the write-back relay wrote itself, ADR 0074) and the keys ``inserted``."""

    settled: list[str] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)
    echoes: set[str] = field(default_factory=set)
    inserted: frozenset[str] = frozenset()


@dataclass(slots=True)
class Mapped:
    rows: list[dict[str, Any]] = field(default_factory=list)
    not_stored: list[str] = field(default_factory=list)  # ids that mapped to Ignored/Skipped (delete if present)
    skipped: int = 0


def _record_id(record: Mapping[str, Any], primary_id: str) -> str | None:
    value = record.get(primary_id)
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def fail(
    ctx: PageContext,
    entity_set: str,
    dqt_id: str | None,
    payload: Any,
    *,
    kind: str,
    field_name: str | None,
    message: str,
) -> None:
    """Record a failed record (no personal data is logged: the message is log-safe by construction)."""
    failed_records.record_failure(
        ctx.connection, entity_set, dqt_id, payload, kind, field_name, message, MAPPING_VERSION, ctx.now
    )
    log.warning(
        "record_failed", entity_set=entity_set, dqt_id=dqt_id, error_kind=kind, field=field_name, reason=message
    )
    ctx.add(failed=1)


def fail_many(ctx: PageContext, entity_set: str, failures: list[tuple[str | None, Any, str, str | None, str]]) -> None:
    """:func:`fail` for a page's failures ``(dqt_id, payload, kind, field, message)`` with one statement (a
    backfill page of a dirty entity set fails hundreds of persons; one INSERT each cost ~4 ms, ADR 0057)."""
    if not failures:
        return
    failed_records.record_failures(ctx.connection, entity_set, failures, mapping_version=MAPPING_VERSION, now=ctx.now)
    for dqt_id, _, kind, field_name, message in failures:
        log.warning(
            "record_failed", entity_set=entity_set, dqt_id=dqt_id, error_kind=kind, field=field_name, reason=message
        )
    ctx.add(failed=len(failures))


def row_mapper(feed: Feed, reference: ReferenceLookup) -> Callable[[Mapping[str, Any]], Any]:
    """The mapping function of a row feed (the sync's, and so the parity report's: ``bridge.reconcile``)."""
    if feed.entity_set == "contacts":
        return map_contact
    if feed.entity_set == "dfeta_qualifications":
        return lambda record: map_qualification(record, reference)
    if feed.entity_set == "dfeta_sanctions":
        return lambda record: map_sanction(record, reference)
    raise ValueError(f"{feed.name} is not a row feed")


def map_page(ctx: PageContext, feed: Feed, records: Sequence[Mapping[str, Any]]) -> Mapped:
    mapper = row_mapper(feed, ctx.reference)
    out = Mapped()
    failures: list[tuple[str | None, Any, str, str | None, str]] = []
    for record in records:
        try:
            result = mapper(record)
        except MappingError as error:
            dqt_id = _record_id(record, feed.primary_id)
            failures.append((dqt_id, dict(record), "mapping", error.field, str(error)))
            log.warning(
                "record_failed",
                entity_set=feed.entity_set,
                dqt_id=dqt_id,
                error_kind="mapping",
                field=error.field,
                reason=str(error),
            )
            continue
        if isinstance(result, Ignored | Skipped):
            record_id = _record_id(record, feed.primary_id)
            if record_id:
                out.not_stored.append(record_id)
            if isinstance(result, Skipped):
                out.skipped += 1
            continue
        out.rows.append(dict(result))
    if failures:  # one statement for the page's mapping failures (a dirty page of a backfill has hundreds)
        failed_records.record_failures(
            ctx.connection, feed.entity_set, failures, mapping_version=MAPPING_VERSION, now=ctx.now
        )
        ctx.add(failed=len(failures))
    return out


# ---------------------------------------------------------------------------------------------------------
# persons on demand
# ---------------------------------------------------------------------------------------------------------


def fetch_by_ids(
    client: DataverseClient, entity_set: str, column: str, ids: Iterable[str], select_columns: Sequence[str]
) -> list[dict[str, Any]]:
    """Records of ``entity_set`` whose ``column`` is one of ``ids`` (chunked ``eq … or …`` filters)."""
    wanted = list(dict.fromkeys(ids))
    found: list[dict[str, Any]] = []
    for start in range(0, len(wanted), FETCH_CHUNK):
        chunk = wanted[start : start + FETCH_CHUNK]
        for page in client.query(entity_set, select=list(select_columns), filter=F.in_(column, chunk)):
            found.extend(page.records)
    return found


def ensure_persons(
    ctx: PageContext, person_ids: Iterable[str], contacts: Mapping[str, Mapping[str, Any]] | None = None
) -> set[str]:
    """Make sure the persons exist in TRS, syncing missing contacts from DQT now. Returns the ids present after."""
    wanted = {str(p) for p in person_ids}
    present = set(stored_versions(ctx.connection, "persons", wanted))
    missing = wanted - present
    if not missing:
        return present
    known = dict(contacts or {})
    to_fetch = [pid for pid in missing if pid not in known]
    for record in fetch_by_ids(ctx.client, "contacts", "contactid", to_fetch, CONTACT_SELECT):
        known[str(record["contactid"]).lower()] = record
    records = [known[pid] for pid in missing if pid in known]
    if records:
        log.info("persons_fetched_on_demand", count=len(records))
        apply_rows(ctx, _PERSON_FEED(), records, deleted_ids=[], heal=False, rederive=False)
    return set(stored_versions(ctx.connection, "persons", wanted))


def _PERSON_FEED() -> Feed:
    from bridge.feeds import PERSON

    return PERSON


# ---------------------------------------------------------------------------------------------------------
# row feeds: persons, mandatory qualifications, alerts
# ---------------------------------------------------------------------------------------------------------


def _event(table: str, row: Mapping[str, Any], key_column: str, now: dt.datetime, *, existed: bool) -> dict[str, Any]:
    """The event for one applied row version (ADR 0004). ``createdon == modifiedon`` alone does not make a
    version "Created": both have second resolution, so an update in the second of the create (a DQT plugin
    stamping the record) would be a second "Created" of a row TRS already ``existed`` with."""
    created, modified = row.get("dqt_created_on"), row.get("dqt_modified_on")
    if row.get("dqt_state") == 1:
        kind = "Deactivated"
    else:
        kind = "Created" if created == modified and not existed else "Updated"
    dqt_id = row[key_column]
    key = f"{dqt_id}-{kind}-{row['dqt_version']}"
    return {
        "event_id": str(uuid.uuid5(EVENT_NAMESPACE, key)),
        "event_name": f"{_EVENT_NAMES[table]}Dqt{kind}Event",
        "created": modified or now,
        "payload": {"dqt_id": dqt_id, "table": table, "versionnumber": row["dqt_version"], "kind": kind},
        "key": key,
        "person_id": row.get("person_id"),
    }


def _deleted_event(table: str, dqt_id: str, now: dt.datetime, person_id: str | None = None) -> dict[str, Any]:
    key = f"{dqt_id}-Deleted"
    return {
        "event_id": str(uuid.uuid5(EVENT_NAMESPACE, key)),
        "event_name": f"{_EVENT_NAMES[table]}DqtDeletedEvent",
        "created": now,
        "payload": {"dqt_id": dqt_id, "table": table, "kind": "Deleted"},
        "key": key,
        "person_id": person_id,
    }


def upsert_with_events(
    ctx: PageContext,
    table: str,
    rows: list[dict[str, Any]],
    raw: Mapping[str, Mapping[str, Any]],
    entity_set: str,
    *,
    heal: bool,
    persons_present: Collection[str] | None = None,
) -> UpsertOutcome:
    """Newer-wins upsert of ``rows`` with failure isolation, on-demand parents and one event per applied
    version. A caller that has just made sure of the rows' persons passes those ``persons_present``."""
    if not rows:
        return UpsertOutcome()
    key_column = metadata.tables[table].primary_key.columns.keys()[0]
    # Write-back (ADR 0074): TRS keeps the columns of edits DQT does not hold yet; the relay's own writes
    # coming back (echoes) add no event.
    rows, echoes = writeback.guard_incoming(ctx.connection, table, rows, raw)
    rows, orphans = _with_parents(ctx, table, rows, heal=heal, present=persons_present)
    result, failures = upsert_rows_isolating(ctx.connection, table, rows, now=ctx.now)
    failures = orphans + failures
    ctx.add(inserted=result.inserted, updated=result.updated, stale=result.stale)
    failed_keys = {f.key for f in failures}
    for failure in failures:
        _fail_row(ctx, entity_set, failure, raw)
    settled = [r[key_column] for r in rows if r[key_column] not in failed_keys]
    # What the database reports it applied (RETURNING), not versions read before: another feed may have
    # inserted the same row in between, and the upsert then yielded to it.
    applied_keys = result.applied_keys
    applied = [k for r in rows if (k := r[key_column]) in applied_keys]
    keys = set(applied) - echoes
    events = [
        _event(table, r, key_column, ctx.now, existed=r[key_column] in result.updated_keys)
        for r in rows
        if r[key_column] in keys
    ]
    insert_events(ctx.connection, events, now=ctx.now)
    return UpsertOutcome(settled, applied, echoes, result.inserted_keys)


def _with_parents(
    ctx: PageContext, table: str, rows: list[dict[str, Any]], *, heal: bool, present: Collection[str] | None = None
) -> tuple[list[dict[str, Any]], list[RowFailure]]:
    """Split ``rows`` of a person's child table into those whose person is in TRS (after fetching missing ones
    from DQT when ``heal``) and ``missing_parent`` failures for the rest. Checking first costs one query a page;
    letting the foreign key refuse them costs the failure isolation's bisection, about ``2·log2(n)`` savepoints
    per orphan (ADR 0025), which was most of a backfill's time on a page of MQs of persons that failed mapping.
    The foreign key still guards the write (a person deleted in between fails through the isolation)."""
    if table == "persons" or not rows or "person_id" not in rows[0]:
        return rows, []
    if present is None:
        wanted = {str(r["person_id"]) for r in rows if r["person_id"] is not None}
        present = ensure_persons(ctx, wanted) if heal else set(stored_versions(ctx.connection, "persons", wanted))
    kept: list[dict[str, Any]] = []
    orphans: list[RowFailure] = []
    key_column = metadata.tables[table].primary_key.columns.keys()[0]
    for row in rows:
        person_id = row["person_id"]
        if person_id is None or str(person_id) in present:
            kept.append(row)  # a NULL person is the database's to refuse (NOT NULL), with its own message
            continue
        message = (
            f'Key (person_id)=({person_id}) is not present in table "persons" '
            f"(person not in TRS: not synced, failed or deleted) [checked before the write]"
        )
        orphans.append(RowFailure(row, str(row[key_column]), RowErrorKind.MISSING_PARENT, message))
    return kept, orphans


def _fail_row(ctx: PageContext, entity_set: str, failure: RowFailure, raw: Mapping[str, Mapping[str, Any]]) -> None:
    payload = raw.get(failure.key or "", dict(failure.row))
    fail(ctx, entity_set, failure.key, payload, kind=str(failure.error_kind), field_name=None, message=failure.message)


def apply_rows(
    ctx: PageContext,
    feed: Feed,
    records: Sequence[Mapping[str, Any]],
    *,
    deleted_ids: Sequence[str],
    heal: bool = True,
    rederive: bool = True,
) -> None:
    mapped = map_page(ctx, feed, records)
    raw = {rid: r for r in records if (rid := _record_id(r, feed.primary_id))}  # not copied: nothing mutates them
    outcome = upsert_with_events(ctx, feed.table, mapped.rows, raw, feed.entity_set, heal=heal)
    settled, applied, echoes = outcome.settled, outcome.applied, outcome.echoes
    ctx.add(skipped=mapped.skipped)
    # A contact the relay wrote back (an echo) reached ``persons`` through the relay, but the columns derived from
    # it (induction, professional status) carry the contact's version in their keys: derive them again, quietly.
    echoed = sorted(k for k in echoes - set(applied) if k in raw)
    ctx.echo_persons.update(echoed)
    changed = {k: raw[k] for k in [*applied, *echoed]}
    if feed.entity_set == "contacts" and rederive and not ctx.full_pass and changed:
        _rederive_inductions(ctx, changed)
        _rebuild_previous_names_of_changed(ctx, changed)
    failed_records.resolve_many(ctx.connection, feed.entity_set, settled + mapped.not_stored, now=ctx.now)
    if feed.entity_set == "contacts" and rederive:  # QTLS fields feed professional status (ADR 0061)
        from bridge.professional_status import never_built_qtls, rebuild_for_contacts

        unbuilt = never_built_qtls(ctx, {k: raw[k] for k in settled if k not in changed and k in raw})
        rebuild_for_contacts(ctx, {**changed, **unbuilt}, new=outcome.inserted)
    if ctx.full_pass:  # every record of the page exists in DQT, failed or not: none may be swept
        # The rows the upsert applied are stamped already; every other record of the page is touched, including
        # a row another feed inserted meanwhile (a person fetched on demand) that the upsert yielded to.
        applied_set = set(applied)
        touch_rows(ctx.connection, feed.table, [k for k in raw if k not in applied_set], now=ctx.now)
    gone = list(dict.fromkeys([*mapped.not_stored, *(str(i).lower() for i in deleted_ids)]))
    if gone:
        existing = stored_versions(ctx.connection, feed.table, gone)
        if existing:
            deleted = delete_rows(ctx.connection, feed.table, list(existing))
            insert_events(ctx.connection, [_deleted_event(feed.table, k, ctx.now) for k in existing], now=ctx.now)
            ctx.add(deleted=deleted.deleted)
        failed_records.resolve_many(ctx.connection, feed.entity_set, gone, now=ctx.now, status="discarded")


# ---------------------------------------------------------------------------------------------------------
# per-person feeds: induction, previous names
# ---------------------------------------------------------------------------------------------------------


def _person_of(record: Mapping[str, Any]) -> str | None:
    return _record_id(record, "_dfeta_personid_value")


def _persons_for_deleted_inductions(ctx: PageContext, deleted_ids: Sequence[str]) -> set[str]:
    if not deleted_ids:
        return set()
    persons = metadata.tables["persons"]
    ids = [str(i).lower() for i in deleted_ids]
    rows = ctx.connection.execute(select(persons.c.person_id).where(persons.c.dqt_induction_id.in_(ids)))
    return {str(r) for r in rows.scalars()}


def _persons_for_deleted_previous_names(ctx: PageContext, deleted_ids: Sequence[str]) -> set[str]:
    table = metadata.tables["previous_names"]
    found: set[str] = set()
    for dqt_id in deleted_ids:
        pattern = f"%{str(dqt_id).lower()}%"
        statement = select(table.c.person_id).where(cast(table.c.dqt_previous_name_ids, String).like(pattern))
        found.update(str(r) for r in ctx.connection.execute(statement).scalars())
    return found


def _group(records: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for record in records:
        person = _person_of(record)
        if person:
            groups.setdefault(person, []).append(record)
    return groups


def _invalid_children(ctx: PageContext, feed: Feed, records: Sequence[Mapping[str, Any]]) -> None:
    for record in records:
        if _person_of(record) is None:
            fail(
                ctx,
                feed.entity_set,
                _record_id(record, feed.primary_id),
                dict(record),
                kind="mapping",
                field_name="_dfeta_personid_value",
                message=f"{feed.entity_set} record has no valid person lookup",
            )


def _contacts_and_children(
    ctx: PageContext,
    person_ids: set[str],
    entity_set: str,
    select_columns: Sequence[str],
    known: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    known_children: Mapping[str, list[Mapping[str, Any]]] | None = None,
) -> tuple[dict[str, Mapping[str, Any]], dict[str, list[Mapping[str, Any]]]]:
    """The contacts of ``person_ids`` (those in ``known`` are not fetched again) and all their children
    (``known_children``, when the caller read every child of these persons already: a backfill page)."""
    contacts: dict[str, Mapping[str, Any]] = {p: c for p, c in (known or {}).items() if p in person_ids}
    to_fetch = [p for p in person_ids if p not in contacts]
    contacts |= {
        str(c["contactid"]).lower(): c
        for c in fetch_by_ids(ctx.client, "contacts", "contactid", to_fetch, CONTACT_SELECT)
    }
    if known_children is not None:
        return contacts, {p: list(known_children[p]) for p in contacts if p in known_children}
    children = _group(fetch_by_ids(ctx.client, entity_set, "_dfeta_personid_value", list(contacts), select_columns))
    return contacts, children


def _orphans(ctx: PageContext, feed: Feed, records: Sequence[Mapping[str, Any]]) -> None:
    """Children whose contact DQT does not have at all: a missing-parent failed record each, as MQs and sanctions
    get (the per-person rebuild would otherwise pass over them without a trace). Only persons TRS lacks are
    asked of DQT, so a page of children of known persons costs one query of TRS."""
    by_person: dict[str, list[Mapping[str, Any]]] = {}
    for record in records:
        if (person := _person_of(record)) is not None:
            by_person.setdefault(person, []).append(record)
    absent = set(by_person) - set(stored_versions(ctx.connection, "persons", list(by_person)))
    if not absent:
        return
    found = {
        str(c["contactid"]).lower() for c in fetch_by_ids(ctx.client, "contacts", "contactid", absent, ["contactid"])
    }
    for person in sorted(absent - found):
        for record in by_person[person]:
            record_id = _record_id(record, feed.primary_id)
            fail(
                ctx,
                feed.entity_set,
                record_id,
                dict(record),
                kind=str(RowErrorKind.MISSING_PARENT),
                field_name="_dfeta_personid_value",
                message=f"{feed.entity_set} {record_id}: _dfeta_personid_value names contact {person}, "
                "which DQT does not have",
            )


def apply_induction(ctx: PageContext, feed: Feed, page: ChangePage) -> None:
    _invalid_children(ctx, feed, page.records)
    _orphans(ctx, feed, page.records)
    person_ids = {p for r in page.records if (p := _person_of(r))}
    person_ids |= _persons_for_deleted_inductions(ctx, page.deleted_ids)
    derive_induction(ctx, person_ids)


def _rederive_inductions(ctx: PageContext, contacts: Mapping[str, Mapping[str, Any]]) -> None:
    """After a delta changed ``contacts``, re-derive their persons' induction columns (a full pass leaves that to
    the induction feed's own full pass). The page's counts are the contacts'; only failures are added."""
    counts = ctx.counts
    derive_induction(ctx, set(contacts), contacts, derived_only=True)
    ctx.counts = counts + RunCounts(failed=ctx.counts.failed - counts.failed)


def derive_induction(
    ctx: PageContext,
    person_ids: set[str],
    contacts: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    derived_only: bool = False,
    children: Mapping[str, list[Mapping[str, Any]]] | None = None,
) -> None:
    """Derive the induction columns of ``person_ids`` from each contact and all its ``dfeta_inductions``.

    ``contacts`` already read are not fetched again, nor ``children`` (every induction of these persons). With
    ``derived_only`` (a contact changed), a person with no induction record whose columns were never derived is
    left alone, as the induction feed leaves it.
    """
    if not person_ids:
        return
    feed = INDUCTION
    contacts, inductions = _contacts_and_children(
        ctx, person_ids, feed.entity_set, INDUCTION_SELECT, contacts, known_children=children
    )
    if derived_only:
        derived = stored_versions(ctx.connection, "persons", contacts, version_column="dqt_induction_version")
        contacts = {p: c for p, c in contacts.items() if p in inductions or derived.get(p) is not None}
    present = ensure_persons(ctx, contacts, contacts)
    updates: list[dict[str, Any]] = []
    resolved: list[str] = []
    failures: list[tuple[str | None, Any, str, str | None, str]] = []
    for person_id, contact in contacts.items():
        records = inductions.get(person_id, [])
        trigger = records[0].get("dfeta_inductionid") if records else None
        if person_id not in present:
            failures.append(
                (
                    _record_id({"id": trigger}, "id") or person_id,
                    {"contact_id": person_id},
                    str(RowErrorKind.MISSING_PARENT),
                    "_dfeta_personid_value",
                    f"person {person_id} could not be synced from DQT",
                )
            )
            continue
        try:
            updates.append(dict(map_induction(contact, records)))
        except MappingError as error:
            failures.append(
                (
                    _record_id({"id": error.record_id}, "id") or person_id,
                    {"contact": contact, "inductions": list(records)},
                    "mapping",
                    error.field,
                    str(error),
                )
            )
            continue
        resolved.extend(str(r["dfeta_inductionid"]).lower() for r in records)
    fail_many(ctx, feed.entity_set, failures)
    # One statement per 1,000 ids for the page, not one per person (a backfill page names ~5,000 persons).
    failed_records.resolve_many(ctx.connection, feed.entity_set, resolved, now=ctx.now)
    if updates:
        # Exemption reasons the person's routes take move onto them, whichever feed writes last (ADR 0067).
        write = induction_exemptions.plan_inductions(ctx.connection, updates)
        result = update_columns(
            ctx.connection, "persons", "person_id", updates, now=ctx.now, stored_versions=write.stored_versions
        )
        induction_exemptions.finish_inductions(ctx.connection, write, now=ctx.now)
        ctx.add(updated=result.updated, stale=result.stale)


def apply_previous_names(ctx: PageContext, feed: Feed, page: ChangePage) -> None:
    _invalid_children(ctx, feed, page.records)
    _orphans(ctx, feed, page.records)
    person_ids = {p for r in page.records if (p := _person_of(r))}
    person_ids |= _persons_for_deleted_previous_names(ctx, page.deleted_ids)
    rebuild_previous_names(ctx, person_ids)


def _rebuild_previous_names_of_changed(ctx: PageContext, contacts: Mapping[str, Mapping[str, Any]]) -> None:
    """After a delta changed ``contacts``, rebuild their previous names: the rebuild starts from the contact's
    current name, so a rename in DQT rewrites them even without a new ``dfeta_previousname`` row. Only
    failures are added to the page's counts (the page counts contacts)."""
    counts = ctx.counts
    rebuild_previous_names(ctx, set(contacts), contacts, derived_only=True)
    ctx.counts = counts + RunCounts(failed=ctx.counts.failed - counts.failed)


def rebuild_previous_names(
    ctx: PageContext,
    person_ids: set[str],
    known_contacts: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    derived_only: bool = False,
    children: Mapping[str, list[Mapping[str, Any]]] | None = None,
) -> None:
    """Rebuild the previous names of ``person_ids`` from each contact and all its ``dfeta_previousnames``
    (``children``, when already read). With ``derived_only``, persons with no previous-name rows on either side
    are left alone."""
    feed = PREVIOUS_NAME
    # A name edit on its way to DQT owns the person's previous names until it is delivered (ADR 0073).
    person_ids -= writeback.persons_with_undelivered_names(ctx.connection, sorted(person_ids))
    if not person_ids:
        return
    contacts, names = _contacts_and_children(
        ctx, person_ids, "dfeta_previousnames", PREVIOUS_NAME_SELECT, known_contacts, known_children=children
    )
    if derived_only:
        table = metadata.tables["previous_names"]
        held = {
            str(p)
            for p in ctx.connection.execute(
                select(table.c.person_id).where(table.c.person_id.in_(list(contacts))).distinct()
            ).scalars()
        }
        contacts = {p: c for p, c in contacts.items() if p in names or p in held}
        if not contacts:
            return
    present = ensure_persons(ctx, contacts, contacts)
    rows: list[dict[str, Any]] = []
    rebuilt: list[str] = []
    resolved: list[str] = []
    raw: dict[str, Mapping[str, Any]] = {}
    for person_id, contact in contacts.items():
        if person_id not in present:
            continue
        records = names.get(person_id, [])
        try:
            person_rows = map_previous_names(contact, records)
        except MappingError as error:
            fail(
                ctx,
                feed.entity_set,
                _record_id({"id": error.record_id}, "id") or person_id,
                {"contact_id": person_id, "previous_names": list(records)},
                kind="mapping",
                field_name=error.field,
                message=str(error),
            )
            continue
        rebuilt.append(person_id)
        rows.extend(dict(r) for r in person_rows)
        for row in person_rows:
            raw[row["previous_name_id"]] = {"contact_id": person_id, "previous_names": list(records)}
        resolved.extend(str(r["dfeta_previousnameid"]).lower() for r in records)
    failed_records.resolve_many(ctx.connection, feed.entity_set, resolved, now=ctx.now)
    upsert_with_events(ctx, "previous_names", rows, raw, feed.entity_set, heal=False, persons_present=present)
    if rebuilt:
        removed = prune_children(
            ctx.connection,
            "previous_names",
            parent_column="person_id",
            parent_ids=rebuilt,
            keep_ids=[r["previous_name_id"] for r in rows],
        )
        ctx.add(deleted=removed)
    if ctx.full_pass:
        touch_children(ctx.connection, "previous_names", parent_column="person_id", parent_ids=contacts, now=ctx.now)


def apply_person_range_page(
    ctx: PageContext, feed: Feed, records: Sequence[Mapping[str, Any]], contacts: Mapping[str, Mapping[str, Any]]
) -> RunCounts:
    """Apply a backfill page of a per-person feed read by person key range (ADR 0085): ``contacts`` are every
    contact in the range and ``records`` every record of ``feed`` whose person is in it, so each person is rebuilt
    from what was read, with nothing fetched again by id. The outcome is what :func:`apply_page` gives for the same
    records: the same derivation, newer-wins writes and failures."""
    ctx.add(seen=len(records))
    _invalid_children(ctx, feed, records)
    children = _group(records)
    if feed.kind is ApplyKind.INDUCTION:
        derive_induction(ctx, set(children), contacts, children=children)
    elif feed.kind is ApplyKind.PREVIOUS_NAMES:
        rebuild_previous_names(ctx, set(children), contacts, children=children)
    else:
        raise ValueError(f"{feed.name} is not read by person range")
    return ctx.counts


def apply_page(ctx: PageContext, feed: Feed, page: ChangePage) -> RunCounts:
    """Apply one page of ``feed`` and return what it did."""
    ctx.add(seen=len(page.records) + len(page.deleted_ids))
    if feed.kind is ApplyKind.ROWS:
        apply_rows(ctx, feed, page.records, deleted_ids=list(page.deleted_ids))
    elif feed.kind is ApplyKind.INDUCTION:
        apply_induction(ctx, feed, page)
    elif feed.kind is ApplyKind.PREVIOUS_NAMES:
        apply_previous_names(ctx, feed, page)
    else:
        from bridge.professional_status import apply_professional_status_page  # it imports this module

        apply_professional_status_page(ctx, feed, page)
    return ctx.counts
