"""The change journal: where each change feed stands, per (changes key, entity set).

Dataverse change tracking gives two positions. The *deltaLink* ends a complete pass and is the bookmark for
the next one; the *nextLink* points at the next page of a pass in progress. The journal keeps both:

- ``save_position`` after a page is applied, while more pages follow: ``next_link`` = the next page, the
  previous ``delta_link`` is kept (it is where a restart falls back to if the next link is unusable);
- ``save_checkpoint`` after the last page: ``delta_link`` = the new bookmark, ``next_link`` cleared;
- ``reset`` forgets the feed, so the next run starts with a full initial pass (e.g. after an expired token).

Every function runs in the caller's transaction, and that is the point (ADR 0023): the page's rows and the
position after it commit together, so a crash can never record a position whose data was lost, nor keep data
whose position was lost (which would only replay it: the upsert is idempotent).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Connection, Table, delete, select

from trs_store.dialect import dialect_insert
from trs_store.models import metadata
from trs_store.types import as_utc

#: Page size recorded when a checkpoint is the first entry of a feed and no size is given (DQT's last value).
DEFAULT_PAGE_SIZE: Final = 200

Clock = Callable[[], dt.datetime]

_table: Table = metadata.tables["change_journal"]


def utc_now() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One feed's position. ``in_progress`` when a pass has pages left (``next_link`` is set)."""

    changes_key: str
    entity_set: str
    delta_link: str | None
    next_link: str | None
    page_size: int
    last_updated: dt.datetime
    last_updated_by: str
    full_pass_started_at: dt.datetime | None = None

    @property
    def in_progress(self) -> bool:
        return self.next_link is not None

    @property
    def initialised(self) -> bool:
        """Whether a complete pass has ever finished (there is a bookmark to continue from)."""
        return self.delta_link is not None


class ChangeJournal:
    """Reads and writes journal entries in the caller's transaction. ``clock`` stamps ``last_updated``."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self._clock = clock

    def get(self, connection: Connection, key: str, entity_set: str) -> JournalEntry | None:
        """The entry for (``key``, ``entity_set``), or ``None`` if the feed has never been started."""
        row = connection.execute(
            select(_table).where(_table.c.changes_key == key, _table.c.entity_set == entity_set)
        ).one_or_none()
        return None if row is None else JournalEntry(**row._asdict())

    def all(self, connection: Connection) -> list[JournalEntry]:
        """Every entry, ordered by key and entity set (for status displays)."""
        rows = connection.execute(select(_table).order_by(_table.c.changes_key, _table.c.entity_set))
        return [JournalEntry(**row._asdict()) for row in rows]

    def save_position(
        self, connection: Connection, key: str, entity_set: str, *, next_link: str, page_size: int, by: str
    ) -> JournalEntry:
        """Record that a pass continues at ``next_link`` (pages of ``page_size``); keeps the ``delta_link``."""
        return self._write(
            connection, key, entity_set, by=by, next_link=next_link, page_size=page_size, delta_link=None
        )

    def save_checkpoint(
        self,
        connection: Connection,
        key: str,
        entity_set: str,
        *,
        delta_link: str,
        by: str,
        page_size: int | None = None,
    ) -> JournalEntry:
        """Record a completed pass: ``delta_link`` is the new bookmark and ``next_link`` is cleared."""
        return self._write(
            connection, key, entity_set, by=by, next_link=None, page_size=page_size, delta_link=delta_link
        )

    def begin_full_pass(
        self, connection: Connection, key: str, entity_set: str, *, started_at: dt.datetime, page_size: int, by: str
    ) -> JournalEntry:
        """Start a full pass from the first page: no links, and ``full_pass_started_at`` remembered so the
        pass can sweep the rows it did not see when it ends, even if it is resumed after a crash."""
        values: dict[str, object] = {
            "changes_key": key,
            "entity_set": entity_set,
            "next_link": None,
            "delta_link": None,
            "page_size": page_size,
            "last_updated": as_utc(self._clock()),
            "last_updated_by": by,
            "full_pass_started_at": as_utc(started_at),
        }
        statement = dialect_insert(connection, _table).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[_table.c.changes_key, _table.c.entity_set],
            set_={name: statement.excluded[name] for name in values if name not in ("changes_key", "entity_set")},
        ).returning(*_table.c)
        return JournalEntry(**connection.execute(statement).one()._asdict())

    def reset(self, connection: Connection, key: str, entity_set: str) -> bool:
        """Forget the feed (the next run makes a full initial pass). Returns whether there was an entry."""
        result = connection.execute(
            delete(_table).where(_table.c.changes_key == key, _table.c.entity_set == entity_set)
        )
        return result.rowcount > 0

    def _write(
        self,
        connection: Connection,
        key: str,
        entity_set: str,
        *,
        by: str,
        next_link: str | None,
        page_size: int | None,
        delta_link: str | None,
    ) -> JournalEntry:
        values: dict[str, object] = {
            "changes_key": key,
            "entity_set": entity_set,
            "next_link": next_link,
            "page_size": page_size or DEFAULT_PAGE_SIZE,
            "delta_link": delta_link,
            "last_updated": as_utc(self._clock()),
            "last_updated_by": by,
        }
        updates = ["next_link", "last_updated", "last_updated_by"]
        if delta_link is not None:  # a finished pass: it is no longer a full pass in progress
            values["full_pass_started_at"] = None
            updates.append("full_pass_started_at")
        if page_size is not None:
            updates.append("page_size")
        if delta_link is not None:
            updates.append("delta_link")
        statement = dialect_insert(connection, _table).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[_table.c.changes_key, _table.c.entity_set],
            set_={name: statement.excluded[name] for name in updates},
        ).returning(*_table.c)
        return JournalEntry(**connection.execute(statement).one()._asdict())


_default = ChangeJournal()

#: Module-level shortcuts using the real clock: ``journal.get(conn, key, entity_set)`` and so on.
get = _default.get
all_entries = _default.all
save_position = _default.save_position
save_checkpoint = _default.save_checkpoint
reset = _default.reset
begin_full_pass = _default.begin_full_pass
