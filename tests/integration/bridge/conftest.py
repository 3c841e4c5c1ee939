"""Fixtures for the sync's integration tests: real TRS stores (PostgreSQL and SQLite), the simulator over HTTPS.

``store`` is parametrised over both engines and is a brand-new migrated database per test: a PostgreSQL
database cloned from a migrated template (``CREATE DATABASE ... TEMPLATE``) or a copy of a migrated SQLite
file, so a test can make more of the same kind (``new_store``) and nothing leaks between tests.
PostgreSQL comes from ``$TRS_TEST_PG_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``);
without a reachable server the PostgreSQL cases are skipped locally and fail in CI (``$CI`` set).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from dataverse_client import DataverseClient
from dqt_simulator.generate import generate
from tests.support.postgres import PgServer, reachable_server
from tests.support.simulator import SimulatorHandle, start_simulator
from trs_store import make_engine
from trs_store.migrate import upgrade

DB_PREFIX = "bridge_it_"

#: The generated DQT data most tests read: small enough to sync in about a second, dirty enough to matter.
GENERATED_PERSONS = 300
GENERATED_SEED = 20240611


@dataclass(frozen=True)
class Store:
    """A migrated TRS database under test."""

    kind: str  # "sqlite" | "postgresql"
    url: str
    engine: Engine


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server = reachable_server(DB_PREFIX)
    yield server
    server.close()


@pytest.fixture(scope="session")
def pg_template(pg_server: PgServer) -> str:
    """The name of a migrated PostgreSQL database that per-test databases are cloned from."""
    url = pg_server.create()
    upgrade(url)
    name = make_url(url).database
    assert name is not None
    return name


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("trs-template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], Store]]:
    """A factory: ``new_store("sqlite" | "postgresql")`` gives a new, empty, migrated database."""
    made: list[tuple[Store, Callable[[], None]]] = []

    def factory(kind: str) -> Store:
        if kind == "sqlite":
            template: Path = request.getfixturevalue("sqlite_template")
            path = tmp_path / f"trs{len(made)}.db"
            shutil.copyfile(template, path)
            url = f"sqlite:///{path}"
            cleanup: Callable[[], None] = lambda: None  # noqa: E731 - the file goes with tmp_path
        else:
            server: PgServer = request.getfixturevalue("pg_server")
            url = server.create(template=request.getfixturevalue("pg_template"))
            cleanup = lambda: server.drop(url)  # noqa: E731
        store = Store(kind, url, make_engine(url))
        made.append((store, cleanup))
        return store

    yield factory
    for store, cleanup in made:
        store.engine.dispose()
        cleanup()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, new_store: Callable[[str], Store]) -> Store:
    """A new migrated TRS database (reference data seeded, nothing synced), once per engine."""
    return new_store(request.param)


@pytest.fixture(scope="session")
def dqt_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated DQT data directory (JSON Lines per entity set), read-only for every test."""
    out = tmp_path_factory.mktemp("dqt-data")
    generate(out, GENERATED_PERSONS, GENERATED_SEED)
    return out


@pytest.fixture(scope="session")
def loaded_simulator(dqt_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorHandle]:
    """A simulator serving ``dqt_data``. Tests must not write to it (use ``fresh_simulator`` for that)."""
    handle = start_simulator(tmp_path_factory.mktemp("dqt-sim-loaded"), data_dir=dqt_data)
    yield handle
    handle.stop()


@pytest.fixture
def client_for() -> Iterator[Callable[[SimulatorHandle], DataverseClient]]:
    """Make DQT clients for simulators; closed after the test."""
    clients: list[DataverseClient] = []

    def factory(handle: SimulatorHandle) -> DataverseClient:
        client = DataverseClient(handle.settings())
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()
