"""``$batch``: multipart/mixed parsing and formatting, and execution with atomic change sets.

Each part is ``application/http`` holding a raw request (request line with a relative or absolute URL,
headers, blank line, body), or a nested ``multipart/mixed`` change set whose parts carry
``Content-ID``. Requests run in order through the same router as top-level requests (a batch counts
as one request for service protection). A change set runs in one store transaction: the first failing
part rolls every part of it back and the change set answers with that single error. Without
``Prefer: odata.continue-on-error`` processing stops at the first failure and the batch takes that
status; with it, failures are reported inline and processing continues. Later parts may reference
``$<Content-ID>`` in their URL or in ``@odata.bind`` values.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from dqt_simulator.config import API_PREFIX
from dqt_simulator.errors import ApiError
from dqt_simulator.httpmsg import REASONS, Headers, Request, Response
from dqt_simulator.odata.prefer import parse_prefer
from dqt_simulator.store import Store

MAX_OPERATIONS = 1000
_BOUNDARY_RE = re.compile(r'boundary=(?:"([^"]+)"|([^;,\s]+))', re.IGNORECASE)
CRLF = "\r\n"

Dispatch = Callable[[Request], Response]


class BatchFormatError(ValueError):
    """The multipart body cannot be understood."""


@dataclass(slots=True)
class MimePart:
    headers: Headers
    body: bytes


@dataclass(slots=True)
class HttpPart:
    """One request inside a batch."""

    method: str
    url: str
    headers: Headers
    body: bytes
    content_id: str | None = None


@dataclass(slots=True)
class ChangeSet:
    parts: list[HttpPart]


def extract_boundary(content_type: str | None) -> str | None:
    if not content_type or "multipart/mixed" not in content_type.lower():
        return None
    match = _BOUNDARY_RE.search(content_type)
    if match is None:
        return None
    return match.group(1) or match.group(2)


def _split_head(data: bytes) -> tuple[bytes, bytes]:
    for separator in (b"\r\n\r\n", b"\n\n"):
        index = data.find(separator)
        if index >= 0:
            return data[:index], data[index + len(separator) :]
    return data, b""


def _parse_headers(block: bytes) -> Headers:
    headers = Headers()
    for line in block.decode("utf-8", "replace").splitlines():
        if ":" in line:
            name, _, value = line.partition(":")
            headers.add(name.strip(), value.strip())
    return headers


def parse_multipart(body: bytes, boundary: str) -> list[MimePart]:
    delimiter = b"--" + boundary.encode()
    segments = body.split(delimiter)
    if len(segments) < 2:
        raise BatchFormatError(f"The batch body has no part delimited by '--{boundary}'.")
    parts: list[MimePart] = []
    closed = False
    for segment in segments[1:]:
        if segment.startswith(b"--"):
            closed = True
            break
        chunk = segment
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        elif chunk.startswith(b"\n"):
            chunk = chunk[1:]
        if chunk.endswith(b"\r\n"):
            chunk = chunk[:-2]
        elif chunk.endswith(b"\n"):
            chunk = chunk[:-1]
        head, content = _split_head(chunk)
        parts.append(MimePart(_parse_headers(head), content))
    if not closed:
        raise BatchFormatError(f"The batch body is not terminated by '--{boundary}--'.")
    return parts


def parse_http_part(part: MimePart) -> HttpPart:
    head, body = _split_head(part.body)
    lines = head.decode("utf-8", "replace").splitlines()
    if not lines:
        raise BatchFormatError("A batch part has no request line.")
    request_line = lines[0].strip()
    pieces = request_line.split(" ")
    if len(pieces) < 2:
        raise BatchFormatError(f"Malformed request line '{request_line}'.")
    method = pieces[0].upper()
    url = " ".join(pieces[1:-1]) if len(pieces) > 2 and pieces[-1].startswith("HTTP/") else " ".join(pieces[1:])
    headers = _parse_headers("\n".join(lines[1:]).encode())
    if body.endswith(b"\r\n"):
        body = body[:-2]
    return HttpPart(method, url, headers, body.strip(), part.headers.get("Content-ID"))


def parse_batch(body: bytes, boundary: str) -> list[HttpPart | ChangeSet]:
    items: list[HttpPart | ChangeSet] = []
    for part in parse_multipart(body, boundary):
        inner_boundary = extract_boundary(part.headers.get("Content-Type"))
        if inner_boundary:
            items.append(ChangeSet([parse_http_part(p) for p in parse_multipart(part.body, inner_boundary)]))
        else:
            items.append(parse_http_part(part))
    return items


# --- execution -------------------------------------------------------------------------------------------


def _sub_request(outer: Request, part: HttpPart, content_ids: dict[str, str]) -> Request:
    url = part.url
    if url.startswith("$"):
        ref, _, rest = url[1:].partition("/")
        mapped = content_ids.get(ref)
        if mapped is None:
            raise ApiError(400, "0x80060888", f"Content-ID Reference: '${ref}' does not exist in the batch context.")
        url = mapped + (f"/{rest}" if rest else "")
    if "://" in url:
        split = urlsplit(url)
        path, query = split.path, split.query
    else:
        path, _, query = url.partition("?")
        if not path.startswith("/"):
            path = f"{API_PREFIX}/{path}"
    headers = Headers(part.headers.items())
    return Request(
        method=part.method,
        path=path,
        query=query,
        headers=headers,
        body=part.body,
        base_url=outer.base_url,
        client_id=outer.client_id,
        caller_id=outer.caller_id,
        in_batch=True,
        content_ids=content_ids,
    )


def _error_response(error: ApiError) -> Response:
    return Response(error.status, error.body(), "application/json; odata.metadata=minimal")


def _run(dispatch: Dispatch, outer: Request, part: HttpPart, content_ids: dict[str, str]) -> Response:
    try:
        sub = _sub_request(outer, part, content_ids)
    except ApiError as error:
        return _error_response(error)
    response = dispatch(sub)
    if part.content_id is not None and response.status < 400:
        location = response.header("OData-EntityId")
        if location:
            content_ids[part.content_id] = location
    return response


def format_response_part(response: Response, content_id: str | None) -> str:
    lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"]
    if content_id is not None:
        lines.append(f"Content-ID: {content_id}")
    lines += ["", f"HTTP/1.1 {response.status} {REASONS.get(response.status, '')}".rstrip()]
    lines.append("OData-Version: 4.0")
    if response.content_type and response.body:
        lines.append(f"Content-Type: {response.content_type}")
    lines += [f"{name}: {value}" for name, value in response.headers]
    lines.append("")
    text = CRLF.join(lines) + CRLF
    if response.body:
        text += response.body.decode("utf-8") + CRLF
    return text


def execute_batch(req: Request, store: Store, dispatch: Dispatch) -> Response:
    boundary = extract_boundary(req.headers.get("Content-Type"))
    if boundary is None:
        raise ApiError(400, "0x80060888", "The $batch request must have Content-Type multipart/mixed with a boundary.")
    try:
        items = parse_batch(req.body, boundary)
    except BatchFormatError as exc:
        raise ApiError(400, "0x80060888", f"The batch request body is malformed: {exc}") from exc
    operations = sum(len(i.parts) if isinstance(i, ChangeSet) else 1 for i in items)
    if operations > MAX_OPERATIONS:
        raise ApiError(
            400,
            "0x8006088a",
            f"The number of requests in the batch ({operations}) exceeds the limit of {MAX_OPERATIONS}.",
        )
    continue_on_error = parse_prefer(req.headers.get_all("Prefer")).continue_on_error
    content_ids: dict[str, str] = {}
    batch_boundary = f"batchresponse_{uuid.uuid4()}"
    chunks: list[str] = []
    status = 200
    for item in items:
        if isinstance(item, ChangeSet):
            failure, results = _run_change_set(item, req, store, dispatch, content_ids)
            if failure is not None:
                response, content_id = failure
                chunks.append(f"--{batch_boundary}{CRLF}{format_response_part(response, content_id)}")
                if not continue_on_error:
                    status = response.status
                    break
                continue
            cs_boundary = f"changesetresponse_{uuid.uuid4()}"
            inner = "".join(f"--{cs_boundary}{CRLF}{format_response_part(r, cid)}" for r, cid in results)
            chunks.append(
                f"--{batch_boundary}{CRLF}Content-Type: multipart/mixed; boundary={cs_boundary}{CRLF}{CRLF}"
                f"{inner}--{cs_boundary}--{CRLF}"
            )
            continue
        response = _run(dispatch, req, item, content_ids)
        chunks.append(f"--{batch_boundary}{CRLF}{format_response_part(response, item.content_id)}")
        if response.status >= 400 and not continue_on_error:
            status = response.status
            break
    body = "".join(chunks) + f"--{batch_boundary}--{CRLF}"
    headers = [("Preference-Applied", "odata.continue-on-error")] if continue_on_error else []
    return Response(status, body.encode("utf-8"), f"multipart/mixed; boundary={batch_boundary}", headers)


def _run_change_set(
    change_set: ChangeSet, req: Request, store: Store, dispatch: Dispatch, content_ids: dict[str, str]
) -> tuple[tuple[Response, str | None] | None, list[tuple[Response, str | None]]]:
    results: list[tuple[Response, str | None]] = []
    added: list[str] = []
    with store.transaction() as txn:
        for part in change_set.parts:
            if part.method == "GET":
                error = ApiError(400, "0x80060888", "GET requests are not allowed inside a change set.")
                txn.rollback()
                return (_error_response(error), part.content_id), []
            known = set(content_ids)
            response = _run(dispatch, req, part, content_ids)
            added += [cid for cid in content_ids if cid not in known]
            if response.status >= 400:
                txn.rollback()
                for cid in added:
                    content_ids.pop(cid, None)
                return (response, part.content_id), []
            results.append((response, part.content_id))
    return None, results
