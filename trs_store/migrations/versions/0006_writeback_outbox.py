"""Write-back: the outbox of TRS edits bound for DQT, the conflicts the relay found, and (PostgreSQL only)
triggers that capture edits other applications make with plain SQL.

The triggers put an ``outbox_messages`` row in the same transaction as the edit (ADR 0071). They ignore:

* writes whose transaction says it is the bridge (``SET LOCAL trs_bridge.origin = 'sync' | 'bridge'``): the
  sync's pages and the edit service, which writes its own message;
* writes that change ``dqt_version``: only a write that brings a DQT version does that (the sync, a backfill,
  a replay, the relay applying what DQT returned), so a DQT-originated write is never sent back even from a
  transaction that did not say so;
* routes (``qualification_type <> 0``), rows inserted with a DQT id or version, and hard deletes (TRS deletes
  an MQ by setting ``deleted_on``; a hard delete is what the sync does when DQT deleted the record).

Revision ID: 0006_writeback_outbox
Revises: 0005_professional_status
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import sqlalchemy as sa
from alembic import op

from trs_store.types import GUID, JSONDocument, UTCDateTime

revision: str = "0006_writeback_outbox"
down_revision: str | Sequence[str] | None = "0005_professional_status"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _mq_state(row: str) -> str:
    """The MQ state snapshot (``mappings.writeback.MQ_STATE_KEYS``) of ``NEW`` or ``OLD`` as jsonb."""
    return (
        f"jsonb_build_object('mq_provider_id', {row}.mq_provider_id::text, 'mq_specialism', {row}.mq_specialism, "
        f"'start_date', to_char({row}.start_date, 'YYYY-MM-DD'), 'mq_status', {row}.mq_status, "
        f"'end_date', to_char({row}.end_date, 'YYYY-MM-DD'), 'deleted', {row}.deleted_on IS NOT NULL)"
    )


_SKIP: Final = "coalesce(current_setting('trs_bridge.origin', true), '') IN ('sync', 'bridge')"

_INSERT_MESSAGE: Final = """
    INSERT INTO outbox_messages (message_id, kind, entity_set, record_id, person_id, base_version, old_state,
                                 new_state, origin, raised_by, status, attempts, created_at, merged)
    VALUES (gen_random_uuid(), msg_kind, {entity_set}, {record_id}, NEW.person_id, base, old_state, new_state,
            'sql', session_user, 'pending', 0, now(), false);
"""

MQ_FUNCTION: Final = f"""
CREATE FUNCTION trs_bridge_capture_mq() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_state jsonb;
    new_state jsonb;
    msg_kind text;
    base bigint;
BEGIN
    IF {_SKIP} OR NEW.qualification_type IS DISTINCT FROM 0 THEN
        RETURN NULL;
    END IF;
    new_state := {_mq_state("NEW")};
    IF TG_OP = 'INSERT' THEN
        IF NEW.dqt_version IS NOT NULL OR NEW.dqt_qualification_id IS NOT NULL OR NEW.deleted_on IS NOT NULL THEN
            RETURN NULL;
        END IF;
        msg_kind := 'mq_create';
    ELSE
        IF NEW.dqt_version IS DISTINCT FROM OLD.dqt_version THEN
            RETURN NULL;
        END IF;
        old_state := {_mq_state("OLD")};
        IF old_state = new_state OR (old_state->>'deleted')::boolean THEN
            RETURN NULL;
        END IF;
        base := OLD.dqt_version;
        msg_kind := CASE WHEN (new_state->>'deleted')::boolean THEN 'mq_delete' ELSE 'mq_update' END;
    END IF;
    {_INSERT_MESSAGE.format(entity_set="'dfeta_qualifications'", record_id="NEW.qualification_id")}
    RETURN NULL;
END
$$;
"""

NAME_FUNCTION: Final = f"""
CREATE FUNCTION trs_bridge_capture_name() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_state jsonb;
    new_state jsonb;
    msg_kind text := 'name_change';
    base bigint := OLD.dqt_version;
BEGIN
    IF {_SKIP} OR NEW.dqt_version IS DISTINCT FROM OLD.dqt_version THEN
        RETURN NULL;
    END IF;
    old_state := jsonb_build_object('first_name', OLD.dqt_first_name, 'middle_name', OLD.dqt_middle_name,
                                    'last_name', OLD.dqt_last_name);
    new_state := jsonb_build_object(
        'first_name', CASE WHEN NEW.first_name IS DISTINCT FROM OLD.first_name
                           THEN NEW.first_name ELSE OLD.dqt_first_name END,
        'middle_name', CASE WHEN NEW.middle_name IS DISTINCT FROM OLD.middle_name
                            THEN NEW.middle_name ELSE OLD.dqt_middle_name END,
        'last_name', CASE WHEN NEW.last_name IS DISTINCT FROM OLD.last_name
                          THEN NEW.last_name ELSE OLD.dqt_last_name END);
    IF old_state = new_state THEN
        RETURN NULL;
    END IF;
    {_INSERT_MESSAGE.format(entity_set="'contacts'", record_id="NEW.person_id")}
    RETURN NULL;
