"""Fixtures for the simulator's own integration tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sim_helpers import Api, contact, write_jsonl

from tests.support.simulator import SimulatorHandle, start_simulator


@pytest.fixture
def api(simulator: SimulatorHandle) -> Api:
    return Api(simulator)


@pytest.fixture(scope="module")
def people_sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorHandle]:
    """A simulator with 6,001 contacts (read-only tests: paging, queries, $count cap)."""
    root = tmp_path_factory.mktemp("people-sim")
    write_jsonl(root / "data", "contacts", [contact(i) for i in range(6001)])
    handle = start_simulator(root / "sim", data_dir=root / "data")
    yield handle
    handle.stop()


@pytest.fixture
def people(people_sim: SimulatorHandle) -> Iterator[Api]:
    yield Api(people_sim)
    people_sim.admin("POST", "reset")


@pytest.fixture
def fresh_api(fresh_simulator: Callable[..., SimulatorHandle]) -> Callable[..., Api]:
    def factory(*args: str, data_dir: Path | None = None) -> Api:
        return Api(fresh_simulator(*args, data_dir=data_dir))

    return factory
