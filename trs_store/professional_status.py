"""Writes of a professional-status rebuild: a person's routes, their status columns, and the row index.

A person's professional status is rebuilt as a whole from the DQT contact and *all* its ITT rows and QTS
registrations (ADR 0033, ADR 0061). The whole set is guarded by one key, ``persons.dqt_professional_status_version``
(the largest ``versionnumber`` of the contact and those rows): :func:`apply_professional_status` writes a
person's status columns **and** replaces its route rows only when the incoming key is newer than the stored one,
or when the caller *forces* it (a rebuild after a hard delete, or during a full pass, where the key can stay the
same or go down: ADR 0062). A route's own ``dqt_version`` is informational: a route's content can change without
any of its own rows changing (pairing depends on the contact's other rows), so routes are never guarded one by one.

Callers serialise rebuilds of one person by locking the persons rows *before* reading DQT
(:func:`lock_persons`): on PostgreSQL a ``SELECT … FOR UPDATE`` in id order, on SQLite the ``BEGIN IMMEDIATE``
write lock every transaction already holds. So the rebuild that commits last read DQT last, and a forced write
can never put an older read over a newer one.

``professional_status_sources`` (ADR 0063) records which person each DQT ITT row and QTS registration belonged
to when last read, so a delete reported by id only still finds its person, whether or not the row made a route.
``routes_not_migrated`` (ADR 0069) holds an applied person's row-scoped outcomes, replaced with its routes.

Nothing here commits; everything runs in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import Connection, Table, bindparam, delete, or_, select, update

from trs_store.dialect import dialect_insert, key_in
from trs_store.errors import InvalidRows, InvalidValue
from trs_store.models import metadata
from trs_store.types import UTCDateTime, as_utc, canonical_guid
from trs_store.upsert import KEY_CHUNK, STAMPED_COLUMNS, chunks

#: ``qualifications.qualification_type`` of a route to professional status.
ROUTE_TYPE: Final = 1
#: The persons columns a rebuild writes (besides the version key and its last-sync stamp).
STATUS_COLUMNS: Final = ("qts_date", "eyts_date", "pqts_date", "has_eyps", "qtls_status")
VERSION_COLUMN: Final = "dqt_professional_status_version"
LAST_SYNC_COLUMN: Final = "dqt_professional_status_last_sync"

_persons: Table = metadata.tables["persons"]
_qualifications: Table = metadata.tables["qualifications"]
_sources: Table = metadata.tables["professional_status_sources"]
_not_migrated: Table = metadata.tables["routes_not_migrated"]
#: Namespace of ``routes_not_migrated`` ids (uuid5 of ``<person id>:<ordinal>``).
NOT_MIGRATED_NAMESPACE: Final = uuid.UUID("2e8a4c61-93d7-4b1f-a0c5-7f3e1d9b6a24")
_FROZEN_ROUTE_COLUMNS: Final = frozenset({"qualification_id", "dqt_first_sync", "dqt_last_sync"})


@dataclass(frozen=True, slots=True)
class RouteChange:
    """A route row written by :func:`apply_professional_status`: ``previous_version`` is the ``dqt_version`` it had
    (None when it is new)."""

    row: Mapping[str, Any]
    existed: bool
    previous_version: int | None


@dataclass(frozen=True, slots=True)
class RemovedRoute:
    """A route row deleted because its person's rebuild no longer produces it."""

    qualification_id: str
    person_id: str
    dqt_version: int | None


@dataclass(frozen=True, slots=True)
class StatusResult:
    """What :func:`apply_professional_status` did, by person and by route."""

    applied: tuple[str, ...] = ()  # persons whose columns and routes were written
    stale: tuple[str, ...] = ()  # persons whose stored key was not older (nothing written)
    missing: tuple[str, ...] = ()  # persons not in TRS (nothing written)
    routes: tuple[RouteChange, ...] = ()
    removed: tuple[RemovedRoute, ...] = ()
    inserted: int = 0
    updated: int = 0

    @property
    def deleted(self) -> int:
        return len(self.removed)


