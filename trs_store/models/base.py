"""The declarative base, its naming convention, and the ``dqt_*`` bookkeeping shared by synced tables."""

from __future__ import annotations

import datetime as dt
from typing import Final

from sqlalchemy import BigInteger, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from trs_store.types import UTCDateTime

#: Constraint names follow TRS (``pk_persons``, ``fk_alerts_person`` is given explicitly, ``ix_persons_trn``).
NAMING_CONVENTION: Final = {
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}

#: The key of ``Table.info`` naming a synced table's DQT id column, which an upsert never changes.
DQT_ID_COLUMN: Final = "dqt_id_column"


class Base(DeclarativeBase):
    """Base of every TRS and bridge table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class DqtBookkeeping:
    """Columns every row synced from DQT carries (docs/trs-schema.md).

    ``dqt_version`` is the DQT ``versionnumber`` the row reflects and the newer-wins key (ADR 0020):
    an incoming row applies only if ``stored.dqt_version IS NULL OR stored.dqt_version < incoming``.
    ``dqt_first_sync``/``dqt_last_sync`` are stamped by the store, never taken from the mapping.
    """

    dqt_state: Mapped[int | None] = mapped_column(Integer, sort_order=100)
    dqt_created_on: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, sort_order=100)
    dqt_modified_on: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, sort_order=100)
    dqt_first_sync: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, sort_order=100)
    dqt_last_sync: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, sort_order=100)
    dqt_version: Mapped[int | None] = mapped_column(BigInteger, sort_order=100)
