"""A partial index of ``Deleted`` events by time: the backfill asks, for every page, which records live sync
deleted since the page was read (ADR 0051). Looking each of a page's 5,000 keys up in ``ix_events_key`` cost a
sixth of a second per page; the deletions of the last minutes are a handful of rows in this index (ADR 0057).

Revision ID: 0009_recent_deletions_index
Revises: 0008_route_reference_tables
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_recent_deletions_index"
down_revision: str | Sequence[str] | None = "0008_route_reference_tables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DELETED = sa.text("key LIKE '%-Deleted'")


def upgrade() -> None:
    op.create_index(
        "ix_events_deleted_inserted", "events", ["inserted"], postgresql_where=DELETED, sqlite_where=DELETED
    )


def downgrade() -> None:
    op.drop_index("ix_events_deleted_inserted", table_name="events")
