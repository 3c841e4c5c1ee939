"""Leases on real Redis: exclusive, renewed while held, released only by their owner, expiring after a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import redis

from bridge.leases import RedisLeaseBackend, try_lease
from tests.integration.jobs.conftest import REPO_ROOT, RedisSpace, wait_for

pytestmark = pytest.mark.integration


def backend(space: RedisSpace) -> RedisLeaseBackend:
    return RedisLeaseBackend(redis.Redis.from_url(space.url))  # its own connection, as another process


def test_only_one_holder_at_a_time_and_renewal_outlives_the_ttl(space: RedisSpace) -> None:
    key = f"{space.prefix}:lease:sync:contacts"
    first = try_lease(backend(space), key, 300)
    assert first is not None
    time.sleep(0.8)  # well past the 300 ms lifetime: renewed meanwhile
    assert first.held
    assert try_lease(backend(space), key, 300) is None
    assert first.release()
    second = try_lease(backend(space), key, 300)
    assert second is not None
    second.release()


def test_a_stale_holder_cannot_release_or_renew_a_successors_lease(space: RedisSpace) -> None:
    key = f"{space.prefix}:lease:x"
    store = backend(space)
    assert store.try_acquire(key, "old-owner", 100)
    time.sleep(0.2)  # the old owner stalled past its lease
    assert store.try_acquire(key, "new-owner", 5000)
    assert not store.release(key, "old-owner")
    assert not store.renew(key, "old-owner", 5000)
    assert store.owner(key) == "new-owner"


def test_a_holder_that_finds_its_lease_taken_knows_it_lost_it(space: RedisSpace) -> None:
    key = f"{space.prefix}:lease:y"
    lease = try_lease(backend(space), key, 300)
    assert lease is not None
    space.client.set(key, "someone-else", px=5000)
    wait_for(lease.lost.is_set, 2, "the renewal noticed")
    assert not lease.held
    assert not lease.release()  # and does not delete the other's key
    assert space.client.get(key) == b"someone-else"


def test_the_lease_of_a_process_killed_with_sigkill_expires_on_its_own(space: RedisSpace) -> None:
    key = f"{space.prefix}:lease:sync:contacts"
    script = textwrap.dedent(
        f"""
        import time, redis
        from bridge.leases import RedisLeaseBackend, try_lease
        lease = try_lease(RedisLeaseBackend(redis.Redis.from_url({space.url!r})), {key!r}, 1000)
        print("held" if lease else "busy", flush=True)
        time.sleep(60)
        """
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO_ROOT, stdout=subprocess.PIPE, env=dict(os.environ)
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == b"held"
    time.sleep(1.5)  # renewed past its TTL while alive
    assert space.client.get(key) is not None
    holder.send_signal(signal.SIGKILL)
    holder.wait(10)
    holder.stdout.close()
    killed_at = time.monotonic()
    taken = wait_for(lambda: try_lease(backend(space), key, 1000), 3, "the dead holder's lease expired")
    assert time.monotonic() - killed_at <= 1.5  # TTL 1 s after the last renewal, plus polling on a busy host
    taken.release()
