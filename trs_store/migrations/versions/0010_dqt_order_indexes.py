"""Indexes on DQT's GUID order of each DQT id column (its first 12 digits: the last group): a reconcile key range is a
range of DQT's order (SQL Server's ``uniqueidentifier`` order), which is not PostgreSQL's or SQLite's order of the
same ids (ADR 0097).

Revision ID: 0010_dqt_order_indexes
Revises: 0009_recent_deletions_index
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from trs_store.dqt_order import dqt_order_lead

revision: str = "0010_dqt_order_indexes"
down_revision: str | Sequence[str] | None = "0009_recent_deletions_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (("persons", "dqt_contact_id"), ("qualifications", "dqt_qualification_id"), ("alerts", "dqt_sanction_id"))


def upgrade() -> None:
    for table, column in COLUMNS:
        present = sa.column(column).is_not(None)  # partial, as the DQT-id indexes: routes pay nothing for it
        op.create_index(
            f"ix_{table}_{column}_dqt_order",
            table,
            [dqt_order_lead(sa.column(column))],
            postgresql_where=present,
            sqlite_where=present,
        )


def downgrade() -> None:
    for table, column in COLUMNS:
        op.drop_index(f"ix_{table}_{column}_dqt_order", table_name=table)
