"""Full reconcile of the person entity against PostgreSQL: rows/s and the reconcile process's peak RSS.

Usage: ``python -m bench.reconcile [--persons N ...] [--pg-url URL]``. For each size: generate the data (cached in
``bench/data``), start the simulator with it, sync the person feed into a throwaway PostgreSQL database, then run
``reconcile(client, engine, "person")`` in a fresh child process, so its peak RSS is the reconcile's own and not the
sync's (it should not grow with the number of persons: memory is bounded by the key range, ADR 0080). Results go
to ``bench/results/reconcile-<persons>.json``.
"""

from __future__ import annotations

import argparse
import json
import resource
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import machine
from bridge.local_simulator import generate_data, start_simulator

PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
DATA = ROOT / "data"  # shared with ``bench.run``: the same generated data sets (seed 2026)


def measure(database_url: str, env: dict[str, str], range_size: int) -> dict[str, Any]:
    """Run in the child: one full reconcile of persons; what it found, how fast, and this process's peak RSS."""
    from bridge.feeds import PERSON
    from bridge.reconcile import reconcile
    from dataverse_client import DataverseClient, DataverseSettings
    from trs_store import make_engine

    engine = make_engine(database_url)
    rss_before = _status_kb("VmRSS")
    with DataverseClient(DataverseSettings.from_env(env)) as client:
        started = time.perf_counter()  # the ceiling, in the same run: reading the contacts alone
        read = sum(len(p.records) for p in client.query("contacts", select=list(PERSON.select), page_size=5000))
        read_seconds = time.perf_counter() - started
        started = time.perf_counter()
        report = reconcile(client, engine, "person", range_size=range_size)
        seconds = time.perf_counter() - started
    return {
        "clean": report.clean,
        "dqt_records": report.dqt_records,
        "trs_records": report.trs_records,
        "compared": report.compared,
        "differences": sum(report.counts[k] for k in ("missing", "extra", "differing")),
        "unapplied": report.counts["unapplied"],
        "ranges": report.ranges,
        "ranges_examined": report.ranges_examined,
        "range_size": range_size,
        "seconds": round(seconds, 2),
        "records_per_second": round((report.dqt_records + report.trs_records) / 2 / seconds),
        "dqt_read_alone_records_per_second": round(read / read_seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_before_reconcile_mb": round(rss_before / 1024, 1),
        "rss_after_reconcile_mb": round(_status_kb("VmRSS") / 1024, 1),
    }


def _status_kb(field: str) -> int:
    """A ``/proc/self/status`` figure in kB (``VmRSS``: resident now)."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(f"{field}:"))
    return int(line.split()[1])


def run(persons: int, pg_url: str, range_size: int) -> dict[str, Any]:
    from bridge.feeds import PERSON
    from bridge.sync import SyncService
    from dataverse_client import DataverseClient
    from trs_store import make_engine
    from trs_store.migrate import upgrade

    data_dir = DATA / f"persons-{persons}"
    generate_data(data_dir, persons, seed=2026)
    handle = start_simulator(DATA / f"sim-{persons}", data_dir=data_dir, timeout=600)
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    name = f"bench_reconcile_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        engine = make_engine(url)
        started = time.perf_counter()
        with DataverseClient(handle.settings()) as client:
            SyncService(engine, client, page_size=5000).sync([PERSON])
        sync_seconds = time.perf_counter() - started
        engine.dispose()
        child = subprocess.run(
            [sys.executable, "-m", "bench.reconcile", "--child", url, "--range-size", str(range_size)],
            input=json.dumps(handle.env()),
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        handle.stop()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return {"persons": persons, "store": "postgresql", "person_sync_seconds": round(sync_seconds, 1), **result}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, nargs="+", default=[100_000])
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--range-size", type=int, default=5000)
    parser.add_argument("--child", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        env = json.loads(sys.stdin.read())
        print(json.dumps(measure(args.child, env, args.range_size)))
        return 0
    RESULTS.mkdir(parents=True, exist_ok=True)
    for persons in args.persons:
        result = run(persons, args.pg_url, args.range_size)
        result |= {"machine": machine.describe(), "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        (RESULTS / f"reconcile-{persons}.json").write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
