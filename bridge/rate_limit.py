"""Fleet-wide pacing of Dataverse calls: every worker of the fleet shares one budget, kept in Redis.

Dataverse's service protection limits each application user to (by default) 6,000 requests per sliding
300 s and 52 concurrent requests, counted across *every* process using that identity; past either it
answers 429 with a ``Retry-After``, and hammering on lengthens the penalty. So, per Web API attempt
(the client's :class:`~dataverse_client.RequestLimiter` hook), one Lua script decides atomically, on Redis's
own clock (no skew between hosts):

1. **Retry-After first**: if any worker was told to wait (the ``not-before`` key), wait until then;
2. **concurrency**: a semaphore as a sorted set of slot tokens scored by their expiry; expired slots
   (a worker killed mid-request) are dropped, so a crash leaks a slot for at most ``slot_ttl_seconds``;
3. **window**: a sliding-window log (a sorted set of request tokens scored by when they were admitted);
   entries older than the window plus a safety margin are dropped, and a request is admitted only while
   fewer than the limit remain. Admitting also takes a concurrency slot, in the same script.

A refusal says how long to wait (until the Retry-After instant, until the window's oldest entry leaves,
or a short poll for a concurrency slot). The waiting happens inside the client call, on the worker
thread: it is not a failure and never consumes a dramatiq retry. Waiting gives up only when the process
is stopping or after ``max_wait_seconds`` (:class:`RateLimitWait`); the job then re-enqueues itself with a
delay, still without spending a retry.

:class:`RedisRetryAfterGate` is the client's :class:`~dataverse_client.RetryAfterGate` on the same
``not-before`` key: a 429 seen by one worker holds every worker (ADR 0042).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog

log = structlog.get_logger("bridge.rate_limit")

#: Called with (reason, seconds) after every wait: "retry_after" | "window" | "concurrency".
WaitObserver = Callable[[str, float], None]

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

_DEFER = (
    _NOW
    + """
local until_ms = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ms > current then
  redis.call('SET', KEYS[1], until_ms, 'PX', tonumber(ARGV[1]) + 60000)
  return until_ms - now
end
return current - now
"""
)

_REMAINING = (
    _NOW
    + """
local nb = tonumber(redis.call('GET', KEYS[1]) or '0')
if nb > now then return nb - now end
return 0
"""
)

# KEYS: window log, slots, not-before. ARGV: limit, window_ms (with margin), concurrency, slot_ttl_ms, token.
# Returns {1, 0, "ok"} or {0, wait_ms, reason}.
_ACQUIRE = (
    _NOW
    + """
local nb = tonumber(redis.call('GET', KEYS[3]) or '0')
if nb > now then return {0, nb - now, 'retry_after'} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then
  return {0, 0, 'concurrency'}
end
local window_ms = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window_ms)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + window_ms - now + 1, 'window'}
end
redis.call('ZADD', KEYS[1], now, ARGV[5])
redis.call('PEXPIRE', KEYS[1], window_ms + 1000)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[5])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[4]) + 1000)
return {1, 0, 'ok'}
"""
)

# KEYS: window log, slots, not-before. ARGV: window_ms. Returns {window_used, in_flight, not_before_ms}.
_STATE = (
    _NOW
    + """
local used = redis.call('ZCOUNT', KEYS[1], now - tonumber(ARGV[1]), '+inf')
local in_flight = redis.call('ZCOUNT', KEYS[2], now, '+inf')
local nb = tonumber(redis.call('GET', KEYS[3]) or '0')
local remaining = 0
if nb > now then remaining = nb - now end
return {used, in_flight, remaining}
"""
)


class RateLimitWait(Exception):
    """Raised instead of waiting any longer for the limiter; ``retry_in`` suggests when to try again."""

    def __init__(self, message: str, retry_in: float) -> None:
        super().__init__(message)
        self.retry_in = retry_in


class RateLimitWaitAborted(RateLimitWait):
    """Raised when the process is stopping while a call waits for the limiter or a Retry-After."""


class RateLimitWaitTooLong(RateLimitWait):
    """Raised when one call has waited ``max_wait_seconds`` for the limiter."""


@dataclass(frozen=True, slots=True)
class RateLimitSettings:
    """The fleet's Dataverse budget (defaults: Dataverse's service-protection limits per application user)."""

    requests_per_window: int = 6000
    window_seconds: float = 300.0
    concurrency: int = 52
    #: Added to the window before an admitted request stops counting: Dataverse counts a request when it
    #: arrives, a little after we admit it, so its window ends a little later than ours.
    window_margin_seconds: float = 1.0
    #: A concurrency slot not released by then (its worker died) is freed; longer than any request lasts.
    slot_ttl_seconds: float = 180.0
    #: How often a call waiting for a concurrency slot asks again (with jitter).
    poll_seconds: float = 0.02
    #: Longest one call waits for the limiter before giving up with :class:`RateLimitWaitTooLong`.
    max_wait_seconds: float = 600.0

    def __post_init__(self) -> None:
        if self.requests_per_window < 1 or self.concurrency < 1 or self.window_seconds <= 0:
            raise ValueError("rate limits must be positive")


class FleetKeys:
    """The Redis keys of one Dataverse identity's budget under ``prefix``."""

    def __init__(self, prefix: str) -> None:
        self.window = f"{prefix}:dqt:window"
        self.slots = f"{prefix}:dqt:slots"
        self.not_before = f"{prefix}:dqt:not-before"


