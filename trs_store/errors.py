"""Errors raised by ``trs_store``.

Every error the store raises on purpose derives from :class:`StoreError`, and ``str(exc)`` never contains
row values (names, e-mail addresses, dates of birth…), so it is always safe to log::

    StoreError
    ├── UnsupportedDatabase      the URL names neither SQLite nor PostgreSQL
    ├── DatabaseUnavailable      the database could not be reached (connection refused, timeout, locked)
    ├── SchemaOutOfDate          the database's Alembic revision is not the head this code expects
    ├── InvalidRows (ValueError) a batch is malformed: unknown column, missing key, mixed column sets
    └── InvalidValue (ValueError) one row carries a value the store refuses (e.g. a naive datetime)

Database errors raised while a batch is written (``sqlalchemy.exc.IntegrityError``, ``DataError``) are not
wrapped: ``upsert_rows`` lets them propagate so the caller's transaction fails as a whole, and
``upsert_rows_isolating`` turns them into per-row :class:`~trs_store.isolation.RowFailure` values whose
messages are redacted by :func:`~trs_store.isolation.describe_error`.
"""

from __future__ import annotations


class StoreError(Exception):
    """Root of the errors ``trs_store`` raises on purpose."""


class UnsupportedDatabase(StoreError):
    """Raised when a database URL names a backend other than SQLite or PostgreSQL."""


class DatabaseUnavailable(StoreError):
    """Raised when the database cannot be reached or stays locked; usually transient."""


class SchemaOutOfDate(StoreError):
    """Raised when the database is not at the migration head: run ``trs-bridge db upgrade``."""

    def __init__(self, current: str | None, head: str) -> None:
        self.current = current
        self.head = head
        super().__init__(f"database schema is at revision {current or '<empty>'}, code expects {head}")


class InvalidRows(StoreError, ValueError):
    """Raised when a batch is malformed as a whole: a programming error in the caller, never retried."""


class InvalidValue(StoreError, ValueError):
    """Raised when one row holds a value the store refuses; isolated per row like a database ``DataError``."""

    def __init__(self, table: str, column: str, rule: str) -> None:
        self.table = table
        self.column = column
        self.rule = rule
        super().__init__(f"{table}.{column}: {rule}")
