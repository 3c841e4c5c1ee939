"""Which person each DQT ITT row and QTS registration belongs to, as the last professional-status rebuild read it.

A route names at most one ITT row and one QTS registration, and many DQT rows make no route at all (a
registration with no status, an ITT with an ignored result, a row of a contact whose mapping failed), yet
deleting or re-parenting any of them can change the person's routes. Change tracking reports a deleted row by
id only, so the bridge keeps this index of every row a rebuild read, active or not (ADR 0063).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from trs_store.models.base import Base
from trs_store.types import GUID, GUIDArray, UTCDateTime


class ProfessionalStatusSource(Base):
    """One DQT ``dfeta_initialteachertraining`` or ``dfeta_qtsregistration`` row and the person it belongs to."""

    __tablename__ = "professional_status_sources"

    dqt_id: Mapped[str] = mapped_column(GUID, primary_key=True)
    entity_set: Mapped[str] = mapped_column(Text)
    person_id: Mapped[str] = mapped_column(
        GUID, ForeignKey("persons.person_id", name="fk_professional_status_sources_person"), index=True
    )
    dqt_version: Mapped[int | None] = mapped_column(BigInteger)


class RouteNotMigrated(Base):
    """A documented row-scoped reason (``DoNotMigrateIttResult``, ``PotentialDuplicateIttRecords``, …) why some of
    a person's DQT rows made no route, as the person's last applied rebuild found it (ADR 0069). Replaced with the
    person's routes; kept for ``trs-bridge routes report``. Contact-scoped reasons are failed records instead."""

    __tablename__ = "routes_not_migrated"

    #: uuid5 of the person and ``ordinal``: a rebuild's outcomes replace the previous ones row for row.
    not_migrated_id: Mapped[str] = mapped_column(GUID, primary_key=True)
    person_id: Mapped[str] = mapped_column(
        GUID, ForeignKey("persons.person_id", name="fk_routes_not_migrated_person"), index=True
    )
    ordinal: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    dqt_initial_teacher_training_id: Mapped[str | None] = mapped_column(GUID)
    dqt_qts_registration_id: Mapped[str | None] = mapped_column(GUID)
    compatible_itt_ids: Mapped[list[str] | None] = mapped_column(GUIDArray)
    recorded_on: Mapped[dt.datetime] = mapped_column(UTCDateTime)
