"""Leases: "only one of us does this right now", across processes and hosts, safe against crashes.

A lease is a key that holds a random owner token and expires on its own (Redis ``SET key token NX PX ttl``).
While the holder works, a background thread renews it every third of its lifetime, but only if the key still
holds the holder's token (a Lua compare-and-``PEXPIRE``); releasing deletes it only if it still does (a Lua
compare-and-``DEL``), so a holder that stalled past its lease can never delete a successor's lease. A holder
that is ``kill -9``-ed simply stops renewing: the key expires after ``ttl`` and the next worker takes over.

If renewing finds the key gone or owned by someone else, or Redis has not confirmed the lease for a whole
``ttl``, the lease is *lost*: :attr:`Lease.lost` is set and the holder should stop at its next safe point
(the sync stops between pages; a page already in flight is harmless because applying a page twice changes
nothing, ADR 0020/0023).

The same backend keeps the scheduler's one-shot keys (``set_once``: ``SET NX PX``), so a tick is enqueued at
most once however many schedulers run (ADR 0041).

Without Redis (the embedded default: one process, dramatiq's StubBroker) :class:`LocalLeaseBackend` keeps the
same semantics in memory.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Protocol, Self

import structlog

log = structlog.get_logger("bridge.leases")

#: Renew when this fraction of the lease's lifetime has passed.
RENEW_FRACTION = 1 / 3

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class LeaseBackend(Protocol):
    """Atomic owner-checked keys with an expiry (Redis, or memory for one process)."""

    def try_acquire(self, key: str, token: str, ttl_ms: int) -> bool:
        """Take ``key`` for ``token`` if nobody holds it (``SET NX PX``)."""

    def renew(self, key: str, token: str, ttl_ms: int) -> bool:
        """Push the expiry to ``ttl_ms`` from now if ``token`` still holds ``key``."""

    def release(self, key: str, token: str) -> bool:
        """Delete ``key`` if ``token`` still holds it."""

    def owner(self, key: str) -> str | None:
        """The token holding ``key``, if any."""

    def set_once(self, key: str, value: str, ttl_ms: int) -> bool:
        """Set ``key`` unless it exists (an idempotency key); true if this call set it."""

    def delete(self, key: str) -> None:
        """Delete ``key`` whoever set it."""


class RedisLeaseBackend:
    """:class:`LeaseBackend` on Redis: ``SET NX PX`` plus Lua compare-and-expire / compare-and-delete."""

    def __init__(self, redis: Any) -> None:
        self.redis = redis
        self._renew = redis.register_script(_RENEW)
        self._release = redis.register_script(_RELEASE)

    def try_acquire(self, key: str, token: str, ttl_ms: int) -> bool:
        return bool(self.redis.set(key, token, nx=True, px=ttl_ms))

    def renew(self, key: str, token: str, ttl_ms: int) -> bool:
        return bool(self._renew(keys=[key], args=[token, ttl_ms]))

    def release(self, key: str, token: str) -> bool:
        return bool(self._release(keys=[key], args=[token]))

    def owner(self, key: str) -> str | None:
        value = self.redis.get(key)
        return value.decode() if isinstance(value, bytes) else value

    def set_once(self, key: str, value: str, ttl_ms: int) -> bool:
        return bool(self.redis.set(key, value, nx=True, px=ttl_ms))

    def delete(self, key: str) -> None:
        self.redis.delete(key)


class LocalLeaseBackend:
    """:class:`LeaseBackend` in memory, for one process (the embedded default without Redis)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[str, float]] = {}

    def _live(self, key: str) -> str | None:
        held = self._keys.get(key)
        if held is None:
            return None
        if held[1] <= self._clock():
            del self._keys[key]
            return None
        return held[0]

    def try_acquire(self, key: str, token: str, ttl_ms: int) -> bool:
        return self.set_once(key, token, ttl_ms)

    def renew(self, key: str, token: str, ttl_ms: int) -> bool:
        with self._lock:
            if self._live(key) != token:
                return False
            self._keys[key] = (token, self._clock() + ttl_ms / 1000)
            return True

    def release(self, key: str, token: str) -> bool:
        with self._lock:
            if self._live(key) != token:
                return False
            del self._keys[key]
            return True

    def owner(self, key: str) -> str | None:
        with self._lock:
            return self._live(key)

    def set_once(self, key: str, value: str, ttl_ms: int) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
            self._keys[key] = (value, self._clock() + ttl_ms / 1000)
            return True

    def delete(self, key: str) -> None:
        with self._lock:
            self._keys.pop(key, None)


class Lease:
    """One held lease, renewed by a daemon thread until :meth:`release` (or ``with`` exit).

    Build it with :func:`try_lease`; ``lost`` is set when the lease can no longer be trusted.
    """

    def __init__(self, backend: LeaseBackend, key: str, token: str, ttl_ms: int) -> None:
        self.backend = backend
        self.key = key
        self.token = token
        self.ttl_ms = ttl_ms
        self.lost = threading.Event()
        self._released = threading.Event()
        self._confirmed = time.monotonic()
        self._thread = threading.Thread(target=self._keep, name=f"lease:{key}", daemon=True)
        self._thread.start()

    @property
    def held(self) -> bool:
        return not self.lost.is_set() and not self._released.is_set()

    def _keep(self) -> None:
        interval = max(0.01, self.ttl_ms / 1000 * RENEW_FRACTION)
        while not self._released.wait(interval):
            try:
                still_ours = self.backend.renew(self.key, self.token, self.ttl_ms)
            except Exception as error:  # Redis unreachable: keep trying until the lease would have expired
                if time.monotonic() - self._confirmed >= self.ttl_ms / 1000:
                    log.warning("lease_unconfirmed", lease=self.key, error_type=type(error).__name__)
                    self.lost.set()
                    return
                continue
            if not still_ours:
                log.warning("lease_lost", lease=self.key)
                self.lost.set()
                return
            self._confirmed = time.monotonic()

    def release(self) -> bool:
        """Stop renewing and delete the key if it is still ours; true if it was."""
        if self._released.is_set():
            return False
        self._released.set()
        self._thread.join(timeout=5)
        try:
            return self.backend.release(self.key, self.token)
        except Exception as error:  # it expires on its own
            log.warning("lease_release_failed", lease=self.key, error_type=type(error).__name__)
            return False

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def new_token() -> str:
    """A random owner token (never reused, so a stale holder can never match a successor)."""
    return secrets.token_hex(16)


def try_lease(backend: LeaseBackend, key: str, ttl_ms: int) -> Lease | None:
    """Take the lease ``key`` for ``ttl_ms`` (renewed while held), or ``None`` if someone else holds it."""
    if ttl_ms < 30:
        raise ValueError(f"a lease must last at least 30 ms, got {ttl_ms}")
    token = new_token()
    if not backend.try_acquire(key, token, ttl_ms):
        return None
    return Lease(backend, key, token, ttl_ms)
