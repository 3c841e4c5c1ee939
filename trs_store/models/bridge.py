"""The bridge's own tables: the change journal, failed records and sync runs (docs/trs-schema.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Identity, Index, Integer, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from trs_store.models.base import Base
from trs_store.types import GUID, JSONDocument, UTCDateTime

#: A bigint identity on PostgreSQL; SQLite autoincrements only an ``INTEGER PRIMARY KEY``.
_BigId = BigInteger().with_variant(Integer(), "sqlite")


class ChangeJournalRow(Base):
    """Where a change feed stands, per (changes key, entity set).

    ``delta_link`` is the last completed checkpoint (the bookmark); ``next_link`` is the next page of a pass in
    progress (the progress marker) and is NULL between passes. Written in the same transaction as the page's
    rows, so position and data commit together (ADR 0023).
    """

    __tablename__ = "change_journal"

    changes_key: Mapped[str] = mapped_column(Text, primary_key=True)
    entity_set: Mapped[str] = mapped_column(Text, primary_key=True)
    delta_link: Mapped[str | None] = mapped_column(Text)
    next_link: Mapped[str | None] = mapped_column(Text)
    page_size: Mapped[int] = mapped_column(Integer)
    last_updated: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_updated_by: Mapped[str] = mapped_column(Text)
    #: When the current full pass began; NULL when the feed is following deltas (see migration 0003).
    full_pass_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class FailedRecordRow(Base):
    """A DQT record that could not be mapped or stored; at most one ``open`` row per (entity set, DQT id)."""

    __tablename__ = "failed_records"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'replayed', 'discarded')", name="status"),
        CheckConstraint("attempts >= 1", name="attempts"),
        Index(
            "ix_failed_records_open",
            "entity_set",
            "dqt_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
        Index("ix_failed_records_status_entity_set_last_seen", "status", "entity_set", "last_seen"),
    )

    failed_record_id: Mapped[int] = mapped_column(_BigId, Identity(), primary_key=True)
    entity_set: Mapped[str] = mapped_column(Text)
    dqt_id: Mapped[str | None] = mapped_column(GUID)
    raw_payload: Mapped[Any] = mapped_column(JSONDocument)
    error_kind: Mapped[str] = mapped_column(Text)
    field: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)
    mapping_version: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    first_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(Text, server_default=text("'open'"))
    resolution: Mapped[str | None] = mapped_column(Text)


class SyncRunRow(Base):
    """One run of a sync, backfill or replay over one entity set, with its counts."""

    __tablename__ = "sync_runs"
    __table_args__ = (
        CheckConstraint("mode IN ('sync', 'backfill', 'replay')", name="mode"),
        CheckConstraint("outcome IS NULL OR outcome IN ('succeeded', 'failed', 'interrupted')", name="outcome"),
        Index("ix_sync_runs_entity_set_started_at", "entity_set", "started_at"),
    )

    run_id: Mapped[str] = mapped_column(GUID, primary_key=True)
    entity_set: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    seen: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    inserted: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    updated: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    stale: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    deleted: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    skipped: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    failed: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    error: Mapped[str | None] = mapped_column(Text)
