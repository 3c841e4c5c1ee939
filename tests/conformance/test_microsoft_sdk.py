"""Conformance: Microsoft's own Python SDK (``PowerPlatform-Dataverse-Client``) works against the simulator.

Nothing in the SDK is changed or patched: it is pointed at the simulator's base URL, and azure-identity's
``ClientSecretCredential`` at the simulator's authority, exactly as a user would point them at a real
environment. The only local concession is trusting the simulator's CA through ``REQUESTS_CA_BUNDLE``,
which is how one trusts any private CA with requests.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import pytest
from azure.identity import ClientSecretCredential
from PowerPlatform.Dataverse.client import DataverseClient
from PowerPlatform.Dataverse.core.errors import HttpError

from tests.support.simulator import SimulatorHandle

pytestmark = pytest.mark.conformance


@pytest.fixture
def sdk(simulator: SimulatorHandle, monkeypatch: pytest.MonkeyPatch) -> DataverseClient:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", simulator.ca_bundle)
    parts = urlsplit(simulator.authority)
    credential = ClientSecretCredential(
        simulator.tenant_id,
        simulator.client_id,
        simulator.client_secret,
        authority=f"{parts.scheme}://{parts.netloc}",
        disable_instance_discovery=True,
    )
    client = DataverseClient(simulator.base_url, credential)
    return client


def _surname() -> str:
    return f"Conformance{uuid.uuid4().hex[:10]}"


def test_create_read_update_delete(sdk: DataverseClient) -> None:
    # Given a new contact created through the SDK
    surname = _surname()
    contact_id = sdk.records.create("contact", {"firstname": "Ada", "lastname": surname, "dfeta_trn": "9100001"})
    uuid.UUID(contact_id)

    # When it is read back, Then the SDK sees what it wrote
    record = sdk.records.retrieve("contact", contact_id, select=["firstname", "lastname", "dfeta_trn"])
    assert (record["firstname"], record["lastname"], record["dfeta_trn"]) == ("Ada", surname, "9100001")

    # When it is updated, Then the change is visible
    sdk.records.update("contact", contact_id, {"firstname": "Augusta"})
    assert sdk.records.retrieve("contact", contact_id, select=["firstname"])["firstname"] == "Augusta"

    # When it is deleted, Then retrieve returns None (a 404 underneath)
    sdk.records.delete("contact", contact_id)
    assert sdk.records.retrieve("contact", contact_id) is None


def test_pages_through_results_with_full_pages(sdk: DataverseClient) -> None:
    # Given five contacts sharing a surname
    surname = _surname()
    created = {sdk.records.create("contact", {"firstname": f"P{i}", "lastname": surname}) for i in range(5)}

    # When the SDK lists them two to a page, following each @odata.nextLink verbatim
    pages = list(
        sdk.records.list_pages(
            "contact", filter=f"lastname eq '{surname}'", select=["firstname", "lastname"], page_size=2
        )
    )

    # Then every page but the last is full, and all five arrive exactly once
    assert [len(page) for page in pages] == [2, 2, 1]
    seen = [r.get("contactid") or r.id for page in pages for r in page]
    assert set(seen) == created
    assert len(seen) == 5


def test_list_with_orderby_and_top(sdk: DataverseClient) -> None:
    surname = _surname()
    for first in ("Cy", "Al", "Bo"):
        sdk.records.create("contact", {"firstname": first, "lastname": surname})
    result = sdk.records.list(
        "contact", filter=f"lastname eq '{surname}'", select=["firstname"], orderby=["firstname desc"], top=2
    )
    assert [r["firstname"] for r in result] == ["Cy", "Bo"]


def test_batch_change_set_creates_atomically(sdk: DataverseClient) -> None:
    surname = _surname()
    batch = sdk.batch.new()
    with batch.changeset() as change_set:
        change_set.records.create("contact", {"firstname": "One", "lastname": surname})
        change_set.records.create("contact", {"firstname": "Two", "lastname": surname})
    result = batch.execute()
    assert not result.has_errors
    assert len(result.entity_ids) == 2
    listed = sdk.records.list("contact", filter=f"lastname eq '{surname}'", select=["firstname"])
    assert sorted(r["firstname"] for r in listed) == ["One", "Two"]


def test_missing_record_is_a_404_with_dataverse_code(sdk: DataverseClient) -> None:
    with pytest.raises(HttpError) as caught:
        sdk.records.update("contact", str(uuid.uuid4()), {"firstname": "Nobody"})
    assert caught.value.status_code == 404
    assert caught.value.details["service_error_code"] == "0x80040217"


def test_throttling_surfaces_retry_after(sdk: DataverseClient, simulator: SimulatorHandle) -> None:
    # Given every request is throttled with a Retry-After of 3 seconds
    simulator.admin("POST", "faults", {"rate_429": 1.0, "retry_after": 3})
    # When the SDK makes a call, Then it raises HttpError carrying that Retry-After (the SDK does not retry)
    with pytest.raises(HttpError) as caught:
        sdk.records.list("contact", top=1, select=["firstname"])
    assert caught.value.status_code == 429
    assert caught.value.details["retry_after"] == 3
    assert caught.value.is_transient
