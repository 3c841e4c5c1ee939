"""The transport seam: Prefer composition, OData headers, pinned TLS trust and timeouts, call records."""

from __future__ import annotations

import uuid

import pytest
import requests

from dataverse_client import CallRecord, TransportError
from dataverse_client.transport import PinnedSession, Prefer

from .handler_adapter import API, HandlerAdapter, Sent, make_client

GUID = "49b0be2e-d01c-ed11-b83e-000d3a572421"


class TestPrefer:
    def test_nothing_chosen_means_no_header(self) -> None:
        assert Prefer().header() is None

    def test_options_are_one_comma_joined_value_in_a_stable_order(self) -> None:
        prefer = Prefer(
            return_representation=True,
            include_annotations="*",
            max_page_size=50,
            track_changes=True,
            continue_on_error=True,
        )
        assert prefer.header() == (
            'return=representation,odata.include-annotations="*",odata.maxpagesize=50,'
            "odata.track-changes,odata.continue-on-error"
        )

    def test_track_changes_with_page_size(self) -> None:
        assert Prefer(track_changes=True, max_page_size=5000).header() == "odata.maxpagesize=5000,odata.track-changes"

    def test_annotation_pattern_cannot_break_the_header(self) -> None:
        with pytest.raises(ValueError, match="quotes"):
            Prefer(include_annotations='*",odata.track-changes').header()


class TestPinnedSession:
    def test_environment_ca_bundle_cannot_override_ours(self, monkeypatch: pytest.MonkeyPatch) -> None:
        # Given requests' CA variables pointing at some other bundle
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/bogus/requests-ca.pem")
        monkeypatch.setenv("CURL_CA_BUNDLE", "/bogus/curl-ca.pem")
        adapter = HandlerAdapter(lambda sent: (200, {}, b""))
        plain = requests.Session()
        plain.verify = "/ours/ca.pem"
        plain.mount("https://", adapter)
        pinned = PinnedSession(verify="/ours/ca.pem", timeout=(3.0, 7.0))
        pinned.mount("https://", adapter)
        # When each sends without a per-request verify
        plain.get("https://example.test/")
        pinned.get("https://example.test/")
        pinned.get("https://example.test/", verify=True, timeout=None)
        # Then plain requests was hijacked by the environment, ours was not, and ours has a timeout
        hijacked, ours, ours_again = adapter.requests_seen
        assert hijacked.verify == "/bogus/requests-ca.pem"
        assert ours.verify == "/ours/ca.pem"
        assert ours_again.verify == "/ours/ca.pem"
        assert ours.timeout == (3.0, 7.0)

    def test_verification_cannot_be_disabled(self) -> None:
        with pytest.raises(ValueError, match="cannot be disabled"):
            PinnedSession(verify=False, timeout=(1.0, 1.0))


class TestCertificateRejected:
    def test_verification_failures_are_found_in_the_chain(self) -> None:
        import ssl

        from dataverse_client.transport import certificate_rejected

        inner = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] unable to get local issuer")
        wrapped = requests.exceptions.SSLError(requests.exceptions.SSLError(inner))
        assert certificate_rejected(wrapped)
        assert not certificate_rejected(requests.exceptions.SSLError("EOF occurred in violation of protocol"))
        assert not certificate_rejected(requests.ConnectionError("Connection reset by peer"))


