"""Start-up data: reference rows from ``schema.REFERENCE_DATA`` and JSON Lines files from ``--data``.

``--data DIR`` holds one ``<entity_set>.jsonl`` per table, each line a record exactly as the Web API
returns it (logical names, ``_x_value`` lookups, option values as integers, ISO dates). ``versionnumber``
/ ``@odata.etag`` are optional: rows without one get increasing versions above the highest seen, so
the org-wide counter continues above every loaded row. Files are streamed line by line with orjson and
rows are put into the tables directly (no per-row index maintenance); the sorted key index and the
change log are built once per table at the end.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import orjson
from sortedcontainers import SortedKeyList

from dqt_simulator.guid_order import order_key
from dqt_simulator.schema import REFERENCE_DATA, SeedRow
from dqt_simulator.store import Row, Store, Table, etag
from mappings.reference.dqt import ReferenceRow

_ETAG_RE = re.compile(r'^W/"(\d+)"$')


class DataLoadError(ValueError):
    """A data file cannot be loaded (bad JSON, missing primary key, unknown entity set)."""


def _version(row: Row) -> int | None:
    """The row's version (from ``versionnumber`` or its ETag), normalising both; ``None`` if it has none."""
    version = row["versionnumber"]
    if version is None:
        tag = row["@odata.etag"]
        match = _ETAG_RE.match(tag) if isinstance(tag, str) else None
        if match is None:
            return None
        version = int(match.group(1))
    row["versionnumber"] = version
    row["@odata.etag"] = etag(version)
    return int(version)


def _apply_defaults(row: Row, now: str) -> None:
    if row["statecode"] is None:
        row["statecode"] = 0
    if row["statuscode"] is None:
        row["statuscode"] = 1
    if row["createdon"] is None:
        row["createdon"] = now
    if row["modifiedon"] is None:
        row["modifiedon"] = row["createdon"]


def _load_file(table: Table, path: Path, now: str, pending: list[Row]) -> tuple[int, int]:
    """Load one file into ``table.rows``; returns ``(rows, highest version seen)``."""
    template = table.blank_row()
    width = len(template)
    valid = set(template)
    pk = table.primary_id
    rows = table.rows
    highest = 0
    count = 0
    loads = orjson.loads
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                source: dict[str, Any] = loads(line)
            except orjson.JSONDecodeError as exc:
                raise DataLoadError(f"{path}:{number}: invalid JSON: {exc}") from exc
            row = template.copy()
            row.update(source)
            if len(row) != width:
                for key in [k for k in row if k not in valid]:
                    del row[key]
            record_id = row[pk]
            if not isinstance(record_id, str):
                raise DataLoadError(f"{path}:{number}: missing primary key {pk!r}")
            record_id = record_id.lower()
            row[pk] = record_id
            version = _version(row)
            if version is None:
                pending.append(row)
            elif version > highest:
                highest = version
            _apply_defaults(row, now)
            rows[record_id] = row
            count += 1
    return count, highest


@runtime_checkable
class _WithColumns(Protocol):
    def columns(self) -> dict[str, Any]: ...


def _reference_columns(reference: SeedRow) -> dict[str, Any]:
    """A seeded reference row's own columns: its ``columns()`` if it has them, else name and code."""
    if isinstance(reference, _WithColumns):
        return dict(reference.columns())
    if isinstance(reference, ReferenceRow):
        return {"dfeta_name": reference.name, "dfeta_value": reference.value}
    raise TypeError(f"cannot seed {reference!r}")


def _finish_table(table: Table) -> None:
    """Build the sorted key index and the change log from the rows (after a bulk load)."""
    table.ids = SortedKeyList(table.rows.keys(), key=order_key)
    entries = sorted((row["versionnumber"], record_id) for record_id, row in table.rows.items())
    table.log_versions = [v for v, _ in entries]
    table.log_ids = [i for _, i in entries]
    table.log_deleted = [False] * len(entries)
    table.generation += 1


def load(store: Store, data_dir: Path | None, *, now: str, app_user_id: str, log: bool = True) -> dict[str, int]:
    """Load ``data_dir`` (if any) and seed the reference rows; returns row counts per entity set."""
    started = time.monotonic()
    pending: list[Row] = []
    highest = store.version
    counts: dict[str, int] = {}
    if data_dir is not None:
        if not data_dir.is_dir():
            raise DataLoadError(f"--data {data_dir} is not a directory")
        for path in sorted(data_dir.glob("*.jsonl")):
            table = store.tables.get(path.stem)
            if table is None:
                raise DataLoadError(
                    f"{path.name}: no entity set named {path.stem!r} (known: {', '.join(sorted(store.tables))})"
                )
            file_started = time.monotonic()
            count, file_highest = _load_file(table, path, now, pending)
            counts[table.entity_set] = count
            highest = max(highest, file_highest)
            if log:
                print(
                    f"loaded {count} rows into {table.entity_set} in {time.monotonic() - file_started:.1f}s", flush=True
                )
    for row in pending:
        highest += 1
        row["versionnumber"] = highest
        row["@odata.etag"] = etag(highest)
    for entity_set, references in REFERENCE_DATA.items():
        table = store.tables[entity_set]
        for reference in references:
            if reference.id in table.rows:
                continue
            highest += 1
            row = table.blank_row()
            row.update(_reference_columns(reference))
            row.update(
                {
                    table.primary_id: reference.id,
                    "statecode": 0 if reference.active else 1,
                    "statuscode": 1 if reference.active else 2,
                    "createdon": now,
                    "modifiedon": now,
                    "_createdby_value": app_user_id,
                    "_modifiedby_value": app_user_id,
                    "versionnumber": highest,
                    "@odata.etag": etag(highest),
                }
            )
            table.rows[reference.id] = row
        counts[entity_set] = len(table.rows)
    with store.lock:
        store.version = highest
        for table in store.tables.values():
            _finish_table(table)
    if log and data_dir is not None:
        print(f"data loaded in {time.monotonic() - started:.1f}s; versionnumber={highest}", file=sys.stdout, flush=True)
    return counts
