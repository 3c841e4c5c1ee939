"""Engines: SQLite pragmas and transaction handling, PostgreSQL URL rewriting, errors for unreachable servers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tests.integration.trs_store.conftest import Database
from tests.integration.trs_store.rows import NOW, person_row
from trs_store.engine import make_engine, ping
from trs_store.errors import DatabaseUnavailable
from trs_store.migrate import upgrade
from trs_store.upsert import upsert_rows

pytestmark = pytest.mark.integration


def test_sqlite_pragmas(tmp_path: Path, engine_for: Callable[[str], Engine]) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() == 30_000


def test_default_url_is_sqlite_trs_db_in_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRS_DATABASE_URL", raising=False)
    engine = make_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    finally:
        engine.dispose()
    assert (tmp_path / "trs.db").exists()


def test_env_url_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRS_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    upgrade()  # no URL: the environment decides
    assert (tmp_path / "env.db").exists()


def test_plain_postgresql_url_is_rewritten_to_psycopg(pg_db: Database, engine_for: Callable[[str], Engine]) -> None:
    plain = pg_db.url.replace("postgresql+psycopg://", "postgresql://")
    engine = engine_for(plain)
    assert engine.dialect.driver == "psycopg"
    with engine.begin() as conn:
        assert upsert_rows(conn, "persons", [person_row()], now=NOW).inserted == 1


def test_savepoints_work_on_both_engines(db: Database) -> None:
    # Failure isolation depends on real SAVEPOINTs, which pysqlite breaks unless the engine takes over BEGIN.
    with db.engine.begin() as conn:
        upsert_rows(conn, "persons", [keep := person_row()], now=NOW)
        nested = conn.begin_nested()
        upsert_rows(conn, "persons", [person_row()], now=NOW)
        nested.rollback()
        assert conn.execute(text("SELECT count(*) FROM persons")).scalar_one() == 1
        assert str(conn.execute(text("SELECT person_id FROM persons")).scalar_one()) == keep["person_id"]


def test_unreachable_postgresql_is_database_unavailable(engine_for: Callable[[str], Engine]) -> None:
    url = "postgresql://postgres@127.0.0.1:1/nowhere?connect_timeout=2"
    with pytest.raises(DatabaseUnavailable):
        upgrade(url)
    with pytest.raises(DatabaseUnavailable, match="postgresql database unavailable"):
        ping(engine_for(url))


def test_ping_a_live_database(db: Database) -> None:
    ping(db.engine)
