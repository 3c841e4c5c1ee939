"""Routing only: which handler answers a request, and the Web API pipeline around it
(authentication -> fault injection -> service protection -> handler -> common headers).

The TLS transport (``httpd``) and ``$batch`` both call in here with a :class:`Request`.
"""

from __future__ import annotations

import re
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import unquote

from dqt_simulator import admin, batch, metadata, reads, writes
from dqt_simulator.config import API_PREFIX
from dqt_simulator.errors import ApiError, bad_query, method_not_allowed, resource_not_found
from dqt_simulator.httpmsg import Request, Response
from dqt_simulator.store import Table

if TYPE_CHECKING:
    from dqt_simulator.app import Simulator

_RESOURCE_RE = re.compile(r"^(?P<set>[A-Za-z_][A-Za-z0-9_]*)(?:\((?P<key>[^)]*)\))?(?:/(?P<rest>.*))?$")
_GUID_KEY_RE = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
_AUTHORITY_RE = re.compile(
    r"^/(?P<tenant>[^/]+)/(?:(?P<oidc>v2\.0/\.well-known/openid-configuration|\.well-known/openid-configuration)"
    r"|(?P<token>oauth2/v2\.0/token|oauth2/token)|(?P<keys>discovery/v2\.0/keys|discovery/keys))$"
)
_ACTIONS = ("CreateMultiple", "UpdateMultiple", "UpsertMultiple")


def error_response(error: ApiError) -> Response:
    response = Response(
        error.status, error.body(), "application/json; odata.metadata=minimal", list(error.headers.items())
    )
    retry = error.headers.get("Retry-After")
    response.retry_after = int(retry) if retry and retry.isdigit() else None
    return response


def handle(sim: Simulator, req: Request) -> Response:
    path = req.path
    try:
        if path == "/_sim" or path.startswith("/_sim/"):
            return admin.handle(sim, req)
        if path == API_PREFIX or path.startswith(f"{API_PREFIX}/"):
            return _web_api(sim, req)
        return _authority(sim, req)
    except ApiError as error:
        return error_response(error)
    except Exception as exc:  # a simulator bug must still produce an answer, not a dead connection
        traceback.print_exc(file=sys.stderr)
        return error_response(ApiError(500, "0x8006088a", f"A failure occurred in Web Api in Dynamics 365: {exc}"))


def _authority(sim: Simulator, req: Request) -> Response:
    path = unquote(req.path)
    if path == "/common/discovery/instance" and req.method == "GET":
        return sim.authority.instance_discovery(req)
    match = _AUTHORITY_RE.match(path)
    if match is None:
        return Response(404, b'{"error":"not_found"}', "application/json")
    tenant = match.group("tenant")
    if match.group("oidc") and req.method == "GET":
        return sim.authority.openid_configuration(req, tenant)
    if match.group("token") and req.method == "POST":
        return sim.authority.token(req, tenant, sim.faults.faults.token_lifetime)
    if match.group("keys") and req.method == "GET":
        return sim.authority.keys()
    return Response(405, b'{"error":"method_not_allowed"}', "application/json")


def _caller(req: Request) -> str | None:
    for header in ("CallerObjectId", "MSCRMCallerID"):
        value = req.headers.get(header)
        if value:
            match = _GUID_KEY_RE.match(value.strip())
            if match is None:
                raise ApiError(400, "0x80040203", f"The {header} header value '{value}' is not a valid GUID.")
            return match.group(1).lower()
    return None


