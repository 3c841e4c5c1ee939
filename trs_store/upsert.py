"""Bulk writes used by every sync page: the newer-wins upsert, the guarded partial update, deletes, events.

Every function runs inside the caller's transaction and never commits: the page's rows, its events and its
change-journal checkpoint commit together or not at all (ADR 0023).

Newer wins (ADR 0020): an incoming row applies only if the stored row's ``dqt_version`` (the DQT
``versionnumber`` it reflects) is NULL or smaller. Replaying a page, or receiving an older version after a
newer one, is therefore a counted no-op (``stale``). The store stamps ``dqt_first_sync`` on insert and
``dqt_last_sync`` on insert and on every applied update; it never changes the primary key, the DQT id column
or ``dqt_first_sync`` of an existing row.

PostgreSQL takes the COPY path (ADR 0022): rows are streamed with psycopg 3's ``cursor.copy()`` into a
temporary table on the same connection and transaction, then merged with one ``INSERT … SELECT … ON CONFLICT
DO UPDATE … WHERE`` whose ``RETURNING (xmax = 0)`` tells inserts from updates. SQLite reads the stored versions
of the batch's keys first (its writer holds the database lock, so they cannot change underneath) and then
runs one ``executemany`` of the same guarded upsert for the rows that apply.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import orjson
from sqlalchemy import JSON, Connection, Table, bindparam, delete, or_, select, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError

from trs_store.dialect import dialect_insert
from trs_store.errors import InvalidRows, InvalidValue
from trs_store.models import DQT_ID_COLUMN, metadata
from trs_store.types import GUID, UTCDateTime, as_utc, canonical_guid

#: Columns the store stamps itself; if a row carries them they are ignored.
STAMPED_COLUMNS: Final = frozenset({"dqt_first_sync", "dqt_last_sync"})
#: The newer-wins key of a synced row.
VERSION_COLUMN: Final = "dqt_version"
#: How many keys go into one ``IN (…)`` list (well under SQLite's 32,766 and PostgreSQL's 65,535 parameters).
KEY_CHUNK: Final = 1000

_temp_names: Iterator[int] = itertools.count(1)


@dataclass(frozen=True, slots=True)
class UpsertResult:
    """What a batch did: new rows, rows replaced by a newer version, and rows ignored as not newer."""

    inserted: int = 0
    updated: int = 0
    stale: int = 0
    #: The keys (canonical text) the batch inserted and updated: what the database itself reported applying, so
    #: a caller never infers it from versions read before the write (another writer may have come between).
    inserted_keys: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    updated_keys: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    @property
    def applied(self) -> int:
        return self.inserted + self.updated

    @property
    def applied_keys(self) -> frozenset[str]:
        return self.inserted_keys | self.updated_keys

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.stale

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.stale + other.stale,
            self.inserted_keys | other.inserted_keys,
            self.updated_keys | other.updated_keys,
        )


@dataclass(frozen=True, slots=True)
class UpdateResult:
    """What a guarded partial update did: rows changed, rows not newer, and keys with no row to update."""

    updated: int = 0
    stale: int = 0
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeleteResult:
    """Rows hard-deleted from the table itself, and from each dependent table (ADR 0021)."""

    deleted: int = 0
    dependants: Mapping[str, int] = field(default_factory=dict)


def resolve_table(table: Table | str) -> Table:
    """The store's ``Table`` for ``table`` (a ``Table`` or a table name)."""
    if isinstance(table, Table):
        return table
    try:
        return metadata.tables[table]
    except KeyError:
        raise InvalidRows(f"unknown table {table!r}") from None


def primary_key_column(table: Table) -> str:
    """The single primary-key column of a synced table."""
    keys = list(table.primary_key.columns)
    if len(keys) != 1:
        raise InvalidRows(f"{table.name} has a composite primary key; bulk writes need a single-column key")
    return keys[0].name


# --------------------------------------------------------------------------------------------------------------
# Newer-wins upsert
# --------------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Batch:
    table: Table
    key: str
    columns: tuple[str, ...]
    rows: dict[Any, Mapping[str, Any]]  # canonical key -> row, de-duplicated (highest version wins)
    duplicates: int


