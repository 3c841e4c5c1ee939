"""Fixtures for the client's integration tests: a real client against the real simulator over TLS."""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dataverse_client import DataverseClient, DataverseSettings
from tests.support.simulator import SimulatorHandle


def settings_for(sim: SimulatorHandle, **overrides: Any) -> DataverseSettings:
    return dataclasses.replace(DataverseSettings.from_env(sim.env()), **overrides)


@pytest.fixture
def client(simulator: SimulatorHandle) -> Iterator[DataverseClient]:
    with DataverseClient(settings_for(simulator)) as c:
        yield c


@pytest.fixture
def marker() -> str:
    """A per-test surname: tests share one simulator, so each finds its own rows by this."""
    return f"it{uuid.uuid4().hex[:10]}"


def api_log(sim: SimulatorHandle, since: float) -> list[dict[str, Any]]:
    """Web API requests the simulator answered since ``since`` (epoch seconds), oldest first, each with
    ``arrived``: when the request came in (the log's ``ts`` is taken after the response was written)."""
    entries = [
        {**e, "arrived": e["ts"] - (e.get("duration_ms") or 0) / 1000}
        for e in sim.admin("GET", "requests")
        if e["path"].startswith("/api/data/") and e["ts"] >= since
    ]
    return sorted(entries, key=lambda e: e["arrived"])


def now() -> float:
    return time.time()
