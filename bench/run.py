"""``make bench``: generate data, start the simulator, run each benchmark, write results as JSON.

Usage: ``python -m bench.run [--persons N ...] [--only NAME ...] [--duration S] [--feeds core|all|a,b]``.
Benchmarks: ``sim_serving`` (page serving), ``backfill`` (vs. drain and COPY ceilings and the naive way),
``live_sync`` (DQT write → TRS commit lag at a steady change rate), ``writeback`` (TRS edit → DQT accepted).
Results go to ``bench/results/<benchmark>-<persons>.json``; ``bench/README.md`` holds the table of the latest
figures. Generated data is cached in ``bench/data/`` (``--keep-data`` is the default; delete it to regenerate).
"""

from __future__ import annotations

import argparse
import json
import resource
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import backfill, live_sync, machine, sim_serving, writeback
from bridge.local_simulator import SimulatorHandle, generate_data, start_simulator

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
DATA = ROOT / "data"
BENCHMARKS = ("sim_serving", "backfill", "live_sync", "writeback")


def _generate(persons: int) -> tuple[Path, float]:
    out = DATA / f"persons-{persons}"
    started = time.perf_counter()
    generated = generate_data(out, persons, seed=2026)
    return out, (time.perf_counter() - started) if generated else 0.0


def _runner(name: str, args: argparse.Namespace, log_dir: Path) -> Callable[[SimulatorHandle, Path], dict[str, Any]]:
    if name == "sim_serving":
        return sim_serving.run
    if name == "backfill":
        return lambda handle, data_dir: backfill.run(
            handle,
            data_dir,
            feeds=backfill.feeds_named(args.feeds),
            shards=args.shards,
            threads=args.threads,
            processes=args.processes,
            naive_persons=args.naive_persons,
            log_dir=log_dir,
        )
    if name == "live_sync":
        return lambda handle, data_dir: live_sync.run(
            handle, data_dir, rate=args.rate, duration=args.duration, log_dir=log_dir
        )
    return lambda handle, data_dir: writeback.run(handle, data_dir, edits=args.edits, log_dir=log_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, nargs="+", default=[100_000])
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=list(BENCHMARKS))
    parser.add_argument("--feeds", default="core", help="backfill: core (the issue's five), all, or a,b,c")
    parser.add_argument("--shards", type=int, default=backfill.DEFAULT_SHARDS)
    parser.add_argument("--threads", type=int, default=backfill.DEFAULT_THREADS)
    parser.add_argument("--processes", type=int, default=backfill.DEFAULT_PROCESSES)
    parser.add_argument("--naive-persons", type=int, default=backfill.NAIVE_PERSONS)
    parser.add_argument("--duration", type=float, default=live_sync.DEFAULT_DURATION, help="live_sync seconds")
    parser.add_argument("--rate", type=float, default=live_sync.DEFAULT_RATE, help="live_sync DQT changes/s")
    parser.add_argument("--edits", type=int, default=writeback.DEFAULT_EDITS, help="writeback: TRS edits")
    args = parser.parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so the simulator is stopped and the throw-away databases are dropped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    RESULTS.mkdir(parents=True, exist_ok=True)
    for persons in args.persons:
        data_dir, generate_s = _generate(persons)
        for name in args.only:
            log_dir = DATA / f"logs-{persons}-{name}"
            log_dir.mkdir(parents=True, exist_ok=True)
            started = time.perf_counter()
            handle = start_simulator(DATA / f"sim-{persons}", data_dir=data_dir, timeout=900)
            load_s = time.perf_counter() - started
            try:
                result = _runner(name, args, log_dir)(handle, data_dir)
            finally:
                handle.stop()
            result.update(
                {
                    "persons": persons,
                    "generate_seconds": round(generate_s, 1) if generate_s else "cached",
                    "simulator_start_and_load_seconds": round(load_s, 1),
                    "bench_process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                    "machine": machine.describe(),
                    "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                }
            )
            suffix = f"-processes{args.processes}" if name == "backfill" and args.processes != 1 else ""
            path = RESULTS / f"{name}-{persons}{suffix}.json"
            path.write_text(json.dumps(result, indent=2) + "\n")
            print(json.dumps(result, indent=2), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
