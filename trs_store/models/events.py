"""``events``: TRS's event log. Keys are deterministic (``<DQT id>-<kind>-<versionnumber>``), so a re-synced
page inserts nothing twice (``insert_events`` is ``ON CONFLICT DO NOTHING`` on the PK and the key)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Index, String, false, text
from sqlalchemy.orm import Mapped, mapped_column

from trs_store.models.base import Base
from trs_store.types import GUID, JSONDocument, UTCDateTime

#: The predicate of the deletion events' partial index; a query must spell it the same to use the index.
DELETED_KEYS = "key LIKE '%-Deleted'"


class Event(Base):
    """One TRS event; ``published`` is for a later outbox relay."""

    __tablename__ = "events"
    __table_args__ = (
        Index(
            "ix_events_key",
            "key",
            unique=True,
            postgresql_where=text("key IS NOT NULL"),
            sqlite_where=text("key IS NOT NULL"),
        ),
        Index(
            "ix_events_person_id_event_name",
            "person_id",
            "event_name",
            postgresql_where=text("person_id IS NOT NULL"),
            sqlite_where=text("person_id IS NOT NULL"),
        ),
        # The deletions of the last minutes, which a backfill page must not resurrect (ADR 0051, migration 0009)
        Index(
            "ix_events_deleted_inserted",
            "inserted",
            postgresql_where=text(DELETED_KEYS),
            sqlite_where=text(DELETED_KEYS),
        ),
    )

    event_id: Mapped[str] = mapped_column(GUID, primary_key=True)
    event_name: Mapped[str] = mapped_column(String(200))
    created: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    inserted: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    key: Mapped[str | None] = mapped_column(String(200))
    person_id: Mapped[str | None] = mapped_column(GUID)
    published: Mapped[bool] = mapped_column(Boolean, server_default=false())
