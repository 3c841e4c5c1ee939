"""``make bench``: generate data, start the simulator, run each benchmark, write results as JSON.

Usage: ``python -m bench.run [--persons N ...] [--keep-data]``. Results go to
``bench/results/<benchmark>-<persons>.json``; ``bench/README.md`` holds the table of the latest figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from bench import machine, sim_serving
from bridge.local_simulator import generate_data, start_simulator

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
DATA = ROOT / "data"


def _generate(persons: int) -> tuple[Path, float]:
    out = DATA / f"persons-{persons}"
    started = time.perf_counter()
    generated = generate_data(out, persons, seed=2026)
    return out, (time.perf_counter() - started) if generated else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, nargs="+", default=[100_000])
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    for persons in args.persons:
        data_dir, generate_s = _generate(persons)
        started = time.perf_counter()
        handle = start_simulator(DATA / f"sim-{persons}", data_dir=data_dir, timeout=600)
        load_s = time.perf_counter() - started
        try:
            result = sim_serving.run(handle, data_dir)
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
        path = RESULTS / f"sim_serving-{persons}.json"
        path.write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
