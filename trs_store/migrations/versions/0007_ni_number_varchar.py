"""persons.national_insurance_number becomes varchar(9): char(9) space-padded valid 8-character temporary numbers
on PostgreSQL (``12A34567 ``), so the same record read back differently on the two engines.

Revision ID: 0007_ni_number_varchar
Revises: 0006_writeback_outbox
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_ni_number_varchar"
down_revision: str | Sequence[str] | None = "0006_writeback_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# SQLite neither pads nor enforces either type (both have TEXT affinity), and recreating ``persons`` there to
# change a declared type would trip its foreign keys: the change is PostgreSQL's only.


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.alter_column(
        "persons",
        "national_insurance_number",
        type_=sa.String(9),
        existing_type=sa.CHAR(9),
        existing_nullable=True,
        postgresql_using="rtrim(national_insurance_number)",
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.alter_column(
        "persons", "national_insurance_number", type_=sa.CHAR(9), existing_type=sa.String(9), existing_nullable=True
    )