def upsert_rows(
    connection: Connection, table: Table | str, rows: Sequence[Mapping[str, Any]], *, now: dt.datetime
) -> UpsertResult:
    """Insert or newer-wins update ``rows`` (dicts keyed by column names, all with the same keys) into ``table``.

    ``now`` is stamped into ``dqt_first_sync``/``dqt_last_sync``. Rows repeating a key within the batch keep
    only the highest ``dqt_version`` (the others count as stale). Database errors propagate (the caller's
    transaction is then unusable until rolled back; see ``upsert_rows_isolating`` for per-row isolation).
    """
    target = resolve_table(table)
    batch = _prepare(target, rows, key=primary_key_column(target), version_column=VERSION_COLUMN)
    if not batch.rows:
        return UpsertResult(stale=batch.duplicates)
    stamp = as_utc(now)
    if connection.dialect.name == "postgresql":
        result = _upsert_postgresql(connection, batch, stamp)
    else:
        result = _upsert_sqlite(connection, batch, stamp)
    return result + UpsertResult(stale=batch.duplicates)


def _prepare(table: Table, rows: Sequence[Mapping[str, Any]], *, key: str, version_column: str) -> _Batch:
    if not rows:
        return _Batch(table, key, (), {}, 0)
    keys = set(rows[0]) - STAMPED_COLUMNS
    unknown = sorted(keys - set(table.c.keys()))
    if unknown:
        raise InvalidRows(f"{table.name} has no column(s) {', '.join(unknown)}")
    for required in (key, version_column):
        if required not in keys:
            raise InvalidRows(f"rows for {table.name} must include {required}")
    columns = tuple(c.name for c in table.c if c.name in keys)  # table order: stable SQL, stable COPY
    datetime_columns = [c.name for c in table.c if c.name in keys and isinstance(c.type, UTCDateTime)]
    key_is_guid = isinstance(table.c[key].type, GUID)
    expected = set(rows[0])

    deduped: dict[Any, Mapping[str, Any]] = {}
    duplicates = 0
    for row in rows:
        if row.keys() != expected:
            raise InvalidRows(f"rows for {table.name} must all have the same columns")
        for name in datetime_columns:
            value = row[name]
            if value is not None and (not isinstance(value, dt.datetime) or value.utcoffset() is None):
                raise InvalidValue(table.name, name, "timestamps must be timezone-aware datetimes")
        raw_key = row[key]
        try:
            row_key = canonical_guid(raw_key) if key_is_guid else raw_key
        except ValueError:
            raise InvalidValue(table.name, key, "not a GUID") from None
        previous = deduped.get(row_key)
        if previous is not None:
            duplicates += 1
            if _newer(previous[version_column], row[version_column]) is False:
                continue  # keep the stored-so-far row: the new one is strictly older
        deduped[row_key] = row
    return _Batch(table, key, columns, deduped, duplicates)


def _newer(stored: int | None, incoming: int | None) -> bool:
    """The SQL guard in Python: ``stored IS NULL OR stored < incoming`` (NULL comparisons are not true)."""
    if stored is None:
        return True
    return incoming is not None and stored < incoming


def _upsert_sqlite(connection: Connection, batch: _Batch, now: dt.datetime) -> UpsertResult:
    table, key = batch.table, batch.key
    stored = _stored_versions(connection, table, key, VERSION_COLUMN, list(batch.rows))
    inserted: list[str] = []
    updated: list[str] = []
    stale = 0
    params: list[dict[str, Any]] = []
    for row_key, row in batch.rows.items():
        if row_key not in stored:
            inserted.append(str(row_key))
        elif _newer(stored[row_key], row[VERSION_COLUMN]):
            updated.append(str(row_key))
        else:
            stale += 1
            continue
        values = {name: row[name] for name in batch.columns}
        values[key] = row_key
        values["dqt_first_sync"] = now
        values["dqt_last_sync"] = now
        params.append(values)
    if params:
        statement = sqlite.insert(table)
        frozen = {key, table.info.get(DQT_ID_COLUMN), "dqt_first_sync"}
        statement = statement.on_conflict_do_update(
            index_elements=[table.c[key]],
            set_={name: statement.excluded[name] for name in (*batch.columns, "dqt_last_sync") if name not in frozen},
            where=or_(table.c[VERSION_COLUMN].is_(None), table.c[VERSION_COLUMN] < statement.excluded[VERSION_COLUMN]),
        )
        connection.execute(statement, params)
    return UpsertResult(len(inserted), len(updated), stale, frozenset(inserted), frozenset(updated))


