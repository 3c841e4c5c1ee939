"""The change-tracking sync: drain each feed's changes from DQT into TRS, one committed page at a time.

Per page, in ONE transaction: map, upsert (newer ``versionnumber`` wins), heal missing parents, record
failures, delete, then advance the ``ChangeJournal`` (the ``nextLink`` of the page in progress, or the new
``deltaLink`` after the last page). A crash at any instant therefore leaves the journal pointing at the first
page whose effect is not committed: nothing is skipped, and a page applied twice changes nothing the second
time (newer-wins, deterministic event keys).

A *full pass* (the first sync, or the re-read after DQT says the delta token expired) remembers when it
began; every row it sees is touched, and after its last page the rows not touched since it began are the ones
DQT deleted while we could not see deletes: they are removed (and counted).
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import structlog
from sqlalchemy import Engine

from bridge.apply import PageContext, apply_page
from bridge.feeds import FEEDS, REFERENCE_SELECT, Feed
from dataverse_client import DataverseClient, ExpiredDeltaToken
from mappings import ReferenceLookup
from trs_store import journal
from trs_store.passes import sweep_untouched
from trs_store.sync_runs import RunCounts, add_page, finish_run, mark_interrupted, start_run

log = structlog.get_logger("bridge.sync")

Clock = Callable[[], dt.datetime]

#: Page size for change tracking: the real TRS settled on 200-1000; bigger pages amortise commits.
DEFAULT_PAGE_SIZE = 1000
#: How many times one run re-reads a feed after its delta token expired before giving up.
MAX_EXPIRED_RESTARTS = 2

#: The column that says a TRS row came from DQT, per table (rows without it are never swept).
DQT_ID_COLUMNS = {
    "persons": "dqt_contact_id",
    "qualifications": "dqt_qualification_id",
    "alerts": "dqt_sanction_id",
    "previous_names": "dqt_previous_name_ids",
}


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(slots=True)
class FeedResult:
    """What one feed's run did."""

    feed: str
    entity_set: str
    run_id: str
    counts: RunCounts = field(default_factory=RunCounts)
    full_pass: bool = False
    expired_tokens: int = 0
    swept: int = 0
    outcome: str = "succeeded"


def load_reference(client: DataverseClient) -> ReferenceLookup:
    """Read DQT's reference rows (inactive ones included: old MQs point at them) into a lookup."""

    def read(entity_set: str, primary_id: str) -> list[dict[str, object]]:
        return [r for page in client.query(entity_set, select=[primary_id, *REFERENCE_SELECT]) for r in page.records]

    return ReferenceLookup.from_records(
        establishments=read("dfeta_mqestablishments", "dfeta_mqestablishmentid"),
        specialisms=read("dfeta_specialisms", "dfeta_specialismid"),
        sanction_codes=read("dfeta_sanctioncodes", "dfeta_sanctioncodeid"),
    )


class SyncService:
    """Runs feeds against one TRS engine and one DQT client. Safe to construct per command."""

    def __init__(
        self,
        engine: Engine,
        client: DataverseClient,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        worker: str | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.engine = engine
        self.client = client
        self.page_size = page_size
        self.worker = worker or socket.gethostname()
        self.clock = clock
        self._reference: ReferenceLookup | None = None

    @property
    def reference(self) -> ReferenceLookup:
        if self._reference is None:
            self._reference = load_reference(self.client)
        return self._reference

    def sync(self, feeds: Iterable[Feed] = FEEDS) -> list[FeedResult]:
        """Drain every feed once, in dependency order."""
        return [self.sync_feed(feed) for feed in feeds]

    def sync_feed(self, feed: Feed) -> FeedResult:
        with self.engine.begin() as connection:
            mark_interrupted(connection, feed.entity_set, now=self.clock())
            run_id = start_run(connection, feed.entity_set, "sync", now=self.clock())
        result = FeedResult(feed.name, feed.entity_set, run_id)
        structlog.contextvars.bind_contextvars(run_id=run_id, entity_set=feed.entity_set)
        try:
            while True:
                try:
                    self._drain(feed, result)
                    break
                except ExpiredDeltaToken:
                    result.expired_tokens += 1
                    log.warning("delta_token_expired", feed=feed.name, restarts=result.expired_tokens)
                    if result.expired_tokens > MAX_EXPIRED_RESTARTS:
                        raise
                    with self.engine.begin() as connection:
                        journal.reset(connection, feed.changes_key, feed.entity_set)
        except BaseException as error:
            result.outcome = "failed" if isinstance(error, Exception) else "interrupted"
            with self.engine.begin() as connection:
                finish_run(
                    connection,
                    run_id,
                    outcome=result.outcome,
                    now=self.clock(),
                    error=f"{type(error).__name__}: {error}"[:2000],
                )
            log.error("feed_failed", feed=feed.name, error_type=type(error).__name__, error=str(error)[:500])
            raise
        finally:
            structlog.contextvars.unbind_contextvars("run_id", "entity_set")
        with self.engine.begin() as connection:
            finish_run(connection, run_id, outcome="succeeded", now=self.clock())
        log.info(
            "feed_synced",
            feed=feed.name,
            full_pass=result.full_pass,
            swept=result.swept,
            expired_tokens=result.expired_tokens,
            **_counts(result.counts),
        )
        return result

    def _drain(self, feed: Feed, result: FeedResult) -> None:
        with self.engine.begin() as connection:
            entry = journal.get(connection, feed.changes_key, feed.entity_set)
            if entry is None or (entry.full_pass_started_at is None and entry.delta_link is None):
                entry = journal.begin_full_pass(
                    connection,
                    feed.changes_key,
                    feed.entity_set,
                    started_at=self.clock(),
                    page_size=self.page_size,
                    by=self.worker,
                )
        full_pass = entry.full_pass_started_at is not None
        result.full_pass = result.full_pass or full_pass
        pages = self.client.changes(
            feed.entity_set,
            select=list(feed.select),
            delta_link=None if entry.next_link or full_pass else entry.delta_link,
            resume_from=entry.next_link,
            page_size=self.page_size,
        )
        for page in pages:
            now = self.clock()
            with self.engine.begin() as connection:
                context = PageContext(connection, self.client, self.reference, now, full_pass=full_pass)
                counts = apply_page(context, feed, page) + RunCounts(pages=1)
                if page.is_last:
                    if full_pass and feed.sweeps and entry.full_pass_started_at is not None:
                        swept = sweep_untouched(
                            connection,
                            feed.table,
                            since=entry.full_pass_started_at,
                            dqt_id_column=DQT_ID_COLUMNS[feed.table],
                        )
                        if swept:
                            log.warning("vanished_rows_removed", feed=feed.name, count=len(swept))
                        result.swept += len(swept)
                        counts = counts + RunCounts(deleted=len(swept))
                    journal.save_checkpoint(
                        connection,
                        feed.changes_key,
                        feed.entity_set,
                        delta_link=str(page.delta_link),
                        by=self.worker,
                        page_size=self.page_size,
                    )
                else:
                    journal.save_position(
                        connection,
                        feed.changes_key,
                        feed.entity_set,
                        next_link=str(page.next_link),
                        page_size=self.page_size,
                        by=self.worker,
                    )
                add_page(connection, result.run_id, counts)
            result.counts = result.counts + counts
            log.info("page_applied", feed=feed.name, last=page.is_last, **_counts(counts))


def _counts(counts: RunCounts) -> dict[str, int]:
    return {name: getattr(counts, name) for name in RunCounts.__dataclass_fields__}
