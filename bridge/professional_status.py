"""Professional status (issue 4): rebuild a person's routes and status columns from DQT, one whole person at a time.

Routes come from *all* of a contact's ITT rows and QTS registrations plus its QTLS fields (pairing, the
left-over rules and ``hasMatchedIttQtsCombo`` look across rows), so nothing here maps one record: every change
names persons, and each named person is rebuilt (ADR 0061), as previous names are:

1. **Who.** A page of ``dfeta_initialteachertrainings`` or ``dfeta_qtsregistrations`` names the persons its
   records point at, plus the persons ``professional_status_sources`` says owned its records before (a hard delete
   arrives as an id only; a row moved to another contact leaves its old person). A contact applied by the person
   feed names its person when it has QTLS fields or was rebuilt before. A full pass ends with the persons indexed
   under the feed's entity set that it never reached (their rows are all gone).
2. **Lock, then read.** The persons rows are locked (``trs_store.professional_status.lock_persons``) *before*
   their contact, ITT rows and QTS rows are fetched from DQT, so rebuilds of one person are serialised and the
   last to commit read DQT last.
3. **Map** with :func:`mappings.map_professional_status` and a :class:`~mappings.StatusReference` read whole
   from DQT once per run (:func:`load_status_reference`).
4. **Write** (``trs_store.apply_professional_status``): newer wins on ``dqt_professional_status_version`` for the
   status columns and the route set together; rebuilds that a delete or a full pass triggered are *forced*,
   because the key of a set that lost a row is not higher (ADR 0062). The rows read are indexed (ADR 0063). The
   training subjects, provider and country the routes name are ensured first (foreign keys, ADR 0068); the routes'
   induction exemption columns come from the person's stored DQT reasons, and the reasons they leave are written
   with them (``bridge.induction_exemptions``, ADR 0067).
5. **Outcomes.** A contact-scoped failure (``CannotDeriveRoute``…) or a :class:`~mappings.MappingError` leaves the
   person as it was and becomes a failed record against the DQT row it names (the contact, for contact fields);
   row-scoped failures (``DoNotMigrateIttResult``…) are documented outcomes, counted as ``skipped``, logged by
   reason and kept in ``routes_not_migrated`` with the routes (ADR 0069). A successful rebuild resolves the person's
   open failures.

Counts: ``inserted``/``updated``/``deleted`` are route rows, ``stale`` persons whose key was not newer.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import structlog

from bridge import induction_exemptions as exemptions
from bridge.apply import PageContext, ensure_persons, fail, fetch_by_ids
from bridge.feeds import (
    CONTACT_SELECT,
    INITIAL_TEACHER_TRAINING,
    INITIAL_TEACHER_TRAINING_SELECT,
    QTS_REGISTRATION,
    QTS_REGISTRATION_SELECT,
    Feed,
)
from dataverse_client import ChangePage, DataverseClient, F
from mappings import (
    MappingError,
    ProfessionalStatusResult,
    RouteFailure,
    StatusReference,
    TrainingReferenceRows,
    map_professional_status,
    training_reference_rows,
    with_storable_countries,
)
from trs_store import RowErrorKind, describe_error, failed_records, insert_events
from trs_store import professional_status as store
from trs_store.isolation import is_row_error
from trs_store.sync_runs import COUNT_COLUMNS, RunCounts
from trs_store.training_reference import ensure_training_reference

log = structlog.get_logger("bridge.professional_status")

ITT: Final = INITIAL_TEACHER_TRAINING.entity_set
QTS: Final = QTS_REGISTRATION.entity_set
CONTACTS: Final = "contacts"
#: ``failed_records.error_kind`` of a documented contact-scoped failure (the message starts with its reason).
ROUTE_FAILURE: Final = "professional_status"
#: Namespace of route event ids (derived from their keys, as every event id is).
EVENT_NAMESPACE: Final = uuid.UUID("5c0f8f7e-2d7b-4b8e-9a53-0e6f6a1d2c44")

_PRIMARY_IDS: Final = {ITT: INITIAL_TEACHER_TRAINING.primary_id, QTS: QTS_REGISTRATION.primary_id}
_CODED_COLUMNS: Final = ("dfeta_name", "dfeta_value", "statecode")


def load_status_reference(client: DataverseClient) -> StatusReference:
    """Read the DQT reference rows ITT and QTS rows point at (inactive ones included; accounts flagged as ITT
    providers only) into a :class:`StatusReference`. Subject ids are derived and a provider's id is its DQT account
    id (ADR 0035); a route keeps only the country codes the store's ``countries`` can hold (ADR 0068)."""

    def read(entity_set: str, columns: Sequence[str], filter_: Any = None) -> list[dict[str, Any]]:
        pages = client.query(entity_set, select=list(columns), filter=filter_)
        return [record for page in pages for record in page.records]

    def coded(entity_set: str, primary_id: str) -> list[dict[str, Any]]:
        return read(entity_set, (primary_id, *_CODED_COLUMNS))

    reference = StatusReference.from_records(
        teacher_statuses=coded("dfeta_teacherstatuses", "dfeta_teacherstatusid"),
        early_years_statuses=coded("dfeta_earlyyearsstatuses", "dfeta_earlyyearsstatusid"),
        itt_qualifications=coded("dfeta_ittqualifications", "dfeta_ittqualificationid"),
        itt_subjects=coded("dfeta_ittsubjects", "dfeta_ittsubjectid"),
        countries=coded("dfeta_countries", "dfeta_countryid"),
        accounts=read(
            "accounts",
            ("accountid", "name", "dfeta_ukprn", "dfeta_trainingprovider", "statecode"),
            F.eq("dfeta_trainingprovider", True),
        ),
    )
    return with_storable_countries(reference)


