"""``trs-bridge status``: per feed, where the journal stands, how old its token is, rows and open failures."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import unquote

from sqlalchemy import Engine, func, select

from bridge.feeds import FEEDS
from trs_store import journal
from trs_store.failed_records import count_open
from trs_store.models import metadata
from trs_store.sync_runs import recent_runs

_TOKEN = re.compile(r"\$deltatoken=([^&]+)")


def token_time(delta_link: str | None) -> dt.datetime | None:
    """When a Dataverse delta token was issued (its ``<version>!<MM/dd/yyyy HH:mm:ss>`` UTC half)."""
    if not delta_link:
        return None
    match = _TOKEN.search(unquote(delta_link.replace("%24", "$")))
    if not match:
        return None
    _, _, stamp = unquote(match.group(1)).partition("!")
    try:
        return dt.datetime.strptime(stamp, "%m/%d/%Y %H:%M:%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class FeedStatus:
    feed: str
    entity_set: str
    state: str  # never-synced | full-pass | following
    last_updated: str | None
    last_updated_by: str | None
    token_age_seconds: float | None
    rows: int
    failed_open: int
    last_run_outcome: str | None
    last_run_ended: str | None


def feed_statuses(engine: Engine, now: dt.datetime | None = None) -> list[FeedStatus]:
    now = now or dt.datetime.now(dt.UTC)
    statuses = []
    with engine.connect() as connection:
        for feed in FEEDS:
            entry = journal.get(connection, feed.changes_key, feed.entity_set)
            table = metadata.tables[feed.table]
            rows = connection.execute(select(func.count()).select_from(table)).scalar_one()
            runs = recent_runs(connection, entity_set=feed.entity_set, limit=1)
            issued = token_time(entry.delta_link) if entry else None
            state = "never-synced" if entry is None else "full-pass" if entry.full_pass_started_at else "following"
            statuses.append(
                FeedStatus(
                    feed=feed.name,
                    entity_set=feed.entity_set,
                    state=state,
                    last_updated=entry.last_updated.isoformat() if entry else None,
                    last_updated_by=entry.last_updated_by if entry else None,
                    token_age_seconds=round((now - issued).total_seconds(), 1) if issued else None,
                    rows=int(rows),
                    failed_open=count_open(connection, feed.entity_set),
                    last_run_outcome=runs[0].outcome if runs else None,
                    last_run_ended=runs[0].ended_at.isoformat() if runs and runs[0].ended_at else None,
                )
            )
    return statuses


def as_json(statuses: list[FeedStatus]) -> list[dict[str, Any]]:
    return [asdict(s) for s in statuses]
