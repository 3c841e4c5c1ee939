"""Admission control around every HTTP attempt: a hook a fleet-wide rate limiter plugs into.

Dataverse's service protection counts *requests per sliding window* and *concurrent requests* per
application user, across every process using that identity. One process cannot see the others, so
the client asks a :class:`RequestLimiter` for a slot right before each Web API attempt (retries
included, each 401 resend included) and gives it back as soon as the attempt is answered, failed or
abandoned. The default, :class:`NoRequestLimit`, admits everything at once: a single process is kept
in bounds by its connection pool and the :class:`~.retry.RetryAfterGate`.

``acquire`` may block (that is the point) and may raise to give up waiting; whatever it raises reaches
the caller unchanged and is never retried by the client, because no request was sent. ``release`` is
always called exactly once for every token ``acquire`` returned, and must not raise.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["NoRequestLimit", "RequestLimiter"]


class RequestLimiter(Protocol):
    """Grants one slot per HTTP attempt; shared by everything that uses one Dataverse identity."""

    def acquire(self) -> object:
        """Block until one more request may be sent now; return a token to hand to :meth:`release`."""

    def release(self, token: object) -> None:
        """The attempt that ``token`` admitted has finished (answered or not)."""


class NoRequestLimit:
    """A :class:`RequestLimiter` that admits every request at once (the default)."""

    def acquire(self) -> object:
        return None

    def release(self, token: object) -> None:
        return None
