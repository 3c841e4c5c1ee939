"""Fixtures for the parity report's tests: the sync tests' real TRS stores (PostgreSQL and SQLite, a fresh migrated
database per test) and generated DQT data (``tests/integration/bridge/conftest.py``), as ``bridge_ops`` reuses
them, plus a private simulator loaded with that data and synced into the store, for tests that change either
side."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from dataverse_client import DataverseClient
from tests.integration.bridge.conftest import *  # noqa: F403 - pytest finds fixtures by name
from tests.integration.bridge.conftest import Store
from tests.integration.bridge.helpers import sync
from tests.support.simulator import SimulatorHandle

__all__ = ["Store", "Synced"]


@dataclass(frozen=True)
class Synced:
    """A store holding one complete sync of a private DQT (the generated data), and a client of that DQT."""

    store: Store
    dqt: SimulatorHandle
    client: DataverseClient


@pytest.fixture
def synced(
    store: Store,
    dqt_data: Path,
    fresh_simulator: Callable[..., SimulatorHandle],
    client_for: Callable[[SimulatorHandle], DataverseClient],
) -> Synced:
    """The generated data in a private simulator (the test may write to it), synced once into ``store``."""
    handle = fresh_simulator(data_dir=dqt_data)
    client = client_for(handle)
    sync(store.engine, client)
    return Synced(store, handle, client)
