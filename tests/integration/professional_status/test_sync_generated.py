"""Initial sync of a generated data set: every person's routes and status columns are exactly what
``map_professional_status`` gives for its contact and all its ITT rows and QTS registrations, field by field.

The expected side is computed from the data files the simulator was loaded with and from reference rows built
independently of ``load_status_reference``, so a column missing from a ``$select`` (or a reference set read
wrong) shows up as a difference.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bridge.professional_status import load_status_reference
from dataverse_client import DataverseClient
from mappings import (
    MappingError,
    ProfessionalStatusResult,
    map_induction,
    map_professional_status,
    move_induction_exemptions,
)
from tests.integration.bridge.conftest import Store
from tests.integration.bridge.helpers import events, open_failures, read_jsonl, rows, sync
from tests.integration.professional_status.helpers import (
    PERSON_STATUS_COLUMNS,
    person_status,
    routes,
    sources,
    status_reference,
)
from tests.support.simulator import SimulatorHandle
from trs_store import RowErrorKind

pytestmark = pytest.mark.integration

ITT = "dfeta_initialteachertrainings"
QTS = "dfeta_qtsregistrations"
NEVER_DERIVED = {
    "qts_date": None,
    "eyts_date": None,
    "pqts_date": None,
    "has_eyps": False,
    "qtls_status": 0,
    "dqt_professional_status_version": None,
}


def _by_person(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        grouped[record["_dfeta_personid_value"].lower()].append(record)
    return grouped


def _dqt_reasons(contact: dict[str, Any], inductions: list[dict[str, Any]]) -> list[str] | None:
    """The exemption reasons the induction feed stores for the person (None: it never derives the person)."""
    if not inductions:
        return None
    try:
        return map_induction(contact, inductions)["induction_exemption_reason_ids"]
    except MappingError:
        return None


def test_the_simulator_serves_the_reference_the_mapping_expects(
    loaded_simulator: SimulatorHandle, client_for: Callable[[SimulatorHandle], DataverseClient]
) -> None:
    assert load_status_reference(client_for(loaded_simulator)) == status_reference()


def test_initial_sync_stores_exactly_what_map_professional_status_gives(
    store: Store,
    dqt_data: Path,
    loaded_simulator: SimulatorHandle,
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> None:
    # Given DQT serving a generated data set with ITT rows and QTS registrations (and their dirt)
    contacts = read_jsonl(dqt_data / "contacts.jsonl")
    itts = _by_person(read_jsonl(dqt_data / f"{ITT}.jsonl"))
    qtss = _by_person(read_jsonl(dqt_data / f"{QTS}.jsonl"))
    inductions = _by_person(read_jsonl(dqt_data / "dfeta_inductions.jsonl"))
    assert itts
    assert qtss
    reference = status_reference()

    # When every feed syncs once (persons first, then ITT and QTS rows)
    results = sync(store.engine, client_for(loaded_simulator), page_size=97)

    # Then both professional status feeds made a full pass over every row
    assert results["initial_teacher_training"].counts.seen == sum(map(len, itts.values()))
    assert results["qts_registration"].counts.seen == sum(map(len, qtss.values()))
    assert all(r.outcome == "succeeded" for r in results.values())

    # And every person's routes and status columns are the mapping's, or a failed record names the DQT row
    persons = rows(store.engine, "persons")
    stored_routes = routes(store.engine)
    failures = {entity: open_failures(store.engine, entity) for entity in (ITT, QTS, "contacts")}
    expected_routes: dict[str, dict[str, Any]] = {}
    expected_moves: set[tuple[str, str]] = set()
    outcomes: dict[str, int] = defaultdict(int)
    for contact in contacts:
        person_id = contact["contactid"].lower()
        mine_itt, mine_qts = itts.get(person_id, []), qtss.get(person_id, [])
        has_qtls = bool(contact.get("dfeta_qtlsdate")) or contact.get("dfeta_qtlsdatehasbeenset") is True
        if person_id not in persons:  # the contact itself could not be stored: its rows fail as orphans
            outcomes["no person"] += 1
            for entity, records, key in ((ITT, mine_itt, "dfeta_initialteachertrainingid"),
                                         (QTS, mine_qts, "dfeta_qtsregistrationid")):  # fmt: skip
                named = {r[key].lower() for r in records} & set(failures[entity])
                assert not records or named, f"orphan {entity} of {person_id} has no failed record"
                assert all(failures[entity][i].error_kind == str(RowErrorKind.MISSING_PARENT) for i in named)
            continue
        if not mine_itt and not mine_qts and not has_qtls:
            outcomes["nothing"] += 1
            assert person_status(store.engine, person_id) == NEVER_DERIVED
            continue
        try:
            result: ProfessionalStatusResult | MappingError = map_professional_status(
                contact, mine_itt, mine_qts, reference
            )
        except MappingError as error:
            result = error
        if isinstance(result, MappingError):
            outcomes["mapping error"] += 1
            entity = result.entity if result.entity in (ITT, QTS) else "contacts"
            failure = failures[entity].get(result.record_id)
            assert failure is not None, f"{person_id}: {result.rule} has no failed record"
            assert (failure.error_kind, failure.field) == ("mapping", result.field)
            assert person_status(store.engine, person_id) == NEVER_DERIVED
            continue
        if result.contact_failed:
            outcomes["contact failed"] += 1
            (failure_,) = result.failures
            dqt_id = failure_.dqt_initial_teacher_training_id or failure_.dqt_qts_registration_id
            entity = ITT if failure_.dqt_initial_teacher_training_id else QTS
            stored_failure = failures[entity][dqt_id]
            assert stored_failure.error_kind == "professional_status"
            assert stored_failure.message == failure_.message
            assert failure_.reason.value in stored_failure.message
            assert person_status(store.engine, person_id) == NEVER_DERIVED
            continue
        outcomes["mapped"] += 1
        assert result.person is not None
        assert person_status(store.engine, person_id) == {c: result.person[c] for c in PERSON_STATUS_COLUMNS}
        # the induction exemption reasons DQT holds move onto the routes (reference §3.10), whichever feed ran first
        reasons = _dqt_reasons(contact, inductions.get(person_id, []))
        exempted = move_induction_exemptions(reasons or [], result.routes)
        expected_routes.update({r["qualification_id"]: dict(r) for r in exempted.routes})
        person = persons[person_id]
        stored_reasons = (person["dqt_induction_exemption_reason_ids"], person["induction_exemption_reason_ids"])
        assert stored_reasons == ((None, None) if reasons is None else (reasons, exempted.reason_ids)), person_id
        if reasons is not None:
            expected_moves.update((person_id, reason) for reason in exempted.moved_reason_ids)
    assert outcomes["mapped"] > 200
    assert len(expected_moves) >= 3  # the generated data moves reasons (QTLS holders at least)
    assert outcomes["contact failed"] >= 1
    assert outcomes["mapping error"] >= 1
    assert set(stored_routes) == set(expected_routes)
    for route_id, expected in expected_routes.items():
        stored = stored_routes[route_id]
        assert {k: stored[k] for k in expected} == expected, route_id
        assert stored["dqt_qualification_id"] is None
        assert stored["mq_provider_id"] is None

    # And the training reference tables hold exactly the subjects, providers and countries the routes name
    named = {
        "training_subjects": {s for r in expected_routes.values() for s in r["training_subject_ids"]},
        "training_providers": {p for r in expected_routes.values() if (p := r["training_provider_id"])},
        "countries": {c for r in expected_routes.values() if (c := r["training_country_id"])},
    }
    for table, ids in named.items():
        assert ids, table
        assert set(rows(store.engine, table)) == ids, table

    # And one Created event per route, none twice
    created = [e for e in events(store.engine) if e["event_name"] == "RouteToProfessionalStatusDqtCreatedEvent"]
    assert sorted(e["payload"]["dqt_id"] for e in created) == sorted(expected_routes)
    # And one "Moved to route" event per reason that left a person
    moved = [e for e in events(store.engine) if e["event_name"] == "PersonInductionUpdatedEvent"]
    assert {(e["person_id"], e["payload"]["induction_exemption_reason_id"]) for e in moved} == expected_moves
    assert len(moved) == len(expected_moves)

    # And every ITT row and QTS registration of a stored person is indexed under its person
    indexed = sources(store.engine)
    for entity, grouped, key in ((ITT, itts, "dfeta_initialteachertrainingid"), (QTS, qtss, "dfeta_qtsregistrationid")):
        for person_id, records in grouped.items():
            for record in records:
                if person_id in persons:
                    assert indexed[record[key].lower()] == (entity, person_id)
                else:
                    assert record[key].lower() not in indexed

    # And a second sync changes nothing
    before = (routes(store.engine), {p: person_status(store.engine, p) for p in persons}, len(events(store.engine)))
    again = sync(store.engine, client_for(loaded_simulator))
    assert again["initial_teacher_training"].counts.seen == 0
    after = (routes(store.engine), {p: person_status(store.engine, p) for p in persons}, len(events(store.engine)))
    assert after == before
