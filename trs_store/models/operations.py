"""Operator state the bridge keeps beside its journal: backfill runs and their shards, and paused feeds.

A backfill shard's ``position`` (the last primary key applied) is written in the same transaction as the
page's rows (ADR 0051), exactly as the change journal is (ADR 0023), so a killed backfill resumes after the
last committed page: nothing lost, nothing applied twice beyond the page in flight (which newer-wins makes
harmless).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from trs_store.models.base import Base
from trs_store.types import GUID, UTCDateTime

#: The counters a backfill shard keeps (the same names as ``sync_runs``' counts).
SHARD_COUNTS = ("pages", "seen", "inserted", "updated", "stale", "deleted", "skipped", "failed")


class BackfillRunRow(Base):
    """One backfill of one entity set, split into ``shards`` primary-key ranges."""

    __tablename__ = "backfill_runs"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'succeeded', 'failed', 'abandoned')", name="status"),
        CheckConstraint("shards >= 1", name="shards"),
        Index("ix_backfill_runs_entity_set_status", "entity_set", "status"),
    )

    run_id: Mapped[str] = mapped_column(GUID, primary_key=True)
    entity_set: Mapped[str] = mapped_column(Text)
    shards: Mapped[int] = mapped_column(Integer)
    page_size: Mapped[int] = mapped_column(Integer)
    distributed: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    status: Mapped[str] = mapped_column(Text, server_default=text("'running'"))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    started_by: Mapped[str] = mapped_column(Text)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)
    #: A change-tracking deltaLink taken before the first shard read anything (DBLog-style, ADR 0052): when the
    #: run succeeds it becomes the feed's journal checkpoint if the feed has none, so live sync carries on from
    #: there instead of re-reading everything.
    delta_link: Mapped[str | None] = mapped_column(Text)


class BackfillShardRow(Base):
    """One key range of a backfill run: ``[key_from, key_to)`` (NULL = unbounded) and how far it got."""

    __tablename__ = "backfill_shards"
    __table_args__ = (CheckConstraint("status IN ('pending', 'running', 'done', 'failed')", name="status"),)

    run_id: Mapped[str] = mapped_column(
        GUID, ForeignKey("backfill_runs.run_id", ondelete="CASCADE", name="fk_backfill_shards_run"), primary_key=True
    )
    shard: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_from: Mapped[str | None] = mapped_column(GUID)
    key_to: Mapped[str | None] = mapped_column(GUID)
    #: The last primary key applied (committed with its page); the shard continues after it.
    position: Mapped[str | None] = mapped_column(GUID)
    status: Mapped[str] = mapped_column(Text, server_default=text("'pending'"))
    pages: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    seen: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    inserted: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    updated: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    stale: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    deleted: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    skipped: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    failed: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    #: Who works on the shard (``host:pid``) and when it last committed a page: a claim older than the lease,
    #: or held by a dead process on this host, may be taken over.
    claimed_by: Mapped[str | None] = mapped_column(Text)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)


class FeedPauseRow(Base):
    """A paused feed: the sync, the scheduler and the workers skip it until it is resumed (row deleted)."""

    __tablename__ = "feed_pauses"

    entity_set: Mapped[str] = mapped_column(Text, primary_key=True)
    paused_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    paused_by: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