def status_reference(ctx: PageContext) -> StatusReference:
    """The run's reference (read on first use and kept on the context, which the sync carries between pages)."""
    if ctx.status_reference is None:
        ctx.status_reference = load_status_reference(ctx.client)
    return ctx.status_reference


# ---------------------------------------------------------------------------------------------------------
# entry points
# ---------------------------------------------------------------------------------------------------------


def apply_professional_status_page(ctx: PageContext, feed: Feed, page: ChangePage) -> None:
    """Apply a page of ``dfeta_initialteachertrainings`` or ``dfeta_qtsregistrations``: rebuild every person it
    touches, forcing those that lost a row (deleted here, or moved to another contact)."""
    triggers: dict[str, list[str]] = {}
    record_ids: list[str] = []
    for record in page.records:
        record_id = _guid(record.get(feed.primary_id))
        person_id = _guid(record.get("_dfeta_personid_value"))
        if person_id is None:
            fail(
                ctx,
                feed.entity_set,
                record_id,
                dict(record),
                kind="mapping",
                field_name="_dfeta_personid_value",
                message=f"{feed.entity_set} record has no valid person lookup",
            )
            continue
        if record_id is not None:
            record_ids.append(record_id)
            triggers.setdefault(person_id, []).append(record_id)
    deleted = [d for i in page.deleted_ids if (d := _guid(i)) is not None]
    owners = store.source_owners(ctx.connection, [*record_ids, *deleted])
    forced = {owners[d] for d in deleted if d in owners}
    for person_id, ids in triggers.items():
        forced.update(owners[i] for i in ids if i in owners and owners[i] != person_id)  # moved away
    persons = set(triggers) | set(owners.values())
    rebuild(ctx, persons, forced=persons if ctx.full_pass else forced, trigger=(feed.entity_set, triggers))
    if deleted:
        failed_records.resolve_many(ctx.connection, feed.entity_set, deleted, now=ctx.now, status="discarded")


