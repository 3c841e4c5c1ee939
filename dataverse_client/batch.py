"""``$batch``: serialise operations and change sets to ``multipart/mixed``, and read the reply back.

A change set is Dataverse's only multi-request transaction: its operations commit together or not at
all. This module builds the request body (CRLF line endings, ``Content-Type: application/http``,
``Content-Transfer-Encoding: binary``, a ``Content-ID`` per change-set operation, absolute request
URLs, a nested ``changeset_`` boundary) and parses the response, nested or flat, into one
:class:`BatchPartResult` per operation, each with its typed error if it failed.

Operation paths and headers are validated here because they are written into a raw HTTP request line:
a path with whitespace or a header with a line break could smuggle in a request of its own.

Pure: no I/O.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import orjson
from requests.structures import CaseInsensitiveDict

from . import odata
from .errors import DataverseError
from .transport import error_from_response

__all__ = [
    "BatchOperation",
    "BatchPartResult",
    "BatchResult",
    "ChangeSet",
    "build_batch",
    "parse_batch_response",
]

#: Dataverse refuses batches with more operations than this.
MAX_BATCH_OPERATIONS: Final = 1000

_CRLF: Final = "\r\n"
_METHODS: Final = frozenset({"GET", "POST", "PATCH", "PUT", "DELETE"})
_PATH: Final = re.compile(r"[^\s\x00-\x1f\x7f]+")
_ETAG: Final = re.compile(r'\*|W/"[^"\r\n]*"|"[^"\r\n]*"')


def check_etag(value: str) -> str:
    """Return ``value`` if it is ``*`` or an ETag (``W/"123"``), else raise ``ValueError``."""
    if not _ETAG.fullmatch(value):
        raise ValueError(f"not an ETag: {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class BatchOperation:
    """One request inside a batch. ``path`` is relative to the Web API root (``contacts``,
    ``contacts(<id>)``) or a ``$<content-id>`` reference to an earlier change-set operation.

    ``idempotent`` says whether repeating the operation is harmless (see :mod:`.retry`); it defaults
    to true for GET/PATCH/PUT/DELETE. Build operations with the class methods where you can.
    """

    method: str
    path: str
    body: Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    content_id: str | None = None
    idempotent: bool | None = None

    def __post_init__(self) -> None:
        if self.method not in _METHODS:
            raise ValueError(f"unsupported batch method: {self.method!r}")
        if not _PATH.fullmatch(self.path) or self.path.startswith("/"):
            raise ValueError(f"batch path must be relative with no whitespace: {self.path!r}")
        for name, value in self.headers.items():
            if not re.fullmatch(r"[A-Za-z0-9-]+", name) or re.search(r"[\r\n]", value):
                raise ValueError(f"invalid batch header {name!r}")
        if self.content_id is not None and not re.fullmatch(r"[A-Za-z0-9_.-]+", self.content_id):
            raise ValueError(f"invalid Content-ID {self.content_id!r}")
        if self.idempotent is None:
            object.__setattr__(self, "idempotent", self.method != "POST")

    @classmethod
    def get(cls, entity_set: str, key: str | uuid.UUID | Mapping[str, object] | None = None) -> BatchOperation:
        path = odata.name(entity_set) + (odata.key(key) if key is not None else "")
        return cls("GET", path)

    @classmethod
    def create(
        cls,
        entity_set: str,
        body: Mapping[str, Any],
        *,
        content_id: str | None = None,
        has_client_id: bool = False,
    ) -> BatchOperation:
        """A create. Set ``has_client_id`` when ``body`` carries the primary key, which makes the
        operation safe to repeat."""
        return cls("POST", odata.name(entity_set), body, content_id=content_id, idempotent=has_client_id)

    @classmethod
    def update(
        cls,
        entity_set: str,
        key: str | uuid.UUID | Mapping[str, object],
        body: Mapping[str, Any],
        *,
        if_match: str = "*",
        content_id: str | None = None,
    ) -> BatchOperation:
        headers = {"If-Match": check_etag(if_match)}
        return cls("PATCH", odata.name(entity_set) + odata.key(key), body, headers, content_id)

    @classmethod
    def upsert(
        cls,
        entity_set: str,
        key: str | uuid.UUID | Mapping[str, object],
        body: Mapping[str, Any],
        *,
        content_id: str | None = None,
    ) -> BatchOperation:
        return cls("PATCH", odata.name(entity_set) + odata.key(key), body, content_id=content_id)

    @classmethod
    def delete(
        cls,
        entity_set: str,
        key: str | uuid.UUID | Mapping[str, object],
        *,
        if_match: str = "*",
        content_id: str | None = None,
    ) -> BatchOperation:
        headers = {"If-Match": check_etag(if_match)}
        return cls("DELETE", odata.name(entity_set) + odata.key(key), None, headers, content_id)


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """Operations that commit together or not at all (no GETs allowed)."""

    operations: Sequence[BatchOperation]

    def __post_init__(self) -> None:
        if not self.operations:
            raise ValueError("a change set needs at least one operation")
        if any(op.method == "GET" for op in self.operations):
            raise ValueError("a change set cannot contain GET operations")


BatchItem = BatchOperation | ChangeSet


def operations_of(items: Iterable[BatchItem]) -> list[BatchOperation]:
    """Every operation in ``items``, change sets flattened, in order."""
    flat: list[BatchOperation] = []
    for item in items:
        flat.extend(item.operations if isinstance(item, ChangeSet) else [item])
    return flat


def build_batch(
    items: Sequence[BatchItem],
    *,
    api_url: str,
    part_headers: Mapping[str, str] | None = None,
    boundary: str | None = None,
) -> tuple[str, bytes]:
    """Serialise ``items``; returns ``(content_type, body)`` for ``POST $batch``.

    ``part_headers`` are added to every write operation (used for ``CallerObjectId``). Change-set
    operations without a ``Content-ID`` get one, unique in the batch.
    """
    operations = operations_of(items)
    if not operations:
        raise ValueError("a batch needs at least one operation")
    if len(operations) > MAX_BATCH_OPERATIONS:
        raise ValueError(f"a batch holds at most {MAX_BATCH_OPERATIONS} operations, got {len(operations)}")
    batch_boundary = boundary or f"batch_{uuid.uuid4()}"
    used_ids = {op.content_id for op in operations if op.content_id is not None}
    next_id = iter(str(n) for n in range(1, 10 * MAX_BATCH_OPERATIONS) if str(n) not in used_ids)
    lines: list[str] = []
    for item in items:
        lines.append(f"--{batch_boundary}")
        if isinstance(item, ChangeSet):
            changeset_boundary = f"changeset_{uuid.uuid4()}"
            lines += [f"Content-Type: multipart/mixed; boundary={changeset_boundary}", ""]
            for op in item.operations:
                lines.append(f"--{changeset_boundary}")
                lines += _operation_lines(op, op.content_id or next(next_id), api_url, part_headers)
            lines.append(f"--{changeset_boundary}--")
        else:
            lines += _operation_lines(item, item.content_id, api_url, part_headers)
    lines += [f"--{batch_boundary}--", ""]
    return f"multipart/mixed; boundary={batch_boundary}", _CRLF.join(lines).encode("utf-8")


def _operation_lines(
    op: BatchOperation, content_id: str | None, api_url: str, part_headers: Mapping[str, str] | None
) -> list[str]:
    lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"]
    if content_id is not None:
        lines.append(f"Content-ID: {content_id}")
    url = op.path if op.path.startswith("$") else api_url + op.path
    lines += ["", f"{op.method} {url} HTTP/1.1"]
    headers = dict(op.headers)
    if op.method != "GET":
        headers = {**(part_headers or {}), **headers}
    if op.body is not None:
        headers.setdefault("Content-Type", "application/json; type=entry")
    else:
        headers.setdefault("Accept", "application/json")
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append("")
    lines.append(orjson.dumps(op.body).decode("utf-8") if op.body is not None else "")
    return lines


@dataclass(frozen=True, slots=True)
class BatchPartResult:
    """The response to one batch operation."""

    status: int
    headers: Mapping[str, str]
    body: Any
    content_id: str | None = None
    entity_id: str | None = None
    error: DataverseError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Every part's result, in request order."""

    parts: list[BatchPartResult]

    @property
    def errors(self) -> list[DataverseError]:
        return [p.error for p in self.parts if p.error is not None]

    def raise_for_errors(self) -> None:
        """Raise the first failed part's error, if any part failed."""
        if self.errors:
            raise self.errors[0]


