"""Fixtures for the fleet tests: real Redis, real worker and scheduler processes, the simulator over HTTPS.

Redis comes from ``$TRS_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/14``: a database number of its
own). Every test gets a unique key prefix (``TRS_BRIDGE_REDIS_PREFIX``), so tests never meet, and its keys are
deleted afterwards (only keys under that prefix: never ``FLUSHDB``). Without a reachable Redis the tests are
skipped locally and fail in CI (``$CI`` set).

The TRS stores (``store``, ``new_store``: fresh migrated SQLite files and PostgreSQL databases) and the
generated DQT data (``dqt_data``) are the bridge tests' fixtures, re-used here.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.integration.bridge.conftest import (  # noqa: F401 - fixtures re-used by these tests
    PgServer,
    Store,
    dqt_data,
    new_store,
    pg_server,
    pg_template,
    sqlite_template,
    store,
)
from tests.support.simulator import SimulatorHandle

REDIS_URL = os.environ.get("TRS_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass
class RedisSpace:
    """One test's corner of Redis: the URL, the key prefix and a client."""

    url: str
    prefix: str
    client: redis.Redis

    def keys(self) -> list[str]:
        return sorted(
            k.decode() if isinstance(k, bytes) else k
            for k in self.client.scan_iter(match=f"{self.prefix}:*", count=1000)
        )

    def dump(self) -> dict[str, Any]:
        """Every key under the prefix with its value (strings, hashes, lists, sets, sorted sets), as text."""
        out: dict[str, Any] = {}
        for key in self.keys():
            kind_raw = self.client.type(key)
            kind = kind_raw.decode() if isinstance(kind_raw, bytes) else str(kind_raw)
            if kind == "string":
                out[key] = self.client.get(key)
            elif kind == "hash":
                out[key] = self.client.hgetall(key)
            elif kind == "list":
                out[key] = self.client.lrange(key, 0, -1)
            elif kind == "set":
                out[key] = sorted(self.client.smembers(key))
            elif kind == "zset":
                out[key] = self.client.zrange(key, 0, -1, withscores=True)
        return out

    def clear(self) -> None:
        keys = list(self.client.scan_iter(match=f"{self.prefix}:*", count=1000))
        if keys:
            self.client.delete(*keys)


@pytest.fixture(scope="session")
def redis_url() -> str:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis is not reachable (set TRS_TEST_REDIS_URL); never skipped in CI")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def space(redis_url: str) -> Iterator[RedisSpace]:
    client = redis.Redis.from_url(redis_url)
    value = RedisSpace(redis_url, f"t{secrets.token_hex(5)}", client)
    yield value
    value.clear()
    client.close()


@dataclass
class Proc:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def logs(self) -> list[dict[str, Any]]:
        """The JSON log lines written so far (other lines are skipped)."""
        out = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        return out

    def events(self, name: str) -> list[dict[str, Any]]:
        return [e for e in self.logs() if e.get("event") == name]

    def terminate(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)


@dataclass
class Fleet:
    """Starts ``trs-bridge worker`` / ``scheduler`` processes against one simulator, store and Redis prefix."""

    sim: SimulatorHandle
    store_url: str
    space: RedisSpace
    log_dir: Path
    settings: dict[str, str] = field(default_factory=dict)
    procs: list[Proc] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DQT_", "TRS_", "REDIS_URL")) and k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
        }
        return (
            base
            | self.sim.env()
            | {
                "TRS_DATABASE_URL": self.store_url,
                "REDIS_URL": self.space.url,
                "TRS_BRIDGE_REDIS_PREFIX": self.space.prefix,
                "TRS_BRIDGE_POLL_INTERVAL": "0.5",
                "TRS_BRIDGE_LEASE_TTL": "2",
                "TRS_BRIDGE_PAGE_SIZE": "50",
                "TRS_BRIDGE_JOB_MIN_BACKOFF": "0.2",
                "TRS_BRIDGE_JOB_MAX_BACKOFF": "1",
                "PYTHONUNBUFFERED": "1",
            }
            | self.settings
            | extra
        )

    def start(self, command: str, *args: str, **extra: str) -> Proc:
        name = f"{command}{len(self.procs)}"
        log_path = self.log_dir / f"{name}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "bridge.cli", command, *args],
                cwd=REPO_ROOT,
                env=self.env(**extra),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        proc = Proc(name, process, log_path)
        self.procs.append(proc)
        return proc

    def worker(self, *args: str, **extra: str) -> Proc:
        return self.start("worker", *args, **extra)

    def scheduler(self, *args: str, **extra: str) -> Proc:
        return self.start("scheduler", *args, **extra)

    def stop_all(self, timeout: float = 30) -> None:
        for proc in self.procs:
            proc.terminate()
        deadline = time.monotonic() + timeout
        for proc in self.procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def fleet_factory(tmp_path: Path, space: RedisSpace) -> Iterator[Callable[[SimulatorHandle, str], Fleet]]:
    fleets: list[Fleet] = []

    def factory(sim: SimulatorHandle, store_url: str) -> Fleet:
        fleet = Fleet(sim, store_url, space, tmp_path)
        fleets.append(fleet)
        return fleet

    yield factory
    for fleet in fleets:
        fleet.stop_all(timeout=10)


def wait_for(condition: Callable[[], Any], timeout: float, message: str, interval: float = 0.1) -> Any:
    """Poll ``condition`` until it returns something truthy; fail with ``message`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s: {message}")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
