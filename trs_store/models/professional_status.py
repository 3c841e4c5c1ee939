"""Which person each DQT ITT row and QTS registration belongs to, as the last professional-status rebuild read it.

A route names at most one ITT row and one QTS registration, and many DQT rows make no route at all (a
registration with no status, an ITT with an ignored result, a row of a contact whose mapping failed), yet
deleting or re-parenting any of them can change the person's routes. Change tracking reports a deleted row by
id only, so the bridge keeps this index of every row a rebuild read, active or not (ADR 0063).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from trs_store.models.base import Base
from trs_store.types import GUID


class ProfessionalStatusSource(Base):
    """One DQT ``dfeta_initialteachertraining`` or ``dfeta_qtsregistration`` row and the person it belongs to."""

    __tablename__ = "professional_status_sources"

    dqt_id: Mapped[str] = mapped_column(GUID, primary_key=True)
    entity_set: Mapped[str] = mapped_column(Text)
    person_id: Mapped[str] = mapped_column(
        GUID, ForeignKey("persons.person_id", name="fk_professional_status_sources_person"), index=True
    )
    dqt_version: Mapped[int | None] = mapped_column(BigInteger)
