"""Mapping failed responses (status, headers, body) to typed errors, and keeping ``str(exc)`` safe."""

from __future__ import annotations

import orjson
import pytest

from dataverse_client import (
    AuthError,
    BadRequest,
    ChangeTrackingNotEnabled,
    ConcurrencyConflict,
    DataverseError,
    DuplicateRecord,
    ExpiredDeltaToken,
    NotFound,
    ServiceUnavailable,
    Throttled,
    ValidationError,
)
from dataverse_client.errors import normalise_code
from dataverse_client.transport import error_from_response, parse_retry_after


def body(code: str, message: str) -> bytes:
    return orjson.dumps({"error": {"code": code, "message": message}})


@pytest.mark.parametrize(
    ("status", "code", "message", "expected"),
    [
        (404, "0x80040217", "contact With Id = 49b0be2e-d01c-ed11-b83e-000d3a572421 Does Not Exist", NotFound),
        (
            412,
            "0x80060882",
            "The version of the existing record doesn't match the RowVersion property provided.",
            ConcurrencyConflict,
        ),
        (412, "", "The version of the existing record doesn't match.", ConcurrencyConflict),
        (412, "0x80040237", "A record with matching key values already exists.", DuplicateRecord),
        (412, "0x80060892", "Entity Key dfeta_trn violated.", DuplicateRecord),
        (400, "0x80040237", "Operation failed due to a SQL integrity violation.", DuplicateRecord),
        (
            400,
            "0x80044352",
            "Version stamp associated with the client has expired. Please perform a full sync.",
            ExpiredDeltaToken,
        ),
        (400, "0x80072491", "Entity contact isn't enabled for change tracking.", ChangeTrackingNotEnabled),
        (400, "0x80044331", "A validation error occurred. The length of the 'subject' attribute ...", ValidationError),
        (400, "0x80048d19", "Error identified in Payload provided by the user for Entity :'contacts'", ValidationError),
        (
            400,
            "0x8006088a",
            'The "$filter" query parameter isn\'t supported when Change Tracking is enabled.',
            BadRequest,
        ),
        (401, "0x8005F101", "The requested resource requires authentication.", AuthError),
        (403, "0x80040220", "Principal user is missing prvActOnBehalfOfAnotherUser privilege.", AuthError),
        (500, "0x80040216", "An unexpected error occurred.", ServiceUnavailable),
        (503, "", "Service Unavailable", ServiceUnavailable),
        (405, "0x80040265", "Method not allowed", BadRequest),
    ],
)
def test_error_class_follows_code_then_status(
    status: int, code: str, message: str, expected: type[DataverseError]
) -> None:
    error = error_from_response(status, {"REQ_ID": "req-1"}, body(code, message), method="GET", entity_set="contacts")
    assert type(error) is expected
    assert error.status == status
    assert error.code == (code.lower() or None)
    assert error.message == message
    assert error.request_id == "req-1"


@pytest.mark.parametrize(
    ("code", "limit"),
    [("0x80072322", "requests"), ("0x80072321", "execution_time"), ("0x80072326", "concurrency")],
)
def test_throttling_reports_retry_after_and_limit(code: str, limit: str) -> None:
    error = error_from_response(
        429,
        {"Retry-After": "7", "x-ms-service-request-id": "svc-9"},
        body(code, "Number of requests exceeded the limit of 6000 over time window of 300 seconds."),
    )
    assert isinstance(error, Throttled)
    assert error.retry_after == 7.0
    assert error.limit == limit
    assert error.request_id == "svc-9"


def test_a_503_carries_its_retry_after_when_it_has_one() -> None:
    busy = error_from_response(503, {"Retry-After": "4"}, body("0x80040216", "The service is temporarily unavailable."))
    assert isinstance(busy, ServiceUnavailable)
    assert (busy.retry_after, busy.transient) == (4.0, True)
    plain = error_from_response(503, {}, b"")
    assert isinstance(plain, ServiceUnavailable)
    assert plain.retry_after is None


def test_throttled_without_retry_after_or_body() -> None:
    error = error_from_response(429, {}, b"")
    assert isinstance(error, Throttled)
    assert error.retry_after is None
    assert error.limit is None
    assert error.message == "HTTP 429"


def test_non_json_bodies_still_map_by_status() -> None:
    error = error_from_response(502, {"Content-Type": "text/html"}, b"<html>Bad gateway</html>")
    assert isinstance(error, ServiceUnavailable)
    assert error.transient
    assert error.code is None
    assert not ServiceUnavailable("x", status=500).transient


def test_oauth_shaped_error_body() -> None:
    error = error_from_response(
        401, {}, orjson.dumps({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret"})
    )
    assert isinstance(error, AuthError)
    assert "AADSTS7000215" in error.message


def test_str_is_one_line_with_the_facts_and_no_body() -> None:
    raw = {"error": {"code": "0x80040217", "message": "contact With Id = 1 Does Not Exist\r\nInjected: line"}}
    error = error_from_response(404, {"REQ_ID": "abc"}, orjson.dumps(raw), method="GET", entity_set="contacts")
    text = str(error)
    assert "\n" not in text
    assert "\r" not in text
    assert text == (
        "contact With Id = 1 Does Not Exist Injected: line "
        "(method=GET, entity_set=contacts, status=404, code=0x80040217, request_id=abc)"
    )


def test_long_messages_are_truncated() -> None:
    error = error_from_response(400, {}, body("0x80044331", "x" * 5000))
    assert len(error.message) == 500


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0x80040217", "0x80040217"),
        ("0x8006088A", "0x8006088a"),
        ("-2147204270", "0x80044352"),
        (-2147204270, "0x80044352"),
        ("", None),
        (None, None),
        ("ObjectDoesNotExist", "ObjectDoesNotExist"),
    ],
)
def test_normalise_code(raw: str | int | None, expected: str | None) -> None:
    assert normalise_code(raw) == expected


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("2", 2.0), ("0.5", 0.5), ("  10 ", 10.0), ("-3", 0.0), ("", None), (None, None), ("soon", None), ("nan", None)],
)
def test_parse_retry_after_seconds(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header) == seconds


def test_parse_retry_after_http_date() -> None:
    from datetime import UTC, datetime

    now = datetime(2024, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Mon, 01 Jan 2024 12:00:30 GMT", now=now) == 30.0