def rebuild_for_contacts(
    ctx: PageContext, contacts: Mapping[str, Mapping[str, Any]], *, new: Collection[str] = ()
) -> None:
    """After the person feed applied ``contacts``, rebuild the professional status of those whose QTLS fields are
    set or that were rebuilt before (a QTLS-only person has no ITT or QTS row to be found through). The page's
    counts stay the contacts'; only failures are added. ``new`` are persons the page's upsert inserted: no rebuild
    can have reached them yet (their row is locked by the page's transaction), so their versions are not read."""
    if not contacts:
        return
    known = store.stored_status_versions(ctx.connection, [p for p in contacts if p not in new])
    wanted = {
        person_id: contact
        for person_id, contact in contacts.items()
        if has_qtls_fields(contact) or known.get(person_id) is not None
    }
    if not wanted:
        return
    counts = ctx.counts
    rebuild(ctx, set(wanted), forced=set(wanted) if ctx.full_pass else set(), contacts=wanted)
    ctx.counts = counts + RunCounts(failed=ctx.counts.failed - counts.failed)


def has_qtls_fields(contact: Mapping[str, Any]) -> bool:
    """Whether a contact's own QTLS fields make a route (or an expired QTLS status): a person with them is rebuilt
    when its contact changes, even with no ITT or QTS row (also what the parity report expects)."""
    return bool(contact.get("dfeta_qtlsdate")) or contact.get("dfeta_qtlsdatehasbeenset") is True


