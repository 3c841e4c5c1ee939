"""``trs-bridge api``: a small JSON HTTP API for the TRS console to make write-back edits (ADR 0075).

Standard library only (``http.server``, threaded). Every request but ``GET /health`` needs
``Authorization: Bearer <TRS_BRIDGE_API_TOKEN>`` (compared in constant time). Bodies are JSON objects of at
most 64 KiB. The editing user is named in the body (``user``, and ``caller_object_id``: their Entra object id,
which DQT writes impersonate). Errors are ``{"error": "...", "field": "..."}`` with 400 (a rule broken,
nothing stored), 401, 404, 405, 409 or 413.

=======  ==================================  ===========================================================
method   path                                what
=======  ==================================  ===========================================================
GET      /health                             liveness (no token)
POST     /v1/persons/{trn}/name              change first/middle/last name → 202 + the edit
POST     /v1/persons/{trn}/mqs               add an MQ (provider, specialism, start_date, status, end_date)
PATCH    /v1/mqs/{qualification_id}          change an MQ (any of the fields above)
DELETE   /v1/mqs/{qualification_id}          delete an MQ
GET      /v1/outbox?status=&limit=           outbox messages, newest first
GET      /v1/outbox/{message_id}             one message
GET      /v1/conflicts?all=1                 open (or all) conflicts
GET      /v1/conflicts/{id}                  one conflict
POST     /v1/conflicts/{id}/resolve          ``{"keep": "trs" | "dqt", "user": ...}``
=======  ==================================  ===========================================================

Edits answer ``202 Accepted``: TRS holds the edit and its outbox message; the relay sends it to DQT.
"""

from __future__ import annotations

import hmac
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

import structlog
from sqlalchemy import Engine

from bridge import conflicts as conflict_service
from bridge.edits import Editor, EditRejected, EditService, parse_day, parse_provider, parse_specialism, parse_status
from bridge.errors import BridgeError
from dataverse_client import DataverseClient, DataverseError
from trs_store import outbox
from trs_store.outbox import OutboxMessage

log = structlog.get_logger("bridge.api")

MAX_BODY: Final = 64 * 1024
_TRN: Final = r"(?P<trn>[0-9]{7})"
_ID: Final = r"(?P<id>[0-9A-Fa-f-]{8,36})"
_MQ_FIELDS: Final = frozenset({"provider", "specialism", "start_date", "status", "end_date"})
_EDITOR_FIELDS: Final = frozenset({"user", "caller_object_id"})


