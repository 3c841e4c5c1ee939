"""The synced TRS tables: persons (with the induction and professional status columns), qualifications (MQs and
routes to professional status), alerts, previous names.

Each row's primary key is the DQT GUID it came from (``previous_names`` and routes use a uuid5 of it), so a re-sync
finds the same row. Column names and types are the contract of docs/trs-schema.md.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CHAR, BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from trs_store.dqt_order import dqt_order_lead
from trs_store.models.base import DQT_ID_COLUMN, Base, DqtBookkeeping
from trs_store.types import GUID, GUIDArray, UTCDateTime

_SOURCE_APPLICATION_WHERE = "source_application_user_id IS NOT NULL AND source_application_reference IS NOT NULL"


class Person(DqtBookkeeping, Base):
    """A person, from a DQT ``contact``. The induction columns belong to the induction sync (ADR 0020)."""

    __tablename__ = "persons"
    __table_args__ = (
        Index(
            "ix_persons_trn",
            "trn",
            unique=True,
            postgresql_where=text("trn IS NOT NULL"),
            sqlite_where=text("trn IS NOT NULL"),
        ),
        Index(
            "ix_persons_dqt_contact_id",
            "dqt_contact_id",
            unique=True,
            postgresql_where=text("dqt_contact_id IS NOT NULL"),
            sqlite_where=text("dqt_contact_id IS NOT NULL"),
        ),
        # No FK: the merged-into contact may arrive on a later page or be deleted (ADR 0024).
        Index("ix_persons_merged_with_person_id", "merged_with_person_id"),
        Index("ix_persons_dqt_last_sync", "dqt_last_sync"),
        {"info": {DQT_ID_COLUMN: "dqt_contact_id"}},
    )

    person_id: Mapped[str] = mapped_column(GUID, primary_key=True)
    dqt_contact_id: Mapped[str | None] = mapped_column(GUID)
    trn: Mapped[str | None] = mapped_column(CHAR(7))
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    dqt_first_name: Mapped[str] = mapped_column(String(100))
    dqt_middle_name: Mapped[str] = mapped_column(String(100))
    dqt_last_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    email_address: Mapped[str | None] = mapped_column(String(100))
    # varchar on PostgreSQL (char padded 8-character temporary numbers); SQLite keeps its declared char (0007)
    national_insurance_number: Mapped[str | None] = mapped_column(String(9).with_variant(CHAR(9), "sqlite"))
    gender: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[int] = mapped_column(Integer)
    merged_with_person_id: Mapped[str | None] = mapped_column(GUID)
    created_on: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_on: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    deleted_on: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_by_tps: Mapped[bool | None] = mapped_column(Boolean)
    source_application_user_id: Mapped[str | None] = mapped_column(GUID)
    source_trn_request_id: Mapped[str | None] = mapped_column(String(100))
    allow_details_updates_from_source_application: Mapped[bool] = mapped_column(Boolean)
    dqt_allow_teacher_identity_sign_in_with_prohibitions: Mapped[bool] = mapped_column(Boolean)
    # Induction columns: written only by update_columns(..., version_column="dqt_induction_version").
    induction_status: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    induction_status_without_exemption: Mapped[int | None] = mapped_column(Integer)
    induction_start_date: Mapped[dt.date | None] = mapped_column(Date)
    induction_completed_date: Mapped[dt.date | None] = mapped_column(Date)
    induction_exemption_reason_ids: Mapped[list[str] | None] = mapped_column(GUIDArray)
    # The reasons as DQT holds them; induction_exemption_reason_ids is these minus those moved onto routes
    # (reference §3.10, ADR 0067). Written with the induction columns, read by both rules.
    dqt_induction_exemption_reason_ids: Mapped[list[str] | None] = mapped_column(GUIDArray)
    induction_exempt_without_reason: Mapped[bool | None] = mapped_column(Boolean)
    induction_modified_on: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    dqt_induction_id: Mapped[str | None] = mapped_column(GUID)
    dqt_induction_modified_on: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    dqt_induction_last_sync: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    dqt_induction_version: Mapped[int | None] = mapped_column(BigInteger)
    # Professional status columns (reference §5, derived from the routes; ADR 0034): written only by the
    # professional-status rebuild, guarded by dqt_professional_status_version (ADR 0062).
    qts_date: Mapped[dt.date | None] = mapped_column(Date)
    eyts_date: Mapped[dt.date | None] = mapped_column(Date)
    pqts_date: Mapped[dt.date | None] = mapped_column(Date)
    has_eyps: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    qtls_status: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    dqt_professional_status_version: Mapped[int | None] = mapped_column(BigInteger)
    dqt_professional_status_last_sync: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Qualification(DqtBookkeeping, Base):
    """A qualification, table per hierarchy on ``qualification_type``: 0 a mandatory qualification (one DQT
    ``dfeta_qualification``), 1 a route to professional status (rebuilt per person from the contact's ITT rows,
    QTS registrations and QTLS date; ADR 0033, 0061). Each subtype's columns are NULL on the other's rows."""

    __tablename__ = "qualifications"
    __table_args__ = (
        Index(
            "ix_qualifications_dqt_qualification_id",
            "dqt_qualification_id",
            unique=True,
            postgresql_where=text("dqt_qualification_id IS NOT NULL"),
            sqlite_where=text("dqt_qualification_id IS NOT NULL"),
        ),
        # TRS's unique index (its name, truncated as PostgreSQL truncated it).
        Index(
            "ix_qualifications_person_id_source_application_user_id_source_",
            "person_id",
            "source_application_user_id",
            "source_application_reference",
            unique=True,
            postgresql_where=text(_SOURCE_APPLICATION_WHERE),
            sqlite_where=text(_SOURCE_APPLICATION_WHERE),
        ),
        # The columns TRS declares NOT NULL on routes (MQ rows have none of them). SQLite stores a None list as
        # the JSON text 'null', hence the second test of training_subject_ids (a no-op on PostgreSQL's uuid[]).
        CheckConstraint(
            "qualification_type <> 1 OR (route_to_professional_status_type_id IS NOT NULL AND status IS NOT NULL "
            "AND training_subject_ids IS NOT NULL AND CAST(training_subject_ids AS TEXT) <> 'null')",
            name="route_columns",
        ),
        {"info": {DQT_ID_COLUMN: "dqt_qualification_id"}},
    )

    qualification_id: Mapped[str] = mapped_column(GUID, primary_key=True)
    dqt_qualification_id: Mapped[str | None] = mapped_column(GUID)
    qualification_type: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[str] = mapped_column(
        GUID, ForeignKey("persons.person_id", name="fk_qualifications_person"), index=True
    )
    created_on: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_on: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    deleted_on: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    mq_provider_id: Mapped[str | None] = mapped_column(
        GUID,
        ForeignKey(
            "mandatory_qualification_providers.mandatory_qualification_provider_id",
            name="fk_qualifications_mandatory_qualification_provider",
        ),
    )
    mq_specialism: Mapped[int | None] = mapped_column(Integer)
    mq_status: Mapped[int | None] = mapped_column(Integer)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    dqt_mq_establishment_id: Mapped[str | None] = mapped_column(GUID)
    dqt_specialism_id: Mapped[str | None] = mapped_column(GUID)
    # Route columns (qualification_type 1; professional-status reference §4.1). Provider and country have foreign
    # keys to tables filled from DQT's reference rows before any route names them; an array cannot, so the
    # subject ids have none (ADR 0068).
    route_to_professional_status_type_id: Mapped[str | None] = mapped_column(
        GUID,
        ForeignKey(
            "route_to_professional_status_types.route_to_professional_status_type_id",
            name="fk_qualifications_route_to_professional_status_type",
        ),
        index=True,
    )
    status: Mapped[int | None] = mapped_column(Integer)
    holds_from: Mapped[dt.date | None] = mapped_column(Date)
    training_start_date: Mapped[dt.date | None] = mapped_column(Date)
    training_end_date: Mapped[dt.date | None] = mapped_column(Date)
    training_subject_ids: Mapped[list[str] | None] = mapped_column(GUIDArray)
    training_age_specialism_type: Mapped[int | None] = mapped_column(Integer)
    training_age_specialism_range_from: Mapped[int | None] = mapped_column(Integer)
    training_age_specialism_range_to: Mapped[int | None] = mapped_column(Integer)
    training_country_id: Mapped[str | None] = mapped_column(
        String(10), ForeignKey("countries.country_id", name="fk_qualifications_countries_training_country_id")
    )
    training_provider_id: Mapped[str | None] = mapped_column(
        GUID,
        ForeignKey(
            "training_providers.training_provider_id", name="fk_qualifications_training_providers_training_provider_id"
        ),
    )
    degree_type_id: Mapped[str | None] = mapped_column(
        GUID, ForeignKey("degree_types.degree_type_id", name="fk_qualifications_degree_type")
    )
    exempt_from_induction: Mapped[bool | None] = mapped_column(Boolean)
    exempt_from_induction_due_to_qts_date: Mapped[bool | None] = mapped_column(Boolean)
    source_application_user_id: Mapped[str | None] = mapped_column(GUID)
    source_application_reference: Mapped[str | None] = mapped_column(String(200))
    dqt_teacher_status_name: Mapped[str | None] = mapped_column(Text)
    dqt_teacher_status_value: Mapped[str | None] = mapped_column(Text)
    dqt_early_years_status_name: Mapped[str | None] = mapped_column(Text)
    dqt_early_years_status_value: Mapped[str | None] = mapped_column(Text)
    dqt_initial_teacher_training_id: Mapped[str | None] = mapped_column(GUID, index=True)
    dqt_qts_registration_id: Mapped[str | None] = mapped_column(GUID, index=True)
    dqt_age_range_from: Mapped[str | None] = mapped_column(String(16))
    dqt_age_range_to: Mapped[str | None] = mapped_column(String(16))


class Alert(DqtBookkeeping, Base):
    """An alert, from a DQT ``dfeta_sanction`` whose code has a TRS alert type."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index(
            "ix_alerts_dqt_sanction_id",
            "dqt_sanction_id",
            unique=True,
            postgresql_where=text("dqt_sanction_id IS NOT NULL"),
            sqlite_where=text("dqt_sanction_id IS NOT NULL"),
        ),
        {"info": {DQT_ID_COLUMN: "dqt_sanction_id"}},
    )

    alert_id: Mapped[str] = mapped_column(GUID, primary_key=True)
    dqt_sanction_id: Mapped[str | None] = mapped_column(GUID)
    alert_type_id: Mapped[str] = mapped_column(
        GUID, ForeignKey("alert_types.alert_type_id", name="fk_alerts_alert_type"), index=True
    )
    person_id: Mapped[str] = mapped_column(GUID, ForeignKey("persons.person_id", name="fk_alerts_person"), index=True)
    details: Mapped[str | None] = mapped_column(Text)
    external_link: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    created_on: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_on: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    deleted_on: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    dqt_spent: Mapped[bool | None] = mapped_column(Boolean)


