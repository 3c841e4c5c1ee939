"""``trs-bridge routes report``: what the professional-status sync made of DQT, in the migration team's terms.

Counts, from the TRS store only (ADR 0069):

- routes per route type (by name) and status (TRS's status names);
- documented outcomes per reason, with their scope: ``row`` (``routes_not_migrated``: DQT rows that made no route,
  the rest of the person migrated), ``contact`` (open ``professional_status`` failed records: the person's routes
  were discarded), ``mapping`` (open mapping failures of the ITT, QTS or contact rows a rebuild read: malformed
  input or reference GUIDs the bridge has not loaded), ``store`` (open failures the database raised for those
  feeds, e.g. a person missing from TRS; the reason is the error kind).

A person whose rebuild now fails keeps the routes and row outcomes of its last good rebuild (ADR 0064), so during
a live sync both may be counted; over a fresh full sync the counts equal the mapping run directly over DQT.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import Engine

from bridge.feeds import INITIAL_TEACHER_TRAINING, QTS_REGISTRATION
from trs_store import route_report as store

#: TRS's ``RouteToProfessionalStatusStatus`` names (reference §3.7).
STATUS_NAMES: Final = {
    0: "InTraining",
    1: "Holds",
    2: "Deferred",
    3: "DeferredForSkillsTest",
    4: "Failed",
    5: "Withdrawn",
    6: "UnderAssessment",
}
ROUTE_FAILURE_KIND: Final = "professional_status"
MAPPING_ERROR: Final = "MappingError"
_ENTITY_SETS: Final = (INITIAL_TEACHER_TRAINING.entity_set, QTS_REGISTRATION.entity_set)


@dataclass(frozen=True, slots=True)
class RouteCount:
    route_type: str
    route_type_id: str
    status: str
    count: int


@dataclass(frozen=True, slots=True)
class ReasonCount:
    scope: str  # row | contact | mapping | store
    reason: str
    count: int


@dataclass(frozen=True, slots=True)
class RouteReport:
    routes: list[RouteCount] = field(default_factory=list)
    outcomes: list[ReasonCount] = field(default_factory=list)
    persons_with_routes: int = 0

    @property
    def total_routes(self) -> int:
        return sum(r.count for r in self.routes)

    def route_counts(self) -> dict[tuple[str, str], int]:
        """``{(route type name, status name): count}``."""
        return {(r.route_type, r.status): r.count for r in self.routes}

    def outcome_counts(self) -> dict[tuple[str, str], int]:
        """``{(scope, reason): count}``."""
        return {(o.scope, o.reason): o.count for o in self.outcomes}

    def as_json(self) -> dict[str, Any]:
        return {
            "routes": [
                {"route_type": r.route_type, "route_type_id": r.route_type_id, "status": r.status, "count": r.count}
                for r in self.routes
            ],
            "total_routes": self.total_routes,
            "persons_with_routes": self.persons_with_routes,
            "outcomes": [{"scope": o.scope, "reason": o.reason, "count": o.count} for o in self.outcomes],
        }


def route_report(engine: Engine) -> RouteReport:
    """Count what the store holds now (one read-only transaction)."""
    with engine.connect() as connection:
        routes = [
            RouteCount(r.route_type, r.route_type_id, STATUS_NAMES.get(r.status, str(r.status)), r.count)
            for r in store.route_counts(connection)
        ]
        persons = store.persons_with_routes(connection)
        outcomes: Counter[tuple[str, str]] = Counter(
            {("row", reason): count for reason, count in store.not_migrated_counts(connection).items()}
        )
        for failure in store.open_failures(connection, (*_ENTITY_SETS, "contacts")):
            bucket = _bucket(failure)
            if bucket is not None:
                outcomes[bucket] += 1
    ordered = sorted(outcomes.items(), key=lambda item: (_SCOPE_ORDER[item[0][0]], item[0][1]))
    return RouteReport(routes, [ReasonCount(scope, reason, n) for (scope, reason), n in ordered], persons)


_SCOPE_ORDER: Final = {"row": 0, "contact": 1, "mapping": 2, "store": 3}


def _bucket(failure: store.OpenFailure) -> tuple[str, str] | None:
    """(scope, reason) of an open failed record, or None when it is not professional status's."""
    payload = failure.raw_payload if isinstance(failure.raw_payload, dict) else {}
    if failure.error_kind == ROUTE_FAILURE_KIND:
        reason = payload.get("reason")
        return "contact", str(reason) if reason else failure.message.split(" ", 1)[0]
    if failure.entity_set == "contacts":
        # the person feed's own failures share the entity set; a rebuild's payload names the contact's rows
        if failure.error_kind == "mapping" and "qts_registrations" in payload:
            return "mapping", MAPPING_ERROR
        return None
    if failure.error_kind == "mapping":
        return "mapping", MAPPING_ERROR
    return "store", failure.error_kind
