"""The simulated Entra authority and the Web API's 401s."""

from __future__ import annotations

import pytest
import requests
from sim_helpers import Api

from tests.support.simulator import SimulatorHandle

pytestmark = pytest.mark.integration


def _token(handle: SimulatorHandle, **overrides: str) -> requests.Response:
    data = {
        "grant_type": "client_credentials",
        "client_id": handle.client_id,
        "client_secret": handle.client_secret,
        "scope": f"{handle.base_url}/.default",
    }
    data.update(overrides)
    tenant = overrides.pop("tenant", handle.tenant_id) if "tenant" in overrides else handle.tenant_id
    data.pop("tenant", None)
    return requests.post(
        f"{handle.base_url}/{tenant}/oauth2/v2.0/token", data=data, verify=handle.ca_bundle, timeout=30
    )


def test_openid_configuration_points_at_the_token_endpoint(simulator: SimulatorHandle) -> None:
    response = requests.get(
        f"{simulator.authority}/v2.0/.well-known/openid-configuration", verify=simulator.ca_bundle, timeout=30
    )
    assert response.status_code == 200
    document = response.json()
    assert document["token_endpoint"] == f"{simulator.authority}/oauth2/v2.0/token"
    assert document["authorization_endpoint"].startswith(f"{simulator.authority}/oauth2/v2.0/")
    assert document["device_authorization_endpoint"].startswith("https://")
    assert document["issuer"] == f"{simulator.authority}/v2.0"


def test_unknown_tenant_is_rejected(simulator: SimulatorHandle) -> None:
    response = requests.get(
        f"{simulator.base_url}/00000000-0000-0000-0000-000000000000/v2.0/.well-known/openid-configuration",
        verify=simulator.ca_bundle,
        timeout=30,
    )
    assert response.status_code == 400
    token = _token(simulator, tenant="00000000-0000-0000-0000-000000000000")
    assert token.status_code == 400
    assert "AADSTS90002" in token.json()["error_description"]


def test_instance_discovery(simulator: SimulatorHandle) -> None:
    response = requests.get(
        f"{simulator.base_url}/common/discovery/instance",
        params={"api-version": "1.1", "authorization_endpoint": "x"},
        verify=simulator.ca_bundle,
        timeout=30,
    )
    assert response.status_code == 200
    assert response.json()["tenant_discovery_endpoint"].endswith("/v2.0/.well-known/openid-configuration")


def test_client_credentials_token(simulator: SimulatorHandle) -> None:
    response = _token(simulator, scope="https://anything.example/.default")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3599
    assert body["access_token"]


def test_bad_client_id_and_secret_get_oauth_errors(simulator: SimulatorHandle) -> None:
    unknown = _token(simulator, client_id="11111111-1111-1111-1111-111111111111")
    assert unknown.status_code == 400
    assert unknown.json()["error_codes"] == [700016]
    assert "AADSTS700016" in unknown.json()["error_description"]
    wrong = _token(simulator, client_secret="nope")
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    assert wrong.json()["error_codes"] == [7000215]


def test_scope_must_be_dot_default(simulator: SimulatorHandle) -> None:
    response = _token(simulator, scope="https://x.example/user_impersonation")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic abc"])
def test_web_api_refuses_missing_or_unknown_tokens(simulator: SimulatorHandle, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = requests.get(f"{simulator.api_url}contacts", headers=headers, verify=simulator.ca_bundle, timeout=30)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "0x8005F101"
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer authorization_uri=")
    assert "resource_id=" in challenge


def test_token_expires_on_the_simulator_clock(simulator: SimulatorHandle, api: Api) -> None:
    assert api.get("WhoAmI").status_code == 200
    simulator.admin("POST", "clock", {"advance_seconds": 3600})
    expired = api.get("WhoAmI")
    assert expired.status_code == 401
    assert "expired" in expired.json()["error"]["message"]


def test_expire_tokens_admin_endpoint(simulator: SimulatorHandle, api: Api) -> None:
    assert api.get("WhoAmI").status_code == 200
    assert simulator.admin("POST", "expire-tokens")["expired"] >= 1
    assert api.get("WhoAmI").status_code == 401
    assert Api(simulator).get("WhoAmI").status_code == 200


def test_early_token_expiry_fault(simulator: SimulatorHandle) -> None:
    simulator.admin("POST", "faults", {"token_lifetime": 5})
    client = Api(simulator)
    assert client.get("WhoAmI").status_code == 200
    simulator.admin("POST", "clock", {"advance_seconds": 6})
    assert client.get("WhoAmI").status_code == 401


def test_who_am_i_and_service_document(api: Api) -> None:
    who = api.get("WhoAmI")
    assert who.status_code == 200
    assert set(who.json()) >= {"BusinessUnitId", "UserId", "OrganizationId"}
    assert int(who.headers["x-ms-dop-hint"]) >= 1
    service = api.get("")
    names = {item["name"] for item in service.json()["value"]}
    assert {"contacts", "dfeta_qualifications", "dfeta_mqestablishments"} <= names
