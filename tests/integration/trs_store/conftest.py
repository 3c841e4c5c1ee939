"""Fixtures for trs_store: one real PostgreSQL database per session and one SQLite file, both migrated.

``db`` is parametrised over both engines, so every test that takes it runs twice. PostgreSQL comes from
``$TRS_TEST_PG_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``, used only to create and drop
``trs_test_<random>`` databases). Without a reachable server the PostgreSQL cases are skipped locally and fail
in CI (``$CI`` set), so CI can never pass by skipping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tests.support.postgres import PgServer, reachable_server
from trs_store.engine import make_engine
from trs_store.migrate import upgrade

#: Tables a test may write, children first; reference tables (seeded by migrations) are left alone.
WRITTEN_TABLES = (
    "events",
    "previous_names",
    "alerts",
    "qualifications",
    "training_subjects",
    "training_providers",
    "countries",
    "routes_not_migrated",
    "professional_status_sources",
    "persons",
    "change_journal",
    "failed_records",
    "sync_runs",
)


@dataclass(frozen=True)
class Database:
    """A migrated database under test: which engine, its URL and an engine the test may use."""

    kind: str
    url: str
    engine: Engine


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server = reachable_server("trs_test_")
    yield server
    server.close()


@pytest.fixture(scope="session")
def migrated_pg_url(pg_server: PgServer) -> Iterator[str]:
    url = pg_server.create()
    upgrade(url)
    yield url
    pg_server.drop(url)


@pytest.fixture(scope="session")
def migrated_sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('trs-sqlite') / 'trs.db'}"
    upgrade(url)
    return url


def _database(kind: str, url: str) -> Iterator[Database]:
    engine = make_engine(url)
    try:
        yield Database(kind, url, engine)
    finally:
        with engine.begin() as conn:
            if kind == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(WRITTEN_TABLES)}"))
            else:
                for table in WRITTEN_TABLES:
                    conn.execute(text(f"DELETE FROM {table}"))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest) -> Iterator[Database]:
    """A migrated database (reference data seeded, other tables empty), once per engine."""
    kind: str = request.param
    url: str = request.getfixturevalue("migrated_pg_url" if kind == "postgresql" else "migrated_sqlite_url")
    yield from _database(kind, url)


@pytest.fixture
def pg_db(migrated_pg_url: str) -> Iterator[Database]:
    """The migrated PostgreSQL database alone, for PostgreSQL-only behaviour (the COPY path, URL rewriting)."""
    yield from _database("postgresql", migrated_pg_url)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a brand-new, empty database (never migrated), once per engine; dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server: PgServer = request.getfixturevalue("pg_server")
    url = server.create()
    yield url
    server.drop(url)


@pytest.fixture
def engine_for() -> Iterator[Callable[[str], Engine]]:
    """Make engines that are disposed after the test."""
    engines: list[Engine] = []

    def factory(url: str) -> Engine:
        engine = make_engine(url)
        engines.append(engine)
        return engine

    yield factory
    for engine in engines:
        engine.dispose()
