"""Pausing and resuming feeds (``trs-bridge pause|resume --entity E``).

A paused feed is skipped by ``SyncService.sync`` (and by the scheduler and workers, which ask
:func:`is_paused` before each run); a running page finishes and commits, nothing is interrupted mid-page.
Backfills are deliberately not paused by it: the usual cut-over move is "pause live sync, backfill, resume".
The flags live in the TRS database (``feed_pauses``, ADR 0053), so they work without Redis and survive restarts.
"""

from __future__ import annotations

import datetime as dt
import os
import socket

from sqlalchemy import Engine

from bridge.feeds import Feed, resolve_feeds
from trs_store import pauses as store

Pause = store.Pause


def feed_of(entity: str) -> Feed:
    """The one feed named by ``entity`` (feed name or entity set); :class:`CommandRejected` if unknown."""
    (feed,) = resolve_feeds([entity])
    return feed


def _who() -> str:
    return f"{os.environ.get('USER') or os.environ.get('USERNAME') or 'unknown'}@{socket.gethostname()}"


def pause(engine: Engine, entity: str, *, reason: str | None = None, by: str | None = None) -> bool:
    """Pause the feed; ``False`` if it was already paused (nothing changed)."""
    feed = feed_of(entity)
    with engine.begin() as connection:
        return store.pause(connection, feed.entity_set, by=by or _who(), now=dt.datetime.now(dt.UTC), reason=reason)


def resume(engine: Engine, entity: str) -> bool:
    """Resume the feed; ``False`` if it was not paused (nothing changed)."""
    feed = feed_of(entity)
    with engine.begin() as connection:
        return store.resume(connection, feed.entity_set)


def is_paused(engine: Engine, entity: str) -> bool:
    """Whether the feed named by ``entity`` (feed name or entity set) is paused."""
    feed = feed_of(entity)
    with engine.connect() as connection:
        return store.is_paused(connection, feed.entity_set)


def paused(engine: Engine) -> dict[str, Pause]:
    """Every paused feed by entity set."""
    with engine.connect() as connection:
        return store.all_pauses(connection)
