"""The TRS store: SQLAlchemy 2 models, Alembic migrations, bulk upserts, journal, failed records, outbox."""