class PreviousName(DqtBookkeeping, Base):
    """A previous name, rebuilt per person from the ``dfeta_previousname`` rows (one name part each)."""

    __tablename__ = "previous_names"

    previous_name_id: Mapped[str] = mapped_column(GUID, primary_key=True)
    person_id: Mapped[str] = mapped_column(
        GUID, ForeignKey("persons.person_id", name="fk_previous_names_person"), index=True
    )
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    created_on: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_on: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    deleted_on: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    dqt_audit_id: Mapped[str | None] = mapped_column(GUID)
    dqt_previous_name_ids: Mapped[list[str] | None] = mapped_column(GUIDArray)


# A DQT key range (reconcile's ranges, ADR 0097) read from TRS in DQT's GUID order, with an index scan on the digits
# that order first. Partial, as the DQT-id indexes above: routes (qualifications without a DQT id) pay nothing.
for _table, _column in (
    (Person.__table__, "dqt_contact_id"),
    (Qualification.__table__, "dqt_qualification_id"),
    (Alert.__table__, "dqt_sanction_id"),
):
    _present = _table.c[_column].is_not(None)
    Index(
        f"ix_{_table.name}_{_column}_dqt_order",
        dqt_order_lead(_table.c[_column]),
        postgresql_where=_present,
        sqlite_where=_present,
    )
