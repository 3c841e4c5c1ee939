"""Induction exemptions moved onto routes (reference §3.10), kept right whichever feed writes last (ADR 0067).

The rule (:func:`mappings.move_induction_exemptions`) needs two inputs owned by two feeds: the person's exemption
reasons as DQT holds them (the induction derivation, guarded by ``dqt_induction_version``) and the person's routes
(the professional-status rebuild, guarded by ``dqt_professional_status_version``). Either may be rewritten while
the other stands still, in any order, so each writer applies the rule to *its* new input and the *stored* other
one, under the persons row lock, and writes the shared outcome:

- the induction derivation stores DQT's reasons in ``persons.dqt_induction_exemption_reason_ids``, the reasons no
  stored route takes in ``induction_exemption_reason_ids``, and the stored routes' exemption columns;
- the rebuild writes its routes with their exemption columns from the stored DQT reasons, and the reasons they
  leave on the person (unless the person's induction was never derived: then there is nothing to move).

Both start from DQT's reasons, never from the reasons an earlier application left, so the outcome is a function of
(DQT reasons, routes) alone. A reason that newly leaves the person for a route writes a ``PersonInductionUpdatedEvent``
("Moved to route"); one a route gives back (the route went) writes one too. The event key holds the reason and both
version keys after the write, so either order writes the same event once, and replays write none.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import structlog
from sqlalchemy import Connection

from mappings import InductionExemptions, move_induction_exemptions
from trs_store import induction_exemptions as store
from trs_store import insert_events

log = structlog.get_logger("bridge.induction_exemptions")

#: Namespace of these events' ids (derived from their keys, as every event id is).
EVENT_NAMESPACE: Final = uuid.UUID("8b2f0c1e-5a47-4d3b-9e6f-1c7a2d9e4b53")
EVENT_NAME: Final = "PersonInductionUpdatedEvent"
MOVED_TO_ROUTE: Final = "Moved to route"
MOVED_FROM_ROUTE: Final = "Moved from route"


@dataclass(slots=True)
class PersonPlan:
    """One person's exemption outcome, worked out before the write it belongs to."""

    person_id: str
    before: store.ExemptionState
    dqt_reason_ids: list[str] | None  # DQT's reasons after the write (None: the induction was never derived)
    outcome: InductionExemptions
    induction_version: int | None  # the two keys as they will stand after the write
    status_version: int | None

    @property
    def reason_ids(self) -> list[str] | None:
        """What the person keeps (None: leave the column alone)."""
        return None if self.dqt_reason_ids is None else self.outcome.reason_ids


# ---------------------------------------------------------------------------------------------------------
# the rebuild's side
# ---------------------------------------------------------------------------------------------------------


def plan_rebuild(
    connection: Connection, persons: Sequence[Mapping[str, Any]], routes: list[dict[str, Any]]
) -> dict[str, PersonPlan]:
    """Set the exemption columns of a rebuild's ``routes`` (in place) from each person's stored DQT reasons; the
    caller holds the persons' row locks. Returns the plans :func:`finish_rebuild` needs."""
    states = store.exemption_states(connection, [p["person_id"] for p in persons])
    by_person: dict[str, list[dict[str, Any]]] = {}
    for route in routes:
        by_person.setdefault(str(route["person_id"]), []).append(route)
    plans: dict[str, PersonPlan] = {}
    for person in persons:
        person_id = str(person["person_id"])
        state = states.get(person_id)
        if state is None:
            continue  # not in TRS: the write will report it missing
        mine = by_person.get(person_id, [])
        outcome = move_induction_exemptions(state.dqt_reason_ids or [], mine)
        for route, flagged in zip(mine, outcome.routes, strict=True):
            route["exempt_from_induction"] = flagged["exempt_from_induction"]
            route["exempt_from_induction_due_to_qts_date"] = flagged["exempt_from_induction_due_to_qts_date"]
        plans[person_id] = PersonPlan(
            person_id,
            state,
            state.dqt_reason_ids,
            outcome,
            state.induction_version,
            person["dqt_professional_status_version"],
        )
    return plans


def finish_rebuild(
    connection: Connection, plans: Mapping[str, PersonPlan], applied: Collection[str], *, now: dt.datetime
) -> int:
    """After the rebuild wrote ``applied`` persons: the reasons left on them, and the move events. Returns how many
    persons' reasons changed."""
    done = [plans[p] for p in sorted(applied) if p in plans]
    reasons: dict[str, list[str]] = {}
    for plan in done:
        kept = plan.reason_ids
        if kept is not None and kept != plan.before.reason_ids:
            reasons[plan.person_id] = kept
    store.write_person_reasons(connection, reasons)
    _write_events(connection, done, now)
    return len(reasons)


# ---------------------------------------------------------------------------------------------------------
# the induction derivation's side
# ---------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class InductionWrite:
    """What the induction derivation read under the persons' row locks, for the guarded UPDATE and its finish:
    the plans of the updates that will apply, every existing person's stored ``dqt_induction_version`` (so the
    UPDATE need not read them again) and the stored routes (which the locks keep as they are until the finish)."""

    plans: dict[str, PersonPlan]
    stored_versions: dict[str, int | None]
    routes: dict[str, list[dict[str, Any]]]


