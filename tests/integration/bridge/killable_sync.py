"""A test-only ``trs-bridge sync --once`` that SIGKILLs itself at a chosen point (run as a child process).

Configured by the environment: ``DQT_*`` and ``TRS_DATABASE_URL`` as for the CLI, ``TRS_BRIDGE_PAGE_SIZE``,
and one of

* ``KILL_AFTER_PAGES=N`` with ``KILL_WHEN=before-commit``: dies once page N's rows, failed records, run
  counts and journal position are written, before its transaction commits;
* ``KILL_AFTER_PAGES=N`` with ``KILL_WHEN=after-commit``: dies right after page N's transaction commits,
  before the next page is read;
* ``KILL_AFTER_SECONDS=T``: dies T seconds after start, wherever the sync happens to be.

Nothing in the bridge knows about this: the hook wraps ``bridge.sync.add_page`` (the last write of a page's
transaction) and the engine's ``begin()``. Exits 0 and prints ``completed`` if it was not killed first.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine

from bridge import sync as sync_module
from bridge.config import BridgeSettings, open_client
from bridge.logging import configure
from bridge.sync import SyncService
from trs_store import make_engine


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class KillingEngine:
    """Stands in for the engine: the same transactions, plus a kill after a commit when one is due."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.kill_after_commit = False

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            yield connection
        if self.kill_after_commit:
            die()

    def connect(self) -> Connection:
        """Reads (pause flags, status) go straight to the real engine."""
        return self.engine.connect()


def main() -> None:
    configure("ERROR")
    settings = BridgeSettings.from_env()
    engine = KillingEngine(make_engine(settings.database_url))
    kill_at = int(os.environ.get("KILL_AFTER_PAGES", "0"))
    when = os.environ.get("KILL_WHEN", "before-commit")
    seconds = float(os.environ.get("KILL_AFTER_SECONDS", "0"))
    if seconds:
        timer = threading.Timer(seconds, die)
        timer.daemon = True
        timer.start()

    pages = 0
    add_page = sync_module.add_page

    def counting_add_page(connection: Connection, run_id: str, counts: Any) -> None:
        nonlocal pages
        add_page(connection, run_id, counts)
        pages += 1
        if pages == kill_at:
            if when == "before-commit":
                die()
            engine.kill_after_commit = True

    sync_module.add_page = counting_add_page  # type: ignore[assignment]
    service = SyncService(engine, open_client(), page_size=settings.page_size)  # type: ignore[arg-type]
    service.sync()
    print("completed", pages)


if __name__ == "__main__":
    main()
