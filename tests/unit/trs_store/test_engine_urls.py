"""URL handling: the default, the environment variable, and PostgreSQL URLs pointed at psycopg 3."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from trs_store.engine import DEFAULT_DATABASE_URL, database_url, make_engine, normalise_url
from trs_store.errors import UnsupportedDatabase


def test_default_when_unset_or_blank() -> None:
    assert database_url({}) == DEFAULT_DATABASE_URL == "sqlite:///./trs.db"
    assert database_url({"TRS_DATABASE_URL": "  "}) == DEFAULT_DATABASE_URL
    assert database_url({"TRS_DATABASE_URL": "postgresql://h/db"}) == "postgresql://h/db"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:p@h:5432/trs",
        "postgres://u:p@h:5432/trs",
        "postgresql+psycopg2://u:p@h:5432/trs",
        "postgresql+psycopg://u:p@h:5432/trs",
    ],
)
def test_postgresql_urls_use_psycopg3(url: str) -> None:
    parsed = normalise_url(url)
    assert parsed.drivername == "postgresql+psycopg"
    assert (parsed.username, parsed.password, parsed.host, parsed.port, parsed.database) == ("u", "p", "h", 5432, "trs")


def test_url_objects_keep_their_password() -> None:
    parsed = normalise_url(normalise_url("postgresql://u:s3cret@h/trs"))
    assert parsed.password == "s3cret"


def test_sqlite_urls_are_kept() -> None:
    assert str(normalise_url("sqlite:///./trs.db")) == "sqlite:///./trs.db"
    assert normalise_url("sqlite+pysqlite:///x.db").drivername == "sqlite"


@pytest.mark.parametrize("url", ["mysql://h/db", "sqlite+aiosqlite:///x.db", "not a url"])
def test_other_backends_are_refused(url: str) -> None:
    with pytest.raises(UnsupportedDatabase):
        normalise_url(url)


def test_make_engine_does_not_connect() -> None:
    # Building an engine for an unreachable server must not touch the network (no engine at import, none eager).
    engine = make_engine("postgresql://nobody@127.0.0.1:1/nowhere")
    try:
        assert engine.dialect.driver == "psycopg"
    finally:
        engine.dispose()


def test_importing_the_package_creates_no_engine() -> None:
    # A fresh interpreter, with a URL that would fail if anything tried to use it at import time.
    code = (
        "import gc, trs_store, trs_store.upsert, trs_store.isolation, trs_store.journal, trs_store.failed_records, "
        "trs_store.sync_runs, trs_store.migrate\n"
        "from sqlalchemy import Engine\n"
        "assert not [o for o in gc.get_objects() if isinstance(o, Engine)]\n"
    )
    env = {**os.environ, "TRS_DATABASE_URL": "mysql://would-fail-if-read/db"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
