"""``$batch`` serialisation and response parsing, using the reference doc's response shapes."""

from __future__ import annotations

import re

import pytest

from dataverse_client import BatchOperation, ChangeSet, DuplicateRecord, NotFound, ValidationError
from dataverse_client.batch import build_batch, parse_batch_response

API = "https://org.crm.dynamics.com/api/data/v9.2/"
ID1 = "a59c24f3-fafc-ea11-a813-000d3a579805"
ID2 = "a69c24f3-fafc-ea11-a813-000d3a579805"


class TestBuild:
    def test_changeset_and_get_serialise_with_crlf_and_content_ids(self) -> None:
        items = [
            ChangeSet(
                [
                    BatchOperation.create("tasks", {"subject": "Task 1 in batch"}),
                    BatchOperation.update("tasks", ID1, {"subject": "x"}, if_match='W/"7"'),
                ]
            ),
            BatchOperation.get("tasks", ID2),
        ]
        content_type, body = build_batch(
            items, api_url=API, part_headers={"CallerObjectId": ID2}, boundary="batch_AAA123"
        )
        assert content_type == "multipart/mixed; boundary=batch_AAA123"
        text = body.decode()
        assert "\n" not in text.replace("\r\n", "")  # CRLF only
        changeset = re.search(r"boundary=(changeset_[0-9a-f-]+)", text)
        assert changeset
        cs = changeset.group(1)
        expected = (
            "--batch_AAA123\r\n"
            f"Content-Type: multipart/mixed; boundary={cs}\r\n"
            "\r\n"
            f"--{cs}\r\n"
            "Content-Type: application/http\r\n"
            "Content-Transfer-Encoding: binary\r\n"
            "Content-ID: 1\r\n"
            "\r\n"
            f"POST {API}tasks HTTP/1.1\r\n"
            f"CallerObjectId: {ID2}\r\n"
            "Content-Type: application/json; type=entry\r\n"
            "\r\n"
            '{"subject":"Task 1 in batch"}\r\n'
            f"--{cs}\r\n"
            "Content-Type: application/http\r\n"
            "Content-Transfer-Encoding: binary\r\n"
            "Content-ID: 2\r\n"
            "\r\n"
            f"PATCH {API}tasks({ID1}) HTTP/1.1\r\n"
            f"CallerObjectId: {ID2}\r\n"
            'If-Match: W/"7"\r\n'
            "Content-Type: application/json; type=entry\r\n"
            "\r\n"
            '{"subject":"x"}\r\n'
            f"--{cs}--\r\n"
            "--batch_AAA123\r\n"
            "Content-Type: application/http\r\n"
            "Content-Transfer-Encoding: binary\r\n"
            "\r\n"
            f"GET {API}tasks({ID2}) HTTP/1.1\r\n"
            "Accept: application/json\r\n"
            "\r\n"
            "\r\n"
            "--batch_AAA123--\r\n"
        )
        assert text == expected

    def test_content_id_references_are_not_prefixed(self) -> None:
        items = [
            ChangeSet(
                [
                    BatchOperation.create("contacts", {"lastname": "Lee"}, content_id="c1"),
                    BatchOperation("PATCH", "$c1", {"firstname": "Ann"}),
                ]
            )
        ]
        _, body = build_batch(items, api_url=API)
        assert "PATCH $c1 HTTP/1.1" in body.decode()
        assert "Content-ID: c1" in body.decode()
        assert "Content-ID: 1" in body.decode()  # the second op got a generated, different id

    @pytest.mark.parametrize(
        ("method", "path", "headers"),
        [
            ("GET", "contacts HTTP/1.1\r\nX: y", {}),
            ("GET", "/api/data/v9.2/contacts", {}),
            ("GET", "contacts", {"X-Bad": "a\r\nInjected: 1"}),
            ("GET", "contacts", {"Bad Name": "x"}),
            ("TRACE", "contacts", {}),
        ],
    )
    def test_unsafe_operations_are_refused(self, method: str, path: str, headers: dict[str, str]) -> None:
        with pytest.raises(ValueError):  # noqa: PT011
            BatchOperation(method, path, headers=headers)

    def test_changesets_refuse_gets_and_batches_are_bounded(self) -> None:
        with pytest.raises(ValueError, match="GET"):
            ChangeSet([BatchOperation.get("contacts")])
        with pytest.raises(ValueError, match="at most 1000"):
            build_batch([BatchOperation.get("contacts")] * 1001, api_url=API)
        with pytest.raises(ValueError, match="ETag"):
            BatchOperation.update("contacts", ID1, {}, if_match="W/123")

    def test_idempotency_defaults(self) -> None:
        assert BatchOperation.get("contacts").idempotent
        assert BatchOperation.update("contacts", ID1, {}).idempotent
        assert BatchOperation.delete("contacts", ID1).idempotent
        assert not BatchOperation.create("contacts", {}).idempotent
        assert BatchOperation.create("contacts", {"contactid": ID1}, has_client_id=True).idempotent


