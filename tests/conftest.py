"""Shared fixtures. Integration tests talk to real things: the simulator over HTTPS, PostgreSQL, Redis."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.simulator import SimulatorHandle, start_simulator


@pytest.fixture(scope="session")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorHandle]:
    """One simulator for the session, seeded with reference data only. Tests that change its faults,
    limits or clock must reset them (``simulator.admin("POST", "reset")``) or use ``fresh_simulator``."""
    handle = start_simulator(tmp_path_factory.mktemp("dqt-sim"))
    yield handle
    handle.stop()


@pytest.fixture
def fresh_simulator(tmp_path: Path) -> Iterator[Callable[..., SimulatorHandle]]:
    """A factory for a private simulator (own data, options, faults), stopped after the test."""
    started: list[SimulatorHandle] = []

    def factory(*extra_args: str, data_dir: Path | None = None) -> SimulatorHandle:
        handle = start_simulator(tmp_path / f"sim{len(started)}", data_dir=data_dir, extra_args=extra_args)
        started.append(handle)
        return handle

    yield factory
    for handle in started:
        handle.stop()


@pytest.fixture(autouse=True)
def _reset_shared_simulator(request: pytest.FixtureRequest) -> Iterator[None]:
    """Keep the session simulator's faults, limits and clock from leaking between tests."""
    yield
    if "simulator" in request.fixturenames:
        handle: SimulatorHandle = request.getfixturevalue("simulator")
        if handle.process.poll() is None:
            handle.admin("POST", "reset")
