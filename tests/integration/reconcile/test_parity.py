"""The parity report against a real sync: clean after it, and each kind of divergence found exactly, then fixed.

DQT is the simulator over HTTPS loaded with the generated data set (dirty on purpose: a few records fail
mapping and stay in failed_records); TRS is a real PostgreSQL or SQLite store. Divergences are planted the way
they happen: a row deleted, inserted or changed with plain SQL, a DQT record changed through the Web API
without a sync, a DQT record that stops mapping.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from bridge.operator import resync
from bridge.reconcile import fix, reconcile, reconcile_all
from bridge.reconcile.entities import route_dqt_id
from dataverse_client import DataverseClient
from tests.integration.bridge.conftest import Store
from tests.integration.bridge.helpers import open_failures, sync
from tests.integration.reconcile.conftest import Synced
from tests.integration.reconcile.helpers import (
    alerts,
    by_entity,
    delete_row,
    first_row,
    found,
    insert_row,
    persons,
    plain_persons,
    previous_names,
    qualifications,
    set_columns,
)
from tests.support.simulator import SimulatorHandle
from trs_store import delete_rows

pytestmark = pytest.mark.integration

ENTITIES = ["person", "mandatory_qualification", "alert", "induction", "previous_name", "professional_status"]


def test_a_complete_sync_of_generated_data_is_clean_for_every_entity(
    store: Store, loaded_simulator: SimulatorHandle, client_for: Callable[[SimulatorHandle], DataverseClient]
) -> None:
    # Given the generated data synced into TRS, dirt and all
    client = client_for(loaded_simulator)
    sync(store.engine, client)

    # When every entity is reconciled in small key ranges (so records fall into many ranges)
    reports = reconcile_all(client, store.engine, range_size=64)

    # Then each is clean: every record compared, none missing, extra or differing
    assert [r.entity for r in reports] == ENTITIES
    for report in reports:
        assert report.clean, (report.entity, report.differences[:5])
        assert report.differences == []
        assert report.mode == "full"
        assert report.ranges > 1 or report.entity in ("mandatory_qualification", "alert")
        # every DQT record is compared or unapplied; every TRS record is compared or stands for an unapplied one
        assert report.dqt_records == report.compared + len(report.unapplied), report.entity
        assert report.compared <= report.trs_records <= report.compared + 10 * len(report.unapplied), report.entity
    people = by_entity(reports)
    assert people["person"].compared >= 290
    assert people["professional_status"].compared > people["person"].compared  # status columns and routes
    # and what DQT holds but the sync could not apply is listed apart, each with its open failed record
    unapplied = [(r, d) for r in reports for d in r.unapplied]
    assert unapplied, "the generated data fails some records on purpose"
    failures = open_failures(store.engine)
    open_ids = {f.failed_record_id for f in failures.values()}
    for report, difference in unapplied:
        failure = report.failures[difference.dqt_id]
        assert failure.failed_record_id in open_ids
        assert failures[difference.dqt_id].failed_record_id == failure.failed_record_id
        assert difference.kind in ("missing", "differing")
    assert sum(r.open_failed for r in reports) == len(failures)
    # and an entity may be named by a feed or an entity set (both professional-status feeds name one entity)
    assert reconcile(client, store.engine, "initial_teacher_training").entity == "professional_status"
    assert reconcile(client, store.engine, "dfeta_qtsregistrations").clean
    assert reconcile(client, store.engine, "contacts").entity == "person"


def test_each_divergence_is_found_exactly_and_fixed(synced: Synced) -> None:
    engine, client = synced.store.engine, synced.client
    edited, changed_in_dqt, failing = plain_persons(engine, 3)

    # Given a DQT record that no longer maps (a bad NI number), synced: an open failed record, TRS unchanged
    client.update("contacts", failing, {"dfeta_ninumber": "AB12"})
    sync(engine, client, "person")
    failure = open_failures(engine, "contacts")[failing]

    # and divergences planted in TRS with plain SQL
    alert = first_row(engine, alerts)
    stray = str(uuid.uuid4())
    insert_row(engine, alerts, {**alert, "alert_id": stray, "dqt_sanction_id": stray})  # no such DQT sanction
    delete_row(engine, alerts, alert["alert_id"])
    set_columns(engine, persons, edited, email_address="planted@example.org")
    induced = first_row(engine, persons, persons.c.induction_start_date.is_not(None))
    set_columns(engine, persons, induced["person_id"], induction_start_date=None)
    name = first_row(engine, previous_names)
    set_columns(engine, previous_names, name["previous_name_id"], first_name="Plantedname")
    route = first_row(
        engine,
        qualifications,
        qualifications.c.qualification_type == 1,
        qualifications.c.training_start_date.is_not(None),
    )
    set_columns(engine, qualifications, route["qualification_id"], training_start_date=None)
    # and a DQT record changed through the Web API that the sync has not read yet
    client.update("contacts", changed_in_dqt, {"emailaddress1": "changed-in-dqt@example.org"})

    # When every entity is reconciled
    reports = by_entity(reconcile_all(client, engine, range_size=64))

    # Then each divergence is reported exactly: kind, id and the columns that differ
    assert found(reports["alert"]) == {(alert["alert_id"], "missing", ()), (stray, "extra", ())}
    assert found(reports["person"]) == {
        (edited, "differing", ("email_address",)),
        (changed_in_dqt, "differing", ("dqt_modified_on", "dqt_version", "email_address", "updated_on")),
    }
    assert found(reports["induction"]) == {(induced["person_id"], "differing", ("induction_start_date",))}
    assert found(reports["previous_name"]) == {(str(name["dqt_previous_name_ids"][0]), "differing", ("first_name",))}
    assert found(reports["professional_status"]) == {(route_dqt_id(route), "differing", ("training_start_date",))}
    assert reports["mandatory_qualification"].clean
    assert not any(reports[e].clean for e in ("person", "alert", "induction", "previous_name", "professional_status"))
    # and the record that failed is reported with its failure, not as an unexplained difference
    person = reports["person"]
    assert [(d.dqt_id, d.kind) for d in person.unapplied if d.dqt_id == failing] == [(failing, "differing")]
    assert person.failures[failing].failed_record_id == failure.failed_record_id
    assert person.failures[failing].field == "dfeta_ninumber"
    (entry,) = [e for e in person.as_json()["unapplied_records"] if e["dqt_id"] == failing]
    assert entry["failed_record_id"] == failure.failed_record_id
    assert entry["error_field"] == "dfeta_ninumber"

    # When the differences are fixed, then reconciled again
    fixed = fix(client, engine, list(reports.values()))
    again = by_entity(reconcile_all(client, engine, range_size=64))

    # Then one resync per differing record (per person for the per-person entities), and everything is clean
    assert fixed == 2 + 2 + 1 + 1 + 1
    assert all(r.clean for r in again.values()), {e: r.differences[:3] for e, r in again.items() if not r.clean}
    assert failing in {d.dqt_id for d in again["person"].unapplied}  # a failed record stays for replay
    assert first_row(engine, alerts, alerts.c.alert_id == alert["alert_id"])["dqt_version"] == alert["dqt_version"]
    assert first_row(engine, persons, persons.c.person_id == edited)["email_address"] != "planted@example.org"


def test_a_child_whose_person_fails_is_missing_because_it_failed(synced: Synced) -> None:
    engine, client = synced.store.engine, synced.client
    # Given a person that DQT can no longer give (its contact fails mapping) and TRS no longer has (deleted with
    # its one alert), and that alert resynced: its person is fetched on demand, fails, and the alert with it
    alert = first_row(engine, alerts)
    person = str(alert["person_id"])
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).where(alerts.c.person_id == person)).scalar_one() == 1
    client.update("contacts", person, {"dfeta_ninumber": "AB12"})
    with engine.begin() as connection:
        delete_rows(connection, "persons", [person])
    resync(engine, client, "alert", record_id=alert["alert_id"])

    # When alerts and persons are reconciled
    reports = by_entity(reconcile_all(client, engine, ["person", "alert"]))

    # Then both are missing because they failed, each with its own failed record, and neither is unexplained
    failures = open_failures(engine)
    assert [(d.dqt_id, d.kind) for d in reports["alert"].unapplied] == [(alert["alert_id"], "missing")]
    assert reports["alert"].failures[alert["alert_id"]].failed_record_id == failures[alert["alert_id"]].failed_record_id
    assert reports["alert"].failures[alert["alert_id"]].error_kind == "missing_parent"
    assert (person, "missing") in {(d.dqt_id, d.kind) for d in reports["person"].unapplied}
    assert reports["person"].failures[person].field == "dfeta_ninumber"
    assert reports["alert"].clean
    assert reports["person"].clean
