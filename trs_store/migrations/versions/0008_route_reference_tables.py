"""Routes: the TRS tables their training columns point at, induction exemptions on routes, and the row-scoped
outcomes a rebuild reports.

- ``training_subjects``, ``training_providers``, ``countries`` (professional-status reference §3.8, §4.1), filled by
  the rebuild from DQT's ``dfeta_ittsubjects``, flagged ``accounts`` and ``dfeta_countries`` before any route names
  a row (ADR 0068). ``qualifications.training_provider_id`` and ``training_country_id`` get TRS's foreign keys;
  ``training_subject_ids`` is an array and cannot have one. Providers and countries that routes already name get
  a row without a name here (the next rebuild names them), so the keys hold for existing data.
- ``persons.dqt_induction_exemption_reason_ids``: the exemption reasons as DQT holds them, from which routes take
  theirs (reference §3.10, ADR 0067); starts as a copy of ``induction_exemption_reason_ids`` (no reason had
  moved onto a route before this revision).
- ``routes_not_migrated``: a person's row-scoped reasons (``DoNotMigrateIttResult`` …) from its last applied
  rebuild (ADR 0069).

Downgrading puts the DQT reasons back on the persons and clears the routes' exemption columns, as the code of
the revision before left them.

Revision ID: 0008_route_reference_tables
Revises: 0007_ni_number_varchar
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from trs_store.types import GUID, GUIDArray, UTCDateTime

revision: str = "0008_route_reference_tables"
down_revision: str | Sequence[str] | None = "0007_ni_number_varchar"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PROVIDER_FK = "fk_qualifications_training_providers_training_provider_id"
_COUNTRY_FK = "fk_qualifications_countries_training_country_id"


def upgrade() -> None:
    op.create_table(
        "training_subjects",
        sa.Column("training_subject_id", GUID(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("training_subject_id", name="pk_training_subjects"),
    )
    op.create_table(
        "training_providers",
        sa.Column("training_provider_id", GUID(), nullable=False),
        sa.Column("ukprn", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("training_provider_id", name="pk_training_providers"),
    )
    op.create_index("ix_training_providers_ukprn", "training_providers", ["ukprn"])
    op.create_table(
        "countries",
        sa.Column("country_id", sa.String(length=10), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("country_id", name="pk_countries"),
    )
    op.execute(
        "INSERT INTO training_providers (training_provider_id) SELECT DISTINCT training_provider_id "
        "FROM qualifications WHERE training_provider_id IS NOT NULL"
    )
    op.execute(
        "INSERT INTO countries (country_id) SELECT DISTINCT training_country_id "
        "FROM qualifications WHERE training_country_id IS NOT NULL"
    )
    # qualifications has no dependants: SQLite rebuilds it to add the foreign keys.
    with op.batch_alter_table("qualifications") as batch:
        batch.create_foreign_key(_PROVIDER_FK, "training_providers", ["training_provider_id"], ["training_provider_id"])
        batch.create_foreign_key(_COUNTRY_FK, "countries", ["training_country_id"], ["country_id"])

    # A new nullable column: a plain ALTER TABLE ... ADD COLUMN on both engines (persons has dependants).
    with op.batch_alter_table("persons", recreate="never") as batch:
        batch.add_column(sa.Column("dqt_induction_exemption_reason_ids", GUIDArray(), nullable=True))
    op.execute("UPDATE persons SET dqt_induction_exemption_reason_ids = induction_exemption_reason_ids")

    op.create_table(
        "routes_not_migrated",
        sa.Column("not_migrated_id", GUID(), nullable=False),
        sa.Column("person_id", GUID(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("dqt_initial_teacher_training_id", GUID(), nullable=True),
        sa.Column("dqt_qts_registration_id", GUID(), nullable=True),
        sa.Column("compatible_itt_ids", GUIDArray(), nullable=True),
        sa.Column("recorded_on", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["persons.person_id"], name="fk_routes_not_migrated_person"),
        sa.PrimaryKeyConstraint("not_migrated_id", name="pk_routes_not_migrated"),
    )
    op.create_index("ix_routes_not_migrated_person_id", "routes_not_migrated", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_routes_not_migrated_person_id", table_name="routes_not_migrated")
    op.drop_table("routes_not_migrated")

    op.execute(
        "UPDATE persons SET induction_exemption_reason_ids = dqt_induction_exemption_reason_ids "
        "WHERE dqt_induction_exemption_reason_ids IS NOT NULL"
    )
    op.execute(
        "UPDATE qualifications SET exempt_from_induction = NULL, exempt_from_induction_due_to_qts_date = NULL "
        "WHERE qualification_type = 1"
    )
    # SQLite >= 3.35 drops a column in place; rebuilding persons would trip over its dependants' foreign keys.
    with op.batch_alter_table("persons", recreate="never") as batch:
        batch.drop_column("dqt_induction_exemption_reason_ids")

    with op.batch_alter_table("qualifications") as batch:
        batch.drop_constraint(_COUNTRY_FK, type_="foreignkey")
        batch.drop_constraint(_PROVIDER_FK, type_="foreignkey")
    op.drop_table("countries")
    op.drop_index("ix_training_providers_ukprn", table_name="training_providers")
    op.drop_table("training_providers")
    op.drop_table("training_subjects")
