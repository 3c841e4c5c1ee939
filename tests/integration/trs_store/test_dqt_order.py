"""``trs_store.dqt_order``: the SQL expression orders TRS's DQT ids exactly as Dataverse orders them (ADR 0097)."""

from __future__ import annotations

import random

from sqlalchemy import select

from dataverse_client.guid_order import order_key
from tests.integration.trs_store.conftest import Database
from tests.integration.trs_store.rows import NOW, person_row
from trs_store.dqt_order import dqt_order, dqt_range
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


def test_a_range_of_dqt_order_selects_exactly_the_rows_between_its_bounds(db: Database) -> None:
    # Bounds anywhere (not only where shards split), including ones whose lead equals a row's lead
    rows = [person_row() for _ in range(300)]
    persons = metadata.tables["persons"]
    keys = sorted(order_key(r["dqt_contact_id"]) for r in rows)
    rng = random.Random(11)
    cases = [(None, None), (keys[40], keys[200]), (keys[0], None), (None, keys[-1])]
    cases += [(keys[n][:12] + "0" * 20, keys[n][:12] + "f" * 20) for n in (5, 150)]  # one lead, whole range
    cases += [tuple(sorted(rng.sample(keys, 2))) for _ in range(4)]
    with db.engine.begin() as conn:
        upsert_rows(conn, "persons", rows, now=NOW)
        for low, high in cases:
            statement = select(persons.c.dqt_contact_id).where(*dqt_range(persons.c.dqt_contact_id, low, high))
            found = sorted(order_key(str(k)) for k in conn.execute(statement).scalars())
            expected = [k for k in keys if (low is None or k >= low) and (high is None or k < high)]
            assert found == expected, (low, high)