def parse_batch_response(content_type: str, content: bytes) -> list[BatchPartResult]:
    """Parse a ``multipart/mixed`` ``$batch`` response into per-operation results, in order."""
    return _parse_multipart(content_type, content)


def _boundary(content_type: str) -> str:
    match = re.search(r'boundary="?([^";\s]+)"?', content_type, flags=re.IGNORECASE)
    if not match or not content_type.lower().startswith("multipart/"):
        raise DataverseError(f"batch response is not multipart: {content_type[:100]!r}")
    return match.group(1)


def _parse_multipart(content_type: str, content: bytes) -> list[BatchPartResult]:
    results: list[BatchPartResult] = []
    for part in _split(content, _boundary(content_type)):
        headers, body = _split_head(part)
        part_type = headers.get("Content-Type", "")
        if part_type.lower().startswith("multipart/"):
            results += _parse_multipart(part_type, body)
        else:
            results.append(_parse_http_response(body, headers.get("Content-ID")))
    return results


def _split(content: bytes, boundary: str) -> list[bytes]:
    delimiter = re.compile(rb"(?:^|\r?\n)--" + re.escape(boundary.encode()) + rb"(--)?[ \t]*(?:\r?\n|$)")
    parts: list[bytes] = []
    previous_end: int | None = None
    for match in delimiter.finditer(content):
        if previous_end is not None:
            parts.append(content[previous_end : match.start()])
        if match.group(1):  # close delimiter
            return parts
        previous_end = match.end()
    raise DataverseError("batch response ended without its closing boundary")


def _split_head(block: bytes) -> tuple[CaseInsensitiveDict[str], bytes]:
    match = re.search(rb"\r?\n\r?\n", block)
    head, body = (block[: match.start()], block[match.end() :]) if match else (block, b"")
    headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()
    for line in head.decode("utf-8", errors="replace").splitlines():
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip()] = value.strip()
    return headers, body


def _parse_http_response(block: bytes, content_id: str | None) -> BatchPartResult:
    status_line, _, rest = block.lstrip(b"\r\n").partition(b"\n")
    match = re.match(rb"HTTP/\d(?:\.\d)?\s+(\d{3})", status_line.strip())
    if not match:
        raise DataverseError("batch response part has no HTTP status line")
    status = int(match.group(1))
    headers, body_bytes = _split_head(b"\n" + rest if rest.startswith((b"\r\n", b"\n")) else rest)
    body_bytes = body_bytes.strip()
    body: Any = None
    if body_bytes:
        try:
            body = orjson.loads(body_bytes)
        except orjson.JSONDecodeError:
            body = body_bytes.decode("utf-8", errors="replace")
    error = error_from_response(status, headers, body_bytes) if status >= 400 else None
    return BatchPartResult(
        status=status,
        headers=headers,
        body=body,
        content_id=content_id or headers.get("Content-ID"),
        entity_id=odata.entity_id_from_url(headers.get("OData-EntityId")),
        error=error,
    )