def _never() -> bool:
    return False


class RedisRetryAfterGate:
    """The client's :class:`~dataverse_client.RetryAfterGate`, shared by the fleet through one Redis key.

    ``defer`` never shortens a hold; ``wait`` polls in slices of at most ``slice_seconds`` so a stopping
    process gives up promptly (:class:`RateLimitWaitAborted`)."""

    def __init__(
        self,
        redis: Any,
        prefix: str,
        *,
        should_stop: Callable[[], bool] = _never,
        observer: WaitObserver | None = None,
        slice_seconds: float = 0.5,
    ) -> None:
        self.keys = FleetKeys(prefix)
        self._defer = redis.register_script(_DEFER)
        self._remaining = redis.register_script(_REMAINING)
        self._should_stop = should_stop
        self._observer = observer
        self._slice = slice_seconds

    def defer(self, seconds: float) -> None:
        held_ms = self._defer(keys=[self.keys.not_before], args=[max(0, int(seconds * 1000 + 0.999))])
        log.info("dqt_retry_after_published", seconds=seconds, held_seconds=round(int(held_ms) / 1000, 3))

    def remaining(self) -> float:
        return int(self._remaining(keys=[self.keys.not_before])) / 1000

    def wait(self) -> float:
        waited = 0.0
        while (pause := self.remaining()) > 0:
            if self._should_stop():
                raise RateLimitWaitAborted("stopping while DQT asked us to wait", retry_in=pause)
            step = min(pause, self._slice)
            time.sleep(step)
            waited += step
        if waited and self._observer is not None:
            self._observer("retry_after", waited)
        return waited


class FleetRateLimiter:
    """The client's :class:`~dataverse_client.RequestLimiter` on Redis: one slot per HTTP attempt, within
    the fleet's window and concurrency budget and after any published Retry-After (module docstring)."""

    def __init__(
        self,
        redis: Any,
        prefix: str,
        settings: RateLimitSettings | None = None,
        *,
        should_stop: Callable[[], bool] = _never,
        observer: WaitObserver | None = None,
    ) -> None:
        self.redis = redis
        self.settings = settings or RateLimitSettings()
        self.keys = FleetKeys(prefix)
        self._acquire = redis.register_script(_ACQUIRE)
        self._state = redis.register_script(_STATE)
        self._should_stop = should_stop
        self._observer = observer

    @property
    def _window_ms(self) -> int:
        return int((self.settings.window_seconds + self.settings.window_margin_seconds) * 1000)

    def acquire(self) -> object:
        s = self.settings
        keys = [self.keys.window, self.keys.slots, self.keys.not_before]
        started = time.monotonic()
        waits: dict[str, float] = {}
        while True:
            token = f"{time.time_ns()}-{random.getrandbits(48):012x}"
            granted, wait_ms, reason = self._acquire(
                keys=keys,
                args=[s.requests_per_window, self._window_ms, s.concurrency, int(s.slot_ttl_seconds * 1000), token],
            )
            if int(granted):
                for why, seconds in waits.items():
                    if self._observer is not None:
                        self._observer(why, seconds)
                return token
            why = reason.decode() if isinstance(reason, bytes) else str(reason)
            pause = int(wait_ms) / 1000 if why != "concurrency" else s.poll_seconds * random.uniform(0.5, 1.5)  # noqa: S311
            waited = time.monotonic() - started
            if self._should_stop():
                raise RateLimitWaitAborted(f"stopping while waiting for the DQT rate limit ({why})", retry_in=pause)
            if waited + pause > s.max_wait_seconds:
                raise RateLimitWaitTooLong(
                    f"waited {waited:.0f}s for the DQT rate limit ({why}); giving up this call", retry_in=pause
                )
            step = min(pause, 0.5)
            time.sleep(step)
            waits[why] = waits.get(why, 0.0) + step

    def release(self, token: object) -> None:
        try:
            self.redis.zrem(self.keys.slots, str(token))
        except Exception as error:  # the slot expires on its own; a release must never fail a call
            log.warning("rate_limit_release_failed", error_type=type(error).__name__)

    def state(self) -> LimiterState:
        """What the fleet is using now (for ``trs-bridge status`` and metrics)."""
        used, in_flight, remaining_ms = self._state(
            keys=[self.keys.window, self.keys.slots, self.keys.not_before], args=[self._window_ms]
        )
        return LimiterState(
            window_used=int(used),
            requests_per_window=self.settings.requests_per_window,
            window_seconds=self.settings.window_seconds,
            in_flight=int(in_flight),
            concurrency=self.settings.concurrency,
            retry_after_remaining=int(remaining_ms) / 1000,
        )


@dataclass(frozen=True, slots=True)
class LimiterState:
    window_used: int
    requests_per_window: int
    window_seconds: float
    in_flight: int
    concurrency: int
    retry_after_remaining: float
