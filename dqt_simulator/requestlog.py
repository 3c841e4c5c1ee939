"""A bounded in-memory log of the requests the simulator answered (``GET /_sim/requests``), so tests can
check, for instance, that a client waited at least ``Retry-After`` after every 429."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any


class RequestLog:
    def __init__(self, capacity: int = 200_000) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=capacity)
        self._lock = threading.Lock()

    def add(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> int:
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
            return count
