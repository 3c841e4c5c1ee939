"""Write-back: the transactional outbox of TRS edits bound for DQT, and the conflicts the relay found.

An edit of a mandatory qualification or of a person's name and its ``outbox_messages`` row commit in one
transaction (ADR 0070): the bridge's edit service writes both, and on PostgreSQL triggers capture edits other
applications make with plain SQL. The relay sends messages in ``seq`` order per record and records what DQT
returned; a 412 it cannot merge becomes a ``conflicts`` row for an operator (ADR 0072).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from trs_store.models.base import Base
from trs_store.types import GUID, JSONDocument, UTCDateTime

#: ``seq``: BIGSERIAL on PostgreSQL, SQLite's rowid alias (which must be spelt INTEGER).
SEQ_TYPE = BigInteger().with_variant(Integer(), "sqlite")

OUTBOX_KINDS = ("mq_create", "mq_update", "mq_delete", "name_change")
OUTBOX_STATUSES = ("pending", "sent", "conflict", "failed", "superseded")
#: Statuses of a message whose edit DQT does not hold yet: it blocks later messages of its record, and the
#: sync keeps TRS's values of the columns it edits (ADR 0074).
UNDELIVERED_STATUSES = ("pending", "conflict", "failed")


class OutboxMessageRow(Base):
    """One TRS edit to send to DQT. ``message_id`` is stable: it is the TRS event id carried in
    ``dfeta_trsevent`` and the seed of every id the write creates, so a repeated delivery is recognisable."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("kind IN ('mq_create', 'mq_update', 'mq_delete', 'name_change')", name="kind"),
        CheckConstraint("status IN ('pending', 'sent', 'conflict', 'failed', 'superseded')", name="status"),
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_messages_record_id_seq", "record_id", "seq"),
    )

    seq: Mapped[int] = mapped_column(SEQ_TYPE, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(GUID, unique=True)
    kind: Mapped[str] = mapped_column(Text)
    entity_set: Mapped[str] = mapped_column(Text)
    #: The DQT record the message writes (the MQ's id, or the person's contact id): the ordering key.
    record_id: Mapped[str] = mapped_column(GUID)
    person_id: Mapped[str] = mapped_column(GUID)
    #: The DQT ``versionnumber`` the edit was based on (the row's ``dqt_version`` at edit time); NULL for a create.
    base_version: Mapped[int | None] = mapped_column(BigInteger)
    old_state: Mapped[Any] = mapped_column(JSONDocument, nullable=True)
    new_state: Mapped[Any] = mapped_column(JSONDocument)
    origin: Mapped[str] = mapped_column(Text)
    raised_by: Mapped[str | None] = mapped_column(Text)
    #: The editing user's Entra object id, sent as ``CallerObjectId`` (impersonation) when known.
    caller_object_id: Mapped[str | None] = mapped_column(GUID)
    status: Mapped[str] = mapped_column(Text, server_default=text("'pending'"))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    locked_by: Mapped[str | None] = mapped_column(Text)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The version the delivered write was conditioned on (``If-Match``) and the version DQT gave it: the
    #: pair that lets later messages of the record rebase and lets the sync recognise the echo (ADR 0074).
    sent_if_match: Mapped[int | None] = mapped_column(BigInteger)
    dqt_version_after: Mapped[int | None] = mapped_column(BigInteger)
    merged: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class ConflictRow(Base):
    """A TRS edit DQT refused with 412 whose fields DQT had changed too: nothing was overwritten; an operator
    keeps one side (``trs`` re-sends the edit on top of DQT's version, ``dqt`` takes DQT's values into TRS)."""

    __tablename__ = "conflicts"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'resolved')", name="status"),
        CheckConstraint("resolution IS NULL OR resolution IN ('trs', 'dqt')", name="resolution"),
        Index("ix_conflicts_status", "status"),
    )

    conflict_id: Mapped[str] = mapped_column(GUID, primary_key=True)
    message_id: Mapped[str] = mapped_column(
        GUID, ForeignKey("outbox_messages.message_id", name="fk_conflicts_outbox_message"), index=True
    )
    entity_set: Mapped[str] = mapped_column(Text)
    record_id: Mapped[str] = mapped_column(GUID)
    person_id: Mapped[str] = mapped_column(GUID)
    base_version: Mapped[int | None] = mapped_column(BigInteger)
    dqt_version: Mapped[int | None] = mapped_column(BigInteger)
    #: State snapshots: what the edit was based on, what TRS wants, what DQT holds now (TRS terms).
    base_snapshot: Mapped[Any] = mapped_column(JSONDocument, nullable=True)
    trs_snapshot: Mapped[Any] = mapped_column(JSONDocument)
    dqt_snapshot: Mapped[Any] = mapped_column(JSONDocument, nullable=True)
    #: DQT's current record as the Web API returned it.
    dqt_record: Mapped[Any] = mapped_column(JSONDocument, nullable=True)
    fields: Mapped[Any] = mapped_column(JSONDocument)
    status: Mapped[str] = mapped_column(Text, server_default=text("'open'"))
    resolution: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(Text)
