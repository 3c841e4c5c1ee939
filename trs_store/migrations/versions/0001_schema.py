"""The TRS tables the bridge fills and the bridge's own tables (docs/trs-schema.md).

Revision ID: 0001_schema
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from trs_store.types import GUID, GUIDArray, JSONDocument, UTCDateTime

revision: str = "0001_schema"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _bookkeeping() -> list[sa.Column[object]]:
    """The ``dqt_*`` columns every synced table carries (newer-wins key: ``dqt_version``)."""
    return [
        sa.Column("dqt_state", sa.Integer(), nullable=True),
        sa.Column("dqt_created_on", UTCDateTime(), nullable=True),
        sa.Column("dqt_modified_on", UTCDateTime(), nullable=True),
        sa.Column("dqt_first_sync", UTCDateTime(), nullable=True),
        sa.Column("dqt_last_sync", UTCDateTime(), nullable=True),
        sa.Column("dqt_version", sa.BigInteger(), nullable=True),
    ]


def _unique_where_not_null(name: str, table: str, column: str) -> None:
    where = sa.text(f"{column} IS NOT NULL")
    op.create_index(name, table, [column], unique=True, postgresql_where=where, sqlite_where=where)


def upgrade() -> None:
    # --- reference tables ------------------------------------------------------------------------------------
    op.create_table(
        "mandatory_qualification_providers",
        sa.Column("mandatory_qualification_provider_id", GUID(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("mandatory_qualification_provider_id", name="pk_mandatory_qualification_providers"),
    )
    op.create_table(
        "alert_categories",
        sa.Column("alert_category_id", GUID(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("display_order", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("alert_category_id", name="pk_alert_categories"),
        sa.UniqueConstraint("display_order", name="uq_alert_categories_display_order"),
    )
    op.create_table(
        "alert_types",
        sa.Column("alert_type_id", GUID(), nullable=False),
        sa.Column("alert_category_id", GUID(), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("dqt_sanction_code", sa.String(5), nullable=True),
        sa.Column("prohibition_level", sa.Integer(), nullable=True),
        sa.Column("internal_only", sa.Boolean(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=True),
        sa.Column("display_order", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_category_id"], ["alert_categories.alert_category_id"], name="fk_alert_types_alert_category"
        ),
        sa.PrimaryKeyConstraint("alert_type_id", name="pk_alert_types"),
    )
    op.create_index("ix_alert_types_alert_category_id", "alert_types", ["alert_category_id"])
    op.create_table(
        "induction_exemption_reasons",
        sa.Column("induction_exemption_reason_id", GUID(), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("induction_exemption_reason_id", name="pk_induction_exemption_reasons"),
    )

    # --- synced tables ---------------------------------------------------------------------------------------
    op.create_table(
        "persons",
        sa.Column("person_id", GUID(), nullable=False),
        sa.Column("dqt_contact_id", GUID(), nullable=True),
        sa.Column("trn", sa.CHAR(7), nullable=True),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("middle_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("dqt_first_name", sa.String(100), nullable=False),
        sa.Column("dqt_middle_name", sa.String(100), nullable=False),
        sa.Column("dqt_last_name", sa.String(100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("email_address", sa.String(100), nullable=True),
        sa.Column("national_insurance_number", sa.CHAR(9), nullable=True),
        sa.Column("gender", sa.Integer(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("merged_with_person_id", GUID(), nullable=True),
        sa.Column("created_on", UTCDateTime(), nullable=False),
        sa.Column("updated_on", UTCDateTime(), nullable=False),
        sa.Column("deleted_on", UTCDateTime(), nullable=True),
        sa.Column("created_by_tps", sa.Boolean(), nullable=True),
        sa.Column("source_application_user_id", GUID(), nullable=True),
        sa.Column("source_trn_request_id", sa.String(100), nullable=True),
        sa.Column("allow_details_updates_from_source_application", sa.Boolean(), nullable=False),
        sa.Column("dqt_allow_teacher_identity_sign_in_with_prohibitions", sa.Boolean(), nullable=False),
        sa.Column("induction_status", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("induction_status_without_exemption", sa.Integer(), nullable=True),
        sa.Column("induction_start_date", sa.Date(), nullable=True),
        sa.Column("induction_completed_date", sa.Date(), nullable=True),
        sa.Column("induction_exemption_reason_ids", GUIDArray(), nullable=True),
        sa.Column("induction_exempt_without_reason", sa.Boolean(), nullable=True),
        sa.Column("induction_modified_on", UTCDateTime(), nullable=True),
        sa.Column("dqt_induction_id", GUID(), nullable=True),
        sa.Column("dqt_induction_modified_on", UTCDateTime(), nullable=True),
        sa.Column("dqt_induction_last_sync", UTCDateTime(), nullable=True),
        sa.Column("dqt_induction_version", sa.BigInteger(), nullable=True),
        *_bookkeeping(),
        sa.PrimaryKeyConstraint("person_id", name="pk_persons"),
    )
    _unique_where_not_null("ix_persons_trn", "persons", "trn")
    _unique_where_not_null("ix_persons_dqt_contact_id", "persons", "dqt_contact_id")
    op.create_index("ix_persons_merged_with_person_id", "persons", ["merged_with_person_id"])
    op.create_index("ix_persons_dqt_last_sync", "persons", ["dqt_last_sync"])

    op.create_table(
        "qualifications",
        sa.Column("qualification_id", GUID(), nullable=False),
        sa.Column("dqt_qualification_id", GUID(), nullable=True),
        sa.Column("qualification_type", sa.Integer(), nullable=False),
        sa.Column("person_id", GUID(), nullable=False),
        sa.Column("created_on", UTCDateTime(), nullable=False),
        sa.Column("updated_on", UTCDateTime(), nullable=False),
        sa.Column("deleted_on", UTCDateTime(), nullable=True),
        sa.Column("mq_provider_id", GUID(), nullable=True),
        sa.Column("mq_specialism", sa.Integer(), nullable=True),
        sa.Column("mq_status", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("dqt_mq_establishment_id", GUID(), nullable=True),
        sa.Column("dqt_specialism_id", GUID(), nullable=True),
        *_bookkeeping(),
        sa.ForeignKeyConstraint(["person_id"], ["persons.person_id"], name="fk_qualifications_person"),
        sa.ForeignKeyConstraint(
            ["mq_provider_id"],
            ["mandatory_qualification_providers.mandatory_qualification_provider_id"],
            name="fk_qualifications_mandatory_qualification_provider",
        ),
        sa.PrimaryKeyConstraint("qualification_id", name="pk_qualifications"),
    )
    _unique_where_not_null("ix_qualifications_dqt_qualification_id", "qualifications", "dqt_qualification_id")
    op.create_index("ix_qualifications_person_id", "qualifications", ["person_id"])

    op.create_table(
        "alerts",
        sa.Column("alert_id", GUID(), nullable=False),
        sa.Column("dqt_sanction_id", GUID(), nullable=True),
        sa.Column("alert_type_id", GUID(), nullable=False),
        sa.Column("person_id", GUID(), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("external_link", sa.Text(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("created_on", UTCDateTime(), nullable=False),
        sa.Column("updated_on", UTCDateTime(), nullable=False),
        sa.Column("deleted_on", UTCDateTime(), nullable=True),
        sa.Column("dqt_spent", sa.Boolean(), nullable=True),
        *_bookkeeping(),
        sa.ForeignKeyConstraint(["alert_type_id"], ["alert_types.alert_type_id"], name="fk_alerts_alert_type"),
        sa.ForeignKeyConstraint(["person_id"], ["persons.person_id"], name="fk_alerts_person"),
        sa.PrimaryKeyConstraint("alert_id", name="pk_alerts"),
    )
    _unique_where_not_null("ix_alerts_dqt_sanction_id", "alerts", "dqt_sanction_id")
    op.create_index("ix_alerts_alert_type_id", "alerts", ["alert_type_id"])
    op.create_index("ix_alerts_person_id", "alerts", ["person_id"])

    op.create_table(
        "previous_names",
        sa.Column("previous_name_id", GUID(), nullable=False),
        sa.Column("person_id", GUID(), nullable=False),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("middle_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("created_on", UTCDateTime(), nullable=False),
        sa.Column("updated_on", UTCDateTime(), nullable=False),
        sa.Column("deleted_on", UTCDateTime(), nullable=True),
        sa.Column("dqt_audit_id", GUID(), nullable=True),
        sa.Column("dqt_previous_name_ids", GUIDArray(), nullable=True),
        *_bookkeeping(),
        sa.ForeignKeyConstraint(["person_id"], ["persons.person_id"], name="fk_previous_names_person"),
        sa.PrimaryKeyConstraint("previous_name_id", name="pk_previous_names"),
    )
    op.create_index("ix_previous_names_person_id", "previous_names", ["person_id"])

    op.create_table(
        "events",
        sa.Column("event_id", GUID(), nullable=False),
        sa.Column("event_name", sa.String(200), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("inserted", UTCDateTime(), nullable=False),
        sa.Column("payload", JSONDocument, nullable=False),
        sa.Column("key", sa.String(200), nullable=True),
        sa.Column("person_id", GUID(), nullable=True),
        sa.Column("published", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_events"),
    )
    _unique_where_not_null("ix_events_key", "events", "key")
    person_where = sa.text("person_id IS NOT NULL")
    op.create_index(
        "ix_events_person_id_event_name",
        "events",
        ["person_id", "event_name"],
        postgresql_where=person_where,
        sqlite_where=person_where,
    )

    # --- bridge tables ---------------------------------------------------------------------------------------
    op.create_table(
        "change_journal",
        sa.Column("changes_key", sa.Text(), nullable=False),
        sa.Column("entity_set", sa.Text(), nullable=False),
        sa.Column("delta_link", sa.Text(), nullable=True),
        sa.Column("next_link", sa.Text(), nullable=True),
        sa.Column("page_size", sa.Integer(), nullable=False),
        sa.Column("last_updated", UTCDateTime(), nullable=False),
        sa.Column("last_updated_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("changes_key", "entity_set", name="pk_change_journal"),
    )
    op.create_table(
        "failed_records",
        sa.Column(
            "failed_record_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=False),
            nullable=False,
        ),
        sa.Column("entity_set", sa.Text(), nullable=False),
        sa.Column("dqt_id", GUID(), nullable=True),
        sa.Column("raw_payload", JSONDocument, nullable=False),
        sa.Column("error_kind", sa.Text(), nullable=False),
        sa.Column("field", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("mapping_version", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_seen", UTCDateTime(), nullable=False),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'open'"), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'replayed', 'discarded')", name="ck_failed_records_status"),
        sa.CheckConstraint("attempts >= 1", name="ck_failed_records_attempts"),
        sa.PrimaryKeyConstraint("failed_record_id", name="pk_failed_records"),
    )
    open_where = sa.text("status = 'open'")
    op.create_index(
        "ix_failed_records_open",
        "failed_records",
        ["entity_set", "dqt_id"],
        unique=True,
        postgresql_where=open_where,
        sqlite_where=open_where,
    )
    op.create_index(
        "ix_failed_records_status_entity_set_last_seen", "failed_records", ["status", "entity_set", "last_seen"]
    )
    op.create_table(
        "sync_runs",
        sa.Column("run_id", GUID(), nullable=False),
        sa.Column("entity_set", sa.Text(), nullable=False),
        sa.Column("mode", sa.Text(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        *(
            sa.Column(name, sa.Integer(), server_default=sa.text("0"), nullable=False)
            for name in ("pages", "seen", "inserted", "updated", "stale", "deleted", "skipped", "failed")
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint("mode IN ('sync', 'backfill', 'replay')", name="ck_sync_runs_mode"),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('succeeded', 'failed', 'interrupted')", name="ck_sync_runs_outcome"
        ),
        sa.PrimaryKeyConstraint("run_id", name="pk_sync_runs"),
    )
    op.create_index("ix_sync_runs_entity_set_started_at", "sync_runs", ["entity_set", "started_at"])


def downgrade() -> None:
    for table in (
        "sync_runs",
        "failed_records",
        "change_journal",
        "events",
        "previous_names",
        "alerts",
        "qualifications",
        "persons",
        "induction_exemption_reasons",
        "alert_types",
        "alert_categories",
        "mandatory_qualification_providers",
    ):
        op.drop_table(table)  # indexes go with their table
