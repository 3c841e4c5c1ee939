"""``trs-bridge backfill``: load a whole entity set from DQT into TRS, split into resumable key-range shards.

The change-tracking sync can load everything too (its first pass), but as one sequential read that restarts
from scratch if its nextLink is lost. A backfill is the migration team's tool (ADRs 0050-0052):

* **Shards by key range.** The GUID primary-key space is split evenly in Dataverse's GUID order (SQL Server's:
  the last byte group first, ADR 0097) on the hex digits it orders first (:func:`shard_ranges`); shard *k*
  reads ``$filter=<pk> ge <from> and <pk> lt <to>`` with ``$orderby=<pk>``, in pages of up to 2,500, ``$select``
  = the feed's columns. Shards are independent: they run one after the
  other, in a thread pool, or as dramatiq messages on many workers (``--distributed``).
* **Position in the page's transaction.** After each page, the shard's last key is saved in the same
  transaction as the page's rows (``trs_store.backfills.save_page``), so a killed backfill continues after
  the last committed page: nothing lost, nothing counted twice. The query is re-issued as
  ``<pk> gt <position>``, so no server-side paging state has to survive.
* **The sync's own apply.** Each page goes through :func:`bridge.apply.apply_page` as a ``ChangePage`` with
  no deletes: the same mapping, newer-wins upsert, failure isolation and events as live sync, so the two
  can run at the same time. A record live sync deleted after the backfill read it is not resurrected: its
  ``<id>-Deleted`` event, written since the page was read, drops it from the page (DBLog's rule: the log
  wins over the snapshot chunk).
* **Journal primed first.** Before the first shard reads, a change-tracking deltaLink is taken (DBLog's low
  watermark); when the run succeeds it becomes the feed's journal checkpoint if live sync never started, so
  live sync only carries what changed since the backfill began instead of re-reading everything.
* **Per-person feeds read by person range** (ADR 0085). Induction and previous names are rebuilt per whole
  person, so their shards walk *contact* key ranges: a page of contacts, then every record of the feed whose
  ``_dfeta_personid_value`` lies between the previous page's last contact and this one's (a few page reads),
  instead of re-fetching each page's persons and their records by id (~200 small requests per page). The
  shard's position is then a contact id; records with no person are read by the shard that starts the key space.
* **Streaming.** Pages are fetched one ahead of the page being written (:func:`read_ahead`); nothing holds
  more than two pages of an entity set per shard thread in memory.
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Final, Protocol, TypeVar, cast

import structlog
from sqlalchemy import Connection, Engine, func, select, text

from bridge.apply import PageContext, apply_page, apply_person_range_page
from bridge.errors import CommandRejected
from bridge.feeds import CONTACT_SELECT, FEEDS, PERSON, ApplyKind, Feed, resolve_feeds
from bridge.sync import load_reference
from dataverse_client import ChangePage, DataverseClient, DataverseError, F, guid_order
from dataverse_client.odata import Filter, and_
from mappings import ReferenceLookup, StatusReference
from trs_store import backfills, journal
from trs_store.backfills import BackfillRun, ClaimLost, ShardState
from trs_store.models import metadata
from trs_store.models.events import DELETED_KEYS
from trs_store.sync_runs import RunCounts

log = structlog.get_logger("bridge.backfill")

T = TypeVar("T")
Clock = Callable[[], dt.datetime]

#: Half Dataverse's largest page (``odata.maxpagesize`` 5,000): the same rows/s, and each shard thread holds two
#: pages (one written, one read ahead), so the peak resident set fell from 211 to 170 MB at 100k persons (ADR 0096).
DEFAULT_PAGE_SIZE: Final = 2500
MAX_SHARDS: Final = 256
#: A shard whose claimant has not committed a page for this long may be taken over by another worker.
LEASE: Final = dt.timedelta(minutes=5)
#: How far before a page was read a ``Deleted`` event still drops the page's record (clock skew margin).
DELETE_WINDOW: Final = dt.timedelta(minutes=5)
#: Seconds between structured progress lines when there is no terminal.
LOG_EVERY_SECONDS: Final = 5.0

#: Feeds applied per whole person whose backfill reads by person key range (ADR 0085). Professional status is
#: too, but its rebuild (``bridge.professional_status``) still fetches each page's persons by id.
PERSON_RANGE_KINDS: Final = frozenset({ApplyKind.INDUCTION, ApplyKind.PREVIOUS_NAMES})
#: The lookup from a per-person record to its contact.
PERSON_LOOKUP: Final = "_dfeta_personid_value"

_KEY_SPACE: Final = 1 << 128
_LEADING: Final = 16**8  # the 8 hex digits Dataverse orders first are where the shard boundaries fall


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def worker_id() -> str:
    """``host:pid:thread`` of the caller: who holds a shard."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def claimant_is_dead(claimant: str) -> bool:
    """Whether a shard's claimant is a process on this host that no longer exists (killed or crashed)."""
    host, _, rest = claimant.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


# ---------------------------------------------------------------------------------------------------------
# key ranges
# ---------------------------------------------------------------------------------------------------------


