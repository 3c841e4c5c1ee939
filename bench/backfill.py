"""Backfill benchmark: the bridge's backfill end to end beside its ceiling, measured in the same run.

For every feed (persons, MQs, alerts, inductions, previous names; ``--feeds all`` adds professional status):

* **backfill**: a child process runs the feeds as ``trs-bridge backfill`` does (``Backfill.start`` taking the
  change-tracking token, then ``Backfill.run`` over ``shards`` key ranges, ``threads`` at a time) into a fresh
  PostgreSQL database; rows/s per feed (wall time including the token) and the bridge's peak RSS (the child's
  own ``VmHWM``, or the sampled sum with helper processes; the simulator's memory is not counted, ADR 0096);
* **drain** ceiling: the same shard queries (same ``$select``, ``$filter``, ``$orderby``, page size, shards and
  threads) read and decoded with bare ``requests`` + orjson, nothing else;
* **COPY** ceiling: the same records mapped in advance (``mappings``), staged, then only ``COPY … FROM STDIN``
  into empty copies of the target tables (``LIKE … INCLUDING ALL``: same columns, indexes and checks) is timed;
* **naive**: 20,000 persons read page by page and written with one ORM ``session.merge`` per row.

A pipelined backfill cannot beat the slower of reading and writing, so per feed the ceiling is
``min(drain, COPY)`` rows/s; the sequential bound ``1 / (1/drain + 1/COPY)`` (read, then write, no overlap) is
reported beside it. Rows are the DQT records the feed reads. Every figure comes from the same 2-vCPU machine
that also runs the simulator and PostgreSQL: the ceilings are measured alone, the backfill shares the CPUs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import JSON

from bench.support import ChildResult, bearer_session, bridge_env, own_peak_rss_mb, run_child, throwaway_database
from bridge.backfill import DEFAULT_PAGE_SIZE, shard_filter, shard_ranges
from bridge.feeds import (
    ALERT,
    FEEDS,
    INDUCTION,
    MANDATORY_QUALIFICATION,
    PERSON,
    PREVIOUS_NAME,
    Feed,
    resolve_feeds,
)
from bridge.local_simulator import SimulatorHandle
from dataverse_client import DataverseClient, odata
from mappings import (
    Ignored,
    MappingError,
    ReferenceLookup,
    Skipped,
    map_contact,
    map_induction,
    map_previous_names,
    map_qualification,
    map_sanction,
)
from trs_store.models import metadata

#: The issue's feeds: persons with their MQs, alerts, inductions and previous names.
CORE_FEEDS: tuple[Feed, ...] = (PERSON, MANDATORY_QUALIFICATION, ALERT, INDUCTION, PREVIOUS_NAME)
DEFAULT_SHARDS = 8
DEFAULT_THREADS = 2
DEFAULT_PROCESSES = 1
NAIVE_PERSONS = 20_000
_QUERY_SAFE = "$,'=():/ "  # as dataverse_client.core quotes query values


# ---------------------------------------------------------------------------------------------------------
# the backfill, in a child process
# ---------------------------------------------------------------------------------------------------------


def child_main(feed_names: Sequence[str], shards: int, threads: int, processes: int = 1) -> dict[str, Any]:
    """Run in the child: every feed as ``trs-bridge backfill --entity <feed>`` would, timed one by one."""
    from bridge.backfill import Backfill
    from bridge.config import BridgeSettings, open_client, open_engine
    from bridge.logging import configure
    from bridge.memory import limit_malloc_arenas

    configure("INFO")  # what the CLI logs when it is not on a terminal
    limit_malloc_arenas()  # as the CLI does
    process_started = time.perf_counter()
    engine = open_engine(BridgeSettings.from_env().database_url)
    feeds_out: dict[str, Any] = {}
    with open_client() as client:
        service = Backfill(engine, client, page_size=DEFAULT_PAGE_SIZE)
        for feed in resolve_feeds(list(feed_names)):
            started = time.perf_counter()
            run, _ = service.start(feed, shards)
            primed = time.perf_counter()
            result = service.run(run, threads=threads, processes=processes)
            seconds = time.perf_counter() - started
            feeds_out[feed.name] = {
                "started_at_s": round(started - process_started, 1),
                "status": result.status,
                "seconds": round(seconds, 3),
                "token_seconds": round(primed - started, 3),
                "counts": {k: getattr(result.counts, k) for k in result.counts.__dataclass_fields__},
            }
            if result.status != "succeeded":
                break
    engine.dispose()
    return {"feeds": feeds_out, "peak_rss_mb": own_peak_rss_mb()}


def run_backfill(
    handle: SimulatorHandle,
    database_url: str,
    feeds: Sequence[Feed],
    shards: int,
    threads: int,
    log_dir: Path,
    processes: int = 1,
) -> ChildResult:
    args = ["-m", "bench.backfill", "--child", "--feeds", ",".join(f.name for f in feeds)]
    args += ["--shards", str(shards), "--threads", str(threads), "--processes", str(processes)]
    return run_child(args, bridge_env(handle, database_url), log_dir / "backfill-child.log")


# ---------------------------------------------------------------------------------------------------------
# drain ceiling
# ---------------------------------------------------------------------------------------------------------


def _shard_url(handle: SimulatorHandle, feed: Feed, key_from: str | None, key_to: str | None) -> str:
    params = [("$select", odata.select(list(feed.select)))]
    where = shard_filter(feed.primary_id, key_from, key_to, None)
    if where is not None:
        params.append(("$filter", str(where)))
    params.append(("$orderby", odata.orderby([feed.primary_id])))
    query = "&".join(f"{name}={quote(value, safe=_QUERY_SAFE)}" for name, value in params)
    return f"{handle.api_url}{feed.entity_set}?{query}"


def drain(handle: SimulatorHandle, feed: Feed, shards: int, threads: int) -> dict[str, Any]:
    """Read and decode every shard of ``feed`` with bare HTTP: the read ceiling."""
    session = bearer_session(handle, DEFAULT_PAGE_SIZE)

    def one(bounds: tuple[str | None, str | None]) -> tuple[int, int, int]:
        url: str | None = _shard_url(handle, feed, *bounds)
        rows = pages = size = 0
        while url:
            response = session.get(url, timeout=300, verify=handle.ca_bundle)
            response.raise_for_status()
            body = orjson.loads(response.content)
            rows, pages, size = rows + len(body["value"]), pages + 1, size + len(response.content)
            url = body.get("@odata.nextLink")
        return rows, pages, size

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        parts = list(pool.map(one, shard_ranges(shards)))
    seconds = time.perf_counter() - started
    rows = sum(p[0] for p in parts)
    return {
        "rows": rows,
        "pages": sum(p[1] for p in parts),
        "mb": round(sum(p[2] for p in parts) / 1e6, 1),
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds) if seconds else None,
    }


# ---------------------------------------------------------------------------------------------------------
# COPY ceiling
# ---------------------------------------------------------------------------------------------------------


def _records(data_dir: Path, feed: Feed) -> Iterator[dict[str, Any]]:
    """The feed's records as the simulator serves them with the feed's ``$select``."""
    with (data_dir / f"{feed.entity_set}.jsonl").open("rb") as lines:
        for line in lines:
            record = orjson.loads(line)
            yield {name: record.get(name) for name in feed.select}


def _by_person(data_dir: Path, feed: Feed) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in _records(data_dir, feed):
        person = record.get("_dfeta_personid_value")
        if isinstance(person, str):
            grouped[person.lower()].append(record)
    return grouped


def mapped_rows(data_dir: Path, feed: Feed, reference: ReferenceLookup) -> Iterator[dict[str, Any]]:
    """The rows the bridge would write for ``feed`` (failures and ignored records left out)."""
    if feed in (PERSON, MANDATORY_QUALIFICATION, ALERT):
        for record in _records(data_dir, feed):
            try:
                if feed is PERSON:
                    result: Any = map_contact(record)
                elif feed is MANDATORY_QUALIFICATION:
                    result = map_qualification(record, reference)
                else:
                    result = map_sanction(record, reference)
            except MappingError:
                continue
            if not isinstance(result, Ignored | Skipped):
                yield dict(result)
        return
    children = _by_person(data_dir, feed)
    for contact in _records(data_dir, PERSON):
        records = children.get(str(contact.get("contactid")).lower())
        if not records:
            continue
        try:
            if feed is INDUCTION:
                yield dict(map_induction(contact, records))
            else:
                yield from (dict(r) for r in map_previous_names(contact, records))
        except MappingError:
            continue


def _stage_to_file(
    cursor: psycopg.Cursor[Any], table: str, rows: Iterator[dict[str, Any]], path: Path
) -> tuple[int, list[str]]:
    """Put ``rows`` into a staging table with psycopg's COPY writer, then save them as COPY text in ``path``."""
    first = next(rows, None)
    if first is None:
        return 0, []
    stamp = dt.datetime.now(dt.UTC)
    target = metadata.tables[table]
    columns = [c.name for c in target.c if c.name in first or c.name in ("dqt_first_sync", "dqt_last_sync")]
    json_columns = {c.name for c in target.c if isinstance(c.type, JSON)}
    column_list = ", ".join(f'"{c}"' for c in columns)
    cursor.execute(f'CREATE UNLOGGED TABLE bench_stage AS SELECT {column_list} FROM "{table}" WITH NO DATA')
    count = 0
    with cursor.copy(f"COPY bench_stage ({column_list}) FROM STDIN") as copy:
        for row in _chain(first, rows):
            values = []
            for name in columns:
                value = stamp if name in ("dqt_first_sync", "dqt_last_sync") and name not in row else row.get(name)
                values.append(Jsonb(value) if name in json_columns and value is not None else value)
            copy.write_row(values)
            count += 1
    with path.open("wb") as out, cursor.copy(f"COPY bench_stage ({column_list}) TO STDOUT") as copy:
        for chunk in copy:
            out.write(chunk)
    cursor.execute("DROP TABLE bench_stage")
    return count, columns


