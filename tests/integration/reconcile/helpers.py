"""Helpers for the parity report's tests: pick records with known surroundings, plant divergences with SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from bridge.reconcile import ReconcileReport
from trs_store.models import metadata

persons = metadata.tables["persons"]
alerts = metadata.tables["alerts"]
previous_names = metadata.tables["previous_names"]
qualifications = metadata.tables["qualifications"]

#: Differences as ``(dqt_id, kind, fields)``.
Found = set[tuple[str, str, tuple[str, ...]]]


def found(report: ReconcileReport) -> Found:
    """The report's differences as ``{(dqt_id, kind, fields)}``."""
    return {(d.dqt_id, d.kind, d.fields) for d in report.differences}


def by_entity(reports: list[ReconcileReport]) -> dict[str, ReconcileReport]:
    return {r.entity: r for r in reports}


def plain_persons(engine: Engine, count: int) -> list[str]:
    """Persons with nothing hanging off them: no induction derived, no previous names, no professional status, no
    MQ or alert, so a change of their contact shows up in the person entity only."""
    q, a, n = qualifications, alerts, previous_names
    statement = (
        select(persons.c.person_id)
        .where(
            persons.c.dqt_induction_version.is_(None),
            persons.c.dqt_professional_status_version.is_(None),
            persons.c.merged_with_person_id.is_(None),
            persons.c.dqt_state == 0,
            persons.c.person_id.not_in(select(q.c.person_id)),
            persons.c.person_id.not_in(select(a.c.person_id)),
            persons.c.person_id.not_in(select(n.c.person_id)),
        )
        .order_by(persons.c.person_id)
        .limit(count)
    )
    with engine.connect() as connection:
        found_ = [str(p) for p in connection.execute(statement).scalars()]
    assert len(found_) == count, "the generated data has too few plain persons"
    return found_


def first_row(engine: Engine, table: Any, *where: Any) -> dict[str, Any]:
    key = table.primary_key.columns.values()[0]
    with engine.connect() as connection:
        row = connection.execute(select(table).where(*where).order_by(key).limit(1)).mappings().one()
    return dict(row)


def set_columns(engine: Engine, table: Any, key: str, **values: Any) -> None:
    """A plain-SQL change of TRS (what a support script would do)."""
    column = table.primary_key.columns.values()[0]
    with engine.begin() as connection:
        assert connection.execute(update(table).where(column == key).values(**values)).rowcount == 1


def delete_row(engine: Engine, table: Any, key: str) -> None:
    column = table.primary_key.columns.values()[0]
    with engine.begin() as connection:
        assert connection.execute(delete(table).where(column == key)).rowcount == 1


def insert_row(engine: Engine, table: Any, row: dict[str, Any]) -> None:
    with engine.begin() as connection:
        connection.execute(insert(table).values(**row))
