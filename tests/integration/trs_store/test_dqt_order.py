"""``trs_store.dqt_order``: the SQL expression orders TRS's DQT ids exactly as Dataverse orders them (ADR 0097)."""

from __future__ import annotations

from sqlalchemy import select

from dataverse_client.guid_order import order_key
from tests.integration.trs_store.conftest import Database
from tests.integration.trs_store.rows import NOW, person_row
from trs_store.dqt_order import dqt_order
from trs_store.dqt_order import order_key as store_order_key
from trs_store.models import metadata
from trs_store.upsert import upsert_rows


def test_the_sql_order_key_is_dataverses_order_key(db: Database) -> None:
    rows = [person_row() for _ in range(200)]
    persons = metadata.tables["persons"]
    with db.engine.begin() as conn:
        upsert_rows(conn, "persons", rows, now=NOW)
        found: dict[object, str] = dict(
            conn.execute(select(persons.c.dqt_contact_id, dqt_order(persons.c.dqt_contact_id))).all()
        )
        ordered = conn.execute(select(persons.c.dqt_contact_id).order_by(dqt_order(persons.c.dqt_contact_id)))
        in_sql_order = [str(k) for k in ordered.scalars()]
    assert {str(k): v for k, v in found.items()} == {r["dqt_contact_id"]: order_key(r["dqt_contact_id"]) for r in rows}
    assert in_sql_order == sorted((r["dqt_contact_id"] for r in rows), key=order_key)
    assert all(store_order_key(r["dqt_contact_id"]) == order_key(r["dqt_contact_id"]) for r in rows)
