"""The change-tracking sync: drain each feed's changes from DQT into TRS, one committed page at a time.

Per page, in ONE transaction: map, upsert (newer ``versionnumber`` wins), heal missing parents, record
failures, delete, then advance the ``ChangeJournal`` (the ``nextLink`` of the page in progress, or the new
``deltaLink`` after the last page). A crash at any instant therefore leaves the journal pointing at the first
page whose effect is not committed: nothing is skipped, and a page applied twice changes nothing the second
time (newer-wins, deterministic event keys).

A *full pass* (the first sync, or the re-read after DQT says the delta token expired) remembers when it
began; every row it sees is touched, and after its last page the rows not touched since it began are the ones
DQT deleted while we could not see deletes: they are removed (and counted).

A caller that may need to stop early (a worker shutting down, or one whose lease on the feed was lost) passes
``should_stop``: it is asked after every committed page, and a true answer ends the run as ``interrupted``
with :class:`SyncStopped`; the next run resumes at the following page. ``on_page`` hears about every
committed page (for metrics). A long-lived caller may pass the ``reference`` lookup it already read.
"""

from __future__ import annotations

import datetime as dt
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import structlog
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from bridge.apply import PageContext, apply_page
from bridge.edits import mark_origin
from bridge.feeds import FEEDS, REFERENCE_SELECT, ApplyKind, Feed
from bridge.professional_status import rebuild_unseen
from dataverse_client import ChangePage, DataverseClient, ExpiredDeltaToken
from mappings import ReferenceLookup, StatusReference
from trs_store import journal
from trs_store.passes import sweep_untouched
from trs_store.sync_runs import Outcome, RunCounts, add_page, finish_run, mark_interrupted, start_run

log = structlog.get_logger("bridge.sync")

Clock = Callable[[], dt.datetime]
#: Told about each committed page: the feed, the page's counts and how long the page took (seconds).
PageObserver = Callable[[Feed, RunCounts, float], None]

#: How often a page is applied before a deadlock / serialization failure is given up on.
PAGE_ATTEMPTS = 4
#: PostgreSQL's deadlock_detected and serialization_failure.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})

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


class SyncStopped(Exception):
    """Raised between pages because ``should_stop`` said so; every page before it is committed."""


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
        should_stop: Callable[[], bool] | None = None,
        on_page: PageObserver | None = None,
        reference: ReferenceLookup | None = None,
    ) -> None:
        self.engine = engine
        self.client = client
        self.page_size = page_size
        self.worker = worker or socket.gethostname()
        self.clock = clock
        self.should_stop = should_stop
        self.on_page = on_page
        self._reference = reference  # read from DQT on first use unless the caller already has it
        self._status_reference: StatusReference | None = None  # professional status: read on first use

    @property
    def reference(self) -> ReferenceLookup:
        if self._reference is None:
            self._reference = load_reference(self.client)
        return self._reference

    def sync(self, feeds: Iterable[Feed] = FEEDS) -> list[FeedResult]:
        """Drain every feed once, in dependency order. A paused feed (``trs-bridge pause``) is skipped: its
        result has outcome ``paused`` and no run."""
        from trs_store.pauses import is_paused

        results = []
        for feed in feeds:
            with self.engine.connect() as connection:
                paused = is_paused(connection, feed.entity_set)
            if paused:
                log.info("feed_paused_skipped", feed=feed.name, entity_set=feed.entity_set)
                results.append(FeedResult(feed.name, feed.entity_set, run_id="", outcome="paused"))
                continue
            results.append(self.sync_feed(feed))
        return results

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
            # Anything that ends a run while the caller is stopping it (a wait given up, say) is an interruption.
            stopping = self.should_stop is not None and self.should_stop()
            stopped = isinstance(error, SyncStopped) or not isinstance(error, Exception) or stopping
            outcome: Outcome = "interrupted" if stopped else "failed"
            result.outcome = outcome
            with self.engine.begin() as connection:
                finish_run(
                    connection,
                    run_id,
                    outcome=outcome,
                    now=self.clock(),
                    error=f"{type(error).__name__}: {error}"[:2000],
                )
            if stopped:
                log.info("feed_stopped", feed=feed.name, pages=result.counts.pages, error_type=type(error).__name__)
            else:
                log.error("feed_failed", feed=feed.name, error_type=type(error).__name__, error=str(error)[:500])
            raise
        finally:
            structlog.contextvars.unbind_contextvars("run_id", "entity_set", "page")
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
        started = time.monotonic()  # a page's time includes fetching it
        for number, page in enumerate(pages, start=result.counts.pages + 1):
            structlog.contextvars.bind_contextvars(page=number)
            counts = self._apply_with_retry(feed, page, entry, full_pass, result)
            result.counts = result.counts + counts
            log.info("page_applied", feed=feed.name, last=page.is_last, **_counts(counts))
            if self.on_page is not None:
                self.on_page(feed, counts, time.monotonic() - started)
            started = time.monotonic()
            if not page.is_last and self.should_stop is not None and self.should_stop():
                raise SyncStopped(f"{feed.name}: stopped after page {number}")

    def _apply_with_retry(
        self, feed: Feed, page: ChangePage, entry: journal.JournalEntry, full_pass: bool, result: FeedResult
    ) -> RunCounts:
        """Commit one page; a deadlock or serialization failure (another feed writing the same persons) rolls
        the whole page back, so it is simply applied again, a bounded number of times."""
        for attempt in range(1, PAGE_ATTEMPTS + 1):
            try:
                return self._apply_committed(feed, page, entry, full_pass, result)
            except OperationalError as error:
                sqlstate = getattr(error.orig, "sqlstate", None)
                if sqlstate not in RETRYABLE_SQLSTATES or attempt == PAGE_ATTEMPTS:
                    raise
                log.warning("page_retried", feed=feed.name, sqlstate=sqlstate, attempt=attempt)
                time.sleep(0.05 * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _apply_committed(
        self, feed: Feed, page: ChangePage, entry: journal.JournalEntry, full_pass: bool, result: FeedResult
    ) -> RunCounts:
        now = self.clock()
        with self.engine.begin() as connection:
            mark_origin(connection, "sync")  # PostgreSQL's write-back capture triggers skip the page's writes
            context = PageContext(
                connection,
                self.client,
                self.reference,
                now,
                full_pass=full_pass,
                status_reference=self._status_reference,
            )
            counts = apply_page(context, feed, page) + RunCounts(pages=1)
            self._status_reference = context.status_reference  # read on first use, then kept for the run
            if page.is_last:
                if full_pass and feed.kind is ApplyKind.PROFESSIONAL_STATUS and entry.full_pass_started_at:
                    # No sweep (the table is shared with MQs): rebuild the persons the pass never reached.
                    counts = counts + rebuild_unseen(context, feed, since=entry.full_pass_started_at)
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
        return counts


def _counts(counts: RunCounts) -> dict[str, int]:
    return {name: getattr(counts, name) for name in RunCounts.__dataclass_fields__}