def shard_ranges(shards: int) -> list[tuple[str | None, str | None]]:
    """``shards`` contiguous ``[from, to)`` ranges covering every GUID in Dataverse's order (SQL Server's, ADR
    0097), split evenly on the 8 hex digits that order first: the start of the *last* group (``None`` =
    unbounded). 4 shards: ``[-, …-000000000000-400000000000)``, ``[…-400000000000, …-800000000000)``, …,
    ``[…-c00000000000, -)``."""
    if not 1 <= shards <= MAX_SHARDS:
        raise CommandRejected(f"--shards must be between 1 and {MAX_SHARDS}, got {shards}")
    bounds = [guid_order.at_order_position(((n * _LEADING) // shards) << 96) for n in range(1, shards)]
    return list(zip([None, *bounds], [*bounds, None], strict=True))


def key_fraction(key_from: str | None, key_to: str | None, position: str | None) -> float:
    """How much of the range ``[key_from, key_to)`` lies at or before ``position`` (GUIDs are uniform, so this
    estimates the share of the shard's rows already read)."""
    if position is None:
        return 0.0
    low = 0 if key_from is None else guid_order.order_position(key_from)
    high = _KEY_SPACE if key_to is None else guid_order.order_position(key_to)
    if high <= low:
        return 1.0
    return min(1.0, max(0.0, (guid_order.order_position(position) + 1 - low) / (high - low)))


def _span(key_from: str | None, key_to: str | None) -> int:
    high = _KEY_SPACE if key_to is None else guid_order.order_position(key_to)
    return high - (0 if key_from is None else guid_order.order_position(key_from))


def last_key(keys: Iterable[str]) -> str:
    """The last of ``keys`` in Dataverse's GUID order (a page's position)."""
    return max(keys, key=guid_order.order_key)


def shard_filter(primary_id: str, key_from: str | None, key_to: str | None, position: str | None) -> Filter | None:
    """The ``$filter`` reading a shard from its position: ``pk gt position`` (or ``pk ge from``) ``and pk lt to``."""
    parts: list[Filter] = []
    if position is not None:
        parts.append(F.gt(primary_id, uuid.UUID(position)))
    elif key_from is not None:
        parts.append(F.ge(primary_id, uuid.UUID(key_from)))
    if key_to is not None:
        parts.append(F.lt(primary_id, uuid.UUID(key_to)))
    return and_(*parts) if parts else None


# ---------------------------------------------------------------------------------------------------------
# pages
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyPage:
    """A page read by the feed's own key range; ``position`` is its last key."""

    records: list[dict[str, Any]]
    position: str | None


@dataclass(frozen=True, slots=True)
class PersonRangePage:
    """A page of a per-person feed read by person key range: every record whose person lies in the range, the
    range's contacts, and the range's last person key (the shard's position once the page is committed)."""

    records: list[dict[str, Any]]
    contacts: dict[str, dict[str, Any]]
    position: str | None


# ---------------------------------------------------------------------------------------------------------
# read-ahead
# ---------------------------------------------------------------------------------------------------------


_END = object()


@dataclass(frozen=True, slots=True)
class _Failure:
    error: BaseException


def read_ahead(items: Iterator[T], clock: Clock, *, depth: int = 1) -> Iterator[tuple[dt.datetime, T]]:
    """Yield ``(time the item's fetch began, item)`` from ``items``, fetching up to ``depth`` items ahead in a
    background thread (the next DQT page downloads while this one is written). Errors surface in order; closing
    the generator stops the fetching."""
    buffer: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> None:
        while not stop.is_set():
            try:
                buffer.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def produce() -> None:
        try:
            while not stop.is_set():
                started = clock()
                try:
                    item = next(items)
                except StopIteration:
                    put(_END)
                    return
                put((started, item))
        except BaseException as error:  # handed to the consumer, which raises it
            put(_Failure(error))

    thread = threading.Thread(target=produce, name="backfill-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = buffer.get()
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        stop.set()


# ---------------------------------------------------------------------------------------------------------
# progress
# ---------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ShardProgress:
    shard: int
    key_from: str | None
    key_to: str | None
    position: str | None
    counts: RunCounts
    done: bool

    @property
    def fraction(self) -> float:
        return 1.0 if self.done else key_fraction(self.key_from, self.key_to, self.position)


class ProgressListener(Protocol):
    def on_start(self, progress: BackfillProgress) -> None: ...
    def on_page(self, progress: BackfillProgress) -> None: ...
    def on_finish(self, progress: BackfillProgress) -> None: ...


class BackfillProgress:
    """Totals of one run as its pages commit (thread-safe): rows, rates and an ETA estimated from how far
    each shard has got through its key range (``$count`` stops at 5,000, so it cannot size a big table)."""

    def __init__(self, label: str, shards: Iterable[ShardProgress], *, dry_run: bool = False) -> None:
        self.label = label
        self.dry_run = dry_run
        self.shards = {s.shard: s for s in shards}
        self._spans = {s.shard: _span(s.key_from, s.key_to) for s in self.shards.values()}
        self._lock = threading.Lock()
        self.started = time.monotonic()
        self.session_rows = 0  # rows read by this process (the rate excludes what earlier attempts did)
        self.initial_rows = self.counts.seen

    @classmethod
    def of_run(cls, label: str, states: Sequence[ShardState]) -> BackfillProgress:
        return cls(
            label,
            [ShardProgress(s.shard, s.key_from, s.key_to, s.position, s.counts, s.status == "done") for s in states],
        )

    def page(self, shard: int, position: str | None, counts: RunCounts) -> None:
        with self._lock:
            state = self.shards[shard]
            state.position = position or state.position
            state.counts = state.counts + counts
            self.session_rows += counts.seen

    def shard_done(self, shard: int) -> None:
        with self._lock:
            self.shards[shard].done = True

    def absorb(self, states: Iterable[ShardState], *, skip: Callable[[int], bool] = lambda shard: False) -> None:
        """Take the pages other processes committed from the shards' stored counts and positions (``skip``: the
        shards this process reports itself, page by page)."""
        for state in states:
            if skip(state.shard):
                continue
            known = self.shards[state.shard]
            delta = _minus(state.counts, known.counts)
            if delta.seen or state.position != known.position:
                self.page(state.shard, state.position, delta)
            if state.status == "done" and not known.done:
                self.shard_done(state.shard)

    @property
    def counts(self) -> RunCounts:
        total = RunCounts()
        for state in list(self.shards.values()):
            total = total + state.counts
        return total

    @property
    def fraction(self) -> float:
        """Share of the key space read (weighted by each shard's span)."""
        whole = sum(self._spans.values()) or 1
        return sum(self._spans[n] * s.fraction for n, s in list(self.shards.items())) / whole

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def rate(self) -> float:
        """Rows per second read by this process."""
        return self.session_rows / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def estimated_total(self) -> int | None:
        """Rows the entity set probably has (rows read ÷ share of the key space read); ``None`` before the
        first page."""
        seen, fraction = self.counts.seen, self.fraction
        if fraction >= 1.0:
            return seen
        if fraction <= 0.0 or seen == 0:
            return None
        return max(seen, round(seen / fraction))

    @property
    def eta_seconds(self) -> float | None:
        total, rate = self.estimated_total, self.rate
        if total is None or rate <= 0:
            return None
        return max(0.0, (total - self.counts.seen) / rate)

    @property
    def finished(self) -> bool:
        return all(s.done for s in self.shards.values())

    def as_fields(self) -> dict[str, Any]:
        counts = self.counts
        eta = self.eta_seconds
        return {
            "backfill": self.label,
            "rows": counts.seen,
            "estimated_total": self.estimated_total,
            "percent": round(100 * self.fraction, 1),
            "rows_per_second": round(self.rate),
            "eta_seconds": None if eta is None else round(eta),
            "inserted": counts.inserted,
            "updated": counts.updated,
            "stale": counts.stale,
            "skipped": counts.skipped,
            "failed": counts.failed,
            "shards_done": sum(1 for s in self.shards.values() if s.done),
            "shards": len(self.shards),
        }


class LogProgress:
    """Progress as structured log lines (``backfill_progress``), at most every few seconds, for non-terminals."""

    def __init__(self, every_seconds: float = LOG_EVERY_SECONDS) -> None:
        self.every = every_seconds
        self._last = 0.0
        self._lock = threading.Lock()

    def on_start(self, progress: BackfillProgress) -> None:
        log.info("backfill_started", **progress.as_fields())

    def on_page(self, progress: BackfillProgress) -> None:
        with self._lock:
            now = time.monotonic()
            if now - self._last < self.every:
                return
            self._last = now
        log.info("backfill_progress", **progress.as_fields())

    def on_finish(self, progress: BackfillProgress) -> None:
        log.info("backfill_finished", **progress.as_fields())


class NoProgress:
    def on_start(self, progress: BackfillProgress) -> None:
        pass

    def on_page(self, progress: BackfillProgress) -> None:
        pass

    def on_finish(self, progress: BackfillProgress) -> None:
        pass


# ---------------------------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ShardOutcome:
    shard: int
    outcome: str  # done | busy | already-done | interrupted | failed
    counts: RunCounts = field(default_factory=RunCounts)
    error: str | None = None


@dataclass(slots=True)
class BackfillResult:
    """What one run did in this process (``counts``) and where the run stands (``totals``, ``status``)."""

    run_id: str | None
    feed: str
    entity_set: str
    status: str  # succeeded | running | failed | interrupted | dry-run
    counts: RunCounts
    totals: RunCounts
    seconds: float
    shards: list[ShardOutcome] = field(default_factory=list)
    resumed: bool = False
    journal_primed: bool = False
    failure_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def rows_per_second(self) -> float:
        return self.counts.seen / self.seconds if self.seconds > 0 else 0.0


# ---------------------------------------------------------------------------------------------------------
# the backfill
# ---------------------------------------------------------------------------------------------------------


class Backfill:
    """Runs backfills against one TRS engine and one DQT client (shared by the shard threads)."""

    def __init__(
        self,
        engine: Engine,
        client: DataverseClient,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        clock: Clock = utc_now,
        listener: ProgressListener | None = None,
        reference: ReferenceLookup | None = None,
        read_ahead_pages: int = 1,
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        if not 1 <= page_size <= 5000:
            raise CommandRejected(f"the backfill page size must be between 1 and 5000, got {page_size}")
        self.engine = engine
        self.client = client
        self.page_size = page_size
        self.clock = clock
        self.listener: ProgressListener = listener or NoProgress()
        self._reference = reference
        self._reference_lock = threading.Lock()
        self._status_reference: StatusReference | None = None
        self.read_ahead_pages = read_ahead_pages
        self._stop = threading.Event()
        self._should_stop = should_stop
        self._own_shards: set[int] = set()  # shards this process claimed (helpers report theirs through the store)

    @property
    def reference(self) -> ReferenceLookup:
        with self._reference_lock:
            if self._reference is None:
                self._reference = load_reference(self.client)
            return self._reference

    def stop(self) -> None:
        """Ask every shard of this process to stop after its current page (it stays resumable)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set() or (self._should_stop is not None and self._should_stop())

    # -- planning ---------------------------------------------------------------------------------------------

    def start(
        self,
        feed: Feed,
        shards: int,
        *,
        distributed: bool = False,
        fresh: bool = False,
        prime_journal: bool = True,
    ) -> tuple[BackfillRun, bool]:
        """The run to work on: the unfinished run of the feed's entity set if there is one (continued, unless
        ``fresh`` abandons it), else a new run of ``shards`` shards. Returns ``(run, resumed)``."""
        ranges = shard_ranges(shards)
        with self.engine.begin() as connection:
            unfinished = backfills.unfinished_run(connection, feed.entity_set)
            if unfinished is not None and not fresh:
                log.info("backfill_continued", run_id=unfinished.run_id, entity_set=feed.entity_set)
                return unfinished, True
            if unfinished is not None:
                backfills.set_run_status(
                    connection, unfinished.run_id, "abandoned", now=self.clock(), error="abandoned for a fresh run"
                )
            needs_token = prime_journal and journal.get(connection, feed.changes_key, feed.entity_set) is None
        delta_link = self.take_delta_link(feed) if needs_token else None
        with self.engine.begin() as connection:
            run_id = backfills.create_run(
                connection,
                feed.entity_set,
                ranges,
                page_size=self.page_size,
                distributed=distributed,
                by=worker_id(),
                now=self.clock(),
                delta_link=delta_link,
            )
            run = backfills.get_run(connection, run_id)
        assert run is not None
        log.info("backfill_created", run_id=run_id, entity_set=feed.entity_set, shards=shards)
        return run, False

    def take_delta_link(self, feed: Feed) -> str | None:
        """DBLog's low watermark: a change-tracking deltaLink taken before any shard reads, so changes made while
        the backfill runs are in the next delta. Reads the feed once with its ``$select`` (the deltaLink carries
        it), without applying anything."""
        last: ChangePage | None = None
        try:
            for page in self.client.changes(feed.entity_set, select=list(feed.select), page_size=5000):
                last = page
        except DataverseError as error:  # e.g. change tracking off: the backfill still works, live sync starts cold
            log.warning("backfill_delta_link_unavailable", entity_set=feed.entity_set, error=str(error)[:300])
            return None
        return last.delta_link if last is not None else None

    def run_for(self, run_id: str) -> BackfillRun:
        """The run ``run_id``, if it can be continued; :class:`CommandRejected` otherwise (nothing changes)."""
        with self.engine.connect() as connection:
            run = backfills.get_run(connection, run_id)
        if run is None:
            raise CommandRejected(f"no backfill run {run_id}")
        if run.status not in backfills.UNFINISHED:
            raise CommandRejected(f"backfill run {run.run_id} is {run.status}; there is nothing to resume")
        return run

    # -- running ------------------------------------------------------------------------------------------------

    def run(self, run: BackfillRun, *, threads: int = 1, processes: int = 1, resumed: bool = False) -> BackfillResult:
        """Work every unfinished shard of ``run`` in this process (``threads`` at a time) and ``processes - 1``
        helper processes (ADR 0095), then close the run."""
        from bridge.backfill_processes import HelperWatch, start_helpers
        from bridge.logging import configured_level

        feed = _feed_for(run.entity_set)
        started = time.monotonic()
        with self.engine.connect() as connection:
            states = backfills.shards(connection, run.run_id)
        initial = sum((s.counts for s in states), RunCounts())
        progress = BackfillProgress.of_run(feed.name, states)
        todo = [s.shard for s in states if s.status != "done"]
        self.reference  # noqa: B018 - read once before the threads start
        self.listener.on_start(progress)
        helpers = start_helpers(run.run_id, processes - 1, threads, configured_level()) if len(todo) > 1 else []
        watch = HelperWatch(self.engine, run.run_id, progress, self._own_shards.__contains__) if helpers else None
        if watch is not None:
            watch.start(lambda: self.listener.on_page(progress))
        outcomes: list[ShardOutcome] = []
        try:
            outcomes = self.work(run.run_id, threads=threads, progress=progress, todo=todo)
            try:
                for helper in helpers:
                    helper.join()
            except KeyboardInterrupt:  # the helpers got the terminal's Ctrl-C too: each stops after its page
                self.stop()
                outcomes.append(ShardOutcome(-1, "interrupted"))
                for helper in helpers:
                    helper.join()
            if helpers and not self.stopping:  # a helper that died left its shards claimed by a dead process
                outcomes += self.work(run.run_id, threads=threads, progress=progress)
        finally:
            if watch is not None:
                watch.stop()
            self.listener.on_finish(progress)
        with self.engine.begin() as connection:
            if not self.stopping and backfills.complete_if_done(connection, run.run_id, now=self.clock()):
                self._prime_journal(connection, run.run_id)  # every shard was already done (a crash after the last)
            current = backfills.get_run(connection, run.run_id)
            totals = sum((s.counts for s in backfills.shards(connection, run.run_id)), RunCounts())
            entry = journal.get(connection, feed.changes_key, feed.entity_set)
        primed = entry is not None and entry.last_updated_by == f"backfill {run.run_id}"
        status: str = current.status if current else "failed"
        if status == "running" and any(o.outcome == "interrupted" for o in outcomes):
            status = "interrupted"
        # With helpers, what this invocation did is what the run's shards gained (the helpers' pages included).
        counts = _minus(totals, initial) if helpers else sum((o.counts for o in outcomes), RunCounts())
        return BackfillResult(
            run_id=run.run_id,
            feed=feed.name,
            entity_set=feed.entity_set,
            status=status,
            counts=counts,
            totals=totals,
            seconds=time.monotonic() - started,
            shards=outcomes,
            resumed=resumed,
            journal_primed=primed,
        )

    def work(
        self,
        run_id: str,
        *,
        threads: int = 1,
        progress: BackfillProgress | None = None,
        todo: Sequence[int] | None = None,
    ) -> list[ShardOutcome]:
        """Claim and work the unfinished shards of a run (``todo``, default all), ``threads`` at a time; a shard
        another live process holds is skipped (``busy``). Ctrl-C stops after each thread's current page."""
        if todo is None:
            with self.engine.connect() as connection:
                todo = [s.shard for s in backfills.shards(connection, run_id) if s.status != "done"]
        outcomes: list[ShardOutcome] = []
        try:
            if threads <= 1 or len(todo) <= 1:
                for shard in todo:
                    outcomes.append(self.run_shard(run_id, shard, progress=progress))
                    if self.stopping:
                        break
            else:
                with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="backfill-shard") as pool:
                    futures = [pool.submit(self.run_shard, run_id, shard, progress=progress) for shard in todo]
                    try:
                        outcomes = [f.result() for f in futures]
                    except BaseException:
                        self.stop()
                        raise
        except KeyboardInterrupt:
            self.stop()
            outcomes.append(ShardOutcome(-1, "interrupted"))
        return outcomes

    def _claim(self, run_id: str, shard: int, worker: str) -> tuple[BackfillRun, ShardState] | ShardOutcome:
        """Claim the shard for ``worker``, or say why not (``already-done``, ``busy``)."""
        with self.engine.begin() as connection:
            run = backfills.get_run(connection, run_id)
            if run is None:
                raise CommandRejected(f"no backfill run {run_id}")
            state = backfills.claim_shard(
                connection, run_id, shard, worker=worker, now=self.clock(), lease=LEASE, is_dead=claimant_is_dead
            )
            if state is not None:
                return run, state
            current = backfills.get_shard(connection, run_id, shard)
        if current is None:
            raise CommandRejected(f"backfill run {run_id} has no shard {shard}")
        outcome = "already-done" if current.status == "done" else "busy"
        log.info("backfill_shard_skipped", run_id=run_id, shard=shard, reason=outcome, holder=current.claimed_by)
        return ShardOutcome(shard, outcome)

    def run_shard(self, run_id: str, shard: int, *, progress: BackfillProgress | None = None) -> ShardOutcome:
        """Claim one shard and page through it to the end (or until :meth:`stop`). Safe to call for a shard that
        is done (``already-done``) or held by a live worker (``busy``): it then changes nothing."""
        worker = worker_id()
        claimed = self._claim(run_id, shard, worker)
        if isinstance(claimed, ShardOutcome):
            return claimed
        run, state = claimed
        self._own_shards.add(shard)
        feed = _feed_for(run.entity_set)
        counts = RunCounts()
        position = state.position
        structlog.contextvars.bind_contextvars(backfill_run=run_id, shard=shard)
        try:
            for read_at, page in self._shard_pages(feed, state, run.page_size):
                if self.stopping:
                    self._finish_shard(run_id, shard, worker, "pending")
                    return ShardOutcome(shard, "interrupted", counts)
                if not page.records:
                    continue
                # A page of only person-less records (a shard with no contacts) leaves the nil key: the contact
                # range is still all to read, and a resumed shard does not read those records again.
                position = page.position or position or str(uuid.UUID(int=0))
                now = self.clock()
                with self.engine.begin() as connection:
                    if isinstance(page, PersonRangePage):
                        page_counts = self._apply_person_range(connection, feed, page, now)
                    else:
                        page_counts = self._apply(connection, feed, page.records, read_at, now)
                    backfills.save_page(
                        connection, run_id, shard, position=position, counts=page_counts, worker=worker, now=now
                    )
                counts = counts + page_counts
                if progress is not None:
                    progress.page(shard, position, page_counts)
                    self.listener.on_page(progress)
        except ClaimLost:
            log.warning("backfill_shard_taken_over", run_id=run_id, shard=shard)
            return ShardOutcome(shard, "busy", counts)
        except Exception as error:
            message = f"{type(error).__name__}: {error}"[:2000]
            log.error("backfill_shard_failed", run_id=run_id, shard=shard, error=message)
            self._finish_shard(run_id, shard, worker, "failed", error=message)
            return ShardOutcome(shard, "failed", counts, message)
        except BaseException:
            self._finish_shard(run_id, shard, worker, "pending")
            raise
        finally:
            structlog.contextvars.unbind_contextvars("backfill_run", "shard")
        self._finish_shard(run_id, shard, worker, "done")
        if progress is not None:
            progress.shard_done(shard)
            self.listener.on_page(progress)
        return ShardOutcome(shard, "done", counts)

    def _finish_shard(
        self, run_id: str, shard: int, worker: str, status: backfills.ShardStatus, error: str | None = None
    ) -> None:
        now = self.clock()
        with self.engine.begin() as connection:
            backfills.finish_shard(connection, run_id, shard, status=status, worker=worker, now=now, error=error)
            if status == "failed":
                backfills.set_run_status(connection, run_id, "failed", now=now, error=f"shard {shard}: {error}")
            elif status == "done" and backfills.complete_if_done(connection, run_id, now=now):
                self._prime_journal(connection, run_id)
                log.info("backfill_succeeded", run_id=run_id)

    def _prime_journal(self, connection: Connection, run_id: str) -> None:
        """Make the run's deltaLink the feed's checkpoint if live sync has not started meanwhile (ADR 0052)."""
        run = backfills.get_run(connection, run_id)
        if run is None or not run.delta_link:
            return
        feed = _feed_for(run.entity_set)
        if journal.get(connection, feed.changes_key, feed.entity_set) is not None:
            return
        journal.save_checkpoint(
            connection,
            feed.changes_key,
            feed.entity_set,
            delta_link=run.delta_link,
            by=f"backfill {run_id}",
            page_size=1000,
        )
        log.info("journal_primed_by_backfill", run_id=run_id, entity_set=feed.entity_set)

    def _shard_pages(
        self, feed: Feed, state: ShardState, page_size: int
    ) -> Iterator[tuple[dt.datetime, KeyPage | PersonRangePage]]:
        """The shard's pages from its position: by the feed's own key, or by person key range (ADR 0085)."""
        if feed.kind in PERSON_RANGE_KINDS:
            pages: Iterator[Any] = self._person_range_pages(
                feed, state.key_from, state.key_to, state.position, page_size
            )
        else:
            pages = (
                KeyPage(
                    page.records,
                    last_key(str(r[feed.primary_id]).lower() for r in page.records) if page.records else None,
                )
                for page in self._query_pages(feed, state.key_from, state.key_to, state.position, page_size)
            )
        if self.read_ahead_pages > 0:
            return read_ahead(pages, self.clock, depth=self.read_ahead_pages)
        return ((self.clock(), page) for page in pages)

    def _query_pages(
        self, feed: Feed, key_from: str | None, key_to: str | None, position: str | None, page_size: int
    ) -> Iterator[Any]:
        return iter(
            self.client.query(
                feed.entity_set,
                select=list(feed.select),
                filter=shard_filter(feed.primary_id, key_from, key_to, position),
                orderby=[feed.primary_id],
                page_size=page_size,
            )
        )

    def _person_range_pages(
        self, feed: Feed, key_from: str | None, key_to: str | None, position: str | None, page_size: int
    ) -> Iterator[PersonRangePage]:
        """Pages of the shard's contacts (key order, from the position), each with every record of ``feed`` whose
        person falls between the previous page's last contact and this page's (the last page: up to the shard's
        end), so a person's records all arrive with its contact. The shard that starts the key space also reads
        the records with no person (they fail as the sync fails them)."""
        low, low_inclusive = (position, False) if position is not None else (key_from, True)
        read_unowned = position is None and key_from is None
        contact_pages = self.client.query(
            "contacts",
            select=list(CONTACT_SELECT),
            filter=shard_filter(PERSON.primary_id, key_from, key_to, position),
            orderby=[PERSON.primary_id],
            page_size=page_size,
        )
        for page in contact_pages:
            contacts = {str(r[PERSON.primary_id]).lower(): r for r in page.records}
            last = page.next_link is None or not contacts
            high, high_inclusive = (key_to, False) if last else (last_key(contacts), True)
            records = self._records_of_persons(feed, low, low_inclusive, high, high_inclusive)
            if read_unowned:
                records += self._records_of_persons(feed, None, True, None, True, unowned=True)
                read_unowned = False
            persons = [*contacts, *(str(p).lower() for r in records if isinstance(p := r.get(PERSON_LOOKUP), str))]
            yield PersonRangePage(records, contacts, last_key(persons) if persons else None)
            if last:
                return
            low, low_inclusive = high, False

    def _records_of_persons(
        self,
        feed: Feed,
        low: str | None,
        low_inclusive: bool,
        high: str | None,
        high_inclusive: bool,
        *,
        unowned: bool = False,
    ) -> list[dict[str, Any]]:
        """Every record of ``feed`` whose person lookup lies in the range (or, ``unowned``, is empty)."""
        parts: list[Filter] = []
        if unowned:
            parts.append(F.eq(PERSON_LOOKUP, None))
        else:
            if low is not None:
                parts.append((F.ge if low_inclusive else F.gt)(PERSON_LOOKUP, uuid.UUID(low)))
            if high is not None:
                parts.append((F.le if high_inclusive else F.lt)(PERSON_LOOKUP, uuid.UUID(high)))
            if not parts:
                parts.append(F.ne(PERSON_LOOKUP, None))
        where = and_(*parts) if len(parts) > 1 else parts[0]
        pages = self.client.query(feed.entity_set, select=list(feed.select), filter=where, page_size=DEFAULT_PAGE_SIZE)
        return [record for page in pages for record in page.records]

    def _apply_person_range(
        self, connection: Connection, feed: Feed, page: PersonRangePage, now: dt.datetime
    ) -> RunCounts:
        context = PageContext(
            connection, self.client, self.reference, now, full_pass=True, status_reference=self._status_reference
        )
        counts = apply_person_range_page(context, feed, page.records, page.contacts)
        return counts + RunCounts(pages=1)

    def _pages(
        self, feed: Feed, key_from: str | None, key_to: str | None, position: str | None, page_size: int
    ) -> Iterator[tuple[dt.datetime, Any]]:
        pages = self.client.query(
            feed.entity_set,
            select=list(feed.select),
            filter=shard_filter(feed.primary_id, key_from, key_to, position),
            orderby=[feed.primary_id],
            page_size=page_size,
        )
        if self.read_ahead_pages > 0:
            return read_ahead(iter(pages), self.clock, depth=self.read_ahead_pages)
        return ((self.clock(), page) for page in pages)

    def _apply(
        self,
        connection: Connection,
        feed: Feed,
        records: Sequence[Mapping[str, Any]],
        read_at: dt.datetime,
        now: dt.datetime,
    ) -> RunCounts:
        kept = _without_deleted_since(connection, feed, records, read_at - DELETE_WINDOW)
        # A backfill page is a full-pass page: every record in it exists in DQT (a sync full pass in progress
        # must not sweep it), and derived data (induction columns) is left to that feed's own backfill.
        context = PageContext(
            connection, self.client, self.reference, now, full_pass=True, status_reference=self._status_reference
        )
        counts = apply_page(context, feed, ChangePage(records=cast(list[dict[str, Any]], list(kept))))
        # The professional-status reference is read once per run, not once per page (ADR 0057).
        self._status_reference = context.status_reference or self._status_reference
        dropped = len(records) - len(kept)
        return counts + RunCounts(pages=1, seen=dropped, skipped=dropped)

    # -- dry run ------------------------------------------------------------------------------------------------

    def dry_run(self, feed: Feed, shards: int, *, threads: int = 1) -> BackfillResult:
        """Read and apply every page inside a transaction that is rolled back: what a backfill would insert,
        update, leave (stale), skip and fail, and why records would fail. Writes nothing, records no run."""
        ranges = shard_ranges(shards)
        progress = BackfillProgress(
            f"{feed.name} (dry run)",
            [ShardProgress(n, low, high, None, RunCounts(), False) for n, (low, high) in enumerate(ranges)],
            dry_run=True,
        )
        reasons: dict[str, int] = {}
        reasons_lock = threading.Lock()
        started = time.monotonic()
        self.reference  # noqa: B018 - read once before the threads start

        def one(shard: int) -> ShardOutcome:
            low, high = ranges[shard]
            counts = RunCounts()
            for read_at, page in self._pages(feed, low, high, None, self.page_size):
                if self.stopping:
                    return ShardOutcome(shard, "interrupted", counts)
                if not page.records:
                    continue
                now = self.clock()
                with self.engine.connect() as connection:
                    transaction = connection.begin()
                    try:
                        page_counts = self._apply(connection, feed, page.records, read_at, now)
                        found = _failure_reasons(connection, feed.entity_set, now)
                    finally:
                        transaction.rollback()
                with reasons_lock:
                    for reason, count in found.items():
                        reasons[reason] = reasons.get(reason, 0) + count
                counts = counts + page_counts
                position = max(str(r[feed.primary_id]).lower() for r in page.records)
                progress.page(shard, position, page_counts)
                self.listener.on_page(progress)
            progress.shard_done(shard)
            self.listener.on_page(progress)
            return ShardOutcome(shard, "done", counts)

        self.listener.on_start(progress)
        try:
            if threads <= 1:
                outcomes = [one(n) for n in range(shards)]
            else:
                with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="backfill-dry-run") as pool:
                    outcomes = list(pool.map(one, range(shards)))
        finally:
            self.listener.on_finish(progress)
        counts = sum((o.counts for o in outcomes), RunCounts())
        return BackfillResult(
            run_id=None,
            feed=feed.name,
            entity_set=feed.entity_set,
            status="dry-run",
            counts=counts,
            totals=counts,
            seconds=time.monotonic() - started,
            shards=outcomes,
            failure_reasons=dict(sorted(reasons.items(), key=lambda item: -item[1])),
        )

    # -- distributed ------------------------------------------------------------------------------------------

    def enqueue(self, run: BackfillRun, send: Callable[[str, int], object]) -> list[int]:
        """Send one message per unfinished shard (``send(run_id, shard)``: ``jobs.actors.backfill_shard.send``);
        the workers call :func:`run_shard`. Returns the shards sent."""
        with self.engine.connect() as connection:
            todo = [s.shard for s in backfills.shards(connection, run.run_id) if s.status != "done"]
        for shard in todo:
            send(run.run_id, shard)
        log.info("backfill_enqueued", run_id=run.run_id, shards=todo)
        return todo

    def watch(self, run_id: str, *, poll_seconds: float = 1.0, timeout: float | None = None) -> BackfillResult:
        """Follow a run that other processes work on (``--distributed --wait``) until it stops running."""
        started = time.monotonic()
        with self.engine.connect() as connection:
            run = backfills.get_run(connection, run_id)
            if run is None:
                raise CommandRejected(f"no backfill run {run_id}")
            progress = BackfillProgress.of_run(run.entity_set, backfills.shards(connection, run_id))
        initial = progress.counts
        self.listener.on_start(progress)
        try:
            while True:
                with self.engine.connect() as connection:
                    run = backfills.get_run(connection, run_id)
                    states = backfills.shards(connection, run_id)
                progress.absorb(states)
                self.listener.on_page(progress)
                assert run is not None
                stuck = all(s.status in ("done", "failed") for s in states)
                if run.status != "running" or stuck or self.stopping:
                    break
                if timeout is not None and time.monotonic() - started > timeout:
                    break
                time.sleep(poll_seconds)
        finally:
            self.listener.on_finish(progress)
        return BackfillResult(
            run_id=run_id,
            feed=_feed_for(run.entity_set).name,
            entity_set=run.entity_set,
            status=run.status,
            counts=_minus(progress.counts, initial),
            totals=progress.counts,
            seconds=time.monotonic() - started,
        )


def _minus(a: RunCounts, b: RunCounts) -> RunCounts:
    return RunCounts(**{name: getattr(a, name) - getattr(b, name) for name in RunCounts.__dataclass_fields__})


def _feed_for(entity_set: str) -> Feed:
    (feed,) = resolve_feeds([entity_set])
    return feed


def _without_deleted_since(
    connection: Connection, feed: Feed, records: Sequence[Mapping[str, Any]], since: dt.datetime
) -> Sequence[Mapping[str, Any]]:
    """The page without records whose ``<id>-Deleted`` event was written since ``since``: live sync applied
    their deletion after this page was read, and the snapshot must not resurrect them (ADR 0051)."""
    if feed.kind is not ApplyKind.ROWS or not records:
        return records
    events = metadata.tables["events"]
    # The few deletions since ``since`` (a partial index holds exactly those events, migration 0009), matched
    # against the page here: looking up each of the page's keys cost ~150 ms a page (ADR 0057).
    recent = select(events.c.key).where(text(DELETED_KEYS), events.c.inserted >= since)
    recently_deleted = {str(k) for k in connection.execute(recent).scalars()}
    if not recently_deleted:
        return records
    keys = {f"{str(r.get(feed.primary_id)).lower()}-Deleted": r for r in records}
    deleted = recently_deleted & set(keys)
    if not deleted:
        return records
    log.info("backfill_skipped_deleted_records", count=len(deleted))
    return [r for key, r in keys.items() if key not in deleted]


def _failure_reasons(connection: Connection, entity_set: str, now: dt.datetime) -> dict[str, int]:
    """Open failures written at ``now`` (this page's, inside its transaction), counted by kind and field."""
    table = metadata.tables["failed_records"]
    statement = (
        select(table.c.error_kind, table.c.field, func.count())
        .where(table.c.entity_set == entity_set, table.c.status == "open", table.c.last_seen == now)
        .group_by(table.c.error_kind, table.c.field)
    )
    return {f"{kind}:{field or '-'}": int(count) for kind, field, count in connection.execute(statement)}


def feeds_for(entity: str) -> list[Feed]:
    """``all`` (every feed, dependants after persons) or the one feed named."""
    if entity == "all":
        return list(FEEDS)
    return resolve_feeds([entity])


# ---------------------------------------------------------------------------------------------------------
# the worker entry point
# ---------------------------------------------------------------------------------------------------------

_resources: dict[str, Any] = {}
_resources_lock = threading.Lock()


def _worker_resources() -> tuple[Engine, DataverseClient]:
    """One engine and one DQT client per worker process, from the environment (built on first use)."""
    from bridge.config import BridgeSettings, open_client, open_engine

    with _resources_lock:
        if "engine" not in _resources:
            settings = BridgeSettings.from_env()
            _resources["engine"] = open_engine(settings.database_url)
            _resources["client"] = open_client()
        return _resources["engine"], _resources["client"]


def run_shard(
    run_id: str,
    shard: int,
    *,
    engine: Engine | None = None,
    client: DataverseClient | None = None,
    reference: ReferenceLookup | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """Work one shard of a run to its end: what the ``backfill_shard`` dramatiq actor calls. Idempotent: a
    shard that is done, or held by a live worker, is left alone. ``should_stop`` is asked before every page
    (SIGTERM, a lost lease): the shard then stops after its last committed page, resumable (``interrupted``).
    Raises when the shard failed, so the message is retried; the retry continues from the shard's position.
    Engine and client come from the environment unless given (a worker passes its own, rate-limited)."""
    if engine is None or client is None:
        engine, client = _worker_resources()
    backfill = Backfill(engine, client, reference=reference, should_stop=should_stop)
    outcome = backfill.run_shard(run_id, shard)
    if outcome.outcome == "failed":
        raise RuntimeError(f"backfill {run_id} shard {shard} failed: {outcome.error}")
    return {
        "run_id": run_id,
        "shard": shard,
        "outcome": outcome.outcome,
        **{name: getattr(outcome.counts, name) for name in RunCounts.__dataclass_fields__},
    }
