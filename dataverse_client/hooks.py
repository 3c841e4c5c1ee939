"""Tell interested code about every HTTP call without this package depending on a metrics library.

The transport reports one :class:`CallRecord` per Web API attempt to every registered hook; retries
are separate records, numbered by ``attempt`` (msal's token requests are not Web API calls and are
not reported). A record names the entity set but never a URL's query values, a header value or a
body, so a hook can ship it anywhere. A hook that raises is logged and ignored:
metrics must never break a sync.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["CallRecord", "Hook", "Hooks"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One HTTP attempt. ``status`` is ``None`` when no response arrived (connection failure);
    ``entity_set`` is the table addressed (``"$batch"``, ``"EntityDefinitions"`` for those calls)."""

    method: str
    entity_set: str
    status: int | None
    duration_s: float
    request_bytes: int
    response_bytes: int
    attempt: int


Hook = Callable[[CallRecord], None]


class Hooks:
    """A thread-safe list of hooks, called in registration order."""

    def __init__(self, hooks: Iterable[Hook] = ()) -> None:
        self._lock = threading.Lock()
        self._hooks: list[Hook] = list(hooks)

    def add(self, hook: Hook) -> None:
        with self._lock:
            self._hooks.append(hook)

    def remove(self, hook: Hook) -> None:
        with self._lock:
            self._hooks.remove(hook)

    def emit(self, record: CallRecord) -> None:
        with self._lock:
            hooks = list(self._hooks)
        for hook in hooks:
            try:
                hook(record)
            except Exception:
                _log.exception("dataverse_client hook %r failed; ignoring it", hook)