# The reference doc's success response (§5.4): a change set with one create, then a GET.
SUCCESS = (
    "--batchresponse_01346794-f2e7-4d45-8e6d-d2c3f6a5ef5a\r\n"
    "Content-Type: multipart/mixed; boundary=changesetresponse_fb6a1b4e-6e5a-4a5e-9d5c-1f3e2b2c4d5e\r\n"
    "\r\n"
    "--changesetresponse_fb6a1b4e-6e5a-4a5e-9d5c-1f3e2b2c4d5e\r\n"
    "Content-Type: application/http\r\n"
    "Content-Transfer-Encoding: binary\r\n"
    "Content-ID: 1\r\n"
    "\r\n"
    "HTTP/1.1 204 No Content\r\n"
    "OData-Version: 4.0\r\n"
    f"Location: {API}tasks({ID1})\r\n"
    f"OData-EntityId: {API}tasks({ID1})\r\n"
    "\r\n"
    "\r\n"
    "--changesetresponse_fb6a1b4e-6e5a-4a5e-9d5c-1f3e2b2c4d5e--\r\n"
    "--batchresponse_01346794-f2e7-4d45-8e6d-d2c3f6a5ef5a\r\n"
    "Content-Type: application/http\r\n"
    "Content-Transfer-Encoding: binary\r\n"
    "\r\n"
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json; odata.metadata=minimal; odata.streaming=true\r\n"
    "OData-Version: 4.0\r\n"
    "\r\n"
    '{"@odata.context":"x","value":[{"@odata.etag":"W/\\"1\\"","subject":"Task 1 in batch"}]}\r\n'
    "--batchresponse_01346794-f2e7-4d45-8e6d-d2c3f6a5ef5a--\r\n"
)

# continue-on-error: the batch is 200 and the failure is inline (§5.4).
INLINE_FAILURE = (
    "--batchresponse_c1bd45c1-dd81-470d-b897-e965846aad2f\r\n"
    "Content-Type: application/http\r\n"
    "Content-Transfer-Encoding: binary\r\n"
    "\r\n"
    "HTTP/1.1 400 Bad Request\r\n"
    "REQ_ID: 5ecd1cb3-1730-4ffc-909c-d44c22270026\r\n"
    "Content-Type: application/json; odata.metadata=minimal\r\n"
    "OData-Version: 4.0\r\n"
    "\r\n"
    '{"error":{"code":"0x80044331","message":"A validation error occurred. The length of the \'subject\' '
    "attribute of the 'task' entity exceeded the maximum allowed length of '200'.\"}}\r\n"
    "--batchresponse_c1bd45c1-dd81-470d-b897-e965846aad2f\r\n"
    "Content-Type: application/http\r\n"
    "Content-Transfer-Encoding: binary\r\n"
    "\r\n"
    "HTTP/1.1 204 No Content\r\n"
    "OData-Version: 4.0\r\n"
    f"OData-EntityId: {API}tasks({ID2})\r\n"
    "\r\n"
    "\r\n"
    "--batchresponse_c1bd45c1-dd81-470d-b897-e965846aad2f--\r\n"
)


class TestParse:
    def test_success_with_nested_changeset(self) -> None:
        parts = parse_batch_response(
            "multipart/mixed; boundary=batchresponse_01346794-f2e7-4d45-8e6d-d2c3f6a5ef5a", SUCCESS.encode()
        )
        assert [p.status for p in parts] == [204, 200]
        created, read = parts
        assert created.content_id == "1"
        assert created.entity_id == ID1
        assert created.body is None
        assert created.ok
        assert read.body["value"][0]["subject"] == "Task 1 in batch"
        assert read.headers["odata-version"] == "4.0"  # case-insensitive

    def test_inline_failure_is_typed(self) -> None:
        parts = parse_batch_response(
            'multipart/mixed; boundary="batchresponse_c1bd45c1-dd81-470d-b897-e965846aad2f"',
            INLINE_FAILURE.encode(),
        )
        failed, ok = parts
        assert isinstance(failed.error, ValidationError)
        assert failed.error.request_id == "5ecd1cb3-1730-4ffc-909c-d44c22270026"
        assert failed.error.status == 400
        assert ok.ok
        assert ok.entity_id == ID2

    def test_lf_only_responses_are_tolerated(self) -> None:
        lf = SUCCESS.replace("\r\n", "\n")
        parts = parse_batch_response(
            "multipart/mixed; boundary=batchresponse_01346794-f2e7-4d45-8e6d-d2c3f6a5ef5a", lf.encode()
        )
        assert [p.status for p in parts] == [204, 200]

    def test_failed_changeset_part_maps_to_its_class(self) -> None:
        response = (
            "--batchresponse_x\r\n"
            "Content-Type: multipart/mixed; boundary=changesetresponse_y\r\n"
            "\r\n"
            "--changesetresponse_y\r\n"
            "Content-Type: application/http\r\n"
            "Content-Transfer-Encoding: binary\r\n"
            "Content-ID: 2\r\n"
            "\r\n"
            "HTTP/1.1 412 Precondition Failed\r\n"
            "Content-Type: application/json; odata.metadata=minimal\r\n"
            "\r\n"
            '{"error":{"code":"0x80040237","message":"A record with matching key values already exists."}}\r\n'
            "--changesetresponse_y--\r\n"
            "--batchresponse_x--\r\n"
        )
        (part,) = parse_batch_response("multipart/mixed; boundary=batchresponse_x", response.encode())
        assert part.content_id == "2"
        assert isinstance(part.error, DuplicateRecord)

    def test_round_trip_of_our_own_request_format(self) -> None:
        # A response in exactly the shape we write requests in parses too (same MIME rules).
        response = (
            "--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
            "HTTP/1.1 404 Not Found\r\n\r\n"
            '{"error":{"code":"0x80040217","message":"task With Id = x Does Not Exist"}}\r\n'
            "--b--"
        )
        (part,) = parse_batch_response("multipart/mixed; boundary=b", response.encode())
        assert isinstance(part.error, NotFound)

    def test_not_multipart_or_unterminated_is_an_error(self) -> None:
        from dataverse_client import DataverseError

        with pytest.raises(DataverseError, match="not multipart"):
            parse_batch_response("application/json", b"{}")
        with pytest.raises(DataverseError, match="closing boundary"):
            parse_batch_response("multipart/mixed; boundary=b", b"--b\r\nContent-Type: application/http\r\n\r\n")
