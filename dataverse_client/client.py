"""``DataverseClient``: reads and writes for one Dataverse environment.

One client per process and Dataverse identity, shared by every thread: it owns the pooled session,
the msal token cache and the Retry-After gate, and each of those is only useful when shared. The
methods live in :mod:`.reads` and :mod:`.writes`; the machinery they share (auth, retries, the gate,
URL building) in :mod:`.core`.
"""

from __future__ import annotations

from .reads import ReadMethods
from .writes import WriteMethods

__all__ = ["DataverseClient"]


class DataverseClient(ReadMethods, WriteMethods):
    """Reads and writes one Dataverse environment. Thread-safe; close it (or use ``with``) when done.

    ``hooks`` receive a :class:`~.hooks.CallRecord` per HTTP attempt. ``gate`` replaces the in-process
    :class:`~.retry.LocalRetryAfterGate` (e.g. with a fleet-wide one). ``limiter`` grants a slot around
    each HTTP attempt (a :class:`~.limiter.RequestLimiter`; by default every request goes at once).
    ``retry_policy`` replaces the default built from ``settings.max_retry_seconds``. ``token_provider``
    and ``adapter`` exist for tests that need no authority or no network.
    """
