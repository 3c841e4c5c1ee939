"""Read-only counts behind ``trs-bridge routes report`` (ADR 0069): routes by type and status, the row-scoped
reasons of ``routes_not_migrated``, and the open failed records of the professional-status feeds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, func, select

from trs_store.models import metadata

_qualifications: Table = metadata.tables["qualifications"]
_route_types: Table = metadata.tables["route_to_professional_status_types"]
_not_migrated: Table = metadata.tables["routes_not_migrated"]
_failed: Table = metadata.tables["failed_records"]


@dataclass(frozen=True, slots=True)
class RouteTypeStatusCount:
    route_type_id: str
    route_type: str
    status: int
    count: int


@dataclass(frozen=True, slots=True)
class OpenFailure:
    """An open failed record, reduced to what the report buckets it by."""

    entity_set: str
    error_kind: str
    message: str
    raw_payload: Any


def route_counts(connection: Connection) -> list[RouteTypeStatusCount]:
    """Routes (``qualification_type`` 1, not deleted) per route type and status, by type name then status."""
    q, t = _qualifications.c, _route_types.c
    count = func.count()
    statement = (
        select(t.route_to_professional_status_type_id, t.name, q.status, count)
        .join(_route_types, t.route_to_professional_status_type_id == q.route_to_professional_status_type_id)
        .where(q.qualification_type == 1, q.deleted_on.is_(None))
        .group_by(t.route_to_professional_status_type_id, t.name, q.status)
        .order_by(t.name, q.status)
    )
    return [RouteTypeStatusCount(str(i), n, s, c) for i, n, s, c in connection.execute(statement)]


def persons_with_routes(connection: Connection) -> int:
    q = _qualifications.c
    statement = select(func.count(func.distinct(q.person_id))).where(q.qualification_type == 1, q.deleted_on.is_(None))
    return int(connection.execute(statement).scalar_one())


def not_migrated_counts(connection: Connection) -> dict[str, int]:
    """``routes_not_migrated`` rows per reason."""
    n = _not_migrated.c
    statement = select(n.reason, func.count()).group_by(n.reason).order_by(n.reason)
    return {str(reason): int(count) for reason, count in connection.execute(statement)}


def open_failures(connection: Connection, entity_sets: Iterable[str]) -> list[OpenFailure]:
    """The open failed records of ``entity_sets``."""
    f = _failed.c
    statement = select(f.entity_set, f.error_kind, f.message, f.raw_payload).where(
        f.status == "open", f.entity_set.in_(list(entity_sets))
    )
    return [OpenFailure(e, k, m, p) for e, k, m, p in connection.execute(statement)]


__all__ = [
    "OpenFailure",
    "RouteTypeStatusCount",
    "not_migrated_counts",
    "open_failures",
    "persons_with_routes",
    "route_counts",
]
