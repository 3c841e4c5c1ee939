"""Read-side helpers a sync page needs around the upsert: stored versions, ``touch`` and the full-pass sweep.

A *full pass* reads every current row of a DQT entity set (the first sync, or a re-read after the delta token
expired). Rows DQT no longer has never appear in it, so the pass touches (``dqt_last_sync = now``) every row it
sees, stale or not, and at its end the rows of that table not touched since the pass began are the ones DQT
deleted in the gap: :func:`sweep_untouched` removes them (with their dependants, ADR 0021).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Connection, or_, select, update

from trs_store.dialect import key_in
from trs_store.types import as_utc, canonical_guid
from trs_store.upsert import KEY_CHUNK, chunks, delete_rows, primary_key_column, resolve_table


def stored_versions(
    connection: Connection, table: str, keys: Iterable[str], *, version_column: str = "dqt_version"
) -> dict[str, int | None]:
    """``{key: stored version}`` for the keys that have a row in ``table`` (absent keys are left out)."""
    target = resolve_table(table)
    key_col = target.c[primary_key_column(target)]
    version_col = target.c[version_column]
    wanted = list(dict.fromkeys(canonical_guid(k) for k in keys))
    found: dict[str, int | None] = {}
    for chunk in chunks(wanted, KEY_CHUNK):
        for key, version in connection.execute(select(key_col, version_col).where(key_in(connection, key_col, chunk))):
            found[str(key)] = version
    return found


def existing_keys(connection: Connection, table: str, keys: Iterable[str]) -> set[str]:
    """The subset of ``keys`` that have a row in ``table``."""
    return set(stored_versions(connection, table, keys))


def touch_rows(
    connection: Connection, table: str, keys: Iterable[str], *, now: dt.datetime, column: str = "dqt_last_sync"
) -> int:
    """Stamp ``column = now`` on the rows of ``table`` whose key is in ``keys`` (seen by a full pass). Rows already
    stamped at or after ``now`` (the page's own inserts and updates) are not written again."""
    target = resolve_table(table)
    key_col = target.c[primary_key_column(target)]
    stamp_col = target.c[column]
    wanted = list(dict.fromkeys(canonical_guid(k) for k in keys))
    stamp = as_utc(now)
    touched = 0
    for chunk in chunks(wanted, KEY_CHUNK):
        statement = (
            update(target)
            .where(key_in(connection, key_col, chunk), or_(stamp_col.is_(None), stamp_col < stamp))
            .values({column: stamp})
        )
        touched += connection.execute(statement).rowcount
    return touched


def touch_children(
    connection: Connection, table: str, *, parent_column: str, parent_ids: Iterable[str], now: dt.datetime
) -> int:
    """Stamp ``dqt_last_sync = now`` on every row of ``table`` belonging to ``parent_ids``."""
    target = resolve_table(table)
    parents = list(dict.fromkeys(canonical_guid(p) for p in parent_ids))
    stamp = as_utc(now)
    touched = 0
    for chunk in chunks(parents, KEY_CHUNK):
        statement = update(target).where(target.c[parent_column].in_(chunk)).values(dqt_last_sync=stamp)
        touched += connection.execute(statement).rowcount
    return touched


def untouched_keys(connection: Connection, table: str, *, since: dt.datetime, dqt_id_column: str) -> list[str]:
    """Keys of rows that came from DQT (``dqt_id_column`` set) and were not touched since ``since``."""
    target = resolve_table(table)
    key_col = target.c[primary_key_column(target)]
    last_sync = target.c.dqt_last_sync
    statement = select(key_col).where(
        target.c[dqt_id_column].is_not(None), or_(last_sync.is_(None), last_sync < as_utc(since))
    )
    return [str(k) for k in connection.execute(statement).scalars()]


def sweep_untouched(connection: Connection, table: str, *, since: dt.datetime, dqt_id_column: str) -> list[str]:
    """Hard-delete the rows a full pass did not see (DQT deleted them while our delta token was expired)."""
    doomed = untouched_keys(connection, table, since=since, dqt_id_column=dqt_id_column)
    if doomed:
        delete_rows(connection, table, doomed)
    return doomed
