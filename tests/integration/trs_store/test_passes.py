"""Full-pass helpers: stored versions, touching what a pass saw, and sweeping what it did not (ADR 0003)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.integration.trs_store.conftest import Database
from tests.integration.trs_store.rows import LATER, NOW, T0, mq_row, person_row
from trs_store.models import metadata
from trs_store.passes import existing_keys, stored_versions, sweep_untouched, touch_children, touch_rows
from trs_store.upsert import upsert_rows

pytestmark = pytest.mark.integration


def test_a_full_pass_sweeps_what_it_did_not_see(db: Database) -> None:
    # Given three persons (one with an MQ) synced before, and one created in TRS itself (no DQT id)
    seen, vanished, vanished_with_mq = person_row(dqt_version=7), person_row(), person_row()
    trs_only = person_row(dqt_contact_id=None)
    with db.engine.begin() as conn:
        upsert_rows(conn, "persons", [seen, vanished, vanished_with_mq, trs_only], now=T0)
        upsert_rows(conn, "qualifications", [mq_row(vanished_with_mq["person_id"])], now=T0)
        assert stored_versions(conn, "persons", [seen["person_id"], "7e0a2c1c-0000-4000-8000-000000000000"]) == {
            seen["person_id"]: 7
        }
        assert existing_keys(conn, "persons", [seen["person_id"].upper()]) == {seen["person_id"]}

    # When a full pass starting at NOW re-reads DQT and sees only the first person (stale, so only touched)
    with db.engine.begin() as conn:
        assert upsert_rows(conn, "persons", [seen], now=LATER).stale == 1
        assert touch_rows(conn, "persons", [seen["person_id"]], now=LATER) == 1
        swept = sweep_untouched(conn, "persons", since=NOW, dqt_id_column="dqt_contact_id")

    # Then the two DQT no longer has are removed with their dependants; TRS's own row and the seen one stay
    assert sorted(swept) == sorted([vanished["person_id"], vanished_with_mq["person_id"]])
    with db.engine.connect() as conn:
        persons = metadata.tables["persons"]
        assert sorted(conn.execute(select(persons.c.person_id)).scalars()) == sorted(
            [seen["person_id"], trs_only["person_id"]]
        )
        qualifications = metadata.tables["qualifications"]
        assert conn.execute(select(func.count()).select_from(qualifications)).scalar_one() == 0


def test_touch_children(db: Database) -> None:
    person = person_row()
    with db.engine.begin() as conn:
        upsert_rows(conn, "persons", [person], now=T0)
        upsert_rows(conn, "qualifications", [mq_row(person["person_id"]) for _ in range(2)], now=T0)
        assert (
            touch_children(
                conn, "qualifications", parent_column="person_id", parent_ids=[person["person_id"]], now=LATER
            )
            == 2
        )
        assert sweep_untouched(conn, "qualifications", since=NOW, dqt_id_column="dqt_qualification_id") == []
