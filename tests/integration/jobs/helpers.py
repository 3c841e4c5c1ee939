"""Helpers for the fleet tests: the TRS state to compare, sync runs, the request log, and a test-side broker."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from typing import Any, cast

from sqlalchemy import Engine, select

from bridge.feeds import FEEDS
from bridge.fleet import FleetSettings
from bridge.sync import SyncService
from bridge.worker import Runtime
from dataverse_client import DataverseClient
from jobs.actors import Actors, declare_actors
from jobs.broker import build_broker
from tests.integration.bridge.helpers import rows, without
from tests.support.simulator import SimulatorHandle
from trs_store import journal
from trs_store.models import metadata
from trs_store.sync_runs import SyncRun, recent_runs

TABLES = ("persons", "qualifications", "alerts", "previous_names")
#: How long after a 429 each in-flight arrival came (filled by :func:`retry_after_violations`, for reports).
LATEST_IN_FLIGHT: list[float] = []


def trs_state(engine: Engine) -> dict[str, dict[str, Any]]:
    """Every synced row (without the store's own time stamps), by table and key: persons with their professional
    status columns, and qualifications with the routes (the order dependence between parallel feeds that once
    excluded them is fixed, ADR 0003 amendment)."""
    return {table: {k: without(v) for k, v in rows(engine, table).items()} for table in TABLES}


def reference_state(sim: SimulatorHandle, engine: Engine) -> dict[str, dict[str, Any]]:
    """What one plain, uninterrupted sync of every feed leaves in ``engine`` (a fresh store)."""
    with DataverseClient(sim.settings()) as client:
        SyncService(engine, client, page_size=1000).sync()
    return trs_state(engine)


def all_runs(engine: Engine) -> list[SyncRun]:
    with engine.connect() as connection:
        return recent_runs(connection, limit=100_000)


def overlapping_runs(runs: list[SyncRun]) -> list[tuple[SyncRun, SyncRun]]:
    """Pairs of runs of one entity set whose [started, ended] intervals overlap (an open run never ends)."""
    by_set: dict[str, list[SyncRun]] = defaultdict(list)
    for run in runs:
        by_set[run.entity_set].append(run)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    pairs = []
    for entity_runs in by_set.values():
        ordered = sorted(entity_runs, key=lambda r: r.started_at)
        for earlier, later in itertools.pairwise(ordered):
            if later.started_at < (earlier.ended_at or far):
                pairs.append((earlier, later))
    return pairs


def max_concurrent_runs(runs: list[SyncRun]) -> dict[str, int]:
    """Per entity set, the most runs that were open at one instant."""
    out: dict[str, int] = {}
    by_set: dict[str, list[tuple[dt.datetime, int]]] = defaultdict(list)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    for run in runs:
        by_set[run.entity_set] += [(run.started_at, 1), (run.ended_at or far, -1)]
    for entity_set, points in by_set.items():
        current = peak = 0
        for _, step in sorted(points, key=lambda p: (p[0], p[1])):  # an end before a start at the same instant
            current += step
            peak = max(peak, current)
        out[entity_set] = peak
    return out


def caught_up(engine: Engine) -> bool:
    """Every feed has finished a pass (a delta link, no pass in progress)."""
    with engine.connect() as connection:
        for feed in FEEDS:
            entry = journal.get(connection, feed.changes_key, feed.entity_set)
            if entry is None or entry.delta_link is None or entry.next_link or entry.full_pass_started_at:
                return False
    return True


def runs_of(engine: Engine, entity_set: str) -> list[SyncRun]:
    return [r for r in all_runs(engine) if r.entity_set == entity_set]


def sender_actors(url: str, prefix: str) -> Actors:
    """The actors on a broker of this test's own (its own Redis connection), for enqueuing from the test."""
    fleet = FleetSettings(redis_url=url, prefix=prefix)

    def no_runtime() -> Runtime:
        raise AssertionError("the test process only sends")

    return declare_actors(build_broker(fleet, no_runtime), no_runtime, fleet)


def sync_runs_table_rows(engine: Engine) -> list[dict[str, Any]]:
    table = metadata.tables["sync_runs"]
    with engine.connect() as connection:
        return [dict(r) for r in connection.execute(select(table)).mappings()]


def requests_from(sim: SimulatorHandle) -> list[dict[str, Any]]:
    """The simulator's request log, Web API only, oldest first."""
    entries = cast(list[dict[str, Any]], sim.admin("GET", "requests"))
    return sorted((e for e in entries if e.get("path", "").startswith("/api/")), key=lambda e: e["ts"])


def max_in_flight(entries: list[dict[str, Any]]) -> int:
    """The most requests the simulator was serving at one instant (from each request's start and duration)."""
    points: list[tuple[float, int]] = []
    for e in entries:
        start = float(e["ts"])
        points += [(start, 1), (start + float(e["duration_ms"]) / 1000, -1)]
    current = peak = 0
    for _, step in sorted(points, key=lambda p: (p[0], p[1])):
        current += step
        peak = max(peak, current)
    return peak


def max_in_window(entries: list[dict[str, Any]], window: float) -> int:
    """The most requests whose start fell in any ``window``-second interval."""
    starts = sorted(float(e["ts"]) for e in entries)
    peak = 0
    left = 0
    for right, t in enumerate(starts):
        while starts[left] <= t - window:
            left += 1
        peak = max(peak, right - left + 1)
    return peak


def retry_after_violations(
    entries: list[dict[str, Any]], in_flight_allowance: float, statuses: tuple[int, ...] = (429,)
) -> tuple[list[dict[str, Any]], int, int]:
    """Requests that arrived while a 429's (or another of ``statuses``') Retry-After was running, excluding
    those already in flight.

    A 429 answered at ``end = ts + duration`` with ``Retry-After: s`` forbids requests that start in
    ``(end + in_flight_allowance, end + s)``: a request that starts within ``in_flight_allowance`` of the
    answer was sent before the client could have read it. Returns (violations, in-flight arrivals, 429s)."""
    throttles = [e for e in entries if e["status"] in statuses and e.get("retry_after")]
    violations: list[dict[str, Any]] = []
    in_flight = 0
    for t in throttles:
        end = float(t["ts"]) + float(t["duration_ms"]) / 1000
        until = end + float(t["retry_after"])
        for e in entries:
            start = float(e["ts"])
            if e is t or not end < start < until:
                continue
            if start <= end + in_flight_allowance:
                in_flight += 1
                LATEST_IN_FLIGHT.append(start - end)
            else:
                violations.append({"throttle": t, "request": e, "early_by": round(until - start, 3)})
    return violations, in_flight, len(throttles)


def state_differences(actual: dict[str, dict[str, Any]], expected: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per table, ``{key: "missing" | "unexpected" | {column: (actual, expected)}}`` (empty when equal)."""
    out: dict[str, Any] = {}
    for table in expected.keys() | actual.keys():
        a, e = actual.get(table, {}), expected.get(table, {})
        diff: dict[str, Any] = dict.fromkeys(e.keys() - a.keys(), "missing")
        diff |= dict.fromkeys(a.keys() - e.keys(), "unexpected")
        for key in a.keys() & e.keys():
            columns = {c: (v, e[key].get(c)) for c, v in a[key].items() if v != e[key].get(c)}
            if columns:
                diff[key] = columns
        if diff:
            out[table] = diff
    return out


def summarise(differences: dict[str, Any]) -> dict[str, Any]:
    """``state_differences`` in brief: per table, how many rows are missing or unexpected and which columns differ."""
    out: dict[str, Any] = {}
    for table, diff in differences.items():
        counts: dict[str, int] = {}
        for value in diff.values():
            for name in [value] if isinstance(value, str) else value:
                counts[name] = counts.get(name, 0) + 1
        out[table] = counts
    return out
