"""Fixtures for professional status: the sync's own (real PostgreSQL and SQLite stores, the simulator over HTTPS,
a generated data set with ITT rows and QTS registrations), shared with ``tests/integration/bridge``."""

from __future__ import annotations

from tests.integration.bridge.conftest import (  # noqa: F401 - fixtures are found by name
    client_for,
    dqt_data,
    loaded_simulator,
    new_store,
    pg_server,
    pg_template,
    sqlite_template,
    store,
)