def _upsert_postgresql(connection: Connection, batch: _Batch, now: dt.datetime) -> UpsertResult:
    table, key = batch.table, batch.key
    quote = connection.dialect.identifier_preparer.quote
    temp = _copy_into_temp_table(connection, table, batch.columns, _rows_for_copy(batch))
    columns = ", ".join(quote(name) for name in batch.columns)
    frozen = {key, table.info.get(DQT_ID_COLUMN), "dqt_first_sync"}
    assignments = ", ".join(
        f"{quote(name)} = EXCLUDED.{quote(name)}" for name in (*batch.columns, "dqt_last_sync") if name not in frozen
    )
    statement = text(
        f"""
        INSERT INTO {quote(table.name)} AS t ({columns}, dqt_first_sync, dqt_last_sync)
        SELECT {columns}, CAST(:now AS timestamptz), CAST(:now AS timestamptz) FROM {temp}
        ORDER BY {quote(key)}
        ON CONFLICT ({quote(key)}) DO UPDATE SET {assignments}
        WHERE t.{VERSION_COLUMN} IS NULL OR t.{VERSION_COLUMN} < EXCLUDED.{VERSION_COLUMN}
        RETURNING t.{quote(key)} AS key, (t.xmax = 0) AS inserted
        """  # noqa: S608 - identifiers come from the table's metadata, values are bound or COPYed
    )
    inserted: list[str] = []
    updated: list[str] = []
    for row_key, was_inserted in connection.execute(statement, {"now": now}):
        (inserted if was_inserted else updated).append(str(row_key))
    connection.execute(text(f"DROP TABLE {temp}"))
    stale = len(batch.rows) - len(inserted) - len(updated)
    return UpsertResult(len(inserted), len(updated), stale, frozenset(inserted), frozenset(updated))


def _rows_for_copy(batch: _Batch) -> Iterator[list[Any]]:
    """Rows as COPY values in ``batch.columns`` order: the canonical key, JSON wrapped as ``Jsonb``."""
    json_positions = [i for i, name in enumerate(batch.columns) if isinstance(batch.table.c[name].type, JSON)]
    key_position = batch.columns.index(batch.key)
    for row_key, row in batch.rows.items():
        values = [row[name] for name in batch.columns]
        values[key_position] = row_key
        for i in json_positions:
            if values[i] is not None:
                values[i] = jsonb(values[i])
        yield values