def _chain(first: dict[str, Any], rest: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield first
    yield from rest


def copy_ceiling(database_url: str, data_dir: Path, feed: Feed, reference: ReferenceLookup) -> dict[str, Any]:
    """Time only ``COPY FROM STDIN`` of the feed's pre-mapped rows into an empty copy of its table."""
    table = "persons" if feed is INDUCTION else feed.table
    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as connection, tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.copy"
        with connection.cursor() as cursor:
            rows, columns = _stage_to_file(cursor, table, mapped_rows(data_dir, feed, reference), path)
            column_list = ", ".join(f'"{c}"' for c in columns)
            if feed is INDUCTION:  # a partial update of persons: a table of just those columns, keyed
                cursor.execute(f"CREATE TABLE bench_copy AS SELECT {column_list} FROM persons WITH NO DATA")
                cursor.execute("ALTER TABLE bench_copy ADD PRIMARY KEY (person_id)")
            else:
                cursor.execute(f'CREATE TABLE bench_copy (LIKE "{table}" INCLUDING ALL)')
        started = time.perf_counter()
        with (
            connection.transaction(),
            connection.cursor() as cursor,
            cursor.copy(f"COPY bench_copy ({column_list}) FROM STDIN") as copy,
            path.open("rb") as source,
        ):
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        connection.execute("DROP TABLE bench_copy")
    return {
        "mapped_rows": rows,
        "seconds": round(seconds, 3),
        "mapped_rows_per_s": round(rows / seconds) if seconds else None,
    }


# ---------------------------------------------------------------------------------------------------------
# naive: one ORM merge per row
# ---------------------------------------------------------------------------------------------------------


def naive(handle: SimulatorHandle, database_url: str, persons: int) -> dict[str, Any]:
    """The way a first attempt would do it: read pages, map, ``session.merge`` one ORM object per row,
    commit per page."""
    from sqlalchemy.orm import Session

    from trs_store import make_engine
    from trs_store.models import Person

    engine = make_engine(database_url)
    client = DataverseClient(handle.settings())
    rows = 0
    started = time.perf_counter()
    with Session(engine) as session:
        for page in client.query("contacts", select=list(PERSON.select), page_size=DEFAULT_PAGE_SIZE):
            now = dt.datetime.now(dt.UTC)
            for record in page.records:
                try:
                    mapped = map_contact(record)
                except MappingError:
                    continue
                session.merge(Person(**dict(mapped), dqt_first_sync=now, dqt_last_sync=now))
                rows += 1
                if rows >= persons:
                    break
            session.commit()
            if rows >= persons:
                break
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"rows": rows, "seconds": round(seconds, 3), "rows_per_s": round(rows / seconds)}


