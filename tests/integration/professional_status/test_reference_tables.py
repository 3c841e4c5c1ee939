"""Migration 0008 and the store side of ADRs 0067-0069, on PostgreSQL and SQLite: training_subjects,
training_providers and countries with the routes' foreign keys, persons.dqt_induction_exemption_reason_ids, and
routes_not_migrated."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import IntegrityError

from tests.integration.bridge.conftest import PgServer, Store
from tests.integration.professional_status.test_store import NOW, PROVIDER, _mq, _person, _route, _status
from trs_store import make_engine
from trs_store import professional_status as ps
from trs_store.migrate import current_revision, downgrade, head_revision, upgrade
from trs_store.models import metadata
from trs_store.training_reference import ensure_rows, ensure_training_reference

pytestmark = pytest.mark.integration

BEFORE = "0007_ni_number_varchar"
REVISION = "0008_route_reference_tables"
NI_REASON = "3471ab35-e6e4-4fa9-a72b-b8bd113df591"
NEW_TABLES = {"training_subjects", "training_providers", "countries", "routes_not_migrated"}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.db'}"
        cleanup: Callable[[], None] = lambda: None  # noqa: E731
    else:
        server: PgServer = request.getfixturevalue("pg_server")
        url = server.create()
        cleanup = lambda: server.drop(url)  # noqa: E731
    engine = make_engine(url)
    yield url, engine
    engine.dispose()
    cleanup()


def _insert(engine: Engine, table: str, *rows: dict[str, Any]) -> None:
    with engine.begin() as connection:
        connection.execute(metadata.tables[table].insert(), list(rows))


def _scalar(engine: Engine, sql: str) -> Any:
    with engine.connect() as connection:
        return connection.execute(text(sql)).scalar()


def _reasons(engine: Engine, person: str) -> tuple[Any, Any]:
    persons = metadata.tables["persons"]
    columns = (persons.c.dqt_induction_exemption_reason_ids, persons.c.induction_exemption_reason_ids)
    with engine.connect() as connection:
        dqt, left = connection.execute(select(*columns).where(persons.c.person_id == person)).one()
    return dqt, left


def test_migration_0008_up_and_down_with_data(empty_engine: tuple[str, Engine]) -> None:
    url, engine = empty_engine
    # Given a store at 0007 with a person exempt for NI, its route (naming a provider and a country no table holds)
    # and an MQ
    upgrade(url, BEFORE)
    person = str(uuid.uuid4())
    _insert(engine, "persons", {**_person(person), "induction_exemption_reason_ids": [NI_REASON]})
    route, mq = _route(person, training_country_id="XK"), _mq(person)
    _insert(engine, "qualifications", route)
    _insert(engine, "qualifications", mq)

    # When it is upgraded to 0008
    upgrade(url, REVISION)

    # Then the tables exist; the provider and country the route names have rows (unnamed until a rebuild names them)
    assert set(inspect(engine).get_table_names()) >= NEW_TABLES
    with engine.connect() as connection:
        assert current_revision(connection) == REVISION
        providers = connection.execute(text("SELECT training_provider_id, name FROM training_providers")).all()
        assert [(str(p), n) for p, n in providers] == [(PROVIDER, None)]
        assert connection.execute(text("SELECT country_id, name FROM countries")).all() == [("XK", None)]
    # And DQT's reasons start as the person's (nothing had moved onto a route before)
    assert _reasons(engine, person) == ([NI_REASON], [NI_REASON])
    # And the route columns now have foreign keys
    for bad in ({"training_provider_id": str(uuid.uuid4())}, {"training_country_id": "QQ"}):
        with pytest.raises(IntegrityError):
            _insert(engine, "qualifications", _route(person, **bad))

    # When the reason moves onto the route and the migration is undone
    with engine.begin() as connection:
        connection.execute(text("UPDATE persons SET induction_exemption_reason_ids = NULL"))
        connection.execute(text("UPDATE qualifications SET exempt_from_induction = true WHERE qualification_type = 1"))
    downgrade(url, BEFORE)

    # Then the person has DQT's reason back, the route's column is null again, the tables and keys are gone, and
    # the route and the MQ are still there
    assert not NEW_TABLES & set(inspect(engine).get_table_names())
    assert "dqt_induction_exemption_reason_ids" not in {c["name"] for c in inspect(engine).get_columns("persons")}
    persons = metadata.tables["persons"]
    with engine.connect() as connection:
        assert current_revision(connection) == BEFORE
        left = connection.execute(select(persons.c.induction_exemption_reason_ids)).scalar_one()
        assert left == [NI_REASON]
        assert connection.execute(text("SELECT count(*) FROM qualifications")).scalar() == 2
    assert _scalar(engine, "SELECT exempt_from_induction FROM qualifications WHERE qualification_type = 1") is None
    _insert(engine, "qualifications", _route(person, training_provider_id=str(uuid.uuid4())))  # no key any more

    # And the head can be reached again, and base
    upgrade(url)
    with engine.connect() as connection:
        assert current_revision(connection) == head_revision()
    downgrade(url)
    assert not set(metadata.tables) & set(inspect(engine).get_table_names())


def test_ensure_rows_inserts_updates_and_never_deletes(store: Store) -> None:
    providers = [
        {"training_provider_id": PROVIDER, "ukprn": "10007795", "name": "University of Leeds"},
        {"training_provider_id": str(uuid.uuid4()), "ukprn": None, "name": None},
    ]
    with store.engine.begin() as connection:
        assert ensure_rows(connection, "training_providers", providers) == 2
        assert ensure_rows(connection, "training_providers", providers) == 0  # nothing new: nothing written
        renamed = {**providers[0], "name": "Leeds", "ukprn": "10007796"}
        assert ensure_rows(connection, "training_providers", [renamed]) == 1
        assert (
            ensure_training_reference(
                connection,
                subjects=[
                    {"training_subject_id": str(uuid.uuid4()), "reference": "C600PE", "name": "Physical Education"}
                ],
                countries=[{"country_id": "GB-ENG", "name": None}],
            )
            == 2
        )
        with pytest.raises(ValueError, match="not a training reference table"):
            ensure_rows(connection, "persons", [])
    with store.engine.connect() as connection:
        stored = {str(i): (u, n) for i, u, n in connection.execute(text("SELECT * FROM training_providers"))}
    assert stored == {PROVIDER: ("10007796", "Leeds"), providers[1]["training_provider_id"]: (None, None)}


def test_routes_not_migrated_follow_the_applied_rebuilds(store: Store) -> None:
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    _insert(store.engine, "persons", _person(first), _person(second))
    itt = str(uuid.uuid4())

    def outcome(person: str, reason: str) -> dict[str, Any]:
        return {
            "person_id": person, "reason": reason, "dqt_initial_teacher_training_id": itt,
            "dqt_qts_registration_id": None, "compatible_itt_ids": [itt],
        }  # fmt: skip

    def stored() -> list[tuple[str, int, str]]:
        table = metadata.tables["routes_not_migrated"]
        with store.engine.connect() as connection:
            found = connection.execute(select(table.c.person_id, table.c.ordinal, table.c.reason)).all()
        return sorted((str(p), o, r) for p, o, r in found)

    def apply(version: int, *outcomes: dict[str, Any]) -> ps.StatusResult:
        with store.engine.begin() as connection:
            return ps.apply_professional_status(
                connection, [_status(first, version), _status(second, 1)], [], now=NOW, not_migrated=list(outcomes)
            )

    # A first rebuild records both persons' outcomes, in order
    apply(5, outcome(first, "DoNotMigrateIttResult"), outcome(first, "PotentialDuplicateIttRecords"),
          outcome(second, "DoNotMigrateIttResult"))  # fmt: skip
    assert stored() == sorted([
        (first, 0, "DoNotMigrateIttResult"), (first, 1, "PotentialDuplicateIttRecords"),
        (second, 0, "DoNotMigrateIttResult"),
    ])  # fmt: skip
    # A newer rebuild of the first replaces its outcomes; the second is stale and keeps its own
    result = apply(6)
    assert (result.applied, result.stale) == ((first,), (second,))
    assert stored() == [(second, 0, "DoNotMigrateIttResult")]
    # A deleted person takes its outcomes with it
    from trs_store import delete_rows

    with store.engine.begin() as connection:
        delete_rows(connection, "persons", [second])
    assert stored() == []