def _dumps(value: Any) -> bytes | str:
    """orjson where it can (about 5x the standard library's speed on a page of events), the standard library
    for what orjson refuses (non-string keys, integers beyond 64 bits): PostgreSQL parses either the same."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value)


def jsonb(value: Any) -> Any:
    """``value`` as a psycopg ``Jsonb`` for COPY, serialised by :func:`_dumps`."""
    from psycopg.types.json import Jsonb

    return Jsonb(value, dumps=_dumps)


def _copy_into_temp_table(connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[Any]) -> str:
    """Create a temporary table shaped like ``columns`` of ``table`` (no constraints: those are checked by the
    merge into the real table) and COPY ``rows`` into it on the caller's connection and transaction."""
    import psycopg

    quote = connection.dialect.identifier_preparer.quote
    temp = f"_trs_{table.name}_{next(_temp_names)}"
    column_list = ", ".join(quote(name) for name in columns)
    # Executed through SQLAlchemy first, so the transaction the raw cursor joins is the caller's.
    connection.execute(
        text(f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {column_list} FROM {quote(table.name)} WITH NO DATA")  # noqa: S608
    )
    copy_sql = f"COPY {temp} ({column_list}) FROM STDIN"
    raw = connection.connection.driver_connection
    assert raw is not None
    try:
        with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for values in rows:
                copy.write_row(values)
    except psycopg.Error as exc:
        # Same exception classes as every other statement (IntegrityError, DataError…), never the values.
        raise DBAPIError.instance(
            copy_sql, None, exc, psycopg.Error, hide_parameters=True, dialect=connection.dialect
        ) from exc
    return temp


def _stored_versions(
    connection: Connection, table: Table, key: str, version_column: str, keys: Sequence[Any]
) -> dict[Any, int | None]:
    stored: dict[Any, int | None] = {}
    key_col, version_col = table.c[key], table.c[version_column]
    for chunk in chunks(keys, KEY_CHUNK):
        for row_key, version in connection.execute(select(key_col, version_col).where(key_col.in_(chunk))):
            stored[row_key] = version
    return stored


def chunks(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --------------------------------------------------------------------------------------------------------------
# Guarded partial update (the induction columns of persons)
# --------------------------------------------------------------------------------------------------------------


def update_columns(
    connection: Connection,
    table: Table | str,
    key: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    now: dt.datetime,
    version_column: str = "dqt_induction_version",
    last_sync_column: str | None = "dqt_induction_last_sync",
    stored_versions: Mapping[str, int | None] | None = None,
) -> UpdateResult:
    """UPDATE the columns present in ``rows`` (plus ``version_column``) of existing rows found by ``key``, only
    where the stored ``version_column`` is NULL or smaller; stamp ``last_sync_column`` with ``now``.

    Never inserts: keys with no row are reported in ``missing`` (e.g. an induction whose person has not been
    synced yet) so the caller can retry or record them. Other columns of the row are left untouched.
    The counts come from reading the stored versions first; the UPDATE itself is guarded, so a concurrent
    writer can skew a count but never make an older version win. A caller that has just read (and locked) the
    rows passes their ``stored_versions`` (``{canonical key: version}``, every existing row) to save the read.
    """
    target = resolve_table(table)
    batch = _prepare(target, rows, key=key, version_column=version_column)
    if not batch.rows:
        return UpdateResult(stale=batch.duplicates)
    stamp = as_utc(now)
    stored = (
        stored_versions
        if stored_versions is not None
        else _stored_versions(connection, target, key, version_column, list(batch.rows))
    )
    missing: list[str] = []
    stale = batch.duplicates
    params: list[dict[str, Any]] = []
    set_columns = [name for name in batch.columns if name != key]
    for row_key, row in batch.rows.items():
        if row_key not in stored:
            missing.append(str(row_key))
        elif not _newer(stored[row_key], row[version_column]):
            stale += 1
        else:
            values = {f"v_{name}": row[name] for name in set_columns}
            values["k_key"] = row_key
            values["k_version"] = row[version_column]
            params.append(values)
    if params and connection.dialect.name == "postgresql":
        _update_postgresql(connection, target, key, version_column, set_columns, last_sync_column, params, stamp)
    elif params:
        assignments: dict[str, Any] = {name: bindparam(f"v_{name}", type_=target.c[name].type) for name in set_columns}
        if last_sync_column is not None:
            assignments[last_sync_column] = bindparam("v_last_sync", value=stamp, type_=UTCDateTime())
            for values in params:
                values["v_last_sync"] = stamp
        version = target.c[version_column]
        statement = (
            update(target)
            .where(target.c[key] == bindparam("k_key", type_=target.c[key].type))
            .where(or_(version.is_(None), version < bindparam("k_version", type_=version.type)))
            .values(assignments)
        )
        params.sort(key=lambda values: str(values["k_key"]))  # one lock order for every writer
        connection.execute(statement, params)
    return UpdateResult(updated=len(params), stale=stale, missing=tuple(missing))


def _update_postgresql(  # noqa: PLR0917 - the pieces update_columns already worked out
    connection: Connection,
    target: Table,
    key: str,
    version_column: str,
    set_columns: Sequence[str],
    last_sync_column: str | None,
    params: Sequence[Mapping[str, Any]],
    stamp: dt.datetime,
) -> None:
    """The guarded UPDATE of ``params`` as COPY into a temporary table and one ``UPDATE … FROM`` (ADR 0057): a
    backfill page updates thousands of persons, one statement each cost ~0.2 ms of round trip and parsing. The
    rows are locked in key order first, as the executemany's sorted order did, so writers cannot deadlock."""
    quote = connection.dialect.identifier_preparer.quote
    columns = [key, *set_columns]
    if version_column not in columns:
        columns.append(version_column)
    json_columns = {name for name in columns if isinstance(target.c[name].type, JSON)}

    def value(row: Mapping[str, Any], name: str) -> Any:
        found = row["k_key"] if name == key else row["k_version"] if name == version_column else row[f"v_{name}"]
        return jsonb(found) if name in json_columns and found is not None else found

    values = ([value(row, name) for name in columns] for row in params)
    temp = _copy_into_temp_table(connection, target, columns, values)
    k, v = quote(key), quote(version_column)
    guard = f"(t.{v} IS NULL OR t.{v} < s.{v})"
    assignments = [f"{quote(name)} = s.{quote(name)}" for name in columns if name != key]
    if last_sync_column is not None:
        assignments.append(f"{quote(last_sync_column)} = CAST(:now AS timestamptz)")
    table_name = quote(target.name)
    lock = f"SELECT 1 FROM {table_name} t JOIN {temp} s ON t.{k} = s.{k} WHERE {guard} ORDER BY t.{k} FOR UPDATE OF t"  # noqa: S608
    connection.execute(text(lock))  # identifiers from the table's metadata, values COPYed
    connection.execute(
        text(f"UPDATE {table_name} AS t SET {', '.join(assignments)} FROM {temp} s WHERE t.{k} = s.{k} AND {guard}"),  # noqa: S608
        {"now": stamp},
    )
    connection.execute(text(f"DROP TABLE {temp}"))


# --------------------------------------------------------------------------------------------------------------
# Deletes
# --------------------------------------------------------------------------------------------------------------


def dependent_tables(table: Table) -> list[tuple[Table, str]]:
    """``(child table, FK column)`` for every store table with a foreign key to ``table``'s primary key."""
    found: list[tuple[Table, str]] = []
    for child in metadata.sorted_tables:
        for fk in child.foreign_keys:
            if fk.column.table is table and fk.parent.table is child:
                found.append((child, fk.parent.name))
    return found


def delete_rows(connection: Connection, table: Table | str, ids: Iterable[Any]) -> DeleteResult:
    """Hard-delete the rows of ``table`` whose primary key is in ``ids``, after hard-deleting every row that
    references them (recursively), so no foreign key can fail (ADR 0021).

    For ``persons`` this removes the person's qualifications, alerts and previous names, as Dataverse's
    parental cascade does when a contact is deleted. ``events`` are kept (history; ``person_id`` has no FK), and
    ``merged_with_person_id`` of other persons is left pointing at the deleted id (it has no FK either).
    """
    target = resolve_table(table)
    key = primary_key_column(target)
    key_type = target.c[key].type
    normalised = [canonical_guid(v) if isinstance(key_type, GUID) else v for v in ids]
    dependants: dict[str, int] = {}
    deleted = _delete_cascading(connection, target, key, list(dict.fromkeys(normalised)), dependants)
    return DeleteResult(deleted=deleted, dependants=dependants)


def _delete_cascading(
    connection: Connection, table: Table, column: str, values: Sequence[Any], counts: dict[str, int]
) -> int:
    deleted = 0
    for chunk in chunks(values, KEY_CHUNK):
        for child, fk_column in dependent_tables(table):
            child_key = primary_key_column(child)
            child_ids = list(
                connection.execute(select(child.c[child_key]).where(child.c[fk_column].in_(chunk))).scalars()
            )
            if child_ids:
                counts[child.name] = counts.get(child.name, 0) + _delete_cascading(
                    connection, child, child_key, child_ids, counts
                )
        result = connection.execute(delete(table).where(table.c[column].in_(chunk)))
        deleted += result.rowcount
    return deleted


def prune_children(
    connection: Connection,
    table: Table | str,
    *,
    parent_column: str,
    parent_ids: Iterable[Any],
    keep_ids: Iterable[Any],
) -> int:
    """Hard-delete the rows of ``table`` that belong to ``parent_ids`` (through ``parent_column``) and whose
    primary key is not in ``keep_ids``. Returns how many rows were deleted.

    For tables rebuilt per parent, like ``previous_names`` (the whole set of a person's previous names is
    recomputed from DQT): upsert the new set, then prune the person's rows that are no longer in it, in the
    same transaction. This is TRS's ``MERGE … WHEN NOT MATCHED BY SOURCE THEN DELETE`` for those persons.
    """
    target = resolve_table(table)
    key = target.c[primary_key_column(target)]
    parent = target.c[parent_column]
    norm_key = canonical_guid if isinstance(key.type, GUID) else (lambda v: v)
    norm_parent = canonical_guid if isinstance(parent.type, GUID) else (lambda v: v)
    keep = {norm_key(v) for v in keep_ids}
    parents = list(dict.fromkeys(norm_parent(v) for v in parent_ids))
    doomed: list[Any] = []
    for chunk in chunks(parents, KEY_CHUNK):
        doomed.extend(k for k in connection.execute(select(key).where(parent.in_(chunk))).scalars() if k not in keep)
    return delete_rows(connection, target, doomed).deleted if doomed else 0


def soft_delete_rows(connection: Connection, table: Table | str, ids: Iterable[Any], *, now: dt.datetime) -> int:
    """Set ``deleted_on = now`` on the rows of ``table`` whose key is in ``ids`` and are not already deleted.

    Deactivations normally arrive as rows (``dqt_state = 1`` with ``deleted_on`` set by the mapping) through
    the upsert; this is for callers that decide to keep a row DQT hard-deleted. Returns the rows changed.
    """
    target = resolve_table(table)
    if "deleted_on" not in target.c:
        raise InvalidRows(f"{target.name} has no deleted_on column")
    key = target.c[primary_key_column(target)]
    values = list(dict.fromkeys(canonical_guid(v) if isinstance(key.type, GUID) else v for v in ids))
    stamp = as_utc(now)
    changed = 0
    for chunk in chunks(values, KEY_CHUNK):
        statement = update(target).where(key.in_(chunk), target.c.deleted_on.is_(None)).values(deleted_on=stamp)
        changed += connection.execute(statement).rowcount
    return changed


# --------------------------------------------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------------------------------------------

_EVENT_COLUMNS: Final = ("event_id", "event_name", "created", "inserted", "payload", "key", "person_id", "published")


def insert_events(
    connection: Connection, events: Sequence[Mapping[str, Any]], *, now: dt.datetime | None = None
) -> int:
    """Insert ``events`` (dicts keyed by ``events`` columns), skipping any whose ``event_id`` or ``key`` is
    already stored (``ON CONFLICT DO NOTHING``), including duplicates within the batch. ``inserted``
    defaults to ``now`` (default: the current time) and ``published`` to false. Returns the rows inserted."""
    if not events:
        return 0
    table = metadata.tables["events"]
    stamp = as_utc(now or dt.datetime.now(dt.UTC))
    params: list[dict[str, Any]] = []
    for event in events:
        unknown = set(event) - set(_EVENT_COLUMNS)
        if unknown:
            raise InvalidRows(f"events has no column(s) {', '.join(sorted(unknown))}")
        params.append(
            {
                "event_id": event["event_id"],
                "event_name": event["event_name"],
                "created": event["created"],
                "inserted": event.get("inserted") or stamp,
                "payload": event["payload"],
                "key": event.get("key"),
                "person_id": event.get("person_id"),
                "published": bool(event.get("published", False)),
            }
        )
    if connection.dialect.name == "postgresql":
        return _insert_events_postgresql(connection, table, params)
    # One cached statement run as an executemany: SQLAlchemy batches it into multi-row INSERTs itself
    # ("insertmanyvalues"), where a ``.values(list)`` statement would be compiled anew for every page.
    statement = dialect_insert(connection, table).on_conflict_do_nothing().returning(table.c.event_id)
    return len(connection.execute(statement, params).all())


def _insert_events_postgresql(connection: Connection, table: Table, params: list[dict[str, Any]]) -> int:
    """COPY the events into a temporary table and merge them with one ``INSERT … SELECT … ON CONFLICT DO
    NOTHING`` (ADR 0022): a page's thousands of events cost one round trip instead of a huge parsed INSERT."""
    quote = connection.dialect.identifier_preparer.quote
    rows = (
        [
            canonical_guid(p["event_id"]),
            p["event_name"],
            as_utc(p["created"]),
            as_utc(p["inserted"]),
            jsonb(p["payload"]) if p["payload"] is not None else None,
            p["key"],
            canonical_guid(p["person_id"]) if p["person_id"] is not None else None,
            p["published"],
        ]
        for p in params
    )
    temp = _copy_into_temp_table(connection, table, _EVENT_COLUMNS, rows)
    columns = ", ".join(quote(name) for name in _EVENT_COLUMNS)
    statement = text(
        f"WITH applied AS (INSERT INTO {quote(table.name)} ({columns}) SELECT {columns} FROM {temp} "  # noqa: S608
        f"ON CONFLICT DO NOTHING RETURNING 1) SELECT count(*) FROM applied"
    )
    inserted = int(connection.execute(statement).scalar_one())
    connection.execute(text(f"DROP TABLE {temp}"))
    return inserted