class TestWireFormat:
    def test_reads_carry_odata_headers_and_no_body(self) -> None:
        client, adapter, _ = make_client(lambda sent: (200, {}, {"contactid": GUID}))
        client.get("contacts", GUID, select=["fullname"])
        (sent,) = adapter.requests_seen
        assert sent.method == "GET"
        assert sent.url == f"{API}contacts({GUID})?$select=fullname"
        assert sent.headers["Accept"] == "application/json"
        assert sent.headers["OData-MaxVersion"] == "4.0"
        assert sent.headers["OData-Version"] == "4.0"
        assert sent.headers["If-None-Match"] == "null"
        assert sent.headers["Authorization"] == "Bearer token-generation-0"
        uuid.UUID(sent.headers["x-ms-client-request-id"])
        assert "Content-Type" not in sent.headers
        assert "Prefer" not in sent.headers
        assert sent.timeout == (10.0, 120.0)
        assert sent.verify is True

    def test_writes_carry_json_and_impersonation(self) -> None:
        caller = "11111111-2222-3333-4444-555555555555"
        client, adapter, _ = make_client(lambda sent: (204, {}, b""))
        client.update("contacts", GUID, {"firstname": "Ann"}, if_match='W/"12"', caller_object_id=caller)
        (sent,) = adapter.requests_seen
        assert sent.method == "PATCH"
        assert sent.headers["Content-Type"] == "application/json"
        assert sent.headers["If-Match"] == 'W/"12"'
        assert sent.headers["CallerObjectId"] == caller
        assert "If-None-Match" not in sent.headers
        assert sent.json() == {"firstname": "Ann"}

    def test_query_values_are_percent_encoded(self) -> None:
        from dataverse_client import F

        client, adapter, _ = make_client(lambda sent: (200, {}, {"value": []}))
        list(client.query("contacts", select=["fullname"], filter=F.eq("lastname", "A&B #1+2 %"), page_size=10))
        (sent,) = adapter.requests_seen
        assert sent.url == (f"{API}contacts?$select=fullname&$filter=lastname%20eq%20'A%26B%20%231%2B2%20%25'")
        assert sent.headers["Prefer"] == "odata.maxpagesize=10"


class TestCallRecords:
    def test_every_attempt_is_reported_without_urls_or_bodies(self) -> None:
        replies = iter([(503, {}, b""), (200, {}, {"value": []})])
        records: list[CallRecord] = []
        client, _, _ = make_client(lambda sent: next(replies), hooks=[records.append])
        list(client.query("contacts", select=["fullname"]))
        assert [(r.method, r.entity_set, r.status, r.attempt) for r in records] == [
            ("GET", "contacts", 503, 1),
            ("GET", "contacts", 200, 2),
        ]
        assert records[1].response_bytes == len(b'{"value":[]}')
        assert all(r.duration_s >= 0 for r in records)
        assert set(CallRecord.__dataclass_fields__) == {
            "method",
            "entity_set",
            "status",
            "duration_s",
            "request_bytes",
            "response_bytes",
            "attempt",
        }

    def test_connection_failures_are_reported_with_no_status(self) -> None:
        records: list[CallRecord] = []

        def refuse(sent: Sent) -> tuple[int, dict[str, str], bytes]:
            raise requests.ConnectionError("refused")

        client, _, _ = make_client(refuse, hooks=[records.append], settings=None)
        client.retry_policy = type(client.retry_policy)(max_retry_seconds=0)
        with pytest.raises(TransportError, match="ConnectionError"):
            client.get("contacts", GUID)
        assert [(r.status, r.request_bytes, r.response_bytes) for r in records] == [(None, 0, 0)]

    def test_a_failing_hook_does_not_break_the_call(self, caplog: pytest.LogCaptureFixture) -> None:
        def broken(record: CallRecord) -> None:
            raise RuntimeError("metrics backend down")

        client, _, _ = make_client(lambda sent: (200, {}, {"contactid": GUID}), hooks=[broken])
        assert client.get("contacts", GUID) == {"contactid": GUID}
        assert "hook" in caplog.text


def test_a_missing_ca_bundle_is_a_typed_non_transient_error() -> None:
    from dataverse_client import DataverseClient

    from .handler_adapter import StaticTokens, settings

    # Given a CA bundle path that does not exist (real requests adapter: it checks the path)
    client = DataverseClient(settings(ca_bundle="/nonexistent/ca.pem"), token_provider=StaticTokens())
    # When a call is made, Then it fails typed and is not retried for two minutes
    with pytest.raises(TransportError) as info:
        client.get("contacts", GUID)
    assert info.value.transient is False