class ApiError(Exception):
    def __init__(self, status: HTTPStatus, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def message_json(message: OutboxMessage) -> dict[str, Any]:
    return {
        "message_id": message.message_id,
        "kind": message.kind,
        "status": message.status,
        "entity_set": message.entity_set,
        "record_id": message.record_id,
        "person_id": message.person_id,
        "origin": message.origin,
        "raised_by": message.raised_by,
        "base_version": message.base_version,
        "dqt_version_after": message.dqt_version_after,
        "attempts": message.attempts,
        "merged": message.merged,
        "created_at": message.created_at.isoformat(),
        "sent_at": message.sent_at.isoformat() if message.sent_at else None,
        "next_attempt_at": message.next_attempt_at.isoformat() if message.next_attempt_at else None,
        "last_error": message.last_error,
        "old": message.old_state,
        "new": message.new_state,
    }


@dataclass
class Api:
    """The routes, independent of the HTTP plumbing (so they are easy to test and to reuse)."""

    engine: Engine
    token: str
    client_factory: Callable[[], DataverseClient] | None = None

    def __post_init__(self) -> None:
        if len(self.token) < 16:
            raise BridgeError("the API token (TRS_BRIDGE_API_TOKEN) must be at least 16 characters")
        self.edits = EditService(self.engine)
        self._client: DataverseClient | None = None
        self._lock = threading.Lock()
        self.routes: list[tuple[str, re.Pattern[str], Callable[..., tuple[HTTPStatus, Any]]]] = [
            ("POST", re.compile(rf"/v1/persons/{_TRN}/name"), self.change_name),
            ("POST", re.compile(rf"/v1/persons/{_TRN}/mqs"), self.create_mq),
            ("PATCH", re.compile(rf"/v1/mqs/{_ID}"), self.update_mq),
            ("DELETE", re.compile(rf"/v1/mqs/{_ID}"), self.delete_mq),
            ("GET", re.compile(r"/v1/outbox"), self.list_outbox),
            ("GET", re.compile(rf"/v1/outbox/{_ID}"), self.get_message),
            ("GET", re.compile(r"/v1/conflicts"), self.list_conflicts),
            ("GET", re.compile(rf"/v1/conflicts/{_ID}"), self.get_conflict),
            ("POST", re.compile(rf"/v1/conflicts/{_ID}/resolve"), self.resolve_conflict),
        ]

    def authorised(self, header: str | None) -> bool:
        scheme, _, presented = (header or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), self.token.encode())

    def dispatch(self, method: str, path: str, query: dict[str, str], body: dict[str, Any]) -> tuple[HTTPStatus, Any]:
        allowed = False
        for route_method, pattern, handler in self.routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            allowed = True
            if route_method == method:
                return handler(query=query, body=body, **match.groupdict())
        if allowed:
            raise ApiError(HTTPStatus.METHOD_NOT_ALLOWED, f"{method} is not allowed on {path}")
        raise ApiError(HTTPStatus.NOT_FOUND, f"no route {path}")

    # -- edits ------------------------------------------------------------------------------------------

    @staticmethod
    def _editor(body: dict[str, Any]) -> Editor:
        user, caller = body.get("user"), body.get("caller_object_id")
        if user is not None and not isinstance(user, str):
            raise ApiError(HTTPStatus.BAD_REQUEST, "user must be a string", "user")
        if caller is not None and not isinstance(caller, str):
            raise ApiError(HTTPStatus.BAD_REQUEST, "caller_object_id must be a string", "caller_object_id")
        return Editor(user=user, caller_object_id=caller, origin="api")

    @staticmethod
    def _only(body: dict[str, Any], allowed: frozenset[str]) -> None:
        unknown = sorted(set(body) - allowed - _EDITOR_FIELDS)
        if unknown:
            raise ApiError(HTTPStatus.BAD_REQUEST, f"unknown field(s): {', '.join(unknown)}", unknown[0])

    @staticmethod
    def _text(body: dict[str, Any], key: str) -> str | None:
        value = body.get(key)
        if value is not None and not isinstance(value, str | int):
            raise ApiError(HTTPStatus.BAD_REQUEST, f"{key} must be a string", key)
        return None if value is None else str(value)

    def _mq_fields(self, body: dict[str, Any]) -> dict[str, Any]:
        self._only(body, _MQ_FIELDS)
        return {
            "provider": parse_provider(self._text(body, "provider")),
            "specialism": parse_specialism(self._text(body, "specialism")),
            "start_date": parse_day(self._text(body, "start_date"), "start_date"),
            "status": parse_status(self._text(body, "status")),
            "end_date": parse_day(self._text(body, "end_date"), "end_date"),
        }

    def change_name(self, *, trn: str, query: dict[str, str], body: dict[str, Any]) -> tuple[HTTPStatus, Any]:
        self._only(body, frozenset({"first", "middle", "last"}))
        names = {k: self._text(body, k) for k in ("first", "middle", "last")}
        result = self.edits.change_name(trn=trn, editor=self._editor(body), **names)
        return HTTPStatus.ACCEPTED, result.as_json()

    def create_mq(self, *, trn: str, query: dict[str, str], body: dict[str, Any]) -> tuple[HTTPStatus, Any]:
        result = self.edits.create_mq(trn=trn, editor=self._editor(body), **self._mq_fields(body))
        return HTTPStatus.ACCEPTED, result.as_json()

    def update_mq(self, *, id: str, query: dict[str, str], body: dict[str, Any]) -> tuple[HTTPStatus, Any]:
        result = self.edits.update_mq(id, editor=self._editor(body), **self._mq_fields(body))
        return HTTPStatus.ACCEPTED, result.as_json()

    def delete_mq(self, *, id: str, query: dict[str, str], body: dict[str, Any]) -> tuple[HTTPStatus, Any]:
        self._only(body, frozenset())
        result = self.edits.delete_mq(id, editor=self._editor(body))
        return HTTPStatus.ACCEPTED, result.as_json()

    # -- reads and conflicts ----------------------------------------------------------------------------

    def list_outbox(self, *, query: dict[str, str], body: dict[str, Any]) -> tuple[HTTPStatus, Any]:
        status = query.get("status")
        try:
            limit = min(1000, max(1, int(query.get("limit", "100"))))
        except ValueError:
            raise ApiError(HTTPStatus.BAD_REQUEST, "limit must be a number", "limit") from None
        with self.engine.connect() as connection:
            found = outbox.list_messages(connection, status=status, limit=limit)
        return HTTPStatus.OK, [message_json(m) for m in found]

    def get_message(self, *, id: str, query: dict[str, str], body: dict[str, Any]) -> tuple[HTTPStatus, Any]:
        with self.engine.connect() as connection:
            found = outbox.find(connection, id)
        if found is None:
            raise ApiError(HTTPStatus.NOT_FOUND, "no such outbox message", "message_id")
        return HTTPStatus.OK, message_json(found)

    def list_conflicts(self, *, query: dict[str, str], body: dict[str, Any]) -> tuple[HTTPStatus, Any]:
        views = conflict_service.list_conflicts(self.engine, include_resolved=query.get("all") in ("1", "true"))
        return HTTPStatus.OK, [v.as_json() for v in views]

    def get_conflict(self, *, id: str, query: dict[str, str], body: dict[str, Any]) -> tuple[HTTPStatus, Any]:
        return HTTPStatus.OK, conflict_service.show(self.engine, id).as_json()

    def resolve_conflict(self, *, id: str, query: dict[str, str], body: dict[str, Any]) -> tuple[HTTPStatus, Any]:
        self._only(body, frozenset({"keep"}))
        keep = self._text(body, "keep")
        client = self._dqt() if keep == "dqt" else None
        view = conflict_service.resolve(self.engine, client, id, keep=keep or "", by=self._editor(body).user)
        return HTTPStatus.OK, view.as_json()

    def _dqt(self) -> DataverseClient:
        with self._lock:
            if self._client is None:
                if self.client_factory is None:
                    raise ApiError(HTTPStatus.CONFLICT, "this API has no DQT connection to read the record with")
                self._client = self.client_factory()
            return self._client


