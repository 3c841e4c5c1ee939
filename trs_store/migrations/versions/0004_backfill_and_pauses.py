"""Backfill runs and shards (resumable key-range backfills), and paused feeds.

``backfill_shards.position`` is the last primary key a shard applied, committed in the same transaction as
that page's rows (ADR 0051). ``feed_pauses`` holds one row per paused entity set (ADR 0053).

Revision ID: 0004_backfill_and_pauses
Revises: 0003_full_pass_started_at
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from trs_store.types import GUID, UTCDateTime

revision: str = "0004_backfill_and_pauses"
down_revision: str | Sequence[str] | None = "0003_full_pass_started_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COUNTS = ("pages", "seen", "inserted", "updated", "stale", "deleted", "skipped", "failed")


def upgrade() -> None:
    op.create_table(
        "backfill_runs",
        sa.Column("run_id", GUID(), nullable=False),
        sa.Column("entity_set", sa.Text(), nullable=False),
        sa.Column("shards", sa.Integer(), nullable=False),
        sa.Column("page_size", sa.Integer(), nullable=False),
        sa.Column("distributed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'running'"), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("started_by", sa.Text(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("delta_link", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('running', 'succeeded', 'failed', 'abandoned')", name="ck_backfill_runs_status"),
        sa.CheckConstraint("shards >= 1", name="ck_backfill_runs_shards"),
        sa.PrimaryKeyConstraint("run_id", name="pk_backfill_runs"),
    )
    op.create_index("ix_backfill_runs_entity_set_status", "backfill_runs", ["entity_set", "status"])
    op.create_table(
        "backfill_shards",
        sa.Column("run_id", GUID(), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("key_from", GUID(), nullable=True),
        sa.Column("key_to", GUID(), nullable=True),
        sa.Column("position", GUID(), nullable=True),
        sa.Column("status", sa.Text(), server_default=sa.text("'pending'"), nullable=False),
        *(sa.Column(name, sa.Integer(), server_default=sa.text("0"), nullable=False) for name in _COUNTS),
        sa.Column("claimed_by", sa.Text(), nullable=True),
        sa.Column("heartbeat_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'running', 'done', 'failed')", name="ck_backfill_shards_status"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["backfill_runs.run_id"], name="fk_backfill_shards_run", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "shard", name="pk_backfill_shards"),
    )
    op.create_table(
        "feed_pauses",
        sa.Column("entity_set", sa.Text(), nullable=False),
        sa.Column("paused_at", UTCDateTime(), nullable=False),
        sa.Column("paused_by", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("entity_set", name="pk_feed_pauses"),
    )


def downgrade() -> None:
    op.drop_table("feed_pauses")
    op.drop_table("backfill_shards")
    op.drop_index("ix_backfill_runs_entity_set_status", table_name="backfill_runs")
    op.drop_table("backfill_runs")
