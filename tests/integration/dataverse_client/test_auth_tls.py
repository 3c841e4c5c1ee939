"""Tokens from the simulator's authority over real TLS: acquisition, cache reuse, bad secrets, expiry,
and a CA that the environment cannot swap."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from dataverse_client import AuthError, DataverseClient
from dataverse_client.auth import MsalTokenProvider
from dataverse_client.transport import PinnedSession
from tests.support.simulator import SimulatorHandle

from .conftest import api_log, now, settings_for

pytestmark = pytest.mark.integration


class CountingSession(PinnedSession):
    """Our pinned session, counting what msal sends through it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.token_posts = 0

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if request.method == "POST" and (request.url or "").endswith("/oauth2/v2.0/token"):
            self.token_posts += 1
        return super().send(request, **kwargs)


def test_token_is_acquired_once_and_reused_from_the_cache(simulator: SimulatorHandle) -> None:
    # Given a client whose msal traffic we can count
    settings = settings_for(simulator)
    session = CountingSession(verify=settings.verify, timeout=settings.timeout.as_requests())
    client = DataverseClient(settings, token_provider=MsalTokenProvider(settings, session))
    # When it makes several Web API calls
    for _ in range(5):
        assert client.whoami()["UserId"]
    # Then exactly one token was requested from the authority
    assert session.token_posts == 1
    client.close()


def test_a_bad_secret_raises_auth_error_without_the_secret(simulator: SimulatorHandle) -> None:
    wrong = "definitely-not-the-secret-value"
    client = DataverseClient(settings_for(simulator, client_secret=wrong))
    with pytest.raises(AuthError) as info:
        client.whoami()
    client.close()
    assert info.value.code == "invalid_client"
    assert "AADSTS7000215" in info.value.message
    assert wrong not in str(info.value)
    assert wrong not in repr(info.value)
    assert simulator.client_secret not in str(info.value)


def test_an_expired_token_is_refreshed_once_and_the_call_succeeds(
    simulator: SimulatorHandle, client: DataverseClient
) -> None:
    # Given a cached token the simulator then expires server-side
    client.whoami()
    simulator.admin("POST", "expire-tokens")
    since = now()
    # When the client calls again
    assert client.whoami()["UserId"]
    # Then the simulator saw a 401 followed by a successful retry
    assert [e["status"] for e in api_log(simulator, since)] == [401, 200]


def test_a_bogus_requests_ca_bundle_does_not_override_ours(
    simulator: SimulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given REQUESTS_CA_BUNDLE pointing at a bundle without the simulator's CA
    import certifi

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    monkeypatch.setenv("CURL_CA_BUNDLE", certifi.where())
    # Control: a plain requests session with verify set is hijacked by the variable and fails TLS
    plain = requests.Session()
    plain.verify = simulator.ca_bundle
    with pytest.raises(requests.exceptions.SSLError):
        plain.get(simulator.api_url, timeout=10)
    # When our client (msal included) talks to the simulator, Then it still trusts our CA
    with DataverseClient(settings_for(simulator)) as client:
        assert client.whoami()["UserId"]


def test_an_untrusted_certificate_fails_at_once_and_is_not_retried(simulator: SimulatorHandle) -> None:
    # Given a client that trusts only the system store, not the simulator's CA
    from dataverse_client import TransportError

    client = DataverseClient(settings_for(simulator, ca_bundle=None))
    started = time.monotonic()
    # When it calls, Then TLS verification fails, typed, and without two minutes of retrying
    with pytest.raises(TransportError, match="SSLError") as info:
        client.whoami()
    assert info.value.transient is False
    assert time.monotonic() - started < 5
    client.close()
