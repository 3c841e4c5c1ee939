"""Engine construction: the embedded SQLite default or PostgreSQL through psycopg 3.

Nothing here runs at import time. The environment is read in exactly one place, :func:`database_url`, and
only when :func:`make_engine` is called without a URL.

SQLite is configured for a single-process bridge that writes in page-sized transactions:

- ``journal_mode=WAL`` so readers (status commands) never block the writer, ``synchronous=NORMAL``
  (durable at checkpoints, the usual WAL pairing), ``foreign_keys=ON``, ``busy_timeout``;
- pysqlite's own transaction handling is switched off and SQLAlchemy emits ``BEGIN`` itself, so
  SAVEPOINTs (used to isolate failing rows) and transactional DDL (migrations) behave as on PostgreSQL.
  Transactions start with ``BEGIN IMMEDIATE`` by default: they take the write lock up front, so a
  transaction that reads and then writes cannot fail half-way with ``SQLITE_BUSY`` on lock upgrade.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Final, Literal

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from trs_store.errors import DatabaseUnavailable, UnsupportedDatabase

#: The environment variable naming the TRS database.
DATABASE_URL_ENV: Final = "TRS_DATABASE_URL"
#: Used when the variable is unset: a SQLite file in the working directory.
DEFAULT_DATABASE_URL: Final = "sqlite:///./trs.db"
#: How long (milliseconds) a SQLite connection waits for the write lock before failing with "locked".
SQLITE_BUSY_TIMEOUT_MS: Final = 30_000

SqliteBegin = Literal["DEFERRED", "IMMEDIATE", "EXCLUSIVE"]


def database_url(environ: Mapping[str, str] | None = None) -> str:
    """The configured database URL: ``$TRS_DATABASE_URL``, or :data:`DEFAULT_DATABASE_URL` when unset or blank."""
    env = os.environ if environ is None else environ
    return env.get(DATABASE_URL_ENV, "").strip() or DEFAULT_DATABASE_URL


def normalise_url(url: str | URL) -> URL:
    """``url`` parsed, with PostgreSQL URLs pointed at psycopg 3 (``postgresql://``, ``postgres://``,
    ``postgresql+psycopg2://`` all become ``postgresql+psycopg://``).

    Raises :class:`UnsupportedDatabase` for anything other than SQLite or PostgreSQL.
    """
    text = url.render_as_string(hide_password=False) if isinstance(url, URL) else url
    if text.startswith("postgres://"):  # Heroku-style alias SQLAlchemy does not accept
        text = "postgresql://" + text.removeprefix("postgres://")
    try:
        parsed = make_url(text)
    except ArgumentError as exc:
        raise UnsupportedDatabase("not a database URL") from exc
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if parsed.get_driver_name() not in ("pysqlite", ""):
            raise UnsupportedDatabase(f"unsupported SQLite driver {parsed.get_driver_name()!r}")
        return parsed.set(drivername="sqlite")
    raise UnsupportedDatabase(f"unsupported database backend {backend!r}: use sqlite:// or postgresql://")


def make_engine(url: str | URL | None = None, *, sqlite_begin: SqliteBegin = "IMMEDIATE", **kwargs: Any) -> Engine:
    """A new engine for ``url`` (default: :func:`database_url`). Extra keyword arguments go to
    ``create_engine``. The caller owns the engine and should ``dispose()`` it."""
    parsed = normalise_url(database_url() if url is None else url)
    # Row values (names, dates of birth) must never reach error messages, logs or sync_runs.error.
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, sqlite_begin, **kwargs)
    kwargs.setdefault("pool_pre_ping", True)
    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("application_name", "trs-bridge")
    return create_engine(parsed, connect_args=connect_args, **kwargs)


def _sqlite_engine(url: URL, begin: SqliteBegin, **kwargs: Any) -> Engine:
    engine = create_engine(url, **kwargs)
    is_memory = url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions start (see the module docstring).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS:d}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if not is_memory:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(f"BEGIN {begin}")

    return engine


def ping(engine: Engine) -> None:
    """Open a connection and run ``SELECT 1``; raise :class:`DatabaseUnavailable` (value-free) if that fails."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except OperationalError as exc:
        raise DatabaseUnavailable(f"{engine.dialect.name} database unavailable ({type(exc.orig).__name__})") from exc


def dialect_name(bind: Any) -> str:
    """``"postgresql"`` or ``"sqlite"`` for an engine or connection."""
    return str(bind.dialect.name)
