"""What every benchmark shares: throw-away PostgreSQL databases, the bridge's environment, child processes whose
peak memory is read from the kernel, and percentiles."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bridge.local_simulator import SimulatorHandle
from trs_store import normalise_url
from trs_store.migrate import upgrade

#: The PostgreSQL server benchmarks create their databases on (the test suite's, by default).
PG_ADMIN_URL = os.environ.get(
    "TRS_BENCH_PG_URL", os.environ.get("TRS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
)
DB_PREFIX = "bench_"
ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def throwaway_database(label: str, *, migrate: bool = True) -> Iterator[str]:
    """A new database ``bench_<pid>_<label>`` (migrated to the newest schema), dropped afterwards."""
    admin_url = make_url(normalise_url(PG_ADMIN_URL))
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"{DB_PREFIX}{os.getpid()}_{label}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        if migrate:
            upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def bridge_env(handle: SimulatorHandle, database_url: str, **extra: str) -> dict[str, str]:
    """The environment a ``trs-bridge`` process needs to reach this simulator and this database."""
    env = {k: v for k, v in os.environ.items() if k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")}
    return {**env, **handle.env(), "TRS_DATABASE_URL": database_url, **extra}


@dataclass(frozen=True, slots=True)
class ChildResult:
    """A finished child process: its exit status, wall time, peak resident set (the largest sum over the child
    and its descendants, sampled every second), the JSON it printed last on stdout, and those samples
    (``(seconds since start, MB)``)."""

    returncode: int
    seconds: float
    peak_rss_mb: float
    output: Any
    rss_samples: tuple[tuple[float, float], ...] = ()


def _resident_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def own_peak_rss_mb() -> float | None:
    """This process's resident high-water mark since it started (``VmHWM``). Not ``ru_maxrss``: Linux carries
    the high-water mark of the address space a process replaced at ``exec`` into it, so a child started by a
    large parent (this benchmark holds 840 MB after staging the COPY ceiling of 1M persons) reports the parent's
    peak: the "843 MB at 1M" of the first 1M run was exactly the benchmark process's own peak."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _descendants(pid: int) -> list[int]:
    """``pid``'s children, grandchildren… (a backfill's helper processes), read from ``/proc/<pid>/stat``."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry))
    found: list[int] = []
    stack = [pid]
    while stack:
        for child in parents.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def tree_resident_mb(pid: int) -> float | None:
    """Resident set of ``pid`` plus every descendant: what a backfill with helper processes holds at once."""
    own = _resident_mb(pid)
    if own is None:
        return None
    return round(own + sum(_resident_mb(child) or 0.0 for child in _descendants(pid)), 1)


def run_child(args: Sequence[str], env: dict[str, str], log_path: Path) -> ChildResult:
    """Run ``python <args>`` and sample its resident set with its descendants' (the simulator's is not counted)."""
    started = time.perf_counter()
    samples: list[tuple[float, float]] = []
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, *args], env=env, stdout=subprocess.PIPE, stderr=log, cwd=ROOT)
        done = threading.Event()

        def sample() -> None:
            while not done.wait(1.0):
                mb = tree_resident_mb(process.pid)
                if mb is not None:
                    samples.append((round(time.perf_counter() - started, 1), mb))

        sampler = threading.Thread(target=sample, name="rss-sampler", daemon=True)
        sampler.start()
        assert process.stdout is not None
        out = process.stdout.read()
        done.set()
        sampler.join()
        # wait4's ru_maxrss is not used: it starts from this process's own peak (see ``own_peak_rss_mb``)
        _, status = os.waitpid(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    lines = [line for line in out.decode().splitlines() if line.strip()]
    output: Any = None
    if lines:
        try:
            output = json.loads(lines[-1])
        except json.JSONDecodeError:
            output = out.decode()[-4000:]
    # The sampled sum over the tree counts helper processes; a child that reports its own ``VmHWM`` is exact.
    peak = max((mb for _, mb in samples), default=0.0)
    return ChildResult(process.returncode, seconds, peak, output, tuple(samples))


def percentiles(values: Sequence[float]) -> dict[str, float | int | None]:
    """p50, p95 and max (nearest rank) of ``values``, in the values' unit, rounded to milliseconds."""
    if not values:
        return {"count": 0, "p50": None, "p95": None, "max": None}
    ordered = sorted(values)

    def rank(p: float) -> float:
        index = max(0, min(len(ordered) - 1, math.ceil(p * len(ordered)) - 1))
        return round(ordered[index], 3)

    return {"count": len(ordered), "p50": rank(0.50), "p95": rank(0.95), "max": round(ordered[-1], 3)}


def bearer_session(handle: SimulatorHandle, page_size: int) -> Any:
    """A bare ``requests`` session holding a token: reads without the bridge's client on top."""
    import requests

    response = requests.post(
        f"{handle.authority}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": handle.client_id,
            "client_secret": handle.client_secret,
            "scope": f"{handle.base_url}/.default",
        },
        verify=handle.ca_bundle,
        timeout=30,
    )
    response.raise_for_status()
    session = requests.Session()
    session.verify = handle.ca_bundle
    session.headers.update(
        {
            "Authorization": f"Bearer {response.json()['access_token']}",
            "Accept": "application/json",
            "OData-Version": "4.0",
            "OData-MaxVersion": "4.0",
            "Prefer": f"odata.maxpagesize={page_size}",
        }
    )
    return session
