"""Transport-neutral request and response objects.

The TLS server and the ``$batch`` executor both build a :class:`Request` and get a :class:`Response`
back from the router, so a request inside a batch is handled by exactly the same code as a top-level one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

JSON = "application/json; odata.metadata=minimal"


class Headers:
    """Case-insensitive, multi-valued header list (order kept)."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items: list[tuple[str, str]] = list(items)

    def get(self, name: str, default: str | None = None) -> str | None:
        lowered = name.lower()
        for key, value in self._items:
            if key.lower() == lowered:
                return value
        return default

    def get_all(self, name: str) -> list[str]:
        lowered = name.lower()
        return [value for key, value in self._items if key.lower() == lowered]

    def add(self, name: str, value: str) -> None:
        self._items.append((name, value))

    def items(self) -> list[tuple[str, str]]:
        return list(self._items)


@dataclass(slots=True)
class Request:
    method: str
    path: str  # raw (still percent-encoded) path
    query: str  # raw query string, without '?'
    headers: Headers
    body: bytes
    base_url: str  # https://host:port, from the Host header
    client_id: str | None = None  # application user, once authenticated
    caller_id: str | None = None  # systemuser GUID recorded as modifiedby
    in_batch: bool = False
    content_ids: dict[str, str] | None = None  # $batch: Content-ID -> entity URL


@dataclass(slots=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    drop: bool = False  # close the connection without answering (fault injection)
    reset: bool = False  # with ``drop``: abort the connection with a TCP RST rather than close it
    #: With ``drop``: the request was carried out (its response is what got lost), so ``status`` is meaningful.
    carried_out: bool = False
    retry_after: int | None = None

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None


def json_response(
    status: int, payload: Any, headers: list[tuple[str, str]] | None = None, content_type: str = JSON
) -> Response:
    return Response(status, orjson.dumps(payload), content_type, headers or [])


def raw_json_response(status: int, body: bytes, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, body, JSON, headers or [])


REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    304: "Not Modified",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    412: "Precondition Failed",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
}