END
$$;
"""

TRIGGERS: Final = (
    "CREATE TRIGGER trs_bridge_capture_mq AFTER INSERT OR UPDATE ON qualifications "
    "FOR EACH ROW EXECUTE FUNCTION trs_bridge_capture_mq()",
    "CREATE TRIGGER trs_bridge_capture_name AFTER UPDATE OF first_name, middle_name, last_name ON persons "
    "FOR EACH ROW WHEN (OLD.first_name IS DISTINCT FROM NEW.first_name "
    "OR OLD.middle_name IS DISTINCT FROM NEW.middle_name OR OLD.last_name IS DISTINCT FROM NEW.last_name) "
    "EXECUTE FUNCTION trs_bridge_capture_name()",
)


def upgrade() -> None:
    op.create_table(
        "outbox_messages",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("message_id", GUID(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("entity_set", sa.Text(), nullable=False),
        sa.Column("record_id", GUID(), nullable=False),
        sa.Column("person_id", GUID(), nullable=False),
        sa.Column("base_version", sa.BigInteger(), nullable=True),
        sa.Column("old_state", JSONDocument, nullable=True),
        sa.Column("new_state", JSONDocument, nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("raised_by", sa.Text(), nullable=True),
        sa.Column("caller_object_id", GUID(), nullable=True),
        sa.Column("status", sa.Text(), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("locked_by", sa.Text(), nullable=True),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("sent_if_match", sa.BigInteger(), nullable=True),
        sa.Column("dqt_version_after", sa.BigInteger(), nullable=True),
        sa.Column("merged", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('mq_create', 'mq_update', 'mq_delete', 'name_change')", name=op.f("ck_outbox_messages_kind")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'conflict', 'failed', 'superseded')",
            name=op.f("ck_outbox_messages_status"),
        ),
        sa.PrimaryKeyConstraint("seq", name="pk_outbox_messages"),
        sa.UniqueConstraint("message_id", name="uq_outbox_messages_message_id"),
    )
    op.create_index(
        "ix_outbox_messages_status_next_attempt_at", "outbox_messages", ["status", "next_attempt_at"], unique=False
    )
    op.create_index("ix_outbox_messages_record_id_seq", "outbox_messages", ["record_id", "seq"], unique=False)
    op.create_table(
        "conflicts",
        sa.Column("conflict_id", GUID(), nullable=False),
        sa.Column("message_id", GUID(), nullable=False),
        sa.Column("entity_set", sa.Text(), nullable=False),
        sa.Column("record_id", GUID(), nullable=False),
        sa.Column("person_id", GUID(), nullable=False),
        sa.Column("base_version", sa.BigInteger(), nullable=True),
        sa.Column("dqt_version", sa.BigInteger(), nullable=True),
        sa.Column("base_snapshot", JSONDocument, nullable=True),
        sa.Column("trs_snapshot", JSONDocument, nullable=False),
        sa.Column("dqt_snapshot", JSONDocument, nullable=True),
        sa.Column("dqt_record", JSONDocument, nullable=True),
        sa.Column("fields", JSONDocument, nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'open'"), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_by", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'resolved')", name=op.f("ck_conflicts_status")),
        sa.CheckConstraint("resolution IS NULL OR resolution IN ('trs', 'dqt')", name=op.f("ck_conflicts_resolution")),
        sa.ForeignKeyConstraint(["message_id"], ["outbox_messages.message_id"], name="fk_conflicts_outbox_message"),
        sa.PrimaryKeyConstraint("conflict_id", name="pk_conflicts"),
    )
    op.create_index("ix_conflicts_message_id", "conflicts", ["message_id"], unique=False)
    op.create_index("ix_conflicts_status", "conflicts", ["status"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(MQ_FUNCTION)
        op.execute(NAME_FUNCTION)
        for trigger in TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trs_bridge_capture_name ON persons")
        op.execute("DROP TRIGGER IF EXISTS trs_bridge_capture_mq ON qualifications")
        op.execute("DROP FUNCTION IF EXISTS trs_bridge_capture_name()")
        op.execute("DROP FUNCTION IF EXISTS trs_bridge_capture_mq()")
    op.drop_index("ix_conflicts_status", table_name="conflicts")
    op.drop_index("ix_conflicts_message_id", table_name="conflicts")
    op.drop_table("conflicts")
    op.drop_index("ix_outbox_messages_record_id_seq", table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_status_next_attempt_at", table_name="outbox_messages")
    op.drop_table("outbox_messages")
