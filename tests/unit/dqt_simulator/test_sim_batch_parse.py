"""Parsing and formatting $batch multipart bodies."""

from __future__ import annotations

import pytest

from dqt_simulator.batch import (
    BatchFormatError,
    ChangeSet,
    HttpPart,
    extract_boundary,
    format_response_part,
    parse_batch,
)
from dqt_simulator.httpmsg import Response

BODY = (
    "--batch_AAA\r\n"
    "Content-Type: application/http\r\n"
    "Content-Transfer-Encoding: binary\r\n"
    "\r\n"
    "GET contacts?$select=fullname&$filter=lastname eq 'Lee' HTTP/1.1\r\n"
    "Accept: application/json\r\n"
    "\r\n"
    "\r\n"
    "--batch_AAA\r\n"
    'Content-Type: multipart/mixed; boundary="changeset_BBB"\r\n'
    "\r\n"
    "--changeset_BBB\r\n"
    "Content-Type: application/http\r\n"
    "Content-Transfer-Encoding: binary\r\n"
    "Content-ID: 1\r\n"
    "\r\n"
    "POST https://127.0.0.1:8443/api/data/v9.2/contacts HTTP/1.1\r\n"
    "Content-Type: application/json; type=entry\r\n"
    "\r\n"
    '{"firstname":"Ann"}\r\n'
    "--changeset_BBB\r\n"
    "Content-Type: application/http\r\n"
    "Content-Transfer-Encoding: binary\r\n"
    "Content-ID: 2\r\n"
    "\r\n"
    "PATCH $1 HTTP/1.1\r\n"
    "Content-Type: application/json\r\n"
    "If-Match: *\r\n"
    "\r\n"
    '{"lastname":"Lee"}\r\n'
    "--changeset_BBB--\r\n"
    "\r\n"
    "--batch_AAA--\r\n"
)


def test_boundary_extraction() -> None:
    assert extract_boundary('multipart/mixed; boundary="batch_1"') == "batch_1"
    assert extract_boundary("multipart/mixed;boundary=batch_2") == "batch_2"
    assert extract_boundary("application/json") is None


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_parse_batch_with_change_set(newline: str) -> None:
    items = parse_batch(BODY.replace("\r\n", newline).encode(), "batch_AAA")
    assert len(items) == 2
    get, change_set = items
    assert isinstance(get, HttpPart)
    assert (get.method, get.url) == ("GET", "contacts?$select=fullname&$filter=lastname eq 'Lee'")
    assert get.body == b""
    assert isinstance(change_set, ChangeSet)
    post, patch = change_set.parts
    assert (post.method, post.url, post.content_id) == ("POST", "https://127.0.0.1:8443/api/data/v9.2/contacts", "1")
    assert post.body == b'{"firstname":"Ann"}'
    assert (patch.method, patch.url, patch.content_id, patch.headers.get("if-match")) == ("PATCH", "$1", "2", "*")


@pytest.mark.parametrize(
    "body", [b"", b"no delimiters at all", b"--batch_AAA\r\nContent-Type: application/http\r\n\r\n"]
)
def test_malformed(body: bytes) -> None:
    with pytest.raises(BatchFormatError):
        parse_batch(body, "batch_AAA")


def test_format_response_part() -> None:
    text = format_response_part(Response(204, b"", None, [("OData-EntityId", "https://h/contacts(1)")]), "1")
    assert text.startswith(
        "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
        "Content-ID: 1\r\n\r\n"
        "HTTP/1.1 204 No Content\r\n"
    )
    assert "OData-EntityId: https://h/contacts(1)\r\n" in text
    error = format_response_part(Response(400, b'{"error":{}}', "application/json"), None)
    assert "HTTP/1.1 400 Bad Request\r\n" in error
    assert error.endswith('{"error":{}}\r\n')
