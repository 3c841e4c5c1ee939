"""Alembic environment for the TRS store, configured by :func:`trs_store.migrate.alembic_config`.

The connection comes from ``config.attributes["connection"]`` (the caller's, inside its transaction) or is
opened from ``config.attributes["url"]``. On PostgreSQL the run holds a transaction-scoped advisory lock, so
two processes upgrading at once run one after the other instead of racing.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from trs_store.engine import make_engine
from trs_store.models import metadata

#: ``pg_advisory_xact_lock`` key serialising migrations (an arbitrary constant: "TRSMIGR" in ASCII).
MIGRATION_LOCK_KEY = 0x5452534D494752


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        context.run_migrations()


def main() -> None:
    """Run migrations online; offline (SQL script) mode is not supported."""
    if context.is_offline_mode():
        raise RuntimeError("offline migrations are not supported: run against a database")
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.attributes.get("url"))
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


main()
