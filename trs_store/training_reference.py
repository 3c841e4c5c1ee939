"""Writes of ``training_subjects``, ``training_providers`` and ``countries``, the rows a route's training columns
point at (ADR 0068).

The bridge derives the rows from DQT's reference rows and writes them in the same transaction as, and before, the
routes that name them, so the foreign keys from ``qualifications`` always hold. Rows are never deleted (a route
written earlier may still name one): a row DQT no longer has stays, and a changed name or UKPRN is updated.

Missing rows are inserted with ``ON CONFLICT DO NOTHING`` (two writers inserting the same row both succeed); only
rows whose other columns differ are updated, so a sync that brings nothing new writes nothing and takes no lock.

Nothing here commits; everything runs in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from sqlalchemy import Connection, Table, bindparam, select, update

from trs_store.dialect import dialect_insert
from trs_store.models import metadata
from trs_store.types import GUID, canonical_guid
from trs_store.upsert import KEY_CHUNK, chunks

#: The three tables, by name, with their key column.
TABLES: Final = {
    "training_subjects": "training_subject_id",
    "training_providers": "training_provider_id",
    "countries": "country_id",
}


def ensure_rows(connection: Connection, table_name: str, rows: Iterable[Mapping[str, Any]]) -> int:
    """Make ``rows`` (each with every column of ``table_name``) present and current in ``table_name``. Returns how
    many rows were inserted or updated."""
    if table_name not in TABLES:
        raise ValueError(f"{table_name} is not a training reference table")
    table: Table = metadata.tables[table_name]
    key = TABLES[table_name]
    normalise = canonical_guid if isinstance(table.c[key].type, GUID) else str
    wanted = {normalise(row[key]): {**row, key: normalise(row[key])} for row in rows}
    if not wanted:
        return 0
    columns = [c.name for c in table.c]
    stored: dict[Any, dict[str, Any]] = {}
    for chunk in chunks(sorted(wanted), KEY_CHUNK):
        for row in connection.execute(select(table).where(table.c[key].in_(chunk))).mappings():
            stored[str(row[key])] = dict(row)
    missing = [wanted[k] for k in sorted(wanted) if k not in stored]
    changed = [
        wanted[k]
        for k in sorted(wanted)
        if k in stored and any(stored[k][c] != wanted[k][c] for c in columns if c != key)
    ]
    if missing:
        statement = dialect_insert(connection, table).on_conflict_do_nothing(index_elements=[table.c[key]])
        connection.execute(statement, [{c: row[c] for c in columns} for row in missing])
    if changed:
        statement = (
            update(table)
            .where(table.c[key] == bindparam("k_key", type_=table.c[key].type))
            .values({c: bindparam(f"v_{c}", type_=table.c[c].type) for c in columns if c != key})
        )
        params = [{"k_key": row[key], **{f"v_{c}": row[c] for c in columns if c != key}} for row in changed]
        connection.execute(statement, params)
    return len(missing) + len(changed)


def ensure_training_reference(
    connection: Connection,
    *,
    subjects: Iterable[Mapping[str, Any]] = (),
    providers: Iterable[Mapping[str, Any]] = (),
    countries: Iterable[Mapping[str, Any]] = (),
) -> int:
    """:func:`ensure_rows` for the three tables. Returns how many rows were inserted or updated."""
    return (
        ensure_rows(connection, "training_subjects", subjects)
        + ensure_rows(connection, "training_providers", providers)
        + ensure_rows(connection, "countries", countries)
    )


__all__ = ["TABLES", "ensure_rows", "ensure_training_reference"]
