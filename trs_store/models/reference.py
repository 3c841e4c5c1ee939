"""Reference tables seeded by migrations with the real TRS rows and ids (data dictionary §3.4, §3.6–3.8; route
types and degree types: professional-status reference §4.2, §3.8), and the three a route's training columns point
at, which the professional-status rebuild fills from DQT's reference rows (ADR 0068)."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from trs_store.models.base import Base
from trs_store.types import GUID


class MandatoryQualificationProvider(Base):
    """One of the 14 TRS MQ providers that DQT's 40 establishments map onto."""

    __tablename__ = "mandatory_qualification_providers"

    mandatory_qualification_provider_id: Mapped[str] = mapped_column(GUID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class AlertCategory(Base):
    """One of the 12 alert categories."""

    __tablename__ = "alert_categories"

    alert_category_id: Mapped[str] = mapped_column(GUID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    display_order: Mapped[int | None] = mapped_column(Integer, unique=True)


class AlertType(Base):
    """One of the 45 alert types; ``dqt_sanction_code`` is how a DQT sanction finds its type."""

    __tablename__ = "alert_types"

    alert_type_id: Mapped[str] = mapped_column(GUID, primary_key=True)
    alert_category_id: Mapped[str] = mapped_column(
        GUID, ForeignKey("alert_categories.alert_category_id", name="fk_alert_types_alert_category"), index=True
    )
    name: Mapped[str | None] = mapped_column(String(200))
    dqt_sanction_code: Mapped[str | None] = mapped_column(String(5))
    prohibition_level: Mapped[int | None] = mapped_column(Integer)
    internal_only: Mapped[bool | None] = mapped_column(Boolean)
    is_active: Mapped[bool | None] = mapped_column(Boolean)
    display_order: Mapped[int | None] = mapped_column(Integer)


class InductionExemptionReason(Base):
    """A reason a person is exempt from induction; ``persons.induction_exemption_reason_ids`` holds these ids."""

    __tablename__ = "induction_exemption_reasons"

    induction_exemption_reason_id: Mapped[str] = mapped_column(GUID, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool | None] = mapped_column(Boolean)


class DegreeType(Base):
    """A TRS degree type; seeded with the 38 a route's ITT qualification can map to (ADR 0060)."""

    __tablename__ = "degree_types"

    degree_type_id: Mapped[str] = mapped_column(GUID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class RouteToProfessionalStatusType(Base):
    """One of the 66 route types (professional-status reference §4.2); a route's ``qualifications`` row names one.

    ``professional_status_type``: 0 QTS, 1 EYTS, 2 EYPS, 3 PQTS. The nine ``*_required`` columns hold a
    ``FieldRequirement``: 0 optional, 1 mandatory, 2 not applicable.
    """

    __tablename__ = "route_to_professional_status_types"
    __table_args__ = (
        # TRS's name (the convention's would pass PostgreSQL's 63-character limit).
        Index("ix_route_to_professional_status_induction_exemption_reason_id", "induction_exemption_reason_id"),
    )

    route_to_professional_status_type_id: Mapped[str] = mapped_column(GUID, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    professional_status_type: Mapped[int] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean)
    training_start_date_required: Mapped[int] = mapped_column(Integer)
    training_end_date_required: Mapped[int] = mapped_column(Integer)
    holds_from_required: Mapped[int] = mapped_column(Integer)
    induction_exemption_required: Mapped[int] = mapped_column(Integer)
    training_provider_required: Mapped[int] = mapped_column(Integer)
    degree_type_required: Mapped[int] = mapped_column(Integer)
    training_country_required: Mapped[int] = mapped_column(Integer)
    training_age_specialism_type_required: Mapped[int] = mapped_column(Integer)
    training_subjects_required: Mapped[int] = mapped_column(Integer)
    induction_exemption_reason_id: Mapped[str | None] = mapped_column(
        GUID,
        ForeignKey(
            "induction_exemption_reasons.induction_exemption_reason_id",
            name="fk_route_types_induction_exemption_reason",
        ),
    )


class TrainingSubject(Base):
    """A subject a route's ``training_subject_ids`` names: one per DQT ``dfeta_ittsubject`` code (``reference``),
    its id derived from the code (``mappings.routes.training_subject_id``)."""

    __tablename__ = "training_subjects"

    training_subject_id: Mapped[str] = mapped_column(GUID, primary_key=True)
    reference: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)


class TrainingProvider(Base):
    """An ITT provider: a DQT ``account`` flagged ``dfeta_trainingprovider``, under its DQT id."""

    __tablename__ = "training_providers"
    __table_args__ = (Index("ix_training_providers_ukprn", "ukprn"),)

    training_provider_id: Mapped[str] = mapped_column(GUID, primary_key=True)
    ukprn: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)


class Country(Base):
    """A country by TRS code (DQT's code after TRS's substitutions, e.g. XF → GB-ENG)."""

    __tablename__ = "countries"

    country_id: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
