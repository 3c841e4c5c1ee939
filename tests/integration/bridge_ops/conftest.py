"""Fixtures for the operator commands' tests: real TRS stores (PostgreSQL and SQLite), the simulator over HTTPS.

``store`` is parametrised over both engines and is a brand-new migrated database per test: a PostgreSQL database
cloned from a migrated template (``CREATE DATABASE ... TEMPLATE``) or a copy of a migrated SQLite file;
``new_store(kind)`` makes more of the same kind (a backfill compared with a sync needs two). PostgreSQL comes from
``$TRS_TEST_PG_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``); without a reachable server the
PostgreSQL cases are skipped locally and fail in CI (``$CI`` set).
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from dataverse_client import DataverseClient
from dqt_simulator.generate import generate
from tests.support.simulator import SimulatorHandle, start_simulator
from trs_store import make_engine, normalise_url
from trs_store.migrate import upgrade

PG_ADMIN_URL = os.environ.get("TRS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_PREFIX = "bridge_ops_"

#: The generated DQT data the backfill tests read: a few hundred persons, with the generator's real dirt.
GENERATED_PERSONS = 300
GENERATED_SEED = 20240611


@dataclass(frozen=True)
class Store:
    kind: str  # "sqlite" | "postgresql"
    url: str
    engine: Engine


class PgServer:
    """Creates and drops throwaway databases (``bridge_ops_<hex>``) on the test PostgreSQL server."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(normalise_url(admin_url))
        self._admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def check(self) -> None:
        with self._admin.connect() as conn:
            conn.execute(text("SELECT 1"))

    def create(self, template: str | None = None) -> str:
        name = f"{DB_PREFIX}{secrets.token_hex(6)}"
        clause = f' TEMPLATE "{template}"' if template else ""
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        self.created.append(name)
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        assert name is not None
        assert name.startswith(DB_PREFIX)
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.created.remove(name)

    def close(self) -> None:
        for name in list(self.created):
            with self._admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._admin.dispose()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server = PgServer(PG_ADMIN_URL)
    try:
        server.check()
    except OperationalError:
        server.close()
        if os.environ.get("CI"):
            raise
        pytest.skip("PostgreSQL is not reachable (set TRS_TEST_PG_URL); never skipped in CI")
    yield server
    server.close()


@pytest.fixture(scope="session")
def pg_template(pg_server: PgServer) -> str:
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
    """A new migrated TRS database, once per engine."""
    return new_store(request.param)


@pytest.fixture(scope="session")
def dqt_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated DQT data (JSON Lines per entity set), read-only for every test."""
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
    clients: list[DataverseClient] = []

    def factory(handle: SimulatorHandle) -> DataverseClient:
        client = DataverseClient(handle.settings())
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()
