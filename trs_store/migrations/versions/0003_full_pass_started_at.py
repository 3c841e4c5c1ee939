"""change_journal.full_pass_started_at: when the feed's current full pass began (NULL outside a full pass).

A full pass (first sync, or re-read after an expired delta token) must know, even after a crash and resume,
when it began, so that at its end the rows it did not see can be removed as deleted in DQT.

Revision ID: 0003_full_pass_started_at
Revises: 0002_reference_data
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from trs_store.types import UTCDateTime

revision: str = "0003_full_pass_started_at"
down_revision: str | Sequence[str] | None = "0002_reference_data"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("change_journal") as batch:
        batch.add_column(sa.Column("full_pass_started_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("change_journal") as batch:
        batch.drop_column("full_pass_started_at")
