"""When each feed is next due in ``trs-bridge sync --follow`` (ADR 0058).

A feed whose last pass carried changes is due again ``busy_gap`` (0.5 s) after that pass *started* (at once if
the pass took longer), so a busy feed is drained continuously without a tight loop of small passes; a feed that
carried changes within the last interval but not in its last pass is *warm* and due again after ``busy_interval``
(1 s), so a trickle of changes waits about a second, not an interval; any other feed waits the interval. Quiet
feeds then cost one change-tracking request per interval and a warm one about one pass a second, which keeps the
bridge's request rate well under Dataverse's per-user limit (6,000 requests per 5 minutes) while DQT changes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from bridge.feeds import Feed

#: How soon a warm feed (changes within the last interval) is looked at again.
BUSY_INTERVAL = 1.0
#: The least time from the start of one pass of a busy feed to the start of the next. Without it, once passes got
#: fast (a person pass at 100 changes/s takes ~0.1 s) the follow loop made 32 GETs/s, over Dataverse's 20/s per user
#: (6,000 per 5 minutes); with it, 100 changes/s still arrive within a second at p95 (ADR 0058 amendment).
BUSY_GAP = 0.5


class FollowSchedule:
    """Due times of ``feeds`` (all due at first), on a monotonic ``clock``."""

    def __init__(
        self,
        feeds: Sequence[Feed],
        interval: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        busy_interval: float = BUSY_INTERVAL,
        busy_gap: float = BUSY_GAP,
    ) -> None:
        if interval < 0 or busy_interval < 0 or busy_gap < 0:
            raise ValueError("intervals must not be negative")
        self.feeds = list(feeds)
        self.interval = interval
        self.busy_interval = min(busy_interval, interval)
        self.busy_gap = min(busy_gap, interval)
        self.clock = clock
        start = clock()
        self._due = {feed.name: start for feed in self.feeds}
        self._carried_at: dict[str, float] = {}
        self._started_at: dict[str, float] = {}

    def due(self) -> list[Feed]:
        """The feeds due now, in the given (dependency) order; their passes count as started now."""
        now = self.clock()
        found = [feed for feed in self.feeds if self._due[feed.name] <= now]
        for feed in found:
            self._started_at[feed.name] = now
        return found

    def ran(self, feed_name: str, *, carried: bool) -> None:
        """Record a pass of ``feed_name`` and whether it carried changes."""
        now = self.clock()
        if carried:
            self._carried_at[feed_name] = now
            self._due[feed_name] = max(now, self._started_at.get(feed_name, now) + self.busy_gap)
        elif now - self._carried_at.get(feed_name, float("-inf")) < self.interval:
            self._due[feed_name] = now + self.busy_interval
        else:
            self._due[feed_name] = now + self.interval

    def wait_seconds(self) -> float:
        """How long until the next feed is due (0 when one is due now)."""
        return max(0.0, min(self._due.values(), default=self.clock()) - self.clock())
