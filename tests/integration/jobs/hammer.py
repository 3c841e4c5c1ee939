"""A test-only process that calls DQT as fast as the fleet's limiter lets it (run as a child process).

Environment: ``DQT_*``, ``REDIS_URL``, ``TRS_BRIDGE_REDIS_PREFIX`` and the ``TRS_BRIDGE_DQT_*`` limits as for a
worker, plus ``HAMMER_THREADS`` and ``HAMMER_SECONDS``. Every thread calls ``WhoAmI`` through one client that
uses the Redis-backed gate and limiter, until the time is up; prints ``{"calls": n, "errors": {...}}``.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter

from bridge.fleet import FleetSettings, connect_redis
from bridge.rate_limit import FleetRateLimiter, RedisRetryAfterGate
from dataverse_client import DataverseClient, DataverseSettings


def main() -> None:
    fleet = FleetSettings.from_env()
    assert fleet.redis_url is not None
    redis = connect_redis(fleet.redis_url)
    client = DataverseClient(
        DataverseSettings.from_env(),
        gate=RedisRetryAfterGate(redis, fleet.prefix),
        limiter=FleetRateLimiter(redis, fleet.prefix, fleet.rate_limits),
    )
    deadline = time.monotonic() + float(os.environ["HAMMER_SECONDS"])
    calls = 0
    errors: Counter[str] = Counter()
    lock = threading.Lock()

    def hammer() -> None:
        nonlocal calls
        while time.monotonic() < deadline:
            try:
                client.whoami()
            except Exception as error:
                with lock:
                    errors[type(error).__name__] += 1
                continue
            with lock:
                calls += 1

    threads = [threading.Thread(target=hammer) for _ in range(int(os.environ["HAMMER_THREADS"]))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    client.close()
    print(json.dumps({"calls": calls, "errors": dict(errors)}))


if __name__ == "__main__":
    main()