def never_built_qtls(ctx: PageContext, contacts: Mapping[str, Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """The contacts with QTLS fields whose person's professional status was never built. Another feed may create a
    person on demand before the person feed reaches its contact (feeds run in parallel in a fleet); the person
    feed's upsert is then not newer, yet a QTLS-only person has no ITT or QTS row through which anything else
    would build its QTLS route."""
    qtls = {person_id: contact for person_id, contact in contacts.items() if has_qtls_fields(contact)}
    if not qtls:
        return {}
    versions = store.stored_status_versions(ctx.connection, qtls)
    return {
        person_id: contact for person_id, contact in qtls.items() if person_id in versions and not versions[person_id]
    }


def rebuild_unseen(ctx: PageContext, feed: Feed, *, since: dt.datetime) -> RunCounts:
    """At the end of a full pass over ``feed``: rebuild (forced) the persons indexed with a row of its entity set
    that no rebuild reached since the pass began; DQT no longer has those rows. Returns what that did."""
    persons = store.persons_with_unseen_sources(ctx.connection, since=since, entity_set=feed.entity_set)
    if not persons:
        return RunCounts()
    log.warning("professional_status_unseen_rebuilt", feed=feed.name, count=len(persons))
    before = ctx.counts
    rebuild(ctx, set(persons), forced=set(persons))
    return _difference(ctx.counts, before)


# ---------------------------------------------------------------------------------------------------------
# the rebuild
# ---------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Batch:
    persons: list[dict[str, Any]] = field(default_factory=list)
    routes: list[dict[str, Any]] = field(default_factory=list)
    row_ids: dict[str, list[str]] = field(default_factory=dict)  # person -> DQT row ids read (for resolving)
    not_migrated: Counter[str] = field(default_factory=Counter)
    outcomes: list[dict[str, Any]] = field(default_factory=list)  # row-scoped failures, for routes_not_migrated

    def add(self, result: ProfessionalStatusResult) -> None:
        assert result.person is not None
        self.persons.append(dict(result.person))
        self.routes.extend(dict(r) for r in result.routes)
        self.not_migrated.update(f.reason.value for f in result.failures)
        self.outcomes.extend(
            {
                "person_id": f.person_id,
                "reason": f.reason.value,
                "dqt_initial_teacher_training_id": f.dqt_initial_teacher_training_id,
                "dqt_qts_registration_id": f.dqt_qts_registration_id,
                "compatible_itt_ids": list(f.compatible_itt_ids),
            }
            for f in result.failures
        )

    def of(self, person_id: str) -> _Batch:
        """The part of the batch that is one person's."""
        return _Batch(
            [p for p in self.persons if p["person_id"] == person_id],
            [r for r in self.routes if r["person_id"] == person_id],
            {person_id: self.row_ids[person_id]},
            outcomes=[o for o in self.outcomes if o["person_id"] == person_id],
        )


def rebuild(
    ctx: PageContext,
    person_ids: set[str],
    *,
    forced: Collection[str] = (),
    contacts: Mapping[str, Mapping[str, Any]] | None = None,
    trigger: tuple[str, Mapping[str, list[str]]] | None = None,
) -> None:
    """Rebuild the professional status of ``person_ids`` from DQT (``contacts`` already read are not fetched
    again). ``forced`` persons are written even if their key is not newer. ``trigger`` names the entity set and,
    per person, the records that caused the rebuild (what a failure with no row of its own is recorded against).
    """
    if not person_ids:
        return
    reference = status_reference(ctx)
    locked = store.lock_persons(ctx.connection, person_ids)  # before reading DQT: see the module docstring
    read = _read(ctx, person_ids, contacts)
    present = ensure_persons(ctx, read.contacts, read.contacts)
    for person_id in sorted(person_ids - set(read.contacts) - locked):  # rows of a contact DQT does not have
        _fail_missing_person(ctx, person_id, trigger)
    previous = store.source_ids(ctx.connection, present)
    batch = _Batch()
    sources: list[store.Source] = []
    processed: list[str] = []
    for person_id in sorted(read.contacts):
        contact = read.contacts[person_id]
        itts, qtss = read.itts.get(person_id, []), read.qtss.get(person_id, [])
        if person_id not in present:
            _fail_missing_person(ctx, person_id, trigger)
            continue
        processed.append(person_id)
        sources.extend(_sources(person_id, itts, qtss))
        payload = {"contact_id": person_id, "initial_teacher_trainings": itts, "qts_registrations": qtss}
        try:
            result = map_professional_status(contact, itts, qtss, reference)
        except MappingError as error:
            entity, dqt_id = _named_row(error.entity, error.record_id, person_id)
            fail(ctx, entity, dqt_id, payload, kind="mapping", field_name=error.field, message=str(error))
            continue
        if result.contact_failed:
            failure = next(f for f in result.failures if f.contact_scoped)
            _fail_route(ctx, failure, payload)
            continue
        batch.add(result)
        batch.row_ids[person_id] = [*previous.get(person_id, []), *(s.dqt_id for s in _sources(person_id, itts, qtss))]
    store.replace_sources(ctx.connection, processed, sources)
    plans = exemptions.plan_rebuild(ctx.connection, batch.persons, batch.routes)  # under the lock taken above
    applied = _write(ctx, batch, forced={p for p in forced if p in batch.row_ids}, trigger=trigger)
    exemptions.finish_rebuild(ctx.connection, plans, applied, now=ctx.now)
    if ctx.full_pass:
        store.touch_status(ctx.connection, processed, now=ctx.now)
    if batch.not_migrated:
        ctx.add(skipped=sum(batch.not_migrated.values()))
        log.info("routes_not_migrated", reasons=dict(sorted(batch.not_migrated.items())))


@dataclass(slots=True)
class _Read:
    contacts: dict[str, Mapping[str, Any]]
    itts: dict[str, list[dict[str, Any]]]
    qtss: dict[str, list[dict[str, Any]]]


def _read(ctx: PageContext, person_ids: set[str], known: Mapping[str, Mapping[str, Any]] | None) -> _Read:
    contacts: dict[str, Mapping[str, Any]] = {p: c for p, c in (known or {}).items() if p in person_ids}
    missing = sorted(p for p in person_ids if p not in contacts)
    for record in fetch_by_ids(ctx.client, CONTACTS, "contactid", missing, CONTACT_SELECT):
        contacts[str(record["contactid"]).lower()] = record
    found = sorted(contacts)
    itts = _by_person(fetch_by_ids(ctx.client, ITT, "_dfeta_personid_value", found, INITIAL_TEACHER_TRAINING_SELECT))
    qtss = _by_person(fetch_by_ids(ctx.client, QTS, "_dfeta_personid_value", found, QTS_REGISTRATION_SELECT))
    return _Read(contacts, itts, qtss)


def _by_person(records: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        person_id = _guid(record.get("_dfeta_personid_value"))
        if person_id is not None:
            grouped.setdefault(person_id, []).append(record)
    return grouped


def _sources(
    person_id: str, itts: Sequence[Mapping[str, Any]], qtss: Sequence[Mapping[str, Any]]
) -> list[store.Source]:
    found = []
    for entity_set, records in ((ITT, itts), (QTS, qtss)):
        for record in records:
            dqt_id = _guid(record.get(_PRIMARY_IDS[entity_set]))
            if dqt_id is not None:
                version = record.get("versionnumber")
                found.append(store.Source(dqt_id, entity_set, person_id, version if isinstance(version, int) else None))
    return found


def _write(
    ctx: PageContext, batch: _Batch, *, forced: set[str], trigger: tuple[str, Mapping[str, list[str]]] | None
) -> set[str]:
    """Write the batch in one statement set; if the database refuses a value, again person by person, so one
    person's bad row fails that person only. Returns the persons written (not stale, not failed)."""
    if not batch.persons:
        return set()
    reference = training_reference_rows(status_reference(ctx))
    try:
        with ctx.connection.begin_nested():
            result = _apply(ctx, batch, reference, forced)
    except Exception as error:  # only row errors are isolated
        if not is_row_error(error):
            raise
        return _write_each(ctx, batch, reference, forced=forced, trigger=trigger)
    return _record(ctx, batch, result)


def _apply(ctx: PageContext, batch: _Batch, reference: TrainingReferenceRows, forced: set[str]) -> store.StatusResult:
    """The training reference rows the routes name (before the routes: ADR 0068), then the persons and routes.

    Only the rows the routes name, and only here, after the rebuild took its persons locks: a concurrent writer of
    the same new row waits for this transaction, which by then holds the persons locks it needs."""
    subjects = {s for r in batch.routes for s in r["training_subject_ids"]}
    providers = {p for r in batch.routes if (p := r["training_provider_id"]) is not None}
    countries = {c for r in batch.routes if (c := r["training_country_id"]) is not None}
    ensure_training_reference(
        ctx.connection,
        subjects=[row for key, row in reference.subjects.items() if key in subjects],
        providers=[row for key, row in reference.providers.items() if key in providers],
        countries=[row for key, row in reference.countries.items() if key in countries],
    )
    return store.apply_professional_status(
        ctx.connection, batch.persons, batch.routes, now=ctx.now, forced=forced, not_migrated=batch.outcomes
    )


def _write_each(
    ctx: PageContext,
    batch: _Batch,
    reference: TrainingReferenceRows,
    *,
    forced: set[str],
    trigger: tuple[str, Mapping[str, list[str]]] | None,
) -> set[str]:
    applied: set[str] = set()
    for person in batch.persons:
        person_id = str(person["person_id"])
        single = batch.of(person_id)
        try:
            with ctx.connection.begin_nested():
                result = _apply(ctx, single, reference, forced & {person_id})
        except Exception as error:
            if not is_row_error(error):
                raise
            kind, message = describe_error(error)
            entity, dqt_id = _trigger_row(trigger, person_id)
            payload = {"contact_id": person_id, "routes": len(single.routes)}
            fail(ctx, entity, dqt_id, payload, kind=str(kind), field_name=None, message=message)
            continue
        applied |= _record(ctx, single, result)
    return applied


def _record(ctx: PageContext, batch: _Batch, result: store.StatusResult) -> set[str]:
    """Counts, events and resolved failures of a written batch; returns the persons it wrote."""
    ctx.add(inserted=result.inserted, updated=result.updated, deleted=result.deleted, stale=len(result.stale))
    events = [_route_event(change, ctx.now) for change in result.routes]
    events += [_removed_event(removed, ctx.now) for removed in result.removed]
    quiet = ctx.echo_persons  # re-derived after the relay's own write: no events (ADR 0074)
    insert_events(ctx.connection, [e for e in events if e is not None and e["person_id"] not in quiet], now=ctx.now)
    settled = [*result.applied, *result.stale]
    ids = sorted({i for p in settled for i in batch.row_ids.get(p, [])})
    for entity_set in (ITT, QTS):
        failed_records.resolve_many(ctx.connection, entity_set, ids, now=ctx.now)
    if result.missing:  # locked and present a moment ago: only a concurrent delete of the person gets here
        log.warning("professional_status_person_vanished", count=len(result.missing))
    return set(result.applied)


# ---------------------------------------------------------------------------------------------------------
# failures and events
# ---------------------------------------------------------------------------------------------------------


def _named_row(entity: str, record_id: str | None, person_id: str) -> tuple[str, str]:
    """Where a failure is recorded: the DQT row it names (an ITT row, a QTS registration), else the contact."""
    if entity in (ITT, QTS) and record_id is not None:
        return entity, record_id
    return CONTACTS, person_id


def _trigger_row(trigger: tuple[str, Mapping[str, list[str]]] | None, person_id: str) -> tuple[str, str]:
    if trigger is not None and trigger[1].get(person_id):
        return trigger[0], trigger[1][person_id][0]
    return CONTACTS, person_id


def _fail_route(ctx: PageContext, failure: RouteFailure, payload: dict[str, Any]) -> None:
    if failure.dqt_initial_teacher_training_id is not None:
        entity, dqt_id = ITT, failure.dqt_initial_teacher_training_id
    elif failure.dqt_qts_registration_id is not None:
        entity, dqt_id = QTS, failure.dqt_qts_registration_id
    else:
        entity, dqt_id = CONTACTS, failure.person_id
    details = {
        "reason": failure.reason.value,
        "dqt_initial_teacher_training_id": failure.dqt_initial_teacher_training_id,
        "dqt_qts_registration_id": failure.dqt_qts_registration_id,
        "compatible_itt_ids": list(failure.compatible_itt_ids),
    }
    fail(ctx, entity, dqt_id, {**details, **payload}, kind=ROUTE_FAILURE, field_name=None, message=failure.message)


def _fail_missing_person(ctx: PageContext, person_id: str, trigger: tuple[str, Mapping[str, list[str]]] | None) -> None:
    entity, dqt_id = _trigger_row(trigger, person_id)
    if entity == CONTACTS:
        return  # a person rebuilt for its own contact or its index exists; nothing else can be missing
    fail(
        ctx,
        entity,
        dqt_id,
        {"contact_id": person_id},
        kind=str(RowErrorKind.MISSING_PARENT),
        field_name="_dfeta_personid_value",
        message=f"person {person_id} could not be synced from DQT",
    )


def _route_event(change: store.RouteChange, now: dt.datetime) -> dict[str, Any] | None:
    """One event per new route row version (a rewrite at the version TRS already holds is not a new one)."""
    row = change.row
    if change.existed and change.previous_version == row["dqt_version"]:
        return None
    kind = "Updated" if change.existed else "Created"
    details = {"route_type_id": row.get("route_to_professional_status_type_id"), "status": row.get("status")}
    created = row.get("updated_on") or now
    return _event(row["qualification_id"], kind, row["dqt_version"], str(row["person_id"]), created, **details)


def _removed_event(removed: store.RemovedRoute, now: dt.datetime) -> dict[str, Any]:
    return _event(removed.qualification_id, "Deleted", removed.dqt_version, removed.person_id, now)


def _event(
    route_id: str, kind: str, version: int | None, person_id: str, created: dt.datetime, **details: Any
) -> dict[str, Any]:
    key = f"{route_id}-{kind}-{version}"
    return {
        "event_id": str(uuid.uuid5(EVENT_NAMESPACE, key)),
        "event_name": f"RouteToProfessionalStatusDqt{kind}Event",
        "created": created,
        "payload": {"dqt_id": route_id, "table": "qualifications", "versionnumber": version, "kind": kind, **details},
        "key": key,
        "person_id": person_id,
    }


def _guid(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _difference(after: RunCounts, before: RunCounts) -> RunCounts:
    return RunCounts(**{name: getattr(after, name) - getattr(before, name) for name in COUNT_COLUMNS})
