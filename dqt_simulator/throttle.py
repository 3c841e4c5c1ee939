"""Service-protection limits per application user: requests per sliding window and concurrent requests.

Both answer 429 with an integer ``Retry-After`` and Dataverse's error JSON. The window runs on the
simulator clock's monotonic reading, so advancing the clock also drains it. Successful requests carry
``x-ms-ratelimit-burst-remaining-xrm-requests``.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict, deque

from dqt_simulator.clock import SimClock
from dqt_simulator.config import Limits
from dqt_simulator.errors import ApiError


def requests_exceeded(limit: int, window: int, retry_after: int) -> ApiError:
    return ApiError(
        429,
        "0x80072322",
        f"Number of requests exceeded the limit of {limit} over time window of {window} seconds.",
        {"Retry-After": str(retry_after)},
    )


def concurrency_exceeded(limit: int, retry_after: int = 1) -> ApiError:
    return ApiError(
        429,
        "0x80072326",
        f"Number of concurrent requests exceeded the limit of {limit}.",
        {"Retry-After": str(retry_after)},
    )


class Throttle:
    def __init__(self, clock: SimClock, limits: Limits) -> None:
        self.clock = clock
        self.limits = limits
        self._lock = threading.Lock()
        self._windows: defaultdict[str, deque[float]] = defaultdict(deque)
        self._in_flight: defaultdict[str, int] = defaultdict(int)

    def reset(self, limits: Limits) -> None:
        with self._lock:
            self.limits = limits
            self._windows.clear()

    def acquire(self, client_id: str) -> int:
        """Admit one request (returns the burst remaining) or raise the 429 ``ApiError``."""
        limits = self.limits
        now = self.clock.monotonic()
        with self._lock:
            if self._in_flight[client_id] >= limits.concurrent:
                raise concurrency_exceeded(limits.concurrent)
            window = self._windows[client_id]
            horizon = now - limits.window_seconds
            while window and window[0] <= horizon:
                window.popleft()
            if len(window) >= limits.requests_per_window:
                retry_after = max(1, math.ceil(window[0] + limits.window_seconds - now))
                raise requests_exceeded(limits.requests_per_window, limits.window_seconds, retry_after)
            window.append(now)
            self._in_flight[client_id] += 1
            return limits.requests_per_window - len(window)

    def release(self, client_id: str) -> None:
        with self._lock:
            self._in_flight[client_id] = max(0, self._in_flight[client_id] - 1)
