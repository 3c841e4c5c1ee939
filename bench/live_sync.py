"""Live-sync benchmark: DQT changes at a steady rate through the Web API; lag from the DQT write to the TRS commit.

Setup: a fresh PostgreSQL database, the person feed backfilled from the simulator, every other feed's change
journal primed with a change-tracking token (the writer only changes contacts, so their rows are not needed).
Then ``trs-bridge sync --follow`` runs as a child process, as it runs in production without a fleet, while a
writer PATCHes ``contacts`` at ``rate`` changes/s for ``duration`` seconds (a new last name for a different
person each time). A reader polls TRS every ``POLL_SECONDS`` for persons rows whose ``dqt_last_sync`` moved.

Lag of one change = the first time the reader sees the committed row − the time DQT acknowledged the PATCH.
Both clocks are this machine's; the poll interval is the resolution (an upper bound by at most one poll).

The writer stands for DQT's many users, but the simulator has one application user, and Dataverse's service
protection allows one user 6,000 requests per 5 minutes (20/s): the run raises that limit so the writer's
30,000 PATCHes do not throttle the bridge, and reports the bridge's own request rate (its GETs) beside the lag,
which is what must stay under 20/s against real DQT.
"""

from __future__ import annotations

import datetime as dt
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench import backfill as backfill_bench
from bench.support import ROOT, bridge_env, percentiles, throwaway_database
from bridge.backfill import Backfill
from bridge.feeds import FEEDS, PERSON
from bridge.local_simulator import SimulatorHandle
from dataverse_client import DataverseClient, DataverseError
from trs_store import journal, make_engine

DEFAULT_RATE = 100.0
DEFAULT_DURATION = 300.0
#: The sync loop's interval when a pass found nothing (``trs-bridge sync --follow --interval``).
SYNC_INTERVAL = 0.5
POLL_SECONDS = 0.05
WRITERS = 4
#: How long after the last write the reader waits for stragglers.
DRAIN_SECONDS = 30.0


def _prepare(handle: SimulatorHandle, database_url: str, log_dir: Path) -> None:
    child = backfill_bench.run_backfill(
        handle, database_url, [PERSON], backfill_bench.DEFAULT_SHARDS, backfill_bench.DEFAULT_THREADS, log_dir
    )
    if child.returncode != 0:
        raise RuntimeError(f"the person backfill failed: {child.output}")
    engine = make_engine(database_url)
    client = DataverseClient(handle.settings())
    service = Backfill(engine, client)
    for feed in FEEDS:
        if feed is PERSON:
            continue
        link = service.take_delta_link(feed)
        if link is None:
            continue
        with engine.begin() as connection:
            journal.save_checkpoint(
                connection, feed.changes_key, feed.entity_set, delta_link=link, by="bench", page_size=1000
            )
    engine.dispose()


class _Reader(threading.Thread):
    """Polls TRS for persons rows synced since the run began; records when each was first seen."""

    def __init__(self, database_url: str, since: dt.datetime) -> None:
        super().__init__(name="lag-reader", daemon=True)
        self.engine = make_engine(database_url)
        self.since = since
        self.seen: dict[str, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        cursor = self.since
        statement = text("SELECT person_id::text, dqt_last_sync FROM persons WHERE dqt_last_sync >= :cursor")
        while not self.stop.is_set():
            with self.engine.connect() as connection:
                rows = connection.execute(statement, {"cursor": cursor}).all()
            now = time.time()
            for person_id, stamp in rows:
                self.seen.setdefault(person_id, now)
                # commits become visible out of stamp order: keep a margin behind the newest stamp seen
                cursor = max(cursor, stamp - dt.timedelta(seconds=10))
            self.stop.wait(POLL_SECONDS)
        self.engine.dispose()


def _write(handle: SimulatorHandle, ids: list[str], rate: float, duration: float) -> dict[str, float]:
    """PATCH one contact per slot of ``1/rate`` seconds from a few threads; returns id -> time acknowledged."""
    acked: dict[str, float] = {}
    lock = threading.Lock()
    total = min(len(ids), int(rate * duration))
    next_index = iter(range(total))
    start = time.time() + 0.5

    def writer() -> None:
        client = DataverseClient(handle.settings())
        while True:
            with lock:
                index = next(next_index, None)
            if index is None:
                return
            delay = start + index / rate - time.time()
            if delay > 0:
                time.sleep(delay)
            try:
                client.update("contacts", ids[index], {"lastname": f"Benchmark{index:06d}"})
            except DataverseError:
                continue  # counted as a write that never happened (writes < rate × duration)
            done = time.time()
            with lock:
                acked[ids[index]] = done

    threads = [threading.Thread(target=writer, name=f"writer-{n}") for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return acked


def run(handle: SimulatorHandle, data_dir: Path, *, rate: float, duration: float, log_dir: Path) -> dict[str, Any]:
    with throwaway_database("live") as database_url:
        _prepare(handle, database_url, log_dir)
        engine = make_engine(database_url)
        with engine.connect() as connection:
            ids = [
                str(i)
                for i in connection.execute(
                    text(
                        "SELECT person_id FROM persons "
                        "WHERE status = 0 AND deleted_on IS NULL AND merged_with_person_id IS NULL"
                    )
                ).scalars()
            ]
        engine.dispose()
        random.Random(7).shuffle(ids)
        handle.admin("POST", "limits", {"requests_per_window": 10_000_000})
        handle.admin("DELETE", "requests")
        env = bridge_env(handle, database_url, TRS_BRIDGE_PAGE_SIZE="1000")
        with (log_dir / "sync-child.log").open("wb") as log:
            sync = subprocess.Popen(
                [sys.executable, "-m", "bridge.cli", "sync", "--follow", "--interval", str(SYNC_INTERVAL)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
            try:
                time.sleep(5)  # the first pass (every feed's empty delta) and the reference reads
                reader = _Reader(database_url, dt.datetime.now(dt.UTC))
                reader.start()
                started = time.time()
                acked = _write(handle, ids, rate, duration)
                write_seconds = time.time() - started
                deadline = time.time() + DRAIN_SECONDS
                while time.time() < deadline and any(i not in reader.seen for i in acked):
                    time.sleep(0.2)
                reader.stop.set()
                reader.join()
                bridge_gets = sum(
                    1
                    for e in handle.admin("GET", "requests")
                    if e.get("method") == "GET" and started <= float(e.get("ts") or 0) <= started + write_seconds
                )
            finally:
                sync.send_signal(signal.SIGTERM)
                try:
                    sync.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    sync.kill()
    lags = [reader.seen[i] - t for i, t in acked.items() if i in reader.seen]
    return {
        "name": "live sync: DQT PATCH acknowledged -> TRS row committed and visible (trs-bridge sync --follow)",
        "target_rate_per_s": rate,
        "duration_s": duration,
        "writes": len(acked),
        "achieved_rate_per_s": round(len(acked) / write_seconds, 1),
        "synced": len(lags),
        "not_synced_within_30s": len(acked) - len(lags),
        "lag_seconds": percentiles(lags),
        "bridge_requests_per_s": round(bridge_gets / write_seconds, 1),
        "sync_interval_when_idle_s": SYNC_INTERVAL,
        "poll_resolution_s": POLL_SECONDS,
    }
