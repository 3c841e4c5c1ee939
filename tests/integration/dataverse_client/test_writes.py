"""Writes against the simulator: ids, ETags, upserts, deletes, $batch atomicity, impersonation, hooks."""

from __future__ import annotations

import uuid

import pytest

from dataverse_client import (
    BatchOperation,
    CallRecord,
    ChangeSet,
    ConcurrencyConflict,
    DataverseClient,
    DuplicateRecord,
    NotFound,
)
from tests.support.simulator import SimulatorHandle

pytestmark = pytest.mark.integration


def test_create_update_upsert_delete_round_trip(client: DataverseClient, marker: str) -> None:
    record_id = client.create("contacts", {"lastname": marker})
    uuid.UUID(record_id)
    client.update("contacts", record_id, {"firstname": "Ann"})
    assert client.get("contacts", record_id, select=["firstname"])["firstname"] == "Ann"
    # upsert creates when missing and updates when present
    chosen = str(uuid.uuid4())
    assert client.upsert("contacts", chosen, {"lastname": marker}) == chosen
    client.upsert("contacts", chosen, {"firstname": "Bo"})
    assert client.get("contacts", chosen, select=["firstname", "lastname"])["firstname"] == "Bo"
    client.delete("contacts", record_id)
    assert client.find("contacts", record_id) is None
    with pytest.raises(NotFound):
        client.update("contacts", record_id, {"firstname": "x"})  # If-Match: * never creates
    with pytest.raises(NotFound):
        client.delete("contacts", record_id)


def test_create_with_a_client_chosen_id_and_representation(client: DataverseClient, marker: str) -> None:
    chosen = str(uuid.uuid4())
    assert client.create("contacts", {"lastname": marker}, id=chosen) == chosen
    assert client.entity_info("contacts").primary_id == "contactid"
    with pytest.raises(DuplicateRecord):
        client.create("contacts", {"lastname": marker}, id=chosen)
    row = client.create("contacts", {"lastname": marker}, return_representation=True)
    assert row["lastname"] == marker
    assert row["@odata.etag"].startswith('W/"')


def test_a_stale_etag_raises_concurrency_conflict(client: DataverseClient, marker: str) -> None:
    # Given a record read at one version, then changed by someone else
    record_id = client.create("contacts", {"lastname": marker})
    stale = client.get("contacts", record_id, select=["lastname"])["@odata.etag"]
    client.update("contacts", record_id, {"firstname": "first"})
    # When updated or deleted with the stale ETag, Then the write is refused
    with pytest.raises(ConcurrencyConflict) as info:
        client.update("contacts", record_id, {"firstname": "second"}, if_match=stale)
    assert info.value.status == 412
    assert info.value.code == "0x80060882"
    with pytest.raises(ConcurrencyConflict):
        client.delete("contacts", record_id, if_match=stale)
    # And with the current ETag it goes through
    current = client.get("contacts", record_id, select=["lastname"])["@odata.etag"]
    client.update("contacts", record_id, {"firstname": "second"}, if_match=current)
    assert client.get("contacts", record_id, select=["firstname"])["firstname"] == "second"


def test_a_failing_change_set_leaves_nothing_created(client: DataverseClient, marker: str) -> None:
    # Given an existing record whose id the change set's second create will reuse
    existing = client.create("contacts", {"lastname": marker})
    fresh = str(uuid.uuid4())
    change_set = ChangeSet(
        [
            BatchOperation.create("contacts", {"contactid": fresh, "lastname": marker}, has_client_id=True),
            BatchOperation.create("contacts", {"contactid": existing, "lastname": marker}, has_client_id=True),
        ]
    )
    # When the batch runs, Then the second part's error is raised typed
    with pytest.raises(DuplicateRecord):
        client.batch([change_set])
    # And the first part was rolled back
    assert client.find("contacts", fresh) is None


def test_a_successful_batch_with_content_id_references(client: DataverseClient, marker: str) -> None:
    person = str(uuid.uuid4())
    result = client.batch(
        [
            ChangeSet(
                [
                    BatchOperation.create(
                        "contacts", {"contactid": person, "lastname": marker}, content_id="p", has_client_id=True
                    ),
                    BatchOperation("PATCH", "$p", {"firstname": "Ann"}),
                    BatchOperation.create(
                        "dfeta_qualifications", {"dfeta_PersonId@odata.bind": "$p", "dfeta_name": marker}
                    ),
                ]
            ),
            BatchOperation.get("contacts", person),
        ]
    )
    assert [p.status for p in result.parts] == [204, 204, 204, 200]
    assert result.parts[0].entity_id == person
    assert result.parts[3].body["firstname"] == "Ann"
    assert result.errors == []


def test_continue_on_error_reports_failures_inline(client: DataverseClient, marker: str) -> None:
    missing = str(uuid.uuid4())
    result = client.batch(
        [
            BatchOperation.update("contacts", missing, {"firstname": "x"}),
            BatchOperation.create("contacts", {"lastname": marker}),
        ],
        continue_on_error=True,
    )
    assert isinstance(result.parts[0].error, NotFound)
    assert result.parts[1].ok
    assert result.parts[1].entity_id
    assert client.find("contacts", result.parts[1].entity_id) is not None


def test_caller_object_id_is_recorded_as_the_modifier(
    simulator: SimulatorHandle, client: DataverseClient, marker: str
) -> None:
    officer = str(uuid.uuid4())
    record_id = client.create("contacts", {"lastname": marker}, caller_object_id=officer)
    client.update("contacts", record_id, {"firstname": "Ann"}, caller_object_id=officer)
    batch_officer = str(uuid.uuid4())
    client.batch([BatchOperation.update("contacts", record_id, {"firstname": "Bo"})], caller_object_id=batch_officer)
    audit = simulator.admin("GET", f"audit?entity_set=contacts&id={record_id}")
    assert [a["user"] for a in audit] == [officer, officer, batch_officer]
    assert (
        client.get("contacts", record_id, select=["firstname", "_modifiedby_value"])["_modifiedby_value"]
        == batch_officer
    )


def test_create_and_update_multiple(client: DataverseClient, marker: str) -> None:
    ids = client.create_multiple("contacts", [{"lastname": marker, "firstname": f"m{i}"} for i in range(3)])
    assert len(ids) == 3
    client.update_multiple("contacts", [{"contactid": i, "firstname": "same"} for i in ids])
    assert {client.get("contacts", i, select=["firstname"])["firstname"] for i in ids} == {"same"}


def test_hooks_receive_one_record_per_call(client: DataverseClient, marker: str) -> None:
    records: list[CallRecord] = []
    client.add_hook(records.append)
    record_id = client.create("contacts", {"lastname": marker})
    client.get("contacts", record_id)
    client.delete("contacts", record_id)
    assert [(r.method, r.entity_set, r.status, r.attempt) for r in records] == [
        ("POST", "contacts", 204, 1),
        ("GET", "contacts", 200, 1),
        ("DELETE", "contacts", 204, 1),
    ]
    assert records[0].request_bytes > 0
    assert records[1].response_bytes > 0
    assert all(r.duration_s > 0 for r in records)
