"""Alembic migrations of the TRS store, run programmatically by :mod:`trs_store.migrate` (no alembic.ini)."""
