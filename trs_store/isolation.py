"""Failure isolation: apply every good row of a batch and name exactly the rows the database refuses.

``upsert_rows_isolating`` tries the whole batch inside a SAVEPOINT. If the database refuses it (a duplicate
TRN on ``ix_persons_trn``, a qualification whose person is missing, a value PostgreSQL cannot parse…), it rolls
back to the savepoint and splits the batch in halves, each in its own savepoint, recursively, down to the
single rows that fail (ADR 0025). A batch with *k* bad rows costs about ``2·k·log2(n)`` extra statements; a
clean batch costs one savepoint.

Messages never carry row values (ADR 0025): they are built from the error's structured fields (SQLSTATE,
constraint, table, column), and a PostgreSQL ``DETAIL`` such as ``Key (trn)=(1234567) already exists`` is kept
only when every key column is an id or the TRN; other key values and ``Failing row contains (…)`` are dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import Connection, Table, select
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError

from trs_store.errors import InvalidValue
from trs_store.upsert import UpsertResult, primary_key_column, resolve_table, upsert_rows

#: Longest message kept (SQLite messages and driver texts are short; this only bounds surprises).
MAX_MESSAGE: Final = 300


class RowErrorKind(StrEnum):
    """Why the database refused a row; stored as ``failed_records.error_kind``."""

    DUPLICATE_KEY = "duplicate_key"  # unique violation, e.g. a TRN already held by another person
    MISSING_PARENT = "missing_parent"  # foreign key violation, e.g. the person is not synced (yet)
    NOT_NULL = "not_null"
    CHECK_VIOLATION = "check_violation"
    INVALID_VALUE = "invalid_value"  # a value the column cannot hold (bad GUID, too long, naive datetime…)
    INTEGRITY = "integrity"  # any other integrity error


@dataclass(frozen=True, slots=True)
class RowFailure:
    """One row the database refused: the row as given, its primary key, the kind and a value-free message."""

    row: Mapping[str, Any]
    key: str | None
    error_kind: RowErrorKind
    message: str


def upsert_rows_isolating(
    connection: Connection, table: Table | str, rows: Sequence[Mapping[str, Any]], *, now: dt.datetime
) -> tuple[UpsertResult, list[RowFailure]]:
    """``upsert_rows`` that applies every row it can and returns the others as :class:`RowFailure`s.

    Runs in the caller's transaction (savepoints only; never commits). ``InvalidRows`` (a malformed batch)
    and errors that are not about row contents (lost connection, missing table…) still propagate.
    """
    target = resolve_table(table)
    isolator = _Isolator(connection, target, primary_key_column(target), now)
    result = isolator.apply(list(rows))
    return result, isolator.failures


@dataclass(slots=True)
class _Isolator:
    connection: Connection
    table: Table
    key: str
    now: dt.datetime
    failures: list[RowFailure] = field(default_factory=list)

    def apply(self, rows: list[Mapping[str, Any]]) -> UpsertResult:
        if not rows:
            return UpsertResult()
        try:
            with self.connection.begin_nested():
                return upsert_rows(self.connection, self.table, rows, now=self.now)
        except (StatementError, InvalidValue) as exc:
            if not is_row_error(exc):
                raise
            if len(rows) == 1:
                kind, message = describe_error(exc)
                if kind is RowErrorKind.MISSING_PARENT and self.connection.dialect.name == "sqlite":
                    message = _explain_missing_parent(self.connection, self.table, rows[0]) or message
                row_key = rows[0].get(self.key)
                self.failures.append(RowFailure(rows[0], None if row_key is None else str(row_key), kind, message))
                return UpsertResult()
        middle = len(rows) // 2
        return self.apply(rows[:middle]) + self.apply(rows[middle:])


def _explain_missing_parent(connection: Connection, table: Table, row: Mapping[str, Any]) -> str | None:
    """SQLite's "FOREIGN KEY constraint failed" names no key: find it, in PostgreSQL's words (ids only).

    Runs after the failed savepoint was rolled back, so the transaction is usable."""
    for fk in sorted(table.foreign_keys, key=lambda fk: fk.parent.name):
        value = row.get(fk.parent.name)
        if value is None:
            continue
        parent = fk.column
        try:
            found = connection.execute(select(parent).where(parent == value)).first()
        except StatementError:
            continue  # the value is not even a GUID: not this key's problem to explain
        if found is None:
            value = value if is_safe_key_column(fk.parent.name) else "<redacted>"
            return _bound(
                f"FOREIGN KEY constraint failed: Key ({fk.parent.name})=({value}) is not present in table "
                f'"{parent.table.name}" [SQLITE_CONSTRAINT_FOREIGNKEY, constraint {fk.name}]'
            )
    return None


def is_row_error(exc: BaseException) -> bool:
    """Whether ``exc`` is about the contents of the rows written (and so worth isolating row by row)."""
    if isinstance(exc, InvalidValue | IntegrityError | DataError):
        return True
    if isinstance(exc, DBAPIError):
        return False  # OperationalError, ProgrammingError…: the statement or the connection, not a row
    # A value the driver or a column type refused while binding (e.g. not a GUID): wrapped by SQLAlchemy.
    return isinstance(exc, StatementError) and isinstance(exc.orig, ValueError | TypeError)


# --------------------------------------------------------------------------------------------------------------
# Value-free messages
# --------------------------------------------------------------------------------------------------------------

_KEY_DETAIL = re.compile(r"^Key \((?P<columns>[^)]*)\)=\((?P<values>.*)\)(?P<rest>[^()]*)$", re.DOTALL)
_COPY_COLUMN = re.compile(r"\bcolumn (?P<column>\w+)(?::|$)", re.MULTILINE)
_SQLITE_KINDS: Final = {
    "SQLITE_CONSTRAINT_UNIQUE": RowErrorKind.DUPLICATE_KEY,
    "SQLITE_CONSTRAINT_PRIMARYKEY": RowErrorKind.DUPLICATE_KEY,
    "SQLITE_CONSTRAINT_FOREIGNKEY": RowErrorKind.MISSING_PARENT,
    "SQLITE_CONSTRAINT_NOTNULL": RowErrorKind.NOT_NULL,
    "SQLITE_CONSTRAINT_CHECK": RowErrorKind.CHECK_VIOLATION,
    "SQLITE_MISMATCH": RowErrorKind.INVALID_VALUE,
    "SQLITE_TOOBIG": RowErrorKind.INVALID_VALUE,
    "SQLITE_RANGE": RowErrorKind.INVALID_VALUE,
}
_PG_KINDS: Final = {
    "23505": RowErrorKind.DUPLICATE_KEY,
    "23503": RowErrorKind.MISSING_PARENT,
    "23502": RowErrorKind.NOT_NULL,
    "23514": RowErrorKind.CHECK_VIOLATION,
}


def is_safe_key_column(column: str) -> bool:
    """Key columns whose values may appear in messages: ids and the TRN (not personal data in TRS terms)."""
    return column in {"trn", "id"} or column.endswith("_id")


def describe_error(exc: BaseException) -> tuple[RowErrorKind, str]:
    """The kind of a row error and a message without row values (safe to log and to store)."""
    if isinstance(exc, InvalidValue):
        return RowErrorKind.INVALID_VALUE, str(exc)
    orig = exc.orig if isinstance(exc, StatementError) else exc
    if isinstance(exc, StatementError) and not isinstance(exc, DBAPIError):
        # Raised while binding: our own type processors use value-free messages; keep only the type otherwise.
        text = str(orig) if _is_own_message(orig) else type(orig).__name__
        return RowErrorKind.INVALID_VALUE, _bound(f"value refused while binding: {text}")
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate is not None or hasattr(orig, "diag"):
        return _describe_postgresql(orig, sqlstate, exc)
    errorname = getattr(orig, "sqlite_errorname", None)
    if errorname is not None:
        kind = _SQLITE_KINDS.get(errorname) or (
            RowErrorKind.INTEGRITY if isinstance(exc, IntegrityError) else RowErrorKind.INVALID_VALUE
        )
        # SQLite's messages name tables, columns and constraints, never values ("UNIQUE constraint failed: …").
        return kind, _bound(f"{orig} [{errorname}]")
    kind = RowErrorKind.INTEGRITY if isinstance(exc, IntegrityError) else RowErrorKind.INVALID_VALUE
    return kind, type(orig).__name__


def _describe_postgresql(orig: Any, sqlstate: str | None, exc: BaseException) -> tuple[RowErrorKind, str]:
    diag = getattr(orig, "diag", None)
    primary = (getattr(diag, "message_primary", None) or "").strip()
    if sqlstate in _PG_KINDS:
        kind = _PG_KINDS[sqlstate]
    elif (sqlstate or "").startswith("22") or isinstance(exc, DataError):
        kind = RowErrorKind.INVALID_VALUE
    else:
        kind = RowErrorKind.INTEGRITY
    if kind is RowErrorKind.INVALID_VALUE:
        # Data errors quote the offending value after a colon ('invalid input syntax for type uuid: "…"').
        primary = primary.split(":", 1)[0]
    elif not primary:
        primary = type(orig).__name__
    parts = [primary or type(orig).__name__]
    column = getattr(diag, "column_name", None) or _copy_column(getattr(diag, "context", None))
    facts = [f"sqlstate {sqlstate}"] if sqlstate else []
    for label, value in (
        ("table", getattr(diag, "table_name", None)),
        ("column", column),
        ("constraint", getattr(diag, "constraint_name", None)),
    ):
        if value and value not in primary:
            facts.append(f"{label} {value}")
    detail = _safe_detail(getattr(diag, "message_detail", None))
    if detail:
        parts.append(detail)
    message = "; ".join(parts)
    if facts:
        message += f" [{', '.join(facts)}]"
    return kind, _bound(message)


def _safe_detail(detail: str | None) -> str | None:
    """PostgreSQL's DETAIL if it only shows ids/TRNs; key values of other columns are redacted; else None."""
    if not detail:
        return None
    match = _KEY_DETAIL.match(detail.strip())
    if match is None:
        return None  # e.g. "Failing row contains (…every value…)"
    columns = [c.strip() for c in match["columns"].split(",")]
    if all(is_safe_key_column(c) for c in columns):
        return detail.strip()
    return f"Key ({match['columns']})=(<redacted>){match['rest']}"


def _copy_column(context: str | None) -> str | None:
    """The column a COPY error happened in, from its CONTEXT ('COPY t, line 3, column trn: "…"'), value-free."""
    if not context:
        return None
    match = _COPY_COLUMN.search(context)
    return match["column"] if match else None


def _is_own_message(error: BaseException | None) -> bool:
    text = str(error)
    return text.startswith(("not a GUID", "naive datetime"))


def _bound(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"
