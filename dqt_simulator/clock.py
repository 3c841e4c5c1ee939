"""The simulator's clock: real time plus an offset that ``POST /_sim/clock`` can advance.

Token expiry, change-tracking retention, ``modifiedon`` stamps and the service-protection window all
read this clock, so a test can make a week pass in a millisecond.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class SimClock:
    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    @property
    def offset(self) -> float:
        return self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0

    def time(self) -> float:
        """Seconds since the epoch, as the simulator sees it."""
        return time.time() + self._offset

    def monotonic(self) -> float:
        """A monotonic reading that also moves when the clock is advanced (for sliding windows)."""
        return time.monotonic() + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), UTC)

    def iso_now(self) -> str:
        """``modifiedon``-style UTC instant, whole seconds."""
        return self.now().strftime("%Y-%m-%dT%H:%M:%SZ")
