"""On PostgreSQL, edits other applications make with plain SQL are captured by triggers into the outbox, in
the same transaction; the sync's and the relay's own writes never are."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import text

from mappings.reference.trs import LEEDS, MqSpecialism
from tests.integration.bridge.conftest import Store
from tests.integration.writeback.conftest import World
from trs_store import outbox

pytestmark = pytest.mark.integration


@pytest.fixture
def pg_world(new_store: Callable[[str], Store], dqt: object, wb_simulator: object) -> World:
    return World(new_store("postgresql"), dqt, wb_simulator)  # type: ignore[arg-type]


def sql(world: World, statement: str, **params: object) -> None:
    with world.engine.begin() as connection:
        connection.execute(text(statement), params)


def test_a_plain_sql_mq_edit_is_captured_and_sent(pg_world: World) -> None:
    world = pg_world
    _, mq_id = world.person_with_mq()
    base = world.trs("qualifications", mq_id)["dqt_version"]

    sql(world, "UPDATE qualifications SET mq_status = 4, updated_on = now() WHERE qualification_id = :id", id=mq_id)

    (message,) = world.messages()
    assert (message.kind, message.origin, message.status, message.base_version) == ("mq_update", "sql", "pending", base)
    assert message.old_state["mq_status"] == 0
    assert message.new_state["mq_status"] == 4
    assert message.raised_by == "postgres"
    assert world.relay().sent == 1
    assert world.dqt_mq(mq_id)["dfeta_mq_status"] == 389040003  # Failed
    assert world.trs("qualifications", mq_id)["dqt_version"] == world.dqt_mq(mq_id)["versionnumber"]


def test_a_plain_sql_name_edit_is_captured_with_its_previous_names(pg_world: World) -> None:
    world = pg_world
    person_id = world.person(firstname="Ola", lastname="Berg")

    sql(world, "UPDATE persons SET last_name = 'Borg' WHERE person_id = :id", id=person_id)

    (message,) = world.messages()
    assert message.kind == "name_change"
    assert message.old_state == {"first_name": "Ola", "middle_name": "", "last_name": "Berg"}
    assert message.new_state == {"first_name": "Ola", "middle_name": "", "last_name": "Borg"}
    assert world.relay().sent == 1
    assert world.dqt_contact(person_id)["lastname"] == "Borg"
    assert [(r["dfeta_type"], r["dfeta_name"]) for r in world.dqt_previous_names(person_id)] == [(389040002, "Berg")]
    assert world.previous_names(person_id) == [("Ola", "", "Berg")]
    person = world.trs("persons", person_id)
    assert (person["last_name"], person["dqt_last_name"]) == ("Borg", "Borg")


def test_a_plain_sql_mq_insert_and_soft_delete_are_captured(pg_world: World) -> None:
    world = pg_world
    person_id = world.person()
    mq_id = str(uuid.uuid4())
    sql(
        world,
        "INSERT INTO qualifications (qualification_id, qualification_type, person_id, created_on, updated_on, "
        "mq_provider_id, mq_specialism, mq_status, start_date) "
        "VALUES (:id, 0, :person, now(), now(), :provider, :specialism, 0, :start)",
        id=mq_id,
        person=person_id,
        provider=LEEDS.id,
        specialism=int(MqSpecialism.VISUAL),
        start=dt.date(2022, 5, 3),
    )
    sql(world, "UPDATE qualifications SET deleted_on = now() WHERE qualification_id = :id", id=mq_id)

    assert [m.kind for m in reversed(world.messages())] == ["mq_create", "mq_delete"]
    assert world.relay().sent == 2
    record = world.dqt_mq(mq_id)
    assert (record["statecode"], record["dfeta_mqstartdate"]) == (1, "2022-05-02T23:00:00Z")


def test_the_syncs_and_the_relays_writes_are_never_captured(pg_world: World) -> None:
    world = pg_world
    person_id, mq_id = world.person_with_mq()
    # DQT changes arrive through the sync: no message
    world.dqt_edit("dfeta_qualifications", mq_id, {"dfeta_mq_status": 389040001})
    world.dqt_edit("contacts", person_id, {"firstname": "Changed"})
    world.sync()
    assert world.trs("persons", person_id)["first_name"] == "Changed"
    assert world.messages() == []
    # A write that brings a DQT version (a backfill, a replay, any DQT-originated write) is not captured either
    sql(
        world,
        "UPDATE qualifications SET mq_status = 2, dqt_version = dqt_version + 1 WHERE qualification_id = :id",
        id=mq_id,
    )
    assert world.messages() == []
    # An edit service edit is captured once (by the service, not again by the trigger); the relay's write is not
    world.edits.update_mq(mq_id, status=5)
    assert len(world.messages()) == 1
    world.relay()
    assert len(world.messages()) == 1


def test_an_invalid_plain_sql_edit_fails_in_the_relay_and_is_not_written(pg_world: World) -> None:
    world = pg_world
    _, mq_id = world.person_with_mq()
    writes = len(world.audit("dfeta_qualifications", mq_id))

    sql(world, "UPDATE qualifications SET mq_specialism = 0 WHERE qualification_id = :id", id=mq_id)  # legacy

    result = world.relay()
    assert result.failed == 1
    with world.engine.connect() as connection:
        (message,) = outbox.list_messages(connection)
    assert message.status == "failed"
    assert "specialism" in (message.last_error or "")
    assert len(world.audit("dfeta_qualifications", mq_id)) == writes


def test_sqlite_has_no_triggers_and_plain_sql_is_not_captured(new_store: Callable[[str], Store]) -> None:
    store = new_store("sqlite")
    with store.engine.connect() as connection:
        triggers = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).all()
        assert triggers == []
        assert outbox.list_messages(connection) == []