@dataclass(slots=True)
class _Plan:
    applied: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def lock_persons(connection: Connection, person_ids: Iterable[str]) -> set[str]:
    """The persons among ``person_ids`` that exist, row-locked until the transaction ends.

    PostgreSQL: ``SELECT … ORDER BY person_id FOR UPDATE`` (one order for every caller, so two rebuilds cannot
    deadlock on each other). SQLite: a plain read, because the store's transactions start ``BEGIN IMMEDIATE``
    and so already hold the database's write lock.
    """
    wanted = sorted({canonical_guid(p) for p in person_ids})
    found: set[str] = set()
    key = _persons.c.person_id
    for chunk in chunks(wanted, KEY_CHUNK):
        statement = select(key).where(key.in_(chunk)).order_by(key)
        if connection.dialect.name == "postgresql":
            statement = statement.with_for_update()
        found.update(str(k) for k in connection.execute(statement).scalars())
    return found


def stored_status_versions(connection: Connection, person_ids: Iterable[str]) -> dict[str, int | None]:
    """``{person_id: dqt_professional_status_version}`` for the persons that exist."""
    wanted = list(dict.fromkeys(canonical_guid(p) for p in person_ids))
    found: dict[str, int | None] = {}
    for chunk in chunks(wanted, KEY_CHUNK):
        statement = select(_persons.c.person_id, _persons.c[VERSION_COLUMN]).where(
            key_in(connection, _persons.c.person_id, chunk)  # one array parameter: 2-4x cheaper than 1,000 (ADR 0057)
        )
        for person_id, version in connection.execute(statement):
            found[str(person_id)] = version
    return found


def apply_professional_status(
    connection: Connection,
    persons: Sequence[Mapping[str, Any]],
    routes: Sequence[Mapping[str, Any]],
    *,
    now: dt.datetime,
    forced: Collection[str] = (),
    not_migrated: Sequence[Mapping[str, Any]] = (),
) -> StatusResult:
    """Write each person's status columns and replace its route rows, newer wins on the person's key.

    ``persons`` are ``{"person_id", "qts_date", "eyts_date", "pqts_date", "has_eyps", "qtls_status",
    "dqt_professional_status_version"}`` (one per person); ``routes`` the complete set of route rows
    (``qualification_type`` 1) of those persons. A person applies when it exists and its stored key is NULL or
    smaller, or it is in ``forced`` (then the incoming key is written even if it is equal or smaller). For an
    applied person the columns are updated (``dqt_professional_status_last_sync = now``), every route row is
    written as given (inserted, or overwritten whatever its ``dqt_version``; ``dqt_first_sync`` kept) and its
    other route rows are deleted. ``not_migrated`` (``{"person_id", "reason", "dqt_initial_teacher_training_id",
    "dqt_qts_registration_id", "compatible_itt_ids"}``, in the order the mapping reported them) replace an applied
    person's ``routes_not_migrated`` rows the same way. Persons that are stale or missing are left exactly as they are.
    """
    stamp = as_utc(now)
    incoming = _person_rows(persons)
    forced_ids = {canonical_guid(p) for p in forced}
    routes_by_person = _routes_by_person(routes, set(incoming))
    lock_persons(connection, incoming)
    stored = stored_status_versions(connection, incoming)
    plan = _Plan()
    for person_id, row in incoming.items():
        if person_id not in stored:
            plan.missing.append(person_id)
        elif person_id in forced_ids or _newer(stored[person_id], row[VERSION_COLUMN]):
            plan.applied.append(person_id)
        else:
            plan.stale.append(person_id)
    if not plan.applied:
        return StatusResult(stale=tuple(plan.stale), missing=tuple(plan.missing))

    _update_columns(connection, [incoming[p] for p in plan.applied], stamp)
    new_routes = [route for p in plan.applied for route in routes_by_person.get(p, [])]
    existing = _stored_routes(connection, plan.applied, [r["qualification_id"] for r in new_routes])
    keep, applied = {r["qualification_id"] for r in new_routes}, set(plan.applied)
    removed = [
        RemovedRoute(qualification_id, person_id, version)
        for qualification_id, (person_id, version) in existing.items()
        if qualification_id not in keep and person_id in applied
    ]
    for chunk in chunks([r.qualification_id for r in removed], KEY_CHUNK):
        connection.execute(delete(_qualifications).where(_qualifications.c.qualification_id.in_(chunk)))
    _upsert_routes(connection, new_routes, stamp)
    _replace_not_migrated(connection, plan.applied, not_migrated, stamp)
    changes = tuple(
        RouteChange(
            route,
            route["qualification_id"] in existing,
            existing[route["qualification_id"]][1] if route["qualification_id"] in existing else None,
        )
        for route in new_routes
    )
    inserted = sum(not c.existed for c in changes)
    return StatusResult(
        applied=tuple(plan.applied),
        stale=tuple(plan.stale),
        missing=tuple(plan.missing),
        routes=changes,
        removed=tuple(removed),
        inserted=inserted,
        updated=len(changes) - inserted,
    )