def plan_inductions(connection: Connection, updates: list[dict[str, Any]]) -> InductionWrite:
    """Turn induction updates (``map_induction`` rows) into what the store must hold: DQT's reasons in
    ``dqt_induction_exemption_reason_ids``, the reasons the person's stored routes leave it in
    ``induction_exemption_reason_ids`` (``updates`` are changed in place). Locks the persons rows first (in the
    same read as their state), so no rebuild changes the routes in between."""
    if not updates:
        return InductionWrite({}, {}, {})
    person_ids = [str(u["person_id"]) for u in updates]
    states = store.exemption_states(connection, person_ids, lock=True)
    routes = store.stored_routes(connection, person_ids)
    plans: dict[str, PersonPlan] = {}
    for update in updates:
        person_id = str(update["person_id"])
        dqt_reasons = list(update["induction_exemption_reason_ids"])
        outcome = move_induction_exemptions(dqt_reasons, routes.get(person_id, []))
        update["dqt_induction_exemption_reason_ids"] = dqt_reasons
        update["induction_exemption_reason_ids"] = outcome.reason_ids
        state = states.get(person_id)
        if state is None or not store.newer(state.induction_version, update["dqt_induction_version"]):
            continue  # missing or stale: the UPDATE will not apply, so nothing else may change
        plans[person_id] = PersonPlan(
            person_id, state, dqt_reasons, outcome, update["dqt_induction_version"], state.status_version
        )
    versions = {person_id: state.induction_version for person_id, state in states.items()}
    return InductionWrite(plans, versions, routes)


def finish_inductions(connection: Connection, write: InductionWrite, *, now: dt.datetime) -> int:
    """After the guarded induction UPDATE: the stored routes' exemption columns, and the move events. Returns how
    many routes changed."""
    plans, routes = write.plans, write.routes
    flags: dict[str, tuple[bool | None, bool | None]] = {}
    for person_id, plan in plans.items():
        stored = {r["qualification_id"]: r for r in routes.get(person_id, [])}
        for route in plan.outcome.routes:
            was = stored.get(route["qualification_id"])
            if was is not None and _flags(was) != _flags(route):
                flags[route["qualification_id"]] = _flags(route)
    store.write_route_flags(connection, flags)
    _write_events(connection, [plans[p] for p in sorted(plans)], now)
    return len(flags)


def _flags(route: Mapping[str, Any]) -> tuple[bool | None, bool | None]:
    return route["exempt_from_induction"], route["exempt_from_induction_due_to_qts_date"]


# ---------------------------------------------------------------------------------------------------------
# events
# ---------------------------------------------------------------------------------------------------------


def _write_events(connection: Connection, plans: Sequence[PersonPlan], now: dt.datetime) -> None:
    events = [event for plan in plans for event in move_events(plan, now)]
    if events:
        insert_events(connection, events, now=now)
        log.info("induction_exemptions_moved", events=len(events))


def move_events(plan: PersonPlan, now: dt.datetime) -> list[dict[str, Any]]:
    """The ``PersonInductionUpdatedEvent``s of one person's write: a reason that leaves the person for routes it
    was not on before, and a reason that comes back because no route takes it any more."""
    if plan.dqt_reason_ids is None:
        return []
    moved_now = plan.outcome.moved_reason_ids
    moved_before = plan.before.moved
    events = []
    for reason in moved_now:
        if reason not in moved_before:
            routes = sorted({m.qualification_id for m in plan.outcome.moves if m.reason_id == reason})
            detail = f"Moved induction exemption reason '{reason}' to route."
            events.append(_event(plan, reason, MOVED_TO_ROUTE, detail=detail, routes=routes, now=now))
    for reason in sorted(moved_before - set(moved_now)):
        if reason in plan.dqt_reason_ids:
            detail = f"Moved induction exemption reason '{reason}' back from route."
            events.append(_event(plan, reason, MOVED_FROM_ROUTE, detail=detail, routes=[], now=now))
    return events


def _event(
    plan: PersonPlan, reason: str, kind: str, *, detail: str, routes: list[str], now: dt.datetime
) -> dict[str, Any]:
    tag = "ToRoute" if kind == MOVED_TO_ROUTE else "FromRoute"
    key = f"{plan.person_id}-InductionExemption{tag}-{reason}-{plan.induction_version}-{plan.status_version}"
    return {
        "event_id": str(uuid.uuid5(EVENT_NAMESPACE, key)),
        "event_name": EVENT_NAME,
        "created": now,
        "payload": {
            "dqt_id": plan.person_id,
            "table": "persons",
            "kind": kind,
            "reason": kind,
            "reason_detail": detail,
            "changes": ["InductionExemptionReasons"],
            "induction_exemption_reason_id": reason,
            "route_ids": routes,
        },
        "key": key,
        "person_id": plan.person_id,
    }
