"""The TRS store: SQLAlchemy 2 models, Alembic migrations, bulk upserts, journal, failed records, sync runs.

Everything that writes takes a SQLAlchemy ``Connection`` inside the caller's transaction and never commits,
so one sync page (rows, events, failed records, journal position, run counts) commits or rolls back as one.
Importing this package creates no engine and reads no environment (see :mod:`trs_store.engine`).
"""

from __future__ import annotations

from trs_store.engine import database_url, make_engine, normalise_url, ping
from trs_store.errors import (
    DatabaseUnavailable,
    InvalidRows,
    InvalidValue,
    SchemaOutOfDate,
    StoreError,
    UnsupportedDatabase,
)
from trs_store.isolation import RowErrorKind, RowFailure, describe_error, upsert_rows_isolating
from trs_store.journal import ChangeJournal, JournalEntry
from trs_store.upsert import (
    DeleteResult,
    UpdateResult,
    UpsertResult,
    delete_rows,
    insert_events,
    prune_children,
    soft_delete_rows,
    update_columns,
    upsert_rows,
)

__all__ = [
    "ChangeJournal",
    "DatabaseUnavailable",
    "DeleteResult",
    "InvalidRows",
    "InvalidValue",
    "JournalEntry",
    "RowErrorKind",
    "RowFailure",
    "SchemaOutOfDate",
    "StoreError",
    "UnsupportedDatabase",
    "UpdateResult",
    "UpsertResult",
    "database_url",
    "delete_rows",
    "describe_error",
    "insert_events",
    "make_engine",
    "normalise_url",
    "ping",
    "prune_children",
    "soft_delete_rows",
    "update_columns",
    "upsert_rows",
    "upsert_rows_isolating",
]