# ---------------------------------------------------------------------------------------------------------
# the run
# ---------------------------------------------------------------------------------------------------------


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def run(
    handle: SimulatorHandle,
    data_dir: Path,
    *,
    feeds: Sequence[Feed] = CORE_FEEDS,
    shards: int = DEFAULT_SHARDS,
    threads: int = DEFAULT_THREADS,
    processes: int = DEFAULT_PROCESSES,
    naive_persons: int = NAIVE_PERSONS,
    log_dir: Path,
) -> dict[str, Any]:
    from bridge.sync import load_reference

    reference = load_reference(DataverseClient(handle.settings()))
    per_feed: dict[str, dict[str, Any]] = {}
    with throwaway_database("backfill") as database_url:
        for feed in feeds:
            # read at the backfill's concurrency: every shard thread of every process has a request in flight
            per_feed[feed.name] = {
                "entity_set": feed.entity_set,
                "drain": drain(handle, feed, shards, threads * processes),
            }
            if feed in CORE_FEEDS:
                per_feed[feed.name]["copy"] = copy_ceiling(database_url, data_dir, feed, reference)
        child = run_backfill(handle, database_url, feeds, shards, threads, log_dir, processes)
    if child.returncode != 0 or not isinstance(child.output, dict):
        raise RuntimeError(f"the backfill child failed ({child.returncode}): {child.output}")
    naive_result: dict[str, Any] = {"rows": 0, "rows_per_s": None}  # --naive-persons 0 skips it
    if naive_persons:
        with throwaway_database("naive") as database_url:
            naive_result = naive(handle, database_url, naive_persons)

    totals: defaultdict[str, float] = defaultdict(float)
    for feed in feeds:
        entry = per_feed[feed.name]
        result = child.output["feeds"].get(feed.name)
        if result is None:
            entry["backfill"] = {"status": "not run"}
            continue
        rows = entry["drain"]["rows"]
        entry["backfill"] = {**result, "rows_per_s": round(rows / result["seconds"])}
        # the child's resident set while this feed ran (sampled every second; the clocks differ by its start-up)
        start_s = result.get("started_at_s", 0.0)
        window = [mb for t, mb in child.rss_samples if start_s <= t <= start_s + result["seconds"] + 5]
        entry["backfill"]["peak_rss_sampled_mb"] = max(window, default=None)
        drain_s = entry["drain"]["seconds"]
        copy_s = entry.get("copy", {}).get("seconds")
        ceiling_s = max(drain_s, copy_s) if copy_s is not None else drain_s
        entry["ceiling"] = {
            "rows_per_s": round(rows / ceiling_s),
            "limited_by": "COPY" if copy_s is not None and copy_s > drain_s else "drain",
            "copy_rows_per_s": round(rows / copy_s) if copy_s else None,
            "sequential_rows_per_s": round(rows / (drain_s + copy_s)) if copy_s is not None else None,
        }
        entry["backfill_over_ceiling"] = _ratio(entry["backfill"]["rows_per_s"], entry["ceiling"]["rows_per_s"])
        if copy_s is not None:
            entry["backfill_over_sequential"] = _ratio(
                entry["backfill"]["rows_per_s"], entry["ceiling"]["sequential_rows_per_s"]
            )
        if feed in CORE_FEEDS:
            totals["rows"] += rows
            totals["backfill_s"] += result["seconds"]
            totals["ceiling_s"] += ceiling_s
            totals["sequential_s"] += drain_s + (copy_s or 0.0)
            totals["drain_s"] += drain_s
            totals["copy_s"] += copy_s or 0.0
    person_rate = per_feed[PERSON.name].get("backfill", {}).get("rows_per_s")
    core: dict[str, Any] = {
        "feeds": [f.name for f in feeds if f in CORE_FEEDS],
        "rows": int(totals["rows"]),
        "backfill_seconds": round(totals["backfill_s"], 2),
        "backfill_rows_per_s": round(totals["rows"] / totals["backfill_s"]) if totals["backfill_s"] else None,
        "drain_rows_per_s": round(totals["rows"] / totals["drain_s"]) if totals["drain_s"] else None,
        "copy_rows_per_s": round(totals["rows"] / totals["copy_s"]) if totals["copy_s"] else None,
        "ceiling_rows_per_s": round(totals["rows"] / totals["ceiling_s"]) if totals["ceiling_s"] else None,
        "sequential_rows_per_s": round(totals["rows"] / totals["sequential_s"]) if totals["sequential_s"] else None,
    }
    core["backfill_over_ceiling"] = _ratio(core["backfill_rows_per_s"], core["ceiling_rows_per_s"])
    core["backfill_over_sequential"] = _ratio(core["backfill_rows_per_s"], core["sequential_rows_per_s"])
    return {
        "name": "backfill end to end vs. drain and COPY ceilings (PostgreSQL)",
        "shards": shards,
        "threads": threads,
        "processes": processes,
        "page_size": DEFAULT_PAGE_SIZE,
        "core": core,
        "feeds": per_feed,
        # The child's own high-water mark (VmHWM) or, with helper processes, the largest sampled sum of the tree;
        # not wait4's ru_maxrss: it starts from this benchmark process's own peak (see bench/support.py).
        "bridge_peak_rss_mb": max(child.output.get("peak_rss_mb") or 0.0, child.peak_rss_mb),
        "bridge_process_seconds": round(child.seconds, 1),
        "naive": {**naive_result, "person_backfill_over_naive": _ratio(person_rate, naive_result["rows_per_s"])},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="backfill benchmark child (run it through bench.run)")
    parser.add_argument("--child", action="store_true", required=True)
    parser.add_argument("--feeds", required=True)
    parser.add_argument("--shards", type=int, default=DEFAULT_SHARDS)
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    parser.add_argument("--processes", type=int, default=DEFAULT_PROCESSES)
    args = parser.parse_args(argv)
    print(json.dumps(child_main(args.feeds.split(","), args.shards, args.threads, args.processes)), flush=True)
    return 0


def feeds_named(names: str) -> tuple[Feed, ...]:
    """``core`` (the issue's five feeds), ``all`` (professional status too) or a comma-separated list."""
    if names == "core":
        return CORE_FEEDS
    if names == "all":
        return FEEDS
    return tuple(resolve_feeds(names.split(",")))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