def _handler(api: Api) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "trs-bridge-api/1"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return  # structlog records each request instead (without bodies: they hold names)

        def _send(self, status: HTTPStatus, payload: Any) -> None:
            data = json.dumps(payload, default=str).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def _error(self, error: ApiError) -> None:
            self._send(error.status, {"error": error.message, "field": error.field})

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                raise ApiError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"bodies are at most {MAX_BODY} bytes")
            raw = self.rfile.read(length) if length else b""
            if not raw.strip():
                return {}
            try:
                body = json.loads(raw)
            except ValueError:
                raise ApiError(HTTPStatus.BAD_REQUEST, "the body is not JSON") from None
            if not isinstance(body, dict):
                raise ApiError(HTTPStatus.BAD_REQUEST, "the body must be a JSON object")
            return body

        def _handle(self, method: str) -> None:
            url = urlsplit(self.path)
            path = url.path.rstrip("/") or "/"
            status = HTTPStatus.OK
            try:
                if method == "GET" and path == "/health":
                    self._send(HTTPStatus.OK, {"status": "ok"})
                    return
                if not api.authorised(self.headers.get("Authorization")):
                    raise ApiError(HTTPStatus.UNAUTHORIZED, "a valid bearer token is required")
                body = self._body()
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                status, payload = api.dispatch(method, path, query, body)
                self._send(status, payload)
            except ApiError as error:
                status = error.status
                self._error(error)
            except EditRejected as error:
                status = HTTPStatus.NOT_FOUND if error.not_found else HTTPStatus.BAD_REQUEST
                self._error(ApiError(status, str(error), error.field))
            except (BridgeError, DataverseError) as error:
                status = HTTPStatus.BAD_GATEWAY if isinstance(error, DataverseError) else HTTPStatus.BAD_REQUEST
                self._error(ApiError(status, " ".join(str(error).split())))
            except Exception as error:
                status = HTTPStatus.INTERNAL_SERVER_ERROR
                log.exception("api_error", error_type=type(error).__name__)
                self._error(ApiError(status, "internal error"))
            finally:
                log.info("api_request", method=method, path=path, status=int(status))

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_PATCH(self) -> None:
            self._handle("PATCH")

        def do_DELETE(self) -> None:
            self._handle("DELETE")

    return Handler


def make_server(api: Api, host: str = "127.0.0.1", port: int = 8080) -> ThreadingHTTPServer:
    """A threaded HTTP server for ``api`` (``port=0`` picks a free port: ``server.server_address``)."""
    server = ThreadingHTTPServer((host, port), _handler(api))
    server.daemon_threads = True
    return server
