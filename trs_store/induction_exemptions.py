"""Reads and writes of the induction exemption state shared by a person and its routes (reference §3.10).

Two writers own parts of it: the induction derivation (``persons.dqt_induction_exemption_reason_ids``, the reasons
as DQT holds them, guarded by ``dqt_induction_version``) and the professional-status rebuild (the routes, guarded by
``dqt_professional_status_version``). Whichever writes, it recomputes the shared part, the person's
``induction_exemption_reason_ids`` and the routes' ``exempt_from_induction`` and
``exempt_from_induction_due_to_qts_date``, from the DQT reasons and the routes as they stand after its own write,
with the persons rows locked (``trs_store.professional_status.lock_persons``), so the result does not depend on which
wrote last (ADR 0067).

Nothing here commits; everything runs in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, Table, bindparam, select, update

from trs_store.models import metadata
from trs_store.types import GUIDArray, canonical_guid
from trs_store.upsert import KEY_CHUNK, chunks

_persons: Table = metadata.tables["persons"]
_qualifications: Table = metadata.tables["qualifications"]
_ROUTE: Final = 1
#: The route columns the rule reads and writes.
ROUTE_COLUMNS: Final = (
    "qualification_id",
    "person_id",
    "route_to_professional_status_type_id",
    "status",
    "holds_from",
    "exempt_from_induction",
    "exempt_from_induction_due_to_qts_date",
)


@dataclass(frozen=True, slots=True)
class ExemptionState:
    """A person's stored exemption reasons and the two version keys that guard their sources."""

    person_id: str
    dqt_reason_ids: list[str] | None  # as DQT holds them; None: the induction was never derived
    reason_ids: list[str] | None  # left on the person (the DQT ones minus those routes took)
    induction_version: int | None
    status_version: int | None

    @property
    def moved(self) -> frozenset[str]:
        """The DQT reasons that routes held when this state was stored."""
        if self.dqt_reason_ids is None:
            return frozenset()
        return frozenset(self.dqt_reason_ids) - frozenset(self.reason_ids or ())


def exemption_states(
    connection: Connection, person_ids: Iterable[str], *, lock: bool = False
) -> dict[str, ExemptionState]:
    """The stored state of the persons that exist. With ``lock``, their rows are also locked until the transaction
    ends, in the one order :func:`~trs_store.professional_status.lock_persons` uses (so the induction derivation
    reads and locks in one round trip, not two)."""
    p = _persons.c
    wanted = sorted({canonical_guid(i) for i in person_ids})
    found: dict[str, ExemptionState] = {}
    columns = (
        p.person_id,
        p.dqt_induction_exemption_reason_ids,
        p.induction_exemption_reason_ids,
        p.dqt_induction_version,
        p.dqt_professional_status_version,
    )
    for chunk in chunks(wanted, KEY_CHUNK):
        statement = select(*columns).where(p.person_id.in_(chunk))
        if lock and connection.dialect.name == "postgresql":
            statement = statement.order_by(p.person_id).with_for_update()
        for person_id, dqt_reasons, reasons, induction, status in connection.execute(statement):
            found[str(person_id)] = ExemptionState(
                str(person_id),
                None if dqt_reasons is None else [str(r) for r in dqt_reasons],
                None if reasons is None else [str(r) for r in reasons],
                induction,
                status,
            )
    return found


def stored_routes(connection: Connection, person_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """``{person_id: [route, …]}``: each route's :data:`ROUTE_COLUMNS`, in ``qualification_id`` order."""
    q = _qualifications.c
    wanted = sorted({canonical_guid(i) for i in person_ids})
    found: dict[str, list[dict[str, Any]]] = {}
    for chunk in chunks(wanted, KEY_CHUNK):
        statement = (
            select(*(q[name] for name in ROUTE_COLUMNS))
            .where(q.person_id.in_(chunk), q.qualification_type == _ROUTE, q.deleted_on.is_(None))
            .order_by(q.qualification_id)
        )
        for row in connection.execute(statement).mappings():
            route = {**row, "qualification_id": str(row["qualification_id"]), "person_id": str(row["person_id"])}
            route["route_to_professional_status_type_id"] = str(route["route_to_professional_status_type_id"])
            found.setdefault(route["person_id"], []).append(route)
    return found


def write_person_reasons(connection: Connection, reasons: Mapping[str, Sequence[str]]) -> int:
    """Set ``induction_exemption_reason_ids`` of each person to the reasons left on it. Returns how many."""
    if not reasons:
        return 0
    statement = (
        update(_persons)
        .where(_persons.c.person_id == bindparam("k_person_id", type_=_persons.c.person_id.type))
        .values(induction_exemption_reason_ids=bindparam("v_reasons", type_=GUIDArray()))
    )
    params = [{"k_person_id": canonical_guid(p), "v_reasons": list(r)} for p, r in sorted(reasons.items())]
    connection.execute(statement, params)
    return len(params)


def write_route_flags(connection: Connection, flags: Mapping[str, tuple[bool | None, bool | None]]) -> int:
    """Set ``(exempt_from_induction, exempt_from_induction_due_to_qts_date)`` of each route (by id; MQs are never
    touched). Returns how many."""
    if not flags:
        return 0
    q = _qualifications.c
    statement = (
        update(_qualifications)
        .where(q.qualification_id == bindparam("k_id", type_=q.qualification_id.type), q.qualification_type == _ROUTE)
        .values(
            {
                q.exempt_from_induction: bindparam("v_exempt", type_=q.exempt_from_induction.type),
                q.exempt_from_induction_due_to_qts_date: bindparam("v_due", type_=q.exempt_from_induction.type),
            }
        )
    )
    params = [
        {"k_id": canonical_guid(route_id), "v_exempt": exempt, "v_due": due}
        for route_id, (exempt, due) in sorted(flags.items())
    ]
    connection.execute(statement, params)
    return len(params)


def newer(stored: int | None, incoming: int | None) -> bool:
    """The guard of the version-keyed UPDATEs: the incoming row applies over ``stored``."""
    return stored is None or (incoming is not None and stored < incoming)


__all__ = [
    "ROUTE_COLUMNS",
    "ExemptionState",
    "exemption_states",
    "newer",
    "stored_routes",
    "write_person_reasons",
    "write_route_flags",
]
