"""Initial sync of a generated data set: every TRS row is exactly what the mapping says, field by field.

The expected side is computed from the data files the simulator was loaded with, not from what the sync
read, so a column missing from a feed's ``$select`` or a value changed on the way shows up as a difference.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import structlog
from structlog.testing import capture_logs

from bridge.feeds import FEEDS
from dataverse_client import DataverseClient
from mappings import (
    Ignored,
    MappingError,
    Skipped,
    map_contact,
    map_induction,
    map_previous_names,
    map_qualification,
    map_sanction,
)
from tests.integration.bridge.conftest import Store
from tests.integration.bridge.helpers import (
    event_keys,
    journal_entries,
    open_failures,
    read_jsonl,
    reference_lookup,
    rows,
    sync,
    without,
)
from tests.support.simulator import SimulatorHandle
from trs_store import RowErrorKind

pytestmark = pytest.mark.integration


def _mapped(records: list[dict[str, Any]], mapper: Callable[[dict[str, Any]], Any], key: str) -> dict[str, Any]:
    """``{record id: row | Ignored | Skipped | MappingError}`` for every record of a data file."""
    out: dict[str, Any] = {}
    for record in records:
        try:
            out[record[key].lower()] = mapper(record)
        except MappingError as error:
            out[record[key].lower()] = error
    return out


def _assert_failed_naming_field(failures: dict[str | None, Any], dqt_id: str, error: MappingError) -> None:
    failure = failures.get(dqt_id)
    assert failure is not None, f"{error.entity} {dqt_id} failed mapping ({error.rule}) but has no failed record"
    assert failure.error_kind == "mapping"
    assert failure.field == error.field
    assert error.field in failure.message


def test_initial_sync_stores_exactly_what_the_mapping_gives(
    store: Store,
    dqt_data: Path,
    loaded_simulator: SimulatorHandle,
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> None:
    # Given a migrated, empty TRS store and DQT serving a generated data set (with its dirt)
    contacts = read_jsonl(dqt_data / "contacts.jsonl")
    qualifications = read_jsonl(dqt_data / "dfeta_qualifications.jsonl")
    sanctions = read_jsonl(dqt_data / "dfeta_sanctions.jsonl")
    inductions = read_jsonl(dqt_data / "dfeta_inductions.jsonl")
    previous_names = read_jsonl(dqt_data / "dfeta_previousnames.jsonl")
    reference = reference_lookup()

    # When every feed syncs once
    results = sync(store.engine, client_for(loaded_simulator), page_size=97)

    # Then each feed made a full pass over every record DQT holds and ended on a deltaLink
    for name, records in (
        ("person", contacts),
        ("mandatory_qualification", qualifications),
        ("alert", sanctions),
        ("induction", inductions),
        ("previous_name", previous_names),
    ):
        assert results[name].full_pass
        assert results[name].counts.seen == len(records), name
        assert results[name].outcome == "succeeded"
    entries = journal_entries(store.engine)
    assert {f.entity_set for f in FEEDS} == set(entries)
    assert all(e.delta_link and e.next_link is None and e.full_pass_started_at is None for e in entries.values())

    # And every contact is a persons row equal to map_contact's, or a failed record naming the field
    persons = rows(store.engine, "persons")
    person_failures = open_failures(store.engine, "contacts")
    expected_persons = _mapped(contacts, map_contact, "contactid")
    for contact_id, expected in expected_persons.items():
        if isinstance(expected, MappingError):
            _assert_failed_naming_field(person_failures, contact_id, expected)
            assert contact_id not in persons
            continue
        assert contact_id in persons, f"contact {contact_id} mapped but is not in TRS"
        stored = persons[contact_id]
        assert {k: stored[k] for k in expected} == dict(expected)
    assert set(persons) == {k for k, v in expected_persons.items() if not isinstance(v, MappingError)}
    assert set(person_failures) == {k for k, v in expected_persons.items() if isinstance(v, MappingError)}
    failed_people = set(person_failures)
    assert failed_people, "the generated data set should hold some contacts that cannot be mapped"

    # And every MQ is a qualifications row equal to map_qualification's (non-MQs ignored), or failed
    mqs = {k: v for k, v in rows(store.engine, "qualifications").items() if v["qualification_type"] == 0}  # not routes
    mq_failures = open_failures(store.engine, "dfeta_qualifications")
    expected_mqs = _mapped(qualifications, lambda r: map_qualification(r, reference), "dfeta_qualificationid")
    _check_children(expected_mqs, mqs, mq_failures, failed_people)
    assert any(isinstance(v, Ignored) for v in expected_mqs.values())

    # And every sanction is an alerts row equal to map_sanction's (codes without an alert type skipped)
    alerts = rows(store.engine, "alerts")
    alert_failures = open_failures(store.engine, "dfeta_sanctions")
    expected_alerts = _mapped(sanctions, lambda r: map_sanction(r, reference), "dfeta_sanctionid")
    _check_children(expected_alerts, alerts, alert_failures, failed_people)
    skipped = sum(isinstance(v, Skipped) for v in expected_alerts.values())
    assert results["alert"].counts.skipped == skipped

    # And every person's induction columns are map_induction's of the contact and all its inductions
    by_person: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in inductions:
        by_person[record["_dfeta_personid_value"].lower()].append(record)
    induction_failures = open_failures(store.engine, "dfeta_inductions")
    for contact in contacts:
        contact_id = contact["contactid"].lower()
        if contact_id not in by_person or contact_id in failed_people:
            continue
        try:
            update: dict[str, Any] | None = dict(map_induction(contact, by_person[contact_id]))
        except MappingError:
            update = None
        if update is None:  # a failed record names one of its inductions (or the person)
            failed_ids = {str(r["dfeta_inductionid"]).lower() for r in by_person[contact_id]} | {contact_id}
            assert failed_ids & set(induction_failures), f"induction of {contact_id} failed without a failed record"
            continue
        stored = persons[contact_id]
        # DQT's reasons; those the person's routes took are off induction_exemption_reason_ids (ADR 0067, checked
        # in tests/integration/professional_status)
        reasons = update.pop("induction_exemption_reason_ids")
        assert stored["dqt_induction_exemption_reason_ids"] == reasons
        assert set(stored["induction_exemption_reason_ids"]) <= set(reasons)
        assert {k: stored[k] for k in update} == update

    # And every person's previous names are map_previous_names' rebuild
    names_by_person: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in previous_names:
        names_by_person[record["_dfeta_personid_value"].lower()].append(record)
    expected_names: dict[str, dict[str, Any]] = {}
    for contact in contacts:
        contact_id = contact["contactid"].lower()
        if contact_id in names_by_person and contact_id not in failed_people:
            try:
                expected_names.update(
                    {r["previous_name_id"]: dict(r) for r in map_previous_names(contact, names_by_person[contact_id])}
                )
            except MappingError:
                continue
    stored_names = {k: without(v) for k, v in rows(store.engine, "previous_names").items()}
    assert {k: {c: v[c] for c in expected_names[k]} for k, v in stored_names.items()} == expected_names

    # And one event per stored row version, none twice
    keys = event_keys(store.engine)
    assert len(keys) == len(set(keys))
    assert len(keys) >= len(persons) + len(mqs) + len(alerts)


def _check_children(
    expected: dict[str, Any],
    stored: dict[str, dict[str, Any]],
    failures: dict[str | None, Any],
    failed_people: set[str],
) -> None:
    for record_id, outcome in expected.items():
        if isinstance(outcome, Ignored | Skipped):
            assert record_id not in stored
            assert record_id not in failures
        elif isinstance(outcome, MappingError):
            _assert_failed_naming_field(failures, record_id, outcome)
            assert record_id not in stored
        elif outcome["person_id"] in failed_people:  # its person could not be stored: the child cannot be either
            assert record_id not in stored
            assert failures[record_id].error_kind == str(RowErrorKind.MISSING_PARENT)
        else:
            assert record_id in stored, f"{record_id} mapped but is not in TRS"
            assert {k: stored[record_id][k] for k in outcome} == dict(outcome)
    assert set(stored) == {k for k, v in expected.items() if isinstance(v, dict)} - {
        k for k, v in expected.items() if isinstance(v, dict) and v["person_id"] in failed_people
    }


def test_sync_logs_carry_no_personal_data(
    store: Store,
    dqt_data: Path,
    loaded_simulator: SimulatorHandle,
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> None:
    # Given the names, emails, NI numbers and birth dates of everyone in the generated data
    contacts = read_jsonl(dqt_data / "contacts.jsonl")
    names = {
        part
        for c in contacts
        for field in ("firstname", "middlename", "lastname", "dfeta_statedfirstname", "dfeta_statedlastname")
        for part in _words(c.get(field))
    }
    names |= {part for r in read_jsonl(dqt_data / "dfeta_previousnames.jsonl") for part in _words(r.get("dfeta_name"))}
    secrets = {
        value.strip().lower()
        for c in contacts
        for field in ("emailaddress1", "dfeta_ninumber", "birthdate")
        if isinstance(value := c.get(field), str) and value.strip()
    }
    assert names
    assert secrets

    # When the whole data set syncs with structlog's output captured
    with capture_logs() as logs:
        sync(store.engine, client_for(loaded_simulator), page_size=50)
    structlog.contextvars.clear_contextvars()

    # Then the sync logged (pages, failed records) ...
    assert any(entry["event"] == "page_applied" for entry in logs)
    assert any(entry["event"] == "record_failed" for entry in logs)
    # ... and no logged value holds a name, an email, an NI number or a birth date
    for entry in logs:
        for key, value in entry.items():
            text = str(value)
            leaked_names = names & set(_words(text))
            leaked = [s for s in secrets if s in text.lower()]
            assert not leaked_names, f"{entry['event']}.{key} holds a name"
            assert not leaked, f"{entry['event']}.{key} holds personal data"


def _words(value: object) -> list[str]:
    if not isinstance(value, str):
        return []
    return [w for w in "".join(ch if ch.isalpha() or ch == "'" else " " for ch in value).split() if len(w) > 1]
