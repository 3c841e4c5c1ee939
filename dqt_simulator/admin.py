"""Admin endpoints under ``/_sim/`` (no auth, JSON) for tests and benchmarks to steer the simulator.

``POST reset`` · ``GET/POST faults`` · ``GET/POST limits`` · ``GET/DELETE requests`` · ``GET/POST clock``
· ``POST expire-tokens`` · ``GET audit?entity_set=&id=`` · ``GET stats``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import orjson

from dqt_simulator.config import update_dataclass
from dqt_simulator.httpmsg import Request, Response

if TYPE_CHECKING:
    from dqt_simulator.app import Simulator


def _json(status: int, payload: Any) -> Response:
    return Response(status, orjson.dumps(payload), "application/json")


def _error(status: int, message: str) -> Response:
    return _json(status, {"error": message})


def _body(req: Request) -> dict[str, Any]:
    if not req.body.strip():
        return {}
    data = orjson.loads(req.body)
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


def handle(sim: Simulator, req: Request) -> Response:
    name = req.path.removeprefix("/_sim").strip("/")
    handler = _ROUTES.get((name, req.method))
    if handler is None:
        if any(route == name for route, _ in _ROUTES):
            return _error(405, f"method {req.method} not allowed on /_sim/{name}")
        return _error(404, f"no admin endpoint {req.method} /_sim/{name}")
    try:
        return handler(sim, req)
    except (ValueError, orjson.JSONDecodeError) as exc:
        return _error(400, str(exc))


def _reset(sim: Simulator, req: Request) -> Response:
    sim.reset()
    return _json(200, {"faults": sim.faults.faults.to_dict(), "limits": sim.throttle.limits.to_dict()})


def _get_faults(sim: Simulator, req: Request) -> Response:
    return _json(200, sim.faults.faults.to_dict())


def _set_faults(sim: Simulator, req: Request) -> Response:
    return _json(200, sim.faults.update(_body(req)).to_dict())


def _get_limits(sim: Simulator, req: Request) -> Response:
    return _json(200, sim.throttle.limits.to_dict())


def _set_limits(sim: Simulator, req: Request) -> Response:
    limits = replace(sim.throttle.limits)
    update_dataclass(limits, _body(req))
    sim.throttle.limits = limits
    return _json(200, limits.to_dict())


def _get_requests(sim: Simulator, req: Request) -> Response:
    return _json(200, sim.requests.entries())


def _clear_requests(sim: Simulator, req: Request) -> Response:
    return _json(200, {"cleared": sim.requests.clear()})


def _get_clock(sim: Simulator, req: Request) -> Response:
    return _json(200, {"now": sim.clock.iso_now(), "offset_seconds": sim.clock.offset})


def _advance_clock(sim: Simulator, req: Request) -> Response:
    seconds = _body(req).get("advance_seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise ValueError("advance_seconds must be a number")
    sim.clock.advance(float(seconds))
    return _get_clock(sim, req)


def _expire_tokens(sim: Simulator, req: Request) -> Response:
    return _json(200, {"expired": sim.authority.expire_all()})


def _audit(sim: Simulator, req: Request) -> Response:
    params = {k: v[-1] for k, v in parse_qs(req.query).items()}
    entity_set, record_id = params.get("entity_set"), params.get("id")
    with sim.store.lock:
        rows = [
            a
            for a in sim.store.audit
            if (not entity_set or a["entity_set"] == entity_set) and (not record_id or a["id"] == record_id.lower())
        ]
    return _json(200, rows)


def _stats(sim: Simulator, req: Request) -> Response:
    return _json(200, sim.store.stats())


_ROUTES: dict[tuple[str, str], Callable[[Simulator, Request], Response]] = {
    ("reset", "POST"): _reset,
    ("faults", "GET"): _get_faults,
    ("faults", "POST"): _set_faults,
    ("limits", "GET"): _get_limits,
    ("limits", "POST"): _set_limits,
    ("requests", "GET"): _get_requests,
    ("requests", "DELETE"): _clear_requests,
    ("clock", "GET"): _get_clock,
    ("clock", "POST"): _advance_clock,
    ("expire-tokens", "POST"): _expire_tokens,
    ("audit", "GET"): _audit,
    ("stats", "GET"): _stats,
}
