"""Change tracking as Dataverse does it: delta tokens, retention, and "what changed since version v".

A delta token is ``<versionnumber>!<MM/dd/yyyy HH:mm:ss>`` (UTC). Expiry is judged from its timestamp
against the simulator clock (``--change-tracking-retention``, default 7 days), as Dataverse appears to.

A delta read is computed against a *snapshot* ``(since, upto]`` of the table's change log, where ``upto``
is the org version when the first page was served. Every page of that delta (its nextLinks carry the
snapshot) lists exactly the same entries, and the deltaLink on the last page hands out ``upto``, so a
change made while a client pages is in the next delta rather than lost.

Entries: one per record, by the version of its last change inside the window: records whose last change
is a create/update come first (ordered by that version), then records whose last change is a delete
(also ordered). A record created and deleted inside the window is reported deleted.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

from dqt_simulator.errors import ApiError, expired_version_stamp
from dqt_simulator.store import Table

_TOKEN_RE = re.compile(r"^(\d+)!(\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2})$")
_STAMP_FORMAT = "%m/%d/%Y %H:%M:%S"

UPSERT, DELETE = 0, 1


def format_token(version: int, timestamp: float) -> str:
    return f"{version}!{datetime.fromtimestamp(int(timestamp), UTC).strftime(_STAMP_FORMAT)}"


def parse_token(token: str) -> tuple[int, float]:
    """``(version, epoch seconds)``; ``ValueError`` when the token is not one Dataverse would issue."""
    match = _TOKEN_RE.match(token.strip())
    if match is None:
        raise ValueError(f"not a delta token: {token!r}")
    stamp = datetime.strptime(match.group(2), _STAMP_FORMAT).replace(tzinfo=UTC)
    return int(match.group(1)), stamp.timestamp()


def invalid_token(token: str) -> ApiError:
    return ApiError(
        400,
        "0x80044352",
        f"The delta token '{token}' is invalid or has expired. "
        "Version stamp associated with the client has expired. Please perform a full sync.",
    )


def check_token(token: str, *, now: float, retention_seconds: float, current_version: int) -> int:
    """The token's version, or a 400 if it is garbled, from the future, or older than the retention."""
    try:
        version, stamp = parse_token(token)
    except ValueError as exc:
        raise invalid_token(token) from exc
    if version > current_version or stamp > now + 300:
        raise invalid_token(token)
    if now - stamp > retention_seconds:
        raise expired_version_stamp()
    return version


@dataclass(frozen=True, slots=True)
class DeltaListing:
    """The entries of one delta window, in response order; ``keys`` are ``(rank, version)`` for seeking."""

    keys: list[tuple[int, int]]
    ids: list[str]

    def __len__(self) -> int:
        return len(self.ids)

    def position_after(self, rank: int, version: int) -> int:
        return bisect_right(self.keys, (rank, version))


def compute_delta(table: Table, since: int, upto: int) -> DeltaListing:
    """Entries for changes with ``since < version <= upto`` (caller holds the store lock)."""
    start = bisect_right(table.log_versions, since)
    end = bisect_right(table.log_versions, upto)
    last: dict[str, tuple[int, bool]] = {}
    versions, ids, deleted = table.log_versions, table.log_ids, table.log_deleted
    for index in range(start, end):
        last[ids[index]] = (versions[index], deleted[index])
    entries = sorted(((DELETE if gone else UPSERT, version), record_id) for record_id, (version, gone) in last.items())
    return DeltaListing([key for key, _ in entries], [record_id for _, record_id in entries])


class DeltaCache:
    """Delta listings by ``(entity set, since, upto)``: a window never changes once ``upto`` is issued,
    so every page of one delta reuses the listing computed for its first page."""

    def __init__(self, size: int = 16) -> None:
        self._entries: OrderedDict[tuple[str, int, int], DeltaListing] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, table: Table, since: int, upto: int) -> DeltaListing:
        key = (table.entity_set, since, upto)
        with self._lock:
            listing = self._entries.get(key)
            if listing is not None:
                self._entries.move_to_end(key)
                return listing
        listing = compute_delta(table, since, upto)
        with self._lock:
            self._entries[key] = listing
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return listing
