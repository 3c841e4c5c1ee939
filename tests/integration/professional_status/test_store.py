"""The store side of professional status, on PostgreSQL and SQLite: migration 0005 up and down (with data), the
seeded route and degree types, the route columns' constraints, and ``trs_store.professional_status`` writes."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import IntegrityError

from mappings.reference.routes import DEGREE_TYPES, QTLS_AND_SET_MEMBERSHIP, ROUTE_TYPES
from tests.integration.bridge.conftest import PgServer, Store
from trs_store import make_engine
from trs_store import professional_status as ps
from trs_store.migrate import current_revision, downgrade, head_revision, upgrade
from trs_store.models import metadata

pytestmark = pytest.mark.integration

BEFORE = "0004_backfill_and_pauses"
REVISION = "0005_professional_status"
NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
HEI = "10078157-e8c3-42f7-a050-d8b802e83f7b"
PROVIDER = "5b4f2d10-3c8e-4a71-9f06-2e7d1c9a8b43"
ROUTE_COLUMNS = {
    "route_to_professional_status_type_id", "status", "holds_from", "training_start_date", "training_end_date",
    "training_subject_ids", "training_age_specialism_type", "training_age_specialism_range_from",
    "training_age_specialism_range_to", "training_country_id", "training_provider_id", "degree_type_id",
    "exempt_from_induction", "exempt_from_induction_due_to_qts_date", "source_application_user_id",
    "source_application_reference", "dqt_teacher_status_name", "dqt_teacher_status_value",
    "dqt_early_years_status_name", "dqt_early_years_status_value", "dqt_initial_teacher_training_id",
    "dqt_qts_registration_id", "dqt_age_range_from", "dqt_age_range_to",
}  # fmt: skip
PERSON_COLUMNS = {
    "qts_date", "eyts_date", "pqts_date", "has_eyps", "qtls_status", "dqt_professional_status_version",
    "dqt_professional_status_last_sync",
}  # fmt: skip


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """A brand-new, never-migrated database (its URL and an engine), once per engine."""
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


def _person(person_id: str) -> dict[str, Any]:
    return {
        "person_id": person_id, "dqt_contact_id": person_id, "trn": None, "first_name": "A", "middle_name": "",
        "last_name": "B", "dqt_first_name": "A", "dqt_middle_name": "", "dqt_last_name": "B", "status": 0,
        "created_on": NOW, "updated_on": NOW, "allow_details_updates_from_source_application": False,
        "dqt_allow_teacher_identity_sign_in_with_prohibitions": False, "dqt_version": 1,
    }  # fmt: skip


def _mq(person_id: str) -> dict[str, Any]:
    return {
        "qualification_id": str(uuid.uuid4()), "qualification_type": 0, "person_id": person_id,
        "created_on": NOW, "updated_on": NOW, "dqt_version": 1,
    }  # fmt: skip


def _route(person_id: str, **values: Any) -> dict[str, Any]:
    return {
        "qualification_id": str(uuid.uuid4()), "qualification_type": 1, "person_id": person_id,
        "created_on": NOW, "updated_on": NOW, "deleted_on": None, "route_to_professional_status_type_id": HEI,
        "status": 1, "holds_from": dt.date(2020, 7, 2), "training_start_date": None, "training_end_date": None,
        "training_subject_ids": [str(uuid.uuid4())], "training_age_specialism_type": None,
        "training_age_specialism_range_from": None, "training_age_specialism_range_to": None,
        "training_country_id": "XK", "training_provider_id": PROVIDER, "degree_type_id": DEGREE_TYPES[0][1],
        "exempt_from_induction": None, "exempt_from_induction_due_to_qts_date": None,
        "source_application_user_id": None, "source_application_reference": None,
        "dqt_teacher_status_name": "Qualified teacher (trained)", "dqt_teacher_status_value": "71",
        "dqt_early_years_status_name": None, "dqt_early_years_status_value": None,
        "dqt_initial_teacher_training_id": str(uuid.uuid4()), "dqt_qts_registration_id": str(uuid.uuid4()),
        "dqt_age_range_from": "_11", "dqt_age_range_to": "_16", "dqt_state": 0, "dqt_created_on": NOW,
        "dqt_modified_on": NOW, "dqt_version": 5, **values,
    }  # fmt: skip


def _status(person_id: str, version: int, **values: Any) -> dict[str, Any]:
    return {
        "person_id": person_id, "qts_date": dt.date(2020, 7, 2), "eyts_date": None, "pqts_date": None,
        "has_eyps": False, "qtls_status": 0, "dqt_professional_status_version": version, **values,
    }  # fmt: skip


def _insert(engine: Engine, table: str, *rows: dict[str, Any]) -> None:
    with engine.begin() as connection:
        connection.execute(metadata.tables[table].insert(), list(rows))


def _training_reference(engine: Engine) -> None:
    """The provider and countries ``_route`` names (routes have foreign keys to them since 0008)."""
    _insert(engine, "training_providers", {"training_provider_id": PROVIDER, "ukprn": "10007795", "name": "Leeds"})
    _insert(engine, "countries", {"country_id": "XK", "name": "United Kingdom"}, {"country_id": "ZZZ", "name": None})


# -- migration -------------------------------------------------------------------------------------------------


def test_migration_up_and_down_keeps_other_data(empty_engine: tuple[str, Engine]) -> None:
    url, engine = empty_engine
    # Given a store at the revision before, holding a person and an MQ
    upgrade(url, BEFORE)
    person = str(uuid.uuid4())
    mq = _mq(person)
    _insert(engine, "persons", _person(person))
    _insert(engine, "qualifications", mq)

    # When it is upgraded to this revision
    upgrade(url, REVISION)

    # Then the new tables and columns exist, seeded, and the old rows are intact with defaults
    inspector = inspect(engine)
    assert {"route_to_professional_status_types", "degree_types", "professional_status_sources"} <= set(
        inspector.get_table_names()
    )
    assert {c["name"] for c in inspector.get_columns("qualifications")} >= ROUTE_COLUMNS
    assert {c["name"] for c in inspector.get_columns("persons")} >= PERSON_COLUMNS
    with engine.connect() as connection:
        assert current_revision(connection) == REVISION
        assert connection.execute(text("SELECT count(*) FROM route_to_professional_status_types")).scalar() == 66
        assert connection.execute(text("SELECT count(*) FROM degree_types")).scalar() == 38
        row = connection.execute(text("SELECT has_eyps, qtls_status, qts_date FROM persons")).one()
        assert (bool(row.has_eyps), row.qtls_status, row.qts_date) == (False, 0, None)
        assert connection.execute(text("SELECT status FROM qualifications")).scalar() is None
    _insert(engine, "qualifications", _route(person))
    with engine.begin() as connection:
        ps.replace_sources(connection, [person], [ps.Source(str(uuid.uuid4()), "dfeta_qtsregistrations", person, 3)])

    # When it is downgraded again, routes go with their columns and the MQ stays
    downgrade(url, BEFORE)
    inspector = inspect(engine)
    assert not {"route_to_professional_status_types", "degree_types", "professional_status_sources"} & set(
        inspector.get_table_names()
    )
    assert not ROUTE_COLUMNS & {c["name"] for c in inspector.get_columns("qualifications")}
    assert not PERSON_COLUMNS & {c["name"] for c in inspector.get_columns("persons")}
    with engine.connect() as connection:
        assert current_revision(connection) == BEFORE
        assert [str(q) for q in connection.execute(text("SELECT qualification_id FROM qualifications")).scalars()] == [
            mq["qualification_id"]
        ]
        assert connection.execute(text("SELECT count(*) FROM persons")).scalar() == 1

    # And upgrading once more (to the head, past later revisions) works, and so does a downgrade to empty
    upgrade(url)
    with engine.connect() as connection:
        assert current_revision(connection) == head_revision()
    downgrade(url)
    assert not set(metadata.tables) & set(inspect(engine).get_table_names())


def test_seeded_route_types_are_the_reference_rows(store: Store) -> None:
    table = metadata.tables["route_to_professional_status_types"]
    with store.engine.connect() as connection:
        stored = {r.route_to_professional_status_type_id: r for r in connection.execute(select(table))}
        assert set(stored) == {r.id for r in ROUTE_TYPES}
        qtls = stored[QTLS_AND_SET_MEMBERSHIP]
        assert (qtls.name, qtls.professional_status_type, qtls.holds_from_required) == ("QTLS and SET Membership", 0, 1)
        assert qtls.induction_exemption_reason_id == "35caa6a3-49f2-4a63-bd5a-2ba5fa9dc5db"
        degrees = dict(connection.execute(text("SELECT degree_type_id, name FROM degree_types")).all())
        assert {str(k): v for k, v in degrees.items()} == {id_: name for _, id_, name in DEGREE_TYPES}


def test_route_rows_need_their_columns_and_known_types(store: Store) -> None:
    person = str(uuid.uuid4())
    _training_reference(store.engine)
    _insert(store.engine, "persons", _person(person))
    _insert(store.engine, "qualifications", _mq(person))  # an MQ has none of the route columns: fine
    _insert(store.engine, "qualifications", _route(person, training_country_id="ZZZ", training_subject_ids=[]))
    for bad in (
        {"route_to_professional_status_type_id": None},
        {"status": None},
        {"training_subject_ids": None},
        {"route_to_professional_status_type_id": str(uuid.uuid4())},  # not a route type
        {"degree_type_id": str(uuid.uuid4())},  # not a degree type
        {"training_provider_id": str(uuid.uuid4())},  # not a training provider
        {"training_country_id": "QQ"},  # not a country
    ):
        with pytest.raises(IntegrityError):
            _insert(store.engine, "qualifications", _route(person, **bad))


# -- writes ------------------------------------------------------------------------------------------------------


def _apply(store: Store, statuses: list[dict[str, Any]], routes: list[dict[str, Any]], **kw: Any) -> ps.StatusResult:
    with store.engine.begin() as connection:
        return ps.apply_professional_status(connection, statuses, routes, now=NOW, **kw)


def _routes(store: Store) -> dict[str, dict[str, Any]]:
    table = metadata.tables["qualifications"]
    with store.engine.connect() as connection:
        return {r.qualification_id: dict(r._mapping) for r in connection.execute(select(table))}


def test_newer_wins_on_the_persons_key_and_replaces_the_route_set(store: Store) -> None:
    person, other = str(uuid.uuid4()), str(uuid.uuid4())
    _training_reference(store.engine)
    _insert(store.engine, "persons", _person(person), _person(other))
    mq = _mq(person)
    _insert(store.engine, "qualifications", mq)
    first, second = _route(person), _route(person, status=0, holds_from=None)

    # A first write inserts both routes and the columns; a missing person is reported, not inserted
    result = _apply(store, [_status(person, 10), _status(str(uuid.uuid4()), 1)], [first, second])
    assert (result.inserted, result.updated, result.deleted, len(result.missing)) == (2, 0, 0, 1)
    assert set(_routes(store)) == {mq["qualification_id"], first["qualification_id"], second["qualification_id"]}

    # An equal key is stale: nothing changes
    result = _apply(store, [_status(person, 10, qts_date=None)], [])
    assert result.stale == (person,)
    assert len(_routes(store)) == 3

    # A newer key rewrites the columns and the set: changed content at the same route version is written,
    # routes no longer produced are deleted, the MQ is left alone
    changed = {**first, "route_to_professional_status_type_id": QTLS_AND_SET_MEMBERSHIP}
    result = _apply(store, [_status(person, 11, qts_date=dt.date(2021, 1, 1))], [changed])
    assert (result.inserted, result.updated, result.deleted) == (0, 1, 1)
    assert result.removed[0].qualification_id == second["qualification_id"]
    stored = _routes(store)
    assert set(stored) == {mq["qualification_id"], first["qualification_id"]}
    assert stored[first["qualification_id"]]["route_to_professional_status_type_id"] == QTLS_AND_SET_MEMBERSHIP
    with store.engine.connect() as connection:
        assert ps.stored_status_versions(connection, [person, other]) == {person: 11, other: None}


def test_a_forced_write_may_lower_the_key(store: Store) -> None:
    person = str(uuid.uuid4())
    _training_reference(store.engine)
    _insert(store.engine, "persons", _person(person))
    route = _route(person)
    _apply(store, [_status(person, 10)], [route])

    # A lower key is stale unless forced (a rebuild after a delete), and then it is written as is
    assert _apply(store, [_status(person, 7, qts_date=None)], []).stale == (person,)
    result = _apply(store, [_status(person, 7, qts_date=None)], [], forced={person})
    assert result.applied == (person,)
    assert result.deleted == 1
    with store.engine.connect() as connection:
        assert ps.stored_status_versions(connection, [person]) == {person: 7}
        assert connection.execute(text("SELECT qts_date FROM persons")).scalar() is None


def test_the_source_index_follows_rows_between_persons(store: Store) -> None:
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    _insert(store.engine, "persons", _person(first), _person(second))
    itt, qts = str(uuid.uuid4()), str(uuid.uuid4())
    with store.engine.begin() as connection:
        ps.replace_sources(connection, [first], [ps.Source(itt, "a", first, 1), ps.Source(qts, "b", first, 2)])
        assert ps.source_owners(connection, [itt, qts, str(uuid.uuid4())]) == {itt: first, qts: first}
        # the ITT row moves to the second person, the registration disappears
        ps.replace_sources(connection, [second], [ps.Source(itt, "a", second, 3)])
        ps.replace_sources(connection, [first], [])
        assert ps.source_owners(connection, [itt, qts]) == {itt: second}
        assert ps.source_ids(connection, [first, second]) == {second: [itt]}
        # persons not rebuilt since a time are found by entity set
        ps.touch_status(connection, [second], now=NOW)
        since = NOW + dt.timedelta(seconds=1)
        assert ps.persons_with_unseen_sources(connection, since=since, entity_set="a") == [second]
        assert ps.persons_with_unseen_sources(connection, since=NOW, entity_set="a") == []
