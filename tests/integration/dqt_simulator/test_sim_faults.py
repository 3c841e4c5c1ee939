"""Service protection, fault injection, admin endpoints and server robustness."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
import requests
from sim_helpers import Api

from tests.support.simulator import SimulatorHandle

pytestmark = pytest.mark.integration


def test_requests_per_window_limit(simulator: SimulatorHandle, api: Api) -> None:
    simulator.admin("POST", "limits", {"requests_per_window": 3, "window_seconds": 60})
    ok = [api.get("WhoAmI") for _ in range(3)]
    assert [r.status_code for r in ok] == [200, 200, 200]
    assert [int(r.headers["x-ms-ratelimit-burst-remaining-xrm-requests"]) for r in ok] == [2, 1, 0]
    throttled = api.get("WhoAmI")
    assert throttled.status_code == 429
    assert throttled.json()["error"] == {
        "code": "0x80072322",
        "message": "Number of requests exceeded the limit of 3 over time window of 60 seconds.",
    }
    retry_after = int(throttled.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    simulator.admin("POST", "clock", {"advance_seconds": retry_after})
    assert api.get("WhoAmI").status_code == 200
    log = simulator.admin("GET", "requests")
    assert [e["retry_after"] for e in log if e["status"] == 429] == [retry_after]
    assert all(e["client_id"] == simulator.client_id for e in log if e["path"].startswith("/api/"))


def test_concurrency_limit(simulator: SimulatorHandle, api: Api) -> None:
    simulator.admin("POST", "limits", {"concurrent": 1})
    simulator.admin("POST", "faults", {"latency_ms": 400})  # added latency holds the request's slot
    results: list[requests.Response] = []
    threads = [threading.Thread(target=lambda: results.append(api.get("WhoAmI"))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(r.status_code for r in results)
    assert 200 in statuses
    assert 429 in statuses, statuses
    throttled = next(r for r in results if r.status_code == 429)
    assert throttled.json()["error"] == {
        "code": "0x80072326",
        "message": "Number of concurrent requests exceeded the limit of 1.",
    }
    assert int(throttled.headers["Retry-After"]) >= 1


def test_injected_429_and_503(fresh_simulator: Callable[..., SimulatorHandle]) -> None:
    handle = fresh_simulator("--fault-429", "1.0", "--retry-after", "3", "--seed", "7")
    api = Api(handle)
    response = api.get("WhoAmI")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"
    assert response.json()["error"]["code"] == "0x80072322"
    handle.admin("POST", "faults", {"rate_429": 0.0, "rate_503": 1.0})
    unavailable = api.get("WhoAmI")
    assert unavailable.status_code == 503
    handle.admin("POST", "reset")
    assert handle.admin("GET", "faults")["rate_429"] == 1.0, "reset returns to the start-up configuration"
    handle.admin("POST", "faults", {"rate_429": 0.0})
    assert api.get("WhoAmI").status_code == 200
    assert [e["status"] for e in handle.admin("GET", "requests")] == [200]


def test_fault_sequence_is_reproducible(fresh_simulator: Callable[..., SimulatorHandle]) -> None:
    sequences = []
    for _ in range(2):
        handle = fresh_simulator("--fault-429", "0.5", "--seed", "42")
        api = Api(handle)
        sequences.append([api.get("WhoAmI").status_code for _ in range(20)])
    assert sequences[0] == sequences[1]
    assert set(sequences[0]) == {200, 429}


def test_dropped_connection_then_recovery(simulator: SimulatorHandle, api: Api) -> None:
    simulator.admin("POST", "faults", {"drop_rate": 1.0})
    with pytest.raises(requests.ConnectionError):
        api.get("WhoAmI")
    simulator.admin("POST", "faults", {"drop_rate": 0.0})
    assert api.get("WhoAmI").status_code == 200
    log = simulator.admin("GET", "requests")
    assert any(e["dropped"] for e in log)


def test_503_with_retry_after(simulator: SimulatorHandle, api: Api) -> None:
    simulator.admin("POST", "faults", {"rate_503_retry_after": 1.0, "retry_after": 4})
    unavailable = api.get("WhoAmI")
    assert unavailable.status_code == 503
    assert unavailable.headers["Retry-After"] == "4"
    assert unavailable.json()["error"]["code"] == "0x80040216"
    simulator.admin("POST", "faults", {"rate_503_retry_after": 0.0, "rate_503": 1.0})
    assert "Retry-After" not in api.get("WhoAmI").headers
    web_api = [e for e in simulator.admin("GET", "requests") if e["path"].startswith("/api/")]
    assert [(e["status"], e["retry_after"]) for e in web_api] == [(503, 4), (503, None)]


def test_reset_connection_is_an_rst_and_nothing_is_carried_out(simulator: SimulatorHandle, api: Api) -> None:
    simulator.admin("POST", "faults", {"reset_rate": 1.0})
    with pytest.raises(requests.ConnectionError) as info:
        api.post("contacts", json={"lastname": "NeverWritten"})
    assert "reset" in str(info.value).lower() or "aborted" in str(info.value).lower(), info.value
    simulator.admin("POST", "faults", {"reset_rate": 0.0})
    (entry,) = [e for e in simulator.admin("GET", "requests") if e["path"].endswith("/contacts")]
    assert (entry["status"], entry["dropped"], entry["reset"], entry["lost_status"]) == (None, True, True, None)
    assert not [
        a
        for a in simulator.admin("GET", "audit?entity_set=contacts")
        if a["changes"].get("lastname") and a["changes"]["lastname"]["new"] == "NeverWritten"
    ]


def test_a_lost_response_means_the_write_was_carried_out(simulator: SimulatorHandle, api: Api) -> None:
    record_id = str(uuid.uuid4())
    simulator.admin("POST", "faults", {"drop_after_rate": 1.0})
    with pytest.raises(requests.ConnectionError):
        api.post("contacts", json={"contactid": record_id, "lastname": "Written"})
    simulator.admin("POST", "faults", {"drop_after_rate": 0.0})
    (entry,) = [e for e in simulator.admin("GET", "requests") if e["path"].endswith("/contacts")]
    assert (entry["status"], entry["dropped"], entry["reset"], entry["lost_status"]) == (None, True, False, 204)
    assert [a["operation"] for a in simulator.admin("GET", f"audit?entity_set=contacts&id={record_id}")] == ["Create"]


def test_latency_injection(simulator: SimulatorHandle, api: Api) -> None:
    simulator.admin("POST", "faults", {"latency_ms": 300})
    started = time.monotonic()
    assert api.get("WhoAmI").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_a_silent_client_does_not_wedge_the_server(simulator: SimulatorHandle, api: Api) -> None:
    split = urlsplit(simulator.base_url)
    idle = [socket.create_connection((split.hostname, split.port)) for _ in range(5)]  # no TLS handshake
    try:
        started = time.monotonic()
        assert api.get("WhoAmI").status_code == 200
        assert time.monotonic() - started < 5
    finally:
        for sock in idle:
            sock.close()


def test_admin_endpoints(simulator: SimulatorHandle, api: Api) -> None:
    assert simulator.admin("GET", "limits") == {"requests_per_window": 6000, "window_seconds": 300, "concurrent": 52}
    faults = simulator.admin("GET", "faults")
    assert faults == {
        "rate_429": 0.0,
        "retry_after": 1,
        "rate_503": 0.0,
        "rate_503_retry_after": 0.0,
        "latency_ms": 0,
        "drop_rate": 0.0,
        "reset_rate": 0.0,
        "drop_after_rate": 0.0,
        "token_lifetime": 3599,
    }
    clock = simulator.admin("POST", "clock", {"advance_seconds": 10})
    assert clock["offset_seconds"] == 10
    api.get("WhoAmI")
    assert simulator.admin("GET", "requests")
    assert simulator.admin("DELETE", "requests")["cleared"] >= 1
    assert simulator.admin("GET", "requests") == []
    simulator.admin("POST", "reset")
    assert simulator.admin("GET", "clock")["offset_seconds"] == 0
    bad = requests.post(f"{simulator.admin_url}/faults", json={"nope": 1}, verify=simulator.ca_bundle, timeout=30)
    assert bad.status_code == 400
