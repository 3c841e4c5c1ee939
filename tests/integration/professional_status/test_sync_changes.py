"""Incremental professional status: DQT changes made through the Web API reach TRS routes and person columns.

Each test writes ITT rows and QTS registrations into a private simulator, syncs, changes DQT (delete, update,
re-parent, QTLS on the contact), syncs again, and compares TRS with ``map_professional_status`` of what DQT holds
now. Hard deletes are the hard case: the set that lost a row has no higher version (ADR 0062).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from dataverse_client import DataverseClient
from mappings.reference.routes import LEGACY_MIGRATION, QTLS_AND_SET_MEMBERSHIP, RouteStatus, route
from tests.integration.bridge.conftest import Store
from tests.integration.bridge.helpers import create_contact, events, open_failures, sync
from tests.integration.bridge.helpers import rows as rows_of
from tests.integration.professional_status.helpers import (
    HEI,
    IN_TRAINING,
    INFO,
    PASS,
    PROVIDER,
    QUALIFIED_TRAINED,
    SCHOOL_DIRECT_SALARIED,
    SUBJECT,
    TRAINEE,
    WITHDRAWN,
    assert_as_mapped,
    create_itt,
    create_qts,
    person_status,
    routes,
    sources,
)
from tests.support.simulator import SimulatorHandle
from trs_store import journal
from trs_store.models import metadata

pytestmark = pytest.mark.integration

HEI_ROUTE = route("10078157")
PS_FEEDS = ("person", "initial_teacher_training", "qts_registration")
ITT = "dfeta_initialteachertrainings"
QTS = "dfeta_qtsregistrations"


@pytest.fixture
def dqt(
    fresh_simulator: Callable[..., SimulatorHandle], client_for: Callable[[SimulatorHandle], DataverseClient]
) -> DataverseClient:
    return client_for(fresh_simulator())


def _assert_as_mapped(store: Store, client: DataverseClient, person_id: str) -> dict[str, dict[str, Any]]:
    return assert_as_mapped(store.engine, client, person_id)


def test_an_itt_deleted_in_dqt_changes_the_persons_routes(store: Store, dqt: DataverseClient) -> None:
    # Given a person whose QTS registration is paired with an ITT row (the ITT row is the newest version)
    person = create_contact(dqt)
    qts = create_qts(dqt, person)
    itt = create_itt(dqt, person, qts_id=qts)
    sync(store.engine, dqt, *PS_FEEDS)
    (paired,) = _assert_as_mapped(store, dqt, person).values()
    assert (paired["dqt_qts_registration_id"], paired["dqt_initial_teacher_training_id"]) == (qts, itt)
    assert paired["training_provider_id"] is not None
    version = person_status(store.engine, person)["dqt_professional_status_version"]

    # When the ITT row is deleted in DQT and the feeds sync their deltas
    dqt.delete(ITT, itt)
    results = sync(store.engine, dqt, *PS_FEEDS)

    # Then the registration's route stands alone (Legacy Migration, no training columns) ...
    (alone,) = _assert_as_mapped(store, dqt, person).values()
    assert alone["qualification_id"] != paired["qualification_id"]
    assert alone["route_to_professional_status_type_id"] == LEGACY_MIGRATION
    assert alone["dqt_initial_teacher_training_id"] is None
    assert alone["training_provider_id"] is None
    assert alone["holds_from"] == dt.date(2020, 7, 2)
    # ... although the person's key went down: the delete forced the rebuild
    assert person_status(store.engine, person)["dqt_professional_status_version"] < version
    assert results["initial_teacher_training"].counts.deleted == 1
    assert results["initial_teacher_training"].counts.inserted == 1
    # ... and the deleted row left the index, and the change is in the events
    assert itt not in sources(store.engine)
    keys = {e["key"] for e in events(store.engine)}
    assert f"{paired['qualification_id']}-Deleted-{paired['dqt_version']}" in keys
    assert f"{alone['qualification_id']}-Created-{alone['dqt_version']}" in keys


def test_a_deleted_registration_clears_the_qts_date(store: Store, dqt: DataverseClient) -> None:
    # Given a person who holds QTS through a registration paired with a passed ITT row
    person = create_contact(dqt)
    itt = create_itt(dqt, person)
    qts = create_qts(dqt, person)  # the newest row: its version is the person's key
    sync(store.engine, dqt, *PS_FEEDS)
    assert person_status(store.engine, person)["qts_date"] == dt.date(2020, 7, 2)

    # When the registration is deleted
    dqt.delete(QTS, qts)
    sync(store.engine, dqt, *PS_FEEDS)

    # Then the passed ITT row is left without an award date (not migrated): no routes, no QTS date
    assert _assert_as_mapped(store, dqt, person) == {}
    status = person_status(store.engine, person)
    assert status["qts_date"] is None
    assert sources(store.engine) == {itt: (ITT, person)}


def test_a_contact_scoped_failure_lands_in_failed_records_and_keeps_the_routes(
    store: Store, dqt: DataverseClient
) -> None:
    # Given a person with an in-training ITT row, synced
    person = create_contact(dqt)
    create_itt(dqt, person, result=IN_TRAINING)
    sync(store.engine, dqt, *PS_FEEDS)
    before = _assert_as_mapped(store, dqt, person)
    status_before = person_status(store.engine, person)

    # When a second ITT row with result "Info" arrives (its status cannot be mapped: the whole contact fails)
    bad = create_itt(dqt, person, result=INFO, programme=SCHOOL_DIRECT_SALARIED)
    results = sync(store.engine, dqt, *PS_FEEDS)

    # Then a failed record names the reason and the row, and the person's routes and columns are untouched
    failure = open_failures(store.engine, ITT)[bad]
    assert failure.error_kind == "professional_status"
    assert failure.message.startswith("CannotMapStatus (contact)")
    assert bad in failure.message
    assert failure.raw_payload["reason"] == "CannotMapStatus"
    assert failure.raw_payload["contact_id"] == person
    assert results["initial_teacher_training"].counts.failed == 1
    assert routes(store.engine, person) == before
    assert person_status(store.engine, person) == status_before

    # When DQT corrects the row, the failure is resolved and the contact maps whole
    dqt.update(ITT, bad, {"dfeta_result": WITHDRAWN})
    sync(store.engine, dqt, *PS_FEEDS)
    assert bad not in open_failures(store.engine, ITT)
    stored = _assert_as_mapped(store, dqt, person)
    assert sorted(r["status"] for r in stored.values()) == [RouteStatus.IN_TRAINING, RouteStatus.WITHDRAWN]


def test_qtls_on_the_contact_makes_and_removes_a_route(store: Store, dqt: DataverseClient) -> None:
    # Given a contact with no ITT row or registration, synced
    person = create_contact(dqt)
    sync(store.engine, dqt, *PS_FEEDS)
    assert routes(store.engine, person) == {}

    # When DQT gives it a QTLS date, only the person feed sees the change
    dqt.update("contacts", person, {"dfeta_qtlsdate": "2021-03-04T00:00:00Z", "dfeta_qtlsdatehasbeenset": True})
    sync(store.engine, dqt, "person")

    # Then it holds a QTLS route, QTLS is active and counts as its QTS date
    (qtls,) = _assert_as_mapped(store, dqt, person).values()
    assert qtls["route_to_professional_status_type_id"] == QTLS_AND_SET_MEMBERSHIP
    assert person_status(store.engine, person)["qtls_status"] == 2
    assert person_status(store.engine, person)["qts_date"] == dt.date(2021, 3, 4)

    # When the QTLS date is removed, the route goes and QTLS has expired
    dqt.update("contacts", person, {"dfeta_qtlsdate": None})
    sync(store.engine, dqt, "person")
    assert _assert_as_mapped(store, dqt, person) == {}
    assert person_status(store.engine, person)["qtls_status"] == 1
    assert person_status(store.engine, person)["qts_date"] is None


def test_a_row_moved_to_another_contact_rebuilds_both(store: Store, dqt: DataverseClient) -> None:
    # Given two persons, the first with two in-training ITT rows
    first, second = create_contact(dqt), create_contact(dqt)
    create_itt(dqt, first, result=IN_TRAINING)
    moved = create_itt(dqt, first, result=WITHDRAWN, programme=SCHOOL_DIRECT_SALARIED)
    sync(store.engine, dqt, *PS_FEEDS)
    assert len(routes(store.engine, first)) == 2

    # When DQT moves one row to the second contact
    dqt.update(ITT, moved, {"dfeta_PersonId@odata.bind": f"/contacts({second})"})
    sync(store.engine, dqt, *PS_FEEDS)

    # Then each person has what the mapping makes of its rows now
    assert len(_assert_as_mapped(store, dqt, first)) == 1
    assert len(_assert_as_mapped(store, dqt, second)) == 1
    assert sources(store.engine)[moved] == (ITT, second)


def test_a_full_pass_rebuilds_persons_whose_rows_all_vanished(store: Store, dqt: DataverseClient) -> None:
    # Given a person whose only ITT row pairs with a registration, synced
    person = create_contact(dqt)
    qts = create_qts(dqt, person)
    itt = create_itt(dqt, person, qts_id=qts, programme=HEI)
    sync(store.engine, dqt, *PS_FEEDS)
    (paired,) = routes(store.engine, person).values()
    assert paired["dqt_initial_teacher_training_id"] == itt

    # When the ITT row is deleted while the ITT feed cannot see deletes (its delta token is gone: a full pass)
    dqt.delete(ITT, itt)
    with store.engine.begin() as connection:
        journal.reset(connection, "TrsDataSync:InitialTeacherTraining", ITT)
    results = sync(store.engine, dqt, "initial_teacher_training")

    # Then the pass, which never met the person, rebuilds it at its end
    assert results["initial_teacher_training"].full_pass
    (alone,) = _assert_as_mapped(store, dqt, person).values()
    assert alone["dqt_initial_teacher_training_id"] is None
    assert alone["dqt_qts_registration_id"] == qts


def test_mandatory_qualifications_survive_route_rebuilds(store: Store, dqt: DataverseClient) -> None:
    from tests.integration.bridge.helpers import create_mq

    # Given a person with an MQ and an in-training ITT row
    person = create_contact(dqt)
    mq = create_mq(dqt, person)
    itt = create_itt(dqt, person, result=IN_TRAINING)
    sync(store.engine, dqt)

    # When the ITT row is deleted and everything syncs again
    dqt.delete(ITT, itt)
    sync(store.engine, dqt)

    # Then the route is gone and the MQ is still there (route rebuilds touch qualification_type 1 only)
    assert routes(store.engine, person) == {}
    table = metadata.tables["qualifications"]
    with store.engine.connect() as connection:
        kept = connection.execute(table.select().where(table.c.qualification_id == mq)).mappings().one()
    assert kept["qualification_type"] == 0


def test_a_country_code_trs_cannot_hold_is_left_out(store: Store, dqt: DataverseClient) -> None:
    # Given a DQT country whose code does not fit TRS's countries.country_id (varchar(10)), and a person training there
    country = dqt.create("dfeta_countries", {"dfeta_name": "Somewhere", "dfeta_value": "LONGCOUNTRY1"})
    abroad = create_contact(dqt)
    create_itt(dqt, abroad, result=IN_TRAINING, **{"dfeta_CountryId@odata.bind": f"/dfeta_countries({country})"})

    # When it syncs
    sync(store.engine, dqt, *PS_FEEDS)

    # Then the route is stored without a country on both engines (as TRS's ignoreInvalidData left such codes out),
    # and the countries table has no row for the code; the provider and subject the route names have theirs
    (route,) = routes(store.engine, abroad).values()
    assert route["training_country_id"] is None
    assert set(rows_of(store.engine, "countries")) == set()
    providers, subjects = rows_of(store.engine, "training_providers"), rows_of(store.engine, "training_subjects")
    assert providers == {
        PROVIDER.id: {"training_provider_id": PROVIDER.id, "ukprn": PROVIDER.ukprn, "name": PROVIDER.name}
    }
    assert [s["reference"] for s in subjects.values()] == [SUBJECT.value]
    assert route["training_subject_ids"] == list(subjects)


def test_a_route_the_database_refuses_fails_that_person_only(store: Store, dqt: DataverseClient) -> None:
    # Given a store that refuses withdrawn routes (a constraint added for the test: the mapping makes nothing the
    # schema refuses any more), and two persons, one with a withdrawn ITT row
    with store.engine.begin() as connection:
        if store.kind == "postgresql":
            connection.execute(text("ALTER TABLE qualifications ADD CONSTRAINT test_refuse CHECK (status <> 5)"))
        else:
            connection.execute(
                text(
                    "CREATE TRIGGER test_refuse BEFORE INSERT ON qualifications WHEN NEW.status = 5 "
                    "BEGIN SELECT RAISE(ABORT, 'refused by test_refuse'); END"
                )
            )
    refused, home = create_contact(dqt), create_contact(dqt)
    bad = create_itt(dqt, refused, result=WITHDRAWN)
    create_itt(dqt, home, result=IN_TRAINING)

    # When they sync
    results = sync(store.engine, dqt, *PS_FEEDS)

    # Then the neighbour's routes are stored, and the refused person fails alone, against its ITT row
    assert len(routes(store.engine, home)) == 1
    failure = open_failures(store.engine, ITT)[bad]
    assert failure.error_kind in ("check_violation", "integrity")
    assert routes(store.engine, refused) == {}
    assert person_status(store.engine, refused)["dqt_professional_status_version"] is None
    assert results["initial_teacher_training"].counts.failed == 1


def test_itt_passed_and_qts_awarded_turn_a_trainee_route_into_holds(store: Store, dqt: DataverseClient) -> None:
    # Given a trainee: a registration with status 211 (Trainee Teacher) and no QTS date, linked to an in-training ITT
    person = create_contact(dqt)
    qts = create_qts(dqt, person, status=TRAINEE, qts_date=None)
    itt = create_itt(dqt, person, result=IN_TRAINING, qts_id=qts)
    sync(store.engine, dqt, *PS_FEEDS)
    (trainee,) = _assert_as_mapped(store, dqt, person).values()
    assert (trainee["status"], trainee["holds_from"]) == (RouteStatus.IN_TRAINING, None)
    assert person_status(store.engine, person)["qts_date"] is None

    # When DQT records the pass and awards QTS (result Pass, a QTS date and status 71 on the registration)
    dqt.update(ITT, itt, {"dfeta_result": PASS})
    dqt.update(
        QTS,
        qts,
        {
            "dfeta_qtsdate": "2021-07-15T23:00:00Z",
            "dfeta_TeacherStatusId@odata.bind": f"/dfeta_teacherstatuses({QUALIFIED_TRAINED.id})",
        },
    )
    results = sync(store.engine, dqt, *PS_FEEDS)

    # Then the same route (same id: same DQT rows) now holds QTS from the UK date, and the person has a QTS date
    (holds,) = _assert_as_mapped(store, dqt, person).values()
    assert holds["qualification_id"] == trainee["qualification_id"]
    assert holds["route_to_professional_status_type_id"] == trainee["route_to_professional_status_type_id"] == HEI_ROUTE
    assert (holds["status"], holds["holds_from"]) == (RouteStatus.HOLDS, dt.date(2021, 7, 16))
    assert holds["dqt_teacher_status_value"] == "71"
    assert person_status(store.engine, person)["qts_date"] == dt.date(2021, 7, 16)
    assert results["initial_teacher_training"].counts.updated + results["qts_registration"].counts.updated == 1
    keys = {e["key"] for e in events(store.engine)}
    assert f"{holds['qualification_id']}-Updated-{holds['dqt_version']}" in keys
