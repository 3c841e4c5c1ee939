"""Fixtures for the operator commands' tests: the same real TRS stores (PostgreSQL and SQLite, a fresh migrated
database per test, ``new_store(kind)`` for more) and the same generated data and simulator as the sync's tests,
so both suites stand on one definition (``tests/integration/bridge/conftest.py``)."""

from __future__ import annotations

from tests.integration.bridge.conftest import *  # noqa: F403 - pytest finds fixtures by name
from tests.integration.bridge.conftest import Store

__all__ = ["Store"]
