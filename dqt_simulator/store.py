"""The in-memory organisation: one table per entity set, a single org-wide version counter, undo.

* Rows are stored exactly in Web API shape (``@odata.etag`` first, every column present, lookups as
  ``_x_value``), so a page without ``$select`` is serialised straight from the stored dicts.
* Rows are never mutated: an update stores a new dict, so a reader that took references under the lock
  can serialise them after releasing it.
* The primary-key index is a ``SortedKeyList`` of lower-case GUID strings in SQL Server's order
  (:mod:`dqt_simulator.guid_order`): pages are found by seeking past the last key, never by offset.
* Every change appends ``(versionnumber, id, deleted)`` to the table's change log; versions only grow,
  so "changes since v" is a bisect (see ``change_tracking``).
* A :class:`Transaction` records undo steps so a ``$batch`` change set or a ``CreateMultiple`` can be
  rolled back as a whole; the store lock is held for its duration.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sortedcontainers import SortedKeyList

from dqt_simulator.guid_order import order_key
from dqt_simulator.schema import Attribute, EntityDef

Row = dict[str, Any]


def etag(version: int) -> str:
    return f'W/"{version}"'


VTYPE_BY_KIND = {
    "String": "string",
    "Memo": "string",
    "Integer": "int",
    "BigInt": "int",
    "Picklist": "int",
    "State": "int",
    "Status": "int",
    "Boolean": "bool",
    "Uniqueidentifier": "guid",
    "Lookup": "guid",
    "Decimal": "float",
    "Double": "float",
    "Money": "float",
}


def value_type(attribute: Attribute) -> str:
    if attribute.kind == "DateTime":
        return "date" if attribute.behavior == "DateOnly" else "datetime"
    return VTYPE_BY_KIND.get(attribute.kind, "string")


class Table:
    """One entity set: rows by id, the sorted primary-key index and the change log."""

    def __init__(self, entity: EntityDef, tracked: bool) -> None:
        self.entity = entity
        self.tracked = tracked and entity.change_tracking
        self.rows: dict[str, Row] = {}
        self.ids: SortedKeyList = SortedKeyList(key=order_key)
        self.log_versions: list[int] = []
        self.log_ids: list[str] = []
        self.log_deleted: list[bool] = []
        self.generation = 0  # bumped on every change; caches key on it
        self.columns: dict[str, Attribute] = entity.by_read_name()
        self.read_names: tuple[str, ...] = tuple(self.columns)
        self.vtypes: dict[str, str] = {name: value_type(a) for name, a in self.columns.items()}

    @property
    def entity_set(self) -> str:
        return self.entity.entity_set

    @property
    def logical_name(self) -> str:
        return self.entity.logical_name

    @property
    def primary_id(self) -> str:
        return self.entity.primary_id

    def blank_row(self) -> Row:
        row: Row = {"@odata.etag": None}
        for name in self.read_names:
            row[name] = None
        return row

    def log(self, version: int, record_id: str, deleted: bool) -> None:
        self.log_versions.append(version)
        self.log_ids.append(record_id)
        self.log_deleted.append(deleted)
        self.generation += 1

    def unlog(self) -> None:
        self.log_versions.pop()
        self.log_ids.pop()
        self.log_deleted.pop()
        self.generation += 1


class Transaction:
    def __init__(self) -> None:
        self.undo: list[Callable[[], None]] = []

    def rollback(self) -> None:
        while self.undo:
            self.undo.pop()()


class Store:
    def __init__(self, entities: Iterable[EntityDef], untracked_sets: Iterable[str] = ()) -> None:
        untracked = set(untracked_sets)
        self.lock = threading.RLock()
        self.tables: dict[str, Table] = {e.entity_set: Table(e, e.entity_set not in untracked) for e in entities}
        self.by_logical: dict[str, Table] = {t.logical_name: t for t in self.tables.values()}
        self.version = 0
        self.audit: list[dict[str, Any]] = []
        self.user_names: dict[str, str] = {}
        self._txn: Transaction | None = None

    # --- versions ---------------------------------------------------------------------------

    def next_version(self) -> int:
        with self.lock:
            self.version += 1
            return self.version

    # --- mutations (callers hold the lock) ----------------------------------------------------

    def insert(self, table: Table, row: Row) -> None:
        record_id = row[table.primary_id]
        table.rows[record_id] = row
        table.ids.add(record_id)
        table.log(row["versionnumber"], record_id, False)
        if self._txn is not None:

            def undo() -> None:
                del table.rows[record_id]
                table.ids.remove(record_id)
                table.unlog()

            self._txn.undo.append(undo)

    def replace(self, table: Table, old: Row, new: Row) -> None:
        record_id = new[table.primary_id]
        table.rows[record_id] = new
        table.log(new["versionnumber"], record_id, False)
        if self._txn is not None:

            def undo() -> None:
                table.rows[record_id] = old
                table.unlog()

            self._txn.undo.append(undo)

    def remove(self, table: Table, old: Row, version: int) -> None:
        record_id = old[table.primary_id]
        del table.rows[record_id]
        table.ids.remove(record_id)
        table.log(version, record_id, True)
        if self._txn is not None:

            def undo() -> None:
                table.rows[record_id] = old
                table.ids.add(record_id)
                table.unlog()

            self._txn.undo.append(undo)

    def add_audit(self, entry: dict[str, Any]) -> None:
        self.audit.append(entry)
        if self._txn is not None:

            def undo() -> None:
                self.audit.pop()

            self._txn.undo.append(undo)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """All-or-nothing scope (lock held). Nested scopes join the outer one. An exception rolls back;
        callers may also call ``rollback()`` explicitly (a failed ``$batch`` change set)."""
        with self.lock:
            if self._txn is not None:
                yield self._txn
                return
            txn = Transaction()
            self._txn = txn
            try:
                yield txn
            except BaseException:
                txn.rollback()
                raise
            finally:
                self._txn = None

    # --- stats ----------------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "versionnumber": self.version,
                "entity_sets": {name: len(t.rows) for name, t in self.tables.items()},
                "audit_rows": len(self.audit),
            }
