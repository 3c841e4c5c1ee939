"""Throwaway PostgreSQL databases for integration tests, on the server at ``$TRS_TEST_PG_URL``.

Every suite that needs PostgreSQL makes its databases here (each suite with its own name prefix, so a stray
database says which suite left it), and each asks :func:`reachable_server` for the session's server: without a
reachable server the PostgreSQL cases are skipped locally and fail in CI (``$CI`` set), so CI can never pass by
skipping.
"""

from __future__ import annotations

import os
import secrets

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from trs_store import normalise_url

PG_ADMIN_URL = os.environ.get("TRS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


class PgServer:
    """Creates and drops throwaway databases (``<prefix><hex>``) on the test PostgreSQL server."""

    def __init__(self, admin_url: str, prefix: str) -> None:
        self.admin_url = make_url(normalise_url(admin_url))
        self.prefix = prefix
        self._admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def check(self) -> None:
        with self._admin.connect() as conn:
            conn.execute(text("SELECT 1"))

    def create(self, template: str | None = None) -> str:
        """A new database (a clone of ``template`` when given); returns its URL."""
        name = f"{self.prefix}{secrets.token_hex(6)}"
        clause = f' TEMPLATE "{template}"' if template else ""
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        self.created.append(name)
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        assert name is not None
        assert name.startswith(self.prefix)
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.created.remove(name)

    def close(self) -> None:
        for name in list(self.created):
            with self._admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._admin.dispose()


def reachable_server(prefix: str) -> PgServer:
    """The test server, checked; skips the test locally (fails in CI) when it does not answer."""
    server = PgServer(PG_ADMIN_URL, prefix)
    try:
        server.check()
    except OperationalError:
        server.close()
        if os.environ.get("CI"):
            raise
        pytest.skip("PostgreSQL is not reachable (set TRS_TEST_PG_URL); never skipped in CI")
    return server