def _newer(stored: int | None, incoming: int | None) -> bool:
    return stored is None or (incoming is not None and stored < incoming)


def _person_rows(persons: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    expected = {"person_id", *STATUS_COLUMNS, VERSION_COLUMN}
    rows: dict[str, Mapping[str, Any]] = {}
    for row in persons:
        if set(row) != expected:
            raise InvalidRows(f"person status rows must have exactly the columns {', '.join(sorted(expected))}")
        try:
            person_id = canonical_guid(row["person_id"])
        except ValueError:
            raise InvalidValue("persons", "person_id", "not a GUID") from None
        if person_id in rows:
            raise InvalidRows("a person appears twice in one professional status write")
        rows[person_id] = row
    return rows


def _routes_by_person(routes: Sequence[Mapping[str, Any]], persons: set[str]) -> dict[str, list[Mapping[str, Any]]]:
    if not routes:
        return {}
    keys = set(routes[0])
    unknown = sorted(keys - set(_qualifications.c.keys()))
    if unknown:
        raise InvalidRows(f"qualifications has no column(s) {', '.join(unknown)}")
    for required in ("qualification_id", "person_id", "qualification_type", "dqt_version"):
        if required not in keys:
            raise InvalidRows(f"route rows must include {required}")
    datetime_columns = [c.name for c in _qualifications.c if c.name in keys and isinstance(c.type, UTCDateTime)]
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    seen: set[str] = set()
    for route in routes:
        if route.keys() != keys:
            raise InvalidRows("route rows must all have the same columns")
        if route["qualification_type"] != ROUTE_TYPE:
            raise InvalidRows(f"route rows must have qualification_type {ROUTE_TYPE}")
        for name in datetime_columns:
            value = route[name]
            if value is not None and (not isinstance(value, dt.datetime) or value.utcoffset() is None):
                raise InvalidValue("qualifications", name, "timestamps must be timezone-aware datetimes")
        try:
            qualification_id = canonical_guid(route["qualification_id"])
            person_id = canonical_guid(route["person_id"])
        except ValueError:
            raise InvalidValue("qualifications", "qualification_id", "not a GUID") from None
        if person_id not in persons:
            raise InvalidRows("a route belongs to a person that has no status row in the same write")
        if qualification_id in seen:
            raise InvalidRows("a route appears twice in one professional status write")
        seen.add(qualification_id)
        row = {**route, "qualification_id": qualification_id, "person_id": person_id}
        grouped.setdefault(person_id, []).append(row)
    return grouped


def _update_columns(connection: Connection, rows: Sequence[Mapping[str, Any]], stamp: dt.datetime) -> None:
    columns = (*STATUS_COLUMNS, VERSION_COLUMN)
    statement = (
        update(_persons)
        .where(_persons.c.person_id == bindparam("k_person_id", type_=_persons.c.person_id.type))
        .values(
            {
                **{name: bindparam(f"v_{name}", type_=_persons.c[name].type) for name in columns},
                LAST_SYNC_COLUMN: bindparam("v_last_sync", type_=UTCDateTime()),
            }
        )
    )
    params = [
        {"k_person_id": row["person_id"], "v_last_sync": stamp, **{f"v_{name}": row[name] for name in columns}}
        for row in rows
    ]
    connection.execute(statement, params)


def _stored_routes(
    connection: Connection, person_ids: Sequence[str], qualification_ids: Sequence[str]
) -> dict[str, tuple[str, int | None]]:
    """``{qualification_id: (person_id, dqt_version)}`` of the persons' route rows and of any row with one of
    ``qualification_ids`` (a route whose DQT row moved to another contact moves with it)."""
    found: dict[str, tuple[str, int | None]] = {}
    q = _qualifications.c
    columns = (q.qualification_id, q.person_id, q.dqt_version)
    for chunk in chunks(list(person_ids), KEY_CHUNK):
        statement = select(*columns).where(q.person_id.in_(chunk), q.qualification_type == ROUTE_TYPE)
        for qualification_id, person_id, version in connection.execute(statement):
            found[str(qualification_id)] = (str(person_id), version)
    for chunk in chunks(list(qualification_ids), KEY_CHUNK):
        statement = select(*columns).where(q.qualification_id.in_(chunk))
        for qualification_id, person_id, version in connection.execute(statement):
            found[str(qualification_id)] = (str(person_id), version)
    return found


def _upsert_routes(connection: Connection, routes: Sequence[Mapping[str, Any]], stamp: dt.datetime) -> None:
    if not routes:
        return
    columns = [c.name for c in _qualifications.c if c.name in routes[0] and c.name not in STAMPED_COLUMNS]
    statement = dialect_insert(connection, _qualifications)
    statement = statement.on_conflict_do_update(
        index_elements=[_qualifications.c.qualification_id],
        set_={
            **{name: statement.excluded[name] for name in columns if name not in _FROZEN_ROUTE_COLUMNS},
            "dqt_last_sync": statement.excluded.dqt_last_sync,
        },
        # Never turn a mandatory qualification into a route (their ids are DQT ids, routes' are uuid5s).
        where=_qualifications.c.qualification_type == ROUTE_TYPE,
    )
    stamps = {"dqt_first_sync": stamp, "dqt_last_sync": stamp}
    params = [{**{name: route[name] for name in columns}, **stamps} for route in routes]
    connection.execute(statement, params)


def _replace_not_migrated(
    connection: Connection, person_ids: Sequence[str], rows: Sequence[Mapping[str, Any]], stamp: dt.datetime
) -> None:
    applied = set(person_ids)
    for chunk in chunks(list(person_ids), KEY_CHUNK):
        connection.execute(delete(_not_migrated).where(_not_migrated.c.person_id.in_(chunk)))
    ordinals: dict[str, int] = {}
    params = []
    for row in rows:
        person_id = canonical_guid(row["person_id"])
        if person_id not in applied:
            continue
        ordinal = ordinals[person_id] = ordinals.get(person_id, -1) + 1
        params.append(
            {
                "not_migrated_id": str(uuid.uuid5(NOT_MIGRATED_NAMESPACE, f"{person_id}:{ordinal}")),
                "person_id": person_id,
                "ordinal": ordinal,
                "reason": row["reason"],
                "dqt_initial_teacher_training_id": row.get("dqt_initial_teacher_training_id"),
                "dqt_qts_registration_id": row.get("dqt_qts_registration_id"),
                "compatible_itt_ids": list(row.get("compatible_itt_ids") or ()),
                "recorded_on": stamp,
            }
        )
    if params:
        connection.execute(_not_migrated.insert(), params)


# --------------------------------------------------------------------------------------------------------------
# professional_status_sources
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """One DQT ITT row or QTS registration as a rebuild read it."""

    dqt_id: str
    entity_set: str
    person_id: str
    dqt_version: int | None


def source_owners(connection: Connection, dqt_ids: Iterable[str]) -> dict[str, str]:
    """``{dqt_id: person_id}`` for the DQT rows a rebuild has read (rows never read are left out)."""
    wanted = list(dict.fromkeys(canonical_guid(i) for i in dqt_ids))
    found: dict[str, str] = {}
    for chunk in chunks(wanted, KEY_CHUNK):
        statement = select(_sources.c.dqt_id, _sources.c.person_id).where(_sources.c.dqt_id.in_(chunk))
        found.update({str(dqt_id): str(person_id) for dqt_id, person_id in connection.execute(statement)})
    return found


def source_ids(connection: Connection, person_ids: Iterable[str]) -> dict[str, list[str]]:
    """``{person_id: [dqt_id, …]}``: the DQT rows each person had when last rebuilt."""
    wanted = list(dict.fromkeys(canonical_guid(p) for p in person_ids))
    found: dict[str, list[str]] = {}
    for chunk in chunks(wanted, KEY_CHUNK):
        statement = select(_sources.c.person_id, _sources.c.dqt_id).where(_sources.c.person_id.in_(chunk))
        for person_id, dqt_id in connection.execute(statement):
            found.setdefault(str(person_id), []).append(str(dqt_id))
    return found


def replace_sources(connection: Connection, person_ids: Iterable[str], sources: Iterable[Source]) -> int:
    """Make ``sources`` the DQT rows of ``person_ids``: rows no longer theirs are deleted, the others inserted or
    updated (a row read under another person moves). Returns how many index rows changed."""
    persons = list(dict.fromkeys(canonical_guid(p) for p in person_ids))
    wanted = {canonical_guid(s.dqt_id): s for s in sources}
    current: dict[str, tuple[str, str, int | None]] = {}
    s = _sources.c
    for chunk in chunks(persons, KEY_CHUNK):
        for dqt_id, entity_set, person_id, version in connection.execute(
            select(s.dqt_id, s.entity_set, s.person_id, s.dqt_version).where(s.person_id.in_(chunk))
        ):
            current[str(dqt_id)] = (str(entity_set), str(person_id), version)
    for chunk in chunks(list(wanted), KEY_CHUNK):
        for dqt_id, entity_set, person_id, version in connection.execute(
            select(s.dqt_id, s.entity_set, s.person_id, s.dqt_version).where(s.dqt_id.in_(chunk))
        ):
            current[str(dqt_id)] = (str(entity_set), str(person_id), version)
    gone = [dqt_id for dqt_id, (_, person_id, _) in current.items() if dqt_id not in wanted and person_id in persons]
    for chunk in chunks(gone, KEY_CHUNK):
        connection.execute(delete(_sources).where(s.dqt_id.in_(chunk)))
    changed = []
    for dqt_id, src in wanted.items():
        person_id = canonical_guid(src.person_id)
        if current.get(dqt_id) != (src.entity_set, person_id, src.dqt_version):
            changed.append(
                {"dqt_id": dqt_id, "entity_set": src.entity_set, "person_id": person_id, "dqt_version": src.dqt_version}
            )
    if changed:
        statement = dialect_insert(connection, _sources)
        statement = statement.on_conflict_do_update(
            index_elements=[s.dqt_id],
            set_={name: statement.excluded[name] for name in ("entity_set", "person_id", "dqt_version")},
        )
        connection.execute(statement, changed)
    return len(gone) + len(changed)


# --------------------------------------------------------------------------------------------------------------
# full passes
# --------------------------------------------------------------------------------------------------------------


def persons_with_unseen_sources(connection: Connection, *, since: dt.datetime, entity_set: str) -> list[str]:
    """Persons indexed with a row of ``entity_set`` whose status was not rebuilt since ``since`` (not even
    as stale): at the end of a full pass over that entity set, those rows may be gone from DQT."""
    p, s = _persons.c, _sources.c
    statement = (
        select(s.person_id)
        .join(_persons, p.person_id == s.person_id)
        .where(
            s.entity_set == entity_set,
            or_(p[LAST_SYNC_COLUMN].is_(None), p[LAST_SYNC_COLUMN] < as_utc(since)),
        )
        .distinct()
    )
    return sorted(str(x) for x in connection.execute(statement).scalars())


def touch_status(connection: Connection, person_ids: Iterable[str], *, now: dt.datetime) -> int:
    """Stamp ``dqt_professional_status_last_sync = now`` on ``person_ids`` (rebuilt, even if nothing changed)."""
    wanted = list(dict.fromkeys(canonical_guid(p) for p in person_ids))
    stamp = as_utc(now)
    touched = 0
    for chunk in chunks(wanted, KEY_CHUNK):
        statement = update(_persons).where(_persons.c.person_id.in_(chunk)).values({LAST_SYNC_COLUMN: stamp})
        touched += connection.execute(statement).rowcount
    return touched


__all__ = [
    "LAST_SYNC_COLUMN",
    "ROUTE_TYPE",
    "STATUS_COLUMNS",
    "VERSION_COLUMN",
    "RemovedRoute",
    "RouteChange",
    "Source",
    "StatusResult",
    "apply_professional_status",
    "lock_persons",
    "persons_with_unseen_sources",
    "replace_sources",
    "source_ids",
    "source_owners",
    "stored_status_versions",
    "touch_status",
]
