"""Client policy against an in-process transport: 401 refresh, Retry-After, writes, batch, metadata."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from dataverse_client import (
    AuthError,
    BatchOperation,
    ChangeSet,
    DuplicateRecord,
    NotFound,
    ServiceUnavailable,
    Throttled,
    ValidationError,
)

from .handler_adapter import API, Sent, StaticTokens, make_client

GUID = "49b0be2e-d01c-ed11-b83e-000d3a572421"
NOT_FOUND = {"error": {"code": "0x80040217", "message": f"contact With Id = {GUID} Does Not Exist"}}
DEFINITIONS = {"value": [{"LogicalName": "contact", "EntitySetName": "contacts", "PrimaryIdAttribute": "contactid"}]}


class TestAuth:
    def test_a_401_drops_the_token_and_retries_once(self) -> None:
        tokens = StaticTokens()

        def handler(sent: Sent) -> tuple[int, dict[str, str], Any]:
            if sent.headers["Authorization"].endswith("generation-0"):
                return 401, {}, {"error": {"code": "0x8005F101", "message": "expired"}}
            return 200, {}, {"contactid": GUID}

        client, adapter, _ = make_client(handler, token_provider=tokens)
        assert client.get("contacts", GUID)["contactid"] == GUID
        assert tokens.invalidated == 1
        assert [s.headers["Authorization"] for s in adapter.requests_seen] == [
            "Bearer token-generation-0",
            "Bearer token-generation-1",
        ]

    def test_a_second_401_raises_auth_error(self) -> None:
        tokens = StaticTokens()
        client, adapter, _ = make_client(lambda sent: (401, {}, b""), token_provider=tokens)
        with pytest.raises(AuthError) as info:
            client.get("contacts", GUID)
        assert info.value.status == 401
        assert len(adapter.requests_seen) == 2
        assert tokens.invalidated == 1

    def test_403_is_not_refreshed(self) -> None:
        tokens = StaticTokens()
        client, adapter, _ = make_client(lambda sent: (403, {}, b""), token_provider=tokens)
        with pytest.raises(AuthError):
            client.get("contacts", GUID)
        assert len(adapter.requests_seen) == 1
        assert tokens.invalidated == 0


class TestThrottling:
    def test_retry_after_is_slept_and_gates_later_calls(self) -> None:
        replies = iter([(429, {"Retry-After": "3"}, {"error": {"code": "0x80072322", "message": "limit"}})])

        def handler(sent: Sent) -> tuple[int, dict[str, str], Any]:
            return next(replies, (200, {}, {"contactid": GUID}))

        client, adapter, clock = make_client(handler)
        client.get("contacts", GUID)
        assert clock.sleeps == [3.0]
        assert len(adapter.requests_seen) == 2
        # the gate is open again: a later call does not wait
        client.get("contacts", GUID)
        assert clock.sleeps == [3.0]

    def test_throttled_beyond_the_budget_raises_with_the_limit(self) -> None:
        client, _, clock = make_client(
            lambda sent: (429, {"Retry-After": "300"}, {"error": {"code": "0x80072326", "message": "52"}})
        )
        with pytest.raises(Throttled) as info:
            client.get("contacts", GUID)
        assert (info.value.retry_after, info.value.limit) == (300.0, "concurrency")
        assert clock.sleeps == []

    def test_a_non_idempotent_create_is_not_retried_on_503(self) -> None:
        client, adapter, _ = make_client(lambda sent: (503, {}, b""))
        with pytest.raises(ServiceUnavailable):
            client.create("contacts", {"lastname": "Lee"})
        assert len(adapter.requests_seen) == 1

    def test_a_create_with_a_client_id_is_retried_on_503(self) -> None:
        replies = iter([(503, {}, b"")])

        def handler(sent: Sent) -> tuple[int, dict[str, str], Any]:
            if "EntityDefinitions" in sent.url:
                return 200, {}, DEFINITIONS
            return next(replies, (204, {"OData-EntityId": f"{API}contacts({GUID})"}, b""))

        client, adapter, _ = make_client(handler)
        assert client.create("contacts", {"lastname": "Lee"}, id=GUID) == GUID
        posts = [s for s in adapter.requests_seen if s.method == "POST"]
        assert len(posts) == 2
        assert posts[0].json() == {"lastname": "Lee", "contactid": GUID}


class TestReadsAndWrites:
    def test_get_raises_and_find_returns_none(self) -> None:
        client, _, _ = make_client(lambda sent: (404, {}, NOT_FOUND))
        with pytest.raises(NotFound):
            client.get("contacts", GUID)
        assert client.find("contacts", GUID) is None

    def test_create_reads_the_id_from_odata_entity_id(self) -> None:
        client, adapter, _ = make_client(lambda sent: (204, {"OData-EntityId": f"{API}contacts({GUID.upper()})"}, b""))
        assert client.create("contacts", {"lastname": "Lee"}) == GUID
        (sent,) = adapter.requests_seen
        assert sent.url == f"{API}contacts"
        assert "Prefer" not in sent.headers

    def test_create_with_representation_returns_the_row(self) -> None:
        row = {"@odata.etag": 'W/"1"', "contactid": GUID, "lastname": "Lee"}
        client, adapter, _ = make_client(lambda sent: (201, {}, row))
        assert client.create("contacts", {"lastname": "Lee"}, return_representation=True) == row
        assert adapter.requests_seen[0].headers["Prefer"] == "return=representation"

    def test_primary_key_is_resolved_once_and_cached(self) -> None:
        def handler(sent: Sent) -> tuple[int, dict[str, str], Any]:
            if "EntityDefinitions" in sent.url:
                return 200, {}, DEFINITIONS
            return 204, {}, b""

        client, adapter, _ = make_client(handler)
        client.create("contacts", {"lastname": "A"}, id=GUID)
        client.create("contacts", {"lastname": "B"}, id="59b0be2e-d01c-ed11-b83e-000d3a572421")
        lookups = [s.url for s in adapter.requests_seen if "EntityDefinitions" in s.url]
        assert lookups == [
            f"{API}EntityDefinitions?$select=LogicalName,EntitySetName,PrimaryIdAttribute"
            "&$filter=EntitySetName%20eq%20'contacts'"
        ]

    def test_create_refuses_a_conflicting_id_in_the_body(self) -> None:
        client, _, _ = make_client(lambda sent: (204, {}, b""))
        with pytest.raises(ValueError, match="different contactid"):
            client.create(
                "contacts", {"contactid": "59b0be2e-d01c-ed11-b83e-000d3a572421"}, id=GUID, primary_key="contactid"
            )

    def test_upsert_and_delete_headers(self) -> None:
        client, adapter, _ = make_client(lambda sent: (204, {"OData-EntityId": f"{API}contacts({GUID})"}, b""))
        assert client.upsert("contacts", {"dfeta_trn": "1234567"}, {"lastname": "Lee"}) == GUID
        client.delete("contacts", GUID, if_match='W/"9"')
        upsert, delete = adapter.requests_seen
        assert upsert.url == f"{API}contacts(dfeta_trn='1234567')"
        assert "If-Match" not in upsert.headers
        assert delete.method == "DELETE"
        assert delete.headers["If-Match"] == 'W/"9"'

    @pytest.mark.parametrize("etag", ['W/"1"\r\nX-Injected: 1', "123", 'W/"1'])
    def test_bad_etags_are_refused_before_sending(self, etag: str) -> None:
        client, adapter, _ = make_client(lambda sent: (204, {}, b""))
        with pytest.raises(ValueError, match="ETag"):
            client.update("contacts", GUID, {}, if_match=etag)
        assert adapter.requests_seen == []

    def test_create_multiple(self) -> None:
        def handler(sent: Sent) -> tuple[int, dict[str, str], Any]:
            if "EntityDefinitions" in sent.url:
                return 200, {}, DEFINITIONS
            return 200, {}, {"Ids": [GUID]}

        client, adapter, _ = make_client(handler)
        assert client.create_multiple("contacts", [{"lastname": "Lee"}]) == [GUID]
        sent = adapter.requests_seen[-1]
        assert sent.url == f"{API}contacts/Microsoft.Dynamics.CRM.CreateMultiple"
        assert sent.json() == {"Targets": [{"@odata.type": "Microsoft.Dynamics.CRM.contact", "lastname": "Lee"}]}


class TestBatch:
    FAILED = (
        "--batchresponse_1\r\nContent-Type: multipart/mixed; boundary=changesetresponse_2\r\n\r\n"
        "--changesetresponse_2\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
        "Content-ID: 2\r\n\r\nHTTP/1.1 412 Precondition Failed\r\nContent-Type: application/json\r\n\r\n"
        '{"error":{"code":"0x80040237","message":"A record with matching key values already exists."}}\r\n'
        "--changesetresponse_2--\r\n--batchresponse_1--\r\n"
    )

    def test_a_failed_changeset_raises_the_part_error(self) -> None:
        client, adapter, _ = make_client(
            lambda sent: (400, {"Content-Type": "multipart/mixed; boundary=batchresponse_1"}, self.FAILED.encode())
        )
        ops = ChangeSet(
            [BatchOperation.create("contacts", {"lastname": "A"}), BatchOperation.create("contacts", {"lastname": "B"})]
        )
        with pytest.raises(DuplicateRecord):
            client.batch([ops])
        (sent,) = adapter.requests_seen  # creates without ids: not retried
        assert sent.url == f"{API}$batch"
        assert sent.headers["Content-Type"].startswith("multipart/mixed; boundary=batch_")
        assert "Prefer" not in sent.headers

    def test_continue_on_error_returns_inline_failures(self) -> None:
        body = (
            "--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
            'HTTP/1.1 400 Bad Request\r\n\r\n{"error":{"code":"0x80044331","message":"too long"}}\r\n'
            "--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
            f"HTTP/1.1 204 No Content\r\nOData-EntityId: {API}contacts({GUID})\r\n\r\n\r\n--b--\r\n"
        )
        client, adapter, _ = make_client(
            lambda sent: (200, {"Content-Type": "multipart/mixed; boundary=b"}, body.encode())
        )
        result = client.batch(
            [
                BatchOperation.update("contacts", GUID, {"lastname": "x" * 500}),
                BatchOperation.update("contacts", GUID, {"lastname": "ok"}),
            ],
            continue_on_error=True,
        )
        assert [type(e) for e in result.errors] == [ValidationError]
        assert result.parts[1].entity_id == GUID
        assert adapter.requests_seen[0].headers["Prefer"] == "odata.continue-on-error"
        with pytest.raises(ValidationError):
            result.raise_for_errors()

    def test_impersonation_goes_on_the_batch_and_its_writes(self) -> None:
        caller = "11111111-2222-3333-4444-555555555555"
        ok = "--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n\r\n--b--\r\n"
        client, adapter, _ = make_client(
            lambda sent: (200, {"Content-Type": "multipart/mixed; boundary=b"}, ok.encode())
        )
        client.batch([BatchOperation.delete("contacts", GUID)], caller_object_id=caller)
        (sent,) = adapter.requests_seen
        assert sent.headers["CallerObjectId"] == caller
        assert f"CallerObjectId: {caller}" in sent.body.decode()

    def test_batch_json_errors_are_raised_typed(self) -> None:
        throttle = {"error": {"code": "0x80072322", "message": "limit"}}
        client, _, _ = make_client(lambda sent: (429, {"Retry-After": "999"}, throttle))
        with pytest.raises(Throttled):
            client.batch([BatchOperation.get("contacts")])


def test_secret_never_reaches_the_wire_of_the_web_api() -> None:
    client, adapter, _ = make_client(lambda sent: (200, {}, {"contactid": GUID}))
    client.get("contacts", GUID)
    sent = adapter.requests_seen[0]
    blob = orjson.dumps({"url": sent.url, "headers": dict(sent.headers)}).decode() + sent.body.decode()
    assert client.settings.client_secret not in blob
