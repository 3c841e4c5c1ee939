"""The one place that picks a dialect-specific construct (``INSERT … ON CONFLICT`` builders)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def dialect_insert(connection: Connection, table: Table | Any) -> Any:
    """``INSERT`` for ``table`` with ``on_conflict_do_update``/``do_nothing``, for the connection's dialect.

    PostgreSQL and SQLite share the ``ON CONFLICT`` syntax SQLAlchemy builds here, including conflict targets
    on partial unique indexes (``index_where``)."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
