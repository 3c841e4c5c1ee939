"""More processes for one backfill run on this machine (``trs-bridge backfill --processes N``, ADR 0095).

A backfill's shards are CPU-bound Python (mapping, building events, COPY encoding) and the shard threads of one
process share one interpreter lock, so one process uses one CPU at most however many threads it runs. Helpers
are more processes working the same run: each claims unfinished shards through the store exactly as the
``--distributed`` workers do (``trs_store.backfills.claim_shard``: a shard has one live claimant; a dead
claimant's shard is taken over), so nothing here coordinates beyond starting, watching and joining them.

Helpers are started with ``spawn`` (a fresh interpreter: no engine, socket or lock of the parent is inherited)
and build their engine and DQT client from the environment, like a worker. The parent works shards too; its
progress bar learns the helpers' pages from the shards' committed counts (:class:`HelperWatch`).
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from trs_store import backfills

if TYPE_CHECKING:
    from bridge.backfill import BackfillProgress

#: Seconds between the parent's reads of the helpers' committed shard counts.
WATCH_SECONDS = 1.0


def start_helpers(run_id: str, count: int, threads: int, log_level: str) -> list[BaseProcess]:
    """Start ``count`` helper processes working ``run_id`` with ``threads`` shard threads each."""
    context = multiprocessing.get_context("spawn")
    helpers: list[BaseProcess] = []
    for index in range(count):
        process = context.Process(
            target=helper_main, args=(run_id, threads, log_level), name=f"backfill-helper-{index + 1}", daemon=False
        )
        process.start()
        helpers.append(process)
    return helpers


def helper_main(run_id: str, threads: int, log_level: str) -> None:
    """A helper's whole life: claim and work the run's unfinished shards until none is left to claim."""
    from bridge.backfill import Backfill, _worker_resources
    from bridge.logging import configure
    from bridge.memory import limit_malloc_arenas

    configure(log_level)
    limit_malloc_arenas()
    engine, client = _worker_resources()
    try:
        Backfill(engine, client).work(run_id, threads=threads)
    finally:
        engine.dispose()
        client.close()


class HelperWatch:
    """Feeds the parent's progress with the pages the helpers commit (shards the parent does not hold), by
    reading the shards' counts every :data:`WATCH_SECONDS` until stopped."""

    def __init__(self, engine: Engine, run_id: str, progress: BackfillProgress, own: Callable[[int], bool]) -> None:
        self._engine = engine
        self._run_id = run_id
        self._progress = progress
        self._own = own
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="backfill-helper-watch", daemon=True)
        self._on_page: Callable[[], None] = lambda: None

    def start(self, on_page: Callable[[], None]) -> None:
        self._on_page = on_page
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.refresh()  # the helpers' last pages

    def _loop(self) -> None:
        while not self._stop.wait(WATCH_SECONDS):
            self.refresh()

    def refresh(self) -> None:
        with self._engine.connect() as connection:
            states = backfills.shards(connection, self._run_id)
        self._progress.absorb(states, skip=self._own)  # the parent's own threads report their pages themselves
        self._on_page()