def _web_api(sim: Simulator, req: Request) -> Response:
    req.client_id = sim.authority.authenticate(req)
    req.caller_id = _caller(req)
    decision = sim.faults.draw()
    if decision.drop:
        return Response(0, drop=True, reset=decision.reset)
    if decision.error is not None:
        if decision.latency_ms:
            time.sleep(decision.latency_ms / 1000)
        raise decision.error
    remaining = sim.throttle.acquire(req.client_id)
    try:
        if decision.latency_ms:  # added latency is service time: it holds a concurrency slot
            time.sleep(decision.latency_ms / 1000)
        response = dispatch_api(sim, req)
    finally:
        sim.throttle.release(req.client_id)
    if decision.drop_after:  # done, writes included; the client never hears about it
        response.drop = response.carried_out = True
        return response
    request_id = str(uuid.uuid4())
    response.headers += [
        ("OData-Version", "4.0"),
        ("REQ_ID", request_id),
        ("x-ms-service-request-id", request_id),
        ("x-ms-ratelimit-burst-remaining-xrm-requests", str(remaining)),
        ("x-ms-ratelimit-time-remaining-xrm-requests", "1,200,000.00"),
    ]
    return response


def dispatch_api(sim: Simulator, req: Request) -> Response:
    """Route one Web API request (no auth or throttling: the caller did that); never raises."""
    try:
        return _dispatch(sim, req)
    except ApiError as error:
        return error_response(error)
    except Exception as exc:  # a bug in the simulator: answer like Dataverse's generic failure
        traceback.print_exc(file=sys.stderr)
        return error_response(ApiError(500, "0x8006088a", f"A failure occurred in Web Api in Dynamics 365: {exc}"))


def _batch(sim: Simulator, req: Request) -> Response:
    if req.in_batch:
        raise bad_query("A $batch request cannot be nested in another $batch request.")
    return batch.execute_batch(req, sim.store, lambda sub: dispatch_api(sim, sub))


Handler = Callable[["Simulator", Request], Response]

#: Fixed Web API resources: relative path -> (allowed method, handler)
_FIXED: dict[str, tuple[str, Handler]] = {
    "": ("GET", metadata.service_document),
    "$metadata": ("GET", lambda sim, req: metadata.csdl(sim)),
    "$batch": ("POST", _batch),
    "WhoAmI": ("GET", metadata.who_am_i),
    "WhoAmI()": ("GET", metadata.who_am_i),
}


def _dispatch(sim: Simulator, req: Request) -> Response:
    rel = unquote(req.path[len(API_PREFIX) :]).lstrip("/")
    fixed = _FIXED.get(rel)
    if fixed is not None:
        _require(req, fixed[0])
        return fixed[1](sim, req)
    if rel.startswith("EntityDefinitions"):
        _require(req, "GET")
        return metadata.handle_entity_definitions(sim, req, rel, reads.parse_options(req))
    match = _RESOURCE_RE.match(rel)
    if match is None:
        raise resource_not_found(rel)
    table = sim.store.tables.get(match.group("set"))
    if table is None:
        raise resource_not_found(match.group("set"))
    key, rest = match.group("key"), match.group("rest")
    if key is None:
        return _collection(sim, req, table, rest)
    return _record(sim, req, table, writes.parse_record_key(table, key), rest)


def _collection(sim: Simulator, req: Request, table: Table, rest: str | None) -> Response:
    if rest is None:
        if req.method == "GET":
            return reads.get_collection(sim, req, table)
        _require(req, "POST")
        return writes.post_create(sim, req, table)
    if rest == "$count":
        _require(req, "GET")
        return reads.get_count(sim, req, table)
    action = rest.removeprefix("Microsoft.Dynamics.CRM.")
    if action in _ACTIONS:
        _require(req, "POST")
        return writes.post_multiple(sim, req, table, action)
    raise resource_not_found(rest)


def _record(sim: Simulator, req: Request, table: Table, record_id: str, rest: str | None) -> Response:
    if rest:
        _require(req, "GET")
        return reads.get_single(sim, req, table, record_id, rest)
    if req.method == "GET":
        return reads.get_single(sim, req, table, record_id, None)
    if req.method == "PATCH":
        return writes.patch_record(sim, req, table, record_id)
    _require(req, "DELETE")
    return writes.delete_record(sim, req, table, record_id)


def _require(req: Request, method: str) -> None:
    if req.method != method:
        raise method_not_allowed(req.method, req.path)
