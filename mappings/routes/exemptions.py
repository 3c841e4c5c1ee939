"""Induction exemptions moved from the person onto routes (reference §3.10, ``MigrateRoutesAsync``).

The rule reads the person's exemption reasons *as DQT holds them* (the induction mapping's
``induction_exemption_reason_ids``) and a set of routes, and nothing else. So it gives the same answer
whichever of the two inputs changed last: the bridge re-applies it whenever either side is rewritten
(ADR 0067), and never feeds it reasons that an earlier application already moved off the person.

1. A route whose type carries a reason (Apply for QTS → Overseas Trained Teacher, Northern Irish
   Recognition, Scottish Recognition, QTLS and SET Membership): ``exempt_from_induction`` is true when the
   person has that reason (the reason moves onto the route), else true for QTLS anyway, else false. Other
   route types leave it null.
2. A Holds route of QTS type whose ``holds_from`` is before 2000-05-07, for a person with "Qualified before
   07 May 2000": ``exempt_from_induction_due_to_qts_date`` is true and the reason moves; else null.

One reason may move onto several routes; it leaves the person once. The person keeps the reasons no route took.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, TypedDict

from mappings.reference.routes import (
    QTLS_AND_SET_MEMBERSHIP,
    ROUTE_TYPES_BY_ID,
    ProfessionalStatusType,
    RouteStatus,
)
from mappings.routes.types import RouteRow

#: Reason "Qualified before 07 May 2000" (DQT's "Qualified before 07 May 1999") and the date it applies before.
QUALIFIED_BEFORE_2000_REASON: Final = "5a80cee8-98a8-426b-8422-b0e81cb49b36"
QUALIFIED_BEFORE: Final = dt.date(2000, 5, 7)


class RouteExemptionBasis(TypedDict):
    """The route columns the rule reads and writes (a :class:`RouteRow` or a stored route row has them all)."""

    qualification_id: str
    route_to_professional_status_type_id: str
    status: int
    holds_from: dt.date | None
    exempt_from_induction: bool | None
    exempt_from_induction_due_to_qts_date: bool | None


@dataclass(frozen=True, slots=True)
class ExemptionMove:
    """Reason ``reason_id`` left the person for route ``qualification_id``; ``due_to_qts_date`` tells which
    column it set (``exempt_from_induction_due_to_qts_date`` rather than ``exempt_from_induction``)."""

    reason_id: str
    qualification_id: str
    due_to_qts_date: bool


@dataclass(frozen=True, slots=True)
class InductionExemptions:
    """The routes with both exemption columns set, the reasons left on the person, and every move."""

    routes: list[RouteRow]
    reason_ids: list[str]
    moves: list[ExemptionMove]

    @property
    def moved_reason_ids(self) -> list[str]:
        """The reasons that left the person, each once."""
        return list(dict.fromkeys(move.reason_id for move in self.moves))


def exemption_columns(
    reason_ids: Sequence[str], route: RouteExemptionBasis
) -> tuple[bool | None, bool | None, list[ExemptionMove]]:
    """``(exempt_from_induction, exempt_from_induction_due_to_qts_date, moves)`` of one route for a person with
    ``reason_ids``: the rule on one route, whatever its columns held before."""
    route_type = ROUTE_TYPES_BY_ID[route["route_to_professional_status_type_id"]]
    route_id = route["qualification_id"]
    moves: list[ExemptionMove] = []
    exempt: bool | None = None
    reason = route_type.induction_exemption_reason_id
    if reason is not None:
        exempt = reason in reason_ids or route_type.id == QTLS_AND_SET_MEMBERSHIP
        if reason in reason_ids:
            moves.append(ExemptionMove(reason, route_id, due_to_qts_date=False))
    due_to_qts_date: bool | None = None
    holds_from = route["holds_from"]
    if (
        route_type.professional_status_type is ProfessionalStatusType.QTS
        and route["status"] == RouteStatus.HOLDS
        and holds_from is not None
        and holds_from < QUALIFIED_BEFORE
        and QUALIFIED_BEFORE_2000_REASON in reason_ids
    ):
        due_to_qts_date = True
        moves.append(ExemptionMove(QUALIFIED_BEFORE_2000_REASON, route_id, due_to_qts_date=True))
    return exempt, due_to_qts_date, moves


def move_induction_exemptions(reason_ids: Sequence[str], routes: Sequence[RouteRow]) -> InductionExemptions:
    """§3.10 for one person: ``reason_ids`` are the person's reasons as DQT holds them (never the reasons an
    earlier application left), ``routes`` the person's complete route set. The input is not modified."""
    held = list(dict.fromkeys(reason_ids))
    updated: list[RouteRow] = []
    moves: list[ExemptionMove] = []
    for route in routes:
        exempt, due_to_qts_date, route_moves = exemption_columns(held, route)
        row = RouteRow(**route)
        row["exempt_from_induction"] = exempt
        row["exempt_from_induction_due_to_qts_date"] = due_to_qts_date
        updated.append(row)
        moves.extend(route_moves)
    moved = {move.reason_id for move in moves}
    return InductionExemptions(
        routes=updated,
        reason_ids=[reason for reason in held if reason not in moved],
        moves=moves,
    )


def apply_induction_exemptions(
    routes: Sequence[RouteRow], reason_ids: Sequence[str]
) -> tuple[list[RouteRow], list[str]]:
    """:func:`move_induction_exemptions` as ``(routes, reasons left on the person)``."""
    result = move_induction_exemptions(reason_ids, routes)
    return result.routes, result.reason_ids
