"""Settings and the Redis connection for running the bridge as a fleet (workers, schedulers, operators).

Everything is read from the environment (never a secret in a message or a log):

=====================================  ==========  ==========================================================
variable                               default     meaning
=====================================  ==========  ==========================================================
``REDIS_URL``                          (none)      the broker and coordination store; unset = embedded mode
``TRS_BRIDGE_REDIS_PREFIX``            trs-bridge  prefix of every key we write (dramatiq's under ``<prefix>:dramatiq``)
``TRS_BRIDGE_LEASE_TTL``               30          seconds a crashed holder keeps an entity's lease
``TRS_BRIDGE_DQT_REQUESTS_PER_WINDOW`` 6000        fleet-wide Dataverse requests per window
``TRS_BRIDGE_DQT_WINDOW_SECONDS``      300         the sliding window
``TRS_BRIDGE_DQT_CONCURRENCY``         52          fleet-wide concurrent Dataverse requests
``TRS_BRIDGE_DQT_MAX_WAIT``            600         seconds one call may wait for the limiter
``TRS_BRIDGE_JOB_MAX_RETRIES``         3           dramatiq retries per message before it is given up
``TRS_BRIDGE_JOB_MIN_BACKOFF``         15          seconds before the first retry (doubling, jittered)
``TRS_BRIDGE_JOB_MAX_BACKOFF``         600         longest wait between retries, seconds
``TRS_BRIDGE_JOB_TIME_LIMIT``          21600       seconds a job may run before dramatiq interrupts it
``TRS_BRIDGE_POLL_INTERVAL``           60          the scheduler's interval (shared with ``sync --follow``)
=====================================  ==========  ==========================================================
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bridge.errors import ConfigError
from bridge.rate_limit import RateLimitSettings

_PREFIX = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")

#: dramatiq's queues: one per kind of job, so a long backfill never starves the live sync.
QUEUES = ("sync", "backfill", "replay")


@dataclass(frozen=True, slots=True)
class FleetSettings:
    redis_url: str | None = None
    prefix: str = "trs-bridge"
    lease_ttl_seconds: float = 30.0
    rate_limits: RateLimitSettings = field(default_factory=RateLimitSettings)
    max_retries: int = 3
    min_backoff_seconds: float = 15.0
    max_backoff_seconds: float = 600.0
    time_limit_seconds: float = 21600.0
    interval_seconds: float = 60.0

    @property
    def namespace(self) -> str:
        """dramatiq's key namespace."""
        return f"{self.prefix}:dramatiq"

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> FleetSettings:
        env = os.environ if environ is None else environ

        def number(name: str, default: float, minimum: float) -> float:
            raw = env.get(name)
            if raw is None or raw == "":
                return default
            try:
                value = float(raw)
            except ValueError:
                raise ConfigError(f"{name} must be a number, got {raw!r}") from None
            if value < minimum:
                raise ConfigError(f"{name} must be at least {minimum}, got {raw}")
            return value

        redis_url = env.get("REDIS_URL") or None
        if redis_url is not None and not redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError("REDIS_URL must start with redis://, rediss:// or unix://")
        prefix = env.get("TRS_BRIDGE_REDIS_PREFIX") or "trs-bridge"
        if not _PREFIX.match(prefix):
            raise ConfigError("TRS_BRIDGE_REDIS_PREFIX may hold only letters, digits and _.:- (at most 64)")
        limits = RateLimitSettings(
            requests_per_window=int(number("TRS_BRIDGE_DQT_REQUESTS_PER_WINDOW", 6000, 1)),
            window_seconds=number("TRS_BRIDGE_DQT_WINDOW_SECONDS", 300, 1),
            concurrency=int(number("TRS_BRIDGE_DQT_CONCURRENCY", 52, 1)),
            max_wait_seconds=number("TRS_BRIDGE_DQT_MAX_WAIT", 600, 1),
        )
        return cls(
            redis_url=redis_url,
            prefix=prefix,
            lease_ttl_seconds=number("TRS_BRIDGE_LEASE_TTL", 30, 0.1),
            rate_limits=limits,
            max_retries=int(number("TRS_BRIDGE_JOB_MAX_RETRIES", 3, 0)),
            min_backoff_seconds=number("TRS_BRIDGE_JOB_MIN_BACKOFF", 15, 0.001),
            max_backoff_seconds=number("TRS_BRIDGE_JOB_MAX_BACKOFF", 600, 0.001),
            time_limit_seconds=number("TRS_BRIDGE_JOB_TIME_LIMIT", 21600, 1),
            interval_seconds=number("TRS_BRIDGE_POLL_INTERVAL", 60, 0.1),
        )


def connect_redis(url: str) -> Any:
    """A Redis client for ``url`` that has answered a ``PING`` (``ConfigError`` naming the problem otherwise)."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10, health_check_interval=30)
        client.ping()
    except (redis.RedisError, ValueError) as error:
        raise ConfigError(f"Redis is not reachable at REDIS_URL: {type(error).__name__}: {error}") from None
    return client
