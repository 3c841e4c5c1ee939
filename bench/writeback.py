"""Write-back benchmark: TRS edit committed → DQT accepted the write, with the relay running as in production.

Setup: a fresh PostgreSQL database with the person and mandatory-qualification feeds backfilled. The relay
runs as ``trs-bridge relay --follow`` in a child process. The benchmark makes ``edits`` edits through
``bridge.edits.EditService`` (alternately a person's last name and an MQ's start date, a few per second, each
on a different record), noting when each edit's transaction committed. DQT's acceptance is when the write
first shows in the simulator's audit log (``/_sim/audit``), polled every ``POLL_SECONDS`` (its own timestamps
have whole seconds; the relay writes in ``$batch`` change sets, so the request log does not name the record).
The poll interval is the resolution: a latency is an upper bound by at most one poll.
"""

from __future__ import annotations

import datetime as dt
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
from bridge.edits import EditRejected, EditService
from bridge.feeds import MANDATORY_QUALIFICATION, PERSON
from bridge.local_simulator import SimulatorHandle
from trs_store import make_engine

DEFAULT_EDITS = 200
EDITS_PER_SECOND = 5.0
#: ``trs-bridge relay --follow --interval``: how long an idle relay waits before looking again.
RELAY_INTERVAL = 0.5
DRAIN_SECONDS = 60.0
POLL_SECONDS = 0.05


def _targets(database_url: str, count: int) -> tuple[list[str], list[str]]:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        persons = connection.execute(
            text(
                "SELECT person_id::text FROM persons WHERE status = 0 AND deleted_on IS NULL "
                "AND merged_with_person_id IS NULL AND trn IS NOT NULL AND first_name <> '' AND last_name <> '' "
                "ORDER BY person_id LIMIT :n"
            ),
            {"n": count},
        ).scalars()
        persons_list = list(persons)
        mqs = list(
            connection.execute(
                text(
                    "SELECT qualification_id::text FROM qualifications WHERE qualification_type = 0 "
                    "AND deleted_on IS NULL AND dqt_state = 0 AND end_date IS NULL ORDER BY qualification_id LIMIT :n"
                ),
                {"n": count},
            ).scalars()
        )
    engine.dispose()
    return persons_list, mqs


class _AuditWatcher(threading.Thread):
    """Polls the simulator's audit log; records when each record's first write was seen."""

    def __init__(self, handle: SimulatorHandle) -> None:
        super().__init__(name="audit-watcher", daemon=True)
        self.handle = handle
        self.seen: dict[str, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            entries = self.handle.admin("GET", "audit")
            now = time.time()
            for entry in entries:
                self.seen.setdefault(str(entry.get("id", "")).lower(), now)
            self.stop.wait(POLL_SECONDS)


def run(handle: SimulatorHandle, data_dir: Path, *, edits: int, log_dir: Path) -> dict[str, Any]:
    with throwaway_database("writeback") as database_url:
        child = backfill_bench.run_backfill(
            handle,
            database_url,
            [PERSON, MANDATORY_QUALIFICATION],
            backfill_bench.DEFAULT_SHARDS,
            backfill_bench.DEFAULT_THREADS,
            log_dir,
        )
        if child.returncode != 0:
            raise RuntimeError(f"the backfill failed: {child.output}")
        persons, mqs = _targets(database_url, edits)
        watcher = _AuditWatcher(handle)
        watcher.start()
        env = bridge_env(handle, database_url)
        service = EditService(make_engine(database_url))
        committed: dict[str, float] = {}
        kinds: dict[str, str] = {}
        with (log_dir / "relay-child.log").open("wb") as log:
            relay = subprocess.Popen(
                [sys.executable, "-m", "bridge.cli", "relay", "--follow", "--interval", str(RELAY_INTERVAL)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
            try:
                time.sleep(3)  # the relay's first pass and its reference reads
                start = time.time()
                for n in range(edits):
                    delay = start + n / EDITS_PER_SECOND - time.time()
                    if delay > 0:
                        time.sleep(delay)
                    try:
                        if n % 2 == 0 and persons:
                            result = service.change_name(person_id=persons.pop(), last=f"Writeback{n:05d}")
                        else:
                            start_date = dt.date(2001, 1, 1) + dt.timedelta(days=n)
                            result = service.update_mq(mqs.pop(), start_date=start_date)
                    except EditRejected:  # a record TRS refuses to edit (dirty data): not a latency sample
                        continue
                    committed[result.record_id.lower()] = time.time()
                    kinds[result.record_id.lower()] = result.kind
                deadline = time.time() + DRAIN_SECONDS
                while time.time() < deadline and any(r not in watcher.seen for r in committed):
                    time.sleep(0.5)
            finally:
                watcher.stop.set()
                watcher.join()
                relay.send_signal(signal.SIGTERM)
                try:
                    relay.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    relay.kill()
        service.engine.dispose()
    accepted = watcher.seen
    latencies = [accepted[r] - t for r, t in committed.items() if r in accepted]
    by_kind: dict[str, list[float]] = {}
    for record_id, t in committed.items():
        if record_id in accepted:
            by_kind.setdefault(kinds[record_id], []).append(accepted[record_id] - t)
    return {
        "name": "write-back: TRS edit committed -> DQT accepted the PATCH (trs-bridge relay --follow)",
        "edits": len(committed),
        "delivered": len(latencies),
        "not_delivered_within_60s": len(committed) - len(latencies),
        "latency_seconds": percentiles(latencies),
        "latency_seconds_by_kind": {k: percentiles(v) for k, v in by_kind.items()},
        "edits_per_second": EDITS_PER_SECOND,
        "relay_interval_when_idle_s": RELAY_INTERVAL,
        "poll_resolution_s": POLL_SECONDS,
    }
