"""``backfill --distributed``: one dramatiq message per shard, run by ``trs-bridge worker`` processes (real Redis)."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from bridge.feeds import PERSON
from bridge.sync import SyncService
from dataverse_client import DataverseClient
from tests.integration.bridge_ops.conftest import Store
from tests.integration.bridge_ops.helpers import TRS_BRIDGE, clean_environ, cli_process, env_for, rows
from tests.support.simulator import SimulatorHandle
from trs_store import backfills

pytestmark = pytest.mark.integration

REDIS_URL = os.environ.get("TRS_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


@pytest.fixture
def redis_env() -> Iterator[dict[str, str]]:
    """``REDIS_URL`` and a key prefix of this test's own (its keys are deleted afterwards)."""
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis is not reachable (set TRS_TEST_REDIS_URL); never skipped in CI")
    prefix = f"bridge-ops-test-{secrets.token_hex(4)}"
    yield {"REDIS_URL": REDIS_URL, "TRS_BRIDGE_REDIS_PREFIX": prefix}
    keys = list(connection.scan_iter(f"{prefix}*"))
    if keys:
        connection.delete(*keys)
    connection.close()


def test_shards_sent_to_workers_load_what_a_sync_loads(
    store: Store,
    new_store: Callable[[str], Store],
    loaded_simulator: SimulatorHandle,
    client_for: Callable[[SimulatorHandle], DataverseClient],
    redis_env: dict[str, str],
    dqt_data: Path,
    tmp_path: Path,
) -> None:
    # Given two workers consuming the backfill queue
    env = env_for(loaded_simulator, store.url, **redis_env)
    workers = [
        subprocess.Popen(  # our own entry point
            [TRS_BRIDGE, "worker", "--threads", "2", "--queue", "backfill"],
            env=clean_environ(env),
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        # When the operator sends a person backfill of 6 shards to them and waits for it
        result = cli_process(
            env, "backfill", "--entity", "person", "--shards", "6", "--distributed", "--wait", "--json", cwd=tmp_path
        )
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=60)

    # Then the run succeeded, every shard done, and TRS holds what a sync of the same DQT gives
    assert result.returncode == 0, result.stderr[-3000:]
    (report,) = json.loads(result.stdout)
    assert report["status"] == "succeeded"
    with store.engine.connect() as connection:
        shards = backfills.shards(connection, report["run_id"])
    assert [s.status for s in shards] == ["done"] * 6
    synced = new_store(store.kind)
    SyncService(synced.engine, client_for(loaded_simulator)).sync([PERSON])
    assert rows(store.engine, "persons") == rows(synced.engine, "persons")
    assert sum(s.counts.seen for s in shards) == len((dqt_data / "contacts.jsonl").read_bytes().splitlines())
