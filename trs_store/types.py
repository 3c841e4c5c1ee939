"""Portable column types: one schema on PostgreSQL (production) and SQLite (the embedded default).

========================  ===========================  ==============================================
type                      PostgreSQL                   SQLite
========================  ===========================  ==============================================
:class:`GUID`             ``uuid``                     ``VARCHAR(36)``, canonical lower-case text
:class:`GUIDArray`        ``uuid[]``                   JSON array of canonical GUID strings
:data:`JSONDocument`      ``jsonb``                    JSON text
:class:`UTCDateTime`      ``timestamptz``              ISO-8601 text, always UTC
========================  ===========================  ==============================================

Python values are plain: GUIDs are lower-case ``str`` (``uuid.UUID`` is accepted on the way in),
timestamps are aware ``datetime``s in UTC (naive ones are refused rather than guessed).

Migrations import these classes by name, so renaming or removing one breaks history: add, never rename.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any, Final

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

#: ``jsonb`` on PostgreSQL, JSON text on SQLite.
JSONDocument: TypeEngine[Any] = JSON().with_variant(postgresql.JSONB(), "postgresql")


_CANONICAL_GUID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def canonical_guid(value: object) -> str:
    """``value`` (``str`` in any case, with or without braces, or ``uuid.UUID``) as canonical lower-case text.

    Raises ``ValueError`` for anything that is not a GUID; the message names no value.
    """
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str):
        if _CANONICAL_GUID.fullmatch(value):  # the usual case (mappings emit canonical GUIDs): no parsing
            return value
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise ValueError("not a GUID") from None
    raise ValueError(f"not a GUID (got {type(value).__name__})")


def as_utc(value: dt.datetime) -> dt.datetime:
    """``value`` converted to UTC; refuses naive datetimes (``ValueError``), which would be ambiguous."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError("naive datetime: timestamps must be timezone-aware")
    return value.astimezone(dt.UTC)


class GUID(TypeDecorator[str]):
    """A GUID: PostgreSQL ``uuid``, SQLite 36-character text. Python side: lower-case ``str``."""

    impl = String(36)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.UUID(as_uuid=False))
        return dialect.type_descriptor(String(36))

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else canonical_guid(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else str(value)


class GUIDArray(TypeDecorator[list[str]]):
    """A list of GUIDs: PostgreSQL ``uuid[]``, SQLite a JSON array. Python side: ``list[str]``."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.ARRAY(postgresql.UUID(as_uuid=False)))
        return dialect.type_descriptor(JSON())

    def process_bind_param(self, value: Any, dialect: Dialect) -> list[str] | None:
        return None if value is None else [canonical_guid(v) for v in value]

    def process_result_value(self, value: Any, dialect: Dialect) -> list[str] | None:
        return None if value is None else [str(v) for v in value]


class UTCDateTime(TypeDecorator[dt.datetime]):
    """``timestamptz``; on SQLite ISO text in UTC. Binds aware datetimes only and always returns aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        utc = as_utc(value)
        # SQLite's DateTime drops the offset when it renders text, so hand it the UTC wall time.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        stored: dt.datetime = value
        if stored.tzinfo is None:
            return stored.replace(tzinfo=dt.UTC)
        return stored.astimezone(dt.UTC)
